"""Mandate pages: who may open each one, what bad input gives, and fixed query counts."""

import datetime
import re
from decimal import Decimal
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from ideas.mandates import services as mandates
from ideas.models import FollowUp, Idea, Mandate, Signature
from tests.factories import (
    AgentFactory,
    DelegateFactory,
    DirectionFactory,
    DirectorFactory,
    IdeaFactory,
    ManagerFactory,
    MandateFactory,
    MandateMemberFactory,
    OrganisationFactory,
    SponsorFactory,
    active_mandate,
    sign_all,
)

pytestmark = pytest.mark.django_db


def login_url(url: str) -> str:
    return f"{reverse('login')}?next={url}"


# --- Who may open what ---------------------------------------------------------------------

MANDATE_PAGES = [
    ("ideas:mandate_detail", "get"),
    ("ideas:mandate_print", "get"),
    ("ideas:mandate_edit", "get"),
    ("ideas:mandate_send", "post"),
    ("ideas:mandate_sign", "get"),
    ("ideas:mandate_end", "get"),
]


@pytest.mark.parametrize(("name", "method"), MANDATE_PAGES)
def test_mandate_pages_send_anonymous_visitors_to_login(client, name, method):
    mandate = MandateFactory()
    url = reverse(name, args=[mandate.pk])

    response = getattr(client, method)(url)

    assert response.status_code == 302
    assert response.url == login_url(url)


@pytest.mark.parametrize(("name", "method"), MANDATE_PAGES)
def test_another_organisations_mandate_is_a_404(client, name, method):
    mandate = MandateFactory()
    client.force_login(DelegateFactory(organisation=OrganisationFactory()))

    response = getattr(client, method)(reverse(name, args=[mandate.pk]))

    assert response.status_code == 404


@pytest.mark.parametrize(("name", "method"), MANDATE_PAGES)
def test_a_colleague_outside_the_mandate_does_not_see_it(client, name, method):
    mandate = MandateFactory()
    client.force_login(AgentFactory(organisation=mandate.organisation))

    response = getattr(client, method)(reverse(name, args=[mandate.pk]))

    assert response.status_code == 404


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("ideas:mandate_edit", "get"),
        ("ideas:mandate_send", "post"),
        ("ideas:mandate_end", "get"),
    ],
)
def test_a_party_cannot_run_the_delegates_actions(client, name, method):
    mandate = MandateFactory()
    client.force_login(mandate.sponsor)

    response = getattr(client, method)(reverse(name, args=[mandate.pk]))

    assert response.status_code == 403


def test_every_party_and_the_delegate_see_the_mandate(client):
    mandate = MandateFactory()
    member = mandate.members.get()
    for person in (
        mandate.sponsor,
        mandate.client_director,
        member.agent,
        member.manager,
        mandate.created_by,
    ):
        client.force_login(person)
        response = client.get(mandate.get_absolute_url())
        assert response.status_code == 200, person


def test_signing_is_for_parties_only(client):
    mandate = MandateFactory()
    mandates.send_for_signature(mandate, actor=mandate.created_by)
    client.force_login(mandate.created_by)  # the delegate sees it but is no party

    response = client.post(reverse("ideas:mandate_sign", args=[mandate.pk]), {"decision": "signed"})

    assert response.status_code == 403
    assert Signature.objects.count() == 0


@pytest.mark.parametrize(
    "name", ["ideas:mandate_list", "ideas:mandate_signatures", "ideas:mandate_export"]
)
def test_lists_send_anonymous_visitors_to_login(client, name):
    url = reverse(name)

    response = client.get(url)

    assert (response.status_code, response.url) == (302, login_url(url))


def test_create_sends_anonymous_visitors_to_login(client):
    url = reverse("ideas:mandate_create")

    assert client.get(url).url == login_url(url)


def test_create_and_export_are_for_delegates(client):
    client.force_login(AgentFactory())

    assert client.get(reverse("ideas:mandate_create")).status_code == 403
    assert client.get(reverse("ideas:mandate_export")).status_code == 403


def test_create_for_another_organisations_idea_is_a_404(client):
    idea = IdeaFactory(state=Idea.State.SELECTED)
    client.force_login(DelegateFactory(organisation=OrganisationFactory()))

    response = client.get(reverse("ideas:mandate_create") + f"?idee={idea.pk}")

    assert response.status_code == 404


def test_followup_page_permissions(client):
    mandate = active_mandate()
    followup = mandate.followups.first()
    url = reverse("ideas:followup_record", args=[followup.pk])

    assert client.get(url).url == login_url(url)
    client.force_login(mandate.sponsor)
    assert client.get(url).status_code == 403
    client.force_login(DelegateFactory(organisation=OrganisationFactory()))
    assert client.get(url).status_code == 404
    client.force_login(AgentFactory(organisation=mandate.organisation))
    assert client.get(url).status_code == 404
    client.force_login(mandate.members.get().agent)
    assert client.get(url).status_code == 200
    client.force_login(mandate.created_by)
    assert client.get(url).status_code == 200


def test_the_overview_shows_each_person_their_own_mandates(client):
    mine = MandateFactory()
    other = MandateFactory(organisation=mine.organisation, idea__organisation=mine.organisation)
    MandateFactory()  # another organisation

    client.force_login(mine.sponsor)
    response = client.get(reverse("ideas:mandate_list"))
    assert [m.pk for m in response.context["page"]] == [mine.pk]

    delegate = DelegateFactory(organisation=mine.organisation)
    client.force_login(delegate)
    response = client.get(reverse("ideas:mandate_list"))
    assert {m.pk for m in response.context["page"]} == {mine.pk, other.pk}


def test_the_overview_puts_overdue_mandates_first(client):
    today = timezone.localdate()
    on_time = active_mandate(starts_on=today, ends_on=today + datetime.timedelta(days=90))
    late = active_mandate(
        organisation=on_time.organisation,
        idea__organisation=on_time.organisation,
        starts_on=today - datetime.timedelta(days=50),
        ends_on=today + datetime.timedelta(days=40),
    )
    client.force_login(DelegateFactory(organisation=on_time.organisation))

    response = client.get(reverse("ideas:mandate_list"))

    page = list(response.context["page"])
    assert [m.pk for m in page] == [late.pk, on_time.pk]
    assert page[0].overdue is True
    assert "En retard" in response.content.decode()


# --- Drafting through the form ---------------------------------------------------------------


def form_data(mandate_org, idea, **changes) -> dict:
    today = timezone.localdate()
    agent = AgentFactory(organisation=mandate_org)
    manager = ManagerFactory(organisation=mandate_org)
    data = {
        "idee": idea.pk,
        "sponsor": SponsorFactory(organisation=mandate_org).pk,
        "client_direction": DirectionFactory(organisation=mandate_org).pk,
        "client_director": DirectorFactory(organisation=mandate_org).pk,
        "objectives": "Tester le rappel SMS.",
        "resources": "",
        "budget": "1 500,50",
        "starts_on": today.isoformat(),
        "ends_on": (today + datetime.timedelta(days=80)).isoformat(),
        "duration_reason": "",
        "protection_clause": "Le temps libéré est compté dans la charge de travail.",
        "equipe-TOTAL_FORMS": "3",
        "equipe-INITIAL_FORMS": "0",
        "equipe-MIN_NUM_FORMS": "0",
        "equipe-MAX_NUM_FORMS": "30",
        "equipe-0-agent": agent.email,
        "equipe-0-manager": manager.email,
        "equipe-0-freed_hours_per_week": "3,5",
    }
    data.update(changes)
    return data


def test_delegate_drafts_a_mandate_through_the_form(client):
    idea = IdeaFactory(state=Idea.State.SELECTED)
    delegate = DelegateFactory(organisation=idea.organisation)
    client.force_login(delegate)
    url = reverse("ideas:mandate_create") + f"?idee={idea.pk}"
    assert client.get(url).status_code == 200

    response = client.post(url, form_data(idea.organisation, idea))

    mandate = Mandate.objects.get()
    assert response.status_code == 302
    assert response.url == mandate.get_absolute_url()
    assert mandate.budget == Decimal("1500.50")
    assert mandate.members.get().freed_hours_per_week == Decimal("3.5")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"sponsor": ""}, "Un mandat a besoin d'un sponsor."),
        ({"ends_on": "2020-01-01"}, "La date de fin doit être postérieure à la date de début."),
        (
            {
                "equipe-0-agent": "",
                "equipe-0-manager": "",
                "equipe-0-freed_hours_per_week": "",
            },
            "Un mandat engage au moins un agent : ajoutez l'équipe projet.",
        ),
        ({"equipe-0-freed_hours_per_week": "0"}, "Le temps libéré doit être un nombre"),
        ({"equipe-0-freed_hours_per_week": "-2"}, "Le temps libéré doit être un nombre"),
        (
            {"equipe-0-agent": "inconnu@ailleurs.fr"},
            "Personne ne correspond à « inconnu@ailleurs.fr »",
        ),
    ],
)
def test_bad_input_on_the_form_gives_a_message_and_keeps_what_was_typed(client, changes, message):
    idea = IdeaFactory(state=Idea.State.SELECTED)
    client.force_login(DelegateFactory(organisation=idea.organisation))
    data = form_data(idea.organisation, idea, **changes)

    response = client.post(reverse("ideas:mandate_create") + f"?idee={idea.pk}", data)

    assert response.status_code == 200
    html = unescape(response.content.decode())
    assert message in html
    assert "Tester le rappel SMS." in html  # what was typed is still there
    assert Mandate.objects.count() == 0


def test_changing_terms_through_the_form_says_signatures_were_voided(client):
    mandate = MandateFactory()
    member = mandate.members.get()
    mandates.send_for_signature(mandate, actor=mandate.created_by)
    mandates.sign_mandate(mandate, signer=mandate.sponsor, decision="signed")
    client.force_login(mandate.created_by)
    data = {
        "sponsor": mandate.sponsor_id,
        "client_direction": mandate.client_direction_id,
        "client_director": mandate.client_director_id,
        "objectives": "Objectifs revus avec la direction.",
        "resources": mandate.resources,
        "budget": "",
        "starts_on": mandate.starts_on.isoformat(),
        "ends_on": mandate.ends_on.isoformat(),
        "duration_reason": "",
        "protection_clause": mandate.protection_clause,
        "equipe-TOTAL_FORMS": "1",
        "equipe-INITIAL_FORMS": "1",
        "equipe-MIN_NUM_FORMS": "0",
        "equipe-MAX_NUM_FORMS": "30",
        "equipe-0-agent": member.agent.email,
        "equipe-0-manager": member.manager.email,
        "equipe-0-freed_hours_per_week": "3,5",
    }

    response = client.post(reverse("ideas:mandate_edit", args=[mandate.pk]), data, follow=True)

    assert "la signature déjà recueillie est annulée" in response.content.decode()
    mandate.refresh_from_db()
    assert mandate.terms_version == 2


# --- Signing through the page ----------------------------------------------------------------


def test_a_party_signs_for_themselves_even_if_the_form_names_someone_else(client):
    mandate = MandateFactory()
    mandates.send_for_signature(mandate, actor=mandate.created_by)
    client.force_login(mandate.sponsor)

    client.post(
        reverse("ideas:mandate_sign", args=[mandate.pk]),
        {"decision": "signed", "signer": mandate.client_director_id},
    )

    assert list(Signature.objects.values_list("signer", "party")) == [
        (mandate.sponsor_id, "sponsor")
    ]


def test_signing_twice_through_the_page_shows_a_message(client):
    mandate = MandateFactory()
    mandates.send_for_signature(mandate, actor=mandate.created_by)
    client.force_login(mandate.sponsor)
    url = reverse("ideas:mandate_sign", args=[mandate.pk])
    client.post(url, {"decision": "signed"})

    response = client.post(url, {"decision": "signed"}, follow=True)

    assert "Vous avez déjà répondu à cette version du mandat" in response.content.decode()
    assert Signature.objects.count() == 1


def test_declining_without_a_comment_keeps_the_form(client):
    mandate = MandateFactory()
    mandates.send_for_signature(mandate, actor=mandate.created_by)
    client.force_login(mandate.sponsor)

    response = client.post(
        reverse("ideas:mandate_sign", args=[mandate.pk]), {"decision": "declined"}
    )

    assert response.status_code == 200
    assert "Expliquez votre refus" in response.content.decode()
    assert Signature.objects.count() == 0


def test_the_last_signature_activates_the_mandate(client):
    mandate = MandateFactory()
    member = mandate.members.get()
    sign_all(mandate, except_for=[member.manager])
    client.force_login(member.manager)

    response = client.post(
        reverse("ideas:mandate_sign", args=[mandate.pk]), {"decision": "signed"}, follow=True
    )

    assert "le mandat est actif" in response.content.decode()
    assert FollowUp.objects.filter(mandate=mandate).exists()


def test_printable_view_shows_signatures_with_dates_and_a_print_stylesheet(client):
    mandate = active_mandate()
    client.force_login(mandate.sponsor)

    response = client.get(reverse("ideas:mandate_print", args=[mandate.pk]))

    html = response.content.decode()
    assert "css/print.css" in html
    assert "style=" not in html
    assert "<script>" not in html
    assert html.count("Signé") == 4
    date = timezone.localtime(Signature.objects.first().created_at).strftime("%Y")
    assert date in html


# --- Follow-ups and the end through the pages -----------------------------------------------


def test_the_team_records_a_follow_up_through_the_page(client):
    mandate = active_mandate()
    followup = mandate.followups.first()
    member = mandate.members.get()
    client.force_login(member.agent)

    response = client.post(
        reverse("ideas:followup_record", args=[followup.pk]),
        {
            "indicator": "on_track",
            "progress": "Deux centres équipés.",
            f"hours_{member.pk}": "12,5",
        },
    )

    assert response.status_code == 302
    followup.refresh_from_db()
    assert followup.is_recorded
    assert followup.times.get().hours == Decimal("12.5")


def test_a_negative_time_spent_is_refused_and_nothing_saved(client):
    mandate = active_mandate()
    followup = mandate.followups.first()
    member = mandate.members.get()
    client.force_login(member.agent)

    response = client.post(
        reverse("ideas:followup_record", args=[followup.pk]),
        {"indicator": "on_track", "progress": "Avancé.", f"hours_{member.pk}": "-4"},
    )

    assert response.status_code == 200
    assert "Le temps consacré ne peut pas être négatif." in response.content.decode()
    followup.refresh_from_db()
    assert not followup.is_recorded


def test_a_follow_up_on_an_inactive_mandate_gives_a_message(client):
    mandate = active_mandate()
    followup = mandate.followups.first()
    mandates.end_mandate(
        mandate, actor=mandate.created_by, outcome=Mandate.State.STOPPED, evaluation="Arrêt."
    )
    client.force_login(mandate.members.get().agent)

    response = client.post(
        reverse("ideas:followup_record", args=[followup.pk]),
        {"indicator": "on_track", "progress": "x"},
        follow=True,
    )

    assert "n&#x27;est pas actif" in response.content.decode()
    followup.refresh_from_db()
    assert not followup.is_recorded


def test_the_delegate_ends_a_mandate_and_the_idea_moves(client):
    mandate = active_mandate()
    client.force_login(mandate.created_by)

    response = client.post(
        reverse("ideas:mandate_end", args=[mandate.pk]),
        {"outcome": "completed", "idea_state": "experimenting", "evaluation": "Concluant."},
    )

    assert response.status_code == 302
    mandate.idea.refresh_from_db()
    assert mandate.idea.state == Idea.State.EXPERIMENTING


def test_time_spent_is_shown_to_the_agent_and_manager_not_to_the_sponsor(client):
    mandate = active_mandate()
    member = mandate.members.get()
    followup = mandate.followups.first()
    from ideas.mandates import followups

    followups.record_followup(
        followup,
        actor=member.agent,
        data={"progress": "Avancé.", "indicator": "ahead"},
        hours={member.pk: Decimal("17.5")},
    )
    for person, visible in (
        (member.agent, True),
        (member.manager, True),
        (mandate.created_by, True),
        (mandate.sponsor, False),
    ):
        client.force_login(person)
        html = client.get(mandate.get_absolute_url()).content.decode()
        assert ("17,5" in html) is visible, person


def test_export_lists_the_delegates_mandates_as_csv(client):
    mandate = active_mandate()
    MandateFactory()  # another organisation
    client.force_login(mandate.created_by)

    response = client.get(reverse("ideas:mandate_export"))

    body = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = body.strip().splitlines()
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert len(lines) == 2
    assert lines[1].startswith(f"{mandate.pk};{mandate.idea.title};")


def test_export_sums_each_agents_time_once_whatever_the_follow_ups(client):
    start = timezone.localdate() - datetime.timedelta(weeks=13)
    mandate = active_mandate(team=2, starts_on=start, ends_on=start + datetime.timedelta(weeks=24))
    members = list(mandate.members.all())
    from ideas.mandates import followups

    recorded = list(mandate.followups.order_by("due_on")[:2])
    for followup in recorded:
        followups.record_followup(
            followup,
            actor=mandate.created_by,
            data={"progress": "Avancé.", "indicator": "on_track"},
            hours={members[0].pk: Decimal("10"), members[1].pk: Decimal("2.5")},
        )
    assert mandate.followups.count() == 4
    client.force_login(mandate.created_by)

    response = client.get(reverse("ideas:mandate_export"))

    header, row = (
        line.split(";")
        for line in b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    )
    cells = dict(zip(header, row, strict=True))
    # Two agents freed 3.5 h a week each; four follow-ups, two held, 12.5 h spent at each.
    assert cells["Agents"] == "2"
    assert cells["Temps libéré (h/semaine, équipe)"] == "7,0"
    assert cells["Points d'étape tenus"] == "2"
    assert cells["Temps consacré (h)"] == "25,0"


def test_my_signatures_to_give_lists_what_awaits_me(client):
    mandate = MandateFactory()
    mandates.send_for_signature(mandate, actor=mandate.created_by)
    MandateFactory()  # a draft elsewhere: nothing to sign
    client.force_login(mandate.sponsor)

    response = client.get(reverse("ideas:mandate_signatures"))

    assert [item["mandate"].pk for item in response.context["to_sign"]] == [mandate.pk]
    mandates.sign_mandate(mandate, signer=mandate.sponsor, decision="signed")
    response = client.get(reverse("ideas:mandate_signatures"))
    assert response.context["to_sign"] == []


# --- Fixed query counts ----------------------------------------------------------------------
# Every page pays the platform's share: the session, the person, their role grants, and the
# unread count when the menu renders (4 queries).


@pytest.mark.parametrize("count", [1, 3])
def test_overview_costs_the_same_queries_whatever_the_rows(
    client, django_assert_num_queries, count
):
    organisation = OrganisationFactory()
    delegate = DelegateFactory(organisation=organisation)
    shown = [
        MandateFactory(organisation=organisation, idea__organisation=organisation, team=2)
        for _ in range(count)
    ]
    client.force_login(delegate)

    # + signatures to give, the count, the rows
    with django_assert_num_queries(7):
        response = client.get(reverse("ideas:mandate_list"))

    assert sorted(row["pk"] for row in response.context["rows"]) == sorted(m.pk for m in shown)
    html = unescape(response.content.decode())
    assert all(m.idea.title in html for m in shown)


@pytest.mark.parametrize("count", [1, 3])
def test_overview_of_a_party_with_mandates_to_sign_costs_the_same_queries(
    client, django_assert_num_queries, count
):
    organisation = OrganisationFactory()
    sponsor = SponsorFactory(organisation=organisation)
    awaiting = []
    for _ in range(count):
        mandate = MandateFactory(
            organisation=organisation, idea__organisation=organisation, sponsor=sponsor, team=2
        )
        mandates.send_for_signature(mandate, actor=mandate.created_by)
        awaiting.append(mandate)
    client.force_login(sponsor)

    # + signatures to give with their teams and the sponsor's answers, the count, the rows
    with django_assert_num_queries(9):
        response = client.get(reverse("ideas:mandate_list"))

    expected = sorted(m.pk for m in awaiting)
    assert sorted(row["pk"] for row in response.context["rows"]) == expected
    assert sorted(item["mandate"].pk for item in response.context["to_sign"]) == expected


def test_overview_of_someone_who_sees_no_mandate_only_counts(client, django_assert_num_queries):
    MandateFactory()  # in their organisation, but they are no party to it
    agent = AgentFactory(organisation=Mandate.objects.get().organisation)
    client.force_login(agent)

    # + the count: no rows to read, and nothing to sign among no mandates
    with django_assert_num_queries(5):
        response = client.get(reverse("ideas:mandate_list"))

    assert response.context["rows"] == []
    assert "Vous ne participez à aucun mandat pour l'instant." in unescape(
        response.content.decode()
    )


@pytest.mark.parametrize("count", [1, 3])
def test_signatures_to_give_cost_the_same_queries_whatever_the_rows(
    client, django_assert_num_queries, count
):
    organisation = OrganisationFactory()
    sponsor = SponsorFactory(organisation=organisation)
    awaiting = []
    for _ in range(count):
        mandate = MandateFactory(
            organisation=organisation, idea__organisation=organisation, sponsor=sponsor
        )
        mandates.send_for_signature(mandate, actor=mandate.created_by)
        awaiting.append(mandate)
    client.force_login(sponsor)

    # + the mandates, their teams, the sponsor's answers
    with django_assert_num_queries(7):
        response = client.get(reverse("ideas:mandate_signatures"))

    assert [item["mandate"].pk for item in response.context["to_sign"]] == [m.pk for m in awaiting]


@pytest.mark.parametrize("count", [1, 3])
def test_detail_and_print_cost_the_same_queries_whatever_the_follow_ups(
    client, django_assert_num_queries, count
):
    start = datetime.date(2025, 1, 6)
    mandate = active_mandate(
        team=3,
        starts_on=start,
        ends_on=start + datetime.timedelta(weeks=6 * count),
        duration_reason="Programme d'incubation long.",
    )
    members = list(mandate.members.all())
    from ideas.mandates import followups

    for followup in mandate.followups.all():
        followups.record_followup(
            followup,
            actor=mandate.created_by,
            data={"progress": "Avancé.", "indicator": "on_track"},
            hours={m.pk: Decimal("20") for m in members},
        )
    assert mandate.followups.count() == count
    client.force_login(mandate.created_by)

    # + the mandate, its team, its signatures, its follow-ups, their hours; the detail page
    # also reads the mandate's history (the printed letter leaves it out)
    for name, queries in (("ideas:mandate_detail", 10), ("ideas:mandate_print", 9)):
        with django_assert_num_queries(queries):
            response = client.get(reverse(name, args=[mandate.pk]))
        assert response.status_code == 200
        html = response.content.decode()
        assert len(re.findall(r"Point n°\d+ ", html)) == count


@pytest.mark.parametrize("count", [1, 3])
def test_export_costs_the_same_queries_whatever_the_rows(client, django_assert_num_queries, count):
    organisation = OrganisationFactory()
    delegate = DelegateFactory(organisation=organisation)
    exported = []
    for _ in range(count):
        mandate = MandateFactory(organisation=organisation, idea__organisation=organisation)
        MandateMemberFactory(mandate=mandate)
        exported.append(mandate)
    client.force_login(delegate)

    # + the audit row of the export (savepoint, insert, release), the rows; no menu, so no
    # unread count
    with django_assert_num_queries(7):
        response = client.get(reverse("ideas:mandate_export"))
        body = b"".join(response.streaming_content).decode("utf-8-sig")

    lines = body.strip().splitlines()
    assert sorted(int(line.split(";", 1)[0]) for line in lines[1:]) == sorted(
        m.pk for m in exported
    )


def test_a_new_mandates_team_is_offered_with_the_ideas_authors(client):
    idea = IdeaFactory(state=Idea.State.SELECTED)
    coauthor = AgentFactory(organisation=idea.organisation, first_name="Yaëlle", last_name="Brun")
    idea.coauthors.add(coauthor)
    client.force_login(DelegateFactory(organisation=idea.organisation))

    response = client.get(reverse("ideas:mandate_create") + f"?idee={idea.pk}")

    formset = response.context["formset"]
    assert [form.initial.get("agent") for form in formset.forms[:2]] == [idea.author, coauthor]
    html = response.content.decode()
    assert f'value="{idea.author.get_full_name()}"' in html
    assert 'value="Yaëlle Brun"' in html


def test_the_team_is_chosen_by_name_among_the_ideas_organisation(client):
    idea = IdeaFactory(state=Idea.State.SELECTED)
    delegate = DelegateFactory(organisation=idea.organisation)
    agent = AgentFactory(organisation=idea.organisation, first_name="Ilan", last_name="Mercier")
    manager = ManagerFactory(organisation=idea.organisation, first_name="Rose", last_name="Tanguy")
    client.force_login(delegate)
    data = form_data(idea.organisation, idea)
    data.update({"equipe-0-agent": "ilan merc", "equipe-0-manager": "Rose Tanguy"})

    response = client.post(reverse("ideas:mandate_create") + f"?idee={idea.pk}", data)

    assert response.status_code == 302
    member = idea.mandates.get().members.get()
    assert (member.agent, member.manager) == (agent, manager)
