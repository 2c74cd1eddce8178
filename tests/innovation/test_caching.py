import socket
import time

import pytest
from django.db import connection, transaction
from django.template import engines
from django.test import RequestFactory

from ideas.models import Idea
from innovation import caching
from innovation.cache_backends import FailSoftRedisCache
from innovation.models import User
from tests.factories import AgentFactory, IdeaFactory


@pytest.mark.parametrize(
    ("sql", "scopes"),
    [
        ('SELECT "ideas_idea"."id" FROM "ideas_idea"', set()),
        ('INSERT INTO "ideas_vote" ("idea_id") VALUES (%s)', {"votes"}),
        ('DELETE FROM "ideas_vote" WHERE "ideas_vote"."id" IN (%s)', {"votes"}),
        (
            'UPDATE "ideas_idea" SET "vote_count" = ("ideas_idea"."vote_count" + %s) '
            'WHERE "ideas_idea"."id" = %s',
            {"votes"},
        ),
        (
            'UPDATE "ideas_idea" SET "vote_count" = %s, "state" = %s WHERE "ideas_idea"."id" = %s',
            {"ideas"},
        ),
        ('UPDATE "ideas_idea" SET "comment_count" = %s WHERE "id" = %s', {"ideas"}),
        ('INSERT INTO "ideas_votelog" ("idea_id") VALUES (%s)', {"ideas"}),
        ('DELETE FROM "juries_score" WHERE "id" = %s', {"juries"}),
        ("  insert into rituals_registration (id) values (1)", {"rituals"}),
        ('UPDATE "innovation_user" SET "first_name" = %s WHERE "id" = %s', {"people"}),
        ('UPDATE "innovation_user" SET "last_login" = %s WHERE "innovation_user"."id" = %s', set()),
        ('UPDATE "innovation_rolegrant" SET "role" = %s', {"people"}),
        ('INSERT INTO "innovation_notification" ("kind") VALUES (%s)', {"notifications"}),
        ('INSERT INTO "django_session" ("session_key") VALUES (%s)', set()),
        ('INSERT INTO "innovation_auditevent" ("action") VALUES (%s)', set()),
    ],
)
def test_scopes_written_reads_the_table_of_each_write(sql, scopes):
    assert caching.scopes_written(sql) == scopes


@pytest.mark.django_db
def test_a_queryset_update_moves_the_generation_without_any_signal():
    idea = IdeaFactory()
    before = caching.generations(["ideas", "people"])
    Idea.objects.filter(pk=idea.pk).update(title="Autre titre")
    after = caching.generations(["ideas", "people"])
    assert after[0] != before[0]
    assert after[1] == before[1]


@pytest.mark.django_db
def test_a_vote_moves_the_votes_generation_only():
    from ideas import services
    from tests.factories import AgentFactory

    idea = IdeaFactory(state=Idea.State.SUBMITTED)
    voter = AgentFactory(organisation=idea.organisation)
    before = caching.generations(["ideas", "votes"])

    assert services.cast_vote(idea, voter=voter)

    after = caching.generations(["ideas", "votes"])
    assert after[0] == before[0]  # idea lists, board columns… stay valid
    assert after[1] != before[1]


@pytest.mark.django_db
def test_logging_in_does_not_empty_every_cache(client):
    user = User.objects.create_user(email="a@example.org", password="x-Secret-42")
    before = caching.generations(["people"])
    client.login(email="a@example.org", password="x-Secret-42")
    user.refresh_from_db()
    assert user.last_login is not None
    assert caching.generations(["people"]) == before


@pytest.mark.django_db
def test_cached_builds_once_then_again_after_a_write():
    idea = IdeaFactory(title="Avant")
    calls = []

    def build():
        calls.append(1)
        return Idea.objects.get(pk=idea.pk).title

    assert caching.cached("t", [1], ["ideas"], build) == "Avant"
    assert caching.cached("t", [1], ["ideas"], build) == "Avant"
    assert len(calls) == 1
    assert caching.cached("t", [2], ["ideas"], build) == "Avant"  # other parts, other value
    assert len(calls) == 2
    Idea.objects.filter(pk=idea.pk).update(title="Après")
    assert caching.cached("t", [1], ["ideas"], build) == "Après"


@pytest.mark.django_db(transaction=True)
def test_the_generation_moves_when_the_transaction_commits_not_before():
    idea = IdeaFactory()
    before = caching.generations(["ideas"])
    with transaction.atomic():
        Idea.objects.filter(pk=idea.pk).update(comment_count=3)
        assert caching.generations(["ideas"]) == before  # readers still see the old rows
    assert caching.generations(["ideas"]) != before


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_write_moves_nothing_and_a_savepoint_keeps_the_outer_writes():
    idea = IdeaFactory()
    before = caching.generations(["ideas", "rituals"])
    with pytest.raises(RuntimeError), transaction.atomic():
        Idea.objects.filter(pk=idea.pk).update(comment_count=3)
        raise RuntimeError
    assert caching.generations(["ideas", "rituals"]) == before

    with transaction.atomic():
        Idea.objects.filter(pk=idea.pk).update(comment_count=4)
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("UPDATE rituals_ritual SET title = title")
                raise RuntimeError
        except RuntimeError:
            pass
    after = caching.generations(["ideas", "rituals"])
    assert after[0] != before[0]  # the outer write committed
    assert after[1] == before[1]  # the savepoint's write was rolled back


def test_cached_html_holds_a_placeholder_and_each_request_gets_its_own_token():
    template = engines["django"].from_string('<form method="post">{% csrf_token %}</form>')
    html = caching.render_fragment(template, {})
    assert caching.CSRF_PLACEHOLDER in html
    first, second = RequestFactory().get("/"), RequestFactory().get("/")
    punched = caching.punch_csrf(first, html), caching.punch_csrf(second, html)
    assert caching.CSRF_PLACEHOLDER not in punched[0]
    assert punched[0] != punched[1]  # two sessions, two tokens: nothing shared


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_an_unreachable_redis_is_a_miss_answered_at_once():
    FailSoftRedisCache.resume()
    backend = FailSoftRedisCache(f"redis://127.0.0.1:{_closed_port()}/0", {})
    started = time.monotonic()
    assert backend.get("k", "default") == "default"
    assert backend.get_many(["a", "b"]) == {}
    assert backend.add("k", 1) is False
    backend.set("k", 1)
    assert backend.incr("k") == 0
    assert time.monotonic() - started < 1
    FailSoftRedisCache.resume()


@pytest.mark.django_db
def test_without_a_cache_every_value_is_built_afresh(settings):
    FailSoftRedisCache.resume()
    settings.CACHES = {
        "default": {
            "BACKEND": "innovation.cache_backends.FailSoftRedisCache",
            "LOCATION": f"redis://127.0.0.1:{_closed_port()}/0",
        }
    }
    calls = []
    assert caching.generations(["ideas"]) is None
    caching.cached("t", [], ["ideas"], lambda: calls.append(1))
    caching.cached("t", [], ["ideas"], lambda: calls.append(1))
    assert len(calls) == 2
    FailSoftRedisCache.resume()


@pytest.fixture
def silent_redis():
    """A server that accepts connections and never answers, as a hung Redis does."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    server.close()


@pytest.mark.django_db
def test_pages_answer_at_once_when_the_cache_hangs(client, settings, silent_redis, organisation):
    FailSoftRedisCache.resume()
    settings.CACHES = {
        "default": {
            "BACKEND": "innovation.cache_backends.FailSoftRedisCache",
            "LOCATION": silent_redis,
        }
    }
    IdeaFactory(organisation=organisation, state=Idea.State.SUBMITTED, title="Toujours là")
    client.force_login(AgentFactory(organisation=organisation))
    started = time.monotonic()
    first = client.get("/")
    first_seconds = time.monotonic() - started
    started = time.monotonic()
    second = client.get("/")
    second_seconds = time.monotonic() - started
    assert first.status_code == second.status_code == 200
    assert "Toujours là" in second.content.decode()
    assert first_seconds < 1.5  # one bounded wait, then the process stops asking
    assert second_seconds < 0.8  # without the pause: 0.25 s for each of its cache calls
    FailSoftRedisCache.resume()


@pytest.mark.django_db
def test_a_request_reads_the_generations_once_and_again_after_its_own_write():
    from django.core.cache import cache

    caching.start_request()
    try:
        first = caching.generations(["ideas"])
        cache.incr(caching.GENERATION_PREFIX + "ideas")  # another process's commit
        assert caching.generations(["ideas"]) == first  # the page stays as of its start

        IdeaFactory()  # this request's own write

        after_write = caching.generations(["ideas"])
        assert after_write != first
        assert after_write == (cache.get(caching.GENERATION_PREFIX + "ideas"),)
    finally:
        caching.end_request()
    cache.incr(caching.GENERATION_PREFIX + "ideas")
    assert caching.generations(["ideas"]) != after_write  # no memo outside a request
