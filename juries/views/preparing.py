"""Preparing a forum: the list, its settings, the grid, the jury, the programme, and opening
the scoring."""

from __future__ import annotations

from collections import Counter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from innovation.platform.web import AuthenticatedRequest, add_errors, url_maker
from juries import permissions, selectors, services
from juries.forms import (
    CriterionForm,
    ForumForm,
    JurorForm,
    PutForwardForm,
)
from juries.models import Criterion, Juror, Pitch
from juries.views import results
from juries.views.common import (
    Stage,
    _error_text,
    _page,
    _visible_child,
)

# --- Forums ---------------------------------------------------------------------------------


@login_required
def forum_list(request: AuthenticatedRequest) -> HttpResponse:
    forums = (
        permissions.visible_forums(request.user)
        .select_related("organiser")
        .prefetch_related("organisations")
    )
    seats = set(
        Juror.objects.filter(user=request.user, forum__in=forums).values_list("forum_id", flat=True)
    )
    return render(
        request,
        "juries/forum_list.html",
        {
            "forums": forums,
            "seats": seats,
            "can_create": permissions.can_create_forum(request.user),
        },
    )


@login_required
def forum_create(request: AuthenticatedRequest) -> HttpResponse:
    if not permissions.can_create_forum(request.user):
        raise PermissionDenied
    form = ForumForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            forum = services.save_forum(
                None,
                actor=request.user,
                data=form.cleaned_data,
                organisations=form.cleaned_data["organisations"],
                organiser=form.cleaned_data["organiser"],
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Forum créé : composez maintenant la grille et le jury."))
            return redirect(forum)
    return render(request, "juries/forum_form.html", {"form": form})


@login_required
def forum_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    access = selectors.forum_access(request.user, pk)
    if not permissions.can_edit_setup(access):
        raise PermissionDenied
    forum = access.forum
    form = ForumForm(request.POST or None, instance=forum, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_forum(
                forum,
                actor=request.user,
                data=form.cleaned_data,
                organisations=form.cleaned_data["organisations"],
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Forum enregistré."))
            return redirect(forum)
    return render(request, "juries/forum_form.html", {"form": form, "forum": forum})


@login_required
def forum_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    access = selectors.forum_access(request.user, pk)
    forum = access.forum
    prefetch_related_objects([forum], "organisations")  # the quotas and the template list them
    programme = selectors.programme(forum)
    put_forward_ids = permissions.put_forward_organisation_ids(access)
    taken = Counter(pitch.organisation_id for pitch in programme)
    quotas = [
        {"organisation": org, "taken": taken[org.pk], "mine": org.pk in put_forward_ids}
        for org in forum.organisations.all()
    ]
    can_manage = permissions.can_manage_forum(access)
    jury = selectors.jury(forum)
    _add_standings(jury, programme, forum.organisations.all(), taken)
    move_url, withdraw_url = url_maker("juries:pitch_move"), url_maker("juries:pitch_withdraw")
    for pitch in programme:
        pitch.move_url, pitch.withdraw_url = move_url(pitch.pk), withdraw_url(pitch.pk)
    delete_url = url_maker("juries:juror_delete")
    for juror in jury:
        juror.delete_url = delete_url(juror.pk)
    return _page(
        request,
        "juries/forum_detail.html",
        access,
        {
            "programme": programme,
            "jury": jury,
            "criteria": selectors.criteria(forum),
            "quotas": quotas,
            "seat": access.seat,
            "can_manage": can_manage,
            "can_edit_setup": permissions.can_edit_setup(access),
            "can_edit_jury": permissions.can_edit_jury(access),
            "can_put_forward": permissions.can_put_forward(access),
            "can_order": permissions.can_order_programme(access),
            "can_run_room": permissions.can_run_room(access),
            "can_open": permissions.can_open_scoring(access),
            "can_close": permissions.can_close_scoring(access),
            "can_see_results": permissions.can_see_results(access),
            "can_withdraw": forum.stage == Stage.PREPARING,
            "my_put_forward_ids": put_forward_ids,
            # Read for those who prepare the forum only: the jury's page costs no query more.
            "history": (
                selectors.forum_history(forum)
                if permissions.can_see_forum_history(access)
                else None
            ),
            "criterion_form": CriterionForm(prefix="criterion"),
            "juror_form": JurorForm(prefix="juror", user=request.user),
        },
        active="detail",
    )


def _not_scored(
    juror: Juror,
    organisations,
    pitch_counts: Counter | None = None,
    *,
    grants: list[tuple[int, str]] | None = None,
) -> list[str]:
    """« Département du Nord (sa collectivité) » for each participating collectivité whose
    pitches the juror does not score, as the delegates preparing the jury read it; with how
    many pitches of it are on the programme, when `pitch_counts` is given. `grants`: the
    juror's role grants, when loaded with the jury."""
    reasons = permissions.conflicts(juror.user, juror, grants=grants)
    items = []
    for organisation in organisations:
        if organisation.pk not in reasons:
            continue
        why = permissions.conflict_text(reasons[organisation.pk], own=False)
        if pitch_counts is not None:
            count = pitch_counts[organisation.pk]
            why += ", " + ngettext("%(count)s pitch", "%(count)s pitchs", count) % {"count": count}
        items.append(f"{organisation} ({why})")
    return items


def _add_standings(jury: list[Juror], programme: list[Pitch], organisations, taken) -> None:
    """What the jury section and the programme of the forum page show, computed now (pitches
    and role grants may come after seating): for each juror, the collectivités they do not
    score (`juror.not_scored`); for each pitch, how many jurors score it
    (`pitch.scoring_jurors`)."""
    organisations = list(organisations)
    for juror in jury:
        grants = juror.grants
        juror.not_scored = _not_scored(juror, organisations, taken, grants=grants)
        juror.conflicted = permissions.conflicted_organisation_ids(juror.user, juror, grants=grants)
        juror.recused = {recusal.pitch_id for recusal in juror.recusal_list}
    for pitch in programme:
        pitch.scoring_jurors = len(
            [
                juror
                for juror in jury
                if pitch.organisation_id not in juror.conflicted and pitch.pk not in juror.recused
            ]
        )


@login_required
def criterion_create(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    access = selectors.forum_access(request.user, pk)
    if not permissions.can_edit_setup(access):
        raise PermissionDenied
    forum = access.forum
    form = CriterionForm(request.POST or None, prefix="criterion")
    if request.method == "POST" and form.is_valid():
        try:
            services.add_criterion(forum, actor=request.user, data=form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Critère ajouté à la grille."))
            return redirect(reverse("juries:detail", args=[forum.pk]) + "#grille")
    return render(request, "juries/criterion_form.html", {"form": form, "forum": forum})


@login_required
@require_POST
def criterion_delete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    criterion = _visible_child(Criterion, request, pk)
    services.delete_criterion(criterion, actor=request.user)
    messages.success(request, _("Critère retiré de la grille."))
    return redirect(reverse("juries:detail", args=[criterion.forum_id]) + "#grille")


@login_required
def juror_create(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    access = selectors.forum_access(request.user, pk)
    if not permissions.can_edit_jury(access):
        raise PermissionDenied
    forum = access.forum
    form = JurorForm(request.POST or None, prefix="juror", user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            juror = services.add_juror(
                forum,
                actor=request.user,
                user=form.cleaned_data["person"],
                college=form.cleaned_data["college"],
                is_president=form.cleaned_data["is_president"],
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            not_scored = _not_scored(juror, forum.organisations.order_by("name"))
            text = _("%(name)s rejoint le jury.") % {"name": juror.user.get_full_name()}
            if not_scored:
                text += " " + _("Ne notera pas les pitchs de : %(list)s.") % {
                    "list": " ; ".join(not_scored)
                }
            messages.success(request, text)
            return redirect(reverse("juries:detail", args=[forum.pk]) + "#jury")
    return render(request, "juries/juror_form.html", {"form": form, "forum": forum})


@login_required
@require_POST
def juror_delete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    juror = _visible_child(Juror, request, pk)
    try:
        services.remove_juror(juror, actor=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("Juré retiré du jury."))
    return redirect(reverse("juries:detail", args=[juror.forum_id]) + "#jury")


@login_required
def put_forward(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    access = selectors.forum_access(request.user, pk)
    if not permissions.can_put_forward(access):
        raise PermissionDenied
    forum = access.forum
    organisation_ids = permissions.put_forward_organisation_ids(access)
    form = PutForwardForm(request.POST or None, organisation_ids=organisation_ids, forum=forum)
    if request.method == "POST" and form.is_valid():
        try:
            services.put_forward(forum, actor=request.user, idea=form.cleaned_data["idea"])
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Idée ajoutée au programme."))
            return redirect(reverse("juries:detail", args=[forum.pk]) + "#programme")
    taken = Counter(
        forum.pitches.filter(organisation__in=organisation_ids).values_list(
            "organisation_id", flat=True
        )
    )
    quotas = [
        {"organisation": org, "taken": taken[org.pk]}
        for org in forum.organisations.filter(pk__in=organisation_ids)
    ]
    return render(
        request, "juries/pitch_form.html", {"form": form, "forum": forum, "quotas": quotas}
    )


@login_required
@require_POST
def pitch_withdraw(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    pitch = _visible_child(Pitch, request, pk)
    services.withdraw_pitch(pitch, actor=request.user)
    messages.success(request, _("Idée retirée du programme."))
    return redirect(reverse("juries:detail", args=[pitch.forum_id]) + "#programme")


@login_required
@require_POST
def pitch_move(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    pitch = _visible_child(Pitch, request, pk)
    offset = -1 if request.POST.get("direction") == "up" else 1
    services.move_pitch(pitch, actor=request.user, offset=offset)
    return redirect(reverse("juries:detail", args=[pitch.forum_id]) + "#programme")


@login_required
@require_POST
def forum_stage(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Open scoring (`to=open`), or close it (`to=closed`, answered by `results.close`)."""
    access = selectors.forum_access(request.user, pk)
    to = request.POST.get("to")
    if to == Stage.CLOSED:
        return results.close(request, access)
    if to != Stage.OPEN:
        raise Http404
    if not permissions.can_open_scoring(access):
        raise PermissionDenied
    forum = access.forum
    try:
        services.open_scoring(forum, actor=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return redirect(forum)
    messages.success(request, _("La notation est ouverte : les jurés peuvent noter."))
    return redirect(forum)
