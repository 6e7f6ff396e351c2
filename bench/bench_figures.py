#!/usr/bin/env python
"""Benchmark of the figures: the overview dashboard, the unit league table and `stats`, against a
hand-written SQL query for the same figures (a benchmark, not a test).

    .venv/bin/python bench/bench_figures.py                                  # 1k and 100k, SQLite
    .venv/bin/python bench/bench_figures.py --sizes 1000,1000000 \\
        --database-url postgres://postgres@127.0.0.1:5432/minyi_bench_figures --sqlite
    .venv/bin/python bench/bench_figures.py --shape one --sizes 1000,100000  # all in one congress-year
    .venv/bin/python bench/bench_figures.py --sizes 1000000 --reuse --database-url …  # seed once, re-measure

Each (database, size) runs in a fresh process on a fresh database (a temporary SQLite file, or the
given PostgreSQL database, whose public schema is dropped and migrated first — never point it at
real data). With ``--database-url`` the PostgreSQL run comes first, and ``--sqlite`` adds the SQLite
run in the same invocation.

Seeding (bulk inserts, minutes not hours): N accepted suggestions with what the actions would have
recorded — the assignment deadline, one lead unit (a fifth with a co-unit), the first-contact,
reply and statutory-reply deadlines, face-to-face contacts, signed-off replies with classes A–D,
evaluations (满意/基本满意/不满意/未反馈), commitments for B/C replies and co-signers — in the
proportions of a real year (65% closed, 95% satisfied …). Two shapes:

- ``spread`` (default): a province-wide installation — N suggestions in congresses of 1,000
  suggestions a year over ten years (1k = one congress-year; 100k = 10 congresses × 10 years;
  1M = 100 congresses × 10 years). The measured dashboard is one congress-year, as people use it:
  the question is whether its time depends on what else is in the database.
- ``one``: the worst case — all N in one congress and one year.

Measured for the target congress-year (the median and p95 of ``--runs`` runs after one warm-up):

- ``dashboard``: GET of the overview page through Django's test client, signed in as the congress
  clerk — as people get it: from its summary table (`FigureSnapshot`), which is recounted only when
  the congress's data has changed since;
- ``dashboard (recount)``: the same page with the summary table emptied before every request (the
  view, the figures engine, the breakdowns and the template: the first view after a change);
- ``league``: `unit_league` (the unit table with Wilson intervals);
- ``stats``: `compute_figures` + JSON — what ``manage.py stats --json`` does;
- ``raw SQL``: one hand-written query per figure family (suggestions, deputies, commitments) giving
  the same numbers as `compute_figures` (checked on every run: a mismatch aborts the benchmark).

Each measurement also gives its time in the database (the median over the runs of the summed
execute times of its queries): "ORM query time" against the hand-written SQL's, apart from the time
Django spends building queries and handling rows.

Prints Markdown tables (docs/PERFORMANCE.md, "Figures").
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import zoneinfo
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
PER_CONGRESS_YEAR = 1_000
YEARS = 10
LAST_YEAR = 2025
AS_OF = datetime.date(2025, 12, 31)
UNITS = 30
DEPUTIES = 120


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="1000,100000", help="suggestions, comma-separated")
    parser.add_argument("--shape", choices=["spread", "one"], default="spread")
    parser.add_argument(
        "--database-url", default="", help="PostgreSQL database to use (its schema is dropped!)"
    )
    parser.add_argument("--sqlite", action="store_true", help="with --database-url: also run on SQLite")
    parser.add_argument("--runs", type=int, default=15, help="timed runs per measurement")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="one database per size and shape, seeded once and measured again by later runs (the seed "
        "is deterministic): PostgreSQL <name>_<size>_<shape>, created if missing; SQLite "
        "var/bench/figures_<size>_<shape>.sqlite3",
    )
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--seeded", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one, args.shape, args.runs, args.seeded)))
        return
    engines = [("PostgreSQL", args.database_url)] if args.database_url else []
    if not args.database_url or args.sqlite:
        engines.append(("SQLite", ""))
    for engine, database_url in engines:
        rows = []
        for size in [int(s) for s in args.sizes.split(",")]:
            with tempfile.TemporaryDirectory() as tmp:
                url, seeded = database_url, False
                if args.reuse:
                    url, seeded = reusable_database(database_url, size, args.shape)
                env = {
                    **os.environ,
                    "DATABASE_URL": url or f"sqlite:///{tmp}/bench.sqlite3",
                    "DJANGO_SETTINGS_MODULE": "config.settings",
                    "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
                    "DEBUG": "0",
                    "LOG_LEVEL": "ERROR",
                    "STATIC_ROOT": f"{tmp}/static",
                    "MEDIA_ROOT": f"{tmp}/media",
                    "CONN_MAX_AGE": "0",
                    "SECURE_SSL_REDIRECT": "0",
                    "STATICFILES_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage",
                }
                print(f"… {size:,} suggestions, shape {args.shape} ({engine})", file=sys.stderr, flush=True)
                started = time.perf_counter()
                done = subprocess.run(
                    [
                        sys.executable,
                        __file__,
                        "--one",
                        str(size),
                        "--shape",
                        args.shape,
                        "--runs",
                        str(args.runs),
                        *(["--seeded"] if seeded else []),
                    ],
                    cwd=ROOT,
                    env=env,
                    capture_output=True,
                    text=True,
                    check=False,
                )
                if done.returncode:
                    sys.exit(done.stderr)
                row = json.loads(done.stdout.strip().splitlines()[-1])
                print(f"  done in {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
                rows.append(row)
        print_table(rows, engine, args.shape)


def reusable_database(url: str, size: int, shape: str) -> tuple[str, bool]:
    """(the URL of this size's and shape's own database — PostgreSQL if `url` is given, else a SQLite
    file under var/bench/ — and whether it already holds the seeded data)."""
    if not url:
        path = ROOT / "var" / "bench" / f"figures_{size}_{shape}.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        marker = None
        if path.exists():
            import sqlite3

            with sqlite3.connect(path) as conn:
                try:
                    marker = conn.execute("SELECT size FROM bench_seeded").fetchone()
                except sqlite3.OperationalError:
                    marker = None
        if marker != (size,):
            path.unlink(missing_ok=True)
        return f"sqlite:///{path}", marker == (size,)
    import psycopg

    base, _slash, name = url.rpartition("/")
    name = f"{name}_{size}_{shape}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
            return f"{base}/{name}", False
    with psycopg.connect(f"{base}/{name}") as conn:
        try:
            marker = conn.execute("SELECT size FROM bench_seeded").fetchone()
        except psycopg.errors.UndefinedTable:
            marker = None
    return f"{base}/{name}", marker == (size,)


def print_table(rows: list[dict], engine: str, shape: str) -> None:
    first = rows[0]
    print(
        f"\n{engine} {first['server']}, shape `{shape}`, Python {first['python']}, Django {first['django']}\n"
    )
    print(
        "| suggestions (all) | in the measured congress-year | measurement | p50 ms | p95 ms "
        "| in the database, p50 ms | queries |"
    )
    print("|---:|---:|---|---:|---:|---:|---:|")
    for row in rows:
        for name in ("dashboard", "dashboard (recount)", "league", "stats", "raw SQL"):
            r = row[name]
            print(
                f"| {row['size']:,} | {row['scope_size']:,} | {name} | {r['p50'] * 1000:.0f} | "
                f"{r['p95'] * 1000:.0f} | {r['db_p50'] * 1000:.0f} | {r['queries']} |"
            )
    print()
    base = rows[0]
    for row in rows:
        ratio = row["stats"]["p50"] / row["raw SQL"]["p50"]
        query_ratio = row["stats"]["db_p50"] / row["raw SQL"]["db_p50"]
        print(
            f"- {row['size']:,}: ORM figures ÷ raw SQL = {ratio:.2f} wall-clock, {query_ratio:.2f} in the "
            f"database; dashboard p95 ÷ its p95 at "
            f"{base['size']:,} = {row['dashboard']['p95'] / base['dashboard']['p95']:.2f}; "
            f"seeding {row['seed_seconds']:.0f} s ({row['rows']:,} rows)"
        )


# --- one size, in a fresh process ---------------------------------------------------------------------


def run_one(size: int, shape: str, runs: int, seeded: bool = False) -> dict:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if seeded:  # --reuse: a database seeded by an earlier run (same size, shape and seed)
        from minyi.accounts.models import User
        from minyi.congress.models import Congress

        call_command("migrate", verbosity=0)  # the engine's own migrations since, if any
        with connection.cursor() as cursor:  # and planner statistics for any index they added
            if connection.vendor == "postgresql":
                cursor.execute("ANALYZE")
            else:
                cursor.execute("PRAGMA analysis_limit = 1000")
                cursor.execute("ANALYZE")
        with connection.cursor() as cursor:
            cursor.execute("SELECT size, scope_size, written_rows, seed_seconds FROM bench_seeded")
            _size, scope_size, rows, seed_seconds = cursor.fetchone()
        target, clerk = Congress.objects.get(code="b0"), User.objects.get(username="clerk")
        return _measured(size, scope_size, rows, seed_seconds, target, clerk, runs)
    if connection.vendor == "postgresql":  # start from an empty schema (migrations seed the calendar)
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    target, clerk, rows, scope_size = seed(size, shape)
    with connection.cursor() as cursor:  # planner statistics, as autovacuum would gather them
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE")
        else:
            cursor.execute("ANALYZE")
    seed_seconds = time.perf_counter() - started
    with connection.cursor() as cursor:  # for --reuse: what this database holds
        cursor.execute(
            "CREATE TABLE bench_seeded (size integer, scope_size integer, written_rows integer, seed_seconds real)"
        )
        cursor.execute(
            "INSERT INTO bench_seeded VALUES (%s, %s, %s, %s)", [size, scope_size, rows, seed_seconds]
        )
    return _measured(size, scope_size, rows, seed_seconds, target, clerk, runs)


def _measured(size, scope_size, rows, seed_seconds, target, clerk, runs) -> dict:
    import platform

    import django
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            server = f"{cursor.fetchone()[0].split()[0]}"
        else:
            cursor.execute("SELECT sqlite_version()")
            server = cursor.fetchone()[0]
    return {
        "size": size,
        "scope_size": scope_size,
        "rows": rows,
        "seed_seconds": seed_seconds,
        "server": server,
        "python": platform.python_version(),
        "django": django.get_version(),
        **measure(target, clerk, runs),
    }


def _time(fn, runs: int) -> dict:
    """p50/p95 of `runs` calls of `fn` (after a warm-up), the queries of one call, and the median time
    spent in the database per call (the sum of the queries' execute times, as Django's query log
    measures them: sending, running and receiving the result)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    fn()  # warm-up: caches, the calendar, the planner
    times, in_database = [], []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
        in_database.append(sum(float(q["time"]) for q in queries.captured_queries))
    times.sort()
    p95 = times[min(len(times) - 1, max(0, round(0.95 * len(times)) - 1))]
    return {
        "p50": statistics.median(times),
        "p95": p95,
        "queries": len(queries),
        "db_p50": statistics.median(in_database),
        "all": times,
    }


def measure(congress, clerk, runs: int) -> dict:
    import time_machine
    from django.test import Client
    from django.urls import reverse

    from minyi.reports.figures import Scope, compute_figures
    from minyi.reports.league import unit_league

    scope = Scope.year(LAST_YEAR, as_of=AS_OF)
    client = Client()
    client.force_login(clerk)
    path = reverse("reports:dashboard", args=[congress.code]) + f"?year={LAST_YEAR}"
    out = {}
    # The day after the year, so that "today" (the page's as-of day) is the same as the scope's.
    with time_machine.travel(datetime.datetime(2025, 12, 31, 20, tzinfo=TZ), tick=True):
        from minyi.reports.models import FigureSnapshot

        def dashboard():
            response = client.get(path, secure=True)
            assert response.status_code == 200, response.status_code

        def recount():
            FigureSnapshot.objects.all().delete()
            dashboard()

        out["dashboard"] = _time(dashboard, runs)
        out["dashboard (recount)"] = _time(recount, runs)
        out["league"] = _time(lambda: unit_league(congress, scope), runs)
        out["stats"] = _time(
            lambda: json.dumps(compute_figures(congress, scope).as_dict(), ensure_ascii=False), runs
        )
        expected = compute_figures(congress, scope)
        got = raw_figures(congress, scope)
        wrong = {
            k: (v, (expected[k].numerator, expected[k].denominator))
            for k, v in got.items()
            if v != (expected[k].numerator, expected[k].denominator)
        }
        if wrong:
            raise SystemExit(f"raw SQL and the engine disagree: {wrong}")
        out["raw SQL"] = _time(lambda: raw_figures(congress, scope), runs)
    return out


# --- the hand-written SQL ------------------------------------------------------------------------------

SUGGESTIONS_SQL = """
WITH acc AS (
  SELECT s.id, s.state, s.channel_id FROM suggestions_suggestion s
  WHERE s.congress_id = %(c)s AND s.accepted_at >= %(a)s AND s.accepted_at < %(b)s
    AND s.state NOT IN ('merged', 'withdrawn')
),
dl AS (
  SELECT d.suggestion_id,
    MAX(CASE WHEN d.kind = 'assign' AND d.closed_on_time THEN 1 ELSE 0 END) AS assign_met,
    MAX(CASE WHEN d.kind = 'assign' AND (d.closed_on_time = %(f)s OR (d.closed_at IS NULL AND d.due_on < %(t)s))
        THEN 1 ELSE 0 END) AS assign_missed,
    MAX(CASE WHEN d.kind = 'assign' AND d.closed_at IS NULL AND d.due_on < %(t)s THEN 1 ELSE 0 END) AS assign_overdue,
    MAX(CASE WHEN d.kind IN ('reply', 'rehandle_reply') AND (w.id IS NULL OR w.state <> 'cancelled') AND d.closed_on_time THEN 1 ELSE 0 END) AS reply_met,
    MAX(CASE WHEN d.kind IN ('reply', 'rehandle_reply') AND (w.id IS NULL OR w.state <> 'cancelled')
        AND (d.closed_on_time = %(f)s OR (d.closed_at IS NULL AND d.due_on < %(t)s)) THEN 1 ELSE 0 END) AS reply_missed,
    MAX(CASE WHEN d.kind = 'reply_statutory' AND (w.id IS NULL OR w.state <> 'cancelled') AND d.closed_on_time THEN 1 ELSE 0 END) AS stat_met,
    MAX(CASE WHEN d.kind = 'reply_statutory' AND (w.id IS NULL OR w.state <> 'cancelled')
        AND (d.closed_on_time = %(f)s OR (d.closed_at IS NULL AND d.due_on < %(t)s)) THEN 1 ELSE 0 END) AS stat_missed,
    MAX(CASE WHEN d.kind IN ('first_contact', 'co_opinion', 'reply', 'reply_statutory', 'rehandle_reply') AND (w.id IS NULL OR w.state <> 'cancelled')
        AND d.closed_at IS NULL AND d.due_on < %(t)s THEN 1 ELSE 0 END) AS duty_overdue
  FROM suggestions_deadline d
  JOIN acc ON acc.id = d.suggestion_id
  LEFT JOIN suggestions_assignment w ON w.id = d.assignment_id
  GROUP BY d.suggestion_id
),
rp AS (
  SELECT a.suggestion_id, a.round, rc.counts_as_resolved AS resolved,
    rc.id IN (SELECT id FROM congress_resultclass WHERE congress_id = %(c)s ORDER BY "order", id LIMIT 2) AS top_two
  FROM suggestions_reply r
  JOIN suggestions_assignment a ON a.id = r.assignment_id
  JOIN acc ON acc.id = a.suggestion_id
  JOIN congress_resultclass rc ON rc.id = r.result_class_id
  WHERE r.signed_off_at IS NOT NULL AND a.state <> 'cancelled'
),
rlast AS (
  SELECT a.suggestion_id, MAX(a.round) AS round FROM suggestions_reply r
  JOIN suggestions_assignment a ON a.id = r.assignment_id JOIN acc ON acc.id = a.suggestion_id
  WHERE r.signed_off_at IS NOT NULL GROUP BY a.suggestion_id
),
res AS (
  SELECT rp.suggestion_id,
    MAX(CASE WHEN rp.round = rlast.round AND NOT rp.resolved THEN 1 ELSE 0 END) AS unresolved,
    MAX(CASE WHEN rp.round = rlast.round AND NOT (rp.resolved OR rp.top_two) THEN 1 ELSE 0 END) AS unplanned
  FROM rp JOIN rlast ON rlast.suggestion_id = rp.suggestion_id GROUP BY rp.suggestion_id
),
f2f AS (
  SELECT DISTINCT a.suggestion_id FROM suggestions_contact c
  JOIN suggestions_assignment a ON a.id = c.assignment_id JOIN acc ON acc.id = a.suggestion_id
  WHERE c.method IN ('visit', 'meeting', 'site') AND c.state <> 'disputed' AND a.state <> 'cancelled'
),
elast AS (
  SELECT e.suggestion_id, MAX(e.round) AS round FROM suggestions_evaluation e
  JOIN acc ON acc.id = e.suggestion_id GROUP BY e.suggestion_id
),
ev AS (
  SELECT e.suggestion_id,
    MAX(CASE WHEN e.round = elast.round THEN 1 ELSE 0 END) AS final_eval,
    MAX(CASE WHEN e.round = elast.round AND e.overall NOT IN ('satisfied', 'basic') THEN 1 ELSE 0 END) AS final_bad,
    MAX(CASE WHEN e.round = 1 THEN 1 ELSE 0 END) AS first_eval,
    MAX(CASE WHEN e.round = 1 AND e.overall NOT IN ('satisfied', 'basic') THEN 1 ELSE 0 END) AS first_bad
  FROM suggestions_evaluation e
  JOIN elast ON elast.suggestion_id = e.suggestion_id
  JOIN suggestions_reply r ON r.id = e.reply_id
  JOIN suggestions_assignment a ON a.id = r.assignment_id
  WHERE e.kind = 'rated' AND a.state <> 'cancelled'
  GROUP BY e.suggestion_id
),
rh AS (
  SELECT DISTINCT a.suggestion_id FROM suggestions_assignment a JOIN acc ON acc.id = a.suggestion_id
  WHERE a.round >= 2 AND a.state <> 'cancelled'
),
x AS (
  SELECT acc.id, acc.state,
    COALESCE(ch.grassroots, %(f)s) AS grassroots,
    COALESCE(dl.assign_met, 0) AS am, COALESCE(dl.assign_missed, 0) AS ax,
    COALESCE(dl.reply_met, 0) AS rm, COALESCE(dl.reply_missed, 0) AS rx,
    COALESCE(dl.stat_met, 0) AS sm, COALESCE(dl.stat_missed, 0) AS sx,
    COALESCE(dl.duty_overdue, 0) + COALESCE(dl.assign_overdue, 0) AS overdue,
    CASE WHEN res.suggestion_id IS NULL THEN 0 ELSE 1 END AS replied,
    COALESCE(res.unresolved, 0) AS unresolved, COALESCE(res.unplanned, 0) AS unplanned,
    CASE WHEN f2f.suggestion_id IS NULL THEN 0 ELSE 1 END AS met,
    COALESCE(ev.final_eval, 0) AS fe, COALESCE(ev.final_bad, 0) AS fb,
    COALESCE(ev.first_eval, 0) AS ie, COALESCE(ev.first_bad, 0) AS ib,
    CASE WHEN rh.suggestion_id IS NULL THEN 0 ELSE 1 END AS rehandled
  FROM acc
  LEFT JOIN congress_channel ch ON ch.id = acc.channel_id
  LEFT JOIN dl ON dl.suggestion_id = acc.id
  LEFT JOIN res ON res.suggestion_id = acc.id
  LEFT JOIN f2f ON f2f.suggestion_id = acc.id
  LEFT JOIN ev ON ev.suggestion_id = acc.id
  LEFT JOIN rh ON rh.suggestion_id = acc.id
)
SELECT
  COUNT(*),
  (SELECT COUNT(*) FROM suggestions_suggestion WHERE congress_id = %(c)s AND submitted_at >= %(a)s AND submitted_at < %(b)s),
  (SELECT COUNT(*) FROM suggestions_suggestion WHERE congress_id = %(c)s AND state = 'declined' AND state_changed_at >= %(a)s AND state_changed_at < %(b)s),
  (SELECT COUNT(*) FROM suggestions_suggestion WHERE congress_id = %(c)s AND state = 'merged' AND state_changed_at >= %(a)s AND state_changed_at < %(b)s),
  (SELECT COUNT(*) FROM suggestions_suggestion WHERE congress_id = %(c)s AND state = 'withdrawn' AND submitted_at IS NOT NULL AND state_changed_at >= %(a)s AND state_changed_at < %(b)s),
  SUM(CASE WHEN grassroots THEN 1 ELSE 0 END),
  SUM(CASE WHEN am = 1 AND ax = 0 THEN 1 ELSE 0 END), SUM(CASE WHEN am = 1 OR ax = 1 THEN 1 ELSE 0 END),
  SUM(CASE WHEN rm = 1 AND rx = 0 THEN 1 ELSE 0 END), SUM(CASE WHEN rm = 1 OR rx = 1 THEN 1 ELSE 0 END),
  SUM(CASE WHEN sm = 1 AND sx = 0 THEN 1 ELSE 0 END), SUM(CASE WHEN sm = 1 OR sx = 1 THEN 1 ELSE 0 END),
  SUM(CASE WHEN replied = 1 AND met = 1 THEN 1 ELSE 0 END), SUM(replied),
  SUM(CASE WHEN state = 'closed' THEN 1 ELSE 0 END),
  SUM(CASE WHEN fe = 1 AND fb = 0 THEN 1 ELSE 0 END), SUM(fe),
  SUM(CASE WHEN ie = 1 AND ib = 0 THEN 1 ELSE 0 END), SUM(ie),
  SUM(CASE WHEN ie = 1 AND rehandled = 1 THEN 1 ELSE 0 END),
  SUM(CASE WHEN replied = 1 AND unresolved = 0 THEN 1 ELSE 0 END),
  SUM(CASE WHEN replied = 1 AND unplanned = 0 THEN 1 ELSE 0 END),
  SUM(CASE WHEN overdue > 0 THEN 1 ELSE 0 END)
FROM x
"""

DEPUTIES_SQL = """
WITH acc AS (
  SELECT s.id FROM suggestions_suggestion s
  WHERE s.congress_id = %(c)s AND s.accepted_at >= %(a)s AND s.accepted_at < %(b)s
    AND s.state NOT IN ('merged', 'withdrawn')
),
through AS (
  SELECT id FROM acc
  UNION SELECT s.id FROM suggestions_suggestion s JOIN acc ON acc.id = s.main_id WHERE s.state = 'merged'
),
took_part AS (
  SELECT s.lead_id AS deputy_id FROM suggestions_suggestion s JOIN through t ON t.id = s.id
  UNION SELECT c.deputy_id FROM suggestions_cosigner c JOIN through t ON t.id = c.suggestion_id WHERE c.state = 'confirmed'
)
SELECT COUNT(*), SUM(CASE WHEN p.deputy_id IS NULL THEN 0 ELSE 1 END)
FROM congress_deputy d LEFT JOIN took_part p ON p.deputy_id = d.id
WHERE d.congress_id = %(c)s AND d.in_office_from <= %(e)s AND (d.in_office_to IS NULL OR d.in_office_to >= %(s)s)
"""

COMMITMENTS_SQL = """
SELECT
  SUM(CASE WHEN (c.due_on <= %(t)s OR c.state <> 'open') AND c.state = 'fulfilled' THEN 1 ELSE 0 END),
  SUM(CASE WHEN c.due_on <= %(t)s OR c.state <> 'open' THEN 1 ELSE 0 END)
FROM suggestions_commitment c
JOIN suggestions_reply r ON r.id = c.reply_id
JOIN suggestions_assignment a ON a.id = r.assignment_id
JOIN suggestions_suggestion s ON s.id = a.suggestion_id
WHERE r.signed_off_at IS NOT NULL AND a.state <> 'cancelled'
  AND s.congress_id = %(c)s AND s.accepted_at >= %(a)s AND s.accepted_at < %(b)s AND s.state NOT IN ('merged', 'withdrawn')
"""

SUGGESTION_KEYS = [
    ("suggestions", False), ("submitted", False), ("declined", False), ("merged", False), ("withdrawn", False),
    ("grassroots_share", "n"), ("on_time_assignment_rate", True), ("on_time_reply_rate", True),
    ("on_time_reply_statutory_rate", True), ("contact_rate", True), ("completion_rate", "n"),
    ("satisfaction_rate", True), ("first_round_satisfaction_rate", True), ("rehandling_rate", "n"),
    ("resolution_rate", "n"), ("resolution_or_plan_rate", "n"), ("overdue", False),
]  # fmt: skip


def raw_figures(congress, scope) -> dict[str, tuple[int, int | None]]:
    """The engine's figures (default policy, no filters) by hand-written SQL: three queries."""
    from django.db import connection

    from minyi.reports.figures import _instant

    p = {
        "c": congress.pk,
        "a": _instant(scope.start),
        "b": _instant(scope.end + datetime.timedelta(days=1)),
        "s": scope.start,
        "e": scope.end,
        "t": scope.today,
        "f": False,
    }
    with connection.cursor() as cursor:
        cursor.execute(SUGGESTIONS_SQL, p)
        row = [v or 0 for v in cursor.fetchone()]
        cursor.execute(DEPUTIES_SQL, p)
        in_office, participating = (v or 0 for v in cursor.fetchone())
        cursor.execute(COMMITMENTS_SQL, p)
        fulfilled, due = (v or 0 for v in cursor.fetchone())
    values = iter(row)
    total = row[0]
    out: dict[str, tuple[int, int | None]] = {}
    for key, kind in SUGGESTION_KEYS:
        n = next(values)
        if kind is True:
            out[key] = (n, next(values))
        elif kind == "n":  # numerator only here; the denominator is another column
            out[key] = (n, None)
        else:
            out[key] = (n, None)
    replied, first_eval = out["contact_rate"][1], out["first_round_satisfaction_rate"][1]
    out["grassroots_share"] = (out["grassroots_share"][0], total)
    out["completion_rate"] = (out["completion_rate"][0], total)
    out["rehandling_rate"] = (out["rehandling_rate"][0], first_eval)
    out["resolution_rate"] = (out["resolution_rate"][0], replied)
    out["resolution_or_plan_rate"] = (out["resolution_or_plan_rate"][0], replied)
    out["deputies_in_office"] = (in_office, None)
    out["participating_deputies"] = (participating, None)
    out["participation_rate"] = (participating, in_office)
    out["commitment_fulfilment_rate"] = (fulfilled, due)
    return out


# --- seeding -------------------------------------------------------------------------------------------


def seed(size: int, shape: str):
    """Returns (the measured congress, its clerk, rows written, suggestions in the measured scope)."""
    from minyi.accounts.models import Membership, Role, User
    from minyi.congress.actions import ensure_policy
    from minyi.congress.models import Category, Channel, Congress, Deputy, ResultClass, Unit

    rng = random.Random(2026)
    clerk = User.objects.create(username="clerk", full_name="代表工委")
    if shape == "one":
        plan = [(0, LAST_YEAR, size)]
    else:
        cells = max(1, size // PER_CONGRESS_YEAR)
        congresses = max(1, -(-cells // YEARS))
        plan = []
        for i in range(cells):
            plan.append(
                (
                    i // YEARS,
                    LAST_YEAR - i % YEARS,
                    PER_CONGRESS_YEAR if i < cells - 1 else size - PER_CONGRESS_YEAR * (cells - 1),
                )
            )
        assert len({c for c, _y, _n in plan}) == congresses
    written = 0
    target = None
    scope_size = 0
    for index in sorted({c for c, _y, _n in plan}):
        congress = Congress.objects.create(
            code=f"b{index}", name=f"基准{index}区人大常委会", short_name=f"基{index}", level="county"
        )
        ensure_policy(congress)
        Membership.objects.create(user=clerk, congress=congress, role=Role.CONGRESS_CLERK)
        categories = [Category.objects.create(congress=congress, name=f"分类{i}", order=i) for i in range(10)]
        channels = [
            Channel.objects.create(congress=congress, name=f"渠道{i}", grassroots=i < 5, order=i)
            for i in range(7)
        ]
        classes = [
            ResultClass.objects.create(
                congress=congress,
                code=c,
                name=f"{c}类",
                order=i,
                counts_as_resolved=c == "A",
                requires_commitments=c in "BC",
            )
            for i, c in enumerate("ABCD")
        ]
        bodies = [
            Unit.objects.create(
                congress=congress, name=f"基准{index}区{name}", kind=Unit.Kind.BODY, body_code=code, order=i
            )
            for i, (code, name) in enumerate(
                [
                    ("government", "人民政府"),
                    ("supervision", "监察委员会"),
                    ("court", "人民法院"),
                    ("procuratorate", "人民检察院"),
                ]
            )
        ]
        units = [
            Unit.objects.create(
                congress=congress,
                parent=bodies[0 if i < UNITS - 3 else i - UNITS + 4],
                name=f"基准{index}区第{i}局",
                order=10 + i,
            )
            for i in range(UNITS)
        ]
        deputies = Deputy.objects.bulk_create(
            [
                Deputy(
                    congress=congress,
                    name=f"代表{i}",
                    number=f"D{i:03d}",
                    in_office_from=datetime.date(LAST_YEAR - YEARS, 1, 1),
                )
                for i in range(DEPUTIES)
            ]
        )
        for c, year, n in plan:
            if c != index:
                continue
            written += seed_year(
                congress, clerk, year, n, rng, categories, channels, classes, units, deputies
            )
            if target is None:
                target, scope_size = congress, n
    return target, clerk, written, scope_size


def seed_year(congress, clerk, year, n, rng, categories, channels, classes, units, deputies) -> int:  # noqa: C901, PLR0912, PLR0915
    from minyi.suggestions.models import (
        Assignment,
        Commitment,
        Contact,
        CoSigner,
        Deadline,
        Evaluation,
        Reply,
        Suggestion,
    )
    from minyi.workdays.services import load_calendar

    cal = load_calendar()
    written = 0
    chunk = 20_000
    at = lambda day, hour: datetime.datetime.combine(day, datetime.time(hour), tzinfo=TZ)  # noqa: E731
    for start in range(0, n, chunk):
        count = min(chunk, n - start)
        plans = []
        suggestions = []
        for i in range(start, start + count):
            accepted = datetime.date(year, 1, 2) + datetime.timedelta(days=rng.randrange(350))
            r = rng.random()
            state = (
                "accepted"
                if r < 0.05
                else "assigned"
                if r < 0.15
                else "replied"
                if r < 0.25
                else "evaluated"
                if r < 0.35
                else "closed"
            )
            if accepted > AS_OF - datetime.timedelta(days=40) and state != "accepted":
                state = "assigned"
            assigned = cal.add_working_days(accepted, rng.choice((1, 2, 3, 4, 5, 5, 6, 8)))
            replied = assigned + datetime.timedelta(days=rng.randint(10, 45))
            plans.append((accepted, state, assigned, replied))
            suggestions.append(
                Suggestion(
                    congress=congress,
                    kind="interim",
                    title=f"关于第{i}件事的建议",
                    category=categories[rng.randrange(len(categories))],
                    channel=channels[0 if rng.random() < 0.9 else rng.randrange(len(channels))],
                    lead=deputies[rng.randrange(len(deputies))],
                    entered_by=clerk,
                    state=state,
                    state_changed_at=at(replied if state != "accepted" else accepted, 16),
                    year=year,
                    seq=i + 1,
                    number=f"{congress.short_name}〔{year}〕第{i + 1}号",
                    submitted_at=at(accepted, 9),
                    accepted_at=at(accepted, 10),
                    closed_at=at(replied + datetime.timedelta(days=10), 11) if state == "closed" else None,
                )
            )
        suggestions = Suggestion.objects.bulk_create(suggestions, batch_size=5000)
        assignments, cosigners, deadlines = [], [], []
        leads = []
        for s, (accepted, state, assigned, replied) in zip(suggestions, plans, strict=True):
            if rng.random() < 0.3:
                cosigners.append(
                    CoSigner(
                        suggestion=s,
                        deputy=deputies[rng.randrange(len(deputies))],
                        state="confirmed",
                        invited_by=clerk,
                    )
                )
            due = cal.add_working_days(accepted, 5)
            done = state != "accepted"
            deadlines.append(
                Deadline(
                    congress=congress,
                    suggestion=s,
                    kind="assign",
                    started_on=accepted,
                    due_on=due,
                    rule="bench",
                    calendar_version="bench",
                    closed_at=at(assigned, 10) if done else None,
                    closed_on_time=(assigned <= due) if done else None,
                    close_reason="done" if done else "",
                )
            )
            if not done:
                continue
            unit = units[rng.randrange(len(units))]
            answered = state in ("replied", "evaluated", "closed")
            a = Assignment(
                suggestion=s,
                unit=unit,
                round=1,
                role="lead",
                state="replied" if answered else "handling",
                assigned_at=at(assigned, 10),
                assigned_on=assigned,
                reply_due_on=cal.add_months(assigned, 1),
                assigned_by=clerk,
                signed_at=at(assigned, 15),
            )
            assignments.append(a)
            leads.append((s, a, state, assigned, replied))
            if rng.random() < 0.2:
                co = units[(units.index(unit) + 1) % len(units)]
                assignments.append(
                    Assignment(
                        suggestion=s,
                        unit=co,
                        round=1,
                        role="co",
                        state="opinion_submitted" if answered else "handling",
                        assigned_at=at(assigned, 10),
                        assigned_on=assigned,
                        assigned_by=clerk,
                    )
                )
        CoSigner.objects.bulk_create(cosigners, batch_size=5000, ignore_conflicts=True)
        Assignment.objects.bulk_create(assignments, batch_size=5000)
        replies, contacts = [], []
        for s, a, state, assigned, replied in leads:
            answered = state in ("replied", "evaluated", "closed")
            contact = assigned + datetime.timedelta(days=rng.randint(2, 15))
            contacted = answered or contact <= AS_OF
            for kind, due in (
                ("first_contact", cal.add_working_days(assigned, 10)),
                ("reply", cal.add_months(assigned, 1)),
                ("reply_statutory", cal.add_months(assigned, 3)),
            ):
                closed_on = (
                    contact
                    if kind == "first_contact" and contacted
                    else replied
                    if kind != "first_contact" and answered
                    else None
                )
                deadlines.append(
                    Deadline(
                        congress=congress,
                        suggestion=s,
                        assignment=a,
                        kind=kind,
                        started_on=assigned,
                        due_on=due,
                        rule="bench",
                        calendar_version="bench",
                        closed_at=at(closed_on, 15) if closed_on else None,
                        closed_on_time=(closed_on <= due) if closed_on else None,
                        close_reason="done" if closed_on else "",
                    )
                )
            if contacted:
                contacts.append(
                    Contact(
                        assignment=a,
                        phase="before",
                        method="visit" if rng.random() < 0.85 else "phone",
                        contacted_on=contact,
                        people="承办人",
                        summary="联系代表",
                        logged_by=clerk,
                        state="confirmed",
                        answered_at=at(contact, 15),
                    )
                )
            if answered:
                klass = rng.choices(classes, weights=(60, 28, 8, 4))[0]
                replies.append(
                    Reply(
                        assignment=a,
                        body="答复",
                        result_class=klass,
                        drafted_by=clerk,
                        drafted_at=at(replied, 14),
                        signed_off_by=clerk,
                        signed_off_at=at(replied, 16),
                    )
                )
        Contact.objects.bulk_create(contacts, batch_size=5000)
        Reply.objects.bulk_create(replies, batch_size=5000)
        Deadline.objects.bulk_create(deadlines, batch_size=5000)
        evaluations, commitments = [], []
        states = {s.pk: state for s, _a, state, _x, _y in leads}
        for reply in replies:
            s_id = reply.assignment.suggestion_id
            if reply.result_class.code in "BC":
                commitments.append(
                    Commitment(
                        reply=reply,
                        text="承诺事项",
                        due_on=reply.signed_off_at.date() + datetime.timedelta(days=90),
                        state="fulfilled" if rng.random() < 0.6 else "open",
                    )
                )
            if states[s_id] in ("evaluated", "closed"):
                r = rng.random()
                overall = (
                    "satisfied" if r < 0.8 else "basic" if r < 0.95 else "unsatisfied" if r < 0.98 else ""
                )
                evaluations.append(
                    Evaluation(
                        suggestion_id=s_id,
                        reply=reply,
                        round=1,
                        kind="rated" if overall else "no_feedback",
                        attitude=overall,
                        result=overall,
                        overall=overall,
                        contact_happened=True if overall else None,
                        evaluated_at=reply.signed_off_at + datetime.timedelta(days=3),
                    )
                )
        Evaluation.objects.bulk_create(evaluations, batch_size=5000)
        Commitment.objects.bulk_create(commitments, batch_size=5000)
        written += sum(
            map(
                len,
                (suggestions, assignments, cosigners, deadlines, replies, contacts, evaluations, commitments),
            )
        )
    return written


if __name__ == "__main__":
    main()
