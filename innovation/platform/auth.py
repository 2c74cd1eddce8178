"""Login plumbing: how django-axes names a person and their address, and the audit of logins."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone

from innovation.platform import audit


def axes_username(request: HttpRequest, credentials: dict | None) -> str:
    """The e-mail as the login form normalises it, so "Agent@" and "agent@" count together."""
    if credentials and credentials.get("username"):
        return str(credentials["username"]).strip().lower()
    return str(request.POST.get("username", "")).strip().lower()


def client_ip(request: HttpRequest) -> str:
    """The client's address, trusting X-Forwarded-For only behind known proxies."""
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR", "")


SESSION_STARTED_KEY = "tremplin_login_at"
SESSION_SEEN_KEY = "tremplin_seen_at"


@receiver(user_logged_in)
def _on_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        now = int(timezone.now().timestamp())
        request.session[SESSION_STARTED_KEY] = now
        request.session[SESSION_SEEN_KEY] = now
    audit.record(audit.LOGIN, actor=user, request=request)


@receiver(user_logged_out)
def _on_logout(sender, request, user, **kwargs):
    if user is not None:
        audit.record(audit.LOGOUT, actor=user, request=request)


@receiver(user_login_failed)
def _on_login_failed(sender, credentials, request=None, **kwargs):
    # The attempted e-mail is kept: it is what an administrator investigates.
    audit.record(
        audit.LOGIN_FAILED,
        actor=None,
        request=request,
        detail={"username": axes_username(request, credentials) if request else ""},
    )
