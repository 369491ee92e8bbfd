"""services.document_issue: Party numbering per (issuer, kind, term), symbols and no gaps."""

from datetime import date
from unittest import mock

import pytest
from django.core.exceptions import ValidationError

from organization import services
from organization.models import Document, DocumentCounter
from organization.tests.factories import TermFactory


def issue(issuer, kind="TB", day=date(2024, 2, 5), subject="Thông báo kết luận", **kwargs) -> Document:
    return services.document_issue(issuer=issuer, kind=kind, day=day, subject=subject, created_by=None, **kwargs)


@pytest.fixture
def next_term(tree):
    committee = tree.party_committee
    committee.valid_to = None
    committee.save()
    return TermFactory(unit=committee, name="khóa XXIII", start_date=date(2025, 7, 1), end_date=date(2030, 6, 30))


def test_numbers_follow_each_other_within_issuer_kind_and_term(tree):
    numbers = [issue(tree.party_committee).number for _ in range(3)]
    assert numbers == [1, 2, 3]
    assert DocumentCounter.objects.get(issuer=tree.party_committee, kind="TB").last_number == 3


def test_numbering_restarts_for_a_new_term(tree, next_term):
    issue(tree.party_committee, day=date(2025, 6, 1))
    last_of_old = issue(tree.party_committee, day=date(2025, 6, 30))
    first_of_new = issue(tree.party_committee, day=date(2025, 7, 1))
    assert last_of_old.number == 2
    assert (first_of_new.number, first_of_new.term) == (1, next_term)
    assert first_of_new.symbol == "1-TB/HU"


def test_numbering_is_separate_per_kind_and_per_issuer(tree):
    issue(tree.party_committee, kind="TB")
    issue(tree.party_committee, kind="TB")
    plan = issue(tree.party_committee, kind="KH")
    board_notice = issue(tree.ban_dan_van, kind="TB")
    assert plan.number == 1
    assert board_notice.number == 1
    # The board numbers within its committee's term (found by walking up the tree).
    assert board_notice.term.unit == tree.party_committee
    assert board_notice.symbol == "1-TB/BDVHU"


@pytest.mark.parametrize(
    ("kind", "symbol"), [("DA", "1-ĐA/HU"), ("QD", "1-QĐ/HU"), ("NQ", "1-NQ/HU"), ("CTr", "1-CTr/HU")]
)
def test_symbols_use_the_written_abbreviation(tree, kind, symbol):
    assert issue(tree.party_committee, kind=kind).symbol == symbol


def test_a_subject_too_long_is_refused_and_the_counter_is_unchanged(tree):
    issue(tree.party_committee)
    with pytest.raises(ValidationError) as error:
        issue(tree.party_committee, subject="x" * 501)
    assert "subject" in error.value.error_dict
    assert DocumentCounter.objects.get().last_number == 1
    assert issue(tree.party_committee).number == 2  # no gap


def test_a_failure_after_the_number_is_given_rolls_the_counter_back(tree):
    issue(tree.party_committee)
    with mock.patch.object(Document, "save", side_effect=RuntimeError("disk full")), pytest.raises(RuntimeError):
        issue(tree.party_committee)
    assert DocumentCounter.objects.get().last_number == 1
    assert Document.objects.count() == 1
    assert issue(tree.party_committee).number == 2


def test_a_date_outside_every_term_is_refused_without_touching_counters(tree):
    with pytest.raises(ValidationError) as error:
        issue(tree.party_committee, day=date(2020, 3, 1))
    assert "date" in error.value.error_dict
    assert "01/03/2020" in str(error.value)
    assert not DocumentCounter.objects.exists()


def test_an_issuer_without_symbol_or_outside_its_validity_is_refused(tree):
    with pytest.raises(ValidationError) as no_symbol:
        issue(tree.standing_board)
    assert "issuer" in no_symbol.value.error_dict
    with pytest.raises(ValidationError) as gone:
        issue(tree.party_committee, day=date(2025, 7, 2))
    assert "date" in gone.value.error_dict
    assert not Document.objects.exists()
