"""`manage.py route --congress CODE --text "…" [--top 3] [--json] [--no-history]`: the handling units
unit routing suggests for a text (issue #15; `minyi.textsearch.routing`), among every active handling
unit of the congress (the clerk's choice).

With `--json` it prints exactly ``{"units": [{"name", "short_name", "score", "reasons"}, …]}``;
without, a readable table."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from minyi.congress.models import Congress
from minyi.textsearch.routing import route

TOP_MAX = 20


class Command(BaseCommand):
    help = "Suggest handling units for a suggestion's text (unit routing)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--congress", required=True, help="the congress's code")
        parser.add_argument("--text", required=True, help="the suggestion's title (and facts)")
        parser.add_argument("--top", type=int, default=3, help=f"how many units (1–{TOP_MAX}, default 3)")
        parser.add_argument("--json", action="store_true", help="print JSON")
        parser.add_argument(
            "--no-history", action="store_true", help="ignore past assignments (profiles only)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        congress = Congress.objects.filter(code=options["congress"]).first()
        if congress is None:
            raise CommandError(f"no congress with the code {options['congress']!r}")
        text = (options["text"] or "").strip()
        if not text:
            raise CommandError("the text is empty: give the suggestion's title (and facts) with --text")
        top = options["top"]
        if not 1 <= top <= TOP_MAX:
            raise CommandError(f"--top must be between 1 and {TOP_MAX}")
        with translation.override("zh-hans"):
            routes = route(congress, text, top=top, history=not options["no_history"])
        if options["json"]:
            payload = {"units": [r.as_json() for r in routes]}
            self.stdout.write(json.dumps(payload, ensure_ascii=False))
            return
        if not routes:
            self.stdout.write("No unit matches this text.")
            return
        width = max(len(r.name) for r in routes)
        for i, r in enumerate(routes, 1):
            self.stdout.write(f"{i}. {r.name.ljust(width, '　')}  {r.short_name:<8}  {r.score:.3f}")
            for reason in r.reasons:
                self.stdout.write(f"     {reason}")
