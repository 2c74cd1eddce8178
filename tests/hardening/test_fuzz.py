"""Bad input at scale: hypothesis throws generated input at every form and every query string.

Every named URL of the project (Django's admin aside) is built for the shared world holding one
of everything (tests/world.py; the URLs: tests/hardening/conftest.py) and used as the person it
is meant for. GET pages get fuzzed query strings: the keys of their GET forms, the keys they
are known to read, `page`, and random keys. POST endpoints get fuzzed forms: the field names are
read from the rendered HTML form that targets them (on their own page, or on the page that
shows their button), and each field is either left out, given one generated value, or given a
list of them. Generated values: any unicode text (control characters, NUL, right-to-left marks,
emoji), huge strings, numbers out of every range, invalid dates and times, and the form's own
valid values.

Checked for every request: the answer is below 500 (the test client re-raises any exception).
Checked for every POST that did not redirect (the form came back with errors, or a 4xx): no
application table changed at all (a digest of every row, audit trail and sessions aside), so
nothing was half-saved.
"""

import os
from urllib.parse import urlsplit

import pytest
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tests.hardening.conftest import (
    Endpoint,
    data_fingerprint,
    endpoints,
    forms_in,
    named_urls,
    url_name,
)

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "20"))

SPECIAL = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\r\n",
    "\u202egnp.exe",
    "0",
    "-1",
    "1.5",
    "1e309",
    "NaN",
    "-inf",
    "9" * 30,
    str(2**63),
    str(-(2**63) - 1),
    "2024-02-30",
    "0000-00-00",
    "9999-12-31",
    "10000-01-01",
    "31/12/2024",
    "25:61",
    "2024-13-01T25:00",
    "true",
    "on",
    "null",
    "[]",
    "{}",
    "../../etc/passwd",
    "'; DROP TABLE ideas_idea; --",
    "%00",
    "<script>alert(1)</script>",
    "😀" * 50,
    "x" * 70_000,
]


def values_for(known: list[str]):
    single = st.one_of(
        st.sampled_from(SPECIAL),
        st.text(max_size=300),
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        st.sampled_from(known) if known else st.nothing(),
    )
    return st.one_of(
        st.none(),  # the field is left out
        single,
        st.lists(single, min_size=2, max_size=3),
    )


def fuzzed(fields: dict[str, list[str]]):
    keys = sorted(fields)
    return st.tuples(*[values_for(fields[key]) for key in keys]).map(
        lambda values: {k: v for k, v in zip(keys, values, strict=True) if v is not None}
    )


def client_for(world, endpoint: Endpoint) -> Client:
    client = Client()
    if endpoint.role:
        client.force_login(world.people[endpoint.role])
    return client


def get_forms(client: Client, endpoint: Endpoint):
    page = endpoint.form_on or endpoint.url
    response = client.get(page)
    assert response.status_code == 200, (endpoint.name, page, response.status_code)
    return forms_in(response.content.decode(), page)


def post_fields(client: Client, endpoint: Endpoint) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for form in get_forms(client, endpoint):
        if form.method == "post" and form.action == urlsplit(endpoint.url).path:
            for name, known in form.fields.items():
                fields.setdefault(name, []).extend(known)
    fields.pop("csrfmiddlewaretoken", None)
    return fields


def query_fields(client: Client, endpoint: Endpoint) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {key: [] for key in ("page", *endpoint.query)}
    response = client.get(endpoint.url)
    if response.status_code == 200 and "html" in response.get("Content-Type", ""):
        for form in forms_in(response.content.decode(), endpoint.url):
            if form.method == "get":
                for name, known in form.fields.items():
                    fields.setdefault(name, []).extend(known)
    return fields


FUZZ = hypothesis_settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)


def fuzz_query(client: Client, endpoint: Endpoint, fields: dict[str, list[str]]) -> None:
    @FUZZ
    @given(
        query=fuzzed(fields),
        extra=st.dictionaries(st.text(min_size=1, max_size=20), st.text(max_size=50), max_size=2),
    )
    def run(query, extra):
        response = client.get(endpoint.url, {**extra, **query})
        assert response.status_code < 500

    run()


def fuzz_post(client: Client, endpoint: Endpoint, fields: dict[str, list[str]]) -> None:
    @FUZZ
    @given(data=fuzzed(fields))
    def run(data):
        before = data_fingerprint()
        response = client.post(endpoint.url, data)
        assert response.status_code < 500
        if response.status_code != 302:
            assert data_fingerprint() == before, "changed data yet answered without redirect"

    run()


# POST forms that are a bare button (nothing to fuzz but the request itself).
NO_FIELDS = {
    "logout",
    "juries:accompany",
    "rituals:calendar",
    "ideas:mandate_send",
    "ideas:coauthor_leave",
    "juries:criterion_delete",
    "juries:juror_delete",
    "juries:pitch_withdraw",
    "juries:publish",
    "person_pseudonymise",
}


@pytest.mark.django_db
def test_every_named_url_is_in_the_fuzzed_world(world):
    covered = {endpoint.name for endpoint in endpoints(world)}

    assert named_urls() - covered == set()
    assert {url_name(endpoint.url) for endpoint in endpoints(world)} == covered


@pytest.mark.django_db
def test_every_page_answers_its_user_without_error(world):
    failures = []
    for endpoint in endpoints(world):
        if endpoint.get:
            status = client_for(world, endpoint).get(endpoint.url).status_code
            if status >= 400:
                failures.append((endpoint.name, status))

    assert failures == []


def group(prefix: str):
    return pytest.param(prefix, id=prefix or "innovation")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "prefix",
    [group("ideas:mandate"), group("ideas:"), group("juries:"), group("rituals:"), group("")],
)
def test_no_generated_input_makes_a_page_fail_or_half_save(world, prefix, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
    chosen = [
        e
        for e in endpoints(world)
        if (e.name.startswith(prefix) if prefix else ":" not in e.name)
        and not (prefix == "ideas:" and e.name.startswith("ideas:mandate"))
        and not (prefix == "ideas:" and e.name == "ideas:followup_record")
        or (prefix == "ideas:mandate" and e.name == "ideas:followup_record")
    ]
    assert chosen
    # Read every form first: a successful fuzzed POST (a pitch withdrawn, a criterion deleted)
    # may remove the button of a later endpoint from its page.
    plans = []
    for endpoint in chosen:
        client = client_for(world, endpoint)
        query = query_fields(client, endpoint) if endpoint.get else None
        fields = post_fields(client, endpoint) if endpoint.post else None
        assert fields or not endpoint.post or endpoint.name in NO_FIELDS, endpoint.name
        plans.append((endpoint, client, query, fields))
    for endpoint, client, query, fields in plans:
        try:
            if query is not None:
                fuzz_query(client, endpoint, query)
            if fields is not None:
                fuzz_post(client, endpoint, fields)
        except Exception as error:
            error.add_note(f"endpoint: {endpoint.name} {endpoint.url} as {endpoint.role}")
            raise
