"""The petitions API: scope per role, recording from other sources, the workflow through the
transition action (every allowed move and refused ones), the agency's draft and published answer,
the inbox, overdue with frozen time, list costs, and the whole journey from a commune's dialogue
to an agency's answer through the API only.

Time is frozen on 01/06/2024 (Asia/Ho_Chi_Minh) unless a test moves it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import PASSWORD
from dialogues import services
from dialogues.models import Petition, PetitionEvent, PetitionField, PetitionResponse, PetitionSource, ResponseStatus
from dialogues.services import DirectiveInput
from dialogues.tests.factories import (
    ConclusionNoticeFactory,
    DialogueFactory,
    PetitionFactory,
    agency_unit,
    petition_input,
)
from dialogues.workflow import TRANSITIONS, Action, PetitionStatus
from organization.models import Document, DocumentKind, Notification, NotificationKind, Role
from organization.tests.factories import MembershipFactory, UserFactory

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2024, 6, 1, 9, 0, tzinfo=TZ)
S = PetitionStatus

PETITIONS = "/api/v1/petitions/"
INBOX = "/api/v1/petitions/inbox/"
DIALOGUES = "/api/v1/dialogues/"
NOTICES = "/api/v1/conclusion-notices/"
TOKEN = "/api/v1/auth/token/"

PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture(autouse=True)
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@dataclass
class World:
    dialogue_a: object
    dialogue_b: object
    assigned: Petition  # commune A, assigned to tree.agency (deadline 30/06/2023)
    received: Petition  # commune A, not assigned
    petition_b: Petition  # commune B


@pytest.fixture
def world(tree) -> World:
    dialogue_a = DialogueFactory(
        unit=tree.commune_a,
        petitions=[
            petition_input(field=PetitionField.LAND, content="Đề nghị cấp giấy chứng nhận quyền sử dụng đất đai."),
            petition_input(content="Đề nghị sửa đường liên thôn."),
        ],
    )
    dialogue_b = DialogueFactory(
        unit=tree.commune_b,
        petitions=[petition_input(field=PetitionField.POWER_WATER, content="Đề nghị lắp đặt nước sạch.")],
    )
    assigned, received = dialogue_a.petitions.order_by("id")
    ConclusionNoticeFactory(
        dialogue=dialogue_a,
        issuer=tree.party_committee,
        directives=[
            DirectiveInput(agency=tree.agency, content="Trả lời.", deadline=date(2023, 6, 30), petitions=[assigned])
        ],
    )
    assigned.refresh_from_db()
    return World(dialogue_a, dialogue_b, assigned, received, dialogue_b.petitions.get())


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


def sign_in_with_token(client, user) -> None:
    """Token authentication, as a script would: unlike a session, it outlives a jump in time."""
    client.logout()
    client.defaults.pop("HTTP_AUTHORIZATION", None)
    response = post(client, TOKEN, {"username": user.username, "password": PASSWORD})
    assert response.status_code == 200, response.content
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {response.json()['token']}"


def post(client, url: str, data: dict):
    return client.post(url, data, content_type="application/json")


def counts() -> dict[str, int]:
    return {
        "petitions": Petition.objects.count(),
        "events": PetitionEvent.objects.count(),
        "responses": PetitionResponse.objects.count(),
        "published": PetitionResponse.objects.filter(status=ResponseStatus.PUBLISHED).count(),
    }


def state(petition: Petition) -> tuple:
    petition.refresh_from_db()
    return petition.status, petition.version, petition.assigned_agency_id, petition.deadline, petition.events.count()


# --- Who sees what ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("district_staff", {"assigned", "received", "petition_b"}),
        ("leader", {"assigned", "received", "petition_b"}),
        ("portal_admin", {"assigned", "received", "petition_b"}),
        ("commune_a_officer", {"assigned", "received"}),
        ("commune_b_officer", {"petition_b"}),
        ("viewer", {"assigned", "received"}),
        ("agency_officer", {"assigned"}),
    ],
)
def test_petition_list_shows_exactly_the_petitions_in_scope(request, client, world, persona, expected):
    client.force_login(request.getfixturevalue(persona))

    assert ids(client, PETITIONS) == {getattr(world, name).pk for name in expected}


@pytest.mark.parametrize(
    ("persona", "hidden"),
    [("commune_b_officer", "assigned"), ("commune_a_officer", "petition_b"), ("agency_officer", "received")],
)
def test_a_petition_outside_scope_answers_404_like_a_missing_one(request, client, world, persona, hidden):
    client.force_login(request.getfixturevalue(persona))
    missing = Petition.objects.order_by("-pk").first().pk + 1000

    hidden_response = client.get(f"{PETITIONS}{getattr(world, hidden).pk}/")
    absent = client.get(f"{PETITIONS}{missing}/")

    assert hidden_response.status_code == 404
    assert hidden_response.json() == absent.json()


@pytest.mark.parametrize("url", [PETITIONS, INBOX, "detail", "transition", "response", "publish"])
def test_anonymous_gets_401(client, world, url):
    target = {
        "detail": f"{PETITIONS}{world.assigned.pk}/",
        "transition": f"{PETITIONS}{world.assigned.pk}/transition/",
        "response": f"{PETITIONS}{world.assigned.pk}/response/",
        "publish": f"{PETITIONS}{world.assigned.pk}/publish/",
    }.get(url, url)
    method = client.get if url in {PETITIONS, INBOX, "detail"} else client.post
    before = counts()

    response = method(target)

    assert response.status_code == 401
    assert counts() == before


def test_petition_detail_has_timeline_and_computed_overdue(client, tree, world, agency_officer):
    client.force_login(agency_officer)

    body = client.get(f"{PETITIONS}{world.assigned.pk}/").json()

    assert body["status"] == "assigned"
    assert body["deadline"] == "2023-06-30"
    assert body["is_overdue"] is True
    assert body["assigned_agency"]["id"] == tree.agency.pk
    assert body["dialogue"] == {
        "id": world.dialogue_a.pk,
        "date": "2023-05-10",
        "topic": world.dialogue_a.topic,
        "unit": tree.commune_a.pk,
    }
    assert [(e["action"], e["from_status"], e["to_status"]) for e in body["events"]] == [
        ("create", "", "received"),
        ("assign", "received", "assigned"),
    ]
    assert body["events"][1]["agency"]["id"] == tree.agency.pk
    assert body["events"][1]["comment"] == "Assigned by notice 1-TB/HU"
    assert body["allowed_actions"] == ["start", "answer"]


def test_petitions_cannot_be_changed_or_deleted_directly(client, world, portal_admin):
    client.force_login(portal_admin)
    url = f"{PETITIONS}{world.received.pk}/"
    before = state(world.received)

    statuses = [
        client.delete(url).status_code,
        client.put(url, {"content": "x"}, content_type="application/json").status_code,
        client.patch(url, {"status": "resolved"}, content_type="application/json").status_code,
    ]

    assert statuses == [405, 405, 405]
    assert state(world.received) == before


# --- Recording petitions ------------------------------------------------------------------------


def petition_payload(tree, **overrides) -> dict:
    payload = {
        "unit": tree.commune_a.pk,
        "source": "citizen_reception",
        "received_on": "2024-05-15",
        "type": "request",
        "field": "land",
        "content": "Ông Vàng A Sình đề nghị giải quyết tranh chấp ranh giới đất.",
        "petitioner": "Vàng A Sình",
        "village": tree.village_a.pk,
    }
    payload.update(overrides)
    return payload


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
def test_who_may_record_a_petition(request, client, tree, persona, expected_status):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    before = counts()

    response = post(client, PETITIONS, petition_payload(tree))

    assert response.status_code == expected_status, response.content
    if expected_status == 201:
        petition = Petition.objects.get(pk=response.json()["id"])
        assert (petition.source, petition.status, petition.created_by) == ("citizen_reception", "received", user)
        assert [e["action"] for e in response.json()["events"]] == ["create"]
    else:
        assert counts() == before
    if persona == "commune_b_officer":
        assert response.json() == {"unit": ["Unknown unit."], "village": ["Unknown village."]}


def test_a_petition_for_another_communes_dialogue_is_refused(client, tree, world, district_staff):
    client.force_login(district_staff)  # sees both communes: the refusal is the rule, not the scope
    before = counts()

    response = post(
        client, PETITIONS, petition_payload(tree, source="dialogue", dialogue=world.dialogue_b.pk, village=None)
    )

    assert response.status_code == 400
    assert response.json() == {"dialogue": ["The petition must belong to the dialogue's own commune."]}
    assert counts() == before


def test_a_commune_officer_cannot_even_name_another_communes_dialogue(client, tree, world, commune_a_officer):
    client.force_login(commune_a_officer)
    before = counts()

    response = post(client, PETITIONS, petition_payload(tree, source="dialogue", dialogue=world.dialogue_b.pk))

    assert response.status_code == 400
    assert response.json() == {"dialogue": ["Unknown dialogue."]}
    assert counts() == before


def test_a_petition_added_to_a_dialogue_takes_its_date(client, tree, world, commune_a_officer):
    client.force_login(commune_a_officer)
    payload = petition_payload(tree, source="dialogue", dialogue=world.dialogue_a.pk)
    del payload["received_on"]

    response = post(client, PETITIONS, payload)

    assert response.status_code == 201, response.content
    assert response.json()["received_on"] == "2023-05-10"
    assert response.json()["dialogue"]["id"] == world.dialogue_a.pk


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        ({"source": "dialogue"}, {"dialogue": ["Choose the dialogue this petition was raised at."]}),
        ({"received_on": None}, {"received_on": ["This field may not be null."]}),
        ({"received_on": "2024-06-02"}, {"received_on": ["A petition cannot be received in the future."]}),
        ({"received_on": "15/05/2024"}, None),
        ({"field": "weather"}, {"field": ['"weather" is not a valid choice.']}),
        ({"answered_on_spot": True}, {"on_spot_answer": ["Write the answer given on the spot."]}),
    ],
)
def test_bad_petition_input_changes_nothing(client, tree, commune_a_officer, overrides, errors):
    client.force_login(commune_a_officer)
    before = counts()

    response = post(client, PETITIONS, petition_payload(tree, **overrides))

    assert response.status_code == 400
    if errors is not None:
        assert response.json() == errors
    else:
        assert list(response.json()) == ["received_on"]
    assert counts() == before


def test_a_legal_complaint_is_routed_out_at_once(client, tree, commune_a_officer):
    client.force_login(commune_a_officer)

    response = post(client, PETITIONS, petition_payload(tree, legal_track="complaint"))

    assert response.status_code == 201
    assert response.json()["status"] == "routed_out"
    assert [e["action"] for e in response.json()["events"]] == ["create", "route_out"]


def test_an_answer_on_the_spot_closes_the_petition(client, tree, commune_a_officer):
    client.force_login(commune_a_officer)

    response = post(
        client, PETITIONS, petition_payload(tree, answered_on_spot=True, on_spot_answer="Đã giải thích chính sách.")
    )

    assert response.status_code == 201
    assert (response.json()["status"], response.json()["closed_on"]) == ("answered_on_spot", "2024-05-15")


# --- Transitions --------------------------------------------------------------------------------


def transition(client, petition: Petition, action: str, **extra):
    return post(client, f"{PETITIONS}{petition.pk}/transition/", {"action": action, **extra})


def _arguments(action: str, tree) -> dict:
    """What each move needs besides its name."""
    if action == Action.ASSIGN:
        return {"agency": tree.agency.pk, "deadline": "2023-07-31"}
    if action == Action.REASSIGN:
        return {"agency": agency_unit(parent=tree.peoples_committee).pk, "deadline": "2023-07-31"}
    if action in {Action.REOPEN, Action.TRANSFER}:
        return {"comment": "Lý do cụ thể."}
    return {}


ALLOWED = [
    (S.RECEIVED, Action.ANSWER_ON_SPOT, "commune_a_officer"),
    (S.RECEIVED, Action.ASSIGN, "district_staff"),
    (S.RECEIVED, Action.ROUTE_OUT, "commune_a_officer"),
    (S.ASSIGNED, Action.START, "agency_officer"),
    (S.ASSIGNED, Action.REASSIGN, "district_staff"),
    (S.IN_PROGRESS, Action.REASSIGN, "district_staff"),
    (S.ASSIGNED, Action.ANSWER, "agency_officer"),
    (S.IN_PROGRESS, Action.ANSWER, "agency_officer"),
    (S.ASSIGNED, Action.TRANSFER, "district_staff"),
    (S.IN_PROGRESS, Action.TRANSFER, "district_staff"),
    (S.ANSWERED, Action.RESOLVE, "district_staff"),
    (S.ANSWERED, Action.REOPEN, "district_staff"),
]

REFUSED_MOVES = [
    (S.RECEIVED, Action.RESOLVE, "district_staff"),
    (S.RECEIVED, Action.REOPEN, "district_staff"),
    (S.ANSWERED, Action.ASSIGN, "district_staff"),
    (S.RESOLVED, Action.REOPEN, "district_staff"),
    (S.TRANSFERRED, Action.REASSIGN, "district_staff"),
    (S.ANSWERED_ON_SPOT, Action.ASSIGN, "district_staff"),
    (S.ROUTED_OUT, Action.ASSIGN, "district_staff"),
    (S.ASSIGNED, Action.ANSWER_ON_SPOT, "commune_a_officer"),
    (S.ANSWERED, Action.START, "agency_officer"),
    (S.IN_PROGRESS, Action.START, "agency_officer"),
]

FORBIDDEN = [
    (S.RECEIVED, Action.ASSIGN, "leader"),
    (S.RECEIVED, Action.ASSIGN, "commune_a_officer"),
    (S.RECEIVED, Action.ANSWER_ON_SPOT, "viewer"),
    (S.ASSIGNED, Action.START, "district_staff"),
    (S.ASSIGNED, Action.ANSWER, "commune_a_officer"),
    (S.ASSIGNED, Action.REASSIGN, "agency_officer"),
    (S.ANSWERED, Action.RESOLVE, "leader"),
    (S.ANSWERED, Action.RESOLVE, "agency_officer"),
]

HIDDEN = [
    (S.RECEIVED, Action.ASSIGN, "commune_b_officer"),
    (S.RECEIVED, Action.ANSWER_ON_SPOT, "agency_officer"),
]


def _petition_in(tree, status: str) -> Petition:
    petition = PetitionFactory(unit=tree.commune_a, status=status, agency=tree.agency, deadline=date(2023, 6, 30))
    if status in {S.ASSIGNED, S.IN_PROGRESS}:
        # A draft, so that "answer" (publish) has something to publish.
        services.response_save_draft(
            user=UserFactory(username="drafter", is_superuser=True),
            petition=petition,
            text="Dự thảo trả lời.",
            answered_on=date(2023, 6, 1),
        )
    return petition


@pytest.mark.parametrize(("start", "action", "persona"), ALLOWED)
def test_every_allowed_move_through_the_api(request, client, tree, start, action, persona):
    petition = _petition_in(tree, start)
    client.force_login(request.getfixturevalue(persona))
    events = petition.events.count()

    response = transition(client, petition, action, version=petition.version, **_arguments(action, tree))

    assert response.status_code == 200, response.content
    assert response.json()["status"] == TRANSITIONS[(action, start)]
    assert response.json()["version"] == petition.version + 1
    assert petition.events.count() == events + 1
    assert response.json()["events"][-1]["action"] == action


@pytest.mark.parametrize(("start", "action", "persona"), REFUSED_MOVES)
def test_a_move_that_does_not_exist_is_a_400_and_changes_nothing(request, client, tree, start, action, persona):
    petition = _petition_in(tree, start)
    client.force_login(request.getfixturevalue(persona))
    before = state(petition)

    response = transition(client, petition, action, **_arguments(action, tree))

    assert response.status_code == 400, response.content
    [message] = response.json()["non_field_errors"]
    assert message == (f"A petition that is “{S(start).label}” cannot be moved with “{Action(action).label}”.")
    assert state(petition) == before


@pytest.mark.parametrize(("start", "action", "persona"), FORBIDDEN)
def test_a_move_your_role_may_not_make_is_a_403(request, client, tree, start, action, persona):
    petition = _petition_in(tree, start)
    client.force_login(request.getfixturevalue(persona))
    before = state(petition)

    response = transition(client, petition, action, **_arguments(action, tree))

    assert response.status_code == 403, response.content
    assert state(petition) == before


@pytest.mark.parametrize(("start", "action", "persona"), HIDDEN)
def test_a_move_on_a_petition_outside_scope_is_a_404(request, client, tree, start, action, persona):
    petition = _petition_in(tree, start)
    client.force_login(request.getfixturevalue(persona))
    before = state(petition)

    response = transition(client, petition, action, **_arguments(action, tree))

    assert response.status_code == 404
    assert state(petition) == before


def test_a_stale_version_is_a_409_and_changes_nothing(client, world, district_staff, agency_officer):
    client.force_login(agency_officer)
    read_version = world.assigned.version
    assert transition(client, world.assigned, "start", version=read_version).status_code == 200
    client.force_login(district_staff)
    before = state(world.assigned)

    response = transition(client, world.assigned, "transfer", comment="Chuyển tỉnh.", version=read_version)

    assert response.status_code == 409
    assert "Reload it and try again" in response.json()["detail"]
    assert state(world.assigned) == before


@pytest.mark.parametrize(
    ("extra", "errors"),
    [
        ({"deadline": "2023-05-01"}, {"deadline": ["The deadline cannot be before the petition was received."]}),
        ({"deadline": None}, {"non_field_errors": ["Choose the agency and the deadline."]}),
        ({"deadline": "2023-06-30", "agency": 999999}, {"agency": ["Unknown agency."]}),
    ],
)
def test_assigning_needs_a_known_agency_and_a_sensible_deadline(client, tree, world, district_staff, extra, errors):
    client.force_login(district_staff)
    before = state(world.received)

    response = transition(client, world.received, "assign", **{"agency": tree.agency.pk, **extra})

    assert response.status_code == 400
    assert response.json() == errors
    assert state(world.received) == before


def test_reopening_needs_a_reason_and_keeps_the_old_answer(client, tree, district_staff):
    petition = PetitionFactory(unit=tree.commune_a, status=S.ANSWERED, agency=tree.agency)
    client.force_login(district_staff)

    refused = transition(client, petition, "reopen", comment="  ")
    reopened = transition(client, petition, "reopen", comment="Chưa nêu rõ thời gian sửa đường.")

    assert refused.status_code == 400
    assert refused.json() == {"comment": ["Say why the answer is insufficient."]}
    assert reopened.status_code == 200
    assert reopened.json()["status"] == "in_progress"
    [old] = reopened.json()["responses"]
    assert (old["status"], old["reopen_reason"]) == ("reopened", "Chưa nêu rõ thời gian sửa đường.")


# --- The agency's answer ------------------------------------------------------------------------


def draft(client, petition: Petition, **overrides):
    payload = {"text": "Phòng TN&MT sẽ đo đạc lại trong tháng 7.", "answered_on": "2024-05-30", **overrides}
    return post(client, f"{PETITIONS}{petition.pk}/response/", payload)


def test_agency_drafts_then_revises_its_answer(client, world, agency_officer):
    client.force_login(agency_officer)

    first = draft(client, world.assigned)
    second = draft(client, world.assigned, text="Bản sửa.")

    assert first.status_code == 201, first.content
    assert second.status_code == 200
    assert first.json()["id"] == second.json()["id"]
    assert (second.json()["status"], second.json()["text"]) == ("draft", "Bản sửa.")
    assert PetitionResponse.objects.filter(petition=world.assigned).count() == 1
    world.assigned.refresh_from_db()
    assert world.assigned.status == S.ASSIGNED  # a draft is not an answer yet


@pytest.mark.parametrize(("persona", "sees_draft"), [("agency_officer", True), ("district_staff", False)])
def test_a_draft_is_seen_only_by_the_agency(request, client, world, agency_officer, persona, sees_draft):
    client.force_login(agency_officer)
    draft(client, world.assigned)
    client.force_login(request.getfixturevalue(persona))

    responses = client.get(f"{PETITIONS}{world.assigned.pk}/").json()["responses"]

    assert [r["status"] for r in responses] == (["draft"] if sees_draft else [])


@pytest.mark.parametrize(
    ("persona", "expected_status"),
    [("district_staff", 403), ("commune_a_officer", 403), ("leader", 403), ("commune_b_officer", 404)],
)
def test_only_the_assigned_agency_may_answer(request, client, world, persona, expected_status):
    client.force_login(request.getfixturevalue(persona))
    before = counts()

    response = draft(client, world.assigned)

    assert response.status_code == expected_status
    assert counts() == before


def test_an_agency_cannot_answer_a_petition_assigned_to_another(client, tree, world, agency_officer):
    other = PetitionFactory(unit=tree.commune_a, status=S.ASSIGNED, agency=agency_unit(parent=tree.peoples_committee))
    client.force_login(agency_officer)
    before = counts()

    drafted = draft(client, other)
    published = post(client, f"{PETITIONS}{other.pk}/publish/", {})

    assert (drafted.status_code, published.status_code) == (404, 404)
    assert counts() == before


def test_an_agency_officer_who_also_sees_the_commune_still_cannot_answer_for_another_agency(
    client, tree, world, agency_officer
):
    # A second membership makes the other agency's petition visible, not answerable.
    MembershipFactory(user=agency_officer, unit=tree.commune_a, role=Role.VIEWER)
    other = PetitionFactory(unit=tree.commune_a, status=S.ASSIGNED, agency=agency_unit(parent=tree.peoples_committee))
    client.force_login(agency_officer)
    before = counts()

    response = draft(client, other)

    assert response.status_code == 403
    assert response.json()["detail"] == "Only the agency this petition is assigned to may answer it."
    assert counts() == before


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        ({"answered_on": "2023-05-01"}, {"answered_on": ["The answer date must lie between receipt and today."]}),
        ({"answered_on": "2024-06-02"}, {"answered_on": ["The answer date must lie between receipt and today."]}),
        ({"text": "   "}, {"text": ["This field may not be blank."]}),
        ({"document": 999999}, {"document": ["Unknown document."]}),
    ],
)
def test_a_bad_draft_changes_nothing(client, world, agency_officer, overrides, errors):
    client.force_login(agency_officer)
    before = counts()

    response = draft(client, world.assigned, **overrides)

    assert response.status_code == 400
    assert response.json() == errors
    assert counts() == before


def test_a_draft_can_carry_a_scan_but_not_a_disguised_executable(client, world, agency_officer):
    client.force_login(agency_officer)
    url = f"{PETITIONS}{world.assigned.pk}/response/"
    fields = {"text": "Trả lời kèm văn bản.", "answered_on": "2024-05-30"}

    refused = client.post(url, {**fields, "file": SimpleUploadedFile("tra-loi.pdf", EXE_BYTES)})
    accepted = client.post(url, {**fields, "file": SimpleUploadedFile("tra-loi.pdf", PDF_BYTES)})

    assert refused.status_code == 400
    assert list(refused.json()) == ["file"]
    assert accepted.status_code == 201, accepted.content
    response = PetitionResponse.objects.get(pk=accepted.json()["id"])
    assert accepted.json()["file_url"] == f"/dialogues/petitions/{world.assigned.pk}/responses/{response.pk}/file/"


def test_a_draft_can_cite_a_visible_document(client, tree, world, agency_officer):
    letter = Document.objects.create(
        issuer=tree.agency,
        kind=DocumentKind.CV,
        number=12,
        term=tree.party_committee.terms.get(),
        date=date(2024, 5, 30),
        subject="Trả lời kiến nghị",
    )
    client.force_login(agency_officer)

    response = draft(client, world.assigned, document=letter.pk)

    assert response.status_code == 201, response.content
    assert response.json()["document"]["id"] == letter.pk


def test_publishing_without_a_draft_is_refused(client, world, agency_officer):
    client.force_login(agency_officer)
    before = state(world.assigned)

    response = post(client, f"{PETITIONS}{world.assigned.pk}/publish/", {})

    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Write the answer before publishing it."]}
    assert state(world.assigned) == before


def test_publishing_answers_the_petition_and_tells_the_commune(client, world, agency_officer, commune_a_officer):
    client.force_login(agency_officer)
    draft(client, world.assigned)

    response = post(client, f"{PETITIONS}{world.assigned.pk}/publish/", {"version": world.assigned.version})

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["answered_on"], body["is_overdue"]) == ("answered", "2024-05-30", False)
    assert [r["status"] for r in body["responses"]] == ["published"]
    assert Notification.objects.filter(recipient=commune_a_officer, kind=NotificationKind.ANSWERED).count() == 1


def test_publishing_with_a_stale_version_is_a_409(client, world, agency_officer):
    client.force_login(agency_officer)
    draft(client, world.assigned)
    stale = world.assigned.version
    assert transition(client, world.assigned, "start").status_code == 200
    before = counts()

    response = post(client, f"{PETITIONS}{world.assigned.pk}/publish/", {"version": stale})

    assert response.status_code == 409
    assert counts() == before
    world.assigned.refresh_from_db()
    assert world.assigned.status == S.IN_PROGRESS


@pytest.mark.parametrize("persona", ["district_staff", "leader", "commune_a_officer"])
def test_only_the_agency_may_publish(request, client, world, agency_officer, persona):
    client.force_login(agency_officer)
    draft(client, world.assigned)
    client.force_login(request.getfixturevalue(persona))
    before = state(world.assigned)

    response = post(client, f"{PETITIONS}{world.assigned.pk}/publish/", {})

    assert response.status_code == 403
    assert state(world.assigned) == before


# --- Inbox, filters and overdue -----------------------------------------------------------------


def test_inbox_lists_the_agencys_open_petitions_nearest_deadline_first(client, tree, world, agency_officer):
    later = PetitionFactory(unit=tree.commune_b, status=S.IN_PROGRESS, agency=tree.agency, deadline=date(2024, 7, 1))
    sooner = PetitionFactory(unit=tree.commune_b, status=S.ASSIGNED, agency=tree.agency, deadline=date(2024, 6, 5))
    PetitionFactory(unit=tree.commune_a, status=S.ANSWERED, agency=tree.agency)  # nothing owed
    PetitionFactory(unit=tree.commune_a, status=S.ASSIGNED, agency=agency_unit())  # another agency
    client.force_login(agency_officer)

    items = fetch_all(client, f"{INBOX}?page_size=2")

    assert [item["id"] for item in items] == [world.assigned.pk, sooner.pk, later.pk]
    assert [item["is_overdue"] for item in items] == [True, False, False]


@pytest.mark.parametrize("persona", ["district_staff", "commune_a_officer", "leader"])
def test_inbox_is_empty_for_users_of_no_agency(request, client, world, persona):
    client.force_login(request.getfixturevalue(persona))

    assert fetch_all(client, INBOX) == []


def test_overdue_follows_the_clock(client, tree, world, district_staff, time_machine):
    soon = PetitionFactory(unit=tree.commune_a, status=S.ASSIGNED, agency=tree.agency, deadline=date(2024, 6, 10))
    late = PetitionFactory(unit=tree.commune_b, status=S.IN_PROGRESS, agency=tree.agency, deadline=date(2024, 5, 20))
    PetitionFactory(unit=tree.commune_b, status=S.ANSWERED, agency=tree.agency, deadline=date(2024, 5, 1))
    sign_in_with_token(client, district_staff)

    on_first_of_june = ids(client, f"{PETITIONS}?overdue=true")
    time_machine.move_to(datetime(2024, 6, 10, 22, 0, tzinfo=TZ), tick=False)  # late on the deadline day
    on_deadline = ids(client, f"{PETITIONS}?overdue=true")
    time_machine.move_to(datetime(2024, 6, 11, 0, 30, tzinfo=TZ), tick=False)
    after_deadline = ids(client, f"{PETITIONS}?overdue=true")
    not_overdue = ids(client, f"{PETITIONS}?overdue=false")

    assert on_first_of_june == on_deadline == {world.assigned.pk, late.pk}
    assert after_deadline == {world.assigned.pk, late.pk, soon.pk}
    assert not_overdue.isdisjoint(after_deadline)
    assert len(not_overdue) == Petition.objects.count() - 3
    assert client.get(f"{PETITIONS}{soon.pk}/").json()["is_overdue"] is True


def test_petition_filters(client, tree, world, district_staff):
    online = PetitionFactory(
        unit=tree.commune_b, source=PetitionSource.ONLINE, received_on=date(2024, 3, 3), type="proposal", field="health"
    )
    client.force_login(district_staff)

    assert ids(client, f"{PETITIONS}?source=online") == {online.pk}
    assert ids(client, f"{PETITIONS}?type=proposal&field=health") == {online.pk}
    assert ids(client, f"{PETITIONS}?status=assigned") == {world.assigned.pk}
    assert ids(client, f"{PETITIONS}?agency={tree.agency.pk}") == {world.assigned.pk}
    assert ids(client, f"{PETITIONS}?dialogue={world.dialogue_a.pk}") == {world.assigned.pk, world.received.pk}
    assert ids(client, f"{PETITIONS}?unit={tree.commune_b.pk}") == {world.petition_b.pk, online.pk}
    assert ids(client, f"{PETITIONS}?date_from=2024-01-01&date_to=2024-12-31") == {online.pk}


@pytest.mark.parametrize("query", ["dat dai", "ĐẤT ĐAI", "giay chung nhan"])
def test_petition_search_ignores_diacritics(client, world, district_staff, query):
    client.force_login(district_staff)

    assert ids(client, f"{PETITIONS}?q={query}") == {world.assigned.pk}


def _list_queries(client, url: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"{url}?page_size=200")
    assert response.status_code == 200
    return len(queries), len(response.json()["results"])


def _add_petitions(tree, count: int) -> None:
    for index in range(count):
        PetitionFactory(
            unit=tree.commune_a,
            village=tree.village_a,
            status=S.ASSIGNED,
            agency=tree.agency,
            deadline=date(2024, 6, 1) + timedelta(days=index),
        )


@pytest.mark.parametrize(("persona", "url"), [("district_staff", PETITIONS), ("agency_officer", INBOX)])
def test_list_query_count_does_not_grow_with_rows(request, client, tree, persona, url, django_assert_max_num_queries):
    _add_petitions(tree, 3)
    client.force_login(request.getfixturevalue(persona))
    few, few_rows = _list_queries(client, url)
    _add_petitions(tree, 27)

    # session, user, memberships, the page
    with django_assert_max_num_queries(4):
        many, many_rows = _list_queries(client, url)

    assert (few_rows, many_rows) == (3, 30)
    assert many == few


# --- The whole journey, through the API only ----------------------------------------------------


def test_from_a_commune_dialogue_to_an_agency_answer_and_an_overdue_petition(
    client, tree, commune_a_officer, leader, agency_officer, district_staff, time_machine
):
    time_machine.move_to(datetime(2024, 3, 1, 9, 0, tzinfo=TZ), tick=False)
    other_agency = agency_unit(parent=tree.peoples_committee, name="Phòng Nông nghiệp")

    # 1. The commune officer files the dialogue with two petitions.
    sign_in_with_token(client, commune_a_officer)
    created = post(
        client,
        DIALOGUES,
        {
            "unit": tree.commune_a.pk,
            "level": "commune",
            "host_body": "commune_peoples_committee",
            "topic": "Đối thoại với Nhân dân bản Tổng Kim",
            "date": "2024-02-20",
            "commune": tree.commune_a.pk,
            "village": tree.village_a.pk,
            "participant_count": 64,
            "petitions": [
                {"field": "land", "content": "Đề nghị đo đạc lại đất đai bị sạt lở."},
                {"field": "farming", "content": "Đề nghị hỗ trợ giống quế."},
            ],
        },
    )
    assert created.status_code == 201, created.content
    land, farming = (p["id"] for p in created.json()["petitions"])

    # 2. The leader issues a notice: land to the agency by 31/03, farming to another by 15/04.
    sign_in_with_token(client, leader)
    notice = post(
        client,
        NOTICES,
        {
            "dialogue": created.json()["id"],
            "issuer": tree.party_committee.pk,
            "date": "2024-02-25",
            "summary": "Giao các phòng trả lời kiến nghị.",
            "directives": [
                {"agency": tree.agency.pk, "content": "Đo đạc lại.", "deadline": "2024-03-31", "petitions": [land]},
                {
                    "agency": other_agency.pk,
                    "content": "Hỗ trợ giống.",
                    "deadline": "2024-04-15",
                    "petitions": [farming],
                },
            ],
        },
    )
    assert notice.status_code == 201, notice.content
    assert notice.json()["symbol"] == "1-TB/HU"

    # 3. The agency officer finds the land petition (only it) in the inbox, drafts and publishes.
    sign_in_with_token(client, agency_officer)
    assert [item["id"] for item in fetch_all(client, INBOX)] == [land]
    version = client.get(f"{PETITIONS}{land}/").json()["version"]
    drafted = post(
        client, f"{PETITIONS}{land}/response/", {"text": "Đã đo đạc, cấp lại sổ.", "answered_on": "2024-03-01"}
    )
    assert drafted.status_code == 201, drafted.content
    published = post(client, f"{PETITIONS}{land}/publish/", {"version": version})
    assert published.status_code == 200, published.content
    assert fetch_all(client, INBOX) == []

    # 4. District staff sees it answered; nothing is overdue yet.
    sign_in_with_token(client, district_staff)
    answered = client.get(f"{PETITIONS}{land}/").json()
    assert answered["status"] == "answered"
    assert [(r["status"], r["text"]) for r in answered["responses"]] == [("published", "Đã đo đạc, cấp lại sổ.")]
    assert ids(client, f"{PETITIONS}?overdue=true") == set()

    # 5. After the farming petition's deadline, it is listed as overdue; the answered one is not.
    time_machine.move_to(datetime(2024, 4, 16, 8, 0, tzinfo=TZ), tick=False)
    assert ids(client, f"{PETITIONS}?overdue=true") == {farming}
    assert client.get(f"{PETITIONS}{farming}/").json()["is_overdue"] is True
    assert client.get(f"{PETITIONS}{land}/").json()["is_overdue"] is False
