"""Every change to an award round goes through a `do_*` action here: it locks the round, checks the
actor's permission (`rules.py`) and the round's state (`states.py`), validates, saves and writes its
audit row (codes ``award.*``) in the same transaction. A refused move raises a
`minyi.core.errors.DomainError` with a Chinese message and changes nothing.

Decisions (also in docs/user-guide/awards-and-points.md):

- A round is for one calendar quarter of one congress (one round per quarter); it may be opened once
  the quarter has begun. It starts with default weighted criteria for each track, which the admin
  may change until scoring starts.
- Opening nominations proposes the nominees by the published rules (`selectors.SUGGESTION_RULE`,
  `selectors.UNIT_RULE`); the admin may run the proposal again, add nominees with a reason, and
  remove nominees with a reason (a removed nominee stays listed, with the reason; adding it again
  restores it).
- Scoring may start when every track with nominees has criteria and every nominee can get at least
  the minimum number of scores from judges who are not excluded for a conflict of interest.
- Judges score every criterion of a nominee at once (0–100 each) and may revise until scoring
  closes; a judge excluded for a conflict of interest (`selectors.CONFLICT_RULE`) is refused.
- Scoring closes at the deadline (the scheduled job, `close_overdue_rounds`) or earlier by the admin
  once every judge has scored every nominee they may score. The results are computed then
  (`selectors.compute_results`) and kept; reopening scoring (with a new deadline and a reason)
  drops them (the audit row keeps them).
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from minyi import audit
from minyi.accounts.models import Membership, Role
from minyi.congress.models import Congress, Unit
from minyi.core.errors import DeadlinePassed, InvalidTransition, NotPermitted, ValidationFailed
from minyi.core.kit import Actor, Ctx, authorize, clean_text, record

from . import selectors
from .models import AwardResult, AwardRound, Criterion, JudgeAssignment, Nominee, Score, quarter_bounds
from .states import MACHINE, SETUP_STATES, Move, RoundState, Track, transition_for

ROUND_FIELDS = ["title", "scoring_deadline", "min_scores", "suggestion_quota", "unit_quota", "unit_min_count"]
CRITERION_FIELDS = ["name", "description", "weight", "order"]
#: (name, description, weight) of the criteria a new round starts with, per track.
DEFAULT_CRITERIA: dict[str, list[tuple[str, str, int]]] = {
    Track.SUGGESTION: [
        ("选题精准", "反映群众普遍关切，紧扣中心工作", 30),
        ("内容具体可行", "问题清楚、分析深入、建议具体可行", 30),
        ("办理成效", "推动问题解决的实际效果", 40),
    ],
    Track.UNIT: [
        ("按期办理", "按期签收、联系代表、答复", 25),
        ("沟通联系", "办前、办中、办后与代表沟通", 25),
        ("办理成效", "问题解决和承诺事项落实情况", 30),
        ("代表满意", "代表测评结果", 20),
    ],
}
MIN_YEAR, MAX_YEAR = 2000, 2100


# --- helpers ---------------------------------------------------------------------------------------


def _admin_only() -> str:
    return _("只有人大管理员可以管理评选。")


def _lock(award_round: AwardRound | int) -> AwardRound:
    pk = award_round if isinstance(award_round, int) else award_round.pk
    return AwardRound.objects.select_for_update(of=("self",)).select_related("congress").get(pk=pk)


def _record(code: str, award_round: AwardRound, *, actor: Actor, obj: Any = None, **kw: Any) -> None:
    """One audit row about `award_round` (its own correlation id unless one is given)."""
    correlation_id = kw.pop("correlation_id", None) or uuid.uuid4()
    ctx = Ctx(actor=actor, congress=award_round.congress, correlation_id=correlation_id)
    record(ctx, code, obj or award_round, **kw)


def _in_setup(award_round: AwardRound, what: str) -> None:
    if award_round.state not in SETUP_STATES:
        raise InvalidTransition(
            _("评选当前为“%(s)s”，不能再%(what)s。") % {"s": award_round.get_state_display(), "what": what},
            code="not_in_setup",
        )


def _move(award_round: AwardRound, action: str, now: datetime.datetime) -> Move:
    """The table allows `action` from the round's state (the actions check the admin role first,
    through `rules.py`); sets the target state."""
    move = MACHINE.require_move(award_round.state, action)
    MACHINE.apply(award_round, move, now)
    return move


def _check_settings(award_round: AwardRound, *, now: datetime.datetime, deadline_changed: bool) -> None:
    errors = []
    if deadline_changed and (award_round.scoring_deadline is None or award_round.scoring_deadline <= now):
        raise ValidationFailed(_("评分截止时间须晚于现在。"), code="deadline_past")
    for name, low, high in (
        ("min_scores", 1, 50),
        ("suggestion_quota", 1, 100),
        ("unit_quota", 1, 100),
        ("unit_min_count", 1, 1000),
    ):
        value = getattr(award_round, name)
        if not isinstance(value, int) or not low <= value <= high:
            label = getattr(AwardRound._meta.get_field(name), "verbose_name", name)
            errors.append(_("%(f)s须在%(a)s至%(b)s之间。") % {"f": label, "a": low, "b": high})
    award_round.title = (award_round.title or "").strip()
    if not award_round.title:
        errors.append(_("请填写评选名称。"))
    elif len(award_round.title) > 100:
        errors.append(_("评选名称不能超过100个字。"))
    if errors:
        raise ValidationFailed("；".join(errors), code="bad_settings")


def default_title(year: int, quarter: int) -> str:
    from .models import QUARTER_LABELS

    return _("%(y)s年%(q)s优秀建议和先进承办单位评选") % {"y": year, "q": QUARTER_LABELS[quarter]}


# --- rounds ----------------------------------------------------------------------------------------


@transaction.atomic
def do_create_round(
    congress: Congress,
    *,
    actor: Actor,
    year: int,
    quarter: int,
    scoring_deadline: datetime.datetime,
    title: str = "",
    min_scores: int = 3,
    suggestion_quota: int = 5,
    unit_quota: int = 3,
    unit_min_count: int = 5,
) -> AwardRound:
    """Open a round (草稿) for a quarter that has begun, with the default criteria of each track."""
    authorize(actor, "awards.manage", congress, _admin_only())
    now = timezone.now()
    if not isinstance(year, int) or not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationFailed(
            _("请填写%(a)s至%(b)s之间的年度。") % {"a": MIN_YEAR, "b": MAX_YEAR}, code="bad_year"
        )
    if quarter not in (1, 2, 3, 4):
        raise ValidationFailed(_("请选择第一至第四季度。"), code="bad_quarter")
    if quarter_bounds(year, quarter)[0] > timezone.localdate(now):
        raise ValidationFailed(_("该季度尚未开始，不能评选。"), code="quarter_not_started")
    if AwardRound.objects.filter(congress=congress, year=year, quarter=quarter).exists():
        raise ValidationFailed(_("该季度已有评选。"), code="round_exists")
    award_round = AwardRound(
        congress=congress,
        year=year,
        quarter=quarter,
        title=title or default_title(year, quarter),
        scoring_deadline=scoring_deadline,
        min_scores=min_scores,
        suggestion_quota=suggestion_quota,
        unit_quota=unit_quota,
        unit_min_count=unit_min_count,
        created_by=actor,
        state_changed_at=now,
    )
    _check_settings(award_round, now=now, deadline_changed=True)
    award_round.save()
    for track, items in DEFAULT_CRITERIA.items():
        for order, (name, description, weight) in enumerate(items, 1):
            Criterion.objects.create(
                round=award_round, track=track, name=name, description=description, weight=weight, order=order
            )
    _record(
        "award.round_created",
        award_round,
        actor=actor,
        new={
            **audit.snapshot(award_round, ["year", "quarter", *ROUND_FIELDS]),
            "criteria": {t: [[n, w] for n, _d, w in items] for t, items in DEFAULT_CRITERIA.items()},
        },
    )
    return award_round


@transaction.atomic
def do_update_round(award_round: AwardRound, *, actor: Actor, changes: Mapping[str, Any]) -> AwardRound:
    """Change the round's settings (names in `ROUND_FIELDS`) before scoring starts; while scoring,
    only the deadline may change (to a later time)."""
    award_round = _lock(award_round)
    authorize(actor, "awards.manage_round", award_round, _admin_only())
    unknown = set(changes) - set(ROUND_FIELDS)
    if unknown:
        raise ValidationFailed(
            _("未知的字段：%(f)s") % {"f": ", ".join(sorted(unknown))}, code="unknown_field"
        )
    if award_round.state == RoundState.SCORING:
        if set(changes) - {"scoring_deadline"}:
            raise InvalidTransition(_("评分开始后只能延长评分截止时间。"), code="not_in_setup")
    else:
        _in_setup(award_round, _("修改设置"))
    old = audit.snapshot(award_round, list(changes))
    for name, value in changes.items():
        setattr(award_round, name, value)
    changed = [n for n in changes if audit.snapshot(award_round, [n])[n] != old[n]]
    if not changed:
        return award_round
    _check_settings(award_round, now=timezone.now(), deadline_changed="scoring_deadline" in changed)
    award_round.save()
    _record(
        "award.round_updated",
        award_round,
        actor=actor,
        old={k: old[k] for k in changed},
        new=audit.snapshot(award_round, changed),
    )
    return award_round


# --- criteria --------------------------------------------------------------------------------------


def _check_criterion(c: Criterion) -> None:
    c.name = (c.name or "").strip()
    c.description = (c.description or "").strip()
    if c.track not in Track.values:
        raise ValidationFailed(_("请选择评选类别。"), code="bad_track")
    if not c.name:
        raise ValidationFailed(_("请填写评分项名称。"), code="name_required")
    if len(c.name) > 60 or len(c.description) > 200:
        raise ValidationFailed(_("评分项名称不能超过60个字，说明不能超过200个字。"), code="too_long")
    if not isinstance(c.weight, int) or not 1 <= c.weight <= 100:
        raise ValidationFailed(_("权重须为1至100的整数。"), code="bad_weight")
    if Criterion.objects.filter(round=c.round, track=c.track, name=c.name).exclude(pk=c.pk).exists():
        raise ValidationFailed(_("该类别已有评分项“%(n)s”。") % {"n": c.name}, code="duplicate_criterion")


@transaction.atomic
def do_add_criterion(
    award_round: AwardRound, *, actor: Actor, track: str, name: str, weight: int, description: str = ""
) -> Criterion:
    award_round = _lock(award_round)
    authorize(actor, "awards.manage_round", award_round, _admin_only())
    _in_setup(award_round, _("修改评分标准"))
    order = Criterion.objects.filter(round=award_round, track=track).count() + 1
    c = Criterion(
        round=award_round, track=track, name=name, weight=weight, description=description, order=order
    )
    _check_criterion(c)
    c.save()
    _record(
        "award.criterion_added",
        award_round,
        actor=actor,
        obj=c,
        new=audit.snapshot(c, ["track", *CRITERION_FIELDS]),
    )
    return c


@transaction.atomic
def do_update_criterion(criterion: Criterion, *, actor: Actor, changes: Mapping[str, Any]) -> Criterion:
    award_round = _lock(criterion.round_id)
    criterion = Criterion.objects.select_for_update().get(pk=criterion.pk)
    authorize(actor, "awards.manage_round", award_round, _admin_only())
    _in_setup(award_round, _("修改评分标准"))
    unknown = set(changes) - set(CRITERION_FIELDS)
    if unknown:
        raise ValidationFailed(
            _("未知的字段：%(f)s") % {"f": ", ".join(sorted(unknown))}, code="unknown_field"
        )
    old = audit.snapshot(criterion, list(changes))
    for name, value in changes.items():
        setattr(criterion, name, value)
    criterion.round = award_round
    _check_criterion(criterion)
    changed = [n for n in changes if audit.snapshot(criterion, [n])[n] != old[n]]
    if not changed:
        return criterion
    criterion.save()
    _record(
        "award.criterion_updated",
        award_round,
        actor=actor,
        obj=criterion,
        old={k: old[k] for k in changed},
        new=audit.snapshot(criterion, changed),
    )
    return criterion


@transaction.atomic
def do_remove_criterion(criterion: Criterion, *, actor: Actor) -> None:
    award_round = _lock(criterion.round_id)
    criterion = Criterion.objects.select_for_update().get(pk=criterion.pk)
    authorize(actor, "awards.manage_round", award_round, _admin_only())
    _in_setup(award_round, _("修改评分标准"))
    old = audit.snapshot(criterion, ["track", *CRITERION_FIELDS])
    _record("award.criterion_removed", award_round, actor=actor, obj=criterion, old=old)
    criterion.delete()


# --- panel -----------------------------------------------------------------------------------------


@transaction.atomic
def do_assign_judge(award_round: AwardRound, *, actor: Actor, judge: Any) -> JudgeAssignment:
    """Put a user with the judge role (评审专家) of the congress on the round's panel."""
    award_round = _lock(award_round)
    authorize(actor, "awards.manage_round", award_round, _admin_only())
    _in_setup(award_round, _("调整评审名单"))
    if judge is None:
        raise ValidationFailed(_("请选择评审。"), code="judge_required")
    if not Membership.objects.filter(
        user=judge, congress=award_round.congress, role=Role.JUDGE, active=True
    ).exists():
        raise ValidationFailed(_("%(u)s在本人大没有评审专家角色。") % {"u": judge}, code="not_a_judge")
    if JudgeAssignment.objects.filter(round=award_round, judge=judge).exists():
        raise ValidationFailed(_("%(u)s已在评审名单中。") % {"u": judge}, code="already_judge")
    assignment = JudgeAssignment.objects.create(round=award_round, judge=judge, added_by=actor)
    _record("award.judge_assigned", award_round, actor=actor, target_user=judge, new={"judge": judge.pk})
    return assignment


@transaction.atomic
def do_remove_judge(award_round: AwardRound, *, actor: Actor, judge: Any) -> None:
    award_round = _lock(award_round)
    authorize(actor, "awards.manage_round", award_round, _admin_only())
    _in_setup(award_round, _("调整评审名单"))
    assignment = JudgeAssignment.objects.filter(round=award_round, judge=judge).first()
    if assignment is None:
        raise ValidationFailed(_("%(u)s不在评审名单中。") % {"u": judge}, code="not_on_panel")
    assignment.delete()
    _record("award.judge_removed", award_round, actor=actor, target_user=judge, old={"judge": judge.pk})


# --- nominees --------------------------------------------------------------------------------------


def _propose(award_round: AwardRound, actor: Actor, correlation_id: uuid.UUID) -> list[Nominee]:
    """Add the candidates of the published rules that are not nominees yet (a removed nominee is not
    brought back: the admin removed it for a reason)."""
    present_s = set(
        Nominee.objects.filter(round=award_round, suggestion__isnull=False).values_list(
            "suggestion_id", flat=True
        )
    )
    present_u = set(
        Nominee.objects.filter(round=award_round, unit__isnull=False).values_list("unit_id", flat=True)
    )
    added = []
    now = timezone.now()
    for suggestion, basis in selectors.suggestion_candidates(award_round):
        if suggestion.pk in present_s:
            continue
        n = Nominee.objects.create(
            round=award_round,
            track=Track.SUGGESTION,
            suggestion=suggestion,
            source=Nominee.Source.PROPOSED,
            basis=basis,
            reason=str(selectors.SUGGESTION_RULE),
            added_by=actor,
            added_at=now,
        )
        _record(
            "award.nominee_proposed",
            award_round,
            actor=actor,
            obj=n,
            suggestion=suggestion,
            new={"track": n.track, "basis": basis},
            correlation_id=correlation_id,
        )
        added.append(n)
    for unit, basis in selectors.unit_candidates(award_round):
        if unit.pk in present_u:
            continue
        n = Nominee.objects.create(
            round=award_round,
            track=Track.UNIT,
            unit=unit,
            source=Nominee.Source.PROPOSED,
            basis=basis,
            reason=str(selectors.UNIT_RULE),
            added_by=actor,
            added_at=now,
        )
        _record(
            "award.nominee_proposed",
            award_round,
            actor=actor,
            obj=n,
            unit=unit,
            new={"track": n.track, "basis": basis},
            correlation_id=correlation_id,
        )
        added.append(n)
    return added


@transaction.atomic
def do_open_nominations(award_round: AwardRound, *, actor: Actor) -> list[Nominee]:
    """草稿 → 提名中, proposing the nominees by the published rules. Returns the proposed nominees."""
    award_round = _lock(award_round)
    authorize(actor, "awards.manage_round", award_round, _admin_only())
    now = timezone.now()
    source = award_round.state
    _move(award_round, "open_nominations", now)
    award_round.save(update_fields=["state", "state_changed_at", "updated_at"])
    correlation_id = uuid.uuid4()
    _record(
        "award.nominations_opened",
        award_round,
        actor=actor,
        old={"state": source},
        new={"state": award_round.state},
        correlation_id=correlation_id,
    )
    return _propose(award_round, actor, correlation_id)


@transaction.atomic
def do_propose_nominees(award_round: AwardRound, *, actor: Actor) -> list[Nominee]:
    """Run the nomination rules again while nominating (e.g. after more suggestions were closed)."""
    award_round = _lock(award_round)
    authorize(actor, "awards.manage_round", award_round, _admin_only())
    if award_round.state != RoundState.NOMINATING:
        raise InvalidTransition(_("只有提名阶段可以按规则提名。"), code="not_nominating")
    return _propose(award_round, actor, uuid.uuid4())


@transaction.atomic
def do_add_nominee(
    award_round: AwardRound, *, actor: Actor, reason: str, suggestion: Any = None, unit: Unit | None = None
) -> Nominee:
    """An admin adds a suggestion (优秀建议) or a unit (先进承办单位) as a nominee, with a reason."""
    award_round = _lock(award_round)
    authorize(actor, "awards.manage_round", award_round, _admin_only())
    if award_round.state != RoundState.NOMINATING:
        raise InvalidTransition(_("只有提名阶段可以增补候选。"), code="not_nominating")
    if (suggestion is None) == (unit is None):
        raise ValidationFailed(_("请选择一件建议或一个承办单位。"), code="subject_required")
    reason = clean_text(reason, _("请写明增补理由。"), code="reason_required")
    subject: Any = suggestion if suggestion is not None else unit
    if subject.congress_id != award_round.congress_id:
        raise ValidationFailed(_("所选对象不属于本人大。"), code="wrong_congress")
    if suggestion is not None:
        from minyi.suggestions.states import SuggestionState

        if suggestion.accepted_at is None or suggestion.state in (
            SuggestionState.WITHDRAWN,
            SuggestionState.MERGED,
            SuggestionState.DECLINED,
        ):
            raise ValidationFailed(_("只有已立案（未撤回、未并案）的建议可以参评。"), code="not_accepted")
        track, lookup = Track.SUGGESTION, {"suggestion": suggestion}
    else:
        if not unit.active:  # type: ignore[union-attr]
            raise ValidationFailed(_("承办单位“%(u)s”已停用。") % {"u": unit}, code="inactive")
        track, lookup = Track.UNIT, {"unit": unit}
    existing = Nominee.objects.filter(round=award_round, **lookup).first()
    now = timezone.now()
    if existing is not None and not existing.removed:
        raise ValidationFailed(_("“%(s)s”已是候选。") % {"s": subject}, code="already_nominated")
    if existing is not None:
        old = audit.snapshot(existing, ["removed", "removed_reason", "reason"])
        existing.removed, existing.removed_reason, existing.removed_by, existing.removed_at = (
            False,
            "",
            None,
            None,
        )
        existing.source, existing.reason, existing.added_by, existing.added_at = (
            Nominee.Source.MANUAL,
            reason,
            actor,
            now,
        )
        existing.save()
        nominee = existing
    else:
        old = None
        nominee = Nominee.objects.create(
            round=award_round,
            track=track,
            source=Nominee.Source.MANUAL,
            reason=reason,
            added_by=actor,
            added_at=now,
            **lookup,
        )
    _record(
        "award.nominee_added",
        award_round,
        actor=actor,
        obj=nominee,
        old=old,
        new={"track": track, "source": nominee.source},
        note=reason,
        **lookup,
    )
    return nominee


@transaction.atomic
def do_remove_nominee(nominee: Nominee, *, actor: Actor, reason: str) -> Nominee:
    """Take a nominee out of the round, with a reason (it stays listed as removed)."""
    award_round = _lock(nominee.round_id)
    nominee = (
        Nominee.objects.select_for_update(of=("self",))
        .select_related("suggestion", "unit")
        .get(pk=nominee.pk)
    )
    authorize(actor, "awards.manage_round", award_round, _admin_only())
    if award_round.state != RoundState.NOMINATING:
        raise InvalidTransition(_("只有提名阶段可以移出候选。"), code="not_nominating")
    if nominee.removed:
        raise InvalidTransition(_("该候选已移出。"), code="already_removed")
    reason = clean_text(reason, _("请写明移出理由。"), code="reason_required")
    nominee.removed, nominee.removed_reason, nominee.removed_by, nominee.removed_at = (
        True,
        reason,
        actor,
        timezone.now(),
    )
    nominee.save()
    _record(
        "award.nominee_removed",
        award_round,
        actor=actor,
        obj=nominee,
        suggestion=nominee.suggestion,
        unit=nominee.unit,
        old={"removed": False},
        new={"removed": True},
        note=reason,
    )
    return nominee


# --- scoring ---------------------------------------------------------------------------------------


@transaction.atomic
def do_start_scoring(award_round: AwardRound, *, actor: Actor) -> AwardRound:
    """提名中 → 评分中. Refused unless there are nominees, every track with nominees has criteria and
    every nominee can get the minimum number of scores from judges without a conflict of interest."""
    award_round = _lock(award_round)
    authorize(actor, "awards.manage_round", award_round, _admin_only())
    now = timezone.now()
    if transition_for(award_round.state, "start_scoring") is None:
        _move(award_round, "start_scoring", now)
    nominees = list(selectors.nominees_of(award_round, include_removed=False))
    if not nominees:
        raise ValidationFailed(_("还没有候选，不能开始评分。"), code="no_nominees")
    criteria = selectors.criteria_of(award_round)
    for track in {n.track for n in nominees}:
        if not criteria[track]:
            raise ValidationFailed(
                _("“%(t)s”还没有评分标准。") % {"t": Track(track).label}, code="no_criteria"
            )
    panel = [j.judge_id for j in selectors.panel_of(award_round)]
    if len(panel) < award_round.min_scores:
        raise ValidationFailed(
            _("评审只有%(n)s人，少于每个候选最少评分人数（%(m)s人）。")
            % {"n": len(panel), "m": award_round.min_scores},
            code="panel_too_small",
        )
    excluded = selectors.conflicts(award_round, nominees, panel)
    short = [
        n for n in nominees if sum(1 for j in panel if (n.pk, j) not in excluded) < award_round.min_scores
    ]
    if short:
        raise ValidationFailed(
            _("以下候选因评审回避，可评分的评审少于%(m)s人，请增加评审：%(l)s")
            % {"m": award_round.min_scores, "l": "、".join(str(n) for n in short)},
            code="too_few_eligible_judges",
        )
    if award_round.scoring_deadline <= now:
        raise ValidationFailed(_("评分截止时间已过，请先修改评分截止时间。"), code="deadline_past")
    source = award_round.state
    _move(award_round, "start_scoring", now)
    award_round.save(update_fields=["state", "state_changed_at", "updated_at"])
    _record(
        "award.scoring_started",
        award_round,
        actor=actor,
        old={"state": source},
        new={"state": award_round.state, "judges": panel, "nominees": len(nominees)},
    )
    return award_round


@transaction.atomic
def do_score_nominee(nominee: Nominee, *, actor: Actor, values: Mapping[int, Any]) -> list[Score]:  # noqa: C901
    """A judge's scores (0–100) for every criterion of the nominee's track, by criterion id. A judge
    may revise their scores until scoring closes."""
    award_round = _lock(nominee.round_id)
    nominee = Nominee.objects.select_related("suggestion", "unit").get(pk=nominee.pk)
    authorize(actor, "awards.score", award_round, _("只有本轮评审名单中的评审专家可以评分。"))
    if award_round.state != RoundState.SCORING:
        raise InvalidTransition(
            _("评选当前为“%(s)s”，不能评分。") % {"s": award_round.get_state_display()}, code="not_scoring"
        )
    now = timezone.now()
    if now > award_round.scoring_deadline:
        raise DeadlinePassed(_("评分已于%(t)s截止。") % {"t": _when(award_round.scoring_deadline)})
    if nominee.removed:
        raise InvalidTransition(_("该候选已移出，不能评分。"), code="nominee_removed")
    if selectors.is_conflicted(award_round, nominee, actor):
        raise NotPermitted(
            _("您与该候选有利害关系（%(rule)s），应当回避，不能评分。") % {"rule": selectors.CONFLICT_RULE},
            code="conflict_of_interest",
        )
    criteria = selectors.criteria_of(award_round)[nominee.track]
    wanted = {c.pk: c for c in criteria}
    given: dict[int, int] = {}
    for key, value in values.items():
        try:
            criterion_id = int(key)
        except (TypeError, ValueError):
            criterion_id = -1
        if criterion_id not in wanted:
            raise ValidationFailed(_("评分项不属于本候选的评选类别。"), code="bad_criterion")
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
            raise ValidationFailed(
                _("“%(c)s”的分数须为0至100的整数。") % {"c": wanted[criterion_id].name}, code="bad_value"
            )
        given[criterion_id] = value
    missing = [c.name for c in criteria if c.pk not in given]
    if missing:
        raise ValidationFailed(
            _("请为每个评分项打分（缺：%(l)s）。") % {"l": "、".join(missing)}, code="incomplete"
        )
    old = selectors.scores_of_nominee(nominee, actor)
    scores = []
    for c in criteria:
        score, _created = Score.objects.update_or_create(
            nominee=nominee, judge=actor, criterion=c, defaults={"value": given[c.pk], "scored_at": now}
        )
        scores.append(score)
    names = {c.pk: c.name for c in criteria}
    _record(
        "award.scored",
        award_round,
        actor=actor,
        obj=nominee,
        suggestion=nominee.suggestion,
        unit=nominee.unit,
        old={names[k]: v for k, v in old.items() if k in names} or None,
        new={names[k]: v for k, v in given.items()},
    )
    return scores


def _when(moment: datetime.datetime) -> str:
    local = timezone.localtime(moment)
    return f"{local.year}年{local.month}月{local.day}日{local:%H:%M}"


def _store_results(award_round: AwardRound) -> dict[str, Any]:
    results = selectors.compute_results(award_round)
    AwardResult.objects.filter(round=award_round).delete()
    summary: dict[str, Any] = {}
    for track, rows in results.tracks.items():
        AwardResult.objects.bulk_create(
            AwardResult(
                round=award_round,
                nominee=row.nominee,
                score=row.score,
                sheets=row.sheets,
                rank=row.rank,
                awarded=row.awarded,
            )
            for row in rows
        )
        summary[track] = [
            [
                row.nominee.pk,
                str(row.score) if row.score is not None else None,
                row.sheets,
                row.rank,
                row.awarded,
            ]
            for row in rows
        ]
    return summary


@transaction.atomic
def do_close_scoring(award_round: AwardRound, *, actor: Actor) -> AwardRound:
    """评分中 → 评分已截止: compute and keep the results. The admin may close before the deadline only
    when every judge has scored every nominee they may score; the scheduled job (actor None) closes
    rounds whose deadline has passed."""
    award_round = _lock(award_round)
    now = timezone.now()
    if actor is None:
        if award_round.scoring_deadline > now:
            raise NotPermitted(_("评分截止时间未到，系统不能截止评分。"))
    else:
        authorize(actor, "awards.manage_round", award_round, _admin_only())
    source = award_round.state
    _move(award_round, "close_scoring", now)
    if now < award_round.scoring_deadline:
        unfinished = [p for p in selectors.panel_progress(award_round) if p.done < p.due]
        if unfinished:
            raise ValidationFailed(
                _("评分截止时间（%(t)s）未到，且以下评审尚未完成评分：%(l)s")
                % {
                    "t": _when(award_round.scoring_deadline),
                    "l": "、".join(f"{p.judge}（{p.done}/{p.due}）" for p in unfinished),
                },
                code="scoring_incomplete",
            )
    award_round.closed_at = now
    award_round.save(update_fields=["state", "state_changed_at", "closed_at", "updated_at"])
    summary = _store_results(award_round)
    _record(
        "award.scoring_closed",
        award_round,
        actor=actor,
        old={"state": source},
        new={"state": award_round.state, "results": summary},
    )
    return award_round


@transaction.atomic
def do_reopen_scoring(
    award_round: AwardRound, *, actor: Actor, scoring_deadline: datetime.datetime, reason: str
) -> AwardRound:
    """评分已截止 → 评分中 with a new deadline (e.g. nominees lack scores); the stored results are
    dropped (the audit row keeps them)."""
    award_round = _lock(award_round)
    authorize(actor, "awards.manage_round", award_round, _admin_only())
    now = timezone.now()
    source = award_round.state
    _move(award_round, "reopen_scoring", now)
    reason = clean_text(reason, _("请写明重新开放评分的理由。"), code="reason_required")
    if scoring_deadline is None or scoring_deadline <= now:
        raise ValidationFailed(_("新的评分截止时间须晚于现在。"), code="deadline_past")
    old_deadline = award_round.scoring_deadline
    award_round.scoring_deadline, award_round.closed_at = scoring_deadline, None
    award_round.save(
        update_fields=["state", "state_changed_at", "scoring_deadline", "closed_at", "updated_at"]
    )
    AwardResult.objects.filter(round=award_round).delete()
    _record(
        "award.scoring_reopened",
        award_round,
        actor=actor,
        old={"state": source, "scoring_deadline": old_deadline},
        new={"state": award_round.state, "scoring_deadline": scoring_deadline},
        note=reason,
    )
    return award_round


@transaction.atomic
def do_approve_results(award_round: AwardRound, *, actor: Actor, note: str = "") -> AwardRound:
    """评分已截止 → 结果已审定 (e.g. after the chair's meeting, 主任会议)."""
    award_round = _lock(award_round)
    authorize(actor, "awards.manage_round", award_round, _admin_only())
    now = timezone.now()
    source = award_round.state
    _move(award_round, "approve_results", now)
    if not any(row.awarded for rows in selectors.stored_results(award_round).tracks.values() for row in rows):
        raise ValidationFailed(
            _("没有候选达到排名条件（评分不足），请重新开放评分。"), code="nothing_to_approve"
        )
    award_round.approved_by, award_round.approved_at = actor, now
    award_round.approval_note = (note or "").strip()
    award_round.save(
        update_fields=[
            "state",
            "state_changed_at",
            "approved_by",
            "approved_at",
            "approval_note",
            "updated_at",
        ]
    )
    _record(
        "award.results_approved",
        award_round,
        actor=actor,
        old={"state": source},
        new={"state": award_round.state},
        note=award_round.approval_note,
    )
    return award_round


@transaction.atomic
def do_publish_results(award_round: AwardRound, *, actor: Actor) -> AwardRound:
    """结果已审定 → 已公布: every member sees the results; awarded suggestions count in the points
    ledger from its next synchronisation."""
    award_round = _lock(award_round)
    authorize(actor, "awards.manage_round", award_round, _admin_only())
    now = timezone.now()
    source = award_round.state
    _move(award_round, "publish_results", now)
    award_round.published_by, award_round.published_at = actor, now
    award_round.save(
        update_fields=["state", "state_changed_at", "published_by", "published_at", "updated_at"]
    )
    winners = list(
        AwardResult.objects.filter(round=award_round, awarded=True).values_list("nominee_id", flat=True)
    )
    _record(
        "award.results_published",
        award_round,
        actor=actor,
        old={"state": source},
        new={"state": award_round.state, "awarded": winners},
    )
    return award_round


def close_overdue_rounds(now: datetime.datetime | None = None) -> list[AwardRound]:
    """The ``award_rounds`` job of ``manage.py run_periodic``: close every round still scoring after
    its deadline (each in its own transaction; a closed round is not scoring, so a second run closes
    nothing)."""
    now = now or timezone.now()
    closed = []
    for pk in AwardRound.objects.filter(state=RoundState.SCORING, scoring_deadline__lt=now).values_list(
        "pk", flat=True
    ):
        closed.append(do_close_scoring(AwardRound(pk=pk), actor=None))
    return closed
