"""The programs demo step: idempotent, written by the right accounts, and its figures match the
article where the article gives them (Nặm Mèng, the Sa Pa airport, five district programs)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management.base import OutputWrapper

from organization.management.commands.seed_demo import Seed, app_steps
from organization.models import Unit, User
from programs import metrics
from programs.demo import NAM_MENG_PROGRAM, seed_programs
from programs.models import (
    Contribution,
    Disbursement,
    DonationPurpose,
    LandDonation,
    OrganizerLevel,
    Participation,
    Program,
    RoadProject,
    SiteClearanceProject,
    WorkItem,
)

YEARS = (date(2021, 1, 1), date(2024, 12, 31))


@pytest.fixture
def demo(demo_data, db) -> Unit:
    """The whole demo (seed_demo, which runs this app's step), seeded once for the module."""
    return Unit.objects.get(key="bao-yen")


@pytest.fixture
def nam_meng_program(demo) -> Program:
    return Program.objects.get(unit__key="bao-yen/vinh-yen", title=NAM_MENG_PROGRAM.title)


def run_step() -> str:
    out = StringIO()
    seed_programs(Seed(stdout=OutputWrapper(out)))
    return out.getvalue()


def counts() -> list[int]:
    models = (Program, WorkItem, Contribution, Participation, RoadProject, LandDonation, SiteClearanceProject)
    return [model.objects.count() for model in (*models, Disbursement)] + [
        Program.history.count(),
        LandDonation.history.count(),
        Disbursement.history.count(),
    ]


def test_seed_demo_runs_the_programs_step():
    assert seed_programs in app_steps()


def test_running_the_step_again_creates_nothing_new(demo):
    before = counts()
    assert before[0] >= 20 and before[5] >= 20  # there is something to duplicate
    assert "nothing to do" in run_step()
    assert "nothing to do" in run_step()
    assert counts() == before


def test_nam_meng_donors_gave_over_1200_m2_and_over_1000_cinnamon_trees(demo, nam_meng_program):
    totals = metrics.program_donation_totals(nam_meng_program)
    common_area = LandDonation.objects.get(program=nam_meng_program, purpose=DonationPurpose.COMMON_AREA)
    for_the_road = totals["area_m2"] - common_area.area_m2
    assert for_the_road > 1200  # "trên 1.200 m² đất"
    assert totals["trees_by_species"]["quế"] > 1000  # "hơn 1.000 cây quế"
    assert 100 <= totals["labour_days"] < 1000  # "hàng trăm ngày công"
    assert 280 <= common_area.area_m2 < 300  # "gần 300 m²"
    # The same donors, counted by the commune's village roll-up, once each.
    nam_meng = Unit.objects.get(key="bao-yen/vinh-yen/tong-kim/nam-meng")
    by_village = metrics.donations_by(Unit.objects.get(key="bao-yen/vinh-yen"), *YEARS, "village")
    assert by_village[nam_meng.pk]["area_m2"] == totals["area_m2"]
    assert by_village[nam_meng.pk]["trees"] == totals["trees"] > 1000


def test_nam_meng_roads_are_over_750_and_over_600_metres(demo, nam_meng_program):
    lengths = sorted(nam_meng_program.roads.values_list("length_m", flat=True))
    assert len(lengths) == 2
    assert lengths[0] > 600 and lengths[1] > 750
    assert all(road.village.key.endswith("nam-meng") for road in nam_meng_program.roads.all())


def test_the_sa_pa_airport_clearance_is_100_percent_of_plan(demo):
    project = SiteClearanceProject.objects.get(name__contains="Cảng hàng không Sa Pa")
    row = next(row for row in metrics.clearance_projects(demo, *YEARS) if row["id"] == project.pk)
    assert row["households"] == 290
    assert row["area_ha"] == Decimal("263.26")
    assert row["disbursed_vnd"] == row["budget_vnd"] == 250_000_000_000
    assert row["percent"] == Decimal("100.0")
    assert project.is_key_project and project.unit == demo
    assert all(commune.is_descendant_of(demo) for commune in project.communes.all())
    assert project.communes.exists()
    assert sum(project.disbursements.values_list("households_paid", flat=True)) == 290
    years = {payment.paid_on.year for payment in project.disbursements.all()}
    assert years <= {2022, 2023, 2024}
    assert all("minh họa" in payment.note for payment in project.disbursements.all())


def test_five_programs_were_organized_by_the_district(demo):
    assert metrics.programs_by_level(demo, *YEARS)["district"] == 5
    assert metrics.programs_by_level(demo, *YEARS)["commune"] >= 10
    district_programs = Program.objects.filter(organizer_level=OrganizerLevel.DISTRICT)
    assert set(district_programs.values_list("created_by__username", flat=True)) == {"demo_district"}


def test_programs_span_2021_to_2024_in_several_communes(demo):
    assert set(Program.objects.values_list("date__year", flat=True)) == {2021, 2022, 2023, 2024}
    assert Program.objects.values("unit").distinct().count() >= 8


def test_each_commune_records_its_own_programs_and_donations(demo):
    for model in (Program, LandDonation, RoadProject):
        vinh_yen = model.objects.filter(unit__key="bao-yen/vinh-yen")
        nghia_do = model.objects.filter(unit__key="bao-yen/nghia-do")
        if model is Program:
            vinh_yen = vinh_yen.filter(organizer_level=OrganizerLevel.COMMUNE)
            nghia_do = nghia_do.filter(organizer_level=OrganizerLevel.COMMUNE)
        assert set(vinh_yen.values_list("created_by__username", flat=True)) == {"demo_commune"}
        assert set(nghia_do.values_list("created_by__username", flat=True)) == {"demo_commune2"}
    officer = User.objects.get(username="demo_commune")
    assert Program.objects.visible_to(officer).filter(title=NAM_MENG_PROGRAM.title).exists()
    assert not Program.objects.visible_to(officer).filter(unit__key="bao-yen/nghia-do").exists()


def test_demo_value_mobilized_is_hedged_as_over(demo):
    value = metrics.value_mobilized(demo, *YEARS)
    assert value["value_vnd"] > 1_000_000_000
    assert (value["qualified"], value["qualifier"]) == (True, "over")
    assert metrics.person_times(demo, *YEARS)["total"] > 3000


def test_demo_records_say_they_are_illustrative(demo):
    for program in Program.objects.all():
        assert "minh họa" in program.survey_notes, program.title
    nam_meng = Program.objects.get(title=NAM_MENG_PROGRAM.title)
    assert "lấy từ bài viết" in nam_meng.summary


def test_demo_roads_and_donations_roll_up_without_double_counting(demo):
    roads = metrics.roads(demo, *YEARS)
    assert roads["count"] == RoadProject.objects.count()
    donations = metrics.donations(demo, *YEARS)
    assert donations["donors"] == LandDonation.objects.count()
    assert donations["area_m2"] == sum(LandDonation.objects.values_list("area_m2", flat=True))
