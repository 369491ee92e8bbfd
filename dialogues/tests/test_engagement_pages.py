"""Engagement meetings with clergy, elders and prestigious persons: scoped list with filters and
search, recording a meeting whose opinions become petitions, and the detail page."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils.translation import gettext as _

from dialogues import services
from dialogues.models import EngagementMeeting, Petition, PetitionSource
from dialogues.services import PetitionInput
from dialogues.workflow import PetitionStatus


def make_meeting(user, unit, *, host="Ban Dân vận Huyện ủy", day=date(2024, 5, 10), opinions=(), **values):
    fields = {"unit": unit, "date": day, "host": host, "clergy_count": 3, "prestigious_count": 5, **values}
    inputs = [PetitionInput(type="opinion", field="ethnic_religion", content=content) for content in opinions]
    return services.engagement_meeting_create(user=user, values=fields, opinions=inputs)


def opinion_fields(index: int, **values) -> dict:
    data = {"type": "request", "field": "", "content": "", "petitioner": "", "village": "", "legal_track": ""}
    data.update(values)
    return {f"opinions-{index}-{name}": value for name, value in data.items()}


def meeting_data(tree, opinions: list[dict] = (), **overrides) -> dict:
    data = {
        "unit": tree.commune_a.pk,
        "village": tree.village_a.pk,
        "date": "10/05/2024",
        "host": "Đảng ủy xã Vĩnh Yên",
        "clergy_count": "2",
        "followers_count": "10",
        "prestigious_count": "4",
        "elders_count": "3",
        "others_count": "0",
        "religions": "Công giáo, Tin lành",
        "purposes": "Nắm tình hình tôn giáo trước mùa lễ.",
        "notes": "",
        "opinions-TOTAL_FORMS": "3",
        "opinions-INITIAL_FORMS": "0",
        "opinions-MIN_NUM_FORMS": "0",
        "opinions-MAX_NUM_FORMS": "1000",
    }
    for index in range(3):
        data.update(opinion_fields(index, **(opinions[index] if index < len(opinions) else {})))
    data.update(overrides)
    return data


@pytest.fixture
def meeting_a(tree, commune_a_officer):
    return make_meeting(
        commune_a_officer,
        tree.commune_a,
        host="Đảng ủy xã Vĩnh Yên",
        religions="Công giáo",
        opinions=["Xin đất xây nhà nguyện"],
    )


@pytest.fixture
def meeting_b(tree, commune_b_officer):
    return make_meeting(
        commune_b_officer, tree.commune_b, host="UBND xã Nghĩa Đô", religions="Phật giáo", day=date(2023, 2, 1)
    )


def listed(client, **params) -> list[str]:
    response = client.get(reverse("dialogues:engagement_list"), params)
    assert response.status_code == 200
    return [meeting.host for meeting in response.context["meetings"]]


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("district_staff", ["Đảng ủy xã Vĩnh Yên", "UBND xã Nghĩa Đô"]),
        ("leader", ["Đảng ủy xã Vĩnh Yên", "UBND xã Nghĩa Đô"]),
        ("commune_a_officer", ["Đảng ủy xã Vĩnh Yên"]),
        ("viewer", ["Đảng ủy xã Vĩnh Yên"]),
        ("commune_b_officer", ["UBND xã Nghĩa Đô"]),
        ("agency_officer", []),
    ],
)
def test_meeting_list_shows_only_meetings_in_scope(client, request, meeting_a, meeting_b, persona, expected):
    client.force_login(request.getfixturevalue(persona))
    assert listed(client) == expected


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("district_staff", 200),
        ("leader", 200),
        ("commune_a_officer", 200),
        ("commune_b_officer", 404),
        ("agency_officer", 404),
    ],
)
def test_meeting_detail_by_role(client, request, meeting_a, persona, expected):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("dialogues:engagement_detail", args=[meeting_a.pk])).status_code == expected


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("district_staff", 200), ("commune_a_officer", 200), ("leader", 403), ("viewer", 403), ("agency_officer", 403)],
)
def test_meeting_create_page_is_for_recorders_only(client, tree, request, persona, expected):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("dialogues:engagement_create")).status_code == expected


def test_anonymous_is_sent_to_login_from_meeting_pages(client, meeting_a):
    for url in (
        reverse("dialogues:engagement_list"),
        reverse("dialogues:engagement_create"),
        reverse("dialogues:engagement_detail", args=[meeting_a.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login")), url


def test_officer_records_a_meeting_whose_opinions_become_petitions(client, tree, commune_a_officer):
    client.force_login(commune_a_officer)
    opinions = [
        {
            "type": "opinion",
            "field": "ethnic_religion",
            "content": "Đề nghị hướng dẫn thủ tục đăng ký sinh hoạt tôn giáo",
        },
        {
            "type": "proposal",
            "field": "transport",
            "content": "Đề nghị sửa đường vào điểm nhóm",
            "village": tree.village_a.pk,
        },
    ]
    response = client.post(reverse("dialogues:engagement_create"), meeting_data(tree, opinions), follow=True)

    meeting = EngagementMeeting.objects.get()
    assert response.redirect_chain[-1][0] == reverse("dialogues:engagement_detail", args=[meeting.pk])
    assert (meeting.unit, meeting.village, meeting.attendee_count) == (tree.commune_a, tree.village_a, 19)
    assert meeting.created_by == commune_a_officer
    petitions = list(meeting.petitions.order_by("id"))
    assert [p.content for p in petitions] == [o["content"] for o in opinions]
    assert all(p.source == PetitionSource.DIGNITARIES_MEETING and p.received_on == date(2024, 5, 10) for p in petitions)
    assert all(p.status == PetitionStatus.RECEIVED and p.unit == tree.commune_a for p in petitions)
    assert [str(m) for m in response.context["messages"]] == [
        _("Recorded the meeting with %(count)s opinion(s).") % {"count": 2}
    ]
    assert "Đề nghị sửa đường vào điểm nhóm" in response.content.decode()


@time_machine.travel(datetime(2024, 5, 1, 9, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")))
def test_meeting_dated_in_the_future_is_refused_and_nothing_saved(client, tree, commune_a_officer):
    client.force_login(commune_a_officer)
    opinions = [{"field": "land", "content": "Ý kiến"}]
    response = client.post(reverse("dialogues:engagement_create"), meeting_data(tree, opinions))
    assert response.context["form"].errors["date"] == [_("A meeting that has been held cannot be dated in the future.")]
    assert not EngagementMeeting.objects.exists() and not Petition.objects.exists()


def test_opinion_from_a_village_outside_the_meeting_unit_is_refused_on_that_opinion(client, tree, district_staff):
    client.force_login(district_staff)
    opinions = [{"field": "land", "content": "Ý kiến thôn khác", "village": tree.village_b.pk}]
    response = client.post(reverse("dialogues:engagement_create"), meeting_data(tree, opinions))
    assert response.status_code == 200
    assert response.context["formset"].forms[0].errors["village"] == [
        _("The village must belong to the meeting's unit.")
    ]
    assert response.context["form"].errors == {}
    assert not EngagementMeeting.objects.exists() and not Petition.objects.exists()


def test_commune_a_officer_cannot_record_a_meeting_of_commune_b(client, tree, commune_a_officer):
    client.force_login(commune_a_officer)
    response = client.post(
        reverse("dialogues:engagement_create"), meeting_data(tree, unit=tree.commune_b.pk, village="")
    )
    assert "unit" in response.context["form"].errors
    assert not EngagementMeeting.objects.exists()


def test_meeting_list_filters_and_searches_host_and_religions(client, tree, meeting_a, meeting_b, district_staff):
    client.force_login(district_staff)
    assert listed(client, q="cong giao") == ["Đảng ủy xã Vĩnh Yên"]
    assert listed(client, q="nghia do") == ["UBND xã Nghĩa Đô"]
    assert listed(client, date_from="01/01/2024") == ["Đảng ủy xã Vĩnh Yên"]
    assert listed(client, date_to="31/12/2023") == ["UBND xã Nghĩa Đô"]
    assert listed(client, unit=tree.commune_b.pk) == ["UBND xã Nghĩa Đô"]
    assert listed(client, sort="host") == ["UBND xã Nghĩa Đô", "Đảng ủy xã Vĩnh Yên"]


def test_meeting_detail_shows_attendees_and_opinions(client, meeting_a, commune_a_officer):
    client.force_login(commune_a_officer)
    response = client.get(reverse("dialogues:engagement_detail", args=[meeting_a.pk]))
    html = response.content.decode()
    assert "Xin đất xây nhà nguyện" in html
    assert reverse("dialogues:petition_detail", args=[meeting_a.petitions.get().pk]) in html
    assert response.context["meeting"].attendee_count == 8


@pytest.mark.parametrize("rows", [3, 30])
def test_meeting_list_query_count_does_not_grow(client, tree, district_staff, django_assert_max_num_queries, rows):
    for index in range(rows):
        make_meeting(
            district_staff, tree.commune_a, host=f"Hội nghị {index}", village=tree.village_a, opinions=["Ý kiến"]
        )
    client.force_login(district_staff)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("dialogues:engagement_list"))
    assert len(response.context["meetings"]) == min(rows, 25)
    assert all(meeting.opinion_count == 1 for meeting in response.context["meetings"])


def test_empty_meeting_list_invites_recorders_to_record_one(client, tree, commune_a_officer):
    client.force_login(commune_a_officer)
    html = client.get(reverse("dialogues:engagement_list")).content.decode()
    assert _("No engagement meetings recorded yet") in html
    assert reverse("dialogues:engagement_create") in html
