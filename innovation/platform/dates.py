"""Dates and times as French readers expect them, in one place.

« 1er décembre 2026 », « mardi 1er décembre 2026 à 8 h 30 », « 01/12/2026 à 14 h 05 ».
Pages use the filters of the `dates` template library, Python code (messages, notifications)
these functions; nothing else formats a date or a time written for a person to read. (CSV
exports keep `dd/mm/yyyy hh:mm`, which spreadsheets read as a date.)
"""

import datetime

from django.utils import formats, timezone

Moment = datetime.date | datetime.datetime


def _local_datetime(value: datetime.datetime) -> datetime.datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value


def _local(value: Moment) -> Moment:
    return _local_datetime(value) if isinstance(value, datetime.datetime) else value


def day(value: Moment) -> str:
    """« 1er décembre 2026 », « 2 décembre 2026 »: the first of the month is an ordinal."""
    value = _local(value)
    number = "1er" if value.day == 1 else str(value.day)
    return f"{number} {formats.date_format(value, 'F Y')}"


def long_day(value: Moment) -> str:
    """« mardi 1er décembre 2026 »."""
    value = _local(value)
    return f"{formats.date_format(value, 'l')} {day(value)}"


def short_day(value: Moment) -> str:
    """« 01/12/2026 », for tables."""
    return formats.date_format(_local(value), "SHORT_DATE_FORMAT")


def hour(value: datetime.datetime | datetime.time) -> str:
    """« 8 h 30 », « 14 h 05 » (TIME_FORMAT of innovation/formats/fr)."""
    if isinstance(value, datetime.datetime):
        value = _local_datetime(value)
    return formats.time_format(value, "TIME_FORMAT")


def moment(value: datetime.datetime) -> str:
    """« 1er décembre 2026 à 14 h 30 »."""
    value = _local_datetime(value)
    return f"{day(value)} à {hour(value)}"


def long_moment(value: datetime.datetime) -> str:
    """« mardi 1er décembre 2026 à 8 h 30 »."""
    value = _local_datetime(value)
    return f"{long_day(value)} à {hour(value)}"


def short_moment(value: datetime.datetime) -> str:
    """« 01/12/2026 à 14 h 30 », for tables."""
    value = _local_datetime(value)
    return f"{short_day(value)} à {hour(value)}"


def machine(value: Moment) -> str:
    """The `datetime` attribute of a <time>: « 2026-12-01T14:30:05+01:00 », to the second —
    the microseconds of a record made at run time are not a valid HTML date."""
    value = _local(value)
    if isinstance(value, datetime.datetime):
        return value.replace(microsecond=0).isoformat()
    return value.isoformat()
