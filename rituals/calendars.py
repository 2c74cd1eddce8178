"""iCalendar (RFC 5545) files and feeds for occurrences, in Europe/Paris time.

Each occurrence is one VEVENT whose UID never changes, so calendars update it in place; its
SEQUENCE goes up when it is moved, relocated or cancelled (STATUS:CANCELLED). Start and end
carry TZID=Europe/Paris with the matching VTIMEZONE, so 8:30 stays 8:30 across DST changes.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from innovation.platform import dates
from rituals.models import Occurrence, Registration
from rituals.recurrence import local_zone

PRODID = "-//Tremplin//Petits-déjeuners de l'innovation//FR"
FEED_REFRESH = "PT1H"


def uid(occurrence: Occurrence) -> str:
    host = urlsplit(settings.SITE_URL).hostname or "tremplin"
    return f"occurrence-{occurrence.pk}@{host}"


def one_line(text: str) -> str:
    """A single-line property value: icalendar refuses a bare CR, and a title, place or topic
    typed with line breaks (a crafted form) would otherwise fail every feed that shows it."""
    return " ".join(str(text).split())


def _text(text: str) -> str:
    """A multi-line value (DESCRIPTION): line breaks as LF, which icalendar escapes."""
    return str(text).replace("\r\n", "\n").replace("\r", "\n")


def event(occurrence: Occurrence, *, status: str | None = None) -> Event:
    """The VEVENT of one occurrence; `status` (e.g. waiting list) overrides the default."""
    zone = local_zone()
    ritual = occurrence.ritual
    summary = ritual.title
    if occurrence.subject:
        summary = f"{ritual.title} : {occurrence.subject}"
    url = f"{settings.SITE_URL}{occurrence.get_absolute_url()}"
    lines = []
    presenter = occurrence.presenter if occurrence.presenter_id else None
    if presenter is not None:
        lines.append(_("Présenté par %(name)s") % {"name": presenter.get_full_name()})
    if occurrence.subject:
        lines.append(occurrence.subject)
    if occurrence.is_cancelled:
        lines.append(_("Séance annulée : %(reason)s") % {"reason": occurrence.cancel_reason})
    lines.append(url)

    item = Event()
    item.add("uid", uid(occurrence))
    item.add("dtstamp", timezone.now().astimezone(datetime.UTC))
    item.add("last-modified", occurrence.updated_at.astimezone(datetime.UTC))
    item.add("dtstart", occurrence.starts_at.astimezone(zone))
    item.add("dtend", occurrence.ends_at.astimezone(zone))
    item.add("summary", one_line(summary))
    item.add("location", one_line(occurrence.effective_place))
    item.add("description", _text("\n".join(lines)))
    item.add("url", url)
    item.add("sequence", occurrence.sequence)
    item.add("status", "CANCELLED" if occurrence.is_cancelled else (status or "CONFIRMED"))
    item.add("transp", "OPAQUE")
    return item


def calendar(
    occurrences: Iterable[Occurrence],
    *,
    name: str,
    statuses: dict[int, str] | None = None,
    feed: bool = False,
) -> bytes:
    """A VCALENDAR with one VEVENT per occurrence and the VTIMEZONE they use."""
    statuses = statuses or {}
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", one_line(name))
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    if feed:
        cal.add("refresh-interval", datetime.timedelta(hours=1), parameters={"VALUE": "DURATION"})
        cal.add("x-published-ttl", FEED_REFRESH)
    days = []
    for occurrence in occurrences:
        cal.add_component(event(occurrence, status=statuses.get(occurrence.pk)))
        days.append(timezone.localtime(occurrence.starts_at).date())
    if days:
        # Only the transitions around these dates: a small VTIMEZONE, still exact.
        first = datetime.date(min(days).year - 1, 1, 1)
        last = datetime.date(max(days).year + 2, 1, 1)
        cal.add_missing_timezones(first_date=first, last_date=last)
        _say_zone_span_in_french(cal, first, last)
    return cal.to_ical()


def _say_zone_span_in_french(cal: Calendar, first: datetime.date, last: datetime.date) -> None:
    """icalendar writes the span of the VTIMEZONE it builds as an English COMMENT, which some
    calendar applications show: the same fact, in French."""
    for zone in cal.walk("VTIMEZONE"):
        zone.pop("COMMENT", None)
        zone.add(
            "comment",
            _("Fuseau horaire valable du %(first)s au %(last)s.")
            % {"first": dates.short_day(first), "last": dates.short_day(last)},
        )


def ics_response(content: bytes, filename: str, *, attachment: bool) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    disposition = "attachment" if attachment else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def registration_statuses(registrations: Iterable[Registration]) -> dict[int, str]:
    """A waiting-list place shows as TENTATIVE in the person's own calendar."""
    return {
        registration.occurrence_id: (
            "TENTATIVE" if registration.status == Registration.Status.WAITING else "CONFIRMED"
        )
        for registration in registrations
    }
