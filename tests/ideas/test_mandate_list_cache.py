"""The mandate overview is cached per visibility and filters: writes show up at once, each
person sees their own mandates and signatures to give, access is worked out on every request."""

import datetime

import pytest
from django.db import connection
from django.db.models import Q
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ideas import mandate_permissions as perms
from ideas import mandate_views, mandates
from ideas.models import FollowUp, Mandate
from innovation.models import Role, RoleGrant, User
from tests.factories import (
    DelegateFactory,
    MandateFactory,
    OrganisationFactory,
    active_mandate,
    grant,
)

pytestmark = pytest.mark.django_db
URL = reverse("ideas:mandate_list")


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def listed(client, url=URL) -> list[int]:
    """The mandates in the table, in order (their links)."""
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    table = html.split('id="mandats-titre"', 1)[1]
    return [
        int(chunk.split("/", 1)[0])
        for chunk in table.split('href="/idees/mandats/')[1:]
        if chunk.split("/", 1)[0].isdigit()
    ]


def test_a_write_through_the_service_shows_at_once():
    mandate = MandateFactory()
    client = logged_in(DelegateFactory(organisation=mandate.organisation))
    assert "Brouillon</span>" in client.get(URL).content.decode()

    mandates.send_for_signature(mandate, actor=mandate.created_by)

    html = client.get(URL).content.decode()
    assert "En attente de signatures" in html
    assert "Brouillon</span>" not in html


def test_a_late_follow_up_appears_and_moves_the_mandate_first():
    today = timezone.localdate()
    first = active_mandate(starts_on=today, ends_on=today + datetime.timedelta(days=90))
    second = active_mandate(
        organisation=first.organisation,
        idea__organisation=first.organisation,
        starts_on=today,
        ends_on=today + datetime.timedelta(days=90),
    )
    client = logged_in(DelegateFactory(organisation=first.organisation))
    before = listed(client)
    assert "En retard" not in client.get(URL).content.decode()

    FollowUp.objects.filter(mandate=before[-1], number=1).update(
        due_on=today - datetime.timedelta(days=1)
    )

    assert listed(client) == [before[-1], before[0]]
    assert "En retard" in client.get(URL).content.decode()
    assert set(before) == {first.pk, second.pk}


def test_delegates_of_two_organisations_each_see_their_own():
    mine, theirs = MandateFactory(), MandateFactory()
    here = logged_in(DelegateFactory(organisation=mine.organisation))
    there = logged_in(DelegateFactory(organisation=theirs.organisation))

    assert listed(here) == [mine.pk]
    assert listed(there) == [theirs.pk]
    assert listed(here) == [mine.pk]


def test_a_colleague_who_is_a_party_elsewhere_sees_more_than_the_other_delegate():
    mine, elsewhere = MandateFactory(), MandateFactory()
    plain = DelegateFactory(organisation=mine.organisation)
    party = DelegateFactory(organisation=mine.organisation)
    elsewhere.sponsor = party
    elsewhere.save(update_fields=["sponsor"])

    assert listed(logged_in(plain)) == [mine.pk]
    assert set(listed(logged_in(party))) == {mine.pk, elsewhere.pk}
    assert listed(logged_in(plain)) == [mine.pk]


def test_signatures_to_give_are_each_persons_own_on_the_shared_table():
    mandate = MandateFactory()
    mandates.send_for_signature(mandate, actor=mandate.created_by)
    delegate = DelegateFactory(organisation=mandate.organisation)
    grant(mandate.sponsor, mandate.organisation, Role.DELEGATE)  # same visibility

    sponsor_page = logged_in(mandate.sponsor).get(URL).content.decode()
    delegate_page = logged_in(delegate).get(URL).content.decode()

    assert "Relire et signer" in sponsor_page
    assert "Relire et signer" not in delegate_page
    assert "Aucun mandat n'attend votre signature." in delegate_page


def test_a_revoked_delegate_role_shrinks_the_list_at_once():
    mandate = MandateFactory()
    delegate = DelegateFactory(organisation=mandate.organisation)
    client = logged_in(delegate)
    assert listed(client) == [mandate.pk]

    RoleGrant.objects.filter(user=delegate, role=Role.DELEGATE).delete()

    assert listed(client) == []
    assert "Exporter en CSV" not in client.get(URL).content.decode()


def test_filters_and_pages_are_cached_apart(settings):
    settings.IDEAS_PER_PAGE = 2
    organisation = OrganisationFactory()
    drafts = [
        MandateFactory(organisation=organisation, idea__organisation=organisation) for _ in range(3)
    ]
    mandates.send_for_signature(drafts[0], actor=drafts[0].created_by)
    client = logged_in(DelegateFactory(organisation=organisation))

    first, second = listed(client), listed(client, f"{URL}?page=2")
    awaiting = listed(client, f"{URL}?etat={Mandate.State.AWAITING_SIGNATURES}")
    last = listed(client, f"{URL}?page=-1&autre=1")

    assert sorted(first + second) == sorted(d.pk for d in drafts)
    assert awaiting == [drafts[0].pk]
    assert last == second
    assert "autre=1" in client.get(f"{URL}?page=2&autre=1").content.decode()


def test_the_per_request_party_query_agrees_with_the_permissions_module():
    mandate, other = active_mandate(), MandateFactory(team=2)
    mandates.send_for_signature(other, actor=other.created_by)
    member = mandate.members.first()
    delegate = DelegateFactory(organisation=mandate.organisation)
    grant(member.manager, other.organisation, Role.DELEGATE)  # a party here, delegate there
    people = [
        mandate.sponsor,
        mandate.client_director,
        member.agent,
        member.manager,
        other.members.first().agent,
        other.sponsor,
        delegate,
        DelegateFactory(),
    ]

    for person in people:
        person = User.objects.get(pk=person.pk)  # fresh role map
        organisations = sorted(perms.delegate_organisation_ids(person))
        extra, awaiting = mandate_views._my_party_mandates(person, organisations)
        parties = Mandate.objects.filter(perms.party_condition(person))
        expected_extra = parties.exclude(organisation__in=organisations)
        assert extra == sorted(expected_extra.values_list("pk", flat=True))
        assert awaiting == parties.filter(state=Mandate.State.AWAITING_SIGNATURES).exists()
        shown = Mandate.objects.filter(Q(organisation__in=organisations) | Q(pk__in=extra))
        assert set(shown) == set(perms.visible_mandates(person))


@pytest.mark.parametrize("count", [2, 30])
def test_warm_overview_issues_no_more_queries_than_cold(count):
    organisation = OrganisationFactory()
    for _ in range(count):
        MandateFactory(organisation=organisation, idea__organisation=organisation, team=2)
    sponsor = MandateFactory(organisation=organisation, idea__organisation=organisation).sponsor
    mandates.send_for_signature(
        Mandate.objects.get(sponsor=sponsor), actor=DelegateFactory(organisation=organisation)
    )
    for person in (DelegateFactory(organisation=organisation), sponsor):
        client = logged_in(person)
        with CaptureQueriesContext(connection) as cold:
            client.get(URL)
        with CaptureQueriesContext(connection) as warm:
            response = client.get(URL)
        assert response.status_code == 200
        assert len(cold) <= 12
        assert len(warm) <= len(cold)
