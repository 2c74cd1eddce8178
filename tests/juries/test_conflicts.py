"""Conflicts of interest: one rule (`permissions.conflicts`), held by the pages, the service
and the database alike, for a person holding roles in several collectivités."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from innovation.platform.models import Role, User
from juries import permissions, scores, services
from juries.models import Forum, Score
from tests.factories import AdminFactory, DelegateFactory, OrganisationFactory, grant
from tests.juries.conftest import build_arena

ROOT = Path(__file__).resolve().parents[2]
HOME, CONFLICT, RECUSED = permissions.HOME, permissions.CONFLICT, permissions.RECUSED


def fresh(user):
    """The person as a new request would load them (their role grants read again)."""
    return User.objects.get(pk=user.pk)


def two_hats(arena):
    """The black-box finding: a delegate of orgs[0] (their own) and of orgs[1], seated on the
    jury by the forum's delegate."""
    person = DelegateFactory(organisation=arena.orgs[0], first_name="Hélène")
    grant(person, arena.orgs[1], Role.DELEGATE)
    return services.add_juror(arena.forum, actor=arena.delegate, user=person, college="agent")


def score_directly(seat, pitch, criterion, value=5):
    """A score written through the ORM, past the service."""
    return Score.objects.create(
        forum_id=seat.forum_id,
        juror=seat,
        pitch=pitch,
        criterion=criterion,
        juror_organisation_id=seat.organisation_id,
        pitch_organisation_id=pitch.organisation_id,
        value=value,
    )


# --- The rule -------------------------------------------------------------------------------


def test_conflicts_name_the_own_collectivite_and_every_role_held_elsewhere(db):
    home, elsewhere, unrelated = (OrganisationFactory() for _ in range(3))
    person = DelegateFactory(organisation=home)
    grant(person, elsewhere, Role.DELEGATE)
    grant(person, elsewhere, Role.AGENT)

    found = permissions.conflicts(fresh(person))

    assert found == {
        home.pk: {HOME, Role.AGENT, Role.DELEGATE},
        elsewhere.pk: {Role.AGENT, Role.DELEGATE},
    }
    assert unrelated.pk not in found


def test_a_juror_grant_elsewhere_is_no_conflict(db):
    home, elsewhere = OrganisationFactory(), OrganisationFactory()
    person = DelegateFactory(organisation=home)
    grant(person, elsewhere, Role.JUROR)

    assert permissions.conflicted_organisation_ids(fresh(person)) == {home.pk}


def test_an_administrator_of_another_collectivite_does_not_score_it(db):
    home, elsewhere = OrganisationFactory(), OrganisationFactory()
    person = AdminFactory(organisation=home)
    grant(person, elsewhere, Role.ADMIN)

    assert permissions.conflicts(fresh(person))[elsewhere.pk] == {Role.ADMIN}


def test_the_organisation_copied_on_the_seat_still_counts_after_the_person_moves(arena):
    seat = arena.jurors[0]
    User.objects.filter(pk=seat.user_id).update(organisation=arena.orgs[2])

    found = permissions.conflicts(fresh(seat.user), seat)

    assert found[arena.orgs[0].pk] == {HOME}  # the seat's copy
    assert found[arena.orgs[2].pk] == {HOME}  # the account's organisation now
    person = fresh(seat.user)
    assert not permissions.can_score_pitch(
        permissions.access_to(person, arena.forum), arena.pitches[2]
    )


def test_conflict_text_reads_for_the_juror_and_for_the_delegates(db):
    assert permissions.conflict_text({HOME, Role.DELEGATE}, own=True) == "votre collectivité"
    assert permissions.conflict_text({HOME, Role.AGENT}, own=False) == "sa collectivité"
    assert permissions.conflict_text({Role.JUROR, Role.DELEGATE, Role.MANAGER}, own=False) == (
        "encadrant·e (N+1), délégué·e à l'innovation"
    )


# --- The exact finding: a delegate of two collectivités, refused everywhere ------------------


def test_a_delegate_of_two_collectivites_may_not_score_the_other_ones_pitch_in_the_service(
    arena,
):
    seat = two_hats(arena)

    with pytest.raises(ValidationError) as error:
        scores.save_scores(
            arena.forum, actor=seat.user, pitch=arena.pitches[1], values=arena.values(9, 9)
        )

    assert error.value.messages == [
        f"Vous ne notez pas les projets de {arena.orgs[1]}, où vous êtes "
        "délégué·e à l'innovation (conflit d'intérêts)."
    ]
    assert Score.objects.count() == 0


def test_a_delegate_of_two_collectivites_may_not_score_the_other_ones_pitch_in_the_database(
    arena,
):
    seat = two_hats(arena)

    with pytest.raises(IntegrityError, match="score_no_conflict_of_interest"), transaction.atomic():
        score_directly(seat, arena.pitches[1], arena.criteria[0])

    assert Score.objects.count() == 0


def test_a_delegate_of_two_collectivites_may_not_score_the_other_ones_pitch_in_the_pages(
    client, arena
):
    seat = two_hats(arena)
    Forum.objects.filter(pk=arena.forum.pk).update(current_pitch=arena.pitches[1])
    client.force_login(seat.user)
    pitch_url = reverse("juries:score_pitch", args=[arena.forum.pk, arena.pitches[1].pk])

    scoring = client.get(reverse("juries:score", args=[arena.forum.pk]))
    page = client.get(pitch_url)
    posted = client.post(
        pitch_url,
        {f"criterion_{c.pk}": 9 for c in arena.criteria},
        HTTP_ACCEPT="application/json",
    )

    on_stage = scoring.content.decode().split("</section>", 1)[0]
    assert scoring.context["current_form"] is None
    assert "Vous avez un rôle dans cette collectivité (délégué·e à l&#x27;innovation)" in on_stage
    assert page.context["obstacle"] == CONFLICT
    assert "data-score-form" not in page.content.decode()
    assert posted.status_code == 400
    assert posted.json()["errors"]["__all__"][0].startswith("Vous ne notez pas les projets de")
    assert Score.objects.count() == 0


def test_the_same_delegate_still_scores_a_third_collectivite(arena):
    seat = two_hats(arena)

    changed = scores.save_scores(
        arena.forum, actor=seat.user, pitch=arena.pitches[2], values=arena.values(6, 7)
    )

    assert changed == 2


def test_a_role_granted_after_seating_is_refused_at_scoring_time(arena):
    juror = arena.jurors[0]
    scores.save_scores(
        arena.forum, actor=juror.user, pitch=arena.pitches[1], values=arena.values(5, 5)
    )
    grant(juror.user, arena.orgs[2], Role.SPONSOR)

    with pytest.raises(ValidationError) as error:
        scores.save_scores(
            arena.forum, actor=juror.user, pitch=arena.pitches[2], values=arena.values(8, 8)
        )
    with pytest.raises(IntegrityError, match="score_no_conflict_of_interest"), transaction.atomic():
        score_directly(juror, arena.pitches[2], arena.criteria[0])

    assert "sponsor / commanditaire" in error.value.messages[0]
    assert Score.objects.filter(pitch=arena.pitches[2]).count() == 0


def test_a_role_granted_after_scoring_refuses_a_correction_but_keeps_the_marks(arena):
    # The rule is checked when a mark is written: marks given before stay (and count) until
    # the juror withdraws them by recusing.
    juror = arena.jurors[0]
    scores.save_scores(
        arena.forum, actor=juror.user, pitch=arena.pitches[1], values=arena.values(5, 5)
    )
    grant(juror.user, arena.orgs[1], Role.AGENT)

    with pytest.raises(ValidationError):
        scores.save_scores(
            arena.forum, actor=juror.user, pitch=arena.pitches[1], values=arena.values(9, 9)
        )
    mark = Score.objects.filter(pitch=arena.pitches[1]).first()
    with pytest.raises(IntegrityError, match="score_no_conflict_of_interest"), transaction.atomic():
        Score.objects.filter(pk=mark.pk).update(value=9)

    assert sorted(Score.objects.values_list("value", flat=True)) == [5, 5]


def test_a_juror_only_grant_elsewhere_lets_the_juror_score_there(arena):
    juror = arena.jurors[0]
    grant(juror.user, arena.orgs[1], Role.JUROR)

    changed = scores.save_scores(
        arena.forum, actor=juror.user, pitch=arena.pitches[1], values=arena.values(7, 7)
    )

    assert changed == 2


def test_a_juror_who_moved_to_the_pitchs_collectivite_is_refused(arena):
    juror = arena.jurors[0]
    User.objects.filter(pk=juror.user_id).update(organisation=arena.orgs[1])

    with pytest.raises(ValidationError) as error:
        scores.save_scores(
            arena.forum, actor=juror.user, pitch=arena.pitches[1], values=arena.values(7, 7)
        )

    assert "propre collectivité" in error.value.messages[0]


# --- The trigger agrees with the rule, case by case -------------------------------------------


def _home(arena):
    return arena.jurors[0], arena.pitches[0]


def _no_link(arena):
    return arena.jurors[0], arena.pitches[1]


def _delegate_elsewhere(arena):
    return two_hats(arena), arena.pitches[1]


def _juror_grant_elsewhere(arena):
    grant(arena.jurors[0].user, arena.orgs[1], Role.JUROR)
    return arena.jurors[0], arena.pitches[1]


def _role_granted_after_seating(arena):
    grant(arena.jurors[0].user, arena.orgs[1], Role.AGENT)
    return arena.jurors[0], arena.pitches[1]


def _moved_after_seating(arena):
    User.objects.filter(pk=arena.jurors[0].user_id).update(organisation=arena.orgs[1])
    return arena.jurors[0], arena.pitches[1]


def _recused(arena):
    scores.recuse(arena.forum, actor=arena.jurors[0].user, pitch=arena.pitches[1])
    return arena.jurors[0], arena.pitches[1]


CASES = {
    "home organisation": (_home, CONFLICT),
    "no link": (_no_link, None),
    "delegate elsewhere": (_delegate_elsewhere, CONFLICT),
    "juror-only grant elsewhere": (_juror_grant_elsewhere, None),
    "role granted after seating": (_role_granted_after_seating, CONFLICT),
    "moved to the pitch's organisation after seating": (_moved_after_seating, CONFLICT),
    "recused pitch": (_recused, RECUSED),
}
TRIGGER_ERRORS = {CONFLICT: "score_no_conflict_of_interest", RECUSED: "score_not_after_recusal"}


def run_cases() -> dict[str, list]:
    """Each case: [what the Python rule says, what the database does] — the obstacle (or None),
    and the name of the trigger's error (or None when the score was written)."""
    outcomes = {}
    for name, (arrange, _expected) in CASES.items():
        arena = build_arena()
        seat, pitch = arrange(arena)
        forum = Forum.objects.get(pk=arena.forum.pk)
        person = fresh(seat.user)
        obstacle = (
            None
            if permissions.can_score_pitch(permissions.access_to(person, forum), pitch)
            else permissions.scoring_obstacle(person, seat, pitch)
        )
        refused = None
        try:
            with transaction.atomic():
                score_directly(seat, pitch, arena.criteria[0])
        except IntegrityError as error:
            refused = next((e for e in TRIGGER_ERRORS.values() if e in str(error)), str(error))
        outcomes[name] = [obstacle, refused]
    return outcomes


EXPECTED = {
    name: [expected, TRIGGER_ERRORS.get(expected)] for name, (_arrange, expected) in CASES.items()
}


@pytest.mark.django_db
def test_the_postgresql_trigger_agrees_with_the_python_rule():
    assert run_cases() == EXPECTED


def test_the_sqlite_triggers_agree_with_the_python_rule(tmp_path):
    # The demo without DATABASE_URL runs on SQLite: a fresh file, every migration, the cases.
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "innovation.settings_test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    script = (
        "import json; from tests.juries.test_conflicts import run_cases; "
        "print('CASES ' + json.dumps(run_cases()))"
    )
    done = subprocess.run(
        [*manage, "shell", "-c", script],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )

    line = next(line for line in done.stdout.splitlines() if line.startswith("CASES "))
    assert json.loads(line.removeprefix("CASES ")) == EXPECTED
