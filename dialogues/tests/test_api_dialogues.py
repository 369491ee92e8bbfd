"""The dialogues API: dialogues, conclusion notices and engagement meetings.

Who sees and writes what (the role matrix), the validation the pages share (held dialogues not in
the future, units in scope, sanitized minutes, upload checks), optimistic versions (409), the
filters and the cost of a list page. Time is frozen on 01/06/2024 (Asia/Ho_Chi_Minh): the test
district's units exist until 30/06/2025.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dialogues.models import (
    ConclusionNotice,
    Dialogue,
    DialogueAttachment,
    EngagementMeeting,
    Petition,
    PetitionField,
    PetitionSource,
)
from dialogues.services import DirectiveInput
from dialogues.tests.factories import ConclusionNoticeFactory, DialogueFactory, petition_input
from dialogues.workflow import PetitionStatus
from organization.models import Document, Unit, UnitKind
from organization.tests.factories import PersonFactory, UnitFactory

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2024, 6, 1, 9, 0, tzinfo=TZ)

DIALOGUES = "/api/v1/dialogues/"
NOTICES = "/api/v1/conclusion-notices/"
MEETINGS = "/api/v1/engagement-meetings/"

PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture(autouse=True)
def english(client, settings):
    # Messages are compared in English; the portal answers in Vietnamese unless the user chose.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@dataclass
class World:
    dialogue_a: Dialogue
    dialogue_b: Dialogue
    assigned: Petition  # of dialogue A, assigned to tree.agency by the notice
    received: Petition  # of dialogue A, not assigned
    petition_b: Petition
    notice: ConclusionNotice


@pytest.fixture
def world(tree) -> World:
    """Commune A held a dialogue with two petitions, one assigned by notice 1-TB/HU to
    tree.agency; commune B held one with one petition."""
    dialogue_a = DialogueFactory(
        unit=tree.commune_a,
        village=tree.village_a,
        topic="Đối thoại về đường vào khu dân cư Nặm Mèng",
        petitions=[
            petition_input(field=PetitionField.LAND, content="Đề nghị cấp giấy chứng nhận quyền sử dụng đất đai."),
            petition_input(content="Đề nghị sửa đường liên thôn."),
        ],
    )
    dialogue_b = DialogueFactory(
        unit=tree.commune_b,
        topic="Đối thoại về nước sạch",
        petitions=[petition_input(field=PetitionField.POWER_WATER, content="Đề nghị lắp đặt nước sạch.")],
    )
    assigned, received = dialogue_a.petitions.order_by("id")
    notice = ConclusionNoticeFactory(
        dialogue=dialogue_a,
        issuer=tree.party_committee,
        directives=[
            DirectiveInput(
                agency=tree.agency, content="Kiểm tra, trả lời.", deadline=date(2023, 6, 30), petitions=[assigned]
            )
        ],
    )
    assigned.refresh_from_db()
    return World(dialogue_a, dialogue_b, assigned, received, dialogue_b.petitions.get(), notice)


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
        "dialogues": Dialogue.objects.count(),
        "petitions": Petition.objects.count(),
        "notices": ConclusionNotice.objects.count(),
        "documents": Document.objects.count(),
        "attachments": DialogueAttachment.objects.count(),
        "meetings": EngagementMeeting.objects.count(),
    }


def dialogue_payload(tree, **overrides) -> dict:
    payload = {
        "unit": tree.commune_a.pk,
        "level": "commune",
        "host_body": "commune_peoples_committee",
        "kind": "periodic",
        "topic": "Đối thoại với Nhân dân bản Tổng Kim về hiến đất làm đường",
        "date": "2024-05-20",
        "commune": tree.commune_a.pk,
        "village": tree.village_a.pk,
        "participant_count": 85,
        "minutes_text": "<p>Nhân dân thống nhất hiến đất.</p>",
        "petitions": [
            {"type": "request", "field": "transport", "content": "Đề nghị hỗ trợ xi măng làm đường."},
            {"type": "proposal", "field": "land", "content": "Đề nghị đo đạc lại ranh giới đất."},
        ],
    }
    payload.update(overrides)
    return payload


def post(client, url: str, data: dict):
    return client.post(url, data, content_type="application/json")


def patch(client, url: str, data: dict):
    return client.patch(url, data, content_type="application/json")


# --- Dialogues: who sees what -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("district_staff", {"a", "b"}),
        ("leader", {"a", "b"}),
        ("portal_admin", {"a", "b"}),
        ("commune_a_officer", {"a"}),
        ("commune_b_officer", {"b"}),
        ("viewer", {"a"}),
        # Only through the petition assigned to its agency.
        ("agency_officer", {"a"}),
    ],
)
def test_dialogue_list_shows_exactly_the_dialogues_in_scope(request, client, world, persona, expected):
    client.force_login(request.getfixturevalue(persona))
    by_letter = {"a": world.dialogue_a.pk, "b": world.dialogue_b.pk}

    assert ids(client, DIALOGUES) == {by_letter[letter] for letter in expected}


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", DIALOGUES),
        ("get", "detail"),
        ("post", DIALOGUES),
        ("patch", "detail"),
        ("get", NOTICES),
        ("post", NOTICES),
        ("get", MEETINGS),
        ("post", MEETINGS),
    ],
)
def test_anonymous_gets_401_everywhere(client, world, method, url):
    target = f"{DIALOGUES}{world.dialogue_a.pk}/" if url == "detail" else url
    before = counts()

    response = getattr(client, method)(target, {}, content_type="application/json")

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Token")
    assert counts() == before


def test_commune_officer_cannot_see_other_commune_dialogue(client, world, commune_a_officer):
    client.force_login(commune_a_officer)
    missing = Dialogue.objects.order_by("-pk").first().pk + 1000

    hidden = client.get(f"{DIALOGUES}{world.dialogue_b.pk}/")
    absent = client.get(f"{DIALOGUES}{missing}/")

    assert hidden.status_code == 404
    assert (hidden.status_code, hidden.json()) == (absent.status_code, absent.json())
    assert client.get(f"{DIALOGUES}{world.dialogue_a.pk}/").status_code == 200


def test_dialogue_detail_nests_petitions_attachments_and_notices(client, tree, world, district_staff):
    attachment = DialogueAttachment.objects.create(
        dialogue=world.dialogue_a,
        file=SimpleUploadedFile("bien-ban.pdf", PDF_BYTES),
        original_name="bien-ban.pdf",
        content_type="application/pdf",
        size=len(PDF_BYTES),
    )
    client.force_login(district_staff)

    body = client.get(f"{DIALOGUES}{world.dialogue_a.pk}/").json()

    assert body["unit"] == {"id": tree.commune_a.pk, "name": "Xã Vĩnh Yên", "kind": "commune"}
    assert body["village"]["id"] == tree.village_a.pk
    assert body["date"] == "2023-05-10"
    assert body["level"] == "commune"
    assert body["version"] == 1
    assert [p["id"] for p in body["petitions"]] == [world.assigned.pk, world.received.pk]
    first = body["petitions"][0]
    assert first["status"] == "assigned"
    assert first["assigned_agency"]["id"] == tree.agency.pk
    assert first["deadline"] == "2023-06-30"
    assert first["is_overdue"] is True  # 30/06/2023 has passed on 01/06/2024
    assert body["petitions"][1]["is_overdue"] is False
    assert body["attachments"] == [
        {
            "id": attachment.pk,
            "kind": "minutes",
            "original_name": "bien-ban.pdf",
            "content_type": "application/pdf",
            "size": len(PDF_BYTES),
            "uploaded_at": body["attachments"][0]["uploaded_at"],
            "download_url": f"/dialogues/attachments/{attachment.pk}/",
        }
    ]
    assert body["notices"] == [{"id": world.notice.pk, "symbol": "1-TB/HU", "date": "2023-05-17"}]


def test_agency_officer_sees_only_the_assigned_petitions_of_a_dialogue(client, world, agency_officer):
    client.force_login(agency_officer)

    body = client.get(f"{DIALOGUES}{world.dialogue_a.pk}/").json()

    assert [p["id"] for p in body["petitions"]] == [world.assigned.pk]
    # The agency may open the notice that directs it (its own directive is why it holds the petition).
    assert [notice["symbol"] for notice in body["notices"]] == ["1-TB/HU"]
    assert client.get(f"{DIALOGUES}{world.dialogue_b.pk}/").status_code == 404


# --- Dialogues: create --------------------------------------------------------------------------


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
def test_who_may_record_a_dialogue(request, client, tree, persona, expected_status):
    client.force_login(request.getfixturevalue(persona))
    before = counts()

    response = post(client, DIALOGUES, dialogue_payload(tree))

    assert response.status_code == expected_status, response.content
    after = counts()
    if expected_status == 201:
        assert after["dialogues"] == before["dialogues"] + 1
        assert after["petitions"] == before["petitions"] + 2
    else:
        assert after == before
    if persona == "commune_b_officer":
        assert response.json() == {
            "unit": ["Unknown unit."],
            "commune": ["Unknown commune."],
            "village": ["Unknown village."],
        }


def test_dialogue_and_its_petitions_are_recorded_together(client, tree, commune_a_officer):
    client.force_login(commune_a_officer)

    response = post(client, DIALOGUES, dialogue_payload(tree))

    assert response.status_code == 201, response.content
    body = response.json()
    dialogue = Dialogue.objects.get(pk=body["id"])
    assert dialogue.created_by == commune_a_officer
    assert dialogue.has_minutes  # minutes text filed with it
    assert body["has_minutes"] is True
    petitions = list(dialogue.petitions.order_by("id"))
    assert [p["id"] for p in body["petitions"]] == [p.pk for p in petitions]
    assert all(p.source == PetitionSource.DIALOGUE and p.received_on == date(2024, 5, 20) for p in petitions)
    assert all(p.unit == tree.commune_a and p.status == PetitionStatus.RECEIVED for p in petitions)
    assert [e.action for e in petitions[0].events.all()] == ["create"]


def test_a_bad_petition_saves_neither_the_dialogue_nor_the_others(client, tree, commune_a_officer):
    client.force_login(commune_a_officer)
    payload = dialogue_payload(tree)
    # Answered on the spot, but the answer is missing: the service refuses the second petition.
    payload["petitions"][1].update(answered_on_spot=True, on_spot_answer="")
    before = counts()

    response = post(client, DIALOGUES, payload)

    assert response.status_code == 400
    assert list(response.json()) == ["petitions"]
    assert list(response.json()["petitions"]) == ["1"]
    assert response.json()["petitions"]["1"] == ["Write the answer given on the spot."]
    assert counts() == before


def test_a_petition_village_outside_scope_is_unknown(client, tree, commune_a_officer):
    client.force_login(commune_a_officer)
    payload = dialogue_payload(tree)
    payload["petitions"][1]["village"] = tree.village_b.pk
    before = counts()

    response = post(client, DIALOGUES, payload)

    assert response.status_code == 400
    assert response.json() == {"petitions": {"1": {"village": ["Unknown village."]}}}
    assert counts() == before


def test_a_held_dialogue_cannot_be_dated_in_the_future(client, tree, commune_a_officer):
    client.force_login(commune_a_officer)
    before = counts()

    response = post(client, DIALOGUES, dialogue_payload(tree, date="2024-06-15"))

    assert response.status_code == 400
    assert response.json() == {"date": ["A dialogue that has been held cannot be dated in the future."]}
    assert counts() == before


def test_a_planned_dialogue_may_be_dated_in_the_future(client, tree, commune_a_officer):
    client.force_login(commune_a_officer)

    response = post(client, DIALOGUES, dialogue_payload(tree, date="2024-06-15", status="planned", petitions=[]))

    assert response.status_code == 201, response.content
    assert response.json()["status"] == "planned"


def test_units_outside_scope_answer_like_missing_ones(client, tree, commune_a_officer):
    client.force_login(commune_a_officer)
    missing = Unit.objects.order_by("-pk").first().pk + 1000

    hidden = post(client, DIALOGUES, dialogue_payload(tree, commune=tree.commune_b.pk, petitions=[]))
    absent = post(client, DIALOGUES, dialogue_payload(tree, commune=missing, petitions=[]))

    assert hidden.status_code == absent.status_code == 400
    assert hidden.json() == absent.json() == {"commune": ["Unknown commune."]}


def test_a_place_outside_the_owner_unit_is_refused(client, tree, district_staff):
    client.force_login(district_staff)  # sees both communes, so the ids are known
    before = counts()

    response = post(client, DIALOGUES, dialogue_payload(tree, commune=tree.commune_b.pk, village=None))

    assert response.status_code == 400
    assert response.json() == {"commune": ["The place must lie within the owner unit."]}
    assert counts() == before


def test_script_in_minutes_is_stored_inert(client, tree, commune_a_officer):
    client.force_login(commune_a_officer)
    minutes = '<p onclick="steal()">Biên bản</p><script>alert(1)</script><img src=x onerror=alert(2)>'

    response = post(client, DIALOGUES, dialogue_payload(tree, minutes_text=minutes, petitions=[]))

    assert response.status_code == 201, response.content
    stored = Dialogue.objects.get(pk=response.json()["id"]).minutes_text
    assert stored == "<p>Biên bản</p>"
    assert response.json()["minutes_text"] == stored


def test_a_chair_and_legal_basis_outside_scope_are_unknown(client, tree, commune_a_officer):
    other_person = PersonFactory(unit=tree.commune_b)
    client.force_login(commune_a_officer)

    response = post(client, DIALOGUES, dialogue_payload(tree, chaired_by=other_person.pk, legal_basis=[999999]))

    assert response.status_code == 400
    assert response.json() == {"chaired_by": ["Unknown person."], "legal_basis": ["Unknown document."]}


# --- Dialogues: update --------------------------------------------------------------------------


def test_commune_officer_changes_a_dialogue_with_its_version(client, world, commune_a_officer):
    client.force_login(commune_a_officer)
    url = f"{DIALOGUES}{world.dialogue_a.pk}/"

    response = patch(client, url, {"topic": "Chủ đề đã sửa", "participant_count": 120, "version": 1})

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["topic"], body["participant_count"], body["version"]) == ("Chủ đề đã sửa", 120, 2)
    world.dialogue_a.refresh_from_db()
    assert world.dialogue_a.village_id is not None  # untouched fields are kept
    assert world.dialogue_a.history.count() == 2


def test_a_full_replacement_with_put(client, tree, world, commune_a_officer):
    client.force_login(commune_a_officer)
    payload = dialogue_payload(tree, topic="Thay toàn bộ", version=1)
    del payload["petitions"], payload["unit"]

    response = client.put(f"{DIALOGUES}{world.dialogue_a.pk}/", payload, content_type="application/json")

    assert response.status_code == 200, response.content
    assert response.json()["topic"] == "Thay toàn bộ"
    assert response.json()["date"] == "2024-05-20"


def test_a_stale_version_is_a_conflict_and_changes_nothing(client, world, commune_a_officer, district_staff):
    client.force_login(district_staff)
    assert patch(client, f"{DIALOGUES}{world.dialogue_a.pk}/", {"topic": "Sửa trước", "version": 1}).status_code == 200
    client.force_login(commune_a_officer)

    response = patch(client, f"{DIALOGUES}{world.dialogue_a.pk}/", {"topic": "Sửa sau", "version": 1})

    assert response.status_code == 409
    assert "Reload it and try again" in response.json()["detail"]
    world.dialogue_a.refresh_from_db()
    assert (world.dialogue_a.topic, world.dialogue_a.version) == ("Sửa trước", 2)


def test_an_update_without_version_is_refused(client, world, commune_a_officer):
    client.force_login(commune_a_officer)

    response = patch(client, f"{DIALOGUES}{world.dialogue_a.pk}/", {"topic": "Không có phiên bản"})

    assert response.status_code == 400
    assert response.json() == {"version": ["Send the version you read."]}
    world.dialogue_a.refresh_from_db()
    assert world.dialogue_a.topic != "Không có phiên bản"


def test_an_update_cannot_date_a_held_dialogue_in_the_future(client, world, commune_a_officer):
    client.force_login(commune_a_officer)

    response = patch(client, f"{DIALOGUES}{world.dialogue_a.pk}/", {"date": "2024-07-01", "version": 1})

    assert response.status_code == 400
    assert "date" in response.json()
    world.dialogue_a.refresh_from_db()
    assert (world.dialogue_a.date, world.dialogue_a.version) == (date(2023, 5, 10), 1)


@pytest.mark.parametrize(
    ("persona", "expected_status"),
    [("leader", 403), ("viewer", 403), ("agency_officer", 403), ("commune_b_officer", 404)],
)
def test_who_may_not_change_a_dialogue(request, client, world, persona, expected_status):
    client.force_login(request.getfixturevalue(persona))

    response = patch(client, f"{DIALOGUES}{world.dialogue_a.pk}/", {"topic": "Không được sửa", "version": 1})

    assert response.status_code == expected_status
    world.dialogue_a.refresh_from_db()
    assert world.dialogue_a.version == 1


def test_dialogues_cannot_be_deleted(client, world, portal_admin):
    client.force_login(portal_admin)

    response = client.delete(f"{DIALOGUES}{world.dialogue_a.pk}/")

    assert response.status_code == 405
    assert Dialogue.objects.filter(pk=world.dialogue_a.pk).exists()


# --- Dialogues: attachments ---------------------------------------------------------------------


def upload(client, dialogue, name: str, content: bytes):
    return client.post(f"{DIALOGUES}{dialogue.pk}/attachments/", {"file": SimpleUploadedFile(name, content)})


def test_commune_officer_attaches_a_minutes_scan(client, tree, commune_a_officer):
    dialogue = DialogueFactory(unit=tree.commune_a)
    assert not dialogue.has_minutes
    client.force_login(commune_a_officer)

    response = upload(client, dialogue, "bien-ban.pdf", PDF_BYTES)

    assert response.status_code == 201, response.content
    attachment = DialogueAttachment.objects.get(dialogue=dialogue)
    assert response.json()["download_url"] == f"/dialogues/attachments/{attachment.pk}/"
    assert (attachment.content_type, attachment.size, attachment.uploaded_by) == (
        "application/pdf",
        len(PDF_BYTES),
        commune_a_officer,
    )
    dialogue.refresh_from_db()
    assert dialogue.has_minutes


@pytest.mark.parametrize(
    ("name", "content", "fragment"),
    [
        ("virus.pdf", EXE_BYTES, "its content is not a PDF file"),
        ("virus.exe", EXE_BYTES, "cannot be attached"),
        ("empty.pdf", b"", "empty"),
    ],
)
def test_a_bad_file_is_refused_and_nothing_is_attached(client, world, commune_a_officer, name, content, fragment):
    client.force_login(commune_a_officer)
    before = counts()

    response = upload(client, world.dialogue_a, name, content)

    assert response.status_code == 400
    assert list(response.json()) == ["file"]
    assert fragment in " ".join(response.json()["file"])
    assert counts() == before


def test_a_file_over_the_size_limit_is_refused(client, world, commune_a_officer, settings):
    settings.UPLOAD_MAX_BYTES = 1024
    client.force_login(commune_a_officer)

    response = upload(client, world.dialogue_a, "big.pdf", PDF_BYTES + b"0" * 2048)

    assert response.status_code == 400
    assert "the largest allowed is" in response.json()["file"][0]
    assert not DialogueAttachment.objects.exists()


@pytest.mark.parametrize(("persona", "expected_status"), [("leader", 403), ("commune_b_officer", 404)])
def test_who_may_not_attach_files(request, client, world, persona, expected_status):
    client.force_login(request.getfixturevalue(persona))

    response = upload(client, world.dialogue_a, "bien-ban.pdf", PDF_BYTES)

    assert response.status_code == expected_status
    assert not DialogueAttachment.objects.exists()


# --- Dialogues: filters and cost ----------------------------------------------------------------


@pytest.mark.parametrize("query", ["nam meng", "Nặm Mèng", "NAM MENG", "đường vào"])
def test_search_ignores_case_and_diacritics(client, world, district_staff, query):
    client.force_login(district_staff)

    assert ids(client, f"{DIALOGUES}?q={query}") == {world.dialogue_a.pk}


def test_filters_narrow_the_list(client, tree, world, district_staff):
    ad_hoc = DialogueFactory(
        unit=tree.district,
        commune=tree.commune_b,
        level="district",
        host_body="standing_board",
        kind="ad_hoc",
        date=date(2024, 2, 1),
        minutes_text="<p>Biên bản</p>",
    )
    client.force_login(district_staff)

    assert ids(client, f"{DIALOGUES}?host_body=standing_board") == {ad_hoc.pk}
    assert ids(client, f"{DIALOGUES}?kind=ad_hoc&level=district") == {ad_hoc.pk}
    assert ids(client, f"{DIALOGUES}?has_minutes=true") == {ad_hoc.pk}
    assert ids(client, f"{DIALOGUES}?has_minutes=false") == {world.dialogue_a.pk, world.dialogue_b.pk}
    assert ids(client, f"{DIALOGUES}?date_from=2024-01-01") == {ad_hoc.pk}
    assert ids(client, f"{DIALOGUES}?date_to=2023-12-31") == {world.dialogue_a.pk, world.dialogue_b.pk}
    assert ids(client, f"{DIALOGUES}?unit={tree.commune_b.pk}") == {world.dialogue_b.pk}
    assert ids(client, f"{DIALOGUES}?unit={tree.district.pk}") == {world.dialogue_a.pk, world.dialogue_b.pk, ad_hoc.pk}
    assert ids(client, f"{DIALOGUES}?status=planned") == set()


def test_filter_by_unit_outside_scope_is_empty_not_an_error(client, tree, world, commune_a_officer):
    client.force_login(commune_a_officer)

    assert ids(client, f"{DIALOGUES}?unit={tree.commune_b.pk}") == set()
    assert ids(client, f"{DIALOGUES}?unit=999999") == set()


@pytest.mark.parametrize("query", ["date_from=20/05/2024", "kind=weekly", "host_body=nobody", "unit=1.5"])
def test_an_invalid_filter_is_a_400_naming_it(client, world, district_staff, query):
    client.force_login(district_staff)

    response = client.get(f"{DIALOGUES}?{query}")

    assert response.status_code == 400
    assert query.split("=")[0] in response.json()


def _list_queries(client, url: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"{url}?page_size=200")
    assert response.status_code == 200
    return len(queries), len(response.json()["results"])


@pytest.mark.parametrize("persona", ["district_staff", "agency_officer"])
def test_dialogue_list_query_count_does_not_grow_with_rows(
    request, client, tree, world, persona, django_assert_max_num_queries
):
    for _index in range(3):
        DialogueFactory(unit=tree.commune_a, petitions=[petition_input()])
    client.force_login(request.getfixturevalue(persona))
    few, few_rows = _list_queries(client, DIALOGUES)
    for _index in range(27):
        DialogueFactory(unit=tree.commune_a, village=tree.village_a, petitions=[petition_input()])

    # session, user, memberships, the page
    with django_assert_max_num_queries(5):
        many, many_rows = _list_queries(client, DIALOGUES)

    assert many == few
    if persona == "district_staff":
        assert (few_rows, many_rows) == (5, 32)


# --- Conclusion notices -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("district_staff", True),
        ("leader", True),
        ("commune_a_officer", True),
        ("viewer", True),
        ("commune_b_officer", False),
        ("agency_officer", True),  # the notice directs its agency
    ],
)
def test_notices_are_scoped_by_their_dialogue(request, client, world, persona, sees):
    client.force_login(request.getfixturevalue(persona))

    listed = ids(client, NOTICES)
    detail = client.get(f"{NOTICES}{world.notice.pk}/")

    assert listed == ({world.notice.pk} if sees else set())
    assert detail.status_code == (200 if sees else 404)


def test_notice_detail_has_symbol_and_directives(client, tree, world, district_staff):
    client.force_login(district_staff)

    body = client.get(f"{NOTICES}{world.notice.pk}/").json()

    assert body["symbol"] == "1-TB/HU"
    assert body["number"] == 1
    assert body["date"] == "2023-05-17"
    assert body["issuer"] == {"id": tree.party_committee.pk, "name": "Huyện ủy Bảo Yên", "kind": "party_committee"}
    assert body["dialogue"]["id"] == world.dialogue_a.pk
    [directive] = body["directives"]
    assert directive["agency"]["id"] == tree.agency.pk
    assert directive["deadline"] == "2023-06-30"
    assert directive["petitions"] == [world.assigned.pk]


def notice_payload(tree, world, **overrides) -> dict:
    payload = {
        "dialogue": world.dialogue_a.pk,
        "issuer": tree.party_committee.pk,
        "date": "2023-05-20",
        "summary": "Thường trực Huyện ủy kết luận.",
        "directives": [
            {
                "agency": tree.agency.pk,
                "content": "Trả lời kiến nghị về đường liên thôn.",
                "deadline": "2023-07-15",
                "petitions": [world.received.pk],
            }
        ],
    }
    payload.update(overrides)
    return payload


@pytest.mark.parametrize(
    ("persona", "expected_status"),
    [
        ("leader", 201),
        ("district_staff", 201),
        ("commune_a_officer", 403),
        ("commune_b_officer", 403),
        ("viewer", 403),
        ("agency_officer", 403),
    ],
)
def test_who_may_issue_a_notice(request, client, tree, world, persona, expected_status):
    client.force_login(request.getfixturevalue(persona))
    before = counts()

    response = post(client, NOTICES, notice_payload(tree, world))

    assert response.status_code == expected_status, response.content
    world.received.refresh_from_db()
    if expected_status == 201:
        assert response.json()["symbol"] == "2-TB/HU"
        assert world.received.status == PetitionStatus.ASSIGNED
        assert world.received.assigned_agency == tree.agency
        assert world.received.deadline == date(2023, 7, 15)
    else:
        assert counts() == before
        assert world.received.status == PetitionStatus.RECEIVED


def test_a_deadline_before_the_dialogue_issues_nothing(client, tree, world, leader):
    client.force_login(leader)
    payload = notice_payload(tree, world)
    payload["directives"].append(
        {"agency": tree.agency.pk, "content": "Quá sớm.", "deadline": "2023-05-01", "petitions": []}
    )
    before = counts()

    response = post(client, NOTICES, payload)

    assert response.status_code == 400
    assert response.json() == {"directives": {"1": ["The deadline cannot be before the dialogue."]}}
    assert counts() == before  # no notice, no document number used
    world.received.refresh_from_db()
    assert world.received.status == PetitionStatus.RECEIVED
    # The next notice still gets number 2: the refused one used none.
    assert post(client, NOTICES, notice_payload(tree, world)).json()["symbol"] == "2-TB/HU"


def test_a_notice_cannot_assign_a_petition_of_another_dialogue(client, tree, world, leader):
    client.force_login(leader)
    payload = notice_payload(tree, world)
    payload["directives"][0]["petitions"] = [world.petition_b.pk]
    before = counts()

    response = post(client, NOTICES, payload)

    assert response.status_code == 400
    assert response.json() == {
        "directives": {"0": [f"Petition #{world.petition_b.pk} was not raised at this dialogue."]}
    }
    assert counts() == before
    world.petition_b.refresh_from_db()
    assert world.petition_b.status == PetitionStatus.RECEIVED


def test_a_notice_dated_before_its_dialogue_is_refused(client, tree, world, leader):
    client.force_login(leader)
    before = counts()

    response = post(client, NOTICES, notice_payload(tree, world, date="2023-05-01"))

    assert response.status_code == 400
    assert response.json() == {"date": ["The notice cannot be dated before the dialogue."]}
    assert counts() == before


def test_an_agency_outside_scope_is_unknown(client, tree, world, leader):
    elsewhere = UnitFactory(kind=UnitKind.DEPARTMENT, parent=tree.province, name="Sở Xây dựng")
    client.force_login(leader)
    payload = notice_payload(tree, world)
    payload["directives"][0]["agency"] = elsewhere.pk

    response = post(client, NOTICES, payload)

    assert response.status_code == 400
    assert response.json() == {"directives": {"0": {"agency": ["Unknown agency."]}}}


def test_a_commune_cannot_be_given_a_notice_on_a_hidden_dialogue(client, tree, world, leader):
    client.force_login(leader)
    hidden = DialogueFactory(unit=UnitFactory(parent=tree.province, name="Xã khác", key="t-other"))

    response = post(client, NOTICES, notice_payload(tree, world, dialogue=hidden.pk))

    assert response.status_code == 400
    assert response.json() == {"dialogue": ["Unknown dialogue."]}


def test_notice_list_query_count_does_not_grow_with_rows(client, tree, world, leader, django_assert_max_num_queries):
    def add_notices(count: int) -> None:
        for _index in range(count):
            dialogue = DialogueFactory(unit=tree.commune_a, petitions=[petition_input(), petition_input()])
            ConclusionNoticeFactory(dialogue=dialogue, issuer=tree.party_committee, agency=tree.agency)

    add_notices(2)  # with the world's notice: 3
    client.force_login(leader)
    few, few_rows = _list_queries(client, NOTICES)
    add_notices(27)

    # session, user, memberships, the page, its directives, their petitions
    with django_assert_max_num_queries(6):
        many, many_rows = _list_queries(client, NOTICES)

    assert (few_rows, many_rows) == (3, 30)
    assert many == few


# --- Engagement meetings ------------------------------------------------------------------------


def meeting_payload(tree, **overrides) -> dict:
    payload = {
        "unit": tree.commune_a.pk,
        "date": "2024-04-10",
        "host": "Ban Dân vận Huyện ủy",
        "village": tree.village_a.pk,
        "clergy_count": 3,
        "prestigious_count": 5,
        "elders_count": 4,
        "religions": "Công giáo",
        "purposes": "Nắm tình hình tư tưởng trước mùa mưa bão",
        "opinions": [
            {"type": "opinion", "field": "ethnic_religion", "content": "Đề nghị hỗ trợ sửa nhà văn hóa thôn."},
        ],
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
def test_who_may_record_an_engagement_meeting(request, client, tree, persona, expected_status):
    client.force_login(request.getfixturevalue(persona))
    before = counts()

    response = post(client, MEETINGS, meeting_payload(tree))

    assert response.status_code == expected_status, response.content
    if expected_status == 201:
        body = response.json()
        assert body["attendee_count"] == 12
        [opinion] = body["petitions"]
        petition = Petition.objects.get(pk=opinion["id"])
        assert petition.source == PetitionSource.DIGNITARIES_MEETING
        assert petition.engagement_meeting_id == body["id"]
        assert petition.received_on == date(2024, 4, 10)
    else:
        assert counts() == before


def test_a_meeting_in_the_future_is_refused(client, tree, commune_a_officer):
    client.force_login(commune_a_officer)
    before = counts()

    response = post(client, MEETINGS, meeting_payload(tree, date="2024-06-02"))

    assert response.status_code == 400
    assert response.json() == {"date": ["A meeting that has been held cannot be dated in the future."]}
    assert counts() == before


@pytest.mark.parametrize(
    ("persona", "sees_a", "sees_b"),
    [
        ("district_staff", True, True),
        ("commune_a_officer", True, False),
        ("commune_b_officer", False, True),
        ("agency_officer", False, False),
    ],
)
def test_meetings_are_scoped_by_unit(request, client, tree, commune_a_officer, persona, sees_a, sees_b):
    client.force_login(commune_a_officer)
    meeting_a = post(client, MEETINGS, meeting_payload(tree)).json()["id"]
    meeting_b = EngagementMeeting.objects.create(unit=tree.commune_b, date=date(2024, 3, 1), host="UBND xã").pk
    client.force_login(request.getfixturevalue(persona))

    listed = ids(client, MEETINGS)

    assert listed == {pk for pk, seen in ((meeting_a, sees_a), (meeting_b, sees_b)) if seen}
    assert client.get(f"{MEETINGS}{meeting_a}/").status_code == (200 if sees_a else 404)


def test_meeting_search_ignores_diacritics(client, tree, commune_a_officer):
    client.force_login(commune_a_officer)
    meeting = post(client, MEETINGS, meeting_payload(tree)).json()["id"]
    post(client, MEETINGS, meeting_payload(tree, religions="Phật giáo", opinions=[]))

    assert ids(client, f"{MEETINGS}?q=cong giao") == {meeting}


def test_meeting_list_query_count_does_not_grow_with_rows(client, tree, district_staff, django_assert_max_num_queries):
    def add(count: int) -> None:
        for index in range(count):
            EngagementMeeting.objects.create(
                unit=tree.commune_a, village=tree.village_a, date=date(2024, 1, 1) + timedelta(days=index), host="Xã"
            )

    add(3)
    client.force_login(district_staff)
    few, few_rows = _list_queries(client, MEETINGS)
    add(27)

    with django_assert_max_num_queries(4):
        many, many_rows = _list_queries(client, MEETINGS)

    assert (few_rows, many_rows) == (3, 30)
    assert many == few
