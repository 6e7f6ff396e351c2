"""The deadlines a calendar change moves (decision 0004), and a congress's own local closures
(本地停止办公日: a typhoon day …).

- `recompute` (national, platform administrators) and `closures_recompute` (a congress's admins):
  preview, then confirm, the open deadlines the calendar of the chosen years moves. The calendar
  pages (minyi/workdays/views.py) link here after an edit; they do not import supervision.
- `local_closures`, `remove_local_closure`: the congress's closures, then on to its recompute page.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from minyi.congress.models import Congress
from minyi.core.decorators import CongressRequest, SignedInRequest, congress_view
from minyi.core.errors import DomainError
from minyi.core.pages import form_page
from minyi.workdays.actions import do_add_local_closure, do_remove_local_closure
from minyi.workdays.forms import LocalClosureForm, RecomputeForm, RemoveDayForm
from minyi.workdays.models import LocalClosure
from minyi.workdays.rules import can_manage_calendar, can_manage_local_closures
from minyi.workdays.services import MAX_YEAR, MIN_YEAR

from .actions import do_recompute_deadlines
from .selectors import calendar_recompute_preview

#: The recompute form puts a refusal about the reason next to the reason.
RECOMPUTE_ERROR_FIELDS = {"reason_required": "reason"}


# --- recomputation after a calendar change ---------------------------------------------------------


def _years_param(request: SignedInRequest) -> list[int]:
    years = []
    for value in request.GET.getlist("years") or request.POST.getlist("years"):
        try:
            year = int(value)
        except ValueError:
            continue
        if MIN_YEAR <= year <= MAX_YEAR:
            years.append(year)
    return sorted(set(years))


def recompute_page(
    request: SignedInRequest, *, congress: Congress | None = None, action_url: str, back_url: str
) -> HttpResponse:
    """Preview, then confirm: the open deadlines the calendar of the chosen years moves (shared by the
    national page and a congress's local-closure page)."""
    years = _years_param(request)
    if not years:
        today = timezone.localdate()
        years = [today.year, today.year + 1]
    preview = calendar_recompute_preview(years, congress=congress)
    form = (
        RecomputeForm(request.POST)
        if request.method == "POST"
        else RecomputeForm(initial={"token": preview.token})
    )

    def page(status: int) -> HttpResponse:
        shown = preview
        if status != 200:  # shown again: what would move now, with a fresh token
            shown = calendar_recompute_preview(years, congress=congress)
            form.data = {**form.data, "token": shown.token}
        return render(
            request,
            "workdays/recompute.html",
            {
                "preview": shown,
                "changes": shown.changes[:200],
                "more": max(len(shown.changes) - 200, 0),
                "form": form,
                "years": years,
                "congress": congress,
                "action_url": action_url,
                "back_url": back_url,
            },
            status=status,
        )

    return form_page(
        request,
        form,
        page=page,
        run=lambda data: do_recompute_deadlines(
            actor=request.user,
            years=years,
            reason=data["reason"],
            congress=congress,
            expected=data["token"] or None,
        ),
        success=lambda done: (
            _("已调整 %(n)s 项期限，相关承办单位和代表将收到期限变更通知。") % {"n": len(done.changed)}
        ),
        next=back_url,
        fields=RECOMPUTE_ERROR_FIELDS,
        failed=None,
    )


@login_required
def recompute(request: SignedInRequest) -> HttpResponse:
    """National: after a year was completed or edited (platform administrators only)."""
    if not can_manage_calendar(request.user):
        raise Http404("not permitted")
    if request.method not in ("GET", "POST"):
        raise Http404("method")
    years = _years_param(request)
    here = reverse("calendar_recompute")
    return recompute_page(
        request,
        action_url=(here + "?" + "&".join(f"years={y}" for y in years)) if years else here,
        back_url=reverse("workdays:years"),
    )


# --- a congress's local closures ---------------------------------------------------------------------


def _need_admin(request: CongressRequest) -> None:
    if not can_manage_local_closures(request.user, request.congress):
        raise Http404("not permitted")


def _page(request: CongressRequest, form: LocalClosureForm, status: int = 200) -> HttpResponse:
    congress = request.congress
    return render(
        request,
        "workdays/local_closures.html",
        {
            "closures": LocalClosure.objects.filter(congress=congress).order_by("-date"),
            "form": form,
        },
        status=status,
    )


def _recompute_url(code: str, year: int) -> str:
    return reverse("supervision:closures_recompute", args=[code]) + f"?years={year}"


@congress_view()
def local_closures(request: CongressRequest) -> HttpResponse:
    _need_admin(request)
    congress = request.congress
    form = LocalClosureForm(request.POST if request.method == "POST" else None)
    return form_page(
        request,
        form,
        page=lambda status: _page(request, form, status),
        run=lambda data: do_add_local_closure(congress, data["date"], actor=request.user, name=data["name"]),
        success=lambda closure: (
            _("已录入本地停止办公日 %(date)s（%(name)s）。请预览并确认需要调整的期限。")
            % {"date": closure.date.isoformat(), "name": closure.name}
        ),
        next=lambda closure: _recompute_url(congress.code, closure.date.year),
        fields=LocalClosureForm.ERROR_FIELDS,
        failed=None,
    )


@congress_view()
@require_POST
def remove_local_closure(request: CongressRequest) -> HttpResponse:
    _need_admin(request)
    congress = request.congress
    form = RemoveDayForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("supervision:closures", congress.code)
    day = form.cleaned_data["date"]
    try:
        do_remove_local_closure(congress, day, actor=request.user)
    except DomainError as error:
        messages.error(request, error.detail)
        return redirect("supervision:closures", congress.code)
    messages.success(
        request, _("已删除本地停止办公日 %(date)s。请预览并确认需要调整的期限。") % {"date": day.isoformat()}
    )
    return redirect(_recompute_url(congress.code, day.year))


@congress_view()
def closures_recompute(request: CongressRequest) -> HttpResponse:
    _need_admin(request)
    congress = request.congress
    query = request.GET.urlencode()
    return recompute_page(
        request,
        congress=congress,
        action_url=reverse("supervision:closures_recompute", args=[congress.code])
        + (f"?{query}" if query else ""),
        back_url=reverse("supervision:closures", args=[congress.code]),
    )
