"""Protection for the shy, in a real browser: a delegate allows hidden authors on a campaign,
an agent proposes an idea under « Auteur·rice masqué·e », a colleague reads the mask, the
delegate reads the name."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from ideas.models import Idea
from tests.e2e.conftest import follow_menu, screenshot
from tests.factories import AgentFactory, CampaignFactory, DelegateFactory, OrganisationFactory

HIDDEN = "Auteur·rice masqué·e"
TITLE = "Un casier fermé pour les clés des véhicules"


@pytest.fixture
def somme(transactional_db):
    return OrganisationFactory(name="Département de la Somme", slug="cd-somme")


def test_a_shy_agent_proposes_an_idea_that_only_the_delegates_can_sign(
    page, live_server, login, axe_check, somme
):
    delegate = DelegateFactory(organisation=somme, first_name="Amina", last_name="Roussel")
    shy = AgentFactory(organisation=somme, first_name="Dominique", last_name="Discrète")
    colleague = AgentFactory(organisation=somme, first_name="Karim", last_name="Mansouri")
    campaign = CampaignFactory(
        title="Mieux travailler ensemble", organisations=[somme], created_by=delegate
    )

    # The delegate allows hidden authors on the campaign.
    login(delegate)
    page.goto(live_server.url + reverse("ideas:campaign_edit", args=[campaign.pk]))
    page.get_by_label(
        "Autoriser les idées dont l'auteur·rice n'est connu·e que des délégué·es"
    ).check()
    axe_check(page)
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mieux travailler ensemble")
    page.get_by_role("button", name="Se déconnecter").click()

    # The shy agent proposes an idea and keeps their name for the delegates.
    login(shy)
    page.get_by_role("link", name="Proposer une idée").first.click()
    page.get_by_label("Titre de l'idée").fill(TITLE)
    page.get_by_label("L'irritant").fill("Les clés disparaissent du tableau du garage.")
    page.get_by_label("Votre proposition").fill("Un casier à code pour chaque véhicule.")
    page.get_by_label("Les agents", exact=True).check()
    page.get_by_label("Impact attendu").fill("Moins de tournées retardées.")
    page.get_by_label("Appel à idées").select_option(label="Mieux travailler ensemble")
    box = page.get_by_label("Ne montrer mon nom qu'aux délégué·es")
    box.check()
    axe_check(page)
    screenshot(page, "hidden-author-form.png")
    page.get_by_role("button", name="Déposer l'idée").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    # The author still reads their own name, and is told who else does.
    expect(page.get_by_text("par Dominique Discrète")).to_be_visible()
    expect(page.get_by_text("Nom connu des seul·es délégué·es")).to_be_visible()
    axe_check(page)
    screenshot(page, "hidden-author-own-page.png")
    assert Idea.objects.get(title=TITLE).author_hidden is True
    page.get_by_role("button", name="Se déconnecter").click()

    # A colleague reads the mask, in the list and on the idea's page.
    login(colleague)
    follow_menu(page, "Idées", "Toutes les idées")
    row = page.get_by_role("row").filter(has_text=TITLE)
    expect(row).to_contain_text(HIDDEN)
    expect(page.get_by_text("Dominique Discrète")).to_have_count(0)
    axe_check(page)
    screenshot(page, "hidden-author-list.png")
    row.get_by_role("link", name=TITLE).click()
    expect(page.get_by_text(f"par {HIDDEN}")).to_be_visible()
    expect(page.get_by_text("Dominique Discrète")).to_have_count(0)
    axe_check(page)
    screenshot(page, "hidden-author-colleague-page.png")
    page.get_by_role("button", name="Se déconnecter").click()

    # The delegate reads the name on the board.
    login(delegate)
    follow_menu(page, "Pilotage", "Tableau du pipeline")
    card = page.get_by_role("listitem").filter(has_text=TITLE).last
    expect(card).to_contain_text("Dominique Discrète")
    axe_check(page)
