"""ideas.mandates.services: drafting, terms, signatures, voiding, activation and the end."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from ideas.mandates import services as mandates
from ideas.mandates.services import MemberTerms, add_months
from ideas.models import FollowUp, Idea, IdeaEvent, Mandate, MandateMember, Signature
from innovation.platform.models import Notification
from tests.factories import (
    AgentFactory,
    DelegateFactory,
    DirectionFactory,
    DirectorFactory,
    IdeaFactory,
    ManagerFactory,
    MandateFactory,
    OrganisationFactory,
    SponsorFactory,
    active_mandate,
    sign_all,
)

pytestmark = pytest.mark.django_db


def terms_of(mandate: Mandate, **changes) -> dict:
    data = {field: getattr(mandate, field) for field in mandates.TERM_FIELDS}
    data.update(changes)
    return data


def team_of(mandate: Mandate) -> list[MemberTerms]:
    return [
        MemberTerms(m.agent, m.manager, m.freed_hours_per_week)
        for m in mandate.members.select_related("agent", "manager")
    ]


def draft_data(organisation, **changes) -> dict:
    today = timezone.localdate()
    data = {
        "sponsor": SponsorFactory(organisation=organisation),
        "client_direction": DirectionFactory(organisation=organisation),
        "client_director": DirectorFactory(organisation=organisation),
        "objectives": "Réduire de moitié les rendez-vous non honorés.",
        "resources": "Un abonnement SMS.",
        "budget": Decimal("1500"),
        "starts_on": today,
        "ends_on": today + datetime.timedelta(days=80),
        "duration_reason": "",
        "protection_clause": "Le temps libéré est compté dans la charge de travail.",
    }
    data.update(changes)
    return data


def one_agent(organisation, hours="3.5") -> list[MemberTerms]:
    return [
        MemberTerms(
            AgentFactory(organisation=organisation),
            ManagerFactory(organisation=organisation),
            Decimal(hours),
        )
    ]


# --- Drafting ----------------------------------------------------------------------------


def test_delegate_drafts_a_mandate_for_a_selected_idea():
    idea = IdeaFactory(state=Idea.State.SELECTED)
    delegate = DelegateFactory(organisation=idea.organisation)

    mandate = mandates.create_mandate(
        actor=delegate,
        idea=idea,
        data=draft_data(idea.organisation),
        members=one_agent(idea.organisation),
    )

    assert mandate.state == Mandate.State.DRAFT
    assert mandate.organisation == idea.organisation
    assert mandate.terms_version == 1
    assert list(mandate.members.values_list("freed_hours_per_week", flat=True)) == [Decimal("3.5")]


def test_draft_refused_to_a_non_delegate():
    idea = IdeaFactory(state=Idea.State.SELECTED)

    with pytest.raises(PermissionDenied):
        mandates.create_mandate(
            actor=AgentFactory(organisation=idea.organisation),
            idea=idea,
            data=draft_data(idea.organisation),
            members=one_agent(idea.organisation),
        )


def test_draft_refused_for_an_idea_not_yet_selected():
    idea = IdeaFactory(state=Idea.State.QUALIFIED)
    delegate = DelegateFactory(organisation=idea.organisation)

    with pytest.raises(ValidationError) as error:
        mandates.create_mandate(
            actor=delegate,
            idea=idea,
            data=draft_data(idea.organisation),
            members=one_agent(idea.organisation),
        )

    assert "idea" in error.value.message_dict
    assert Mandate.objects.count() == 0


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"sponsor": None}, "sponsor"),
        ({"client_direction": None}, "client_direction"),
        ({"objectives": "   "}, "objectives"),
        ({"ends_on": timezone.localdate() - datetime.timedelta(days=1)}, "ends_on"),
        ({"ends_on": timezone.localdate()}, "ends_on"),
        ({"ends_on": timezone.localdate() + datetime.timedelta(days=120)}, "duration_reason"),
    ],
)
def test_bad_terms_are_refused_with_a_message_and_nothing_saved(changes, field):
    idea = IdeaFactory(state=Idea.State.ACCOMPANIED)
    delegate = DelegateFactory(organisation=idea.organisation)

    with pytest.raises(ValidationError) as error:
        mandates.create_mandate(
            actor=delegate,
            idea=idea,
            data=draft_data(idea.organisation, **changes),
            members=one_agent(idea.organisation),
        )

    assert list(error.value.message_dict) == [field]
    assert Mandate.objects.count() == 0
    assert MandateMember.objects.count() == 0


def test_a_long_mandate_is_accepted_with_a_reason():
    idea = IdeaFactory(state=Idea.State.ACCOMPANIED)
    delegate = DelegateFactory(organisation=idea.organisation)
    today = timezone.localdate()

    mandate = mandates.create_mandate(
        actor=delegate,
        idea=idea,
        data=draft_data(
            idea.organisation,
            ends_on=today + datetime.timedelta(days=200),
            duration_reason="Incubation après la pré-incubation, décidée par le comité.",
        ),
        members=one_agent(idea.organisation),
    )

    assert mandate.ends_on == today + datetime.timedelta(days=200)


def test_a_sponsor_of_another_organisation_is_refused():
    idea = IdeaFactory(state=Idea.State.ACCOMPANIED)
    delegate = DelegateFactory(organisation=idea.organisation)
    stranger = SponsorFactory(organisation=OrganisationFactory())

    with pytest.raises(ValidationError) as error:
        mandates.create_mandate(
            actor=delegate,
            idea=idea,
            data=draft_data(idea.organisation, sponsor=stranger),
            members=one_agent(idea.organisation),
        )

    assert list(error.value.message_dict) == ["sponsor"]


def test_a_mandate_without_team_is_refused():
    idea = IdeaFactory(state=Idea.State.ACCOMPANIED)
    delegate = DelegateFactory(organisation=idea.organisation)

    with pytest.raises(ValidationError) as error:
        mandates.create_mandate(
            actor=delegate, idea=idea, data=draft_data(idea.organisation), members=[]
        )

    assert error.value.message_dict == {
        "members": ["Un mandat engage au moins un agent : ajoutez l'équipe projet."]
    }


@pytest.mark.parametrize("hours", ["0", "-3.5", "40"])
def test_freed_time_must_be_a_positive_weekly_amount(hours):
    idea = IdeaFactory(state=Idea.State.ACCOMPANIED)
    delegate = DelegateFactory(organisation=idea.organisation)

    with pytest.raises(ValidationError) as error:
        mandates.create_mandate(
            actor=delegate,
            idea=idea,
            data=draft_data(idea.organisation),
            members=one_agent(idea.organisation, hours=hours),
        )

    assert list(error.value.message_dict) == ["members"]
    assert "positif" in error.value.message_dict["members"][0]
    assert Mandate.objects.count() == 0


def test_an_agent_cannot_be_their_own_manager():
    idea = IdeaFactory(state=Idea.State.ACCOMPANIED)
    delegate = DelegateFactory(organisation=idea.organisation)
    agent = ManagerFactory(organisation=idea.organisation)

    with pytest.raises(ValidationError) as error:
        mandates.create_mandate(
            actor=delegate,
            idea=idea,
            data=draft_data(idea.organisation),
            members=[MemberTerms(agent, agent, Decimal("3.5"))],
        )

    assert list(error.value.message_dict) == ["members"]


def test_only_one_mandate_in_progress_per_idea():
    mandate = MandateFactory()

    with pytest.raises(ValidationError) as error:
        mandates.create_mandate(
            actor=mandate.created_by,
            idea=mandate.idea,
            data=draft_data(mandate.organisation),
            members=one_agent(mandate.organisation),
        )

    assert error.value.message_dict == {"idea": ["Cette idée a déjà un mandat en cours."]}


def test_three_months_means_calendar_months():
    assert add_months(datetime.date(2026, 1, 31), 3) == datetime.date(2026, 4, 30)
    assert add_months(datetime.date(2025, 11, 30), 3) == datetime.date(2026, 2, 28)
    assert add_months(datetime.date(2026, 3, 15), 3) == datetime.date(2026, 6, 15)


# --- Signing ---------------------------------------------------------------------------------


def test_sending_for_signature_tells_every_party():
    mandate = MandateFactory(team=2)

    mandates.send_for_signature(mandate, actor=mandate.created_by)

    mandate.refresh_from_db()
    assert mandate.state == Mandate.State.AWAITING_SIGNATURES
    told = set(
        Notification.objects.filter(kind="mandate_to_sign").values_list("recipient", flat=True)
    )
    members = list(mandate.members.all())
    assert told == {
        mandate.sponsor_id,
        mandate.client_director_id,
        *(m.agent_id for m in members),
        *(m.manager_id for m in members),
    }


def test_mandate_becomes_active_only_when_every_party_has_signed():
    mandate = MandateFactory(team=2)
    last = mandate.members.first().manager

    sign_all(mandate, except_for=[last])
    assert mandate.state == Mandate.State.AWAITING_SIGNATURES
    assert FollowUp.objects.count() == 0

    mandates.sign_mandate(mandate, signer=last, decision=Signature.Decision.SIGNED)

    mandate.refresh_from_db()
    assert mandate.state == Mandate.State.ACTIVE
    assert mandate.activated_at is not None
    assert Signature.objects.filter(mandate=mandate).count() == 6
    assert Notification.objects.filter(kind="mandate_active").exists()


def test_activation_moves_a_selected_idea_to_accompanied():
    mandate = MandateFactory(idea__state=Idea.State.SELECTED)

    sign_all(mandate)

    mandate.idea.refresh_from_db()
    assert mandate.idea.state == Idea.State.ACCOMPANIED
    event = IdeaEvent.objects.filter(idea=mandate.idea).last()
    assert (event.before, event.after, event.actor) == (
        Idea.State.SELECTED,
        Idea.State.ACCOMPANIED,
        mandate.created_by,
    )


def test_activation_creates_follow_ups_every_six_weeks_until_the_end():
    start = datetime.date(2026, 1, 5)
    mandate = active_mandate(starts_on=start, ends_on=datetime.date(2026, 4, 5))

    assert list(mandate.followups.values_list("number", "due_on")) == [
        (1, datetime.date(2026, 2, 16)),
        (2, datetime.date(2026, 3, 30)),
    ]


def test_a_person_holding_two_parties_signs_both_at_once():
    mandate = MandateFactory()
    member = mandate.members.get()
    # The client director is also the agent's manager.
    member.manager = mandate.client_director
    member.save()
    mandates.send_for_signature(mandate, actor=mandate.created_by)

    signatures = mandates.sign_mandate(
        mandate, signer=mandate.client_director, decision=Signature.Decision.SIGNED
    )

    assert sorted(s.party for s in signatures) == ["client_director", "manager"]


def test_signing_twice_is_refused_with_a_clear_message():
    mandate = MandateFactory()
    mandates.send_for_signature(mandate, actor=mandate.created_by)
    mandates.sign_mandate(mandate, signer=mandate.sponsor, decision=Signature.Decision.SIGNED)

    with pytest.raises(ValidationError) as error:
        mandates.sign_mandate(mandate, signer=mandate.sponsor, decision=Signature.Decision.SIGNED)

    assert error.value.messages == [
        "Vous avez déjà répondu à cette version du mandat : votre réponse est enregistrée."
    ]
    assert Signature.objects.filter(signer=mandate.sponsor).count() == 1


def test_someone_who_is_not_a_party_cannot_sign():
    mandate = MandateFactory()
    mandates.send_for_signature(mandate, actor=mandate.created_by)

    with pytest.raises(PermissionDenied):
        mandates.sign_mandate(
            mandate, signer=mandate.created_by, decision=Signature.Decision.SIGNED
        )

    assert Signature.objects.count() == 0


def test_a_draft_cannot_be_signed_yet():
    mandate = MandateFactory()

    with pytest.raises(ValidationError):
        mandates.sign_mandate(mandate, signer=mandate.sponsor, decision=Signature.Decision.SIGNED)

    assert Signature.objects.count() == 0


def test_declining_needs_a_reason_and_tells_the_delegates():
    mandate = MandateFactory()
    mandates.send_for_signature(mandate, actor=mandate.created_by)

    with pytest.raises(ValidationError) as error:
        mandates.sign_mandate(mandate, signer=mandate.sponsor, decision="declined", comment=" ")
    assert list(error.value.message_dict) == ["comment"]

    mandates.sign_mandate(
        mandate, signer=mandate.sponsor, decision="declined", comment="Budget trop élevé."
    )

    mandate.refresh_from_db()
    assert mandate.state == Mandate.State.AWAITING_SIGNATURES
    assert Notification.objects.get(kind="mandate_declined").recipient == mandate.created_by


# --- Voiding ---------------------------------------------------------------------------------


def test_changing_terms_after_a_signature_voids_it_and_tells_the_signer():
    mandate = MandateFactory()
    mandates.send_for_signature(mandate, actor=mandate.created_by)
    mandates.sign_mandate(mandate, signer=mandate.sponsor, decision=Signature.Decision.SIGNED)

    voided = mandates.update_mandate_terms(
        mandate,
        actor=mandate.created_by,
        data=terms_of(mandate, budget=Decimal("9000")),
        members=team_of(mandate),
    )

    mandate.refresh_from_db()
    assert voided == 1
    assert mandate.terms_version == 2
    # The old signature stays in the history but no longer counts.
    assert list(Signature.objects.values_list("signer", "terms_version")) == [
        (mandate.sponsor_id, 1)
    ]
    assert Notification.objects.filter(
        kind="mandate_terms_changed", recipient=mandate.sponsor
    ).exists()
    # Everyone signing version 2 but the sponsor is not enough.
    sign_all(mandate, except_for=[mandate.sponsor])
    assert mandate.state == Mandate.State.AWAITING_SIGNATURES
    mandates.sign_mandate(mandate, signer=mandate.sponsor, decision=Signature.Decision.SIGNED)
    mandate.refresh_from_db()
    assert mandate.state == Mandate.State.ACTIVE


def test_changing_freed_time_is_a_change_of_terms():
    mandate = MandateFactory()
    team = team_of(mandate)
    team = [MemberTerms(team[0].agent, team[0].manager, Decimal("7"))]

    mandates.update_mandate_terms(
        mandate, actor=mandate.created_by, data=terms_of(mandate), members=team
    )

    mandate.refresh_from_db()
    assert mandate.terms_version == 2


def test_saving_identical_terms_voids_nothing():
    mandate = MandateFactory()
    mandates.send_for_signature(mandate, actor=mandate.created_by)
    mandates.sign_mandate(mandate, signer=mandate.sponsor, decision=Signature.Decision.SIGNED)

    voided = mandates.update_mandate_terms(
        mandate, actor=mandate.created_by, data=terms_of(mandate), members=team_of(mandate)
    )

    mandate.refresh_from_db()
    assert (voided, mandate.terms_version) == (0, 1)


def test_terms_of_an_active_mandate_are_locked():
    mandate = active_mandate()

    with pytest.raises(ValidationError):
        mandates.update_mandate_terms(
            mandate,
            actor=mandate.created_by,
            data=terms_of(mandate, objectives="Autre chose"),
            members=team_of(mandate),
        )


def test_bad_new_terms_leave_the_mandate_untouched():
    mandate = MandateFactory()

    with pytest.raises(ValidationError):
        mandates.update_mandate_terms(
            mandate,
            actor=mandate.created_by,
            data=terms_of(mandate, ends_on=mandate.starts_on),
            members=team_of(mandate),
        )

    mandate.refresh_from_db()
    assert mandate.terms_version == 1
    assert mandate.members.count() == 1


# --- The end ---------------------------------------------------------------------------------


def test_completing_a_mandate_can_launch_the_experimentation():
    mandate = active_mandate()

    mandates.end_mandate(
        mandate,
        actor=mandate.created_by,
        outcome=Mandate.State.COMPLETED,
        evaluation="Absences divisées par deux dans les deux centres.",
        idea_state=Idea.State.EXPERIMENTING,
    )

    mandate.refresh_from_db()
    mandate.idea.refresh_from_db()
    assert mandate.state == Mandate.State.COMPLETED
    assert mandate.idea.state == Idea.State.EXPERIMENTING


def test_completing_a_mandate_can_declare_the_idea_deployed():
    mandate = active_mandate()

    mandates.end_mandate(
        mandate,
        actor=mandate.created_by,
        outcome=Mandate.State.COMPLETED,
        evaluation="Généralisé à tous les centres.",
        idea_state=Idea.State.DEPLOYED,
    )

    mandate.idea.refresh_from_db()
    assert mandate.idea.state == Idea.State.DEPLOYED
    assert list(mandate.idea.events.values_list("after", flat=True))[-2:] == [
        Idea.State.EXPERIMENTING,
        Idea.State.DEPLOYED,
    ]


def test_stopping_a_mandate_abandons_the_idea_with_the_evaluation_as_reason():
    mandate = active_mandate()

    mandates.end_mandate(
        mandate,
        actor=mandate.created_by,
        outcome=Mandate.State.STOPPED,
        evaluation="Le prestataire SMS ne répond pas au cahier des charges.",
    )

    mandate.idea.refresh_from_db()
    assert mandate.idea.state == Idea.State.ABANDONED
    assert mandate.idea.events.last().reason == (
        "Le prestataire SMS ne répond pas au cahier des charges."
    )


def test_ending_needs_an_evaluation():
    mandate = active_mandate()

    with pytest.raises(ValidationError) as error:
        mandates.end_mandate(
            mandate, actor=mandate.created_by, outcome=Mandate.State.STOPPED, evaluation=""
        )

    assert list(error.value.message_dict) == ["evaluation"]
    mandate.refresh_from_db()
    assert mandate.state == Mandate.State.ACTIVE


def test_only_an_active_mandate_can_be_ended():
    mandate = MandateFactory()

    with pytest.raises(ValidationError):
        mandates.end_mandate(
            mandate, actor=mandate.created_by, outcome=Mandate.State.COMPLETED, evaluation="x"
        )
