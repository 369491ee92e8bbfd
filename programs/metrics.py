"""Every figure about programs, roads, land donations and site clearance, defined once
(DESIGN.md, principle 2). Dashboards, reports, exports and the API call these functions; nobody
re-counts in a view or a template. The definitions in prose: docs/metrics-programs.md.

Conventions shared by every function (the same as ``dialogues.metrics``):

* ``units`` is a Unit, a list of Units or a Unit queryset. A record counts when the unit that
  owns it lies in the **subtree** of one of them: the district counts its own records and every
  commune's; commune A counts A and its villages, never commune B. One indexed prefix test on
  the unit's materialized path per root, OR-ed together (a root inside another adds nothing).
* ``start`` and ``end`` are dates; the period is **inclusive** at both ends.
* Results are plain ``int``, ``Decimal``, ``dict`` or ``list`` of ``dict`` (never model
  instances), so a report can freeze them as JSON. The one exception is ``program_donations``,
  a queryset for pages that list a program's donors.
* Each function runs a small, constant number of queries (one or two, plus one when ``units``
  is an unevaluated queryset), whatever the number of records.

Three rules specific to this app:

* **What a program mobilized counts only programs that were held** (status held or reviewed):
  a planned program has mobilized nothing yet, its rows are a plan. ``programs_by_status`` is the
  one figure that counts programs in every status.
* **Hedge words travel with the sums.** A row typed as "trên 20.000" (qualifier *over*) or
  "gần 10 tỷ" (*almost*) makes every sum it adds to inexact. Sums come back with ``qualified``
  (any non-zero part hedged) and ``qualifier``: ``exact``, ``over`` (only "over" parts: the
  total is over the figure), ``almost`` (only "almost" parts) or ``mixed`` (both: the total is
  only approximate, and a report must not print "trên" or "gần" in front of it).
* **A donation counts once.** Every donation figure reads the LandDonation table once, filtered
  by the donation's own ``unit`` and ``donated_on``, never through its road or its program. A
  donation tied to a road that belongs to a program is still one row, counted once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Func, IntegerField, Q, QuerySet, Sum

from organization.access import within
from organization.models import Unit

from .models import (
    Contribution,
    ContributionKind,
    LandDonation,
    OrganizerLevel,
    ParticipantCategory,
    Participation,
    Program,
    ProgramStatus,
    Qualifier,
    RoadProject,
    SiteClearanceProject,
    WorkItem,
)

Units = Unit | Iterable[Unit]

#: Statuses of a program that took place.
HELD_STATUSES = (ProgramStatus.HELD, ProgramStatus.REVIEWED)
#: The qualifier of a sum whose parts are hedged both ways ("over" and "almost").
MIXED = "mixed"
DONATION_DIMENSIONS = ("purpose", "year", "unit", "village")

ZERO = Decimal(0)
_CENTS = Decimal("0.01")
_ONE_DECIMAL = Decimal("0.1")


# --- Scope, period and helpers ------------------------------------------------------------------


def _programs(units: Units, start: date, end: date) -> QuerySet[Program]:
    """Programs hosted in the subtrees, dated within the period, in any status."""
    return Program.objects.filter(within(units), date__gte=start, date__lte=end)


def _held(units: Units, start: date, end: date) -> Q:
    """The condition on a program's rows (work items, contributions, participation): their
    program is hosted in the subtrees, dated within the period and was held."""
    return (
        within(units, "program__unit")
        & Q(program__date__gte=start, program__date__lte=end)
        & Q(program__status__in=HELD_STATUSES)
    )


def _hedge(over: int, almost: int) -> dict[str, Any]:
    """``qualified`` and ``qualifier`` of a sum, from the number of its non-zero parts typed as
    "over" and as "almost"."""
    if over and almost:
        qualifier = MIXED
    elif over:
        qualifier = Qualifier.OVER.value
    elif almost:
        qualifier = Qualifier.ALMOST.value
    else:
        qualifier = Qualifier.EXACT.value
    return {"qualified": bool(over or almost), "qualifier": qualifier}


def _hedge_counts(amount: str) -> dict[str, Count]:
    """Aggregates counting the non-zero parts of ``amount`` typed as "over" and as "almost"."""
    return {
        "over": Count("pk", filter=Q(qualifier=Qualifier.OVER, **{f"{amount}__gt": 0})),
        "almost": Count("pk", filter=Q(qualifier=Qualifier.ALMOST, **{f"{amount}__gt": 0})),
    }


def _decimal(value, places: Decimal = _CENTS) -> Decimal:
    return (value or ZERO).quantize(places, rounding=ROUND_HALF_UP)


def _km(length_m: Decimal) -> Decimal:
    """Metres to kilometres with two decimals (half up), as reports print them (283,75 km)."""
    return (length_m / 1000).quantize(_CENTS, rounding=ROUND_HALF_UP)


def _percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(_ONE_DECIMAL, rounding=ROUND_HALF_UP)


def _trees(rows: Iterable[dict | None]) -> Counter:
    """Trees by species over the ``trees`` dicts of donations ({"quế": 120, ...})."""
    total: Counter = Counter()
    for trees in rows:
        for species, count in (trees or {}).items():
            total[species] += int(count)
    return total


# --- Programs -----------------------------------------------------------------------------------


def programs_count(units: Units, start: date, end: date, *, organizer_level: str | None = None) -> int:
    """Programs **held** (held or reviewed) dated within the period and hosted in the subtrees,
    optionally only those organized at one level. A district-level program held in commune A
    counts for A (where it took place) and for the district."""
    queryset = _programs(units, start, end).filter(status__in=HELD_STATUSES)
    if organizer_level:
        queryset = queryset.filter(organizer_level=organizer_level)
    return queryset.count()


def programs_by_level(units: Units, start: date, end: date) -> dict[str, int]:
    """``programs_count`` split by organizer level: ``{"district": n, "commune": m}``, every
    level present (zero included), in the order of ``OrganizerLevel``. The article's "126
    programs, 5 of them at district level" is this figure for 2021–2024."""
    rows = (
        _programs(units, start, end)
        .filter(status__in=HELD_STATUSES)
        .values("organizer_level")
        .annotate(n=Count("pk"))
        .order_by()
    )
    found = {row["organizer_level"]: row["n"] for row in rows}
    return {level: found.get(level, 0) for level in OrganizerLevel.values}


def programs_by_status(units: Units, start: date, end: date) -> dict[str, int]:
    """Programs dated within the period in **every** status, split by status: ``{"planned": n,
    "surveyed": n, "held": n, "reviewed": n}`` in workflow order, zeros included. The status is
    the current one (a program dated in the period and reviewed later shows as reviewed)."""
    rows = _programs(units, start, end).values("status").annotate(n=Count("pk")).order_by()
    found = {row["status"]: row["n"] for row in rows}
    return {status: found.get(status, 0) for status in ProgramStatus.values}


def value_mobilized(units: Units, start: date, end: date) -> dict[str, Any]:
    """The money value (``value_vnd``, the đồng equivalent of cash, goods, labour, land and
    trees) of every contribution to the held programs of the period.

    Returns ``{"value_vnd": n, "qualified": bool, "qualifier": q, "by_kind": {kind: n}}``;
    ``by_kind`` lists every contribution kind (zeros included). ``qualified`` is True when a
    contribution with a non-zero value was typed as "over" or "almost" (see the module notes):
    the article's "gần 10 tỷ đồng" is ``{"value_vnd": 10_000_000_000, "qualifier": "almost"}``."""
    rows = (
        Contribution.objects.filter(_held(units, start, end))
        .values("kind")
        .annotate(value=Sum("value_vnd"), **_hedge_counts("value_vnd"))
        .order_by()
    )
    by_kind = dict.fromkeys(ContributionKind.values, 0)
    over = almost = 0
    for row in rows:
        by_kind[row["kind"]] = row["value"] or 0
        over += row["over"]
        almost += row["almost"]
    return {"value_vnd": sum(by_kind.values()), **_hedge(over, almost), "by_kind": by_kind}


def labour_days(units: Units, start: date, end: date) -> dict[str, Any]:
    """Labour-days given to the held programs of the period: the ``quantity`` of contributions
    of kind "labour-days", with their money value.

    Returns ``{"days": Decimal, "value_vnd": n, "qualified": bool, "qualifier": q}``. Labour
    given with a land donation (``LandDonation.labour_days``) is a separate figure
    (``donations``) and is never added to this one: the same road's work may be in both."""
    totals = Contribution.objects.filter(_held(units, start, end), kind=ContributionKind.LABOUR_DAYS).aggregate(
        days=Sum("quantity"), value=Sum("value_vnd"), **_hedge_counts("quantity")
    )
    return {
        "days": _decimal(totals["days"]),
        "value_vnd": totals["value"] or 0,
        **_hedge(totals["over"], totals["almost"]),
    }


def person_times(units: Units, start: date, end: date) -> dict[str, Any]:
    """Participation in the held programs of the period, in person-times (someone who took part
    in two programs counts twice).

    Returns ``{"total": n, "by_category": {category: n}, "qualified": bool, "qualifier": q}``,
    every category present (zeros included)."""
    rows = (
        Participation.objects.filter(_held(units, start, end))
        .values("category")
        .annotate(n=Sum("person_times"), **_hedge_counts("person_times"))
        .order_by()
    )
    by_category = dict.fromkeys(ParticipantCategory.values, 0)
    over = almost = 0
    for row in rows:
        by_category[row["category"]] = row["n"] or 0
        over += row["over"]
        almost += row["almost"]
    return {"total": sum(by_category.values()), "by_category": by_category, **_hedge(over, almost)}


def work_items(units: Units, start: date, end: date) -> dict[str, Any]:
    """Work items (công trình, phần việc) of the held programs of the period, and how many are
    done.

    Returns ``{"count": n, "done": m, "by_category": {category: {"count": n, "done": m}}}``;
    ``by_category`` lists only categories with items, largest first (ties by category)."""
    rows = (
        WorkItem.objects.filter(_held(units, start, end))
        .values("category")
        .annotate(n=Count("pk"), done=Count("pk", filter=Q(done=True)))
        .order_by()
    )
    ordered = sorted(rows, key=lambda row: (-row["n"], row["category"]))
    by_category = {row["category"]: {"count": row["n"], "done": row["done"]} for row in ordered}
    return {
        "count": sum(row["count"] for row in by_category.values()),
        "done": sum(row["done"] for row in by_category.values()),
        "by_category": by_category,
    }


# --- Roads --------------------------------------------------------------------------------------


def roads(units: Units, start: date, end: date) -> dict[str, Any]:
    """Road projects of the communes in the subtrees whose ``year`` lies in the years the
    period touches (from ``start.year`` to ``end.year``): roads are recorded per year, so a
    period ending in 2023 counts 2023's roads, and a mid-year period counts both its years.

    Returns ``{"count": n, "length_m": Decimal, "km": Decimal (two decimals, half up),
    "total_investment_vnd": n, "people_share_vnd": n, "by_year": {year: {"count": n,
    "length_m": Decimal, "km": Decimal}}}`` with the years in calendar order."""
    rows = (
        RoadProject.objects.filter(within(units), year__gte=start.year, year__lte=end.year)
        .values("year")
        .annotate(
            n=Count("pk"),
            length=Sum("length_m"),
            investment=Sum("total_investment_vnd"),
            people=Sum("people_share_vnd"),
        )
        .order_by("year")
    )
    by_year: dict[int, dict[str, Any]] = {}
    investment = people = 0
    for row in rows:
        length = _decimal(row["length"])
        by_year[row["year"]] = {"count": row["n"], "length_m": length, "km": _km(length)}
        investment += row["investment"] or 0
        people += row["people"] or 0
    length_m = sum((row["length_m"] for row in by_year.values()), ZERO)
    return {
        "count": sum(row["count"] for row in by_year.values()),
        "length_m": length_m,
        "km": _km(length_m),
        "total_investment_vnd": investment,
        "people_share_vnd": people,
        "by_year": by_year,
    }


# --- Land donations -----------------------------------------------------------------------------


def _donations(units: Units, start: date, end: date) -> QuerySet[LandDonation]:
    """THE donation rule: the LandDonation table, by the donation's own unit and date. Never
    reached through roads or programs, so each donation is one row here."""
    return LandDonation.objects.filter(within(units), donated_on__gte=start, donated_on__lte=end)


_DONATION_SUMS = {
    "donors": Count("pk"),
    "area_m2": Sum("area_m2"),
    "labour_days": Sum("labour_days"),
    "cash_vnd": Sum("cash_vnd"),
    "value_vnd": Sum("value_vnd"),
}


class TreeCount(Func):
    """The number of trees in a donation's ``trees`` object ({"quế": 1000, "mỡ": 20} → 1020),
    summed in SQL so a totals row stays one query whatever the number of donations."""

    arity = 1
    output_field = IntegerField()
    template = "(SELECT COALESCE(SUM((value)::numeric), 0) FROM jsonb_each_text(%(expressions)s))"

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            template="(SELECT COALESCE(SUM(value), 0) FROM json_each(%(expressions)s))",
            **extra_context,
        )


def donation_totals(queryset: QuerySet[LandDonation], *, by_species: bool = True) -> dict[str, Any]:
    """The donation figures of any set of donations (a filtered list, a period, a program).

    One aggregate query; with ``by_species`` a second one reads the tree dicts to split the
    trees by species (JSON per donation, summed here)."""
    totals = queryset.order_by().aggregate(**_DONATION_SUMS, trees=Sum(TreeCount("trees")))
    result = {
        "donors": totals["donors"],
        "area_m2": _decimal(totals["area_m2"]),
        "trees": int(totals["trees"] or 0),
        "labour_days": _decimal(totals["labour_days"], _ONE_DECIMAL),
        "cash_vnd": totals["cash_vnd"] or 0,
        "value_vnd": totals["value_vnd"] or 0,
    }
    if by_species:
        trees = _trees(queryset.exclude(trees={}).values_list("trees", flat=True))
        result["trees_by_species"] = dict(sorted(trees.items(), key=lambda item: (-item[1], item[0])))
    return result


def donations(units: Units, start: date, end: date) -> dict[str, Any]:
    """Land donations of the communes in the subtrees dated (``donated_on``) within the period.

    Returns ``{"donors": n, "area_m2": Decimal, "trees": n, "trees_by_species": {species: n},
    "labour_days": Decimal, "cash_vnd": n, "value_vnd": n}``. ``donors`` counts donations: one
    row is one household's gift (the article's "2.180 hộ gia đình, cá nhân"); a household that
    gave twice, for two roads, counts twice. Species are listed most trees first. Every sum
    reads each donation once, whatever road or program it belongs to."""
    return donation_totals(_donations(units, start, end))


def donations_by(units: Units, start: date, end: date, dimension: str) -> dict[Any, dict[str, Any]]:
    """``donations`` split by ``dimension``: ``purpose`` (road, common area, school, other),
    ``year`` (of ``donated_on``), ``unit`` (the commune's id) or ``village`` (the village's id,
    ``None`` for donations without one). Each value maps to ``{"donors", "area_m2", "trees",
    "value_vnd"}``; only values with donations appear, in key order (``None`` last)."""
    if dimension not in DONATION_DIMENSIONS:
        raise ValueError(f"dimension must be one of {DONATION_DIMENSIONS}, not {dimension!r}")
    column = "donated_on__year" if dimension == "year" else dimension
    queryset = _donations(units, start, end)
    rows = queryset.values(column).annotate(donors=Count("pk"), area=Sum("area_m2"), value=Sum("value_vnd")).order_by()
    trees: dict[Any, Counter] = {}
    for key, row_trees in queryset.exclude(trees={}).values_list(column, "trees"):
        trees.setdefault(key, Counter()).update(_trees([row_trees]))
    result = {
        row[column]: {
            "donors": row["donors"],
            "area_m2": _decimal(row["area"]),
            "trees": sum(trees.get(row[column], Counter()).values()),
            "value_vnd": row["value"] or 0,
        }
        for row in rows
    }
    return dict(sorted(result.items(), key=lambda item: (item[0] is None, item[0] if item[0] is not None else 0)))


def program_donations(program: Program) -> QuerySet[LandDonation]:
    """The donations made for ``program``: tied to it directly **or** through one of its roads.

    One filter with the two conditions OR-ed. ``road`` is a forward foreign key (at most one
    road per donation), so the join yields one row per donation and a donation reachable both
    ways appears once: the set is distinct by construction, no ``distinct()`` needed."""
    return LandDonation.objects.filter(Q(program=program) | Q(road__program=program))


def program_donation_totals(program: Program) -> dict[str, Any]:
    """``donations``' figures over ``program_donations(program)``, whatever their dates."""
    return donation_totals(program_donations(program))


# --- Site clearance (GPMB) ----------------------------------------------------------------------


def clearance_projects(units: Units, start: date, end: date) -> list[dict[str, Any]]:
    """One row per site clearance project of a responsible unit in the subtrees, started on or
    before ``end``: the state of each project **as of the period's end**.

    Each row: ``id``, ``name``, ``unit`` (responsible unit's name), ``status``, ``is_key_project``,
    ``households``, ``area_ha``, ``budget_vnd``, ``disbursed_vnd`` (every payment dated on or before
    ``end``), ``disbursed_in_period_vnd`` (payments dated within the period) and ``percent``
    (``100 × disbursed / budget``, one decimal half up; ``None`` without a budget). Projects are
    counted by their responsible unit: a project the district runs is the district's, even where
    it touches commune A's land. Ordered by start date, then name."""
    queryset = (
        SiteClearanceProject.objects.filter(within(units), started_on__lte=end)
        .select_related("unit")
        .annotate(
            disbursed=Sum("disbursements__amount_vnd", filter=Q(disbursements__paid_on__lte=end)),
            disbursed_in_period=Sum(
                "disbursements__amount_vnd",
                filter=Q(disbursements__paid_on__gte=start, disbursements__paid_on__lte=end),
            ),
        )
        .order_by("started_on", "name", "pk")
    )
    return [
        {
            "id": project.pk,
            "name": project.name,
            "unit": project.unit.name,
            "status": project.status,
            "is_key_project": project.is_key_project,
            "households": project.affected_households,
            "area_ha": _decimal(project.area_ha),
            "budget_vnd": project.budget_vnd,
            "disbursed_vnd": project.disbursed or 0,
            "disbursed_in_period_vnd": project.disbursed_in_period or 0,
            "percent": _percent(project.disbursed or 0, project.budget_vnd),
        }
        for project in queryset
    ]


def clearance(units: Units, start: date, end: date) -> dict[str, Any]:
    """The projects of ``clearance_projects`` added up: ``projects``, ``key_projects``,
    ``households``, ``area_ha``, ``budget_vnd``, ``disbursed_vnd`` (to the period's end),
    ``disbursed_in_period_vnd`` and ``percent`` of the summed budget (one decimal; ``None``
    without a budget). The article's Sa Pa airport, "290 hộ / 263,26 ha … 250 tỷ đồng đạt 100%
    kế hoạch", is one project's row."""
    rows = clearance_projects(units, start, end)
    budget = sum(row["budget_vnd"] for row in rows)
    disbursed = sum(row["disbursed_vnd"] for row in rows)
    return {
        "projects": len(rows),
        "key_projects": sum(1 for row in rows if row["is_key_project"]),
        "households": sum(row["households"] for row in rows),
        "area_ha": sum((row["area_ha"] for row in rows), ZERO),
        "budget_vnd": budget,
        "disbursed_vnd": disbursed,
        "disbursed_in_period_vnd": sum(row["disbursed_in_period_vnd"] for row in rows),
        "percent": _percent(disbursed, budget),
    }
