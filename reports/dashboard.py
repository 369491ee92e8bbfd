"""What the leaders' dashboard shows, assembled from ``reports.kpis`` and ``reports.sections``.

Nothing here counts records: the KPI cards are ``kpis.compute`` for the period, the previous
period and the same period last year; the trends are ``sections.trend``; the commune ranking is
``sections.commune_table``; the overdue list is the dialogues app's own definition
(``Petition.objects…overdue(on)``, the queryset ``dialogues.metrics.petitions_overdue`` counts)
read through ``dialogues.selectors``. So the dashboard and a report compiled for the same unit
and period print the same numbers (issue 6, "one definition per figure").

The assembled figures run a few hundred small queries (13 per KPI set, one KPI set per commune
and per trend month), whatever the number of records, so they are kept in Django's cache for
``CACHE_SECONDS`` per (units, period, day, language). The overdue list is read per request: it is
one query, and it must follow the viewer's own scope. See docs/dashboard.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from urllib.parse import urlencode

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from dialogues import selectors as dialogue_selectors
from organization import access
from organization.access import within
from organization.models import COMMUNE_KINDS, Unit, UnitKind

from . import kpis, sections
from .periods import Period, ReportKind, expected_end, label, month_end, previous, same_period_last_year, validate

#: Units a dashboard is usually opened for (the unit selector lists these).
DASHBOARD_KINDS = (UnitKind.PROVINCE, UnitKind.DISTRICT, *sorted(COMMUNE_KINDS))
#: Period kinds offered by the selector (a custom range is a report's business).
PERIOD_KINDS = (ReportKind.MONTH, ReportKind.QUARTER, ReportKind.HALF_YEAR, ReportKind.NINE_MONTHS, ReportKind.YEAR)
#: Years the selector accepts: the portal holds history from 2000 on.
FIRST_YEAR = 2000
#: How long assembled figures are reused (seconds). A constant, not a setting: a minute of
#: staleness is harmless for a dashboard, and a report always recomputes.
CACHE_SECONDS = 60
#: Bumped when the cached structure changes, so an old entry is never read as a new one.
CACHE_VERSION = 1
#: KPIs drawn month by month in the trend charts.
TREND_KEYS = ("programs", "dialogues", "petitions_received", "petitions_resolved", "value_mobilized_vnd")
#: Count KPIs compared with the same period last year in the comparison chart.
COMPARISON_KEYS = (
    "programs",
    "dialogues",
    "petitions_received",
    "petitions_resolved",
    "petitions_overdue",
    "movement_units_scored",
)
#: KPIs where a fall is the good news.
LOWER_IS_BETTER = frozenset({"petitions_overdue"})
#: Overdue petitions listed on the page (the card links to all of them).
OVERDUE_ROWS = 20
#: Units the record lists accept in their ``unit`` filter (programs: district and communes).
_PROGRAM_FILTER_KINDS = frozenset({UnitKind.DISTRICT, *COMMUNE_KINDS})
_AREA_FILTER_KINDS = frozenset({UnitKind.PROVINCE, *_PROGRAM_FILTER_KINDS})
_ONE_DECIMAL = Decimal("0.1")


# --- Units and periods --------------------------------------------------------------------------


def dashboard_units(user) -> QuerySet[Unit]:
    """The units the selector offers: visible provinces, districts and communes, tree order."""
    return access.visible_units(user).filter(kind__in=DASHBOARD_KINDS).order_by("path")


def default_unit(user, active_membership=None) -> Unit | None:
    """The unit of the membership the user is acting under (else their highest one); for an
    administrator without memberships, the highest province or district."""
    if active_membership is not None:
        return active_membership.unit
    memberships = access.memberships(user)
    if memberships:
        return min((m.unit for m in memberships), key=lambda unit: (unit.depth, unit.path))
    if access.is_admin(user):
        return Unit.objects.filter(kind__in=DASHBOARD_KINDS).order_by("depth", "path").first()
    return None


def last_complete_month(today: date) -> Period:
    first = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    return Period(ReportKind.MONTH, first, month_end(first))


def period_from(kind: str, year: int, month: int | None = None, quarter: int | None = None) -> Period:
    """The calendar period of ``kind`` in ``year`` (the month or quarter for those kinds), checked
    by ``periods.validate``; a ValidationError says what is missing."""
    if kind not in PERIOD_KINDS:
        raise ValidationError({"period": _("Choose a month, a quarter, six months, nine months or a year.")})
    if kind == ReportKind.MONTH:
        if month is None:
            raise ValidationError({"month": _("Choose the month.")})
        start = date(year, month, 1)
    elif kind == ReportKind.QUARTER:
        if quarter is None:
            raise ValidationError({"quarter": _("Choose the quarter.")})
        start = date(year, 3 * (quarter - 1) + 1, 1)
    else:
        start = date(year, 1, 1)
    end = expected_end(kind, start)
    assert end is not None  # every kind offered has a fixed end
    return validate(kind, start, end)


def period_from_start(kind: str, start: date) -> Period:
    """``?period=quarter&start=2024-04-01``: the period of ``kind`` beginning on ``start``."""
    if kind not in PERIOD_KINDS:
        raise ValidationError({"period": _("Choose a month, a quarter, six months, nine months or a year.")})
    end = expected_end(kind, start)
    assert end is not None
    return validate(kind, start, end)


def period_params(period: Period) -> dict[str, str]:
    """The query parameters that select ``period`` again (links keep the chosen period)."""
    params = {"period": period.kind, "year": str(period.start.year)}
    if period.kind == ReportKind.MONTH:
        params["month"] = str(period.start.month)
    elif period.kind == ReportKind.QUARTER:
        params["quarter"] = str((period.start.month - 1) // 3 + 1)
    return params


def scope_units(unit: Unit, with_predecessors: bool) -> list[Unit]:
    """The unit, and the old units it continues when asked (as ``Report.scope_units``)."""
    units = [unit]
    if with_predecessors:
        units.extend(unit.predecessors.order_by("path"))
    return units


# --- The figures (cached) -----------------------------------------------------------------------


def _period_block(period: Period, units: list[Unit]) -> dict[str, Any]:
    return {
        "kind": period.kind,
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "label": label(period),
        "kpis": kpis.compute(units, period.start, period.end),
    }


def has_data(figures: dict[str, Any]) -> bool:
    """Whether anything was recorded in the period: a period figure (not a stock such as the
    overdue petitions, which carry over from earlier periods) other than zero or empty."""
    return any(number(figures[kpi.key]) for kpi in kpis.KPIS if kpi.nature == "period")


def assemble(units: list[Unit], period: Period) -> dict[str, Any]:
    """Every figure of the dashboard, JSON-ready (Decimals as strings, as in a report)."""
    current = _period_block(period, units)
    return {
        "version": CACHE_VERSION,
        "period": current,
        "previous": _period_block(previous(period), units),
        "last_year": _period_block(same_period_last_year(period), units),
        "trend": sections.trend(units, period.end, TREND_KEYS),
        "communes": sections.commune_table(units, period.start, period.end),
        "overdue_on": overdue_day(period).isoformat(),
        "has_data": has_data(current["kpis"]),
    }


def overdue_day(period: Period) -> date:
    """The day the overdue figure describes: the period's end, or today for a running period
    (as ``kpis`` computes it)."""
    return min(period.end, timezone.localdate())


def cache_key(units: Iterable[Unit], period: Period) -> str:
    ids = ",".join(str(pk) for pk in sorted(unit.pk for unit in units))
    return ":".join(
        (
            f"reports:dashboard:v{CACHE_VERSION}",
            ids,
            period.kind,
            period.start.isoformat(),
            period.end.isoformat(),
            # The overdue figure and the running period depend on the day.
            timezone.localdate().isoformat(),
            translation.get_language() or "",
        )
    )


def figures(units: list[Unit], period: Period) -> dict[str, Any]:
    """``assemble``, reused from the cache for ``CACHE_SECONDS``."""
    key = cache_key(units, period)
    found = cache.get(key)
    if found is None:
        found = assemble(units, period)
        cache.set(key, found, CACHE_SECONDS)
    return found


# --- Presentation helpers (no counting) ---------------------------------------------------------


def number(value: int | str | None) -> int | Decimal | None:
    """A JSON figure back to a number for templates (Decimals travel as strings)."""
    if value is None or isinstance(value, int):
        return value
    return Decimal(value)


def change(current: int | str | None, base: int | str | None, kpi: kpis.Kpi) -> dict[str, Any]:
    """How ``current`` moved from ``base``: direction, size and whether that is good news.

    Counts and amounts move by a percentage of ``base`` (none when ``base`` is zero: there is
    nothing to divide by); percentages move by percentage points."""
    now, then = number(current), number(base)
    if now is None or then is None:
        return {"direction": None, "base": then}
    difference = Decimal(now) - Decimal(then)
    direction = "up" if difference > 0 else "down" if difference < 0 else "same"
    result: dict[str, Any] = {"direction": direction, "base": then, "points": None, "percent": None}
    if kpi.unit == "percent":
        result["points"] = abs(difference).quantize(_ONE_DECIMAL, rounding=ROUND_HALF_UP)
    elif then:
        result["percent"] = (abs(difference) * 100 / Decimal(then)).quantize(_ONE_DECIMAL, rounding=ROUND_HALF_UP)
    if direction == "same":
        result["tone"] = "neutral"
    else:
        rising_is_good = kpi.key not in LOWER_IS_BETTER
        result["tone"] = "good" if (direction == "up") == rising_is_good else "bad"
    return result


def overdue_rows(user, units: list[Unit], on: date, limit: int = OVERDUE_ROWS) -> list[dict[str, Any]]:
    """The petitions behind the overdue card that ``user`` may open, longest overdue first.

    The same rows ``dialogues.metrics.petitions_overdue(units, on)`` counts (still owed by an
    agency, deadline before ``on``), read through the user's scope: with the old units of a
    merged commune included, a viewer who cannot see them is not shown their petitions."""
    petitions = (
        dialogue_selectors.petitions_for(user).filter(within(units)).overdue(on).order_by("deadline", "id")[:limit]
    )
    return [
        {
            "id": petition.pk,
            "url": reverse("dialogues:petition_detail", args=[petition.pk]),
            "content": petition.content,
            "unit": petition.unit.name,
            "agency": petition.assigned_agency.name if petition.assigned_agency_id else "",
            "received_on": petition.received_on,
            "deadline": petition.deadline,
            "days_overdue": (on - petition.deadline).days,
        }
        for petition in petitions
    ]


def _url(name: str, params: dict[str, Any]) -> str:
    query = urlencode({key: value for key, value in params.items() if value not in (None, "")})
    return f"{reverse(name)}?{query}" if query else reverse(name)


def record_links(unit: Unit, period: Period) -> dict[str, str]:
    """For each KPI card, the list of the records behind it, filtered by unit and dates as far
    as that list's filters allow (the exact mapping is in docs/dashboard.md)."""
    start, end = period.start.isoformat(), period.end.isoformat()
    program_unit = unit.pk if unit.kind in _PROGRAM_FILTER_KINDS else None
    area_unit = unit.pk if unit.kind in _AREA_FILTER_KINDS else None
    programs = _url("programs:program_list", {"unit": program_unit, "date_from": start, "date_to": end})
    return {
        "programs": programs,
        "value_mobilized_vnd": _url(
            "programs:program_list", {"unit": program_unit, "date_from": start, "date_to": end, "sort": "-value"}
        ),
        "person_times": _url(
            "programs:program_list",
            {"unit": program_unit, "date_from": start, "date_to": end, "sort": "-person_times"},
        ),
        "dialogues": _url(
            "dialogues:dialogue_list", {"unit": area_unit, "date_from": start, "date_to": end, "status": "held"}
        ),
        "petitions_received": _url(
            "dialogues:petition_list", {"unit": area_unit, "received_from": start, "received_to": end}
        ),
        "petitions_resolved": _url("dialogues:petition_list", {"unit": area_unit, "status": "resolved"}),
        "petitions_overdue": _url("dialogues:petition_list", {"unit": area_unit, "overdue": "yes", "sort": "deadline"}),
        "on_time_rate": _url("dialogues:petition_list", {"unit": area_unit, "sort": "deadline"}),
        "land_donated_m2": _url(
            "programs:donation_list", {"unit": area_unit, "donated_from": start, "donated_to": end}
        ),
        "clearance_percent": _url("programs:clearance_list", {}),
        "movement_units_scored": _url("campaigns:movement_list", {}),
        "movement_average_score": _url("campaigns:movement_list", {}),
    }
