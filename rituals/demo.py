"""Demo data of the breakfast rituals (seeds 000 and 001): called by `manage.py seed_demo`.

The Somme's "Petit-déjeuner de l'innovation" every other Thursday at 8:30 in the council room
(seed 000: every 15 days an agent explains a project under way to about twenty colleagues),
with a past date whose attendance is recorded and the next date programmed with an accompanied
project; and Isère's "Partage ma passion" (seed 001), open to volunteers sharing a hobby.

Idempotent: a ritual is looked up by (organisation, title) and, once created, belongs to the
people using the demo (never reset). Dates are generated relative to the seed's anchor day, so
a second run, even on a later day, creates nothing; the daily job extends them afterwards.
Registrations are keyed on (occurrence, person), each with the first line of its history.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

import time_machine

from ideas.models import Idea
from rituals import services
from rituals.models import Occurrence, Registration, Ritual
from rituals.recurrence import HORIZON_DAYS, generate

if TYPE_CHECKING:
    from innovation.platform.demo import DemoSeeder

SOMME_TITLE = "Petit-déjeuner de l'innovation"
ISERE_TITLE = "Partage ma passion"


def _thursday_before(day: datetime.date, weeks: int) -> datetime.date:
    """A Thursday `weeks` weeks before `day`'s week, so the series has a past."""
    return day - datetime.timedelta(days=(day.weekday() - 3) % 7 + 7 * weeks)


def _dates(command: DemoSeeder, ritual: Ritual) -> list[Occurrence]:
    created = generate(ritual, ritual.starts_on, command.day(HORIZON_DAYS))
    if created:
        command.created["Occurrence"] += created
    return list(ritual.occurrences.order_by("original_date"))


def _register(command: DemoSeeder, occurrence: Occurrence, emails: list[str]) -> None:
    """Each person registers through the service, six days before the date, a few minutes
    apart (in this order: the first ones get the seats); someone already there is left."""
    base = occurrence.starts_at - datetime.timedelta(days=6)
    for rank, email in enumerate(emails):
        person = command.people[email]
        if occurrence.registrations.filter(user=person).exists():
            continue
        with time_machine.travel(base + datetime.timedelta(minutes=17 * rank), tick=False):
            services.register(occurrence, user=person)
        command.created["Registration"] += 1


def _attendance(command: DemoSeeder, occurrence: Occurrence, present: list[str]) -> None:
    """The manager ticks who came, two hours after the start, through the service (once)."""
    if occurrence.attendance_marked_at is not None:
        return
    ids = occurrence.registrations.filter(
        user__email__in=present, status=Registration.Status.CONFIRMED
    ).values_list("pk", flat=True)
    with time_machine.travel(occurrence.starts_at + datetime.timedelta(hours=2), tick=False):
        services.mark_attendance(
            occurrence, actor=occurrence.ritual.created_by, attended_ids=list(ids)
        )


def _somme(command: DemoSeeder) -> Ritual:
    somme = command.orgs["cd-somme"]
    ritual, created = command.get_or_create(
        Ritual,
        {"organisation": somme, "title": SOMME_TITLE},
        {
            "kind": Ritual.Kind.BREAKFAST,
            "description": (
                "Tous les quinze jours, un agent explique et vulgarise un projet en cours autour "
                "d'un petit-déjeuner, pour une vingtaine de collègues. Café, viennoiseries et "
                "questions bienvenues."
            ),
            "starts_on": _thursday_before(command.anchor, 6),
            "interval_days": 14,
            "weekday": Ritual.Weekday.THURSDAY,
            "start_time": datetime.time(8, 30),
            "duration_minutes": 60,
            "place": "Salle du conseil, Hôtel du Département, Amiens",
            "capacity": 20,
            "closes_hours_before": 18,
            "created_by": command.people["delegue@tremplin.example"],
        },
    )
    occurrences = _dates(command, ritual)
    if not created:
        return ritual  # the demo's visitors own it now
    past = [o for o in occurrences if o.original_date < command.anchor]
    upcoming = [o for o in occurrences if o.original_date > command.anchor]
    ideas = {
        idea.title: idea
        for idea in Idea.objects.filter(
            organisation=somme,
            title__in=[
                "L'album de vie des enfants confiés à l'ASE",
                "Un SMS de rappel la veille des consultations de PMI",
            ],
        )
    }
    if past:
        last = past[-1]
        Occurrence.objects.filter(pk=last.pk).update(
            presenter=command.people["aurelie.morel@tremplin.example"],
            idea=ideas.get("L'album de vie des enfants confiés à l'ASE"),
        )
        _register(
            command,
            last,
            [
                "nathalie.dupont@tremplin.example",
                "sandrine.roussel@tremplin.example",
                "sebastien.boulanger@tremplin.example",
                "karim.mansouri@tremplin.example",
                "encadrant@tremplin.example",
            ],
        )
        last.refresh_from_db()
        _attendance(
            command,
            last,
            [
                "nathalie.dupont@tremplin.example",
                "sandrine.roussel@tremplin.example",
                "sebastien.boulanger@tremplin.example",
                "encadrant@tremplin.example",
            ],
        )
    if upcoming:
        following = upcoming[0]
        Occurrence.objects.filter(pk=following.pk).update(
            presenter=command.people["sandrine.roussel@tremplin.example"],
            idea=ideas.get("Un SMS de rappel la veille des consultations de PMI"),
        )
        # agent@ is left unregistered, so the demo shows the one-click registration.
        _register(
            command,
            following,
            [
                "karim.mansouri@tremplin.example",
                "nathalie.dupont@tremplin.example",
                "directeur@tremplin.example",
            ],
        )
    return ritual


def _isere(command: DemoSeeder) -> Ritual:
    isere = command.orgs["isere"]
    ritual, created = command.get_or_create(
        Ritual,
        {"organisation": isere, "title": ISERE_TITLE},
        {
            "kind": Ritual.Kind.PASSION,
            "description": (
                "Des agents volontaires partagent leurs loisirs avec leurs collègues pendant la "
                "pause de midi : il suffit d'une salle et d'un peu d'enthousiasme."
            ),
            "starts_on": command.anchor,
            "interval_days": 28,
            "weekday": Ritual.Weekday.TUESDAY,
            "start_time": datetime.time(12, 15),
            "duration_minutes": 45,
            "place": "Salle Belledonne, Hôtel du Département, Grenoble",
            "capacity": 15,
            "closes_hours_before": 4,
            "created_by": command.people["delegue.isere@tremplin.example"],
        },
    )
    occurrences = _dates(command, ritual)
    if created and occurrences:
        first = occurrences[0]
        Occurrence.objects.filter(pk=first.pk).update(
            presenter=command.people["romain.gauthier@tremplin.example"],
            topic="La photographie de montagne, du Vercors à la Chartreuse",
        )
        _register(
            command,
            first,
            ["elodie.perrin@tremplin.example", "yannick.rey@tremplin.example"],
        )
    return ritual


def seed_rituals(command: DemoSeeder) -> list[Ritual]:
    """The Somme breakfast and the Isère "Partage ma passion"."""
    return [_somme(command), _isere(command)]
