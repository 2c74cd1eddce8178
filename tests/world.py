"""One small world holding one of everything, shared by the authorisation matrix
(tests/platform/test_authorisation_matrix.py) and the hardening suites (tests/hardening/:
fuzzer, odd paths, hostile text). A test that needs more (hostile text, a hidden comment)
adds it on top of this world, in its own file.

Naming: a person is named by the role they hold (`agent`, `manager`, `director`, `sponsor`,
`juror`, `delegate`, `admin`) or by what they are to the world (`author`, `president`,
`leaver`, `outsider`). A thing is named by its kind, then, when the world holds it in several
states, by its state: `idea`, `idea_draft`, `idea_selected`; `mandate_draft`,
`mandate_awaiting`, `mandate_active`; `forum_preparing`, `forum_open`, `forum_closed`,
`forum_published`; `occurrence`, `occurrence_past`. Names are unique across people and
things, and `world.<name>` reads either.

Who is who, in the organisation `world.org` unless told otherwise:

- `author`: the agent with things of their own. They wrote the ideas (and the comment and the
  attachment), sit on the teams of the mandates, are registered to both breakfasts, receive
  the notification and hold the calendar token.
- `agent`: a plain agent of the same organisation with nothing of their own (refused what
  only the author may do, such as editing the idea).
- `juror`: sits on the jury of every forum (not presiding), and is also an agent here.
  `president`: presides over every forum's jury (a juror and nothing else).
- `leaver`: an agent with nothing of their own, to be pseudonymised.
- `manager`: also the co-author of `idea_selected`, who may take their name off it.
- `outsider`: holds every role in another organisation (`outsider.organisation`): a stranger
  here, who must see none of this organisation's things.
- `world.neighbour`: another organisation taking part in every forum; its pitches are the
  ones the jurors may score (nobody scores their own organisation's ideas).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from ideas.mandates import services as mandates
from ideas.models import Attachment, FollowUp, Idea, Mandate
from innovation.platform.models import Organisation, Role, User
from juries.models import Forum, Pitch
from rituals import services as ritual_services
from rituals.recurrence import local_start
from tests.factories import (
    AdminFactory,
    AgentFactory,
    CampaignFactory,
    ChallengeFactory,
    CommentFactory,
    CriterionFactory,
    DelegateFactory,
    DirectorFactory,
    ForumFactory,
    ForumJurorFactory,
    IdeaFactory,
    JurorFactory,
    ManagerFactory,
    MandateFactory,
    MandateMemberFactory,
    NotificationFactory,
    OccurrenceFactory,
    OrganisationFactory,
    PitchFactory,
    RegistrationFactory,
    RitualFactory,
    SponsorFactory,
    ThemeFactory,
    grant,
    sign_all,
)


@dataclass
class World:
    org: Organisation  # the organisation everything below belongs to
    neighbour: Organisation  # takes part in the forums
    people: dict[str, User]
    things: dict[str, object]

    def __getattr__(self, name):
        # Read through __dict__: copy and pickle call this before the fields exist.
        for named in (self.__dict__.get("people", {}), self.__dict__.get("things", {})):
            if name in named:
                return named[name]
        raise AttributeError(name)


def build_world() -> World:
    org = OrganisationFactory(name="Département de la Somme", slug="somme-test")
    neighbour = OrganisationFactory(name="Département voisin", slug="voisin-test")
    people = {
        "agent": AgentFactory(organisation=org, first_name="Alix", last_name="Agent"),
        "author": AgentFactory(organisation=org, first_name="Aude", last_name="Autrice"),
        "manager": ManagerFactory(organisation=org, first_name="Maud", last_name="Manager"),
        "director": DirectorFactory(organisation=org, first_name="Dora", last_name="Directrice"),
        "sponsor": SponsorFactory(organisation=org, first_name="Sam", last_name="Sponsor"),
        "juror": JurorFactory(organisation=org, first_name="Jules", last_name="Juré"),
        "president": JurorFactory(organisation=org, first_name="Paule", last_name="Présidente"),
        "delegate": DelegateFactory(organisation=org, first_name="Dana", last_name="Déléguée"),
        "admin": AdminFactory(organisation=org, first_name="Ada", last_name="Admin"),
        "leaver": AgentFactory(organisation=org, first_name="Léo", last_name="Partant"),
        "outsider": AdminFactory(first_name="Oscar", last_name="Étranger"),
    }
    p = people
    grant(p["juror"], org, Role.AGENT)
    for role in Role.values:
        if role != Role.ADMIN:
            grant(p["outsider"], p["outsider"].organisation, role)

    # Ideas, campaign, challenge
    theme = ThemeFactory(name="Accueil des usagers")
    campaign = CampaignFactory(created_by=p["delegate"], organisations=[org])
    campaign.themes.set([theme])
    challenge = ChallengeFactory(author=p["director"], organisation=org)
    idea = IdeaFactory(author=p["author"], campaign=campaign, theme=theme, challenge=challenge)
    idea_draft = IdeaFactory(
        author=p["author"],
        state=Idea.State.DRAFT,
        submitted_at=None,
        campaign=campaign,
        challenge=challenge,
    )
    comment = CommentFactory(idea=idea, author=p["author"])
    Idea.objects.filter(pk=idea.pk).update(comment_count=1)  # as services.add_comment does
    attachment = Attachment.objects.create(
        idea=idea,
        file=SimpleUploadedFile("note.txt", b"Bonjour"),
        original_name="note.txt",
        content_type="text/plain",
        size=7,
        uploaded_by=p["author"],
    )
    idea_selected = IdeaFactory(author=p["author"], state=Idea.State.SELECTED)
    idea_selected.coauthors.add(p["manager"])  # who may leave it (ideas:coauthor_leave)

    # Mandates in each state, on accompanied ideas of the author, who is on their team
    def mandate() -> Mandate:
        created = MandateFactory(
            idea=IdeaFactory(author=p["author"], state=Idea.State.ACCOMPANIED),
            sponsor=p["sponsor"],
            client_director=p["director"],
            client_direction=p["director"].direction,
            created_by=p["delegate"],
            team=0,
        )
        MandateMemberFactory(mandate=created, agent=p["author"], manager=p["manager"])
        return created

    mandate_active = sign_all(mandate())
    mandate_awaiting = mandate()  # sent for signature, nobody has signed yet
    mandates.send_for_signature(mandate_awaiting, actor=p["delegate"])
    mandate_draft = mandate()
    followup = FollowUp.objects.filter(mandate=mandate_active).order_by("due_on").first()

    # Forums in each stage, shared with the neighbour; one pitch of each organisation
    def forum(stage: str) -> tuple[Forum, Pitch]:
        created = ForumFactory(
            created_by=p["delegate"], organisations=[org, neighbour], stage=stage
        )
        for name in ("Impact pour les usagers", "Faisabilité"):
            CriterionFactory(forum=created, name=name)
        ForumJurorFactory(forum=created, user=p["juror"], organisation=org)
        ForumJurorFactory(forum=created, user=p["president"], organisation=org, is_president=True)
        own = PitchFactory(
            forum=created,
            idea=IdeaFactory(author=p["author"], state=Idea.State.SELECTED),
            put_forward_by=p["delegate"],
        )
        PitchFactory(
            forum=created,
            idea=IdeaFactory(author__organisation=neighbour, state=Idea.State.SELECTED),
            put_forward_by=p["delegate"],
        )
        return created, own

    forum_preparing, pitch_preparing = forum(Forum.Stage.PREPARING)
    forum_open, _ = forum(Forum.Stage.OPEN)
    forum_closed, _ = forum(Forum.Stage.CLOSED)
    forum_published, _ = forum(Forum.Stage.PUBLISHED)
    forum_published.pitches.filter(organisation=org).update(laureate=True)

    # Breakfasts: a ritual with a date ahead and a date past, the author registered to both
    ritual = RitualFactory(created_by=p["delegate"], organisation=org, capacity=5)
    occurrence = OccurrenceFactory(ritual=ritual)
    RegistrationFactory(occurrence=occurrence, user=p["author"])
    past_day = timezone.localdate() - datetime.timedelta(days=3)
    occurrence_past = OccurrenceFactory(
        ritual=ritual,
        original_date=past_day,
        starts_at=local_start(past_day, ritual.start_time),
    )
    RegistrationFactory(occurrence=occurrence_past, user=p["author"])

    things = {
        "theme": theme,
        "campaign": campaign,
        "challenge": challenge,
        "idea": idea,  # submitted, in the campaign, answering the challenge
        "idea_draft": idea_draft,
        "idea_selected": idea_selected,  # no mandate yet
        "comment": comment,
        "attachment": attachment,
        "mandate_draft": mandate_draft,
        "mandate_awaiting": mandate_awaiting,
        "mandate_active": mandate_active,
        "followup": followup,  # the first one due, of the active mandate
        "forum_preparing": forum_preparing,
        "forum_open": forum_open,
        "forum_closed": forum_closed,
        "forum_published": forum_published,  # the organisation's pitch is laureate
        # The organisation's own pitch in the forum being prepared.
        "pitch_preparing": pitch_preparing,
        # The neighbour's pitch in the open forum: the one the juror may score.
        "pitch_open": forum_open.pitches.get(organisation=neighbour),
        "criterion": forum_preparing.criteria.first(),
        "seat": forum_preparing.jurors.get(user=p["juror"]),  # the juror's seat
        "ritual": ritual,
        "occurrence": occurrence,  # ahead, open for registration
        "occurrence_past": occurrence_past,
        "calendar_token": ritual_services.calendar_token(p["author"]),
        "notification": NotificationFactory(recipient=p["author"], url=idea.get_absolute_url()),
        "dashboard_table": "etapes",  # a table of the dashboard, for its export
    }
    assert not set(people) & set(things), "a name must say one person or one thing"
    return World(org=org, neighbour=neighbour, people=people, things=things)
