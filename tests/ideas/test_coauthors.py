"""Co-authors: chosen by name, told when added, free to take their name off an idea."""

import pytest
from django.urls import reverse

from ideas import services
from ideas.models import Follow, Idea
from innovation.platform.models import AuditEvent, Notification
from tests.factories import AgentFactory, IdeaFactory, OrganisationFactory


@pytest.fixture
def somme():
    return OrganisationFactory(name="Somme")


def idea_data(**overrides):
    data = {
        "title": "Un agenda partagé des salles",
        "irritant": "On cherche une salle pendant des heures.",
        "proposal": "Un agenda en ligne des salles de réunion.",
        "beneficiaries": "agents",
        "expected_impact": "Moins de temps perdu.",
        "action": "draft",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_an_author_adds_a_coauthor_by_name_who_is_told_and_follows(client, somme):
    author = AgentFactory(organisation=somme, first_name="Lou", last_name="Garnier")
    colleague = AgentFactory(organisation=somme, first_name="Nour", last_name="Benali")
    client.force_login(author)

    response = client.post(reverse("ideas:create"), idea_data(coauthors="nour ben"))

    assert response.status_code == 302
    idea = Idea.objects.get()
    assert list(idea.coauthors.all()) == [colleague]
    assert Follow.objects.filter(idea=idea, user=colleague).exists()
    told = Notification.objects.get(recipient=colleague, kind="coauthor_added")
    assert told.subject == "Vous êtes co-auteur·rice de « Un agenda partagé des salles »"
    assert "Lou Garnier vous a ajouté·e" in told.body


@pytest.mark.django_db
def test_editing_keeps_the_ticked_coauthors_and_tells_only_the_new_ones(client, somme):
    author = AgentFactory(organisation=somme)
    kept = AgentFactory(organisation=somme, first_name="Inès", last_name="Marchal")
    dropped = AgentFactory(organisation=somme, first_name="Hugo", last_name="Fontaine")
    new = AgentFactory(organisation=somme, first_name="Eva", last_name="Roche")
    idea = services.create_idea(
        author=author, data={"title": "Brouillon"}, coauthors=[kept, dropped]
    )
    Notification.objects.all().delete()
    client.force_login(author)
    data = idea_data(title="Brouillon", coauthors="Eva Roche")
    data["coauthors_id"] = [str(kept.pk)]

    response = client.post(reverse("ideas:edit", args=[idea.pk]), data)

    assert response.status_code == 302
    assert set(idea.coauthors.all()) == {kept, new}
    assert list(Notification.objects.values_list("recipient", flat=True)) == [new.pk]


@pytest.mark.django_db
def test_the_edit_form_shows_the_coauthors_as_ticked_boxes(client, somme):
    author = AgentFactory(organisation=somme)
    coauthor = AgentFactory(organisation=somme, first_name="Inès", last_name="Marchal")
    idea = services.create_idea(author=author, data={"title": "Brouillon"}, coauthors=[coauthor])
    client.force_login(author)

    page = client.get(reverse("ideas:edit", args=[idea.pk])).content.decode()

    assert f'name="coauthors_id" value="{coauthor.pk}"' in page
    assert "Inès Marchal" in page


@pytest.mark.django_db
def test_a_coauthor_takes_their_name_off_and_the_author_is_told(client, somme):
    author = AgentFactory(organisation=somme)
    coauthor = AgentFactory(organisation=somme, first_name="Nour", last_name="Benali")
    idea = IdeaFactory(author=author, organisation=somme, state=Idea.State.SUBMITTED)
    idea.coauthors.add(coauthor)
    Follow.objects.create(idea=idea, user=coauthor)
    client.force_login(coauthor)
    page = client.get(idea.get_absolute_url()).content.decode()
    assert "Me retirer des co-auteur·rices" in page

    response = client.post(reverse("ideas:coauthor_leave", args=[idea.pk]))

    assert response.url == idea.get_absolute_url()
    assert list(idea.coauthors.all()) == []
    assert not Follow.objects.filter(idea=idea, user=coauthor).exists()
    told = Notification.objects.get(recipient=author, kind="coauthor_left")
    assert told.body.startswith("Nour Benali s'est retiré·e des co-auteur·rices")
    event = AuditEvent.objects.get(action="coauthor_left")
    assert (event.actor, event.target_id) == (coauthor, str(idea.pk))


@pytest.mark.django_db
def test_leaving_a_draft_goes_back_to_the_list(client, somme):
    author = AgentFactory(organisation=somme)
    coauthor = AgentFactory(organisation=somme)
    idea = services.create_idea(author=author, data={"title": "Brouillon"}, coauthors=[coauthor])
    client.force_login(coauthor)

    response = client.post(reverse("ideas:coauthor_leave", args=[idea.pk]))

    assert response.url == reverse("ideas:list")
    assert client.get(idea.get_absolute_url()).status_code == 404


@pytest.mark.django_db
def test_someone_who_is_not_a_coauthor_cannot_leave(client, somme):
    idea = IdeaFactory(organisation=somme, state=Idea.State.SUBMITTED)
    client.force_login(AgentFactory(organisation=somme))

    response = client.post(reverse("ideas:coauthor_leave", args=[idea.pk]))

    assert response.status_code == 403


@pytest.mark.django_db
def test_the_author_is_never_their_own_coauthor(somme):
    author = AgentFactory(organisation=somme)

    idea = services.create_idea(author=author, data={"title": "Seule"}, coauthors=[author])

    assert list(idea.coauthors.all()) == []
    assert not Notification.objects.filter(kind="coauthor_added").exists()
