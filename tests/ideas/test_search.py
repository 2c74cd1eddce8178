import pytest
from django.db import connection

from ideas import search
from ideas.models import Idea
from tests.factories import IdeaFactory


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
