"""The HTML pages of the shared world (tests/world.py) a browser can open, and who opens them.

Built from the two tables the other suites already keep, so that a new page lands in the
crawl (tests/e2e/test_crawl.py) as soon as it lands in them: the concrete URL of each
endpoint comes from tests/hardening/conftest.py (`endpoints`), the person who must get in
from the authorisation matrix (tests/platform/test_authorisation_matrix.py, `MATRIX`).
"""

from __future__ import annotations

from dataclasses import dataclass

from tests.hardening.conftest import endpoints
from tests.platform.test_authorisation_matrix import MATRIX
from tests.world import World

# Named GET URLs that answer something other than an HTML page: files, feeds, JSON, and the
# people picker's fragment (checked inside the pages that hold the picker).
NOT_PAGES = {
    "dashboard_export",
    "audit_export",
    "my_data",
    "people_search",
    "ideas:export",
    "ideas:attachment_download",
    "ideas:mandate_export",
    "juries:board_json",
    "juries:export_scores",
    "juries:export_results",
    "rituals:export",
    "rituals:occurrence_ics",
    "rituals:personal_feed",
    "rituals:ritual_feed",
}

# Everyone of the world's organisation who holds a role or a place in it, once each.
ROLES = (
    "agent",
    "author",
    "manager",
    "director",
    "sponsor",
    "juror",
    "president",
    "delegate",
    "admin",
)


@dataclass(frozen=True)
class Page:
    name: str  # URL name
    url: str  # path and query
    must_open: frozenset[str]  # people (keys of World.people) who must get the page


def pages(world: World) -> list[Page]:
    """Every named HTML page the world can show, with the people who must be let in.

    Anonymous pages (login, password reset) have an empty `must_open`: they are opened
    without a session."""
    found = []
    for endpoint in endpoints(world):
        if not endpoint.get or endpoint.name in NOT_PAGES:
            continue
        people = {endpoint.role} if endpoint.role else set()
        if endpoint.name in MATRIX and endpoint.role:
            people.add(MATRIX[endpoint.name][1])
        found.append(Page(endpoint.name, endpoint.url, frozenset(people)))
    return found
