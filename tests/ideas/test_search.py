import pytest
from django.db import connection
from django.http import QueryDict
from django.urls import reverse

from ideas import search, selectors
from ideas.filters import IdeaFilter
from ideas.models import Idea
from tests.factories import AgentFactory, IdeaFactory


@pytest.mark.django_db
def test_search_ignores_accents_and_plural_in_french():
    school = IdeaFactory(title="Des écoles plus accueillantes", irritant="Accueil des élèves")
    IdeaFactory(title="Covoiturage des agents", irritant="Parking saturé")
    search.refresh_search_vector(list(Idea.objects.values_list("pk", flat=True)))

    found = list(search.search_ideas(Idea.objects.all(), "ecole eleve"))

    assert found == [school]


@pytest.mark.django_db
def test_search_vector_is_served_by_the_gin_index():
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        queryset = search.search_ideas(Idea.objects.all(), "collège")
        plan = queryset.explain()
        cursor.execute("RESET enable_seqscan")

    assert "idea_search_vector_gin" in plan


def _plan(queryset) -> str:
    """EXPLAIN of `queryset` as PostgreSQL plans it on a big table (no sequential scan: the
    test tables are too small for the planner to prefer an index otherwise)."""
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        try:
            return queryset.explain()
        finally:
            cursor.execute("RESET enable_seqscan")


@pytest.mark.django_db
@pytest.mark.parametrize("ordering", ["", "-vote_count", "submitted_at"])
def test_a_search_page_is_not_read_along_the_index_of_its_order(ordering):
    """PostgreSQL reads the matches (through the GIN index when the words are selective) and
    sorts them, rather than walking the index of the order and reading each idea until 25
    match: on the scale data, 34,000 ideas (57 ms) for page 10 of "accessible"."""
    agent = AgentFactory()
    # Enough matching ideas for the walk along the index of the order to look cheapest.
    IdeaFactory.create_batch(
        120, organisation=agent.organisation, author=agent, title="Le collège du quartier"
    )
    search.refresh_search_vector(list(Idea.objects.values_list("pk", flat=True)))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE ideas_idea")
    data = QueryDict(f"q=collège&ordering={ordering}")
    ideas = IdeaFilter(data, queryset=selectors.listed_ideas(agent), user=agent).qs

    plan = _plan(selectors.page_ids(ideas)[:25])

    assert "idea_recent_visible_idx" not in plan
    assert "idea_top_votes_idx" not in plan
    assert "Sort Key" in plan


@pytest.mark.django_db
def test_search_results_keep_the_order_of_the_list(client):
    agent = AgentFactory()
    ideas = IdeaFactory.create_batch(3, organisation=agent.organisation, title="École ouverte")
    IdeaFactory(organisation=agent.organisation, title="Covoiturage")
    search.refresh_search_vector(list(Idea.objects.values_list("pk", flat=True)))
    client.force_login(agent)

    response = client.get(reverse("ideas:list"), {"q": "ecole"})

    assert [row.pk for row in response.context["page"]] == [idea.pk for idea in reversed(ideas)]
