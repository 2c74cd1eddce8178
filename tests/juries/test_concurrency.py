"""Two clicks at the same moment, on real PostgreSQL: nothing duplicated, nothing lost."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse

from ideas.models import Idea
from juries import scores, services
from juries.models import Forum, Pitch, Score, ScoreEvent
from tests.factories import IdeaFactory
from tests.juries.conftest import build_arena


def run_together(*calls):
    """Start every call at the same instant in its own thread; return their outcomes."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        barrier.wait()
        try:
            outcomes[index] = call()
        except Exception as error:  # noqa: BLE001 - reported to the test
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_the_same_score_from_two_tabs_is_stored_once():
    arena = build_arena()
    juror, pitch = arena.jurors[0], arena.pitches[1]

    def save(impact):
        return lambda: scores.save_scores(
            arena.forum, actor=juror.user, pitch=pitch, values=arena.values(impact, 5)
        )

    outcomes = run_together(save(7), save(8), save(7), save(8))

    assert all(isinstance(outcome, int) for outcome in outcomes), outcomes
    assert Score.objects.filter(juror=juror, pitch=pitch).count() == 2
    impact = Score.objects.get(juror=juror, pitch=pitch, criterion=arena.criteria[0])
    history = list(impact.events.values_list("before", "after"))
    # The history chains: each row starts from the previous value, ending on the stored one.
    assert history[0][0] is None
    assert all(history[i][1] == history[i + 1][0] for i in range(len(history) - 1))
    assert history[-1][1] == impact.value


@pytest.mark.django_db(transaction=True)
def test_two_tabs_posting_the_form_at_once_get_no_error_and_no_duplicate():
    arena = build_arena()
    juror, pitch = arena.jurors[1], arena.pitches[0]
    url = reverse("juries:score_pitch", args=[arena.forum.pk, pitch.pk])
    data = {f"criterion_{c.pk}": 6 for c in arena.criteria}

    def post():
        client = Client()
        client.force_login(juror.user)
        return client.post(url, data, HTTP_ACCEPT="application/json").status_code

    outcomes = run_together(post, post, post)

    assert outcomes == [200, 200, 200]
    assert Score.objects.filter(juror=juror).count() == 2
    assert ScoreEvent.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_jurors_scoring_while_the_delegate_closes_never_land_after_closing():
    arena = build_arena()

    def save(index, pitch_index):
        juror = arena.jurors[index]
        return lambda: scores.save_scores(
            arena.forum,
            actor=juror.user,
            pitch=arena.pitches[pitch_index],
            values=arena.values(6, 6),
        )

    outcomes = run_together(
        save(0, 1),
        save(1, 2),
        save(2, 0),
        lambda: services.close_scoring(arena.forum, actor=arena.delegate),
    )

    closed_at = Forum.objects.get(pk=arena.forum.pk).closed_at
    saved = [o for o in outcomes[:3] if isinstance(o, int)]
    refused = [o for o in outcomes[:3] if isinstance(o, ValidationError)]
    assert len(saved) + len(refused) == 3
    assert Score.objects.count() == 2 * len(saved)
    assert all(score.updated_at <= closed_at for score in Score.objects.all())


@pytest.mark.django_db(transaction=True)
def test_two_delegates_racing_for_the_last_quota_place_get_one_each_at_most():
    arena = build_arena(stage=Forum.Stage.PREPARING)
    Forum.objects.filter(pk=arena.forum.pk).update(quota=2)  # org 0 already has one pitch
    ideas = [
        IdeaFactory(author__organisation=arena.orgs[0], state=Idea.State.QUALIFIED)
        for _ in range(2)
    ]

    outcomes = run_together(
        *[
            (lambda idea=idea: services.put_forward(arena.forum, actor=arena.delegate, idea=idea))
            for idea in ideas
        ]
    )

    assert Pitch.objects.filter(forum=arena.forum, organisation=arena.orgs[0]).count() == 2
    assert sum(isinstance(o, ValidationError) for o in outcomes) == 1
