"""The idea list, an idea's page and the board, served from the shared cache: a write shows on
the next request, each person sees their own audience and personal parts, and a warm request
costs no more queries than a cold one."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ideas import permissions, selectors, services
from ideas.filters import IdeaFilter
from ideas.models import Idea
from ideas.views import _filter_form
from innovation.caching import CSRF_PLACEHOLDER
from tests.factories import (
    AgentFactory,
    CampaignFactory,
    CommentFactory,
    DelegateFactory,
    DirectionFactory,
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


def count_queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


# --- Idea list ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_list_shows_an_idea_submitted_after_it_was_cached(client, agent):
    colleague = AgentFactory(organisation=agent.organisation)
    client.force_login(agent)
    page(client, reverse("ideas:list"))

    services.create_idea(
        author=colleague,
        data={"title": "Des casiers au vestiaire", "irritant": "x", "proposal": "y"},
        submit=True,
    )

    assert "Des casiers au vestiaire" in page(client, reverse("ideas:list"))


@pytest.mark.django_db
def test_list_of_another_organisation_is_not_shared(client, agent, other_organisation):
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
def test_support_badge_is_personal_in_a_shared_list(client, agent):
    colleague = AgentFactory(organisation=agent.organisation)
    idea = IdeaFactory(organisation=agent.organisation)
    services.cast_vote(idea, voter=agent)

    client.force_login(agent)
    voter_page = page(client, reverse("ideas:list"))
    client.force_login(colleague)
    colleague_page = page(client, reverse("ideas:list"))

    assert voter_page.count("vous soutenez") == 1
    assert colleague_page.count("vous soutenez") == 0
    assert "<!--voted:" not in voter_page + colleague_page


@pytest.mark.django_db
def test_vote_shows_its_badge_on_the_next_request(client, agent):
    idea = IdeaFactory(organisation=agent.organisation)
    client.force_login(agent)
    assert "vous soutenez" not in page(client, reverse("ideas:list"))

    services.cast_vote(idea, voter=agent)

    assert page(client, reverse("ideas:list")).count("vous soutenez") == 1


@pytest.mark.django_db
def test_a_vote_leaves_the_cached_list_but_its_count_shows_at_once(client, agent):
    idea = IdeaFactory(organisation=agent.organisation, vote_count=0)
    voters = AgentFactory.create_batch(2, organisation=agent.organisation)
    client.force_login(agent)
    plain = reverse("ideas:list")
    by_votes = f"{plain}?ordering=-vote_count"
    row = re.compile(rf'href="{idea.get_absolute_url()}".*?<td class="text-end">(\d+)</td>', re.S)
    assert row.search(page(client, plain))[1] == "0"
    page(client, by_votes)
    warm = count_queries(client, plain)
    assert count_queries(client, by_votes) == warm

    for voter in voters:
        services.cast_vote(idea, voter=voter)

    # The plain list is still served from the cache (no more queries than warm), with the
    # count of now; the list sorted by votes, whose order they change, is built again.
    assert count_queries(client, plain) == warm
    assert row.search(page(client, plain))[1] == "2"
    assert count_queries(client, by_votes) > warm
    assert row.search(page(client, by_votes))[1] == "2"


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
    html = _squash(_filter_form(ours, show_states=True))
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


# --- Visibility rule shared by the list -----------------------------------------------------


@pytest.mark.django_db
def test_public_list_and_own_ideas_make_the_visible_ideas():
    home, elsewhere, partner = (OrganisationFactory() for _ in range(3))
    person = AgentFactory(organisation=home)
    campaign = CampaignFactory(organisations=[home, partner])
    ideas = [
        IdeaFactory(organisation=home),
        IdeaFactory(organisation=home, state=Idea.State.DRAFT),
        IdeaFactory(organisation=partner, campaign=campaign),
        IdeaFactory(organisation=elsewhere),
        IdeaFactory(organisation=elsewhere, author=person),
        IdeaFactory(organisation=elsewhere, author=person, state=Idea.State.DRAFT),
        IdeaFactory(organisation=elsewhere, campaign=CampaignFactory(organisations=[elsewhere])),
    ]
    coauthored = IdeaFactory(organisation=elsewhere)
    coauthored.coauthors.add(person)
    visible = set(selectors.idea_list(person).values_list("pk", flat=True))
    public = set(selectors.public_list(person).values_list("pk", flat=True))
    own = set(
        Idea.objects.filter(permissions.own_ideas_condition(person))
        .exclude(state=Idea.State.DRAFT)
        .values_list("pk", flat=True)
    )

    assert visible == public | own
    assert public == {ideas[0].pk, ideas[2].pk}
    assert selectors.has_own_ideas_outside(person) is True
    assert selectors.has_own_ideas_outside(AgentFactory(organisation=home)) is False


# --- One idea --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_idea_page_shows_a_comment_added_after_it_was_cached(client, agent):
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
    assert CSRF_PLACEHOLDER not in voter_page + colleague_page + author_page
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
def test_idea_page_body_is_shared_only_with_the_same_rights(client, agent, delegate):
    colleague = AgentFactory(organisation=agent.organisation)
    idea = IdeaFactory(organisation=agent.organisation)
    url = reverse("ideas:detail", args=[idea.pk])
    pages = {}
    for name, person in (("delegate", delegate), ("agent", agent), ("colleague", colleague)):
        client.force_login(person)
        html = page(client, url)
        pages[name] = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)

    assert "Faire avancer l'idée" in pages["delegate"]
    assert "Faire avancer l'idée" not in pages["agent"]
    assert "id_support" not in pages["agent"]
    # Same rights, same choices: the same page but for the name in the menu.
    body = re.compile(r'<main id="contenu".*</main>', re.S)
    assert body.search(pages["agent"])[0] == body.search(pages["colleague"])[0]


@pytest.mark.django_db
def test_idea_page_reads_the_person_and_the_idea_in_one_query(client, agent):
    partner = AgentFactory()
    campaign = CampaignFactory(organisations=[agent.organisation, partner.organisation])
    idea = IdeaFactory(organisation=agent.organisation, campaign=campaign)
    idea.coauthors.add(AgentFactory(organisation=agent.organisation))
    url = reverse("ideas:detail", args=[idea.pk])
    client.force_login(partner)
    page(client, url)

    with CaptureQueriesContext(connection) as captured:
        page(client, url)

    idea_queries = [q["sql"] for q in captured.captured_queries if "ideas_" in q["sql"]]
    assert len(idea_queries) == 1


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
    IdeaFactory(organisation=delegate.organisation)
    client.force_login(delegate)

    plain = page(client, reverse("ideas:board"))
    filtered = page(client, reverse("ideas:board") + "?ordering=-vote_count")

    assert "next=/idees/tableau/%3Fordering%3D-vote_count" in filtered
    assert 'next=/idees/tableau/"' in plain
    assert "%3Fordering" not in plain


@pytest.mark.django_db
def test_board_follows_a_new_delegate_role(client, delegate, other_organisation):
    IdeaFactory(organisation=other_organisation, title="Idée venue d’ailleurs")
    client.force_login(delegate)
    assert "Idée venue d’ailleurs" not in page(client, reverse("ideas:board"))

    grant(delegate, other_organisation, "delegate")

    assert "Idée venue d’ailleurs" in page(client, reverse("ideas:board"))


# --- Queries: fixed, and no more warm than cold ------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("count", [2, 30])
@pytest.mark.parametrize(
    ("who", "url"),
    [
        ("agent", "list"),
        ("agent", "filtered"),
        ("agent", "search"),
        ("agent", "detail"),
        ("partner", "detail"),
        ("delegate", "detail"),
        ("partner", "mandate"),
        ("delegate", "mandate"),
        ("delegate", "board"),
    ],
)
def test_cached_pages_cost_a_fixed_number_of_queries(client, count, who, url):
    delegate = DelegateFactory()
    organisation = delegate.organisation
    people = {
        "agent": AgentFactory(organisation=organisation),
        "delegate": delegate,
        "partner": AgentFactory(),
    }
    theme = ThemeFactory()
    campaign = CampaignFactory(organisations=[organisation, people["partner"].organisation])
    ideas = IdeaFactory.create_batch(count, organisation=organisation, theme=theme)
    ideas[0].campaign = campaign
    ideas[0].save()
    for idea in ideas[:count]:
        CommentFactory(idea=idea)
    services.cast_vote(ideas[0], voter=people["agent"])
    ideas[1].campaign = campaign
    ideas[1].state = Idea.State.ACCOMPANIED
    ideas[1].save()
    MandateFactory(idea=ideas[1], team=count)
    urls = {
        "mandate": reverse("ideas:detail", args=[ideas[1].pk]),
        "list": reverse("ideas:list"),
        "filtered": reverse("ideas:list")
        + f"?state=submitted&theme={theme.pk}&campaign={campaign.pk}&ordering=-vote_count",
        "search": reverse("ideas:list") + "?q=accueil",
        "detail": reverse("ideas:detail", args=[ideas[0].pk]),
        "board": reverse("ideas:board"),
    }
    client.force_login(people[who])
    client.get(urls[url])  # the session is saved once
    cache.clear()

    cold = count_queries(client, urls[url])
    warm = count_queries(client, urls[url])

    assert cold <= 12
    assert warm <= cold


@pytest.mark.django_db
def test_person_without_organisation_sees_only_their_own_ideas(client):
    person = AgentFactory(roles=[])
    idea = IdeaFactory(author=person, organisation=OrganisationFactory(), title="Mon idée à moi")
    IdeaFactory(organisation=person.organisation, title="Idée de la maison")
    client.force_login(person)

    html = page(client, reverse("ideas:list"))

    assert selectors.has_own_ideas_outside(person) is True
    assert list(selectors.public_list(person)) == []
    assert (idea.title in html, "Idée de la maison" in html) == (True, False)
