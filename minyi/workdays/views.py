"""The calendar pages: the list of years, one year's twelve months, edits for calendar managers and
a working-day calculator for everyone."""

from __future__ import annotations

import calendar as _stdlib_calendar
import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from minyi.core.errors import DomainError
from minyi.core.pages import form_page
from minyi.core.tenancy import congresses_of

from . import selectors
from .actions import do_mark_year_complete, do_remove_special_day, do_set_special_day
from .explain import explain_months, explain_working_days, weekday_name
from .forms import CalculatorForm, CompleteYearForm, RemoveDayForm, SpecialDayForm
from .models import SpecialDay
from .rules import can_manage_calendar, can_manage_local_closures, can_view_calendar
from .services import MAX_YEAR, MIN_YEAR, WorkCalendar, calendar_warnings, get_calendar


def _require_viewer(request) -> None:
    if not can_view_calendar(request.user):
        raise Http404("no calendar for this user")


def _require_manager(request) -> None:
    if not can_manage_calendar(request.user):
        raise Http404("not permitted")


def _check_year(year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise Http404("year out of range")


@login_required
def year_list(request):
    _require_viewer(request)
    today = timezone.localdate()
    cal = get_calendar()
    return render(
        request,
        "workdays/year_list.html",
        {
            "rows": selectors.year_rows(today),
            "warnings": calendar_warnings(today, calendar=cal),
            "today": today,
            "can_manage": can_manage_calendar(request.user),
            "local_congresses": [
                c for c in congresses_of(request.user) if can_manage_local_closures(request.user, c)
            ],
        },
    )


def _month_grids(year: int, cal: WorkCalendar, names: dict[datetime.date, str], today: datetime.date):
    weeks_of = _stdlib_calendar.Calendar(firstweekday=0).monthdatescalendar
    months = []
    for month in range(1, 13):
        weeks = []
        for week in weeks_of(year, month):
            cells: list[dict[str, object] | None] = []
            for day in week:
                if day.month != month:
                    cells.append(None)
                    continue
                if day in cal.workdays:
                    kind, label = "makeup", _("调休上班")
                elif day in cal.holidays:
                    kind, label = "holiday", _("放假")
                elif day.weekday() >= 5:
                    kind, label = "weekend", _("周末")
                else:
                    kind, label = "workday", _("工作日")
                name = names.get(day, "")
                cells.append(
                    {
                        "day": day,
                        "kind": kind,
                        "title": f"{day.isoformat()} {weekday_name(day)} {label}{' · ' + name if name else ''}",
                        "today": day == today,
                    }
                )
            weeks.append(cells)
        months.append({"month": month, "weeks": weeks})
    return months


def _year_page(request, year: int, *, form=None, calc_form=None, complete_form=None, status=200):
    today = timezone.localdate()
    cal = get_calendar()
    days = selectors.special_days(year)
    names = {d.date: d.name for d in days}
    can_manage = can_manage_calendar(request.user)

    calc = None
    if calc_form is None:
        if "start" in request.GET:
            calc_form = CalculatorForm(request.GET)
        else:
            start = today if today.year == year else datetime.date(year, 1, 1)
            calc_form = CalculatorForm(initial={"start": start, "n": 10, "unit": CalculatorForm.DAYS})
    if calc_form.is_bound and calc_form.is_valid():
        data = calc_form.cleaned_data
        explain = explain_working_days if data["unit"] == CalculatorForm.DAYS else explain_months
        # The period may cross New Year: holiday names for the years it can reach (≤ 10 years).
        start = data["start"]
        calc = explain(cal, start, data["n"], selectors.day_names(start.year, min(start.year + 11, MAX_YEAR)))

    context = {
        "year": year,
        "cal_year": selectors.calendar_year(year),
        "known": year in cal.known_years,
        "entered": year in cal.entered_years,
        "complete_form": complete_form or (CompleteYearForm() if can_manage else None),
        "months": _month_grids(year, cal, names, today),
        "days": [(d, weekday_name(d.date)) for d in days],
        "warnings": calendar_warnings(today, calendar=cal),
        "can_manage": can_manage,
        "form": form
        if form is not None
        else (SpecialDayForm(initial={"kind": SpecialDay.Kind.HOLIDAY}) if can_manage else None),
        "calc_form": calc_form,
        "calc": calc,
        "calc_weekday": weekday_name(calc.result) if calc else "",
        "prev_year": year - 1 if year > MIN_YEAR else None,
        "next_year": year + 1 if year < MAX_YEAR else None,
        "today": today,
    }
    return render(request, "workdays/year_detail.html", context, status=status)


@login_required
def year_detail(request, year: int):
    _require_viewer(request)
    _check_year(year)
    return _year_page(request, year)


@login_required
@require_POST
def set_day(request, year: int):
    _require_manager(request)
    _check_year(year)
    form = SpecialDayForm(request.POST)
    return form_page(
        request,
        form,
        page=lambda status: _year_page(request, year, form=form, status=status),
        run=lambda data: do_set_special_day(
            data["date"], actor=request.user, kind=data["kind"], name=data["name"]
        ),
        success=lambda special: (
            _("已保存：%(date)s %(kind)s（%(name)s）。")
            % {"date": special.date.isoformat(), "kind": special.get_kind_display(), "name": special.name}
        ),
        next=lambda special: reverse("workdays:year", args=[special.date.year]) + "#days",
        fields=SpecialDayForm.ERROR_FIELDS,
        failed=None,
    )


@login_required
@require_POST
def remove_day(request, year: int):
    _require_manager(request)
    _check_year(year)
    form = RemoveDayForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect(reverse("workdays:year", args=[year]) + "#days")
    day = form.cleaned_data["date"]
    try:
        do_remove_special_day(day, actor=request.user)
    except DomainError as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, _("已删除 %(date)s 的节假日或调休安排。") % {"date": day.isoformat()})
    return redirect(reverse("workdays:year", args=[day.year]) + "#days")


def _recompute_url(years) -> str:
    """Supervision's page of the deadlines the change moves (minyi/supervision/calendar_views.py)."""
    return reverse("calendar_recompute") + "?" + "&".join(f"years={y}" for y in sorted(set(years)))


@login_required
@require_POST
def mark_complete(request, year: int):
    """A platform administrator marks the year complete, then previews the deadlines it moves."""
    _require_manager(request)
    _check_year(year)
    form = CompleteYearForm(request.POST)
    return form_page(
        request,
        form,
        page=lambda status: _year_page(request, year, complete_form=form, status=status),
        run=lambda data: do_mark_year_complete(year, actor=request.user, notice=data["notice"]),
        success=_("%(year)s年已标记为完整。请预览并确认需要调整的期限。") % {"year": year},
        next=_recompute_url([year]),
        errors=lambda form, error: form.add_error("notice", error.detail),
        failed=None,
    )
