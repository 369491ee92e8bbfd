"""Petition pages: the scoped list with filters, search and sorting, recording a petition, the
detail page with its timeline, and workflow transitions (role matrix, refused moves)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils.translation import gettext as _

from dialogues import services
from dialogues.models import HostBody, Petition, PetitionEvent, PetitionSource
from dialogues.tests.factories import (
    ConclusionNoticeFactory,
    DialogueFactory,
    PetitionFactory,
    agency_unit,
    petition_input,
)
from dialogues.workflow import Action, PetitionStatus

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
PERSONAS = ("district_staff", "leader", "commune_a_officer", "commune_b_officer", "agency_officer", "viewer")


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def petitions(tree, district_staff, commune_a_officer, commune_b_officer):
    """One received petition in commune A, one in commune B, one of commune B assigned to the
    agency (Phòng TN&MT) with a deadline of 30/04/2024."""
    return {
        "a": PetitionFactory(
            unit=tree.commune_a,
            by=commune_a_officer,
            content="Tranh chấp đất đai ở khu dân cư Nặm Mèng, bản Tổng Kim.",
            field="land",
            received_on=date(2024, 3, 4),
        ),
        "b": PetitionFactory(
            unit=tree.commune_b,
            by=commune_b_officer,
            content="Đề nghị sửa đường vào thôn Nà Pồng.",
            field="transport",
            received_on=date(2024, 3, 5),
            source=PetitionSource.MAILBOX,
        ),
        "assigned": PetitionFactory(
            unit=tree.commune_b,
            by=district_staff,
            status=PetitionStatus.ASSIGNED,
            agency=tree.agency,
            deadline=date(2024, 4, 30),
            content="Ô nhiễm nguồn nước suối do xưởng chế biến gỗ.",
            field="environment",
            received_on=date(2024, 3, 6),
        ),
    }


def listed(client, **params) -> list[int]:
    response = client.get(reverse("dialogues:petition_list"), params)
    assert response.status_code == 200
    return [petition.pk for petition in response.context["petitions"]]


def detail_url(petition: Petition) -> str:
    return reverse("dialogues:petition_detail", args=[petition.pk])


def transition_url(petition: Petition) -> str:
    return reverse("dialogues:petition_transition", args=[petition.pk])


# --- The list: scope ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("district_staff", {"a", "b", "assigned"}),
        ("leader", {"a", "b", "assigned"}),
        ("commune_a_officer", {"a"}),
        ("commune_b_officer", {"b", "assigned"}),
        ("agency_officer", {"assigned"}),
        ("viewer", {"a"}),
    ],
)
def test_petition_list_shows_only_petitions_in_scope(client, petitions, request, persona, expected):
    client.force_login(request.getfixturevalue(persona))
    assert set(listed(client)) == {petitions[key].pk for key in expected}


def test_anonymous_is_sent_to_login_from_petition_pages(client, petitions):
    petition = petitions["a"]
    for url in (
        reverse("dialogues:petition_list"),
        reverse("dialogues:petition_create"),
        detail_url(petition),
        reverse("dialogues:inbox"),
    ):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
    response = client.post(transition_url(petition), {"action": "assign"})
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


# --- The list: filters, search, sort ------------------------------------------------------


def test_search_ignores_diacritics_and_case(client, petitions, district_staff):
    client.force_login(district_staff)
    assert listed(client, q="dat dai") == [petitions["a"].pk]
    assert listed(client, q="nam meng") == [petitions["a"].pk]
    assert listed(client, q="NẶM MÈNG") == [petitions["a"].pk]
    assert listed(client, q="DUONG na pong") == [petitions["b"].pk]
    assert listed(client, q="khong co chu nay") == []


def test_filters_narrow_the_list(client, tree, petitions, district_staff):
    client.force_login(district_staff)
    assert set(listed(client, unit=tree.commune_b.pk)) == {petitions["b"].pk, petitions["assigned"].pk}
    assert listed(client, field="environment") == [petitions["assigned"].pk]
    assert listed(client, status="assigned") == [petitions["assigned"].pk]
    assert listed(client, agency=tree.agency.pk) == [petitions["assigned"].pk]
    assert listed(client, source="mailbox") == [petitions["b"].pk]
    assert listed(client, received_from="05/03/2024", received_to="05/03/2024") == [petitions["b"].pk]
    assert set(listed(client, received_from="2024-03-05")) == {petitions["b"].pk, petitions["assigned"].pk}


def test_filter_choices_are_scoped_so_another_commune_is_refused(client, tree, petitions, commune_a_officer):
    client.force_login(commune_a_officer)
    response = client.get(reverse("dialogues:petition_list"), {"unit": tree.commune_b.pk})
    assert "unit" in response.context["filter"].form.errors
    assert petitions["b"].pk not in [p.pk for p in response.context["petitions"]]


def test_dialogue_host_filter_finds_petitions_raised_at_that_host(client, tree, petitions, district_staff):
    dialogue = DialogueFactory(
        unit=tree.commune_a,
        host_body=HostBody.COMMUNE_PARTY_COMMITTEE,
        date=date(2024, 2, 1),
        petitions=[petition_input(content="Đề nghị kéo điện về bản.")],
    )
    raised = dialogue.petitions.get()
    client.force_login(district_staff)
    assert listed(client, host=HostBody.COMMUNE_PARTY_COMMITTEE) == [raised.pk]
    assert listed(client, host=HostBody.STANDING_BOARD) == []


def test_sort_by_deadline_puts_unassigned_last_and_ignores_unknown_keys(client, tree, petitions, district_staff):
    later = PetitionFactory(
        unit=tree.commune_a,
        by=district_staff,
        status=PetitionStatus.ASSIGNED,
        agency=tree.agency,
        deadline=date(2024, 6, 30),
        received_on=date(2024, 3, 1),
    )
    client.force_login(district_staff)
    by_deadline = listed(client, sort="deadline")
    assert by_deadline[:2] == [petitions["assigned"].pk, later.pk]
    assert listed(client, sort="-deadline")[:2] == [later.pk, petitions["assigned"].pk]
    # Newest received first by default; an unknown sort key changes nothing.
    assert listed(client, sort="password") == listed(client)
    assert listed(client)[0] == petitions["assigned"].pk


@time_machine.travel(datetime(2024, 5, 10, 9, 0, tzinfo=HANOI), tick=False)
def test_overdue_rows_are_highlighted_with_a_badge_and_filterable(client, tree, district_staff):
    overdue = PetitionFactory(
        unit=tree.commune_a,
        by=district_staff,
        status=PetitionStatus.ASSIGNED,
        agency=tree.agency,
        deadline=date(2024, 5, 9),
        received_on=date(2024, 4, 1),
        content="Quá hạn rồi",
    )
    due_soon = PetitionFactory(
        unit=tree.commune_a,
        status=PetitionStatus.IN_PROGRESS,
        agency=tree.agency,
        deadline=date(2024, 5, 15),
        received_on=date(2024, 4, 2),
        content="Sắp đến hạn",
    )
    client.force_login(district_staff)
    response = client.get(reverse("dialogues:petition_list"))
    rows = {row["petition"].pk: row for row in response.context["rows"]}
    assert rows[overdue.pk]["overdue"] and not rows[overdue.pk]["due_soon"]
    assert rows[due_soon.pk]["due_soon"] and not rows[due_soon.pk]["overdue"]
    html = response.content.decode()
    assert html.count('data-overdue="1"') == 1
    assert html.count("table-danger") == 1
    assert html.count("badge-overdue") == 1 and _("Overdue") in html
    assert html.count("badge-due-soon") == 1
    assert listed(client, overdue="yes") == [overdue.pk]
    assert listed(client, overdue="no") == [due_soon.pk]

    # Ten days later the second deadline has passed too (the session has expired: sign in again).
    with time_machine.travel(datetime(2024, 5, 20, 9, 0, tzinfo=HANOI), tick=False):
        client.force_login(district_staff)
        assert set(listed(client, overdue="yes")) == {overdue.pk, due_soon.pk}


def test_empty_list_tells_a_writer_what_to_do(client, tree, commune_a_officer):
    client.force_login(commune_a_officer)
    response = client.get(reverse("dialogues:petition_list"))
    assert response.context["petitions"].__len__() == 0
    assert _("No petitions yet") in response.content.decode()
    assert reverse("dialogues:petition_create") in response.content.decode()


def test_list_is_paginated_by_25(client, tree, commune_a_officer):
    for _index in range(27):
        PetitionFactory(unit=tree.commune_a, by=commune_a_officer, received_on=date(2024, 1, 1))
    client.force_login(commune_a_officer)
    assert len(listed(client)) == 25
    assert len(listed(client, page=2)) == 2


@pytest.mark.parametrize("count", [3, 30])
def test_list_query_count_does_not_grow_with_petitions(
    client, tree, district_staff, django_assert_max_num_queries, count
):
    dialogue = DialogueFactory(
        unit=tree.commune_a, date=date(2024, 2, 1), petitions=[petition_input() for _ in range(count // 3)]
    )
    for _raised in dialogue.petitions.all():
        PetitionFactory(
            unit=tree.commune_b,
            by=district_staff,
            status=PetitionStatus.ASSIGNED,
            agency=tree.agency,
            deadline=date(2024, 4, 30),
            received_on=date(2024, 3, 1),
        )
        PetitionFactory(unit=tree.commune_a, village=tree.village_a, received_on=date(2024, 3, 2))
    assert Petition.objects.count() == count
    client.force_login(district_staff)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("dialogues:petition_list"), {"sort": "deadline"})
    assert len(response.context["rows"]) == min(count, 25)


# --- Recording a petition -----------------------------------------------------------------


def create_data(tree, **overrides) -> dict:
    data = {
        "unit": tree.commune_a.pk,
        "source": PetitionSource.CITIZEN_RECEPTION,
        "received_on": "12/03/2024",
        "type": "request",
        "field": "land",
        "content": "Ông Vàng Seo Sử đề nghị cấp giấy chứng nhận quyền sử dụng đất.",
        "petitioner": "Vàng Seo Sử",
        "village": tree.village_a.pk,
        "legal_track": "",
        "on_spot_answer": "",
    }
    data.update(overrides)
    return data


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
def test_create_page_by_role(client, tree, request, persona, expected):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("dialogues:petition_create")).status_code == expected


def test_commune_officer_records_a_petition_from_citizen_reception(client, tree, commune_a_officer):
    client.force_login(commune_a_officer)
    response = client.post(reverse("dialogues:petition_create"), create_data(tree))
    petition = Petition.objects.get()
    assert response.status_code == 302 and response.url == detail_url(petition)
    assert petition.unit == tree.commune_a and petition.village == tree.village_a
    assert petition.source == PetitionSource.CITIZEN_RECEPTION
    assert petition.received_on == date(2024, 3, 12)
    assert petition.status == PetitionStatus.RECEIVED
    assert petition.events.get().action == "create"


def test_create_does_not_offer_the_dialogue_source(client, tree, commune_a_officer):
    client.force_login(commune_a_officer)
    page = client.get(reverse("dialogues:petition_create"))
    offered = [value for value, _label in page.context["form"].fields["source"].choices]
    assert PetitionSource.DIALOGUE not in offered and PetitionSource.CITIZEN_RECEPTION in offered
    response = client.post(reverse("dialogues:petition_create"), create_data(tree, source=PetitionSource.DIALOGUE))
    assert response.status_code == 200 and "source" in response.context["form"].errors
    assert not Petition.objects.exists()


def test_commune_officer_cannot_record_for_another_commune(client, tree, commune_a_officer):
    client.force_login(commune_a_officer)
    response = client.post(
        reverse("dialogues:petition_create"), create_data(tree, unit=tree.commune_b.pk, village=tree.village_b.pk)
    )
    assert response.status_code == 200
    assert {"unit", "village"} <= set(response.context["form"].errors)
    assert not Petition.objects.exists()


def test_bad_petition_input_gets_a_message_and_saves_nothing(client, tree, district_staff):
    client.force_login(district_staff)
    cases = [
        create_data(tree, received_on="01/01/2099"),  # in the future
        create_data(tree, village=tree.village_b.pk),  # village of another commune
        create_data(tree, answered_on_spot="on", on_spot_answer=""),  # on-spot answer missing
        create_data(tree, content="   "),
    ]
    for data in cases:
        response = client.post(reverse("dialogues:petition_create"), data)
        assert response.status_code == 200
        assert response.context["form"].errors
    assert not Petition.objects.exists()


def test_petition_answered_on_the_spot_is_closed_at_once(client, tree, commune_a_officer):
    client.force_login(commune_a_officer)
    client.post(
        reverse("dialogues:petition_create"),
        create_data(tree, answered_on_spot="on", on_spot_answer="Đã hướng dẫn thủ tục tại chỗ."),
    )
    petition = Petition.objects.get()
    assert petition.status == PetitionStatus.ANSWERED_ON_SPOT


# --- The detail page ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "key", "expected"),
    [
        ("district_staff", "b", 200),
        ("leader", "b", 200),
        ("commune_b_officer", "b", 200),
        ("commune_a_officer", "b", 404),
        ("viewer", "b", 404),
        ("agency_officer", "b", 404),
        ("agency_officer", "assigned", 200),
        ("commune_a_officer", "assigned", 404),
    ],
)
def test_petition_detail_by_role(client, petitions, request, persona, key, expected):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(detail_url(petitions[key])).status_code == expected


def test_detail_links_to_its_dialogue_and_shows_the_timeline(client, tree, district_staff, commune_a_officer):
    dialogue = DialogueFactory(
        unit=tree.commune_a,
        by=commune_a_officer,
        date=date(2024, 2, 1),
        topic="Đối thoại về đất đai ở Nặm Mèng",
        petitions=[petition_input(content="Đề nghị làm đường vào khu Nặm Mèng.")],
    )
    petition = dialogue.petitions.get()
    client.force_login(district_staff)
    response = client.get(detail_url(petition))
    html = response.content.decode()
    assert "Đối thoại về đất đai ở Nặm Mèng" in html
    assert f'href="{reverse("dialogues:dialogue_detail", args=[dialogue.pk])}"' in html
    assert [item["event"].action for item in response.context["events"]] == ["create"]
    assert response.context["events"][0]["label"] == _("Recorded")


def test_agency_sees_the_dialogue_of_its_petition_and_the_notice_directing_it(
    client, tree, district_staff, agency_officer
):
    dialogue = DialogueFactory(
        unit=tree.commune_a, date=date(2024, 2, 1), petitions=[petition_input(content="Đề nghị nạo vét suối.")]
    )
    notice = ConclusionNoticeFactory(dialogue=dialogue, agency=tree.agency)
    petition = dialogue.petitions.get()
    symbol = notice.document.symbol
    notice_href = f'href="{reverse("dialogues:notice_detail", args=[notice.pk])}"'
    dialogue_href = f'href="{reverse("dialogues:dialogue_detail", args=[dialogue.pk])}"'

    client.force_login(district_staff)
    html = client.get(detail_url(petition)).content.decode()
    assert symbol in html and notice_href in html and dialogue_href in html

    client.force_login(agency_officer)
    html = client.get(detail_url(petition)).content.decode()
    assert symbol in html and notice_href in html
    assert dialogue_href in html
    assert client.get(reverse("dialogues:notice_detail", args=[notice.pk])).status_code == 200


def test_reassignment_keeps_the_history_of_both_agencies(client, tree, petitions, district_staff):
    other = agency_unit(name="Phòng Nông nghiệp và PTNT", parent=tree.peoples_committee)
    petition = petitions["assigned"]
    client.force_login(district_staff)
    response = client.post(
        transition_url(petition),
        {
            "action": Action.REASSIGN,
            "version": petition.version,
            "agency": other.pk,
            "deadline": "31/05/2024",
            "comment": "Thuộc lĩnh vực nông nghiệp.",
        },
    )
    assert response.status_code == 302
    petition.refresh_from_db()
    assert petition.assigned_agency == other and petition.deadline == date(2024, 5, 31)
    page = client.get(detail_url(petition))
    events = [item["event"] for item in page.context["events"]]
    assert [(event.action, event.agency) for event in events] == [
        ("create", None),
        ("assign", tree.agency),
        ("reassign", other),
    ]
    html = page.content.decode()
    assert tree.agency.name in html and other.name in html and "Thuộc lĩnh vực nông nghiệp." in html


# --- Transitions: who sees which button and who may press it ------------------------------


def shown_actions(client, petition) -> set[str]:
    response = client.get(detail_url(petition))
    assert response.status_code == 200
    return {item["action"] for item in response.context["actions"]}


def test_buttons_for_a_received_petition_depend_on_the_role(client, petitions, request):
    petition = petitions["a"]
    expected = {
        "district_staff": {Action.ANSWER_ON_SPOT, Action.ASSIGN, Action.ROUTE_OUT},
        "commune_a_officer": {Action.ANSWER_ON_SPOT, Action.ROUTE_OUT},
        "leader": set(),
        "viewer": set(),
    }
    for persona, actions in expected.items():
        client.force_login(request.getfixturevalue(persona))
        assert shown_actions(client, petition) == actions, persona
        html = client.get(detail_url(petition)).content.decode()
        for action in Action.values:
            assert (f'data-action="{action}"' in html) == (action in actions), (persona, action)


def test_buttons_for_an_assigned_petition_depend_on_the_role(client, petitions, request):
    petition = petitions["assigned"]
    expected = {
        "district_staff": {Action.REASSIGN, Action.TRANSFER},
        "agency_officer": {Action.START},
        "commune_b_officer": set(),
        "leader": set(),
    }
    for persona, actions in expected.items():
        client.force_login(request.getfixturevalue(persona))
        assert shown_actions(client, petition) == actions, persona


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("district_staff", 302),
        ("commune_a_officer", 403),
        ("leader", 403),
        ("viewer", 403),
        ("commune_b_officer", 404),
        ("agency_officer", 404),
    ],
)
def test_assign_transition_by_role(client, tree, petitions, request, persona, expected):
    petition = petitions["a"]
    events = petition.events.count()
    client.force_login(request.getfixturevalue(persona))
    response = client.post(
        transition_url(petition),
        {"action": Action.ASSIGN, "version": petition.version, "agency": tree.agency.pk, "deadline": "30/04/2024"},
    )
    assert response.status_code == expected
    petition.refresh_from_db()
    if expected == 302:
        assert petition.status == PetitionStatus.ASSIGNED and petition.assigned_agency == tree.agency
        assert petition.events.count() == events + 1
    else:
        assert petition.status == PetitionStatus.RECEIVED and petition.events.count() == events


def test_agency_officer_starts_handling_its_petition(client, petitions, agency_officer):
    petition = petitions["assigned"]
    client.force_login(agency_officer)
    response = client.post(transition_url(petition), {"action": Action.START, "version": petition.version})
    assert response.status_code == 302
    petition.refresh_from_db()
    assert petition.status == PetitionStatus.IN_PROGRESS
    assert petition.events.last().actor == agency_officer


def test_leader_cannot_transition_from_the_page(client, petitions, leader):
    """Leaders assign only by issuing a conclusion notice; page transitions answer 403."""
    client.force_login(leader)
    for petition, action in ((petitions["b"], Action.ANSWER_ON_SPOT), (petitions["assigned"], Action.TRANSFER)):
        response = client.post(transition_url(petition), {"action": action, "version": 1, "comment": "x"})
        assert response.status_code == 403


def test_refused_transition_shows_a_message_and_changes_nothing(client, petitions, district_staff):
    petition = petitions["a"]
    events, version = petition.events.count(), petition.version
    client.force_login(district_staff)
    response = client.post(
        transition_url(petition), {"action": Action.RESOLVE, "version": petition.version}, follow=True
    )
    assert response.redirect_chain[-1][0] == detail_url(petition)
    text = " ".join(str(message) for message in response.context["messages"])
    assert str(PetitionStatus.RECEIVED.label) in text and str(Action.RESOLVE.label) in text
    petition.refresh_from_db()
    assert petition.status == PetitionStatus.RECEIVED
    assert petition.version == version and petition.events.count() == events


@pytest.mark.parametrize(
    ("key", "data"),
    [
        ("assigned", {"action": Action.TRANSFER, "comment": ""}),  # transfer needs a comment
        ("a", {"action": Action.ASSIGN, "agency": "", "deadline": "30/04/2024"}),  # no agency
        ("a", {"action": Action.ASSIGN, "deadline": "01/01/2024"}),  # deadline before receipt
        ("a", {"action": "explode"}),  # no such action
        ("a", {"action": Action.ANSWER}),  # published from the answer editor only
    ],
)
def test_invalid_transition_input_changes_nothing(client, tree, petitions, district_staff, key, data):
    petition = petitions[key]
    status, events = petition.status, petition.events.count()
    client.force_login(district_staff)
    payload = {"version": petition.version, "agency": tree.agency.pk, **data}
    response = client.post(transition_url(petition), payload, follow=True)
    messages = [str(message) for message in response.context["messages"]]
    assert messages and response.redirect_chain[-1][0] == detail_url(petition)
    petition.refresh_from_db()
    assert petition.status == status and petition.events.count() == events


def test_stale_version_is_refused(client, tree, petitions, district_staff):
    petition = petitions["a"]
    client.force_login(district_staff)
    response = client.post(
        transition_url(petition),
        {"action": Action.ASSIGN, "version": petition.version + 5, "agency": tree.agency.pk, "deadline": "30/04/2024"},
        follow=True,
    )
    text = " ".join(str(message) for message in response.context["messages"])
    assert "Reload" in text or "tải lại" in text.lower()
    petition.refresh_from_db()
    assert petition.status == PetitionStatus.RECEIVED


def test_transfer_with_comment_closes_the_petition(client, petitions, district_staff):
    petition = petitions["assigned"]
    client.force_login(district_staff)
    client.post(
        transition_url(petition),
        {"action": Action.TRANSFER, "version": petition.version, "comment": "Chuyển UBND tỉnh."},
    )
    petition.refresh_from_db()
    assert petition.status == PetitionStatus.TRANSFERRED
    assert PetitionEvent.objects.filter(petition=petition, action="transfer", comment="Chuyển UBND tỉnh.").exists()


def test_transition_by_get_is_not_allowed(client, petitions, district_staff):
    client.force_login(district_staff)
    assert client.get(transition_url(petitions["a"])).status_code == 405


def test_opinion_of_an_engagement_meeting_links_to_the_meeting(client, tree, commune_a_officer):
    meeting = services.engagement_meeting_create(
        user=commune_a_officer,
        values={"unit": tree.commune_a, "date": date(2024, 4, 2), "host": "Thường trực Đảng ủy xã", "elders_count": 12},
        opinions=[petition_input(content="Đề nghị hỗ trợ tu sửa nhà văn hóa bản.")],
    )
    petition = meeting.petitions.get()
    client.force_login(commune_a_officer)
    html = client.get(detail_url(petition)).content.decode()
    assert f'href="{reverse("dialogues:engagement_detail", args=[meeting.pk])}"' in html
