"""A full breakfast: one seat, two agents, the waiting list moves up in a real browser."""

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.e2e.conftest import follow_menu
from tests.factories import (
    AgentFactory,
    DelegateFactory,
    OccurrenceFactory,
    OrganisationFactory,
    RitualFactory,
)


@pytest.fixture
def somme(transactional_db):
    return OrganisationFactory(name="Département de la Somme", slug="cd-somme")


def test_agent_registers_second_waits_first_cancels_second_is_confirmed(
    page, live_server, login, axe_check, somme
):
    delegate = DelegateFactory(organisation=somme)
    ritual = RitualFactory(created_by=delegate, title="Petit-déjeuner de l'innovation", capacity=1)
    occurrence = OccurrenceFactory(ritual=ritual, topic="Le standard qui oriente")
    julie = AgentFactory(organisation=somme, first_name="Julie", last_name="Caron")
    karim = AgentFactory(organisation=somme, first_name="Karim", last_name="Mansouri")
    mail.outbox = []
    status = page.locator("#mon-statut")

    # Julie finds the breakfast from the menu and takes the only seat.
    login(julie)
    follow_menu(page, "Rendez-vous", "Petits-déjeuners")
    axe_check(page)
    page.get_by_role("link", name="Petit-déjeuner de l'innovation").click()
    axe_check(page)
    page.locator(f"a[href='{occurrence.get_absolute_url()}']").first.click()
    axe_check(page)
    page.get_by_role("button", name="M'inscrire").click()
    expect(page.get_by_role("status").first).to_have_text("C'est noté : vous êtes inscrit·e.")
    expect(status).to_have_text("Vous êtes inscrit·e.")
    page.get_by_role("button", name="Se déconnecter").click()

    # Karim arrives too late for a seat: he is first on the waiting list.
    login(karim)
    page.goto(live_server.url + occurrence.get_absolute_url())
    page.get_by_role("button", name="M'inscrire sur la liste d'attente").click()
    expect(status).to_have_text("Vous êtes sur la liste d'attente, en position 1.")
    axe_check(page)
    page.get_by_role("button", name="Se déconnecter").click()

    # Julie cannot come after all and frees her seat.
    login(julie)
    page.goto(live_server.url + occurrence.get_absolute_url())
    page.get_by_role("button", name="Me désinscrire").click()
    expect(status).to_have_text("Vous n'êtes pas inscrit·e.")
    page.get_by_role("button", name="Se déconnecter").click()

    # Karim sees he has the seat, and was told by e-mail.
    login(karim)
    page.goto(live_server.url + occurrence.get_absolute_url())
    expect(status).to_have_text("Vous êtes inscrit·e.")
    axe_check(page)
    assert [(m.to, m.subject) for m in mail.outbox] == [
        ([karim.email], "[Tremplin] Une place s'est libérée : vous êtes inscrit·e")
    ]
