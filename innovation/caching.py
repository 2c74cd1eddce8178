"""Rendered fragments shared between requests, invalidated by what the database writes.

Every cached value is stored with the *generations* of the scopes it was built from (one
counter per scope in the cache: "ideas", "votes", "juries", "rituals", "people",
"notifications"),
and served only while they are still the current ones (one `get_many` fetches both).
A generation changes when a transaction that wrote to a table of its scope commits: the
database connection itself watches every INSERT, UPDATE and DELETE that Django sends
(`watch_writes`), so a queryset `.update()`, a `bulk_create`, raw SQL, the admin, a Celery
task and a management command all invalidate alike; no view or service has to remember to.

Why that is safe:
- A request reads the generations *before* reading the data it renders, and the counter
  moves only *after* the commit. A value built from data older than a write is therefore
  stored with a generation that the write has already made (or is about to make)
  obsolete: nobody is served it again. Within a request, the generations read by the
  first fragment serve the others, and are forgotten on any write of the request's own.
- Whom a value may be shown to is never cached. Keys carry the audience (the person's
  organisations, computed on every request from their live role grants), so a revoked role
  changes the key at once. Cached HTML never holds a CSRF token (`punch_csrf`).
- When the cache cannot be reached the generations are unknown, and everything is built
  afresh: slower, never stale. Values also expire after FRAGMENT_SECONDS, which bounds what
  depends on the clock (a call closing at 18:00, "en retard").
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import transaction
from django.middleware.csrf import get_token
from django.template.loader import get_template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

T = TypeVar("T")

FRAGMENT_SECONDS = 60
GENERATION_PREFIX = "generation:"

# Tables → scope. Session, audit, lockout and cache tables change no page we cache.
_TABLE_SCOPES: tuple[tuple[str, str], ...] = (
    ("ideas_", "ideas"),
    ("juries_", "juries"),
    ("rituals_", "rituals"),
    ("innovation_user", "people"),  # also innovation_user_groups …
    ("innovation_rolegrant", "people"),
    ("innovation_organisation", "people"),
    ("innovation_direction", "people"),
    ("innovation_notification", "notifications"),
)
_WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)
# Logging in stamps last_login, which no page shows: it must not empty every cache.
_LAST_LOGIN_ONLY = re.compile(
    r'^\s*UPDATE\s+"innovation_user"\s+SET\s+"last_login"\s*=\s*%s\s+WHERE'
)
# Votes are the most frequent write of all. They have a scope of their own ("votes"): the
# fragments that show or sort by vote counts depend on it, the others (and the idea lists,
# whose counts are filled in per request) stay valid when someone votes.
VOTE_TABLE = "ideas_vote"
_VOTE_COUNT_ONLY = re.compile(
    r'^\s*UPDATE\s+"ideas_idea"\s+SET\s+"vote_count"\s*=[^,]*?\sWHERE\s', re.IGNORECASE
)

_MISSING = object()


def scopes_written(sql: str) -> frozenset[str]:
    """The scopes a SQL statement writes to (empty for a read)."""
    head = sql.lstrip()[:6].upper()
    if head not in ("INSERT", "UPDATE", "DELETE"):
        return frozenset()
    match = _WRITE.match(sql)
    if match is None:
        return frozenset()
    table = match.group(1).lower()
    if table == "innovation_user" and _LAST_LOGIN_ONLY.match(sql):
        return frozenset()
    if table == VOTE_TABLE or (table == "ideas_idea" and _VOTE_COUNT_ONLY.match(sql)):
        return frozenset({"votes"})
    return frozenset(scope for prefix, scope in _TABLE_SCOPES if table.startswith(prefix))


# --- Generations ------------------------------------------------------------------------------


# Within a request, the generations read first are reused by the page's other fragments
# (one cache round trip instead of one per fragment). Reusing them is as safe as reading them
# again: a fragment then shows the data of the request's start, never older. Any write or
# bump in this thread forgets them, so a page rendered after its own write sees it.
_request = threading.local()


def start_request(**kwargs) -> None:
    """`request_started` receiver."""
    _request.generations = {}


def end_request(**kwargs) -> None:
    """`request_finished` receiver."""
    _request.generations = None


def _forget_request_generations() -> None:
    if getattr(_request, "generations", None):
        _request.generations = {}


def bump(scopes: Iterable[str]) -> None:
    """Make every value built from these scopes obsolete (now: call after the commit)."""
    _forget_request_generations()
    for scope in scopes:
        key = GENERATION_PREFIX + scope
        try:
            cache.incr(key)
        except ValueError:  # not in the cache (first write, or evicted): a fresh value
            cache.set(key, time.time_ns(), None)


def generations(scopes: Iterable[str]) -> tuple[int, ...] | None:
    """The current generation of each scope, or None when the cache cannot tell."""
    return _generations_and(tuple(scopes), None)[0]


def _generations_and(scopes: tuple[str, ...], key: str | None) -> tuple[tuple | None, Any]:
    """The scopes' generations and, in the same cache round trip, the value under `key`
    (_MISSING if absent, or if `key` is None)."""
    keys = [GENERATION_PREFIX + scope for scope in scopes]
    memo = getattr(_request, "generations", None)
    if memo is not None and all(k in memo for k in keys):
        value = _MISSING if key is None else cache.get(key, _MISSING)
        return tuple(memo[k] for k in keys), value
    found = cache.get_many(keys if key is None else [*keys, key])
    value = found.pop(key, _MISSING) if key is not None else _MISSING
    for k in keys:
        if k not in found:
            # Nanoseconds: never equal to a generation a value was stored under before a flush.
            cache.add(k, time.time_ns(), None)
            current = cache.get(k)
            if current is None:
                return None, _MISSING
            found[k] = current
    if memo is not None:
        memo.update(found)
    return tuple(found[k] for k in keys), value


class _PendingBump:
    """One on-commit callback per transaction level, gathering the scopes it wrote to."""

    def __init__(self, scopes: frozenset[str]):
        self.scopes = set(scopes)

    def __call__(self) -> None:
        bump(sorted(self.scopes))


def _schedule(connection, scopes: frozenset[str]) -> None:
    _forget_request_generations()
    blocks = connection.atomic_blocks
    if not connection.in_atomic_block or (blocks and blocks[0]._from_testcase):
        # Autocommit: the row is already committed. Inside a test case's transaction, which
        # never commits, the write is as good as committed for the rest of the test.
        bump(scopes)
        return
    level = set(connection.savepoint_ids)
    for entry in connection.run_on_commit:
        if entry[0] == level and isinstance(entry[1], _PendingBump):
            entry[1].scopes.update(scopes)
            return
    # Registered at this savepoint level, so rolling the savepoint back drops it with the rows.
    transaction.on_commit(_PendingBump(scopes), using=connection.alias)


def watch_writes(execute, sql, params, many, context):
    """Execute wrapper installed on every database connection (InnovationConfig.ready)."""
    result = execute(sql, params, many, context)
    scopes = scopes_written(sql)
    if scopes:
        _schedule(context["connection"], scopes)
    return result


def install_write_watch(sender, connection, **kwargs) -> None:
    """`connection_created` receiver: watch the writes of every new connection."""
    if watch_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(watch_writes)


# --- Cached values and fragments -----------------------------------------------------------


def cached(
    name: str,
    parts: Iterable[Any],
    scopes: Iterable[str],
    build: Callable[[], T],
    timeout: int = FRAGMENT_SECONDS,
) -> T:
    """`build()`, shared between requests until a scope is written to or `timeout` passes.

    `parts` must name everything the value depends on besides the scopes' data: the audience,
    the filters, the page, the person when the value is personal. The language is added."""
    scopes = tuple(scopes)
    digest = hashlib.blake2b(
        repr((tuple(parts), scopes, get_language())).encode(), digest_size=16
    ).hexdigest()
    key = f"fragment:{name}:{digest}"
    # One round trip for the generations and the value, stored with the generations it was
    # built under: it is served only while they are still the current ones.
    current, stored = _generations_and(scopes, key)
    if current is None:
        return build()
    if stored is not _MISSING and stored[0] == current:
        return stored[1]
    value = build()
    cache.set(key, (current, value), timeout)
    return value


CSRF_PLACEHOLDER = "csrf-placeholder-5b0e1f"


def render_fragment(template, context: dict[str, Any]) -> str:
    """Render a template (name or object) for the cache: no request, so no context
    processor, and a placeholder for the CSRF token."""
    if isinstance(template, str):
        template = get_template(template)
    return template.render({**context, "csrf_token": CSRF_PLACEHOLDER})


def punch_csrf(request, html: str) -> SafeString:
    """Put this request's CSRF token where the cached fragment has the placeholder."""
    if CSRF_PLACEHOLDER in html:
        html = html.replace(CSRF_PLACEHOLDER, get_token(request))
    return mark_safe(html)  # noqa: S308 (rendered by our templates, auto-escaped)


_ROW_MARK = re.compile(r"<!--([a-z-]+):(\d+)-->")


def fill_row_marks(html: str, name: str, fill: Callable[[int], str]) -> SafeString:
    """Put each row's personal part where a cached fragment has `<!--name:pk-->` (our own
    markers: auto-escaped user text cannot contain `<!--`); marks of other names are kept."""

    def replace(mark: re.Match) -> str:
        return str(fill(int(mark[2]))) if mark[1] == name else mark[0]

    return mark_safe(_ROW_MARK.sub(replace, html))  # noqa: S308 (our templates, auto-escaped)
