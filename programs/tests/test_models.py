"""Rules about one row (model methods and validation) and the database constraints that hold
even when code bypasses ``full_clean()``."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from organization import access
from programs.models import (
    PROGRAM_TRANSITIONS,
    Contribution,
    ContributionKind,
    ContributorType,
    Disbursement,
    LandDonation,
    ParticipantCategory,
    Participation,
    Program,
    ProgramStatus,
    Qualifier,
    RoadProject,
    check_qualifier,
)
from programs.tests.factories import (
    ClearanceProjectFactory,
    DisbursementFactory,
    DonationFactory,
    ProgramFactory,
    RoadProjectFactory,
)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


# --- Qualifiers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("qualifier", "value", "accepted"),
    [
        (Qualifier.EXACT, 20_137, True),
        (Qualifier.EXACT, 0, True),
        (Qualifier.OVER, 20_000, True),  # "trên 20.000"
        (Qualifier.ALMOST, 10_000_000_000, True),  # "gần 10 tỷ"
        (Qualifier.OVER, Decimal("1200.00"), True),
        (Qualifier.OVER, None, True),  # nothing to qualify yet
        (Qualifier.OVER, 20_137, False),  # a figure that exact is not hedged
        (Qualifier.ALMOST, Decimal("299.5"), False),
        (Qualifier.OVER, 0, False),  # "over zero" says nothing
    ],
)
def test_a_hedge_word_fits_only_a_round_positive_figure(qualifier, value, accepted):
    assert (check_qualifier(qualifier, value) is None) is accepted


def test_participation_with_a_contradicting_qualifier_is_invalid():
    row = Participation(category=ParticipantCategory.RESIDENTS, person_times=155, qualifier=Qualifier.OVER)
    with pytest.raises(ValidationError) as refused:
        row.full_clean(exclude=["program"])
    assert "round figure" in refused.value.message_dict["qualifier"][0]


def test_contribution_qualifier_reads_the_value_before_the_quantity(db):
    # 120 labour-days worth "over 36.000.000": the money value is the round figure hedged.
    row = Contribution(
        contributor_type=ContributorType.RESIDENTS,
        kind=ContributionKind.LABOUR_DAYS,
        quantity=Decimal(123),
        value_vnd=36_000_000,
        qualifier=Qualifier.OVER,
    )
    row.full_clean(exclude=["program"])  # 36.000.000 is round: accepted
    row.value_vnd = 0  # without a value, the hedge falls on 123 days, which is not round
    with pytest.raises(ValidationError) as refused:
        row.full_clean(exclude=["program"])
    assert "qualifier" in refused.value.message_dict


# --- Programs -----------------------------------------------------------------------------------


def test_every_status_has_its_transitions_and_reviewed_is_final():
    assert set(PROGRAM_TRANSITIONS) == set(ProgramStatus)
    assert PROGRAM_TRANSITIONS[ProgramStatus.REVIEWED] == set()
    assert ProgramStatus.HELD in PROGRAM_TRANSITIONS[ProgramStatus.PLANNED]  # a survey may be skipped
    assert ProgramStatus.PLANNED not in set().union(*PROGRAM_TRANSITIONS.values())  # nothing goes back


def test_program_village_must_belong_to_the_host_commune(tree):
    program = Program(
        unit=tree.commune_a,
        village=tree.village_b,
        organizer_level="commune",
        organizer=tree.commune_a,
        title="Ra quân",
        date=date(2023, 3, 1),
    )
    with pytest.raises(ValidationError) as refused:
        program.full_clean()
    assert refused.value.message_dict["village"] == ["The village must belong to the host commune."]


def test_program_fields_must_be_known(tree):
    program = Program(
        unit=tree.commune_a,
        organizer_level="commune",
        organizer=tree.commune_a,
        title="Ra quân",
        date=date(2023, 3, 1),
        fields=["environment", "astrology"],
    )
    with pytest.raises(ValidationError) as refused:
        program.full_clean()
    assert refused.value.message_dict["fields"] == ["Unknown fields: astrology."]


def test_program_search_text_is_folded_and_history_skips_it(tree):
    program = ProgramFactory(unit=tree.commune_a, title="Ra quân tại Khu dân cư Nặm Mèng")
    assert "khu dan cu nam meng" in program.search_text
    assert "search_text" not in {field.name for field in Program.history.model._meta.get_fields()}
    assert str(program) == "15/03/2023 · Ra quân tại Khu dân cư Nặm Mèng"


def test_one_participation_row_per_category(tree):
    program = ProgramFactory(unit=tree.commune_a)
    Participation.objects.create(program=program, category=ParticipantCategory.YOUTH, person_times=10)
    with pytest.raises(IntegrityError), transaction.atomic():
        Participation.objects.create(program=program, category=ParticipantCategory.YOUTH, person_times=5)


def test_programs_are_visible_within_the_users_subtree_only(tree, commune_a_officer, district_staff):
    in_a = ProgramFactory(unit=tree.commune_a)
    in_b = ProgramFactory(unit=tree.commune_b)
    assert list(Program.objects.visible_to(commune_a_officer)) == [in_a]
    assert set(Program.objects.visible_to(district_staff)) == {in_a, in_b}


# --- Roads and donations ------------------------------------------------------------------------


def test_road_people_share_is_bounded_in_the_database(tree):
    with pytest.raises(IntegrityError), transaction.atomic():
        RoadProject.objects.create(
            unit=tree.commune_a,
            name="Đường",
            year=2023,
            length_m=Decimal(100),
            total_investment_vnd=100,
            people_share_vnd=101,
        )


def test_road_length_is_positive_in_the_database(tree):
    with pytest.raises(IntegrityError), transaction.atomic():
        RoadProject.objects.create(unit=tree.commune_a, name="Đường", year=2023, length_m=Decimal(0))


def test_donation_amounts_are_non_negative_in_the_database(tree):
    with pytest.raises(IntegrityError), transaction.atomic():
        LandDonation.objects.create(unit=tree.commune_a, donor="Hộ", donated_on=date(2023, 1, 1), area_m2=Decimal(-1))


def test_donation_tree_count_adds_up_the_species(tree):
    donation = DonationFactory(unit=tree.commune_a, trees={"quế": 300, "mỡ": 50, "tre": 0})
    assert donation.tree_count == 350
    assert LandDonation(trees={}).tree_count == 0


def test_donation_road_must_be_in_the_same_commune(tree):
    road_b = RoadProjectFactory(unit=tree.commune_b)
    donation = LandDonation(unit=tree.commune_a, donor="Hộ", donated_on=date(2023, 1, 1), area_m2=10, road=road_b)
    with pytest.raises(ValidationError) as refused:
        donation.full_clean()
    assert refused.value.message_dict["road"] == ["The road must be in the same commune."]


def test_donation_search_text_finds_the_donor_without_diacritics(tree):
    donation = DonationFactory(unit=tree.commune_a, donor="Hộ ông Giàng Seo Páo", other_assets="Hàng rào đá")
    assert donation.search_text == "ho ong giang seo pao hang rao da"


# --- Site clearance -----------------------------------------------------------------------------


def test_a_disbursement_belongs_to_the_projects_unit(tree, district_staff, commune_a_officer):
    payment = DisbursementFactory(project=ClearanceProjectFactory(unit=tree.district))
    assert payment.scope_unit == tree.district
    assert access.can_edit(district_staff, payment)
    assert not access.can_edit(commune_a_officer, payment)


def test_a_disbursement_is_positive_in_the_database(tree):
    project = ClearanceProjectFactory(unit=tree.district)
    with pytest.raises(IntegrityError), transaction.atomic():
        Disbursement.objects.create(project=project, paid_on=date(2023, 1, 1), amount_vnd=0)
