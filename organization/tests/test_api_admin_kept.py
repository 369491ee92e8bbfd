"""Units, successions, people and Party terms through the API: kept by portal administrators, as
in the admin (the only place the pages let anyone change them). Who may write (a staff account
with the model permission), who may not (every portal role, however high), the scope (404 and
"unknown" ids outside it), the model's own validation messages, and the history of each change.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import Permission
from django.utils.translation import gettext as _

from organization.models import Person, Role, Term, Unit, UnitKind, UnitSuccession
from organization.tests.factories import MembershipFactory, PersonFactory, UnitFactory, UserFactory

UNITS = "/api/v1/units/"
SUCCESSIONS = "/api/v1/unit-successions/"
PEOPLE = "/api/v1/people/"
TERMS = "/api/v1/terms/"


@pytest.fixture(autouse=True)
def english(client, settings):
    # Messages are compared in English (gettext below runs in English too).
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    from django.utils import translation

    with translation.override("en"):
        yield


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def patch(client, url, data):
    return client.patch(url, data, content_type="application/json")


def staff_with(tree, *codenames: str, unit=None):
    """A staff account holding only ``codenames`` (like an administrator of one office), with a
    district staff membership so that it sees ``unit`` (the district by default)."""
    user = UserFactory(username=f"staff-{'-'.join(codenames) or 'none'}", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    MembershipFactory(user=user, unit=unit or tree.district, role=Role.DISTRICT_STAFF)
    return user


def village_body(tree, **changes) -> dict:
    body = {
        "key": "t-vinh-yen/khau-bang",
        "name": "Bản Khau Bang",
        "kind": UnitKind.VILLAGE,
        "parent": tree.commune_a.pk,
        "valid_from": "2021-01-01",
        "valid_to": "2025-06-30",
    }
    body.update(changes)
    return body


# --- Units --------------------------------------------------------------------------------------


def test_an_administrator_adds_a_village_through_the_unit_service(client, tree, portal_admin):
    client.force_login(portal_admin)

    response = post(client, UNITS, village_body(tree))

    assert response.status_code == 201, response.content
    unit = Unit.objects.get(key="t-vinh-yen/khau-bang")
    assert response.json()["id"] == unit.pk
    assert response.json()["parent"] == tree.commune_a.pk
    # services.unit_save ran: the materialized path and depth follow the parent.
    assert unit.path.startswith(tree.commune_a.path) and unit.depth == tree.commune_a.depth + 1
    assert unit.history.get().history_user == portal_admin
    assert unit in Unit.objects.visible_to(portal_admin)


def test_a_unit_outside_its_parents_validity_gets_the_admins_message_and_nothing_is_saved(client, tree, portal_admin):
    client.force_login(portal_admin)

    response = post(client, UNITS, village_body(tree, valid_to=None))

    assert response.status_code == 400
    expected = _("The unit must be valid only while its parent %(parent)s is (%(start)s – %(end)s).") % {
        "parent": tree.commune_a.name,
        "start": tree.commune_a.valid_from.strftime("%d/%m/%Y"),
        "end": tree.commune_a.valid_to.strftime("%d/%m/%Y"),
    }
    assert response.json() == {"valid_from": [expected]}
    assert not Unit.objects.filter(key="t-vinh-yen/khau-bang").exists()


def test_a_taken_key_or_a_malformed_one_is_refused_per_field(client, tree, portal_admin):
    client.force_login(portal_admin)
    before = Unit.objects.count()

    taken = post(client, UNITS, village_body(tree, key=tree.village_a.key))
    malformed = post(client, UNITS, village_body(tree, key="Bản Khau Bang"))

    assert taken.status_code == 400 and list(taken.json()) == ["key"]
    assert malformed.status_code == 400
    assert malformed.json()["key"] == [
        _("Use lowercase letters, digits and hyphens, with '/' between levels, e.g. bao-yen/vinh-yen.")
    ]
    assert Unit.objects.count() == before


@pytest.mark.parametrize("persona", ["district_staff", "commune_a_officer", "leader", "viewer", "agency_officer"])
def test_no_portal_role_changes_the_unit_tree(request, client, tree, persona):
    client.force_login(request.getfixturevalue(persona))
    before = Unit.objects.count()

    created = post(client, UNITS, village_body(tree))
    renamed = patch(client, f"{UNITS}{tree.commune_a.pk}/", {"name": "Xã Mới"})

    assert created.status_code == 403
    # The commune is visible to every persona but the agency officer, who gets 404 as for a missing unit.
    assert renamed.status_code == (404 if persona == "agency_officer" else 403)
    assert Unit.objects.count() == before
    assert Unit.objects.get(pk=tree.commune_a.pk).name == "Xã Vĩnh Yên"


def test_the_admins_own_rule_decides_a_staff_account_with_only_the_change_permission(client, tree):
    editor = staff_with(tree, "change_unit")
    client.force_login(editor)

    created = post(client, UNITS, village_body(tree))
    renamed = patch(client, f"{UNITS}{tree.village_a.pk}/", {"name": "Bản Tổng Kim Mới"})

    assert created.status_code == 403
    assert renamed.status_code == 200, renamed.content
    assert renamed.json()["name"] == "Bản Tổng Kim Mới"
    assert Unit.objects.get(pk=tree.village_a.pk).history.first().history_user == editor


def test_a_staff_account_without_the_permission_is_refused(client, tree):
    client.force_login(staff_with(tree))

    assert patch(client, f"{UNITS}{tree.village_a.pk}/", {"name": "X"}).status_code == 403


def test_an_administrator_of_one_commune_cannot_reach_another_or_name_it(client, tree):
    editor = staff_with(tree, "add_unit", "change_unit", unit=tree.commune_a)
    client.force_login(editor)

    foreign = patch(client, f"{UNITS}{tree.commune_b.pk}/", {"name": "X"})
    under_foreign = post(client, UNITS, village_body(tree, key="t-nghia-do/x", parent=tree.commune_b.pk))

    assert foreign.status_code == 404
    assert under_foreign.status_code == 400
    assert under_foreign.json() == {"parent": [_("Unknown parent.")]}
    assert Unit.objects.get(pk=tree.commune_b.pk).name == "Xã Nghĩa Đô"


def test_moving_a_unit_moves_its_subtree(client, tree, portal_admin):
    client.force_login(portal_admin)
    hamlet = UnitFactory(
        key="t-xom", kind=UnitKind.RESIDENTIAL_CLUSTER, parent=tree.village_a, valid_to=date(2025, 6, 30)
    )

    response = patch(client, f"{UNITS}{tree.village_a.pk}/", {"parent": tree.commune_b.pk})

    assert response.status_code == 200, response.content
    hamlet.refresh_from_db()
    assert hamlet.path.startswith(tree.commune_b.path)


def test_a_cycle_is_refused_with_the_models_message(client, tree, portal_admin):
    client.force_login(portal_admin)

    response = patch(client, f"{UNITS}{tree.commune_a.pk}/", {"parent": tree.village_a.pk})

    assert response.status_code == 400
    assert response.json()["parent"] == [_("A unit cannot be placed under itself or one of its own sub-units.")]


# --- Successions --------------------------------------------------------------------------------


@pytest.fixture
def merged(tree):
    """The commune that continues commune A after the 2025 reform (outside the district)."""
    return UnitFactory(key="t-xa-moi", name="Xã Bảo Yên", parent=tree.province, valid_from=date(2025, 7, 1))


def test_an_administrator_records_a_merger(client, tree, portal_admin, merged):
    client.force_login(portal_admin)

    response = post(
        client,
        SUCCESSIONS,
        {"predecessor": tree.commune_a.pk, "successor": merged.pk, "effective_date": "2025-07-01", "note": "NQ 1670"},
    )

    assert response.status_code == 201, response.content
    link = UnitSuccession.objects.get()
    assert (link.predecessor, link.successor, link.note) == (tree.commune_a, merged, "NQ 1670")
    assert link.history.get().history_user == portal_admin
    assert client.get(f"{UNITS}{tree.commune_a.pk}/").json()["successors"] == [merged.pk]


def test_a_merger_before_the_predecessor_ends_is_refused(client, tree, portal_admin, merged):
    client.force_login(portal_admin)

    response = post(
        client, SUCCESSIONS, {"predecessor": tree.commune_a.pk, "successor": merged.pk, "effective_date": "2025-06-30"}
    )

    assert response.status_code == 400
    assert response.json()["successor"] == [_("The successor must exist on the effective date.")]
    assert response.json()["predecessor"] == [_("The predecessor must cease to exist before the effective date.")]
    assert not UnitSuccession.objects.exists()


def test_a_succession_is_listed_only_when_both_units_are_visible(client, tree, district_staff, merged):
    hidden = UnitSuccession.objects.create(
        predecessor=tree.commune_a, successor=merged, effective_date=date(2025, 7, 1)
    )
    inside = UnitSuccession.objects.create(
        predecessor=tree.village_a, successor=tree.village_b, effective_date=date(2025, 7, 1)
    )
    client.force_login(district_staff)

    listed = [item["id"] for item in client.get(SUCCESSIONS).json()["results"]]

    assert listed == [inside.pk]
    assert client.get(f"{SUCCESSIONS}{hidden.pk}/").status_code == 404


def test_only_an_administrator_deletes_a_succession(client, tree, district_staff, portal_admin):
    link = UnitSuccession.objects.create(
        predecessor=tree.village_a, successor=tree.village_b, effective_date=date(2025, 7, 1)
    )
    client.force_login(district_staff)
    assert client.delete(f"{SUCCESSIONS}{link.pk}/").status_code == 403
    assert UnitSuccession.objects.filter(pk=link.pk).exists()

    client.force_login(portal_admin)
    assert client.delete(f"{SUCCESSIONS}{link.pk}/").status_code == 204
    assert not UnitSuccession.objects.filter(pk=link.pk).exists()
    assert UnitSuccession.history.filter(id=link.pk, history_type="-").get().history_user == portal_admin


# --- People -------------------------------------------------------------------------------------


def test_an_administrator_adds_and_retires_a_person(client, tree, portal_admin):
    client.force_login(portal_admin)

    created = post(
        client,
        PEOPLE,
        {"full_name": "Hoàng Văn Pháo", "kind": "village_head", "position": "Trưởng bản", "unit": tree.village_a.pk},
    )
    assert created.status_code == 201, created.content
    person = Person.objects.get(full_name="Hoàng Văn Pháo")
    assert created.json()["unit"] == tree.village_a.pk and created.json()["is_active"] is True

    retired = patch(client, f"{PEOPLE}{person.pk}/", {"is_active": False})

    assert retired.status_code == 200
    person.refresh_from_db()
    assert person.is_active is False and person.position == "Trưởng bản"
    assert [record.history_user for record in person.history.all()] == [portal_admin, portal_admin]


def test_people_are_not_changed_by_portal_roles_nor_deleted(client, tree, district_staff, portal_admin):
    person = PersonFactory(full_name="Lý Thị Mai", unit=tree.commune_a)
    client.force_login(district_staff)

    assert post(client, PEOPLE, {"full_name": "X", "unit": tree.commune_a.pk}).status_code == 403
    assert patch(client, f"{PEOPLE}{person.pk}/", {"full_name": "X"}).status_code == 403
    client.force_login(portal_admin)
    assert client.delete(f"{PEOPLE}{person.pk}/").status_code == 405
    assert Person.objects.get(pk=person.pk).full_name == "Lý Thị Mai"


def test_a_person_needs_a_name_and_a_unit_in_scope(client, tree):
    client.force_login(staff_with(tree, "add_person", unit=tree.commune_a))

    response = post(client, PEOPLE, {"full_name": "", "unit": tree.commune_b.pk})

    assert response.status_code == 400
    assert set(response.json()) == {"full_name", "unit"}
    assert response.json()["unit"] == [_("Unknown unit.")]
    assert not Person.objects.exists()


# --- Terms --------------------------------------------------------------------------------------


def test_terms_are_listed_within_the_scope(client, tree, district_staff, commune_a_officer):
    term = Term.objects.get()

    client.force_login(district_staff)
    assert [item["name"] for item in client.get(TERMS).json()["results"]] == [term.name]
    assert client.get(f"{TERMS}?on=2024-05-10").json()["results"][0]["id"] == term.pk
    assert client.get(f"{TERMS}?on=2019-05-10").json()["results"] == []
    client.force_login(commune_a_officer)
    assert client.get(TERMS).json()["results"] == []
    assert client.get(f"{TERMS}{term.pk}/").status_code == 404


def test_an_administrator_adds_a_term_within_the_committees_validity(client, tree, portal_admin):
    client.force_login(portal_admin)
    body = {"unit": tree.party_committee.pk, "name": "khóa XXIII", "start_date": "2025-07-01", "end_date": "2030-06-30"}

    outside = post(client, TERMS, body)
    inside = post(client, TERMS, {**body, "end_date": "2025-06-30", "start_date": "2025-01-01"})
    again = post(client, TERMS, {**body, "end_date": "2025-06-30", "start_date": "2025-01-01"})

    assert outside.status_code == 400
    assert outside.json() == {
        "start_date": [_("The term must lie within the validity of %(unit)s.") % {"unit": tree.party_committee.name}]
    }
    assert inside.status_code == 201, inside.content
    assert again.status_code == 400 and "non_field_errors" in again.json()
    assert Term.objects.filter(name="khóa XXIII").count() == 1


def test_a_leader_cannot_add_a_term(client, tree, leader):
    client.force_login(leader)

    response = post(
        client,
        TERMS,
        {"unit": tree.party_committee.pk, "name": "x", "start_date": "2021-01-01", "end_date": "2021-12-31"},
    )

    assert response.status_code == 403
    assert Term.objects.count() == 1
