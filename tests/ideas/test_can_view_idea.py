"""`can_view_idea` (the idea page's check, in Python) and `visible_ideas` (every list, in SQL)
are one rule written twice: they must agree for every kind of person and idea."""

import pytest
from django.http import Http404

from ideas.models import Idea
from ideas.permissions import can_view_idea, visible_ideas
from ideas.selectors import idea_for_checks
from innovation.models import Role
from tests.factories import (
    AgentFactory,
    CampaignFactory,
    DelegateFactory,
    IdeaFactory,
    OrganisationFactory,
    UserFactory,
    grant,
)


@pytest.mark.django_db
def test_the_page_check_agrees_with_the_list_rule():
    here, there, elsewhere = OrganisationFactory(), OrganisationFactory(), OrganisationFactory()
    author = AgentFactory(organisation=here)
    coauthor = AgentFactory(organisation=elsewhere)
    colleague = AgentFactory(organisation=here)
    delegate = DelegateFactory(organisation=here)
    partner = AgentFactory(organisation=there)
    stranger = AgentFactory(organisation=elsewhere)
    both = AgentFactory(organisation=elsewhere)
    grant(both, here, Role.AGENT)
    nobody = UserFactory()
    shared = CampaignFactory(created_by=delegate)
    shared.organisations.set([here, there])
    ideas = []
    for state in (Idea.State.DRAFT, Idea.State.SUBMITTED, Idea.State.ABANDONED):
        for campaign in (None, shared):
            idea = IdeaFactory(organisation=here, author=author, state=state, campaign=campaign)
            idea.coauthors.add(coauthor)
            ideas.append(idea)
    people = [author, coauthor, colleague, delegate, partner, stranger, both, nobody]

    checked = 0
    for person in people:
        listed = set(visible_ideas(person).values_list("pk", flat=True))
        for idea in ideas:
            try:
                idea_for_checks(person, idea.pk)
                seen = True
            except Http404:
                seen = False
            loaded = Idea.objects.get(pk=idea.pk)
            assert can_view_idea(person, loaded) == (idea.pk in listed) == seen, (person, idea)
            checked += 1
    assert checked == len(people) * len(ideas)
    # The cases the rule distinguishes are all present.
    assert any(
        idea.pk in set(visible_ideas(partner).values_list("pk", flat=True)) for idea in ideas
    )
    assert not visible_ideas(colleague).filter(state=Idea.State.DRAFT).exists()
    assert visible_ideas(coauthor).filter(state=Idea.State.DRAFT).exists()
