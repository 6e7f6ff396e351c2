"""`{% provisional_badge day %}`: the small 暂定 badge after a date that falls in a year whose
official calendar is not confirmed complete — the same rule (`WorkCalendar.is_provisional`) as the
deadline statuses (`Status.provisional`) and the API's `due_provisional` fields."""

from __future__ import annotations

import datetime

from django import template
from django.template.loader import render_to_string

from minyi.workdays.explain import fmt
from minyi.workdays.services import WorkCalendar, get_calendar

register = template.Library()


def request_calendar(request) -> WorkCalendar:
    """The calendar for this request's congress, loaded once per request."""
    cal = getattr(request, "_minyi_workcalendar", None) if request is not None else None
    if cal is None:
        cal = get_calendar(getattr(request, "congress", None))
        if request is not None:
            request._minyi_workcalendar = cal
    return cal


@register.simple_tag(takes_context=True)
def provisional_badge(context, day) -> str:
    if not isinstance(day, datetime.date):
        return ""
    if isinstance(day, datetime.datetime):
        day = day.date()
    if not request_calendar(context.get("request")).is_provisional(day):
        return ""
    return render_to_string("workdays/_provisional.html", {"year": day.year})


@register.filter
def with_weekday(day) -> str:
    """`{{ day|with_weekday }}`: 2026-10-08（周四） in Chinese, 8 Oct 2026 (Thursday) in English."""
    if not isinstance(day, datetime.date):
        return ""
    if isinstance(day, datetime.datetime):
        day = day.date()
    return fmt(day)
