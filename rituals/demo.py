"""Demo data of the breakfast rituals (seeds 000 and 001): called by `manage.py seed_demo`.

The Somme's "Petit-déjeuner de l'innovation" every other Thursday at 8:30 in the council room
(seed 000: every 15 days an agent explains a project under way to about twenty colleagues),
with a past date whose attendance is recorded and the next date programmed with an accompanied
project; and Isère's "Partage ma passion" (seed 001), open to volunteers sharing a hobby.

Written as the delegates and agents would have, through the rituals services, each action on
its day (the demo's clock): the delegate creates the series some days before its first date,
the nightly job (`recurrence.extend_horizon`, at 2:41) adds each date as it comes within the
horizon, the delegate sets a date's programme, people register, the delegate ticks who came.
Nothing is dated after the moment the seed runs: registrations for a date to come are made in
the days before that moment.

Idempotent: a ritual is looked up by (organisation, title) and, once created, belongs to the
people using the demo (never touched again, its dates extended by the nightly job).
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

import time_machine
from django.utils import timezone

from ideas.models import Idea
from rituals import recurrence, services
from rituals.models import Occurrence, Registration, Ritual

if TYPE_CHECKING:
    from innovation.platform.demo import DemoSeeder
    from innovation.platform.models import User

SOMME_TITLE = "Petit-déjeuner de l'innovation"
ISERE_TITLE = "Partage ma passion"
# When the nightly job (rituals.extend_horizons in CELERY_BEAT_SCHEDULE) runs, local time.
NIGHTLY_JOB = datetime.time(2, 41)
# People register a few minutes apart, in the order given (the first ones get the seats).
REGISTRATION_GAP = datetime.timedelta(minutes=17)


def _thursday_before(day: datetime.date, weeks: int) -> datetime.date:
    """A Thursday `weeks` weeks before `day`'s week, so the series has a past."""
    return day - datetime.timedelta(days=(day.weekday() - 3) % 7 + 7 * weeks)


def _nightly_jobs(
    command: DemoSeeder, ritual: Ritual, since: datetime.datetime, now: datetime.datetime
) -> None:
    """The nightly job on each night after `since` up to `now` that brings a new date within
    the horizon (on the other nights it writes nothing), at its hour."""
    horizon = datetime.timedelta(days=recurrence.HORIZON_DAYS)
    night = timezone.localtime(since).date() + datetime.timedelta(days=1)
    while (run := recurrence.local_start(night, NIGHTLY_JOB)) <= now:
        if recurrence.rule_dates(ritual, night + horizon, night + horizon):
            with time_machine.travel(run, tick=False):
                command.created["Occurrence"] += recurrence.extend_horizon(ritual)
        night += datetime.timedelta(days=1)


class _Series:
    """A new demo ritual, created by its delegate, its dates up to now as the nightly job
    made them; then each action on one of its dates at its moment, through the services."""

    def __init__(
        self,
        command: DemoSeeder,
        now: datetime.datetime,
        *,
        organisation: str,
        delegate: str,
        at: datetime.datetime,
        data: dict[str, Any],
    ) -> None:
        self.command = command
        self.now = now
        self.delegate = command.people[delegate]
        with time_machine.travel(at, tick=False):
            self.ritual = services.create_ritual(
                actor=self.delegate, organisation=command.orgs[organisation], data=data
            )
        command.created["Ritual"] += 1
        command.created["Occurrence"] += self.ritual.occurrences.count()
        _nightly_jobs(command, self.ritual, at, now)
        self.occurrences = list(self.ritual.occurrences.order_by("original_date"))

    def programme(
        self,
        occurrence: Occurrence,
        at: datetime.datetime,
        *,
        presenter: User,
        idea: Idea | None = None,
        topic: str = "",
    ) -> None:
        """The delegate sets who presents what on that date, as on the date's page."""
        with time_machine.travel(at, tick=False):
            services.update_occurrence(
                occurrence,
                actor=self.delegate,
                starts_at=occurrence.starts_at,
                duration_minutes=occurrence.duration_minutes,
                place=occurrence.place,
                capacity=occurrence.capacity,
                presenter=presenter,
                idea=idea,
                topic=topic,
            )

    def registration_start(self, occurrence: Occurrence, count: int) -> datetime.datetime:
        """Six days before the date; for a date soon to come, in the days before now."""
        span = REGISTRATION_GAP * count
        last = occurrence.starts_at - datetime.timedelta(days=6) + span
        while last >= self.now:
            last -= datetime.timedelta(days=1)
        return last - span

    def register(self, occurrence: Occurrence, at: datetime.datetime, emails: list[str]) -> None:
        """Each person registers through the service, `REGISTRATION_GAP` apart from `at`."""
        for rank, email in enumerate(emails):
            with time_machine.travel(at + REGISTRATION_GAP * rank, tick=False):
                services.register(occurrence, user=self.command.people[email])
            self.command.created["Registration"] += 1

    def attendance(self, occurrence: Occurrence, present: list[str]) -> None:
        """The delegate ticks who came, two hours after the start, through the service."""
        ids = occurrence.registrations.filter(
            user__email__in=present, status=Registration.Status.CONFIRMED
        ).values_list("pk", flat=True)
        at = occurrence.starts_at + datetime.timedelta(hours=2)
        with time_machine.travel(at, tick=False):
            services.mark_attendance(occurrence, actor=self.delegate, attended_ids=list(ids))


def _somme(command: DemoSeeder, now: datetime.datetime) -> Ritual:
    somme = command.orgs["cd-somme"]
    ritual = Ritual.objects.filter(organisation=somme, title=SOMME_TITLE).first()
    if ritual is not None:
        return ritual  # the demo's visitors own it now
    starts_on = _thursday_before(command.anchor, 6)
    series = _Series(
        command,
        now,
        organisation="cd-somme",
        delegate="delegue@tremplin.example",
        # Ten days before its first date, in the morning.
        at=recurrence.local_start(starts_on - datetime.timedelta(days=10), datetime.time(11, 0)),
        data={
            "title": SOMME_TITLE,
            "kind": Ritual.Kind.BREAKFAST,
            "description": (
                "Tous les quinze jours, un agent explique et vulgarise un projet en cours autour "
                "d'un petit-déjeuner, pour une vingtaine de collègues. Café, viennoiseries et "
                "questions bienvenues."
            ),
            "starts_on": starts_on,
            "interval_days": 14,
            "weekday": Ritual.Weekday.THURSDAY,
            "start_time": datetime.time(8, 30),
            "duration_minutes": 60,
            "place": "Salle du conseil, Hôtel du Département, Amiens",
            "capacity": 20,
            "closes_hours_before": 18,
        },
    )
    occurrences = series.occurrences
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
        registrants = [
            "nathalie.dupont@tremplin.example",
            "sandrine.roussel@tremplin.example",
            "sebastien.boulanger@tremplin.example",
            "karim.mansouri@tremplin.example",
            "encadrant@tremplin.example",
        ]
        registered_at = series.registration_start(last, len(registrants))
        series.programme(
            last,
            registered_at - datetime.timedelta(days=4),
            presenter=command.people["aurelie.morel@tremplin.example"],
            idea=ideas.get("L'album de vie des enfants confiés à l'ASE"),
        )
        series.register(last, registered_at, registrants)
        series.attendance(
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
        # agent@ is left unregistered, so the demo shows the one-click registration.
        registrants = [
            "karim.mansouri@tremplin.example",
            "nathalie.dupont@tremplin.example",
            "directeur@tremplin.example",
        ]
        registered_at = series.registration_start(following, len(registrants))
        series.programme(
            following,
            registered_at - datetime.timedelta(days=4),
            presenter=command.people["sandrine.roussel@tremplin.example"],
            idea=ideas.get("Un SMS de rappel la veille des consultations de PMI"),
        )
        series.register(following, registered_at, registrants)
    return series.ritual


def _isere(command: DemoSeeder, now: datetime.datetime) -> Ritual:
    isere = command.orgs["isere"]
    ritual = Ritual.objects.filter(organisation=isere, title=ISERE_TITLE).first()
    if ritual is not None:
        return ritual
    series = _Series(
        command,
        now,
        organisation="isere",
        delegate="delegue.isere@tremplin.example",
        at=command.at(12, 11),
        data={
            "title": ISERE_TITLE,
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
        },
    )
    occurrences = series.occurrences
    if occurrences:
        first = occurrences[0]
        registrants = ["elodie.perrin@tremplin.example", "yannick.rey@tremplin.example"]
        registered_at = series.registration_start(first, len(registrants))
        series.programme(
            first,
            registered_at - datetime.timedelta(days=3),
            presenter=command.people["romain.gauthier@tremplin.example"],
            topic="La photographie de montagne, du Vercors à la Chartreuse",
        )
        series.register(first, registered_at, registrants)
    return series.ritual


def seed_rituals(command: DemoSeeder) -> list[Ritual]:
    """The Somme breakfast and the Isère "Partage ma passion"."""
    now = timezone.now()
    return [_somme(command, now), _isere(command, now)]
