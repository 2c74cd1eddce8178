from dataclasses import dataclass

import pytest

from ideas.models import Idea
from innovation.platform.models import Organisation, User
from juries.models import Criterion, Forum, Juror, Pitch
from tests.factories import (
    CriterionFactory,
    DelegateFactory,
    ForumFactory,
    ForumJurorFactory,
    IdeaFactory,
    OrganisationFactory,
    PitchFactory,
)


@dataclass
class Arena:
    """A forum over three organisations: a juror and a pitch from each, two criteria."""

    forum: Forum
    orgs: list[Organisation]
    delegate: User
    criteria: list[Criterion]
    jurors: list[Juror]
    pitches: list[Pitch]

    def values(self, *values):
        return {c.pk: v for c, v in zip(self.criteria, values, strict=True)}


def build_arena(stage=Forum.Stage.OPEN, pitch_count=3) -> Arena:
    orgs = [OrganisationFactory() for _ in range(3)]
    delegate = DelegateFactory(organisation=orgs[0])
    forum = ForumFactory(created_by=delegate, organisations=orgs, stage=stage)
    criteria = [
        CriterionFactory(forum=forum, name="Impact pour les usagers", weight=2),
        CriterionFactory(forum=forum, name="Faisabilité", weight=1),
    ]
    jurors = [
        ForumJurorFactory(forum=forum, user__organisation=org, is_president=(i == 0))
        for i, org in enumerate(orgs)
    ]
    pitches = [
        PitchFactory(
            forum=forum,
            idea=IdeaFactory(author__organisation=orgs[i % 3], state=Idea.State.SELECTED),
            position=i + 1,
        )
        for i in range(pitch_count)
    ]
    return Arena(forum, orgs, delegate, criteria, jurors, pitches)


@pytest.fixture
def arena(db):
    return build_arena()


@pytest.fixture
def preparing(db):
    return build_arena(stage=Forum.Stage.PREPARING)
