"""Who may see, join and run breakfast rituals. Views, templates and tests all ask here."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from innovation.platform.models import Organisation, Role, RoleGrant, User
from innovation.platform.permissions import (
    has_role,
    has_role_anywhere,
    member_organisation_ids,
    organisation_ids_with_role,
)
from rituals.models import Occurrence, Ritual

MANAGER_ROLES = (Role.DELEGATE,)


def visible_rituals(user: User) -> QuerySet[Ritual]:
    """Rituals of the person's organisations, and those shared with them."""
    organisations = member_organisation_ids(user)
    if not organisations:
        return Ritual.objects.none()
    ids = Ritual.objects.filter(
        Q(organisation__in=organisations) | Q(shared_with__in=organisations)
    ).values("pk")
    return Ritual.objects.filter(pk__in=ids)


def organisations_sharing_a_ritual(delegated: set[int]) -> QuerySet:
    """The organisations invited to the series of `delegated`, and those whose series
    `delegated` are invited to (a sharing rule of
    `innovation.platform.permissions.visible_people`, registered in RitualsConfig.ready)."""
    return Organisation.objects.filter(
        Q(shared_rituals__organisation__in=delegated) | Q(rituals__shared_with__in=delegated)
    ).values("pk")


def visible_occurrences(user: User) -> QuerySet[Occurrence]:
    return Occurrence.objects.filter(ritual__in=visible_rituals(user).values("pk"))


def audience_ids(ritual: Ritual) -> set[int]:
    """Organisations whose people may register (and present): its own, and those it is shared
    with. Uses the prefetched `shared_with` when there is one."""
    return {ritual.organisation_id, *(org.pk for org in ritual.shared_with.all())}


def can_create_ritual(user: User) -> bool:
    return has_role_anywhere(user, *MANAGER_ROLES)


def ritual_organisation_ids(user: User) -> set[int]:
    """Organisations for which this person may create rituals."""
    return organisation_ids_with_role(user, *MANAGER_ROLES)


def can_manage_ritual(user: User, ritual: Ritual) -> bool:
    """Edit the series and its dates, programme, attendance, export: the organisation's
    delegates (and admins)."""
    return has_role(user, ritual.organisation_id, *MANAGER_ROLES)


def can_register(user: User, occurrence: Occurrence) -> bool:
    return user.is_authenticated and bool(
        member_organisation_ids(user) & audience_ids(occurrence.ritual)
    )


def may_present(user: User, ritual: Ritual) -> bool:
    """A presenter must belong to the ritual's audience (own organisation or shared ones)."""
    return RoleGrant.objects.filter(user=user, organisation__in=audience_ids(ritual)).exists()
