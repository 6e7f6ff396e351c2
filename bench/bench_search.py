#!/usr/bin/env python
"""Latency of the full-text search at 100k suggestions, on SQLite and PostgreSQL (issue #15): a
benchmark, not a test.

    .venv/bin/python bench/bench_search.py                          # both databases, 100,000
    .venv/bin/python bench/bench_search.py --databases sqlite --size 20000 --rounds 3
    .venv/bin/python bench/bench_search.py --reuse                  # measure again, no reseeding

For each database (SQLite: var/bench/search_<size>.sqlite3; PostgreSQL: ``--database-url``, default
postgres://postgres@127.0.0.1:5432/minyi_bench_search, whose public schema is DROPPED — never point
it at real data):

1. migrate and ``seed_demo`` (the demo congress, indexed by its actions), then bulk-insert closed
   suggestions of 2013–2022 into the demo congress until it holds ``--size`` suggestions, each with
   one lead unit and a signed-off reply. Unlike bench_pages.py's history (one repeated text), the
   texts are varied: sentences drawn from bench/similar/near_duplicates.json with places and numbers,
   so words are spread as in real suggestions (common: 小区, 道路; rare: 古树名木). Their index
   entries are bulk-inserted too (the segmentation of each sentence is computed once — the query
   path is what is measured); then ANALYZE (SQLite, after the FTS5 'optimize') or VACUUM ANALYZE
   (PostgreSQL: what autovacuum does once the bulk load has settled).
2. The search of the search page — query segmentation, the index query intersected with the
   reader's visibility, the count, the first page of 20 and its highlighted snippets, the template —
   is requested through Django's test client (no HTTP server) for a mix of queries (one word, two,
   three, a common word, a rare one, words that no entry holds together) as three readers: the clerk
   (sees every suggestion), the busiest deputy (their own) and the busiest unit handler (their
   unit's). Each (reader, query) pair is asked ``--rounds`` times after one warm-up; p50/p95 over
   all requests.

Prints a Markdown table (``--json``: the rows).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import io
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/minyi_bench_search"
HISTORY_YEARS = range(2013, 2023)
QUERIES = [
    "电梯",
    "老旧小区电梯",
    "停车难",
    "垃圾分类 小区",
    "农村污水管网",
    "小区",
    "道路",
    "古树名木",
    "养老服务 助餐",
    "幼儿园学位",
    "充电桩 老旧小区 电力",
    "路灯 背街小巷",
    "电梯 幼儿园",  # no entry holds both: the OR fallback
    "食品安全 配餐",
    "公交",
]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--database-url", default=DEFAULT_PG)
    parser.add_argument("--reuse", action="store_true", help="keep a database already seeded at this size")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--seed-only", action="store_true", help="prepare the databases, measure nothing")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args)))
        return
    rows = []
    for database in args.databases.split(","):
        url = sqlite_url(args.size) if database == "sqlite" else args.database_url
        if database == "postgresql":
            ensure_pg_database(url)
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": "config.settings_test",
            "LOG_LEVEL": "ERROR",
        }
        command = [
            sys.executable,
            __file__,
            "--one",
            database,
            "--size",
            str(args.size),
            "--rounds",
            str(args.rounds),
        ]
        if args.reuse:
            command.append("--reuse")
        if args.seed_only:
            command.append("--seed-only")
        out = subprocess.run(command, env=env, check=True, stdout=subprocess.PIPE, text=True).stdout
        rows += json.loads(out.strip().splitlines()[-1])
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
    else:
        print(table(rows))


def sqlite_url(size: int) -> str:
    (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{ROOT / 'var' / 'bench' / f'search_{size}.sqlite3'}"


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
        "| database | suggestions | index entries | reader | requests | p50 ms | p95 ms | max ms | queries/request |",
        "|---|---:|---:|---|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['database']} | {r['suggestions']:,} | {r['entries']:,} | {r['reader']} | {r['requests']} | "
            f"{r['p50_ms']:.1f} | {r['p95_ms']:.1f} | {r['max_ms']:.1f} | {r['queries']} |"
        )
    return "\n".join(lines)


# --- one database (a subprocess with its DATABASE_URL) ---------------------------------------------


def run_one(args: argparse.Namespace) -> list[dict]:
    sys.path[:0] = [str(ROOT), str(BENCH)]
    import django

    django.setup()
    from django.db import connection

    from minyi.suggestions.models import Suggestion
    from minyi.textsearch.models import SearchEntry

    if not (args.reuse and seeded(args.size)):
        from bench_pages import reset_database

        reset_database()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        call_command("seed_demo", stdout=io.StringIO())
        log(f"{connection.vendor}: demo seeded in {time.perf_counter() - started:.0f} s")
        add_history(args.size)
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute("INSERT INTO textsearch_fts(textsearch_fts) VALUES ('optimize')")
                cursor.execute("ANALYZE")
            else:
                # what autovacuum does to a table that has settled after a bulk load: the statistics,
                # and the visibility map (an index scan need not read a page whose rows all are
                # visible)
                cursor.execute("VACUUM ANALYZE")
    if args.seed_only:
        return []
    suggestions = Suggestion.objects.count()
    entries = SearchEntry.objects.count()
    log(f"{connection.vendor}: load average before measuring {os.getloadavg()[0]:.2f}")
    rows = []
    for reader, username in readers().items():
        times, queries = measure(username, args.rounds)
        rows.append(
            {
                "database": connection.vendor,
                "suggestions": suggestions,
                "entries": entries,
                "reader": reader,
                "requests": len(times),
                "p50_ms": statistics.median(times),
                "p95_ms": sorted(times)[max(0, int(len(times) * 0.95) - 1)],
                "max_ms": max(times),
                "queries": queries,
            }
        )
    times, queries = measure("clerk", args.rounds * len(QUERIES), queries_list=[""])
    rows.insert(
        0,
        {
            "database": connection.vendor,
            "suggestions": suggestions,
            "entries": entries,
            "reader": "the page without a query (its frame: the baseline)",
            "requests": len(times),
            "p50_ms": statistics.median(times),
            "p95_ms": sorted(times)[max(0, int(len(times) * 0.95) - 1)],
            "max_ms": max(times),
            "queries": queries,
        },
    )
    times = measure_similar(args.rounds)
    log(f"{connection.vendor}: load average after measuring {os.getloadavg()[0]:.2f}")
    rows.append(
        {
            "database": connection.vendor,
            "suggestions": suggestions,
            "entries": entries,
            "reader": "similar() as the clerk",
            "requests": len(times),
            "p50_ms": statistics.median(times),
            "p95_ms": sorted(times)[max(0, int(len(times) * 0.95) - 1)],
            "max_ms": max(times),
            "queries": "—",
        }
    )
    return rows


def measure_similar(rounds: int) -> list[float]:
    """similar() for 30 suggestions spread over the history, as the review panel asks it."""
    from minyi.accounts.models import User
    from minyi.congress.models import Congress
    from minyi.suggestions.models import Suggestion
    from minyi.textsearch.search import similar

    congress = Congress.objects.get(code="demo")
    clerk = User.objects.get(username="clerk")
    ids = list(Suggestion.objects.filter(congress=congress).order_by("pk").values_list("pk", flat=True))
    picked = Suggestion.objects.filter(pk__in=ids[:: max(1, len(ids) // 30)][:30])
    times = []
    for s in picked:
        for _ in range(max(1, rounds // 2)):
            started = time.perf_counter()
            similar(congress, f"{s.facts}\n{s.proposals}", title=s.title, user=clerk, exclude=s.pk)
            times.append((time.perf_counter() - started) * 1000)
    return times


def seeded(size: int) -> bool:
    from django.db import connection

    try:
        from minyi.suggestions.models import Suggestion

        return (
            "textsearch_searchentry" in connection.introspection.table_names()
            and Suggestion.objects.count() >= size
        )
    except Exception:  # noqa: BLE001 - an unmigrated database
        return False


def readers() -> dict[str, str]:
    from django.db.models import Count

    from minyi.accounts.models import Membership
    from minyi.congress.models import Deputy

    deputy = (
        Deputy.objects.filter(congress__code="demo", user__isnull=False)
        .annotate(n=Count("led_suggestions"))
        .order_by("-n")
        .values_list("user__username", flat=True)
        .first()
    )
    handler = (
        Membership.objects.filter(congress__code="demo", role="unit_handler")
        .annotate(n=Count("unit__assignments"))
        .order_by("-n")
        .values_list("user__username", flat=True)
        .first()
    )
    return {"clerk": "clerk", "deputy": deputy or "", "handler": handler or ""}


def measure(username: str, rounds: int, queries_list: list[str] | None = None) -> tuple[list[float], int]:
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from minyi.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    times: list[float] = []
    most = 0
    for q in QUERIES if queries_list is None else queries_list:
        url = f"/c/demo/search/?q={q}" if q else "/c/demo/search/"
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)  # warm-up, and the query count
        assert response.status_code == 200, (url, response.status_code)
        most = max(most, len(ctx.captured_queries))
        for _ in range(rounds):
            reset_queries()
            started = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - started) * 1000)
    return times, most


# --- the history, with varied texts ----------------------------------------------------------------

PLACES = [
    "城关街道",
    "东城街道",
    "西湖社区",
    "南山镇",
    "北关村",
    "新华路",
    "解放路",
    "滨江小区",
    "工业园区",
    "幸福里社区",
    "红星村",
    "青年路",
    "和平小区",
    "金桥镇",
    "望江街道",
]


def _pool() -> tuple[list[str], list[str], list[str]]:
    data = json.loads((BENCH / "similar" / "near_duplicates.json").read_text(encoding="utf-8"))
    items = [i for g in data["groups"] for i in g["items"]] + data["distractors"]
    topics = [i["title"].removeprefix("关于").removesuffix("的建议") for i in items]
    facts = [s + "。" for i in items for s in i["facts"].split("。") if s]
    proposals = [s + "。" for i in items for s in i["proposals"].split("。") if s]
    return topics, facts, proposals


@dataclasses.dataclass
class _Pools:
    """What every inserted year draws from (`add_history`)."""

    congress: Any
    rng: random.Random
    terms: Any
    topics: list[str]
    facts: list[str]
    proposals: list[str]
    deputies: list[tuple[int, int | None, str]]
    clerk: int | None
    categories: list[int]
    units: list[tuple[int, str]]
    results: list[int]


def add_history(total: int) -> None:
    """Closed suggestions of 2013–2022 (one lead unit that replied, signed off) and their index
    entries, bulk-inserted until the demo congress holds `total` suggestions."""
    from minyi.congress.models import Category, Congress, Deputy, ResultClass, Unit
    from minyi.suggestions.models import Suggestion
    from minyi.textsearch.segment import index_terms, tokenizer_for

    congress = Congress.objects.get(code="demo")
    tok = tokenizer_for(congress)
    memo: dict[str, list[str]] = {}

    def terms(text: str) -> list[str]:
        if text not in memo:
            memo[text] = index_terms(text, tok)
        return memo[text]

    extra = total - Suggestion.objects.count()
    if extra <= 0:
        return
    topics, facts, proposals = _pool()
    pools = _Pools(
        congress=congress,
        rng=random.Random(15),
        terms=terms,
        topics=topics,
        facts=facts,
        proposals=proposals,
        deputies=list(Deputy.objects.filter(congress=congress).values_list("pk", "user_id", "name")),
        clerk=congress.memberships.filter(role="congress_clerk").values_list("user_id", flat=True).first(),
        categories=list(Category.objects.filter(congress=congress).values_list("pk", flat=True)),
        units=list(Unit.objects.filter(congress=congress).exclude(kind="body").values_list("pk", "name")),
        results=list(ResultClass.objects.filter(congress=congress).values_list("pk", flat=True)),
    )
    created = Suggestion._meta.get_field("created_at")
    created.auto_now_add = False  # type: ignore[attr-defined]
    per_year = -(-extra // len(HISTORY_YEARS))
    made = 0
    started = time.perf_counter()
    try:
        for year in HISTORY_YEARS:
            n = min(per_year, extra - made)
            _insert_year(pools, year, n)
            made += n
            log(f"  history {year}: {n:,} suggestions ({time.perf_counter() - started:.0f} s)")
    finally:
        created.auto_now_add = True  # type: ignore[attr-defined]


def _insert_year(p: _Pools, year: int, n: int) -> None:
    """`n` closed suggestions of `year`, each with its lead assignment, signed reply and two index
    entries (the suggestion's and the reply's)."""
    import zoneinfo

    from minyi.suggestions.models import Assignment, Reply, Suggestion
    from minyi.textsearch.models import SearchEntry

    tz = zoneinfo.ZoneInfo("Asia/Shanghai")
    rng, congress, clerk, terms = p.rng, p.congress, p.clerk, p.terms
    rows, texts = [], {}
    for seq in range(1, n + 1):
        lead, user, lead_name = rng.choice(p.deputies)
        place = rng.choice(PLACES)
        title = f"关于{place}{rng.choice(p.topics)}的建议"
        fact = [f"{place}" + rng.choice(p.facts), *rng.sample(p.facts, rng.randint(1, 2))]
        prop = rng.sample(p.proposals, rng.randint(1, 2))
        day = datetime.datetime(year, 1, 1, 9, tzinfo=tz) + datetime.timedelta(days=rng.randrange(0, 300))
        rows.append(
            Suggestion(
                congress=congress, kind="session", title=title, facts="".join(fact),
                proposals="".join(prop), category_id=rng.choice(p.categories), collected_on=day.date(),
                lead_id=lead, entered_by_id=user or clerk, state="closed",
                state_changed_at=day + datetime.timedelta(days=60), year=year, seq=seq,
                number=f"示范〔{year}〕第{seq}号", submitted_at=day,
                accepted_at=day + datetime.timedelta(days=2), closed_at=day + datetime.timedelta(days=60),
                created_at=day,
            )
        )  # fmt: skip
        texts[seq] = (title, fact, prop, lead_name)
    Suggestion.objects.bulk_create(rows, batch_size=2000)
    ids = list(
        Suggestion.objects.filter(congress=congress, year=year, seq__lte=n, number__startswith="示范〔")
        .order_by("seq")
        .values_list("pk", "seq", "accepted_at", "category_id")
    )
    ids = [row for row in ids if row[1] in texts][:n]
    unit_of = {pk: rng.choice(p.units) for pk, *_ in ids}
    Assignment.objects.bulk_create(
        [
            Assignment(
                suggestion_id=pk, unit_id=unit_of[pk][0], round=1, role="lead", state="replied",
                state_changed_at=accepted + datetime.timedelta(days=40), assigned_by_id=clerk,
                assigned_at=accepted, assigned_on=accepted.date(),
                reply_due_on=accepted.date() + datetime.timedelta(days=90),
            )
            for pk, _seq, accepted, _c in ids
        ],
        batch_size=2000,
    )  # fmt: skip
    assignment_of = dict(
        Assignment.objects.filter(suggestion_id__in=[pk for pk, *_ in ids]).values_list("suggestion_id", "pk")
    )
    bodies = {pk: "经研究，现答复如下：" + "".join(rng.sample(p.proposals, 2)) for pk, *_ in ids}
    Reply.objects.bulk_create(
        [
            Reply(
                assignment_id=assignment_of[pk], body=bodies[pk], result_class_id=rng.choice(p.results),
                drafted_by_id=clerk, drafted_at=accepted + datetime.timedelta(days=30),
                signed_off_by_id=clerk, signed_off_at=accepted + datetime.timedelta(days=35),
            )
            for pk, _seq, accepted, _c in ids
        ],
        batch_size=2000,
    )  # fmt: skip
    reply_of = dict(
        Reply.objects.filter(assignment_id__in=list(assignment_of.values())).values_list(
            "assignment__suggestion_id", "pk"
        )
    )
    entries = []
    for pk, seq, _accepted, category in ids:
        title, fact, prop, lead_name = texts[seq]
        words = terms(title) * 2 + [t for s in fact + prop for t in terms(s)] + [lead_name.lower()]
        entries.append(
            SearchEntry(
                congress=congress, kind="suggestion", object_id=pk, suggestion_id=pk, category_id=category,
                year=year, title=title, text="".join(fact) + "\n" + "".join(prop), terms=" ".join(words),
            )
        )  # fmt: skip
        body = bodies[pk]
        entries.append(
            SearchEntry(
                congress=congress, kind="reply", object_id=reply_of[pk], suggestion_id=pk,
                category_id=category, year=year, title=f"{unit_of[pk][1]} · {title}", text=body,
                terms=" ".join(t for s in body.split("。") for t in terms(s)),
            )
        )  # fmt: skip
    SearchEntry.objects.bulk_create(entries, batch_size=2000)


if __name__ == "__main__":
    main()
