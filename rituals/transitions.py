"""The life of a registration: which status may follow which (rituals/services.py moves them).

A registration is created confirmed (a seat was free) or waiting (the date was full); a waiting
person is promoted when a seat frees, or leaves the list; anyone may cancel. A cancelled row
stays as history and never comes back: registering again after a cancellation creates a new
row (the unique constraint only holds among active registrations), so the new arrival queues
at the end of the list like everyone else.
"""

from __future__ import annotations

from innovation.platform import transitions
from innovation.platform.transitions import InvalidTransition
from rituals.models import Registration

__all__ = ["NEW", "TRANSITIONS", "InvalidTransition", "allowed_next", "check"]

Status = Registration.Status

# The "before" of the event that creates a registration.
NEW = ""

TRANSITIONS: dict[str, tuple[str, ...]] = {
    NEW: (Status.CONFIRMED, Status.WAITING),
    Status.WAITING: (Status.CONFIRMED, Status.CANCELLED),
    Status.CONFIRMED: (Status.CANCELLED,),
    Status.CANCELLED: (),
}


def allowed_next(status: str) -> tuple[str, ...]:
    return TRANSITIONS.get(status, ())


def check(before: str, after: str) -> None:
    """Raise InvalidTransition unless the table allows `before` → `after`."""
    transitions.check(TRANSITIONS, before, after)
