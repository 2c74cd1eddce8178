"""Small SQL building blocks the ORM does not offer."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Sequence
from typing import Any

from django.db import connection
from django.db.models import BooleanField, F, Func, QuerySet, Subquery


class InSubquery(Func):
    """`column IN (subquery)`, written `column = ANY(ARRAY(subquery))` on PostgreSQL.

    The ARRAY form runs the subquery once, before the scan (an InitPlan), and leaves a plain
    `column = ANY($array)` condition that the column's index serves, also as one branch of an
    OR (a BitmapOr). `IN (subquery)` inside an OR cannot use an index: PostgreSQL then reads
    the whole table. Meant for small subqueries (a person's co-authored ideas, a handful of
    campaigns), not for ones returning thousands of rows.
    """

    output_field = BooleanField()

    def __init__(self, column: str, queryset: QuerySet):
        super().__init__(F(column), Subquery(queryset))

    def _parts(self, compiler):
        column, column_params = compiler.compile(self.source_expressions[0])
        subquery, subquery_params = compiler.compile(self.source_expressions[1])
        return column, subquery, (*column_params, *subquery_params)

    def as_sql(self, compiler, connection, **extra_context):
        column, subquery, params = self._parts(compiler)
        return f"{column} IN {subquery}", params

    def as_postgresql(self, compiler, connection, **extra_context):
        column, subquery, params = self._parts(compiler)
        return f"{column} = ANY(ARRAY{subquery})", params


INSERT_PAGE = 1000


def insert_ignoring_conflicts(
    model, columns: Sequence[str], rows: Sequence[tuple], returning: Sequence[str] = ()
) -> list[tuple]:
    """`INSERT … ON CONFLICT DO NOTHING` of many plain tuples, INSERT_PAGE per statement, on
    PostgreSQL only (callers keep an ORM path for SQLite). For the sweeps writing thousands
    of rows, building model instances for `bulk_create` costs more than the SQL itself.
    Returns the `returning` columns of the rows actually written.

    The values are quoted by psycopg2 (`mogrify`, as its `execute_values` does) and the
    statement goes through Django's cursor, so the cache's write watcher sees it."""
    quote = connection.ops.quote_name
    head = f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(map(quote, columns))}) VALUES "
    tail = " ON CONFLICT DO NOTHING"
    if returning:
        tail += " RETURNING " + ", ".join(map(quote, returning))
    placeholders = "(" + ", ".join(["%s"] * len(columns)) + ")"
    written: list[tuple] = []
    with connection.cursor() as cursor:
        mogrify = cursor.cursor.mogrify
        for start in range(0, len(rows), INSERT_PAGE):
            page = rows[start : start + INSERT_PAGE]
            # One call for the whole page: psycopg2 quotes in C, a call per row costs more.
            values = mogrify(
                ", ".join([placeholders] * len(page)), [v for row in page for v in row]
            )
            values = values.decode()
            # No parameters: the statement is final, a "%" in a value stays as it is.
            cursor.execute(head + values + tail)
            if returning:
                written.extend(cursor.fetchall())
    return written


def row_reader(
    model, connection, attnames: Sequence[str] | None = None
) -> tuple[list[str], Callable[[Sequence], Any]]:
    """For hand-written SELECTs on hot paths: the model's concrete columns (quoted; all, or
    those of `attnames`), and how to make an instance from a row of them with the values
    converted as the ORM would. SQLite hands datetimes over naive, booleans as integers:
    Django's converters make them the same objects as PostgreSQL's. The converters belong
    to `connection` (one per thread): keep the reader no longer than the connection."""
    fields = [
        field
        for field in model._meta.concrete_fields
        if attnames is None or field.attname in attnames
    ]
    columns = [connection.ops.quote_name(field.column) for field in fields]
    names = [field.attname for field in fields]
    converters = []
    for index, field in enumerate(fields):
        column = field.get_col(model._meta.db_table)
        # The two sources the ORM's own compiler asks (SQLCompiler.get_converters).
        found = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        if found:
            converters.append((index, found, column))

    def instance(values: Sequence):
        values = list(values)
        for index, found, column in converters:
            for convert in found:
                values[index] = convert(values[index], column, connection)
        return model.from_db(connection.alias, names, values)

    return columns, instance


# What `built_for` made, per thread like Django's connections, and dropped with the thread.
_built = threading.local()


def built_for(connection, key: Hashable, build: Callable[[], Any]) -> Any:
    """`build()` once per connection and `key`: for the statements and row readers of the
    hand-written SELECTs, whose building costs as much as running them. Kept per thread and
    made again for a new connection, since a row reader's converters belong to one."""
    made = getattr(_built, "made", None)
    if made is None:
        made = _built.made = {}
    full_key = (connection.alias, key)
    entry = made.get(full_key)
    if entry is None or entry[0] is not connection:
        entry = made[full_key] = (connection, build())
    return entry[1]
