"""Emulation pledge pages: religious groups pledging each year (e.g. a parish pledging no child or
consanguineous marriage). The scoped list (filters, sort, export, query count), recording and
editing a pledge; a second pledge for the same year, a date outside the year, a group outside
the user's units and a stale form are refused with a clear message, and nothing changes."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.urls import reverse
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from campaigns import services
from campaigns.models import CommitmentItem, EmulationPledge
from organization.models import UnitKind
from organization.tests.factories import UnitFactory

pytestmark = pytest.mark.django_db


# --- Arrangements ------------------------------------------------------------------------------


@pytest.fixture
def parish_a(tree):
    return UnitFactory(key="t-giao-xu-a", name="Giáo xứ Vĩnh Yên", kind=UnitKind.RELIGIOUS_GROUP, parent=tree.commune_a)


@pytest.fixture
def parish_b(tree):
    return UnitFactory(key="t-giao-xu-b", name="Giáo họ Nghĩa Đô", kind=UnitKind.RELIGIOUS_GROUP, parent=tree.commune_b)


def items(count: int = 5) -> list[CommitmentItem]:
    return list(CommitmentItem.objects.order_by("order")[:count])


def pledge(user, unit, year: int, *, result="pledged", chosen=None) -> EmulationPledge:
    return services.pledge_save(
        user=user,
        values={
            "unit": unit,
            "year": year,
            "signed_on": date(year, 1, 15),
            "representative": "Linh mục quản xứ",
            "result": result,
        },
        items=chosen if chosen is not None else items(2),
    )


def form_data(unit, *, year=2024, chosen=None, **overrides) -> dict:
    return {
        "unit": unit.pk,
        "year": str(year),
        "items": [item.pk for item in (chosen if chosen is not None else [items(3)[2]])],
        "signed_on": f"15/01/{year}",
        "representative": "Ông Vàng Văn Sử, trưởng ban hành giáo",
        "result": "pledged",
        "assessment": "",
        **overrides,
    }


@pytest.fixture
def pledges(parish_a, parish_b, commune_a_officer, commune_b_officer):
    return [
        pledge(commune_a_officer, parish_a, 2024, result="achieved"),
        pledge(commune_a_officer, parish_a, 2023),
        pledge(commune_b_officer, parish_b, 2024, result="not_achieved"),
    ]


def listed(client, **params) -> list[str]:
    response = client.get(reverse("campaigns:pledge_list"), params)
    assert response.status_code == 200
    return [str(p) for p in response.context["pledges"]]


# --- Role matrix ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("district_staff", ["Giáo xứ Vĩnh Yên 2024", "Giáo họ Nghĩa Đô 2024", "Giáo xứ Vĩnh Yên 2023"]),
        ("leader", ["Giáo xứ Vĩnh Yên 2024", "Giáo họ Nghĩa Đô 2024", "Giáo xứ Vĩnh Yên 2023"]),
        ("commune_a_officer", ["Giáo xứ Vĩnh Yên 2024", "Giáo xứ Vĩnh Yên 2023"]),
        ("viewer", ["Giáo xứ Vĩnh Yên 2024", "Giáo xứ Vĩnh Yên 2023"]),
        ("commune_b_officer", ["Giáo họ Nghĩa Đô 2024"]),
        ("agency_officer", []),
    ],
)
def test_list_shows_only_pledges_in_scope(client, request, pledges, persona, expected):
    client.force_login(request.getfixturevalue(persona))
    assert listed(client) == expected


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("district_staff", 200),
        ("commune_a_officer", 200),
        ("commune_b_officer", 200),
        ("leader", 403),
        ("viewer", 403),
        ("agency_officer", 403),
    ],
)
def test_record_page_is_for_district_staff_and_commune_officers(client, request, parish_a, persona, expected):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("campaigns:pledge_create")).status_code == expected
    if expected == 403:
        assert client.post(reverse("campaigns:pledge_create"), form_data(parish_a)).status_code == 403
        assert EmulationPledge.objects.count() == 0


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("district_staff", 200),
        ("commune_a_officer", 200),
        ("commune_b_officer", 404),
        ("agency_officer", 404),
        ("leader", 403),
        ("viewer", 403),
    ],
)
def test_edit_page_by_role(client, request, pledges, parish_a, persona, expected):
    target = pledges[0]
    client.force_login(request.getfixturevalue(persona))
    url = reverse("campaigns:pledge_edit", args=[target.pk])
    assert client.get(url).status_code == expected
    if expected != 200:
        data = form_data(parish_a, result="not_achieved", version=target.version)
        assert client.post(url, data).status_code == expected
        target.refresh_from_db()
        assert (target.result, target.version) == ("achieved", 1)


def test_anonymous_is_sent_to_login(client, pledges, parish_a):
    for url in [
        reverse("campaigns:pledge_list"),
        reverse("campaigns:pledge_create"),
        reverse("campaigns:pledge_edit", args=[pledges[0].pk]),
    ]:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login")), url
        response = client.post(url, form_data(parish_a, year=2022))
        assert response.status_code == 302 and response.url.startswith(reverse("login")), url
    assert EmulationPledge.objects.count() == 3


# --- Recording ----------------------------------------------------------------------------------


def test_commune_officer_records_a_parish_pledge(client, parish_a, parish_b, commune_a_officer):
    client.force_login(commune_a_officer)
    form = client.get(reverse("campaigns:pledge_create")).context["form"]
    assert list(form.fields["unit"].queryset) == [parish_a]

    response = client.post(reverse("campaigns:pledge_create"), form_data(parish_a, assessment="  Chưa đánh giá "))
    assert response.status_code == 302
    assert response.url == f"{reverse('campaigns:pledge_list')}?year=2024"
    saved = EmulationPledge.objects.get()
    assert (saved.unit, saved.year, saved.signed_on, saved.result) == (parish_a, 2024, date(2024, 1, 15), "pledged")
    assert (saved.representative, saved.assessment) == ("Ông Vàng Văn Sử, trưởng ban hành giáo", "Chưa đánh giá")
    assert list(saved.items.all()) == [items(3)[2]]
    assert saved.created_by == commune_a_officer


def test_a_second_pledge_for_the_same_year_is_refused(client, parish_a, commune_a_officer):
    pledge(commune_a_officer, parish_a, 2024)
    client.force_login(commune_a_officer)
    response = client.post(reverse("campaigns:pledge_create"), form_data(parish_a))
    assert response.status_code == 200
    assert response.context["form"].errors["year"] == [
        _("%(unit)s has already pledged for %(year)s.") % {"unit": parish_a.name, "year": 2024}
    ]
    assert EmulationPledge.objects.count() == 1


def test_a_pledge_is_signed_in_its_year(client, parish_a, commune_a_officer):
    client.force_login(commune_a_officer)
    response = client.post(reverse("campaigns:pledge_create"), form_data(parish_a, signed_on="20/12/2023"))
    assert response.context["form"].errors["signed_on"] == [_("The pledge is signed in the year it is for.")]
    assert EmulationPledge.objects.count() == 0


def test_a_pledge_needs_an_item(client, parish_a, commune_a_officer):
    client.force_login(commune_a_officer)
    response = client.post(reverse("campaigns:pledge_create"), form_data(parish_a, chosen=[]))
    assert response.context["form"].errors["items"] == [_("Choose at least one item.")]
    assert EmulationPledge.objects.count() == 0


def test_a_group_of_another_commune_is_refused(client, parish_a, commune_b_officer):
    client.force_login(commune_b_officer)
    response = client.post(reverse("campaigns:pledge_create"), form_data(parish_a))
    assert response.status_code == 200
    assert "unit" in response.context["form"].errors
    assert EmulationPledge.objects.count() == 0


def test_a_unit_that_is_not_a_religious_group_is_not_offered(client, tree, parish_a, commune_a_officer):
    client.force_login(commune_a_officer)
    response = client.post(reverse("campaigns:pledge_create"), form_data(tree.village_a))
    assert "unit" in response.context["form"].errors
    assert EmulationPledge.objects.count() == 0


def test_without_religious_groups_the_page_says_so(client, tree, district_staff):
    client.force_login(district_staff)
    response = client.get(reverse("campaigns:pledge_create"))
    assert response.status_code == 200 and not response.context["has_groups"]
    assert _("No religious group in your units") in response.content.decode()


# --- Editing -------------------------------------------------------------------------------------


def test_recording_the_result_at_the_end_of_the_year(client, pledges, parish_a, commune_a_officer):
    target = pledges[1]
    client.force_login(commune_a_officer)
    url = reverse("campaigns:pledge_edit", args=[target.pk])
    form = client.get(url).context["form"]
    assert (form.initial["year"], form.initial["version"]) == (2023, 1)
    data = form_data(
        parish_a,
        year=2023,
        chosen=items(2),
        result="achieved",
        assessment="Không có trường hợp tảo hôn",
        version=1,
    )
    response = client.post(url, data)
    assert response.status_code == 302
    target.refresh_from_db()
    assert (target.result, target.assessment, target.version) == ("achieved", "Không có trường hợp tảo hôn", 2)
    assert client.get(url).context["history"]


def test_moving_a_pledge_onto_a_year_already_pledged_is_refused(client, pledges, parish_a, commune_a_officer):
    target = pledges[1]
    client.force_login(commune_a_officer)
    response = client.post(
        reverse("campaigns:pledge_edit", args=[target.pk]), form_data(parish_a, year=2024, version=1)
    )
    assert "year" in response.context["form"].errors
    target.refresh_from_db()
    assert (target.year, target.version) == (2023, 1)


def test_a_stale_edit_is_refused(client, pledges, parish_a, commune_a_officer, district_staff):
    target = pledges[1]
    services.pledge_save(
        user=district_staff,
        pledge=target,
        values={"result": "not_achieved"},
        items=items(2),
        expected_version=1,
    )
    client.force_login(commune_a_officer)
    response = client.post(
        reverse("campaigns:pledge_edit", args=[target.pk]),
        form_data(parish_a, year=2023, result="achieved", version=1),
    )
    assert response.status_code == 200 and response.context["stale"]
    target.refresh_from_db()
    assert (target.result, target.version) == ("not_achieved", 2)


# --- The list ------------------------------------------------------------------------------------


def test_filters_and_sort(client, pledges, parish_b, district_staff):
    client.force_login(district_staff)
    assert listed(client, year=2023) == ["Giáo xứ Vĩnh Yên 2023"]
    assert listed(client, unit=parish_b.pk) == ["Giáo họ Nghĩa Đô 2024"]
    assert listed(client, result="not_achieved") == ["Giáo họ Nghĩa Đô 2024"]
    assert listed(client, year=2024, result="achieved") == ["Giáo xứ Vĩnh Yên 2024"]
    assert listed(client, sort="unit") == ["Giáo họ Nghĩa Đô 2024", "Giáo xứ Vĩnh Yên 2024", "Giáo xứ Vĩnh Yên 2023"]
    assert listed(client, sort="year") == ["Giáo xứ Vĩnh Yên 2023", "Giáo xứ Vĩnh Yên 2024", "Giáo họ Nghĩa Đô 2024"]


def test_rows_offer_editing_only_where_the_user_writes(client, pledges, commune_a_officer):
    client.force_login(commune_a_officer)
    response = client.get(reverse("campaigns:pledge_list"))
    assert [row["may_edit"] for row in response.context["rows"]] == [True, True]
    assert reverse("campaigns:pledge_edit", args=[pledges[0].pk]) in response.content.decode()


def test_exports_hold_every_filtered_pledge(client, pledges, district_staff, tree):
    client.force_login(district_staff)
    response = client.get(reverse("campaigns:pledge_list"), {"export": "xlsx", "year": 2024})
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert [(row[1], row[2], row[3]) for row in rows[1:]] == [
        (2024, "Giáo xứ Vĩnh Yên", tree.commune_a.name),
        (2024, "Giáo họ Nghĩa Đô", tree.commune_b.name),
    ]
    assert rows[1][6] == "; ".join(item.text for item in items(2))

    response = client.get(reverse("campaigns:pledge_list"), {"export": "csv", "result": "not_achieved"})
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(lines) == 2 and lines[1][2] == "Giáo họ Nghĩa Đô" and lines[1][4] == "15/01/2024"


@pytest.mark.parametrize("rows", [1, 10])
def test_list_query_count_does_not_grow_with_rows(
    client, parish_a, commune_a_officer, django_assert_max_num_queries, rows
):
    for year in range(2010, 2010 + rows):
        pledge(commune_a_officer, parish_a, year)
    client.force_login(commune_a_officer)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("campaigns:pledge_list"))
    assert len(response.context["rows"]) == rows


def test_empty_list_says_what_to_do(client, tree, commune_a_officer, leader):
    client.force_login(commune_a_officer)
    html = client.get(reverse("campaigns:pledge_list")).content.decode()
    assert _("No emulation pledges yet") in html and reverse("campaigns:pledge_create") in html

    client.force_login(leader)
    html = client.get(reverse("campaigns:pledge_list")).content.decode()
    assert _("No emulation pledges yet") in html and reverse("campaigns:pledge_create") not in html
