"""Details that confused users (issue #12), in a real browser: the reply letter prints on A4 like a
real one; the English menu fits one line at 1366 px; the phone supervision board starts with what
is red; the participants picker filters by name; the main pages raise no CSP error in the console.
Screenshots under test-artifacts/screenshots/test_details/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from minyi.suggestions.models import Reply
from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_supervision_board import demo  # noqa: F401 — the fixture is used by name
from tests.factories import DeputyFactory
from tests.suggestions.conftest import loop  # noqa: F401 — the fixture is used by name

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDE = {"width": 1366, "height": 900}


def csp_errors(page: Page) -> list[str]:
    """Collects console errors and CSP violations of `page` from now on."""
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


def replied(loop):  # noqa: F811
    s = loop.drive.to("replied", cosign=True)
    a = s.assignments.get()
    Reply.objects.filter(assignment=a).update(
        body="一、基本情况\n我局高度重视，已完成现场勘察。\n二、下一步工作\n年内完成改造。",
        contact_name="王联络",
        contact_phone="0571-88886666",
        cc="区人大常委会代表工委、区政府办公室",
    )
    return s, Reply.objects.get(assignment=a)


def test_the_reply_letter_prints_on_a4(loop, page, login, shot, request):  # noqa: F811
    s, reply = replied(loop)
    errors = csp_errors(page)
    login(page, "deputy")
    page.goto(f"/c/alpha/suggestions/{s.pk}/replies/{reply.pk}/letter/")
    letter = page.locator("#reply-letter")
    expect(letter.locator("h1")).to_contain_text(f"关于领衔代表代表第{s.seq}号建议的答复")
    expect(letter.locator("[data-field=salutation]")).to_have_text("领衔代表代表及联名代表联名代表：")
    expect(letter.locator("[data-field=closing]")).to_have_text("感谢您对我们工作的关心和支持！")
    expect(letter.locator("[data-field=contact]")).to_contain_text("联系电话：0571-88886666")
    expect(letter.locator("[data-field=cc]")).to_contain_text("抄送：区人大常委会代表工委")
    # paragraphs indented by 2em, the signature right-aligned
    indent = letter.locator(".letter-body p").first.evaluate("p => getComputedStyle(p).textIndent")
    size = letter.locator(".letter-body p").first.evaluate("p => parseFloat(getComputedStyle(p).fontSize)")
    assert abs(float(indent.removesuffix("px")) - 2 * size) < 1
    assert letter.locator("[data-field=signature]").evaluate("d => getComputedStyle(d).textAlign") == "right"
    shot(page, "letter-screen")
    page.emulate_media(media="print")
    shot(page, "letter-print")
    folder = SCREENSHOTS / "test_details" / request.node.name
    folder.mkdir(parents=True, exist_ok=True)
    pdf = folder / "letter.pdf"
    page.pdf(path=str(pdf), prefer_css_page_size=True)
    data = Path(pdf).read_bytes()
    assert data.startswith(b"%PDF")
    # A4 is 595 × 842 points; the letter fits one page
    boxes = re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", data)
    assert boxes and all(abs(float(w) - 595.3) < 2 and abs(float(h) - 841.9) < 2 for w, h in boxes)
    assert len(re.findall(rb"/Type /Page\b(?!s)", data)) == 1
    assert not errors, errors


def test_the_english_menu_fits_one_line_at_1366(loop, browser_context, login, shot):  # noqa: F811
    s = loop.drive.to("assigned", cosign=True)
    page = browser_context(locale="en-GB").new_page()
    page.set_viewport_size(WIDE)
    errors = csp_errors(page)
    for who in ("admin", "clerk", "supervisor", "handler_a", "deputy"):
        page.context.clear_cookies()
        login(page, who)
        page.goto("/c/alpha/")
        expect(page.locator("html")).to_have_attribute("lang", "en")
        shot(page, f"menu-{who}")
        if who == "clerk":  # names in the list and on the suggestion page stay on one line
            page.goto("/c/alpha/suggestions/")
            lead = page.locator("td[data-label='Lead deputy']").first
            shot(page, "list-clerk")
            lines = "td => { const r = document.createRange(); r.selectNodeContents(td); return r.getClientRects().length; }"
            assert lead.evaluate(lines) == 1  # the name on one line, not stacked character by character
            page.goto(f"/c/alpha/suggestions/{s.pk}/")
            shot(page, "detail-clerk")
            page.goto("/c/alpha/")
        links = page.locator("#mainnav .nav-link:visible")
        boxes = [links.nth(i).bounding_box() for i in range(links.count())]
        middles = [box["y"] + box["height"] / 2 for box in boxes if box]
        assert max(middles) - min(middles) < 8, (who, middles)  # one line
        # nothing in the bar wraps: each link is one line high
        for i in range(links.count()):
            text = links.nth(i).inner_text()
            assert links.nth(i).evaluate("a => a.getClientRects().length") == 1, (who, text)
    assert not errors, errors


def test_the_phone_board_starts_with_what_is_red(demo, phone_page, login, shot):  # noqa: F811
    page = phone_page
    login(page, "supervisor")
    page.goto("/c/demo/supervision/")
    red = page.locator("#red-list")
    expect(red.locator("tr[data-colour='red']").first).to_be_visible()
    red_top = red.bounding_box()["y"]
    assert red_top < page.locator("#by-unit").bounding_box()["y"]
    assert red_top < page.locator("#yellow-list").bounding_box()["y"]
    assert red_top < 900, red_top  # within the first screens, not 4,000 px down
    counts = page.locator("[data-count]")
    assert len({round(counts.nth(i).bounding_box()["y"]) for i in range(3)}) == 1  # side by side
    shot(page, "board-phone")
    page.locator("a[href='#red-list']").first.click()
    expect(red).to_be_in_viewport()


def test_the_participants_picker_filters_by_name(loop, page, login, shot):  # noqa: F811
    for i in range(40):
        DeputyFactory(congress=loop.w.congress, name=f"测试代表{i:02d}", number=f"T{i:03d}")
    DeputyFactory(congress=loop.w.congress, name="欧阳明月", number="T900")
    errors = csp_errors(page)
    login(page, "liaison")
    page.goto("/c/alpha/intake/")
    page.get_by_role("link", name="甲区第一联络站").click()
    page.locator("[data-action=record_event]").first.click()
    picker = page.locator("[data-picker]")
    search = picker.locator("[data-picker-filter]")
    expect(search).to_be_visible()
    items = picker.locator("[data-picker-item]:visible")
    assert items.count() >= 43
    search.fill("欧阳")
    expect(items).to_have_count(1)
    items.first.locator("input").check()
    expect(picker.locator("[data-picker-count]")).to_have_text("已选 1 人")
    search.fill("T00")
    expect(items).to_have_count(11)  # T000–T009, and the ticked one stays in view
    search.press("Enter")  # does not submit the form
    expect(page.locator("[data-picker]")).to_be_visible()
    search.fill("")
    shot(page, "picker")
    assert not errors, errors


def test_the_main_pages_raise_no_csp_error(loop, browser_context, login):  # noqa: F811
    s, reply = replied(loop)
    for phone, locale in ((False, "zh-CN"), (True, "en-GB")):
        page = browser_context(phone=phone, locale=locale).new_page()
        errors = csp_errors(page)
        for who, paths in {
            "clerk": [
                "/",
                "/c/alpha/",
                "/c/alpha/suggestions/todo/",
                "/c/alpha/suggestions/",
                f"/c/alpha/suggestions/{s.pk}/",
                "/c/alpha/supervision/",
                "/c/alpha/reports/",
                "/inbox/",
            ],
            "deputy": [
                f"/c/alpha/suggestions/{s.pk}/replies/{reply.pk}/letter/",
                f"/c/alpha/suggestions/{s.pk}/",
            ],
            "liaison": ["/c/alpha/intake/"],
        }.items():
            page.context.clear_cookies()
            login(page, who)
            for path in paths:
                response = page.goto(path)
                assert response is not None and response.status < 400, (
                    who,
                    path,
                    response and response.status,
                )
                page.wait_for_load_state("load")
        assert not errors, (phone, errors)
