#!/usr/bin/env python
"""Throughput of the key pages against a bare one-query Django view, served as in production
(a benchmark, not a test; issue #13).

    .venv/bin/python bench/bench_pages.py                        # every page, both databases, both sizes
    .venv/bin/python bench/bench_pages.py --databases sqlite --sizes demo --duration 3   # a quick look
    .venv/bin/python bench/bench_pages.py --pages home:deputy,todo:clerk,list --json
    .venv/bin/python bench/bench_pages.py --reuse                # seed each database once, measure again

For each database (SQLite: a file under var/bench/; PostgreSQL: ``--database-url``, default
postgres://postgres@127.0.0.1:5432/minyi_bench, whose public schema is DROPPED — never point it at
real data) and each size:

1. a fresh database is migrated and seeded: ``demo`` is ``manage.py seed_demo`` (the demo congress);
   a number (e.g. ``100000``) is the demo plus that many suggestions less the demo's, bulk-inserted
   into the demo congress as closed suggestions of the ten years 2013–2022 (one lead unit each,
   leads spread over the demo's deputies) — the congress's history, which no page of current work
   should pay for; then ``ANALYZE``;
2. one session per demo login is written to the session table (the cookies the load generator
   sends), and the pages' addresses are resolved (the suggestion with the longest timeline, the
   deputy and unit with the most suggestions…);
3. gunicorn (pinned in requirements.lock) serves the project with ``-w 2`` sync workers, DEBUG=0,
   production settings (cached template loader, locmem cache, ``CONN_MAX_AGE=60`` on PostgreSQL)
   plus the bench's baseline view (``bench/pages_site.py``, mounted only there);
4. every page is fetched once to check it answers 200 (no redirect to the login page) and to read
   its query count, then warmed up;
5. wrk (Debian's, installed by ``scripts/install_tools.sh``) loads the baseline and the pages
   **interleaved**: baseline, page 1, baseline, page 2, …, baseline — ``--duration`` seconds each with
   ``--connections`` connections on one thread. A page's ratio is its requests per second divided by
   the mean of the two baseline runs around it, so drifts in what else the machine does (two cores,
   shared) fall on both sides of the ratio.

Prints a Markdown table; ``--json`` prints ``{"pages": [{"page", "database", "size", "req_s",
"ratio", "p50_ms", "p99_ms", "queries"}, …]}`` (p50/p99: wrk's latency percentiles under the load).

Why wrk: a C load generator that takes a few percent of one core at these rates; a Python one
(locust, a thread pool over http.client) needs about a core of its own to reach 1,500 requests per
second, which on this 2-core box is the CPU the two server workers need.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/minyi_bench"
SECRET = "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
HISTORY_YEARS = range(2013, 2023)

#: Who signs in for the home page and the work list of each role (a username, or a rule for
#: choosing one that the preparation resolves).
ROLES = {
    "deputy": "@busiest_deputy",
    "liaison": "liaison1",
    "clerk": "clerk",
    "coordinator": "gov",
    "handler": "@busiest_handler",
    "leader": "@busiest_leader",
    "supervisor": "supervisor",
    "inspector": "inspector",
    "viewer": "viewer",
    "judge": "judge1",
    "admin": "admin",
}

#: The pages: key → (login role or None for anonymous, path; {code}, {detail} filled in).
PAGES: dict[str, tuple[str | None, str]] = {
    "login": (None, "/accounts/login/"),
    **{f"home:{role}": (role, "/c/{code}/") for role in ROLES},
    **{f"todo:{role}": (role, "/c/{code}/suggestions/todo/") for role in ROLES},
    "list": ("clerk", "/c/{code}/suggestions/"),
    "list:deputy": ("deputy", "/c/{code}/suggestions/"),
    "detail": ("clerk", "/c/{code}/suggestions/{detail}/"),
    "detail:deputy": ("deputy", "/c/{code}/suggestions/{deputy_detail}/"),
    "dashboard": ("clerk", "/c/{code}/reports/dashboard/"),
    "board": ("supervisor", "/c/{code}/supervision/"),
    "inbox": ("@inbox", "/inbox/"),
    "api:list": ("clerk", "/api/v1/congresses/{code}/suggestions"),
    # the public site (issue #14): anonymous, kept per data version
    "public:home": (None, "/p/{code}/"),
    "public:list": (None, "/p/{code}/s/"),
    "public:list:filtered": (None, "/p/{code}/s/?year=2023&page=2"),
    "public:detail": (None, "/p/{code}/s/{public_detail}/"),
    "public:figures": (None, "/p/{code}/figures/"),
}
BASELINE = "/__bench__/baseline/"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--databases", default="sqlite,postgresql", help="sqlite, postgresql or both")
    parser.add_argument("--sizes", default="demo,100000", help="demo and/or numbers of suggestions")
    parser.add_argument("--pages", default="", help=f"comma-separated keys (default all): {', '.join(PAGES)}")
    parser.add_argument("--duration", type=int, default=8, help="seconds of load per run (default 8)")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections (default 8)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (default 2)")
    parser.add_argument("--database-url", default=DEFAULT_PG, help="PostgreSQL database (schema dropped!)")
    parser.add_argument(
        "--reuse", action="store_true", help="keep one seeded database per size; reseed only if missing"
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of the table")
    parser.add_argument("--prepare", help=argparse.SUPPRESS)
    parser.add_argument("--fresh", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.prepare:
        print(json.dumps(prepare(args.prepare, fresh=args.fresh)))
        return
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the server too (the finally below)
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: run scripts/install_tools.sh (as root: apt-get install wrk)")
    pages = [p.strip() for p in args.pages.split(",") if p.strip()] or list(PAGES)
    unknown = [p for p in pages if p not in PAGES]
    if unknown:
        sys.exit(f"unknown pages: {', '.join(unknown)} (known: {', '.join(PAGES)})")
    rows: list[dict] = []
    for database in [d.strip() for d in args.databases.split(",") if d.strip()]:
        for size in [s.strip() for s in args.sizes.split(",") if s.strip()]:
            try:
                rows += run(database, size, pages, args)
            except (SystemExit, subprocess.CalledProcessError, OSError) as error:  # keep the others' rows
                log(f"!! {database}, size {size} failed: {error}")
    if args.json:
        print(json.dumps({"pages": rows}, ensure_ascii=False, indent=1))
    else:
        print(table(rows))


# --- one database and size -----------------------------------------------------------------------


def environment(database: str, size: str, args: argparse.Namespace, tmp: str) -> dict[str, str]:
    if database == "sqlite":
        (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{ROOT / 'var' / 'bench' / f'pages_{size}.sqlite3'}"
    elif database == "postgresql":
        url = args.database_url if not args.reuse else f"{args.database_url}_{size}"
    else:
        sys.exit(f"unknown database {database!r}: sqlite or postgresql")
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(BENCH), str(ROOT)]),
        "DJANGO_SETTINGS_MODULE": "pages_site",
        "DATABASE_URL": url,
        "SECRET_KEY": SECRET,
        "DEBUG": "0",
        "LOG_LEVEL": "ERROR",
        "STATIC_ROOT": f"{tmp}/static",
        "MEDIA_ROOT": f"{tmp}/media",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "SECURE_HSTS_SECONDS": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "STATICFILES_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage",
    }


def run(database: str, size: str, pages: list[str], args: argparse.Namespace) -> list[dict]:
    with tempfile.TemporaryDirectory() as tmp:
        env = environment(database, size, args, tmp)
        if database == "postgresql":
            ensure_pg_database(env["DATABASE_URL"])
        log(f"… {database}, size {size}: preparing the database")
        started = time.perf_counter()
        cmd = [sys.executable, str(BENCH / "bench_pages.py"), "--prepare", size]
        if not args.reuse:
            cmd.append("--fresh")
        out = subprocess.run(cmd, env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True)
        if out.returncode:
            raise SystemExit(f"preparing the {database} database failed")
        info = json.loads(out.stdout.strip().splitlines()[-1])
        log(f"  ready in {time.perf_counter() - started:.0f} s: {info['suggestions']:,} suggestions")
        port = free_port()
        server = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "config.wsgi:application",
                "--workers",
                str(args.workers),
                "--worker-class",
                "sync",
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
                "--timeout",
                "120",
            ],
            env=env,
            cwd=ROOT,
            start_new_session=True,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            wait_for(base + BASELINE)
            targets = resolve(pages, info)
            queries = {}
            for key, (url, cookie) in targets.items():
                queries[key] = check(base + url, cookie, key)
                for _ in range(5):  # warm both workers' template caches and connections
                    fetch(base + url, cookie)
            for _ in range(10):
                fetch(base + BASELINE, None)
            queries_baseline = check(base + BASELINE, None, "baseline")
            log(f"  measuring {len(targets)} pages, {args.duration:g} s each, interleaved with the baseline")
            results = []
            before = load(base + BASELINE, None, args)
            for key, (url, cookie) in targets.items():
                page = load(base + url, cookie, args)
                drain(base)
                after = load(base + BASELINE, None, args)
                baseline = (before["req_s"] + after["req_s"]) / 2
                ratio = page["req_s"] / baseline if baseline else float("nan")
                results.append(
                    {
                        "page": key,
                        "database": database,
                        "size": info["suggestions"] if size != "demo" else "demo",
                        "req_s": round(page["req_s"], 1),
                        "ratio": round(ratio, 3),
                        "p50_ms": page["p50_ms"],
                        "p99_ms": page["p99_ms"],
                        "queries": queries[key],
                        "baseline_req_s": round(baseline, 1),
                        "baseline_queries": queries_baseline,
                    }
                )
                log(f"  {key:<18} {page['req_s']:8.1f} req/s  ratio {ratio:.2f}  queries {queries[key]}")
                before = after
            return results
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)


def resolve(pages: list[str], info: dict) -> dict[str, tuple[str, str | None]]:
    out = {}
    for key in pages:
        role, path = PAGES[key]
        url = path.format(
            code=info["code"],
            detail=info["detail"],
            deputy_detail=info["deputy_detail"],
            public_detail=info.get("public_detail", 0),
        )
        cookie = None
        if role is not None:
            login = info["logins"][role.lstrip("@")] if role.startswith("@") else info["logins"][role]
            cookie = f"{info['cookie_name']}={info['sessions'][login]}"
        out[key] = (url, cookie)
    return out


def fetch(url: str, cookie: str | None, count: bool = False) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url)
    if cookie:
        request.add_header("Cookie", cookie)
    if count:
        request.add_header("X-Bench-Queries", "1")

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *a, **kw):  # type: ignore[no-untyped-def]
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=60) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def check(url: str, cookie: str | None, key: str) -> int:
    status, headers, body = fetch(url, cookie, count=True)
    if status != 200:
        raise SystemExit(f"{key}: {url} answered {status} {headers.get('Location', '')}\n{body[:500]!r}")
    return int(headers.get("X-Bench-Queries", "-1"))


def load(url: str, cookie: str | None, args: argparse.Namespace) -> dict:
    cmd = ["wrk", "-t1", f"-c{args.connections}", f"-d{args.duration}s", "--timeout", "30s", "--latency"]
    if cookie:
        cmd += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run([*cmd, url], check=True, capture_output=True, text=True).stdout
    if "Non-2xx" in out:
        raise SystemExit(f"{url}: wrk saw non-2xx answers\n{out}")
    req_s = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    latency = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)\s*$", out, re.M))
    if not req_s or "50" not in latency:  # not one answer within the run
        return {"req_s": 0.0, "p50_ms": float("nan"), "p99_ms": float("nan")}
    return {"req_s": req_s, "p50_ms": ms(latency["50"]), "p99_ms": ms(latency["99"])}


def drain(base: str) -> None:
    """Wait until the workers have answered what a slow page's run left queued (wrk stops sending
    at the end of its time, the server is still working through its backlog), so that the next
    baseline run measures an idle server."""
    for _ in range(3):
        fetch(base + BASELINE, None)


def ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(\w+)", text).groups()  # type: ignore[union-attr]
    return round(float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit], 2)


def wait_for(url: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if fetch(url, None)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"the server did not answer {url}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ensure_pg_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def table(rows: list[dict]) -> str:
    lines = [
        "| page | database | suggestions | req/s | baseline req/s | ratio | p50 ms | p99 ms | queries |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        size = f"{r['size']:,}" if isinstance(r["size"], int) else r["size"]
        lines.append(
            f"| {r['page']} | {r['database']} | {size} | {r['req_s']:.0f} | {r['baseline_req_s']:.0f} | "
            f"{r['ratio']:.2f} | {r['p50_ms']:.1f} | {r['p99_ms']:.1f} | {r['queries']} |"
        )
    return "\n".join(lines)


# --- preparation (in a subprocess with the bench's settings) ---------------------------------------


def prepare(size: str, *, fresh: bool) -> dict:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from minyi.suggestions.models import Suggestion

    if fresh or not seeded():
        reset_database()
        with contextlib.redirect_stdout(sys.stderr):
            call_command("migrate", verbosity=0)
            call_command("seed_demo", stdout=io.StringIO())
            if size != "demo":
                add_history(int(size))
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    else:
        with contextlib.redirect_stdout(sys.stderr):
            call_command("migrate", verbosity=0)
        with connection.cursor() as cursor:  # statistics for indexes a migration may have added
            cursor.execute("ANALYZE")
    return {**addresses(), "suggestions": Suggestion.objects.count()}


def seeded() -> bool:
    from django.db import connection

    return "suggestions_suggestion" in connection.introspection.table_names() and _has_demo()


def _has_demo() -> bool:
    from minyi.congress.models import Congress

    try:
        return Congress.objects.filter(code="demo").exists()
    except Exception:  # noqa: BLE001 - an unmigrated database
        return False


def reset_database() -> None:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    else:
        connection.close()
        path = Path(connection.settings_dict["NAME"])
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


def add_history(total: int) -> None:
    """Closed suggestions of the years 2013–2022 in the demo congress, bulk-inserted, until the
    database holds `total` suggestions: what the actions would have left (number, dates, one lead
    unit that replied)."""
    import datetime
    import zoneinfo

    from minyi.congress.models import Category, Channel, Congress, Deputy, Unit
    from minyi.suggestions.models import Assignment, Suggestion

    tz = zoneinfo.ZoneInfo("Asia/Shanghai")
    rng = random.Random(13)
    congress = Congress.objects.get(code="demo")
    extra = total - Suggestion.objects.count()
    if extra <= 0:
        return
    deputies = list(Deputy.objects.filter(congress=congress).values_list("pk", "user_id"))
    clerk = congress.memberships.filter(role="congress_clerk").values_list("user_id", flat=True).first()
    categories = list(Category.objects.filter(congress=congress).values_list("pk", flat=True))
    channels = list(Channel.objects.filter(congress=congress).values_list("pk", flat=True))
    units = list(Unit.objects.filter(congress=congress).exclude(kind="body").values_list("pk", flat=True))
    years = list(HISTORY_YEARS)
    per_year = -(-extra // len(years))
    created = Suggestion._meta.get_field("created_at")
    created.auto_now_add = False  # type: ignore[attr-defined]  # the history's own dates
    try:
        made = 0
        for year in years:
            n = min(per_year, extra - made)
            rows = []
            for seq in range(1, n + 1):
                lead, user = rng.choice(deputies)
                day = datetime.datetime(year, 1, 1, 9, tzinfo=tz) + datetime.timedelta(
                    days=rng.randrange(0, 300), minutes=seq % 600
                )
                rows.append(
                    Suggestion(
                        congress=congress,
                        kind="session",
                        title=f"关于第{seq}项民生问题的建议",
                        facts="情况与问题" * 20,
                        proposals="具体建议" * 20,
                        category_id=rng.choice(categories),
                        channel_id=rng.choice(channels) if channels else None,
                        collected_on=day.date(),
                        lead_id=lead,
                        entered_by_id=user or clerk,
                        state="closed",
                        state_changed_at=day + datetime.timedelta(days=60),
                        year=year,
                        seq=seq,
                        number=f"示范〔{year}〕第{seq}号",
                        submitted_at=day,
                        accepted_at=day + datetime.timedelta(days=2),
                        closed_at=day + datetime.timedelta(days=60),
                        created_at=day,
                    )
                )
            Suggestion.objects.bulk_create(rows, batch_size=2000)
            ids = list(
                Suggestion.objects.filter(congress=congress, year=year)
                .order_by("seq")
                .values_list("pk", "accepted_at")
            )
            Assignment.objects.bulk_create(
                [
                    Assignment(
                        suggestion_id=pk,
                        unit_id=rng.choice(units),
                        round=1,
                        role="lead",
                        state="replied",
                        state_changed_at=accepted + datetime.timedelta(days=40),
                        assigned_by_id=clerk,
                        assigned_at=accepted,
                        assigned_on=accepted.date(),
                        reply_due_on=accepted.date() + datetime.timedelta(days=90),
                    )
                    for pk, accepted in ids
                ],
                batch_size=2000,
            )
            made += n
            log(f"  history {year}: {n:,} suggestions")
    finally:
        created.auto_now_add = True  # type: ignore[attr-defined]


def addresses() -> dict:
    """Sessions for the demo logins and the addresses of the measured pages."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.db.models import Count

    from minyi.accounts.models import User
    from minyi.audit.models import AuditEvent
    from minyi.congress.models import Congress, Deputy
    from minyi.notifications.models import Notice
    from minyi.publication.models import Publication
    from minyi.suggestions.models import Assignment, Suggestion

    congress = Congress.objects.get(code="demo")
    logins = {role: who for role, who in ROLES.items() if not who.startswith("@")}
    deputy = (
        Deputy.objects.filter(congress=congress, user__isnull=False)
        .annotate(n=Count("led_suggestions"))
        .order_by("-n", "pk")
        .first()
    )
    logins["deputy"] = deputy.user.username
    unit = (
        Assignment.objects.filter(suggestion__congress=congress, suggestion__year=2026)
        .values("unit")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()["unit"]
    )
    members = congress.memberships.filter(unit_id=unit)
    logins["handler"] = members.filter(role="unit_handler").values_list("user__username", flat=True).first()
    logins["leader"] = members.filter(role="unit_leader").values_list("user__username", flat=True).first()
    busiest_inbox = (
        Notice.objects.filter(congress=congress)
        .values("recipient__username")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    logins["inbox"] = busiest_inbox["recipient__username"] if busiest_inbox else "clerk"

    def longest_timeline(qs) -> int:
        row = (
            AuditEvent.objects.filter(suggestion__in=qs.values("pk"))
            .values("suggestion")
            .annotate(n=Count("id"))
            .order_by("-n", "suggestion")
            .first()
        )
        return row["suggestion"]

    detail = longest_timeline(Suggestion.objects.filter(congress=congress))
    deputy_detail = longest_timeline(Suggestion.objects.filter(congress=congress, lead=deputy))
    sessions = {}
    for username in sorted(set(logins.values())):
        user = User.objects.get(username=username)
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "minyi.accounts.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        sessions[username] = store.session_key
    return {
        "code": congress.code,
        "logins": logins,
        "sessions": sessions,
        "cookie_name": settings.SESSION_COOKIE_NAME,
        "detail": detail,
        "deputy_detail": deputy_detail,
        # the published suggestion with the most reply letters (the longest public page)
        "public_detail": Publication.objects.filter(congress=congress, state="published")
        .annotate(n=Count("replies"))
        .order_by("-n", "pk")
        .values_list("pk", flat=True)
        .first(),
    }


if __name__ == "__main__":
    main()
