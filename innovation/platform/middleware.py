from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.utils.translation import gettext as _

from innovation.platform import audit
from innovation.platform.auth import SESSION_SEEN_KEY, SESSION_STARTED_KEY

# Writing the session on every request would cost a query each time; once a minute is enough
# for an idle timeout counted in minutes.
SEEN_RESOLUTION_SECONDS = 60


class SessionTimeoutMiddleware:
    """End a session after an idle period, and after an absolute duration since login."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            started = request.session.get(SESSION_STARTED_KEY, now)
            seen = request.session.get(SESSION_SEEN_KEY, now)
            idle = now - seen > settings.SESSION_IDLE_MINUTES * 60
            too_old = now - started > settings.SESSION_ABSOLUTE_HOURS * 3600
            if idle or too_old:
                logout(request)
                messages.info(request, _("Votre session a expiré : reconnectez-vous."))
                return redirect_to_login(request.get_full_path())
            if SESSION_STARTED_KEY not in request.session:
                request.session[SESSION_STARTED_KEY] = now
            if now - seen >= SEEN_RESOLUTION_SECONDS:
                request.session[SESSION_SEEN_KEY] = now
        return self.get_response(request)


class AuditMiddleware:
    """Record every refused access and every CSV export, whichever view answered; and give
    every event recorded while answering the request its address."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with audit.requested_by(request):
            return self._audited(request)

    def _audited(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return response
        if response.status_code == 403:
            audit.record(
                audit.PERMISSION_DENIED,
                actor=user,
                request=request,
                detail={"path": request.path[:300], "method": request.method},
            )
        elif response.get("Content-Type", "").startswith("text/csv"):
            audit.record(
                audit.EXPORT,
                actor=user,
                request=request,
                detail={"path": request.path[:300], "query": request.GET.urlencode()[:500]},
            )
        return response
