"""`can_view_idea` (the idea page's check, in Python) and `visible_ideas` (every list, in SQL)
are one rule written twice: they must agree for every kind of person and idea."""

import pytest
from django.http import Http404

from ideas import services
from ideas.models import Follow, Idea, Mandate, Vote
from ideas.permissions import can_view_idea, visible_ideas
from ideas.selectors import idea_for_checks
from innovation.models import Role
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


@pytest.mark.django_db
def test_the_page_check_reads_what_the_orm_reads():
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
                loaded = idea_for_checks(person, idea.pk)
            except Http404:
                assert (person, idea) == (partner, plain)
                continue
            fresh = Idea.objects.get(pk=idea.pk)
            assert (loaded.pk, loaded.title, loaded.state, loaded.support) == (
                fresh.pk,
                fresh.title,
                fresh.state,
                fresh.support,
            )
            assert (loaded.vote_count, loaded.comment_count) == (
                fresh.vote_count,
                fresh.comment_count,
            )
            assert (loaded.organisation_id, loaded.author_id, loaded.campaign_id) == (
                fresh.organisation_id,
                fresh.author_id,
                fresh.campaign_id,
            )
            assert [user.pk for user in loaded.coauthors.all()] == [
                user.pk for user in fresh.coauthors.all()
            ]
            assert [user.get_full_name() for user in loaded.coauthors.all()] == [
                user.get_full_name() for user in fresh.coauthors.all()
            ]
            if fresh.campaign_id:
                assert {org.pk for org in loaded.campaign.organisations.all()} == {
                    org.pk for org in fresh.campaign.organisations.all()
                }
            assert loaded.my_vote == Vote.objects.filter(idea=idea, voter=person).exists()
            assert loaded.my_follow == Follow.objects.filter(idea=idea, user=person).exists()
            assert loaded.has_mandates == Mandate.objects.filter(idea=idea).exists()
    assert [user.last_name for user in idea_for_checks(author, busy.pk).coauthors.all()] == [
        "Abel",
        "Abel",
        "Zola",
    ]
