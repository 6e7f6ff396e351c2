"""Bulk acts where offices do many at once (issue #12): batch close (办结, congress staff), batch
assign (交办, staff and coordinators) and batch sign-off (签发, unit leaders).

Three steps on one address, `bulk/<kind>/`:

1. *select* (GET without ids): the user's own work list for that act (the 待办 section it empties),
   with a checkbox per item — and, for assigning, the units;
2. *confirm* (GET with ids, or a POST without ``confirm=1``): every chosen item and what will happen
   to it; nothing changes;
3. *result* (POST with ``confirm=1``): each item goes through the same single-item ``do_*`` action a
   button on its page calls, in its own transaction — so one refusal (wrong state, no permission,
   another congress's id) stops only that item, and each done item writes its own audit row. The
   page lists every item as done or refused with the reason.

Items are fetched with the `access_*` helpers: an id the user may not see (or of another congress)
is refused as "not found", exactly like its page would answer 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minyi.accounts.models import STAFF_ROLES
from minyi.congress.forms import BootstrapMixin
from minyi.congress.models import Unit
from minyi.congress.selectors import unit_choices
from minyi.core.decorators import CongressRequest, congress_view
from minyi.core.errors import DomainError
from minyi.core.forms import choice_field, cleaned

from .. import actions as A
from .. import selectors
from ..rules import coordinator_bodies, roles_of

#: At most this many items in one batch (a work list shows 50 at a time; a batch stays reviewable).
MAX_ITEMS = 100
#: The selection lists at most this many candidates.
MAX_CANDIDATES = 200


@dataclass(frozen=True)
class BulkKind:
    key: str
    #: the 待办 section whose items are the candidates (the user must have that list)
    section: str
    #: "suggestion" or "assignment": what an id names
    model: str
    #: the action's name in the transition table (`selectors.available_actions`)
    action: str
    title: Any
    button: Any
    #: what will happen to each item, shown on the confirmation page
    effect: Any


KINDS: dict[str, BulkKind] = {
    k.key: k
    for k in (
        BulkKind(
            "close",
            "to_close",
            "suggestion",
            "close",
            gettext_lazy("批量办结"),
            gettext_lazy("确认办结所选建议"),
            gettext_lazy("办结：建议办理结束，代表和承办单位在待办中不再看到它。"),
        ),
        BulkKind(
            "assign",
            "to_dispatch",
            "suggestion",
            "assign",
            gettext_lazy("批量交办"),
            gettext_lazy("确认交办所选建议"),
            gettext_lazy("交办给所选单位，答复期限从今天起算。"),
        ),
        BulkKind(
            "sign_off",
            "to_sign_off",
            "assignment",
            "sign_off_reply",
            gettext_lazy("批量签发"),
            gettext_lazy("确认签发所选答复"),
            gettext_lazy("签发答复函：答复送达代表，代表的测评期限开始计算。"),
        ),
    )
}


@dataclass
class Item:
    """One chosen id: what it is (None when the user may not see it) and, after the run, its result."""

    pk: int
    obj: Any
    title: str
    number: str
    detail: str
    url: str
    #: the transition table allows the act now (a forecast; the action decides)
    allowed: bool
    status: str = ""
    reason: str = ""


class BulkAssignForm(BootstrapMixin, forms.Form):
    """The units every chosen suggestion is assigned to: one lead unit, any co-units."""

    lead_unit = forms.TypedChoiceField(label=gettext_lazy("主办单位"), coerce=int)
    co_units = forms.TypedMultipleChoiceField(
        label=gettext_lazy("协办单位"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("可不选，也可选择多个。"),
    )
    note = forms.CharField(label=gettext_lazy("交办说明"), required=False, max_length=1000)

    def __init__(self, *args: Any, request: CongressRequest, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        congress = request.congress
        units = Unit.objects.filter(congress=congress, active=True)
        if not roles_of(request.user, congress) & STAFF_ROLES:  # a coordinator: their bodies' units
            units = units.filter(body_id__in=coordinator_bodies(request.user, congress))
        self.units = {u.pk: u for u in units}
        choices = [(pk, name) for pk, name in unit_choices(congress) if pk in self.units]
        choice_field(self, "lead_unit").choices = [("", _("（请选择）")), *choices]
        choice_field(self, "co_units").choices = choices

    def clean(self) -> dict[str, Any]:
        data = cleaned(super().clean())
        lead = data.get("lead_unit")
        if lead is not None and lead in (data.get("co_units") or []):
            self.add_error("co_units", _("主办单位不能同时是协办单位。"))
        return data

    def lead(self) -> Unit:
        return self.units[cleaned(self.cleaned_data)["lead_unit"]]

    def co(self) -> list[Unit]:
        return [self.units[pk] for pk in cleaned(self.cleaned_data).get("co_units") or []]

    def effect(self) -> str:
        what = _("交办给%(lead)s主办") % {"lead": self.lead()}
        if self.co():
            what += _("，%(co)s协办") % {"co": "、".join(str(u) for u in self.co())}
        return what


def _section(request: CongressRequest, kind: BulkKind) -> Any:
    """The user's 待办 section for `kind`; 404 for a user without that list (not their act)."""
    for section in selectors.worklist(request.user, request.congress):
        if section.key == kind.section:
            return section
    raise Http404("no such list")


def _ids(values: list[str]) -> list[int]:
    """The chosen ids, as integers, each once, in the order given (junk ignored), at most MAX_ITEMS."""
    out: list[int] = []
    for value in values:
        try:
            pk = int(value)
        except (TypeError, ValueError):
            continue
        if pk > 0 and pk not in out:
            out.append(pk)
    return out[:MAX_ITEMS]


def _item(request: CongressRequest, kind: BulkKind, pk: int) -> Item:
    code = request.congress.code
    try:
        if kind.model == "assignment":
            a = selectors.access_assignment(request.user, request.congress, pk)
            s = a.suggestion
            obj: Any = a
            detail = f"{a.unit} · {a.get_state_display()}"
        else:
            s = obj = selectors.access_suggestion(request.user, request.congress, pk)
            detail = s.get_state_display()
    except Http404:
        return Item(pk, None, _("（不存在或无权查看）"), "", "", "", False)
    return Item(
        pk,
        obj,
        s.title,
        s.number or "",
        detail,
        reverse("suggestions:detail", args=[code, s.pk]),
        kind.action in selectors.available_actions(request.user, obj),
    )


def _run(request: CongressRequest, kind: BulkKind, item: Item, form: BulkAssignForm | None) -> None:
    """One item through its single-item action, in its own transaction."""
    if item.obj is None:
        item.status, item.reason = "refused", _("不存在或无权查看。")
        return
    user = request.user
    try:
        with transaction.atomic():
            if kind.key == "close":
                A.do_close_suggestion(item.obj, actor=user)
            elif kind.key == "assign":
                assert form is not None
                A.do_assign_units(
                    item.obj,
                    actor=user,
                    lead_units=[form.lead()],
                    co_units=form.co(),
                    note=cleaned(form.cleaned_data).get("note") or "",
                )
            else:
                A.do_sign_off_reply(item.obj, actor=user)
    except DomainError as exc:
        item.status, item.reason = "refused", exc.detail
    else:
        item.status = "done"


def _candidates(kind: BulkKind, section: Any) -> list[dict[str, Any]]:
    rows = []
    for obj in section.queryset[:MAX_CANDIDATES]:
        s = obj.suggestion if kind.model == "assignment" else obj
        detail = f"{obj.unit} · {obj.get_state_display()}" if kind.model == "assignment" else ""
        rows.append({"pk": obj.pk, "title": s.title, "number": s.number or "", "detail": detail, "sid": s.pk})
    return rows


@congress_view()
def bulk(request: CongressRequest, kind: str) -> HttpResponse:
    """Select, confirm, then do one act on many items (see the module's docstring)."""
    k = KINDS.get(kind)
    if k is None:
        raise Http404("no such bulk act")
    section = _section(request, k)
    data = request.POST if request.method == "POST" else request.GET
    ids = _ids(data.getlist("ids"))
    form = BulkAssignForm(data if ids else None, request=request) if k.key == "assign" else None
    context: dict[str, Any] = {"kind": k, "form": form, "section": section}
    if not ids or (form is not None and not form.is_valid()):
        context.update(stage="select", candidates=_candidates(k, section), chosen=set(ids))
        status = 422 if ids else 200
        return render(request, "suggestions/bulk.html", context, status=status)
    items = [_item(request, k, pk) for pk in ids]
    effect = form.effect() if form is not None else str(k.effect)
    context.update(items=items, effect=effect)
    if request.method == "POST" and request.POST.get("confirm") == "1":
        for item in items:
            _run(request, k, item, form)
        context.update(
            stage="result",
            done=sum(1 for i in items if i.status == "done"),
            refused=sum(1 for i in items if i.status == "refused"),
        )
    else:
        context.update(stage="confirm", hidden=_hidden(data, ids))
    return render(request, "suggestions/bulk.html", context)


def _hidden(data: Any, ids: list[int]) -> list[tuple[str, str]]:
    """What the confirmation form posts back: the ids and the assign form's choices."""
    pairs = [("ids", str(pk)) for pk in ids]
    for name in ("lead_unit", "co_units", "note"):
        pairs += [(name, value) for value in data.getlist(name)]
    return pairs


__all__ = ["KINDS", "MAX_ITEMS", "BulkKind", "bulk"]
