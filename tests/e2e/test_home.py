"""The home page in a real browser (issue 16): an agent and a delegate find what to do now,
the most urgent first, each block leading to the page where it is done; checked by axe and
photographed at a laptop's and a phone's size."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from ideas.models import Idea
from tests.e2e.conftest import axe_check, screenshot
from tests.factories import (
    AgentFactory,
    CampaignFactory,
    ChallengeFactory,
    DelegateFactory,
    ForumFactory,
    IdeaFactory,
    MandateFactory,
    MandateMemberFactory,
    OccurrenceFactory,
    OrganisationFactory,
    RitualFactory,
    sign_all,
)

SIZES = {"1366x768": {"width": 1366, "height": 768}, "390x844": {"width": 390, "height": 844}}


@pytest.fixture
def somme(transactional_db):
    """An organisation with a little of everything: ideas, a call, a challenge, a breakfast,
    a forum in preparation, a mandate late for its follow-up and a draft one."""
    somme = OrganisationFactory(name="Département de la Somme", slug="cd-somme")
    delegate = DelegateFactory(organisation=somme, first_name="Dana", last_name="Déléguée")
    agent = AgentFactory(organisation=somme, first_name="Inès", last_name="Agent")
    IdeaFactory(
        organisation=somme, author=agent, title="Rappel des rendez-vous PMI par SMS", vote_count=3
    )
    for title, votes in (("Covoiturage entre collèges", 12), ("Accueil sans papier", 7)):
        IdeaFactory(organisation=somme, title=title, vote_count=votes)
    IdeaFactory(organisation=somme, title="Idée déjà déployée", state=Idea.State.DEPLOYED)
    CampaignFactory(organisations=[somme], title="Mobilités douces 2027", created_by=delegate)
    ChallengeFactory(organisation=somme, title="Réduire l'attente à l'accueil")
    ritual = RitualFactory(
        organisation=somme, created_by=delegate, title="Matinale de l'innovation"
    )
    OccurrenceFactory(ritual=ritual)
    ForumFactory(created_by=delegate, title="Forum Innovations interdépartemental")
    started = timezone.localdate() - datetime.timedelta(days=50)
    late = MandateFactory(
        idea__organisation=somme, idea__title="Jardin partagé du collège", starts_on=started
    )
    sign_all(late)
    draft = MandateFactory(idea__organisation=somme, idea__title="Guichet unique", team=0)
    MandateMemberFactory(mandate=draft, agent=agent)
    return {"agent": agent, "delegate": delegate}


def look(page: Page, name: str) -> None:
    """Axe at both sizes, and a picture of each."""
    for size, viewport in SIZES.items():
        page.set_viewport_size(viewport)
        axe_check(page)
        screenshot(page, f"home-{name}-{size}.png")


def test_home_of_an_agent_shows_their_ideas_first_and_leads_to_the_breakfast(
    page, live_server, login, somme
):
    login(somme["agent"])

    headings = page.locator("main h2")
    expect(headings).to_have_text(
        [
            "Mes idées et ce qu'elles deviennent",
            "Le prochain petit-déjeuner",
            "Appels à idées et défis ouverts",
            "Les idées les plus soutenues",
        ]
    )
    top = page.locator("section[aria-labelledby=home-top-ideas]")
    expect(top).to_contain_text("Covoiturage entre collèges")
    expect(top).not_to_contain_text("Idée déjà déployée")
    look(page, "agent")

    page.set_viewport_size(SIZES["1366x768"])
    page.get_by_role("link", name="M'inscrire — Matinale de l'innovation").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Matinale de l'innovation")


def test_home_of_a_delegate_puts_the_late_follow_up_first_and_leads_to_it(
    page, live_server, login, somme
):
    login(somme["delegate"])

    headings = page.locator("main h2")
    expect(headings.first).to_have_text("1 point d'étape en retard")
    expect(headings.nth(1)).to_have_text("3 idées à qualifier")
    expect(page.locator("section[aria-labelledby=home-mandates-in-progress]")).to_contain_text(
        "Guichet unique"
    )
    look(page, "delegate")

    page.set_viewport_size(SIZES["1366x768"])
    overdue = page.locator("section[aria-labelledby=home-overdue-followups]")
    overdue.get_by_role("link", name="Jardin partagé du collège").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Point d'étape")
