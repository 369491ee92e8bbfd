"""People pages: scoped list with filters, detail with history, admin hint for administrators."""

import pytest
from django.urls import reverse
from django.utils.translation import gettext as _

from organization.models import PersonKind
from organization.tests.factories import PersonFactory


@pytest.fixture
def people(tree):
    return {
        "elder_a": PersonFactory(full_name="Vàng Seo Sử", kind=PersonKind.ELDER, unit=tree.village_a),
        "head_b": PersonFactory(full_name="Hoàng Văn Páo", kind=PersonKind.VILLAGE_HEAD, unit=tree.village_b),
        "official": PersonFactory(full_name="Nguyễn Thị Lan", kind=PersonKind.OFFICIAL, unit=tree.party_committee),
    }


def listed(client, **params) -> list[str]:
    return [person.full_name for person in client.get(reverse("person_list"), params).context["people"]]


def test_commune_officer_lists_only_people_of_own_commune(client, tree, people, commune_a_officer):
    client.force_login(commune_a_officer)
    assert listed(client) == ["Vàng Seo Sử"]


def test_district_staff_lists_everyone_in_the_district_and_filters_by_kind(client, tree, people, district_staff):
    client.force_login(district_staff)
    assert sorted(listed(client)) == ["Hoàng Văn Páo", "Nguyễn Thị Lan", "Vàng Seo Sử"]
    assert listed(client, kind=PersonKind.VILLAGE_HEAD) == ["Hoàng Văn Páo"]
    assert listed(client, unit=tree.village_a.pk) == ["Vàng Seo Sử"]
    assert listed(client, q="HOANG PAO") == ["Hoàng Văn Páo"]


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("district_staff", 200),
        ("leader", 200),
        ("commune_b_officer", 200),
        ("commune_a_officer", 404),
        ("agency_officer", 404),
    ],
)
def test_person_detail_by_role(client, tree, people, request, persona, expected):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse("person_detail", args=[people["head_b"].pk]))
    assert response.status_code == expected


def test_anonymous_is_sent_to_login_from_person_pages(client, tree, people):
    for url in (reverse("person_list"), reverse("person_detail", args=[people["head_b"].pk])):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_person_detail_shows_history_of_changes(client, tree, people, district_staff):
    person = people["head_b"]
    person._history_user = district_staff
    person.position = "Trưởng thôn Nà Pồng"
    person.save()
    client.force_login(district_staff)
    html = client.get(reverse("person_detail", args=[person.pk])).content.decode()
    assert "Trưởng thôn Nà Pồng" in html
    assert district_staff.get_full_name() in html


def test_admins_are_told_people_are_edited_in_the_admin(client, tree, people, portal_admin, district_staff):
    hint = _("People are edited in the administration site for now; this page is read-only.")
    url = reverse("person_detail", args=[people["head_b"].pk])
    client.force_login(portal_admin)
    admin_page = client.get(url)
    assert hint in admin_page.content.decode()
    assert reverse("admin:organization_person_change", args=[people["head_b"].pk]) in admin_page.content.decode()
    client.force_login(district_staff)
    assert hint not in client.get(url).content.decode()


def test_person_list_empty_state(client, tree, commune_b_officer):
    client.force_login(commune_b_officer)
    response = client.get(reverse("person_list"))
    assert "empty-state" in response.content.decode()


@pytest.mark.parametrize("extra", [0, 27])
def test_person_list_query_count_does_not_grow(
    client, tree, people, district_staff, django_assert_max_num_queries, extra
):
    for index in range(extra):
        PersonFactory(full_name=f"Nguyễn Văn {index}", unit=tree.commune_b)
    client.force_login(district_staff)
    # session, user, memberships, unread count, search pass, count, page, unit choices
    with django_assert_max_num_queries(8):
        response = client.get(reverse("person_list"), {"q": "nguyen"})
    assert len(response.context["people"]) == 1 + extra
