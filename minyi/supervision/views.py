"""网上督办 pages below /c/<code>/supervision/.

Every view goes through `congress_view()` (sign-in, the congress as tenant, 404 without a
membership) and checks a `supervision.*` permission — 404 when it is missing, so pages and ids
cannot be probed. Views validate input with a form, call one `do_*` action (ours, or the suggestion
actions for extensions and re-assignments), turn a DomainError into a message next to the field,
and redirect on success.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import rules
from django.contrib import messages
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from minyi.congress.models import Unit
from minyi.core.decorators import CongressRequest, congress_view
from minyi.core.errors import DomainError
from minyi.core.kept_pages import kept_page
from minyi.core.pages import act, form_page, paginate, pick, put_error, query_without, serve_file, submit
from minyi.suggestions import actions as suggestion_actions
from minyi.suggestions.models import Assignment, Deadline
from minyi.suggestions.states import AssignmentState
from minyi.suggestions.views._common import clock_for
from minyi.workdays.selectors import day_names, describe_revisions
from minyi.workdays.services import calendar_warnings

from . import actions, selectors
from . import deadlines as D
from .forms import (
    AnswerForm,
    AttachmentForm,
    BoardFilterForm,
    ConcludeForm,
    DecisionForm,
    DeputyViewForm,
    InspectionForm,
    InstructionForm,
    RecalculateForm,
    RecordForm,
    RemoveForm,
    ResponseForm,
    SuggestionSearchForm,
    TaskForceForm,
    ThemeForm,
)
from .models import KeyTheme, RecordAttachment, SupervisionRecord, TaskForceMember
from .warnings import RED, YELLOW, Status, WarningClock

PER_PAGE = 20
LIST_LIMIT = 25


# --- helpers ---------------------------------------------------------------------------------------


def _url(name: str, request: CongressRequest, *args: Any) -> str:
    return reverse(f"supervision:{name}", args=[request.congress.code, *args])


def _need(request: CongressRequest, perm: str, obj: Any = None) -> None:
    if not rules.has_perm(perm, request.user, obj if obj is not None else request.congress):
        raise Http404("not permitted")


def _can(request: CongressRequest, perm: str, obj: Any = None) -> bool:
    return rules.has_perm(perm, request.user, obj if obj is not None else request.congress)


def _time_limit_status(clock, *, started_on, due_on, done_at):
    """The colour of a time limit that a record or an inspection set for the unit (None if none)."""
    if not due_on:
        return None
    from django.utils import timezone

    return clock.status_for(
        started_on=started_on, due_on=due_on, closed_on=timezone.localdate(done_at) if done_at else None
    )


def _posted_form(request: HttpRequest, **allowed: bool) -> str | None:
    """On a page with several forms: which one was posted (field `form`), None on GET — 404 for a form
    the user may not post (or none at all)."""
    if request.method != "POST":
        return None
    which = request.POST.get("form") or ""
    if not allowed.get(which):
        raise Http404("not permitted")
    return which


def _perms(request: CongressRequest) -> dict[str, bool]:
    names = [
        "view_board",
        "view_whole_board",
        "decide_requests",
        "decide_extensions",
        "recalculate_deadlines",
        "view_themes",
        "manage_themes",
        "add_record",
        "manage_task_force",
        "view_task_force",
        "inspect",
        "view_instructions",
        "record_instruction",
        "conclude_instruction",
    ]
    return {name: _can(request, f"supervision.{name}") for name in names}


TABS = {
    "board": "board",
    "deadline_detail": "board",
    "suggestion_detail": "board",
    "recalculate": "recalculate",
    "theme_list": "themes",
    "theme_form": "themes",
    "theme_detail": "themes",
    "record_form": "themes",
    "record_detail": "themes",
    "instruction_list": "instructions",
    "instruction_form": "instructions",
    "instruction_detail": "instructions",
    "task_force": "task_force",
    "inspection_form": "task_force",
    "inspection_detail": "task_force",
}


def _render(
    request: CongressRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    tab = TABS.get(template.rsplit("/", 1)[-1].removesuffix(".html"), "")
    return render(request, template, {"sv_perms": _perms(request), "sv_tab": tab, **context}, status=status)


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


def _with_due_status(clock: WarningClock, records: list[SupervisionRecord]) -> list[SupervisionRecord]:
    """Give each record waiting for the unit's answer its colour as `.due_status` (no queries)."""
    for r in records:
        r.due_status = (  # type: ignore[attr-defined]
            clock.status_for(started_on=r.held_on, due_on=r.respond_by)
            if r.respond_by and not r.responded
            else None
        )
    return records


def _save_uploads(record: SupervisionRecord, files: list, kind: str, actor: Any) -> None:
    for upload in files:
        actions.do_add_record_attachment(record, actor=actor, upload=upload, kind=kind, name=upload.name)


# --- the board -------------------------------------------------------------------------------------


def _board_filters(request: CongressRequest, scope: set[int] | None) -> dict[str, Any]:
    """The drill-down filter (one unit, one body, or the congress staff) — 404 for a unit of another
    congress or, for a coordinator, outside their bodies."""
    form = BoardFilterForm(request.GET)
    values = form.cleaned_data if form.is_valid() else {}
    out: dict[str, Any] = {"unit": None, "body": None, "staff_only": False}
    congress = request.congress
    for name in ("unit", "body"):
        pk = values.get(name)
        if pk:
            unit = Unit.objects.filter(pk=pk, congress=congress).select_related("body").first()
            if unit is None or (scope is not None and unit.body_id not in scope):
                raise Http404("no such unit")
            if name == "body" and unit.kind != Unit.Kind.BODY:
                raise Http404("not a body")
            out[name] = unit
    if values.get("staff") and scope is None:
        out["staff_only"] = True
    return out


def _rows(clock: WarningClock, page: Any) -> list[tuple[Deadline, Status, Status | None]]:
    items = list(page)
    selectors.attach_statutory(items)
    return [
        (d, clock.status(d), clock.status(d.statutory) if getattr(d, "statutory", None) else None)
        for d in items
    ]


@congress_view()
@kept_page("board")
def board(request: CongressRequest) -> HttpResponse:
    """督办看板: open deadlines by colour, per body and per unit, with the yellow and red items oldest
    first, pending extension and re-assignment requests, and supervision time limits."""
    _need(request, "supervision.view_board")
    congress = request.congress
    scope = selectors.board_scope(request.user, congress)
    clock = clock_for(request)
    filters = _board_filters(request, scope)
    counts = selectors.board_counts(congress, clock.bounds, bodies=scope)
    red = paginate(
        request, selectors.board_list(congress, clock.bounds, RED, bodies=scope, **filters), PER_PAGE, "red"
    )
    yellow = paginate(
        request,
        selectors.board_list(congress, clock.bounds, YELLOW, bodies=scope, **filters),
        PER_PAGE,
        "yellow",
    )
    decide = _can(request, "supervision.decide_requests")
    extensions = reassignments = []
    if decide:
        if _can(request, "supervision.decide_extensions"):
            extensions = list(selectors.pending_extensions(congress, bodies=scope)[:LIST_LIMIT])
        reassignments = list(selectors.pending_reassignments(congress, bodies=scope)[:LIST_LIMIT])
    waiting = selectors.open_record_deadlines(congress, bodies=scope)
    records = [
        (r, clock.status_for(started_on=r.held_on, due_on=r.respond_by))
        for r in waiting["records"][:LIST_LIMIT]
    ]
    inspections = [
        (i, clock.status_for(started_on=i.inspected_on, due_on=i.due_on))
        for i in waiting["inspections"][:LIST_LIMIT]
    ]
    return _render(
        request,
        "supervision/board.html",
        {
            "clock": clock,
            "scope": scope,
            "filters": filters,
            "filtered": any(filters.values()),
            "counts": counts,
            "red": red,
            "red_rows": _rows(clock, red),
            "yellow": yellow,
            "yellow_rows": _rows(clock, yellow),
            "red_qs": query_without(request, "red"),
            "yellow_qs": query_without(request, "yellow"),
            "extensions": extensions,
            "reassignments": reassignments,
            "record_waits": records,
            "inspection_waits": inspections,
            "warnings": calendar_warnings(clock.today, calendar=clock.calendar),
            "here": request.get_full_path(),
        },
    )


@require_POST
@congress_view()
def decide_extension(request: CongressRequest, pk: int) -> HttpResponse:
    """Approve or refuse a unit's extension request from the board (the suggestion action decides
    who may; the deputy is notified from its audit row)."""
    _need(request, "supervision.decide_extensions")
    congress = request.congress
    scope = selectors.board_scope(request.user, congress)
    extension = selectors.pending_extensions(congress, bodies=scope).filter(pk=pk).first() or _missing()
    return _decide(
        request,
        approve=lambda data: suggestion_actions.do_approve_extension(
            extension, actor=request.user, until=data["until"], note=data["note"]
        ),
        refuse=lambda data: suggestion_actions.do_refuse_extension(
            extension, actor=request.user, note=data["note"]
        ),
        approved=_("已批准延期申请。"),
        refused=_("已不批准延期申请。"),
    )


@require_POST
@congress_view()
def decide_reassignment(request: CongressRequest, pk: int) -> HttpResponse:
    """Approve or refuse a unit's re-assignment request from the board."""
    _need(request, "supervision.decide_requests")
    congress = request.congress
    scope = selectors.board_scope(request.user, congress)
    assignment = selectors.pending_reassignments(congress, bodies=scope).filter(pk=pk).first() or _missing()
    return _decide(
        request,
        approve=lambda data: suggestion_actions.do_approve_reassignment(
            assignment, actor=request.user, note=data["note"]
        ),
        refuse=lambda data: suggestion_actions.do_refuse_reassignment(
            assignment, actor=request.user, note=data["note"]
        ),
        approved=_("已同意调整，请为该建议重新交办。"),
        refused=_("已不同意调整，原单位继续办理。"),
    )


def _decide(
    request: CongressRequest,
    *,
    approve: Callable[[dict[str, Any]], Any],
    refuse: Callable[[dict[str, Any]], Any],
    approved: str,
    refused: str,
) -> HttpResponse:
    """A decision on a request from the board (DecisionForm), then back to where the user was."""
    form = DecisionForm(request.POST)
    back = _safe_next(request, _url("board", request))
    if not form.is_valid():
        messages.error(request, _("请检查填写的内容。"))
        return redirect(back)
    data = form.cleaned_data
    if data["decision"] == "approve":
        return act(request, lambda: approve(data), success=approved, next=back)
    return act(request, lambda: refuse(data), success=refused, next=back)


def _missing() -> Any:
    raise Http404("no such record")


# --- deadlines -------------------------------------------------------------------------------------


@congress_view()
def deadline_detail(request: CongressRequest, pk: int) -> HttpResponse:
    """How a due date was computed: rule, start, due date, calendar version, working days used and
    left, the local target beside the statutory ceiling, and the holidays on the way."""
    congress = request.congress
    deadline = selectors.get_deadline(request.user, congress, pk)
    clock = clock_for(request)
    names = day_names(deadline.started_on.year, deadline.due_on.year)
    explained = D.explain(deadline, policy=clock.policy, calendar=clock.calendar, names=names)
    siblings = selectors.siblings(deadline)
    ceiling = None
    assignment = deadline.assignment
    if assignment is not None and deadline.kind in (*D.REPLY_KINDS, Deadline.Kind.REPLY_STATUTORY):
        ceiling = clock.calendar.add_months(assignment.assigned_on, clock.policy.reply_max_months)
    versions = dict(clock.calendar.year_versions)
    return _render(
        request,
        "supervision/deadline_detail.html",
        {
            "deadline": deadline,
            "status": clock.status(deadline),
            "explained": explained,
            "local": siblings.get("local"),
            "local_status": clock.status(siblings["local"]) if siblings.get("local") else None,
            "statutory": siblings.get("statutory"),
            "statutory_status": clock.status(siblings["statutory"]) if siblings.get("statutory") else None,
            "ceiling": ceiling,
            "policy": clock.policy,
            "used_revisions": describe_revisions(
                deadline.calendar_revisions, deadline.congress_id, deadline.started_on, deadline.due_on
            ),
            "year_versions": [
                (y, versions[y])
                for y in range(deadline.started_on.year, deadline.due_on.year + 1)
                if y in versions
            ],
            "suggestion": deadline.suggestion,
            "supervises": _can(request, "supervision.view_board") or _can(request, "supervision.view_themes"),
            "clock": clock,
        },
    )


@congress_view()
def recalculate(request: CongressRequest) -> HttpResponse:
    """Preview what an explicit recalculation would change; confirm with a reason."""
    _need(request, "supervision.recalculate_deadlines")
    congress = request.congress
    clock = clock_for(request)
    preview = selectors.recalculation_preview(
        congress, policy=clock.policy, calendar=clock.calendar, today=clock.today
    )
    if request.method == "POST":
        form = RecalculateForm(request.POST)
    else:
        form = RecalculateForm(initial={"token": preview.token})

    def page(status: int) -> HttpResponse:
        shown = preview
        if status != 200:  # refused or invalid: show what a recalculation would change now
            shown = selectors.recalculation_preview(
                congress, policy=clock.policy, calendar=clock.calendar, today=clock.today
            )
            form.data = {**form.data.dict(), "token": shown.token}  # type: ignore[attr-defined]
        return _render(
            request,
            "supervision/recalculate.html",
            {
                "form": form,
                "preview": shown,
                "changes": shown.changes[:200],
                "more": max(len(shown.changes) - 200, 0),
                "policy": clock.policy,
                "clock": clock,
            },
            status=status,
        )

    return form_page(
        request,
        form,
        run=lambda data: actions.do_recalculate_deadlines(
            congress, actor=request.user, reason=data["reason"], expected=data["token"]
        ),
        success=lambda result: _("已重新计算 %(n)s 项期限，每项变更都已记录。") % {"n": len(result.changed)},
        next=_url("board", request),
        failed=None,  # no general error message here: the errors stand on the form, beside the new preview
        page=page,
    )


# --- one suggestion under supervision ----------------------------------------------------------------


@congress_view()
def suggestion_detail(request: CongressRequest, pk: int) -> HttpResponse:
    """Everything supervision knows about one suggestion: its deadlines with colours, key themes,
    leader instructions, task-force inspections and supervision records."""
    congress = request.congress
    suggestion = selectors.get_suggestion(request.user, congress, pk)
    clock = clock_for(request)
    deadlines = selectors.suggestion_deadlines(suggestion)
    inspections = list(selectors.inspections_of(suggestion=suggestion))
    return _render(
        request,
        "supervision/suggestion_detail.html",
        {
            "suggestion": suggestion,
            "deadline_rows": clock.statuses(deadlines),
            "themes": list(
                KeyTheme.objects.filter(memberships__suggestion=suggestion).order_by("-year", "name")
            ),
            "instructions": list(selectors.instructions_of(congress).filter(suggestion=suggestion)),
            "inspections": [
                (
                    i,
                    clock.status_for(started_on=i.inspected_on, due_on=i.due_on)
                    if i.due_on and not i.answered
                    else None,
                )
                for i in inspections
            ],
            "records": _with_due_status(clock, list(selectors.records_of(suggestion=suggestion))),
            "clock": clock,
        },
    )


def _record_form_page(
    request: CongressRequest,
    target: Any,
    *,
    title: str,
    back: str,
    kinds: list[str] | None = None,
    initial=None,
) -> HttpResponse:
    congress = request.congress
    _need(request, "supervision.add_record")
    # the records kept for the same target (theme, suggestion or instruction), for the duplicate warning
    others = target.supervision_records if hasattr(target, "supervision_records") else target.records
    form = RecordForm(
        request.POST or None,
        request.FILES or None,
        congress=congress,
        kinds=kinds,
        initial=initial or {},
        others=others.all(),
    )

    @transaction.atomic
    def add(data: dict[str, Any]) -> SupervisionRecord:
        record = actions.do_add_supervision_record(
            target,
            actor=request.user,
            **pick(
                data,
                "kind",
                "held_on",
                "place",
                "participants",
                "deputies",
                "findings",
                "requirements",
                "unit",
                "respond_by",
            ),
        )
        _save_uploads(record, data["uploads"], data["file_kind"], request.user)
        return record

    def refused(form: Any, exc: DomainError) -> None:
        put_error(form, exc)
        if exc.code in ("file_type", "file_too_large", "file_empty"):
            form.add_error("uploads", exc.detail)

    return form_page(
        request,
        form,
        run=add,
        errors=refused,
        success=_("督办记录已登记。"),
        next=lambda record: _url("record_detail", request, record.pk),
        page=lambda status: _render(
            request,
            "supervision/record_form.html",
            {"form": form, "title": title, "back": back, "target": target},
            status,
        ),
    )


@congress_view()
def suggestion_record_create(request: CongressRequest, pk: int) -> HttpResponse:
    suggestion = selectors.get_suggestion(request.user, request.congress, pk)
    return _record_form_page(
        request,
        suggestion,
        title=_("登记督办记录：%(s)s") % {"s": suggestion},
        back=_url("suggestion_detail", request, suggestion.pk),
    )


@congress_view()
def instruction_create(request: CongressRequest, pk: int) -> HttpResponse:
    congress = request.congress
    suggestion = selectors.get_suggestion(request.user, congress, pk)
    _need(request, "supervision.record_instruction")
    form = InstructionForm(request.POST or None)
    # posted from the suggestion page's 督办 card (issue #12): back there once registered
    back = "suggestion" if request.POST.get("back") == "suggestion" else ""
    return form_page(
        request,
        form,
        run=lambda data: actions.do_record_instruction(suggestion, actor=request.user, **data),
        success=_("领导批示已登记，该建议列入批示专项督查。"),
        next=lambda instruction: (
            reverse("suggestions:detail", args=[congress.code, suggestion.pk]) + "#supervise"
            if back
            else _url("instruction_detail", request, instruction.pk)
        ),
        page=lambda status: _render(
            request,
            "supervision/instruction_form.html",
            {"form": form, "suggestion": suggestion, "back": back},
            status,
        ),
    )


@congress_view()
def inspection_create(request: CongressRequest, pk: int) -> HttpResponse:
    congress = request.congress
    suggestion = selectors.get_suggestion(request.user, congress, pk)
    _need(request, "supervision.inspect")
    assignments = (
        Assignment.objects.filter(suggestion=suggestion)
        .exclude(state=AssignmentState.CANCELLED)
        .select_related("unit")
    )
    form = InspectionForm(request.POST or None, assignments=assignments)

    def record(data: dict[str, Any]) -> Any:
        data = dict(data)
        return actions.do_record_inspection(data.pop("assignment"), actor=request.user, **data)

    return form_page(
        request,
        form,
        run=record,
        success=_("督导检查已登记。"),
        next=lambda inspection: _url("inspection_detail", request, inspection.pk),
        page=lambda status: _render(
            request,
            "supervision/inspection_form.html",
            {"form": form, "suggestion": suggestion, "no_assignments": not assignments.exists()},
            status,
        ),
    )


# --- key themes ------------------------------------------------------------------------------------


@congress_view()
def theme_list(request: CongressRequest) -> HttpResponse:
    _need(request, "supervision.view_themes")
    congress = request.congress
    clock = clock_for(request)
    years = selectors.theme_years(congress)
    try:
        year = int(request.GET.get("year") or (years[0] if years else clock.today.year))
    except ValueError:
        year = clock.today.year
    themes = list(selectors.themes_of(congress, year=year))
    progress = selectors.theme_progress(themes, clock.bounds)
    return _render(
        request,
        "supervision/theme_list.html",
        {
            "themes": [(t, progress[t.pk]) for t in themes],
            "years": sorted(set(years) | {clock.today.year}, reverse=True),
            "year": year,
        },
    )


def _theme_form_values(data: dict[str, Any]) -> dict[str, Any]:
    return pick(data, "year", "name", "supervising_leader", "supervising_leader_name", "lead_unit", "plan")


@congress_view()
def theme_create(request: CongressRequest) -> HttpResponse:
    _need(request, "supervision.manage_themes")
    congress = request.congress
    form = ThemeForm(request.POST or None, congress=congress, initial={"year": clock_for(request).today.year})
    return form_page(
        request,
        form,
        run=lambda data: actions.do_create_theme(congress, actor=request.user, **_theme_form_values(data)),
        success=lambda theme: _("重点督办主题“%(t)s”已设定。") % {"t": theme.name},
        next=lambda theme: _url("theme_detail", request, theme.pk),
        page=lambda status: _render(
            request, "supervision/theme_form.html", {"form": form, "theme": None}, status
        ),
    )


@congress_view()
def theme_edit(request: CongressRequest, pk: int) -> HttpResponse:
    congress = request.congress
    theme = selectors.get_theme(request.user, congress, pk, perm="supervision.manage_themes")
    initial = {
        "year": theme.year,
        "name": theme.name,
        "supervising_leader": theme.supervising_leader_id,
        "supervising_leader_name": theme.supervising_leader_name,
        "lead_unit": theme.lead_unit_id,
        "plan": theme.plan,
        "active": theme.active,
    }
    form = ThemeForm(request.POST or None, congress=congress, edit=True, initial=initial)
    return form_page(
        request,
        form,
        run=lambda data: actions.do_update_theme(
            theme, actor=request.user, changes={**_theme_form_values(data), "active": data["active"]}
        ),
        success=_("已保存。"),
        next=_url("theme_detail", request, theme.pk),
        page=lambda status: _render(
            request, "supervision/theme_form.html", {"form": form, "theme": theme}, status
        ),
    )


@congress_view()
def theme_detail(request: CongressRequest, pk: int) -> HttpResponse:
    """A key theme: plan, leader, lead unit, progress colour, member suggestions with their most
    urgent deadline, supervision records — and, for admins, a search to add suggestions."""
    congress = request.congress
    theme = selectors.get_theme(request.user, congress, pk)
    clock = clock_for(request)
    members = paginate(request, selectors.theme_members(theme), PER_PAGE)
    member_list = list(members)
    worst = selectors.worst_colours([m.suggestion_id for m in member_list], clock.bounds)
    progress = selectors.theme_progress([theme], clock.bounds)[theme.pk]
    manage = _can(request, "supervision.manage_themes")
    search = SuggestionSearchForm(request.GET or None)
    candidates = None
    if manage and theme.active and search.is_valid() and search.cleaned_data["q"]:
        candidates = list(selectors.candidate_suggestions(theme, search.cleaned_data["q"])[:10])
    return _render(
        request,
        "supervision/theme_detail.html",
        {
            "theme": theme,
            "progress": progress,
            "members": members,
            "member_rows": [(m, worst.get(m.suggestion_id)) for m in member_list],
            "records": _with_due_status(clock, list(selectors.records_of(theme=theme))),
            "search": search,
            "candidates": candidates,
            "manage": manage,
            "clock": clock,
        },
    )


@require_POST
@congress_view()
def theme_add_suggestion(request: CongressRequest, pk: int) -> HttpResponse:
    congress = request.congress
    theme = selectors.get_theme(request.user, congress, pk, perm="supervision.manage_themes")
    from minyi.suggestions.models import Suggestion

    suggestion = Suggestion.objects.filter(pk=request.POST.get("suggestion") or 0, congress=congress).first()
    if suggestion is None:
        raise Http404("no such suggestion")
    return act(
        request,
        lambda: actions.do_add_theme_suggestion(theme, actor=request.user, suggestion=suggestion),
        success=lambda _result: _("已将“%(s)s”列入督办主题。") % {"s": suggestion},
        next=_url("theme_detail", request, theme.pk),
    )


@require_POST
@congress_view()
def theme_remove_suggestion(request: CongressRequest, pk: int, suggestion_pk: int) -> HttpResponse:
    congress = request.congress
    theme = selectors.get_theme(request.user, congress, pk, perm="supervision.manage_themes")
    member = (
        theme.memberships.select_related("suggestion").filter(suggestion_id=suggestion_pk).first()
        or _missing()
    )
    form = RemoveForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return act(
        request,
        lambda: actions.do_remove_theme_suggestion(
            theme, actor=request.user, suggestion=member.suggestion, reason=reason
        ),
        success=lambda _result: _("已将“%(s)s”移出督办主题。") % {"s": member.suggestion},
        next=_url("theme_detail", request, theme.pk),
    )


@congress_view()
def theme_record_create(request: CongressRequest, pk: int) -> HttpResponse:
    theme = selectors.get_theme(request.user, request.congress, pk)
    return _record_form_page(
        request,
        theme,
        title=_("登记督办记录：%(t)s") % {"t": theme},
        back=_url("theme_detail", request, theme.pk),
        initial={"unit": theme.lead_unit_id},
    )


# --- supervision records -----------------------------------------------------------------------------


@congress_view()
def record_detail(request: CongressRequest, pk: int) -> HttpResponse:
    """One supervision record, with the unit's response and the photos and minutes."""
    congress = request.congress
    record = selectors.get_record(request.user, congress, pk)
    can_respond = record.unit_id is not None and _can(request, "supervision.respond_record", record)
    can_upload = _can(request, "supervision.add_record") or can_respond
    posted = _posted_form(request, response=can_respond, upload=can_upload)
    here = _url("record_detail", request, record.pk)
    response_form = ResponseForm(initial={"response": record.unit_response})
    upload_form = AttachmentForm()
    status: HttpResponse | int = 200
    if posted == "response":
        response_form = ResponseForm(request.POST)
        status = submit(
            request,
            response_form,
            run=lambda data: actions.do_record_unit_response(
                record, actor=request.user, response=data["response"]
            ),
            success=_("反馈已保存。"),
            next=here,
        )
    elif posted == "upload":
        upload_form = AttachmentForm(request.POST, request.FILES)
        status = submit(
            request,
            upload_form,
            run=transaction.atomic(
                lambda data: _save_uploads(record, data["uploads"], data["file_kind"], request.user)
            ),
            errors=lambda f, exc: f.add_error("uploads", exc.detail),
            success=_("材料已上传。"),
            next=here,
        )
    if isinstance(status, HttpResponse):
        return status
    due_status = _time_limit_status(
        clock_for(request), started_on=record.held_on, due_on=record.respond_by, done_at=record.responded_at
    )
    return _render(
        request,
        "supervision/record_detail.html",
        {
            "record": record,
            "deputies": list(record.deputies.all()),
            "attachments": list(record.attachments.select_related("uploaded_by")),
            "can_respond": can_respond,
            "can_upload": can_upload,
            "response_form": response_form,
            "upload_form": upload_form,
            "due_status": due_status,
            "readers": _can(request, "supervision.view_themes"),
        },
        status,
    )


@congress_view()
def record_attachment(request: CongressRequest, pk: int) -> FileResponse:
    congress = request.congress
    attachment = (
        RecordAttachment.objects.select_related("record").filter(pk=pk, record__congress=congress).first()
    )
    if attachment is None:
        raise Http404("no such attachment")
    selectors.get_record(request.user, congress, attachment.record_id)  # 404 unless the record is visible
    return serve_file(
        request,
        attachment,
        attachment.file,
        as_attachment=not attachment.is_image,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )


# --- instructions ----------------------------------------------------------------------------------


@congress_view()
def instruction_list(request: CongressRequest) -> HttpResponse:
    """The inspection office's board: suggestions under special supervision after a leader's
    instruction, with their time limits and the office's own supervision records."""
    _need(request, "supervision.view_instructions")
    congress = request.congress
    clock = clock_for(request)
    show = request.GET.get("show", "open")
    open_only = {"open": True, "closed": False}.get(show)
    page = paginate(request, selectors.instructions_of(congress, open_only=open_only), PER_PAGE)
    items = list(page)
    worst = selectors.worst_colours([i.suggestion_id for i in items], clock.bounds)
    rows = []
    for i in items:
        due = (
            clock.status_for(started_on=i.instructed_on, due_on=i.due_on) if i.due_on and i.is_open else None
        )
        rows.append((i, due, worst.get(i.suggestion_id)))
    return _render(
        request,
        "supervision/instruction_list.html",
        {
            "page": page,
            "rows": rows,
            "show": show,
            "querystring": query_without(request, "page"),
            "clock": clock,
        },
    )


@congress_view()
def instruction_detail(request: CongressRequest, pk: int) -> HttpResponse:
    congress = request.congress
    instruction = selectors.get_instruction(request.user, congress, pk)
    clock = clock_for(request)
    form = ConcludeForm(request.POST or None)
    if request.method == "POST":
        _need(request, "supervision.conclude_instruction")

    def page(status: int) -> HttpResponse:
        records = list(selectors.records_of(instruction=instruction))
        record_rows = [
            (
                r,
                clock.status_for(started_on=r.held_on, due_on=r.respond_by)
                if r.respond_by and not r.responded
                else None,
            )
            for r in records
        ]
        deadlines = [
            row
            for row in clock.statuses(selectors.suggestion_deadlines(instruction.suggestion))
            if row[1].is_open
        ]
        return _render(
            request,
            "supervision/instruction_detail.html",
            {
                "instruction": instruction,
                "due_status": clock.status_for(
                    started_on=instruction.instructed_on, due_on=instruction.due_on
                )
                if instruction.due_on and instruction.is_open
                else None,
                "record_rows": record_rows,
                "deadline_rows": deadlines,
                "form": form,
                "sees_suggestion": selectors.may_see_suggestion(request.user, instruction.suggestion),
            },
            status,
        )

    return form_page(
        request,
        form,
        run=lambda data: actions.do_conclude_instruction(
            instruction, actor=request.user, conclusion=data["conclusion"]
        ),
        success=_("专项督查已结束。"),
        next=_url("instruction_detail", request, instruction.pk),
        page=page,
    )


@congress_view()
def instruction_record_create(request: CongressRequest, pk: int) -> HttpResponse:
    instruction = selectors.get_instruction(request.user, request.congress, pk)
    return _record_form_page(
        request,
        instruction,
        title=_("登记专项督查记录：%(i)s") % {"i": instruction},
        back=_url("instruction_detail", request, instruction.pk),
        initial={"kind": SupervisionRecord.Kind.SPECIAL},
    )


# --- task force and inspections --------------------------------------------------------------------


@congress_view()
def task_force(request: CongressRequest) -> HttpResponse:
    _need(request, "supervision.view_task_force")
    congress = request.congress
    manage = _can(request, "supervision.manage_task_force")
    form = TaskForceForm(request.POST or None, candidates=selectors.task_force_candidates(congress))
    if request.method == "POST":
        _need(request, "supervision.manage_task_force")
    return form_page(
        request,
        form,
        run=lambda data: actions.do_add_task_force_member(
            congress, actor=request.user, user=data["user"], note=data["note"]
        ),
        success=lambda _result: _("%(u)s已加入督导专班。") % {"u": form.cleaned_data["user"]},
        next=_url("task_force", request),
        page=lambda status: _render(
            request,
            "supervision/task_force.html",
            {
                "members": list(selectors.task_force(congress)),
                "form": form if manage else None,
                "inspections": paginate(request, selectors.inspections_of(congress=congress), PER_PAGE),
                "querystring": query_without(request, "page"),
            },
            status,
        ),
    )


@require_POST
@congress_view()
def task_force_remove(request: CongressRequest, pk: int) -> HttpResponse:
    _need(request, "supervision.manage_task_force")
    member = TaskForceMember.objects.filter(pk=pk, congress=request.congress).first() or _missing()
    form = RemoveForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return act(
        request,
        lambda: actions.do_remove_task_force_member(member, actor=request.user, reason=reason),
        success=lambda _result: _("%(u)s已退出督导专班。") % {"u": member.user},
        next=_url("task_force", request),
    )


@congress_view()
def inspection_detail(request: CongressRequest, pk: int) -> HttpResponse:
    congress = request.congress
    inspection = selectors.get_inspection(request.user, congress, pk)
    can_answer = bool(inspection.required_action) and _can(
        request, "supervision.answer_inspection", inspection
    )
    can_view = _can(request, "supervision.record_deputy_view")
    posted = _posted_form(request, answer=can_answer, deputy_view=can_view)
    here = _url("inspection_detail", request, inspection.pk)
    answer_form = AnswerForm(initial={"answer": inspection.unit_answer})
    view_form = DeputyViewForm(initial={"view": inspection.deputy_view, "opinion": inspection.deputy_opinion})
    status: HttpResponse | int = 200
    if posted == "answer":
        answer_form = AnswerForm(request.POST)
        status = submit(
            request,
            answer_form,
            run=lambda data: actions.do_answer_inspection(
                inspection, actor=request.user, answer=data["answer"]
            ),
            success=_("整改情况已反馈。"),
            next=here,
        )
    elif posted == "deputy_view":
        view_form = DeputyViewForm(request.POST)
        status = submit(
            request,
            view_form,
            run=lambda data: actions.do_record_deputy_view(inspection, actor=request.user, **data),
            success=_("代表意见已登记。"),
            next=here,
        )
    if isinstance(status, HttpResponse):
        return status
    due_status = _time_limit_status(
        clock_for(request),
        started_on=inspection.inspected_on,
        due_on=inspection.due_on,
        done_at=inspection.answered_at,
    )
    return _render(
        request,
        "supervision/inspection_detail.html",
        {
            "inspection": inspection,
            "can_answer": can_answer,
            "can_view": can_view,
            "answer_form": answer_form,
            "view_form": view_form,
            "due_status": due_status,
            "readers": _can(request, "supervision.view_themes"),
        },
        status,
    )
