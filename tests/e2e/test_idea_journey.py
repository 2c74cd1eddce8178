"""An idea's journey as its people live it, in a real browser."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from ideas.models import Idea
from tests.e2e.conftest import follow_menu
from tests.factories import AgentFactory, DelegateFactory, OrganisationFactory, ThemeFactory


@pytest.fixture
def somme(transactional_db):
    return OrganisationFactory(name="Département de la Somme", slug="cd-somme")


def test_agent_submits_delegate_qualifies_and_selects_agent_is_told(
    page, live_server, login, axe_check, somme
):
    agent = AgentFactory(organisation=somme, first_name="Clément", last_name="Leroy")
    delegate = DelegateFactory(organisation=somme, first_name="Amina", last_name="Roussel")
    ThemeFactory(name="Accueil des usagers")
    mail.outbox = []

    # The agent writes and submits an idea.
    login(agent)
    axe_check(page)
    page.get_by_role("link", name="Proposer une idée").first.click()
    axe_check(page)
    page.get_by_label("Titre de l'idée").fill("Trouver le bon interlocuteur")
    page.get_by_label("L'irritant").fill("Des usagers attendent des mois faute du bon contact.")
    page.get_by_label("Votre proposition").fill("Un annuaire en ligne des services par besoin.")
    page.get_by_label("Les usagers du service public").check()
    page.get_by_label("Impact attendu").fill("Des situations débloquées plus vite.")
    page.get_by_label("Thème").select_option(label="Accueil des usagers")
    page.get_by_role("button", name="Déposer l'idée").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Trouver le bon interlocuteur")
    expect(page.locator(".badge.state-submitted")).to_have_text("Déposée")
    page.get_by_role("button", name="Se déconnecter").click()

    # The delegate finds it on the board, qualifies it and selects it.
    login(delegate)
    follow_menu(page, "Pilotage", "Tableau du pipeline")
    axe_check(page)
    column = page.get_by_role("listitem").filter(has=page.locator("#col-submitted"))
    column.get_by_role("link", name=re.compile("^Qualifier")).click()
    page.get_by_label("Accompagnement nécessaire").select_option(label="Accompagnement interne")
    page.get_by_label("Motif ou commentaire").fill("Idée claire, portée par le terrain.")
    page.get_by_role("button", name=re.compile("Confirmer")).click()
    expect(page.get_by_text("est maintenant à l'étape « Qualifiée »")).to_be_visible()
    page.get_by_role("link", name="Trouver le bon interlocuteur").first.click()
    page.get_by_role("link", name="Sélectionner").click()
    page.get_by_role("button", name=re.compile("Confirmer")).click()
    expect(page.locator(".badge.state-selected")).to_have_text("Sélectionnée")
    follow_menu(page, "Idées", "Toutes les idées")
    axe_check(page)
    page.get_by_role("button", name="Se déconnecter").click()

    # The agent sees the new state and has received the e-mails.
    login(agent)
    follow_menu(page, "Idées", "Toutes les idées")
    row = page.get_by_role("row").filter(has_text="Trouver le bon interlocuteur")
    expect(row.locator(".badge")).to_have_text("Sélectionnée")
    idea = Idea.objects.get()
    assert idea.state == Idea.State.SELECTED
    to_agent = [message.subject for message in mail.outbox if message.to == [agent.email]]
    assert to_agent == [
        "[Tremplin] « Trouver le bon interlocuteur » : Qualifiée",
        "[Tremplin] « Trouver le bon interlocuteur » : Sélectionnée",
    ]
    to_delegate = [message.subject for message in mail.outbox if message.to == [delegate.email]]
    assert to_delegate == ["[Tremplin] Nouvelle idée déposée : « Trouver le bon interlocuteur »"]
