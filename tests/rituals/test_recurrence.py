"""Which dates a ritual gets, at which local time, generated once."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from rituals import recurrence, services
from rituals.models import Occurrence, Ritual
from tests.factories import OrganisationFactory, RegistrationFactory, RitualFactory

PARIS = ZoneInfo("Europe/Paris")
UTC = datetime.UTC


def at(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=PARIS)


def local_dates(ritual) -> list[datetime.date]:
    return [
        timezone.localtime(o.starts_at).date() for o in ritual.occurrences.order_by("starts_at")
    ]


@pytest.mark.django_db
def test_rule_dates_start_on_the_weekday_and_follow_the_interval():
    # 2 March 2026 is a Monday: the first Thursday is 5 March.
    ritual = RitualFactory(starts_on=datetime.date(2026, 3, 2), weekday=3, interval_days=14)

    dates = recurrence.rule_dates(ritual, datetime.date(2026, 3, 1), datetime.date(2026, 4, 30))

    assert dates == [
        datetime.date(2026, 3, 5),
        datetime.date(2026, 3, 19),
        datetime.date(2026, 4, 2),
        datetime.date(2026, 4, 16),
        datetime.date(2026, 4, 30),
    ]
    assert {day.weekday() for day in dates} == {3}


@pytest.mark.django_db
def test_rule_dates_skip_to_the_right_step_when_starting_later():
    ritual = RitualFactory(starts_on=datetime.date(2026, 3, 5), weekday=3, interval_days=14)

    dates = recurrence.rule_dates(ritual, datetime.date(2026, 3, 20), datetime.date(2026, 4, 20))

    assert dates == [datetime.date(2026, 4, 2), datetime.date(2026, 4, 16)]


@pytest.mark.django_db
def test_rule_dates_with_an_interval_in_days_not_weeks():
    ritual = RitualFactory(starts_on=datetime.date(2026, 3, 5), weekday=3, interval_days=10)

    dates = recurrence.rule_dates(ritual, datetime.date(2026, 3, 1), datetime.date(2026, 4, 5))

    assert dates == [
        datetime.date(2026, 3, 5),
        datetime.date(2026, 3, 15),
        datetime.date(2026, 3, 25),
        datetime.date(2026, 4, 4),
    ]


@pytest.mark.django_db
def test_occurrences_keep_local_time_across_the_end_of_march_dst_change():
    # Summer time starts on Sunday 29 March 2026.
    ritual = RitualFactory(
        starts_on=datetime.date(2026, 3, 19), weekday=3, interval_days=7, active=False
    )

    recurrence.generate(ritual, datetime.date(2026, 3, 19), datetime.date(2026, 4, 2))

    starts = list(ritual.occurrences.order_by("starts_at").values_list("starts_at", flat=True))
    assert [s.astimezone(UTC).time() for s in starts] == [
        datetime.time(7, 30),
        datetime.time(7, 30),
        datetime.time(6, 30),
    ]
    assert {s.astimezone(PARIS).time() for s in starts} == {datetime.time(8, 30)}


@pytest.mark.django_db
def test_occurrences_keep_local_time_across_the_end_of_october_dst_change():
    # Winter time comes back on Sunday 25 October 2026.
    ritual = RitualFactory(
        starts_on=datetime.date(2026, 10, 15), weekday=3, interval_days=7, active=False
    )

    recurrence.generate(ritual, datetime.date(2026, 10, 15), datetime.date(2026, 10, 29))

    starts = list(ritual.occurrences.order_by("starts_at").values_list("starts_at", flat=True))
    assert [s.astimezone(UTC).time() for s in starts] == [
        datetime.time(6, 30),
        datetime.time(6, 30),
        datetime.time(7, 30),
    ]
    assert {s.astimezone(PARIS).time() for s in starts} == {datetime.time(8, 30)}


@pytest.mark.django_db
def test_extend_horizon_generates_ten_weeks_ahead_and_never_the_past():
    with time_machine.travel(at(2026, 3, 5, 10, 0), tick=False):
        # Created at 10:00 on a Thursday: today's 8:30 date is already over.
        ritual = RitualFactory(starts_on=datetime.date(2026, 3, 5), weekday=3, interval_days=14)

        created = recurrence.extend_horizon(ritual)

    assert created == 5
    assert local_dates(ritual) == [
        datetime.date(2026, 3, 19),
        datetime.date(2026, 4, 2),
        datetime.date(2026, 4, 16),
        datetime.date(2026, 4, 30),
        datetime.date(2026, 5, 14),
    ]


@pytest.mark.django_db
def test_extend_horizon_is_idempotent_and_extends_as_time_passes():
    with time_machine.travel(at(2026, 3, 1, 6, 0), tick=False):
        ritual = RitualFactory(starts_on=datetime.date(2026, 3, 1), weekday=3, interval_days=14)
        first = recurrence.extend_horizon(ritual)
        again = recurrence.extend_horizon(ritual)
    with time_machine.travel(at(2026, 3, 20, 6, 0), tick=False):
        later = recurrence.extend_horizon(ritual)

    assert (first, again, later) == (5, 0, 2)
    assert ritual.occurrences.count() == 7
    assert local_dates(ritual)[-1] == datetime.date(2026, 5, 28)


@pytest.mark.django_db
def test_extend_horizon_does_not_recreate_a_moved_or_cancelled_date():
    with time_machine.travel(at(2026, 3, 1, 6, 0), tick=False):
        ritual = RitualFactory(starts_on=datetime.date(2026, 3, 1), weekday=3, interval_days=14)
        recurrence.extend_horizon(ritual)
        moved, cancelled = ritual.occurrences.order_by("starts_at")[:2]
        services.update_occurrence(
            moved,
            actor=ritual.created_by,
            starts_at=at(2026, 3, 6, 12, 0),
            duration_minutes=60,
            place="",
            capacity=None,
            presenter=None,
            idea=None,
            topic="",
        )
        services.cancel_occurrence(cancelled, actor=ritual.created_by, reason="Congés")

        created = recurrence.extend_horizon(ritual)

    assert created == 0
    assert ritual.occurrences.count() == 5


@pytest.mark.django_db
def test_extend_horizon_does_nothing_for_an_inactive_ritual():
    ritual = RitualFactory(active=False)

    assert recurrence.extend_horizon(ritual) == 0
    assert ritual.occurrences.count() == 0


@pytest.mark.django_db
def test_create_ritual_generates_dates(delegate):
    with time_machine.travel(at(2026, 3, 1, 6, 0), tick=False):
        ritual = services.create_ritual(
            actor=delegate,
            organisation=delegate.organisation,
            data={
                "title": "Petit-déjeuner de l'innovation",
                "starts_on": datetime.date(2026, 3, 1),
                "weekday": 3,
                "start_time": datetime.time(8, 30),
                "place": "Salle du conseil",
            },
        )

    assert (ritual.interval_days, ritual.capacity) == (14, 20)
    assert ritual.occurrences.count() == 5


@pytest.mark.django_db
def test_create_ritual_refuses_an_interval_of_zero_and_saves_nothing(delegate):
    with pytest.raises(ValidationError) as error:
        services.create_ritual(
            actor=delegate,
            organisation=delegate.organisation,
            data={
                "title": "Zéro",
                "starts_on": datetime.date(2026, 3, 1),
                "interval_days": 0,
                "capacity": 0,
                "place": "Salle",
            },
        )

    assert error.value.message_dict == {
        "interval_days": ["L'intervalle doit être d'au moins un jour."],
        "capacity": ["Il faut au moins une place."],
    }
    assert Ritual.objects.count() == 0


@pytest.mark.django_db
def test_database_refuses_an_interval_or_capacity_of_zero():
    organisation = OrganisationFactory()
    ritual = RitualFactory(organisation=organisation)

    with pytest.raises(IntegrityError):
        Ritual.objects.filter(pk=ritual.pk).update(interval_days=0)


@pytest.mark.django_db
def test_new_rule_regenerates_untouched_dates_and_keeps_those_with_registrants():
    with time_machine.travel(at(2026, 3, 1, 6, 0), tick=False):
        ritual = RitualFactory(starts_on=datetime.date(2026, 3, 1), weekday=3, interval_days=14)
        recurrence.extend_horizon(ritual)
        kept = ritual.occurrences.order_by("starts_at")[1]
        RegistrationFactory(occurrence=kept)

        services.update_ritual(
            ritual, actor=ritual.created_by, data={"weekday": 1, "interval_days": 7}
        )

    dates = local_dates(ritual)
    assert timezone.localtime(kept.starts_at).date() in dates
    assert Occurrence.objects.filter(pk=kept.pk).exists()
    others = [day for day in dates if day != timezone.localtime(kept.starts_at).date()]
    assert {day.weekday() for day in others} == {1}
    assert len(others) == 10
