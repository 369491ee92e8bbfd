"""Movement pages: the scoped list (filters, search, sort, export, empty state, query count),
creating and editing a movement (version check), the movement page (criteria by year with their
validity, rounds with their counts, awards, history), and the criteria set form (inline rows,
points that must add up, frozen sets shown read-only and copied to another year)."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from campaigns import services
from campaigns.models import CriteriaSet, Criterion, Movement, MovementStatus, TargetType
from campaigns.tests.factories import movement_with_criteria, open_round
from conftest import _member
from organization.models import Role, UnitKind
from organization.tests.factories import UnitFactory

pytestmark = pytest.mark.django_db

CRITERION_BLANK = {"code": "", "text": "", "group": "", "max_points": "", "weight": "1", "order": ""}


# --- Arrangements ------------------------------------------------------------------------------


@pytest.fixture
def movement(tree, district_staff) -> Movement:
    return movement_with_criteria(district_staff, tree.district, launched_by=tree.ban_dan_van)


@pytest.fixture
def other_staff(tree):
    """District staff of a neighbouring district: none of our movements exist for them."""
    other = UnitFactory(key="t-other", name="Huyện Bắc Hà", kind=UnitKind.DISTRICT, parent=tree.province)
    return _member("other_staff", other, Role.DISTRICT_STAFF)


def movement_post(tree, **overrides) -> dict:
    data = {
        "name": "Ngày Chủ nhật xanh",
        "unit": tree.district.pk,
        "launched_by": tree.ban_dan_van.pk,
        "launch_date": "01/03/2024",
        "is_dvk": "",
        "target_types": ["village", "office"],
        "regulation_document": "",
        "description": "Ra quân vệ sinh môi trường",
        "status": "active",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def criteria_post(rows: list[dict], *, total: int = 3, initial: int = 0, **fields) -> dict:
    """The criteria form's POST: the set's fields and ``rows`` (the rest of ``total`` left blank)."""
    data = {"target_type": "village", "year": "2025", "total_points": "100", "note": "", **fields}
    count = max(total, len(rows))
    data.update(
        {
            "criteria-TOTAL_FORMS": str(count),
            "criteria-INITIAL_FORMS": str(initial),
            "criteria-MIN_NUM_FORMS": "0",
            "criteria-MAX_NUM_FORMS": "100",
        }
    )
    for index in range(count):
        values = {**CRITERION_BLANK, **(rows[index] if index < len(rows) else {})}
        data.update({f"criteria-{index}-{name}": value for name, value in values.items()})
    return data


def row(code: str, points: str, **values) -> dict:
    return {"code": code, "text": f"Tiêu chí {code}", "group": "Vệ sinh", "max_points": points, **values}


def listed(client, **params) -> list[str]:
    response = client.get(reverse("campaigns:movement_list"), params)
    assert response.status_code == 200
    return [r["movement"].name for r in response.context["rows"]]


# --- Role matrix --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("district_staff", True),
        ("commune_a_officer", True),
        ("commune_b_officer", True),
        ("leader", True),
        ("viewer", True),
        ("other_staff", False),
    ],
)
def test_list_shows_the_district_movement_to_everyone_in_the_district(client, request, movement, persona, sees):
    client.force_login(request.getfixturevalue(persona))
    assert listed(client) == ([movement.name] if sees else [])


@pytest.mark.parametrize(
    ("persona", "status", "manages"),
    [
        ("district_staff", 200, True),
        ("portal_admin", 200, True),
        ("commune_a_officer", 200, False),
        ("leader", 200, False),
        ("viewer", 200, False),
        ("other_staff", 404, False),
    ],
)
def test_movement_page_by_role(client, request, movement, persona, status, manages):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse("campaigns:movement_detail", args=[movement.pk]))
    assert response.status_code == status
    if status == 200:
        assert response.context["may_manage"] is manages
        edit_url = reverse("campaigns:movement_edit", args=[movement.pk]).encode()
        assert (edit_url in response.content) is manages
        assert (reverse("campaigns:round_create", args=[movement.pk]).encode() in response.content) is manages


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("district_staff", 200),
        ("commune_a_officer", 403),
        ("leader", 403),
        ("viewer", 403),
        ("agency_officer", 403),
    ],
)
def test_only_district_staff_create_movements(client, tree, request, persona, expected):
    client.force_login(request.getfixturevalue(persona))
    url = reverse("campaigns:movement_create")
    assert client.get(url).status_code == expected
    response = client.post(url, movement_post(tree))
    assert response.status_code == (302 if expected == 200 else expected)
    assert Movement.objects.count() == (1 if expected == 200 else 0)


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("district_staff", 200),
        ("commune_a_officer", 403),
        ("leader", 403),
        ("viewer", 403),
        ("other_staff", 404),
    ],
)
def test_edit_page_by_role(client, tree, request, movement, persona, expected):
    client.force_login(request.getfixturevalue(persona))
    url = reverse("campaigns:movement_edit", args=[movement.pk])
    assert client.get(url).status_code == expected
    response = client.post(url, movement_post(tree, name="Đổi tên", version=movement.version))
    assert response.status_code == (302 if expected == 200 else expected)
    movement.refresh_from_db()
    assert (movement.name == "Đổi tên") is (expected == 200)


def test_anonymous_is_sent_to_login_from_every_movement_page(client, tree, movement):
    criteria_set = movement.criteria_sets.get()
    urls = [
        reverse("campaigns:movement_list"),
        reverse("campaigns:movement_create"),
        reverse("campaigns:movement_detail", args=[movement.pk]),
        reverse("campaigns:movement_edit", args=[movement.pk]),
        reverse("campaigns:criteria_set_create", args=[movement.pk]),
        reverse("campaigns:criteria_set_edit", args=[criteria_set.pk]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login")), url
    response = client.post(reverse("campaigns:criteria_set_copy", args=[criteria_set.pk]), {"year": "2025"})
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert CriteriaSet.objects.count() == 1


# --- Creating and editing -----------------------------------------------------------------------


def test_district_staff_create_a_movement(client, tree, district_staff):
    client.force_login(district_staff)
    response = client.get(reverse("campaigns:movement_create"))
    assert response.context["form"].initial["unit"] == tree.district
    assert response.context["form"].initial["launched_by"] == tree.ban_dan_van

    response = client.post(reverse("campaigns:movement_create"), movement_post(tree, is_dvk="on"))
    movement = Movement.objects.get()
    assert response.url == reverse("campaigns:movement_detail", args=[movement.pk])
    assert movement.unit == tree.district
    assert movement.target_types == ["village", "office"]
    assert movement.is_dvk is True
    assert movement.created_by == district_staff


def test_a_movement_without_kinds_of_units_is_refused_and_nothing_saved(client, tree, district_staff):
    client.force_login(district_staff)
    data = movement_post(tree)
    del data["target_types"]
    response = client.post(reverse("campaigns:movement_create"), data)
    assert response.status_code == 200
    assert response.context["form"].errors["target_types"]
    assert Movement.objects.count() == 0


def test_a_launch_date_when_the_area_did_not_exist_is_refused_by_the_service(client, tree, district_staff):
    client.force_login(district_staff)
    response = client.post(reverse("campaigns:movement_create"), movement_post(tree, launch_date="01/03/2026"))
    assert response.status_code == 200
    assert response.context["form"].errors["launch_date"] == [
        _("%(unit)s did not exist on that date.") % {"unit": tree.district.name}
    ]
    assert Movement.objects.count() == 0


def test_a_commune_officer_cannot_choose_an_area_even_by_a_forged_post(client, tree, district_staff, commune_a_officer):
    client.force_login(commune_a_officer)
    response = client.post(reverse("campaigns:movement_create"), movement_post(tree, unit=tree.commune_a.pk))
    assert response.status_code == 403
    assert Movement.objects.count() == 0


def test_edit_saves_and_bumps_the_version(client, tree, movement, district_staff):
    client.force_login(district_staff)
    url = reverse("campaigns:movement_edit", args=[movement.pk])
    form = client.get(url).context["form"]
    assert "unit" not in form.fields
    assert form.initial["version"] == movement.version == 1
    data = movement_post(tree, name="10 phút – năm 2024", target_types=["village"], version="1")
    data.pop("unit")
    response = client.post(url, data)
    assert response.status_code == 302
    movement.refresh_from_db()
    assert movement.name == "10 phút – năm 2024"
    assert movement.version == 2


def test_stale_version_is_refused_with_a_clear_message(client, tree, movement, district_staff):
    services.movement_update(user=district_staff, movement=movement, values={"name": "Sửa trước"}, expected_version=1)
    client.force_login(district_staff)
    response = client.post(
        reverse("campaigns:movement_edit", args=[movement.pk]), movement_post(tree, name="Sửa sau", version="1")
    )
    assert response.status_code == 200
    assert response.context["stale"] is True
    assert response.context["form"].non_field_errors()
    movement.refresh_from_db()
    assert movement.name == "Sửa trước"


# --- The list ------------------------------------------------------------------------------------


def test_list_filters_by_status_dvk_flag_and_search_without_accents(client, tree, district_staff):
    movement_with_criteria(district_staff, tree.district, name="10 phút góp phần cải thiện môi trường")
    plain = services.movement_create(
        user=district_staff,
        values={
            "name": "Ngày Chủ nhật xanh",
            "unit": tree.district,
            "launched_by": tree.ban_dan_van,
            "launch_date": date(2023, 5, 1),
            "target_types": ["school"],
            "status": MovementStatus.ENDED,
        },
    )
    client.force_login(district_staff)
    assert listed(client) == ["10 phút góp phần cải thiện môi trường", plain.name]
    assert listed(client, status="ended") == [plain.name]
    assert listed(client, is_dvk="yes") == ["10 phút góp phần cải thiện môi trường"]
    assert listed(client, is_dvk="no") == [plain.name]
    assert listed(client, q="cai thien moi truong") == ["10 phút góp phần cải thiện môi trường"]
    assert listed(client, q="chu nhat") == [plain.name]
    assert listed(client, sort="name") == ["10 phút góp phần cải thiện môi trường", plain.name]
    assert listed(client, sort="-name") == [plain.name, "10 phút góp phần cải thiện môi trường"]
    assert listed(client, sort="password") == listed(client)


def test_export_contains_the_filtered_movements(client, tree, district_staff, movement):
    open_round(district_staff, movement, date(2024, 3, 1))
    client.force_login(district_staff)
    response = client.get(reverse("campaigns:movement_list"), {"export": "csv", "is_dvk": "yes"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    record = dict(zip(rows[0], rows[1], strict=True))
    assert len(rows) == 2
    assert record[_("Name")] == movement.name
    assert record[_("Units scored")] == str(TargetType.VILLAGE.label)
    assert record[_("Rounds")] == "1"
    assert record[_("Launch date")] == "01/01/2024"

    response = client.get(reverse("campaigns:movement_list"), {"export": "xlsx", "is_dvk": "no"})
    values = list(load_workbook(io.BytesIO(response.content)).active.values)
    assert len(values) == 1  # the header only: the filter leaves no movement


def test_empty_list_offers_district_staff_to_create_a_movement(client, tree, district_staff, commune_a_officer):
    client.force_login(district_staff)
    response = client.get(reverse("campaigns:movement_list"))
    assert response.context["may_create"] is True
    assert reverse("campaigns:movement_create").encode() in response.content
    client.force_login(commune_a_officer)
    response = client.get(reverse("campaigns:movement_list"))
    assert response.context["may_create"] is False
    assert reverse("campaigns:movement_create").encode() not in response.content
    assert _("No movements yet").encode() in response.content


def test_list_is_paginated_by_25(client, tree, district_staff):
    for index in range(27):
        services.movement_create(
            user=district_staff,
            values={
                "name": f"Phong trào {index}",
                "unit": tree.district,
                "launched_by": tree.ban_dan_van,
                "launch_date": date(2024, 1, 1),
                "target_types": ["village"],
            },
        )
    client.force_login(district_staff)
    assert len(listed(client)) == 25
    assert len(listed(client, page=2)) == 2


@pytest.mark.parametrize("count", [2, 12])
def test_list_query_count_does_not_grow_with_rows(client, tree, district_staff, django_assert_max_num_queries, count):
    for index in range(count):
        movement_with_criteria(district_staff, tree.district, name=f"Phong trào {index}")
    client.force_login(district_staff)
    with django_assert_max_num_queries(9):
        assert len(listed(client)) == count


# --- The movement page ---------------------------------------------------------------------------


def test_movement_page_groups_criteria_by_year_and_warns_of_invalid_sets(client, tree, district_staff, movement):
    services.criteria_set_copy(user=district_staff, source=movement.criteria_sets.get(), year=2025)
    # An invalid set can exist only when made outside the services (admin, old data).
    broken = CriteriaSet.objects.create(movement=movement, target_type="village", year=2026, total_points=100)
    Criterion.objects.create(criteria_set=broken, code="A", text="Một", max_points=Decimal(60))
    client.force_login(district_staff)
    response = client.get(reverse("campaigns:movement_detail", args=[movement.pk]))
    assert [year.year for year in response.context["years"]] == [2026, 2025, 2024]
    assert response.context["years"][0].sets[0].problems() == [
        _("The criteria's maximum points add up to %(found)s, not the set's total of %(total)s.")
        % {"found": "60", "total": "100"}
    ]
    content = response.content.decode()
    assert 'id="criteria-2024"' in content
    assert _("A round cannot open with these criteria:") in content
    assert "Tiêu chí 1" in content


def test_movement_page_lists_rounds_with_scored_and_eligible_counts(
    client, tree, district_staff, commune_a_officer, movement
):
    round_ = open_round(district_staff, movement, date(2024, 3, 1))
    services.round_create(user=district_staff, movement=movement, month=date(2024, 4, 1))
    criteria = list(movement.criteria_sets.get().criteria.all())
    services.grid_save(
        user=commune_a_officer,
        round_=round_,
        rows={tree.village_a.pk: {c.pk: "10" for c in criteria}},
        submit=True,
    )
    client.force_login(commune_a_officer)
    response = client.get(reverse("campaigns:movement_detail", args=[movement.pk]))
    rows = response.context["rounds"]
    assert [r["round"].month for r in rows] == [date(2024, 4, 1), date(2024, 3, 1)]
    march = rows[1]
    assert (march["scored"], march["verified"], march["eligible"]) == (1, 0, 2)
    assert reverse("campaigns:grid", args=[round_.pk]).encode() in response.content


def test_movement_page_shows_the_regulation_document_and_history(client, tree, district_staff, movement):
    services.movement_update(
        user=district_staff, movement=movement, values={"description": "Theo Kế hoạch"}, expected_version=1
    )
    client.force_login(district_staff)
    response = client.get(reverse("campaigns:movement_detail", args=[movement.pk]))
    assert len(response.context["history"]) == 2
    assert response.context["document_visible"] is False
    assert _("Change history").encode() in response.content


# --- Criteria sets --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("district_staff", 200),
        ("commune_a_officer", 403),
        ("leader", 403),
        ("viewer", 403),
        ("other_staff", 404),
    ],
)
def test_criteria_pages_by_role(client, request, movement, persona, expected):
    client.force_login(request.getfixturevalue(persona))
    criteria_set = movement.criteria_sets.get()
    assert client.get(reverse("campaigns:criteria_set_create", args=[movement.pk])).status_code == expected
    assert client.get(reverse("campaigns:criteria_set_edit", args=[criteria_set.pk])).status_code == expected
    response = client.post(
        reverse("campaigns:criteria_set_create", args=[movement.pk]),
        criteria_post([row("A", "60"), row("B", "40")]),
    )
    assert response.status_code == (302 if expected == 200 else expected)
    response = client.post(reverse("campaigns:criteria_set_copy", args=[criteria_set.pk]), {"year": "2026"})
    assert response.status_code == (302 if expected == 200 else expected)
    assert CriteriaSet.objects.count() == (3 if expected == 200 else 1)


def test_criteria_set_is_saved_with_its_rows_and_vietnamese_points(client, movement, district_staff):
    client.force_login(district_staff)
    page = client.get(reverse("campaigns:criteria_set_create", args=[movement.pk]) + "?type=village&year=2025")
    assert page.context["form"].initial == {"year": 2025, "target_type": "village"}
    assert b"js/campaigns_criteria.js" in page.content
    assert b"<script>" not in page.content

    data = criteria_post(
        [row("TC1", "62,5", weight="2", order="2"), row("TC2", "37,5", group="Cảnh quan", order="1")],
        total_points="100",
    )
    response = client.post(reverse("campaigns:criteria_set_create", args=[movement.pk]), data)
    saved = CriteriaSet.objects.get(year=2025)
    assert response.url == reverse("campaigns:movement_detail", args=[movement.pk]) + "#criteria-2025"
    assert [(c.code, c.max_points, c.weight, c.group) for c in saved.criteria.all()] == [
        ("TC2", Decimal("37.50"), Decimal("1.00"), "Cảnh quan"),
        ("TC1", Decimal("62.50"), Decimal("2.00"), "Vệ sinh"),
    ]
    assert saved.problems() == []


def test_criteria_not_adding_up_are_refused_with_a_clear_message_and_nothing_saved(client, movement, district_staff):
    client.force_login(district_staff)
    data = criteria_post([row("A", "60"), row("B", "30")], total_points="100")
    response = client.post(reverse("campaigns:criteria_set_create", args=[movement.pk]), data)
    assert response.status_code == 200
    assert response.context["form"].errors["total_points"] == [
        _("The criteria's maximum points add up to %(found)s, not the set's total of %(total)s.")
        % {"found": "90", "total": "100"}
    ]
    assert CriteriaSet.objects.filter(year=2025).count() == 0
    assert Criterion.objects.count() == 3  # the 2024 set's only


def test_a_duplicate_code_is_shown_on_its_row(client, movement, district_staff):
    client.force_login(district_staff)
    data = criteria_post([row("A", "50"), row("A", "50")])
    response = client.post(reverse("campaigns:criteria_set_create", args=[movement.pk]), data)
    assert response.status_code == 200
    second = response.context["formset"].forms[1]
    assert second.non_field_errors() == [_("The code %(code)s is used twice.") % {"code": "A"}]
    assert CriteriaSet.objects.filter(year=2025).count() == 0


def test_a_set_with_no_criteria_is_refused(client, movement, district_staff):
    client.force_login(district_staff)
    response = client.post(reverse("campaigns:criteria_set_create", args=[movement.pk]), criteria_post([]))
    assert response.status_code == 200
    assert _("Add at least one criterion.") in response.context["form"].non_field_errors()
    assert CriteriaSet.objects.filter(year=2025).count() == 0


def test_a_second_set_for_the_same_type_and_year_is_refused(client, movement, district_staff):
    client.force_login(district_staff)
    data = criteria_post([row("A", "100")], year="2024")
    response = client.post(reverse("campaigns:criteria_set_create", args=[movement.pk]), data)
    assert response.status_code == 200
    assert response.context["form"].errors["year"]
    assert CriteriaSet.objects.count() == 1


def test_editing_an_unused_set_replaces_its_rows_and_checks_the_version(client, movement, district_staff):
    criteria_set = movement.criteria_sets.get()
    client.force_login(district_staff)
    url = reverse("campaigns:criteria_set_edit", args=[criteria_set.pk])
    page = client.get(url)
    formset = page.context["formset"]
    assert [form.initial["max_points"] for form in formset.forms[:3]] == [Decimal(40), Decimal(30), Decimal(30)]
    assert 'value="40"' in page.content.decode()

    # The third saved row is emptied by the user: clearing a row removes it.
    data = criteria_post([row("X", "50"), row("Y", "50")], year="2024", total=3, initial=3, version="1")
    response = client.post(url, data)
    assert response.status_code == 302
    criteria_set.refresh_from_db()
    assert criteria_set.version == 2
    assert list(criteria_set.criteria.values_list("code", flat=True)) == ["X", "Y"]

    response = client.post(url, {**data, "criteria-0-code": "Z"})  # still version 1
    assert response.status_code == 200
    assert response.context["stale"] is True
    assert list(criteria_set.criteria.values_list("code", flat=True)) == ["X", "Y"]


def test_a_frozen_set_is_read_only_and_can_be_copied_to_another_year(
    client, tree, district_staff, commune_a_officer, movement
):
    criteria_set = movement.criteria_sets.get()
    round_ = open_round(district_staff, movement, date(2024, 3, 1))
    services.grid_save(
        user=commune_a_officer, round_=round_, rows={tree.village_a.pk: {criteria_set.criteria.first().pk: "5"}}
    )
    client.force_login(district_staff)
    url = reverse("campaigns:criteria_set_edit", args=[criteria_set.pk])
    page = client.get(url)
    assert page.templates[0].name == "campaigns/scoring/criteria_set_detail.html"
    assert reverse("campaigns:criteria_set_copy", args=[criteria_set.pk]).encode() in page.content
    assert b'name="criteria-0-code"' not in page.content

    response = client.post(url, criteria_post([row("X", "100")], year="2024", version="1"))
    assert response.status_code == 200
    assert response.context["errors"] == [
        _("These criteria have already been used for scoring and cannot change; copy them to a new year.")
    ]
    assert list(criteria_set.criteria.values_list("code", flat=True)) == ["TC1", "TC2", "TC3"]

    response = client.post(reverse("campaigns:criteria_set_copy", args=[criteria_set.pk]), {"year": "2025"})
    copy = CriteriaSet.objects.get(year=2025)
    assert response.url == reverse("campaigns:criteria_set_edit", args=[copy.pk])
    assert list(copy.criteria.values_list("code", "max_points")) == list(
        criteria_set.criteria.values_list("code", "max_points")
    )


def test_copying_to_a_year_that_has_criteria_is_refused_with_the_services_message(client, movement, district_staff):
    source = movement.criteria_sets.get()
    client.force_login(district_staff)
    response = client.post(reverse("campaigns:criteria_set_copy", args=[source.pk]), {"year": "2024"}, follow=True)
    messages = [str(message) for message in response.context["messages"]]
    assert messages == [
        _("Nothing was copied: %(errors)s")
        % {"errors": _("This movement already has criteria for that type and year; edit them.")}
    ]
    assert CriteriaSet.objects.count() == 1


def test_copy_refuses_get(client, movement, district_staff):
    client.force_login(district_staff)
    response = client.get(reverse("campaigns:criteria_set_copy", args=[movement.criteria_sets.get().pk]))
    assert response.status_code == 405


@pytest.mark.parametrize("months", [1, 8])
def test_movement_page_query_count_does_not_grow_with_rounds_or_years(
    client, tree, district_staff, movement, django_assert_max_num_queries, months
):
    for month in range(1, months + 1):
        open_round(district_staff, movement, date(2024, month, 1))
    for year in range(2025, 2025 + months):
        services.criteria_set_copy(user=district_staff, source=movement.criteria_sets.get(year=2024), year=year)
    client.force_login(district_staff)
    # 14: the rounds table takes its eligible and scored counts from metrics.round_coverage.
    with django_assert_max_num_queries(14):
        response = client.get(reverse("campaigns:movement_detail", args=[movement.pk]))
    assert len(response.context["rounds"]) == months
    assert len(response.context["years"]) == months + 1
