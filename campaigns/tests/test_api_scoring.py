"""The campaigns API for scoring: movements, criteria sets, rounds, scorecards, rankings and
awards. Who sees and writes what, the monthly journey through the API, refusals that change
nothing, optimistic versions and the cost of a page.

Time is frozen on 20/11/2024 (Asia/Ho_Chi_Minh): the test district's units exist until 30/06/2025.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from campaigns import services
from campaigns.models import (
    Award,
    AwardForm,
    CriteriaSet,
    Criterion,
    Movement,
    RoundEvent,
    RoundStatus,
    Scorecard,
    ScorecardStatus,
    ScoreEntry,
    ScoringRound,
    TargetType,
)
from campaigns.tests.factories import movement_with_criteria, open_round
from organization.models import Unit, UnitKind
from organization.tests.factories import UnitFactory

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2024, 11, 20, 9, 0, tzinfo=TZ)
OCTOBER = date(2024, 10, 1)
THREE_TYPES = (TargetType.VILLAGE, TargetType.OFFICE, TargetType.SCHOOL)

MOVEMENTS = "/api/v1/movements/"
SETS = "/api/v1/criteria-sets/"
ROUNDS = "/api/v1/scoring-rounds/"
CARDS = "/api/v1/scorecards/"
AWARDS = "/api/v1/awards/"


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture(autouse=True)
def english(client, settings):
    # Messages are compared in English; the portal answers in Vietnamese unless the user chose.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def post(client, url: str, data: dict | None = None):
    return client.post(url, data or {}, content_type="application/json")


def patch(client, url: str, data: dict):
    return client.patch(url, data, content_type="application/json")


def put(client, url: str, data: dict):
    return client.put(url, data, content_type="application/json")


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
        "movements": Movement.objects.count(),
        "sets": CriteriaSet.objects.count(),
        "criteria": Criterion.objects.count(),
        "rounds": ScoringRound.objects.count(),
        "round_events": RoundEvent.objects.count(),
        "cards": Scorecard.objects.count(),
        "entries": ScoreEntry.objects.count(),
        "awards": Award.objects.count(),
    }


def scores(user, round_: ScoringRound, unit: Unit, *values) -> Scorecard:
    """A scorecard of ``unit`` with ``values`` as self-assessed scores, criterion by criterion."""
    card_set = CriteriaSet.objects.get(movement=round_.movement, year=round_.year, target_type=_type_of(unit))
    criteria = list(card_set.criteria.order_by("order"))
    entries = {c.pk: services.EntryInput(self_score=Decimal(str(v))) for c, v in zip(criteria, values, strict=False)}
    return services.scorecard_create(user=user, round_=round_, unit=unit, entries=entries)


def _type_of(unit: Unit) -> str:
    from campaigns.models import target_type_of

    return target_type_of(unit)


def criteria_of(card: Scorecard) -> list[Criterion]:
    return list(card.criteria_set.criteria.order_by("order"))


def school_criteria(world) -> list[Criterion]:
    school_set = world.movement.criteria_sets.get(target_type=TargetType.SCHOOL, year=2024)
    return list(school_set.criteria.order_by("order"))


@dataclass
class World:
    movement: Movement
    round: ScoringRound
    school_a: Unit
    card_a: Scorecard
    card_b: Scorecard


@pytest.fixture
def world(tree, district_staff, commune_a_officer, commune_b_officer) -> World:
    school_a = UnitFactory(
        key="t-th-vinh-yen", name="Trường Tiểu học Vĩnh Yên", kind=UnitKind.SCHOOL, parent=tree.commune_a
    )
    movement = movement_with_criteria(
        district_staff, tree.district, launched_by=tree.party_committee, types=THREE_TYPES
    )
    round_ = open_round(district_staff, movement, OCTOBER)
    card_a = scores(commune_a_officer, round_, tree.village_a, 30, 20, 10)
    card_b = scores(commune_b_officer, round_, tree.village_b, 40, 30, 20)
    return World(movement, round_, school_a, card_a, card_b)


# --- Who sees what ------------------------------------------------------------------------------


@pytest.fixture
def movement_b(tree, district_staff) -> Movement:
    """A movement of commune B alone: outside commune A's area and above none of its units."""
    return movement_with_criteria(district_staff, tree.commune_b, name="Xã Nghĩa Đô sạch đẹp")


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("district_staff", {"district", "b"}),
        ("leader", {"district", "b"}),
        ("portal_admin", {"district", "b"}),
        ("commune_a_officer", {"district"}),  # the district's movement covers its villages
        ("commune_b_officer", {"district", "b"}),
        ("viewer", {"district"}),
        ("agency_officer", {"district"}),
    ],
)
def test_movement_list_shows_the_movements_of_the_area_and_above(request, client, world, movement_b, persona, expected):
    client.force_login(request.getfixturevalue(persona))
    by_name = {"district": world.movement.pk, "b": movement_b.pk}

    assert ids(client, MOVEMENTS) == {by_name[name] for name in expected}


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
def test_scorecard_list_shows_only_the_units_in_scope(request, client, world, persona, expected):
    client.force_login(request.getfixturevalue(persona))
    by_letter = {"a": world.card_a.pk, "b": world.card_b.pk}

    assert ids(client, CARDS) == {by_letter[letter] for letter in expected}


@pytest.mark.parametrize("persona", ["district_staff", "commune_a_officer", "leader", "viewer", "agency_officer"])
def test_everyone_under_the_district_sees_its_rounds_and_criteria(request, client, world, persona):
    client.force_login(request.getfixturevalue(persona))

    assert ids(client, ROUNDS) == {world.round.pk}
    assert len(ids(client, SETS)) == 3


def test_objects_outside_scope_answer_like_missing_ones(client, world, movement_b, commune_a_officer):
    client.force_login(commune_a_officer)
    hidden_set = movement_b.criteria_sets.get()

    for hidden, missing in [
        (f"{MOVEMENTS}{movement_b.pk}/", f"{MOVEMENTS}999999/"),
        (f"{SETS}{hidden_set.pk}/", f"{SETS}999999/"),
        (f"{CARDS}{world.card_b.pk}/", f"{CARDS}999999/"),
    ]:
        hidden_response, missing_response = client.get(hidden), client.get(missing)
        assert hidden_response.status_code == missing_response.status_code == 404
        assert hidden_response.json() == missing_response.json()


@pytest.mark.parametrize("path", [MOVEMENTS, SETS, ROUNDS, CARDS, AWARDS])
@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_gets_401(client, world, path, method):
    before = counts()

    response = getattr(client, method)(path, {}, content_type="application/json")

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Token")
    assert counts() == before


@pytest.mark.parametrize("path", ["movements", "scorecards"])
def test_anonymous_gets_401_on_a_record(client, world, path):
    pk = world.movement.pk if path == "movements" else world.card_a.pk

    assert client.get(f"/api/v1/{path}/{pk}/").status_code == 401
    assert patch(client, f"/api/v1/{path}/{pk}/", {"version": 1}).status_code == 401


# --- Who writes what ----------------------------------------------------------------------------


def movement_payload(tree, **overrides) -> dict:
    return {
        "name": "10 phút góp phần cải thiện môi trường",
        "unit": tree.district.pk,
        "launched_by": tree.party_committee.pk,
        "launch_date": "2024-01-05",
        "is_dvk": True,
        "target_types": ["village", "office", "school"],
        **overrides,
    }


@pytest.mark.parametrize(
    ("persona", "expected_status"),
    [
        ("district_staff", 201),
        ("portal_admin", 201),
        ("commune_a_officer", 403),
        ("leader", 403),
        ("viewer", 403),
        ("agency_officer", 403),
    ],
)
def test_only_district_staff_launch_movements(request, client, tree, persona, expected_status):
    client.force_login(request.getfixturevalue(persona))
    before = counts()

    response = post(client, MOVEMENTS, movement_payload(tree))

    assert response.status_code == expected_status, response.content
    if expected_status == 201:
        body = response.json()
        assert body["target_types"] == ["village", "office", "school"]
        assert body["launched_by"]["id"] == tree.party_committee.pk
        assert (body["can_manage"], body["version"], body["criteria_sets"]) == (True, 1, [])
        assert counts()["movements"] == before["movements"] + 1
    else:
        assert counts() == before


def test_a_commune_officer_cannot_launch_a_movement_even_for_its_commune(client, tree, commune_a_officer):
    client.force_login(commune_a_officer)

    response = post(client, MOVEMENTS, movement_payload(tree, unit=tree.commune_a.pk))

    assert response.status_code == 403
    assert not Movement.objects.exists()


@pytest.mark.parametrize("persona", ["commune_a_officer", "leader", "viewer", "agency_officer"])
def test_who_may_not_change_a_movement(request, client, world, persona):
    client.force_login(request.getfixturevalue(persona))

    response = patch(client, f"{MOVEMENTS}{world.movement.pk}/", {"name": "Không được sửa", "version": 1})

    assert response.status_code == 403
    world.movement.refresh_from_db()
    assert (world.movement.version, world.movement.name) == (1, "10 phút góp phần cải thiện môi trường")


@pytest.mark.parametrize("persona", ["commune_a_officer", "leader", "viewer"])
def test_only_district_staff_set_criteria_and_run_rounds(request, client, world, persona):
    client.force_login(request.getfixturevalue(persona))
    source = world.movement.criteria_sets.get(target_type=TargetType.VILLAGE)
    before = counts()

    answers = [
        post(client, SETS, criteria_payload(world.movement, year=2025)),
        post(client, f"{SETS}{source.pk}/copy/", {"year": 2025}),
        patch(client, f"{SETS}{source.pk}/", {"note": "Sửa", "version": 1}),
        post(client, ROUNDS, {"movement": world.movement.pk, "month": "2024-11"}),
        post(client, f"{ROUNDS}{world.round.pk}/close/"),
        post(client, f"{ROUNDS}{world.round.pk}/reopen/", {"reason": "Sai"}),
    ]

    assert [answer.status_code for answer in answers] == [403] * 6
    assert counts() == before
    world.round.refresh_from_db()
    assert world.round.status == RoundStatus.OPEN


@pytest.mark.parametrize(
    ("persona", "expected_status"),
    [
        ("commune_a_officer", 201),
        ("district_staff", 201),
        ("portal_admin", 201),
        ("commune_b_officer", 400),  # the school is not among its units: "unknown", not 403
        ("leader", 403),
        ("viewer", 403),
        ("agency_officer", 403),
    ],
)
def test_who_may_start_a_scorecard(request, client, world, persona, expected_status):
    client.force_login(request.getfixturevalue(persona))
    before = counts()

    response = post(client, CARDS, {"round": world.round.pk, "unit": world.school_a.pk})

    assert response.status_code == expected_status, response.content
    if expected_status == 201:
        body = response.json()
        assert (body["status"], body["target_type"], body["missing"]) == ("draft", "school", ["TC1", "TC2", "TC3"])
        assert counts()["cards"] == before["cards"] + 1
    else:
        assert counts() == before
    if persona == "commune_b_officer":
        assert response.json() == {"unit": ["Unknown unit."]}


@pytest.mark.parametrize(
    ("persona", "expected_status"),
    [("leader", 403), ("viewer", 403), ("commune_b_officer", 404), ("agency_officer", 404)],
)
def test_who_may_not_change_or_submit_a_scorecard(request, client, world, persona, expected_status):
    client.force_login(request.getfixturevalue(persona))
    criterion = criteria_of(world.card_a)[0]
    url = f"{CARDS}{world.card_a.pk}/"

    answers = [
        patch(client, url, {"entries": [{"criterion": criterion.pk, "self_score": 1}], "version": 1}),
        post(client, f"{url}submit/"),
    ]

    assert [answer.status_code for answer in answers] == [expected_status] * 2
    world.card_a.refresh_from_db()
    assert (world.card_a.version, world.card_a.self_total, world.card_a.status) == (1, Decimal(60), "draft")


def test_a_scorecard_cannot_be_replaced_or_deleted(client, world, commune_a_officer):
    client.force_login(commune_a_officer)
    url = f"{CARDS}{world.card_a.pk}/"

    assert put(client, url, {"entries": [], "version": 1}).status_code == 405
    assert client.delete(url).status_code == 405
    assert Scorecard.objects.filter(pk=world.card_a.pk).exists()


@pytest.mark.parametrize("persona", ["commune_a_officer", "leader", "viewer"])
def test_only_district_staff_verify_or_return(request, client, world, commune_a_officer, persona):
    services.scorecard_submit(user=commune_a_officer, scorecard=world.card_a)
    client.force_login(request.getfixturevalue(persona))
    url = f"{CARDS}{world.card_a.pk}/"

    answers = [post(client, f"{url}verify/"), post(client, f"{url}return/", {"note": "Thiếu ảnh"})]

    assert [answer.status_code for answer in answers] == [403, 403]
    world.card_a.refresh_from_db()
    assert (world.card_a.status, world.card_a.verified_total) == (ScorecardStatus.SUBMITTED, None)


# --- The journey --------------------------------------------------------------------------------


def criteria_payload(movement: Movement, *, target_type: str = "village", year: int = 2024, **overrides) -> dict:
    return {
        "movement": movement.pk,
        "target_type": target_type,
        "year": year,
        "total_points": 100,
        "criteria": [
            {"code": "TC1", "text": "Đường làng, ngõ xóm sạch sẽ", "group": "Vệ sinh", "max_points": 40},
            {"code": "TC2", "text": "Thu gom, phân loại rác", "group": "Vệ sinh", "max_points": "30"},
            {"code": "TC3", "text": "Trồng và chăm sóc hoa, cây xanh", "max_points": "30,0"},
        ],
        **overrides,
    }


def entries(criteria: list[dict], *values, note: str = "") -> list[dict]:
    return [
        {"criterion": criterion["id"], "self_score": value, "evidence_note": note}
        for criterion, value in zip(criteria, values, strict=True)
    ]


def test_a_month_of_scoring_through_the_api(client, tree, district_staff, commune_a_officer, commune_b_officer):
    village_a2 = UnitFactory(key="t-khuoi", name="Bản Khuổi Phướng", kind=UnitKind.VILLAGE, parent=tree.commune_a)
    school_a = UnitFactory(key="t-th", name="Trường Tiểu học Vĩnh Yên", kind=UnitKind.SCHOOL, parent=tree.commune_a)

    # The district launches the movement with criteria for three kinds of unit, and opens October.
    client.force_login(district_staff)
    created = post(client, MOVEMENTS, movement_payload(tree))
    assert created.status_code == 201, created.content
    movement = Movement.objects.get(pk=created.json()["id"])
    village_set = post(client, SETS, criteria_payload(movement))
    office_set = post(
        client,
        SETS,
        criteria_payload(
            movement,
            target_type="office",
            total_points="50",
            criteria=[
                {"code": "CS1", "text": "Công sở xanh", "max_points": 25},
                {"code": "CS2", "text": "Không rác thải nhựa", "max_points": "24,5"},
                {"code": "CS3", "text": "Tiết kiệm điện", "max_points": "0,5"},
            ],
        ),
    )
    school_set = post(
        client,
        SETS,
        criteria_payload(
            movement,
            target_type="school",
            total_points=20,
            criteria=[
                {"code": "TH1", "text": "Sân trường sạch", "max_points": 10},
                {"code": "TH2", "text": "Lớp học xanh", "max_points": 10},
            ],
        ),
    )
    assert [r.status_code for r in (village_set, office_set, school_set)] == [201] * 3, office_set.content
    assert office_set.json()["problems"] == []
    assert [c["max_points"] for c in office_set.json()["criteria"]] == [25.0, 24.5, 0.5]
    round_ = post(
        client,
        ROUNDS,
        {"movement": movement.pk, "month": "2024-10", "closes_on": "2024-10-31", "min_percent_for_selection": "85"},
    )
    assert round_.status_code == 201, round_.content
    assert (round_.json()["month"], round_.json()["status"], round_.json()["problems"]) == ("2024-10-01", "draft", [])
    round_id = round_.json()["id"]
    opened = post(client, f"{ROUNDS}{round_id}/open/")
    assert opened.status_code == 200, opened.content
    assert opened.json()["status"] == "open"
    assert [e["action"] for e in opened.json()["events"]] == ["open"]

    # The district scores its own office.
    office = post(
        client,
        CARDS,
        {"round": round_id, "unit": tree.agency.pk, "entries": entries(office_set.json()["criteria"], 25, "24,5", 0.5)},
    )
    assert office.status_code == 201, office.content
    assert post(client, f"{CARDS}{office.json()['id']}/submit/", {"version": 1}).status_code == 200

    # Commune A scores its two villages and its school, corrects a score, and submits.
    village = village_set.json()["criteria"]
    client.force_login(commune_a_officer)
    card_a = post(
        client,
        CARDS,
        {
            "round": round_id,
            "unit": tree.village_a.pk,
            "entries": entries(village, 35, "27,5", 25, note="Ảnh ngày 12/10"),
        },
    )
    assert card_a.status_code == 201, card_a.content
    assert (card_a.json()["self_total"], card_a.json()["percent"]) == (87.5, 87.5)
    assert card_a.json()["entries"][0]["evidence_note"] == "Ảnh ngày 12/10"
    card_a_url = f"{CARDS}{card_a.json()['id']}/"
    corrected = patch(
        client, card_a_url, {"entries": [{"criterion": village[1]["id"], "self_score": 30}], "version": 1}
    )
    assert corrected.status_code == 200, corrected.content
    assert (corrected.json()["self_total"], corrected.json()["version"]) == (90.0, 2)
    assert corrected.json()["entries"][1]["evidence_note"] == "Ảnh ngày 12/10"  # kept: not sent
    assert post(client, f"{card_a_url}submit/", {"version": 2}).json()["status"] == "submitted"
    card_a2 = post(client, CARDS, {"round": round_id, "unit": village_a2.pk, "entries": entries(village, 40, 25, 20)})
    school = post(
        client,
        CARDS,
        {"round": round_id, "unit": school_a.pk, "entries": entries(school_set.json()["criteria"], 10, "9,5")},
    )
    for card in (card_a2, school):
        assert card.status_code == 201, card.content
        assert post(client, f"{CARDS}{card.json()['id']}/submit/").status_code == 200

    # Commune B scores its village.
    client.force_login(commune_b_officer)
    card_b = post(
        client, CARDS, {"round": round_id, "unit": tree.village_b.pk, "entries": entries(village, 40, 30, 20)}
    )
    assert card_b.status_code == 201
    assert post(client, f"{CARDS}{card_b.json()['id']}/submit/").status_code == 200

    # The district verifies (one score lowered; both kept) and closes the round.
    client.force_login(district_staff)
    lowered = post(
        client,
        f"{CARDS}{card_a2.json()['id']}/verify/",
        {"scores": [{"criterion": village[0]["id"], "verified_score": 35}], "note": "TC1: còn rác ven suối"},
    )
    assert lowered.status_code == 200, lowered.content
    assert (lowered.json()["self_total"], lowered.json()["verified_total"], lowered.json()["final_total"]) == (
        85.0,
        80.0,
        80.0,
    )
    assert [(e["self_score"], e["verified_score"]) for e in lowered.json()["entries"]] == [
        (40.0, 35.0),
        (25.0, 25.0),
        (20.0, 20.0),
    ]
    for card in (office, card_a, school, card_b):
        assert post(client, f"{CARDS}{card.json()['id']}/verify/").status_code == 200
    closed = post(client, f"{ROUNDS}{round_id}/close/")
    assert closed.status_code == 200, closed.content
    assert closed.json()["status"] == "closed"

    # The ranking is announced to everyone under the district: ties share a rank.
    client.force_login(commune_b_officer)
    ranking = client.get(f"{ROUNDS}{round_id}/ranking/")
    assert ranking.status_code == 200
    assert ranking.json()["round"] == {
        "id": round_id,
        "movement": movement.pk,
        "month": "2024-10-01",
        "status": "closed",
    }
    lines = [
        (
            r["unit"]["name"],
            r["target_type"],
            r["final_total"],
            r["rank_in_type"],
            r["rank_in_commune"],
            r["rank_overall"],
            r["selected"],
        )
        for r in ranking.json()["results"]
    ]
    assert lines == [
        ("Phòng Tài nguyên và Môi trường", "office", 50.0, 1, 1, 1, True),
        ("Trường Tiểu học Vĩnh Yên", "school", 19.5, 1, 1, 2, True),
        ("Bản Tổng Kim", "village", 90.0, 1, 1, 3, True),
        ("Thôn Nà Pồng", "village", 90.0, 1, 1, 3, True),
        ("Bản Khuổi Phướng", "village", 80.0, 3, 2, 5, False),  # 80 % is below the round's 85 %
    ]
    assert "entries" not in ranking.json()["results"][0]
    # ... but the scores per criterion stay within scope.
    assert client.get(card_a_url).status_code == 404

    # The district records the award decided at the conference.
    client.force_login(district_staff)
    award = post(
        client,
        AWARDS,
        {
            "round": round_id,
            "recipient_unit": tree.village_a.pk,
            "form": "certificate",
            "issuer": tree.peoples_committee.pk,
            "date": "2024-11-05",
            "reason": "Dẫn đầu phong trào tháng 10/2024",
        },
    )
    assert award.status_code == 201, award.content
    assert award.json()["movement"] == {"id": movement.pk, "name": movement.name}
    assert award.json()["form_display"] == "Certificate of merit (Giấy khen)"
    client.force_login(commune_a_officer)
    assert ids(client, f"{AWARDS}?round={round_id}") == {award.json()["id"]}
    client.force_login(commune_b_officer)
    assert ids(client, f"{AWARDS}?round={round_id}") == set()


# --- Refusals change nothing --------------------------------------------------------------------


def test_a_score_above_the_maximum_changes_nothing(client, world, commune_a_officer):
    client.force_login(commune_a_officer)
    first, second, _third = criteria_of(world.card_a)
    before = counts()

    response = patch(
        client,
        f"{CARDS}{world.card_a.pk}/",
        {
            "entries": [{"criterion": first.pk, "self_score": 35}, {"criterion": second.pk, "self_score": "30,5"}],
            "version": 1,
        },
    )

    assert response.status_code == 400
    assert response.json() == {"entries": {"1": {"self_score": ["TC2: at most 30 points."]}}}
    assert counts() == before
    world.card_a.refresh_from_db()
    assert (world.card_a.version, world.card_a.self_total) == (1, Decimal(60))
    assert ScoreEntry.objects.get(scorecard=world.card_a, criterion=first).self_score == Decimal(30)


def test_a_negative_score_changes_nothing(client, world, commune_a_officer):
    client.force_login(commune_a_officer)
    before = counts()

    response = post(
        client,
        CARDS,
        {
            "round": world.round.pk,
            "unit": world.school_a.pk,
            "entries": [{"criterion": school_criteria(world)[0].pk, "self_score": "-1"}],
        },
    )

    assert response.status_code == 400
    assert response.json() == {"entries": {"0": {"self_score": ["A score cannot be negative."]}}}
    assert counts() == before


def test_a_score_that_is_not_a_number_is_refused_at_its_row(client, world, commune_a_officer):
    client.force_login(commune_a_officer)

    response = patch(
        client,
        f"{CARDS}{world.card_a.pk}/",
        {"entries": [{"criterion": criteria_of(world.card_a)[0].pk, "self_score": "ba mươi"}], "version": 1},
    )

    assert response.status_code == 400
    assert response.json() == {
        "entries": {
            "0": {
                "self_score": [
                    "“ba mươi” is not a number. Use a comma for decimals, e.g. 283,75, and dots between thousands."
                ]
            }
        }
    }
    world.card_a.refresh_from_db()
    assert world.card_a.version == 1


def test_a_score_for_a_criterion_of_another_set_changes_nothing(client, world, commune_a_officer):
    client.force_login(commune_a_officer)
    village_criterion = criteria_of(world.card_a)[0]  # the school is scored with the school set
    before = counts()

    response = post(
        client,
        CARDS,
        {
            "round": world.round.pk,
            "unit": world.school_a.pk,
            "entries": [{"criterion": village_criterion.pk, "self_score": 5}],
        },
    )

    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Some scores are for criteria that are not in this unit's set."]}
    assert counts() == before


def test_the_same_criterion_twice_is_refused_at_the_second_row(client, world, commune_a_officer):
    client.force_login(commune_a_officer)
    first = criteria_of(world.card_a)[0]

    response = patch(
        client,
        f"{CARDS}{world.card_a.pk}/",
        {"entries": [{"criterion": first.pk, "self_score": 1}, {"criterion": first.pk, "self_score": 2}], "version": 1},
    )

    assert response.status_code == 400
    assert response.json() == {"entries": {"1": {"criterion": ["This criterion is already scored in another row."]}}}
    world.card_a.refresh_from_db()
    assert world.card_a.version == 1


def test_scoring_a_unit_of_another_commune_changes_nothing(client, tree, world, commune_a_officer):
    client.force_login(commune_a_officer)
    world.card_b.delete()  # the unit is free in this round: only the scope refuses it
    before = counts()

    response = post(client, CARDS, {"round": world.round.pk, "unit": tree.village_b.pk})

    assert response.status_code == 400
    assert response.json() == {"unit": ["Unknown unit."]}
    assert counts() == before


@pytest.fixture
def closed_round(world, district_staff) -> ScoringRound:
    # Drafts are left out of the ranking; only submitted cards must be verified before closing.
    return services.round_close(user=district_staff, round_=world.round)


def test_scoring_in_a_closed_round_changes_nothing(client, world, closed_round, commune_a_officer):
    client.force_login(commune_a_officer)
    before = counts()
    closed_message = ["The round for 10/2024 is closed; scores can only be entered while it is open."]

    changed = patch(
        client,
        f"{CARDS}{world.card_a.pk}/",
        {"entries": [{"criterion": criteria_of(world.card_a)[0].pk, "self_score": 40}], "version": 1},
    )
    created = post(client, CARDS, {"round": world.round.pk, "unit": world.school_a.pk})

    assert changed.status_code == created.status_code == 400
    assert changed.json() == created.json() == {"non_field_errors": closed_message}
    assert counts() == before
    world.card_a.refresh_from_db()
    assert (world.card_a.version, world.card_a.self_total) == (1, Decimal(60))


def test_a_second_scorecard_for_the_same_unit_and_round_changes_nothing(client, world, commune_a_officer):
    client.force_login(commune_a_officer)
    before = counts()

    response = post(client, CARDS, {"round": world.round.pk, "unit": world.card_a.unit_id})

    assert response.status_code == 400
    assert response.json() == {"unit": ["Bản Tổng Kim already has a scorecard in this round."]}
    assert counts() == before


def test_a_unit_the_movement_does_not_score_is_refused(client, world, tree, commune_a_officer):
    client.force_login(commune_a_officer)
    before = counts()

    response = post(client, CARDS, {"round": world.round.pk, "unit": tree.commune_a.pk})

    assert response.status_code == 400
    assert response.json() == {"unit": ["Xã Vĩnh Yên is not scored in this movement."]}
    assert counts() == before


def test_criteria_that_do_not_add_up_change_nothing(client, world, district_staff):
    client.force_login(district_staff)
    payload = criteria_payload(world.movement, year=2025)
    payload["criteria"][2]["max_points"] = 20
    before = counts()

    response = post(client, SETS, payload)

    assert response.status_code == 400
    assert response.json() == {
        "total_points": ["The criteria's maximum points add up to 90, not the set's total of 100."]
    }
    assert counts() == before


def test_a_bad_criterion_is_answered_at_its_row(client, world, district_staff):
    client.force_login(district_staff)
    payload = criteria_payload(world.movement, year=2025)
    payload["criteria"][1]["max_points"] = 0
    payload["criteria"][2]["code"] = "TC1"
    before = counts()

    response = post(client, SETS, payload)

    assert response.status_code == 400
    errors = response.json()
    assert list(errors) == ["criteria"]
    assert list(errors["criteria"]["1"]) == ["max_points"]
    assert counts() == before
    # The code used twice is the service's check, answered at the row once the points are right.
    payload["criteria"][1]["max_points"] = 30
    again = post(client, SETS, payload)
    assert again.json() == {"criteria": {"2": ["The code TC1 is used twice."]}}


def test_a_criteria_set_used_for_scoring_is_frozen(client, world, district_staff):
    client.force_login(district_staff)
    used = world.card_a.criteria_set
    assert client.get(f"{SETS}{used.pk}/").json()["is_frozen"] is True
    before = counts()

    response = patch(client, f"{SETS}{used.pk}/", {"total_points": 90, "version": 1})

    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": [
            "These criteria have already been used for scoring and cannot change; copy them to a new year."
        ]
    }
    assert counts() == before
    used.refresh_from_db()
    assert (used.version, used.total_points) == (1, Decimal(100))


def test_next_years_set_is_a_copy_whose_edits_leave_this_year_alone(client, world, district_staff):
    client.force_login(district_staff)
    used = world.card_a.criteria_set

    copied = post(client, f"{SETS}{used.pk}/copy/", {"year": 2025})
    assert copied.status_code == 201, copied.content
    assert (copied.json()["year"], copied.json()["is_frozen"]) == (2025, False)
    new_criteria = copied.json()["criteria"]
    new_criteria[0]["max_points"] = 50
    new_criteria[1]["max_points"] = 20
    changed = patch(
        client,
        f"{SETS}{copied.json()['id']}/",
        {"criteria": [{k: v for k, v in c.items() if k != "id"} for c in new_criteria], "version": 1},
    )

    assert changed.status_code == 200, changed.content
    assert [c["max_points"] for c in changed.json()["criteria"]] == [50.0, 20.0, 30.0]
    assert [c.max_points for c in criteria_of(world.card_a)] == [Decimal(40), Decimal(30), Decimal(30)]
    world.card_a.refresh_from_db()
    assert world.card_a.self_total == Decimal(60)
    again = post(client, f"{SETS}{used.pk}/copy/", {"year": 2025})
    assert again.status_code == 400
    assert again.json() == {"year": ["This movement already has criteria for that type and year; edit them."]}


def test_a_patch_of_a_set_without_criteria_keeps_them(client, world, district_staff):
    client.force_login(district_staff)
    fresh = post(client, SETS, criteria_payload(world.movement, year=2025))

    response = patch(client, f"{SETS}{fresh.json()['id']}/", {"note": "Áp dụng từ tháng 1/2025", "version": 1})

    assert response.status_code == 200, response.content
    assert response.json()["note"] == "Áp dụng từ tháng 1/2025"
    assert [c["code"] for c in response.json()["criteria"]] == ["TC1", "TC2", "TC3"]
    assert response.json()["version"] == 2


def test_a_round_cannot_open_without_valid_criteria(client, world, district_staff):
    client.force_login(district_staff)
    draft = post(client, ROUNDS, {"movement": world.movement.pk, "month": "2025-01-15", "closes_on": "2025-01-31"})
    assert draft.status_code == 201
    assert draft.json()["month"] == "2025-01-01"
    before = counts()

    response = post(client, f"{ROUNDS}{draft.json()['id']}/open/")

    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": [
            "No criteria for Village / residential group in 2025.",
            "No criteria for Office in 2025.",
            "No criteria for School in 2025.",
        ]
    }
    assert counts() == before
    assert ScoringRound.objects.get(pk=draft.json()["id"]).status == RoundStatus.DRAFT


def test_a_second_round_for_a_month_is_refused(client, world, district_staff):
    client.force_login(district_staff)
    before = counts()

    response = post(client, ROUNDS, {"movement": world.movement.pk, "month": "2024-10-20"})

    assert response.status_code == 400
    assert response.json() == {"month": ["This movement already has a round for 10/2024."]}
    assert counts() == before


def test_closing_waits_for_every_submitted_card_to_be_verified(client, world, district_staff, commune_a_officer):
    services.scorecard_submit(user=commune_a_officer, scorecard=world.card_a)
    client.force_login(district_staff)
    before = counts()

    response = post(client, f"{ROUNDS}{world.round.pk}/close/")

    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["1 submitted scorecards are not verified yet (Bản Tổng Kim); verify them before closing."]
    }
    assert counts() == before
    world.round.refresh_from_db()
    assert world.round.status == RoundStatus.OPEN


def test_reopening_needs_a_reason_and_logs_it(client, world, closed_round, district_staff):
    client.force_login(district_staff)
    url = f"{ROUNDS}{world.round.pk}/reopen/"
    before = counts()

    refused = post(client, url, {"reason": "  "})
    assert refused.status_code == 400
    assert refused.json() == {"reason": ["Say why the round is reopened; the reason is logged."]}
    assert counts() == before

    reopened = post(client, url, {"reason": "Bản Tổng Kim bổ sung minh chứng"})
    assert reopened.status_code == 200
    assert reopened.json()["status"] == "open"
    assert [(e["action"], e["reason"]) for e in reopened.json()["events"]][-1] == (
        "reopen",
        "Bản Tổng Kim bổ sung minh chứng",
    )


def test_submitting_an_incomplete_scorecard_says_what_is_missing(client, world, commune_a_officer):
    client.force_login(commune_a_officer)
    started = post(
        client,
        CARDS,
        {
            "round": world.round.pk,
            "unit": world.school_a.pk,
            "entries": [{"criterion": school_criteria(world)[0].pk, "self_score": 10}],
        },
    )
    assert started.json()["missing"] == ["TC2", "TC3"]

    response = post(client, f"{CARDS}{started.json()['id']}/submit/")

    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Trường Tiểu học Vĩnh Yên is missing scores for TC2, TC3."]}
    assert Scorecard.objects.get(pk=started.json()["id"]).status == ScorecardStatus.DRAFT


def test_a_verified_score_above_the_maximum_changes_nothing(client, world, district_staff, commune_a_officer):
    services.scorecard_submit(user=commune_a_officer, scorecard=world.card_a)
    client.force_login(district_staff)
    _first, _second, third = criteria_of(world.card_a)

    response = post(
        client,
        f"{CARDS}{world.card_a.pk}/verify/",
        {"scores": [{"criterion": third.pk, "verified_score": 31}]},
    )
    stranger = post(
        client,
        f"{CARDS}{world.card_a.pk}/verify/",
        {"scores": [{"criterion": criteria_of(world.card_b)[0].pk + 1000, "verified_score": 1}]},
    )

    assert response.status_code == stranger.status_code == 400
    assert response.json() == {"scores": {"0": {"verified_score": ["TC3: at most 30 points."]}}}
    assert stranger.json() == {"scores": {"0": {"criterion": ["This criterion is not on this scorecard."]}}}
    world.card_a.refresh_from_db()
    assert (world.card_a.status, world.card_a.verified_total, world.card_a.version) == ("submitted", None, 2)
    assert not ScoreEntry.objects.filter(scorecard=world.card_a, verified_score__isnull=False).exists()


def test_returning_a_card_needs_a_note(client, world, district_staff, commune_a_officer):
    services.scorecard_submit(user=commune_a_officer, scorecard=world.card_a)
    client.force_login(district_staff)
    url = f"{CARDS}{world.card_a.pk}/return/"

    refused = post(client, url, {"note": ""})
    returned = post(client, url, {"note": "Bổ sung ảnh TC3"})

    assert refused.status_code == 400
    assert refused.json() == {"note": ["Say what the commune should fix."]}
    assert returned.status_code == 200
    assert (returned.json()["status"], returned.json()["verification_note"]) == ("draft", "Bổ sung ảnh TC3")


def test_an_award_outside_the_movements_area_or_with_money_is_refused(client, world, movement_b, district_staff):
    client.force_login(district_staff)
    payload = {
        "movement": movement_b.pk,
        "recipient_unit": world.card_a.unit_id,
        "form": AwardForm.COMMENDATION,
        "issuer": world.movement.unit_id,
        "date": "2024-11-05",
        "reason": "Biểu dương",
        "prize_value_vnd": "2.000.000",
    }
    before = counts()

    response = post(client, AWARDS, payload)

    assert response.status_code == 400
    assert response.json() == {
        "recipient_unit": ["The recipient is outside the movement's area."],
        "prize_value_vnd": ["Only a prize carries a sum of money."],
    }
    assert counts() == before


def test_who_may_delete_an_award(client, world, closed_round, district_staff, commune_a_officer, viewer):
    award = services.award_create(
        user=district_staff,
        values={
            "round": world.round,
            "recipient_unit": world.card_a.unit,
            "form": AwardForm.COMMENDATION,
            "issuer": world.movement.unit,
            "date": date(2024, 11, 5),
            "reason": "Biểu dương",
        },
    )
    url = f"{AWARDS}{award.pk}/"

    for persona, expected in [(viewer, 403), (commune_a_officer, 403), (district_staff, 204)]:
        client.force_login(persona)
        assert client.delete(url).status_code == expected
        assert Award.objects.filter(pk=award.pk).exists() is (expected != 204)


# --- Optimistic versions ------------------------------------------------------------------------


def test_a_stale_scorecard_version_is_a_conflict_and_changes_nothing(client, world, commune_a_officer):
    client.force_login(commune_a_officer)
    url = f"{CARDS}{world.card_a.pk}/"
    first = criteria_of(world.card_a)[0]
    assert patch(client, url, {"entries": [{"criterion": first.pk, "self_score": 31}], "version": 1}).status_code == 200

    response = patch(client, url, {"entries": [{"criterion": first.pk, "self_score": 39}], "version": 1})

    assert response.status_code == 409
    assert "Someone else changed this record" in response.json()["detail"]
    world.card_a.refresh_from_db()
    assert (world.card_a.version, world.card_a.self_total) == (2, Decimal(61))
    assert post(client, f"{url}submit/", {"version": 1}).status_code == 409


def test_a_stale_movement_version_is_a_conflict(client, world, district_staff):
    client.force_login(district_staff)
    url = f"{MOVEMENTS}{world.movement.pk}/"
    assert patch(client, url, {"description": "Quy chế 2024", "version": 1}).status_code == 200

    stale = patch(client, url, {"name": "Tên khác", "version": 1})
    missing = patch(client, url, {"name": "Tên khác"})

    assert stale.status_code == 409
    assert missing.status_code == 400
    assert missing.json() == {"version": ["Send the version you read."]}
    world.movement.refresh_from_db()
    assert (world.movement.version, world.movement.name) == (2, "10 phút góp phần cải thiện môi trường")


def test_a_scored_target_type_cannot_be_removed(client, world, district_staff):
    client.force_login(district_staff)

    response = patch(client, f"{MOVEMENTS}{world.movement.pk}/", {"target_types": ["office"], "version": 1})

    assert response.status_code == 400
    assert response.json() == {
        "target_types": ["Units of a removed type have already been scored; end the movement instead."]
    }
    world.movement.refresh_from_db()
    assert world.movement.target_types == list(THREE_TYPES)


# --- Filters ------------------------------------------------------------------------------------


def test_filters_narrow_the_lists(client, tree, world, movement_b, district_staff, commune_a_officer):
    services.scorecard_submit(user=commune_a_officer, scorecard=world.card_a)
    client.force_login(district_staff)

    assert ids(client, f"{MOVEMENTS}?unit={tree.commune_b.pk}") == {movement_b.pk}
    assert ids(client, f"{MOVEMENTS}?search=nghia%20do") == {movement_b.pk}
    assert ids(client, f"{MOVEMENTS}?is_dvk=true") == {world.movement.pk, movement_b.pk}
    assert len(ids(client, f"{SETS}?movement={world.movement.pk}&target_type=school&year=2024")) == 1
    assert ids(client, f"{ROUNDS}?movement={movement_b.pk}") == set()
    assert ids(client, f"{ROUNDS}?status=open&year=2024") == {world.round.pk}
    assert ids(client, f"{CARDS}?status=submitted") == {world.card_a.pk}
    assert ids(client, f"{CARDS}?commune={tree.commune_b.pk}") == {world.card_b.pk}
    assert ids(client, f"{CARDS}?round={world.round.pk}&target_type=village") == {world.card_a.pk, world.card_b.pk}
    assert ids(client, f"{CARDS}?unit={tree.commune_a.pk}") == {world.card_a.pk}


def test_a_filter_outside_scope_is_empty_and_a_bad_one_is_a_400(client, tree, world, commune_a_officer):
    client.force_login(commune_a_officer)

    assert ids(client, f"{CARDS}?unit={tree.commune_b.pk}") == set()
    bad = client.get(f"{CARDS}?round=abc")
    assert bad.status_code == 400
    assert list(bad.json()) == ["round"]


# --- Cost of a page -----------------------------------------------------------------------------


def _list_queries(client, url: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"{url}?page_size=200")
    assert response.status_code == 200
    return len(queries), len(response.json()["results"])


def test_scorecard_list_query_count_does_not_grow_with_rows(
    client, tree, world, district_staff, commune_a_officer, django_assert_max_num_queries
):
    def add(count: int, start: int) -> None:
        for index in range(start, start + count):
            village = UnitFactory(key=f"t-ban-{index}", kind=UnitKind.VILLAGE, parent=tree.commune_a)
            scores(commune_a_officer, world.round, village, 10, 10, 10)

    add(1, 0)  # with card_a and card_b: 3
    client.force_login(district_staff)
    few, few_rows = _list_queries(client, CARDS)
    add(27, 1)

    # session, user, memberships, the page (with units, round, movement, set), entries with criteria
    with django_assert_max_num_queries(5):
        many, many_rows = _list_queries(client, CARDS)

    assert (few_rows, many_rows) == (3, 30)
    assert many == few


def test_other_lists_cost_the_same_whatever_their_length(
    client, tree, world, district_staff, django_assert_max_num_queries
):
    def add(count: int, start: int) -> None:
        for index in range(start, start + count):
            movement = movement_with_criteria(district_staff, tree.commune_a, name=f"Phong trào {index}")
            services.round_create(user=district_staff, movement=movement, month=OCTOBER)
            services.award_create(
                user=district_staff,
                values={
                    "movement": movement,
                    "recipient_unit": tree.village_a,
                    "form": AwardForm.COMMENDATION,
                    "issuer": tree.commune_a,
                    "date": date(2024, 11, 5),
                    "reason": "Biểu dương",
                },
            )

    add(2, 0)
    client.force_login(district_staff)
    few = {url: _list_queries(client, url) for url in (MOVEMENTS, SETS, ROUNDS, AWARDS)}
    add(10, 2)
    many = {}
    for url in (MOVEMENTS, SETS, ROUNDS, AWARDS):
        # session, user, memberships, the page, and the criteria of the sets
        with django_assert_max_num_queries(5):
            many[url] = _list_queries(client, url)

    assert {url: rows for url, (_q, rows) in many.items()} == {MOVEMENTS: 13, SETS: 15, ROUNDS: 13, AWARDS: 12}
    assert {url: queries for url, (queries, _r) in many.items()} == {url: q for url, (q, _r) in few.items()}
