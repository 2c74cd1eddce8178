"""Role grants: the only writers of `RoleGrant`, each leaving its line in the audit trail.

Who may grant is decided by the caller: the Django admin (its own staff permissions) and the
directory import (administrators of the organisations in the file). A grant's audit line
targets the person (so their history survives the grant's deletion) and belongs to the
organisation of the role (so that organisation's administrators see it in their journal).
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone, translation

from innovation.platform import audit
from innovation.platform.choices import label_of
from innovation.platform.models import AuditEvent, Organisation, Role, RoleGrant, User
from innovation.platform.sql import insert_ignoring_conflicts

ACTIONS = (audit.ROLE_GRANTED, audit.ROLE_REVOKED)


def _detail(role: str, organisation: Organisation, **extra: int) -> dict:
    # The trail is read in the source language, whatever the language of the request.
    with translation.override(settings.LANGUAGE_CODE):
        return {"rôle": label_of(Role, role), "collectivité": organisation.name, **extra}


@transaction.atomic
def grant_role(
    user: User,
    organisation: Organisation,
    role: str,
    *,
    actor: User | None,
    request: HttpRequest | None = None,
) -> RoleGrant:
    """Give a person a role on an organisation; a grant they already hold is returned as it
    is, with no second line in the trail."""
    role = Role(role)  # ValueError for anything that is not a role
    grant, created = RoleGrant.objects.get_or_create(
        user=user, organisation=organisation, role=role
    )
    if created:
        audit.record(
            audit.ROLE_GRANTED,
            actor=actor,
            request=request,
            target=user,
            organisation_id=organisation.pk,
            detail=_detail(role, organisation),
        )
        user.forget_roles()
    return grant


@transaction.atomic
def revoke_role(
    grant: RoleGrant, *, actor: User | None, request: HttpRequest | None = None
) -> bool:
    """Take a role back; False when the grant was already gone (nothing written)."""
    locked = (
        RoleGrant.objects.select_for_update(of=("self",))
        .select_related("user", "organisation")
        .filter(pk=grant.pk)
        .first()
    )
    if locked is None:
        return False
    locked.delete()
    audit.record(
        audit.ROLE_REVOKED,
        actor=actor,
        request=request,
        target=locked.user,
        organisation_id=locked.organisation_id,
        detail=_detail(locked.role, locked.organisation),
    )
    locked.user.forget_roles()
    return True


def grant_roles_in_bulk(
    grants: Iterable[RoleGrant], *, actor: User | None, request: HttpRequest | None = None
) -> int:
    """Many grants at once (the directory import), for speed; returns how many were new. The
    trail gets one line per organisation and role, counting the people who got it, rather
    than one per person. Grants carry their `organisation` object (for its name)."""
    wanted: dict[tuple[int, int, str], RoleGrant] = {}
    for grant in grants:
        wanted.setdefault((grant.user_id, grant.organisation_id, grant.role), grant)
    if not wanted:
        return 0
    organisations = {grant.organisation_id: grant.organisation for grant in wanted.values()}
    counts = Counter((organisation_id, role) for organisation_id, role in _insert_new(wanted))
    for (organisation_id, role), count in sorted(counts.items()):
        audit.record(
            audit.ROLE_GRANTED,
            actor=actor,
            request=request,
            organisation_id=organisation_id,
            detail=_detail(role, organisations[organisation_id], personnes=count),
        )
    return sum(counts.values())


def _insert_new(wanted: dict[tuple[int, int, str], RoleGrant]) -> list[tuple[int, str]]:
    """Insert the grants not held yet; (organisation id, role) of each row written."""
    if connection.vendor == "postgresql":
        # One statement per thousand rows: the database skips the held grants (the unique
        # constraint) and says which rows it wrote, so nothing is read beforehand.
        now = timezone.now()
        return insert_ignoring_conflicts(
            RoleGrant,
            ("user_id", "organisation_id", "role", "granted_at"),
            [(user_id, org_id, role, now) for user_id, org_id, role in wanted],
            returning=("organisation_id", "role"),
        )
    held = set(
        RoleGrant.objects.filter(
            user__in={user_id for user_id, _org, _role in wanted},
            organisation__in={org_id for _user, org_id, _role in wanted},
            role__in={role for _user, _org, role in wanted},
        ).values_list("user_id", "organisation_id", "role")
    )
    new = [grant for key, grant in wanted.items() if key not in held]
    RoleGrant.objects.bulk_create(new, ignore_conflicts=True, batch_size=1000)
    return [(grant.organisation_id, grant.role) for grant in new]


@dataclass(frozen=True)
class RoleChange:
    """One line of a person's « Historique des rôles », as the trail recorded it."""

    at: datetime.datetime
    actor: User | None
    granted: bool
    role: str  # the label recorded at the time
    organisation: str  # the name recorded at the time (it may have been renamed since)


def role_history(user: User, organisation_ids: Iterable[int], *, limit: int) -> list[RoleChange]:
    """The grants and withdrawals of a person's roles on these organisations, newest first
    (one query)."""
    events = (
        AuditEvent.objects.filter(
            action__in=ACTIONS,
            target_type=User._meta.model_name,
            target_id=str(user.pk),
            organisation__in=organisation_ids,
        )
        .select_related("actor", "organisation")
        .order_by("-created_at", "-id")[:limit]
    )
    return [
        RoleChange(
            at=event.created_at,
            actor=event.actor,
            granted=event.action == audit.ROLE_GRANTED,
            role=event.detail.get("rôle", ""),
            organisation=event.detail.get("collectivité")
            or (event.organisation.name if event.organisation else ""),
        )
        for event in events
    ]
