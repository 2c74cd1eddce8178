"""French done right: plurals (« 0 soutien »), « 1er », one word for a vote, one time
format (« 8 h 30 »), titles that name their object — on the rendered pages."""

import datetime
import gettext
import html
import re
from pathlib import Path

import hypothesis
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import strip_tags
from django.utils.translation import ngettext, npgettext, override

from ideas import services
from innovation.platform import dates
from innovation.platform.plurals import (
    CATALOGUE,
    Plural,
    catalogue_text,
    compiled_catalogue,
    plural_messages,
)
from tests.factories import (
    AgentFactory,
    CampaignFactory,
    ChallengeFactory,
    ForumFactory,
    ForumJurorFactory,
    IdeaFactory,
    NotificationFactory,
    OccurrenceFactory,
    PitchFactory,
    RitualFactory,
)

NBSP = "\u00a0"


def _read(fragment: str) -> str:
    """What a reader sees of some HTML: no tags, no entities, spaces folded (not the no-break
    ones, which are part of the text)."""
    return re.sub(r"[ \t\r\n]+", " ", html.unescape(strip_tags(fragment))).strip()


def _text(response) -> str:
    return _read(response.content.decode())


def _title(response) -> str:
    page = response.content.decode()
    return _read(page[page.index("<title>") + 7 : page.index("</title>")])


def _h1(response) -> str:
    page = response.content.decode()
    start = page.index("<h1")
    return _read(page[start : page.index("</h1>", start) + 5])


# --- Plurals ----------------------------------------------------------------------------------


def test_plural_messages_come_from_templates_and_python():
    messages = plural_messages()

    assert Plural("", "%(counter)s soutien", "%(counter)s soutiens") in messages
    assert (
        Plural("", "Votre note a été retirée.", "Vos %(count)s notes ont été retirées.") in messages
    )
    assert Plural("", "%(counter)s non lue", "%(counter)s non lues") in messages


def test_plural_catalogue_file_is_the_one_the_code_gives():
    written = (Path(settings.BASE_DIR) / CATALOGUE).read_text(encoding="utf-8")

    assert written == catalogue_text(plural_messages()), (
        "Un message au pluriel a changé : lancez `manage.py plural_catalogue` et committez "
        "locale/fr/LC_MESSAGES/django.po et django.mo."
    )


def test_every_plural_message_is_singular_for_zero_and_one():
    wrong = []
    with override("fr"):
        for message in plural_messages():
            if message.context:
                forms = [
                    npgettext(message.context, message.singular, message.plural, n)
                    for n in (0, 1, 2)
                ]
            else:
                forms = [ngettext(message.singular, message.plural, n) for n in (0, 1, 2)]
            if forms != [message.singular, message.singular, message.plural]:
                wrong.append(message)

    assert wrong == [], "lancez `manage.py plural_catalogue` et committez le .po et le .mo"


def test_compiled_catalogue_gives_the_french_rule_to_its_messages(tmp_path):
    messages = [
        Plural("", "%(n)s soutien", "%(n)s soutiens"),
        Plural("forum", "%(n)s pitch", "%(n)s pitchs"),
    ]
    path = tmp_path / "django.mo"
    path.write_bytes(compiled_catalogue(messages))

    with path.open("rb") as file:
        catalogue = gettext.GNUTranslations(file)

    assert [catalogue.ngettext("%(n)s soutien", "%(n)s soutiens", n) for n in (0, 1, 2)] == [
        "%(n)s soutien",
        "%(n)s soutien",
        "%(n)s soutiens",
    ]
    assert catalogue.npgettext("forum", "%(n)s pitch", "%(n)s pitchs", 0) == "%(n)s pitch"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("supports", "badge"), [(0, "0 soutien"), (1, "1 soutien"), (2, "2 soutiens")]
)
def test_home_counts_supports_in_french(client, organisation, supports, badge):
    idea = IdeaFactory(organisation=organisation, title="Covoiturage des agents")
    for _ in range(supports):
        services.cast_vote(idea, voter=AgentFactory(organisation=organisation))
    client.force_login(AgentFactory(organisation=organisation))

    page = client.get("/").content.decode()
    top = page[page.index('id="home-top-ideas"') :]

    assert f">{badge}</span>" in top


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("supports", "label"), [(0, "0 soutien"), (1, "1 soutien"), (2, "2 soutiens")]
)
def test_idea_page_counts_supports_in_french(client, organisation, supports, label):
    idea = IdeaFactory(organisation=organisation)
    for _ in range(supports):
        services.cast_vote(idea, voter=AgentFactory(organisation=organisation))
    client.force_login(AgentFactory(organisation=organisation))

    text = _text(client.get(idea.get_absolute_url()))

    assert f"{label} Soutenir cette idée" in text


@pytest.mark.django_db
@pytest.mark.parametrize(("unread", "status"), [(1, "1 non lue"), (3, "3 non lues")])
def test_notifications_page_counts_the_unread_in_french(client, agent, unread, status):
    NotificationFactory.create_batch(unread, recipient=agent)
    NotificationFactory(recipient=agent, read_at=timezone.now())
    client.force_login(agent)

    page = client.get(reverse("notification_list")).content.decode()

    assert f'role="status">{status}</p>' in page


@pytest.mark.django_db
def test_notifications_page_says_no_count_when_all_are_read(client, agent):
    NotificationFactory(recipient=agent, read_at=timezone.now())
    client.force_login(agent)

    text = _text(client.get(reverse("notification_list")))

    assert "non lue" not in text.replace("Marquer comme lue", "")


# --- « Soutien », never « vote » -------------------------------------------------------------


@pytest.mark.django_db
def test_pages_about_supports_never_say_vote(client, organisation):
    author = AgentFactory(organisation=organisation)
    own = IdeaFactory(organisation=organisation, author=author, title="Mon idée")
    other = IdeaFactory(organisation=organisation, title="Leur idée")
    services.cast_vote(other, voter=author)
    client.force_login(author)

    pages = [
        client.get("/"),
        client.get(own.get_absolute_url()),
        client.get(other.get_absolute_url()),
    ]

    assert [("vote" in _text(page).lower()) for page in pages] == [False, False, False]
    assert "On ne soutient pas sa propre idée." in _text(pages[1])
    assert "Retirer mon soutien" in _text(pages[2])


# --- Dates and times --------------------------------------------------------------------------


def test_first_of_the_month_is_an_ordinal():
    assert dates.day(datetime.date(2026, 12, 1)) == "1er décembre 2026"
    assert dates.day(datetime.date(2026, 12, 2)) == "2 décembre 2026"
    assert dates.long_day(datetime.date(2026, 12, 1)) == "mardi 1er décembre 2026"
    assert dates.short_day(datetime.date(2026, 12, 1)) == "01/12/2026"


def test_times_read_hours_then_minutes():
    assert dates.hour(datetime.time(8, 30)) == f"8{NBSP}h{NBSP}30"
    assert dates.hour(datetime.time(14, 5)) == f"14{NBSP}h{NBSP}05"


def test_moments_are_in_the_local_time_zone():
    # 23 h 30 in UTC is already the next day in Paris (UTC+1 in December).
    late = datetime.datetime(2026, 11, 30, 23, 30, tzinfo=datetime.UTC)

    assert dates.moment(late) == f"1er décembre 2026 à 0{NBSP}h{NBSP}30"
    assert dates.long_moment(late) == f"mardi 1er décembre 2026 à 0{NBSP}h{NBSP}30"
    assert dates.short_moment(late) == f"01/12/2026 à 0{NBSP}h{NBSP}30"


@hypothesis.settings(max_examples=300, deadline=None)
@hypothesis.given(
    hypothesis.strategies.datetimes(
        min_value=datetime.datetime(2000, 1, 1),
        max_value=datetime.datetime(2100, 12, 31),
        timezones=hypothesis.strategies.just(datetime.UTC),
    )
)
def test_dates_are_the_french_formats_django_prints(value):
    """dates.py writes its formats out for speed: they must stay those of
    innovation/formats/fr, which Django prints in the admin and anywhere without a filter."""
    with override("fr"):
        local = timezone.localtime(value)
        long_date = formats.date_format(local, "j F Y")
        expected_day = long_date.replace("1 ", "1er ", 1) if local.day == 1 else long_date

        assert dates.day(value) == expected_day
        assert dates.long_day(value) == f"{formats.date_format(local, 'l')} {expected_day}"
        assert dates.short_day(value) == formats.date_format(local, "SHORT_DATE_FORMAT")
        assert dates.hour(value) == formats.time_format(local, "TIME_FORMAT")
        assert dates.short_moment(value) == formats.date_format(local, "SHORT_DATETIME_FORMAT")
        assert dates.moment(value).replace("1er ", "1 ", 1 if local.day == 1 else 0) == (
            formats.date_format(local, "DATETIME_FORMAT")
        )


@pytest.mark.django_db
def test_campaign_page_writes_the_first_of_the_month_1er(client, agent, organisation):
    campaign = CampaignFactory(
        created_by__organisation=organisation,
        opens_on=datetime.date(2026, 12, 1),
        closes_on=datetime.date(2027, 1, 2),
    )
    client.force_login(agent)

    text = _text(client.get(reverse("ideas:campaign_detail", args=[campaign.pk])))

    assert "Du 1er décembre 2026 au 2 janvier 2027" in text


@pytest.mark.django_db
def test_breakfast_page_writes_1er_and_the_time_in_french(client, agent, organisation):
    ritual = RitualFactory(created_by__organisation=organisation, start_time=datetime.time(8, 30))
    occurrence = OccurrenceFactory(ritual=ritual, original_date=datetime.date(2027, 6, 1))
    client.force_login(agent)

    response = client.get(occurrence.get_absolute_url())

    assert f"mardi 1er juin 2027, 8{NBSP}h{NBSP}30–9{NBSP}h{NBSP}30" in _text(response)
    assert _title(response) == f"{ritual.title} — 1er juin 2027 · Tremplin"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("interval", "rhythm"),
    [
        (7, "Chaque jeudi à 8 h 30"),
        (14, "Un jeudi sur 2, à 8 h 30"),
        (1, "Tous les jours à 8 h 30"),
        (3, "Tous les 3 jours à 8 h 30"),
    ],
)
def test_ritual_rhythm_says_the_time_in_french(interval, rhythm):
    ritual = RitualFactory.build(interval_days=interval, start_time=datetime.time(8, 30))

    assert ritual.rhythm().replace(NBSP, " ") == rhythm


# --- Titles that name their object ------------------------------------------------------------


@pytest.mark.django_db
def test_campaign_edit_page_names_the_campaign_even_after_a_refused_post(
    client, delegate, organisation
):
    campaign = CampaignFactory(created_by=delegate, title="Simplifier l'accueil")
    client.force_login(delegate)
    url = reverse("ideas:campaign_edit", args=[campaign.pk])
    expected = "Modifier l'appel à idées « Simplifier l'accueil »"

    shown = client.get(url)
    # A valid new title with the dates missing: the form copies the title onto the instance.
    refused = client.post(url, {"title": "Nouveau titre", "description": "Texte"})

    assert refused.status_code == 200
    assert [_h1(shown), _h1(refused)] == [expected, expected]
    assert _title(shown) == f"{expected} · Tremplin"


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["forum", "ritual"])
def test_edit_pages_name_their_object_even_after_a_refused_post(client, delegate, kind):
    if kind == "forum":
        thing = ForumFactory(created_by=delegate, title="1er forum interdépartemental")
        url, expected = reverse("juries:edit", args=[thing.pk]), "Modifier le forum"
    else:
        thing = RitualFactory(created_by=delegate, title="Matinale de Pau")
        url, expected = reverse("rituals:edit", args=[thing.pk]), "Modifier la série"
    expected = f"{expected} « {thing.title} »"
    client.force_login(delegate)

    shown = client.get(url)
    refused = client.post(url, {"title": "Nouveau titre"})

    assert refused.status_code == 200
    assert [_h1(shown), _h1(refused), _title(shown)] == [
        expected,
        expected,
        f"{expected} · Tremplin",
    ]


@pytest.mark.django_db
def test_challenge_and_comment_pages_name_their_object(client, director, organisation):
    challenge = ChallengeFactory(author=director, title="Moins d'attente à l'accueil")
    idea = IdeaFactory(organisation=organisation, title="Rendez-vous en ligne")
    client.force_login(director)

    challenge_page = client.get(reverse("ideas:challenge_edit", args=[challenge.pk]))
    comment_page = client.get(reverse("ideas:comment", args=[idea.pk]))

    assert [_h1(challenge_page), _h1(comment_page)] == [
        "Modifier le défi « Moins d'attente à l'accueil »",
        "Commenter l'idée « Rendez-vous en ligne »",
    ]
    assert _title(comment_page) == "Commenter l'idée « Rendez-vous en ligne » · Tremplin"


@pytest.mark.django_db
def test_session_pages_name_the_day_and_the_series(client, delegate):
    ritual = RitualFactory(created_by=delegate, title="Matinale de Pau")
    occurrence = OccurrenceFactory(ritual=ritual, original_date=datetime.date(2027, 6, 1))
    client.force_login(delegate)

    edit = client.get(reverse("rituals:occurrence_edit", args=[occurrence.pk]))
    cancel = client.get(reverse("rituals:occurrence_cancel", args=[occurrence.pk]))

    assert [_h1(edit), _title(edit)] == [
        "Modifier la séance du mardi 1er juin 2027",
        "Modifier la séance du mardi 1er juin 2027 — Matinale de Pau · Tremplin",
    ]
    assert _title(cancel) == "Annuler la séance du mardi 1er juin 2027 — Matinale de Pau · Tremplin"


@pytest.mark.django_db
def test_forum_removals_ask_about_the_pitch_or_the_juror_by_name(client, delegate):
    forum = ForumFactory(created_by=delegate)
    PitchFactory(
        forum=forum, idea__organisation=delegate.organisation, idea__title="Guichet unique"
    )
    seat = ForumJurorFactory(forum=forum, user__first_name="Inès", user__last_name="Roux")
    client.force_login(delegate)

    page = html.unescape(client.get(forum.get_absolute_url()).content.decode())

    assert 'data-confirm="Retirer « Guichet unique » du programme ?"' in page
    assert f'data-confirm="Retirer {seat.user.get_full_name()} du jury ?"' in page


def test_machine_dates_stop_at_the_second():
    moment = timezone.make_aware(datetime.datetime(2026, 12, 1, 14, 30, 5, 123456))

    assert dates.machine(moment) == "2026-12-01T14:30:05+01:00"
    assert dates.machine(datetime.date(2026, 12, 1)) == "2026-12-01"


@pytest.mark.django_db
def test_notification_times_are_valid_html_dates(client, organisation):
    agent = AgentFactory(organisation=organisation)
    NotificationFactory(recipient=agent)
    client.force_login(agent)

    page = client.get(reverse("notification_list")).content.decode()

    stamps = re.findall(r'<time datetime="([^"]+)"', page)
    assert stamps
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", s) for s in stamps)
