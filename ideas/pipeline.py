"""The journey of an idea: which step may follow which, and what each step asks for."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from ideas.models import Idea
from innovation.platform.transitions import InvalidTransition  # noqa: F401 (the pipeline's refusal)

State = Idea.State

TRANSITIONS: dict[str, tuple[str, ...]] = {
    State.DRAFT: (State.SUBMITTED, State.ABANDONED),
    State.SUBMITTED: (State.QUALIFIED, State.NOT_RETAINED, State.REDIRECTED, State.ABANDONED),
    State.QUALIFIED: (State.SELECTED, State.NOT_RETAINED, State.REDIRECTED, State.ABANDONED),
    State.SELECTED: (State.ACCOMPANIED, State.NOT_RETAINED, State.REDIRECTED, State.ABANDONED),
    State.ACCOMPANIED: (State.EXPERIMENTING, State.NOT_RETAINED, State.ABANDONED),
    State.EXPERIMENTING: (State.DEPLOYED, State.NOT_RETAINED, State.ABANDONED),
    State.DEPLOYED: (),
    # An exit can be reconsidered: the idea goes back to the delegates' inbox.
    State.NOT_RETAINED: (State.SUBMITTED,),
    State.REDIRECTED: (State.SUBMITTED,),
    State.ABANDONED: (State.SUBMITTED,),
}

# Steps that must say why: the author and the community deserve an explanation.
REASON_REQUIRED = {State.NOT_RETAINED, State.REDIRECTED, State.ABANDONED}

# States shown as columns of the delegates' board, in pipeline order.
BOARD_STATES = (
    State.SUBMITTED,
    State.QUALIFIED,
    State.SELECTED,
    State.ACCOMPANIED,
    State.EXPERIMENTING,
    State.DEPLOYED,
)
EXIT_STATES = (State.NOT_RETAINED, State.REDIRECTED, State.ABANDONED)

ACTION_LABELS: dict[str, Any] = {
    State.SUBMITTED: _("Déposer"),
    State.QUALIFIED: _("Qualifier"),
    State.SELECTED: _("Sélectionner"),
    State.ACCOMPANIED: _("Passer en accompagnement"),
    State.EXPERIMENTING: _("Lancer l'expérimentation"),
    State.DEPLOYED: _("Déclarer déployée"),
    State.NOT_RETAINED: _("Ne pas retenir"),
    State.REDIRECTED: _("Réorienter"),
    State.ABANDONED: _("Abandonner"),
}


def allowed_next(state: str) -> tuple[str, ...]:
    return TRANSITIONS.get(state, ())


def action_label(to: str, from_state: str) -> str:
    if to == State.SUBMITTED and from_state in EXIT_STATES:
        return str(_("Rouvrir"))
    return str(ACTION_LABELS[to])
