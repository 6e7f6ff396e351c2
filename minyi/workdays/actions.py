"""Every change to the holiday calendar goes through a `do_*` action here: permission check, one
transaction, the year's `version` bumped, an audit row with old and new values, and the cached
calendar forgotten once the change is committed.

National changes (days, a year's completeness) are for platform administrators only and are audited
without a congress (they belong to no one congress); the deadlines they move are recomputed by
`minyi.supervision.actions.do_recompute_deadlines`, which writes its rows in each affected congress.
A congress's local closures are audited in that congress."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from minyi import audit
from minyi.core.errors import ValidationFailed
from minyi.core.kit import Actor, Ctx, authorize, clean_text, record

from .models import CalendarYear, LocalCalendarYear, LocalClosure, SpecialDay
from .services import MAX_YEAR, MIN_YEAR, get_calendar, invalidate_calendar

if TYPE_CHECKING:
    from minyi.congress.models import Congress

NAME_MAX = SpecialDay._meta.get_field("name").max_length
NOTICE_MAX: int = CalendarYear._meta.get_field("source_notice").max_length or 200
CLOSURE_NAME_MAX: int = LocalClosure._meta.get_field("name").max_length or 50


def _require_manager(actor: Actor) -> None:
    """Platform administrators, or the system (a seeding command)."""
    authorize(
        actor,
        "workdays.manage_calendar",
        None,
        _("全国节假日日历只能由平台管理员修改；本人大的临时停止办公日请在“本地停止办公日”中录入。"),
        system=True,
    )


def _check_date(day: Any) -> None:
    if not isinstance(day, datetime.date) or isinstance(day, datetime.datetime):
        raise ValidationFailed(_("请填写有效的日期。"), code="bad_date")
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise ValidationFailed(
            _("日期须在 %(min)s 年至 %(max)s 年之间。") % {"min": MIN_YEAR, "max": MAX_YEAR}, code="bad_date"
        )


def _state(day: SpecialDay) -> dict[str, Any]:
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
def do_set_special_day(day: datetime.date, *, actor: Actor, kind: str, name: str) -> SpecialDay:
    """Make `day` a holiday (放假) or a make-up workday (调休上班), or change its name or kind.
    Setting a day to exactly what it already is (same kind and name) is refused, so that the person
    learns it was already there; a different name is a correction and is saved."""
    _require_manager(actor)
    _check_date(day)
    if kind not in SpecialDay.Kind.values:
        raise ValidationFailed(_("类型只能是“放假”或“调休上班”。"), code="bad_kind")
    name = clean_text(
        name,
        _("请填写节日名称，如“国庆节”。"),
        code="bad_name",
        limit=NAME_MAX,
        too_long=_("节日名称最多 %(n)s 个字。"),
        too_long_code="bad_name",
    )
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
    old = _state(existing) if existing is not None else None
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
def do_remove_special_day(day: datetime.date, *, actor: Actor) -> None:
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


@transaction.atomic
def do_mark_year_complete(year: int, *, actor: Actor, notice: str) -> CalendarYear:
    """Say that `year`'s arrangement is entered in full, as published in `notice` (e.g.
    "国办发明电〔2026〕…号"). From then on dates in the year are no longer provisional and its
    warnings stop. Bumps the year's revision. The deadlines it moves are recomputed separately
    (`do_recompute_deadlines`, preview first)."""
    _require_manager(actor)
    if not isinstance(year, int) or not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationFailed(
            _("年度须在 %(min)s 年至 %(max)s 年之间。") % {"min": MIN_YEAR, "max": MAX_YEAR}, code="bad_year"
        )
    notice = clean_text(
        notice,
        _("请填写所依据的通知，如“国办发明电〔2026〕7号”。"),
        code="notice_required",
        limit=NOTICE_MAX,
        too_long=_("通知名称最多 %(n)s 个字。"),
        too_long_code="notice_required",
    )
    cal_year = CalendarYear.objects.select_for_update().filter(year=year).first()
    if cal_year is None or not cal_year.days.filter(kind=SpecialDay.Kind.HOLIDAY).exists():
        raise ValidationFailed(
            _("%(year)s年还没有录入任何放假日，不能标记为完整。请先按通知录入全部放假和调休上班日期。")
            % {"year": year},
            code="nothing_entered",
        )
    if cal_year.complete:
        raise ValidationFailed(
            _("%(year)s年已标记为完整（依据：%(notice)s）。")
            % {"year": year, "notice": cal_year.source_notice},
            code="already_complete",
        )
    old = {"complete": False, "source_notice": cal_year.source_notice, "version": cal_year.version}
    cal_year.complete, cal_year.source_notice = True, notice
    cal_year.completed_by, cal_year.completed_at = (
        actor if getattr(actor, "pk", None) else None,
        timezone.now(),
    )
    cal_year.bump()
    cal_year.save()
    audit.record(
        "calendar.year_completed",
        actor=actor,
        obj=cal_year,
        old=old,
        new={"complete": True, "source_notice": notice, "version": cal_year.version},
    )
    transaction.on_commit(invalidate_calendar)
    return cal_year


# --- a congress's local closures -----------------------------------------------------------------------


def _local_ctx(congress: Congress, actor: Actor) -> Ctx:
    """The call's context once the actor is one of `congress`'s admins (never the system)."""
    authorize(
        actor, "workdays.manage_local_closures", congress, _("只有本人大的管理员可以录入本地停止办公日。")
    )
    return Ctx(actor=actor, congress=congress)


def _touch_local_year(congress: Congress, year: int) -> LocalCalendarYear:
    local_year, created = LocalCalendarYear.objects.select_for_update().get_or_create(
        congress=congress, year=year
    )
    if not created:
        local_year.bump()
        local_year.save(update_fields=["version", "revision", "updated_at"])
    return local_year


@transaction.atomic
def do_add_local_closure(congress: Congress, day: datetime.date, *, actor: Actor, name: str) -> LocalClosure:
    """A day on which this congress's offices are closed (e.g. a typhoon): a rest day for this
    congress's deadlines only. Only on a day the national calendar counts as a working day."""
    ctx = _local_ctx(congress, actor)
    _check_date(day)
    name = clean_text(
        name,
        _("请填写停止办公的原因，如“台风停工”。"),
        code="bad_name",
        limit=CLOSURE_NAME_MAX,
        too_long=_("原因最多 %(n)s 个字。"),
        too_long_code="bad_name",
    )
    if LocalClosure.objects.filter(congress=congress, date=day).exists():
        raise ValidationFailed(
            _("%(day)s 已经是本地停止办公日，无需重复录入。") % {"day": day.isoformat()},
            code="already_closed",
        )
    if not get_calendar().is_workday(day):
        raise ValidationFailed(
            _("%(day)s 按全国日历本来就不是工作日，无需录入停止办公。") % {"day": day.isoformat()},
            code="not_a_workday",
        )
    local_year = _touch_local_year(congress, day.year)
    closure = LocalClosure.objects.create(
        congress=congress,
        date=day,
        local_year=local_year,
        name=name,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    record(
        ctx,
        "calendar.local_closure_added",
        closure,
        new={"date": day, "name": name, "local_version": local_year.version},
    )
    transaction.on_commit(invalidate_calendar)
    return closure


@transaction.atomic
def do_remove_local_closure(congress: Congress, day: datetime.date, *, actor: Actor) -> None:
    """The day is an ordinary day for this congress again."""
    ctx = _local_ctx(congress, actor)
    _check_date(day)
    closure = LocalClosure.objects.select_for_update().filter(congress=congress, date=day).first()
    if closure is None:
        raise ValidationFailed(
            _("%(day)s 不是本地停止办公日，无需删除。") % {"day": day.isoformat()}, code="not_closed"
        )
    local_year = _touch_local_year(congress, day.year)
    record(
        ctx,
        "calendar.local_closure_removed",
        closure,
        old={"date": day, "name": closure.name},
        new={"local_version": local_year.version},
    )
    closure.delete()
    transaction.on_commit(invalidate_calendar)
