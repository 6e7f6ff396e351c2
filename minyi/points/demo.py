"""Demo points for the fictional demo congress, made through the real actions:

- the default rule table;
- offline activities (线下履职) of the last quarter for a dozen deputies, with evidence, checked by
  their group's liaison clerk and reviewed by the congress clerk; a few more waiting for 初审 or 复核;
- monthly expectations for two deputies (in the model district the party secretary and the district
  head are deputies and write a suggestion a month, as ordinary deputies);
- the ledger of the last quarter's year (and this year) rebuilt from every source — suggestions,
  key themes, published awards, liaison-station attendance and the reviewed activities;
- one objection decided (corrected) and one waiting for the clerk.

Expects the accounts of `seed_demo` (``admin``, ``clerk``, ``deputy1``…, ``liaison1``…) and runs
after the demo suggestions, key themes, intake and awards, so that their events count. Call
`seed_demo_points(congress, rng=…)` inside the seeding transaction.
"""

from __future__ import annotations

import base64
import datetime
import random

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from minyi.accounts.models import Membership, Role, User
from minyi.congress.models import Congress, Deputy

from . import actions as P
from .models import LedgerEntry, ManualEntry
from .periods import Period

#: A 1×1 PNG: the demo's evidence "photo" (evidence is checked on its content).
EVIDENCE_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)
ACTIVITIES = [
    (
        "offline_inspection",
        "参加区人大常委会老旧小区改造专题视察",
        "随常委会视察组实地察看三个小区改造进度。",
    ),
    ("offline_contact", "走访社区听取居民对物业服务的意见", "走访居民二十余户，收集意见八条。"),
    ("offline_meeting", "列席区人大常委会第二十三次会议", "列席会议并参加分组审议。"),
    ("offline_training", "参加代表履职能力培训班", "参加为期一天的集中培训。"),
    ("offline_inspection", "参加食品安全执法检查", "随执法检查组检查农贸市场和食品小作坊。"),
    ("offline_contact", "到村民小组宣讲并收集意见", "召开村民小组会议，收集意见五条。"),
]


def _evidence(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, EVIDENCE_PNG, content_type="image/png")


def _group_clerks(congress: Congress) -> dict[int, User]:
    """The first liaison clerk of a station of each deputy group."""
    out: dict[int, User] = {}
    for m in (
        Membership.objects.filter(congress=congress, role=Role.LIAISON_CLERK, station__group__isnull=False)
        .select_related("user", "station")
        .order_by("user__username")
    ):
        if m.station is not None and m.station.group_id is not None:
            out.setdefault(m.station.group_id, m.user)
    return out


def seed_demo_points(congress: Congress, *, rng: random.Random) -> dict[str, int]:
    admin = User.objects.get(username="admin")
    clerk = User.objects.get(username="clerk")
    today = timezone.localdate()
    last = Period.last_quarter(today)
    P.ensure_default_rules(congress)

    clerks = _group_clerks(congress)
    deputies = list(
        Deputy.objects.filter(congress=congress, user__isnull=False, group_id__in=list(clerks))
        .select_related("user")
        .order_by("number")
    )
    chosen = rng.sample(deputies, min(14, len(deputies)))
    days = (last.end - last.start).days
    made: list[ManualEntry] = []
    for i, deputy in enumerate(chosen):
        event, title, description = ACTIVITIES[i % len(ACTIVITIES)]
        entry = P.do_submit_manual_entry(
            deputy,
            actor=deputy.user,
            event=event,
            activity_date=last.start + datetime.timedelta(days=rng.randint(0, days)),
            title=title,
            description=description,
            evidence=_evidence("现场照片.png"),
        )
        made.append(entry)
        if i >= len(chosen) - 2:
            continue  # the last two wait for 初审
        P.do_check_manual_entry(entry, actor=clerks[deputy.group_id or 0], approve=True, note="情况属实。")
        if i >= len(chosen) - 4:
            continue  # two more wait for 复核
        P.do_review_manual_entry(entry, actor=clerk, approve=True, note="同意计分。")

    for username, note in (("deputy1", "区委书记（区人大代表）"), ("deputy2", "区长（区人大代表）")):
        deputy = Deputy.objects.get(congress=congress, user__username=username)
        P.do_set_expectation(
            congress,
            actor=admin,
            deputy=deputy,
            per_month=1,
            start_month=datetime.date(last.year, 1, 1),
            note=note,
        )

    years = sorted({last.year, today.year})
    for year in years:
        P.sync_ledger(congress, year)

    # one objection corrected, one waiting for the clerk
    entries = list(
        LedgerEntry.objects.filter(congress=congress, year=last.year, event__startswith="offline_").order_by(
            "key"
        )
    )
    if len(entries) >= 2:
        first, second = entries[0], entries[1]
        objection = P.do_raise_objection(
            first, actor=first.deputy.user, reason="该次活动为全天视察，应按视察调研计分。"
        )
        P.do_decide_objection(
            objection,
            actor=clerk,
            accept=True,
            corrected_points=3,
            reason="经核实签到表，同意按视察调研计3分。",
        )
        P.do_raise_objection(second, actor=second.deputy.user, reason="活动日期登记有误，请核实。")
    for year in years:
        P.sync_ledger(congress, year)
    return {
        "manual": len(made),
        "entries": LedgerEntry.objects.filter(congress=congress).count(),
    }
