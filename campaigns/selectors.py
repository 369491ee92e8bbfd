"""Reads for campaigns: what a user may see, which units a round scores, grid rows."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from organization import access
from organization.models import Unit

from .models import (
    TARGET_UNIT_KINDS,
    CriteriaSet,
    Criterion,
    Movement,
    Scorecard,
    ScoreEntry,
    ScoringRound,
)


def ancestor_ids(user) -> set[int]:
    """Ids of the units above (and at) each of the user's memberships."""
    ids: set[int] = set()
    for membership in access.memberships(user):
        ids.update(int(part) for part in membership.unit.path.strip("/").split("/") if part)
    return ids


def movements_visible_to(user) -> QuerySet[Movement]:
    """Movements whose area overlaps the user's: one inside their subtree, or one covering it (a
    commune officer sees the district's movement, since the commune's villages are scored in it)."""
    if access.is_admin(user):
        return Movement.objects.all()
    if not getattr(user, "is_authenticated", False):
        return Movement.objects.none()
    return Movement.objects.filter(Q(unit__in=access.visible_units(user)) | Q(unit_id__in=ancestor_ids(user)))


def rounds_visible_to(user) -> QuerySet[ScoringRound]:
    return ScoringRound.objects.filter(movement__in=movements_visible_to(user))


def eligible_units(
    round_: ScoringRound, *, target_type: str | None = None, within: Unit | None = None
) -> QuerySet[Unit]:
    """Units scored in ``round_``: inside the movement's area (and ``within``), of the
    movement's target kinds (or ``target_type``), and existing during the round's month."""
    movement = round_.movement
    types = [target_type] if target_type else list(movement.target_types)
    kinds = set().union(*(TARGET_UNIT_KINDS[t] for t in types if t in TARGET_UNIT_KINDS)) if types else set()
    start, end = round_.month, round_.month_end()
    units = Unit.objects.filter(path__startswith=movement.unit.path, kind__in=kinds).filter(
        Q(valid_from__lte=end), Q(valid_to__isnull=True) | Q(valid_to__gte=start)
    )
    if within is not None:
        units = units.filter(path__startswith=within.path)
    return units.order_by("path")


def criteria_set_for(movement: Movement, target_type: str, year: int) -> CriteriaSet | None:
    return (
        CriteriaSet.objects.filter(movement=movement, target_type=target_type, year=year)
        .prefetch_related("criteria")
        .first()
    )


def scorecards_with_entries(queryset: QuerySet[Scorecard]) -> QuerySet[Scorecard]:
    return queryset.select_related("unit", "commune", "criteria_set", "round__movement").prefetch_related(
        Prefetch("entries", queryset=ScoreEntry.objects.select_related("criterion"))
    )


def ranking(round_: ScoringRound) -> QuerySet[Scorecard]:
    """Ranked scorecards of a closed round, best first; ties listed by unit name."""
    return (
        round_.scorecards.filter(rank_in_type__isnull=False)
        .select_related("unit", "commune")
        .order_by("target_type", "rank_in_type", "unit__name")
    )


def criteria_of(criteria_set: CriteriaSet) -> list[Criterion]:
    return list(criteria_set.criteria.all())
