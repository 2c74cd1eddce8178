"""The mixed load: people of several collectivités reading and writing at once.

Forty agents of four organisations, their four delegates and a juror log in through the real
login form. wrk (benchmarks/mixed.lua) then reads every benchmarked page as the role that
uses it and, in the write mixes, every 20th or 5th request writes: an agent supports or
withdraws support, comments, proposes an idea; a delegate moves an idea along the pipeline
(submitted → qualified → not retained → reopened). Each mix is followed, in the same round,
by the bare view with and without a session.

While wrk runs, a probe writes and reads back (the writer, then another person of the same
organisation): a comment, a support, a new idea, a move. A read that does not show the write
it follows is a stale read. Before each mix, what the previous one wrote is undone (its
comments, ideas, supports and moves), so every mix and every run starts from the same data.

Needs Django set up with benchmarks.settings on the seeded database (benchmarks/run.py).
"""

from __future__ import annotations

import http.client
import re
import subprocess
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from benchmarks.management.commands.seed_scale import BREAKFAST_TITLE, DOMAIN, PASSWORD
from ideas.models import Comment, Idea, Vote
from innovation.platform.models import Organisation, User
from juries.models import Forum
from rituals.models import Ritual

LUA = Path(__file__).resolve().parent / "mixed.lua"
ORGANISATIONS = 4
AGENTS_PER_ORGANISATION = 10
COMMENT_PREFIX = "Commentaire de charge"
IDEA_PREFIX = "Idée de charge"
PROBE_PREFIX = "Sonde de fraîcheur"
WRITE_NAMES = {
    "vote": "+ soutien",
    "comment": "+ commentaire",
    "idea": "+ idée",
    "move": "+ étape",
}


# --- People ---------------------------------------------------------------------------------


@dataclass
class Actor:
    email: str
    role: str
    organisation_id: int
    user_id: int
    session: str = ""
    csrf: str = ""

    @property
    def cookie(self) -> str:
        return f"sessionid={self.session}; csrftoken={self.csrf}"


def _cookies(response: http.client.HTTPResponse) -> dict[str, str]:
    found = {}
    for header in response.headers.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        found[name] = rest.split(";", 1)[0]
    return found


def log_in(base_url: str, actor: Actor) -> None:
    """Through the real login form, as a person would (password checked, axes, session)."""
    parts = urlsplit(base_url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    conn.request("GET", "/connexion/")
    page = conn.getresponse()
    page.read()
    csrf = _cookies(page)["csrftoken"]
    body = urlencode({"username": actor.email, "password": PASSWORD, "csrfmiddlewaretoken": csrf})
    conn.request(
        "POST",
        "/connexion/",
        body=body,
        headers={
            "Cookie": f"csrftoken={csrf}",
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    answer = conn.getresponse()
    answer.read()
    conn.close()
    cookies = _cookies(answer)
    if answer.status != 302 or "sessionid" not in cookies:
        raise SystemExit(f"Connexion refusée pour {actor.email} ({answer.status}).")
    actor.session = cookies["sessionid"]
    actor.csrf = cookies.get("csrftoken", csrf)


def people() -> list[Actor]:
    organisations = list(
        Organisation.objects.filter(slug__startswith="echelle-").order_by("pk")[:ORGANISATIONS]
    )
    per_org = User.objects.filter(organisation=organisations[0], email__startswith="agent.").count()
    actors = []
    for index in range(len(organisations)):
        for k in range(AGENTS_PER_ORGANISATION):
            actors.append(_actor(f"agent.{index * per_org + k}@{DOMAIN}", "agent"))
        actors.append(_actor(f"delegue.{index:02d}@{DOMAIN}", "délégué·e"))
    actors.append(_actor(f"jure.01@{DOMAIN}", "juré·e"))
    return actors


def _actor(email: str, role: str) -> Actor:
    user = User.objects.only("pk", "organisation_id").get(email=email)
    return Actor(email, role, user.organisation_id, user.pk)


# --- What they read and write ---------------------------------------------------------------


@dataclass
class Plan:
    actors: list[Actor]
    reads: dict[str, list[tuple[int, str]]] = field(default_factory=dict)  # page: (actor, path)
    writes: dict[str, list[dict]] = field(default_factory=dict)  # kind: targets
    moves: list[int] = field(default_factory=list)  # ideas the delegates move around
    probe_ideas: dict[int, list[int]] = field(default_factory=dict)  # organisation: ideas
    extra: dict = field(default_factory=dict)  # the probe's two people, the login time


def _ideas_of(organisation_id: int, *, exclude: set[int], count: int, offset: int = 0):
    return list(
        Idea.objects.filter(organisation_id=organisation_id, state=Idea.State.SUBMITTED)
        .exclude(pk__in=exclude)
        .order_by("pk")
        .values_list("pk", flat=True)[offset : offset + count]
    )


def plan(actors: list[Actor], threads: int) -> Plan:
    """Which page each person reads (the bench's pages, each for its own organisation) and
    the ideas each writes to (none of them shown on a benchmarked page of its own)."""
    result = Plan(actors)
    agents = [a for a in actors if a.role == "agent"]
    delegates = [a for a in actors if a.role == "délégué·e"]
    jurors = [a for a in actors if a.role == "juré·e"]
    closed = Forum.objects.filter(stage=Forum.Stage.CLOSED, title__contains="réseau").latest("pk")
    opened = Forum.objects.filter(stage=Forum.Stage.OPEN, title__contains="réseau").latest("pk")
    theme_id = Idea.objects.exclude(theme=None).order_by("theme_id").values("theme_id")[:1]
    shown: set[int] = set()
    detail: dict[int, int] = {}
    for organisation_id in {a.organisation_id for a in actors}:
        idea = (
            Idea.objects.filter(organisation_id=organisation_id)
            .exclude(state=Idea.State.DRAFT)
            .order_by("-vote_count", "-pk")
            .first()
        )
        detail[organisation_id] = idea.pk
        shown.add(idea.pk)

    def series(organisation_id: int) -> Ritual:
        return (
            Ritual.objects.filter(organisation_id=organisation_id)
            .exclude(title=BREAKFAST_TITLE)
            .order_by("pk")
            .first()
        )

    def next_occurrence(organisation_id: int) -> int:
        upcoming = series(organisation_id).occurrences.filter(starts_at__gt=timezone.now())
        return upcoming.order_by("starts_at")[0].pk

    theme = theme_id[0]["theme_id"]
    pages = {
        "accueil": [(a, "/") for a in agents],
        "idées : liste": [(a, "/idees/") for a in agents],
        "idées : filtrée": [
            (a, f"/idees/?state=qualified&state=selected&theme={theme}&ordering=-vote_count")
            for a in agents
        ],
        "idées : recherche": [(a, "/idees/?q=ecole") for a in agents],
        "idées : page 40": [(a, "/idees/?page=40") for a in agents],
        "idée : détail": [(a, f"/idees/{detail[a.organisation_id]}/") for a in agents],
        "petit-déjeuner : série": [
            (a, f"/petits-dejeuners/{series(a.organisation_id).pk}/") for a in agents
        ],
        "tableau des idées": [(d, "/idees/tableau/") for d in delegates],
        "pilotage": [(d, "/pilotage/") for d in delegates],
        "forum : tableau en direct": [(d, f"/forums/{closed.pk}/tableau/") for d in delegates],
        "forum : résultats": [(d, f"/forums/{closed.pk}/resultats/") for d in delegates],
        "petit-déjeuner : séance": [
            (d, f"/petits-dejeuners/seances/{next_occurrence(d.organisation_id)}/")
            for d in delegates
        ],
        "mandats : vue d'ensemble": [(d, "/idees/mandats/") for d in delegates],
        "forum : notation": [(j, f"/forums/{opened.pk}/noter/") for j in jurors],
    }
    index = {id(actor): number for number, actor in enumerate(actors, start=1)}
    result.reads = {
        name: [(index[id(actor)], path) for actor, path in targets]
        for name, targets in pages.items()
    }
    # Writes: per organisation, disjoint pools of submitted ideas no benchmarked page shows.
    taken = set(shown)
    votes, comments, moves = {}, {}, {}
    for organisation_id in sorted({a.organisation_id for a in actors}):
        # Enough for each wrk thread to own a few (scale data); fewer on small data.
        pool = _ideas_of(organisation_id, exclude=taken, count=threads * 6 + 50)
        taken.update(pool)
        share = max(len(pool) // 10, 1)
        votes[organisation_id] = pool[: 3 * share]
        moves[organisation_id] = pool[3 * share : 6 * share]
        comments[organisation_id] = pool[6 * share : 9 * share]
        result.probe_ideas[organisation_id] = pool[9 * share :]
        if not all(
            (votes[organisation_id], moves[organisation_id], comments[organisation_id],
             result.probe_ideas[organisation_id])
        ):  # fmt: skip
            raise SystemExit(f"Trop peu d'idées déposées dans la collectivité {organisation_id}.")
    result.moves = [pk for pks in moves.values() for pk in pks]
    result.writes = {
        "vote": [{"actor": index[id(a)], "ideas": votes[a.organisation_id]} for a in agents],
        "comment": [{"actor": index[id(a)], "ideas": comments[a.organisation_id]} for a in agents],
        "idea": [{"actor": index[id(a)]} for a in agents],
        "move": [{"actor": index[id(d)], "ideas": moves[d.organisation_id]} for d in delegates],
    }
    return result


def lua_config(plan_: Plan, *, write_every: int, threads: int) -> str:
    """The plan as the Lua table mixed.lua reads."""

    def text(value: str) -> str:
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'

    actors = ",\n".join(f"  {{cookie={text(a.cookie)}, csrf={text(a.csrf)}}}" for a in plan_.actors)
    reads = ",\n".join(
        f"  {{name={text(name)}, targets={{"
        + ", ".join(f"{{actor={actor}, path={text(path)}}}" for actor, path in targets)
        + "}}"
        for name, targets in plan_.reads.items()
    )
    writes = []
    for kind, targets in plan_.writes.items():
        items = []
        for target in targets:
            ideas = ", ".join(str(pk) for pk in target.get("ideas", []))
            items.append(f"{{actor={target['actor']}, ideas={{{ideas}}}}}")
        writes.append(
            f"  {{kind={text(kind)}, name={text(WRITE_NAMES[kind])}, targets={{"
            + ", ".join(items)
            + "}}"
        )
    return (
        f"return {{\nthreads={threads},\nwrite_every={write_every},\n"
        f"actors={{\n{actors}\n}},\nreads={{\n{reads}\n}},\nwrites={{\n"
        + ",\n".join(writes)
        + "\n}\n}\n"
    )


# --- Undoing a mix --------------------------------------------------------------------------


@transaction.atomic
def undo_writes(plan_: Plan) -> None:
    """Put back what a mix (and the probe) changed, so the next one starts from the same data:
    the vote and comment counters recomputed from the rows, as the services keep them."""
    user_ids = [a.user_id for a in plan_.actors] + list(
        User.objects.filter(email__in=[probe_email(0), probe_email(1)]).values_list("pk", flat=True)
    )
    Idea.objects.filter(
        Q(title__startswith=IDEA_PREFIX) | Q(title__startswith=PROBE_PREFIX)
    ).delete()
    touched = set(
        Comment.objects.filter(
            Q(body__startswith=COMMENT_PREFIX) | Q(body__startswith=PROBE_PREFIX)
        ).values_list("idea_id", flat=True)
    )
    Comment.objects.filter(
        Q(body__startswith=COMMENT_PREFIX) | Q(body__startswith=PROBE_PREFIX)
    ).delete()
    touched |= set(Vote.objects.filter(voter_id__in=user_ids).values_list("idea_id", flat=True))
    Vote.objects.filter(voter_id__in=user_ids).delete()
    moved = plan_.moves + [pk for pks in plan_.probe_ideas.values() for pk in pks]
    Idea.objects.filter(pk__in=moved).update(state=Idea.State.SUBMITTED)
    for idea in Idea.objects.filter(pk__in=touched).annotate(
        supporters=Count("votes", distinct=True),
        shown_comments=Count("comments", filter=Q(comments__hidden_at=None), distinct=True),
    ):
        Idea.objects.filter(pk=idea.pk).update(
            vote_count=idea.supporters, comment_count=idea.shown_comments
        )


# --- Staleness probe ------------------------------------------------------------------------


def probe_email(number: int) -> str:
    """Two agents of the first organisation that the load itself never uses."""
    return f"agent.{AGENTS_PER_ORGANISATION + 10 + number}@{DOMAIN}"


class Browser:
    """One person's keep-alive connection with their cookies (no redirect followed)."""

    def __init__(self, base_url: str, actor: Actor):
        parts = urlsplit(base_url)
        self.conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        self.actor = actor

    def _send(self, method: str, path: str, **kwargs) -> http.client.HTTPResponse:
        """The request, sent again once on a new connection when the server had closed the
        kept-alive one before answering (gunicorn closes an idle one after its keepalive
        seconds), as a browser does: the request never reached the application."""
        try:
            self.conn.request(method, path, **kwargs)
            return self.conn.getresponse()
        except (BrokenPipeError, ConnectionResetError, http.client.RemoteDisconnected):
            self.conn.close()
            self.conn.request(method, path, **kwargs)
            return self.conn.getresponse()

    def get(self, path: str) -> str:
        response = self._send("GET", path, headers={"Cookie": self.actor.cookie})
        return response.read().decode()

    def post(self, path: str, data: dict) -> int:
        response = self._send(
            "POST",
            path,
            body=urlencode(data),
            headers={
                "Cookie": self.actor.cookie,
                "X-CSRFToken": self.actor.csrf,
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )
        response.read()
        return response.status


SUPPORTS = re.compile(r"<strong>(\d+)</strong> <span class=\"fs-6\">soutien")


def supports_on(html: str) -> int | None:
    found = SUPPORTS.search(html)
    return int(found.group(1)) if found else None


class WriteRefused(Exception):
    pass


@dataclass
class Staleness:
    checks: int = 0
    stale: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def probe(base_url: str, plan_: Plan, stop: threading.Event, result: Staleness) -> None:
    """Write, then read back as the writer and as a colleague, until told to stop."""
    writer_actor, other_actor = plan_.extra["probe"]
    delegate_actor = next(
        a
        for a in plan_.actors
        if a.role == "délégué·e" and a.organisation_id == writer_actor.organisation_id
    )
    writer, other = Browser(base_url, writer_actor), Browser(base_url, other_actor)
    delegate = Browser(base_url, delegate_actor)
    ideas = plan_.probe_ideas[writer_actor.organisation_id]
    turn = 0

    def expect(what: str, condition: bool) -> None:
        result.checks += 1
        if not condition:
            result.stale.append(what)

    def wrote(what: str, status: int) -> None:
        if status != 302:  # the write itself did not happen: not a stale read
            raise WriteRefused(f"{what} : {status}")

    while not stop.is_set():
        try:
            idea = ideas[turn % len(ideas)]
            page = f"/idees/{idea}/"
            token = f"{PROBE_PREFIX} {uuid.uuid4().hex[:10]}"
            # A comment: the writer and a colleague see it at once.
            wrote("commentaire", writer.post(f"/idees/{idea}/commentaires/", {"body": token}))
            expect("commentaire (auteur)", token in writer.get(page))
            expect("commentaire (collègue)", token in other.get(page))
            # A support: the count moves for both.
            before = supports_on(other.get(page))
            wrote("soutien", writer.post(f"/idees/{idea}/vote/", {}))
            expect("soutien (auteur)", supports_on(writer.get(page)) == (before or 0) + 1)
            expect("soutien (collègue)", supports_on(other.get(page)) == (before or 0) + 1)
            wrote("retrait", writer.post(f"/idees/{idea}/vote/", {"vote": "withdraw"}))
            expect("retrait (collègue)", supports_on(other.get(page)) == before)
            # A new idea: first in the list, for the writer and a colleague.
            status = writer.post(
                "/idees/proposer/",
                {
                    "title": token,
                    "irritant": "Vérifier que la liste est à jour.",
                    "proposal": "Relire la liste juste après.",
                    "beneficiaries": "agents",
                    "expected_impact": "Aucun.",
                    "action": "submit",
                },
            )
            wrote("idée", status)
            expect("nouvelle idée (auteur)", token in writer.get("/idees/"))
            expect("nouvelle idée (collègue)", token in other.get("/idees/"))
            # A move by the delegate: the board and the idea page show the new step.
            move = f"/idees/{idea}/etape/"
            wrote("étape", delegate.post(move, {"to": "qualified", "support": "autonomous"}))
            expect("étape (collègue)", "Qualifiée" in other.get(page))
            board = delegate.get("/idees/tableau/")
            expect("étape (tableau)", f"/idees/{idea}/" in _column(board, "qualified"))
            wrote("étape", delegate.post(move, {"to": "not_retained", "reason": "Sonde."}))
            wrote("étape", delegate.post(move, {"to": "submitted", "reason": "Sonde."}))
            expect("étape rouverte (collègue)", "Déposée" in other.get(page))
        except WriteRefused as error:
            result.errors.append(f"écriture refusée ({error})")
        except (OSError, http.client.HTTPException) as error:
            result.errors.append(f"{type(error).__name__}: {error}")
            writer, other = Browser(base_url, writer_actor), Browser(base_url, other_actor)
            delegate = Browser(base_url, delegate_actor)
        turn += 1
        stop.wait(0.5)


def _column(board: str, state: str) -> str:
    """The board's column for one step: from its heading to the next column."""
    start = board.find(f'id="col-{state}"')
    if start < 0:
        return ""
    end = board.find("<section", start)
    return board[start : end if end >= 0 else len(board)]


# --- Running a mix --------------------------------------------------------------------------


def run_mix(
    wrk: str,
    base_url: str,
    plan_: Plan,
    *,
    write_every: int,
    seconds: int,
    threads: int,
    workdir: Path,
) -> tuple[dict, Staleness]:
    """One mix under wrk, with the staleness probe alongside when it writes."""
    undo_writes(plan_)
    connection.close()
    config = workdir / f"mix-{write_every}.lua"
    config.write_text(lua_config(plan_, write_every=write_every, threads=threads))
    staleness = Staleness()
    stop = threading.Event()
    prober = threading.Thread(target=probe, args=(base_url, plan_, stop, staleness))
    if write_every:
        prober.start()
    output = subprocess.run(
        [wrk, f"-t{threads}", f"-c{threads}", f"-d{seconds}s", "--timeout", "10s",
         "-s", str(LUA), base_url, "--", str(config)],
        capture_output=True, text=True, timeout=seconds + 60, check=True,
    ).stdout  # fmt: skip
    stop.set()
    if write_every:
        prober.join()
    pages = {}
    total = {}
    for line in output.splitlines():
        if line.startswith("MIX\t"):
            _tag, name, values = line.split("\t")
            pages[name] = {k: int(v) for k, v in (part.split("=") for part in values.split())}
        elif line.startswith("MIXTOTAL "):
            total = {k: int(v) for k, v in (part.split("=") for part in line.split()[1:])}
    if not total:
        raise SystemExit(f"wrk n'a pas rendu de mesure :\n{output}")
    duration = total["duration_us"] / 1e6
    for figures in pages.values():
        figures["rps"] = figures["count"] / duration
    total["rps"] = total["requests"] / duration
    return {"pages": pages, "total": total}, staleness


def prepare(base_url: str, threads: int) -> Plan:
    """Log everyone in through the form and build what they will read and write."""
    actors = people()
    started = time.monotonic()
    for actor in actors:
        log_in(base_url, actor)
    result = plan(actors, threads)
    probes = [_actor(probe_email(0), "agent"), _actor(probe_email(1), "agent")]
    for actor in probes:
        log_in(base_url, actor)
    result.extra = {"probe": probes, "login_seconds": time.monotonic() - started}
    connection.close()
    return result
