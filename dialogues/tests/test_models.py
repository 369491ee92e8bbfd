"""Rules about one row (clean, is_overdue, search text) and the scoping querysets."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from dialogues.models import (
    Dialogue,
    DialogueStatus,
    EngagementMeeting,
    Petition,
    PetitionResponse,
    PetitionSource,
    ReportedAggregate,
)
from dialogues.tests.factories import DialogueFactory, PetitionFactory
from dialogues.workflow import PetitionStatus
from organization.models import UnitKind
from organization.tests.factories import UnitFactory

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
S = PetitionStatus


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(datetime(2024, 3, 15, 9, 0, tzinfo=TZ), tick=False)


def unsaved_dialogue(tree, **overrides) -> Dialogue:
    values = {
        "unit": tree.commune_a,
        "level": "commune",
        "host_body": "commune_peoples_committee",
        "kind": "periodic",
        "topic": "Đối thoại",
        "date": date(2024, 3, 1),
        "commune": tree.commune_a,
    }
    values.update(overrides)
    return Dialogue(**values)


def clean_errors(obj) -> set[str]:
    try:
        # created_by is set by the services from the acting user.
        obj.full_clean(exclude=["created_by"])
    except ValidationError as error:
        return set(error.message_dict)
    return set()


# --- Dialogue -----------------------------------------------------------------------------------


def test_a_valid_dialogue_cleans(tree):
    assert clean_errors(unsaved_dialogue(tree, village=tree.village_a)) == set()


def test_a_held_dialogue_cannot_be_in_the_future_but_a_planned_one_can(tree):
    assert clean_errors(unsaved_dialogue(tree, date=date(2024, 3, 16))) == {"date"}
    assert clean_errors(unsaved_dialogue(tree, date=date(2024, 3, 16), status=DialogueStatus.PLANNED)) == set()
    assert clean_errors(unsaved_dialogue(tree, date=date(2024, 3, 15))) == set()  # today is fine


def test_a_dialogue_in_a_commune_that_no_longer_existed_is_refused(tree, time_machine):
    time_machine.move_to(datetime(2026, 1, 5, 9, 0, tzinfo=TZ), tick=False)
    # Commune A ended on 30/06/2025 with the reform.
    assert clean_errors(unsaved_dialogue(tree, date=date(2025, 7, 1))) == {"commune"}
    assert clean_errors(unsaved_dialogue(tree, date=date(2025, 6, 30))) == set()


def test_the_village_must_belong_to_the_commune(tree):
    assert clean_errors(unsaved_dialogue(tree, village=tree.village_b)) == {"village"}


def test_the_place_must_lie_within_the_owner_unit(tree):
    assert clean_errors(unsaved_dialogue(tree, commune=tree.commune_b)) == {"commune"}
    # A district dialogue may be held in any of its communes.
    assert clean_errors(unsaved_dialogue(tree, unit=tree.district, level="district", commune=tree.commune_b)) == set()


def test_dialogue_search_text_is_folded_and_minutes_mark_it_filed(tree):
    dialogue = DialogueFactory(
        unit=tree.commune_a, date=date(2024, 3, 1), topic="Làm đường vào Khu dân cư Nặm Mèng", minutes_text="Đất đai"
    )
    assert "nam meng" in dialogue.search_text
    assert "dat dai" in dialogue.search_text
    assert dialogue.has_minutes
    assert str(dialogue) == "01/03/2024 · Làm đường vào Khu dân cư Nặm Mèng"
    assert not DialogueFactory(unit=tree.commune_a, date=date(2024, 3, 1)).has_minutes


# --- Petition -----------------------------------------------------------------------------------


def unsaved_petition(tree, **overrides) -> Petition:
    values = {
        "unit": tree.commune_a,
        "source": PetitionSource.CITIZEN_RECEPTION,
        "received_on": date(2024, 3, 1),
        "type": "request",
        "field": "land",
        "content": "Đề nghị cấp sổ đỏ.",
    }
    values.update(overrides)
    return Petition(**values)


def test_petition_rules(tree):
    assert clean_errors(unsaved_petition(tree)) == set()
    assert clean_errors(unsaved_petition(tree, received_on=date(2024, 3, 16))) == {"received_on"}
    assert clean_errors(unsaved_petition(tree, source=PetitionSource.DIALOGUE)) == {"dialogue"}
    assert clean_errors(unsaved_petition(tree, village=tree.village_b)) == {"village"}


def test_a_petition_of_a_dialogue_has_the_dialogue_source_and_its_unit(tree):
    dialogue = DialogueFactory(unit=tree.commune_a, date=date(2024, 3, 1))
    assert clean_errors(unsaved_petition(tree, dialogue=dialogue, source=PetitionSource.DIALOGUE)) == set()
    assert clean_errors(unsaved_petition(tree, dialogue=dialogue)) == {"source"}
    assert clean_errors(
        unsaved_petition(tree, dialogue=dialogue, source=PetitionSource.DIALOGUE, unit=tree.commune_b)
    ) == {"unit"}


@pytest.mark.parametrize(
    ("status", "overdue"),
    [
        (S.RECEIVED, False),
        (S.ASSIGNED, True),
        (S.IN_PROGRESS, True),
        (S.ANSWERED, False),
        (S.RESOLVED, False),
        (S.TRANSFERRED, False),
    ],
)
def test_only_petitions_an_agency_still_owes_can_be_overdue(tree, status, overdue):
    petition = PetitionFactory(
        unit=tree.commune_a, received_on=date(2024, 1, 2), status=status, agency=tree.agency, deadline=date(2024, 2, 1)
    )
    petition.refresh_from_db()
    assert petition.is_overdue(on=date(2024, 2, 2)) is overdue
    assert petition.is_overdue(on=date(2024, 2, 1)) is False  # on the deadline itself
    assert Petition.objects.overdue(on=date(2024, 2, 2)).exists() is overdue


def test_due_within_lists_open_petitions_due_in_the_next_days(tree):
    def petition(status, deadline, **extra):
        return PetitionFactory(
            unit=tree.commune_a, received_on=date(2024, 3, 1), status=status, deadline=deadline, **extra
        )

    soon = petition(S.ASSIGNED, date(2024, 3, 20))
    later = petition(S.ASSIGNED, date(2024, 4, 20))
    petition(S.ANSWERED, date(2024, 3, 18), answered_on=date(2024, 3, 10))
    assert list(Petition.objects.due_within(7)) == [soon]  # 15/03 → 22/03
    assert set(Petition.objects.due_within(40)) == {soon, later}


def test_closed_statuses(tree):
    routed = PetitionFactory(unit=tree.commune_a, received_on=date(2024, 3, 1), status=S.ROUTED_OUT)
    routed.refresh_from_db()
    assert routed.is_closed
    assert not PetitionFactory(unit=tree.commune_a, received_on=date(2024, 3, 1)).is_closed


def test_petition_search_text_is_folded(tree):
    petition = PetitionFactory(unit=tree.commune_a, received_on=date(2024, 3, 1), content="Đường Nặm Mèng sạt lở")
    assert "duong nam meng sat lo" in petition.search_text


def test_a_petition_has_at_most_one_current_answer(tree):
    petition = PetitionFactory(
        unit=tree.commune_a,
        received_on=date(2024, 3, 1),
        status=S.ANSWERED,
        agency=tree.agency,
        answered_on=date(2024, 3, 5),
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        PetitionResponse.objects.create(
            petition=petition, agency=tree.agency, text="Lần hai", answered_on=date(2024, 3, 2)
        )


# --- Scoping ------------------------------------------------------------------------------------


def test_petitions_visible_by_subtree_and_by_assignment(
    tree, commune_a_officer, commune_b_officer, agency_officer, leader
):
    other_agency = UnitFactory(kind=UnitKind.DEPARTMENT, parent=tree.peoples_committee, valid_to=date(2025, 6, 30))
    dialogue = DialogueFactory(unit=tree.commune_a, date=date(2024, 3, 1))
    mine = PetitionFactory(unit=tree.commune_a, dialogue=dialogue, status=S.ASSIGNED, agency=tree.agency)
    theirs = PetitionFactory(unit=tree.commune_a, received_on=date(2024, 3, 1), status=S.ASSIGNED, agency=other_agency)
    in_b = PetitionFactory(unit=tree.commune_b, received_on=date(2024, 3, 1))

    assert set(Petition.objects.visible_to(commune_a_officer)) == {mine, theirs}
    assert set(Petition.objects.visible_to(commune_b_officer)) == {in_b}
    assert set(Petition.objects.visible_to(agency_officer)) == {mine}
    assert set(Petition.objects.visible_to(leader)) == {mine, theirs, in_b}
    # The agency sees the dialogue its petition came from, and nothing else of commune A.
    assert list(Dialogue.objects.visible_to(agency_officer)) == [dialogue]
    assert not Dialogue.objects.visible_to(commune_b_officer).exists()


# --- Engagement meetings and reported aggregates ------------------------------------------------


def test_engagement_meeting_rules_and_attendees(tree):
    meeting = EngagementMeeting(
        unit=tree.commune_a,
        date=date(2024, 3, 1),
        host="Ban Dân vận",
        clergy_count=2,
        followers_count=30,
        prestigious_count=3,
        elders_count=4,
        others_count=1,
    )
    assert clean_errors(meeting) == set()
    assert meeting.attendee_count == 40
    meeting.date = date(2024, 3, 16)
    assert clean_errors(meeting) == {"date"}
    meeting.date, meeting.village = date(2024, 3, 1), tree.village_b
    assert clean_errors(meeting) == {"village"}


def test_a_reported_aggregate_period_must_be_ordered(tree):
    aggregate = ReportedAggregate(
        unit=tree.district,
        metric="dialogues",
        period_start=date(2023, 1, 1),
        period_end=date(2022, 12, 31),
        total=3,
        source="x",
    )
    assert "period_end" in clean_errors(aggregate)
    with pytest.raises(IntegrityError), transaction.atomic():
        aggregate.save()


# --- Admin (reads everything; the workflow's fields stay read-only) -----------------------------


@pytest.fixture
def admin_records(tree, portal_admin, district_staff):
    from dialogues.services import reported_aggregate_create
    from dialogues.tests.factories import ConclusionNoticeFactory

    dialogue = DialogueFactory(unit=tree.commune_a, date=date(2024, 3, 1), minutes_text="<p>Biên bản</p>")
    petition = PetitionFactory(unit=tree.commune_a, dialogue=dialogue)
    notice = ConclusionNoticeFactory(dialogue=dialogue, issuer=tree.party_committee, agency=tree.agency)
    aggregate = reported_aggregate_create(
        user=district_staff,
        values={
            "unit": tree.district,
            "metric": "dialogues",
            "period_start": date(2021, 1, 1),
            "period_end": date(2023, 12, 31),
            "total": 167,
            "source": "Bài viết",
        },
        parts=[("2021", 53), ("2022", 54), ("2023", 12)],
    )
    return {"dialogue": dialogue, "petition": petition, "conclusionnotice": notice, "reportedaggregate": aggregate}


@pytest.mark.parametrize("model", ["dialogue", "petition", "conclusionnotice", "reportedaggregate"])
def test_admin_lists_and_change_pages_render(client, portal_admin, admin_records, model):
    client.force_login(portal_admin)
    obj = admin_records[model]
    assert client.get(f"/admin/dialogues/{model}/").status_code == 200
    page = client.get(f"/admin/dialogues/{model}/{obj.pk}/change/")
    assert page.status_code == 200


def test_admin_cannot_add_or_change_workflow_fields(client, portal_admin, admin_records):
    client.force_login(portal_admin)
    assert client.get("/admin/dialogues/petition/add/").status_code == 403
    assert client.get("/admin/dialogues/conclusionnotice/add/").status_code == 403
    page = client.get(f"/admin/dialogues/petition/{admin_records['petition'].pk}/change/").content.decode()
    assert 'name="content"' in page  # wording can be corrected
    assert 'name="status"' not in page and 'name="deadline"' not in page
    aggregates = client.get("/admin/dialogues/reportedaggregate/").content.decode()
    assert "119" in aggregates  # the sum of parts is shown beside the printed 167
