"""What the benchmark measures, Django side: who logs in, which pages, how many queries,
and the timed operations (reminder sweep, forum results, concurrent scoring, concurrent
registrations). Needs Django set up with benchmarks.settings on a seeded database."""

from __future__ import annotations

import cProfile
import pstats
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
    ratio: float | None = None  # cpu_ms ÷ the bare view's, paired batch by batch (cpu_ms)
    calls: int | None = None  # Python function calls of one request (python_calls)
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


BASELINE_URL = "/bench/baseline/"
SHELL_URL = "/bench/shell/"


def client_for(session: str) -> Client:
    client = Client(HTTP_HOST="127.0.0.1")
    client.cookies[settings.SESSION_COOKIE_NAME] = session
    return client


def count_queries(scenario: Scenario) -> None:
    """SQL queries, CPU time and Python calls of one request of each page, with Django's
    test client against the same database. The session is saved by a first request, so it
    is not counted. Nothing is cached between requests: every request is the cold path."""
    reference = client_for(scenario.sessions["agent"])
    reference.get(BASELINE_URL)
    for page in scenario.pages:
        client = client_for(page.session)
        client.get(page.url)
        reset_queries()  # the query log keeps 9,000 entries: a full one counts nothing
        with CaptureQueriesContext(connection) as captured:
            response = client.get(page.url)
        page.status = response.status_code
        page.queries = len(captured.captured_queries)
        page.cpu_ms, page.template_ms, page.ratio = cpu_ms(client, page.url, reference)
        page.calls = python_calls(client, page.url)
    connection.close()


def python_calls(client: Client, url: str) -> int:
    """Python function calls of one request: unlike the CPU time, the same from one run to
    the next whatever else the machine does, so two versions of a page compare on a busy one
    (benchmarks/page_cost.py prints it too)."""
    profiler = cProfile.Profile()
    profiler.enable()
    client.get(url)
    profiler.disable()
    return pstats.Stats(profiler).total_calls  # type: ignore[attr-defined]  # set by Stats


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


def cpu_ms(client: Client, url: str, reference: Client) -> tuple[float, float, float]:
    """CPU time this process spends on one request, the part of it spent rendering the
    template, and its ratio to the bare view's (medians of batches of 10): unlike wall time,
    the CPU time does not count the time the shared cores spend on other machines, so it is
    the steady figure to compare pages with (PostgreSQL's own CPU aside). Each batch of the
    page follows a batch of the bare view with `reference`'s session and is divided by it,
    so that a machine whose speed drifts during the run (seen here: the bare view from 1.6 to
    3.5 ms within one session) moves both sides of each ratio alike."""
    batches, rendering, ratios = [], [], []
    for _ in range(CPU_SAMPLES // 10):
        bare = _batch_ms(reference, BASELINE_URL)
        with TemplateClock() as clock:
            page = _batch_ms(client, url)
        batches.append(page)
        rendering.append(clock.seconds / 10 * 1000)
        ratios.append(page / bare)
    return statistics.median(batches), statistics.median(rendering), statistics.median(ratios)


def _batch_ms(client: Client, url: str) -> float:
    started = time.process_time()
    for _ in range(10):
        client.get(url)
    return (time.process_time() - started) / 10 * 1000


def baseline_cpu_ms(session: str) -> tuple[float, float, float]:
    """The bare view's CPU time, and the empty layout's with its ratio to the bare view."""
    reference = client_for(session)
    shell = client_for(session)
    for _ in range(10):
        reference.get(BASELINE_URL)
        shell.get(SHELL_URL)
    bare = statistics.median(_batch_ms(reference, BASELINE_URL) for _ in range(CPU_SAMPLES // 10))
    shell_ms, _template, shell_ratio = cpu_ms(shell, SHELL_URL, reference)
    return bare, shell_ms, shell_ratio


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
