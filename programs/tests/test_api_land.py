"""The land API: road projects, land donations (with their signed consent) and site clearance
projects with their disbursements. Who sees and writes what, Vietnamese numbers, refusals that
change nothing, optimistic versions and the cost of a page.

Time is frozen on 20/11/2024 (Asia/Ho_Chi_Minh): the test district's units exist until 30/06/2025.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from organization.models import Unit
from programs import services
from programs.models import (
    Disbursement,
    LandDonation,
    Program,
    ProgramStatus,
    RoadProject,
    SiteClearanceProject,
)

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2024, 11, 20, 9, 0, tzinfo=TZ)

ROADS = "/api/v1/road-projects/"
DONATIONS = "/api/v1/land-donations/"
CLEARANCE = "/api/v1/site-clearance-projects/"

PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture(autouse=True)
def english(client, settings):
    # Messages are compared in English; the portal answers in Vietnamese unless the user chose.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def make_program(user, unit: Unit) -> Program:
    values = {
        "unit": unit,
        "organizer_level": "commune",
        "organizer": unit,
        "title": "Ra quân làm đường",
        "date": date(2024, 3, 10),
        "status": ProgramStatus.HELD,
    }
    return services.program_create(user=user, data=services.ProgramInput(values=values))


def make_road(user, unit: Unit, *, program: Program | None = None, name: str = "Đường nội bản") -> RoadProject:
    values = {"unit": unit, "program": program, "name": name, "year": 2024, "length_m": Decimal(600)}
    return services.road_project_save(user=user, values=values)


def make_donation(user, unit: Unit, *, road: RoadProject | None = None, donor: str = "Hoàng Văn Pháo") -> LandDonation:
    values = {
        "unit": unit,
        "road": road,
        "donor": donor,
        "donated_on": date(2024, 4, 1),
        "area_m2": Decimal(1200),
        "trees": {"quế": 1000},
        "value_vnd": 50_000_000,
    }
    return services.land_donation_save(user=user, values=values)


def make_clearance(user, unit: Unit, *, name: str = "GPMB Cảng hàng không Sa Pa", budget: int = 250_000_000_000):
    values = {
        "unit": unit,
        "name": name,
        "is_key_project": True,
        "started_on": date(2022, 1, 10),
        "affected_households": 290,
        "area_ha": Decimal("263.26"),
        "budget_vnd": budget,
    }
    return services.clearance_project_save(user=user, values=values, communes=[])


@dataclass
class World:
    program_a: Program
    road_a: RoadProject
    road_b: RoadProject
    donation_a: LandDonation
    donation_b: LandDonation
    clearance_district: SiteClearanceProject
    clearance_a: SiteClearanceProject


@pytest.fixture
def world(tree, district_staff) -> World:
    program_a = make_program(district_staff, tree.commune_a)
    road_a = make_road(district_staff, tree.commune_a, program=program_a, name="Đường bê tông khu dân cư Nặm Mèng")
    road_b = make_road(district_staff, tree.commune_b, name="Đường liên thôn Nà Pồng")
    return World(
        program_a=program_a,
        road_a=road_a,
        road_b=road_b,
        donation_a=make_donation(district_staff, tree.commune_a, road=road_a),
        donation_b=make_donation(district_staff, tree.commune_b, road=road_b, donor="Lương Văn Tám"),
        clearance_district=make_clearance(district_staff, tree.district),
        clearance_a=make_clearance(district_staff, tree.commune_a, name="GPMB đường nội thị Vĩnh Yên", budget=10_000),
    )


def fetch_all(client, url: str) -> list[dict]:
    items: list[dict] = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        body = response.json()
        items.extend(body["results"])
        url = body["next"]
    return items


def ids(client, url: str) -> set[int]:
    return {item["id"] for item in fetch_all(client, url)}


def counts() -> dict[str, int]:
    return {
        "roads": RoadProject.objects.count(),
        "donations": LandDonation.objects.count(),
        "clearance": SiteClearanceProject.objects.count(),
        "disbursements": Disbursement.objects.count(),
    }


def post(client, url: str, data: dict):
    return client.post(url, data, content_type="application/json")


def patch(client, url: str, data: dict):
    return client.patch(url, data, content_type="application/json")


def road_payload(tree, **overrides) -> dict:
    payload = {
        "unit": tree.commune_a.pk,
        "village": tree.village_a.pk,
        "name": "Đường nội bản Tổng Kim",
        "year": 2023,
        "length_m": "612,5",
        "road_width_m": "3,5",
        "surface_width_m": 3,
        "surface": "concrete",
        "total_investment_vnd": "900.000.000",
        "people_share_vnd": 250_000_000,
    }
    payload.update(overrides)
    return payload


def donation_payload(tree, **overrides) -> dict:
    payload = {
        "unit": tree.commune_a.pk,
        "village": tree.village_a.pk,
        "donor": "Triệu Văn Sinh",
        "donated_on": "2024-05-02",
        "purpose": "common_area",
        "area_m2": "298,5",
        "trees": {"quế": 120, "mỡ": 4},
        "other_assets": "Hàng rào",
        "labour_days": "12,5",
        "cash_vnd": "2.000.000",
        "value_vnd": "35.000.000",
    }
    payload.update(overrides)
    return payload


def clearance_payload(tree, **overrides) -> dict:
    payload = {
        "unit": tree.district.pk,
        "communes": [tree.commune_a.pk, tree.commune_b.pk],
        "name": "GPMB Cảng hàng không Sa Pa (đoạn Bảo Yên)",
        "is_key_project": True,
        "started_on": "2022-03-01",
        "affected_households": "290",
        "area_ha": "263,26",
        "budget_vnd": "250.000.000.000",
        "resettlement_site": "Khu tái định cư Phố Ràng",
        "task_force": tree.peoples_committee.pk,
        "status": "paid",
    }
    payload.update(overrides)
    return payload


# --- Anonymous ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", ROADS),
        ("post", ROADS),
        ("patch", "road"),
        ("get", DONATIONS),
        ("post", DONATIONS),
        ("patch", "donation"),
        ("post", "consent"),
        ("get", "consent"),
        ("get", CLEARANCE),
        ("post", CLEARANCE),
        ("patch", "clearance"),
        ("post", "disbursements"),
    ],
)
def test_anonymous_gets_401_everywhere(client, world, method, url):
    targets = {
        "road": f"{ROADS}{world.road_a.pk}/",
        "donation": f"{DONATIONS}{world.donation_a.pk}/",
        "consent": f"{DONATIONS}{world.donation_a.pk}/consent/",
        "clearance": f"{CLEARANCE}{world.clearance_a.pk}/",
        "disbursements": f"{CLEARANCE}{world.clearance_a.pk}/disbursements/",
    }
    before = counts()

    response = getattr(client, method)(targets.get(url, url), {}, content_type="application/json")

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Token")
    assert counts() == before


@pytest.mark.parametrize("url", [ROADS, DONATIONS, CLEARANCE])
def test_nothing_can_be_deleted(client, world, portal_admin, url):
    pk = {ROADS: world.road_a.pk, DONATIONS: world.donation_a.pk, CLEARANCE: world.clearance_a.pk}[url]
    client.force_login(portal_admin)
    before = counts()

    response = client.delete(f"{url}{pk}/")

    assert response.status_code == 405
    assert counts() == before


# --- Road projects ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("district_staff", {"a", "b"}),
        ("leader", {"a", "b"}),
        ("portal_admin", {"a", "b"}),
        ("commune_a_officer", {"a"}),
        ("commune_b_officer", {"b"}),
        ("viewer", {"a"}),
        ("agency_officer", set()),
    ],
)
def test_roads_and_donations_are_listed_by_scope(request, client, world, persona, expected):
    client.force_login(request.getfixturevalue(persona))
    roads = {"a": world.road_a.pk, "b": world.road_b.pk}
    donations = {"a": world.donation_a.pk, "b": world.donation_b.pk}

    assert ids(client, ROADS) == {roads[letter] for letter in expected}
    assert ids(client, DONATIONS) == {donations[letter] for letter in expected}


@pytest.mark.parametrize("persona", ["commune_b_officer", "agency_officer"])
def test_a_road_or_donation_outside_scope_answers_like_a_missing_one(request, client, world, persona):
    client.force_login(request.getfixturevalue(persona))

    for url, pk in [(ROADS, world.road_a.pk), (DONATIONS, world.donation_a.pk)]:
        hidden, missing = client.get(f"{url}{pk}/"), client.get(f"{url}999999/")
        assert hidden.status_code == missing.status_code == 404
        assert hidden.json() == missing.json()


@pytest.mark.parametrize(
    ("persona", "expected_status"),
    [
        ("commune_a_officer", 201),
        ("district_staff", 201),
        ("portal_admin", 201),
        ("commune_b_officer", 400),
        ("leader", 403),
        ("viewer", 403),
        ("agency_officer", 403),
    ],
)
def test_who_may_record_a_road(request, client, tree, persona, expected_status):
    client.force_login(request.getfixturevalue(persona))
    before = counts()

    response = post(client, ROADS, road_payload(tree))

    assert response.status_code == expected_status, response.content
    if expected_status == 201:
        road = RoadProject.objects.get(pk=response.json()["id"])
        assert (road.length_m, road.road_width_m, road.surface_width_m) == (Decimal("612.5"), Decimal("3.5"), 3)
        assert (road.total_investment_vnd, road.people_share_vnd) == (900_000_000, 250_000_000)
        assert response.json()["length_m"] == 612.5
    else:
        assert counts() == before
    if persona == "commune_b_officer":
        assert response.json() == {"unit": ["Unknown unit."], "village": ["Unknown village."]}


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        (
            {"people_share_vnd": "1.000.000.000"},
            {"people_share_vnd": ["The people's share cannot exceed the total investment."]},
        ),
        ({"length_m": 0}, {"length_m": ["The length must be above 0 and at most 100 km."]}),
        ({"length_m": "150.000"}, {"length_m": ["The length must be above 0 and at most 100 km."]}),
        ({"length_m": "-5"}, {"length_m": ["The value cannot be below 0."]}),
        ({"total_investment_vnd": "9,5 tỷ"}, None),
    ],
)
def test_bad_road_figures_change_nothing(client, tree, commune_a_officer, overrides, errors):
    client.force_login(commune_a_officer)
    before = counts()

    response = post(client, ROADS, road_payload(tree, **overrides))

    assert response.status_code == 400
    if errors is None:
        assert list(response.json()) == list(overrides)
    else:
        assert response.json() == errors
    assert counts() == before


def test_a_road_cannot_belong_to_another_communes_program(client, tree, world, district_staff, commune_b_officer):
    client.force_login(district_staff)
    refused = post(client, ROADS, road_payload(tree, unit=tree.commune_b.pk, village=None, program=world.program_a.pk))
    client.force_login(commune_b_officer)
    hidden = post(client, ROADS, road_payload(tree, unit=tree.commune_b.pk, village=None, program=world.program_a.pk))

    assert refused.status_code == hidden.status_code == 400
    assert refused.json() == {"program": ["The program must be held in the same commune."]}
    assert hidden.json() == {"program": ["Unknown program."]}
    assert RoadProject.objects.filter(unit=tree.commune_b).count() == 1


def test_a_road_shows_its_donations(client, world, commune_a_officer):
    client.force_login(commune_a_officer)

    body = client.get(f"{ROADS}{world.road_a.pk}/").json()

    assert body["program"] == {"id": world.program_a.pk, "title": "Ra quân làm đường", "date": "2024-03-10"}
    assert body["donations"] == {"count": 1, "area_m2": 1200.0, "value_vnd": 50_000_000}


@pytest.mark.parametrize(
    ("persona", "expected_status"),
    [("leader", 403), ("viewer", 403), ("agency_officer", 404), ("commune_b_officer", 404)],
)
def test_who_may_not_change_a_road_or_donation(request, client, world, persona, expected_status):
    client.force_login(request.getfixturevalue(persona))

    road = patch(client, f"{ROADS}{world.road_a.pk}/", {"name": "Không được sửa", "version": 1})
    donation = patch(client, f"{DONATIONS}{world.donation_a.pk}/", {"donor": "Không được sửa", "version": 1})

    assert road.status_code == donation.status_code == expected_status
    world.road_a.refresh_from_db()
    world.donation_a.refresh_from_db()
    assert world.road_a.version == world.donation_a.version == 1


def test_a_road_changes_with_its_version_and_a_stale_one_is_a_conflict(client, world, commune_a_officer):
    client.force_login(commune_a_officer)
    url = f"{ROADS}{world.road_a.pk}/"

    first = patch(client, url, {"length_m": "750,5", "version": 1})
    stale = patch(client, url, {"length_m": "800", "version": 1})

    assert first.status_code == 200, first.content
    assert (first.json()["length_m"], first.json()["version"]) == (750.5, 2)
    assert stale.status_code == 409
    world.road_a.refresh_from_db()
    assert (world.road_a.length_m, world.road_a.version) == (Decimal("750.5"), 2)


def test_road_filters_narrow_the_list(client, tree, world, district_staff):
    client.force_login(district_staff)

    assert ids(client, f"{ROADS}?program={world.program_a.pk}") == {world.road_a.pk}
    assert ids(client, f"{ROADS}?unit={tree.commune_b.pk}") == {world.road_b.pk}
    assert ids(client, f"{ROADS}?q=nam meng") == {world.road_a.pk}
    assert ids(client, f"{ROADS}?year=2023") == set()


# --- Land donations -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected_status"),
    [
        ("commune_a_officer", 201),
        ("district_staff", 201),
        ("portal_admin", 201),
        ("commune_b_officer", 400),
        ("leader", 403),
        ("viewer", 403),
        ("agency_officer", 403),
    ],
)
def test_who_may_record_a_donation(request, client, tree, persona, expected_status):
    client.force_login(request.getfixturevalue(persona))
    before = counts()

    response = post(client, DONATIONS, donation_payload(tree))

    assert response.status_code == expected_status, response.content
    if expected_status == 201:
        body = response.json()
        assert (body["area_m2"], body["labour_days"], body["cash_vnd"], body["value_vnd"]) == (
            298.5,
            12.5,
            2_000_000,
            35_000_000,
        )
        assert (body["trees"], body["tree_count"], body["consent_url"]) == ({"quế": 120, "mỡ": 4}, 124, None)
        donation = LandDonation.objects.get(pk=body["id"])
        assert (donation.area_m2, donation.trees) == (Decimal("298.5"), {"quế": 120, "mỡ": 4})
    else:
        assert counts() == before


@pytest.mark.parametrize(
    ("overrides", "field", "fragment"),
    [
        ({"area_m2": "250.000"}, "area_m2", "is not plausible"),  # larger than a household can give
        ({"area_m2": -10}, "area_m2", "cannot be below 0"),
        ({"trees": {"quế": -5}}, "trees", "greater than or equal to 0"),
        ({"trees": {"quế": "nhiều"}}, "trees", "valid integer"),
        ({"trees": {" ": 3}}, "trees", "Name the species"),
        ({"trees": [1, 2]}, "trees", "dictionary"),
        ({"donated_on": "2024-12-01"}, "donated_on", "cannot be dated in the future"),
        ({"donated_on": "2019-01-01"}, "donated_on", "did not exist on that date"),
        ({"cash_vnd": "40.000.000"}, "value_vnd", "cannot be smaller"),
        ({"value_vnd": "35.000.000,5"}, "value_vnd", "not a whole number"),
        (
            {"area_m2": 0, "trees": {}, "other_assets": "", "labour_days": 0, "cash_vnd": 0, "value_vnd": 0},
            "area_m2",
            "at least one thing given",
        ),
    ],
)
def test_a_bad_donation_changes_nothing(client, tree, commune_a_officer, overrides, field, fragment):
    Unit.objects.filter(pk=tree.commune_a.pk).update(valid_from=date(2020, 1, 1))
    client.force_login(commune_a_officer)
    before = counts()

    response = post(client, DONATIONS, donation_payload(tree, **overrides))

    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert fragment in str(response.json()[field])
    assert counts() == before


def test_a_donation_for_a_road_of_another_commune_is_refused(client, tree, world, district_staff, commune_a_officer):
    client.force_login(district_staff)
    refused = post(client, DONATIONS, donation_payload(tree, road=world.road_b.pk))
    client.force_login(commune_a_officer)
    hidden = post(client, DONATIONS, donation_payload(tree, road=world.road_b.pk))

    assert refused.status_code == hidden.status_code == 400
    assert refused.json() == {"road": ["The road must be in the same commune."]}
    assert hidden.json() == {"road": ["Unknown road."]}
    assert LandDonation.objects.filter(road=world.road_b).count() == 1


def test_donations_of_a_program_include_those_through_its_roads_once(client, tree, world, district_staff):
    direct = services.land_donation_save(
        user=district_staff,
        values={
            "unit": tree.commune_a,
            "program": world.program_a,
            "road": world.road_a,
            "donor": "Cả hai",
            "donated_on": date(2024, 4, 2),
            "area_m2": Decimal(10),
        },
    )
    client.force_login(district_staff)

    listed = [item["id"] for item in fetch_all(client, f"{DONATIONS}?program={world.program_a.pk}")]

    assert sorted(listed) == sorted([world.donation_a.pk, direct.pk])


def test_a_donation_changes_with_its_version(client, world, commune_a_officer):
    client.force_login(commune_a_officer)
    url = f"{DONATIONS}{world.donation_a.pk}/"

    response = patch(client, url, {"trees": {"quế": 1050}, "labour_days": "300", "version": 1})
    stale = patch(client, url, {"donor": "Ai đó", "version": 1})

    assert response.status_code == 200, response.content
    assert (response.json()["tree_count"], response.json()["labour_days"], response.json()["version"]) == (1050, 300, 2)
    assert stale.status_code == 409
    world.donation_a.refresh_from_db()
    assert (world.donation_a.donor, world.donation_a.version) == ("Hoàng Văn Pháo", 2)


def test_donation_filters_narrow_the_list(client, tree, world, district_staff):
    client.force_login(district_staff)

    assert ids(client, f"{DONATIONS}?road={world.road_b.pk}") == {world.donation_b.pk}
    assert ids(client, f"{DONATIONS}?q=luong van") == {world.donation_b.pk}
    assert ids(client, f"{DONATIONS}?date_from=2024-04-02") == set()
    assert ids(client, f"{DONATIONS}?purpose=road") == {world.donation_a.pk, world.donation_b.pk}


# --- The signed consent -------------------------------------------------------------------------


def upload(client, donation, name: str, content: bytes, **extra):
    return client.post(f"{DONATIONS}{donation.pk}/consent/", {"file": SimpleUploadedFile(name, content), **extra})


def test_commune_officer_files_the_consent_and_district_staff_downloads_it(
    client, world, commune_a_officer, district_staff
):
    client.force_login(commune_a_officer)

    response = upload(client, world.donation_a, "cam-ket.pdf", PDF_BYTES, version=1)

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["consent_url"] == f"{DONATIONS}{world.donation_a.pk}/consent/"
    assert body["version"] == 2
    client.force_login(district_staff)
    download = client.get(body["consent_url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF_BYTES
    assert download["Content-Type"] == "application/pdf"
    assert "cam-ket.pdf" in download["Content-Disposition"]


@pytest.mark.parametrize(
    ("persona", "upload_status", "download_status"),
    [("viewer", 403, 200), ("leader", 403, 200), ("commune_b_officer", 404, 404), ("agency_officer", 404, 404)],
)
def test_who_may_file_and_read_the_consent(
    request, client, world, commune_a_officer, persona, upload_status, download_status
):
    client.force_login(commune_a_officer)
    assert upload(client, world.donation_a, "cam-ket.pdf", PDF_BYTES).status_code == 200
    client.force_login(request.getfixturevalue(persona))

    refused = upload(client, world.donation_a, "khac.pdf", PDF_BYTES)
    download = client.get(f"{DONATIONS}{world.donation_a.pk}/consent/")

    assert refused.status_code == upload_status
    assert download.status_code == download_status
    world.donation_a.refresh_from_db()
    assert world.donation_a.version == 2


def test_a_renamed_executable_is_not_filed(client, world, commune_a_officer):
    client.force_login(commune_a_officer)

    response = upload(client, world.donation_a, "cam-ket.pdf", EXE_BYTES)

    assert response.status_code == 400
    assert list(response.json()) == ["file"]
    world.donation_a.refresh_from_db()
    assert (bool(world.donation_a.consent_file), world.donation_a.version) == (False, 1)


def test_a_consent_with_a_stale_version_is_a_conflict(client, world, commune_a_officer):
    client.force_login(commune_a_officer)
    assert patch(client, f"{DONATIONS}{world.donation_a.pk}/", {"donor": "Đổi tên", "version": 1}).status_code == 200

    response = upload(client, world.donation_a, "cam-ket.pdf", PDF_BYTES, version=1)

    assert response.status_code == 409
    world.donation_a.refresh_from_db()
    assert not world.donation_a.consent_file


def test_a_donation_without_consent_has_nothing_to_download(client, world, district_staff):
    client.force_login(district_staff)

    assert client.get(f"{DONATIONS}{world.donation_a.pk}/consent/").status_code == 404


# --- Site clearance -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("district_staff", {"district", "a"}),
        ("leader", {"district", "a"}),
        ("portal_admin", {"district", "a"}),
        ("commune_a_officer", {"a"}),
        ("commune_b_officer", set()),
        ("viewer", {"a"}),
        ("agency_officer", set()),
    ],
)
def test_clearance_projects_are_listed_by_scope(request, client, world, persona, expected):
    client.force_login(request.getfixturevalue(persona))
    by_name = {"district": world.clearance_district.pk, "a": world.clearance_a.pk}

    assert ids(client, CLEARANCE) == {by_name[name] for name in expected}


@pytest.mark.parametrize(
    ("persona", "expected_status"),
    [
        ("district_staff", 201),
        ("portal_admin", 201),
        ("commune_a_officer", 403),
        ("commune_b_officer", 403),
        ("leader", 403),
        ("viewer", 403),
        ("agency_officer", 403),
    ],
)
def test_only_district_staff_record_site_clearance(request, client, tree, persona, expected_status):
    client.force_login(request.getfixturevalue(persona))
    before = counts()

    response = post(client, CLEARANCE, clearance_payload(tree))

    assert response.status_code == expected_status, response.content
    if expected_status == 201:
        body = response.json()
        assert (body["affected_households"], body["area_ha"], body["budget_vnd"]) == (290, 263.26, 250_000_000_000)
        assert [c["id"] for c in body["communes"]] == [tree.commune_b.pk, tree.commune_a.pk]  # by name
        assert (body["disbursed_vnd"], body["percent_of_plan"], body["disbursements"]) == (0, 0, [])
        assert body["task_force"]["id"] == tree.peoples_committee.pk
    else:
        assert counts() == before


def test_communes_outside_the_responsible_unit_are_refused(client, tree, district_staff):
    client.force_login(district_staff)
    before = counts()

    response = post(client, CLEARANCE, clearance_payload(tree, unit=tree.commune_a.pk))

    assert response.status_code == 400
    assert response.json() == {"communes": ["Not within Xã Vĩnh Yên: Xã Nghĩa Đô."]}
    assert counts() == before


def test_disbursements_make_a_series_up_to_the_whole_plan(client, world, district_staff):
    client.force_login(district_staff)
    url = f"{CLEARANCE}{world.clearance_district.pk}/disbursements/"

    first = post(client, url, {"paid_on": "2022-06-30", "amount_vnd": "100.000.000.000", "households_paid": 120})
    second = post(client, url, {"paid_on": "2022-12-20", "amount_vnd": 150_000_000_000, "households_paid": "170"})

    assert first.status_code == second.status_code == 201, second.content
    body = second.json()
    assert (body["disbursed_vnd"], body["percent_of_plan"]) == (250_000_000_000, 100.0)
    assert [(d["paid_on"], d["cumulative_vnd"], d["percent_of_plan"]) for d in body["disbursements"]] == [
        ("2022-06-30", 100_000_000_000, 40.0),
        ("2022-12-20", 250_000_000_000, 100.0),
    ]
    listed = {item["id"]: item for item in fetch_all(client, CLEARANCE)}
    assert listed[world.clearance_district.pk]["percent_of_plan"] == 100.0
    assert "disbursements" not in listed[world.clearance_district.pk]


def test_a_payment_above_the_budget_needs_a_reason(client, world, district_staff):
    client.force_login(district_staff)
    url = f"{CLEARANCE}{world.clearance_a.pk}/disbursements/"  # budget 10.000 đồng
    assert post(client, url, {"paid_on": "2022-02-01", "amount_vnd": "8.000"}).status_code == 201
    before = counts()

    refused = post(client, url, {"paid_on": "2022-03-01", "amount_vnd": "3.000"})

    assert refused.status_code == 400
    assert refused.json() == {
        "over_budget_reason": [
            "This payment brings the total to 11.000 đồng, above the budget of 10.000 đồng. "
            "Give the reason (e.g. an approved supplementary plan) to record it."
        ]
    }
    assert counts() == before

    allowed = post(
        client, url, {"paid_on": "2022-03-01", "amount_vnd": "3.000", "over_budget_reason": "Phương án bổ sung"}
    )

    assert allowed.status_code == 201, allowed.content
    assert (allowed.json()["disbursed_vnd"], allowed.json()["percent_of_plan"]) == (11_000, 110.0)


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"paid_on": "2021-12-31", "amount_vnd": 1000}, "paid_on"),  # before the project started
        ({"paid_on": "2022-02-01", "amount_vnd": 0}, "amount_vnd"),
        ({"paid_on": "2022-02-01", "amount_vnd": "1,5"}, "amount_vnd"),
        ({"paid_on": "2022-02-01"}, "amount_vnd"),
    ],
)
def test_a_bad_payment_changes_nothing(client, world, district_staff, payload, field):
    client.force_login(district_staff)
    before = counts()

    response = post(client, f"{CLEARANCE}{world.clearance_a.pk}/disbursements/", payload)

    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert counts() == before


@pytest.mark.parametrize(
    ("persona", "expected_status"),
    [("commune_a_officer", 403), ("viewer", 403), ("leader", 403), ("commune_b_officer", 404), ("agency_officer", 404)],
)
def test_who_may_not_record_a_payment(request, client, world, persona, expected_status):
    client.force_login(request.getfixturevalue(persona))
    before = counts()

    response = post(
        client, f"{CLEARANCE}{world.clearance_a.pk}/disbursements/", {"paid_on": "2022-02-01", "amount_vnd": 1}
    )

    assert response.status_code == expected_status
    assert counts() == before


def test_a_clearance_project_changes_with_its_version(client, tree, world, district_staff):
    client.force_login(district_staff)
    url = f"{CLEARANCE}{world.clearance_district.pk}/"

    first = patch(client, url, {"status": "handed_over", "communes": [tree.commune_a.pk], "version": 1})
    stale = patch(client, url, {"status": "done", "version": 1})
    kept = patch(client, url, {"resettlement_site": "Phố Ràng", "version": 2})

    assert first.status_code == 200, first.content
    assert [c["id"] for c in first.json()["communes"]] == [tree.commune_a.pk]
    assert stale.status_code == 409
    assert kept.status_code == 200
    assert [c["id"] for c in kept.json()["communes"]] == [tree.commune_a.pk]  # not sent: kept
    world.clearance_district.refresh_from_db()
    assert (world.clearance_district.status, world.clearance_district.version) == ("handed_over", 3)


@pytest.mark.parametrize("persona", ["commune_a_officer", "viewer", "leader"])
def test_who_may_not_change_a_clearance_project(request, client, world, persona):
    client.force_login(request.getfixturevalue(persona))

    response = patch(client, f"{CLEARANCE}{world.clearance_a.pk}/", {"status": "done", "version": 1})

    assert response.status_code == 403
    world.clearance_a.refresh_from_db()
    assert world.clearance_a.version == 1


def test_clearance_filters_narrow_the_list(client, tree, world, district_staff):
    client.force_login(district_staff)

    assert ids(client, f"{CLEARANCE}?q=sa pa") == {world.clearance_district.pk}
    assert ids(client, f"{CLEARANCE}?unit={tree.commune_a.pk}") == {world.clearance_a.pk}
    assert ids(client, f"{CLEARANCE}?status=inventory") == {world.clearance_district.pk, world.clearance_a.pk}
    assert ids(client, f"{CLEARANCE}?is_key_project=false") == set()


# --- Cost of a page -----------------------------------------------------------------------------


def _list_queries(client, url: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"{url}?page_size=200")
    assert response.status_code == 200
    return len(queries), len(response.json()["results"])


def test_road_and_donation_lists_query_count_does_not_grow_with_rows(
    client, tree, district_staff, django_assert_max_num_queries
):
    def add(count: int) -> None:
        for index in range(count):
            program = make_program(district_staff, tree.commune_a)
            road = make_road(district_staff, tree.commune_a, program=program, name=f"Đường {index}")
            make_donation(district_staff, tree.commune_a, road=road)

    add(3)
    client.force_login(district_staff)
    few = [_list_queries(client, ROADS), _list_queries(client, DONATIONS)]
    add(27)

    # session, user, memberships, the page
    with django_assert_max_num_queries(4):
        many_roads = _list_queries(client, ROADS)
    with django_assert_max_num_queries(4):
        many_donations = _list_queries(client, DONATIONS)

    assert [rows for _queries, rows in few] == [3, 3]
    assert (many_roads[1], many_donations[1]) == (30, 30)
    assert [many_roads[0], many_donations[0]] == [queries for queries, _rows in few]


def test_clearance_list_query_count_does_not_grow_with_rows(
    client, tree, district_staff, django_assert_max_num_queries
):
    def add(count: int) -> None:
        for index in range(count):
            project = services.clearance_project_save(
                user=district_staff,
                values={
                    "unit": tree.district,
                    "name": f"Dự án {index}",
                    "started_on": date(2022, 1, 1),
                    "budget_vnd": 1000,
                },
                communes=[tree.commune_a, tree.commune_b],
                project=None,
            )
            services.disbursement_record(
                user=district_staff, project=project, values={"paid_on": date(2022, 2, 1), "amount_vnd": 500}
            )

    add(3)
    client.force_login(district_staff)
    few, few_rows = _list_queries(client, CLEARANCE)
    add(27)

    # session, user, memberships, the page, its communes
    with django_assert_max_num_queries(5):
        many, many_rows = _list_queries(client, CLEARANCE)

    assert (few_rows, many_rows) == (3, 30)
    assert many == few
