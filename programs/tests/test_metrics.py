"""programs.metrics against a small dataset counted by hand. "Today" is 15/03/2024.

Units (the ``tree`` fixture): district = commune A (with village a) + commune B (with village b).
Amounts in millions of đồng (M) in these notes; the test literals are whole đồng.

Programs (host · organizer level · status · date):
  P1  A          · commune  · held     · 01/01/2023 (first day of 2023)
      work items: clean-up (done), infrastructure (not done), greenery (done)
      contributions: cash 5 M; labour-days 120 days = 36 M typed "over"; in kind 2 M
      participation: officials 40; residents 150 typed "over"
  P2  A, village a · district · reviewed · 31/12/2023 (last day of 2023)
      work items: housing (done)
      contributions: cash 50 M (businesses); labour-days 30 days = 9 M
      participation: armed forces 25; officials 12
  P3  B          · commune  · held     · 15/06/2023
      work items: waste (done), clean-up (not done)
      contributions: cash 10 M; trees 200 = 4 M
      participation: youth 60; pupils 80
  P4  B          · commune  · planned  · 20/12/2023: a plan, never in the "mobilized" figures
      work item: other; contribution: cash 100 M; participation: residents 500
  P5  A          · commune  · held     · 31/12/2022 (the day before 2023)
      contribution: cash 7 M; participation: residents 70
  P6  B          · commune  · surveyed · 01/01/2024 (the day after 2023)

Roads (commune · year · length · program):
  R1  A · 2023 · 750 m     · P1
  R2  A · 2023 · 600 m     · —
  R3  B · 2023 · 1.250,5 m · —
  R4  B · 2022 · 2.000 m   · —

Land donations (commune · road · program · date · m² · trees · labour-days · cash · value · purpose):
  D1  A · R1 · P1 · 01/01/2023 ·   500 · quế 300         · 20 · 0   · 30 M · road
  D2  A · R1 · —  · 15/03/2023 ·   400 · quế 250, mỡ 50  · 15 · 1 M · 25 M · road
  D3  A · —  · P1 · 31/12/2023 ·   290 · —               ·  0 · 0   ·  8 M · common area
  D4  B · R3 · —  · 10/10/2023 · 1.000 · quế 100         ·  5 · 0   · 20 M · road
  D5  A · R2 · —  · 31/12/2022 ·   100 · —               ·  2 · 0   ·  2 M · road
  D6  B · —  · —  · 01/01/2024 ·    50 · tre 10          ·  0 · 0   ·  1 M · school
  D1 is reachable from P1 twice (directly and through R1): it must count once.

Site clearance (responsible unit · started · households · ha · budget; payments):
  G1  district · 01/03/2022 · 290 · 263,26 · 250.000 M; paid 15/06/2022 100.000 M,
      20/12/2022 100.000 M, 10/05/2023 50.000 M
  G2  B        · 01/02/2023 ·  10 ·   1,50 ·   2.000 M; paid 01/04/2023 1.500 M
  G3  district · 10/01/2024 ·   5 ·   0,40 ·     500 M; nothing paid
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from programs import metrics
from programs.models import (
    ContributionKind,
    ContributorType,
    DonationPurpose,
    OrganizerLevel,
    ParticipantCategory,
    ProgramStatus,
    Qualifier,
    WorkCategory,
)
from programs.tests.factories import (
    ClearanceProjectFactory,
    DisbursementFactory,
    DonationFactory,
    ProgramFactory,
    RoadProjectFactory,
    contribution,
    participation,
    work_item,
)

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
M = 1_000_000
B = 1_000 * M
Y2022 = (date(2022, 1, 1), date(2022, 12, 31))
Y2023 = (date(2023, 1, 1), date(2023, 12, 31))

C = ContributionKind
P = ParticipantCategory
W = WorkCategory


@pytest.fixture
def today(time_machine):
    time_machine.move_to(datetime(2024, 3, 15, 10, 0, tzinfo=TZ), tick=False)


@pytest.fixture
def data(tree, today):
    a, b, district = tree.commune_a, tree.commune_b, tree.district
    p1 = ProgramFactory(
        unit=a,
        date=date(2023, 1, 1),
        work_items=[
            work_item(category=W.CLEAN_UP, done=True),
            work_item(category=W.INFRASTRUCTURE, done=False),
            work_item(category=W.GREENERY, done=True),
        ],
        contributions=[
            contribution(kind=C.CASH, value_vnd=5 * M),
            contribution(
                kind=C.LABOUR_DAYS,
                contributor_type=ContributorType.RESIDENTS,
                quantity=Decimal(120),
                value_vnd=36 * M,
                qualifier=Qualifier.OVER,
            ),
            contribution(kind=C.IN_KIND, value_vnd=2 * M),
        ],
        participation=[participation(P.OFFICIALS, 40), participation(P.RESIDENTS, 150, qualifier=Qualifier.OVER)],
    )
    p2 = ProgramFactory(
        unit=a,
        village=tree.village_a,
        organizer_level=OrganizerLevel.DISTRICT,
        organizer=district,
        status=ProgramStatus.REVIEWED,
        date=date(2023, 12, 31),
        work_items=[work_item(category=W.HOUSING, done=True)],
        contributions=[
            contribution(kind=C.CASH, contributor_type=ContributorType.BUSINESSES, value_vnd=50 * M),
            contribution(kind=C.LABOUR_DAYS, quantity=Decimal(30), value_vnd=9 * M),
        ],
        participation=[participation(P.ARMED_FORCES, 25), participation(P.OFFICIALS, 12)],
    )
    p3 = ProgramFactory(
        unit=b,
        date=date(2023, 6, 15),
        work_items=[work_item(category=W.WASTE, done=True), work_item(category=W.CLEAN_UP, done=False)],
        contributions=[
            contribution(kind=C.CASH, value_vnd=10 * M),
            contribution(kind=C.TREES, quantity=Decimal(200), value_vnd=4 * M),
        ],
        participation=[participation(P.YOUTH, 60), participation(P.PUPILS, 80)],
    )
    p4 = ProgramFactory(
        unit=b,
        status=ProgramStatus.PLANNED,
        date=date(2023, 12, 20),
        work_items=[work_item(category=W.OTHER, done=False)],
        contributions=[contribution(kind=C.CASH, value_vnd=100 * M)],
        participation=[participation(P.RESIDENTS, 500)],
    )
    p5 = ProgramFactory(
        unit=a,
        date=date(2022, 12, 31),
        contributions=[contribution(kind=C.CASH, value_vnd=7 * M)],
        participation=[participation(P.RESIDENTS, 70)],
    )
    p6 = ProgramFactory(unit=b, status=ProgramStatus.SURVEYED, date=date(2024, 1, 1))

    r1 = RoadProjectFactory(unit=a, year=2023, length_m=Decimal(750), program=p1)
    r2 = RoadProjectFactory(unit=a, year=2023, length_m=Decimal(600))
    r3 = RoadProjectFactory(unit=b, year=2023, length_m=Decimal("1250.5"))
    r4 = RoadProjectFactory(unit=b, year=2022, length_m=Decimal(2000))

    def donate(unit, day, area, value, **extra):
        return DonationFactory(unit=unit, donated_on=day, area_m2=Decimal(area), value_vnd=value, **extra)

    d1 = donate(a, date(2023, 1, 1), 500, 30 * M, road=r1, program=p1, trees={"quế": 300}, labour_days=Decimal(20))
    d2 = donate(
        a,
        date(2023, 3, 15),
        400,
        25 * M,
        road=r1,
        village=tree.village_a,
        trees={"quế": 250, "mỡ": 50},
        labour_days=Decimal(15),
        cash_vnd=1 * M,
    )
    d3 = donate(a, date(2023, 12, 31), 290, 8 * M, program=p1, purpose=DonationPurpose.COMMON_AREA)
    d4 = donate(b, date(2023, 10, 10), 1000, 20 * M, road=r3, village=tree.village_b, trees={"quế": 100}, labour_days=5)
    d5 = donate(a, date(2022, 12, 31), 100, 2 * M, road=r2, labour_days=Decimal(2))
    d6 = donate(b, date(2024, 1, 1), 50, 1 * M, trees={"tre": 10}, purpose=DonationPurpose.SCHOOL)

    g1 = ClearanceProjectFactory(
        unit=district,
        name="Cảng hàng không Sa Pa",
        is_key_project=True,
        started_on=date(2022, 3, 1),
        affected_households=290,
        area_ha=Decimal("263.26"),
        budget_vnd=250 * B,
    )
    DisbursementFactory(project=g1, paid_on=date(2022, 6, 15), amount_vnd=100 * B)
    DisbursementFactory(project=g1, paid_on=date(2022, 12, 20), amount_vnd=100 * B)
    DisbursementFactory(project=g1, paid_on=date(2023, 5, 10), amount_vnd=50 * B)
    g2 = ClearanceProjectFactory(
        unit=b, started_on=date(2023, 2, 1), affected_households=10, area_ha=Decimal("1.50"), budget_vnd=2 * B
    )
    DisbursementFactory(project=g2, paid_on=date(2023, 4, 1), amount_vnd=1500 * M)
    g3 = ClearanceProjectFactory(
        unit=district, started_on=date(2024, 1, 10), affected_households=5, area_ha=Decimal("0.40"), budget_vnd=500 * M
    )
    return {
        "programs": (p1, p2, p3, p4, p5, p6),
        "roads": (r1, r2, r3, r4),
        "donations": (d1, d2, d3, d4, d5, d6),
        "clearance": (g1, g2, g3),
    }


# --- Programs -----------------------------------------------------------------------------------


def test_programs_count_held_ones_on_both_edges_of_the_period(tree, data):
    # 2023: P1 (01/01), P2 (31/12, reviewed), P3. Not P4 (planned), P5 (2022), P6 (2024).
    assert metrics.programs_count(tree.district, *Y2023) == 3
    assert metrics.programs_count(tree.commune_a, *Y2023) == 2  # P1, P2
    assert metrics.programs_count(tree.commune_b, *Y2023) == 1  # P3
    # A period of one day on each edge.
    assert metrics.programs_count(tree.district, date(2023, 1, 1), date(2023, 1, 1)) == 1  # P1
    assert metrics.programs_count(tree.district, date(2023, 12, 31), date(2023, 12, 31)) == 1  # P2
    assert metrics.programs_count(tree.district, date(2023, 1, 2), date(2023, 12, 30)) == 1  # P3


def test_programs_by_level_counts_a_district_program_where_it_was_held(tree, data):
    assert metrics.programs_by_level(tree.district, *Y2023) == {"district": 1, "commune": 2}
    # P2 is organized by the district but held in commune A: it is one of A's programs.
    assert metrics.programs_by_level(tree.commune_a, *Y2023) == {"district": 1, "commune": 1}
    assert metrics.programs_by_level(tree.commune_b, *Y2023) == {"district": 0, "commune": 1}
    assert metrics.programs_count(tree.district, *Y2023, organizer_level=OrganizerLevel.DISTRICT) == 1


def test_programs_by_status_counts_every_status(tree, data):
    assert metrics.programs_by_status(tree.district, *Y2023) == {
        "planned": 1,  # P4
        "surveyed": 0,  # P6 is in 2024
        "held": 2,  # P1, P3
        "reviewed": 1,  # P2
    }
    assert metrics.programs_by_status(tree.district, date(2022, 12, 31), date(2024, 1, 1)) == {
        "planned": 1,
        "surveyed": 1,
        "held": 3,  # P1, P3, P5
        "reviewed": 1,
    }


def test_value_mobilized_sums_the_held_programs_and_says_it_is_over(tree, data):
    # P1 5 + 36 + 2 = 43 M; P2 50 + 9 = 59 M; P3 10 + 4 = 14 M; P4's 100 M is only planned.
    district = metrics.value_mobilized(tree.district, *Y2023)
    assert district["value_vnd"] == 116_000_000
    assert (district["qualified"], district["qualifier"]) == (True, "over")  # P1's labour, "over 36 M"
    assert district["by_kind"] == {
        "cash": 65_000_000,  # 5 + 50 + 10
        "in_kind": 2_000_000,
        "labour_days": 45_000_000,  # 36 + 9
        "land": 0,
        "assets_on_land": 0,
        "trees": 4_000_000,
    }
    assert metrics.value_mobilized(tree.commune_a, *Y2023)["value_vnd"] == 102_000_000  # P1 + P2
    commune_b = metrics.value_mobilized(tree.commune_b, *Y2023)
    assert (commune_b["value_vnd"], commune_b["qualified"], commune_b["qualifier"]) == (14_000_000, False, "exact")


def test_labour_days_sum_the_quantities_of_labour_contributions(tree, data):
    # P1 120 ("over") + P2 30.
    assert metrics.labour_days(tree.district, *Y2023) == {
        "days": Decimal("150.00"),
        "value_vnd": 45_000_000,
        "qualified": True,
        "qualifier": "over",
    }
    assert metrics.labour_days(tree.commune_b, *Y2023) == {
        "days": Decimal("0.00"),
        "value_vnd": 0,
        "qualified": False,
        "qualifier": "exact",
    }


def test_person_times_by_category(tree, data):
    # P1 40 + 150 ("over"); P2 25 + 12; P3 60 + 80. P4's 500 are planned, P5's 70 are 2022.
    result = metrics.person_times(tree.district, *Y2023)
    assert result["total"] == 367
    assert result["by_category"] == {
        "officials": 52,  # 40 + 12
        "armed_forces": 25,
        "residents": 150,
        "members": 0,
        "youth": 60,
        "pupils": 80,
        "party_members": 0,
    }
    assert (result["qualified"], result["qualifier"]) == (True, "over")
    commune_b = metrics.person_times(tree.commune_b, *Y2023)
    assert (commune_b["total"], commune_b["qualified"]) == (140, False)
    assert metrics.person_times(tree.commune_a, *Y2022)["total"] == 70  # P5


def test_work_items_by_category_with_done(tree, data):
    # P1: clean-up ✓, infrastructure ✗, greenery ✓; P2: housing ✓; P3: waste ✓, clean-up ✗.
    result = metrics.work_items(tree.district, *Y2023)
    assert (result["count"], result["done"]) == (6, 4)
    assert result["by_category"] == {
        "clean_up": {"count": 2, "done": 1},
        "greenery": {"count": 1, "done": 1},
        "housing": {"count": 1, "done": 1},
        "infrastructure": {"count": 1, "done": 0},
        "waste": {"count": 1, "done": 1},
    }
    assert next(iter(result["by_category"])) == "clean_up"  # largest first
    assert metrics.work_items(tree.commune_b, *Y2023)["count"] == 2


# --- Qualifiers ---------------------------------------------------------------------------------


def test_almost_alone_makes_the_sum_almost(tree, today):
    ProgramFactory(
        unit=tree.commune_a,
        contributions=[
            contribution(value_vnd=9_000_000_000, qualifier=Qualifier.ALMOST),
            contribution(value_vnd=1_234_567),
        ],
    )
    result = metrics.value_mobilized(tree.district, *Y2023)
    assert (result["value_vnd"], result["qualified"], result["qualifier"]) == (9_001_234_567, True, "almost")


def test_over_and_almost_together_make_the_sum_mixed_so_no_hedge_word_fits(tree, today):
    ProgramFactory(
        unit=tree.commune_a,
        contributions=[
            contribution(value_vnd=10_000_000, qualifier=Qualifier.OVER),
            contribution(value_vnd=20_000_000, qualifier=Qualifier.ALMOST),
        ],
        participation=[
            participation(P.OFFICIALS, 100, qualifier=Qualifier.ALMOST),
            participation(P.RESIDENTS, 300, qualifier=Qualifier.OVER),
        ],
    )
    assert metrics.value_mobilized(tree.district, *Y2023)["qualifier"] == "mixed"
    assert metrics.person_times(tree.district, *Y2023)["qualifier"] == "mixed"


def test_a_hedged_row_without_money_does_not_hedge_the_money_total(tree, today):
    # "Over 500 labour-days" with no money value: the days are hedged, the đồng total is exact.
    ProgramFactory(
        unit=tree.commune_a,
        contributions=[
            contribution(kind=C.LABOUR_DAYS, quantity=Decimal(500), value_vnd=0, qualifier=Qualifier.OVER),
            contribution(value_vnd=3_000_000),
        ],
    )
    assert metrics.value_mobilized(tree.district, *Y2023)["qualified"] is False
    assert metrics.labour_days(tree.district, *Y2023)["qualifier"] == "over"


# --- Roads --------------------------------------------------------------------------------------


def test_roads_count_and_km_by_year(tree, data):
    # 2023: R1 750 + R2 600 + R3 1.250,5 = 2.600,5 m = 2,60 km (2,6005 rounded half up).
    result = metrics.roads(tree.district, *Y2023)
    assert (result["count"], result["length_m"], result["km"]) == (3, Decimal("2600.50"), Decimal("2.60"))
    assert result["by_year"] == {2023: {"count": 3, "length_m": Decimal("2600.50"), "km": Decimal("2.60")}}
    both = metrics.roads(tree.district, date(2022, 1, 1), date(2023, 12, 31))
    assert (both["count"], both["km"]) == (4, Decimal("4.60"))  # + R4 2.000 m
    assert list(both["by_year"]) == [2022, 2023]
    commune_a = metrics.roads(tree.commune_a, *Y2023)
    assert (commune_a["count"], commune_a["km"]) == (2, Decimal("1.35"))  # R1 + R2


def test_a_period_counts_the_roads_of_every_year_it_touches(tree, data):
    # 31/12/2022 – 01/01/2023 touches 2022 and 2023: all four roads (a road has only a year).
    assert metrics.roads(tree.district, date(2022, 12, 31), date(2023, 1, 1))["count"] == 4
    assert metrics.roads(tree.district, date(2024, 1, 1), date(2024, 12, 31))["count"] == 0


# --- Land donations -----------------------------------------------------------------------------


def test_donations_of_the_district_are_those_of_a_and_b(tree, data):
    # 2023: D1, D2, D3 (A) and D4 (B). D5 is 31/12/2022, D6 is 01/01/2024.
    assert metrics.donations(tree.district, *Y2023) == {
        "donors": 4,
        "area_m2": Decimal("2190.00"),  # 500 + 400 + 290 + 1.000
        "trees": 700,  # 300 + 250 + 50 + 100
        "trees_by_species": {"quế": 650, "mỡ": 50},
        "labour_days": Decimal("40.0"),  # 20 + 15 + 0 + 5
        "cash_vnd": 1_000_000,
        "value_vnd": 83_000_000,  # 30 + 25 + 8 + 20
    }
    commune_a = metrics.donations(tree.commune_a, *Y2023)
    commune_b = metrics.donations(tree.commune_b, *Y2023)
    assert (commune_a["donors"], commune_a["area_m2"], commune_a["trees"]) == (3, Decimal("1190.00"), 600)
    assert (commune_b["donors"], commune_b["area_m2"], commune_b["trees"]) == (1, Decimal("1000.00"), 100)
    assert commune_a["value_vnd"] + commune_b["value_vnd"] == 83_000_000


def test_donation_period_edges_are_inclusive(tree, data):
    assert metrics.donations(tree.district, date(2023, 1, 1), date(2023, 1, 1))["donors"] == 1  # D1
    assert metrics.donations(tree.district, date(2023, 12, 31), date(2023, 12, 31))["donors"] == 1  # D3
    assert metrics.donations(tree.district, date(2022, 12, 31), date(2024, 1, 1))["donors"] == 6


def test_a_donation_tied_to_a_road_of_a_program_counts_once(tree, data):
    p1 = data["programs"][0]
    d1, d2, d3 = data["donations"][:3]
    donations = metrics.program_donations(p1)
    # D1 is P1's directly and through R1; D2 through R1 only; D3 directly only.
    assert sorted(donation.pk for donation in donations) == sorted([d1.pk, d2.pk, d3.pk])
    assert donations.count() == 3
    totals = metrics.program_donation_totals(p1)
    # Walking "P1's donations" + "R1's donations" would give 500 + 290 + 500 + 400 = 1.690 m².
    assert (totals["donors"], totals["area_m2"], totals["trees"]) == (3, Decimal("1190.00"), 600)
    assert totals["value_vnd"] == 63_000_000
    # And the commune's roll-up agrees: the same three donations, once each.
    assert metrics.donations(tree.commune_a, *Y2023)["area_m2"] == totals["area_m2"]


def test_a_program_without_roads_or_donations_has_none(tree, data):
    p3 = data["programs"][2]
    assert metrics.program_donations(p3).count() == 0
    assert metrics.program_donation_totals(p3)["area_m2"] == Decimal("0.00")


def test_donations_by_purpose_year_commune_and_village(tree, data):
    assert metrics.donations_by(tree.district, *Y2023, "purpose") == {
        "common_area": {"donors": 1, "area_m2": Decimal("290.00"), "trees": 0, "value_vnd": 8_000_000},
        "road": {"donors": 3, "area_m2": Decimal("1900.00"), "trees": 700, "value_vnd": 75_000_000},
    }
    by_year = metrics.donations_by(tree.district, date(2022, 1, 1), date(2024, 12, 31), "year")
    assert {year: row["donors"] for year, row in by_year.items()} == {2022: 1, 2023: 4, 2024: 1}
    assert by_year[2024]["trees"] == 10  # D6's bamboo
    by_unit = metrics.donations_by(tree.district, *Y2023, "unit")
    assert {unit: row["area_m2"] for unit, row in by_unit.items()} == {
        tree.commune_a.pk: Decimal("1190.00"),
        tree.commune_b.pk: Decimal("1000.00"),
    }
    by_village = metrics.donations_by(tree.district, *Y2023, "village")
    assert {village: row["donors"] for village, row in by_village.items()} == {
        tree.village_a.pk: 1,  # D2
        tree.village_b.pk: 1,  # D4
        None: 2,  # D1, D3
    }
    assert list(by_village)[-1] is None


def test_donations_by_refuses_an_unknown_dimension(tree):
    with pytest.raises(ValueError, match="dimension"):
        metrics.donations_by(tree.district, *Y2023, "road")


# --- Site clearance -----------------------------------------------------------------------------


def test_clearance_as_of_the_end_of_each_year(tree, data):
    # End of 2022: G1 only (G2 started 2023), paid 100.000 + 100.000 M of 250.000 M = 80,0 %.
    assert metrics.clearance(tree.district, *Y2022) == {
        "projects": 1,
        "key_projects": 1,
        "households": 290,
        "area_ha": Decimal("263.26"),
        "budget_vnd": 250_000_000_000,
        "disbursed_vnd": 200_000_000_000,
        "disbursed_in_period_vnd": 200_000_000_000,
        "percent": Decimal("80.0"),
    }
    # End of 2023: G1 fully paid (+ 50.000 M), G2 paid 1.500 of 2.000 M; G3 starts in 2024.
    # (250.000 + 1.500) / (250.000 + 2.000) = 99,80… % → 99,8.
    assert metrics.clearance(tree.district, *Y2023) == {
        "projects": 2,
        "key_projects": 1,
        "households": 300,
        "area_ha": Decimal("264.76"),
        "budget_vnd": 252_000_000_000,
        "disbursed_vnd": 251_500_000_000,
        "disbursed_in_period_vnd": 51_500_000_000,
        "percent": Decimal("99.8"),
    }


def test_the_airport_project_reaches_100_percent_in_2023(tree, data):
    rows = metrics.clearance_projects(tree.district, *Y2023)
    airport = next(row for row in rows if row["name"] == "Cảng hàng không Sa Pa")
    assert (airport["households"], airport["area_ha"], airport["disbursed_vnd"]) == (
        290,
        Decimal("263.26"),
        250_000_000_000,
    )
    assert airport["percent"] == Decimal("100.0")
    assert rows[0]["name"] == "Cảng hàng không Sa Pa"  # started first


def test_clearance_payment_dates_are_inclusive(tree, data):
    before = metrics.clearance(tree.district, date(2022, 1, 1), date(2022, 6, 14))
    on_the_day = metrics.clearance(tree.district, date(2022, 1, 1), date(2022, 6, 15))
    assert (before["disbursed_vnd"], before["percent"]) == (0, Decimal("0.0"))
    assert (on_the_day["disbursed_vnd"], on_the_day["percent"]) == (100_000_000_000, Decimal("40.0"))


def test_clearance_counts_projects_by_their_responsible_unit(tree, data):
    # G1 and G3 are the district's; only G2 is commune B's; commune A runs none.
    commune_b = metrics.clearance(tree.commune_b, *Y2023)
    assert (commune_b["projects"], commune_b["percent"]) == (1, Decimal("75.0"))
    commune_a = metrics.clearance(tree.commune_a, *Y2023)
    assert (commune_a["projects"], commune_a["budget_vnd"], commune_a["percent"]) == (0, 0, None)


def test_clearance_percent_follows_the_clock_of_the_period_not_today(tree, data, time_machine):
    # Recomputed later, a past period keeps its own end: 2022 is still 80 % in 2026.
    time_machine.move_to(datetime(2026, 11, 28, 9, 0, tzinfo=TZ), tick=False)
    assert metrics.clearance(tree.district, *Y2022)["percent"] == Decimal("80.0")
    assert metrics.clearance(tree.district, date(2024, 1, 1), date(2024, 12, 31))["percent"] == Decimal("99.6")
    # 2024: G1 250.000 + G2 1.500 + G3 0 of 252.500 M = 99,60…; nothing paid within 2024.
    assert metrics.clearance(tree.district, date(2024, 1, 1), date(2024, 12, 31))["disbursed_in_period_vnd"] == 0


# --- Scope --------------------------------------------------------------------------------------


def test_the_district_equals_its_two_communes(tree, data):
    for figure in (metrics.value_mobilized, metrics.person_times, metrics.donations, metrics.roads):
        assert figure(tree.district, *Y2023) == figure([tree.commune_a, tree.commune_b], *Y2023)


def test_a_unit_inside_another_given_unit_adds_nothing(tree, data):
    once = metrics.donations([tree.commune_a], *Y2023)
    assert metrics.donations([tree.commune_a, tree.village_a, tree.commune_a], *Y2023) == once


def test_no_units_count_nothing(tree, data):
    assert metrics.programs_count([], *Y2023) == 0
    assert metrics.donations([], *Y2023)["donors"] == 0
    assert metrics.clearance([], *Y2023)["projects"] == 0


def test_a_village_counts_only_what_happened_in_it(tree, data):
    # Only D2 names village a; D1 and D3 belong to commune A without a village.
    assert metrics.donations(tree.village_a, *Y2023)["donors"] == 0  # owned by the commune
    assert metrics.programs_count(tree.village_a, *Y2023) == 0  # P2 is hosted by A, village a


# --- Query counts -------------------------------------------------------------------------------

FIGURES = [
    (metrics.programs_count, 1),
    (metrics.programs_by_level, 1),
    (metrics.programs_by_status, 1),
    (metrics.value_mobilized, 1),
    (metrics.labour_days, 1),
    (metrics.person_times, 1),
    (metrics.work_items, 1),
    (metrics.roads, 1),
    (metrics.donations, 2),
    (metrics.clearance_projects, 1),
    (metrics.clearance, 1),
]


@pytest.mark.parametrize(("figure", "queries"), FIGURES, ids=[figure.__name__ for figure, _n in FIGURES])
def test_each_figure_runs_a_constant_number_of_queries(tree, data, figure, queries, django_assert_num_queries):
    with django_assert_num_queries(queries):
        figure([tree.district], *Y2023)
    # Ten more programs, donations and payments change nothing.
    p1 = data["programs"][0]
    for n in range(10):
        ProgramFactory(
            unit=tree.commune_b,
            date=date(2023, 7, 1 + n),
            work_items=[work_item()],
            contributions=[contribution()],
            participation=[participation()],
        )
        DonationFactory(unit=tree.commune_a, program=p1, trees={"quế": n + 1})
        DisbursementFactory(project=data["clearance"][1], paid_on=date(2023, 6, 1 + n), amount_vnd=1_000_000)
    with django_assert_num_queries(queries):
        figure([tree.district], *Y2023)


def test_a_queryset_of_units_costs_one_more_query(tree, data, django_assert_num_queries):
    from organization.models import Unit

    with django_assert_num_queries(2):
        result = metrics.value_mobilized(Unit.objects.filter(pk__in=[tree.commune_a.pk]), *Y2023)
    assert result["value_vnd"] == 102_000_000


def test_donations_by_and_program_totals_run_two_queries(tree, data, django_assert_num_queries):
    with django_assert_num_queries(2):
        metrics.donations_by(tree.district, *Y2023, "purpose")
    with django_assert_num_queries(2):
        metrics.program_donation_totals(data["programs"][0])
