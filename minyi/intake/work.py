"""The intake app's 待办 sections (`minyi.core.work`, registered in `apps.py`; issue #12).

- a handling unit (its clerks, handlers, leaders; a coordinator for its body): the residents'
  opinions a station forwarded to it, waiting for its answer (转办待答复);
- a liaison clerk: the open opinions of their station(s) (待处理), and those the unit has answered
  whose constituent has not been told yet (待告知反映人);
- a deputy: the open opinions they are responsible for (交由本人处理).

Each list is a queryset of `Opinion` rows visible to the user by `rules.can_view_opinion` (the unit
ones only while forwarded to it), so the counts and the page's rows are the same rows.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minyi.accounts.models import Role
from minyi.congress.models import Congress
from minyi.core.work import WorkEntry, WorkSection

from .models import TRACKING_KEY_SUFFIX, Opinion, OutcomeNotice
from .rules import station_ids, unit_ids
from .states import OpinionState

OS = OpinionState
CLIP = 40


def _clip(text: str) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= CLIP else text[: CLIP - 1] + "…"


def _entry(congress: Congress, *, button: Any, meta: Any) -> Any:
    def entry(opinion: Opinion) -> WorkEntry:
        return WorkEntry(
            title=_clip(opinion.content),
            url=reverse("intake:opinion", args=[congress.code, opinion.pk]),
            meta=str(meta(opinion)),
            state=opinion.get_state_display(),
            button=str(button),
            number=str(_("社情民意 #%(pk)s") % {"pk": opinion.pk}),
        )

    return entry


def _forwarded_meta(opinion: Opinion) -> str:
    where = opinion.station.name if opinion.station else (opinion.deputy.name if opinion.deputy else "")
    day = timezone.localdate(opinion.forwarded_at) if opinion.forwarded_at else opinion.collected_on
    return _("%(where)s于%(day)s转办") % {"where": where, "day": day}


def _collected_meta(opinion: Opinion) -> str:
    where = opinion.station.name if opinion.station else ""
    return _("%(day)s收集 %(where)s") % {"day": opinion.collected_on, "where": where}


def _answered_meta(opinion: Opinion) -> str:
    return _("%(unit)s已答复") % {"unit": opinion.forwarded_to}


def work_sections(user: Any, congress: Congress, roles: frozenset[str]) -> list[WorkSection]:
    base = Opinion.objects.filter(congress=congress).select_related("station", "deputy", "forwarded_to")
    found: list[WorkSection] = []
    units = unit_ids(user, congress)
    if units:
        found.append(
            WorkSection(
                "forwarded_opinions",
                gettext_lazy("待答复的转办社情民意"),
                "opinion",
                base.filter(forwarded_to__in=units, state=OS.FORWARDED).order_by("forwarded_at", "id"),
                entry=_entry(congress, button=gettext_lazy("答复"), meta=_forwarded_meta),
            )
        )
    stations = station_ids(user, congress) if Role.LIAISON_CLERK in roles else set()
    if stations:
        mine = base.filter(station__in=stations)
        told = Exists(
            OutcomeNotice.objects.filter(opinion=OuterRef("pk")).exclude(key__endswith=TRACKING_KEY_SUFFIX)
        )
        found += [
            WorkSection(
                "station_opinions",
                gettext_lazy("本站待处理的社情民意"),
                "opinion",
                mine.filter(state=OS.OPEN).order_by("collected_on", "id"),
                entry=_entry(congress, button=gettext_lazy("处理"), meta=_collected_meta),
            ),
            WorkSection(
                "opinions_to_tell",
                gettext_lazy("待告知反映人的社情民意（单位已答复）"),
                "opinion",
                mine.filter(state=OS.UNIT_ANSWERED)
                .exclude(constituent_phone="")
                .filter(~told)
                .order_by("unit_answered_at", "id"),
                entry=_entry(congress, button=gettext_lazy("告知"), meta=_answered_meta),
            ),
        ]
    if Role.DEPUTY in roles:
        # by the deputy's account, not `deputy_of` (a query of its own): the counts stay one query
        own = base.filter(deputy__user=user, state=OS.OPEN)
        if stations:
            own = own.exclude(station__in=stations)  # already in the station's list
        found.append(
            WorkSection(
                "deputy_opinions",
                gettext_lazy("交由本人处理的社情民意"),
                "opinion",
                own.order_by("collected_on", "id"),
                entry=_entry(congress, button=gettext_lazy("处理"), meta=_collected_meta),
            )
        )
    return found
