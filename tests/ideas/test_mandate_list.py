"""The mandate overview: each person sees what `visible_mandates` lets them see, in the
"overdue first" order, with their own signatures to give; a write is seen by the next read
of anyone else; access is worked out on every request."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ideas.mandates import permissions as perms
from ideas.mandates import services as mandates
from ideas.models import FollowUp, Mandate
from innovation.platform.models import Role, RoleGrant, User
from tests.factories import (
    AgentFactory,
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


def test_a_write_through_the_service_is_seen_by_the_next_read_of_another_person():
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


def test_the_page_and_its_export_list_the_mandates_in_the_same_order():
    today = timezone.localdate()
    on_time = active_mandate(starts_on=today, ends_on=today + datetime.timedelta(days=90))
    organisation = on_time.organisation
    late = active_mandate(
        organisation=organisation,
        idea__organisation=organisation,
        starts_on=today - datetime.timedelta(days=50),
        ends_on=today + datetime.timedelta(days=40),
    )
    draft = MandateFactory(organisation=organisation, idea__organisation=organisation)
    client = logged_in(DelegateFactory(organisation=organisation))

    response = client.get(reverse("ideas:mandate_export"))
    lines = b"".join(response.streaming_content).decode("utf-8-sig").strip().splitlines()

    exported = [int(line.split(";", 1)[0]) for line in lines[1:]]
    assert listed(client) == exported == [late.pk, on_time.pk, draft.pk]


def test_delegates_of_two_organisations_each_see_their_own():
    mine, theirs = MandateFactory(), MandateFactory()
    here = logged_in(DelegateFactory(organisation=mine.organisation))
    there = logged_in(DelegateFactory(organisation=theirs.organisation))

    assert listed(here) == [mine.pk]
    assert listed(there) == [theirs.pk]


def test_a_colleague_who_is_a_party_elsewhere_sees_more_than_the_other_delegate():
    mine, elsewhere = MandateFactory(), MandateFactory()
    plain = DelegateFactory(organisation=mine.organisation)
    party = DelegateFactory(organisation=mine.organisation)
    elsewhere.sponsor = party
    elsewhere.save(update_fields=["sponsor"])

    assert listed(logged_in(plain)) == [mine.pk]
    assert set(listed(logged_in(party))) == {mine.pk, elsewhere.pk}


def test_each_person_sees_exactly_the_mandates_the_permissions_module_lets_them_see():
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
        AgentFactory(organisation=mandate.organisation),
    ]

    for person in people:
        expected = set(perms.visible_mandates(User.objects.get(pk=person.pk)))
        assert {Mandate.objects.get(pk=pk) for pk in listed(logged_in(person))} == expected


def test_signatures_to_give_are_each_persons_own():
    mandate = MandateFactory()
    mandates.send_for_signature(mandate, actor=mandate.created_by)
    delegate = DelegateFactory(organisation=mandate.organisation)
    grant(mandate.sponsor, mandate.organisation, Role.DELEGATE)  # same visibility

    sponsor_page = logged_in(mandate.sponsor).get(URL).content.decode()
    delegate_page = logged_in(delegate).get(URL).content.decode()

    assert "Relire et signer" in sponsor_page
    assert "Relire et signer" not in delegate_page
    assert "Aucun mandat n'attend votre signature." in delegate_page


def test_signatures_to_give_show_whatever_the_state_filter():
    mandate = MandateFactory()
    mandates.send_for_signature(mandate, actor=mandate.created_by)

    client = logged_in(mandate.sponsor)
    url = f"{URL}?etat={Mandate.State.ACTIVE}"

    assert listed(client, url) == []
    assert "Relire et signer" in client.get(url).content.decode()


def test_a_revoked_delegate_role_shrinks_the_list_at_once():
    mandate = MandateFactory()
    delegate = DelegateFactory(organisation=mandate.organisation)
    client = logged_in(delegate)
    assert listed(client) == [mandate.pk]

    RoleGrant.objects.filter(user=delegate, role=Role.DELEGATE).delete()

    assert listed(client) == []
    assert "Exporter en CSV" not in client.get(URL).content.decode()


def test_filters_and_pages_each_show_their_rows(settings):
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

    assert len(first) == 2
    assert sorted(first + second) == sorted(d.pk for d in drafts)
    assert awaiting == [drafts[0].pk]
    assert last == second
    assert "autre=1" in client.get(f"{URL}?page=2&autre=1").content.decode()
