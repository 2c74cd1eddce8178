"""Notifications: a row per person now, one e-mail per row later.

The request only writes rows, inside its own transaction. After commit it asks Celery to
send them, best-effort: if the broker is down the request still succeeds, and the periodic
sweep (`send_pending_emails`) sends whatever is still pending. Each row is claimed by a
guarded UPDATE before sending, so two workers or a twice-running beat never send it twice.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from innovation.models import Notification, User

logger = logging.getLogger(__name__)

MAX_EMAIL_ATTEMPTS = 5


def notify(
    recipients: Iterable[User],
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
            recipient=user,
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


def enqueue_emails(notification_ids: list[int]) -> None:
    """Ask a worker to send these e-mails now; never fail the caller if the broker is down."""
    from innovation.tasks import send_notification_email

    for notification_id in notification_ids:
        try:
            send_notification_email.apply_async(
                kwargs={"notification_id": notification_id}, retry=False
            )
        except Exception:  # the sweep will send it; the user's action already succeeded
            logger.warning("Broker unavailable; notification %s left to the sweep", notification_id)
            return


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
    return EmailMessage(
        subject=f"[Tremplin] {notification.subject}",
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
