"""The supervision app's 待办 sections (`minyi.core.work`, registered in `apps.py`; issue #12): the
inspection office's leader instructions under special supervision (批示专项督查), open until the
office concludes them, due on the time limit it set (`Instruction.due_on`); and a unit's task-force
inspections that require action it has not yet answered (整改反馈), due on the inspection's time
limit (`Inspection.due_on`)."""

from __future__ import annotations

from typing import Any

from django.db.models import F
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minyi.accounts.models import UNIT_WORK_ROLES, Role
from minyi.congress.models import Congress
from minyi.core.tenancy import units_of
from minyi.core.work import WorkEntry, WorkSection

from .models import Inspection, Instruction


def _entry(congress: Congress):
    def entry(instruction: Instruction) -> WorkEntry:
        s = instruction.suggestion
        return WorkEntry(
            title=s.title,
            url=reverse("supervision:instruction_detail", args=[congress.code, instruction.pk]),
            meta=str(instruction),
            state=_("督查中"),
            due_on=instruction.due_on,
            button=_("督查"),
            number=s.number or "",
        )

    return entry


def _inspection_entry(congress: Congress):
    def entry(inspection: Inspection) -> WorkEntry:
        s = inspection.suggestion
        return WorkEntry(
            title=s.title,
            url=reverse("supervision:inspection_detail", args=[congress.code, inspection.pk]),
            meta=f"{inspection} · {inspection.assignment.unit}",
            state=_("待反馈整改"),
            due_on=inspection.due_on,
            button=_("反馈整改"),
            number=s.number or "",
        )

    return entry


def work_sections(user: Any, congress: Congress, roles: frozenset[str]) -> list[WorkSection]:
    found: list[WorkSection] = []
    if Role.INSPECTOR in roles:
        found.append(
            WorkSection(
                "instructions",
                gettext_lazy("批示专项督查中的建议"),
                "instruction",
                Instruction.objects.filter(congress=congress, concluded_at__isnull=True)
                .select_related("suggestion")
                .order_by(F("due_on").asc(nulls_last=True), "id"),
                due=F("due_on"),
                entry=_entry(congress),
            )
        )
    units = units_of(user, congress, UNIT_WORK_ROLES) if roles & UNIT_WORK_ROLES else set()
    if units:  # the inspections of the user's units that require action the unit has not answered
        found.append(
            WorkSection(
                "inspections_to_answer",
                gettext_lazy("督导检查待反馈整改"),
                "inspection",
                Inspection.objects.filter(congress=congress, assignment__unit__in=units, unit_answer="")
                .exclude(required_action="")
                .select_related("suggestion", "assignment__unit")
                .order_by(F("due_on").asc(nulls_last=True), "id"),
                due=F("due_on"),
                entry=_inspection_entry(congress),
            )
        )
    return found
