"""Unit list and detail pages: scope, filters, sorting, history and query counts."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils.translation import gettext as _

from organization.models import UnitKind, UnitSuccession, User
from organization.tests.factories import PersonFactory, UnitFactory


def names(response) -> list[str]:
    return [row["unit"].name for row in response.context["rows"]]


# --- Who may see the detail page of commune B ----------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("district_staff", 200),
        ("leader", 200),
        ("commune_b_officer", 200),
        ("portal_admin", 200),
        ("commune_a_officer", 404),
        ("agency_officer", 404),
        ("viewer", 404),
    ],
)
def test_unit_detail_of_commune_b_by_role(client, tree, request, persona, expected):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse("unit_detail", args=[tree.commune_b.pk]))
    assert response.status_code == expected


def test_anonymous_is_sent_to_login_from_unit_pages(client, tree):
    for url in (reverse("unit_list"), reverse("unit_detail", args=[tree.commune_b.pk])):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_unit_detail_shows_facts_children_people_and_visible_parent_link(client, tree, district_staff):
    PersonFactory(full_name="Hoàng Văn Sáng", position="Chủ tịch UBND xã", unit=tree.commune_b)
    client.force_login(district_staff)
    response = client.get(reverse("unit_detail", args=[tree.commune_b.pk]))
    html = response.content.decode()
    assert "02953" in html
    assert "30/06/2025" in html
    assert reverse("unit_detail", args=[tree.district.pk]) in html  # the parent, linked
    assert reverse("unit_detail", args=[tree.village_b.pk]) in html  # the child
    assert "Hoàng Văn Sáng" in html


@pytest.mark.parametrize(("today", "ended"), [(date(2024, 1, 1), False), (date(2025, 7, 2), True)])
def test_unit_detail_marks_units_that_no_longer_exist(client, tree, district_staff, today, ended):
    client.force_login(district_staff)
    with time_machine.travel(datetime(today.year, today.month, today.day, 9, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))):
        html = client.get(reverse("unit_detail", args=[tree.commune_b.pk])).content.decode()
    assert (_("no longer exists") in html) is ended


def test_commune_officer_sees_parent_name_without_a_link(client, tree, commune_a_officer):
    client.force_login(commune_a_officer)
    response = client.get(reverse("unit_detail", args=[tree.commune_a.pk]))
    html = response.content.decode()
    assert response.context["parent"]["unit"] == tree.district
    assert response.context["parent"]["visible"] is False
    assert reverse("unit_detail", args=[tree.district.pk]) not in html


def test_unit_detail_shows_successions_with_dates_and_notes(client, tree, portal_admin):
    merged = UnitFactory(key="t-new-nghia-do", name="Xã Nghĩa Đô (mới)", valid_from=date(2025, 7, 1))
    UnitSuccession.objects.create(
        predecessor=tree.commune_b, successor=merged, effective_date=date(2025, 7, 1), note="Sáp nhập theo NQ 1665"
    )
    client.force_login(portal_admin)
    old_page = client.get(reverse("unit_detail", args=[tree.commune_b.pk])).content.decode()
    new_page = client.get(reverse("unit_detail", args=[merged.pk])).content.decode()
    assert "Xã Nghĩa Đô (mới)" in old_page and "Sáp nhập theo NQ 1665" in old_page and "01/07/2025" in old_page
    assert reverse("unit_detail", args=[tree.commune_b.pk]) in new_page


# --- The list ------------------------------------------------------------------------------


def test_commune_officer_lists_exactly_own_subtree(client, tree, commune_a_officer):
    client.force_login(commune_a_officer)
    response = client.get(reverse("unit_list"))
    assert response.status_code == 200
    assert names(response) == ["Xã Vĩnh Yên", "Bản Tổng Kim"]
    assert "Xã Nghĩa Đô" not in response.content.decode()


def test_district_staff_lists_district_in_tree_order_with_indentation(client, tree, district_staff):
    client.force_login(district_staff)
    response = client.get(reverse("unit_list"))
    rows = {row["unit"].name: row for row in response.context["rows"]}
    assert "Tỉnh Lào Cai" not in rows
    assert len(rows) == 10
    assert rows["Huyện Bảo Yên"]["indent"] == "ps-0" and not rows["Huyện Bảo Yên"]["nested"]
    assert rows["Xã Vĩnh Yên"]["indent"] == "ps-3"
    assert rows["Bản Tổng Kim"]["indent"] == "ps-4" and rows["Bản Tổng Kim"]["nested"]
    assert names(response).index("Xã Vĩnh Yên") + 1 == names(response).index("Bản Tổng Kim")


def test_unit_list_filters_by_kind_and_parent(client, tree, district_staff):
    client.force_login(district_staff)
    villages = client.get(reverse("unit_list"), {"kind": UnitKind.VILLAGE})
    assert sorted(names(villages)) == ["Bản Tổng Kim", "Thôn Nà Pồng"]
    under_a = client.get(reverse("unit_list"), {"parent": tree.commune_a.pk})
    assert names(under_a) == ["Bản Tổng Kim"]


def test_parent_filter_refuses_a_unit_outside_scope(client, tree, commune_a_officer):
    client.force_login(commune_a_officer)
    response = client.get(reverse("unit_list"), {"parent": tree.commune_b.pk})
    assert "parent" in response.context["filter"].form.errors
    assert "Thôn Nà Pồng" not in names(response)


@pytest.mark.parametrize("value", ["01/07/2025", "2025-07-01"])
def test_unit_list_valid_on_accepts_day_first_and_iso(client, tree, district_staff, value):
    UnitFactory(key="t-new", name="Xã Mới", parent=tree.district, valid_from=date(2025, 7, 1), valid_to=None)
    tree.district.valid_to = None
    tree.district.save()
    client.force_login(district_staff)
    response = client.get(reverse("unit_list"), {"valid_on": value})
    assert names(response) == ["Huyện Bảo Yên", "Xã Mới"]


def test_unit_list_sorts_by_whitelisted_keys_only(client, tree, district_staff):
    client.force_login(district_staff)
    by_name = names(client.get(reverse("unit_list"), {"sort": "name"}))
    assert by_name == sorted(by_name)
    by_name_desc = names(client.get(reverse("unit_list"), {"sort": "-name"}))
    assert by_name_desc == list(reversed(by_name))
    ignored = client.get(reverse("unit_list"), {"sort": "path__startswith"})
    assert ignored.context["sort"] == ""
    assert names(ignored)[0] == "Huyện Bảo Yên"


def test_unit_list_shows_validity_dates_day_first(client, tree, commune_a_officer):
    client.force_login(commune_a_officer)
    html = client.get(reverse("unit_list")).content.decode()
    assert "01/01/2020" in html and "30/06/2025" in html


def test_unit_list_paginates_by_fifty(client, tree, portal_admin):
    UnitFactory.create_batch(45, parent=tree.village_a, kind=UnitKind.RESIDENTIAL_CLUSTER, valid_to=date(2025, 6, 30))
    client.force_login(portal_admin)
    first = client.get(reverse("unit_list"))
    second = client.get(reverse("unit_list"), {"page": 2})
    assert len(first.context["rows"]) == 50
    assert len(second.context["rows"]) == 11 + 45 - 50
    assert not set(names(first)) & set(names(second))


def _grow(tree, count):
    for index in range(count):
        commune = UnitFactory(parent=tree.district, name=f"Xã Thêm {index}", valid_to=date(2025, 6, 30))
        PersonFactory(unit=commune)


@pytest.mark.parametrize("extra", [0, 27])
def test_unit_list_query_count_does_not_grow_with_units(
    client, tree, district_staff, django_assert_max_num_queries, extra
):
    _grow(tree, extra)
    client.force_login(district_staff)
    # session, user, memberships, unread count, parent choices, count, page, search pass
    with django_assert_max_num_queries(8):
        response = client.get(reverse("unit_list"), {"q": "xa", "kind": UnitKind.COMMUNE})
    assert len(response.context["rows"]) == 2 + extra


@pytest.mark.parametrize("extra", [0, 27])
def test_unit_detail_query_count_is_bounded(client, tree, district_staff, django_assert_max_num_queries, extra):
    for index in range(extra):
        UnitFactory(parent=tree.commune_b, kind=UnitKind.VILLAGE, name=f"Thôn {index}", valid_to=date(2025, 6, 30))
        PersonFactory(unit=tree.commune_b)
    client.force_login(district_staff)
    with django_assert_max_num_queries(11):
        response = client.get(reverse("unit_detail", args=[tree.commune_b.pk]))
    assert len(response.context["children"]) == 1 + extra


# --- Administration ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["unit", "unitsuccession", "user", "membership", "person", "term", "document", "documentcounter"],
)
def test_admin_changelists_open_for_administrators(client, tree, portal_admin, district_staff, name):
    PersonFactory(unit=tree.commune_a)
    client.force_login(portal_admin)
    assert client.get(reverse(f"admin:organization_{name}_changelist")).status_code == 200


def test_admin_is_closed_to_non_staff_portal_users(client, tree, district_staff):
    client.force_login(district_staff)
    response = client.get(reverse("admin:organization_unit_changelist"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_user_admin_shows_full_name_phone_and_memberships(client, tree, portal_admin, commune_a_officer):
    client.force_login(portal_admin)
    response = client.get(reverse("admin:organization_user_change", args=[commune_a_officer.pk]))
    form = response.context["adminform"].form
    assert {"full_name", "phone"} <= set(form.fields)
    assert "password" in form.fields  # the read-only hash widget with its change link
    inline = response.context["inline_admin_formsets"][0]
    assert inline.formset.queryset.get().unit == tree.commune_a


def test_admin_adds_a_user_with_full_name_and_phone(client, tree, portal_admin):
    client.force_login(portal_admin)
    response = client.post(
        reverse("admin:organization_user_add"),
        {
            "username": "can-bo-moi",
            "full_name": "Lò Văn Minh",
            "email": "minh@example.test",
            "phone": "0912 345 678",
            "usable_password": "true",
            "password1": "mot-mat-khau-dai-123",
            "password2": "mot-mat-khau-dai-123",
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "0",
            "memberships-0-unit": tree.commune_b.pk,
            "memberships-0-role": "commune_officer",
            "memberships-0-is_active": "on",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    user = User.objects.get(username="can-bo-moi")
    assert (user.full_name, user.phone) == ("Lò Văn Minh", "0912 345 678")
    assert user.check_password("mot-mat-khau-dai-123")
    assert list(user.memberships.values_list("unit", "role")) == [(tree.commune_b.pk, "commune_officer")]
