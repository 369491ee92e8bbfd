"""Land donation pages: the scoped list with filters, search, its one-query totals row and exports;
recording and editing a donation (trees as inline rows, Vietnamese numbers, the signed consent
checked by content); the detail page and the permission-checked consent download."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from programs.models import DonationPurpose, LandDonation
from programs.tests.test_road_pages import make_donation, make_program, make_road
from programs.views_land import donation_totals

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def donations(tree):
    road = make_road(tree.commune_a, "Đường Nặm Mèng", village=tree.village_a)
    return {
        "a": make_donation(
            tree.commune_a,
            "Hoàng Văn Sử",
            village=tree.village_a,
            road=road,
            area_m2=Decimal("1200"),
            trees={"quế": 1000},
            labour_days=Decimal("150"),
            value_vnd=600_000_000,
            donated_on=date(2023, 4, 2),
        ),
        "a_common": make_donation(
            tree.commune_a,
            "Đặng Thị Mai",
            village=tree.village_a,
            purpose=DonationPurpose.COMMON_AREA,
            area_m2=Decimal("295.5"),
            cash_vnd=2_000_000,
            value_vnd=50_000_000,
            donated_on=date(2024, 3, 15),
        ),
        "b": make_donation(
            tree.commune_b, "Lường Văn Pồng", village=tree.village_b, area_m2=Decimal("80"), donated_on=date(2022, 9, 1)
        ),
    }


def listed(client, **params) -> list[int]:
    response = client.get(reverse("programs:donation_list"), params)
    assert response.status_code == 200
    return [donation.pk for donation in response.context["donations"]]


def donation_post(tree, **overrides) -> dict:
    data = {
        "unit": tree.commune_a.pk,
        "village": tree.village_a.pk,
        "donor": "Hoàng Văn Sử",
        "donated_on": "02/04/2023",
        "purpose": DonationPurpose.ROAD,
        "road": "",
        "program": "",
        "area_m2": "1.200",
        "other_assets": "Hàng rào",
        "labour_days": "12,5",
        "cash_vnd": "2.000.000",
        "value_vnd": "602.000.000",
        "trees-TOTAL_FORMS": "3",
        "trees-INITIAL_FORMS": "0",
        "trees-MIN_NUM_FORMS": "0",
        "trees-MAX_NUM_FORMS": "20",
        "trees-0-species": "quế",
        "trees-0-count": "1.000",
        "trees-1-species": "",
        "trees-1-count": "",
        "trees-2-species": "",
        "trees-2-count": "",
    }
    data.update(overrides)
    return data


def edit_post(tree, donation, **overrides) -> dict:
    data = donation_post(tree, version=str(donation.version), **overrides)
    del data["unit"]
    return data


# --- Who sees and does what ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("district_staff", {"a", "a_common", "b"}),
        ("leader", {"a", "a_common", "b"}),
        ("viewer", {"a", "a_common"}),
        ("commune_a_officer", {"a", "a_common"}),
        ("commune_b_officer", {"b"}),
        ("agency_officer", set()),
    ],
)
def test_donation_list_shows_only_donations_in_scope(client, donations, request, persona, expected):
    client.force_login(request.getfixturevalue(persona))
    assert set(listed(client)) == {donations[key].pk for key in expected}


@pytest.mark.parametrize(
    ("persona", "detail", "edit"),
    [
        ("district_staff", 200, 200),
        ("leader", 200, 403),
        ("viewer", 200, 403),
        ("commune_a_officer", 200, 200),
        ("commune_b_officer", 404, 404),
        ("agency_officer", 404, 404),
    ],
)
def test_donation_detail_and_edit_answer_by_scope_and_role(client, donations, request, persona, detail, edit):
    client.force_login(request.getfixturevalue(persona))
    pk = donations["a"].pk
    assert client.get(reverse("programs:donation_detail", args=[pk])).status_code == detail
    assert client.get(reverse("programs:donation_update", args=[pk])).status_code == edit


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
def test_only_recorders_open_the_new_donation_page(client, tree, request, persona, status):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("programs:donation_create")).status_code == status


def test_anonymous_is_sent_to_login_from_donation_pages(client, donations):
    pk = donations["a"].pk
    for url in (
        reverse("programs:donation_list"),
        reverse("programs:donation_create"),
        reverse("programs:donation_detail", args=[pk]),
        reverse("programs:donation_update", args=[pk]),
        reverse("programs:donation_consent", args=[pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_read_only_roles_cannot_post_a_donation(client, tree, donations, leader, viewer):
    before = LandDonation.objects.count()
    for user in (leader, viewer):
        client.force_login(user)
        assert client.post(reverse("programs:donation_create"), donation_post(tree)).status_code == 403
        url = reverse("programs:donation_update", args=[donations["a"].pk])
        assert client.post(url, edit_post(tree, donations["a"], donor="Đổi tên")).status_code == 403
    assert LandDonation.objects.count() == before
    donations["a"].refresh_from_db()
    assert donations["a"].donor == "Hoàng Văn Sử"


# --- Recording a donation -------------------------------------------------------------------


def test_commune_officer_records_a_donation_with_trees_and_consent(client, tree, commune_a_officer):
    road = make_road(tree.commune_a, "Đường Nặm Mèng")
    client.force_login(commune_a_officer)
    consent = SimpleUploadedFile("cam-ket.pdf", PDF, content_type="application/pdf")
    data = donation_post(tree, road=road.pk, consent_file=consent, **{"trees-1-species": "mỡ", "trees-1-count": "20"})
    response = client.post(reverse("programs:donation_create"), data)
    donation = LandDonation.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("programs:donation_detail", args=[donation.pk])
    assert donation.trees == {"quế": 1000, "mỡ": 20}
    assert donation.area_m2 == Decimal("1200")
    assert donation.labour_days == Decimal("12.5")
    assert (donation.cash_vnd, donation.value_vnd) == (2_000_000, 602_000_000)
    assert donation.donated_on == date(2023, 4, 2)
    assert donation.road == road and donation.created_by == commune_a_officer
    assert donation.consent_file.name.endswith(".pdf")


@pytest.mark.parametrize(("typed", "expected"), [("1.234.567", 1_234_567), ("1234567", 1_234_567)])
def test_money_is_accepted_with_or_without_dots(client, tree, district_staff, typed, expected):
    client.force_login(district_staff)
    response = client.post(reverse("programs:donation_create"), donation_post(tree, cash_vnd="0", value_vnd=typed))
    assert response.status_code == 302
    assert LandDonation.objects.get().value_vnd == expected


def test_decimal_area_with_a_comma(client, tree, district_staff):
    client.force_login(district_staff)
    client.post(reverse("programs:donation_create"), donation_post(tree, area_m2="283,75"))
    assert LandDonation.objects.get().area_m2 == Decimal("283.75")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"area_m2": "-5"}, "area_m2"),
        ({"area_m2": "150.000"}, "area_m2"),
        ({"value_vnd": "1.2.3,4"}, "value_vnd"),
        ({"cash_vnd": "700.000.000"}, "value_vnd"),
        ({"donated_on": "31/02/2023"}, "donated_on"),
        ({"donated_on": "05/02/2099"}, "donated_on"),
        ({"village": "__village_b__"}, "village"),
    ],
)
def test_bad_donation_input_is_explained_and_saves_nothing(client, tree, district_staff, overrides, field):
    if overrides.get("village") == "__village_b__":
        overrides = {"village": tree.village_b.pk}
    client.force_login(district_staff)
    response = client.post(reverse("programs:donation_create"), donation_post(tree, **overrides))
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert not LandDonation.objects.exists()


def test_absurd_area_message_names_the_limit(client, tree, district_staff):
    client.force_login(district_staff)
    response = client.post(reverse("programs:donation_create"), donation_post(tree, area_m2="150.000"))
    assert "100.000" in " ".join(response.context["form"].errors["area_m2"])


def test_commune_a_officer_cannot_record_for_commune_b(client, tree, commune_a_officer):
    client.force_login(commune_a_officer)
    data = donation_post(tree, unit=tree.commune_b.pk, village=tree.village_b.pk)
    response = client.post(reverse("programs:donation_create"), data)
    assert response.status_code == 200
    assert {"unit", "village"} <= set(response.context["form"].errors)
    assert not LandDonation.objects.exists()


def test_a_renamed_executable_is_refused_as_consent(client, tree, commune_a_officer, tmp_path):
    client.force_login(commune_a_officer)
    fake = SimpleUploadedFile("cam-ket.pdf", EXE, content_type="application/pdf")
    response = client.post(reverse("programs:donation_create"), donation_post(tree, consent_file=fake))
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["consent_file"])
    assert "cam-ket.pdf" in errors and "PDF" in errors
    assert not LandDonation.objects.exists()
    assert not list(tmp_path.rglob("*.pdf"))


def test_a_donation_must_give_something(client, tree, district_staff):
    client.force_login(district_staff)
    nothing = {"area_m2": "", "labour_days": "", "cash_vnd": "", "value_vnd": "", "other_assets": ""}
    response = client.post(
        reverse("programs:donation_create"),
        donation_post(tree, **nothing, **{"trees-0-species": "", "trees-0-count": ""}),
    )
    assert response.status_code == 200 and response.context["form"].errors["area_m2"]
    assert not LandDonation.objects.exists()


@pytest.mark.parametrize(
    "rows",
    [
        {"trees-1-species": "Quế", "trees-1-count": "5"},  # the same species twice
        {"trees-1-species": "mỡ", "trees-1-count": ""},  # a species without a count
        {"trees-1-species": "", "trees-1-count": "5"},  # a count without a species
        {"trees-1-species": "mỡ", "trees-1-count": "-3"},  # a negative count
    ],
)
def test_bad_tree_rows_save_nothing(client, tree, district_staff, rows):
    client.force_login(district_staff)
    response = client.post(reverse("programs:donation_create"), donation_post(tree, **rows))
    assert response.status_code == 200
    trees = response.context["trees"]
    assert trees.non_form_errors() or any(form.errors for form in trees.forms)
    assert not LandDonation.objects.exists()


def test_road_and_program_must_be_of_the_same_commune(client, tree, district_staff):
    road_b = make_road(tree.commune_b, "Đường Nà Pồng")
    program_b = make_program(tree.commune_b, "Ra quân Nghĩa Đô")
    client.force_login(district_staff)
    response = client.post(
        reverse("programs:donation_create"), donation_post(tree, road=road_b.pk, program=program_b.pk)
    )
    assert response.status_code == 200
    assert {"road", "program"} <= set(response.context["form"].errors)
    assert not LandDonation.objects.exists()


def test_new_donation_page_preselects_the_road_it_came_from(client, tree, commune_a_officer):
    road = make_road(tree.commune_a, "Đường Nặm Mèng")
    client.force_login(commune_a_officer)
    response = client.get(reverse("programs:donation_create"), {"road": road.pk})
    assert response.context["form"].initial["road"] == road


def test_editing_keeps_the_consent_and_rewrites_the_trees(client, tree, commune_a_officer):
    client.force_login(commune_a_officer)
    consent = SimpleUploadedFile("cam-ket.pdf", PDF, content_type="application/pdf")
    client.post(reverse("programs:donation_create"), donation_post(tree, consent_file=consent))
    donation = LandDonation.objects.get()
    page = client.get(reverse("programs:donation_update", args=[donation.pk]))
    assert page.context["trees"].initial == [{"species": "quế", "count": 1000}]
    data = edit_post(
        tree,
        donation,
        donor="Hoàng Văn Sử (chủ hộ)",
        **{"trees-0-species": "quế", "trees-0-count": "1.200", "trees-1-species": "sa mộc", "trees-1-count": "30"},
    )
    response = client.post(reverse("programs:donation_update", args=[donation.pk]), data)
    assert response.status_code == 302
    donation.refresh_from_db()
    assert donation.trees == {"quế": 1200, "sa mộc": 30}
    assert donation.donor == "Hoàng Văn Sử (chủ hộ)" and donation.version == 2
    assert donation.consent_file.name.endswith(".pdf")


def test_a_stale_donation_edit_is_refused(client, tree, donations, commune_a_officer):
    donation = donations["a"]
    data = edit_post(tree, donation, donor="Của tôi")
    LandDonation.objects.filter(pk=donation.pk).update(version=5)
    client.force_login(commune_a_officer)
    response = client.post(reverse("programs:donation_update", args=[donation.pk]), data)
    assert response.status_code == 200 and response.context["stale"]
    donation.refresh_from_db()
    assert donation.donor == "Hoàng Văn Sử"


# --- The consent file -----------------------------------------------------------------------


@pytest.fixture
def with_consent(tree, client, commune_a_officer):
    client.force_login(commune_a_officer)
    consent = SimpleUploadedFile("cam-ket-ho-su.pdf", PDF, content_type="application/pdf")
    client.post(reverse("programs:donation_create"), donation_post(tree, consent_file=consent))
    client.logout()
    return LandDonation.objects.get()


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
def test_consent_download_is_checked_against_scope(client, with_consent, request, persona, status):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse("programs:donation_consent", args=[with_consent.pk]))
    assert response.status_code == status
    if status == 200:
        assert response["Content-Disposition"].startswith("attachment")
        assert b"".join(response.streaming_content) == PDF


def test_consent_download_of_a_donation_without_file_is_404(client, donations, district_staff):
    client.force_login(district_staff)
    assert client.get(reverse("programs:donation_consent", args=[donations["a"].pk])).status_code == 404


def test_consent_is_linked_from_the_detail_page_not_from_media(client, with_consent, viewer):
    client.force_login(viewer)
    html = client.get(reverse("programs:donation_detail", args=[with_consent.pk])).content.decode()
    assert reverse("programs:donation_consent", args=[with_consent.pk]) in html
    assert "/media" not in html


def test_consent_download_answers_only_get(client, with_consent, district_staff):
    client.force_login(district_staff)
    assert client.post(reverse("programs:donation_consent", args=[with_consent.pk])).status_code == 405


# --- The list: filters, totals, exports -----------------------------------------------------


def test_donation_filters_narrow_the_list(client, tree, donations, district_staff):
    client.force_login(district_staff)
    assert set(listed(client, unit=tree.commune_a.pk)) == {donations["a"].pk, donations["a_common"].pk}
    assert listed(client, village=tree.village_b.pk) == [donations["b"].pk]
    assert listed(client, road=donations["a"].road_id) == [donations["a"].pk]
    assert listed(client, purpose=DonationPurpose.COMMON_AREA) == [donations["a_common"].pk]
    assert listed(client, donated_from="01/01/2023", donated_to="31/12/2023") == [donations["a"].pk]
    assert listed(client, donated_from="2024-01-01") == [donations["a_common"].pk]


def test_donor_search_ignores_diacritics(client, donations, district_staff):
    client.force_login(district_staff)
    assert listed(client, q="hoang van su") == [donations["a"].pk]
    assert listed(client, q="DANG thi") == [donations["a_common"].pk]


def test_donation_totals_equal_hand_counted_sums(client, tree, donations, district_staff):
    client.force_login(district_staff)
    totals = client.get(reverse("programs:donation_list")).context["totals"]
    assert totals == {
        "count": 3,
        "area_m2": Decimal("1575.5"),  # 1200 + 295,5 + 80
        "trees": 1000,
        "labour_days": Decimal("150"),
        "cash_vnd": 2_000_000,
        "value_vnd": 650_000_000,
    }
    totals = client.get(reverse("programs:donation_list"), {"unit": tree.commune_b.pk}).context["totals"]
    assert (totals["count"], totals["area_m2"], totals["trees"]) == (1, Decimal("80"), 0)


def test_donation_totals_are_one_aggregate_query(tree, donations, django_assert_num_queries):
    make_donation(tree.commune_a, "Hộ có nhiều cây", trees={"quế": 7, "mỡ": 3, "sa mộc": 0})
    with django_assert_num_queries(1):
        totals = donation_totals(LandDonation.objects.all())
    assert totals["trees"] == 1010


def test_a_donation_reached_through_road_and_program_counts_once(client, tree, district_staff):
    """The Nặm Mèng gift belongs to the road, which belongs to the program, and is also tied to
    the program directly: filtering by the program (or not at all) still counts it once."""
    program = make_program(tree.commune_a, "Ra quân xây dựng khu dân cư Nặm Mèng")
    road = make_road(tree.commune_a, "Đường Nặm Mèng", program=program)
    gift = make_donation(tree.commune_a, "Hoàng Văn Sử", road=road, program=program, area_m2=Decimal("1200"))
    via_road = make_donation(tree.commune_a, "Hộ qua đường", road=road, area_m2=Decimal("300"))
    make_donation(tree.commune_a, "Hộ ngoài chương trình", area_m2=Decimal("50"))
    client.force_login(district_staff)
    response = client.get(reverse("programs:donation_list"), {"program": program.pk})
    assert sorted(donation.pk for donation in response.context["donations"]) == sorted([gift.pk, via_road.pk])
    assert (response.context["totals"]["count"], response.context["totals"]["area_m2"]) == (2, Decimal("1500"))
    totals = client.get(reverse("programs:donation_list")).context["totals"]
    assert (totals["count"], totals["area_m2"]) == (3, Decimal("1550"))


def test_totals_row_is_rendered_with_vietnamese_grouping(client, donations, district_staff):
    client.force_login(district_staff)
    html = client.get(reverse("programs:donation_list")).content.decode()
    assert 'data-total="value">650.000.000<' in html
    assert 'data-total="area">1.575,50<' in html


@pytest.mark.parametrize("persona", ["district_staff", "commune_a_officer"])
def test_donation_list_query_count_is_the_same_for_3_and_30_donations(
    client, tree, request, persona, django_assert_max_num_queries
):
    road = make_road(tree.commune_a, "Đường Nặm Mèng")
    program = make_program(tree.commune_a)

    def build(count):
        for number in range(count):
            make_donation(
                tree.commune_a,
                f"Hộ {number}",
                village=tree.village_a,
                road=road if number % 2 else None,
                program=program if number % 3 else None,
                trees={"quế": number},
            )

    client.force_login(request.getfixturevalue(persona))
    url = reverse("programs:donation_list")
    counts = []
    for count in (3, 27):
        build(count)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, {"program": program.pk}).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    with django_assert_max_num_queries(11):
        client.get(url)


def test_donation_exports_hold_exactly_the_filtered_rows(client, tree, donations, district_staff):
    for number in range(30):
        make_donation(tree.commune_b, f"Hộ {number}", donated_on=date(2021, 5, 1))
    client.force_login(district_staff)
    response = client.get(reverse("programs:donation_list"), {"unit": tree.commune_a.pk, "export": "csv"})
    header, *rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert {int(row[0]) for row in rows} == {donations["a"].pk, donations["a_common"].pk}
    nam_meng = next(row for row in rows if int(row[0]) == donations["a"].pk)
    assert nam_meng[header.index("Cây trồng")] == "1000"
    assert nam_meng[header.index("Cây trồng theo loài")] == "quế: 1000"

    response = client.get(
        reverse("programs:donation_list"), {"donated_to": "31/12/2021", "export": "xlsx", "page": "2"}
    )
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    _header, *body = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert len(body) == 30


def test_donation_export_respects_scope(client, donations, commune_b_officer):
    client.force_login(commune_b_officer)
    response = client.get(reverse("programs:donation_list"), {"export": "csv"})
    _header, *rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [int(row[0]) for row in rows] == [donations["b"].pk]


# --- The detail page ------------------------------------------------------------------------


def test_donation_detail_shows_what_was_given_and_history(client, tree, commune_a_officer):
    client.force_login(commune_a_officer)
    client.post(reverse("programs:donation_create"), donation_post(tree))
    donation = LandDonation.objects.get()
    response = client.get(reverse("programs:donation_detail", args=[donation.pk]))
    html = response.content.decode()
    assert "quế: 1.000" in html
    assert "602.000.000" in html
    assert "02/04/2023" in html
    assert response.context["may_edit"]
    assert len(response.context["history"]) == 1
