"""campaigns.services: who may call each service (the role matrix), bad input refused with a clear
message and nothing changed, versioned criteria, the round lifecycle, and verification keeping
both scores.

Role matrix outcomes: ``OK`` (done), ``DENIED`` (PermissionDenied: inside the user's scope but
read-only for them, a page answers 403) and ``OUTSIDE`` (a ValidationError naming the unit: the
record is outside the user's units, a page answers 404 before calling the service).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from campaigns import services
from campaigns.models import (
    Award,
    AwardForm,
    CommitmentItem,
    CommitmentStatus,
    CriteriaSet,
    Criterion,
    DvkEvent,
    DvkField,
    DvkLevel,
    DvkModel,
    EmulationPledge,
    HouseholdCommitment,
    Movement,
    RoundAction,
    RoundEvent,
    RoundStatus,
    Scorecard,
    ScorecardStatus,
    ScoreEntry,
    ScoringRound,
    TargetType,
)
from campaigns.services import CriteriaSetInput, DvkModelInput, EntryInput, StaleVersion
from campaigns.tests.factories import criteria_rows, movement_with_criteria, open_round
from campaigns.workflow import DvkStatus
from organization.models import Notification, UnitKind
from organization.tests.factories import UnitFactory

pytestmark = pytest.mark.django_db

VIL = TargetType.VILLAGE
MARCH = date(2024, 3, 1)
OK, DENIED, OUTSIDE = "ok", "denied", "outside"
ROLES = ("district_staff", "commune_a_officer", "commune_b_officer", "leader", "viewer", "portal_admin")


def snapshot() -> dict:
    """Everything the services write, to compare before and after a refused call."""
    return {
        "movements": list(Movement.objects.order_by("pk").values_list("pk", "version", "name", "status")),
        "sets": list(CriteriaSet.objects.order_by("pk").values_list("pk", "version", "year", "total_points")),
        "criteria": list(Criterion.objects.order_by("pk").values_list("pk", "code", "max_points", "weight")),
        "rounds": list(ScoringRound.objects.order_by("pk").values_list("pk", "status", "version", "closes_on")),
        "round events": RoundEvent.objects.count(),
        "cards": list(
            Scorecard.objects.order_by("pk").values_list(
                "pk", "status", "version", "self_total", "verified_total", "rank_in_type", "selected"
            )
        ),
        "entries": list(ScoreEntry.objects.order_by("pk").values_list("pk", "self_score", "verified_score")),
        "awards": list(Award.objects.order_by("pk").values_list("pk", "form", "date")),
        "models": list(DvkModel.objects.order_by("pk").values_list("pk", "status", "version", "name")),
        "model events": DvkEvent.objects.count(),
        "commitments": list(
            HouseholdCommitment.objects.order_by("pk").values_list("pk", "status", "version", "household_head")
        ),
        "pledges": list(EmulationPledge.objects.order_by("pk").values_list("pk", "result", "version")),
    }


def refused(call: Callable[[], object], exception=ValidationError) -> ValidationError:
    """Run ``call``, expect ``exception`` and that nothing was written; return the error."""
    before = snapshot()
    with pytest.raises(exception) as error:
        call()
    assert snapshot() == before
    return error.value


def field_messages(error: ValidationError, field: str) -> list[str]:
    return error.message_dict[field]


# --- The cast's records -------------------------------------------------------------------------


@dataclass
class World:
    tree: object
    staff: object
    officer_a: object
    movement: Movement
    round: ScoringRound
    criteria: list[Criterion]
    group_a: object

    def scores(self, *values) -> dict[int, str]:
        return {c.pk: str(v) for c, v in zip(self.criteria, values, strict=True)}

    def entries(self, *values) -> dict[int, EntryInput]:
        return {c.pk: EntryInput(self_score=v) for c, v in zip(self.criteria, values, strict=True)}


@pytest.fixture
def world(tree, district_staff, commune_a_officer) -> World:
    movement = movement_with_criteria(district_staff, tree.district, launched_by=tree.party_committee)
    round_ = open_round(district_staff, movement, MARCH)
    criteria = list(movement.criteria_sets.get().criteria.all())
    group_a = UnitFactory(kind=UnitKind.RELIGIOUS_GROUP, parent=tree.commune_a, valid_to=date(2025, 6, 30))
    return World(tree, district_staff, commune_a_officer, movement, round_, criteria, group_a)


def card(world: World, *, submit: bool = False, values=(40, 30, 30)) -> Scorecard:
    """Village a's card in March, written by commune A's officer."""
    rows = {world.tree.village_a.pk: world.scores(*values)}
    services.grid_save(user=world.officer_a, round_=world.round, rows=rows, submit=submit)
    return Scorecard.objects.get(round=world.round, unit=world.tree.village_a)


def model(world: World, status: str = DvkStatus.REGISTERED, *, met: bool = True) -> DvkModel:
    """A model of commune A built at village a, moved along the lifecycle to ``status``."""
    dvk = services.dvk_model_create(
        user=world.staff,
        data=DvkModelInput(
            values={
                "name": "Khu dân cư đồng bào Mông thực hiện nếp sống văn hóa mới",
                "field": DvkField.CULTURE_SOCIETY,
                "level": DvkLevel.VILLAGE,
                "owner_unit": world.tree.commune_a,
                "locality": world.tree.village_a,
                "registered_on": date(2024, 1, 10),
            },
            criteria=[{"text": "Các hộ dọn dẹp nhà cửa", "target": "100% hộ", "met": met}],
        ),
    )
    path = [
        DvkStatus.SURVEYED,
        DvkStatus.VILLAGE_CONSULTED,
        DvkStatus.LAUNCHED,
        DvkStatus.IN_PROGRESS,
        DvkStatus.EVALUATED,
    ]
    for step in path[: path.index(status) + 1] if status in path else []:
        dvk = services.dvk_transition(user=world.staff, model=dvk, to_status=step)
    return dvk


def items(*codes: str) -> list[CommitmentItem]:
    found = CommitmentItem.objects.filter(code__in=codes) if codes else CommitmentItem.objects.filter(is_active=True)
    return list(found)


def commitment(world: World, dvk: DvkModel, head: str = "Giàng A Páo", village=None) -> HouseholdCommitment:
    return services.commitment_create(
        user=world.staff,
        values={
            "model": dvk,
            "household_head": head,
            "village": village or world.tree.village_a,
            "signed_on": date(2024, 3, 10),
        },
        items=items(),
    )


def pledge_values(world: World, year: int = 2024) -> dict:
    return {"unit": world.group_a, "year": year, "signed_on": date(year, 1, 20), "result": "pledged"}


def award_values(world: World, **extra) -> dict:
    return {
        "recipient_unit": world.tree.village_a,
        "form": AwardForm.CERTIFICATE,
        "issuer": world.tree.party_committee,
        "date": date(2024, 4, 10),
        "reason": "Dẫn đầu phong trào tháng 3",
        **extra,
    }


def closed_round(world: World) -> ScoringRound:
    submitted = card(world, submit=True)
    services.scorecard_verify(user=world.staff, scorecard=submitted)
    return services.round_close(user=world.staff, round_=world.round)


# --- The role matrix ----------------------------------------------------------------------------

Action = Callable[[World, object], object]


def _movement_create(w, user):
    values = {
        "name": "Dân vận khéo",
        "unit": w.tree.district,
        "launched_by": w.tree.party_committee,
        "launch_date": date(2024, 1, 1),
        "target_types": [VIL],
    }
    return services.movement_create(user=user, values=values)


def _criteria_set_save(w, user):
    data = CriteriaSetInput(target_type=VIL, year=2025, total_points=Decimal(100), criteria=criteria_rows("60", "40"))
    return services.criteria_set_save(user=user, movement=w.movement, data=data)


def _round_open(w, user):
    draft = services.round_create(user=w.staff, movement=w.movement, month=date(2024, 4, 1))
    return lambda: services.round_open(user=user, round_=draft, closes_on=date(2024, 4, 30))


def _round_close(w, user):
    return services.round_close(user=user, round_=w.round)


def _round_reopen(w, user):
    closed = closed_round(w)
    return lambda: services.round_reopen(user=user, round_=closed, reason="Thôn khiếu nại điểm")


def _scorecard_update(w, user):
    draft = card(w, values=(10, 10, 10))
    return lambda: services.scorecard_update(user=user, scorecard=draft, entries=w.entries(20, 20, 20))


def _scorecard_submit(w, user):
    draft = card(w)
    return lambda: services.scorecard_submit(user=user, scorecard=draft)


def _scorecard_verify(w, user):
    submitted = card(w, submit=True)
    return lambda: services.scorecard_verify(user=user, scorecard=submitted)


def _scorecard_return(w, user):
    submitted = card(w, submit=True)
    return lambda: services.scorecard_return(user=user, scorecard=submitted, note="Thiếu ảnh minh chứng")


def _award_delete(w, user):
    award = services.award_create(user=w.staff, values=award_values(w, movement=w.movement))
    return lambda: services.award_delete(user=user, award=award)


def _dvk_update(w, user):
    dvk = model(w)
    return lambda: services.dvk_model_update(
        user=user, model=dvk, data=DvkModelInput(values={"target_group": "Đồng bào Mông"})
    )


def _dvk_transition(w, user):
    dvk = model(w)
    return lambda: services.dvk_transition(user=user, model=dvk, to_status=DvkStatus.SURVEYED)


def _dvk_recognize(w, user):
    dvk = model(w, DvkStatus.EVALUATED)
    return lambda: services.dvk_transition(
        user=user, model=dvk, to_status=DvkStatus.RECOGNIZED, recognized_on=date(2024, 12, 20)
    )


def _commitment_create(w, user):
    dvk = model(w, DvkStatus.VILLAGE_CONSULTED)
    values = {"model": dvk, "household_head": "Vàng Seo Chứ", "village": w.tree.village_a, "signed_on": MARCH}
    return lambda: services.commitment_create(user=user, values=values, items=items())


def _commitment_update(w, user):
    signed = commitment(w, model(w, DvkStatus.VILLAGE_CONSULTED))
    return lambda: services.commitment_update(user=user, commitment=signed, values={"note": "Đã xác minh"})


def _pledge_update(w, user):
    pledge = services.pledge_save(
        user=w.staff, values=pledge_values(w), items=items("no-child-consanguineous-marriage")
    )
    return lambda: services.pledge_save(
        user=user, pledge=pledge, values={"result": "achieved"}, items=items("no-child-consanguineous-marriage")
    )


#: action name → (call or setup returning the call, outcome per role in ROLES order). A "setup"
#: action prepares its record as district staff and returns the call to make as the role.
MATRIX: dict[str, tuple[Action, tuple[str, ...]]] = {
    # Viewer and commune officers cannot see the district; the leader sees it but only reads.
    "movement_create": (_movement_create, (OK, OUTSIDE, OUTSIDE, DENIED, OUTSIDE, OK)),
    "movement_update": (
        lambda w, u: services.movement_update(user=u, movement=w.movement, values={"description": "Quy định"}),
        (OK, DENIED, DENIED, DENIED, DENIED, OK),
    ),
    "criteria_set_save": (_criteria_set_save, (OK, DENIED, DENIED, DENIED, DENIED, OK)),
    "criteria_set_copy": (
        lambda w, u: services.criteria_set_copy(user=u, source=w.movement.criteria_sets.get(), year=2025),
        (OK, DENIED, DENIED, DENIED, DENIED, OK),
    ),
    "round_create": (
        lambda w, u: services.round_create(user=u, movement=w.movement, month=date(2024, 4, 1)),
        (OK, DENIED, DENIED, DENIED, DENIED, OK),
    ),
    "round_open": (_round_open, (OK, DENIED, DENIED, DENIED, DENIED, OK)),
    "round_close": (_round_close, (OK, DENIED, DENIED, DENIED, DENIED, OK)),
    "round_reopen": (_round_reopen, (OK, DENIED, DENIED, DENIED, DENIED, OK)),
    "scorecard_create": (
        lambda w, u: services.scorecard_create(
            user=u, round_=w.round, unit=w.tree.village_a, entries=w.entries(1, 2, 3)
        ),
        (OK, OK, OUTSIDE, DENIED, DENIED, OK),
    ),
    "grid_save": (
        lambda w, u: services.grid_save(user=u, round_=w.round, rows={w.tree.village_a.pk: w.scores(1, 2, 3)}),
        (OK, OK, OUTSIDE, DENIED, DENIED, OK),
    ),
    "scorecard_update": (_scorecard_update, (OK, OK, OUTSIDE, DENIED, DENIED, OK)),
    "scorecard_submit": (_scorecard_submit, (OK, OK, OUTSIDE, DENIED, DENIED, OK)),
    "scorecard_verify": (_scorecard_verify, (OK, DENIED, OUTSIDE, DENIED, DENIED, OK)),
    "scorecard_return": (_scorecard_return, (OK, DENIED, OUTSIDE, DENIED, DENIED, OK)),
    "award_create (movement)": (
        lambda w, u: services.award_create(user=u, values=award_values(w, movement=w.movement)),
        (OK, DENIED, OUTSIDE, DENIED, DENIED, OK),
    ),
    "award_create (commune's own)": (
        lambda w, u: services.award_create(user=u, values=award_values(w, issuer=w.tree.commune_a)),
        (OK, OK, OUTSIDE, DENIED, DENIED, OK),
    ),
    "award_delete": (_award_delete, (OK, DENIED, OUTSIDE, DENIED, DENIED, OK)),
    "dvk_model_create": (
        lambda w, u: services.dvk_model_create(
            user=u,
            data=DvkModelInput(
                values={
                    "name": "Mô hình",
                    "field": DvkField.ECONOMY,
                    "level": DvkLevel.COMMUNE,
                    "owner_unit": w.tree.commune_a,
                    "locality": w.tree.commune_a,
                    "registered_on": MARCH,
                }
            ),
        ),
        (OK, OK, OUTSIDE, DENIED, DENIED, OK),
    ),
    "dvk_model_update": (_dvk_update, (OK, OK, OUTSIDE, DENIED, DENIED, OK)),
    "dvk_transition": (_dvk_transition, (OK, OK, OUTSIDE, DENIED, DENIED, OK)),
    # Recognition is for the level above: district staff (and admins).
    "dvk_transition (recognize)": (_dvk_recognize, (OK, DENIED, OUTSIDE, DENIED, DENIED, OK)),
    "commitment_create": (_commitment_create, (OK, OK, OUTSIDE, DENIED, DENIED, OK)),
    "commitment_update": (_commitment_update, (OK, OK, OUTSIDE, DENIED, DENIED, OK)),
    "pledge_save (new)": (
        lambda w, u: services.pledge_save(user=u, values=pledge_values(w), items=items("obey-the-law")),
        (OK, OK, OUTSIDE, DENIED, DENIED, OK),
    ),
    "pledge_save (edit)": (_pledge_update, (OK, OK, OUTSIDE, DENIED, DENIED, OK)),
}

SETUP_ACTIONS = {
    "round_open",
    "round_reopen",
    "scorecard_update",
    "scorecard_submit",
    "scorecard_verify",
    "scorecard_return",
    "award_delete",
    "dvk_model_update",
    "dvk_transition",
    "dvk_transition (recognize)",
    "commitment_create",
    "commitment_update",
    "pledge_save (edit)",
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(MATRIX))
def test_role_matrix(request, world, action, role):
    function, outcomes = MATRIX[action]
    expected = outcomes[ROLES.index(role)]
    user = request.getfixturevalue(role)
    call = function(world, user) if action in SETUP_ACTIONS else (lambda: function(world, user))
    if expected == OK:
        before = snapshot()
        call()
        assert snapshot() != before, "an allowed call must write something"
    elif expected == DENIED:
        refused(call, PermissionDenied)
    else:
        error = refused(call)
        assert not isinstance(error, StaleVersion)
        assert any(
            name in message
            for message in error.messages
            for name in (
                world.tree.district.name,
                world.tree.village_a.name,
                world.tree.commune_a.name,
                world.group_a.name,
            )
        ), error.messages


def test_matrix_covers_every_public_service():
    called = {name.split(" ")[0] for name in MATRIX}
    public = {
        name
        for name in dir(services)
        if name.split("_")[0]
        in {"movement", "criteria", "round", "scorecard", "grid", "award", "dvk", "commitment", "pledge"}
        and callable(getattr(services, name))
        and not name.startswith("_")
        and name not in {"round_problems"}
    }
    assert public <= called, public - called


# --- Bad input: a clear message, nothing changed ------------------------------------------------


def test_a_score_above_the_maximum_is_refused(world):
    error = refused(
        lambda: services.grid_save(
            user=world.officer_a, round_=world.round, rows={world.tree.village_a.pk: world.scores(41, 30, 30)}
        )
    )
    assert _("%(code)s: at most %(max)s points.") % {"code": "TC1", "max": "40"} in error.messages
    error = refused(
        lambda: services.scorecard_create(
            user=world.officer_a, round_=world.round, unit=world.tree.village_a, entries=world.entries("40", "30,5", 1)
        )
    )
    assert _("%(code)s: at most %(max)s points.") % {"code": "TC2", "max": "30"} in error.messages


def test_a_negative_score_is_refused(world):
    error = refused(
        lambda: services.grid_save(
            user=world.officer_a, round_=world.round, rows={world.tree.village_a.pk: world.scores(-1, 30, 30)}
        )
    )
    assert _("A score cannot be negative.") in error.messages


def test_a_score_that_is_not_a_number_is_refused(world):
    error = refused(
        lambda: services.scorecard_create(
            user=world.officer_a, round_=world.round, unit=world.tree.village_a, entries=world.entries("bốn", 1, 1)
        )
    )
    assert error.messages == [_("%(code)s: “%(value)s” is not a number.") % {"code": "TC1", "value": "bốn"}]


def test_scoring_a_unit_of_another_commune_is_refused(world):
    message = _("%(unit)s is not in your commune; you cannot score it.") % {"unit": world.tree.village_b.name}
    error = refused(
        lambda: services.scorecard_create(user=world.officer_a, round_=world.round, unit=world.tree.village_b)
    )
    assert field_messages(error, "unit") == [message]
    rows = {world.tree.village_a.pk: world.scores(1, 1, 1), world.tree.village_b.pk: world.scores(1, 1, 1)}
    error = refused(lambda: services.grid_save(user=world.officer_a, round_=world.round, rows=rows))
    assert message in error.messages  # the whole grid is refused, village a included


def test_scoring_a_unit_the_movement_does_not_score_is_refused(world):
    error = refused(lambda: services.scorecard_create(user=world.staff, round_=world.round, unit=world.tree.agency))
    assert field_messages(error, "unit") == [
        _("%(unit)s is not scored in this movement.") % {"unit": world.tree.agency.name}
    ]


@pytest.mark.parametrize("status", [RoundStatus.CLOSED, RoundStatus.DRAFT])
def test_scoring_a_round_that_is_not_open_is_refused(world, status):
    if status == RoundStatus.CLOSED:
        round_ = services.round_close(user=world.staff, round_=world.round)
    else:
        round_ = services.round_create(user=world.staff, movement=world.movement, month=date(2024, 4, 1))
    message = _("The round for %(month)s is %(status)s; scores can only be entered while it is open.") % {
        "month": f"{round_.month:%m/%Y}",
        "status": str(RoundStatus(status).label).lower(),
    }
    rows = {world.tree.village_a.pk: world.scores(1, 1, 1)}
    assert refused(lambda: services.grid_save(user=world.officer_a, round_=round_, rows=rows)).messages == [message]
    error = refused(lambda: services.scorecard_create(user=world.officer_a, round_=round_, unit=world.tree.village_a))
    assert error.messages == [message]


def test_a_second_scorecard_for_the_same_unit_and_round_is_refused(world):
    services.scorecard_create(user=world.officer_a, round_=world.round, unit=world.tree.village_a)
    error = refused(lambda: services.scorecard_create(user=world.staff, round_=world.round, unit=world.tree.village_a))
    assert field_messages(error, "unit") == [
        _("%(unit)s already has a scorecard in this round.") % {"unit": world.tree.village_a.name}
    ]


def test_a_criteria_set_whose_points_do_not_add_up_is_refused(world):
    data = CriteriaSetInput(
        target_type=VIL, year=2025, total_points=Decimal(100), criteria=criteria_rows("40", "30", "20")
    )
    error = refused(lambda: services.criteria_set_save(user=world.staff, movement=world.movement, data=data))
    assert field_messages(error, "total_points") == [
        _("The criteria's maximum points add up to %(found)s, not the set's total of %(total)s.")
        % {"found": "90", "total": "100"}
    ]


def test_other_bad_criteria_sets_are_refused(world):
    def save(criteria, **extra):
        values = {"target_type": VIL, "year": 2025, "total_points": Decimal(100), "criteria": criteria, **extra}
        return lambda: services.criteria_set_save(
            user=world.staff, movement=world.movement, data=CriteriaSetInput(**values)
        )

    assert field_messages(refused(save([])), "criteria") == [_("Add at least one criterion.")]
    twice = criteria_rows("50", "50", prefix="TC")
    twice[1]["code"] = "TC1"
    assert _("The code %(code)s is used twice.") % {"code": "TC1"} in refused(save(twice)).message_dict["criteria-1"]
    zero = criteria_rows("100", "0")
    assert "criteria-1" in refused(save(zero)).message_dict
    assert field_messages(refused(save(criteria_rows("100"), target_type=TargetType.SCHOOL)), "target_type") == [
        _("This movement does not score that kind of unit.")
    ]
    assert field_messages(refused(save(criteria_rows("100"), year=2024)), "year") == [
        _("This movement already has criteria for that type and year; edit them.")
    ]


def test_a_model_transition_that_is_not_allowed_is_refused(world):
    dvk = model(world)
    error = refused(lambda: services.dvk_transition(user=world.staff, model=dvk, to_status=DvkStatus.LAUNCHED))
    assert field_messages(error, "status") == [
        _("A model cannot go from “%(from)s” to “%(to)s”.")
        % {"from": DvkStatus.REGISTERED.label, "to": DvkStatus.LAUNCHED.label}
    ]
    error = refused(lambda: services.dvk_transition(user=world.staff, model=dvk, to_status="finished"))
    assert "finished" in field_messages(error, "status")[0]


def test_recognition_needs_every_criterion_met_and_a_date(world):
    dvk = model(world, DvkStatus.EVALUATED, met=False)
    recognize = dict(user=world.staff, model=dvk, to_status=DvkStatus.RECOGNIZED, recognized_on=date(2024, 12, 1))
    assert field_messages(refused(lambda: services.dvk_transition(**recognize)), "status") == [
        _("Criteria not met yet: %(list)s.") % {"list": "Các hộ dọn dẹp nhà cửa"}
    ]
    dvk.criteria.update(met=True)
    error = refused(lambda: services.dvk_transition(**{**recognize, "recognized_on": None}))
    assert field_messages(error, "recognized_on") == [_("Give the date of the recognition decision.")]
    recognized = services.dvk_transition(**recognize)
    assert (recognized.status, recognized.recognized_on) == (DvkStatus.RECOGNIZED, date(2024, 12, 1))


def test_stopping_a_model_needs_a_reason(world):
    dvk = model(world)
    error = refused(lambda: services.dvk_transition(user=world.staff, model=dvk, to_status=DvkStatus.STOPPED))
    assert field_messages(error, "note") == [_("Say why the model stops.")]
    stopped = services.dvk_transition(user=world.staff, model=dvk, to_status=DvkStatus.STOPPED, note="Hết kinh phí")
    event = stopped.events.get()
    assert (event.from_status, event.to_status, event.note, event.by) == (
        "registered",
        "stopped",
        "Hết kinh phí",
        world.staff,
    )


def test_a_commitment_for_a_household_outside_the_models_area_is_refused(world):
    dvk = model(world, DvkStatus.VILLAGE_CONSULTED)
    error = refused(lambda: commitment(world, dvk, village=world.tree.village_b))
    assert field_messages(error, "village") == [
        _("This household is outside the model's area (%(area)s).") % {"area": world.tree.village_a.name}
    ]


def test_other_bad_commitments_are_refused(world):
    early = model(world, DvkStatus.SURVEYED)
    error = refused(lambda: commitment(world, early))
    assert field_messages(error, "model") == [
        _("Households sign once the model has been discussed with the village (status: %(status)s).")
        % {"status": DvkStatus.SURVEYED.label}
    ]
    dvk = services.dvk_transition(user=world.staff, model=early, to_status=DvkStatus.VILLAGE_CONSULTED)
    signed = commitment(world, dvk)
    assert field_messages(refused(lambda: commitment(world, dvk)), "household_head") == [
        _("This household has already signed for this model.")
    ]
    retired = CommitmentItem.objects.create(code="old", text="Mục cũ", is_active=False)
    values = {"model": dvk, "household_head": "Lý A Sử", "village": world.tree.village_a, "signed_on": MARCH}
    error = refused(lambda: services.commitment_create(user=world.staff, values=values, items=[retired]))
    assert field_messages(error, "items") == [_("That commitment item is no longer offered.")]
    error = refused(lambda: services.commitment_create(user=world.staff, values=values, items=[]))
    assert field_messages(error, "items") == [_("Choose at least one item.")]
    other = CommitmentItem.objects.create(code="other", text="Mục khác")
    broken = {"status": CommitmentStatus.BROKEN, "broken_on": date(2024, 5, 1)}
    error = refused(
        lambda: services.commitment_update(user=world.staff, commitment=signed, values=broken, broken_items=[other])
    )
    assert field_messages(error, "broken_items") == [_("Only items the household signed can be broken.")]
    done = services.commitment_update(
        user=world.staff, commitment=signed, values=broken, broken_items=items("obey-the-law")
    )
    assert (done.status, done.broken_on, list(done.broken_items.values_list("code", flat=True))) == (
        "broken",
        date(2024, 5, 1),
        ["obey-the-law"],
    )


def test_a_second_pledge_for_the_same_year_is_refused(world):
    item = items("no-child-consanguineous-marriage")
    services.pledge_save(user=world.staff, values=pledge_values(world), items=item)
    error = refused(lambda: services.pledge_save(user=world.officer_a, values=pledge_values(world), items=item))
    assert field_messages(error, "year") == [
        _("%(unit)s has already pledged for %(year)s.") % {"unit": world.group_a.name, "year": 2024}
    ]


def test_submitting_an_incomplete_grid_lists_what_is_missing(world):
    rows = {world.tree.village_a.pk: {world.criteria[0].pk: "40", world.criteria[1].pk: "", world.criteria[2].pk: ""}}
    error = refused(lambda: services.grid_save(user=world.officer_a, round_=world.round, rows=rows, submit=True))
    assert error.message_dict == {
        world.tree.village_a.name: [_("missing scores for %(codes)s") % {"codes": "TC2, TC3"}]
    }
    draft = card(world, values=(40, 30, 30))
    services.scorecard_update(
        user=world.officer_a, scorecard=draft, entries={world.criteria[2].pk: EntryInput(self_score=None)}
    )
    assert services.missing_scores(draft) == ["TC3"]
    error = refused(lambda: services.scorecard_submit(user=world.officer_a, scorecard=draft))
    assert error.messages == [
        _("%(unit)s is missing scores for %(codes)s.") % {"unit": world.tree.village_a.name, "codes": "TC3"}
    ]


def test_a_stale_version_is_refused(world):
    draft = card(world, values=(10, 10, 10))
    stale = draft.version
    services.scorecard_update(
        user=world.officer_a, scorecard=draft, entries=world.entries(20, 20, 20), expected_version=stale
    )
    refused(
        lambda: services.scorecard_update(
            user=world.staff, scorecard=draft, entries=world.entries(30, 30, 30), expected_version=stale
        ),
        StaleVersion,
    )
    rows = {world.tree.village_a.pk: world.scores(30, 30, 30)}
    error = refused(
        lambda: services.grid_save(
            user=world.officer_a, round_=world.round, rows=rows, versions={world.tree.village_a.pk: stale}
        ),
        StaleVersion,
    )
    assert error.messages == [
        _("Someone else saved %(unit)s while you were editing. Reload the grid and try again.")
        % {"unit": world.tree.village_a.name}
    ]


# --- Versioned criteria -------------------------------------------------------------------------


def test_changing_the_2025_set_leaves_2024_scores_unchanged(world):
    closed_round(world)
    set_2024 = world.movement.criteria_sets.get(year=2024)
    card_2024 = Scorecard.objects.get(round=world.round)
    before = (
        list(set_2024.criteria.values_list("pk", "code", "text", "max_points", "weight")),
        list(Scorecard.objects.values_list("pk", "self_total", "verified_total", "max_total", "criteria_set")),
        list(ScoreEntry.objects.values_list("pk", "criterion", "self_score", "verified_score")),
    )

    set_2025 = services.criteria_set_copy(user=world.staff, source=set_2024, year=2025)
    assert list(set_2025.criteria.values_list("code", "max_points")) == [("TC1", 40), ("TC2", 30), ("TC3", 30)]
    data = CriteriaSetInput(
        target_type=VIL,
        year=2025,
        total_points=Decimal(120),
        criteria=criteria_rows("50", "40", "30"),
    )
    data.criteria[0]["weight"] = Decimal(2)
    set_2025 = services.criteria_set_save(user=world.staff, movement=world.movement, data=data, criteria_set=set_2025)

    after = (
        list(set_2024.criteria.values_list("pk", "code", "text", "max_points", "weight")),
        list(Scorecard.objects.values_list("pk", "self_total", "verified_total", "max_total", "criteria_set")),
        list(ScoreEntry.objects.values_list("pk", "criterion", "self_score", "verified_score")),
    )
    assert after == before
    assert card_2024.criteria_set == set_2024 and card_2024.max_total == 100
    assert set_2025.weighted_max() == 170  # 50 × 2 + 40 + 30

    # 2025's rounds score against 2025's set.
    round_2025 = open_round(world.staff, world.movement, date(2025, 1, 1))
    new = services.scorecard_create(user=world.officer_a, round_=round_2025, unit=world.tree.village_a)
    assert (new.criteria_set, new.max_total) == (set_2025, Decimal(170))


def test_editing_a_set_already_used_for_scoring_is_refused(world):
    card(world)
    set_2024 = world.movement.criteria_sets.get(year=2024)
    assert set_2024.is_frozen
    data = CriteriaSetInput(target_type=VIL, year=2024, total_points=Decimal(100), criteria=criteria_rows("50", "50"))
    error = refused(
        lambda: services.criteria_set_save(user=world.staff, movement=world.movement, data=data, criteria_set=set_2024)
    )
    assert error.messages == [
        _("These criteria have already been used for scoring and cannot change; copy them to a new year.")
    ]


def test_an_unused_set_can_be_edited_with_its_version(world):
    set_2024 = world.movement.criteria_sets.get(year=2024)
    data = CriteriaSetInput(target_type=VIL, year=2024, total_points=Decimal(100), criteria=criteria_rows("50", "50"))
    edited = services.criteria_set_save(
        user=world.staff, movement=world.movement, data=data, criteria_set=set_2024, expected_version=1
    )
    assert (edited.version, edited.criteria.count()) == (2, 2)
    refused(
        lambda: services.criteria_set_save(
            user=world.staff, movement=world.movement, data=data, criteria_set=set_2024, expected_version=1
        ),
        StaleVersion,
    )


# --- Round lifecycle ----------------------------------------------------------------------------


def test_round_creation_is_checked(world):
    def create(month, **extra):
        return lambda: services.round_create(user=world.staff, movement=world.movement, month=month, **extra)

    assert field_messages(refused(create(date(2024, 3, 15))), "month") == [
        _("This movement already has a round for %(month)s.") % {"month": "03/2024"}
    ]
    before_launch = movement_with_criteria(world.staff, world.tree.district, year=2024, name="Khác")
    error = refused(lambda: services.round_create(user=world.staff, movement=before_launch, month=date(2023, 12, 1)))
    assert field_messages(error, "month") == [_("The round is before the movement was launched.")]
    assert field_messages(refused(create(date(2024, 5, 1), closes_on=date(2024, 4, 30))), "closes_on") == [
        _("The closing date is before the month being scored.")
    ]
    round_ = services.round_create(user=world.staff, movement=world.movement, month=date(2024, 5, 20))
    assert (round_.month, round_.status) == (date(2024, 5, 1), RoundStatus.DRAFT)


def test_opening_needs_a_closing_date_and_valid_criteria(world):
    draft = services.round_create(user=world.staff, movement=world.movement, month=date(2024, 4, 1))
    error = refused(lambda: services.round_open(user=world.staff, round_=draft))
    assert field_messages(error, "closes_on") == [_("Give the date the round closes.")]
    no_criteria = services.round_create(user=world.staff, movement=world.movement, month=date(2025, 1, 1))
    error = refused(lambda: services.round_open(user=world.staff, round_=no_criteria, closes_on=date(2025, 1, 31)))
    assert error.messages == [
        _("No criteria for %(type)s in %(year)s.") % {"type": TargetType.VILLAGE.label, "year": 2025}
    ]
    opened = services.round_open(user=world.staff, round_=draft, closes_on=date(2024, 4, 30))
    assert (opened.status, opened.closes_on) == (RoundStatus.OPEN, date(2024, 4, 30))
    assert opened.opened_at is not None
    assert opened.events.get().action == RoundAction.OPEN
    error = refused(lambda: services.round_open(user=world.staff, round_=opened))
    assert error.messages == [_("Only a draft round can be opened.")]


def test_closing_waits_for_every_submitted_card_to_be_verified(world):
    submitted = card(world, submit=True)
    error = refused(lambda: services.round_close(user=world.staff, round_=world.round))
    assert error.messages == [
        _("%(count)s submitted scorecards are not verified yet (%(names)s); verify them before closing.")
        % {"count": 1, "names": world.tree.village_a.name}
    ]
    services.scorecard_verify(user=world.staff, scorecard=submitted)
    closed = services.round_close(user=world.staff, round_=world.round)
    assert closed.status == RoundStatus.CLOSED and closed.closed_at is not None
    ranked = Scorecard.objects.get(pk=submitted.pk)
    assert (ranked.rank_in_type, ranked.rank_in_commune, ranked.rank_overall, ranked.selected) == (1, 1, 1, True)
    assert refused(lambda: services.round_close(user=world.staff, round_=closed)).messages == [
        _("Only an open round can be closed.")
    ]


def test_reopening_needs_a_reason_is_logged_and_clears_the_ranks(world):
    closed = closed_round(world)
    error = refused(lambda: services.round_reopen(user=world.staff, round_=closed, reason="  "))
    assert field_messages(error, "reason") == [_("Say why the round is reopened; the reason is logged.")]
    reopened = services.round_reopen(user=world.staff, round_=closed, reason=" Bản Tổng Kim đề nghị chấm lại ")
    assert (reopened.status, reopened.closed_at) == (RoundStatus.OPEN, None)
    event = reopened.events.last()
    assert (event.action, event.reason, event.by) == (RoundAction.REOPEN, "Bản Tổng Kim đề nghị chấm lại", world.staff)
    assert [e.action for e in reopened.events.all()] == [RoundAction.OPEN, RoundAction.CLOSE, RoundAction.REOPEN]
    cleared = Scorecard.objects.get(round=world.round)
    assert (cleared.rank_in_type, cleared.rank_in_commune, cleared.rank_overall, cleared.selected) == (
        None,
        None,
        None,
        False,
    )
    assert cleared.status == ScorecardStatus.VERIFIED  # the verification stands
    assert refused(lambda: services.round_reopen(user=world.staff, round_=reopened, reason="Lần nữa")).messages == [
        _("Only a closed round can be reopened.")
    ]
    services.round_close(user=world.staff, round_=reopened)
    assert Scorecard.objects.get(round=world.round).rank_in_type == 1  # ranked again


def test_submitting_notifies_the_district(world):
    card(world, submit=True)
    notification = Notification.objects.get(recipient=world.staff)
    assert world.tree.village_a.name in notification.message
    assert notification.url == f"/campaigns/rounds/{world.round.pk}/"


# --- Verification -------------------------------------------------------------------------------


def test_verification_keeps_both_scores(world):
    submitted = card(world, submit=True, values=(40, 30, 30))
    first = world.criteria[0]
    verified = services.scorecard_verify(
        user=world.staff, scorecard=submitted, verified={first.pk: "30"}, note="Chuồng trại chưa di chuyển hết"
    )
    assert (verified.self_total, verified.verified_total, verified.final_total) == (
        Decimal(100),
        Decimal(90),
        Decimal(90),
    )
    assert (verified.status, verified.verified_by, verified.verification_note) == (
        ScorecardStatus.VERIFIED,
        world.staff,
        "Chuồng trại chưa di chuyển hết",
    )
    entries = {e.criterion.code: (e.self_score, e.verified_score) for e in verified.entries.select_related("criterion")}
    assert entries == {
        "TC1": (Decimal(40), Decimal(30)),
        "TC2": (Decimal(30), Decimal(30)),
        "TC3": (Decimal(30), Decimal(30)),
    }
    error = refused(
        lambda: services.scorecard_update(user=world.officer_a, scorecard=verified, entries=world.entries(1, 1, 1))
    )
    assert error.messages == [
        _("%(unit)s has been verified; its self-assessment can no longer change.") % {"unit": world.tree.village_a.name}
    ]
    # A verified row of the grid is left as it is.
    services.grid_save(user=world.officer_a, round_=world.round, rows={world.tree.village_a.pk: world.scores(1, 1, 1)})
    assert Scorecard.objects.get(pk=verified.pk).self_total == 100


def test_verification_refuses_bad_scores_and_drafts(world):
    draft = card(world)
    assert refused(lambda: services.scorecard_verify(user=world.staff, scorecard=draft)).messages == [
        _("%(unit)s has not been submitted yet.") % {"unit": world.tree.village_a.name}
    ]
    submitted = services.scorecard_submit(user=world.officer_a, scorecard=draft)
    error = refused(
        lambda: services.scorecard_verify(user=world.staff, scorecard=submitted, verified={world.criteria[1].pk: "31"})
    )
    assert error.message_dict["TC2"] == [_("%(code)s: at most %(max)s points.") % {"code": "TC2", "max": "30"}]


def test_returning_a_card_clears_the_verified_scores_and_keeps_the_commune_s(world):
    submitted = card(world, submit=True)
    verified = services.scorecard_verify(user=world.staff, scorecard=submitted, verified={world.criteria[0].pk: "0"})
    error = refused(lambda: services.scorecard_return(user=world.staff, scorecard=verified, note=""))
    assert field_messages(error, "note") == [_("Say what the commune should fix.")]
    returned = services.scorecard_return(user=world.staff, scorecard=verified, note="Thiếu ảnh minh chứng")
    assert (returned.status, returned.verified_total, returned.self_total) == (
        ScorecardStatus.DRAFT,
        None,
        Decimal(100),
    )
    assert set(returned.entries.values_list("verified_score", flat=True)) == {None}
    assert refused(lambda: services.scorecard_return(user=world.staff, scorecard=returned, note="x")).messages == [
        _("%(unit)s is already a draft.") % {"unit": world.tree.village_a.name}
    ]


def test_weights_count_in_the_totals(world):
    Criterion.objects.filter(pk=world.criteria[0].pk).update(weight=Decimal("1.5"))
    created = services.scorecard_create(
        user=world.officer_a, round_=world.round, unit=world.tree.village_a, entries=world.entries(20, 10, "7,5")
    )
    assert (created.self_total, created.max_total) == (Decimal("47.5"), Decimal(120))  # 20 × 1,5 + 10 + 7,5


def test_removing_a_scored_target_type_from_a_movement_is_refused(world):
    world.movement = services.movement_update(
        user=world.staff, movement=world.movement, values={"target_types": [VIL, TargetType.SCHOOL]}
    )
    card(world)
    error = refused(
        lambda: services.movement_update(
            user=world.staff, movement=world.movement, values={"target_types": [TargetType.SCHOOL]}
        )
    )
    assert field_messages(error, "target_types") == [
        _("Units of a removed type have already been scored; end the movement instead.")
    ]


def test_a_model_step_is_dated_when_it_happened_never_in_the_future_nor_before_the_last(tree, commune_a_officer):
    model = services.dvk_model_create(
        user=commune_a_officer,
        data=services.DvkModelInput(
            values={
                "name": "Nếp sống mới",
                "field": "culture_society",
                "level": "village",
                "owner_unit": tree.commune_a,
                "locality": tree.village_a,
                "registered_on": date(2024, 1, 10),
            }
        ),
    )
    services.dvk_transition(user=commune_a_officer, model=model, to_status="surveyed", effective_on=date(2024, 2, 1))
    for day in (date(2024, 1, 20), date(2099, 1, 1)):
        with pytest.raises(ValidationError) as refused:
            services.dvk_transition(
                user=commune_a_officer, model=model, to_status="village_consulted", effective_on=day
            )
        assert "effective_on" in refused.value.message_dict
    model.refresh_from_db()
    assert model.status == "surveyed"
    assert list(model.events.values_list("to_status", "effective_on")) == [("surveyed", date(2024, 2, 1))]
