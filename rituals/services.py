"""Every write that matters about rituals: one function per action, keyword-only actor.

Seats: every change to who holds a seat of an occurrence locks that occurrence's row first
(`SELECT ... FOR UPDATE`), counts the confirmed registrations, then writes. Simultaneous clicks
therefore queue on the lock and see each other's seats: never more confirmed than capacity,
and the waiting list keeps the order in which people got the lock.

Statuses: `_create_registration` and `_move_registration` are the only writers of
`Registration.status`; both check rituals/transitions.py and write a `RegistrationEvent`, under
the occurrence's lock their caller holds.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ideas.models import Idea
from innovation.platform import dates
from innovation.platform.models import Organisation, User
from innovation.platform.notifications import notify
from rituals import permissions, recurrence, transitions
from rituals.models import CalendarToken, Occurrence, Registration, RegistrationEvent, Ritual

RITUAL_FIELDS = (
    "title",
    "kind",
    "description",
    "starts_on",
    "interval_days",
    "weekday",
    "start_time",
    "duration_minutes",
    "place",
    "capacity",
    "closes_hours_before",
    "active",
)
# Changing one of these changes which dates the rule gives, or their time.
RULE_FIELDS = ("starts_on", "interval_days", "weekday", "start_time", "duration_minutes")
PRESENTABLE_STATES = (
    Idea.State.SELECTED,
    Idea.State.ACCOMPANIED,
    Idea.State.EXPERIMENTING,
    Idea.State.DEPLOYED,
)


def when(moment: datetime.datetime) -> str:
    """'jeudi 12 mars 2026 à 8 h 30', in the local time zone."""
    return dates.long_moment(moment)


def _check_ritual_values(ritual: Ritual) -> None:
    errors: dict[str, str] = {}
    if ritual.interval_days is None or ritual.interval_days <= 0:
        errors["interval_days"] = _("L'intervalle doit être d'au moins un jour.")
    if ritual.capacity is None or ritual.capacity <= 0:
        errors["capacity"] = _("Il faut au moins une place.")
    if ritual.duration_minutes is None or ritual.duration_minutes <= 0:
        errors["duration_minutes"] = _("La durée doit être d'au moins une minute.")
    if not (ritual.place or "").strip():
        errors["place"] = _("Indiquez le lieu.")
    if errors:
        raise ValidationError(errors)


# --- Rituals ------------------------------------------------------------------------------


@transaction.atomic
def create_ritual(
    *,
    actor: User,
    organisation: Organisation,
    data: dict[str, Any],
    shared_with: Iterable[Organisation] = (),
) -> Ritual:
    """Create a ritual and generate its dates up to the horizon."""
    if organisation.pk not in permissions.ritual_organisation_ids(actor):
        raise PermissionDenied
    ritual = Ritual(organisation=organisation, created_by=actor)
    for field in RITUAL_FIELDS:
        if field in data:
            setattr(ritual, field, data[field])
    _check_ritual_values(ritual)
    ritual.save()
    ritual.shared_with.set([org for org in shared_with if org.pk != organisation.pk])
    recurrence.extend_horizon(ritual)
    return ritual


def _untouched_upcoming(ritual: Ritual, now: datetime.datetime):
    """Upcoming dates nobody has acted on yet: no registration ever, no programme, not moved,
    not cancelled, nothing overridden. Only those may be regenerated from a new rule."""
    return Occurrence.objects.filter(
        ritual=ritual,
        starts_at__gt=now,
        cancelled_at__isnull=True,
        sequence=0,
        presenter__isnull=True,
        idea__isnull=True,
        topic="",
        place="",
        capacity__isnull=True,
        registrations__isnull=True,
    )


@transaction.atomic
def update_ritual(
    ritual: Ritual,
    *,
    actor: User,
    data: dict[str, Any],
    shared_with: Iterable[Organisation] | None = None,
) -> Ritual:
    """Edit a ritual. A new rule regenerates the upcoming dates nobody has acted on; dates with
    registrants or a programme are kept as they are (the delegate moves or cancels them one by
    one, and registrants are told). A new capacity applies to every date that has none of its
    own, and fills their seats from the waiting list."""
    ritual = Ritual.objects.select_for_update().get(pk=ritual.pk)
    if not permissions.can_manage_ritual(actor, ritual):
        raise PermissionDenied
    before = {field: getattr(ritual, field) for field in RITUAL_FIELDS}
    for field in RITUAL_FIELDS:
        if field in data:
            setattr(ritual, field, data[field])
    _check_ritual_values(ritual)
    ritual.save()
    if shared_with is not None:
        ritual.shared_with.set([org for org in shared_with if org.pk != ritual.organisation_id])
    now = timezone.now()
    rule_changed = any(before[field] != getattr(ritual, field) for field in RULE_FIELDS)
    if rule_changed or not ritual.active:
        _untouched_upcoming(ritual, now).delete()
    if before["place"] != ritual.place:
        # Calendars that imported a date must see its new place.
        Occurrence.objects.filter(ritual=ritual, starts_at__gt=now, place="").update(
            sequence=F("sequence") + 1
        )
    if ritual.capacity > before["capacity"]:
        upcoming = Occurrence.objects.filter(
            ritual=ritual, starts_at__gt=now, cancelled_at__isnull=True, capacity__isnull=True
        ).values_list("pk", flat=True)
        for occurrence_id in upcoming:
            _fill_seats(_locked(occurrence_id))
    recurrence.extend_horizon(ritual, now=now)
    return ritual


# --- Occurrences --------------------------------------------------------------------------


def _locked(occurrence_id: int) -> Occurrence:
    """The occurrence row, locked for the rest of the transaction (not its ritual's row)."""
    return (
        Occurrence.objects.select_for_update(of=("self",))
        .select_related("ritual")
        .get(pk=occurrence_id)
    )


def _active(occurrence: Occurrence):
    return occurrence.registrations.exclude(status=Registration.Status.CANCELLED)


def _people(registrations) -> list[User]:
    return [registration.user for registration in registrations.select_related("user")]


def _create_registration(
    occurrence: Occurrence, *, user: User, status: str, actor: User | None, at: datetime.datetime
) -> Registration:
    """Create a registration and the first line of its history. The caller holds the
    occurrence's lock."""
    transitions.check(transitions.NEW, status)
    registration = Registration.objects.create(
        occurrence=occurrence, user=user, status=status, created_at=at
    )
    RegistrationEvent.objects.create(
        registration=registration, actor=actor, before=transitions.NEW, after=status, created_at=at
    )
    return registration


def _move_registration(
    registration: Registration,
    *,
    to: str,
    actor: User | None,
    at: datetime.datetime,
    fields: tuple[str, ...] = (),
    reason: str = "",
) -> Registration:
    """Change a registration's status, with its history row; `fields` are the other columns
    the caller set on it. The caller holds the occurrence's lock (no actor: Tremplin did it)."""
    transitions.check(registration.status, to)
    RegistrationEvent.objects.create(
        registration=registration,
        actor=actor,
        before=registration.status,
        after=to,
        reason=reason,
        created_at=at,
    )
    registration.status = to
    registration.save(update_fields=["status", *fields])
    return registration


def _fill_seats(occurrence: Occurrence) -> list[Registration]:
    """Promote waiting people, first come first served, while seats are free; each is told.
    The caller holds the occurrence's lock. Never un-confirms anyone: if the capacity went
    below the confirmed count, the list just waits until enough people cancel."""
    if occurrence.is_cancelled or occurrence.is_past():
        return []
    confirmed = occurrence.registrations.filter(status=Registration.Status.CONFIRMED).count()
    free = occurrence.effective_capacity - confirmed
    if free <= 0:
        return []
    promoted = list(
        occurrence.registrations.filter(status=Registration.Status.WAITING)
        .select_related("user")
        .order_by("created_at", "id")[:free]
    )
    now = timezone.now()
    for registration in promoted:
        registration.promoted_at = now
        _move_registration(
            registration,
            to=Registration.Status.CONFIRMED,
            actor=None,
            at=now,
            fields=("promoted_at",),
        )
        notify(
            [registration.user],
            kind="ritual_promoted",
            subject=_("Une place s'est libérée : vous êtes inscrit·e"),
            body=_(
                "Une place s'est libérée pour « %(title)s » le %(when)s (%(place)s) : "
                "vous passez de la liste d'attente aux inscrit·es. Si vous ne pouvez plus venir, "
                "désinscrivez-vous pour laisser la place à la personne suivante."
            )
            % {
                "title": occurrence.ritual.title,
                "when": when(occurrence.starts_at),
                "place": occurrence.effective_place,
            },
            url=occurrence.get_absolute_url(),
        )
    return promoted


@transaction.atomic
def update_occurrence(
    occurrence: Occurrence,
    *,
    actor: User,
    starts_at: datetime.datetime,
    duration_minutes: int,
    place: str,
    capacity: int | None,
    presenter: User | None,
    idea: Idea | None,
    topic: str,
) -> Occurrence:
    """Move a date, change its place or capacity, set its programme. Registrants are told when
    the time or place changes; a higher capacity promotes waiting people in order; a lower one
    never removes anyone already confirmed."""
    occurrence = _locked(occurrence.pk)
    ritual = occurrence.ritual
    if not permissions.can_manage_ritual(actor, ritual):
        raise PermissionDenied
    errors: dict[str, str] = {}
    if occurrence.is_cancelled:
        errors["__all__"] = _("Cette séance est annulée : elle ne peut plus être modifiée.")
    if capacity is not None and capacity <= 0:
        errors["capacity"] = _("Il faut au moins une place.")
    if duration_minutes is None or duration_minutes <= 0:
        errors["duration_minutes"] = _("La durée doit être d'au moins une minute.")
    if presenter is not None and not permissions.may_present(presenter, ritual):
        errors["presenter"] = _(
            "%(name)s n'appartient pas à une collectivité invitée à cette série : "
            "choisissez une personne de %(organisation)s ou partagez la série."
        ) % {"name": presenter.get_full_name(), "organisation": ritual.organisation}
    if idea is not None and (
        idea.organisation_id not in permissions.audience_ids(ritual)
        or idea.state == Idea.State.DRAFT
    ):
        errors["idea"] = _("Ce projet n'appartient pas aux collectivités de cette série.")
    if errors:
        raise ValidationError(errors)

    place = place.strip()
    if place == ritual.place:
        place = ""
    if capacity == ritual.capacity:
        capacity = None
    old_start, old_place = occurrence.starts_at, occurrence.effective_place
    moved = starts_at != old_start or duration_minutes != occurrence.duration_minutes
    occurrence.starts_at = starts_at
    occurrence.duration_minutes = duration_minutes
    occurrence.place = place
    occurrence.capacity = capacity
    occurrence.presenter = presenter
    occurrence.idea = idea
    occurrence.topic = topic.strip()
    relocated = occurrence.effective_place != old_place
    if moved or relocated:
        occurrence.sequence += 1
    if starts_at != old_start:
        occurrence.reminded_at = None  # the reminder is due again, the day before the new date
    occurrence.save()

    if moved or relocated:
        changes = []
        if starts_at != old_start:
            changes.append(
                _("Nouvelle date : %(new)s (au lieu du %(old)s).")
                % {"new": when(starts_at), "old": when(old_start)}
            )
        if relocated:
            changes.append(_("Nouveau lieu : %(place)s.") % {"place": occurrence.effective_place})
        notify(
            _people(_active(occurrence)),
            kind="ritual_changed",
            subject=_("« %(title)s » : la séance change") % {"title": ritual.title},
            body=" ".join(changes)
            + "\n\n"
            + _(
                "Votre inscription est conservée ; si vous ne pouvez plus venir, désinscrivez-vous."
            ),
            url=occurrence.get_absolute_url(),
            exclude=actor,
        )
    _fill_seats(occurrence)
    return occurrence


@transaction.atomic
def cancel_occurrence(occurrence: Occurrence, *, actor: User, reason: str) -> Occurrence:
    """Cancel a date with a reason; everyone registered or waiting is told."""
    occurrence = _locked(occurrence.pk)
    if not permissions.can_manage_ritual(actor, occurrence.ritual):
        raise PermissionDenied
    reason = reason.strip()
    if occurrence.is_cancelled:
        raise ValidationError(_("Cette séance est déjà annulée."))
    if not reason:
        raise ValidationError({"reason": _("Indiquez le motif : les inscrit·es le liront.")})
    occurrence.cancelled_at = timezone.now()
    occurrence.cancel_reason = reason
    occurrence.sequence += 1
    occurrence.save(update_fields=["cancelled_at", "cancel_reason", "sequence", "updated_at"])
    notify(
        _people(_active(occurrence)),
        kind="ritual_cancelled",
        subject=_("Séance annulée : « %(title)s » du %(when)s")
        % {"title": occurrence.ritual.title, "when": when(occurrence.starts_at)},
        body=_("La séance du %(when)s est annulée. Motif : %(reason)s")
        % {"when": when(occurrence.starts_at), "reason": reason},
        url=occurrence.get_absolute_url(),
        exclude=actor,
    )
    return occurrence


# --- Registrations ------------------------------------------------------------------------


@transaction.atomic
def register(occurrence: Occurrence, *, user: User) -> Registration:
    """Take a seat, or a place at the end of the waiting list when the date is full."""
    occurrence = _locked(occurrence.pk)
    if not permissions.can_register(user, occurrence):
        raise PermissionDenied
    now = timezone.now()
    if occurrence.is_cancelled:
        raise ValidationError(_("Cette séance est annulée : les inscriptions sont fermées."))
    if not occurrence.is_open(now):
        raise ValidationError(
            _("Les inscriptions sont closes depuis le %(when)s.")
            % {"when": when(occurrence.registration_closes_at)}
        )
    current = _active(occurrence).filter(user=user).first()
    if current is not None:
        if current.status == Registration.Status.CONFIRMED:
            raise ValidationError(_("Vous êtes déjà inscrit·e à cette séance."))
        raise ValidationError(_("Vous êtes déjà sur la liste d'attente de cette séance."))
    confirmed = occurrence.registrations.filter(status=Registration.Status.CONFIRMED).count()
    status = (
        Registration.Status.CONFIRMED
        if confirmed < occurrence.effective_capacity
        else Registration.Status.WAITING
    )
    try:
        with transaction.atomic():
            return _create_registration(occurrence, user=user, status=status, actor=user, at=now)
    except IntegrityError:  # unreachable under the lock; kept as the database's last word
        raise ValidationError(_("Vous êtes déjà inscrit·e à cette séance.")) from None


@transaction.atomic
def unregister(occurrence: Occurrence, *, user: User) -> Registration | None:
    """Give up one's seat or place in line; a freed seat goes to the first person waiting."""
    occurrence = _locked(occurrence.pk)
    current = _active(occurrence).filter(user=user).first()
    if current is None:
        return None  # a second click, or another tab: nothing left to cancel
    if occurrence.is_past():
        raise ValidationError(_("La séance a commencé : il n'est plus possible de se désinscrire."))
    was_confirmed = current.status == Registration.Status.CONFIRMED
    current.cancelled_at = timezone.now()
    _move_registration(
        current,
        to=Registration.Status.CANCELLED,
        actor=user,
        at=current.cancelled_at,
        fields=("cancelled_at",),
    )
    if was_confirmed:
        _fill_seats(occurrence)
    return current


def waiting_position(registration: Registration) -> int:
    """1 for the first person in line."""
    ahead = (
        Registration.objects.filter(
            occurrence_id=registration.occurrence_id, status=Registration.Status.WAITING
        )
        .filter(
            Q(created_at__lt=registration.created_at)
            | Q(created_at=registration.created_at, id__lt=registration.pk)
        )
        .count()
    )
    return ahead + 1


@transaction.atomic
def mark_attendance(occurrence: Occurrence, *, actor: User, attended_ids: Iterable[int]) -> int:
    """Record who came among the confirmed registrants; returns how many were present."""
    occurrence = _locked(occurrence.pk)
    if not permissions.can_manage_ritual(actor, occurrence.ritual):
        raise PermissionDenied
    if occurrence.is_cancelled:
        raise ValidationError(_("Cette séance a été annulée : pas de présences à noter."))
    if not occurrence.is_past():
        raise ValidationError(_("Les présences se notent une fois la séance commencée."))
    confirmed = occurrence.registrations.filter(status=Registration.Status.CONFIRMED)
    wanted = set(attended_ids)
    present = confirmed.filter(pk__in=wanted).update(attended=True)
    confirmed.exclude(pk__in=wanted).update(attended=False)
    occurrence.attendance_marked_at = timezone.now()
    occurrence.save(update_fields=["attendance_marked_at", "updated_at"])
    return present


# --- Reminders ----------------------------------------------------------------------------

REMINDER_LEAD = datetime.timedelta(hours=24)


def reminder_key(occurrence: Occurrence) -> str:
    """One reminder per person per date; a moved date (higher sequence) gets a new one."""
    key = f"occurrence:{occurrence.pk}:reminder"
    return key if occurrence.sequence == 0 else f"{key}:{occurrence.sequence}"


def send_reminders(*, now: datetime.datetime | None = None) -> int:
    """Remind confirmed registrants of the dates starting within a day; returns the number of
    dates handled. Safe when beat runs twice: a date is claimed with SKIP LOCKED and flagged,
    and the notification's dedupe key stops a second row (so a second e-mail) per person."""
    now = now or timezone.now()
    due = list(
        Occurrence.objects.filter(
            reminded_at__isnull=True,
            cancelled_at__isnull=True,
            starts_at__gt=now,
            starts_at__lte=now + REMINDER_LEAD,
        ).values_list("pk", flat=True)
    )
    return sum(1 for occurrence_id in due if _remind(occurrence_id, now))


@transaction.atomic
def _remind(occurrence_id: int, now: datetime.datetime) -> bool:
    occurrence = (
        Occurrence.objects.select_for_update(of=("self",), skip_locked=True)
        .select_related("ritual")
        .filter(pk=occurrence_id, reminded_at__isnull=True, cancelled_at__isnull=True)
        .first()
    )
    if occurrence is None:
        return False  # another worker has it, or it is done
    confirmed = occurrence.registrations.filter(status=Registration.Status.CONFIRMED)
    body = _("Rendez-vous le %(when)s, %(place)s.") % {
        "when": when(occurrence.starts_at),
        "place": occurrence.effective_place,
    }
    if occurrence.subject:
        body += "\n" + _("Au programme : %(subject)s.") % {"subject": occurrence.subject}
    body += "\n\n" + _(
        "Un empêchement ? Désinscrivez-vous : la première personne en liste d'attente prendra "
        "votre place."
    )
    notify(
        _people(confirmed),
        kind="ritual_reminder",
        subject=_("Demain : « %(title)s »") % {"title": occurrence.ritual.title},
        body=body,
        url=occurrence.get_absolute_url(),
        dedupe_key=reminder_key(occurrence),
    )
    occurrence.reminded_at = now
    occurrence.save(update_fields=["reminded_at"])
    return True


# --- Calendar tokens ----------------------------------------------------------------------


def calendar_token(user: User) -> CalendarToken:
    """The person's calendar key, created on first use."""
    token, _created = CalendarToken.objects.get_or_create(user=user)
    return token


@transaction.atomic
def regenerate_calendar_token(*, user: User) -> CalendarToken:
    """Replace the key: feed URLs shared or leaked so far stop working."""
    token = calendar_token(user)
    token = CalendarToken.objects.select_for_update().get(pk=token.pk)
    token.token = CalendarToken._meta.get_field("token").get_default()
    token.created_at = timezone.now()
    token.save(update_fields=["token", "created_at"])
    return token
