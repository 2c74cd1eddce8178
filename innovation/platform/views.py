"""Platform pages: sign-in, profile, notifications, directory and its import, person page,
audit trail, personal data. The home page and the dashboard are the site's (innovation.site)."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError
from django.db.models import Q, QuerySet
from django.http import Http404, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from innovation.platform import (
    audit,
    audit_display,
    notifications,
    people,
    permissions,
    personal_data,
    pickers,
    roles,
)
from innovation.platform.exports import csv_response
from innovation.platform.filters import AuditEventFilter
from innovation.platform.forms import (
    EmailAuthenticationForm,
    PeopleImportForm,
    ProfileForm,
)
from innovation.platform.models import AuditEvent, Role, User
from innovation.platform.pagination import CappedPaginator
from innovation.platform.web import AuthenticatedRequest

NOTIFICATIONS_PER_PAGE = 25
MAX_ERRORS_SHOWN = 500


class LoginView(auth_views.LoginView):
    authentication_form = EmailAuthenticationForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    form = ProfileForm(request.POST or None, instance=user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Profil enregistré."))
        return redirect("profile")
    grants = user.role_grants.select_related("organisation").order_by("organisation__name", "role")
    roles_by_organisation: dict[str, list[str]] = {}
    for grant in grants:
        roles_by_organisation.setdefault(grant.organisation.name, []).append(
            grant.get_role_display()
        )
    return render(
        request,
        "innovation/profile.html",
        {
            "form": form,
            "organisation": user.organisation,
            "direction": user.direction,
            "roles_by_organisation": sorted(roles_by_organisation.items()),
        },
    )


def _safe_link(url: str) -> str:
    """Only links inside the site are shown: notifications are ours, but be strict anyway."""
    return url if url.startswith("/") and not url.startswith("//") else ""


@login_required
@require_GET
def notification_list(request: AuthenticatedRequest) -> HttpResponse:
    queryset = request.user.notifications.only(
        "id", "subject", "body", "url", "created_at", "read_at", "recipient_id"
    ).order_by("-created_at", "-id")
    page = CappedPaginator(queryset, NOTIFICATIONS_PER_PAGE).get_page(request.GET.get("page"))
    for notification in page.object_list:
        notification.link = _safe_link(notification.url)
    return render(request, "innovation/notification_list.html", {"page": page})


@login_required
@require_POST
def notification_mark_read(request: AuthenticatedRequest) -> HttpResponse:
    raw_id = request.POST.get("id", "").strip()
    if raw_id:
        if not raw_id.isdecimal():
            raise Http404
        notifications.mark_read(request.user, [int(raw_id)])
        messages.success(request, _("Notification marquée comme lue."))
    else:
        notifications.mark_read(request.user)
        messages.success(request, _("Toutes les notifications sont marquées comme lues."))
    next_url = request.POST.get("next", "")
    # A path only: redirect() reads other text as a URL name (NoReverseMatch, a 500).
    if next_url.startswith("/") and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(next_url)
    return redirect("notification_list")


@login_required
@require_http_methods(["GET", "POST"])
def people_import(request: AuthenticatedRequest) -> HttpResponse:
    if not permissions.can_import_people(request.user):
        raise PermissionDenied
    form = PeopleImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        try:
            report = people.import_people(form.cleaned_data["file"], actor=request.user)
        except people.ImportFileError as error:
            form.add_error("file", error.message)
        except IntegrityError:
            # Another import created the same person a moment ago.
            form.add_error(
                "file", _("Un autre import était en cours ; rien n'a été importé. Réessayez.")
            )
        else:
            if report.ok:
                audit.record(
                    audit.PEOPLE_IMPORTED,
                    actor=request.user,
                    request=request,
                    detail={"created": report.created, "updated": report.updated},
                )
                messages.success(
                    request,
                    _(
                        "Import terminé : %(created)s personne(s) créée(s), %(updated)s mise(s) "
                        "à jour, %(unchanged)s inchangée(s), %(directions)s direction(s) "
                        "créée(s)."
                    )
                    % {
                        "created": report.created,
                        "updated": report.updated,
                        "unchanged": report.unchanged,
                        "directions": report.directions_created,
                    },
                )
                return redirect("people_import")
    return render(
        request,
        "innovation/people_import.html",
        {
            "form": form,
            "report": report,
            "administered": list(permissions.organisations_with_role(request.user, Role.ADMIN)),
            "max_errors_shown": MAX_ERRORS_SHOWN,
            "max_errors_slice": f":{MAX_ERRORS_SHOWN}",
        },
    )


AUDIT_PER_PAGE = 50


def _audit_events(request: AuthenticatedRequest):
    """Events of the organisations the admin runs, plus failed logins (which have none)."""
    if not permissions.is_admin_anywhere(request.user):
        raise PermissionDenied
    organisations = permissions.organisations_with_role(request.user, Role.ADMIN)
    queryset = (
        AuditEvent.objects.filter(
            Q(organisation__in=organisations)
            | Q(organisation__isnull=True, action=audit.LOGIN_FAILED)
        )
        .select_related("actor", "organisation")
        .order_by("-created_at", "-id")
    )
    return AuditEventFilter(request.GET or None, queryset=queryset, organisations=organisations)


@login_required
@require_GET
def audit_log(request: AuthenticatedRequest) -> HttpResponse:
    events = _audit_events(request)
    page = CappedPaginator(events.qs, AUDIT_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "innovation/audit_log.html",
        {
            "filter": events,
            "page": page,
            "lines": audit_display.describe(list(page.object_list)),
            "query": query.urlencode(),
        },
    )


@login_required
@require_GET
def audit_export(request: AuthenticatedRequest) -> HttpResponseBase:
    events = _audit_events(request)
    header = [
        _("Date"),
        _("Action"),
        _("Personne"),
        _("Collectivité"),
        _("Objet"),
        _("Détail"),
        _("Adresse IP"),
    ]

    def rows():
        stream = events.qs.iterator(chunk_size=audit_display.CHUNK)
        for line in audit_display.describe_all(stream):
            event = line.event
            yield [
                timezone.localtime(event.created_at).strftime("%d/%m/%Y %H:%M:%S"),
                line.action,
                event.actor.email if event.actor else "",
                event.organisation.name if event.organisation else "",
                line.target,
                line.detail,
                event.ip_address or "",
            ]

    return csv_response(f"journal-{timezone.localdate():%Y-%m-%d}.csv", header, rows())


@login_required
@require_GET
def my_data(request: AuthenticatedRequest) -> HttpResponse:
    """Everything the platform holds about the person asking, as a JSON download."""
    data = personal_data.export_personal_data(request.user)
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    filename = f"tremplin-mes-donnees-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    audit.record(audit.EXPORT, actor=request.user, request=request, detail={"path": request.path})
    return response


PEOPLE_PER_PAGE = 50


def _directory(organisations: set[int]) -> QuerySet[User]:
    """People of `organisations` (those the viewer administers, or delegates)."""
    return User.objects.filter(organisation__in=organisations).select_related(
        "organisation", "direction"
    )


def _directory_for(user: User, administered: set[int]) -> QuerySet[User]:
    """Whom the directory lists to `user`: the people they may find (`visible_people`), and
    every account of the organisations they administer, deactivated ones included."""
    people = permissions.visible_people(user)
    if administered:
        people = User.objects.filter(
            Q(pk__in=people.values("pk")) | Q(organisation__in=administered)
        )
    return people.select_related("organisation", "direction")


@login_required
@require_GET
def people_list(request: AuthenticatedRequest) -> HttpResponse:
    """The directory: every member finds a colleague by name (name, direction, function,
    nothing more); administrators also see addresses and accounts, and act on them."""
    user = request.user
    if not permissions.member_organisation_ids(user):
        raise PermissionDenied
    administered = permissions.organisation_ids_with_role(user, Role.ADMIN)
    is_admin = bool(administered)
    people_found = _directory_for(user, administered)
    # PostgreSQL refuses NUL in a string: drop it rather than fail (tests/hardening/test_fuzz.py).
    search = request.GET.get("q", "").replace("\x00", "").strip()
    if is_admin:
        for word in search.split():
            people_found = people_found.filter(
                Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(email__icontains=word)
            )
    elif search:
        people_found = pickers.matching(people_found, search)
    people_found = people_found.order_by("last_name", "first_name", "pk")
    page = CappedPaginator(people_found, PEOPLE_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "innovation/people_list.html",
        {
            "page": page,
            "search": search,
            "query": urlencode({"q": search}) if search else "",
            "is_admin": is_admin,
            "administered": administered,
            "delegated": permissions.organisation_ids_with_role(user, Role.DELEGATE),
        },
    )


@login_required
@require_GET
def people_search(request: AuthenticatedRequest) -> JsonResponse:
    """The people picker's suggestions (static/js/person-picker.js): who `visible_people`
    lets the person find, optionally within one organisation, by name."""
    user = request.user
    if not permissions.member_organisation_ids(user):
        raise PermissionDenied
    people = permissions.visible_people(user)
    if organisation := pickers.ids([request.GET.get("organisation", "")]):
        people = people.filter(organisation_id=organisation[0])
    text = request.GET.get("q", "")[:100]
    return JsonResponse({"results": pickers.suggestions(people, text)})


@login_required
@require_http_methods(["GET", "POST"])
def person_pseudonymise(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    if not permissions.is_admin_anywhere(request.user):
        raise PermissionDenied
    organisations = permissions.organisation_ids_with_role(request.user, Role.ADMIN)
    person = get_object_or_404(_directory(organisations), pk=pk)
    if person.pk == request.user.pk:
        messages.error(request, _("Vous ne pouvez pas vous pseudonymiser vous-même."))
        return redirect("people_list")
    if request.method == "POST":
        personal_data.pseudonymise(person, actor=request.user)
        messages.success(
            request,
            _("Identité effacée : ses contributions restent, sans son nom ni son adresse."),
        )
        return redirect("people_list")
    return render(request, "innovation/person_pseudonymise.html", {"person": person})


PERSON_HISTORY_SIZE = 100


@login_required
@require_GET
def person_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """A person of the organisations the viewer delegates or administers: identity, roles
    held there, and the history of those roles (from the audit trail)."""
    # As for the directory: a missing role is a 403, a person outside one's organisations a 404.
    organisation_ids = permissions.organisation_ids_with_role(request.user, Role.DELEGATE)
    if not organisation_ids:
        raise PermissionDenied
    person = get_object_or_404(_directory(organisation_ids), pk=pk)
    # Only the roles on the viewer's organisations: the rest is not theirs to know.
    grants = (
        person.role_grants.filter(organisation__in=organisation_ids)
        .select_related("organisation")
        .order_by("organisation__name", "role")
    )
    history = roles.role_history(person, organisation_ids, limit=PERSON_HISTORY_SIZE)
    return render(
        request,
        "innovation/person_detail.html",
        {
            "person": person,
            "grants": list(grants),
            "history": history,
            "history_size": PERSON_HISTORY_SIZE,
            "can_see_directory": permissions.is_admin_anywhere(request.user),
        },
    )
