"""Races on real PostgreSQL: sweeps in parallel, a sweeper dying with rows claimed, and the
last two parties signing at the same moment."""

import datetime
import threading
import time
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from ideas.mandates import followups
from ideas.mandates import services as mandates
from ideas.models import FollowUp, FollowUpReminder, Idea, IdeaEvent, Mandate, Signature
from innovation.platform.models import Notification
from tests.factories import MandateFactory, active_mandate, sign_all

pytestmark = pytest.mark.django_db(transaction=True)

PARIS = ZoneInfo("Europe/Paris")


def paris(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=PARIS)


def run_in_threads(*targets) -> list:
    """Start the targets together (a barrier), wait for them; returns results or exceptions."""
    barrier = threading.Barrier(len(targets))
    results: list = [None] * len(targets)

    def wrap(index, target):
        try:
            barrier.wait()
            results[index] = target()
        except Exception as error:  # reported to the test
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=wrap, args=(i, t)) for i, t in enumerate(targets)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def five_mandates_due_on_16_february():
    for _ in range(5):
        active_mandate(
            team=2, starts_on=datetime.date(2026, 1, 5), ends_on=datetime.date(2026, 4, 5)
        )
    mail.outbox = []


def test_two_sweeps_at_once_send_each_reminder_once():
    five_mandates_due_on_16_february()

    with time_machine.travel(paris(2026, 2, 16, 9, 5), tick=False):
        results = run_in_threads(
            followups.send_followup_reminders, followups.send_followup_reminders
        )
        again = [followups.send_followup_reminders() for _ in range(3)]

    assert sum(results) == 5
    assert again == [0, 0, 0]
    counts = Counter((tuple(m.to), m.subject) for m in mail.outbox)
    assert set(counts.values()) == {1}
    assert len(mail.outbox) == 5 * 3  # two agents and the mandate's delegate each
    assert FollowUpReminder.objects.filter(state="sent").count() == 5


def test_a_sweeper_killed_with_rows_claimed_sends_nothing_and_the_next_sweep_sends_once():
    five_mandates_due_on_16_february()
    claimed = threading.Event()
    killed = threading.Event()

    class WorkerKilled(Exception):
        pass

    def dying_sweeper():
        now = followups.timezone.now()
        followups.plan_reminders(now)
        with transaction.atomic():
            followups.process_pending_reminders(now)  # rows locked, notifications written
            claimed.set()
            killed.wait(10)
            raise WorkerKilled  # the process dies: PostgreSQL rolls its transaction back

    with time_machine.travel(paris(2026, 2, 16, 9, 5), tick=False):
        thread = threading.Thread(target=lambda: _swallow(dying_sweeper))
        thread.start()
        assert claimed.wait(10)
        # Meanwhile beat fires again: the locked rows are skipped, not waited for.
        started = time.monotonic()
        assert followups.send_followup_reminders() == 0
        assert time.monotonic() - started < 2
        killed.set()
        thread.join(10)
        assert mail.outbox == []
        assert Notification.objects.filter(kind__startswith="followup_").count() == 0
        results = [followups.send_followup_reminders() for _ in range(3)]

    assert results == [5, 0, 0]
    counts = Counter((tuple(m.to), m.subject) for m in mail.outbox)
    assert set(counts.values()) == {1}
    assert len(mail.outbox) == 15


def _swallow(target):
    try:
        target()
    except Exception:
        pass
    finally:
        connection.close()


def test_the_last_two_parties_signing_together_activate_the_mandate_once():
    mandate = MandateFactory(idea__state=Idea.State.SELECTED)
    member = mandate.members.get()
    sign_all(mandate, except_for=[member.agent, member.manager])

    results = run_in_threads(
        lambda: mandates.sign_mandate(mandate, signer=member.agent, decision="signed"),
        lambda: mandates.sign_mandate(mandate, signer=member.manager, decision="signed"),
    )

    assert [type(r) for r in results] == [list, list]
    mandate.refresh_from_db()
    assert mandate.state == Mandate.State.ACTIVE
    assert FollowUp.objects.filter(mandate=mandate).count() == 2
    assert IdeaEvent.objects.filter(idea=mandate.idea, after=Idea.State.ACCOMPANIED).count() == 1
    assert Notification.objects.filter(kind="mandate_active", recipient=member.agent).count() == 1


def test_a_double_click_on_sign_records_one_signature():
    mandate = MandateFactory()
    mandates.send_for_signature(mandate, actor=mandate.created_by)

    results = run_in_threads(
        lambda: mandates.sign_mandate(mandate, signer=mandate.sponsor, decision="signed"),
        lambda: mandates.sign_mandate(mandate, signer=mandate.sponsor, decision="signed"),
    )

    assert sorted(type(r).__name__ for r in results) == ["ValidationError", "list"]
    assert Signature.objects.filter(signer=mandate.sponsor).count() == 1
    assert any(isinstance(r, ValidationError) for r in results)
