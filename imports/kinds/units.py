"""Villages and residential groups (thôn, bản, tổ dân phố) of communes.

Communes, districts and the bodies of the tree come from the administrators' data file
(``load_units``); what communes keep in Excel is their list of villages, which changes when
villages merge or split. One row per village, created under its commune by
``organization.services.unit_save``, the service behind the administration's unit form, so the
same rules hold (a village is valid only while its commune is).

The village's ``key`` follows the data file: the commune's key, "/", and the name folded to a
slug without its kind word ("Bản Tổng Kim" in ``bao-yen/vinh-yen`` is
``bao-yen/vinh-yen/tong-kim``); a name that is only a number keeps the word ("Tổ dân phố 1" is
``…/to-dan-pho-1``). Keys are unique, so a row whose key is taken by another unit is reported,
never renamed behind the writer's back.

A village already in the portal is a unit under the same commune with the same name (case and
diacritics ignored); it is skipped. The unit list's export, filtered to villages, imports as it
is: its sheet and headers are this template's, and its informational columns "Trực thuộc" and
"Mã định danh" are ignored. An export of every unit also lists communes and bodies, whose
"Loại" is not a village kind: the import reports those rows, since it creates villages only.
"""

from __future__ import annotations

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from organization import services as organization_services
from organization.models import Unit, UnitKind
from organization.search import fold

from ..context import VILLAGE_KINDS, Context
from ..reader import Book
from ..spec import CHOICE, DATE, TEXT, Column, Row, SheetSpec
from .base import ImportKind, Plan, natural_key, register

#: Kind words a village's key leaves out ("Bản Tổng Kim" → "tong-kim"), longest first.
KEY_KIND_WORDS = ("to dan pho", "cum dan cu", "thon", "ban", "lang", "xom", "ap", "khu", "to")
KEY_MAX_LENGTH = Unit._meta.get_field("key").max_length
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def _village_kinds():
    return [(value, label) for value, label in UnitKind.choices if value in VILLAGE_KINDS]


#: Informational columns of the unit list export, accepted and ignored on import.
UNIT_EXPORT_ONLY = ("Trực thuộc", "Mã định danh")

SHEET = SheetSpec(
    "Thôn, tổ dân phố",
    (
        Column(
            "commune",
            "Xã, phường",
            TEXT,
            required=True,
            example="Xã Vĩnh Yên",
            help="Tên hoặc mã xã, phường, thị trấn có thôn, tổ dân phố này.",
        ),
        Column(
            "name",
            "Tên",
            TEXT,
            required=True,
            max_length=Unit._meta.get_field("name").max_length,
            example="Thôn Đồng Tâm",
            help="Tên đầy đủ, kể cả chữ thôn, bản hoặc tổ dân phố, ví dụ “Bản Tổng Kim”, “Tổ dân phố 1”.",
        ),
        Column(
            "kind",
            "Loại",
            CHOICE,
            choices=_village_kinds,
            example="Thôn, bản / tổ dân phố",
            help="Để trống: thôn, bản / tổ dân phố.",
        ),
        Column(
            "code",
            "Mã",
            TEXT,
            max_length=Unit._meta.get_field("code").max_length,
            help="Mã chính thức, nếu có. Không được trùng mã của đơn vị khác.",
        ),
        Column(
            "valid_from",
            "Hiệu lực từ",
            DATE,
            help="Ngày thành lập. Để trống: ngày bắt đầu hiệu lực của xã.",
        ),
        Column(
            "valid_to",
            "Hiệu lực đến",
            DATE,
            help="Ngày giải thể, sáp nhập. Để trống: ngày hết hiệu lực của xã (nếu có). "
            "Thôn chỉ có hiệu lực trong thời gian xã có hiệu lực.",
        ),
    ),
    ignored=UNIT_EXPORT_ONLY,
    help="Mỗi dòng một thôn, bản hoặc tổ dân phố. Thôn đã có trong cổng (cùng xã, cùng tên) được bỏ qua.",
)


def slug(name: str) -> str:
    """The key segment of a village named ``name``: folded, hyphenated, without its kind word
    unless the rest is only a number."""
    folded = fold(name)
    for word in KEY_KIND_WORDS:
        if folded.startswith(word + " "):
            rest = folded[len(word) + 1 :]
            if not rest.replace(" ", "").isdigit():
                folded = rest
            break
    return _NOT_SLUG.sub("-", folded).strip("-")


def village_key(commune: Unit, name: str) -> str:
    return f"{commune.key}/{slug(name)}"


def _day(value: date | None) -> str:
    return f"{value:%d/%m/%Y}" if value else "…"


@register
class UnitsImport(ImportKind):
    key = "units"
    label = gettext_lazy("Villages and residential groups")
    description = gettext_lazy(
        "The villages (thôn, bản) and residential groups (tổ dân phố) of communes. Communes, districts "
        "and their bodies are kept by the administrators and are not imported."
    )
    sheets = (SHEET,)

    def dropdowns(self, ctx: Context):
        return {(SHEET.name, "commune"): self.commune_names(ctx)}

    def _dates(self, ctx: Context, row: Row, commune: Unit) -> tuple[date, date | None] | None:
        """The village's validity: the row's dates, blanks taken from the commune, checked to lie
        within the commune's (the start was already checked when the commune was resolved)."""
        start = row.get("valid_from") or commune.valid_from
        end = row.get("valid_to") or commune.valid_to
        if end is not None and end < start:
            ctx.problem(_("The end of validity is before its start."), row, spec=SHEET, key="valid_to")
            return None
        if commune.valid_to is not None and (end is None or end > commune.valid_to):
            ctx.problem(
                _("A village is valid only while its commune %(commune)s is (%(start)s – %(end)s).")
                % {"commune": commune.name, "start": _day(commune.valid_from), "end": _day(commune.valid_to)},
                row,
                spec=SHEET,
                key="valid_to",
            )
            return None
        return start, end

    def plan(self, ctx: Context, book: Book) -> Plan:
        plan = Plan()
        rows = self.valid_rows(book, SHEET)
        candidates: list[tuple[tuple, Unit, Row]] = []
        seen: dict[tuple, int] = {}
        keys_seen: dict[str, int] = {}
        codes_seen: dict[str, int] = {}
        for index, row in enumerate(rows):
            if index % 2000 == 0:
                ctx.progress(index * 50 // max(len(rows), 1))
            commune = ctx.commune(row["commune"], row, SHEET, "commune", day=row.get("valid_from"))
            if commune is None:
                continue
            dates = self._dates(ctx, row, commune)
            if dates is None:
                continue
            name = " ".join(row["name"].split())
            natural = natural_key(commune.pk, name)
            if natural in seen:
                ctx.problem(
                    _("This row repeats row %(row)s (same commune and name).") % {"row": seen[natural]},
                    row,
                    spec=SHEET,
                    key="name",
                )
                continue
            seen[natural] = row.number
            key = village_key(commune, name)
            if not slug(name):
                ctx.problem(_("Write the name with letters or digits."), row, spec=SHEET, key="name")
                continue
            if len(key) > KEY_MAX_LENGTH:
                ctx.problem(
                    _(
                        "The name is too long to make the village's key "
                        "(at most %(limit)s characters with the commune's)."
                    )
                    % {"limit": KEY_MAX_LENGTH},
                    row,
                    spec=SHEET,
                    key="name",
                )
                continue
            if key in keys_seen:
                ctx.problem(
                    _(
                        "This name gives the same key “%(key)s” as row %(row)s. "
                        "Two villages of a commune need distinct names."
                    )
                    % {"key": key, "row": keys_seen[key]},
                    row,
                    spec=SHEET,
                    key="name",
                )
                continue
            keys_seen[key] = row.number
            code = row.get("code", "")
            if code and code in codes_seen:
                ctx.problem(
                    _("The code %(code)s is also given in row %(row)s.") % {"code": code, "row": codes_seen[code]},
                    row,
                    spec=SHEET,
                    key="code",
                )
                continue
            if code:
                codes_seen[code] = row.number
            start, end = dates
            unit = Unit(
                key=key,
                name=name,
                kind=row.get("kind", UnitKind.VILLAGE),
                code=code,
                parent=commune,
                valid_from=start,
                valid_to=end,
            )
            candidates.append((natural, unit, row))
        self._skip_existing(ctx, plan, candidates)
        ctx.progress(50)
        return plan

    def _skip_existing(self, ctx: Context, plan: Plan, candidates: list[tuple[tuple, Unit, Row]]) -> None:
        """Count villages already in the portal; report keys and codes another unit holds."""
        if not candidates:
            return
        communes = {unit.parent_id for _natural, unit, _row in candidates}
        existing = {
            natural_key(parent_id, name)
            for parent_id, name in Unit.objects.filter(parent_id__in=communes, kind__in=VILLAGE_KINDS).values_list(
                "parent_id", "name"
            )
        }
        fresh = [(unit, row) for natural, unit, row in candidates if natural not in existing]
        plan.existing[SHEET.name] += len(candidates) - len(fresh)
        taken_keys = dict(Unit.objects.filter(key__in=[unit.key for unit, _row in fresh]).values_list("key", "name"))
        taken_codes: dict[str, str] = {}
        for code, name in Unit.objects.filter(code__in=[unit.code for unit, _row in fresh if unit.code]).values_list(
            "code", "name"
        ):
            taken_codes.setdefault(code, name)
        for unit, row in fresh:
            if unit.key in taken_keys:
                ctx.problem(
                    _("The key “%(key)s” this name gives is already used by %(unit)s. Write the name differently.")
                    % {"key": unit.key, "unit": taken_keys[unit.key]},
                    row,
                    spec=SHEET,
                    key="name",
                )
            elif unit.code in taken_codes:
                ctx.problem(
                    _("The code %(code)s is already used by %(unit)s.")
                    % {"code": unit.code, "unit": taken_codes[unit.code]},
                    row,
                    spec=SHEET,
                    key="code",
                )
            else:
                plan.add(unit, row)

    def commit(self, ctx: Context, plan: Plan) -> None:
        total = max(len(plan.items), 1)
        for index, unit in enumerate(plan.items):
            unit._history_user = ctx.user  # outside a request the history middleware knows no user
            try:
                organization_services.unit_save(unit=unit)
            except ValidationError as exc:
                sheet, number = plan.sources[index]
                for message in exc.messages:
                    ctx.problems.add(message, sheet=sheet, row=number)
            if index % 200 == 0:
                ctx.progress(50 + index * 50 // total)
