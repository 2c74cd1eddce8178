"""Every transition of the pipeline, allowed and refused, for each kind of actor."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from ideas import services
from ideas.models import Idea, IdeaEvent
from ideas.pipeline import REASON_REQUIRED, TRANSITIONS, InvalidTransition
from innovation.platform.models import Notification
from innovation.platform.notifications import send_pending_emails
from tests.factories import AgentFactory, DelegateFactory, IdeaFactory

State = Idea.State
ALL_PAIRS = [(before, after) for before in State.values for after in State.values]


def reason_for(to: str) -> str:
    return "Motif de test" if to in REASON_REQUIRED else ""


@pytest.mark.django_db
@pytest.mark.parametrize(("before", "after"), ALL_PAIRS)
def test_delegate_moves_only_along_the_transition_table(before, after):
    delegate = DelegateFactory()
    idea = IdeaFactory(state=before, organisation=delegate.organisation)
    allowed = after in TRANSITIONS[before]
    is_author_step = before == State.DRAFT and after == State.SUBMITTED

    if is_author_step:
        with pytest.raises(PermissionDenied):
            services.move_idea(idea, to=after, actor=delegate, reason=reason_for(after))
    elif allowed:
        services.move_idea(idea, to=after, actor=delegate, reason=reason_for(after))
        idea.refresh_from_db()
        assert idea.state == after
        event = IdeaEvent.objects.get(idea=idea)
        assert (event.before, event.after, event.actor) == (before, after, delegate)
    else:
        with pytest.raises(InvalidTransition):
            services.move_idea(idea, to=after, actor=delegate, reason=reason_for(after))
        idea.refresh_from_db()
        assert idea.state == before
        assert IdeaEvent.objects.filter(idea=idea).count() == 0


@pytest.mark.django_db
def test_author_submits_their_draft_and_delegates_are_told():
    author = AgentFactory()
    delegate = DelegateFactory(organisation=author.organisation)
    idea = IdeaFactory(author=author, state=State.DRAFT, submitted_at=None)

    services.move_idea(idea, to=State.SUBMITTED, actor=author)

    idea.refresh_from_db()
    assert idea.state == State.SUBMITTED
    assert idea.submitted_at is not None
    assert list(Notification.objects.values_list("recipient", "kind")) == [
        (delegate.pk, "idea_submitted")
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("to", [State.QUALIFIED, State.SELECTED, State.NOT_RETAINED])
def test_author_cannot_run_the_pipeline(to):
    author = AgentFactory()
    idea = IdeaFactory(author=author, state=State.SUBMITTED)

    with pytest.raises(PermissionDenied):
        services.move_idea(idea, to=to, actor=author, reason="x")


@pytest.mark.django_db
def test_author_may_abandon_early_but_not_after_selection():
    author = AgentFactory()
    early = IdeaFactory(author=author, state=State.QUALIFIED)
    late = IdeaFactory(author=author, state=State.SELECTED)

    services.move_idea(early, to=State.ABANDONED, actor=author, reason="Je change de poste")

    with pytest.raises(PermissionDenied):
        services.move_idea(late, to=State.ABANDONED, actor=author, reason="x")
    early.refresh_from_db()
    assert early.state == State.ABANDONED


@pytest.mark.django_db
def test_delegate_of_another_organisation_cannot_move():
    idea = IdeaFactory(state=State.SUBMITTED)
    stranger = DelegateFactory()

    with pytest.raises(PermissionDenied):
        services.move_idea(idea, to=State.QUALIFIED, actor=stranger, support="internal")


@pytest.mark.django_db
@pytest.mark.parametrize("to", sorted(REASON_REQUIRED))
def test_exit_without_reason_is_refused_and_nothing_is_saved(to):
    delegate = DelegateFactory()
    idea = IdeaFactory(state=State.SUBMITTED, organisation=delegate.organisation)

    with pytest.raises(ValidationError):
        services.move_idea(idea, to=to, actor=delegate, reason="   ")

    idea.refresh_from_db()
    assert idea.state == State.SUBMITTED
    assert IdeaEvent.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_moving_notifies_authors_and_followers_once_by_email():
    delegate = DelegateFactory()
    author = AgentFactory(organisation=delegate.organisation)
    follower = AgentFactory(organisation=delegate.organisation)
    idea = IdeaFactory(author=author, state=State.SUBMITTED)
    services.set_following(idea, user=follower, following=True)
    services.set_following(idea, user=author, following=True)
    mail.outbox = []

    services.move_idea(idea, to=State.QUALIFIED, actor=delegate, support="internal")
    send_pending_emails()
    send_pending_emails()

    assert sorted(m.to[0] for m in mail.outbox) == sorted([author.email, follower.email])
    assert "Qualifiée" in mail.outbox[0].subject
