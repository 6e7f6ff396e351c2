"""Production as the README describes it: `DEBUG=0`, `collectstatic` with the production storage
(hashed names, WhiteNoise), pages and static files served, Minyi's own 404/500 pages — in process with
the production static storage, and over HTTP from gunicorn started with deploy/gunicorn.conf.py.

Not a browser test: it runs in both database passes. `collectstatic` runs once for the module, in a
fresh process with the production settings (config.settings, not the test settings), as an operator
runs it.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import include, path, reverse

from .test_settings_deploy import ROOT, manage, production_env

HASHED_CSS = re.compile(r'href="(/static/vendor/bootstrap/bootstrap\.min\.[0-9a-f]{12}\.css)"')
NOT_FOUND_TEXT = "页面不存在或您无权查看"
SERVER_ERROR_TEXT = "抱歉，系统出错了"


def boom(request) -> HttpResponse:
    raise RuntimeError("a bug in a view")


# The project's URLs plus one view that fails, for the 500 page.
urlpatterns = [path("test-only-boom/", boom), path("", include("config.urls"))]


@pytest.fixture(scope="module")
def collected(tmp_path_factory) -> Path:
    """`manage.py collectstatic --noinput` with DEBUG=0 into a fresh STATIC_ROOT."""
    work = tmp_path_factory.mktemp("production")
    static_root = work / "static"
    result = manage(
        "collectstatic", "--noinput", tmp_path=work, **production_env(STATIC_ROOT=str(static_root))
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return static_root


@pytest.fixture
def production(settings, collected) -> Path:
    """The test settings switched to production's static files: DEBUG off, the collected STATIC_ROOT
    and WhiteNoise's compressed manifest storage (every {% static %} resolves through the manifest)."""
    settings.DEBUG = False
    settings.STATIC_ROOT = collected
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    return collected


def test_collectstatic_succeeds_and_rewrites_every_reference(collected):
    manifest = json.loads((collected / "staticfiles.json").read_text())["paths"]
    for name in (
        "vendor/bootstrap/bootstrap.min.css",
        "vendor/bootstrap/bootstrap.bundle.min.js",
        "vendor/bootstrap-icons/bootstrap-icons.min.css",
        "vendor/htmx/htmx.min.js",
        "vendor/echarts/echarts.min.js",
        "css/minyi.css",
        "js/minyi.js",
    ):
        assert (collected / manifest[name]).is_file(), name
    # References inside the files point at the hashed copies (the source map, the icon fonts).
    css = (collected / manifest["vendor/bootstrap/bootstrap.min.css"]).read_text()
    assert f"sourceMappingURL={Path(manifest['vendor/bootstrap/bootstrap.min.css.map']).name}" in css
    icons = (collected / manifest["vendor/bootstrap-icons/bootstrap-icons.min.css"]).read_text()
    fonts = re.findall(r'url\("?(fonts/[^")?#]+)', icons)
    assert fonts and all(re.search(r"\.[0-9a-f]{12}\.woff2?$", f) for f in fonts), fonts


def test_pages_and_static_files_are_served_with_the_production_storage(client, world, production):
    login = client.get(reverse("accounts:login"))
    assert login.status_code == 200
    css_url = HASHED_CSS.search(login.content.decode()).group(1)

    static = client.get(css_url)
    assert static.status_code == 200
    assert b"".join(static.streaming_content) == (production / css_url.removeprefix("/static/")).read_bytes()
    assert "immutable" in static["Cache-Control"] and "no-store" not in static["Cache-Control"]

    client.force_login(world.deputy)
    page = client.get(reverse("congress:dashboard", args=[world.congress.code]))
    assert page.status_code == 200
    assert css_url in page.content.decode()
    assert "no-store" in page["Cache-Control"]
    # Signed in or not, a static file never gets the signed-in no-store header.
    assert "no-store" not in client.get(css_url)["Cache-Control"]


def test_unknown_address_shows_our_404_page(client, world, production):
    for who in (None, world.deputy):
        if who:
            client.force_login(who)
        response = client.get("/no-such-page/")
        html = response.content.decode()
        assert response.status_code == 404
        assert NOT_FOUND_TEXT in html and HASHED_CSS.search(html)
        assert "Using the URLconf" not in html and "Page not found" not in html


def test_a_failing_view_shows_our_500_page(world, production, settings):
    settings.ROOT_URLCONF = __name__
    client = Client(raise_request_exception=False)
    client.force_login(world.deputy)
    response = client.get("/test-only-boom/")
    html = response.content.decode()
    assert response.status_code == 500
    assert SERVER_ERROR_TEXT in html and "Sorry, something went wrong" in html
    assert "Traceback" not in html and "RuntimeError" not in html and "a bug in a view" not in html


def test_a_refused_csrf_check_shows_our_page(world, production):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("accounts:login"), {"username": "deputy", "password": "x"})
    html = response.content.decode()
    assert response.status_code == 403
    assert "页面已过期" in html and "The page has expired" in html
    assert "CSRF verification failed" not in html


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(port: int, url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        connection.request("GET", url, headers={"Host": "127.0.0.1", **headers})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def test_gunicorn_serves_pages_and_static_files_with_debug_off(collected, tmp_path):
    """The real thing: gunicorn with deploy/gunicorn.conf.py and the production settings (DEBUG=0, HTTPS
    redirect on, behind a TLS proxy), asked over HTTP on a free local port."""
    port = _free_port()
    env = {name: os.environ[name] for name in ("PATH", "HOME", "LANG", "TMPDIR") if name in os.environ} | {
        "PYTHONDONTWRITEBYTECODE": "1",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'gunicorn.sqlite3'}",  # the pages asked need no table
        "MEDIA_ROOT": str(tmp_path / "media"),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "1",
        **production_env(STATIC_ROOT=str(collected), ALLOWED_HOSTS="127.0.0.1", BEHIND_TLS_PROXY="1"),
    }
    log = (tmp_path / "gunicorn.log").open("w+")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "deploy" / "gunicorn.conf.py")],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 45
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                assert server.poll() is None, Path(log.name).read_text()
                assert time.monotonic() < deadline, "gunicorn did not start: " + Path(log.name).read_text()
                time.sleep(0.2)
        proxied = {"X-Forwarded-Proto": "https"}  # what nginx adds (deploy/nginx/minyi.conf)

        # Plain HTTP straight to the app is sent to HTTPS (SECURE_SSL_REDIRECT is on in production).
        status, headers, _ = _get(port, "/accounts/login/")
        assert status == 301 and headers["location"] == "https://127.0.0.1/accounts/login/"

        status, headers, body = _get(port, "/accounts/login/", **proxied)
        assert status == 200, Path(log.name).read_text()
        html = body.decode()
        assert "登录民意平台" in html
        assert "strict-transport-security" in headers and "content-security-policy" in headers
        css_url = HASHED_CSS.search(html).group(1)

        status, headers, body = _get(port, css_url, **proxied)
        assert status == 200 and headers["content-type"].startswith("text/css")
        assert body == (collected / css_url.removeprefix("/static/")).read_bytes()
        assert "immutable" in headers["cache-control"]
        status, headers, body = _get(port, css_url, **proxied, **{"Accept-Encoding": "gzip"})
        assert status == 200 and headers.get("content-encoding") == "gzip"

        status, _, body = _get(port, "/no-such-page/", **proxied)
        assert status == 404 and NOT_FOUND_TEXT in body.decode()
        assert "Using the URLconf" not in body.decode()
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
