"""What every suggestion page shares: the step machinery (one generic view for every `do_*` action),
access to records below a suggestion, deadline badges and the buttons a user may press.

A *step* is one action offered on a page. Its view always goes the same way:

1. fetch the record for the user through an access helper — 404 when it is missing *or* forbidden
   (the named permission of the action is part of the check, so nobody can probe ids or pages);
2. GET: show the form (or, for a one-click action, a confirmation page);
3. POST: validate the form (422 with the form and every error on failure) → call the `do_*` action →
   a `DomainError` becomes an error message and the page is shown again with what the user typed
   (409 for a refused move, 422 for bad input) → on success a message and a redirect to the
   suggestion.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

import rules
from django import forms
from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minyi.congress.actions import ensure_policy
from minyi.core.decorators import CongressRequest, congress_view
from minyi.core.errors import DomainError, page_status
from minyi.suggestions.warnings import Status, WarningClock

from .. import actions as A
from ..models import (
    Assignment,
    Attachment,
    Commitment,
    Contact,
    CoSigner,
    Deadline,
    ExtensionRequest,
    Reply,
    Suggestion,
    WithdrawalRequest,
)
from ..rules import roles_of
from ..selectors import access_assignment, access_attachment, access_suggestion
from ..states import ACTION_LABELS, INITIAL, transition_for

# --- deadlines -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeadlineBadge:
    """A deadline as the pages show it, with its warning colour for today (computed, never stored,
    by `minyi.suggestions.warnings` — the one rule every page and the API use)."""

    deadline: Deadline
    status: Status

    @property
    def level(self) -> str:
        return self.status.level

    @property
    def text(self) -> str:
        return self.status.label

    @property
    def days_left(self) -> int | None:
        return self.status.working_days_left

    @property
    def label(self) -> str:
        return self.deadline.get_kind_display()

    @property
    def due_on(self) -> datetime.date:
        return self.deadline.due_on

    @property
    def rule(self) -> str:
        return self.deadline.rule_shown

    @property
    def is_open(self) -> bool:
        """Still running (a lapsed window for a request counts as ended)."""
        return self.deadline.closed_at is None and self.status.is_open

    @property
    def missing_years(self) -> tuple[int, ...]:
        return self.status.missing_years


@dataclass(frozen=True)
class DateBadge:
    """A time limit that is no `Deadline` row (an award round's scoring deadline, the end of a month
    for a monthly expectation), coloured by the same rule; `deadline` None: nothing to explain."""

    due_on: datetime.date
    status: Status
    label: str = ""
    deadline: None = None

    @property
    def level(self) -> str:
        return self.status.level

    @property
    def text(self) -> str:
        return self.status.label


class Clock(WarningClock):
    """Today, the working-day calendar and the congress's warning threshold, once per request."""

    @property
    def warning_days(self) -> int:
        return self.policy.warning_days

    def badge(self, deadline: Deadline | None) -> DeadlineBadge | None:
        if deadline is None:
            return None
        return DeadlineBadge(deadline, self.status(deadline))

    def date_badge(self, due_on: datetime.date) -> DateBadge:
        started = min(self.today, due_on)
        return DateBadge(due_on, self.status_for(started_on=started, due_on=due_on))


def clock_for(request: CongressRequest) -> Clock:
    clock = getattr(request, "_minyi_clock", None)
    if clock is None:
        clock = Clock(ensure_policy(request.congress))
        request._minyi_clock = clock  # type: ignore[attr-defined]
    return clock


# --- records below a suggestion --------------------------------------------------------------------

#: kind of record → (model, lookup to its suggestion, select_related)
CHILDREN: dict[str, tuple[type[models.Model], str, tuple[str, ...]]] = {
    "cosigner": (CoSigner, "suggestion", ("deputy",)),
    "withdrawal": (WithdrawalRequest, "suggestion", ()),
    "contact": (Contact, "assignment__suggestion", ("assignment__unit",)),
    "reply": (Reply, "assignment__suggestion", ("assignment__unit", "result_class")),
    "extension": (ExtensionRequest, "assignment__suggestion", ("assignment__unit",)),
    "commitment": (Commitment, "reply__assignment__suggestion", ("reply__assignment__unit",)),
    "attachment": (Attachment, "suggestion", ("reply",)),
}


PLURALS = {
    "cosigner": "cosigners",
    "withdrawal": "withdrawals",
    "contact": "contacts",
    "reply": "replies",
    "extension": "extensions",
    "commitment": "commitments",
    "attachment": "attachments",
}


def attach_suggestion(obj: Any, suggestion: Suggestion) -> None:
    """Point the record's path to its suggestion at the instance we already have (saves queries in
    the permission predicates)."""
    if hasattr(obj, "suggestion_id"):
        obj.suggestion = suggestion
    elif isinstance(obj, Commitment):
        obj.reply.assignment.suggestion = suggestion
    elif hasattr(obj, "assignment_id"):
        obj.assignment.suggestion = suggestion


def access_child(
    request: CongressRequest, kind: str, pk: Any, sub: Any, *, perm: str | None, perm_on_suggestion=False
):
    """The record `sub` of kind `kind` below the suggestion `pk`, if the user may see the suggestion
    and (when `perm` is given) holds `perm` on the record (or on the suggestion); else 404."""
    suggestion = access_suggestion(request.user, request.congress, pk)
    model, lookup, related = CHILDREN[kind]
    try:
        obj = model._default_manager.select_related(*related).get(pk=int(sub), **{lookup: suggestion})
    except (ObjectDoesNotExist, TypeError, ValueError):  # the model's DoesNotExist is one
        raise Http404("no such record") from None
    if kind == "attachment":
        access_attachment(request.user, obj.pk)  # a draft reply's files: only the unit and overseers
    attach_suggestion(obj, suggestion)
    if perm and not rules.has_perm(perm, request.user, suggestion if perm_on_suggestion else obj):
        raise Http404("not permitted")
    return suggestion, obj


# --- steps -----------------------------------------------------------------------------------------


FormT = TypeVar("FormT", bound=forms.Form)


@dataclass
class Call:
    """One use of a step: who, on what, with which (valid) input."""

    request: CongressRequest
    suggestion: Suggestion
    obj: Any
    form: forms.Form | None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def user(self) -> Any:
        return self.request.user

    @property
    def data(self) -> dict[str, Any]:
        return self.form.cleaned_data if self.form is not None else {}

    def form_as(self, kind: type[FormT]) -> FormT:
        """The step's form as the class its `form` factory makes (the type checker cannot follow it)."""
        return cast(FormT, self.form)

    @property
    def congress(self) -> Any:
        return self.request.congress


DEFAULT_CONFIRM = object()


@dataclass(frozen=True)
class Step:
    """One action offered on the pages (see the module docstring)."""

    action: str
    on: str  # "suggestion", "assignment" or a kind of CHILDREN
    run: Callable[[Call], Any]
    form: Callable[[Call, Any, Any], forms.Form] | None = None  # (call, data, files) → form
    perm_on_suggestion: bool = False
    success: Any = None  # text, or callable(result) → text
    confirm: Any = DEFAULT_CONFIRM
    label: Any = None
    help: Any = None
    template: str = "suggestions/step.html"
    next: Callable[[Call, Any], str] | None = None
    fields: dict[str, str] = field(default_factory=dict)  # DomainError code → form field
    style: str = "primary"
    context: Callable[[Call], dict[str, Any]] | None = None
    #: The permission checked when the record is fetched: None → ``suggestions.<action>``; or a
    #: function of the record giving the permission to check on it.
    perm: str | Callable[[Any], str] | None = None
    #: The submit button's text (default: the title).
    button: Any = None

    @property
    def submit_label(self) -> str:
        return str(self.button or self.title)

    @property
    def permission(self) -> str | Callable[[Any], str]:
        return f"suggestions.{self.action}" if self.perm is None else self.perm

    @property
    def title(self) -> str:
        return str(self.label or ACTION_LABELS[self.action])

    @property
    def slug(self) -> str:
        return self.action.replace("_", "-")

    @property
    def url_name(self) -> str:
        return self.action

    @property
    def route(self) -> str:
        if self.on == "suggestion":
            return f"<int:pk>/{self.slug}/"
        if self.on == "assignment":
            return f"assignments/<int:pk>/{self.slug}/"
        return f"<int:pk>/{PLURALS[self.on]}/<int:sub>/{self.slug}/"

    @property
    def one_click(self) -> bool:
        return self.form is None

    def confirm_text(self) -> str | None:
        if self.confirm is None:
            return None
        if self.confirm is DEFAULT_CONFIRM:
            return _("确定要%(action)s吗？此操作不能撤销。") % {"action": self.title}
        return str(self.confirm)

    def url(self, code: str, suggestion: Suggestion, obj: Any) -> str:
        if self.on == "suggestion":
            args = [suggestion.pk]
        elif self.on == "assignment":
            args = [obj.pk]
        else:
            args = [suggestion.pk, obj.pk]
        return reverse(f"suggestions:{self.url_name}", args=[code, *args])


FILE_CODES = {"file_type": "attachments", "file_too_large": "attachments", "file_empty": "attachments"}


def detail_url(request: CongressRequest, suggestion: Suggestion, anchor: str = "") -> str:
    url = reverse("suggestions:detail", args=[request.congress.code, suggestion.pk])
    return f"{url}#{anchor}" if anchor else url


def anchor_for(obj: Any) -> str:
    """The id of the part of the detail page that shows `obj`."""
    if isinstance(obj, Suggestion):
        return ""
    if isinstance(obj, Assignment):
        return f"assignment-{obj.pk}"
    names = {
        CoSigner: "cosigners",
        WithdrawalRequest: "withdrawal",
        Contact: "contact-{}",
        Reply: "reply-{}",
        ExtensionRequest: "assignment-{}",
        Commitment: "commitment-{}",
    }
    name = names.get(type(obj), "")
    if isinstance(obj, ExtensionRequest):
        return name.format(obj.assignment_id)
    return name.format(obj.pk)


def put_error(form: forms.Form | None, exc: DomainError, fields: dict[str, str]) -> None:
    """Show the action's refusal next to the field it is about (or above the form)."""
    if form is None:
        return
    name = {**FILE_CODES, **fields}.get(exc.code)
    if name and name in form.fields:
        form.add_error(name, exc.detail)
    else:
        form.add_error(None, exc.detail)


#: The status of a step's form shown again after a refusal: the one policy (minyi.core.errors).
error_status = page_status


def resolve(request: CongressRequest, step: Step, pk: Any, sub: Any) -> tuple[Suggestion, Any]:
    perm = step.permission
    if callable(perm):  # only steps on a child record name their permission by a function
        suggestion, obj = access_child(request, step.on, pk, sub, perm=None)
        if not rules.has_perm(perm(obj), request.user, obj):
            raise Http404("not permitted")
        return suggestion, obj
    if step.on == "suggestion":
        suggestion = access_suggestion(
            request.user, request.congress, pk, perm=perm or "suggestions.view_suggestion"
        )
        return suggestion, suggestion
    if step.on == "assignment":
        assignment = access_assignment(
            request.user, request.congress, pk, perm=perm or "suggestions.view_assignment"
        )
        return assignment.suggestion, assignment
    return access_child(request, step.on, pk, sub, perm=perm, perm_on_suggestion=step.perm_on_suggestion)


def step_view(step: Step) -> Callable[..., HttpResponse]:
    @congress_view()
    def view(request: CongressRequest, pk: int, sub: int | None = None) -> HttpResponse:
        suggestion, obj = resolve(request, step, pk, sub)
        call = Call(request, suggestion, obj, None)
        post = request.method == "POST"
        if step.form is not None:
            call.form = step.form(call, request.POST if post else None, request.FILES if post else None)
        status = 200
        if post:
            if call.form is None or call.form.is_valid():
                try:
                    with transaction.atomic():
                        result = step.run(call)
                except DomainError as exc:
                    messages.error(request, exc.detail)
                    put_error(call.form, exc, step.fields)
                    status = error_status(exc)
                else:
                    success = step.success
                    if callable(success) and not isinstance(success, (str, Promise)):
                        success = success(result)
                    messages.success(request, success or _("已%(action)s。") % {"action": step.title})
                    target = (
                        step.next(call, result)
                        if step.next
                        else detail_url(request, suggestion, anchor_for(obj))
                    )
                    return redirect(target)
            else:
                messages.error(request, _("请按提示修改后再提交。"))
                status = 422
            if call.form is not None and "attachments" in call.form.fields and request.FILES:
                messages.warning(request, _("出于安全原因，已选择的附件没有保存，请重新选择。"))
        context = {
            "step": step,
            "suggestion": suggestion,
            "obj": obj,
            "form": call.form,
            "confirm": step.confirm_text(),
            "back_url": detail_url(request, suggestion, anchor_for(obj)),
            "clock": clock_for(request),
        }
        if step.context:
            context.update(step.context(call))
        return render(request, step.template, context, status=status)

    view.__name__ = f"{step.action}_view"
    return view


def can_create(user: Any, congress: Any) -> bool:
    """Whether the states table lets one of the user's roles start a draft."""
    transition = transition_for("suggestion", INITIAL, "create")
    return transition is not None and bool(roles_of(user, congress) & transition.roles)


# --- attachments -------------------------------------------------------------------------------------


def add_attachments(target: Suggestion | Reply, files: list, *, actor: Any) -> list[Attachment]:
    """Store the uploads one by one through the action; if one is refused, the ones stored before it
    in this request are deleted from the storage (the database rows roll back with the transaction)."""
    stored: list[Attachment] = []
    try:
        for upload in files:
            stored.append(A.do_add_attachment(target, actor=actor, upload=upload, name=upload.name))
    except BaseException:
        for attachment in stored:
            if attachment.file.name:  # always, once stored
                default_storage.delete(attachment.file.name)
        raise
    return stored


# --- buttons -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Move:
    """A button for an action the user may take now."""

    action: str
    label: str
    url: str
    one_click: bool
    confirm: str | None
    style: str


def moves(
    request: CongressRequest, steps: dict[str, Step], suggestion: Suggestion, obj: Any, names: list[str]
) -> list[Move]:
    """Buttons for the actions `names` (from `selectors.available_actions`) that have a step."""
    code = request.congress.code
    out = []
    for name in names:
        step = steps.get(name)
        if step is None:
            continue
        out.append(
            Move(
                name,
                step.title,
                step.url(code, suggestion, obj),
                step.one_click,
                step.confirm_text(),
                step.style,
            )
        )
    return out


PLEASE_CHOOSE = gettext_lazy("（请选择）")


def is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


__all__ = [
    "Call",
    "Clock",
    "DeadlineBadge",
    "Move",
    "Promise",
    "Step",
    "add_attachments",
    "clock_for",
    "detail_url",
    "moves",
    "step_view",
]
