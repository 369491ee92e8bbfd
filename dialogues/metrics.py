"""Every figure about dialogues and petitions, defined once (DESIGN.md, principle 2).

Dashboards, reports, exports and the API call these functions; nobody re-counts in a view.

Conventions shared by every function:

* ``units`` is a Unit, a list of Units or a Unit queryset. A record counts when the unit that
  owns it (``Dialogue.unit``, ``Petition.unit``, ...) lies in the **subtree** of one of them:
  passing the district counts the district's own records and all its communes'; passing commune
  A counts A and its villages, never commune B. The condition is one indexed prefix test on the
  unit's materialized path per root, OR-ed together (a root inside another adds nothing).
* ``start`` and ``end`` are dates and the period is **inclusive** at both ends.
* Results are plain ``int``, ``dict``, ``list`` of ``dict``, ``Decimal`` or ``None``: no model
  instances or querysets leave this module, so figures can be frozen into a report row as JSON.
* Each function runs a small, constant number of queries (one or two, plus one when ``units``
  is a queryset that has not been evaluated), whatever the number of records.
* Figures describe the records **as they are now**. A status reached later (an answer published
  after the period) shows when the figure is recomputed; frozen reports keep the values they had.

Reported aggregates (totals printed before the portal existed) are returned by
``reported_aggregates`` only, beside the derived figures and never added to them.
See docs/metrics-dialogues.md for the definitions in prose.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import ExtractYear, TruncMonth
from django.utils import formats
from django.utils.translation import gettext as _

from organization.access import within
from organization.models import Unit

from .models import (
    Dialogue,
    DialogueStatus,
    EngagementMeeting,
    Petition,
    PetitionEvent,
    ReportedAggregate,
    today,
)
from .workflow import OPEN_WITH_AGENCY, PetitionStatus

Units = Unit | Iterable[Unit]

DIALOGUE_DIMENSIONS = ("host_body", "kind", "level", "month", "year")
PETITION_DIMENSIONS = ("field", "status", "agency", "source")
#: Statuses in which a petition carries an agency's published answer.
ANSWERED_STATUSES = (PetitionStatus.ANSWERED, PetitionStatus.RESOLVED)

_ONE_DECIMAL = Decimal("0.1")


# --- Scope and period ---------------------------------------------------------------------------


def _held_dialogues(units: Units, start: date, end: date) -> QuerySet[Dialogue]:
    return Dialogue.objects.filter(within(units), status=DialogueStatus.HELD, date__gte=start, date__lte=end)


def _received(units: Units, start: date, end: date) -> QuerySet[Petition]:
    return Petition.objects.filter(within(units), received_on__gte=start, received_on__lte=end)


def _answered(units: Units, start: date, end: date) -> QuerySet[Petition]:
    return Petition.objects.filter(
        within(units), status__in=ANSWERED_STATUSES, answered_on__gte=start, answered_on__lte=end
    )


def _ordered_by_count(rows: Iterable[tuple[Any, int]]) -> dict[Any, int]:
    """Largest first; ties by key, so the order is stable between runs."""
    return dict(sorted(rows, key=lambda row: (-row[1], str(row[0]))))


def _percent(part: int, whole: int) -> Decimal | None:
    if whole == 0:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(_ONE_DECIMAL, rounding=ROUND_HALF_UP)


# --- Dialogues ----------------------------------------------------------------------------------


def dialogues_count(
    units: Units,
    start: date,
    end: date,
    *,
    host_body: str | None = None,
    kind: str | None = None,
    level: str | None = None,
) -> int:
    """Dialogues **held** (status "held"; planned ones are not counted) dated within the period,
    owned by a unit in the subtrees of ``units``, optionally only those of one host body, kind
    (periodic / ad hoc) or level. A Standing Board dialogue held in commune A is owned by the
    district, so it counts for the district, not for commune A."""
    queryset = _held_dialogues(units, start, end)
    if host_body:
        queryset = queryset.filter(host_body=host_body)
    if kind:
        queryset = queryset.filter(kind=kind)
    if level:
        queryset = queryset.filter(level=level)
    return queryset.count()


def dialogues_by(units: Units, start: date, end: date, dimension: str, *, host_body: str | None = None) -> dict:
    """``dialogues_count`` split by ``dimension``:

    * ``host_body`` / ``kind`` / ``level`` → ``{choice value: n}``, largest first;
    * ``month`` → ``{"2021-03": n}`` and ``year`` → ``{2021: n}``, in calendar order.

    Only values with at least one dialogue appear. ``host_body`` narrows to one host first (the
    article's "Standing Board: 9 in 2021, 5 in 2022, 4 in 2023" is ``dimension="year"`` with
    ``host_body="standing_board"``)."""
    if dimension not in DIALOGUE_DIMENSIONS:
        raise ValueError(f"dimension must be one of {DIALOGUE_DIMENSIONS}, not {dimension!r}")
    queryset = _held_dialogues(units, start, end)
    if host_body:
        queryset = queryset.filter(host_body=host_body)
    if dimension == "month":
        rows = queryset.annotate(bucket=TruncMonth("date")).values("bucket").annotate(n=Count("pk"))
        return {f"{row['bucket']:%Y-%m}": row["n"] for row in rows.order_by("bucket")}
    if dimension == "year":
        rows = queryset.annotate(bucket=ExtractYear("date")).values("bucket").annotate(n=Count("pk"))
        return {row["bucket"]: row["n"] for row in rows.order_by("bucket")}
    rows = queryset.values(dimension).annotate(n=Count("pk")).order_by()
    return _ordered_by_count((row[dimension], row["n"]) for row in rows)


def dialogues_without_minutes(units: Units, start: date, end: date) -> int:
    """Held dialogues in the period with neither minutes text nor a scanned file."""
    return _held_dialogues(units, start, end).filter(minutes_filed_at__isnull=True).count()


def engagement_meetings(units: Units, start: date, end: date) -> dict[str, int]:
    """Meetings with clergy, elders and prestigious persons dated within the period, and their
    attendees by category (person-times: someone at two meetings counts twice)."""
    totals = EngagementMeeting.objects.filter(within(units), date__gte=start, date__lte=end).aggregate(
        meetings=Count("pk"),
        clergy=Sum("clergy_count"),
        followers=Sum("followers_count"),
        prestigious=Sum("prestigious_count"),
        elders=Sum("elders_count"),
        others=Sum("others_count"),
    )
    result = {name: value or 0 for name, value in totals.items()}
    result["attendees"] = sum(result[name] for name in ("clergy", "followers", "prestigious", "elders", "others"))
    return result


# --- Petitions ----------------------------------------------------------------------------------


def petitions_received(units: Units, start: date, end: date) -> int:
    """Petitions received (``received_on``) within the period, from every source, including
    complaints and denunciations routed to the legal track (they were received here)."""
    return _received(units, start, end).count()


def petitions_answered_on_spot(units: Units, start: date, end: date) -> int:
    """Petitions received within the period and answered on the spot, at the dialogue itself
    (status "answered on the spot", which is final, so the current status is exact)."""
    return _received(units, start, end).filter(status=PetitionStatus.ANSWERED_ON_SPOT).count()


def petitions_routed_out(units: Units, start: date, end: date) -> int:
    """Petitions received within the period that were complaints or denunciations and went to
    the legal track."""
    return _received(units, start, end).filter(status=PetitionStatus.ROUTED_OUT).count()


def petitions_assigned(units: Units, start: date, end: date) -> int:
    """Petitions **received** within the period that were assigned to an agency at some point.

    Defined from the workflow's event log (a ``PetitionEvent`` moving it to "assigned"), not
    from the current status, so a petition that was assigned and has since been answered,
    resolved, re-assigned or transferred still counts, once. The period selects the petitions
    by receipt (the cohort raised in the period), whenever the assignment happened."""
    was_assigned = PetitionEvent.objects.filter(petition=OuterRef("pk"), to_status=PetitionStatus.ASSIGNED)
    return _received(units, start, end).filter(Exists(was_assigned)).count()


def petitions_answered(units: Units, start: date, end: date) -> int:
    """Petitions whose agency answer is published and dated (``answered_on``, the date written
    on the answer) within the period, whenever they were received. A reopened answer no longer
    counts (the petition is back in progress) until a new one is published; answers on the spot
    are counted by ``petitions_answered_on_spot`` instead."""
    return _answered(units, start, end).count()


def petitions_resolved(units: Units, start: date, end: date) -> int:
    """Petitions marked resolved (``closed_on``, the day district staff closed them) within
    the period."""
    return Petition.objects.filter(
        within(units), status=PetitionStatus.RESOLVED, closed_on__gte=start, closed_on__lte=end
    ).count()


def petitions_overdue(units: Units, on: date | None = None) -> int:
    """Petitions an agency still owes an answer to (assigned or in progress) whose deadline is
    before ``on`` (default today): the day after the deadline they are overdue, on the deadline
    itself not yet. Not a period figure: it is the state on one day."""
    return Petition.objects.filter(within(units)).overdue(on).count()


def petitions_by(units: Units, start: date, end: date, dimension: str) -> dict:
    """Petitions **received** within the period, split by ``dimension``:

    * ``field`` / ``status`` / ``source`` → ``{choice value: n}``;
    * ``agency`` → ``{agency unit id: n}`` for the petitions assigned to an agency, by the
      agency holding them now (names via ``petitions_by_agency``, since two districts can each
      have a "Phòng Tài nguyên và Môi trường").

    Largest first; values without petitions do not appear."""
    if dimension not in PETITION_DIMENSIONS:
        raise ValueError(f"dimension must be one of {PETITION_DIMENSIONS}, not {dimension!r}")
    queryset = _received(units, start, end)
    column = "assigned_agency" if dimension == "agency" else dimension
    if dimension == "agency":
        queryset = queryset.filter(assigned_agency__isnull=False)
    rows = queryset.values(column).annotate(n=Count("pk")).order_by()
    return _ordered_by_count((row[column], row["n"]) for row in rows)


def petitions_by_agency(units: Units, start: date, end: date, *, on: date | None = None) -> list[dict[str, Any]]:
    """One row per agency holding petitions received within the period: ``assigned`` (held by
    it now), ``answered`` (its answer published, at any date), ``open`` (still owed) and
    ``overdue`` (still owed with the deadline before ``on``, default today). Sorted by name."""
    on = on or today()
    rows = (
        _received(units, start, end)
        .filter(assigned_agency__isnull=False)
        .values("assigned_agency", "assigned_agency__name")
        .annotate(
            assigned=Count("pk"),
            answered=Count("pk", filter=Q(status__in=ANSWERED_STATUSES)),
            open=Count("pk", filter=Q(status__in=OPEN_WITH_AGENCY)),
            overdue=Count("pk", filter=Q(status__in=OPEN_WITH_AGENCY, deadline__lt=on)),
        )
        .order_by("assigned_agency__name", "assigned_agency")
    )
    return [
        {
            "agency_id": row["assigned_agency"],
            "agency": row["assigned_agency__name"],
            "assigned": row["assigned"],
            "answered": row["answered"],
            "open": row["open"],
            "overdue": row["overdue"],
        }
        for row in rows
    ]


def on_time_rate(units: Units, start: date, end: date, on: date | None = None) -> dict[str, Any]:
    """How many petitions due in the period were answered by their deadline.

    The petitions considered are those whose deadline lies between ``start`` and the earlier of
    ``end`` and ``on`` (default today), inclusive. Among them:

    * **on time**: the answer is published and dated on or before the deadline;
    * **late**: the answer is dated after the deadline, **or** there is still no answer and the
      deadline has passed (assigned or in progress with ``deadline < on``). Open overdue
      petitions count as late, not only closed ones; otherwise an agency that never answers
      would look punctual.

    Not counted: a petition still owed whose deadline is ``on`` itself (not late yet), and one
    transferred to another level without an answer (no longer the agency's to answer). A
    reopened answer does not count as on time: the petition is open again.

    Returns ``{"on_time": n, "late": m, "rate": percent}`` where ``rate`` is
    ``100 × on_time / (on_time + late)`` as a ``Decimal`` with one decimal (half up), or
    ``None`` when nothing was due."""
    on = on or today()
    cutoff = min(end, on)
    totals = Petition.objects.filter(within(units), deadline__gte=start, deadline__lte=cutoff).aggregate(
        on_time=Count("pk", filter=Q(answered_on__isnull=False, answered_on__lte=F("deadline"))),
        late=Count(
            "pk",
            filter=Q(answered_on__isnull=False, answered_on__gt=F("deadline"))
            | Q(answered_on__isnull=True, status__in=OPEN_WITH_AGENCY, deadline__lt=on),
        ),
    )
    on_time, late = totals["on_time"], totals["late"]
    return {"on_time": on_time, "late": late, "rate": _percent(on_time, on_time + late)}


def median_days_to_answer(units: Units, start: date, end: date) -> Decimal | None:
    """Median number of days from receipt (``received_on``) to the published answer's date
    (``answered_on``), over the petitions counted by ``petitions_answered`` for the period.

    Measured from receipt, not from assignment: it is how long the citizen waited, and both
    dates are business dates typed by people. The assignment's event time is when it was
    *recorded*, which for minutes and notices entered afterwards (history, imports) is not when
    it happened. One decimal (a median of an even count can end in .5); ``None`` when nothing
    was answered."""
    pairs = _answered(units, start, end).values_list("received_on", "answered_on")
    days = [(answered_on - received_on).days for received_on, answered_on in pairs]
    if not days:
        return None
    return Decimal(str(statistics.median(days))).quantize(_ONE_DECIMAL, rounding=ROUND_HALF_UP)


# --- Reported aggregates and data quality ------------------------------------------------------


def _aggregate_row(aggregate: ReportedAggregate) -> dict[str, Any]:
    parts = [(part.label, part.value) for part in aggregate.parts.all()]
    parts_sum = sum(value for _label, value in parts)
    return {
        "id": aggregate.pk,
        "unit_id": aggregate.unit_id,
        "unit": aggregate.unit.name,
        "metric": aggregate.metric,
        "host_body": aggregate.host_body,
        "period_start": aggregate.period_start,
        "period_end": aggregate.period_end,
        "total": aggregate.total,
        "parts": parts,
        "parts_sum": parts_sum if parts else None,
        "consistent": not parts or parts_sum == aggregate.total,
        "source": aggregate.source,
        "note": aggregate.note,
    }


def reported_aggregates(
    units: Units, start: date, end: date, metric: str, *, host_body: str | None = None
) -> list[dict[str, Any]]:
    """Totals entered as printed (history before the portal), for ``metric``, whose whole
    period lies within ``start``–``end`` (a 2021–2023 total is not a figure for 2022 alone).

    Shown beside derived figures, never added to them: a derived count and a reported total of
    the same thing are two claims, and only the first is backed by records. Each row carries its
    parts (e.g. a year breakdown), their sum and ``consistent`` (False when they disagree)."""
    queryset = (
        ReportedAggregate.objects.filter(within(units), metric=metric, period_start__gte=start, period_end__lte=end)
        .select_related("unit")
        .prefetch_related("parts")
        .order_by("period_start", "unit__path", "pk")
    )
    if host_body is not None:
        queryset = queryset.filter(host_body=host_body)
    return [_aggregate_row(aggregate) for aggregate in queryset]


def data_quality_issues(units: Units) -> list[dict[str, Any]]:
    """Every reported aggregate in the subtrees of ``units`` whose parts do not add up to its
    total, with a message saying by how much (the article's commune dialogues: 167 printed,
    53 + 54 + 12 = 119). Aggregates without parts have nothing to check. Each row is the
    aggregate's row (see ``reported_aggregates``) plus ``difference`` and ``message``."""
    queryset = (
        ReportedAggregate.objects.filter(within(units))
        .annotate(parts_count=Count("parts"), parts_total=Sum("parts__value"))
        .filter(parts_count__gt=0)
        .exclude(parts_total=F("total"))
        .select_related("unit")
        .prefetch_related("parts")
        .order_by("unit__path", "period_start", "pk")
    )
    issues = []
    for aggregate in queryset:
        row = _aggregate_row(aggregate)
        row["difference"] = row["total"] - row["parts_sum"]
        row["message"] = _(
            "%(unit)s, %(metric)s %(start)s–%(end)s: the reported total (%(total)s) is not the sum of its "
            "parts (%(parts)s = %(sum)s); it differs by %(difference)s. Source: %(source)s."
        ) % {
            "unit": aggregate.unit.name,
            "metric": aggregate.get_metric_display(),
            "start": aggregate.period_start.strftime("%d/%m/%Y"),
            "end": aggregate.period_end.strftime("%d/%m/%Y"),
            "total": _number(row["total"]),
            "parts": " + ".join(f"{label}: {_number(value)}" for label, value in row["parts"]),
            "sum": _number(row["parts_sum"]),
            "difference": _number(abs(row["difference"])),
            "source": aggregate.source,
        }
        issues.append(row)
    return issues


def _number(value: int) -> str:
    return formats.number_format(value, force_grouping=True)
