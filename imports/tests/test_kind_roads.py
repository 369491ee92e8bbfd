"""The roads import: road projects and land donations, the template, preview, import, no
duplicates, scope, bad values and the round trip with the road and donation lists."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook

from imports import services
from imports.kinds import REGISTRY
from imports.template import build_template
from imports.tests.helpers import handle, problem_texts, sheet_rows, workbook_bytes
from programs import services as program_services
from programs.models import DonationPurpose, LandDonation, OrganizerLevel, Program, ProgramStatus, RoadProject, Surface

pytestmark = pytest.mark.django_db

EXAMPLE_ONLY = _("The file holds only the template's example row, which is never imported. Write your rows below it.")
KIND = REGISTRY["roads"]
ROADS, DONATIONS = "Tuyến đường", "Hiến đất"


def road(**values):
    base = {
        "ref": "1",
        "commune": "Xã Vĩnh Yên",
        "village": "Tổng Kim",
        "name": "Đường bê tông Nặm Mèng",
        "year": 2023,
        "length_m": "1.234,5",
        "road_width_m": 5,
        "surface_width_m": "3,5",
        "surface": str(Surface.CONCRETE.label),
        "total_investment_vnd": "450.000.000",
        "people_share_vnd": 150_000_000,
    }
    base.update(values)
    return base


def donation(**values):
    base = {
        "commune": "Xã Vĩnh Yên",
        "village": "Bản Tổng Kim",
        "road": "1",
        "donor": "Ông Giàng A Páo",
        "donated_on": "15/03/2023",
        "area_m2": "120,5",
        "trees": "quế: 120; chè: 1.000",
        "value_vnd": 60_000_000,
    }
    base.update(values)
    return base


def good_file():
    return workbook_bytes(
        "roads",
        {
            ROADS: [road(), road(ref="2", name="Đường nội thôn Tổng Kim", village=None, surface="gravel", year=2022)],
            DONATIONS: [
                donation(),
                donation(donor="Bà Lù Thị Mai", road="Đường nội thôn Tổng Kim", trees=None, labour_days="4,5"),
                donation(donor="Ông Hoàng Văn Sử", road=None, purpose="Trường học", area_m2=None, cash_vnd=2_000_000),
            ],
        },
    )


def make_program(tree, user, title="Ra quân làm đường bê tông") -> Program:
    return program_services.program_create(
        user=user,
        data=program_services.ProgramInput(
            values={
                "unit": tree.commune_a,
                "organizer_level": OrganizerLevel.COMMUNE,
                "organizer": tree.commune_a,
                "title": title,
                "date": date(2023, 5, 6),
                "status": ProgramStatus.HELD,
            }
        ),
    )


# --- The template ------------------------------------------------------------------------------


def test_template_lists_both_sheets_and_reads_back_as_an_empty_import(commune_a_officer):
    data = build_template(KIND, commune_a_officer)
    book = load_workbook(io.BytesIO(data))
    assert {ROADS, DONATIONS} <= set(book.sheetnames)
    assert sheet_rows(data, ROADS)[0] == [column.header for column in KIND.sheets[0].columns]
    assert sheet_rows(data, DONATIONS)[0] == [column.header for column in KIND.sheets[1].columns]
    lists = [cell for row in sheet_rows(data, "Danh mục") for cell in row]
    assert "Xã Vĩnh Yên" in lists and "Xã Nghĩa Đô" not in lists
    outcome = services.attempt(KIND, handle(data), commune_a_officer, write=False)
    # The grey example rows are recognised and skipped: nothing is left to import, and the
    # check says so instead of offering an empty import.
    assert problem_texts(outcome.problems) == [str(EXAMPLE_ONLY)]


# --- A good file -------------------------------------------------------------------------------


def test_preview_writes_nothing_and_counts_what_would_be_created(commune_a_officer):
    outcome = services.attempt(KIND, handle(good_file()), commune_a_officer, write=False)
    assert not outcome.problems, problem_texts(outcome.problems)
    assert outcome.plan.summary(KIND.sheets) == [
        {"sheet": ROADS, "create": 2, "existing": 0},
        {"sheet": DONATIONS, "create": 3, "existing": 0},
    ]
    assert RoadProject.objects.count() == 0
    assert LandDonation.objects.count() == 0


def test_import_creates_roads_and_donations_through_the_services(tree, commune_a_officer):
    services.execute(KIND, handle(good_file()), commune_a_officer)
    roads = {item.name: item for item in RoadProject.objects.all()}
    concrete = roads["Đường bê tông Nặm Mèng"]
    assert (concrete.unit, concrete.village, concrete.year) == (tree.commune_a, tree.village_a, 2023)
    assert (concrete.length_m, concrete.road_width_m, concrete.surface_width_m) == (
        Decimal("1234.5"),
        Decimal(5),
        Decimal("3.5"),
    )
    assert (concrete.total_investment_vnd, concrete.people_share_vnd) == (450_000_000, 150_000_000)
    assert concrete.created_by == commune_a_officer and concrete.history.count() == 1
    assert roads["Đường nội thôn Tổng Kim"].surface == Surface.GRAVEL
    gifts = {gift.donor: gift for gift in LandDonation.objects.all()}
    pao = gifts["Ông Giàng A Páo"]
    assert (pao.road, pao.village, pao.donated_on) == (concrete, tree.village_a, date(2023, 3, 15))
    assert (pao.area_m2, pao.trees, pao.value_vnd) == (Decimal("120.5"), {"quế": 120, "chè": 1000}, 60_000_000)
    assert pao.purpose == DonationPurpose.ROAD and pao.created_by == commune_a_officer
    assert gifts["Bà Lù Thị Mai"].road == roads["Đường nội thôn Tổng Kim"]  # by name, a road of the file
    assert gifts["Bà Lù Thị Mai"].labour_days == Decimal("4.5")
    school = gifts["Ông Hoàng Văn Sử"]
    assert (school.road, school.purpose, school.cash_vnd) == (None, DonationPurpose.SCHOOL, 2_000_000)


def test_importing_the_same_file_again_creates_nothing(commune_a_officer):
    services.execute(KIND, handle(good_file()), commune_a_officer)
    again = services.execute(KIND, handle(good_file()), commune_a_officer)
    assert again.plan.summary(KIND.sheets) == [
        {"sheet": ROADS, "create": 0, "existing": 2},
        {"sheet": DONATIONS, "create": 0, "existing": 3},
    ]
    assert (RoadProject.objects.count(), LandDonation.objects.count()) == (2, 3)


def test_donations_alone_attach_to_roads_already_in_the_portal(tree, commune_a_officer):
    program = make_program(tree, commune_a_officer)
    existing = program_services.road_project_save(
        user=commune_a_officer,
        values={"unit": tree.commune_a, "name": "Đường Nặm Mèng", "year": 2021, "length_m": Decimal(500)},
    )
    data = workbook_bytes(
        "roads",
        {DONATIONS: [donation(road="duong nam meng", program="Ra quân làm đường bê tông")]},
        skip_sheets=(ROADS,),
    )
    outcome = services.execute(KIND, handle(data), commune_a_officer)
    assert outcome.plan.summary(KIND.sheets)[1] == {"sheet": DONATIONS, "create": 1, "existing": 0}
    gift = LandDonation.objects.get()
    assert (gift.road, gift.program) == (existing, program)


def test_a_road_named_twice_in_a_commune_needs_its_year(tree, commune_a_officer):
    for year in (2019, 2021):
        program_services.road_project_save(
            user=commune_a_officer,
            values={"unit": tree.commune_a, "name": "Đường Nặm Mèng", "year": year, "length_m": Decimal(500)},
        )
    vague = workbook_bytes("roads", {DONATIONS: [donation(road="Đường Nặm Mèng")]}, skip_sheets=(ROADS,))
    outcome = services.attempt(KIND, handle(vague), commune_a_officer, write=False)
    problem = outcome.problems.kept[0]
    assert (problem.sheet, problem.row, problem.column) == (DONATIONS, 2, "Tuyến đường")
    assert "Đường Nặm Mèng" in problem.message

    precise = workbook_bytes("roads", {DONATIONS: [donation(road="Đường Nặm Mèng (2021)")]}, skip_sheets=(ROADS,))
    services.execute(KIND, handle(precise), commune_a_officer)
    assert LandDonation.objects.get().road.year == 2021


# --- Scope and bad values ----------------------------------------------------------------------


def test_another_communes_rows_are_refused_and_nothing_is_written(commune_a_officer):
    data = workbook_bytes(
        "roads",
        {
            ROADS: [road(), road(ref="2", commune="Xã Nghĩa Đô", village=None, name="Đường Nà Pồng")],
            DONATIONS: [donation()],
        },
    )
    with pytest.raises(services.ImportProblems) as caught:
        services.execute(KIND, handle(data), commune_a_officer)
    problem = caught.value.problems.kept[0]
    assert (problem.sheet, problem.row, problem.column) == (ROADS, 3, "Xã, phường")
    assert problem_texts(caught.value.problems) == [
        _("“%(text)s” is outside the units you may record data for.") % {"text": "Xã Nghĩa Đô"}
    ]
    assert (RoadProject.objects.count(), LandDonation.objects.count()) == (0, 0)


@pytest.mark.parametrize(
    ("sheet", "values", "column", "message"),
    [
        (
            ROADS,
            {"length_m": -5},
            "F · Chiều dài (m)",
            lambda: _("%(value)s is negative; this column cannot be below zero.") % {"value": "-5"},
        ),
        (ROADS, {"length_m": 0}, "Chiều dài (m)", lambda: _("The length must be above 0 and at most 100 km.")),
        (
            ROADS,
            {"year": 1985},
            "Năm",
            lambda: _("The year must be between %(first)s and %(last)s.") % {"first": 1990, "last": 2100},
        ),
        (
            ROADS,
            {"people_share_vnd": 500_000_000},
            "Nhân dân đóng góp (đồng)",
            lambda: _("The people's share cannot exceed the total investment."),
        ),
        (
            ROADS,
            {"program": "Chương trình không có"},
            "Chương trình",
            lambda: (
                _("%(commune)s has no program named “%(title)s”. Check the title or leave the cell empty.")
                % {"commune": "Xã Vĩnh Yên", "title": "Chương trình không có"}
            ),
        ),
        (
            DONATIONS,
            {"trees": "quế 120"},
            "Cây trồng theo loài",
            lambda: _("Write trees as “species: count” separated by semicolons, e.g. “quế: 120; chè: 30”."),
        ),
        (
            DONATIONS,
            {"trees": "quế: 10; Quế: 5"},
            "Cây trồng theo loài",
            lambda: _("List each species once: %(species)s appears twice.") % {"species": "Quế"},
        ),
        (
            DONATIONS,
            {"road": "Đường không có"},
            "Tuyến đường",
            lambda: (
                _("There is no road “%(name)s” in %(commune)s, in the portal or in the sheet “%(sheet)s”.")
                % {"name": "Đường không có", "commune": "Xã Vĩnh Yên", "sheet": ROADS}
            ),
        ),
        (
            DONATIONS,
            {"cash_vnd": 90_000_000},
            "Tổng giá trị (đồng)",
            lambda: _("The total value includes the cash, so it cannot be smaller."),
        ),
        (
            DONATIONS,
            {"area_m2": None, "trees": None, "value_vnd": None},
            "Diện tích đất (m²)",
            lambda: _("Record at least one thing given: land, trees, assets, labour or cash."),
        ),
        (
            DONATIONS,
            {"donated_on": "15/03/2019"},
            "Xã, phường",
            lambda: (
                _("%(unit)s existed from %(start)s to %(end)s, not on %(day)s.")
                % {"unit": "Xã Vĩnh Yên", "start": "01/01/2020", "end": "30/06/2025", "day": "15/03/2019"}
            ),
        ),
    ],
)
def test_bad_values_are_reported_with_their_sheet_row_and_column(commune_a_officer, sheet, values, column, message):
    rows = {ROADS: [road()], DONATIONS: [donation()]}
    rows[sheet] = [{**rows[sheet][0], **values}]
    outcome = services.attempt(KIND, handle(workbook_bytes("roads", rows)), commune_a_officer, write=False)
    assert [(p.sheet, p.row, p.column, p.message) for p in outcome.problems.kept] == [(sheet, 2, column, message())]
    assert (RoadProject.objects.count(), LandDonation.objects.count()) == (0, 0)


def test_a_refusal_of_the_service_is_placed_on_its_row_and_column(commune_a_officer):
    data = workbook_bytes("roads", {ROADS: [road(length_m="12,345")]}, skip_sheets=(DONATIONS,))
    outcome = services.attempt(KIND, handle(data), commune_a_officer, write=False)
    assert [(p.sheet, p.row, p.column) for p in outcome.problems.kept] == [(ROADS, 2, "Chiều dài (m)")]
    assert RoadProject.objects.count() == 0


def test_duplicate_rows_and_numbers_inside_the_file_are_reported(commune_a_officer):
    data = workbook_bytes(
        "roads",
        {
            ROADS: [road(), road(ref="2"), road(ref="2", name="Đường khác")],
            DONATIONS: [donation(), donation(road="1")],
        },
    )
    outcome = services.attempt(KIND, handle(data), commune_a_officer, write=False)
    assert [(p.sheet, p.row, p.column) for p in outcome.problems.kept] == [
        (ROADS, 3, "Tuyến đường"),
        (ROADS, 4, "Số TT"),
        (DONATIONS, 3, "Chủ hộ"),
    ]
    assert outcome.problems.kept[0].message == _("This row repeats row %(row)s (same commune, year and road name).") % {
        "row": 2
    }


def test_a_road_number_of_another_commune_is_refused(district_staff):
    data = workbook_bytes(
        "roads",
        {ROADS: [road(commune="Xã Nghĩa Đô", village=None)], DONATIONS: [donation()]},
    )
    outcome = services.attempt(KIND, handle(data), district_staff, write=False)
    assert [(p.sheet, p.row, p.column) for p in outcome.problems.kept] == [(DONATIONS, 2, "Tuyến đường")]


# --- Round trip ----------------------------------------------------------------------------------

ROAD_FIELDS = (
    "unit_id",
    "village_id",
    "program_id",
    "name",
    "year",
    "length_m",
    "road_width_m",
    "surface_width_m",
    "surface",
    "total_investment_vnd",
    "people_share_vnd",
)
DONATION_FIELDS = (
    "unit_id",
    "village_id",
    "program_id",
    "donor",
    "donated_on",
    "purpose",
    "area_m2",
    "trees",
    "other_assets",
    "labour_days",
    "cash_vnd",
    "value_vnd",
)


def _records(tree, user):
    program = make_program(tree, user)
    save = program_services.road_project_save
    old = save(
        user=user, values={"unit": tree.commune_a, "name": "Đường Nặm Mèng", "year": 2019, "length_m": Decimal(300)}
    )
    new = save(
        user=user,
        values={
            "unit": tree.commune_a,
            "village": tree.village_a,
            "program": program,
            "name": "Đường Nặm Mèng",
            "year": 2023,
            "length_m": Decimal("1234.5"),
            "road_width_m": Decimal(5),
            "surface_width_m": Decimal("3.5"),
            "surface": Surface.ASPHALT,
            "total_investment_vnd": 900_000_000,
            "people_share_vnd": 100_000_000,
        },
    )
    gift = program_services.land_donation_save
    gift(
        user=user,
        values={
            "unit": tree.commune_a,
            "village": tree.village_a,
            "road": new,
            "donor": "Ông Giàng A Páo",
            "donated_on": date(2023, 3, 15),
            "area_m2": Decimal("120.5"),
            "trees": {"quế": 120, "chè": 30},
            "labour_days": Decimal("2.5"),
            "cash_vnd": 1_000_000,
            "value_vnd": 5_000_000,
            "other_assets": "Tường rào",
        },
    )
    gift(
        user=user,
        values={
            "unit": tree.commune_a,
            "road": old,
            "program": program,
            "donor": "Bà Lù Thị Mai",
            "donated_on": date(2020, 6, 1),
            "purpose": DonationPurpose.COMMON_AREA,
            "area_m2": Decimal(40),
        },
    )


def _roads():
    return sorted(RoadProject.objects.values_list(*ROAD_FIELDS), key=str)


def _donations():
    rows = LandDonation.objects.values_list(*DONATION_FIELDS, "road__name", "road__year")
    return sorted(rows, key=str)


def _export(client, name) -> bytes:
    response = client.get(reverse(f"programs:{name}"), {"export": "xlsx"})
    assert response.status_code == 200
    return response.content


def test_round_trip_of_each_list(client, tree, commune_a_officer):
    _records(tree, commune_a_officer)
    roads, donations = _roads(), _donations()
    client.force_login(commune_a_officer)
    road_file, donation_file = _export(client, "road_list"), _export(client, "donation_list")
    assert load_workbook(io.BytesIO(road_file)).sheetnames == [ROADS]
    assert load_workbook(io.BytesIO(donation_file)).sheetnames == [DONATIONS]

    LandDonation.objects.all().delete()
    outcome = services.execute(KIND, handle(donation_file), commune_a_officer)
    assert outcome.plan.created[DONATIONS] == 2
    assert _donations() == donations  # each gift on the same road, "Đường Nặm Mèng (2019)" included

    LandDonation.objects.all().delete()
    RoadProject.objects.all().delete()
    outcome = services.execute(KIND, handle(road_file), commune_a_officer)
    assert outcome.plan.created[ROADS] == 2
    assert _roads() == roads


def test_round_trip_of_both_lists_in_one_workbook(client, tree, commune_a_officer):
    """The two exports pasted into one workbook import roads and their donations together: the
    donations find their roads by name (and year) among the file's roads."""
    _records(tree, commune_a_officer)
    roads, donations = _roads(), _donations()
    client.force_login(commune_a_officer)
    combined = Workbook()
    combined.remove(combined.active)
    for name in ("road_list", "donation_list"):
        source = load_workbook(io.BytesIO(_export(client, name))).active
        target = combined.create_sheet(source.title)
        for values in source.iter_rows(values_only=True):
            target.append(values)
    buffer = io.BytesIO()
    combined.save(buffer)
    LandDonation.objects.all().delete()
    RoadProject.objects.all().delete()
    outcome = services.execute(KIND, handle(buffer.getvalue()), commune_a_officer)
    assert outcome.plan.summary(KIND.sheets) == [
        {"sheet": ROADS, "create": 2, "existing": 0},
        {"sheet": DONATIONS, "create": 2, "existing": 0},
    ]
    assert (_roads(), _donations()) == (roads, donations)


def test_clearance_list_exports_informational_columns(client, tree, district_staff):
    program_services.clearance_project_save(
        user=district_staff,
        values={
            "unit": tree.district,
            "name": "Đường nối Bảo Hà",
            "started_on": date(2022, 3, 1),
            "budget_vnd": 1_000_000_000,
        },
        communes=[tree.commune_a, tree.commune_b],
    )
    client.force_login(district_staff)
    assert "export=xlsx" in client.get(reverse("programs:clearance_list")).content.decode()
    response = client.get(reverse("programs:clearance_list"), {"export": "xlsx"})
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert len(body) == 1
    assert body[0][header.index(_("Project"))] == "Đường nối Bảo Hà"
    assert body[0][header.index(_("Communes"))] == "Xã Vĩnh Yên; Xã Nghĩa Đô"
