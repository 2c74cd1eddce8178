from innovation.platform import permissions


def navigation(request):
    """What the layout needs on every page: the menu entries this person may use."""
    user = request.user
    if not user.is_authenticated:
        return {}
    member = bool(permissions.member_organisation_ids(user))
    return {
        "nav_is_delegate": permissions.is_delegate_anywhere(user),
        "nav_is_admin": permissions.is_admin_anywhere(user),
        "nav_can_post_challenge": permissions.has_role_anywhere(user, "director", "delegate"),
        # Breakfast rituals: any member of an organisation may register.
        "nav_rituals": member,
        # Pitch forums: every member may see those of their organisations (no extra query).
        "nav_forums": member,
        # Mandates: agents sign and hold follow-ups too, so every member (no extra query).
        "nav_mandates": member,
        # The directory: every member finds colleagues there (visible_people).
        "nav_directory": member,
        # A count query, run only by pages that show the menu (the template asks for it).
        "nav_unread_count": lambda: user.unread_notification_count,
    }
