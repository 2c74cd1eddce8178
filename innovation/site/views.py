"""The pages that gather every app: the home page and the delegates' dashboard."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from innovation.platform import permissions
from innovation.platform.exports import csv_response
from innovation.platform.forms import DashboardFilterForm
from innovation.platform.web import AuthenticatedRequest, url_prefix
from innovation.site import dashboard as dashboard_selectors
from innovation.site.home import build_home


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("login")
    return render(request, "home.html", {"home": build_home(request.user)})


def _dashboard_scope(request: AuthenticatedRequest):
    if not permissions.can_see_dashboard(request.user):
        raise PermissionDenied
    organisations = dashboard_selectors.dashboard_organisations(request.user)
    form = DashboardFilterForm(request.GET or None, organisations=organisations)
    return organisations, (form.selected_id() if form.is_bound else None), form


@login_required
@require_GET
def dashboard(request: AuthenticatedRequest) -> HttpResponse:
    organisations, organisation_id, form = _dashboard_scope(request)
    data = dashboard_selectors.build_dashboard(
        request.user, organisation_id, organisations=organisations
    )
    return render(
        request,
        "innovation/dashboard.html",
        {
            "form": form,
            "data": data,
            "state_labels": dashboard_selectors.STATE_LABELS,
            "export_query": f"?organisation={data.selected.pk}" if data.selected else "",
            # The rows' links, written `prefix + pk + "/"` rather than reversed for each row.
            "mandate_prefix": url_prefix("ideas:mandate_detail"),
            "occurrence_prefix": url_prefix("rituals:occurrence"),
            "idea_prefix": url_prefix("ideas:detail"),
        },
    )


@login_required
@require_GET
def dashboard_export(request: AuthenticatedRequest, table: str) -> HttpResponseBase:
    if table not in dashboard_selectors.EXPORT_TABLES:
        raise Http404
    organisations, organisation_id, _form = _dashboard_scope(request)
    header, rows = dashboard_selectors.export_table(
        request.user, table, organisation_id, organisations=organisations
    )
    return csv_response(f"pilotage-{table}-{timezone.localdate():%Y-%m-%d}.csv", header, rows)
