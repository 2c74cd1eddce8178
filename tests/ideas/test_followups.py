"""ideas.mandates.followups: due dates (Europe/Paris, DST), recording, promised versus used,
reminders."""

import datetime
from collections import Counter
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from ideas.mandates import followups
from ideas.mandates import services as mandates
from ideas.models import FollowUp, FollowUpReminder, FollowUpTime, Mandate
from innovation.platform.models import Notification
from tests.factories import AgentFactory, DelegateFactory, active_mandate

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
UTC = datetime.UTC


def paris(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=PARIS)


def sent_emails() -> Counter:
    return Counter((tuple(m.to), m.subject) for m in mail.outbox)


# --- Due dates -------------------------------------------------------------------------------


def test_due_dates_every_six_weeks_from_the_start_until_the_end():
    start = datetime.date(2026, 1, 5)

    assert followups.due_dates(start, datetime.date(2026, 4, 5)) == [
        datetime.date(2026, 2, 16),
        datetime.date(2026, 3, 30),
    ]


def test_a_due_date_on_the_last_day_is_kept():
    start = datetime.date(2026, 1, 5)

    assert followups.due_dates(start, datetime.date(2026, 2, 16)) == [datetime.date(2026, 2, 16)]


def test_due_dates_across_the_spring_daylight_saving_change_stay_six_weeks_apart():
    # Paris moves to summer time on Sunday 29 March 2026: the due date stays a Friday.
    start = datetime.date(2026, 2, 20)

    dates = followups.due_dates(start, datetime.date(2026, 6, 1))

    assert dates == [datetime.date(2026, 4, 3), datetime.date(2026, 5, 15)]
    assert {day.weekday() for day in dates} == {start.weekday()}


def test_reminders_go_out_at_nine_paris_time_in_winter_and_in_summer():
    winter = followups.reminder_moments(datetime.date(2026, 2, 16))
    summer = followups.reminder_moments(datetime.date(2026, 4, 3))
    autumn = followups.reminder_moments(datetime.date(2026, 10, 26))  # day after the change

    assert winter[FollowUpReminder.Kind.DUE].astimezone(UTC) == datetime.datetime(
        2026, 2, 16, 8, 0, tzinfo=UTC
    )
    assert summer[FollowUpReminder.Kind.DUE].astimezone(UTC) == datetime.datetime(
        2026, 4, 3, 7, 0, tzinfo=UTC
    )
    assert autumn[FollowUpReminder.Kind.DUE].astimezone(UTC) == datetime.datetime(
        2026, 10, 26, 8, 0, tzinfo=UTC
    )
    # The "upcoming" reminder of the summer date falls before the change: still 9:00 local.
    upcoming = followups.reminder_moments(datetime.date(2026, 3, 31))[
        FollowUpReminder.Kind.UPCOMING
    ]
    assert upcoming == paris(2026, 3, 28, 9)
    assert upcoming.astimezone(UTC) == datetime.datetime(2026, 3, 28, 8, 0, tzinfo=UTC)


def test_the_due_reminder_across_dst_goes_out_at_nine_local_not_before(settings):
    mandate = active_mandate(
        starts_on=datetime.date(2026, 2, 20), ends_on=datetime.date(2026, 5, 1)
    )
    followup = mandate.followups.get()
    assert followup.due_on == datetime.date(2026, 4, 3)
    mail.outbox = []

    with time_machine.travel(datetime.datetime(2026, 4, 3, 6, 59, tzinfo=UTC), tick=False):
        followups.send_followup_reminders()
    kinds_before = set(FollowUpReminder.objects.values_list("kind", flat=True))
    with time_machine.travel(datetime.datetime(2026, 4, 3, 7, 0, tzinfo=UTC), tick=False):
        followups.send_followup_reminders()

    assert FollowUpReminder.Kind.DUE not in kinds_before
    assert FollowUpReminder.objects.get(kind=FollowUpReminder.Kind.DUE).state == "sent"


def test_a_late_follow_up_does_not_shift_the_next_one():
    mandate = active_mandate(starts_on=datetime.date(2026, 1, 5), ends_on=datetime.date(2026, 4, 5))
    first, second = mandate.followups.all()
    agent = mandate.members.get().agent

    with time_machine.travel(paris(2026, 3, 10, 14), tick=False):  # three weeks late
        followups.record_followup(
            first,
            actor=agent,
            data={"progress": "Prestataire choisi.", "indicator": "on_track"},
            hours={mandate.members.get().pk: Decimal("20")},
        )

    second.refresh_from_db()
    assert second.due_on == datetime.date(2026, 3, 30)


# --- Recording -------------------------------------------------------------------------------


def test_a_team_member_records_a_follow_up_with_time_spent():
    mandate = active_mandate(team=2)
    followup = mandate.followups.first()
    first, second = mandate.members.all()

    followups.record_followup(
        followup,
        actor=first.agent,
        data={
            "progress": "Deux centres équipés.",
            "blockers": "Attente de la DSI.",
            "decisions": "On teste en juin.",
            "next_steps": "Mesurer les absences.",
            "indicator": "struggling",
        },
        hours={first.pk: Decimal("18"), second.pk: Decimal("0")},
    )

    followup.refresh_from_db()
    assert followup.is_recorded
    assert followup.recorded_by == first.agent
    assert followup.indicator == "struggling"
    assert dict(FollowUpTime.objects.values_list("member", "hours")) == {
        first.pk: Decimal("18"),
        second.pk: Decimal("0"),
    }
    told = set(
        Notification.objects.filter(kind="followup_recorded").values_list("recipient", flat=True)
    )
    assert mandate.sponsor_id in told
    assert first.agent_id not in told


def test_a_follow_up_on_an_inactive_mandate_is_refused():
    mandate = active_mandate()
    followup = mandate.followups.first()
    mandates.end_mandate(
        mandate, actor=mandate.created_by, outcome=Mandate.State.STOPPED, evaluation="Arrêt."
    )

    with pytest.raises(ValidationError) as error:
        followups.record_followup(
            followup,
            actor=mandate.created_by,
            data={"progress": "x", "indicator": "on_track"},
            hours={mandate.members.get().pk: Decimal("1")},
        )

    assert "n'est pas actif" in error.value.messages[0]
    followup.refresh_from_db()
    assert not followup.is_recorded


def test_someone_outside_the_team_cannot_record():
    mandate = active_mandate()
    followup = mandate.followups.first()

    with pytest.raises(PermissionDenied):
        followups.record_followup(
            followup,
            actor=AgentFactory(organisation=mandate.organisation),
            data={"progress": "x", "indicator": "on_track"},
            hours={},
        )


def test_recording_needs_progress_indicator_and_each_agents_time():
    mandate = active_mandate()
    followup = mandate.followups.first()

    with pytest.raises(ValidationError) as error:
        followups.record_followup(
            followup, actor=mandate.created_by, data={"progress": " "}, hours={}
        )

    member = mandate.members.get()
    assert set(error.value.message_dict) == {"progress", "indicator", f"hours_{member.pk}"}
    assert FollowUpTime.objects.count() == 0


def test_promised_versus_used_per_agent_and_for_the_mandate():
    mandate = active_mandate(
        team=2, starts_on=datetime.date(2026, 1, 5), ends_on=datetime.date(2026, 4, 5)
    )
    first, second = mandate.members.all()
    second.freed_hours_per_week = Decimal("7")
    second.save()

    rows, total = followups.time_balances(
        mandate,
        [first, second],
        {first.pk: Decimal("15"), second.pk: Decimal("42")},
        today=datetime.date(2026, 2, 16),  # six weeks in
    )

    assert [(r.promised_to_date, r.used, r.ratio) for r in rows] == [
        (Decimal("21.0"), Decimal("15"), 71),
        (Decimal("42.0"), Decimal("42"), 100),
    ]
    assert (total.promised_per_week, total.promised_to_date, total.used) == (
        Decimal("10.5"),
        Decimal("63.0"),
        Decimal("57"),
    )


@pytest.fixture
def sweep(django_capture_on_commit_callbacks):
    """Run the sweep as beat would, then what follows its commit (the e-mails)."""

    def run(**kwargs) -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return followups.send_followup_reminders(**kwargs)

    return run


@pytest.fixture
def process(django_capture_on_commit_callbacks):
    def run(*args, **kwargs) -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return followups.process_pending_reminders(*args, **kwargs)

    return run


# --- Reminders (single process) --------------------------------------------------------------


def setup_due_in_a_week():
    """An active mandate whose first follow-up is due on Monday 16 February 2026."""
    mandate = active_mandate(starts_on=datetime.date(2026, 1, 5), ends_on=datetime.date(2026, 4, 5))
    mail.outbox = []
    return mandate, mandate.followups.first()


def test_upcoming_reminder_goes_to_the_team_and_the_delegate(settings, sweep):
    settings.FOLLOWUP_REMINDER_LEAD_DAYS = 3
    mandate, followup = setup_due_in_a_week()
    agent = mandate.members.get().agent

    with time_machine.travel(paris(2026, 2, 13, 9, 5), tick=False):
        sent = sweep()

    assert sent == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted([agent.email, mandate.created_by.email])
    assert mail.outbox[0].subject.startswith("[Tremplin] Point d'étape le lundi 16 février 2026")


def test_nothing_is_sent_before_the_reminder_hour(settings, sweep):
    settings.FOLLOWUP_REMINDER_LEAD_DAYS = 3
    setup_due_in_a_week()

    with time_machine.travel(paris(2026, 2, 13, 8, 59), tick=False):
        assert sweep() == 0

    assert mail.outbox == []


def test_overdue_escalates_to_the_sponsor_and_the_delegate(settings, sweep):
    settings.FOLLOWUP_OVERDUE_DAYS = 3
    mandate, followup = setup_due_in_a_week()
    with time_machine.travel(paris(2026, 2, 16, 9, 1), tick=False):
        sweep()
    mail.outbox = []

    with time_machine.travel(paris(2026, 2, 19, 9, 1), tick=False):
        sweep()

    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [mandate.sponsor.email, mandate.created_by.email]
    )
    assert {m.subject for m in mail.outbox} == {
        f"[Tremplin] Point d'étape en retard : « {mandate.idea.title} »"
    }


def test_a_recorded_follow_up_stops_later_reminders(sweep):
    mandate, followup = setup_due_in_a_week()
    with time_machine.travel(paris(2026, 2, 16, 9, 1), tick=False):
        sweep()
        followups.record_followup(
            followup,
            actor=mandate.members.get().agent,
            data={"progress": "Fait.", "indicator": "ahead"},
            hours={mandate.members.get().pk: Decimal("21")},
        )
    mail.outbox = []

    with time_machine.travel(paris(2026, 3, 10, 9, 1), tick=False):
        assert sweep() == 0

    assert [m for m in mail.outbox if "retard" in m.subject] == []


def test_a_stopped_mandate_gets_no_more_reminders(sweep):
    mandate, followup = setup_due_in_a_week()
    mandates.end_mandate(
        mandate, actor=mandate.created_by, outcome=Mandate.State.STOPPED, evaluation="Arrêt."
    )
    mail.outbox = []

    with time_machine.travel(paris(2026, 3, 10, 9, 1), tick=False):
        assert sweep() == 0

    assert mail.outbox == []


def test_running_the_sweep_three_times_sends_each_reminder_once(settings, sweep):
    settings.FOLLOWUP_REMINDER_LEAD_DAYS = 3
    mandate, followup = setup_due_in_a_week()

    with time_machine.travel(paris(2026, 2, 13, 9, 5), tick=False):
        results = [sweep() for _ in range(3)]

    assert results == [1, 0, 0]
    assert set(sent_emails().values()) == {1}
    assert len(mail.outbox) == 2


def test_beat_stopped_for_fourteen_days_sends_each_escalation_once_after_restart(settings, sweep):
    settings.FOLLOWUP_REMINDER_LEAD_DAYS = 3
    settings.FOLLOWUP_OVERDUE_DAYS = 3
    settings.FOLLOWUP_OVERDUE_AGAIN_DAYS = 10
    mandate, followup = setup_due_in_a_week()

    # Beat last ran on 12 February, then nothing until 26 February (14 days later).
    with time_machine.travel(paris(2026, 2, 12, 9, 0), tick=False):
        assert sweep() == 0
    with time_machine.travel(paris(2026, 2, 26, 9, 3), tick=False):
        results = [sweep() for _ in range(3)]

    assert results == [2, 0, 0]
    states = dict(FollowUpReminder.objects.values_list("kind", "state"))
    assert states == {
        "upcoming": "skipped",  # overtaken: announcing a date already past helps nobody
        "due": "skipped",
        "overdue": "sent",
        "overdue_again": "sent",
    }
    recipients = {mandate.sponsor.email, mandate.created_by.email}
    assert sent_emails() == Counter(
        {
            ((email,), f"[Tremplin] {subject} : « {mandate.idea.title} »"): 1
            for email in recipients
            for subject in ("Point d'étape en retard", "Point d'étape toujours en retard")
        }
    )


def test_a_sweep_that_dies_before_committing_sends_nothing_and_the_next_one_sends_once(sweep):
    mandate, followup = setup_due_in_a_week()

    class WorkerKilled(Exception):
        pass

    with time_machine.travel(paris(2026, 2, 16, 9, 5), tick=False):
        followups.plan_reminders(followups.timezone.now())
        with pytest.raises(WorkerKilled), followups.transaction.atomic():
            # Claims the rows and writes the notifications, then dies before COMMIT.
            assert followups.process_pending_reminders(followups.timezone.now()) == 1
            raise WorkerKilled
        assert mail.outbox == []
        assert Notification.objects.filter(kind__startswith="followup_").count() == 0
        assert sweep() == 1
        assert sweep() == 0

    assert set(sent_emails().values()) == {1}
    assert len(mail.outbox) == 2


def test_a_sweep_that_dies_between_batches_resumes_without_repeating(sweep, process):
    # Three mandates due the same day: a first batch of one commits, then the worker dies.
    for _ in range(3):
        active_mandate(starts_on=datetime.date(2026, 1, 5), ends_on=datetime.date(2026, 4, 5))
    mail.outbox = []

    with time_machine.travel(paris(2026, 2, 16, 9, 5), tick=False):
        now = followups.timezone.now()
        followups.plan_reminders(now)
        assert process(now, limit=1) == 1
        # (killed here) — beat fires again:
        assert sweep() == 2
        assert sweep() == 0

    assert FollowUpReminder.objects.filter(state="sent").count() == 3
    assert set(sent_emails().values()) == {1}
    assert len(mail.outbox) == 3 * 2  # one agent and one delegate per mandate


def test_follow_up_rows_are_created_once_per_due_date():
    mandate = active_mandate(starts_on=datetime.date(2026, 1, 5), ends_on=datetime.date(2026, 4, 5))

    assert followups.create_followups(mandate) == 2
    assert FollowUp.objects.filter(mandate=mandate).count() == 2


def test_delegates_of_the_organisation_are_all_told(sweep):
    mandate, followup = setup_due_in_a_week()
    other = DelegateFactory(organisation=mandate.organisation)

    with time_machine.travel(paris(2026, 2, 16, 9, 5), tick=False):
        sweep()

    assert other.email in {m.to[0] for m in mail.outbox}
