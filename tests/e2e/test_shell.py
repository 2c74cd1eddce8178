"""The shell of every page in a real browser (issue 16): a menu that folds on a phone and
opens by keyboard or without JavaScript, stays on one line at 1,366 px, a focus ring seen on
the navy bar and on white, an idea list whose results come before its filters on a phone;
and the main pages at both sizes, checked by axe and photographed for the note."""

import re

import pytest
from playwright.sync_api import Page, expect

from ideas.models import Idea
from tests.e2e.conftest import axe_check, screenshot
from tests.factories import (
    DEFAULT_PASSWORD,
    AdminFactory,
    IdeaFactory,
    NotificationFactory,
    OrganisationFactory,
    grant,
)
from tests.world import build_world

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 768}
NAVY = (20, 48, 90)
WHITE = (255, 255, 255)
# The bar with its content on one line: the brand mark (32 px) and the buttons (about
# 40 px) with the bar's padding and its 4 px accent line. Two lines would pass 100 px.
ONE_LINE_BAR = 72


@pytest.fixture
def world(transactional_db):
    return build_world()


@pytest.fixture
def busiest(transactional_db):
    """The person with the most menu entries (delegate and admin) and a long first name."""
    somme = OrganisationFactory(name="Département de la Somme", slug="cd-somme")
    person = AdminFactory(organisation=somme, first_name="Marie-Dominique", last_name="Lefèvre")
    grant(person, somme, "delegate")
    NotificationFactory.create_batch(12, recipient=person)  # a two-digit unread count
    return person


def nav(page: Page):
    return page.get_by_role("navigation", name="Navigation principale")


def sign_in(page: Page, live_server, user) -> None:
    """The login form, which needs no JavaScript."""
    page.goto(live_server.url + "/connexion/")
    page.locator("input[name=username]").fill(user.email)
    page.locator("input[name=password]").fill(DEFAULT_PASSWORD)
    with page.expect_navigation():
        page.locator("form button[type=submit]").click()


def luminance(rgb: tuple[int, ...]) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def outline_of(locator) -> tuple[str, tuple[int, ...]]:
    style = locator.evaluate(
        "e => { const s = getComputedStyle(e);"
        " return [s.outlineStyle, s.outlineWidth, s.outlineColor]; }"
    )
    colour = tuple(int(v) for v in re.findall(r"\d+", style[2])[:3])
    return f"{style[0]} {style[1]}", colour


def test_phone_menu_is_folded_and_opens_by_keyboard(page, live_server, login, world):
    page.set_viewport_size(PHONE)
    login(world.delegate)
    menu = nav(page).locator("summary.site-menu-toggle")
    directory = nav(page).get_by_role("link", name="Annuaire")
    expect(directory).to_be_hidden()
    bar = nav(page).bounding_box()
    assert bar is not None and bar["height"] < ONE_LINE_BAR

    # Skip link, brand, then the menu's toggle; Enter opens it.
    for _ in range(3):
        page.keyboard.press("Tab")
    expect(menu).to_be_focused()
    page.keyboard.press("Enter")
    expect(directory).to_be_visible()
    screenshot(page, "menu-open-390x844.png")
    axe_check(page)

    # A group opens the same way; Escape closes it, then the menu, focus back on its toggle.
    meetings = nav(page).locator("summary", has_text="Rendez-vous")
    meetings.focus()
    page.keyboard.press("Enter")
    expect(nav(page).get_by_role("link", name="Petits-déjeuners")).to_be_visible()
    page.keyboard.press("Escape")
    expect(nav(page).get_by_role("link", name="Petits-déjeuners")).to_be_hidden()
    expect(meetings).to_be_focused()
    page.keyboard.press("Escape")
    expect(directory).to_be_hidden()
    expect(menu).to_be_focused()


def test_phone_menu_works_without_javascript(browser, live_server, world):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    sign_in(page, live_server, world.author)
    expect(nav(page).get_by_role("link", name="Annuaire")).to_be_hidden()

    nav(page).locator("summary.site-menu-toggle").click()
    nav(page).locator("summary", has_text="Rendez-vous").click()
    nav(page).get_by_role("link", name="Petits-déjeuners").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Petits-déjeuners")
    expect(nav(page).get_by_role("link", name="Petits-déjeuners")).to_be_hidden()
    context.close()


def assert_bar_fits(page: Page, width: int) -> None:
    """One line, nothing cut at the right edge, no sideways scrolling."""
    bar = nav(page).bounding_box()
    assert bar is not None and bar["height"] < ONE_LINE_BAR
    logout = nav(page).get_by_role("button", name="Se déconnecter").bounding_box()
    assert logout is not None and logout["x"] + logout["width"] <= width
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_menu_holds_on_one_line_at_1366_even_for_the_busiest_person(
    page, live_server, login, busiest
):
    page.set_viewport_size(LAPTOP)
    login(busiest)

    assert_bar_fits(page, LAPTOP["width"])
    tops = {
        round(box["y"])
        for box in (
            item.bounding_box() for item in nav(page).locator(".site-menu-body > ul > li").all()
        )
        if box
    }
    assert max(tops) - min(tops) <= 4  # every top-level entry on the same row
    # Few entries at the top; the delegate's and admin's in a group of their own.
    groups = nav(page).locator(".site-menu-main > li > details > summary").all_inner_texts()
    assert groups == ["Idées", "Rendez-vous", "Pilotage"]
    expect(nav(page).get_by_role("link", name="Journal d'audit")).to_be_hidden()
    nav(page).locator("summary", has_text="Pilotage").click()
    expect(nav(page).get_by_role("link", name="Journal d'audit")).to_be_visible()
    # One group open at a time; a click elsewhere closes it.
    nav(page).locator("summary", has_text="Idées").click()
    expect(nav(page).get_by_role("link", name="Journal d'audit")).to_be_hidden()
    expect(nav(page).get_by_role("link", name="Toutes les idées")).to_be_visible()
    screenshot(page, "menu-group-1366x768.png")
    axe_check(page)
    page.mouse.click(5, LAPTOP["height"] - 5)
    expect(nav(page).get_by_role("link", name="Toutes les idées")).to_be_hidden()


def test_menu_holds_on_one_line_from_992_px(page, live_server, login, busiest):
    page.set_viewport_size({"width": 992, "height": 768})
    login(busiest)

    assert_bar_fits(page, 992)
    expect(nav(page).locator("summary.site-menu-toggle")).to_be_hidden()
    expect(nav(page).get_by_role("button", name="Se déconnecter")).to_be_visible()
    expect(nav(page).get_by_role("link", name="Notifications")).to_be_visible()
    screenshot(page, "menu-992x768.png")


def test_focus_ring_is_seen_on_the_navy_bar_and_on_white(page, live_server, login, world):
    page.set_viewport_size(LAPTOP)
    login(world.agent)

    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Tab")  # the brand, on the bar
    brand = nav(page).get_by_role("link", name="Tremplin")
    expect(brand).to_be_focused()
    style, colour = outline_of(brand)
    assert style == "solid 3px"
    assert contrast(colour, NAVY) >= 3

    page.goto(live_server.url + "/idees/")
    search = page.get_by_label("Rechercher")
    search.focus()
    style, colour = outline_of(search)
    assert style == "solid 3px"
    assert contrast(colour, WHITE) >= 3

    # In a group's white panel, the ring turns navy again.
    nav(page).locator("summary", has_text="Idées").click()
    link = nav(page).get_by_role("link", name="Toutes les idées")
    link.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    expect(link).to_be_focused()
    style, colour = outline_of(link)
    assert style == "solid 3px"
    assert contrast(colour, WHITE) >= 3


def test_idea_list_shows_results_before_folded_filters_on_a_phone(page, live_server, login, world):
    page.set_viewport_size(PHONE)
    login(world.agent)
    page.goto(live_server.url + "/idees/")

    first_card = page.get_by_role("row").filter(has_text=world.idea.title)
    search = page.get_by_label("Rechercher")
    panel = page.locator("summary", has_text="Filtrer les idées")
    expect(first_card).to_be_visible()
    expect(search).to_be_hidden()
    card_box, panel_box = first_card.bounding_box(), panel.bounding_box()
    assert card_box and panel_box and card_box["y"] < panel_box["y"]
    # The row is a card: no wider than the screen, no sideways scrolling.
    assert card_box["width"] <= PHONE["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    axe_check(page)

    panel.click()
    expect(search).to_be_visible()
    page.get_by_label("Déposée").check()
    page.get_by_role("button", name="Filtrer").click()
    expect(page.get_by_role("status")).to_have_text("1 idée")
    expect(panel).to_contain_text("filtres appliqués")
    screenshot(page, "idea-list-filtered-390x844.png")


def test_idea_list_keeps_its_filters_in_sight_beside_the_results_on_a_laptop(
    page, live_server, login, world
):
    page.set_viewport_size(LAPTOP)
    login(world.agent)
    page.goto(live_server.url + "/idees/")

    search = page.get_by_label("Rechercher")
    table = page.get_by_role("table", name="Idées correspondant aux filtres")
    expect(search).to_be_visible()
    expect(table.get_by_role("columnheader", name="Commentaires")).to_be_visible()
    search_box, table_box = search.bounding_box(), table.bounding_box()
    assert search_box and table_box and search_box["x"] > table_box["x"] + table_box["width"]
    assert search_box["y"] < LAPTOP["height"]
    # The eight columns fit their side of the page: no scrolling inside the table either.
    assert page.locator(".table-responsive").evaluate("e => e.scrollWidth <= e.clientWidth")


def test_board_shows_its_columns_before_folded_filters_on_a_phone(page, live_server, login, world):
    page.set_viewport_size(PHONE)
    login(world.delegate)
    page.goto(live_server.url + "/idees/tableau/")

    search = page.get_by_label("Rechercher")
    panel = page.locator("summary", has_text="Filtrer les idées")
    columns = page.get_by_role("list", name="Étapes du pipeline")
    expect(search).to_be_hidden()
    panel_box, columns_box = panel.bounding_box(), columns.bounding_box()
    # Folded, the filters take one line, and the columns follow it.
    assert panel_box and columns_box and panel_box["height"] < 60
    assert columns_box["y"] < panel_box["y"] + panel_box["height"] + 40
    axe_check(page)

    panel.click()
    expect(search).to_be_visible()
    page.get_by_label("Collectivité").select_option(label=world.org.name)
    page.get_by_role("button", name="Filtrer").click()
    expect(panel).to_contain_text("filtres appliqués")
    expect(columns.get_by_role("link", name=world.idea.title, exact=True)).to_be_visible()
    screenshot(page, "board-filtered-390x844.png")


def test_board_filters_stay_open_on_a_laptop(page, live_server, login, world):
    page.set_viewport_size(LAPTOP)
    login(world.delegate)
    page.goto(live_server.url + "/idees/tableau/")

    expect(page.get_by_label("Rechercher")).to_be_visible()
    screenshot(page, "board-1366x768.png")


def test_step_badges_keep_one_colour_per_step_in_list_and_detail(page, live_server, login, world):
    IdeaFactory(organisation=world.org, state=Idea.State.DEPLOYED)
    page.set_viewport_size(LAPTOP)
    login(world.agent)
    page.goto(live_server.url + "/idees/")

    colours = {}
    for badge in page.locator(".idea-table .badge[class*='state-']").all():
        state = re.search(r"state-(\w+)", badge.get_attribute("class") or "").group(1)
        colour = badge.evaluate("e => getComputedStyle(e).backgroundColor")
        assert colours.setdefault(state, colour) == colour
        assert contrast(tuple(int(v) for v in re.findall(r"\d+", colour)[:3]), WHITE) >= 4.5
    assert {"submitted", "selected", "accompanied", "deployed"} <= set(colours)
    assert len(set(colours.values())) == len(colours)  # a colour of its own for each step

    page.goto(live_server.url + world.idea_selected.get_absolute_url())
    detail = page.locator(".badge.state-selected").first.evaluate(
        "e => getComputedStyle(e).backgroundColor"
    )
    assert detail == colours["selected"]


def test_home_shows_my_ideas_with_the_colour_of_their_step(page, live_server, login, world):
    page.set_viewport_size(LAPTOP)
    login(world.author)
    page.goto(live_server.url + "/")

    mine = page.get_by_role("region", name="Mes idées")
    badge = mine.locator(".badge", has_text="Sélectionnée").first
    expect(badge).to_be_visible()
    colour = badge.evaluate("e => getComputedStyle(e).backgroundColor")
    assert colour == "rgb(154, 74, 0)"  # .state-selected in tremplin.css, not the grey badge


# The main pages, by who sees them; each checked by axe and photographed at both sizes.
MAIN_PAGES = [
    ("agent", "home", lambda w: "/"),
    ("agent", "idea-list", lambda w: "/idees/"),
    ("author", "idea-detail", lambda w: w.idea.get_absolute_url()),
    ("agent", "idea-form", lambda w: "/idees/proposer/"),
    ("agent", "campaigns", lambda w: "/idees/appels/"),
    ("agent", "campaign", lambda w: f"/idees/appels/{w.campaign.pk}/"),
    ("author", "breakfasts", lambda w: "/petits-dejeuners/"),
    ("agent", "forums", lambda w: "/forums/"),
    ("author", "mandates", lambda w: "/idees/mandats/"),
    ("agent", "directory", lambda w: "/annuaire/"),
    ("author", "notifications", lambda w: "/notifications/"),
    ("delegate", "board", lambda w: "/idees/tableau/"),
    ("delegate", "dashboard", lambda w: "/pilotage/"),
]


def test_main_pages_pass_axe_at_both_sizes(page, live_server, login, world):
    signed_in = None
    for who, name, url in MAIN_PAGES:
        if who != signed_in:
            page.context.clear_cookies()
            login(getattr(world, who))
            signed_in = who
        page.goto(live_server.url + url(world))
        for size, viewport in (("390x844", PHONE), ("1366x768", LAPTOP)):
            page.set_viewport_size(viewport)
            assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], (
                f"{name} scrolls sideways at {size}"
            )
            axe_check(page)
            screenshot(page, f"shell-{name}-{size}.png")
