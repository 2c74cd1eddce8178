"""Domain rules of forums: scoring, conflicts of interest, quota, deliberation, publication."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction

from ideas.models import Idea, IdeaEvent
from innovation.platform.models import Notification, Role
from juries import scores, services
from juries.models import Forum, Pitch, Score, ScoreEvent
from tests.factories import (
    CriterionFactory,
    DelegateFactory,
    ForumFactory,
    IdeaFactory,
    OrganisationFactory,
    PitchFactory,
    UserFactory,
    grant,
)
from tests.juries.conftest import build_arena

# --- Scoring --------------------------------------------------------------------------------


def test_save_scores_records_each_mark_and_its_history(arena):
    juror = arena.jurors[0]

    changed = scores.save_scores(
        arena.forum, actor=juror.user, pitch=arena.pitches[1], values=arena.values(7, 4)
    )

    assert changed == 2
    assert sorted(Score.objects.values_list("value", flat=True)) == [4, 7]
    assert list(ScoreEvent.objects.order_by("after").values_list("before", "after")) == [
        (None, 4),
        (None, 7),
    ]


def test_correcting_a_score_keeps_every_value_in_the_history(arena):
    juror, pitch = arena.jurors[0], arena.pitches[1]
    scores.save_scores(arena.forum, actor=juror.user, pitch=pitch, values=arena.values(7, 4))

    changed = scores.save_scores(
        arena.forum, actor=juror.user, pitch=pitch, values=arena.values(9, 4), comment="Revu"
    )

    impact = Score.objects.get(criterion=arena.criteria[0])
    assert changed == 1
    assert impact.value == 9
    assert list(impact.events.values_list("before", "after")) == [(None, 7), (7, 9)]
    assert Score.objects.count() == 2
    assert juror.notes.get().comment == "Revu"


def test_a_juror_cannot_score_a_pitch_of_their_own_organisation(arena):
    juror, own_pitch = arena.jurors[0], arena.pitches[0]

    with pytest.raises(ValidationError) as error:
        scores.save_scores(
            arena.forum, actor=juror.user, pitch=own_pitch, values=arena.values(7, 4)
        )

    assert "conflit d'intérêts" in error.value.messages[0]
    assert Score.objects.count() == 0


def test_the_database_refuses_a_score_of_ones_own_organisation(arena):
    juror, own_pitch = arena.jurors[0], arena.pitches[0]

    # The conflict-of-interest trigger fires first (BEFORE INSERT); the check constraint
    # stands behind it (next test).
    with pytest.raises(IntegrityError, match="score_no_conflict_of_interest"), transaction.atomic():
        Score.objects.create(
            forum=arena.forum,
            juror=juror,
            pitch=own_pitch,
            criterion=arena.criteria[0],
            juror_organisation=juror.organisation,
            pitch_organisation=own_pitch.organisation,
            value=5,
        )


def test_the_check_constraint_still_refuses_ones_own_organisation_without_the_trigger(arena):
    juror, own_pitch = arena.jurors[0], arena.pitches[0]
    with connection.cursor() as cursor:  # rolled back with the test's transaction
        cursor.execute("ALTER TABLE juries_score DISABLE TRIGGER juries_score_no_conflict")

    with pytest.raises(IntegrityError, match="score_no_own_organisation"), transaction.atomic():
        Score.objects.create(
            forum=arena.forum,
            juror=juror,
            pitch=own_pitch,
            criterion=arena.criteria[0],
            juror_organisation=juror.organisation,
            pitch_organisation=own_pitch.organisation,
            value=5,
        )


def test_the_database_refuses_a_score_whose_copied_organisation_lies(arena):
    # Writing another organisation in the copied column would dodge the check constraint:
    # the composite foreign key to (juror id, organisation) catches it.
    juror, pitch = arena.jurors[0], arena.pitches[1]

    with pytest.raises(IntegrityError, match="score_juror_organisation_fk"), transaction.atomic():
        Score.objects.create(
            forum=arena.forum,
            juror=juror,
            pitch=pitch,
            criterion=arena.criteria[0],
            juror_organisation=arena.orgs[2],
            pitch_organisation=pitch.organisation,
            value=5,
        )


def test_the_database_refuses_a_criterion_from_another_forum(arena):
    other = CriterionFactory()
    juror, pitch = arena.jurors[0], arena.pitches[1]

    with pytest.raises(IntegrityError, match="score_criterion_forum_fk"), transaction.atomic():
        Score.objects.create(
            forum=arena.forum,
            juror=juror,
            pitch=pitch,
            criterion=other,
            juror_organisation=juror.organisation,
            pitch_organisation=pitch.organisation,
            value=5,
        )


def test_the_database_keeps_one_score_per_juror_pitch_and_criterion(arena):
    juror, pitch = arena.jurors[0], arena.pitches[1]
    scores.save_scores(arena.forum, actor=juror.user, pitch=pitch, values=arena.values(7, 4))

    with pytest.raises(IntegrityError, match="score_unique_per_criterion"), transaction.atomic():
        Score.objects.create(
            forum=arena.forum,
            juror=juror,
            pitch=pitch,
            criterion=arena.criteria[0],
            juror_organisation=juror.organisation,
            pitch_organisation=pitch.organisation,
            value=5,
        )


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ((11, 4), "criterion_0", "La note doit être comprise entre 0 et 10."),
        ((-1, 4), "criterion_0", "La note doit être comprise entre 0 et 10."),
        ((7, None), "criterion_1", "Donnez une note pour ce critère."),
    ],
)
def test_marks_outside_the_scale_or_missing_are_refused(arena, values, field, message):
    index = int(field[-1])
    data = {c.pk: v for c, v in zip(arena.criteria, values, strict=True) if v is not None}

    with pytest.raises(ValidationError) as error:
        scores.save_scores(
            arena.forum, actor=arena.jurors[0].user, pitch=arena.pitches[1], values=data
        )

    assert error.value.message_dict == {f"criterion_{arena.criteria[index].pk}": [message]}
    assert Score.objects.count() == 0


def test_a_criterion_from_another_forum_is_refused(arena):
    other = CriterionFactory()
    values = {**arena.values(7, 4), other.pk: 5}

    with pytest.raises(ValidationError) as error:
        scores.save_scores(
            arena.forum, actor=arena.jurors[0].user, pitch=arena.pitches[1], values=values
        )

    assert error.value.message_dict == {
        "__all__": ["Un des critères envoyés n'appartient pas à ce forum."]
    }
    assert Score.objects.count() == 0


def test_a_pitch_from_another_forum_is_refused(arena):
    other_pitch = PitchFactory()

    with pytest.raises(ValidationError):
        scores.save_scores(
            arena.forum, actor=arena.jurors[0].user, pitch=other_pitch, values=arena.values(7, 4)
        )


@pytest.mark.parametrize("stage", [Forum.Stage.PREPARING, Forum.Stage.CLOSED])
def test_scoring_outside_the_open_stage_is_refused(db, stage):
    arena = build_arena(stage=stage)

    with pytest.raises(ValidationError) as error:
        scores.save_scores(
            arena.forum,
            actor=arena.jurors[0].user,
            pitch=arena.pitches[1],
            values=arena.values(7, 4),
        )

    assert "close" in error.value.messages[0]
    assert Score.objects.count() == 0


def test_someone_off_the_jury_cannot_score(arena):
    with pytest.raises(PermissionDenied):
        scores.save_scores(
            arena.forum, actor=arena.delegate, pitch=arena.pitches[1], values=arena.values(7, 4)
        )


# --- Preparing ------------------------------------------------------------------------------


def test_put_forward_moves_a_qualified_idea_to_selected_through_the_pipeline(preparing):
    idea = IdeaFactory(author__organisation=preparing.orgs[0], state=Idea.State.QUALIFIED)

    pitch = services.put_forward(preparing.forum, actor=preparing.delegate, idea=idea)

    idea.refresh_from_db()
    assert idea.state == Idea.State.SELECTED
    assert pitch.organisation_id == idea.organisation_id
    assert pitch.position == 4
    assert IdeaEvent.objects.filter(idea=idea, after=Idea.State.SELECTED).count() == 1


def test_put_forward_beyond_the_quota_is_refused(preparing):
    forum = preparing.forum
    Forum.objects.filter(pk=forum.pk).update(quota=1)
    forum.refresh_from_db()
    idea = IdeaFactory(author__organisation=preparing.orgs[0], state=Idea.State.SELECTED)

    with pytest.raises(ValidationError) as error:
        services.put_forward(forum, actor=preparing.delegate, idea=idea)

    assert error.value.message_dict == {
        "idea": ["Le quota du forum est atteint pour votre collectivité (quota : 1)."]
    }
    assert forum.pitches.filter(idea=idea).count() == 0


def test_put_forward_of_another_organisations_idea_is_refused(preparing):
    idea = IdeaFactory(author__organisation=preparing.orgs[1], state=Idea.State.SELECTED)

    with pytest.raises(PermissionDenied):
        services.put_forward(preparing.forum, actor=preparing.delegate, idea=idea)


def test_put_forward_of_a_submitted_idea_is_refused(preparing):
    idea = IdeaFactory(author__organisation=preparing.orgs[0], state=Idea.State.SUBMITTED)

    with pytest.raises(ValidationError):
        services.put_forward(preparing.forum, actor=preparing.delegate, idea=idea)


def test_put_forward_after_scoring_opened_is_refused(arena):
    idea = IdeaFactory(author__organisation=arena.orgs[0], state=Idea.State.SELECTED)

    with pytest.raises(ValidationError):
        services.put_forward(arena.forum, actor=arena.delegate, idea=idea)


@pytest.mark.parametrize("weight", [0, -1])
def test_a_criterion_weight_must_be_positive(preparing, weight):
    data = {
        "name": "Originalité",
        "description": "",
        "weight": weight,
        "scale_min": 0,
        "scale_max": 10,
    }

    with pytest.raises(ValidationError) as error:
        services.add_criterion(preparing.forum, actor=preparing.delegate, data=data)

    assert error.value.message_dict == {"weight": ["Le poids doit être strictement positif."]}


def test_the_grid_is_frozen_once_scoring_opens(arena):
    data = {"name": "Originalité", "description": "", "weight": 1, "scale_min": 0, "scale_max": 10}

    with pytest.raises(PermissionDenied):
        services.add_criterion(arena.forum, actor=arena.delegate, data=data)


def test_add_juror_takes_their_organisation_and_tells_them(preparing):
    person = UserFactory(organisation=preparing.orgs[1])

    juror = services.add_juror(
        preparing.forum, actor=preparing.delegate, user=person, college="elected"
    )

    assert juror.organisation_id == preparing.orgs[1].pk
    assert Notification.objects.filter(recipient=person, kind="juror_seated").count() == 1


def test_add_juror_twice_is_refused_with_a_message(preparing):
    person = preparing.jurors[1].user

    with pytest.raises(ValidationError) as error:
        services.add_juror(preparing.forum, actor=preparing.delegate, user=person, college="agent")

    assert error.value.message_dict == {"person": ["Cette personne fait déjà partie du jury."]}


def test_open_scoring_needs_a_grid_jurors_and_pitches(db):
    delegate = DelegateFactory()
    forum = ForumFactory(created_by=delegate)

    with pytest.raises(ValidationError) as error:
        services.open_scoring(forum, actor=delegate)

    assert error.value.messages == [
        "Pour ouvrir la notation, il faut au moins un critère, au moins un juré, "
        "au moins une idée au programme."
    ]


def test_open_scoring_puts_the_first_pitch_on_stage_and_tells_jurors(preparing):
    forum = services.open_scoring(preparing.forum, actor=preparing.delegate)

    assert forum.stage == Forum.Stage.OPEN
    assert forum.current_pitch_id == preparing.pitches[0].pk
    assert Notification.objects.filter(kind="forum_scoring_open").count() == 3


def test_move_pitch_swaps_neighbours(preparing):
    services.move_pitch(preparing.pitches[2], actor=preparing.delegate, offset=-1)

    order = list(preparing.forum.pitches.order_by("position").values_list("pk", flat=True))
    assert order == [preparing.pitches[0].pk, preparing.pitches[2].pk, preparing.pitches[1].pk]


# --- Closing, deliberation, publication -------------------------------------------------------


def score_all(arena, grid):
    """grid: {(juror index, pitch index): (impact, feasibility)}."""
    for (j, p), values in grid.items():
        scores.save_scores(
            arena.forum,
            actor=arena.jurors[j].user,
            pitch=arena.pitches[p],
            values=arena.values(*values),
        )


def closed_arena(laureate_count=1):
    arena = build_arena()
    Forum.objects.filter(pk=arena.forum.pk).update(laureate_count=laureate_count)
    arena.forum.refresh_from_db()
    # Pitch 1 is everyone's favourite, then pitch 2, then pitch 0.
    score_all(
        arena,
        {
            (0, 1): (9, 9),
            (0, 2): (5, 5),
            (1, 0): (4, 4),
            (1, 2): (8, 8),
            (2, 0): (3, 3),
            (2, 1): (9, 8),
        },
    )
    services.close_scoring(arena.forum, actor=arena.delegate)
    arena.forum.refresh_from_db()
    return arena


def test_close_scoring_proposes_the_top_n_as_laureates(db):
    arena = closed_arena(laureate_count=1)

    assert arena.forum.stage == Forum.Stage.CLOSED
    assert list(Pitch.objects.filter(laureate=True)) == [arena.pitches[1]]


def test_a_departure_from_the_ranking_needs_a_reason(db):
    arena = closed_arena(laureate_count=1)
    chosen = {arena.pitches[0].pk}

    with pytest.raises(ValidationError) as error:
        services.designate_laureates(
            arena.forum, actor=arena.delegate, laureate_ids=chosen, reasons={}
        )

    assert set(error.value.message_dict) == {
        f"reason_{arena.pitches[0].pk}",
        f"reason_{arena.pitches[1].pk}",
    }
    assert list(Pitch.objects.filter(laureate=True)) == [arena.pitches[1]]


def test_the_president_designates_laureates_with_reasons(db):
    arena = closed_arena(laureate_count=1)
    president = arena.jurors[0].user
    reasons = {
        arena.pitches[0].pk: "Projet très transférable aux autres départements.",
        arena.pitches[1].pk: "Déjà financé par ailleurs.",
    }

    services.designate_laureates(
        arena.forum, actor=president, laureate_ids={arena.pitches[0].pk}, reasons=reasons
    )

    pitches = {p.pk: p for p in Pitch.objects.all()}
    assert pitches[arena.pitches[0].pk].laureate is True
    assert pitches[arena.pitches[0].pk].laureate_reason == reasons[arena.pitches[0].pk]
    assert pitches[arena.pitches[1].pk].laureate is False
    assert pitches[arena.pitches[1].pk].laureate_reason == "Déjà financé par ailleurs."


def test_a_plain_juror_cannot_deliberate(db):
    arena = closed_arena()

    with pytest.raises(PermissionDenied):
        services.designate_laureates(
            arena.forum, actor=arena.jurors[1].user, laureate_ids=set(), reasons={}
        )


def test_publish_moves_the_publishers_laureates_and_leaves_others_to_their_delegates(db):
    arena = closed_arena(laureate_count=2)  # pitches 1 (org 1) and 2 (org 2)
    other_delegate = DelegateFactory(organisation=arena.orgs[1])
    grant(arena.delegate, arena.orgs[2], Role.DELEGATE)

    moved, pending = services.publish_results(arena.forum, actor=arena.delegate)

    states = dict(Idea.objects.values_list("pk", "state"))
    assert (moved, pending) == (1, 1)
    assert states[arena.pitches[2].idea_id] == Idea.State.ACCOMPANIED
    assert states[arena.pitches[1].idea_id] == Idea.State.SELECTED
    assert (
        Notification.objects.filter(
            recipient=other_delegate, kind="forum_laureates_to_accompany"
        ).count()
        == 1
    )

    assert services.accompany_laureates(arena.forum, actor=other_delegate) == 1
    assert Idea.objects.get(pk=arena.pitches[1].idea_id).state == Idea.State.ACCOMPANIED


def test_publish_is_refused_when_a_departure_is_not_motivated(db):
    arena = closed_arena(laureate_count=1)
    Pitch.objects.filter(pk=arena.pitches[0].pk).update(laureate=True)

    with pytest.raises(ValidationError):
        services.publish_results(arena.forum, actor=arena.delegate)

    arena.forum.refresh_from_db()
    assert arena.forum.stage == Forum.Stage.CLOSED


def test_accompany_leaves_ideas_already_beyond_selection_alone(db):
    arena = closed_arena(laureate_count=1)
    Idea.objects.filter(pk=arena.pitches[1].idea_id).update(state=Idea.State.DEPLOYED)
    delegate = DelegateFactory(organisation=arena.orgs[1])
    services.publish_results(arena.forum, actor=arena.delegate)

    assert services.accompany_laureates(arena.forum, actor=delegate) == 0
    assert Idea.objects.get(pk=arena.pitches[1].idea_id).state == Idea.State.DEPLOYED


def test_save_forum_requires_a_participating_organisation(db):
    delegate = DelegateFactory()

    with pytest.raises(ValidationError):
        services.save_forum(
            None,
            actor=delegate,
            data={"title": "Forum", "date": "2026-11-28", "place": "Amiens"},
            organisations=[],
            organiser=delegate.organisation,
        )


def test_save_forum_for_an_organisation_one_does_not_serve_is_refused(db):
    delegate = DelegateFactory()
    elsewhere = OrganisationFactory()

    with pytest.raises(PermissionDenied):
        services.save_forum(
            None,
            actor=delegate,
            data={"title": "Forum", "date": "2026-11-28", "place": "Amiens"},
            organisations=[elsewhere],
            organiser=elsewhere,
        )
