"""The history of a mandate's state: one event per transition, nothing for a refused one, and
the « Historique du mandat » of the detail page."""

from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from ideas.mandates import services
from ideas.mandates.models import Mandate, MandateEvent
from ideas.mandates.transitions import TRANSITIONS, InvalidTransition
from ideas.mandates.transitions import allowed_next as allowed_mandate_next
from innovation.platform import dates
from tests.factories import (
    AgentFactory,
    DelegateFactory,
    MandateFactory,
    OrganisationFactory,
    active_mandate,
    sign_all,
)

pytestmark = pytest.mark.django_db

State = Mandate.State


def history(mandate: Mandate) -> list[tuple]:
    return list(mandate.events.values_list("before", "after", "actor_id"))


# --- The transitions table -------------------------------------------------------------------


def test_every_state_has_a_row_in_the_table_and_the_ends_lead_nowhere():
    assert set(TRANSITIONS) == set(State.values)
    assert allowed_mandate_next(State.COMPLETED) == ()
    assert allowed_mandate_next(State.STOPPED) == ()


# --- One event per transition ----------------------------------------------------------------


def test_sending_for_signature_writes_one_event_by_the_delegate():
    mandate = MandateFactory()

    services.send_for_signature(mandate, actor=mandate.created_by)

    event = MandateEvent.objects.get(mandate=mandate)
    assert (event.before, event.after, event.actor) == (
        State.DRAFT,
        State.AWAITING_SIGNATURES,
        mandate.created_by,
    )
    assert event.reason == ""


def test_only_the_last_signature_writes_an_event_and_tremplin_is_its_actor():
    mandate = MandateFactory()
    signed_but_one = sign_all(mandate, except_for=[mandate.sponsor])
    assert signed_but_one.state == State.AWAITING_SIGNATURES
    assert mandate.events.count() == 1

    services.sign_mandate(mandate, signer=mandate.sponsor, decision="signed")

    last = mandate.events.last()
    assert (last.before, last.after, last.actor) == (State.AWAITING_SIGNATURES, State.ACTIVE, None)
    assert last.reason == "Toutes les parties ont signé la version 1 des conditions."
    assert mandate.events.count() == 2


def test_a_refusal_or_new_terms_leave_the_state_and_the_history_alone():
    mandate = MandateFactory()
    services.send_for_signature(mandate, actor=mandate.created_by)

    services.sign_mandate(
        mandate, signer=mandate.sponsor, decision="declined", comment="Budget trop court."
    )
    services.update_mandate_terms(
        mandate,
        actor=mandate.created_by,
        data={
            **{field: getattr(mandate, field) for field in services.TERM_FIELDS},
            "budget": 2000,
        },
        members=[
            services.MemberTerms(m.agent, m.manager, m.freed_hours_per_week)
            for m in mandate.members.select_related("agent", "manager")
        ],
    )

    mandate.refresh_from_db()
    assert mandate.state == State.AWAITING_SIGNATURES
    assert mandate.terms_version == 2
    assert history(mandate) == [(State.DRAFT, State.AWAITING_SIGNATURES, mandate.created_by_id)]


@pytest.mark.parametrize("outcome", [State.COMPLETED, State.STOPPED])
def test_ending_writes_one_event_with_the_evaluation_as_reason(outcome):
    mandate = active_mandate()

    services.end_mandate(
        mandate, actor=mandate.created_by, outcome=outcome, evaluation="  Bilan partagé.  "
    )

    assert history(mandate) == [
        (State.DRAFT, State.AWAITING_SIGNATURES, mandate.created_by_id),
        (State.AWAITING_SIGNATURES, State.ACTIVE, None),
        (State.ACTIVE, outcome, mandate.created_by_id),
    ]
    assert mandate.events.last().reason == "Bilan partagé."


# --- A forbidden transition is refused and writes nothing ------------------------------------


def test_the_writer_refuses_a_transition_the_table_forbids():
    mandate = MandateFactory()

    with pytest.raises(InvalidTransition):
        services.change_state(mandate, to=State.ACTIVE, actor=mandate.created_by)

    mandate.refresh_from_db()
    assert mandate.state == State.DRAFT
    assert not MandateEvent.objects.exists()


def test_a_closed_mandate_goes_nowhere():
    mandate = active_mandate()
    services.end_mandate(
        mandate, actor=mandate.created_by, outcome=State.STOPPED, evaluation="Arrêt."
    )
    mandate.refresh_from_db()

    with pytest.raises(InvalidTransition):
        services.change_state(mandate, to=State.ACTIVE, actor=None)

    mandate.refresh_from_db()
    assert mandate.state == State.STOPPED
    assert mandate.events.count() == 3


def test_ending_a_mandate_not_yet_active_is_refused_and_writes_nothing():
    mandate = MandateFactory()

    with pytest.raises(ValidationError):
        services.end_mandate(
            mandate, actor=mandate.created_by, outcome=State.COMPLETED, evaluation="Trop tôt."
        )

    mandate.refresh_from_db()
    assert mandate.state == State.DRAFT
    assert not MandateEvent.objects.exists()


def test_sending_twice_is_refused_and_writes_one_event_only():
    mandate = MandateFactory()
    services.send_for_signature(mandate, actor=mandate.created_by)

    with pytest.raises(ValidationError):
        services.send_for_signature(mandate, actor=mandate.created_by)

    assert mandate.events.count() == 1


# --- The detail page ---------------------------------------------------------------------


def test_the_detail_page_shows_the_history_to_a_party(client):
    mandate = active_mandate()
    sent = mandate.events.first()
    client.force_login(mandate.sponsor)

    response = client.get(mandate.get_absolute_url())

    html = unescape(response.content.decode())
    assert response.status_code == 200
    assert "Historique du mandat" in html
    moment = dates.moment(sent.created_at)
    assert f"{moment}</time> — {mandate.created_by.get_full_name()} :" in html
    assert "Brouillon → En attente de signatures" in html
    assert "Tremplin : <strong>En attente de signatures → Actif</strong>" in html
    assert "Toutes les parties ont signé la version 1 des conditions." in html
    assert [event.pk for event in response.context["events"]] == list(
        mandate.events.values_list("pk", flat=True)
    )


def test_a_draft_has_no_history_yet(client):
    mandate = MandateFactory()
    client.force_login(mandate.created_by)

    response = client.get(mandate.get_absolute_url())

    assert response.context["events"] == []
    assert "Aucun changement d'état pour l'instant." in unescape(response.content.decode())


def test_the_printed_letter_leaves_the_history_out(client):
    mandate = active_mandate()
    client.force_login(mandate.created_by)

    response = client.get(reverse("ideas:mandate_print", args=[mandate.pk]))

    assert response.status_code == 200
    assert "Historique du mandat" not in unescape(response.content.decode())


def test_the_history_is_not_shown_outside_the_mandate(client):
    mandate = active_mandate()
    for outsider in (
        AgentFactory(organisation=mandate.organisation),
        DelegateFactory(organisation=OrganisationFactory()),
    ):
        client.force_login(outsider)

        response = client.get(mandate.get_absolute_url())

        assert response.status_code == 404


def test_the_history_needs_a_login(client):
    mandate = active_mandate()

    response = client.get(mandate.get_absolute_url())

    assert response.status_code == 302
