"""Every write that matters about ideas: one function per action, keyword-only actor.

Each function checks permission and domain rules, writes in one transaction, and queues its
notifications for after the commit. Nothing else writes `Idea.state` or the counters.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ideas import permissions, search, selectors
from ideas.models import Attachment, Campaign, Challenge, Comment, Follow, Idea, IdeaEvent, Vote
from ideas.pipeline import REASON_REQUIRED, InvalidTransition, allowed_next
from innovation.platform import audit
from innovation.platform.models import Role, User
from innovation.platform.notifications import notify
from innovation.platform.permissions import member_organisation_ids

IDEA_FIELDS = (
    "title",
    "irritant",
    "proposal",
    "beneficiaries",
    "expected_impact",
    "theme",
    "campaign",
    "challenge",
    "author_hidden",
)
# What a submitted idea must say; a draft needs only its title (a form field required always).
REQUIRED_TO_SUBMIT = ("title", "irritant", "proposal", "beneficiaries", "expected_impact")
# What save_campaign sets from its data; the organisations and themes come as arguments.
CAMPAIGN_FIELDS = ("title", "description", "opens_on", "closes_on", "allows_hidden_authors")
# What save_challenge sets from its data; the organisation is read once, at creation.
CHALLENGE_FIELDS = ("direction", "title", "description", "closes_on")


def _idea_url(idea: Idea) -> str:
    return reverse("ideas:detail", args=[idea.pk])


def _check_targets(idea: Idea, *, submitting: bool) -> None:
    """A submitted idea must answer an open campaign or challenge, if it names one."""
    errors: dict[str, str] = {}
    campaign = idea.campaign if idea.campaign_id and submitting else None
    if campaign is not None and not campaign.is_open():
        errors["campaign"] = _("Cet appel à idées est clos : choisissez-en un autre ou aucun.")
    challenge = idea.challenge if idea.challenge_id and submitting else None
    if challenge is not None and not challenge.is_open():
        errors["challenge"] = _("Ce défi n'accepte plus de réponses.")
    if errors:
        raise ValidationError(errors)


def missing_for_submission(values: Mapping[str, Any]) -> dict[str, str]:
    """What a submission still lacks: the empty required fields, each with its message."""
    message = _("Ce champ est obligatoire pour déposer l'idée.")
    return {
        field: message for field in REQUIRED_TO_SUBMIT if not str(values.get(field) or "").strip()
    }


def _check_complete(idea: Idea) -> None:
    missing = missing_for_submission({field: getattr(idea, field) for field in REQUIRED_TO_SUBMIT})
    if missing:
        raise ValidationError(missing)


def _check_hidden_author(idea: Idea, *, before: tuple[bool, int | None] | None = None) -> None:
    """An author may hide their name only in a campaign that allows it. Checked when the
    choice is made or the campaign changes (`before`: what they were): a campaign that stops
    allowing it later does not reveal the authors who chose it."""
    if not idea.author_hidden or before == (True, idea.campaign_id):
        return
    campaign = idea.campaign if idea.campaign_id else None
    if campaign is None or not campaign.allows_hidden_authors:
        raise ValidationError(
            {
                "author_hidden": _(
                    "Seul un appel à idées qui le permet accepte une idée dont l'auteur·rice "
                    "n'est connu·e que des délégué·es : choisissez-en un, ou décochez la case."
                )
            }
        )


def _home_organisation_id(user: User) -> int:
    organisations = member_organisation_ids(user)
    if user.organisation_id in organisations:
        return user.organisation_id
    if not organisations:
        raise PermissionDenied
    return min(organisations)


@transaction.atomic
def create_idea(
    *,
    author: User,
    data: dict[str, Any],
    coauthors: Iterable[User] = (),
    attachments: Iterable[tuple[Any, str]] = (),
    submit: bool = False,
) -> Idea:
    """Create an idea as a draft, or submitted straight away, with its checked files
    (`(upload, content_type)` pairs, see ideas.forms.check_attachment)."""
    if not permissions.can_submit_ideas(author):
        raise PermissionDenied
    idea = Idea(author=author, organisation_id=_home_organisation_id(author))
    if idea.organisation_id == author.organisation_id:
        idea.direction_id = author.direction_id
    for field in IDEA_FIELDS:
        if field in data:
            setattr(idea, field, data[field])
    _check_targets(idea, submitting=submit)
    _check_hidden_author(idea)
    idea.save()
    Follow.objects.get_or_create(idea=idea, user=author)
    IdeaEvent.objects.create(idea=idea, actor=author, before="", after=Idea.State.DRAFT)
    set_coauthors(idea, actor=author, coauthors=coauthors)
    search.refresh_search_vector([idea.pk])
    for upload, content_type in attachments:
        add_attachment(idea, actor=author, upload=upload, content_type=content_type)
    if submit:
        return move_idea(idea, to=Idea.State.SUBMITTED, actor=author)
    return idea


@transaction.atomic
def update_idea(
    idea: Idea,
    *,
    actor: User,
    data: dict[str, Any],
    coauthors: Iterable[User] | None = None,
    submit: bool = False,
) -> Idea:
    """Edit an idea's text, and submit a draft if asked; only its authors, until it is
    qualified. A refused submission leaves the idea as it was (one transaction)."""
    idea = Idea.objects.select_for_update().get(pk=idea.pk)
    if not permissions.can_edit_idea(actor, idea):
        raise PermissionDenied
    targets = (idea.campaign_id, idea.challenge_id)
    hidden_before = (idea.author_hidden, idea.campaign_id)
    for field in IDEA_FIELDS:
        if field in data:
            setattr(idea, field, data[field])
    if idea.state != Idea.State.DRAFT:
        _check_complete(idea)  # a submitted idea keeps saying all it must
    # A submitted idea may keep the call it answered after the call closes, not move into one.
    if (idea.campaign_id, idea.challenge_id) != targets:
        _check_targets(idea, submitting=idea.state == Idea.State.SUBMITTED)
    if idea.author_hidden != hidden_before[0] and actor.pk != idea.author_id:
        raise ValidationError(
            {
                "author_hidden": _(
                    "Seul·e l'auteur·rice de l'idée choisit de montrer ou de masquer son nom."
                )
            }
        )
    _check_hidden_author(idea, before=hidden_before)
    idea.save()
    if coauthors is not None:
        set_coauthors(idea, actor=actor, coauthors=coauthors)
    search.refresh_search_vector([idea.pk])
    if submit and idea.state == Idea.State.DRAFT:
        return move_idea(idea, to=Idea.State.SUBMITTED, actor=actor)
    return idea


def set_coauthors(idea: Idea, *, actor: User, coauthors: Iterable[User]) -> list[User]:
    """The idea's co-authors become `coauthors` (its author aside). Each person added follows
    the idea and is told, with a way to leave it; returns those added. Called within the
    create or update that checked `actor` may write the idea."""
    wanted = {user.pk: user for user in coauthors if user.pk != idea.author_id}
    before = set(idea.coauthors.values_list("pk", flat=True))
    idea.coauthors.set(list(wanted.values()))
    added = [user for pk, user in wanted.items() if pk not in before]
    for user in added:
        Follow.objects.get_or_create(idea=idea, user=user)
    notify(
        added,
        kind="coauthor_added",
        subject=_("Vous êtes co-auteur·rice de « %(title)s »") % {"title": idea.title},
        body=_(
            "%(name)s vous a ajouté·e comme co-auteur·rice de l'idée « %(title)s » : vous "
            "pouvez la modifier avec ses auteur·rices et vous êtes prévenu·e de ses étapes. "
            "Si ce n'est pas votre idée, retirez-vous depuis sa page."
        )
        % {"name": actor.get_full_name(), "title": idea.title},
        url=idea.get_absolute_url(),
        exclude=actor,
    )
    return added


@transaction.atomic
def leave_coauthorship(idea: Idea, *, actor: User) -> Idea:
    """A co-author takes their name off an idea (and stops following it); its author is
    told. Written in the audit trail: who wrote an idea is part of its record."""
    idea = Idea.objects.select_for_update().get(pk=idea.pk)
    if not idea.coauthors.filter(pk=actor.pk).exists():
        raise PermissionDenied
    idea.coauthors.remove(actor)
    Follow.objects.filter(idea=idea, user=actor).delete()
    audit.record(
        audit.COAUTHOR_LEFT,
        actor=actor,
        organisation_id=idea.organisation_id,
        target=idea,
    )
    notify(
        [idea.author],
        kind="coauthor_left",
        subject=_("%(name)s n'est plus co-auteur·rice de « %(title)s »")
        % {"name": actor.get_full_name(), "title": idea.title},
        body=_("%(name)s s'est retiré·e des co-auteur·rices de votre idée « %(title)s ».")
        % {"name": actor.get_full_name(), "title": idea.title},
        url=idea.get_absolute_url(),
        exclude=actor,
    )
    return idea


def _concerned(idea: Idea) -> list[User]:
    """Authors and followers: the people told about an idea's news."""
    people = [idea.author, *idea.coauthors.all()]
    people += [follow.user for follow in idea.follows.select_related("user")]
    return people


def _delegates_of(organisation_id: int) -> list[User]:
    return list(
        User.objects.filter(
            role_grants__organisation_id=organisation_id,
            role_grants__role=Role.DELEGATE,
            is_active=True,
        ).distinct()
    )


@transaction.atomic
def move_idea(
    idea: Idea, *, to: str, actor: User, reason: str = "", support: str | None = None
) -> Idea:
    """Move an idea along the pipeline; the only writer of Idea.state."""
    idea = Idea.objects.select_for_update().get(pk=idea.pk)
    if not permissions.can_move_idea(actor, idea, to):
        raise PermissionDenied
    if to not in allowed_next(idea.state):
        raise InvalidTransition(idea.state, to)
    reason = reason.strip()
    if to in REASON_REQUIRED and not reason:
        raise ValidationError({"reason": _("Indiquez le motif : l'auteur·rice le lira.")})
    if to == Idea.State.SUBMITTED and idea.state == Idea.State.DRAFT:
        _check_complete(idea)
        _check_targets(idea, submitting=True)
        idea.submitted_at = timezone.now()
    if support is not None:
        _write_support(idea, support)
    before = idea.state
    IdeaEvent.objects.create(idea=idea, actor=actor, before=before, after=to, reason=reason)
    audit.record(audit.IDEA_MOVED, actor=actor, target=idea, detail={"from": before, "to": to})
    idea.state = to
    idea.save(update_fields=["state", "support", "submitted_at", "updated_at"])

    label = Idea.State(to).label
    url = _idea_url(idea)
    if to == Idea.State.SUBMITTED and before == Idea.State.DRAFT:
        # Told to the delegates of the idea's organisation: they may read a hidden author's
        # name (permissions.author_shown), and are asked to keep it.
        body = _("%(author)s a déposé l'idée « %(title)s ». Elle attend d'être qualifiée.") % {
            "author": idea.author.get_full_name(),
            "title": idea.title,
        }
        if idea.author_hidden:
            body += "\n\n" + _(
                "L'auteur·rice a demandé que son nom ne soit connu que des délégué·es : "
                "les autres agents lisent « Auteur·rice masqué·e »."
            )
        notify(
            _delegates_of(idea.organisation_id),
            kind="idea_submitted",
            subject=_("Nouvelle idée déposée : « %(title)s »") % {"title": idea.title},
            body=body,
            url=url,
            exclude=actor,
        )
    else:
        body = _("L'idée « %(title)s » est passée à l'étape « %(state)s ».") % {
            "title": idea.title,
            "state": label,
        }
        if reason:
            body += "\n\n" + _("Motif : %(reason)s") % {"reason": reason}
        notify(
            _concerned(idea),
            kind="idea_moved",
            subject=_("« %(title)s » : %(state)s") % {"title": idea.title, "state": label},
            body=body,
            url=url,
            exclude=actor,
        )
    return idea


@transaction.atomic
def set_support(idea: Idea, *, actor: User, support: str) -> Idea:
    """Record the level of support a project needs (autonomous, internal, external)."""
    idea = Idea.objects.select_for_update().get(pk=idea.pk)
    if not permissions.can_set_support(actor, idea):
        raise PermissionDenied
    _write_support(idea, support)
    idea.save(update_fields=["support", "updated_at"])
    return idea


def _write_support(idea: Idea, support: str) -> None:
    """The one assignment of `Idea.support`: `set_support`, and `move_idea` when a delegate
    selects an idea and says its support in the same step. The caller holds the row lock."""
    if support and support not in Idea.Support.values:
        raise ValidationError({"support": _("Choisissez un accompagnement de la liste.")})
    idea.support = support


@transaction.atomic
def cast_vote(idea: Idea, *, voter: User) -> bool:
    """Vote for an idea; idempotent, returns whether a vote was added."""
    if not permissions.can_vote(voter, idea):
        if permissions.is_author(voter, idea):
            raise ValidationError(_("Vous ne pouvez pas soutenir votre propre idée."))
        raise PermissionDenied
    try:
        with transaction.atomic():
            Vote.objects.create(idea=idea, voter=voter)
    except IntegrityError:
        return False  # already voted (a second click or another tab)
    Idea.objects.filter(pk=idea.pk).update(vote_count=F("vote_count") + 1)
    return True


@transaction.atomic
def withdraw_vote(idea: Idea, *, voter: User) -> bool:
    """Take one's vote back; idempotent, returns whether a vote was removed."""
    deleted, _details = Vote.objects.filter(idea=idea, voter=voter).delete()
    if deleted:
        Idea.objects.filter(pk=idea.pk).update(vote_count=F("vote_count") - 1)
    return bool(deleted)


@transaction.atomic
def set_following(idea: Idea, *, user: User, following: bool) -> None:
    """Follow an idea's news, or stop following; idempotent."""
    if not permissions.can_follow(user, idea):
        raise PermissionDenied
    if following:
        Follow.objects.get_or_create(idea=idea, user=user)
    else:
        Follow.objects.filter(idea=idea, user=user).delete()


@transaction.atomic
def add_comment(idea: Idea, *, author: User, body: str) -> Comment:
    """Comment on an idea and tell its authors and followers."""
    if not permissions.can_comment(author, idea):
        raise PermissionDenied
    body = body.strip()
    if not body:
        raise ValidationError({"body": _("Le commentaire est vide.")})
    comment = Comment.objects.create(idea=idea, author=author, body=body)
    Idea.objects.filter(pk=idea.pk).update(comment_count=F("comment_count") + 1)
    url = selectors.comment_url(comment)
    concerned = _concerned(idea)
    # A hidden author commenting is named only to those who may know them.
    masked = (
        [person for person in concerned if not permissions.can_see_author(person, idea)]
        if idea.author_hidden and permissions.is_author(author, idea)
        else []
    )
    for people, name in (
        ([person for person in concerned if person not in masked], author.get_full_name()),
        (masked, str(permissions.HIDDEN_AUTHOR)),
    ):
        notify(
            people,
            kind="idea_commented",
            subject=_("Nouveau commentaire sur « %(title)s »") % {"title": idea.title},
            body=_("%(author)s a commenté : %(body)s") % {"author": name, "body": body[:500]},
            url=url,
            exclude=author,
        )
    return comment


@transaction.atomic
def hide_comment(comment: Comment, *, actor: User, reason: str) -> Comment:
    """Hide a comment with a reason; the author is told why."""
    comment = Comment.objects.select_for_update().select_related("idea").get(pk=comment.pk)
    if not permissions.can_moderate(actor, comment):
        raise PermissionDenied
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Indiquez le motif du masquage.")})
    if comment.is_hidden:
        return comment
    comment.hidden_at = timezone.now()
    comment.hidden_by = actor
    comment.hidden_reason = reason
    comment.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
    Idea.objects.filter(pk=comment.idea_id).update(comment_count=F("comment_count") - 1)
    notify(
        [comment.author],
        kind="comment_hidden",
        subject=_("Votre commentaire a été masqué"),
        body=_("Votre commentaire sur « %(title)s » a été masqué. Motif : %(reason)s")
        % {"title": comment.idea.title, "reason": reason},
        url=_idea_url(comment.idea),
        exclude=actor,
    )
    return comment


@transaction.atomic
def add_attachment(idea: Idea, *, actor: User, upload, content_type: str) -> Attachment:
    """Attach a checked file to an idea (the form checks size, extension and content)."""
    if not permissions.can_edit_idea(actor, idea):
        raise PermissionDenied
    return Attachment.objects.create(
        idea=idea,
        file=upload,
        original_name=upload.name[:200],
        content_type=content_type,
        size=upload.size,
        uploaded_by=actor,
    )


@transaction.atomic
def save_campaign(
    campaign: Campaign | None, *, actor: User, data: dict[str, Any], organisations, themes
) -> Campaign:
    """Open a call for ideas, or change one, over organisations the delegate serves."""
    allowed = permissions.pipeline_organisation_ids(actor)
    if not organisations or any(org.pk not in allowed for org in organisations):
        raise PermissionDenied
    if campaign is None:
        campaign = Campaign(created_by=actor)
    elif not permissions.can_edit_campaign(actor, campaign):
        raise PermissionDenied
    for field in CAMPAIGN_FIELDS:
        setattr(campaign, field, data[field])
    campaign.save()
    campaign.organisations.set(organisations)
    campaign.themes.set(themes)
    return campaign


@transaction.atomic
def save_challenge(challenge: Challenge | None, *, actor: User, data: dict[str, Any]) -> Challenge:
    """Post a challenge (directors and delegates), or edit one's own."""
    if challenge is None:
        if not permissions.can_post_challenge(actor):
            raise PermissionDenied
        organisation_id = data["organisation"].pk
        if organisation_id not in permissions.challenge_organisation_ids(actor):
            raise PermissionDenied
        challenge = Challenge(author=actor, organisation_id=organisation_id)
    elif not permissions.can_edit_challenge(actor, challenge):
        raise PermissionDenied
    for field in CHALLENGE_FIELDS:
        setattr(challenge, field, data.get(field))
    challenge.save()
    return challenge
