"""Vietnamese number input (organization.numbers): "." groups thousands, "," is the decimal mark.

What is accepted and what is refused, and why the refusals matter:

* "1.234" is one thousand two hundred thirty-four, as every Vietnamese office writes it. So
  "283.75" cannot be read as 283,75: in the same box "283.750" would mean 283.750 (a thousand
  times more) while "283.75" meant 283,75. A dot followed by anything other than exactly three
  digits is neither a Vietnamese grouping nor a Vietnamese decimal, so it is refused with a
  message showing the right way, never guessed.
* A comma in a whole number ("1,5") is a decimal: refused where whole đồng are expected.
* Signs are parsed and kept, so the caller (a form field with ``min_value``) refuses a negative
  amount with its own message, instead of the parser silently dropping the minus.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.utils import translation

from organization.numbers import (
    VietnameseDecimalField,
    VietnameseIntegerField,
    parse_decimal,
    parse_integer,
)

NBSP = "\u00a0"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


# --- parse_integer ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.234.567", 1_234_567),
        ("1234567", 1_234_567),
        (" 1 234 567 ", 1_234_567),  # spaces between groups, and around
        (f"1{NBSP}234{NBSP}567", 1_234_567),  # non-breaking spaces, as copied from Word or Excel
        ("55.599.700.000", 55_599_700_000),  # the article's 55.599,7 million đồng, in đồng
        ("0", 0),
        ("007", 7),
        ("+12", 12),
        ("-5", -5),  # kept negative for the caller to refuse
    ],
)
def test_parse_integer_accepts(text, expected):
    assert parse_integer(text) == expected


def test_parse_integer_passes_ints_through():
    assert parse_integer(250_000_000_000) == 250_000_000_000


@pytest.mark.parametrize(
    "text",
    [
        "1,5",  # a decimal
        "1.23",  # a dot not followed by three digits: not a grouping
        "1.2345",
        "12.34.567",  # groups of the wrong size
        "1.234.567,00",  # whole đồng have no decimals
        ".123",
        "abc",
        "12a",
        "",
        "   ",
    ],
)
def test_parse_integer_refuses(text):
    with pytest.raises(ValidationError) as refused:
        parse_integer(text)
    assert refused.value.code == "invalid_number"
    assert "is not a whole number. Write it as 1.234.567 or 1234567." in refused.value.messages[0]


def test_parse_integer_names_the_value_it_refuses():
    with pytest.raises(ValidationError) as refused:
        parse_integer("1,5")
    assert refused.value.messages == ["“1,5” is not a whole number. Write it as 1.234.567 or 1234567."]


def test_parse_integer_refuses_two_signs():
    with pytest.raises(ValidationError):
        parse_integer("+-5")


# --- parse_decimal ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("283,75", Decimal("283.75")),  # the article's 283,75 km
        ("1.234,5", Decimal("1234.5")),
        ("649.003", Decimal("649003")),  # the article's 649.003 m²: a grouping, not a decimal
        ("1.234", Decimal("1234")),
        ("12", Decimal("12")),
        ("263,26", Decimal("263.26")),
        ("0,5", Decimal("0.5")),
        (f" 1{NBSP}234,5 ", Decimal("1234.5")),
        ("-2,5", Decimal("-2.5")),  # kept negative for the caller to refuse
    ],
)
def test_parse_decimal_accepts(text, expected):
    result = parse_decimal(text)
    assert result == expected
    assert isinstance(result, Decimal)


def test_parse_decimal_passes_numbers_through_as_decimals():
    assert parse_decimal(Decimal("283.75")) == Decimal("283.75")
    assert parse_decimal(12) == Decimal(12)
    assert parse_decimal(0.1) == Decimal("0.1")  # via str, not the binary float 0.1000000000000000055…


@pytest.mark.parametrize(
    "text",
    [
        "283.75",  # an English decimal: "." groups thousands here (see the module docstring)
        "1.2.3,4",  # groups of the wrong size
        "1,2,3",
        "1,234.5",  # English grouping
        ",5",
        "5,",
        "1.23,4",
        "abc",
        "",
    ],
)
def test_parse_decimal_refuses(text):
    with pytest.raises(ValidationError) as refused:
        parse_decimal(text)
    assert refused.value.code == "invalid_number"
    assert "Use a comma for decimals, e.g. 283,75, and dots between thousands." in refused.value.messages[0]


# --- VietnameseIntegerField ---------------------------------------------------------------------


class MoneyForm(forms.Form):
    amount = VietnameseIntegerField(label="Số tiền")
    change = VietnameseIntegerField(label="Chênh lệch", min_value=None, required=False)


def test_integer_field_cleans_vietnamese_grouping():
    form = MoneyForm(data={"amount": "1.234.567", "change": "-5"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"amount": 1_234_567, "change": -5}


def test_integer_field_refuses_below_its_minimum():
    form = MoneyForm(data={"amount": "-5"})
    assert not form.is_valid()
    assert form.errors["amount"] == ["The value cannot be below 0."]


def test_integer_field_refuses_a_decimal_with_the_parsers_message():
    form = MoneyForm(data={"amount": "1,5"})
    assert not form.is_valid()
    assert form.errors["amount"] == ["“1,5” is not a whole number. Write it as 1.234.567 or 1234567."]


def test_integer_field_empty_is_required_or_none():
    form = MoneyForm(data={"amount": "", "change": ""})
    assert not form.is_valid()
    assert form.errors["amount"] == ["This field is required."]
    assert "change" not in form.errors


def test_integer_field_shows_its_value_with_dots_and_keeps_what_was_typed():
    field = VietnameseIntegerField()
    assert field.prepare_value(1_234_567) == "1.234.567"
    assert field.prepare_value(250_000_000_000) == "250.000.000.000"
    assert field.prepare_value(999) == "999"
    assert field.prepare_value("1,5") == "1,5"  # a refused entry is shown back as typed
    assert field.prepare_value(None) is None
    html = str(MoneyForm(initial={"amount": 1_234_567})["amount"])
    assert 'value="1.234.567"' in html
    assert 'inputmode="numeric"' in html


# --- VietnameseDecimalField ---------------------------------------------------------------------


class AreaForm(forms.Form):
    area = VietnameseDecimalField(label="Diện tích")
    ratio = VietnameseDecimalField(label="Tỷ lệ", decimal_places=3, min_value=Decimal("0.5"), required=False)


def test_decimal_field_cleans_vietnamese_decimals():
    form = AreaForm(data={"area": "283,75", "ratio": "1,125"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"area": Decimal("283.75"), "ratio": Decimal("1.125")}


def test_decimal_field_refuses_more_decimal_places_than_it_keeps():
    form = AreaForm(data={"area": "283,755"})
    assert not form.is_valid()
    assert form.errors["area"] == ["Use at most 2 decimal places."]


def test_decimal_field_refuses_below_its_minimum():
    form = AreaForm(data={"area": "-1", "ratio": "0,4"})
    assert not form.is_valid()
    assert form.errors["area"] == ["The value cannot be below 0."]
    assert form.errors["ratio"] == ["The value cannot be below 0.5."]


def test_decimal_field_refuses_an_english_decimal():
    form = AreaForm(data={"area": "283.75"})
    assert not form.is_valid()
    assert "Use a comma for decimals" in form.errors["area"][0]


def test_decimal_field_shows_its_value_the_vietnamese_way():
    field = VietnameseDecimalField()
    assert field.prepare_value(Decimal("283.75")) == "283,75"
    assert field.prepare_value(Decimal("1234.5")) == "1.234,5"
    assert field.prepare_value(Decimal("649003")) == "649.003"
    assert field.prepare_value(Decimal("1234567.89")) == "1.234.567,89"
    assert field.prepare_value("283.75") == "283.75"  # a refused entry is shown back as typed
    html = str(AreaForm(initial={"area": Decimal("283.75")})["area"])
    assert 'value="283,75"' in html
    assert 'inputmode="decimal"' in html


def test_decimal_field_round_trips_what_it_shows():
    field = VietnameseDecimalField()
    for value in (Decimal("283.75"), Decimal("1234.5"), Decimal("649003"), Decimal("0.05")):
        assert field.clean(field.prepare_value(value)) == value


def test_number_fields_bound_the_typed_text_not_the_parsed_number():
    from organization.numbers import VietnameseDecimalField, VietnameseIntegerField

    assert VietnameseIntegerField(max_length=12).clean("1.234.567") == 1234567
    assert VietnameseDecimalField(max_length=8).clean("283,75") == Decimal("283.75")
    with pytest.raises(ValidationError):
        VietnameseIntegerField(max_length=5).clean("1.234.567")
