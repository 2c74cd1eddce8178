"""Real drafts in a real browser (issue 15): an agent saves a title alone, is told what a
submission still lacks, sees the length of a long text as it grows, and keeps a file."""

import re

import pytest
from playwright.sync_api import expect

from ideas.models import Attachment, Idea
from tests.e2e.conftest import screenshot
from tests.factories import AgentFactory, OrganisationFactory

VIEWPORTS = {"1366x768": {"width": 1366, "height": 768}, "390x844": {"width": 390, "height": 844}}
TITLE = "Un annuaire des interlocuteurs par besoin"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)
NUMBER_SPACE = "[\u00a0\u202f ]"  # Intl.NumberFormat("fr") groups with a narrow no-break space


def screenshots(page, name: str) -> None:
    """The page at both sizes (see conftest.screenshot)."""
    for size, viewport in VIEWPORTS.items():
        page.set_viewport_size(viewport)
        screenshot(page, f"{name}-{size}.png")
    page.set_viewport_size(VIEWPORTS["1366x768"])


@pytest.fixture
def agent(transactional_db):
    somme = OrganisationFactory(name="Département de la Somme", slug="cd-somme")
    return AgentFactory(organisation=somme, first_name="Clément", last_name="Leroy")


def counter_of(page, field_id: str):
    return page.locator(f"#div_{field_id} .char-count")


def test_agent_saves_a_title_alone_then_completes_and_submits_the_idea(
    page, live_server, login, axe_check, agent
):
    login(agent)
    page.get_by_role("link", name="Proposer une idée").first.click()
    axe_check(page)
    expect(counter_of(page, "id_irritant")).to_have_text(
        re.compile(f"^0 / 8{NUMBER_SPACE}000 caractères$")
    )
    screenshots(page, "idea-form-empty")

    # A title alone is a draft.
    page.get_by_label("Titre de l'idée").fill(TITLE)
    expect(counter_of(page, "id_title")).to_have_text(f"{len(TITLE)} / 150 caractères")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.locator(".badge.state-draft")).to_have_text("Brouillon")
    expect(page.get_by_text("Brouillon enregistré")).to_be_visible()
    assert Idea.objects.get().state == Idea.State.DRAFT

    # Submitted from its page, the incomplete draft is sent back to its form, marked.
    page.get_by_role("link", name="Déposer", exact=True).click()
    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading")).to_have_text("Pour déposer l'idée, complétez :")
    expect(summary.get_by_role("link")).to_have_count(4)
    expect(page.get_by_label("Titre de l'idée")).to_have_value(TITLE)
    axe_check(page)
    screenshots(page, "idea-form-draft-to-complete")
    assert Idea.objects.get().state == Idea.State.DRAFT

    # A pasted text past the limit is counted, kept whole, and refused.
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Modifier l'idée « {TITLE} »")
    expect(page).to_have_title(f"Modifier l'idée « {TITLE} » · Tremplin")
    irritant = ("Des usagers attendent des mois faute du bon contact. " * 152).strip()  # 8,055
    page.get_by_label("L'irritant").fill(irritant)
    expect(counter_of(page, "id_irritant")).to_have_text(
        re.compile(f"^8{NUMBER_SPACE}055 / 8{NUMBER_SPACE}000 caractères : 55 de trop$")
    )
    expect(counter_of(page, "id_irritant")).to_have_class(re.compile("text-danger"))
    assert page.get_by_label("L'irritant").input_value() == irritant
    page.get_by_role("button", name="Déposer l'idée").click()

    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading")).to_have_text(
        "Rien n'a été enregistré : 4 points à corriger"
    )
    expect(summary.get_by_role("link")).to_have_text(
        [
            "L'irritant : ce que vous observez sur le terrain",
            "Votre proposition",
            "À qui cela profite-t-il ?",
            "Impact attendu",
        ],
        use_inner_text=True,
    )
    # The server counts as the counter did.
    expect(page.locator("#div_id_irritant .invalid-feedback")).to_have_text(
        re.compile(
            f"^\\s*Ce texte compte 8{NUMBER_SPACE}055 caractères pour 8{NUMBER_SPACE}000 au plus : "
            "raccourcissez-le de 55. Rien n'a été coupé.\\s*$"
        )
    )
    expect(counter_of(page, "id_irritant")).to_have_text(re.compile("55 de trop$"))
    expect(page.locator("#div_id_proposal .invalid-feedback")).to_have_text(
        "Ce champ est obligatoire pour déposer l'idée."
    )
    assert page.get_by_label("L'irritant").input_value() == irritant
    axe_check(page)
    screenshots(page, "idea-form-errors")
    assert Idea.objects.get().irritant == ""

    # The summary's links lead to the fields; the agent completes the idea and submits it.
    summary.get_by_role("link", name="Votre proposition").click()
    expect(page).to_have_url(re.compile("#id_proposal$"))
    page.get_by_label("L'irritant").fill(irritant[:4000])
    page.get_by_label("Votre proposition").fill("Un annuaire en ligne des services par besoin.")
    page.get_by_label("Les usagers du service public").check()
    page.get_by_label("Impact attendu").fill("Des situations débloquées plus vite.")
    page.get_by_role("button", name="Déposer l'idée").click()
    expect(page.locator(".badge.state-submitted")).to_have_text("Déposée")
    idea = Idea.objects.get()
    assert (idea.state, len(idea.irritant)) == (Idea.State.SUBMITTED, 4000)


def test_agent_attaches_a_file_in_the_first_form_and_is_told_to_choose_it_again(
    page, live_server, login, axe_check, agent, tmp_path
):
    plan = tmp_path / "plan-des-salles.png"
    plan.write_bytes(PNG)
    login(agent)
    page.get_by_role("link", name="Proposer une idée").first.click()

    # An attempt to submit too early: the file cannot be kept by the browser, the page says so.
    page.get_by_label("Titre de l'idée").fill(TITLE)
    page.get_by_label("Pièce jointe").set_input_files(plan)
    page.get_by_role("button", name="Déposer l'idée").click()
    expect(page.get_by_role("alert")).to_be_focused()
    message = page.locator("#div_id_attachment .invalid-feedback")
    expect(message).to_have_text(
        "« plan-des-salles.png » n'est pas encore joint : après une erreur, le navigateur ne "
        "peut pas le garder. Choisissez-le à nouveau avant d'envoyer."
    )
    expect(page.get_by_label("Titre de l'idée")).to_have_value(TITLE)
    axe_check(page)
    screenshots(page, "idea-form-file-again")

    # Chosen again, the file comes with the draft.
    page.get_by_label("Pièce jointe").set_input_files(plan)
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.get_by_role("link", name="plan-des-salles.png")).to_be_visible()
    axe_check(page)
    attachment = Attachment.objects.select_related("idea").get()
    assert (attachment.idea.state, attachment.original_name) == (
        Idea.State.DRAFT,
        "plan-des-salles.png",
    )


@pytest.mark.browser_context_args(java_script_enabled=False)
def test_without_javascript_limits_and_error_summary_are_still_there(
    page, live_server, login, agent
):
    login(agent)
    page.get_by_role("link", name="Proposer une idée").first.click()

    expect(page.locator(".char-count")).to_have_count(0)
    expect(page.locator("#id_irritant_helptext")).to_have_text(
        re.compile(f"8{NUMBER_SPACE}000 caractères au plus\\.$")
    )
    page.get_by_label("Titre de l'idée").fill(TITLE)
    page.get_by_role("button", name="Déposer l'idée").click()
    summary = page.get_by_role("alert")
    expect(summary.get_by_role("heading")).to_have_text(
        "Rien n'a été enregistré : 4 points à corriger"
    )
    # No axe here: it runs as a script, which this page may not. The other tests check the same
    # pages with it.
    assert Idea.objects.count() == 0
