"""The API as a whole: the OpenAPI schema and docs, authentication, CSRF and the error shapes."""

import pytest
from django.test import Client

from tests.audit.support import domain_event_count

from .conftest import PREFIX, A, invalid, not_found, ok, refused

pytestmark = pytest.mark.django_db


def create_draft(client: Client, title: str, token: str | None = None):
    """POST a new draft through `client` (a session with CSRF checks), with `token` in X-CSRFToken."""
    headers = {"HTTP_X_CSRFTOKEN": token} if token else {}
    return client.post(
        f"{PREFIX}{A}/suggestions", {"title": title}, content_type="application/json", **headers
    )


def test_openapi_schema_renders_and_every_operation_has_a_summary_and_tags(api):
    schema = ok(api.get(None, "/openapi.json"))
    assert schema["info"]["title"] == "Minyi API"
    operations = [(path, method, op) for path, ops in schema["paths"].items() for method, op in ops.items()]
    assert len(operations) > 40
    for path, method, op in operations:
        assert op.get("summary"), (method, path)
        assert op.get("tags"), (method, path)
    paths = schema["paths"]
    assert "/api/v1/congresses/{code}/suggestions/{suggestion_id}/accept" in paths
    assert "/api/v1/calendar/add-working-days" in paths
    # Session cookie auth is declared for the operations that need it.
    assert "SessionAuth" in schema["components"]["securitySchemes"]


def test_docs_page_uses_the_bundled_swagger_ui_without_a_cdn(api):
    response = api.get(None, "/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    # No address outside the site (a CDN): every src/href is a path. (Not `"cdn" not in html`: the
    # page's random CSRF token contains those three letters now and then — it failed once that way.)
    import re

    external = re.findall(r'(?:src|href)="((?:https?:)?//[^"]*)"', html)
    assert external == []
    assert "cdn.jsdelivr" not in html and "unpkg.com" not in html


def test_anonymous_requests_are_refused_with_401(api):
    assert api.get(None, A).status_code == 401
    assert api.get(None, "/me").status_code == 401
    assert api.get(None, "/calendar/2026").status_code == 401
    assert api.post(None, f"{A}/suggestions", {"title": "x"}).status_code in (401, 403)


def test_me_lists_my_memberships(api, world):
    body = ok(api.get(world.coordinator, "/me"))
    assert body["username"] == "gov"
    assert body["memberships"] == [
        {"congress": "alpha", "role": "coordinator", "role_label": "交办协调员", "unit": world.gov.pk}
    ]


def test_a_session_post_without_the_csrf_token_is_refused(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.deputy)
    before = domain_event_count()
    response = create_draft(client, "无令牌")
    assert response.status_code == 403
    assert response.json() == {"detail": "CSRF check Failed"}
    assert domain_event_count() == before


def test_a_session_post_with_the_token_from_csrf_passes(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.deputy)
    token = ok(client.get(f"{PREFIX}/csrf"))["csrf_token"]
    assert client.cookies["csrftoken"].value
    response = create_draft(client, "有令牌", token)
    assert ok(response, 201)["title"] == "有令牌"


def test_safe_methods_need_no_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.deputy)
    assert client.get(f"{PREFIX}{A}").status_code == 200


def test_error_shapes(api, world):
    # 404: the same body for a missing congress and another congress.
    not_found(api.get(world.deputy, "/congresses/nope"))
    not_found(api.get(world.deputy, "/congresses/beta"))
    # DomainError: {"code", "detail"} with its status.
    refused(api.patch(world.clerk, f"{A}/policy", {"review_days": 4}), 403, "not_permitted")
    # Schema validation: ninja's 422 body.
    problems = invalid(api.post(world.deputy, f"{A}/suggestions", {"facts": "没有案由"}))
    assert problems[0]["loc"][-1] == "title"


def test_404_body_does_not_leak_the_reason_even_under_debug(api, world, settings):
    settings.DEBUG = True
    not_found(api.get(world.deputy, f"{A}/suggestions/999999"))


def test_the_documented_sign_in_flow(world):
    """docs/API.md: CSRF cookie from /api/v1/csrf → the login form → a fresh token → API calls."""
    client = Client(enforce_csrf_checks=True)
    token = ok(client.get(f"{PREFIX}/csrf"))["csrf_token"]
    response = client.post(
        "/accounts/login/",
        {"csrfmiddlewaretoken": token, "username": "deputy", "password": "pw-for-tests-123"},
    )
    assert response.status_code == 302
    token = ok(client.get(f"{PREFIX}/csrf"))["csrf_token"]  # rotated at sign-in
    assert ok(client.get(f"{PREFIX}/me"))["username"] == "deputy"
    response = create_draft(client, "脚本起草", token)
    assert ok(response, 201)["state"] == "draft"
