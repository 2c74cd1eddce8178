"""The juror's scoring pages, rendered afresh for each juror on every request: their own marks,
their own conflicts of interest and recusals, in a fixed number of queries."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from ideas.models import Idea
from innovation.platform.models import Role
from juries import scores, services
from juries.models import Forum, Score
from tests.factories import AgentFactory, grant
from tests.juries.conftest import build_arena


def score_url(arena):
    return reverse("juries:score", args=[arena.forum.pk])


def pitch_url(arena, index):
    return reverse("juries:score_pitch", args=[arena.forum.pk, arena.pitches[index].pk])


def save(arena, juror_index, pitch_index, impact, feasibility, comment=""):
    scores.save_scores(
        arena.forum,
        actor=arena.jurors[juror_index].user,
        pitch=arena.pitches[pitch_index],
        values=arena.values(impact, feasibility),
        comment=comment,
    )


def line(body, pitch):
    """A pitch's line in the scoring page's programme."""
    return body.split(f'data-pitch="{pitch.pk}"', 1)[1].split("</li>", 1)[0]


def badge(body, pitch):
    return re.search(r'<span class="badge ([\w-]+)"', line(body, pitch)).group(1)


def on_stage(client, arena):
    """The "Sur scène" card of the scoring page."""
    return client.get(score_url(arena)).content.decode().split("</section>", 1)[0]


def score_form(body):
    """The score form of a page, without its CSRF token (masked anew on every request)."""
    form = re.search(r"<form[^>]*data-score-form.*?</form>", body, re.S).group(0)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", form)


# --- What each juror sees -------------------------------------------------------------------


@pytest.mark.django_db
def test_scoring_page_shows_a_saved_score_on_the_next_request(client, arena):
    client.force_login(arena.jurors[1].user)
    before = client.get(score_url(arena)).content.decode()

    save(arena, 1, 2, 7, 7)
    after = client.get(score_url(arena)).content.decode()

    assert badge(before, arena.pitches[2]) == "score-todo"
    assert badge(after, arena.pitches[2]) == "score-done"


@pytest.mark.django_db
def test_scoring_page_follows_the_pitch_on_stage(client, arena):
    client.force_login(arena.jurors[1].user)
    first = on_stage(client, arena)

    services.set_on_stage(arena.forum, actor=arena.delegate, pitch=arena.pitches[2])
    second = on_stage(client, arena)

    assert "Aucun pitch sur scène" in first
    assert escape(arena.pitches[2].idea.title) in second
    assert 'name="criterion_' in second


@pytest.mark.django_db
def test_each_juror_sees_their_own_marks_and_conflicts(client, arena):
    Forum.objects.filter(pk=arena.forum.pk).update(current_pitch=arena.pitches[2])
    save(arena, 0, 2, 9, 1, comment="Note secrète du juré zéro")
    pages = {}
    for index in (0, 1, 2):
        client.force_login(arena.jurors[index].user)
        pages[index] = client.get(score_url(arena))

    zero, one, two = (pages[i].content.decode() for i in (0, 1, 2))
    # Juror 0 scored pitch 2, juror 1 did not; each sees their own organisation's pitch.
    assert badge(zero, arena.pitches[2]) == "score-done"
    assert badge(one, arena.pitches[2]) == "score-todo"
    assert badge(zero, arena.pitches[0]) == "score-conflict"
    assert "Votre collectivité" in line(zero, arena.pitches[0])
    assert badge(one, arena.pitches[0]) == "score-todo"
    assert badge(one, arena.pitches[1]) == "score-conflict"
    # Their marks and comment fill juror 0's form only.
    assert "Note secrète du juré zéro" in zero
    assert "Note secrète" not in one
    assert pages[1].context["marks"] == {}
    assert re.search(r'name="criterion_\d+" value=', one) is None
    assert re.search(r'name="criterion_\d+" value="9"', zero) is not None
    # Pitch 2 comes from juror 2's organisation: no form for them.
    assert "conflit d'intérêts" in two.split("</section>", 1)[0]
    assert pages[2].context["current_form"] is None


@pytest.mark.django_db
def test_a_conflict_through_a_role_says_which_role(client, arena):
    grant(arena.jurors[0].user, arena.orgs[1], Role.DELEGATE)
    client.force_login(arena.jurors[0].user)

    body = client.get(score_url(arena)).content.decode()

    assert badge(body, arena.pitches[1]) == "score-conflict"
    assert "Vous y avez un rôle : délégué·e à l&#x27;innovation" in line(body, arena.pitches[1])
    assert pitch_url(arena, 1) not in line(body, arena.pitches[1])


@pytest.mark.django_db
def test_a_juror_only_grant_elsewhere_leaves_the_pitch_to_score(client, arena):
    grant(arena.jurors[0].user, arena.orgs[1], Role.JUROR)
    client.force_login(arena.jurors[0].user)

    body = client.get(score_url(arena)).content.decode()

    assert badge(body, arena.pitches[1]) == "score-todo"


@pytest.mark.django_db
def test_marks_given_before_a_role_was_granted_offer_the_recusal(client, arena):
    save(arena, 0, 1, 6, 6)
    grant(arena.jurors[0].user, arena.orgs[1], Role.AGENT)
    client.force_login(arena.jurors[0].user)

    body = client.get(score_url(arena)).content.decode()
    page = client.get(pitch_url(arena, 1)).content.decode()

    recuse = reverse("juries:recuse", args=[arena.forum.pk, arena.pitches[1].pk])
    assert badge(body, arena.pitches[1]) == "score-conflict"
    assert "déportez-vous pour retirer vos notes" in line(body, arena.pitches[1])
    assert recuse in line(body, arena.pitches[1])
    assert "data-score-form" not in page
    assert recuse in page


@pytest.mark.django_db
def test_every_pitch_to_score_offers_the_recusal_until_closing(client, arena):
    client.force_login(arena.jurors[0].user)
    recuse = reverse("juries:recuse", args=[arena.forum.pk, arena.pitches[1].pk])
    before = client.get(score_url(arena)).content.decode()

    services.close_scoring(arena.forum, actor=arena.delegate)
    after = client.get(score_url(arena)).content.decode()

    assert recuse in line(before, arena.pitches[1])
    assert recuse not in after


@pytest.mark.django_db
def test_on_stage_form_is_the_pitch_pages_form_with_the_jurors_values(client, arena):
    Forum.objects.filter(pk=arena.forum.pk).update(current_pitch=arena.pitches[2])
    save(arena, 1, 2, 0, 10, comment="Revoir « l'accueil » <b>&</b>")
    client.force_login(arena.jurors[1].user)

    on_stage_form = score_form(client.get(score_url(arena)).content.decode())
    pitch_form = score_form(client.get(pitch_url(arena, 2)).content.decode())

    assert on_stage_form == pitch_form
    assert 'value="0"' in on_stage_form
    assert "Revoir « l&#x27;accueil » &lt;b&gt;&amp;&lt;/b&gt;" in on_stage_form


@pytest.mark.django_db
def test_scoring_page_is_closed_to_others(client, arena):
    client.force_login(arena.jurors[1].user)
    assert client.get(score_url(arena)).status_code == 200

    client.force_login(AgentFactory(organisation=arena.orgs[1]))
    refused = client.get(score_url(arena))
    client.force_login(build_arena().jurors[0].user)
    unknown = client.get(score_url(arena))

    assert refused.status_code == 403
    assert unknown.status_code == 404


@pytest.mark.django_db
def test_scoring_page_shows_a_changed_idea_title(client, arena):
    client.force_login(arena.jurors[1].user)
    client.get(score_url(arena))

    Idea.objects.filter(pk=arena.pitches[2].idea_id).update(title="Titre tout neuf")
    body = client.get(score_url(arena)).content.decode()

    assert "Titre tout neuf" in body


@pytest.mark.django_db
def test_scoring_form_on_stage_carries_this_persons_csrf_token(arena):
    Forum.objects.filter(pk=arena.forum.pk).update(current_pitch=arena.pitches[2])
    client = Client(enforce_csrf_checks=True)
    client.force_login(arena.jurors[1].user)

    body = client.get(score_url(arena)).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
    marks = {f"criterion_{c.pk}": "6" for c in arena.criteria}
    response = client.post(pitch_url(arena, 2), {**marks, "csrfmiddlewaretoken": token})

    assert response.status_code == 302
    assert Score.objects.filter(juror=arena.jurors[1], pitch=arena.pitches[2]).count() == 2


# --- Queries: the same whatever the programme ------------------------------------------------


def programme_of(count):
    """A forum of `count` pitches, the pitch on stage, juror 1 having scored and commented
    the pitches they may score and withdrawn from none."""
    arena = build_arena(pitch_count=count)
    Forum.objects.filter(pk=arena.forum.pk).update(current_pitch=arena.pitches[0])
    for index, pitch in enumerate(arena.pitches):
        if pitch.organisation_id != arena.jurors[1].organisation_id:
            save(arena, 1, index, 6, 7, comment=f"Commentaire {index}")
    return arena


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_scoring_page_costs_the_same_queries_whatever_the_programme(
    client, django_assert_num_queries, count
):
    arena = programme_of(count)
    client.force_login(arena.jurors[1].user)
    client.get(score_url(arena))  # the session's first use

    # The session, the person, their role grants, their unread count (the menu); the forum
    # with the seat; the pitches, the grid, the recusals, the marks with the comment.
    with django_assert_num_queries(9):
        response = client.get(score_url(arena))

    lines = response.context["lines"]
    assert [item["pitch"].pk for item in lines] == [pitch.pk for pitch in arena.pitches]
    body = response.content.decode()
    for pitch in arena.pitches:
        assert f'data-pitch="{pitch.pk}"' in body
        assert escape(pitch.idea.title) in body
    assert "Commentaire 0" in body  # the comment on the pitch on stage


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_score_one_pitch_page_costs_the_same_queries_whatever_the_programme(
    client, django_assert_num_queries, count
):
    arena = programme_of(count)
    client.force_login(arena.jurors[1].user)
    client.get(pitch_url(arena, 0))

    # The session, the person, their role grants, their unread count (the menu); the forum
    # with the seat; the pitch, the grid, the recusals, the marks with the comment.
    with django_assert_num_queries(9):
        response = client.get(pitch_url(arena, 0))

    assert response.context["pitch"] == arena.pitches[0]
    assert "Commentaire 0" in response.content.decode()
    assert 'value="6"' in response.content.decode()
