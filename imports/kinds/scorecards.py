"""Monthly scorecards of an emulation movement: the self-assessed score of each unit on each
criterion, as the scoring grid records them.

Criteria differ from one movement, unit type and year to the next, so the template cannot have
a column per criterion. It is "long" instead: one row per unit and criterion ("Mã tiêu chí",
"Điểm tự chấm", "Ghi chú minh chứng"), the same template for every round. Rows are grouped by
round (movement and month) and unit into one scorecard each.

* Only an open round takes scores; a draft or closed round is reported on its first row.
* The unit is found among those the round scores (the movement's area and target types) and the
  user may score; "Xã, phường" narrows the name to one commune (leave it empty for district
  offices), or write the unit's official code.
* "Gửi" = Có submits the scorecard to the district after saving it, which needs a score for
  every criterion of the set; Không (or empty) saves it as a draft, as "Save draft" on the grid.
  The district's verification is never imported: it is a separate act of the district.
* A unit that already has a scorecard in the round is skipped (whatever its scores): the import
  never overwrites what the grid recorded. Counts are scorecards, not rows.

Scorecards are written by ``campaigns.services.scorecard_create`` then ``scorecard_submit``,
the services of the grid and the scorecard page.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaigns import services as campaign_services
from campaigns.models import (
    CriteriaSet,
    Criterion,
    Movement,
    RoundStatus,
    Scorecard,
    ScoringRound,
    TargetType,
    format_points,
    target_type_of,
)
from campaigns.selectors import eligible_units, movements_visible_to
from organization.models import Unit
from organization.search import fold

from ..cells import CellError, read_date
from ..context import Context, unit_keys
from ..reader import Book
from ..spec import BOOLEAN, DECIMAL, TEXT, Column, Row, SheetSpec
from .base import ImportKind, Plan, natural_key, register

_MONTH = re.compile(r"^(\d{1,2})[/\-.](\d{4})$")

SHEET = SheetSpec(
    "Chấm điểm",
    (
        Column(
            "movement",
            "Phong trào",
            TEXT,
            required=True,
            example="Phong trào thi đua Dân vận khéo",
            help="Tên phong trào thi đua như trên cổng.",
        ),
        Column(
            "month",
            "Tháng",
            TEXT,
            required=True,
            example="03/2024",
            help="Tháng chấm điểm, dạng mm/yyyy (ví dụ 03/2024).",
        ),
        Column(
            "commune",
            "Xã, phường",
            TEXT,
            example="Xã Vĩnh Yên",
            help="Xã, phường của đơn vị được chấm; để trống với cơ quan cấp huyện.",
        ),
        Column(
            "unit",
            "Đơn vị",
            TEXT,
            required=True,
            example="Thôn Tổng Kim",
            help="Tên hoặc mã thôn, tổ dân phố, cơ quan, trường học, cơ sở tôn giáo được chấm.",
        ),
        Column(
            "code", "Mã tiêu chí", TEXT, required=True, example="TC1", help="Mã tiêu chí trong bộ tiêu chí của năm."
        ),
        Column(
            "self_score", "Điểm tự chấm", DECIMAL, example=35, help="Điểm tự chấm, không quá điểm tối đa của tiêu chí."
        ),
        Column("evidence_note", "Ghi chú minh chứng", TEXT, max_length=500, help="Minh chứng cho điểm tự chấm."),
        Column(
            "submit",
            "Gửi",
            BOOLEAN,
            help=(
                "Có: gửi phiếu chấm của đơn vị lên huyện thẩm định (phải có điểm mọi tiêu chí); "
                "Không hoặc để trống: lưu nháp. Các dòng của cùng một đơn vị ghi giống nhau."
            ),
        ),
    ),
    ignored=("Loại đơn vị", "Tiêu chí", "Điểm tối đa", "Điểm thẩm định", "Trạng thái"),
    help="Mỗi dòng một tiêu chí của một đơn vị trong một tháng; các dòng của cùng đơn vị và tháng tạo một phiếu chấm.",
)


def parse_month(text: str) -> date | None:
    """Read "03/2024", "3-2024" or a date ("01/03/2024", which Excel makes of "03/2024") as 1 March 2024."""
    match = _MONTH.match(text.strip())
    if match:
        month, year = int(match.group(1)), int(match.group(2))
        return date(year, month, 1) if 1 <= month <= 12 else None
    try:
        return read_date(text).replace(day=1)
    except CellError:
        return None


@dataclass
class CardItem:
    """One scorecard to create: its entries by criterion, and the rows they came from."""

    round: ScoringRound
    unit: Unit
    criteria: list[Criterion]
    submit: bool
    first: Row
    entries: dict[int, campaign_services.EntryInput] = field(default_factory=dict)
    rows: dict[str, Row] = field(default_factory=dict)  # folded criterion code → row


class _Rounds:
    """Movements, rounds, scored units and criteria, each read once per file."""

    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.editable_ids = {unit.pk for unit in ctx.units}
        self.movements: dict[str, list[Movement]] = defaultdict(list)
        for movement in movements_visible_to(ctx.user).select_related("unit"):
            self.movements[fold(movement.name)].append(movement)
        self._rounds: dict[tuple[int, date], ScoringRound | None] = {}
        self._units: dict[int, dict[str, list[Unit]]] = {}
        self._area: dict[int, set[str]] = {}
        self._criteria: dict[tuple[int, str, int], list[Criterion] | None] = {}

    def round(self, movement: Movement, month: date) -> ScoringRound | None:
        key = (movement.pk, month)
        if key not in self._rounds:
            self._rounds[key] = (
                ScoringRound.objects.select_related("movement__unit").filter(movement=movement, month=month).first()
            )
        return self._rounds[key]

    def scored_units(self, round_: ScoringRound) -> dict[str, list[Unit]]:
        """The units the round scores, by every key they may be written with."""
        if round_.pk not in self._units:
            index: dict[str, list[Unit]] = defaultdict(list)
            for unit in eligible_units(round_):
                for key in unit_keys(unit.name):
                    index[key].append(unit)
                if unit.code:
                    index[fold(unit.code)].append(unit)
            self._units[round_.pk] = index
        return self._units[round_.pk]

    def in_area(self, round_: ScoringRound, text: str) -> bool:
        """Whether a unit of that name lies in the movement's area (though it is not scored)."""
        movement = round_.movement
        if movement.pk not in self._area:
            names: set[str] = set()
            for name, code in Unit.objects.filter(path__startswith=movement.unit.path).values_list("name", "code"):
                names |= unit_keys(name)
                if code:
                    names.add(fold(code))
            self._area[movement.pk] = names
        return fold(text) in self._area[movement.pk]

    def criteria(self, movement: Movement, target: str, year: int) -> list[Criterion] | None:
        key = (movement.pk, target, year)
        if key not in self._criteria:
            criteria_set = CriteriaSet.objects.filter(movement=movement, target_type=target, year=year).first()
            self._criteria[key] = list(criteria_set.criteria.all()) if criteria_set else None
        return self._criteria[key]


@register
class ScorecardsImport(ImportKind):
    key = "scorecards"
    label = gettext_lazy("Scorecards")
    description = gettext_lazy(
        "Monthly self-assessed scores of the units of an emulation movement, one row per unit and criterion. "
        "Only an open round takes scores; a unit already scored in the round is skipped."
    )
    sheets = (SHEET,)

    def dropdowns(self, ctx: Context):
        open_movements = (
            movements_visible_to(ctx.user)
            .filter(rounds__status=RoundStatus.OPEN)
            .distinct()
            .values_list("name", flat=True)
        )
        return {(SHEET.name, "movement"): sorted(set(open_movements)), (SHEET.name, "commune"): self.commune_names(ctx)}

    # --- checking -------------------------------------------------------------------------------

    def _movement(self, ctx: Context, lookups: _Rounds, row: Row) -> Movement | None:
        found = lookups.movements.get(fold(row["movement"]), [])
        if len(found) == 1:
            return found[0]
        if found:
            ctx.problem(
                _("Several movements are named “%(name)s”; ask the district to tell them apart.")
                % {"name": row["movement"]},
                row,
                spec=SHEET,
                key="movement",
            )
        else:
            ctx.problem(
                _("There is no movement “%(name)s” among those you can see. Check the name.")
                % {"name": row["movement"]},
                row,
                spec=SHEET,
                key="movement",
            )
        return None

    def _round(self, ctx: Context, lookups: _Rounds, row: Row, reported: set) -> ScoringRound | None:
        movement = self._movement(ctx, lookups, row)
        if movement is None:
            return None
        month = parse_month(row["month"])
        if month is None:
            ctx.problem(
                _("“%(value)s” is not a month. Write it as mm/yyyy, e.g. 03/2024.") % {"value": row["month"]},
                row,
                spec=SHEET,
                key="month",
            )
            return None
        round_ = lookups.round(movement, month)
        key = (movement.pk, month)
        if round_ is None:
            if key not in reported:
                reported.add(key)
                ctx.problem(
                    _("“%(movement)s” has no round for %(month)s.")
                    % {"movement": movement.name, "month": f"{month:%m/%Y}"},
                    row,
                    spec=SHEET,
                    key="month",
                )
            return None
        if round_.status != RoundStatus.OPEN:
            if key not in reported:  # once per round, not on each of its rows
                reported.add(key)
                ctx.problem(
                    _("The round for %(month)s is %(status)s; scores can only be entered while it is open.")
                    % {"month": f"{round_.month:%m/%Y}", "status": round_.get_status_display().lower()},
                    row,
                    spec=SHEET,
                    key="month",
                )
            return None
        return round_

    def _unit(self, ctx: Context, lookups: _Rounds, row: Row, round_: ScoringRound) -> Unit | None:
        text = row["unit"]
        candidates = lookups.scored_units(round_).get(fold(text), [])
        if row.get("commune"):
            commune = ctx.commune(row["commune"], row, SHEET, "commune", day=round_.month)
            if commune is None:
                return None
            candidates = [unit for unit in candidates if unit.is_descendant_of(commune)]
        mine = [unit for unit in candidates if unit.pk in lookups.editable_ids]
        if len(mine) == 1:
            return mine[0]
        if len(mine) > 1:
            names = ", ".join(f"{unit.name} ({unit.code or unit.key})" for unit in mine[:5])
            message = _("“%(text)s” could mean several units: %(codes)s. Write the official code instead.") % {
                "text": text,
                "codes": names,
            }
        elif candidates:
            message = _("“%(text)s” is outside the units you may record data for.") % {"text": text}
        elif lookups.in_area(round_, text):
            message = _("%(unit)s is not scored in this movement.") % {"unit": text}
        else:
            message = _("There is no unit “%(text)s”. Check the spelling or write the official code.") % {"text": text}
        ctx.problem(message, row, spec=SHEET, key="unit")
        return None

    def _criterion(self, ctx: Context, lookups: _Rounds, row: Row, round_: ScoringRound, unit: Unit):
        target = target_type_of(unit)
        criteria = lookups.criteria(round_.movement, target, round_.year)
        if criteria is None:
            ctx.problem(
                _("No criteria for this kind of unit in %(year)s.") % {"year": round_.year}, row, spec=SHEET, key="code"
            )
            return None, None
        by_code = {fold(criterion.code): criterion for criterion in criteria}
        criterion = by_code.get(fold(row["code"]))
        if criterion is None:
            ctx.problem(
                _("There is no criterion “%(code)s” for %(type)s in %(year)s. The codes are: %(codes)s.")
                % {
                    "code": row["code"],
                    "type": TargetType(target).label,
                    "year": round_.year,
                    "codes": ", ".join(c.code for c in criteria),
                },
                row,
                spec=SHEET,
                key="code",
            )
            return criteria, None
        score = row["self_score"]
        if score is not None and score > criterion.max_points:
            ctx.problem(
                _("%(code)s: at most %(max)s points.")
                % {"code": criterion.code, "max": format_points(criterion.max_points)},
                row,
                spec=SHEET,
                key="self_score",
            )
            return criteria, None
        return criteria, criterion

    def plan(self, ctx: Context, book: Book) -> Plan:
        plan = Plan()
        rows = self.valid_rows(book, SHEET)
        lookups = _Rounds(ctx)
        reported: set = set()
        cards: dict[tuple[int, int], CardItem] = {}
        refused: set[tuple[int, int]] = set()
        seen: dict[tuple, int] = {}
        for index, row in enumerate(rows):
            if index % 1000 == 0:
                ctx.progress(index * 40 // max(len(rows), 1))
            round_ = self._round(ctx, lookups, row, reported)
            if round_ is None:
                continue
            unit = self._unit(ctx, lookups, row, round_)
            if unit is None:
                continue
            criteria, criterion = self._criterion(ctx, lookups, row, round_, unit)
            if criterion is None:
                refused.add((round_.pk, unit.pk))
                continue
            key = natural_key(round_.pk, unit.pk, criterion.code)
            if key in seen:
                ctx.problem(
                    _("This row repeats row %(row)s (same round, unit and criterion).") % {"row": seen[key]},
                    row,
                    spec=SHEET,
                    key="code",
                )
                refused.add((round_.pk, unit.pk))
                continue
            seen[key] = row.number
            submit = bool(row.get("submit", False))
            card = cards.get((round_.pk, unit.pk))
            if card is None:
                card = cards[(round_.pk, unit.pk)] = CardItem(
                    round=round_, unit=unit, criteria=criteria, submit=submit, first=row
                )
            elif card.submit != submit:
                ctx.problem(
                    _("Row %(row)s of the same unit and month says otherwise; write the same in every row of a unit.")
                    % {"row": card.first.number},
                    row,
                    spec=SHEET,
                    key="submit",
                )
                refused.add((round_.pk, unit.pk))
                continue
            card.entries[criterion.pk] = campaign_services.EntryInput(
                self_score=row["self_score"], evidence_note=row.get("evidence_note", "")
            )
            card.rows[fold(criterion.code)] = row
        ctx.progress(40)
        existing = set(
            Scorecard.objects.filter(
                round_id__in={round_pk for round_pk, _unit in cards}, unit_id__in={unit_pk for _round, unit_pk in cards}
            ).values_list("round_id", "unit_id")
        )
        for key, card in cards.items():
            if key in existing:
                plan.existing[SHEET.name] += 1
                continue
            if key in refused:
                continue  # a row of this unit is reported: nothing more to say about its card
            if card.submit:
                missing = [c.code for c in card.criteria if card.entries.get(c.pk, _EMPTY).self_score is None]
                if missing:
                    ctx.problem(
                        _("%(unit)s is missing scores for %(codes)s.")
                        % {"unit": card.unit.name, "codes": ", ".join(missing)},
                        card.first,
                        spec=SHEET,
                        key="submit",
                    )
                    continue
            plan.add(card, card.first)
        ctx.progress(50)
        return plan

    # --- writing --------------------------------------------------------------------------------

    def _report(self, ctx: Context, card: CardItem, exc: ValidationError) -> None:
        """A service's refusal, on the row of the criterion it names ("Bản Vành – TC2") or on
        the unit's first row."""
        pairs = exc.message_dict.items() if hasattr(exc, "error_dict") else [("", exc.messages)]
        for key, messages in pairs:
            code = key.rsplit(" – ", 1)[-1] if " – " in key else ""
            row = card.rows.get(fold(code), card.first)
            column = SHEET.header_of("self_score" if code else ("unit" if key == "unit" else "code"))
            for message in messages:
                ctx.problems.add(message, sheet=SHEET.name, row=row.number, column=column)

    def commit(self, ctx: Context, plan: Plan) -> None:
        total = max(len(plan.items), 1)
        for index, card in enumerate(plan.items):
            try:
                scorecard = campaign_services.scorecard_create(
                    user=ctx.user, round_=card.round, unit=card.unit, entries=card.entries
                )
                if card.submit:
                    campaign_services.scorecard_submit(user=ctx.user, scorecard=scorecard)
            except ValidationError as exc:
                self._report(ctx, card, exc)
            if index % 50 == 0:
                ctx.progress(50 + index * 50 // total)


_EMPTY = campaign_services.EntryInput()
