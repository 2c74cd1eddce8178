"""The e-mail sweep sends each notification once, however many sweepers run at once."""

import threading
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.utils import timezone

from innovation.models import Notification
from innovation.notifications import send_notification_email, send_pending_emails
from tests.factories import AgentFactory


def pending_notifications(count: int) -> list[Notification]:
    people = AgentFactory.create_batch(count)
    return [
        Notification.objects.create(recipient=person, kind="test", subject="Sujet", body="Corps")
        for person in people
    ]


@pytest.mark.django_db(transaction=True)
def test_sweeps_running_at_once_send_each_email_once():
    pending_notifications(40)
    mail.outbox = []
    barrier = threading.Barrier(4)

    def sweep():
        barrier.wait()
        try:
            send_pending_emails(limit=10)
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
    assert Notification.objects.exclude(email_state="sent").count() == 0


@pytest.mark.django_db
def test_task_path_and_sweep_together_send_once():
    (notification,) = pending_notifications(1)
    mail.outbox = []

    send_notification_email(notification.pk)
    send_pending_emails()
    send_notification_email(notification.pk)

    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_row_left_sending_by_a_dead_worker_is_sent_after_the_stale_delay():
    (notification,) = pending_notifications(1)
    Notification.objects.filter(pk=notification.pk).update(
        email_state="sending", email_claimed_at=timezone.now()
    )
    mail.outbox = []

    send_pending_emails()
    sent_while_fresh = len(mail.outbox)
    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        send_pending_emails()
        send_pending_emails()

    assert (sent_while_fresh, len(mail.outbox)) == (0, 1)
