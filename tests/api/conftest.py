"""API test helpers: a JSON client per persona of the `world` fixture (tests/conftest.py) and the
JSON body of a suggestion. The suggestions come from the `loop` fixture of tests/suggestions: its
`loop.drive.to(stage)` takes a fresh suggestion to a named stage through the real `do_*` actions (so
audit rows, deadlines and timestamps agree with the state), `loop.taxa` are the congress's taxonomies.

`api.get/post/put/patch(user, path, data)` call ``/api/v1`` + `path` as `user` (None: anonymous) and
return the response; ``A`` is ``/congresses/alpha`` of the world's congress.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from tests.suggestions.conftest import Taxa, codes, content, loop  # noqa: F401 - `loop` and `codes` re-exported

PREFIX = "/api/v1"
A = "/congresses/alpha"
B = "/congresses/beta"


class Api:
    """One logged-in test client per user, JSON in and out."""

    def __init__(self) -> None:
        self._clients: dict[Any, Client] = {}

    def client(self, user) -> Client:
        key = user.pk if user is not None else None
        if key not in self._clients:
            client = Client()
            if user is not None:
                client.force_login(user)
            self._clients[key] = client
        return self._clients[key]

    def get(self, user, path: str, params: dict | None = None):
        return self.client(user).get(PREFIX + path, params or {})

    def _send(self, method: str, user, path: str, data: Any = None):
        client = self.client(user)
        body = json.dumps(data if data is not None else {}, default=str)
        return getattr(client, method)(PREFIX + path, body, content_type="application/json")

    def post(self, user, path: str, data: Any = None):
        return self._send("post", user, path, data)

    def put(self, user, path: str, data: Any = None):
        return self._send("put", user, path, data)

    def patch(self, user, path: str, data: Any = None):
        return self._send("patch", user, path, data)


@pytest.fixture
def api() -> Api:
    return Api()


def ok(response, status: int = 200) -> Any:
    """The JSON body of a response that must have `status`."""
    assert response.status_code == status, (response.status_code, response.content.decode()[:2000])
    return response.json()


def refused(response, status: int, code: str) -> dict:
    """A DomainError body: ``{"code", "detail"}`` with `status`."""
    body = ok(response, status)
    assert body["code"] == code, body
    assert body["detail"]
    return body


def not_found(response) -> None:
    assert response.status_code == 404, (response.status_code, response.content.decode()[:500])
    assert response.json() == {"detail": "Not Found"}


def invalid(response) -> list:
    """ninja's schema validation error: 422 with a list of problems."""
    body = ok(response, 422)
    assert isinstance(body["detail"], list) and body["detail"], body
    return body["detail"]


def content_json(taxa: Taxa, **overrides: Any) -> dict[str, Any]:
    """A complete suggestion body for the API: the same suggestion as `content` of tests/suggestions."""
    c = content(taxa)
    data: dict[str, Any] = {
        "title": c.title,
        "facts": c.facts,
        "proposals": c.proposals,
        "category_id": c.category.pk,
        "theme_tag_ids": [tag.pk for tag in c.theme_tags],
        "channel_id": c.channel.pk,
        "collected_on": c.collected_on.isoformat(),
    }
    data.update(overrides)
    return data
