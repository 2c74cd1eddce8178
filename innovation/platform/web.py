"""Small helpers every app's views share."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

from innovation.platform.models import User


def add_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Put a service's ValidationError next to the fields it names (or above the form)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def safe_next(request: HttpRequest, default: str) -> str:
    """The `next` address of the request if it is a path on this site, else `default`.

    Only paths: `redirect()` would take any other text ("25", "a b") for a URL name and fail
    with NoReverseMatch, a 500 (found by tests/hardening/test_fuzz.py)."""
    target = request.POST.get("next") or request.GET.get("next")
    if (
        target
        and target.startswith("/")
        and url_has_allowed_host_and_scheme(
            target, {request.get_host()}, require_https=request.is_secure()
        )
    ):
        return target
    return default


class AuthenticatedRequest(HttpRequest):
    """The request of a view behind `@login_required`: its user is a person, never the
    anonymous user (for the type checker; Django's HttpRequest says either)."""

    user: User
