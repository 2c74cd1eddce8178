"""Every write about forums: one function per action, keyword-only actor.

Each function checks permission and domain rules inside one transaction, locks the rows it
depends on, and queues its notifications (rows now, e-mails after commit).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ideas import services as idea_services
from ideas.models import Idea
from innovation.platform import audit, dates
from innovation.platform.models import Organisation, Role, User
from innovation.platform.notifications import notify
from innovation.platform.permissions import has_role
from juries import permissions, selectors, stages
from juries.models import (
    Criterion,
    Forum,
    ForumEvent,
    Juror,
    Pitch,
    Recusal,
    Score,
)
from juries.results import departures

Stage = Forum.Stage
PUTTABLE_STATES = (Idea.State.QUALIFIED, Idea.State.SELECTED)
FORUM_FIELDS = (
    "title",
    "date",
    "starts_at",
    "place",
    "quota",
    "laureate_count",
    "pitch_minutes",
    "question_minutes",
    "college_weighting",
    "weight_elected",
    "weight_agent",
    "weight_director",
)
CRITERION_FIELDS = ("name", "description", "weight", "scale_min", "scale_max")


def _lock(forum: Forum) -> Forum:
    return Forum.objects.select_for_update().get(pk=forum.pk)


def _check_move(forum: Forum, *, actor: User, to: str) -> permissions.ForumAccess:
    """Refuse a move of the forum (locked by the caller) that the actor may not make, or that
    the table of stages does not allow from where it is; returns the actor's access."""
    access = permissions.access_to(actor, forum)
    if not stages.MOVERS[to](access):
        raise PermissionDenied
    if to not in stages.allowed_next(forum.stage):
        raise stages.refusal(forum.stage, to)
    return access


def _move(
    forum: Forum, *, to: str, actor: User, reason: str = "", fields: Iterable[str] = ()
) -> ForumEvent:
    """Write the forum's new stage (with `fields`, set by the caller) and its history row:
    the only writer of `Forum.stage`, after `_check_move` and the caller's own rules."""
    before = forum.stage
    event = ForumEvent.objects.create(
        forum=forum, actor=actor, before=before, after=to, reason=reason.strip()
    )
    audit.record(
        audit.FORUM_MOVED,
        actor=actor,
        target=forum,
        organisation_id=forum.organiser_id,
        detail={"from": before, "to": to},
    )
    forum.stage = to
    forum.save(update_fields=["stage", *fields])
    return event


def _delegates_of(organisation_ids: Iterable[int]) -> list[User]:
    return list(
        User.objects.filter(
            role_grants__organisation_id__in=list(organisation_ids),
            role_grants__role=Role.DELEGATE,
            is_active=True,
        ).distinct()
    )


# --- Preparing ------------------------------------------------------------------------------


@transaction.atomic
def save_forum(
    forum: Forum | None,
    *,
    actor: User,
    data: Mapping[str, Any],
    organisations: Iterable[Organisation],
    organiser: Organisation | None = None,
) -> Forum:
    """Create a forum, or change its settings while it is being prepared."""
    organisations = list(organisations)
    if forum is None:
        if organiser is None or not has_role(actor, organiser.pk, Role.DELEGATE):
            raise PermissionDenied
        forum = Forum(created_by=actor, organiser=organiser)
    else:
        forum = _lock(forum)
        if not permissions.can_edit_setup(permissions.access_to(actor, forum)):
            raise PermissionDenied
    if not organisations:
        raise ValidationError(
            {"organisations": _("Choisissez au moins une collectivité participante.")}
        )
    for field in FORUM_FIELDS:
        if field in data:
            setattr(forum, field, data[field])
    forum.save()
    forum.organisations.set(organisations)
    return forum


@transaction.atomic
def add_criterion(forum: Forum, *, actor: User, data: Mapping[str, Any]) -> Criterion:
    """Add a criterion to the scoring grid (before scoring opens)."""
    forum = _lock(forum)
    if not permissions.can_edit_setup(permissions.access_to(actor, forum)):
        raise PermissionDenied
    errors = {}
    if data["weight"] is None or data["weight"] <= 0:
        errors["weight"] = _("Le poids doit être strictement positif.")
    if data["scale_max"] <= data["scale_min"]:
        errors["scale_max"] = _("La note maximale doit être supérieure à la note minimale.")
    if forum.criteria.filter(name__iexact=data["name"].strip()).exists():
        errors["name"] = _("Ce critère existe déjà dans la grille.")
    if errors:
        raise ValidationError(errors)
    position = (forum.criteria.aggregate(last=Max("position"))["last"] or 0) + 1
    values = {field: data[field] for field in CRITERION_FIELDS if field in data}
    values["name"] = values["name"].strip()
    return Criterion.objects.create(forum=forum, position=position, **values)


@transaction.atomic
def delete_criterion(criterion: Criterion, *, actor: User) -> None:
    """Remove a criterion from the grid (before scoring opens, so no score uses it)."""
    forum = _lock(criterion.forum)
    if not permissions.can_edit_setup(permissions.access_to(actor, forum)):
        raise PermissionDenied
    Criterion.objects.filter(pk=criterion.pk, forum=forum).delete()


@transaction.atomic
def add_juror(
    forum: Forum, *, actor: User, user: User, college: str, is_president: bool = False
) -> Juror:
    """Seat a person on the jury, with their own organisation and college."""
    forum = _lock(forum)
    if not permissions.can_edit_jury(permissions.access_to(actor, forum)):
        raise PermissionDenied
    if user.organisation_id is None:
        raise ValidationError(
            {"person": _("Cette personne n'est rattachée à aucune collectivité.")}
        )
    if forum.jurors.filter(user=user).exists():
        raise ValidationError({"person": _("Cette personne fait déjà partie du jury.")})
    if is_president and forum.jurors.filter(is_president=True).exists():
        raise ValidationError({"is_president": _("Le jury a déjà un·e président·e.")})
    try:
        with transaction.atomic():
            juror = Juror.objects.create(
                forum=forum,
                user=user,
                organisation_id=user.organisation_id,
                college=college,
                is_president=is_president,
            )
    except IntegrityError as error:  # the same person added from two tabs
        raise ValidationError({"person": _("Cette personne fait déjà partie du jury.")}) from error
    notify(
        [user],
        kind="juror_seated",
        subject=_("Vous êtes membre du jury de « %(forum)s »") % {"forum": forum.title},
        body=_(
            "Vous notez les pitchs du %(date)s à %(place)s. Vous ne noterez pas les projets "
            "de votre collectivité, ni ceux des collectivités où vous avez un rôle ; vous "
            "pouvez aussi vous déporter d'un pitch. Vos notes restent confidentielles jusqu'à "
            "la clôture."
        )
        % {"date": dates.day(forum.date), "place": forum.place},
        url=reverse("juries:score", args=[forum.pk]),
        dedupe_key=f"forum:{forum.pk}:juror:{user.pk}",
        exclude=actor,
    )
    return juror


@transaction.atomic
def remove_juror(juror: Juror, *, actor: User) -> None:
    """Take a juror off the jury, as long as they have not scored."""
    forum = _lock(juror.forum)
    if not permissions.can_edit_jury(permissions.access_to(actor, forum)):
        raise PermissionDenied
    if Score.objects.filter(juror=juror).exists():
        raise ValidationError(_("Ce juré a déjà noté : il ne peut plus quitter le jury."))
    # A recusal is a declaration on the record: removing the juror would erase it.
    if Recusal.objects.filter(juror=juror).exists():
        raise ValidationError(
            _("Ce juré s'est déporté d'un pitch : sa déclaration est consignée, il reste au jury.")
        )
    Juror.objects.filter(pk=juror.pk).delete()


@transaction.atomic
def put_forward(forum: Forum, *, actor: User, idea: Idea) -> Pitch:
    """Put one of one's organisation's ideas forward to the forum, within the quota."""
    # The forum row lock serialises delegates counting the quota at the same moment.
    forum = _lock(forum)
    if forum.stage != Stage.PREPARING:
        raise ValidationError(_("Le programme est arrêté : la notation a commencé."))
    if idea.organisation_id not in permissions.put_forward_organisation_ids(
        permissions.access_to(actor, forum)
    ):
        raise PermissionDenied
    if idea.state not in PUTTABLE_STATES:
        raise ValidationError(
            {"idea": _("Seules les idées qualifiées ou sélectionnées peuvent être présentées.")}
        )
    if forum.pitches.filter(idea=idea).exists():
        raise ValidationError({"idea": _("Cette idée est déjà au programme.")})
    taken = forum.pitches.filter(organisation_id=idea.organisation_id).count()
    if taken >= forum.quota:
        raise ValidationError(
            {
                "idea": _(
                    "Le quota du forum est atteint pour votre collectivité (quota : %(quota)s)."
                )
                % {"quota": forum.quota}
            }
        )
    position = (forum.pitches.aggregate(last=Max("position"))["last"] or 0) + 1
    try:
        with transaction.atomic():
            pitch = Pitch.objects.create(
                forum=forum,
                idea=idea,
                organisation_id=idea.organisation_id,
                position=position,
                put_forward_by=actor,
            )
    except IntegrityError as error:
        raise ValidationError({"idea": _("Cette idée est déjà au programme.")}) from error
    if idea.state == Idea.State.QUALIFIED:
        idea_services.move_idea(
            idea,
            to=Idea.State.SELECTED,
            actor=actor,
            reason=_("Retenue pour le forum « %(forum)s ».") % {"forum": forum.title},
        )
    else:
        notify(
            [idea.author, *idea.coauthors.all()],
            kind="pitch_put_forward",
            subject=_("« %(title)s » sera pitchée au forum") % {"title": idea.title},
            body=_("Votre idée est au programme du forum « %(forum)s » (%(place)s, %(date)s).")
            % {"forum": forum.title, "place": forum.place, "date": dates.day(forum.date)},
            url=idea.get_absolute_url(),
            dedupe_key=f"forum:{forum.pk}:pitch:{idea.pk}",
            exclude=actor,
        )
    return pitch


@transaction.atomic
def withdraw_pitch(pitch: Pitch, *, actor: User) -> None:
    """Take an idea off the programme before scoring opens (its state is left as it is)."""
    forum = _lock(pitch.forum)
    pitch.forum = forum
    if not permissions.can_withdraw_pitch(permissions.access_to(actor, forum), pitch):
        raise PermissionDenied
    Pitch.objects.filter(pk=pitch.pk).delete()


@transaction.atomic
def move_pitch(pitch: Pitch, *, actor: User, offset: int) -> None:
    """Swap a pitch with its neighbour in the order of passage."""
    forum = _lock(pitch.forum)
    if not permissions.can_order_programme(permissions.access_to(actor, forum)):
        raise PermissionDenied
    programme = list(forum.pitches.order_by("position", "id"))
    index = next((i for i, p in enumerate(programme) if p.pk == pitch.pk), None)
    if index is None or not 0 <= index + offset < len(programme):
        return
    programme[index], programme[index + offset] = programme[index + offset], programme[index]
    for position, item in enumerate(programme, start=1):
        if item.position != position:
            Pitch.objects.filter(pk=item.pk).update(position=position)


@transaction.atomic
def set_on_stage(forum: Forum, *, actor: User, pitch: Pitch | None) -> Forum:
    """Tell the jurors' phones which pitch is on stage."""
    forum = _lock(forum)
    if not permissions.can_run_room(permissions.access_to(actor, forum)):
        raise PermissionDenied
    if pitch is not None and pitch.forum_id != forum.pk:
        raise ValidationError(_("Ce pitch n'appartient pas à ce forum."))
    forum.current_pitch = pitch
    forum.save(update_fields=["current_pitch"])
    return forum


# --- Scoring --------------------------------------------------------------------------------


@transaction.atomic
def open_scoring(forum: Forum, *, actor: User, reason: str = "", tell_jurors: bool = True) -> Forum:
    """Freeze the grid and let the jury score (`tell_jurors=False`: the demo data, which
    notifies nobody)."""
    forum = _lock(forum)
    _check_move(forum, actor=actor, to=Stage.OPEN)
    missing = []
    if not forum.criteria.exists():
        missing.append(_("au moins un critère"))
    if not forum.jurors.exists():
        missing.append(_("au moins un juré"))
    if not forum.pitches.exists():
        missing.append(_("au moins une idée au programme"))
    if missing:
        raise ValidationError(
            _("Pour ouvrir la notation, il faut %(missing)s.") % {"missing": ", ".join(missing)}
        )
    forum.current_pitch = forum.current_pitch or forum.pitches.order_by("position", "id").first()
    _move(forum, to=Stage.OPEN, actor=actor, reason=reason, fields=["current_pitch"])
    if not tell_jurors:
        return forum
    notify(
        [juror.user for juror in forum.jurors.select_related("user")],
        kind="forum_scoring_open",
        subject=_("La notation de « %(forum)s » est ouverte") % {"forum": forum.title},
        body=_("Ouvrez la page de notation sur votre téléphone pendant les pitchs."),
        url=reverse("juries:score", args=[forum.pk]),
        dedupe_key=f"forum:{forum.pk}:open",
        exclude=actor,
    )
    return forum


@transaction.atomic
def close_scoring(forum: Forum, *, actor: User, reason: str = "") -> Forum:
    """Close scoring: marks are final, results appear, the top N are proposed as laureates."""
    forum = _lock(forum)
    _check_move(forum, actor=actor, to=Stage.CLOSED)
    forum.closed_at = timezone.now()
    forum.closed_by = actor
    forum.current_pitch = None
    _move(
        forum,
        to=Stage.CLOSED,
        actor=actor,
        reason=reason,
        fields=["closed_at", "closed_by", "current_pitch"],
    )
    top = selectors.ranked_ids(forum)[: forum.laureate_count]
    forum.pitches.update(laureate=False, laureate_reason="")
    forum.pitches.filter(pk__in=top).update(laureate=True)
    return forum


# --- Deliberation and publication ------------------------------------------------------------


@transaction.atomic
def designate_laureates(
    forum: Forum, *, actor: User, laureate_ids: Iterable[int], reasons: Mapping[int, str]
) -> Forum:
    """Record the jury's choice; any departure from the ranking needs a written reason."""
    forum = _lock(forum)
    if not permissions.can_deliberate(permissions.access_to(actor, forum)):
        raise PermissionDenied
    pitches = {pitch.pk: pitch for pitch in forum.pitches.all()}
    chosen = set(laureate_ids)
    if chosen - set(pitches):
        raise ValidationError(_("Un des pitchs choisis n'appartient pas à ce forum."))
    departing = departures(selectors.ranked_ids(forum), chosen, forum.laureate_count)
    errors = {}
    for pitch_id in departing:
        if not reasons.get(pitch_id, "").strip():
            errors[f"reason_{pitch_id}"] = _(
                "Ce choix s'écarte du classement : écrivez le motif, il sera publié."
            )
    if errors:
        raise ValidationError(errors)
    for pitch_id, pitch in pitches.items():
        reason = reasons.get(pitch_id, "").strip() if pitch_id in departing else ""
        laureate = pitch_id in chosen
        if (pitch.laureate, pitch.laureate_reason) != (laureate, reason):
            Pitch.objects.filter(pk=pitch_id).update(laureate=laureate, laureate_reason=reason)
    return forum


@transaction.atomic
def publish_results(forum: Forum, *, actor: User, reason: str = "") -> tuple[int, int]:
    """Publish the palmarès, and move to accompaniment the laureates the actor may move.

    `ideas.services.move_idea` lets only an organisation's delegates move its ideas: laureates
    of other organisations are left for their own delegates to confirm (they are told).
    Returns (laureates moved now, laureates left to their delegates).
    """
    forum = _lock(forum)
    access = _check_move(forum, actor=actor, to=Stage.PUBLISHED)
    laureates = list(forum.pitches.filter(laureate=True).select_related("idea"))
    if not laureates:
        raise ValidationError(_("Désignez au moins un lauréat avant de publier le palmarès."))
    reasons = dict(forum.pitches.values_list("pk", "laureate_reason"))
    chosen = {pitch.pk for pitch in laureates}
    ranked = selectors.ranked_ids(forum)
    if any(not reasons[pk] for pk in departures(ranked, chosen, forum.laureate_count)):
        raise ValidationError(_("Chaque écart au classement doit être motivé avant publication."))
    forum.published_at = timezone.now()
    _move(forum, to=Stage.PUBLISHED, actor=actor, reason=reason, fields=["published_at"])
    mine = permissions.accompaniment_organisation_ids(access)
    moved = accompany_laureates(forum, actor=actor) if mine else 0
    pending_orgs = {
        pitch.organisation_id
        for pitch in laureates
        if pitch.idea.state in PUTTABLE_STATES and pitch.organisation_id not in mine
    }
    url = reverse("juries:palmares", args=[forum.pk])
    authors = [pitch.idea.author for pitch in forum.pitches.select_related("idea__author")]
    notify(
        [juror.user for juror in forum.jurors.select_related("user")] + authors,
        kind="forum_published",
        subject=_("Le palmarès de « %(forum)s » est publié") % {"forum": forum.title},
        body=ngettext(
            "Découvrez le lauréat et les motifs de la délibération.",
            "Découvrez les %(count)s lauréats et les motifs de la délibération.",
            len(laureates),
        )
        % {"count": len(laureates)},
        url=url,
        dedupe_key=f"forum:{forum.pk}:published",
        exclude=actor,
    )
    if pending_orgs:
        notify(
            _delegates_of(pending_orgs),
            kind="forum_laureates_to_accompany",
            subject=_("Lauréats de « %(forum)s » : passez-les en accompagnement")
            % {"forum": forum.title},
            body=_(
                "Le palmarès est publié. En tant que délégué·e de votre collectivité, confirmez "
                "le passage de vos lauréats en accompagnement depuis la page du palmarès."
            ),
            url=url,
            dedupe_key=f"forum:{forum.pk}:accompany",
            exclude=actor,
        )
    return moved, len([p for p in laureates if p.organisation_id in pending_orgs])


@transaction.atomic
def accompany_laureates(forum: Forum, *, actor: User) -> int:
    """Move the laureates of the actor's organisations to accompaniment; returns how many.

    Ideas already in accompaniment or beyond are left as they are.
    """
    forum = Forum.objects.get(pk=forum.pk)
    allowed = permissions.accompaniment_organisation_ids(permissions.access_to(actor, forum))
    if not allowed:
        raise PermissionDenied
    reason = _(
        "Lauréate du forum « %(forum)s » : pré-incubation de trois mois au plus, avec du temps "
        "libéré et des moyens si nécessaire."
    ) % {"forum": forum.title}
    moved = 0
    pitches = forum.pitches.filter(laureate=True, organisation_id__in=allowed).select_related(
        "idea"
    )
    for pitch in pitches:
        idea = Idea.objects.select_for_update().get(pk=pitch.idea_id)
        if idea.state == Idea.State.QUALIFIED:
            idea = idea_services.move_idea(
                idea,
                to=Idea.State.SELECTED,
                actor=actor,
                reason=_("Retenue pour le forum « %(forum)s ».") % {"forum": forum.title},
            )
        if idea.state == Idea.State.SELECTED:
            idea_services.move_idea(idea, to=Idea.State.ACCOMPANIED, actor=actor, reason=reason)
            moved += 1
    return moved
