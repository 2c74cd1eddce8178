"""Home, dashboard, menu, notifications, directory and audit trail: what each shows, fresh
after every write, never one person's page for another, in a fixed number of queries."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from ideas import services
from ideas.models import Idea
from innovation.platform.models import AuditEvent, Role
from tests.factories import (
    AdminFactory,
    AgentFactory,
    DelegateFactory,
    IdeaFactory,
    NotificationFactory,
)

# Every signed-in page: the session, the person, their role grants, and the unread count of
# the menu.
SIGNED_IN = 4


def _top_votes(response) -> str:
    html = response.content.decode()
    return html[html.index('id="home-top-ideas"') :]


@pytest.mark.django_db
def test_home_shows_a_new_vote_at_once_though_the_list_is_shared(client, organisation):
    idea = IdeaFactory(organisation=organisation, state=Idea.State.SUBMITTED, title="Covoiturage")
    reader, voter = AgentFactory(organisation=organisation), AgentFactory(organisation=organisation)
    client.force_login(reader)
    assert "0 soutien" in _top_votes(client.get("/"))
    services.cast_vote(idea, voter=voter)
    assert "1 soutien" in _top_votes(client.get("/"))


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
def test_dashboard_shows_a_move_at_once_and_never_another_organisations_figures(
    client, organisation, other_organisation
):
    delegate = DelegateFactory(organisation=organisation)
    stranger = DelegateFactory(organisation=other_organisation)
    idea = IdeaFactory(
        organisation=organisation, state=Idea.State.SUBMITTED, title="Jardin partagé"
    )
    client.force_login(delegate)
    before = client.get(reverse("dashboard")).content.decode()
    services.move_idea(idea, actor=delegate, to=Idea.State.QUALIFIED)
    after = client.get(reverse("dashboard")).content.decode()
    assert "Jardin partagé" not in before
    assert "Jardin partagé" in after  # the move is in the recent activity
    client.force_login(stranger)
    assert "Jardin partagé" not in client.get(reverse("dashboard")).content.decode()


@pytest.mark.django_db
def test_menu_follows_roles_and_unread_count_at_the_next_request(client, organisation):
    agent = AgentFactory(organisation=organisation, first_name="Inès")
    client.force_login(agent)
    page = client.get("/").content.decode()
    assert "Pilotage" not in page and "Inès" in page
    NotificationFactory(recipient=agent)
    agent.role_grants.create(organisation=organisation, role=Role.DELEGATE)
    page = client.get("/").content.decode()
    assert "Pilotage" in page
    assert '<span aria-hidden="true">1</span><span class="visually-hidden">1 non lue</span>' in page


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_home_costs_the_same_queries_whatever_the_rows(
    client, organisation, django_assert_num_queries, count
):
    agent = AgentFactory(organisation=organisation)
    mine = IdeaFactory.create_batch(count, organisation=organisation, author=agent)
    others = IdeaFactory.create_batch(count, organisation=organisation)
    client.force_login(agent)

    # An agent's blocks (tests/innovation/test_home.py): follow-ups to hold, mine, next
    # breakfast, open calls, open challenges, the most supported ideas, signatures asked.
    with django_assert_num_queries(SIGNED_IN + 7):
        page = client.get("/").content.decode()

    assert all(escape(idea.title) in page for idea in mine + others)


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_dashboard_costs_the_same_queries_whatever_the_rows(
    client, organisation, django_assert_num_queries, count
):
    delegate = DelegateFactory(organisation=organisation)
    ideas = IdeaFactory.create_batch(count, organisation=organisation)
    for idea in ideas:
        services.move_idea(idea, actor=delegate, to=Idea.State.QUALIFIED)
    client.force_login(delegate)

    # Organisations, funnel, directions, calls, support, activity, overdue, breakfasts.
    with django_assert_num_queries(SIGNED_IN + 8):
        page = client.get(reverse("dashboard")).content.decode()

    assert all(escape(idea.title) in page for idea in ideas)


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_notifications_cost_the_same_queries_whatever_the_rows(
    client, agent, django_assert_num_queries, count
):
    notifications = NotificationFactory.create_batch(count, recipient=agent)
    client.force_login(agent)

    # The capped count and the page.
    with django_assert_num_queries(SIGNED_IN + 2):
        page = client.get(reverse("notification_list")).content.decode()

    assert all(notification.subject in page for notification in notifications)


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_directory_costs_the_same_queries_whatever_the_rows(
    client, organisation, django_assert_num_queries, count
):
    admin = AdminFactory(organisation=organisation)
    people = AgentFactory.create_batch(count, organisation=organisation)
    client.force_login(admin)

    with django_assert_num_queries(SIGNED_IN + 2):
        page = client.get(reverse("people_list")).content.decode()

    assert all(person.email in page for person in people)


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_audit_trail_costs_the_same_queries_whatever_the_rows(
    client, organisation, django_assert_num_queries, count
):
    admin = AdminFactory(organisation=organisation)
    targets = IdeaFactory.create_batch(count, organisation=organisation)
    for idea in targets:
        AuditEvent.objects.create(
            action="export", actor=admin, organisation=organisation, target_id=str(idea.pk)
        )
    client.force_login(admin)

    # The capped count, the filter's organisations, the page.
    with django_assert_num_queries(SIGNED_IN + 3):
        response = client.get(reverse("audit_log"))

    exports = [event for event in response.context["page"] if event.action == "export"]
    assert {event.target_id for event in exports} == {str(idea.pk) for idea in targets}
