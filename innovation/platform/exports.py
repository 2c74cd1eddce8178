"""CSV exports that open cleanly in French spreadsheet software and cannot smuggle formulas."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.http import StreamingHttpResponse

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# A number already written out in French ("-0,11", "-1 234,5", "+3"): a spreadsheet reads it
# as a number, never as a formula, so it is left alone (quoted, "-0,11" became text).
PLAIN_NUMBER = re.compile(r"[+-]?\d[\d \u00a0\u202f]*(?:[.,]\d+)?")


def safe_cell(value) -> str:
    """Render a cell; text a spreadsheet would run as a formula is quoted with an apostrophe."""
    if value is None:
        return ""
    text = str(value)
    # Numbers are data; anything else (text, but also a model or a lazy string rendered by
    # str(), like an organisation's name) may carry a formula.
    if isinstance(value, int | float | Decimal) or PLAIN_NUMBER.fullmatch(text):
        return text
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_response(
    filename: str, header: Sequence[str], rows: Iterable[Sequence]
) -> StreamingHttpResponse:
    """Stream rows as a `;`-separated UTF-8 CSV (with BOM, for Excel) download."""
    writer = csv.writer(_Echo(), delimiter=";")

    def lines():
        yield "\ufeff"
        yield writer.writerow([safe_cell(cell) for cell in header])
        for row in rows:
            yield writer.writerow([safe_cell(cell) for cell in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
