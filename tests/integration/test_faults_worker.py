"""A Celery worker killed mid-task leaves nothing sent twice and nothing lost.

The "worker" is a real separate Python process running the real task code against this test's
PostgreSQL database; it is stopped with SIGKILL (no cleanup, no `finally`, like the OOM killer
or a `kill -9`) at a point the test controls:

- while delivering an e-mail it has claimed (row in state `sending`): its SMTP server accepts
  the connection and never answers, so the process is stuck inside the send;
- in the middle of a reminder sweep's transaction (follow-ups, breakfasts): the test holds a
  row lock on the recipients, so the sweep blocks on its first notification insert, after it
  has claimed its rows.

Celery's `acks_late` + `reject_on_worker_lost` then deliver the task again, and beat fires the
sweep again a few minutes later: the tests replay exactly that, then check every e-mail went
out once. A redelivery of a task that already finished (the ack lost) is also replayed through
a real worker on Redis.
"""

import datetime
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg2
import pytest
import time_machine
from celery.signals import task_postrun
from django.conf import settings
from django.core import mail
from django.db import connection
from django.db.models.functions import Now

from ideas.mandates import followups
from ideas.models import FollowUpReminder
from innovation.platform import notifications
from innovation.platform.models import Notification
from innovation.platform.outbox import DeliveryState
from innovation.platform.tasks import send_notification_email
from rituals import services as rituals
from rituals.models import Occurrence
from tests.factories import (
    NotificationFactory,
    OccurrenceFactory,
    RegistrationFactory,
    active_mandate,
)
from tests.integration.test_celery_email import (  # noqa: F401 (fixtures used by name)
    celery_worker,
    private_queue,
)

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

ROOT = Path(settings.BASE_DIR)
PARIS = ZoneInfo("Europe/Paris")


def wait_for(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


class Worker:
    """A separate process running `code` after django.setup(), on this test's database."""

    def __init__(self, code: str) -> None:
        db = connection.settings_dict
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "innovation.settings_test",
            "DATABASE_URL": (
                f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:"
                f"{db['PORT'] or 5432}/{db['NAME']}"
            ),
        }
        script = "import django\ndjango.setup()\n" + textwrap.dedent(code)
        self.process = subprocess.Popen(
            [sys.executable, "-c", script],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)
        assert self.process.returncode == -signal.SIGKILL, self.process.stdout.read().decode()

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process.stdout.close()


@pytest.fixture
def spawn() -> Iterator[Callable[[str], Worker]]:
    workers: list[Worker] = []

    def start(code: str) -> Worker:
        workers.append(Worker(code))
        return workers[-1]

    yield start
    for worker in workers:
        worker.close()


@pytest.fixture
def via_the_broker() -> Iterator[None]:
    """Tasks cross Redis to the test worker (only where asked: the kill tests stay eager)."""
    app = send_notification_email.app
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = False
    yield
    app.conf.task_always_eager = previous


@pytest.fixture
def silent_smtp() -> Iterator[int]:
    """An SMTP server that accepts connections and never sends its greeting."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield listener.getsockname()[1]


def backends_waiting_on_a_lock() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


def other_backends() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
        )
        return cursor.fetchone()[0]


class PendingDuplicate:
    """A second connection inserting, without committing, the notification rows a sweep is about
    to insert (same recipient and dedupe key): the sweep's INSERT waits on the unique index for
    this transaction, i.e. it blocks mid-transaction, after claiming its rows."""

    def __init__(self, recipient_ids: list[int], dedupe_key: str) -> None:
        self.connection = psycopg2.connect(**connection.get_connection_params())
        with self.connection.cursor() as cursor:
            for recipient_id in recipient_ids:
                cursor.execute(
                    "INSERT INTO innovation_notification (recipient_id, kind, subject, body, url,"
                    " dedupe_key, created_at, delivery_state, delivery_attempts)"
                    " VALUES (%s, 'test', '', '', '', %s, now(), 'skipped', 0)",
                    [recipient_id, dedupe_key],
                )

    def release(self) -> None:
        self.connection.rollback()
        self.connection.close()


def kill_mid_sweep(spawn, code: str, recipients: list[int], dedupe_key: str) -> None:
    """Start a sweep in another process, let it block inside its transaction, kill it."""
    baseline = other_backends()
    blocker = PendingDuplicate(recipients, dedupe_key)
    try:
        worker = spawn(code)
        wait_for(lambda: backends_waiting_on_a_lock() == 1)
        worker.kill()
    finally:
        blocker.release()
    # The dead client's backend finishes its INSERT, finds the socket closed, rolls back, exits.
    wait_for(lambda: other_backends() == baseline)


def test_a_worker_killed_while_sending_leaves_the_email_to_the_sweep_once(spawn, silent_smtp):
    notification = NotificationFactory(delivery_state=DeliveryState.PENDING)
    worker = spawn(
        f"""
        from django.conf import settings
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", {silent_smtp}
        settings.EMAIL_TIMEOUT = 600
        from innovation.platform.tasks import send_notification_email
        send_notification_email.run(notification_id={notification.pk})
        """
    )
    wait_for(
        lambda: Notification.objects.filter(
            pk=notification.pk, delivery_state=DeliveryState.SENDING
        ).exists()
    )

    worker.kill()
    mail.outbox = []

    # acks_late + reject_on_worker_lost: the same message comes back to another worker.
    assert (
        send_notification_email.apply(kwargs={"notification_id": notification.pk}).result is False
    )
    # The sweep leaves a row alone while its claim lives: its first worker might be sending.
    assert notifications.send_pending_emails() == 0
    # The lease ends (database time; tests/integration/test_outbox.py waits for a real one).
    Notification.objects.filter(pk=notification.pk).update(delivery_lease_until=Now())
    assert notifications.send_pending_emails() == 1
    assert notifications.send_pending_emails() == 0
    assert [message.to for message in mail.outbox] == [[notification.recipient.email]]
    notification.refresh_from_db()
    assert notification.delivery_state == DeliveryState.SENT


def test_a_followup_sweep_killed_mid_transaction_loses_and_repeats_nothing(spawn):
    mandate = active_mandate(starts_on=datetime.date(2026, 1, 5), ends_on=datetime.date(2026, 4, 5))
    moment = datetime.datetime(2026, 2, 16, 9, 5, tzinfo=PARIS)
    recipients = [mandate.members.get().agent, mandate.created_by]
    followup = mandate.followups.order_by("due_on").first()

    kill_mid_sweep(
        spawn,
        f"""
        import datetime
        from ideas.mandates import followups
        followups.send_followup_reminders(now=datetime.datetime.fromisoformat("{moment}"))
        """,
        [person.pk for person in recipients],
        f"followup:{followup.pk}:due",
    )

    # The plan was committed before the sweep's transaction; the claim was rolled back.
    assert FollowUpReminder.objects.get(followup=followup, kind="due").state == "pending"
    assert not Notification.objects.filter(kind__startswith="followup_").exists()
    mail.outbox = []
    with time_machine.travel(moment, tick=False):
        assert followups.send_followup_reminders(now=moment) == 1
        assert followups.send_followup_reminders(now=moment) == 0  # beat again, redelivery
    assert Counter(message.to[0] for message in mail.outbox) == Counter(
        {person.email: 1 for person in recipients}
    )


def test_a_breakfast_reminder_sweep_killed_mid_transaction_loses_and_repeats_nothing(spawn):
    occurrence = OccurrenceFactory()
    people = [RegistrationFactory(occurrence=occurrence).user for _ in range(2)]
    moment = occurrence.starts_at - datetime.timedelta(hours=20)

    kill_mid_sweep(
        spawn,
        f"""
        import datetime
        from rituals import services
        services.send_reminders(now=datetime.datetime.fromisoformat("{moment.isoformat()}"))
        """,
        [person.pk for person in people],
        rituals.reminder_key(occurrence),
    )

    assert Occurrence.objects.get(pk=occurrence.pk).reminded_at is None
    assert not Notification.objects.filter(kind="ritual_reminder").exists()
    mail.outbox = []
    with time_machine.travel(moment, tick=False):
        assert rituals.send_reminders(now=moment) == 1
        assert rituals.send_reminders(now=moment) == 0
    assert Counter(message.to[0] for message in mail.outbox) == Counter(
        {person.email: 1 for person in people}
    )


@pytest.mark.usefixtures("via_the_broker", "celery_worker")
def test_a_task_delivered_twice_by_the_broker_sends_once():
    notification = NotificationFactory(delivery_state=DeliveryState.PENDING)
    task_id = f"email-{notification.pk}"
    results: list[object] = []

    def finished(sender=None, task_id=None, retval=None, **kwargs):
        if task_id == f"email-{notification.pk}":
            results.append(retval)

    task_postrun.connect(finished, weak=False)
    mail.outbox = []
    try:
        # Two deliveries of one message (same task id), as after a lost ack with acks_late.
        for _ in range(2):
            send_notification_email.apply_async(
                kwargs={"notification_id": notification.pk}, task_id=task_id
            )
        wait_for(lambda: len(results) == 2)
    finally:
        task_postrun.disconnect(finished)

    assert sorted(results) == [False, True]  # the worker ran it twice; one of them sent
    assert [message.to for message in mail.outbox] == [[notification.recipient.email]]
    assert notifications.send_pending_emails() == 0
