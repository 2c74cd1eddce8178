"""Notification e-mails through a real Celery worker and a real Redis broker.

The worker runs in a thread of the test process (`start_worker`) and consumes a queue named
after this run's test database, so that concurrent runs sharing the Redis database (xdist
processes, other developers) never take each other's messages.
"""

import socket
import time
from collections.abc import Callable, Iterator

import pytest
from celery import Celery, current_app
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core import mail
from django.db import transaction

from innovation.celery import app
from innovation.platform import notifications
from innovation.platform.models import Notification, User
from innovation.platform.outbox import DeliveryState
from tests.factories import AgentFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

WORKER_TIMEOUT = 20.0


def wait_for(condition: Callable[[], bool], timeout: float = WORKER_TIMEOUT) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def delivery_state(notification_id: int) -> str:
    return Notification.objects.values_list("delivery_state", flat=True).get(pk=notification_id)


@pytest.fixture(autouse=True)
def through_the_broker() -> Iterator[None]:
    # The test settings run tasks eagerly (in-process); here they must cross the broker.
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = False
    yield
    app.conf.task_always_eager = previous


@pytest.fixture
def private_queue() -> Iterator[str]:
    queue = f"tremplin-test-{settings.DATABASES['default']['NAME']}"
    previous = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    # Messages left by an interrupted earlier run would name rows of another database state.
    with app.connection_for_write() as connection:
        connection.default_channel.queue_purge(queue)
    yield queue
    app.conf.task_default_queue = previous


@pytest.fixture
def celery_worker(private_queue: str) -> Iterator[None]:
    # The solo pool runs tasks in the worker thread; Celery's Django fixup closes that
    # thread's database connection after each task, so the test database can be dropped.
    with start_worker(
        app, pool="solo", perform_ping_check=False, queues=[private_queue], shutdown_timeout=20
    ):
        yield


def broker_app(url: str) -> Iterator[Celery]:
    """Make the current Celery app one whose broker is `url`, as a process would see it."""
    broken = Celery("innovation", set_as_current=False)
    broken.config_from_object("django.conf:settings", namespace="CELERY")
    broken.conf.broker_url = url
    broken.conf.task_always_eager = False
    previous = current_app._get_current_object()
    broken.set_current()
    try:
        yield broken
    finally:
        previous.set_current()
        broken.close()


@pytest.fixture
def refusing_broker() -> Iterator[Celery]:
    # Nothing listens on port 1: every connection is refused at once.
    yield from broker_app("redis://127.0.0.1:1/0")


@pytest.fixture
def silent_broker() -> Iterator[Celery]:
    # A socket that accepts connections (the kernel completes the handshake) and never answers.
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield from broker_app(f"redis://127.0.0.1:{listener.getsockname()[1]}/0")


def notify_in_transaction(person: User) -> float:
    """Notify `person` the way a view does; returns the seconds the caller waited."""
    started = time.monotonic()
    with transaction.atomic():
        notifications.notify(
            [person],
            kind="idea_moved",
            subject="Votre idée avance",
            body="Votre idée est passée en étude.",
            url="/idees/1/",
        )
    return time.monotonic() - started


def test_notification_email_is_sent_once_by_a_real_worker(celery_worker):
    person = AgentFactory()

    notify_in_transaction(person)

    notification = Notification.objects.get(recipient=person)
    assert wait_for(lambda: delivery_state(notification.pk) == DeliveryState.SENT)
    assert [message.to for message in mail.outbox] == [[person.email]]
    assert notifications.send_pending_emails() == 0
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("broker", ["refusing_broker", "silent_broker"])
def test_notify_commits_without_a_broker_and_the_sweep_sends_once(request, broker):
    request.getfixturevalue(broker)
    person = AgentFactory()

    waited = notify_in_transaction(person)

    # Measured at about 0.1 s (refused) and 1 s (silent: the publisher's own timeout), then the
    # breaker skips the broker for NOTIFICATION_BROKER_PAUSE_SECONDS: bounded, never hung.
    assert waited < 10
    notification = Notification.objects.get(recipient=person)
    assert notification.delivery_state == DeliveryState.PENDING
    assert mail.outbox == []
    assert notifications.send_pending_emails() == 1
    assert notifications.send_pending_emails() == 0
    assert [message.to for message in mail.outbox] == [[person.email]]
    notification.refresh_from_db()
    assert notification.delivery_state == DeliveryState.SENT
