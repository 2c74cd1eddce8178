"""What the idea pages read is served by the indexes meant for it (EXPLAIN, on PostgreSQL)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ideas import selectors
from ideas.filters import IdeaFilter
from tests.factories import DelegateFactory, IdeaFactory


def _plan(sql_or_queryset, *, only: str) -> str:
    """EXPLAIN as PostgreSQL would plan it if it could only use `only` (the test tables are
    too small for the planner to prefer an index by itself): a plan the index cannot give
    falls back to a disabled way, and shows it."""
    switches = {
        "index_only": ("enable_seqscan", "enable_bitmapscan", "enable_indexscan", "enable_sort"),
        "index_only_unordered": ("enable_seqscan", "enable_bitmapscan", "enable_indexscan"),
    }[only]
    with connection.cursor() as cursor:
        for switch in switches:
            cursor.execute(f"SET {switch} = off")
        try:
            if isinstance(sql_or_queryset, str):
                cursor.execute("EXPLAIN " + sql_or_queryset)
                return "\n".join(row[0] for row in cursor.fetchall())
            return sql_or_queryset.explain()
        finally:
            for switch in switches:
                cursor.execute(f"RESET {switch}")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        {},
        {"page": 40},
        {"state": ["qualified", "selected"], "campaign": "", "theme": "", "support": ""},
    ],
)
def test_a_page_of_the_idea_list_is_picked_from_the_index_alone(agent, query):
    """The index in the list's order holds every column the visibility rule and the usual
    filters read: a deep page skips the ideas before it without reading their rows."""
    IdeaFactory.create_batch(3, organisation=agent.organisation)
    ideas = IdeaFilter(query or None, queryset=selectors.listed_ideas(agent), user=agent).qs
    start = (query.get("page", 1) - 1) * 25

    plan = _plan(selectors.page_ids(ideas)[start : start + 25], only="index_only")

    assert "Index Only Scan using idea_recent_visible_idx" in plan


@pytest.mark.django_db
def test_the_boards_counts_per_step_are_read_from_the_index_alone():
    delegate = DelegateFactory()
    IdeaFactory.create_batch(3, organisation=delegate.organisation)

    with CaptureQueriesContext(connection) as captured:
        selectors.board(selectors.pipeline_ideas(delegate), per_state=15, viewer=delegate)
    counted = [q["sql"] for q in captured.captured_queries if "COUNT(" in q["sql"]]
    plan = _plan(counted[0], only="index_only_unordered")

    assert len(counted) == 1
    # Either index that starts with (organisation, state) answers alone.
    assert re.search(r"Index Only Scan using idea_(org_state|board_recent)_idx", plan), plan
