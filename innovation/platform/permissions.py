"""Who holds which role where: the one place the rest of the code asks."""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Q, QuerySet

from innovation.platform.models import Organisation, Role, RoleGrant, User


def roles_on(user: User, organisation_id: int | None) -> frozenset[str]:
    if not user.is_authenticated or organisation_id is None:
        return frozenset()
    return user.role_map.get(organisation_id, frozenset())


def has_role(user: User, organisation_id: int | None, *roles: str) -> bool:
    """True if the user holds one of `roles` on the organisation (admins hold every role)."""
    held = roles_on(user, organisation_id)
    return Role.ADMIN in held or any(role in held for role in roles)


def is_member(user: User, organisation_id: int | None) -> bool:
    """Any role on an organisation makes a person a member of it."""
    return bool(roles_on(user, organisation_id))


def member_organisation_ids(user: User) -> set[int]:
    if not user.is_authenticated:
        return set()
    return set(user.role_map)


def organisation_ids_with_role(user: User, *roles: str) -> set[int]:
    if not user.is_authenticated:
        return set()
    wanted = set(roles) | {Role.ADMIN}
    return {org_id for org_id, held in user.role_map.items() if held & wanted}


def has_role_anywhere(user: User, *roles: str) -> bool:
    return bool(organisation_ids_with_role(user, *roles))


def organisations_with_role(user: User, *roles: str) -> QuerySet[Organisation]:
    return Organisation.objects.filter(pk__in=organisation_ids_with_role(user, *roles))


def is_delegate_anywhere(user: User) -> bool:
    return has_role_anywhere(user, Role.DELEGATE)


def is_admin_anywhere(user: User) -> bool:
    return has_role_anywhere(user, Role.ADMIN)


def can_import_people(user: User) -> bool:
    return is_admin_anywhere(user)


def can_see_dashboard(user: User) -> bool:
    return is_delegate_anywhere(user)


# --- Whom a person may find -------------------------------------------------------------------

# The apps above the platform that make delegates of several organisations work together (a
# shared campaign, a forum) say which other organisations such a delegate may find people
# in: each rule takes the organisations where the person is a delegate and returns a
# queryset of organisation ids, read as a subquery of `visible_people`. Registered in the
# apps' `ready()`, so that the platform imports nothing above it.
SharingRule = Callable[[set[int]], QuerySet]
_sharing_rules: list[SharingRule] = []


def share_people_through(rule: SharingRule) -> SharingRule:
    if rule not in _sharing_rules:
        _sharing_rules.append(rule)
    return rule


def visible_people(user: User) -> QuerySet[User]:
    """The active people `user` may find by name — in the people pickers, the directory and
    every form that names a person: the members of their organisations (anyone holding a
    role there), and for a delegate, those of the organisations they work with (each
    sharing rule a subquery)."""
    members = member_organisation_ids(user)
    if not members:
        return User.objects.none()
    condition = Q(organisation_id__in=members)
    delegated = organisation_ids_with_role(user, Role.DELEGATE)
    if delegated:
        for rule in _sharing_rules:
            condition |= Q(organisation_id__in=rule(delegated))
    holding_a_role = RoleGrant.objects.filter(condition).values("user_id")
    return User.objects.filter(is_active=True, pk__in=holding_a_role)
