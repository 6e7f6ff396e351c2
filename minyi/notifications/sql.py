"""`INSERT … SELECT … ON CONFLICT DO NOTHING` from a queryset: one statement however many rows,
which is what keeps the scan's query count fixed (SQLite ≥ 3.24 and PostgreSQL).

The SELECT is compiled by the ORM (joins, filters, `Concat`, `Case`…), so the same code runs on both
databases; only the INSERT around it is written here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections, models


def _column(model: type[models.Model], name: str) -> str:
    """The database column of `model`'s field `name` (a concrete field, not a reverse relation)."""
    column = getattr(model._meta.get_field(name), "column", None)
    if not column:
        raise ValueError(f"{model.__name__}.{name} has no column")
    return column


def insert_select(
    model: type[models.Model],
    queryset: models.QuerySet,
    values: Mapping[str, Any],
    *,
    conflict: Sequence[str],
) -> int:
    """Insert one row of `model` per row of `queryset` — column ``name`` gets the expression
    ``values[name]`` evaluated on that row — skipping rows that would break the unique constraint on
    the `conflict` columns (or repeat one inserted by the same statement). Returns the number of rows
    inserted. Columns left out get NULL, so every NOT NULL column must be given."""
    if not queryset.query.where:
        # SQLite tells the upsert's ON CONFLICT from a join's ON only when the SELECT has a WHERE.
        raise ValueError("insert_select needs a filtered queryset")
    aliases = {f"ins_{i}": expression for i, expression in enumerate(values.values())}
    # Annotations only, added in column order: the SELECT list is in that order.
    select = queryset.order_by().annotate(**aliases).values(*aliases)
    connection = connections[select.db]
    quote = connection.ops.quote_name
    target = ", ".join(quote(_column(model, name)) for name in values)
    unique = ", ".join(quote(_column(model, name)) for name in conflict)
    try:
        select_sql, params = select.query.get_compiler(using=select.db).as_sql()
    except EmptyResultSet:  # e.g. `pk__in=[]`: nothing to insert
        return 0
    table = quote(model._meta.db_table)
    sql = f"INSERT INTO {table} ({target}) {select_sql} ON CONFLICT ({unique}) DO NOTHING"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return max(cursor.rowcount, 0)
