from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from innovation.platform.exports import csv_response
from innovation.platform.web import AuthenticatedRequest, add_errors, url_maker
from rituals import calendars, permissions, selectors, services
from rituals.forms import CancelForm, OccurrenceForm, RitualForm
from rituals.models import CalendarToken, Occurrence, Registration

PAST_PER_PAGE = 20


def _feed_url(name: str, *args) -> str:
    """A subscription link: from SITE_URL, never from the request's Host header (a forged
    Host must not put another site's address in the link an agent copies into Outlook)."""
    return settings.SITE_URL + reverse(name, args=args)


# --- Rituals ------------------------------------------------------------------------------


@login_required
def ritual_list(request: AuthenticatedRequest) -> HttpResponse:
    return render(
        request,
        "rituals/ritual_list.html",
        {
            "rituals": list(selectors.ritual_list(request.user)),
            "can_create": permissions.can_create_ritual(request.user),
        },
    )


@login_required
def ritual_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    ritual = selectors.ritual_for_detail(request.user, pk)
    now = timezone.now()
    rows = selectors.page_rows(ritual)
    upcoming = list(rows.filter(starts_at__gt=now).order_by("starts_at"))
    mine = selectors.my_registrations(request.user, upcoming)
    paginator = Paginator(rows.filter(starts_at__lte=now).order_by("-starts_at"), PAST_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    occurrence_url, idea_url = url_maker("rituals:occurrence"), url_maker("ideas:detail")
    for occurrence in upcoming:
        occurrence.seats_left = max(occurrence.effective_capacity - occurrence.confirmed_count, 0)
        occurrence.mine = mine.get(occurrence.pk)
    for occurrence in (*upcoming, *page.object_list):
        occurrence.url = occurrence_url(occurrence.pk)
        occurrence.idea_url = idea_url(occurrence.idea_id) if occurrence.idea_id else ""
    return render(
        request,
        "rituals/ritual_detail.html",
        {
            "ritual": ritual,
            "upcoming": upcoming,
            "page": page,
            "query": "",
            "can_manage": permissions.can_manage_ritual(request.user, ritual),
        },
    )


def _ritual_form(request: AuthenticatedRequest, ritual=None) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    form = RitualForm(data, instance=ritual, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            if ritual is None:
                ritual = services.create_ritual(
                    actor=request.user,
                    organisation=form.cleaned_data["organisation"],
                    data=form.ritual_data(),
                    shared_with=form.cleaned_data["shared_with"],
                )
                messages.success(request, _("Série créée : les prochaines dates sont prêtes."))
            else:
                ritual = services.update_ritual(
                    ritual,
                    actor=request.user,
                    data=form.ritual_data(),
                    shared_with=form.cleaned_data["shared_with"],
                )
                messages.success(request, _("Série enregistrée."))
        except ValidationError as error:
            add_errors(form, error)
        else:
            return redirect(ritual.get_absolute_url())
    return render(request, "rituals/ritual_form.html", {"form": form, "ritual": ritual})


@login_required
def ritual_create(request: AuthenticatedRequest) -> HttpResponse:
    if not permissions.can_create_ritual(request.user):
        raise PermissionDenied
    return _ritual_form(request)


@login_required
def ritual_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    ritual = selectors.ritual_for_page(request.user, pk)
    if not permissions.can_manage_ritual(request.user, ritual):
        raise PermissionDenied
    return _ritual_form(request, ritual)


# --- Occurrences --------------------------------------------------------------------------


@login_required
def occurrence_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    occurrence = selectors.occurrence_for_detail(user, pk)
    ritual = occurrence.ritual
    now = timezone.now()
    is_past = occurrence.is_past(now)
    can_manage = permissions.can_manage_ritual(user, ritual)
    return render(
        request,
        "rituals/occurrence_detail.html",
        {
            "occurrence": occurrence,
            "ritual": ritual,
            "seats_left": max(occurrence.effective_capacity - occurrence.confirmed_count, 0),
            "is_past": is_past,
            "is_open": occurrence.is_open(now),
            "can_manage": can_manage,
            "can_register": permissions.can_register(user, occurrence),
            "mine": selectors.my_registrations(user, [occurrence]).get(occurrence.pk),
            "registrants": selectors.registrants(occurrence) if can_manage else [],
            # Who registered, waited, was promoted or left: the managers' view only.
            "history": selectors.registration_history(occurrence) if can_manage else [],
            "suggestions": selectors.suggestions(ritual) if can_manage and not is_past else [],
        },
    )


@login_required
@require_POST
def occurrence_register(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    occurrence = get_object_or_404(permissions.visible_occurrences(request.user), pk=pk)
    try:
        if request.POST.get("action") == "cancel":
            cancelled = services.unregister(occurrence, user=request.user)
            if cancelled is not None:
                messages.success(request, _("Vous êtes désinscrit·e. Merci d'avoir prévenu !"))
        else:
            registration = services.register(occurrence, user=request.user)
            if registration.status == Registration.Status.CONFIRMED:
                messages.success(request, _("C'est noté : vous êtes inscrit·e."))
            else:
                messages.info(
                    request,
                    _(
                        "La séance est complète : vous êtes sur la liste d'attente (position "
                        "%(position)s). Vous serez inscrit·e et prévenu·e par e-mail si une "
                        "place se libère."
                    )
                    % {"position": services.waiting_position(registration)},
                )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(occurrence.get_absolute_url())


def _manageable_occurrence(request: AuthenticatedRequest, pk: int) -> Occurrence:
    occurrence = selectors.occurrence_for_page(request.user, pk)
    if not permissions.can_manage_ritual(request.user, occurrence.ritual):
        raise PermissionDenied
    return occurrence


@login_required
def occurrence_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    occurrence = _manageable_occurrence(request, pk)
    form = OccurrenceForm(
        request.POST if request.method == "POST" else None,
        occurrence=occurrence,
        user=request.user,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            occurrence = services.update_occurrence(
                occurrence,
                actor=request.user,
                starts_at=form.starts_at(),
                duration_minutes=data["duration_minutes"],
                place=data["place"],
                capacity=data["capacity"],
                presenter=data["presenter"],
                idea=data["idea"],
                topic=data["topic"],
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Séance enregistrée."))
            confirmed = occurrence.registrations.filter(
                status=Registration.Status.CONFIRMED
            ).count()
            if confirmed > occurrence.effective_capacity:
                messages.warning(
                    request,
                    _(
                        "%(confirmed)s personnes sont déjà inscrites pour %(capacity)s places : "
                        "personne n'a été désinscrit ; la liste d'attente n'avancera qu'après "
                        "des désistements."
                    )
                    % {"confirmed": confirmed, "capacity": occurrence.effective_capacity},
                )
            return redirect(occurrence.get_absolute_url())
    return render(
        request,
        "rituals/occurrence_form.html",
        {
            "form": form,
            "occurrence": occurrence,
            "ritual": occurrence.ritual,
            "suggestions": selectors.suggestions(occurrence.ritual),
        },
    )


@login_required
def occurrence_cancel(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    occurrence = _manageable_occurrence(request, pk)
    form = CancelForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.cancel_occurrence(
                occurrence, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Séance annulée : les inscrit·es sont prévenu·es."))
            return redirect(occurrence.get_absolute_url())
    return render(
        request,
        "rituals/occurrence_cancel.html",
        {"form": form, "occurrence": occurrence, "ritual": occurrence.ritual},
    )


@login_required
def occurrence_attendance(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    occurrence = _manageable_occurrence(request, pk)
    confirmed = [
        registration
        for registration in selectors.registrants(occurrence)
        if registration.status == Registration.Status.CONFIRMED
    ]
    if request.method == "POST":
        ids = [int(value) for value in request.POST.getlist("attended") if value.isdecimal()]
        try:
            present = services.mark_attendance(occurrence, actor=request.user, attended_ids=ids)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("Présences enregistrées : %(present)s sur %(total)s inscrit·es.")
                % {"present": present, "total": len(confirmed)},
            )
            return redirect(occurrence.ritual.get_absolute_url())
    return render(
        request,
        "rituals/occurrence_attendance.html",
        {
            "occurrence": occurrence,
            "ritual": occurrence.ritual,
            "confirmed": confirmed,
            "is_past": occurrence.is_past(),
        },
    )


@login_required
def occurrence_export(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    occurrence = _manageable_occurrence(request, pk)
    statuses = dict(Registration.Status.choices)
    header = [
        _("Nom"),
        _("Prénom"),
        _("Adresse e-mail"),
        _("Collectivité"),
        _("Direction"),
        _("Statut"),
        _("Inscrit·e le"),
        _("Promu·e depuis la liste d'attente le"),
        _("Présent·e"),
    ]

    def rows():
        for registration in selectors.registrants(occurrence):
            user = registration.user
            yield [
                user.last_name,
                user.first_name,
                user.email,
                user.organisation.name if user.organisation else "",
                user.direction.name if user.direction else "",
                statuses[registration.status],
                timezone.localtime(registration.created_at).strftime("%d/%m/%Y %H:%M"),
                timezone.localtime(registration.promoted_at).strftime("%d/%m/%Y %H:%M")
                if registration.promoted_at
                else "",
                (_("oui") if registration.attended else _("non"))
                if occurrence.attendance_marked_at
                else "",
            ]

    day = timezone.localtime(occurrence.starts_at)
    return csv_response(f"inscriptions-{day:%Y-%m-%d}-{occurrence.pk}.csv", header, rows())


# --- Calendars ----------------------------------------------------------------------------


@login_required
def occurrence_ics(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    occurrence = get_object_or_404(
        permissions.visible_occurrences(request.user).select_related("ritual", "presenter", "idea"),
        pk=pk,
    )
    mine = selectors.my_registrations(request.user, [occurrence]).values()
    content = calendars.calendar(
        [occurrence],
        name=occurrence.ritual.title,
        statuses=calendars.registration_statuses(mine),
    )
    day = timezone.localtime(occurrence.starts_at)
    return calendars.ics_response(content, f"seance-{day:%Y-%m-%d}.ics", attachment=True)


def _token_user(token: str):
    found = (
        CalendarToken.objects.filter(token=token, user__is_active=True)
        .select_related("user")
        .first()
    )
    if found is None:
        raise Http404
    return found.user


def ritual_feed(request: HttpRequest, token: str, pk: int) -> HttpResponse:
    """A ritual's dates, for calendar apps: the private token stands for the login."""
    user = _token_user(token)
    ritual = get_object_or_404(permissions.visible_rituals(user), pk=pk)
    content = calendars.calendar(
        selectors.feed_occurrences(ritual, timezone.now()), name=ritual.title, feed=True
    )
    return calendars.ics_response(content, f"serie-{ritual.pk}.ics", attachment=False)


def personal_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The dates a person registered to (waiting list as tentative)."""
    user = _token_user(token)
    registrations = selectors.personal_feed(user, timezone.now())
    content = calendars.calendar(
        [registration.occurrence for registration in registrations],
        name=_("Mes petits-déjeuners Tremplin"),
        statuses=calendars.registration_statuses(registrations),
        feed=True,
    )
    return calendars.ics_response(content, "mes-inscriptions.ics", attachment=False)


@login_required
def calendar_settings(request: AuthenticatedRequest) -> HttpResponse:
    if request.method == "POST":
        token = services.regenerate_calendar_token(user=request.user)
        messages.success(
            request, _("Nouvelle adresse créée : les anciennes adresses ne fonctionnent plus.")
        )
        return redirect("rituals:calendar")
    token = services.calendar_token(request.user)
    rituals: QuerySet = selectors.ritual_list(request.user).filter(active=True)
    return render(
        request,
        "rituals/calendar_settings.html",
        {
            "personal_url": _feed_url("rituals:personal_feed", token.token),
            "ritual_urls": [
                (ritual, _feed_url("rituals:ritual_feed", token.token, ritual.pk))
                for ritual in rituals
            ],
            "site_url": settings.SITE_URL,
        },
    )
