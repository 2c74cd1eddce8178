"""The outbox: claims, leases and tokens, back-off, Message-ID, and what each step costs."""

from datetime import UTC, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection
from django.db.models.functions import Now
from django.utils import timezone

from innovation.platform import outbox
from innovation.platform.models import Notification, PasswordResetMail
from innovation.platform.outbox import DeliveryState
from tests.factories import AgentFactory, NotificationFactory


def database_now():
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement_timestamp()")
        return cursor.fetchone()[0]


def end_lease(row) -> None:
    """What the passing of time does to a claim: its lease is over (database time)."""
    type(row).objects.filter(pk=row.pk).update(delivery_lease_until=Now() - timedelta(seconds=1))


class RefusingBackend(BaseEmailBackend):
    """An SMTP server that refuses everything, after noting each Message-ID it was offered."""

    offered: list[str] = []

    def send_messages(self, email_messages):
        for message in email_messages:
            RefusingBackend.offered.append(message.message()["Message-ID"])
        raise ConnectionRefusedError("SMTP down")


class OutlivedLeaseBackend(EmailBackend):
    """A send so slow that its lease ends meanwhile and another sender claims the row."""

    second_claims: list[outbox.Claim] = []

    def send_messages(self, messages):
        for row in Notification.objects.filter(delivery_state=DeliveryState.SENDING):
            end_lease(row)
            OutlivedLeaseBackend.second_claims.append(outbox.claim(Notification, row.pk))
        return super().send_messages(messages)


@pytest.fixture
def refusing_smtp(settings):
    settings.EMAIL_BACKEND = "tests.innovation.test_outbox.RefusingBackend"
    RefusingBackend.offered = []
    return RefusingBackend.offered


@pytest.mark.django_db
def test_claim_takes_a_pending_row_with_a_token_and_a_lease_in_database_time(settings):
    settings.OUTBOX_LEASE_SECONDS = 120
    notification = NotificationFactory()

    # A worker whose clock runs a day ahead writes the same lease as any other.
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        claimed = outbox.claim(Notification, notification.pk)
    now = database_now()

    notification.refresh_from_db()
    assert notification.delivery_state == DeliveryState.SENDING
    assert notification.delivery_claim == claimed.token
    assert notification.delivery_attempts == 1
    lease = notification.delivery_lease_until - now
    assert timedelta(seconds=119) < lease <= timedelta(seconds=120)


@pytest.mark.django_db
def test_a_claimed_row_cannot_be_claimed_again_while_its_lease_lasts():
    notification = NotificationFactory()

    first = outbox.claim(Notification, notification.pk)
    second = outbox.claim(Notification, notification.pk)
    with time_machine.travel(timezone.now() + timedelta(hours=1)):
        third = outbox.claim_next(Notification)

    assert first is not None
    assert (second, third) == (None, None)


@pytest.mark.django_db
def test_a_row_whose_lease_is_over_is_claimed_again_with_a_new_token():
    notification = NotificationFactory()
    first = outbox.claim(Notification, notification.pk)
    end_lease(notification)

    second = outbox.claim_next(Notification)

    assert second is not None and second.token != first.token
    notification.refresh_from_db()
    assert (notification.delivery_claim, notification.delivery_attempts) == (second.token, 2)


@pytest.mark.django_db
def test_sent_skipped_and_failed_rows_are_never_claimed():
    rows = [
        NotificationFactory(delivery_state=state)
        for state in (DeliveryState.SENT, DeliveryState.SKIPPED, DeliveryState.FAILED)
    ]

    claims = [outbox.claim(Notification, row.pk) for row in rows]

    assert claims == [None, None, None]
    assert outbox.claim_next(Notification) is None


@pytest.mark.django_db
def test_a_lost_claim_is_neither_sent_nor_marked(mailoutbox_clear):
    notification = NotificationFactory()
    lost = outbox.claim(Notification, notification.pk)
    end_lease(notification)
    current = outbox.claim(Notification, notification.pk)

    sent_by_the_loser = outbox.deliver(lost)
    notification.refresh_from_db()
    state_after_the_loser = (notification.delivery_state, notification.delivery_claim)
    sent_by_the_owner = outbox.deliver(current)

    assert (sent_by_the_loser, sent_by_the_owner) == (False, True)
    assert state_after_the_loser == (DeliveryState.SENDING, current.token)
    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert notification.delivery_state == DeliveryState.SENT


@pytest.mark.django_db
def test_a_claim_whose_lease_is_over_is_not_sent_even_if_nobody_took_the_row(
    mailoutbox_clear,
):
    notification = NotificationFactory()
    claimed = outbox.claim(Notification, notification.pk)
    end_lease(notification)

    assert outbox.deliver(claimed) is False

    assert mail.outbox == []
    notification.refresh_from_db()
    assert notification.delivery_state == DeliveryState.SENDING  # for the next sweep


@pytest.mark.django_db
def test_a_send_that_outlives_its_lease_leaves_the_row_to_its_new_owner(settings, mailoutbox_clear):
    # The at-least-once case: the first send went out, but its claim was lost meanwhile.
    settings.EMAIL_BACKEND = "tests.innovation.test_outbox.OutlivedLeaseBackend"
    OutlivedLeaseBackend.second_claims = []
    notification = NotificationFactory()
    first = outbox.claim(Notification, notification.pk)

    assert outbox.deliver(first) is True
    notification.refresh_from_db()
    (second,) = OutlivedLeaseBackend.second_claims
    assert (notification.delivery_state, notification.delivery_claim) == (
        DeliveryState.SENDING,
        second.token,
    )
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert outbox.deliver(second) is True

    # The repeat carries the same Message-ID, so a relay or a mail client can drop it.
    assert [m.extra_headers["Message-ID"] for m in mail.outbox] == [
        outbox.message_id(notification)
    ] * 2


@pytest.mark.django_db
def test_a_failed_send_waits_longer_after_each_attempt(refusing_smtp):
    notification = NotificationFactory()
    waits = []

    for _ in range(3):
        Notification.objects.filter(pk=notification.pk).update(delivery_due_at=None)
        assert outbox.send_one(Notification, notification.pk) is False
        notification.refresh_from_db()
        waits.append(round((notification.delivery_due_at - database_now()).total_seconds()))
    claim_before_due = outbox.claim(Notification, notification.pk)

    assert waits == [60, 120, 240]
    assert claim_before_due is None
    assert (notification.delivery_state, notification.delivery_attempts) == ("pending", 3)
    assert notification.delivery_claim is None


def test_backoff_doubles_from_one_minute_up_to_an_hour():
    delays = [outbox.backoff(n) for n in range(1, outbox.MAX_ATTEMPTS + 2)]

    assert [int(d.total_seconds() // 60) for d in delays] == [1, 2, 4, 8, 16, 32, 60, 60, 60]


@pytest.mark.django_db
def test_the_last_failed_attempt_marks_the_row_failed(refusing_smtp):
    notification = NotificationFactory(delivery_attempts=outbox.MAX_ATTEMPTS - 1)

    outbox.send_one(Notification, notification.pk)

    notification.refresh_from_db()
    assert (notification.delivery_state, notification.delivery_attempts) == (
        DeliveryState.FAILED,
        outbox.MAX_ATTEMPTS,
    )


@pytest.mark.django_db
def test_a_row_abandoned_at_its_last_attempt_is_marked_failed_by_the_sweep(mailoutbox_clear):
    # Its sender died at each of its attempts (a message that kills the worker).
    notification = NotificationFactory(delivery_attempts=outbox.MAX_ATTEMPTS - 1)
    outbox.claim(Notification, notification.pk)
    end_lease(notification)

    assert outbox.send_due([Notification]) == 0

    assert mail.outbox == []
    notification.refresh_from_db()
    assert (notification.delivery_state, notification.delivery_claim) == ("failed", None)


@pytest.mark.django_db
def test_the_message_id_is_the_same_on_every_attempt(settings, refusing_smtp, mailoutbox_clear):
    settings.SITE_URL = "https://tremplin.example.fr:8443"
    notification = NotificationFactory()
    created = notification.created_at.astimezone(UTC)

    outbox.send_one(Notification, notification.pk)
    Notification.objects.filter(pk=notification.pk).update(delivery_due_at=None)
    outbox.send_one(Notification, notification.pk)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    Notification.objects.filter(pk=notification.pk).update(delivery_due_at=None)
    outbox.send_one(Notification, notification.pk)

    expected = f"<notification.{notification.pk}.{created:%Y%m%d%H%M%S}@tremplin.example.fr>"
    assert refusing_smtp == [expected, expected]
    assert mail.outbox[0].message()["Message-ID"] == expected


@pytest.mark.django_db
def test_a_sweep_takes_the_kinds_in_turn(mailoutbox_clear):
    notifications = NotificationFactory.create_batch(3)
    reset = PasswordResetMail.objects.create(user=AgentFactory())

    assert outbox.send_due() == 4

    assert [m.to[0] for m in mail.outbox] == [
        notifications[0].recipient.email,
        reset.user.email,
        notifications[1].recipient.email,
        notifications[2].recipient.email,
    ]


@pytest.mark.django_db
def test_a_sweep_stops_claiming_once_its_budget_is_spent(mailoutbox_clear):
    notification = NotificationFactory()

    assert outbox.send_due(budget=0) == 0
    assert outbox.send_each(Notification, [notification.pk], budget=0) == 0

    assert mail.outbox == []
    notification.refresh_from_db()
    assert notification.delivery_state == DeliveryState.PENDING


# --- Query counts: exact, for one row and for three. --------------------------------------------


@pytest.mark.django_db
def test_sending_one_row_costs_three_queries(django_assert_num_queries, mailoutbox_clear):
    notification = NotificationFactory()

    # The claim (UPDATE), the row and its recipient (SELECT), the mark (UPDATE).
    with django_assert_num_queries(3):
        assert outbox.send_one(Notification, notification.pk) is True


@pytest.mark.django_db
def test_a_row_someone_else_holds_costs_one_query(django_assert_num_queries):
    notification = NotificationFactory()
    outbox.claim(Notification, notification.pk)

    with django_assert_num_queries(1):
        assert outbox.send_one(Notification, notification.pk) is False


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_a_sweep_costs_five_queries_per_email_whatever_the_rows(
    django_assert_num_queries, mailoutbox_clear, count
):
    NotificationFactory.create_batch(count)

    # Once: abandoned rows given up (UPDATE), the last claim that finds nothing (SAVEPOINT,
    # UPDATE, RELEASE). Per e-mail: the claim (SAVEPOINT, UPDATE, RELEASE: a FOR UPDATE
    # needs a transaction, outside tests BEGIN/COMMIT, which are not counted), the row
    # (SELECT), the mark (UPDATE).
    with django_assert_num_queries(4 + 5 * count):
        assert outbox.send_due([Notification]) == count

    assert len(mail.outbox) == count


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_a_batch_task_costs_three_queries_per_email(django_assert_num_queries, count):
    ids = [n.pk for n in NotificationFactory.create_batch(count)]

    with django_assert_num_queries(3 * count):
        assert outbox.send_each(Notification, ids) == count


@pytest.mark.django_db
def test_an_idle_sweep_of_every_kind_costs_four_queries_per_kind(django_assert_num_queries):
    kinds = outbox.outbox_models()

    with django_assert_num_queries(4 * len(kinds)):
        assert outbox.send_due() == 0

    assert kinds == [Notification, PasswordResetMail]


# --- Checks -----------------------------------------------------------------------------------


def test_the_settings_pass_the_outbox_checks():
    assert outbox.check_outbox() == []


@pytest.mark.parametrize(
    ("lease", "email_timeout", "ids"),
    [(100, 10, []), (99, 10, ["innovation.E101"]), (120, None, ["innovation.E101"])],
)
def test_a_lease_shorter_than_ten_email_timeouts_is_refused(settings, lease, email_timeout, ids):
    settings.OUTBOX_LEASE_SECONDS = lease
    settings.EMAIL_TIMEOUT = email_timeout

    assert [error.id for error in outbox.check_outbox()] == ids


def test_a_sweep_that_could_outlast_the_tasks_soft_time_limit_is_refused(settings):
    settings.CELERY_TASK_SOFT_TIME_LIMIT = 240
    settings.OUTBOX_SWEEP_SECONDS = 121

    assert [error.id for error in outbox.check_outbox()] == ["innovation.E102"]


def test_an_outbox_model_without_a_message_builder_is_refused(monkeypatch):
    monkeypatch.setattr(
        PasswordResetMail, "outbox_message", "innovation.platform.password_reset.nothing"
    )

    assert [(e.id, e.obj) for e in outbox.check_outbox()] == [
        ("innovation.E103", PasswordResetMail)
    ]
