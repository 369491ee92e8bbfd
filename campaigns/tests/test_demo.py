"""The campaigns demo step: idempotent, written by the right accounts, and the figures it
produces through ``campaigns.metrics`` are the ones counted by hand from ``campaigns.demo``.

Hand counts. Every criteria set totals 100 points (weights 1), so a total is a percent. A unit's
verified score in month m (July = 7 … December = 12) is base + gain × (m − 7):

  villages  Vĩnh Yên: Tổng Kim 68+2 · Nặm Mèng 71+4 · Bản Vành 60+1 · Bản Bông 55+1 ·
                      Khuổi Phường 45+1
            Nghĩa Đô: Nà Pồng 80+1 · Nà Đình 80+0 · Nà Luông 62+1 · Khuổi Phéc 50+2
            Phố Ràng: TDP 1 85+1 · TDP 2 82+0 · TDP 3 75+1 · TDP 4 65+1
  offices   Vĩnh Yên 75+1 · Nghĩa Đô 80+1 · Phố Ràng 88+0
  schools   Vĩnh Yên TH&THCS 72+2 · Vĩnh Yên Mầm non 85+1 · Nghĩa Đô THCS 78+1 · Phố Ràng THPT 90+0

Over the six months a unit scores 6 × base + 15 × gain in all (0+1+…+5 = 15):
  villages 6 × 878 + 15 × 16 = 5.508 over 78 cards → 70,6 %; offices 6 × 243 + 15 × 2 = 1.488
  over 18 → 82,7 %; schools 6 × 325 + 15 × 4 = 2.010 over 24 → 83,75 → 83,8 %; all 9.006 / 120
  = 75,05 → 75,1 %.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management.base import OutputWrapper
from django.db.models import F

from campaigns import demo, metrics
from campaigns.demo import seed_campaigns
from campaigns.models import (
    Award,
    AwardForm,
    CommitmentStatus,
    CriteriaSet,
    DvkEvent,
    DvkModel,
    EmulationPledge,
    HouseholdCommitment,
    Movement,
    RoundEvent,
    RoundStatus,
    Scorecard,
    ScorecardStatus,
    ScoreEntry,
    ScoringRound,
    TargetType,
)
from campaigns.workflow import DvkStatus
from organization.management.commands.seed_demo import Seed, app_steps
from organization.models import Unit, User

pytestmark = pytest.mark.django_db

H2_2024 = (date(2024, 7, 1), date(2024, 12, 31))
Y2024 = (date(2024, 1, 1), date(2024, 12, 31))
VIL, OFF, SCH = TargetType.VILLAGE, TargetType.OFFICE, TargetType.SCHOOL


@pytest.fixture
def district(demo_data, db) -> Unit:
    """The whole demo (seed_demo, which runs this app's step), seeded once for the module."""
    return Unit.objects.get(key="bao-yen")


def unit(key: str) -> Unit:
    return Unit.objects.get(key=f"bao-yen/{key}")


def run_step() -> str:
    out = StringIO()
    seed_campaigns(Seed(stdout=OutputWrapper(out)))
    return out.getvalue()


def counts() -> list[int]:
    models = (
        Movement, CriteriaSet, ScoringRound, RoundEvent, Scorecard, ScoreEntry, Award, DvkModel, DvkEvent,
        HouseholdCommitment, EmulationPledge,
    )  # fmt: skip
    return [model.objects.count() for model in models] + [
        Scorecard.history.count(),
        DvkModel.history.count(),
        HouseholdCommitment.history.count(),
    ]


def test_seed_demo_runs_the_campaigns_step():
    assert seed_campaigns in app_steps()


def test_running_the_step_again_creates_nothing_new(district):
    before = counts()
    assert before[4] == 120 and before[9] == 30  # there is something to duplicate
    assert "nothing to do" in run_step()
    assert "nothing to do" in run_step()
    assert counts() == before


# --- The movement and its criteria --------------------------------------------------------------


def test_the_movement_is_launched_by_the_huyen_uy_for_three_kinds_of_units(district):
    movement = Movement.objects.get(name="10 phút góp phần cải thiện môi trường")
    assert movement.unit == district
    assert movement.launched_by.key == "bao-yen/huyen-uy"
    assert movement.is_dvk
    assert movement.target_types == [VIL, OFF, SCH]
    assert movement.created_by.username == "demo_district"
    assert "minh họa" in movement.description


def test_criteria_sets_for_2024_and_2025_each_add_up_to_100(district):
    sets = {(s.target_type, s.year): s for s in CriteriaSet.objects.all()}
    assert set(sets) == {(t, y) for t in (VIL, OFF, SCH) for y in (2024, 2025)}
    for criteria_set in sets.values():
        assert criteria_set.problems() == []
        assert criteria_set.total_points == criteria_set.weighted_max() == 100
    assert sets[(VIL, 2024)].is_frozen and not sets[(VIL, 2025)].is_frozen
    codes = {key: list(s.criteria.values_list("code", flat=True)) for key, s in sets.items()}
    assert codes[(VIL, 2024)] == ["TB1", "TB2", "TB3", "TB4", "TB5"]
    assert codes[(VIL, 2025)] == ["TB1", "TB2", "TB3", "TB4", "TB5", "TB6"]  # revised for 2025
    assert codes[(OFF, 2025)] == codes[(OFF, 2024)] == ["CS1", "CS2", "CS3", "CS4"]
    texts = " ".join(sets[(VIL, 2024)].criteria.values_list("text", flat=True)).lower()
    for activity in ("chuồng trại", "nhà cửa", "hoa", "rác thải", "dọn dẹp"):
        assert activity in texts
    assert "hằng ngày" in sets[(OFF, 2024)].criteria.get(code="CS1").text


# --- Rounds, coverage and scores ----------------------------------------------------------------


def test_six_closed_rounds_with_every_unit_of_three_communes_verified(district):
    rounds = ScoringRound.objects.order_by("month")
    assert [r.month for r in rounds] == [date(2024, m, 1) for m in range(7, 13)]
    assert {r.status for r in rounds} == {RoundStatus.CLOSED}
    assert set(Scorecard.objects.values_list("status", flat=True)) == {ScorecardStatus.VERIFIED}
    for row in metrics.round_coverage(district, *Y2024):
        # 13 villages, 4 schools, and 3 of the 13 offices (the district's 10 bodies are not scored).
        assert (row["eligible"], row["scored"], row["percent"]) == (30, 20, Decimal("66.7"))
        assert row["by_type"][VIL] == {"eligible": 13, "scored": 13, "percent": Decimal("100.0")}
        assert row["by_type"][OFF] == {"eligible": 13, "scored": 3, "percent": Decimal("23.1")}
        assert row["by_type"][SCH] == {"eligible": 4, "scored": 4, "percent": Decimal("100.0")}
    for key, n in (("vinh-yen", 8), ("nghia-do", 6), ("pho-rang", 6)):
        rows = metrics.round_coverage(unit(key), *Y2024)
        assert [(r["eligible"], r["scored"]) for r in rows] == [(n, n)] * 6


def test_average_scores_of_the_second_half_of_2024(district):
    result = metrics.scores(district, *H2_2024)
    assert result["cards"] == 120
    assert result["average_percent"] == Decimal("75.1")
    assert {t: (r["cards"], r["average_percent"]) for t, r in result["by_type"].items()} == {
        VIL: (78, Decimal("70.6")),
        OFF: (18, Decimal("82.7")),
        SCH: (24, Decimal("83.8")),
    }
    assert result["by_type"][VIL]["average_total"] == Decimal("70.62")  # 5.508 / 78


def test_vinh_yen_score_bands(district):
    # Tổng Kim 68–78: six 65–80 · Nặm Mèng 71, 75, 79 | 83, 87, 91 · Bản Vành 60–64 | 65 ·
    # Bản Bông 55–60 · Khuổi Phường 45–49 | 50 · office 75–79 | 80 · TH&THCS 72–78 | 80, 82 ·
    # Mầm non 85–90.
    vinh_yen = unit("vinh-yen")
    result = metrics.scores(vinh_yen, *H2_2024)
    assert result["bands"] == {"below_50": 5, "50_to_65": 12, "65_to_80": 19, "80_plus": 12}
    district_bands = metrics.scores(district, *H2_2024)["by_commune"][vinh_yen.pk]["bands"]
    assert district_bands == result["bands"]


def test_july_ranking_shares_third_place_and_selects_both(district):
    july = ScoringRound.objects.get(month=date(2024, 7, 1))
    villages = [r for r in metrics.round_ranking(district, july) if r["target_type"] == VIL]
    top = {r["unit"]: (r["total"], r["rank_in_type"], r["selected"]) for r in villages[:5]}
    # Tied units are listed by name, in the database's collation (where "Đ" sorts is not fixed).
    assert top == {
        "Tổ dân phố 1": (Decimal(85), 1, True),
        "Tổ dân phố 2": (Decimal(82), 2, True),
        "Bản Nà Đình": (Decimal(80), 3, True),
        "Bản Nà Pồng": (Decimal(80), 3, True),
        "Tổ dân phố 3": (Decimal(75), 5, False),
    }
    assert [r["rank_in_type"] for r in villages] == [1, 2, 3, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13]
    # Villages 4; offices Nghĩa Đô 80 and Phố Ràng 88 (Vĩnh Yên 75 is under 80 %); schools
    # Phố Ràng 90 and Vĩnh Yên Mầm non 85 (Nghĩa Đô 78 and TH&THCS 72 are under 80 %).
    july_only = metrics.selections(district, date(2024, 7, 1), date(2024, 7, 31))
    assert july_only["selected"] == 8
    assert july_only["by_type"] == {VIL: 4, OFF: 2, SCH: 2, TargetType.RELIGIOUS_GROUP: 0}


def test_september_ranking_is_one_two_two_four(district):
    september = ScoringRound.objects.get(month=date(2024, 9, 1))
    villages = [r for r in metrics.round_ranking(district, september) if r["target_type"] == VIL]
    assert {r["unit"]: (r["rank_in_type"], r["selected"]) for r in villages[:4]} == {
        "Tổ dân phố 1": (1, True),  # 87
        "Bản Nà Pồng": (2, True),  # 82
        "Tổ dân phố 2": (2, True),  # 82
        "Bản Nà Đình": (4, False),  # 80: reaches 80 % but is fourth, so not selected
    }


def test_the_district_corrected_overstated_self_assessments(district):
    card = Scorecard.objects.get(unit__key="bao-yen/vinh-yen/khuoi-phuong", round__month=date(2024, 7, 1))
    assert (card.self_total, card.verified_total) == (Decimal(50), Decimal(45))
    assert card.verification_note
    # Bản Bông, Khuổi Phường, Nà Luông and Vĩnh Yên Mầm non overstated every month.
    assert Scorecard.objects.exclude(verified_total=F("self_total")).count() == 4 * 6


def test_each_commune_scores_its_own_units_and_the_district_verifies(district):
    submitted = dict(
        Scorecard.objects.values_list("commune__key", "submitted_by__username").distinct().order_by("commune__key")
    )
    assert submitted == {
        "bao-yen/nghia-do": "demo_commune2",
        "bao-yen/pho-rang": "demo_admin",
        "bao-yen/vinh-yen": "demo_commune",
    }
    assert set(Scorecard.objects.values_list("verified_by__username", flat=True)) == {"demo_district"}
    officer = User.objects.get(username="demo_commune")
    assert Scorecard.objects.visible_to(officer).count() == 8 * 6


# --- Awards -------------------------------------------------------------------------------------


def test_giay_khen_of_the_huyen_uy_for_the_top_village(district):
    result = metrics.awards(district, *Y2024)
    # September and November: Tổ dân phố 1, dated 10/10 and 10/12/2024; December's is 10/01/2025.
    assert result["total"] == 2
    assert result["by_form"][AwardForm.CERTIFICATE] == 2
    assert result["by_issuer_level"]["district"] == 2
    assert metrics.awards(unit("pho-rang"), *Y2024)["total"] == 2
    december = Award.objects.get(date=date(2025, 1, 10))
    assert december.recipient_unit.key == "bao-yen/vinh-yen/tong-kim/nam-meng"  # 91 against 90
    assert metrics.awards(unit("vinh-yen"), date(2025, 1, 1), date(2025, 1, 31))["total"] == 1
    for award in Award.objects.all():
        assert award.issuer.key == "bao-yen/huyen-uy"
        card = award.round.scorecards.get(unit=award.recipient_unit)
        assert card.rank_in_type == 1
        assert "minh họa" in award.reason


# --- Dân vận khéo models ------------------------------------------------------------------------


def test_two_models_registered_in_2022(district):
    result = metrics.dvk_models(district, date(2022, 1, 1), date(2022, 12, 31))
    assert result["registered"] == 2
    assert {k: v for k, v in result["by_field"].items() if v} == {"political_system": 1, "culture_society": 1}
    assert {k: v for k, v in result["by_level"].items() if v} == {"district": 1, "village": 1}
    assert {k: v for k, v in result["by_status"].items() if v} == {"recognized": 1, "in_progress": 1}
    assert metrics.dvk_models(district, date(2023, 1, 1), date(2023, 12, 31))["recognized"] == 1
    assert metrics.dvk_models(unit("vinh-yen"), date(2022, 1, 1), date(2022, 12, 31))["registered"] == 1


def test_chinh_quyen_than_thien_has_the_four_pillars_of_the_article(district):
    model = DvkModel.objects.get(name="Chính quyền thân thiện")
    assert (model.owner_unit, model.level, model.field) == (district, "district", "political_system")
    assert model.status == DvkStatus.RECOGNIZED and model.recognized_on
    pillars = [(p.number, p.title) for p in model.pillars.all()]
    assert pillars == [
        (1, "Hoạt động chính quyền công khai, minh bạch, thân thiện"),
        (2, "Môi trường công sở văn minh, thân thiện, hiện đại"),
        (3, "Cán bộ của chính quyền chuyên nghiệp, thân thiện vì Nhân dân phục vụ"),
        (
            4,
            "Người dân cởi mở, thân thiện và phối hợp với cán bộ của cả hệ thống chính trị trong các hoạt động công vụ",
        ),
    ]
    assert "cơi mở" in model.pillars.get(number=4).description  # the article's typo, noted
    assert all(c.met for c in model.criteria.all())
    assert model.events.count() == 6 and set(model.events.values_list("by__username", flat=True)) == {"demo_district"}


def test_the_hmong_model_at_nam_meng_with_thirty_households(district):
    model = DvkModel.objects.get(name="Khu dân cư đồng bào Mông thực hiện nếp sống văn hóa mới")
    assert model.locality.key == demo.NAM_MENG
    assert (model.owner_unit.key, model.field, model.status) == ("bao-yen/vinh-yen", "culture_society", "in_progress")
    assert model.criteria.count() == 8
    signed = metrics.commitments(district, date(2022, 1, 1), date(2022, 12, 31))
    assert (signed["signed"], signed["broken"], signed["by_model"]) == (30, 0, {model.pk: {"signed": 30, "broken": 0}})
    broken_2023 = metrics.commitments(unit("vinh-yen"), date(2023, 1, 1), date(2023, 12, 31))
    assert (broken_2023["signed"], broken_2023["broken"]) == (0, 1)
    assert broken_2023["broken_items"]["no-child-consanguineous-marriage"] == 1
    assert metrics.commitments(district, *Y2024)["broken_items"]["no-backward-customs"] == 1
    assert metrics.households_per_model(district, date(2024, 12, 31)) == {
        model.pk: {"name": model.name, "households": 30, "broken": 2, "keeping": 28}
    }
    commitments = HouseholdCommitment.objects.filter(model=model)
    assert {c.items.count() for c in commitments} == {5}
    assert commitments.filter(status=CommitmentStatus.BROKEN).count() == 2
    assert set(commitments.values_list("village__key", flat=True)) == {demo.NAM_MENG}
    assert set(commitments.values_list("created_by__username", flat=True)) == {"demo_commune"}


# --- Pledges ------------------------------------------------------------------------------------


def test_parishes_pledge_no_child_marriage_in_2023_and_2024(district):
    assert metrics.pledges(district, date(2023, 1, 1), date(2024, 12, 31)) == {
        2023: {"total": 2, "pledged": 0, "achieved": 2, "not_achieved": 0},
        2024: {"total": 2, "pledged": 1, "achieved": 1, "not_achieved": 0},
    }
    for pledge in EmulationPledge.objects.all():
        assert list(pledge.items.values_list("code", flat=True)) == ["no-child-consanguineous-marriage"]
    assert set(EmulationPledge.objects.values_list("unit__key", flat=True)) == {
        "bao-yen/pho-rang/giao-ho",
        "bao-yen/bao-ha/giao-ho",
    }
