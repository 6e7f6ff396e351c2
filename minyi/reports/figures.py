"""The figures engine (统计口径, DOMAIN.md §5): for a congress and a `Scope`, every figure with its
numerator, denominator, value and definition (`compute_figures`), and the records behind each
number (`figure_members`, `figure_deputies`, `figure_commitments`).

How it works. Each figure is a pair of conditions — a numerator and a denominator — made of a few
*flags* of an accepted suggestion ("a reply deadline was met", "the final round of evaluations has
one that is not satisfied" …). `_SuggestionRows.formulas` is the one statement of how figures are
made of flags; each flag is a condition on a child table's rows, written once in `UnitWork`. The
same formulas are evaluated two ways:

- counting (`compute_figures`): `_read_flags` reads each child table once, grouped by suggestion,
  with one column per flag, and the formulas combine the resulting id sets (`Ids`) — a fixed number
  of queries whatever the amount of data, each a plain grouped scan the database does well;
- listing (`figure_members`, …): `flag_conditions` turns each flag into ``pk IN (… EXISTS …)`` on
  Suggestion and the formulas combine those `Q` objects, so a drill-down list always has exactly as
  many rows as the number it explains (tests/reports/test_figures.py checks both against hand
  counts and against each other under every policy and filter).

Participation counts deputies and commitment fulfilment counts commitments, each in one aggregate.

The raw material is what the actions record: the suggestion's own timestamps and state, the
deadlines each step opened and closed (`Deadline.closed_on_time`, computed with the working-day
calendar when the step was done), contacts, signed-off replies with their result class,
evaluations per round and commitments. Every figure can be recomputed from those rows (and they
from the audit trail); nothing is cached here (the dashboards keep their own summary table,
`reports.FigureSnapshot`, and the bulletin its cache entry, both keyed by the congress's data
version).

Scope. Suggestions belong to a scope by the date they were accepted (立案, `accepted_at`), in the
congress's time zone; submitted / declined / merged / withdrawn counts use the date of that event.
Filters (body, unit, category, theme, channel, session vs interim) narrow the suggestions; a unit or
body filter also narrows the *unit work* that the handling figures look at (deadlines, contacts,
replies, evaluations, commitments of that unit's assignments only). Deadline-based figures are
judged as of `scope.as_of` (default: today): an open deadline whose date has passed counts as
missed.

The definitions below are the single source of truth for the page, the `stats` command and
docs/user-guide/figures.md.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from django.db import connection, transaction
from django.db.models import Case, Count, Exists, Max, OuterRef, Q, QuerySet, Subquery, Value, When
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minyi.congress.models import Congress, Deputy, Policy, ResultClass, Session, Term
from minyi.suggestions.models import (
    FACE_TO_FACE,
    Assignment,
    AssignmentRole,
    Commitment,
    Contact,
    CoSigner,
    Deadline,
    Evaluation,
    Rating,
    Reply,
    Suggestion,
    SuggestionKind,
)
from minyi.suggestions.states import AssignmentState, CommitmentState, ContactState, CoSignerState
from minyi.supervision.models import ThemeSuggestion

S = Suggestion
DAY = datetime.timedelta(days=1)
#: The revision of the figures' definitions. Stored results (the dashboards' `FigureSnapshot` rows,
#: the bulletin's cache entry) are keyed by the congress's data version, which a change of code does
#: not move: they hold this too, so bump it whenever a figure is counted differently and numbers
#: computed under the old definitions are never shown again.
#: 2 — issue #10: 按期答复率 judges a re-handled suggestion on its re-handling round only; 按期交办率
#: leaves out a suggestion whose assignment is not settled (a re-assignment request waiting).
DEFINITIONS_VERSION = 2
GOOD_RATINGS = (Rating.SATISFIED, Rating.BASIC)
#: Deadlines of a unit's work whose date passing makes an item overdue (逾期).
UNIT_DUTY_DEADLINES = (
    Deadline.Kind.FIRST_CONTACT,
    Deadline.Kind.CO_OPINION,
    Deadline.Kind.REPLY,
    Deadline.Kind.REPLY_STATUTORY,
    Deadline.Kind.REHANDLE_REPLY,
)
LOCAL_REPLY_DEADLINES = (Deadline.Kind.REPLY, Deadline.Kind.REHANDLE_REPLY)


# --- scope -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """Which suggestions a set of figures is about.

    `start`/`end` (inclusive dates; None = unbounded) select suggestions by the date of acceptance;
    the filters are primary keys of the congress's rows (a unit, a body = one of the four root
    units, a category, a theme tag, a channel, a key theme of the supervision module) or a
    `SuggestionKind` value; `key` True keeps the key suggestions (重点督办: members of any key
    theme), False the others. `as_of` is the day on which open deadlines are judged (None = today)."""

    start: datetime.date | None = None
    end: datetime.date | None = None
    as_of: datetime.date | None = None
    body: int | None = None
    unit: int | None = None
    category: int | None = None
    theme: int | None = None
    channel: int | None = None
    kind: str | None = None
    key: bool | None = None
    key_theme: int | None = None
    label: str = ""

    FILTERS = ("body", "unit", "category", "theme", "channel", "kind", "key", "key_theme")

    def __post_init__(self) -> None:
        if self.start and self.end and self.start > self.end:
            raise ValueError("scope starts after it ends")
        if self.kind is not None and self.kind not in SuggestionKind.values:
            raise ValueError(f"unknown suggestion kind {self.kind!r}")

    # constructors
    @classmethod
    def year(cls, year: int, **kw: Any) -> Scope:
        kw.setdefault("label", _("%(y)s年") % {"y": year})
        return cls(start=datetime.date(year, 1, 1), end=datetime.date(year, 12, 31), **kw)

    @classmethod
    def between(cls, start: datetime.date, end: datetime.date, **kw: Any) -> Scope:
        kw.setdefault("label", _("%(a)s至%(b)s") % {"a": start.isoformat(), "b": end.isoformat()})
        return cls(start=start, end=end, **kw)

    @classmethod
    def for_term(cls, term: Term, **kw: Any) -> Scope:
        """The whole term (届): from its first day to its last (open while it runs)."""
        kw.setdefault("label", str(term))
        return cls(start=term.start_date, end=term.end_date, **kw)

    @classmethod
    def for_session(cls, session: Session, **kw: Any) -> Scope:
        """From the opening of a plenary session (次会议) to the day before the next one opens (or the
        end of the term): the session's suggestions and the interim suggestions that follow, as the
        annual handling report counts them. Use the `kind` filter to separate the two."""
        following = (
            Session.objects.filter(term_id=session.term_id, start_date__gt=session.start_date)
            .order_by("start_date")
            .values_list("start_date", flat=True)
            .first()
        )
        end = following - DAY if following else session.term.end_date
        kw.setdefault("label", str(session))
        return cls(start=session.start_date, end=end, **kw)

    def with_(self, **changes: Any) -> Scope:
        return replace(self, **changes)

    @property
    def today(self) -> datetime.date:
        return self.as_of or timezone.localdate()

    @property
    def filters(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.FILTERS if getattr(self, name) is not None}

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for name in ("start", "end", "as_of"):
            data[name] = data[name].isoformat() if data[name] else None
        data["as_of"] = self.today.isoformat()
        return data


def _instant(day: datetime.date) -> datetime.datetime:
    """Midnight starting `day` in the congress's time zone (the project's TIME_ZONE)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def in_period(field_name: str, scope: Scope) -> Q:
    """`field_name` (a datetime) falls on a day of the scope, in local time. Written as a half-open
    range of instants so that an index on the field can be used."""
    q = Q(**{f"{field_name}__isnull": False})
    if scope.start:
        q &= Q(**{f"{field_name}__gte": _instant(scope.start)})
    if scope.end:
        q &= Q(**{f"{field_name}__lt": _instant(scope.end + DAY)})
    return q


# --- figure catalogue ------------------------------------------------------------------------------

#: What a figure counts.
SUGGESTIONS, DEPUTIES, COMMITMENTS = "suggestions", "deputies", "commitments"


@dataclass(frozen=True)
class Spec:
    key: str
    label: Promise
    counts: str = SUGGESTIONS
    rate: bool = True
    #: For counts: shown as a number; for rates: shown as a percentage.
    group: str = "handling"


SPECS: tuple[Spec, ...] = (
    Spec("suggestions", gettext_lazy("建议数（立案）"), rate=False, group="intake"),
    Spec("submitted", gettext_lazy("提交数"), rate=False, group="intake"),
    Spec("declined", gettext_lazy("不予立案数"), rate=False, group="intake"),
    Spec("merged", gettext_lazy("并案数"), rate=False, group="intake"),
    Spec("withdrawn", gettext_lazy("撤回数"), rate=False, group="intake"),
    Spec("deputies_in_office", gettext_lazy("在任代表数"), counts=DEPUTIES, rate=False, group="deputies"),
    Spec("participating_deputies", gettext_lazy("参与代表数"), counts=DEPUTIES, rate=False, group="deputies"),
    Spec("participation_rate", gettext_lazy("代表参与率"), counts=DEPUTIES, group="deputies"),
    Spec("grassroots_share", gettext_lazy("基层渠道占比"), group="intake"),
    Spec("on_time_assignment_rate", gettext_lazy("按期交办率")),
    Spec("on_time_reply_rate", gettext_lazy("按期答复率")),
    Spec("on_time_reply_statutory_rate", gettext_lazy("法定时限内答复率")),
    Spec("contact_rate", gettext_lazy("见面率")),
    Spec("completion_rate", gettext_lazy("办结率")),
    Spec("satisfaction_rate", gettext_lazy("满意率（最终）"), group="results"),
    Spec("first_round_satisfaction_rate", gettext_lazy("初次办理满意率"), group="results"),
    Spec("rehandling_rate", gettext_lazy("重新办理率"), group="results"),
    Spec("resolution_rate", gettext_lazy("解决率（A类）"), group="results"),
    Spec("resolution_or_plan_rate", gettext_lazy("解决和正在解决率（A+B类）"), group="results"),
    Spec("commitment_fulfilment_rate", gettext_lazy("承诺落实率"), counts=COMMITMENTS, group="results"),
    Spec("overdue", gettext_lazy("逾期未办件数"), rate=False),
)
SPEC_BY_KEY = {spec.key: spec for spec in SPECS}
GROUPS: dict[str, Promise] = {
    "intake": gettext_lazy("提出与立案"),
    "deputies": gettext_lazy("代表参与"),
    "handling": gettext_lazy("交办与办理"),
    "results": gettext_lazy("办理结果与测评"),
}


def definitions(policy: Policy) -> dict[str, str]:
    """The definition text of every figure under `policy` (Chinese source strings; translated)."""
    completion = {
        Policy.CompletionDefinition.CLOSED: _("已办结的建议（代表工委确认办结）"),
        Policy.CompletionDefinition.CLOSED_SATISFIED: _(
            "已办结、且最终一轮测评全部为满意或基本满意的建议（未反馈的不算）"
        ),
        Policy.CompletionDefinition.CLOSED_COMMITMENTS: _(
            "已办结、且答复中的承诺事项全部已落实的建议（没有承诺事项的，办结即计入）"
        ),
    }[Policy.CompletionDefinition(policy.completion_definition)]
    no_feedback = (
        _("逾期未反馈的不计入分母。")
        if policy.no_feedback_excluded
        else _("逾期未反馈的计入分母，视为不满意。")
    )
    accepted = _("本范围内立案的建议（按立案日期计；不含其后被并案或撤回的）")
    return {
        "suggestions": accepted + _("。"),
        "submitted": _("本范围内提交审查的建议数（按最近一次提交日期计，含退回修改后再提交的）。"),
        "declined": _("本范围内决定不予立案的建议数（按决定日期计）。"),
        "merged": _("本范围内并入其他建议的建议数（按并案日期计；由主建议统一办理，不另计入建议数）。"),
        "withdrawn": _("本范围内提交后撤回的建议数（按撤回日期计；未提交的草稿不计）。"),
        "deputies_in_office": _("任职期间与本范围有交集的代表人数（含年中任职终止或新任的代表）。"),
        "participating_deputies": _(
            "在任代表中，领衔或确认联名至少一件立案建议的人数（该代表的建议被并入立案建议的，也计入）。"
        ),
        "participation_rate": _("参与代表数 ÷ 在任代表数。"),
        "grassroots_share": _("立案建议中，收集渠道属于基层渠道的件数 ÷ 立案建议数。"),
        "on_time_assignment_rate": _(
            "立案建议中，每次交办（含调整后重新交办）都在交办时限内完成的件数 ÷ "
            "已交办或交办期限已过的立案建议数。"
        )
        + _(
            "交办尚未确定的（主办或分办单位的调整申请尚待审批，或同意调整后尚未重新交办、重新交办期限未到）"
            "暂不计入分子和分母；此前已有一次交办逾期的，计为未按期。"
        ),
        "on_time_reply_rate": _(
            "答复期限（本地目标；重新办理的为重新答复期限；经批准延期的以延期后日期为准）已到或已答复的"
            "立案建议中，所有承办单位都按期签发答复的件数 ÷ 该类建议数。"
        )
        + _(
            "重新办理的建议只看重新办理这一轮，第一轮是否按期不再计入；重新答复期限未到且尚未重新答复的，"
            "暂不计入分子和分母。"
        ),
        "on_time_reply_statutory_rate": _(
            "同上，但以法定时限（交办后3个月；经批准延期的以延期后日期为准，最长6个月）为期限。"
        )
        + _("法定时限只对第一轮答复规定，重新办理的建议也只看第一轮答复。"),
        "contact_rate": _(
            "已答复（至少一份答复函已签发）的立案建议中，承办单位登记过见面联系（走访、座谈、现场察看，"
            "代表未提出异议）的件数 ÷ 已答复的立案建议数。"
        ),
        "completion_rate": completion + _(" ÷ 立案建议数。"),
        "satisfaction_rate": _(
            "收到测评的立案建议中，最终一轮（重新办理的以重新办理后一轮为准）测评全部为满意或基本满意的件数 ÷ "
            "最终一轮收到测评的件数。"
        )
        + no_feedback,
        "first_round_satisfaction_rate": _(
            "第一轮（初次办理）测评全部为满意或基本满意的件数 ÷ 第一轮收到测评的件数。"
        )
        + no_feedback,
        "rehandling_rate": _(
            "第一轮收到代表测评的立案建议中，被决定重新办理的件数 ÷ 第一轮收到代表测评的件数。"
        ),
        "resolution_rate": _(
            "已答复的立案建议中，最后一轮答复全部为计入解决率的类别（默认A类）的件数 ÷ 已答复的立案建议数。"
        ),
        "resolution_or_plan_rate": _(
            "已答复的立案建议中，最后一轮答复全部为计入解决率的类别或排在前两位的答复类别（默认A类、B类）的件数 ÷ "
            "已答复的立案建议数。"
        ),
        "commitment_fulfilment_rate": _(
            "立案建议已签发答复中的承诺事项，已落实的项数 ÷ 已到承诺期限或已结束（落实或说明）的项数。按项计。"
        ),
        "overdue": _(
            "立案建议中，目前有已过期限仍未完成的交办、首次联系、协办意见或答复期限的件数（按统计日判断）。"
        ),
    }


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    numerator: int
    denominator: int | None
    value: float | int | None
    definition: str
    counts: str = SUGGESTIONS
    group: str = "handling"

    @property
    def is_rate(self) -> bool:
        return self.denominator is not None

    @property
    def percent(self) -> float | None:
        return None if not self.is_rate or self.value is None else self.value * 100


@dataclass
class Figures:
    congress: Congress
    scope: Scope
    completion_definition: str
    no_feedback_excluded: bool
    items: dict[str, Figure] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Figure:
        return self.items[key]

    def __iter__(self) -> Iterator[Figure]:
        return iter(self.items.values())

    def grouped(self) -> list[tuple[str, Promise, list[Figure]]]:
        return [(group, label, [f for f in self if f.group == group]) for group, label in GROUPS.items()]

    def as_dict(self) -> dict[str, Any]:
        """One JSON-ready object: every figure's value at the top level (rates as fractions 0–1,
        unrounded, None for an empty denominator), each figure's parts under `figures`, and
        `definitions`."""
        data: dict[str, Any] = {
            "congress": self.congress.code,
            "scope": self.scope.as_dict(),
            "policy": {
                "completion_definition": self.completion_definition,
                "no_feedback_excluded": self.no_feedback_excluded,
            },
        }
        for figure in self:
            data[figure.key] = figure.value
        data["figures"] = {
            f.key: {
                "label": f.label,
                "numerator": f.numerator,
                "denominator": f.denominator,
                "value": f.value,
                "counts": f.counts,
            }
            for f in self
        }
        data["definitions"] = {f.key: f.definition for f in self}
        return data


# --- conditions ------------------------------------------------------------------------------------


def policy_of(congress: Congress) -> Policy:
    """The congress's policy, or the defaults if it has none yet (reading never creates rows)."""
    try:
        return Policy.objects.get(congress=congress)
    except Policy.DoesNotExist:
        return Policy(congress=congress)


class UnitWork:
    """Conditions on the unit work of one suggestion: its deadlines, contacts, replies and
    evaluations, restricted to the *relevant* assignments.

    Each condition is written once, as a condition on the child table's rows (the ``*_rows``
    methods: a `Q` on Deadline, Reply, Contact, Evaluation or Assignment rows). The engine uses them
    two ways: correlated — ``Exists`` of such rows for the suggestion of the outer row (the methods
    without ``_rows``; the drill-down lists and the league table) — and grouped — one read of each
    child table, grouped by suggestion, with one flag column per condition (`_read_flags`; the
    counts).

    `suggestion` is the reference to the suggestion of the outer row (``OuterRef("pk")`` for rows of
    Suggestion, ``OuterRef("suggestion")`` for rows of Assignment) and `relevant(prefix)` the
    condition on an assignment reached through `prefix` (e.g. ``"reply__assignment__"``). The
    congress figures use every assignment that was not cancelled (narrowed by a unit or body
    filter); the league table uses one unit's assignments."""

    def __init__(self, suggestion: OuterRef, relevant, today: datetime.date, congress: Congress) -> None:
        self.suggestion, self.relevant, self.today, self.congress = suggestion, relevant, today, congress

    # deadlines: met / missed ------------------------------------------------------------------
    def deadline_rows(self, kinds, *, unit_work: bool = True) -> Q:
        q = Q(kind__in=kinds)
        return q & self.relevant("assignment__") if unit_work else q

    def met_rows(self, kinds, **kw) -> Q:
        return self.deadline_rows(kinds, **kw) & Q(closed_on_time=True)

    def missed_rows(self, kinds, **kw) -> Q:
        """A deadline of `kinds` was missed, or is open and its date has passed."""
        late = Q(closed_on_time=False) | Q(closed_at__isnull=True, due_on__lt=self.today)
        return self.deadline_rows(kinds, **kw) & late

    def overdue_rows(self, kinds=UNIT_DUTY_DEADLINES, **kw) -> Q:
        """A deadline of `kinds` is open and its date has passed."""
        return self.deadline_rows(kinds, **kw) & Q(closed_at__isnull=True, due_on__lt=self.today)

    def assign_unsettled_rows(self) -> Q:
        """An assignment deadline (交办, or 重新交办 after a unit was relieved) that is open and whose
        date has not passed: the suggestion is still to be (re-)assigned, in time so far."""
        assign = [Deadline.Kind.ASSIGN]
        return self.deadline_rows(assign, unit_work=False) & Q(closed_at__isnull=True, due_on__gte=self.today)

    @staticmethod
    def later_round(kinds) -> Exists:
        """For a Deadline row: the suggestion has a deadline of `kinds` (of any unit) in a later
        round — the row is not of the suggestion's last round of those deadlines."""
        return Exists(
            Deadline.objects.filter(
                suggestion=OuterRef("suggestion"), kind__in=kinds, round__gt=OuterRef("round")
            )
        )

    def _deadline(self, rows: Q, last_round=None) -> Exists:
        qs = Deadline.objects.filter(rows, suggestion=self.suggestion)
        if last_round is not None:
            qs = qs.filter(~self.later_round(last_round))
        return Exists(qs)

    def met(self, kinds, *, last_round: bool = False, **kw) -> Exists:
        """A deadline of `kinds` was met — with `last_round`, in the suggestion's last round that
        has deadlines of `kinds` (a re-handled suggestion is judged on its re-handling round)."""
        return self._deadline(self.met_rows(kinds, **kw), kinds if last_round else None)

    def missed(self, kinds, *, last_round: bool = False, **kw) -> Exists:
        return self._deadline(self.missed_rows(kinds, **kw), kinds if last_round else None)

    def overdue_now(self, kinds=UNIT_DUTY_DEADLINES, **kw) -> Exists:
        return self._deadline(self.overdue_rows(kinds, **kw))

    def ever_late(self) -> Exists:
        return self.missed(UNIT_DUTY_DEADLINES)

    # replies and contacts ---------------------------------------------------------------------
    def reply_rows(self) -> Q:
        """A signed-off reply of a relevant assignment."""
        return self.relevant("assignment__") & Q(signed_off_at__isnull=False)

    def replies(self) -> QuerySet[Reply]:
        return Reply.objects.filter(self.reply_rows(), assignment__suggestion=self.suggestion)

    def replied(self) -> Exists:
        return Exists(self.replies())

    def final_replies(self) -> QuerySet[Reply]:
        """Signed-off replies of the last round in which the suggestion got any reply (of any unit)."""
        later = Reply.objects.filter(
            assignment__suggestion=OuterRef("assignment__suggestion"),
            assignment__round__gt=OuterRef("assignment__round"),
            signed_off_at__isnull=False,
        )
        return self.replies().filter(~Exists(later))

    def final_reply_outside(self, classes: Q) -> Exists:
        """A final-round reply whose result class is not among `classes`."""
        return Exists(self.final_replies().filter(~classes))

    def face_to_face_rows(self) -> Q:
        """A face-to-face contact (visit, meeting, site) that the deputy did not dispute."""
        return self.relevant("assignment__") & Q(method__in=FACE_TO_FACE) & ~Q(state=ContactState.DISPUTED)

    def face_to_face(self) -> Exists:
        return Exists(
            Contact.objects.filter(self.face_to_face_rows(), assignment__suggestion=self.suggestion)
        )

    # evaluations --------------------------------------------------------------------------------
    def evaluation_rows(self, *, count_no_feedback: bool) -> Q:
        """An evaluation of a relevant reply that counts (未反馈 only if the policy counts it)."""
        q = self.relevant("reply__assignment__")
        return q if count_no_feedback else q & Q(kind=Evaluation.Kind.RATED)

    @staticmethod
    def not_good_rows() -> Q:
        """An evaluation that is not 满意/基本满意 (未反馈 included)."""
        return ~Q(kind=Evaluation.Kind.RATED, overall__in=GOOD_RATINGS)

    def _evaluations(self, rows: Q, *, final: bool) -> Exists:
        qs = Evaluation.objects.filter(rows, suggestion=self.suggestion)
        if final:  # no evaluation of the suggestion (of any unit) in a later round
            later = Evaluation.objects.filter(suggestion=OuterRef("suggestion"), round__gt=OuterRef("round"))
            return Exists(qs.filter(~Exists(later)))
        return Exists(qs.filter(round=1))

    def evaluated(self, *, final: bool, count_no_feedback: bool) -> Exists:
        return self._evaluations(self.evaluation_rows(count_no_feedback=count_no_feedback), final=final)

    def not_satisfied(self, *, final: bool, count_no_feedback: bool) -> Exists:
        """Among the counted evaluations of the round, one that is not 满意/基本满意."""
        rows = self.evaluation_rows(count_no_feedback=count_no_feedback) & self.not_good_rows()
        return self._evaluations(rows, final=final)

    def first_round_rated(self) -> Exists:
        return self.evaluated(final=False, count_no_feedback=False)

    def rehandled_rows(self) -> Q:
        """An assignment of a re-handling round (轮次 ≥ 2)."""
        return self.relevant("") & Q(round__gte=2)

    def rehandled(self) -> Exists:
        return Exists(Assignment.objects.filter(self.rehandled_rows(), suggestion=self.suggestion))

    @staticmethod
    def reassign_requested_rows() -> Q:
        """A lead or split unit's request to be relieved (申请调整) that waits for a decision: if it
        is approved the suggestion is assigned again (a co-unit that is relieved is not replaced)."""
        return Q(state=AssignmentState.REASSIGN_REQUESTED) & ~Q(role=AssignmentRole.CO)

    def reassign_requested(self) -> Exists:
        return Exists(Assignment.objects.filter(self.reassign_requested_rows(), suggestion=self.suggestion))

    def assign_unsettled(self) -> Q:
        """The suggestion's assignment is not settled: a (re-)assignment is still to come and its
        date has not passed, or a lead or split unit's request to be relieved waits."""
        return self._deadline(self.assign_unsettled_rows()) | self.reassign_requested()


def resolved_classes() -> Q:
    """Result classes that count as resolved (默认 A)."""
    return Q(result_class__counts_as_resolved=True)


def resolved_or_planned_classes(congress: Congress) -> Q:
    """Resolved classes, and the first two classes of the congress's scheme in its order (默认 A, B)."""
    first_two = ResultClass.objects.filter(congress=congress).order_by("order", "id").values("pk")[:2]
    return resolved_classes() | Q(result_class__in=Subquery(first_two))


class _SuggestionRows:
    """The suggestion-level conditions of one (congress, scope, policy)."""

    def __init__(self, congress: Congress, scope: Scope, policy: Policy) -> None:
        self.congress, self.scope, self.policy = congress, scope, policy
        self.work = UnitWork(OuterRef("pk"), self.relevant, scope.today, congress)

    def relevant(self, prefix: str) -> Q:
        """An assignment that was not cancelled, of the scope's unit / body if one is given."""
        q = ~Q(**{f"{prefix}state": AssignmentState.CANCELLED})
        if self.scope.unit is not None:
            q &= Q(**{f"{prefix}unit_id": self.scope.unit})
        if self.scope.body is not None:
            q &= Q(**{f"{prefix}unit__body_id": self.scope.body})
        return q

    def base(self) -> Q:
        """The congress and the scope's filters (not the dates)."""
        scope = self.scope
        q = Q(congress=self.congress)
        if scope.category is not None:
            q &= Q(category_id=scope.category)
        if scope.channel is not None:
            q &= Q(channel_id=scope.channel)
        if scope.kind is not None:
            q &= Q(kind=scope.kind)
        # `q & Q(x)` builds the same tree as `q & x` for an Exists `x`; the stubs type only `Q & Q`
        # as a Q.
        if scope.theme is not None:
            tagged = S.theme_tags.through.objects.filter(
                suggestion_id=OuterRef("pk"), themetag_id=scope.theme
            )
            q &= Q(Exists(tagged))
        if scope.key is not None:
            member = Exists(ThemeSuggestion.objects.filter(suggestion=OuterRef("pk")))
            q &= Q(member if scope.key else ~member)
        if scope.key_theme is not None:
            q &= Q(
                Exists(ThemeSuggestion.objects.filter(suggestion=OuterRef("pk"), theme_id=scope.key_theme))
            )
        if scope.unit is not None or scope.body is not None:
            assigned = Q(Exists(Assignment.objects.filter(self.relevant(""), suggestion=OuterRef("pk"))))
            if scope.body is not None and scope.unit is None:
                assigned |= Q(forwarded_to_id=scope.body)
            q &= assigned
        return q

    def accepted_ids(self) -> QuerySet:
        return S.objects.filter(self.base() & self.n()).values("pk")

    def n(self) -> Q:
        """Accepted in scope, not merged or withdrawn afterwards."""
        return in_period("accepted_at", self.scope) & ~Q(state__in=["merged", "withdrawn"])

    def prefilter(self) -> Q:
        scope = self.scope
        return (
            in_period("accepted_at", scope)
            | in_period("submitted_at", scope)
            | in_period("state_changed_at", scope)
        )

    def once(self, condition: Any) -> Q:
        """`condition` (a correlated Exists on the suggestion, or a combination of them) evaluated
        once for all accepted suggestions of the scope, as ``pk IN (SELECT …)``. Inside the subquery
        the EXISTS stands in a WHERE clause, which the database plans as a (hash) semi-join; the
        outer IN is uncorrelated and computed once. A correlated EXISTS inside ``COUNT(…) FILTER``
        would instead run once per row."""
        return Q(pk__in=S.objects.filter(self.base() & self.n()).filter(condition).values("pk"))

    def intake(self) -> dict[str, Q]:
        """The intake counts that are not about accepted suggestions, each by the date of its event."""
        scope = self.scope
        return {
            "submitted": in_period("submitted_at", scope),
            "declined": Q(state="declined") & in_period("state_changed_at", scope),
            "merged": Q(state="merged") & in_period("state_changed_at", scope),
            "withdrawn": Q(state="withdrawn", submitted_at__isnull=False)
            & in_period("state_changed_at", scope),
        }

    def flag_conditions(self) -> dict[str, Q]:
        """Every flag of `FLAGS` as a condition on Suggestion rows (accepted in scope and having the
        fact) — what the drill-down lists filter by."""
        w, n, once = self.work, self.n(), self.once
        nf = not self.policy.no_feedback_excluded
        assign = [Deadline.Kind.ASSIGN]
        stat = [Deadline.Kind.REPLY_STATUTORY]
        everyone = UnitWork(OuterRef("pk"), lambda prefix: Q(), self.scope.today, self.congress)
        open_commitments = Commitment.objects.filter(
            reply__signed_off_at__isnull=False, reply__assignment__suggestion__in=self.accepted_ids()
        ).exclude(state=CommitmentState.FULFILLED)
        return {
            "n": n,
            "closed": n & Q(state="closed"),
            "grassroots": n & Q(channel__grassroots=True),
            "assign_met": once(w.met(assign, unit_work=False)),
            "assign_missed": once(w.missed(assign, unit_work=False)),
            "assign_overdue": once(w.overdue_now(assign, unit_work=False)),
            "assign_unsettled": once(w.assign_unsettled()),
            "reply_met": once(w.met(LOCAL_REPLY_DEADLINES, last_round=True)),
            "reply_missed": once(w.missed(LOCAL_REPLY_DEADLINES, last_round=True)),
            "statutory_met": once(w.met(stat)),
            "statutory_missed": once(w.missed(stat)),
            "duty_overdue": once(w.overdue_now()),
            "replied": once(w.replied()),
            "final_unresolved": once(w.final_reply_outside(resolved_classes())),
            "final_unplanned": once(w.final_reply_outside(resolved_or_planned_classes(self.congress))),
            "face_to_face": once(w.face_to_face()),
            "final_evaluated": once(w.evaluated(final=True, count_no_feedback=nf)),
            "final_not_good": once(w.not_satisfied(final=True, count_no_feedback=nf)),
            "first_evaluated": once(w.evaluated(final=False, count_no_feedback=nf)),
            "first_not_good": once(w.not_satisfied(final=False, count_no_feedback=nf)),
            "first_rated": once(w.first_round_rated()),
            "rehandled": once(w.rehandled()),
            "any_final_evaluated": once(everyone.evaluated(final=True, count_no_feedback=True)),
            "any_final_not_good": once(everyone.not_satisfied(final=True, count_no_feedback=True)),
            "commitment_open": n & Q(pk__in=open_commitments.values("reply__assignment__suggestion_id")),
        }

    def formulas(self, f: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
        """figure key → (numerator, denominator) over the flags `f` of the accepted suggestions
        (denominator None for counts), for the suggestion-counted figures but the intake counts.

        The one statement of how the figures are made of the flags. `f` maps each name of `FLAGS` to
        a value with ``&``, ``|`` and ``~``: a `Q` from `flag_conditions` (the drill-down lists) or an
        `Ids` from `_read_flags` (the counts)."""
        completed = f["closed"]
        definition = self.policy.completion_definition
        if definition == Policy.CompletionDefinition.CLOSED_SATISFIED:
            completed = completed & f["any_final_evaluated"] & ~f["any_final_not_good"]
        elif definition == Policy.CompletionDefinition.CLOSED_COMMITMENTS:
            completed = completed & ~f["commitment_open"]

        def on_time(met: str, missed: str) -> tuple[Any, Any]:
            return f[met] & ~f[missed], f[met] | f[missed]

        # assigned on time: met, none missed, and settled — no (re-)assignment still to come in time
        # and no lead or split unit's request to be relieved waiting; one already missed is late
        assigned_on_time = f["assign_met"] & ~f["assign_missed"] & ~f["assign_unsettled"]
        replied = f["replied"]
        return {
            "suggestions": (f["n"], None),
            "grassroots_share": (f["grassroots"], f["n"]),
            "on_time_assignment_rate": (assigned_on_time, assigned_on_time | f["assign_missed"]),
            "on_time_reply_rate": on_time("reply_met", "reply_missed"),
            "on_time_reply_statutory_rate": on_time("statutory_met", "statutory_missed"),
            "contact_rate": (replied & f["face_to_face"], replied),
            "completion_rate": (completed, f["n"]),
            "satisfaction_rate": (f["final_evaluated"] & ~f["final_not_good"], f["final_evaluated"]),
            "first_round_satisfaction_rate": (
                f["first_evaluated"] & ~f["first_not_good"],
                f["first_evaluated"],
            ),
            "rehandling_rate": (f["first_rated"] & f["rehandled"], f["first_rated"]),
            "resolution_rate": (replied & ~f["final_unresolved"], replied),
            "resolution_or_plan_rate": (replied & ~f["final_unplanned"], replied),
            "overdue": (f["duty_overdue"] | f["assign_overdue"], None),
        }

    def pairs(self) -> dict[str, tuple[Q, Q | None]]:
        """figure key → (numerator, denominator) conditions on Suggestion rows, for every
        suggestion-counted figure (the drill-down lists)."""
        return {
            **{key: (q, None) for key, q in self.intake().items()},
            **self.formulas(self.flag_conditions()),
        }

    # deputies ---------------------------------------------------------------------------------
    def deputies_in_office(self) -> QuerySet[Deputy]:
        qs = Deputy.objects.filter(congress=self.congress)
        if self.scope.end:
            qs = qs.filter(in_office_from__lte=self.scope.end)
        if self.scope.start:
            qs = qs.filter(Q(in_office_to__isnull=True) | Q(in_office_to__gte=self.scope.start))
        return qs

    def participated(self) -> Q:
        """Led or confirmed co-signed an accepted suggestion in scope, or one merged into such."""
        # Four plain semi-joins, each on an index: an OR inside one subquery ("accepted, or merged
        # into an accepted one") would make the database read every suggestion of every congress.
        accepted = S.objects.filter(self.base() & self.n())
        merged = S.objects.filter(state="merged", main__in=accepted.values("pk"))
        took_part = Q()
        for suggestions in (accepted, merged):
            confirmed = CoSigner.objects.filter(
                state=CoSignerState.CONFIRMED, suggestion__in=suggestions.values("pk")
            )
            took_part |= Q(pk__in=suggestions.values("lead_id")) | Q(pk__in=confirmed.values("deputy_id"))
        return took_part

    # commitments --------------------------------------------------------------------------------
    def commitments(self) -> QuerySet[Commitment]:
        return Commitment.objects.filter(
            self.relevant("reply__assignment__"),
            reply__signed_off_at__isnull=False,
            reply__assignment__suggestion__in=self.accepted_ids(),
        )

    def commitment_pair(self) -> tuple[Q, Q]:
        due = Q(due_on__lte=self.scope.today) | ~Q(state=CommitmentState.OPEN)
        return due & Q(state=CommitmentState.FULFILLED), due


# --- counting: one grouped read per table ------------------------------------------------------------

#: The facts about an accepted suggestion that the figures combine (`_SuggestionRows.formulas`).
FLAGS = (
    "n", "closed", "grassroots",
    "assign_met", "assign_missed", "assign_overdue", "assign_unsettled", "reply_met", "reply_missed",
    "statutory_met", "statutory_missed", "duty_overdue",
    "replied", "final_unresolved", "final_unplanned", "face_to_face",
    "final_evaluated", "final_not_good", "first_evaluated", "first_not_good", "first_rated",
    "rehandled", "any_final_evaluated", "any_final_not_good", "commitment_open",
)  # fmt: skip


@dataclass(frozen=True)
class Ids:
    """Ids of accepted suggestions of the scope; ``~`` is the complement among them."""

    ids: frozenset[int]
    universe: frozenset[int]

    def __and__(self, other: Ids) -> Ids:
        return Ids(self.ids & other.ids, self.universe)

    def __or__(self, other: Ids) -> Ids:
        return Ids(self.ids | other.ids, self.universe)

    def __invert__(self) -> Ids:
        return Ids(self.universe - self.ids, self.universe)

    def __len__(self) -> int:
        return len(self.ids)


def _grouped(qs: QuerySet, keys: tuple[str, ...], conditions: dict[str, Q]) -> Iterator[tuple[Any, ...]]:
    """The rows of `qs` grouped by `keys`, as (key values…, names) where `names` is the set of the
    `conditions` that some row of the group meets. The database sends them as one bit mask per group
    (one column to convert per row, however many conditions)."""
    bits = [(name, 1 << i) for i, name in enumerate(conditions)]
    mask = sum(
        (
            Max(Case(When(q, then=Value(bit)), default=Value(0)))
            for (_name, bit), q in zip(bits, conditions.values(), strict=True)
        ),
        Value(0),
    )
    for *key, got in qs.order_by().values(*keys).annotate(_mask=mask).values_list(*keys, "_mask"):
        yield (*key, {name for name, bit in bits if got & bit})


def _last_rounds(rows: Iterable[tuple[Any, ...]]) -> dict[int, int]:
    """suggestion id → its last round, for rows of (suggestion id, round, …)."""
    last: dict[int, int] = {}
    for pk, round_, *_rest in rows:
        if round_ > last.get(pk, 0):
            last[pk] = round_
    return last


def _read_flags(rows: _SuggestionRows) -> dict[str, Ids]:  # noqa: C901, PLR0912
    """Every flag of `FLAGS` for the accepted suggestions of the scope, reading each table once,
    grouped by suggestion (and round, where the last round matters): six queries (seven when
    completion counts commitments) whatever the size of the scope. The conditions are `UnitWork`'s
    row conditions — the same ones the drill-down lists put in their EXISTS."""
    w, accepted = rows.work, rows.accepted_ids()
    nf = not rows.policy.no_feedback_excluded
    sets: dict[str, set[int]] = {name: set() for name in FLAGS}

    for pk, state, grassroots in (
        S.objects.filter(rows.base() & rows.n()).order_by().values_list("pk", "state", "channel__grassroots")
    ):
        sets["n"].add(pk)
        if state == "closed":
            sets["closed"].add(pk)
        if grassroots:
            sets["grassroots"].add(pk)

    # deadlines, grouped by suggestion and round: the local reply deadlines count in the last round
    # that has any (of any unit), as `UnitWork.met(…, last_round=True)` says
    assign, stat = [Deadline.Kind.ASSIGN], [Deadline.Kind.REPLY_STATUTORY]
    deadlines = list(
        _grouped(
            Deadline.objects.filter(suggestion__in=accepted),
            ("suggestion_id", "round"),
            {
                "assign_met": w.met_rows(assign, unit_work=False),
                "assign_missed": w.missed_rows(assign, unit_work=False),
                "assign_overdue": w.overdue_rows(assign, unit_work=False),
                "assign_unsettled": w.assign_unsettled_rows(),
                "reply_met": w.met_rows(LOCAL_REPLY_DEADLINES),
                "reply_missed": w.missed_rows(LOCAL_REPLY_DEADLINES),
                "statutory_met": w.met_rows(stat),
                "statutory_missed": w.missed_rows(stat),
                "duty_overdue": w.overdue_rows(),
                "reply_round": Q(kind__in=LOCAL_REPLY_DEADLINES),
            },
        )
    )
    last = _last_rounds(row for row in deadlines if "reply_round" in row[2])
    for pk, round_, names in deadlines:
        for name in names - {"reply_round"}:
            if name not in ("reply_met", "reply_missed") or round_ == last[pk]:
                sets[name].add(pk)

    # replies: the last round is that of any signed-off reply of the suggestion (of any unit)
    reply = w.reply_rows()
    replies = list(
        _grouped(
            Reply.objects.filter(signed_off_at__isnull=False, assignment__suggestion__in=accepted),
            ("assignment__suggestion_id", "assignment__round"),
            {
                "replied": reply,
                "final_unresolved": reply & ~resolved_classes(),
                "final_unplanned": reply & ~resolved_or_planned_classes(rows.congress),
            },
        )
    )
    last = _last_rounds(replies)
    for pk, round_, names in replies:
        for name in names:
            if name == "replied" or round_ == last[pk]:
                sets[name].add(pk)

    # evaluations: the last round is that of any evaluation of the suggestion (of any unit)
    counted = w.evaluation_rows(count_no_feedback=nf)
    evaluations = list(
        _grouped(
            Evaluation.objects.filter(suggestion__in=accepted),
            ("suggestion_id", "round"),
            {
                "evaluated": counted,
                "not_good": counted & w.not_good_rows(),
                "rated": w.evaluation_rows(count_no_feedback=False),
                "any_not_good": w.not_good_rows(),
            },
        )
    )
    last = _last_rounds(evaluations)
    final = {
        "evaluated": "final_evaluated",
        "not_good": "final_not_good",
        "any_not_good": "any_final_not_good",
    }
    first = {"evaluated": "first_evaluated", "not_good": "first_not_good", "rated": "first_rated"}
    for pk, round_, names in evaluations:
        if round_ == last[pk]:
            sets["any_final_evaluated"].add(pk)
            for name in names & final.keys():
                sets[final[name]].add(pk)
        if round_ == 1:
            for name in names & first.keys():
                sets[first[name]].add(pk)

    sets["face_to_face"].update(
        Contact.objects.filter(w.face_to_face_rows(), assignment__suggestion__in=accepted)
        .order_by()
        .values_list("assignment__suggestion_id", flat=True)
        .distinct()
    )
    rehandled, requested = w.rehandled_rows(), w.reassign_requested_rows()
    for pk, names in _grouped(
        Assignment.objects.filter(rehandled | requested, suggestion__in=accepted),
        ("suggestion_id",),
        {"rehandled": rehandled, "assign_unsettled": requested},
    ):
        for name in names:
            sets[name].add(pk)
    if rows.policy.completion_definition == Policy.CompletionDefinition.CLOSED_COMMITMENTS:
        sets["commitment_open"].update(
            Commitment.objects.filter(
                reply__signed_off_at__isnull=False, reply__assignment__suggestion__in=accepted
            )
            .exclude(state=CommitmentState.FULFILLED)
            .order_by()
            .values_list("reply__assignment__suggestion_id", flat=True)
            .distinct()
        )
    universe = frozenset(sets["n"])
    return {name: Ids(frozenset(ids), universe) for name, ids in sets.items()}


# --- public API ------------------------------------------------------------------------------------


@contextmanager
def reporting_query() -> Iterator[None]:
    """Run the wide aggregate queries of this module. On PostgreSQL, JIT compilation is switched
    off for the transaction: these queries have dozens of (cheap, run-once) subplans, and compiling
    them costs far more than running them (measured: 89 s with JIT, 3.8 s without, on 20 000
    suggestions). Elsewhere it does nothing."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(savepoint=False):
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
        yield


def _value(numerator: int, denominator: int | None) -> float | int | None:
    if denominator is None:
        return numerator
    return numerator / denominator if denominator else None


def compute_figures(congress: Congress, scope: Scope, *, policy: Policy | None = None) -> Figures:
    """Every figure of DOMAIN.md §5 for `congress` and `scope`, in a fixed number of queries whatever
    the size of the data: the policy, the intake counts, the six grouped reads of `_read_flags`
    (seven when completion counts commitments), the deputies and the commitments (on PostgreSQL one
    more, see `reporting_query`)."""
    policy = policy or policy_of(congress)
    rows = _SuggestionRows(congress, scope, policy)
    intake = rows.intake()
    c_num, c_den = rows.commitment_pair()
    with reporting_query():
        counts = S.objects.filter(rows.base() & rows.prefilter()).aggregate(
            **{key: Count("pk", filter=q) for key, q in intake.items()}
        )
        flags = _read_flags(rows)
        deputies = rows.deputies_in_office().aggregate(
            in_office=Count("pk"), participating=Count("pk", filter=rows.participated())
        )
        commitments = rows.commitments().aggregate(n=Count("pk", filter=c_num), d=Count("pk", filter=c_den))

    parts: dict[str, tuple[int, int | None]] = {key: (counts[key], None) for key in intake}
    for key, (num, den) in rows.formulas(flags).items():
        parts[key] = (len(num), None if den is None else len(den))
    parts["deputies_in_office"] = (deputies["in_office"], None)
    parts["participating_deputies"] = (deputies["participating"], None)
    parts["participation_rate"] = (deputies["participating"], deputies["in_office"])
    parts["commitment_fulfilment_rate"] = (commitments["n"], commitments["d"])

    texts = definitions(policy)
    figures = Figures(
        congress=congress,
        scope=scope,
        completion_definition=policy.completion_definition,
        no_feedback_excluded=policy.no_feedback_excluded,
    )
    for spec in SPECS:
        numerator, denominator = parts[spec.key]
        figures.items[spec.key] = Figure(
            key=spec.key,
            label=str(spec.label),
            numerator=numerator,
            denominator=denominator if spec.rate else None,
            value=_value(numerator, denominator if spec.rate else None),
            definition=texts[spec.key],
            counts=spec.counts,
            group=spec.group,
        )
    return figures


PARTS = ("numerator", "denominator")


def _check(key: str, part: str, counts: str) -> Spec:
    spec = SPEC_BY_KEY.get(key)
    if spec is None:
        raise KeyError(key)
    if part not in PARTS or (part == "denominator" and not spec.rate):
        raise ValueError(f"{key} has no {part}")
    if spec.counts != counts:
        raise ValueError(f"{key} counts {spec.counts}")
    return spec


def figure_members(
    congress: Congress, scope: Scope, key: str, part: str = "numerator", *, policy: Policy | None = None
) -> QuerySet[Suggestion]:
    """The suggestions counted in `part` of figure `key` — as many as the number shown. For the
    commitment figure: the suggestions whose commitments are counted (use `figure_commitments` for
    the commitments themselves). Participation counts deputies: use `figure_deputies`."""
    spec = SPEC_BY_KEY.get(key)
    if spec is not None and spec.counts == COMMITMENTS:
        _check(key, part, COMMITMENTS)
        commitments = figure_commitments(congress, scope, key, part, policy=policy)
        return S.objects.filter(pk__in=commitments.values("reply__assignment__suggestion"))
    _check(key, part, SUGGESTIONS)
    rows = _SuggestionRows(congress, scope, policy or policy_of(congress))
    num, den = rows.pairs()[key]
    condition = num if part == "numerator" else den
    assert condition is not None  # `_check`: only a rate has a denominator, and every rate has one
    return S.objects.filter(rows.base() & condition)


def figure_deputies(
    congress: Congress, scope: Scope, key: str, part: str = "numerator", *, policy: Policy | None = None
) -> QuerySet[Deputy]:
    """The deputies counted in `part` of a deputy figure (in office / participating)."""
    _check(key, part, DEPUTIES)
    rows = _SuggestionRows(congress, scope, policy or policy_of(congress))
    qs = rows.deputies_in_office()
    if key == "participating_deputies" or (key == "participation_rate" and part == "numerator"):
        qs = qs.filter(rows.participated())
    return qs


def figure_commitments(
    congress: Congress, scope: Scope, key: str, part: str = "numerator", *, policy: Policy | None = None
) -> QuerySet[Commitment]:
    """The commitments counted in `part` of the commitment fulfilment figure."""
    _check(key, part, COMMITMENTS)
    rows = _SuggestionRows(congress, scope, policy or policy_of(congress))
    num, den = rows.commitment_pair()
    return rows.commitments().filter(num if part == "numerator" else den)
