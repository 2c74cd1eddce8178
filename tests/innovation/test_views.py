import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from ideas.models import Idea
from innovation.platform.models import Notification, Role
from tests.factories import (
    AgentFactory,
    CampaignFactory,
    IdeaFactory,
    NotificationFactory,
    OrganisationFactory,
    grant,
)

LOGIN_REQUIRED_URLS = [
    ("dashboard", {}),
    ("dashboard_export", {"table": "etapes"}),
    ("profile", {}),
    ("notification_list", {}),
    ("people_import", {}),
    ("password_change", {}),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "kwargs"), [("home", {}), *LOGIN_REQUIRED_URLS])
def test_platform_pages_redirect_anonymous_to_login(client, name, kwargs):
    url = reverse(name, kwargs=kwargs)

    response = client.get(url)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.django_db
def test_notification_mark_read_redirects_anonymous_to_login(client):
    response = client.post(reverse("notification_mark_read"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "kwargs"),
    [("dashboard", {}), ("dashboard_export", {"table": "etapes"}), ("people_import", {})],
)
def test_restricted_pages_forbid_agents(client, agent, name, kwargs):
    client.force_login(agent)

    response = client.get(reverse(name, kwargs=kwargs))

    assert response.status_code == 403


@pytest.mark.django_db
def test_people_import_forbids_delegates(client, delegate):
    client.force_login(delegate)

    response = client.get(reverse("people_import"))

    assert response.status_code == 403


@pytest.mark.django_db
def test_dashboard_forbids_admin_of_another_organisation_without_delegate_role(
    client, other_organisation
):
    stranger = AgentFactory(organisation=other_organisation, roles=[Role.JUROR])
    client.force_login(stranger)

    response = client.get(reverse("dashboard"))

    assert response.status_code == 403


# --- home


@pytest.mark.django_db
def test_home_shows_open_campaigns_own_ideas_and_top_ideas(client, agent, delegate):
    today = timezone.localdate()
    open_campaign = CampaignFactory(created_by=delegate, title="Appel ouvert")
    CampaignFactory(
        created_by=delegate,
        title="Appel fermé",
        opens_on=today - datetime.timedelta(days=30),
        closes_on=today - datetime.timedelta(days=1),
    )
    CampaignFactory(title="Appel d'ailleurs", organisations=[OrganisationFactory()])
    mine = IdeaFactory(author=agent, state=Idea.State.DRAFT, title="Mon brouillon")
    popular = IdeaFactory(organisation=agent.organisation, vote_count=12, title="Idée populaire")
    IdeaFactory(
        organisation=agent.organisation, state=Idea.State.DRAFT, title="Brouillon d'un autre"
    )
    client.force_login(agent)

    response = client.get(reverse("home"))

    assert response.status_code == 200
    rows = {block.key: block.rows for block in response.context["home"].blocks}
    assert rows["open_calls"] == [open_campaign]
    assert rows["my_ideas"] == [mine]
    assert rows["top_ideas"] == [popular]
    assert "Proposer une idée" in response.content.decode()


# --- dashboard


# --- profile


@pytest.mark.django_db
def test_profile_shows_roles_per_organisation(client, delegate, other_organisation):
    grant(delegate, other_organisation, Role.JUROR)
    client.force_login(delegate)

    response = client.get(reverse("profile"))

    assert response.status_code == 200
    assert response.context["roles_by_organisation"] == sorted(
        [
            (delegate.organisation.name, ["Agent", "Délégué·e à l'innovation"]),
            (other_organisation.name, ["Membre du jury"]),
        ]
    )
    assert delegate.email in response.content.decode()


@pytest.mark.django_db
def test_profile_post_saves_names_and_job_title(client, agent):
    client.force_login(agent)

    response = client.post(
        reverse("profile"),
        {"first_name": "Camille", "last_name": "Durand", "job_title": "Chargée d'accueil"},
        follow=True,
    )

    agent.refresh_from_db()
    assert (agent.first_name, agent.last_name, agent.job_title) == (
        "Camille",
        "Durand",
        "Chargée d'accueil",
    )
    assert [str(m) for m in response.context["messages"]] == ["Profil enregistré."]


@pytest.mark.django_db
def test_profile_post_cannot_change_email_or_organisation(client, agent, other_organisation):
    email, organisation = agent.email, agent.organisation
    client.force_login(agent)

    client.post(
        reverse("profile"),
        {
            "first_name": "A",
            "last_name": "B",
            "email": "pirate@exemple.fr",
            "organisation": other_organisation.pk,
        },
    )

    agent.refresh_from_db()
    assert (agent.email, agent.organisation) == (email, organisation)


# --- notifications


@pytest.mark.django_db
def test_notification_list_shows_only_own_notifications_paginated(client, agent):
    NotificationFactory.create_batch(26, recipient=agent)
    NotificationFactory(subject="Pas pour vous")
    client.force_login(agent)

    response = client.get(reverse("notification_list"))

    page = response.context["page"]
    assert len(page.object_list) == 25
    assert page.paginator.count == 26
    assert "Pas pour vous" not in response.content.decode()


@pytest.mark.django_db
def test_notification_list_hides_links_outside_the_site(client, agent):
    NotificationFactory(recipient=agent, url="https://ailleurs.example/piege")
    client.force_login(agent)

    response = client.get(reverse("notification_list"))

    assert response.context["page"].object_list[0].link == ""
    assert "ailleurs.example" not in response.content.decode()


@pytest.mark.django_db
def test_notification_mark_read_marks_all_own_unread(client, agent):
    mine = NotificationFactory.create_batch(3, recipient=agent)
    theirs = NotificationFactory()
    client.force_login(agent)

    response = client.post(reverse("notification_mark_read"))

    assert response.status_code == 302
    assert response.url == reverse("notification_list")
    assert Notification.objects.filter(pk__in=[n.pk for n in mine], read_at=None).count() == 0
    theirs.refresh_from_db()
    assert theirs.read_at is None


@pytest.mark.django_db
def test_notification_mark_read_marks_one_and_returns_to_next(client, agent):
    first, second = NotificationFactory.create_batch(2, recipient=agent)
    client.force_login(agent)

    response = client.post(
        reverse("notification_mark_read"), {"id": first.pk, "next": "/notifications/?page=2"}
    )

    assert response.url == "/notifications/?page=2"
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None
    assert second.read_at is None


@pytest.mark.django_db
def test_notification_mark_read_ignores_another_persons_notification(client, agent):
    theirs = NotificationFactory()
    client.force_login(agent)

    client.post(reverse("notification_mark_read"), {"id": theirs.pk})

    theirs.refresh_from_db()
    assert theirs.read_at is None


@pytest.mark.django_db
def test_notification_mark_read_refuses_external_next(client, agent):
    client.force_login(agent)

    response = client.post(reverse("notification_mark_read"), {"next": "https://evil.example/"})

    assert response.url == reverse("notification_list")


@pytest.mark.django_db
def test_notification_mark_read_rejects_get(client, agent):
    client.force_login(agent)

    response = client.get(reverse("notification_mark_read"))

    assert response.status_code == 405
