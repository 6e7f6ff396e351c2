"""The publication app's 待办 sections (`minyi.core.work`, registered in `apps.py`): for the
congress's staff, the suggestions awaiting a publication decision (待公开审定) and the units'
withhold requests awaiting a decision (不予公开申请)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy

from minyi.accounts.models import STAFF_ROLES
from minyi.congress.models import Congress
from minyi.core.work import WorkEntry, WorkSection

from . import review


def work_sections(user: Any, congress: Congress, roles: frozenset[str]) -> list[WorkSection]:
    if not roles & STAFF_ROLES:
        return []
    code = congress.code

    def suggestion_entry(suggestion: Any) -> WorkEntry:
        return WorkEntry(
            title=suggestion.title,
            url=reverse("publication:review", args=[code, suggestion.pk]),
            meta=str(gettext_lazy("%(state)s · 待决定是否公开") % {"state": suggestion.get_state_display()}),
            state=str(gettext_lazy("待公开审定")),
            button=str(gettext_lazy("审定")),
            number=suggestion.number,
        )

    def request_entry(request: Any) -> WorkEntry:
        return WorkEntry(
            title=request.suggestion.title,
            url=reverse("publication:review", args=[code, request.suggestion_id]),
            meta=f"{request.unit.name} · {request.get_ground_display()}",
            state=str(gettext_lazy("申请不予公开")),
            button=str(gettext_lazy("审定")),
            number=request.suggestion.number,
        )

    return [
        WorkSection(
            key="withhold_requests",
            label=gettext_lazy("不予公开申请待审定"),
            model="withhold_request",
            queryset=review.pending_withhold_requests(congress),
            entry=request_entry,
            link=reverse("publication:index", args=[code]) + "?tab=requests",
        ),
        WorkSection(
            key="to_publish",
            label=gettext_lazy("待公开审定"),
            model="to_publish",
            queryset=review.publishable(congress),
            entry=suggestion_entry,
            link=reverse("publication:index", args=[code]),
        ),
    ]
