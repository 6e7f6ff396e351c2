"""The points pages below /c/<code>/points/ (namespace "points").

- ``/``: the ranking (亮分) of a quarter or year, for the congress or one deputy group;
- ``me/`` and ``deputies/<pk>/``: a deputy's record (履职档案), every entry with its source, and the
  objection button on the deputy's own entries;
- ``objections/``: objections (the staff decide them); ``manual/``: offline activities with evidence,
  初审 and 复核; ``rules/``: the rule table; ``expectations/``: monthly expectations.

Every view goes through `congress_view()` and fetches records with the `selectors.access_*` helpers
(404 for missing *and* forbidden). Views validate input with a form, call one `do_*` action and
turn its `DomainError` into a message (409 for a refused move, 422 for bad input).
"""

from __future__ import annotations

import datetime
from typing import Any

import rules
from django.contrib import messages
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from minyi.congress.models import Deputy
from minyi.core.decorators import CongressRequest, congress_view
from minyi.core.list_export import xlsx_download
from minyi.core.pages import form_page, paginate, pick, query_without, serve_file

from . import actions as A
from . import selectors as S
from .events import EVENTS
from .forms import (
    DecisionForm,
    EndExpectationForm,
    EndRuleForm,
    ExpectationForm,
    ManualEntryForm,
    ObjectionForm,
    RankingForm,
    ReplaceRuleForm,
    ReviewForm,
    RuleForm,
    YearForm,
)
from .models import ManualEntry, MonthlyExpectation, Objection
from .periods import Period
from .rules import OVERSIGHT_ROLES, clerk_groups, deputy_of, roles_of

PER_PAGE = 30


def _url(request: CongressRequest, name: str, *args: Any) -> str:
    return reverse(f"points:{name}", args=[request.congress.code, *args])


# --- ranking ---------------------------------------------------------------------------------------


@congress_view("points.view_ranking")
@require_GET
def ranking(request: CongressRequest) -> HttpResponse:
    congress = request.congress
    form = RankingForm(congress, request.GET or None, initial={"period": Period.current().code})
    status = 200
    if request.GET and form.is_valid():
        period, group = form.cleaned_data["period"], form.cleaned_data["group"]
    else:
        if request.GET:
            status = 400
        period, group = Period.current(), None
    rows = S.ranking(congress, period, group=group)
    if request.GET.get("format") == "xlsx":  # the whole ranking as the page lists it (issue #12)
        return xlsx_download(
            request,
            what="points_ranking",
            title=_("代表履职积分排名 %(p)s") % {"p": period.label},
            headers=[_("名次"), _("代表证号"), _("代表"), _("代表小组"), _("积分"), _("记录数")],
            rows=(
                [
                    r.rank,
                    r.deputy.number,
                    r.deputy.name,
                    r.deputy.group.name if r.deputy.group else "",
                    r.points,
                    r.entries,
                ]
                for r in rows
            ),
        )
    page = paginate(request, rows, PER_PAGE)
    viewable = rules.has_perm("points.view_deputies", request.user, congress)
    groups = clerk_groups(request.user, congress)
    own = deputy_of(request.user, congress)
    for row in page.object_list:
        row.linked = (
            viewable
            and (  # type: ignore[attr-defined]
                bool(roles_of(request.user, congress) & OVERSIGHT_ROLES) or row.deputy.group_id in groups
            )
            or (own is not None and row.deputy.pk == own.pk)
        )
    return render(
        request,
        "points/ranking.html",
        {
            "form": form,
            "period": period,
            "group": group,
            "page": page,
            "querystring": query_without(request, "page"),
            "synced": S.last_synced(congress, period.year),
            "can_sync": rules.has_perm("points.sync", request.user, congress),
            "own": own,
            "ranking_rule": S.RANKING_RULE,
            "nav": _nav(request),
        },
        status=status,
    )


def _nav(request: CongressRequest) -> dict[str, bool]:
    user, congress = request.user, request.congress
    return {
        "own": deputy_of(user, congress) is not None,
        "objections": rules.has_perm("points.decide_objections", user, congress),
        "manual": bool(
            deputy_of(user, congress) is not None
            or rules.has_perm("points.review_queue", user, congress)
            or rules.has_perm("points.view_deputies", user, congress)
        ),
        "expectations": rules.has_perm("points.view_expectations", user, congress),
    }


@congress_view("points.sync")
@require_POST
def sync(request: CongressRequest) -> HttpResponse:
    congress = request.congress
    try:
        period = (
            Period.parse(request.POST.get("period", "")) if request.POST.get("period") else Period.current()
        )
    except ValueError:
        period = Period.current()
    result = A.sync_ledger(congress, period.year, actor=request.user)
    if result:
        messages.success(
            request,
            _("已按现行规则和事件重新计算%(y)s年积分：新增%(a)s条、删除%(r)s条、变更%(c)s条。")
            % {"y": period.year, "a": len(result.added), "r": len(result.removed), "c": len(result.changed)},
        )
    else:
        messages.success(request, _("已重新计算%(y)s年积分：与现有记录一致。") % {"y": period.year})
    return redirect(_url(request, "ranking") + f"?period={period.code}")


# --- records ---------------------------------------------------------------------------------------


@congress_view("points.view_ranking")
@require_GET
def my_record(request: CongressRequest) -> HttpResponse:
    own = deputy_of(request.user, request.congress)
    if own is None:
        raise Http404("not a deputy")
    return redirect(_url(request, "record", own.pk))


@congress_view("points.view_ranking")
@require_GET
def record(request: CongressRequest, pk: int) -> HttpResponse:
    congress = request.congress
    deputy = S.access_deputy(request.user, congress, pk)
    form = YearForm(request.GET or None, initial={"year": timezone.localdate().year})
    year = form.cleaned_data["year"] if request.GET and form.is_valid() else timezone.localdate().year
    period = Period(year)
    entries = list(S.record_of(deputy, period))
    if request.GET.get("format") == "xlsx":  # 履职档案: the year's every entry (issue #12)
        return xlsx_download(
            request,
            what="points_record",
            title=_("履职档案 %(d)s %(y)s年") % {"d": deputy.name, "y": year},
            headers=[_("日期"), _("事项"), _("身份"), _("内容与来源"), _("积分")],
            rows=(
                [e.date, e.get_event_display(), e.get_role_display(), e.description, e.points]
                for e in entries
            ),
            obj=deputy,
        )
    objections = S.objections_by_key(deputy)
    mine = rules.has_perm("points.object", request.user, deputy)
    for e in entries:
        e.url = S.source_url(e, congress)  # type: ignore[attr-defined]
        e.objection = objections.get(e.key)  # type: ignore[attr-defined]
        e.can_object = mine and (e.objection is None or e.objection.state != Objection.State.PENDING)  # type: ignore[attr-defined]
    quarters = {q: sum(e.points for e in entries if e.quarter == q) for q in (1, 2, 3, 4)}
    page = paginate(request, entries, 50)
    return render(
        request,
        "points/record.html",
        {
            "deputy": deputy,
            "form": form,
            "year": year,
            "page": page,
            "querystring": query_without(request, "page"),
            "summary": S.summarise(entries),
            "quarters": quarters,
            "mine": mine,
            "objections": list(objections.values()),
            "manual": list(ManualEntry.objects.filter(deputy=deputy).order_by("-submitted_at", "-id")[:20]),
            "can_submit": rules.has_perm("points.submit_manual", request.user, deputy),
            "synced": S.last_synced(congress, year),
            "nav": _nav(request),
        },
    )


@congress_view("points.view_ranking")
@require_http_methods(["GET", "POST"])
def objection_create(request: CongressRequest, pk: int) -> HttpResponse:
    congress = request.congress
    entry = S.access_entry(request.user, congress, pk)
    if not rules.has_perm("points.object", request.user, entry.deputy):
        raise Http404("not the deputy")
    form = ObjectionForm(request.POST or None)
    return form_page(
        request,
        form,
        run=lambda data: A.do_raise_objection(entry, actor=request.user, reason=data["reason"]),
        success=_("异议已提交，代表工委处理后会在这里显示结果。"),
        next=_url(request, "record", entry.deputy_id),
        page=lambda status: render(
            request, "points/objection_form.html", {"form": form, "entry": entry}, status=status
        ),
    )


@congress_view("points.decide_objections")
@require_GET
def objection_list(request: CongressRequest) -> HttpResponse:
    congress = request.congress
    if request.GET.get("format") == "xlsx":  # pending and decided, as the list shows them (issue #12)
        objections = [*S.objections_of(congress, pending=True), *S.objections_of(congress, pending=False)]
        return xlsx_download(
            request,
            what="points_objections",
            title=_("积分异议"),
            headers=[_("代表"), _("记录"), _("积分"), _("异议理由"), _("提出时间"), _("状态"), _("处理时间")],
            rows=(
                [
                    o.deputy.name,
                    f"{o.entry.get('date', '')} {o.entry.get('description', '')}".strip(),
                    o.entry.get("points"),
                    o.reason,
                    o.raised_at,
                    o.get_state_display(),
                    o.decided_at,
                ]
                for o in objections
            ),
        )
    return render(
        request,
        "points/objection_list.html",
        {
            "pending": list(S.objections_of(congress, pending=True)),
            "page": paginate(request, S.objections_of(congress, pending=False), 20),
            "querystring": query_without(request, "page"),
            "nav": _nav(request),
        },
    )


@congress_view("points.view_ranking")
@require_http_methods(["GET", "POST"])
def objection_detail(request: CongressRequest, pk: int) -> HttpResponse:
    congress = request.congress
    objection = S.access_objection(request.user, congress, pk)
    can_decide = rules.has_perm("points.decide_objections", request.user, congress) and (
        objection.state == Objection.State.PENDING
    )
    if request.method == "POST" and not can_decide:
        raise Http404("cannot decide")
    form = DecisionForm(request.POST or None, initial={"corrected_points": objection.entry.get("points")})
    return form_page(
        request,
        form,
        run=lambda data: A.do_decide_objection(
            objection,
            actor=request.user,
            accept=data["decision"] == "correct",
            **pick(data, "corrected_points", "reason"),
        ),
        success=_("异议已处理。"),
        next=_url(request, "objections"),
        page=lambda status: render(
            request,
            "points/objection_detail.html",
            {
                "objection": objection,
                "form": form,
                "can_decide": can_decide,
                "current": S.entry_by_key(congress, objection.entry_key),
                "nav": _nav(request),
            },
            status=status,
        ),
    )


# --- manual entries --------------------------------------------------------------------------------


def _submittable(request: CongressRequest):
    """The deputies the user may register offline activities for."""
    from minyi.accounts.models import Role

    congress = request.congress
    roles = roles_of(request.user, congress)
    qs = Deputy.objects.filter(congress=congress)
    if Role.CONGRESS_CLERK in roles:
        return qs.order_by("number")
    mine = Q(group_id__in=clerk_groups(request.user, congress))
    own = deputy_of(request.user, congress)
    if own is not None:
        mine |= Q(pk=own.pk)
    return qs.filter(mine).order_by("number")


@congress_view("points.view_ranking")
@require_GET
def manual_list(request: CongressRequest) -> HttpResponse:
    congress = request.congress
    visible = S.manual_entries_visible_to(request.user, congress)
    if request.GET.get("format") == "xlsx":  # every entry the list shows the user (issue #12)
        return xlsx_download(
            request,
            what="points_manual",
            title=_("线下履职登记"),
            headers=[_("代表"), _("活动日期"), _("活动名称"), _("类别"), _("状态"), _("登记时间")],
            rows=(
                [
                    m.deputy.name,
                    m.activity_date,
                    m.title,
                    m.get_event_display(),
                    m.get_state_display(),
                    m.submitted_at,
                ]
                for m in visible.select_related("deputy").order_by("-submitted_at", "-id")
            ),
        )
    return render(
        request,
        "points/manual_list.html",
        {
            "queue": list(S.review_queue(request.user, congress)),
            "page": paginate(request, visible.order_by("-submitted_at", "-id"), 20),
            "querystring": query_without(request, "page"),
            "can_submit": _submittable(request).exists(),
            "nav": _nav(request),
        },
    )


@congress_view("points.view_ranking")
@require_http_methods(["GET", "POST"])
def manual_create(request: CongressRequest) -> HttpResponse:
    deputies = _submittable(request)
    if not deputies.exists():
        raise Http404("nobody to register for")
    own = deputy_of(request.user, request.congress)
    initial: dict[str, Any] = {"activity_date": timezone.localdate()}
    wanted = request.GET.get("deputy")
    if wanted and deputies.filter(pk=wanted if str(wanted).isdigit() else None).exists():
        initial["deputy"] = int(wanted)
    elif own is not None:
        initial["deputy"] = own.pk
    form = ManualEntryForm(deputies, request.POST or None, request.FILES or None, initial=initial)
    return form_page(
        request,
        form,
        run=lambda data: A.do_submit_manual_entry(
            data["deputy"],
            actor=request.user,
            **pick(data, "event", "activity_date", "title", "description", "evidence"),
        ),
        errors=lambda f, exc: f.add_error("evidence" if exc.code.startswith("file") else None, exc.detail),
        success=_("已登记，待初审。"),
        next=lambda entry: _url(request, "manual_detail", entry.pk),
        page=lambda status: render(
            request, "points/manual_form.html", {"form": form, "nav": _nav(request)}, status=status
        ),
    )


@congress_view("points.view_ranking")
@require_http_methods(["GET", "POST"])
def manual_detail(request: CongressRequest, pk: int) -> HttpResponse:
    congress = request.congress
    entry = S.access_manual(request.user, congress, pk)
    step = None
    if entry.state == ManualEntry.State.SUBMITTED and rules.has_perm(
        "points.check_manual", request.user, entry
    ):
        step = "check"
    elif (
        entry.state == ManualEntry.State.CHECKED
        and rules.has_perm("points.review_manual", request.user, entry)
        and entry.checked_by_id != request.user.pk
    ):
        step = "review"
    if request.method == "POST" and step is None:
        raise Http404("nothing to review")
    form = ReviewForm(request.POST or None)
    decide = A.do_check_manual_entry if step == "check" else A.do_review_manual_entry
    return form_page(
        request,
        form,
        run=lambda data: decide(
            entry, actor=request.user, approve=data["decision"] == "approve", note=data["note"]
        ),
        success=_("审核意见已保存。"),
        next=_url(request, "manual_detail", entry.pk),
        page=lambda status: render(
            request,
            "points/manual_detail.html",
            {"entry": entry, "step": step, "form": form, "nav": _nav(request)},
            status=status,
        ),
    )


@congress_view("points.view_ranking")
@require_GET
def manual_evidence(request: CongressRequest, pk: int) -> FileResponse:
    entry = S.access_manual(request.user, request.congress, pk)
    response = serve_file(
        request,
        entry,
        entry.evidence,
        as_attachment=False,
        filename=entry.evidence_name,
        content_type=entry.evidence_type,
    )
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    return response


# --- rules -----------------------------------------------------------------------------------------


@congress_view("points.view_rules")
@require_GET
def rule_list(request: CongressRequest) -> HttpResponse:
    congress = request.congress
    today = timezone.localdate()
    items = S.rules_of(congress)
    for r in items:
        r.current = r.valid_on(today)  # type: ignore[attr-defined]
    return render(
        request,
        "points/rules.html",
        {
            "rules": items,
            "events": EVENTS,
            "can_manage": rules.has_perm("points.manage_rules", request.user, congress),
            "nav": _nav(request),
        },
    )


@congress_view("points.manage_rules")
@require_POST
def rules_seed(request: CongressRequest) -> HttpResponse:
    created = A.ensure_default_rules(request.congress, actor=request.user)
    messages.success(
        request, _("已载入%(n)s条默认规则。") % {"n": len(created)} if created else _("已有规则，未作改动。")
    )
    return redirect(_url(request, "rules"))


def _settings_form_page(
    request: CongressRequest, form: Any, template: str, context: dict[str, Any], next: str, **submit: Any
) -> HttpResponse:
    """A form that changes the rule table or the expectations: `submit` (the action and its message),
    then `next`; on GET or a failure, `template` with the form, `context` and the menu."""
    return form_page(
        request,
        form,
        next=next,
        page=lambda status: render(
            request, template, {"form": form, **context, "nav": _nav(request)}, status=status
        ),
        **submit,
    )


def _rule_form_page(
    request: CongressRequest, form: Any, heading: str, rule: Any = None, **submit: Any
) -> HttpResponse:
    context = {"heading": heading, "rule": rule}
    return _settings_form_page(
        request, form, "points/rule_form.html", context, _url(request, "rules"), **submit
    )


@congress_view("points.manage_rules")
@require_http_methods(["GET", "POST"])
def rule_create(request: CongressRequest) -> HttpResponse:
    form = RuleForm(request.POST or None, initial={"valid_from": timezone.localdate(), "role": "any"})
    return _rule_form_page(
        request,
        form,
        _("添加积分规则"),
        run=lambda data: A.do_add_rule(request.congress, actor=request.user, **data),
        success=_("规则已添加，积分已按新规则重新计算。"),
    )


@congress_view("points.manage_rules")
@require_http_methods(["GET", "POST"])
def rule_replace(request: CongressRequest, pk: int) -> HttpResponse:
    rule = S.access_rule(request.congress, pk)
    start = max(timezone.localdate(), rule.valid_from + datetime.timedelta(days=1))
    form = ReplaceRuleForm(
        request.POST or None,
        initial={"from_date": start, "points": rule.points, "cap": rule.cap, "cap_period": rule.cap_period},
    )
    return _rule_form_page(
        request,
        form,
        _("调整分值：%(r)s") % {"r": rule},
        rule,
        run=lambda data: A.do_replace_rule(rule, actor=request.user, **data),
        success=_("新分值已生效，积分已重新计算。"),
    )


@congress_view("points.manage_rules")
@require_http_methods(["GET", "POST"])
def rule_end(request: CongressRequest, pk: int) -> HttpResponse:
    rule = S.access_rule(request.congress, pk)
    form = EndRuleForm(request.POST or None, initial={"valid_to": rule.valid_to or timezone.localdate()})
    return _rule_form_page(
        request,
        form,
        _("设定失效日期：%(r)s") % {"r": rule},
        rule,
        run=lambda data: A.do_end_rule(rule, actor=request.user, valid_to=data["valid_to"]),
        success=_("失效日期已设定，积分已重新计算。"),
    )


# --- monthly expectations --------------------------------------------------------------------------


@congress_view("points.view_expectations")
@require_GET
def expectations(request: CongressRequest) -> HttpResponse:
    congress = request.congress
    form = YearForm(request.GET or None, initial={"year": timezone.localdate().year})
    year = form.cleaned_data["year"] if request.GET and form.is_valid() else timezone.localdate().year
    return render(
        request,
        "points/expectations.html",
        {
            "form": form,
            "year": year,
            "rows": S.expectation_table(congress, year),
            "months": range(1, 13),
            "settings": list(S.expectations_of(congress).order_by("deputy__number", "-start_month")),
            "can_manage": rules.has_perm("points.manage_expectations", request.user, congress),
            "nav": _nav(request),
        },
    )


def _expectation_form_page(request: CongressRequest, form: Any, heading: str, **submit: Any) -> HttpResponse:
    back = _url(request, "expectations")
    context = {"heading": heading, "back": back}
    return _settings_form_page(request, form, "points/simple_form.html", context, back, **submit)


@congress_view("points.manage_expectations")
@require_http_methods(["GET", "POST"])
def expectation_create(request: CongressRequest) -> HttpResponse:
    congress = request.congress
    form = ExpectationForm(
        congress,
        request.POST or None,
        initial={"per_month": 1, "start_month": timezone.localdate().replace(day=1)},
    )
    return _expectation_form_page(
        request,
        form,
        _("设定每月建议要求"),
        run=lambda data: A.do_set_expectation(congress, actor=request.user, **data),
        success=_("每月建议要求已设定。"),
    )


@congress_view("points.manage_expectations")
@require_http_methods(["GET", "POST"])
def expectation_end(request: CongressRequest, pk: int) -> HttpResponse:
    congress = request.congress
    expectation = MonthlyExpectation.objects.filter(congress=congress, pk=pk).select_related("deputy").first()
    if expectation is None:
        raise Http404("no such expectation")
    form = EndExpectationForm(
        request.POST or None, initial={"end_month": timezone.localdate().replace(day=1)}
    )
    return _expectation_form_page(
        request,
        form,
        _("结束每月建议要求：%(d)s") % {"d": expectation.deputy.name},
        run=lambda data: A.do_end_expectation(expectation, actor=request.user, end_month=data["end_month"]),
        success=_("已设定截止月份。"),
    )
