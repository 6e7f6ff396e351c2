"""The pages everyone uses: the work list (待办), the list of suggestions, the suggestion's detail
with every action the user may take now, attachment downloads and the printable reply letter."""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from minyi.core import versioned, work
from minyi.core.decorators import CongressRequest, congress_view
from minyi.core.kept_pages import kept_page
from minyi.core.pages import CountedPaginator, serve_file

from .. import letter, selectors
from ..models import ATTACHMENT_TYPES, Assignment
from ..states import CoSignerState
from . import _queries as Q_
from ._common import Clock, DateBadge, DeadlineBadge, access_child, can_create, clock_for, detail_url
from .detail_model import STATE_COLOURS, suggestion_page

if TYPE_CHECKING:
    from ..models import Suggestion

    # What the list sets on the rows it shows (for the template): the type checker's view of them.
    # Nothing is an instance of this class at run time; the rows are the models' own.

    class SuggestionRow(Suggestion):
        units_now: list[Assignment]
        badge: DeadlineBadge | None
        state_colour: str
        cosigned: bool


PER_PAGE = 20
WORK_LIMIT = 50

# --- work list ---------------------------------------------------------------------------------------


@dataclass
class WorkItem:
    title: str
    number: str
    url: str
    meta: str
    state: str
    badge: DeadlineBadge | DateBadge | None
    button: str


def _suggestion_item(request, s, badge) -> WorkItem:
    return WorkItem(
        s.title, s.number, detail_url(request, s), s.lead.name, s.get_state_display(), badge, _("查看")
    )


def _work_items(request: HttpRequest, clock: Clock, section, items: list) -> list[WorkItem]:
    return [_item(request, clock, section, obj) for obj in items]


def _entry_item(clock: Clock, entry: work.WorkEntry) -> WorkItem:
    """A row of another app's section (`minyi.core.work.WorkEntry`)."""
    return WorkItem(
        entry.title,
        entry.number,
        entry.url,
        entry.meta,
        entry.state,
        clock.date_badge(entry.due_on) if entry.due_on else None,
        entry.button or _("查看"),
    )


def _item(request, clock: Clock, section, obj) -> WorkItem:  # noqa: C901, PLR0911
    if section.entry is not None:
        return _entry_item(clock, section.entry(obj))
    by = request._work_deadlines
    model = section.model
    if model == "suggestion":
        s = obj
        deadlines = list(by["suggestion"].get(s.pk, []))
        if section.key == "progress":
            for a in request._work_current.get(s.pk, []):
                deadlines += [d for d in by["assignment"].get(a.pk, []) if d.kind in Q_.REPLY_KINDS]
            deadlines.sort(key=lambda d: d.due_on)
        return _suggestion_item(request, s, clock.badge(Q_.first_duty(deadlines)))
    if model == "cosigner":
        s = obj.suggestion
        meta = _("领衔代表%(lead)s邀请您联名") % {"lead": s.lead.name}
        return WorkItem(
            s.title,
            s.number,
            detail_url(request, s, "cosigners"),
            meta,
            obj.get_state_display(),
            None,
            _("答复邀请"),
        )
    if model == "reply":
        s = obj.assignment.suggestion
        meta = _("%(unit)s的答复（%(cls)s）") % {"unit": obj.assignment.unit, "cls": obj.result_class.code}
        url = reverse("suggestions:evaluate", args=[request.congress.code, s.pk, obj.pk])
        badge = clock.badge(Q_.first_duty(by["suggestion"].get(s.pk, [])))
        return WorkItem(s.title, s.number, url, meta, s.get_state_display(), badge, _("测评"))
    if model == "withdrawal_consent":
        s = obj.request.suggestion
        meta = _("领衔代表%(lead)s申请撤回：%(reason)s") % {"lead": s.lead.name, "reason": obj.request.reason}
        return WorkItem(
            s.title,
            s.number,
            detail_url(request, s, "withdrawal"),
            meta,
            s.get_state_display(),
            None,
            _("答复"),
        )
    if model == "contact":
        s = obj.assignment.suggestion
        meta = _("%(unit)s于%(day)s%(method)s联系您") % {
            "unit": obj.assignment.unit,
            "day": obj.contacted_on,
            "method": obj.get_method_display(),
        }
        url = detail_url(request, s, f"contact-{obj.pk}")
        return WorkItem(s.title, s.number, url, meta, obj.get_state_display(), None, _("确认"))
    if model == "assignment":
        s = obj.suggestion
        meta = f"{obj.unit} · {obj.get_role_display()}"
        badge = clock.badge(Q_.first_duty(by["assignment"].get(obj.pk, [])))
        url = detail_url(request, s, f"assignment-{obj.pk}")
        return WorkItem(s.title, s.number, url, meta, obj.get_state_display(), badge, _("办理"))
    if model == "extension":
        a = obj.assignment
        s = a.suggestion
        meta = _("%(unit)s申请延至%(day)s：%(reason)s") % {
            "unit": a.unit,
            "day": obj.requested_due_on,
            "reason": obj.reason,
        }
        reply_deadlines = [d for d in by["assignment"].get(a.pk, []) if d.kind in Q_.REPLY_KINDS]
        url = detail_url(request, s, f"assignment-{a.pk}")
        return WorkItem(
            s.title,
            s.number,
            url,
            meta,
            obj.get_state_display(),
            clock.badge(Q_.first_duty(reply_deadlines)),
            _("审批"),
        )
    if model == "commitment":
        a = obj.reply.assignment
        s = a.suggestion
        badge = clock.badge(Q_.first_duty(by["commitment"].get(obj.pk, [])))
        url = detail_url(request, s, f"commitment-{obj.pk}")
        return WorkItem(
            s.title, s.number, url, f"{a.unit} · {obj.text}", obj.get_state_display(), badge, _("报告进展")
        )
    raise ValueError(model)  # pragma: no cover - a new kind of row needs a branch here


@congress_view()
@kept_page("worklist")
def worklist(request: CongressRequest) -> HttpResponse:
    """待办: every list of the roles the user holds, each item with its deadline."""
    user, congress = request.user, request.congress
    clock = clock_for(request)
    sections = work.sections(user, congress)
    fetched = []
    for section in sections:
        items = list(section.queryset[:WORK_LIMIT])
        count = len(items) if len(items) < WORK_LIMIT else section.queryset.count()
        fetched.append((section, items, count))
    ids: dict[str, set[int]] = defaultdict(set)
    progress: list = []
    for section, items, _count in fetched:
        for obj in items:
            _collect_ids(section, obj, ids)
            if section.key == "progress":
                progress.append(obj)
    request._work_current = Q_.current_assignments(progress)  # type: ignore[attr-defined]
    for rows in request._work_current.values():  # type: ignore[attr-defined]
        ids["assignment"].update(a.pk for a in rows)
    request._work_deadlines = Q_.index_deadlines(  # type: ignore[attr-defined]
        Q_.open_deadlines_for(
            suggestions=ids["suggestion"], assignments=ids["assignment"], commitments=ids["commitment"]
        )
    )
    shown = [
        {
            "key": section.key,
            "label": section.label,
            "count": count,
            "counted": section.counted,
            "items": _work_items(request, clock, section, items),
        }
        for section, items, count in fetched
    ]
    return render(
        request,
        "suggestions/worklist.html",
        {
            "sections": shown,
            "todo": [s for s in shown if s["counted"]],
            "progress": next((s for s in shown if s["key"] == "progress"), None),
            "info": [s for s in shown if not s["counted"] and s["key"] != "progress" and s["count"]],
            "total": sum(s["count"] for s in shown if s["counted"]),
            "empty": [str(s["label"]) for s in shown if s["counted"] and not s["count"]],
            "can_create": can_create(user, congress),
            "clock": clock,
        },
    )


def _collect_ids(section, obj, ids: dict[str, set[int]]) -> None:
    model = section.model
    if model == "suggestion":
        ids["suggestion"].add(obj.pk)
    elif model == "reply":
        ids["suggestion"].add(obj.assignment.suggestion_id)
    elif model == "assignment":
        ids["assignment"].add(obj.pk)
    elif model == "extension":
        ids["assignment"].add(obj.assignment_id)
    elif model == "commitment":
        ids["commitment"].add(obj.pk)


# --- list --------------------------------------------------------------------------------------------


@congress_view()
@kept_page("list")
def suggestion_list(request: CongressRequest) -> HttpResponse:
    """Every suggestion the user may see, filtered and paginated, at a fixed number of queries."""
    from ..forms import SuggestionFilterForm

    user, congress = request.user, request.congress
    visible = selectors.suggestions_visible_to(user, congress)
    # the years of the user's suggestions (a DISTINCT over all of them), kept under the data version
    years = versioned.cached(request, "suggestion_years", lambda: Q_.suggestion_years(visible), user.pk)
    form = SuggestionFilterForm(request.GET or None, congress=congress, years=years)
    filters = form.values() if request.GET else {}
    qs = selectors.filter_suggestions(visible, filters, congress=congress)
    qs = qs.select_related("lead", "category").order_by("-created_at", "-pk")
    # "共 N 条" and the pages: a COUNT(*) over every visible suggestion (100,000 at a province-wide
    # installation), kept under the data version per user and filters like the years (issue #13)
    total = versioned.cached(request, "suggestion_count", qs.count, user.pk, versioned.digest(filters))
    page = CountedPaginator(qs, PER_PAGE, count=total).get_page(request.GET.get("page"))
    rows = cast("list[SuggestionRow]", list(page.object_list))
    cosigned = Q_.confirmed_cosignings(user, rows)
    current = Q_.current_assignments(rows)
    deadlines = Q_.index_deadlines(
        Q_.open_deadlines_for(
            suggestions=[s.pk for s in rows], assignments=[a.pk for v in current.values() for a in v]
        )
    )
    clock = clock_for(request)
    for s in rows:
        s.units_now = current.get(s.pk, [])
        own = list(deadlines["suggestion"].get(s.pk, []))
        for a in s.units_now:
            own += [d for d in deadlines["assignment"].get(a.pk, []) if d.kind in Q_.REPLY_KINDS]
        own.sort(key=lambda d: d.due_on)
        s.badge = clock.badge(Q_.first_duty(own))
        s.state_colour = STATE_COLOURS.get(s.state, "secondary")
        s.cosigned = s.pk in cosigned
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "suggestions/list.html",
        {
            "filter_form": form,
            "page": page,
            "rows": rows,
            "querystring": params.urlencode(),
            "filtered": bool(request.GET),
            "can_create": can_create(user, congress),
        },
    )


# --- detail --------------------------------------------------------------------------------------------


@congress_view()
@kept_page("detail")
def detail(request: CongressRequest, pk: int) -> HttpResponse:
    """The suggestion page: everything the user may see of it and every action they may take now
    (built by the view model, `detail_model.suggestion_page`)."""
    s = selectors.access_suggestion(request.user, request.congress, pk)
    return render(request, "suggestions/detail.html", suggestion_page(request, s).context())


# --- files and letters --------------------------------------------------------------------------------


def safe_filename(name: str, content_type: str) -> str:
    """The uploader's name (already cleaned when stored) without path parts, quotes or control
    characters, ending in the extension of the type its content was recognised as."""
    base = os.path.basename((name or "").replace("\\", "/"))
    base = "".join(ch for ch in base if ch.isprintable() and ch not in "\"'<>:|?*;")
    ext = ATTACHMENT_TYPES.get(content_type, "bin")
    stem, dot, current = base.rpartition(".")
    if not dot:
        stem = base
    elif current.lower() == ext or (ext == "jpg" and current.lower() == "jpeg"):
        return base[:150] or f"attachment.{ext}"
    return f"{(stem or _('附件'))[:140]}.{ext}"


@congress_view()
def attachment_download(request: CongressRequest, pk: int) -> FileResponse:
    attachment = selectors.access_attachment(request.user, pk)
    if attachment.congress_id != request.congress.pk:
        raise Http404("no such attachment")
    return serve_file(
        request,
        attachment,
        attachment.file,
        as_attachment=True,
        filename=safe_filename(attachment.original_name, attachment.content_type),
        content_type=attachment.content_type,
    )


@congress_view()
def reply_letter(request: CongressRequest, pk: int, sub: int) -> HttpResponse:
    """答复函: the signed-off reply as a printable letter."""
    s, reply = access_child(request, "reply", pk, sub, perm="suggestions.view_reply")
    if reply.signed_off_at is None:
        raise Http404("not signed off")
    cosigners = list(s.cosigners.filter(state=CoSignerState.CONFIRMED).select_related("deputy"))
    said = letter.read_body(reply.body)
    return render(
        request,
        "suggestions/reply_letter.html",
        {
            "s": s,
            "reply": reply,
            "cosigners": cosigners,
            "commitments": list(reply.commitments.all()),
            "attachments": list(reply.attachments.all()),
            # The letter adds the salutation, opening and closing only when the body lacks them.
            "add_salutation": not said.salutation,
            "add_opening": not (said.salutation or said.opening),
            "add_closing": not said.closing,
            "paragraphs": letter.paragraphs(reply.body),
            "letter_date": letter.letter_date(reply.signed_off_at),
        },
    )


__all__ = ["attachment_download", "detail", "reply_letter", "suggestion_list", "worklist"]
