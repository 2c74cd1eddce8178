"""The life of a forum: which stage may follow which, and who may make each move.

`juries.services` reads this table in every function that moves a forum (open scoring, close
scoring, publish the palmarès): they are the only writers of `Forum.stage`, and each move
leaves a `ForumEvent`.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext as _

from innovation.platform.choices import label_of
from innovation.platform.transitions import InvalidTransition
from juries import permissions
from juries.models import Forum
from juries.permissions import ForumAccess

Stage = Forum.Stage

TRANSITIONS: dict[str, tuple[str, ...]] = {
    Stage.PREPARING: (Stage.OPEN,),
    Stage.OPEN: (Stage.CLOSED,),
    Stage.CLOSED: (Stage.PUBLISHED,),
    # Published is for good: the laureates' ideas have moved on to accompaniment.
    Stage.PUBLISHED: (),
}

# Who may move a forum to each stage: the delegates who prepare and run it. The stage checks
# of `permissions.can_open_scoring` and the like are this table's (`may_move` says both).
MOVERS: dict[str, Callable[[ForumAccess], bool]] = {
    Stage.OPEN: permissions.can_manage_forum,
    Stage.CLOSED: permissions.can_manage_forum,
    Stage.PUBLISHED: permissions.can_manage_forum,
}


def allowed_next(stage: str) -> tuple[str, ...]:
    return TRANSITIONS.get(stage, ())


def may_move(access: ForumAccess, to: str) -> bool:
    """Whether this person may move this forum, as it is now, to `to`."""
    return to in allowed_next(access.forum.stage) and MOVERS[to](access)


def refusal(before: str, after: str) -> InvalidTransition:
    """The refusal of a move the table does not allow, in words for the organiser."""
    return InvalidTransition(
        before,
        after,
        message=_("Le forum est à l'étape « %(before)s » : il ne peut pas passer à « %(after)s ».")
        % {"before": label_of(Stage, before), "after": label_of(Stage, after)},
    )
