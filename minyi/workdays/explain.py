"""Working-day results with a human explanation ("skipped the National Day holiday …"), for the
calculator on the calendar pages and for anyone who must show how a deadline was computed."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .services import WorkCalendar, month_day

_ONE_DAY = datetime.timedelta(days=1)


def weekday_name(day: datetime.date) -> str:
    return [_("周一"), _("周二"), _("周三"), _("周四"), _("周五"), _("周六"), _("周日")][day.weekday()]


def fmt(day: datetime.date) -> str:
    """2026-10-08（周四） / 8 Oct 2026 (Thursday): the language's one date format (config/formats)."""
    return _("%(date)s（%(weekday)s）") % {
        "date": date_format(day, "SHORT_DATE_FORMAT"),
        "weekday": weekday_name(day),
    }


@dataclass
class Explained:
    result: datetime.date
    lines: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    calendar_version: str = ""


def _calendar_lines(cal: WorkCalendar, start: datetime.date, end: datetime.date, out: Explained) -> None:
    missing = cal.missing_years_between(start, end)
    if missing:
        out.warnings.append(
            _("%(years)s年没有录入节假日安排，这段时间只按周末计算，结果可能不准确。")
            % {"years": "、".join(map(str, missing))}
        )
    versions = dict(cal.year_versions)
    used = [
        _("%(year)s年第%(version)s版") % {"year": y, "version": versions[y]}
        for y in range(start.year, end.year + 1)
        if y in versions
    ]
    if used:
        out.lines.append(_("所用日历：%(years)s。") % {"years": "、".join(used)})
    out.calendar_version = cal.version


def explain_working_days(
    cal: WorkCalendar, start: datetime.date, n: int, names: dict[datetime.date, str] | None = None
) -> Explained:
    """The n-th working day after `start`, with what was skipped on the way."""
    names = names or {}
    result = cal.add_working_days(start, n)
    out = Explained(result)
    out.lines.append(_("起算日 %(start)s 当日不计入，从次日起数工作日。") % {"start": fmt(start)})
    weekends = holidays = makeups = 0
    holiday_names: list[str] = []
    makeup_days: list[str] = []
    day = start
    while day < result:
        day += _ONE_DAY
        if day in cal.workdays:
            makeups += 1
            makeup_days.append(fmt(day))
        elif day in cal.holidays:
            holidays += 1
            name = names.get(day, "")
            if name and name not in holiday_names:
                holiday_names.append(name)
        elif day.weekday() >= 5:
            weekends += 1
    out.lines.append(_("往后第 %(n)s 个工作日是 %(result)s。") % {"n": n, "result": fmt(result)})
    if holiday_names:
        out.lines.append(
            _("其间跳过周末 %(w)s 天、法定节假日 %(h)s 天（%(names)s）。")
            % {"w": weekends, "h": holidays, "names": "、".join(holiday_names)}
        )
    elif weekends or holidays:
        out.lines.append(_("其间跳过周末 %(w)s 天、法定节假日 %(h)s 天。") % {"w": weekends, "h": holidays})
    if makeups:
        out.lines.append(
            _("其间有 %(n)s 个调休上班日按工作日计算：%(days)s。")
            % {"n": makeups, "days": "、".join(makeup_days)}
        )
    _calendar_lines(cal, start, result, out)
    return out


def explain_months(
    cal: WorkCalendar, start: datetime.date, n: int, names: dict[datetime.date, str] | None = None
) -> Explained:
    """`start` plus n calendar months, moved to the next working day if that day is a rest day."""
    names = names or {}
    target = month_day(start, n)
    result = cal.add_months(start, n)
    out = Explained(result)
    if target.day != start.day:
        out.lines.append(
            _("%(start)s 加 %(n)s 个月：%(month)s月没有%(day)s日，取该月最后一天 %(target)s。")
            % {"start": fmt(start), "n": n, "month": target.month, "day": start.day, "target": fmt(target)}
        )
    else:
        out.lines.append(
            _("%(start)s 加 %(n)s 个月，对应日是 %(target)s。")
            % {"start": fmt(start), "n": n, "target": fmt(target)}
        )
    if result == target:
        out.lines.append(_("该日是工作日，即为期限的最后一天。"))
    else:
        if target in cal.holidays:
            why = _("法定节假日（%(name)s）") % {"name": names.get(target) or _("放假")}
        else:
            why = _("周末")
        out.lines.append(
            _("该日是%(why)s，期限顺延至其后第一个工作日 %(result)s。") % {"why": why, "result": fmt(result)}
        )
    _calendar_lines(cal, start, result, out)
    return out
