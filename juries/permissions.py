"""Who may see and do what with forums. Views, templates and tests all ask these functions."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from innovation.models import Role, User
from innovation.permissions import (
    has_role,
    has_role_anywhere,
    member_organisation_ids,
    organisation_ids_with_role,
)
from juries.models import Forum, Juror, Pitch

Stage = Forum.Stage


def visible_forums(user: User) -> QuerySet[Forum]:
    """Forums of the person's organisations (participating or organising), and those they
    sit on as a juror; any other forum is a 404."""
    if not user.is_authenticated:
        return Forum.objects.none()
    organisations = member_organisation_ids(user)
    ids = Forum.objects.filter(
        Q(organisations__in=organisations) | Q(organiser__in=organisations) | Q(jurors__user=user)
    ).values("pk")
    return Forum.objects.filter(pk__in=ids)


def can_view_forum(user: User, forum: Forum) -> bool:
    """The rule of `visible_forums` for one forum already loaded (by
    `selectors.forum_for_page`, which then needs no query of its own to check it)."""
    if not user.is_authenticated:
        return False
    return (
        forum.organiser_id in member_organisation_ids(user)
        or bool(participating_organisation_ids(user, forum))
        or juror_seat(user, forum) is not None
    )


# What this module keeps on a forum instance, per person id: "participating" (their
# organisations that take part in it) and "seat" (their seat on its jury, or None). Only
# this module reads or writes it.
_ACCESS = "_juries_access"


def _known(user: User, forum: Forum) -> dict:
    return forum.__dict__.setdefault(_ACCESS, {}).setdefault(user.pk, {})


def remember_access(
    user: User, forum: Forum, *, participating: Iterable[int], seat: Juror | None
) -> None:
    """Keep on the forum what the checks below read about this person: which of their
    organisations take part in it, and their seat on its jury (None: not a juror). Every
    forum page loads both with the forum, in the same query, and asks nothing more."""
    known = _known(user, forum)
    known["participating"] = frozenset(participating)
    known["seat"] = seat


def organisation_ids(forum: Forum) -> set[int]:
    """Participating organisations (uses the prefetch cache when there is one)."""
    return {organisation.pk for organisation in forum.organisations.all()}


def participating_organisation_ids(user: User, forum: Forum) -> set[int]:
    """The person's organisations (any role) that take part in the forum: all that the
    checks here need of its participants, since every role is held on one of them."""
    known = _known(user, forum)
    if "participating" not in known:
        known["participating"] = frozenset(organisation_ids(forum) & member_organisation_ids(user))
    return set(known["participating"])


def can_create_forum(user: User) -> bool:
    return has_role_anywhere(user, Role.DELEGATE)


def can_manage_forum(user: User, forum: Forum) -> bool:
    """Delegates of the organiser or of a participating organisation prepare and run it."""
    allowed = organisation_ids_with_role(user, Role.DELEGATE)
    if not allowed:
        return False
    return forum.organiser_id in allowed or bool(
        participating_organisation_ids(user, forum) & allowed
    )


def juror_seat(user: User, forum: Forum) -> Juror | None:
    if not user.is_authenticated:
        return None
    known = _known(user, forum)
    if "seat" not in known:
        known["seat"] = forum.jurors.filter(user=user).select_related("organisation").first()
    return known["seat"]


def is_president(user: User, forum: Forum) -> bool:
    seat = juror_seat(user, forum)
    return seat is not None and seat.is_president


def can_edit_setup(user: User, forum: Forum) -> bool:
    """Settings and the grid are fixed once scoring opens (scores depend on them)."""
    return forum.stage == Stage.PREPARING and can_manage_forum(user, forum)


def can_edit_jury(user: User, forum: Forum) -> bool:
    """Jurors may still join while scoring is open (someone arrives late)."""
    return forum.stage in {Stage.PREPARING, Stage.OPEN} and can_manage_forum(user, forum)


def put_forward_organisation_ids(user: User, forum: Forum) -> set[int]:
    """Participating organisations on whose behalf the person may put ideas forward."""
    return participating_organisation_ids(user, forum) & organisation_ids_with_role(
        user, Role.DELEGATE
    )


def can_put_forward(user: User, forum: Forum) -> bool:
    return forum.stage == Stage.PREPARING and bool(put_forward_organisation_ids(user, forum))


def can_withdraw_pitch(user: User, pitch) -> bool:
    forum = pitch.forum
    return forum.stage == Stage.PREPARING and (
        has_role(user, pitch.organisation_id, Role.DELEGATE) or can_manage_forum(user, forum)
    )


def can_order_programme(user: User, forum: Forum) -> bool:
    return forum.stage in {Stage.PREPARING, Stage.OPEN} and can_manage_forum(user, forum)


def can_run_room(user: User, forum: Forum) -> bool:
    """Timer, pitch on stage and live board: the delegates running it and the president."""
    return can_manage_forum(user, forum) or is_president(user, forum)


def can_open_scoring(user: User, forum: Forum) -> bool:
    return forum.stage == Stage.PREPARING and can_manage_forum(user, forum)


def can_close_scoring(user: User, forum: Forum) -> bool:
    return forum.stage == Stage.OPEN and can_manage_forum(user, forum)


def can_score(user: User, forum: Forum) -> bool:
    """Sitting on the jury; whether scoring is open is told on the page, not hidden."""
    return juror_seat(user, forum) is not None


# --- Conflicts of interest and recusals -----------------------------------------------------

# Why a person never scores the pitches of an organisation: it is their own (HOME), and/or
# the roles they hold there (Role values).
HOME = "home"
# Why a juror may not score one pitch.
CONFLICT = "conflict"
RECUSED = "recused"


def conflicts(user: User, seat: Juror | None = None) -> dict[int, frozenset[str]]:
    """The collectivités whose pitches this person never scores, each with why: HOME (their
    own: their account's organisation now, and the one their seat copied) and every role
    they hold there, the juror role aside (a juror grant given only so that they may sit on
    a forum is no conflict). Read when asked, from `user.role_map`: a role granted after
    seating counts. The database enforces the same rule (trigger of migration 0004)."""
    found: dict[int, set[str]] = {}
    if user.is_authenticated:
        for organisation_id, roles in user.role_map.items():
            if held := roles - {Role.JUROR}:
                found.setdefault(organisation_id, set()).update(held)
    for organisation_id in (
        getattr(user, "organisation_id", None),
        seat.organisation_id if seat is not None else None,
    ):
        if organisation_id is not None:
            found.setdefault(organisation_id, set()).add(HOME)
    return {organisation_id: frozenset(why) for organisation_id, why in found.items()}


def conflicted_organisation_ids(user: User, seat: Juror | None = None) -> set[int]:
    return set(conflicts(user, seat))


def recused_pitch_ids(seat: Juror) -> set[int]:
    """Pitches the juror withdrew from (uses the prefetch cache when there is one)."""
    return {recusal.pitch_id for recusal in seat.recusals.all()}


def scoring_obstacle(user: User, seat: Juror, pitch: Pitch) -> str | None:
    """Why this juror may not score this pitch: RECUSED, CONFLICT, or None when they may
    (whether scoring is open is another matter, told on the page)."""
    if pitch.pk in recused_pitch_ids(seat):
        return RECUSED
    if pitch.organisation_id in conflicted_organisation_ids(user, seat):
        return CONFLICT
    return None


def can_score_pitch(user: User, forum: Forum, pitch: Pitch) -> bool:
    """Sitting on the jury, the pitch in the forum, no conflict of interest, no recusal."""
    seat = juror_seat(user, forum)
    return (
        seat is not None
        and pitch.forum_id == forum.pk
        and scoring_obstacle(user, seat, pitch) is None
    )


def can_recuse(user: User, forum: Forum) -> bool:
    """A juror withdraws from a pitch themselves, until scoring closes."""
    return forum.stage in {Stage.PREPARING, Stage.OPEN} and juror_seat(user, forum) is not None


def conflict_roles(reasons: Iterable[str]) -> list[str]:
    """The roles among `reasons` (the juror role aside: it makes no conflict), as words for
    a sentence (« délégué·e à l'innovation »)."""
    labels = dict(Role.choices)
    held = set(reasons) - {Role.JUROR}
    return [
        str(labels[role])[:1].lower() + str(labels[role])[1:]
        for role in Role.values
        if role in held
    ]


def conflict_text(reasons: Iterable[str], *, own: bool) -> str:
    """Why the pitches of one collectivité are not scored, for the juror themselves (`own`)
    or for the delegates preparing the jury: « sa collectivité » (the roles they hold there
    besides go without saying), or the roles they hold in it."""
    if HOME in set(reasons):
        return _("votre collectivité") if own else _("sa collectivité")
    return ", ".join(conflict_roles(reasons))


def can_see_results(user: User, forum: Forum) -> bool:
    """After closing: the jury (to deliberate) and the delegates running the forum."""
    return forum.scores_revealed and (
        juror_seat(user, forum) is not None or can_manage_forum(user, forum)
    )


def can_deliberate(user: User, forum: Forum) -> bool:
    return forum.stage == Stage.CLOSED and (
        can_manage_forum(user, forum) or is_president(user, forum)
    )


def can_publish(user: User, forum: Forum) -> bool:
    return forum.stage == Stage.CLOSED and can_manage_forum(user, forum)


def can_see_palmares(user: User, forum: Forum) -> bool:
    """Everyone who can see the forum, once the palmarès is published."""
    return forum.stage == Stage.PUBLISHED


def can_export_scores(user: User, forum: Forum) -> bool:
    """Every score after closing (jury and delegates); before, a juror exports only their own."""
    if forum.scores_revealed:
        return can_see_results(user, forum)
    return juror_seat(user, forum) is not None


def can_export_results(user: User, forum: Forum) -> bool:
    return can_see_results(user, forum)


def accompaniment_organisation_ids(user: User, forum: Forum) -> set[int]:
    """Organisations whose laureates this person may move to accompaniment (their delegates:
    `ideas.services.move_idea` requires it)."""
    if forum.stage != Stage.PUBLISHED:
        return set()
    return participating_organisation_ids(user, forum) & organisation_ids_with_role(
        user, Role.DELEGATE
    )
