"""Who may see and do what with forums. Views, templates and tests all ask these functions."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from innovation.models import Role, User
from innovation.permissions import (
    has_role,
    has_role_anywhere,
    member_organisation_ids,
    organisation_ids_with_role,
)
from juries.models import Forum, Juror

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


def organisation_ids(forum: Forum) -> set[int]:
    """Participating organisations (uses the prefetch cache when there is one)."""
    return {organisation.pk for organisation in forum.organisations.all()}


def can_create_forum(user: User) -> bool:
    return has_role_anywhere(user, Role.DELEGATE)


def can_manage_forum(user: User, forum: Forum) -> bool:
    """Delegates of the organiser or of a participating organisation prepare and run it."""
    allowed = organisation_ids_with_role(user, Role.DELEGATE)
    return forum.organiser_id in allowed or bool(organisation_ids(forum) & allowed)


def juror_seat(user: User, forum: Forum) -> Juror | None:
    if not user.is_authenticated:
        return None
    cache = getattr(forum, "_juror_seats", None)
    if cache is None:
        cache = forum._juror_seats = {}
    if user.pk not in cache:
        cache[user.pk] = forum.jurors.filter(user=user).select_related("organisation").first()
    return cache[user.pk]


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
    return organisation_ids(forum) & organisation_ids_with_role(user, Role.DELEGATE)


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
    return organisation_ids(forum) & organisation_ids_with_role(user, Role.DELEGATE)
