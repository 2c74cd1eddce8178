"""Notifications: a row per person now, one e-mail per row later.

The request only writes rows, inside its own transaction. After commit it asks Celery to
send them, best-effort: if the broker is down the request still succeeds, and the periodic
sweep (`send_pending_emails`) sends whatever is still pending. Each row is claimed by a
guarded UPDATE before sending, so two workers or a twice-running beat never send it twice.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import NamedTuple

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from innovation.models import Notification, User
from innovation.sql import insert_ignoring_conflicts

logger = logging.getLogger(__name__)

MAX_EMAIL_ATTEMPTS = 5
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
        state = Notification.EmailState.PENDING if wants_email else Notification.EmailState.SKIPPED
        notification = Notification(
            **({"recipient": user} if isinstance(user, User) else {"recipient_id": user.pk}),
            kind=kind,
            subject=subject[:250],
            body=body,
            url=url,
            dedupe_key=dedupe_key,
            email_state=state,
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
    ids = [n.pk for n in created if n.email_state == Notification.EmailState.PENDING]
    if ids:
        transaction.on_commit(lambda: enqueue_emails(ids))
    return created


# Circuit breaker for the web process: after the broker failed once, requests skip it for
# NOTIFICATION_BROKER_PAUSE_SECONDS (the sweep sends what they leave pending), so a Redis
# outage costs one bounded attempt per process and pause, not one per request or per call.
_broker_paused_until = 0.0


def reset_broker_breaker() -> None:
    global _broker_paused_until
    _broker_paused_until = 0.0


def _publish_transport_options() -> dict:
    """The worker's broker options, with one short attempt for a publisher in a request:
    kombu would otherwise retry a refused connection after 2 s and wait `socket_timeout`
    (5 s, sized for the worker) on a Redis that accepts and never answers."""
    seconds = settings.NOTIFICATION_BROKER_TIMEOUT_SECONDS
    return {"socket_connect_timeout": seconds, "socket_timeout": seconds, "max_retries": 0}


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
            state = (
                Notification.EmailState.PENDING if wants_email else Notification.EmailState.SKIPPED
            )
            values.append(
                (user.pk, message.kind, message.subject[:250], message.body, message.url,
                 message.dedupe_key, now, state, 0)
            )  # fmt: skip
    rows = insert_ignoring_conflicts(
        Notification,
        ("recipient_id", "kind", "subject", "body", "url", "dedupe_key", "created_at",
         "email_state", "email_attempts"),
        values,
        returning=("id", "email_state"),
    )  # fmt: skip
    ids = [pk for pk, state in rows if state == Notification.EmailState.PENDING]
    if ids:
        transaction.on_commit(lambda: enqueue_email_batches(ids))
    return len(rows)


def enqueue_email_batches(notification_ids: list[int]) -> None:
    """Like `enqueue_emails`, with one task per EMAIL_BATCH e-mails instead of one per e-mail:
    for a thousand reminders, a task each cost more than the whole sweep's SQL. Each e-mail is
    still claimed by its guarded UPDATE; best-effort, the periodic sweep sends what is left."""
    from innovation.tasks import send_notification_emails

    for start in range(0, len(notification_ids), EMAIL_BATCH):
        try:
            send_notification_emails.apply_async(
                kwargs={"notification_ids": notification_ids[start : start + EMAIL_BATCH]},
                retry=False,
            )
        except Exception:  # the sweep will send them; the caller's work already succeeded
            logger.warning(
                "Broker unavailable; %s notifications left to the sweep", len(notification_ids)
            )
            return


def enqueue_emails(notification_ids: list[int]) -> None:
    """Ask a worker to send these e-mails now; never fail the caller if the broker is down."""
    global _broker_paused_until
    from innovation.tasks import send_notification_email

    if time.monotonic() < _broker_paused_until:
        logger.info("Broker paused; notifications %s left to the sweep", notification_ids)
        return
    notification_id = None
    try:
        app = send_notification_email.app
        with app.connection_for_write(transport_options=_publish_transport_options()) as conn:
            for notification_id in notification_ids:
                send_notification_email.apply_async(
                    kwargs={"notification_id": notification_id}, connection=conn, retry=False
                )
    except Exception:  # the sweep will send it; the user's action already succeeded
        _broker_paused_until = time.monotonic() + settings.NOTIFICATION_BROKER_PAUSE_SECONDS
        logger.warning("Broker unavailable; notification %s left to the sweep", notification_id)


def _claim(notification_id: int) -> bool:
    """Move one row from pending to sending; True if this caller won it.

    Stale "sending" rows (a worker died mid-send) are left to the sweep's batch claim.
    """
    return bool(
        Notification.objects.filter(
            pk=notification_id, email_state=Notification.EmailState.PENDING
        ).update(email_state=Notification.EmailState.SENDING, email_claimed_at=timezone.now())
    )


def render_email(notification: Notification) -> EmailMessage:
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
    """Send the e-mail of one notification unless someone else already did; True if sent."""
    if not _claim(notification_id):
        return False
    return _deliver(notification_id)


def _deliver(notification_id: int) -> bool:
    """Send a notification this caller has claimed, then mark it sent (or back to pending)."""
    notification = Notification.objects.select_related("recipient").get(pk=notification_id)
    try:
        render_email(notification).send()
    except Exception:
        logger.exception("E-mail of notification %s failed", notification_id)
        attempts = notification.email_attempts + 1
        Notification.objects.filter(
            pk=notification_id, email_state=Notification.EmailState.SENDING
        ).update(
            email_state=(
                Notification.EmailState.FAILED
                if attempts >= MAX_EMAIL_ATTEMPTS
                else Notification.EmailState.PENDING
            ),
            email_attempts=attempts,
        )
        return False
    Notification.objects.filter(
        pk=notification_id, email_state=Notification.EmailState.SENDING
    ).update(
        email_state=Notification.EmailState.SENT,
        email_sent_at=timezone.now(),
        email_attempts=notification.email_attempts + 1,
    )
    return True


def _claim_batch(limit: int) -> list[int]:
    """Claim up to `limit` unsent rows; rows another sweeper holds are skipped, not waited on."""
    now = timezone.now()
    stale = now - timedelta(minutes=settings.NOTIFICATION_STALE_SENDING_MINUTES)
    todo = Q(email_state=Notification.EmailState.PENDING) | Q(
        email_state=Notification.EmailState.SENDING, email_claimed_at__lt=stale
    )
    with transaction.atomic():
        ids = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(todo)
            .order_by("created_at", "pk")
            .values_list("pk", flat=True)[:limit]
        )
        Notification.objects.filter(pk__in=ids).filter(todo).update(
            email_state=Notification.EmailState.SENDING, email_claimed_at=now
        )
    return ids


def send_pending_emails(limit: int = 500) -> int:
    """Send the e-mails left pending (broker down, worker crashed); returns how many went."""
    return sum(1 for notification_id in _claim_batch(limit) if _deliver(notification_id))


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
