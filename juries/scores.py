"""A juror's writes in the room: their marks and comment on a pitch, and withdrawing from one
(« je me déporte »). The forum's other writes are in juries/services.py.

Scores are saved under a shared lock on the forum (FOR SHARE): jurors saving at once do not
wait for each other, and closing the scoring (FOR UPDATE) waits for them all.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from innovation.platform import audit
from innovation.platform.models import Organisation, User
from juries import permissions
from juries.models import Forum, Juror, JurorNote, Pitch, Recusal, Score, ScoreEvent

Stage = Forum.Stage


def _share_lock(forum: Forum) -> str:
    """Read the forum's stage under a shared lock: jurors saving at once do not wait for each
    other, but closing (FOR UPDATE) waits for them, and no score lands after closing."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT stage FROM juries_forum WHERE id = %s FOR SHARE", [forum.pk])
            row = cursor.fetchone()
        return row[0]
    return Forum.objects.values_list("stage", flat=True).get(pk=forum.pk)


def _lock_own_seat(forum: Forum, *, actor: User, pitch: Pitch) -> Juror:
    """The actor's own seat, locked: the lock serialises two tabs of the same juror (no
    duplicate, no lost change); someone not on the jury is refused."""
    juror = (
        Juror.objects.select_for_update().filter(forum_id=forum.pk, user=actor).first()
        if actor.is_authenticated
        else None
    )
    if juror is None:
        raise PermissionDenied
    if pitch.forum_id != forum.pk:
        raise ValidationError(_("Ce pitch n'appartient pas à ce forum."))
    return juror


@transaction.atomic
def save_scores(
    forum: Forum,
    *,
    actor: User,
    pitch: Pitch,
    values: Mapping[int, int],
    comment: str | None = None,
) -> int:
    """Record (or correct) a juror's marks for one pitch; returns how many marks changed.

    Every mark of the grid is required. Each new or changed mark writes a history row.
    """
    if _share_lock(forum) != Stage.OPEN:
        raise ValidationError(_("La notation est close : vos notes ne peuvent plus changer."))
    juror = _lock_own_seat(forum, actor=actor, pitch=pitch)
    _refuse_obstacle(actor, juror, pitch)
    criteria = {criterion.pk: criterion for criterion in forum.criteria.all()}
    errors: dict[str, str] = {}
    for criterion_id in values:
        if criterion_id not in criteria:
            errors["__all__"] = _("Un des critères envoyés n'appartient pas à ce forum.")
    for criterion in criteria.values():
        field = f"criterion_{criterion.pk}"
        value = values.get(criterion.pk)
        if value is None:
            errors[field] = _("Donnez une note pour ce critère.")
        elif not criterion.scale_min <= value <= criterion.scale_max:
            errors[field] = _("La note doit être comprise entre %(min)s et %(max)s.") % {
                "min": criterion.scale_min,
                "max": criterion.scale_max,
            }
    if errors:
        raise ValidationError(errors)

    now = timezone.now()
    existing = {
        score.criterion_id: score for score in Score.objects.filter(juror=juror, pitch=pitch)
    }
    changed = 0
    for criterion_id, criterion in criteria.items():
        value = values[criterion_id]
        score = existing.get(criterion_id)
        if score is None:
            try:
                with transaction.atomic():
                    score = Score.objects.create(
                        forum_id=forum.pk,
                        juror=juror,
                        pitch=pitch,
                        criterion=criterion,
                        juror_organisation_id=juror.organisation_id,
                        pitch_organisation_id=pitch.organisation_id,
                        value=value,
                        created_at=now,
                        updated_at=now,
                    )
            except IntegrityError:
                # Only reachable without the juror lock (another code path): take the row.
                score = Score.objects.select_for_update().get(
                    juror=juror, pitch=pitch, criterion=criterion
                )
                if score.value == value:
                    continue
            else:
                ScoreEvent.objects.create(score=score, actor=actor, before=None, after=value)
                changed += 1
                continue
        if score.value != value:
            ScoreEvent.objects.create(score=score, actor=actor, before=score.value, after=value)
            Score.objects.filter(pk=score.pk).update(value=value, updated_at=now)
            changed += 1
    if comment is not None:
        JurorNote.objects.update_or_create(
            juror=juror, pitch=pitch, defaults={"comment": comment.strip(), "updated_at": now}
        )
    if changed:
        # How many marks changed, never their values: the trail must not leak them early.
        audit.record(
            audit.SCORE_CHANGED,
            actor=actor,
            target=pitch,
            organisation_id=juror.organisation_id,
            detail={"forum": pitch.forum_id, "juror": juror.pk, "marks_changed": changed},
        )
    return changed


def _person_now(actor: User) -> User:
    """The actor as committed now: their organisation and role grants (read again on first
    use of `role_map`), not the copy the request loaded when it began."""
    return User.objects.get(pk=actor.pk)


def _refuse_obstacle(actor: User, juror: Juror, pitch: Pitch) -> None:
    """Refuse a pitch the juror may not score: conflict of interest, or recusal."""
    person = _person_now(actor)
    obstacle = permissions.scoring_obstacle(person, juror, pitch)
    if obstacle == permissions.RECUSED:
        raise ValidationError(_("Vous vous êtes déporté·e pour ce pitch : vous ne le notez pas."))
    if obstacle == permissions.CONFLICT:
        reasons = permissions.conflicts(person, juror)[pitch.organisation_id]
        if permissions.HOME in reasons:
            raise ValidationError(
                _(
                    "Vous ne notez pas les projets de votre propre collectivité "
                    "(conflit d'intérêts)."
                )
            )
        raise ValidationError(
            _(
                "Vous ne notez pas les projets de %(organisation)s, où vous êtes "
                "%(roles)s (conflit d'intérêts)."
            )
            % {
                "organisation": Organisation.objects.get(pk=pitch.organisation_id),
                "roles": ", ".join(permissions.conflict_roles(reasons)),
            }
        )


@transaction.atomic
def recuse(forum: Forum, *, actor: User, pitch: Pitch, reason: str = "") -> Recusal:
    """Withdraw from one pitch (« se déporter »), for good; marks already given are deleted."""
    # The same locks as save_scores: closing waits for a recusal under way, and a recusal
    # waits for the same juror's save in another tab (then deletes what it saved).
    if _share_lock(forum) not in {Stage.PREPARING, Stage.OPEN}:
        raise ValidationError(_("La notation est close : il n'est plus possible de se déporter."))
    juror = _lock_own_seat(forum, actor=actor, pitch=pitch)
    if Recusal.objects.filter(juror=juror, pitch=pitch).exists():
        raise ValidationError(_("Vous vous êtes déjà déporté·e pour ce pitch."))
    marks = Score.objects.filter(juror=juror, pitch=pitch)
    withdrawn = marks.count()
    # Their history goes with them (ScoreEvent cascades): the values are withdrawn entirely.
    marks.delete()
    # So does the private comment: nothing of the juror's view of the pitch is kept.
    JurorNote.objects.filter(juror=juror, pitch=pitch).delete()
    recusal = Recusal.objects.create(
        forum_id=forum.pk, juror=juror, pitch=pitch, reason=reason.strip()
    )
    # How many marks were withdrawn, never their values; nor the reason (free text, shown on
    # the results to those who deliberate).
    audit.record(
        audit.RECUSAL,
        actor=actor,
        target=pitch,
        organisation_id=juror.organisation_id,
        detail={"forum": forum.pk, "juror": juror.pk, "marks_withdrawn": withdrawn},
    )
    return recusal
