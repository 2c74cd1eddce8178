"""Pages: who may open them, what bad input gives, and how many queries they cost."""

import datetime

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ideas.models import Idea
from rituals.models import Occurrence, Registration, Ritual
from tests.factories import (
    AgentFactory,
    CampaignFactory,
    DelegateFactory,
    IdeaFactory,
    OccurrenceFactory,
    RegistrationFactory,
    RitualFactory,
)

S = Registration.Status


@pytest.fixture
def ritual(delegate):
    return RitualFactory(created_by=delegate)


@pytest.fixture
def occurrence(ritual):
    return OccurrenceFactory(ritual=ritual)


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


RITUAL_PAGES = ["rituals:detail", "rituals:edit"]
OCCURRENCE_PAGES = [
    "rituals:occurrence",
    "rituals:occurrence_edit",
    "rituals:occurrence_cancel",
    "rituals:attendance",
    "rituals:export",
    "rituals:occurrence_ics",
]
MANAGER_ONLY = {
    "rituals:edit",
    "rituals:occurrence_edit",
    "rituals:occurrence_cancel",
    "rituals:attendance",
    "rituals:export",
}


def _url(name, ritual, occurrence):
    if name in RITUAL_PAGES:
        return reverse(name, args=[ritual.pk])
    if name in OCCURRENCE_PAGES or name == "rituals:register":
        return reverse(name, args=[occurrence.pk])
    return reverse(name)


ALL_PAGES = ["rituals:list", "rituals:create", "rituals:calendar", *RITUAL_PAGES, *OCCURRENCE_PAGES]


@pytest.mark.django_db
@pytest.mark.parametrize("name", [*ALL_PAGES, "rituals:register"])
def test_anonymous_is_sent_to_login(client, name, ritual, occurrence):
    url = _url(name, ritual, occurrence)

    response = client.post(url) if name == "rituals:register" else client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
@pytest.mark.parametrize("name", ALL_PAGES)
def test_agent_gets_403_on_delegate_pages_and_200_elsewhere(
    client, agent, name, ritual, occurrence
):
    client.force_login(agent)

    response = client.get(_url(name, ritual, occurrence))

    expected = 403 if name in MANAGER_ONLY or name == "rituals:create" else 200
    assert response.status_code == expected


@pytest.mark.django_db
@pytest.mark.parametrize("name", ALL_PAGES)
def test_delegate_opens_every_page(client, delegate, name, ritual, occurrence):
    client.force_login(delegate)

    response = client.get(_url(name, ritual, occurrence))

    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("name", [*RITUAL_PAGES, *OCCURRENCE_PAGES, "rituals:register"])
def test_other_organisation_gets_404(client, outsider, name, ritual, occurrence):
    client.force_login(outsider)
    url = _url(name, ritual, occurrence)

    response = client.post(url) if name == "rituals:register" else client.get(url)

    assert response.status_code == 404


@pytest.mark.django_db
def test_shared_ritual_is_visible_and_open_to_the_other_organisation(client, outsider, ritual):
    ritual.shared_with.add(outsider.organisation)
    occurrence = OccurrenceFactory(ritual=ritual)
    client.force_login(outsider)

    page = client.get(reverse("rituals:occurrence", args=[occurrence.pk]))
    client.post(reverse("rituals:register", args=[occurrence.pk]))
    edit = client.get(reverse("rituals:occurrence_edit", args=[occurrence.pk]))

    assert page.status_code == 200
    assert occurrence.registrations.get().user == outsider
    assert edit.status_code == 403  # a guest, not an organiser


@pytest.mark.django_db
def test_register_is_post_only(client, agent, occurrence):
    client.force_login(agent)

    response = client.get(reverse("rituals:register", args=[occurrence.pk]))

    assert response.status_code == 405


@pytest.mark.django_db
def test_ritual_list_shows_only_visible_rituals(client, agent, ritual, outsider):
    foreign = RitualFactory(created_by=outsider, title="Matinale du Nord")
    client.force_login(agent)

    response = client.get(reverse("rituals:list"))

    assert [r.pk for r in response.context["rituals"]] == [ritual.pk]
    assert foreign.title not in response.content.decode()


# --- Registering through the page -----------------------------------------------------------


@pytest.mark.django_db
def test_agent_registers_then_cancels_in_one_click(client, agent, occurrence):
    client.force_login(agent)
    url = reverse("rituals:register", args=[occurrence.pk])

    registered = client.post(url, {"action": "register"})
    page = client.get(reverse("rituals:occurrence", args=[occurrence.pk]))
    cancelled = client.post(url, {"action": "cancel"})

    assert registered.status_code == 302
    assert messages_of(registered) == ["C'est noté : vous êtes inscrit·e."]
    assert "Vous êtes inscrit·e." in page.content.decode()
    assert messages_of(cancelled) == ["Vous êtes désinscrit·e. Merci d'avoir prévenu !"]
    assert list(occurrence.registrations.values_list("status", flat=True)) == [S.CANCELLED]


@pytest.mark.django_db
def test_full_occurrence_puts_agent_on_waiting_list_with_position(client, agent, ritual):
    occurrence = OccurrenceFactory(ritual=ritual, capacity=1)
    RegistrationFactory(occurrence=occurrence)
    client.force_login(agent)

    response = client.post(reverse("rituals:register", args=[occurrence.pk]))
    page = client.get(reverse("rituals:occurrence", args=[occurrence.pk]))

    assert "liste d'attente (position 1)" in messages_of(response)[0]
    assert "Vous êtes sur la liste d'attente, en position 1." in page.content.decode()


@pytest.mark.django_db
def test_registering_twice_shows_a_message_not_an_error(client, agent, occurrence):
    client.force_login(agent)
    url = reverse("rituals:register", args=[occurrence.pk])
    client.post(url)

    response = client.post(url)

    assert response.status_code == 302
    assert messages_of(response)[-1] == "Vous êtes déjà inscrit·e à cette séance."
    assert occurrence.registrations.count() == 1


@pytest.mark.django_db
def test_registering_after_closure_shows_a_message(client, agent, occurrence):
    with time_machine.travel(occurrence.starts_at - datetime.timedelta(hours=2), tick=False):
        client.force_login(agent)
        response = client.post(reverse("rituals:register", args=[occurrence.pk]))

    assert messages_of(response)[0].startswith("Les inscriptions sont closes depuis le ")
    assert occurrence.registrations.count() == 0


@pytest.mark.django_db
def test_registering_to_a_cancelled_occurrence_shows_a_message(client, agent, occurrence):
    Occurrence.objects.filter(pk=occurrence.pk).update(
        cancelled_at=timezone.now(), cancel_reason="Grève"
    )
    client.force_login(agent)

    response = client.post(reverse("rituals:register", args=[occurrence.pk]))

    assert messages_of(response) == ["Cette séance est annulée : les inscriptions sont fermées."]


# --- Delegates' forms -----------------------------------------------------------------------


def ritual_post(organisation, **overrides):
    data = {
        "organisation": organisation.pk,
        "title": "Petit-déjeuner de l'innovation",
        "kind": "breakfast",
        "description": "",
        "starts_on": "2030-01-03",
        "interval": "14",
        "interval_unit": "days",
        "weekday": "3",
        "start_time": "08:30",
        "duration_minutes": "60",
        "place": "Salle du conseil",
        "capacity": "20",
        "closes_hours_before": "24",
        "active": "on",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_delegate_creates_a_ritual_and_its_dates(client, delegate):
    with time_machine.travel(datetime.datetime(2030, 1, 1, 9, tzinfo=datetime.UTC), tick=False):
        client.force_login(delegate)
        response = client.post(
            reverse("rituals:create"),
            ritual_post(delegate.organisation, interval="2", interval_unit="weeks"),
        )

    ritual = Ritual.objects.get()
    assert response.status_code == 302
    assert (ritual.interval_days, ritual.capacity, ritual.created_by) == (14, 20, delegate)
    assert ritual.occurrences.count() == 5


@pytest.mark.django_db
def test_ritual_form_refuses_zero_capacity_and_interval_and_keeps_input(client, delegate):
    client.force_login(delegate)

    response = client.post(
        reverse("rituals:create"),
        ritual_post(delegate.organisation, capacity="0", interval="0", title="Matinale"),
    )

    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["capacity"] == ["Il faut au moins une place."]
    assert form.errors["interval"] == ["L'intervalle doit être d'au moins un jour."]
    assert 'value="Matinale"' in response.content.decode()
    assert Ritual.objects.count() == 0


@pytest.mark.django_db
def test_ritual_form_refuses_an_organisation_not_run_by_the_delegate(client, delegate, outsider):
    client.force_login(delegate)

    response = client.post(reverse("rituals:create"), ritual_post(outsider.organisation))

    assert response.status_code == 200
    assert "organisation" in response.context["form"].errors
    assert Ritual.objects.count() == 0


@pytest.mark.django_db
def test_delegate_edits_ritual_capacity_and_waiting_people_move_up(client, delegate, ritual):
    ritual.capacity = 1
    ritual.save()
    occurrence = OccurrenceFactory(ritual=ritual)
    first, second = RegistrationFactory.create_batch(2, occurrence=occurrence, status=S.WAITING)
    Registration.objects.filter(pk=first.pk).update(status=S.CONFIRMED)
    client.force_login(delegate)

    response = client.post(
        reverse("rituals:edit", args=[ritual.pk]),
        ritual_post(delegate.organisation, starts_on=ritual.starts_on.isoformat(), capacity="2"),
    )

    assert response.status_code == 302
    second.refresh_from_db()
    assert second.status == S.CONFIRMED


def occurrence_post(occurrence, **overrides):
    local = timezone.localtime(occurrence.starts_at)
    data = {
        "day": local.date().isoformat(),
        "time": local.strftime("%H:%M"),
        "duration_minutes": "60",
        "place": occurrence.effective_place,
        "capacity": str(occurrence.effective_capacity),
        "presenter": "",
        "idea": "",
        "topic": "",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_delegate_programmes_a_project_and_a_presenter(client, delegate, occurrence):
    presenter = AgentFactory(organisation=delegate.organisation)
    idea = IdeaFactory(author=presenter, state=Idea.State.ACCOMPANIED)
    client.force_login(delegate)

    response = client.post(
        reverse("rituals:occurrence_edit", args=[occurrence.pk]),
        occurrence_post(occurrence, presenter=presenter.email.upper(), idea=idea.pk),
    )

    assert response.status_code == 302
    occurrence.refresh_from_db()
    assert (occurrence.presenter, occurrence.idea) == (presenter, idea)


@pytest.mark.django_db
def test_presenter_from_another_organisation_gets_a_message_on_the_field(
    client, delegate, occurrence, outsider
):
    # A campaign they share lets the delegate find the outsider: the series still refuses.
    CampaignFactory(organisations=[delegate.organisation, outsider.organisation])
    client.force_login(delegate)

    response = client.post(
        reverse("rituals:occurrence_edit", args=[occurrence.pk]),
        occurrence_post(occurrence, presenter=outsider.email, topic="Sujet gardé"),
    )

    assert response.status_code == 200
    errors = response.context["form"].errors["presenter"]
    assert "n'appartient pas à une collectivité invitée à cette série" in errors[0]
    assert 'value="Sujet gardé"' in response.content.decode()
    occurrence.refresh_from_db()
    assert (occurrence.presenter, occurrence.topic) == (None, "")


@pytest.mark.django_db
def test_occurrence_form_refuses_capacity_zero(client, delegate, occurrence):
    client.force_login(delegate)

    response = client.post(
        reverse("rituals:occurrence_edit", args=[occurrence.pk]),
        occurrence_post(occurrence, capacity="0"),
    )

    assert response.context["form"].errors["capacity"] == ["Il faut au moins une place."]


@pytest.mark.django_db
def test_lowering_capacity_below_confirmed_warns_the_delegate(client, delegate, occurrence):
    RegistrationFactory.create_batch(3, occurrence=occurrence)
    client.force_login(delegate)

    response = client.post(
        reverse("rituals:occurrence_edit", args=[occurrence.pk]),
        occurrence_post(occurrence, capacity="2"),
    )

    assert messages_of(response)[1].startswith("3 personnes sont déjà inscrites pour 2 places")
    assert occurrence.registrations.filter(status=S.CONFIRMED).count() == 3


@pytest.mark.django_db
def test_cancel_form_requires_a_reason(client, delegate, occurrence):
    client.force_login(delegate)

    response = client.post(reverse("rituals:occurrence_cancel", args=[occurrence.pk]), {})

    assert response.context["form"].errors["reason"] == [
        "Indiquez le motif : les inscrit·es le liront."
    ]
    occurrence.refresh_from_db()
    assert occurrence.cancelled_at is None


@pytest.mark.django_db
def test_delegate_marks_attendance_and_ritual_page_shows_figures(client, delegate, occurrence):
    came, missed = RegistrationFactory.create_batch(2, occurrence=occurrence)
    with time_machine.travel(occurrence.starts_at + datetime.timedelta(days=1), tick=False):
        client.force_login(delegate)
        response = client.post(
            reverse("rituals:attendance", args=[occurrence.pk]), {"attended": [str(came.pk)]}
        )
        page = client.get(reverse("rituals:detail", args=[occurrence.ritual_id]))

    assert response.status_code == 302
    assert "1 présent·es sur 2 inscrit·es" in page.content.decode()


@pytest.mark.django_db
def test_attendance_ignores_digits_that_are_not_numbers(client, delegate, occurrence):
    # "²".isdigit() is true, but int("²") fails: found by tests/hardening/test_fuzz.py.
    came = RegistrationFactory(occurrence=occurrence)
    with time_machine.travel(occurrence.starts_at + datetime.timedelta(days=1), tick=False):
        client.force_login(delegate)
        response = client.post(
            reverse("rituals:attendance", args=[occurrence.pk]),
            {"attended": ["²", "³", str(came.pk)]},
        )

    assert response.status_code == 302
    came.refresh_from_db()
    assert came.attended is True


@pytest.mark.django_db
def test_export_lists_registrations_as_csv(client, delegate, occurrence):
    RegistrationFactory(occurrence=occurrence, user__last_name="=Dupont")
    client.force_login(delegate)

    response = client.get(reverse("rituals:export", args=[occurrence.pk]))

    content = b"".join(response.streaming_content).decode()
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert content.splitlines()[1].startswith("'=Dupont;")


@pytest.mark.django_db
def test_suggestions_are_unpresented_projects_oldest_first(client, delegate, ritual, occurrence):
    now = timezone.now()
    older = IdeaFactory(
        organisation=delegate.organisation,
        author__organisation=delegate.organisation,
        state=Idea.State.EXPERIMENTING,
        submitted_at=now - datetime.timedelta(days=90),
    )
    newer = IdeaFactory(
        author__organisation=delegate.organisation,
        state=Idea.State.ACCOMPANIED,
        submitted_at=now - datetime.timedelta(days=10),
    )
    presented = IdeaFactory(
        author__organisation=delegate.organisation,
        state=Idea.State.ACCOMPANIED,
        submitted_at=now - datetime.timedelta(days=200),
    )
    IdeaFactory(author__organisation=delegate.organisation, state=Idea.State.SUBMITTED)
    IdeaFactory(state=Idea.State.ACCOMPANIED)  # another organisation
    OccurrenceFactory(ritual=ritual, idea=presented)
    client.force_login(delegate)

    response = client.get(reverse("rituals:occurrence_edit", args=[occurrence.pk]))

    assert response.context["suggestions"] == [older, newer]


# --- Query counts ---------------------------------------------------------------------------
#
# Each page with 1 and with 3 rows: the same exact count. Every page starts with the session,
# the person, their role grants and (the menu) their unread count.


def get_again(client, url):
    client.get(url)  # the session's first use
    return url


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_ritual_list_costs_the_same_queries_whatever_the_rituals(
    client, django_assert_num_queries, agent, count
):
    delegate = DelegateFactory(organisation=agent.organisation)
    rituals = [RitualFactory(created_by=delegate) for _ in range(count)]
    for ritual in rituals:
        OccurrenceFactory(ritual=ritual)
    client.force_login(agent)
    url = get_again(client, reverse("rituals:list"))

    # The rituals with their organisation and next date.
    with django_assert_num_queries(5):
        response = client.get(url)

    assert {r.pk for r in response.context["rituals"]} == {r.pk for r in rituals}


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_ritual_detail_costs_the_same_queries_whatever_the_dates(
    client, django_assert_num_queries, delegate, ritual, count
):
    upcoming, past = [], []
    for index in range(count):
        future = OccurrenceFactory(ritual=ritual, idea=IdeaFactory(state="accompanied"))
        upcoming.append(future)
        if index % 2:
            RegistrationFactory(occurrence=future, user=delegate)
        else:
            RegistrationFactory(occurrence=future)
        past.append(
            OccurrenceFactory(
                ritual=ritual,
                original_date=datetime.date(2020, 1, 1) + datetime.timedelta(days=index),
                starts_at=timezone.now() - datetime.timedelta(days=index + 1),
                presenter=delegate,
            )
        )
    client.force_login(delegate)
    url = get_again(client, reverse("rituals:detail", args=[ritual.pk]))

    # The series, the organisations it is open to, the upcoming dates, the person's
    # registrations to them, the past dates counted, one page of them.
    with django_assert_num_queries(10):
        response = client.get(url)

    assert response.context["upcoming"] == upcoming
    assert list(response.context["page"].object_list) == past
    body = response.content.decode()
    for occurrence in upcoming + past:
        assert f'href="{occurrence.get_absolute_url()}"' in body


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_occurrence_detail_costs_the_same_queries_whatever_the_registrants(
    client, django_assert_num_queries, delegate, occurrence, count
):
    confirmed = RegistrationFactory.create_batch(count, occurrence=occurrence)
    waiting = RegistrationFactory.create_batch(count, occurrence=occurrence, status=S.WAITING)
    IdeaFactory.create_batch(count, author__organisation=delegate.organisation, state="accompanied")
    client.force_login(delegate)
    url = get_again(client, reverse("rituals:occurrence", args=[occurrence.pk]))

    # The occurrence with its counts, series and project; the organisations it is open to; the
    # person's registration; the registrants; the history of the registrations; the suggestions.
    with django_assert_num_queries(10):
        response = client.get(url)

    assert response.context["registrants"] == confirmed + waiting
    body = response.content.decode()
    for registration in confirmed + waiting:
        assert registration.user.get_full_name() in body


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_an_agents_occurrence_page_costs_the_same_queries_whatever_the_registrants(
    client, django_assert_num_queries, agent, occurrence, count
):
    RegistrationFactory.create_batch(count, occurrence=occurrence)
    client.force_login(agent)
    url = get_again(client, reverse("rituals:occurrence", args=[occurrence.pk]))

    # The occurrence with its counts, series and project; the organisations it is open to; the
    # person's registration.
    with django_assert_num_queries(7):
        response = client.get(url)

    assert response.context["registrants"] == []
    assert response.context["seats_left"] == occurrence.effective_capacity - count


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_attendance_costs_the_same_queries_whatever_the_registrants(
    client, django_assert_num_queries, delegate, ritual, count
):
    past = OccurrenceFactory(ritual=ritual, starts_at=timezone.now() - datetime.timedelta(hours=2))
    registrations = RegistrationFactory.create_batch(count, occurrence=past)
    client.force_login(delegate)
    url = get_again(client, reverse("rituals:attendance", args=[past.pk]))

    # The occurrence with its counts and series; the organisations it is open to; the
    # registrants.
    with django_assert_num_queries(7):
        response = client.get(url)

    assert response.context["confirmed"] == registrations
    for registration in registrations:
        assert f'value="{registration.pk}"' in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_occurrence_edit_costs_the_same_queries_whatever_the_suggestions(
    client, django_assert_num_queries, delegate, occurrence, count
):
    ideas = IdeaFactory.create_batch(
        count, author__organisation=delegate.organisation, state="accompanied"
    )
    client.force_login(delegate)
    url = get_again(client, reverse("rituals:occurrence_edit", args=[occurrence.pk]))

    # The occurrence with its counts and series; the organisations it is open to; the
    # suggestions; the projects the form offers.
    with django_assert_num_queries(8):
        response = client.get(url)

    assert {idea.pk for idea in response.context["suggestions"]} == {idea.pk for idea in ideas}


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_calendar_settings_cost_the_same_queries_whatever_the_rituals(
    client, django_assert_num_queries, agent, count
):
    delegate = DelegateFactory(organisation=agent.organisation)
    rituals = [RitualFactory(created_by=delegate) for _ in range(count)]
    client.force_login(agent)
    url = get_again(client, reverse("rituals:calendar"))

    # The person's calendar key, the active rituals.
    with django_assert_num_queries(6):
        response = client.get(url)

    assert [ritual for ritual, _url in response.context["ritual_urls"]] == sorted(
        rituals, key=lambda ritual: ritual.title
    )


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_feeds_and_export_cost_the_same_queries_whatever_the_dates(
    client, django_assert_num_queries, delegate, ritual, count
):
    from rituals import services

    occurrences = OccurrenceFactory.create_batch(count, ritual=ritual, presenter=delegate)
    for occurrence in occurrences:
        RegistrationFactory(occurrence=occurrence, user=delegate)
    RegistrationFactory.create_batch(count, occurrence=occurrences[0])
    token = services.calendar_token(delegate).token
    calendar_app = Client()  # no session: the token stands for the login

    # The token with its person, their role grants, the dates.
    with django_assert_num_queries(3):
        personal = calendar_app.get(reverse("rituals:personal_feed", args=[token]))
    # The token with its person, their role grants, the ritual, its dates.
    with django_assert_num_queries(4):
        feed = calendar_app.get(reverse("rituals:ritual_feed", args=[token, ritual.pk]))
    client.force_login(delegate)
    get_again(client, reverse("rituals:list"))
    # The session, the person, their role grants; the occurrence, the organisations it is open
    # to; the audit log (savepoint, insert, release); the registrants.
    with django_assert_num_queries(9):
        export = client.get(reverse("rituals:export", args=[occurrences[0].pk]))
        rows = b"".join(export.streaming_content).decode().splitlines()

    assert personal.content.count(b"BEGIN:VEVENT") == count
    assert feed.content.count(b"BEGIN:VEVENT") == count
    assert len(rows) == count + 2


@pytest.mark.django_db
def test_presenter_one_cannot_find_is_not_found_and_the_form_keeps_what_was_typed(
    client, delegate, occurrence, outsider
):
    client.force_login(delegate)

    response = client.post(
        reverse("rituals:occurrence_edit", args=[occurrence.pk]),
        occurrence_post(occurrence, presenter=outsider.get_full_name(), topic="Sujet gardé"),
    )

    assert response.status_code == 200
    message = response.context["form"].errors["presenter"][0]
    assert message.startswith(f"Personne ne correspond à « {outsider.get_full_name()} »")
    assert f'value="{outsider.get_full_name()}"' in response.content.decode()
    occurrence.refresh_from_db()
    assert occurrence.presenter is None


@pytest.mark.django_db
def test_delegate_chooses_the_presenter_by_name(client, delegate, occurrence):
    presenter = AgentFactory(
        organisation=delegate.organisation, first_name="Gaëlle", last_name="Kervella"
    )
    client.force_login(delegate)

    response = client.post(
        reverse("rituals:occurrence_edit", args=[occurrence.pk]),
        occurrence_post(occurrence, presenter="gaëlle kerv"),
    )

    assert response.status_code == 302
    occurrence.refresh_from_db()
    assert occurrence.presenter == presenter


@pytest.mark.django_db
def test_calendar_links_come_from_site_url_not_from_the_host_header(client, agent, settings):
    settings.SITE_URL = "https://tremplin.example"
    settings.ALLOWED_HOSTS = ["tremplin.example", "evil.example"]
    client.force_login(agent)

    response = client.get(reverse("rituals:calendar"), HTTP_HOST="evil.example")

    assert response.context["personal_url"].startswith("https://tremplin.example/")
    assert "evil.example" not in response.content.decode()
