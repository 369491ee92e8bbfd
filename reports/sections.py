"""What a report contains, computed from the apps' metrics and frozen in ``Report.figures``.

The structure (a JSON dict) is what the renderers (XLSX, DOCX, PDF), the report page and the API
read. Every number comes from a ``metrics.py`` function or from ``reports.kpis``; nothing here
counts records itself. Decimals are strings (see ``kpis.as_json``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone

from campaigns import metrics as campaign_metrics
from dialogues import metrics as dialogue_metrics
from organization.models import COMMUNE_KINDS, Unit
from programs import metrics as program_metrics

from . import kpis
from .periods import Period, label, months_back, previous, same_period_last_year

#: Bumped when the structure changes, so old frozen reports can still be read.
FIGURES_SCHEMA = 1


def _json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    return value


def communes_of(units: list[Unit]) -> list[Unit]:
    """The communes (and townships, wards) in the subtrees, or the units themselves when they
    are communes: the rows of the commune ranking."""
    found: dict[int, Unit] = {}
    for unit in units:
        if unit.kind in COMMUNE_KINDS:
            found[unit.pk] = unit
            continue
        for commune in Unit.objects.filter(path__startswith=unit.path, kind__in=COMMUNE_KINDS).order_by("path"):
            found[commune.pk] = commune
    return list(found.values())


def commune_table(units: list[Unit], start: date, end: date) -> list[dict[str, Any]]:
    """One row per commune with the KPI set, ranked by petitions resolved + programs held + units
    scored (a simple activity score, documented in docs/reports.md), ties sharing a rank."""
    rows = []
    for commune in communes_of(units):
        figures = kpis.compute([commune], start, end)
        activity = sum(int(figures[key] or 0) for key in ("programs", "dialogues", "petitions_resolved"))
        rows.append({"unit_id": commune.pk, "unit": commune.name, "kpis": figures, "activity": activity})
    rows.sort(key=lambda row: (-row["activity"], row["unit"]))
    rank, previous_value = 0, None
    for position, row in enumerate(rows, start=1):
        if row["activity"] != previous_value:
            rank, previous_value = position, row["activity"]
        row["rank"] = rank
    return rows


def trend(
    units: list[Unit],
    end: date,
    keys: tuple[str, ...] = ("programs", "dialogues", "petitions_received", "petitions_resolved"),
) -> list[dict[str, Any]]:
    """The last 12 calendar months up to ``end``: the chosen KPIs per month."""
    rows = []
    for month in months_back(end, 12):
        rows.append(
            {
                "month": month.start.isoformat(),
                **{key: kpis.as_json(kpis.BY_KEY[key].compute(units, month.start, month.end)) for key in keys},
            }
        )
    return rows


def build(units: list[Unit], period: Period, progress: Callable[[int], None] | None = None) -> dict[str, Any]:
    """Every section of a report for ``units`` over ``period``."""
    start, end = period.start, period.end
    step = progress or (lambda _percent: None)
    before, last_year = previous(period), same_period_last_year(period)
    figures: dict[str, Any] = {
        "schema": FIGURES_SCHEMA,
        "period": {"kind": period.kind, "start": start.isoformat(), "end": end.isoformat(), "label": label(period)},
        "kpis": kpis.compute(units, start, end),
    }
    step(15)
    figures["previous"] = {
        "start": before.start.isoformat(),
        "end": before.end.isoformat(),
        "label": label(before),
        "kpis": kpis.compute(units, before.start, before.end),
    }
    figures["last_year"] = {
        "start": last_year.start.isoformat(),
        "end": last_year.end.isoformat(),
        "label": label(last_year),
        "kpis": kpis.compute(units, last_year.start, last_year.end),
    }
    step(30)
    # "Overdue" is a state on one day: the period's end, or today for a period not over yet,
    # exactly as the KPI (and so the dashboard) counts it.
    overdue_on = min(end, timezone.localdate())
    figures["dialogues"] = _json(
        {
            "by_host": dialogue_metrics.dialogues_by(units, start, end, "host_body"),
            "by_kind": dialogue_metrics.dialogues_by(units, start, end, "kind"),
            "engagement_meetings": dialogue_metrics.engagement_meetings(units, start, end),
        }
    )
    figures["petitions"] = _json(
        {
            "received": dialogue_metrics.petitions_received(units, start, end),
            "answered_on_spot": dialogue_metrics.petitions_answered_on_spot(units, start, end),
            "assigned": dialogue_metrics.petitions_assigned(units, start, end),
            "answered": dialogue_metrics.petitions_answered(units, start, end),
            "resolved": dialogue_metrics.petitions_resolved(units, start, end),
            "routed_out": dialogue_metrics.petitions_routed_out(units, start, end),
            "overdue": dialogue_metrics.petitions_overdue(units, on=overdue_on),
            "on_time": dialogue_metrics.on_time_rate(units, start, end),
            "by_field": dialogue_metrics.petitions_by(units, start, end, "field"),
            "by_status": dialogue_metrics.petitions_by(units, start, end, "status"),
            "by_agency": dialogue_metrics.petitions_by_agency(units, start, end, on=overdue_on),
            "median_days_to_answer": dialogue_metrics.median_days_to_answer(units, start, end),
        }
    )
    step(45)
    figures["programs"] = _json(
        {
            "count": program_metrics.programs_count(units, start, end),
            "by_level": program_metrics.programs_by_level(units, start, end),
            "value": program_metrics.value_mobilized(units, start, end),
            "person_times": program_metrics.person_times(units, start, end),
            "labour_days": program_metrics.labour_days(units, start, end),
            "roads": program_metrics.roads(units, start, end),
            "donations": program_metrics.donations(units, start, end),
            "clearance": program_metrics.clearance(units, start, end),
            "clearance_projects": program_metrics.clearance_projects(units, start, end),
        }
    )
    step(60)
    figures["campaigns"] = _json(
        {
            "coverage": campaign_metrics.round_coverage(units, start, end),
            "scores": campaign_metrics.scores(units, start, end),
            "selections": campaign_metrics.selections(units, start, end),
            "awards": campaign_metrics.awards(units, start, end),
            "models": campaign_metrics.dvk_models(units, start, end),
            "commitments": campaign_metrics.commitments(units, start, end),
        }
    )
    step(70)
    figures["trend"] = trend(units, end)
    step(80)
    figures["communes"] = commune_table(units, start, end)
    step(85)
    return figures
