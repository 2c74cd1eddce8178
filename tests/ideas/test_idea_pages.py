"""The idea list, an idea's page and the board: a write shows on the next request, each person
sees their own audience and personal parts, and every page costs a fixed number of queries."""

import re

import pytest
from django.db import connection
from django.http import QueryDict
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ideas import search, services
from ideas.filters import IdeaFilter, form_fields
from ideas.models import Idea
from tests.factories import (
    AgentFactory,
    CampaignFactory,
    ChallengeFactory,
    CommentFactory,
    DelegateFactory,
    DirectionFactory,
    IdeaEventFactory,
    IdeaFactory,
    MandateFactory,
    OrganisationFactory,
    ThemeFactory,
    grant,
)


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def listed_titles(response) -> list[str]:
    return [row.title for row in response.context["page"]]


# --- Idea list ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_list_shows_an_idea_submitted_after_it_was_read(client, agent):
    colleague = AgentFactory(organisation=agent.organisation)
    client.force_login(agent)
    page(client, reverse("ideas:list"))

    services.create_idea(
        author=colleague,
        data={
            "title": "Des casiers au vestiaire",
            "irritant": "x",
            "proposal": "y",
            "beneficiaries": "agents",
            "expected_impact": "z",
        },
        submit=True,
    )

    assert "Des casiers au vestiaire" in page(client, reverse("ideas:list"))


@pytest.mark.django_db
def test_list_shows_each_person_their_own_organisations(client, agent, other_organisation):
    mine = IdeaFactory(organisation=agent.organisation, title="Idée de chez nous")
    theirs = IdeaFactory(organisation=other_organisation, title="Idée de chez eux")
    stranger = AgentFactory(organisation=other_organisation)

    client.force_login(agent)
    first = page(client, reverse("ideas:list"))
    client.force_login(stranger)
    second = page(client, reverse("ideas:list"))

    assert (mine.title in first, theirs.title in first) == (True, False)
    assert (mine.title in second, theirs.title in second) == (False, True)


@pytest.mark.django_db
def test_support_badge_is_personal(client, agent):
    colleague = AgentFactory(organisation=agent.organisation)
    idea = IdeaFactory(organisation=agent.organisation)
    services.cast_vote(idea, voter=agent)

    client.force_login(agent)
    voter_page = page(client, reverse("ideas:list"))
    client.force_login(colleague)
    colleague_page = page(client, reverse("ideas:list"))

    assert voter_page.count("vous soutenez") == 1
    assert colleague_page.count("vous soutenez") == 0


@pytest.mark.django_db
def test_vote_shows_its_badge_and_its_count_on_the_next_request(client, agent):
    idea = IdeaFactory(organisation=agent.organisation, vote_count=0)
    colleague = AgentFactory(organisation=agent.organisation)
    client.force_login(agent)
    row = re.compile(rf'href="/idees/{idea.pk}/".*?<td class="text-end"[^>]*>(\d+)</td>', re.S)
    before = page(client, reverse("ideas:list"))

    services.cast_vote(idea, voter=agent)
    services.cast_vote(idea, voter=colleague)

    after = page(client, reverse("ideas:list"))
    assert ("vous soutenez" in before, row.search(before)[1]) == (False, "0")
    assert (after.count("vous soutenez"), row.search(after)[1]) == (1, "2")


@pytest.mark.django_db
@pytest.mark.parametrize("first", ["coauthor", "colleague"])
def test_own_idea_of_another_organisation_stays_with_its_coauthor(client, first):
    home, elsewhere = OrganisationFactory(), OrganisationFactory()
    coauthor = AgentFactory(organisation=home)
    colleague = AgentFactory(organisation=home)
    idea = IdeaFactory(organisation=elsewhere, title="Idée co-écrite ailleurs")
    idea.coauthors.add(coauthor)
    people = {"coauthor": coauthor, "colleague": colleague}
    order = [first, *(name for name in people if name != first)]

    seen = {}
    for name in order:
        client.force_login(people[name])
        seen[name] = idea.title in page(client, reverse("ideas:list"))

    assert seen == {"coauthor": True, "colleague": False}


@pytest.mark.django_db
def test_drafts_are_never_listed(client, agent):
    IdeaFactory(author=agent, state=Idea.State.DRAFT, title="Mon brouillon", submitted_at=None)
    client.force_login(agent)

    assert "Mon brouillon" not in page(client, reverse("ideas:list"))


@pytest.mark.django_db
def test_list_pages_keep_their_filters(client, agent, settings):
    settings.IDEAS_PER_PAGE = 2
    IdeaFactory.create_batch(5, organisation=agent.organisation, state=Idea.State.QUALIFIED)
    IdeaFactory(organisation=agent.organisation, state=Idea.State.SUBMITTED)
    client.force_login(agent)

    first = page(client, reverse("ideas:list") + "?state=qualified")
    second = page(client, reverse("ideas:list") + "?state=qualified&page=2")

    assert "5 idées" in first and "5 idées" in second
    assert "?state=qualified&amp;page=2" in first
    assert "Page 2 sur 3" in second


@pytest.mark.django_db
@pytest.mark.parametrize("ordering", ["", "-vote_count", "-comment_count", "submitted_at"])
def test_ideas_submitted_at_the_same_time_each_show_on_exactly_one_page(
    client, agent, settings, ordering
):
    settings.IDEAS_PER_PAGE = 2
    ideas = IdeaFactory.create_batch(5, organisation=agent.organisation)
    # Imported ideas often share their dates (and their counts) to the second.
    same = ideas[0]
    # Rewritten in another order than created: PostgreSQL's physical order is then neither
    # the ids' nor their reverse, and only a total order lists them the same way each time.
    for idea in (ideas[2], ideas[0], ideas[4], ideas[1], ideas[3]):
        Idea.objects.filter(pk=idea.pk).update(
            submitted_at=same.submitted_at,
            created_at=same.created_at,
            vote_count=3,
            comment_count=1,
        )
    client.force_login(agent)

    seen = []
    for number in (1, 2, 3):
        response = client.get(reverse("ideas:list"), {"ordering": ordering, "page": number})
        seen += [row.pk for row in response.context["page"]]

    newest_first = ordering != "submitted_at"
    assert seen == sorted((idea.pk for idea in ideas), reverse=newest_first)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        "",
        "?page=2",
        "?state=qualified&state=selected&ordering=-vote_count",
        "?state=bogus&theme=999999&organisation=zz&ordering=nope",
        "?campaign={campaign}&direction={direction}&theme={theme}&support=internal&author=Cam",
        "?organisation=+{organisation}&q=accueil",
        "?author=%00",
    ],
)
def test_filter_form_has_the_markup_of_django_widgets(agent, query):
    """The form is written out by our template: same fields, values, `selected`, `checked`
    and `aria-invalid` as Django's widgets would render."""
    campaign = CampaignFactory(organisations=[agent.organisation])
    direction = DirectionFactory(organisation=agent.organisation)
    theme = ThemeFactory()
    query = query.format(
        campaign=campaign.pk,
        direction=direction.pk,
        theme=theme.pk,
        organisation=agent.organisation_id,
    )
    data = QueryDict(query.lstrip("?")) or None
    ours = IdeaFilter(data, queryset=Idea.objects.all(), user=agent)
    django = IdeaFilter(data, queryset=Idea.objects.all(), user=agent)
    html = _squash(
        render_to_string(
            "ideas/_filter_form.html", {"form": form_fields(ours), "show_states": True}
        )
    )
    for name in ("campaign", "ordering", "organisation", "direction", "theme", "support", "author"):
        assert _squash(str(django.form[name])) in html, name
    for checkbox in django.form["state"]:
        assert _squash(str(checkbox.tag())) in html
    errors = bool(django.form.errors) if data else False
    assert ("Certains filtres ne sont pas valides" in html) == errors


def _squash(html: str) -> str:
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", html)).strip()


@pytest.mark.django_db
def test_model_choices_are_checked_like_a_pk_lookup(agent):
    theme = ThemeFactory()

    def valid(value):
        return IdeaFilter({"theme": value}, queryset=Idea.objects.all(), user=agent).is_valid()

    assert [valid(str(theme.pk)), valid(f" {theme.pk} "), valid(f"0{theme.pk}")] == [True] * 3
    assert [valid("x"), valid("99999999"), valid("1.5"), valid("99999999999999999999")] == [
        False
    ] * 4


@pytest.mark.django_db
def test_filter_offers_the_organisations_sharing_a_campaign(agent):
    partner, stranger = OrganisationFactory(name="Partenaire"), OrganisationFactory(name="Autre")
    CampaignFactory(organisations=[agent.organisation, partner])
    CampaignFactory(organisations=[stranger])

    offered = IdeaFilter(None, queryset=Idea.objects.all(), user=agent).filters["organisation"]

    assert list(offered.queryset) == sorted(
        [agent.organisation, partner], key=lambda organisation: organisation.name
    )


@pytest.mark.django_db
def test_person_without_organisation_sees_only_their_own_ideas(client):
    person = AgentFactory(roles=[])
    idea = IdeaFactory(author=person, organisation=OrganisationFactory(), title="Mon idée à moi")
    IdeaFactory(organisation=person.organisation, title="Idée de la maison")
    client.force_login(person)

    html = page(client, reverse("ideas:list"))

    assert (idea.title in html, "Idée de la maison" in html) == (True, False)


# --- One idea --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_idea_page_shows_a_comment_added_after_it_was_read(client, agent):
    idea = IdeaFactory(organisation=agent.organisation)
    client.force_login(agent)
    page(client, reverse("ideas:detail", args=[idea.pk]))

    services.add_comment(idea, author=agent, body="Je confirme, tous les lundis.")

    html = page(client, reverse("ideas:detail", args=[idea.pk]))
    assert "Je confirme, tous les lundis." in html
    assert "1 commentaire" in html


@pytest.mark.django_db
def test_hidden_comment_text_is_for_delegates_only(client, agent, delegate):
    idea = IdeaFactory(organisation=agent.organisation)
    comment = services.add_comment(idea, author=agent, body="Texte un peu vif")
    services.hide_comment(comment, actor=delegate, reason="Ton")

    client.force_login(delegate)
    delegate_page = page(client, reverse("ideas:detail", args=[idea.pk]))
    client.force_login(agent)
    agent_page = page(client, reverse("ideas:detail", args=[idea.pk]))

    assert "Texte un peu vif" in delegate_page
    assert "Texte un peu vif" not in agent_page
    assert "Motif : Ton" in agent_page


@pytest.mark.django_db
def test_idea_page_buttons_are_personal(client, agent):
    colleague = AgentFactory(organisation=agent.organisation)
    idea = IdeaFactory(organisation=agent.organisation)
    services.cast_vote(idea, voter=agent)

    client.force_login(agent)
    voter_page = page(client, reverse("ideas:detail", args=[idea.pk]))
    client.force_login(colleague)
    colleague_page = page(client, reverse("ideas:detail", args=[idea.pk]))
    client.force_login(idea.author)
    author_page = page(client, reverse("ideas:detail", args=[idea.pk]))

    assert "Retirer mon soutien" in voter_page and "Soutenir cette idée" not in voter_page
    assert "Soutenir cette idée" in colleague_page
    assert "Modifier l'idée" in author_page and "Modifier l'idée" not in colleague_page
    assert re.search(r'name="csrfmiddlewaretoken" value="[^"]{20,}"', author_page)


@pytest.mark.django_db
def test_idea_page_is_checked_on_every_request(client, agent, other_organisation):
    idea = IdeaFactory(organisation=agent.organisation)
    client.force_login(agent)
    page(client, reverse("ideas:detail", args=[idea.pk]))

    client.force_login(AgentFactory(organisation=other_organisation))

    assert client.get(reverse("ideas:detail", args=[idea.pk])).status_code == 404


@pytest.mark.django_db
def test_idea_page_shows_a_new_step(client, agent, delegate):
    idea = IdeaFactory(organisation=agent.organisation)
    client.force_login(agent)
    assert "Qualifiée" not in page(client, reverse("ideas:detail", args=[idea.pk]))

    services.move_idea(idea, to=Idea.State.QUALIFIED, actor=delegate, support="internal")

    html = page(client, reverse("ideas:detail", args=[idea.pk]))
    assert 'state-qualified">Qualifiée</span>' in html


@pytest.mark.django_db
def test_idea_page_of_a_shared_campaign_for_a_partner(client, agent):
    partner = AgentFactory()
    campaign = CampaignFactory(organisations=[agent.organisation, partner.organisation])
    idea = IdeaFactory(organisation=agent.organisation, campaign=campaign)
    client.force_login(partner)

    html = page(client, reverse("ideas:detail", args=[idea.pk]))

    assert "Soutenir cette idée" in html
    assert "Votre commentaire" in html


@pytest.mark.django_db
def test_idea_page_shows_a_new_mandate_to_those_who_see_it(client, delegate, agent):
    idea = IdeaFactory(organisation=delegate.organisation, state=Idea.State.ACCOMPANIED)
    url = reverse("ideas:detail", args=[idea.pk])
    client.force_login(delegate)
    assert "Rédiger la lettre de mission" in page(client, url)

    mandate = MandateFactory(idea=idea)

    delegate_page = page(client, url)
    client.force_login(agent)
    agent_page = page(client, url)
    link = reverse("ideas:mandate_detail", args=[mandate.pk])
    assert link in delegate_page and "Rédiger la lettre de mission" not in delegate_page
    assert link not in agent_page


@pytest.mark.django_db
def test_idea_page_follows_the_persons_vote_and_follow(client, agent):
    idea = IdeaFactory(organisation=agent.organisation)
    url = reverse("ideas:detail", args=[idea.pk])
    client.force_login(agent)
    before = page(client, url)

    services.cast_vote(idea, voter=agent)
    services.set_following(idea, user=agent, following=True)

    after = page(client, url)
    assert ("Soutenir cette idée" in before, "Suivre cette idée" in before) == (True, True)
    assert ("Retirer mon soutien" in after, "Ne plus suivre" in after) == (True, True)
    assert "<strong>1</strong>" in after


@pytest.mark.django_db
def test_idea_page_shows_only_what_the_persons_rights_allow(client, agent, delegate):
    idea = IdeaFactory(organisation=agent.organisation)
    url = reverse("ideas:detail", args=[idea.pk])
    client.force_login(delegate)
    delegate_page = page(client, url)
    client.force_login(agent)
    agent_page = page(client, url)

    assert ("Faire avancer l'idée" in delegate_page, "id_support" in delegate_page) == (True, True)
    assert ("Faire avancer l'idée" in agent_page, "id_support" in agent_page) == (False, False)


# --- Comments, a page at a time ----------------------------------------------------------------


def comment_ids(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'id="commentaire-(\d+)"', html)]


@pytest.fixture
def busy_idea(agent):
    """An idea with 45 comments, the oldest first: three pages of 20."""
    idea = IdeaFactory(organisation=agent.organisation)
    for _ in range(45):
        services.add_comment(idea, author=agent, body="Et aussi le samedi.")
    return idea


@pytest.mark.django_db
def test_comments_come_twenty_a_page_oldest_first(client, agent, busy_idea):
    client.force_login(agent)
    url = reverse("ideas:detail", args=[busy_idea.pk])
    ordered = list(busy_idea.comments.values_list("pk", flat=True))

    pages = [page(client, f"{url}?page={number}") for number in (1, 2, 3)]

    assert [comment_ids(html) for html in pages] == [ordered[:20], ordered[20:40], ordered[40:]]
    assert "45 commentaires" in pages[2]
    links = [re.findall(r'href="(\?page=\d+#commentaires-titre)"', html) for html in pages]
    assert links == [
        ["?page=2#commentaires-titre"],
        ["?page=1#commentaires-titre", "?page=3#commentaires-titre"],
        ["?page=2#commentaires-titre"],
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("asked", ["zz", "0", "-3", "", "99999999999999999999"])
def test_a_bad_comment_page_number_shows_the_first_page(client, agent, busy_idea, asked):
    client.force_login(agent)
    url = reverse("ideas:detail", args=[busy_idea.pk])

    html = page(client, f"{url}?page={asked}")

    assert comment_ids(html) == list(busy_idea.comments.values_list("pk", flat=True)[:20])


@pytest.mark.django_db
def test_a_comment_page_past_the_last_says_so_and_links_back(client, agent, busy_idea):
    client.force_login(agent)

    html = page(client, reverse("ideas:detail", args=[busy_idea.pk]) + "?page=9")

    assert comment_ids(html) == []
    assert "Aucun commentaire sur cette page." in html
    assert 'href="?page=8#commentaires-titre"' in html


@pytest.mark.django_db
def test_after_commenting_the_author_lands_on_their_comment(client, agent, busy_idea):
    client.force_login(agent)

    response = client.post(
        reverse("ideas:comment", args=[busy_idea.pk]), {"body": "Le quarante-sixième."}
    )

    comment = busy_idea.comments.latest("pk")
    assert response["Location"] == f"/idees/{busy_idea.pk}/?page=3#commentaire-{comment.pk}"
    assert comment.pk in comment_ids(page(client, response["Location"]))


@pytest.mark.django_db
def test_the_notification_of_a_comment_links_to_its_page(agent, busy_idea):
    follower = AgentFactory(organisation=agent.organisation)
    services.set_following(busy_idea, user=follower, following=True)

    comment = services.add_comment(busy_idea, author=agent, body="Le quarante-sixième.")

    notification = follower.notifications.get(kind="idea_commented", url__contains=str(comment.pk))
    assert notification.url.endswith(f"/idees/{busy_idea.pk}/?page=3#commentaire-{comment.pk}")


@pytest.mark.django_db
def test_hiding_a_comment_comes_back_to_its_page(client, agent, delegate, busy_idea):
    second_page = busy_idea.comments.all()[25]
    client.force_login(delegate)

    response = client.post(reverse("ideas:comment_hide", args=[second_page.pk]), {"reason": "Ton"})

    assert response["Location"] == f"/idees/{busy_idea.pk}/?page=2#commentaire-{second_page.pk}"
    html = page(client, response["Location"])
    assert "Motif : Ton" in html and second_page.pk in comment_ids(html)


@pytest.mark.django_db
def test_the_comment_form_and_the_hide_links_are_on_every_comment_page(client, delegate, busy_idea):
    client.force_login(delegate)
    url = reverse("ideas:detail", args=[busy_idea.pk])

    html = page(client, f"{url}?page=3")

    assert f'action="/idees/{busy_idea.pk}/commentaires/"' in html
    hide_links = re.findall(r'href="/idees/commentaires/(\d+)/masquer/"', html)
    assert [int(pk) for pk in hide_links] == comment_ids(html)


# --- Board -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_board_is_per_pipeline_and_follows_moves(client, delegate, other_organisation):
    idea = IdeaFactory(organisation=delegate.organisation, title="Idée du tableau")
    other_delegate = DelegateFactory(organisation=other_organisation)
    IdeaFactory(organisation=other_organisation, title="Idée venue d’ailleurs")

    client.force_login(delegate)
    mine = page(client, reverse("ideas:board"))
    client.force_login(other_delegate)
    theirs = page(client, reverse("ideas:board"))
    services.move_idea(idea, to=Idea.State.QUALIFIED, actor=delegate, support="internal")
    client.force_login(delegate)
    after = page(client, reverse("ideas:board"))

    assert ("Idée du tableau" in mine, "Idée venue d’ailleurs" in mine) == (True, False)
    assert ("Idée du tableau" in theirs, "Idée venue d’ailleurs" in theirs) == (False, True)
    assert re.search(r'id="col-qualified">Qualifiée <span class="badge[^"]*">1<', after)


@pytest.mark.django_db
def test_board_links_come_back_to_the_address_asked(client, delegate):
    idea = IdeaFactory(organisation=delegate.organisation)
    client.force_login(delegate)

    plain = page(client, reverse("ideas:board"))
    filtered = page(client, reverse("ideas:board") + "?ordering=-vote_count")

    move = reverse("ideas:move", args=[idea.pk])
    assert f'href="{move}?to=qualified&amp;next=/idees/tableau/%3Fordering%3D-vote_count"' in (
        filtered
    )
    assert f'href="{move}?to=qualified&amp;next=/idees/tableau/"' in plain


@pytest.mark.django_db
def test_board_follows_a_new_delegate_role(client, delegate, other_organisation):
    IdeaFactory(organisation=other_organisation, title="Idée venue d’ailleurs")
    client.force_login(delegate)
    assert "Idée venue d’ailleurs" not in page(client, reverse("ideas:board"))

    grant(delegate, other_organisation, "delegate")

    assert "Idée venue d’ailleurs" in page(client, reverse("ideas:board"))


# --- Queries: the same number whatever the rows --------------------------------------------------


def count_queries(client, url) -> tuple[int, str]:
    client.get(url)  # the first request after logging in writes the session
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries), response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
@pytest.mark.parametrize(
    ("url", "queries"),
    [
        # session, person, roles, 4 filter choices, count, ids, rows, unread count
        ("list", 11),
        ("filtered", 11),
        ("search", 11),
        ("deep", 11),
    ],
)
def test_idea_list_costs_the_same_queries_whatever_the_rows(client, agent, count, url, queries):
    theme = ThemeFactory()
    campaign = CampaignFactory(organisations=[agent.organisation])
    ideas = IdeaFactory.create_batch(
        count, organisation=agent.organisation, theme=theme, campaign=campaign
    )
    for idea in ideas:
        services.cast_vote(idea, voter=AgentFactory(organisation=agent.organisation))
        CommentFactory(idea=idea)
    services.cast_vote(ideas[0], voter=agent)
    search.refresh_search_vector([idea.pk for idea in ideas])
    newest_first = list(reversed(ideas))
    urls = {
        "list": ("", newest_first),
        # ideas[0] has the person's vote besides the colleague's
        "filtered": (
            f"?state=submitted&theme={theme.pk}&campaign={campaign.pk}&ordering=-vote_count",
            [ideas[0], *newest_first[:-1]],
        ),
        "search": ("?q=accueil", newest_first),
        "deep": ("?page=1&ordering=-comment_count", newest_first),
    }
    query, expected = urls[url]
    client.force_login(agent)

    used, html = count_queries(client, reverse("ideas:list") + query)

    assert used == queries
    assert [int(pk) for pk in re.findall(r'<td><a href="/idees/(\d+)/">', html)] == [
        idea.pk for idea in expected
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
@pytest.mark.parametrize(
    ("who", "queries"),
    [
        # session, person, roles, idea, co-authors, attachments, comments, history, unread
        ("agent", 9),
        ("delegate", 9),
        # + the organisations of the campaign the idea shares with the partner's
        ("partner", 10),
    ],
)
def test_idea_page_costs_the_same_queries_whatever_the_rows(client, count, who, queries):
    delegate = DelegateFactory()
    organisation = delegate.organisation
    people = {
        "agent": AgentFactory(organisation=organisation),
        "delegate": delegate,
        "partner": AgentFactory(),
    }
    campaign = CampaignFactory(organisations=[organisation, people["partner"].organisation])
    idea = IdeaFactory(organisation=organisation, campaign=campaign)
    idea.coauthors.add(*AgentFactory.create_batch(count, organisation=organisation))
    comments = [
        services.add_comment(idea, author=people["agent"], body=f"Commentaire {n}")
        for n in range(count)
    ]
    IdeaEventFactory.create_batch(count, idea=idea, actor=delegate)
    client.force_login(people[who])

    used, html = count_queries(client, reverse("ideas:detail", args=[idea.pk]))

    assert used == queries
    assert comment_ids(html) == [comment.pk for comment in comments]


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_idea_page_with_mandates_costs_one_query_more_for_them(client, count):
    delegate = DelegateFactory()
    idea = IdeaFactory(organisation=delegate.organisation, state=Idea.State.ACCOMPANIED)
    mandates = [MandateFactory(idea=idea, team=count)]
    client.force_login(delegate)

    used, html = count_queries(client, reverse("ideas:detail", args=[idea.pk]))

    assert used == 10
    assert [reverse("ideas:mandate_detail", args=[m.pk]) in html for m in mandates] == [True]


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_board_costs_the_same_queries_whatever_the_cards(client, delegate, count):
    made = {}
    for state in ("submitted", "qualified", "selected"):
        made[state] = IdeaFactory.create_batch(
            count, organisation=delegate.organisation, state=state
        )
    client.force_login(delegate)

    # session, person, roles, counts, cards (one UNION ALL), 4 filter choices, unread count
    used, html = count_queries(client, reverse("ideas:board"))

    assert used == 10
    for state, ideas in made.items():
        assert re.search(rf'id="col-{state}">[^<]+<span class="badge[^"]*">{count}<', html)
        assert all(f'href="/idees/{idea.pk}/"' in html for idea in ideas)


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_campaign_pages_cost_the_same_queries_whatever_the_rows(client, agent, count):
    campaigns = CampaignFactory.create_batch(count, organisations=[agent.organisation])
    ideas = IdeaFactory.create_batch(count, organisation=agent.organisation, campaign=campaigns[0])
    challenges = ChallengeFactory.create_batch(count, organisation=agent.organisation)
    for challenge, idea in zip(challenges, ideas, strict=True):
        idea.challenge = challenge
        idea.save()
    client.force_login(agent)

    # session, person, roles, campaigns, their organisations, open challenges, unread count
    listing, listing_html = count_queries(client, reverse("ideas:campaign_list"))
    # session, person, roles, campaign, organisations, themes, count, ideas, unread count
    detail, detail_html = count_queries(
        client, reverse("ideas:campaign_detail", args=[campaigns[0].pk])
    )
    # session, person, roles, challenge, count, ideas, unread count
    challenge, challenge_html = count_queries(
        client, reverse("ideas:challenge_detail", args=[challenges[0].pk])
    )

    assert (listing, detail, challenge) == (7, 9, 7)
    assert all(campaign.title in listing_html for campaign in campaigns)
    assert all(f'href="/idees/{idea.pk}/"' in detail_html for idea in ideas)
    assert f'href="/idees/{ideas[0].pk}/"' in challenge_html


@pytest.mark.django_db
@pytest.mark.parametrize("ordering", ["", "-vote_count", "-comment_count"])
def test_board_counts_every_idea_of_a_step_whatever_the_order_asked(client, delegate, ordering):
    for votes in (0, 1, 2):
        IdeaFactory(organisation=delegate.organisation, vote_count=votes, comment_count=votes)
    client.force_login(delegate)

    html = page(client, reverse("ideas:board") + f"?ordering={ordering}")

    # Ordered by votes, the count was grouped by votes as well: "1" instead of "3".
    assert re.search(r'id="col-submitted">Déposée <span class="badge[^"]*">3<', html)
