"""programs.services: all-or-nothing writes, the status workflow, plausibility checks with a
clear message, who may record what, version checks and checked consent files.

Every refusal asserts both the message (what to fix) and that nothing was written."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from organization.tests.factories import UnitFactory
from programs import services
from programs.models import (
    Contribution,
    Disbursement,
    LandDonation,
    OrganizerLevel,
    Participation,
    Program,
    ProgramStatus,
    Qualifier,
    RoadProject,
    SiteClearanceProject,
    WorkItem,
)
from programs.services import ProgramInput, StaleVersion
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
NOW = datetime(2024, 3, 15, 9, 0, tzinfo=TZ)
DAY = date(2024, 3, 1)

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English, the msgids (the portal's default language is Vietnamese)."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def program_values(tree, **overrides) -> dict:
    return {
        "unit": tree.commune_a,
        "village": tree.village_a,
        "organizer_level": OrganizerLevel.COMMUNE,
        "organizer": tree.commune_a,
        "title": "Ra quân làm đường bê tông vào Khu dân cư Nặm Mèng",
        "date": DAY,
        "status": ProgramStatus.HELD,
        **overrides,
    }


def rows_count() -> tuple[int, int, int, int]:
    return (
        Program.objects.count(),
        WorkItem.objects.count(),
        Contribution.objects.count(),
        Participation.objects.count(),
    )


def donation_values(tree, **overrides) -> dict:
    return {
        "unit": tree.commune_a,
        "village": tree.village_a,
        "donor": "Hộ ông Giàng A Páo",
        "donated_on": DAY,
        "area_m2": Decimal(120),
        "trees": {"quế": 80},
        "value_vnd": 12_000_000,
        **overrides,
    }


def messages(error: ValidationError, field: str) -> str:
    return " ".join(error.message_dict[field])


# --- Programs -----------------------------------------------------------------------------------


def test_program_with_its_rows_is_saved_together(tree, commune_a_officer):
    program = services.program_create(
        user=commune_a_officer,
        data=ProgramInput(
            values=program_values(tree),
            work_items=[work_item(), work_item(description="Trồng hoa"), work_item(description="Đổ bê tông")],
            contributions=[contribution(value_vnd=5_000_000)],
            participation=[participation(person_times=120)],
        ),
    )
    assert rows_count() == (1, 3, 1, 1)
    assert program.created_by == commune_a_officer
    assert program.history.get().history_user == commune_a_officer
    assert program.search_text.startswith("ra quan lam duong be tong vao khu dan cu nam meng")


def test_a_bad_third_work_item_saves_nothing(tree, commune_a_officer):
    data = ProgramInput(
        values=program_values(tree),
        work_items=[work_item(), work_item(), work_item(quantity=Decimal(-3))],
        contributions=[contribution()],
        participation=[participation()],
    )
    with pytest.raises(ValidationError) as refused:
        services.program_create(user=commune_a_officer, data=data)
    assert list(refused.value.message_dict) == ["work_items-2"]
    assert rows_count() == (0, 0, 0, 0)


def test_a_qualifier_that_contradicts_its_value_is_refused(tree, commune_a_officer):
    # "Over 20.137" is not a hedge: a figure that exact is typed as exact.
    data = ProgramInput(
        values=program_values(tree), contributions=[contribution(value_vnd=20_137, qualifier=Qualifier.OVER)]
    )
    with pytest.raises(ValidationError) as refused:
        services.program_create(user=commune_a_officer, data=data)
    assert "round figure" in " ".join(refused.value.message_dict["contributions-0"])
    assert rows_count() == (0, 0, 0, 0)


def test_a_program_dated_when_its_commune_did_not_exist_is_refused(tree, commune_a_officer):
    # Commune A exists from 01/01/2020 (and until the 2025 reform abolished it).
    values = program_values(tree, date=date(2019, 12, 31))
    with pytest.raises(ValidationError) as refused:
        services.program_create(user=commune_a_officer, data=ProgramInput(values=values))
    assert messages(refused.value, "date") == "Xã Vĩnh Yên did not exist on that date."
    assert Program.objects.count() == 0


def test_a_held_program_cannot_be_dated_in_the_future(tree, commune_a_officer):
    values = program_values(tree, date=date(2024, 4, 1))
    with pytest.raises(ValidationError) as refused:
        services.program_create(user=commune_a_officer, data=ProgramInput(values=values))
    assert "future" in messages(refused.value, "date")
    planned = services.program_create(
        user=commune_a_officer, data=ProgramInput(values={**values, "status": ProgramStatus.PLANNED})
    )
    assert planned.status == ProgramStatus.PLANNED


def test_planned_program_can_become_held(tree, commune_a_officer):
    program = ProgramFactory(unit=tree.commune_a, status=ProgramStatus.PLANNED, date=DAY, by=commune_a_officer)
    updated = services.program_update(
        user=commune_a_officer,
        program=program,
        data=ProgramInput(values={"status": ProgramStatus.HELD}, work_items=[work_item()]),
        expected_version=1,
    )
    assert (updated.status, updated.version) == (ProgramStatus.HELD, 2)
    assert updated.work_items.count() == 1


def test_reviewed_program_cannot_go_back_to_planned(tree, commune_a_officer):
    program = ProgramFactory(
        unit=tree.commune_a, status=ProgramStatus.REVIEWED, date=DAY, work_items=[work_item()], by=commune_a_officer
    )
    with pytest.raises(ValidationError) as refused:
        services.program_update(
            user=commune_a_officer, program=program, data=ProgramInput(values={"status": ProgramStatus.PLANNED})
        )
    assert "“Reviewed” cannot become “Planned”" in messages(refused.value, "status")
    program.refresh_from_db()
    assert (program.status, program.version, program.work_items.count()) == (ProgramStatus.REVIEWED, 1, 1)


def test_stale_program_version_is_refused(tree, commune_a_officer, district_staff):
    program = ProgramFactory(unit=tree.commune_a, date=DAY, by=commune_a_officer)
    services.program_update(
        user=district_staff, program=program, data=ProgramInput(values={"title": "Sửa tiêu đề"}), expected_version=1
    )
    with pytest.raises(StaleVersion):
        services.program_update(
            user=commune_a_officer,
            program=program,
            data=ProgramInput(values={"title": "Tiêu đề cũ"}),
            expected_version=1,
        )
    program.refresh_from_db()
    assert (program.title, program.version) == ("Sửa tiêu đề", 2)


def test_commune_a_officer_cannot_record_a_program_for_commune_b(tree, commune_a_officer):
    values = program_values(tree, unit=tree.commune_b, village=None, organizer=tree.commune_b)
    with pytest.raises(ValidationError) as refused:
        services.program_create(user=commune_a_officer, data=ProgramInput(values=values))
    assert messages(refused.value, "unit") == "You cannot record data for Xã Nghĩa Đô."
    assert Program.objects.count() == 0


def test_viewer_cannot_record_a_program(tree, viewer):
    with pytest.raises(PermissionDenied):
        services.program_create(user=viewer, data=ProgramInput(values=program_values(tree)))
    assert Program.objects.count() == 0


def test_organizer_outside_the_users_units_is_refused(tree, commune_a_officer):
    values = program_values(tree, organizer=tree.commune_b)
    with pytest.raises(ValidationError) as refused:
        services.program_create(user=commune_a_officer, data=ProgramInput(values=values))
    assert "organizer" in refused.value.message_dict
    assert Program.objects.count() == 0


# --- Roads --------------------------------------------------------------------------------------


def road_values(tree, **overrides) -> dict:
    return {
        "unit": tree.commune_a,
        "name": "Đường bê tông Nặm Mèng",
        "year": 2023,
        "length_m": Decimal(750),
        **overrides,
    }


@pytest.mark.parametrize("length", [Decimal(0), Decimal(150_000)], ids=["zero", "150 km"])
def test_road_length_must_be_plausible(tree, commune_a_officer, length):
    with pytest.raises(ValidationError) as refused:
        services.road_project_save(user=commune_a_officer, values=road_values(tree, length_m=length))
    assert "at most 100 km" in messages(refused.value, "length_m")
    assert RoadProject.objects.count() == 0


def test_peoples_share_above_the_investment_is_refused(tree, commune_a_officer):
    values = road_values(tree, total_investment_vnd=800_000_000, people_share_vnd=900_000_000)
    with pytest.raises(ValidationError) as refused:
        services.road_project_save(user=commune_a_officer, values=values)
    assert "cannot exceed the total investment" in messages(refused.value, "people_share_vnd")
    assert RoadProject.objects.count() == 0


def test_road_of_another_communes_program_is_refused(tree, district_staff):
    program_b = ProgramFactory(unit=tree.commune_b, date=DAY)
    with pytest.raises(ValidationError) as refused:
        services.road_project_save(user=district_staff, values=road_values(tree, program=program_b))
    assert "same commune" in messages(refused.value, "program")


def test_stale_road_version_is_refused(tree, commune_a_officer):
    road = RoadProjectFactory(unit=tree.commune_a, by=commune_a_officer)
    services.road_project_save(user=commune_a_officer, road=road, values={"name": "Mới"}, expected_version=1)
    with pytest.raises(StaleVersion):
        services.road_project_save(user=commune_a_officer, road=road, values={"name": "Cũ"}, expected_version=1)
    road.refresh_from_db()
    assert (road.name, road.version) == ("Mới", 2)


# --- Land donations -----------------------------------------------------------------------------


def test_donation_is_recorded_with_its_author(tree, commune_a_officer):
    donation = services.land_donation_save(user=commune_a_officer, values=donation_values(tree))
    assert (donation.created_by, donation.tree_count, donation.version) == (commune_a_officer, 80, 1)
    assert donation.history.get().history_user == commune_a_officer


def test_donation_over_100000_m2_is_refused(tree, commune_a_officer):
    with pytest.raises(ValidationError) as refused:
        services.land_donation_save(user=commune_a_officer, values=donation_values(tree, area_m2=Decimal("100000.01")))
    assert "at most 100.000 m²" in messages(refused.value, "area_m2")
    assert LandDonation.objects.count() == 0


def test_cash_above_the_total_value_is_refused(tree, commune_a_officer):
    with pytest.raises(ValidationError) as refused:
        services.land_donation_save(
            user=commune_a_officer, values=donation_values(tree, cash_vnd=15_000_000, value_vnd=12_000_000)
        )
    assert "includes the cash" in messages(refused.value, "value_vnd")
    assert LandDonation.objects.count() == 0


@pytest.mark.parametrize("trees", [{"quế": -5}, {"quế": 2.5}, ["quế", 10]], ids=["negative", "fraction", "list"])
def test_trees_must_be_whole_non_negative_counts_per_species(tree, commune_a_officer, trees):
    with pytest.raises(ValidationError) as refused:
        services.land_donation_save(user=commune_a_officer, values=donation_values(tree, trees=trees))
    assert "whole, non-negative" in messages(refused.value, "trees")
    assert LandDonation.objects.count() == 0


def test_a_donation_that_gives_nothing_is_refused(tree, commune_a_officer):
    values = donation_values(tree, area_m2=Decimal(0), trees={}, value_vnd=0)
    with pytest.raises(ValidationError) as refused:
        services.land_donation_save(user=commune_a_officer, values=values)
    assert "at least one thing given" in messages(refused.value, "area_m2")


def test_donation_of_a_commune_that_did_not_exist_on_the_date_is_refused(tree, commune_a_officer, time_machine):
    # Vĩnh Yên (commune A) ends on 30/06/2025 with the district; a gift dated after that is
    # recorded against the new commune, not the abolished one.
    time_machine.move_to(datetime(2025, 10, 1, 9, 0, tzinfo=TZ), tick=False)
    with pytest.raises(ValidationError) as refused:
        services.land_donation_save(
            user=commune_a_officer, values=donation_values(tree, village=None, donated_on=date(2025, 8, 1))
        )
    assert messages(refused.value, "donated_on") == "Xã Vĩnh Yên did not exist on that date."
    assert LandDonation.objects.count() == 0


def test_a_donation_cannot_be_dated_in_the_future(tree, commune_a_officer):
    with pytest.raises(ValidationError) as refused:
        services.land_donation_save(user=commune_a_officer, values=donation_values(tree, donated_on=date(2024, 3, 16)))
    assert "future" in messages(refused.value, "donated_on")


def test_donation_village_must_belong_to_the_commune(tree, commune_a_officer):
    with pytest.raises(ValidationError) as refused:
        services.land_donation_save(user=commune_a_officer, values=donation_values(tree, village=tree.village_b))
    assert "village" in refused.value.message_dict


def test_commune_a_officer_cannot_record_a_donation_for_commune_b(tree, commune_a_officer):
    values = donation_values(tree, unit=tree.commune_b, village=tree.village_b)
    with pytest.raises(ValidationError) as refused:
        services.land_donation_save(user=commune_a_officer, values=values)
    assert messages(refused.value, "unit") == "You cannot record data for Xã Nghĩa Đô."
    assert LandDonation.objects.count() == 0


def test_leader_cannot_record_a_donation(tree, leader):
    with pytest.raises(PermissionDenied):
        services.land_donation_save(user=leader, values=donation_values(tree))
    assert LandDonation.objects.count() == 0


def test_stale_donation_version_is_refused(tree, commune_a_officer, district_staff):
    donation = DonationFactory(unit=tree.commune_a, donated_on=DAY, by=commune_a_officer)
    services.land_donation_save(
        user=district_staff, donation=donation, values={"area_m2": Decimal(150)}, expected_version=1
    )
    with pytest.raises(StaleVersion) as refused:
        services.land_donation_save(
            user=commune_a_officer, donation=donation, values={"area_m2": Decimal(90)}, expected_version=1
        )
    assert "Reload" in refused.value.messages[0]
    donation.refresh_from_db()
    assert (donation.area_m2, donation.version) == (Decimal("150.00"), 2)


def test_a_signed_consent_pdf_is_stored_under_the_commune(tree, commune_a_officer, media_in_tmp):
    upload = SimpleUploadedFile("cam-ket-hien-dat.pdf", PDF_BYTES, content_type="application/pdf")
    donation = services.land_donation_save(user=commune_a_officer, values=donation_values(tree), consent_file=upload)
    assert donation.consent_file.name == f"donations/{tree.commune_a.pk}/cam-ket-hien-dat.pdf"
    assert (media_in_tmp / donation.consent_file.name).read_bytes() == PDF_BYTES


def test_an_executable_renamed_pdf_is_refused_as_consent(tree, commune_a_officer, media_in_tmp):
    upload = SimpleUploadedFile("cam-ket.pdf", EXE_BYTES, content_type="application/pdf")
    with pytest.raises(ValidationError) as refused:
        services.land_donation_save(user=commune_a_officer, values=donation_values(tree), consent_file=upload)
    assert "its content is not a PDF file" in refused.value.messages[0]
    assert LandDonation.objects.count() == 0
    assert not any(media_in_tmp.rglob("*.pdf"))


def test_a_text_file_is_refused_as_consent(tree, commune_a_officer):
    upload = SimpleUploadedFile("cam-ket.txt", b"dong y hien dat")
    with pytest.raises(ValidationError) as refused:
        services.land_donation_save(user=commune_a_officer, values=donation_values(tree), consent_file=upload)
    assert "only PDF" in refused.value.messages[0]
    assert LandDonation.objects.count() == 0


# --- Site clearance -----------------------------------------------------------------------------


def clearance_values(tree, **overrides) -> dict:
    return {
        "unit": tree.district,
        "name": "Giải phóng mặt bằng Cảng hàng không Sa Pa",
        "is_key_project": True,
        "started_on": date(2022, 3, 1),
        "affected_households": 290,
        "area_ha": Decimal("263.26"),
        "budget_vnd": 250_000_000_000,
        **overrides,
    }


def test_district_staff_records_a_clearance_project_with_its_communes(tree, district_staff):
    project = services.clearance_project_save(
        user=district_staff, values=clearance_values(tree), communes=[tree.commune_a, tree.commune_b]
    )
    assert set(project.communes.all()) == {tree.commune_a, tree.commune_b}
    assert project.history.get().history_user == district_staff


def test_clearance_communes_must_lie_within_the_responsible_unit(tree, district_staff):
    other = UnitFactory(name="Xã Ngoài Huyện", parent=tree.province)
    with pytest.raises(ValidationError) as refused:
        services.clearance_project_save(
            user=district_staff, values=clearance_values(tree, unit=tree.commune_a), communes=[other]
        )
    assert "Xã Ngoài Huyện" in messages(refused.value, "communes")
    assert SiteClearanceProject.objects.count() == 0


def test_commune_officer_cannot_record_clearance(tree, commune_a_officer):
    with pytest.raises(PermissionDenied):
        services.clearance_project_save(user=commune_a_officer, values=clearance_values(tree, unit=tree.commune_a))
    assert SiteClearanceProject.objects.count() == 0


def test_commune_officer_cannot_record_a_disbursement(tree, commune_a_officer):
    project = ClearanceProjectFactory(unit=tree.commune_a)
    with pytest.raises(PermissionDenied):
        services.disbursement_record(
            user=commune_a_officer, project=project, values={"paid_on": DAY, "amount_vnd": 1_000_000}
        )
    assert Disbursement.objects.count() == 0


def test_commune_officer_is_told_the_district_project_is_not_theirs(tree, commune_a_officer):
    with pytest.raises(ValidationError) as refused:
        services.clearance_project_save(user=commune_a_officer, values=clearance_values(tree))
    assert messages(refused.value, "unit") == "You cannot record data for Huyện Bảo Yên."


def test_disbursement_above_the_budget_needs_a_reason(tree, district_staff):
    project = ClearanceProjectFactory(unit=tree.district, budget_vnd=250_000_000_000, by=district_staff)
    DisbursementFactory(project=project, paid_on=date(2022, 6, 15), amount_vnd=200_000_000_000, by=district_staff)
    with pytest.raises(ValidationError) as refused:
        services.disbursement_record(
            user=district_staff,
            project=project,
            values={"paid_on": date(2023, 5, 10), "amount_vnd": 60_000_000_000},
        )
    message = messages(refused.value, "over_budget_reason")
    assert "260.000.000.000 đồng, above the budget of 250.000.000.000 đồng" in message
    assert project.disbursements.count() == 1
    payment = services.disbursement_record(
        user=district_staff,
        project=project,
        values={
            "paid_on": date(2023, 5, 10),
            "amount_vnd": 60_000_000_000,
            "over_budget_reason": "Phương án bồi thường bổ sung đã được UBND tỉnh phê duyệt",
        },
    )
    assert payment.created_by == district_staff
    assert project.disbursements.count() == 2


def test_a_payment_reaching_the_budget_exactly_needs_no_reason(tree, district_staff):
    project = ClearanceProjectFactory(unit=tree.district, budget_vnd=250_000_000_000)
    DisbursementFactory(project=project, paid_on=date(2022, 6, 15), amount_vnd=200_000_000_000)
    payment = DisbursementFactory(project=project, paid_on=date(2023, 5, 10), amount_vnd=50_000_000_000)
    assert payment.over_budget_reason == ""


def test_a_payment_before_the_project_started_is_refused(tree, district_staff):
    project = ClearanceProjectFactory(unit=tree.district, started_on=date(2022, 3, 1))
    with pytest.raises(ValidationError) as refused:
        services.disbursement_record(
            user=district_staff, project=project, values={"paid_on": date(2022, 2, 28), "amount_vnd": 1_000_000}
        )
    assert "precede" in messages(refused.value, "paid_on")
    assert Disbursement.objects.count() == 0


def test_a_zero_payment_is_refused(tree, district_staff):
    project = ClearanceProjectFactory(unit=tree.district)
    with pytest.raises(ValidationError) as refused:
        services.disbursement_record(user=district_staff, project=project, values={"paid_on": DAY, "amount_vnd": 0})
    assert "amount_vnd" in refused.value.message_dict
    assert Disbursement.objects.count() == 0


def test_stale_clearance_version_is_refused(tree, district_staff):
    project = ClearanceProjectFactory(unit=tree.district, by=district_staff)
    services.clearance_project_save(
        user=district_staff, project=project, values={"affected_households": 291}, expected_version=1
    )
    with pytest.raises(StaleVersion):
        services.clearance_project_save(
            user=district_staff, project=project, values={"affected_households": 289}, expected_version=1
        )
    project.refresh_from_db()
    assert (project.affected_households, project.version) == (291, 2)


# --- Editing a record of another commune ---------------------------------------------------------


def test_commune_a_officer_cannot_take_over_commune_b_donation(tree, commune_a_officer, commune_b_officer):
    donation = DonationFactory(unit=tree.commune_b, donated_on=DAY, by=commune_b_officer)
    with pytest.raises(ValidationError) as refused:
        services.land_donation_save(
            user=commune_a_officer, donation=donation, values={"unit": tree.commune_a}, expected_version=1
        )
    assert messages(refused.value, "unit") == "You cannot record data for Xã Nghĩa Đô."
    donation.refresh_from_db()
    assert (donation.unit, donation.version) == (tree.commune_b, 1)


def test_commune_a_officer_cannot_take_over_commune_b_road(tree, commune_a_officer, commune_b_officer):
    road = RoadProjectFactory(unit=tree.commune_b, by=commune_b_officer)
    with pytest.raises(ValidationError) as refused:
        services.road_project_save(user=commune_a_officer, road=road, values={"unit": tree.commune_a})
    assert messages(refused.value, "unit") == "You cannot record data for Xã Nghĩa Đô."
    road.refresh_from_db()
    assert (road.unit, road.version) == (tree.commune_b, 1)


def test_commune_officer_cannot_move_a_donation_out_of_reach(tree, commune_a_officer):
    # Recording for commune B is refused whether the donation is new or moved there.
    donation = DonationFactory(unit=tree.commune_a, donated_on=DAY, by=commune_a_officer)
    with pytest.raises(ValidationError) as refused:
        services.land_donation_save(user=commune_a_officer, donation=donation, values={"unit": tree.commune_b})
    assert messages(refused.value, "unit") == "You cannot record data for Xã Nghĩa Đô."
    donation.refresh_from_db()
    assert donation.unit == tree.commune_a


def test_the_same_participation_category_twice_is_refused_with_a_message(tree, commune_a_officer):
    from programs import services as program_services
    from programs.models import Program

    data = program_services.ProgramInput(
        values={
            "unit": tree.commune_a,
            "organizer_level": "commune",
            "organizer": tree.commune_a,
            "title": "Ra quân vệ sinh môi trường",
            "date": date(2024, 3, 2),
            "status": "held",
        },
        participation=[{"category": "residents", "person_times": 120}, {"category": "residents", "person_times": 30}],
    )
    with pytest.raises(ValidationError) as excinfo:
        program_services.program_create(user=commune_a_officer, data=data)
    assert "participation-1" in excinfo.value.message_dict
    assert not Program.objects.exists()
