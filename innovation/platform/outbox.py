"""The outbox: a row per message to send, and the one way every kind of row is sent.

A model that stands for outgoing mail inherits `OutboxItem` (the delivery fields) and names,
in `outbox_message`, the function that turns one of its rows into its e-mail. Whoever sends
(the task queued after commit, the periodic sweep, a task the broker delivers twice, two
beats at once) goes through the same three steps:

1. **claim**, immediately before sending that one row: a guarded UPDATE moves it to
   `sending` with a fresh claim token and a lease ending at *database* time + lease, only if
   it is pending and due, or sending with its lease over. One caller wins; workers' clocks
   play no part.
2. **send**: the row is read back only while the claim is ours and alive, the message is
   built and sent with a Message-ID derived from the row, the same on every attempt.
3. **mark**: sent only if the token is still ours; after a failure, pending again with an
   increasing delay, failed after MAX_ATTEMPTS.

No row is ever claimed ahead of its send (no batch whose tail waits behind slow sends), and
the lease is longer than any single SMTP exchange (system check below), so nobody else can
send a row while its claim is alive. What stays at-least-once: an SMTP server that accepted
the message, then a crash or a lost database connection before the row is marked; the
repeat, after the lease, carries the same Message-ID so a relay or a mail client can drop it.
"""

from __future__ import annotations

import functools
import logging
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, timedelta
from urllib.parse import urlsplit

from django.apps import apps
from django.conf import settings
from django.core import checks
from django.core.mail import EmailMessage
from django.db import models, transaction
from django.db.models import F, Q, Subquery
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
# After the n-th failed attempt a row waits BACKOFF_FIRST × 2^(n-1), at most BACKOFF_MAX:
# 1, 2, 4 … 60 minutes, so an SMTP outage of about two hours heals by itself; past that the
# row is failed and the admin can put it back.
BACKOFF_FIRST = timedelta(minutes=1)
BACKOFF_MAX = timedelta(hours=1)
# The lease must cover the longest single send: Django's SMTP timeout is per socket
# operation, and a send is about ten of them (connect, EHLO, STARTTLS, AUTH, MAIL, RCPT,
# DATA, body, QUIT).
LEASE_PER_EMAIL_TIMEOUT = 10


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("à envoyer")
    SENDING = "sending", _("en cours d'envoi")
    SENT = "sent", _("envoyé")
    SKIPPED = "skipped", _("sans e-mail")
    FAILED = "failed", _("échec")


TODO_STATES = [DeliveryState.PENDING, DeliveryState.SENDING]


class OutboxItem(models.Model):
    """The delivery fields of a message to send. A concrete model sets `outbox_message`, the
    dotted path of `(row) -> EmailMessage | None` (None: nothing to send, the row is
    skipped), and `outbox_related`, what that function reads through foreign keys."""

    outbox_message: str
    outbox_related: tuple[str, ...] = ()

    created_at = models.DateTimeField(_("créé le"), default=timezone.now)
    delivery_state = models.CharField(
        _("envoi"), max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    delivery_attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    # Back-off: a pending row is not claimed before this (database time); NULL, at once.
    delivery_due_at = models.DateTimeField(_("nouvel essai après"), null=True, blank=True)
    # Set by the claim, cleared when the row is marked: only rows in flight hold one.
    delivery_claim = models.UUIDField(_("réservation"), null=True, blank=True, editable=False)
    delivery_lease_until = models.DateTimeField(_("réservé jusqu'à"), null=True, blank=True)
    delivery_sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)

    class Meta:
        abstract = True
        indexes = [
            # What a sweep looks for: the few rows not sent yet, oldest first.
            models.Index(
                fields=["id"],
                name="%(class)s_outbox_todo",
                condition=Q(delivery_state__in=TODO_STATES),
            ),
            # A sender reads its row back, and marks it, by its claim.
            models.Index(
                fields=["delivery_claim"],
                name="%(class)s_outbox_claim",
                condition=Q(delivery_claim__isnull=False),
            ),
        ]


@dataclass(frozen=True)
class Claim:
    """The right to send one row, while the lease lasts."""

    model: type[OutboxItem]
    token: uuid.UUID


def outbox_models() -> list[type[OutboxItem]]:
    """Every concrete kind of outgoing message: the sweep needs no list of its own."""
    return [model for model in apps.get_models() if issubclass(model, OutboxItem)]


def claimable() -> Q:
    """Rows a sender may take now: pending and due, or sending with the lease over (its
    sender died or lost the database). Database time, so workers' clocks do not matter."""
    due = Q(delivery_due_at__isnull=True) | Q(delivery_due_at__lte=Now())
    pending = Q(delivery_state=DeliveryState.PENDING) & due
    abandoned = Q(
        delivery_state=DeliveryState.SENDING,
        delivery_lease_until__lt=Now(),
        delivery_attempts__lt=MAX_ATTEMPTS,
    )
    return pending | abandoned


def _claim_values(token: uuid.UUID) -> dict:
    # Attempts count claims, not failures: a row whose send kills its worker every time
    # still ends up failed instead of looping.
    return {
        "delivery_state": DeliveryState.SENDING,
        "delivery_claim": token,
        "delivery_lease_until": Now() + timedelta(seconds=settings.OUTBOX_LEASE_SECONDS),
        "delivery_attempts": F("delivery_attempts") + 1,
    }


def claim(model: type[OutboxItem], pk: int) -> Claim | None:
    """Claim this row for sending now; None if it is sent, in someone's hands, or not due."""
    token = uuid.uuid4()
    won = model._default_manager.filter(claimable(), pk=pk).update(**_claim_values(token))
    return Claim(model, token) if won else None


def claim_next(model: type[OutboxItem]) -> Claim | None:
    """Claim the oldest claimable row of this kind, skipping rows another sender is locking
    at this instant; None when there is nothing to send."""
    token = uuid.uuid4()
    oldest = (
        model._default_manager.select_for_update(skip_locked=True)
        .filter(claimable())
        .order_by("pk")
        .values("pk")[:1]
    )
    # One statement, `… WHERE id = (SELECT … FOR UPDATE SKIP LOCKED LIMIT 1)`; Django wants
    # a transaction around any FOR UPDATE.
    with transaction.atomic():
        won = model._default_manager.filter(claimable(), pk=Subquery(oldest)).update(
            **_claim_values(token)
        )
    return Claim(model, token) if won else None


def message_id(row: OutboxItem) -> str:
    """The Message-ID of a row's e-mail: the same on every attempt, so that a repeat can be
    recognised; the creation time keeps it unique if ids start again (a restored database)."""
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    created = row.created_at.astimezone(UTC)
    return f"<{row._meta.model_name}.{row.pk}.{created:%Y%m%d%H%M%S}@{host}>"


@functools.cache
def _builder(path: str) -> Callable[[OutboxItem], EmailMessage | None]:
    return import_string(path)


def deliver(claimed: Claim) -> bool:
    """Send a claimed row, then mark it; True if this call sent it. Nothing is sent if the
    claim is no longer ours or its lease is over."""
    model = claimed.model
    row = (
        model._default_manager.select_related(*model.outbox_related)
        .filter(
            delivery_claim=claimed.token,
            delivery_state=DeliveryState.SENDING,
            delivery_lease_until__gt=Now(),
        )
        .first()
    )
    if row is None:
        logger.warning("Claim on a %s lost before sending it: not sent", model._meta.label)
        return False
    try:
        message = _builder(model.outbox_message)(row)
        if message is None:
            _mark(claimed, delivery_state=DeliveryState.SKIPPED)
            return False
        message.extra_headers["Message-ID"] = message_id(row)
        message.send()
    except Exception:
        logger.exception("E-mail of %s %s failed", model._meta.label, row.pk)
        _mark(claimed, **_after_failure(row.delivery_attempts))
        return False
    if not _mark(claimed, delivery_state=DeliveryState.SENT, delivery_sent_at=Now()):
        # Only if the send outlived the lease and someone else claimed the row meanwhile.
        logger.error(
            "%s %s sent after its claim was lost: it may go again, as %s",
            model._meta.label,
            row.pk,
            message_id(row),
        )
    return True


def backoff(attempts: int) -> timedelta:
    """How long a row waits after its `attempts`-th failed attempt."""
    return min(BACKOFF_FIRST * 2 ** (attempts - 1), BACKOFF_MAX)


def _after_failure(attempts: int) -> dict:
    if attempts >= MAX_ATTEMPTS:
        return {"delivery_state": DeliveryState.FAILED}
    return {"delivery_state": DeliveryState.PENDING, "delivery_due_at": Now() + backoff(attempts)}


def _mark(claimed: Claim, **values) -> bool:
    """Write the outcome, only if the claim is still ours; True if it was."""
    return bool(
        claimed.model._default_manager.filter(
            delivery_claim=claimed.token, delivery_state=DeliveryState.SENDING
        ).update(delivery_claim=None, **values)
    )


def send_one(model: type[OutboxItem], pk: int) -> bool:
    """Claim and send one row (the task queued after commit); True if this call sent it."""
    claimed = claim(model, pk)
    return deliver(claimed) if claimed is not None else False


def send_each(model: type[OutboxItem], pks: Iterable[int], budget: float | None = None) -> int:
    """`send_one` for each row, each claimed just before its own send; stops after the
    budget (OUTBOX_SWEEP_SECONDS), leaving the rest to the sweep. Returns how many went."""
    until = _deadline(budget)
    sent = 0
    for pk in pks:
        if time.monotonic() >= until:
            break
        sent += send_one(model, pk)
    return sent


def send_due(kinds: Sequence[type[OutboxItem]] | None = None, budget: float | None = None) -> int:
    """The sweep: send every claimable row of every kind, one claim per send, taking the
    kinds in turn so that a backlog of one never holds up another. Stops claiming after the
    budget, so its last send ends before the task's soft time limit. Returns how many went."""
    until = _deadline(budget)
    active = list(outbox_models() if kinds is None else kinds)
    for model in active:
        _give_up_on_lost_claims(model)
    sent = 0
    while active and time.monotonic() < until:
        for model in list(active):
            claimed = claim_next(model)
            if claimed is None:
                active.remove(model)
            else:
                sent += deliver(claimed)
    return sent


def _give_up_on_lost_claims(model: type[OutboxItem]) -> None:
    # A row whose last allowed attempt never came back (its worker died every time) is no
    # longer claimable; say so instead of leaving it "sending" for ever.
    model._default_manager.filter(
        delivery_state=DeliveryState.SENDING,
        delivery_lease_until__lt=Now(),
        delivery_attempts__gte=MAX_ATTEMPTS,
    ).update(delivery_state=DeliveryState.FAILED, delivery_claim=None)


def _deadline(budget: float | None) -> float:
    return time.monotonic() + (settings.OUTBOX_SWEEP_SECONDS if budget is None else budget)


# --- Enqueueing after commit, best-effort -----------------------------------------------------

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


def enqueue(task, calls: Sequence[dict]) -> None:
    """Ask a worker to run `task` once per keyword arguments in `calls`, now; never fail the
    caller if the broker is down: the rows stay pending and the sweep sends them."""
    global _broker_paused_until
    if not calls:
        return
    if time.monotonic() < _broker_paused_until:
        logger.info("Broker paused; %s %s left to the sweep", len(calls), task.name)
        return
    try:
        with task.app.connection_for_write(transport_options=_publish_transport_options()) as conn:
            for kwargs in calls:
                task.apply_async(kwargs=kwargs, connection=conn, retry=False)
    except Exception:  # the sweep will send them; the caller's work already succeeded
        _broker_paused_until = time.monotonic() + settings.NOTIFICATION_BROKER_PAUSE_SECONDS
        logger.warning("Broker unavailable; %s %s left to the sweep", len(calls), task.name)


# --- Checks -----------------------------------------------------------------------------------


@checks.register()
def check_outbox(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """The lease must outlast any single send, and a sweep must end before its soft limit."""
    errors: list[checks.CheckMessage] = []
    lease = settings.OUTBOX_LEASE_SECONDS
    email_timeout = getattr(settings, "EMAIL_TIMEOUT", None)
    if email_timeout is None or lease < LEASE_PER_EMAIL_TIMEOUT * email_timeout:
        errors.append(
            checks.Error(
                f"OUTBOX_LEASE_SECONDS ({lease}) must be at least {LEASE_PER_EMAIL_TIMEOUT} × "
                f"EMAIL_TIMEOUT ({email_timeout}): a send outliving its lease can be sent twice.",
                hint="Set EMAIL_TIMEOUT, or raise OUTBOX_LEASE_SECONDS.",
                id="innovation.E101",
            )
        )
    soft_limit = getattr(settings, "CELERY_TASK_SOFT_TIME_LIMIT", None)
    if soft_limit is not None and settings.OUTBOX_SWEEP_SECONDS + lease > soft_limit:
        errors.append(
            checks.Error(
                f"OUTBOX_SWEEP_SECONDS + OUTBOX_LEASE_SECONDS ({settings.OUTBOX_SWEEP_SECONDS}"
                f" + {lease}) must not exceed CELERY_TASK_SOFT_TIME_LIMIT ({soft_limit}): the "
                "last send of a sweep would be cut off.",
                id="innovation.E102",
            )
        )
    for model in outbox_models():
        path = getattr(model, "outbox_message", None)
        try:
            if not callable(import_string(path or "")):
                raise ImportError(path)
        except ImportError:
            errors.append(
                checks.Error(
                    f"{model._meta.label}.outbox_message ({path!r}) is not an importable "
                    "function: its rows would never be sent.",
                    obj=model,
                    id="innovation.E103",
                )
            )
    return errors
