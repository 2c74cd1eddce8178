"""Redis down or silent: the three everyday actions stay fast, save, and their e-mails go later.

Each action goes through the real view with the Django test client, on real PostgreSQL, with a
Celery app whose broker is either a closed port (every connection refused at once) or a socket
that accepts connections and never answers (the kernel completes the handshake; nothing reads
or writes). The only thing switched is the broker URL, exactly as a process would see it: the
application code, kombu and redis-py are the real ones.

"Once Redis is back" is the periodic sweep (`send_pending_emails`), which needs no broker: it
must send every pending e-mail once, and a second sweep nothing.
"""

import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.core import mail
from django.urls import reverse

from ideas.models import Idea, Mandate, Signature
from innovation.platform import notifications
from innovation.platform.models import Notification
from innovation.platform.outbox import DeliveryState
from rituals.models import Registration
from tests.factories import (
    AgentFactory,
    DelegateFactory,
    MandateFactory,
    OccurrenceFactory,
    RitualFactory,
    sign_all,
)
from tests.integration.test_celery_email import (  # noqa: F401 (fixtures used by name)
    broker_app,
    refusing_broker,
)

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

# A requirement, not a benchmark: a person clicking must get an answer within 3 seconds.
MAX_SECONDS = 3.0

BROKERS = ["refusing_broker", "silent_redis"]


class SilentRedis:
    """A TCP server on loopback that accepts every connection, reads nothing, answers nothing,
    and counts the connections it was offered (how many broker attempts the app made)."""

    def __init__(self) -> None:
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.listener.settimeout(0.1)
        self.accepted: list[socket.socket] = []
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.listener.getsockname()[1]}/0"

    def _serve(self) -> None:
        while not self.stopping.is_set():
            try:
                connection, _address = self.listener.accept()
            except TimeoutError:
                continue
            self.accepted.append(connection)

    def close(self) -> None:
        self.stopping.set()
        self.thread.join()
        for connection in self.accepted:
            connection.close()
        self.listener.close()


@pytest.fixture
def silent_redis() -> Iterator[SilentRedis]:
    server = SilentRedis()
    try:
        with contextmanager(broker_app)(server.url):
            yield server
    finally:
        server.close()


def timed(call):
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


def pending_emails() -> Counter:
    return Counter(
        Notification.objects.filter(delivery_state=DeliveryState.PENDING).values_list(
            "recipient__email", flat=True
        )
    )


def assert_sweep_sends_each_pending_email_once(expected: Counter) -> None:
    mail.outbox = []
    assert pending_emails() == expected
    assert notifications.send_pending_emails() == sum(expected.values())
    assert notifications.send_pending_emails() == 0
    assert Counter(message.to[0] for message in mail.outbox) == expected
    assert not Notification.objects.filter(
        delivery_state__in=[DeliveryState.PENDING, DeliveryState.SENDING]
    ).exists()


@pytest.mark.parametrize("broker", BROKERS)
def test_submitting_an_idea_without_redis_answers_fast_and_mails_later(request, client, broker):
    agent = AgentFactory()
    delegate = DelegateFactory(organisation=agent.organisation)
    client.force_login(agent)
    request.getfixturevalue(broker)
    data = {
        "title": "Un guichet unique pour les cartes de stationnement",
        "irritant": "Trois services, trois formulaires.",
        "proposal": "Un seul formulaire en ligne.",
        "beneficiaries": Idea.Beneficiaries.USERS,
        "expected_impact": "Moins de déplacements.",
        "action": "submit",
    }

    response, seconds = timed(lambda: client.post(reverse("ideas:create"), data))

    assert response.status_code == 302
    assert seconds < MAX_SECONDS
    idea = Idea.objects.get(author=agent)
    assert idea.state == Idea.State.SUBMITTED
    assert_sweep_sends_each_pending_email_once(Counter({delegate.email: 1}))


@pytest.mark.parametrize("broker", BROKERS)
def test_signing_a_mandate_without_redis_answers_fast_and_mails_later(request, client, broker):
    mandate = MandateFactory(team=1)
    last = mandate.client_director
    sign_all(mandate, except_for=[last])
    Notification.objects.update(delivery_state=DeliveryState.SENT)
    client.force_login(last)
    request.getfixturevalue(broker)

    response, seconds = timed(
        lambda: client.post(
            reverse("ideas:mandate_sign", args=[mandate.pk]), {"decision": "signed"}
        )
    )

    assert response.status_code == 302
    assert seconds < MAX_SECONDS
    mandate.refresh_from_db()
    assert mandate.state == Mandate.State.ACTIVE
    assert Signature.objects.filter(mandate=mandate, signer=last).exists()
    # Everyone involved hears that the mandate is active: the four parties and the delegate.
    member = mandate.members.get()
    expected = Counter(
        {
            mandate.sponsor.email: 1,
            mandate.client_director.email: 1,
            member.agent.email: 1,
            member.manager.email: 1,
            mandate.created_by.email: 1,
        }
    )
    assert_sweep_sends_each_pending_email_once(expected)


@pytest.mark.parametrize("broker", BROKERS)
def test_registering_to_a_breakfast_without_redis_answers_fast_and_mails_later(
    request, client, broker
):
    occurrence = OccurrenceFactory(ritual=RitualFactory(capacity=1))
    first = AgentFactory(organisation=occurrence.ritual.organisation)
    second = AgentFactory(organisation=occurrence.ritual.organisation)
    url = reverse("rituals:register", args=[occurrence.pk])
    request.getfixturevalue(broker)
    timings = []

    client.force_login(first)
    response, seconds = timed(lambda: client.post(url))
    timings.append(seconds)
    assert response.status_code == 302
    client.force_login(second)
    response, seconds = timed(lambda: client.post(url))
    timings.append(seconds)
    assert response.status_code == 302
    # The first person withdraws: the second one is promoted and must be told by e-mail.
    client.force_login(first)
    response, seconds = timed(lambda: client.post(url, {"action": "cancel"}))
    timings.append(seconds)

    assert response.status_code == 302
    assert max(timings) < MAX_SECONDS
    statuses = dict(
        Registration.objects.filter(occurrence=occurrence).values_list("user", "status")
    )
    assert statuses == {
        first.pk: Registration.Status.CANCELLED,
        second.pk: Registration.Status.CONFIRMED,
    }
    assert_sweep_sends_each_pending_email_once(Counter({second.email: 1}))


def test_after_one_failure_requests_skip_the_broker_for_a_while(client, silent_redis):
    """The circuit breaker: the first request pays one short attempt (about
    NOTIFICATION_BROKER_TIMEOUT_SECONDS), the next ones do not try the broker at all."""
    agent = AgentFactory()
    delegate = DelegateFactory(organisation=agent.organisation)
    client.force_login(agent)
    data = {
        "title": "Idée",
        "irritant": "Irritant.",
        "proposal": "Proposition.",
        "beneficiaries": Idea.Beneficiaries.AGENTS,
        "expected_impact": "Impact.",
        "action": "submit",
    }
    timings = []

    for number in range(3):
        response, seconds = timed(
            lambda n=number: client.post(reverse("ideas:create"), {**data, "title": f"Idée {n}"})
        )
        assert response.status_code == 302
        timings.append(seconds)

    assert max(timings) < MAX_SECONDS
    assert len(silent_redis.accepted) == 1
    assert Idea.objects.filter(author=agent, state=Idea.State.SUBMITTED).count() == 3
    assert_sweep_sends_each_pending_email_once(Counter({delegate.email: 3}))
