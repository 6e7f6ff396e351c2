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

from minyi.core.decorators import CongressRequest, congress_view
from minyi.core.list_export import xlsx_download
from minyi.core.pages import act, form_page, pick
from minyi.suggestions import selectors as suggestion_selectors

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


def _url(request: CongressRequest, name: str, *args: Any) -> str:
    return reverse(f"awards:{name}", args=[request.congress.code, *args])


def _round(request: CongressRequest, pk: int, perm: str = "awards.view_round") -> AwardRound:
    return S.access_round(request.user, request.congress, pk, perm=perm)


def _managed(request: CongressRequest, pk: int) -> AwardRound:
    return _round(request, pk, perm="awards.manage_round")


def _round_url(request: CongressRequest, award_round: AwardRound) -> str:
    return _url(request, "round", award_round.pk)


def _form_refused(request: CongressRequest, award_round: AwardRound, form: Any, anchor: str) -> HttpResponse:
    """A form posted from the round's page was invalid: its errors as one message, back to the part
    of the page it came from."""
    messages.error(request, "；".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect(_round_url(request, award_round) + anchor)


# --- rounds ----------------------------------------------------------------------------------------


@congress_view("awards.open")
@require_GET
def round_list(request: CongressRequest) -> HttpResponse:
    congress = request.congress
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
def round_create(request: CongressRequest) -> HttpResponse:
    from minyi.core.periods import Period

    congress = request.congress
    if request.method == "POST":
        form = RoundForm(request.POST)
    else:
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
    return form_page(
        request,
        form,
        # the form's fields are the round's settings, named as the action names them
        run=lambda data: A.do_create_round(congress, actor=request.user, **data),
        fields={"round_exists": "quarter", "quarter_not_started": "quarter"},
        success=_("评选已创建，请确认评分标准和评审名单，然后开始提名。"),
        next=lambda award_round: _round_url(request, award_round),
        page=lambda status: render(request, "awards/round_form.html", {"form": form}, status=status),
    )


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
def round_detail(request: CongressRequest, pk: int) -> HttpResponse:
    award_round = _round(request, pk)
    return render(request, "awards/round_detail.html", _detail_context(request, award_round))


@congress_view("awards.open")
@require_GET
def results_export(request: CongressRequest, pk: int) -> HttpResponse:
    """The round's results as Excel (issue #12): the rows its page shows to those who may see the
    results (404 for everyone else, like the round itself)."""
    award_round = _round(request, pk, perm="awards.view_results")
    results = S.stored_results(award_round)
    rows = (
        [
            label,
            row.rank if row.rank else _("评分不足"),
            str(row.nominee),
            row.score,
            row.sheets,
            _("获评") if row.awarded else "",
        ]
        for key, label in Track.choices
        for row in results.rows(key)
    )
    return xlsx_download(
        request,
        what="award_results",
        title=str(award_round),
        headers=[_("类别"), _("名次"), _("候选"), _("得分"), _("评分人数"), _("结果")],
        rows=rows,
        obj=award_round,
    )


@congress_view("awards.open")
@require_http_methods(["GET", "POST"])
def round_edit(request: CongressRequest, pk: int) -> HttpResponse:
    award_round = _managed(request, pk)
    fields = ["title", "scoring_deadline", "min_scores", "suggestion_quota", "unit_quota", "unit_min_count"]
    if request.method == "POST":
        form = RoundSettingsForm(request.POST)
    else:
        form = RoundSettingsForm(initial={k: getattr(award_round, k) for k in fields})
        if award_round.state == RoundState.SCORING:
            for name in fields:
                if name != "scoring_deadline":
                    form.fields[name].disabled = True

    def save(data: dict[str, Any]) -> None:
        changes = pick(data, *fields)
        if award_round.state == RoundState.SCORING:
            changes = {"scoring_deadline": changes["scoring_deadline"]}
        if not changes.get("title", award_round.title):
            changes.pop("title", None)
        A.do_update_round(award_round, actor=request.user, changes=changes)

    return form_page(
        request,
        form,
        run=save,
        success=_("评选设置已保存。"),
        next=_round_url(request, award_round),
        page=lambda status: render(
            request, "awards/round_form.html", {"form": form, "round": award_round}, status=status
        ),
    )


MOVE_ACTIONS = {
    "open_nominations": (A.do_open_nominations, _("已开始提名：按规则提出了%(n)s个候选。")),
    "start_scoring": (A.do_start_scoring, _("已开始评分，评审可以打分了。")),
    "close_scoring": (A.do_close_scoring, _("评分已截止，排名已计算。")),
    "approve_results": (A.do_approve_results, _("评选结果已审定。")),
    "publish_results": (A.do_publish_results, _("评选结果已公布。")),
}


@congress_view("awards.open")
@require_POST
def round_move(request: CongressRequest, pk: int, action: str) -> HttpResponse:
    award_round = _managed(request, pk)
    if action not in MOVE_ACTIONS:
        raise Http404("no such move")
    fn, message = MOVE_ACTIONS[action]
    kwargs: dict[str, Any] = {}
    if action == "approve_results":
        form = ApproveForm(request.POST)
        form.is_valid()
        kwargs["note"] = form.cleaned_data.get("note", "")
    return act(
        request,
        lambda: fn(award_round, actor=request.user, **kwargs),
        success=(lambda result: str(message) % {"n": len(result)})  # type: ignore[arg-type]
        if action == "open_nominations"
        else str(message),
        next=_round_url(request, award_round),
    )


@congress_view("awards.open")
@require_http_methods(["GET", "POST"])
def round_reopen(request: CongressRequest, pk: int) -> HttpResponse:
    award_round = _managed(request, pk)
    form = ReopenForm(request.POST or None)
    return form_page(
        request,
        form,
        run=lambda data: A.do_reopen_scoring(
            award_round, actor=request.user, **pick(data, "scoring_deadline", "reason")
        ),
        success=_("已重新开放评分。"),
        next=_round_url(request, award_round),
        page=lambda status: render(
            request, "awards/reopen.html", {"form": form, "round": award_round}, status=status
        ),
    )


@congress_view("awards.open")
@require_POST
def propose(request: CongressRequest, pk: int) -> HttpResponse:
    award_round = _managed(request, pk)
    return act(
        request,
        lambda: A.do_propose_nominees(award_round, actor=request.user),
        success=lambda added: _("按规则新增%(n)s个候选。") % {"n": len(added)},
        next=_round_url(request, award_round),
    )


# --- criteria and panel ----------------------------------------------------------------------------


@congress_view("awards.open")
@require_POST
def criterion_add(request: CongressRequest, pk: int) -> HttpResponse:
    award_round = _managed(request, pk)
    form = CriterionForm(request.POST, prefix="criterion")
    if not form.is_valid():
        return _form_refused(request, award_round, form, "#criteria")
    return act(
        request,
        lambda: A.do_add_criterion(award_round, actor=request.user, **form.cleaned_data),
        success=_("评分项已添加。"),
        next=_round_url(request, award_round),
    )


def _criterion(award_round: AwardRound, cid: int) -> Criterion:
    criterion = Criterion.objects.filter(round=award_round, pk=cid).first()
    if criterion is None:
        raise Http404("no such criterion")
    return criterion


@congress_view("awards.open")
@require_http_methods(["GET", "POST"])
def criterion_edit(request: CongressRequest, pk: int, cid: int) -> HttpResponse:
    award_round = _managed(request, pk)
    criterion = _criterion(award_round, cid)
    fields = ["name", "description", "weight"]
    form = CriterionEditForm(request.POST or None, initial={k: getattr(criterion, k) for k in fields})
    return form_page(
        request,
        form,
        run=lambda data: A.do_update_criterion(criterion, actor=request.user, changes=pick(data, *fields)),
        success=_("评分项已保存。"),
        next=_round_url(request, award_round),
        page=lambda status: render(
            request,
            "awards/simple_form.html",
            {"form": form, "round": award_round, "heading": _("修改评分项"), "submit": _("保存")},
            status=status,
        ),
    )


@congress_view("awards.open")
@require_POST
def criterion_remove(request: CongressRequest, pk: int, cid: int) -> HttpResponse:
    award_round = _managed(request, pk)
    criterion = _criterion(award_round, cid)
    return act(
        request,
        lambda: A.do_remove_criterion(criterion, actor=request.user),
        success=_("评分项已删除。"),
        next=_round_url(request, award_round),
    )


@congress_view("awards.open")
@require_POST
def judge_add(request: CongressRequest, pk: int) -> HttpResponse:
    award_round = _managed(request, pk)
    form = JudgeForm(award_round.congress, request.POST, prefix="judge")
    if not form.is_valid():
        return _form_refused(request, award_round, form, "#panel")
    return act(
        request,
        lambda: A.do_assign_judge(award_round, actor=request.user, judge=form.cleaned_data["judge"]),
        success=_("评审已加入名单。"),
        next=_round_url(request, award_round),
    )


@congress_view("awards.open")
@require_POST
def judge_remove(request: CongressRequest, pk: int, uid: int) -> HttpResponse:
    award_round = _managed(request, pk)
    assignment = next((j for j in S.panel_of(award_round) if j.judge_id == uid), None)
    if assignment is None:
        raise Http404("not on the panel")
    return act(
        request,
        lambda: A.do_remove_judge(award_round, actor=request.user, judge=assignment.judge),
        success=_("评审已移出名单。"),
        next=_round_url(request, award_round),
    )


# --- nominees --------------------------------------------------------------------------------------


@congress_view("awards.open")
@require_http_methods(["GET", "POST"])
def nominee_add(request: CongressRequest, pk: int) -> HttpResponse:
    award_round = _managed(request, pk)
    form = NomineeForm(
        award_round, request.POST or None, initial={"track": request.GET.get("track", Track.SUGGESTION)}
    )
    return form_page(
        request,
        form,
        run=lambda data: A.do_add_nominee(
            award_round, actor=request.user, **pick(data, "suggestion", "unit", "reason")
        ),
        success=_("候选已增补。"),
        next=_round_url(request, award_round),
        page=lambda status: render(
            request, "awards/nominee_form.html", {"form": form, "round": award_round}, status=status
        ),
    )


@congress_view("awards.open")
@require_http_methods(["GET", "POST"])
def nominee_remove(request: CongressRequest, pk: int, nid: int) -> HttpResponse:
    award_round = _managed(request, pk)
    nominee = S.access_nominee(request.user, award_round, nid)
    form = ReasonForm(request.POST or None)
    return form_page(
        request,
        form,
        run=lambda data: A.do_remove_nominee(nominee, actor=request.user, reason=data["reason"]),
        success=_("候选已移出。"),
        next=_round_url(request, award_round),
        page=lambda status: render(
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
        ),
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
def score_list(request: CongressRequest, pk: int) -> HttpResponse:
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


def _handling(request: CongressRequest, nominee: Any) -> dict[str, Any]:
    """What a judge reads beside a suggestion nominee (issue #12): its signed-off replies and the
    deputy's evaluation of the last round, read through the suggestion app's selectors. The
    nominee's suggestion is of the round's congress (404 otherwise, whatever the data says)."""
    s = nominee.suggestion
    if s is None:
        return {"replies": [], "evaluations": []}
    if s.congress_id != request.congress.pk:
        raise Http404("no such nominee")
    return {
        "replies": list(suggestion_selectors.signed_off_replies(s)),
        "evaluations": suggestion_selectors.evaluation_results(s).final,
    }


@congress_view("awards.open")
@require_http_methods(["GET", "POST"])
def score_nominee(request: CongressRequest, pk: int, nid: int) -> HttpResponse:
    award_round = _round(request, pk, perm="awards.score")
    nominee = S.access_nominee(request.user, award_round, nid)
    if nominee.removed:
        raise Http404("removed")
    criteria = S.criteria_of(award_round)[nominee.track]
    conflicted = S.is_conflicted(award_round, nominee, request.user)
    current = S.scores_of_nominee(nominee, request.user)
    form = ScoreForm(criteria, request.POST or None, initial_values=current)
    handling = _handling(request, nominee)
    return form_page(
        request,
        form,
        run=lambda data: A.do_score_nominee(nominee, actor=request.user, values=form.values()),
        failed=_("评分未保存，请按提示修改后再提交。"),
        success=lambda result: _("已保存对“%(n)s”的评分。") % {"n": nominee},
        next=_url(request, "score_list", award_round.pk),
        page=lambda status: render(
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
                **handling,
            },
            status=status,
        ),
    )
