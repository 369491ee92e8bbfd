"""Ranking a closed round: competition ranking with ties (1, 2, 2, 4), selection at the boundary,
and the three rankings (in type by total, in commune by total, overall by percent)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest

from campaigns import services
from campaigns.models import Scorecard, ScorecardStatus, TargetType
from campaigns.ranking import assign_ranks, competition_ranks
from campaigns.tests.factories import criteria_rows, movement_with_criteria, open_round
from organization.models import UnitKind
from organization.tests.factories import UnitFactory

VIL, OFF, SCH = TargetType.VILLAGE, TargetType.OFFICE, TargetType.SCHOOL


def card(name, total, *, target=VIL, commune=1, max_total=100) -> Scorecard:
    """An unsaved scorecard: ranking works on what is in memory."""
    scorecard = Scorecard(
        target_type=target, commune_id=commune, self_total=Decimal(total), max_total=Decimal(max_total)
    )
    scorecard.name = name
    return scorecard


def ranks(cards, attribute="rank_in_type") -> dict[str, int]:
    return {c.name: getattr(c, attribute) for c in cards}


# --- Competition ranking ------------------------------------------------------------------------


def test_ties_share_a_rank_and_the_next_rank_skips():
    items = [SimpleNamespace(n=n, v=Decimal(v)) for n, v in (("a", 90), ("b", 80), ("c", 80), ("d", 70))]
    result = competition_ranks(items, key=lambda item: item.v)
    assert [result[id(item)] for item in items] == [1, 2, 2, 4]


def test_ranking_does_not_depend_on_input_order():
    items = [SimpleNamespace(v=Decimal(v)) for v in (70, 80, 90, 80, 60, 60)]
    result = competition_ranks(items, key=lambda item: item.v)
    assert [result[id(item)] for item in items] == [4, 2, 1, 2, 5, 5]


def test_everyone_equal_shares_first_place_and_empty_is_empty():
    items = [SimpleNamespace(v=Decimal(75)) for _ in range(3)]
    assert set(competition_ranks(items, key=lambda item: item.v).values()) == {1}
    assert competition_ranks([], key=lambda item: item.v) == {}


def test_decimals_that_differ_in_the_second_place_do_not_tie():
    items = [SimpleNamespace(v=Decimal(v)) for v in ("80.01", "80.00", "80.0")]
    result = competition_ranks(items, key=lambda item: item.v)
    assert [result[id(item)] for item in items] == [1, 2, 2]  # 80.00 == 80.0


# --- Selection ----------------------------------------------------------------------------------


def test_selection_takes_every_unit_tied_at_the_boundary():
    cards = [card("a", 95), card("b", 90), card("c", 85), card("d", 85), card("e", 84)]
    assign_ranks(cards, selected_per_type=3, min_percent=Decimal(80))
    assert ranks(cards) == {"a": 1, "b": 2, "c": 3, "d": 3, "e": 5}
    assert [c.selected for c in cards] == [True, True, True, True, False]  # four selected for three places


def test_a_tie_just_outside_the_places_selects_none_of_them():
    cards = [card("a", 95), card("b", 90), card("c", 90), card("d", 85), card("e", 85)]
    assign_ranks(cards, selected_per_type=3, min_percent=Decimal(80))
    assert ranks(cards) == {"a": 1, "b": 2, "c": 2, "d": 4, "e": 4}
    assert [c.selected for c in cards] == [True, True, True, False, False]


def test_selection_needs_the_minimum_percent_which_is_included():
    cards = [card("a", 80), card("b", Decimal("79.99")), card("c", 50)]
    assign_ranks(cards, selected_per_type=3, min_percent=Decimal(80))
    assert [c.selected for c in cards] == [True, False, False]


def test_selection_counts_places_per_type():
    villages = [card(f"v{i}", 90 - i) for i in range(4)]
    schools = [card(f"s{i}", 45 - i, target=SCH, max_total=50) for i in range(2)]  # 90 %, 88 %
    assign_ranks([*villages, *schools], selected_per_type=2, min_percent=Decimal(80))
    assert [c.selected for c in villages] == [True, True, False, False]
    assert [c.selected for c in schools] == [True, True]


# --- Three rankings -----------------------------------------------------------------------------


def test_rank_in_commune_in_type_and_overall():
    cards = [
        card("a1", 90, commune=1),
        card("a2", 70, commune=1),
        card("b1", 80, commune=2),
        card("b2", 70, commune=2),
        card("office", 70, target=OFF, commune=None),  # a district office: no commune
        card("school", 45, target=SCH, commune=1, max_total=50),  # 90 %
        card("school2", 35, target=SCH, commune=2, max_total=50),  # 70 %
    ]
    assign_ranks(cards, selected_per_type=3, min_percent=Decimal(80))
    assert ranks(cards) == {"a1": 1, "a2": 3, "b1": 2, "b2": 3, "office": 1, "school": 1, "school2": 2}
    assert ranks(cards, "rank_in_commune") == {
        "a1": 1, "a2": 2, "b1": 1, "b2": 2, "office": 1, "school": 1, "school2": 1,
    }  # fmt: skip
    # Overall compares percents, since totals of different sets do not compare.
    assert ranks(cards, "rank_overall") == {
        "a1": 1, "school": 1, "b1": 3, "a2": 4, "b2": 4, "office": 4, "school2": 4,
    }  # fmt: skip


def test_the_verified_total_ranks_not_the_self_assessment():
    first = card("first", 70)
    first.verified_total = Decimal(95)
    second = card("second", 90)
    second.verified_total = Decimal(60)
    assign_ranks([first, second], selected_per_type=1, min_percent=Decimal(80))
    assert (first.rank_in_type, second.rank_in_type) == (1, 2)
    assert (first.selected, second.selected) == (True, False)


# --- Closing a round writes the ranks -----------------------------------------------------------


@pytest.mark.django_db
def test_closing_a_round_ranks_verified_cards_and_leaves_drafts_out(tree, district_staff, commune_a_officer):
    movement = movement_with_criteria(district_staff, tree.district, types=(VIL, SCH), maxima=("40", "30", "30"))
    school_set = movement.criteria_sets.get(target_type=SCH)
    services.criteria_set_save(
        user=district_staff,
        movement=movement,
        criteria_set=school_set,
        data=services.CriteriaSetInput(
            target_type=SCH, year=2024, total_points=Decimal(50), criteria=criteria_rows("20", "30")
        ),
    )
    a = tree.commune_a
    villages = [tree.village_a] + [
        UnitFactory(kind=UnitKind.VILLAGE, parent=a, name=f"Bản {n}", valid_to=date(2025, 6, 30)) for n in "BCDE"
    ]
    school = UnitFactory(kind=UnitKind.SCHOOL, parent=a, name="Trường", valid_to=date(2025, 6, 30))
    round_ = open_round(district_staff, movement, date(2024, 3, 1))
    village_criteria = list(movement.criteria_sets.get(target_type=VIL).criteria.all())
    school_criteria = list(school_set.criteria.all())

    def row(criteria, *scores):
        return {c.pk: str(s) for c, s in zip(criteria, scores, strict=True)}

    # Totals: 90, 80, 80, 70 (submitted, verified) and 100 left as a draft; the school 40/50.
    totals = [(40, 30, 20), (40, 30, 10), (30, 30, 20), (30, 30, 10)]
    services.grid_save(
        user=commune_a_officer,
        round_=round_,
        rows={
            **{v.pk: row(village_criteria, *t) for v, t in zip(villages, totals, strict=False)},
            school.pk: row(school_criteria, 20, 20),
        },
        submit=True,
    )
    services.grid_save(user=commune_a_officer, round_=round_, rows={villages[4].pk: row(village_criteria, 40, 30, 30)})
    for scorecard in round_.scorecards.filter(status=ScorecardStatus.SUBMITTED):
        services.scorecard_verify(user=district_staff, scorecard=scorecard)
    services.round_close(user=district_staff, round_=round_)

    cards = {c.unit.name: c for c in Scorecard.objects.filter(round=round_).select_related("unit")}
    names = [v.name for v in villages]
    assert [cards[n].rank_in_type for n in names] == [1, 2, 2, 4, None]
    assert [cards[n].selected for n in names] == [True, True, True, False, False]
    assert cards["Bản E"].status == ScorecardStatus.DRAFT  # a draft is not ranked
    assert cards["Trường"].rank_in_type == 1
    assert cards["Trường"].rank_overall == 2  # 80 %, tied with the two 80-point villages
    assert [cards[n].rank_overall for n in names[:4]] == [1, 2, 2, 5]
