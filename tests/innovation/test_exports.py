"""The CSV formula guard quotes what a spreadsheet would run, and leaves numbers alone."""

import csv
import io

import pytest
from django.urls import reverse

from innovation.platform.exports import safe_cell
from juries import scores, services
from tests.juries.conftest import build_arena


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        (-0.11, "-0.11"),
        ("-0,11", "-0,11"),
        ("-12", "-12"),
        ("+3", "+3"),
        ("-1\u202f234,5", "-1\u202f234,5"),
        ("=1+2", "'=1+2"),
        ("-1+2", "'-1+2"),
        ("-2,5 €", "'-2,5 €"),
        ("- 3", "'- 3"),
        ("+33 6 12 34 56 78 =HYPERLINK()", "'+33 6 12 34 56 78 =HYPERLINK()"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t-1", "'\t-1"),
        ("Somme", "Somme"),
    ],
)
def test_safe_cell_quotes_formulas_and_leaves_numbers(value, cell):
    assert safe_cell(value) == cell


@pytest.mark.django_db
def test_results_csv_writes_negative_normalised_scores_as_numbers(client):
    arena = build_arena(pitch_count=3)
    for juror in arena.jurors:
        for value, pitch in zip((2, 8, 5), arena.pitches, strict=True):
            if pitch.organisation_id != juror.organisation_id:
                scores.save_scores(
                    arena.forum, actor=juror.user, pitch=pitch, values=arena.values(value, value)
                )
    services.close_scoring(arena.forum, actor=arena.delegate)
    client.force_login(arena.delegate)

    response = client.get(reverse("juries:export_results", args=[arena.forum.pk]))

    rows = list(
        csv.reader(io.StringIO(b"".join(response.streaming_content).decode()), delimiter=";")
    )
    header = [cell.lstrip("\ufeff") for cell in rows[0]]
    normalised = [row[header.index("Note normalisée")] for row in rows[1:]]
    assert any(value.startswith("-") for value in normalised)
    assert not any(value.startswith("'") for value in normalised)
