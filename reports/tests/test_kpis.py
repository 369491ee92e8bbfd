"""The KPI set (``reports.kpis``) against a small dataset counted by hand.

Every KPI must equal the owning app's metric (one definition per figure) and the figure counted
by hand below; a district's value of an additive KPI is the sum of its communes'.

Dataset (``tree`` units; the period is the first quarter of 2024):

    commune A                                        commune B
    ─────────                                        ─────────
    program 10/02/2024 held: 5 + 2 million đồng,     program 01/03/2024 held: 1 million đồng,
      30 residents + 12 youth                          10 residents
    program 20/12/2023 held (before the quarter)     a planned program 05/03/2024 (not held)
    dialogue 20/01/2024 with petitions p1 and p2     dialogue 02/02/2024 (no petitions)
      p1 assigned (deadline 20/02), answered 15/02,  petition p3 received 05/03/2024, not assigned
        resolved 20/02/2024
      p2 assigned (deadline 01/03), never answered
    land donated 15/03/2024: 120 m²                  land donated 10/01/2024: 80,5 m²
    clearance: budget 1 billion, 250 million paid    clearance: budget 1 billion, 750 million
      on 01/02/2024 (25 %)                             paid on 01/06/2023 (75 %)
    village a scored 80 / 100 in the January round   village b scored 60 / 100 (verified, closed)

Expected for the quarter: programs A 1, B 1; value A 7,000,000, B 1,000,000; person-times A 42,
B 10; dialogues A 1, B 1; received A 2, B 1; resolved A 1; overdue A 1 (p2 at 31/03); on time
A 50 % (p1 on time, p2 late), B none due; land A 120, B 80.50; clearance A 25 %, B 75 %,
district 50 %; units scored A 1, B 1; average score A 80 %, B 60 %, district 70 %.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from campaigns import metrics as campaign_metrics
from campaigns import services as campaign_services
from campaigns.models import Scorecard, TargetType
from campaigns.tests.factories import movement_with_criteria, open_round
from dialogues import metrics as dialogue_metrics
from dialogues.tests.factories import DialogueFactory, PetitionFactory, petition_input, take
from dialogues.workflow import Action
from programs import metrics as program_metrics
from programs.models import ParticipantCategory, ProgramStatus
from programs.tests.factories import (
    ClearanceProjectFactory,
    DisbursementFactory,
    DonationFactory,
    ProgramFactory,
    contribution,
    participation,
)
from reports import kpis, sections

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
START, END = date(2024, 1, 1), date(2024, 3, 31)

ADDITIVE = (
    "programs",
    "value_mobilized_vnd",
    "person_times",
    "dialogues",
    "petitions_received",
    "petitions_resolved",
    "petitions_overdue",
    "land_donated_m2",
    "movement_units_scored",
)


def at(year: int, month: int, day: int):
    return time_machine.travel(datetime(year, month, day, 9, 0, tzinfo=TZ), tick=False)


@pytest.fixture
def dataset(tree, district_staff, commune_a_officer, commune_b_officer):
    a, b = tree.commune_a, tree.commune_b
    ProgramFactory(
        unit=a,
        date=date(2024, 2, 10),
        contributions=[contribution(value_vnd=5_000_000), contribution(value_vnd=2_000_000)],
        participation=[participation(person_times=30), participation(ParticipantCategory.YOUTH, 12)],
    )
    ProgramFactory(unit=a, date=date(2023, 12, 20), contributions=[contribution(value_vnd=9_000_000)])
    ProgramFactory(
        unit=b, date=date(2024, 3, 1), contributions=[contribution()], participation=[participation(person_times=10)]
    )
    ProgramFactory(unit=b, date=date(2024, 3, 5), status=ProgramStatus.PLANNED)

    with at(2024, 1, 20):
        dialogue = DialogueFactory(unit=a, date=date(2024, 1, 20), petitions=[petition_input(), petition_input()])
    p1, p2 = dialogue.petitions.order_by("pk")
    with at(2024, 1, 25):
        p1 = take(p1, Action.ASSIGN, agency=tree.agency, deadline=date(2024, 2, 20))
        p2 = take(p2, Action.ASSIGN, agency=tree.agency, deadline=date(2024, 3, 1))
    with at(2024, 2, 15):
        p1 = take(p1, Action.START)
        p1 = take(p1, Action.ANSWER, answered_on=date(2024, 2, 15))
    with at(2024, 2, 20):
        take(p1, Action.RESOLVE)
    with at(2024, 2, 2):
        DialogueFactory(unit=b, date=date(2024, 2, 2))
    with at(2024, 3, 5):
        PetitionFactory(unit=b, received_on=date(2024, 3, 5))

    DonationFactory(unit=a, donated_on=date(2024, 3, 15), area_m2=Decimal(120))
    DonationFactory(unit=b, donated_on=date(2024, 1, 10), area_m2=Decimal("80.5"))
    DisbursementFactory(
        project=ClearanceProjectFactory(unit=a, budget_vnd=1_000_000_000, started_on=date(2023, 1, 1)),
        paid_on=date(2024, 2, 1),
        amount_vnd=250_000_000,
    )
    DisbursementFactory(
        project=ClearanceProjectFactory(unit=b, budget_vnd=1_000_000_000, started_on=date(2023, 1, 1)),
        paid_on=date(2023, 6, 1),
        amount_vnd=750_000_000,
    )

    movement = movement_with_criteria(
        district_staff, tree.district, launched_by=tree.party_committee, types=(TargetType.VILLAGE,), year=2024
    )
    january = open_round(district_staff, movement, date(2024, 1, 1))
    criteria = list(movement.criteria_sets.get(year=2024).criteria.order_by("pk"))
    for officer, village, points in ((commune_a_officer, tree.village_a, 80), (commune_b_officer, tree.village_b, 60)):
        campaign_services.grid_save(
            user=officer, round_=january, rows={village.pk: _split(criteria, points)}, submit=True
        )
    for card in Scorecard.objects.filter(round=january):
        campaign_services.scorecard_verify(user=district_staff, scorecard=card)
    campaign_services.round_close(user=district_staff, round_=january)
    return tree


def _split(criteria, total: int) -> dict[int, str]:
    """Scores per criterion adding up to ``total``: full marks from the first criterion on."""
    scores, left = {}, Decimal(total)
    for criterion in criteria:
        given = min(left, criterion.max_points)
        scores[criterion.pk] = str(given)
        left -= given
    return scores


def owning_metric(key: str, units, start: date, end: date):
    """What the owning app's metrics.py answers for the KPI ``key`` (JSON-ready)."""
    value = {
        "programs": lambda: program_metrics.programs_count(units, start, end),
        "value_mobilized_vnd": lambda: program_metrics.value_mobilized(units, start, end)["value_vnd"],
        "person_times": lambda: program_metrics.person_times(units, start, end)["total"],
        "dialogues": lambda: dialogue_metrics.dialogues_count(units, start, end),
        "petitions_received": lambda: dialogue_metrics.petitions_received(units, start, end),
        "petitions_resolved": lambda: dialogue_metrics.petitions_resolved(units, start, end),
        "petitions_overdue": lambda: dialogue_metrics.petitions_overdue(units, on=end),
        "on_time_rate": lambda: dialogue_metrics.on_time_rate(units, start, end)["rate"],
        "land_donated_m2": lambda: program_metrics.donations(units, start, end)["area_m2"],
        "clearance_percent": lambda: program_metrics.clearance(units, start, end)["percent"],
        "movement_units_scored": lambda: sum(
            row["scored"] for row in campaign_metrics.round_coverage(units, start, end)
        ),
        "movement_average_score": lambda: campaign_metrics.scores(units, start, end)["average_percent"],
    }[key]()
    return kpis.as_json(value)


BY_HAND = {
    "commune_a": {
        "programs": 1,
        "value_mobilized_vnd": 7_000_000,
        "person_times": 42,
        "dialogues": 1,
        "petitions_received": 2,
        "petitions_resolved": 1,
        "petitions_overdue": 1,
        "on_time_rate": "50.0",
        "land_donated_m2": "120.00",
        "clearance_percent": "25.0",
        "movement_units_scored": 1,
        "movement_average_score": "80.0",
    },
    "commune_b": {
        "programs": 1,
        "value_mobilized_vnd": 1_000_000,
        "person_times": 10,
        "dialogues": 1,
        "petitions_received": 1,
        "petitions_resolved": 0,
        "petitions_overdue": 0,
        "on_time_rate": None,
        "land_donated_m2": "80.50",
        "clearance_percent": "75.0",
        "movement_units_scored": 1,
        "movement_average_score": "60.0",
    },
    "district": {
        "programs": 2,
        "value_mobilized_vnd": 8_000_000,
        "person_times": 52,
        "dialogues": 2,
        "petitions_received": 3,
        "petitions_resolved": 1,
        "petitions_overdue": 1,
        "on_time_rate": "50.0",
        "land_donated_m2": "200.50",
        "clearance_percent": "50.0",
        "movement_units_scored": 2,
        "movement_average_score": "70.0",
    },
}


def test_the_kpi_set_is_the_documented_one():
    assert [kpi.key for kpi in kpis.KPIS] == list(BY_HAND["district"])
    assert set(kpis.BY_KEY) == set(BY_HAND["district"])
    assert {kpi.key for kpi in kpis.KPIS if kpi.nature == "stock"} == {"petitions_overdue", "clearance_percent"}


@pytest.mark.parametrize("where", ["commune_a", "commune_b", "district"])
def test_each_kpi_equals_the_owning_apps_metric_and_the_count_by_hand(dataset, where):
    unit = getattr(dataset, where)

    figures = kpis.compute(unit, START, END)

    assert figures == BY_HAND[where]
    for key, value in figures.items():
        assert value == owning_metric(key, unit, START, END), key


def test_a_districts_additive_kpis_are_the_sums_of_its_communes(dataset):
    district = kpis.compute(dataset.district, START, END)
    communes = [kpis.compute(commune, START, END) for commune in (dataset.commune_a, dataset.commune_b)]

    for key in ADDITIVE:
        assert Decimal(str(district[key])) == sum(Decimal(str(row[key])) for row in communes), key
    # The non-additive ones are not sums (a rate of rates would be wrong): 50 % is not 25 + 75.
    assert district["clearance_percent"] == "50.0"
    assert district["movement_average_score"] == "70.0"


def test_a_list_of_units_counts_each_record_once(dataset):
    both = kpis.compute([dataset.commune_a, dataset.commune_b], START, END)
    # The district inside the list adds nothing twice.
    nested = kpis.compute([dataset.district, dataset.commune_a], START, END)

    assert both == BY_HAND["district"]
    assert nested == BY_HAND["district"]


def test_a_period_without_records_gives_zeros_and_no_rates(dataset):
    figures = kpis.compute(dataset.district, date(2022, 1, 1), date(2022, 3, 31))

    assert figures["programs"] == figures["dialogues"] == figures["petitions_received"] == 0
    assert figures["value_mobilized_vnd"] == figures["person_times"] == figures["movement_units_scored"] == 0
    assert figures["on_time_rate"] is None
    assert figures["movement_average_score"] is None
    assert figures["clearance_percent"] is None  # no project had started by then


def test_overdue_is_the_state_at_the_periods_end_never_in_the_future(dataset, time_machine):
    # p2's deadline is 01/03/2024: on 29/02 it is not overdue yet, on 31/03 it is.
    assert kpis.compute(dataset.commune_a, date(2024, 2, 1), date(2024, 2, 29))["petitions_overdue"] == 0
    assert kpis.compute(dataset.commune_a, START, END)["petitions_overdue"] == 1
    # A period ending after today counts what is overdue today.
    time_machine.move_to(datetime(2024, 2, 10, 9, 0, tzinfo=TZ), tick=False)
    assert kpis.compute(dataset.commune_a, date(2024, 1, 1), date(2024, 12, 31))["petitions_overdue"] == 0


def test_the_report_sections_carry_the_same_kpis_and_the_same_detail(dataset):
    from reports.periods import Period

    figures = sections.build([dataset.district], Period("quarter", START, END))

    assert figures["kpis"] == BY_HAND["district"]
    assert [row["kpis"] for row in figures["communes"]] in (
        [BY_HAND["commune_a"], BY_HAND["commune_b"]],
        [BY_HAND["commune_b"], BY_HAND["commune_a"]],
    )
    # The detailed sections agree with the headline figures they break down.
    assert figures["petitions"]["received"] == figures["kpis"]["petitions_received"]
    assert figures["petitions"]["resolved"] == figures["kpis"]["petitions_resolved"]
    assert figures["petitions"]["overdue"] == figures["kpis"]["petitions_overdue"]
    assert figures["petitions"]["on_time"]["rate"] == figures["kpis"]["on_time_rate"]
    assert figures["programs"]["count"] == figures["kpis"]["programs"]
    assert figures["programs"]["value"]["value_vnd"] == figures["kpis"]["value_mobilized_vnd"]
    assert figures["programs"]["clearance"]["percent"] == figures["kpis"]["clearance_percent"]
    assert figures["campaigns"]["scores"]["average_percent"] == figures["kpis"]["movement_average_score"]
    assert sum(month["dialogues"] for month in figures["trend"]) == 2
    assert figures["previous"]["kpis"]["programs"] == 1  # the program of 20/12/2023
    assert figures["last_year"]["kpis"]["programs"] == 0


def test_a_report_of_a_period_not_over_yet_counts_overdue_as_of_today_like_the_dashboard(dataset, time_machine):
    from reports.periods import Period

    # On 10/02/2024 p2 (deadline 01/03) is not overdue yet, though it will be by the year's end:
    # a report compiled today says what is overdue today, as the dashboard does.
    time_machine.move_to(datetime(2024, 2, 10, 9, 0, tzinfo=TZ), tick=False)
    figures = sections.build([dataset.commune_a], Period("year", date(2024, 1, 1), date(2024, 12, 31)))

    assert figures["kpis"]["petitions_overdue"] == 0
    assert figures["petitions"]["overdue"] == figures["kpis"]["petitions_overdue"]
    assert [row["overdue"] for row in figures["petitions"]["by_agency"]] == [0]
