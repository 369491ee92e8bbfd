"""The petition workflow: statuses and the only transitions allowed between them.

received ─┬─> answered_on_spot                      (answered at the dialogue itself)
          ├─> assigned ─> in_progress ─> answered ─> resolved
          │      │  ▲          │            │
          │      │  └─reassign─┘            └─> in_progress   (reopened: answer insufficient)
          │      └─> transferred                              (handed to another level/body)
          └─> routed_out                                      (legal complaint / denunciation)

Who may take each transition is decided in ``dialogues.permissions``; this module only knows
which moves exist, so the pages, the API and imports cannot disagree about them.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PetitionStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    ANSWERED_ON_SPOT = "answered_on_spot", _("Answered on the spot")
    ASSIGNED = "assigned", _("Assigned")
    IN_PROGRESS = "in_progress", _("In progress")
    ANSWERED = "answered", _("Answered")
    RESOLVED = "resolved", _("Resolved")
    TRANSFERRED = "transferred", _("Transferred")
    ROUTED_OUT = "routed_out", _("Routed to the legal track")


class Action(models.TextChoices):
    ANSWER_ON_SPOT = "answer_on_spot", _("Answer on the spot")
    ASSIGN = "assign", _("Assign to an agency")
    START = "start", _("Start handling")
    REASSIGN = "reassign", _("Re-assign to another agency")
    ANSWER = "answer", _("Publish the answer")
    RESOLVE = "resolve", _("Mark resolved")
    REOPEN = "reopen", _("Reopen (answer insufficient)")
    TRANSFER = "transfer", _("Transfer to another level")
    ROUTE_OUT = "route_out", _("Route to the legal track")


S = PetitionStatus

#: (action, from status) -> to status. Anything not listed is refused.
TRANSITIONS: dict[tuple[str, str], str] = {
    (Action.ANSWER_ON_SPOT, S.RECEIVED): S.ANSWERED_ON_SPOT,
    (Action.ASSIGN, S.RECEIVED): S.ASSIGNED,
    (Action.ROUTE_OUT, S.RECEIVED): S.ROUTED_OUT,
    (Action.START, S.ASSIGNED): S.IN_PROGRESS,
    (Action.REASSIGN, S.ASSIGNED): S.ASSIGNED,
    (Action.REASSIGN, S.IN_PROGRESS): S.ASSIGNED,
    (Action.ANSWER, S.ASSIGNED): S.ANSWERED,
    (Action.ANSWER, S.IN_PROGRESS): S.ANSWERED,
    (Action.TRANSFER, S.ASSIGNED): S.TRANSFERRED,
    (Action.TRANSFER, S.IN_PROGRESS): S.TRANSFERRED,
    (Action.RESOLVE, S.ANSWERED): S.RESOLVED,
    (Action.REOPEN, S.ANSWERED): S.IN_PROGRESS,
}

#: Statuses in which an agency still owes an answer; only these can be overdue.
OPEN_WITH_AGENCY = frozenset({S.ASSIGNED, S.IN_PROGRESS})
#: Statuses that end the petition's life in the portal.
CLOSED = frozenset({S.ANSWERED_ON_SPOT, S.RESOLVED, S.TRANSFERRED, S.ROUTED_OUT})


def target_status(action: str, current: str) -> str | None:
    """The status ``action`` leads to from ``current``, or None when the move is not allowed."""
    return TRANSITIONS.get((action, current))


def actions_from(current: str) -> list[str]:
    return [action for (action, source) in TRANSITIONS if source == current]
