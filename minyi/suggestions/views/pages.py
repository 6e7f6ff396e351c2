"""The pages everyone uses: the work list (待办), the list of suggestions, the suggestion's detail
with every action the user may take now, attachment downloads and the printable reply letter."""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, cast

import rules
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q, prefetch_related_objects
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from minyi.accounts.models import Role
from minyi.core.decorators import CongressRequest, congress_view
from minyi.core.pages import serve_file
from minyi.intake.selectors import opinion_for_suggestion
from minyi.notifications.actions import OPEN_ASSIGNMENT_STATES, WAITING_FOR_COORDINATOR

from .. import selectors
from ..models import (
    ATTACHMENT_TYPES,
    Assignment,
    AssignmentRole,
    CommitmentProgress,
    Deadline,
    ReassignRequest,
    Reply,
    WithdrawalConsent,
)
from ..rules import can_view_assignment, roles_of, unit_ids
from ..states import AssignmentState, CoSignerState, SuggestionState, WithdrawalState
from . import _queries as Q_
from ._common import Clock, DeadlineBadge, Move, access_child, can_create, clock_for, detail_url, moves
from .registry import STEPS

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from minyi.audit.models import AuditEvent

    from ..models import (
        Commitment,
        Contact,
        CoSigner,
        ExtensionRequest,
        Suggestion,
        WithdrawalRequest,
    )

    # What the pages below set on the rows they show (for the templates): the type checker's view of
    # them. Nothing is an instance of these classes at run time; the rows are the models' own.

    class SuggestionRow(Suggestion):
        units_now: list[Assignment]
        badge: DeadlineBadge | None
        state_colour: str

    class CoSignerRow(CoSigner):
        moves: list[Move]

    class WithdrawalRow(WithdrawalRequest):
        moves: list[Move]

    class ContactRow(Contact):
        moves: list[Move]

    class ExtensionRow(ExtensionRequest):
        moves: list[Move]

    class CommitmentRow(Commitment):
        moves: list[Move]
        badge: DeadlineBadge | None

    class ReplyRow(Reply):
        evaluate_url: str

    class AssignmentRow(Assignment):
        inside: bool
        badges: list[DeadlineBadge]
        open_badges: list[DeadlineBadge]
        moves: list[Move]
        can_urge: bool
        show_opinion: bool
        contact_list: list[ContactRow]
        pending_reassign: ReassignRequest | None
        extensions: list[ExtensionRow]
        reply_shown: ReplyRow | None

    class TimelineRow(AuditEvent):
        label: StrOrPromise


#: Suggestion-level actions whose buttons sit next to what they act on, not in the top card.
SUGGESTION_ACTIONS_ELSEWHERE = frozenset(
    {"edit", "revoke_cosigner", "evaluate", "withdraw", "request_withdrawal", "invite_cosigner"}
)
PER_PAGE = 20
WORK_LIMIT = 50

#: What each audit code is called on the timeline.
TIMELINE_LABELS = {
    "suggestion.created": gettext_lazy("起草建议"),
    "suggestion.updated": gettext_lazy("修改建议"),
    "suggestion.submitted": gettext_lazy("提交建议"),
    "suggestion.accepted": gettext_lazy("立案"),
    "suggestion.returned": pgettext_lazy("event", "退回修改"),
    "suggestion.declined": pgettext_lazy("event", "不予立案"),
    "suggestion.merged": gettext_lazy("并案"),
    "suggestion.merged_in": gettext_lazy("其他建议并入本建议"),
    "suggestion.withdrawn": gettext_lazy("撤回建议"),
    "suggestion.forwarded": gettext_lazy("转交协调员"),
    "suggestion.assigned": gettext_lazy("交办"),
    "suggestion.reassigning": gettext_lazy("待重新交办"),
    "suggestion.replied": gettext_lazy("全部答复已签发"),
    "suggestion.evaluated": gettext_lazy("测评完成"),
    "suggestion.no_feedback": gettext_lazy("代表未在期限内测评"),
    "suggestion.rehandling_ordered": gettext_lazy("要求重新办理"),
    "suggestion.coordination_recorded": gettext_lazy("登记协调会"),
    "suggestion.closed": gettext_lazy("办结"),
    "cosigner.invited": gettext_lazy("邀请联名"),
    "cosigner.confirmed": gettext_lazy("确认联名"),
    "cosigner.declined": gettext_lazy("谢绝联名"),
    "cosigner.revoked": gettext_lazy("撤销联名邀请"),
    "cosigner.lapsed": gettext_lazy("联名邀请失效"),
    "withdrawal.requested": gettext_lazy("申请撤回联名建议"),
    "withdrawal.agreed": gettext_lazy("同意撤回"),
    "withdrawal.refused": gettext_lazy("不同意撤回"),
    "withdrawal.lapsed": gettext_lazy("撤回申请失效"),
    "assignment.created": gettext_lazy("交办承办单位"),
    "assignment.signed": gettext_lazy("签收"),
    "assignment.reassignment_requested": gettext_lazy("申请调整"),
    "assignment.reassignment_approved": gettext_lazy("同意调整"),
    "assignment.reassignment_refused": gettext_lazy("不同意调整"),
    "assignment.opinion_submitted": gettext_lazy("提交协办意见"),
    "contact.logged": gettext_lazy("登记联系代表情况"),
    "contact.confirmed": gettext_lazy("代表确认联系情况"),
    "contact.disputed": gettext_lazy("代表对联系情况有异议"),
    "reply.drafted": gettext_lazy("起草答复"),
    "reply.sent_back": gettext_lazy("退回答复"),
    "reply.signed_off": gettext_lazy("签发答复"),
    "extension.requested": gettext_lazy("申请延期"),
    "extension.approved": gettext_lazy("批准延期"),
    "extension.refused": gettext_lazy("不批准延期"),
    "evaluation.recorded": gettext_lazy("代表测评"),
    "commitment.progress_reported": gettext_lazy("报告承诺落实进展"),
    "commitment.fulfilled": gettext_lazy("承诺事项已落实"),
    "commitment.explained": gettext_lazy("说明承诺未落实原因"),
    "attachment.added": gettext_lazy("上传附件"),
    "attachment.removed": gettext_lazy("删除附件"),
}

STATE_COLOURS: dict[str, str] = {
    SuggestionState.DRAFT: "secondary",
    SuggestionState.SUBMITTED: "info",
    SuggestionState.RETURNED: "warning",
    SuggestionState.ACCEPTED: "primary",
    SuggestionState.FORWARDED: "primary",
    SuggestionState.ASSIGNED: "primary",
    SuggestionState.REASSIGNING: "warning",
    SuggestionState.REPLIED: "info",
    SuggestionState.EVALUATED: "info",
    SuggestionState.CLOSED: "success",
    SuggestionState.DECLINED: "dark",
    SuggestionState.MERGED: "dark",
    SuggestionState.WITHDRAWN: "dark",
}


# --- work list ---------------------------------------------------------------------------------------


@dataclass
class WorkItem:
    title: str
    number: str
    url: str
    meta: str
    state: str
    badge: DeadlineBadge | None
    button: str


def _suggestion_item(request, s, badge) -> WorkItem:
    return WorkItem(
        s.title, s.number, detail_url(request, s), s.lead.name, s.get_state_display(), badge, _("查看")
    )


def _work_items(request: HttpRequest, clock: Clock, section, items: list) -> list[WorkItem]:
    return [_item(request, clock, section, obj) for obj in items]


def _item(request, clock: Clock, section, obj) -> WorkItem:  # noqa: C901 - one branch per kind of row
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
def worklist(request: CongressRequest) -> HttpResponse:
    """待办: every list of the roles the user holds, each item with its deadline."""
    user, congress = request.user, request.congress
    clock = clock_for(request)
    sections = selectors.worklist(user, congress)
    roles = roles_of(user, congress)
    if Role.LIAISON_CLERK in roles:
        sections.append(
            selectors.WorkSection(
                "entered_drafts",
                gettext_lazy("代代表录入、待代表本人提交的草稿"),
                "suggestion",
                Q_.entered_drafts(user, congress),
            )
        )
    if Role.DEPUTY in roles:
        sections.append(
            selectors.WorkSection(
                "progress", gettext_lazy("我的建议办理进展"), "suggestion", Q_.deputy_progress(user, congress)
            )
        )
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
            "items": _work_items(request, clock, section, items),
        }
        for section, items, count in fetched
    ]
    return render(
        request,
        "suggestions/worklist.html",
        {
            "sections": shown,
            "todo": [s for s in shown if s["key"] != "progress"],
            "progress": next((s for s in shown if s["key"] == "progress"), None),
            "total": sum(s["count"] for s in shown if s["key"] != "progress"),
            "empty": [str(s["label"]) for s in shown if s["key"] != "progress" and not s["count"]],
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
def suggestion_list(request: CongressRequest) -> HttpResponse:
    """Every suggestion the user may see, filtered and paginated, at a fixed number of queries."""
    from ..forms import SuggestionFilterForm

    user, congress = request.user, request.congress
    visible = selectors.suggestions_visible_to(user, congress)
    form = SuggestionFilterForm(request.GET or None, congress=congress, years=Q_.suggestion_years(visible))
    filters = form.values() if request.GET else {}
    qs = visible
    if filters.get("state"):
        qs = qs.filter(state=filters["state"])
    if filters.get("year"):
        y = filters["year"]
        qs = qs.filter(Q(year=y) | Q(year__isnull=True, created_at__year=y))
    if filters.get("category"):
        qs = qs.filter(category=filters["category"])
    if filters.get("unit"):
        qs = qs.filter(pk__in=Assignment.objects.filter(unit_id=filters["unit"]).values("suggestion"))
    q = (filters.get("q") or "").strip()
    if q:
        qs = qs.filter(
            Q(title__icontains=q)
            | Q(number__icontains=q)
            | Q(facts__icontains=q)
            | Q(proposals__icontains=q)
            | Q(lead__name__icontains=q)
        )
    qs = qs.select_related("lead", "category").order_by("-created_at", "-pk")
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    rows = cast("list[SuggestionRow]", list(page.object_list))
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


def _assignment_moves(request, s, a) -> list:
    return moves(request, STEPS, s, a, selectors.available_actions(request.user, a))


@congress_view()
def detail(request: CongressRequest, pk: int) -> HttpResponse:  # noqa: C901, PLR0915 - one page, many parts
    user, congress = request.user, request.congress
    s = selectors.access_suggestion(user, congress, pk)
    clock = clock_for(request)
    s_actions = selectors.available_actions(user, s)
    main_actions = [a for a in s_actions if a in STEPS and a not in SUGGESTION_ACTIONS_ELSEWHERE]
    s_moves = moves(request, STEPS, s, s, main_actions)
    if s.state == SuggestionState.ASSIGNED:  # adding co-units while the units are at work
        s_moves = [replace(m, label=_("追加协办单位")) if m.action == "assign" else m for m in s_moves]
    if "edit" in s_actions:
        edit = Move(
            "edit",
            _("修改建议"),
            reverse("suggestions:edit", args=[congress.code, s.pk]),
            False,
            None,
            "outline-primary",
        )
        s_moves.insert(0, edit)
    todo: list[tuple[str, list[Move]]] = []

    # co-signers and withdrawal
    cosigners = cast(
        "list[CoSignerRow]", list(s.cosigners.select_related("deputy").order_by("invited_at", "pk"))
    )
    confirmed = [c for c in cosigners if c.state == CoSignerState.CONFIRMED]
    for c in cosigners:
        c.suggestion = s
        names = selectors.available_actions(user, c)
        if "revoke_cosigner" in s_actions and c.state in (CoSignerState.INVITED, CoSignerState.CONFIRMED):
            names.append("revoke_cosigner")
        c.moves = moves(request, STEPS, s, c, names)
    withdrawals = cast(
        "list[WithdrawalRow]",
        list(
            s.withdrawal_requests.prefetch_related(
                Prefetch("consents", queryset=WithdrawalConsent.objects.select_related("deputy"))
            )
        ),
    )
    pending_withdrawal = next((w for w in withdrawals if w.state == WithdrawalState.PENDING), None)
    if pending_withdrawal is not None:
        pending_withdrawal.suggestion = s
        pending_withdrawal.moves = moves(
            request, STEPS, s, pending_withdrawal, selectors.available_actions(user, pending_withdrawal)
        )
    # withdrawing: straight away without confirmed co-signers (or a draft), else by request
    withdraw_moves = []
    if "withdraw" in s_actions and (s.state == SuggestionState.DRAFT or not confirmed):
        withdraw_moves += moves(request, STEPS, s, s, ["withdraw"])
    if (
        "request_withdrawal" in s_actions
        and confirmed
        and s.state != SuggestionState.DRAFT
        and not pending_withdrawal
    ):
        withdraw_moves += moves(request, STEPS, s, s, ["request_withdrawal"])
    todo.append(("", s_moves + withdraw_moves))
    for c in cosigners:
        answers = [m for m in c.moves if m.action in ("confirm_cosign", "decline_cosign")]
        if answers:
            todo.append((_("%(lead)s邀请您联名") % {"lead": s.lead.name}, answers))
    if pending_withdrawal is not None and pending_withdrawal.moves:
        todo.append(
            (_("领衔代表申请撤回：%(r)s") % {"r": pending_withdrawal.reason}, pending_withdrawal.moves)
        )

    # assignments, their deadlines, contacts and requests
    assignments = cast(
        "list[AssignmentRow]",
        list(
            s.assignments.select_related("unit", "signed_by")
            .prefetch_related(
                "contacts",
                Prefetch(
                    "reassign_requests", queryset=ReassignRequest.objects.select_related("suggested_unit")
                ),
                "extension_requests",
            )
            .order_by("round", "id")
        ),
    )
    deadlines = list(s.deadlines.order_by("due_on", "id"))
    by_assignment: dict[int, list] = defaultdict(list)
    own_deadlines = []
    for d in deadlines:
        if d.kind == Deadline.Kind.COMMITMENT:
            continue
        badge = clock.badge(d)
        if d.assignment_id:
            by_assignment[d.assignment_id].append(badge)
        else:
            own_deadlines.append(badge)
    my_units = unit_ids(user, congress)
    lead_rounds = {a.round for a in assignments if a.unit_id in my_units and a.role == AssignmentRole.LEAD}
    replies = selectors.replies_visible_to(user, s)
    prefetch_related_objects(
        [c for r in replies for c in r.commitments.all()],
        Prefetch("progress_reports", queryset=CommitmentProgress.objects.select_related("reported_by")),
    )
    reply_of = {r.assignment_id: r for r in replies}
    evaluate_allowed = "evaluate" in s_actions
    may_urge = rules.has_perm("notifications.urge", user, s)
    for a in assignments:
        a.suggestion = s
        a.inside = can_view_assignment(user, a)
        a.badges = by_assignment.get(a.pk, [])
        a.open_badges = [b for b in a.badges if b.is_open]
        # an earlier round is history: its work is done, the buttons belong to the current round
        current_round = a.round == s.round and a.state != AssignmentState.CANCELLED
        a.moves = _assignment_moves(request, s, a) if current_round else []
        a.can_urge = may_urge and current_round and a.state in OPEN_ASSIGNMENT_STATES
        if a.moves:
            todo.append((f"{a.unit}（{a.get_role_display()}）", a.moves))
        a.show_opinion = a.role == AssignmentRole.CO and (a.inside or a.round in lead_rounds)
        a.contact_list = cast("list[ContactRow]", list(a.contacts.all()))
        for contact in a.contact_list:
            contact.assignment = a
            contact.moves = moves(request, STEPS, s, contact, selectors.available_actions(user, contact))
            if contact.moves:
                todo.append(
                    (
                        _("%(unit)s于%(day)s%(method)s联系您，请确认")
                        % {
                            "unit": a.unit,
                            "day": date_format(contact.contacted_on),
                            "method": contact.get_method_display(),
                        },
                        contact.moves,
                    )
                )
        a.pending_reassign = next((r for r in a.reassign_requests.all() if r.status == "pending"), None)
        a.extensions = cast("list[ExtensionRow]", list(a.extension_requests.all())) if a.inside else []
        for ext in a.extensions:
            ext.assignment = a
            ext.moves = (
                moves(request, STEPS, s, ext, selectors.available_actions(user, ext))
                if ext.state == "pending"
                else []
            )
            if ext.moves:
                todo.append((_("%(unit)s的延期申请") % {"unit": a.unit}, ext.moves))
        a.reply_shown = cast("ReplyRow | None", reply_of.get(a.pk))
        if a.reply_shown is not None:
            r = a.reply_shown
            r.assignment = a
            r.evaluate_url = ""
            if (
                evaluate_allowed
                and a.round == s.round
                and a.state == AssignmentState.REPLIED
                and not hasattr_evaluation(r)
            ):
                r.evaluate_url = reverse("suggestions:evaluate", args=[congress.code, s.pk, r.pk])
                evaluate = STEPS["evaluate"]
                todo.append(
                    (
                        _("%(unit)s的答复") % {"unit": a.unit},
                        [Move("evaluate", evaluate.title, r.evaluate_url, False, None, "primary")],
                    )
                )
            for cm in cast("Iterable[CommitmentRow]", r.commitments.all()):
                cm.reply = r
                cm.moves = (
                    moves(request, STEPS, s, cm, selectors.available_actions(user, cm))
                    if r.signed_off_at
                    else []
                )
                if cm.moves:
                    todo.append((_("承诺事项：%(t)s") % {"t": Truncator(cm.text).chars(30)}, cm.moves))
    rounds = sorted({a.round for a in assignments})
    by_round = [(n, [a for a in assignments if a.round == n], n == s.round) for n in rounds]
    signed_replies = [r for r in replies if r.signed_off_at]
    commitments = cast("list[CommitmentRow]", [c for r in signed_replies for c in r.commitments.all()])
    commitment_badges = {
        d.commitment_id: clock.badge(d)
        for d in deadlines
        if d.kind == Deadline.Kind.COMMITMENT and d.closed_at is None
    }
    for cm in commitments:
        cm.badge = commitment_badges.get(cm.pk)

    results = selectors.evaluation_results(s)
    timeline = cast(
        "list[TimelineRow]", list(selectors.timeline(user, s))[::-1]
    )  # newest first: what happened last matters most
    for event in timeline:
        event.label = TIMELINE_LABELS.get(event.code, event.code)
    context = {
        "s": s,
        "state_colour": STATE_COLOURS.get(s.state, "secondary"),
        "todo": [(label, ms) for label, ms in todo if ms],
        "can_edit": "edit" in s_actions,
        "show_missing": "submit" in s_actions or "edit" in s_actions,
        "can_invite": "invite_cosigner" in s_actions,
        "invite_url": reverse("suggestions:invite_cosigner", args=[congress.code, s.pk]),
        "edit_url": reverse("suggestions:edit", args=[congress.code, s.pk]),
        "missing": Q_.missing_for_submit(s)
        if s.state in (SuggestionState.DRAFT, SuggestionState.RETURNED)
        else [],
        "theme_tags": list(s.theme_tags.all()),
        "suggested_units": list(s.suggested_units.all()),
        "cosigners": cosigners,
        "withdrawals": withdrawals,
        "pending_withdrawal": pending_withdrawal,
        "attachments": list(s.attachments.filter(reply__isnull=True)),
        "own_deadlines": own_deadlines,
        "by_round": by_round,
        "signed_replies": signed_replies,
        "commitments": commitments,
        "results": results,
        "meetings": list(s.coordination_meetings.order_by("round")),
        "merged": list(s.merged.select_related("lead")),
        "timeline": timeline,
        "clock": clock,
        # where a grassroots suggestion came from (station, event, day; never the constituent)
        "provenance": opinion_for_suggestion(s) if s.channel_id else None,
        "can_urge": may_urge
        and (
            s.state == SuggestionState.ASSIGNED or (s.state in WAITING_FOR_COORDINATOR and s.forwarded_to_id)
        ),
    }
    return render(request, "suggestions/detail.html", context)


def hasattr_evaluation(reply: Reply) -> bool:
    try:
        return reply.evaluation is not None
    except Reply.evaluation.RelatedObjectDoesNotExist:
        return False


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
    return render(
        request,
        "suggestions/reply_letter.html",
        {
            "s": s,
            "reply": reply,
            "cosigners": cosigners,
            "commitments": list(reply.commitments.all()),
            "attachments": list(reply.attachments.all()),
        },
    )


__all__ = ["attachment_download", "detail", "reply_letter", "suggestion_list", "worklist"]
