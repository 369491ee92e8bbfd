"""The contract every kind of import fulfils, and the registry of kinds."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from organization.search import fold

from ..context import Context
from ..reader import Book
from ..spec import Row, SheetSpec


def natural_key(*parts: Any) -> tuple:
    """A comparable key from a record's identifying values: texts folded, others as they are."""
    return tuple(fold(part) if isinstance(part, str) else part for part in parts)


@dataclass
class Plan:
    """What an import would do: the records to create, and per sheet how many rows create a
    record and how many are already in the portal (skipped, so re-importing never duplicates)."""

    items: list[Any] = field(default_factory=list)
    #: The row (sheet, number) each item came from, for problems a service raises on commit.
    sources: list[tuple[str, int]] = field(default_factory=list)
    created: Counter = field(default_factory=Counter)
    existing: Counter = field(default_factory=Counter)

    def add(self, item: Any, row: Row) -> None:
        self.items.append(item)
        self.sources.append((row.sheet, row.number))
        self.created[row.sheet] += 1

    def report(self, ctx: Context, exc, offset: int = 0) -> None:
        """Problems a service raised while writing ``items``: messages keyed by item index
        (``"3"`` or ``"3-field"``) are placed on the item's row, others on the sheet."""
        if hasattr(exc, "error_dict"):
            for key, errors in exc.message_dict.items():
                index = key.split("-", 1)[0]
                if index.isdigit() and offset + int(index) < len(self.sources):
                    sheet, number = self.sources[offset + int(index)]
                else:
                    sheet, number = (self.sources[0][0] if self.sources else ""), None
                for message in errors:
                    ctx.problems.add(message, sheet=sheet, row=number)
        else:
            for message in exc.messages:
                ctx.problems.add(message, sheet=self.sources[0][0] if self.sources else "")

    def summary(self, sheets: tuple[SheetSpec, ...]) -> list[dict[str, Any]]:
        return [
            {"sheet": spec.name, "create": self.created[spec.name], "existing": self.existing[spec.name]}
            for spec in sheets
        ]

    @property
    def create_count(self) -> int:
        return sum(self.created.values())

    @property
    def existing_count(self) -> int:
        return sum(self.existing.values())


class ImportKind:
    """One kind of import. Subclasses set ``key``, ``label``, ``sheets`` and implement ``plan``
    (check rows against the database, without writing) and ``commit`` (write the plan through
    the domain services). ``commit`` runs inside the import's transaction."""

    key: str = ""
    label: Any = ""
    description: Any = ""
    sheets: tuple[SheetSpec, ...] = ()

    def dropdowns(self, ctx: Context) -> dict[tuple[str, str], list[str]]:
        """Extra drop-down lists for the template that depend on the user: (sheet, column key) →
        values, e.g. the communes the user may record into."""
        return {}

    def plan(self, ctx: Context, book: Book) -> Plan:
        raise NotImplementedError

    def commit(self, ctx: Context, plan: Plan) -> None:
        raise NotImplementedError

    # --- helpers for subclasses -------------------------------------------------------------

    @staticmethod
    def valid_rows(book: Book, spec: SheetSpec) -> list[Row]:
        return [row for row in book.rows.get(spec.name, []) if row.valid]

    def commune_names(self, ctx: Context) -> list[str]:
        from organization.models import COMMUNE_KINDS

        return sorted({unit.name for unit in ctx.units if unit.kind in COMMUNE_KINDS})


REGISTRY: dict[str, ImportKind] = {}


def register(kind_class: type[ImportKind]) -> type[ImportKind]:
    instance = kind_class()
    if instance.key in REGISTRY:
        raise ValueError(f"import kind {instance.key!r} registered twice")
    REGISTRY[instance.key] = instance
    return kind_class
