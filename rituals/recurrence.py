"""Dates of a ritual: which days the rule gives, and generating them ahead, idempotently."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from rituals.models import Occurrence, Ritual

# How far ahead dates exist, so people can register and calendars show them.
HORIZON_DAYS = 70  # ten weeks


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def local_start(day: datetime.date, time: datetime.time) -> datetime.datetime:
    """The aware start of a local wall-clock time on a day (Europe/Paris): 8:30 stays 8:30
    on either side of a daylight-saving change, its UTC offset follows the date."""
    return datetime.datetime.combine(day, time, tzinfo=local_zone())


def rule_dates(ritual: Ritual, first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """Dates the rule gives between `first` and `last` included: the first weekday on or after
    `starts_on`, then every `interval_days`."""
    anchor = ritual.first_date()
    step = ritual.interval_days
    if step <= 0 or last < anchor:
        return []
    skipped = 0 if first <= anchor else -(-(first - anchor).days // step)
    day = anchor + datetime.timedelta(days=skipped * step)
    dates = []
    while day <= last:
        dates.append(day)
        day += datetime.timedelta(days=step)
    return dates


def generate(
    ritual: Ritual,
    first: datetime.date,
    last: datetime.date,
    *,
    not_before: datetime.datetime | None = None,
) -> int:
    """Create the missing occurrences between two dates; returns how many were created.

    Idempotent and safe to run concurrently: a date already generated (even if it was moved
    or cancelled since) is left alone by the unique (ritual, original_date) constraint.
    """
    candidates = [
        Occurrence(
            ritual=ritual,
            original_date=day,
            starts_at=local_start(day, ritual.start_time),
            duration_minutes=ritual.duration_minutes,
        )
        for day in rule_dates(ritual, first, last)
    ]
    if not_before is not None:
        candidates = [occurrence for occurrence in candidates if occurrence.starts_at > not_before]
    if not candidates:
        return 0
    days = [occurrence.original_date for occurrence in candidates]
    existing = Occurrence.objects.filter(ritual=ritual, original_date__in=days).count()
    with transaction.atomic():
        Occurrence.objects.bulk_create(candidates, ignore_conflicts=True)
    return Occurrence.objects.filter(ritual=ritual, original_date__in=days).count() - existing


def extend_horizon(ritual: Ritual, *, now: datetime.datetime | None = None) -> int:
    """Generate the ritual's dates from now to the horizon; nothing for an inactive ritual."""
    if not ritual.active:
        return 0
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    return generate(ritual, today, today + datetime.timedelta(days=HORIZON_DAYS), not_before=now)


def extend_all_horizons(*, now: datetime.datetime | None = None) -> int:
    """The daily job: keep every active ritual's dates generated ahead."""
    return sum(extend_horizon(ritual, now=now) for ritual in Ritual.objects.filter(active=True))
