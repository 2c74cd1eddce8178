"""The audit trail: one call per event worth answering for later."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import DatabaseError, transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from innovation.platform.models import AuditEvent, User

logger = logging.getLogger(__name__)

# The request being answered, set by AuditMiddleware: an event recorded deep in a service
# (an idea's stage, a signature) gets its address without each caller passing it down.
_current_request: ContextVar[HttpRequest | None] = ContextVar("audit_request", default=None)

LOGIN = "login"
LOGIN_FAILED = "login_failed"
LOGOUT = "logout"
PERMISSION_DENIED = "permission_denied"
IDEA_MOVED = "idea_moved"
SIGNATURE = "signature"
SCORE_CHANGED = "score_changed"
RECUSAL = "recusal"
EXPORT = "export"
PEOPLE_IMPORTED = "people_imported"
PERSON_PSEUDONYMISED = "person_pseudonymised"
ROLE_GRANTED = "role_granted"
ROLE_REVOKED = "role_revoked"
FORUM_MOVED = "forum_moved"
COAUTHOR_LEFT = "coauthor_left"

LABELS = {
    LOGIN: _("Connexion"),
    LOGIN_FAILED: _("Échec de connexion"),
    LOGOUT: _("Déconnexion"),
    PERMISSION_DENIED: _("Accès refusé"),
    IDEA_MOVED: _("Changement d'étape d'une idée"),
    SIGNATURE: _("Signature d'un mandat"),
    SCORE_CHANGED: _("Note de jury"),
    RECUSAL: _("Déport d'un juré"),
    EXPORT: _("Export"),
    PEOPLE_IMPORTED: _("Import de l'annuaire"),
    PERSON_PSEUDONYMISED: _("Pseudonymisation"),
    ROLE_GRANTED: _("Attribution d'un rôle"),
    ROLE_REVOKED: _("Retrait d'un rôle"),
    FORUM_MOVED: _("Changement d'étape d'un forum"),
    COAUTHOR_LEFT: _("Retrait d'un·e co-auteur·rice"),
}


def record(
    action: str,
    *,
    actor: User | None,
    request: HttpRequest | None = None,
    target: Any = None,
    organisation_id: int | None = None,
    detail: dict | None = None,
) -> AuditEvent | None:
    """Append one event to the trail, inside the caller's transaction when there is one."""
    if actor is not None and not actor.is_authenticated:
        actor = None
    if organisation_id is None:
        organisation_id = getattr(target, "organisation_id", None) or getattr(
            actor, "organisation_id", None
        )
    event = AuditEvent(
        action=action,
        actor=actor,
        organisation_id=organisation_id,
        target_type=target._meta.model_name if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        detail=detail or {},
        ip_address=_ip(request if request is not None else _current_request.get()),
    )
    try:
        # A savepoint: a failed audit write must not break the action being audited.
        with transaction.atomic():
            event.save()
    except DatabaseError:
        logger.exception("Audit event %s could not be written", action)
        return None
    return event


@contextmanager
def requested_by(request: HttpRequest) -> Iterator[None]:
    """Within this block, every event recorded carries the address of `request`."""
    token = _current_request.set(request)
    try:
        yield
    finally:
        _current_request.reset(token)


def _ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    from innovation.platform.auth import client_ip

    return client_ip(request) or None
