from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from innovation.caching import cached, fill_row_marks, punch_csrf, render_fragment
from innovation.exports import csv_response
from innovation.web import add_errors, page_key
from rituals import calendars, permissions, selectors, services
from rituals.forms import CancelForm, OccurrenceForm, RitualForm
from rituals.models import CalendarToken, Occurrence, Registration, Ritual

PAST_PER_PAGE = 20


def _feed_url(request: HttpRequest, name: str, *args) -> str:
    return request.build_absolute_uri(reverse(name, args=args))


# --- Rituals ------------------------------------------------------------------------------


@login_required
def ritual_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "rituals/ritual_list.html",
        {
            "rituals": list(selectors.ritual_list(request.user)),
            "can_create": permissions.can_create_ritual(request.user),
        },
    )


def _my_cell(registration: dict | None) -> str:
    """The "Vous" cell of one upcoming date: the only personal part of the series page."""
    if registration is None:
        return "—"
    if registration["status"] == Registration.Status.CONFIRMED:
        return format_html('<span class="badge text-bg-success">{}</span>', _("Inscrit·e"))
    return format_html(
        '<span class="badge text-bg-warning">{}</span>',
        _("En attente, position %(position)s") % {"position": registration["position"]},
    )


def _ritual_page(pk: int, page_number: int, can_manage: bool) -> dict:
    """The series page as everyone who may see it gets it (HTML, with a marker per upcoming
    date for the person's own state), and the upcoming ids to look that state up."""
    ritual = selectors.ritual_for_cache(pk)
    now = timezone.now()
    rows = selectors.page_rows(ritual)
    upcoming = list(rows.filter(starts_at__gt=now).order_by("starts_at"))
    for occurrence in upcoming:
        occurrence.seats_left = max(occurrence.effective_capacity - occurrence.confirmed_count, 0)
    paginator = Paginator(rows.filter(starts_at__lte=now).order_by("-starts_at"), PAST_PER_PAGE)
    # Counting the annotated rows would join every registration: count the dates alone.
    paginator.count = ritual.occurrences.filter(starts_at__lte=now).count()
    html = render_fragment(
        "rituals/_ritual_detail_body.html",
        {
            "ritual": ritual,
            "upcoming": upcoming,
            "page": paginator.get_page(page_number),
            "query": "",
            "can_manage": can_manage,
        },
    )
    return {"title": ritual.title, "html": html, "upcoming": [o.pk for o in upcoming]}


@login_required
def ritual_detail(request: HttpRequest, pk: int) -> HttpResponse:
    # Access and role on every request; the page is then shared by all who may see it (two
    # variants: with and without the delegates' links), and only "Vous" is filled per person.
    organisation_id = selectors.ritual_organisation_id(request.user, pk)
    can_manage = permissions.can_manage_ritual(
        request.user, Ritual(pk=pk, organisation_id=organisation_id)
    )
    page_number = page_key(request.GET.get("page"))
    shared = cached(
        "rituals.detail",
        (pk, page_number, can_manage),
        ("rituals", "ideas", "people"),
        lambda: _ritual_page(pk, page_number, can_manage),
    )
    mine = selectors.my_places(request.user, shared["upcoming"])
    body = fill_row_marks(shared["html"], "mine", lambda pk: _my_cell(mine.get(pk)))
    return render(request, "rituals/ritual_detail.html", {"title": shared["title"], "body": body})


def _ritual_form(request: HttpRequest, ritual=None) -> HttpResponse:
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
def ritual_create(request: HttpRequest) -> HttpResponse:
    if not permissions.can_create_ritual(request.user):
        raise PermissionDenied
    return _ritual_form(request)


@login_required
def ritual_edit(request: HttpRequest, pk: int) -> HttpResponse:
    ritual = selectors.ritual_for_page(request.user, pk)
    if not permissions.can_manage_ritual(request.user, ritual):
        raise PermissionDenied
    return _ritual_form(request, ritual)


# --- Occurrences --------------------------------------------------------------------------


def _occurrence_page(pk: int, can_manage: bool) -> dict:
    """The occurrence page as everyone with the same role gets it, without the person's own
    registration (a marker), and the facts needed to render that part per request."""
    occurrence = selectors.occurrence_for_cache(pk)
    now = timezone.now()
    is_past = occurrence.is_past(now)
    seats_left = max(occurrence.effective_capacity - occurrence.confirmed_count, 0)
    html = render_fragment(
        "rituals/_occurrence_detail_body.html",
        {
            "occurrence": occurrence,
            "ritual": occurrence.ritual,
            "seats_left": seats_left,
            "is_past": is_past,
            "can_manage": can_manage,
            "registrants": selectors.registrants(occurrence) if can_manage else [],
            "suggestions": selectors.suggestions(occurrence.ritual)
            if can_manage and not is_past
            else [],
        },
    )
    day = formats.date_format(timezone.localtime(occurrence.starts_at), "j F Y")
    return {
        "title": f"{occurrence.ritual.title} — {day}",
        "html": html,
        "starts_at": occurrence.starts_at,
        "closes_at": occurrence.registration_closes_at,
        "is_cancelled": occurrence.is_cancelled,
        "seats_left": seats_left,
    }


@login_required
def occurrence_detail(request: HttpRequest, pk: int) -> HttpResponse:
    # Access, role and right to register on every request; the page is shared per role and
    # only the person's own registration (status, buttons, CSRF token) is rendered per request.
    user = request.user
    access = selectors.occurrence_access(user, pk)
    can_manage = permissions.can_manage_ritual(
        user, Ritual(organisation_id=access["organisation_id"])
    )
    shared = cached(
        "rituals.occurrence",
        (pk, can_manage),
        ("rituals", "ideas", "people"),
        lambda: _occurrence_page(pk, can_manage),
    )
    now = timezone.now()
    is_cancelled = shared["is_cancelled"]
    mine = render_fragment(
        "rituals/_occurrence_mine.html",
        {
            "pk": pk,
            "mine": access["mine"],
            "seats_left": shared["seats_left"],
            "is_past": shared["starts_at"] <= now,
            "is_open": not is_cancelled and now < shared["closes_at"],
            "is_cancelled": is_cancelled,
            "closes_at": shared["closes_at"],
            "can_register": access["can_register"],
        },
    )
    body = shared["html"].replace("<!--my-registration-->", mine.strip(), 1)
    return render(
        request,
        "rituals/occurrence_detail.html",
        {"title": shared["title"], "body": punch_csrf(request, body)},
    )


@login_required
@require_POST
def occurrence_register(request: HttpRequest, pk: int) -> HttpResponse:
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


def _manageable_occurrence(request: HttpRequest, pk: int) -> Occurrence:
    occurrence = selectors.occurrence_for_page(request.user, pk)
    if not permissions.can_manage_ritual(request.user, occurrence.ritual):
        raise PermissionDenied
    return occurrence


@login_required
def occurrence_edit(request: HttpRequest, pk: int) -> HttpResponse:
    occurrence = _manageable_occurrence(request, pk)
    form = OccurrenceForm(request.POST if request.method == "POST" else None, occurrence=occurrence)
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
                presenter=data["presenter_email"],
                idea=data["idea"],
                topic=data["topic"],
            )
        except ValidationError as error:
            if hasattr(error, "error_dict") and "presenter" in error.error_dict:
                error.error_dict["presenter_email"] = error.error_dict.pop("presenter")
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
def occurrence_cancel(request: HttpRequest, pk: int) -> HttpResponse:
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
def occurrence_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    occurrence = _manageable_occurrence(request, pk)
    confirmed = [
        registration
        for registration in selectors.registrants(occurrence)
        if registration.status == Registration.Status.CONFIRMED
    ]
    if request.method == "POST":
        ids = [int(value) for value in request.POST.getlist("attended") if value.isdigit()]
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
def occurrence_export(request: HttpRequest, pk: int) -> HttpResponse:
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
def occurrence_ics(request: HttpRequest, pk: int) -> HttpResponse:
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
def calendar_settings(request: HttpRequest) -> HttpResponse:
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
            "personal_url": _feed_url(request, "rituals:personal_feed", token.token),
            "ritual_urls": [
                (ritual, _feed_url(request, "rituals:ritual_feed", token.token, ritual.pk))
                for ritual in rituals
            ],
            "site_url": settings.SITE_URL,
        },
    )
