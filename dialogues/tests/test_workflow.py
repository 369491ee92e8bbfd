"""The petition workflow through ``services.petition_transition``: every allowed move, every
refused one, who may take each, history on re-assignment, overdue with a frozen clock, reopen."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from dialogues import services
from dialogues.models import Petition, PetitionEvent, PetitionResponse, ResponseStatus
from dialogues.permissions import AGENCY_ACTIONS, FOLLOW_UP_ACTIONS, LOCAL_ACTIONS
from dialogues.services import DirectiveInput
from dialogues.tests.factories import DialogueFactory, PetitionFactory, move_to, petition_input, system_user
from dialogues.workflow import TRANSITIONS, Action, PetitionStatus
from organization.models import UnitKind
from organization.tests.factories import UnitFactory

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2024, 3, 15, 9, 30, tzinfo=TZ)
RECEIVED = date(2024, 2, 1)
DEADLINE = date(2024, 3, 1)
S = PetitionStatus


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def other_agency(tree):
    return UnitFactory(
        key="t-nn",
        name="Phòng Nông nghiệp và Phát triển nông thôn",
        kind=UnitKind.DEPARTMENT,
        parent=tree.peoples_committee,
        valid_to=date(2025, 6, 30),
    )


@pytest.fixture
def make(tree):
    """A petition of commune A in ``status``, assigned (when it gets that far) to tree.agency."""

    def build(status: str, *, agency=None) -> Petition:
        return PetitionFactory(
            unit=tree.commune_a, received_on=RECEIVED, status=status, agency=agency or tree.agency, deadline=DEADLINE
        )

    return build


def arguments_for(action: str, petition: Petition, other_agency) -> dict:
    """What each action needs besides the user: an agency and deadline, a reason, a draft."""
    if action in {Action.ASSIGN, Action.REASSIGN}:
        return {"agency": other_agency, "deadline": date(2024, 4, 1)}
    if action in {Action.REOPEN, Action.TRANSFER}:
        return {"comment": "Lý do ghi rõ."}
    return {}


def snapshot(petition: Petition) -> tuple:
    petition.refresh_from_db()
    return (
        petition.status,
        petition.version,
        petition.assigned_agency_id,
        petition.deadline,
        petition.answered_on,
        petition.closed_on,
        petition.events.count(),
        list(petition.responses.values_list("status", flat=True)),
    )


def draft_answer(petition: Petition, user=None) -> PetitionResponse:
    return services.response_save_draft(
        user=user or system_user(),
        petition=petition,
        text="Phòng đã trả lời bằng văn bản.",
        answered_on=date(2024, 2, 20),
    )


ACTOR_FOR = {
    **dict.fromkeys(LOCAL_ACTIONS, "commune_a_officer"),
    **dict.fromkeys(FOLLOW_UP_ACTIONS, "district_staff"),
    **dict.fromkeys(AGENCY_ACTIONS, "agency_officer"),
}


# --- Every allowed transition -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "source"), list(TRANSITIONS), ids=[f"{action}-from-{source}" for action, source in TRANSITIONS]
)
def test_every_allowed_transition_succeeds_and_is_recorded(request, make, other_agency, action, source):
    user = request.getfixturevalue(ACTOR_FOR[action])
    petition = make(source)
    if action == Action.ANSWER:
        draft_answer(petition, user)
    events_before = petition.events.count()

    moved = services.petition_transition(
        user=user, petition=petition, action=action, **arguments_for(action, petition, other_agency)
    )

    assert moved.status == TRANSITIONS[(action, source)]
    assert moved.events.count() == events_before + 1
    event = moved.events.order_by("id").last()
    assert (event.action, event.from_status, event.to_status) == (action, source, moved.status)
    assert event.actor == user
    assert event.at == NOW
    assert event.comment == arguments_for(action, petition, other_agency).get("comment", "")


def test_every_action_has_a_permitted_actor_in_the_matrix():
    assert set(ACTOR_FOR) == {action for action, _source in TRANSITIONS}


# --- Every refused (action, status) pair --------------------------------------------------------

REFUSED = [(action, status) for action in Action for status in PetitionStatus if (action, status) not in TRANSITIONS]


@pytest.mark.parametrize(("action", "status"), REFUSED, ids=[f"{a}-from-{s}" for a, s in REFUSED])
def test_every_move_not_in_the_table_is_refused_and_changes_nothing(portal_admin, make, other_agency, action, status):
    petition = make(status)
    before = snapshot(petition)

    # The superuser may take any action, so the refusal can only come from the table.
    with translation.override("en"), pytest.raises(ValidationError, match="cannot be moved"):
        services.petition_transition(
            user=portal_admin, petition=petition, action=action, **arguments_for(action, petition, other_agency)
        )

    assert snapshot(petition) == before


def test_the_refused_pairs_and_the_table_cover_every_combination():
    assert len(REFUSED) + len(TRANSITIONS) == len(Action) * len(PetitionStatus)


# --- Who may take each action -------------------------------------------------------------------

ROLES = ["district_staff", "commune_a_officer", "commune_b_officer", "agency_officer", "leader", "viewer"]
#: action → (status to start from, roles allowed)
MATRIX = {
    Action.ANSWER_ON_SPOT: (S.RECEIVED, {"commune_a_officer", "district_staff"}),
    Action.ROUTE_OUT: (S.RECEIVED, {"commune_a_officer", "district_staff"}),
    Action.ASSIGN: (S.RECEIVED, {"district_staff"}),
    Action.REASSIGN: (S.ASSIGNED, {"district_staff"}),
    Action.TRANSFER: (S.ASSIGNED, {"district_staff"}),
    Action.RESOLVE: (S.ANSWERED, {"district_staff"}),
    Action.REOPEN: (S.ANSWERED, {"district_staff"}),
    Action.START: (S.ASSIGNED, {"agency_officer"}),
    Action.ANSWER: (S.IN_PROGRESS, {"agency_officer"}),
}
CASES = [(role, action, role in allowed) for action, (_status, allowed) in MATRIX.items() for role in ROLES]


@pytest.mark.parametrize(
    ("role", "action", "allowed"), CASES, ids=[f"{role}-{action}-{'ok' if ok else 'no'}" for role, action, ok in CASES]
)
def test_permission_matrix(request, make, other_agency, role, action, allowed):
    user = request.getfixturevalue(role)
    petition = make(MATRIX[action][0])
    if action == Action.ANSWER:
        draft_answer(petition)  # drafted by someone allowed; publishing is what is checked
    arguments = arguments_for(action, petition, other_agency)

    if allowed:
        moved = services.petition_transition(user=user, petition=petition, action=action, **arguments)
        assert moved.status == TRANSITIONS[(action, MATRIX[action][0])]
        assert moved.events.order_by("id").last().actor == user
    else:
        before = snapshot(petition)
        with pytest.raises(PermissionDenied):
            services.petition_transition(user=user, petition=petition, action=action, **arguments)
        assert snapshot(petition) == before


def test_matrix_covers_every_action():
    assert set(MATRIX) == set(Action)


def test_agency_officer_cannot_act_on_another_agencys_petition(make, agency_officer, other_agency):
    petition = make(S.ASSIGNED, agency=other_agency)
    before = snapshot(petition)
    with pytest.raises(PermissionDenied):
        services.petition_transition(user=agency_officer, petition=petition, action=Action.START)
    with pytest.raises(PermissionDenied):
        draft_answer(petition, agency_officer)
    assert snapshot(petition) == before


def test_commune_b_officer_cannot_answer_on_the_spot_for_commune_a(make, commune_b_officer):
    petition = make(S.RECEIVED)
    with pytest.raises(PermissionDenied):
        services.petition_transition(user=commune_b_officer, petition=petition, action=Action.ANSWER_ON_SPOT)
    assert snapshot(petition)[0] == S.RECEIVED


def test_leader_assigns_through_a_conclusion_notice(tree, leader, commune_a_officer):
    dialogue = DialogueFactory(
        unit=tree.commune_a, date=RECEIVED, by=commune_a_officer, petitions=[petition_input(field="land")]
    )
    petition = dialogue.petitions.get()
    with pytest.raises(PermissionDenied):
        services.petition_transition(
            user=leader, petition=petition, action=Action.ASSIGN, agency=tree.agency, deadline=DEADLINE
        )

    notice = services.conclusion_notice_issue(
        user=leader,
        dialogue=dialogue,
        issuer=tree.party_committee,
        day=date(2024, 2, 5),
        summary="Giao Phòng TN&MT trả lời.",
        directives=[DirectiveInput(tree.agency, "Trả lời kiến nghị.", DEADLINE, [petition])],
    )

    petition.refresh_from_db()
    assert (petition.status, petition.assigned_agency, petition.deadline) == (S.ASSIGNED, tree.agency, DEADLINE)
    assert petition.directive.notice == notice
    event = petition.events.get(action=Action.ASSIGN)
    assert event.actor == leader
    assert notice.document.symbol in event.comment


# --- Re-assignment keeps history ----------------------------------------------------------------


def test_reassigning_keeps_both_assignments_in_the_history(tree, make, district_staff, other_agency):
    petition = make(S.ASSIGNED)
    services.petition_transition(
        user=district_staff,
        petition=petition,
        action=Action.REASSIGN,
        agency=other_agency,
        deadline=date(2024, 4, 1),
        comment="Thuộc thẩm quyền Phòng Nông nghiệp.",
    )
    petition.refresh_from_db()
    assert petition.assigned_agency == other_agency
    assigned = petition.events.filter(to_status=S.ASSIGNED).order_by("id")
    assert [(e.action, e.agency, e.deadline) for e in assigned] == [
        (Action.ASSIGN, tree.agency, DEADLINE),
        (Action.REASSIGN, other_agency, date(2024, 4, 1)),
    ]
    assert assigned.last().comment == "Thuộc thẩm quyền Phòng Nông nghiệp."


def test_reassigning_to_the_same_agency_is_refused(tree, make, district_staff):
    petition = make(S.ASSIGNED)
    before = snapshot(petition)
    with pytest.raises(ValidationError):
        services.petition_transition(
            user=district_staff, petition=petition, action=Action.REASSIGN, agency=tree.agency, deadline=DEADLINE
        )
    assert snapshot(petition) == before


def test_a_deadline_before_receipt_is_refused(tree, make, district_staff):
    petition = make(S.RECEIVED)
    with pytest.raises(ValidationError) as error:
        services.petition_transition(
            user=district_staff, petition=petition, action=Action.ASSIGN, agency=tree.agency, deadline=date(2024, 1, 31)
        )
    assert "deadline" in error.value.message_dict
    assert snapshot(petition)[0] == S.RECEIVED


def test_a_transfer_needs_to_say_where(make, district_staff):
    petition = make(S.ASSIGNED)
    before = snapshot(petition)
    with pytest.raises(ValidationError):
        services.petition_transition(user=district_staff, petition=petition, action=Action.TRANSFER, comment=" ")
    assert snapshot(petition) == before


# --- Overdue with a frozen clock ----------------------------------------------------------------


def test_overdue_is_computed_from_the_deadline(tree, time_machine, agency_officer):
    time_machine.move_to(datetime(2023, 6, 1, 8, 0, tzinfo=TZ), tick=False)
    petition = PetitionFactory(unit=tree.commune_a, received_on=date(2023, 6, 1))
    petition = move_to(petition, S.ASSIGNED, agency=tree.agency, deadline=date(2023, 6, 30))

    time_machine.move_to(datetime(2023, 6, 30, 23, 0, tzinfo=TZ), tick=False)  # late on the deadline day
    assert not petition.is_overdue()
    assert not Petition.objects.overdue().exists()

    time_machine.move_to(datetime(2023, 7, 1, 0, 30, tzinfo=TZ), tick=False)  # just after midnight, local time
    assert petition.is_overdue()
    assert list(Petition.objects.overdue()) == [petition]

    draft_answer_on = date(2023, 7, 1)
    services.response_save_draft(
        user=agency_officer, petition=petition, text="Đã trả lời.", answered_on=draft_answer_on
    )
    petition = services.response_publish(user=agency_officer, petition=petition)
    assert not petition.is_overdue()
    assert not Petition.objects.overdue().exists()


# --- Reopen -------------------------------------------------------------------------------------


def test_reopen_requires_a_reason(make, district_staff):
    petition = make(S.ANSWERED)
    before = snapshot(petition)
    with pytest.raises(ValidationError) as error:
        services.petition_transition(user=district_staff, petition=petition, action=Action.REOPEN, comment="  ")
    assert "comment" in error.value.message_dict
    assert snapshot(petition) == before
    assert petition.responses.get().status == ResponseStatus.PUBLISHED


def test_reopen_keeps_the_old_answer_as_reopened(make, district_staff, agency_officer):
    petition = make(S.ANSWERED)
    old = petition.responses.get()

    petition = services.petition_transition(
        user=district_staff, petition=petition, action=Action.REOPEN, comment="Chưa trả lời nội dung đền bù."
    )

    old.refresh_from_db()
    assert (petition.status, petition.answered_on) == (S.IN_PROGRESS, None)
    assert (old.status, old.reopen_reason) == (ResponseStatus.REOPENED, "Chưa trả lời nội dung đền bù.")
    assert old.text  # the old answer is kept, not overwritten

    draft_answer(petition, agency_officer)
    petition = services.response_publish(user=agency_officer, petition=petition)
    assert petition.status == S.ANSWERED
    assert sorted(petition.responses.values_list("status", flat=True)) == [
        ResponseStatus.PUBLISHED,
        ResponseStatus.REOPENED,
    ]
    assert PetitionEvent.objects.filter(petition=petition, action=Action.REOPEN).get().actor == district_staff


def test_publishing_without_a_draft_is_refused(make, agency_officer):
    petition = make(S.IN_PROGRESS)
    before = snapshot(petition)
    with pytest.raises(ValidationError):
        services.response_publish(user=agency_officer, petition=petition)
    assert snapshot(petition) == before
