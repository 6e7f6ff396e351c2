"""One domain-error-to-status policy (issue #11): each refusal class answers the same status on a
form page (minyi.core.pages, used by every app's form views) and in the API's exception handler."""

from __future__ import annotations

import json

import pytest
from django import forms
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.http import HttpResponse
from django.test import RequestFactory

from minyi.api.api import domain_error
from minyi.congress.actions import FieldErrors
from minyi.core.errors import (
    DeadlinePassed,
    DomainError,
    InvalidTransition,
    NotPermitted,
    ValidationFailed,
    http_status,
    page_status,
)
from minyi.core.pages import form_page

#: error → (form page status, API status)
TABLE = [
    (NotPermitted("no", code="not_permitted"), 403, 403),
    (InvalidTransition("no", code="invalid_transition"), 409, 409),
    (DeadlinePassed("late", code="deadline_passed"), 409, 409),
    (ValidationFailed("bad", code="validation_failed"), 422, 422),
    (FieldErrors({"name": "bad name"}, code="too_long"), 422, 422),
    (DomainError("bare"), 422, 400),
]


class NameForm(forms.Form):
    name = forms.CharField()


def _post(data: dict[str, str]):
    request = RequestFactory().post("/x/", data)
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


@pytest.mark.parametrize(("error", "page", "api"), TABLE, ids=lambda v: type(v).__name__)
def test_each_refusal_has_one_status_for_pages_and_api(error, page, api):
    assert page_status(error) == page
    assert http_status(error) == api

    # a form page of any app (minyi.core.pages.form_page) shows the form again with that status
    request = _post({"name": "x"})
    form = NameForm(request.POST)

    def run(data):
        raise error

    response = form_page(
        request,
        form,
        run=run,
        success="ok",
        next="/done/",
        page=lambda status: HttpResponse(str(form.errors), status=status),
    )
    assert response.status_code == page
    assert error.detail in response.content.decode()

    # the API answers {"code", "detail"} with the API status
    answer = domain_error(RequestFactory().post("/api/v1/x"), error)
    assert answer.status_code == api
    assert json.loads(answer.content)["code"] == error.code


def test_field_errors_go_next_to_their_field_on_every_form_page():
    request = _post({"name": "x"})
    form = NameForm(request.POST)

    def run(data):
        raise FieldErrors({"name": "名称太长", "other": "整体有误"})

    response = form_page(
        request, form, run=run, success="ok", next="/done/", page=lambda status: HttpResponse(status=status)
    )
    assert response.status_code == 422
    assert form.errors["name"] == ["名称太长"]
    assert form.non_field_errors() == ["整体有误"]


def test_an_invalid_form_is_422_and_success_redirects():
    request = _post({})
    form = NameForm(request.POST)
    response = form_page(
        request,
        form,
        run=lambda data: None,
        success="ok",
        next="/done/",
        page=lambda status: HttpResponse(status=status),
    )
    assert response.status_code == 422
    request = _post({"name": "x"})
    response = form_page(
        request,
        NameForm(request.POST),
        run=lambda data: None,
        success="ok",
        next="/done/",
        page=lambda status: HttpResponse(status=status),
    )
    assert response.status_code == 302 and response["Location"] == "/done/"
