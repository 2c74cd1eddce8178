"""What the forum pages need, each in a fixed number of queries."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from django.db import connections
from django.db.models import (
    Exists,
    FilteredRelation,
    OuterRef,
    Prefetch,
    Q,
    prefetch_related_objects,
)
from django.http import Http404

from innovation.platform.models import Organisation, RoleGrant, User
from juries import permissions
from juries import results as scoring
from juries.models import (
    Criterion,
    Forum,
    ForumEvent,
    Juror,
    JurorNote,
    Pitch,
    Recusal,
    Score,
)

# A juror as the page loaded it (with or without annotations).
JurorT = TypeVar("JurorT", bound=Juror)


def forum_access(user: User, pk: int) -> permissions.ForumAccess:
    """One forum through `permissions.visible_forums`, or a 404, with what the person is to it
    (`permissions.ForumAccess`: their seat on its jury, the participants they represent as a
    delegate), in one query. Every check of the page then reads that."""
    if not user.is_authenticated:
        raise Http404
    delegated = sorted(permissions.delegated_organisation_ids(user))
    participants = Forum.organisations.through.objects.filter(forum=OuterRef("pk"))
    # One flag per organisation the person is a delegate of (one, most often; none for
    # agents and jurors), rather than a row per participant.
    represents = {
        f"represents_{organisation_id}": Exists(participants.filter(organisation=organisation_id))
        for organisation_id in delegated
    }
    found = list(
        permissions.visible_forums(user)
        .filter(pk=pk)
        .annotate(seat=FilteredRelation("jurors", condition=Q(jurors__user=user)), **represents)
        .select_related("seat")  # type: ignore[misc]  # the FilteredRelation just above
        .order_by()[:1]
    )
    if not found:
        raise Http404
    forum = found[0]
    represented = {pk for pk in delegated if getattr(forum, f"represents_{pk}")}
    # Without a seat, the joined row is empty and Django leaves `seat` unset.
    seat = getattr(forum, "seat", None)
    return permissions.ForumAccess(user, forum, seat, frozenset(represented))


def programme(forum: Forum) -> list[Pitch]:
    """Pitches in order of passage (the columns of `room_programme`), each with its slot time
    (`pitch.slot`)."""
    pitches = room_programme(forum)
    start = datetime.datetime.combine(forum.date, forum.starts_at)
    for index, pitch in enumerate(pitches):
        pitch.slot = (start + datetime.timedelta(minutes=index * forum.slot_minutes)).time()  # type: ignore[attr-defined]  # an attribute for the page, not a field
    return pitches


# What the room pages (scoring, live board, results) show of a pitch: its title and its
# organisation, not the idea's text and author.
ROOM_PITCH_FIELDS = (
    "id",
    "forum_id",
    "position",
    "organisation_id",
    "laureate",
    "laureate_reason",
    "idea__title",
    "idea__state",  # the palmarès tells which laureates wait for accompaniment
    "organisation__name",
    "organisation__short_name",
)


def room_programme(forum: Forum) -> list[Pitch]:
    """Pitches in order of passage, with only the columns the room pages display."""
    return list(
        Pitch.objects.filter(forum_id=forum.pk)
        .select_related("idea", "organisation")
        .only(*ROOM_PITCH_FIELDS)
        .order_by("position", "id")
    )


# What the jury list and the live board show of a juror (their name, their organisation's) and
# what their conflicts of interest are read from (`permissions.conflicts`).
JUROR_FIELDS = (
    "id",
    "forum_id",  # the related manager reads it, deferred it would cost a query per row
    "organisation_id",
    "user__id",
    "user__organisation_id",
    "user__first_name",
    "user__last_name",
    "user__email",
    "organisation__name",
    "organisation__short_name",
)


def _with_grants(forum: Forum, jurors: Sequence[JurorT]) -> Sequence[JurorT]:
    """Each juror with their role grants as (organisation id, role) pairs (`juror.grants`), for
    `permissions.conflicts`: one query for the whole jury, and no model instance per grant
    (a hundred of them weighed on the live board)."""
    grants: dict[int, list[tuple[int, str]]] = {}
    rows = RoleGrant.objects.filter(user__juror_seats__forum=forum).values_list(
        "user_id", "organisation_id", "role"
    )
    for user_id, organisation_id, role in rows:
        grants.setdefault(user_id, []).append((organisation_id, role))
    for juror in jurors:
        juror.grants = grants.get(juror.user_id, [])  # type: ignore[attr-defined]  # an attribute for the page, not a field
    return jurors


def jury(forum: Forum) -> list[Juror]:
    """The jurors, each with their role grants (`juror.grants`, for the conflicts of interest)
    and their recusals (`juror.recusal_list`, each with its pitch's title): three queries."""
    jurors = list(
        forum.jurors.select_related("user", "organisation")
        .only(*JUROR_FIELDS, "is_president", "college")
        .prefetch_related(
            Prefetch(
                "recusals",
                queryset=Recusal.objects.select_related("pitch__idea").only(
                    "id",
                    "juror_id",
                    "pitch_id",
                    "reason",
                    "created_at",
                    "pitch__id",
                    "pitch__idea__id",
                    "pitch__idea__title",
                ),
                # A list per juror: filling each juror's `recusals` manager instead cloned a
                # queryset per juror, which took longer than the query.
                to_attr="recusal_list",
            ),
        )
    )
    return list(_with_grants(forum, jurors))


def criteria(forum: Forum) -> list[Criterion]:
    return list(forum.criteria.all())


def forum_history(forum: Forum) -> list[ForumEvent]:
    """The forum's changes of stage, oldest first, each with who made it: one query."""
    return list(
        ForumEvent.objects.filter(forum_id=forum.pk)
        .select_related("actor")
        .only(
            "id",
            "forum_id",
            "before",
            "after",
            "reason",
            "created_at",
            "actor__id",
            "actor__first_name",
            "actor__last_name",
            "actor__email",
        )
        .order_by("created_at", "id")
    )


@dataclass
class ResultRow:
    pitch: Pitch
    rank: int
    raw: float | None
    normalised: float | None
    juror_count: int
    tie_broken_by_order: bool
    # The jurors who withdrew from the pitch (their marks were deleted, none is counted).
    recusals: list[Recusal] = field(default_factory=list)


def computed_results(
    forum: Forum, pitch_ids: list[int], grid: list[Criterion], colleges: dict[int, str]
) -> list[scoring.PitchResult]:
    """The ranking's numbers, by pitch id (one query: the marks)."""
    # The marks come unordered (Score's default ordering would join pitches and criteria
    # only to sort) and are put in order here: pitch, then criterion, each in the order of
    # `pitch_ids` and `grid`, so that the sums always add up in the same order. Bucketed
    # rather than sorted: a forum has thousands of marks.
    buckets: dict[tuple[int, int], list] = {
        (pitch_id, criterion.pk): [] for pitch_id in pitch_ids for criterion in grid
    }
    for row in (
        Score.objects.filter(forum=forum)
        .order_by()
        .values_list("juror_id", "pitch_id", "criterion_id", "value")
    ):
        buckets[row[1], row[2]].append(row)
    marks = [scoring.Mark(*row) for bucket in buckets.values() for row in bucket]
    return scoring.compute(
        marks=marks,
        weights={criterion.pk: float(criterion.weight) for criterion in grid},
        pitch_order=pitch_ids,
        colleges=colleges,
        college_weights=forum.college_weights(),
    )


def result_rows(
    pitches: list[Pitch],
    computed: list[scoring.PitchResult],
    recusals: dict[int, list[Recusal]] | None = None,
) -> list[ResultRow]:
    """The computed ranking joined with the pitches it ranks (and their recusals)."""
    by_id = {pitch.pk: pitch for pitch in pitches}
    recusals = recusals or {}
    return [
        ResultRow(
            pitch=by_id[row.pitch],
            rank=row.rank,
            raw=row.raw,
            normalised=row.normalised,
            juror_count=row.juror_count,
            tie_broken_by_order=row.tie_broken_by_order,
            recusals=recusals.get(row.pitch, []),
        )
        for row in computed
    ]


def results_from(
    forum: Forum, pitches: list[Pitch], grid: list[Criterion], jurors: list[Juror]
) -> list[ResultRow]:
    """Results of the forum (two queries: the marks, the recusals), from rows already
    loaded."""
    colleges = {juror.pk: juror.college for juror in jurors}
    computed = computed_results(forum, [pitch.pk for pitch in pitches], grid, colleges)
    return result_rows(pitches, computed, recusals_by_pitch(forum))


def results(forum: Forum) -> list[ResultRow]:
    """Results in ranking order (five queries: the jurors' colleges, the pitches, the grid,
    the marks, the recusals)."""
    jurors = list(forum.jurors.only("id", "forum_id", "college"))
    return results_from(forum, room_programme(forum), criteria(forum), jurors)


def recusals_by_pitch(forum: Forum) -> dict[int, list[Recusal]]:
    """Who withdrew from each pitch (their names, the reason they gave), in one query."""
    by_pitch: dict[int, list[Recusal]] = {}
    recusals = (
        Recusal.objects.filter(forum_id=forum.pk)
        .select_related("juror__user")
        .only(
            "id",
            "pitch_id",
            "reason",
            "created_at",
            "juror__id",
            "juror__user__id",
            "juror__user__first_name",
            "juror__user__last_name",
            "juror__user__email",
        )
        .order_by("created_at", "id")
    )
    for recusal in recusals:
        by_pitch.setdefault(recusal.pitch_id, []).append(recusal)
    return by_pitch


def scored_ranking(rows: list[ResultRow]) -> list[int]:
    """Pitch ids of the ranking that at least one juror scored: the default laureates are
    the first N of it, and the deliberation's departures are measured against it."""
    return [row.pitch.pk for row in rows if row.raw is not None]


def ranked_ids(forum: Forum) -> list[int]:
    return scored_ranking(results(forum))


@dataclass
class ScoringPage:
    """What the juror's phone page shows."""

    pitches: list[Pitch]
    grid: list[Criterion]
    marks: dict[int, dict[int, int]]  # the juror's own, {pitch: {criterion: value}}
    current: Pitch | None  # the pitch on stage
    current_obstacle: str | None  # why the juror may not score it (permissions.scoring_obstacle)
    note: str  # the juror's private comment on the pitch on stage, when they score it


def scoring_page(user: User, forum: Forum, seat: Juror) -> ScoringPage:
    """The juror's phone page in four queries, whatever the programme: the pitches (titles
    and organisations), the grid, the juror's recusals (into `seat.recusals`), their marks
    with their comment on the pitch on stage. Their conflicts come from `user.role_map`."""
    pitches = room_programme(forum)
    grid = criteria(forum)
    prefetch_related_objects([seat], Prefetch("recusals", queryset=_own_recusals()))
    current = next((pitch for pitch in pitches if pitch.pk == forum.current_pitch_id), None)
    obstacle = permissions.scoring_obstacle(user, seat, current) if current else None
    scoring_current = current is not None and obstacle is None
    marks, note = my_marks(seat, current.pk if current is not None and scoring_current else None)
    return ScoringPage(pitches, grid, marks, current, obstacle, note)


def _own_recusals():
    return Recusal.objects.only("id", "juror_id", "pitch_id", "reason", "created_at")


def pitch_for_scoring(
    forum: Forum, seat: Juror, pitch_pk: int
) -> tuple[Pitch, list[Criterion], dict[int, int], str]:
    """One pitch of the forum (or a 404), the grid, the juror's marks for it and their
    comment on it, their recusals (into `seat.recusals`): four queries."""
    pitch = (
        Pitch.objects.filter(forum_id=forum.pk, pk=pitch_pk)
        .select_related("idea", "organisation")
        .only(*ROOM_PITCH_FIELDS)
        .first()
    )
    if pitch is None:
        raise Http404
    grid = criteria(forum)
    prefetch_related_objects([seat], Prefetch("recusals", queryset=_own_recusals()))
    sql = (
        f"SELECT criterion_id, value, NULL FROM {Score._meta.db_table} "
        "WHERE juror_id = %s AND pitch_id = %s "
        f"UNION ALL SELECT NULL, NULL, comment FROM {JurorNote._meta.db_table} "
        "WHERE juror_id = %s AND pitch_id = %s"
    )
    with connections[Score.objects.db].cursor() as cursor:
        cursor.execute(sql, [seat.pk, pitch.pk, seat.pk, pitch.pk])
        rows = cursor.fetchall()
    marks = {criterion_id: value for criterion_id, value, _ in rows if criterion_id is not None}
    note = next((comment for criterion_id, _, comment in rows if criterion_id is None), "")
    return pitch, grid, marks, note


def my_scores(juror: Juror) -> tuple[dict[int, dict[int, int]], dict[int, str]]:
    """A juror's own marks {pitch: {criterion: value}} and private comments {pitch: text}."""
    notes = dict(JurorNote.objects.filter(juror=juror).values_list("pitch_id", "comment"))
    return my_marks(juror)[0], notes


def my_marks(
    juror: Juror, note_pitch_id: int | None = None
) -> tuple[dict[int, dict[int, int]], str]:
    """A juror's own marks {pitch: {criterion: value}}, and their private comment on the
    pitch `note_pitch_id` ("" when none or not asked for), in one query."""
    # Plain SQL: on the jurors' phone page, compiling this union through the ORM took ten
    # times as long as running it.
    sql = (
        f"SELECT pitch_id, criterion_id, value, NULL FROM {Score._meta.db_table} "
        "WHERE juror_id = %s"
    )
    params = [juror.pk]
    if note_pitch_id is not None:
        sql += (
            f" UNION ALL SELECT pitch_id, NULL, NULL, comment FROM {JurorNote._meta.db_table} "
            "WHERE juror_id = %s AND pitch_id = %s"
        )
        params += [juror.pk, note_pitch_id]
    with connections[Score.objects.db].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    marks: dict[int, dict[int, int]] = {}
    note = ""
    for pitch_id, criterion_id, value, comment in rows:
        if criterion_id is None:
            note = comment
        else:
            marks.setdefault(pitch_id, {})[criterion_id] = value
    return marks, note


def scored_pairs(forum: Forum) -> set[tuple[int, int]]:
    """Which juror has scored which pitch: (juror id, pitch id), never the values."""
    return set(
        Score.objects.filter(forum=forum)
        .order_by()  # the default ordering would join pitches and criteria into the DISTINCT
        .values_list("juror_id", "pitch_id")
        .distinct()
    )


def board(forum: Forum) -> dict:
    """The live board: jurors × pitches, each cell ("juror id-pitch id", state) with the state
    "done", "todo", "conflict" or "recused".

    A conflict is read live (the juror's current organisation and role grants, as in
    `permissions.conflicts`); a mark given before a role was granted still counts, and shows
    as "done". Six queries whatever the size."""
    jurors = list(forum.jurors.select_related("user", "organisation").only(*JUROR_FIELDS))
    _with_grants(forum, jurors)
    pitches = room_programme(forum)
    done = scored_pairs(forum)
    recused = set(
        Recusal.objects.filter(forum_id=forum.pk).order_by().values_list("juror_id", "pitch_id")
    )
    # 750 cells at 50 jurors × 15 pitches: ids read once, not through `.pk` in the loop, and
    # each cell a pair (its key, "juror-pitch", and its state) rather than an object.
    columns = [(pitch.pk, pitch.organisation_id, f"-{pitch.pk}") for pitch in pitches]
    rows = []
    totals = dict.fromkeys((pitch_id for pitch_id, _, _ in columns), 0)
    for juror in jurors:
        juror_id = juror.pk
        conflicted = permissions.conflicted_organisation_ids(juror.user, juror, grants=juror.grants)  # type: ignore[attr-defined]  # set by _with_grants
        cells = []
        scored = 0
        for pitch_id, pitch_organisation_id, key_tail in columns:
            pair = (juror_id, pitch_id)
            if pair in recused:
                state = "recused"
            elif pair in done:
                state = "done"
                scored += 1
                totals[pitch_id] += 1
            elif pitch_organisation_id in conflicted:
                state = "conflict"
            else:
                state = "todo"
            cells.append((f"{juror_id}{key_tail}", state))
        rows.append({"juror": juror, "cells": cells, "done": scored})
    return {"jurors": jurors, "pitches": pitches, "rows": rows, "totals": totals}


def board_version(forum: Forum) -> str:
    """A version of what the live board shows, for its ETag, in one query: the stage and the
    pitch on stage (the forum's row, loaded with the request); which marks and recusals
    there are (how many, and the largest id: any insert raises it, any delete lowers the
    count); which jurors sit, with their account's organisation; and their role grants (a
    role granted after seating is a conflict). The values of the marks are not in it: the
    board never shows them."""
    # Plain SQL: the ORM took ten times as long to build these aggregates as PostgreSQL to
    # run them, on a request every watcher's browser sends every five seconds.
    score, recusal, juror = (model._meta.db_table for model in (Score, Recusal, Juror))
    user, grant = User._meta.db_table, RoleGrant._meta.db_table
    sql = (
        f"SELECT (SELECT count(*) || '.' || coalesce(max(id), 0) FROM {score} "
        "WHERE forum_id = %(forum)s), "
        f"(SELECT count(*) || '.' || coalesce(max(id), 0) FROM {recusal} "
        "WHERE forum_id = %(forum)s), "
        f"(SELECT md5(coalesce(string_agg(j.id || ':' || coalesce(u.organisation_id, 0), ',' "
        f"ORDER BY j.id), '')) FROM {juror} j JOIN {user} u ON u.id = j.user_id "
        "WHERE j.forum_id = %(forum)s), "
        f"(SELECT count(*) || '.' || coalesce(max(g.id), 0) FROM {grant} g "
        f"JOIN {juror} j ON j.user_id = g.user_id WHERE j.forum_id = %(forum)s)"
    )
    with connections[Score.objects.db].cursor() as cursor:
        cursor.execute(sql, {"forum": forum.pk})
        marks, recusals, jurors, grants = cursor.fetchone()
    return f"{forum.stage}-{forum.current_pitch_id}-{marks}-{recusals}-{jurors[:12]}-{grants}"


# --- The home page's blocks (assembled in innovation/site/home.py) -----------------------------


def forums_to_score(user: User) -> list[Forum]:
    """The forums whose scoring is open and where the person has a seat on the jury
    (`permissions.juror_seat`), the earliest first (one query)."""
    return list(
        permissions.visible_forums(user)
        .filter(stage=Forum.Stage.OPEN, jurors__user=user)
        .only("id", "title", "date", "starts_at", "place")
        .order_by("date", "pk")
    )


def forums_to_prepare(user: User, today: datetime.date, limit: int) -> list[Forum]:
    """The forums in preparation, not past, that the person prepares
    (`permissions.can_manage_forum`), the earliest first (two queries when there are some:
    the forums and their participants)."""
    delegated = permissions.delegated_organisation_ids(user)
    if not delegated:
        return []
    candidates = (
        permissions.visible_forums(user)
        .filter(stage=Forum.Stage.PREPARING, date__gte=today)
        .only("id", "title", "date", "place", "organiser_id", "stage")
        .prefetch_related(Prefetch("organisations", queryset=Organisation.objects.only("pk")))
        .order_by("date", "pk")
    )
    prepared = []
    for forum in candidates:
        represented = frozenset(o.pk for o in forum.organisations.all() if o.pk in delegated)
        access = permissions.ForumAccess(user, forum, None, represented)
        if permissions.can_manage_forum(access):
            prepared.append(forum)
    return prepared[:limit]
