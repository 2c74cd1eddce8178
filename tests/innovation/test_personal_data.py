import json

import pytest
from django.db import connection
from django.test import override_settings
from django.urls import reverse

from ideas import services
from ideas.models import Comment, Idea, Vote
from innovation.platform.models import User
from tests.factories import (
    DEFAULT_PASSWORD,
    AdminFactory,
    AgentFactory,
    DelegateFactory,
    IdeaFactory,
)

IDEA_DATA = {
    "title": "Le guichet de Gwendoline Kerjean",
    "irritant": "Gwendoline Kerjean constate des files d'attente.",
    "proposal": "Écrire à gwendoline.kerjean@finistere.fr pour prendre rendez-vous.",
    "beneficiaries": Idea.Beneficiaries.USERS,
    "expected_impact": "Moins d'attente.",
}


def traces_in_database(*needles: str) -> list[tuple[str, str]]:
    """Every (table, column) of any text-like type whose content holds one of the needles."""
    found = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = 'public' AND data_type IN "
            "('text', 'character varying', 'jsonb', 'json', 'tsvector')"
        )
        for table, column in cursor.fetchall():
            for needle in needles:
                cursor.execute(
                    f'SELECT count(*) FROM "{table}" WHERE "{column}"::text ILIKE %s',
                    [f"%{needle}%"],
                )
                if cursor.fetchone()[0]:
                    found.append((table, column))
    return found


@pytest.fixture
def departing(organisation):
    return AgentFactory(
        organisation=organisation,
        first_name="Gwendoline",
        last_name="Kerjean",
        email="gwendoline.kerjean@finistere.fr",
        job_title="Chargée d'accueil",
    )


@pytest.mark.django_db(transaction=True)
@override_settings(AXES_ENABLED=True)
def test_pseudonymised_person_leaves_no_trace_in_any_table(client, departing, delegate):
    admin = AdminFactory(organisation=departing.organisation)
    colleague = AgentFactory(organisation=departing.organisation)
    idea = services.create_idea(author=departing, data=IDEA_DATA, submit=True)
    services.cast_vote(IdeaFactory(organisation=departing.organisation), voter=departing)
    services.add_comment(idea, author=colleague, body="Bravo Gwendoline Kerjean !")
    services.add_comment(idea, author=departing, body="Merci à tous.")
    client.post(reverse("login"), {"username": departing.email, "password": "faux"})
    client.post(reverse("login"), {"username": departing.email, "password": DEFAULT_PASSWORD})
    assert traces_in_database("Kerjean", "gwendoline.kerjean")  # the scan does find them
    client.force_login(admin)

    response = client.post(reverse("person_pseudonymise", args=[departing.pk]))

    assert response.status_code == 302
    assert traces_in_database("Kerjean", "gwendoline.kerjean") == []
    departing.refresh_from_db()
    assert departing.is_active is False
    assert Idea.objects.filter(author=departing).count() == 1
    assert Vote.objects.filter(voter=departing).count() == 1
    assert Comment.objects.filter(author=departing).count() == 1


@pytest.mark.django_db
def test_my_data_download_holds_my_rows_and_no_password(client, departing):
    idea = services.create_idea(author=departing, data=IDEA_DATA, submit=True)
    other = IdeaFactory(organisation=departing.organisation)
    services.cast_vote(other, voter=departing)
    client.force_login(departing)

    response = client.get(reverse("my_data"))

    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["personne"]["email"] == departing.email
    assert "password" not in data["personne"]
    assert [row["id"] for row in data["ideas.Idea"]] == [idea.pk]
    assert [row["idea"] for row in data["ideas.Vote"]] == [other.pk]


@pytest.mark.django_db
def test_my_data_needs_login(client):
    response = client.get(reverse("my_data"))

    assert response.status_code == 302


@pytest.mark.django_db
def test_pseudonymising_refuses_non_admins(client, departing):
    client.force_login(DelegateFactory(organisation=departing.organisation))

    response = client.get(reverse("person_pseudonymise", args=[departing.pk]))

    assert response.status_code == 403


@pytest.mark.django_db
def test_admin_of_another_organisation_cannot_pseudonymise(client, departing):
    client.force_login(AdminFactory())

    response = client.post(reverse("person_pseudonymise", args=[departing.pk]))

    assert response.status_code == 404
    assert User.objects.get(pk=departing.pk).last_name == "Kerjean"


@pytest.mark.django_db
def test_directory_search_finds_people(client, departing):
    client.force_login(AdminFactory(organisation=departing.organisation))

    response = client.get(reverse("people_list") + "?q=kerj")

    assert [person.pk for person in response.context["page"]] == [departing.pk]


@pytest.mark.django_db
def test_a_pseudonymised_person_is_logged_out(departing):
    from django.test import Client

    from innovation.platform import personal_data

    theirs = Client()
    theirs.force_login(departing)
    assert theirs.get(reverse("home")).status_code == 200

    personal_data.pseudonymise(departing, actor=AdminFactory(organisation=departing.organisation))

    response = theirs.get(reverse("home"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    departing.is_active = True  # even if the account came back, the old session is gone
    departing.save()
    assert theirs.get(reverse("home")).status_code == 302
