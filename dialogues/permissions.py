"""Who may do what with dialogues and petitions. Pages, API and imports all ask here.

Writes outside the user's scope raise ``Http404`` (existence does not leak); inside the scope but
without the right, ``PermissionDenied``.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from organization import access
from organization.models import Role, Unit

from .workflow import Action

#: Actions taken on the commune's side: what was said at the dialogue.
LOCAL_ACTIONS = frozenset({Action.ANSWER_ON_SPOT, Action.ROUTE_OUT})
#: Actions of the Ban Dân vận following the petition: assign, re-assign, transfer, close, reopen.
FOLLOW_UP_ACTIONS = frozenset({Action.ASSIGN, Action.REASSIGN, Action.TRANSFER, Action.RESOLVE, Action.REOPEN})
#: Actions of the agency the petition is assigned to.
AGENCY_ACTIONS = frozenset({Action.START, Action.ANSWER})


def can_record(user, unit: Unit) -> bool:
    """Create and edit dialogues, petitions and meetings of ``unit``."""
    return access.can_edit_unit(user, unit)


def can_follow_up(user, unit: Unit) -> bool:
    return access.has_role_over(user, unit, Role.DISTRICT_STAFF)


def can_issue_notice(user, unit: Unit) -> bool:
    return access.has_role_over(user, unit, Role.DISTRICT_STAFF, Role.LEADER)


def is_agency_officer(user, agency: Unit | None) -> bool:
    return agency is not None and access.has_role_over(user, agency, Role.AGENCY_OFFICER)


def may_take(user, petition, action: str) -> bool:
    if action in LOCAL_ACTIONS:
        return can_record(user, petition.unit)
    if action in FOLLOW_UP_ACTIONS:
        return can_follow_up(user, petition.unit)
    if action in AGENCY_ACTIONS:
        return is_agency_officer(user, petition.assigned_agency)
    return False


def require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied
