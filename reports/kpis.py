"""The KPI set: one definition per figure, shared by the dashboard, the reports, the API
(``/api/v1/metrics/``) and the exports (DESIGN.md principle 1).

Each KPI is a function of (units, start, end) that calls the owning app's ``metrics.py``; this
module never counts records itself. ``compute`` returns plain JSON-able values (ints, strings
for Decimals) so the same dict can be frozen in a report row and served by the API unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaigns import metrics as campaign_metrics
from dialogues import metrics as dialogue_metrics
from organization.models import Unit
from programs import metrics as program_metrics

Units = Unit | Iterable[Unit]


@dataclass(frozen=True)
class Kpi:
    key: str
    label: Any
    unit: str  # "count", "vnd", "percent", "m2", "person_times", "score"
    compute: Callable[[Units, date, date], int | Decimal | None]
    #: "period": summed over the period; "stock": the state at the period's end.
    nature: str = "period"


def _average_score(units: Units, start: date, end: date) -> Decimal | None:
    return campaign_metrics.scores(units, start, end)["average_percent"]


def _units_scored(units: Units, start: date, end: date) -> int:
    return sum(row["scored"] for row in campaign_metrics.round_coverage(units, start, end))


KPIS: tuple[Kpi, ...] = (
    Kpi("programs", _("Programs held"), "count", program_metrics.programs_count),
    Kpi(
        "value_mobilized_vnd",
        _("Value mobilized (đồng)"),
        "vnd",
        lambda u, s, e: program_metrics.value_mobilized(u, s, e)["value_vnd"],
    ),
    Kpi(
        "person_times",
        _("Person-times"),
        "person_times",
        lambda u, s, e: program_metrics.person_times(u, s, e)["total"],
    ),
    Kpi("dialogues", _("Dialogues held"), "count", lambda u, s, e: dialogue_metrics.dialogues_count(u, s, e)),
    Kpi("petitions_received", _("Petitions received"), "count", dialogue_metrics.petitions_received),
    Kpi("petitions_resolved", _("Petitions resolved"), "count", dialogue_metrics.petitions_resolved),
    Kpi(
        "petitions_overdue",
        _("Petitions overdue"),
        "count",
        lambda u, s, e: dialogue_metrics.petitions_overdue(u, on=min(e, timezone.localdate())),
        nature="stock",
    ),
    Kpi(
        "on_time_rate",
        _("Answered on time (%)"),
        "percent",
        lambda u, s, e: dialogue_metrics.on_time_rate(u, s, e)["rate"],
    ),
    Kpi("land_donated_m2", _("Land donated (m²)"), "m2", lambda u, s, e: program_metrics.donations(u, s, e)["area_m2"]),
    Kpi(
        "clearance_percent",
        _("Site clearance paid (percent of plan)"),
        "percent",
        lambda u, s, e: program_metrics.clearance(u, s, e)["percent"],
        nature="stock",
    ),
    Kpi("movement_units_scored", _("Units scored in movements"), "count", _units_scored),
    Kpi("movement_average_score", _("Average movement score (%)"), "percent", _average_score),
)

BY_KEY = {kpi.key: kpi for kpi in KPIS}


def as_json(value: int | Decimal | None) -> int | str | None:
    """Decimals travel as strings ("283.75"), so a frozen figure never drifts through floats."""
    if isinstance(value, Decimal):
        return str(value)
    return value


def compute(units: Units, start: date, end: date) -> dict[str, int | str | None]:
    """Every KPI for the units' subtrees and the period, JSON-ready."""
    return {kpi.key: as_json(kpi.compute(units, start, end)) for kpi in KPIS}
