"""Template context every page needs: memberships for the switcher and the role-based menu."""

from __future__ import annotations

from . import access


def portal(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "my_memberships": access.memberships(user),
        "active_membership": getattr(request, "active_membership", None),
        "is_portal_admin": access.is_admin(user),
        "my_roles": access.roles(user),
    }
