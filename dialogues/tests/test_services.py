"""dialogues.services: all-or-nothing writes, routing at creation, numbering, version checks,
sanitized minutes and checked uploads."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from dialogues import services
from dialogues.models import (
    ConclusionNotice,
    Dialogue,
    DialogueAttachment,
    Directive,
    Petition,
    PetitionEvent,
    PetitionSource,
    ReportedAggregate,
)
from dialogues.services import DialogueInput, DirectiveInput, StaleVersion
from dialogues.tests.factories import DialogueFactory, PetitionFactory, petition_input
from dialogues.workflow import Action, PetitionStatus
from organization.models import Document, DocumentCounter

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2024, 3, 15, 9, 0, tzinfo=TZ)
HELD = date(2024, 3, 1)

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 32
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def values_for(tree, **overrides) -> dict:
    values = {
        "unit": tree.commune_a,
        "level": "commune",
        "host_body": "commune_peoples_committee",
        "kind": "periodic",
        "topic": "Đối thoại về làm đường bê tông vào bản Tổng Kim",
        "date": HELD,
        "commune": tree.commune_a,
        "village": tree.village_a,
        "participant_count": 85,
    }
    values.update(overrides)
    return values


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def nothing_saved() -> tuple[int, ...]:
    return (
        Dialogue.objects.count(),
        Petition.objects.count(),
        PetitionEvent.objects.count(),
        DialogueAttachment.objects.count(),
    )


# --- dialogue_create ----------------------------------------------------------------------------


def test_dialogue_petitions_and_minutes_are_saved_together(tree, commune_a_officer):
    dialogue = services.dialogue_create(
        user=commune_a_officer,
        data=DialogueInput(values=values_for(tree), minutes_text="<p>Biên bản</p>"),
        petitions=[petition_input(), petition_input(field="land", content="Đề nghị đo đạc lại thửa đất.")],
        attachments=[upload("bien-ban.pdf", PDF_BYTES)],
    )
    assert dialogue.petitions.count() == 2
    assert set(dialogue.petitions.values_list("source", "received_on", "status")) == {
        (PetitionSource.DIALOGUE, HELD, PetitionStatus.RECEIVED)
    }
    attachment = dialogue.attachments.get()
    assert (attachment.content_type, attachment.original_name) == ("application/pdf", "bien-ban.pdf")
    assert dialogue.minutes_filed_at == NOW
    assert dialogue.created_by == commune_a_officer


def test_one_bad_petition_saves_nothing(tree, commune_a_officer, media_in_tmp):
    with pytest.raises(ValidationError) as error:
        services.dialogue_create(
            user=commune_a_officer,
            data=DialogueInput(values=values_for(tree), minutes_text="<p>Biên bản</p>"),
            petitions=[petition_input(), petition_input(content=""), petition_input(field="land")],
            attachments=[upload("anh.png", PNG_BYTES)],
        )
    assert list(error.value.message_dict) == ["petitions-1"]
    assert nothing_saved() == (0, 0, 0, 0)
    assert not any(media_in_tmp.rglob("*.png"))


def test_a_petition_from_a_village_of_another_commune_saves_nothing(tree, commune_a_officer):
    with pytest.raises(ValidationError) as error:
        services.dialogue_create(
            user=commune_a_officer,
            data=DialogueInput(values=values_for(tree)),
            petitions=[petition_input(village=tree.village_b)],
        )
    assert "petitions-0" in error.value.message_dict
    assert nothing_saved() == (0, 0, 0, 0)


def test_a_held_dialogue_dated_in_the_future_is_refused(tree, commune_a_officer):
    with pytest.raises(ValidationError) as error:
        services.dialogue_create(
            user=commune_a_officer,
            data=DialogueInput(values=values_for(tree, date=date(2024, 3, 16))),
            petitions=[petition_input()],
        )
    assert "date" in error.value.message_dict
    assert nothing_saved() == (0, 0, 0, 0)


def test_commune_b_officer_cannot_file_a_dialogue_for_commune_a(tree, commune_b_officer):
    with pytest.raises(ValidationError):
        services.dialogue_create(user=commune_b_officer, data=DialogueInput(values=values_for(tree)))
    assert Dialogue.objects.count() == 0


@pytest.mark.parametrize("role", ["leader", "viewer"])
def test_read_only_roles_cannot_file_a_dialogue(request, tree, role):
    user = request.getfixturevalue(role)
    with pytest.raises(PermissionDenied):
        services.dialogue_create(user=user, data=DialogueInput(values=values_for(tree)))
    assert Dialogue.objects.count() == 0


# --- petition_create ----------------------------------------------------------------------------


def test_a_legal_complaint_is_routed_out_at_creation(tree, commune_a_officer):
    petition = services.petition_create(
        user=commune_a_officer,
        unit=tree.commune_a,
        source=PetitionSource.CITIZEN_RECEPTION,
        received_on=HELD,
        data=petition_input(legal_track="denunciation", content="Tố cáo cán bộ thôn thu tiền sai quy định."),
    )
    assert petition.status == PetitionStatus.ROUTED_OUT
    assert petition.closed_on == NOW.date()
    assert list(petition.events.values_list("action", "to_status")) == [
        ("create", PetitionStatus.RECEIVED),
        (Action.ROUTE_OUT, PetitionStatus.ROUTED_OUT),
    ]


def test_answered_on_the_spot_needs_the_answer(tree, commune_a_officer):
    with pytest.raises(ValidationError) as error:
        services.petition_create(
            user=commune_a_officer,
            unit=tree.commune_a,
            source=PetitionSource.CITIZEN_RECEPTION,
            received_on=HELD,
            data=petition_input(answered_on_spot=True, on_spot_answer="   "),
        )
    assert "on_spot_answer" in error.value.message_dict
    assert (Petition.objects.count(), PetitionEvent.objects.count()) == (0, 0)


def test_answered_on_the_spot_closes_the_petition_on_receipt(tree, commune_a_officer):
    petition = services.petition_create(
        user=commune_a_officer,
        unit=tree.commune_a,
        source=PetitionSource.CITIZEN_RECEPTION,
        received_on=HELD,
        data=petition_input(answered_on_spot=True, on_spot_answer="Chủ tịch xã đã giải thích chính sách."),
    )
    assert (petition.status, petition.answered_on, petition.closed_on) == (
        PetitionStatus.ANSWERED_ON_SPOT,
        HELD,
        HELD,
    )


@pytest.mark.parametrize("role", ["commune_b_officer", "district_staff"])
def test_a_petition_for_another_communes_dialogue_is_refused(request, tree, commune_a_officer, role):
    dialogue = DialogueFactory(unit=tree.commune_a, date=HELD, by=commune_a_officer)
    with pytest.raises(ValidationError) as error:
        services.petition_create(
            user=request.getfixturevalue(role),
            unit=tree.commune_b,
            source=PetitionSource.DIALOGUE,
            received_on=HELD,
            data=petition_input(),
            dialogue=dialogue,
        )
    assert "dialogue" in error.value.message_dict
    assert Petition.objects.count() == 0


def test_engagement_meeting_opinions_become_petitions(tree, commune_a_officer):
    meeting = services.engagement_meeting_create(
        user=commune_a_officer,
        values={"unit": tree.commune_a, "date": HELD, "host": "Ban Dân vận Huyện ủy", "clergy_count": 2},
        opinions=[petition_input(field="ethnic_religion", content="Đề nghị hỗ trợ sửa nhà nguyện.")],
    )
    petition = meeting.petitions.get()
    assert (petition.source, petition.received_on, petition.unit) == (
        PetitionSource.DIGNITARIES_MEETING,
        HELD,
        tree.commune_a,
    )


# --- Conclusion notices -------------------------------------------------------------------------


@pytest.fixture
def dialogue_with_petitions(tree, commune_a_officer):
    return DialogueFactory(
        unit=tree.commune_a,
        date=HELD,
        by=commune_a_officer,
        petitions=[petition_input(field="land"), petition_input(field="transport")],
    )


def issue(tree, user, dialogue, directives, day=date(2024, 3, 5)) -> ConclusionNotice:
    return services.conclusion_notice_issue(
        user=user, dialogue=dialogue, issuer=tree.party_committee, day=day, summary="Kết luận.", directives=directives
    )


def test_issuing_a_notice_consumes_exactly_one_number(tree, leader, dialogue_with_petitions):
    land, road = dialogue_with_petitions.petitions.order_by("id")
    notice = issue(
        tree,
        leader,
        dialogue_with_petitions,
        [
            DirectiveInput(agency=tree.agency, content="Trả lời về đất.", deadline=date(2024, 4, 5), petitions=[land]),
            DirectiveInput(
                agency=tree.agency, content="Trả lời về đường.", deadline=date(2024, 4, 5), petitions=[road]
            ),
        ],
    )
    assert notice.document.symbol == "1-TB/HU"
    assert DocumentCounter.objects.get(kind="TB").last_number == 1
    assert notice.directives.count() == 2
    assert set(dialogue_with_petitions.petitions.values_list("status", flat=True)) == {PetitionStatus.ASSIGNED}


@pytest.mark.parametrize("failure", ["deadline_before_dialogue", "petition_of_another_dialogue"])
def test_a_failed_notice_consumes_no_number_and_assigns_nothing(
    tree, leader, commune_a_officer, dialogue_with_petitions, failure
):
    land, road = dialogue_with_petitions.petitions.order_by("id")
    issue(tree, leader, dialogue_with_petitions, [DirectiveInput(tree.agency, "Trả lời.", date(2024, 4, 5), [land])])
    stranger = PetitionFactory(unit=tree.commune_a, received_on=HELD, by=commune_a_officer)
    bad = (
        DirectiveInput(tree.agency, "Trả lời.", date(2024, 2, 1), [road])
        if failure == "deadline_before_dialogue"
        else DirectiveInput(tree.agency, "Trả lời.", date(2024, 4, 5), [stranger])
    )
    good = DirectiveInput(tree.agency, "Trả lời.", date(2024, 4, 5), [road])

    with pytest.raises(ValidationError) as error:
        issue(tree, leader, dialogue_with_petitions, [good, bad])

    assert "directives-1" in error.value.message_dict
    assert DocumentCounter.objects.get(kind="TB").last_number == 1
    assert (Document.objects.filter(kind="TB").count(), ConclusionNotice.objects.count()) == (1, 1)
    assert Directive.objects.count() == 1
    road.refresh_from_db()
    stranger.refresh_from_db()
    assert (road.status, stranger.status) == (PetitionStatus.RECEIVED, PetitionStatus.RECEIVED)
    assert issue(tree, leader, dialogue_with_petitions, [good]).document.symbol == "2-TB/HU"


def test_a_notice_dated_before_the_dialogue_is_refused_before_numbering(tree, leader, dialogue_with_petitions):
    land = dialogue_with_petitions.petitions.first()
    with pytest.raises(ValidationError):
        issue(
            tree,
            leader,
            dialogue_with_petitions,
            [DirectiveInput(tree.agency, "Trả lời.", date(2024, 4, 5), [land])],
            day=date(2024, 2, 28),
        )
    assert not DocumentCounter.objects.filter(kind="TB", last_number__gt=0).exists()


@pytest.mark.parametrize("role", ["commune_a_officer", "agency_officer", "viewer"])
def test_only_leaders_and_district_staff_issue_notices(request, tree, role, dialogue_with_petitions):
    land = dialogue_with_petitions.petitions.first()
    with pytest.raises(PermissionDenied):
        issue(
            tree,
            request.getfixturevalue(role),
            dialogue_with_petitions,
            [DirectiveInput(tree.agency, "Trả lời.", date(2024, 4, 5), [land])],
        )
    assert Document.objects.filter(kind="TB").count() == 0


# --- Optimistic version checks ------------------------------------------------------------------


def test_a_stale_dialogue_edit_is_refused(tree, commune_a_officer):
    dialogue = DialogueFactory(unit=tree.commune_a, date=HELD, by=commune_a_officer, topic="Chủ đề cũ")
    opened_version = dialogue.version
    services.dialogue_update(
        user=commune_a_officer,
        dialogue=dialogue,
        data=DialogueInput(values={"topic": "Sửa lần một"}),
        expected_version=opened_version,
    )
    with pytest.raises(StaleVersion):
        services.dialogue_update(
            user=commune_a_officer,
            dialogue=dialogue,
            data=DialogueInput(values={"topic": "Sửa lần hai, từ bản cũ"}),
            expected_version=opened_version,
        )
    dialogue.refresh_from_db()
    assert (dialogue.topic, dialogue.version) == ("Sửa lần một", opened_version + 1)
    assert dialogue.history.count() == 2


def test_a_stale_transition_is_refused(tree, district_staff):
    petition = PetitionFactory(unit=tree.commune_a, received_on=HELD)
    opened_version = petition.version
    services.petition_transition(
        user=district_staff, petition=petition, action=Action.ROUTE_OUT, expected_version=opened_version
    )
    other = PetitionFactory(unit=tree.commune_a, received_on=HELD)
    services.petition_transition(user=district_staff, petition=other, action=Action.ANSWER_ON_SPOT)
    with pytest.raises(StaleVersion):
        services.petition_transition(
            user=district_staff,
            petition=other,
            action=Action.ROUTE_OUT,
            expected_version=1,
        )
    other.refresh_from_db()
    assert other.status == PetitionStatus.ANSWERED_ON_SPOT


# --- Minutes --------------------------------------------------------------------------------------

UNSAFE = '<p onclick="steal()">Ý kiến của <strong>bà con</strong></p><script>alert("x")</script><img src=x onerror=y>'


def test_minutes_are_sanitized_on_create(tree, commune_a_officer):
    dialogue = services.dialogue_create(
        user=commune_a_officer, data=DialogueInput(values=values_for(tree), minutes_text=UNSAFE)
    )
    dialogue.refresh_from_db()
    assert "<strong>bà con</strong>" in dialogue.minutes_text
    for inert in ("<script", "alert", "onclick", "steal", "<img", "onerror"):
        assert inert not in dialogue.minutes_text


def test_minutes_are_sanitized_when_filed_later(tree, commune_a_officer):
    dialogue = DialogueFactory(unit=tree.commune_a, date=HELD, by=commune_a_officer)
    assert dialogue.minutes_filed_at is None
    services.minutes_file(user=commune_a_officer, dialogue=dialogue, text=UNSAFE)
    dialogue.refresh_from_db()
    assert dialogue.minutes_text == "<p>Ý kiến của <strong>bà con</strong></p>"
    assert dialogue.minutes_filed_at == NOW


def test_an_executable_renamed_pdf_is_refused(tree, commune_a_officer):
    dialogue = DialogueFactory(unit=tree.commune_a, date=HELD, by=commune_a_officer)
    with pytest.raises(ValidationError) as error:
        services.minutes_file(
            user=commune_a_officer, dialogue=dialogue, attachments=[upload("bien-ban.pdf", EXE_BYTES)]
        )
    assert error.value.code == "file_content"
    dialogue.refresh_from_db()
    assert (dialogue.attachments.count(), dialogue.minutes_filed_at) == (0, None)


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [("virus.exe", EXE_BYTES, "file_type"), ("trong.pdf", b"", "file_empty"), ("lon.pdf", PDF_BYTES * 40, "file_size")],
)
def test_disallowed_empty_and_oversized_files_are_refused(tree, commune_a_officer, settings, name, content, code):
    settings.UPLOAD_MAX_BYTES = 1024
    dialogue = DialogueFactory(unit=tree.commune_a, date=HELD, by=commune_a_officer)
    with pytest.raises(ValidationError) as error:
        services.minutes_file(user=commune_a_officer, dialogue=dialogue, attachments=[upload(name, content)])
    assert error.value.code == code
    assert dialogue.attachments.count() == 0


def test_a_png_scan_is_accepted_and_files_the_minutes(tree, commune_a_officer, media_in_tmp):
    dialogue = DialogueFactory(unit=tree.commune_a, date=HELD, by=commune_a_officer)
    services.minutes_file(user=commune_a_officer, dialogue=dialogue, attachments=[upload("bien-ban.png", PNG_BYTES)])
    attachment = dialogue.attachments.get()
    assert (attachment.content_type, attachment.size, attachment.uploaded_by) == (
        "image/png",
        len(PNG_BYTES),
        commune_a_officer,
    )
    assert attachment.file.name.startswith(f"dialogues/{dialogue.pk}/")
    assert (media_in_tmp / attachment.file.name).read_bytes() == PNG_BYTES
    dialogue.refresh_from_db()
    assert dialogue.minutes_filed_at == NOW


def test_minutes_of_commune_a_cannot_be_filed_by_commune_b(tree, commune_a_officer, commune_b_officer):
    dialogue = DialogueFactory(unit=tree.commune_a, date=HELD, by=commune_a_officer)
    with pytest.raises(ValidationError):
        services.minutes_file(user=commune_b_officer, dialogue=dialogue, text="<p>Không phải của tôi</p>")
    dialogue.refresh_from_db()
    assert dialogue.minutes_text == ""


# --- Reported aggregates ------------------------------------------------------------------------


def test_a_reported_aggregate_keeps_its_parts_as_printed(tree, district_staff):
    aggregate = services.reported_aggregate_create(
        user=district_staff,
        values={
            "unit": tree.district,
            "metric": "dialogues",
            "period_start": date(2021, 1, 1),
            "period_end": date(2023, 12, 31),
            "total": 167,
            "source": "Bài viết trên Cổng TTĐT Tỉnh ủy Lào Cai",
        },
        parts=[("2021", 53), ("2022", 54), ("2023", 12)],
    )
    # Stored as printed: the service does not "correct" the total to 119.
    assert aggregate.total == 167
    assert list(aggregate.parts.values_list("label", "value")) == [("2021", 53), ("2022", 54), ("2023", 12)]


def test_a_reported_aggregate_with_its_period_reversed_is_refused(tree, district_staff):
    with pytest.raises(ValidationError):
        services.reported_aggregate_create(
            user=district_staff,
            values={
                "unit": tree.district,
                "metric": "dialogues",
                "period_start": date(2023, 12, 31),
                "period_end": date(2021, 1, 1),
                "total": 5,
                "source": "x",
            },
        )
    assert ReportedAggregate.objects.count() == 0
