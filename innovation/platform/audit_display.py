"""The audit trail as people read it: each event's object by its kind and title, and its detail
in French sentences rather than the JSON stored. One place, used by the page and the CSV.

The platform imports no app above it: the models of the objects an event may target are
named by their label and found in Django's app registry (as personal_data does), and the
labels of their steps are read from their fields' choices.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from innovation.platform import audit
from innovation.platform.models import AuditEvent


@dataclass(frozen=True)
class TargetKind:
    """How to name one kind of object: its model, the fields that make its title, and the
    French phrases (each with its own gender) for the object and for its deleted row."""

    model: str  # "app_label.ModelName"
    title_fields: tuple[str, ...]
    named: Any  # lazy « Idée « %(title)s » »
    untitled: Any  # lazy « Idée n° %(id)s », for a row with an empty title
    missing: Any  # lazy « Idée n° %(id)s (supprimée) »


# Keyed by AuditEvent.target_type (the model's model_name, written by audit.record).
TARGETS: dict[str, TargetKind] = {
    "idea": TargetKind(
        "ideas.Idea",
        ("title",),
        gettext_lazy("Idée « %(title)s »"),
        gettext_lazy("Idée n° %(id)s"),
        gettext_lazy("Idée n° %(id)s (supprimée)"),
    ),
    "mandate": TargetKind(
        "ideas.Mandate",
        ("idea__title",),
        gettext_lazy("Mandat « %(title)s »"),
        gettext_lazy("Mandat n° %(id)s"),
        gettext_lazy("Mandat n° %(id)s (supprimé)"),
    ),
    "forum": TargetKind(
        "juries.Forum",
        ("title",),
        gettext_lazy("Forum « %(title)s »"),
        gettext_lazy("Forum n° %(id)s"),
        gettext_lazy("Forum n° %(id)s (supprimé)"),
    ),
    "pitch": TargetKind(
        "juries.Pitch",
        ("idea__title",),
        gettext_lazy("Pitch « %(title)s »"),
        gettext_lazy("Pitch n° %(id)s"),
        gettext_lazy("Pitch n° %(id)s (supprimé)"),
    ),
    "user": TargetKind(
        settings.AUTH_USER_MODEL,
        ("first_name", "last_name"),
        gettext_lazy("Personne « %(title)s »"),
        gettext_lazy("Personne n° %(id)s"),
        gettext_lazy("Personne n° %(id)s (supprimée)"),
    ),
}

# Keys of the detail some events point to another object with (a score's forum).
DETAIL_REFERENCES = {"forum": "forum"}

# French names of the detail's keys, for the lines written below as « clé : valeur ».
KEY_LABELS = {
    "path": gettext_lazy("Adresse"),
    "query": gettext_lazy("Filtres"),
    "method": gettext_lazy("Méthode"),
    "username": gettext_lazy("Adresse saisie"),
    "from": gettext_lazy("Avant"),
    "to": gettext_lazy("Après"),
    "decision": gettext_lazy("Décision"),
    "parties": gettext_lazy("Au titre de"),
    "terms_version": gettext_lazy("Version des conditions"),
    "forum": gettext_lazy("Forum"),
    "juror": gettext_lazy("Siège de juré·e"),
    "marks_changed": gettext_lazy("Notes modifiées"),
    "marks_withdrawn": gettext_lazy("Notes retirées"),
    "created": gettext_lazy("Personnes créées"),
    "updated": gettext_lazy("Personnes mises à jour"),
    "personnes": gettext_lazy("Personnes"),
}

# Ids the database can take (bigint); anything else in a row is shown, not looked up.
PK = re.compile(r"[0-9]{1,18}")

# The CSV reads the trail by chunks of this many rows: one title query per kind per chunk.
CHUNK = 2000


@dataclass(frozen=True)
class AuditLine:
    """One event ready to show: the row itself, its object and its detail as text."""

    event: AuditEvent
    action: str
    target: str
    detail: str


Titles = dict[tuple[str, str], str]


def describe(events: Sequence[AuditEvent]) -> list[AuditLine]:
    """The lines of these events, their objects' titles read in one query per kind."""
    titles = _titles(events)
    return [
        AuditLine(
            event=event,
            action=str(audit.LABELS.get(event.action, event.action)),
            target=_target(event, titles),
            detail=_detail(event, titles),
        )
        for event in events
    ]


def describe_all(events: Iterable[AuditEvent]) -> Iterator[AuditLine]:
    """`describe` over a long stream (the CSV), chunk by chunk, so queries stay bounded."""
    stream = iter(events)
    while chunk := list(islice(stream, CHUNK)):
        yield from describe(chunk)


def _titles(events: Sequence[AuditEvent]) -> Titles:
    wanted: dict[str, set[str]] = defaultdict(set)
    for event in events:
        target_id = _pk(event.target_id)
        if event.target_type in TARGETS and target_id:
            wanted[event.target_type].add(target_id)
        detail = event.detail if isinstance(event.detail, dict) else {}
        for key, referenced in DETAIL_REFERENCES.items():
            if pk := _pk(detail.get(key)):
                wanted[referenced].add(pk)
    titles: Titles = {}
    for kind_name, ids in sorted(wanted.items()):
        kind = TARGETS[kind_name]
        model = _model(kind.model)
        if model is None:
            continue
        rows = model._default_manager.filter(pk__in=[int(pk) for pk in ids]).values_list(
            "pk", *kind.title_fields
        )
        for pk, *parts in rows:
            titles[(kind_name, str(pk))] = " ".join(str(part) for part in parts if part)
    return titles


def _pk(value: Any) -> str | None:
    """A primary key as the trail holds it (text), if it is one the database can look up."""
    text = str(value) if isinstance(value, int | str) else ""
    return text if PK.fullmatch(text) else None


def _model(label: str) -> type[models.Model] | None:
    try:
        return apps.get_model(label)
    except LookupError:
        return None


def _object(kind_name: str, pk: str, titles: Titles) -> str:
    kind = TARGETS[kind_name]
    title = titles.get((kind_name, pk))
    if title is None:
        return str(kind.missing) % {"id": pk}
    if not title:
        return str(kind.untitled) % {"id": pk}
    return str(kind.named) % {"title": title}


def _target(event: AuditEvent, titles: Titles) -> str:
    if not event.target_id:
        return ""
    target_id = _pk(event.target_id)
    if event.target_type in TARGETS and target_id:
        return _object(event.target_type, target_id, titles)
    # A kind this module does not know yet: still said in French, with its raw name.
    return _("Objet « %(kind)s » n° %(id)s") % {
        "kind": event.target_type or "?",
        "id": event.target_id,
    }


def _choice_label(model_label: str, field: str, value: Any) -> str:
    """The label of `value` in a choice field of a model above the platform."""
    model = _model(model_label)
    if model is None:
        return str(value)
    for key, label in model._meta.get_field(field).flatchoices:  # type: ignore[union-attr]
        if key == value:
            return str(label)
    return str(value)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return _("oui") if value else _("non")
    if isinstance(value, list | tuple):
        return ", ".join(_value(item) for item in value)
    if isinstance(value, dict):
        return ", ".join(f"{key} : {_value(item)}" for key, item in value.items())
    return "" if value is None else str(value)


def _generic(detail: dict) -> list[str]:
    return [
        _("%(key)s : %(value)s") % {"key": _key_label(key), "value": _value(value)}
        for key, value in detail.items()
    ]


def _key_label(key: str) -> str:
    if key in KEY_LABELS:
        return str(KEY_LABELS[key])
    words = str(key).replace("_", " ").strip()
    return words[:1].upper() + words[1:]


# Each renderer takes the event's detail (a copy) and the titles, pops the keys it has said
# in its sentences and returns them; what it leaves is written as « clé : valeur ».
Renderer = Callable[[dict, Titles], list[str]]


def _moved(model_label: str, field: str) -> Renderer:
    def render(detail: dict, titles: Titles) -> list[str]:
        if "from" not in detail or "to" not in detail:
            return []
        return [
            _("De « %(before)s » à « %(after)s »")
            % {
                "before": _choice_label(model_label, field, detail.pop("from")),
                "after": _choice_label(model_label, field, detail.pop("to")),
            }
        ]

    return render


def _login_failed(detail: dict, titles: Titles) -> list[str]:
    if "username" not in detail:
        return []
    return [_("Adresse saisie : %(email)s") % {"email": detail.pop("username") or "—"}]


def _request(detail: dict, titles: Titles) -> list[str]:
    """A refused page or an export: what was asked for."""
    if "path" not in detail:
        return []
    method = detail.pop("method", "")
    lines = [_("Page demandée : %(path)s") % {"path": f"{method} {detail.pop('path')}".strip()}]
    query = detail.pop("query", None)
    if query:
        lines.append(_("Filtres : %(query)s") % {"query": query})
    elif query is not None:
        lines.append(_("Sans filtre"))
    return lines


def _signature(detail: dict, titles: Titles) -> list[str]:
    lines = []
    if "decision" in detail:
        label = _choice_label("ideas.Signature", "decision", detail.pop("decision"))
        lines.append(_("Décision : %(decision)s") % {"decision": label})
    if isinstance(detail.get("parties"), list):
        parties = [_choice_label("ideas.Signature", "party", p) for p in detail.pop("parties")]
        lines.append(_("Au titre de : %(parties)s") % {"parties": ", ".join(parties)})
    if "terms_version" in detail:
        lines.append(
            _("Version %(version)s des conditions") % {"version": detail.pop("terms_version")}
        )
    return lines


def _score_changed(detail: dict, titles: Titles) -> list[str]:
    lines = []
    count = detail.get("marks_changed")
    if isinstance(count, int):
        detail.pop("marks_changed")
        lines.append(
            ngettext("%(count)s note modifiée", "%(count)s notes modifiées", count)
            % {"count": count}
        )
    return [*lines, *_jury(detail, titles)]


def _recusal(detail: dict, titles: Titles) -> list[str]:
    lines = []
    count = detail.get("marks_withdrawn")
    if isinstance(count, int):
        detail.pop("marks_withdrawn")
        lines.append(
            ngettext("%(count)s note retirée", "%(count)s notes retirées", count) % {"count": count}
        )
    return [*lines, *_jury(detail, titles)]


def _jury(detail: dict, titles: Titles) -> list[str]:
    # The seat's number says no more than the actor column does: not repeated.
    detail.pop("juror", None)
    forum = _pk(detail.get("forum"))
    if forum is None:
        return []
    detail.pop("forum")
    return [_object("forum", forum, titles)]


def _imported(detail: dict, titles: Titles) -> list[str]:
    lines = []
    created, updated = detail.get("created"), detail.get("updated")
    if isinstance(created, int):
        detail.pop("created")
        lines.append(
            ngettext("%(count)s personne créée", "%(count)s personnes créées", created)
            % {"count": created}
        )
    if isinstance(updated, int):
        detail.pop("updated")
        lines.append(
            ngettext("%(count)s personne mise à jour", "%(count)s personnes mises à jour", updated)
            % {"count": updated}
        )
    return lines


def _role(detail: dict, titles: Titles) -> list[str]:
    # Written in French at the time (innovation.platform.roles): the words as they were then.
    if "rôle" not in detail:
        return []
    role = detail.pop("rôle")
    organisation = detail.pop("collectivité", "")
    line = _("Rôle « %(role)s »") % {"role": role}
    if organisation:
        line = _("Rôle « %(role)s » sur %(organisation)s") % {
            "role": role,
            "organisation": organisation,
        }
    lines = [line]
    people = detail.get("personnes")
    if isinstance(people, int):
        detail.pop("personnes")
        lines.append(
            ngettext("Pour %(count)s personne", "Pour %(count)s personnes", people)
            % {"count": people}
        )
    return lines


RENDERERS: dict[str, Renderer] = {
    audit.LOGIN_FAILED: _login_failed,
    audit.PERMISSION_DENIED: _request,
    audit.EXPORT: _request,
    audit.IDEA_MOVED: _moved("ideas.Idea", "state"),
    audit.FORUM_MOVED: _moved("juries.Forum", "stage"),
    audit.SIGNATURE: _signature,
    audit.SCORE_CHANGED: _score_changed,
    audit.RECUSAL: _recusal,
    audit.PEOPLE_IMPORTED: _imported,
    audit.ROLE_GRANTED: _role,
    audit.ROLE_REVOKED: _role,
}


def _detail(event: AuditEvent, titles: Titles) -> str:
    if not isinstance(event.detail, dict):
        return _value(event.detail)
    detail = dict(event.detail)
    renderer = RENDERERS.get(event.action)
    lines = renderer(detail, titles) if renderer else []
    return " · ".join([*lines, *_generic(detail)])
