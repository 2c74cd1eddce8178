"""Who may see and do what with campaigns, challenges and ideas. Views, templates and tests
all ask these functions; nothing else decides."""

from __future__ import annotations

from typing import cast

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from ideas.models import (
    Campaign,
    CampaignQuerySet,
    Challenge,
    ChallengeQuerySet,
    Comment,
    Idea,
)
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


def visible_campaigns(user: User) -> CampaignQuerySet:
    return Campaign.objects.filter(organisations__in=member_organisation_ids(user)).distinct()


def organisations_sharing_a_campaign(delegated: set[int]) -> QuerySet:
    """The organisations of the campaigns shared with `delegated` (a sharing rule of
    `innovation.platform.permissions.visible_people`, registered in IdeasConfig.ready)."""
    return Campaign.organisations.through.objects.filter(
        campaign__organisations__in=delegated
    ).values("organisation_id")


def visible_challenges(user: User) -> ChallengeQuerySet:
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


# --- Protection for the shy: who reads an author's name ---------------------------------------
#
# An idea of a campaign that allows it may hide its author (Idea.author_hidden): then the
# author and co-authors are named only to themselves and to the delegates (and admins) of the
# idea's organisation, who run its pipeline. Everyone else reads HIDDEN_AUTHOR wherever a name
# would be: lists, idea page (author, co-authors, their comments, their steps in the history),
# board, exports, notifications, and whatever shows ideas later (reviews, duplicate
# suggestions, an API, webhooks) must ask `can_see_author` or `author_shown` too.

HIDDEN_AUTHOR = _("Auteur·rice masqué·e")


def author_shown(
    user: User, *, hidden: bool, author_id: int, organisation_id: int, coauthor: bool
) -> bool:
    """THE rule, on plain values: what a list row holds (its columns, `coauthored_by`) and
    the person's roles (`User.role_map`, read once per request). No query."""
    if not hidden:
        return True
    if not user.is_authenticated:
        return False
    return author_id == user.pk or coauthor or has_role(user, organisation_id, *DELEGATE_ROLES)


def can_see_author(user: User, idea: Idea) -> bool:
    """Whether `user` may read the names of the idea's author and co-authors (`author_shown`
    on an idea). Co-authorship is read last, and only for a hidden author: from the
    `coauthored_by` annotation when the query made one, else from the (prefetched) co-authors."""
    shown = author_shown(
        user,
        hidden=idea.author_hidden,
        author_id=idea.author_id,
        organisation_id=idea.organisation_id,
        coauthor=False,
    )
    if shown or not user.is_authenticated:
        return shown
    annotated = getattr(idea, COAUTHOR_ANNOTATION, None)
    if annotated is not None:
        return bool(annotated)
    return any(coauthor.pk == user.pk for coauthor in idea.coauthors.all())


# The name of the annotation `coauthored_by` is given under in the querysets that read it.
COAUTHOR_ANNOTATION = "viewer_is_coauthor"


def coauthored_by(user: User) -> Exists:
    """Whether the person co-wrote the idea of the row (an annotation, no query of its own)."""
    return Exists(
        Idea.coauthors.through.objects.filter(idea_id=OuterRef("pk"), user_id=user.pk or 0)
    )


def author_shown_condition(user: User) -> Q:
    """`can_see_author` as a filter on ideas: what searching by an author's name may find
    (a hidden author's ideas are not found under their name by others)."""
    if not user.is_authenticated:
        return Q(author_hidden=False)
    delegated = organisation_ids_with_role(user, *DELEGATE_ROLES)
    return Q(author_hidden=False) | Q(organisation__in=delegated) | own_ideas_condition(user)


def author_label(user: User, idea: Idea) -> str:
    """The author's name as `user` may read it: the name, or HIDDEN_AUTHOR."""
    return idea.author.get_full_name() if can_see_author(user, idea) else str(HIDDEN_AUTHOR)


def hidden_people(user: User, idea: Idea) -> frozenset[int]:
    """The ids of the people whose name `user` must not read next to this idea (its author and
    co-authors, when hidden from them): their comments and steps in its history too."""
    if can_see_author(user, idea):
        return frozenset()
    return frozenset({idea.author_id, *(coauthor.pk for coauthor in idea.coauthors.all())})


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
