"""What the benchmark measures, Django side: who logs in, which pages, how many queries,
and the timed operations (reminder sweep, forum results, concurrent scoring, concurrent
registrations). Needs Django set up with benchmarks.settings on a seeded database."""

from __future__ import annotations

import statistics
import threading
import time
from dataclasses import dataclass, field
from importlib import import_module

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.db import connection, reset_queries, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from benchmarks.management.commands.seed_scale import BREAKFAST_TITLE, DOMAIN
from ideas.models import FollowUp, FollowUpReminder, Idea, Mandate, Theme
from innovation.platform.auth import SESSION_SEEN_KEY, SESSION_STARTED_KEY
from innovation.platform.models import Notification, User
from juries.models import Forum, JurorNote, Score, ScoreEvent
from rituals.models import Occurrence, Registration, Ritual

# The backend that loads people, as the login view records it in the session.
BACKEND = settings.AUTHENTICATION_BACKENDS[-1]


@dataclass
class Page:
    name: str
    role: str
    url: str
    session: str = ""
    queries: int | None = None  # SQL queries of one request, the session already saved
    cpu_ms: float | None = None  # CPU time of one request, in process (see cpu_ms)
    template_ms: float | None = None  # the part of cpu_ms spent rendering its template
    status: int | None = None


@dataclass
class Scenario:
    users: dict[str, User]
    sessions: dict[str, str]
    pages: list[Page] = field(default_factory=list)


def session_for(user: User) -> str:
    """A logged-in session, as the login view would leave it (no password check needed)."""
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    now = int(time.time())
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = BACKEND
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store[SESSION_STARTED_KEY] = now
    store[SESSION_SEEN_KEY] = now
    store.create()
    return store.session_key


def build() -> Scenario:
    users = {
        "agent": User.objects.get(email=f"agent.0@{DOMAIN}"),
        "délégué·e": User.objects.get(email=f"delegue.00@{DOMAIN}"),
        "juré·e": User.objects.get(email=f"jure.01@{DOMAIN}"),
    }
    sessions = {role: session_for(user) for role, user in users.items()}
    agent = users["agent"]
    organisation = agent.organisation_id
    closed = Forum.objects.filter(stage=Forum.Stage.CLOSED, title__contains="réseau").latest("pk")
    opened = Forum.objects.filter(stage=Forum.Stage.OPEN, title__contains="réseau").latest("pk")
    idea = (
        Idea.objects.filter(organisation_id=organisation)
        .exclude(state=Idea.State.DRAFT)
        .order_by("-vote_count", "-pk")
        .first()
    )
    ritual = (
        Ritual.objects.filter(organisation_id=organisation)
        .exclude(title=BREAKFAST_TITLE)
        .order_by("pk")
        .first()
    )
    occurrence = ritual.occurrences.filter(starts_at__gt=timezone.now()).order_by("starts_at")[0]
    theme = Theme.objects.order_by("pk").first()
    pages = [
        Page("accueil", "agent", "/"),
        Page("idées : liste", "agent", "/idees/"),
        Page(
            "idées : filtrée",
            "agent",
            f"/idees/?state=qualified&state=selected&theme={theme.pk}&ordering=-vote_count",
        ),
        Page("idées : recherche", "agent", "/idees/?q=ecole"),
        Page("idées : page 40", "agent", "/idees/?page=40"),
        Page("idée : détail", "agent", f"/idees/{idea.pk}/"),
        Page("tableau des idées", "délégué·e", "/idees/tableau/"),
        Page("pilotage", "délégué·e", "/pilotage/"),
        Page("forum : notation", "juré·e", f"/forums/{opened.pk}/noter/"),
        Page("forum : tableau en direct", "délégué·e", f"/forums/{closed.pk}/tableau/"),
        Page("forum : résultats", "délégué·e", f"/forums/{closed.pk}/resultats/"),
        Page("petit-déjeuner : série", "agent", f"/petits-dejeuners/{ritual.pk}/"),
        Page("petit-déjeuner : séance", "délégué·e", f"/petits-dejeuners/seances/{occurrence.pk}/"),
        Page("mandats : vue d'ensemble", "délégué·e", "/idees/mandats/"),
    ]
    for page in pages:
        page.session = sessions[page.role]
    return Scenario(users=users, sessions=sessions, pages=pages)


def count_queries(scenario: Scenario) -> None:
    """SQL queries and CPU time of one request of each page, with Django's test client
    against the same database. The session is saved by a first request, so it is not
    counted. Nothing is cached between requests: every request is the cold path."""
    for page in scenario.pages:
        client = Client(HTTP_HOST="127.0.0.1")
        client.cookies[settings.SESSION_COOKIE_NAME] = page.session
        client.get(page.url)
        reset_queries()  # the query log keeps 9,000 entries: a full one counts nothing
        with CaptureQueriesContext(connection) as captured:
            response = client.get(page.url)
        page.status = response.status_code
        page.queries = len(captured.captured_queries)
        page.cpu_ms, page.template_ms = cpu_ms(client, page.url)
    connection.close()


CPU_SAMPLES = 40


class TemplateClock:
    """CPU time spent in Django's template backend, summed over the renders it wraps: what
    separates a page's template from its queries, middleware and view code."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def __enter__(self) -> TemplateClock:
        from django.template.backends.django import Template

        self._render = Template.render
        clock = self

        def render(template, context=None, request=None):
            started = time.process_time()
            try:
                return clock._render(template, context, request)
            finally:
                clock.seconds += time.process_time() - started

        Template.render = render  # type: ignore[method-assign]
        return self

    def __exit__(self, *exc) -> None:
        from django.template.backends.django import Template

        Template.render = self._render  # type: ignore[method-assign]


def cpu_ms(client: Client, url: str) -> tuple[float, float]:
    """CPU time this process spends on one request, and the part of it spent rendering the
    template (medians of batches of 10): unlike wall time, it does not count the time the
    shared cores spend on other machines, so it is the steady figure to compare pages with
    (PostgreSQL's own CPU aside)."""
    batches, rendering = [], []
    for _ in range(CPU_SAMPLES // 10):
        with TemplateClock() as clock:
            started = time.process_time()
            for _ in range(10):
                client.get(url)
            batches.append((time.process_time() - started) / 10 * 1000)
        rendering.append(clock.seconds / 10 * 1000)
    return statistics.median(batches), statistics.median(rendering)


def baseline_cpu_ms(session: str, url: str = "/bench/baseline/") -> float:
    """The bare view's CPU time (or, with url="/bench/shell/", the empty layout's)."""
    client = Client(HTTP_HOST="127.0.0.1")
    client.cookies[settings.SESSION_COOKIE_NAME] = session
    for _ in range(10):
        client.get(url)
    return cpu_ms(client, url)[0]


# --- Timed operations -----------------------------------------------------------------------


def _median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def _p95_ms(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))] * 1000


def reminder_sweep() -> list[str]:
    """The follow-up reminder sweep from scratch (reminders and their notifications removed
    first), then once more with nothing new to do (what beat runs every five minutes)."""
    from django.urls import reverse

    from ideas.mandates import followups

    reverse("home")  # load the URL configuration first, as a running worker has it
    with transaction.atomic():
        FollowUpReminder.objects.all().delete()
        Notification.objects.filter(dedupe_key__startswith="followup:").delete()
    now = timezone.now()
    horizon = timezone.localdate() + timezone.timedelta(days=settings.FOLLOWUP_REMINDER_LEAD_DAYS)
    due = FollowUp.objects.filter(
        recorded_at__isnull=True, mandate__state=Mandate.State.ACTIVE, due_on__lte=horizon
    ).count()
    total = FollowUp.objects.count()
    reset_queries()
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as captured:
        sent = followups.send_followup_reminders(now=now)
    first = time.perf_counter() - started
    rows = FollowUpReminder.objects.count()
    notifications = Notification.objects.filter(dedupe_key__startswith="followup:").count()
    started = time.perf_counter()
    again = followups.send_followup_reminders(now=now)
    second = time.perf_counter() - started
    return [
        f"Relances des points d'étape : {total} points d'étape, {due} à relancer",
        f"  1er passage : {first * 1000:.0f} ms, {len(captured.captured_queries)} requêtes SQL, "
        f"{rows} relances planifiées, {sent} envoyées, {notifications} notifications écrites",
        f"  2e passage (rien de neuf) : {second * 1000:.0f} ms, {again} envoyée",
    ]


def forum_results() -> list[str]:
    from juries import selectors

    forum = Forum.objects.filter(stage=Forum.Stage.CLOSED, title__contains="réseau").latest("pk")
    scores = Score.objects.filter(forum=forum).count()
    samples = []
    for _ in range(7):
        started = time.perf_counter()
        reset_queries()  # the query log keeps 9,000 entries: a full one counts nothing
        with CaptureQueriesContext(connection) as captured:
            rows = selectors.results(forum)
        samples.append(time.perf_counter() - started)
    return [
        f"Résultats du forum : {len(rows)} pitchs, {scores} notes, médiane "
        f"{_median_ms(samples):.1f} ms (max {max(samples) * 1000:.1f} ms), "
        f"{len(captured.captured_queries)} requêtes SQL"
    ]


def concurrent_scoring() -> list[str]:
    """Every juror of the open forum saves all their marks at the same moment, one thread (and
    one connection) per juror; then no mark may be missing."""
    from juries import permissions, scores

    forum = Forum.objects.filter(stage=Forum.Stage.OPEN, title__contains="réseau").latest("pk")
    with transaction.atomic():
        ScoreEvent.objects.filter(score__forum=forum).delete()
        Score.objects.filter(forum=forum).delete()
        JurorNote.objects.filter(juror__forum=forum).delete()
    jurors = list(forum.jurors.select_related("user"))
    pitches = list(forum.pitches.all())
    criteria = list(forum.criteria.all())
    # The product's own conflict rule (home collectivité and every role held), not a copy.
    conflicted = {j.pk: permissions.conflicted_organisation_ids(j.user, j) for j in jurors}
    expected = sum(
        len(criteria)
        for juror in jurors
        for p in pitches
        if p.organisation_id not in conflicted[juror.pk]
    )
    barrier = threading.Barrier(len(jurors))
    durations: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()

    def work(juror) -> None:
        try:
            barrier.wait()
            for pitch in pitches:
                if pitch.organisation_id in conflicted[juror.pk]:
                    continue
                values = {
                    c.pk: c.scale_min
                    + (juror.pk + pitch.pk + c.pk) % (c.scale_max - c.scale_min + 1)
                    for c in criteria
                }
                started = time.perf_counter()
                scores.save_scores(forum, actor=juror.user, pitch=pitch, values=values)
                with lock:
                    durations.append(time.perf_counter() - started)
        except Exception as error:  # reported, never hidden
            with lock:
                failures.append(f"{type(error).__name__}: {error}")
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(juror,)) for juror in jurors]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    saved = Score.objects.filter(forum=forum).count()
    events = ScoreEvent.objects.filter(score__forum=forum).count()
    verdict = "aucune perdue" if saved == expected and events == expected else "NOTES PERDUES"
    lines = [
        f"Notation simultanée : {len(jurors)} jurés × {len(pitches)} pitchs × {len(criteria)} "
        f"critères en {wall * 1000:.0f} ms ({len(durations)} enregistrements, médiane "
        f"{_median_ms(durations):.1f} ms, p95 {_p95_ms(durations):.1f} ms)",
        f"  {saved} notes enregistrées sur {expected} attendues, {events} lignes d'historique : "
        f"{verdict}",
    ]
    lines += [f"  échec : {failure}" for failure in failures[:5]]
    return lines


def concurrent_registrations(people: int = 200, workers: int = 50) -> list[str]:
    """`people` agents register to a 20-seat breakfast at the same moment, through `workers`
    threads (one connection each): exactly 20 confirmed, the rest waiting in arrival order."""
    from rituals import services

    occurrence = Occurrence.objects.select_related("ritual").get(ritual__title=BREAKFAST_TITLE)
    Registration.objects.filter(occurrence=occurrence).delete()
    agents = list(
        User.objects.filter(
            organisation_id=occurrence.ritual.organisation_id, email__startswith="agent."
        ).order_by("pk")[:people]
    )
    barrier = threading.Barrier(workers)
    durations: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()

    def work(batch: list[User]) -> None:
        try:
            barrier.wait()
            for user in batch:
                started = time.perf_counter()
                services.register(occurrence, user=user)
                with lock:
                    durations.append(time.perf_counter() - started)
        except Exception as error:
            with lock:
                failures.append(f"{type(error).__name__}: {error}")
        finally:
            connection.close()

    batches = [agents[index::workers] for index in range(workers)]
    threads = [threading.Thread(target=work, args=(batch,)) for batch in batches]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    rows = list(Registration.objects.filter(occurrence=occurrence).order_by("created_at", "pk"))
    confirmed = [r for r in rows if r.status == Registration.Status.CONFIRMED]
    waiting = [r for r in rows if r.status == Registration.Status.WAITING]
    in_order = all(r.status == Registration.Status.CONFIRMED for r in rows[: len(confirmed)])
    capacity = occurrence.effective_capacity
    verdict = (
        "exact"
        if len(confirmed) == capacity and len(rows) == len(agents) and in_order
        else "INCOHÉRENT"
    )
    lines = [
        f"Inscriptions simultanées : {len(agents)} agents ({workers} connexions) sur "
        f"{capacity} places en {wall * 1000:.0f} ms (médiane {_median_ms(durations):.1f} ms, "
        f"p95 {_p95_ms(durations):.1f} ms)",
        f"  {len(confirmed)} inscrit·es, {len(waiting)} en liste d'attente, premiers arrivés "
        f"premiers servis : {verdict}",
    ]
    lines += [f"  échec : {failure}" for failure in failures[:5]]
    return lines
