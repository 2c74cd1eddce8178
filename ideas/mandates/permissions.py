"""Who may see and do what with mandates and follow-ups. Views, templates and tests ask here.

A mandate is visible to the delegates of its organisation and to its parties (sponsor, client
director, agents of the team, their managers); to anyone else it does not exist (404).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from ideas.mandates.models import FollowUp, Mandate, MandateMember, Signature
from ideas.models import Idea
from innovation.platform.models import Role, User
from innovation.platform.permissions import has_role, has_role_anywhere, organisation_ids_with_role
from innovation.platform.sql import InSubquery

# Ideas a mandate can be drafted for: chosen by the delegates, not yet experimented.
MANDATE_IDEA_STATES = (Idea.State.SELECTED, Idea.State.ACCOMPANIED)


def delegate_organisation_ids(user: User) -> set[int]:
    return organisation_ids_with_role(user, Role.DELEGATE)


def visible_mandates(user: User) -> QuerySet[Mandate]:
    if not user.is_authenticated:
        return Mandate.objects.none()
    return Mandate.objects.filter(
        Q(organisation__in=delegate_organisation_ids(user)) | party_condition(user)
    )


def party_condition(user: User) -> Q:
    """Mandates the person is a party to (sponsor, client director, agent or manager of the
    team), as a condition on the mandate row: no join, so each branch uses its index."""
    teams = MandateMember.objects.filter(Q(agent=user) | Q(manager=user)).values("mandate_id")
    return Q(sponsor=user) | Q(client_director=user) | Q(InSubquery("pk", teams))


def is_mandate_delegate(user: User, mandate: Mandate) -> bool:
    return has_role(user, mandate.organisation_id, Role.DELEGATE)


def can_manage_mandates(user: User) -> bool:
    """Draft mandates, export the overview."""
    return has_role_anywhere(user, Role.DELEGATE)


def can_draft_mandate(user: User, idea: Idea) -> bool:
    return idea.state in MANDATE_IDEA_STATES and has_role(user, idea.organisation_id, Role.DELEGATE)


def can_edit_mandate(user: User, mandate: Mandate) -> bool:
    return mandate.is_open_for_terms and is_mandate_delegate(user, mandate)


def can_send_for_signature(user: User, mandate: Mandate) -> bool:
    return mandate.state == Mandate.State.DRAFT and is_mandate_delegate(user, mandate)


def can_end_mandate(user: User, mandate: Mandate) -> bool:
    return mandate.state == Mandate.State.ACTIVE and is_mandate_delegate(user, mandate)


def required_parties(mandate: Mandate, members: list[MandateMember]) -> set[tuple[int, str]]:
    """(user id, party) pairs whose signature of the current terms activates the mandate."""
    parties: set[tuple[int, str]] = {
        (mandate.sponsor_id, Signature.Party.SPONSOR),
        (mandate.client_director_id, Signature.Party.CLIENT_DIRECTOR),
    }
    for member in members:
        parties.add((member.agent_id, Signature.Party.AGENT))
        parties.add((member.manager_id, Signature.Party.MANAGER))
    return parties


def parties_of(user: User, mandate: Mandate, members: list[MandateMember]) -> list[str]:
    """What this person signs as (possibly several: a director may also be a manager)."""
    if not user.is_authenticated:
        return []
    return sorted(
        party for user_id, party in required_parties(mandate, members) if user_id == user.pk
    )


def can_sign(user: User, mandate: Mandate, members: list[MandateMember]) -> bool:
    return mandate.state == Mandate.State.AWAITING_SIGNATURES and bool(
        parties_of(user, mandate, members)
    )


def is_team_member(user: User, members: list[MandateMember]) -> bool:
    return any(member.agent_id == user.pk for member in members)


def can_record_followup(user: User, followup: FollowUp, members: list[MandateMember]) -> bool:
    """The team and the delegates hold the follow-ups, while the mandate is active."""
    mandate = followup.mandate
    return mandate.state == Mandate.State.ACTIVE and can_hold_followups(user, mandate, members)


def can_see_time_of(user: User, mandate: Mandate, member: MandateMember) -> bool:
    """Time actually spent is workload data: the agent, their manager and the delegates."""
    return user.pk in (member.agent_id, member.manager_id) or is_mandate_delegate(user, mandate)


def can_hold_followups(user: User, mandate: Mandate, members: list[MandateMember]) -> bool:
    """Team members and delegates record follow-ups (the service also wants it active)."""
    return is_team_member(user, members) or is_mandate_delegate(user, mandate)
