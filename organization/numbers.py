"""Numbers as Vietnamese offices write them: "." groups thousands, "," is the decimal mark.

"1.234.567" and "1234567" are both 1,234,567 đồng; "283,75" is 283.75. A number that could be
read two ways is refused rather than guessed: "1.234" alone is one thousand two hundred
thirty-four (Vietnamese grouping), but "1.5" is neither a valid grouping nor a Vietnamese decimal,
so it is reported.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_GROUPED = re.compile(r"^\d{1,3}(\.\d{3})+$")
_PLAIN = re.compile(r"^\d+$")
_DECIMAL = re.compile(r"^(\d{1,3}(\.\d{3})+|\d+),\d+$")


def _clean_text(value: str) -> tuple[str, bool]:
    text = str(value).strip().replace("\u00a0", "").replace(" ", "")
    # One optional sign; a second one ("+-5") is left in place and fails the patterns.
    sign = text[:1] if text[:1] in "+-" else ""
    return text[len(sign) :], sign == "-"


def parse_integer(value) -> int:
    """'1.234.567' or '1234567' → 1234567. Refuses decimals and ambiguous separators."""
    if isinstance(value, int):
        return value
    text, negative = _clean_text(value)
    if _PLAIN.match(text) or _GROUPED.match(text):
        number = int(text.replace(".", ""))
        return -number if negative else number
    raise ValidationError(
        _("“%(value)s” is not a whole number. Write it as 1.234.567 or 1234567."),
        code="invalid_number",
        params={"value": value},
    )


def parse_decimal(value) -> Decimal:
    """'283,75' → 283.75; '1.234,5' → 1234.5; '1.234' → 1234; '12' → 12."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int | float):
        return Decimal(str(value))
    text, negative = _clean_text(value)
    if _PLAIN.match(text) or _GROUPED.match(text):
        number = Decimal(text.replace(".", ""))
    elif _DECIMAL.match(text):
        try:
            number = Decimal(text.replace(".", "").replace(",", "."))
        except InvalidOperation:  # pragma: no cover - the pattern already guarantees digits
            number = None
    else:
        number = None
    if number is None:
        raise ValidationError(
            _("“%(value)s” is not a number. Use a comma for decimals, e.g. 283,75, and dots between thousands."),
            code="invalid_number",
            params={"value": value},
        )
    return -number if negative else number


def _check_length(text: str, limit: int | None) -> None:
    if limit is not None and len(text) > limit:
        raise ValidationError(_("Write at most %(limit)s characters."), params={"limit": limit})


class VietnameseIntegerField(forms.CharField):
    """Money in whole đồng and counts: accepts '1.234.567' and '1234567'."""

    def __init__(self, *, min_value: int | None = 0, **kwargs):
        self.min_value = min_value
        # CharField's length validator would run on the parsed number; bound the typed text instead.
        self.max_chars = kwargs.pop("max_length", None)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, int):
            return f"{value:,}".replace(",", ".")
        return value

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        _check_length(value, self.max_chars)
        number = parse_integer(value)
        if self.min_value is not None and number < self.min_value:
            raise ValidationError(_("The value cannot be below %(min)s."), params={"min": self.min_value})
        return number


class VietnameseDecimalField(forms.CharField):
    """Areas, lengths and quantities: accepts '283,75', '1.234,5' and '1234'."""

    def __init__(self, *, min_value: Decimal | None = Decimal(0), decimal_places: int = 2, **kwargs):
        self.min_value, self.decimal_places = min_value, decimal_places
        # CharField's length validator would run on the parsed number; bound the typed text instead.
        self.max_chars = kwargs.pop("max_length", None)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            return f"{value:,f}".replace(",", " ").replace(".", ",").replace(" ", ".")
        return value

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        _check_length(value, self.max_chars)
        number = parse_decimal(value)
        if self.min_value is not None and number < self.min_value:
            raise ValidationError(_("The value cannot be below %(min)s."), params={"min": self.min_value})
        if -number.as_tuple().exponent > self.decimal_places:
            raise ValidationError(_("Use at most %(places)s decimal places."), params={"places": self.decimal_places})
        return number
