"""Hostile text in every free-text field comes back harmless everywhere it is shown.

Every free-text field of the project (the inventory below is checked against the models, so a
new field must be classified) is filled with a payload carrying a per-field marker, in every row
of the shared world (tests/world.py); then:

- HTML: every page of the world, as its user and as the delegate and the admin, holds no live
  markup from the payloads (no inline <script>, no element with an `onerror` handler, no
  javascript: link, no raw `</textarea><script>`), shows the escaped text, and `{{7*7}}` stays
  literal. Every field's marker must appear escaped on some page, so each field was checked.
- CSV: for each formula payload (=, +, -, @, tab, CR), every cell of every export that a
  spreadsheet would run as a formula is prefixed with an apostrophe.
- E-mails: hostile text typed in the forms that notify (idea, move reason, hiding reason,
  cancellation, refusal to sign) goes out as plain text only, on a single-line subject.
- JSON: the juries board and the score answer are application/json with nosniff.
- ICS: a title or place that tries to inject calendar lines stays one property value.
"""

import csv
import io
import json
import re
from html.parser import HTMLParser

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from ideas.models import (
    Attachment,
    Campaign,
    Challenge,
    Comment,
    FollowUp,
    Idea,
    IdeaEvent,
    Mandate,
    MandateEvent,
    Signature,
    Theme,
)
from innovation.platform.models import Direction, Notification, Organisation, User
from juries.models import Criterion, Forum, ForumEvent, JurorNote, Pitch, Recusal
from rituals.models import Occurrence, Ritual
from tests.hardening.conftest import endpoints
from tests.world import World, build_world

# --- The inventory of free text -------------------------------------------------------------

FREE_TEXT = {
    Organisation: ["name", "short_name"],
    Direction: ["name"],
    User: ["first_name", "last_name", "job_title"],
    Notification: ["subject", "body"],
    Theme: ["name"],
    Campaign: ["title", "description"],
    Challenge: ["title", "description"],
    Idea: ["title", "irritant", "proposal", "expected_impact"],
    IdeaEvent: ["reason"],
    Comment: ["body", "hidden_reason"],
    Attachment: ["original_name"],
    Mandate: [
        "objectives",
        "resources",
        "duration_reason",
        "protection_clause",
        "closing_evaluation",
    ],
    Signature: ["comment"],
    # The closing evaluation becomes the reason of the last change of state.
    MandateEvent: ["reason"],
    FollowUp: ["progress", "blockers", "decisions", "next_steps"],
    Forum: ["title", "place"],
    Criterion: ["name", "description"],
    Pitch: ["laureate_reason"],
    JurorNote: ["comment"],
    Recusal: ["reason"],
    ForumEvent: ["reason"],
    Ritual: ["title", "description", "place"],
    Occurrence: ["place", "topic", "cancel_reason"],
}
NOT_FREE_TEXT = {
    "innovation.User.password": "a hash",
    "innovation.Notification.kind": "set by code",
    "innovation.Notification.url": "set by code; links are checked by _safe_link",
    "innovation.Notification.dedupe_key": "set by code",
    "innovation.AuditEvent.action": "set by code",
    "innovation.AuditEvent.target_type": "set by code",
    "innovation.AuditEvent.target_id": "set by code",
    "ideas.Attachment.content_type": "derived from the checked content",
    "rituals.CalendarToken.token": "random",
    "rituals.RegistrationEvent.reason": "set by code (rituals/services.py); no form writes it",
}


def text_fields() -> set[str]:
    from django.apps import apps

    found = set()
    for app in ("innovation", "ideas", "juries", "rituals"):
        for model in apps.get_app_config(app).get_models():
            for field in model._meta.get_fields():
                if (
                    isinstance(field, models.CharField | models.TextField)
                    and not field.choices
                    and not isinstance(field, models.EmailField | models.SlugField)
                ):
                    found.add(f"{model._meta.label}.{field.name}")
    return found


def test_every_free_text_field_is_in_the_payload_inventory():
    filled = {f"{model._meta.label}.{name}" for model, names in FREE_TEXT.items() for name in names}

    assert text_fields() - filled - set(NOT_FREE_TEXT) == set()
    assert filled <= text_fields()


# --- Filling the world with payloads --------------------------------------------------------


def html_payload(marker: int) -> str:
    return (
        f'<script>alert({marker})</script>"><img src=x onerror=alert({marker})>'
        "</textarea><script>{{7*7}}"
    )


def complete_world(world: World) -> None:
    """Rows the base world lacks, so that every free-text field has one to be shown from."""
    o, p = world.things, world.people
    Comment.objects.create(
        idea=o["idea"],
        author=p["author"],
        body="Masqué",
        hidden_at=timezone.now(),
        hidden_by=p["delegate"],
        hidden_reason="Motif",
    )
    Attachment.objects.create(
        idea=o["idea"],
        file="attachments/none.pdf",
        original_name="compte-rendu.pdf",
        content_type="application/pdf",
        size=1,
        uploaded_by=p["author"],
    )
    cancelled = Occurrence.objects.create(
        ritual=o["ritual"],
        original_date=o["occurrence"].original_date + timezone.timedelta(days=14),
        starts_at=o["occurrence"].starts_at + timezone.timedelta(days=14),
        duration_minutes=60,
        cancelled_at=timezone.now(),
        cancel_reason="Grève",
    )
    assert cancelled.pk
    seat = o["forum_open"].jurors.get(user=p["juror"])
    pitch = o["pitch_open"]
    JurorNote.objects.create(juror=seat, pitch=pitch, comment="Note")
    # A recusal's reason is shown on the results of the closed forum (and in their export).
    closed_seat = o["forum_closed"].jurors.get(user=p["juror"])
    closed_pitch = o["forum_closed"].pitches.get(organisation=world.neighbour)
    Recusal.objects.create(
        forum=o["forum_closed"], juror=closed_seat, pitch=closed_pitch, reason="x"
    )
    # A change of stage's reason is shown in « Historique du forum », on the page the delegate
    # walks (that of the forum in preparation: the row is there for its text only).
    ForumEvent.objects.create(
        forum=o["forum_preparing"],
        actor=p["delegate"],
        before="preparing",
        after="open",
        reason="x",
    )
    followup = o["followup"]
    followup.recorded_at = timezone.now()
    followup.recorded_by = p["delegate"]
    followup.save()
    Idea.objects.filter(pk=o["idea"].pk).update(state=Idea.State.NOT_RETAINED)
    IdeaEvent.objects.create(
        idea=o["idea"], actor=p["delegate"], before="submitted", after="not_retained", reason="x"
    )


def fill(payload) -> dict[str, int]:
    """Put payload(marker) in every row of every free-text field; returns field -> marker."""
    markers = {}
    pairs = [(model, name) for model, names in FREE_TEXT.items() for name in names]
    for number, (model, name) in enumerate(pairs, start=1):
        markers[f"{model._meta.label}.{name}"] = number
        limit = model._meta.get_field(name).max_length or 10_000
        for pk in model.objects.values_list("pk", flat=True):
            value = payload(number)
            suffix = f" {pk}"  # some names are unique
            model.objects.filter(pk=pk).update(**{name: value[: limit - len(suffix)] + suffix})
    return markers


# --- HTML -----------------------------------------------------------------------------------


class LiveMarkup(HTMLParser):
    """Collects what would run in a browser."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.in_inline_script = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script" and not attributes.get("src"):
            self.problems.append("inline <script>")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...>")
            if name in ("href", "src", "action", "formaction") and (
                value or ""
            ).strip().lower().startswith("javascript:"):
                self.problems.append(f"<{tag} {name}={value}>")


def page_problems(html: str) -> list[str]:
    parser = LiveMarkup()
    parser.feed(html)
    problems = parser.problems
    for raw in ("<script>alert(", "<img src=x", "</textarea><script>"):
        if raw in html:
            problems.append(f"raw {raw}")
    return problems


@pytest.mark.django_db
def test_html_pages_show_hostile_text_escaped_and_inert():
    world = build_world()
    complete_world(world)
    markers = fill(html_payload)
    Notification.objects.update(url="javascript:alert(1)")
    seen: set[int] = set()
    failures = []
    clients = {}

    for endpoint in endpoints(world):
        if not endpoint.get:
            continue
        for role in {endpoint.role, "delegate", "admin"} if endpoint.role else {""}:
            if role not in clients:
                clients[role] = Client()
                if role:
                    clients[role].force_login(world.people[role])
            response = clients[role].get(endpoint.url)
            if response.status_code != 200 or "text/html" not in response["Content-Type"]:
                continue
            html = response.content.decode()
            failures += [(endpoint.name, role, p) for p in page_problems(html)]
            seen |= {int(n) for n in re.findall(r"&lt;script&gt;alert\((\d+)\)", html)}
            if "&lt;script&gt;" in html:
                assert "{{7*7}}" in html or "{{" not in html, endpoint.name

    assert failures == []
    unseen = {field for field, number in markers.items() if number not in seen}
    assert unseen == NOT_ON_PAGES


# Fields no page shows (their other outputs are checked by the tests below).
NOT_ON_PAGES: set[str] = set()


# --- CSV ------------------------------------------------------------------------------------

FORMULAS = [
    '=HYPERLINK("http://evil","x")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "-2+3",
    "\t=1+1",
    "\r=1+1",
]
NUMBER = re.compile(r"^-?\d+([.,]\d+)?$")


def exports(world: World) -> list[tuple[str, str]]:
    o = world.things
    urls = [
        ("delegate", reverse("ideas:export")),
        ("delegate", reverse("ideas:mandate_export")),
        ("delegate", reverse("juries:export_scores", args=[o["forum_closed"].pk])),
        ("delegate", reverse("juries:export_results", args=[o["forum_closed"].pk])),
        ("delegate", reverse("juries:export_scores", args=[o["forum_published"].pk])),
        ("delegate", reverse("juries:export_results", args=[o["forum_published"].pk])),
        ("delegate", reverse("rituals:export", args=[o["occurrence"].pk])),
        ("admin", reverse("audit_export")),
    ]
    from innovation.site.dashboard import EXPORT_TABLES

    urls += [("delegate", reverse("dashboard_export", args=[table])) for table in EXPORT_TABLES]
    return urls


@pytest.mark.django_db
@pytest.mark.parametrize("formula", FORMULAS, ids=["equals", "plus", "at", "minus", "tab", "cr"])
def test_csv_exports_neutralise_formulas_in_every_cell(formula):
    world = build_world()
    complete_world(world)
    fill(lambda marker: formula)
    unsafe, payload_cells = [], 0

    for role, url in exports(world):
        client = Client()
        client.force_login(world.people[role])
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"].startswith("text/csv")
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=";"):
            for cell in row:
                if cell[:1] in ("=", "+", "-", "@", "\t", "\r") and not NUMBER.match(cell):
                    unsafe.append((url, cell))
                payload_cells += cell.startswith("'" + formula)

    assert unsafe == []
    assert payload_cells >= 10  # the payloads did reach the exports


# --- E-mails --------------------------------------------------------------------------------

EMAIL_PAYLOAD = '<script>alert(1)</script>"><img src=x onerror=alert(1)>\r\nBcc: evil@example.com'


@pytest.mark.django_db(transaction=True)
def test_emails_carry_hostile_text_as_plain_text_on_one_line(mailoutbox_clear):
    world = build_world()
    p, o = world.people, world.things
    author, delegate = Client(), Client()
    author.force_login(p["author"])
    delegate.force_login(p["delegate"])
    sponsor = Client()
    sponsor.force_login(p["sponsor"])
    before = set(Notification.objects.values_list("pk", flat=True))
    mail.outbox = []

    author.post(
        reverse("ideas:create"),
        {
            "title": EMAIL_PAYLOAD[:140],
            "irritant": EMAIL_PAYLOAD,
            "proposal": EMAIL_PAYLOAD,
            "beneficiaries": "agents",
            "expected_impact": EMAIL_PAYLOAD,
            "action": "submit",
        },
    )
    delegate.post(
        reverse("ideas:move", args=[o["idea"].pk]),
        {"to": "not_retained", "reason": EMAIL_PAYLOAD},
    )
    delegate.post(reverse("ideas:comment_hide", args=[o["comment"].pk]), {"reason": "Hors sujet"})
    delegate.post(
        reverse("rituals:occurrence_cancel", args=[o["occurrence"].pk]),
        {"reason": EMAIL_PAYLOAD[:290]},
    )
    sponsor.post(
        reverse("ideas:mandate_sign", args=[o["mandate_awaiting"].pk]),
        {"decision": "declined", "comment": EMAIL_PAYLOAD},
    )

    assert Idea.objects.filter(title__startswith="<script>").exists()
    kinds = set(Notification.objects.exclude(pk__in=before).values_list("kind", flat=True))
    assert {"idea_submitted", "idea_moved", "ritual_cancelled", "mandate_declined"} <= kinds
    # Every notification went out: hostile text in a subject does not make an e-mail fail.
    news = Notification.objects.exclude(pk__in=before)
    assert not news.exclude(delivery_state__in=["sent", "skipped"]).exists()
    assert len(mail.outbox) >= 4
    for message in mail.outbox:
        assert message.content_subtype == "plain"
        assert getattr(message, "alternatives", []) == []
        assert "\n" not in message.subject and "\r" not in message.subject
        assert message.message()["Bcc"] is None
        assert message.bcc == []
    bodies = "\n".join(message.body for message in mail.outbox)
    assert "<script>alert(1)</script>" in bodies  # plain text: shown as typed, never run


# --- JSON and ICS -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_json_answers_are_json_not_html():
    world = build_world()
    complete_world(world)
    fill(html_payload)
    o = world.things
    delegate, juror = Client(), Client()
    delegate.force_login(world.delegate)
    juror.force_login(world.juror)
    pitch = o["pitch_open"]

    board = delegate.get(reverse("juries:board_json", args=[o["forum_open"].pk]))
    saved = juror.post(
        reverse("juries:score_pitch", args=[o["forum_open"].pk, pitch.pk]),
        {"comment": html_payload(0)},
        HTTP_ACCEPT="application/json",
    )

    for response in (board, saved):
        assert response["Content-Type"] == "application/json"
        assert response["X-Content-Type-Options"] == "nosniff"
        json.loads(response.content)


ICS_PAYLOAD = "Café\r\nATTENDEE:mailto:evil@example.com\r\nEND:VEVENT\r\nBEGIN:VEVENT;<b>"


@pytest.mark.django_db
def test_calendar_feeds_keep_hostile_text_inside_one_property():
    world = build_world()
    o = world.things
    Ritual.objects.filter(pk=o["ritual"].pk).update(title=ICS_PAYLOAD, place=ICS_PAYLOAD)
    Occurrence.objects.filter(pk=o["occurrence"].pk).update(topic=ICS_PAYLOAD)
    client = Client()
    client.force_login(world.author)
    token = o["calendar_token"].token
    feeds = [
        reverse("rituals:occurrence_ics", args=[o["occurrence"].pk]),
        reverse("rituals:personal_feed", args=[token]),
        reverse("rituals:ritual_feed", args=[token, o["ritual"].pk]),
    ]

    for url in feeds:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"].startswith("text/calendar")
        calendar = Calendar.from_ical(response.content)
        events = list(calendar.walk("VEVENT"))
        assert events, url
        for event in events:
            assert "ATTENDEE" not in event, url
            assert str(event["SUMMARY"]).startswith(ICS_PAYLOAD.split("\r")[0])
            assert "ATTENDEE:mailto" in str(event["SUMMARY"]) + str(event.get("LOCATION", ""))
        lines = response.content.decode().splitlines()
        assert not any(line.startswith("ATTENDEE") for line in lines), url


# --- The people import -------------------------------------------------------------------------


@pytest.mark.django_db
def test_imported_names_are_shown_escaped():
    world = build_world()
    admin = Client()
    admin.force_login(world.admin)
    payload = html_payload(99)[:90]
    rows = [
        "organisation;direction;prenom;nom;email;fonction",
        f"{world.org.slug};{payload};{payload};{payload};importe@exemple.fr;{payload}",
    ]
    upload = SimpleUploadedFile("annuaire.csv", "\n".join(rows).encode(), "text/csv")

    response = admin.post(reverse("people_import"), {"file": upload})
    page = admin.get(reverse("people_list"), {"q": "importe"})

    assert response.status_code == 302, response.content.decode()[:2000]
    person = User.objects.get(email="importe@exemple.fr")
    assert person.first_name == payload
    html = page.content.decode()
    assert page_problems(html) == []
    assert "&lt;script&gt;alert(99)" in html
