"""Mandates (lettres de mission): draft, change terms, send for signature, sign or decline,
activation, and the end with a closing evaluation. One function per action, keyword-only
actor. `Mandate.state` changes only through `change_state`, which checks the transitions
table (ideas.mandates.transitions) and writes a `MandateEvent`. The idea moves only through
`ideas.services.move_idea`.

Signatures count for one version of the terms: any change of terms bumps `terms_version`, so
the signatures collected so far stay in the history but no longer count, and their authors
are told. The mandate becomes active, under a lock on its row, when every required party
(sponsor, client director, each agent, each agent's manager) has signed the current version.
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ideas.mandates import followups
from ideas.mandates import permissions as perms
from ideas.mandates.models import (
    FollowUpReminder,
    Mandate,
    MandateEvent,
    MandateMember,
    Signature,
)
from ideas.mandates.transitions import OPEN_STATES, InvalidTransition
from ideas.mandates.transitions import allowed_next as allowed_mandate_next
from ideas.models import Idea
from ideas.pipeline import allowed_next
from ideas.services import move_idea
from innovation.platform import audit, dates
from innovation.platform.models import Role, User
from innovation.platform.notifications import notify
from innovation.platform.permissions import has_role

PRE_INCUBATION_MONTHS = 3
MAX_FREED_HOURS_PER_WEEK = Decimal("35")

TERM_FIELDS = (
    "sponsor",
    "client_direction",
    "client_director",
    "objectives",
    "resources",
    "budget",
    "starts_on",
    "ends_on",
    "duration_reason",
    "protection_clause",
)
TEXT_FIELDS = {"objectives", "resources", "duration_reason", "protection_clause"}


@dataclass(frozen=True)
class MemberTerms:
    """One agent of the team as the delegate describes them."""

    agent: User
    manager: User
    freed_hours_per_week: Decimal


def add_months(day: datetime.date, months: int) -> datetime.date:
    """Same day `months` later, clamped to the month's end (31 Jan + 1 month = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


# --- Validation ----------------------------------------------------------------------------


def _validate(organisation_id: int, data: dict[str, Any], members: list[MemberTerms]) -> None:
    errors: dict[str, list[str]] = {}

    def error(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    sponsor = data.get("sponsor")
    if sponsor is None:
        error("sponsor", _("Un mandat a besoin d'un sponsor (élu·e ou directeur·rice général·e)."))
    elif not has_role(sponsor, organisation_id, Role.SPONSOR):
        error("sponsor", _("Cette personne n'est pas sponsor dans cette collectivité."))
    direction = data.get("client_direction")
    if direction is None:
        error("client_direction", _("Choisissez la direction cliente du projet."))
    elif direction.organisation_id != organisation_id:
        error("client_direction", _("Cette direction n'appartient pas à la collectivité."))
    director = data.get("client_director")
    if director is None:
        error("client_director", _("Indiquez qui signe pour la direction cliente."))
    elif not has_role(director, organisation_id, Role.DIRECTOR):
        error("client_director", _("Cette personne n'est pas directeur·rice dans la collectivité."))
    if not (data.get("objectives") or "").strip():
        error("objectives", _("Décrivez les objectifs du mandat."))
    if not (data.get("protection_clause") or "").strip():
        error("protection_clause", _("La clause de protection des agents ne peut pas être vide."))
    budget = data.get("budget")
    if budget is not None and budget < 0:
        error("budget", _("Le budget ne peut pas être négatif."))
    starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
    if starts_on is None:
        error("starts_on", _("Indiquez la date de début."))
    if ends_on is None:
        error("ends_on", _("Indiquez la date de fin."))
    if starts_on and ends_on:
        if ends_on <= starts_on:
            error("ends_on", _("La date de fin doit être postérieure à la date de début."))
        elif (
            ends_on > add_months(starts_on, PRE_INCUBATION_MONTHS)
            and not (data.get("duration_reason") or "").strip()
        ):
            error(
                "duration_reason",
                _(
                    "Une pré-incubation dure au plus 3 mois : expliquez pourquoi ce mandat va "
                    "jusqu'au %(date)s."
                )
                % {"date": dates.day(ends_on)},
            )
    if not members:
        error("members", _("Un mandat engage au moins un agent : ajoutez l'équipe projet."))
    seen: set[int] = set()
    for member in members:
        name = member.agent.get_full_name()
        if member.agent.pk in seen:
            error("members", _("%(name)s figure deux fois dans l'équipe.") % {"name": name})
        seen.add(member.agent.pk)
        if not has_role(member.agent, organisation_id, Role.AGENT):
            error("members", _("%(name)s n'est pas agent de cette collectivité.") % {"name": name})
        if member.manager.pk == member.agent.pk:
            error(
                "members",
                _("L'encadrant·e de %(name)s doit être une autre personne.") % {"name": name},
            )
        elif not has_role(member.manager, organisation_id, Role.MANAGER, Role.DIRECTOR):
            error(
                "members",
                _("%(manager)s n'est pas encadrant·e dans cette collectivité.")
                % {"manager": member.manager.get_full_name()},
            )
        hours = member.freed_hours_per_week
        if hours is None or hours <= 0 or hours > MAX_FREED_HOURS_PER_WEEK:
            error(
                "members",
                _(
                    "Le temps libéré de %(name)s doit être un nombre d'heures par semaine "
                    "positif, au plus 35 (une demi-journée = 3,5 h)."
                )
                % {"name": name},
            )
    if errors:
        raise ValidationError(errors)


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    values = {field: data.get(field) for field in TERM_FIELDS}
    for field in TEXT_FIELDS:
        values[field] = (values[field] or "").strip()
    return values


def _terms(values: dict[str, Any], members: list[tuple[int, int, Decimal]]) -> tuple:
    """Everything a signature commits to, comparable between two versions."""
    simple = tuple(
        getattr(value, "pk", value) if value is not None else None
        for value in (values[field] for field in TERM_FIELDS)
    )
    return simple, tuple(sorted((a, m, Decimal(h).normalize()) for a, m, h in members))


def _member_rows(mandate: Mandate, members: list[MemberTerms]) -> list[MandateMember]:
    return [
        MandateMember(
            mandate=mandate,
            agent=member.agent,
            manager=member.manager,
            freed_hours_per_week=member.freed_hours_per_week,
        )
        for member in members
    ]


def _parties(mandate: Mandate, members: list[MandateMember]) -> list[User]:
    people = [mandate.sponsor, mandate.client_director]
    for member in members:
        people += [member.agent, member.manager]
    return people


def _delegates(mandate: Mandate) -> list[User]:
    return followups.delegates_by_organisation([mandate.organisation_id]).get(
        mandate.organisation_id, []
    )


# --- The one writer of the state -------------------------------------------------------


def change_state(
    mandate: Mandate,
    *,
    to: str,
    actor: User | None,
    reason: str = "",
    fields: tuple[str, ...] = (),
    at: datetime.datetime | None = None,
) -> MandateEvent:
    """Move a mandate to `to`: the only writer of `Mandate.state`, and of its history.

    Called by the services below once they have checked permission and locked the row (and
    by the demo, on a row it locks); views call those services. `fields`: the other columns
    the caller has set and that are saved with the state. `actor` None: Tremplin itself.
    """
    if to not in allowed_mandate_next(mandate.state):
        raise InvalidTransition(mandate.state, to)
    event = MandateEvent.objects.create(
        mandate=mandate,
        actor=actor,
        before=mandate.state,
        after=to,
        reason=reason,
        created_at=at or timezone.now(),
    )
    mandate.state = to
    mandate.save(update_fields=["state", *fields, "updated_at"])
    return event


# --- Draft and terms ---------------------------------------------------------------------


@transaction.atomic
def create_mandate(
    *, actor: User, idea: Idea, data: dict[str, Any], members: list[MemberTerms]
) -> Mandate:
    """Draft a mandate for a selected or accompanied idea (delegates)."""
    idea = Idea.objects.select_for_update().get(pk=idea.pk)
    if not has_role(actor, idea.organisation_id, Role.DELEGATE):
        raise PermissionDenied
    if not perms.can_draft_mandate(actor, idea):
        raise ValidationError(
            {
                "idea": _(
                    "Un mandat se rédige pour une idée sélectionnée ou accompagnée ; celle-ci "
                    "est à l'étape « %(state)s »."
                )
                % {"state": idea.get_state_display()}
            }
        )
    values = _clean(data)
    _validate(idea.organisation_id, values, members)
    if idea.mandates.filter(state__in=OPEN_STATES).exists():
        raise ValidationError({"idea": _("Cette idée a déjà un mandat en cours.")})
    mandate = Mandate(idea=idea, organisation_id=idea.organisation_id, created_by=actor, **values)
    mandate.save()
    MandateMember.objects.bulk_create(_member_rows(mandate, members))
    return mandate


@transaction.atomic
def update_mandate_terms(
    mandate: Mandate, *, actor: User, data: dict[str, Any], members: list[MemberTerms]
) -> int:
    """Change the terms before activation; returns how many signatures this voided."""
    mandate = Mandate.objects.select_for_update().select_related("idea").get(pk=mandate.pk)
    if not perms.can_edit_mandate(actor, mandate):
        if perms.is_mandate_delegate(actor, mandate):
            raise ValidationError(
                _("Ce mandat est %(state)s : ses conditions ne peuvent plus changer.")
                % {"state": mandate.get_state_display().lower()}
            )
        raise PermissionDenied
    values = _clean(data)
    _validate(mandate.organisation_id, values, members)
    old_members = list(mandate.members.select_related("agent", "manager"))
    before = _terms(
        {field: getattr(mandate, field) for field in TERM_FIELDS},
        [(m.agent_id, m.manager_id, m.freed_hours_per_week) for m in old_members],
    )
    after = _terms(values, [(m.agent.pk, m.manager.pk, m.freed_hours_per_week) for m in members])
    if before == after:
        return 0
    old_version = mandate.terms_version
    voided = list(mandate.signatures.filter(terms_version=old_version).select_related("signer"))
    for field, value in values.items():
        setattr(mandate, field, value)
    mandate.terms_version = old_version + 1
    mandate.save()
    mandate.members.all().delete()
    new_members = MandateMember.objects.bulk_create(_member_rows(mandate, members))
    if mandate.state == Mandate.State.AWAITING_SIGNATURES or voided:
        body = _(
            "Les conditions du mandat « %(title)s » ont été modifiées (version %(version)s)."
        ) % {"title": mandate.idea.title, "version": mandate.terms_version}
        if voided:
            body += " " + _(
                "Les signatures déjà recueillies sont annulées : chaque partie doit relire "
                "et signer à nouveau."
            )
        notify(
            [*_parties(mandate, new_members), *(signature.signer for signature in voided)],
            kind="mandate_terms_changed",
            subject=_("Mandat « %(title)s » modifié : signature à renouveler")
            % {"title": mandate.idea.title},
            body=body,
            url=mandate.get_absolute_url(),
            exclude=actor,
        )
    return len(voided)


@transaction.atomic
def send_for_signature(mandate: Mandate, *, actor: User) -> Mandate:
    """Ask every required party to sign the current terms."""
    mandate = Mandate.objects.select_for_update().select_related("idea").get(pk=mandate.pk)
    if not perms.can_send_for_signature(actor, mandate):
        if perms.is_mandate_delegate(actor, mandate):
            raise ValidationError(_("Ce mandat a déjà été envoyé pour signature."))
        raise PermissionDenied
    mandate.sent_for_signature_at = timezone.now()
    change_state(
        mandate,
        to=Mandate.State.AWAITING_SIGNATURES,
        actor=actor,
        fields=("sent_for_signature_at",),
    )
    members = list(mandate.members.select_related("agent", "manager"))
    notify(
        _parties(mandate, members),
        kind="mandate_to_sign",
        subject=_("Mandat à signer : « %(title)s »") % {"title": mandate.idea.title},
        body=_(
            "Vous êtes partie au mandat du projet « %(title)s ». Relisez-le, puis signez-le ou "
            "refusez-le en expliquant pourquoi : il devient actif quand toutes les parties "
            "l'ont signé."
        )
        % {"title": mandate.idea.title},
        url=mandate.get_absolute_url(),
        exclude=actor,
    )
    return mandate


# --- Signatures and activation -------------------------------------------------------------


@transaction.atomic
def sign_mandate(
    mandate: Mandate, *, signer: User, decision: str, comment: str = ""
) -> list[Signature]:
    """Sign (or decline) the current terms, for oneself only, in every party one holds."""
    mandate = (
        Mandate.objects.select_for_update()
        .select_related("idea", "sponsor", "client_director")
        .get(pk=mandate.pk)
    )
    members = list(mandate.members.select_related("agent", "manager"))
    parties = perms.parties_of(signer, mandate, members)
    if not parties:
        raise PermissionDenied
    if mandate.state != Mandate.State.AWAITING_SIGNATURES:
        raise ValidationError(
            _("Ce mandat n'attend pas de signature (%(state)s).")
            % {"state": mandate.get_state_display().lower()}
        )
    if decision not in Signature.Decision.values:
        raise ValidationError({"decision": _("Choisissez : signer ou refuser.")})
    comment = comment.strip()
    if decision == Signature.Decision.DECLINED and not comment:
        raise ValidationError(
            {
                "comment": _(
                    "Expliquez votre refus : la délégation en a besoin pour revoir le mandat."
                )
            }
        )
    answered = set(
        mandate.signatures.filter(signer=signer, terms_version=mandate.terms_version).values_list(
            "party", flat=True
        )
    )
    todo = [party for party in parties if party not in answered]
    if not todo:
        raise ValidationError(
            _("Vous avez déjà répondu à cette version du mandat : votre réponse est enregistrée.")
        )
    now = timezone.now()
    try:
        with transaction.atomic():
            signatures = Signature.objects.bulk_create(
                [
                    Signature(
                        mandate=mandate,
                        signer=signer,
                        party=party,
                        terms_version=mandate.terms_version,
                        decision=decision,
                        comment=comment,
                        created_at=now,
                    )
                    for party in todo
                ]
            )
    except IntegrityError:  # the lock makes this unreachable; the constraint is the last word
        raise ValidationError(_("Vous avez déjà répondu à cette version du mandat.")) from None
    audit.record(
        audit.SIGNATURE,
        actor=signer,
        target=mandate,
        detail={"decision": decision, "parties": todo, "terms_version": mandate.terms_version},
    )
    if decision == Signature.Decision.DECLINED:
        notify(
            [*_delegates(mandate), mandate.created_by],
            kind="mandate_declined",
            subject=_("Mandat « %(title)s » refusé par %(name)s")
            % {"title": mandate.idea.title, "name": signer.get_full_name()},
            body=_("Motif : %(comment)s\n\nModifiez le mandat pour le soumettre à nouveau.")
            % {"comment": comment},
            url=mandate.get_absolute_url(),
            exclude=signer,
        )
        return signatures
    required = perms.required_parties(mandate, members)
    signed = set(
        mandate.signatures.filter(
            terms_version=mandate.terms_version, decision=Signature.Decision.SIGNED
        ).values_list("signer_id", "party")
    )
    if required <= signed:
        _activate(mandate, members)
    return signatures


def _pipeline_actor(mandate: Mandate) -> User | None:
    """The delegate in whose name the idea moves when the last party signs."""
    if has_role(mandate.created_by, mandate.organisation_id, Role.DELEGATE):
        return mandate.created_by
    return next(iter(_delegates(mandate)), None)


def _activate(mandate: Mandate, members: list[MandateMember]) -> None:
    # Nobody decides it: Tremplin activates the mandate once the last party has signed.
    mandate.activated_at = timezone.now()
    change_state(
        mandate,
        to=Mandate.State.ACTIVE,
        actor=None,
        reason=_("Toutes les parties ont signé la version %(version)s des conditions.")
        % {"version": mandate.terms_version},
        fields=("activated_at",),
    )
    followups.create_followups(mandate)
    actor = _pipeline_actor(mandate)
    if mandate.idea.state == Idea.State.SELECTED and actor is not None:
        move_idea(
            mandate.idea,
            to=Idea.State.ACCOMPANIED,
            actor=actor,
            reason=_(
                "Mandat signé par toutes les parties : accompagnement du %(start)s au %(end)s."
            )
            % {
                "start": dates.day(mandate.starts_on),
                "end": dates.day(mandate.ends_on),
            },
        )
    first = mandate.followups.order_by("due_on").first()
    body = _("Toutes les parties ont signé : le mandat « %(title)s » est actif.") % {
        "title": mandate.idea.title
    }
    if first:
        body += " " + _("Premier point d'étape le %(date)s.") % {
            "date": dates.long_day(first.due_on)
        }
    notify(
        [*_parties(mandate, members), *_delegates(mandate)],
        kind="mandate_active",
        subject=_("Mandat actif : « %(title)s »") % {"title": mandate.idea.title},
        body=body,
        url=mandate.get_absolute_url(),
    )


# --- The end -------------------------------------------------------------------------------

IDEA_OUTCOMES: dict[str, tuple[str, ...]] = {
    Mandate.State.COMPLETED: (Idea.State.EXPERIMENTING, Idea.State.DEPLOYED),
    Mandate.State.STOPPED: (Idea.State.ABANDONED,),
}


def _path_to(state: str, target: str) -> list[str] | None:
    """The steps from `state` to `target` along the pipeline (at most two), or None."""
    if target in allowed_next(state):
        return [target]
    # Only forward through experimentation: never reopen an exit to reach a target.
    step = Idea.State.EXPERIMENTING
    if step in allowed_next(state) and target in allowed_next(step):
        return [step, target]
    return None


@transaction.atomic
def end_mandate(
    mandate: Mandate,
    *,
    actor: User,
    outcome: str,
    evaluation: str,
    idea_state: str = "",
) -> Mandate:
    """Close an active mandate (completed or stopped) and move the idea accordingly."""
    mandate = Mandate.objects.select_for_update().select_related("idea").get(pk=mandate.pk)
    if not perms.can_end_mandate(actor, mandate):
        if perms.is_mandate_delegate(actor, mandate):
            raise ValidationError(
                _("Seul un mandat actif peut être clos ; celui-ci est %(state)s.")
                % {"state": mandate.get_state_display().lower()}
            )
        raise PermissionDenied
    errors: dict[str, str] = {}
    evaluation = evaluation.strip()
    if outcome not in IDEA_OUTCOMES:
        errors["outcome"] = _("Choisissez : mandat terminé ou arrêté.")
    if not evaluation:
        errors["evaluation"] = _("Rédigez l'évaluation de clôture : ce qui a marché, ce qui reste.")
    if outcome == Mandate.State.STOPPED:
        idea_state = Idea.State.ABANDONED
    elif outcome == Mandate.State.COMPLETED and idea_state not in ("", *IDEA_OUTCOMES[outcome]):
        errors["idea_state"] = _("Choisissez la suite du projet dans la liste.")
    steps: list[str] = []
    if not errors and idea_state and mandate.idea.state != idea_state:
        steps = _path_to(mandate.idea.state, idea_state) or []
        if not steps:
            errors["idea_state"] = _(
                "L'idée est à l'étape « %(state)s » : elle ne peut pas passer à « %(to)s »."
            ) % {"state": mandate.idea.get_state_display(), "to": Idea.State(idea_state).label}
    if errors:
        raise ValidationError(errors)
    mandate.ended_at = timezone.now()
    mandate.ended_by = actor
    mandate.closing_evaluation = evaluation
    change_state(
        mandate,
        to=outcome,
        actor=actor,
        reason=evaluation,
        fields=("ended_at", "ended_by", "closing_evaluation"),
    )
    FollowUpReminder.objects.filter(
        followup__mandate=mandate, state=FollowUpReminder.State.PENDING
    ).update(state=FollowUpReminder.State.SKIPPED)
    for step in steps:
        move_idea(mandate.idea, to=step, actor=actor, reason=evaluation)
    members = list(mandate.members.select_related("agent", "manager"))
    notify(
        _parties(mandate, members),
        kind="mandate_ended",
        subject=_("Mandat « %(title)s » : %(state)s")
        % {"title": mandate.idea.title, "state": mandate.get_state_display().lower()},
        body=_("Évaluation de clôture :\n%(evaluation)s") % {"evaluation": evaluation},
        url=mandate.get_absolute_url(),
        exclude=actor,
    )
    return mandate
