#!/usr/bin/env python
"""Benchmark of ``scan_deadlines`` over many open assignments (a benchmark, not a test).

    .venv/bin/python bench/bench_scan_deadlines.py                      # 1k, 10k, 100k on SQLite
    .venv/bin/python bench/bench_scan_deadlines.py --sizes 1000,10000
    .venv/bin/python bench/bench_scan_deadlines.py --database-url postgres://postgres@127.0.0.1:5432/minyi_bench

Each size runs in a fresh process on a fresh database (a temporary SQLite file, or the given
PostgreSQL database, whose public schema is dropped and migrated first — never point it at real
data). It seeds one congress with 100 handling units and N suggestions, each assigned to one unit
with its first-contact, reply and statutory-reply deadlines, the assignment dates spread over the 60
days before the scan (so the first-contact limits are mostly overdue, some escalated, and the
replies due soon or later), with bulk inserts. Then it measures, with the number of SQL queries:

- ``first``: the first scan — every reminder stage that is due at once (the catch-up after
  switching reminders on for a live system: the worst case);
- ``again``: the same scan a second time (nothing to send: what every run costs at rest);
- ``next day``: the scan one day later (the deadlines that crossed a threshold overnight).

The scan is set-based (one INSERT … SELECT per rule), so the query count must be the same for every
size; the seconds grow with the rows written. Prints a Markdown table (docs/PERFORMANCE.md).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import subprocess
import sys
import tempfile
import time
import zoneinfo
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
SCAN_AT = datetime.datetime(2026, 6, 15, 10, 0, tzinfo=TZ)  # a Monday
UNITS = 100
DEPUTIES = 500


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="1000,10000,100000", help="open assignments, comma-separated")
    parser.add_argument(
        "--database-url", default="", help="PostgreSQL database to use (its schema is dropped!)"
    )
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one)))
        return
    rows = []
    for size in [int(s) for s in args.sizes.split(",")]:
        with tempfile.TemporaryDirectory() as tmp:
            url = args.database_url or f"sqlite:///{tmp}/bench.sqlite3"
            env = {
                **os.environ,
                "DATABASE_URL": url,
                "DJANGO_SETTINGS_MODULE": "config.settings",
                "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
                "DEBUG": "0",
                "LOG_LEVEL": "ERROR",
                "STATIC_ROOT": f"{tmp}/static",
                "CONN_MAX_AGE": "0",
            }
            print(
                f"… {size} open assignments ({'PostgreSQL' if args.database_url else 'SQLite'})",
                file=sys.stderr,
            )
            done = subprocess.run(
                [sys.executable, __file__, "--one", str(size)],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            if done.returncode:
                sys.exit(done.stderr)
            rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
    print_table(rows, "PostgreSQL" if args.database_url else "SQLite")


def print_table(rows: list[dict], engine: str) -> None:
    print(f"\n{engine}, {rows[0]['python']}, Django {rows[0]['django']}\n")
    print(
        "| open assignments | open deadlines | scan | notices | e-mail rows | SMS rows | seconds | queries |"
    )
    print("|---:|---:|---|---:|---:|---:|---:|---:|")
    for row in rows:
        for name in ("first", "again", "next day"):
            r = row[name]
            print(
                f"| {row['size']:,} | {row['deadlines']:,} | {name} | {r['sent']:,} | {r['emails']:,} | "
                f"{r['sms']:,} | {r['seconds']:.2f} | {r['queries']} |"
            )
    seeding = ", ".join(f"{r['seed_seconds']:.0f} s" for r in rows)
    print(f"\nseeding (bulk inserts, not measured above): {seeding}")


# --- one size, in a fresh process ---------------------------------------------------------------------


def run_one(size: int) -> dict:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    import platform

    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from minyi.notifications.scan import run_scan

    if connection.vendor == "postgresql":  # start from an empty schema (migrations seed the calendar)
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    deadlines = seed(size)
    with connection.cursor() as cursor:  # planner statistics, as autovacuum would gather them
        cursor.execute("ANALYZE")
    seed_seconds = time.perf_counter() - started

    def measure(now: datetime.datetime) -> dict:
        with CaptureQueriesContext(connection) as queries:
            t0 = time.perf_counter()
            result = run_scan(now=now, enqueue=False)
            seconds = time.perf_counter() - t0
        return {
            "seconds": seconds,
            "queries": len(queries),
            "sent": result.total,
            "emails": result.queued.email,
            "sms": result.queued.sms,
            "by_kind": result.sent,
        }

    return {
        "size": size,
        "deadlines": deadlines,
        "seed_seconds": seed_seconds,
        "python": platform.python_version(),
        "django": django.get_version(),
        "first": measure(SCAN_AT),
        "again": measure(SCAN_AT),
        "next day": measure(SCAN_AT + datetime.timedelta(days=1)),
    }


def seed(size: int) -> int:
    """One congress, 100 units with a clerk, a handler and a leader each, the government's coordinator,
    two congress clerks, and `size` suggestions each assigned to one unit with three open deadlines."""
    from django.utils import timezone

    from minyi.accounts.models import Membership, Role, User
    from minyi.congress.actions import ensure_policy
    from minyi.congress.models import Congress, Deputy, Unit
    from minyi.notifications.models import ScanCursor
    from minyi.suggestions.models import Assignment, AssignmentRole, Deadline, Suggestion
    from minyi.workdays.services import get_calendar

    congress = Congress.objects.create(
        code="bench", name="基准区人大常委会", short_name="基准", level="county"
    )
    ensure_policy(congress)
    gov = Unit.objects.create(
        congress=congress, name="基准区人民政府", kind=Unit.Kind.BODY, body_code="government"
    )
    units = [Unit.objects.create(congress=congress, parent=gov, name=f"基准区第{i}局") for i in range(UNITS)]
    users = []

    def person(name: str, role: str, unit: Unit | None = None, email: bool = True, phone: str = "") -> User:
        user = User(
            username=name, full_name=name, email=f"{name}@bench.invalid" if email else "", phone=phone
        )
        users.append((user, role, unit))
        return user

    for i, unit in enumerate(units):
        person(f"clerk{i}", Role.UNIT_CLERK, unit)
        person(f"handler{i}", Role.UNIT_HANDLER, unit, email=i % 2 == 0)
        person(f"leader{i}", Role.UNIT_LEADER, unit, phone=f"139{i:08d}")
    person("coordinator", Role.COORDINATOR, gov, phone="13800000000")
    person("staff1", Role.CONGRESS_CLERK)
    person("staff2", Role.CONGRESS_CLERK)
    deputies = [person(f"deputy{i}", Role.DEPUTY) for i in range(DEPUTIES)]
    User.objects.bulk_create([u for u, _r, _unit in users], batch_size=2000)
    saved = {u.username: u for u in User.objects.all()}
    Membership.objects.bulk_create(
        [Membership(user=saved[u.username], congress=congress, role=r, unit=unit) for u, r, unit in users]
    )
    deputy_rows = Deputy.objects.bulk_create(
        [
            Deputy(
                congress=congress,
                user=saved[d.username],
                name=d.username,
                number=f"B{i:05d}",
                in_office_from=datetime.date(2022, 1, 1),
            )
            for i, d in enumerate(deputies)
        ]
    )
    ScanCursor.objects.create(name="audit", position=0)  # the scan has been running all along

    cal = get_calendar()
    today = timezone.localdate(SCAN_AT)
    entered_by = saved["staff1"]
    total = 0
    chunk = 10_000
    for start in range(0, size, chunk):
        n = min(chunk, size - start)
        suggestions = Suggestion.objects.bulk_create(
            [
                Suggestion(
                    congress=congress,
                    title=f"关于第{start + i}件事项的建议",
                    lead=deputy_rows[(start + i) % DEPUTIES],
                    entered_by=entered_by,
                    state="assigned",
                )
                for i in range(n)
            ],
            batch_size=2000,
        )
        assignments = []
        for k, s in enumerate(suggestions):
            day = today - datetime.timedelta(days=(start + k) % 60)
            assignments.append(
                Assignment(
                    suggestion=s,
                    unit=units[(start + k) % UNITS],
                    role=AssignmentRole.LEAD,
                    state="signed",
                    assigned_on=day,
                    reply_due_on=cal.add_months(day, 1),
                )
            )
        Assignment.objects.bulk_create(assignments, batch_size=2000)
        deadlines = []
        for a in assignments:
            for kind, due in (
                (Deadline.Kind.FIRST_CONTACT, cal.add_working_days(a.assigned_on, 10)),
                (Deadline.Kind.REPLY, a.reply_due_on),
                (Deadline.Kind.REPLY_STATUTORY, cal.add_months(a.assigned_on, 3)),
            ):
                deadlines.append(
                    Deadline(
                        congress=congress,
                        suggestion_id=a.suggestion_id,
                        assignment=a,
                        kind=kind,
                        started_on=a.assigned_on,
                        due_on=due,
                        rule="bench",
                        calendar_version=cal.version,
                    )
                )
        Deadline.objects.bulk_create(deadlines, batch_size=5000)
        total += len(deadlines)
    return total


if __name__ == "__main__":
    main()
