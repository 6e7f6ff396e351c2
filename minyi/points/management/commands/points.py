"""`python manage.py points` — the points ranking (亮分) of a congress for a quarter or a year, and the
check that the stored ledger equals a recomputation from the source events.

    manage.py points --congress demo --period 2026Q3 --json     # the ranking as a JSON list
    manage.py points --congress demo --period 2026 --group 城关街道代表小组
    manage.py points --congress demo --period 2026Q3 --recompute  # rebuild the year, report differences
    manage.py points --all                                         # the periodic job: rebuild this year
                                                                   # of every congress

Each ranking row: ``rank``, ``deputy_number``, ``name``, ``group``, ``points``, ``entries``.
``--recompute`` rebuilds the ledger of the period's year from the events (audited as
``points.ledger_synced`` when something changed) and reports, on stderr, every difference between
the ledger as it was and the recomputation — within the period, and how many elsewhere in the year.
After normal operation the difference is 0.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from minyi.congress.models import Congress, DeputyGroup
from minyi.points.actions import sync_all, sync_ledger
from minyi.points.engine import Diff
from minyi.points.periods import Period
from minyi.points.selectors import ranking


class Command(BaseCommand):
    help = "Print a congress's points ranking for a quarter (2026Q3) or a year (2026); --recompute rebuilds the ledger and reports differences."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--congress", help="the congress code, e.g. demo")
        parser.add_argument(
            "--period", help="2026Q3 for a quarter, 2026 for a year (default: the last quarter)"
        )
        parser.add_argument("--group", help="only this deputy group (its name)")
        parser.add_argument(
            "--recompute",
            action="store_true",
            help="rebuild the ledger from the events and report differences",
        )
        parser.add_argument("--json", action="store_true", help="print the ranking as JSON")
        parser.add_argument(
            "--all",
            action="store_true",
            help="rebuild the current year of every active congress (periodic job)",
        )

    def handle(self, *args: Any, **options: Any) -> None:  # noqa: C901
        if options["all"]:
            changed = sync_all()
            for code, n in changed.items():
                self.stdout.write(f"{code}: {n} changed entries")
            return
        if not options["congress"]:
            raise CommandError("--congress is required (or --all)")
        congress = Congress.objects.filter(code=options["congress"]).first()
        if congress is None:
            raise CommandError(f"no congress with code {options['congress']!r}")
        try:
            period = Period.parse(options["period"]) if options["period"] else Period.last_quarter()
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        group = None
        if options["group"]:
            group = DeputyGroup.objects.filter(congress=congress, name=options["group"]).first()
            if group is None:
                raise CommandError(f"no deputy group {options['group']!r} in {congress.code}")
        if options["recompute"]:
            self.report(congress, period, sync_ledger(congress, period.year))
        rows = ranking(congress, period, group=group)
        if options["json"]:
            self.stdout.write(json.dumps([r.as_dict() for r in rows], ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"{congress.name} {period.label} 履职积分排名（{len(rows)} 名代表）")
        for r in rows:
            self.stdout.write(
                f"{r.rank:>4}  {r.deputy.number:<10} {r.deputy.name:<8} {r.points:>5} 分  {r.entries} 条"
            )

    def report(self, congress: Congress, period: Period, result: Diff) -> None:
        mine = result.within(period)
        others = result.count - mine.count
        err = self.stderr
        if not result:
            err.write(
                f"recompute {congress.code} {period.year}: no difference between the stored ledger and the recomputation"
            )
            return
        err.write(
            f"recompute {congress.code} {period.year}: {mine.count} differences in {period.code}"
            f" (added {len(mine.added)}, removed {len(mine.removed)}, changed {len(mine.changed)}),"
            f" {others} elsewhere in {period.year}; the ledger has been rebuilt"
        )
        for e in mine.added:
            err.write(f"  + {e.key} {e.points:+d} ({e.date})")
        for e in mine.removed:
            err.write(f"  - {e.key} {e.points:+d} ({e.date})")
        for old, new in mine.changed:
            err.write(f"  ~ {new.key} {old.points:+d} → {new.points:+d}")
