"""The idea page and every list share one rule, `visible_ideas`: the page is found by exactly
the people a list shows the idea to, and it reads the person's relation to the idea along."""

import pytest
from django.http import Http404
from django.urls import reverse

from ideas import selectors, services
from ideas.models import Follow, Idea, Mandate, Vote
from ideas.permissions import visible_ideas
from innovation.platform.models import Role
from tests.factories import (
    AgentFactory,
    CampaignFactory,
    DelegateFactory,
    IdeaFactory,
    MandateFactory,
    OrganisationFactory,
    UserFactory,
    grant,
)


@pytest.mark.django_db
def test_the_idea_page_is_found_by_exactly_those_the_rule_shows_it_to(client):
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

    found = {}
    listed = {}
    for person in people:
        client.force_login(person)
        shown = set(visible_ideas(person).values_list("pk", flat=True))
        for idea in ideas:
            status = client.get(reverse("ideas:detail", args=[idea.pk])).status_code
            found[person.pk, idea.pk] = status == 200
            listed[person.pk, idea.pk] = idea.pk in shown

    assert found == listed
    # The cases the rule distinguishes are all present.
    assert any(listed[partner.pk, idea.pk] for idea in ideas)
    assert not any(listed[colleague.pk, idea.pk] for idea in ideas if idea.state == "draft")
    assert any(listed[coauthor.pk, idea.pk] for idea in ideas if idea.state == "draft")
    assert not any(listed[stranger.pk, idea.pk] for idea in ideas)


@pytest.mark.django_db
def test_the_idea_page_reads_the_persons_vote_follow_and_the_mandates():
    here, there = OrganisationFactory(), OrganisationFactory()
    author = AgentFactory(organisation=here)
    voter = AgentFactory(organisation=here)
    partner = AgentFactory(organisation=there)
    # Co-authors in another order than created: the page lists them by last, then first name.
    coauthors = [
        AgentFactory(organisation=here, last_name=last, first_name=first)
        for last, first in (("Zola", "Émile"), ("Abel", "Zoé"), ("Abel", "Anne"))
    ]
    shared = CampaignFactory(organisations=[here, there])
    plain = IdeaFactory(organisation=here, author=author)
    busy = IdeaFactory(organisation=here, author=author, campaign=shared)
    busy.coauthors.add(*coauthors)
    services.cast_vote(busy, voter=voter)
    services.set_following(busy, user=voter, following=True)
    MandateFactory(idea=busy)

    for person in (author, voter, partner, coauthors[0]):
        for idea in (plain, busy):
            try:
                loaded = selectors.idea_for_detail(person, idea.pk)
            except Http404:
                assert (person, idea) == (partner, plain)
                continue
            assert loaded.my_vote == Vote.objects.filter(idea=idea, voter=person).exists()
            assert loaded.my_follow == Follow.objects.filter(idea=idea, user=person).exists()
            assert loaded.has_mandates == Mandate.objects.filter(idea=idea).exists()
    names = [
        user.get_full_name() for user in selectors.idea_for_detail(author, busy.pk).coauthors.all()
    ]
    assert names == ["Anne Abel", "Zoé Abel", "Émile Zola"]
