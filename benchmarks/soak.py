"""`make soak`: every demo role uses Tremplin at once for a bounded time; any error fails.

Prepares a dedicated PostgreSQL database (tremplin_soak: migrate + seed_demo, idempotent),
starts gunicorn (threaded workers, production settings on plain HTTP over loopback: the
benchmark settings, benchmarks/settings.py), logs in as each demo account with its
real password (django-axes stays on; correct passwords never count as failures), then each
role's threads walk the pages reachable from that role's own pages (links found while
walking, GET) and make a few safe POSTs (support an idea and withdraw the support, register
to a breakfast and cancel), until the time is up.

Reports requests, errors (status >= 500 or connection failure), 4xx answers and p50/p95 per
role; exits 1 if there was any error. Stops gunicorn whatever happens.

    SOAK_SECONDS=60 .venv/bin/python benchmarks/soak.py [--threads 2] [--port 0]
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from html import unescape
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
PASSWORD = "tremplin-demo"
ROLES = {
    "agent": "agent@tremplin.example",
    "manager": "encadrant@tremplin.example",
    "director": "directeur@tremplin.example",
    "sponsor": "sponsor@tremplin.example",
    "juror": "jury@tremplin.example",
    "delegate": "delegue@tremplin.example",
    "admin": "admin@tremplin.example",
}
# Never followed: leaving, Django's admin, password changes, and pages that act on GET.
SKIP = re.compile(r"^/(deconnexion|admin|mot-de-passe)/|/static/|\.(ics|json)$")
MAX_PAGES_PER_ROLE = 60


def environment(database: str) -> dict[str, str]:
    base = os.environ.get("SOAK_DATABASE_SERVER", "postgres://postgres@127.0.0.1:5432")
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
        "DATABASE_URL": f"{base}/{database}",
        "LOG_LEVEL": "WARNING",
    }


def prepare(database: str, env: dict[str, str]) -> None:
    """Create the database if needed, migrate it, seed the demo, collect static files."""
    import psycopg2

    server = env["DATABASE_URL"].rsplit("/", 1)[0] + "/postgres"
    connection = psycopg2.connect(server)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{database}"')
    connection.close()
    for command in (
        ["migrate", "--noinput", "-v", "0"],
        ["seed_demo"],
        ["collectstatic", "--noinput", "-v", "0"],
    ):
        subprocess.run(
            [str(PYTHON), "manage.py", *command],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(port: int, env: dict[str, str]) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            str(GUNICORN),
            "innovation.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--worker-class",
            "gthread",
            "--workers",
            "2",
            "--threads",
            "4",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            time.sleep(0.2)
    stop_server(server)
    raise SystemExit("gunicorn did not start within 30 s")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


@dataclass
class Stats:
    timings: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    client_errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, role: str, seconds: float, status: int | None, what: str) -> None:
        with self.lock:
            self.timings[role].append(seconds)
            if status is None or status >= 500:
                self.errors.append(f"{role}: {what} -> {status or 'connection error'}")
            elif status >= 400:
                self.client_errors[f"{role}: {what} -> {status}"] += 1


class Browser:
    """One person's session over a keep-alive HTTP/1.1 connection."""

    def __init__(self, port: int, role: str, stats: Stats) -> None:
        self.port, self.role, self.stats = port, role, stats
        self.cookies: dict[str, str] = {}
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def request(self, method: str, path: str, data: dict | None = None, record=True):
        headers = {"Host": f"127.0.0.1:{self.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            data = {**data, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")}
            body = urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        started = time.monotonic()
        status, text = None, ""
        for attempt in (1, 2):  # a keep-alive connection the server closed: reconnect once
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                status, raw = response.status, response.read()
                for header in response.headers.get_all("Set-Cookie") or []:
                    cookie = SimpleCookie(header)
                    self.cookies.update({k: m.value for k, m in cookie.items()})
                kind = response.headers.get("Content-Type", "")
                text = raw.decode(errors="replace") if "html" in kind else ""
                break
            except (http.client.HTTPException, OSError):
                self.connection.close()
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                if attempt == 2:
                    status = None
        if record:
            self.stats.record(self.role, time.monotonic() - started, status, f"{method} {path}")
        return status, text

    def log_in(self, email: str) -> None:
        self.request("GET", "/connexion/", record=False)
        status, _text = self.request(
            "POST", "/connexion/", {"username": email, "password": PASSWORD}, record=False
        )
        if status != 302 or "sessionid" not in self.cookies:
            raise SystemExit(f"login failed for {email} (status {status})")


LINK = re.compile(r'href="(/[^"#]*)"')
VOTE_FORM = re.compile(r'action="(/idees/\d+/vote/)"')
REGISTER_FORM = re.compile(r'action="(/petits-dejeuners/seances/\d+/inscription/)"')


def discover(browser: Browser, limit: int) -> tuple[list[str], list[str], list[str]]:
    """The role's pages (links followed breadth-first from home), and its vote and
    registration forms."""
    pages, queue, votes, registrations = [], ["/"], set(), set()
    seen = {"/"}
    while queue and len(pages) < limit:
        path = queue.pop(0)
        status, html = browser.request("GET", path)
        if status != 200:
            continue
        pages.append(path)
        votes.update(VOTE_FORM.findall(html))
        registrations.update(REGISTER_FORM.findall(html))
        for link in LINK.findall(html):
            link = unescape(link)
            target = urlsplit(link).path + (f"?{urlsplit(link).query}" if "?" in link else "")
            if target not in seen and not SKIP.search(urlsplit(link).path):
                seen.add(target)
                queue.append(target)
    return pages, sorted(votes), sorted(registrations)


def user_loop(port, role, email, plan, stats, stop_at, seed) -> None:
    rng = random.Random(seed)
    browser = Browser(port, role, stats)
    browser.log_in(email)
    pages, votes, registrations = plan
    while time.monotonic() < stop_at:
        choice = rng.random()
        if choice < 0.08 and votes:
            vote = rng.choice(votes)
            browser.request("POST", vote, {"vote": "cast"})
            browser.request("POST", vote, {"vote": "withdraw"})
        elif choice < 0.14 and registrations:
            registration = rng.choice(registrations)
            browser.request("POST", registration, {})
            browser.request("POST", registration, {"action": "cancel"})
        else:
            browser.request("GET", rng.choice(pages))
    browser.connection.close()


def percentile(values: list[float], fraction: float) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100, method="inclusive")[round(fraction * 100) - 1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=float(os.environ.get("SOAK_SECONDS", 60)))
    parser.add_argument("--threads", type=int, default=int(os.environ.get("SOAK_THREADS", 2)))
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--database", default=os.environ.get("SOAK_DATABASE", "tremplin_soak"))
    parser.add_argument("--skip-prepare", action="store_true")
    args = parser.parse_args()

    env = environment(args.database)
    if not args.skip_prepare:
        print(f"Préparation de la base {args.database} (migrate, seed_demo)…", flush=True)
        prepare(args.database, env)
    port = args.port or free_port()
    server = start_server(port, env)
    stats = Stats()
    try:
        plans = {}
        for role, email in ROLES.items():
            browser = Browser(port, role, stats)
            browser.log_in(email)
            plans[role] = discover(browser, MAX_PAGES_PER_ROLE)
            browser.connection.close()
            print(f"  {role:9} {len(plans[role][0]):3} pages", flush=True)
        print(f"Charge : {args.seconds:.0f} s, {args.threads} fil(s) par rôle…", flush=True)
        stop_at = time.monotonic() + args.seconds
        threads = [
            threading.Thread(
                target=user_loop,
                args=(port, role, ROLES[role], plans[role], stats, stop_at, n * 100 + i),
                daemon=True,
            )
            for i, role in enumerate(ROLES)
            for n in range(args.threads)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(args.seconds + 60)
    finally:
        stop_server(server)

    total = sum(len(values) for values in stats.timings.values())
    print(f"\n{'rôle':10}{'requêtes':>10}{'p50 ms':>10}{'p95 ms':>10}")
    for role in ROLES:
        values = stats.timings.get(role, [])
        print(
            f"{role:10}{len(values):>10}{percentile(values, 0.5) * 1000:>10.0f}"
            f"{percentile(values, 0.95) * 1000:>10.0f}"
        )
    print(f"{'total':10}{total:>10}   ({total / args.seconds:.0f} requêtes/s)")
    if stats.client_errors:
        print("\nRéponses 4xx (pas des erreurs, à regarder) :")
        for what, count in sorted(stats.client_errors.items()):
            print(f"  {count:5} × {what}")
    print(f"\nErreurs : {len(stats.errors)}")
    for error in stats.errors[:20]:
        print(f"  {error}")
    return 1 if stats.errors or total == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
