"""Reading cells: Excel values and Vietnamese-formatted text, ambiguous values refused."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.utils.translation import gettext as _

from dialogues.models import PetitionField
from imports.cells import CellError, read_boolean, read_cell, read_date, read_decimal, read_integer
from imports.spec import CHOICE, DATE, DECIMAL, INTEGER, TEXT, Column

INT = Column("n", "Số", INTEGER)
DEC = Column("d", "Diện tích", DECIMAL)
FIELD = Column("f", "Lĩnh vực", CHOICE, choices=lambda: PetitionField.choices)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime(2024, 2, 5, 0, 0), date(2024, 2, 5)),
        (date(2024, 2, 5), date(2024, 2, 5)),
        ("05/02/2024", date(2024, 2, 5)),
        ("5/2/2024", date(2024, 2, 5)),
        ("05-02-2024", date(2024, 2, 5)),
        ("05.02.2024", date(2024, 2, 5)),
        ("2024-02-05", date(2024, 2, 5)),
    ],
)
def test_dates_day_first(value, expected):
    assert read_date(value) == expected


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("02/25/2024", "02/25/2024"),
        ("05/02/24", "05/02/24"),
        ("31/02/2024", "31/02/2024"),
        ("Tháng 2/2024", "Tháng 2/2024"),
        (45327, "45327"),
    ],
)
def test_ambiguous_or_wrong_dates_are_refused(value, fragment):
    with pytest.raises(CellError) as caught:
        read_date(value)
    assert fragment in str(caught.value)


def test_month_day_year_suggests_the_day_first_form():
    with pytest.raises(CellError) as caught:
        read_date("02/25/2024")
    assert "25/02/2024" in str(caught.value)


@pytest.mark.parametrize(
    ("value", "expected"), [(12, 12), (12.0, 12), ("1.234.567", 1234567), ("1234567", 1234567), (" 85 ", 85)]
)
def test_integers(value, expected):
    assert read_integer(value, INT) == expected


@pytest.mark.parametrize("value", ["1,234.56", "1.5", "12,5", 12.5, "mười", True])
def test_bad_integers(value):
    with pytest.raises(CellError):
        read_integer(value, INT)


def test_negative_numbers_refused_unless_allowed():
    with pytest.raises(CellError) as caught:
        read_integer(-3, INT)
    assert "-3" in str(caught.value)
    assert read_integer(-3, Column("n", "Số", INTEGER, allow_negative=True)) == -3
    with pytest.raises(CellError):
        read_decimal("-2,5", DEC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("283,75", Decimal("283.75")), ("1.234,5", Decimal("1234.5")), (283.75, Decimal("283.75")), (7, Decimal(7))],
)
def test_decimals(value, expected):
    assert read_decimal(value, DEC) == expected


def test_mixed_separators_are_refused():
    with pytest.raises(CellError):
        read_decimal("1,234.56", DEC)


def test_choices_accept_label_code_and_folded_text():
    transport = PetitionField.TRANSPORT
    assert read_cell(str(PetitionField.TRANSPORT.label), FIELD) == transport
    assert read_cell("transport", FIELD) == transport
    assert read_cell("GIAO THONG", FIELD) == transport  # the Vietnamese label, without diacritics
    assert read_cell("Transport", FIELD) == transport  # the English label


def test_unknown_choice_lists_the_allowed_labels():
    with pytest.raises(CellError) as caught:
        read_cell("Thời tiết", FIELD)
    assert str(PetitionField.LAND.label) in str(caught.value)


@pytest.mark.parametrize(
    ("value", "expected"), [("Có", True), ("có", True), ("x", True), ("Không", False), ("No", False), (True, True)]
)
def test_booleans(value, expected):
    assert read_boolean(value) is expected


def test_required_blank_cell():
    with pytest.raises(CellError) as caught:
        read_cell("  ", Column("t", "Chủ đề", TEXT, required=True))
    assert str(caught.value) == _("This column is required.")


def test_text_length_is_checked():
    with pytest.raises(CellError):
        read_cell("x" * 201, Column("t", "Người nêu", TEXT, max_length=200))
    assert read_cell(" Ông   A ", Column("t", "Người nêu", TEXT)) == "Ông   A"
    assert read_cell(3601.0, Column("t", "Mã", TEXT)) == "3601"
    assert read_cell(date(2024, 1, 2), Column("d", "Ngày", DATE)) == date(2024, 1, 2)
