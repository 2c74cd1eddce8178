"""`make bench`: Tremplin at the scale of a network of collectivités, measured under writes.

1. A dedicated database (tremplin_bench by default), migrated, filled by `seed_scale` once:
   a marker table remembers the sizes, and the seeding is skipped when they match.
2. gunicorn (2 workers × 4 threads) with benchmarks.settings: production settings on
   plain HTTP over loopback, DEBUG off.
3. The mixed load (benchmarks/mixed.py): 40 agents of four organisations, their delegates and
   a juror, logged in through the login form, read every benchmarked page while, in two of
   the three mixes, one request in 20 or in 5 writes (support, comment, new idea, a delegate
   moving an idea). Each mix runs in rounds, each round followed by the bare Django view with
   an agent's session and without one; per page req/s, p50, p95, p99 and errors, medians of
   the rounds; a probe checks that every write is seen by the next read of the writer and of
   a colleague. The SQL queries of one request of each page and its CPU time are measured
   in process with Django's test client.
4. Timed operations: the follow-up reminder sweep, the forum results, 50 jurors scoring at
   once, 200 registrations to a 20-seat breakfast.

Prints figures, asserts nothing: the targets are read from the table (docs/performance.md).

    .venv/bin/python benchmarks/run.py [--mixes 0,20,5] [--mix-duration 15] [--rounds 3]
                                       [--duration 4] [--seed-args "--small"] [--per-page]
                                       [--only NAME] [--pages-only | --operations-only]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / ".run" / "bench"
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
LUA = Path(__file__).resolve().parent / "report.lua"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/tremplin_bench"
MARKER_TABLE = "bench_seed_marker"


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def environment(database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env["DATABASE_URL"] = database_url
    env["DJANGO_SETTINGS_MODULE"] = "benchmarks.settings"
    env.pop("REDIS_URL", None)
    env["PYTHONPATH"] = str(ROOT)
    return env


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([str(PYTHON), "manage.py", *args], cwd=ROOT, env=env, check=True)


# --- Database ---------------------------------------------------------------------------------


def _connect(database_url: str, database: str | None = None):
    import dj_database_url
    import psycopg2

    config = dj_database_url.parse(database_url)
    connection = psycopg2.connect(
        dbname=database or config["NAME"],
        user=config["USER"] or None,
        password=config["PASSWORD"] or None,
        host=config["HOST"] or None,
        port=config["PORT"] or None,
    )
    connection.autocommit = True
    return connection, config["NAME"]


def _database_exists(database_url: str) -> bool:
    server, name = _connect(database_url, "postgres")
    with server.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        found = cursor.fetchone() is not None
    server.close()
    return found


def _recreate_database(database_url: str) -> None:
    server, name = _connect(database_url, "postgres")
    if not re.fullmatch(r"[a-z0-9_]+", name) or "bench" not in name:
        raise SystemExit(f"Refus de recréer « {name} » : le nom doit contenir « bench ».")
    with server.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    server.close()


def _marker(database_url: str) -> str | None:
    connection, _name = _connect(database_url)
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [MARKER_TABLE])
        if cursor.fetchone()[0] is None:
            value = None
        else:
            cursor.execute(f"SELECT sizes FROM {MARKER_TABLE} LIMIT 1")
            row = cursor.fetchone()
            value = row[0] if row else None
    connection.close()
    return value


def _write_marker(database_url: str, sizes: str) -> None:
    connection, _name = _connect(database_url)
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {MARKER_TABLE} (sizes text, seeded_at timestamptz)"
        )
        cursor.execute(f"DELETE FROM {MARKER_TABLE}")
        cursor.execute(f"INSERT INTO {MARKER_TABLE} VALUES (%s, now())", [sizes])
    connection.close()


def prepare_database(database_url: str, seed_args: list[str], env: dict[str, str]) -> None:
    wanted = " ".join(seed_args) or "(défauts)"
    if not _database_exists(database_url):
        log("création de la base de mesure")
        _recreate_database(database_url)
    elif _marker(database_url) not in (None, wanted):
        log(f"tailles différentes ({_marker(database_url)} ≠ {wanted}) : base recréée")
        _recreate_database(database_url)
    manage(env, "migrate", "--noinput", "-v", "0")
    if _marker(database_url) == wanted:
        log(f"données déjà générées ({wanted}) : seed_scale sauté")
        return
    if _marker(database_url) is None and _has_scale_data(database_url):
        log("données d'échelle sans marqueur (génération interrompue ?) : base recréée")
        _recreate_database(database_url)
        manage(env, "migrate", "--noinput", "-v", "0")
    log(f"seed_scale {wanted}")
    manage(env, "seed_scale", *seed_args)
    _write_marker(database_url, wanted)


def _has_scale_data(database_url: str) -> bool:
    connection, _name = _connect(database_url)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM innovation_organisation WHERE slug LIKE 'echelle-%'")
        found = cursor.fetchone()[0] > 0
    connection.close()
    return found


# --- Load ------------------------------------------------------------------------------------


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        log("installation de wrk (apt-get)")
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True, timeout=300)
        found = shutil.which("wrk")
    if not found:
        raise SystemExit("wrk est introuvable : installez le paquet Debian « wrk ».")
    return found


class Server:
    """gunicorn in its own process group, stopped whatever happens."""

    def __init__(self, env: dict[str, str], port: int, workers: int, threads: int):
        self.url = f"http://127.0.0.1:{port}"
        self.log = open(BENCH_DIR / "gunicorn.log", "w")  # noqa: SIM115
        self.process = subprocess.Popen(
            [
                str(GUNICORN),
                "innovation.wsgi",
                "-w",
                str(workers),
                "--threads",
                str(threads),
                "-b",
                f"127.0.0.1:{port}",
                "--access-logfile",
                "/dev/null",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn s'est arrêté : voir {BENCH_DIR / 'gunicorn.log'}")
            try:
                with urllib.request.urlopen(f"{self.url}/bench/baseline/", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        raise SystemExit("gunicorn ne répond pas après 30 s.")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
        self.log.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run_wrk(wrk: str, url: str, session: str, seconds: int, threads: int, connections: int) -> dict:
    command = [
        wrk,
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-s",
        str(LUA),
    ]
    if session:
        command += ["-H", f"Cookie: sessionid={session}"]
    command.append(url)
    output = subprocess.run(
        command, capture_output=True, text=True, timeout=seconds + 30, check=True
    ).stdout
    line = next((line for line in output.splitlines() if line.startswith("BENCH ")), None)
    if line is None:
        raise SystemExit(f"wrk n'a pas rendu de mesure :\n{output}")
    values = dict(part.split("=") for part in line.split()[1:])
    result = {key: int(value) for key, value in values.items()}
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


# --- Report ----------------------------------------------------------------------------------


def _median(values: list[float]) -> float:
    return statistics.median(values)


def summarise(rounds: list[dict]) -> dict:
    """One page's rounds (each: the page, then the bare view with a session and without,
    measured back to back) as medians: of the page's own figures, and of each round's ratios,
    so that a round the machine slowed down as a whole still compares like with like."""
    page = [r["page"] for r in rounds]
    return {
        "rps": _median([m["rps"] for m in page]),
        "p50_us": _median([m["p50_us"] for m in page]),
        "p95_us": _median([m["p95_us"] for m in page]),
        "reference_rps": _median([r["reference"]["rps"] for r in rounds]),
        "ratio": _median([r["page"]["rps"] / r["reference"]["rps"] for r in rounds]),
        "p95_ratio": _median([r["page"]["p95_us"] / r["reference"]["p95_us"] for r in rounds]),
        "anonymous_ratio": _median([r["page"]["rps"] / r["anonymous"]["rps"] for r in rounds]),
        "flag": any(m["not_200"] or m["socket_errors"] for m in page),
    }


def table(rows: list[dict], references: list[dict], anonymous: list[dict]) -> str:
    """Per page, the median of its rounds; ratios to the bare view requested with a logged-in
    session (as every page is: the session and the person are read on every request) and
    without one, each measured in the same round as the page."""
    header = (
        f"| {'Page':<28} | {'Rôle':<10} | {'req/s':>6} | {'p50 ms':>6} | {'p95 ms':>6} | "
        f"{'réf. req/s':>10} | {'× réf.':>6} | {'p95/réf.':>8} | {'× anonyme':>9} | "
        f"{'SQL':>5} |"
    )
    rule = "|" + "|".join("-" * (len(cell) + 0) for cell in header.split("|")[1:-1]) + "|"
    lines = [header, rule]

    def line(name, role, summary, queries=""):
        flag = " ⚠" if summary["flag"] else ""
        lines.append(
            f"| {name + flag:<28} | {role:<10} | {summary['rps']:>6.0f} | "
            f"{summary['p50_us'] / 1000:>6.1f} | {summary['p95_us'] / 1000:>6.1f} | "
            f"{summary['reference_rps']:>10.0f} | {summary['ratio']:>5.2f}× | "
            f"{summary['p95_ratio']:>7.1f}× | {summary['anonymous_ratio']:>8.2f}× | "
            f"{queries:>5} |"
        )

    # The bare views themselves: the medians of every round of the run.
    both = list(zip(references, anonymous, strict=True))
    pairs = [{"page": r, "reference": r, "anonymous": a} for r, a in both]
    line("vue nue, session d'agent", "agent", summarise(pairs), "2")
    pairs = [{"page": a, "reference": r, "anonymous": a} for r, a in both]
    line("vue nue sans session", "anonyme", summarise(pairs), "0")
    for row in rows:
        line(
            row["name"],
            row["role"],
            summarise(row["rounds"]),
            str(row["queries"]),
        )
    return "\n".join(lines)


MIX_LABELS = {0: "lectures seules", 20: "1 écriture pour 20 lectures", 5: "1 écriture pour 5"}


def mix_table(write_every: int, rounds: list[dict], roles: dict[str, str]) -> list[str]:
    """One mix: medians of its rounds, each page against the bare view of the same round."""
    label = MIX_LABELS.get(write_every, f"1 écriture pour {write_every}")
    totals = [r["mix"]["total"]["rps"] for r in rounds]
    references = [r["reference"] for r in rounds]
    ratio = _median([r["mix"]["total"]["rps"] / r["reference"]["rps"] for r in rounds])
    socket_errors = sum(r["mix"]["total"]["socket_errors"] for r in rounds)
    lines = [
        f"### Mélange « {label} »",
        "",
        f"Débit du mélange : {_median(totals):.0f} req/s, **{ratio:.2f}×** la vue nue avec "
        f"session ({_median([m['rps'] for m in references]):.0f} req/s, p95 "
        f"{_median([m['p95_us'] for m in references]) / 1000:.1f} ms) ; vue nue sans session "
        f"{_median([r['anonymous']['rps'] for r in rounds]):.0f} req/s ; "
        f"{socket_errors} erreurs de connexion.",
        "",
        f"| {'Page ou écriture':<28} | {'Rôle':<10} | {'req/s':>6} | {'p50 ms':>6} | "
        f"{'p95 ms':>6} | {'p99 ms':>6} | {'p95/réf.':>8} | {'erreurs':>7} |",
        f"|{'-' * 30}|{'-' * 12}|{'-' * 8}|{'-' * 8}|{'-' * 8}|{'-' * 8}|{'-' * 10}|{'-' * 9}|",
    ]
    names = sorted(
        {name for r in rounds for name in r["mix"]["pages"]},
        key=lambda name: (name.startswith("+"), list(roles).index(name) if name in roles else 0),
    )
    for name in names:
        seen = [r for r in rounds if name in r["mix"]["pages"]]
        figures = [r["mix"]["pages"][name] for r in seen]
        p95_ratio = _median(
            [r["mix"]["pages"][name]["p95_us"] / r["reference"]["p95_us"] for r in seen]
        )
        lines.append(
            f"| {name:<28} | {roles.get(name, ''):<10} | "
            f"{_median([f['rps'] for f in figures]):>6.1f} | "
            f"{_median([f['p50_us'] for f in figures]) / 1000:>6.1f} | "
            f"{_median([f['p95_us'] for f in figures]) / 1000:>6.1f} | "
            f"{_median([f['p99_us'] for f in figures]) / 1000:>6.1f} | "
            f"{p95_ratio:>7.1f}× | {sum(f['errors'] for f in figures):>7} |"
        )
    checks = sum(r["staleness"].checks for r in rounds)
    stale = [what for r in rounds for what in r["staleness"].stale]
    probe_errors = [error for r in rounds for error in r["staleness"].errors]
    if write_every:
        lines += [
            "",
            f"Fraîcheur : {checks} lectures juste après une écriture (l'auteur puis un·e "
            f"collègue), **{len(stale)} périmée(s)**"
            + (f" ({', '.join(sorted(set(stale)))})" if stale else "")
            + (
                f" ; {len(probe_errors)} erreur(s) de la sonde "
                f"({', '.join(sorted(set(probe_errors))[:3])})"
                if probe_errors
                else ""
            )
            + ".",
        ]
    return lines + [""]


def cpu_table(rows: list, baseline_cpu: float, shell_cpu: float, shell_ratio: float) -> str:
    """CPU time of one request in process against the bare view's with the same session
    (each ratio the median of batches paired with a batch of the bare view, see
    scenario.cpu_ms); the part spent in the template, what the page would cost with a
    template that cost nothing (its queries, middleware and view code alone), and the
    Python calls of one request, which the machine's load does not move."""
    lines = [
        f"| {'Page':<28} | {'SQL':>5} | {'CPU ms':>8} | {'× réf.':>6} "
        f"| {'gabarit ms':>10} | {'hors gabarit':>12} | {'appels Python':>13} |",
        f"|{'-' * 30}|{'-' * 7}|{'-' * 10}|{'-' * 8}|{'-' * 12}|{'-' * 14}|{'-' * 15}|",
        f"| {'vue nue, session d’agent':<28} | {2:>5} | {baseline_cpu:>8.2f} | {1:>5.1f}× "
        f"| {'—':>10} | {1:>11.1f}× | {'':>13} |",
        f"| {'mise en page vide':<28} | {'':>5} | {shell_cpu:>8.2f} | "
        f"{shell_ratio:>5.1f}× | {'':>10} | {'':>12} | {'':>13} |",
    ]
    for page in rows:
        # The template's share of the page, taken off its paired ratio.
        rest = page.ratio * (1 - page.template_ms / page.cpu_ms)
        lines.append(
            f"| {page.name:<28} | {page.queries:>5} | {page.cpu_ms:>8.2f} | "
            f"{page.ratio:>5.1f}× | {page.template_ms:>10.2f} | "
            f"{rest:>11.1f}× | {page.calls:>13,} |".replace(",", " ")
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    )
    parser.add_argument("--seed-args", default="", help='Passed to seed_scale, e.g. "--small".')
    parser.add_argument(
        "--mixes", default="0,20,5", help="Writes: one request in N (0: reads only), per mix."
    )
    parser.add_argument("--mix-duration", type=int, default=15, help="Seconds of each mix.")
    parser.add_argument(
        "--duration", type=int, default=4, help="Seconds of each bare-view measure."
    )
    parser.add_argument("--rounds", type=int, default=3, help="Rounds per mix (or page).")
    parser.add_argument("--warmup", type=int, default=2, help="Seconds of warm-up.")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (bare view).")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections.")
    parser.add_argument("--port", type=int, default=0, help="Default: a free port.")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-threads", type=int, default=4)
    parser.add_argument("--only", default="", help="Only pages whose name contains this.")
    parser.add_argument(
        "--per-page", action="store_true", help="Also load each page alone (reads only)."
    )
    parser.add_argument("--pages-only", action="store_true", help="Skip the timed operations.")
    parser.add_argument("--operations-only", action="store_true", help="Skip the page load.")
    args = parser.parse_args()

    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    env = environment(args.database_url)
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")})
    started = time.monotonic()
    wrk = ensure_wrk() if not args.operations_only else ""
    prepare_database(args.database_url, args.seed_args.split(), env)
    manage(env, "collectstatic", "--noinput", "-v", "0")

    sys.path[:0] = [str(ROOT), str(Path(__file__).resolve().parent)]
    import django

    django.setup()
    import mixed
    import scenario
    from django.db import connection

    report: list[str] = []
    if not args.operations_only:
        built = scenario.build()
        pages = [p for p in built.pages if args.only in p.name]
        scenario.count_queries(built)
        baseline_cpu, shell_cpu, shell_ratio = scenario.baseline_cpu_ms(built.sessions["agent"])
        connection.close()
        server = Server(env, args.port or free_port(), args.workers, args.worker_threads)
        try:
            server.wait_ready()
            log(f"gunicorn prêt ({args.workers} workers × {args.worker_threads} threads)")

            def load(url: str, session: str, seconds: int) -> dict:
                return run_wrk(wrk, url, session, seconds, args.threads, args.connections)

            bare = f"{server.url}/bench/baseline/"
            plan = mixed.prepare(server.url, args.connections)
            log(
                f"{len(plan.actors) + 2} personnes connectées par le formulaire en "
                f"{plan.extra['login_seconds']:.0f} s"
            )
            agent = plan.actors[0].session
            roles = {page.name: page.role for page in built.pages} | {
                name: "agent" if kind != "move" else "délégué·e"
                for kind, name in mixed.WRITE_NAMES.items()
            }
            load(bare, agent, args.warmup or 1)
            for write_every in [int(value) for value in args.mixes.split(",") if value]:
                rounds = []
                for number in range(args.rounds):
                    result, staleness = mixed.run_mix(
                        wrk,
                        server.url,
                        plan,
                        write_every=write_every,
                        seconds=args.mix_duration,
                        threads=args.connections,
                        workdir=BENCH_DIR,
                    )
                    rounds.append(
                        {
                            "mix": result,
                            "staleness": staleness,
                            "reference": load(bare, agent, args.duration),
                            "anonymous": load(bare, "", args.duration),
                        }
                    )
                    log(
                        f"mélange 1/{write_every or '∞'}, tour {number + 1} : "
                        f"{result['total']['rps']:.0f} req/s, "
                        f"vue nue {rounds[-1]['reference']['rps']:.0f} req/s, "
                        f"{len(staleness.stale)} lecture(s) périmée(s)"
                    )
                report += mix_table(write_every, rounds, roles)
            mixed.undo_writes(plan)
            connection.close()
            if args.per_page:
                report += per_page_load(pages, load, bare, agent, args)
        finally:
            server.stop()
        report = [
            f"Charge : wrk {args.connections} connexions, une par fil ; par mélange "
            f"{args.rounds} tours de {args.mix_duration} s, chacun suivi de la vue nue avec "
            f"et sans session ({args.duration} s) ; médianes des tours, rapports pris dans "
            f"chaque tour ; gunicorn {args.workers} workers × {args.worker_threads} threads, "
            f"{os.cpu_count()} cœurs.",
            "",
            *report,
            "Coût d'une requête en processus (client de test de Django, même session) :",
            "",
            cpu_table(pages, baseline_cpu, shell_cpu, shell_ratio),
            "",
        ]
    if not args.pages_only:
        for operation in (
            scenario.reminder_sweep,
            scenario.forum_results,
            scenario.concurrent_scoring,
            scenario.concurrent_registrations,
        ):
            log(operation.__name__)
            report += operation()
        connection.close()
    report.append(f"\nDurée totale : {time.monotonic() - started:.0f} s")
    text = "\n".join(report)
    (BENCH_DIR / "last-run.txt").write_text(text + "\n")
    print("\n" + text)


def per_page_load(pages, load, bare: str, agent: str, args) -> list[str]:
    """Each page alone under wrk (reads only), in rounds with both bare views."""
    references, anonymous, rows = [], [], []
    for page in pages:
        if args.warmup:
            load(bare.replace("/bench/baseline/", page.url), page.session, args.warmup)
        rounds = []
        for _ in range(args.rounds):
            rounds.append(
                {
                    "page": load(bare.replace("/bench/baseline/", page.url), page.session,
                                 args.duration),
                    "reference": load(bare, agent, args.duration),
                    "anonymous": load(bare, "", args.duration),
                }
            )  # fmt: skip
        references += [r["reference"] for r in rounds]
        anonymous += [r["anonymous"] for r in rounds]
        rows.append(
            {
                "name": page.name,
                "role": page.role,
                "rounds": rounds,
                "queries": page.queries,
            }
        )
    return ["### Chaque page seule (lectures seules)", "", table(rows, references, anonymous), ""]


if __name__ == "__main__":
    main()
