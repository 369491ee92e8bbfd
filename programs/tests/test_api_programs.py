"""The programs API: who sees and writes what, the journey of a commune's program through the API,
Vietnamese numbers, refusals that change nothing, optimistic versions and the cost of a page.

Time is frozen on 20/11/2024 (Asia/Ho_Chi_Minh): the test district's units exist until 30/06/2025.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from organization.api_base import drf_errors
from organization.models import DocumentKind, Unit
from organization.services import document_issue
from programs import services
from programs.api import NESTED_LISTS
from programs.models import (
    Contribution,
    LandDonation,
    Participation,
    Program,
    ProgramStatus,
    RoadProject,
    WorkItem,
)

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2024, 11, 20, 9, 0, tzinfo=TZ)

PROGRAMS = "/api/v1/programs/"
ROADS = "/api/v1/road-projects/"
DONATIONS = "/api/v1/land-donations/"


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture(autouse=True)
def english(client, settings):
    # Messages are compared in English; the portal answers in Vietnamese unless the user chose.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def make_program(user, unit: Unit, *, title: str = "Ra quân dân vận", rows: int = 1, **values) -> Program:
    """A held program of ``unit`` with ``rows`` work items, contributions and participation rows."""
    fields = {
        "unit": unit,
        "organizer_level": "commune",
        "organizer": unit,
        "title": title,
        "date": date(2024, 3, 10),
        "status": ProgramStatus.HELD,
        **values,
    }
    categories = ["officials", "residents", "youth", "pupils", "members", "armed_forces", "party_members"]
    return services.program_create(
        user=user,
        data=services.ProgramInput(
            values=fields,
            work_items=[{"category": "clean_up", "description": f"Dọn vệ sinh {i}"} for i in range(rows)],
            contributions=[
                {"contributor_type": "residents", "kind": "cash", "value_vnd": 1_000_000} for _i in range(rows)
            ],
            participation=[{"category": categories[i % 7], "person_times": 10} for i in range(rows)],
        ),
    )


@dataclass
class World:
    program_a: Program
    program_b: Program


@pytest.fixture
def world(tree, district_staff) -> World:
    program_a = make_program(district_staff, tree.commune_a, title="Ra quân làm đường khu dân cư Nặm Mèng")
    program_b = make_program(district_staff, tree.commune_b, title="Ra quân vệ sinh môi trường thôn Nà Pồng")
    return World(program_a, program_b)


def fetch_all(client, url: str) -> list[dict]:
    """Every item of a cursor-paginated list, following ``next``."""
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
        "programs": Program.objects.count(),
        "work_items": WorkItem.objects.count(),
        "contributions": Contribution.objects.count(),
        "participation": Participation.objects.count(),
        "roads": RoadProject.objects.count(),
        "donations": LandDonation.objects.count(),
    }


def program_payload(tree, **overrides) -> dict:
    payload = {
        "unit": tree.commune_a.pk,
        "village": tree.village_a.pk,
        "organizer_level": "commune",
        "organizer": tree.commune_a.pk,
        "title": "Ra quân dân vận làm đường vào khu dân cư Nặm Mèng",
        "date": "2024-04-12",
        "fields": ["infrastructure", "persuasion"],
        "status": "held",
        "summary": "Hoàn thành hơn 750 m đường bê tông.",
        "work_items": [
            {
                "category": "infrastructure",
                "description": "Đổ bê tông đường",
                "quantity": "750,5",
                "unit_of_measure": "m",
            },
            {"category": "clean_up", "description": "Phát quang hành lang", "quantity": 2, "done": True},
            {"category": "persuasion", "description": "Vận động hiến đất", "location": "Bản Tổng Kim"},
        ],
        "contributions": [
            {"contributor_type": "businesses", "kind": "cash", "value_vnd": "1.234.567"},
            {"contributor_type": "residents", "kind": "in_kind", "value_vnd": 1234567, "note": "Xi măng"},
            {
                "contributor_type": "households",
                "kind": "labour_days",
                "quantity": "120,5",
                "unit_of_measure": "ngày công",
                "value_vnd": "24.100.000",
            },
        ],
        "participation": [
            {"category": "residents", "person_times": "1.200", "qualifier": "over"},
            {"category": "officials", "person_times": 45},
        ],
    }
    payload.update(overrides)
    return payload


def post(client, url: str, data: dict):
    return client.post(url, data, content_type="application/json")


def patch(client, url: str, data: dict):
    return client.patch(url, data, content_type="application/json")


def put(client, url: str, data: dict):
    return client.put(url, data, content_type="application/json")


# --- Who sees what ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("district_staff", {"a", "b"}),
        ("leader", {"a", "b"}),
        ("portal_admin", {"a", "b"}),
        ("commune_a_officer", {"a"}),
        ("commune_b_officer", {"b"}),
        ("viewer", {"a"}),
        ("agency_officer", set()),  # its department holds no programs
    ],
)
def test_program_list_shows_exactly_the_programs_in_scope(request, client, world, persona, expected):
    client.force_login(request.getfixturevalue(persona))
    by_letter = {"a": world.program_a.pk, "b": world.program_b.pk}

    assert ids(client, PROGRAMS) == {by_letter[letter] for letter in expected}


@pytest.mark.parametrize("persona", ["commune_b_officer", "agency_officer"])
def test_a_program_outside_scope_answers_like_a_missing_one(request, client, world, persona):
    client.force_login(request.getfixturevalue(persona))

    hidden = client.get(f"{PROGRAMS}{world.program_a.pk}/")
    missing = client.get(f"{PROGRAMS}999999/")

    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()


@pytest.mark.parametrize(
    ("method", "url"),
    [("get", "list"), ("get", "detail"), ("post", "list"), ("patch", "detail"), ("put", "detail")],
)
def test_anonymous_gets_401_everywhere(client, world, method, url):
    target = f"{PROGRAMS}{world.program_a.pk}/" if url == "detail" else PROGRAMS
    before = counts()

    response = getattr(client, method)(target, {}, content_type="application/json")

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Token")
    assert counts() == before


# --- Who writes what ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected_status"),
    [
        ("commune_a_officer", 201),
        ("district_staff", 201),
        ("portal_admin", 201),
        ("commune_b_officer", 400),  # commune A is not among its units: "unknown", not 403
        ("leader", 403),
        ("viewer", 403),
        ("agency_officer", 403),
    ],
)
def test_who_may_record_a_program(request, client, tree, persona, expected_status):
    client.force_login(request.getfixturevalue(persona))
    before = counts()

    response = post(client, PROGRAMS, program_payload(tree))

    assert response.status_code == expected_status, response.content
    after = counts()
    if expected_status == 201:
        assert after["programs"] == before["programs"] + 1
        assert (after["work_items"], after["contributions"], after["participation"]) == (3, 3, 2)
    else:
        assert after == before
    if persona == "commune_b_officer":
        assert response.json() == {
            "unit": ["Unknown unit."],
            "village": ["Unknown village."],
            "organizer": ["Unknown organizer."],
        }


def test_commune_a_officer_cannot_record_for_commune_b(client, tree, commune_a_officer):
    client.force_login(commune_a_officer)
    before = counts()

    response = post(
        client, PROGRAMS, program_payload(tree, unit=tree.commune_b.pk, village=None, organizer=tree.commune_a.pk)
    )

    assert response.status_code == 400
    assert response.json() == {"unit": ["Unknown unit."]}
    assert counts() == before


@pytest.mark.parametrize(
    ("persona", "expected_status"),
    [("leader", 403), ("viewer", 403), ("agency_officer", 404), ("commune_b_officer", 404)],
)
def test_who_may_not_change_a_program(request, client, world, persona, expected_status):
    client.force_login(request.getfixturevalue(persona))

    response = patch(client, f"{PROGRAMS}{world.program_a.pk}/", {"title": "Không được sửa", "version": 1})

    assert response.status_code == expected_status
    world.program_a.refresh_from_db()
    assert (world.program_a.version, world.program_a.title) == (1, "Ra quân làm đường khu dân cư Nặm Mèng")


def test_programs_cannot_be_deleted(client, world, portal_admin):
    client.force_login(portal_admin)

    response = client.delete(f"{PROGRAMS}{world.program_a.pk}/")

    assert response.status_code == 405
    assert Program.objects.filter(pk=world.program_a.pk).exists()


# --- The journey --------------------------------------------------------------------------------


def test_commune_program_road_and_donation_reach_the_district_totals(client, tree, commune_a_officer, district_staff):
    client.force_login(commune_a_officer)

    created = post(client, PROGRAMS, program_payload(tree))
    assert created.status_code == 201, created.content
    program_id = created.json()["id"]
    road = post(
        client,
        ROADS,
        {
            "unit": tree.commune_a.pk,
            "village": tree.village_a.pk,
            "program": program_id,
            "name": "Đường bê tông khu dân cư Nặm Mèng",
            "year": 2024,
            "length_m": "750,5",
            "road_width_m": 4,
            "surface_width_m": "3,5",
            "total_investment_vnd": "1.500.000.000",
            "people_share_vnd": "300.000.000",
        },
    )
    assert road.status_code == 201, road.content
    donation = post(
        client,
        DONATIONS,
        {
            "unit": tree.commune_a.pk,
            "village": tree.village_a.pk,
            "road": road.json()["id"],  # tied to the program only through its road
            "donor": "Hoàng Văn Pháo",
            "donated_on": "2024-04-01",
            "area_m2": "1.250,5",
            "trees": {"quế": 1000, "mỡ": 20},
            "labour_days": "30,5",
            "value_vnd": "85.000.000",
        },
    )
    assert donation.status_code == 201, donation.content

    client.force_login(district_staff)
    detail = client.get(f"{PROGRAMS}{program_id}/")

    assert detail.status_code == 200
    body = detail.json()
    assert body["unit"] == {"id": tree.commune_a.pk, "name": "Xã Vĩnh Yên", "kind": "commune"}
    assert [item["description"] for item in body["work_items"]] == [
        "Đổ bê tông đường",
        "Phát quang hành lang",
        "Vận động hiến đất",
    ]
    assert body["work_items"][0]["quantity"] == 750.5
    assert [c["value_vnd"] for c in body["contributions"]] == [1234567, 1234567, 24100000]
    assert [(p["category"], p["person_times"], p["qualifier"]) for p in body["participation"]] == [
        ("residents", 1200, "over"),
        ("officials", 45, "exact"),
    ]
    assert body["totals"] == {
        "value_vnd": 1234567 + 1234567 + 24100000,
        "value_vnd_qualifier": "exact",
        "labour_days": 120.5,
        "labour_days_qualifier": "exact",
        "person_times": 1245,
        "person_times_qualifier": "over",  # "trên 1.200" residents: the total is over too
        "work_items": 3,
        "work_items_done": 1,
    }
    assert body["donations"] == {"count": 1, "area_m2": 1250.5, "value_vnd": 85000000}
    assert [r["name"] for r in body["roads"]] == ["Đường bê tông khu dân cư Nặm Mèng"]
    listed = {item["id"]: item for item in fetch_all(client, PROGRAMS)}
    assert listed[program_id]["totals"] == body["totals"]
    assert listed[program_id]["donations"] == body["donations"]
    program = Program.objects.get(pk=program_id)
    assert (program.created_by, program.village, program.fields) == (
        commune_a_officer,
        tree.village_a,
        ["infrastructure", "persuasion"],
    )


def test_a_donation_tied_to_the_program_and_to_its_road_counts_once(client, tree, district_staff):
    program = make_program(district_staff, tree.commune_a)
    road = services.road_project_save(
        user=district_staff,
        values={"unit": tree.commune_a, "program": program, "name": "Đường nội bản", "year": 2024, "length_m": 600},
    )
    for program_link, road_link in [(program, road), (program, None), (None, road)]:
        services.land_donation_save(
            user=district_staff,
            values={
                "unit": tree.commune_a,
                "program": program_link,
                "road": road_link,
                "donor": "Hộ gia đình",
                "donated_on": date(2024, 3, 1),
                "area_m2": Decimal(100),
                "value_vnd": 1_000_000,
            },
        )
    client.force_login(district_staff)

    body = client.get(f"{PROGRAMS}{program.pk}/").json()

    assert body["donations"] == {"count": 3, "area_m2": 300.0, "value_vnd": 3_000_000}


def test_totals_of_a_program_without_rows_are_zero(client, tree, district_staff):
    program = make_program(district_staff, tree.commune_a, rows=0)
    client.force_login(district_staff)

    body = client.get(f"{PROGRAMS}{program.pk}/").json()

    assert body["totals"] == {
        "value_vnd": 0,
        "value_vnd_qualifier": "exact",
        "labour_days": 0,
        "labour_days_qualifier": "exact",
        "person_times": 0,
        "person_times_qualifier": "exact",
        "work_items": 0,
        "work_items_done": 0,
    }
    assert body["donations"] == {"count": 0, "area_m2": 0, "value_vnd": 0}


def test_hedge_words_travel_with_the_totals(client, tree, district_staff):
    program = services.program_create(
        user=district_staff,
        data=services.ProgramInput(
            values={
                "unit": tree.commune_a,
                "organizer_level": "district",
                "organizer": tree.ban_dan_van,
                "title": "Ra quân toàn huyện",
                "date": date(2024, 3, 10),
                "status": ProgramStatus.HELD,
            },
            contributions=[
                {"contributor_type": "businesses", "kind": "cash", "value_vnd": 10_000_000_000, "qualifier": "almost"},
                {"contributor_type": "residents", "kind": "cash", "value_vnd": 5_000_000_000, "qualifier": "over"},
                {"contributor_type": "residents", "kind": "labour_days", "quantity": 300, "qualifier": "almost"},
            ],
            participation=[{"category": "residents", "person_times": 20_000}],
        ),
    )
    client.force_login(district_staff)

    totals = client.get(f"{PROGRAMS}{program.pk}/").json()["totals"]

    assert (totals["value_vnd"], totals["value_vnd_qualifier"]) == (15_000_000_000, "mixed")
    assert (totals["labour_days"], totals["labour_days_qualifier"]) == (300, "almost")
    assert (totals["person_times"], totals["person_times_qualifier"]) == (20_000, "exact")


# --- Vietnamese numbers -------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["1.234.567", 1234567, "1234567", " 1.234.567 ", 1234567.0])
def test_money_is_read_as_integer_or_vietnamese_string(client, tree, commune_a_officer, value):
    client.force_login(commune_a_officer)
    payload = program_payload(tree)
    payload["contributions"] = [{"contributor_type": "residents", "kind": "cash", "value_vnd": value}]

    response = post(client, PROGRAMS, payload)

    assert response.status_code == 201, response.content
    assert Contribution.objects.get(program_id=response.json()["id"]).value_vnd == 1234567


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("283,75", Decimal("283.75")),
        (283.75, Decimal("283.75")),
        ("1.234,5", Decimal("1234.5")),
        ("1.234", Decimal(1234)),
        (12, 12),
    ],
)
def test_quantities_are_read_as_numbers_or_with_a_decimal_comma(client, tree, commune_a_officer, value, expected):
    client.force_login(commune_a_officer)
    payload = program_payload(tree)
    payload["work_items"] = [{"category": "infrastructure", "description": "Đường", "quantity": value}]

    response = post(client, PROGRAMS, payload)

    assert response.status_code == 201, response.content
    assert WorkItem.objects.get(program_id=response.json()["id"]).quantity == expected


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("1,234,567", "is not a whole number"),
        ("1.5", "is not a whole number"),
        ("mười triệu", "is not a whole number"),
        (1.5, "Enter a whole number"),
        (True, "Enter a whole number"),
        ("-1.000", "cannot be below 0"),
        (-5, "cannot be below 0"),
    ],
)
def test_unparseable_or_negative_money_changes_nothing(client, tree, commune_a_officer, value, fragment):
    client.force_login(commune_a_officer)
    payload = program_payload(tree)
    payload["contributions"][1]["value_vnd"] = value
    before = counts()

    response = post(client, PROGRAMS, payload)

    assert response.status_code == 400
    errors = response.json()
    assert list(errors) == ["contributions"]
    assert list(errors["contributions"]) == ["1"]
    assert list(errors["contributions"]["1"]) == ["value_vnd"]
    assert fragment in errors["contributions"]["1"]["value_vnd"][0]
    assert counts() == before


@pytest.mark.parametrize("value", ["-3", -0.5, "1.5", "abc", "12,345"])
def test_a_negative_or_unparseable_quantity_changes_nothing(client, tree, commune_a_officer, value):
    client.force_login(commune_a_officer)
    payload = program_payload(tree)
    payload["work_items"][2]["quantity"] = value
    before = counts()

    response = post(client, PROGRAMS, payload)

    assert response.status_code == 400
    assert list(response.json()) == ["work_items"]
    assert list(response.json()["work_items"]["2"]) == ["quantity"]
    assert counts() == before


def test_negative_person_times_change_nothing(client, tree, commune_a_officer):
    client.force_login(commune_a_officer)
    payload = program_payload(tree)
    payload["participation"][1]["person_times"] = -45
    before = counts()

    response = post(client, PROGRAMS, payload)

    assert response.status_code == 400
    assert response.json() == {"participation": {"1": {"person_times": ["The value cannot be below 0."]}}}
    assert counts() == before


# --- Refusals that change nothing ---------------------------------------------------------------


def test_a_program_dated_after_its_host_commune_ended_is_refused(client, tree, commune_a_officer):
    client.force_login(commune_a_officer)
    before = counts()

    # Xã Vĩnh Yên ended on 30/06/2025 with the district.
    response = post(client, PROGRAMS, program_payload(tree, date="2025-08-01", status="planned"))

    assert response.status_code == 400
    assert response.json() == {"date": ["Xã Vĩnh Yên did not exist on that date."]}
    assert counts() == before


def test_a_held_program_cannot_be_dated_in_the_future(client, tree, commune_a_officer):
    client.force_login(commune_a_officer)
    before = counts()

    response = post(client, PROGRAMS, program_payload(tree, date="2024-12-15"))

    assert response.status_code == 400
    assert response.json() == {"date": ["A program that has been held cannot be dated in the future."]}
    assert counts() == before


def test_a_planned_program_may_be_dated_in_the_future(client, tree, commune_a_officer):
    client.force_login(commune_a_officer)

    response = post(client, PROGRAMS, program_payload(tree, date="2024-12-15", status="planned"))

    assert response.status_code == 201, response.content
    assert response.json()["status"] == "planned"


@pytest.mark.parametrize(
    ("row", "fragment"),
    [
        # "over 1.234.567" is not a hedge: the figure is exact.
        (("contributions", 0, {"qualifier": "over"}), "qualifies a round figure"),
        # "almost nothing" is no figure at all.
        (("contributions", 1, {"qualifier": "almost", "value_vnd": 0, "quantity": 0}), "cannot qualify zero"),
        (("participation", 1, {"qualifier": "over"}), "qualifies a round figure"),  # 45
    ],
)
def test_a_qualifier_contradicting_its_value_changes_nothing(client, tree, commune_a_officer, row, fragment):
    client.force_login(commune_a_officer)
    payload = program_payload(tree)
    name, index, changes = row
    payload[name][index].update(changes)
    before = counts()

    response = post(client, PROGRAMS, payload)

    assert response.status_code == 400
    errors = response.json()
    assert list(errors) == [name]
    assert list(errors[name]) == [str(index)]
    assert fragment in errors[name][str(index)]["qualifier"][0]
    assert counts() == before


def test_a_round_figure_may_be_qualified(client, tree, commune_a_officer):
    client.force_login(commune_a_officer)
    payload = program_payload(tree)
    payload["contributions"][0].update(value_vnd="10.000.000.000", qualifier="almost")

    response = post(client, PROGRAMS, payload)

    assert response.status_code == 201, response.content
    assert response.json()["contributions"][0]["qualifier_display"] == "almost (gần)"


def test_one_participation_row_per_category(client, tree, commune_a_officer):
    client.force_login(commune_a_officer)
    payload = program_payload(tree)
    payload["participation"].append({"category": "residents", "person_times": 10})
    before = counts()

    response = post(client, PROGRAMS, payload)

    assert response.status_code == 400
    assert response.json() == {
        "participation": {"2": {"category": ["This category is already counted in another row."]}}
    }
    assert counts() == before


def test_a_village_of_another_commune_is_refused(client, tree, district_staff):
    client.force_login(district_staff)  # sees both communes, so the ids are known
    before = counts()

    response = post(client, PROGRAMS, program_payload(tree, village=tree.village_b.pk))

    assert response.status_code == 400
    assert response.json() == {"village": ["The village must belong to the host commune."]}
    assert counts() == before


def test_a_basis_document_outside_scope_is_unknown(client, tree, commune_a_officer, district_staff):
    scheme = document_issue(
        issuer=tree.party_committee,
        kind=DocumentKind.DA,
        day=date(2021, 3, 1),
        subject="Đề án dân vận",
        created_by=district_staff,
    )
    client.force_login(commune_a_officer)

    hidden = post(client, PROGRAMS, program_payload(tree, basis_document=scheme.pk))
    absent = post(client, PROGRAMS, program_payload(tree, basis_document=999999))

    assert hidden.status_code == absent.status_code == 400
    assert hidden.json() == absent.json() == {"basis_document": ["Unknown document."]}


def test_district_staff_names_the_basis_document(client, tree, district_staff):
    scheme = document_issue(
        issuer=tree.party_committee,
        kind=DocumentKind.DA,
        day=date(2021, 3, 1),
        subject="Đề án dân vận",
        created_by=district_staff,
    )
    client.force_login(district_staff)

    response = post(
        client,
        PROGRAMS,
        program_payload(tree, organizer_level="district", organizer=tree.ban_dan_van.pk, basis_document=scheme.pk),
    )

    assert response.status_code == 201, response.content
    assert response.json()["basis_document"]["symbol"] == "1-ĐA/HU"
    assert response.json()["organizer"]["id"] == tree.ban_dan_van.pk


def test_unknown_choices_are_refused(client, tree, commune_a_officer):
    client.force_login(commune_a_officer)
    payload = program_payload(tree, fields=["environment", "astrology"], organizer_level="province")
    payload["work_items"][0]["category"] = "magic"

    response = post(client, PROGRAMS, payload)

    assert response.status_code == 400
    assert set(response.json()) == {"fields", "organizer_level", "work_items"}
    assert list(response.json()["fields"]) == ["1"]


def test_service_row_errors_are_keyed_by_position():
    exc = ValidationError({"work_items-1": ["Bad row."], "__all__": ["Whole."], "date": ["Bad date."]})

    assert drf_errors(exc, NESTED_LISTS) == {
        "work_items": {"1": ["Bad row."]},
        "non_field_errors": ["Whole."],
        "date": ["Bad date."],
    }


# --- Updates ------------------------------------------------------------------------------------


def test_a_patch_changes_what_it_names_and_keeps_the_rows(client, world, commune_a_officer):
    client.force_login(commune_a_officer)
    url = f"{PROGRAMS}{world.program_a.pk}/"

    response = patch(client, url, {"title": "Tiêu đề đã sửa", "status": "reviewed", "version": 1})

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["title"], body["status"], body["version"]) == ("Tiêu đề đã sửa", "reviewed", 2)
    assert (len(body["work_items"]), len(body["contributions"]), len(body["participation"])) == (1, 1, 1)
    assert body["totals"]["value_vnd"] == 1_000_000
    world.program_a.refresh_from_db()
    assert world.program_a.date == date(2024, 3, 10)
    assert world.program_a.history.count() == 2


def test_a_patch_with_one_list_replaces_only_that_list(client, world, commune_a_officer):
    client.force_login(commune_a_officer)
    url = f"{PROGRAMS}{world.program_a.pk}/"

    response = patch(
        client,
        url,
        {
            "contributions": [
                {"contributor_type": "officials", "kind": "cash", "value_vnd": "2.000.000"},
                {"contributor_type": "businesses", "kind": "in_kind", "value_vnd": "3.000.000"},
            ],
            "version": 1,
        },
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert [c["value_vnd"] for c in body["contributions"]] == [2_000_000, 3_000_000]
    assert body["totals"]["value_vnd"] == 5_000_000
    assert len(body["work_items"]) == len(body["participation"]) == 1
    # A row sent with a PATCH is a whole row: its defaults apply.
    assert body["contributions"][0]["qualifier"] == "exact"


def test_a_bad_row_in_a_patch_changes_nothing(client, world, commune_a_officer):
    client.force_login(commune_a_officer)
    before = counts()

    response = patch(
        client,
        f"{PROGRAMS}{world.program_a.pk}/",
        {
            "title": "Không lưu",
            "work_items": [{"category": "clean_up", "description": "Tốt"}, {"category": "clean_up"}],
            "version": 1,
        },
    )

    assert response.status_code == 400
    assert response.json() == {"work_items": {"1": {"description": ["This field is required."]}}}
    assert counts() == before
    world.program_a.refresh_from_db()
    assert (world.program_a.title, world.program_a.version) == ("Ra quân làm đường khu dân cư Nặm Mèng", 1)


def test_a_put_replaces_the_program_and_its_rows(client, tree, world, commune_a_officer):
    client.force_login(commune_a_officer)
    payload = program_payload(tree, title="Thay toàn bộ", version=1)
    del payload["unit"]

    response = put(client, f"{PROGRAMS}{world.program_a.pk}/", payload)

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["title"], body["version"], body["date"]) == ("Thay toàn bộ", 2, "2024-04-12")
    assert (len(body["work_items"]), len(body["contributions"]), len(body["participation"])) == (3, 3, 2)
    assert WorkItem.objects.filter(program=world.program_a).count() == 3


def test_a_put_without_the_lists_is_refused(client, tree, world, commune_a_officer):
    client.force_login(commune_a_officer)
    payload = program_payload(tree, version=1)
    for name in ("unit", "work_items", "contributions", "participation"):
        del payload[name]

    response = put(client, f"{PROGRAMS}{world.program_a.pk}/", payload)

    assert response.status_code == 400
    assert set(response.json()) == {"work_items", "contributions", "participation"}
    assert WorkItem.objects.filter(program=world.program_a).count() == 1


def test_the_host_commune_is_kept_on_update(client, tree, world, district_staff):
    client.force_login(district_staff)

    response = patch(client, f"{PROGRAMS}{world.program_a.pk}/", {"unit": tree.commune_b.pk, "version": 1})

    assert response.status_code == 200
    world.program_a.refresh_from_db()
    assert world.program_a.unit == tree.commune_a


def test_a_stale_version_is_a_conflict_and_changes_nothing(client, world, commune_a_officer, district_staff):
    client.force_login(district_staff)
    assert patch(client, f"{PROGRAMS}{world.program_a.pk}/", {"title": "Sửa trước", "version": 1}).status_code == 200
    client.force_login(commune_a_officer)
    before = counts()

    response = patch(
        client,
        f"{PROGRAMS}{world.program_a.pk}/",
        {"title": "Sửa sau", "work_items": [], "version": 1},
    )

    assert response.status_code == 409
    assert "Reload it and try again" in response.json()["detail"]
    assert counts() == before
    world.program_a.refresh_from_db()
    assert (world.program_a.title, world.program_a.version) == ("Sửa trước", 2)


def test_an_update_without_version_is_refused(client, world, commune_a_officer):
    client.force_login(commune_a_officer)

    response = patch(client, f"{PROGRAMS}{world.program_a.pk}/", {"title": "Không có phiên bản"})

    assert response.status_code == 400
    assert response.json() == {"version": ["Send the version you read."]}


def test_a_status_cannot_go_back(client, world, commune_a_officer):
    client.force_login(commune_a_officer)

    response = patch(client, f"{PROGRAMS}{world.program_a.pk}/", {"status": "planned", "version": 1})

    assert response.status_code == 400
    assert response.json() == {"status": ["A program that is “Held” cannot become “Planned”."]}
    world.program_a.refresh_from_db()
    assert (world.program_a.status, world.program_a.version) == (ProgramStatus.HELD, 1)


# --- Filters ------------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["nam meng", "NẶM MÈNG", "lam duong"])
def test_search_ignores_case_and_diacritics(client, world, district_staff, query):
    client.force_login(district_staff)

    assert ids(client, f"{PROGRAMS}?q={query}") == {world.program_a.pk}


def test_filters_narrow_the_list(client, tree, world, district_staff):
    planned = make_program(
        district_staff, tree.commune_b, status=ProgramStatus.PLANNED, date=date(2023, 1, 5), organizer_level="district"
    )
    client.force_login(district_staff)

    assert ids(client, f"{PROGRAMS}?unit={tree.commune_a.pk}") == {world.program_a.pk}
    assert ids(client, f"{PROGRAMS}?unit={tree.district.pk}") == {world.program_a.pk, world.program_b.pk, planned.pk}
    assert ids(client, f"{PROGRAMS}?status=planned") == {planned.pk}
    assert ids(client, f"{PROGRAMS}?organizer_level=district") == {planned.pk}
    assert ids(client, f"{PROGRAMS}?date_to=2023-12-31") == {planned.pk}
    assert ids(client, f"{PROGRAMS}?date_from=2024-01-01") == {world.program_a.pk, world.program_b.pk}


def test_filter_by_unit_outside_scope_is_empty_not_an_error(client, tree, world, commune_a_officer):
    client.force_login(commune_a_officer)

    assert ids(client, f"{PROGRAMS}?unit={tree.commune_b.pk}") == set()
    assert ids(client, f"{PROGRAMS}?unit=999999") == set()


@pytest.mark.parametrize("query", ["date_from=20/05/2024", "status=finished", "organizer_level=province", "unit=1.5"])
def test_an_invalid_filter_is_a_400_naming_it(client, world, district_staff, query):
    client.force_login(district_staff)

    response = client.get(f"{PROGRAMS}?{query}")

    assert response.status_code == 400
    assert query.split("=")[0] in response.json()


# --- Cost of a page -----------------------------------------------------------------------------


def _list_queries(client, url: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"{url}?page_size=200")
    assert response.status_code == 200
    return len(queries), len(response.json()["results"])


@pytest.mark.parametrize("persona", ["district_staff", "commune_a_officer"])
def test_program_list_query_count_does_not_grow_with_rows(
    request, client, tree, district_staff, persona, django_assert_max_num_queries
):
    def add(count: int) -> None:
        for index in range(count):
            program = make_program(district_staff, tree.commune_a, rows=3, village=tree.village_a)
            road = services.road_project_save(
                user=district_staff,
                values={
                    "unit": tree.commune_a,
                    "program": program,
                    "name": f"Đường {index}",
                    "year": 2024,
                    "length_m": 10,
                },
            )
            services.land_donation_save(
                user=district_staff,
                values={
                    "unit": tree.commune_a,
                    "road": road,
                    "donor": "Hộ",
                    "donated_on": date(2024, 3, 1),
                    "area_m2": 5,
                },
            )

    add(3)
    client.force_login(request.getfixturevalue(persona))
    few, few_rows = _list_queries(client, PROGRAMS)
    add(27)

    # session, user, memberships, the page (totals are subqueries of it)
    with django_assert_max_num_queries(4):
        many, many_rows = _list_queries(client, PROGRAMS)

    assert (few_rows, many_rows) == (3, 30)
    assert many == few


def test_program_detail_query_count_does_not_grow_with_rows(client, tree, district_staff):
    small = make_program(district_staff, tree.commune_a, rows=1)
    large = make_program(district_staff, tree.commune_a, rows=7)
    client.force_login(district_staff)

    with CaptureQueriesContext(connection) as few:
        assert client.get(f"{PROGRAMS}{small.pk}/").status_code == 200
    with CaptureQueriesContext(connection) as many:
        body = client.get(f"{PROGRAMS}{large.pk}/").json()

    assert len(body["work_items"]) == 7
    assert len(many) == len(few)


def test_a_patch_that_is_not_an_object_is_refused(client, world, commune_a_officer):
    client.force_login(commune_a_officer)

    response = client.patch(f"{PROGRAMS}{world.program_a.pk}/", [1, 2], content_type="application/json")

    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Send an object with the fields to change."]}
