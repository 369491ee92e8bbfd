"""Reading one cell: real Excel values and Vietnamese-formatted text are both accepted.

A cell may hold what Excel stores (a number, a date) or what someone typed as text
("1.234.567", "283,75", "05/02/2024"). Both are read; a value that could mean two things is
reported, never guessed:

* dates are day/month/year. "05/02/2024" is 5 February. A two-digit year ("05/02/24") and a
  text that only works as month/day ("02/25/2024") are refused with what to write instead. A
  bare number in a date column (Excel's serial 45327, when the cell lost its date format) is
  refused too: the office should see a date in its own file before importing it;
* numbers follow ``organization.numbers``: "." groups thousands and "," marks decimals, so
  "1.5" and "1,234.56" (mixed separators) are refused;
* choices accept the label shown in the template's drop-down, or the code, ignoring case and
  diacritics.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from organization.numbers import parse_decimal, parse_integer
from organization.search import fold

from .spec import BOOLEAN, CHOICE, DATE, DECIMAL, INTEGER, TEXT, Column


class CellError(Exception):
    """A cell that cannot be read; the message says what to write instead."""


_DATE_TEXT = re.compile(r"^(\d{1,2})[/\-.](\d{1,2})[/\-.](\d{2,4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_TRUE = {"co", "x", "yes", "true", "1", "dung", "đ"}
_FALSE = {"khong", "no", "false", "0", "sai"}


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def as_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a code typed as a number, e.g. 3601 for a commune code
    if isinstance(value, datetime | date):
        return value.strftime("%d/%m/%Y")
    return " ".join(str(value).split()) if not isinstance(value, str) else value.strip()


def read_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise CellError(
            _("%(value)s is a number, not a date. Format the cell as a date or write it as dd/mm/yyyy.")
            % {"value": as_text(value)}
        )
    text = as_text(value)
    iso = _ISO_DATE.match(text)
    if iso:
        year, month, day = (int(part) for part in iso.groups())
    else:
        match = _DATE_TEXT.match(text)
        if not match:
            raise CellError(_("“%(value)s” is not a date. Write it as dd/mm/yyyy, e.g. 05/02/2024.") % {"value": text})
        day, month, year = (int(part) for part in match.groups())
        if len(match.group(3)) != 4:
            raise CellError(
                _(
                    "“%(value)s” has a two-digit year, which could be read two ways. "
                    "Write the year in full (dd/mm/yyyy)."
                )
                % {"value": text}
            )
        if month > 12 and day <= 12:
            raise CellError(
                _("“%(value)s” looks like month/day/year. Write day/month/year, e.g. %(example)s.")
                % {"value": text, "example": f"{month:02d}/{day:02d}/{year}"}
            )
    try:
        return date(year, month, day)
    except ValueError:
        raise CellError(_("“%(value)s” is not a real date.") % {"value": text}) from None


def read_integer(value: Any, column: Column) -> int:
    if isinstance(value, bool):
        raise CellError(_("Write a whole number."))
    if isinstance(value, float):
        if not value.is_integer():
            raise CellError(_("%(value)s is not a whole number.") % {"value": as_text(value)})
        number = int(value)
    elif isinstance(value, int):
        number = value
    else:
        try:
            number = parse_integer(as_text(value))
        except ValidationError as exc:
            raise CellError(exc.messages[0]) from None
    if number < 0 and not column.allow_negative:
        raise CellError(_("%(value)s is negative; this column cannot be below zero.") % {"value": number})
    return number


def read_decimal(value: Any, column: Column) -> Decimal:
    if isinstance(value, bool):
        raise CellError(_("Write a number."))
    try:
        number = Decimal(str(value)) if isinstance(value, int | float) else parse_decimal(as_text(value))
    except ValidationError as exc:
        raise CellError(exc.messages[0]) from None
    if number < 0 and not column.allow_negative:
        raise CellError(_("%(value)s is negative; this column cannot be below zero.") % {"value": as_text(value)})
    return number


def choice_lookup(column: Column) -> dict[str, str]:
    """Folded label or code → stored value, for one choice column."""
    lookup: dict[str, str] = {}
    # Labels in every language of the portal: a list exported in English imports under
    # Vietnamese and the other way round.
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            for value, label in column.choices():
                lookup[fold(str(value))] = value
                lookup[fold(str(label))] = value
    return lookup


def read_choice(value: Any, column: Column, lookup: dict[str, str]) -> str:
    text = as_text(value)
    found = lookup.get(fold(text))
    if found is None:
        labels = "; ".join(str(label) for _value, label in column.choices())
        raise CellError(_("“%(value)s” is not one of: %(labels)s.") % {"value": text, "labels": labels})
    return found


def read_boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = fold(as_text(value))
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise CellError(_("“%(value)s” is neither “Có” nor “Không”.") % {"value": as_text(value)})


def read_text(value: Any, column: Column) -> str:
    text = as_text(value)
    if column.max_length is not None and len(text) > column.max_length:
        raise CellError(
            _("The text has %(length)s characters; at most %(limit)s fit here.")
            % {"length": len(text), "limit": column.max_length}
        )
    return text


def read_cell(value: Any, column: Column, lookup: dict[str, str] | None = None) -> Any:
    """The cell's value for ``column``: None when blank, else the parsed value or CellError."""
    if is_blank(value):
        if column.required:
            raise CellError(_("This column is required."))
        return None
    if column.type == TEXT:
        return read_text(value, column)
    if column.type == INTEGER:
        return read_integer(value, column)
    if column.type == DECIMAL:
        return read_decimal(value, column)
    if column.type == DATE:
        return read_date(value)
    if column.type == CHOICE:
        return read_choice(value, column, lookup if lookup is not None else choice_lookup(column))
    if column.type == BOOLEAN:
        return read_boolean(value)
    raise AssertionError(column.type)  # Column.__post_init__ refuses other types
