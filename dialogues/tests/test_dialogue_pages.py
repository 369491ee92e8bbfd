"""Dialogue pages: the scoped list (filters, search, sort, query count), recording a dialogue with
its petitions and minutes in one go, editing with the version check, and the detail page."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.translation import gettext as _

from dialogues import services
from dialogues.models import Dialogue, DialogueAttachment, Petition, PetitionSource
from dialogues.services import DialogueInput, PetitionInput
from dialogues.workflow import Action, PetitionStatus

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
HCM = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def make_dialogue(
    user, unit, *, topic="Đối thoại định kỳ với Nhân dân", day=date(2024, 3, 15), petitions=(), minutes="", **values
) -> Dialogue:
    """A commune-level dialogue of ``unit`` recorded through the service, as the page does."""
    fields = {
        "unit": unit,
        "level": "commune",
        "host_body": "commune_party_committee",
        "kind": "periodic",
        "status": "held",
        "topic": topic,
        "date": day,
        "commune": unit,
        "participant_count": 40,
        **values,
    }
    inputs = [PetitionInput(type="request", field="land", content=content) for content in petitions]
    return services.dialogue_create(
        user=user, data=DialogueInput(values=fields, minutes_text=minutes), petitions=inputs
    )


def assign(petition: Petition, agency, user, deadline=date(2024, 5, 1)) -> Petition:
    return services.petition_transition(
        user=user, petition=petition, action=Action.ASSIGN, agency=agency, deadline=deadline
    )


def petition_fields(index: int, **values) -> dict:
    """POST data of petition form ``index``; a form posted with only the defaults is blank."""
    data = {"type": "request", "field": "", "content": "", "petitioner": "", "village": "", "legal_track": ""}
    data.update(values)
    return {f"petitions-{index}-{name}": value for name, value in data.items()}


def create_data(tree, petitions: list[dict] = (), **overrides) -> dict:
    """The create page's POST: the dialogue's fields plus three petition forms (the blank ones skipped)."""
    data = {
        "unit": tree.commune_a.pk,
        "level": "commune",
        "host_body": "commune_party_committee",
        "kind": "periodic",
        "status": "held",
        "topic": "Đối thoại về làm đường bê tông khu dân cư Nặm Mèng",
        "date": "15/03/2024",
        "commune": tree.commune_a.pk,
        "village": tree.village_a.pk,
        "venue": "Nhà văn hóa bản Tổng Kim",
        "chaired_by": "",
        "audience": "Nhân dân bản Tổng Kim",
        "participant_count": "85",
        "trigger_event": "",
        "minutes_text": "<p>Nhân dân thống nhất hiến đất làm đường.</p>",
        "petitions-TOTAL_FORMS": "3",
        "petitions-INITIAL_FORMS": "0",
        "petitions-MIN_NUM_FORMS": "0",
        "petitions-MAX_NUM_FORMS": "1000",
    }
    for index in range(3):
        data.update(petition_fields(index, **(petitions[index] if index < len(petitions) else {})))
    data.update(overrides)
    return data


def counts() -> tuple[int, int, int]:
    return Dialogue.objects.count(), Petition.objects.count(), DialogueAttachment.objects.count()


@pytest.fixture
def dialogue_a(tree, commune_a_officer):
    return make_dialogue(
        commune_a_officer, tree.commune_a, topic="Làm đường khu dân cư Nặm Mèng", petitions=["Đề nghị hỗ trợ xi măng"]
    )


@pytest.fixture
def dialogue_b(tree, commune_b_officer):
    return make_dialogue(commune_b_officer, tree.commune_b, topic="Nước sạch thôn Nà Pồng", day=date(2024, 4, 2))


def listed(client, **params) -> list[str]:
    response = client.get(reverse("dialogues:dialogue_list"), params)
    assert response.status_code == 200
    return [dialogue.topic for dialogue in response.context["dialogues"]]


# --- Role matrix ------------------------------------------------------------------------------

PERSONAS = ["district_staff", "commune_a_officer", "commune_b_officer", "agency_officer", "leader", "viewer"]


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("district_staff", ["Nước sạch thôn Nà Pồng", "Làm đường khu dân cư Nặm Mèng"]),
        ("leader", ["Nước sạch thôn Nà Pồng", "Làm đường khu dân cư Nặm Mèng"]),
        ("commune_a_officer", ["Làm đường khu dân cư Nặm Mèng"]),
        ("viewer", ["Làm đường khu dân cư Nặm Mèng"]),
        ("commune_b_officer", ["Nước sạch thôn Nà Pồng"]),
        ("agency_officer", []),
    ],
)
def test_list_shows_only_dialogues_in_scope(client, request, dialogue_a, dialogue_b, persona, expected):
    client.force_login(request.getfixturevalue(persona))
    assert listed(client) == expected


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("district_staff", 200),
        ("leader", 200),
        ("viewer", 200),
        ("commune_a_officer", 200),
        ("commune_b_officer", 404),
        ("agency_officer", 404),
    ],
)
def test_dialogue_detail_by_role(client, request, dialogue_a, persona, expected):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("dialogues:dialogue_detail", args=[dialogue_a.pk])).status_code == expected


def test_agency_officer_sees_a_dialogue_once_one_of_its_petitions_is_assigned_to_the_agency(
    client, tree, dialogue_a, agency_officer, district_staff
):
    client.force_login(agency_officer)
    url = reverse("dialogues:dialogue_detail", args=[dialogue_a.pk])
    assert client.get(url).status_code == 404

    assign(dialogue_a.petitions.get(), tree.agency, district_staff)

    response = client.get(url)
    assert response.status_code == 200
    assert [row["petition"] for row in response.context["petition_rows"]] == [dialogue_a.petitions.get()]
    assert listed(client) == ["Làm đường khu dân cư Nặm Mèng"]


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("district_staff", 200),
        ("commune_a_officer", 200),
        ("commune_b_officer", 200),
        ("leader", 403),
        ("viewer", 403),
        ("agency_officer", 403),
    ],
)
def test_create_page_is_for_recorders_only(client, tree, request, persona, expected):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("dialogues:dialogue_create")).status_code == expected
    assert client.post(reverse("dialogues:dialogue_create"), create_data(tree)).status_code in {expected, 302}
    if expected == 403:
        assert counts() == (0, 0, 0)


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("district_staff", 200),
        ("commune_a_officer", 200),
        ("commune_b_officer", 404),
        ("agency_officer", 404),
        ("leader", 403),
        ("viewer", 403),
    ],
)
def test_edit_page_by_role(client, request, dialogue_a, persona, expected):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("dialogues:dialogue_update", args=[dialogue_a.pk])).status_code == expected


def test_anonymous_is_sent_to_login_from_every_dialogue_page(client, tree, dialogue_a):
    urls = [
        reverse("dialogues:dialogue_list"),
        reverse("dialogues:dialogue_create"),
        reverse("dialogues:dialogue_detail", args=[dialogue_a.pk]),
        reverse("dialogues:dialogue_update", args=[dialogue_a.pk]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login")), url
    response = client.post(reverse("dialogues:dialogue_create"), create_data(tree))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert Dialogue.objects.count() == 1


# --- Recording a dialogue ---------------------------------------------------------------------


def test_commune_officer_records_a_dialogue_with_two_petitions_and_a_pdf(client, tree, commune_a_officer):
    client.force_login(commune_a_officer)
    minutes = SimpleUploadedFile("bien-ban.pdf", PDF_BYTES, content_type="application/pdf")
    petitions = [
        {"field": "transport", "content": "Đề nghị hỗ trợ xi măng làm đường nội bản", "village": tree.village_a.pk},
        {
            "field": "land",
            "content": "Hỏi về thủ tục cấp giấy chứng nhận quyền sử dụng đất đai",
            "petitioner": "Ông Vàng Seo Sử",
            "answered_on_spot": "on",
            "on_spot_answer": "Cán bộ địa chính xã hướng dẫn tại chỗ.",
        },
    ]
    response = client.post(
        reverse("dialogues:dialogue_create"), {**create_data(tree, petitions), "attachments": [minutes]}
    )

    dialogue = Dialogue.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("dialogues:dialogue_detail", args=[dialogue.pk])
    assert dialogue.topic == "Đối thoại về làm đường bê tông khu dân cư Nặm Mèng"
    assert (dialogue.unit, dialogue.commune, dialogue.village) == (tree.commune_a, tree.commune_a, tree.village_a)
    assert dialogue.date == date(2024, 3, 15) and dialogue.participant_count == 85
    assert dialogue.created_by == commune_a_officer
    assert dialogue.minutes_filed_at is not None
    saved = list(dialogue.petitions.order_by("id"))
    assert [p.content for p in saved] == [petitions[0]["content"], petitions[1]["content"]]
    assert [p.status for p in saved] == [PetitionStatus.RECEIVED, PetitionStatus.ANSWERED_ON_SPOT]
    assert all(p.source == PetitionSource.DIALOGUE and p.received_on == dialogue.date for p in saved)
    assert saved[0].village == tree.village_a and saved[1].petitioner == "Ông Vàng Seo Sử"
    attachment = dialogue.attachments.get()
    assert (attachment.original_name, attachment.content_type, attachment.size) == (
        "bien-ban.pdf",
        "application/pdf",
        len(PDF_BYTES),
    )
    page = client.get(response.url)
    assert [str(m) for m in page.context["messages"]] == [
        _("Recorded the dialogue with %(count)s petition(s).") % {"count": 2}
    ]


def test_create_page_works_without_javascript_with_three_blank_petitions(client, tree, commune_a_officer):
    client.force_login(commune_a_officer)
    response = client.get(reverse("dialogues:dialogue_create"))
    html = response.content.decode()
    assert response.context["formset"].total_form_count() == 3
    assert 'name="petitions-2-content"' in html
    # The "add another" button is shown by dialogues.js, which copies the empty form.
    assert 'data-formset-add="petitions" hidden' in html
    assert 'name="petitions-__prefix__-content"' in html
    # A commune officer records for their one commune: it is chosen already.
    assert response.context["form"].initial["unit"] == tree.commune_a


def test_blank_petition_forms_are_skipped(client, tree, commune_a_officer):
    client.force_login(commune_a_officer)
    response = client.post(reverse("dialogues:dialogue_create"), create_data(tree))
    assert response.status_code == 302
    assert counts() == (1, 0, 0)


def test_choices_are_limited_to_the_officers_own_commune(client, tree, commune_a_officer):
    client.force_login(commune_a_officer)
    form = client.get(reverse("dialogues:dialogue_create")).context["form"]
    assert list(form.fields["unit"].queryset) == [tree.commune_a]
    assert list(form.fields["commune"].queryset) == [tree.commune_a]
    assert list(form.fields["village"].queryset) == [tree.village_a]


def test_district_staff_may_choose_the_district_or_any_commune(client, tree, district_staff):
    client.force_login(district_staff)
    form = client.get(reverse("dialogues:dialogue_create")).context["form"]
    assert list(form.fields["unit"].queryset) == [tree.district, tree.commune_a, tree.commune_b]
    assert list(form.fields["commune"].queryset) == [tree.commune_a, tree.commune_b]


def test_commune_a_officer_cannot_record_a_dialogue_for_commune_b(client, tree, commune_a_officer):
    client.force_login(commune_a_officer)
    data = create_data(
        tree,
        [{"field": "land", "content": "Kiến nghị về đất"}],
        unit=tree.commune_b.pk,
        commune=tree.commune_b.pk,
        village="",
    )
    response = client.post(reverse("dialogues:dialogue_create"), data)
    assert response.status_code == 200
    assert "unit" in response.context["form"].errors and "commune" in response.context["form"].errors
    assert counts() == (0, 0, 0)


@time_machine.travel(datetime(2024, 6, 1, 9, tzinfo=HCM))
def test_held_dialogue_dated_in_the_future_is_refused_and_nothing_saved(client, tree, commune_a_officer):
    client.force_login(commune_a_officer)
    data = create_data(tree, [{"field": "land", "content": "Kiến nghị về đất"}], date="02/07/2024")
    upload = SimpleUploadedFile("bien-ban.pdf", PDF_BYTES)
    response = client.post(reverse("dialogues:dialogue_create"), {**data, "attachments": [upload]})
    assert response.status_code == 200
    assert response.context["form"].errors["date"] == [
        _("A dialogue that has been held cannot be dated in the future.")
    ]
    assert _("The files you chose were not saved. Choose them again before saving.") in response.content.decode()
    assert counts() == (0, 0, 0)


def test_village_of_another_commune_is_refused_and_nothing_saved(client, tree, district_staff):
    client.force_login(district_staff)
    data = create_data(tree, [{"field": "land", "content": "Kiến nghị về đất"}], village=tree.village_b.pk)
    response = client.post(reverse("dialogues:dialogue_create"), data)
    assert response.status_code == 200
    assert response.context["form"].errors["village"] == [_("The village must belong to the chosen commune.")]
    assert counts() == (0, 0, 0)


def test_a_petition_refused_by_the_service_is_shown_on_its_own_form(client, tree, district_staff):
    client.force_login(district_staff)
    petitions = [
        {"field": "land", "content": "Kiến nghị hợp lệ"},
        {"field": "transport", "content": "Kiến nghị của thôn xã khác", "village": tree.village_b.pk},
    ]
    response = client.post(reverse("dialogues:dialogue_create"), create_data(tree, petitions))
    assert response.status_code == 200
    forms = response.context["formset"].forms
    assert forms[0].non_field_errors() == []
    assert forms[1].non_field_errors() == [_("The village must belong to the petition's commune.")]
    assert counts() == (0, 0, 0)


def test_answered_on_the_spot_needs_the_answer(client, tree, commune_a_officer):
    client.force_login(commune_a_officer)
    petitions = [{"field": "land", "content": "Hỏi về đất", "answered_on_spot": "on"}]
    response = client.post(reverse("dialogues:dialogue_create"), create_data(tree, petitions))
    assert response.context["formset"].forms[0].errors["on_spot_answer"] == [_("Write the answer given on the spot.")]
    assert counts() == (0, 0, 0)


def test_a_complaint_is_recorded_and_routed_to_the_legal_track(client, tree, commune_a_officer):
    client.force_login(commune_a_officer)
    petitions = [{"field": "land", "content": "Khiếu nại quyết định thu hồi đất", "legal_track": "complaint"}]
    client.post(reverse("dialogues:dialogue_create"), create_data(tree, petitions))
    assert Petition.objects.get().status == PetitionStatus.ROUTED_OUT


# --- Editing ----------------------------------------------------------------------------------


def edit_data(dialogue, **overrides) -> dict:
    data = {
        "level": dialogue.level,
        "host_body": dialogue.host_body,
        "kind": dialogue.kind,
        "status": dialogue.status,
        "topic": dialogue.topic,
        "date": dialogue.date.strftime("%d/%m/%Y"),
        "commune": dialogue.commune_id,
        "village": "",
        "participant_count": dialogue.participant_count,
        "minutes_text": dialogue.minutes_text,
        "version": dialogue.version,
    }
    data.update(overrides)
    return data


def test_edit_saves_and_bumps_the_version(client, dialogue_a, commune_a_officer):
    client.force_login(commune_a_officer)
    url = reverse("dialogues:dialogue_update", args=[dialogue_a.pk])
    assert client.get(url).context["form"].initial["version"] == 1
    response = client.post(url, edit_data(dialogue_a, topic="Làm đường bê tông Nặm Mèng", participant_count=120))
    assert response.status_code == 302
    dialogue_a.refresh_from_db()
    assert (dialogue_a.topic, dialogue_a.participant_count, dialogue_a.version) == (
        "Làm đường bê tông Nặm Mèng",
        120,
        2,
    )


def test_stale_version_is_refused_with_a_clear_message(client, dialogue_a, commune_a_officer, district_staff):
    client.force_login(commune_a_officer)
    url = reverse("dialogues:dialogue_update", args=[dialogue_a.pk])
    opened = edit_data(dialogue_a)  # the officer opens the page at version 1 …
    services.dialogue_update(  # … and district staff saves first
        user=district_staff,
        dialogue=dialogue_a,
        data=DialogueInput(values={"participant_count": 60}, minutes_text=dialogue_a.minutes_text),
        expected_version=1,
    )
    response = client.post(url, {**opened, "topic": "Ghi đè"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        _("Someone else changed this record while you were editing it. Reload it and try again.")
    ]
    dialogue_a.refresh_from_db()
    assert (dialogue_a.topic, dialogue_a.participant_count, dialogue_a.version) == (
        "Làm đường khu dân cư Nặm Mèng",
        60,
        2,
    )


# --- Detail -----------------------------------------------------------------------------------


def test_script_typed_in_minutes_is_neither_run_nor_present_as_a_tag(client, tree, commune_a_officer):
    dialogue = make_dialogue(
        commune_a_officer,
        tree.commune_a,
        minutes='<p onclick="steal()">Biên bản <strong>đã thông qua</strong></p><script>alert("x")</script>',
    )
    client.force_login(commune_a_officer)
    html = client.get(reverse("dialogues:dialogue_detail", args=[dialogue.pk])).content.decode()
    assert "<script>alert" not in html
    assert "steal()" not in html
    assert "<p>Biên bản <strong>đã thông qua</strong></p>" in html  # safe formatting is kept


def test_detail_shows_petitions_with_status_and_overdue_highlight(client, tree, dialogue_a, district_staff):
    petition = assign(dialogue_a.petitions.get(), tree.agency, district_staff, deadline=date(2024, 5, 1))
    client.force_login(district_staff)
    response = client.get(reverse("dialogues:dialogue_detail", args=[dialogue_a.pk]))
    html = response.content.decode()
    assert response.context["petition_rows"][0]["overdue"] is True  # 01/05/2024 is long past
    assert 'class="table-danger"' in html
    assert reverse("dialogues:petition_detail", args=[petition.pk]) in html
    assert str(PetitionStatus.ASSIGNED.label) in html
    assert "01/05/2024" in html


def test_detail_offers_actions_by_role(client, dialogue_a, commune_a_officer, leader, viewer):
    edit_url = reverse("dialogues:dialogue_update", args=[dialogue_a.pk])
    notice_url = reverse("dialogues:notice_issue", args=[dialogue_a.pk])
    url = reverse("dialogues:dialogue_detail", args=[dialogue_a.pk])
    client.force_login(commune_a_officer)
    html = client.get(url).content.decode()
    assert edit_url in html and notice_url not in html
    client.force_login(leader)
    html = client.get(url).content.decode()
    assert edit_url not in html and notice_url in html
    client.force_login(viewer)
    html = client.get(url).content.decode()
    assert edit_url not in html and notice_url not in html


def test_filing_minutes_from_the_detail_page(client, dialogue_a, commune_a_officer):
    assert dialogue_a.minutes_filed_at is None
    client.force_login(commune_a_officer)
    url = reverse("dialogues:dialogue_minutes", args=[dialogue_a.pk])
    upload = SimpleUploadedFile("bien-ban-ky.pdf", PDF_BYTES)
    response = client.post(url, {"minutes_text": "<p>Biên bản đã ký</p>", "attachments": [upload]})
    assert response.status_code == 302
    dialogue_a.refresh_from_db()
    assert dialogue_a.minutes_text == "<p>Biên bản đã ký</p>"
    assert dialogue_a.minutes_filed_at is not None
    assert dialogue_a.attachments.get().original_name == "bien-ban-ky.pdf"


def test_filing_nothing_asks_for_text_or_a_file(client, dialogue_a, commune_a_officer):
    client.force_login(commune_a_officer)
    response = client.post(reverse("dialogues:dialogue_minutes", args=[dialogue_a.pk]), {"minutes_text": "  "})
    assert response.status_code == 200
    assert response.context["minutes_form"].non_field_errors() == [_("Type the minutes or choose at least one file.")]
    dialogue_a.refresh_from_db()
    assert dialogue_a.minutes_filed_at is None


@pytest.mark.parametrize(("persona", "expected"), [("leader", 403), ("commune_b_officer", 404), ("viewer", 403)])
def test_only_recorders_of_the_unit_file_minutes(client, request, dialogue_a, persona, expected):
    client.force_login(request.getfixturevalue(persona))
    response = client.post(reverse("dialogues:dialogue_minutes", args=[dialogue_a.pk]), {"minutes_text": "x"})
    assert response.status_code == expected
    dialogue_a.refresh_from_db()
    assert dialogue_a.minutes_text == ""


def test_minutes_filing_rejects_get(client, dialogue_a, commune_a_officer):
    client.force_login(commune_a_officer)
    assert client.get(reverse("dialogues:dialogue_minutes", args=[dialogue_a.pk])).status_code == 405


def test_detail_shows_legal_basis_and_history(client, tree, dialogue_a, district_staff):
    from organization.services import document_issue

    document = document_issue(
        issuer=tree.party_committee,
        kind="KH",
        day=date(2024, 1, 10),
        subject="Kế hoạch đối thoại năm 2024",
        created_by=district_staff,
    )
    services.dialogue_update(
        user=district_staff,
        dialogue=dialogue_a,
        data=DialogueInput(values={"participant_count": 55}, legal_basis=[document]),
    )
    client.force_login(district_staff)
    html = client.get(reverse("dialogues:dialogue_detail", args=[dialogue_a.pk])).content.decode()
    assert "1-KH/HU" in html and reverse("document_detail", args=[document.pk]) in html
    assert district_staff.get_full_name() in html  # the history names who changed it


# --- List: search, filters, sort, query count ------------------------------------------------


def test_search_without_diacritics_finds_topic_and_petition_content(client, tree, district_staff, commune_a_officer):
    make_dialogue(commune_a_officer, tree.commune_a, topic="Làm đường khu dân cư Nặm Mèng")
    make_dialogue(
        commune_a_officer,
        tree.commune_a,
        topic="Đối thoại quý II",
        petitions=["Tranh chấp đất đai giữa hai hộ", "Đề nghị đo lại đất đai"],
    )
    make_dialogue(commune_a_officer, tree.commune_a, topic="Nước sạch", petitions=["Đề nghị sửa đường ống"])
    client.force_login(district_staff)
    assert listed(client, q="nam meng") == ["Làm đường khu dân cư Nặm Mèng"]
    assert listed(client, q="NẶM mèng") == ["Làm đường khu dân cư Nặm Mèng"]
    # Two petitions match: the dialogue is listed once.
    assert listed(client, q="dat dai") == ["Đối thoại quý II"]
    assert listed(client, q="doi thoai") == ["Đối thoại quý II"]
    assert listed(client, q="xyz khong co") == []


def test_search_keeps_the_scope(client, tree, dialogue_a, dialogue_b, commune_b_officer):
    client.force_login(commune_b_officer)
    assert listed(client, q="nam meng") == []
    assert listed(client, q="xi mang") == []


def test_filters_by_date_range_minutes_host_kind_and_unit(client, tree, district_staff):
    make_dialogue(district_staff, tree.commune_a, topic="A tháng 3", day=date(2024, 3, 1), minutes="<p>Có biên bản</p>")
    make_dialogue(district_staff, tree.commune_b, topic="B tháng 9", day=date(2024, 9, 1), kind="ad_hoc")
    make_dialogue(
        district_staff,
        tree.district,
        topic="Huyện tại xã A",
        day=date(2023, 5, 1),
        level="district",
        host_body="standing_board",
        commune=tree.commune_a,
    )
    client.force_login(district_staff)
    assert listed(client, date_from="01/02/2024", date_to="30/06/2024") == ["A tháng 3"]
    assert listed(client, date_from="2024-01-01") == ["B tháng 9", "A tháng 3"]
    assert listed(client, has_minutes="yes") == ["A tháng 3"]
    assert listed(client, has_minutes="no") == ["B tháng 9", "Huyện tại xã A"]
    assert listed(client, host_body="standing_board") == ["Huyện tại xã A"]
    assert listed(client, kind="ad_hoc") == ["B tháng 9"]
    assert listed(client, level="district") == ["Huyện tại xã A"]
    # A district dialogue held in commune A is found under commune A.
    assert listed(client, unit=tree.commune_a.pk) == ["A tháng 3", "Huyện tại xã A"]


def test_unit_filter_offers_only_units_in_scope(client, tree, commune_a_officer):
    client.force_login(commune_a_officer)
    response = client.get(reverse("dialogues:dialogue_list"))
    assert list(response.context["filter"].form.fields["unit"].queryset) == [tree.commune_a]
    response = client.get(reverse("dialogues:dialogue_list"), {"unit": tree.commune_b.pk})
    assert "unit" in response.context["filter"].form.errors


def test_sorting_is_whitelisted(client, tree, district_staff):
    make_dialogue(district_staff, tree.commune_a, topic="Bê", day=date(2024, 1, 1), participant_count=300)
    make_dialogue(district_staff, tree.commune_a, topic="An", day=date(2024, 2, 1), participant_count=20)
    client.force_login(district_staff)
    assert listed(client) == ["An", "Bê"]
    assert listed(client, sort="date") == ["Bê", "An"]
    assert listed(client, sort="topic") == ["An", "Bê"]
    assert listed(client, sort="-participants") == ["Bê", "An"]
    assert listed(client, sort="created_by__password") == ["An", "Bê"]


def test_list_shows_petition_count_and_minutes_badge(client, tree, district_staff):
    make_dialogue(
        district_staff, tree.commune_a, topic="Ba kiến nghị", petitions=["một", "hai", "ba"], minutes="<p>x</p>"
    )
    client.force_login(district_staff)
    response = client.get(reverse("dialogues:dialogue_list"))
    assert response.context["dialogues"][0].petition_count == 3
    assert _("Filed") in response.content.decode()


def test_list_is_paginated_by_25(client, tree, district_staff):
    for day in range(1, 28):
        make_dialogue(district_staff, tree.commune_a, topic=f"Buổi {day}", day=date(2024, 1, day))
    client.force_login(district_staff)
    assert len(listed(client)) == 25
    assert listed(client, page=2) == ["Buổi 2", "Buổi 1"]


@pytest.mark.parametrize("rows", [3, 30])
def test_list_query_count_does_not_grow_with_rows(client, tree, district_staff, django_assert_max_num_queries, rows):
    for index in range(rows):
        make_dialogue(
            district_staff,
            tree.commune_a,
            topic=f"Buổi {index}",
            day=date(2024, 1, 1 + index % 28),
            village=tree.village_a,
            petitions=["Kiến nghị đất đai"],
        )
    client.force_login(district_staff)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("dialogues:dialogue_list"), {"q": "dat dai", "sort": "topic"})
    assert len(response.context["dialogues"]) == min(rows, 25)


def test_empty_list_says_how_to_record_the_first_dialogue(client, tree, commune_a_officer, leader):
    client.force_login(commune_a_officer)
    html = client.get(reverse("dialogues:dialogue_list")).content.decode()
    assert _("No dialogues recorded yet") in html
    assert reverse("dialogues:dialogue_create") in html
    client.force_login(leader)
    html = client.get(reverse("dialogues:dialogue_list")).content.decode()
    assert _("No dialogues recorded yet") in html
    assert reverse("dialogues:dialogue_create") not in html


def test_pages_load_their_script_from_a_static_file_only(client, tree, commune_a_officer, dialogue_a):
    import re

    client.force_login(commune_a_officer)
    for url in (reverse("dialogues:dialogue_create"), reverse("dialogues:dialogue_detail", args=[dialogue_a.pk])):
        html = client.get(url).content.decode()
        assert "js/dialogues.js" in html
        assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html) is None
        assert re.search(r"\son[a-z]+=", html) is None


def test_agency_officer_sees_only_its_own_petitions_counted_on_the_dialogue_list(
    client, tree, district_staff, agency_officer
):
    from dialogues.services import DirectiveInput
    from dialogues.tests.factories import ConclusionNoticeFactory, DialogueFactory, petition_input

    dialogue = DialogueFactory(
        unit=tree.commune_a, date=date(2024, 2, 1), petitions=[petition_input(), petition_input(), petition_input()]
    )
    first = dialogue.petitions.order_by("pk").first()
    directive = DirectiveInput(agency=tree.agency, content="Trả lời.", deadline=date(2024, 3, 1), petitions=[first])
    ConclusionNoticeFactory(dialogue=dialogue, directives=[directive])
    client.force_login(agency_officer)
    rows = {row.pk: row.petition_count for row in client.get(reverse("dialogues:dialogue_list")).context["dialogues"]}
    assert rows == {dialogue.pk: 1}
    client.force_login(district_staff)
    rows = {row.pk: row.petition_count for row in client.get(reverse("dialogues:dialogue_list")).context["dialogues"]}
    assert rows[dialogue.pk] == 3
