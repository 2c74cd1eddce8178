"""What the forum pages share: the access checks, the header and tabs (`_page`), URL helpers."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render

from innovation.platform.web import AuthenticatedRequest
from juries import permissions, selectors
from juries.models import Forum, Juror
from juries.permissions import ForumAccess

Stage = Forum.Stage


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


def _visible_child(model, request: AuthenticatedRequest, pk: int):
    """A criterion, juror or pitch of a forum the person can see, or a 404."""
    queryset = model.objects.filter(forum__in=permissions.visible_forums(request.user))
    return get_object_or_404(queryset.select_related("forum"), pk=pk)


def _room_access(request: AuthenticatedRequest, pk: int) -> ForumAccess:
    """Timer, pitch on stage and live board: the forum, for those who run the room."""
    access = selectors.forum_access(request.user, pk)
    if not permissions.can_run_room(access):
        raise PermissionDenied
    return access


def _juror_or_403(access: ForumAccess) -> Juror:
    if access.seat is None:
        raise PermissionDenied
    return access.seat


def _nav(access: ForumAccess, active: str) -> dict:
    """What the forum header (`_forum_header.html`) reads: the tabs this person may use."""
    return {
        "forum": access.forum,
        "active": active,
        "nav_seat": access.seat is not None,
        "nav_room": permissions.can_run_room(access),
        "nav_results": permissions.can_see_results(access),
    }


def _page(
    request: AuthenticatedRequest,
    template: str,
    access: ForumAccess,
    context: dict,
    *,
    active: str,
    status: int = 200,
) -> HttpResponse:
    """Render a forum page under its header and sub-navigation (`active`: the current tab),
    which show the entries this person may use."""
    return render(request, template, {**_nav(access, active), **context}, status=status)
