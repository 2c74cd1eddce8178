from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ideas.models import Idea
from innovation.caching import cached, punch_csrf, render_fragment
from innovation.exports import csv_response
from innovation.web import add_errors
from juries import permissions, selectors, services
from juries.forms import (
    CriterionForm,
    DeliberationForm,
    ForumForm,
    JurorForm,
    PutForwardForm,
    ScoreForm,
)
from juries.models import Criterion, Forum, Juror, Pitch, Score
from juries.results import METHOD_COLLEGES_FR, METHOD_FR

Stage = Forum.Stage

# What the room pages' cached parts are built from: the forum's rows, the ideas' titles, the
# names of people and organisations.
ROOM_SCOPES = ("juries", "ideas", "people")


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _visible_child(model, request: HttpRequest, pk: int):
    """A criterion, juror or pitch of a forum the person can see, or a 404."""
    queryset = model.objects.filter(forum__in=permissions.visible_forums(request.user))
    return get_object_or_404(queryset.select_related("forum"), pk=pk)


def _number(value: float | None) -> str:
    return "" if value is None else formats.number_format(value, 2)


def _page(
    request: HttpRequest,
    template: str,
    forum: Forum,
    context: dict,
    *,
    active: str,
    status: int = 200,
) -> HttpResponse:
    """Render a forum page under its header and sub-navigation (`active`: the current tab),
    which show the entries this person may use."""
    user = request.user
    header = _fixed(
        "juries/_forum_header.html",
        forum,
        active=active,
        nav_seat=permissions.juror_seat(user, forum) is not None,
        nav_room=permissions.can_run_room(user, forum),
        nav_results=permissions.can_see_results(user, forum),
    )
    context = {"forum": forum, "forum_head": _forum_head(), "forum_header": header, **context}
    return render(request, template, context, status=status)


@lru_cache(maxsize=1)
def _forum_head() -> SafeString:
    """The forum pages' stylesheet and script: their static URLs are the process's."""
    return mark_safe(render_fragment("juries/_head.html", {}))  # noqa: S308 (our template)


_FORUM_FIELDS = tuple(field.attname for field in Forum._meta.concrete_fields)


def _fixed(template: str, forum: Forum, **flags: bool | str) -> SafeString:
    """A fragment of a forum page that shows only the forum's own columns and `flags` (its
    title, date and stage, the tabs and buttons this person may use), rendered once per
    process and reused: such fragments took a third of the time of a page whose content
    comes from the shared cache. The CSRF token is a placeholder (`punch_csrf`)."""
    row = tuple(getattr(forum, name) for name in _FORUM_FIELDS)
    return _fixed_html(template, row, tuple(sorted(flags.items())), get_language())


@lru_cache(maxsize=1024)
def _fixed_html(template: str, row: tuple, flags: tuple, language: str) -> SafeString:
    # Everything the template can read is in the key: every column of the forum (a change
    # to any makes a new key, so nothing here is ever stale), the flags and the language.
    # Hence a forum built from its row alone: its related rows are not for these templates.
    forum = Forum.from_db(None, _FORUM_FIELDS, row)
    return mark_safe(render_fragment(template, {"forum": forum, **dict(flags)}))  # noqa: S308


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
    forum = selectors.forum_for_page(request.user, pk)
    if not permissions.can_edit_setup(request.user, forum):
        raise PermissionDenied
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
    forum = selectors.forum_for_page(request.user, pk)
    prefetch_related_objects([forum], "organisations")  # the quotas and the template list them
    user = request.user
    programme = selectors.programme(forum)
    put_forward_ids = permissions.put_forward_organisation_ids(user, forum)
    taken = Counter(pitch.organisation_id for pitch in programme)
    quotas = [
        {"organisation": org, "taken": taken[org.pk], "mine": org.pk in put_forward_ids}
        for org in forum.organisations.all()
    ]
    can_manage = permissions.can_manage_forum(user, forum)
    return _page(
        request,
        "juries/forum_detail.html",
        forum,
        {
            "forum": forum,
            "programme": programme,
            "jury": selectors.jury(forum),
            "criteria": selectors.criteria(forum),
            "quotas": quotas,
            "seat": permissions.juror_seat(user, forum),
            "can_manage": can_manage,
            "can_edit_setup": permissions.can_edit_setup(user, forum),
            "can_edit_jury": permissions.can_edit_jury(user, forum),
            "can_put_forward": permissions.can_put_forward(user, forum),
            "can_order": permissions.can_order_programme(user, forum),
            "can_run_room": permissions.can_run_room(user, forum),
            "can_open": permissions.can_open_scoring(user, forum),
            "can_close": permissions.can_close_scoring(user, forum),
            "can_see_results": permissions.can_see_results(user, forum),
            "can_withdraw": forum.stage == Stage.PREPARING,
            "my_put_forward_ids": put_forward_ids,
            "criterion_form": CriterionForm(prefix="criterion"),
            "juror_form": JurorForm(prefix="juror"),
        },
        active="detail",
    )


@login_required
def criterion_create(request: HttpRequest, pk: int) -> HttpResponse:
    forum = selectors.forum_for_page(request.user, pk)
    if not permissions.can_edit_setup(request.user, forum):
        raise PermissionDenied
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
    forum = selectors.forum_for_page(request.user, pk)
    if not permissions.can_edit_jury(request.user, forum):
        raise PermissionDenied
    form = JurorForm(request.POST or None, prefix="juror")
    if request.method == "POST" and form.is_valid():
        try:
            services.add_juror(
                forum,
                actor=request.user,
                user=form.cleaned_data["email"],
                college=form.cleaned_data["college"],
                is_president=form.cleaned_data["is_president"],
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Juré ajouté."))
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
    forum = selectors.forum_for_page(request.user, pk)
    if not permissions.can_put_forward(request.user, forum):
        raise PermissionDenied
    organisation_ids = permissions.put_forward_organisation_ids(request.user, forum)
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


@login_required
@require_POST
def on_stage(request: HttpRequest, pk: int) -> HttpResponse:
    forum = selectors.forum_for_page(request.user, pk)
    if not permissions.can_run_room(request.user, forum):
        raise PermissionDenied
    pitch_id = request.POST.get("pitch", "")
    pitch = None
    if pitch_id:
        if not pitch_id.isdigit():
            raise Http404
        pitch = get_object_or_404(Pitch, pk=int(pitch_id), forum=forum)
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
    forum = selectors.forum_for_page(request.user, pk)
    to = request.POST.get("to")
    actions = {
        Stage.OPEN: (services.open_scoring, permissions.can_open_scoring),
        Stage.CLOSED: (services.close_scoring, permissions.can_close_scoring),
    }
    if to not in actions:
        raise Http404
    action, allowed = actions[to]
    if not allowed(request.user, forum):
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


def _juror_or_403(request: HttpRequest, forum: Forum) -> Juror:
    seat = permissions.juror_seat(request.user, forum)
    if seat is None:
        raise PermissionDenied
    return seat


# Separates the pieces of `_score_items.html`; "<" never comes out of escaped text.
_ITEM_SEPARATOR = mark_safe("<!--juror-part-->")


# Where the on-stage form cached for every juror takes each juror's own values (the same idea
# as the CSRF placeholder of innovation.caching).
_NOTE_HOLE = "juror-note-hole-5b0e1f"

# Where the scoring page cached for every juror takes the juror's form and programme lines:
# HTML comments, which no escaped text can contain.
_HOLE = re.compile(r"<!--juror-hole:([a-z]+)-->")
_FORM_HOLE = mark_safe("<!--juror-hole:form-->")
_PROGRAMME_HOLE = mark_safe("<!--juror-hole:programme-->")


def _value_hole(criterion_id: int) -> str:
    return f"juror-mark-hole-5b0e1f-{criterion_id}"


def _score_shared(forum: Forum) -> dict:
    """What the scoring page shows every juror of the forum alike (cached): the pitch on
    stage and its form with holes for the juror's values, and each line of the programme
    with its three possible endings."""
    programme = selectors.room_programme(forum)
    grid = selectors.criteria(forum)
    html = render_fragment(
        "juries/_score_items.html",
        {"forum": forum, "programme": programme, "sep": _ITEM_SEPARATOR},
    )
    pieces = html.split(_ITEM_SEPARATOR)
    items = [
        (pitch.pk, pitch.organisation_id, *pieces[4 * index : 4 * index + 4])
        for index, pitch in enumerate(programme)
    ]
    current = next((p for p in programme if p.pk == forum.current_pitch_id), None)
    form_html = ""
    if current is not None:
        initial = {f"criterion_{criterion.pk}": _value_hole(criterion.pk) for criterion in grid}
        initial["comment"] = _NOTE_HOLE
        form_html = render_fragment(
            "juries/_score_form.html",
            {
                "form": ScoreForm(criteria=grid, initial=initial),
                "forum": forum,
                "pitch": current,
                "open": forum.stage == Stage.OPEN,
            },
        )
    # The page under its header, for a juror who scores the pitch on stage (its form goes in
    # the hole) and for one who does not (its organisation's juror, or nothing on stage).
    page = {
        scoring: _HOLE.split(
            render_fragment(
                "juries/_score_body.html",
                {
                    "forum": forum,
                    "open": forum.stage == Stage.OPEN,
                    "current": current,
                    "current_form": _FORM_HOLE if scoring else "",
                    "programme_items": _PROGRAMME_HOLE if programme else "",
                },
            )
        )
        for scoring in (True, False)
    }
    return {
        "items": items,
        "current": current,
        "form_html": form_html,
        "criterion_ids": [criterion.pk for criterion in grid],
        "page": page,
    }


def _fill_holes(pieces: list[str], values: dict[str, str]) -> SafeString:
    """A page split on its holes (text, hole name, text…) with each hole's value put in, in
    one pass: nothing put in is searched for holes."""
    return mark_safe(  # noqa: S308 (our own templates, auto-escaped)
        "".join(values[piece] if index % 2 else piece for index, piece in enumerate(pieces))
    )


def _programme_items(items: list[tuple], seat: Juror, marks: dict) -> SafeString:
    """The programme lines with this juror's own state: conflict, scored, to score."""
    lines = []
    for pitch_id, organisation_id, opening, conflict, done, todo in items:
        lines.append(opening)
        if organisation_id == seat.organisation_id:
            lines.append(conflict)
        else:
            lines.append(done if pitch_id in marks else todo)
    return mark_safe("".join(lines))  # noqa: S308 (pieces of our own autoescaped template)


def _fill_score_form(request: HttpRequest, shared: dict, marks: dict, note: str) -> SafeString:
    """The cached on-stage form with this juror's marks, comment and CSRF token."""
    html = shared["form_html"]
    for criterion_id in shared["criterion_ids"]:
        value = marks.get(criterion_id)
        # Marks are integers: nothing to escape.
        filled = "" if value is None else f' value="{int(value)}"'
        html = html.replace(f' value="{_value_hole(criterion_id)}"', filled)
    # The comment's hole is the first thing after its textarea's attributes: the organiser's
    # help texts, whatever they say, are never taken for it.
    head, textarea, tail = html.partition('<textarea name="comment"')
    html = head + textarea + tail.replace(_NOTE_HOLE, escape(note), 1)
    return punch_csrf(request, html)


@login_required
def score(request: HttpRequest, pk: int) -> HttpResponse:
    """The juror's phone page: the pitch on stage first, then the whole programme.

    The programme, the pitch on stage and its form are the same for every juror: they come
    from the shared cache. The juror's own marks and, when the pitch on stage is theirs to
    score, their comment on it are read on every request, in one query, and put in."""
    forum = selectors.forum_for_page(request.user, pk)
    seat = _juror_or_403(request, forum)
    shared = cached(
        # A new name whenever the value's shape changes: while a deploy rolls out, processes
        # still running the previous code share the cache.
        "juries:score-page",
        [forum.pk, forum.stage, forum.current_pitch_id],
        ROOM_SCOPES,
        lambda: _score_shared(forum),
    )
    current = shared["current"]
    scoring_current = current is not None and current.organisation_id != seat.organisation_id
    marks, note = selectors.my_marks(seat, current.pk if scoring_current else None)
    current_form = None
    if scoring_current:
        current_form = _fill_score_form(request, shared, marks.get(current.pk, {}), note)
    programme_items = _programme_items(shared["items"], seat, marks)
    content = _fill_holes(
        shared["page"][scoring_current],
        {"form": current_form or "", "programme": programme_items},
    )
    return _page(
        request,
        "juries/score_page.html",
        forum,
        {
            "forum": forum,
            "seat": seat,
            "current": current,
            "current_form": current_form,
            "marks": marks,
            "programme_items": programme_items,
            "content": content,
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
    forum = selectors.forum_for_page(request.user, pk)
    seat = _juror_or_403(request, forum)
    pitch = get_object_or_404(
        Pitch.objects.select_related("idea", "organisation"), pk=pitch_pk, forum=forum
    )
    grid = selectors.criteria(forum)
    conflict = pitch.organisation_id == seat.organisation_id
    marks, notes = selectors.my_scores(seat)
    form = _score_form(
        grid,
        marks.get(pitch.pk, {}),
        notes.get(pitch.pk, ""),
        data=request.POST if request.method == "POST" else None,
    )
    status = 200
    if request.method == "POST":
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
        forum,
        {
            "forum": forum,
            "seat": seat,
            "pitch": pitch,
            "form": form,
            "conflict": conflict,
            "open": forum.stage == Stage.OPEN,
            "scored": pitch.pk in marks,
        },
        status=status,
        active="score",
    )


# --- The room -------------------------------------------------------------------------------


_CELL_LABELS = {
    "done": lambda: _("✓ noté"),
    "conflict": lambda: _("conflit"),
    "todo": lambda: _("à noter"),
}


def _board_body(forum: Forum) -> str:
    """The live board's table and programme (cached per forum, for everyone who watches)."""
    data = selectors.board(forum)
    labels = {state: escape(label()) for state, label in _CELL_LABELS.items()}
    # 750 cells at 50 jurors × 15 pitches: joined here rather than looped in the template.
    # Every piece is an integer, a fixed state name or an escaped label.
    for row in data["rows"]:
        row["cells_html"] = mark_safe(  # noqa: S308
            "".join(
                f'<td class="text-center cell-{cell["state"]}" data-cell="{cell["key"]}">'
                f"{labels[cell['state']]}</td>"
                for cell in row["cells"]
            )
        )
    return render_fragment("juries/_board_body.html", {"forum": forum, **data})


def _board_state(forum: Forum) -> dict:
    """Who scored what, for the board's polling (cached per forum)."""
    data = selectors.board(forum)
    return {
        "cells": {cell["key"]: cell["state"] for row in data["rows"] for cell in row["cells"]},
        "jurors": {str(row["juror"].pk): row["done"] for row in data["rows"]},
        "pitches": {str(pk): count for pk, count in data["totals"].items()},
    }


@login_required
def board(request: HttpRequest, pk: int) -> HttpResponse:
    forum = selectors.forum_for_page(request.user, pk)
    if not permissions.can_run_room(request.user, forum):
        raise PermissionDenied
    body = cached(
        "juries:board",
        [forum.pk, forum.current_pitch_id],
        ROOM_SCOPES,
        lambda: _board_body(forum),
    )
    return _page(
        request,
        "juries/board.html",
        forum,
        {
            "forum": forum,
            "body": punch_csrf(request, body),
            "can_close": permissions.can_close_scoring(request.user, forum),
        },
        active="board",
    )


@login_required
def board_json(request: HttpRequest, pk: int) -> JsonResponse:
    forum = selectors.forum_for_page(request.user, pk)
    if not permissions.can_run_room(request.user, forum):
        raise PermissionDenied
    # Names are not in it: only the "juries" scope.
    state = cached("juries:board_state", [forum.pk], ["juries"], lambda: _board_state(forum))
    return JsonResponse(
        {
            "stage": forum.stage,
            "current": forum.current_pitch_id,
            **state,
            "at": timezone.localtime().strftime("%H:%M:%S"),
        }
    )


@login_required
def timer(request: HttpRequest, pk: int) -> HttpResponse:
    forum = selectors.forum_for_page(request.user, pk)
    if not permissions.can_run_room(request.user, forum):
        raise PermissionDenied
    programme = selectors.programme(forum)
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
        forum,
        {"forum": forum, "current": current, "following": following},
        active="timer",
    )


# --- Results, deliberation, palmarès ----------------------------------------------------------


def _results_shared(forum: Forum) -> dict:
    """The ranking's numbers by pitch id (plain data: quick to read back) and its rendered
    table and method (cached per forum)."""
    # The numbers change only with the forum's rows; titles and names (other scopes) change
    # more often, and then only the table is built again.
    # The pitches are read first, so the numbers' key names them: what the build reads comes
    # after its generation, as the cache requires.
    pitches = selectors.room_programme(forum)
    pitch_ids = [pitch.pk for pitch in pitches]
    computed = cached(
        "juries:ranking",
        [forum.pk, tuple(pitch_ids)],
        ["juries"],
        lambda: selectors.ranking_numbers(forum, pitch_ids),
    )
    rows = selectors.result_rows(pitches, computed)
    html = render_fragment(
        "juries/_results_body.html",
        {
            "forum": forum,
            "rows": rows,
            "method": METHOD_FR,
            "method_colleges": METHOD_COLLEGES_FR if forum.college_weighting else "",
        },
    )
    shown = {row.pitch.pk for row in rows}
    return {"ranking": [result for result in computed if result.pitch in shown], "html": html}


@login_required
def results(request: HttpRequest, pk: int) -> HttpResponse:
    forum = selectors.forum_for_page(request.user, pk)
    if not permissions.can_see_results(request.user, forum):
        raise PermissionDenied
    # The same for the whole jury and the delegates running the forum; only the buttons
    # above differ. (A new name whenever the value's shape changes, as for the scoring page.)
    shared = cached(
        "juries:results-ranking", [forum.pk], ROOM_SCOPES, lambda: _results_shared(forum)
    )
    actions = _fixed(
        "juries/_results_actions.html",
        forum,
        can_deliberate=permissions.can_deliberate(request.user, forum),
        can_publish=permissions.can_publish(request.user, forum),
    )
    return _page(
        request,
        "juries/results.html",
        forum,
        {
            "forum": forum,
            # The table is in `body`; the numbers as data, by pitch id.
            "ranking": shared["ranking"],
            "actions": punch_csrf(request, actions),
            "body": punch_csrf(request, shared["html"]),
        },
        active="results",
    )


@login_required
def deliberate(request: HttpRequest, pk: int) -> HttpResponse:
    forum = selectors.forum_for_page(request.user, pk)
    if not permissions.can_deliberate(request.user, forum):
        raise PermissionDenied
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
        forum,
        {"forum": forum, "form": form, "lines": lines},
        status=400 if form.is_bound and form.errors else 200,
        active="results",
    )


@login_required
@require_POST
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    forum = selectors.forum_for_page(request.user, pk)
    if not permissions.can_publish(request.user, forum):
        raise PermissionDenied
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
    forum = selectors.forum_for_page(request.user, pk)
    if not permissions.can_see_palmares(request.user, forum):
        raise PermissionDenied
    rows = selectors.results(forum)
    accompany_ids = permissions.accompaniment_organisation_ids(request.user, forum)
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
        forum,
        {
            "forum": forum,
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
    forum = selectors.forum_for_page(request.user, pk)
    if not permissions.accompaniment_organisation_ids(request.user, forum):
        raise PermissionDenied
    moved = services.accompany_laureates(forum, actor=request.user)
    messages.success(
        request, _("%(moved)s lauréat(s) passé(s) en accompagnement.") % {"moved": moved}
    )
    return redirect("juries:palmares", pk=forum.pk)


# --- Exports --------------------------------------------------------------------------------


@login_required
def export_scores(request: HttpRequest, pk: int) -> HttpResponse:
    forum = selectors.forum_for_page(request.user, pk)
    if not permissions.can_export_scores(request.user, forum):
        raise PermissionDenied
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


@login_required
def export_results(request: HttpRequest, pk: int) -> HttpResponse:
    forum = selectors.forum_for_page(request.user, pk)
    if not permissions.can_export_results(request.user, forum):
        raise PermissionDenied
    header = [
        _("Rang"),
        _("Ordre de passage"),
        _("Pitch"),
        _("Collectivité"),
        _("Note normalisée"),
        _("Note brute pondérée"),
        _("Jurés comptés"),
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
            _("oui") if row.pitch.laureate else _("non"),
            row.pitch.laureate_reason,
        ]
        for row in selectors.results(forum)
    ]
    return csv_response(f"forum-{forum.pk}-resultats.csv", header, rows)
