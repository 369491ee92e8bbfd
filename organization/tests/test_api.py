"""The organization API: scoping per role, filters, /me/, tokens and lockout, documents, schema."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import PASSWORD
from organization.models import Document, DocumentKind, Role, Unit, UnitKind, UnitSuccession
from organization.tests.factories import MembershipFactory, PersonFactory, UnitFactory, UserFactory

UNITS = "/api/v1/units/"
PEOPLE = "/api/v1/people/"
DOCUMENTS = "/api/v1/documents/"
ME = "/api/v1/me/"
TOKEN = "/api/v1/auth/token/"

DISTRICT_SUBTREE = {
    "t-district",
    "t-hu",
    "t-bdv",
    "t-tthu",
    "t-ubnd",
    "t-tnmt",
    "t-vinh-yen",
    "t-tong-kim",
    "t-nghia-do",
    "t-na-pong",
}


def fetch_all(client, url: str, **headers) -> list[dict]:
    """Every item of a cursor-paginated list, following ``next`` links."""
    items: list[dict] = []
    while url:
        response = client.get(url, **headers)
        assert response.status_code == 200, response.content
        body = response.json()
        items.extend(body["results"])
        url = body["next"]
    return items


def unit_keys(client, url: str = UNITS) -> set[str]:
    return {item["key"] for item in fetch_all(client, url)}


# --- Units: who sees what ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("district_staff", DISTRICT_SUBTREE),
        ("leader", DISTRICT_SUBTREE),
        ("commune_a_officer", {"t-vinh-yen", "t-tong-kim"}),
        ("commune_b_officer", {"t-nghia-do", "t-na-pong"}),
        ("agency_officer", {"t-tnmt"}),
        ("portal_admin", DISTRICT_SUBTREE | {"t-province"}),
    ],
)
def test_unit_list_shows_exactly_the_users_units(request, client, tree, persona, expected):
    client.force_login(request.getfixturevalue(persona))

    assert unit_keys(client) == expected


def test_anonymous_cannot_list_units(client, tree):
    response = client.get(UNITS)

    # Session authentication comes first, so DRF answers 403 (401 if token auth came first).
    assert response.status_code in {401, 403}
    assert "results" not in response.json()


def test_user_without_membership_sees_no_units(client, tree):
    client.force_login(UserFactory(username="nobody"))

    assert unit_keys(client) == set()


def test_commune_officer_gets_404_for_other_commune(client, tree, commune_a_officer):
    client.force_login(commune_a_officer)

    assert client.get(f"{UNITS}{tree.commune_b.pk}/").status_code == 404
    assert client.get(f"{UNITS}{tree.district.pk}/").status_code == 404
    assert client.get(f"{UNITS}{tree.village_a.pk}/").status_code == 200


def test_out_of_scope_unit_answers_like_a_missing_one(client, tree, commune_a_officer):
    client.force_login(commune_a_officer)
    missing = Unit.objects.order_by("-pk").first().pk + 1000

    hidden = client.get(f"{UNITS}{tree.commune_b.pk}/")
    absent = client.get(f"{UNITS}{missing}/")

    assert (hidden.status_code, hidden.json()) == (absent.status_code, absent.json())


def test_unit_detail_has_the_documented_fields(client, tree, district_staff):
    client.force_login(district_staff)

    body = client.get(f"{UNITS}{tree.ban_dan_van.pk}/").json()

    assert body == {
        "id": tree.ban_dan_van.pk,
        "key": "t-bdv",
        "name": "Ban Dân vận Huyện ủy",
        "kind": "board",
        "kind_display": str(UnitKind.BOARD.label),
        "code": "",
        "doc_symbol": "BDVHU",
        "parent": tree.party_committee.pk,
        "depth": 3,
        "valid_from": "2020-01-01",
        "valid_to": "2025-06-30",
        "successors": [],
        "predecessors": [],
    }


@pytest.mark.parametrize(
    ("persona", "method", "url", "expected"),
    [
        # Units are kept by portal administrators (test_api_admin_kept.py); nobody deletes one.
        ("portal_admin", "delete", "detail", 405),
        ("district_staff", "put", "detail", 403),
        ("district_staff", "patch", "detail", 403),
        ("district_staff", "post", "list", 403),
    ],
)
def test_only_administrators_change_units_and_nobody_deletes_one(request, client, tree, persona, method, url, expected):
    client.force_login(request.getfixturevalue(persona))
    target = f"{UNITS}{tree.commune_a.pk}/" if url == "detail" else UNITS

    response = getattr(client, method)(target, {"name": "renamed"}, content_type="application/json")

    assert response.status_code == expected
    assert Unit.objects.get(pk=tree.commune_a.pk).name == "Xã Vĩnh Yên"


# --- Units: filters ------------------------------------------------------------------------


@pytest.fixture
def merged_commune(tree) -> Unit:
    """The 2025 reform: Vĩnh Yên and Nghĩa Đô continue as one commune under the province."""
    merged = UnitFactory(key="t-merged", name="Xã Vĩnh Yên mới", parent=tree.province, valid_from=date(2025, 7, 1))
    for old in (tree.commune_a, tree.commune_b):
        UnitSuccession.objects.create(predecessor=old, successor=merged, effective_date=date(2025, 7, 1))
    return merged


def test_filter_by_parent_gives_direct_children(client, tree, district_staff):
    client.force_login(district_staff)

    keys = unit_keys(client, f"{UNITS}?parent={tree.district.pk}")

    assert keys == {"t-hu", "t-ubnd", "t-vinh-yen", "t-nghia-do"}


def test_filter_by_parent_outside_scope_is_empty_not_an_error(client, tree, commune_a_officer):
    client.force_login(commune_a_officer)

    assert unit_keys(client, f"{UNITS}?parent={tree.commune_b.pk}") == set()


def test_filter_by_kind(client, tree, district_staff):
    client.force_login(district_staff)

    assert unit_keys(client, f"{UNITS}?kind=village") == {"t-tong-kim", "t-na-pong"}


def test_filter_by_unknown_kind_is_a_400(client, tree, district_staff):
    client.force_login(district_staff)

    response = client.get(f"{UNITS}?kind=galaxy")

    assert response.status_code == 400
    assert "kind" in response.json()


def test_filter_valid_on_gives_units_of_that_day(client, tree, portal_admin, merged_commune):
    client.force_login(portal_admin)

    before = unit_keys(client, f"{UNITS}?valid_on=2025-06-30")
    after = unit_keys(client, f"{UNITS}?valid_on=2025-07-01")

    assert before == DISTRICT_SUBTREE | {"t-province"}
    assert after == {"t-province", "t-merged"}


@pytest.mark.parametrize("value", ["2025-13-01", "30/06/2025", "yesterday"])
def test_filter_valid_on_accepts_only_iso_dates(client, tree, portal_admin, value):
    client.force_login(portal_admin)

    response = client.get(f"{UNITS}?valid_on={value}")

    assert response.status_code == 400
    assert "valid_on" in response.json()


@pytest.mark.parametrize("query", ["Nghĩa", "nghia do", "02953"])
def test_filter_search_matches_name_or_code_with_or_without_accents(client, tree, district_staff, query):
    client.force_login(district_staff)

    assert unit_keys(client, f"{UNITS}?search={query}") == {"t-nghia-do"}


def test_successors_and_predecessors_are_listed_by_id(client, tree, portal_admin, merged_commune):
    client.force_login(portal_admin)

    old = client.get(f"{UNITS}{tree.commune_a.pk}/").json()
    new = client.get(f"{UNITS}{merged_commune.pk}/").json()

    assert old["successors"] == [merged_commune.pk]
    assert sorted(new["predecessors"]) == sorted([tree.commune_a.pk, tree.commune_b.pk])


def test_successor_outside_scope_is_not_revealed(client, tree, commune_a_officer, merged_commune):
    client.force_login(commune_a_officer)

    body = client.get(f"{UNITS}{tree.commune_a.pk}/").json()

    assert body["successors"] == []


# --- Units: cost per page ------------------------------------------------------------------


def _add_units(parent: Unit, prefix: str, count: int) -> None:
    """``count`` units under ``parent``, each succeeding the previous one (so links are listed)."""
    previous = None
    for index in range(count):
        unit = UnitFactory(key=f"{prefix}-{index}", parent=parent)
        if previous is not None:
            UnitSuccession.objects.create(predecessor=previous, successor=unit, effective_date=date(2024, 1, 1))
        previous = unit


def _count_unit_list_queries(client) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"{UNITS}?page_size=200")
    assert response.status_code == 200
    return len(queries), len(response.json()["results"])


@pytest.mark.parametrize("persona", ["district_staff", "portal_admin"])
def test_unit_list_query_count_does_not_grow_with_units(request, client, tree, persona, django_assert_max_num_queries):
    client.force_login(request.getfixturevalue(persona))
    _add_units(tree.commune_a, "t-extra", 3)
    few, few_rows = _count_unit_list_queries(client)
    _add_units(tree.commune_b, "t-more", 27)  # 30 extra units in all

    # session, user, memberships, units, successors, predecessors
    with django_assert_max_num_queries(6):
        many, many_rows = _count_unit_list_queries(client)

    assert many_rows == few_rows + 27
    assert many == few


# --- People --------------------------------------------------------------------------------


def test_people_are_scoped_by_unit(client, tree, commune_a_officer):
    mine = PersonFactory(full_name="Già làng Vàng A Sình", unit=tree.village_a)
    other = PersonFactory(full_name="Trưởng thôn Hoàng Văn Đức", unit=tree.village_b)
    client.force_login(commune_a_officer)

    names = {item["full_name"] for item in fetch_all(client, PEOPLE)}

    assert names == {mine.full_name}
    assert client.get(f"{PEOPLE}{other.pk}/").status_code == 404
    assert client.get(f"{PEOPLE}{mine.pk}/").json()["unit"] == tree.village_a.pk


def test_people_filter_by_unit(client, tree, district_staff):
    PersonFactory(full_name="A", unit=tree.village_a)
    PersonFactory(full_name="B", unit=tree.village_b)
    client.force_login(district_staff)

    names = {item["full_name"] for item in fetch_all(client, f"{PEOPLE}?unit={tree.village_b.pk}")}

    assert names == {"B"}


# --- /me/ ----------------------------------------------------------------------------------


def test_me_describes_the_user_and_memberships(client, tree, district_staff):
    client.force_login(district_staff)

    body = client.get(ME).json()

    assert body["id"] == district_staff.pk
    assert body["username"] == "staff"
    assert body["full_name"] == district_staff.full_name
    assert body["email"] == "staff@example.test"
    [membership] = body["memberships"]
    assert membership["unit"] == {"id": tree.district.pk, "name": "Huyện Bảo Yên", "kind": "district"}
    assert membership["role"] == "district_staff"
    assert membership["role_display"] == str(Role.DISTRICT_STAFF.label)
    assert membership["body"] == {"id": tree.ban_dan_van.pk, "name": "Ban Dân vận Huyện ủy", "kind": "board"}
    assert membership["is_active"] is True
    assert "password" not in body


def test_me_lists_every_membership_of_a_user_with_several(client, tree, commune_a_officer):
    MembershipFactory(user=commune_a_officer, unit=tree.commune_b, role=Role.LEADER, is_active=False)
    client.force_login(commune_a_officer)

    memberships = client.get(ME).json()["memberships"]

    assert [(m["unit"]["id"], m["role"], m["is_active"]) for m in memberships] == [
        (tree.commune_a.pk, "commune_officer", True),
        (tree.commune_b.pk, "leader", False),
    ]


def test_me_requires_sign_in(client, tree):
    assert client.get(ME).status_code in {401, 403}


# --- Token ---------------------------------------------------------------------------------


def test_token_from_good_credentials_authenticates_later_requests(client, tree, district_staff):
    response = client.post(TOKEN, {"username": "staff", "password": PASSWORD}, content_type="application/json")

    assert response.status_code == 200
    token = response.json()["token"]
    assert response["Cache-Control"] == "no-store"
    client.logout()
    me = client.get(ME, HTTP_AUTHORIZATION=f"Token {token}")
    assert me.status_code == 200
    assert me.json()["username"] == "staff"
    assert unit_keys_with_token(client, token) == DISTRICT_SUBTREE
    district_staff.refresh_from_db()
    assert district_staff.last_login is not None  # recorded like a session sign-in


def unit_keys_with_token(client, token: str) -> set[str]:
    return {item["key"] for item in fetch_all(client, UNITS, HTTP_AUTHORIZATION=f"Token {token}")}


def test_token_is_the_same_on_a_second_request(client, tree, district_staff):
    first = client.post(TOKEN, {"username": "staff", "password": PASSWORD}, content_type="application/json")
    second = client.post(TOKEN, {"username": "staff", "password": PASSWORD}, content_type="application/json")

    assert first.json()["token"] == second.json()["token"]


def test_token_refused_for_a_wrong_password(client, tree, district_staff):
    response = client.post(TOKEN, {"username": "staff", "password": "wrong"}, content_type="application/json")

    assert response.status_code == 400
    assert "token" not in response.json()
    assert response.json()["non_field_errors"]


def test_token_refused_for_missing_fields(client, tree):
    response = client.post(TOKEN, {"username": "staff"}, content_type="application/json")

    assert response.status_code == 400
    assert "password" in response.json()


def test_bogus_token_is_refused(client, tree):
    response = client.get(ME, HTTP_AUTHORIZATION="Token not-a-real-token")

    # 403 while session authentication is listed first (DRF then sends no WWW-Authenticate).
    assert response.status_code in {401, 403}
    assert "username" not in response.json()


def test_inactive_user_gets_no_token(client, tree, district_staff):
    district_staff.is_active = False
    district_staff.save(update_fields=["is_active"])

    response = client.post(TOKEN, {"username": "staff", "password": PASSWORD}, content_type="application/json")

    assert response.status_code == 400


def _bad_attempt(client):
    return client.post(TOKEN, {"username": "staff", "password": "wrong"}, content_type="application/json")


def test_five_bad_token_attempts_lock_the_account(client, tree, district_staff, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    statuses = [_bad_attempt(client).status_code for _attempt in range(5)]

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the portal's language switch
    locked = client.post(TOKEN, {"username": "staff", "password": PASSWORD}, content_type="application/json")

    # The fifth failure reaches the limit and is already answered as a lockout.
    assert statuses == [400, 400, 400, 400, 429]
    assert locked.status_code == 429
    assert locked["Content-Type"] == "application/json"
    assert "locked for 30 minutes" in locked.json()["detail"]
    assert int(locked["Retry-After"]) == 30 * 60
    assert "token" not in locked.json()


def test_lockout_is_per_account(client, tree, district_staff, leader):
    for _attempt in range(5):
        _bad_attempt(client)

    other = client.post(TOKEN, {"username": "leader", "password": PASSWORD}, content_type="application/json")

    assert other.status_code == 200


def test_successful_token_sign_in_resets_the_failure_count(client, tree, district_staff):
    for _attempt in range(4):
        _bad_attempt(client)
    good = client.post(TOKEN, {"username": "staff", "password": PASSWORD}, content_type="application/json")
    again = [_bad_attempt(client).status_code for _attempt in range(4)]

    assert good.status_code == 200
    assert again == [400, 400, 400, 400]


# --- Documents -----------------------------------------------------------------------------


def _notice(tree, **overrides) -> dict:
    return {
        "issuer": tree.party_committee.pk,
        "kind": DocumentKind.TB,
        "date": "2024-05-10",
        "subject": "Thông báo kết luận đối thoại tại xã Vĩnh Yên",
        **overrides,
    }


def test_district_staff_issues_a_document_and_gets_its_symbol(client, tree, district_staff):
    client.force_login(district_staff)

    first = client.post(DOCUMENTS, _notice(tree), content_type="application/json")
    second = client.post(DOCUMENTS, _notice(tree), content_type="application/json")

    assert first.status_code == 201, first.content
    assert first.json()["symbol"] == "1-TB/HU"
    assert first.json()["number"] == 1
    assert first.json()["issuer"]["id"] == tree.party_committee.pk
    assert second.json()["symbol"] == "2-TB/HU"
    assert Document.objects.get(pk=first.json()["id"]).created_by == district_staff


def test_leader_may_not_issue_documents(client, tree, leader):
    client.force_login(leader)

    response = client.post(DOCUMENTS, _notice(tree), content_type="application/json")

    assert response.status_code == 403
    assert not Document.objects.exists()


def test_issuer_outside_scope_is_answered_as_unknown(client, tree, commune_a_officer):
    client.force_login(commune_a_officer)
    missing = Unit.objects.order_by("-pk").first().pk + 1000

    hidden = client.post(DOCUMENTS, _notice(tree), content_type="application/json")
    absent = client.post(DOCUMENTS, _notice(tree, issuer=missing), content_type="application/json")

    assert hidden.status_code == 400
    assert hidden.json() == absent.json()
    assert "issuer" in hidden.json()
    assert not Document.objects.exists()


def test_malformed_date_is_a_400_naming_the_field(client, tree, district_staff):
    client.force_login(district_staff)

    response = client.post(DOCUMENTS, _notice(tree, date="2024-13-45"), content_type="application/json")

    assert response.status_code == 400
    assert list(response.json()) == ["date"]


def test_date_outside_the_issuers_life_is_a_400_from_the_service(client, tree, district_staff):
    client.force_login(district_staff)

    response = client.post(DOCUMENTS, _notice(tree, date="2025-09-01"), content_type="application/json")

    assert response.status_code == 400
    assert list(response.json()) == ["date"]
    assert response.json()["date"][0]
    assert not Document.objects.exists()


def test_issuer_without_document_symbol_is_a_400(client, tree, district_staff):
    client.force_login(district_staff)

    response = client.post(DOCUMENTS, _notice(tree, issuer=tree.commune_a.pk), content_type="application/json")

    assert response.status_code == 400
    assert "issuer" in response.json()


def test_documents_are_listed_only_for_visible_issuers(client, tree, district_staff, commune_a_officer):
    client.force_login(district_staff)
    created = client.post(DOCUMENTS, _notice(tree), content_type="application/json").json()

    staff_view = fetch_all(client, DOCUMENTS)
    client.force_login(commune_a_officer)
    officer_view = fetch_all(client, DOCUMENTS)

    assert [item["symbol"] for item in staff_view] == ["1-TB/HU"]
    assert officer_view == []
    assert client.get(f"{DOCUMENTS}{created['id']}/").status_code == 404


def test_documents_cannot_be_changed_or_deleted_through_the_api(client, tree, district_staff):
    client.force_login(district_staff)
    created = client.post(DOCUMENTS, _notice(tree), content_type="application/json").json()

    assert client.patch(f"{DOCUMENTS}{created['id']}/", {}, content_type="application/json").status_code == 405
    assert client.delete(f"{DOCUMENTS}{created['id']}/").status_code == 405


# --- Schema and documentation ---------------------------------------------------------------


def test_schema_is_served_and_lists_the_endpoints(client, db):
    response = client.get(reverse("api-schema"))

    assert response.status_code == 200
    text = response.content.decode()
    for endpoint in (UNITS, PEOPLE, DOCUMENTS, ME, TOKEN):
        assert endpoint in text


def test_schema_generates_without_warnings(tmp_path, db):
    # The same check as `manage.py spectacular --validate --fail-on-warn`: a warning fails.
    target = tmp_path / "schema.yml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))

    assert "/api/v1/units/" in target.read_text()


def test_api_docs_load_no_asset_from_another_host(client, db):
    response = client.get(reverse("api-docs"))

    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)
    assert assets, "the page should reference its JS and CSS"
    external = [url for url in assets if re.match(r"^(?:https?:)?//", url)]
    assert external == []
    assert any("swagger-ui" in url for url in assets)
