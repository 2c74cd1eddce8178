"""Small helpers every app's views share."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.urls import reverse
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


def url_maker(name: str, *args) -> Callable[[int], str]:
    """The URL `name` for any pk as its last argument, from one `reverse()`: for table rows,
    where a `{% url %}` per row cost more than the rest of the row."""
    marker = "2147483647"  # a pk that never appears in the rest of a URL of ours
    head, tail = reverse(name, args=[*args, int(marker)]).rsplit(marker, 1)
    return lambda pk: f"{head}{pk}{tail}"


def url_prefix(name: str) -> str:
    """The URL `name` of a pk without the pk and its slash ("/idees/12/" gives "/idees/"),
    for rows, templates and batches that write `prefix + pk + "/"`."""
    return reverse(name, args=[0]).removesuffix("0/")


class AuthenticatedRequest(HttpRequest):
    """The request of a view behind `@login_required`: its user is a person, never the
    anonymous user (for the type checker; Django's HttpRequest says either)."""

    user: User
