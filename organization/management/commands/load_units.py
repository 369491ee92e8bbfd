"""Load units, successions and Party terms from a YAML file (organization/data/units.yaml).

Idempotent: rows are matched by natural key (a unit by ``key``, a succession by its two units, a
term by unit and name), created or updated, and saved only when something changed, so a second
run writes nothing, not even history. Everything runs in one transaction: a file with one bad
row changes nothing, and the error names the row and the problem. Units missing from the file
are left alone; units are ended with ``valid_to``, never deleted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal, TypeVar

import yaml
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import models, transaction

from organization.models import Term, Unit, UnitSuccession
from organization.services import unit_save

DEFAULT_FILE = Path(__file__).resolve().parents[2] / "data" / "units.yaml"

UNIT_FIELDS = {"key", "name", "kind", "code", "doc_symbol", "parent", "valid_from", "valid_to"}
SUCCESSION_FIELDS = {"predecessor", "successor", "effective_date", "note"}
TERM_FIELDS = {"unit", "name", "start_date", "end_date"}

M = TypeVar("M", bound=models.Model)
Outcome = Literal["created", "updated", "unchanged"]


@dataclass
class Tally:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def add(self, outcome: Outcome) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)

    def __str__(self) -> str:
        return f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"


def upsert(
    model: type[M],
    lookup: dict[str, Any],
    values: dict[str, Any],
    *,
    save: Callable[[M], object] | None = None,
) -> tuple[M, Outcome]:
    """Find ``model`` by its natural key ``lookup`` and make it carry ``values``.

    The row is validated with ``full_clean()`` whether or not it changed (a rule may have been
    broken by an edit elsewhere); it is saved, by ``save`` if given, only when it changed.
    """
    obj = model._default_manager.filter(**lookup).first()
    if obj is None:
        obj, outcome = model(**lookup), "created"
    elif all(_stored(obj, name) == _comparable(value) for name, value in values.items()):
        obj.full_clean()
        return obj, "unchanged"
    else:
        outcome = "updated"
    for name, value in values.items():
        setattr(obj, name, value)
    if save is None:
        obj.full_clean()
        obj.save()
    else:
        save(obj)
    return obj, outcome


def _stored(obj: models.Model, name: str) -> Any:
    # Compare foreign keys by id so that an unchanged row costs no query for its related rows.
    field = obj._meta.get_field(name)
    return getattr(obj, field.attname)


def _comparable(value: Any) -> Any:
    return value.pk if isinstance(value, models.Model) else value


@contextmanager
def reported_as(where: str) -> Iterator[None]:
    """Turn a ValidationError into a CommandError that names the offending row."""
    try:
        yield
    except ValidationError as exc:
        raise CommandError(f"{where}: {describe(exc)}") from exc


def describe(error: ValidationError) -> str:
    if not hasattr(error, "error_dict"):
        return " ".join(error.messages)
    return "; ".join(f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items())


class Command(BaseCommand):
    help = "Create or update units, successions and Party terms from a YAML file (idempotent)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--file", type=Path, default=DEFAULT_FILE, help=f"YAML file (default: {DEFAULT_FILE})")

    def handle(self, *args: Any, file: Path, **options: Any) -> None:
        data = read(file)
        with transaction.atomic():
            units, unit_tally = load_units(data["units"])
            succession_tally = load_successions(data["successions"], units)
            term_tally = load_terms(data["terms"], units)
        self.stdout.write(f"Loaded {file.name}:")
        self.stdout.write(f"  units: {unit_tally}")
        self.stdout.write(f"  successions: {succession_tally}")
        self.stdout.write(f"  terms: {term_tally}")


def read(path: Path) -> dict[str, list[dict[str, Any]]]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CommandError(f"Cannot read {path}: {exc}") from exc
    except yaml.YAMLError as exc:
        raise CommandError(f"{path} is not valid YAML: {exc}") from exc
    sections = ("units", "successions", "terms")
    if not isinstance(data, dict) or not isinstance(data.get("units"), list):
        raise CommandError(f"{path}: expected a mapping with a 'units' list.")
    if unknown := set(data) - set(sections):
        raise CommandError(f"{path}: unknown sections {sorted(unknown)}; expected {list(sections)}.")
    result = {name: data.get(name) or [] for name in sections}
    for name, rows in result.items():
        if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
            raise CommandError(f"{path}: '{name}' must be a list of mappings.")
    return result


def check_fields(row: dict[str, Any], where: str, allowed: set[str], required: set[str]) -> None:
    if missing := required - row.keys():
        raise CommandError(f"{where}: missing {', '.join(sorted(missing))}.")
    if unknown := row.keys() - allowed:
        raise CommandError(f"{where}: unknown fields {', '.join(sorted(unknown))}.")


def as_date(value: Any, where: str, name: str, *, optional: bool = False) -> date | None:
    if value is None and optional:
        return None
    if isinstance(value, date):
        return value
    raise CommandError(f"{where}: {name} must be a date written YYYY-MM-DD, not {value!r}.")


def as_text(value: Any, where: str, name: str) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    raise CommandError(f'{where}: {name} must be text; write it in quotes ("{value}").')


def parent_first(rows: dict[str, dict[str, Any]]) -> list[str]:
    """Keys ordered so that every unit comes after its parent (when the parent is in the file)."""
    ordered: list[str] = []
    placed: set[str] = set()
    for key in rows:
        chain: list[str] = []
        current: str | None = key
        while current in rows and current not in placed:
            if current in chain:
                raise CommandError(f'unit "{current}": its chain of parents leads back to itself.')
            chain.append(current)
            current = rows[current].get("parent")
        ordered.extend(reversed(chain))
        placed.update(chain)
    return ordered


def find_unit(key: Any, known: dict[str, Unit], where: str, role: str) -> Unit:
    """A unit from this file, or else one already in the database."""
    unit = known.get(key) or Unit.objects.filter(key=key).first()
    if unit is None:
        raise CommandError(f'{where}: unknown {role} "{key}" (neither in the file nor in the database).')
    return unit


def load_units(rows: list[dict[str, Any]]) -> tuple[dict[str, Unit], Tally]:
    by_key: dict[str, dict[str, Any]] = {}
    for number, row in enumerate(rows, start=1):
        check_fields(row, f"unit #{number}", UNIT_FIELDS, {"key", "name", "kind", "valid_from"})
        if row["key"] in by_key:
            raise CommandError(f'unit "{row["key"]}": the key appears twice in the file.')
        by_key[row["key"]] = row

    units: dict[str, Unit] = {}
    tally = Tally()
    for key in parent_first(by_key):
        row, where = by_key[key], f'unit "{key}"'
        parent = find_unit(row["parent"], units, where, "parent") if row.get("parent") else None
        values = {
            "name": as_text(row["name"], where, "name"),
            "kind": as_text(row["kind"], where, "kind"),
            "code": as_text(row.get("code"), where, "code"),
            "doc_symbol": as_text(row.get("doc_symbol"), where, "doc_symbol"),
            "parent": parent,
            "valid_from": as_date(row["valid_from"], where, "valid_from"),
            "valid_to": as_date(row.get("valid_to"), where, "valid_to", optional=True),
        }
        with reported_as(where):
            # unit_save keeps the materialized paths of the unit and its subtree right.
            units[key], outcome = upsert(Unit, {"key": key}, values, save=lambda unit: unit_save(unit=unit))
        tally.add(outcome)
    return units, tally


def load_successions(rows: list[dict[str, Any]], units: dict[str, Unit]) -> Tally:
    tally = Tally()
    for number, row in enumerate(rows, start=1):
        check_fields(row, f"succession #{number}", SUCCESSION_FIELDS, SUCCESSION_FIELDS - {"note"})
        where = f'succession "{row["predecessor"]}" → "{row["successor"]}"'
        lookup = {
            "predecessor": find_unit(row["predecessor"], units, where, "predecessor"),
            "successor": find_unit(row["successor"], units, where, "successor"),
        }
        values = {
            "effective_date": as_date(row["effective_date"], where, "effective_date"),
            "note": as_text(row.get("note"), where, "note"),
        }
        with reported_as(where):
            _link, outcome = upsert(UnitSuccession, lookup, values)
        tally.add(outcome)
    return tally


def load_terms(rows: list[dict[str, Any]], units: dict[str, Unit]) -> Tally:
    tally = Tally()
    for number, row in enumerate(rows, start=1):
        check_fields(row, f"term #{number}", TERM_FIELDS, TERM_FIELDS)
        where = f'term "{row["name"]}" of "{row["unit"]}"'
        lookup = {"unit": find_unit(row["unit"], units, where, "unit"), "name": as_text(row["name"], where, "name")}
        values = {
            "start_date": as_date(row["start_date"], where, "start_date"),
            "end_date": as_date(row["end_date"], where, "end_date"),
        }
        with reported_as(where):
            _term, outcome = upsert(Term, lookup, values)
        tally.add(outcome)
    return tally
