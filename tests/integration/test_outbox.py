"""The outbox against real processes: Celery workers on Redis, PostgreSQL, a real SMTP server.

- Two worker processes sweep through an SMTP server that takes 0.1 s per message, with a
  1 s lease: a batch of 40 lasts four leases, the ratio that made the old claim-500-then-send
  sweep send the tail of its batch twice. No e-mail may go twice.
- A worker is killed with SIGKILL right after the SMTP server accepted a message, before the
  row is marked: the other worker sends everything else once, leaves that row alone while its
  claim lives, then sends it again after the lease, with the same Message-ID.
- The password reset page answers at once whether the SMTP server hangs or refuses.

The workers are real `celery worker` processes (solo pool) on this test's database, each on
a queue of its own; the test plays beat, publishing the sweep task every 0.2 s.
"""

import os
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.urls import reverse

from innovation.celery import app
from innovation.platform import notifications, outbox
from innovation.platform.models import Notification, PasswordResetMail
from innovation.platform.outbox import DeliveryState
from innovation.platform.tasks import send_pending_emails
from tests.factories import AgentFactory, NotificationFactory
from tests.integration.smtp import Accepted, RecordingSMTP
from tests.integration.test_celery_email import (  # noqa: F401 (fixtures used by name)
    celery_worker,
    private_queue,
)

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

ROOT = Path(settings.BASE_DIR)
BEAT_SECONDS = 0.2


def wait_for(condition: Callable[[], bool], timeout: float = 30.0, every: float = 0.05) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(every)


class CeleryWorker:
    """A real `celery worker` process, solo pool, consuming `queue` on the test's Redis and
    database, sending through the SMTP server on `smtp_port` with the given lease."""

    def __init__(self, queue: str, *, smtp_port: int, lease: int, log: Path) -> None:
        db = connection.settings_dict
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "innovation.settings_test",
            "DATABASE_URL": (
                f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:"
                f"{db['PORT'] or 5432}/{db['NAME']}"
            ),
        }
        code = f"""
            import django
            django.setup()
            from django.conf import settings
            settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
            settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", {smtp_port}
            settings.EMAIL_TIMEOUT = 5
            settings.OUTBOX_LEASE_SECONDS = {lease}
            from celery.signals import task_postrun, worker_ready
            worker_ready.connect(lambda **kw: print("ready", flush=True), weak=False)
            task_postrun.connect(
                lambda retval=None, **kw: print(f"sent {{retval}}", flush=True), weak=False
            )
            from innovation.celery import app
            app.conf.task_always_eager = False
            app.conf.worker_redirect_stdouts = False
            app.worker_main([
                "worker", "--pool=solo", "--queues={queue}", "--hostname={log.stem}-{queue}@%h",
                "--without-heartbeat", "--without-gossip", "--without-mingle",
                "--loglevel=WARNING",
            ])
        """
        self.log = log
        self._output = log.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-c", textwrap.dedent(code)],
            cwd=ROOT,
            env=env,
            stdout=self._output,
            stderr=subprocess.STDOUT,
        )

    def lines(self) -> list[str]:
        return self.log.read_text().splitlines()

    def wait_ready(self) -> None:
        wait_for(lambda: "ready" in self.lines() or self.process.poll() is not None)
        assert self.process.poll() is None, self.log.read_text()

    def emails_sent(self) -> int:
        return sum(int(line.split()[1]) for line in self.lines() if line.startswith("sent "))

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # warm shutdown: the sweep under way ends
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self._output.close()


def purge(queue: str) -> None:
    with app.connection_for_write() as broker:
        broker.default_channel.queue_purge(queue)


@pytest.fixture
def queues() -> Callable[[str], str]:
    """Queue names of this test database (xdist processes and other runs never share one)."""
    return lambda name: f"tremplin-outbox-{connection.settings_dict['NAME']}-{name}"


@pytest.fixture
def through_the_broker() -> Iterator[None]:
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = False
    yield
    app.conf.task_always_eager = previous


@pytest.fixture
def start_worker(tmp_path, through_the_broker) -> Iterator[Callable[..., CeleryWorker]]:
    workers: list[CeleryWorker] = []
    used: set[str] = set()

    def start(queue: str, **options) -> CeleryWorker:
        purge(queue)
        used.add(queue)
        workers.append(CeleryWorker(queue, log=tmp_path / f"worker-{len(workers)}.log", **options))
        return workers[-1]

    yield start
    for worker in workers:
        worker.stop()
    for queue in used:
        purge(queue)
    for worker in workers:
        assert "Traceback" not in worker.log.read_text(), worker.log.read_text()


@pytest.fixture
def smtp_server() -> Iterator[Callable[..., RecordingSMTP]]:
    servers: list[RecordingSMTP] = []

    def start(**options) -> RecordingSMTP:
        servers.append(RecordingSMTP(**options).start())
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


def beat(queue: str, until: Callable[[], bool], timeout: float = 30.0) -> None:
    """Publish the periodic sweep every BEAT_SECONDS until `until()`, as beat would (faster)."""
    deadline = time.monotonic() + timeout
    try:
        while not until():
            assert time.monotonic() < deadline, "timed out"
            send_pending_emails.apply_async(queue=queue)
            time.sleep(BEAT_SECONDS)
    finally:
        purge(queue)


def all_sent() -> bool:
    return not Notification.objects.exclude(delivery_state=DeliveryState.SENT).exists()


def test_two_workers_sweeping_through_a_slow_smtp_server_send_each_email_once(
    start_worker, smtp_server, queues
):
    count, seconds_per_email, lease = 40, 0.1, 1
    smtp = smtp_server(delay=seconds_per_email)
    queue = queues("sweep")
    workers = [start_worker(queue, smtp_port=smtp.port, lease=lease) for _ in range(2)]
    for worker in workers:
        worker.wait_ready()
    # Left pending, as after a broker outage: only the sweep sends them.
    rows = NotificationFactory.create_batch(count)

    beat(queue, until=all_sent)
    for worker in workers:
        worker.stop()

    assert smtp.duplicates() == {}
    assert smtp.message_ids() == Counter({outbox.message_id(row): 1 for row in rows})
    # Both sweepers worked at once (a batch lasted several leases: the old code's trap).
    sent = [worker.emails_sent() for worker in workers]
    assert sum(sent) == count and min(sent) > 0, sent


def test_a_worker_killed_after_the_smtp_accept_repeats_only_that_email_after_its_lease(
    start_worker, smtp_server, queues
):
    count, kill_at, lease = 20, 5, 3
    killed = threading.Event()
    in_flight: list[Accepted] = []

    def kill_the_sender(accepted: Accepted) -> None:
        # The server has the message; its sender dies before it can mark the row sent.
        if len(smtp.accepted) == kill_at and not killed.is_set():
            in_flight.append(accepted)
            first.kill()
            killed.set()

    smtp = smtp_server(delay=0.05, on_accept=kill_the_sender)
    first = start_worker(queues("first"), smtp_port=smtp.port, lease=lease)
    second = start_worker(queues("second"), smtp_port=smtp.port, lease=lease)
    first.wait_ready()
    second.wait_ready()
    rows = NotificationFactory.create_batch(count)

    beat(queues("first"), until=killed.is_set)
    (abandoned,) = Notification.objects.filter(delivery_state=DeliveryState.SENDING)
    assert outbox.message_id(abandoned) == in_flight[0].message_id
    beat(queues("second"), until=all_sent)
    second.stop()

    assert first.process.returncode == -signal.SIGKILL
    # Every e-mail went; only the one in flight at the kill went twice, with one Message-ID.
    assert smtp.message_ids() == Counter(
        {outbox.message_id(row): 1 for row in rows} | {in_flight[0].message_id: 2}
    )
    # Never while its claim was alive: the repeat came after the lease.
    repeat = [a for a in smtp.accepted if a.message_id == in_flight[0].message_id][1]
    assert repeat.at >= abandoned.delivery_lease_until.timestamp()
    abandoned.refresh_from_db()
    assert (abandoned.delivery_state, abandoned.delivery_attempts) == (DeliveryState.SENT, 2)


@pytest.fixture
def silent_smtp() -> Iterator[int]:
    """An SMTP server that accepts connections and never sends its greeting."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield listener.getsockname()[1]


@pytest.fixture
def refusing_smtp() -> int:
    return 1  # nothing listens on port 1: every connection is refused at once


@pytest.mark.usefixtures("through_the_broker", "private_queue")
@pytest.mark.parametrize("smtp", ["silent_smtp", "refusing_smtp"])
def test_the_password_reset_page_answers_at_once_whatever_the_smtp_server_does(
    request, client, settings, smtp, smtp_server
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", request.getfixturevalue(smtp)
    settings.EMAIL_TIMEOUT = 5  # a page sending the e-mail itself would take that long
    person = AgentFactory()
    client.get(reverse("password_reset"))  # what a first request loads, once per process

    started = time.monotonic()
    response = client.post(reverse("password_reset"), {"email": person.email})
    seconds = time.monotonic() - started

    assert response.status_code == 302
    # About 0.02 s here: bounded loosely (50 times that), far below the SMTP timeout.
    assert seconds < 1.0
    row = PasswordResetMail.objects.get()
    assert row.delivery_state == DeliveryState.PENDING
    # The relay back: the sweep sends it once (the queued task finds it sent).
    relay = smtp_server()
    settings.EMAIL_PORT = relay.port
    assert (outbox.send_due(), outbox.send_due()) == (1, 0)
    assert relay.message_ids() == Counter({outbox.message_id(row): 1})
    purge(app.conf.task_default_queue)  # the task queued by the request, for no worker


@pytest.mark.usefixtures("through_the_broker", "celery_worker")
def test_a_notification_reaches_a_real_smtp_server_with_its_message_id(settings, smtp_server):
    relay = smtp_server()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", relay.port
    with transaction.atomic():
        (notification,) = notifications.notify(
            [AgentFactory()], kind="idea_moved", subject="Votre idée avance", body="Qualifiée."
        )

    wait_for(lambda: Notification.objects.get(pk=notification.pk).delivery_state == "sent")

    (accepted,) = relay.accepted
    assert accepted.message_id == outbox.message_id(notification)
    assert accepted.recipients == (notification.recipient.email,)
