"""After a PostgreSQL restart, no request fails.

Method. A production process (gunicorn's sync worker, one thread) keeps its database
connection between requests (CONN_MAX_AGE > 0). A PostgreSQL restart kills the server side of
that connection; the process only finds out when it next uses it. We reproduce exactly that:

- requests are served in this thread by Django's real WSGI handler (`WSGIHandler`, what
  gunicorn calls), so `request_started`/`request_finished` run `close_old_connections` as in
  production and the connection persists from one request to the next. (The test client is not
  used to serve them: it deliberately unhooks `close_old_connections`, so the per-request health
  check would never be re-armed and the test would prove nothing.)
- between two requests a second, independent connection runs
  `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database()
  AND pid <> pg_backend_pid()`: every other backend of the test database dies, as in a restart.
- the next request must succeed (200, the data on the page); a control run with
  CONN_HEALTH_CHECKS off shows the same next request failing (503), so the test does
  detect the fault it claims to survive.
"""

from collections.abc import Iterator

import psycopg2
import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.test import Client, RequestFactory
from django.urls import reverse

from tests.factories import IdeaFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def restart_postgresql_sessions() -> int:
    """Terminate every other session of this database from a fresh connection."""
    params = connection.get_connection_params()
    with psycopg2.connect(**params) as killer, killer.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        killed = cursor.fetchone()[0]
    killer.close()
    return killed


class Process:
    """One web process: Django's WSGI handler called in this thread, with a session cookie."""

    def __init__(self, session_cookie: str) -> None:
        self.handler = WSGIHandler()
        self.cookie = session_cookie

    def get(self, path: str) -> tuple[int, str]:
        environ = RequestFactory().get(path, HTTP_COOKIE=f"sessionid={self.cookie}").environ
        status: list[str] = []
        body = self.handler(environ, lambda code, headers, exc_info=None: status.append(code))
        try:
            content = b"".join(body).decode()
        finally:
            body.close()  # fires request_finished, as a WSGI server does
        return int(status[0].split()[0]), content


@pytest.fixture
def health_checks(request) -> Iterator[bool]:
    """Reconnect with CONN_HEALTH_CHECKS as the test asks, persistent connections on."""
    enabled = request.param
    saved = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict["CONN_HEALTH_CHECKS"] = enabled
    connection.settings_dict["CONN_MAX_AGE"] = 600
    yield enabled
    connection.close()
    connection.settings_dict.update(saved)


@pytest.mark.parametrize("health_checks", [True, False], indirect=True)
def test_the_request_after_a_postgresql_restart_succeeds_with_health_checks(health_checks):
    idea = IdeaFactory(title="Covoiturage entre sites")
    client = Client()
    client.force_login(idea.author)
    process = Process(client.cookies["sessionid"].value)
    page = reverse("ideas:detail", args=[idea.pk])
    status, content = process.get(page)
    assert status == 200
    backend_before = connection.connection.info.backend_pid  # kept open for the next request

    assert restart_postgresql_sessions() >= 1
    status, content = process.get(page)

    if health_checks:
        assert status == 200
        assert "Covoiturage entre sites" in content
        assert connection.connection.info.backend_pid != backend_before
    else:
        # The control: without health checks the stale connection fails (a lost connection
        # answers 503 and Retry-After: tests/integration/test_database_outage.py).
        assert status == 503
    # Either way the process has recovered for the request after.
    assert process.get(page)[0] == 200
