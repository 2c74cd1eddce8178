"""The e-mail sweep sends each notification once, however many sweepers run at once."""

import threading
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection
from django.db.models.functions import Now
from django.utils import timezone

from innovation.platform import outbox
from innovation.platform.models import Notification
from innovation.platform.notifications import send_notification_email, send_pending_emails
from innovation.platform.outbox import DeliveryState
from tests.factories import AgentFactory


def pending_notifications(count: int) -> list[Notification]:
    people = AgentFactory.create_batch(count)
    return [
        Notification.objects.create(recipient=person, kind="test", subject="Sujet", body="Corps")
        for person in people
    ]


class ClaimWatchingBackend(EmailBackend):
    """Records, at each send, which rows are claimed at that instant."""

    claimed_during_sends: list[list[int]] = []

    def send_messages(self, messages):
        self.claimed_during_sends.append(
            list(
                Notification.objects.filter(delivery_state=DeliveryState.SENDING)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
        )
        return super().send_messages(messages)


@pytest.mark.django_db(transaction=True)
def test_sweeps_running_at_once_send_each_email_once():
    pending_notifications(40)
    mail.outbox = []
    barrier = threading.Barrier(4)

    def sweep():
        barrier.wait()
        try:
            send_pending_emails()
            send_pending_emails()
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    send_pending_emails()

    assert len(mail.outbox) == 40
    assert len({message.to[0] for message in mail.outbox}) == 40
    assert len({message.extra_headers["Message-ID"] for message in mail.outbox}) == 40
    assert Notification.objects.exclude(delivery_state="sent").count() == 0


@pytest.mark.django_db
def test_a_sweep_claims_each_row_only_right_before_sending_it(settings, mailoutbox_clear):
    # The old sweep claimed 500 rows, then sent them one after the other: the last ones
    # waited, claimed, behind every slow send before them, and their claim could go stale.
    settings.EMAIL_BACKEND = "tests.innovation.test_email_sweep.ClaimWatchingBackend"
    ClaimWatchingBackend.claimed_during_sends = []
    rows = pending_notifications(3)

    assert send_pending_emails() == 3

    assert ClaimWatchingBackend.claimed_during_sends == [[row.pk] for row in rows]


@pytest.mark.django_db
def test_task_path_and_sweep_together_send_once():
    (notification,) = pending_notifications(1)
    mail.outbox = []

    send_notification_email(notification.pk)
    send_pending_emails()
    send_notification_email(notification.pk)

    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_row_left_sending_by_a_dead_worker_is_sent_once_its_lease_is_over():
    (notification,) = pending_notifications(1)
    assert outbox.claim(Notification, notification.pk) is not None  # then the worker dies
    mail.outbox = []

    send_pending_emails()
    sent_while_alive = len(mail.outbox)
    # Leases are read in database time: a worker whose clock runs an hour ahead takes nothing.
    with time_machine.travel(timezone.now() + timedelta(hours=1)):
        send_pending_emails()
    sent_with_a_clock_ahead = len(mail.outbox)
    Notification.objects.filter(pk=notification.pk).update(delivery_lease_until=Now())
    send_pending_emails()
    send_pending_emails()

    assert (sent_while_alive, sent_with_a_clock_ahead, len(mail.outbox)) == (0, 0, 1)
    notification.refresh_from_db()
    assert (notification.delivery_state, notification.delivery_attempts) == ("sent", 2)
