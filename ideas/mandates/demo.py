"""Demo mandates for `manage.py seed_demo` (Somme): one active, one awaiting signatures.

Idempotent like the rest of the demo: a mandate is looked up by its idea; once created it
belongs to the people using the demo (their signatures, follow-ups) and is left as they made
it. Dates are relative to the command's anchor, so a later run changes nothing.

A new demo mandate starts as a draft and is moved along by `services.change_state`, with the
demo's dates: the same writer of the state, and the same history, as the real services.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction

from ideas.mandates.models import FollowUp, FollowUpTime, Mandate, MandateMember, Signature
from ideas.mandates.services import change_state
from ideas.models import Idea

SOMME = "cd-somme"
SOL = "DGA Solidarités et insertion"
ACTIVE_IDEA = "Un SMS de rappel la veille des consultations de PMI"
AWAITING_IDEA = "Un livret d'accueil numérique pour les nouveaux agents"
HALF_DAY = Decimal("3.5")


def seed_mandates(command) -> int:
    """Create the demo mandates if missing; returns how many exist."""
    people = command.people
    organisation = command.orgs[SOMME]
    direction = command.directions[(SOMME, SOL, "Action sociale de proximité")]
    delegate = people["delegue@tremplin.example"]
    sponsor = people["sponsor@tremplin.example"]
    director = people["directeur@tremplin.example"]
    agent = people["agent@tremplin.example"]
    manager = people["encadrant@tremplin.example"]
    karim = people["karim.mansouri@tremplin.example"]
    count = 0

    # 1. Active since 80 days: a first follow-up held, the second due in four days.
    idea = Idea.objects.filter(organisation=organisation, title=ACTIVE_IDEA).first()
    if idea is not None:
        count += 1
        start = command.day(-80)
        mandate, created = command.get_or_create(
            Mandate,
            {"idea": idea},
            {
                "organisation": organisation,
                "sponsor": sponsor,
                "client_direction": direction,
                "client_director": director,
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
                "ends_on": start + datetime.timedelta(days=90),
                "created_by": delegate,
                "created_at": command.at(86, 10),
                "sent_for_signature_at": command.at(85, 11),
                "activated_at": command.at(82, 16),
            },
        )
        if created:
            _move(
                mandate,
                (Mandate.State.AWAITING_SIGNATURES, delegate, "", command.at(85, 11)),
                (
                    Mandate.State.ACTIVE,
                    None,
                    "Toutes les parties ont signé la version 1 des conditions.",
                    command.at(82, 16),
                ),
            )
            member = MandateMember.objects.create(
                mandate=mandate, agent=agent, manager=manager, freed_hours_per_week=HALF_DAY
            )
            parties = [
                (sponsor, Signature.Party.SPONSOR, 83),
                (director, Signature.Party.CLIENT_DIRECTOR, 84),
                (agent, Signature.Party.AGENT, 85),
                (manager, Signature.Party.MANAGER, 82),
            ]
            Signature.objects.bulk_create(
                Signature(
                    mandate=mandate,
                    signer=person,
                    party=party,
                    terms_version=1,
                    decision=Signature.Decision.SIGNED,
                    created_at=command.at(days_ago, 15),
                )
                for person, party, days_ago in parties
            )
            first = FollowUp.objects.create(
                mandate=mandate,
                number=1,
                due_on=start + datetime.timedelta(weeks=6),
                recorded_at=command.at(37, 11),
                recorded_by=agent,
                indicator=FollowUp.Indicator.ON_TRACK,
                progress=(
                    "Outil d'envoi paramétré ; premiers SMS envoyés au centre de PMI "
                    "d'Amiens-Nord depuis trois semaines."
                ),
                blockers="Les numéros de téléphone manquent pour un dossier sur cinq.",
                decisions="Demander le numéro à chaque prise de rendez-vous.",
                next_steps="Étendre au second centre ; compter les absences chaque semaine.",
            )
            FollowUpTime.objects.create(followup=first, member=member, hours=Decimal("19"))
            FollowUp.objects.create(
                mandate=mandate, number=2, due_on=start + datetime.timedelta(weeks=12)
            )
            command.created["Signature"] += len(parties)
            command.created["FollowUp"] += 2

    # 2. Awaiting signatures: Karim has signed; the demo accounts have theirs to give.
    idea = Idea.objects.filter(organisation=organisation, title=AWAITING_IDEA).first()
    if idea is not None:
        count += 1
        start = command.day(14)
        mandate, created = command.get_or_create(
            Mandate,
            {"idea": idea},
            {
                "organisation": organisation,
                "sponsor": sponsor,
                "client_direction": direction,
                "client_director": director,
                "objectives": (
                    "Rédiger avec deux services pilotes un livret d'accueil en ligne (contacts, "
                    "démarches des premiers jours, parrainage) et le tester avec les "
                    "prochains arrivants."
                ),
                "resources": "Appui de la Direction des ressources humaines.",
                "budget": None,
                "starts_on": start,
                "ends_on": start + datetime.timedelta(days=84),
                "created_by": delegate,
                "created_at": command.at(3, 10),
                "sent_for_signature_at": command.at(2, 9),
            },
        )
        if created:
            _move(mandate, (Mandate.State.AWAITING_SIGNATURES, delegate, "", command.at(2, 9)))
            MandateMember.objects.bulk_create(
                [
                    MandateMember(
                        mandate=mandate, agent=agent, manager=manager, freed_hours_per_week=HALF_DAY
                    ),
                    MandateMember(
                        mandate=mandate, agent=karim, manager=manager, freed_hours_per_week=HALF_DAY
                    ),
                ]
            )
            Signature.objects.create(
                mandate=mandate,
                signer=karim,
                party=Signature.Party.AGENT,
                terms_version=1,
                decision=Signature.Decision.SIGNED,
                comment="Partant pour une demi-journée par semaine.",
                created_at=command.at(1, 14),
            )
            command.created["Signature"] += 1
    return count


def _move(mandate: Mandate, *steps: tuple) -> None:
    """Walk a new demo mandate through (state, actor, reason, moment) steps, under its lock."""
    with transaction.atomic():
        locked = Mandate.objects.select_for_update().get(pk=mandate.pk)
        for to, actor, reason, at in steps:
            change_state(locked, to=to, actor=actor, reason=reason, at=at)
    mandate.refresh_from_db(fields=["state", "updated_at"])
