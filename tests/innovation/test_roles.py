"""Role grants go through innovation/platform/roles.py; each leaves its line in the audit trail."""

import pytest
from django.urls import reverse

from innovation.platform import audit, roles
from innovation.platform.models import AuditEvent, Role, RoleGrant, User
from innovation.platform.people import import_people
from tests.factories import AdminFactory, AgentFactory, OrganisationFactory


def role_events():
    return AuditEvent.objects.filter(action__in=roles.ACTIONS).order_by("created_at", "id")


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("root@exemple.fr", "mot-de-passe-admin-42")


# --- Services -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_grant_role_writes_one_audit_row(agent, admin_user):
    organisation = OrganisationFactory(name="Département de la Somme")

    grant = roles.grant_role(agent, organisation, Role.DELEGATE, actor=admin_user)

    assert RoleGrant.objects.filter(pk=grant.pk, role=Role.DELEGATE).exists()
    [event] = role_events()
    assert event.action == audit.ROLE_GRANTED
    assert event.actor == admin_user
    assert event.organisation == organisation
    assert (event.target_type, event.target_id) == ("user", str(agent.pk))
    assert event.detail == {
        "rôle": "Délégué·e à l'innovation",
        "collectivité": "Département de la Somme",
    }


@pytest.mark.django_db
def test_granting_a_held_role_again_returns_it_and_writes_nothing(agent, admin_user):
    first = roles.grant_role(agent, agent.organisation, Role.JUROR, actor=admin_user)

    second = roles.grant_role(agent, agent.organisation, Role.JUROR, actor=admin_user)

    assert second.pk == first.pk
    assert role_events().count() == 1


@pytest.mark.django_db
def test_granting_a_role_the_person_got_elsewhere_writes_nothing(agent, admin_user):
    # The agent's own grant was made by the factory, outside the services: it is held.
    roles.grant_role(agent, agent.organisation, Role.AGENT, actor=admin_user)

    assert role_events().count() == 0


@pytest.mark.django_db
def test_granting_is_seen_by_the_person_at_once(agent, admin_user):
    assert agent.role_map[agent.organisation_id] == frozenset({Role.AGENT})

    roles.grant_role(agent, agent.organisation, Role.DELEGATE, actor=admin_user)

    assert agent.role_map[agent.organisation_id] == frozenset({Role.AGENT, Role.DELEGATE})


@pytest.mark.django_db
def test_granting_something_that_is_not_a_role_is_refused(agent, admin_user):
    with pytest.raises(ValueError):
        roles.grant_role(agent, agent.organisation, "emperor", actor=admin_user)

    assert role_events().count() == 0


@pytest.mark.django_db
def test_revoke_role_deletes_the_grant_and_writes_one_audit_row(agent, admin_user):
    grant = roles.grant_role(agent, agent.organisation, Role.SPONSOR, actor=admin_user)

    assert roles.revoke_role(grant, actor=admin_user) is True

    assert not RoleGrant.objects.filter(pk=grant.pk).exists()
    granted, revoked = role_events()
    assert (granted.action, revoked.action) == (audit.ROLE_GRANTED, audit.ROLE_REVOKED)
    assert revoked.actor == admin_user
    assert revoked.organisation_id == agent.organisation_id
    assert revoked.target_id == str(agent.pk)
    assert revoked.detail["rôle"] == "Sponsor / commanditaire"


@pytest.mark.django_db
def test_revoking_a_grant_already_gone_writes_nothing(agent, admin_user):
    grant = roles.grant_role(agent, agent.organisation, Role.SPONSOR, actor=admin_user)
    roles.revoke_role(grant, actor=admin_user)

    assert roles.revoke_role(grant, actor=admin_user) is False

    assert role_events().count() == 2


@pytest.mark.django_db
def test_role_actions_have_french_labels():
    assert str(audit.LABELS[audit.ROLE_GRANTED]) == "Attribution d'un rôle"
    assert str(audit.LABELS[audit.ROLE_REVOKED]) == "Retrait d'un rôle"


# --- Directory import -----------------------------------------------------------------------


@pytest.mark.django_db
def test_directory_import_writes_one_grant_line_per_organisation_with_the_count(organisation):
    importer = AdminFactory(organisation=organisation)
    known = AgentFactory(organisation=organisation)  # already an agent: not counted
    data = (
        "organisation;direction;prenom;nom;email;fonction\n"
        f"{organisation.slug};;Ana;Roux;ana@exemple.fr;\n"
        f"{organisation.slug};;Léo;Blanc;leo@exemple.fr;\n"
        f"{organisation.slug};;{known.first_name};{known.last_name};{known.email};\n"
    )

    report = import_people(data, actor=importer)

    assert report.ok
    [event] = role_events()
    assert event.action == audit.ROLE_GRANTED
    assert event.actor == importer
    assert event.organisation == organisation
    assert event.detail == {"rôle": "Agent", "collectivité": organisation.name, "personnes": 2}
    agents = RoleGrant.objects.filter(organisation=organisation, role=Role.AGENT)
    assert sorted(agents.values_list("user__email", flat=True)) == sorted(
        ["ana@exemple.fr", "leo@exemple.fr", known.email]
    )


@pytest.mark.django_db
def test_importing_the_same_file_twice_grants_nothing_the_second_time(organisation):
    importer = AdminFactory(organisation=organisation)
    data = f"organisation;prenom;nom;email\n{organisation.slug};Ana;Roux;ana@exemple.fr\n"
    import_people(data, actor=importer)

    import_people(data, actor=importer)

    assert role_events().count() == 1


# --- Django admin ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_admin_add_of_a_grant_writes_an_audit_row(client, superuser, agent):
    client.force_login(superuser)

    response = client.post(
        reverse("admin:innovation_rolegrant_add"),
        {"user": agent.pk, "organisation": agent.organisation_id, "role": Role.DIRECTOR},
    )

    assert response.status_code == 302
    grant = RoleGrant.objects.get(user=agent, role=Role.DIRECTOR)
    [event] = role_events()
    assert (event.action, event.actor, event.target_id) == (
        audit.ROLE_GRANTED,
        superuser,
        str(agent.pk),
    )
    assert event.ip_address == "127.0.0.1"
    assert response["Location"] == reverse("admin:innovation_rolegrant_changelist")
    assert grant.organisation_id == agent.organisation_id


@pytest.mark.django_db
def test_admin_cannot_edit_a_held_grant(client, superuser, agent):
    grant = agent.role_grants.get()
    client.force_login(superuser)

    client.post(
        reverse("admin:innovation_rolegrant_change", args=[grant.pk]),
        {"user": agent.pk, "organisation": agent.organisation_id, "role": Role.ADMIN},
    )

    grant.refresh_from_db()
    assert grant.role == Role.AGENT
    assert role_events().count() == 0


@pytest.mark.django_db
def test_admin_delete_of_a_grant_writes_an_audit_row(client, superuser, agent):
    grant = agent.role_grants.get()
    client.force_login(superuser)

    response = client.post(
        reverse("admin:innovation_rolegrant_delete", args=[grant.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    assert not RoleGrant.objects.filter(pk=grant.pk).exists()
    [event] = role_events()
    assert (event.action, event.actor, event.detail["rôle"]) == (
        audit.ROLE_REVOKED,
        superuser,
        "Agent",
    )


@pytest.mark.django_db
def test_admin_bulk_delete_writes_one_audit_row_per_grant(client, superuser, organisation):
    people = AgentFactory.create_batch(2, organisation=organisation)
    grants = [person.role_grants.get() for person in people]
    client.force_login(superuser)

    response = client.post(
        reverse("admin:innovation_rolegrant_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [grant.pk for grant in grants],
            "post": "yes",
        },
    )

    assert response.status_code == 302
    assert not RoleGrant.objects.filter(pk__in=[grant.pk for grant in grants]).exists()
    assert sorted(event.target_id for event in role_events()) == sorted(
        str(person.pk) for person in people
    )
    assert {event.action for event in role_events()} == {audit.ROLE_REVOKED}


@pytest.mark.django_db
def test_admin_user_add_with_a_role_writes_an_audit_row(client, superuser, organisation):
    client.force_login(superuser)

    response = client.post(
        reverse("admin:innovation_user_add"),
        {
            "email": "nouvelle@exemple.fr",
            "usable_password": "false",
            "role_grants-TOTAL_FORMS": "1",
            "role_grants-INITIAL_FORMS": "0",
            "role_grants-0-organisation": organisation.pk,
            "role_grants-0-role": Role.DELEGATE,
        },
    )

    assert response.status_code == 302
    person = User.objects.get(email="nouvelle@exemple.fr")
    assert list(person.role_grants.values_list("organisation_id", "role")) == [
        (organisation.pk, Role.DELEGATE)
    ]
    [event] = role_events()
    assert (event.action, event.actor, event.target_id, event.organisation_id) == (
        audit.ROLE_GRANTED,
        superuser,
        str(person.pk),
        organisation.pk,
    )


def user_change_data(person: User, grants: list[RoleGrant], *, extra: dict) -> dict:
    joined = person.date_joined
    data = {
        "email": person.email,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "job_title": person.job_title,
        "organisation": person.organisation_id,
        "direction": person.direction_id or "",
        "is_active": "on",
        "date_joined_0": joined.strftime("%Y-%m-%d"),
        "date_joined_1": joined.strftime("%H:%M:%S"),
        "role_grants-TOTAL_FORMS": str(len(grants) + 1),
        "role_grants-INITIAL_FORMS": str(len(grants)),
    }
    for index, grant in enumerate(grants):
        data[f"role_grants-{index}-id"] = grant.pk
        data[f"role_grants-{index}-user"] = person.pk
        data[f"role_grants-{index}-organisation"] = grant.organisation_id
        data[f"role_grants-{index}-role"] = grant.role
    data.update(extra)
    return data


@pytest.mark.django_db
def test_admin_user_inline_delete_and_add_write_audit_rows(client, superuser, agent):
    held = agent.role_grants.get()
    other = OrganisationFactory()
    client.force_login(superuser)

    response = client.post(
        reverse("admin:innovation_user_change", args=[agent.pk]),
        user_change_data(
            agent,
            [held],
            extra={
                "role_grants-0-DELETE": "on",
                "role_grants-1-organisation": other.pk,
                "role_grants-1-role": Role.JUROR,
            },
        ),
    )

    assert response.status_code == 302, response.context["errors"] if response.context else ""
    assert list(agent.role_grants.values_list("organisation_id", "role")) == [
        (other.pk, Role.JUROR)
    ]
    assert [(e.action, e.organisation_id, e.detail["rôle"]) for e in role_events()] == [
        (audit.ROLE_REVOKED, agent.organisation_id, "Agent"),
        (audit.ROLE_GRANTED, other.pk, "Membre du jury"),
    ]


@pytest.mark.django_db
def test_admin_user_inline_cannot_change_a_held_role(client, superuser, agent):
    held = agent.role_grants.get()
    client.force_login(superuser)

    client.post(
        reverse("admin:innovation_user_change", args=[agent.pk]),
        user_change_data(agent, [held], extra={"role_grants-0-role": Role.ADMIN}),
    )

    held.refresh_from_db()
    assert held.role == Role.AGENT
    assert role_events().count() == 0


@pytest.mark.django_db
def test_admin_delete_of_a_person_writes_one_audit_row_per_role(client, superuser, delegate):
    client.force_login(superuser)

    response = client.post(
        reverse("admin:innovation_user_delete", args=[delegate.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    assert not User.objects.filter(pk=delegate.pk).exists()
    assert sorted((e.action, e.detail["rôle"], e.target_id) for e in role_events()) == [
        (audit.ROLE_REVOKED, "Agent", str(delegate.pk)),
        (audit.ROLE_REVOKED, "Délégué·e à l'innovation", str(delegate.pk)),
    ]
