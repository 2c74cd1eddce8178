"""The home page: what the person has to do now, one block per thing to do, built only for
the roles they hold (read from `user.role_map`, no query), the most urgent first.

Each block comes from a selector of the app that owns its data, which applies that app's
visibility rule; this module only chooses which blocks a person gets and their order."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any

from django.utils import timezone

from ideas import selectors as ideas
from ideas.mandates import selectors as mandates
from innovation.platform import permissions
from innovation.platform.models import Role, User
from juries import selectors as juries
from rituals import selectors as rituals

ROWS = 5
TOP_IDEAS = 10

# The order of the blocks, the most urgent first: what someone else waits for now (a pitch
# on stage, a signature, a follow-up already late), then the inboxes that grow (ideas to
# qualify, mandates to send), then what comes in the next weeks, then what there is to read.
URGENCY = (
    "forums_to_score",  # juror: the pitches are happening
    "signatures",  # anyone asked to sign: the mandate waits for them
    "overdue_followups",  # delegate: late already
    "followups_to_hold",  # agent of a team: late or due within two weeks
    "ideas_to_qualify",  # delegate: authors wait for an answer
    "mandates_in_progress",  # delegate: drafts to send, signatures awaited
    "challenge_answers",  # director
    "breakfasts_to_programme",  # delegate
    "forums_to_prepare",  # delegate
    "direction_mandates",  # director
    "freed_time",  # sponsor, manager
    "my_ideas",  # agent
    "next_breakfast",  # agent
    "open_calls",  # agent
    "top_ideas",  # agent
)


@dataclass(frozen=True)
class Block:
    """One card of the home page: its template is `_home_<key>.html`."""

    key: str
    rows: Sequence[Any]
    total: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def template(self) -> str:
        return f"_home_{self.key}.html"

    @property
    def rank(self) -> int:
        return URGENCY.index(self.key)


@dataclass(frozen=True)
class Home:
    blocks: list[Block]
    # An agent without any idea yet: the page explains the journey in two lines.
    newcomer: bool
    show_organisation: bool


Builder = Callable[[User, datetime.date, datetime.datetime], list[Block]]


def _delegate(user: User, today: datetime.date, now: datetime.datetime) -> list[Block]:
    overdue, overdue_total = mandates.overdue_followups_of(user, today, ROWS)
    to_qualify, to_qualify_total = ideas.ideas_to_qualify(user, ROWS)
    return [
        Block("overdue_followups", overdue, overdue_total),
        Block("ideas_to_qualify", to_qualify, to_qualify_total),
        Block("mandates_in_progress", mandates.mandates_to_send_or_signed(user, ROWS)),
        Block("breakfasts_to_programme", rituals.occurrences_to_programme(user, now, 3)),
        Block("forums_to_prepare", juries.forums_to_prepare(user, today, 3)),
    ]


def _director(user: User, today: datetime.date, now: datetime.datetime) -> list[Block]:
    return [
        Block("challenge_answers", ideas.answers_to_challenges_of(user, ROWS)),
        Block("direction_mandates", mandates.mandates_of_direction(user, ROWS)),
    ]


def _sponsor_or_manager(user: User, today: datetime.date, now: datetime.datetime) -> list[Block]:
    return [Block("freed_time", mandates.freed_time_of_agents(user, ROWS))]


def _juror(user: User, today: datetime.date, now: datetime.datetime) -> list[Block]:
    return [Block("forums_to_score", juries.forums_to_score(user))]


def _agent(user: User, today: datetime.date, now: datetime.datetime) -> list[Block]:
    occurrence = rituals.next_occurrence(user, now)
    return [
        Block("followups_to_hold", mandates.followups_to_hold(user, today, ROWS)),
        Block("my_ideas", ideas.my_ideas_with_news(user, ROWS)),
        Block("next_breakfast", [occurrence] if occurrence else []),
        Block(
            "open_calls",
            ideas.open_campaigns(user, today),
            extra={"challenges": ideas.open_challenges(user, today, ROWS)},
        ),
        Block("top_ideas", ideas.most_supported(user, TOP_IDEAS)),
    ]


# Who gets which blocks. Admins hold every role (`has_role_anywhere`), so they get them all.
ROLE_BLOCKS: tuple[tuple[tuple[str, ...], Builder], ...] = (
    ((Role.DELEGATE,), _delegate),
    ((Role.DIRECTOR,), _director),
    ((Role.SPONSOR, Role.MANAGER), _sponsor_or_manager),
    ((Role.JUROR,), _juror),
    ((Role.AGENT, Role.MANAGER), _agent),
)

# Anyone may be a party to a mandate (agent, manager, sponsor, client director): the
# signatures asked of a person are read for every role but the juror's and delegate's alone.
SIGNING_ROLES = (Role.AGENT, Role.MANAGER, Role.DIRECTOR, Role.SPONSOR)
# Those who know the journey already: the welcome is for agents (and managers) only.
WORKING_ROLES = (Role.DELEGATE, Role.DIRECTOR, Role.SPONSOR, Role.JUROR)


def build_home(user: User) -> Home:
    """The blocks this person gets, non-empty ones only, the most urgent first."""
    today, now = timezone.localdate(), timezone.now()
    blocks: list[Block] = []
    for roles, builder in ROLE_BLOCKS:
        if permissions.has_role_anywhere(user, *roles):
            blocks.extend(builder(user, today, now))
    if permissions.has_role_anywhere(user, *SIGNING_ROLES):
        blocks.append(Block("signatures", mandates.pending_signatures(user)))
    my_ideas = next((b for b in blocks if b.key == "my_ideas"), None)
    newcomer = (
        my_ideas is not None
        and not my_ideas.rows
        and not permissions.has_role_anywhere(user, *WORKING_ROLES)
    )
    shown = sorted(
        (b for b in blocks if b.rows or b.extra.get("challenges")), key=attrgetter("rank")
    )
    return Home(
        blocks=shown,
        newcomer=newcomer,
        show_organisation=len(permissions.member_organisation_ids(user)) > 1,
    )
