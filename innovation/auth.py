"""Login plumbing: how django-axes names a person and their address, and the audit of logins."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.core.exceptions import ValidationError
from django.db import connections, router
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone

from innovation import audit
from innovation.models import Notification, RoleGrant, User, role_map_of
from innovation.sql import built_for, row_reader


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


class PersonBackend(ModelBackend):
    """Django's model backend, except that loading the logged-in person on each request
    also brings what nearly every page asks next: their roles per organisation (menu,
    permissions) and their unread notifications (menu). One query instead of three, which
    is a good part of what a page costs once its content comes from the shared cache."""

    def get_user(self, user_id):
        user = load_person(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


def _person_query(connection) -> tuple[str, int, Callable]:
    quote = connection.ops.quote_name
    columns, read = row_reader(User, connection)
    user_id = f"u.{quote('id')}"
    # A row per role grant (or one with NULLs), each carrying the person and the count.
    sql = (
        f"SELECT {', '.join(f'u.{column}' for column in columns)}, "
        f"g.{quote('organisation_id')}, g.{quote('role')}, "
        f"(SELECT COUNT(*) FROM {quote(Notification._meta.db_table)} n "
        f"WHERE n.{quote('recipient_id')} = {user_id} AND n.{quote('read_at')} IS NULL) "
        f"FROM {quote(User._meta.db_table)} u "
        f"LEFT JOIN {quote(RoleGrant._meta.db_table)} g ON g.{quote('user_id')} = {user_id} "
        f"WHERE {user_id} = %s"
    )
    return sql, len(columns), read


def load_person(user_id) -> User | None:
    """The person with `role_map` and `unread_notification_count` filled, or None."""
    try:
        pk = User._meta.pk.to_python(user_id)
    except ValidationError:  # a session value that is not an id
        return None
    connection = connections[router.db_for_read(User)]
    sql, width, read = built_for(connection, "person", lambda: _person_query(connection))
    with connection.cursor() as cursor:
        cursor.execute(sql, [pk])
        rows = cursor.fetchall()
    if not rows:
        return None
    user = read(rows[0][:width])
    user.__dict__["role_map"] = role_map_of(
        (row[width], row[width + 1]) for row in rows if row[width] is not None
    )
    user.__dict__["unread_notification_count"] = rows[0][width + 2]
    return user
