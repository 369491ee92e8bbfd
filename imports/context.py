"""What every kind of import needs while checking rows: the user's units, and problems.

Units are matched the way offices write them: "Xã Vĩnh Yên", "Vĩnh Yên" or "vinh yen" (case,
diacritics and the kind word are ignored), or the official code. Only units the user may
record into are candidates (``access.editable_units``), so a commune officer's file naming
another commune is reported as outside their scope, whatever the rest of the row says.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date

from django.utils.translation import gettext as _

from organization import access
from organization.models import COMMUNE_KINDS, Unit, UnitKind
from organization.search import fold

from .problems import ProblemList
from .spec import Row, SheetSpec

#: Words that name a unit's kind and are often left out ("Vĩnh Yên" for "Xã Vĩnh Yên").
KIND_WORDS = ("xa ", "thi tran ", "phuong ", "thon ", "ban ", "to dan pho ", "to ", "khu ", "lang ", "ap ", "huyen ")
VILLAGE_KINDS = frozenset({UnitKind.VILLAGE, UnitKind.RESIDENTIAL_CLUSTER})


def unit_keys(name: str) -> set[str]:
    folded = fold(name)
    keys = {folded}
    for word in KIND_WORDS:
        if folded.startswith(word):
            keys.add(folded[len(word) :])
    return keys


class Context:
    """The importing user, the problem list and lookups shared by the rows of one file."""

    def __init__(self, user, problems: ProblemList | None = None, progress: Callable[[int], None] | None = None):
        self.user = user
        #: Set for the check (the transaction is rolled back): a kind may validate without
        #: writing what nothing else depends on (see kinds/petitions.py).
        self.dry_run = False
        self.problems = problems if problems is not None else ProblemList()
        self._progress = progress
        self._units: list[Unit] | None = None
        self._index: dict[str, list[Unit]] | None = None
        self._children: dict[int, list[Unit]] | None = None
        self._visible_names: dict[str, list[Unit]] | None = None
        self._village_index: dict[int, dict[str, list[Unit]]] = {}

    # --- problems ---------------------------------------------------------------------------

    def problem(self, message: str, row: Row | None = None, *, spec: SheetSpec | None = None, key: str = "") -> None:
        column = ""
        if key and spec is not None:
            column = spec.header_of(key)
        self.problems.add(
            message,
            sheet=row.sheet if row else (spec.name if spec else ""),
            row=row.number if row else None,
            column=column,
        )

    def progress(self, percent: int) -> None:
        if self._progress is not None:
            self._progress(max(0, min(100, int(percent))))

    # --- units ------------------------------------------------------------------------------

    def _load(self) -> None:
        units = list(access.editable_units(self.user).order_by("path"))
        self._units = units
        self._index = defaultdict(list)
        self._children = defaultdict(list)
        for unit in units:
            for key in unit_keys(unit.name):
                self._index[key].append(unit)
            if unit.code:
                self._index[fold(unit.code)].append(unit)
            if unit.parent_id:
                self._children[unit.parent_id].append(unit)

    @property
    def units(self) -> list[Unit]:
        if self._units is None:
            self._load()
        return self._units

    def units_by_id(self) -> dict[int, Unit]:
        return {unit.pk: unit for unit in self.units}

    def _outside_scope(self, text: str) -> bool:
        """Whether ``text`` names a unit that exists but that the user may not record into."""
        if self._visible_names is None:
            self._visible_names = defaultdict(list)
            for unit in Unit.objects.only("name", "code"):
                for key in unit_keys(unit.name):
                    self._visible_names[key].append(unit)
                if unit.code:
                    self._visible_names[fold(unit.code)].append(unit)
        return bool(self._visible_names.get(fold(text)))

    @staticmethod
    def _valid_on(unit: Unit, day: date | None) -> bool:
        return day is None or (unit.valid_from <= day and (unit.valid_to is None or day <= unit.valid_to))

    def _pick(
        self,
        text: str,
        candidates: Iterable[Unit],
        kinds: frozenset[str],
        day: date | None,
        row: Row,
        spec: SheetSpec,
        key: str,
    ) -> Unit | None:
        of_kind = [unit for unit in candidates if unit.kind in kinds]
        if not of_kind:
            return None
        valid = [unit for unit in of_kind if self._valid_on(unit, day)]
        if not valid:
            unit = of_kind[0]
            until = f"{unit.valid_to:%d/%m/%Y}" if unit.valid_to else "…"
            self.problem(
                _("%(unit)s existed from %(start)s to %(end)s, not on %(day)s.")
                % {"unit": unit.name, "start": f"{unit.valid_from:%d/%m/%Y}", "end": until, "day": f"{day:%d/%m/%Y}"},
                row,
                spec=spec,
                key=key,
            )
            return False  # type: ignore[return-value]  # found but refused: no further message
        if len(valid) > 1:
            codes = ", ".join(f"{unit.name} ({unit.code or unit.key})" for unit in valid[:5])
            self.problem(
                _("“%(text)s” could mean several units: %(codes)s. Write the official code instead.")
                % {"text": text, "codes": codes},
                row,
                spec=spec,
                key=key,
            )
            return False  # type: ignore[return-value]
        return valid[0]

    def commune(self, text: str, row: Row, spec: SheetSpec, key: str, *, day: date | None = None) -> Unit | None:
        """The commune (or ward, township) named ``text``, recordable by the user, valid on ``day``."""
        if self._index is None:
            self._load()
        found = self._pick(text, self._index.get(fold(text), ()), COMMUNE_KINDS, day, row, spec, key)
        if found is None:
            self._unknown(text, row, spec, key)
        return found or None

    def unit_of_kinds(
        self, text: str, kinds: frozenset[str], row: Row, spec: SheetSpec, key: str, *, day: date | None = None
    ) -> Unit | None:
        if self._index is None:
            self._load()
        found = self._pick(text, self._index.get(fold(text), ()), kinds, day, row, spec, key)
        if found is None:
            self._unknown(text, row, spec, key)
        return found or None

    def village(
        self, commune: Unit, text: str, row: Row, spec: SheetSpec, key: str, *, day: date | None = None
    ) -> Unit | None:
        """The village or residential group ``text`` inside ``commune``."""
        if self._children is None:
            self._load()
        candidates = self._villages_of(commune).get(fold(text), [])
        found = self._pick(text, candidates, VILLAGE_KINDS, day, row, spec, key)
        if found is None:
            self.problem(
                _("There is no village “%(text)s” in %(commune)s. Check the spelling or add the village first.")
                % {"text": text, "commune": commune.name},
                row,
                spec=spec,
                key=key,
            )
        return found or None

    def _villages_of(self, commune: Unit) -> dict[str, list[Unit]]:
        """Folded name (with and without its kind word) or code → the units below ``commune``,
        built once per commune and file (a file names the same villages thousands of times)."""
        index = self._village_index.get(commune.pk)
        if index is None:
            index = defaultdict(list)
            for unit in self._descendants(commune):
                for key in unit_keys(unit.name):
                    index[key].append(unit)
                if unit.code:
                    index[fold(unit.code)].append(unit)
            self._village_index[commune.pk] = index
        return index

    def _descendants(self, unit: Unit) -> list[Unit]:
        out: list[Unit] = []
        stack = list(self._children.get(unit.pk, ()))
        while stack:
            child = stack.pop()
            out.append(child)
            stack.extend(self._children.get(child.pk, ()))
        return out

    def _unknown(self, text: str, row: Row, spec: SheetSpec, key: str) -> None:
        if self._outside_scope(text):
            message = _("“%(text)s” is outside the units you may record data for.") % {"text": text}
        else:
            message = _("There is no unit “%(text)s”. Check the spelling or write the official code.") % {"text": text}
        self.problem(message, row, spec=spec, key=key)
