"""The awards pages below /c/<code>/awards/ (namespace "awards").

- ``/``: the rounds the user may see; ``new/``: open a round (admins);
- ``<pk>/``: a round with its settings, criteria, panel, nominees, progress and results, and the
  buttons of the moves the user may make now;
- ``<pk>/score/`` and ``<pk>/score/<nominee>/``: the judge's scoring pages (phone-friendly), with
  conflicts of interest shown and refused.

Every view goes through `congress_view()` and fetches the round with `selectors.access_round`
(404 for missing *and* forbidden). Views validate input with a form, call one `do_*` action and turn
its `DomainError` into a message (409 for a refused move, 422 for bad input).
"""

from __future__ import annotations

import datetime
from typing import Any

import rules
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from minyi.core.decorators import congress_view
from minyi.core.errors import DomainError

from . import actions as A
from . import selectors as S
from .forms import (
    ApproveForm,
    CriterionEditForm,
    CriterionForm,
    JudgeForm,
    NomineeForm,
    ReasonForm,
    ReopenForm,
    RoundForm,
    RoundSettingsForm,
    ScoreForm,
)
from .models import AwardRound, Criterion, JudgeAssignment
from .states import SETUP_STATES, RoundState, Track, moves_from


def _url(request: HttpRequest, name: str, *args: Any) -> str:
    return reverse(f"awards:{name}", args=[request.congress.code, *args])  # type: ignore[attr-defined]


def _status(exc: DomainError) -> int:
    return 409 if exc.status == 409 else 422


def _round(request: HttpRequest, pk: int, perm: str = "awards.view_round") -> AwardRound:
    return S.access_round(request.user, request.congress, pk, perm=perm)  # type: ignore[attr-defined]


def _managed(request: HttpRequest, pk: int) -> AwardRound:
    return _round(request, pk, perm="awards.manage_round")


def _back(
    request: HttpRequest, award_round: AwardRound, exc: DomainError | None = None, ok: str = ""
) -> HttpResponse:
    if exc is not None:
        messages.error(request, exc.detail)
    elif ok:
        messages.success(request, ok)
    return redirect(_url(request, "round", award_round.pk))


# --- rounds ----------------------------------------------------------------------------------------


@congress_view("awards.open")
@require_GET
def round_list(request: HttpRequest) -> HttpResponse:
    congress = request.congress  # type: ignore[attr-defined]
    rounds = list(S.rounds_visible_to(request.user, congress).order_by("-year", "-quarter"))
    panels = set(
        JudgeAssignment.objects.filter(round__in=rounds, judge=request.user).values_list(
            "round_id", flat=True
        )
        if request.user.pk
        else []
    )
    for r in rounds:
        r.i_judge = r.pk in panels  # type: ignore[attr-defined]
    return render(
        request,
        "awards/round_list.html",
        {"rounds": rounds, "can_manage": rules.has_perm("awards.manage", request.user, congress)},
    )


@congress_view("awards.manage")
@require_http_methods(["GET", "POST"])
def round_create(request: HttpRequest) -> HttpResponse:
    from minyi.points.periods import Period

    congress = request.congress  # type: ignore[attr-defined]
    if request.method == "POST":
        form = RoundForm(request.POST)
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                award_round = A.do_create_round(
                    congress,
                    actor=request.user,
                    year=data["year"],
                    quarter=data["quarter"],
                    title=data["title"],
                    scoring_deadline=data["scoring_deadline"],
                    min_scores=data["min_scores"],
                    suggestion_quota=data["suggestion_quota"],
                    unit_quota=data["unit_quota"],
                    unit_min_count=data["unit_min_count"],
                )
            except DomainError as exc:
                form.add_error(
                    "quarter" if exc.code in ("round_exists", "quarter_not_started") else None, exc.detail
                )
                status = _status(exc)
            else:
                messages.success(request, _("评选已创建，请确认评分标准和评审名单，然后开始提名。"))
                return redirect(_url(request, "round", award_round.pk))
        messages.error(request, _("保存失败，请按提示修改后再提交。"))
        return render(request, "awards/round_form.html", {"form": form}, status=status)
    last = Period.last_quarter()
    deadline = timezone.localtime(timezone.now() + datetime.timedelta(days=14)).replace(
        hour=17, minute=0, second=0, microsecond=0
    )
    form = RoundForm(
        initial={
            "year": last.year,
            "quarter": last.quarter,
            "scoring_deadline": deadline,
            "min_scores": 3,
            "suggestion_quota": 5,
            "unit_quota": 3,
            "unit_min_count": 5,
        }
    )
    return render(request, "awards/round_form.html", {"form": form})


def _detail_context(request: HttpRequest, award_round: AwardRound) -> dict[str, Any]:
    user = request.user
    can_manage = rules.has_perm("awards.manage_round", user, award_round)
    nominees = list(S.nominees_of(award_round))
    criteria = S.criteria_of(award_round)
    panel = S.panel_of(award_round)
    conflicts = S.conflicts(award_round, [n for n in nominees if not n.removed], [j.judge_id for j in panel])
    for n in nominees:
        n.conflicted_judges = [j.judge for j in panel if (n.pk, j.judge_id) in conflicts]  # type: ignore[attr-defined]
    results = None
    if rules.has_perm("awards.view_results", user, award_round):
        results = S.stored_results(award_round)
    moves = moves_from(award_round.state) if can_manage else []
    return {
        "round": award_round,
        "can_manage": can_manage,
        "in_setup": award_round.state in SETUP_STATES,
        "nominating": award_round.state == RoundState.NOMINATING,
        "tracks": [
            {
                "key": key,
                "label": label,
                "criteria": criteria[key],
                "weight_total": sum(c.weight for c in criteria[key]),
                "nominees": [n for n in nominees if n.track == key],
                "results": results.rows(key) if results else None,
                "quota": award_round.quota(key),
            }
            for key, label in Track.choices
        ],
        "panel": panel,
        "progress": S.panel_progress(award_round)
        if can_manage and award_round.state == RoundState.SCORING
        else None,
        "moves": moves,
        "is_judge": rules.has_perm("awards.score", user, award_round),
        "criterion_form": CriterionForm(prefix="criterion"),
        "judge_form": JudgeForm(award_round.congress, prefix="judge") if can_manage else None,
        "approve_form": ApproveForm(),
        "rules_text": {
            "suggestion": S.SUGGESTION_RULE,
            "unit": S.UNIT_RULE,
            "composite": S.COMPOSITE_RULE,
            "conflict": S.CONFLICT_RULE,
            "ranking": S.RANKING_RULE,
        },
        "deadline_passed": award_round.scoring_deadline < timezone.now(),
    }


@congress_view("awards.open")
@require_GET
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    award_round = _round(request, pk)
    return render(request, "awards/round_detail.html", _detail_context(request, award_round))


@congress_view("awards.open")
@require_http_methods(["GET", "POST"])
def round_edit(request: HttpRequest, pk: int) -> HttpResponse:
    award_round = _managed(request, pk)
    fields = ["title", "scoring_deadline", "min_scores", "suggestion_quota", "unit_quota", "unit_min_count"]
    if request.method == "POST":
        form = RoundSettingsForm(request.POST)
        status = 422
        if form.is_valid():
            changes = {k: form.cleaned_data[k] for k in fields}
            if award_round.state == RoundState.SCORING:
                changes = {"scoring_deadline": changes["scoring_deadline"]}
            if not changes.get("title", award_round.title):
                changes.pop("title", None)
            try:
                A.do_update_round(award_round, actor=request.user, changes=changes)
            except DomainError as exc:
                form.add_error(None, exc.detail)
                status = _status(exc)
            else:
                return _back(request, award_round, ok=_("评选设置已保存。"))
        messages.error(request, _("保存失败，请按提示修改后再提交。"))
        return render(request, "awards/round_form.html", {"form": form, "round": award_round}, status=status)
    form = RoundSettingsForm(initial={k: getattr(award_round, k) for k in fields})
    if award_round.state == RoundState.SCORING:
        for name in fields:
            if name != "scoring_deadline":
                form.fields[name].disabled = True
    return render(request, "awards/round_form.html", {"form": form, "round": award_round})


MOVE_ACTIONS = {
    "open_nominations": (A.do_open_nominations, _("已开始提名：按规则提出了%(n)s个候选。")),
    "start_scoring": (A.do_start_scoring, _("已开始评分，评审可以打分了。")),
    "close_scoring": (A.do_close_scoring, _("评分已截止，排名已计算。")),
    "approve_results": (A.do_approve_results, _("评选结果已审定。")),
    "publish_results": (A.do_publish_results, _("评选结果已公布。")),
}


@congress_view("awards.open")
@require_POST
def round_move(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    award_round = _managed(request, pk)
    if action not in MOVE_ACTIONS:
        raise Http404("no such move")
    fn, message = MOVE_ACTIONS[action]
    kwargs: dict[str, Any] = {}
    if action == "approve_results":
        form = ApproveForm(request.POST)
        form.is_valid()
        kwargs["note"] = form.cleaned_data.get("note", "")
    try:
        result = fn(award_round, actor=request.user, **kwargs)
    except DomainError as exc:
        return _back(request, award_round, exc)
    if action == "open_nominations":
        return _back(request, award_round, ok=str(message) % {"n": len(result)})  # type: ignore[arg-type]
    return _back(request, award_round, ok=str(message))


@congress_view("awards.open")
@require_http_methods(["GET", "POST"])
def round_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    award_round = _managed(request, pk)
    form = ReopenForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                A.do_reopen_scoring(
                    award_round,
                    actor=request.user,
                    scoring_deadline=form.cleaned_data["scoring_deadline"],
                    reason=form.cleaned_data["reason"],
                )
            except DomainError as exc:
                form.add_error(None, exc.detail)
                status = _status(exc)
            else:
                return _back(request, award_round, ok=_("已重新开放评分。"))
        messages.error(request, _("保存失败，请按提示修改后再提交。"))
    return render(request, "awards/reopen.html", {"form": form, "round": award_round}, status=status)


@congress_view("awards.open")
@require_POST
def propose(request: HttpRequest, pk: int) -> HttpResponse:
    award_round = _managed(request, pk)
    try:
        added = A.do_propose_nominees(award_round, actor=request.user)
    except DomainError as exc:
        return _back(request, award_round, exc)
    return _back(request, award_round, ok=_("按规则新增%(n)s个候选。") % {"n": len(added)})


# --- criteria and panel ----------------------------------------------------------------------------


@congress_view("awards.open")
@require_POST
def criterion_add(request: HttpRequest, pk: int) -> HttpResponse:
    award_round = _managed(request, pk)
    form = CriterionForm(request.POST, prefix="criterion")
    if not form.is_valid():
        errors = "；".join(str(e) for errs in form.errors.values() for e in errs)
        messages.error(request, errors)
        return redirect(_url(request, "round", award_round.pk) + "#criteria")
    try:
        A.do_add_criterion(award_round, actor=request.user, **form.cleaned_data)
    except DomainError as exc:
        return _back(request, award_round, exc)
    return _back(request, award_round, ok=_("评分项已添加。"))


def _criterion(award_round: AwardRound, cid: int) -> Criterion:
    criterion = Criterion.objects.filter(round=award_round, pk=cid).first()
    if criterion is None:
        raise Http404("no such criterion")
    return criterion


@congress_view("awards.open")
@require_http_methods(["GET", "POST"])
def criterion_edit(request: HttpRequest, pk: int, cid: int) -> HttpResponse:
    award_round = _managed(request, pk)
    criterion = _criterion(award_round, cid)
    fields = ["name", "description", "weight"]
    form = CriterionEditForm(request.POST or None, initial={k: getattr(criterion, k) for k in fields})
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                A.do_update_criterion(
                    criterion, actor=request.user, changes={k: form.cleaned_data[k] for k in fields}
                )
            except DomainError as exc:
                form.add_error(None, exc.detail)
                status = _status(exc)
            else:
                return _back(request, award_round, ok=_("评分项已保存。"))
        messages.error(request, _("保存失败，请按提示修改后再提交。"))
    return render(
        request,
        "awards/simple_form.html",
        {"form": form, "round": award_round, "heading": _("修改评分项"), "submit": _("保存")},
        status=status,
    )


@congress_view("awards.open")
@require_POST
def criterion_remove(request: HttpRequest, pk: int, cid: int) -> HttpResponse:
    award_round = _managed(request, pk)
    try:
        A.do_remove_criterion(_criterion(award_round, cid), actor=request.user)
    except DomainError as exc:
        return _back(request, award_round, exc)
    return _back(request, award_round, ok=_("评分项已删除。"))


@congress_view("awards.open")
@require_POST
def judge_add(request: HttpRequest, pk: int) -> HttpResponse:
    award_round = _managed(request, pk)
    form = JudgeForm(award_round.congress, request.POST, prefix="judge")
    if not form.is_valid():
        messages.error(request, "；".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect(_url(request, "round", award_round.pk) + "#panel")
    try:
        A.do_assign_judge(award_round, actor=request.user, judge=form.cleaned_data["judge"])
    except DomainError as exc:
        return _back(request, award_round, exc)
    return _back(request, award_round, ok=_("评审已加入名单。"))


@congress_view("awards.open")
@require_POST
def judge_remove(request: HttpRequest, pk: int, uid: int) -> HttpResponse:
    award_round = _managed(request, pk)
    assignment = next((j for j in S.panel_of(award_round) if j.judge_id == uid), None)
    if assignment is None:
        raise Http404("not on the panel")
    try:
        A.do_remove_judge(award_round, actor=request.user, judge=assignment.judge)
    except DomainError as exc:
        return _back(request, award_round, exc)
    return _back(request, award_round, ok=_("评审已移出名单。"))


# --- nominees --------------------------------------------------------------------------------------


@congress_view("awards.open")
@require_http_methods(["GET", "POST"])
def nominee_add(request: HttpRequest, pk: int) -> HttpResponse:
    award_round = _managed(request, pk)
    form = NomineeForm(
        award_round, request.POST or None, initial={"track": request.GET.get("track", Track.SUGGESTION)}
    )
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                A.do_add_nominee(
                    award_round,
                    actor=request.user,
                    suggestion=data["suggestion"],
                    unit=data["unit"],
                    reason=data["reason"],
                )
            except DomainError as exc:
                form.add_error(None, exc.detail)
                status = _status(exc)
            else:
                return _back(request, award_round, ok=_("候选已增补。"))
        messages.error(request, _("保存失败，请按提示修改后再提交。"))
    return render(request, "awards/nominee_form.html", {"form": form, "round": award_round}, status=status)


@congress_view("awards.open")
@require_http_methods(["GET", "POST"])
def nominee_remove(request: HttpRequest, pk: int, nid: int) -> HttpResponse:
    award_round = _managed(request, pk)
    nominee = S.access_nominee(request.user, award_round, nid)
    form = ReasonForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                A.do_remove_nominee(nominee, actor=request.user, reason=form.cleaned_data["reason"])
            except DomainError as exc:
                form.add_error(None, exc.detail)
                status = _status(exc)
            else:
                return _back(request, award_round, ok=_("候选已移出。"))
        messages.error(request, _("保存失败，请按提示修改后再提交。"))
    return render(
        request,
        "awards/simple_form.html",
        {
            "form": form,
            "round": award_round,
            "heading": _("移出候选：%(n)s") % {"n": nominee},
            "submit": _("移出"),
            "confirm": _("确定移出该候选吗？"),
        },
        status=status,
    )


def _rates(nominee: Any) -> list[tuple[str, int, int]]:
    from minyi.reports.league import RATE_BY_KEY

    rates = (nominee.basis or {}).get("rates") or {}
    return [
        (str(RATE_BY_KEY[key].label) if key in RATE_BY_KEY else key, r.get("numerator"), r.get("denominator"))
        for key, r in rates.items()
    ]


# --- scoring ---------------------------------------------------------------------------------------


@congress_view("awards.open")
@require_GET
def score_list(request: HttpRequest, pk: int) -> HttpResponse:
    award_round = _round(request, pk, perm="awards.score")
    items = S.scoring_sheet(award_round, request.user)
    criteria = S.criteria_of(award_round)
    return render(
        request,
        "awards/score_list.html",
        {
            "round": award_round,
            "items": items,
            "open": award_round.state == RoundState.SCORING
            and award_round.scoring_deadline >= timezone.now(),
            "done": sum(1 for i in items if i.complete and not i.conflicted),
            "due": sum(1 for i in items if not i.conflicted),
            "criteria": criteria,
            "conflict_rule": S.CONFLICT_RULE,
        },
    )


@congress_view("awards.open")
@require_http_methods(["GET", "POST"])
def score_nominee(request: HttpRequest, pk: int, nid: int) -> HttpResponse:
    award_round = _round(request, pk, perm="awards.score")
    nominee = S.access_nominee(request.user, award_round, nid)
    if nominee.removed:
        raise Http404("removed")
    criteria = S.criteria_of(award_round)[nominee.track]
    conflicted = S.is_conflicted(award_round, nominee, request.user)
    current = S.scores_of_nominee(nominee, request.user)
    form = ScoreForm(criteria, request.POST or None, initial_values=current)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                A.do_score_nominee(nominee, actor=request.user, values=form.values())
            except DomainError as exc:
                form.add_error(None, exc.detail)
                status = 403 if exc.code == "conflict_of_interest" else _status(exc)
            else:
                messages.success(request, _("已保存对“%(n)s”的评分。") % {"n": nominee})
                return redirect(_url(request, "score_list", award_round.pk))
        messages.error(request, _("评分未保存，请按提示修改后再提交。"))
    return render(
        request,
        "awards/score_form.html",
        {
            "round": award_round,
            "nominee": nominee,
            "form": form,
            "conflicted": conflicted,
            "conflict_rule": S.CONFLICT_RULE,
            "open": award_round.state == RoundState.SCORING
            and award_round.scoring_deadline >= timezone.now(),
            "scored": bool(current),
            "rates": _rates(nominee),
            "weight_total": sum(c.weight for c in criteria),
        },
        status=status,
    )
