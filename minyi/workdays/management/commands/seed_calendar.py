"""`python manage.py seed_calendar [--years 2004-2026]`: load the official holidays and make-up
workdays from the installed `chinese-calendar` package.

Idempotent and careful with people's work: it only *adds*. A year missing from the database is
created with all its dates. A year already there is left as it is (an admin may have removed a
wrong date on purpose): the dates the package has but the database lacks, and the dates whose kind
differs, are reported; `--fill-existing` adds the missing ones. Nothing is ever changed or removed.
A year created from the package is marked complete, its notice named as the State Council's
arrangement for that year as carried by the package. A run that added anything bumps the versions of the years it touched and writes one audit row
(`calendar.seeded`, actor: the system).
"""

from __future__ import annotations

import re

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from minyi import audit
from minyi.workdays.models import CalendarYear, SpecialDay
from minyi.workdays.seeding import package_days, package_notice, package_years
from minyi.workdays.services import MAX_YEAR, MIN_YEAR, invalidate_calendar


def parse_years(text: str) -> list[int]:
    """ "2004-2026", "2027" or "2004-2010,2027" → a sorted list of years."""
    years: set[int] = set()
    for part in filter(None, (p.strip() for p in text.split(","))):
        match = re.fullmatch(r"(\d{4})(?:\s*[-–]\s*(\d{4}))?", part)
        if not match:
            raise CommandError(f"--years: cannot read {part!r} (use e.g. 2004-2026 or 2027)")
        low, high = int(match[1]), int(match[2] or match[1])
        if low > high:
            raise CommandError(f"--years: {part!r} goes backwards")
        if low < MIN_YEAR or high > MAX_YEAR:
            raise CommandError(f"--years: years must be between {MIN_YEAR} and {MAX_YEAR}")
        years.update(range(low, high + 1))
    if not years:
        raise CommandError("--years: no year given")
    return sorted(years)


class Command(BaseCommand):
    help = "Load official holidays and make-up workdays from the chinese-calendar package (only adds)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--years",
            help="years to load, e.g. 2004-2026 or 2027 (default: every year the installed package covers)",
        )
        parser.add_argument(
            "--fill-existing",
            action="store_true",
            help="also add the package's dates that are missing from years already in the database",
        )

    def handle(self, *args, years=None, fill_existing=False, **options):
        available = set(package_years())
        wanted = parse_years(years) if years else sorted(available)
        without_data = [y for y in wanted if y not in available]
        if without_data:
            self.stderr.write(
                "The installed chinese-calendar package has no data for: "
                + ", ".join(map(str, without_data))
                + " (upgrade it, or enter these years on the calendar pages)."
            )
        summary = seed_years([y for y in wanted if y in available], fill_existing=fill_existing)
        for day, (db_kind, db_name), (pkg_kind, pkg_name) in summary["conflicts"]:
            self.stderr.write(f"{day}: kept {db_kind} {db_name!r} (the package says {pkg_kind} {pkg_name!r})")
        if summary["skipped"]:
            self.stderr.write(
                f"{len(summary['skipped'])} package dates are missing from years already in the database "
                f"(first: {summary['skipped'][0]}); add them with --fill-existing if that is right."
            )
        if summary["added"]:
            years_text = ", ".join(f"{y} (+{n})" for y, n in sorted(summary["added"].items()))
            self.stdout.write(self.style.SUCCESS(f"Added {summary['days_added']} days: {years_text}"))
        else:
            self.stdout.write("Nothing to add: the calendar already has everything the package has.")


@transaction.atomic
def seed_years(years: list[int], *, fill_existing: bool = False) -> dict:
    """Add the package's data for `years` that the database lacks (whole years; with
    `fill_existing` also single dates of existing years); one audit row if anything changed."""
    package = package_days(years)
    existing_years = {y.year: y for y in CalendarYear.objects.select_for_update().filter(year__in=years)}
    existing_days = {
        d.date: (d.kind, d.name)
        for d in SpecialDay.objects.filter(year__in=years).only("date", "kind", "name")
    }
    added: dict[int, int] = {}
    created_years: list[int] = []
    new_days: list[SpecialDay] = []
    conflicts = []
    skipped: list = []
    already_there = set(existing_years)
    for day, (kind, name) in package.items():
        if day in existing_days:
            if existing_days[day][0] != kind:
                conflicts.append((day, existing_days[day], (kind, name)))
            continue
        if day.year in already_there and not fill_existing:
            skipped.append(day)
            continue
        if day.year not in existing_years:
            # The package's years are the State Council's published arrangements in full.
            existing_years[day.year] = CalendarYear.objects.create(
                year=day.year,
                source=CalendarYear.Source.PACKAGE,
                complete=True,
                source_notice=package_notice(day.year),
                completed_at=timezone.now(),
            )
            created_years.append(day.year)
        new_days.append(SpecialDay(date=day, year_id=day.year, kind=kind, name=name))
        added[day.year] = added.get(day.year, 0) + 1
    SpecialDay.objects.bulk_create(new_days, batch_size=200)
    for year in added:
        if year not in created_years:
            cal_year = existing_years[year]
            cal_year.bump()
            cal_year.save(update_fields=["version", "revision", "updated_at"])
    if added:
        audit.record(
            "calendar.seeded",
            actor=None,
            new={
                "source": "chinese-calendar",
                "days_added": len(new_days),
                "years_created": sorted(created_years),
                "added_per_year": {str(y): n for y, n in sorted(added.items())},
                "versions": {str(y): existing_years[y].version for y in sorted(added)},
            },
        )
        transaction.on_commit(invalidate_calendar)
    return {
        "added": added,
        "days_added": len(new_days),
        "created_years": created_years,
        "conflicts": conflicts,
        "skipped": skipped,
    }
