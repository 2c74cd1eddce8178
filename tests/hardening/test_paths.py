"""Odd path parameters: every parameter of every URL, Django's admin included, gets malformed.

Each URL pattern is rebuilt from its route with real objects of the shared world
(tests/world.py), then one parameter at a time is replaced by raw, percent-encoded
text that a scanner or a broken link would send: NUL bytes, invalid UTF-8, very long values,
numbers out of every range, odd Unicode (right-to-left override, non-ASCII digits, byte-order
mark, emoji). The test client decodes the percent-encoding into the bytes a WSGI server would
hand Django. Each is requested by an anonymous visitor and by the person the page is meant for
(a superuser for the admin). Nothing may answer 500 or raise: found by a black-box test, where
`/petits-dejeuners/agenda/%00/mes-inscriptions.ics` answered 500 without signing in.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.resolvers import RoutePattern

from tests.factories import AdminFactory
from tests.hardening.conftest import endpoints
from tests.world import World

pytestmark = pytest.mark.django_db

# Raw path segments, already percent-encoded as they travel on the wire.
MALFORMED = [
    "%00",
    "1%00",
    "a%00b",
    "%C3%28",  # invalid UTF-8 sequence
    "%FF%FE",
    "%ED%A0%80",  # an encoded surrogate
    "%C0%AF",  # overlong encoding of "/"
    "9" * 30,  # beyond every integer column
    str(2**63),
    "-1",
    "0",
    "x" * 4000,
    "9" * 4000,
    quote("\u202egnp.exe"),  # right-to-left override
    quote("١٢٣"),  # Arabic-Indic digits
    quote("１２"),  # fullwidth digits
    quote("\ufeff1"),  # byte-order mark
    quote("😀" * 20),
    "%2E%2E",
    "%252F",
]

PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


def routes(resolver=None, prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    """Every pattern of the project as its full route, Django's admin included."""
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            yield from routes(pattern, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern) and isinstance(pattern.pattern, RoutePattern):
            route = prefix + str(pattern.pattern)
            if PARAMETER.search(route):
                yield route, pattern


def fill(route: str, values: dict[str, str]) -> str:
    return "/" + PARAMETER.sub(lambda match: values[match.group("name")], route)


def project_cases(world: World) -> list[tuple[str, str, dict[str, str]]]:
    """(route, role, real values) for every project URL with parameters, from the URLs the
    fuzzer already builds for the world, so each parameter starts from a real object."""
    cases = {}
    for endpoint in endpoints(world):
        match = resolve(endpoint.url.split("?")[0])
        if match.kwargs:
            values = {name: str(value) for name, value in match.kwargs.items()}
            cases[match.route] = (match.route, endpoint.role, values)
    return list(cases.values())


def admin_cases(world: World) -> list[tuple[str, str, dict[str, str]]]:
    """Each admin route with a real object of its model (or a plain id)."""
    cases = []
    for route, _pattern in routes():
        if not route.startswith("admin/"):
            continue
        names = [match.group("name") for match in PARAMETER.finditer(route)]
        values = {}
        for name in names:
            if name == "object_id":
                values[name] = str(world.agent.pk)
            elif name == "content_type_id":
                values[name] = "1"
            else:
                values[name] = "1"
        cases.append((route, "superuser", values))
    return cases


def test_every_route_with_a_parameter_is_covered(world):
    """A new URL with a parameter is fuzzed as soon as the world's endpoints name it."""
    covered = {route for route, _, _ in project_cases(world)}
    project = {route for route, _ in routes() if not route.startswith("admin/")}
    assert project - covered == set()


def test_no_malformed_path_parameter_answers_500(world):
    superuser = AdminFactory(organisation=world.org, is_staff=True, is_superuser=True)
    people = {**world.people, "superuser": superuser}
    failures = []
    requests = 0
    for route, role, values in project_cases(world) + admin_cases(world):
        clients = [Client()]
        if role:
            signed_in = Client()
            signed_in.force_login(people[role])
            clients.append(signed_in)
        for name in values:
            for bad in MALFORMED:
                path = fill(route, {**values, name: bad})
                for client in clients:
                    requests += 1
                    try:
                        status = client.get(path).status_code
                    except Exception as error:  # noqa: BLE001 - every failure is listed below
                        failures.append((path[:120], type(error).__name__, str(error)[:120]))
                        continue
                    if status >= 500:
                        failures.append((path[:120], status, ""))
    assert requests > 2000
    assert failures == [], "\n".join(map(str, failures))
