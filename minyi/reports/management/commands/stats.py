"""`python manage.py stats --congress CODE [--year Y | --from D --to D | --term N [--session M]]
[--unit U] [--body B] [--kind session|interim] [--key yes|no] [--key-theme ID] [--as-of D] [--league]
[--json]`

Prints every figure of the congress for the scope (DOMAIN.md §5): as a table, or with ``--json`` as
one JSON object whose top-level keys are the figures (counts as integers, rates as fractions 0–1,
unrounded, null when the denominator is empty), plus ``figures`` (numerator, denominator, label per
figure), ``definitions``, ``scope`` and ``policy``. ``--league`` adds the unit league table.
Read-only: it changes nothing.
"""

from __future__ import annotations

import datetime
import json

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils import timezone

from minyi.congress.models import Congress, Session, Term, Unit
from minyi.reports.figures import Scope, compute_figures
from minyi.reports.league import DEFAULT_MIN_COUNT, unit_league
from minyi.supervision.models import KeyTheme


def _date(value: str, option: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{option}: {value!r} is not a date (use YYYY-MM-DD)") from None


def _unit(congress: Congress, value: str, option: str, *, body: bool = False) -> Unit:
    units = Unit.objects.filter(congress=congress)
    if body:
        units = units.filter(kind=Unit.Kind.BODY)
    match = Q(name=value) | Q(short_name=value)
    if value.isdigit():
        match |= Q(pk=int(value))
    found = list(units.filter(match)[:2])
    if len(found) != 1:
        what = "body" if body else "unit"
        raise CommandError(f"{option}: no single {what} {value!r} in congress {congress.code}")
    return found[0]


class Command(BaseCommand):
    help = "Print a congress's figures (DOMAIN.md §5) for a year, a date range or a term/session."

    def add_arguments(self, parser):
        parser.add_argument("--congress", required=True, help="congress code")
        period = parser.add_mutually_exclusive_group()
        period.add_argument("--year", type=int, help="calendar year of acceptance (default: this year)")
        period.add_argument("--from", dest="start", help="first day, YYYY-MM-DD (with --to)")
        period.add_argument("--term", type=int, help="term (届) number; with --session, one session")
        parser.add_argument("--to", dest="end", help="last day, YYYY-MM-DD (with --from)")
        parser.add_argument("--session", type=int, help="session (次会议) number within --term")
        parser.add_argument("--unit", help="only suggestions assigned to this unit (id, name or short name)")
        parser.add_argument("--body", help="only suggestions of this body (id, name or short name)")
        parser.add_argument(
            "--kind", choices=["session", "interim"], help="大会期间 or 闭会期间 suggestions only"
        )
        parser.add_argument(
            "--key", choices=["yes", "no"], help="重点督办 suggestions only (yes) or all but them (no)"
        )
        parser.add_argument(
            "--key-theme", dest="key_theme", type=int, help="members of this key theme (its id)"
        )
        parser.add_argument("--as-of", dest="as_of", help="judge open deadlines on this day (default: today)")
        parser.add_argument("--league", action="store_true", help="add the unit league table")
        parser.add_argument(
            "--min-count", type=int, default=DEFAULT_MIN_COUNT, help="league: fewest items to rank"
        )
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args, **opts):  # noqa: C901
        try:
            congress = Congress.objects.get(code=opts["congress"])
        except Congress.DoesNotExist:
            raise CommandError(f"--congress: no congress with code {opts['congress']!r}") from None
        filters: dict = {}
        if opts["unit"]:
            filters["unit"] = _unit(congress, opts["unit"], "--unit").pk
        if opts["body"]:
            filters["body"] = _unit(congress, opts["body"], "--body", body=True).pk
        if opts["kind"]:
            filters["kind"] = opts["kind"]
        if opts["key"]:
            filters["key"] = opts["key"] == "yes"
        if opts["key_theme"] is not None:
            if not KeyTheme.objects.filter(congress=congress, pk=opts["key_theme"]).exists():
                raise CommandError(
                    f"--key-theme: no key theme {opts['key_theme']} in congress {congress.code}"
                )
            filters["key_theme"] = opts["key_theme"]
        if opts["as_of"]:
            filters["as_of"] = _date(opts["as_of"], "--as-of")
        scope = self._scope(congress, opts, filters)

        figures = compute_figures(congress, scope)
        league = unit_league(congress, scope, opts["min_count"]) if opts["league"] else None
        if opts["json"]:
            data = figures.as_dict()
            if league is not None:
                data["league"] = league.as_dict()
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        self._print(figures, league)

    def _scope(self, congress: Congress, opts, filters: dict) -> Scope:
        if opts["session"] is not None and opts["term"] is None:
            raise CommandError("--session needs --term")
        if opts["end"] and not opts["start"]:
            raise CommandError("--to needs --from")
        if opts["start"]:
            if not opts["end"]:
                raise CommandError("--from needs --to")
            start, end = _date(opts["start"], "--from"), _date(opts["end"], "--to")
            if start > end:
                raise CommandError("--from is after --to")
            return Scope.between(start, end, **filters)
        if opts["term"] is not None:
            try:
                term = Term.objects.get(congress=congress, number=opts["term"])
                if opts["session"] is None:
                    return Scope.for_term(term, **filters)
                return Scope.for_session(Session.objects.get(term=term, number=opts["session"]), **filters)
            except (Term.DoesNotExist, Session.DoesNotExist):
                raise CommandError("--term/--session: no such term or session in this congress") from None
        return Scope.year(opts["year"] or timezone.localdate().year, **filters)

    def _print(self, figures, league) -> None:
        out = self.stdout
        out.write(f"{figures.congress.name} · {figures.scope.label or ''} · as of {figures.scope.today}")
        for figure in figures:
            if figure.is_rate:
                value = "—" if figure.value is None else f"{figure.value * 100:.1f}%"
                out.write(f"  {figure.label:<24} {figure.numerator:>6} / {figure.denominator:<6} {value:>7}")
            else:
                out.write(f"  {figure.label:<24} {figure.numerator:>6}")
        if league is not None:
            out.write("")
            for row in league.rows:
                rate = row.rates[league.rank_by]
                shown = (
                    "—"
                    if rate.value is None
                    else f"{rate.value * 100:.1f}% [{rate.low * 100:.1f}, {rate.high * 100:.1f}]"
                )
                out.write(f"  {row.rank or '-':>3} {row.name:<20} {row.assigned:>5} {shown}")
