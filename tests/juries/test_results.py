"""The aggregation, on examples computed by hand, and its properties."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from juries.results import (
    Mark,
    combine_jurors,
    compute,
    departures,
    per_juror_pitch,
    z_scores,
)

WEIGHTS = {"A": 2, "B": 1}


def marks(*rows):
    return [Mark(juror, pitch, criterion, value) for juror, pitch, criterion, value in rows]


TWO_JURORS = marks(
    ("J1", "P1", "A", 8),
    ("J1", "P1", "B", 5),
    ("J1", "P2", "A", 4),
    ("J1", "P2", "B", 7),
    ("J2", "P1", "A", 6),
    ("J2", "P1", "B", 6),
    ("J2", "P2", "A", 9),
    ("J2", "P2", "B", 3),
)


def by_pitch(results):
    return {row.pitch: row for row in results}


def test_raw_score_is_weighted_mean_per_juror_then_mean_over_jurors():
    results = by_pitch(compute(marks=TWO_JURORS, weights=WEIGHTS, pitch_order=["P1", "P2"]))

    # J1: P1 (2*8+5)/3 = 7, P2 (2*4+7)/3 = 5; J2: P1 6, P2 (2*9+3)/3 = 7.
    assert results["P1"].raw == pytest.approx(6.5)
    assert results["P2"].raw == pytest.approx(6.0)


def test_normalised_score_uses_each_jurors_own_z_scores():
    results = by_pitch(compute(marks=TWO_JURORS, weights=WEIGHTS, pitch_order=["P1", "P2"]))

    # J1's marks 8 5 4 7: mean 6, std sqrt(2.5); J2's 6 6 9 3: mean 6, std sqrt(4.5).
    # J1 P1: (2*2 - 1)/3/σ1 = 1/σ1; J1 P2: -1/σ1; J2 P1: 0; J2 P2: (2*3 - 3)/3/σ2 = 1/σ2.
    s1, s2 = math.sqrt(2.5), math.sqrt(4.5)
    assert results["P1"].normalised == pytest.approx((1 / s1 + 0) / 2)
    assert results["P2"].normalised == pytest.approx((-1 / s1 + 1 / s2) / 2)
    assert [results["P1"].rank, results["P2"].rank] == [1, 2]
    assert results["P1"].juror_count == 2


def test_normalisation_evens_out_a_harsh_and_a_lenient_juror():
    # Both jurors prefer P1 to P2 by the same margin relative to their own habits.
    data = marks(
        ("harsh", "P1", "A", 3),
        ("harsh", "P2", "A", 1),
        ("lenient", "P1", "A", 10),
        ("lenient", "P2", "A", 8),
        ("lenient", "P3", "A", 9),
        ("harsh", "P3", "A", 2),
    )

    results = by_pitch(compute(marks=data, weights={"A": 1}, pitch_order=["P1", "P2", "P3"]))

    assert results["P1"].normalised == pytest.approx(math.sqrt(1.5))
    assert results["P3"].normalised == pytest.approx(0.0)
    assert results["P2"].normalised == pytest.approx(-math.sqrt(1.5))


def test_a_juror_who_gives_one_mark_everywhere_has_zero_z_scores():
    data = marks(("flat", "P1", "A", 7), ("flat", "P2", "A", 7), ("flat", "P2", "B", 7))

    assert [mark.value for mark in z_scores(data)] == [0.0, 0.0, 0.0]


def test_skipped_pitches_count_only_the_jurors_who_scored_them():
    # J2 is from P2's organisation and skipped it; nobody scored P3.
    data = marks(
        ("J1", "P1", "A", 6),
        ("J1", "P2", "A", 8),
        ("J2", "P1", "A", 4),
        ("J2", "P3b", "A", 6),
    )

    results = by_pitch(compute(marks=data, weights={"A": 1}, pitch_order=["P1", "P2", "P3", "P3b"]))

    assert results["P2"].juror_count == 1
    assert results["P2"].raw == pytest.approx(8)
    assert results["P1"].raw == pytest.approx(5)
    assert results["P3"].juror_count == 0
    assert results["P3"].raw is None
    assert results["P3"].normalised is None
    assert results["P3"].rank == 4


def test_college_weights_count_each_colleges_mean_by_its_weight():
    data = marks(("E1", "P1", "A", 10), ("A1", "P1", "A", 4), ("A2", "P1", "A", 6))
    colleges = {"E1": "elected", "A1": "agent", "A2": "agent"}

    weighted = compute(
        marks=data,
        weights={"A": 1},
        pitch_order=["P1"],
        colleges=colleges,
        college_weights={"elected": 2, "agent": 1, "director": 1},
    )
    plain = compute(marks=data, weights={"A": 1}, pitch_order=["P1"], colleges=colleges)

    assert weighted[0].raw == pytest.approx((2 * 10 + 1 * 5) / 3)
    assert plain[0].raw == pytest.approx(20 / 3)


def test_tie_on_normalised_score_is_broken_by_raw_score():
    # Each juror prefers a different pitch by one standard deviation: normalised 0 and 0.
    data = marks(
        ("J1", "P1", "A", 8),
        ("J1", "P2", "A", 4),
        ("J2", "P1", "A", 2),
        ("J2", "P2", "A", 10),
    )

    results = compute(marks=data, weights={"A": 1}, pitch_order=["P1", "P2"])

    assert [row.pitch for row in results] == ["P2", "P1"]  # raw 7 beats raw 5
    assert [row.tie_broken_by_order for row in results] == [False, False]


def test_full_tie_is_broken_by_juror_count_then_order_of_passage():
    data = marks(
        ("J1", "P1", "A", 5),
        ("J1", "P2", "A", 5),
        ("J2", "P1", "A", 5),
        ("J2", "P3", "A", 5),
    )

    results = compute(marks=data, weights={"A": 1}, pitch_order=["P3", "P1", "P2"])

    assert [row.pitch for row in results] == ["P1", "P3", "P2"]
    assert [row.tie_broken_by_order for row in results] == [False, True, True]


def test_departures_are_the_difference_with_the_top_n():
    assert departures(["P1", "P2", "P3", "P4"], {"P1", "P3"}, 2) == {"P2", "P3"}
    assert departures(["P1", "P2", "P3"], {"P1", "P2"}, 2) == set()


def test_college_weights_without_colleges_is_refused():
    with pytest.raises(ValueError):
        compute(marks=[], weights={}, pitch_order=[], college_weights={"agent": 1})


# --- Properties ---------------------------------------------------------------------------

JURORS = ["J1", "J2", "J3"]
PITCHES = ["P1", "P2", "P3", "P4"]
CRITERIA = {"A": 3, "B": 1, "C": 1.5}


@st.composite
def juries(draw):
    """Each juror scores a non-empty subset of pitches on every criterion, 0 to 10."""
    data = []
    for juror in JURORS:
        pitches = draw(st.lists(st.sampled_from(PITCHES), min_size=1, max_size=4, unique=True))
        for pitch in pitches:
            for criterion in CRITERIA:
                data.append(Mark(juror, pitch, criterion, draw(st.integers(0, 10))))
    return data


def normalised(data, **kwargs):
    return {
        row.pitch: row.normalised
        for row in compute(marks=data, weights=CRITERIA, pitch_order=PITCHES, **kwargs)
    }


@settings(max_examples=150, deadline=None)
@given(juries(), st.sampled_from(JURORS), st.integers(-5, 5))
def test_normalisation_is_invariant_to_a_juror_adding_a_constant(data, juror, constant):
    shifted = [
        Mark(m.juror, m.pitch, m.criterion, m.value + (constant if m.juror == juror else 0))
        for m in data
    ]

    before, after = normalised(data), normalised(shifted)

    assert before.keys() == after.keys()
    for pitch, value in before.items():
        if value is None:
            assert after[pitch] is None
        else:
            assert after[pitch] == pytest.approx(value, abs=1e-9)


@settings(max_examples=150, deadline=None)
@given(juries(), st.sampled_from(JURORS), st.sampled_from([0.5, 2, 3]))
def test_normalisation_is_invariant_to_a_juror_stretching_their_scale(data, juror, factor):
    stretched = [
        Mark(m.juror, m.pitch, m.criterion, m.value * (factor if m.juror == juror else 1))
        for m in data
    ]

    before, after = normalised(data), normalised(stretched)

    for pitch, value in before.items():
        if value is not None:
            assert after[pitch] == pytest.approx(value, abs=1e-9)


@settings(max_examples=100, deadline=None)
@given(juries(), st.randoms(use_true_random=False))
def test_ranking_ignores_the_order_of_the_marks(data, random):
    shuffled = list(data)
    random.shuffle(shuffled)

    first = compute(marks=data, weights=CRITERIA, pitch_order=PITCHES)
    second = compute(marks=shuffled, weights=CRITERIA, pitch_order=PITCHES)

    assert [row.pitch for row in first] == [row.pitch for row in second]
    assert sorted(row.rank for row in first) == [1, 2, 3, 4]


@settings(max_examples=100, deadline=None)
@given(juries())
def test_normalised_scores_lie_within_each_jurors_z_range(data):
    # A weighted mean of z-scores of n marks is bounded by sqrt(n - 1) in absolute value.
    bound = math.sqrt(len(data))
    for value in normalised(data).values():
        assert value is None or abs(value) <= bound


@settings(max_examples=100, deadline=None)
@given(juries())
def test_one_pass_gives_exactly_the_numbers_of_the_method_step_by_step(data):
    # The method as written (z-scores, then weighted means per juror and pitch, then over
    # jurors), compared to the float: the one-pass computation must not move a ranking.
    weights = {criterion: float(weight) for criterion, weight in CRITERIA.items()}
    raw = combine_jurors(per_juror_pitch(data, weights))
    by_z = combine_jurors(per_juror_pitch(z_scores(data), weights))

    rows = compute(marks=data, weights=CRITERIA, pitch_order=PITCHES)

    assert {row.pitch: row.raw for row in rows if row.raw is not None} == raw
    assert {row.pitch: row.normalised for row in rows if row.normalised is not None} == by_z
