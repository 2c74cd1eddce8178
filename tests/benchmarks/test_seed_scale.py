"""seed_scale at tiny sizes: counts, consistent counters, French search, and the refusals."""

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, F, Q

from ideas.models import Comment, FollowUp, Idea, Mandate, MandateMember, Vote
from ideas.search import search_ideas
from innovation.platform.models import Organisation, User
from juries.models import Forum, Juror, Score
from rituals.models import Occurrence, Registration, Ritual

SIZES = [
    "--organisations=3",
    "--agents=300",
    "--ideas=90",
    "--votes=700",
    "--comments=150",
    "--mandates=12",
    "--due-followups=5",
    "--pitches=4",
    "--jurors=6",
    "--criteria=2",
    "--rituals=3",
    "--no-analyze",
]


@pytest.fixture
def seeded(db):
    call_command("seed_scale", *SIZES, stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_seed_scale_creates_the_requested_sizes(seeded):
    assert Organisation.objects.filter(slug__startswith="echelle-").count() == 3
    assert User.objects.filter(email__startswith="agent.").count() == 300
    assert Idea.objects.count() == 90
    assert Vote.objects.count() == 700
    assert Comment.objects.count() == 150
    assert Mandate.objects.count() == 12
    assert Ritual.objects.count() == 3 + 1  # and the breakfast of the concurrency benchmark
    assert Occurrence.objects.exists()
    assert Registration.objects.exists()


def test_seed_scale_counters_match_the_rows(seeded):
    mismatched = Idea.objects.annotate(
        counted_votes=Count("votes", distinct=True),
        visible_comments=Count(
            "comments", filter=Q(comments__hidden_at__isnull=True), distinct=True
        ),
    ).exclude(vote_count=F("counted_votes"), comment_count=F("visible_comments"))
    assert mismatched.count() == 0
    assert Vote.objects.filter(idea__author_id=F("voter_id")).count() == 0
    assert Vote.objects.filter(idea__state=Idea.State.DRAFT).count() == 0
    assert not Idea.objects.filter(search_vector__isnull=True).exists()


def test_seed_scale_search_ignores_accents(seeded):
    with_accent = Idea.objects.filter(
        Q(title__icontains="école") | Q(irritant__icontains="école")
    ).count()
    assert with_accent > 0
    assert search_ideas(Idea.objects.all(), "ecole").count() >= with_accent


def test_seed_scale_mandates_forum_and_breakfast_are_consistent(seeded):
    assert not MandateMember.objects.filter(agent_id=F("manager_id")).exists()
    active = Mandate.objects.filter(state=Mandate.State.ACTIVE)
    assert FollowUp.objects.filter(mandate__in=active, recorded_at__isnull=True).exists()
    closed = Forum.objects.get(stage=Forum.Stage.CLOSED)
    expected = sum(
        closed.criteria.count()
        for juror in Juror.objects.filter(forum=closed)
        for pitch in closed.pitches.all()
        if pitch.organisation_id != juror.organisation_id
    )
    assert Score.objects.filter(forum=closed).count() == expected
    assert not Score.objects.filter(forum__stage=Forum.Stage.OPEN).exists()


def test_seed_scale_refuses_a_database_already_seeded(seeded):
    with pytest.raises(CommandError, match="existent déjà"):
        call_command("seed_scale", *SIZES)


def test_seed_scale_refuses_impossible_sizes(db):
    with pytest.raises(CommandError, match="10 agents"):
        call_command("seed_scale", "--organisations=3", "--agents=12")
