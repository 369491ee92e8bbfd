"""Remembers which of a user's memberships they are acting under (the unit switcher)."""

from __future__ import annotations

from .access import memberships

SESSION_KEY = "active_membership_id"


def active_membership(request):
    items = memberships(request.user)
    if not items:
        return None
    wanted = request.session.get(SESSION_KEY)
    for membership in items:
        if membership.pk == wanted:
            return membership
    return items[0]


class ActiveMembershipMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.active_membership = active_membership(request) if request.user.is_authenticated else None
        return self.get_response(request)
