"""Whom a person may find (visible_people), the directory every member uses, the people
picker's suggestions and how a typed name is resolved without JavaScript."""

import pytest
from django import forms
from django.http import QueryDict
from django.urls import reverse

from innovation.platform.models import Role
from innovation.platform.permissions import visible_people
from innovation.platform.pickers import PeopleField, PersonField
from tests.factories import (
    AdminFactory,
    AgentFactory,
    CampaignFactory,
    DelegateFactory,
    DirectionFactory,
    ForumFactory,
    OrganisationFactory,
    RitualFactory,
    UserFactory,
    grant,
)

SIGNED_IN = 4  # session, person, role grants, unread count (tests/innovation/test_platform_pages)


@pytest.fixture
def two_organisations():
    return OrganisationFactory(name="Somme"), OrganisationFactory(name="Oise")


# --- visible_people ------------------------------------------------------------------------


@pytest.mark.django_db
def test_visible_people_are_the_members_of_ones_organisations(two_organisations):
    somme, oise = two_organisations
    agent = AgentFactory(organisation=somme)
    colleague = AgentFactory(organisation=somme)
    AgentFactory(organisation=oise)
    AgentFactory(organisation=somme, is_active=False)

    assert set(visible_people(agent)) == {agent, colleague}


@pytest.mark.django_db
def test_visible_people_is_empty_for_a_person_without_a_role():
    nobody = UserFactory(roles=[])
    AgentFactory()

    assert list(visible_people(nobody)) == []


@pytest.mark.django_db
def test_a_delegate_finds_the_people_of_a_shared_campaign(two_organisations):
    somme, oise = two_organisations
    delegate = DelegateFactory(organisation=somme)
    agent = AgentFactory(organisation=somme)
    partner = AgentFactory(organisation=oise)
    CampaignFactory(organisations=[somme, oise])

    assert partner in set(visible_people(delegate))
    assert partner not in set(visible_people(agent))


@pytest.mark.django_db
def test_a_delegate_finds_the_people_of_a_forums_organisations(two_organisations):
    somme, oise = two_organisations
    delegate = DelegateFactory(organisation=somme)
    partner = AgentFactory(organisation=oise)
    forum = ForumFactory(organiser=somme)
    forum.organisations.set([somme, oise])

    assert partner in set(visible_people(delegate))


@pytest.mark.django_db
def test_a_delegate_finds_the_people_invited_to_their_breakfasts(two_organisations):
    somme, oise = two_organisations
    delegate = DelegateFactory(organisation=somme)
    partner = AgentFactory(organisation=oise)
    ritual = RitualFactory(organisation=somme)
    ritual.shared_with.set([oise])

    assert partner in set(visible_people(delegate))


@pytest.mark.django_db
def test_a_delegate_without_sharing_finds_only_their_organisations(two_organisations):
    somme, oise = two_organisations
    delegate = DelegateFactory(organisation=somme)
    AgentFactory(organisation=oise)

    assert {person.organisation for person in visible_people(delegate)} == {somme}


# --- The field, without JavaScript ------------------------------------------------------------


class PickForm(forms.Form):
    person = PersonField(label="Personne")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = visible_people(user)


@pytest.mark.django_db
def test_a_typed_name_that_fits_one_person_chooses_them(two_organisations):
    somme, _ = two_organisations
    agent = AgentFactory(organisation=somme)
    wanted = AgentFactory(organisation=somme, first_name="Maëlle", last_name="Quéré")

    form = PickForm({"person": "maëlle qu"}, user=agent)

    assert form.is_valid(), form.errors
    assert form.cleaned_data["person"] == wanted


@pytest.mark.django_db
def test_a_typed_name_that_fits_several_people_lists_them_next_to_the_field(two_organisations):
    somme, _ = two_organisations
    agent = AgentFactory(organisation=somme)
    direction = DirectionFactory(organisation=somme, name="Routes")
    AgentFactory(organisation=somme, first_name="Paul", last_name="Tellier", direction=direction)
    AgentFactory(
        organisation=somme,
        first_name="Paule",
        last_name="Tellier",
        direction=None,
        job_title="Juriste",
    )

    form = PickForm({"person": "Tellier"}, user=agent)

    assert not form.is_valid()
    assert form.errors["person"] == [
        "Plusieurs personnes correspondent à « Tellier » : Paul Tellier (Routes · Somme) ; "
        "Paule Tellier (Juriste · Somme). Précisez le nom, choisissez dans la liste ou tapez "
        "son adresse e-mail."
    ]


@pytest.mark.django_db
def test_the_exact_full_name_wins_over_longer_ones(two_organisations):
    somme, _ = two_organisations
    agent = AgentFactory(organisation=somme)
    paul = AgentFactory(organisation=somme, first_name="Paul", last_name="Martin")
    AgentFactory(organisation=somme, first_name="Paule", last_name="Martin")

    form = PickForm({"person": "paul martin"}, user=agent)

    assert form.is_valid(), form.errors
    assert form.cleaned_data["person"] == paul


@pytest.mark.django_db
def test_an_email_address_chooses_its_person(two_organisations):
    somme, _ = two_organisations
    agent = AgentFactory(organisation=somme)
    wanted = AgentFactory(organisation=somme, email="c.durand@somme.fr")

    form = PickForm({"person": "C.Durand@Somme.fr"}, user=agent)

    assert form.is_valid(), form.errors
    assert form.cleaned_data["person"] == wanted


@pytest.mark.django_db
def test_a_person_one_may_not_find_is_not_found(two_organisations):
    somme, oise = two_organisations
    agent = AgentFactory(organisation=somme)
    AgentFactory(organisation=oise, first_name="Zélie", last_name="Lointaine")

    form = PickForm({"person": "Zélie Lointaine"}, user=agent)

    assert not form.is_valid()
    assert form.errors["person"] == [
        "Personne ne correspond à « Zélie Lointaine » parmi les personnes que vous pouvez "
        "trouver. Vérifiez l'orthographe, ou tapez son adresse e-mail."
    ]


@pytest.mark.django_db
def test_the_suggestion_chosen_tells_namesakes_apart(two_organisations):
    somme, _ = two_organisations
    agent = AgentFactory(organisation=somme)
    AgentFactory(organisation=somme, first_name="Léa", last_name="Roux")
    second = AgentFactory(organisation=somme, first_name="Léa", last_name="Roux")

    form = PickForm({"person": "Léa Roux", "person_id": str(second.pk)}, user=agent)

    assert form.is_valid(), form.errors
    assert form.cleaned_data["person"] == second


@pytest.mark.django_db
def test_a_chosen_id_outside_the_people_one_may_find_is_ignored(two_organisations):
    somme, oise = two_organisations
    agent = AgentFactory(organisation=somme)
    stranger = AgentFactory(organisation=oise, first_name="Léa", last_name="Roux")

    form = PickForm({"person": "Léa Roux", "person_id": str(stranger.pk)}, user=agent)

    assert not form.is_valid()
    assert form.errors["person"][0].startswith("Personne ne correspond à « Léa Roux »")


@pytest.mark.django_db
def test_the_picker_keeps_what_was_typed_after_an_error(two_organisations):
    somme, _ = two_organisations
    agent = AgentFactory(organisation=somme)

    form = PickForm({"person": "Inconnu <b>"}, user=agent)
    form.is_valid()

    html = str(form["person"])
    assert 'value="Inconnu &lt;b&gt;"' in html
    assert 'name="person_id"' in html
    assert "data-person-picker" in html


# --- Suggestions ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_suggestions_list_people_by_name_with_what_tells_them_apart(client, two_organisations):
    somme, oise = two_organisations
    agent = AgentFactory(organisation=somme)
    direction = DirectionFactory(organisation=somme, name="Collèges")
    wanted = AgentFactory(
        organisation=somme, first_name="Inès", last_name="Caron", direction=direction
    )
    AgentFactory(organisation=oise, first_name="Inès", last_name="Carré")
    client.force_login(agent)

    response = client.get(reverse("people_search"), {"q": "inès car"})

    assert response.json() == {
        "results": [{"id": wanted.pk, "label": "Inès Caron", "detail": "Collèges · Somme"}]
    }


@pytest.mark.django_db
def test_suggestions_never_show_an_email_address(client, two_organisations):
    somme, _ = two_organisations
    agent = AgentFactory(organisation=somme)
    AgentFactory(organisation=somme, first_name="Inès", email="ines.secret@somme.fr")
    client.force_login(agent)

    response = client.get(reverse("people_search"), {"q": "inès"})

    assert "ines.secret" not in response.content.decode()


@pytest.mark.django_db
def test_suggestions_can_be_narrowed_to_one_organisation(client, two_organisations):
    somme, oise = two_organisations
    delegate = DelegateFactory(organisation=somme)
    CampaignFactory(organisations=[somme, oise])
    AgentFactory(organisation=somme, first_name="Yann", last_name="Le Goff")
    partner = AgentFactory(organisation=oise, first_name="Yann", last_name="Le Bris")
    client.force_login(delegate)

    response = client.get(reverse("people_search"), {"q": "yann", "organisation": oise.pk})

    assert [person["id"] for person in response.json()["results"]] == [partner.pk]


@pytest.mark.django_db
@pytest.mark.parametrize("text", ["", "a", "x" * 500, "\x00\x00"])
def test_suggestions_need_two_letters_and_never_fail(client, two_organisations, text):
    somme, _ = two_organisations
    client.force_login(AgentFactory(organisation=somme))

    response = client.get(reverse("people_search"), {"q": text, "organisation": "9" * 30})

    assert response.status_code == 200
    assert response.json() == {"results": []}


@pytest.mark.django_db
def test_suggestions_refuse_a_person_without_an_organisation(client):
    client.force_login(UserFactory(roles=[]))

    response = client.get(reverse("people_search"), {"q": "ab"})

    assert response.status_code == 403


@pytest.mark.django_db
def test_suggestions_need_login(client):
    response = client.get(reverse("people_search"), {"q": "ab"})

    assert response.status_code == 302


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_suggestions_cost_the_same_queries_whatever_the_rows(
    client, two_organisations, django_assert_num_queries, count
):
    somme, _ = two_organisations
    agent = AgentFactory(organisation=somme)
    people = AgentFactory.create_batch(count, organisation=somme, last_name="Lemaire")
    client.force_login(agent)

    # Session, person, role grants, and the search: no menu, so no unread count.
    with django_assert_num_queries(4):
        results = client.get(reverse("people_search"), {"q": "lemaire"}).json()["results"]

    assert {person["id"] for person in results} == {person.pk for person in people}


# --- The directory, for every member -------------------------------------------------------


@pytest.mark.django_db
def test_an_agent_finds_a_colleague_in_the_directory_by_name(client, two_organisations):
    somme, oise = two_organisations
    agent = AgentFactory(organisation=somme)
    direction = DirectionFactory(organisation=somme, name="Ressources humaines")
    AgentFactory(
        organisation=somme,
        first_name="Odile",
        last_name="Vasseur",
        direction=direction,
        job_title="Gestionnaire paie",
        email="odile.vasseur@somme.fr",
    )
    AgentFactory(organisation=oise, first_name="Odile", last_name="Lointaine")
    client.force_login(agent)

    response = client.get(reverse("people_list"), {"q": "odile"})

    page = response.content.decode()
    assert [person.get_full_name() for person in response.context["page"]] == ["Odile Vasseur"]
    assert "Ressources humaines" in page
    assert "Gestionnaire paie" in page
    assert "odile.vasseur@somme.fr" not in page
    assert "Importer un fichier CSV" not in page
    assert "pseudonymiser" not in page


@pytest.mark.django_db
def test_the_directory_refuses_a_person_without_an_organisation(client):
    client.force_login(UserFactory(roles=[]))

    response = client.get(reverse("people_list"))

    assert response.status_code == 403


@pytest.mark.django_db
def test_an_admin_sees_addresses_and_deactivated_accounts_of_their_organisation(
    client, two_organisations
):
    somme, _ = two_organisations
    admin = AdminFactory(organisation=somme)
    gone = AgentFactory(organisation=somme, is_active=False, email="parti@somme.fr")
    client.force_login(admin)

    response = client.get(reverse("people_list"))

    page = response.content.decode()
    assert gone in list(response.context["page"])
    assert "parti@somme.fr" in page
    assert "désactivé" in page


@pytest.mark.django_db
def test_a_delegate_sees_shared_people_without_their_addresses(client, two_organisations):
    somme, oise = two_organisations
    delegate = DelegateFactory(organisation=somme)
    grant(delegate, somme, Role.ADMIN)
    CampaignFactory(organisations=[somme, oise])
    partner = AgentFactory(organisation=oise, last_name="Delattre", email="partenaire@oise.fr")
    client.force_login(delegate)

    response = client.get(reverse("people_list"), {"q": "Delattre"})

    assert list(response.context["page"]) == [partner]
    assert "partenaire@oise.fr" not in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_the_members_directory_costs_the_same_queries_whatever_the_rows(
    client, two_organisations, django_assert_num_queries, count
):
    somme, _ = two_organisations
    agent = AgentFactory(organisation=somme, last_name="Aaron")
    people = AgentFactory.create_batch(count, organisation=somme, job_title="Agent d'accueil")
    client.force_login(agent)

    with django_assert_num_queries(SIGNED_IN + 2):
        page = client.get(reverse("people_list")).content.decode()

    assert all(person.get_full_name() in page for person in people)


# --- Several people -----------------------------------------------------------------------


class TeamForm(forms.Form):
    people = PeopleField(label="Co-auteur·rices", required=False)
    title = forms.CharField()

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["people"].queryset = visible_people(user)


@pytest.mark.django_db
def test_several_people_are_those_kept_and_those_typed(two_organisations):
    somme, _ = two_organisations
    agent = AgentFactory(organisation=somme)
    kept = AgentFactory(organisation=somme, first_name="Anouk", last_name="Berthe")
    AgentFactory(organisation=somme, first_name="Basile", last_name="Morin")  # unticked
    typed = AgentFactory(organisation=somme, first_name="Céleste", last_name="Noyer")
    data = QueryDict(mutable=True)
    data.setlist("people_id", [str(kept.pk)])
    data.update({"people": "céleste noyer ; ", "title": "Idée"})

    form = TeamForm(data, user=agent)

    assert form.is_valid(), form.errors
    assert form.cleaned_data["people"] == [kept, typed]


@pytest.mark.django_db
def test_each_name_not_found_has_its_message_and_the_ticked_people_stay(two_organisations):
    somme, _ = two_organisations
    agent = AgentFactory(organisation=somme)
    kept = AgentFactory(organisation=somme, first_name="Anouk", last_name="Berthe")
    data = QueryDict(mutable=True)
    data.setlist("people_id", [str(kept.pk)])
    data.update({"people": "Personne Inconnue; Autre Absent", "title": ""})

    form = TeamForm(data, user=agent)

    assert not form.is_valid()
    assert [message[:40] for message in form.errors["people"]] == [
        "Personne ne correspond à « Personne Inco",
        "Personne ne correspond à « Autre Absent ",
    ]
    html = str(form["people"])
    assert f'value="{kept.pk}"' in html and "checked" in html
    assert "Anouk Berthe" in html
    assert 'value="Personne Inconnue; Autre Absent"' in html


@pytest.mark.django_db
def test_people_shown_first_are_the_initial_ones(two_organisations):
    somme, _ = two_organisations
    agent = AgentFactory(organisation=somme)
    kept = AgentFactory(organisation=somme, first_name="Anouk", last_name="Berthe")

    form = TeamForm(initial={"people": [kept]}, user=agent)

    assert "Anouk Berthe" in str(form["people"])
