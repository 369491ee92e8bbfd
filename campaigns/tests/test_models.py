"""Rules about one row: validation in ``clean()``, database constraints, computed properties,
which units each target type scores, and the Dân vận khéo model's allowed transitions."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from campaigns import services
from campaigns.models import (
    Award,
    AwardForm,
    CommitmentItem,
    CommitmentStatus,
    CriteriaSet,
    Criterion,
    DvkField,
    DvkLevel,
    DvkModel,
    EmulationPledge,
    HouseholdCommitment,
    Movement,
    PledgeResult,
    Scorecard,
    ScoreEntry,
    ScoringRound,
    TargetType,
    commune_of,
    format_points,
    target_type_of,
)
from campaigns.tests.factories import movement_with_criteria, open_round
from campaigns.workflow import DVK_TRANSITIONS, SIGNING_STATUSES, DvkStatus, can_move, next_statuses
from organization.models import DocumentKind, UnitKind
from organization.services import document_issue
from organization.tests.factories import UnitFactory

pytestmark = pytest.mark.django_db

VIL = TargetType.VILLAGE


def messages(exc: ValidationError, field: str | None = None) -> list[str]:
    return exc.message_dict[field] if field else exc.messages


@pytest.fixture
def movement(tree, district_staff) -> Movement:
    return movement_with_criteria(district_staff, tree.district, maxima=("40", "30", "30"))


# --- Target types and communes ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "target"),
    [
        (UnitKind.VILLAGE, TargetType.VILLAGE),
        (UnitKind.RESIDENTIAL_CLUSTER, TargetType.VILLAGE),
        (UnitKind.OFFICE, TargetType.OFFICE),
        (UnitKind.DEPARTMENT, TargetType.OFFICE),
        (UnitKind.PARTY_COMMITTEE, TargetType.OFFICE),
        (UnitKind.SCHOOL, TargetType.SCHOOL),
        (UnitKind.RELIGIOUS_GROUP, TargetType.RELIGIOUS_GROUP),
        (UnitKind.COMMUNE, None),
        (UnitKind.STANDING_BOARD, None),
    ],
)
def test_target_type_of_a_unit_kind(kind, target):
    assert target_type_of(UnitFactory.build(kind=kind)) == target


def test_commune_of_a_unit(tree):
    cluster = UnitFactory(kind=UnitKind.RESIDENTIAL_CLUSTER, parent=tree.village_a, valid_to=date(2025, 6, 30))
    assert commune_of(cluster) == tree.commune_a
    assert commune_of(tree.village_b) == tree.commune_b
    assert commune_of(tree.commune_a) == tree.commune_a
    assert commune_of(tree.agency) is None  # a district department
    assert commune_of(tree.district) is None


# --- Movement -----------------------------------------------------------------------------------


def test_movement_needs_known_target_types(tree):
    movement = Movement(name="P", unit=tree.district, launched_by=tree.party_committee, launch_date=date(2024, 1, 1))
    movement.target_types = []
    with pytest.raises(ValidationError) as empty:
        movement.full_clean()
    assert _("Choose at least one kind of unit to score.") in messages(empty.value, "target_types")
    movement.target_types = ["village", "market"]
    with pytest.raises(ValidationError) as unknown:
        movement.full_clean()
    assert messages(unknown.value, "target_types") == [_("Unknown target types: %(names)s.") % {"names": "market"}]


def test_movement_launched_when_its_area_existed(tree):
    movement = Movement(
        name="P", unit=tree.district, launched_by=tree.party_committee, launch_date=date(2025, 7, 1), target_types=[VIL]
    )
    with pytest.raises(ValidationError) as error:
        movement.full_clean()
    assert "launch_date" in error.value.message_dict
    assert movement.get_target_types_display() == str(TargetType.VILLAGE.label)


def test_movement_search_text_is_folded(movement):
    assert "10 phut" in movement.search_text


# --- Criteria sets ------------------------------------------------------------------------------


def test_a_set_is_valid_when_its_criteria_add_up(movement):
    criteria_set = movement.criteria_sets.get()
    assert criteria_set.problems() == []
    assert criteria_set.weighted_max() == 100
    Criterion.objects.filter(criteria_set=criteria_set, code="TC3").update(max_points=Decimal("22.5"))
    assert criteria_set.problems() == [
        _("The criteria's maximum points add up to %(found)s, not the set's total of %(total)s.")
        % {"found": "92,5", "total": "100"}
    ]
    Criterion.objects.filter(criteria_set=criteria_set).delete()
    assert criteria_set.problems() == [_("The set has no criteria.")]


def test_weights_multiply_the_maximum(movement):
    criteria_set = movement.criteria_sets.get()
    Criterion.objects.filter(criteria_set=criteria_set, code="TC1").update(weight=Decimal(2))
    assert criteria_set.weighted_max() == 140  # 40 × 2 + 30 + 30
    assert criteria_set.problems() == []  # the total counts points, not weighted points


def test_points_are_written_the_vietnamese_way():
    assert [format_points(Decimal(v)) for v in ("7.5", "100", "100.00", "0.25", "40.50")] == [
        "7,5",
        "100",
        "100",
        "0,25",
        "40,5",
    ]


def test_one_set_per_type_and_year(movement):
    criteria_set = movement.criteria_sets.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        CriteriaSet.objects.create(movement=movement, target_type=VIL, year=2024, total_points=Decimal(100))
    assert not criteria_set.is_frozen


def test_a_criterion_needs_positive_points_in_the_database(movement):
    criteria_set = movement.criteria_sets.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Criterion.objects.create(criteria_set=criteria_set, code="X", text="x", max_points=Decimal(0))


# --- Rounds, scorecards and scores --------------------------------------------------------------


def test_a_round_is_one_month_stored_as_its_first_day(movement):
    with pytest.raises(IntegrityError), transaction.atomic():
        ScoringRound.objects.create(movement=movement, month=date(2024, 3, 2))
    round_ = ScoringRound.objects.create(movement=movement, month=date(2024, 2, 1))
    assert round_.month_end() == date(2024, 2, 29)
    assert round_.year == 2024
    with pytest.raises(IntegrityError), transaction.atomic():
        ScoringRound.objects.create(movement=movement, month=date(2024, 2, 1))


def test_final_total_and_percent_of_a_card():
    card = Scorecard(self_total=Decimal(45), max_total=Decimal(50))
    assert (card.final_total, card.percent) == (Decimal(45), Decimal("90.00"))
    card.verified_total = Decimal("33.33")
    assert (card.final_total, card.percent) == (Decimal("33.33"), Decimal("66.66"))
    card.verified_total = Decimal(0)
    assert card.final_total == 0  # a verified zero is a score, not "not verified"
    assert Scorecard(self_total=Decimal(5), max_total=Decimal(0)).percent == 0


def test_a_score_is_between_zero_and_the_maximum(movement):
    criterion = movement.criteria_sets.get().criteria.get(code="TC2")
    for value, field in ((Decimal("-1"), "self_score"), (Decimal("30.5"), "verified_score")):
        entry = ScoreEntry(criterion=criterion, **{field: value})
        with pytest.raises(ValidationError) as error:
            entry.clean()
        expected = (
            _("A score cannot be negative.")
            if value < 0
            else _("%(code)s: at most %(max)s points.") % {"code": "TC2", "max": "30"}
        )
        assert messages(error.value, field) == [expected]
    ScoreEntry(criterion=criterion, self_score=Decimal(30), verified_score=Decimal(0)).clean()


def test_one_scorecard_per_unit_and_round_in_the_database(tree, movement, district_staff):
    round_ = open_round(district_staff, movement, date(2024, 3, 1))
    card = services.scorecard_create(user=district_staff, round_=round_, unit=tree.village_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        Scorecard.objects.create(round=round_, unit=tree.village_a, target_type=VIL, criteria_set=card.criteria_set)
    assert card.commune == tree.commune_a and card.max_total == 100
    assert movement.criteria_sets.get().is_frozen


# --- Awards -------------------------------------------------------------------------------------


def test_award_rules(tree, movement, district_staff):
    other = movement_with_criteria(district_staff, tree.district, name="Phong trào khác")
    round_ = ScoringRound.objects.create(movement=other, month=date(2024, 3, 1))
    outside = UnitFactory(kind=UnitKind.VILLAGE)
    award = Award(
        movement=movement,
        round=round_,
        recipient_unit=outside,
        form=AwardForm.CERTIFICATE,
        issuer=tree.party_committee,
        date=date(2024, 4, 10),
        reason="Dẫn đầu",
        prize_value_vnd=1_000_000,
    )
    with pytest.raises(ValidationError) as error:
        award.full_clean()
    assert error.value.message_dict == {
        "round": [_("The round belongs to another movement.")],
        "recipient_unit": [_("The recipient is outside the movement's area.")],
        "prize_value_vnd": [_("Only a prize carries a sum of money.")],
    }
    award.round, award.recipient_unit, award.form = None, tree.village_a, AwardForm.PRIZE
    award.full_clean()
    award.save()
    with pytest.raises(IntegrityError), transaction.atomic():
        Award.objects.filter(pk=award.pk).update(prize_value_vnd=-1)


def test_an_award_is_dated_on_or_after_its_decision(tree):
    decision = document_issue(
        issuer=tree.party_committee, kind=DocumentKind.QD, day=date(2024, 5, 1), subject="Khen thưởng", created_by=None
    )
    award = Award(
        recipient_unit=tree.village_a,
        form=AwardForm.CERTIFICATE,
        issuer=tree.party_committee,
        decision_document=decision,
        date=date(2024, 4, 30),
        reason="Dẫn đầu",
    )
    with pytest.raises(ValidationError) as error:
        award.full_clean()
    assert error.value.message_dict["date"] == [_("An award is dated on or after its decision.")]
    award.date = date(2024, 5, 1)
    award.full_clean()


# --- Dân vận khéo models ------------------------------------------------------------------------


def _model(tree, **values) -> DvkModel:
    return DvkModel(
        **{
            "name": "Mô hình",
            "field": DvkField.CULTURE_SOCIETY,
            "level": DvkLevel.VILLAGE,
            "owner_unit": tree.commune_a,
            "locality": tree.village_a,
            "registered_on": date(2024, 1, 1),
            **values,
        }
    )


def test_model_rules(tree):
    model = _model(tree, locality=tree.village_b, start_date=date(2024, 5, 1), end_date=date(2024, 4, 1))
    with pytest.raises(ValidationError) as error:
        model.full_clean()
    assert error.value.message_dict == {
        "locality": [_("The locality must lie within the owner unit.")],
        "end_date": [_("The end is before the start.")],
    }
    late = _model(tree, registered_on=date(2025, 7, 1))
    with pytest.raises(ValidationError) as error:
        late.full_clean()
    assert error.value.message_dict["registered_on"] == [
        _("%(unit)s did not exist on that date.") % {"unit": tree.commune_a.name}
    ]
    _model(tree).full_clean()


def test_model_dates_are_ordered_in_the_database(tree):
    with pytest.raises(IntegrityError), transaction.atomic():
        _model(tree, start_date=date(2024, 5, 1), end_date=date(2024, 4, 1)).save()


def test_the_lifecycle_allows_only_its_transitions():
    S = DvkStatus
    assert can_move(S.REGISTERED, S.SURVEYED) and not can_move(S.REGISTERED, S.LAUNCHED)
    assert next_statuses(S.EVALUATED) == [S.RECOGNIZED, S.NOT_MET, S.STOPPED]
    assert next_statuses(S.NOT_MET) == [S.IN_PROGRESS, S.STOPPED]
    assert next_statuses(S.REPLICATED) == next_statuses(S.STOPPED) == []
    assert set(DVK_TRANSITIONS) == set(S.values)
    for status in S.values:
        if status not in (S.REPLICATED, S.STOPPED):
            assert can_move(status, S.STOPPED), status
    assert S.REGISTERED not in SIGNING_STATUSES and S.SURVEYED not in SIGNING_STATUSES
    assert S.VILLAGE_CONSULTED in SIGNING_STATUSES and S.STOPPED not in SIGNING_STATUSES


# --- Household commitments and pledges ----------------------------------------------------------


def test_the_five_commitment_items_of_the_article_are_offered():
    assert list(CommitmentItem.objects.filter(is_active=True).values_list("code", flat=True)) == [
        "no-backward-customs",
        "no-illegal-organizations",
        "no-child-consanguineous-marriage",
        "obey-the-law",
        "join-new-rural-area",
    ]


def test_commitment_rules(tree):
    model = _model(tree)
    model.save()
    commitment = HouseholdCommitment(
        model=model,
        household_head="Giàng A Páo",
        village=tree.village_b,
        signed_on=date(2024, 3, 1),
        status=CommitmentStatus.BROKEN,
        broken_on=date(2024, 2, 1),
    )
    with pytest.raises(ValidationError) as error:
        commitment.full_clean()
    assert error.value.message_dict == {
        "village": [_("This household is outside the model's area (%(area)s).") % {"area": tree.village_a.name}],
        "broken_on": [_("A commitment cannot be broken before it was signed.")],
    }
    commitment.village, commitment.broken_on = tree.village_a, None
    with pytest.raises(ValidationError) as error:
        commitment.full_clean()
    assert error.value.message_dict["broken_on"] == [_("Give the date the commitment was broken.")]
    commitment.status, commitment.broken_on = CommitmentStatus.KEPT, date(2024, 4, 1)
    with pytest.raises(ValidationError) as error:
        commitment.full_clean()
    assert error.value.message_dict["broken_on"] == [_("A kept commitment has no date of breaking.")]
    with pytest.raises(IntegrityError), transaction.atomic():
        commitment.save()  # the database refuses a kept commitment with a date of breaking too


def test_pledge_rules(tree):
    pledge = EmulationPledge(unit=tree.village_a, year=2024, signed_on=date(2023, 12, 30), result=PledgeResult.PLEDGED)
    with pytest.raises(ValidationError) as error:
        pledge.full_clean()
    assert error.value.message_dict == {
        "unit": [_("Pledges are registered by religious groups.")],
        "signed_on": [_("The pledge is signed in the year it is for.")],
    }
    group = UnitFactory(kind=UnitKind.RELIGIOUS_GROUP, parent=tree.commune_a, valid_to=date(2025, 6, 30))
    EmulationPledge.objects.create(unit=group, year=2024, signed_on=date(2024, 1, 5))
    with pytest.raises(IntegrityError), transaction.atomic():
        EmulationPledge.objects.create(unit=group, year=2024, signed_on=date(2024, 2, 5))


def test_the_default_commitment_items_come_back_after_the_database_is_emptied(db):
    from campaigns.commitment_items import DEFAULT_ITEMS, ensure_defaults

    CommitmentItem.objects.all().delete()  # what a test flush (or an empty database) leaves
    assert ensure_defaults() == len(DEFAULT_ITEMS)
    assert ensure_defaults() == 0
    assert list(CommitmentItem.objects.values_list("code", flat=True)) == [code for code, _text in DEFAULT_ITEMS]
