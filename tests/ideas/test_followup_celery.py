"""The reminder sweep through a real Celery worker and a real Redis broker.

Reuses the worker fixtures of tests/integration (a solo worker thread on a queue private to
this run's test database): beat's message is sent to the broker twice, as a scheduler running
twice would, and each reminder still produces one e-mail per recipient.
"""

import datetime
import time
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from ideas.mandates.tasks import send_followup_reminders
from ideas.models import FollowUpReminder
from innovation.platform.models import Notification
from tests.factories import active_mandate
from tests.integration.test_celery_email import (  # noqa: F401 (fixtures used by name)
    celery_worker,
    private_queue,
    through_the_broker,
    wait_for,
)

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.mark.usefixtures("celery_worker")
def test_beat_firing_twice_through_redis_sends_each_reminder_once():
    mandate = active_mandate(starts_on=datetime.date(2026, 1, 5), ends_on=datetime.date(2026, 4, 5))
    mail.outbox = []
    expected = {mandate.members.get().agent.email, mandate.created_by.email}

    with time_machine.travel(datetime.datetime(2026, 2, 16, 9, 5, tzinfo=ZoneInfo("Europe/Paris"))):
        first = send_followup_reminders.apply_async()
        second = send_followup_reminders.apply_async()
        assert first.id != second.id

        def all_sent() -> bool:
            return FollowUpReminder.objects.filter(
                state="sent"
            ).count() == 1 and Notification.objects.filter(
                kind="followup_due", delivery_state="sent"
            ).count() == len(expected)

        assert wait_for(all_sent)
        # Give the second sweep (and any duplicate) time to reach the worker and run.
        time.sleep(2)

    reminders = [m for m in mail.outbox if m.subject.startswith("[Tremplin] Point d'étape")]
    counts = Counter(message.to[0] for message in reminders)
    assert counts == Counter(dict.fromkeys(expected, 1))
