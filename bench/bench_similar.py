#!/usr/bin/env python
"""Precision of the similar suggestions (issue #15): a benchmark, not a test.

    .venv/bin/python bench/bench_similar.py            # the labelled fixture and the demo
    .venv/bin/python bench/bench_similar.py --json

In a temporary SQLite database (migrated, then ``manage.py seed_demo``):

1. **Labelled fixture** (`bench/similar/near_duplicates.json`): groups of 2–4 near-duplicate
   suggestions written for this purpose, and distractors, are put into a congress of their own and
   indexed. For each suggestion of a group, `textsearch.search.similar()` is asked for the 5 most
   similar (the suggestion itself excluded), as the drafting form asks while the deputy types.
   Reported: **precision@5** (the share of the 5 that are of its group; at most (group size − 1)/5),
   **R-precision** (the share of its group found among the first group size − 1), **hit@1** (the
   first is of its group) and **recall@5** (the share of its group found among the 5).
2. **Demo** (`seed_demo`): no labels exist, so the proxy is the share of the 5 most similar that
   have the same category as the suggestion (precision@5 by category), over every suggestion of the
   demo that has a category.

Also the time of one `similar()` call (median, p95).
"""

from __future__ import annotations

import argparse
import datetime
import io
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "bench" / "similar" / "near_duplicates.json"


def setup(path: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings_test"
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("seed_demo", stdout=io.StringIO())


def load_fixture() -> tuple[object, dict[int, int], dict[int, dict]]:
    """The fixture's suggestions in a congress of their own; (congress, pk → group, pk → item)."""
    from minyi.congress.models import Congress, Deputy
    from minyi.suggestions.models import Suggestion
    from minyi.textsearch.index import index_suggestions
    from tests.factories import UserFactory

    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    congress = Congress.objects.create(code="nd", name="近似建议评测人大", short_name="评测")
    user = UserFactory(username="nd-deputy")
    deputy = Deputy.objects.create(
        congress=congress, name="评测代表", number="E001", user=user, in_office_from=datetime.date(2022, 1, 1)
    )
    group_of: dict[int, int] = {}
    items: dict[int, dict] = {}
    rows = [(g, item) for g, group in enumerate(data["groups"]) for item in group["items"]]
    rows += [(-1 - i, item) for i, item in enumerate(data["distractors"])]
    for g, item in rows:
        s = Suggestion.objects.create(
            congress=congress, lead=deputy, entered_by=user, state="submitted", year=2026, **item
        )
        group_of[s.pk] = g
        items[s.pk] = item
    index_suggestions(list(group_of))
    return congress, group_of, items


def evaluate_fixture() -> dict:
    from minyi.textsearch.search import similar

    congress, group_of, items = load_fixture()
    p5, rprec, hit1, recall5, times = [], [], [], [], []
    for pk, g in group_of.items():
        if g < 0:
            continue
        item = items[pk]
        relevant = {o for o, og in group_of.items() if og == g and o != pk}
        started = time.perf_counter()
        found = [
            h.entry.suggestion_id
            for h in similar(
                congress,
                f"{item['facts']}\n{item['proposals']}",
                title=item["title"],
                exclude=pk,
                limit=5,
                year=2026,
            )
        ]
        times.append((time.perf_counter() - started) * 1000)
        p5.append(len(relevant & set(found)) / 5)
        k = len(relevant)
        rprec.append(len(relevant & set(found[:k])) / k)
        hit1.append(1.0 if found and found[0] in relevant else 0.0)
        recall5.append(len(relevant & set(found)) / k)
    groups = len({g for g in group_of.values() if g >= 0})
    return {
        "groups": groups,
        "queries": len(p5),
        "distractors": sum(1 for g in group_of.values() if g < 0),
        "precision_at_5": statistics.mean(p5),
        "max_precision_at_5": statistics.mean(
            min(5, sum(1 for og in group_of.values() if og == g) - 1) / 5
            for pk, g in group_of.items()
            if g >= 0
        ),
        "r_precision": statistics.mean(rprec),
        "hit_at_1": statistics.mean(hit1),
        "recall_at_5": statistics.mean(recall5),
        "median_ms": statistics.median(times),
        "p95_ms": sorted(times)[int(len(times) * 0.95) - 1],
    }


def evaluate_demo() -> dict:
    from minyi.congress.models import Congress
    from minyi.suggestions.models import Suggestion
    from minyi.textsearch.search import similar

    congress = Congress.objects.get(code="demo")
    shares, times = [], []
    suggestions = Suggestion.objects.filter(congress=congress, category__isnull=False)
    for s in suggestions:
        started = time.perf_counter()
        found = similar(
            congress, f"{s.facts}\n{s.proposals}", title=s.title, exclude=s.pk, limit=5, year=2100
        )
        times.append((time.perf_counter() - started) * 1000)
        if found:
            shares.append(sum(1 for h in found if h.entry.category_id == s.category_id) / len(found))
    return {
        "suggestions": suggestions.count(),
        "with_results": len(shares),
        "same_category_at_5": statistics.mean(shares) if shares else 0.0,
        "median_ms": statistics.median(times),
        "p95_ms": sorted(times)[int(len(times) * 0.95) - 1],
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        setup(f"{tmp}/similar.sqlite3")
        out = {"fixture": evaluate_fixture(), "demo": evaluate_demo()}
    if args.json:
        print(json.dumps(out, indent=1))
        return
    f, d = out["fixture"], out["demo"]
    print(f"Labelled fixture: {f['groups']} groups, {f['queries']} queries, {f['distractors']} distractors")
    print(
        f"  precision@5 {f['precision_at_5']:.3f} (at most {f['max_precision_at_5']:.3f}), "
        f"R-precision {f['r_precision']:.3f}, hit@1 {f['hit_at_1']:.3f}, recall@5 {f['recall_at_5']:.3f}; "
        f"similar() median {f['median_ms']:.1f} ms, p95 {f['p95_ms']:.1f} ms"
    )
    print(f"Demo: {d['suggestions']} suggestions with a category, {d['with_results']} with similar ones")
    print(
        f"  same category among the 5: {d['same_category_at_5']:.3f}; "
        f"similar() median {d['median_ms']:.1f} ms, p95 {d['p95_ms']:.1f} ms"
    )


if __name__ == "__main__":
    main()
