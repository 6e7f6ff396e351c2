"""What the server-rendered pages of several apps share: a form posted to one `do_*` action, a
one-click action that goes back where it came from, the list pages' paging and stored files.

A form page always goes the same way (the view says who may, which object, which action and where
to go after; these helpers do the rest):

1. GET: show the form (status 200);
2. POST: validate the form (422 and every error on failure) → call the action → a `DomainError`
   goes next to the field it is about (a `FieldErrors` by field, else by `fields` or above the
   form) with the status of the one policy, `minyi.core.errors.page_status` (403 not permitted,
   409 a refused move or a passed deadline, 422 bad input) → on success a message and a redirect.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django import forms
from django.contrib import messages
from django.core.files import File
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from minyi.core.errors import DomainError, page_status

#: A text, or a function of the action's result giving the text.
Text = str | Promise | Callable[[Any], str]

#: The default of `submit(failed=...)`: "保存失败，请按提示修改后再提交。" in the request's language.
SAVE_FAILED: Any = object()


#: The status of a form shown again after a refusal (kept under its old name for the callers).
refusal_status = page_status


def put_error(form: forms.Form, exc: DomainError, fields: Mapping[str, str] | None = None) -> None:
    """The action's refusal on the form: an error with messages by field (`FieldErrors`, an
    `errors` mapping) next to each field it names (above the form for names the form has not);
    otherwise next to the field its code is about (`fields`: code → field), else above the form."""
    by_field = getattr(exc, "errors", None)
    if isinstance(by_field, Mapping):
        for name, msgs in by_field.items():
            form.add_error(name if name in form.fields else None, msgs)
        return
    form.add_error((fields or {}).get(exc.code), exc.detail)


def _text(value: Text, result: Any) -> Any:
    if callable(value) and not isinstance(value, (str, Promise)):
        return value(result)
    return value


def submit(
    request: HttpRequest,
    form: forms.Form,
    *,
    run: Callable[[dict[str, Any]], Any],
    success: Text,
    next: Text,
    fields: Mapping[str, str] | None = None,
    errors: Callable[[forms.Form, DomainError], None] | None = None,
    status: Callable[[DomainError], int] = page_status,
    failed: Any = SAVE_FAILED,
) -> HttpResponse | int:
    """Handle a POST of `form`: `run(form.cleaned_data)` when it is valid; then `success` as a message
    and a redirect to `next` (each may be a function of what `run` returned). Otherwise the error
    goes on the form (`errors(form, exc)`, by default `put_error` with `fields`), `failed` becomes an
    error message (None: no message), and the status to show the form again with is returned (422
    for an invalid form, `status(exc)` for a refusal)."""
    if form.is_valid():
        try:
            result = run(form.cleaned_data)
        except DomainError as exc:
            if errors is not None:
                errors(form, exc)
            else:
                put_error(form, exc, fields)
            code = status(exc)
        else:
            messages.success(request, _text(success, result))
            return redirect(_text(next, result))
    else:
        code = 422
    if failed is SAVE_FAILED:
        failed = _("保存失败，请按提示修改后再提交。")
    if failed is not None:
        messages.error(request, failed)
    return code


def form_page(
    request: HttpRequest, form: forms.Form, *, page: Callable[[int], HttpResponse], **submit_kwargs: Any
) -> HttpResponse:
    """GET (or any method but POST): `page(200)`. POST: `submit(...)`, then the redirect, or
    `page(status)` to show the form again with its errors."""
    if request.method != "POST":
        return page(200)
    outcome = submit(request, form, **submit_kwargs)
    return outcome if isinstance(outcome, HttpResponse) else page(outcome)


def act(request: HttpRequest, run: Callable[[], Any], *, success: Text | None, next: str) -> HttpResponse:
    """A one-click action: `run()`, then `success` (None: no message) or the refusal's detail as a
    message, and a redirect to `next` either way."""
    try:
        result = run()
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        if success is not None:
            messages.success(request, _text(success, result))
    return redirect(next)


def pick(data: Mapping[str, Any], *names: str) -> dict[str, Any]:
    """The values `names` of a form's cleaned data, to pass on as keyword arguments."""
    return {name: data[name] for name in names}


class CountedPaginator(Paginator):
    """A paginator told its total (e.g. a count kept under the data version, `versioned.cached`)
    instead of running `COUNT(*)` over the rows on every page (issue #13)."""

    def __init__(self, object_list: Any, per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self._known_count = count

    @property
    def count(self) -> int:
        return self._known_count


def paginate(request: HttpRequest, items: Any, per_page: int, param: str = "page") -> Page:
    """The page of `items` that the query parameter `param` asks for (the first or last one when it
    is missing or out of range)."""
    return Paginator(items, per_page).get_page(request.GET.get(param))


def query_without(request: HttpRequest, *names: str) -> str:
    """The request's query string without the parameters `names` (for the paging links)."""
    params = request.GET.copy()
    for name in names:
        params.pop(name, None)
    return params.urlencode()


def open_or_404(file: File) -> File:
    """A stored file opened for reading (404 when it is gone from the storage)."""
    try:
        return file.open("rb")
    except FileNotFoundError:
        raise Http404("file missing") from None


def record_download(
    request: HttpRequest, obj: Any, *, code: str = "file.downloaded", what: Mapping[str, Any] | None = None
) -> None:
    """The audit row of handing `obj`'s file to `request.user` (issue #10: downloads of personal
    data are audited). It names who, which congress and which object — by type and id only, not
    its name or content, which may be personal data — and is tied to no suggestion, so timelines do
    not show it (`audit.READ_CODES`)."""
    from minyi import audit

    with transaction.atomic():
        audit.record(
            code,
            actor=request.user,
            congress=getattr(request, "congress", None),
            object_type=obj._meta.label_lower,
            object_id=str(obj.pk),
            new=dict(what or {}),
        )


def serve_file(
    request: HttpRequest,
    obj: Any,
    file: File,
    *,
    content_type: str,
    filename: str | None = None,
    as_attachment: bool = True,
    what: Mapping[str, Any] | None = None,
) -> FileResponse:
    """The stored `file` of `obj` for `request.user` (the caller has checked they may see it): 404
    when it is gone, otherwise one `file.downloaded` audit row and a private, uncached response.
    Every view that hands out a stored file goes through here."""
    handle = open_or_404(file)
    record_download(request, obj, what={"content_type": content_type, **(what or {})})
    kwargs: dict[str, Any] = {"as_attachment": as_attachment, "content_type": content_type}
    if filename:
        kwargs["filename"] = filename
    response = FileResponse(handle, **kwargs)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
