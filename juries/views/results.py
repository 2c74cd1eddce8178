"""After scoring: closing, results, deliberation, publishing, the palmarès and the CSV
exports."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ideas.models import Idea
from innovation.platform.exports import csv_response
from innovation.platform.web import AuthenticatedRequest, add_errors
from juries import permissions, selectors, services
from juries.forms import (
    DeliberationForm,
)
from juries.models import Juror, Score
from juries.permissions import ForumAccess
from juries.results import METHOD_COLLEGES_FR, METHOD_FR
from juries.views.common import (
    _error_text,
    _page,
)


def _number(value: float | None) -> str:
    return "" if value is None else formats.number_format(value, 2)


# --- Closing -------------------------------------------------------------------------------


def close(request: AuthenticatedRequest, access: ForumAccess) -> HttpResponse:
    """Close scoring: posted with `to=closed` to the stage URL (`preparing.forum_stage`)."""
    if not permissions.can_close_scoring(access):
        raise PermissionDenied
    forum = access.forum
    try:
        services.close_scoring(forum, actor=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return redirect(forum)
    messages.success(
        request, _("La notation est close. Voici les résultats ; la délibération peut commencer.")
    )
    return redirect("juries:results", pk=forum.pk)


# --- Results, deliberation, palmarès ----------------------------------------------------------


@login_required
def results(request: AuthenticatedRequest, pk: int) -> HttpResponse:
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
def deliberate(request: AuthenticatedRequest, pk: int) -> HttpResponse:
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
def publish(request: AuthenticatedRequest, pk: int) -> HttpResponse:
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
def palmares(request: AuthenticatedRequest, pk: int) -> HttpResponse:
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
def accompany(request: AuthenticatedRequest, pk: int) -> HttpResponse:
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
def export_scores(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
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
def export_results(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
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
