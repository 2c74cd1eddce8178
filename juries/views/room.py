"""The room: the juror's scoring pages and recusal, the pitch on stage, the live board (and
its JSON) and the timer."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import condition, require_POST

from innovation.platform.web import AuthenticatedRequest, add_errors, url_maker
from juries import permissions, scores, selectors, services
from juries.forms import (
    RecusalForm,
    ScoreForm,
)
from juries.models import Juror, Pitch
from juries.templatetags.live_board import cell_labels
from juries.views.common import (
    Stage,
    _juror_or_403,
    _page,
    _room_access,
)


def _wants_json(request: AuthenticatedRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@login_required
@require_POST
def on_stage(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    forum = _room_access(request, pk).forum
    pitch_id = request.POST.get("pitch", "")
    pitch = None
    if pitch_id:
        if not pitch_id.isdecimal():
            raise Http404
        pitch = get_object_or_404(
            Pitch.objects.select_related("idea"), pk=int(pitch_id), forum=forum
        )
    services.set_on_stage(forum, actor=request.user, pitch=pitch)
    if pitch:
        messages.success(request, _("Sur scène : « %(title)s ».") % {"title": pitch.idea.title})
    target = request.POST.get("next")
    if target in {"timer", "board"}:
        return redirect(reverse(f"juries:{target}", args=[forum.pk]))
    return redirect(reverse("juries:detail", args=[forum.pk]) + "#programme")


# --- Scoring --------------------------------------------------------------------------------
#
# Each scoring page comes from one set of queries (`selectors.scoring_page`,
# `selectors.pitch_for_scoring`): what a juror may score depends on their own organisation,
# role grants and recusals.


def _why(
    request: AuthenticatedRequest, seat: Juror, pitch: Pitch, obstacle: str | None
) -> dict | None:
    """Why the juror does not score this pitch, for `_why.html`: recused, or a conflict with
    their own collectivité (`home`) or through the roles they hold in it (`roles`)."""
    if obstacle is None:
        return None
    reasons = permissions.conflicts(request.user, seat).get(pitch.organisation_id, frozenset())
    return {
        "obstacle": obstacle,
        "home": permissions.HOME in reasons,
        "roles": ", ".join(permissions.conflict_roles(reasons)),
    }


def _programme_lines(
    request: AuthenticatedRequest, seat: Juror, page: selectors.ScoringPage
) -> list:
    """Each pitch of the programme with this juror's standing: "todo", "done", "conflict"
    (with why, and whether marks given before the conflict remain) or "recused"."""
    recusals = {recusal.pitch_id: recusal for recusal in seat.recusals.all()}
    score_url = url_maker("juries:score_pitch", seat.forum_id)
    recuse_url = url_maker("juries:recuse", seat.forum_id)
    lines = []
    for pitch in page.pitches:
        obstacle = permissions.scoring_obstacle(request.user, seat, pitch)
        scored = "done" if pitch.pk in page.marks else "todo"
        lines.append(
            {
                "pitch": pitch,
                "state": obstacle or scored,
                "why": _why(request, seat, pitch, obstacle),
                "has_marks": pitch.pk in page.marks,
                "recusal": recusals.get(pitch.pk),
                "score_url": score_url(pitch.pk),
                "recuse_url": recuse_url(pitch.pk),
            }
        )
    return lines


@login_required
def score(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The juror's phone page: the pitch on stage first, then the whole programme."""
    access = selectors.forum_access(request.user, pk)
    seat = _juror_or_403(access)
    forum = access.forum
    page = selectors.scoring_page(request.user, forum, seat)
    current_form = None
    current_why = None
    if page.current is not None:
        if page.current_obstacle is None:
            current_form = _score_form(page.grid, page.marks.get(page.current.pk, {}), page.note)
        else:
            current_why = _why(request, seat, page.current, page.current_obstacle)
    return _page(
        request,
        "juries/score_page.html",
        access,
        {
            "seat": seat,
            "current": page.current,
            "current_form": current_form,
            "current_why": current_why,
            "marks": page.marks,
            "lines": _programme_lines(request, seat, page),
            "open": forum.stage == Stage.OPEN,
            "can_recuse": permissions.can_recuse(access),
        },
        active="score",
    )


def _score_form(grid, marks: dict[int, int], note: str, data=None) -> ScoreForm:
    initial: dict[str, int | str] = {f"criterion_{cid}": value for cid, value in marks.items()}
    initial["comment"] = note
    return ScoreForm(data, criteria=grid, initial=initial)


@login_required
def score_pitch(request: AuthenticatedRequest, pk: int, pitch_pk: int) -> HttpResponse:
    """One pitch's form; answers JSON to the page's script, and redirects plain forms."""
    access = selectors.forum_access(request.user, pk)
    seat = _juror_or_403(access)
    forum = access.forum
    pitch, grid, marks, note = selectors.pitch_for_scoring(forum, seat, pitch_pk)
    obstacle = permissions.scoring_obstacle(request.user, seat, pitch)
    form = _score_form(grid, marks, note, data=request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        # Even when the page shows no form: the service gives the reason, the database holds.
        if form.is_valid():
            try:
                scores.save_scores(
                    forum,
                    actor=request.user,
                    pitch=pitch,
                    values=form.values(),
                    comment=form.cleaned_data["comment"],
                )
            except ValidationError as error:
                add_errors(form, error)
            else:
                saved = _("Enregistré")
                if _wants_json(request):
                    return JsonResponse(
                        {"ok": True, "message": str(saved), "pitch": pitch.pk, "scored": True}
                    )
                messages.success(
                    request,
                    _("%(saved)s : vos notes pour « %(title)s ».")
                    % {"saved": saved, "title": pitch.idea.title},
                )
                return redirect("juries:score", pk=forum.pk)
        status = 400
        if _wants_json(request):
            return JsonResponse(
                {"ok": False, "errors": {k: [str(m) for m in v] for k, v in form.errors.items()}},
                status=status,
            )
    return _page(
        request,
        "juries/score_pitch.html",
        access,
        {
            "seat": seat,
            "pitch": pitch,
            "form": form,
            "obstacle": obstacle,
            "why": _why(request, seat, pitch, obstacle),
            "open": forum.stage == Stage.OPEN,
            "scored": bool(marks),
            "can_recuse": permissions.can_recuse(access),
        },
        active="score",
        status=status,
    )


@login_required
def recuse(request: AuthenticatedRequest, pk: int, pitch_pk: int) -> HttpResponse:
    """« Je me déporte » : what it means, then the declaration (a plain form, no script)."""
    access = selectors.forum_access(request.user, pk)
    seat = _juror_or_403(access)
    forum = access.forum
    pitch, _grid, marks, _note = selectors.pitch_for_scoring(forum, seat, pitch_pk)
    recusal = next((r for r in seat.recusals.all() if r.pitch_id == pitch.pk), None)
    form = RecusalForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                scores.recuse(
                    forum, actor=request.user, pitch=pitch, reason=form.cleaned_data["reason"]
                )
            except ValidationError as error:
                add_errors(form, error)
            else:
                text = _("Vous vous êtes déporté·e pour « %(title)s ».") % {
                    "title": pitch.idea.title
                }
                if marks:
                    text += " " + ngettext(
                        "Votre note a été retirée.",
                        "Vos %(count)s notes ont été retirées.",
                        len(marks),
                    ) % {"count": len(marks)}
                messages.success(request, text)
                return redirect("juries:score", pk=forum.pk)
        status = 400
    return _page(
        request,
        "juries/recuse.html",
        access,
        {
            "pitch": pitch,
            "form": form,
            "recusal": recusal,
            "mark_count": len(marks),
            "can_recuse": permissions.can_recuse(access) and recusal is None,
        },
        active="score",
        status=status,
    )


# --- The room -------------------------------------------------------------------------------


@login_required
def board(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    access = _room_access(request, pk)
    data = selectors.board(access.forum)
    return _page(
        request,
        "juries/board.html",
        access,
        {**data, "labels": cell_labels(), "can_close": permissions.can_close_scoring(access)},
        active="board",
    )


@login_required
def board_json(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Who scored what, for the board's polling every few seconds: `304 Not Modified` while
    nothing it shows changed (`selectors.board_version`, one small query)."""
    access = _room_access(request, pk)  # before any answer, 304 included
    forum = access.forum
    # Read before the state: a write in between makes the next poll fetch it again.
    version = selectors.board_version(forum)

    @condition(etag_func=lambda request, pk: version)
    def answer(request: HttpRequest, pk: int) -> JsonResponse:
        data = selectors.board(forum)
        return JsonResponse(
            {
                "stage": forum.stage,
                "current": forum.current_pitch_id,
                "cells": {key: state for row in data["rows"] for key, state in row["cells"]},
                "jurors": {str(row["juror"].pk): row["done"] for row in data["rows"]},
                "pitches": {str(pk): count for pk, count in data["totals"].items()},
                "at": timezone.localtime().strftime("%H:%M:%S"),
            }
        )

    return answer(request, pk)


@login_required
def timer(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    access = _room_access(request, pk)
    forum = access.forum
    programme = selectors.room_programme(forum)
    current = next((p for p in programme if p.pk == forum.current_pitch_id), None)
    following = None
    if current is not None:
        index = programme.index(current)
        following = programme[index + 1] if index + 1 < len(programme) else None
    elif programme:
        following = programme[0]
    return _page(
        request,
        "juries/timer.html",
        access,
        {"current": current, "following": following},
        active="timer",
    )
