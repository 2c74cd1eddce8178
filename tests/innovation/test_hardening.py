"""Login lockout, session lifetimes, security headers and the audit trail."""

from datetime import timedelta

import pytest
import time_machine
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from ideas import services
from ideas.models import Idea
from innovation.platform.models import AuditEvent
from tests.factories import (
    DEFAULT_PASSWORD,
    AdminFactory,
    AgentFactory,
    DelegateFactory,
    IdeaFactory,
    OrganisationFactory,
)


def log_in(client, email, password=DEFAULT_PASSWORD):
    return client.post(reverse("login"), {"username": email, "password": password})


@pytest.mark.django_db
def test_every_html_page_carries_a_strict_content_security_policy(client, agent):
    client.force_login(agent)

    response = client.get(reverse("home"))

    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy


@pytest.mark.django_db
@override_settings(AXES_ENABLED=True)
def test_login_is_locked_after_five_failures_with_a_french_message(client, agent):
    for _ in range(5):
        log_in(client, agent.email, "mauvais-mot-de-passe")

    response = log_in(client, agent.email)

    assert response.status_code == 429
    assert "Trop de tentatives de connexion ont échoué" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
@override_settings(AXES_ENABLED=True)
def test_lockout_counts_the_email_whatever_its_case(client, agent):
    for _ in range(5):
        log_in(client, agent.email.upper(), "mauvais-mot-de-passe")

    response = log_in(client, agent.email)

    assert response.status_code == 429


@pytest.mark.django_db
@override_settings(AXES_ENABLED=True)
def test_lockout_of_one_address_does_not_lock_the_person_elsewhere(client, agent):
    for _ in range(5):
        client.post(
            reverse("login"),
            {"username": agent.email, "password": "x"},
            REMOTE_ADDR="203.0.113.9",
        )

    response = log_in(client, agent.email)

    assert response.status_code == 302


@pytest.mark.django_db
@override_settings(AXES_ENABLED=True)
def test_lockout_ends_after_the_cool_off(client, agent):
    for _ in range(5):
        log_in(client, agent.email, "mauvais-mot-de-passe")

    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        response = log_in(client, agent.email)

    assert response.status_code == 302


@pytest.mark.django_db
def test_session_key_changes_at_login(client, agent):
    client.get(reverse("login"))
    client.session.save()
    before = client.session.session_key

    log_in(client, agent.email)

    assert client.session.session_key != before


@pytest.mark.django_db
def test_idle_session_ends_after_the_idle_timeout(client, agent):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        log_in(client, agent.email)
    with time_machine.travel(start + timedelta(minutes=119), tick=False):
        still_in = client.get(reverse("home")).status_code
    with time_machine.travel(start + timedelta(minutes=119 + 121), tick=False):
        response = client.get(reverse("home"))

    assert still_in == 200
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.django_db
def test_active_session_ends_after_the_absolute_timeout(client, agent):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        log_in(client, agent.email)
    statuses = []
    for hour in range(1, 14):
        with time_machine.travel(start + timedelta(hours=hour), tick=False):
            client.get(reverse("home"))  # seen, so never idle
        with time_machine.travel(start + timedelta(hours=hour, minutes=59), tick=False):
            statuses.append(client.get(reverse("home")).status_code)

    assert statuses[:11] == [200] * 11
    assert statuses[12] == 302


@pytest.mark.django_db
def test_deactivating_a_person_ends_their_session(client, agent):
    log_in(client, agent.email)
    agent.is_active = False
    agent.save()

    response = client.get(reverse("home"))

    assert response.status_code == 302


@pytest.mark.django_db
def test_revoking_a_role_takes_effect_on_the_next_request(client, delegate):
    client.force_login(delegate)
    before = client.get(reverse("ideas:board")).status_code
    delegate.role_grants.filter(role="delegate").delete()

    after = client.get(reverse("ideas:board")).status_code

    assert (before, after) == (200, 403)


@pytest.mark.django_db
def test_logins_failures_denials_exports_and_moves_are_audited(client, delegate):
    agent = AgentFactory(organisation=delegate.organisation)
    idea = IdeaFactory(organisation=delegate.organisation)
    log_in(client, agent.email, "mauvais-mot-de-passe")
    log_in(client, agent.email)
    client.get(reverse("ideas:board"))
    client.force_login(delegate)
    client.get(reverse("ideas:export"))
    services.move_idea(idea, to=Idea.State.QUALIFIED, actor=delegate, support="internal")

    actions = list(AuditEvent.objects.order_by("id").values_list("action", "actor_id"))

    assert actions == [
        ("login_failed", None),
        ("login", agent.pk),
        ("permission_denied", agent.pk),
        ("login", delegate.pk),
        ("export", delegate.pk),
        ("idea_moved", delegate.pk),
    ]
    assert AuditEvent.objects.get(action="login_failed").detail == {"username": agent.email}


@pytest.mark.django_db
def test_audit_log_is_for_admins_of_the_organisation(client):
    organisation = OrganisationFactory()
    admin = AdminFactory(organisation=organisation)
    other_admin = AdminFactory()
    delegate = DelegateFactory(organisation=organisation)
    client.force_login(delegate)
    denied = client.get(reverse("audit_log")).status_code  # audited as a denial
    client.force_login(other_admin)
    outsider_page = client.get(reverse("audit_log"))
    client.force_login(admin)

    page = client.get(reverse("audit_log"))
    export = client.get(reverse("audit_export") + "?action=permission_denied")

    assert denied == 403
    assert [e.actor for e in outsider_page.context["page"]] == [other_admin]  # own login
    assert [(e.action, e.actor) for e in page.context["page"] if e.action != "login"] == [
        ("permission_denied", delegate)
    ]
    lines = b"".join(export.streaming_content).decode("utf-8-sig").strip().splitlines()
    assert len(lines) == 2
    assert delegate.email in lines[1]


@pytest.mark.django_db
def test_audit_log_sends_anonymous_people_to_login(client):
    response = client.get(reverse("audit_log"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
