"""Small SQL building blocks the ORM does not offer."""

from __future__ import annotations

from collections.abc import Sequence

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

    def as_sql(self, compiler, connection, **extra_context):  # type: ignore[override]
        # (Func.as_sql takes more optional arguments; this form has nothing to template.)
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
    statement goes through Django's cursor (so the query log and tests see it)."""
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
