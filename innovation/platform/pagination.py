"""Pagination that never counts more than it can show.

Counting every visible row for "page 3 of 2,000" was the costly part of deep lists (50,000
ideas): a page only needs to know whether the rows go on. `CappedPaginator` counts at most
`cap` rows (one `COUNT(*)` over a `LIMIT cap + 1` subquery, so the database stops early);
past the cap the list says so and asks for narrower filters instead of a page number nobody
would reach by clicking.
"""

from __future__ import annotations

from typing import cast

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

# 80 pages of 25: further than anyone pages, and still a bounded read.
DEFAULT_CAP = 2000


class CappedPaginator(Paginator):
    def __init__(self, object_list, per_page, *, cap: int = DEFAULT_CAP, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.cap = cap

    @cached_property
    def _bounded_count(self) -> int:
        # Which rows are counted does not matter, only how many up to the cap: without the
        # order, PostgreSQL may count from whichever index is cheapest, and never sorts.
        rows = cast(QuerySet, self.object_list)  # the paginators of Tremplin page querysets
        return rows.order_by()[: self.cap + 1].count()

    @cached_property
    def count(self) -> int:
        """The rows, up to `cap`: the pages cover the first `cap` rows."""
        return min(self._bounded_count, self.cap)

    @cached_property
    def capped(self) -> bool:
        """Whether more rows than `cap` match (the template says "more than")."""
        return self._bounded_count > self.cap
