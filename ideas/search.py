"""French text search: accent-insensitive full text on PostgreSQL, a plain fallback elsewhere."""

from __future__ import annotations

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import Q, QuerySet

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
