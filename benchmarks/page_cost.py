"""What one page costs, in process, on the scale data: CPU per request, SQL queries, and
(with --profile) where the time goes; and the Python calls of one request, a figure a busy
machine does not move. The tool the cold-path work is led by.

    .venv/bin/python benchmarks/page_cost.py /idees/ /idees/?page=40 --as agent
    .venv/bin/python benchmarks/page_cost.py /idees/?q=ecole --as agent --profile 25
    .venv/bin/python benchmarks/page_cost.py /idees/ --explain     # EXPLAIN ANALYZE each query

Roles: agent, delegue, jure (the accounts `seed_scale` makes; see benchmarks/scenario.py).
Needs the benchmark database (`make bench` creates and seeds it once; BENCH_DATABASE_URL).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ACCOUNTS = {"agent": "agent.0", "delegue": "delegue.00", "jure": "jure.01"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("urls", nargs="+")
    parser.add_argument("--as", dest="role", default="agent", choices=sorted(ACCOUNTS))
    parser.add_argument("--samples", type=int, default=30)
    parser.add_argument("--profile", type=int, default=0, help="Show the N costliest calls.")
    parser.add_argument("--sort", default="cumulative", help="pstats order (e.g. tottime).")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the queries.")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")
    if "BENCH_DATABASE_URL" in os.environ:
        os.environ["DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
    sys.path[:0] = [str(ROOT), str(Path(__file__).resolve().parent)]
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from scenario import python_calls, session_for

    from benchmarks.management.commands.seed_scale import DOMAIN
    from innovation.platform.models import User

    user = User.objects.get(email=f"{ACCOUNTS[args.role]}@{DOMAIN}")
    client = Client(HTTP_HOST="127.0.0.1")
    client.cookies[settings.SESSION_COOKIE_NAME] = session_for(user)
    for url in args.urls:
        response = client.get(url)  # the first request of a process pays for imports
        reset_queries()  # the log keeps 9,000 entries: a full one counts nothing
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        # Read now: every request empties the query log (Django's request_started).
        queries = list(captured.captured_queries)
        times = []
        for _ in range(args.samples):
            started = time.process_time()
            client.get(url)
            times.append((time.process_time() - started) * 1000)
        print(
            f"{url}  status {response.status_code}  {len(queries)} queries  "
            f"CPU {statistics.median(times):.2f} ms (median of {args.samples}, "
            f"min {min(times):.2f})  {python_calls(client, url):,} Python calls"
        )
        if args.explain:
            with connection.cursor() as cursor:
                for query in queries:
                    sql = query["sql"]
                    if not sql.lstrip().upper().startswith("SELECT"):
                        continue
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                    plan = "\n    ".join(row[0] for row in cursor.fetchall())
                    print(f"  {query['time']}s  {sql[:300]}\n    {plan}\n")
        if args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(args.samples):
                client.get(url)
            profiler.disable()
            pstats.Stats(profiler).sort_stats(args.sort).print_stats(args.profile)


if __name__ == "__main__":
    main()
