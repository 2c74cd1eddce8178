from collections.abc import Callable
from functools import lru_cache

from django.utils.safestring import SafeString
from django.utils.translation import get_language

from innovation import caching, permissions


def navigation(request):
    """What the layout needs on every page: the menu entries this person may use."""
    user = request.user
    if not user.is_authenticated:
        return {}
    member = bool(permissions.member_organisation_ids(user))
    flags = {
        "nav_is_delegate": permissions.is_delegate_anywhere(user),
        "nav_is_admin": permissions.is_admin_anywhere(user),
        "nav_can_post_challenge": permissions.has_role_anywhere(user, "director", "delegate"),
        # Breakfast rituals: any member of an organisation may register.
        "nav_rituals": member,
        # Pitch forums: every member may see those of their organisations (no extra query).
        "nav_forums": member,
        # Mandates: agents sign and hold follow-ups too, so every member (no extra query).
        "nav_mandates": member,
    }
    unread = user.unread_notification_count
    key = (tuple(sorted(flags.items())), unread, user.get_short_name(), get_language())
    return {
        **flags,
        "nav_unread_count": unread,
        # Rendered only by pages that show the menu, with this request's CSRF token.
        "nav_html": _OnRender(lambda: caching.punch_csrf(request, _nav_html(*key))),
    }


@lru_cache(maxsize=4096)
def _nav_html(
    flags: tuple[tuple[str, bool], ...], unread: int, short_name: str, language: str
) -> str:
    """The menu for one combination of entries, count and name: the dozen reversed URLs
    and translations are worked out once per process, not on every page."""
    context = {**dict(flags), "nav_unread_count": unread, "short_name": short_name}
    return caching.render_fragment("_nav.html", context)


class _OnRender:
    """HTML built only if a template prints it. Django's `lazy()` would do, but it builds a
    proxy class on every call: a tenth of a millisecond on every page."""

    __slots__ = ("_build",)

    def __init__(self, build: Callable[[], SafeString]):
        self._build = build

    def __str__(self) -> SafeString:  # a SafeString: the template does not escape it
        return self._build()

    __html__ = __str__
