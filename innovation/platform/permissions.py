"""Who holds which role where: the one place the rest of the code asks."""

from __future__ import annotations

from django.db.models import QuerySet

from innovation.platform.models import Organisation, Role, User


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
