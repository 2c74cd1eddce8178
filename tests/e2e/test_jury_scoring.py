"""A forum as it happens: three jurors score on their phones, the delegate closes scoring,
the results and the laureates appear; a juror with a conflict of interest withdraws from a
pitch, and the results say so."""

import re

import pytest
from playwright.sync_api import expect

from ideas.models import Idea
from innovation.platform.models import Role
from juries import scores, services
from juries.models import Forum, Pitch, Score
from tests.e2e.conftest import screenshot
from tests.factories import (
    DEFAULT_PASSWORD,
    CriterionFactory,
    DelegateFactory,
    ForumFactory,
    ForumJurorFactory,
    IdeaFactory,
    OrganisationFactory,
    PitchFactory,
    grant,
)

PHONE = {"width": 390, "height": 844}
TITLES = {
    "somme": "L'album de vie des enfants confiés",
    "nord": "Trouver le bon interlocuteur",
    "oise": "Cantines : mieux informer les familles",
}
# Marks (impact, faisabilité) each juror gives the two pitches they may score.
MARKS = {
    "somme": {"nord": (9, 8), "oise": (6, 5)},
    "nord": {"somme": (8, 8), "oise": (4, 6)},
    "oise": {"somme": (7, 6), "nord": (9, 9)},
}


@pytest.fixture
def forum(transactional_db):
    orgs = {
        key: OrganisationFactory(name=f"Département {name}", slug=f"cd-{key}")
        for key, name in [("somme", "de la Somme"), ("nord", "du Nord"), ("oise", "de l'Oise")]
    }
    delegate = DelegateFactory(organisation=orgs["somme"], first_name="Amina")
    forum = ForumFactory(
        title="1er forum Innovations interdépartemental",
        created_by=delegate,
        organisations=list(orgs.values()),
        stage=Forum.Stage.OPEN,
        laureate_count=2,
    )
    CriterionFactory(forum=forum, name="Impact pour les usagers", weight=2)
    CriterionFactory(forum=forum, name="Faisabilité", weight=1)
    jurors = {
        key: ForumJurorFactory(forum=forum, user__organisation=org, user__first_name=f"Juré {key}")
        for key, org in orgs.items()
    }
    pitches = {
        key: PitchFactory(
            forum=forum,
            idea=IdeaFactory(
                author__organisation=orgs[key], title=TITLES[key], state=Idea.State.SELECTED
            ),
            position=index,
        )
        for index, key in enumerate(["nord", "oise", "somme"], start=1)
    }
    Forum.objects.filter(pk=forum.pk).update(current_pitch=pitches["nord"])
    return {"forum": forum, "delegate": delegate, "jurors": jurors, "pitches": pitches}


def sign_in(page, live_server, user):
    page.goto(live_server.url + "/connexion/")
    page.locator("input[name=username]").fill(user.email)
    page.locator("input[name=password]").fill(DEFAULT_PASSWORD)
    with page.expect_navigation():
        page.locator("form button[type=submit]").click()


def fill_marks(scope, marks):
    scope.get_by_label("Impact pour les usagers").fill(str(marks[0]))
    scope.get_by_label("Faisabilité").fill(str(marks[1]))


def test_three_jurors_score_on_phones_then_results_and_laureates_appear(
    browser, page, live_server, axe_check, forum
):
    url = f"{live_server.url}/forums/{forum['forum'].pk}/noter/"
    for index, (key, juror) in enumerate(forum["jurors"].items()):
        context = browser.new_context(viewport=PHONE)
        phone = context.new_page()
        sign_in(phone, live_server, juror.user)
        phone.goto(url)
        if index == 0:
            axe_check(phone)
        for target, marks in MARKS[key].items():
            title = TITLES[target]
            if target == "nord":
                # The pitch on stage: its form is on the scoring page itself.
                stage = phone.locator("section.on-stage")
                expect(stage).to_contain_text(title)
                fill_marks(stage, marks)
                stage.get_by_role("button", name="Enregistrer mes notes").click()
                expect(stage.get_by_role("status")).to_have_text("✓ Enregistré")
                expect(
                    phone.locator(f"[data-pitch='{forum['pitches'][target].pk}'] .badge")
                ).to_have_text("Noté")
            else:
                phone.get_by_role("link", name=re.compile(f"Noter : {re.escape(title)}")).click()
                expect(phone.get_by_role("heading", name=title)).to_be_visible()
                fill_marks(phone, marks)
                phone.get_by_role("button", name="Enregistrer mes notes").click()
                expect(phone.get_by_role("status").filter(has_text="Enregistré")).to_be_visible()
                phone.goto(url)
        if key == "nord":
            # Their own département's pitch offers no form.
            expect(phone.locator("section.on-stage")).to_contain_text("conflit d'intérêts")
        context.close()

    assert Score.objects.count() == 3 * 2 * 2

    # The delegate watches the board, then closes scoring.
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, live_server, forum["delegate"])
    page.goto(f"{live_server.url}/forums/{forum['forum'].pk}/tableau/")
    expect(page.locator("td.cell-done")).to_have_count(6)
    axe_check(page)
    page.get_by_role("link", name="Chronomètre").click()
    expect(page.locator("[data-timer-clock]")).to_have_text("03:00")
    page.get_by_role("button", name="Démarrer").click()
    expect(page.locator("[data-timer-clock]")).not_to_have_text("03:00", timeout=3000)
    axe_check(page)
    page.get_by_role("link", name="Programme et jury").click()
    axe_check(page)
    page.get_by_role("button", name="Clôturer la notation").click()

    expect(
        page.get_by_role("heading", name="1er forum Innovations interdépartemental")
    ).to_be_visible()
    rows = page.locator("table.results-table tbody tr")
    expect(rows).to_have_count(3)
    # Nord: (2*9+8)/3 and (2*9+9)/3 → raw 8.83; Somme 8 and 6.67; Oise 5.67 and 4.67.
    expect(rows.nth(0)).to_contain_text(TITLES["nord"])
    expect(rows.nth(0)).to_contain_text("Lauréat")
    expect(rows.nth(1)).to_contain_text(TITLES["somme"])
    expect(rows.nth(1)).to_contain_text("Lauréat")
    expect(rows.nth(2)).not_to_contain_text("Lauréat")
    expect(page.get_by_text("Comment les notes sont calculées")).to_be_visible()
    axe_check(page)

    page.get_by_role("button", name="Publier le palmarès").click()
    expect(page.get_by_role("heading", name="Le palmarès")).to_be_visible()
    laureates = page.locator("ol.list-group li")
    expect(laureates).to_have_count(2)
    expect(laureates.nth(0)).to_contain_text(TITLES["nord"])
    axe_check(page)
    assert set(Pitch.objects.filter(laureate=True).values_list("idea__title", flat=True)) == {
        TITLES["nord"],
        TITLES["somme"],
    }
    # The Somme delegate published: the Somme laureate is in accompaniment; the Nord one waits
    # for the Nord delegate.
    assert Idea.objects.get(title=TITLES["somme"]).state == Idea.State.ACCOMPANIED
    assert Idea.objects.get(title=TITLES["nord"]).state == Idea.State.SELECTED


# --- Conflicts of interest and « je me déporte » ----------------------------------------------

DESKTOP = {"width": 1366, "height": 768}
CONFLICT_TITLES = {
    "nord": "Trouver le bon interlocuteur",
    "oise": "Cantines : mieux informer les familles",
    "aisne": "Un guichet unique pour les aidants",
    "somme": "L'album de vie des enfants confiés",
}


@pytest.fixture
def conflicted_forum(transactional_db):
    """Four départements; Hélène, of the Somme, is also the Nord's delegate (a shared
    mission); another juror, of the Aisne, scores too."""
    orgs = {
        key: OrganisationFactory(name=f"Département {name}", slug=f"cd-{key}")
        for key, name in [
            ("somme", "de la Somme"),
            ("nord", "du Nord"),
            ("oise", "de l'Oise"),
            ("aisne", "de l'Aisne"),
        ]
    }
    delegate = DelegateFactory(organisation=orgs["somme"], first_name="Amina")
    forum = ForumFactory(
        title="Forum des quatre départements",
        created_by=delegate,
        organisations=list(orgs.values()),
        stage=Forum.Stage.OPEN,
        laureate_count=1,
    )
    CriterionFactory(forum=forum, name="Impact pour les usagers", weight=2)
    CriterionFactory(forum=forum, name="Faisabilité", weight=1)
    helene = DelegateFactory(organisation=orgs["somme"], first_name="Hélène", last_name="Dubois")
    grant(helene, orgs["nord"], Role.DELEGATE)
    seat = services.add_juror(forum, actor=delegate, user=helene, college="elected")
    other = ForumJurorFactory(forum=forum, user__organisation=orgs["aisne"])
    pitches = {
        key: PitchFactory(
            forum=forum,
            idea=IdeaFactory(
                author__organisation=orgs[key],
                title=CONFLICT_TITLES[key],
                state=Idea.State.SELECTED,
            ),
            position=index,
        )
        for index, key in enumerate(["nord", "oise", "aisne", "somme"], start=1)
    }
    Forum.objects.filter(pk=forum.pk).update(current_pitch=pitches["nord"])
    return {"forum": forum, "delegate": delegate, "seat": seat, "other": other, "pitches": pitches}


def test_a_juror_with_a_conflict_withdraws_from_a_pitch_and_the_results_say_so(
    browser, page, live_server, axe_check, conflicted_forum
):
    f = conflicted_forum
    forum, pitches = f["forum"], f["pitches"]
    url = f"{live_server.url}/forums/{forum.pk}/noter/"
    # The Aisne juror scores the Nord and the Oise pitches.
    for key, marks in {"nord": (6, 6), "oise": (8, 7)}.items():
        scores.save_scores(
            forum,
            actor=f["other"].user,
            pitch=pitches[key],
            values=dict(zip(forum.criteria.values_list("pk", flat=True), marks, strict=True)),
        )

    context = browser.new_context(viewport=PHONE)
    phone = context.new_page()
    sign_in(phone, live_server, f["seat"].user)
    phone.goto(url)

    # The Nord pitch, on stage: her delegate role there makes a conflict, no form.
    stage = phone.locator("section.on-stage")
    expect(stage).to_contain_text("Vous avez un rôle dans cette collectivité")
    expect(stage).to_contain_text("délégué·e à l'innovation")
    expect(stage.locator("form")).to_have_count(0)
    nord = phone.locator(f"[data-pitch='{pitches['nord'].pk}']")
    expect(nord.locator(".badge")).to_have_text("Conflit d'intérêts")
    somme = phone.locator(f"[data-pitch='{pitches['somme'].pk}']")
    expect(somme).to_contain_text("Votre collectivité")
    axe_check(phone)

    # She scores the Oise pitch, then withdraws from it: her marks go.
    oise_title = CONFLICT_TITLES["oise"]
    phone.get_by_role("link", name=re.compile(f"^Noter : {re.escape(oise_title)}")).click()
    fill_marks(phone, (9, 9))
    phone.get_by_role("button", name="Enregistrer mes notes").click()
    expect(phone.get_by_role("status").filter(has_text="Enregistré")).to_be_visible()
    phone.goto(url)
    phone.get_by_role("link", name=f"Me déporter : {oise_title}").click()
    expect(phone.get_by_role("heading", name="Je me déporte")).to_be_visible()
    expect(
        phone.get_by_text("Vos 2 notes déjà données pour ce pitch seront retirées")
    ).to_be_visible()
    expect(
        phone.get_by_text("C'est une déclaration : elle ne peut pas être annulée.")
    ).to_be_visible()
    axe_check(phone)
    phone.get_by_label("Motif (facultatif)").fill("Ma sœur travaille dans l'équipe projet.")
    screenshot(phone, "recusal-confirmation-390x844.png")
    phone.get_by_role("button", name="Je me déporte").click()

    expect(phone).to_have_url(url)
    expect(phone.get_by_text(f"Vous vous êtes déporté·e pour « {oise_title} ».")).to_be_visible()
    oise = phone.locator(f"[data-pitch='{pitches['oise'].pk}']")
    expect(oise.locator(".badge")).to_have_text("Déporté·e")
    expect(oise).to_contain_text("Ma sœur travaille dans l'équipe projet.")
    expect(oise.get_by_role("link")).to_have_count(0)
    axe_check(phone)
    screenshot(phone, "scoring-conflicts-recusal-390x844.png")
    desktop = browser.new_context(viewport=DESKTOP).new_page()
    sign_in(desktop, live_server, f["seat"].user)
    desktop.goto(url)
    screenshot(desktop, "scoring-conflicts-recusal-1366x768.png")
    desktop.context.close()
    context.close()
    assert not Score.objects.filter(juror=f["seat"], pitch=pitches["oise"]).exists()

    # The delegate closes scoring; the results name who withdrew, and count the others only.
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, live_server, f["delegate"])
    page.goto(f"{live_server.url}/forums/{forum.pk}/tableau/")
    cell = page.locator(f"[data-cell='{f['seat'].pk}-{pitches['oise'].pk}']")
    expect(cell).to_have_text("déporté·e")
    # The jury, as the delegates preparing it read it: what each juror does not score.
    page.set_viewport_size(DESKTOP)
    page.get_by_role("link", name="Programme et jury").click()
    juror = page.locator("#jury ~ ul li", has_text="Hélène Dubois")
    expect(juror).to_contain_text(
        "Ne note pas : Département de la Somme (sa collectivité, 1 pitch) ; "
        "Département du Nord (délégué·e à l'innovation, 1 pitch)"
    )
    expect(juror).to_contain_text(f"S'est déporté·e : « {oise_title} »")
    axe_check(page)
    screenshot(page, "forum-jury-conflicts-1366x768.png")
    page.get_by_role("button", name="Clôturer la notation").click()
    row = page.locator("table.results-table tbody tr", has_text=oise_title)
    expect(row).to_contain_text("Déport : Hélène Dubois (Ma sœur travaille dans l'équipe projet.)")
    expect(row.locator("td").nth(4)).to_have_text("1")  # jurors counted: the Aisne juror
    axe_check(page)
    screenshot(page, "results-recusal-1366x768.png")
