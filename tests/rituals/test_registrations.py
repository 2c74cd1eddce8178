"""Seats, waiting list and promotion, including under simultaneous clicks."""

import contextlib
import datetime
import threading

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from innovation.platform.models import Notification
from rituals import services
from rituals.models import Registration
from tests.factories import (
    AgentFactory,
    IdeaFactory,
    OccurrenceFactory,
    OrganisationFactory,
    RegistrationFactory,
    RitualFactory,
)

S = Registration.Status


def statuses(occurrence) -> list[tuple[str, str]]:
    return list(
        occurrence.registrations.order_by("created_at", "id").values_list("user__email", "status")
    )


@pytest.mark.django_db
def test_register_confirms_until_capacity_then_waits(organisation):
    occurrence = OccurrenceFactory(ritual=RitualFactory(organisation=organisation), capacity=2)
    people = AgentFactory.create_batch(4, organisation=organisation)

    results = [services.register(occurrence, user=person).status for person in people]

    assert results == [S.CONFIRMED, S.CONFIRMED, S.WAITING, S.WAITING]


@pytest.mark.django_db
def test_cancelling_a_seat_promotes_the_first_waiting_person_and_tells_them(
    organisation, django_capture_on_commit_callbacks
):
    occurrence = OccurrenceFactory(ritual=RitualFactory(organisation=organisation), capacity=1)
    first, second, third = AgentFactory.create_batch(3, organisation=organisation)
    for person in (first, second, third):
        services.register(occurrence, user=person)
    mail.outbox = []

    with django_capture_on_commit_callbacks(execute=True):
        services.unregister(occurrence, user=first)

    assert statuses(occurrence) == [
        (first.email, S.CANCELLED),
        (second.email, S.CONFIRMED),
        (third.email, S.WAITING),
    ]
    assert [(m.to, m.subject) for m in mail.outbox] == [
        ([second.email], "[Tremplin] Une place s'est libérée : vous êtes inscrit·e")
    ]
    assert occurrence.registrations.get(user=second).promoted_at is not None


@pytest.mark.django_db
def test_leaving_the_waiting_list_promotes_nobody(organisation):
    occurrence = OccurrenceFactory(ritual=RitualFactory(organisation=organisation), capacity=1)
    first, second, third = AgentFactory.create_batch(3, organisation=organisation)
    for person in (first, second, third):
        services.register(occurrence, user=person)

    services.unregister(occurrence, user=second)

    assert statuses(occurrence) == [
        (first.email, S.CONFIRMED),
        (second.email, S.CANCELLED),
        (third.email, S.WAITING),
    ]


@pytest.mark.django_db
def test_waiting_position_counts_people_ahead(organisation):
    occurrence = OccurrenceFactory(ritual=RitualFactory(organisation=organisation), capacity=1)
    people = AgentFactory.create_batch(4, organisation=organisation)
    registrations = [services.register(occurrence, user=person) for person in people]

    positions = [services.waiting_position(r) for r in registrations[1:]]

    assert positions == [1, 2, 3]


@pytest.mark.django_db
def test_registering_twice_is_refused_with_a_clear_message(agent):
    occurrence = OccurrenceFactory(ritual=RitualFactory(organisation=agent.organisation))
    services.register(occurrence, user=agent)

    with pytest.raises(ValidationError) as error:
        services.register(occurrence, user=agent)

    assert error.value.messages == ["Vous êtes déjà inscrit·e à cette séance."]
    assert occurrence.registrations.count() == 1


@pytest.mark.django_db
def test_registering_again_after_cancelling_goes_to_the_end_of_the_line(organisation):
    occurrence = OccurrenceFactory(ritual=RitualFactory(organisation=organisation), capacity=1)
    first, second = AgentFactory.create_batch(2, organisation=organisation)
    services.register(occurrence, user=first)
    services.register(occurrence, user=second)
    services.unregister(occurrence, user=first)

    again = services.register(occurrence, user=first)

    assert again.status == S.WAITING
    assert occurrence.registrations.filter(user=first).count() == 2


@pytest.mark.django_db
def test_registering_after_closure_is_refused(agent):
    ritual = RitualFactory(organisation=agent.organisation, closes_hours_before=24)
    occurrence = OccurrenceFactory(ritual=ritual)
    moment = occurrence.starts_at - datetime.timedelta(hours=23)

    with time_machine.travel(moment, tick=False), pytest.raises(ValidationError) as error:
        services.register(occurrence, user=agent)

    assert error.value.messages[0].startswith("Les inscriptions sont closes depuis le ")
    assert occurrence.registrations.count() == 0


@pytest.mark.django_db
def test_registering_to_a_cancelled_occurrence_is_refused(agent, delegate):
    occurrence = OccurrenceFactory(ritual=RitualFactory(created_by=delegate))
    services.cancel_occurrence(occurrence, actor=delegate, reason="Salle indisponible")

    with pytest.raises(ValidationError) as error:
        services.register(occurrence, user=agent)

    assert error.value.messages == ["Cette séance est annulée : les inscriptions sont fermées."]


@pytest.mark.django_db
def test_people_of_another_organisation_cannot_register_unless_shared(agent):
    stranger = AgentFactory()
    occurrence = OccurrenceFactory(ritual=RitualFactory(organisation=agent.organisation))

    with pytest.raises(PermissionDenied):
        services.register(occurrence, user=stranger)
    occurrence.ritual.shared_with.add(stranger.organisation)
    registration = services.register(occurrence, user=stranger)

    assert registration.status == S.CONFIRMED


@pytest.mark.django_db
def test_raising_capacity_promotes_waiting_people_in_order(delegate):
    occurrence = OccurrenceFactory(ritual=RitualFactory(created_by=delegate), capacity=1)
    people = AgentFactory.create_batch(4, organisation=delegate.organisation)
    for person in people:
        services.register(occurrence, user=person)

    services.update_occurrence(
        occurrence,
        actor=delegate,
        starts_at=occurrence.starts_at,
        duration_minutes=60,
        place="",
        capacity=3,
        presenter=None,
        idea=None,
        topic="",
    )

    assert [status for _email, status in statuses(occurrence)] == [
        S.CONFIRMED,
        S.CONFIRMED,
        S.CONFIRMED,
        S.WAITING,
    ]


@pytest.mark.django_db
def test_lowering_capacity_never_unconfirms_anyone(delegate):
    occurrence = OccurrenceFactory(ritual=RitualFactory(created_by=delegate), capacity=3)
    people = AgentFactory.create_batch(4, organisation=delegate.organisation)
    for person in people:
        services.register(occurrence, user=person)

    services.update_occurrence(
        occurrence,
        actor=delegate,
        starts_at=occurrence.starts_at,
        duration_minutes=60,
        place="",
        capacity=1,
        presenter=None,
        idea=None,
        topic="",
    )
    services.unregister(occurrence, user=people[0])

    # Three were confirmed for one seat: one leaves, two remain confirmed, nobody promoted.
    assert [status for _email, status in statuses(occurrence)] == [
        S.CANCELLED,
        S.CONFIRMED,
        S.CONFIRMED,
        S.WAITING,
    ]


@pytest.mark.django_db
def test_capacity_of_zero_is_refused_and_nothing_changes(delegate):
    occurrence = OccurrenceFactory(ritual=RitualFactory(created_by=delegate), capacity=5)

    with pytest.raises(ValidationError) as error:
        services.update_occurrence(
            occurrence,
            actor=delegate,
            starts_at=occurrence.starts_at + datetime.timedelta(days=1),
            duration_minutes=60,
            place="Ailleurs",
            capacity=0,
            presenter=None,
            idea=None,
            topic="Un sujet",
        )

    assert error.value.message_dict == {"capacity": ["Il faut au moins une place."]}
    occurrence.refresh_from_db()
    assert (occurrence.capacity, occurrence.place, occurrence.topic) == (5, "", "")


@pytest.mark.django_db
def test_presenter_from_another_organisation_is_refused_unless_shared(delegate):
    ritual = RitualFactory(created_by=delegate)
    occurrence = OccurrenceFactory(ritual=ritual)
    stranger = AgentFactory(first_name="Hélène", last_name="Vandamme")
    arguments = {
        "actor": delegate,
        "starts_at": occurrence.starts_at,
        "duration_minutes": 60,
        "place": "",
        "capacity": None,
        "presenter": stranger,
        "idea": None,
        "topic": "Le bois des Forts",
    }

    with pytest.raises(ValidationError) as error:
        services.update_occurrence(occurrence, **arguments)
    assert list(error.value.message_dict) == ["presenter"]
    assert error.value.message_dict["presenter"][0].startswith(
        "Hélène Vandamme n'appartient pas à une collectivité invitée à cette série"
    )
    occurrence.refresh_from_db()
    assert (occurrence.presenter, occurrence.topic) == (None, "")

    ritual.shared_with.add(stranger.organisation)
    services.update_occurrence(occurrence, **arguments)
    occurrence.refresh_from_db()
    assert occurrence.presenter == stranger


@pytest.mark.django_db
def test_programme_with_a_project_of_another_organisation_is_refused(delegate):
    occurrence = OccurrenceFactory(ritual=RitualFactory(created_by=delegate))
    foreign_idea = IdeaFactory(state="accompanied")

    with pytest.raises(ValidationError) as error:
        services.update_occurrence(
            occurrence,
            actor=delegate,
            starts_at=occurrence.starts_at,
            duration_minutes=60,
            place="",
            capacity=None,
            presenter=None,
            idea=foreign_idea,
            topic="",
        )

    assert list(error.value.message_dict) == ["idea"]


@pytest.mark.django_db
def test_moving_an_occurrence_bumps_sequence_and_tells_registrants(
    delegate, agent, django_capture_on_commit_callbacks
):
    occurrence = OccurrenceFactory(ritual=RitualFactory(created_by=delegate))
    services.register(occurrence, user=agent)
    mail.outbox = []

    with django_capture_on_commit_callbacks(execute=True):
        services.update_occurrence(
            occurrence,
            actor=delegate,
            starts_at=occurrence.starts_at + datetime.timedelta(days=1),
            duration_minutes=60,
            place="Salle Robida",
            capacity=None,
            presenter=None,
            idea=None,
            topic="",
        )

    occurrence.refresh_from_db()
    assert occurrence.sequence == 1
    assert occurrence.original_date != timezone.localtime(occurrence.starts_at).date()
    assert [m.to for m in mail.outbox] == [[agent.email]]
    assert "Nouveau lieu : Salle Robida." in mail.outbox[0].body


@pytest.mark.django_db
def test_cancelling_an_occurrence_tells_registered_and_waiting_people(
    delegate, django_capture_on_commit_callbacks
):
    occurrence = OccurrenceFactory(ritual=RitualFactory(created_by=delegate), capacity=1)
    first, second = AgentFactory.create_batch(2, organisation=delegate.organisation)
    services.register(occurrence, user=first)
    services.register(occurrence, user=second)
    mail.outbox = []

    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_occurrence(occurrence, actor=delegate, reason="Grève des transports")

    assert sorted(m.to[0] for m in mail.outbox) == sorted([first.email, second.email])
    assert "Grève des transports" in mail.outbox[0].body
    occurrence.refresh_from_db()
    assert occurrence.sequence == 1


@pytest.mark.django_db
def test_cancelling_without_a_reason_is_refused(delegate):
    occurrence = OccurrenceFactory(ritual=RitualFactory(created_by=delegate))

    with pytest.raises(ValidationError) as error:
        services.cancel_occurrence(occurrence, actor=delegate, reason="  ")

    assert error.value.message_dict == {"reason": ["Indiquez le motif : les inscrit·es le liront."]}
    occurrence.refresh_from_db()
    assert occurrence.cancelled_at is None


@pytest.mark.django_db
def test_agents_cannot_run_occurrences(agent):
    occurrence = OccurrenceFactory(ritual=RitualFactory(organisation=agent.organisation))

    with pytest.raises(PermissionDenied):
        services.cancel_occurrence(occurrence, actor=agent, reason="Non")


@pytest.mark.django_db
def test_mark_attendance_records_present_people_once_started(delegate):
    occurrence = OccurrenceFactory(ritual=RitualFactory(created_by=delegate))
    came, missed = RegistrationFactory.create_batch(2, occurrence=occurrence)

    with pytest.raises(ValidationError):
        services.mark_attendance(occurrence, actor=delegate, attended_ids=[came.pk])
    with time_machine.travel(occurrence.starts_at + datetime.timedelta(hours=2), tick=False):
        present = services.mark_attendance(occurrence, actor=delegate, attended_ids=[came.pk])

    assert present == 1
    assert list(occurrence.registrations.order_by("pk").values_list("attended", flat=True)) == [
        True,
        False,
    ]


# --- Simultaneous clicks, on real PostgreSQL ------------------------------------------------


def _run_together(count: int, action) -> list[BaseException]:
    """Run action(i) in `count` threads released at the same moment; returns their errors."""
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []

    def worker(index: int) -> None:
        try:
            barrier.wait()
            action(index)
        except BaseException as error:  # noqa: BLE001 - reported by the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.mark.django_db(transaction=True)
def test_fifty_simultaneous_registrations_for_twenty_seats():
    organisation = OrganisationFactory()
    occurrence = OccurrenceFactory(ritual=RitualFactory(organisation=organisation), capacity=20)
    people = AgentFactory.create_batch(50, organisation=organisation)
    mail.outbox = []

    errors = _run_together(50, lambda i: services.register(occurrence, user=people[i]))

    assert errors == []
    rows = list(occurrence.registrations.order_by("created_at", "id"))
    assert [r.status for r in rows] == [S.CONFIRMED] * 20 + [S.WAITING] * 30
    # Arrival order is the order in which the lock was granted: ids and times agree with it.
    assert [r.pk for r in rows] == sorted(r.pk for r in rows)
    assert len({r.user_id for r in rows}) == 50

    # One cancellation promotes exactly one person: the first in line.
    first_waiting = rows[20]
    services.unregister(occurrence, user=rows[0].user)

    confirmed = occurrence.registrations.filter(status=S.CONFIRMED)
    assert confirmed.count() == 20
    assert occurrence.registrations.filter(status=S.WAITING).count() == 29
    assert list(confirmed.filter(promoted_at__isnull=False).values_list("pk", flat=True)) == [
        first_waiting.pk
    ]
    assert Notification.objects.filter(kind="ritual_promoted").count() == 1


@pytest.mark.django_db(transaction=True)
def test_simultaneous_cancellations_never_overfill_or_skip():
    organisation = OrganisationFactory()
    occurrence = OccurrenceFactory(ritual=RitualFactory(organisation=organisation), capacity=5)
    people = AgentFactory.create_batch(15, organisation=organisation)
    for person in people:
        services.register(occurrence, user=person)

    # The five confirmed leave at once while five others try to register again.
    def act(i: int) -> None:
        if i < 5:
            services.unregister(occurrence, user=people[i])
        else:
            # Already registered or waiting: refused, as it should be.
            with contextlib.suppress(ValidationError):
                services.register(occurrence, user=people[i])

    errors = _run_together(10, act)

    assert errors == []
    waiting_before = [p.pk for p in people[5:10]]
    confirmed = set(
        occurrence.registrations.filter(status=S.CONFIRMED).values_list("user_id", flat=True)
    )
    assert confirmed == set(waiting_before)
    assert occurrence.registrations.filter(status=S.WAITING).count() == 5


@pytest.mark.django_db(transaction=True)
def test_double_click_registers_once():
    organisation = OrganisationFactory()
    occurrence = OccurrenceFactory(ritual=RitualFactory(organisation=organisation))
    agent = AgentFactory(organisation=organisation)

    errors = _run_together(2, lambda i: services.register(occurrence, user=agent))

    assert [type(error) for error in errors] == [ValidationError]
    assert occurrence.registrations.count() == 1
