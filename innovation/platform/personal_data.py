"""Personal data: what the platform holds about a person, and forgetting who they were.

Both walk the models Django knows about, so a table added later by any app is covered
without touching this module: every foreign key or many-to-many to the user model counts
as data about that person, and every text column is scrubbed of their name and address.
"""

from __future__ import annotations

from collections.abc import Iterator
from importlib import import_module
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core import serializers
from django.db import models, transaction
from django.db.models import Q, Value
from django.db.models.functions import Replace
from django.dispatch import Signal
from django.utils import timezone

from innovation.platform import audit
from innovation.platform.models import AuditEvent, Notification, User

# Sent by `pseudonymise` once the departed person's name is replaced in every text column:
# `rows` maps a model label ("ideas.Idea") to the primary keys of its rows that changed.
# The platform knows no app; an app that derives data from those texts refreshes it here.
texts_scrubbed = Signal()

# Never handed out, even to the person: it would only help an attacker.
SECRET_FIELDS = {"password"}
# Data reached through a row that stands for the person (a juror seat holds their scores).
INDIRECT = {"juries.Score": "juror__user"}
TEXT_FIELDS = (models.CharField, models.TextField)


def _relations_to_user() -> Iterator[tuple[type[models.Model], str]]:
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if not getattr(field, "concrete", False) or field.related_model is not User:
                continue
            if field.many_to_one or field.one_to_one or field.many_to_many:
                yield model, field.name


def export_personal_data(user: User) -> dict[str, Any]:
    """Everything rows hold about a person, by table, as plain JSON-ready data."""
    person = serializers.serialize("python", [user])[0]["fields"]
    for name in SECRET_FIELDS:
        person.pop(name, None)
    data: dict[str, Any] = {
        "exporte_le": timezone.now().isoformat(),
        "personne": {"id": user.pk, **person},
    }
    for model, field in sorted(_relations_to_user(), key=lambda pair: pair[0]._meta.label):
        if model is User:
            continue
        rows = model._default_manager.filter(**{field: user}).distinct()
        serialized = [
            {"id": row["pk"], "lien": field, **row["fields"]}
            for row in serializers.serialize("python", rows)
        ]
        if serialized:
            data.setdefault(model._meta.label, []).extend(serialized)
    for label, path in INDIRECT.items():
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        rows = serializers.serialize("python", model._default_manager.filter(**{path: user}))
        if rows:
            data[label] = [{"id": row["pk"], **row["fields"]} for row in rows]
    return data


def pseudonym_for(user: User) -> tuple[str, str, str]:
    return ("Personne", f"partie n°{user.pk}", f"partie-{user.pk}@pseudonyme.invalid")


@transaction.atomic
def pseudonymise(user: User, *, actor: User) -> User:
    """Replace a departed person's identity everywhere; their contributions stay."""
    user = User.objects.select_for_update().get(pk=user.pk)
    first, last, email = pseudonym_for(user)
    traces = {
        text: f"{first} {last}"
        for text in {f"{user.first_name} {user.last_name}", f"{user.last_name} {user.first_name}"}
        if text.strip() and len(text.strip()) > 3
    }
    traces[user.email] = email
    old_email = user.email

    touched = _scrub_text_columns(traces)
    # The apps refresh what they derived from those texts (the ideas' search vectors hold
    # the words too), in this transaction.
    texts_scrubbed.send(sender=User, rows=touched)
    # Failed logins keep the typed address in their detail; it goes too.
    AuditEvent.objects.filter(action=audit.LOGIN_FAILED, detail__username=old_email).update(
        detail={"username": email}
    )
    Notification.objects.filter(recipient=user).delete()
    _end_sessions(user)
    _forget_login_attempts(old_email)

    user.first_name, user.last_name, user.email = first, last, email
    user.job_title = ""
    user.is_active = False
    user.set_unusable_password()
    user.save()
    audit.record(audit.PERSON_PSEUDONYMISED, actor=actor, target=user)
    return user


def _scrub_text_columns(traces: dict[str, str]) -> dict[str, set]:
    """Replace each trace in every text column of every table; returns the rows touched."""
    touched: dict[str, set] = {}
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        for field in model._meta.concrete_fields:
            if not isinstance(field, TEXT_FIELDS) or field.primary_key:
                continue
            for old, new in traces.items():
                if field.max_length and len(new) > len(old):
                    # Never overflow a short column: drop the trace instead.
                    replacement = Replace(field.name, Value(old), Value(""))
                else:
                    replacement = Replace(field.name, Value(old), Value(new))
                rows = model._default_manager.filter(**{f"{field.name}__contains": old})
                pks = set(rows.values_list("pk", flat=True))
                if pks:
                    touched.setdefault(model._meta.label, set()).update(pks)
                    rows.update(**{field.name: replacement})
    return touched


def _end_sessions(user: User) -> None:
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == str(user.pk):
            # Through the session engine, whichever it is (a cached engine keeps a copy).
            import_module(settings.SESSION_ENGINE).SessionStore(session.session_key).delete()


def _forget_login_attempts(email: str) -> None:
    for label in ("axes.AccessAttempt", "axes.AccessLog", "axes.AccessFailureLog"):
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        model._default_manager.filter(Q(username__iexact=email)).delete()
