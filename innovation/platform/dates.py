"""Dates and times as French readers expect them, in one place.

« 1er décembre 2026 », « mardi 1er décembre 2026 à 8 h 30 », « 01/12/2026 à 14 h 05 ».
Pages use the filters of the `dates` template library, Python code (messages, notifications)
these functions; nothing else formats a date or a time written for a person to read. (CSV
exports keep `dd/mm/yyyy hh:mm`, which spreadsheets read as a date.)
"""

import datetime
from functools import lru_cache

from django.utils import timezone
from django.utils.dates import MONTHS, WEEKDAYS
from django.utils.translation import get_language

Moment = datetime.date | datetime.datetime

# Django's `date_format` costs 50-150 µs a call (format lookups, a DateFormat object, lazy
# month names), and a page shows up to fifty dates: the few formats of this module are
# written out here instead, with the month and day names Django translates, read once per
# language. They are those of innovation/formats/fr (SHORT_DATE_FORMAT « d/m/Y »,
# TIME_FORMAT « G h i » with no-break spaces): tests/innovation/test_french.py holds them equal.
NBSP = "\u00a0"


@lru_cache(maxsize=4)
def _names(language: str | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The month names (January first) and weekday names (Monday first) of `language`, the
    active one: it is only the cache key."""
    months = tuple(str(MONTHS[number]) for number in range(1, 13))
    weekdays = tuple(str(WEEKDAYS[number]) for number in range(7))
    return months, weekdays


def _local_datetime(value: datetime.datetime) -> datetime.datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value


def _local(value: Moment) -> Moment:
    return _local_datetime(value) if isinstance(value, datetime.datetime) else value


def _day(local: Moment) -> str:
    number = "1er" if local.day == 1 else str(local.day)
    return f"{number} {_names(get_language())[0][local.month - 1]} {local.year}"


def _long_day(local: Moment) -> str:
    return f"{_names(get_language())[1][local.weekday()]} {_day(local)}"


def _short_day(local: Moment) -> str:
    return f"{local.day:02d}/{local.month:02d}/{local.year}"


def _hour(local: datetime.datetime | datetime.time) -> str:
    return f"{local.hour}{NBSP}h{NBSP}{local.minute:02d}"


def day(value: Moment) -> str:
    """« 1er décembre 2026 », « 2 décembre 2026 »: the first of the month is an ordinal."""
    return _day(_local(value))


def long_day(value: Moment) -> str:
    """« mardi 1er décembre 2026 »."""
    return _long_day(_local(value))


def short_day(value: Moment) -> str:
    """« 01/12/2026 », for tables."""
    return _short_day(_local(value))


def hour(value: datetime.datetime | datetime.time) -> str:
    """« 8 h 30 », « 14 h 05 », with no-break spaces so that « h » never starts a line."""
    if isinstance(value, datetime.datetime):
        value = _local_datetime(value)
    return _hour(value)


def moment(value: datetime.datetime) -> str:
    """« 1er décembre 2026 à 14 h 30 »."""
    local = _local_datetime(value)
    return f"{_day(local)} à {_hour(local)}"


def long_moment(value: datetime.datetime) -> str:
    """« mardi 1er décembre 2026 à 8 h 30 »."""
    local = _local_datetime(value)
    return f"{_long_day(local)} à {_hour(local)}"


def short_moment(value: datetime.datetime) -> str:
    """« 01/12/2026 à 14 h 30 », for tables."""
    local = _local_datetime(value)
    return f"{_short_day(local)} à {_hour(local)}"


def machine(value: Moment) -> str:
    """The `datetime` attribute of a <time>: « 2026-12-01T14:30:05+01:00 », to the second —
    the microseconds of a record made at run time are not a valid HTML date."""
    value = _local(value)
    if isinstance(value, datetime.datetime):
        return value.replace(microsecond=0).isoformat()
    return value.isoformat()
