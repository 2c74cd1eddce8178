"""Who may see and do what with forums. Views, templates and tests all ask these functions.

A forum check reads a `ForumAccess`: what one person is to one forum (their seat on its jury,
the participating organisations they represent), loaded once per request with the forum
(`selectors.forum_access`) or from a forum at hand (`access_to`, for the services)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from innovation.platform.models import Role, User, role_map_of
from innovation.platform.permissions import (
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


@dataclass(frozen=True)
class ForumAccess:
    """What one person is to one forum, besides their role grants (`user.role_map`)."""

    user: User
    forum: Forum
    # Their seat on the forum's jury, or None.
    seat: Juror | None
    # The participating organisations where they are a delegate (or an admin): the only
    # participants the checks below ask about, since only a delegate runs a forum or puts
    # ideas forward for an organisation.
    represented: frozenset[int]


def organisations_sharing_a_forum(delegated: set[int]) -> QuerySet:
    """The participating organisations of the forums that `delegated` organise or take part
    in (a sharing rule of `innovation.platform.permissions.visible_people`, registered in
    JuriesConfig.ready)."""
    return Forum.organisations.through.objects.filter(
        Q(forum__organiser__in=delegated) | Q(forum__organisations__in=delegated)
    ).values("organisation_id")


def delegated_organisation_ids(user: User) -> set[int]:
    """The organisations whose participation in a forum matters to the checks (`represented`)."""
    return organisation_ids_with_role(user, Role.DELEGATE)


def access_to(user: User, forum: Forum) -> ForumAccess:
    """The person's access to a forum already loaded, in two queries at most (their seat;
    the participants they represent, when they are a delegate somewhere)."""
    if not user.is_authenticated:
        return ForumAccess(user, forum, None, frozenset())
    seat = forum.jurors.filter(user=user).first()
    delegated = delegated_organisation_ids(user)
    represented = (
        set(forum.organisations.filter(pk__in=delegated).values_list("pk", flat=True))
        if delegated
        else set()
    )
    return ForumAccess(user, forum, seat, frozenset(represented))


def can_create_forum(user: User) -> bool:
    return has_role_anywhere(user, Role.DELEGATE)


def can_manage_forum(access: ForumAccess) -> bool:
    """Delegates of the organiser or of a participating organisation prepare and run it."""
    return bool(access.represented) or access.forum.organiser_id in delegated_organisation_ids(
        access.user
    )


def can_see_forum_history(access: ForumAccess) -> bool:
    """The history of the forum's stages: for those who prepare and run it, not the jury."""
    return can_manage_forum(access)


def juror_seat(access: ForumAccess) -> Juror | None:
    return access.seat


def is_president(access: ForumAccess) -> bool:
    return access.seat is not None and access.seat.is_president


def can_edit_setup(access: ForumAccess) -> bool:
    """Settings and the grid are fixed once scoring opens (scores depend on them)."""
    return access.forum.stage == Stage.PREPARING and can_manage_forum(access)


def can_edit_jury(access: ForumAccess) -> bool:
    """Jurors may still join while scoring is open (someone arrives late)."""
    return access.forum.stage in {Stage.PREPARING, Stage.OPEN} and can_manage_forum(access)


def put_forward_organisation_ids(access: ForumAccess) -> set[int]:
    """Participating organisations on whose behalf the person may put ideas forward."""
    return set(access.represented)


def can_put_forward(access: ForumAccess) -> bool:
    return access.forum.stage == Stage.PREPARING and bool(access.represented)


def can_withdraw_pitch(access: ForumAccess, pitch: Pitch) -> bool:
    """Before scoring opens: the delegates of the pitch's organisation, or of the forum."""
    return (
        pitch.forum_id == access.forum.pk
        and access.forum.stage == Stage.PREPARING
        and (
            has_role(access.user, pitch.organisation_id, Role.DELEGATE) or can_manage_forum(access)
        )
    )


def can_order_programme(access: ForumAccess) -> bool:
    return access.forum.stage in {Stage.PREPARING, Stage.OPEN} and can_manage_forum(access)


def can_run_room(access: ForumAccess) -> bool:
    """Timer, pitch on stage and live board: the delegates running it and the president."""
    return can_manage_forum(access) or is_president(access)


def can_open_scoring(access: ForumAccess) -> bool:
    return access.forum.stage == Stage.PREPARING and can_manage_forum(access)


def can_close_scoring(access: ForumAccess) -> bool:
    return access.forum.stage == Stage.OPEN and can_manage_forum(access)


def can_score(access: ForumAccess) -> bool:
    """Sitting on the jury; whether scoring is open is told on the page, not hidden."""
    return access.seat is not None


# --- Conflicts of interest and recusals -----------------------------------------------------

# Why a person never scores the pitches of an organisation: it is their own (HOME), and/or
# the roles they hold there (Role values).
HOME = "home"
# Why a juror may not score one pitch.
CONFLICT = "conflict"
RECUSED = "recused"


def conflicts(
    user: User, seat: Juror | None = None, *, grants: Iterable[tuple[int, str]] | None = None
) -> dict[int, frozenset[str]]:
    """The collectivités whose pitches this person never scores, each with why: HOME (their
    own: their account's organisation now, and the one their seat copied) and every role
    they hold there, the juror role aside (a juror grant given only so that they may sit on
    a forum is no conflict). Read when asked, from the person's role grants: a role granted
    after seating counts. `grants`, (organisation id, role) pairs, when the caller loaded
    them with the person (the jury, the live board); else `user.role_map`. The database
    enforces the same rule (trigger of migration 0004)."""
    found: dict[int, set[str]] = {}
    if user.is_authenticated:
        role_map = user.role_map if grants is None else role_map_of(grants)
        for organisation_id, roles in role_map.items():
            if held := roles - {Role.JUROR}:
                found.setdefault(organisation_id, set()).update(held)
    homes: tuple[int | None, ...] = (
        getattr(user, "organisation_id", None),
        seat.organisation_id if seat is not None else None,
    )
    for home in homes:
        if home is not None:
            found.setdefault(home, set()).add(HOME)
    return {organisation_id: frozenset(why) for organisation_id, why in found.items()}


def conflicted_organisation_ids(
    user: User, seat: Juror | None = None, *, grants: Iterable[tuple[int, str]] | None = None
) -> set[int]:
    return set(conflicts(user, seat, grants=grants))


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


def can_score_pitch(access: ForumAccess, pitch: Pitch) -> bool:
    """Sitting on the jury, the pitch in the forum, no conflict of interest, no recusal."""
    return (
        access.seat is not None
        and pitch.forum_id == access.forum.pk
        and scoring_obstacle(access.user, access.seat, pitch) is None
    )


def can_recuse(access: ForumAccess) -> bool:
    """A juror withdraws from a pitch themselves, until scoring closes."""
    return access.forum.stage in {Stage.PREPARING, Stage.OPEN} and access.seat is not None


def conflict_roles(reasons: Iterable[str]) -> list[str]:
    """The roles among `reasons` (the juror role aside: it makes no conflict), as words for
    a sentence (« délégué·e à l'innovation »)."""
    held = set(reasons) - {Role.JUROR}
    words = []
    for role in Role:
        if role in held:
            label = str(role.label)
            words.append(label[:1].lower() + label[1:])
    return words


def conflict_text(reasons: Iterable[str], *, own: bool) -> str:
    """Why the pitches of one collectivité are not scored, for the juror themselves (`own`)
    or for the delegates preparing the jury: « sa collectivité » (the roles they hold there
    besides go without saying), or the roles they hold in it."""
    if HOME in set(reasons):
        return _("votre collectivité") if own else _("sa collectivité")
    return ", ".join(conflict_roles(reasons))


def can_see_results(access: ForumAccess) -> bool:
    """After closing: the jury (to deliberate) and the delegates running the forum."""
    return access.forum.scores_revealed and (access.seat is not None or can_manage_forum(access))


def can_deliberate(access: ForumAccess) -> bool:
    return access.forum.stage == Stage.CLOSED and (can_manage_forum(access) or is_president(access))


def can_publish(access: ForumAccess) -> bool:
    return access.forum.stage == Stage.CLOSED and can_manage_forum(access)


def can_see_palmares(access: ForumAccess) -> bool:
    """Everyone who can see the forum, once the palmarès is published."""
    return access.forum.stage == Stage.PUBLISHED


def can_export_scores(access: ForumAccess) -> bool:
    """Every score after closing (jury and delegates); before, a juror exports only their own."""
    if access.forum.scores_revealed:
        return can_see_results(access)
    return access.seat is not None


def can_export_results(access: ForumAccess) -> bool:
    return can_see_results(access)


def accompaniment_organisation_ids(access: ForumAccess) -> set[int]:
    """Organisations whose laureates this person may move to accompaniment (their delegates:
    `ideas.services.move_idea` requires it)."""
    if access.forum.stage != Stage.PUBLISHED:
        return set()
    return set(access.represented)
