from .selectors import notification_latest_unread, notification_unread_count


def unread(request):
    """The bell: how many unread, and the latest of them (a browser notification names it
    when it arrives on an open page)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    count = notification_unread_count(user)
    return {
        "notifications_unread": count,
        "notifications_latest": notification_latest_unread(user) if count else None,
    }
