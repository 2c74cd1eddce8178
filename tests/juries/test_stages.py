"""The life of a forum: the table of stages, its one writer, and the history each move leaves."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from innovation.platform import audit
from innovation.platform.models import AuditEvent
from juries import permissions, scores, services, stages
from juries.models import Forum, ForumEvent
from tests.juries.conftest import build_arena

S = Forum.Stage


def history(forum):
    return list(ForumEvent.objects.filter(forum=forum).values_list("before", "after", "actor"))


def scored_arena():
    """An open forum where one pitch has marks: closing proposes it, publishing accepts it."""
    arena = build_arena()
    scores.save_scores(
        arena.forum, actor=arena.jurors[1].user, pitch=arena.pitches[0], values=arena.values(8, 7)
    )
    return arena


# --- The table ------------------------------------------------------------------------------


def test_the_table_names_every_stage_and_published_is_for_good():
    assert set(stages.TRANSITIONS) == set(S.values)
    assert stages.allowed_next(S.PREPARING) == (S.OPEN,)
    assert stages.allowed_next(S.OPEN) == (S.CLOSED,)
    assert stages.allowed_next(S.CLOSED) == (S.PUBLISHED,)
    assert stages.allowed_next(S.PUBLISHED) == ()


@pytest.mark.django_db
@pytest.mark.parametrize("stage", list(S))
@pytest.mark.parametrize("who", ["delegate", "president", "juror"])
def test_the_table_says_what_the_pages_permissions_say(stage, who):
    arena = build_arena(stage=stage)
    person = {
        "delegate": arena.delegate,
        "president": arena.jurors[0].user,
        "juror": arena.jurors[1].user,
    }[who]
    access = permissions.access_to(person, arena.forum)

    assert stages.may_move(access, S.OPEN) == permissions.can_open_scoring(access)
    assert stages.may_move(access, S.CLOSED) == permissions.can_close_scoring(access)
    assert stages.may_move(access, S.PUBLISHED) == permissions.can_publish(access)


# --- One event per move ---------------------------------------------------------------------


@pytest.mark.django_db
def test_opening_writes_one_event_with_before_after_and_actor():
    arena = build_arena(stage=S.PREPARING)

    services.open_scoring(arena.forum, actor=arena.delegate)

    assert history(arena.forum) == [(S.PREPARING, S.OPEN, arena.delegate.pk)]
    assert Forum.objects.get(pk=arena.forum.pk).stage == S.OPEN


@pytest.mark.django_db
def test_closing_writes_one_event_with_before_after_and_actor():
    arena = scored_arena()

    services.close_scoring(arena.forum, actor=arena.delegate)

    assert history(arena.forum) == [(S.OPEN, S.CLOSED, arena.delegate.pk)]
    assert Forum.objects.get(pk=arena.forum.pk).stage == S.CLOSED


@pytest.mark.django_db
def test_publishing_writes_one_event_with_before_after_and_actor():
    arena = scored_arena()
    services.close_scoring(arena.forum, actor=arena.delegate)

    services.publish_results(arena.forum, actor=arena.delegate)

    assert history(arena.forum) == [
        (S.OPEN, S.CLOSED, arena.delegate.pk),
        (S.CLOSED, S.PUBLISHED, arena.delegate.pk),
    ]
    assert Forum.objects.get(pk=arena.forum.pk).stage == S.PUBLISHED


@pytest.mark.django_db
def test_the_whole_life_of_a_forum_is_in_its_history_in_order():
    arena = build_arena(stage=S.PREPARING)
    services.open_scoring(arena.forum, actor=arena.delegate, reason="  Premier pitch à 14 h.  ")
    scores.save_scores(
        arena.forum, actor=arena.jurors[1].user, pitch=arena.pitches[0], values=arena.values(8, 7)
    )
    services.close_scoring(arena.forum, actor=arena.delegate)
    services.publish_results(arena.forum, actor=arena.delegate)

    events = list(ForumEvent.objects.filter(forum=arena.forum))

    assert [(e.before, e.after) for e in events] == [
        (S.PREPARING, S.OPEN),
        (S.OPEN, S.CLOSED),
        (S.CLOSED, S.PUBLISHED),
    ]
    assert [e.reason for e in events] == ["Premier pitch à 14 h.", "", ""]
    assert events[0].get_before_display() == "En préparation"
    assert events[0].get_after_display() == "Notation ouverte"


@pytest.mark.django_db
def test_each_move_is_in_the_audit_trail():
    arena = build_arena(stage=S.PREPARING)

    services.open_scoring(arena.forum, actor=arena.delegate)

    event = AuditEvent.objects.get(action=audit.FORUM_MOVED)
    assert event.actor == arena.delegate
    assert (event.target_type, event.target_id) == ("forum", str(arena.forum.pk))
    assert event.organisation_id == arena.forum.organiser_id
    assert event.detail == {"from": S.PREPARING, "to": S.OPEN}
    assert str(audit.LABELS[audit.FORUM_MOVED]) == "Changement d'étape d'un forum"


# --- Refused moves write nothing ------------------------------------------------------------


FORBIDDEN = [
    (S.PUBLISHED, services.open_scoring),
    (S.CLOSED, services.open_scoring),
    (S.OPEN, services.open_scoring),
    (S.PREPARING, services.close_scoring),
    (S.CLOSED, services.close_scoring),
    (S.PUBLISHED, services.close_scoring),
    (S.PREPARING, services.publish_results),
    (S.OPEN, services.publish_results),
    (S.PUBLISHED, services.publish_results),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("stage", "move"), FORBIDDEN)
def test_a_move_the_table_forbids_is_refused_and_writes_nothing(stage, move):
    arena = build_arena(stage=stage)

    with pytest.raises(stages.InvalidTransition) as error:
        move(arena.forum, actor=arena.delegate)

    assert Forum.objects.get(pk=arena.forum.pk).stage == stage
    assert ForumEvent.objects.count() == 0
    assert AuditEvent.objects.filter(action=audit.FORUM_MOVED).count() == 0
    assert isinstance(error.value, ValidationError)  # told on the page, like other refusals


@pytest.mark.django_db
def test_a_refused_move_says_why_in_french():
    arena = build_arena(stage=S.PUBLISHED)

    with pytest.raises(stages.InvalidTransition) as error:
        services.open_scoring(arena.forum, actor=arena.delegate)

    assert error.value.messages == [
        "Le forum est à l'étape « Palmarès publié » : il ne peut pas passer à « Notation ouverte »."
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("stage", "move"),
    [
        (S.PREPARING, services.open_scoring),
        (S.OPEN, services.close_scoring),
        (S.CLOSED, services.publish_results),
    ],
)
def test_a_juror_may_not_move_the_forum_and_nothing_is_written(stage, move):
    arena = build_arena(stage=stage)

    with pytest.raises(PermissionDenied):
        move(arena.forum, actor=arena.jurors[0].user)  # the president, even

    assert Forum.objects.get(pk=arena.forum.pk).stage == stage
    assert ForumEvent.objects.count() == 0


@pytest.mark.django_db
def test_opening_without_a_grid_writes_no_event():
    arena = build_arena(stage=S.PREPARING)
    arena.forum.criteria.all().delete()

    with pytest.raises(ValidationError):
        services.open_scoring(arena.forum, actor=arena.delegate)

    assert ForumEvent.objects.count() == 0
    assert Forum.objects.get(pk=arena.forum.pk).stage == S.PREPARING
