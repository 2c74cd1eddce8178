import datetime

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

from innovation.platform import notifications, outbox
from innovation.platform.models import Notification
from innovation.platform.outbox import DeliveryState
from tests.factories import AgentFactory, NotificationFactory


class FailingBackend(BaseEmailBackend):
    """An SMTP server that refuses everything."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("SMTP down")


@pytest.mark.django_db
def test_notify_creates_one_row_per_recipient_except_excluded(
    django_capture_on_commit_callbacks,
):
    first, second, actor = AgentFactory(), AgentFactory(), AgentFactory()

    with django_capture_on_commit_callbacks() as callbacks:
        created = notifications.notify(
            [first, second, first, actor],
            kind="idea_moved",
            subject="Votre idée avance",
            body="Elle est qualifiée.",
            url="/idees/1/",
            exclude=actor,
        )

    assert [n.recipient for n in created] == [first, second]
    assert Notification.objects.count() == 2
    assert {n.delivery_state for n in created} == {DeliveryState.PENDING}
    assert len(callbacks) == 1


@pytest.mark.django_db
def test_notify_with_same_dedupe_key_creates_one_row(django_capture_on_commit_callbacks):
    agent = AgentFactory()
    arguments = {"kind": "followup_due", "subject": "Point d'étape", "body": "Demain."}

    first = notifications.notify([agent], dedupe_key="followup:1:due", **arguments)
    second = notifications.notify([agent], dedupe_key="followup:1:due", **arguments)

    assert len(first) == 1
    assert second == []
    assert Notification.objects.filter(recipient=agent).count() == 1


@pytest.mark.django_db
def test_notify_inactive_person_skips_email():
    inactive = AgentFactory(is_active=False)

    (notification,) = notifications.notify([inactive], kind="k", subject="S", body="B")

    assert notification.delivery_state == DeliveryState.SKIPPED


@pytest.mark.django_db
def test_send_notification_email_called_twice_sends_one_email(mailoutbox_clear, settings):
    settings.SITE_URL = "https://tremplin.example"
    notification = NotificationFactory(subject="Votre idée avance", url="/idees/7/")

    sent_first = notifications.send_notification_email(notification.pk)
    sent_second = notifications.send_notification_email(notification.pk)

    assert (sent_first, sent_second) == (True, False)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "[Tremplin] Votre idée avance"
    assert message.to == [notification.recipient.email]
    assert "https://tremplin.example/idees/7/" in message.body
    assert f"Bonjour {notification.recipient.first_name}," in message.body
    assert message.extra_headers["Message-ID"] == outbox.message_id(notification)
    notification.refresh_from_db()
    assert notification.delivery_state == DeliveryState.SENT
    assert notification.delivery_attempts == 1
    assert notification.delivery_claim is None


@pytest.mark.django_db
def test_send_pending_emails_sends_pending_and_abandoned_ones_once(mailoutbox_clear):
    pending = NotificationFactory.create_batch(2)
    NotificationFactory(delivery_state=DeliveryState.SENT)
    NotificationFactory(delivery_state=DeliveryState.SKIPPED)
    abandoned = NotificationFactory(
        delivery_state=DeliveryState.SENDING,
        delivery_lease_until=timezone.now() - datetime.timedelta(seconds=1),
    )
    NotificationFactory(
        delivery_state=DeliveryState.SENDING,
        delivery_lease_until=timezone.now() + datetime.timedelta(minutes=1),
    )

    sent = notifications.send_pending_emails()
    sent_again = notifications.send_pending_emails()

    assert (sent, sent_again) == (3, 0)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        n.recipient.email for n in [*pending, abandoned]
    )


@pytest.mark.django_db
def test_failed_send_returns_notification_to_pending(mailoutbox_clear, settings):
    settings.EMAIL_BACKEND = "tests.innovation.test_notifications.FailingBackend"
    notification = NotificationFactory()

    sent = notifications.send_notification_email(notification.pk)

    assert sent is False
    notification.refresh_from_db()
    assert notification.delivery_state == DeliveryState.PENDING
    assert notification.delivery_attempts == 1


@pytest.mark.django_db
def test_failed_send_after_last_attempt_gives_up(mailoutbox_clear, settings):
    settings.EMAIL_BACKEND = "tests.innovation.test_notifications.FailingBackend"
    notification = NotificationFactory(delivery_attempts=outbox.MAX_ATTEMPTS - 1)

    notifications.send_notification_email(notification.pk)

    notification.refresh_from_db()
    assert notification.delivery_state == DeliveryState.FAILED


@pytest.mark.django_db
def test_mark_read_marks_only_given_notifications_of_that_person():
    agent = AgentFactory()
    first, second = NotificationFactory.create_batch(2, recipient=agent)
    other = NotificationFactory()

    count = notifications.mark_read(agent, [first.pk, other.pk])

    assert count == 1
    assert Notification.objects.filter(read_at__isnull=False).get() == first


@pytest.mark.django_db
def test_notify_many_writes_each_row_once_and_keeps_text_as_typed(
    django_capture_on_commit_callbacks,
):
    agent, inactive = AgentFactory(), AgentFactory(is_active=False)
    people = [notifications.Recipient(p.pk, p.is_active, p.email) for p in (agent, inactive)]
    message = notifications.Message(
        [*people, people[0]],
        kind="followup_due",
        subject="100 % « prêt » ; DROP TABLE",
        body="%(title)s reste tel quel, comme l'apostrophe.",
        url="/mandats/points/7/",
        dedupe_key="followup:7:due",
    )

    with django_capture_on_commit_callbacks() as callbacks:
        written = notifications.notify_many([message])
    again = notifications.notify_many([message])

    assert (written, again) == (2, 0)
    rows = Notification.objects.order_by("pk")
    assert [(n.recipient_id, n.delivery_state) for n in rows] == [
        (agent.pk, DeliveryState.PENDING),
        (inactive.pk, DeliveryState.SKIPPED),
    ]
    assert {n.subject for n in rows} == {"100 % « prêt » ; DROP TABLE"}
    assert {n.body for n in rows} == {"%(title)s reste tel quel, comme l'apostrophe."}
    assert len(callbacks) == 1  # one e-mail batch, for the active person only
