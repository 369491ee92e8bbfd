"""The unread count shown on the bell in the navbar.

The count is lazy (a page that never shows the bell pays nothing) and computed once per request
however many times a template asks. It is capped: past ``UNREAD_CAP`` the bell says "99+", so
a user with a large backlog costs no more than anyone else.
"""

from __future__ import annotations

from .models import Notification

#: Counting stops here; the badge shows "99+" above 99.
UNREAD_CAP = 100
_CACHE_ATTR = "_danvan_unread_notifications"


def unread_count(request) -> int:
    """Unread notifications of the signed-in user, at most ``UNREAD_CAP``; one query per request."""
    cached = getattr(request, _CACHE_ATTR, None)
    if cached is None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            cached = 0
        else:
            # COUNT over a LIMITed subquery, served by the notification_inbox index.
            cached = Notification.objects.filter(recipient=user).unread()[:UNREAD_CAP].count()
        setattr(request, _CACHE_ATTR, cached)
    return cached


def notifications(request) -> dict:
    # A callable: the template engine calls it when (and each time) the variable is used.
    return {"notification_unread_count": lambda: unread_count(request)}
