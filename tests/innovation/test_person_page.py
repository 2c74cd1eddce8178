"""The person page of the directory: identity, current roles and the history of roles."""

import pytest
from django.urls import reverse

from innovation.platform import roles
from innovation.platform.models import Role
from tests.factories import (
    AdminFactory,
    AgentFactory,
    DirectionFactory,
    OrganisationFactory,
)


def page(person) -> str:
    return reverse("person_detail", args=[person.pk])


@pytest.fixture
def person(organisation):
    return AgentFactory(
        organisation=organisation,
        first_name="Inès",
        last_name="Garnier",
        job_title="Cheffe de projet",
        direction=DirectionFactory(organisation=organisation, name="Direction des solidarités"),
    )


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(client, person):
    response = client.get(page(person))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_an_agent_is_refused_like_in_the_directory(client, agent, person):
    client.force_login(agent)

    response = client.get(page(person))

    assert response.status_code == 403


@pytest.mark.django_db
def test_a_delegate_of_another_organisation_gets_404(client, outsider, person):
    client.force_login(outsider)

    response = client.get(page(person))

    assert response.status_code == 404


@pytest.mark.django_db
def test_an_unknown_person_is_404(client, delegate):
    client.force_login(delegate)

    response = client.get(reverse("person_detail", args=[2_000_000_000]))

    assert response.status_code == 404


@pytest.mark.django_db
def test_a_delegate_of_the_same_organisation_sees_identity_roles_and_history(
    client, delegate, person, organisation
):
    admin = AdminFactory(organisation=organisation, first_name="Paul", last_name="Chef")
    juror = roles.grant_role(person, organisation, Role.JUROR, actor=admin)
    roles.grant_role(person, organisation, Role.SPONSOR, actor=admin)
    roles.revoke_role(juror, actor=admin)
    client.force_login(delegate)

    response = client.get(page(person))

    assert response.status_code == 200
    assert [(g.organisation_id, g.role) for g in response.context["grants"]] == [
        (organisation.pk, Role.AGENT),
        (organisation.pk, Role.SPONSOR),
    ]
    history = [(c.granted, c.actor, c.role, c.organisation) for c in response.context["history"]]
    assert history == [
        (False, admin, "Membre du jury", organisation.name),
        (True, admin, "Sponsor / commanditaire", organisation.name),
        (True, admin, "Membre du jury", organisation.name),
    ]
    body = response.content.decode()
    for text in (
        "Inès Garnier",
        "Cheffe de projet",
        "Direction des solidarités",
        organisation.name,
        "Historique des rôles",
        "Paul Chef",
        "Retiré",
        "Attribué",
    ):
        assert text in body


@pytest.mark.django_db
def test_roles_and_history_of_other_organisations_stay_hidden(client, delegate, person):
    elsewhere = OrganisationFactory(name="Métropole voisine")
    roles.grant_role(person, elsewhere, Role.JUROR, actor=None)
    client.force_login(delegate)

    response = client.get(page(person))

    assert [g.role for g in response.context["grants"]] == [Role.AGENT]
    assert response.context["history"] == []
    assert "Métropole voisine" not in response.content.decode()


@pytest.mark.django_db
def test_the_directory_links_each_name_to_the_person_page(client, admin_user, person):
    client.force_login(admin_user)

    response = client.get(reverse("people_list"))

    assert f'href="{page(person)}"' in response.content.decode()
    assert client.get(page(person)).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_person_page_costs_the_same_queries_whatever_the_grants(
    client, django_assert_num_queries, delegate, person, organisation, count
):
    for role in [Role.JUROR, Role.SPONSOR, Role.MANAGER][:count]:
        roles.grant_role(person, organisation, role, actor=delegate)
    client.force_login(delegate)
    url = page(person)
    client.get(url)  # the session's first use

    # The session, the viewer, their roles; the person with organisation and direction; the
    # grants; the history; the unread count of the menu.
    with django_assert_num_queries(7):
        response = client.get(url)

    assert len(response.context["grants"]) == count + 1
    assert len(response.context["history"]) == count
