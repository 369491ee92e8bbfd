"""Period locks (``reports.locks``) on every guarded model, through the services, the pages and
the API of each app.

District staff lock the first quarter of 2024 for commune A (or for the district above it) after
issuing its report. Then a record of commune A (or one of its villages) dated in the quarter can
be neither created, edited nor deleted, and the refusal names the period, who locked it, when and
why; nothing is saved. Workflow moves on old records stay open (a petition received in a locked
month can still be assigned and answered). Unlocking with a reason lets the write through.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Model
from django.db.models.signals import pre_save
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from campaigns import services as campaign_services
from campaigns.models import Award, CommitmentItem, EmulationPledge, HouseholdCommitment, Scorecard, TargetType
from campaigns.tests.factories import movement_with_criteria, open_round
from dialogues import services as dialogue_services
from dialogues.models import Dialogue, EngagementMeeting, Petition, ReportedAggregate
from dialogues.tests.factories import DialogueFactory, PetitionFactory, take
from dialogues.workflow import Action, PetitionStatus
from organization.models import UnitKind
from organization.tests.factories import UnitFactory
from programs import services as program_services
from programs.models import Disbursement, LandDonation, Program
from programs.tests.factories import ClearanceProjectFactory, DisbursementFactory, DonationFactory, ProgramFactory
from reports import locks, services
from reports.locks import PeriodLocked
from reports.models import PeriodLock

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
# 06:00 in Vietnam is still the 9th in UTC: the lock's date must be written in local time.
NOW = datetime(2024, 5, 10, 6, 0, tzinfo=TZ)
IN_LOCK = date(2024, 2, 15)
OPEN = date(2024, 4, 15)
REASON = "Đã ban hành báo cáo quý I/2024."


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def staff_name(district_staff):
    district_staff.full_name = "Nguyễn Thị Hoa"
    district_staff.save()


def lock(user, unit, start=date(2024, 1, 1), end=date(2024, 3, 31)) -> PeriodLock:
    return services.lock_period(user=user, unit=unit, start=start, end=end, reason=REASON)


def refusal(day: date = IN_LOCK, unit: str = "Xã Vĩnh Yên") -> str:
    return (
        f"The period 01/01/2024 – 31/03/2024 is locked for {unit} (locked by Nguyễn Thị Hoa on 10/05/2024: "
        f"{REASON}). Ask district staff to unlock it before changing records dated {day:%d/%m/%Y}."
    )


# --- One case per guarded model ------------------------------------------------------------------


@dataclass
class World:
    tree: object
    staff: object
    officer: object
    parish: object = None
    dvk: object = None
    movement: object = None
    round_: object = None
    criteria: list = None


@dataclass(frozen=True)
class Case:
    model: type[Model]
    make: Callable[[World, date], Model]  # create through the service
    edit: Callable[[World, Model], object]  # change a content field (service where one exists)
    delete: Callable[[World, Model], object]  # the app's delete service, else the ORM (admin, import)
    monthly: bool = False  # dated by its month (a scorecard, by its round's month)

    def day(self, day: date) -> date:
        """The date the refusal names for a record made on ``day``."""
        return day.replace(day=1) if self.monthly else day

    def __str__(self) -> str:
        return self.model._meta.label


def orm_delete(world, obj):
    # In its own transaction, as a request or an import runs it: a refused delete rolls back.
    with transaction.atomic():
        return obj.delete()


def orm_edit(field: str, value) -> Callable:
    def edit(world, obj):
        setattr(obj, field, value)
        obj.save()

    return edit


def make_dialogue(w, day):
    return DialogueFactory(unit=w.tree.commune_a, date=day, by=w.officer)


def edit_dialogue(w, dialogue):
    data = dialogue_services.DialogueInput(values={"topic": "Đối thoại (đã sửa)"}, minutes_text=dialogue.minutes_text)
    return dialogue_services.dialogue_update(user=w.officer, dialogue=dialogue, data=data)


def make_petition(w, day):
    return PetitionFactory(unit=w.tree.commune_a, received_on=day, by=w.officer)


def make_meeting(w, day):
    return dialogue_services.engagement_meeting_create(
        user=w.officer,
        values={"unit": w.tree.commune_a, "date": day, "host": "Bí thư Đảng ủy xã", "elders_count": 12},
    )


def make_aggregate(w, day):
    return dialogue_services.reported_aggregate_create(
        user=w.staff,
        values={
            "unit": w.tree.commune_a,
            "metric": "dialogues",
            "period_start": date(day.year, 1, 1),
            "period_end": day,
            "total": 7,
            "source": "Báo cáo số 5-BC/ĐU",
        },
    )


def make_program(w, day):
    return ProgramFactory(unit=w.tree.commune_a, date=day, by=w.officer)


def edit_program(w, program):
    data = program_services.ProgramInput(values={"title": "Ra quân (đã sửa)"})
    return program_services.program_update(user=w.officer, program=program, data=data)


def make_donation(w, day):
    return DonationFactory(unit=w.tree.commune_a, donated_on=day, area_m2=Decimal(150), by=w.officer)


def edit_donation(w, donation):
    return program_services.land_donation_save(user=w.officer, donation=donation, values={"area_m2": Decimal(175)})


def make_disbursement(w, day):
    project = ClearanceProjectFactory(unit=w.tree.commune_a, started_on=date(2023, 1, 1), by=w.staff)
    return DisbursementFactory(project=project, paid_on=day, amount_vnd=50_000_000, by=w.staff)


def _scores(w, total: int) -> dict[int, str]:
    left, scores = Decimal(total), {}
    for criterion in w.criteria:
        scores[criterion.pk] = str(min(left, criterion.max_points))
        left -= min(left, criterion.max_points)
    return scores


def _round(w, day):
    month = day.replace(day=1)
    if w.round_ is None or w.round_.month != month:
        w.round_ = open_round(w.staff, w.movement, month)
    return w.round_


def make_scorecard(w, day):
    round_ = _round(w, day)
    campaign_services.grid_save(user=w.officer, round_=round_, rows={w.tree.village_a.pk: _scores(w, 70)})
    return Scorecard.objects.get(round=round_, unit=w.tree.village_a)


def edit_scorecard(w, card):
    return campaign_services.grid_save(user=w.officer, round_=card.round, rows={card.unit_id: _scores(w, 90)})


def make_award(w, day):
    return campaign_services.award_create(
        user=w.officer,
        values={
            "recipient_unit": w.tree.village_a,
            "form": "commendation",
            "issuer": w.tree.commune_a,
            "date": day,
            "reason": "Hiến đất làm đường",
        },
    )


def delete_award(w, award):
    return campaign_services.award_delete(user=w.officer, award=award)


def _items(count: int = 3) -> list[CommitmentItem]:
    return list(CommitmentItem.objects.order_by("order")[:count])


def make_commitment(w, day):
    return campaign_services.commitment_create(
        user=w.officer,
        values={
            "model": w.dvk,
            "household_head": f"Giàng A Páo {day:%d%m}",
            "village": w.tree.village_a,
            "signed_on": day,
        },
        items=_items(),
    )


def edit_commitment(w, commitment):
    return campaign_services.commitment_update(
        user=w.officer, commitment=commitment, values={"household_head": "Giàng A Sử"}
    )


def make_pledge(w, day):
    return campaign_services.pledge_save(
        user=w.officer,
        values={"unit": w.parish, "year": day.year, "signed_on": day, "representative": "Linh mục quản xứ"},
        items=_items(2),
    )


def edit_pledge(w, pledge):
    return campaign_services.pledge_save(
        user=w.officer, pledge=pledge, values={"representative": "Ông Vàng Văn Sử"}, items=_items(2)
    )


CASES = [
    Case(Dialogue, make_dialogue, edit_dialogue, orm_delete),
    Case(Petition, make_petition, orm_edit("content", "Nội dung đã sửa."), orm_delete),
    Case(EngagementMeeting, make_meeting, orm_edit("host", "Chủ tịch UBND xã"), orm_delete),
    Case(ReportedAggregate, make_aggregate, orm_edit("total", 8), orm_delete),
    Case(Program, make_program, edit_program, orm_delete),
    Case(LandDonation, make_donation, edit_donation, orm_delete),
    Case(Disbursement, make_disbursement, orm_edit("amount_vnd", 60_000_000), orm_delete),
    Case(Scorecard, make_scorecard, edit_scorecard, orm_delete, monthly=True),
    Case(Award, make_award, orm_edit("reason", "Lý do đã sửa"), delete_award),
    Case(HouseholdCommitment, make_commitment, edit_commitment, orm_delete),
    Case(EmulationPledge, make_pledge, edit_pledge, orm_delete),
]


@pytest.fixture
def world(tree, district_staff, commune_a_officer) -> World:
    w = World(tree=tree, staff=district_staff, officer=commune_a_officer)
    w.parish = UnitFactory(
        key="t-giao-xu", name="Giáo xứ Vĩnh Yên", kind=UnitKind.RELIGIOUS_GROUP, parent=tree.commune_a
    )
    w.movement = movement_with_criteria(district_staff, tree.district, types=(TargetType.VILLAGE,), year=2024)
    w.criteria = list(w.movement.criteria_sets.get().criteria.order_by("pk"))
    w.dvk = campaign_services.dvk_model_create(
        user=commune_a_officer,
        data=campaign_services.DvkModelInput(
            values={
                "name": "Mô hình nếp sống văn hóa mới",
                "kind": "model",
                "field": "culture_society",
                "level": "village",
                "owner_unit": tree.commune_a,
                "locality": tree.village_a,
                "registered_on": date(2023, 12, 1),
            }
        ),
    )
    for status in ("surveyed", "village_consulted"):
        w.dvk = campaign_services.dvk_transition(user=commune_a_officer, model=w.dvk, to_status=status)
    return w


def assert_refused(error: ValidationError, day: date = IN_LOCK, unit: str = "Xã Vĩnh Yên") -> None:
    assert isinstance(error, PeriodLocked) or refusal(day, unit) in error.messages, error
    assert error.messages == [refusal(day, unit)]


def test_every_guarded_model_has_a_case():
    assert {str(case) for case in CASES} == set(locks.GUARDED)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_creating_a_record_dated_in_a_locked_period_is_refused(world, case):
    lock(world.staff, world.tree.commune_a)
    before = case.model.objects.count()

    with pytest.raises(ValidationError) as caught:
        case.make(world, IN_LOCK)

    assert_refused(caught.value, case.day(IN_LOCK))
    assert case.model.objects.count() == before


@pytest.mark.parametrize("case", CASES, ids=str)
def test_a_lock_on_an_ancestor_covers_the_communes_records(world, case):
    lock(world.staff, world.tree.district)

    with pytest.raises(ValidationError) as caught:
        case.make(world, IN_LOCK)

    assert_refused(caught.value, case.day(IN_LOCK), unit="Huyện Bảo Yên")


@pytest.mark.parametrize("case", CASES, ids=str)
def test_records_outside_the_locked_period_or_subtree_are_written(world, case):
    lock(world.staff, world.tree.commune_b)  # another commune, same quarter
    lock(world.staff, world.tree.commune_a, start=date(2024, 1, 1), end=date(2024, 1, 31))  # January only

    record = case.make(world, IN_LOCK)

    assert case.model.objects.filter(pk=record.pk).exists()


@pytest.mark.parametrize("case", CASES, ids=str)
def test_editing_a_record_dated_in_a_locked_period_is_refused(world, case):
    record = case.make(world, IN_LOCK)
    lock(world.staff, world.tree.commune_a)
    fresh = type(record).objects.get(pk=record.pk)
    saved = {f.attname: getattr(fresh, f.attname) for f in fresh._meta.concrete_fields}

    with pytest.raises(ValidationError) as caught:
        case.edit(world, type(record).objects.get(pk=record.pk))

    assert_refused(caught.value, case.day(IN_LOCK))
    fresh.refresh_from_db()
    assert {f.attname: getattr(fresh, f.attname) for f in fresh._meta.concrete_fields} == saved


@pytest.mark.parametrize("case", CASES, ids=str)
def test_deleting_a_record_dated_in_a_locked_period_is_refused(world, case):
    record = case.make(world, IN_LOCK)
    lock(world.staff, world.tree.commune_a)

    with pytest.raises(ValidationError) as caught:
        case.delete(world, type(record).objects.get(pk=record.pk))

    assert_refused(caught.value, case.day(IN_LOCK))
    assert case.model.objects.filter(pk=record.pk).exists()


@pytest.mark.parametrize("case", CASES, ids=str)
def test_unlocking_with_a_reason_lets_the_write_through(world, case):
    record = case.make(world, IN_LOCK)
    period_lock = lock(world.staff, world.tree.commune_a)
    with pytest.raises(ValidationError):
        case.edit(world, type(record).objects.get(pk=record.pk))

    services.unlock_period(user=world.staff, lock=period_lock, reason="Bổ sung số liệu nhận muộn.")

    case.edit(world, type(record).objects.get(pk=record.pk))
    case.delete(world, type(record).objects.get(pk=record.pk))
    assert not case.model.objects.filter(pk=record.pk).exists()


def test_moving_a_record_into_or_out_of_a_locked_period_is_refused(world):
    lock(world.staff, world.tree.commune_a)
    open_one = make_donation(world, OPEN)
    locked_one = LandDonation.objects.get(pk=make_donation(world, OPEN).pk)

    with pytest.raises(ValidationError) as into:
        program_services.land_donation_save(user=world.officer, donation=open_one, values={"donated_on": IN_LOCK})
    assert into.value.messages == [refusal(IN_LOCK)]

    LandDonation.objects.filter(pk=locked_one.pk).update(donated_on=IN_LOCK)  # as before the lock
    with pytest.raises(ValidationError) as out_of:
        program_services.land_donation_save(user=world.officer, donation=locked_one, values={"donated_on": OPEN})
    assert out_of.value.messages == [refusal(IN_LOCK)]
    assert sorted(LandDonation.objects.values_list("donated_on", flat=True)) == [IN_LOCK, OPEN]


# --- Workflow on old records stays open ---------------------------------------------------------------


def test_a_petition_received_in_a_locked_month_can_still_be_answered_but_not_edited(
    world, tree, district_staff, agency_officer
):
    petition = make_petition(world, IN_LOCK)
    lock(world.staff, tree.commune_a)

    petition = take(petition, Action.ASSIGN, by=district_staff, agency=tree.agency, deadline=date(2024, 5, 20))
    petition = take(petition, Action.START, by=agency_officer)
    petition = take(petition, Action.ANSWER, by=agency_officer, answered_on=date(2024, 5, 10))
    petition = take(petition, Action.RESOLVE, by=district_staff)

    petition.refresh_from_db()
    assert petition.status == PetitionStatus.RESOLVED
    assert (petition.answered_on, petition.closed_on) == (date(2024, 5, 10), date(2024, 5, 10))
    petition.content = "Nội dung đã sửa."
    with pytest.raises(ValidationError) as caught:
        petition.save()
    assert caught.value.messages == [refusal()]


def test_a_workflow_save_naming_its_fields_is_recognised(world, tree):
    petition = make_petition(world, IN_LOCK)
    lock(world.staff, tree.commune_a)

    # A foreign key named by its field name ("assigned_agency"), as update_fields usually does.
    petition.status, petition.assigned_agency, petition.deadline = PetitionStatus.ASSIGNED, tree.agency, OPEN
    petition.save(update_fields=["status", "assigned_agency", "deadline"])
    petition.content = "Nội dung đã sửa."
    with pytest.raises(ValidationError):
        petition.save(update_fields=["content"])

    petition.refresh_from_db()
    assert (petition.status, petition.assigned_agency, petition.content) == (
        PetitionStatus.ASSIGNED,
        tree.agency,
        Petition.objects.get(pk=petition.pk).content,
    )
    assert petition.content != "Nội dung đã sửa."


def test_an_answer_dated_in_a_locked_period_is_refused(world, tree, district_staff, agency_officer):
    petition = make_petition(world, date(2024, 1, 10))
    petition = take(petition, Action.ASSIGN, by=district_staff, agency=tree.agency, deadline=date(2024, 3, 10))
    lock(world.staff, tree.commune_a)

    # Backdating the answer into the locked quarter would change its figures (answered on time).
    with pytest.raises(ValidationError) as caught:
        take(petition, Action.ANSWER, by=agency_officer, answered_on=date(2024, 3, 1))

    assert caught.value.messages == [refusal(date(2024, 3, 1))]
    petition.refresh_from_db()
    assert petition.status == PetitionStatus.ASSIGNED


def test_closing_a_round_of_a_locked_month_still_ranks_its_cards(world, tree):
    card = make_scorecard(world, IN_LOCK)
    campaign_services.scorecard_submit(user=world.officer, scorecard=card)
    campaign_services.scorecard_verify(user=world.staff, scorecard=Scorecard.objects.get(pk=card.pk))
    lock(world.staff, tree.commune_a)

    campaign_services.round_close(user=world.staff, round_=card.round)

    card.refresh_from_db()
    assert card.rank_in_type == 1


def test_a_household_breaking_its_commitment_after_a_locked_period_is_recorded(world, tree):
    commitment = make_commitment(world, IN_LOCK)
    lock(world.staff, tree.commune_a)

    campaign_services.commitment_update(
        user=world.officer,
        commitment=commitment,
        values={"status": "broken", "broken_on": date(2024, 5, 2)},
        broken_items=_items(1),
    )

    commitment.refresh_from_db()
    assert commitment.status == "broken"
    # …but not backdated into the locked quarter.
    with pytest.raises(ValidationError) as caught:
        campaign_services.commitment_update(user=world.officer, commitment=commitment, values={"broken_on": IN_LOCK})
    assert caught.value.messages == [refusal()]


# --- Pages and API of each app --------------------------------------------------------------------


@pytest.fixture
def web(client, settings, world):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(world.officer)
    lock(world.staff, world.tree.commune_a)
    return client


def page_errors(response) -> list[str]:
    """Every error the page's forms show."""
    form = response.context["form"]
    return [message for messages in form.errors.values() for message in messages]


def test_the_dialogue_page_shows_the_lock_and_saves_nothing(web, tree):
    from dialogues.tests.test_dialogue_pages import create_data

    response = web.post(reverse("dialogues:dialogue_create"), create_data(tree, date="15/02/2024"))

    assert response.status_code == 200
    assert refusal() in page_errors(response)
    assert refusal() in response.content.decode()
    assert not Dialogue.objects.exists()


def test_the_dialogue_api_answers_400_with_the_lock_and_saves_nothing(web, tree):
    from dialogues.tests.test_api_dialogues import dialogue_payload

    response = web.post(
        "/api/v1/dialogues/", dialogue_payload(tree, date="2024-02-15"), content_type="application/json"
    )

    assert response.status_code == 400, response.content
    assert refusal() in str(response.json())
    assert not Dialogue.objects.exists() and not Petition.objects.exists()


def test_the_dialogue_api_refuses_an_edit_of_a_locked_dialogue(client, settings, world, tree):
    dialogue = make_dialogue(world, IN_LOCK)
    lock(world.staff, tree.commune_a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(world.officer)

    response = client.patch(
        f"/api/v1/dialogues/{dialogue.pk}/",
        {"topic": "Đã sửa", "version": dialogue.version},
        content_type="application/json",
    )

    assert response.status_code == 400, response.content
    assert refusal() in str(response.json())
    dialogue.refresh_from_db()
    assert dialogue.topic != "Đã sửa"


def test_the_petition_page_still_assigns_an_old_petition(client, settings, world, tree):
    petition = make_petition(world, IN_LOCK)
    lock(world.staff, tree.commune_a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(world.staff)

    response = client.post(
        reverse("dialogues:petition_transition", args=[petition.pk]),
        {"action": Action.ASSIGN, "version": petition.version, "agency": tree.agency.pk, "deadline": "30/05/2024"},
    )

    assert response.status_code == 302
    petition.refresh_from_db()
    assert petition.status == PetitionStatus.ASSIGNED
    assert petition.deadline == date(2024, 5, 30)


def test_the_program_page_shows_the_lock_and_saves_nothing(web, tree):
    from programs.tests.test_program_pages import create_data

    response = web.post(reverse("programs:program_create"), create_data(tree, date="15/02/2024"))

    assert response.status_code == 200
    assert refusal() in page_errors(response)
    assert not Program.objects.exists()


def test_the_program_api_answers_400_with_the_lock_and_saves_nothing(web, tree):
    from programs.tests.test_api_programs import program_payload

    response = web.post("/api/v1/programs/", program_payload(tree, date="2024-02-15"), content_type="application/json")

    assert response.status_code == 400, response.content
    assert refusal() in str(response.json())
    assert not Program.objects.exists()


def test_the_donation_api_answers_400_with_the_lock(web, tree):
    response = web.post(
        "/api/v1/land-donations/",
        {
            "unit": tree.commune_a.pk,
            "donor": "Hộ ông Lý Văn Tư",
            "donated_on": "2024-02-15",
            "purpose": "road",
            "area_m2": "120",
        },
        content_type="application/json",
    )

    assert response.status_code == 400, response.content
    assert refusal() in str(response.json())
    assert not LandDonation.objects.exists()


def test_the_award_page_shows_the_lock_and_saves_nothing(web, tree):
    from campaigns.tests.test_award_pages import award_post

    response = web.post(
        reverse("campaigns:award_create"), award_post(tree, date="15/02/2024", issuer=tree.commune_a.pk)
    )

    assert response.status_code == 200
    assert refusal() in page_errors(response)
    assert not Award.objects.exists()


def test_the_award_api_answers_400_with_the_lock_and_saves_nothing(web, tree):
    response = web.post(
        "/api/v1/awards/",
        {
            "recipient_unit": tree.village_a.pk,
            "form": "commendation",
            "issuer": tree.commune_a.pk,
            "date": "2024-02-15",
            "reason": "Hiến đất làm đường",
        },
        content_type="application/json",
    )

    assert response.status_code == 400, response.content
    assert refusal() in str(response.json())
    assert not Award.objects.exists()


def test_the_pledge_api_answers_400_with_the_lock(web, world):
    response = web.post(
        "/api/v1/emulation-pledges/",
        {
            "unit": world.parish.pk,
            "year": 2024,
            "signed_on": "2024-02-15",
            "items": [item.pk for item in _items(2)],
            "representative": "Linh mục quản xứ",
        },
        content_type="application/json",
    )

    assert response.status_code == 400, response.content
    assert refusal() in str(response.json())
    assert not EmulationPledge.objects.exists()


# --- Cost ---------------------------------------------------------------------------------------------


def _queries_to_save(record) -> int:
    with CaptureQueriesContext(connection) as queries:
        record.save()
    return len(queries)


def test_a_normal_save_costs_at_most_one_more_query_without_a_lock(world, tree):
    lock(world.staff, tree.commune_b)  # a lock elsewhere changes nothing for commune A
    dialogue = make_dialogue(world, OPEN)
    dialogue.topic = "Sửa chủ đề"

    guarded = _queries_to_save(dialogue)
    pre_save.disconnect(dispatch_uid="period-lock-save-dialogues.Dialogue", sender=Dialogue)
    try:
        unguarded = _queries_to_save(dialogue)
    finally:
        locks.connect()

    assert guarded - unguarded <= 1
    assert guarded - unguarded == 1  # the one query: the active locks over the unit's ancestors


def test_the_lock_names_its_author_by_username_when_they_have_no_full_name(world, tree):
    world.staff.full_name = ""
    world.staff.first_name = world.staff.last_name = ""
    world.staff.save()
    lock(world.staff, tree.commune_a)

    with pytest.raises(ValidationError) as caught:
        make_program(world, IN_LOCK)

    assert "locked by staff on 10/05/2024" in caught.value.messages[0]
