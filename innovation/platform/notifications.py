"""Notifications: a row per person now, one e-mail per row later.

The request only writes rows, inside its own transaction. After commit it asks Celery to
send them, best-effort: if the broker is down the request still succeeds, and the periodic
sweep (`innovation.send_pending_emails`) sends whatever is still pending. Rows are outbox
items (`innovation.platform.outbox`): each is claimed immediately before its own send, so two
workers, a task delivered twice or a twice-running beat never send it twice while a claim
is alive.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, NamedTuple

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, connection, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from innovation.platform import outbox
from innovation.platform.models import Notification, User
from innovation.platform.outbox import DeliveryState
from innovation.platform.sql import insert_ignoring_conflicts

# E-mails per task when many are queued at once (notify_many).
EMAIL_BATCH = 200


def notify(
    recipients: Iterable[User | Recipient],
    *,
    kind: str,
    subject: str,
    body: str,
    url: str = "",
    dedupe_key: str | None = None,
    exclude: User | None = None,
) -> list[Notification]:
    """Record a notification for each recipient and queue its e-mail after commit."""
    created: list[Notification] = []
    seen: set[int] = set()
    for user in recipients:
        if user is None or user.pk in seen or (exclude is not None and user.pk == exclude.pk):
            continue
        seen.add(user.pk)
        wants_email = user.is_active and user.email
        state = DeliveryState.PENDING if wants_email else DeliveryState.SKIPPED
        recipient: dict[str, Any] = (
            {"recipient": user} if isinstance(user, User) else {"recipient_id": user.pk}
        )
        notification = Notification(
            **recipient,
            kind=kind,
            subject=subject[:250],
            body=body,
            url=url,
            dedupe_key=dedupe_key,
            delivery_state=state,
        )
        if dedupe_key:
            # A savepoint, so a duplicate leaves the caller's transaction usable.
            try:
                with transaction.atomic():
                    notification.save()
            except IntegrityError:
                continue
        else:
            notification.save()
        created.append(notification)
    ids = [n.pk for n in created if n.delivery_state == DeliveryState.PENDING]
    if ids:
        transaction.on_commit(lambda: enqueue_emails(ids))
    return created


class Recipient(NamedTuple):
    """What a notification needs of a person: the sweeps read these three columns instead of
    building a thousand User instances."""

    pk: int
    is_active: bool
    email: str


@dataclass(frozen=True)
class Message:
    """One notification for several people, as `notify` takes it (for `notify_many`)."""

    recipients: Sequence[User | Recipient]
    kind: str
    subject: str
    body: str
    url: str = ""
    dedupe_key: str | None = None


def notify_many(messages: Iterable[Message]) -> int:
    """`notify` for many messages at once (the reminder sweeps): on PostgreSQL one
    `INSERT … ON CONFLICT DO NOTHING RETURNING` writes every row, a row whose (recipient,
    dedupe key) exists is skipped by the database exactly as `notify`'s savepoint skips it,
    and the e-mails of the rows written are queued after commit. Returns how many rows were
    written."""
    messages = list(messages)
    if connection.vendor != "postgresql":
        return sum(
            len(notify(m.recipients, kind=m.kind, subject=m.subject, body=m.body, url=m.url,
                       dedupe_key=m.dedupe_key))
            for m in messages
        )  # fmt: skip
    now = timezone.now()
    values = []
    for message in messages:
        seen: set[int] = set()
        for user in message.recipients:
            if user is None or user.pk in seen:
                continue
            seen.add(user.pk)
            wants_email = user.is_active and user.email
            state = DeliveryState.PENDING if wants_email else DeliveryState.SKIPPED
            values.append(
                (user.pk, message.kind, message.subject[:250], message.body, message.url,
                 message.dedupe_key, now, state, 0)
            )  # fmt: skip
    rows = insert_ignoring_conflicts(
        Notification,
        ("recipient_id", "kind", "subject", "body", "url", "dedupe_key", "created_at",
         "delivery_state", "delivery_attempts"),
        values,
        returning=("id", "delivery_state"),
    )  # fmt: skip
    ids = [pk for pk, state in rows if state == DeliveryState.PENDING]
    if ids:
        transaction.on_commit(lambda: enqueue_email_batches(ids))
    return len(rows)


def enqueue_email_batches(notification_ids: list[int]) -> None:
    """Like `enqueue_emails`, with one task per EMAIL_BATCH e-mails instead of one per e-mail:
    for a thousand reminders, a task each cost more than the whole sweep's SQL. Each e-mail is
    still claimed just before its own send."""
    from innovation.platform.tasks import send_notification_emails

    outbox.enqueue(
        send_notification_emails,
        [
            {"notification_ids": notification_ids[start : start + EMAIL_BATCH]}
            for start in range(0, len(notification_ids), EMAIL_BATCH)
        ],
    )


def enqueue_emails(notification_ids: list[int]) -> None:
    """Ask a worker to send these e-mails now; never fail the caller if the broker is down."""
    from innovation.platform.tasks import send_notification_email

    outbox.enqueue(send_notification_email, [{"notification_id": pk} for pk in notification_ids])


def render_email(notification: Notification) -> EmailMessage:
    """The e-mail of a notification (the outbox adds its Message-ID)."""
    context = {
        "notification": notification,
        "recipient": notification.recipient,
        "absolute_url": f"{settings.SITE_URL}{notification.url}" if notification.url else "",
        "site_url": settings.SITE_URL,
    }
    body = render_to_string("innovation/email/notification.txt", context)
    # One line: a title typed with a line break would make Django refuse the header (the
    # e-mail would fail at every attempt), and must never add a header of its own.
    subject = " ".join(f"[Tremplin] {notification.subject}".split())
    return EmailMessage(
        subject=subject,
        body=body,
        to=[notification.recipient.email],
    )


def send_notification_email(notification_id: int) -> bool:
    """Send the e-mail of one notification unless someone else has it; True if sent."""
    return outbox.send_one(Notification, notification_id)


def send_notification_emails(notification_ids: Iterable[int]) -> int:
    """Several e-mails, each claimed just before its own send, within the sweep's budget
    (what is left goes with the sweep); returns how many went."""
    return outbox.send_each(Notification, notification_ids)


def send_pending_emails(budget: float | None = None) -> int:
    """Send the notification e-mails left pending (broker down, worker crashed, back-off
    over); returns how many went. The periodic task sweeps every kind (`outbox.send_due`)."""
    return outbox.send_due([Notification], budget=budget)


def mark_read(user: User, notification_ids: Iterable[int] | None = None) -> int:
    """Mark some (or all) of a person's unread notifications as read."""
    queryset = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        queryset = queryset.filter(pk__in=list(notification_ids))
    return queryset.update(read_at=timezone.now())


def purge_read_notifications(days: int = 180) -> int:
    """Forget read notifications older than `days` days."""
    cutoff = timezone.now() - timedelta(days=days)
    deleted, _ = Notification.objects.filter(read_at__lt=cutoff).delete()
    return deleted
