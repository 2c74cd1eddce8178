"""ICS files and feeds: parsed back with icalendar, times in Europe/Paris."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from icalendar import Calendar

from rituals import services
from rituals.models import CalendarToken
from tests.factories import (
    AgentFactory,
    OccurrenceFactory,
    RegistrationFactory,
    RitualFactory,
)

PARIS = ZoneInfo("Europe/Paris")


def parse(response) -> Calendar:
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def events(calendar: Calendar) -> list:
    return list(calendar.walk("VEVENT"))


@pytest.mark.django_db
def test_occurrence_ics_is_valid_with_paris_time(client, agent):
    ritual = RitualFactory(organisation=agent.organisation, title="Petit-déjeuner de l'innovation")
    occurrence = OccurrenceFactory(
        ritual=ritual,
        original_date=datetime.date(2030, 3, 28),
        starts_at=datetime.datetime(2030, 3, 28, 8, 30, tzinfo=PARIS),
        topic="Le standard qui oriente",
    )
    client.force_login(agent)

    response = client.get(reverse("rituals:occurrence_ics", args=[occurrence.pk]))

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    calendar = parse(response)
    (event,) = events(calendar)
    start = event.decoded("dtstart")
    assert event["dtstart"].params["TZID"] == "Europe/Paris"
    assert (start.tzinfo.key, start.replace(tzinfo=None)) == (
        "Europe/Paris",
        datetime.datetime(2030, 3, 28, 8, 30),
    )
    assert event.decoded("dtend") - start == datetime.timedelta(hours=1)
    assert str(event["summary"]) == "Petit-déjeuner de l'innovation : Le standard qui oriente"
    assert str(event["location"]) == "Salle du conseil, Hôtel du Département"
    assert str(event["status"]) == "CONFIRMED"
    assert event["sequence"] == 0
    assert str(event["uid"]) == f"occurrence-{occurrence.pk}@127.0.0.1"
    assert [str(tz["tzid"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]


@pytest.mark.django_db
def test_moved_and_cancelled_occurrence_keeps_uid_and_bumps_sequence(client, delegate):
    occurrence = OccurrenceFactory(ritual=RitualFactory(created_by=delegate))
    client.force_login(delegate)
    url = reverse("rituals:occurrence_ics", args=[occurrence.pk])
    before = events(parse(client.get(url)))[0]

    services.update_occurrence(
        occurrence,
        actor=delegate,
        starts_at=occurrence.starts_at + datetime.timedelta(hours=1),
        duration_minutes=90,
        place="",
        capacity=None,
        presenter=None,
        idea=None,
        topic="",
    )
    services.cancel_occurrence(occurrence, actor=delegate, reason="Salle indisponible")
    after = events(parse(client.get(url)))[0]

    assert str(after["uid"]) == str(before["uid"])
    assert (before["sequence"], after["sequence"]) == (0, 2)
    assert str(after["status"]) == "CANCELLED"
    assert after.decoded("dtstart") - before.decoded("dtstart") == datetime.timedelta(hours=1)


@pytest.mark.django_db
def test_ritual_feed_works_without_login_with_the_token(client, agent):
    ritual = RitualFactory(organisation=agent.organisation)
    OccurrenceFactory.create_batch(3, ritual=ritual)
    token = services.calendar_token(agent)

    response = client.get(reverse("rituals:ritual_feed", args=[token.token, ritual.pk]))

    assert response.status_code == 200
    calendar = parse(response)
    assert len(events(calendar)) == 3
    assert str(calendar["x-wr-calname"]) == ritual.title


@pytest.mark.django_db
def test_wrong_token_is_404(client, agent):
    ritual = RitualFactory(organisation=agent.organisation)

    feed = client.get(reverse("rituals:ritual_feed", args=["pas-la-bonne-cle", ritual.pk]))
    mine = client.get(reverse("rituals:personal_feed", args=["pas-la-bonne-cle"]))

    assert (feed.status_code, mine.status_code) == (404, 404)


@pytest.mark.django_db
def test_ritual_feed_of_another_organisation_is_404(client, agent):
    token = services.calendar_token(agent)
    foreign = RitualFactory()

    response = client.get(reverse("rituals:ritual_feed", args=[token.token, foreign.pk]))

    assert response.status_code == 404


@pytest.mark.django_db
def test_personal_feed_lists_own_registrations_waiting_as_tentative(client, agent):
    ritual = RitualFactory(organisation=agent.organisation)
    confirmed = RegistrationFactory(occurrence__ritual=ritual, user=agent)
    waiting = RegistrationFactory(occurrence__ritual=ritual, user=agent, status="waiting")
    RegistrationFactory(occurrence__ritual=ritual, user=agent, status="cancelled")
    RegistrationFactory(occurrence__ritual=ritual)  # someone else's
    token = services.calendar_token(agent)

    response = client.get(reverse("rituals:personal_feed", args=[token.token]))

    found = {str(e["uid"]): str(e["status"]) for e in events(parse(response))}
    assert found == {
        f"occurrence-{confirmed.occurrence_id}@127.0.0.1": "CONFIRMED",
        f"occurrence-{waiting.occurrence_id}@127.0.0.1": "TENTATIVE",
    }


@pytest.mark.django_db
def test_regenerating_the_token_kills_the_old_urls(client, agent):
    old = services.calendar_token(agent).token
    client.force_login(agent)

    client.post(reverse("rituals:calendar"))

    new = CalendarToken.objects.get(user=agent).token
    assert new != old
    client.logout()
    assert client.get(reverse("rituals:personal_feed", args=[old])).status_code == 404
    assert client.get(reverse("rituals:personal_feed", args=[new])).status_code == 200


@pytest.mark.django_db
def test_feed_of_an_inactive_user_is_404(client):
    agent = AgentFactory(is_active=False)
    token = services.calendar_token(agent)

    response = client.get(reverse("rituals:personal_feed", args=[token.token]))

    assert response.status_code == 404


@pytest.mark.django_db
def test_time_zone_comment_of_the_ics_is_in_french(client, agent):
    occurrence = OccurrenceFactory(
        ritual=RitualFactory(organisation=agent.organisation),
        original_date=datetime.date(2030, 3, 28),
        starts_at=datetime.datetime(2030, 3, 28, 8, 30, tzinfo=PARIS),
    )
    client.force_login(agent)

    response = client.get(reverse("rituals:occurrence_ics", args=[occurrence.pk]))

    (zone,) = parse(response).walk("VTIMEZONE")
    assert str(zone["comment"]) == "Fuseau horaire valable du 01/01/2029 au 01/01/2032."
    assert b"This timezone" not in response.content


@pytest.mark.django_db
def test_time_zone_comment_of_a_feed_spans_all_its_occurrences(client, agent):
    ritual = RitualFactory(organisation=agent.organisation)
    for day in (datetime.date(2030, 3, 28), datetime.date(2031, 1, 9)):
        OccurrenceFactory(
            ritual=ritual,
            original_date=day,
            starts_at=datetime.datetime.combine(day, datetime.time(8, 30), tzinfo=PARIS),
        )
    token = services.calendar_token(agent)

    response = client.get(reverse("rituals:ritual_feed", args=[token.token, ritual.pk]))

    (zone,) = parse(response).walk("VTIMEZONE")
    assert str(zone["comment"]) == "Fuseau horaire valable du 01/01/2029 au 01/01/2033."
