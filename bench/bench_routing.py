"""Unit routing accuracy (issue #15): top-1 and top-3 on real, published suggestions.

    .venv/bin/python bench/bench_routing.py            # seed a fresh demo into a temporary SQLite file
    .venv/bin/python bench/bench_routing.py --reuse    # reuse var/bench/routing.sqlite3 (seeded once)
    .venv/bin/python bench/bench_routing.py --misses   # also list the no-history misses of the dev half

The evaluation set is bench/routing/real_suggestions.json (68 mapped items, each with the unit of the
demo district that corresponds to its published handling department; see its README). Each item's
**title only** is routed (the excerpts mostly quote the department's reply and would give the answer
away) against the freshly seeded demo congress, among every active handling unit (the clerk's
choice):

- **no history** (`history=False`): the units' names, short names and duties alone — day one;
- **with history**: plus the demo's past assignments (its 2023 and this year's suggestions), for
  information: the demo's suggestions are fictional, so this says the learning does not hurt, not how
  much real history helps.

The items are split in two halves by position (even: "dev", odd: "held-out"). Only the dev half's
misses are ever listed (`--misses`); the duties and the scoring were changed, if at all, after
looking at those only, and the held-out half shows whether a change generalises.

Results go to docs/PERFORMANCE.md ("Unit routing").
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SET = ROOT / "bench" / "routing" / "real_suggestions.json"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--reuse", action="store_true", help="reuse var/bench/routing.sqlite3 if seeded")
    parser.add_argument("--misses", action="store_true", help="list the no-history misses (dev half only)")
    parser.add_argument("--top", type=int, default=3)
    args = parser.parse_args()

    if args.reuse:
        path = ROOT / "var" / "bench" / "routing.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
    else:
        path = Path(tempfile.mkdtemp(prefix="minyi-routing-")) / "demo.sqlite3"
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()
    from django.core.management import call_command

    from minyi.congress.models import Congress
    from minyi.core.management.commands.seed_demo import DEMO_CODE

    started = time.monotonic()
    call_command("migrate", verbosity=0)
    if not Congress.objects.filter(code=DEMO_CODE).exists():
        with contextlib.redirect_stdout(io.StringIO()):  # the console SMS gateway prints
            call_command("seed_demo", stdout=io.StringIO())
    print(f"demo database {path} ready in {time.monotonic() - started:.0f} s")

    from minyi.textsearch.routing import history_for, tokenizer_for

    congress = Congress.objects.get(code=DEMO_CODE)
    data = json.loads(SET.read_text(encoding="utf-8"))
    items = data["items"]
    past = len(history_for(congress, tokenizer_for(congress)).examples)
    print(f"{len(items)} items (titles only); the demo has {past} past suggestions with a lead unit\n")
    rows = evaluate(congress, items, args)
    print()
    print("| run | top-1 | top-3 | ms per item |")
    print("| --- | ---: | ---: | ---: |")
    for label, top1, top3, n, ms in rows:
        print(f"| {label} | {top1}/{n} = {top1 / n:.1%} | {top3}/{n} = {top3 / n:.1%} | {ms:.1f} |")


def evaluate(congress, items: list[dict], args: argparse.Namespace) -> list[tuple]:  # type: ignore[no-untyped-def]
    from minyi.textsearch.routing import route

    rows = []
    for label, history in (("no history (day one)", False), ("with the demo's history", True)):
        top1 = top3 = 0
        misses = []
        started = time.monotonic()
        halves = {"dev": [0, 0, 0], "held-out": [0, 0, 0]}
        for i, item in enumerate(items):
            got = [r.name for r in route(congress, item["title"], top=args.top, history=history)]
            hit1 = bool(got) and got[0] == item["demo_unit"]
            hit3 = item["demo_unit"] in got
            top1 += hit1
            top3 += hit3
            half = halves["dev" if i % 2 == 0 else "held-out"]
            half[0] += hit1
            half[1] += hit3
            half[2] += 1
            if not hit3 and i % 2 == 0:
                misses.append((item["title"], item["demo_unit"], got))
        ms = (time.monotonic() - started) * 1000 / len(items)
        n = len(items)
        rows.append((label, top1, top3, n, ms))
        print(
            f"{label:28} top-1 {top1}/{n} = {top1 / n:.1%}   top-{args.top} {top3}/{n} = {top3 / n:.1%}   {ms:.1f} ms/item"
        )
        for name, (h1, h3, hn) in halves.items():
            print(f"    {name:10} top-1 {h1}/{hn} = {h1 / hn:.1%}   top-{args.top} {h3}/{hn} = {h3 / hn:.1%}")
        if args.misses and not history:
            for title, want, got in misses:
                print(f"    miss: {title} → want {want}; got {'、'.join(got) or '—'}")
    return rows


if __name__ == "__main__":
    main()
