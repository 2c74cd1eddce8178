"""A small world with one of everything, the URL of every named page in it, and the person who
may use that page; plus an HTML form reader. Shared by the fuzz and XSS suites."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone

from ideas.mandates import services as mandates
from ideas.models import FollowUp, Idea, Mandate
from innovation.platform.models import Organisation, User
from juries.models import Forum
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
    sign_all,
)


@dataclass
class World:
    org: Organisation
    people: dict[str, User]
    objects: dict[str, object]
    extra: dict[str, object] = field(default_factory=dict)

    def __getattr__(self, name):
        if name in self.people:
            return self.people[name]
        if name in self.objects:
            return self.objects[name]
        raise AttributeError(name)


def build_world() -> World:
    org = OrganisationFactory(name="Département de la Somme", slug="somme-test")
    people = {
        "agent": AgentFactory(organisation=org, first_name="Alix", last_name="Agent"),
        "manager": ManagerFactory(organisation=org, first_name="Maud", last_name="Manager"),
        "director": DirectorFactory(organisation=org, first_name="Dora", last_name="Directrice"),
        "sponsor": SponsorFactory(organisation=org, first_name="Sam", last_name="Sponsor"),
        "juror": JurorFactory(organisation=org, first_name="Jules", last_name="Juré"),
        "delegate": DelegateFactory(organisation=org, first_name="Dana", last_name="Déléguée"),
        "admin": AdminFactory(organisation=org, first_name="Ada", last_name="Admin"),
        "leaver": AgentFactory(organisation=org, first_name="Léo", last_name="Partant"),
    }
    p = people
    theme = ThemeFactory(name="Accueil des usagers")
    campaign = CampaignFactory(created_by=p["delegate"], organisations=[org])
    campaign.themes.set([theme])
    challenge = ChallengeFactory(author=p["director"], organisation=org)
    idea = IdeaFactory(author=p["agent"], campaign=campaign, theme=theme, challenge=challenge)
    draft = IdeaFactory(
        author=p["agent"],
        state=Idea.State.DRAFT,
        submitted_at=None,
        campaign=campaign,
        challenge=challenge,
    )
    comment = CommentFactory(idea=idea, author=p["agent"])
    Idea.objects.filter(pk=idea.pk).update(comment_count=1)  # as services.add_comment does
    selected = IdeaFactory(author=p["agent"], state=Idea.State.SELECTED)

    def mandate_for(state_idea: Idea) -> Mandate:
        mandate = MandateFactory(
            idea=state_idea,
            sponsor=p["sponsor"],
            client_director=p["director"],
            client_direction=p["director"].direction,
            created_by=p["delegate"],
            team=0,
        )
        MandateMemberFactory(mandate=mandate, agent=p["agent"], manager=p["manager"])
        return mandate

    active = sign_all(mandate_for(IdeaFactory(author=p["agent"], state=Idea.State.ACCOMPANIED)))
    awaiting = mandate_for(IdeaFactory(author=p["agent"], state=Idea.State.ACCOMPANIED))
    mandates.send_for_signature(awaiting, actor=p["delegate"])
    draft_mandate = mandate_for(IdeaFactory(author=p["agent"], state=Idea.State.ACCOMPANIED))
    followup = FollowUp.objects.filter(mandate=active).order_by("due_on").first()

    neighbour = OrganisationFactory(name="Département voisin", slug="voisin-test")

    def forum_at(stage: str) -> Forum:
        forum = ForumFactory(created_by=p["delegate"], organisations=[org, neighbour], stage=stage)
        for name in ("Impact pour les usagers", "Faisabilité"):
            CriterionFactory(forum=forum, name=name)
        ForumJurorFactory(forum=forum, user=p["juror"], organisation=org, is_president=True)
        PitchFactory(
            forum=forum,
            idea=IdeaFactory(author=p["agent"], state=Idea.State.SELECTED),
            put_forward_by=p["delegate"],
        )
        # Jurors do not score their own organisation's ideas: one from the neighbour.
        PitchFactory(
            forum=forum,
            idea=IdeaFactory(author__organisation=neighbour, state=Idea.State.SELECTED),
            put_forward_by=p["delegate"],
        )
        return forum

    preparing = forum_at(Forum.Stage.PREPARING)
    open_forum = forum_at(Forum.Stage.OPEN)
    closed = forum_at(Forum.Stage.CLOSED)
    published = forum_at(Forum.Stage.PUBLISHED)
    published.pitches.filter(organisation=org).update(laureate=True)

    ritual = RitualFactory(created_by=p["delegate"], organisation=org, capacity=5)
    occurrence = OccurrenceFactory(ritual=ritual)
    RegistrationFactory(occurrence=occurrence, user=p["agent"])
    past_day = timezone.localdate() - datetime.timedelta(days=3)
    past = OccurrenceFactory(
        ritual=ritual,
        original_date=past_day,
        starts_at=local_start(past_day, ritual.start_time),
    )
    RegistrationFactory(occurrence=past, user=p["agent"])
    token = ritual_services.calendar_token(p["agent"])
    notification = NotificationFactory(recipient=p["agent"], url=idea.get_absolute_url())
    objects = {
        "theme": theme,
        "campaign": campaign,
        "challenge": challenge,
        "idea": idea,
        "draft": draft,
        "comment": comment,
        "selected": selected,
        "active": active,
        "awaiting": awaiting,
        "draft_mandate": draft_mandate,
        "followup": followup,
        "preparing": preparing,
        "open_forum": open_forum,
        "closed": closed,
        "published": published,
        "ritual": ritual,
        "occurrence": occurrence,
        "past": past,
        "token": token,
        "notification": notification,
    }
    return World(org=org, people=people, objects=objects)


@pytest.fixture
def world(db) -> World:
    return build_world()


# --- Every named URL, built for the world, with who uses it ---------------------------------


@dataclass(frozen=True)
class Endpoint:
    name: str
    role: str  # key of World.people; "" for anonymous pages
    url: str
    post: bool  # a POST form targets it
    get: bool = True  # False for POST-only views
    form_on: str = ""  # where its POST form is shown, when not on its own page
    query: tuple[str, ...] = ()  # query-string keys the page reads besides its GET forms


def endpoints(w: World) -> list[Endpoint]:
    """Every named page with objects of the world, the person who uses it, how it is used."""
    o = w.objects
    forum, open_forum, closed, published = (
        o["preparing"],
        o["open_forum"],
        o["closed"],
        o["published"],
    )
    pitch = forum.pitches.filter(organisation=w.org).first()
    open_pitch = open_forum.pitches.exclude(organisation=w.org).first()
    items = []

    def add(name, role, args=(), *, post=False, get=True, form_on=None, query=(), suffix=""):
        host = reverse(form_on[0], args=form_on[1:]) if form_on else ""
        url = reverse(name, args=args) + suffix
        items.append(Endpoint(name, role, url, post, get, host, query))

    idea, sel, draft = o["idea"].pk, o["selected"].pk, o["draft"].pk
    active, awaiting, drafted = o["active"].pk, o["awaiting"].pk, o["draft_mandate"].pk
    ritual, occurrence, past = o["ritual"].pk, o["occurrence"].pk, o["past"].pk
    token = o["token"].token
    add("home", "agent")
    add("dashboard", "delegate", query=("organisation",))
    add("dashboard_export", "delegate", ["etapes"])
    add("profile", "agent", post=True)
    add("notification_list", "agent", query=("page",))
    add("notification_mark_read", "agent", post=True, get=False, form_on=["notification_list"])
    add("people_list", "admin", query=("q", "page"))
    add("people_import", "admin", post=True)
    add("person_pseudonymise", "admin", [w.leaver.pk], post=True)
    add("person_detail", "admin", [w.leaver.pk])
    add("my_data", "agent")
    add("audit_log", "admin", query=("page",))
    add("audit_export", "admin")
    add("login", "", post=True, query=("next",))
    add("logout", "agent", post=True, get=False, form_on=["home"])
    add("password_reset", "", post=True)
    add("password_reset_done", "")
    # Django's own view; with a link that is not valid it shows no form (nothing to post).
    add("password_reset_confirm", "", ["MQ", "set-password"])
    add("password_reset_complete", "")
    add("password_change", "agent", post=True)
    add("password_change_done", "agent")
    # Ideas, campaigns, challenges
    add("ideas:list", "agent", query=("page",))
    add("ideas:export", "delegate")
    add("ideas:board", "delegate")
    add("ideas:create", "agent", post=True, query=("campaign", "challenge"))
    add("ideas:detail", "agent", [idea])
    add("ideas:edit", "agent", [draft], post=True)
    add("ideas:move", "delegate", [idea], post=True, query=("to", "next"), suffix="?to=qualified")
    add("ideas:support", "delegate", [sel], post=True, get=False, form_on=["ideas:detail", sel])
    add("ideas:vote", "delegate", [idea], post=True, get=False, form_on=["ideas:detail", idea])
    add("ideas:follow", "delegate", [idea], post=True, get=False, form_on=["ideas:detail", idea])
    add("ideas:comment", "delegate", [idea], post=True)
    add("ideas:comment_hide", "delegate", [o["comment"].pk], post=True)
    add("ideas:attachment_upload", "agent", [draft], post=True)
    add("ideas:attachment_download", "agent", [999999])
    add("ideas:campaign_list", "agent")
    add("ideas:campaign_create", "delegate", post=True)
    add("ideas:campaign_detail", "agent", [o["campaign"].pk], query=("page",))
    add("ideas:campaign_edit", "delegate", [o["campaign"].pk], post=True)
    add("ideas:challenge_create", "director", post=True)
    add("ideas:challenge_detail", "agent", [o["challenge"].pk], query=("page",))
    add("ideas:challenge_edit", "director", [o["challenge"].pk], post=True)
    # Mandates and follow-ups
    add("ideas:mandate_list", "delegate")
    add("ideas:mandate_export", "delegate")
    add("ideas:mandate_signatures", "sponsor")
    add("ideas:mandate_create", "delegate", post=True, query=("idee",), suffix=f"?idee={sel}")
    add("ideas:mandate_detail", "sponsor", [active])
    add("ideas:mandate_edit", "delegate", [drafted], post=True)
    add(
        "ideas:mandate_send",
        "delegate",
        [drafted],
        post=True,
        get=False,
        form_on=["ideas:mandate_detail", drafted],
    )
    add("ideas:mandate_sign", "sponsor", [awaiting], post=True)
    add("ideas:mandate_print", "sponsor", [active])
    add("ideas:mandate_end", "delegate", [active], post=True)
    add("ideas:followup_record", "delegate", [o["followup"].pk], post=True)
    # Forums and juries
    on_forum = {"post": True, "get": False, "form_on": ["juries:detail", forum.pk]}
    add("juries:list", "delegate")
    add("juries:create", "delegate", post=True)
    add("juries:detail", "delegate", [forum.pk])
    add("juries:edit", "delegate", [forum.pk], post=True)
    add("juries:criterion_create", "delegate", [forum.pk], **on_forum)
    add("juries:criterion_delete", "delegate", [forum.criteria.first().pk], **on_forum)
    add("juries:juror_create", "delegate", [forum.pk], **on_forum)
    add("juries:juror_delete", "delegate", [forum.jurors.first().pk], **on_forum)
    add("juries:put_forward", "delegate", [forum.pk], post=True)
    add("juries:pitch_withdraw", "delegate", [pitch.pk], **on_forum)
    add("juries:pitch_move", "delegate", [pitch.pk], **on_forum)
    add("juries:stage", "delegate", [forum.pk], **on_forum)
    add(
        "juries:on_stage",
        "delegate",
        [open_forum.pk],
        post=True,
        get=False,
        form_on=["juries:detail", open_forum.pk],
    )
    add("juries:score", "juror", [open_forum.pk])
    add("juries:score_pitch", "juror", [open_forum.pk, open_pitch.pk], post=True)
    add("juries:recuse", "juror", [open_forum.pk, open_pitch.pk], post=True)
    add("juries:board", "delegate", [open_forum.pk])
    add("juries:board_json", "delegate", [open_forum.pk])
    add("juries:timer", "delegate", [open_forum.pk])
    add("juries:results", "delegate", [closed.pk])
    add("juries:deliberate", "juror", [closed.pk], post=True)
    add(
        "juries:publish",
        "delegate",
        [closed.pk],
        post=True,
        get=False,
        form_on=["juries:results", closed.pk],
    )
    add("juries:palmares", "agent", [published.pk])
    add(
        "juries:accompany",
        "delegate",
        [published.pk],
        post=True,
        get=False,
        form_on=["juries:palmares", published.pk],
    )
    add("juries:export_scores", "delegate", [closed.pk])
    add("juries:export_results", "delegate", [closed.pk])
    # Breakfasts
    add("rituals:list", "agent")
    add("rituals:create", "delegate", post=True)
    add("rituals:detail", "agent", [ritual])
    add("rituals:edit", "delegate", [ritual], post=True)
    add("rituals:occurrence", "agent", [occurrence])
    add(
        "rituals:register",
        "manager",
        [occurrence],
        post=True,
        get=False,
        form_on=["rituals:occurrence", occurrence],
    )
    add("rituals:occurrence_edit", "delegate", [occurrence], post=True)
    add("rituals:occurrence_cancel", "delegate", [occurrence], post=True)
    add("rituals:attendance", "delegate", [past], post=True)
    add("rituals:export", "delegate", [occurrence])
    add("rituals:occurrence_ics", "agent", [occurrence])
    add("rituals:calendar", "agent", post=True)
    add("rituals:personal_feed", "", [token])
    add("rituals:ritual_feed", "", [token, ritual])
    return items


def named_urls() -> set[str]:
    """Every named URL of the project outside Django's admin."""
    names: set[str] = set()

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.app_name == "admin":
                    continue
                inner = pattern.namespace or namespace
                walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)

    walk(get_resolver().url_patterns, None)
    return names


def url_name(url: str) -> str:
    return resolve(urlsplit(url).path).view_name


# --- Reading forms in pages -------------------------------------------------------------------


@dataclass
class Form:
    method: str
    action: str
    fields: dict[str, list[str]] = field(default_factory=dict)  # name -> known values


class FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.current: Form | None = None
        self.select: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            self.current = Form(
                (attributes.get("method") or "get").lower(), attributes.get("action") or ""
            )
            self.forms.append(self.current)
            return
        if self.current is None:
            return
        name = attributes.get("name")
        if tag in ("input", "textarea", "button") and name:
            values = self.current.fields.setdefault(name, [])
            if attributes.get("value") is not None:
                values.append(attributes["value"])
        elif tag == "select" and name:
            self.select = name
            self.current.fields.setdefault(name, [])
        elif tag == "option" and self.select and attributes.get("value"):
            self.current.fields[self.select].append(attributes["value"])

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None
        elif tag == "select":
            self.select = None


def forms_in(html: str, page_url: str) -> list[Form]:
    parser = FormParser()
    parser.feed(html)
    for form in parser.forms:
        form.action = urlsplit(form.action).path or urlsplit(page_url).path
    return parser.forms


# --- Did anything change? -------------------------------------------------------------------

IGNORED_TABLES = {"innovation_auditevent", "django_session"}
APP_PREFIXES = ("innovation_", "ideas_", "juries_", "rituals_")


def data_fingerprint() -> dict[str, str]:
    """A digest of every row of every application table (audit trail and sessions aside)."""
    tables = sorted(
        name
        for name in connection.introspection.table_names()
        if name.startswith(APP_PREFIXES) and name not in IGNORED_TABLES
    )
    quoted = connection.ops.quote_name
    sql = " UNION ALL ".join(
        f"SELECT '{table}', md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), ''))"
        f" FROM {quoted(table)} t"
        for table in tables
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return dict(cursor.fetchall())
