"""People pickers in a real browser: a delegate seats a juror by typing part of a name and
choosing with the keyboard; an agent finds a colleague in the directory."""

import pytest
from playwright.sync_api import expect

from juries.models import Juror
from tests.e2e.conftest import screenshot
from tests.factories import (
    DEFAULT_PASSWORD,
    AgentFactory,
    DelegateFactory,
    DirectionFactory,
    ForumFactory,
    OrganisationFactory,
)

VIEWPORTS = {"1366x768": {"width": 1366, "height": 768}, "390x844": {"width": 390, "height": 844}}


@pytest.fixture
def somme(transactional_db):
    return OrganisationFactory(name="Département de la Somme", slug="cd-somme")


def test_delegate_seats_a_juror_found_by_name_with_the_keyboard(
    page, live_server, login, axe_check, somme
):
    oise = OrganisationFactory(name="Département de l'Oise", slug="cd-oise")
    delegate = DelegateFactory(organisation=somme)
    forum = ForumFactory(created_by=delegate, organisations=[somme, oise])
    roads = DirectionFactory(organisation=oise, name="Routes")
    AgentFactory(organisation=somme, first_name="Bernard", last_name="Lefort")
    wanted = AgentFactory(
        organisation=oise,
        first_name="Bérénice",
        last_name="Lefort",
        direction=roads,
        job_title="Cheffe de centre",
    )

    page.set_viewport_size(VIEWPORTS["1366x768"])
    login(delegate)
    page.goto(live_server.url + forum.get_absolute_url())
    page.get_by_text("Ajouter un juré").click()
    picker = page.get_by_role("combobox", name="Juré·e")
    picker.press_sequentially("lefo")
    options = page.get_by_role("listbox", name="Personnes trouvées").get_by_role("option")
    expect(options).to_have_count(2)
    expect(options.nth(1)).to_contain_text("Routes · Cheffe de centre · Département de l'Oise")
    axe_check(page)
    screenshot(page, "picker-juror-1366.png")

    picker.press("ArrowDown")
    picker.press("ArrowDown")
    expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    picker.press("Enter")
    expect(picker).to_have_value("Bérénice Lefort")
    expect(page.get_by_role("listbox")).to_be_hidden()
    page.get_by_label("Collège").select_option(label="Agents")
    page.get_by_role("button", name="Ajouter au jury").click()

    expect(page.get_by_role("status").first).to_contain_text("Bérénice Lefort rejoint le jury.")
    assert Juror.objects.get(forum=forum).user == wanted


def test_without_javascript_a_name_that_fits_two_people_lists_them(browser, live_server, somme):
    delegate = DelegateFactory(organisation=somme)
    forum = ForumFactory(created_by=delegate)
    AgentFactory(organisation=somme, first_name="Noël", last_name="Petit")
    AgentFactory(organisation=somme, first_name="Noëlle", last_name="Petit")
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/connexion/")
    page.locator("input[name=username]").fill(delegate.email)
    page.locator("input[name=password]").fill(DEFAULT_PASSWORD)
    page.locator("form button[type=submit]").click()

    page.goto(live_server.url + forum.get_absolute_url())
    page.get_by_text("Ajouter un juré").click()
    page.get_by_label("Juré·e").fill("petit")
    page.get_by_role("button", name="Ajouter au jury").click()

    expect(page.locator(".invalid-feedback, .errorlist").first).to_contain_text(
        "Plusieurs personnes correspondent à « petit » : Noël Petit"
    )
    expect(page.get_by_label("Juré·e")).to_have_value("petit")
    context.close()


def test_agent_finds_a_colleague_in_the_directory(page, live_server, login, axe_check, somme):
    agent = AgentFactory(organisation=somme)
    AgentFactory(
        organisation=somme,
        first_name="Solène",
        last_name="Hamel",
        direction=DirectionFactory(organisation=somme, name="Collèges"),
        job_title="Gestionnaire",
    )

    for size, viewport in VIEWPORTS.items():
        page.set_viewport_size(viewport)
        login(agent)
        page.goto(live_server.url + "/annuaire/")
        page.get_by_label("Rechercher une personne").fill("solène")
        page.get_by_role("button", name="Rechercher").click()
        row = page.get_by_role("row", name="Solène Hamel")
        expect(row).to_contain_text("Collèges")
        expect(row).to_contain_text("Gestionnaire")
        axe_check(page)
        screenshot(page, f"directory-agent-{size}.png")
        if size == "390x844":
            page.locator("summary.site-menu-toggle").click()  # the phone menu holds it
        page.get_by_role("button", name="Se déconnecter").click()


def test_agent_adds_a_coauthor_by_name_who_then_takes_their_name_off(
    page, live_server, login, axe_check, somme
):
    author = AgentFactory(organisation=somme, first_name="Lou", last_name="Garnier")
    colleague = AgentFactory(organisation=somme, first_name="Nour", last_name="Benali")

    page.set_viewport_size(VIEWPORTS["390x844"])
    login(author)
    page.goto(live_server.url + "/idees/proposer/")
    page.get_by_label("Titre de l'idée").fill("Un agenda partagé des salles")
    picker = page.get_by_role("combobox", name="Co-auteur·rices")
    picker.press_sequentially("benal")
    expect(page.get_by_role("option", name="Nour Benali")).to_be_visible()
    picker.press("ArrowDown")
    picker.press("Enter")
    expect(page.get_by_role("checkbox", name="Nour Benali")).to_be_checked()
    expect(picker).to_have_value("")
    axe_check(page)
    screenshot(page, "picker-coauthor-390.png")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    expect(page.get_by_text("Avec Nour Benali")).to_be_visible()
    page.locator("summary.site-menu-toggle").click()  # the phone menu holds the button
    page.get_by_role("button", name="Se déconnecter").click()

    login(colleague)
    page.goto(live_server.url + "/notifications/")
    page.get_by_role(
        "link", name="Vous êtes co-auteur·rice de « Un agenda partagé des salles »"
    ).click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Me retirer des co-auteur·rices").click()
    expect(page.get_by_role("status").first).to_have_text(
        "Vous n'êtes plus co-auteur·rice de cette idée."
    )
