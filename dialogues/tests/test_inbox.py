"""The agency inbox and the agency's answer: draft, publish, reopen, and who may do which."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.translation import gettext as _

from dialogues.models import Petition, PetitionResponse, ResponseStatus
from dialogues.tests.factories import DialogueFactory, PetitionFactory, agency_unit, petition_input
from dialogues.workflow import Action, PetitionStatus
from organization.models import Notification, NotificationKind, Role
from organization.tests.factories import MembershipFactory

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def other_agency(tree):
    return agency_unit(name="Phòng Nông nghiệp và PTNT", parent=tree.peoples_committee)


@pytest.fixture
def dialogue(tree, commune_a_officer):
    """A dialogue in commune A with two petitions (the notices' usual source)."""
    return DialogueFactory(
        unit=tree.commune_a,
        by=commune_a_officer,
        date=date(2024, 3, 1),
        topic="Đối thoại về đất đai khu dân cư Nặm Mèng",
        petitions=[
            petition_input(content="Đề nghị đo đạc lại ranh giới đất rừng.", field="land"),
            petition_input(content="Đề nghị hỗ trợ cây giống quế.", field="farming"),
        ],
    )


@pytest.fixture
def inbox(tree, dialogue, district_staff, other_agency):
    """For Phòng TN&MT: two open petitions of the dialogue (deadlines 20/05 and 10/05/2024), one
    answered; plus one open petition of another agency."""
    land, trees = dialogue.petitions.order_by("pk")
    return {
        "late": PetitionFactory(
            unit=tree.commune_b,
            by=district_staff,
            status=PetitionStatus.ASSIGNED,
            agency=tree.agency,
            deadline=date(2024, 5, 10),
            received_on=date(2024, 3, 2),
            content="Ô nhiễm nguồn nước suối.",
        ),
        "land": _assign(land, district_staff, tree.agency, date(2024, 5, 20)),
        "answered": PetitionFactory(
            unit=tree.commune_b, status=PetitionStatus.ANSWERED, agency=tree.agency, received_on=date(2024, 1, 5)
        ),
        "elsewhere": _assign(trees, district_staff, other_agency, date(2024, 5, 1)),
    }


def _assign(petition, user, agency, deadline):
    from dialogues import services

    return services.petition_transition(
        user=user, petition=petition, action=Action.ASSIGN, agency=agency, deadline=deadline
    )


def inbox_ids(client) -> list[int]:
    response = client.get(reverse("dialogues:inbox"))
    assert response.status_code == 200
    return [petition.pk for petition in response.context["petitions"]]


def response_url(petition) -> str:
    return reverse("dialogues:response_save_draft", args=[petition.pk])


def publish_url(petition) -> str:
    return reverse("dialogues:response_publish", args=[petition.pk])


def draft_data(**overrides) -> dict:
    data = {
        "text": "Phòng đã kiểm tra thực địa; xưởng chế biến gỗ đã bị đình chỉ và phải xử lý nước thải.",
        "answered_on": "15/04/2024",
        "document": "",
    }
    data.update(overrides)
    return data


# --- The inbox ----------------------------------------------------------------------------


def test_agency_officer_sees_only_open_petitions_of_its_agency_nearest_deadline_first(client, inbox, agency_officer):
    client.force_login(agency_officer)
    assert inbox_ids(client) == [inbox["late"].pk, inbox["land"].pk]


def test_inbox_shows_the_dialogue_context(client, inbox, agency_officer, tree):
    client.force_login(agency_officer)
    html = client.get(reverse("dialogues:inbox")).content.decode()
    assert "Đối thoại về đất đai khu dân cư Nặm Mèng" in html
    assert "01/03/2024" in html
    assert tree.commune_a.name in html


@pytest.mark.parametrize("persona", ["district_staff", "commune_a_officer", "leader", "viewer"])
def test_inbox_is_refused_to_users_who_are_not_agency_officers(client, inbox, request, persona):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse("dialogues:inbox"))
    assert response.status_code == 403
    assert _("The inbox is for agency officers") in response.content.decode()


def test_portal_admin_sees_every_agency_inbox(client, inbox, portal_admin):
    client.force_login(portal_admin)
    assert set(inbox_ids(client)) == {inbox["late"].pk, inbox["land"].pk, inbox["elsewhere"].pk}


def test_empty_inbox_says_nothing_is_waiting(client, tree, agency_officer):
    client.force_login(agency_officer)
    response = client.get(reverse("dialogues:inbox"))
    assert response.status_code == 200
    assert _("No petitions are waiting for your agency's answer") in response.content.decode()


@time_machine.travel(datetime(2024, 5, 14, 8, 0, tzinfo=HANOI), tick=False)
def test_inbox_highlights_overdue_and_flags_due_within_seven_days(client, inbox, agency_officer):
    client.force_login(agency_officer)
    response = client.get(reverse("dialogues:inbox"))
    rows = {row["petition"].pk: row for row in response.context["rows"]}
    assert rows[inbox["late"].pk]["overdue"] and not rows[inbox["late"].pk]["due_soon"]
    assert rows[inbox["land"].pk]["due_soon"] and not rows[inbox["land"].pk]["overdue"]
    html = response.content.decode()
    assert html.count("table-danger") == 1 and html.count("badge-overdue") == 1
    assert html.count("badge-due-soon") == 1


@pytest.mark.parametrize("count", [3, 30])
def test_inbox_query_count_does_not_grow_with_petitions(
    client, tree, district_staff, agency_officer, django_assert_max_num_queries, count
):
    dialogue = DialogueFactory(unit=tree.commune_a, date=date(2024, 2, 1), petitions=[petition_input()] * count)
    for index, petition in enumerate(dialogue.petitions.all()):
        _assign(petition, district_staff, tree.agency, date(2024, 4, 1 + index % 28))
    client.force_login(agency_officer)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("dialogues:inbox"))
    assert len(response.context["rows"]) == min(count, 25)


# --- Answering ----------------------------------------------------------------------------


def test_agency_officer_drafts_then_publishes_and_the_district_is_notified(
    client, inbox, agency_officer, district_staff, commune_b_officer
):
    petition = inbox["late"]
    client.force_login(agency_officer)
    upload = SimpleUploadedFile("tra-loi.pdf", PDF_BYTES, content_type="application/pdf")
    response = client.post(response_url(petition), draft_data(file=upload))
    assert response.status_code == 302
    draft = PetitionResponse.objects.get(petition=petition)
    assert draft.status == ResponseStatus.DRAFT and draft.answered_on == date(2024, 4, 15) and draft.file

    # A draft is the agency's own: the district staff do not see it yet.
    client.force_login(district_staff)
    assert client.get(reverse("dialogues:petition_detail", args=[petition.pk])).context["responses"] == []
    answered_notices = Notification.objects.filter(
        kind=NotificationKind.ANSWERED, url=reverse("dialogues:petition_detail", args=[petition.pk])
    )
    assert not answered_notices.exists()

    client.force_login(agency_officer)
    page = client.get(reverse("dialogues:petition_detail", args=[petition.pk]))
    assert page.context["may_publish"] and page.context["current_draft"] == draft
    petition.refresh_from_db()
    response = client.post(publish_url(petition), {"version": petition.version})
    assert response.status_code == 302
    petition.refresh_from_db()
    draft.refresh_from_db()
    assert petition.status == PetitionStatus.ANSWERED and petition.answered_on == date(2024, 4, 15)
    assert draft.status == ResponseStatus.PUBLISHED
    notified = set(answered_notices.values_list("recipient", flat=True))
    assert district_staff.pk in notified and commune_b_officer.pk in notified

    # Published: the district staff see it and may download its file.
    client.force_login(district_staff)
    page = client.get(reverse("dialogues:petition_detail", args=[petition.pk]))
    assert page.context["responses"] == [draft]
    download = client.get(reverse("dialogues:response_file", args=[petition.pk, draft.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF_BYTES


def test_saving_again_updates_the_same_draft(client, inbox, agency_officer):
    petition = inbox["late"]
    client.force_login(agency_officer)
    client.post(response_url(petition), draft_data())
    client.post(response_url(petition), draft_data(text="Bản sửa lại."))
    assert PetitionResponse.objects.filter(petition=petition).count() == 1
    assert PetitionResponse.objects.get(petition=petition).text == "Bản sửa lại."


@pytest.mark.parametrize(
    "overrides",
    [
        {"text": "  "},
        {"answered_on": "2024/04/15/x"},
        {"answered_on": "01/01/2024"},  # before the petition was received
        {"answered_on": "01/01/2099"},  # in the future
        {"file": "exe"},
    ],
)
def test_bad_answer_input_is_shown_on_the_form_and_saves_nothing(client, inbox, agency_officer, overrides):
    petition = inbox["late"]
    if overrides.get("file") == "exe":
        overrides["file"] = SimpleUploadedFile("tra-loi.pdf", EXE_BYTES, content_type="application/pdf")
    client.force_login(agency_officer)
    response = client.post(response_url(petition), draft_data(**overrides))
    assert response.status_code == 200
    assert response.context["response_form"].errors
    assert not PetitionResponse.objects.filter(petition=petition).exists()


def test_publishing_without_a_draft_changes_nothing(client, inbox, agency_officer):
    petition = inbox["late"]
    client.force_login(agency_officer)
    response = client.post(publish_url(petition), {"version": petition.version}, follow=True)
    assert [str(message) for message in response.context["messages"]]
    petition.refresh_from_db()
    assert petition.status == PetitionStatus.ASSIGNED


def test_agency_officer_cannot_answer_a_petition_of_another_agency(client, inbox, agency_officer):
    petition = inbox["elsewhere"]
    client.force_login(agency_officer)
    assert client.post(response_url(petition), draft_data()).status_code == 404
    assert client.post(publish_url(petition), {"version": petition.version}).status_code == 404
    assert not PetitionResponse.objects.filter(petition=petition).exists()


def test_agency_officer_who_can_see_a_petition_not_assigned_to_it_gets_403(client, tree, inbox, agency_officer):
    # The same person also views commune A, so they can read the petition, but it is not theirs.
    MembershipFactory(user=agency_officer, unit=tree.commune_a, role=Role.VIEWER)
    petition = inbox["elsewhere"]
    client.force_login(agency_officer)
    assert client.get(reverse("dialogues:petition_detail", args=[petition.pk])).status_code == 200
    assert client.post(response_url(petition), draft_data()).status_code == 403
    assert client.post(publish_url(petition), {"version": petition.version}).status_code == 403
    assert not PetitionResponse.objects.filter(petition=petition).exists()


@pytest.mark.parametrize(
    ("persona", "expected"), [("district_staff", 403), ("commune_b_officer", 403), ("leader", 403), ("viewer", 404)]
)
def test_only_the_agency_may_answer(client, inbox, request, persona, expected):
    petition = inbox["late"]
    client.force_login(request.getfixturevalue(persona))
    assert client.post(response_url(petition), draft_data()).status_code == expected
    assert not PetitionResponse.objects.filter(petition=petition).exists()


def test_response_pages_refuse_get(client, inbox, agency_officer):
    client.force_login(agency_officer)
    assert client.get(response_url(inbox["late"])).status_code == 405
    assert client.get(publish_url(inbox["late"])).status_code == 405


def test_answer_editor_is_shown_only_to_the_agency(client, inbox, agency_officer, district_staff):
    petition = inbox["late"]
    client.force_login(agency_officer)
    assert client.get(reverse("dialogues:petition_detail", args=[petition.pk])).context["may_answer"]
    client.force_login(district_staff)
    page = client.get(reverse("dialogues:petition_detail", args=[petition.pk]))
    assert not page.context["may_answer"]
    assert response_url(petition) not in page.content.decode()


# --- Reopening ----------------------------------------------------------------------------


def test_district_staff_reopens_an_insufficient_answer_and_the_agency_is_notified(
    client, inbox, district_staff, agency_officer
):
    petition = inbox["answered"]
    published = petition.responses.get()
    client.force_login(district_staff)
    page = client.get(reverse("dialogues:petition_detail", args=[petition.pk]))
    assert {item["action"] for item in page.context["actions"]} == {Action.RESOLVE, Action.REOPEN}
    response = client.post(
        reverse("dialogues:petition_transition", args=[petition.pk]),
        {"action": Action.REOPEN, "version": petition.version, "comment": "Chưa nêu thời hạn khắc phục."},
    )
    assert response.status_code == 302
    petition.refresh_from_db()
    published.refresh_from_db()
    assert petition.status == PetitionStatus.IN_PROGRESS and petition.answered_on is None
    assert published.status == ResponseStatus.REOPENED
    assert published.reopen_reason == "Chưa nêu thời hạn khắc phục."
    reopened = Notification.objects.get(kind=NotificationKind.REOPENED)
    assert reopened.recipient == agency_officer and "Chưa nêu thời hạn khắc phục." in reopened.message
    # The old answer stays on the page, marked reopened; the agency can answer again.
    client.force_login(agency_officer)
    page = client.get(reverse("dialogues:petition_detail", args=[petition.pk]))
    assert page.context["responses"] == [published] and page.context["may_answer"]


def test_reopen_without_a_reason_changes_nothing(client, inbox, district_staff):
    petition = inbox["answered"]
    events = petition.events.count()
    client.force_login(district_staff)
    response = client.post(
        reverse("dialogues:petition_transition", args=[petition.pk]),
        {"action": Action.REOPEN, "version": petition.version, "comment": "  "},
        follow=True,
    )
    assert [str(message) for message in response.context["messages"]]
    petition.refresh_from_db()
    assert petition.status == PetitionStatus.ANSWERED and petition.events.count() == events
    assert petition.responses.get().status == ResponseStatus.PUBLISHED


def test_agency_cannot_reopen_or_resolve_its_own_answer(client, inbox, agency_officer):
    petition = inbox["answered"]
    client.force_login(agency_officer)
    page = client.get(reverse("dialogues:petition_detail", args=[petition.pk]))
    assert page.context["actions"] == []
    response = client.post(
        reverse("dialogues:petition_transition", args=[petition.pk]),
        {"action": Action.RESOLVE, "version": petition.version},
    )
    assert response.status_code == 403
    assert Petition.objects.get(pk=petition.pk).status == PetitionStatus.ANSWERED
