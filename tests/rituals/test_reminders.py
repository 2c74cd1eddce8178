"""The reminder the day before: once per person, whatever beat does."""

import datetime
import threading

import pytest
import time_machine
from django.core import mail
from django.db import connection

from innovation.platform.models import Notification
from innovation.platform.notifications import send_pending_emails
from rituals import services
from rituals.tasks import send_reminders
from tests.factories import (
    OccurrenceFactory,
    RegistrationFactory,
    RitualFactory,
)


def _arrange():
    occurrence = OccurrenceFactory(ritual=RitualFactory(), capacity=3)
    confirmed = RegistrationFactory.create_batch(3, occurrence=occurrence)
    RegistrationFactory(occurrence=occurrence, status="waiting")
    RegistrationFactory(occurrence=occurrence, status="cancelled")
    return occurrence, [r.user for r in confirmed]


@pytest.mark.django_db(transaction=True)
def test_reminder_goes_once_to_confirmed_people_even_if_the_sweep_runs_twice():
    occurrence, confirmed = _arrange()
    mail.outbox = []

    with time_machine.travel(occurrence.starts_at - datetime.timedelta(hours=20), tick=False):
        first = send_reminders.apply().result
        second = send_reminders.apply().result
        send_pending_emails()

    assert (first, second) == (1, 0)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in confirmed)
    assert {m.subject for m in mail.outbox} == {f"[Tremplin] Demain : « {occurrence.ritual} »"}
    keys = set(Notification.objects.values_list("dedupe_key", flat=True))
    assert keys == {f"occurrence:{occurrence.pk}:reminder"}


@pytest.mark.django_db(transaction=True)
def test_reminder_goes_once_when_two_workers_sweep_at_the_same_moment():
    occurrence, confirmed = _arrange()
    mail.outbox = []
    barrier = threading.Barrier(2)
    errors = []
    moment = occurrence.starts_at - datetime.timedelta(hours=20)

    def sweep():
        try:
            with time_machine.travel(moment, tick=False):
                barrier.wait()
                services.send_reminders(now=moment)
        except BaseException as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    send_pending_emails()

    assert errors == []
    assert Notification.objects.filter(kind="ritual_reminder").count() == 3
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in confirmed)


@pytest.mark.django_db(transaction=True)
def test_reminder_is_not_sent_too_early_nor_for_a_cancelled_date():
    occurrence, _confirmed = _arrange()
    cancelled, _ = _arrange()
    services.cancel_occurrence(
        cancelled, actor=cancelled.ritual.created_by, reason="Salle indisponible"
    )

    early = services.send_reminders(now=occurrence.starts_at - datetime.timedelta(hours=30))
    for_cancelled = services.send_reminders(now=cancelled.starts_at - datetime.timedelta(hours=2))

    assert (early, for_cancelled) == (0, 0)
    assert Notification.objects.filter(kind="ritual_reminder").count() == 0


@pytest.mark.django_db(transaction=True)
def test_a_moved_date_is_reminded_again_before_its_new_time():
    occurrence, confirmed = _arrange()
    delegate = occurrence.ritual.created_by
    services.send_reminders(now=occurrence.starts_at - datetime.timedelta(hours=20))
    new_start = occurrence.starts_at + datetime.timedelta(days=7)
    services.update_occurrence(
        occurrence,
        actor=delegate,
        starts_at=new_start,
        duration_minutes=60,
        place="",
        capacity=3,
        presenter=None,
        idea=None,
        topic="",
    )

    handled = services.send_reminders(now=new_start - datetime.timedelta(hours=20))

    assert handled == 1
    keys = sorted(
        Notification.objects.filter(kind="ritual_reminder").values_list("dedupe_key", flat=True)
    )
    assert (
        keys
        == [f"occurrence:{occurrence.pk}:reminder"] * 3
        + [f"occurrence:{occurrence.pk}:reminder:1"] * 3
    )
    assert len(confirmed) == 3
