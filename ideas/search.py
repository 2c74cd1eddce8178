"""French text search: accent-insensitive full text on PostgreSQL, a plain fallback elsewhere."""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import F, Q, QuerySet
from django.db.models.expressions import OrderBy

SEARCH_CONFIG = "tremplin_fr"


def uses_full_text() -> bool:
    return connection.vendor == "postgresql"


def search_vector():
    """The expression stored in Idea.search_vector (title weighs most)."""
    return (
        SearchVector("title", weight="A", config=SEARCH_CONFIG)
        + SearchVector("irritant", weight="B", config=SEARCH_CONFIG)
        + SearchVector("proposal", weight="B", config=SEARCH_CONFIG)
        + SearchVector("expected_impact", weight="C", config=SEARCH_CONFIG)
    )


def refresh_search_vector(idea_ids: list[int]) -> None:
    """Recompute the stored search vector of these ideas."""
    from ideas.models import Idea

    if not uses_full_text() or not idea_ids:
        return
    Idea.objects.filter(pk__in=idea_ids).update(search_vector=search_vector())


def search_ideas(queryset: QuerySet, text: str) -> QuerySet:
    text = text.strip()
    if not text:
        return queryset
    if uses_full_text():
        query = SearchQuery(text, config=SEARCH_CONFIG, search_type="websearch")
        return queryset.filter(search_vector=query)
    condition = Q()
    for word in text.split():
        condition &= (
            Q(title__icontains=word) | Q(irritant__icontains=word) | Q(proposal__icontains=word)
        )
    return queryset.filter(condition)


def order_of_a_search(ordering: Sequence[str]) -> list[OrderBy]:
    """`ordering` (field names, "-" for descending) with the NULLs on the side PostgreSQL does
    not put them by default, so that no btree index (all declared with the default) yields
    the order. A search then reads its matches through the GIN index and sorts them (a few
    thousand rows at most); ordered by an index, PostgreSQL walked it and read each idea
    until 25 matched, misled by words common elsewhere: 4,500 rows for "ecole", 34,000
    (57 ms) for page 10 of "accessible", against 3 ms through the GIN index.

    The order is the same but for NULLs, which only `submitted_at` has (an idea abandoned
    while still a draft): last among the most recent, first among the oldest."""
    order = []
    for name in ordering:
        descending = name.startswith("-")
        field = F(name.removeprefix("-"))
        order.append(field.desc(nulls_last=True) if descending else field.asc(nulls_first=True))
    return order


def refresh_after_pseudonymisation(sender, *, rows: dict[str, set[int]], **kwargs) -> None:
    """The stored search vectors hold the words of the texts a pseudonymisation rewrote."""
    if rows.get("ideas.Idea"):
        refresh_search_vector(sorted(rows["ideas.Idea"]))
