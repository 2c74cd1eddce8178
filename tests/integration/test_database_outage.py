"""A request whose database connection dies in flight answers 503, and loses nothing.

A black-box test restarted PostgreSQL under load: 3 of 1,200 pages in flight answered 500
(none after, thanks to CONN_HEALTH_CHECKS, see test_faults_database.py). Here the restart is
played without touching the shared server: a second connection runs
`pg_terminate_backend(<this request's backend>)` at a chosen query of the request (Django's
public `connection.execute_wrapper` finds the moment), exactly what a restart does to the
server side of a connection in use. Requests are served by Django's real WSGI handler.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

import psycopg2
import pytest
from django.db import connection
from django.test import Client, RequestFactory
from django.urls import reverse

from ideas.models import Comment
from tests.factories import AgentFactory, IdeaFactory
from tests.integration.test_faults_database import Process

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

CSRF = "k" * 32  # a CSRF secret, sent as both the cookie and the form field


def terminate(backend_pid: int) -> None:
    """What a restart does to one session: its server process goes away."""
    params = connection.get_connection_params()
    killer = psycopg2.connect(**params)
    try:
        with killer.cursor() as cursor:
            # The timeout makes it wait until the backend has really exited.
            cursor.execute("SELECT pg_terminate_backend(%s, 5000)", [backend_pid])
    finally:
        killer.close()


@contextlib.contextmanager
def fault_at(matches: Callable[[str], bool], *, after: bool = False) -> Iterator[list[str]]:
    """Terminate the request's backend at the first query `matches` (before it runs, or just
    after it ran); yields the statements that hit the fault."""
    hit: list[str] = []

    def wrapper(execute, sql, params, many, context):
        if hit or not matches(sql):
            return execute(sql, params, many, context)
        hit.append(sql)
        pid = context["connection"].connection.info.backend_pid
        if after:
            result = execute(sql, params, many, context)
            terminate(pid)
            return result
        terminate(pid)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield hit


@pytest.fixture
def persistent_connections() -> Iterator[None]:
    """As in production: the connection outlives the request and is health-checked."""
    saved = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict["CONN_HEALTH_CHECKS"] = True
    connection.settings_dict["CONN_MAX_AGE"] = 600
    yield
    connection.close()
    connection.settings_dict.update(saved)


def signed_in_process(user) -> Process:
    client = Client()
    client.force_login(user)
    return Process(client.cookies["sessionid"].value)


def post(process: Process, path: str, data: dict) -> tuple[int, dict[str, str]]:
    environ = (
        RequestFactory()
        .post(
            path,
            {**data, "csrfmiddlewaretoken": CSRF},
            HTTP_COOKIE=f"sessionid={process.cookie}; csrftoken={CSRF}",
        )
        .environ
    )
    status: list[str] = []
    headers: dict[str, str] = {}

    def start_response(code, response_headers, exc_info=None):
        status.append(code)
        headers.update(response_headers)

    body = process.handler(environ, start_response)
    try:
        b"".join(body)
    finally:
        body.close()
    return int(status[0].split()[0]), headers


def test_a_page_whose_connection_dies_in_flight_answers_503_with_retry_after(
    persistent_connections,
):
    idea = IdeaFactory(title="Covoiturage entre sites")
    process = signed_in_process(idea.author)
    page = reverse("ideas:detail", args=[idea.pk])
    assert process.get(page)[0] == 200

    with fault_at(lambda sql: "ideas_idea" in sql) as hit:
        status, content = process.get(page)

    assert hit
    assert status == 503
    assert "Réessayez dans un instant" in content
    # The next request, on a new connection, is served as usual.
    status, content = process.get(page)
    assert status == 200
    assert "Covoiturage entre sites" in content


def test_the_503_carries_retry_after(persistent_connections):
    idea = IdeaFactory()
    process = signed_in_process(idea.author)
    page = reverse("ideas:detail", args=[idea.pk])
    environ = RequestFactory().get(page, HTTP_COOKIE=f"sessionid={process.cookie}").environ
    headers: dict[str, str] = {}

    with fault_at(lambda sql: "ideas_idea" in sql):
        body = process.handler(environ, lambda code, h, exc_info=None: headers.update(h))
        body.close()

    assert headers["Retry-After"] == "5"


def test_a_write_cut_before_its_commit_is_refused_and_not_half_saved(persistent_connections):
    idea = IdeaFactory()
    agent = AgentFactory(organisation=idea.organisation)
    process = signed_in_process(agent)
    path = reverse("ideas:comment", args=[idea.pk])

    with fault_at(lambda sql: sql.startswith('INSERT INTO "ideas_comment"'), after=True) as hit:
        status, _headers = post(process, path, {"body": "Et pour les agents de nuit ?"})

    assert hit
    assert status == 503
    assert Comment.objects.filter(idea=idea).count() == 0
    # Sent again, as the page asks, it is saved once and acknowledged.
    status, headers = post(process, path, {"body": "Et pour les agents de nuit ?"})
    assert status == 302
    assert list(Comment.objects.filter(idea=idea).values_list("body", flat=True)) == [
        "Et pour les agents de nuit ?"
    ]


def test_an_acknowledged_write_survives_the_outage_that_follows_it(persistent_connections):
    idea = IdeaFactory()
    agent = AgentFactory(organisation=idea.organisation)
    process = signed_in_process(agent)
    status, _headers = post(
        process, reverse("ideas:comment", args=[idea.pk]), {"body": "Bonne idée."}
    )
    assert status == 302

    with fault_at(lambda sql: True):
        assert process.get(reverse("ideas:detail", args=[idea.pk]))[0] == 503

    assert list(Comment.objects.filter(idea=idea).values_list("body", flat=True)) == ["Bonne idée."]


def test_other_database_errors_stay_server_errors(persistent_connections):
    """A statement timeout is an OperationalError too, but the connection is fine: 500."""
    idea = IdeaFactory()
    process = signed_in_process(idea.author)
    hit = []

    def slow(execute, sql, params, many, context):
        if hit or '"ideas_idea"' not in sql:
            return execute(sql, params, many, context)
        hit.append(sql)
        execute("SET statement_timeout = 1", None, False, context)
        return execute("SELECT pg_sleep(1)", None, False, context)

    with connection.execute_wrapper(slow):
        status, _content = process.get(reverse("ideas:detail", args=[idea.pk]))

    assert hit
    assert status == 500
