"""The campaigns API for Dân vận khéo models, household commitments, emulation pledges and the
commitment items: who sees and writes what, the lifecycle through the API, refusals that change
nothing, optimistic versions and the cost of a page.

Time is frozen on 20/11/2024 (Asia/Ho_Chi_Minh): the test district's units exist until 30/06/2025.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from campaigns import services
from campaigns.models import (
    CommitmentItem,
    CommitmentStatus,
    DvkCriterion,
    DvkEvent,
    DvkModel,
    DvkPillar,
    EmulationPledge,
    HouseholdCommitment,
)
from campaigns.workflow import DvkStatus
from organization.models import Unit, UnitKind
from organization.tests.factories import UnitFactory

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2024, 11, 20, 9, 0, tzinfo=TZ)

MODELS = "/api/v1/dvk-models/"
COMMITMENTS = "/api/v1/household-commitments/"
PLEDGES = "/api/v1/emulation-pledges/"
ITEMS = "/api/v1/commitment-items/"


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture(autouse=True)
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def post(client, url: str, data: dict | None = None):
    return client.post(url, data or {}, content_type="application/json")


def patch(client, url: str, data: dict):
    return client.patch(url, data, content_type="application/json")


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
        "models": DvkModel.objects.count(),
        "criteria": DvkCriterion.objects.count(),
        "pillars": DvkPillar.objects.count(),
        "events": DvkEvent.objects.count(),
        "commitments": HouseholdCommitment.objects.count(),
        "pledges": EmulationPledge.objects.count(),
    }


def item_ids(*codes: str) -> list[int]:
    found = dict(CommitmentItem.objects.filter(code__in=codes).values_list("code", "pk"))
    return [found[code] for code in codes]


def seeded_codes() -> list[str]:
    return list(CommitmentItem.objects.order_by("order", "id").values_list("code", flat=True))


def make_model(user, owner: Unit, locality: Unit, *, name: str, met: bool | None = None) -> DvkModel:
    return services.dvk_model_create(
        user=user,
        data=services.DvkModelInput(
            values={
                "name": name,
                "field": "culture_society",
                "level": "village",
                "owner_unit": owner,
                "locality": locality,
                "registered_on": date(2024, 3, 1),
                "target_group": "Đồng bào Mông",
            },
            criteria=[{"text": "Hộ ký cam kết", "target": "100% hộ", "met": met}],
            pillars=[{"number": 1, "title": "Lắng nghe dân"}],
        ),
    )


def move(user, model: DvkModel, *statuses: str) -> DvkModel:
    for status in statuses:
        services.dvk_transition(user=user, model=model, to_status=status, note="Theo kế hoạch")
    model.refresh_from_db()
    return model


CONSULTED = (DvkStatus.SURVEYED, DvkStatus.VILLAGE_CONSULTED)


@dataclass
class World:
    model_a: DvkModel
    model_district: DvkModel
    model_b: DvkModel


@pytest.fixture
def world(tree, district_staff, commune_a_officer, commune_b_officer) -> World:
    model_a = make_model(
        commune_a_officer, tree.commune_a, tree.village_a, name="Nếp sống văn hóa mới của đồng bào Mông"
    )
    model_district = make_model(district_staff, tree.district, tree.commune_a, name="Chính quyền thân thiện")
    model_b = make_model(commune_b_officer, tree.commune_b, tree.village_b, name="Thôn Nà Pồng không rác thải")
    return World(model_a, model_district, model_b)


def model_payload(tree, **overrides) -> dict:
    return {
        "name": "Dân vận khéo trong xây dựng nếp sống văn hóa mới",
        "kind": "model",
        "field": "culture_society",
        "level": "village",
        "owner_unit": tree.commune_a.pk,
        "locality": tree.village_a.pk,
        "is_pilot": True,
        "registered_on": "2024-03-01",
        "target_group": "Đồng bào Mông",
        "objectives": "Xóa bỏ hủ tục",
        "criteria": [
            {"text": "Hộ ký cam kết", "target": "100% hộ", "order": 1},
            {"text": "Không tảo hôn", "target": "0 trường hợp", "achieved": "0", "met": True, "order": 2},
        ],
        "pillars": [{"number": 1, "title": "Lắng nghe dân"}, {"number": 2, "title": "Giải quyết kịp thời"}],
        **overrides,
    }


# --- Who sees what ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("district_staff", {"a", "district", "b"}),
        ("leader", {"a", "district", "b"}),
        ("portal_admin", {"a", "district", "b"}),
        # a commune sees its own models and the district's model built in it
        ("commune_a_officer", {"a", "district"}),
        ("commune_b_officer", {"b"}),
        ("viewer", {"a", "district"}),
        ("agency_officer", set()),
    ],
)
def test_model_list_shows_the_models_of_units_in_scope(request, client, world, persona, expected):
    client.force_login(request.getfixturevalue(persona))
    by_name = {"a": world.model_a.pk, "district": world.model_district.pk, "b": world.model_b.pk}

    assert ids(client, MODELS) == {by_name[name] for name in expected}


def test_a_model_outside_scope_answers_like_a_missing_one(client, world, commune_b_officer):
    client.force_login(commune_b_officer)

    hidden = client.get(f"{MODELS}{world.model_a.pk}/")
    missing = client.get(f"{MODELS}999999/")

    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()


@pytest.mark.parametrize("path", [MODELS, COMMITMENTS, PLEDGES, ITEMS])
def test_anonymous_gets_401(client, world, path):
    before = counts()

    answers = [client.get(path), post(client, path)]

    assert [answer.status_code for answer in answers] == [401, 401]
    assert answers[0]["WWW-Authenticate"].startswith("Token")
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
def test_who_may_register_a_model(request, client, tree, persona, expected_status):
    client.force_login(request.getfixturevalue(persona))
    before = counts()

    response = post(client, MODELS, model_payload(tree))

    assert response.status_code == expected_status, response.content
    if expected_status == 201:
        body = response.json()
        assert (body["status"], body["allowed_transitions"]) == ("registered", ["surveyed", "stopped"])
        assert [c["text"] for c in body["criteria"]] == ["Hộ ký cam kết", "Không tảo hôn"]
        assert [p["number"] for p in body["pillars"]] == [1, 2]
        assert counts()["models"] == before["models"] + 1
    else:
        assert counts() == before
    if persona == "commune_b_officer":
        assert response.json() == {"owner_unit": ["Unknown unit."], "locality": ["Unknown unit."]}


@pytest.mark.parametrize(
    ("persona", "expected_status"),
    [("leader", 403), ("viewer", 403), ("commune_b_officer", 404), ("agency_officer", 404)],
)
def test_who_may_not_change_or_move_a_model(request, client, world, persona, expected_status):
    client.force_login(request.getfixturevalue(persona))
    url = f"{MODELS}{world.model_a.pk}/"
    before = counts()

    answers = [
        patch(client, url, {"name": "Không được sửa", "version": 1}),
        post(client, f"{url}transition/", {"to_status": "surveyed"}),
    ]

    assert [answer.status_code for answer in answers] == [expected_status] * 2
    assert counts() == before
    world.model_a.refresh_from_db()
    assert (world.model_a.version, world.model_a.status) == (1, DvkStatus.REGISTERED)


def test_a_reader_sees_no_moves(client, world, leader):
    client.force_login(leader)

    assert client.get(f"{MODELS}{world.model_a.pk}/").json()["allowed_transitions"] == []


# --- The lifecycle ------------------------------------------------------------------------------


def test_a_model_from_registration_to_recognition(client, world, commune_a_officer, district_staff):
    url = f"{MODELS}{world.model_a.pk}/"
    client.force_login(commune_a_officer)
    version = 1
    for status in ("surveyed", "village_consulted", "launched", "in_progress", "evaluated"):
        moved = post(client, f"{url}transition/", {"to_status": status, "note": f"→ {status}", "version": version})
        assert moved.status_code == 200, moved.content
        version = moved.json()["version"]
    assert moved.json()["status"] == "evaluated"
    # The commune cannot judge its own model: the level above recognizes it.
    assert moved.json()["allowed_transitions"] == ["stopped"]
    assert post(client, f"{url}transition/", {"to_status": "recognized"}).status_code == 403

    client.force_login(district_staff)
    assert client.get(url).json()["allowed_transitions"] == ["recognized", "not_met", "stopped"]
    before = counts()
    unmet = post(client, f"{url}transition/", {"to_status": "recognized", "recognized_on": "2024-11-15"})
    assert unmet.status_code == 400
    assert unmet.json() == {"to_status": ["Criteria not met yet: Hộ ký cam kết."]}
    assert counts() == before

    criteria = client.get(url).json()["criteria"]
    met = [{"text": c["text"], "target": c["target"], "achieved": "100%", "met": True} for c in criteria]
    assert patch(client, url, {"criteria": met, "version": version}).status_code == 200
    undated = post(client, f"{url}transition/", {"to_status": "recognized"})
    assert undated.json() == {"recognized_on": ["Give the date of the recognition decision."]}
    recognized = post(client, f"{url}transition/", {"to_status": "recognized", "recognized_on": "2024-11-15"})

    assert recognized.status_code == 200, recognized.content
    body = recognized.json()
    assert (body["status"], body["recognized_on"], body["allowed_transitions"]) == (
        "recognized",
        "2024-11-15",
        ["replicated", "stopped"],
    )
    assert [(e["from_status"], e["to_status"]) for e in body["events"]][-2:] == [
        ("in_progress", "evaluated"),
        ("evaluated", "recognized"),
    ]
    assert body["pillars"] == [
        {"id": body["pillars"][0]["id"], "number": 1, "title": "Lắng nghe dân", "description": ""}
    ]


def test_a_transition_that_is_not_allowed_changes_nothing(client, world, commune_a_officer):
    client.force_login(commune_a_officer)
    before = counts()

    response = post(client, f"{MODELS}{world.model_a.pk}/transition/", {"to_status": "launched"})

    assert response.status_code == 400
    assert response.json() == {"to_status": ["A model cannot go from “Registered” to “Launched”."]}
    assert counts() == before
    world.model_a.refresh_from_db()
    assert (world.model_a.status, world.model_a.version) == (DvkStatus.REGISTERED, 1)


def test_stopping_a_model_needs_a_reason(client, world, commune_a_officer):
    client.force_login(commune_a_officer)
    url = f"{MODELS}{world.model_a.pk}/transition/"

    refused = post(client, url, {"to_status": "stopped"})
    stopped = post(client, url, {"to_status": "stopped", "note": "Địa bàn sáp nhập"})

    assert refused.status_code == 400
    assert refused.json() == {"note": ["Say why the model stops."]}
    assert stopped.status_code == 200
    assert (stopped.json()["status"], stopped.json()["allowed_transitions"]) == ("stopped", [])


def test_a_stale_model_version_is_a_conflict_and_changes_nothing(client, world, commune_a_officer):
    client.force_login(commune_a_officer)
    url = f"{MODELS}{world.model_a.pk}/"
    assert patch(client, url, {"objectives": "Xóa bỏ hủ tục", "version": 1}).status_code == 200
    before = counts()

    answers = [
        patch(client, url, {"name": "Tên khác", "version": 1}),
        post(client, f"{url}transition/", {"to_status": "surveyed", "version": 1}),
    ]

    assert [answer.status_code for answer in answers] == [409, 409]
    assert counts() == before
    world.model_a.refresh_from_db()
    assert (world.model_a.version, world.model_a.status) == (2, DvkStatus.REGISTERED)


def test_bad_rows_of_a_model_change_nothing(client, tree, commune_a_officer):
    client.force_login(commune_a_officer)
    before = counts()

    missing_target = post(client, MODELS, model_payload(tree, criteria=[{"text": "Không tảo hôn"}]))
    same_pillar = post(
        client, MODELS, model_payload(tree, pillars=[{"number": 1, "title": "A"}, {"number": 1, "title": "B"}])
    )

    assert missing_target.status_code == same_pillar.status_code == 400
    assert missing_target.json() == {"criteria": {"0": {"target": ["This field is required."]}}}
    assert same_pillar.json() == {"pillars": ["Each pillar has its own number."]}
    assert counts() == before


def test_a_locality_outside_the_owner_unit_is_refused(client, tree, district_staff):
    client.force_login(district_staff)
    before = counts()

    response = post(client, MODELS, model_payload(tree, locality=tree.village_b.pk))

    assert response.status_code == 400
    assert response.json() == {"locality": ["The locality must lie within the owner unit."]}
    assert counts() == before


def test_a_patch_replaces_only_the_lists_it_sends(client, world, commune_a_officer):
    client.force_login(commune_a_officer)
    url = f"{MODELS}{world.model_a.pk}/"

    kept = patch(client, url, {"timeline": "2024–2025", "version": 1})
    replaced = patch(
        client,
        url,
        {"pillars": [{"number": 2, "title": "Giải quyết kịp thời"}, {"number": 1, "title": "Lắng nghe"}], "version": 2},
    )

    assert kept.status_code == replaced.status_code == 200, replaced.content
    assert [c["text"] for c in kept.json()["criteria"]] == ["Hộ ký cam kết"]
    assert [(p["number"], p["title"]) for p in replaced.json()["pillars"]] == [
        (1, "Lắng nghe"),
        (2, "Giải quyết kịp thời"),
    ]
    assert [c["text"] for c in replaced.json()["criteria"]] == ["Hộ ký cam kết"]
    assert replaced.json()["timeline"] == "2024–2025"


# --- Household commitments ----------------------------------------------------------------------


def commitment_payload(model: DvkModel, village: Unit, **overrides) -> dict:
    return {
        "model": model.pk,
        "household_head": "Giàng A Sử",
        "village": village.pk,
        "signed_on": "2024-06-02",
        "items": item_ids(*seeded_codes()[:2]),
        **overrides,
    }


@pytest.fixture
def consulted(world, district_staff) -> World:
    """Models whose villages have been consulted: households may sign."""
    for model in (world.model_a, world.model_district, world.model_b):
        move(district_staff, model, *CONSULTED)
    return world


@pytest.mark.parametrize(
    ("persona", "expected_status"),
    [
        ("commune_a_officer", 201),
        ("district_staff", 201),
        ("commune_b_officer", 400),
        ("leader", 403),
        ("viewer", 403),
        ("agency_officer", 403),
    ],
)
def test_who_may_record_a_commitment(request, client, tree, consulted, persona, expected_status):
    client.force_login(request.getfixturevalue(persona))
    before = counts()

    response = post(client, COMMITMENTS, commitment_payload(consulted.model_a, tree.village_a))

    assert response.status_code == expected_status, response.content
    if expected_status == 201:
        body = response.json()
        assert [item["code"] for item in body["items"]] == seeded_codes()[:2]
        assert (body["status"], body["broken_items"], body["model"]["id"]) == ("kept", [], consulted.model_a.pk)
        assert counts()["commitments"] == before["commitments"] + 1
    else:
        assert counts() == before
    if persona == "commune_b_officer":
        assert response.json() == {"model": ["Unknown model."], "village": ["Unknown village."]}


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
def test_commitments_and_pledges_are_listed_within_scope(
    request, client, tree, consulted, district_staff, persona, expected
):
    made = {}
    for letter, model, village in [("a", consulted.model_a, tree.village_a), ("b", consulted.model_b, tree.village_b)]:
        commitment = services.commitment_create(
            user=district_staff,
            values={"model": model, "household_head": "Hộ", "village": village, "signed_on": date(2024, 6, 2)},
            items=item_ids(seeded_codes()[0]),
        )
        group = UnitFactory(kind=UnitKind.RELIGIOUS_GROUP, parent=village)
        pledge = services.pledge_save(
            user=district_staff,
            values={"unit": group, "year": 2024, "signed_on": date(2024, 1, 20)},
            items=item_ids(seeded_codes()[2]),
        )
        made[letter] = (commitment.pk, pledge.pk)
    client.force_login(request.getfixturevalue(persona))

    assert ids(client, COMMITMENTS) == {made[letter][0] for letter in expected}
    assert ids(client, PLEDGES) == {made[letter][1] for letter in expected}
    if "a" not in expected:
        assert client.get(f"{PLEDGES}{made['a'][1]}/").status_code == 404


def test_a_commitment_outside_the_models_area_changes_nothing(client, tree, consulted, district_staff):
    client.force_login(district_staff)
    before = counts()

    response = post(client, COMMITMENTS, commitment_payload(consulted.model_a, tree.village_b))

    assert response.status_code == 400
    assert response.json() == {"village": ["This household is outside the model's area (Bản Tổng Kim)."]}
    assert counts() == before


def test_households_sign_only_once_the_village_has_been_consulted(client, tree, world, commune_a_officer):
    client.force_login(commune_a_officer)
    before = counts()

    response = post(client, COMMITMENTS, commitment_payload(world.model_a, tree.village_a))

    assert response.status_code == 400
    assert response.json() == {
        "model": ["Households sign once the model has been discussed with the village (status: Registered)."]
    }
    assert counts() == before


@pytest.mark.parametrize(
    ("items", "message"),
    [([999999], "Unknown commitment item."), ([], "Choose at least one item.")],
)
def test_unknown_or_no_items_change_nothing(client, tree, consulted, commune_a_officer, items, message):
    client.force_login(commune_a_officer)
    before = counts()

    response = post(client, COMMITMENTS, commitment_payload(consulted.model_a, tree.village_a, items=items))

    assert response.status_code == 400
    assert response.json() == {"items": [message]}
    assert counts() == before


def test_a_household_signs_once_per_model(client, tree, consulted, commune_a_officer):
    client.force_login(commune_a_officer)
    assert post(client, COMMITMENTS, commitment_payload(consulted.model_a, tree.village_a)).status_code == 201
    before = counts()

    response = post(client, COMMITMENTS, commitment_payload(consulted.model_a, tree.village_a))

    assert response.status_code == 400
    assert response.json() == {"household_head": ["This household has already signed for this model."]}
    assert counts() == before


def test_a_commune_signs_households_for_the_district_model_built_in_it(
    client, tree, consulted, commune_a_officer, commune_b_officer
):
    client.force_login(commune_a_officer)
    assert consulted.model_district.pk in ids(client, MODELS)

    response = post(client, COMMITMENTS, commitment_payload(consulted.model_district, tree.village_a))

    assert response.status_code == 201, response.content
    assert response.json()["model"] == {
        "id": consulted.model_district.pk,
        "name": "Chính quyền thân thiện",
        "status": "village_consulted",
    }
    client.force_login(commune_b_officer)
    assert client.get(f"{COMMITMENTS}{response.json()['id']}/").status_code == 404


def test_recording_a_broken_commitment(client, tree, consulted, commune_a_officer):
    client.force_login(commune_a_officer)
    first, second, third = item_ids(*seeded_codes()[:3])
    created = post(client, COMMITMENTS, commitment_payload(consulted.model_a, tree.village_a, items=[first, second]))
    url = f"{COMMITMENTS}{created.json()['id']}/"
    before = counts()

    undated = patch(client, url, {"status": "broken", "broken_items": [second], "version": 1})
    unsigned = patch(
        client, url, {"status": "broken", "broken_on": "2024-09-02", "broken_items": [third], "version": 1}
    )
    assert undated.status_code == unsigned.status_code == 400
    assert undated.json() == {"broken_on": ["Give the date the commitment was broken."]}
    assert unsigned.json() == {"broken_items": ["Only items the household signed can be broken."]}
    assert counts() == before
    assert HouseholdCommitment.objects.get(pk=created.json()["id"]).status == CommitmentStatus.KEPT

    broken = patch(client, url, {"status": "broken", "broken_on": "2024-09-02", "broken_items": [second], "version": 1})
    assert broken.status_code == 200, broken.content
    body = broken.json()
    assert (body["status"], body["broken_on"], body["version"]) == ("broken", "2024-09-02", 2)
    assert [item["id"] for item in body["broken_items"]] == [second]
    assert [item["id"] for item in body["items"]] == [first, second]  # kept: not sent
    stale = patch(client, url, {"note": "Tái phạm", "version": 1})
    assert stale.status_code == 409


@pytest.mark.parametrize(
    ("persona", "expected_status"),
    [("viewer", 403), ("leader", 403), ("commune_b_officer", 404), ("agency_officer", 404)],
)
def test_who_may_not_change_a_commitment(request, client, tree, consulted, commune_a_officer, persona, expected_status):
    commitment = services.commitment_create(
        user=commune_a_officer,
        values={
            "model": consulted.model_a,
            "household_head": "Giàng A Sử",
            "village": tree.village_a,
            "signed_on": date(2024, 6, 2),
        },
        items=item_ids(seeded_codes()[0]),
    )
    client.force_login(request.getfixturevalue(persona))

    response = patch(client, f"{COMMITMENTS}{commitment.pk}/", {"household_head": "Khác", "version": 1})

    assert response.status_code == expected_status
    commitment.refresh_from_db()
    assert (commitment.household_head, commitment.version) == ("Giàng A Sử", 1)


def test_commitment_filters(client, tree, consulted, district_staff):
    first, second = item_ids(*seeded_codes()[:2])
    made = {}
    for name, model, village, items in [
        ("Giàng A Sử", consulted.model_a, tree.village_a, [first]),
        ("Sùng Seo Chứ", consulted.model_district, tree.village_a, [first, second]),
        ("Lục Văn Hòa", consulted.model_b, tree.village_b, [second]),
    ]:
        made[name] = services.commitment_create(
            user=district_staff,
            values={"model": model, "household_head": name, "village": village, "signed_on": date(2024, 6, 2)},
            items=items,
        ).pk
    client.force_login(district_staff)

    assert ids(client, f"{COMMITMENTS}?model={consulted.model_a.pk}") == {made["Giàng A Sử"]}
    assert ids(client, f"{COMMITMENTS}?village={tree.commune_b.pk}") == {made["Lục Văn Hòa"]}
    assert ids(client, f"{COMMITMENTS}?item={second}") == {made["Sùng Seo Chứ"], made["Lục Văn Hòa"]}
    assert ids(client, f"{COMMITMENTS}?search=seo%20chu") == {made["Sùng Seo Chứ"]}
    assert ids(client, f"{COMMITMENTS}?status=broken") == set()


def test_model_filters(client, tree, world, district_staff):
    move(district_staff, world.model_b, DvkStatus.SURVEYED)
    client.force_login(district_staff)

    assert ids(client, f"{MODELS}?owner_unit={tree.commune_a.pk}") == {world.model_a.pk}
    assert ids(client, f"{MODELS}?status=surveyed") == {world.model_b.pk}
    assert ids(client, f"{MODELS}?search=nep%20song%20van%20hoa") == {world.model_a.pk}
    assert ids(client, f"{MODELS}?field=economy") == set()
    assert client.get(f"{MODELS}?status=flying").status_code == 400


# --- Emulation pledges and commitment items -----------------------------------------------------


@pytest.fixture
def parish(tree) -> Unit:
    return UnitFactory(key="t-gx", name="Giáo xứ Vĩnh Yên", kind=UnitKind.RELIGIOUS_GROUP, parent=tree.commune_a)


def pledge_payload(group: Unit, **overrides) -> dict:
    return {
        "unit": group.pk,
        "year": 2024,
        "items": item_ids(*seeded_codes()[2:4]),
        "signed_on": "2024-01-20",
        "representative": "Linh mục Giuse Nguyễn Văn Thành",
        **overrides,
    }


@pytest.mark.parametrize(
    ("persona", "expected_status"),
    [
        ("commune_a_officer", 201),
        ("district_staff", 201),
        ("commune_b_officer", 400),
        ("leader", 403),
        ("viewer", 403),
    ],
)
def test_who_may_register_a_pledge(request, client, parish, persona, expected_status):
    client.force_login(request.getfixturevalue(persona))
    before = counts()

    response = post(client, PLEDGES, pledge_payload(parish))

    assert response.status_code == expected_status, response.content
    if expected_status == 201:
        assert (response.json()["result"], len(response.json()["items"])) == ("pledged", 2)
        assert counts()["pledges"] == 1
    else:
        assert counts() == before
    if persona == "commune_b_officer":
        assert response.json() == {"unit": ["Unknown unit."]}


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"unit": "village"}, {"unit": ["Pledges are registered by religious groups."]}),
        ({"signed_on": "2023-12-30"}, {"signed_on": ["The pledge is signed in the year it is for."]}),
    ],
)
def test_a_bad_pledge_changes_nothing(client, tree, parish, commune_a_officer, overrides, expected):
    client.force_login(commune_a_officer)
    if overrides.get("unit") == "village":
        overrides = {"unit": tree.village_a.pk}
    before = counts()

    response = post(client, PLEDGES, pledge_payload(parish, **overrides))

    assert response.status_code == 400
    assert response.json() == expected
    assert counts() == before


def test_a_pledge_per_group_and_year_and_its_result(client, parish, commune_a_officer):
    client.force_login(commune_a_officer)
    created = post(client, PLEDGES, pledge_payload(parish))
    url = f"{PLEDGES}{created.json()['id']}/"

    second = post(client, PLEDGES, pledge_payload(parish))
    assert second.status_code == 400
    assert second.json() == {"year": ["Giáo xứ Vĩnh Yên has already pledged for 2024."]}

    achieved = patch(client, url, {"result": "achieved", "assessment": "Không có tảo hôn", "version": 1})
    assert achieved.status_code == 200, achieved.content
    assert (achieved.json()["result"], achieved.json()["version"]) == ("achieved", 2)
    assert [i["id"] for i in achieved.json()["items"]] == [i["id"] for i in created.json()["items"]]
    assert patch(client, url, {"result": "not_achieved", "version": 1}).status_code == 409
    assert EmulationPledge.objects.get().result == "achieved"


def test_commitment_items_are_listed_in_order(client, viewer):
    CommitmentItem.objects.filter(code=seeded_codes()[-1]).update(is_active=False)
    client.force_login(viewer)

    every = fetch_all(client, ITEMS)
    offered = fetch_all(client, f"{ITEMS}?is_active=true")

    assert [item["code"] for item in every] == seeded_codes()
    assert len(every) == 5
    assert [item["code"] for item in offered] == seeded_codes()[:-1]
    # Kept by portal administrators (organization/tests/test_api_admin_kept.py).
    assert post(client, ITEMS, {"code": "x", "text": "x"}).status_code == 403


# --- Cost of a page -----------------------------------------------------------------------------


def _list_queries(client, url: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"{url}?page_size=200")
    assert response.status_code == 200
    return len(queries), len(response.json()["results"])


def test_lists_cost_the_same_whatever_their_length(
    client, tree, consulted, district_staff, django_assert_max_num_queries
):
    items = item_ids(*seeded_codes()[:3])

    def add(count: int, start: int) -> None:
        for index in range(start, start + count):
            model = make_model(district_staff, tree.commune_a, tree.village_a, name=f"Mô hình {index}")
            move(district_staff, model, *CONSULTED)
            services.commitment_create(
                user=district_staff,
                values={
                    "model": model,
                    "household_head": f"Hộ {index}",
                    "village": tree.village_a,
                    "signed_on": date(2024, 6, 2),
                },
                items=items,
            )
            group = UnitFactory(kind=UnitKind.RELIGIOUS_GROUP, parent=tree.commune_a)
            services.pledge_save(
                user=district_staff,
                values={"unit": group, "year": 2024, "signed_on": date(2024, 1, 20)},
                items=items,
            )

    add(2, 0)
    client.force_login(district_staff)
    urls = (MODELS, COMMITMENTS, PLEDGES)
    few = {url: _list_queries(client, url) for url in urls}
    add(10, 2)

    many = {}
    for url in urls:
        # session, user, memberships, the page, one query per prefetched list (items, broken items)
        with django_assert_max_num_queries(6):
            many[url] = _list_queries(client, url)

    assert {url: rows for url, (_q, rows) in many.items()} == {MODELS: 15, COMMITMENTS: 12, PLEDGES: 12}
    assert {url: q for url, (q, _r) in many.items()} == {url: q for url, (q, _r) in few.items()}
