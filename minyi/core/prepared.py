"""ORM queries compiled once and run again with new values (issue #13).

A kept page (`core.kept_pages`) runs the same few small queries on every request: the congress's
data version, the user's notices marker. Their SQL is tiny to run and costly to build — Django
compiles a query with two subqueries in about 1 ms of Python on each call, more than the database
takes to answer. `Prepared(build, *sentinels)` builds the queryset once with sentinel values, keeps
its SQL and the positions of the sentinels among its parameters, and afterwards only swaps the
values in: the same SQL (and so the same plans and indexes) as the ORM writes, without compiling it
again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import connections
from django.db.models import QuerySet


class Prepared:
    """`build(*sentinels)` compiled once per database; `row(*values)` runs it with `values` in
    place of the sentinels and returns its first row (or None). Each sentinel must appear exactly
    once among the compiled parameters and nowhere else — choose values no real row or constant
    has (large negative numbers)."""

    def __init__(self, build: Callable[..., QuerySet], *sentinels: Any) -> None:
        self.build = build
        self.sentinels = sentinels
        self._compiled: dict[str, tuple[str, list[Any], list[int]]] = {}

    def _compile(self, using: str) -> tuple[str, list[Any], list[int]]:
        found = self._compiled.get(using)
        if found is None:
            queryset = self.build(*self.sentinels)
            sql, params = queryset.query.get_compiler(using).as_sql()
            params = list(params)
            positions = []
            for sentinel in self.sentinels:
                at = [i for i, p in enumerate(params) if p == sentinel]
                if len(at) != 1:
                    raise ValueError(f"sentinel {sentinel!r} is among the parameters {len(at)} times")
                positions.append(at[0])
            found = self._compiled[using] = (sql, params, positions)
        return found

    def row(self, *values: Any, using: str = "default") -> tuple[Any, ...] | None:
        sql, params, positions = self._compile(using)
        params = list(params)
        for position, value in zip(positions, values, strict=True):
            params[position] = value
        with connections[using].cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()
