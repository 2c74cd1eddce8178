"""Home, dashboard and menu served from the shared cache: fresh after every write, and
never one person's page for another."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ideas import services
from ideas.models import Idea
from innovation.models import Role
from tests.factories import AgentFactory, DelegateFactory, IdeaFactory, NotificationFactory


def _top_votes(response) -> str:
    html = response.content.decode()
    return html[html.index('id="home-top-ideas"') :]


@pytest.mark.django_db
def test_home_shows_a_new_vote_at_once_though_the_list_is_shared(client, organisation):
    idea = IdeaFactory(organisation=organisation, state=Idea.State.SUBMITTED, title="Covoiturage")
    reader, voter = AgentFactory(organisation=organisation), AgentFactory(organisation=organisation)
    client.force_login(reader)
    assert "0 vote" in _top_votes(client.get("/"))
    services.cast_vote(idea, voter=voter)
    assert "1 vote" in _top_votes(client.get("/"))


@pytest.mark.django_db
def test_home_shared_part_is_per_audience_and_my_ideas_per_person(
    client, organisation, other_organisation
):
    IdeaFactory(organisation=organisation, state=Idea.State.SUBMITTED, title="Idée du coin")
    IdeaFactory(organisation=other_organisation, state=Idea.State.SUBMITTED, title="Idée lointaine")
    here, elsewhere = (
        AgentFactory(organisation=organisation),
        AgentFactory(organisation=other_organisation),
    )
    IdeaFactory(
        organisation=organisation, author=here, title="Brouillon secret", state=Idea.State.DRAFT
    )
    client.force_login(here)
    page = client.get("/").content.decode()
    assert "Idée du coin" in page and "Brouillon secret" in page
    assert "Idée lointaine" not in page
    client.force_login(elsewhere)
    page = client.get("/").content.decode()
    assert "Idée lointaine" in page
    assert "Idée du coin" not in page and "Brouillon secret" not in page


@pytest.mark.django_db
def test_a_second_home_request_reads_the_shared_part_from_the_cache(
    client, organisation, django_assert_max_num_queries
):
    IdeaFactory.create_batch(3, organisation=organisation, state=Idea.State.SUBMITTED)
    client.force_login(AgentFactory(organisation=organisation))
    with CaptureQueriesContext(connection) as cold:
        client.get("/")
    with CaptureQueriesContext(connection) as warm:
        client.get("/")
    assert len(warm) < len(cold)


@pytest.mark.django_db
def test_dashboard_shows_a_move_at_once_and_never_another_organisations_figures(
    client, organisation, other_organisation
):
    delegate = DelegateFactory(organisation=organisation)
    stranger = DelegateFactory(organisation=other_organisation)
    idea = IdeaFactory(
        organisation=organisation, state=Idea.State.SUBMITTED, title="Jardin partagé"
    )
    client.force_login(delegate)
    before = client.get(reverse("dashboard")).context["body"]
    services.move_idea(idea, actor=delegate, to=Idea.State.QUALIFIED)
    after = client.get(reverse("dashboard")).context["body"]
    assert after != before
    assert "Jardin partagé" in after  # the move is in the recent activity
    client.force_login(stranger)
    assert "Jardin partagé" not in client.get(reverse("dashboard")).content.decode()


@pytest.mark.django_db
def test_menu_follows_roles_and_unread_count_and_carries_this_requests_token(client, organisation):
    agent = AgentFactory(organisation=organisation, first_name="Inès")
    client.force_login(agent)
    page = client.get("/").content.decode()
    assert "Pilotage" not in page and "Inès" in page
    NotificationFactory(recipient=agent)
    agent.role_grants.create(organisation=organisation, role=Role.DELEGATE)
    page = client.get("/").content.decode()
    assert "Pilotage" in page
    assert '1<span class="visually-hidden"> non lues' in page
    assert "csrf-placeholder" not in page
    token = client.cookies["csrftoken"].value if "csrftoken" in client.cookies else None
    assert 'name="csrfmiddlewaretoken" value="' in page
    assert token is None or token not in page  # masked per request, never the raw secret
