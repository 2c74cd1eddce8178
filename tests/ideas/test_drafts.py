"""Real drafts: a title is enough to save one, submission asks for the rest, long texts say
their limit and are never cut, and a file can come with the first form (issue 15)."""

import re
from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.formats import number_format

from ideas import services
from ideas.models import Attachment, Idea
from tests.factories import AgentFactory, IdeaFactory, OrganisationFactory

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)
COMPLETE = {
    "title": "Un agenda partagé des salles",
    "irritant": "On cherche une salle libre pendant vingt minutes.",
    "proposal": "Un agenda en ligne des salles de réunion.",
    "beneficiaries": Idea.Beneficiaries.AGENTS,
    "expected_impact": "Du temps gagné chaque semaine.",
}
MISSING = ["irritant", "proposal", "beneficiaries", "expected_impact"]


def count(number: int) -> str:
    """A number as the French pages write it (with the locale's thousands separator)."""
    return number_format(number, force_grouping=True)


def draft_of(author, **fields):
    return services.create_idea(author=author, data={"title": "Un brouillon", **fields})


def summary_of(html: str) -> str:
    match = re.search(r'<div class="alert alert-danger error-summary".*?</div>', html, re.S)
    assert match, "no error summary on the page"
    return match.group(0)


# --- A title alone makes a draft ------------------------------------------------------------


@pytest.mark.django_db
def test_draft_with_only_a_title_is_saved(client, agent):
    client.force_login(agent)

    response = client.post(reverse("ideas:create"), {"title": "Des casiers", "action": "draft"})

    idea = Idea.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("ideas:detail", args=[idea.pk])
    assert (idea.state, idea.title, idea.irritant, idea.beneficiaries) == (
        Idea.State.DRAFT,
        "Des casiers",
        "",
        "",
    )


@pytest.mark.django_db
def test_draft_without_a_title_is_refused_with_the_message_next_to_it(client, agent):
    client.force_login(agent)

    response = client.post(
        reverse("ideas:create"), {"irritant": "Ce qui est tapé reste.", "action": "draft"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "title": ["Donnez un titre à l'idée : il suffit pour un brouillon."]
    }
    assert "Ce qui est tapé reste." in response.content.decode()
    assert Idea.objects.count() == 0


# --- Submission asks for every required field -----------------------------------------------


@pytest.mark.django_db
def test_submitting_an_incomplete_idea_marks_each_missing_field(client, agent):
    client.force_login(agent)

    response = client.post(
        reverse("ideas:create"), {"title": "Des casiers", "proposal": "", "action": "submit"}
    )

    form = response.context["form"]
    assert response.status_code == 200
    assert sorted(form.errors) == sorted(MISSING)
    assert form.errors["irritant"] == ["Ce champ est obligatoire pour déposer l'idée."]
    assert Idea.objects.count() == 0


@pytest.mark.django_db
def test_error_summary_is_an_alert_that_links_to_each_field(client, agent):
    client.force_login(agent)

    response = client.post(reverse("ideas:create"), {"title": "Des casiers", "action": "submit"})

    summary = summary_of(response.content.decode())
    assert 'role="alert"' in summary
    assert 'tabindex="-1"' in summary
    assert "4 points à corriger" in summary
    links = re.findall(r'href="#([\w-]+)"', summary)
    assert links == ["id_irritant", "id_proposal", "id_beneficiaries_0", "id_expected_impact"]
    html = response.content.decode()
    assert all(f'id="{target}"' in html for target in links)


@pytest.mark.django_db
def test_form_without_errors_has_no_summary(client, agent):
    client.force_login(agent)

    response = client.get(reverse("ideas:create"))

    assert "error-summary" not in response.content.decode()


@pytest.mark.django_db
def test_complete_draft_is_submitted_from_its_form(client, agent):
    idea = draft_of(agent)
    client.force_login(agent)

    response = client.post(reverse("ideas:edit", args=[idea.pk]), {**COMPLETE, "action": "submit"})

    idea.refresh_from_db()
    assert response.status_code == 302
    assert (idea.state, idea.title) == (Idea.State.SUBMITTED, COMPLETE["title"])


@pytest.mark.django_db
def test_refused_submission_of_a_draft_changes_nothing(client, agent):
    idea = draft_of(agent, irritant="Un irritant déjà écrit.")
    client.force_login(agent)

    response = client.post(
        reverse("ideas:edit", args=[idea.pk]),
        {"title": "Un titre retouché", "irritant": "Un irritant retouché.", "action": "submit"},
    )

    idea.refresh_from_db()
    assert response.status_code == 200
    assert sorted(response.context["form"].errors) == [
        "beneficiaries",
        "expected_impact",
        "proposal",
    ]
    assert "Un irritant retouché." in response.content.decode()
    assert (idea.state, idea.title, idea.irritant) == (
        Idea.State.DRAFT,
        "Un brouillon",
        "Un irritant déjà écrit.",
    )


@pytest.mark.django_db
def test_saving_a_draft_keeps_it_a_draft_with_what_is_typed(client, agent):
    idea = draft_of(agent)
    client.force_login(agent)

    client.post(
        reverse("ideas:edit", args=[idea.pk]),
        {"title": "Un brouillon", "proposal": "Une piste.", "action": "draft"},
    )

    idea.refresh_from_db()
    assert (idea.state, idea.proposal) == (Idea.State.DRAFT, "Une piste.")


@pytest.mark.django_db
def test_submitted_idea_cannot_lose_a_required_field(client, agent):
    idea = IdeaFactory(author=agent, state=Idea.State.SUBMITTED)
    client.force_login(agent)

    response = client.post(
        reverse("ideas:edit", args=[idea.pk]), {**COMPLETE, "proposal": "", "action": "save"}
    )

    idea.refresh_from_db()
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["proposal"]
    assert idea.proposal == "Un rendez-vous en ligne pour les démarches simples."


@pytest.mark.django_db
def test_service_refuses_to_submit_an_incomplete_draft(agent):
    idea = draft_of(agent, proposal="Une piste.")

    with pytest.raises(ValidationError) as refused:
        services.move_idea(idea, to=Idea.State.SUBMITTED, actor=agent)

    idea.refresh_from_db()
    assert sorted(refused.value.message_dict) == ["beneficiaries", "expected_impact", "irritant"]
    assert idea.state == Idea.State.DRAFT


@pytest.mark.django_db
def test_service_refuses_to_empty_a_submitted_idea(agent):
    idea = IdeaFactory(author=agent, state=Idea.State.SUBMITTED)

    with pytest.raises(ValidationError) as refused:
        services.update_idea(idea, actor=agent, data={"irritant": "  "})

    assert list(refused.value.message_dict) == ["irritant"]


@pytest.mark.django_db
def test_incomplete_draft_submitted_from_its_page_is_sent_to_its_form(client, agent):
    idea = draft_of(agent, irritant="Un irritant déjà écrit.")
    client.force_login(agent)

    response = client.post(reverse("ideas:move", args=[idea.pk]), {"to": "submitted"})
    form_page = client.get(response.url)

    idea.refresh_from_db()
    assert response.status_code == 302
    assert response.url == reverse("ideas:edit", args=[idea.pk]) + "?deposer=1"
    assert idea.state == Idea.State.DRAFT
    assert sorted(form_page.context["form"].errors) == [
        "beneficiaries",
        "expected_impact",
        "proposal",
    ]
    assert "Un irritant déjà écrit." in form_page.content.decode()
    assert "Pour déposer l'idée, complétez :" in unescape(summary_of(form_page.content.decode()))


@pytest.mark.django_db
def test_complete_draft_is_submitted_from_its_page(client, agent):
    idea = draft_of(agent, **{**COMPLETE, "title": "Un brouillon"})
    client.force_login(agent)

    client.post(reverse("ideas:move", args=[idea.pk]), {"to": "submitted"})

    idea.refresh_from_db()
    assert idea.state == Idea.State.SUBMITTED


@pytest.mark.django_db
def test_checked_form_of_a_submitted_idea_is_the_plain_form(client, agent):
    idea = IdeaFactory(author=agent, state=Idea.State.SUBMITTED)
    client.force_login(agent)

    response = client.get(reverse("ideas:edit", args=[idea.pk]) + "?deposer=1")

    assert response.status_code == 200
    assert response.context["form"].is_bound is False


@pytest.mark.django_db
def test_checked_form_is_for_the_authors_only(client, agent):
    idea = draft_of(agent)
    colleague = AgentFactory(organisation=agent.organisation)
    stranger = AgentFactory(organisation=OrganisationFactory())
    url = reverse("ideas:edit", args=[idea.pk]) + "?deposer=1"

    anonymous = client.get(url)
    client.force_login(colleague)
    by_colleague = client.get(url)
    client.force_login(stranger)
    by_stranger = client.get(url)

    assert anonymous.status_code == 302
    assert anonymous.url.startswith(reverse("login"))
    # A draft is seen by its authors alone: to anyone else it does not exist.
    assert (by_colleague.status_code, by_stranger.status_code) == (404, 404)


# --- Long texts: a limit said, never a text cut ----------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "limit"),
    [("title", 150), ("irritant", 8000), ("proposal", 10000), ("expected_impact", 5000)],
)
def test_each_limit_is_written_next_to_its_field_without_a_maxlength(client, agent, field, limit):
    client.force_login(agent)

    response = client.get(reverse("ideas:create"))

    bound = response.context["form"][field]
    html = str(bound)
    assert bound.help_text.endswith(f" {count(limit)} caractères au plus.")
    assert f'data-limit="{limit}"' in html
    assert "maxlength" not in html


@pytest.mark.django_db
def test_irritant_over_its_limit_is_refused_with_its_length_and_kept_whole(client, agent):
    irritant = "x" * 8001 + " la fin"
    client.force_login(agent)

    response = client.post(reverse("ideas:create"), {**COMPLETE, "irritant": irritant})

    assert response.status_code == 200
    assert response.context["form"].errors["irritant"] == [
        f"Ce texte compte {count(8008)} caractères pour {count(8000)} au plus : "
        "raccourcissez-le de 8. Rien n'a été coupé."
    ]
    assert irritant in response.content.decode()
    assert Idea.objects.count() == 0


@pytest.mark.django_db
def test_text_of_five_thousand_characters_is_kept_whole(client, agent):
    # The irritant of the issue: 5,000 characters, once cut at 4,000 without a word.
    irritant = ("Les usagers attendent au guichet faute du bon interlocuteur. " * 90)[:5000]
    client.force_login(agent)

    client.post(reverse("ideas:create"), {**COMPLETE, "irritant": irritant, "action": "submit"})

    assert Idea.objects.get().irritant == irritant


@pytest.mark.django_db
def test_line_breaks_count_as_one_character_as_the_counter_counts_them(client, agent):
    # 8,000 characters as the page counts them, 8,999 as a browser sends them (CRLF).
    paragraph = "x" * 7 + "\r\n"
    irritant = paragraph * 999 + "x" * 8
    client.force_login(agent)

    response = client.post(
        reverse("ideas:create"), {**COMPLETE, "irritant": irritant, "action": "submit"}
    )

    saved = Idea.objects.get().irritant
    assert response.status_code == 302
    assert (len(saved), saved.count("\n"), "\r" in saved) == (8000, 999, False)


# --- A file with the first form -------------------------------------------------------------


@pytest.mark.django_db
def test_attachment_of_the_first_form_is_saved_with_the_draft(client, agent):
    client.force_login(agent)

    client.post(
        reverse("ideas:create"),
        {
            "title": "Des casiers",
            "action": "draft",
            "attachment": SimpleUploadedFile("plan.png", PNG, content_type="image/png"),
        },
    )

    attachment = Attachment.objects.select_related("idea").get()
    assert (attachment.idea.title, attachment.original_name, attachment.content_type) == (
        "Des casiers",
        "plan.png",
        "image/png",
    )
    assert attachment.uploaded_by == agent


@pytest.mark.django_db
def test_attachment_of_the_first_form_comes_with_the_submitted_idea(client, agent):
    client.force_login(agent)

    client.post(
        reverse("ideas:create"),
        {**COMPLETE, "action": "submit", "attachment": SimpleUploadedFile("plan.png", PNG)},
    )

    idea = Idea.objects.get()
    assert (idea.state, idea.attachments.count()) == (Idea.State.SUBMITTED, 1)


@pytest.mark.django_db
def test_after_an_error_the_form_says_the_file_must_be_chosen_again(client, agent):
    client.force_login(agent)

    response = client.post(
        reverse("ideas:create"),
        {
            "title": "Des casiers",
            "action": "submit",
            "attachment": SimpleUploadedFile("plan.png", PNG),
        },
    )

    message = (
        "« plan.png » n'est pas encore joint : après une erreur, le navigateur ne peut pas "
        "le garder. Choisissez-le à nouveau avant d'envoyer."
    )
    assert response.context["form"].errors["attachment"] == [message]
    assert 'href="#id_attachment"' in summary_of(response.content.decode())
    assert (Idea.objects.count(), Attachment.objects.count()) == (0, 0)


@pytest.mark.django_db
def test_bad_file_in_the_first_form_is_refused_and_nothing_is_saved(client, agent):
    client.force_login(agent)

    response = client.post(
        reverse("ideas:create"),
        {
            "title": "Des casiers",
            "action": "draft",
            "attachment": SimpleUploadedFile("faux.pdf", b"<html><script>alert(1)</script>"),
        },
    )

    assert response.context["form"].errors == {
        "attachment": ["Le contenu du fichier ne correspond pas à son extension « .pdf »."]
    }
    assert (Idea.objects.count(), Attachment.objects.count()) == (0, 0)


@pytest.mark.django_db
def test_edit_form_has_no_file_field(client, agent):
    idea = draft_of(agent)
    client.force_login(agent)

    response = client.get(reverse("ideas:edit", args=[idea.pk]))

    assert "attachment" not in response.context["form"].fields
    assert 'enctype="multipart/form-data"' not in response.content.decode()


# --- Titles that name their object -----------------------------------------------------------


@pytest.mark.django_db
def test_edit_page_names_the_idea_in_its_title_and_heading(client, agent):
    idea = draft_of(agent)
    client.force_login(agent)

    html = client.get(reverse("ideas:edit", args=[idea.pk])).content.decode()

    assert "<title>Modifier l'idée « Un brouillon » · Tremplin</title>" in html
    assert re.search(r"<h1[^>]*>Modifier l'idée « Un brouillon »</h1>", html)


@pytest.mark.django_db
def test_edit_page_names_the_stored_title_after_a_refused_post(client, agent):
    idea = IdeaFactory(author=agent, title="Un titre enregistré")
    client.force_login(agent)

    # A valid new title, another field missing: the form has copied the title onto the idea.
    response = client.post(
        reverse("ideas:edit", args=[idea.pk]),
        {**COMPLETE, "title": "Un titre tapé", "proposal": "", "action": "save"},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Modifier l'idée « Un titre enregistré » · Tremplin</title>" in html
    assert re.search(r"<h1[^>]*>Modifier l'idée « Un titre enregistré »</h1>", html)
    assert 'value="Un titre tapé"' in html


@pytest.mark.django_db
def test_attachment_page_names_the_idea_in_its_title(client, agent):
    idea = draft_of(agent)
    client.force_login(agent)

    html = client.get(reverse("ideas:attachment_upload", args=[idea.pk])).content.decode()

    assert "<title>Ajouter une pièce jointe à « Un brouillon » · Tremplin</title>" in html


@pytest.mark.django_db
def test_a_drafts_page_says_what_is_left_to_write(client, agent):
    idea = draft_of(agent, irritant="Un irritant déjà écrit.")
    client.force_login(agent)

    page = client.get(idea.get_absolute_url()).content.decode()

    assert "Un irritant déjà écrit." in page
    assert page.count("À compléter avant de déposer l'idée.") == 2
