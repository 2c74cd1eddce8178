"""The life of a mandate: which state may follow which (like ideas.pipeline for ideas).

A mandate is drafted, sent for signature, becomes active once every party has signed the
current terms, and ends completed or stopped. A refusal or a change of terms leaves it where
it is (the delegates amend it, the parties sign again): no state goes back.
"""

from __future__ import annotations

from ideas.mandates.models import Mandate
from innovation.platform.transitions import InvalidTransition

__all__ = ["OPEN_STATES", "TRANSITIONS", "InvalidTransition", "allowed_next"]

State = Mandate.State

TRANSITIONS: dict[str, tuple[str, ...]] = {
    State.DRAFT: (State.AWAITING_SIGNATURES,),
    State.AWAITING_SIGNATURES: (State.ACTIVE,),
    State.ACTIVE: (State.COMPLETED, State.STOPPED),
    State.COMPLETED: (),
    State.STOPPED: (),
}

# A mandate in progress: at most one per idea (constraint mandate_one_open_per_idea).
OPEN_STATES = (State.DRAFT, State.AWAITING_SIGNATURES, State.ACTIVE)


def allowed_next(state: str) -> tuple[str, ...]:
    return TRANSITIONS.get(state, ())
