"""What an import template looks like: its sheets, their columns and how each cell is read.

A kind of import (``kinds/``) declares one ``SheetSpec`` per sheet. The same declaration
produces the downloadable template (``template.py``), reads an uploaded file (``reader.py``)
and is the source of the column tables in docs/import.md, so the three cannot drift apart.

Headers are Vietnamese and fixed (not translated): the template is an official-looking form
that offices fill in, and a file written by one user must read the same for every other.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

#: Cell types a column may have; see ``cells.py`` for what each accepts.
TEXT, INTEGER, DECIMAL, DATE, CHOICE, BOOLEAN = "text", "integer", "decimal", "date", "choice", "boolean"
CELL_TYPES = (TEXT, INTEGER, DECIMAL, DATE, CHOICE, BOOLEAN)


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    type: str = TEXT
    required: bool = False
    #: For CHOICE: a callable returning (value, label) pairs, read when used so labels follow
    #: the active language (the template is built under Vietnamese).
    choices: Callable[[], Sequence[tuple[str, Any]]] | None = None
    example: Any = None
    help: str = ""
    max_length: int | None = None
    #: For numbers: negative values are refused unless this is set.
    allow_negative: bool = False

    def __post_init__(self) -> None:
        if self.type not in CELL_TYPES:
            raise ValueError(f"unknown cell type {self.type!r} for column {self.key}")
        if self.type == CHOICE and self.choices is None:
            raise ValueError(f"choice column {self.key} needs choices")


@dataclass(frozen=True)
class SheetSpec:
    name: str
    columns: tuple[Column, ...]
    #: Headers accepted and ignored: the informational columns a list export adds (status,
    #: deadline, ...), so an exported file can be imported again as it is.
    ignored: tuple[str, ...] = ()
    #: A sheet that may be absent or empty (e.g. contributions of programs).
    optional: bool = False
    help: str = ""

    def column(self, key: str) -> Column:
        for column in self.columns:
            if column.key == key:
                return column
        raise KeyError(key)

    def header_of(self, key: str) -> str:
        return self.column(key).header

    @property
    def example_row(self) -> list[Any]:
        return [column.example for column in self.columns]


@dataclass
class Row:
    """One data row of a sheet: its number in the workbook (as Excel shows it) and its values."""

    sheet: str
    number: int
    values: dict[str, Any] = field(default_factory=dict)
    #: False when a cell could not be read; the row is still kept so rows referring to it can
    #: say so, but nothing is created from it.
    valid: bool = True

    def __getitem__(self, key: str) -> Any:
        return self.values.get(key)

    def get(self, key: str, default: Any = None) -> Any:
        value = self.values.get(key)
        return default if value is None or value == "" else value
