"""Every change to the holiday calendar goes through a `do_*` action here: permission check, one
transaction, the year's `version` bumped, an audit row with old and new values, and the cached
calendar forgotten once the change is committed."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from minyi import audit
from minyi.core.errors import NotPermitted, ValidationFailed

from .models import CalendarYear, SpecialDay
from .rules import can_manage_calendar
from .services import MAX_YEAR, MIN_YEAR, invalidate_calendar

NAME_MAX = SpecialDay._meta.get_field("name").max_length


def _require_manager(actor: Any) -> None:
    if actor is not None and not can_manage_calendar(actor):
        raise NotPermitted(_("只有上级人大的管理员或系统管理员可以修改节假日日历。"))


def _check_date(day: Any) -> None:
    if not isinstance(day, datetime.date) or isinstance(day, datetime.datetime):
        raise ValidationFailed(_("请填写有效的日期。"), code="bad_date")
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise ValidationFailed(
            _("日期须在 %(min)s 年至 %(max)s 年之间。") % {"min": MIN_YEAR, "max": MAX_YEAR}, code="bad_date"
        )


def _state(day: SpecialDay | None) -> dict[str, Any] | None:
    if day is None:
        return None
    return {"date": day.date, "kind": day.kind, "name": day.name}


def _touch_year(year: int) -> CalendarYear:
    """Lock the year's row (creating it as manually entered if missing) and bump its version."""
    cal_year, created = CalendarYear.objects.select_for_update().get_or_create(
        year=year, defaults={"source": CalendarYear.Source.MANUAL}
    )
    if not created:
        cal_year.bump()
        cal_year.save(update_fields=["version", "revision", "updated_at"])
    return cal_year


@transaction.atomic
def do_set_special_day(day: datetime.date, *, actor: Any, kind: str, name: str) -> SpecialDay:
    """Make `day` a holiday (放假) or a make-up workday (调休上班), or change its name or kind.
    Setting a day to exactly what it already is (same kind and name) is refused, so that the person
    learns it was already there; a different name is a correction and is saved."""
    _require_manager(actor)
    _check_date(day)
    if kind not in SpecialDay.Kind.values:
        raise ValidationFailed(_("类型只能是“放假”或“调休上班”。"), code="bad_kind")
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_("请填写节日名称，如“国庆节”。"), code="bad_name")
    if len(name) > NAME_MAX:
        raise ValidationFailed(_("节日名称最多 %(n)s 个字。") % {"n": NAME_MAX}, code="bad_name")
    if kind == SpecialDay.Kind.WORKDAY and day.weekday() < 5:
        raise ValidationFailed(
            _("%(day)s 是周一至周五，本来就是工作日；调休上班日只能是周六或周日。")
            % {"day": day.isoformat()},
            code="workday_on_weekday",
        )
    existing = SpecialDay.objects.select_for_update().filter(date=day).first()
    if existing is not None and existing.kind == kind and existing.name == name:
        if kind == SpecialDay.Kind.HOLIDAY:
            message, code = _("%(day)s 已经是放假日（%(name)s），无需重复录入。"), "already_holiday"
        else:
            message, code = _("%(day)s 已经是调休上班日（%(name)s），无需重复录入。"), "already_workday"
        raise ValidationFailed(message % {"day": day.isoformat(), "name": name}, code=code)
    old = _state(existing)
    cal_year = _touch_year(day.year)
    if existing is None:
        special = SpecialDay.objects.create(date=day, year=cal_year, kind=kind, name=name)
    else:
        special = existing
        special.kind, special.name = kind, name
        special.save(update_fields=["kind", "name"])
    audit.record(
        "calendar.day_set",
        actor=actor,
        obj=special,
        old=old,
        new={**_state(special), "year_version": cal_year.version},
    )
    transaction.on_commit(invalidate_calendar)
    return special


@transaction.atomic
def do_remove_special_day(day: datetime.date, *, actor: Any) -> None:
    """Make `day` an ordinary day again (a working day Monday–Friday, a rest day at the weekend)."""
    _require_manager(actor)
    _check_date(day)
    existing = SpecialDay.objects.select_for_update().filter(date=day).first()
    if existing is None:
        raise ValidationFailed(
            _("%(day)s 不是节假日或调休上班日，无需删除。") % {"day": day.isoformat()}, code="not_special"
        )
    cal_year = _touch_year(day.year)
    audit.record(
        "calendar.day_removed",
        actor=actor,
        obj=existing,
        old=_state(existing),
        new={"date": day, "year_version": cal_year.version},
    )
    existing.delete()
    transaction.on_commit(invalidate_calendar)
