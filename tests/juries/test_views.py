"""Forum pages: who may open what, what each page shows, bad input, and query counts."""

import pytest
from django.urls import reverse

from ideas.models import Idea
from innovation.platform.models import Role
from juries import scores, services
from juries.models import Criterion, Forum, Juror, Pitch, Score
from tests.factories import (
    AgentFactory,
    DelegateFactory,
    ForumJurorFactory,
    IdeaFactory,
    OrganisationFactory,
    PitchFactory,
    grant,
)
from tests.juries.conftest import build_arena

S = Forum.Stage

# name, stage, target of the URL, method, who is refused with a 403
VIEWS = [
    ("juries:create", S.PREPARING, None, "get", "agent"),
    ("juries:edit", S.PREPARING, "forum", "get", "agent"),
    ("juries:criterion_create", S.PREPARING, "forum", "get", "agent"),
    ("juries:criterion_delete", S.PREPARING, "criterion", "post", "agent"),
    ("juries:juror_create", S.PREPARING, "forum", "get", "agent"),
    ("juries:juror_delete", S.PREPARING, "juror", "post", "agent"),
    ("juries:put_forward", S.PREPARING, "forum", "get", "agent"),
    ("juries:pitch_withdraw", S.PREPARING, "pitch", "post", "agent"),
    ("juries:pitch_move", S.PREPARING, "pitch", "post", "agent"),
    ("juries:on_stage", S.OPEN, "forum", "post", "juror"),
    ("juries:stage", S.OPEN, "forum", "post", "juror"),
    ("juries:score", S.OPEN, "forum", "get", "agent"),
    ("juries:score_pitch", S.OPEN, "forum+pitch", "get", "agent"),
    ("juries:recuse", S.OPEN, "forum+pitch", "get", "agent"),
    ("juries:board", S.OPEN, "forum", "get", "juror"),
    ("juries:board_json", S.OPEN, "forum", "get", "juror"),
    ("juries:timer", S.OPEN, "forum", "get", "juror"),
    ("juries:export_scores", S.OPEN, "forum", "get", "agent"),
    ("juries:results", S.CLOSED, "forum", "get", "agent"),
    ("juries:deliberate", S.CLOSED, "forum", "get", "juror"),
    ("juries:publish", S.CLOSED, "forum", "post", "juror"),
    ("juries:export_results", S.CLOSED, "forum", "get", "agent"),
    ("juries:palmares", S.CLOSED, "forum", "get", "agent"),
    ("juries:accompany", S.PUBLISHED, "forum", "post", "juror"),
]


def url_for(arena, name, target):
    args = {
        None: [],
        "forum": [arena.forum.pk],
        "criterion": [arena.criteria[0].pk],
        "juror": [arena.jurors[1].pk],
        "pitch": [arena.pitches[1].pk],
        "forum+pitch": [arena.forum.pk, arena.pitches[1].pk],
    }[target]
    return reverse(name, args=args)


def request(client, method, url):
    # A valid stage for the stage view, so that only the permission decides.
    return client.post(url, {"to": "closed"}) if method == "post" else client.get(url)


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "stage", "target", "method", "refused"), VIEWS)
def test_anonymous_is_sent_to_login(client, name, stage, target, method, refused):
    arena = build_arena(stage=stage)

    response = getattr(client, method)(url_for(arena, name, target))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "stage", "target", "method", "refused"), VIEWS)
def test_wrong_role_is_refused(client, name, stage, target, method, refused):
    arena = build_arena(stage=stage)
    # A member of a participating organisation who runs nothing, or a plain juror.
    if refused == "agent":
        person = AgentFactory(organisation=arena.orgs[1])
    else:
        person = arena.jurors[1].user
    client.force_login(person)

    response = request(client, method, url_for(arena, name, target))

    assert response.status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "stage", "target", "method", "refused"),
    [view for view in VIEWS if view[2] is not None],  # a URL naming a forum or one of its rows
)
def test_another_organisations_forum_is_not_found(client, name, stage, target, method, refused):
    arena = build_arena(stage=stage)
    client.force_login(DelegateFactory(organisation=OrganisationFactory()))

    response = request(client, method, url_for(arena, name, target))

    assert response.status_code == 404


@pytest.mark.django_db
def test_forum_detail_of_another_organisation_is_not_found(client, arena):
    client.force_login(DelegateFactory(organisation=OrganisationFactory()))

    assert client.get(reverse("juries:detail", args=[arena.forum.pk])).status_code == 404


@pytest.mark.django_db
def test_forum_list_shows_only_visible_forums(client, arena):
    hidden = build_arena()
    client.force_login(AgentFactory(organisation=arena.orgs[2]))

    response = client.get(reverse("juries:list"))

    assert list(response.context["forums"]) == [arena.forum]
    assert hidden.forum.title not in response.content.decode()


@pytest.mark.django_db
def test_a_juror_from_outside_the_participants_sees_the_forum_they_sit_on(client, arena):
    outside = ForumJurorFactory(forum=arena.forum, user__organisation=OrganisationFactory())
    client.force_login(outside.user)

    assert client.get(reverse("juries:score", args=[arena.forum.pk])).status_code == 200


# --- Scoring pages -----------------------------------------------------------------------------


def score_data(arena, impact, feasibility, comment=""):
    return {
        f"criterion_{arena.criteria[0].pk}": impact,
        f"criterion_{arena.criteria[1].pk}": feasibility,
        "comment": comment,
    }


@pytest.mark.django_db
def test_plain_form_post_saves_and_returns_to_the_scoring_page(client, arena):
    juror = arena.jurors[0]
    client.force_login(juror.user)
    url = reverse("juries:score_pitch", args=[arena.forum.pk, arena.pitches[1].pk])

    response = client.post(url, score_data(arena, 8, 6), follow=True)

    assert response.redirect_chain == [(reverse("juries:score", args=[arena.forum.pk]), 302)]
    assert "Enregistré" in response.content.decode()
    assert sorted(Score.objects.values_list("value", flat=True)) == [6, 8]


@pytest.mark.django_db
def test_json_post_answers_enregistre(client, arena):
    client.force_login(arena.jurors[0].user)
    url = reverse("juries:score_pitch", args=[arena.forum.pk, arena.pitches[1].pk])

    response = client.post(url, score_data(arena, 8, 6), HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    assert response.json() == {
        "ok": True,
        "message": "Enregistré",
        "pitch": arena.pitches[1].pk,
        "scored": True,
    }


@pytest.mark.django_db
def test_a_mark_outside_the_scale_keeps_the_input_and_explains(client, arena):
    client.force_login(arena.jurors[0].user)
    url = reverse("juries:score_pitch", args=[arena.forum.pk, arena.pitches[1].pk])

    response = client.post(url, score_data(arena, 15, 6, comment="À revoir"))

    body = response.content.decode()
    assert response.status_code == 400
    assert "La note doit être comprise entre 0 et 10." in body
    assert 'value="15"' in body
    assert "À revoir" in body
    assert Score.objects.count() == 0


@pytest.mark.django_db
def test_json_post_with_a_bad_mark_answers_the_field_errors(client, arena):
    client.force_login(arena.jurors[0].user)
    url = reverse("juries:score_pitch", args=[arena.forum.pk, arena.pitches[1].pk])

    response = client.post(url, score_data(arena, "", 6), HTTP_ACCEPT="application/json")

    assert response.status_code == 400
    assert response.json() == {
        "ok": False,
        "errors": {f"criterion_{arena.criteria[0].pk}": ["Donnez une note pour ce critère."]},
    }


@pytest.mark.django_db
def test_the_view_refuses_scoring_ones_own_organisation(client, arena):
    client.force_login(arena.jurors[0].user)
    url = reverse("juries:score_pitch", args=[arena.forum.pk, arena.pitches[0].pk])

    page = client.get(url)
    response = client.post(url, score_data(arena, 8, 6), HTTP_ACCEPT="application/json")

    assert "conflit d'intérêts" in page.content.decode()
    assert "<form" not in page.content.decode().split("<main")[1].split("Retour")[0]
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "__all__": [
            "Vous ne notez pas les projets de votre propre collectivité (conflit d'intérêts)."
        ]
    }
    assert Score.objects.count() == 0


@pytest.mark.django_db
def test_scoring_after_closing_explains_and_changes_nothing(client, arena):
    client.force_login(arena.jurors[0].user)
    url = reverse("juries:score_pitch", args=[arena.forum.pk, arena.pitches[1].pk])
    client.post(url, score_data(arena, 8, 6))
    services.close_scoring(arena.forum, actor=arena.delegate)

    response = client.post(url, score_data(arena, 2, 2))

    assert response.status_code == 400
    assert "La notation est close" in response.content.decode()
    assert sorted(Score.objects.values_list("value", flat=True)) == [6, 8]


@pytest.mark.django_db
def test_a_criterion_of_another_forum_posted_is_ignored_by_the_form(client, arena):
    other = build_arena()
    client.force_login(arena.jurors[0].user)
    url = reverse("juries:score_pitch", args=[arena.forum.pk, arena.pitches[1].pk])
    data = {**score_data(arena, 8, 6), f"criterion_{other.criteria[0].pk}": 3}

    client.post(url, data)

    assert set(Score.objects.values_list("criterion__forum", flat=True)) == {arena.forum.pk}


@pytest.mark.django_db
def test_a_pitch_of_another_forum_is_not_found(client, arena):
    other = build_arena()
    client.force_login(arena.jurors[0].user)
    url = reverse("juries:score_pitch", args=[arena.forum.pk, other.pitches[1].pk])

    assert client.post(url, score_data(arena, 8, 6)).status_code == 404


@pytest.mark.django_db
def test_scoring_page_shows_the_pitch_on_stage_with_its_form(client, arena):
    Forum.objects.filter(pk=arena.forum.pk).update(current_pitch=arena.pitches[1])
    client.force_login(arena.jurors[0].user)

    response = client.get(reverse("juries:score", args=[arena.forum.pk]))

    assert response.context["current"] == arena.pitches[1]
    assert response.context["current_form"] is not None


# --- Confidentiality ------------------------------------------------------------------------


def juror_scores(arena, index, pitch_index, impact, feasibility, comment=""):
    scores.save_scores(
        arena.forum,
        actor=arena.jurors[index].user,
        pitch=arena.pitches[pitch_index],
        values=arena.values(impact, feasibility),
        comment=comment,
    )


@pytest.mark.django_db
def test_a_jurors_pages_show_no_other_jurors_scores_before_closing(client, arena):
    juror_scores(arena, 0, 2, 9, 1, comment="Note secrète du juré zéro")
    other = arena.jurors[1]
    client.force_login(other.user)

    pages = [
        client.get(reverse("juries:score", args=[arena.forum.pk])),
        client.get(reverse("juries:score_pitch", args=[arena.forum.pk, arena.pitches[2].pk])),
        client.get(reverse("juries:detail", args=[arena.forum.pk])),
    ]

    for page in pages:
        body = page.content.decode()
        assert page.status_code == 200
        assert "Note secrète" not in body
        assert 'value="9"' not in body
    assert pages[1].context["form"].initial == {"comment": ""}
    assert pages[0].context["marks"] == {}
    assert client.get(reverse("juries:results", args=[arena.forum.pk])).status_code == 403


@pytest.mark.django_db
def test_a_jurors_export_before_closing_holds_only_their_own_scores(client, arena):
    juror_scores(arena, 0, 2, 9, 1)
    juror_scores(arena, 1, 2, 4, 3)
    client.force_login(arena.jurors[1].user)

    response = client.get(reverse("juries:export_scores", args=[arena.forum.pk]))

    lines = b"".join(response.streaming_content).decode("utf-8-sig").strip().splitlines()
    assert len(lines) == 3  # header and the juror's two marks
    assert all(arena.jurors[1].user.get_full_name() in line for line in lines[1:])
    assert arena.jurors[0].user.get_full_name() not in "".join(lines)


@pytest.mark.django_db
def test_the_live_board_shows_who_scored_never_the_values(client, arena):
    juror_scores(arena, 1, 2, 9, 1)
    client.force_login(arena.delegate)

    data = client.get(reverse("juries:board_json", args=[arena.forum.pk])).json()

    key = f"{arena.jurors[1].pk}-{arena.pitches[2].pk}"
    assert data["cells"][key] == "done"
    assert data["cells"][f"{arena.jurors[0].pk}-{arena.pitches[0].pk}"] == "conflict"
    assert set(data["cells"].values()) == {"done", "todo", "conflict"}
    assert set(data) == {"stage", "current", "cells", "jurors", "pitches", "at"}


@pytest.mark.django_db
def test_after_closing_the_jury_sees_every_score(client, arena):
    juror_scores(arena, 0, 2, 9, 1)
    juror_scores(arena, 1, 2, 4, 3)
    services.close_scoring(arena.forum, actor=arena.delegate)
    client.force_login(arena.jurors[1].user)

    response = client.get(reverse("juries:export_scores", args=[arena.forum.pk]))

    lines = b"".join(response.streaming_content).decode("utf-8-sig").strip().splitlines()
    assert len(lines) == 5


# --- Results, deliberation, palmarès ----------------------------------------------------------


@pytest.mark.django_db
def test_results_page_shows_raw_and_normalised_scores_and_the_method(client, arena):
    juror_scores(arena, 0, 1, 9, 6)
    juror_scores(arena, 1, 2, 4, 1)
    services.close_scoring(arena.forum, actor=arena.delegate)
    client.force_login(arena.jurors[2].user)

    response = client.get(reverse("juries:results", args=[arena.forum.pk]))

    body = response.content.decode()
    rows = response.context["ranking"]
    assert [row.pitch.pk for row in rows] == [
        arena.pitches[1].pk,
        arena.pitches[2].pk,
        arena.pitches[0].pk,
    ]
    assert rows[0].raw == pytest.approx(8)  # (2*9 + 6) / 3
    assert "Note normalisée" in body
    assert "Classement : par note normalisée décroissante" in body
    assert "non noté" in body


@pytest.mark.django_db
def test_deliberation_without_reason_keeps_the_choice_and_explains(client, arena):
    juror_scores(arena, 0, 1, 9, 6)
    juror_scores(arena, 1, 2, 4, 1)
    Forum.objects.filter(pk=arena.forum.pk).update(laureate_count=1)
    services.close_scoring(arena.forum, actor=arena.delegate)
    client.force_login(arena.jurors[0].user)  # the president
    url = reverse("juries:deliberate", args=[arena.forum.pk])

    response = client.post(url, {f"laureate_{arena.pitches[2].pk}": "on"})

    assert response.status_code == 400
    assert "écrivez le motif" in response.content.decode()
    assert list(Pitch.objects.filter(laureate=True)) == [arena.pitches[1]]


@pytest.mark.django_db
def test_published_palmares_shows_laureates_and_reasons_to_members(client, arena):
    juror_scores(arena, 0, 1, 9, 6)
    juror_scores(arena, 1, 2, 4, 1)
    Forum.objects.filter(pk=arena.forum.pk).update(laureate_count=1)
    services.close_scoring(arena.forum, actor=arena.delegate)
    services.designate_laureates(
        arena.forum,
        actor=arena.delegate,
        laureate_ids={arena.pitches[1].pk, arena.pitches[2].pk},
        reasons={arena.pitches[2].pk: "Coup de cœur du jury pour sa transférabilité."},
    )
    client.force_login(arena.delegate)
    client.post(reverse("juries:publish", args=[arena.forum.pk]))
    client.force_login(AgentFactory(organisation=arena.orgs[2]))

    response = client.get(reverse("juries:palmares", args=[arena.forum.pk]))

    body = response.content.decode()
    assert response.status_code == 200
    assert [row.pitch for row in response.context["laureates"]] == arena.pitches[1:]
    assert "Coup de cœur du jury pour sa transférabilité." in body


# --- Preparing through the pages --------------------------------------------------------------


@pytest.mark.django_db
def test_delegate_creates_a_forum(client):
    delegate = DelegateFactory()
    partner = OrganisationFactory()
    client.force_login(delegate)

    response = client.post(
        reverse("juries:create"),
        {
            "title": "1er forum Innovations interdépartemental",
            "date": "2026-11-28",
            "starts_at": "14:00",
            "place": "Amiens",
            "organiser": delegate.organisation.pk,
            "organisations": [delegate.organisation.pk, partner.pk],
            "quota": 3,
            "laureate_count": 8,
            "pitch_minutes": 3,
            "question_minutes": 4,
            "weight_elected": 1,
            "weight_agent": 1,
            "weight_director": 1,
        },
    )

    forum = Forum.objects.get()
    assert response.url == forum.get_absolute_url()
    assert set(forum.organisations.all()) == {delegate.organisation, partner}


@pytest.mark.django_db
def test_a_criterion_with_a_zero_weight_is_refused_with_a_message(client, preparing):
    client.force_login(preparing.delegate)

    response = client.post(
        reverse("juries:criterion_create", args=[preparing.forum.pk]),
        {
            "criterion-name": "Originalité",
            "criterion-weight": "0",
            "criterion-scale_min": 0,
            "criterion-scale_max": 10,
        },
    )

    assert response.status_code == 200
    assert "Le poids doit être strictement positif." in response.content.decode()
    assert 'value="Originalité"' in response.content.decode()
    assert Criterion.objects.filter(name="Originalité").count() == 0


@pytest.mark.django_db
def test_delegate_adds_a_juror_by_email(client, preparing):
    person = AgentFactory(organisation=preparing.orgs[2], email="elu@exemple.fr")
    client.force_login(preparing.delegate)

    client.post(
        reverse("juries:juror_create", args=[preparing.forum.pk]),
        {"juror-person": "ELU@exemple.fr", "juror-college": "elected"},
    )

    juror = Juror.objects.get(user=person)
    assert (juror.organisation, juror.college) == (preparing.orgs[2], "elected")


@pytest.mark.django_db
def test_seating_a_delegate_of_two_collectivites_names_those_they_will_not_score(client, preparing):
    person = DelegateFactory(
        organisation=preparing.orgs[1], first_name="Hélène", last_name="Vandamme"
    )
    grant(person, preparing.orgs[2], Role.DELEGATE)
    grant(person, preparing.orgs[0], Role.JUROR)  # to sit on the forum: no conflict
    client.force_login(preparing.delegate)

    response = client.post(
        reverse("juries:juror_create", args=[preparing.forum.pk]),
        {"juror-person": person.email, "juror-college": "agent"},
        follow=True,
    )

    body = response.content.decode()
    first, second = sorted([preparing.orgs[1], preparing.orgs[2]], key=lambda org: org.name)
    why = {preparing.orgs[1]: "sa collectivité", preparing.orgs[2]: "délégué·e à l&#x27;innovation"}
    assert (
        f"Hélène Vandamme rejoint le jury. Ne notera pas les pitchs de : "
        f"{first} ({why[first]}) ; {second} ({why[second]})."
    ) in body
    assert str(preparing.orgs[0]) + " (" not in body.split("rejoint le jury", 1)[1].split("<")[0]


@pytest.mark.django_db
def test_the_jury_shows_live_which_pitches_each_juror_will_not_score(client, preparing):
    juror = preparing.jurors[0]  # of orgs[0], whose one pitch they do not score
    client.force_login(preparing.delegate)
    url = reverse("juries:detail", args=[preparing.forum.pk])
    before = client.get(url)

    grant(juror.user, preparing.orgs[1], Role.DIRECTOR)
    PitchFactory(
        forum=preparing.forum,
        idea=IdeaFactory(author__organisation=preparing.orgs[1], state=Idea.State.SELECTED),
    )
    scores.recuse(preparing.forum, actor=juror.user, pitch=preparing.pitches[2])
    after = client.get(url)

    def seen(response):
        return next(j for j in response.context["jury"] if j.pk == juror.pk)

    assert seen(before).not_scored == [f"{preparing.orgs[0]} (sa collectivité, 1 pitch)"]
    assert seen(after).not_scored == [
        f"{preparing.orgs[0]} (sa collectivité, 1 pitch)",
        f"{preparing.orgs[1]} (directeur·rice, 2 pitchs)",
    ]
    assert "Ne note pas :" in after.content.decode()
    assert "S'est déporté·e :" in after.content.decode()
    scoring = {pitch.pk: pitch.scoring_jurors for pitch in after.context["programme"]}
    # Three jurors; pitch 2 (orgs[2]) loses juror 0 to their recusal and juror 2 to home.
    assert scoring[preparing.pitches[2].pk] == 1
    assert scoring[preparing.pitches[1].pk] == 1  # juror 0 now directs orgs[1]


@pytest.mark.django_db
def test_put_forward_over_the_quota_shows_the_message(client, preparing):
    Forum.objects.filter(pk=preparing.forum.pk).update(quota=1)
    idea = IdeaFactory(author__organisation=preparing.orgs[0], state=Idea.State.SELECTED)
    client.force_login(preparing.delegate)

    response = client.post(
        reverse("juries:put_forward", args=[preparing.forum.pk]), {"idea": idea.pk}
    )

    assert response.context["form"].errors == {
        "idea": ["Le quota du forum est atteint pour votre collectivité (quota : 1)."]
    }
    assert Pitch.objects.filter(idea=idea).count() == 0


@pytest.mark.django_db
def test_open_scoring_from_the_page(client, preparing):
    client.force_login(preparing.delegate)

    client.post(reverse("juries:stage", args=[preparing.forum.pk]), {"to": "open"})

    assert Forum.objects.get().stage == Forum.Stage.OPEN


@pytest.mark.django_db
def test_an_unknown_stage_is_not_found(client, preparing):
    client.force_login(preparing.delegate)

    response = client.post(reverse("juries:stage", args=[preparing.forum.pk]), {"to": "x"})

    assert response.status_code == 404


# --- Query counts --------------------------------------------------------------------------
#
# Each page with 1 and with 3 pitches (and 3 or 5 jurors): the same exact count. Every page
# starts with the session, the person, their role grants and (the menu) their unread count,
# then the forum with the person's seat and the participants they represent, in one query.


def crowded_arena(count):
    """`count` pitches and 2 + `count` jurors, every juror having scored every pitch they may."""
    arena = build_arena(pitch_count=count)
    jurors = list(arena.jurors)
    for index in range(count - 1):
        jurors.append(
            ForumJurorFactory(forum=arena.forum, user__organisation=arena.orgs[index % 3])
        )
    for juror in jurors:
        for pitch in arena.pitches:
            if pitch.organisation_id != juror.organisation_id:
                scores.save_scores(
                    arena.forum,
                    actor=juror.user,
                    pitch=pitch,
                    values=arena.values((pitch.pk + juror.pk) % 11, 5),
                )
    arena.jurors = jurors
    return arena


def get_again(client, url):
    client.get(url)  # the session's first use
    return url


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_live_board_costs_the_same_queries_whatever_the_forum(
    client, django_assert_num_queries, count
):
    arena = crowded_arena(count)
    client.force_login(arena.delegate)
    url = get_again(client, reverse("juries:board", args=[arena.forum.pk]))

    # The jurors, their role grants, the pitches, who scored what, the recusals.
    with django_assert_num_queries(10):
        response = client.get(url)

    body = response.content.decode()
    for juror in arena.jurors:
        assert f'data-juror-total="{juror.pk}"' in body
    for pitch in arena.pitches:
        assert f'data-pitch-col="{pitch.pk}"' in body


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_live_board_poll_costs_the_same_queries_whatever_the_forum(
    client, django_assert_num_queries, count
):
    arena = crowded_arena(count)
    client.force_login(arena.delegate)
    url = get_again(client, reverse("juries:board_json", args=[arena.forum.pk]))

    # No menu here (no unread count); the board's version, then what the board page reads.
    with django_assert_num_queries(10):
        response = client.get(url)
    etag = response["ETag"]
    # Nothing changed: the person, the forum, the version, and no body.
    with django_assert_num_queries(5):
        unchanged = client.get(url, HTTP_IF_NONE_MATCH=etag)

    assert set(response.json()["jurors"]) == {str(juror.pk) for juror in arena.jurors}
    assert set(response.json()["pitches"]) == {str(pitch.pk) for pitch in arena.pitches}
    assert unchanged.status_code == 304


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_scoring_page_of_a_crowded_forum_costs_the_same_queries(
    client, django_assert_num_queries, count
):
    arena = crowded_arena(count)
    client.force_login(arena.jurors[0].user)
    url = get_again(client, reverse("juries:score", args=[arena.forum.pk]))

    # The pitches, the grid, the juror's recusals, their marks.
    with django_assert_num_queries(9):
        response = client.get(url)

    assert [line["pitch"] for line in response.context["lines"]] == arena.pitches


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_results_deliberation_and_palmares_cost_the_same_queries_whatever_the_forum(
    client, django_assert_num_queries, count
):
    arena = crowded_arena(count)
    services.close_scoring(arena.forum, actor=arena.delegate)
    client.force_login(arena.delegate)
    results_url = get_again(client, reverse("juries:results", args=[arena.forum.pk]))
    deliberate_url = reverse("juries:deliberate", args=[arena.forum.pk])
    palmares_url = reverse("juries:palmares", args=[arena.forum.pk])

    # The jurors' colleges, the pitches, the grid, the marks, the recusals.
    with django_assert_num_queries(10):
        results = client.get(results_url)
    with django_assert_num_queries(10):
        deliberation = client.get(deliberate_url)
    services.publish_results(arena.forum, actor=arena.delegate)
    with django_assert_num_queries(10):
        palmares = client.get(palmares_url)

    pitches = {pitch.pk for pitch in arena.pitches}
    assert {row.pitch.pk for row in results.context["ranking"]} == pitches
    assert {row.pitch.pk for row, _box, _reason in deliberation.context["lines"]} == pitches
    shown = palmares.context["laureates"] + palmares.context["others"]
    assert {row.pitch.pk for row in shown} == pitches


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_forum_detail_costs_the_same_queries_whatever_the_forum(
    client, django_assert_num_queries, count
):
    arena = build_arena(stage=S.PREPARING, pitch_count=count)
    client.force_login(arena.delegate)
    url = get_again(client, reverse("juries:detail", args=[arena.forum.pk]))

    # The participants, the programme, the jurors, their role grants, their recusals, the grid;
    # the forum's history (« Historique du forum », for those who prepare it).
    with django_assert_num_queries(12):
        response = client.get(url)

    assert response.context["programme"] == arena.pitches
    assert response.context["jury"] == arena.jurors


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_timer_costs_the_same_queries_whatever_the_programme(
    client, django_assert_num_queries, count
):
    arena = build_arena(pitch_count=count)
    Forum.objects.filter(pk=arena.forum.pk).update(current_pitch=arena.pitches[0])
    client.force_login(arena.delegate)
    url = get_again(client, reverse("juries:timer", args=[arena.forum.pk]))

    # The programme.
    with django_assert_num_queries(6):
        response = client.get(url)

    assert response.context["current"] == arena.pitches[0]
    assert response.context["following"] == (arena.pitches[1] if count > 1 else None)


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_forum_list_costs_the_same_queries_whatever_the_forums(
    client, django_assert_num_queries, count
):
    arenas = [build_arena() for _ in range(count)]
    delegate = arenas[0].delegate
    for arena in arenas[1:]:
        arena.forum.organisations.add(delegate.organisation)
    client.force_login(delegate)
    url = get_again(client, reverse("juries:list"))

    # The forums, their participants, the person's seats.
    with django_assert_num_queries(7):
        response = client.get(url)

    assert {forum.pk for forum in response.context["forums"]} == {a.forum.pk for a in arenas}
