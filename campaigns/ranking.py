"""Ranking a closed round.

Tie rule (documented in docs/campaigns.md): standard competition ranking. Units with equal
totals share a rank and the next rank skips ("1, 2, 2, 4"), because emulation results are
announced as "đồng hạng" rather than broken by an arbitrary order. Displays list tied units by
name. Three rankings are written on each scorecard:

- ``rank_in_type``: among units of the same target type across the movement's area, by total
  (units of one type and year share a criteria set, so totals compare directly);
- ``rank_in_commune``: the same, within the unit's commune (district offices form one group);
- ``rank_overall``: all units, by percent of their set's weighted maximum, since sets of
  different types have different totals.

A unit is **selected** (bình chọn) when its rank in type is within the round's
``selected_per_type`` and its percent reaches ``min_percent_for_selection``; units tied at the
boundary are all selected.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from decimal import Decimal
from typing import TypeVar

T = TypeVar("T")


def competition_ranks(items: Iterable[T], key: Callable[[T], Decimal]) -> dict[int, int]:
    """``{id(item): rank}`` with equal keys sharing a rank, higher keys first."""
    ordered = sorted(items, key=key, reverse=True)
    ranks: dict[int, int] = {}
    previous: Decimal | None = None
    rank = 0
    for position, item in enumerate(ordered, start=1):
        value = key(item)
        if previous is None or value != previous:
            rank = position
            previous = value
        ranks[id(item)] = rank
    return ranks


def _grouped(items: Iterable[T], group: Callable[[T], Hashable]) -> dict[Hashable, list[T]]:
    groups: dict[Hashable, list[T]] = defaultdict(list)
    for item in items:
        groups[group(item)].append(item)
    return groups


def assign_ranks(cards: list, *, selected_per_type: int, min_percent: Decimal) -> None:
    """Write ``rank_in_type``, ``rank_in_commune``, ``rank_overall`` and ``selected`` on each
    scorecard of ``cards`` (in memory; the caller saves)."""

    def total(card) -> Decimal:
        return card.final_total

    for members in _grouped(cards, lambda c: c.target_type).values():
        ranks = competition_ranks(members, total)
        for card in members:
            card.rank_in_type = ranks[id(card)]
    for members in _grouped(cards, lambda c: (c.target_type, c.commune_id)).values():
        ranks = competition_ranks(members, total)
        for card in members:
            card.rank_in_commune = ranks[id(card)]
    overall = competition_ranks(cards, lambda c: c.percent)
    for card in cards:
        card.rank_overall = overall[id(card)]
        card.selected = card.rank_in_type <= selected_per_type and card.percent >= min_percent
