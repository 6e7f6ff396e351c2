"""ORM queries compiled once and run again with new values (issue #13).

A kept page (`core.kept_pages`) runs the same few small queries on every request: the congress's
data version, the user's notices marker. Their SQL is tiny to run and costly to build — Django
compiles a query with two subqueries in about 1 ms of Python on each call, more than the database
takes to answer. `Prepared(build, *sentinels)` builds the queryset once with sentinel values, keeps
its SQL and the positions of the sentinels among its parameters, and afterwards only swaps the
values in: the same SQL (and so the same plans and indexes) as the ORM writes, without compiling it
again. `rows`/`row` give the rows with Django's converters applied (dates, booleans as the ORM
gives them); `objects` gives model instances as the queryset would, `select_related` included.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connections
from django.db.models import QuerySet
from django.db.models.query import get_related_populators


class Prepared:
    """`build(*sentinels)` compiled once per database; `rows(*values)` runs it with `values` in
    place of the sentinels. Each sentinel must appear exactly once among the compiled parameters and
    nowhere else — choose values no real row or constant has (large negative numbers)."""

    def __init__(self, build: Callable[..., QuerySet], *sentinels: Any) -> None:
        self.build = build
        self.sentinels = sentinels
        self._compiled: dict[str, _Compiled] = {}

    def _compile(self, using: str) -> _Compiled:
        found = self._compiled.get(using)
        if found is None:
            compiler = self.build(*self.sentinels).query.get_compiler(using)
            sql, params = compiler.as_sql()
            params = list(params)
            positions = []
            for sentinel in self.sentinels:
                at = [i for i, p in enumerate(params) if p == sentinel]
                if len(at) != 1:
                    raise ValueError(f"sentinel {sentinel!r} is among the parameters {len(at)} times")
                positions.append(at[0])
            converters = compiler.get_converters([s[0] for s in compiler.select[: compiler.col_count]])
            found = self._compiled[using] = _Compiled(sql, params, positions, compiler, converters)
        return found

    def rows(self, *values: Any, using: str = "default") -> list[tuple[Any, ...]]:
        compiled = self._compile(using)
        with connections[using].cursor() as cursor:
            _execute(cursor, using, compiled.sql, compiled.with_values(values), compiled.positions)
            return [compiled.convert(row) for row in cursor.fetchall()]

    def row(self, *values: Any, using: str = "default") -> tuple[Any, ...] | None:
        rows = self.rows(*values, using=using)
        return rows[0] if rows else None

    def objects(self, *values: Any, using: str = "default") -> list[Any]:
        """Model instances, as `ModelIterable` makes them from the same rows (related objects of
        `select_related` included; no annotations, no `prefetch_related`)."""
        rows = self.rows(*values, using=using)
        compiler = self._compile(using).compiler
        klass_info, select = compiler.klass_info, compiler.select
        fields = klass_info["select_fields"]
        start, end = fields[0], fields[-1] + 1
        names = [f[0].target.attname for f in select[start:end]]
        populators = get_related_populators(klass_info, select, using)  # type: ignore[call-arg]  # Django 5.2
        out = []
        for row in rows:
            obj = klass_info["model"].from_db(using, names, row[start:end])
            for populator in populators:
                populator.populate(row, obj)
            out.append(obj)
        return out


def together(*queries: tuple[Prepared, tuple[Any, ...]], using: str = "default") -> list[tuple[Any, ...]]:
    """Each query's first row, all in one round trip to the database: `(prepared, values)` pairs of
    queries that give at most one row each (a second row would repeat the others'). A query without
    a row gives a row of None."""
    compiled = [(p._compile(using), values) for p, values in queries]
    sql = " ".join(
        ["SELECT * FROM (SELECT 1 AS minyi_one) minyi_q"]
        + [f"LEFT JOIN ({c.sql}) minyi_q{i} ON 1 = 1" for i, (c, _) in enumerate(compiled)]
    )
    params: list[Any] = []
    positions: list[int] = []
    for c, values in compiled:
        positions += [len(params) + at for at in c.positions]
        params += c.with_values(values)
    with connections[using].cursor() as cursor:
        _execute(cursor, using, sql, params, positions)
        row = cursor.fetchone()
    out, at = [], 1
    for c, _ in compiled:
        part = tuple(row[at : at + c.width])
        at += c.width
        out.append(part if all(v is None for v in part) else c.convert(part))
    return out


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: list[Any]
    positions: list[int]
    compiler: Any
    converters: dict[int, Any]

    @property
    def width(self) -> int:
        return self.compiler.col_count

    def with_values(self, values: tuple[Any, ...]) -> list[Any]:
        params = list(self.params)
        for position, value in zip(self.positions, values, strict=True):
            params[position] = value
        return params

    def convert(self, row: tuple[Any, ...]) -> tuple[Any, ...]:
        if not self.converters:
            return tuple(row)
        return tuple(next(iter(self.compiler.apply_converters([row], self.converters))))


# --- PostgreSQL: planned once per connection ------------------------------------------------------------
#
# On PostgreSQL, planning these statements costs more than running them (the data version's two
# subqueries: ~0.2–0.5 ms of planning for ~0.04 ms of execution), and Django's client-side binding
# plans every statement again. So each is made a server-side prepared statement once per database
# session (`PREPARE`, sent on the raw connection: set-up, like the session's SET statements, not a
# query of the page) and run as `EXECUTE name(values)` through Django's cursor — counted and logged
# as any query. A prepared statement outlives rollbacks; it dies with its session, and a new
# connection prepares again. Off with `MINYI_PG_PREPARE=0` (a pooler in transaction mode, such as
# PgBouncer before 1.21, does not keep a session's prepared statements).

_TEXTS: dict[tuple[str, str], tuple[str, str]] = {}


def _execute(cursor: Any, using: str, sql: str, params: list[Any], positions: list[int]) -> None:
    connection = connections[using]
    if connection.vendor != "postgresql" or not settings.MINYI_PG_PREPARE:
        cursor.execute(sql, params)
        return
    name, text = _prepared_text(cursor, using, sql, params, positions)
    prepared = _session_statements(connection)
    if name not in prepared:
        connection.connection.execute(f"PREPARE {name} AS {text}")
        prepared.add(name)
    values = [params[at] for at in positions]
    if values:
        cursor.execute(f"EXECUTE {name}({', '.join(['%s'] * len(values))})", values)
    else:
        cursor.execute(f"EXECUTE {name}")


def _prepared_text(
    cursor: Any, using: str, sql: str, params: list[Any], positions: list[int]
) -> tuple[str, str]:
    """The statement's text with its constant parameters written in and the sentinels' places as
    $1, $2…, and its name (from a digest of the text)."""
    found = _TEXTS.get((using, sql))
    if found is None:
        markers = [f"minyi_sentinel_{i}_{secrets.token_hex(8)}" for i in range(len(positions))]
        with_markers = list(params)
        for at, marker in zip(positions, markers, strict=True):
            with_markers[at] = marker
        text = cursor.mogrify(sql, with_markers)
        for i, marker in enumerate(markers, start=1):
            if text.count(f"'{marker}'") != 1:
                raise ValueError(f"the sentinel {i} is not once in the statement")
            text = text.replace(f"'{marker}'", f"${i}")
        name = "minyi_" + hashlib.sha256(text.encode()).hexdigest()[:20]
        found = _TEXTS[(using, sql)] = (name, text)
    return found


def _session_statements(connection: Any) -> set[str]:
    """The names prepared on the connection's current database session."""
    held = getattr(connection, "_minyi_prepared", None)
    if held is None or held[0] is not connection.connection:
        held = (connection.connection, set())
        connection._minyi_prepared = held
    return held[1]
