"""The histories read in the browser: a person's roles, a breakfast's registrations."""

import pytest
from playwright.sync_api import expect

from innovation.platform import roles
from innovation.platform.models import Role
from rituals import services
from tests.e2e.conftest import screenshot
from tests.factories import (
    AdminFactory,
    AgentFactory,
    DelegateFactory,
    OccurrenceFactory,
    OrganisationFactory,
    RitualFactory,
)

VIEWPORTS = {"1366x768": {"width": 1366, "height": 768}, "390x844": {"width": 390, "height": 844}}


def screenshots(page, name: str) -> None:
    """The page at both sizes (see conftest.screenshot)."""
    for size, viewport in VIEWPORTS.items():
        page.set_viewport_size(viewport)
        screenshot(page, f"{name}-{size}.png")
    page.set_viewport_size(VIEWPORTS["1366x768"])


@pytest.fixture
def somme(transactional_db):
    return OrganisationFactory(name="Département de la Somme", slug="cd-somme")


def test_an_administrator_finds_a_colleague_and_reads_the_history_of_their_roles(
    page, live_server, login, axe_check, somme
):
    reader = AdminFactory(organisation=somme, first_name="Bastien", last_name="Bernard")
    admin = AdminFactory(organisation=somme, first_name="Ada", last_name="Admin")
    julie = AgentFactory(organisation=somme, first_name="Julie", last_name="Caron")
    roles.grant_role(julie, somme, Role.SPONSOR, actor=admin)
    roles.revoke_role(julie.role_grants.get(role=Role.SPONSOR), actor=admin)
    roles.grant_role(julie, somme, Role.MANAGER, actor=admin)

    login(reader)
    page.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="Annuaire"
    ).click()
    page.get_by_role("link", name="Julie Caron", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Julie Caron")
    history = page.get_by_role("table", name="Attributions et retraits de rôles")
    rows = history.locator("tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("Ada Admin")
    expect(rows.nth(0)).to_contain_text("Attribué")
    expect(rows.nth(1)).to_contain_text("Retiré")
    axe_check(page)
    screenshots(page, "person-history")


def test_the_breakfast_manager_reads_who_registered_waited_left_and_moved_up(
    page, live_server, login, axe_check, somme
):
    delegate = DelegateFactory(organisation=somme, first_name="Dana", last_name="Déléguée")
    ritual = RitualFactory(created_by=delegate, title="Petit-déjeuner de l'innovation", capacity=1)
    occurrence = OccurrenceFactory(ritual=ritual, topic="Le standard qui oriente")
    julie = AgentFactory(organisation=somme, first_name="Julie", last_name="Caron")
    karim = AgentFactory(organisation=somme, first_name="Karim", last_name="Mansouri")
    services.register(occurrence, user=julie)
    services.register(occurrence, user=karim)
    services.unregister(occurrence, user=julie)

    login(delegate)
    page.goto(live_server.url + occurrence.get_absolute_url())

    history = page.get_by_role("table", name="Inscriptions, passages de la liste d'attente")
    rows = history.locator("tbody tr")
    expect(rows).to_have_count(4)
    expect(rows.nth(0)).to_contain_text("Julie Caron")
    expect(rows.nth(0)).to_contain_text("Inscription : Inscrit·e")
    expect(rows.nth(1)).to_contain_text("Inscription : En liste d'attente")
    expect(rows.nth(2)).to_contain_text("Inscrit·e → Désinscrit·e")
    expect(rows.nth(3)).to_contain_text("En liste d'attente → Inscrit·e")
    expect(rows.nth(3)).to_contain_text("par Tremplin")
    axe_check(page)
    screenshots(page, "registration-history")
