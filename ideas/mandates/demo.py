"""Demo mandates for `manage.py seed_demo` (Somme): one active, one awaiting signatures.

Written as their people would have, through the services the mandate pages call, each action
on its day (the demo's clock): the delegate drafts the mandate with its team and sends it for
signature, each party signs in turn, Tremplin activates the mandate (and creates its
follow-ups) when the last one has signed, the agent records the first follow-up. So a demo
mandate has the history, audit lines and notifications of a real one.

Idempotent like the rest of the demo: a mandate is looked up by its idea; once created it
belongs to the people using the demo (their signatures, follow-ups) and is left as they made
it. Dates are relative to the command's anchor, so a later run changes nothing.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import time_machine

from ideas.mandates import followups, services
from ideas.mandates.models import DEFAULT_PROTECTION_CLAUSE, FollowUp, Mandate, Signature
from ideas.models import Idea

if TYPE_CHECKING:
    from innovation.platform.demo import DemoSeeder
    from innovation.platform.models import User

SOMME = "cd-somme"
SOL = "DGA Solidarités et insertion"
ACTIVE_IDEA = "Un SMS de rappel la veille des consultations de PMI"
AWAITING_IDEA = "Un livret d'accueil numérique pour les nouveaux agents"
HALF_DAY = Decimal("3.5")


def _at(moment: datetime.datetime):
    return time_machine.travel(moment, tick=False)


def _draft(
    command: DemoSeeder,
    idea: Idea,
    *,
    at: datetime.datetime,
    sent_at: datetime.datetime,
    terms: dict[str, Any],
    team: list[User],
) -> Mandate:
    """The delegate drafts the mandate with its team, then sends it for signature."""
    people = command.people
    delegate = people["delegue@tremplin.example"]
    data = {
        "sponsor": people["sponsor@tremplin.example"],
        "client_direction": command.directions[(SOMME, SOL, "Action sociale de proximité")],
        "client_director": people["directeur@tremplin.example"],
        "duration_reason": "",
        "protection_clause": DEFAULT_PROTECTION_CLAUSE,
        **terms,
    }
    manager = people["encadrant@tremplin.example"]
    members = [services.MemberTerms(agent, manager, HALF_DAY) for agent in team]
    with _at(at):
        mandate = services.create_mandate(actor=delegate, idea=idea, data=data, members=members)
    with _at(sent_at):
        mandate = services.send_for_signature(mandate, actor=delegate)
    command.created["Mandate"] += 1
    return mandate


def _sign(
    command: DemoSeeder, mandate: Mandate, signer: str, at: datetime.datetime, comment: str = ""
) -> None:
    with _at(at):
        signatures = services.sign_mandate(
            mandate,
            signer=command.people[signer],
            decision=Signature.Decision.SIGNED,
            comment=comment,
        )
    command.created["Signature"] += len(signatures)


def _active(command: DemoSeeder, idea: Idea) -> None:
    """Active since 80 days: the first follow-up held, the second due in four days."""
    start = command.day(-80)
    mandate = _draft(
        command,
        idea,
        at=command.at(86, 10),
        sent_at=command.at(85, 11),
        terms={
            "objectives": (
                "Tester pendant trois mois un SMS de rappel la veille des consultations dans "
                "deux centres de PMI d'Amiens ; mesurer les rendez-vous non honorés avant et "
                "après ; décider d'une généralisation."
            ),
            "resources": (
                "Appui de la Direction du numérique (paramétrage de l'outil d'envoi) ; "
                "abonnement SMS ; une salle de réunion le mardi matin."
            ),
            "budget": Decimal("1800.00"),
            "starts_on": start,
            "ends_on": services.add_months(start, services.PRE_INCUBATION_MONTHS),
        },
        team=[command.people["agent@tremplin.example"]],
    )
    # The manager signs last: Tremplin activates the mandate and creates its follow-ups.
    for email, days_ago in (
        ("agent@tremplin.example", 85),
        ("directeur@tremplin.example", 84),
        ("sponsor@tremplin.example", 83),
        ("encadrant@tremplin.example", 82),
    ):
        _sign(command, mandate, email, command.at(days_ago, 15))
    first = FollowUp.objects.get(mandate=mandate, number=1)
    member = mandate.members.get()
    with _at(command.at(37, 11)):
        followups.record_followup(
            first,
            actor=command.people["agent@tremplin.example"],
            data={
                "indicator": FollowUp.Indicator.ON_TRACK,
                "progress": (
                    "Outil d'envoi paramétré ; premiers SMS envoyés au centre de PMI "
                    "d'Amiens-Nord depuis trois semaines."
                ),
                "blockers": "Les numéros de téléphone manquent pour un dossier sur cinq.",
                "decisions": "Demander le numéro à chaque prise de rendez-vous.",
                "next_steps": "Étendre au second centre ; compter les absences chaque semaine.",
            },
            hours={member.pk: Decimal("19")},
        )
    command.created["FollowUp"] += mandate.followups.count()


def _awaiting(command: DemoSeeder, idea: Idea) -> None:
    """Awaiting signatures: Karim has signed; the demo accounts have theirs to give."""
    start = command.day(14)
    mandate = _draft(
        command,
        idea,
        at=command.at(3, 10),
        sent_at=command.at(2, 9),
        terms={
            "objectives": (
                "Rédiger avec deux services pilotes un livret d'accueil en ligne (contacts, "
                "démarches des premiers jours, parrainage) et le tester avec les "
                "prochains arrivants."
            ),
            "resources": "Appui de la Direction des ressources humaines.",
            "budget": None,
            "starts_on": start,
            "ends_on": start + datetime.timedelta(days=84),
        },
        team=[
            command.people["agent@tremplin.example"],
            command.people["karim.mansouri@tremplin.example"],
        ],
    )
    _sign(
        command,
        mandate,
        "karim.mansouri@tremplin.example",
        command.at(1, 14),
        comment="Partant pour une demi-journée par semaine.",
    )


def seed_mandates(command: DemoSeeder) -> int:
    """Create the demo mandates if missing; returns how many exist."""
    organisation = command.orgs[SOMME]
    count = 0
    for title, write in ((ACTIVE_IDEA, _active), (AWAITING_IDEA, _awaiting)):
        idea = Idea.objects.filter(organisation=organisation, title=title).first()
        if idea is None:
            continue
        count += 1
        if not Mandate.objects.filter(idea=idea).exists():
            write(command, idea)
    return count
