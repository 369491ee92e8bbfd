"""Road pages: the scoped list with filters, search, sorting, its totals row and exports; recording
and editing a road with Vietnamese numbers; the detail page with its donations (role matrix, bad
input that saves nothing, constant query counts)."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from organization.models import User
from programs.models import LandDonation, Program, RoadProject, Surface

PERSONAS = ("district_staff", "leader", "viewer", "commune_a_officer", "commune_b_officer", "agency_officer")


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def recorder():
    # Records are always saved with their author (the models' created_by is not blank=True, so
    # the services' full_clean refuses to edit a record without one).
    user, _created = User.objects.get_or_create(username="fixture-recorder")
    return user


def make_program(unit, title="Ra quân làm đường bê tông", day=date(2023, 5, 6)) -> Program:
    return Program.objects.create(
        unit=unit,
        organizer_level="commune",
        organizer=unit,
        title=title,
        date=day,
        status="held",
        created_by=recorder(),
    )


def make_road(unit, name="Đường Nặm Mèng", **values) -> RoadProject:
    values.setdefault("year", 2023)
    values.setdefault("length_m", Decimal("750"))
    return RoadProject.objects.create(unit=unit, name=name, created_by=recorder(), **values)


def make_donation(unit, donor="Hoàng Văn Sử", **values) -> LandDonation:
    values.setdefault("donated_on", date(2023, 4, 2))
    values.setdefault("area_m2", Decimal("100"))
    return LandDonation.objects.create(unit=unit, donor=donor, created_by=recorder(), **values)


@pytest.fixture
def roads(tree):
    program = make_program(tree.commune_a)
    return {
        "a": make_road(
            tree.commune_a,
            "Đường Nặm Mèng",
            village=tree.village_a,
            program=program,
            length_m=Decimal("750"),
            year=2023,
        ),
        "a_gravel": make_road(
            tree.commune_a, "Đường nội đồng Tổng Kim", length_m=Decimal("600.5"), surface=Surface.GRAVEL, year=2022
        ),
        "b": make_road(tree.commune_b, "Đường vào thôn Nà Pồng", length_m=Decimal("1200"), year=2023),
    }


def listed(client, **params) -> list[int]:
    response = client.get(reverse("programs:road_list"), params)
    assert response.status_code == 200
    return [road.pk for road in response.context["roads"]]


def road_post(tree, **overrides) -> dict:
    data = {
        "unit": tree.commune_a.pk,
        "village": tree.village_a.pk,
        "program": "",
        "name": "Đường bê tông bản Tổng Kim",
        "year": "2023",
        "length_m": "1.234,5",
        "road_width_m": "5",
        "surface_width_m": "3,5",
        "surface": Surface.CONCRETE,
        "total_investment_vnd": "1.234.567",
        "people_share_vnd": "234567",
    }
    data.update(overrides)
    return data


# --- Who sees and does what ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("district_staff", {"a", "a_gravel", "b"}),
        ("leader", {"a", "a_gravel", "b"}),
        ("viewer", {"a", "a_gravel"}),
        ("commune_a_officer", {"a", "a_gravel"}),
        ("commune_b_officer", {"b"}),
        ("agency_officer", set()),
    ],
)
def test_road_list_shows_only_roads_in_scope(client, roads, request, persona, expected):
    client.force_login(request.getfixturevalue(persona))
    assert set(listed(client)) == {roads[key].pk for key in expected}


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("district_staff", 200),
        ("leader", 200),
        ("viewer", 200),
        ("commune_a_officer", 200),
        ("commune_b_officer", 404),
        ("agency_officer", 404),
    ],
)
def test_road_detail_answers_by_scope(client, roads, request, persona, status):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("programs:road_detail", args=[roads["a"].pk])).status_code == status


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("district_staff", 200),
        ("commune_a_officer", 200),
        ("commune_b_officer", 200),
        ("leader", 403),
        ("viewer", 403),
        ("agency_officer", 403),
    ],
)
def test_only_recorders_open_the_new_road_page(client, tree, request, persona, status):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("programs:road_create")).status_code == status


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("district_staff", 200),
        ("commune_a_officer", 200),
        ("commune_b_officer", 404),
        ("leader", 403),
        ("viewer", 403),
        ("agency_officer", 404),
    ],
)
def test_road_edit_page_answers_by_scope_and_role(client, roads, request, persona, status):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("programs:road_update", args=[roads["a"].pk])).status_code == status


def test_read_only_roles_cannot_post_a_road(client, tree, leader, viewer):
    for user in (leader, viewer):
        client.force_login(user)
        assert client.post(reverse("programs:road_create"), road_post(tree)).status_code == 403
    assert not RoadProject.objects.exists()


def test_anonymous_is_sent_to_login_from_road_pages(client, roads):
    for url in (
        reverse("programs:road_list"),
        reverse("programs:road_create"),
        reverse("programs:road_detail", args=[roads["a"].pk]),
        reverse("programs:road_update", args=[roads["a"].pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


# --- Recording a road ---------------------------------------------------------------------


def test_commune_officer_records_a_road_with_vietnamese_numbers(client, tree, commune_a_officer):
    client.force_login(commune_a_officer)
    response = client.post(reverse("programs:road_create"), road_post(tree))
    road = RoadProject.objects.get()
    assert response.status_code == 302 and response.url == reverse("programs:road_detail", args=[road.pk])
    assert road.unit == tree.commune_a and road.village == tree.village_a
    assert road.length_m == Decimal("1234.5")
    assert road.surface_width_m == Decimal("3.5")
    assert road.total_investment_vnd == 1_234_567
    assert road.people_share_vnd == 234_567
    assert road.created_by == commune_a_officer


@pytest.mark.parametrize(
    ("typed", "length", "money"),
    [
        (("750", "1234567"), Decimal("750"), 1_234_567),
        (("283,75", "1.234.567"), Decimal("283.75"), 1_234_567),
        (("1.234,5", "55.599.700.000"), Decimal("1234.5"), 55_599_700_000),
    ],
)
def test_road_form_reads_numbers_the_vietnamese_way(client, tree, district_staff, typed, length, money):
    client.force_login(district_staff)
    data = road_post(tree, length_m=typed[0], total_investment_vnd=typed[1], people_share_vnd="0")
    assert client.post(reverse("programs:road_create"), data).status_code == 302
    road = RoadProject.objects.get()
    assert (road.length_m, road.total_investment_vnd) == (length, money)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"total_investment_vnd": "1.2.3,4"}, "total_investment_vnd"),
        ({"length_m": "-5"}, "length_m"),
        ({"length_m": "1.5"}, "length_m"),
        ({"length_m": "150.000"}, "length_m"),
        ({"people_share_vnd": "2.000.000"}, "people_share_vnd"),
        ({"year": "1800"}, "year"),
    ],
)
def test_bad_road_input_is_explained_and_saves_nothing(client, tree, commune_a_officer, overrides, field):
    client.force_login(commune_a_officer)
    response = client.post(reverse("programs:road_create"), road_post(tree, **overrides))
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert not RoadProject.objects.exists()


def test_commune_a_officer_cannot_record_a_road_for_commune_b(client, tree, commune_a_officer):
    client.force_login(commune_a_officer)
    response = client.post(reverse("programs:road_create"), road_post(tree, unit=tree.commune_b.pk, village=""))
    assert response.status_code == 200
    assert "unit" in response.context["form"].errors
    assert not RoadProject.objects.exists()


def test_road_village_must_lie_in_its_commune(client, tree, district_staff):
    client.force_login(district_staff)
    response = client.post(reverse("programs:road_create"), road_post(tree, village=tree.village_b.pk))
    assert response.status_code == 200
    assert response.context["form"].errors["village"]
    assert not RoadProject.objects.exists()


def test_road_program_must_be_held_in_the_same_commune(client, tree, district_staff):
    program_b = make_program(tree.commune_b, "Ra quân ở Nghĩa Đô")
    client.force_login(district_staff)
    response = client.post(reverse("programs:road_create"), road_post(tree, program=program_b.pk))
    assert response.status_code == 200
    assert response.context["form"].errors["program"]
    assert not RoadProject.objects.exists()


def test_program_choices_are_programs_of_the_officers_commune(client, tree, commune_a_officer):
    own = make_program(tree.commune_a, "Ra quân Vĩnh Yên")
    make_program(tree.commune_b, "Ra quân Nghĩa Đô")
    client.force_login(commune_a_officer)
    response = client.get(reverse("programs:road_create"))
    assert list(response.context["form"].fields["program"].queryset) == [own]
    # A single commune is preselected.
    assert response.context["form"].initial["unit"] == tree.commune_a


def test_edit_offers_only_programs_of_the_roads_commune(client, tree, roads, district_staff):
    make_program(tree.commune_b, "Ra quân Nghĩa Đô")
    client.force_login(district_staff)
    response = client.get(reverse("programs:road_update", args=[roads["a"].pk]))
    assert {program.unit for program in response.context["form"].fields["program"].queryset} == {tree.commune_a}
    assert "unit" not in response.context["form"].fields


def test_editing_a_road_saves_a_new_version_and_history(client, tree, roads, commune_a_officer):
    road = roads["a"]
    client.force_login(commune_a_officer)
    data = road_post(tree, name="Đường Nặm Mèng (nối dài)", length_m="783,5", program=road.program_id, version="1")
    del data["unit"]
    response = client.post(reverse("programs:road_update", args=[road.pk]), data)
    assert response.status_code == 302
    road.refresh_from_db()
    assert (road.name, road.length_m, road.version) == ("Đường Nặm Mèng (nối dài)", Decimal("783.5"), 2)
    page = client.get(reverse("programs:road_detail", args=[road.pk]))
    assert any(change.label == "chiều dài (m)" for row in page.context["history"] for change in row.changes)


def test_a_stale_road_edit_is_refused_not_overwritten(client, tree, roads, commune_a_officer):
    road = roads["a"]
    RoadProject.objects.filter(pk=road.pk).update(version=2, name="Sửa bởi người khác")
    client.force_login(commune_a_officer)
    data = road_post(tree, name="Tên của tôi", version="1")
    del data["unit"]
    response = client.post(reverse("programs:road_update", args=[road.pk]), data)
    assert response.status_code == 200 and response.context["stale"]
    road.refresh_from_db()
    assert road.name == "Sửa bởi người khác"


# --- The list: filters, search, sort, totals ------------------------------------------------


def test_road_filters_narrow_the_list(client, tree, roads, district_staff):
    client.force_login(district_staff)
    assert set(listed(client, unit=tree.commune_a.pk)) == {roads["a"].pk, roads["a_gravel"].pk}
    assert set(listed(client, year=2023)) == {roads["a"].pk, roads["b"].pk}
    assert listed(client, surface=Surface.GRAVEL) == [roads["a_gravel"].pk]
    assert listed(client, program=roads["a"].program_id) == [roads["a"].pk]


def test_road_search_ignores_diacritics(client, roads, district_staff):
    client.force_login(district_staff)
    assert listed(client, q="nam meng") == [roads["a"].pk]
    assert listed(client, q="NÀ PỒNG") == [roads["b"].pk]
    assert listed(client, q="na pong duong") == [roads["b"].pk]


def test_road_list_sorts_by_whitelisted_keys_only(client, tree, roads, district_staff):
    make_donation(tree.commune_a, road=roads["a_gravel"], area_m2=Decimal("900"))
    make_donation(tree.commune_a, road=roads["a"], area_m2=Decimal("300"))
    client.force_login(district_staff)
    assert listed(client, sort="length") == [roads["a_gravel"].pk, roads["a"].pk, roads["b"].pk]
    assert listed(client, sort="-donated")[:2] == [roads["a_gravel"].pk, roads["a"].pk]
    assert listed(client, sort="created_by__password") == listed(client)


def test_totals_row_counts_km_donors_and_m2_by_hand(client, tree, district_staff):
    # 100.000 + 100.000 + 83.750 m = 283,75 km, as the Bảo Yên report prints it.
    first = make_road(tree.commune_a, "Tuyến 1", length_m=Decimal("100000"))
    second = make_road(tree.commune_a, "Tuyến 2", length_m=Decimal("100000"))
    make_road(tree.commune_b, "Tuyến 3", length_m=Decimal("83750"))
    make_donation(tree.commune_a, "Hộ 1", road=first, area_m2=Decimal("649"))
    make_donation(tree.commune_a, "Hộ 2", road=first, area_m2=Decimal("0.5"))
    make_donation(tree.commune_a, "Hộ 3", road=second, area_m2=Decimal("1000"))
    make_donation(tree.commune_a, "Hộ 4", area_m2=Decimal("5000"))  # not for a road: not counted here
    client.force_login(district_staff)
    response = client.get(reverse("programs:road_list"))
    totals = response.context["totals"]
    assert totals["count"] == 3
    assert totals["km"] == Decimal("283.75")
    assert totals["donors"] == 3
    assert totals["area_m2"] == Decimal("1649.5")
    html = response.content.decode()
    assert "283,75 km" in html
    assert "1.649,50 m²" in html
    # Filtered: only commune A's roads.
    totals = client.get(reverse("programs:road_list"), {"unit": tree.commune_a.pk}).context["totals"]
    assert (totals["count"], totals["km"], totals["donors"]) == (2, Decimal("200.00"), 3)


def test_totals_cover_every_page_not_only_the_first(client, tree, district_staff):
    for number in range(30):
        make_road(tree.commune_a, f"Tuyến {number}", length_m=Decimal("10"))
    client.force_login(district_staff)
    response = client.get(reverse("programs:road_list"))
    assert len(response.context["roads"]) == 25
    assert response.context["totals"]["count"] == 30
    assert response.context["totals"]["length_m"] == Decimal("300")


def test_road_rows_show_their_own_donors_and_area(client, tree, roads, district_staff):
    make_donation(tree.commune_a, "Hộ 1", road=roads["a"], area_m2=Decimal("1200"))
    make_donation(tree.commune_a, "Hộ 2", road=roads["a"], area_m2=Decimal("45.5"))
    client.force_login(district_staff)
    response = client.get(reverse("programs:road_list"))
    by_pk = {road.pk: road for road in response.context["roads"]}
    assert (by_pk[roads["a"].pk].donor_count, by_pk[roads["a"].pk].donated_m2) == (2, Decimal("1245.5"))
    assert (by_pk[roads["b"].pk].donor_count, by_pk[roads["b"].pk].donated_m2) == (0, Decimal("0"))


@pytest.mark.parametrize("persona", ["district_staff", "commune_a_officer"])
def test_road_list_query_count_is_the_same_for_3_and_30_roads(
    client, tree, request, persona, django_assert_max_num_queries
):
    def build(count):
        for number in range(count):
            road = make_road(tree.commune_a, f"Tuyến {RoadProject.objects.count()}", village=tree.village_a)
            if number % 2:
                make_donation(tree.commune_a, f"Hộ {number}", road=road)

    client.force_login(request.getfixturevalue(persona))
    url = reverse("programs:road_list")
    counts = []
    for count in (3, 27):
        build(count)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, {"sort": "-donated"}).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    with django_assert_max_num_queries(10):
        client.get(url)


# --- Exports --------------------------------------------------------------------------------


def test_road_exports_hold_exactly_the_filtered_rows(client, tree, roads, district_staff):
    make_donation(tree.commune_a, road=roads["a"], area_m2=Decimal("1200"))
    for number in range(30):  # more than a page: the export is not paginated
        make_road(tree.commune_b, f"Tuyến phụ {number}", year=2021)
    client.force_login(district_staff)
    response = client.get(reverse("programs:road_list"), {"unit": tree.commune_a.pk, "export": "csv"})
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    header, *rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert {int(row[0]) for row in rows} == {roads["a"].pk, roads["a_gravel"].pk}
    nam_meng = next(row for row in rows if int(row[0]) == roads["a"].pk)
    assert nam_meng[header.index("Tuyến đường")] == "Đường Nặm Mèng"

    response = client.get(reverse("programs:road_list"), {"year": 2021, "export": "xlsx"})
    _header, *body = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert len(body) == 30


def test_road_export_respects_scope(client, tree, roads, commune_b_officer):
    client.force_login(commune_b_officer)
    response = client.get(reverse("programs:road_list"), {"export": "csv"})
    _header, *rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [int(row[0]) for row in rows] == [roads["b"].pk]


# --- The detail page ------------------------------------------------------------------------


def test_road_detail_lists_its_donations_with_totals(client, tree, roads, viewer):
    road = roads["a"]
    make_donation(tree.commune_a, "Hộ 1", road=road, area_m2=Decimal("1200"), trees={"quế": 1000})
    make_donation(
        tree.commune_a, "Hộ 2", road=road, area_m2=Decimal("45.5"), labour_days=Decimal("12"), cash_vnd=5, value_vnd=9
    )
    make_donation(tree.commune_a, "Hộ khác", road=roads["a_gravel"], area_m2=Decimal("7"))
    client.force_login(viewer)
    response = client.get(reverse("programs:road_detail", args=[road.pk]))
    assert [donation.donor for donation in response.context["donations"]] == ["Hộ 1", "Hộ 2"]
    totals = response.context["donation_totals"]
    assert (totals["count"], totals["area_m2"], totals["trees"]) == (2, Decimal("1245.5"), 1000)
    assert (totals["labour_days"], totals["cash_vnd"], totals["value_vnd"]) == (Decimal("12"), 5, 9)
    html = response.content.decode()
    assert "1.245,50" in html and "1.000" in html
    # Read-only: no edit button.
    assert reverse("programs:road_update", args=[road.pk]) not in html
    assert not response.context["may_edit"]
