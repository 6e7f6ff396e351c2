"""The supervision app's 待办 section (`minyi.core.work`, registered in `apps.py`; issue #12): the
inspection office's leader instructions under special supervision (批示专项督查), open until the
office concludes them, due on the time limit it set (`Instruction.due_on`)."""

from __future__ import annotations

from typing import Any

from django.db.models import F
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minyi.accounts.models import Role
from minyi.congress.models import Congress
from minyi.core.work import WorkEntry, WorkSection

from .models import Instruction


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


def work_sections(user: Any, congress: Congress, roles: frozenset[str]) -> list[WorkSection]:
    if Role.INSPECTOR not in roles:
        return []
    return [
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
    ]
