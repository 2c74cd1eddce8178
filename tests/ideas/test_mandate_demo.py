"""Demo mandates from `manage.py seed_demo`: consistent with the domain rules."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from ideas.mandates.followups import due_dates
from ideas.mandates.permissions import required_parties
from ideas.mandates.selectors import pending_signatures
from ideas.models import Idea, Mandate, MandateEvent, Signature
from innovation.platform import audit
from innovation.platform.models import AuditEvent, Notification, User

pytestmark = pytest.mark.django_db


def test_demo_has_an_active_mandate_and_one_to_sign(client):
    call_command("seed_demo", stdout=StringIO())
    active = Mandate.objects.get(state=Mandate.State.ACTIVE)
    awaiting = Mandate.objects.get(state=Mandate.State.AWAITING_SIGNATURES)

    signed = set(
        active.signatures.filter(decision=Signature.Decision.SIGNED).values_list(
            "signer_id", "party"
        )
    )
    assert signed == required_parties(active, list(active.members.all()))
    assert active.members.get().freed_hours_per_week == 3.5
    held, next_one = active.followups.order_by("number")
    assert held.is_recorded
    assert next_one.due_on - timezone.localdate() == datetime.timedelta(days=4)
    for email in ("sponsor", "directeur", "agent", "encadrant"):
        person = User.objects.get(email=f"{email}@tremplin.example")
        assert [item["mandate"] for item in pending_signatures(person)] == [awaiting], email
    client.force_login(User.objects.get(email="agent@tremplin.example"))
    assert client.get(active.get_absolute_url()).status_code == 200
    assert client.get(reverse("ideas:mandate_list")).status_code == 200


def test_demo_mandates_have_the_history_of_their_states():
    call_command("seed_demo", stdout=StringIO())
    active = Mandate.objects.get(state=Mandate.State.ACTIVE)
    awaiting = Mandate.objects.get(state=Mandate.State.AWAITING_SIGNATURES)

    steps = MandateEvent.objects.filter(mandate=active).values_list("before", "after", "actor")
    assert list(steps) == [
        ("draft", "awaiting_signatures", active.created_by_id),
        ("awaiting_signatures", "active", None),
    ]
    assert active.events.last().created_at == active.activated_at
    assert list(awaiting.events.values_list("before", "after")) == [
        ("draft", "awaiting_signatures")
    ]
    # Run again, the demo changes nothing.
    call_command("seed_demo", stdout=StringIO())
    assert MandateEvent.objects.count() == 3


def test_demo_mandates_are_written_by_their_people_through_the_services():
    call_command("seed_demo", stdout=StringIO())
    active = Mandate.objects.get(state=Mandate.State.ACTIVE)
    awaiting = Mandate.objects.get(state=Mandate.State.AWAITING_SIGNATURES)
    delegate = User.objects.get(email="delegue@tremplin.example")

    for mandate in (active, awaiting):
        # Drafted by the delegate once the idea was selected, then sent for signature.
        assert mandate.created_by == delegate
        selected = mandate.idea.events.get(after=Idea.State.SELECTED).created_at
        assert selected < mandate.created_at < mandate.sent_for_signature_at
        assert mandate.events.first().created_at == mandate.sent_for_signature_at
        # Every signature after the sending, each with its line in the audit trail.
        for signature in mandate.signatures.all():
            assert mandate.sent_for_signature_at < signature.created_at
            assert AuditEvent.objects.filter(
                action=audit.SIGNATURE,
                actor=signature.signer,
                target_id=str(mandate.pk),
                created_at=signature.created_at,
                detail__parties=[signature.party],
            ).exists()
    assert list(awaiting.signatures.values_list("signer__email", "comment")) == [
        ("karim.mansouri@tremplin.example", "Partant pour une demi-journée par semaine.")
    ]

    # Activated by Tremplin at the last signature; its follow-ups are the service's dates.
    last = active.signatures.order_by("created_at").last()
    assert (last.signer.email, last.created_at) == (
        "encadrant@tremplin.example",
        active.activated_at,
    )
    assert list(active.followups.order_by("number").values_list("due_on", flat=True)) == (
        due_dates(active.starts_on, active.ends_on)
    )
    accompanied = active.idea.events.get(after=Idea.State.ACCOMPANIED).created_at
    assert accompanied <= active.activated_at
    held = active.followups.get(number=1)
    assert held.recorded_by.email == "agent@tremplin.example"
    assert active.activated_at < held.recorded_at
    assert list(held.times.values_list("member__agent__email", "hours")) == [
        ("agent@tremplin.example", 19)
    ]
    # What the product tells people, marked as not to be e-mailed.
    kinds = set(Notification.objects.values_list("kind", flat=True))
    assert {"mandate_to_sign", "mandate_active", "followup_recorded"} <= kinds
