"""Lifecycle of a Dân vận khéo model: the statuses and the only moves allowed between them.

registered → surveyed → village_consulted → launched → in_progress → evaluated ─┬→ recognized → replicated
                                                          ▲                     └→ not_met ─┘ (back to work)
Any status before the end may move to ``stopped``; recognized and replicated models may also
stop. ``replicated`` and ``stopped`` are final. Pages, API and imports all ask ``can_move``.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class DvkStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    SURVEYED = "surveyed", _("Surveyed")
    VILLAGE_CONSULTED = "village_consulted", _("Village consulted")
    LAUNCHED = "launched", _("Launched")
    # A context keeps this apart from the petition status of the same English words.
    IN_PROGRESS = "in_progress", pgettext_lazy("dvk status", "In progress")
    EVALUATED = "evaluated", _("Evaluated")
    RECOGNIZED = "recognized", _("Recognized")
    NOT_MET = "not_met", _("Not met")
    REPLICATED = "replicated", _("Replicated")
    STOPPED = "stopped", _("Stopped")


S = DvkStatus

DVK_TRANSITIONS: dict[str, frozenset[str]] = {
    S.REGISTERED: frozenset({S.SURVEYED, S.STOPPED}),
    S.SURVEYED: frozenset({S.VILLAGE_CONSULTED, S.STOPPED}),
    S.VILLAGE_CONSULTED: frozenset({S.LAUNCHED, S.STOPPED}),
    S.LAUNCHED: frozenset({S.IN_PROGRESS, S.STOPPED}),
    S.IN_PROGRESS: frozenset({S.EVALUATED, S.STOPPED}),
    S.EVALUATED: frozenset({S.RECOGNIZED, S.NOT_MET, S.STOPPED}),
    S.NOT_MET: frozenset({S.IN_PROGRESS, S.STOPPED}),
    S.RECOGNIZED: frozenset({S.REPLICATED, S.STOPPED}),
    S.REPLICATED: frozenset(),
    S.STOPPED: frozenset(),
}

#: Statuses in which households may still sign a commitment.
SIGNING_STATUSES = frozenset(
    {S.VILLAGE_CONSULTED, S.LAUNCHED, S.IN_PROGRESS, S.EVALUATED, S.NOT_MET, S.RECOGNIZED, S.REPLICATED}
)


def can_move(current: str, target: str) -> bool:
    return target in DVK_TRANSITIONS.get(current, frozenset())


def next_statuses(current: str) -> list[str]:
    order = list(DvkStatus.values)
    return sorted(DVK_TRANSITIONS.get(current, frozenset()), key=order.index)
