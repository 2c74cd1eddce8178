"""The history of each registration: one event per status change, shown to the managers."""

import threading

import pytest
from django.db import connection
from django.urls import reverse

from rituals import selectors, services, transitions
from rituals.models import Registration, RegistrationEvent
from tests.factories import (
    AgentFactory,
    DelegateFactory,
    OccurrenceFactory,
    OrganisationFactory,
    RitualFactory,
)

S = Registration.Status


def events_of(registration) -> list[tuple[str, str, int | None]]:
    return [
        (event.before, event.after, event.actor_id)
        for event in RegistrationEvent.objects.filter(registration=registration)
    ]


@pytest.fixture
def occurrence(delegate):
    return OccurrenceFactory(ritual=RitualFactory(created_by=delegate), capacity=1)


# --- The table ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("", S.CANCELLED),
        (S.CANCELLED, S.CONFIRMED),
        (S.CANCELLED, S.WAITING),
        (S.CONFIRMED, S.WAITING),
    ],
)
def test_transitions_table_refuses_moves_the_services_never_make(before, after):
    with pytest.raises(transitions.InvalidTransition):
        transitions.check(before, after)


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("", S.CONFIRMED),
        ("", S.WAITING),
        (S.WAITING, S.CONFIRMED),
        (S.WAITING, S.CANCELLED),
        (S.CONFIRMED, S.CANCELLED),
    ],
)
def test_transitions_table_allows_the_real_moves(before, after):
    transitions.check(before, after)


# --- Services write the events ---------------------------------------------------------------


@pytest.mark.django_db
def test_registering_writes_the_first_event_by_the_person(occurrence):
    first, second = AgentFactory.create_batch(2, organisation=occurrence.ritual.organisation)

    seat = services.register(occurrence, user=first)
    line = services.register(occurrence, user=second)

    assert events_of(seat) == [("", S.CONFIRMED, first.pk)]
    assert events_of(line) == [("", S.WAITING, second.pk)]


@pytest.mark.django_db
def test_cancelling_a_seat_writes_the_cancellation_and_tremplins_promotion(occurrence):
    first, second = AgentFactory.create_batch(2, organisation=occurrence.ritual.organisation)
    seat = services.register(occurrence, user=first)
    line = services.register(occurrence, user=second)

    services.unregister(occurrence, user=first)

    assert events_of(seat) == [("", S.CONFIRMED, first.pk), (S.CONFIRMED, S.CANCELLED, first.pk)]
    assert events_of(line) == [("", S.WAITING, second.pk), (S.WAITING, S.CONFIRMED, None)]


@pytest.mark.django_db
def test_leaving_the_waiting_list_writes_one_event(occurrence):
    first, second = AgentFactory.create_batch(2, organisation=occurrence.ritual.organisation)
    services.register(occurrence, user=first)
    line = services.register(occurrence, user=second)

    services.unregister(occurrence, user=second)

    assert events_of(line) == [("", S.WAITING, second.pk), (S.WAITING, S.CANCELLED, second.pk)]


@pytest.mark.django_db
def test_registering_again_after_cancelling_starts_a_new_history(occurrence):
    agent = AgentFactory(organisation=occurrence.ritual.organisation)
    old = services.register(occurrence, user=agent)
    services.unregister(occurrence, user=agent)

    new = services.register(occurrence, user=agent)

    assert new.pk != old.pk
    assert events_of(old) == [("", S.CONFIRMED, agent.pk), (S.CONFIRMED, S.CANCELLED, agent.pk)]
    assert events_of(new) == [("", S.CONFIRMED, agent.pk)]


@pytest.mark.django_db
def test_raising_capacity_promotes_with_an_event_by_tremplin(delegate, occurrence):
    first, second = AgentFactory.create_batch(2, organisation=occurrence.ritual.organisation)
    services.register(occurrence, user=first)
    line = services.register(occurrence, user=second)

    services.update_occurrence(
        occurrence,
        actor=delegate,
        starts_at=occurrence.starts_at,
        duration_minutes=occurrence.duration_minutes,
        place="",
        capacity=2,
        presenter=None,
        idea=None,
        topic="",
    )

    assert events_of(line) == [("", S.WAITING, second.pk), (S.WAITING, S.CONFIRMED, None)]


@pytest.mark.django_db
def test_a_second_cancel_click_writes_nothing(occurrence):
    agent = AgentFactory(organisation=occurrence.ritual.organisation)
    seat = services.register(occurrence, user=agent)
    services.unregister(occurrence, user=agent)

    assert services.unregister(occurrence, user=agent) is None

    assert len(events_of(seat)) == 2


@pytest.mark.django_db(transaction=True)
def test_simultaneous_registrations_write_one_event_each_matching_the_seat():
    organisation = OrganisationFactory()
    occurrence = OccurrenceFactory(ritual=RitualFactory(organisation=organisation), capacity=20)
    people = AgentFactory.create_batch(60, organisation=organisation)
    barrier = threading.Barrier(len(people))
    errors: list[BaseException] = []

    def worker(index: int) -> None:
        try:
            barrier.wait()
            services.register(occurrence, user=people[index])
        except BaseException as error:  # noqa: BLE001 - reported by the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(people))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    rows = list(occurrence.registrations.order_by("created_at", "id"))
    assert [r.status for r in rows] == [S.CONFIRMED] * 20 + [S.WAITING] * 40
    events = list(RegistrationEvent.objects.filter(registration__occurrence=occurrence))
    assert sorted((e.registration_id, e.before, e.after, e.actor_id) for e in events) == sorted(
        (r.pk, "", r.status, r.user_id) for r in rows
    )


# --- The occurrence page -----------------------------------------------------------------------


@pytest.mark.django_db
def test_managers_see_the_history_with_tremplins_promotions(client, delegate, occurrence):
    first = AgentFactory(organisation=delegate.organisation, first_name="Aline", last_name="Roy")
    second = AgentFactory(organisation=delegate.organisation, first_name="Bruno", last_name="Lac")
    services.register(occurrence, user=first)
    services.register(occurrence, user=second)
    services.unregister(occurrence, user=first)
    client.force_login(delegate)

    response = client.get(reverse("rituals:occurrence", args=[occurrence.pk]))

    history = response.context["history"]
    assert [(e.registration.user.pk, e.before, e.after, e.actor_id) for e in history] == [
        (first.pk, "", S.CONFIRMED, first.pk),
        (second.pk, "", S.WAITING, second.pk),
        (first.pk, S.CONFIRMED, S.CANCELLED, first.pk),
        (second.pk, S.WAITING, S.CONFIRMED, None),
    ]
    body = response.content.decode()
    assert "Historique des inscriptions" in body
    assert "En liste d&#x27;attente → Inscrit·e" in body
    assert "par Tremplin" in body
    assert "Inscrit·e → Désinscrit·e" in body
    assert "par Aline Roy" in body


@pytest.mark.django_db
def test_agents_do_not_see_the_history_of_others(client, agent, occurrence):
    other = AgentFactory(organisation=agent.organisation, first_name="Zoé", last_name="Secret")
    services.register(occurrence, user=other)
    services.register(occurrence, user=agent)
    client.force_login(agent)

    response = client.get(reverse("rituals:occurrence", args=[occurrence.pk]))

    assert response.context["history"] == []
    body = response.content.decode()
    assert "Historique des inscriptions" not in body
    assert "Zoé Secret" not in body


@pytest.mark.django_db
def test_delegates_of_another_organisation_never_reach_the_history(client, occurrence):
    outsider = DelegateFactory(organisation=OrganisationFactory())
    services.register(occurrence, user=AgentFactory(organisation=occurrence.ritual.organisation))
    client.force_login(outsider)

    response = client.get(reverse("rituals:occurrence", args=[occurrence.pk]))

    assert response.status_code == 404


@pytest.mark.django_db
def test_history_selector_lists_cancelled_registrations_too(occurrence):
    agent = AgentFactory(organisation=occurrence.ritual.organisation)
    services.register(occurrence, user=agent)
    services.unregister(occurrence, user=agent)

    history = selectors.registration_history(occurrence)

    assert [(e.before, e.after) for e in history] == [("", S.CONFIRMED), (S.CONFIRMED, S.CANCELLED)]


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_managers_page_costs_the_same_queries_whatever_the_history(
    client, django_assert_num_queries, delegate, count
):
    occurrence = OccurrenceFactory(ritual=RitualFactory(created_by=delegate), capacity=count)
    people = AgentFactory.create_batch(2 * count, organisation=delegate.organisation)
    for person in people:
        services.register(occurrence, user=person)
    for person in people[:count]:
        services.unregister(occurrence, user=person)
    client.force_login(delegate)
    url = reverse("rituals:occurrence", args=[occurrence.pk])
    client.get(url)  # the session's first use

    # As tests/rituals/test_views.py: the occurrence, its organisations, the person's
    # registration, the registrants, the history (one query), the suggestions.
    with django_assert_num_queries(10):
        response = client.get(url)

    assert len(response.context["history"]) == 4 * count
    body = response.content.decode()
    for person in people:
        assert person.get_full_name() in body
