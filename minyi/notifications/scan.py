"""The periodic scan (`manage.py run_periodic`, job ``deadlines``, every few minutes; or by hand with
`manage.py scan_deadlines`).

It sends, as in-app notices with e-mail/SMS queued in the same transaction:

1. **work arriving** and **deadlines changing** — read from the audit trail after a cursor
   (`ScanCursor`), e.g. ``assignment.created`` → the unit; ``extension.approved`` → the lead deputy
   (`EVENT_RULES`);
2. for every open deadline, once per stage and due date (`DeadlineReminder`, `DEADLINE_RULES`):
   **due soon** (yellow: due within `policy.warning_days` working days, as on the supervision
   boards; not on the day the limit started) → whoever must act; **overdue** (the due date has
   passed) → them and their leader; **escalated** (more than `policy.escalation_grace_days`
   working days late) → the body's coordinator and the congress clerks (for the congress's own steps,
   the standing committee's leaders); the evaluation deadline's reminder goes to the lead deputy;
3. **no feedback**: a replied suggestion whose evaluation deadline has passed is recorded as "no
   feedback" (`do_mark_no_feedback`, the system action).

Exactly once: each notice has a unique key (``dl:<stage>:<deadline>:<due date>:<user>``,
``ev:<rule>:<seq>:<user>``) and each deadline stage a unique `DeadlineReminder` row; everything of
one run commits together with the cursor, so a second run, a concurrent run (it waits on the cursor
row, then finds nothing new) or a run after a crash (the crashed run rolled back) sends nothing twice
and loses nothing.

Fixed cost: every step is one `INSERT … SELECT` (`sql.insert_select`) for all items at once, so the
number of queries depends on the number of rules and congresses, never on the number of deadlines,
events or recipients (bench/bench_scan_deadlines.py measures it).
"""

from __future__ import annotations

import datetime
import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import (
    Case,
    CharField,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Value,
    When,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce, Concat
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from minyi.audit import events as audit_events
from minyi.audit.models import AuditEvent
from minyi.congress.models import Policy
from minyi.core.errors import DomainError
from minyi.suggestions.models import AssignmentRole, Deadline
from minyi.suggestions.selectors import deadline_table
from minyi.suggestions.states import AssignmentState
from minyi.workdays.services import WorkCalendar, get_calendar

from . import audiences as who
from .audiences import Audience
from .delivery import Queued, Swept, congress_policies, queue_deliveries, sweep
from .models import DeadlineReminder, Notice, ScanCursor
from .sql import insert_select

logger = logging.getLogger("minyi.notifications")

K = Deadline.Kind
Stage = DeadlineReminder.Stage
#: Deadlines of a handling unit (the unit acts; its leader answers for it; the body's coordinator
#: and the congress clerks supervise).
UNIT_KINDS = (
    K.FIRST_CONTACT,
    K.CO_OPINION,
    K.REPLY,
    K.REPLY_STATUTORY,
    K.REHANDLE_REPLY,
    K.COMMITMENT,
)
#: The assignments of the suggestion's current round that are still the unit's (not cancelled).
#: (A positive condition, not an exclusion: it must constrain the audience's assignment row.)
CURRENT_UNITS = Q(
    suggestion__assignments__round=F("suggestion__round"),
    suggestion__assignments__state__in=[s for s in AssignmentState.values if s != AssignmentState.CANCELLED],
)
FORWARDED = Q(suggestion__forwarded_to__isnull=False)
NOT_FORWARDED = Q(suggestion__forwarded_to__isnull=True)
#: How many suggestions one run records as "no feedback" at most (each is an audited action).
NO_FEEDBACK_PER_RUN = 200
#: On the very first run the audit cursor starts this far back (older events are history, not news).
FIRST_RUN_LOOKBACK = datetime.timedelta(days=1)
AUDIT_CURSOR = "audit"


# --- text -----------------------------------------------------------------------------------------


def text(*parts: Any) -> Concat:
    """SQL string concatenation of literal strings and expressions."""
    expressions = [p if hasattr(p, "resolve_expression") else Value(str(p)) for p in parts]
    if len(expressions) == 1:
        expressions.append(Value(""))
    return Concat(*expressions, output_field=CharField())


def as_text(name: str) -> Cast:
    return Cast(name, CharField())


def choice_label(name: str, choices: Sequence[tuple[str, Any]]) -> Case:
    return Case(
        *[When(**{name: value}, then=Value(str(label))) for value, label in choices],
        default=Value(""),
        output_field=CharField(),
    )


def _unit_name(prefix: str = "", path: str = "assignment", suffix: str = "") -> Case:
    """The assignment's unit name (between `prefix` and `suffix`), or "" for a row without one."""
    return Case(
        When(**{f"{path}__isnull": False}, then=text(prefix, F(f"{path}__unit__name"), suffix)),
        default=Value(""),
        output_field=CharField(),
    )


# --- rules ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeadlineRule:
    """At `stage`, open deadlines of `kinds` (and `where`) give a `kind` notice to `audience`."""

    stage: str
    kinds: tuple[str, ...]
    audience: Audience
    kind: str
    where: Q = field(default_factory=Q)


def _deadline_rules() -> list[DeadlineRule]:
    rules = []
    for stage, kind, unit_people, own_people, assign_people in [
        (Stage.DUE_SOON, Notice.Kind.DUE_SOON, [who.UNIT_WORKERS], [who.CLERKS], [who.CLERKS]),
        (
            Stage.OVERDUE,
            Notice.Kind.OVERDUE,
            [who.UNIT_WORKERS, who.UNIT_LEADERS],
            [who.CLERKS, who.ADMINS],
            [who.CLERKS, who.ADMINS],
        ),
        (
            Stage.ESCALATED,
            Notice.Kind.ESCALATED,
            [who.BODY_COORDINATORS, who.CLERKS],
            [who.SUPERVISORS],
            [who.SUPERVISORS],
        ),
    ]:
        rules += [DeadlineRule(stage, UNIT_KINDS, audience, kind) for audience in unit_people]
        rules += [DeadlineRule(stage, (K.REVIEW,), audience, kind) for audience in own_people]
        # 交办: the coordinator's duty when the suggestion was forwarded to a body, else the clerks'.
        rules += [DeadlineRule(stage, (K.ASSIGN,), a, kind, NOT_FORWARDED) for a in assign_people]
        forwarded = {
            Stage.DUE_SOON: [who.FORWARD_COORDINATORS],
            Stage.OVERDUE: [who.FORWARD_COORDINATORS],
            Stage.ESCALATED: [who.CLERKS],
        }[stage]
        rules += [DeadlineRule(stage, (K.ASSIGN,), a, kind, FORWARDED) for a in forwarded]
    # 测评: the lead deputy is reminded; when the limit passes the suggestion is recorded as
    # "no feedback" instead of an overdue notice.
    rules.append(DeadlineRule(Stage.DUE_SOON, (K.EVALUATION,), who.LEAD_DEPUTY, Notice.Kind.EVALUATION))
    return rules


DEADLINE_RULES = _deadline_rules()


@dataclass(frozen=True)
class EventRule:
    """An audit event `code` gives a `kind` notice to `audience`, titled `prefix` + the suggestion's
    title, with the body `body()` (an SQL expression on the event row). `code` must be a declared
    audit event type shown on a suggestion's timeline (`minyi.audit.events`): the scan reads only
    rows tied to a suggestion."""

    name: str
    code: str
    audience: Audience
    kind: str
    prefix: Callable[[], str]
    body: Callable[[], Any]
    where: Q = field(default_factory=Q)

    def __post_init__(self) -> None:
        if audit_events.get(self.code).timeline is audit_events.Timeline.NONE:
            raise audit_events.EventCodeError(
                f"{self.code!r} is tied to no suggestion: no notice can read it"
            )


def _json(path: str) -> Coalesce:
    """A value of an audit row's JSON (`new__until`, `old__due_on`) as text, "—" when missing."""
    return Coalesce(KT(path), Value("—"), output_field=CharField())


def _until(key: str) -> Coalesce:
    return _json(f"new__{key}")


REPLY_KINDS = [K.REPLY, K.REPLY_STATUTORY, K.REHANDLE_REPLY]


def _recalculated() -> Concat:
    """Body of a ``deadline.recalculated`` notice: which limit, from when to when, and why."""
    return text(
        _unit_name(suffix=_("的")),
        choice_label("new__kind", Deadline.Kind.choices),
        _("期限由"),
        _json("old__due_on"),
        _("调整为"),
        _json("new__due_on"),
        _("（"),
        _json("new__rule"),
        _("）。原因："),
        F("note"),
    )


EVENT_RULES: list[EventRule] = [
    EventRule(
        "submitted",
        "suggestion.submitted",
        who.CLERKS,
        Notice.Kind.WORK,
        lambda: _("新建议待审查："),
        lambda: text(_("代表提交了新建议，请在审查期限内审查。")),
    ),
    EventRule(
        "forwarded",
        "suggestion.forwarded",
        who.EVENT_UNIT_COORDINATORS,
        Notice.Kind.WORK,
        lambda: _("建议待交办："),
        lambda: text(_("代表工委已将该建议转交本机关，请在交办期限内交办承办单位。")),
    ),
    EventRule(
        "reassigning_fwd",
        "suggestion.reassigning",
        who.FORWARD_COORDINATORS,
        Notice.Kind.WORK,
        lambda: _("待重新交办："),
        lambda: text(_("原承办单位的调整申请已获同意，请重新交办承办单位。")),
        FORWARDED,
    ),
    EventRule(
        "reassigning",
        "suggestion.reassigning",
        who.CLERKS,
        Notice.Kind.WORK,
        lambda: _("待重新交办："),
        lambda: text(_("原承办单位的调整申请已获同意，请重新交办承办单位。")),
        NOT_FORWARDED,
    ),
    EventRule(
        "assigned",
        "assignment.created",
        who.UNIT_ALL,
        Notice.Kind.WORK,
        lambda: _("新交办件："),
        lambda: text(
            _("本单位收到交办件（"),
            choice_label("assignment__role", AssignmentRole.choices),
            _("），答复期限："),
            Coalesce(as_text("assignment__reply_due_on"), Value("—"), output_field=CharField()),
            _("。请及时签收办理。"),
        ),
    ),
    EventRule(
        "assigned_deputy",
        "assignment.created",
        who.LEAD_DEPUTY,
        Notice.Kind.DEADLINE_CHANGED,
        lambda: _("已交办："),
        lambda: text(
            _("您领衔的建议已交由"),
            F("assignment__unit__name"),
            _("办理，答复期限为"),
            as_text("assignment__reply_due_on"),
            _("。"),
        ),
        ~Q(assignment__role=AssignmentRole.CO),
    ),
    EventRule(
        "reassign_requested_coord",
        "assignment.reassignment_requested",
        who.BODY_COORDINATORS,
        Notice.Kind.WORK,
        lambda: _("调整申请待审批："),
        lambda: text(F("assignment__unit__name"), _("申请调整承办单位，理由："), F("note")),
    ),
    EventRule(
        "reassign_requested",
        "assignment.reassignment_requested",
        who.CLERKS,
        Notice.Kind.WORK,
        lambda: _("调整申请待审批："),
        lambda: text(F("assignment__unit__name"), _("申请调整承办单位，理由："), F("note")),
    ),
    EventRule(
        "extension_requested",
        "extension.requested",
        who.CLERKS,
        Notice.Kind.WORK,
        lambda: _("延期申请待审批："),
        lambda: text(F("assignment__unit__name"), _("申请将答复期限延至"), _until("until"), _("。")),
    ),
    EventRule(
        "extension_approved",
        "extension.approved",
        who.LEAD_DEPUTY,
        Notice.Kind.DEADLINE_CHANGED,
        lambda: _("答复期限变更："),
        lambda: text(
            _("经批准，"),
            F("assignment__unit__name"),
            _("的答复期限由"),
            _until("previous"),
            _("延至"),
            _until("until"),
            _("。"),
        ),
    ),
    EventRule(
        "extension_approved_unit",
        "extension.approved",
        who.UNIT_ALL,
        Notice.Kind.DEADLINE_CHANGED,
        lambda: _("延期申请已批准："),
        lambda: text(_("本单位的答复期限已延至"), _until("until"), _("。")),
    ),
    EventRule(
        "extension_refused_unit",
        "extension.refused",
        who.UNIT_ALL,
        Notice.Kind.WORK,
        lambda: _("延期申请未获批准："),
        lambda: text(_("答复期限不变。理由："), F("note")),
    ),
    EventRule(
        "reassigned_deputy",
        "assignment.reassignment_approved",
        who.LEAD_DEPUTY,
        Notice.Kind.DEADLINE_CHANGED,
        lambda: _("承办单位调整："),
        lambda: text(
            F("assignment__unit__name"), _("不再承办您领衔的建议，将另行交办，答复期限自重新交办之日起计算。")
        ),
        ~Q(assignment__role=AssignmentRole.CO),
    ),
    EventRule(
        "recalculated_deputy",
        "deadline.recalculated",
        who.LEAD_DEPUTY,
        Notice.Kind.DEADLINE_CHANGED,
        lambda: _("答复期限调整："),
        _recalculated,
        Q(new__kind__in=REPLY_KINDS),
    ),
    EventRule(
        "recalculated_unit",
        "deadline.recalculated",
        who.UNIT_ALL,
        Notice.Kind.DEADLINE_CHANGED,
        lambda: _("期限调整："),
        _recalculated,
    ),
    EventRule(
        "reply_drafted",
        "reply.drafted",
        who.UNIT_LEADERS,
        Notice.Kind.WORK,
        lambda: _("答复待签发："),
        lambda: text(_("承办人已起草答复，请审核签发。")),
    ),
    EventRule(
        "reply_sent_back",
        "reply.sent_back",
        who.UNIT_WORKERS,
        Notice.Kind.WORK,
        lambda: _("答复被退回："),
        lambda: text(_("单位负责人退回了答复，理由："), F("note")),
    ),
    EventRule(
        "returned",
        "suggestion.returned",
        who.LEAD_DEPUTY,
        Notice.Kind.WORK,
        lambda: _("建议退回修改："),
        lambda: text(_("代表工委退回了您的建议，请修改后重新提交。理由："), F("note")),
    ),
    EventRule(
        "replied",
        "suggestion.replied",
        who.LEAD_DEPUTY,
        Notice.Kind.WORK,
        lambda: _("已答复，请测评："),
        lambda: text(_("承办单位已答复您领衔的建议，请查看答复并在测评期限内测评。")),
    ),
    EventRule(
        "cosign_invited",
        "cosigner.invited",
        who.TARGET_USER,
        Notice.Kind.WORK,
        lambda: _("联名邀请："),
        lambda: text(_("有代表邀请您联名提出该建议，请确认或谢绝。")),
    ),
    # 公开: a unit's request not to publish goes to the clerks; the clerk's decision to the unit.
    EventRule(
        "withhold_requested",
        "publication.withhold_requested",
        who.CLERKS,
        Notice.Kind.WORK,
        lambda: _("不予公开申请待审定："),
        lambda: text(F("unit__name"), _("申请不予公开该建议，理由："), F("note")),
    ),
    EventRule(
        "withhold_granted_unit",
        "publication.withhold_granted",
        who.EVENT_UNIT_WORKERS,
        Notice.Kind.WORK,
        lambda: _("不予公开申请已同意："),
        lambda: text(_("代表工委同意本单位的申请，该建议不予公开。")),
    ),
    EventRule(
        "withhold_refused_unit",
        "publication.withhold_refused",
        who.EVENT_UNIT_WORKERS,
        Notice.Kind.WORK,
        lambda: _("不予公开申请未获同意："),
        lambda: text(_("该建议将予以公开。审定意见："), F("note")),
    ),
    # 批示: the units handling the suggestion now (their current-round assignments) are told.
    EventRule(
        "instruction_units",
        "instruction.recorded",
        who.SUGGESTION_UNITS,
        Notice.Kind.WORK,
        lambda: _("领导批示："),
        lambda: text(
            _json("new__leader_name"),
            _("对本单位承办的建议作出批示："),
            F("note"),
            _("。请抓好落实，督查考核室将专项督查。"),
        ),
        CURRENT_UNITS,
    ),
]


# --- records outside the suggestion lifecycle (issue #12) -----------------------------------------


@dataclass(frozen=True)
class RecordRule:
    """An audit event `code` about a record of its own (a voter opinion, a points objection) — tied
    to no suggestion — gives a `kind` notice to `audience`, titled `title()`, with the body `body()`
    and the link `url()` (SQL expressions on the event row)."""

    name: str
    code: str
    audience: Audience
    kind: str
    title: Callable[[], Any]
    body: Callable[[], Any]
    url: Callable[[], Any]
    where: Q = field(default_factory=Q)

    def __post_init__(self) -> None:
        audit_events.get(self.code)  # declared, or UndeclaredEventCode


def page_url(name: str) -> Concat:
    """The page `name` (arguments: congress code, object id) of the event's congress and object, as
    an SQL expression: reversed once with markers, which become the row's columns."""
    from django.urls import reverse

    marker = 987654321
    url = reverse(name, args=["CONGRESSMARKER", marker])
    head, rest = url.split("CONGRESSMARKER", 1)
    middle, tail = rest.split(str(marker), 1)
    return text(head, F("congress__code"), middle, F("object_id"), tail)


#: The station of the opinion an event is about (recorded in its ``new.station``).
EVENT_STATION = Q(congress__memberships__station_id=Cast(KT("new__station"), IntegerField()))
_OBJECTION_DECISIONS = [("rejected", _lazy("维持原记录")), ("corrected", _lazy("已更正"))]

RECORD_RULES: list[RecordRule] = [
    RecordRule(
        "opinion_forwarded",
        "intake.opinion.forwarded",
        who.EVENT_UNIT_MEMBERS,
        Notice.Kind.WORK,
        lambda: text(_("转办的社情民意："), F("object_repr")),
        lambda: text(_("联络站转来群众反映的意见，请答复或说明理由退回。转办说明："), F("note")),
        lambda: page_url("intake:opinion"),
    ),
    RecordRule(
        "opinion_answered_station",
        "intake.opinion.unit_answered",
        who.STATION_CLERKS,
        Notice.Kind.WORK,
        lambda: text(_("单位已答复社情民意："), F("object_repr")),
        lambda: text(F("unit__name"), _("已答复本站转办的意见，请告知反映人。答复："), _json("new__answer")),
        lambda: page_url("intake:opinion"),
        EVENT_STATION,
    ),
    RecordRule(
        "opinion_answered_deputy",
        "intake.opinion.unit_answered",
        who.TARGET_USER,
        Notice.Kind.WORK,
        lambda: text(_("单位已答复社情民意："), F("object_repr")),
        lambda: text(F("unit__name"), _("已答复您负责的意见。答复："), _json("new__answer")),
        lambda: page_url("intake:opinion"),
    ),
    RecordRule(
        "opinion_referred",
        "intake.opinion.referred",
        who.TARGET_USER,
        Notice.Kind.WORK,
        lambda: text(_("交您处理的社情民意："), F("object_repr")),
        lambda: text(_("联络站将群众反映的意见交由您处理，可以当场答复、转办或形成建议。")),
        lambda: page_url("intake:opinion"),
    ),
    # 督导检查: the inspected unit is told what it must put right, and by when (issue #12).
    RecordRule(
        "inspection_action",
        "inspection.recorded",
        who.EVENT_UNIT_WORKERS,
        Notice.Kind.WORK,
        lambda: text(_("督导检查整改要求："), F("suggestion__title")),
        lambda: text(
            _("督导专班检查了本单位对该建议的办理，要求整改："),
            _json("new__required_action"),
            _("。整改反馈时限："),
            _json("new__due_on"),
            _("。请在检查页面反馈整改情况。"),
        ),
        lambda: page_url("supervision:inspection_detail"),
        Q(new__action_required=True),
    ),
    RecordRule(
        "objection_decided",
        "points.objection_decided",
        who.TARGET_USER,
        Notice.Kind.WORK,
        lambda: text(_("积分异议处理结果："), choice_label("new__state", _OBJECTION_DECISIONS)),
        lambda: text(_("代表工委处理了您对积分记录提出的异议。理由："), F("note")),
        lambda: page_url("points:objection"),
    ),
]


def read_records(run: Run, window: Any) -> None:
    """Notices for the `window`'s events about records of their own (`RECORD_RULES`)."""
    for rule in RECORD_RULES:
        audience = rule.audience
        rows = (
            window.filter(rule.where, code=rule.code, **audience.filters())
            .annotate(_recipient=F(audience.user))
            .filter(Q(actor__isnull=True) | ~Q(_recipient=F("actor")))
        )
        count = insert_select(
            Notice,
            rows,
            {
                "key": text(f"ev:{rule.name}:", as_text("seq"), ":", as_text(audience.user)),
                "congress": F("congress"),
                "recipient": F(audience.user),
                "kind": Value(rule.kind),
                "event": F("id"),
                "title": rule.title(),
                "body": rule.body(),
                "url": rule.url(),
                "batch": Value(run.batch),
                "created_at": Value(run.now),
            },
            conflict=["key"],
        )
        run.add(rule.kind, count)


# --- one run --------------------------------------------------------------------------------------


@dataclass
class ScanResult:
    sent: dict[str, int] = field(default_factory=lambda: {kind: 0 for kind in Notice.Kind.values})
    queued: Queued = field(default_factory=Queued)
    swept: Swept = field(default_factory=Swept)
    no_feedback: int = 0
    events: int = 0
    reminders: dict[str, int] = field(default_factory=lambda: {stage: 0 for stage in Stage.values})

    @property
    def total(self) -> int:
        return sum(self.sent.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "sent": self.total,
            "by_kind": dict(self.sent),
            "emails_queued": self.queued.email,
            "sms_queued": self.queued.sms,
            "deadline_stages": dict(self.reminders),
            "events_read": self.events,
            "no_feedback": self.no_feedback,
            "requeued": self.swept.requeued,
            "failed_by_sweeper": self.swept.failed,
        }


@dataclass
class Run:
    now: datetime.datetime
    today: datetime.date
    batch: uuid.UUID
    policies: dict[int, Policy]
    calendar: WorkCalendar
    result: ScanResult

    def add(self, kind: str, count: int) -> None:
        self.result.sent[kind] += count


def run_scan(*, now: datetime.datetime | None = None, enqueue: bool = True) -> ScanResult:
    """One scan. `enqueue`: queue the delivery task after commit (the periodic run sends in the same
    run instead: `periodic_scan`)."""
    now = now or timezone.now()
    result = ScanResult()
    with translation.override(settings.LANGUAGE_CODE):
        result.no_feedback = mark_no_feedback(timezone.localdate(now))
        with transaction.atomic():
            run = Run(
                now=now,
                today=timezone.localdate(now),
                batch=uuid.uuid4(),
                policies=congress_policies(),
                calendar=get_calendar(),
                result=result,
            )
            read_events(run)
            remind_deadlines(run)
            result.queued = queue_deliveries(run.batch, now=now, policies=run.policies)
            if enqueue and result.queued.total:
                from .tasks import enqueue_delivery

                transaction.on_commit(enqueue_delivery)
    result.swept = sweep(now)
    return result


def periodic_scan() -> dict[str, Any]:
    """The ``deadlines`` job of `manage.py run_periodic`: one scan; the periodic run's ``notices``
    job then sends what it queued."""
    return run_scan(enqueue=False).as_dict()


def mark_no_feedback(today: datetime.date) -> int:
    """Record "no feedback" for replied suggestions whose evaluation deadline has passed (each in its
    own transaction, through the audited system action)."""
    from minyi.suggestions.actions import do_mark_no_feedback
    from minyi.suggestions.selectors import suggestions_due_for_no_feedback

    done = 0
    for suggestion in suggestions_due_for_no_feedback(today).order_by("id")[:NO_FEEDBACK_PER_RUN]:
        try:
            do_mark_no_feedback(suggestion, actor=None)
        except DomainError as exc:  # moved on meanwhile (evaluated by the deputy)
            logger.info("no feedback not recorded for suggestion %s: %s", suggestion.pk, exc.detail)
        else:
            done += 1
    return done


# --- work arriving and deadlines changing (the audit trail) ---------------------------------------


def _lock_cursor(now: datetime.datetime) -> ScanCursor:
    cursor = ScanCursor.objects.select_for_update().filter(name=AUDIT_CURSOR).first()
    if cursor is None:
        start = (
            AuditEvent.objects.filter(created_at__lt=now - FIRST_RUN_LOOKBACK).aggregate(m=Max("seq"))["m"]
            or 0
        )
        ScanCursor.objects.get_or_create(name=AUDIT_CURSOR, defaults={"position": start, "updated_at": now})
        cursor = ScanCursor.objects.select_for_update().get(name=AUDIT_CURSOR)
    return cursor


def read_events(run: Run) -> None:
    """Notices for the audit events after the cursor, then move the cursor. The cursor row is locked
    first: a concurrent scan waits here, then starts after the events this one read. Audit rows are
    numbered in commit order (`audit.record` holds the chain head's lock until commit), so no event
    can appear later below the cursor."""
    cursor = _lock_cursor(run.now)
    last = AuditEvent.objects.aggregate(m=Max("seq"))["m"] or 0
    if last <= cursor.position:
        return
    window = AuditEvent.objects.filter(
        seq__gt=cursor.position, seq__lte=last, congress__active=True, suggestion__isnull=False
    )
    for rule in EVENT_RULES:
        audience = rule.audience
        rows = (
            window.filter(rule.where, code=rule.code, **audience.filters())
            .annotate(_recipient=F(audience.user))
            .filter(Q(actor__isnull=True) | ~Q(_recipient=F("actor")))
        )
        count = insert_select(
            Notice,
            rows,
            {
                "key": text(f"ev:{rule.name}:", as_text("seq"), ":", as_text(audience.user)),
                "congress": F("congress"),
                "recipient": F(audience.user),
                "kind": Value(rule.kind),
                "suggestion": F("suggestion"),
                "assignment": F("assignment"),
                "event": F("id"),
                "title": text(rule.prefix(), F("suggestion__title")),
                "body": rule.body(),
                "url": Value(""),
                "batch": Value(run.batch),
                "created_at": Value(run.now),
            },
            conflict=["key"],
        )
        run.add(rule.kind, count)
    read_records(
        run, AuditEvent.objects.filter(seq__gt=cursor.position, seq__lte=last, congress__active=True)
    )
    run.result.events = last - cursor.position
    cursor.position = last
    cursor.updated_at = run.now
    cursor.save(update_fields=["position", "updated_at"])


# --- deadline stages ------------------------------------------------------------------------------


def _grouped(values: dict[int, datetime.date]) -> dict[datetime.date, list[int]]:
    out: dict[datetime.date, list[int]] = {}
    for congress_id, value in values.items():
        out.setdefault(value, []).append(congress_id)
    return out


def _any_congress(field_lookup: str, limits: dict[int, datetime.date]) -> Q:
    q = Q(pk__in=[])
    for value, ids in _grouped(limits).items():
        q |= Q(congress_id__in=ids, **{field_lookup: value})
    return q


def yellow_from_limit(calendar: WorkCalendar, today: datetime.date, policy: Policy) -> datetime.date:
    """Due dates before this are yellow from `today` on (at most `warning_days` working days left):
    the rule of `minyi.supervision.warnings.colour_bounds`, so reminders and boards agree."""
    return calendar.add_working_days(today, policy.warning_days + 1)


def escalation_limit(calendar: WorkCalendar, today: datetime.date, grace: int) -> datetime.date:
    """The last due date that is escalated `today`: more than `grace` working days have passed since
    it, i.e. the `grace`-th working day after it is before today."""
    day = today - datetime.timedelta(days=1)
    while calendar.add_working_days(day, grace) >= today:
        day -= datetime.timedelta(days=1)
    return day


def stage_condition(run: Run, stage: str) -> Q:
    if stage == Stage.DUE_SOON:
        limits = {cid: yellow_from_limit(run.calendar, run.today, p) for cid, p in run.policies.items()}
        return Q(due_on__gte=run.today, started_on__lt=run.today) & _any_congress("due_on__lt", limits)
    if stage == Stage.OVERDUE:
        return Q(due_on__lt=run.today, congress_id__in=list(run.policies))
    limits = {
        cid: escalation_limit(run.calendar, run.today, p.escalation_grace_days)
        for cid, p in run.policies.items()
    }
    return _any_congress("due_on__lte", limits)


def remind_deadlines(run: Run) -> None:
    for stage in Stage.values:
        rules = [r for r in DEADLINE_RULES if r.stage == stage]
        kinds = sorted({k for r in rules for k in r.kinds})
        already = DeadlineReminder.objects.filter(
            deadline=OuterRef("pk"), stage=stage, due_on=OuterRef("due_on")
        )
        due = (
            deadline_table()
            .filter(stage_condition(run, stage), closed_at__isnull=True, kind__in=kinds)
            .filter(~Exists(already))
        )
        run.result.reminders[stage] = insert_select(
            DeadlineReminder,
            due,
            {
                "deadline": F("id"),
                "stage": Value(stage),
                "due_on": F("due_on"),
                "batch": Value(run.batch),
                "created_at": Value(run.now),
            },
            conflict=["deadline", "stage", "due_on"],
        )
        if not run.result.reminders[stage]:
            continue
        for rule in rules:
            _notify_stage(run, rule)


_ADVICE: dict[str, Callable[[], str]] = {  # by stage (a str choice)
    Stage.DUE_SOON: lambda: _("请在期限前办结。"),
    Stage.OVERDUE: lambda: _("期限已过，请尽快办理。"),
    Stage.ESCALATED: lambda: _("逾期已超过宽限期，请督促尽快办理。"),
}
_PREFIX: dict[str, Callable[[], str]] = {  # by notice kind (a str choice)
    Notice.Kind.DUE_SOON: lambda: _("即将到期："),
    Notice.Kind.OVERDUE: lambda: _("已逾期："),
    Notice.Kind.ESCALATED: lambda: _("逾期督办："),
    Notice.Kind.EVALUATION: lambda: _("请测评："),
}


def _notify_stage(run: Run, rule: DeadlineRule) -> None:
    audience = rule.audience
    rows = deadline_table().filter(
        rule.where,
        reminders__batch=run.batch,
        reminders__stage=rule.stage,
        kind__in=rule.kinds,
        **audience.filters(),
    )
    kind_label = choice_label("kind", Deadline.Kind.choices)
    if rule.kind == Notice.Kind.EVALUATION:
        body = text(
            _("承办单位已答复您领衔的建议“"),
            F("suggestion__title"),
            _("”，请在"),
            as_text("due_on"),
            _("前完成测评；逾期未测评的，将记为“未反馈”。"),
        )
    else:
        body = text(
            _("建议“"),
            F("suggestion__title"),
            _("”"),
            _unit_name(_("，承办单位：")),
            _("。"),
            kind_label,
            _("期限："),
            as_text("due_on"),
            _("（"),
            F("rule"),
            _("）。"),
            _ADVICE[rule.stage](),
        )
    count = insert_select(
        Notice,
        rows,
        {
            "key": text(
                f"dl:{rule.stage}:", as_text("id"), ":", as_text("due_on"), ":", as_text(audience.user)
            ),
            "congress": F("congress"),
            "recipient": F(audience.user),
            "kind": Value(rule.kind),
            "suggestion": F("suggestion"),
            "assignment": F("assignment"),
            "deadline": F("id"),
            "title": text(_PREFIX[rule.kind](), kind_label, "·", F("suggestion__title")),
            "body": body,
            "url": Value(""),
            "batch": Value(run.batch),
            "created_at": Value(run.now),
        },
        conflict=["key"],
    )
    run.add(rule.kind, count)
