"""What the idea pages need, each in a fixed number of queries."""

from __future__ import annotations

from functools import cache

from django.db import connections
from django.db.models import Count, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from ideas import permissions
from ideas.models import (
    Attachment,
    Campaign,
    Comment,
    Idea,
    IdeaEvent,
    Vote,
)
from ideas.pipeline import BOARD_STATES, EXIT_STATES
from innovation.models import Organisation, User

LIST_RELATED = ("organisation", "direction", "author", "theme", "campaign")
# Long texts and the search vector: several kilobytes a row that lists and boards never show.
LIST_DEFERRED = ("irritant", "proposal", "expected_impact", "search_vector")


def idea_list(user: User) -> QuerySet[Idea]:
    """Public ideas the person may see, ready for a table."""
    return (
        permissions.visible_ideas(user)
        .exclude(state=Idea.State.DRAFT)
        .select_related(*LIST_RELATED)
    )


# What a row of the idea table shows, and nothing else (the cached list is built from these).
LIST_COLUMNS = (
    "title",
    "state",
    "vote_count",
    "comment_count",
    "submitted_at",
    "organisation__name",
    "organisation__short_name",
    "direction__name",
    "theme__name",
    "author__first_name",
    "author__last_name",
    "author__email",
)
BOARD_COLUMNS = (
    "title",
    "state",
    "vote_count",
    "updated_at",
    "organisation__name",
    "organisation__short_name",
    "theme__name",
    "author__first_name",
    "author__last_name",
    "author__email",
)


def public_list(user: User) -> QuerySet[Idea]:
    """The ideas the person sees as a member, their own aside (never a draft): the same for
    everybody of the same organisations, so what is built from it can be shared."""
    return Idea.objects.filter(permissions.public_ideas_condition(user))


def has_own_ideas_outside(user: User) -> bool:
    """Whether the person's idea list holds more than public_list: a non-draft idea they
    (co-)wrote that their organisations do not see (an idea of an organisation they left,
    or co-written with another one). One query over their own ideas only."""
    own = Idea.objects.filter(permissions.own_ideas_condition(user)).exclude(state=Idea.State.DRAFT)
    # `pk NOT IN (…)` rather than excluding the public condition itself: negated, its
    # `campaign_id = ANY(…)` is NULL for an idea without campaign and would hide it.
    seen_anyway = own.filter(permissions.public_ideas_condition(user)).values("pk")
    return own.exclude(pk__in=seen_anyway).exists()


def list_rows(queryset: QuerySet[Idea]) -> QuerySet[Idea]:
    """Only the columns a row of the idea table shows."""
    return (
        queryset.select_related(None)
        .select_related("organisation", "direction", "theme", "author")
        .only(*LIST_COLUMNS)
    )


# What the permission checks and the personal parts of the idea page read (attribute names).
CHECK_FIELDS = (
    "id",
    "title",
    "state",
    "support",
    "organisation_id",
    "author_id",
    "campaign_id",
    "vote_count",
    "comment_count",
)
# The co-authors' columns the page's shared part shows (their names).
COAUTHOR_FIELDS = ("id", "email", "first_name", "last_name")


@cache
def _check_sql() -> tuple[str, list[str], list[str]]:
    """The one statement of idea_for_checks, and the attribute names of the idea's and of a
    co-author's columns, in the order of the models' fields (the order `from_db` expects)."""
    idea_fields = [f.attname for f in Idea._meta.concrete_fields if f.attname in CHECK_FIELDS]
    user_fields = [f.attname for f in User._meta.concrete_fields if f.attname in COAUTHOR_FIELDS]
    idea_columns = ", ".join(f"i.{name}" for name in idea_fields)
    user_columns = ", ".join(f"u.{name}" for name in user_fields)
    # The other kinds of row put their id in the first co-author column (the user's id), NULL
    # in the others.
    nulls = ", NULL" * (len(user_fields) - 1)
    # One row for an idea with nothing attached, else one per co-author (kind 1, in the users'
    # own order: last name, first name), one per organisation of its campaign (2), and one
    # each if the person votes for it (3), follows it (4), if it has a mandate (5). Plain SQL,
    # for PostgreSQL and SQLite alike: through the ORM, compiling the annotations and the
    # prefetch took several times as long as running them.
    sql = f"""
        SELECT {idea_columns}, x.kind, {", ".join(f"x.{name}" for name in user_fields)}
        FROM ideas_idea i
        LEFT JOIN (
            SELECT 1 AS kind, {user_columns}
            FROM ideas_idea_coauthors c JOIN innovation_user u ON u.id = c.user_id
            WHERE c.idea_id = %(pk)s
            UNION ALL
            SELECT 2, o.organisation_id{nulls}
            FROM ideas_idea ci
            JOIN ideas_campaign_organisations o ON o.campaign_id = ci.campaign_id
            WHERE ci.id = %(pk)s
            UNION ALL
            SELECT 3, v.voter_id{nulls} FROM ideas_vote v
            WHERE v.idea_id = %(pk)s AND v.voter_id = %(user)s
            UNION ALL
            SELECT 4, f.user_id{nulls} FROM ideas_follow f
            WHERE f.idea_id = %(pk)s AND f.user_id = %(user)s
            UNION ALL
            SELECT 5, mi.id{nulls} FROM ideas_idea mi
            WHERE mi.id = %(pk)s
            AND EXISTS(SELECT 1 FROM ideas_mandate m WHERE m.idea_id = %(pk)s)
        ) x ON 1 = 1
        WHERE i.id = %(pk)s
        ORDER BY x.kind, x.last_name, x.first_name
    """
    return sql, idea_fields, user_fields


def _as_prefetched(instance, name: str, objects: list) -> None:
    """Leave on `instance` what `prefetch_related(name)` would have left."""
    queryset = getattr(instance, name).all()
    queryset._result_cache = objects
    queryset._prefetch_done = True
    if not hasattr(instance, "_prefetched_objects_cache"):
        instance._prefetched_objects_cache = {}
    instance._prefetched_objects_cache[name] = queryset


def idea_for_checks(user: User, pk: int) -> Idea:
    """One visible idea, or a 404, with what the permission checks of its page read (its
    co-authors, its campaign's organisations), whether the person votes for and follows it
    (`my_vote`, `my_follow`) and whether it has any mandate (`has_mandates`, whoever may see
    it). Visibility is `permissions.can_view_idea` on the loaded row: the same rule as
    `visible_ideas`, without compiling its subqueries on every request. One query, of the
    CHECK_FIELDS only: the page's shared parts read the rest (idea_for_display) only when
    they are not cached."""
    sql, idea_fields, user_fields = _check_sql()
    db = Idea.objects.db
    with connections[db].cursor() as cursor:
        cursor.execute(sql, {"pk": pk, "user": user.pk})
        rows = cursor.fetchall()
    if not rows:
        raise Http404
    idea = Idea.from_db(db, idea_fields, rows[0][: len(idea_fields)])
    attached = len(idea_fields)  # the column of the kind of row
    kinds = {row[attached] for row in rows}
    idea.my_vote = 3 in kinds
    idea.my_follow = 4 in kinds
    idea.has_mandates = 5 in kinds
    coauthors = [
        User.from_db(db, user_fields, row[attached + 1 :]) for row in rows if row[attached] == 1
    ]
    _as_prefetched(idea, "coauthors", coauthors)
    if idea.campaign_id is not None:
        campaign = Campaign.from_db(db, ["id"], [idea.campaign_id])
        organisations = [
            Organisation.from_db(db, ["id"], [row[attached + 1]])
            for row in rows
            if row[attached] == 2
        ]
        _as_prefetched(campaign, "organisations", organisations)
        Idea._meta.get_field("campaign").set_cached_value(idea, campaign)
    if not permissions.can_view_idea(user, idea):
        raise Http404
    return idea


def idea_for_display(pk: int) -> Idea:
    """The idea with what its page shows (call after the visibility check)."""
    return Idea.objects.select_related(*LIST_RELATED, "challenge").defer("search_vector").get(pk=pk)


def attachments_for_page(idea: Idea) -> list[Attachment]:
    return list(idea.attachments.all())


def idea_for_page(user: User, pk: int) -> Idea:
    """One visible idea with everything its page shows, or a 404."""
    queryset = (
        permissions.visible_ideas(user)
        .select_related(*LIST_RELATED, "challenge")
        .prefetch_related("coauthors", "attachments", "campaign__organisations")
    )
    return get_object_or_404(queryset, pk=pk)


def comments_for_page(idea: Idea) -> list[Comment]:
    return list(idea.comments.select_related("author"))


def history_for_page(idea: Idea) -> list[IdeaEvent]:
    return list(idea.events.select_related("actor"))


def row_votes(user: User, ids: list[int]) -> dict[int, tuple[int, bool]]:
    """For each of these idea ids: its vote count now, and whether the person voted for it
    (one query, none without ids). The cached idea lists leave both to each request, so
    that a vote, the most frequent write, does not outdate them."""
    if not ids:
        return {}
    placeholders = ", ".join(["%s"] * len(ids))
    ideas, votes = Idea._meta.db_table, Vote._meta.db_table
    with connections[Idea.objects.db].cursor() as cursor:
        cursor.execute(
            f"SELECT i.id, i.vote_count, EXISTS(SELECT 1 FROM {votes} v "
            f"WHERE v.idea_id = i.id AND v.voter_id = %s) "
            f"FROM {ideas} i WHERE i.id IN ({placeholders})",
            [user.pk, *ids],
        )
        return {pk: (count, bool(voted)) for pk, count, voted in cursor.fetchall()}


def pipeline_ideas(user: User) -> QuerySet[Idea]:
    """Ideas of the organisations where the person runs the pipeline."""
    return Idea.objects.filter(organisation__in=permissions.pipeline_organisation_ids(user))


def board(queryset: QuerySet[Idea], per_state: int) -> dict:
    """Columns of the board: the most recent cards of each state, and every state's count."""
    counts = dict(
        queryset.exclude(state=Idea.State.DRAFT)
        .values_list("state")
        .annotate(n=Count("pk"))
        .values_list("state", "n")
    )
    # One query: per state, the `per_state` most recent cards (UNION ALL of LIMITed parts,
    # each read from the (state, -updated_at) index), rather than ranking every idea of the
    # pipeline with a window function.
    cards_of = queryset.select_related("organisation", "author", "theme").only(*BOARD_COLUMNS)
    parts = [
        cards_of.filter(state=state).order_by("-updated_at", "-pk")[:per_state]
        for state in BOARD_STATES
    ]
    cards: dict[str, list[Idea]] = {state: [] for state in BOARD_STATES}
    if connections[queryset.db].features.supports_slicing_ordering_in_compound:
        rows = parts[0].union(*parts[1:], all=True)
    else:  # SQLite (the demo): no LIMIT inside a UNION, one query per column
        rows = (idea for part in parts for idea in part)
    for idea in rows:
        cards[idea.state].append(idea)
    for state_cards in cards.values():
        state_cards.sort(key=lambda idea: (idea.updated_at, idea.pk), reverse=True)
    columns = [
        {
            "state": state,
            "label": Idea.State(state).label,
            "count": counts.get(state, 0),
            "ideas": cards[state],
        }
        for state in BOARD_STATES
    ]
    exits = [
        {"state": state, "label": Idea.State(state).label, "count": counts.get(state, 0)}
        for state in EXIT_STATES
    ]
    return {"columns": columns, "exits": exits}


def campaign_ideas(user: User, campaign_id: int) -> QuerySet[Idea]:
    return idea_list(user).filter(campaign_id=campaign_id)
