"""The URL of every named page in the shared world (tests/world.py), and the person who may
use that page; plus an HTML form reader. Shared by the fuzz, path and XSS suites."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from tests.world import World, build_world


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
    """Every named page with things of the world, the person who uses it, how it is used."""
    forum_preparing, forum_open = w.forum_preparing, w.forum_open
    forum_closed, forum_published = w.forum_closed, w.forum_published
    pitch, pitch_open = w.pitch_preparing.pk, w.pitch_open.pk
    items = []

    def add(name, role, args=(), *, post=False, get=True, form_on=None, query=(), suffix=""):
        host = reverse(form_on[0], args=form_on[1:]) if form_on else ""
        url = reverse(name, args=args) + suffix
        items.append(Endpoint(name, role, url, post, get, host, query))

    idea, selected, draft = w.idea.pk, w.idea_selected.pk, w.idea_draft.pk
    active, awaiting, drafted = w.mandate_active.pk, w.mandate_awaiting.pk, w.mandate_draft.pk
    ritual, occurrence, past = w.ritual.pk, w.occurrence.pk, w.occurrence_past.pk
    token = w.calendar_token.token
    add("home", "author")
    add("dashboard", "delegate", query=("organisation",))
    add("dashboard_export", "delegate", [w.dashboard_table])
    add("profile", "author", post=True)
    add("notification_list", "author", query=("page",))
    add("notification_mark_read", "author", post=True, get=False, form_on=["notification_list"])
    add("people_list", "admin", query=("q", "page"))
    add("people_search", "author", query=("q", "organisation"))
    add("people_import", "admin", post=True)
    add("person_pseudonymise", "admin", [w.leaver.pk], post=True)
    add("person_detail", "admin", [w.leaver.pk])
    add("my_data", "author")
    add("audit_log", "admin", query=("page",))
    add("audit_export", "admin")
    add("login", "", post=True, query=("next",))
    add("logout", "author", post=True, get=False, form_on=["home"])
    add("password_reset", "", post=True)
    add("password_reset_done", "")
    # Django's own view; with a link that is not valid it shows no form (nothing to post).
    add("password_reset_confirm", "", ["MQ", "set-password"])
    add("password_reset_complete", "")
    add("password_change", "author", post=True)
    add("password_change_done", "author")
    # Ideas, campaigns, challenges
    add("ideas:list", "author", query=("page",))
    add("ideas:export", "delegate")
    add("ideas:board", "delegate")
    add("ideas:create", "author", post=True, query=("campaign", "challenge"))
    add("ideas:detail", "author", [idea])
    add("ideas:edit", "author", [draft], post=True)
    add("ideas:move", "delegate", [idea], post=True, query=("to", "next"), suffix="?to=qualified")
    add(
        "ideas:support",
        "delegate",
        [selected],
        post=True,
        get=False,
        form_on=["ideas:detail", selected],
    )
    add("ideas:vote", "delegate", [idea], post=True, get=False, form_on=["ideas:detail", idea])
    add("ideas:follow", "delegate", [idea], post=True, get=False, form_on=["ideas:detail", idea])
    add(
        "ideas:coauthor_leave",
        "manager",
        [selected],
        post=True,
        get=False,
        form_on=["ideas:detail", selected],
    )
    add("ideas:comment", "delegate", [idea], post=True)
    add("ideas:comment_hide", "delegate", [w.comment.pk], post=True)
    add("ideas:attachment_upload", "author", [draft], post=True)
    add("ideas:attachment_download", "author", [w.attachment.pk])
    add("ideas:campaign_list", "author")
    add("ideas:campaign_create", "delegate", post=True)
    add("ideas:campaign_detail", "author", [w.campaign.pk], query=("page",))
    add("ideas:campaign_edit", "delegate", [w.campaign.pk], post=True)
    add("ideas:challenge_create", "director", post=True)
    add("ideas:challenge_detail", "author", [w.challenge.pk], query=("page",))
    add("ideas:challenge_edit", "director", [w.challenge.pk], post=True)
    # Mandates and follow-ups
    add("ideas:mandate_list", "delegate")
    add("ideas:mandate_export", "delegate")
    add("ideas:mandate_signatures", "sponsor")
    add("ideas:mandate_create", "delegate", post=True, query=("idee",), suffix=f"?idee={selected}")
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
    add("ideas:followup_record", "delegate", [w.followup.pk], post=True)
    # Forums and juries
    on_forum = {"post": True, "get": False, "form_on": ["juries:detail", forum_preparing.pk]}
    add("juries:list", "delegate")
    add("juries:create", "delegate", post=True)
    add("juries:detail", "delegate", [forum_preparing.pk])
    add("juries:edit", "delegate", [forum_preparing.pk], post=True)
    add("juries:criterion_create", "delegate", [forum_preparing.pk], **on_forum)
    add("juries:criterion_delete", "delegate", [w.criterion.pk], **on_forum)
    add("juries:juror_create", "delegate", [forum_preparing.pk], **on_forum)
    add("juries:juror_delete", "delegate", [w.seat.pk], **on_forum)
    add("juries:put_forward", "delegate", [forum_preparing.pk], post=True)
    add("juries:pitch_withdraw", "delegate", [pitch], **on_forum)
    add("juries:pitch_move", "delegate", [pitch], **on_forum)
    add("juries:stage", "delegate", [forum_preparing.pk], **on_forum)
    add(
        "juries:on_stage",
        "delegate",
        [forum_open.pk],
        post=True,
        get=False,
        form_on=["juries:detail", forum_open.pk],
    )
    add("juries:score", "juror", [forum_open.pk])
    add("juries:score_pitch", "juror", [forum_open.pk, pitch_open], post=True)
    add("juries:recuse", "juror", [forum_open.pk, pitch_open], post=True)
    add("juries:board", "delegate", [forum_open.pk])
    add("juries:board_json", "delegate", [forum_open.pk])
    add("juries:timer", "delegate", [forum_open.pk])
    add("juries:results", "delegate", [forum_closed.pk])
    add("juries:deliberate", "president", [forum_closed.pk], post=True)
    add(
        "juries:publish",
        "delegate",
        [forum_closed.pk],
        post=True,
        get=False,
        form_on=["juries:results", forum_closed.pk],
    )
    add("juries:palmares", "author", [forum_published.pk])
    add(
        "juries:accompany",
        "delegate",
        [forum_published.pk],
        post=True,
        get=False,
        form_on=["juries:palmares", forum_published.pk],
    )
    add("juries:export_scores", "delegate", [forum_closed.pk])
    add("juries:export_results", "delegate", [forum_closed.pk])
    # Breakfasts
    add("rituals:list", "author")
    add("rituals:create", "delegate", post=True)
    add("rituals:detail", "author", [ritual])
    add("rituals:edit", "delegate", [ritual], post=True)
    add("rituals:occurrence", "author", [occurrence])
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
    add("rituals:occurrence_ics", "author", [occurrence])
    add("rituals:calendar", "author", post=True)
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
