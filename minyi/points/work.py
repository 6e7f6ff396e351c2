"""The points app's 待办 sections (`minyi.core.work`, registered in `apps.py`; issue #12).

- the congress staff (who decide objections): the points objections waiting for a decision;
- the congress clerks and the liaison clerks of a deputy group: the manual entries (线下履职登记)
  waiting for their 初审 or 复核 (`selectors.review_queue`, the review page's own list);
- a deputy the congress expects to write suggestions every month (often a standing-committee
  leader): this month's expectation while it is not met yet — how many suggestions led and
  accepted this month, out of how many — due at the month's end.
"""

from __future__ import annotations

import calendar
import datetime
from typing import Any

from django.db.models import Count, DateField, F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Cast, Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minyi.accounts.models import STAFF_ROLES, Role
from minyi.congress.models import Congress, Deputy
from minyi.core.work import WorkEntry, WorkSection
from minyi.suggestions.selectors import accepted_led_by

from .models import MonthlyExpectation, Objection
from .rules import clerk_groups
from .selectors import review_queue


def month_bounds(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The first and the last day of `today`'s month."""
    first = today.replace(day=1)
    return first, today.replace(day=calendar.monthrange(today.year, today.month)[1])


def expectations_due(user: Any, congress: Congress, *, met: bool = False):
    """This month's expectations of `user`'s deputy row not met yet (`met`: those met), each
    annotated with `written` (suggestions led, submitted this month and accepted, as the
    expectations table counts them)."""
    first, last = month_bounds(timezone.localdate())
    start = timezone.make_aware(datetime.datetime.combine(first, datetime.time.min))
    end = timezone.make_aware(datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time.min))
    mine = Deputy.objects.filter(congress=congress, user=user).values("pk")
    written = (
        accepted_led_by(congress, mine, start, end)
        .filter(lead=OuterRef("deputy"))
        .order_by()
        .values("lead")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        MonthlyExpectation.objects.filter(congress=congress, deputy__in=mine, start_month__lte=first)
        .filter(Q(end_month__isnull=True) | Q(end_month__gte=first))
        .annotate(written=Coalesce(Subquery(written, output_field=IntegerField()), Value(0)))
        .filter(Q(written__gte=F("per_month")) if met else Q(written__lt=F("per_month")))
        .select_related("deputy")
        .order_by("start_month", "id")
    )


def _objection_entry(congress: Congress):
    def entry(objection: Objection) -> WorkEntry:
        return WorkEntry(
            title=str(objection.entry.get("description") or objection.entry_key),
            url=reverse("points:objection", args=[congress.code, objection.pk]),
            meta=_("%(deputy)s于%(day)s提出：%(reason)s")
            % {
                "deputy": objection.deputy.name,
                "day": timezone.localdate(objection.raised_at),
                "reason": objection.reason,
            },
            state=objection.get_state_display(),
            button=_("处理"),
        )

    return entry


def _manual_entry(congress: Congress):
    def entry(manual: Any) -> WorkEntry:
        return WorkEntry(
            title=manual.title,
            url=reverse("points:manual_detail", args=[congress.code, manual.pk]),
            meta=f"{manual.deputy.name} · {manual.activity_date}",
            state=manual.get_state_display(),
            button=_("审核"),
        )

    return entry


def _expectation_entry(congress: Congress, *, met: bool = False):
    def entry(expectation: Any) -> WorkEntry:
        _first, last = month_bounds(timezone.localdate())
        if met:
            return WorkEntry(
                title=_("本月建议：要求 %(n)s 件，已立案 %(done)s 件")
                % {"n": expectation.per_month, "done": expectation.written},
                url=reverse("points:me", args=[congress.code]),
                state=_("已达到"),
                button=_("查看"),
            )
        return WorkEntry(
            title=_("本月建议：要求 %(n)s 件，已立案 %(done)s 件")
            % {"n": expectation.per_month, "done": expectation.written},
            url=reverse("suggestions:create", args=[congress.code]),
            meta=_("按提交月份计，立案后计入；%(note)s") % {"note": expectation.note or _("每月建议要求")},
            due_on=last,
            button=_("提出建议"),
        )

    return entry


def work_sections(user: Any, congress: Congress, roles: frozenset[str]) -> list[WorkSection]:
    found: list[WorkSection] = []
    if roles & STAFF_ROLES:
        found.append(
            WorkSection(
                "objections",
                gettext_lazy("待处理的积分异议"),
                "objection",
                Objection.objects.filter(congress=congress, state=Objection.State.PENDING)
                .select_related("deputy")
                .order_by("raised_at", "id"),
                entry=_objection_entry(congress),
            )
        )
    if Role.CONGRESS_CLERK in roles or clerk_groups(user, congress):
        found.append(
            WorkSection(
                "manual_reviews",
                gettext_lazy("待审核的线下履职登记"),
                "manual_entry",
                review_queue(user, congress),
                entry=_manual_entry(congress),
            )
        )
    if Role.DEPUTY in roles:
        _first, last = month_bounds(timezone.localdate())
        found.append(
            WorkSection(
                "monthly_expectation",
                gettext_lazy("本月建议要求（尚未达到）"),
                "expectation",
                expectations_due(user, congress),
                due=Cast(Value(last), DateField()),
                entry=_expectation_entry(congress),
            )
        )
        found.append(
            WorkSection(
                "monthly_expectation_met",
                gettext_lazy("本月建议要求（已达到）"),
                "expectation",
                expectations_due(user, congress, met=True),
                entry=_expectation_entry(congress, met=True),
                counted=False,
            )
        )
    return found
