"""`manage.py rebuild_search_index [--congress CODE]`: index every suggestion, reply and voter
opinion again (all congresses, or one), and the public site's published copies (`sources`). Idempotent: entries are written over by kind and object id.
Needed after restoring an old backup or changing the segmentation; the actions keep the index
current otherwise."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from minyi.congress.models import Congress
from minyi.textsearch import sources
from minyi.textsearch.index import rebuild


class Command(BaseCommand):
    help = "Rebuild the full-text search indexes (suggestions, replies, voter opinions; published copies)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--congress", help="the congress's code (default: every congress)")
        parser.add_argument("--batch", type=int, default=500, help="records per transaction")

    def handle(self, *args: Any, **options: Any) -> None:
        congresses = Congress.objects.order_by("code")
        if options["congress"]:
            congresses = congresses.filter(code=options["congress"])
            if not congresses.exists():
                raise CommandError(f"no congress with the code {options['congress']!r}")
        for congress in congresses:
            self.stdout.write(f"{congress.code}: indexing…")

            def progress(done: int, total: int, code: str = congress.code) -> None:
                self.stdout.write(f"  {code}: {done}/{total}")

            counts = rebuild(congress, batch=options["batch"], progress=progress)
            self.stdout.write(
                self.style.SUCCESS(
                    f"{congress.code}: {counts['records']} records, {counts['entries']} entries"
                )
            )
            for label, rebuild_other in sources.registered():
                written = rebuild_other(congress)
                self.stdout.write(self.style.SUCCESS(f"{congress.code}: {written} {label}"))
