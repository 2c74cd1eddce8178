"""A mandate as its people live it: the delegate drafts it, each party signs it in their own
session, then the team records a follow-up."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from ideas.models import FollowUp, Idea, Mandate, Signature
from tests.e2e.conftest import follow_menu
from tests.factories import (
    AgentFactory,
    DelegateFactory,
    DirectionFactory,
    DirectorFactory,
    IdeaFactory,
    ManagerFactory,
    OrganisationFactory,
    SponsorFactory,
)

TITLE = "Un SMS de rappel la veille des consultations de PMI"


@pytest.fixture
def somme(transactional_db):
    return OrganisationFactory(name="Département de la Somme", slug="cd-somme")


def logout(page):
    page.get_by_role("button", name="Se déconnecter").click()


def test_delegate_drafts_each_party_signs_and_the_team_holds_a_follow_up(
    page, live_server, login, axe_check, somme
):
    direction = DirectionFactory(organisation=somme, name="Action sociale de proximité")
    delegate = DelegateFactory(organisation=somme, first_name="Amina", last_name="Lefort")
    sponsor = SponsorFactory(organisation=somme, first_name="Catherine", last_name="Vasseur")
    director = DirectorFactory(organisation=somme, first_name="Philippe", last_name="Delattre")
    agent = AgentFactory(organisation=somme, first_name="Julie", last_name="Caron")
    manager = ManagerFactory(organisation=somme, first_name="Thomas", last_name="Lefebvre")
    IdeaFactory(organisation=somme, title=TITLE, state=Idea.State.SELECTED)
    today = timezone.localdate()

    # The delegate drafts the mandate and sends it for signature.
    login(delegate)
    follow_menu(page, "Idées", "Mandats")
    axe_check(page)
    page.get_by_role("link", name="Rédiger un mandat").click()
    page.get_by_label("Idée accompagnée").select_option(label=TITLE)
    page.get_by_role("button", name="Continuer").click()
    axe_check(page)
    page.get_by_label("Sponsor").select_option(label="Catherine Vasseur")
    page.locator("#id_client_direction").select_option(label=direction.name)
    page.get_by_label("Directeur·rice de la direction cliente").select_option(
        label="Philippe Delattre"
    )
    page.get_by_label("Objectifs du mandat").fill("Tester le rappel SMS dans deux centres de PMI.")
    page.get_by_label("Budget").fill("1 800")
    page.get_by_label("Date de début").fill(today.isoformat())
    page.get_by_label("Date de fin").fill((today + datetime.timedelta(days=85)).isoformat())
    page.locator("#id_equipe-0-agent").fill(agent.email)
    page.locator("#id_equipe-0-manager").fill(manager.email)
    page.locator("#id_equipe-0-freed_hours_per_week").fill("3,5")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Mandat : « {TITLE} »")
    axe_check(page)
    page.get_by_role("button", name="Envoyer pour signature").click()
    expect(page.get_by_text("Mandat envoyé pour signature")).to_be_visible()
    logout(page)

    # Each party signs in their own session, from their list of signatures to give.
    for person in (sponsor, director, agent, manager):
        login(person)
        follow_menu(page, "Idées", "Mandats")
        page.get_by_role("link", name=re.compile("^Relire et signer")).click()
        axe_check(page)
        page.get_by_label("Je signe ce mandat").check()
        page.get_by_role("button", name="Envoyer ma réponse").click()
        expect(page.locator(".alert-success")).to_be_visible()
        if person != manager:
            logout(page)

    expect(page.get_by_text("Toutes les parties ont signé : le mandat est actif.")).to_be_visible()
    mandate = Mandate.objects.get()
    assert mandate.state == Mandate.State.ACTIVE
    assert Signature.objects.filter(decision="signed").count() == 4
    assert mandate.idea.__class__.objects.get(pk=mandate.idea_id).state == Idea.State.ACCOMPANIED
    logout(page)

    # The agent records the first follow-up, with the time actually spent.
    login(agent)
    page.goto(live_server.url + mandate.get_absolute_url())
    axe_check(page)
    # How the mandate got here: sent by the delegate, activated by Tremplin.
    history = page.get_by_role("region", name="Historique du mandat").get_by_role("listitem")
    expect(history).to_have_count(2)
    expect(history.nth(0)).to_contain_text("Amina Lefort : Brouillon → En attente de signatures")
    expect(history.nth(1)).to_contain_text("Tremplin : En attente de signatures → Actif")
    page.get_by_role("link", name="Enregistrer le point n°1").click()
    axe_check(page)
    page.get_by_label("Dans les temps").check()
    page.get_by_label("Avancement depuis le dernier point").fill(
        "Outil paramétré, premiers SMS envoyés."
    )
    page.get_by_label("Temps consacré par Julie Caron").fill("19")
    page.get_by_role("button", name="Enregistrer le point d'étape").click()
    expect(page.get_by_text("Point d'étape enregistré. Merci !")).to_be_visible()
    expect(page.locator("#point-1 .badge")).to_have_text("Dans les temps")
    axe_check(page)
    assert FollowUp.objects.get(number=1).times.get().hours == 19

    # The printable version carries the signatures with their dates.
    page.get_by_role("link", name="Version imprimable").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Lettre de mission")
    axe_check(page)
