"""Road projects and the land households gave for them (and for other common works).

Two sheets, each optional, so one file may hold new roads with their donations, or only the
donations of roads already in the portal:

* "Tuyến đường": one row per road project. "Số TT" is a reference inside the file only; a
  donation row points at its road by that number.
* "Hiến đất": one row per household's gift. Its road is the "Số TT" of a row of the first sheet,
  or the name of a road of the same commune (in the file or already in the portal), with the
  year in brackets when the commune has two roads of that name: "Đường Nặm Mèng (2021)".

A road already in the portal is one with the same commune, year and name (case and diacritics
ignored); a donation, one with the same commune, household head, date and road. Both are
skipped. Rows are written by ``programs.services.road_project_save`` and
``land_donation_save``, the services of the road and donation pages.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from organization.numbers import parse_integer
from organization.search import fold
from programs import services as program_services
from programs.models import (
    MAX_DONATION_AREA_M2,
    MAX_ROAD_LENGTH_M,
    DonationPurpose,
    LandDonation,
    Program,
    RoadProject,
    Surface,
)

from ..context import Context
from ..reader import Book
from ..spec import CHOICE, DATE, DECIMAL, INTEGER, TEXT, Column, Row, SheetSpec
from .base import ImportKind, Plan, natural_key, register

#: The years a road may be dated, as on the road form.
FIRST_ROAD_YEAR, LAST_ROAD_YEAR = 1990, 2100
#: "Đường Nặm Mèng (2021)": a road's name with its year, for communes with two roads of a name.
_NAME_WITH_YEAR = re.compile(r"^(?P<name>.+?)\s*\((?P<year>\d{4})\)$")
_TREE_SEPARATORS = re.compile(r"[;\n]")
#: Longest species name, as on the donation form.
MAX_SPECIES_LENGTH = 60

ROADS = SheetSpec(
    "Tuyến đường",
    (
        Column(
            "ref",
            "Số TT",
            TEXT,
            max_length=20,
            example="1",
            help="Số thứ tự của tuyến đường trong tệp này; cột “Tuyến đường” của sheet Hiến đất có thể ghi số này.",
        ),
        Column(
            "commune",
            "Xã, phường",
            TEXT,
            required=True,
            example="Xã Vĩnh Yên",
            help="Tên hoặc mã xã, phường, thị trấn.",
        ),
        Column(
            "village",
            "Thôn, tổ dân phố",
            TEXT,
            example="Thôn Tổng Kim",
            help="Để trống khi tuyến đường qua nhiều thôn.",
        ),
        Column(
            "name",
            "Tuyến đường",
            TEXT,
            required=True,
            max_length=300,
            example="Đường bê tông thôn Tổng Kim",
            help="Tên tuyến đường.",
        ),
        Column("year", "Năm", INTEGER, required=True, example=2023, help="Năm làm đường (1990–2100)."),
        Column(
            "length_m",
            "Chiều dài (m)",
            DECIMAL,
            required=True,
            example=750,
            help="Chiều dài tính bằng mét, lớn hơn 0 và không quá 100 km.",
        ),
        Column("road_width_m", "Rộng nền (m)", DECIMAL, example=5, help="Bề rộng nền đường, mét."),
        Column("surface_width_m", "Rộng mặt (m)", DECIMAL, example=3, help="Bề rộng mặt đường, mét."),
        Column(
            "surface",
            "Loại mặt đường",
            CHOICE,
            choices=lambda: Surface.choices,
            example="Bê tông",
            help="Để trống: bê tông.",
        ),
        Column("total_investment_vnd", "Tổng mức đầu tư (đồng)", INTEGER, example=450_000_000, help="Đồng, số nguyên."),
        Column(
            "people_share_vnd",
            "Nhân dân đóng góp (đồng)",
            INTEGER,
            example=150_000_000,
            help="Phần tiền nhân dân đóng góp, đã tính trong tổng mức đầu tư.",
        ),
        Column(
            "program", "Chương trình", TEXT, help="Tên chương trình ra quân của xã mà tuyến đường thuộc về (nếu có)."
        ),
    ),
    ignored=("Số hộ hiến đất", "Diện tích đất hiến (m²)"),
    optional=True,
    help="Mỗi dòng một tuyến đường. Có thể bỏ sheet này khi chỉ nhập hiến đất cho các tuyến đường đã có.",
)

DONATIONS = SheetSpec(
    "Hiến đất",
    (
        Column(
            "commune",
            "Xã, phường",
            TEXT,
            required=True,
            example="Xã Vĩnh Yên",
            help="Tên hoặc mã xã, phường, thị trấn.",
        ),
        Column(
            "village",
            "Thôn, tổ dân phố",
            TEXT,
            example="Thôn Tổng Kim",
            help="Thôn của hộ hiến đất; phải thuộc xã của dòng.",
        ),
        Column(
            "road",
            "Tuyến đường",
            TEXT,
            example="1",
            help=(
                "Số TT của tuyến đường ở sheet Tuyến đường, hoặc tên một tuyến đường của xã đã có trên cổng. "
                "Khi xã có hai tuyến đường trùng tên, ghi thêm năm: “Đường Nặm Mèng (2021)”."
            ),
        ),
        Column("program", "Chương trình", TEXT, help="Tên chương trình ra quân của xã (nếu hiến cho chương trình)."),
        Column(
            "donor",
            "Chủ hộ",
            TEXT,
            required=True,
            max_length=200,
            example="Ông Giàng A Páo",
            help="Họ tên chủ hộ hiến đất.",
        ),
        Column("donated_on", "Ngày hiến", DATE, required=True, example=date(2023, 3, 15)),
        Column(
            "purpose",
            "Mục đích",
            CHOICE,
            choices=lambda: DonationPurpose.choices,
            example="Tuyến đường",
            help="Để trống: làm đường.",
        ),
        Column("area_m2", "Diện tích đất (m²)", DECIMAL, example=120, help="Diện tích đất hiến, m²."),
        Column(
            "trees",
            "Cây trồng theo loài",
            TEXT,
            example="quế: 120; chè: 30",
            help="Số cây theo từng loài, dạng “loài: số cây”, cách nhau bởi dấu chấm phẩy.",
        ),
        Column("other_assets", "Tài sản khác", TEXT, max_length=300, help="Ví dụ: tường rào, cổng, hoa màu."),
        Column("labour_days", "Ngày công", DECIMAL, help="Số ngày công đóng góp."),
        Column("cash_vnd", "Tiền mặt (đồng)", INTEGER, help="Tiền mặt đóng góp, đồng."),
        Column(
            "value_vnd",
            "Tổng giá trị (đồng)",
            INTEGER,
            example=60_000_000,
            help="Giá trị quy ra tiền của mọi thứ đã hiến, kể cả tiền mặt.",
        ),
    ),
    ignored=("Số TT", "Cây trồng"),
    optional=True,
    help="Mỗi dòng một hộ hiến đất (hoặc cây, tài sản, ngày công, tiền).",
)

#: A service's field name → the column to name in a problem (the same key, but the commune).
ROAD_FIELDS = {
    "unit": "commune",
    **{
        name: name
        for name in (
            "village",
            "program",
            "name",
            "year",
            "length_m",
            "road_width_m",
            "surface_width_m",
            "surface",
            "total_investment_vnd",
            "people_share_vnd",
        )
    },
}
DONATION_FIELDS = {
    "unit": "commune",
    **{
        name: name
        for name in (
            "village",
            "road",
            "program",
            "donor",
            "donated_on",
            "purpose",
            "area_m2",
            "trees",
            "other_assets",
            "labour_days",
            "cash_vnd",
            "value_vnd",
        )
    },
}


def report_error(ctx: Context, exc: ValidationError, spec: SheetSpec, number: int, fields: dict[str, str]) -> None:
    """A service's refusal of one row, each message under the column of the field it names."""
    if not hasattr(exc, "error_dict"):
        for message in exc.messages:
            ctx.problems.add(message, sheet=spec.name, row=number)
        return
    for name, messages in exc.message_dict.items():
        key = fields.get(name)
        column = spec.header_of(key) if key else ""
        for message in messages:
            ctx.problems.add(message, sheet=spec.name, row=number, column=column)


def parse_trees(text: str) -> dict[str, int]:
    """Read "quế: 120; chè: 30" as {"quế": 120, "chè": 30}; ValueError carries the message to show."""
    trees: dict[str, int] = {}
    seen: set[str] = set()
    for part in _TREE_SEPARATORS.split(text):
        part = part.strip()
        if not part:
            continue
        species, colon, count_text = part.rpartition(":")
        species = " ".join(species.split())
        if not colon or not species or not count_text.strip():
            raise ValueError(_("Write trees as “species: count” separated by semicolons, e.g. “quế: 120; chè: 30”."))
        if len(species) > MAX_SPECIES_LENGTH:
            raise ValueError(
                _("The species “%(species)s” is longer than %(limit)s characters.")
                % {"species": species, "limit": MAX_SPECIES_LENGTH}
            )
        try:
            count = parse_integer(count_text.strip())
        except ValidationError as exc:
            raise ValueError(exc.messages[0]) from None
        if count < 0:
            raise ValueError(_("%(value)s is negative; this column cannot be below zero.") % {"value": count})
        if species.casefold() in seen:
            raise ValueError(_("List each species once: %(species)s appears twice.") % {"species": species})
        seen.add(species.casefold())
        if count:
            trees[species] = count
    return trees


def road_reference(name: str, year: int, duplicated: bool) -> str:
    """How an export names a donation's road: its name, with the year when the name is not enough."""
    return f"{name} ({year})" if duplicated else name


@dataclass
class RoadItem:
    values: dict[str, Any]
    road: RoadProject | None = None  # set once written


@dataclass
class DonationItem:
    values: dict[str, Any]
    #: A road created from this file: it gets its id only when written.
    new_road: RoadItem | None = None


@dataclass
class FileRoad:
    """A road row of this file as donation rows see it."""

    row: Row
    commune_id: int
    name: str
    year: int
    existing: RoadProject | None = None
    item: RoadItem | None = None

    @property
    def usable(self) -> bool:
        return self.existing is not None or self.item is not None


@dataclass
class _Lookups:
    """Roads and programs of the file's communes, read once."""

    roads: dict[int, list[RoadProject]] = field(default_factory=lambda: defaultdict(list))
    programs: dict[int, list[Program]] = field(default_factory=lambda: defaultdict(list))

    @classmethod
    def load(cls, commune_ids: set[int]) -> _Lookups:
        lookups = cls()
        for road in RoadProject.objects.filter(unit_id__in=commune_ids).only("pk", "unit_id", "name", "year"):
            lookups.roads[road.unit_id].append(road)
        for program in Program.objects.filter(unit_id__in=commune_ids).only("pk", "unit_id", "title", "date"):
            lookups.programs[program.unit_id].append(program)
        return lookups


def _split_year(text: str) -> tuple[str, int | None]:
    match = _NAME_WITH_YEAR.match(text)
    if match:
        return match.group("name"), int(match.group("year"))
    return text, None


@register
class RoadsImport(ImportKind):
    key = "roads"
    label = gettext_lazy("Roads and land donations")
    description = gettext_lazy(
        "Road projects built with the people's contribution, and the land, trees, assets, labour and cash "
        "households gave. Either sheet may be left out: donations may point at roads already in the portal."
    )
    sheets = (ROADS, DONATIONS)

    def dropdowns(self, ctx: Context):
        communes = self.commune_names(ctx)
        return {(ROADS.name, "commune"): communes, (DONATIONS.name, "commune"): communes}

    # --- checking -------------------------------------------------------------------------------

    def plan(self, ctx: Context, book: Book) -> Plan:
        plan = Plan()
        road_rows = self.valid_rows(book, ROADS)
        all_road_rows = book.rows.get(ROADS.name, [])
        donation_rows = self.valid_rows(book, DONATIONS)
        communes: dict[int, Any] = {}
        resolved: dict[tuple[str, int], Any] = {}
        for spec, rows, day_key in ((ROADS, road_rows, None), (DONATIONS, donation_rows, "donated_on")):
            for row in rows:
                commune = ctx.commune(row["commune"], row, spec, "commune", day=row[day_key] if day_key else None)
                resolved[(spec.name, row.number)] = commune
                if commune is not None:
                    communes[commune.pk] = commune
        lookups = _Lookups.load(set(communes))
        ctx.progress(10)
        file_roads = self._plan_roads(ctx, plan, all_road_rows, resolved, lookups)
        ctx.progress(30)
        self._plan_donations(ctx, plan, donation_rows, resolved, lookups, file_roads)
        ctx.progress(50)
        return plan

    def _program(self, ctx: Context, row: Row, spec: SheetSpec, commune, lookups: _Lookups, year: int):
        """The program named in the row (None when empty), or False after reporting a problem."""
        title = row.get("program")
        if not title:
            return None
        matches = [program for program in lookups.programs.get(commune.pk, []) if fold(program.title) == fold(title)]
        if len(matches) > 1:
            matches = [program for program in matches if program.date.year == year] or matches
        if len(matches) == 1:
            return matches[0]
        if matches:
            ctx.problem(
                _("%(commune)s has several programs named “%(title)s”; record the link on the page instead.")
                % {"commune": commune.name, "title": title},
                row,
                spec=spec,
                key="program",
            )
        else:
            ctx.problem(
                _("%(commune)s has no program named “%(title)s”. Check the title or leave the cell empty.")
                % {"commune": commune.name, "title": title},
                row,
                spec=spec,
                key="program",
            )
        return False

    def _plan_roads(self, ctx, plan, rows, resolved, lookups: _Lookups) -> dict[str, Any]:
        """Check road rows; the file's roads by "Số TT" and by (commune, folded name)."""
        by_ref: dict[str, FileRoad] = {}
        refs_seen: dict[str, int] = {}
        keys_seen: dict[tuple, int] = {}
        by_name: dict[tuple[int, str], list[FileRoad]] = defaultdict(list)
        existing = {
            natural_key(road.unit_id, road.year, road.name): road for roads in lookups.roads.values() for road in roads
        }
        # Rows refused (here or by the reader) still answer for their number and name, so the
        # donations pointing at them are not reported a second time.
        failed_refs: set[str] = set()
        failed_names: set[str] = set()
        for row in rows:
            ref = fold(row.get("ref", ""))
            if not row.valid:
                failed_refs.add(ref)
                failed_names.add(fold(row.get("name", "")))
                continue
            file_road = self._plan_road(ctx, plan, row, ref, resolved, lookups, existing, refs_seen, keys_seen)
            if file_road is None:
                failed_refs.add(ref)
                failed_names.add(fold(row["name"]))
                continue
            if ref:
                by_ref[ref] = file_road
            by_name[(file_road.commune_id, fold(file_road.name))].append(file_road)
        failed_refs.discard("")
        failed_names.discard("")
        return {"ref": by_ref, "name": by_name, "failed_refs": failed_refs, "failed_names": failed_names}

    def _plan_road(self, ctx, plan, row, ref, resolved, lookups, existing, refs_seen, keys_seen) -> FileRoad | None:
        """One road row: the road it names, new or already present; None after a problem."""
        if ref:
            if ref in refs_seen:
                ctx.problem(
                    _("The number %(ref)s is already used by row %(row)s; give each road its own number.")
                    % {"ref": row["ref"], "row": refs_seen[ref]},
                    row,
                    spec=ROADS,
                    key="ref",
                )
                return None
            refs_seen[ref] = row.number
        commune = resolved.get((ROADS.name, row.number))
        if commune is None:
            return None
        values = self._road_values(ctx, row, commune, lookups)
        if values is None:
            return None
        key = natural_key(commune.pk, values["year"], values["name"])
        if key in keys_seen:
            ctx.problem(
                _("This row repeats row %(row)s (same commune, year and road name).") % {"row": keys_seen[key]},
                row,
                spec=ROADS,
                key="name",
            )
            return None
        keys_seen[key] = row.number
        file_road = FileRoad(row=row, commune_id=commune.pk, name=values["name"], year=values["year"])
        if key in existing:
            file_road.existing = existing[key]
            plan.existing[ROADS.name] += 1
        else:
            file_road.item = RoadItem(values=values)
            plan.add(file_road.item, row)
        return file_road

    def _road_values(self, ctx: Context, row: Row, commune, lookups: _Lookups) -> dict[str, Any] | None:
        ok = True
        year = row["year"]
        if not FIRST_ROAD_YEAR <= year <= LAST_ROAD_YEAR:
            ctx.problem(
                _("The year must be between %(first)s and %(last)s.")
                % {"first": FIRST_ROAD_YEAR, "last": LAST_ROAD_YEAR},
                row,
                spec=ROADS,
                key="year",
            )
            ok = False
        length = row["length_m"]
        if not Decimal(0) < length <= MAX_ROAD_LENGTH_M:
            ctx.problem(_("The length must be above 0 and at most 100 km."), row, spec=ROADS, key="length_m")
            ok = False
        total, share = row.get("total_investment_vnd", 0), row.get("people_share_vnd", 0)
        if share > total:
            ctx.problem(
                _("The people's share cannot exceed the total investment."), row, spec=ROADS, key="people_share_vnd"
            )
            ok = False
        village = None
        if row.get("village"):
            village = ctx.village(commune, row["village"], row, ROADS, "village")
            ok = ok and village is not None
        program = self._program(ctx, row, ROADS, commune, lookups, year)
        if program is False or not ok:
            return None
        return {
            "unit": commune,
            "village": village,
            "program": program,
            "name": " ".join(row["name"].split()),
            "year": year,
            "length_m": length,
            "road_width_m": row["road_width_m"],
            "surface_width_m": row["surface_width_m"],
            "surface": row.get("surface", Surface.CONCRETE),
            "total_investment_vnd": total,
            "people_share_vnd": share,
        }

    def _road_of(self, ctx, row: Row, commune, lookups: _Lookups, file_roads) -> tuple[Any, Any]:
        """The donation's road as (existing road, road created by this file); (False, None)
        after reporting a problem, (None, None) when the cell is empty."""
        text = row.get("road")
        if not text:
            return None, None
        file_road = file_roads["ref"].get(fold(text))
        if file_road is not None:
            if file_road.commune_id != commune.pk:
                ctx.problem(
                    _("Road number %(ref)s (row %(row)s of “%(sheet)s”) is in another commune.")
                    % {"ref": text, "row": file_road.row.number, "sheet": ROADS.name},
                    row,
                    spec=DONATIONS,
                    key="road",
                )
                return False, None
            return file_road.existing, file_road.item
        wanted, year = fold(text), None
        in_file = file_roads["name"].get((commune.pk, wanted), [])
        in_portal = [road for road in lookups.roads.get(commune.pk, []) if fold(road.name) == wanted]
        if not in_file and not in_portal:
            name, year = _split_year(text)
            wanted = fold(name)
            in_file = [fr for fr in file_roads["name"].get((commune.pk, wanted), []) if fr.year == year]
            in_portal = [r for r in lookups.roads.get(commune.pk, []) if fold(r.name) == wanted and r.year == year]
        # A road both in the file and in the portal (skipped as already present) is one road.
        candidates: dict[Any, tuple[Any, Any]] = {}
        for fr in in_file:
            candidates[("portal", fr.existing.pk) if fr.existing else ("file", fr.row.number)] = (fr.existing, fr.item)
        for road in in_portal:
            candidates[("portal", road.pk)] = (road, None)
        if len(candidates) == 1:
            return next(iter(candidates.values()))
        if fold(text) in file_roads["failed_refs"] or fold(_split_year(text)[0]) in file_roads["failed_names"]:
            return False, None  # a road row of the file that was refused: reported on that row
        if candidates:
            ctx.problem(
                _("%(commune)s has several roads named “%(name)s”; add the year in brackets, e.g. “%(example)s”.")
                % {"commune": commune.name, "name": text, "example": f"{text} ({timezone.localdate().year})"},
                row,
                spec=DONATIONS,
                key="road",
            )
        else:
            ctx.problem(
                _("There is no road “%(name)s” in %(commune)s, in the portal or in the sheet “%(sheet)s”.")
                % {"name": text, "commune": commune.name, "sheet": ROADS.name},
                row,
                spec=DONATIONS,
                key="road",
            )
        return False, None

    def _donation_values(self, ctx: Context, row: Row, commune, lookups: _Lookups) -> dict[str, Any] | None:
        ok = True
        day = row["donated_on"]
        if day > timezone.localdate():
            ctx.problem(_("A donation cannot be dated in the future."), row, spec=DONATIONS, key="donated_on")
            ok = False
        area = row.get("area_m2", Decimal(0))
        if area > MAX_DONATION_AREA_M2:
            ctx.problem(
                _("%(area)s m² from one household is not plausible (at most 100.000 m²).") % {"area": area},
                row,
                spec=DONATIONS,
                key="area_m2",
            )
            ok = False
        trees: dict[str, int] = {}
        if row.get("trees"):
            try:
                trees = parse_trees(row["trees"])
            except ValueError as exc:
                ctx.problem(str(exc), row, spec=DONATIONS, key="trees")
                ok = False
        cash, value = row.get("cash_vnd", 0), row.get("value_vnd", 0)
        if cash > value:
            ctx.problem(
                _("The total value includes the cash, so it cannot be smaller."), row, spec=DONATIONS, key="value_vnd"
            )
            ok = False
        labour = row.get("labour_days", Decimal(0))
        other = row.get("other_assets", "")
        if ok and not (area or sum(trees.values()) or labour or cash or other):
            ctx.problem(
                _("Record at least one thing given: land, trees, assets, labour or cash."),
                row,
                spec=DONATIONS,
                key="area_m2",
            )
            ok = False
        village = None
        if row.get("village"):
            village = ctx.village(commune, row["village"], row, DONATIONS, "village", day=day)
            ok = ok and village is not None
        program = self._program(ctx, row, DONATIONS, commune, lookups, day.year)
        if program is False or not ok:
            return None
        return {
            "unit": commune,
            "village": village,
            "program": program,
            "donor": " ".join(row["donor"].split()),
            "donated_on": day,
            "purpose": row.get("purpose", DonationPurpose.ROAD),
            "area_m2": area,
            "trees": trees,
            "other_assets": other,
            "labour_days": labour,
            "cash_vnd": cash,
            "value_vnd": value,
        }

    def _plan_donations(self, ctx, plan, rows, resolved, lookups: _Lookups, file_roads) -> None:
        candidates = []
        seen: dict[tuple, int] = {}
        for row in rows:
            commune = resolved.get((DONATIONS.name, row.number))
            if commune is None:
                continue
            road, new_road = self._road_of(ctx, row, commune, lookups, file_roads)
            values = self._donation_values(ctx, row, commune, lookups)
            if values is None or road is False:
                continue
            road_key = road.pk if road is not None else (("file", id(new_road)) if new_road is not None else None)
            key = natural_key(commune.pk, values["donor"], values["donated_on"], road_key)
            if key in seen:
                ctx.problem(
                    _("This row repeats row %(row)s (same commune, household head, date and road).")
                    % {"row": seen[key]},
                    row,
                    spec=DONATIONS,
                    key="donor",
                )
                continue
            seen[key] = row.number
            values["road"] = road
            candidates.append((key, DonationItem(values=values, new_road=new_road), row))
        if not candidates:
            return
        days = [item.values["donated_on"] for _key, item, _row in candidates]
        existing = {
            natural_key(*values)
            for values in LandDonation.objects.filter(
                unit_id__in={item.values["unit"].pk for _key, item, _row in candidates},
                donated_on__range=(min(days), max(days)),
            ).values_list("unit_id", "donor", "donated_on", "road_id")
        }
        for key, item, row in candidates:
            if key in existing:
                plan.existing[DONATIONS.name] += 1
            else:
                plan.add(item, row)

    # --- writing --------------------------------------------------------------------------------

    def commit(self, ctx: Context, plan: Plan) -> None:
        total = max(len(plan.items), 1)
        for index, item in enumerate(plan.items):
            sheet, number = plan.sources[index]
            try:
                if isinstance(item, RoadItem):
                    item.road = program_services.road_project_save(user=ctx.user, values=item.values)
                else:
                    values = dict(item.values)
                    if item.new_road is not None:
                        if item.new_road.road is None:
                            continue  # its road was refused, and that is reported on the road's row
                        values["road"] = item.new_road.road
                    program_services.land_donation_save(user=ctx.user, values=values)
            except ValidationError as exc:
                spec, fields = (ROADS, ROAD_FIELDS) if sheet == ROADS.name else (DONATIONS, DONATION_FIELDS)
                report_error(ctx, exc, spec, number, fields)
            if index % 200 == 0:
                ctx.progress(50 + index * 50 // total)
