"""What the forum pages need, each in a fixed number of queries."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.shortcuts import get_object_or_404

from innovation.models import User
from juries import permissions
from juries import results as scoring
from juries.models import Criterion, Forum, Juror, JurorNote, Pitch, Score


def forum_for_page(user: User, pk: int) -> Forum:
    """One visible forum, or a 404."""
    queryset = (
        permissions.visible_forums(user)
        .select_related("organiser", "current_pitch__idea", "current_pitch__organisation")
        .prefetch_related("organisations")
    )
    return get_object_or_404(queryset, pk=pk)


def programme(forum: Forum) -> list[Pitch]:
    """Pitches in order of passage, each with its slot time (`pitch.slot`)."""
    pitches = list(
        forum.pitches.select_related("idea__author", "organisation").order_by("position", "id")
    )
    start = datetime.datetime.combine(forum.date, forum.starts_at)
    for index, pitch in enumerate(pitches):
        pitch.slot = (start + datetime.timedelta(minutes=index * forum.slot_minutes)).time()
    return pitches


def jury(forum: Forum) -> list[Juror]:
    return list(forum.jurors.select_related("user", "organisation"))


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


def results_from(
    forum: Forum, pitches: list[Pitch], grid: list[Criterion], jurors: list[Juror]
) -> list[ResultRow]:
    """Results of the forum (one query: the marks), from rows already loaded."""
    marks = [
        scoring.Mark(juror, pitch, criterion, value)
        for juror, pitch, criterion, value in Score.objects.filter(forum=forum).values_list(
            "juror_id", "pitch_id", "criterion_id", "value"
        )
    ]
    computed = scoring.compute(
        marks=marks,
        weights={criterion.pk: float(criterion.weight) for criterion in grid},
        pitch_order=[pitch.pk for pitch in pitches],
        colleges={juror.pk: juror.college for juror in jurors},
        college_weights=forum.college_weights(),
    )
    by_id = {pitch.pk: pitch for pitch in pitches}
    return [
        ResultRow(
            pitch=by_id[row.pitch],
            rank=row.rank,
            raw=row.raw,
            normalised=row.normalised,
            juror_count=row.juror_count,
            tie_broken_by_order=row.tie_broken_by_order,
        )
        for row in computed
    ]


def results(forum: Forum) -> list[ResultRow]:
    """Results in ranking order (four queries)."""
    return results_from(forum, programme(forum), criteria(forum), jury(forum))


def scored_ranking(rows: list[ResultRow]) -> list[int]:
    """Pitch ids of the ranking that at least one juror scored: the default laureates are
    the first N of it, and the deliberation's departures are measured against it."""
    return [row.pitch.pk for row in rows if row.raw is not None]


def ranked_ids(forum: Forum) -> list[int]:
    return scored_ranking(results(forum))


def my_scores(juror: Juror) -> tuple[dict[int, dict[int, int]], dict[int, str]]:
    """A juror's own marks {pitch: {criterion: value}} and private comments {pitch: text}."""
    marks: dict[int, dict[int, int]] = {}
    for pitch_id, criterion_id, value in Score.objects.filter(juror=juror).values_list(
        "pitch_id", "criterion_id", "value"
    ):
        marks.setdefault(pitch_id, {})[criterion_id] = value
    notes = dict(JurorNote.objects.filter(juror=juror).values_list("pitch_id", "comment"))
    return marks, notes


def scored_pairs(forum: Forum) -> set[tuple[int, int]]:
    """Which juror has scored which pitch: (juror id, pitch id), never the values."""
    return set(Score.objects.filter(forum=forum).values_list("juror_id", "pitch_id").distinct())


def board(forum: Forum) -> dict:
    """The live board: jurors × pitches, each cell "done", "todo" or "conflict"."""
    jurors = jury(forum)
    pitches = programme(forum)
    done = scored_pairs(forum)
    rows = []
    for juror in jurors:
        cells = []
        for pitch in pitches:
            if pitch.organisation_id == juror.organisation_id:
                state = "conflict"
            elif (juror.pk, pitch.pk) in done:
                state = "done"
            else:
                state = "todo"
            cells.append({"key": f"{juror.pk}-{pitch.pk}", "state": state, "pitch": pitch})
        rows.append(
            {"juror": juror, "cells": cells, "done": sum(c["state"] == "done" for c in cells)}
        )
    totals = {pitch.pk: sum((juror.pk, pitch.pk) in done for juror in jurors) for pitch in pitches}
    return {"jurors": jurors, "pitches": pitches, "rows": rows, "totals": totals}
