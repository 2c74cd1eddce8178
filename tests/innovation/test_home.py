"""The home page per role: the blocks each person gets, their order, where they lead, what
they count; in a fixed number of queries; never another organisation's things."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from ideas import services
from ideas.mandates.models import Mandate
from ideas.models import Idea
from innovation.platform.models import Role
from juries.models import Forum
from tests.factories import (
    AgentFactory,
    CampaignFactory,
    ChallengeFactory,
    DelegateFactory,
    DirectorFactory,
    ForumFactory,
    ForumJurorFactory,
    IdeaFactory,
    JurorFactory,
    ManagerFactory,
    MandateFactory,
    MandateMemberFactory,
    OccurrenceFactory,
    RegistrationFactory,
    RitualFactory,
    SponsorFactory,
    grant,
    sign_all,
)

# Every signed-in page: the session, the person, their role grants, the menu's unread count.
SIGNED_IN = 4
# An agent: follow-ups to hold, my ideas, next breakfast, open calls, open challenges, most
# supported ideas, signatures asked of me (one query while there are none).
AGENT = 7
# A delegate holds the agent's role too, and adds: overdue follow-ups, ideas to qualify,
# mandates to send or in signature, breakfasts to programme, forums to prepare.
DELEGATE = AGENT + 5


def blocks(response) -> list[str]:
    """The ids of the blocks' headings, in the page's order."""
    return re.findall(r'<h2 id="(home-[a-z-]+)"', response.content.decode())


def block(response, key: str) -> str:
    """The HTML of one block, from its heading to the next block."""
    html = response.content.decode()
    start = html.index(f'id="home-{key}"')
    end = html.find("<h2 id=", start + 1)
    return html[start : end if end > 0 else len(html)]


def past(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


def active_mandate(**kwargs) -> Mandate:
    """A mandate signed by all, started 50 days ago: its first follow-up is 8 days late."""
    return sign_all(MandateFactory(starts_on=past(50), **kwargs))


# --- Who gets what --------------------------------------------------------------------------


@pytest.mark.django_db
def test_home_sends_anonymous_visitors_to_the_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.url == reverse("login")


@pytest.mark.django_db
def test_home_of_a_new_agent_explains_the_journey_in_two_lines(client, organisation):
    agent = AgentFactory(organisation=organisation)
    client.force_login(agent)

    response = client.get("/")

    page = response.content.decode()
    assert blocks(response) == ["home-welcome"]
    assert "Vous proposez une idée → l'équipe innovation la qualifie →" in page
    assert "Vos collègues la soutiennent et la commentent" in page


@pytest.mark.django_db
def test_home_of_an_agent_shows_their_ideas_breakfast_calls_and_live_ideas_in_order(
    client, organisation
):
    agent = AgentFactory(organisation=organisation)
    mine = IdeaFactory(organisation=organisation, author=agent, title="Mon idée")
    services.move_idea(
        mine,
        actor=DelegateFactory(organisation=organisation),
        to=Idea.State.NOT_RETAINED,
        reason="Déjà prévu au budget 2027.",
    )
    campaign = CampaignFactory(organisations=[organisation], title="Appel mobilités")
    challenge = ChallengeFactory(organisation=organisation, title="Défi accueil")
    occurrence = OccurrenceFactory(ritual=RitualFactory(organisation=organisation))
    live = IdeaFactory(organisation=organisation, title="Idée vivante", vote_count=4)
    for state in (Idea.State.DEPLOYED, Idea.State.NOT_RETAINED, Idea.State.REDIRECTED):
        IdeaFactory(organisation=organisation, state=state, vote_count=9, title=f"Hors {state}")
    client.force_login(agent)

    response = client.get("/")

    assert blocks(response) == [
        "home-my-ideas",
        "home-next-breakfast",
        "home-open-calls",
        "home-top-ideas",
    ]
    assert "Non retenue" in block(response, "my-ideas")
    assert "Déjà prévu au budget 2027." in block(response, "my-ideas")
    assert reverse("rituals:occurrence", args=[occurrence.pk]) in block(response, "next-breakfast")
    calls = block(response, "open-calls")
    assert reverse("ideas:campaign_detail", args=[campaign.pk]) in calls
    assert reverse("ideas:challenge_detail", args=[challenge.pk]) in calls
    top = block(response, "top-ideas")
    assert reverse("ideas:detail", args=[live.pk]) in top and "4 soutiens" in top
    # Live ideas only: neither deployed nor out of the pipeline (and not their own here).
    assert "Hors" not in top and "Mon idée" not in top


@pytest.mark.django_db
def test_home_tells_an_agent_they_are_registered_to_the_next_breakfast(client, organisation):
    agent = AgentFactory(organisation=organisation)
    occurrence = OccurrenceFactory(ritual=RitualFactory(organisation=organisation))
    RegistrationFactory(occurrence=occurrence, user=agent)
    client.force_login(agent)

    breakfast = block(client.get("/"), "next-breakfast")

    assert "Vous êtes inscrit·e" in breakfast
    assert "Voir la séance" in breakfast and "M'inscrire" not in breakfast


@pytest.mark.django_db
def test_home_of_a_delegate_puts_late_follow_ups_first_and_counts_ideas_to_qualify(
    client, organisation
):
    delegate = DelegateFactory(organisation=organisation)
    late = active_mandate(idea__organisation=organisation)
    draft = MandateFactory(idea__organisation=organisation)
    IdeaFactory.create_batch(7, organisation=organisation)
    ritual = RitualFactory(organisation=organisation, created_by=delegate)
    empty_date = OccurrenceFactory(ritual=ritual)
    forum = ForumFactory(created_by=delegate)
    client.force_login(delegate)

    response = client.get("/")

    assert blocks(response)[:5] == [
        "home-overdue-followups",
        "home-ideas-to-qualify",
        "home-mandates-in-progress",
        "home-breakfasts-to-programme",
        "home-forums-to-prepare",
    ]
    followup = late.followups.order_by("due_on").first()
    overdue = block(response, "overdue-followups")
    assert "1 point d'étape en retard" in overdue
    assert reverse("ideas:followup_record", args=[followup.pk]) in overdue
    qualify = block(response, "ideas-to-qualify")
    # 7 in all (and the ideas of the mandates, accompanied, are not to qualify), 5 listed.
    assert "7 idées à qualifier" in qualify
    assert f'href="{reverse("ideas:list")}?state=submitted"' in qualify
    assert qualify.count("<li>") == 5
    progress = block(response, "mandates-in-progress")
    assert reverse("ideas:mandate_detail", args=[draft.pk]) in progress
    assert "Brouillon à envoyer aux signataires" in progress
    assert reverse("rituals:occurrence_edit", args=[empty_date.pk]) in block(
        response, "breakfasts-to-programme"
    )
    assert reverse("juries:detail", args=[forum.pk]) in block(response, "forums-to-prepare")


@pytest.mark.django_db
def test_home_of_a_director_shows_answers_to_their_challenges_and_their_directions_mandates(
    client, organisation
):
    director = DirectorFactory(organisation=organisation)
    challenge = ChallengeFactory(author=director, title="Moins de papier")
    answer = IdeaFactory(organisation=organisation, challenge=challenge, title="Zéro papier")
    IdeaFactory(organisation=organisation, challenge=challenge, state=Idea.State.DRAFT)
    mandate = sign_all(MandateFactory(idea__organisation=organisation, client_director=director))
    client.force_login(director)

    response = client.get("/")

    assert blocks(response)[:2] == ["home-challenge-answers", "home-direction-mandates"]
    answers = block(response, "challenge-answers")
    assert reverse("ideas:detail", args=[answer.pk]) in answers
    assert answers.count("<li>") == 1  # the draft answer stays with its author
    assert reverse("ideas:mandate_detail", args=[mandate.pk]) in block(
        response, "direction-mandates"
    )


@pytest.mark.django_db
def test_home_of_a_sponsor_shows_what_awaits_their_signature_first_and_the_freed_time(
    client, organisation
):
    sponsor = SponsorFactory(organisation=organisation)
    waiting = MandateFactory(idea__organisation=organisation, sponsor=sponsor)
    sign_all(waiting, except_for=[sponsor])
    running = active_mandate(idea__organisation=organisation, sponsor=sponsor, team=0)
    member = MandateMemberFactory(mandate=running, freed_hours_per_week="3.5")
    client.force_login(sponsor)

    response = client.get("/")

    assert blocks(response) == ["home-signatures", "home-freed-time"]
    signatures = block(response, "signatures")
    assert "1 lettre de mission attend ma signature" in signatures
    assert reverse("ideas:mandate_detail", args=[waiting.pk]) in signatures
    freed = block(response, "freed-time")
    assert escape(member.agent.get_full_name()) in freed and "3,5 h par semaine" in freed


@pytest.mark.django_db
def test_home_of_a_manager_shows_the_freed_time_of_their_agents_only(client, organisation):
    manager = ManagerFactory(organisation=organisation)
    mandate = MandateFactory(idea__organisation=organisation, starts_on=past(50), team=0)
    theirs = MandateMemberFactory(mandate=mandate, manager=manager)
    MandateMemberFactory(mandate=mandate)  # another manager's agent
    sign_all(mandate)
    client.force_login(manager)

    response = client.get("/")

    freed = block(response, "freed-time")
    assert freed.count("<li>") == 1
    assert escape(theirs.agent.get_full_name()) in freed


@pytest.mark.django_db
def test_home_of_a_juror_shows_the_forum_to_score_now_first(client, organisation):
    juror = JurorFactory(organisation=organisation)
    open_forum = ForumFactory(stage=Forum.Stage.OPEN, title="Forum ouvert")
    ForumJurorFactory(forum=open_forum, user=juror)
    ForumJurorFactory(forum=ForumFactory(title="Forum pas encore ouvert"), user=juror)
    client.force_login(juror)

    response = client.get("/")

    assert blocks(response) == ["home-forums-to-score"]
    to_score = block(response, "forums-to-score")
    assert reverse("juries:score", args=[open_forum.pk]) in to_score
    assert "pas encore ouvert" not in to_score


@pytest.mark.django_db
def test_home_of_a_person_with_several_roles_shows_each_roles_blocks_most_urgent_first(
    client, organisation
):
    person = DelegateFactory(organisation=organisation)
    grant(person, organisation, Role.JUROR)
    grant(person, organisation, Role.SPONSOR)
    forum = ForumFactory(stage=Forum.Stage.OPEN)
    ForumJurorFactory(forum=forum, user=person)
    sign_all(MandateFactory(idea__organisation=organisation, sponsor=person), except_for=[person])
    active_mandate(idea__organisation=organisation)
    IdeaFactory(organisation=organisation, author=person)
    client.force_login(person)

    response = client.get("/")

    assert blocks(response) == [
        "home-forums-to-score",
        "home-signatures",
        "home-overdue-followups",
        "home-ideas-to-qualify",
        "home-mandates-in-progress",
        "home-my-ideas",
        "home-top-ideas",
    ]


@pytest.mark.django_db
def test_home_never_shows_another_organisations_things(client, organisation, other_organisation):
    delegate = DelegateFactory(organisation=organisation)
    grant(delegate, organisation, Role.DIRECTOR)
    grant(delegate, organisation, Role.JUROR)
    elsewhere = {"idea__organisation": other_organisation}
    IdeaFactory(organisation=other_organisation, title="Idée lointaine", vote_count=50)
    active_mandate(**elsewhere)
    MandateFactory(**elsewhere)
    CampaignFactory(organisations=[other_organisation], title="Appel lointain")
    ChallengeFactory(organisation=other_organisation, title="Défi lointain")
    OccurrenceFactory(ritual=RitualFactory(organisation=other_organisation))
    ForumFactory(created_by=DelegateFactory(organisation=other_organisation))
    ForumFactory(
        stage=Forum.Stage.OPEN, created_by=DelegateFactory(organisation=other_organisation)
    )
    client.force_login(delegate)

    response = client.get("/")

    assert blocks(response) == []
    assert "Rien ne vous attend pour l'instant." in response.content.decode()
    assert "lointain" not in response.content.decode()


# --- What it costs --------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_home_of_an_agent_costs_the_same_queries_whatever_the_rows(
    client, organisation, django_assert_num_queries, count
):
    agent = AgentFactory(organisation=organisation)
    mine = IdeaFactory.create_batch(count, organisation=organisation, author=agent)
    others = IdeaFactory.create_batch(count, organisation=organisation)
    campaigns = CampaignFactory.create_batch(count, organisations=[organisation])
    challenges = ChallengeFactory.create_batch(count, organisation=organisation)
    OccurrenceFactory.create_batch(count, ritual=RitualFactory(organisation=organisation))
    teams = [active_mandate(idea__organisation=organisation, team=0) for _ in range(count)]
    for mandate in teams:
        MandateMemberFactory(mandate=mandate, agent=agent)
    client.force_login(agent)

    with django_assert_num_queries(SIGNED_IN + AGENT):
        response = client.get("/")

    page = response.content.decode()
    assert all(escape(idea.title) in page for idea in mine + others)
    assert all(escape(c.title) in page for c in campaigns + challenges)
    assert block(response, "followups-to-hold").count("<li>") == count


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_home_of_a_delegate_costs_the_same_queries_whatever_the_rows(
    client, organisation, django_assert_num_queries, count
):
    delegate = DelegateFactory(organisation=organisation)
    to_qualify = IdeaFactory.create_batch(count, organisation=organisation)
    late = [active_mandate(idea__organisation=organisation) for _ in range(count)]
    drafts = MandateFactory.create_batch(count, idea__organisation=organisation)
    OccurrenceFactory.create_batch(count, ritual=RitualFactory(organisation=organisation))
    forums = ForumFactory.create_batch(count, created_by=delegate)
    client.force_login(delegate)

    # The agent's blocks, the delegate's, and the participants of the forums to prepare.
    with django_assert_num_queries(SIGNED_IN + DELEGATE + 1):
        response = client.get("/")

    page = response.content.decode()
    assert all(escape(idea.title) in page for idea in to_qualify)
    assert all(escape(m.idea.title) in page for m in late + drafts)
    assert all(escape(forum.title) in page for forum in forums)
    assert block(response, "breakfasts-to-programme").count("<li>") == count


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_home_of_a_director_sponsor_and_juror_costs_the_same_queries_whatever_the_rows(
    client, organisation, django_assert_num_queries, count
):
    person = DirectorFactory(organisation=organisation)
    grant(person, organisation, Role.SPONSOR)
    grant(person, organisation, Role.JUROR)
    challenge = ChallengeFactory(author=person)
    answers = IdeaFactory.create_batch(count, organisation=organisation, challenge=challenge)
    waiting = MandateFactory.create_batch(count, idea__organisation=organisation, sponsor=person)
    for mandate in waiting:
        sign_all(mandate, except_for=[person])
    running = [
        active_mandate(idea__organisation=organisation, sponsor=person, client_director=person)
        for _ in range(count)
    ]
    forums = ForumFactory.create_batch(count, stage=Forum.Stage.OPEN)
    for forum in forums:
        ForumJurorFactory(forum=forum, user=person)
    client.force_login(person)

    # The agent's blocks, challenge answers, direction mandates, freed time, forums to score,
    # and the signatures asked of them (three queries once there are some).
    with django_assert_num_queries(SIGNED_IN + AGENT + 4 + 2):
        response = client.get("/")

    page = response.content.decode()
    assert all(escape(idea.title) in page for idea in answers)
    assert all(escape(m.idea.title) in block(response, "signatures") for m in waiting)
    assert all(escape(m.idea.title) in block(response, "freed-time") for m in running)
    assert all(escape(forum.title) in page for forum in forums)
