"""The leaders' dashboard, ``/reports/dashboard/`` (``reports:dashboard``).

Query parameters (every link on the page keeps them, so a period once chosen stays chosen):
``unit`` (a unit id the user can see; outside their scope the page answers 404), ``period``
(month, quarter, half_year, nine_months, year) with ``year`` and ``month`` or ``quarter``, or
``start=YYYY-MM-DD`` instead of year/month/quarter, ``predecessors=1`` (a merged commune with
the old units it continues), ``sort`` (the commune ranking's column). A period that cannot be
read is named in a message and the last complete month is shown instead.

Everyone with a visible unit may look (leaders first of all; a commune officer sees their
commune; an agency officer their agency, which holds no such figures: the empty state says so).
The figures come from ``reports.dashboard`` (and from there from ``reports.kpis``).
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.validators import MaxValueValidator
from django.http import Http404
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from organization import access
from organization.models import COMMUNE_KINDS, Unit

from . import dashboard, kpis
from .periods import ROMAN, Period, ReportKind, label

#: Columns of the commune ranking (KPI keys), in the order shown.
RANKING_KEYS = (
    "programs",
    "value_mobilized_vnd",
    "person_times",
    "dialogues",
    "petitions_received",
    "petitions_resolved",
    "petitions_overdue",
    "on_time_rate",
    "land_donated_m2",
    "movement_average_score",
)
#: Series of the activity trend chart (the value mobilized has its own chart: another scale).
ACTIVITY_TREND_KEYS = ("programs", "dialogues", "petitions_received", "petitions_resolved")
PERIOD_PARAMS = ("period", "year", "month", "quarter", "start")


class DashboardPeriodForm(forms.Form):
    """The period selector. It validates only; the period itself is built by ``dashboard``."""

    period = forms.ChoiceField(
        label=gettext_lazy("Period"),
        choices=[(kind, ReportKind(kind).label) for kind in dashboard.PERIOD_KINDS],
    )
    year = forms.IntegerField(label=gettext_lazy("Year"), required=False, min_value=dashboard.FIRST_YEAR)
    month = forms.TypedChoiceField(
        label=gettext_lazy("Month"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[(month, month) for month in range(1, 13)],
    )
    quarter = forms.TypedChoiceField(
        label=gettext_lazy("Quarter"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[(quarter, ROMAN[quarter]) for quarter in range(1, 5)],
    )
    start = forms.DateField(label=gettext_lazy("Starting on"), required=False, input_formats=["%Y-%m-%d", "%d/%m/%Y"])

    def __init__(self, *args, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].validators.append(MaxValueValidator(today.year))
        self.period: Period | None = None

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            if data.get("start"):
                self.period = dashboard.period_from_start(data["period"], data["start"])
            elif data.get("year") is None:
                self.add_error("year", _("Choose the year."))
            else:
                self.period = dashboard.period_from(
                    data["period"], data["year"], data.get("month"), data.get("quarter")
                )
        except forms.ValidationError as error:
            for field, messages in error.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)
        return data


def _query(**params: Any) -> str:
    return "?" + urlencode({key: value for key, value in params.items() if value not in (None, "", False)})


def _sort_key(key: str):
    def value(row: dict) -> tuple:
        figure = dashboard.number(row["kpis"][key])
        return (figure is None, figure if figure is not None else 0)

    return value


def _ranking(rows: list[dict], sort: str) -> list[dict]:
    """The commune rows in the chosen order: by rank (default), or by a KPI (``key`` ascending,
    ``-key`` descending), a commune without the figure last either way."""
    key = sort.removeprefix("-")
    if key not in RANKING_KEYS:
        return rows
    present = [row for row in rows if row["kpis"][key] is not None]
    missing = [row for row in rows if row["kpis"][key] is None]
    present.sort(key=lambda row: (dashboard.number(row["kpis"][key]), row["unit"]), reverse=sort.startswith("-"))
    return present + missing


def _month_label(day: str) -> str:
    return formats.date_format(date.fromisoformat(day), "YEAR_MONTH_FORMAT")


def _chart_data(figures: dict[str, Any]) -> dict[str, Any]:
    months = [_month_label(row["month"]) for row in figures["trend"]]
    return {
        "activity": {
            "labels": months,
            "datasets": [
                {"key": key, "label": str(kpis.BY_KEY[key].label), "data": [row[key] for row in figures["trend"]]}
                for key in ACTIVITY_TREND_KEYS
            ],
        },
        "value": {
            "labels": months,
            "datasets": [
                {
                    "key": "value_mobilized_vnd",
                    "label": str(kpis.BY_KEY["value_mobilized_vnd"].label),
                    "data": [row["value_mobilized_vnd"] for row in figures["trend"]],
                }
            ],
        },
        "comparison": {
            "labels": [str(kpis.BY_KEY[key].label) for key in dashboard.COMPARISON_KEYS],
            "datasets": [
                {
                    "key": "current",
                    "label": figures["period"]["label"],
                    "data": [figures["period"]["kpis"][key] for key in dashboard.COMPARISON_KEYS],
                },
                {
                    "key": "last_year",
                    "label": figures["last_year"]["label"],
                    "data": [figures["last_year"]["kpis"][key] for key in dashboard.COMPARISON_KEYS],
                },
            ],
        },
    }


def _cards(figures: dict[str, Any], links: dict[str, str]) -> list[dict[str, Any]]:
    current, before, last_year = (figures[name]["kpis"] for name in ("period", "previous", "last_year"))
    return [
        {
            "key": kpi.key,
            "label": kpi.label,
            "unit": kpi.unit,
            "nature": kpi.nature,
            "value": dashboard.number(current[kpi.key]),
            "previous": dashboard.change(current[kpi.key], before[kpi.key], kpi),
            "last_year": dashboard.change(current[kpi.key], last_year[kpi.key], kpi),
            "url": links[kpi.key],
        }
        for kpi in kpis.KPIS
    ]


def _breadcrumbs(user, unit: Unit, keep: dict[str, str]) -> list[tuple]:
    """Dashboard › the unit's ancestors the user may open › the unit: climbing back up a
    drill-down keeps the period."""
    here = reverse("reports:dashboard")
    ancestors = [
        ancestor
        for ancestor in unit.ancestors()
        if ancestor.kind in dashboard.DASHBOARD_KINDS and access.can_view_unit(user, ancestor)
    ]
    crumbs: list[tuple] = [(_("Dashboard"), here + _query(**keep))]
    crumbs += [(ancestor.name, here + _query(unit=ancestor.pk, **keep)) for ancestor in ancestors]
    crumbs.append((unit.name, None))
    return crumbs


@require_GET
@login_required
def dashboard_view(request):
    user = request.user
    today = timezone.localdate()
    problems: list[str] = []

    # 1. The unit: outside the user's scope, 404 (existence does not leak).
    raw_unit = request.GET.get("unit", "")
    if raw_unit.isdigit():
        unit = access.get_unit_for_user(user, int(raw_unit))
    else:
        if raw_unit:
            problems.append(
                _("The unit “%(value)s” is not a unit number; showing your own unit.") % {"value": raw_unit}
            )
        unit = dashboard.default_unit(user, getattr(request, "active_membership", None))
        if unit is None or not access.can_view_unit(user, unit):
            raise Http404(_("You are not assigned to any unit."))

    # 2. The period: a bad one is named, and the last complete month shown instead.
    default_period = dashboard.last_complete_month(today)
    period = default_period
    form = DashboardPeriodForm(request.GET if "period" in request.GET else None, today=today)
    if form.is_bound:
        if form.is_valid() and form.period is not None:
            period = form.period
        else:
            details = " ".join(
                f"{form.fields[name].label}: {message}" if name in form.fields else str(message)
                for name, messages in form.errors.items()
                for message in messages
            )
            problems.append(
                _("The period could not be read (%(details)s) Showing %(default)s instead.")
                % {"details": details.rstrip(".") + ".", "default": label(default_period)}
            )
    elif any(name in request.GET for name in PERIOD_PARAMS):
        problems.append(
            _("Choose the kind of period (month, quarter, …). Showing %(default)s.")
            % {"default": label(default_period)}
        )

    predecessors = list(unit.predecessors.order_by("path"))
    with_predecessors = bool(predecessors) and request.GET.get("predecessors") == "1"
    units = [unit, *predecessors] if with_predecessors else [unit]

    figures = dashboard.figures(units, period)
    overdue_on = date.fromisoformat(figures["overdue_on"])
    keep = {**dashboard.period_params(period), "predecessors": "1" if with_predecessors else None}
    links = dashboard.record_links(unit, period)
    sort = request.GET.get("sort", "")
    sort = sort if sort.removeprefix("-") in RANKING_KEYS else ""
    here = reverse("reports:dashboard")
    # Drill down only where the user may go (an old commune of a merger may lie outside).
    reachable = set(
        access.visible_units(user)
        .filter(pk__in=[row["unit_id"] for row in figures["communes"]])
        .values_list("pk", flat=True)
    )
    communes = [
        {
            **row,
            "cells": [
                {"key": key, "unit": kpis.BY_KEY[key].unit, "value": dashboard.number(row["kpis"][key])}
                for key in RANKING_KEYS
            ],
            "url": here + _query(unit=row["unit_id"], **dashboard.period_params(period))
            if row["unit_id"] in reachable
            else None,
        }
        for row in figures["communes"]
    ]
    context = {
        "unit": unit,
        "units": dashboard.dashboard_units(user),
        "period": period,
        "period_label": figures["period"]["label"],
        "previous_label": figures["previous"]["label"],
        "last_year_label": figures["last_year"]["label"],
        "selected": {
            "period": period.kind,
            "year": period.start.year,
            "month": period.start.month if period.kind == ReportKind.MONTH else None,
            "quarter": (period.start.month - 1) // 3 + 1 if period.kind == ReportKind.QUARTER else None,
        },
        "years": range(today.year, dashboard.FIRST_YEAR - 1, -1),
        "months": range(1, 13),
        "quarters": [(number, ROMAN[number]) for number in range(1, 5)],
        "period_kinds": [(kind, ReportKind(kind).label) for kind in dashboard.PERIOD_KINDS],
        "problems": problems,
        "predecessors": predecessors,
        "with_predecessors": with_predecessors,
        "figures": figures,
        "has_data": figures["has_data"],
        "cards": _cards(figures, links),
        # A commune's own ranking is itself alone, unless it continues several old communes.
        "show_ranking": unit.kind not in COMMUNE_KINDS or len(communes) > 1,
        "communes": _ranking(communes, sort),
        "ranking_columns": [
            {
                "key": key,
                "label": kpis.BY_KEY[key].label,
                "unit": kpis.BY_KEY[key].unit,
                "active": sort.removeprefix("-") == key,
                "descending": sort == f"-{key}",
                # Largest first on the first click; the active column's next click reverses it.
                "url": _query(unit=unit.pk, **keep, sort=key if sort == f"-{key}" else f"-{key}"),
            }
            for key in RANKING_KEYS
        ],
        "rank_url": _query(unit=unit.pk, **keep),
        "sort": sort,
        "overdue_on": overdue_on,
        "overdue_count": figures["period"]["kpis"]["petitions_overdue"],
        "overdue_rows": dashboard.overdue_rows(user, units, overdue_on),
        "overdue_url": links["petitions_overdue"],
        "chart_data": _chart_data(figures),
        "cache_seconds": dashboard.CACHE_SECONDS,
        "breadcrumbs": _breadcrumbs(user, unit, keep),
    }
    return render(request, "reports/dashboard/dashboard.html", context)


urlpatterns = [path("dashboard/", dashboard_view, name="dashboard")]
