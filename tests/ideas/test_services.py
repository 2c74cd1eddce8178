import datetime
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from ideas import services
from ideas.models import Campaign, Comment, Follow, Idea, Vote
from tests.factories import (
    AgentFactory,
    CampaignFactory,
    CommentFactory,
    DelegateFactory,
    IdeaFactory,
    OrganisationFactory,
)

IDEA_DATA = {
    "title": "Un guichet unique pour les familles",
    "irritant": "Les familles font trois guichets pour une seule démarche.",
    "proposal": "Un formulaire commun partagé entre les services.",
    "beneficiaries": Idea.Beneficiaries.USERS,
    "expected_impact": "Moins de déplacements.",
}


@pytest.mark.django_db
def test_create_idea_as_draft_keeps_it_private_to_its_author():
    author = AgentFactory()

    idea = services.create_idea(author=author, data=IDEA_DATA)

    assert idea.state == Idea.State.DRAFT
    assert idea.organisation == author.organisation
    assert idea.direction == author.direction
    assert Follow.objects.filter(idea=idea, user=author).exists()


@pytest.mark.django_db
def test_create_idea_in_a_closed_campaign_is_refused_and_nothing_is_saved():
    author = AgentFactory()
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    campaign = CampaignFactory(
        organisations=[author.organisation],
        opens_on=yesterday - datetime.timedelta(days=30),
        closes_on=yesterday,
    )

    with pytest.raises(ValidationError) as error:
        services.create_idea(author=author, data={**IDEA_DATA, "campaign": campaign}, submit=True)

    assert "campaign" in error.value.error_dict
    assert Idea.objects.count() == 0


@pytest.mark.django_db
def test_person_without_any_role_cannot_submit():
    nobody = AgentFactory(roles=[])

    with pytest.raises(PermissionDenied):
        services.create_idea(author=nobody, data=IDEA_DATA)


@pytest.mark.django_db
def test_update_idea_after_qualification_is_refused():
    idea = IdeaFactory(state=Idea.State.QUALIFIED)

    with pytest.raises(PermissionDenied):
        services.update_idea(idea, actor=idea.author, data={"title": "Nouveau titre"})


@pytest.mark.django_db
def test_cast_vote_counts_once_even_when_repeated():
    idea = IdeaFactory()
    voter = AgentFactory(organisation=idea.organisation)

    first = services.cast_vote(idea, voter=voter)
    second = services.cast_vote(idea, voter=voter)

    idea.refresh_from_db()
    assert (first, second) == (True, False)
    assert idea.vote_count == 1
    assert Vote.objects.filter(idea=idea).count() == 1


@pytest.mark.django_db
def test_withdraw_vote_decrements_only_once():
    idea = IdeaFactory()
    voter = AgentFactory(organisation=idea.organisation)
    services.cast_vote(idea, voter=voter)

    services.withdraw_vote(idea, voter=voter)
    services.withdraw_vote(idea, voter=voter)

    idea.refresh_from_db()
    assert idea.vote_count == 0


@pytest.mark.django_db
def test_vote_on_own_idea_is_refused_with_a_message():
    idea = IdeaFactory()

    with pytest.raises(ValidationError) as error:
        services.cast_vote(idea, voter=idea.author)

    assert error.value.messages == ["Vous ne pouvez pas soutenir votre propre idée."]


@pytest.mark.django_db
def test_vote_from_another_organisation_is_refused():
    idea = IdeaFactory()
    stranger = AgentFactory(organisation=OrganisationFactory())

    with pytest.raises(PermissionDenied):
        services.cast_vote(idea, voter=stranger)


@pytest.mark.django_db
def test_vote_on_a_shared_campaign_idea_is_allowed_across_organisations():
    stranger = AgentFactory()
    author = AgentFactory()
    campaign = CampaignFactory(organisations=[author.organisation, stranger.organisation])
    idea = IdeaFactory(author=author, campaign=campaign)

    assert services.cast_vote(idea, voter=stranger) is True


@pytest.mark.django_db(transaction=True)
def test_concurrent_votes_of_many_agents_are_all_counted():
    idea = IdeaFactory()
    voters = [AgentFactory(organisation=idea.organisation) for _ in range(8)]
    barrier = threading.Barrier(len(voters) * 2)

    def vote(voter):
        barrier.wait()
        try:
            services.cast_vote(idea, voter=voter)
        finally:
            connection.close()

    # Each agent clicks twice at the same moment, as with a double click.
    threads = [threading.Thread(target=vote, args=(v,)) for v in voters for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    idea.refresh_from_db()
    assert idea.vote_count == 8
    assert Vote.objects.filter(idea=idea).count() == 8


@pytest.mark.django_db
def test_hide_comment_keeps_it_with_reason_and_decrements_count():
    comment = CommentFactory()
    Idea.objects.filter(pk=comment.idea_id).update(comment_count=1)
    delegate = DelegateFactory(organisation=comment.idea.organisation)

    services.hide_comment(comment, actor=delegate, reason="Propos personnels")

    comment.refresh_from_db()
    comment.idea.refresh_from_db()
    assert comment.is_hidden
    assert comment.hidden_reason == "Propos personnels"
    assert comment.idea.comment_count == 0


@pytest.mark.django_db
def test_hide_comment_by_an_agent_is_refused():
    comment = CommentFactory()
    agent = AgentFactory(organisation=comment.idea.organisation)

    with pytest.raises(PermissionDenied):
        services.hide_comment(comment, actor=agent, reason="Je n'aime pas")


@pytest.mark.django_db
def test_add_comment_counts_and_rejects_blank():
    idea = IdeaFactory()
    agent = AgentFactory(organisation=idea.organisation)

    services.add_comment(idea, author=agent, body="Bonne idée")
    with pytest.raises(ValidationError):
        services.add_comment(idea, author=agent, body="   ")

    idea.refresh_from_db()
    assert idea.comment_count == 1
    assert Comment.objects.count() == 1


@pytest.mark.django_db
def test_submitted_idea_stays_editable_after_its_campaign_closes():
    author = AgentFactory()
    campaign = CampaignFactory(organisations=[author.organisation])
    idea = services.create_idea(
        author=author, data={**IDEA_DATA, "campaign": campaign}, submit=True
    )
    Campaign.objects.filter(pk=campaign.pk).update(
        closes_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    idea.refresh_from_db()

    services.update_idea(idea, actor=author, data={"title": "Titre précisé"})

    idea.refresh_from_db()
    assert (idea.title, idea.campaign_id) == ("Titre précisé", campaign.pk)
