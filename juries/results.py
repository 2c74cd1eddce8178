"""The results of a forum, computed from plain data: no database, no Django.

Method (explained in French on the results page, see `METHOD_FR`):

1. Raw score of a juror for a pitch: the weighted mean of the marks that juror gave the pitch,
   each criterion counting by its weight: sum(w_c * v_c) / sum(w_c).
2. Raw score of a pitch: the mean over the jurors who scored it of their raw scores, so every
   juror counts the same whatever the number of criteria they filled in.
3. Normalised score: each juror's marks (all criteria, all pitches they scored) are turned into
   z-scores over that juror's own marks, z = (v - mean_j) / std_j (population standard
   deviation). A juror who gave the same mark everywhere (std 0) expresses no preference: their
   z-scores are 0. The z-scores are then averaged per juror and pitch with the criteria weights,
   and over jurors, like the raw score. Harsh and lenient jurors thereby count the same.
4. College weighting (optional): instead of the mean over jurors, each college's mean counts by
   the college's weight: sum(W_k * mean_k) / sum(W_k) over the colleges that scored the pitch.
5. Ranking: normalised score, then raw score, then number of jurors (more is better), then the
   order of passage (earlier first). Pitches nobody scored come last, in order of passage.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

# Scores equal up to this many decimals are a tie (float noise must not decide a ranking).
PRECISION = 9


class Mark(NamedTuple):
    # A named tuple rather than a frozen dataclass: a forum has thousands of marks, each
    # built twice (as given, then as a z-score), and a tuple is several times faster to make.
    juror: Hashable
    pitch: Hashable
    criterion: Hashable
    value: float


@dataclass(frozen=True)
class PitchResult:
    pitch: Any  # the id given in `pitch_order`
    rank: int
    raw: float | None
    normalised: float | None
    juror_count: int
    # True when the pitch shares its normalised and raw scores and juror count with a
    # neighbour in the ranking, so that only the order of passage separated them.
    tie_broken_by_order: bool = False


def juror_stats(marks: Iterable[Mark]) -> dict[Hashable, tuple[float, float]]:
    """Mean and population standard deviation of each juror's own marks."""
    values: dict[Hashable, list[float]] = defaultdict(list)
    for mark in marks:
        values[mark.juror].append(float(mark.value))
    stats = {}
    for juror, own in values.items():
        mean = math.fsum(own) / len(own)
        variance = math.fsum((v - mean) ** 2 for v in own) / len(own)
        stats[juror] = (mean, math.sqrt(variance))
    return stats


def z_scores(marks: Sequence[Mark]) -> list[Mark]:
    """The same marks, each replaced by its z-score over its juror's marks (0 if std is 0)."""
    stats = juror_stats(marks)
    normalised = []
    for mark in marks:
        mean, std = stats[mark.juror]
        # A relative threshold: a std that is only float noise means the juror gave one mark.
        z = 0.0 if std <= 1e-12 * max(1.0, abs(mean)) else (float(mark.value) - mean) / std
        normalised.append(Mark(mark.juror, mark.pitch, mark.criterion, z))
    return normalised


def per_juror_pitch(
    marks: Iterable[Mark], weights: Mapping[Hashable, float]
) -> dict[tuple[Hashable, Hashable], float]:
    """Weighted mean of each juror's marks for each pitch."""
    totals: dict[tuple[Hashable, Hashable], list[float]] = defaultdict(lambda: [0.0, 0.0])
    for mark in marks:
        weight = float(weights[mark.criterion])
        cell = totals[(mark.juror, mark.pitch)]
        cell[0] += weight * float(mark.value)
        cell[1] += weight
    return {key: total / weight for key, (total, weight) in totals.items()}


def _per_juror_pitch_both(
    marks: Sequence[Mark], weights: Mapping[Hashable, float]
) -> tuple[dict[tuple[Hashable, Hashable], float], dict[tuple[Hashable, Hashable], float]]:
    """`per_juror_pitch` of the marks and of their `z_scores`, in one pass over the marks and
    with the same arithmetic, so the same numbers (a forum has thousands of marks: building
    each again as a z-score took most of the results' time)."""
    stats = juror_stats(marks)
    thresholds = {juror: 1e-12 * max(1.0, abs(mean)) for juror, (mean, _std) in stats.items()}
    totals: dict[tuple[Hashable, Hashable], list[float]] = {}
    for juror, pitch, criterion, value in marks:
        weight = float(weights[criterion])
        mean, std = stats[juror]
        z = 0.0 if std <= thresholds[juror] else (float(value) - mean) / std
        cell = totals.get((juror, pitch))
        if cell is None:
            cell = totals[(juror, pitch)] = [0.0, 0.0, 0.0]
        cell[0] += weight * float(value)
        cell[1] += weight * z
        cell[2] += weight
    raw = {key: total / weight for key, (total, _z, weight) in totals.items()}
    normalised = {key: z_total / weight for key, (_total, z_total, weight) in totals.items()}
    return raw, normalised


def combine_jurors(
    values: Mapping[tuple[Hashable, Hashable], float],
    colleges: Mapping[Hashable, Hashable] | None = None,
    college_weights: Mapping[Hashable, float] | None = None,
) -> dict[Hashable, float]:
    """Per pitch: mean over jurors, or the college-weighted mean of the colleges' means."""
    by_pitch: dict[Hashable, list[tuple[Hashable, float]]] = defaultdict(list)
    for (juror, pitch), value in values.items():
        by_pitch[pitch].append((juror, value))
    combined = {}
    for pitch, entries in by_pitch.items():
        if not college_weights:
            combined[pitch] = math.fsum(value for _, value in entries) / len(entries)
            continue
        assert colleges is not None, "college weights come with the jurors' colleges"
        by_college: dict[Hashable, list[float]] = defaultdict(list)
        for juror, value in entries:
            by_college[colleges[juror]].append(value)
        total = weight_sum = 0.0
        for college, college_values in by_college.items():
            weight = float(college_weights.get(college, 0))
            total += weight * math.fsum(college_values) / len(college_values)
            weight_sum += weight
        if weight_sum > 0:
            combined[pitch] = total / weight_sum
        else:  # every college that scored weighs 0: fall back to the plain mean
            combined[pitch] = math.fsum(value for _, value in entries) / len(entries)
    return combined


def compute(
    *,
    marks: Sequence[Mark],
    weights: Mapping[Hashable, float],
    pitch_order: Sequence[Hashable],
    colleges: Mapping[Any, Hashable] | None = None,
    college_weights: Mapping[Any, float] | None = None,
) -> list[PitchResult]:
    """Raw and normalised score, juror count and rank of every pitch in `pitch_order`."""
    marks = list(marks)
    if college_weights and colleges is None:
        raise ValueError("college_weights needs colleges")
    raw_cells, z_cells = _per_juror_pitch_both(marks, weights)
    raw = combine_jurors(raw_cells, colleges, college_weights)
    normalised = combine_jurors(z_cells, colleges, college_weights)
    jurors: dict[Hashable, set] = defaultdict(set)
    for juror, pitch in raw_cells:
        jurors[pitch].add(juror)
    position = {pitch: index for index, pitch in enumerate(pitch_order)}

    def key(pitch: Hashable) -> tuple:
        if pitch not in raw:
            return (1, 0.0, 0.0, 0, position[pitch])
        return (
            0,
            -round(normalised[pitch], PRECISION),
            -round(raw[pitch], PRECISION),
            -len(jurors[pitch]),
            position[pitch],
        )

    ordered = sorted(pitch_order, key=key)
    results = []
    for index, pitch in enumerate(ordered):
        neighbours = ordered[max(index - 1, 0) : index] + ordered[index + 1 : index + 2]
        tied = pitch in raw and any(key(other)[:4] == key(pitch)[:4] for other in neighbours)
        results.append(
            PitchResult(
                pitch=pitch,
                rank=index + 1,
                raw=raw.get(pitch),
                normalised=normalised.get(pitch),
                juror_count=len(jurors[pitch]),
                tie_broken_by_order=tied,
            )
        )
    return results


def departures(ranked: Sequence[Hashable], chosen: Iterable[Hashable], count: int) -> set:
    """Pitches whose laureate status differs from "the first `count` of the ranking"."""
    expected = set(ranked[:count])
    chosen = set(chosen)
    return expected ^ chosen


METHOD_FR = [
    "Note brute d'un juré pour un pitch : la moyenne de ses notes sur les critères, chaque "
    "critère comptant selon son poids.",
    "Note brute du pitch : la moyenne des notes brutes des jurés qui l'ont noté ; chaque juré "
    "compte autant, quel que soit le nombre de pitchs qu'il a notés.",
    "Note normalisée : les notes de chaque juré sont centrées et réduites sur l'ensemble de ses "
    "propres notes (tous critères et pitchs confondus). Un juré sévère et un juré généreux "
    "pèsent donc autant : seul compte l'ordre de préférence qu'il exprime. Un juré qui a donné "
    "partout la même note n'exprime pas de préférence : ses notes normalisées valent 0. Les "
    "notes normalisées sont ensuite pondérées par critère et moyennées par juré, comme la note "
    "brute. 0 correspond à la moyenne d'un juré ; +1 à un écart type au-dessus.",
    "Classement : par note normalisée décroissante ; à égalité, par note brute décroissante, "
    "puis par nombre de jurés ayant noté (le plus grand d'abord), puis par ordre de passage.",
    "Un juré ne note jamais un pitch de sa propre collectivité, ni d'une collectivité où il "
    "a un rôle, ni un pitch dont il s'est déporté (ses notes éventuelles sont alors retirées) : "
    "le nombre de jurés comptés est indiqué pour chaque pitch.",
]
METHOD_COLLEGES_FR = (
    "Pondération par collège : pour chaque pitch, on calcule la moyenne de chaque collège (élus, "
    "agents, directeurs généraux), puis la moyenne de ces moyennes pondérée par le poids de "
    "chaque collège, au lieu de compter chaque juré pour un."
)
