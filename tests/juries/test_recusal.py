"""« Je me déporte » : a juror withdraws from a pitch, for good; their marks for it go."""

import csv
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from innovation.platform import audit
from innovation.platform.models import AuditEvent
from juries import scores, selectors, services
from juries.models import Forum, JurorNote, Recusal, Score, ScoreEvent
from tests.factories import AgentFactory, DelegateFactory, OrganisationFactory
from tests.juries.conftest import build_arena

S = Forum.Stage


def save(arena, juror_index, pitch_index, impact, feasibility, comment=""):
    scores.save_scores(
        arena.forum,
        actor=arena.jurors[juror_index].user,
        pitch=arena.pitches[pitch_index],
        values=arena.values(impact, feasibility),
        comment=comment,
    )


def recuse_url(arena, pitch_index):
    return reverse("juries:recuse", args=[arena.forum.pk, arena.pitches[pitch_index].pk])


# --- The service ----------------------------------------------------------------------------


def test_recusal_before_scoring_is_recorded_and_refuses_any_later_mark(arena):
    juror = arena.jurors[0]

    recusal = scores.recuse(
        arena.forum,
        actor=juror.user,
        pitch=arena.pitches[1],
        reason="  Un proche porte le projet. ",
    )

    assert (recusal.juror, recusal.pitch, recusal.reason) == (
        juror,
        arena.pitches[1],
        "Un proche porte le projet.",
    )
    with pytest.raises(ValidationError) as error:
        save(arena, 0, 1, 7, 7)
    assert error.value.messages == [
        "Vous vous êtes déporté·e pour ce pitch : vous ne le notez pas."
    ]
    assert Score.objects.count() == 0


def test_recusal_while_the_forum_is_prepared_is_allowed(preparing):
    scores.recuse(preparing.forum, actor=preparing.jurors[0].user, pitch=preparing.pitches[2])

    assert Recusal.objects.count() == 1


def test_recusal_after_scoring_withdraws_the_marks_and_the_trail_counts_them(arena):
    save(arena, 0, 1, 9, 2, comment="Très convaincant")
    save(arena, 0, 2, 4, 4)
    save(arena, 0, 1, 8, 2)  # a correction: a second history row for the impact mark

    scores.recuse(arena.forum, actor=arena.jurors[0].user, pitch=arena.pitches[1])

    assert list(Score.objects.values_list("pitch", flat=True)) == [arena.pitches[2].pk] * 2
    assert ScoreEvent.objects.filter(score__pitch=arena.pitches[1]).count() == 0
    assert ScoreEvent.objects.count() == 2
    assert JurorNote.objects.filter(pitch=arena.pitches[1]).count() == 0
    event = AuditEvent.objects.get(action=audit.RECUSAL)
    assert event.detail == {
        "forum": arena.forum.pk,
        "juror": arena.jurors[0].pk,
        "marks_withdrawn": 2,
    }
    assert (event.actor, event.target_id) == (arena.jurors[0].user, str(arena.pitches[1].pk))


def test_recusal_after_closing_is_refused(arena):
    services.close_scoring(arena.forum, actor=arena.delegate)

    with pytest.raises(ValidationError) as error:
        scores.recuse(arena.forum, actor=arena.jurors[0].user, pitch=arena.pitches[1])

    assert error.value.messages == [
        "La notation est close : il n'est plus possible de se déporter."
    ]
    assert Recusal.objects.count() == 0


def test_recusal_by_someone_off_the_jury_is_refused(arena):
    with pytest.raises(PermissionDenied):
        scores.recuse(arena.forum, actor=arena.delegate, pitch=arena.pitches[1])

    assert Recusal.objects.count() == 0


def test_recusal_twice_is_refused_with_a_message(arena):
    scores.recuse(arena.forum, actor=arena.jurors[0].user, pitch=arena.pitches[1])

    with pytest.raises(ValidationError) as error:
        scores.recuse(arena.forum, actor=arena.jurors[0].user, pitch=arena.pitches[1])

    assert error.value.messages == ["Vous vous êtes déjà déporté·e pour ce pitch."]


def test_recusal_from_a_pitch_of_another_forum_is_refused(arena):
    other = build_arena()

    with pytest.raises(ValidationError):
        scores.recuse(arena.forum, actor=arena.jurors[0].user, pitch=other.pitches[1])
    with pytest.raises(IntegrityError, match="recusal_pitch_forum_fk"), transaction.atomic():
        Recusal.objects.create(forum=arena.forum, juror=arena.jurors[0], pitch=other.pitches[1])


def test_a_juror_who_recused_stays_on_the_jury(preparing):
    juror = preparing.jurors[1]
    scores.recuse(preparing.forum, actor=juror.user, pitch=preparing.pitches[0])

    with pytest.raises(ValidationError) as error:
        services.remove_juror(juror, actor=preparing.delegate)

    assert "déporté" in error.value.messages[0]
    assert Recusal.objects.filter(juror=juror).count() == 1


def test_results_do_not_count_withdrawn_marks(arena):
    save(arena, 0, 1, 10, 10)
    save(arena, 2, 1, 2, 2)
    scores.recuse(arena.forum, actor=arena.jurors[0].user, pitch=arena.pitches[1])
    services.close_scoring(arena.forum, actor=arena.delegate)

    row = next(r for r in selectors.results(arena.forum) if r.pitch == arena.pitches[1])

    assert (row.juror_count, row.raw) == (1, pytest.approx(2))
    assert [recusal.juror for recusal in row.recusals] == [arena.jurors[0]]


# --- The pages ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_confirmation_page_says_what_recusing_means_and_that_it_is_final(client, arena):
    save(arena, 0, 1, 9, 2)
    client.force_login(arena.jurors[0].user)

    response = client.get(recuse_url(arena, 1))

    body = response.content.decode()
    assert response.status_code == 200
    assert "Vos 2 notes déjà données pour ce pitch seront retirées" in body
    assert "elle ne peut pas être annulée" in body
    assert f'<form method="post" action="{recuse_url(arena, 1)}"' in body
    assert 'name="csrfmiddlewaretoken"' in body
    assert 'name="reason"' in body


@pytest.mark.django_db
def test_recusing_through_the_form_returns_to_the_scoring_page_without_a_form(client, arena):
    save(arena, 0, 1, 9, 2)
    Forum.objects.filter(pk=arena.forum.pk).update(current_pitch=arena.pitches[1])
    client.force_login(arena.jurors[0].user)

    response = client.post(
        recuse_url(arena, 1), {"reason": "Ma sœur est dans l'équipe."}, follow=True
    )
    pitch_page = client.get(
        reverse("juries:score_pitch", args=[arena.forum.pk, arena.pitches[1].pk])
    )

    body = response.content.decode()
    on_stage = body.split("</section>", 1)[0]
    line = body.split(f'data-pitch="{arena.pitches[1].pk}"', 1)[1].split("</li>", 1)[0]
    assert response.redirect_chain == [(reverse("juries:score", args=[arena.forum.pk]), 302)]
    assert "Vos 2 notes ont été retirées." in body
    assert "Vous vous êtes déporté·e : vous ne notez pas ce pitch." in on_stage
    assert response.context["current_form"] is None
    assert "Vous vous êtes déporté·e" in line
    assert "Ma sœur est dans l&#x27;équipe." in line
    assert 'class="badge score-recused"' in line
    assert "Noter" not in line
    assert "data-score-form" not in pitch_page.content.decode()
    assert Score.objects.count() == 0


@pytest.mark.django_db
def test_a_second_recusal_of_the_same_pitch_shows_the_first_and_no_form(client, arena):
    scores.recuse(arena.forum, actor=arena.jurors[0].user, pitch=arena.pitches[1])
    client.force_login(arena.jurors[0].user)

    page = client.get(recuse_url(arena, 1))
    posted = client.post(recuse_url(arena, 1), {"reason": ""})

    assert "Vous vous êtes déporté·e de ce pitch le" in page.content.decode()
    assert 'name="reason"' not in page.content.decode()
    assert posted.status_code == 400
    assert Recusal.objects.count() == 1


@pytest.mark.django_db
def test_recusing_after_closing_is_refused_by_the_page(client, arena):
    services.close_scoring(arena.forum, actor=arena.delegate)
    client.force_login(arena.jurors[0].user)

    page = client.get(recuse_url(arena, 1))
    posted = client.post(recuse_url(arena, 1), {"reason": ""})

    assert "La notation est close : il n'est plus possible de se déporter." in (
        page.content.decode()
    )
    assert 'name="reason"' not in page.content.decode()
    assert posted.status_code == 400
    assert Recusal.objects.count() == 0


@pytest.mark.django_db
def test_the_recusal_page_sends_anonymous_people_to_login(client, arena):
    response = client.get(recuse_url(arena, 1))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "post"])
def test_nobody_but_a_juror_may_recuse(client, arena, method):
    # The delegate running the forum may not withdraw a juror; nor may a member of a
    # participating collectivité: the page is a juror's own.
    for person in (arena.delegate, AgentFactory(organisation=arena.orgs[1])):
        client.force_login(person)

        assert getattr(client, method)(recuse_url(arena, 1)).status_code == 403

    assert Recusal.objects.count() == 0


@pytest.mark.django_db
def test_the_recusal_page_of_another_organisations_forum_is_not_found(client, arena):
    client.force_login(DelegateFactory(organisation=OrganisationFactory()))

    assert client.get(recuse_url(arena, 1)).status_code == 404
    assert client.post(recuse_url(arena, 1)).status_code == 404


@pytest.mark.django_db
def test_a_pitch_of_another_forum_cannot_be_recused(client, arena):
    other = build_arena()
    client.force_login(arena.jurors[0].user)
    url = reverse("juries:recuse", args=[arena.forum.pk, other.pitches[1].pk])

    assert client.post(url, {"reason": ""}).status_code == 404
    assert Recusal.objects.count() == 0


@pytest.mark.django_db
def test_a_recusal_shows_at_once_on_the_live_board_as_its_own_state(client, arena):
    client.force_login(arena.delegate)
    json_url = reverse("juries:board_json", args=[arena.forum.pk])
    board_url = reverse("juries:board", args=[arena.forum.pk])
    client.get(board_url)
    client.get(json_url)
    key = f"{arena.jurors[0].pk}-{arena.pitches[1].pk}"

    save(arena, 0, 1, 6, 6)
    scores.recuse(arena.forum, actor=arena.jurors[0].user, pitch=arena.pitches[1])
    page = client.get(board_url).content.decode()
    data = client.get(json_url).json()

    assert f'class="text-center cell-recused" data-cell="{key}">déporté·e</td>' in page
    assert data["cells"][key] == "recused"
    assert data["jurors"][str(arena.jurors[0].pk)] == 0
    assert data["pitches"][str(arena.pitches[1].pk)] == 0


@pytest.mark.django_db
def test_results_and_their_csv_name_who_withdrew(client, arena):
    save(arena, 1, 2, 8, 8)
    juror = arena.jurors[0]
    scores.recuse(arena.forum, actor=juror.user, pitch=arena.pitches[2], reason="Lien familial")
    services.close_scoring(arena.forum, actor=arena.delegate)
    client.force_login(arena.delegate)

    page = client.get(reverse("juries:results", args=[arena.forum.pk])).content.decode()
    export = client.get(reverse("juries:export_results", args=[arena.forum.pk]))

    row = page.split(arena.pitches[2].idea.title.replace("'", "&#x27;"), 1)[1].split("</tr>")[0]
    assert f"{juror.user.get_full_name()} (Lien familial)" in row
    text = b"".join(export.streaming_content).decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text), delimiter=";"))
    header = lines[0]
    by_title = {line[header.index("Pitch")]: line for line in lines[1:]}
    withdrawn = by_title[arena.pitches[2].idea.title]
    assert (
        withdrawn[header.index("Jurés déportés")] == f"{juror.user.get_full_name()} (Lien familial)"
    )
    assert withdrawn[header.index("Jurés comptés")] == "1"
    assert by_title[arena.pitches[1].idea.title][header.index("Jurés déportés")] == ""


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_the_recusal_page_costs_the_same_queries_whatever_the_programme(
    client, django_assert_num_queries, count
):
    arena = build_arena(pitch_count=count)
    client.force_login(arena.jurors[1].user)
    url = reverse("juries:recuse", args=[arena.forum.pk, arena.pitches[0].pk])
    client.get(url)  # the session, the person's first visit

    # The session, the person, their role grants, their unread count (the menu); the forum
    # with the seat; the pitch, the grid, the recusals, the marks with the comment.
    with django_assert_num_queries(9):
        response = client.get(url)

    assert response.context["pitch"] == arena.pitches[0]
