"""Every figure about emulation movements, scoring, awards, Dân vận khéo models, household
commitments and pledges, defined once (DESIGN.md, principle 2). Dashboards, reports, exports and
the API call these functions; nobody re-counts in a view. The definitions in prose:
docs/metrics-campaigns.md.

Conventions shared by every function (the same as ``dialogues.metrics`` and ``programs.metrics``):

* ``units`` is a Unit, a list of Units or a Unit queryset. A record counts when the unit that
  owns it lies in the **subtree** of one of them (``organization.access.within``): the district
  counts its own records and every commune's; commune A counts A and its villages, never B.
  The owner is the scored unit for scorecards, ``recipient_unit`` for awards, ``owner_unit`` for
  models, ``village`` for household commitments and ``unit`` (the religious group) for pledges.
* ``start`` and ``end`` are dates; the period is **inclusive** at both ends. A scoring round
  belongs to a period when its month (stored as the month's first day) lies within it: a
  monthly, quarterly or yearly period takes exactly its months.
* Results are plain ``int``, ``Decimal``, ``dict`` or ``list`` of ``dict`` (never model
  instances), so a report can freeze them as JSON.
* Each function runs a small, constant number of queries whatever the number of records (plus
  one when ``units`` is an unevaluated queryset).

Rules specific to this app:

* **Scored** means submitted or verified: a draft scorecard is work in progress and counts
  nowhere. **Score figures** (averages, bands, rankings, selections) read only the cards of
  **closed** rounds, which are exactly the ranked, verified cards: what was announced at the
  monthly conference, and what no longer changes unless the round is reopened.
* A card's score is its **final total** (the district's verified total; both totals are kept on
  the card) and its **percent** of the weighted maximum of its criteria set, two decimals, as
  ``Scorecard.percent`` computes it for the ranking. Sets of different types (and years) have
  different maxima, so only percents compare across types.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Q

from organization.access import within
from organization.models import COMMUNE_KINDS, Unit, UnitKind

from .models import (
    TARGET_UNIT_KINDS,
    Award,
    AwardForm,
    CommitmentItem,
    CommitmentStatus,
    DvkEvent,
    DvkField,
    DvkLevel,
    DvkModel,
    EmulationPledge,
    HouseholdCommitment,
    PledgeResult,
    RoundStatus,
    Scorecard,
    ScorecardStatus,
    ScoringRound,
    TargetType,
)
from .selectors import ranking
from .workflow import DvkStatus

Units = Unit | Iterable[Unit]

#: A scorecard counts as scored once submitted; drafts never count.
SCORED_STATUSES = (ScorecardStatus.SUBMITTED, ScorecardStatus.VERIFIED)

#: Score bands, by percent of the maximum: (key, lower bound included, upper bound excluded).
SCORE_BANDS: tuple[tuple[str, Decimal | None, Decimal | None], ...] = (
    ("below_50", None, Decimal(50)),
    ("50_to_65", Decimal(50), Decimal(65)),
    ("65_to_80", Decimal(65), Decimal(80)),
    ("80_plus", Decimal(80), None),
)

#: Levels of an award's issuer: the administrative level of the issuing body (see ``awards``).
ISSUER_LEVELS = ("province", "district", "commune", "village", "other")
_LEVEL_OF_KIND = {
    UnitKind.PROVINCE: "province",
    UnitKind.DISTRICT: "district",
    **dict.fromkeys(COMMUNE_KINDS, "commune"),
    UnitKind.VILLAGE: "village",
    UnitKind.RESIDENTIAL_CLUSTER: "village",
}

ZERO = Decimal(0)
_CENTS = Decimal("0.01")
_ONE_DECIMAL = Decimal("0.1")


# --- Scope, period and helpers ------------------------------------------------------------------


def _as_list(units: Units) -> list[Unit]:
    """Evaluate ``units`` once (a queryset would otherwise be read by every condition)."""
    return [units] if isinstance(units, Unit) else list(units)


def _own_subtree(units: list[Unit]) -> Q:
    """``within`` for Unit rows themselves: units lying in the subtree of one of ``units``."""
    paths = sorted({unit.path for unit in units if unit.path})
    roots = [path for path in paths if not any(path != other and path.startswith(other) for other in paths)]
    if not roots:
        return Q(pk__in=[])
    condition = Q()
    for path in roots:
        condition |= Q(path__startswith=path)
    return condition


def _overlaps(area_path: str, units: list[Unit]) -> bool:
    """True when the area contains one of ``units`` or lies inside one of them."""
    return any(unit.path.startswith(area_path) or area_path.startswith(unit.path) for unit in units if unit.path)


def _percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(_ONE_DECIMAL, rounding=ROUND_HALF_UP)


def _mean(values: list[Decimal], places: Decimal) -> Decimal | None:
    if not values:
        return None
    return (sum(values, ZERO) / len(values)).quantize(places, rounding=ROUND_HALF_UP)


def band_of(percent: Decimal) -> str:
    """The key of the band of ``SCORE_BANDS`` holding ``percent``."""
    for key, lower, upper in SCORE_BANDS:
        if (lower is None or percent >= lower) and (upper is None or percent < upper):
            return key
    raise ValueError(percent)  # pragma: no cover - the bands cover every number


def _empty_bands() -> dict[str, int]:
    return {key: 0 for key, _lower, _upper in SCORE_BANDS}


def _closed_cards(units: list[Unit], start: date, end: date, movement=None):
    """The ranked cards: verified cards of closed rounds whose month lies within the period."""
    queryset = Scorecard.objects.filter(
        within(units),
        status=ScorecardStatus.VERIFIED,
        round__status=RoundStatus.CLOSED,
        round__month__gte=start,
        round__month__lte=end,
    )
    if movement is not None:
        queryset = queryset.filter(round__movement=movement)
    return queryset


# --- Scoring rounds -----------------------------------------------------------------------------


def round_coverage(units: Units, start: date, end: date, *, movement=None) -> list[dict[str, Any]]:
    """How many of the units a round scores have been scored, per round.

    One row per round whose month lies within the period (of ``movement``, or of every movement
    whose area overlaps ``units``), ordered by month then movement:
    ``{"round_id", "movement_id", "month", "status", "eligible", "scored", "percent",
    "by_type": {target type: {"eligible", "scored", "percent"}}}``.

    * **eligible**: the units ``selectors.eligible_units(round)`` returns that lie in the
      subtrees of ``units``: inside the movement's area, of one of its target kinds, existing
      during the round's month. A district office is eligible for the district, never for a
      commune, so a district's figure is the sum of its communes' plus its own offices.
    * **scored**: the round's submitted and verified scorecards of units in the subtrees
      (drafts are not scored yet).
    * **percent**: ``100 × scored / eligible``, one decimal half up; ``None`` with nothing eligible.

    ``by_type`` lists the movement's target types in ``TargetType`` order. Three queries.
    """
    units = _as_list(units)
    rounds = ScoringRound.objects.filter(month__gte=start, month__lte=end).select_related("movement__unit")
    if movement is not None:
        rounds = rounds.filter(movement=movement)
    rounds = [r for r in rounds.order_by("month", "movement_id", "pk") if _overlaps(r.movement.unit.path, units)]
    if not rounds:
        return []
    kinds = set().union(*(TARGET_UNIT_KINDS[t] for r in rounds for t in r.movement.target_types))
    # The candidates of every round at once; each round then keeps its area, kinds and month,
    # exactly as selectors.eligible_units does (a test holds the two to the same answer).
    candidates = list(
        Unit.objects.filter(_own_subtree(units), kind__in=kinds).values_list("path", "kind", "valid_from", "valid_to")
    )
    scored = Counter(
        {
            (row["round_id"], row["target_type"]): row["n"]
            for row in Scorecard.objects.filter(within(units), round__in=rounds, status__in=SCORED_STATUSES)
            .values("round_id", "target_type")
            .annotate(n=Count("pk"))
            .order_by()
        }
    )
    rows = []
    for round_ in rounds:
        first, last = round_.month, round_.month_end()
        area = round_.movement.unit.path
        by_type = {}
        for target in TargetType.values:
            if target not in round_.movement.target_types:
                continue
            eligible = sum(
                1
                for path, kind, valid_from, valid_to in candidates
                if kind in TARGET_UNIT_KINDS[target]
                and path.startswith(area)
                and valid_from <= last
                and (valid_to is None or valid_to >= first)
            )
            done = scored[(round_.pk, target)]
            by_type[target] = {"eligible": eligible, "scored": done, "percent": _percent(done, eligible)}
        eligible = sum(row["eligible"] for row in by_type.values())
        done = sum(row["scored"] for row in by_type.values())
        rows.append(
            {
                "round_id": round_.pk,
                "movement_id": round_.movement_id,
                "month": round_.month,
                "status": round_.status,
                "eligible": eligible,
                "scored": done,
                "percent": _percent(done, eligible),
                "by_type": by_type,
            }
        )
    return rows


# --- Scores ---------------------------------------------------------------------------------------


def _summary(cards: list[Scorecard], *, with_total: bool) -> dict[str, Any]:
    bands = _empty_bands()
    for card in cards:
        bands[band_of(card.percent)] += 1
    row: dict[str, Any] = {
        "cards": len(cards),
        "average_percent": _mean([card.percent for card in cards], _ONE_DECIMAL),
        "bands": bands,
    }
    if with_total:
        row["average_total"] = _mean([card.final_total for card in cards], _CENTS)
    return row


def scores(units: Units, start: date, end: date, *, movement=None) -> dict[str, Any]:
    """Average scores and their distribution over the ranked cards of the period.

    The cards: verified scorecards of **closed** rounds whose month lies within the period, of
    units in the subtrees (optionally of one movement). Drafts, and cards of rounds still open,
    never count. Each card is one unit in one month: a unit scored in twelve rounds weighs
    twelve times.

    Returns ``{"cards", "average_percent", "bands", "by_type", "by_commune"}``:

    * ``average_percent``: the mean of the cards' percents (``Scorecard.percent``: final total ×
      100 / weighted maximum, two decimals), one decimal half up; ``None`` without cards;
    * ``bands``: cards per band of ``SCORE_BANDS``, every band present: ``below_50`` (< 50 %),
      ``50_to_65`` (50 % to under 65 %), ``65_to_80`` (65 % to under 80 %), ``80_plus`` (≥ 80 %);
    * ``by_type``: ``{target type: {"cards", "average_percent", "average_total", "bands"}}`` for
      the types with cards, in ``TargetType`` order. ``average_total`` is the mean final total in
      points (two decimals, half up): it compares within a type and year only, since sets differ;
    * ``by_commune``: ``{commune id: {"cards", "average_percent", "bands"}}`` by the card's
      commune (``None`` for the district's own offices), communes by id, ``None`` last.

    One query (two when ``units`` is an unevaluated queryset)."""
    units = _as_list(units)
    cards = list(
        _closed_cards(units, start, end, movement).only(
            "target_type", "commune_id", "self_total", "verified_total", "max_total"
        )
    )
    by_type: dict[str, list[Scorecard]] = defaultdict(list)
    by_commune: dict[int | None, list[Scorecard]] = defaultdict(list)
    for card in cards:
        by_type[card.target_type].append(card)
        by_commune[card.commune_id].append(card)
    return {
        **_summary(cards, with_total=False),
        "by_type": {t: _summary(by_type[t], with_total=True) for t in TargetType.values if t in by_type},
        "by_commune": {
            commune: _summary(by_commune[commune], with_total=False)
            for commune in sorted(by_commune, key=lambda key: (key is None, key or 0))
        },
    }


def round_ranking(units: Units, round_: ScoringRound) -> list[dict[str, Any]]:
    """The ranked cards of ``round_`` whose unit lies in the subtrees, by type then rank in type
    (ties listed by unit name), as ``selectors.ranking`` orders them.

    Each row: ``unit_id``, ``unit`` (name), ``commune_id``, ``target_type``, ``total`` (final),
    ``max_total``, ``percent``, ``rank_in_type``, ``rank_in_commune``, ``rank_overall``,
    ``selected``. The ranks are those written when the round closed, over the whole movement:
    a commune's slice shows its units' district-wide ranks, it does not re-rank them. A round
    that is not closed has no ranked cards (reopening clears the ranks), so its list is empty."""
    return [
        {
            "unit_id": card.unit_id,
            "unit": card.unit.name,
            "commune_id": card.commune_id,
            "target_type": card.target_type,
            "total": card.final_total,
            "max_total": card.max_total,
            "percent": card.percent,
            "rank_in_type": card.rank_in_type,
            "rank_in_commune": card.rank_in_commune,
            "rank_overall": card.rank_overall,
            "selected": card.selected,
        }
        for card in ranking(round_).filter(within(_as_list(units)))
    ]


def selections(units: Units, start: date, end: date, *, movement=None) -> dict[str, Any]:
    """Selected units (bình chọn) in the closed rounds of the period.

    Returns ``{"selected", "units", "by_type"}``: ``selected`` counts selections (a unit selected
    in three months counts three), ``units`` the distinct units selected at least once,
    ``by_type`` the selections per target type, every type present. One query."""
    rows = list(
        _closed_cards(_as_list(units), start, end, movement).filter(selected=True).values_list("unit_id", "target_type")
    )
    by_type = dict.fromkeys(TargetType.values, 0)
    for _unit, target in rows:
        by_type[target] += 1
    return {"selected": len(rows), "units": len({unit for unit, _target in rows}), "by_type": by_type}


# --- Awards -------------------------------------------------------------------------------------


def awards(units: Units, start: date, end: date, *, movement=None) -> dict[str, Any]:
    """Awards dated (``date``) within the period whose **recipient unit** lies in the subtrees
    (an award to a household or person counts for the unit it was given through), optionally
    of one movement.

    Returns ``{"total", "by_form", "by_issuer_level", "prize_value_vnd"}``. ``by_form`` lists
    every form (commendation, Giấy khen, Bằng khen, prize), zeros included. ``by_issuer_level``
    counts by the administrative level of the issuing body: the nearest unit, from the issuer
    up, that is a province, a district, a commune (township, ward) or a village; the Huyện ủy's
    Giấy khen is a district award, the province's Bằng khen a province award; ``other`` when no
    such unit is found. Every level of ``ISSUER_LEVELS`` is present. ``prize_value_vnd`` sums
    the prizes in đồng. Two queries."""
    queryset = Award.objects.filter(within(_as_list(units), "recipient_unit"), date__gte=start, date__lte=end)
    if movement is not None:
        queryset = queryset.filter(movement=movement)
    rows = list(queryset.values_list("form", "issuer__path", "prize_value_vnd"))
    ids = {int(part) for _form, path, _prize in rows for part in path.strip("/").split("/") if part}
    kinds = dict(Unit.objects.filter(pk__in=ids).values_list("pk", "kind")) if ids else {}
    by_form = dict.fromkeys(AwardForm.values, 0)
    by_level = dict.fromkeys(ISSUER_LEVELS, 0)
    for form, path, _prize in rows:
        by_form[form] += 1
        chain = [int(part) for part in path.strip("/").split("/") if part]
        level = next((_LEVEL_OF_KIND[kinds[pk]] for pk in reversed(chain) if kinds.get(pk) in _LEVEL_OF_KIND), "other")
        by_level[level] += 1
    return {
        "total": len(rows),
        "by_form": by_form,
        "by_issuer_level": by_level,
        "prize_value_vnd": sum(prize for _form, _path, prize in rows),
    }


# --- Dân vận khéo models ------------------------------------------------------------------------


def dvk_models(units: Units, start: date, end: date) -> dict[str, Any]:
    """Dân vận khéo models **registered** (``registered_on``) within the period whose owner unit
    lies in the subtrees, and models **recognized** (``recognized_on``) within it.

    Returns ``{"registered", "by_status", "by_field", "by_level", "recognized"}``: the three
    splits count the registered models, every choice present (zeros included), in the order of
    ``DvkStatus``, ``DvkField`` and ``DvkLevel``; ``by_status`` is each model's **current**
    status (for the status at a date, see ``dvk_status_at``). ``recognized`` counts models whose
    recognition decision is dated within the period, whenever they were registered. Two queries."""
    units = _as_list(units)
    owned = DvkModel.objects.filter(within(units, "owner_unit"))
    rows = list(
        owned.filter(registered_on__gte=start, registered_on__lte=end)
        .values("status", "field", "level")
        .annotate(n=Count("pk"))
        .order_by()
    )
    result: dict[str, Any] = {"registered": sum(row["n"] for row in rows)}
    for key, name, choices in (
        ("by_status", "status", DvkStatus),
        ("by_field", "field", DvkField),
        ("by_level", "level", DvkLevel),
    ):
        split = dict.fromkeys(choices.values, 0)
        for row in rows:
            split[row[name]] += row["n"]
        result[key] = split
    result["recognized"] = owned.filter(recognized_on__gte=start, recognized_on__lte=end).count()
    return result


def dvk_status_at(units: Units, day: date) -> dict[str, Any]:
    """The models registered on or before ``day`` (owner unit in the subtrees), by the status
    each had at the end of ``day``: the ``to_status`` of its last status change (``DvkEvent``)
    effective on or before ``day``, or *registered* without one.

    Returns ``{"total", "by_status"}``, every status present. The date of a change is the day it
    happened (``effective_on``, which the user may back-date), not when it was typed in. Two
    queries."""
    models = list(
        DvkModel.objects.filter(within(_as_list(units), "owner_unit"), registered_on__lte=day).values_list(
            "pk", flat=True
        )
    )
    status = dict.fromkeys(models, DvkStatus.REGISTERED.value)
    events = DvkEvent.objects.filter(model_id__in=models, effective_on__lte=day).order_by("effective_on", "at", "pk")
    for model_id, to_status in events.values_list("model_id", "to_status"):
        status[model_id] = to_status  # the last change wins
    by_status = dict.fromkeys(DvkStatus.values, 0)
    for value in status.values():
        by_status[value] += 1
    return {"total": len(models), "by_status": by_status}


# --- Household commitments and pledges ----------------------------------------------------------


def commitments(units: Units, start: date, end: date) -> dict[str, Any]:
    """Household commitments of villages in the subtrees: signed and broken within the period.

    A commitment row is one household's signature for one model (a household that signs for
    two models counts twice, once per model). Returns:

    * ``signed``: commitments signed (``signed_on``) within the period;
    * ``broken``: commitments broken (``broken_on``) within the period, whenever signed;
    * ``by_model``: ``{model id: {"signed", "broken"}}`` for models with either, by id;
    * ``broken_items``: ``{item code: n}``, how often each item was among the broken items of
      the commitments broken within the period, every item present (retired ones included).

    Three queries."""
    units = _as_list(units)
    base = HouseholdCommitment.objects.filter(within(units, "village"))
    signed = Q(signed_on__gte=start, signed_on__lte=end)
    broken = Q(broken_on__gte=start, broken_on__lte=end)
    rows = (
        base.filter(signed | broken)
        .values("model_id")
        .annotate(signed=Count("pk", filter=signed), broken=Count("pk", filter=broken))
        .order_by("model_id")
    )
    by_model = {row["model_id"]: {"signed": row["signed"], "broken": row["broken"]} for row in rows}
    items = dict.fromkeys(CommitmentItem.objects.order_by("order", "pk").values_list("code", flat=True), 0)
    through = HouseholdCommitment.broken_items.through
    codes = through.objects.filter(householdcommitment__in=base.filter(broken)).values_list(
        "commitmentitem__code", flat=True
    )
    for code in codes:
        items[code] += 1
    return {
        "signed": sum(row["signed"] for row in by_model.values()),
        "broken": sum(row["broken"] for row in by_model.values()),
        "by_model": by_model,
        "broken_items": items,
    }


def commitment_summary(queryset) -> dict[str, int]:
    """Any set of household commitments (a model's, as the user may see them): ``signed``
    (rows), ``kept`` and ``broken`` (by their current status). One query."""
    return queryset.order_by().aggregate(
        signed=Count("pk"),
        kept=Count("pk", filter=Q(status=CommitmentStatus.KEPT)),
        broken=Count("pk", filter=Q(status=CommitmentStatus.BROKEN)),
    )


def households_per_model(units: Units, day: date) -> dict[int, dict[str, Any]]:
    """Households committed to each model **as of** ``day``, for villages in the subtrees.

    ``{model id: {"name", "households", "broken", "keeping"}}``: ``households`` signed on or
    before ``day``, ``broken`` of those broken on or before ``day``, ``keeping`` the difference.
    Only models with households appear, by id. One query."""
    rows = (
        HouseholdCommitment.objects.filter(within(_as_list(units), "village"), signed_on__lte=day)
        .values("model_id", "model__name")
        .annotate(n=Count("pk"), broken=Count("pk", filter=Q(broken_on__lte=day)))
        .order_by("model_id")
    )
    return {
        row["model_id"]: {
            "name": row["model__name"],
            "households": row["n"],
            "broken": row["broken"],
            "keeping": row["n"] - row["broken"],
        }
        for row in rows
    }


def pledges(units: Units, start: date, end: date) -> dict[int, dict[str, int]]:
    """Emulation pledges of religious groups in the subtrees, per year, by result.

    Pledges are made per year, so the period counts the pledges of **every year it touches**
    (``start.year`` to ``end.year``), like roads. ``{year: {"total", "pledged", "achieved",
    "not_achieved"}}``, only years with pledges, in calendar order. One query."""
    rows = (
        EmulationPledge.objects.filter(within(_as_list(units)), year__gte=start.year, year__lte=end.year)
        .values("year", "result")
        .annotate(n=Count("pk"))
        .order_by("year")
    )
    result: dict[int, dict[str, int]] = {}
    for row in rows:
        year = result.setdefault(row["year"], {"total": 0, **dict.fromkeys(PledgeResult.values, 0)})
        year[row["result"]] += row["n"]
        year["total"] += row["n"]
    return result
