"""Demo mandates from `manage.py seed_demo`: consistent with the domain rules."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from ideas.mandates.permissions import required_parties
from ideas.mandates.selectors import pending_signatures
from ideas.models import Mandate, MandateEvent, Signature
from innovation.platform.models import User

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
