"""Browser tests: Playwright (sync API) driving Debian's Chromium against pytest-django's live server.

Never downloads a browser: `make browser` installs Debian's `chromium` (scripts/install_browser.sh).
Each pytest-xdist worker gets its own live server, test database and browser; every test gets fresh
browser contexts (no shared cookies), so tests can run in any order and in parallel.

    def test_something(world, page, login, shot):
        login(page, "admin")
        shot(page, "dashboard")            # test-artifacts/screenshots/<test>/dashboard.png

Every test here is marked ``browser`` (added automatically; ``pytest -m "not browser"`` skips them).
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

# Playwright's sync API runs an asyncio event loop in the test thread; Django would otherwise
# refuse database access from it ("You cannot call this from an async context").
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect, sync_playwright  # noqa: E402

CHROMIUM = os.environ.get("MINYI_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
TIMEOUT_MS = 15_000
#: The password of every persona of the `world` fixture (tests/factories.py).
PASSWORD = "pw-for-tests-123"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"

expect.set_options(timeout=TIMEOUT_MS)
HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items):
    """Every test in tests/browser is a browser test, even if its module forgets the marker."""
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        message = f"Chromium not found at {CHROMIUM}: run `make browser` (installs Debian's chromium)."
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def browser_context(browser: Browser, live_server) -> Iterator[Callable[..., BrowserContext]]:
    """A factory of fresh contexts on the live server: `browser_context(phone=True)` for 390×844."""
    contexts: list[BrowserContext] = []

    def make(*, phone: bool = False, locale: str = "zh-CN") -> BrowserContext:
        options = (
            {"viewport": PHONE, "is_mobile": True, "has_touch": True} if phone else {"viewport": DESKTOP}
        )
        context = browser.new_context(base_url=live_server.url, locale=locale, **options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(browser_context) -> Page:
    """A desktop-sized page (1280×800)."""
    return browser_context().new_page()


@pytest.fixture
def phone_page(browser_context) -> Page:
    """A phone-sized page (390×844, touch)."""
    return browser_context(phone=True).new_page()


@pytest.fixture(params=["desktop", "phone"])
def any_page(request, browser_context) -> Page:
    """The test runs twice: on a desktop-sized and on a phone-sized page."""
    return browser_context(phone=request.param == "phone").new_page()


def sign_in(page: Page, username: str, password: str = PASSWORD) -> None:
    """Fill in and submit the sign-in form (does not check the outcome)."""
    page.goto("/accounts/login/")
    form = page.locator("form:has(input[name=password])")
    form.locator("input[name=username]").fill(username)
    form.locator("input[name=password]").fill(password)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()


@pytest.fixture
def login() -> Callable[..., None]:
    """`login(page, username)`: sign in and wait until the sign-in page is left behind."""

    def do_login(page: Page, username: str, password: str = PASSWORD) -> None:
        sign_in(page, username, password)
        expect(page).not_to_have_url(re.compile(r"/accounts/login/"))

    return do_login


@pytest.fixture
def shot(request) -> Callable[[Page, str], Path]:
    """`shot(page, name)`: a full-page screenshot at test-artifacts/screenshots/<test>/<name>.png."""
    module = request.node.module.__name__.rsplit(".", 1)[-1]
    folder = SCREENSHOTS / module / re.sub(r"[^\w.-]+", "_", request.node.name).strip("_")

    def take(page: Page, name: str) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


#: axe-core, pinned in package.json (a development dependency: `npm ci` installs it), read from
#: node_modules and evaluated in the page through the DevTools protocol (the page's CSP does not apply).
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture
def axe() -> Callable[[Page, str], list[dict]]:
    """`axe(page, what)`: run axe-core's WCAG 2.0/2.1 A and AA rules on the page as it is and fail
    the test on any serious or critical violation (each listed with its rule, help and first nodes).
    Returns the minor and moderate violations, for a test that wants to look at them."""
    source = AXE.read_text(encoding="utf-8")

    def check(page: Page, what: str) -> list[dict]:
        page.evaluate(source)
        result = page.evaluate(
            """async () => await axe.run(document, {
                runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
                resultTypes: ['violations'],
            })"""
        )
        grave = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
        lines = [
            f"{v['id']} ({v['impact']}): {v['help']} — " + "; ".join(str(n["target"]) for n in v["nodes"][:3])
            for v in grave
        ]
        assert not grave, f"axe-core on {what}:\n" + "\n".join(lines)
        return [v for v in result["violations"] if v not in grave]

    return check
