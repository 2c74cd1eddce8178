"""What every transitions table shares: the refusal of a move the table does not allow.

Each state field has its table beside its app (`ideas.pipeline`, `ideas.mandates.transitions`,
`juries.stages`, `rituals.transitions`) and one service function per move, the only writer
of the field. A refused move raises InvalidTransition: a ValidationError, so that a view
tells the person like any other refusal of a service (a stale page, a second tab)."""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ValidationError


class InvalidTransition(ValidationError):
    def __init__(self, before: str, after: str, *, message: str | None = None):
        self.before, self.after = before, after
        super().__init__(message or f"{before or '∅'} → {after}", code="invalid_transition")


def check(table: Mapping[str, tuple[str, ...]], before: str, after: str) -> None:
    """Raise InvalidTransition unless `table` lets `before` become `after`."""
    if after not in table.get(before, ()):
        raise InvalidTransition(before, after)
