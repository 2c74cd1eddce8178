from innovation import permissions


def navigation(request):
    """What the layout needs on every page: the menu entries this person may use."""
    user = request.user
    if not user.is_authenticated:
        return {}
    return {
        "nav_is_delegate": permissions.is_delegate_anywhere(user),
        "nav_is_admin": permissions.is_admin_anywhere(user),
        "nav_can_post_challenge": permissions.has_role_anywhere(user, "director", "delegate"),
        "nav_unread_count": user.notifications.filter(read_at__isnull=True).count(),
    }
