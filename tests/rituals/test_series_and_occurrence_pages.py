"""The series and occurrence pages: writes show up on the next request, each person sees their
own registration and the parts their role allows, and access follows `visible_rituals` on
every request."""

import itertools
import re

import pytest
from django.test import Client
from django.urls import reverse

from innovation.platform.models import Role, RoleGrant, User
from rituals import permissions, services
from rituals.models import Registration
from tests.factories import (
    AdminFactory,
    AgentFactory,
    DelegateFactory,
    IdeaFactory,
    OccurrenceFactory,
    OrganisationFactory,
    RitualFactory,
    grant,
)

pytestmark = pytest.mark.django_db
S = Registration.Status


@pytest.fixture
def ritual(delegate):
    return RitualFactory(created_by=delegate)


@pytest.fixture
def occurrence(ritual):
    return OccurrenceFactory(ritual=ritual, capacity=2)


def series_url(ritual) -> str:
    return reverse("rituals:detail", args=[ritual.pk])


def occurrence_url(occurrence) -> str:
    return reverse("rituals:occurrence", args=[occurrence.pk])


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def my_cell(html: str, occurrence) -> str:
    """The "Vous" cell of an upcoming date on the series page."""
    row = re.search(rf'href="{occurrence_url(occurrence)}".*?</tr>', html, flags=re.DOTALL).group(0)
    return re.findall(r"<td>(.*?)</td>", row, flags=re.DOTALL)[-1]


# --- Writes show up on the next request ------------------------------------------------------


def test_a_registration_through_the_service_updates_both_pages_at_once(agent, delegate, occurrence):
    agent_client, delegate_client = logged_in(agent), logged_in(delegate)
    assert "2 sur 2" in page(agent_client, series_url(occurrence.ritual))
    assert "Personne n'est encore inscrit." in page(delegate_client, occurrence_url(occurrence))

    services.register(occurrence, user=agent)

    series = page(agent_client, series_url(occurrence.ritual))
    assert "1 sur 2" in series
    assert "Inscrit·e" in my_cell(series, occurrence)
    detail = page(delegate_client, occurrence_url(occurrence))
    assert agent.get_full_name() in detail
    assert "1 place restante" in detail


def test_renaming_the_presented_project_and_the_presenter_shows_at_once(agent, occurrence):
    idea = IdeaFactory(
        organisation=occurrence.ritual.organisation, state="accompanied", title="Budget vert"
    )
    occurrence.idea = idea
    occurrence.presenter = agent
    occurrence.save()
    client = logged_in(agent)
    assert idea.title in page(client, series_url(occurrence.ritual))
    assert idea.title in page(client, occurrence_url(occurrence))

    idea.title = "Un guichet unique pour les familles"
    idea.save(update_fields=["title"])
    agent.last_name = "Durand-Nouveau"
    agent.save(update_fields=["last_name"])

    for url in (series_url(occurrence.ritual), occurrence_url(occurrence)):
        html = page(client, url)
        assert "Un guichet unique pour les familles" in html
        assert "Durand-Nouveau" in html


# --- Each person sees their own part -----------------------------------------------------------


def test_two_colleagues_see_their_own_registration_on_the_series_page(organisation, ritual):
    first, second, third = AgentFactory.create_batch(3, organisation=organisation)
    occurrence = OccurrenceFactory(ritual=ritual, capacity=1)
    services.register(occurrence, user=first)
    services.register(occurrence, user=second)  # full: waiting list

    cells = [
        my_cell(page(logged_in(person), series_url(ritual)), occurrence)
        for person in (first, second, third, first)
    ]

    assert "Inscrit·e" in cells[0]
    assert "En attente, position 1" in cells[1]
    assert cells[2] == "—"
    assert cells[3] == cells[0]


def test_two_colleagues_see_their_own_status_and_button_on_the_occurrence_page(
    organisation, occurrence
):
    registered, other = AgentFactory.create_batch(2, organisation=organisation)
    services.register(occurrence, user=registered)

    mine = page(logged_in(registered), occurrence_url(occurrence))
    theirs = page(logged_in(other), occurrence_url(occurrence))

    assert "Vous êtes inscrit·e." in mine
    assert "Me désinscrire" in mine
    assert "Vous n'êtes pas inscrit·e." in theirs
    assert "M'inscrire" in theirs


def test_the_delegate_part_is_not_shown_to_an_agent_after_the_delegate_saw_it(
    agent, delegate, occurrence
):
    services.register(occurrence, user=delegate)
    assert "Inscrit·es et liste d'attente" in page(logged_in(delegate), occurrence_url(occurrence))
    assert "Modifier la série" in page(logged_in(delegate), series_url(occurrence.ritual))

    detail = page(logged_in(agent), occurrence_url(occurrence))
    series = page(logged_in(agent), series_url(occurrence.ritual))

    assert "Inscrit·es et liste d'attente" not in detail
    assert delegate.get_full_name() not in detail
    assert "Exporter les inscriptions" not in detail
    assert "Modifier la série" not in series


def test_another_organisation_gets_a_404_after_a_member_saw_the_pages(agent, outsider, occurrence):
    page(logged_in(agent), series_url(occurrence.ritual))
    page(logged_in(agent), occurrence_url(occurrence))
    client = logged_in(outsider)

    assert client.get(series_url(occurrence.ritual)).status_code == 404
    assert client.get(occurrence_url(occurrence)).status_code == 404


def test_a_revoked_role_closes_the_pages_at_once(agent, occurrence):
    client = logged_in(agent)
    page(client, occurrence_url(occurrence))

    RoleGrant.objects.filter(user=agent).delete()

    assert client.get(series_url(occurrence.ritual)).status_code == 404
    assert client.get(occurrence_url(occurrence)).status_code == 404


def test_the_register_form_carries_this_persons_csrf_token(organisation, occurrence):
    first, second = AgentFactory.create_batch(2, organisation=organisation)
    page(logged_in(first), occurrence_url(occurrence))
    client = Client(enforce_csrf_checks=True)
    client.force_login(second)

    html = page(client, occurrence_url(occurrence))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    response = client.post(
        reverse("rituals:register", args=[occurrence.pk]),
        {"action": "register", "csrfmiddlewaretoken": token},
    )

    assert response.status_code == 302
    assert occurrence.registrations.get().user == second


# --- The pages follow the rules of the permissions module --------------------------------------


def test_the_pages_follow_visible_rituals_and_can_register_for_everyone(delegate):
    home, guest, stranger = delegate.organisation, OrganisationFactory(), OrganisationFactory()
    private = RitualFactory(created_by=delegate)
    shared = RitualFactory(created_by=delegate)
    shared.shared_with.add(guest)
    other = RitualFactory(created_by=DelegateFactory(organisation=stranger))
    people = [
        delegate,
        AgentFactory(organisation=home),
        AgentFactory(organisation=guest),
        AgentFactory(organisation=stranger),
    ]
    people[-1].role_grants.all().delete()  # nobody's member: sees nothing
    people.append(AgentFactory(organisation=guest))
    grant(people[-1], stranger, Role.AGENT)  # member of two organisations
    people.append(AdminFactory(organisation=home))

    for person, ritual in itertools.product(people, [private, shared, other]):
        occurrence = OccurrenceFactory(ritual=ritual)
        client = logged_in(person)
        person = User.objects.get(pk=person.pk)  # fresh role map
        series = client.get(series_url(ritual))
        detail = client.get(occurrence_url(occurrence))
        if not permissions.visible_rituals(person).filter(pk=ritual.pk).exists():
            assert (series.status_code, detail.status_code) == (404, 404), (person, ritual)
            continue
        assert (series.status_code, detail.status_code) == (200, 200), (person, ritual)
        may_register = permissions.can_register(person, occurrence)
        assert detail.context["can_register"] == may_register, (person, ritual)
        assert ("M'inscrire" in detail.content.decode()) == may_register, (person, ritual)


def test_the_waiting_position_shown_matches_the_service(organisation, ritual):
    occurrence = OccurrenceFactory(ritual=ritual, capacity=1)
    people = AgentFactory.create_batch(4, organisation=organisation)
    registrations = [services.register(occurrence, user=person) for person in people]
    services.unregister(occurrence, user=people[1])  # the first in line takes the seat

    for person, registration in zip(people, registrations, strict=True):
        registration.refresh_from_db()
        client = logged_in(person)
        series = my_cell(page(client, series_url(ritual)), occurrence)
        detail = page(client, occurrence_url(occurrence))
        if registration.status == S.CANCELLED:
            assert series == "—"
            assert "Vous n'êtes pas inscrit·e." in detail
        elif registration.status == S.WAITING:
            position = services.waiting_position(registration)
            assert f"En attente, position {position}" in series
            assert f"Vous êtes sur la liste d'attente, en position {position}." in detail
        else:
            assert "Inscrit·e" in series
            assert "Vous êtes inscrit·e." in detail
