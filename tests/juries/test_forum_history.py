"""« Historique du forum » on the forum page: for those who prepare the forum, not the jury."""

import pytest
from django.urls import reverse

from innovation.platform import dates
from juries import services
from juries.models import Forum
from tests.factories import AgentFactory, DelegateFactory, OrganisationFactory
from tests.juries.conftest import build_arena

S = Forum.Stage


def detail_url(arena):
    return reverse("juries:detail", args=[arena.forum.pk])


@pytest.fixture
def opened(db):
    """A forum whose scoring its organiser's delegate opened, with a reason."""
    arena = build_arena(stage=S.PREPARING)
    arena.delegate.first_name, arena.delegate.last_name = "Claire", "Dufour"
    arena.delegate.save(update_fields=["first_name", "last_name"])
    services.open_scoring(arena.forum, actor=arena.delegate, reason="Tout le jury est là.")
    return arena


def test_the_organiser_sees_each_change_with_date_person_and_stages(client, opened):
    client.force_login(opened.delegate)

    response = client.get(detail_url(opened))

    body = response.content.decode()
    event = response.context["history"][0]
    when = dates.short_moment(event.created_at)
    assert "Historique du forum" in body
    assert [(e.before, e.after) for e in response.context["history"]] == [(S.PREPARING, S.OPEN)]
    assert f"{when}</time> · Claire Dufour · En préparation → Notation ouverte" in body
    assert "Motif : Tout le jury est là." in body


def test_a_delegate_of_a_participating_organisation_sees_it_too(client, opened):
    client.force_login(DelegateFactory(organisation=opened.orgs[1]))

    response = client.get(detail_url(opened))

    assert "Historique du forum" in response.content.decode()
    assert len(response.context["history"]) == 1


def test_a_forum_not_moved_yet_says_so_to_its_organiser(client, db):
    arena = build_arena(stage=S.PREPARING)
    client.force_login(arena.delegate)

    response = client.get(detail_url(arena))

    assert response.context["history"] == []
    assert "Aucun changement d'étape pour l'instant." in response.content.decode()


@pytest.mark.parametrize("who", ["president", "juror"])
def test_jurors_do_not_see_the_history(client, opened, who):
    seat = opened.jurors[0] if who == "president" else opened.jurors[1]
    client.force_login(seat.user)

    response = client.get(detail_url(opened))

    assert response.status_code == 200
    assert response.context["history"] is None
    assert "Historique du forum" not in response.content.decode()
    assert "Tout le jury est là." not in response.content.decode()


def test_agents_do_not_see_the_history(client, opened):
    client.force_login(AgentFactory(organisation=opened.orgs[1]))

    response = client.get(detail_url(opened))

    assert response.status_code == 200
    assert response.context["history"] is None
    assert "Historique du forum" not in response.content.decode()


def test_anonymous_is_sent_to_login(client, opened):
    response = client.get(detail_url(opened))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_a_delegate_of_another_organisation_does_not_find_the_forum(client, opened):
    client.force_login(DelegateFactory(organisation=OrganisationFactory()))

    assert client.get(detail_url(opened)).status_code == 404


def test_opening_and_closing_from_the_page_leave_their_lines(client, db):
    arena = build_arena(stage=S.PREPARING)
    client.force_login(arena.delegate)
    stage_url = reverse("juries:stage", args=[arena.forum.pk])

    client.post(stage_url, {"to": "open"})
    client.post(stage_url, {"to": "closed"})
    response = client.get(detail_url(arena))

    body = response.content.decode()
    assert [(e.before, e.after) for e in response.context["history"]] == [
        (S.PREPARING, S.OPEN),
        (S.OPEN, S.CLOSED),
    ]
    assert "En préparation → Notation ouverte" in body
    assert "Notation ouverte → Notation close, délibération" in body


# --- Query counts: the jury's and the agents' page costs what it did --------------------------


def get_again(client, url):
    client.get(url)  # the session's first use
    return url


@pytest.mark.parametrize("count", [1, 3])
def test_the_jurors_forum_page_costs_no_query_for_the_history(
    client, django_assert_num_queries, db, count
):
    arena = build_arena(stage=S.PREPARING, pitch_count=count)
    services.open_scoring(arena.forum, actor=arena.delegate)
    client.force_login(arena.jurors[1].user)
    url = get_again(client, detail_url(arena))

    # The participants, the programme, the jurors, their role grants, their recusals, the grid.
    with django_assert_num_queries(11):
        response = client.get(url)

    assert response.context["programme"] == arena.pitches


@pytest.mark.parametrize("count", [1, 3])
def test_the_agents_forum_page_costs_no_query_for_the_history(
    client, django_assert_num_queries, db, count
):
    arena = build_arena(stage=S.PREPARING, pitch_count=count)
    services.open_scoring(arena.forum, actor=arena.delegate)
    client.force_login(AgentFactory(organisation=arena.orgs[1]))
    url = get_again(client, detail_url(arena))

    with django_assert_num_queries(11):
        response = client.get(url)

    assert response.context["programme"] == arena.pitches


@pytest.mark.parametrize("count", [1, 3])
def test_the_organisers_forum_page_reads_the_history_in_one_query(
    client, django_assert_num_queries, db, count
):
    arena = build_arena(stage=S.PREPARING, pitch_count=count)
    services.open_scoring(arena.forum, actor=arena.delegate)
    client.force_login(arena.delegate)
    url = get_again(client, detail_url(arena))

    # As tests/juries/test_views.py counts it, and the history.
    with django_assert_num_queries(12):
        response = client.get(url)

    assert len(response.context["history"]) == 1
