"""What the forum pages need, each in a fixed number of queries."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import connections, router
from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404

from innovation.models import RoleGrant, User, role_map_of
from innovation.permissions import member_organisation_ids
from innovation.sql import built_for, row_reader
from juries import permissions
from juries import results as scoring
from juries.models import Criterion, Forum, Juror, JurorNote, Pitch, Recusal, Score


def _build_forum_access_query(connection, member_count: int):
    quote = connection.ops.quote_name
    forum_columns, forum_from = row_reader(Forum, connection)
    seat_columns, seat_from = row_reader(Juror, connection)
    participants = Forum._meta.get_field("organisations")
    through = quote(participants.remote_field.through._meta.db_table)
    forum_key, organisation_key = (
        quote(participants.m2m_column_name()),
        quote(participants.m2m_reverse_name()),
    )
    select = [f"f.{column}" for column in forum_columns] + [f"j.{c}" for c in seat_columns]
    forum_id = f"f.{quote(Forum._meta.pk.column)}"
    seat_forum = quote(Juror._meta.get_field("forum").column)
    seat_user = quote(Juror._meta.get_field("user").column)
    joins = [
        f"LEFT JOIN {quote(Juror._meta.db_table)} j "
        f"ON j.{seat_forum} = {forum_id} AND j.{seat_user} = %s"
    ]
    if member_count:
        # Only the person's own organisations among the participants: one row, most often,
        # and all that the permission checks need to know of them.
        select.append(f"p.{organisation_key}")
        joins.append(
            f"LEFT JOIN {through} p ON p.{forum_key} = {forum_id} "
            f"AND p.{organisation_key} IN ({', '.join(['%s'] * member_count)})"
        )
    else:
        select.append("NULL")
    sql = (
        f"SELECT {', '.join(select)} FROM {quote(Forum._meta.db_table)} f {' '.join(joins)} "
        f"WHERE {forum_id} = %s"
    )
    return sql, len(forum_columns), len(seat_columns), forum_from, seat_from


def forum_for_page(user: User, pk: int) -> Forum:
    """One visible forum, or a 404, in one query: the forum's row, the person's seat on its
    jury and which of their organisations take part in it. The visibility rule and every
    permission check of the page then read those (`permissions.remember_access`).

    In plain SQL: on the forum pages, building the ORM's queries for the same (the
    visibility subquery, the forum, the seat, the participants) cost more than half of the
    page once its content came from the shared cache."""
    if not user.is_authenticated:
        raise Http404
    organisations = sorted(member_organisation_ids(user))
    connection = connections[router.db_for_read(Forum)]
    # Built once per thread and size of the person's organisation list.
    sql, forum_width, seat_width, forum_from, seat_from = built_for(
        connection,
        ("forum-access", len(organisations)),
        lambda: _build_forum_access_query(connection, len(organisations)),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk, *organisations, pk])
        rows = cursor.fetchall()
    if not rows:
        raise Http404
    forum = forum_from(rows[0][:forum_width])
    seat_values = rows[0][forum_width : forum_width + seat_width]
    seat = None
    if seat_values[0] is not None:  # its id: there is a seat
        seat = seat_from(seat_values)
        seat.forum = forum
    participating = {row[-1] for row in rows if row[-1] is not None}
    permissions.remember_access(user, forum, participating=participating, seat=seat)
    if not permissions.can_view_forum(user, forum):
        raise Http404
    return forum


def programme(forum: Forum) -> list[Pitch]:
    """Pitches in order of passage, each with its slot time (`pitch.slot`)."""
    pitches = list(
        forum.pitches.select_related("idea__author", "organisation").order_by("position", "id")
    )
    start = datetime.datetime.combine(forum.date, forum.starts_at)
    for index, pitch in enumerate(pitches):
        pitch.slot = (start + datetime.timedelta(minutes=index * forum.slot_minutes)).time()
    return pitches


# What the room pages (scoring, live board, results) show of a pitch: its title and its
# organisation. The idea's text and author would only weigh down every cache refill.
ROOM_PITCH_FIELDS = (
    "id",
    "forum_id",
    "position",
    "organisation_id",
    "laureate",
    "laureate_reason",
    "idea__title",
    "organisation__name",
    "organisation__short_name",
)


def room_programme(forum: Forum) -> list[Pitch]:
    """Pitches in order of passage, with only the columns the room pages display."""
    # Not through `forum.pitches`, which would hang this forum instance on every pitch, and
    # with it into the shared cache.
    return list(
        Pitch.objects.filter(forum_id=forum.pk)
        .select_related("idea", "organisation")
        .only(*ROOM_PITCH_FIELDS)
        .order_by("position", "id")
    )


def _grants() -> Prefetch:
    grants = RoleGrant.objects.only("id", "user_id", "organisation_id", "role")
    return Prefetch("user__role_grants", queryset=grants)


def _fill_role_maps(jurors: list[Juror]) -> None:
    """Each juror's `user.role_map` from the prefetched grants, as the login backend fills
    the logged-in person's: `permissions.conflicts` then asks no query per juror."""
    for juror in jurors:
        juror.user.__dict__["role_map"] = role_map_of(
            (grant.organisation_id, grant.role) for grant in juror.user.role_grants.all()
        )


def jury(forum: Forum) -> list[Juror]:
    """The jurors, each with their role grants (`user.role_map`, for the conflicts of
    interest) and their recusals (`recusals`, each with its pitch's title): four queries."""
    jurors = list(
        forum.jurors.select_related("user", "organisation").prefetch_related(
            _grants(),
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
            ),
        )
    )
    _fill_role_maps(jurors)
    return jurors


def criteria(forum: Forum) -> list[Criterion]:
    return list(forum.criteria.all())


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
    """The ranking's numbers, by pitch id (one query: the marks). Plain data: the results
    page keeps it in the shared cache."""
    # The marks come unordered (Score's default ordering would join pitches and criteria
    # only to sort) and are put in that same order here: pitch, then criterion, each in the
    # order of `pitch_ids` and `grid`, so that the sums add up exactly as before.
    pitch_rank = {pitch_id: index for index, pitch_id in enumerate(pitch_ids)}
    criterion_rank = {criterion.pk: index for index, criterion in enumerate(grid)}
    rows = sorted(
        Score.objects.filter(forum=forum)
        .order_by()
        .values_list("juror_id", "pitch_id", "criterion_id", "value"),
        key=lambda row: (pitch_rank[row[1]], criterion_rank[row[2]]),
    )
    return scoring.compute(
        marks=[scoring.Mark(*row) for row in rows],
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
        # Only when a pitch came or went between the two reads, whose value the cache then
        # drops at once (the write made its generation obsolete).
        if row.pitch in by_id
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
    """Results in ranking order (five queries)."""
    jurors = list(forum.jurors.only("id", "forum_id", "college"))
    return results_from(forum, programme(forum), criteria(forum), jurors)


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


def ranking_numbers(forum: Forum, pitch_ids: list[int]) -> list[scoring.PitchResult]:
    """The ranking's numbers for these pitches (in order of passage), by pitch id, for the
    shared cache (three queries, ids only)."""
    colleges = dict(forum.jurors.order_by().values_list("id", "college"))
    return computed_results(forum, pitch_ids, criteria(forum), colleges)


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
    marks, note = my_marks(seat, current.pk if scoring_current else None)
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
    """The live board: jurors × pitches, each cell "done", "todo", "conflict" or "recused".

    A conflict is read live (the juror's current organisation and role grants, as in
    `permissions.conflicts`); a mark given before a role was granted still counts, and shows
    as "done". Six queries whatever the size."""
    jurors = list(
        forum.jurors.select_related("user", "organisation")
        .only(
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
        .prefetch_related(_grants())
    )
    _fill_role_maps(jurors)
    pitches = room_programme(forum)
    done = scored_pairs(forum)
    recused = set(
        Recusal.objects.filter(forum_id=forum.pk).order_by().values_list("juror_id", "pitch_id")
    )
    # 750 cells at 50 jurors × 15 pitches: ids read once, not through `.pk` in the loop.
    columns = [(pitch.pk, pitch.organisation_id, pitch) for pitch in pitches]
    rows = []
    totals = dict.fromkeys((pitch_id for pitch_id, _, _ in columns), 0)
    for juror in jurors:
        juror_id = juror.pk
        conflicted = permissions.conflicted_organisation_ids(juror.user, juror)
        cells = []
        scored = 0
        for pitch_id, pitch_organisation_id, pitch in columns:
            if (juror_id, pitch_id) in recused:
                state = "recused"
            elif (juror_id, pitch_id) in done:
                state = "done"
                scored += 1
                totals[pitch_id] += 1
            elif pitch_organisation_id in conflicted:
                state = "conflict"
            else:
                state = "todo"
            cells.append({"key": f"{juror_id}-{pitch_id}", "state": state, "pitch": pitch})
        rows.append({"juror": juror, "cells": cells, "done": scored})
    return {"jurors": jurors, "pitches": pitches, "rows": rows, "totals": totals}
