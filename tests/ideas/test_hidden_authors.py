"""Protection for the shy (issue 15): in a campaign that allows it, an author may be known to
the delegates alone. Everywhere a name would appear, others read « Auteur·rice masqué·e »; the
author, the co-authors and the delegates of the idea's organisation read the name."""

import csv
import datetime
import io
import json
import re
from dataclasses import dataclass

import pytest
from django.urls import reverse
from django.utils import timezone

from ideas import permissions, selectors, services
from ideas.models import Campaign, Follow, Idea
from innovation.platform import personal_data
from innovation.platform.models import Notification, Organisation, Role, User
from juries.models import Forum
from tests.factories import (
    AdminFactory,
    AgentFactory,
    CampaignFactory,
    ChallengeFactory,
    DelegateFactory,
    ForumFactory,
    ForumJurorFactory,
    IdeaEventFactory,
    IdeaFactory,
    OccurrenceFactory,
    OrganisationFactory,
    PitchFactory,
    RitualFactory,
    grant,
)

HIDDEN = "Auteur·rice masqué·e"
NAME = "Dominique Discrète"
COAUTHOR = "Claude Cachée"
TITLE = "Un casier fermé pour les clés des véhicules"


@dataclass
class Shy:
    """A campaign over two organisations that allows hidden authors, and in it an idea whose
    author (with a co-author) hid their names; the same author's signed idea beside it."""

    home: Organisation
    partner: Organisation
    campaign: Campaign
    author: User
    coauthor: User
    colleague: User
    delegate: User
    admin: User
    partner_agent: User
    partner_delegate: User
    idea: Idea
    signed: Idea

    def people(self) -> dict[str, User]:
        return {
            "author": self.author,
            "coauthor": self.coauthor,
            "colleague": self.colleague,
            "delegate": self.delegate,
            "admin": self.admin,
            "partner_agent": self.partner_agent,
            "partner_delegate": self.partner_delegate,
        }


# Who reads the hidden author's name.
SEES = {"author", "coauthor", "delegate", "admin"}
OTHERS = ["colleague", "partner_agent", "partner_delegate"]


@pytest.fixture
def shy(db) -> Shy:
    home = OrganisationFactory(name="Département de la Somme")
    partner = OrganisationFactory(name="Ville d'Amiens")
    delegate = DelegateFactory(organisation=home, first_name="Dana", last_name="Déléguée")
    campaign = CampaignFactory(
        title="Mieux travailler ensemble",
        organisations=[home, partner],
        created_by=delegate,
        allows_hidden_authors=True,
    )
    author = AgentFactory(organisation=home, first_name="Dominique", last_name="Discrète")
    coauthor = AgentFactory(organisation=home, first_name="Claude", last_name="Cachée")
    idea = IdeaFactory(author=author, campaign=campaign, author_hidden=True, title=TITLE)
    idea.coauthors.add(coauthor)
    signed = IdeaFactory(author=author, campaign=campaign, title="Une idée signée")
    return Shy(
        home=home,
        partner=partner,
        campaign=campaign,
        author=author,
        coauthor=coauthor,
        colleague=AgentFactory(organisation=home),
        delegate=delegate,
        admin=AdminFactory(organisation=home),
        partner_agent=AgentFactory(organisation=partner),
        partner_delegate=DelegateFactory(organisation=partner),
        idea=idea,
        signed=signed,
    )


def page(client, user, url) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def assert_hidden(html: str) -> None:
    assert (NAME in html, COAUTHOR in html, HIDDEN in html) == (False, False, True)


# --- The rule -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who",
    ["author", "coauthor", "delegate", "admin", "colleague", "partner_agent", "partner_delegate"],
)
def test_can_see_author_only_the_authors_and_the_delegates_of_the_idea(shy, who):
    person = shy.people()[who]

    assert permissions.can_see_author(person, shy.idea) == (who in SEES)
    assert permissions.can_see_author(person, shy.signed) is True


def test_can_see_author_refuses_an_anonymous_visitor(shy):
    from django.contrib.auth.models import AnonymousUser

    assert permissions.can_see_author(AnonymousUser(), shy.idea) is False


@pytest.mark.parametrize("who", ["author", "coauthor", "delegate", "colleague", "partner_agent"])
def test_author_shown_condition_finds_what_can_see_author_allows(shy, who):
    person = shy.people()[who]
    ideas = Idea.objects.filter(pk__in=[shy.idea.pk, shy.signed.pk])

    found = set(
        ideas.filter(permissions.author_shown_condition(person)).values_list("pk", flat=True)
    )

    assert found == {idea.pk for idea in ideas if permissions.can_see_author(person, idea)}


def test_a_coauthor_reads_the_name_from_the_annotation_without_a_query(
    shy, django_assert_num_queries
):
    annotated = Idea.objects.annotate(
        **{permissions.COAUTHOR_ANNOTATION: permissions.coauthored_by(shy.coauthor)}
    ).get(pk=shy.idea.pk)
    shy.coauthor.role_map  # noqa: B018  (read once per request, as a page does)

    with django_assert_num_queries(0):
        assert permissions.can_see_author(shy.coauthor, annotated) is True


# --- Choosing: the campaign allows, the author ticks -------------------------------------------


def test_a_delegate_allows_hidden_authors_on_the_campaign_form(client, shy):
    client.force_login(shy.delegate)
    today = timezone.localdate()

    response = client.post(
        reverse("ideas:campaign_create"),
        {
            "title": "Appel discret",
            "description": "Vos idées, même sans votre nom.",
            "organisations": [shy.home.pk],
            "opens_on": today.isoformat(),
            "closes_on": (today + datetime.timedelta(days=30)).isoformat(),
            "allows_hidden_authors": "on",
        },
    )

    assert response.status_code == 302
    assert Campaign.objects.get(title="Appel discret").allows_hidden_authors is True


def test_the_idea_form_offers_the_choice_only_with_a_campaign_that_allows_it(client, shy):
    Campaign.objects.filter(pk=shy.campaign.pk).update(allows_hidden_authors=False)
    without = page(client, shy.colleague, reverse("ideas:create"))
    Campaign.objects.filter(pk=shy.campaign.pk).update(allows_hidden_authors=True)

    offered = page(client, shy.colleague, reverse("ideas:create"))

    assert ('name="author_hidden"' in without, 'name="author_hidden"' in offered) == (False, True)
    assert "«\u00a0Mieux travailler ensemble\u00a0»" in offered


def test_the_campaign_page_says_whether_its_authors_may_hide_their_names(client, shy):
    url = reverse("ideas:campaign_detail", args=[shy.campaign.pk])
    allowing = page(client, shy.colleague, url)
    Campaign.objects.filter(pk=shy.campaign.pk).update(allows_hidden_authors=False)

    ordinary = page(client, shy.colleague, url)

    said = "vous pouvez choisir que votre nom ne soit connu que des délégué·es"
    assert (said in allowing, said in ordinary) == (True, False)


def test_the_author_hides_their_name_through_the_idea_form(client, shy):
    client.force_login(shy.colleague)

    response = client.post(
        reverse("ideas:create"),
        {
            "title": "Une boîte à idées anonyme",
            "irritant": "On n'ose pas proposer.",
            "proposal": "Proposer sans se montrer.",
            "beneficiaries": "agents",
            "expected_impact": "Plus d'idées.",
            "campaign": shy.campaign.pk,
            "author_hidden": "on",
            "action": "submit",
        },
    )

    assert response.status_code == 302
    idea = Idea.objects.get(title="Une boîte à idées anonyme")
    assert (idea.author_hidden, idea.state) == (True, Idea.State.SUBMITTED)


def test_hiding_outside_a_campaign_that_allows_it_is_refused_next_to_the_box(client, shy):
    other = CampaignFactory(title="Appel ordinaire", organisations=[shy.home])
    client.force_login(shy.colleague)

    response = client.post(
        reverse("ideas:create"),
        {
            "title": "Un titre gardé",
            "irritant": "On n'ose pas proposer.",
            "proposal": "Proposer sans se montrer.",
            "beneficiaries": "agents",
            "expected_impact": "Plus d'idées.",
            "campaign": other.pk,
            "author_hidden": "on",
            "action": "draft",
        },
    )

    assert response.status_code == 200
    assert "Seul un appel à idées qui le permet" in response.content.decode()
    assert response.context["form"]["title"].value() == "Un titre gardé"
    assert not Idea.objects.filter(title="Un titre gardé").exists()


def test_a_campaign_that_stops_allowing_does_not_reveal_who_chose_it(client, shy):
    Campaign.objects.filter(pk=shy.campaign.pk).update(allows_hidden_authors=False)
    idea = Idea.objects.get(pk=shy.idea.pk)

    services.update_idea(idea, actor=shy.author, data={"title": "Un casier pour les clés"})

    assert Idea.objects.get(pk=shy.idea.pk).author_hidden is True


def test_moving_a_hidden_idea_to_a_campaign_that_does_not_allow_it_is_refused(shy):
    other = CampaignFactory(organisations=[shy.home])

    with pytest.raises(services.ValidationError) as refused:
        services.update_idea(shy.idea, actor=shy.author, data={"campaign": other})

    assert list(refused.value.error_dict) == ["author_hidden"]


def test_a_coauthor_may_not_reveal_the_authors_name(shy):
    with pytest.raises(services.ValidationError) as refused:
        services.update_idea(shy.idea, actor=shy.coauthor, data={"author_hidden": False})

    assert list(refused.value.error_dict) == ["author_hidden"]
    assert Idea.objects.get(pk=shy.idea.pk).author_hidden is True


def test_the_coauthor_reads_the_choice_on_the_form_without_changing_it(client, shy):
    client.force_login(shy.coauthor)
    url = reverse("ideas:edit", args=[shy.idea.pk])

    form = client.get(url).context["form"]
    response = client.post(
        url,
        {
            "title": "Un casier pour les clés",
            "irritant": shy.idea.irritant,
            "proposal": shy.idea.proposal,
            "beneficiaries": shy.idea.beneficiaries,
            "expected_impact": shy.idea.expected_impact,
            "campaign": shy.campaign.pk,
            "action": "save",
        },
    )

    assert form.fields["author_hidden"].disabled is True
    assert response.status_code == 302
    idea = Idea.objects.get(pk=shy.idea.pk)
    assert (idea.title, idea.author_hidden) == ("Un casier pour les clés", True)


def test_the_author_shows_their_name_again(shy):
    services.update_idea(shy.idea, actor=shy.author, data={"author_hidden": False})

    assert Idea.objects.get(pk=shy.idea.pk).author_hidden is False


# --- Lists, idea page, board, short lists, home --------------------------------------------------


@pytest.mark.parametrize("who", OTHERS)
def test_idea_list_masks_the_author_to_others(client, shy, who):
    html = page(client, shy.people()[who], reverse("ideas:list"))

    assert TITLE in html
    assert html.count(NAME) == 1  # the signed idea only
    assert HIDDEN in html


@pytest.mark.parametrize("who", ["author", "coauthor", "delegate"])
def test_idea_list_names_the_author_to_the_authors_and_the_delegates(client, shy, who):
    html = page(client, shy.people()[who], reverse("ideas:list"))

    assert (html.count(NAME), HIDDEN in html) == (2, False)


@pytest.mark.parametrize(("who", "found"), [("colleague", False), ("partner_agent", False),
                                            ("author", True), ("coauthor", True),
                                            ("delegate", True)])  # fmt: skip
def test_filtering_the_list_by_a_hidden_authors_name_finds_their_idea_only_for_those_who_know(
    client, shy, who, found
):
    client.force_login(shy.people()[who])

    response = client.get(reverse("ideas:list"), {"author": "Discrète"})

    titles = sorted(row.title for row in response.context["page"])
    assert titles == sorted([TITLE, "Une idée signée"] if found else ["Une idée signée"])


@pytest.mark.parametrize("who", OTHERS)
def test_idea_page_masks_the_authors_their_comments_and_their_steps_to_others(client, shy, who):
    IdeaEventFactory(idea=shy.idea, actor=shy.author, before="draft", after="submitted")
    services.add_comment(shy.idea, author=shy.coauthor, body="Je confirme, on perd les clés.")
    services.add_comment(shy.idea, author=shy.delegate, body="Merci, nous regardons.")

    html = page(client, shy.people()[who], reverse("ideas:detail", args=[shy.idea.pk]))

    assert_hidden(html)
    # The comment, the step, the byline: three times the mask; the delegate keeps their name.
    assert (html.count(HIDDEN), "Dana Déléguée" in html) == (3, True)
    assert "Nom connu des seul·es délégué·es" not in html


@pytest.mark.parametrize("who", ["author", "coauthor", "delegate", "admin"])
def test_idea_page_names_the_authors_to_them_and_the_delegates(client, shy, who):
    services.add_comment(shy.idea, author=shy.coauthor, body="Je confirme, on perd les clés.")

    html = page(client, shy.people()[who], reverse("ideas:detail", args=[shy.idea.pk]))

    assert (NAME in html, COAUTHOR in html, HIDDEN in html) == (True, True, False)
    assert "Nom connu des seul·es délégué·es" in html


def test_board_names_the_author_to_the_delegate(client, shy):
    html = page(client, shy.delegate, reverse("ideas:board"))

    assert (TITLE in html, html.count(NAME), HIDDEN in html) == (True, 2, False)


def test_board_cards_mask_the_author_to_a_viewer_who_may_not_know(shy):
    ideas = Idea.objects.filter(pk=shy.idea.pk)

    shown = selectors.board(ideas, 5, viewer=shy.delegate)["columns"][0]["ideas"]
    masked = selectors.board(ideas, 5, viewer=shy.colleague)["columns"][0]["ideas"]

    assert [card.author for card in shown + masked] == [NAME, HIDDEN]


@pytest.mark.parametrize(("who", "hidden"), [("colleague", True), ("partner_agent", True),
                                             ("author", False), ("coauthor", False)])  # fmt: skip
def test_campaign_and_challenge_pages_mask_the_author_to_others(client, shy, who, hidden):
    challenge = ChallengeFactory(organisation=shy.home, author__organisation=shy.home)
    Idea.objects.filter(pk=shy.idea.pk).update(challenge=challenge)
    Idea.objects.filter(pk=shy.signed.pk).delete()
    person = shy.people()[who]

    urls = [reverse("ideas:campaign_detail", args=[shy.campaign.pk])]
    if person.organisation_id == shy.home.pk:  # a challenge is seen in its organisation only
        urls.append(reverse("ideas:challenge_detail", args=[challenge.pk]))

    for html in [page(client, person, url) for url in urls]:
        assert [(NAME in item, HIDDEN in item) for item in items_with(html, TITLE)] == [
            (not hidden, hidden)
        ]


def test_home_names_no_hidden_author_to_others_and_lists_the_authors_own_idea(client, shy):
    Idea.objects.filter(pk=shy.idea.pk).update(vote_count=5)

    other = page(client, shy.colleague, reverse("home"))
    own = page(client, shy.author, reverse("home"))

    assert (TITLE in other, NAME in other) == (True, False)
    assert TITLE in own


# --- Exports -------------------------------------------------------------------------------------


def exported(client, user, url) -> list[list[str]]:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


@pytest.mark.parametrize(("who", "author"), [("partner_delegate", HIDDEN), ("delegate", NAME)])
def test_idea_export_masks_the_author_to_a_delegate_of_another_organisation(
    client, shy, who, author
):
    rows = exported(client, shy.people()[who], reverse("ideas:export"))

    column = rows[0].index("Auteur·rice")
    assert {row[1]: row[column] for row in rows[1:]}[TITLE] == author


def test_dashboard_activity_of_another_organisation_never_names_the_hidden_author(client, shy):
    IdeaEventFactory(idea=shy.idea, actor=shy.author, before="draft", after="submitted")

    theirs = exported(client, shy.partner_delegate, reverse("dashboard_export", args=["activite"]))
    ours = exported(client, shy.delegate, reverse("dashboard_export", args=["activite"]))

    assert NAME not in str(theirs)
    assert [row[2] for row in ours[1:]] == [NAME]


# --- Notifications ------------------------------------------------------------------------------


def test_the_delegates_are_told_the_hidden_authors_name_and_asked_to_keep_it(shy):
    draft = IdeaFactory(
        author=shy.author, campaign=shy.campaign, author_hidden=True, state=Idea.State.DRAFT
    )

    services.move_idea(draft, to=Idea.State.SUBMITTED, actor=shy.author)

    told = Notification.objects.get(kind="idea_submitted", recipient=shy.delegate)
    assert NAME in told.body
    assert "ne soit connu que des délégué·es" in told.body


def test_a_hidden_authors_comment_is_signed_with_the_mask_for_followers_who_may_not_know(shy):
    for follower in (shy.colleague, shy.partner_agent, shy.delegate):
        Follow.objects.create(idea=shy.idea, user=follower)

    services.add_comment(shy.idea, author=shy.author, body="Merci pour vos soutiens.")

    bodies = dict(
        Notification.objects.filter(kind="idea_commented").values_list("recipient", "body")
    )
    assert bodies == {
        shy.coauthor.pk: f"{NAME} a commenté : Merci pour vos soutiens.",
        shy.delegate.pk: f"{NAME} a commenté : Merci pour vos soutiens.",
        shy.colleague.pk: f"{HIDDEN} a commenté : Merci pour vos soutiens.",
        shy.partner_agent.pk: f"{HIDDEN} a commenté : Merci pour vos soutiens.",
    }


def test_the_hidden_author_is_still_told_of_their_ideas_news(shy):
    services.move_idea(shy.idea, to=Idea.State.QUALIFIED, actor=shy.delegate, support="internal")

    assert set(
        Notification.objects.filter(kind="idea_moved").values_list("recipient", flat=True)
    ) == {shy.author.pk, shy.coauthor.pk}


# --- Forums: pitches, live board, timer, results, palmarès --------------------------------------


@pytest.mark.parametrize(
    ("stage", "name"),
    [
        (Forum.Stage.PREPARING, "juries:detail"),
        (Forum.Stage.OPEN, "juries:board"),
        (Forum.Stage.OPEN, "juries:timer"),
        (Forum.Stage.OPEN, "juries:score"),
        (Forum.Stage.CLOSED, "juries:results"),
        (Forum.Stage.PUBLISHED, "juries:palmares"),
    ],
)
def test_forum_pages_show_a_pitch_without_its_hidden_authors_name(client, shy, stage, name):
    Idea.objects.filter(pk=shy.idea.pk).update(state=Idea.State.SELECTED)
    forum = ForumFactory(
        created_by=shy.partner_delegate, organisations=[shy.partner, shy.home], stage=stage
    )
    PitchFactory(forum=forum, idea=shy.idea, laureate=stage == Forum.Stage.PUBLISHED)
    juror = ForumJurorFactory(forum=forum, user__organisation=shy.partner)
    if stage == Forum.Stage.PUBLISHED:
        Forum.objects.filter(pk=forum.pk).update(published_at=timezone.now())

    seen = 0
    for viewer in (juror.user, shy.partner_delegate):
        client.force_login(viewer)
        response = client.get(reverse(name, args=[forum.pk]))
        if response.status_code != 200:
            continue  # a page this person does not see at this stage
        seen += 1
        html = response.content.decode()
        assert (TITLE in html, NAME in html, COAUTHOR in html) == (True, False, False), viewer
    assert seen >= 1


# --- People: the person page, personal data, pseudonymisation ----------------------------------


def test_the_person_page_lists_no_hidden_idea_to_a_delegate_of_another_organisation(client, shy):
    # A person of the partner organisation who hid their name on an idea of the home one.
    traveller = AgentFactory(organisation=shy.partner, first_name="Sacha", last_name="Secret")
    grant(traveller, shy.home, Role.AGENT)
    IdeaFactory(
        author=traveller,
        organisation=shy.home,
        campaign=shy.campaign,
        author_hidden=True,
        title="Une navette entre les sites",
    )

    html = page(client, shy.partner_delegate, reverse("person_detail", args=[traveller.pk]))

    assert ("Sacha Secret" in html, "Une navette entre les sites" in html) == (True, False)


def test_the_personal_data_export_lists_the_authors_own_hidden_idea(client, shy):
    client.force_login(shy.author)

    data = json.loads(client.get(reverse("my_data")).content)

    ideas = {row["title"]: row["author_hidden"] for row in data["ideas.Idea"]}
    assert ideas == {TITLE: True, "Une idée signée": False}


def test_a_pseudonymised_hidden_author_stays_hidden_and_reads_as_the_pseudonym_to_delegates(
    client, shy
):
    personal_data.pseudonymise(shy.author, actor=shy.admin)

    other = page(client, shy.colleague, reverse("ideas:detail", args=[shy.idea.pk]))
    delegate = page(client, shy.delegate, reverse("ideas:detail", args=[shy.idea.pk]))

    assert (HIDDEN in other, "Personne partie n°" in other) == (True, False)
    assert (HIDDEN in delegate, f"Personne partie n°{shy.author.pk}" in delegate) == (False, True)
    assert Idea.objects.get(pk=shy.idea.pk).author_hidden is True


# --- Breakfasts: the projects suggested to present ----------------------------------------------


@pytest.mark.parametrize("name", ["rituals:occurrence", "rituals:occurrence_edit"])
def test_breakfast_suggestions_mask_a_hidden_author_to_a_manager_of_another_organisation(
    client, shy, name
):
    ritual = RitualFactory(created_by=shy.partner_delegate)
    ritual.shared_with.add(shy.home)
    occurrence = OccurrenceFactory(ritual=ritual)
    Idea.objects.filter(pk__in=[shy.idea.pk, shy.signed.pk]).update(state=Idea.State.ACCOMPANIED)
    ours = RitualFactory(created_by=shy.delegate)
    our_occurrence = OccurrenceFactory(ritual=ours)

    theirs = page(client, shy.partner_delegate, reverse(name, args=[occurrence.pk]))
    mine = page(client, shy.delegate, reverse(name, args=[our_occurrence.pk]))

    assert [(NAME in item, HIDDEN in item) for item in items_with(theirs, TITLE)] == [(False, True)]
    assert [(NAME in item, HIDDEN in item) for item in items_with(mine, TITLE)] == [(True, False)]


def items_with(html: str, text: str) -> list[str]:
    """The list items of the page that hold `text`."""
    items = re.findall(r"<li[ >](?:(?!<li[ >]).)*?</li>", html, re.S)
    return [item for item in items if text in item]
