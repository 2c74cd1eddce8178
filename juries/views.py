from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import condition, require_POST

from ideas.models import Idea
from innovation.exports import csv_response
from innovation.web import add_errors
from juries import permissions, selectors, services
from juries.forms import (
    CriterionForm,
    DeliberationForm,
    ForumForm,
    JurorForm,
    PutForwardForm,
    RecusalForm,
    ScoreForm,
)
from juries.models import Criterion, Forum, Juror, Pitch, Score
from juries.permissions import ForumAccess
from juries.results import METHOD_COLLEGES_FR, METHOD_FR

Stage = Forum.Stage


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _visible_child(model, request: HttpRequest, pk: int):
    """A criterion, juror or pitch of a forum the person can see, or a 404."""
    queryset = model.objects.filter(forum__in=permissions.visible_forums(request.user))
    return get_object_or_404(queryset.select_related("forum"), pk=pk)


def url_maker(name: str, *args) -> Callable[[int], str]:
    """The URL `name` for any pk as its last argument, from one `reverse()`: for table rows,
    where a `{% url %}` per row cost more than the rest of the row."""
    marker = "2147483647"  # a pk that never appears in the rest of a URL of ours
    head, tail = reverse(name, args=[*args, int(marker)]).rsplit(marker, 1)
    return lambda pk: f"{head}{pk}{tail}"


def _number(value: float | None) -> str:
    return "" if value is None else formats.number_format(value, 2)


def _nav(access: ForumAccess, active: str) -> dict:
    """What the forum header (`_forum_header.html`) reads: the tabs this person may use."""
    return {
        "forum": access.forum,
        "active": active,
        "nav_seat": access.seat is not None,
        "nav_room": permissions.can_run_room(access),
        "nav_results": permissions.can_see_results(access),
    }


def _page(
    request: HttpRequest,
    template: str,
    access: ForumAccess,
    context: dict,
    *,
    active: str,
    status: int = 200,
) -> HttpResponse:
    """Render a forum page under its header and sub-navigation (`active`: the current tab),
    which show the entries this person may use."""
    return render(request, template, {**_nav(access, active), **context}, status=status)


# --- Forums ---------------------------------------------------------------------------------


@login_required
def forum_list(request: HttpRequest) -> HttpResponse:
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
def forum_create(request: HttpRequest) -> HttpResponse:
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
def forum_edit(request: HttpRequest, pk: int) -> HttpResponse:
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
def forum_detail(request: HttpRequest, pk: int) -> HttpResponse:
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
            "criterion_form": CriterionForm(prefix="criterion"),
            "juror_form": JurorForm(prefix="juror"),
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
        pitch.scoring_jurors = sum(
            1
            for juror in jury
            if pitch.organisation_id not in juror.conflicted and pitch.pk not in juror.recused
        )


@login_required
def criterion_create(request: HttpRequest, pk: int) -> HttpResponse:
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
def criterion_delete(request: HttpRequest, pk: int) -> HttpResponse:
    criterion = _visible_child(Criterion, request, pk)
    services.delete_criterion(criterion, actor=request.user)
    messages.success(request, _("Critère retiré de la grille."))
    return redirect(reverse("juries:detail", args=[criterion.forum_id]) + "#grille")


@login_required
def juror_create(request: HttpRequest, pk: int) -> HttpResponse:
    access = selectors.forum_access(request.user, pk)
    if not permissions.can_edit_jury(access):
        raise PermissionDenied
    forum = access.forum
    form = JurorForm(request.POST or None, prefix="juror")
    if request.method == "POST" and form.is_valid():
        try:
            juror = services.add_juror(
                forum,
                actor=request.user,
                user=form.cleaned_data["email"],
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
def juror_delete(request: HttpRequest, pk: int) -> HttpResponse:
    juror = _visible_child(Juror, request, pk)
    try:
        services.remove_juror(juror, actor=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("Juré retiré du jury."))
    return redirect(reverse("juries:detail", args=[juror.forum_id]) + "#jury")


@login_required
def put_forward(request: HttpRequest, pk: int) -> HttpResponse:
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
def pitch_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    pitch = _visible_child(Pitch, request, pk)
    services.withdraw_pitch(pitch, actor=request.user)
    messages.success(request, _("Idée retirée du programme."))
    return redirect(reverse("juries:detail", args=[pitch.forum_id]) + "#programme")


@login_required
@require_POST
def pitch_move(request: HttpRequest, pk: int) -> HttpResponse:
    pitch = _visible_child(Pitch, request, pk)
    offset = -1 if request.POST.get("direction") == "up" else 1
    services.move_pitch(pitch, actor=request.user, offset=offset)
    return redirect(reverse("juries:detail", args=[pitch.forum_id]) + "#programme")


def _room_access(request: HttpRequest, pk: int) -> ForumAccess:
    """Timer, pitch on stage and live board: the forum, for those who run the room."""
    access = selectors.forum_access(request.user, pk)
    if not permissions.can_run_room(access):
        raise PermissionDenied
    return access


@login_required
@require_POST
def on_stage(request: HttpRequest, pk: int) -> HttpResponse:
    forum = _room_access(request, pk).forum
    pitch_id = request.POST.get("pitch", "")
    pitch = None
    if pitch_id:
        if not pitch_id.isdigit():
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


@login_required
@require_POST
def forum_stage(request: HttpRequest, pk: int) -> HttpResponse:
    access = selectors.forum_access(request.user, pk)
    forum = access.forum
    to = request.POST.get("to")
    actions = {
        Stage.OPEN: (services.open_scoring, permissions.can_open_scoring),
        Stage.CLOSED: (services.close_scoring, permissions.can_close_scoring),
    }
    if to not in actions:
        raise Http404
    action, allowed = actions[to]
    if not allowed(access):
        raise PermissionDenied
    try:
        action(forum, actor=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return redirect(forum)
    if to == Stage.OPEN:
        messages.success(request, _("La notation est ouverte : les jurés peuvent noter."))
        return redirect(forum)
    messages.success(
        request, _("La notation est close. Voici les résultats ; la délibération peut commencer.")
    )
    return redirect("juries:results", pk=forum.pk)


# --- Scoring --------------------------------------------------------------------------------
#
# Each scoring page comes from one set of queries (`selectors.scoring_page`,
# `selectors.pitch_for_scoring`): what a juror may score depends on their own organisation,
# role grants and recusals.


def _juror_or_403(access: ForumAccess) -> Juror:
    if access.seat is None:
        raise PermissionDenied
    return access.seat


def _why(request: HttpRequest, seat: Juror, pitch: Pitch, obstacle: str | None) -> dict | None:
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


def _programme_lines(request: HttpRequest, seat: Juror, page: selectors.ScoringPage) -> list:
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
def score(request: HttpRequest, pk: int) -> HttpResponse:
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
    initial = {f"criterion_{cid}": value for cid, value in marks.items()}
    initial["comment"] = note
    return ScoreForm(data, criteria=grid, initial=initial)


@login_required
def score_pitch(request: HttpRequest, pk: int, pitch_pk: int) -> HttpResponse:
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
                services.save_scores(
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
def recuse(request: HttpRequest, pk: int, pitch_pk: int) -> HttpResponse:
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
                services.recuse(
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


def _with_labels(rows: list[dict]) -> None:
    """Each cell of the page gets its French label, translated once per state rather than
    once per cell (750 cells at 50 jurors × 15 pitches)."""
    labels = {
        "done": _("✓ noté"),
        "conflict": _("conflit"),
        "recused": _("déporté·e"),
        "todo": _("à noter"),
    }
    for row in rows:
        row["labelled_cells"] = [(key, state, labels[state]) for key, state in row["cells"]]


@login_required
def board(request: HttpRequest, pk: int) -> HttpResponse:
    access = _room_access(request, pk)
    data = selectors.board(access.forum)
    _with_labels(data["rows"])
    return _page(
        request,
        "juries/board.html",
        access,
        {**data, "can_close": permissions.can_close_scoring(access)},
        active="board",
    )


@login_required
def board_json(request: HttpRequest, pk: int) -> HttpResponse:
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
def timer(request: HttpRequest, pk: int) -> HttpResponse:
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


# --- Results, deliberation, palmarès ----------------------------------------------------------


@login_required
def results(request: HttpRequest, pk: int) -> HttpResponse:
    access = selectors.forum_access(request.user, pk)
    if not permissions.can_see_results(access):
        raise PermissionDenied
    forum = access.forum
    return _page(
        request,
        "juries/results.html",
        access,
        {
            "ranking": selectors.results(forum),
            "method": METHOD_FR,
            "method_colleges": METHOD_COLLEGES_FR if forum.college_weighting else "",
            "can_deliberate": permissions.can_deliberate(access),
            "can_publish": permissions.can_publish(access),
        },
        active="results",
    )


@login_required
def deliberate(request: HttpRequest, pk: int) -> HttpResponse:
    access = selectors.forum_access(request.user, pk)
    if not permissions.can_deliberate(access):
        raise PermissionDenied
    forum = access.forum
    rows = selectors.results(forum)
    ranked = [row.pitch for row in rows]
    form = DeliberationForm(
        request.POST or None,
        ranked=ranked,
        scored_ids=selectors.scored_ranking(rows),
        laureate_count=forum.laureate_count,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.designate_laureates(
                forum, actor=request.user, laureate_ids=form.chosen(), reasons=form.reasons()
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Délibération enregistrée."))
            return redirect("juries:results", pk=forum.pk)
    by_pitch = {row.pitch.pk: row for row in rows}
    lines = [(by_pitch[p.pk], box, reason) for p, box, reason in form.rows()]
    return _page(
        request,
        "juries/deliberate.html",
        access,
        {"form": form, "lines": lines},
        status=400 if form.is_bound and form.errors else 200,
        active="results",
    )


@login_required
@require_POST
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    access = selectors.forum_access(request.user, pk)
    if not permissions.can_publish(access):
        raise PermissionDenied
    forum = access.forum
    try:
        moved, pending = services.publish_results(forum, actor=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return redirect("juries:results", pk=forum.pk)
    text = _("Palmarès publié. %(moved)s lauréat(s) passé(s) en accompagnement.") % {"moved": moved}
    if pending:
        text += " " + _(
            "%(pending)s lauréat(s) d'autres collectivités attendent la confirmation de leur "
            "délégué·e, qui a été prévenu·e."
        ) % {"pending": pending}
    messages.success(request, text)
    return redirect("juries:palmares", pk=forum.pk)


@login_required
def palmares(request: HttpRequest, pk: int) -> HttpResponse:
    access = selectors.forum_access(request.user, pk)
    if not permissions.can_see_palmares(access):
        raise PermissionDenied
    rows = selectors.results(access.forum)
    accompany_ids = permissions.accompaniment_organisation_ids(access)
    waiting = [
        row.pitch
        for row in rows
        if row.pitch.laureate
        and row.pitch.organisation_id in accompany_ids
        and row.pitch.idea.state in services.PUTTABLE_STATES
    ]
    return _page(
        request,
        "juries/palmares.html",
        access,
        {
            "laureates": [row for row in rows if row.pitch.laureate],
            "others": [row for row in rows if not row.pitch.laureate],
            "waiting": waiting,
            "accompanied_states": {
                Idea.State.ACCOMPANIED,
                Idea.State.EXPERIMENTING,
                Idea.State.DEPLOYED,
            },
        },
        active="palmares",
    )


@login_required
@require_POST
def accompany(request: HttpRequest, pk: int) -> HttpResponse:
    access = selectors.forum_access(request.user, pk)
    if not permissions.accompaniment_organisation_ids(access):
        raise PermissionDenied
    moved = services.accompany_laureates(access.forum, actor=request.user)
    messages.success(
        request, _("%(moved)s lauréat(s) passé(s) en accompagnement.") % {"moved": moved}
    )
    return redirect("juries:palmares", pk=access.forum.pk)


# --- Exports --------------------------------------------------------------------------------


@login_required
def export_scores(request: HttpRequest, pk: int) -> HttpResponse:
    access = selectors.forum_access(request.user, pk)
    if not permissions.can_export_scores(access):
        raise PermissionDenied
    forum = access.forum
    scores = Score.objects.filter(forum=forum).select_related(
        "juror__user", "juror__organisation", "pitch__idea", "pitch__organisation", "criterion"
    )
    if not forum.scores_revealed:
        # Before closing, a juror exports their own marks and nobody else's.
        scores = scores.filter(juror__user=request.user)
    scores = scores.order_by("pitch__position", "pitch_id", "juror_id", "criterion__position")
    colleges = dict(Juror.College.choices)
    header = [
        _("Ordre de passage"),
        _("Pitch"),
        _("Collectivité du pitch"),
        _("Juré"),
        _("Collectivité du juré"),
        _("Collège"),
        _("Critère"),
        _("Poids"),
        _("Note"),
        _("Modifiée le"),
    ]

    def rows():
        for item in scores.iterator(chunk_size=2000):
            yield [
                item.pitch.position,
                item.pitch.idea.title,
                item.pitch.organisation,
                item.juror.user.get_full_name(),
                item.juror.organisation,
                colleges[item.juror.college],
                item.criterion.name,
                formats.number_format(item.criterion.weight, 2),
                item.value,
                timezone.localtime(item.updated_at).strftime("%d/%m/%Y %H:%M"),
            ]

    return csv_response(f"forum-{forum.pk}-notes.csv", header, rows())


def _recusal_text(recusal) -> str:
    name = recusal.juror.user.get_full_name()
    return f"{name} ({recusal.reason})" if recusal.reason else name


@login_required
def export_results(request: HttpRequest, pk: int) -> HttpResponse:
    access = selectors.forum_access(request.user, pk)
    if not permissions.can_export_results(access):
        raise PermissionDenied
    forum = access.forum
    header = [
        _("Rang"),
        _("Ordre de passage"),
        _("Pitch"),
        _("Collectivité"),
        _("Note normalisée"),
        _("Note brute pondérée"),
        _("Jurés comptés"),
        _("Jurés déportés"),
        _("Lauréat"),
        _("Motif de la délibération"),
    ]
    rows = [
        [
            row.rank,
            row.pitch.position,
            row.pitch.idea.title,
            row.pitch.organisation,
            _number(row.normalised),
            _number(row.raw),
            row.juror_count,
            " ; ".join(_recusal_text(recusal) for recusal in row.recusals),
            _("oui") if row.pitch.laureate else _("non"),
            row.pitch.laureate_reason,
        ]
        for row in selectors.results(forum)
    ]
    return csv_response(f"forum-{forum.pk}-resultats.csv", header, rows)
