"""Small SQL building blocks the ORM does not offer."""

from __future__ import annotations

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
