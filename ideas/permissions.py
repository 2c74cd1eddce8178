"""Who may see and do what with campaigns, challenges and ideas. Views, templates and tests
all ask these functions; nothing else decides."""

from __future__ import annotations

from typing import cast

from django.db.models import Q, QuerySet

from ideas.models import Campaign, Challenge, Comment, Idea
from innovation.platform.models import Role, User
from innovation.platform.permissions import (
    has_role,
    has_role_anywhere,
    is_member,
    member_organisation_ids,
    organisation_ids_with_role,
)
from innovation.platform.sql import InSubquery

DELEGATE_ROLES = (Role.DELEGATE,)
CHALLENGE_ROLES = (Role.DIRECTOR, Role.DELEGATE)


def visible_campaigns(user: User) -> QuerySet[Campaign]:
    return Campaign.objects.filter(organisations__in=member_organisation_ids(user)).distinct()


def organisations_sharing_a_campaign(delegated: set[int]) -> QuerySet:
    """The organisations of the campaigns shared with `delegated` (a sharing rule of
    `innovation.platform.permissions.visible_people`, registered in IdeasConfig.ready)."""
    return Campaign.organisations.through.objects.filter(
        campaign__organisations__in=delegated
    ).values("organisation_id")


def visible_challenges(user: User) -> QuerySet[Challenge]:
    return Challenge.objects.filter(organisation__in=member_organisation_ids(user))


def visible_ideas(user: User) -> QuerySet[Idea]:
    """Ideas of the person's organisations, and of campaigns shared with them; drafts stay
    with their authors."""
    if not user.is_authenticated:
        return Idea.objects.none()
    return Idea.objects.filter(public_ideas_condition(user) | own_ideas_condition(user))


def public_ideas_condition(user: User) -> Q:
    """Ideas a person sees as a member, their own aside: no draft, of their organisations or
    of campaigns shared with them."""
    organisations = member_organisation_ids(user)
    # No join: each branch is a condition on the idea row that an index serves (see
    # innovation.platform.sql.InSubquery), so PostgreSQL combines them in a BitmapOr instead of
    # reading every idea (a join over campaign organisations and co-authors needed the
    # `pk IN (…)` wrapper against duplicates, and defeated the indexes at 50,000 ideas).
    shared = InSubquery(
        "campaign_id",
        Campaign.organisations.through.objects.filter(organisation_id__in=organisations).values(
            "campaign_id"
        ),
    )
    # `Q | expression` is a Q to Django, a Combinable to the type stubs.
    return cast(Q, ~Q(state=Idea.State.DRAFT) & (Q(organisation__in=organisations) | shared))


def own_ideas_condition(user: User) -> Q:
    """Ideas the person wrote or co-wrote, drafts included (as a filter on ideas)."""
    coauthored = Idea.coauthors.through.objects.filter(user_id=user.pk).values("idea_id")
    return Q(author=user) | Q(InSubquery("pk", coauthored))


def is_author(user: User, idea: Idea) -> bool:
    if not user.is_authenticated:
        return False
    if idea.author_id == user.pk:
        return True
    return any(coauthor.pk == user.pk for coauthor in idea.coauthors.all())


def can_submit_ideas(user: User) -> bool:
    return bool(member_organisation_ids(user))


def can_edit_idea(user: User, idea: Idea) -> bool:
    return idea.is_editable_state and is_author(user, idea)


def is_idea_delegate(user: User, idea: Idea) -> bool:
    return has_role(user, idea.organisation_id, *DELEGATE_ROLES)


def can_move_idea(user: User, idea: Idea, to: str) -> bool:
    """Authors submit their draft and may withdraw early; delegates run the rest."""
    if to == Idea.State.SUBMITTED and idea.state == Idea.State.DRAFT:
        return is_author(user, idea)
    if to == Idea.State.ABANDONED and idea.state in AUTHOR_MAY_ABANDON_FROM:
        return is_author(user, idea) or is_idea_delegate(user, idea)
    return is_idea_delegate(user, idea)


AUTHOR_MAY_ABANDON_FROM = {Idea.State.DRAFT, Idea.State.SUBMITTED, Idea.State.QUALIFIED}


def can_vote(user: User, idea: Idea) -> bool:
    return (
        idea.state not in {Idea.State.DRAFT}
        and not is_author(user, idea)
        and (is_member(user, idea.organisation_id) or _shares_campaign(user, idea))
    )


def can_comment(user: User, idea: Idea) -> bool:
    return idea.is_public and (
        is_member(user, idea.organisation_id) or _shares_campaign(user, idea)
    )


def can_follow(user: User, idea: Idea) -> bool:
    return user.is_authenticated and idea.is_public


def can_moderate(user: User, comment: Comment) -> bool:
    return has_role(user, comment.idea.organisation_id, *DELEGATE_ROLES)


def can_set_support(user: User, idea: Idea) -> bool:
    return is_idea_delegate(user, idea) and idea.state != Idea.State.DRAFT


def can_manage_pipeline(user: User) -> bool:
    """Board, full list filters and CSV export."""
    return has_role_anywhere(user, *DELEGATE_ROLES)


def pipeline_organisation_ids(user: User) -> set[int]:
    return organisation_ids_with_role(user, *DELEGATE_ROLES)


def can_create_campaign(user: User) -> bool:
    return has_role_anywhere(user, *DELEGATE_ROLES)


def can_edit_campaign(user: User, campaign: Campaign) -> bool:
    allowed = organisation_ids_with_role(user, *DELEGATE_ROLES)
    return any(org.pk in allowed for org in campaign.organisations.all())


def can_post_challenge(user: User) -> bool:
    return has_role_anywhere(user, *CHALLENGE_ROLES)


def can_edit_challenge(user: User, challenge: Challenge) -> bool:
    return challenge.author_id == user.pk or has_role(
        user, challenge.organisation_id, *DELEGATE_ROLES
    )


def _shares_campaign(user: User, idea: Idea) -> bool:
    campaign = idea.campaign if idea.campaign_id else None
    if campaign is None:
        return False
    organisations = member_organisation_ids(user)
    return any(org.pk in organisations for org in campaign.organisations.all())


def challenge_organisation_ids(user: User) -> set[int]:
    return organisation_ids_with_role(user, *CHALLENGE_ROLES)
