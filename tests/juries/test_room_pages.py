"""The room pages (live board and its poll, results): each shows every write on the next request
(a mark, a recusal, a role grant, a deliberation), the same table to everyone who may see it,
and each person only the buttons they may use. The board's poll answers `304 Not Modified`
while nothing it shows changed. The scoring pages: tests/juries/test_scoring_page.py."""

import pytest
from django.urls import reverse

from innovation.platform.models import Role, User
from juries import scores, services
from juries.models import Forum
from tests.factories import AgentFactory, DelegateFactory, ForumJurorFactory, grant
from tests.juries.conftest import build_arena


def score_url(arena):
    return reverse("juries:score", args=[arena.forum.pk])


def board_url(arena):
    return reverse("juries:board", args=[arena.forum.pk])


def results_url(arena):
    return reverse("juries:results", args=[arena.forum.pk])


def save(arena, juror_index, pitch_index, impact, feasibility, comment=""):
    scores.save_scores(
        arena.forum,
        actor=arena.jurors[juror_index].user,
        pitch=arena.pitches[pitch_index],
        values=arena.values(impact, feasibility),
        comment=comment,
    )


def json_url(arena):
    return reverse("juries:board_json", args=[arena.forum.pk])


# --- Live board -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_live_board_shows_a_saved_score_on_the_next_request(client, arena):
    client.force_login(arena.delegate)
    cell = f'data-cell="{arena.jurors[1].pk}-{arena.pitches[2].pk}"'
    json_url = reverse("juries:board_json", args=[arena.forum.pk])
    page_before = client.get(board_url(arena)).content.decode()
    json_before = client.get(json_url).json()

    save(arena, 1, 2, 7, 7)
    page_after = client.get(board_url(arena)).content.decode()
    json_after = client.get(json_url).json()

    key = f"{arena.jurors[1].pk}-{arena.pitches[2].pk}"
    assert f'class="text-center cell-todo" {cell}' in page_before
    assert f'class="text-center cell-done" {cell}' in page_after
    assert (json_before["cells"][key], json_after["cells"][key]) == ("todo", "done")
    assert json_after["jurors"][str(arena.jurors[1].pk)] == 1


@pytest.mark.django_db
def test_live_board_shows_a_new_juror_and_a_renamed_one(client, arena):
    client.force_login(arena.delegate)
    client.get(board_url(arena))

    late = ForumJurorFactory(forum=arena.forum, user__first_name="Retardataire")
    User.objects.filter(pk=arena.jurors[1].user_id).update(first_name="Renommée")
    body = client.get(board_url(arena)).content.decode()

    assert "Retardataire" in body
    assert "Renommée" in body
    assert f'data-juror-total="{late.pk}"' in body


@pytest.mark.django_db
def test_live_board_shows_the_same_table_to_all_but_the_close_button_to_delegates(client, arena):
    president = arena.jurors[0].user  # may watch the board, may not close scoring
    client.force_login(arena.delegate)
    delegate_page = client.get(board_url(arena))
    client.force_login(president)
    president_page = client.get(board_url(arena))

    def table(response):
        return response.content.decode().split("<table", 1)[1].split("</table>", 1)[0]

    assert table(delegate_page) == table(president_page)
    assert "Clôturer la notation" in delegate_page.content.decode()
    assert "Clôturer la notation" not in president_page.content.decode()
    assert 'name="csrfmiddlewaretoken"' in delegate_page.content.decode()


@pytest.mark.django_db
def test_live_board_stays_closed_to_others_after_a_delegate_opened_it(client, arena):
    client.force_login(arena.delegate)
    assert client.get(board_url(arena)).status_code == 200

    client.force_login(arena.jurors[1].user)
    juror = client.get(board_url(arena))
    client.force_login(DelegateFactory())
    stranger = client.get(board_url(arena))

    assert juror.status_code == 403
    assert stranger.status_code == 404


@pytest.mark.django_db
def test_live_board_shows_a_role_granted_after_seating_at_once(client, arena):
    client.force_login(arena.delegate)
    json_url = reverse("juries:board_json", args=[arena.forum.pk])
    key = f"{arena.jurors[0].pk}-{arena.pitches[1].pk}"
    cell = f'data-cell="{key}"'
    page_before = client.get(board_url(arena)).content.decode()
    json_before = client.get(json_url).json()

    grant(arena.jurors[0].user, arena.orgs[1], Role.DELEGATE)
    page_after = client.get(board_url(arena)).content.decode()
    json_after = client.get(json_url).json()

    assert f'class="text-center cell-todo" {cell}' in page_before
    assert f'class="text-center cell-conflict" {cell}' in page_after
    assert (json_before["cells"][key], json_after["cells"][key]) == ("todo", "conflict")


@pytest.mark.django_db
def test_live_board_shows_a_juror_only_grant_as_no_conflict(client, arena):
    grant(arena.jurors[0].user, arena.orgs[1], Role.JUROR)
    client.force_login(arena.delegate)

    data = client.get(reverse("juries:board_json", args=[arena.forum.pk])).json()

    assert data["cells"][f"{arena.jurors[0].pk}-{arena.pitches[1].pk}"] == "todo"


# --- Results --------------------------------------------------------------------------------


@pytest.fixture
def closed(db):
    arena = build_arena()
    save(arena, 0, 1, 9, 8)
    save(arena, 0, 2, 4, 6)
    save(arena, 1, 2, 8, 8)
    save(arena, 2, 1, 3, 2)
    services.close_scoring(arena.forum, actor=arena.delegate)
    return arena


@pytest.mark.django_db
def test_results_show_the_deliberation_on_the_next_request(client, closed):
    client.force_login(closed.delegate)
    before = client.get(results_url(closed)).content.decode()

    services.designate_laureates(
        closed.forum,
        actor=closed.delegate,
        laureate_ids={closed.pitches[0].pk},
        reasons={
            closed.pitches[0].pk: "Choix du jury pour sa portée.",
            closed.pitches[1].pk: "Écarté faute de budget.",
            closed.pitches[2].pk: "Écarté faute de budget.",
        },
    )
    after = client.get(results_url(closed)).content.decode()

    assert "Choix du jury pour sa portée." not in before
    assert "Choix du jury pour sa portée." in after


@pytest.mark.django_db
def test_results_show_the_same_ranking_to_all_but_the_buttons_to_delegates(client, closed):
    client.force_login(closed.delegate)
    delegate_page = client.get(results_url(closed))
    client.force_login(closed.jurors[1].user)  # neither president nor delegate
    juror_page = client.get(results_url(closed))

    def table(response):
        return response.content.decode().split("<table", 1)[1].split("</table>", 1)[0]

    assert table(delegate_page) == table(juror_page)
    assert [row.pitch for row in juror_page.context["ranking"]] == [
        row.pitch for row in delegate_page.context["ranking"]
    ]
    assert "Publier le palmarès" in delegate_page.content.decode()
    assert "Publier le palmarès" not in juror_page.content.decode()
    assert "Délibérer" not in juror_page.content.decode()


@pytest.mark.django_db
def test_results_stay_closed_to_others_after_a_delegate_opened_them(client, closed):
    client.force_login(closed.delegate)
    assert client.get(results_url(closed)).status_code == 200

    client.force_login(AgentFactory(organisation=closed.orgs[1]))
    agent = client.get(results_url(closed))
    client.force_login(DelegateFactory())
    stranger = client.get(results_url(closed))

    assert agent.status_code == 403
    assert stranger.status_code == 404


@pytest.mark.django_db
def test_results_are_hidden_until_closing_even_with_marks(client, arena):
    save(arena, 1, 2, 8, 8)
    client.force_login(arena.delegate)

    assert client.get(results_url(arena)).status_code == 403


# --- Header and tabs -----------------------------------------------------------------------


@pytest.mark.django_db
def test_room_pages_show_a_renamed_forum_and_its_new_stage_on_the_next_request(client, arena):
    client.force_login(arena.jurors[0].user)  # the president: scoring page and live board
    for url in (score_url(arena), board_url(arena)):
        client.get(url)

    Forum.objects.filter(pk=arena.forum.pk).update(title="Forum renommé", place="Lille")
    pages = [client.get(url).content.decode() for url in (score_url(arena), board_url(arena))]
    services.close_scoring(arena.forum, actor=arena.delegate)
    closed = client.get(score_url(arena)).content.decode()

    for body in pages:
        assert "Forum renommé" in body
        assert "Lille" in body
    results_tab = f'href="{results_url(arena)}"'
    assert results_tab not in pages[0]
    assert results_tab in closed


@pytest.mark.django_db
def test_the_tabs_follow_each_persons_rights_on_the_same_forum(client, arena):
    client.force_login(arena.jurors[0].user)  # the president runs the room
    president = client.get(score_url(arena)).content.decode()
    client.force_login(arena.jurors[1].user)
    juror = client.get(score_url(arena)).content.decode()

    board_tab = f'href="{board_url(arena)}"'
    assert board_tab in president
    assert board_tab not in juror


# --- The board's poll: 304 while nothing changed --------------------------------------------


def poll(client, arena, etag=None):
    headers = {"HTTP_IF_NONE_MATCH": etag} if etag else {}
    return client.get(json_url(arena), **headers)


@pytest.mark.django_db
def test_a_second_poll_with_the_etag_answers_304_without_a_body(client, arena):
    client.force_login(arena.delegate)
    first = poll(client, arena)

    second = poll(client, arena, first["ETag"])

    assert first.status_code == 200
    assert first["ETag"]
    assert second.status_code == 304
    assert second.content == b""
    assert second["ETag"] == first["ETag"]


@pytest.mark.django_db
def test_after_a_mark_the_poll_answers_the_new_state(client, arena):
    client.force_login(arena.delegate)
    etag = poll(client, arena)["ETag"]

    save(arena, 1, 2, 7, 7)
    after = poll(client, arena, etag)

    assert after.status_code == 200
    assert after["ETag"] != etag
    assert after.json()["cells"][f"{arena.jurors[1].pk}-{arena.pitches[2].pk}"] == "done"
    assert poll(client, arena, after["ETag"]).status_code == 304


@pytest.mark.django_db
def test_a_corrected_mark_changes_nothing_the_board_shows(client, arena):
    save(arena, 1, 2, 7, 7)
    client.force_login(arena.delegate)
    etag = poll(client, arena)["ETag"]

    save(arena, 1, 2, 3, 3)

    assert poll(client, arena, etag).status_code == 304


@pytest.mark.django_db
def test_after_a_recusal_the_poll_answers_the_new_state(client, arena):
    save(arena, 1, 2, 7, 7)
    client.force_login(arena.delegate)
    etag = poll(client, arena)["ETag"]

    scores.recuse(arena.forum, actor=arena.jurors[1].user, pitch=arena.pitches[2])
    after = poll(client, arena, etag)

    key = f"{arena.jurors[1].pk}-{arena.pitches[2].pk}"
    assert after.status_code == 200
    assert after.json()["cells"][key] == "recused"
    assert after.json()["jurors"][str(arena.jurors[1].pk)] == 0


@pytest.mark.django_db
def test_after_a_role_grant_the_poll_answers_the_conflict(client, arena):
    client.force_login(arena.delegate)
    etag = poll(client, arena)["ETag"]

    grant(arena.jurors[0].user, arena.orgs[1], Role.DELEGATE)
    after = poll(client, arena, etag)

    assert after.status_code == 200
    assert after.json()["cells"][f"{arena.jurors[0].pk}-{arena.pitches[1].pk}"] == "conflict"


@pytest.mark.django_db
def test_after_a_jurors_account_moves_to_another_collectivite_the_poll_answers_the_conflict(
    client, arena
):
    client.force_login(arena.delegate)
    etag = poll(client, arena)["ETag"]

    User.objects.filter(pk=arena.jurors[1].user_id).update(organisation=arena.orgs[2])
    after = poll(client, arena, etag)

    assert after.status_code == 200
    assert after.json()["cells"][f"{arena.jurors[1].pk}-{arena.pitches[2].pk}"] == "conflict"


@pytest.mark.django_db
def test_after_a_late_juror_joins_the_poll_answers_their_row(client, arena):
    client.force_login(arena.delegate)
    etag = poll(client, arena)["ETag"]

    late = ForumJurorFactory(forum=arena.forum, user__organisation=arena.orgs[0])
    after = poll(client, arena, etag)

    assert after.status_code == 200
    assert after.json()["jurors"][str(late.pk)] == 0


@pytest.mark.django_db
def test_after_the_next_pitch_or_the_closing_the_poll_answers_the_new_state(client, arena):
    client.force_login(arena.delegate)
    etag = poll(client, arena)["ETag"]

    services.set_on_stage(arena.forum, actor=arena.delegate, pitch=arena.pitches[2])
    on_stage = poll(client, arena, etag)
    services.close_scoring(arena.forum, actor=arena.delegate)
    closed = poll(client, arena, on_stage["ETag"])

    assert (on_stage.status_code, on_stage.json()["current"]) == (200, arena.pitches[2].pk)
    assert (closed.status_code, closed.json()["stage"]) == (200, Forum.Stage.CLOSED)


@pytest.mark.django_db
def test_the_poll_never_answers_304_to_someone_who_may_not_watch(client, arena):
    client.force_login(arena.delegate)
    etag = poll(client, arena)["ETag"]

    client.force_login(arena.jurors[1].user)
    juror = poll(client, arena, etag)
    client.force_login(DelegateFactory())
    stranger = poll(client, arena, etag)

    assert juror.status_code == 403
    assert stranger.status_code == 404
