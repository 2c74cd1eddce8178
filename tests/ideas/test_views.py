import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from ideas.models import Attachment, Comment, Idea, IdeaEvent, Vote
from tests.factories import (
    AgentFactory,
    CampaignFactory,
    CommentFactory,
    DelegateFactory,
    DirectorFactory,
    IdeaFactory,
    JurorFactory,
)

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)


def idea_form_data(**overrides):
    data = {
        "title": "Un agenda partagé des salles",
        "irritant": "On cherche une salle libre pendant vingt minutes.",
        "proposal": "Un agenda en ligne des salles de réunion.",
        "beneficiaries": Idea.Beneficiaries.AGENTS,
        "expected_impact": "Du temps gagné chaque semaine.",
        "action": "submit",
    }
    data.update(overrides)
    return data


# --- Anonymous people are sent to the login page -------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "needs_pk"),
    [
        ("ideas:list", False),
        ("ideas:export", False),
        ("ideas:board", False),
        ("ideas:create", False),
        ("ideas:campaign_list", False),
        ("ideas:campaign_create", False),
        ("ideas:challenge_create", False),
        ("ideas:detail", True),
        ("ideas:edit", True),
        ("ideas:move", True),
        ("ideas:comment", True),
        ("ideas:attachment_upload", True),
    ],
)
def test_anonymous_is_redirected_to_login(client, name, needs_pk):
    idea = IdeaFactory()
    url = reverse(name, args=[idea.pk] if needs_pk else [])

    response = client.get(url)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


# --- Another organisation's idea is invisible: 404 -------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("ideas:detail", "get"),
        ("ideas:edit", "get"),
        ("ideas:move", "get"),
        ("ideas:vote", "post"),
        ("ideas:follow", "post"),
        ("ideas:comment", "post"),
        ("ideas:support", "post"),
        ("ideas:attachment_upload", "get"),
    ],
)
def test_other_organisation_idea_is_not_found(client, name, method):
    idea = IdeaFactory()
    outsider = DelegateFactory()
    client.force_login(outsider)

    response = getattr(client, method)(reverse(name, args=[idea.pk]) + "?to=qualified")

    assert response.status_code == 404


@pytest.mark.django_db
def test_draft_of_a_colleague_is_not_found(client):
    idea = IdeaFactory(state=Idea.State.DRAFT)
    colleague = DelegateFactory(organisation=idea.organisation)
    client.force_login(colleague)

    response = client.get(reverse("ideas:detail", args=[idea.pk]))

    assert response.status_code == 404


@pytest.mark.django_db
def test_attachment_of_another_organisation_is_not_found(client):
    idea = IdeaFactory()
    attachment = Attachment.objects.create(
        idea=idea,
        file=SimpleUploadedFile("a.png", PNG),
        original_name="a.png",
        content_type="image/png",
        size=len(PNG),
        uploaded_by=idea.author,
    )
    client.force_login(AgentFactory())

    response = client.get(reverse("ideas:attachment_download", args=[attachment.pk]))

    assert response.status_code == 404


# --- A missing role is a 403 ----------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["ideas:board", "ideas:export", "ideas:campaign_create"])
@pytest.mark.parametrize("factory", [AgentFactory, DirectorFactory, JurorFactory])
def test_pipeline_pages_are_for_delegates_only(client, name, factory):
    client.force_login(factory())

    response = client.get(reverse(name))

    assert response.status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("factory", [AgentFactory, JurorFactory])
def test_challenge_creation_is_for_directors_and_delegates(client, factory):
    client.force_login(factory())

    response = client.get(reverse("ideas:challenge_create"))

    assert response.status_code == 403


@pytest.mark.django_db
def test_agent_cannot_move_an_idea(client):
    idea = IdeaFactory()
    agent = AgentFactory(organisation=idea.organisation)
    client.force_login(agent)

    response = client.post(
        reverse("ideas:move", args=[idea.pk]), {"to": "qualified", "support": "internal"}
    )

    assert response.status_code == 403
    idea.refresh_from_db()
    assert idea.state == Idea.State.SUBMITTED


@pytest.mark.django_db
def test_colleague_cannot_edit_an_idea(client):
    idea = IdeaFactory()
    client.force_login(AgentFactory(organisation=idea.organisation))

    response = client.get(reverse("ideas:edit", args=[idea.pk]))

    assert response.status_code == 403


@pytest.mark.django_db
def test_agent_cannot_hide_a_comment(client):
    comment = CommentFactory()
    client.force_login(AgentFactory(organisation=comment.idea.organisation))

    response = client.post(reverse("ideas:comment_hide", args=[comment.pk]), {"reason": "x"})

    assert response.status_code == 403


@pytest.mark.django_db
def test_juror_without_membership_cannot_propose(client):
    juror = JurorFactory(roles=[])
    client.force_login(juror)

    response = client.get(reverse("ideas:create"))

    assert response.status_code == 403


# --- The journey through the pages ----------------------------------------------------------


@pytest.mark.django_db
def test_agent_submits_an_idea(client, agent, delegate):
    client.force_login(agent)

    response = client.post(reverse("ideas:create"), idea_form_data())

    idea = Idea.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("ideas:detail", args=[idea.pk])
    assert idea.state == Idea.State.SUBMITTED
    assert idea.author == agent


@pytest.mark.django_db
def test_agent_saves_a_draft(client, agent):
    client.force_login(agent)

    client.post(reverse("ideas:create"), idea_form_data(action="draft"))

    assert Idea.objects.get().state == Idea.State.DRAFT


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "", "Donnez un titre à l&#x27;idée : il suffit pour un brouillon."),
        ("title", "x" * 151, "Ce texte compte 151 caractères pour 150 au plus"),
        ("irritant", "", "Ce champ est obligatoire pour déposer l&#x27;idée."),
        ("beneficiaries", "everyone", "Sélectionnez un choix valide"),
        ("coauthors", "inconnu@exemple.fr", "Personne ne correspond à « inconnu@exemple.fr »"),
    ],
)
def test_bad_idea_input_keeps_what_was_typed(client, agent, field, value, message):
    client.force_login(agent)

    response = client.post(reverse("ideas:create"), idea_form_data(**{field: value}))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert "Un agenda en ligne des salles de réunion." in response.content.decode()
    assert Idea.objects.count() == 0


@pytest.mark.django_db
def test_closed_campaign_is_not_offered(client, agent):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    campaign = CampaignFactory(
        organisations=[agent.organisation],
        opens_on=yesterday - datetime.timedelta(days=9),
        closes_on=yesterday,
    )
    client.force_login(agent)

    response = client.post(reverse("ideas:create"), idea_form_data(campaign=campaign.pk))

    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in response.content.decode()
    assert Idea.objects.count() == 0


@pytest.mark.django_db
def test_delegate_qualifies_with_a_support_level(client, delegate):
    idea = IdeaFactory(organisation=delegate.organisation)
    client.force_login(delegate)

    response = client.post(
        reverse("ideas:move", args=[idea.pk]), {"to": "qualified", "support": "internal"}
    )

    assert response.status_code == 302
    idea.refresh_from_db()
    assert (idea.state, idea.support) == (Idea.State.QUALIFIED, Idea.Support.INTERNAL)


@pytest.mark.django_db
def test_qualifying_without_support_level_asks_for_it(client, delegate):
    idea = IdeaFactory(organisation=delegate.organisation)
    client.force_login(delegate)

    response = client.post(reverse("ideas:move", args=[idea.pk]), {"to": "qualified"})

    assert response.status_code == 200
    assert "Ce champ est obligatoire." in response.content.decode()
    idea.refresh_from_db()
    assert idea.state == Idea.State.SUBMITTED


@pytest.mark.django_db
def test_refusing_without_reason_keeps_the_form(client, delegate):
    idea = IdeaFactory(organisation=delegate.organisation)
    client.force_login(delegate)

    response = client.post(reverse("ideas:move", args=[idea.pk]), {"to": "not_retained"})

    assert response.status_code == 200
    assert IdeaEvent.objects.count() == 0


@pytest.mark.django_db
def test_transition_not_allowed_from_current_state_says_so(client, delegate):
    idea = IdeaFactory(organisation=delegate.organisation)
    client.force_login(delegate)

    response = client.post(reverse("ideas:move", args=[idea.pk]), {"to": "deployed"}, follow=True)

    assert response.status_code == 200
    assert "ne peut pas aller à « Déployée »" in response.content.decode()
    idea.refresh_from_db()
    assert idea.state == Idea.State.SUBMITTED


@pytest.mark.django_db
def test_unknown_target_state_is_not_found(client, delegate):
    idea = IdeaFactory(organisation=delegate.organisation)
    client.force_login(delegate)

    response = client.get(reverse("ideas:move", args=[idea.pk]) + "?to=nirvana")

    assert response.status_code == 404


@pytest.mark.django_db
def test_vote_then_withdraw_through_the_page(client, agent):
    idea = IdeaFactory(organisation=agent.organisation)
    client.force_login(agent)
    url = reverse("ideas:vote", args=[idea.pk])

    client.post(url, {"vote": "cast"})
    client.post(url, {"vote": "cast"})
    idea.refresh_from_db()
    after_votes = idea.vote_count
    client.post(url, {"vote": "withdraw"})
    idea.refresh_from_db()

    assert (after_votes, idea.vote_count) == (1, 0)


@pytest.mark.django_db
def test_vote_on_own_idea_shows_a_message(client, agent):
    idea = IdeaFactory(author=agent)
    client.force_login(agent)

    response = client.post(reverse("ideas:vote", args=[idea.pk]), {"vote": "cast"}, follow=True)

    assert "Vous ne pouvez pas soutenir votre propre idée." in response.content.decode()
    assert Vote.objects.count() == 0


@pytest.mark.django_db
def test_comment_is_published_and_can_be_hidden_by_delegate(client, agent, delegate):
    idea = IdeaFactory(organisation=agent.organisation)
    client.force_login(agent)
    client.post(reverse("ideas:comment", args=[idea.pk]), {"body": "Je valide !"})
    comment = Comment.objects.get()
    client.force_login(delegate)

    client.post(reverse("ideas:comment_hide", args=[comment.pk]), {"reason": "Hors sujet"})

    comment.refresh_from_db()
    assert comment.hidden_reason == "Hors sujet"
    page = client.get(reverse("ideas:detail", args=[idea.pk])).content.decode()
    assert "Motif : Hors sujet" in page


@pytest.mark.django_db
def test_empty_comment_is_refused(client, agent):
    idea = IdeaFactory(organisation=agent.organisation)
    client.force_login(agent)

    response = client.post(reverse("ideas:comment", args=[idea.pk]), {"body": ""})

    assert response.status_code == 200
    assert "Ce champ est obligatoire." in response.content.decode()


@pytest.mark.django_db
def test_attachment_is_checked_and_served_as_download(client, agent):
    idea = IdeaFactory(author=agent)
    client.force_login(agent)

    client.post(
        reverse("ideas:attachment_upload", args=[idea.pk]),
        {"file": SimpleUploadedFile("plan.png", PNG, content_type="image/png")},
    )
    attachment = Attachment.objects.get()
    response = client.get(reverse("ideas:attachment_download", args=[attachment.pk]))

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="plan.png"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PNG


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("script.exe", b"MZ\x90\x00", "type de fichier n&#x27;est pas accepté"),
        ("fake.pdf", b"<html><script>alert(1)</script>", "ne correspond pas à son extension"),
        ("huge.txt", b"a" * (5 * 1024 * 1024 + 1), "dépasse la taille maximale"),
    ],
)
def test_bad_attachment_is_refused_with_a_message(client, agent, name, content, message):
    idea = IdeaFactory(author=agent)
    client.force_login(agent)

    response = client.post(
        reverse("ideas:attachment_upload", args=[idea.pk]),
        {"file": SimpleUploadedFile(name, content)},
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    assert Attachment.objects.count() == 0


@pytest.mark.django_db
def test_export_contains_exactly_the_filtered_ideas(client, delegate):
    kept = IdeaFactory(organisation=delegate.organisation, title='=HYPERLINK("x")')
    IdeaFactory(organisation=delegate.organisation, state=Idea.State.QUALIFIED)
    client.force_login(delegate)

    response = client.get(reverse("ideas:export") + "?state=submitted")

    lines = b"".join(response.streaming_content).decode("utf-8-sig").strip().splitlines()
    assert len(lines) == 2
    assert lines[1].startswith(f'{kept.pk};"\'=HYPERLINK(""x"")"')


@pytest.mark.django_db
def test_list_filters_by_state_and_ignores_bad_values(client, agent):
    IdeaFactory(organisation=agent.organisation, title="Soumise")
    IdeaFactory(organisation=agent.organisation, title="Qualifiée", state=Idea.State.QUALIFIED)
    client.force_login(agent)

    response = client.get(reverse("ideas:list") + "?state=qualified&campaign=abc&page=zz")

    assert response.status_code == 200
    assert [idea.title for idea in response.context["page"]] == ["Qualifiée"]


@pytest.mark.django_db
def test_director_posts_a_challenge(client, director):
    client.force_login(director)

    response = client.post(
        reverse("ideas:challenge_create"),
        {
            "organisation": director.organisation.pk,
            "title": "Réduire les impressions",
            "description": "Nous imprimons 2 millions de pages par an.",
        },
    )

    assert response.status_code == 302


@pytest.mark.django_db
def test_delegate_opens_a_campaign_with_bad_dates(client, delegate):
    client.force_login(delegate)

    response = client.post(
        reverse("ideas:campaign_create"),
        {
            "title": "Appel 2027",
            "description": "Vos idées",
            "organisations": [delegate.organisation.pk],
            "opens_on": "2027-03-01",
            "closes_on": "2027-02-01",
        },
    )

    assert response.status_code == 200
    assert "La clôture doit suivre l&#x27;ouverture." in response.content.decode()


# Fixed numbers of queries, with 1 and 3 rows: tests/ideas/test_idea_pages.py.
