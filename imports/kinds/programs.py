"""Grassroots programs (chương trình ra quân) with their contributions and participation.

Three sheets: "Chương trình", one row per program with a reference number (Số TT) of the
writer's choosing; "Đóng góp" and "Tham gia", one row per contribution or participant group,
naming their program's Số TT. Each program is created with its rows by
``programs.services.program_create``, the service behind the "Record a program" page, so the
same rules hold (the village lies in the commune, a held program is not in the future, a hedge
word qualifies a round figure, one participation row per category...). Work items are recorded
on the program's page; they are not part of the template.

A program already in the portal is one with the same host commune, date and title (case and
diacritics ignored); it is skipped with its rows, so a file imported twice adds nothing. The
"Đóng góp" and "Tham gia" sheets are optional: the program list's export (one sheet, its
totals in informational columns the import ignores) imports as it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from organization import access
from organization.models import Document, Unit, UnitKind
from organization.search import fold
from programs import services as program_services
from programs.forms_programs import basis_documents, default_organizer
from programs.models import (
    ContributionKind,
    ContributorType,
    OrganizerLevel,
    ParticipantCategory,
    Program,
    ProgramField,
    ProgramStatus,
    Qualifier,
    check_qualifier,
)

from ..context import Context, unit_keys
from ..reader import Book
from ..spec import CHOICE, DATE, DECIMAL, INTEGER, TEXT, Column, Row, SheetSpec
from .base import ImportKind, Plan, natural_key, register

#: Informational columns of the program list export (its totals), accepted and ignored on import.
PROGRAM_EXPORT_ONLY = (
    "Công trình, phần việc",
    "Giá trị (đồng)",
    "Mức độ chính xác của giá trị",
    "Lượt người",
    "Mức độ chính xác của lượt người",
)
#: How the export joins several fields in one cell; the import also accepts ",".
FIELD_SEPARATOR = "; "

PROGRAMS = SheetSpec(
    "Chương trình",
    (
        Column(
            "ref",
            "Số TT",
            INTEGER,
            required=True,
            example=1,
            help="Số thứ tự do người lập tệp đặt; các sheet Đóng góp và Tham gia dùng số này. "
            "Tệp xuất từ danh sách chương trình ghi ở đây mã của chương trình trong cổng.",
        ),
        Column(
            "commune",
            "Xã, phường",
            TEXT,
            required=True,
            example="Xã Vĩnh Yên",
            help="Tên hoặc mã xã, phường, thị trấn nơi tổ chức chương trình.",
        ),
        Column(
            "village",
            "Thôn, tổ dân phố",
            TEXT,
            example="Bản Tổng Kim",
            help="Thôn nơi tổ chức, nếu chương trình ở một thôn; phải thuộc xã của dòng. Để trống: toàn xã.",
        ),
        Column(
            "date", "Ngày", DATE, required=True, example=date(2024, 3, 26), help="Ngày tổ chức (hoặc dự kiến tổ chức)."
        ),
        Column(
            "title",
            "Tên chương trình",
            TEXT,
            required=True,
            max_length=Program._meta.get_field("title").max_length,
            example="Ra quân làm đường giao thông nông thôn",
        ),
        Column(
            "organizer_level",
            "Cấp tổ chức",
            CHOICE,
            choices=lambda: OrganizerLevel.choices,
            example="Xã",
            help="Để trống: xã.",
        ),
        Column(
            "organizer",
            "Đơn vị tổ chức",
            TEXT,
            help="Tên hoặc mã đơn vị tổ chức, ví dụ “Ban Dân vận Huyện ủy”. Để trống: chính xã nếu cấp xã tổ chức; "
            "nếu cấp huyện tổ chức, cơ quan của người nhập.",
        ),
        Column(
            "fields",
            "Lĩnh vực",
            TEXT,
            example="Hạ tầng nông thôn",
            help="Một hoặc nhiều lĩnh vực trong danh sách của mẫu, cách nhau bởi dấu chấm phẩy, "
            "ví dụ “Môi trường; Hạ tầng nông thôn”. Để trống nếu chưa xác định.",
        ),
        Column(
            "status",
            "Trạng thái",
            CHOICE,
            choices=lambda: ProgramStatus.choices,
            example="Đã tổ chức",
            help="Để trống: đã tổ chức. Chương trình đã tổ chức không được ghi ngày trong tương lai.",
        ),
        Column(
            "basis_document",
            "Văn bản căn cứ",
            TEXT,
            help="Số, ký hiệu đề án, nghị quyết, chương trình hoặc kế hoạch đã có trong sổ văn bản, ví dụ “10-ĐA/HU”.",
        ),
        Column("survey_notes", "Nội dung khảo sát", TEXT),
        Column("summary", "Kết quả", TEXT, example="Làm mới 1,2 km đường bê tông"),
    ),
    ignored=PROGRAM_EXPORT_ONLY,
    help="Mỗi dòng một chương trình. Chương trình đã có trong cổng (cùng xã, ngày và tên) được bỏ qua cùng các dòng "
    "đóng góp, tham gia của nó.",
)

REF_COLUMN = Column(
    "program_ref",
    "Số TT chương trình",
    INTEGER,
    required=True,
    example=1,
    help="Số TT của chương trình ở sheet Chương trình.",
)

CONTRIBUTIONS = SheetSpec(
    "Đóng góp",
    (
        REF_COLUMN,
        Column(
            "contributor_type",
            "Đối tượng đóng góp",
            CHOICE,
            required=True,
            choices=lambda: ContributorType.choices,
            example="Nhân dân",
        ),
        Column(
            "kind",
            "Hình thức",
            CHOICE,
            required=True,
            choices=lambda: ContributionKind.choices,
            example="Ngày công",
        ),
        Column("quantity", "Số lượng", DECIMAL, example=150, help="Số lượng hiện vật, ngày công, m² đất..."),
        Column("unit_of_measure", "Đơn vị tính", TEXT, max_length=30, example="ngày công"),
        Column("value_vnd", "Giá trị (đồng)", INTEGER, example=30_000_000, help="Quy ra tiền, đồng."),
        Column(
            "qualifier",
            "Mức độ chính xác",
            CHOICE,
            choices=lambda: Qualifier.choices,
            help="“Trên” hoặc “gần” khi báo cáo ghi con số tròn; để trống: chính xác.",
        ),
        Column("note", "Ghi chú", TEXT, max_length=300),
    ),
    optional=True,
    help="Mỗi dòng một khoản đóng góp cho một chương trình ở sheet Chương trình. "
    "Ghi số lượng hoặc giá trị (hoặc cả hai).",
)

PARTICIPATION = SheetSpec(
    "Tham gia",
    (
        REF_COLUMN,
        Column(
            "category",
            "Nhóm",
            CHOICE,
            required=True,
            choices=lambda: ParticipantCategory.choices,
            example="Đoàn viên thanh niên",
        ),
        Column("person_times", "Lượt người", INTEGER, required=True, example=120),
        Column(
            "qualifier",
            "Mức độ chính xác",
            CHOICE,
            choices=lambda: Qualifier.choices,
            help="“Trên” hoặc “gần” khi báo cáo ghi con số tròn; để trống: chính xác.",
        ),
    ),
    optional=True,
    help="Mỗi dòng một nhóm người tham gia một chương trình; mỗi nhóm một dòng cho mỗi chương trình.",
)

#: Program fields the service may name in its errors → the column that holds them.
SERVICE_FIELD_COLUMNS = {
    "unit": "commune",
    "village": "village",
    "date": "date",
    "title": "title",
    "organizer_level": "organizer_level",
    "organizer": "organizer",
    "fields": "fields",
    "status": "status",
    "basis_document": "basis_document",
    "survey_notes": "survey_notes",
    "summary": "summary",
}


@dataclass
class ProgramItem:
    """One program of the file with its rows, for ``program_create`` and for placing its errors."""

    row: Row
    key: tuple
    values: dict
    contributions: list[tuple[Row, dict]] = field(default_factory=list)
    participation: list[tuple[Row, dict]] = field(default_factory=list)

    def as_input(self) -> program_services.ProgramInput:
        return program_services.ProgramInput(
            values=self.values,
            contributions=[values for _row, values in self.contributions],
            participation=[values for _row, values in self.participation],
        )


# --- Reading the program's references ---------------------------------------------------------


def _norm(text: str) -> str:
    """A label as compared with what was written: folded, commas and semicolons as spaces."""
    return " ".join(re.sub(r"[;,]", " ", fold(text)).split())


def field_lookup() -> dict[str, str]:
    """Folded label (Vietnamese and English) or code → the ProgramField value."""
    lookup: dict[str, str] = {}
    for language in ("vi", "en"):
        with translation.override(language):
            for value, label in ProgramField.choices:
                lookup[_norm(str(label))] = value
    for value in ProgramField.values:
        lookup[_norm(value)] = value
    return lookup


def parse_fields(text: str, lookup: dict[str, str]) -> tuple[list[str], str | None]:
    """The fields named in ``text`` ("Môi trường; Quốc phòng, an ninh"), and the first part that
    names none. Labels may hold commas themselves, so the longest run of parts matching a label
    wins."""
    parts = [part.strip() for part in re.split(r"[;,]", text)]
    values: list[str] = []
    index = 0
    while index < len(parts):
        if not parts[index]:
            index += 1
            continue
        for end in range(len(parts), index, -1):
            found = lookup.get(_norm(" ".join(parts[index:end])))
            if found is not None:
                if found not in values:
                    values.append(found)
                index = end
                break
        else:
            return values, parts[index]
    return values, None


def _parent_path(unit: Unit) -> str:
    segments = unit.path.strip("/").split("/")[:-1]
    return f"/{'/'.join(segments)}/" if segments else "/"


class _Lookups:
    """Organizers (any unit the user sees) and basis documents, read once per file."""

    def __init__(self, ctx: Context):
        self.ctx = ctx
        self._organizers: dict[str, list[Unit]] | None = None
        self._documents: dict[str, list[Document]] | None = None
        self._all_names: set[str] | None = None
        self._defaults: dict[tuple[int, str], Unit] = {}

    def organizer(self, text: str, commune: Unit, day: date, row: Row) -> Unit | None:
        if self._organizers is None:
            self._organizers = {}
            for unit in access.visible_units(self.ctx.user).order_by("path"):
                for key in unit_keys(unit.name) | ({fold(unit.code)} if unit.code else set()):
                    self._organizers.setdefault(key, []).append(unit)
        candidates = self._organizers.get(fold(text), [])
        if not candidates:
            if self._exists(text):
                message = _("Choose an organizer within your units.")
            else:
                message = _("There is no unit “%(text)s”. Check the spelling or write the official code.") % {
                    "text": text
                }
            self.ctx.problem(message, row, spec=PROGRAMS, key="organizer")
            return None
        valid = [unit for unit in candidates if unit.is_valid_on(day)]
        if not valid:
            unit = candidates[0]
            self.ctx.problem(
                _("%(unit)s existed from %(start)s to %(end)s, not on %(day)s.")
                % {
                    "unit": unit.name,
                    "start": f"{unit.valid_from:%d/%m/%Y}",
                    "end": f"{unit.valid_to:%d/%m/%Y}" if unit.valid_to else "…",
                    "day": f"{day:%d/%m/%Y}",
                },
                row,
                spec=PROGRAMS,
                key="organizer",
            )
            return None
        if len(valid) > 1:
            # The same name in several districts: the one of the commune's district.
            nearby = [unit for unit in valid if unit.path.startswith(_parent_path(commune))]
            valid = nearby or valid
        if len(valid) > 1:
            codes = ", ".join(f"{unit.name} ({unit.code or unit.key})" for unit in valid[:5])
            self.ctx.problem(
                _("“%(text)s” could mean several units: %(codes)s. Write the official code instead.")
                % {"text": text, "codes": codes},
                row,
                spec=PROGRAMS,
                key="organizer",
            )
            return None
        return valid[0]

    def _exists(self, text: str) -> bool:
        """Whether ``text`` names a unit the user does not see."""
        if self._all_names is None:
            self._all_names = set()
            for name, code in Unit.objects.values_list("name", "code"):
                self._all_names |= unit_keys(name) | ({fold(code)} if code else set())
        return fold(text) in self._all_names

    def default_organizer(self, commune: Unit, level: str) -> Unit:
        """As the page offers it: the commune for a commune program; for a district program the
        body the user acts for, else the commune's district."""
        if (commune.pk, level) in self._defaults:
            return self._defaults[commune.pk, level]
        found = commune
        if level == OrganizerLevel.DISTRICT:
            membership = next(
                (
                    m
                    for m in access.memberships(self.ctx.user)
                    if m.role in access.WRITE_ROLES and commune.path.startswith(m.unit.path)
                ),
                None,
            )
            found = (
                default_organizer(membership) or commune.ancestors().filter(kind=UnitKind.DISTRICT).last() or commune
            )
        self._defaults[commune.pk, level] = found
        return found

    def document(self, text: str, day: date, row: Row) -> Document | None:
        if self._documents is None:
            self._documents = {}
            for document in basis_documents(self.ctx.user):
                self._documents.setdefault(fold(document.symbol), []).append(document)
        candidates = self._documents.get(fold(text), [])
        if not candidates:
            self.ctx.problem(
                _(
                    "There is no scheme, resolution, programme or plan “%(text)s” "
                    "in the document register of your units."
                )
                % {"text": text},
                row,
                spec=PROGRAMS,
                key="basis_document",
            )
            return None
        # Numbers restart each term: the latest one issued by the program's date is meant.
        earlier = sorted((d for d in candidates if d.date <= day), key=lambda d: d.date)
        if earlier:
            return earlier[-1]
        if len(candidates) == 1:
            return candidates[0]
        self.ctx.problem(
            _("“%(text)s” could mean several documents, all issued after the program's date.") % {"text": text},
            row,
            spec=PROGRAMS,
            key="basis_document",
        )
        return None


@register
class ProgramsImport(ImportKind):
    key = "programs"
    label = gettext_lazy("Programs with contributions and participation")
    description = gettext_lazy(
        "Grassroots programs (chương trình ra quân) with what was contributed and who took part, "
        "one sheet each, linked by the program's number."
    )
    sheets = (PROGRAMS, CONTRIBUTIONS, PARTICIPATION)

    def dropdowns(self, ctx: Context):
        with translation.override("vi"):
            fields = [str(label) for _value, label in ProgramField.choices]
        return {(PROGRAMS.name, "commune"): self.commune_names(ctx), (PROGRAMS.name, "fields"): fields}

    # --- checking -------------------------------------------------------------------------

    def plan(self, ctx: Context, book: Book) -> Plan:
        plan = Plan()
        lookups = _Lookups(ctx)
        fields = field_lookup()
        #: Số TT → the program (ProgramItem) or, for a row with problems, its row number.
        programs: dict[int, ProgramItem | int] = {}
        keys_seen: dict[tuple, int] = {}
        rows = book.rows.get(PROGRAMS.name, [])
        for index, row in enumerate(rows):
            if index % 500 == 0:
                ctx.progress(index * 40 // max(len(rows), 1))
            ref = row.values.get("ref")
            if ref is not None and ref in programs:
                earlier = programs[ref]
                ctx.problem(
                    _("Số TT %(ref)s is used twice (also on row %(row)s).")
                    % {"ref": ref, "row": earlier if isinstance(earlier, int) else earlier.row.number},
                    row,
                    spec=PROGRAMS,
                    key="ref",
                )
                continue
            item = self._program(ctx, row, lookups, fields, keys_seen) if row.valid else None
            if ref is not None:
                programs[ref] = item if item is not None else row.number
        self._rows(ctx, book, programs, CONTRIBUTIONS, self._contribution)
        self._rows(ctx, book, programs, PARTICIPATION, self._participation)
        items = [item for item in programs.values() if isinstance(item, ProgramItem)]
        existing = self._existing(items)
        for item in sorted(items, key=lambda item: item.row.number):
            if item.key in existing:
                plan.existing[PROGRAMS.name] += 1
                plan.existing[CONTRIBUTIONS.name] += len(item.contributions)
                plan.existing[PARTICIPATION.name] += len(item.participation)
                continue
            plan.add(item, item.row)
            plan.created[CONTRIBUTIONS.name] += len(item.contributions)
            plan.created[PARTICIPATION.name] += len(item.participation)
        ctx.progress(50)
        return plan

    def _program(
        self, ctx: Context, row: Row, lookups: _Lookups, fields: dict[str, str], keys_seen: dict[tuple, int]
    ) -> ProgramItem | None:
        day = row["date"]
        commune = ctx.commune(row["commune"], row, PROGRAMS, "commune", day=day)
        if commune is None:
            return None
        village = None
        if row.get("village"):
            village = ctx.village(commune, row["village"], row, PROGRAMS, "village", day=day)
            if village is None:
                return None
        level = row.get("organizer_level", OrganizerLevel.COMMUNE)
        if row.get("organizer"):
            organizer = lookups.organizer(row["organizer"], commune, day, row)
            if organizer is None:
                return None
        else:
            organizer = lookups.default_organizer(commune, level)
        chosen, unknown = parse_fields(row.get("fields", ""), fields)
        if unknown is not None:
            with translation.override("vi"):
                labels = "; ".join(str(label) for _value, label in ProgramField.choices)
            ctx.problem(
                _("“%(value)s” is not one of: %(labels)s.") % {"value": unknown, "labels": labels},
                row,
                spec=PROGRAMS,
                key="fields",
            )
            return None
        document = None
        if row.get("basis_document"):
            document = lookups.document(row["basis_document"], day, row)
            if document is None:
                return None
        title = " ".join(row["title"].split())
        key = natural_key(commune.pk, day, title)
        if key in keys_seen:
            ctx.problem(
                _("This row repeats row %(row)s (same commune, date and title).") % {"row": keys_seen[key]},
                row,
                spec=PROGRAMS,
                key="title",
            )
            return None
        keys_seen[key] = row.number
        values = {
            "unit": commune,
            "village": village,
            "organizer_level": level,
            "organizer": organizer,
            "title": title,
            "date": day,
            "fields": chosen,
            "basis_document": document,
            "survey_notes": row.get("survey_notes", ""),
            "status": row.get("status", ProgramStatus.HELD),
            "summary": row.get("summary", ""),
        }
        return ProgramItem(row=row, key=key, values=values)

    def _rows(self, ctx: Context, book: Book, programs: dict, spec: SheetSpec, build) -> None:
        """Attach each row of ``spec`` to its program, reporting a Số TT the program sheet lacks
        or whose program row has problems."""
        for row in self.valid_rows(book, spec):
            ref = row["program_ref"]
            program = programs.get(ref)
            if program is None:
                ctx.problem(
                    _("There is no program with Số TT %(ref)s in the sheet “%(sheet)s”.")
                    % {"ref": ref, "sheet": PROGRAMS.name},
                    row,
                    spec=spec,
                    key="program_ref",
                )
                continue
            if isinstance(program, int):
                ctx.problem(
                    _(
                        "The program with Số TT %(ref)s (row %(row)s of the sheet “%(sheet)s”) has problems; "
                        "fix that row first."
                    )
                    % {"ref": ref, "row": program, "sheet": PROGRAMS.name},
                    row,
                    spec=spec,
                    key="program_ref",
                )
                continue
            build(ctx, row, program)

    @staticmethod
    def _contribution(ctx: Context, row: Row, program: ProgramItem) -> None:
        quantity = row.get("quantity")
        value = row.get("value_vnd")
        if not quantity and not value:
            ctx.problem(_("Enter the quantity given or its value in đồng."), row, spec=CONTRIBUTIONS, key="quantity")
            return
        qualifier = row.get("qualifier", Qualifier.EXACT)
        problem = check_qualifier(qualifier, value or quantity)
        if problem:
            ctx.problem(problem, row, spec=CONTRIBUTIONS, key="qualifier")
            return
        program.contributions.append(
            (
                row,
                {
                    "contributor_type": row["contributor_type"],
                    "kind": row["kind"],
                    "quantity": quantity or Decimal(0),
                    "unit_of_measure": row.get("unit_of_measure", ""),
                    "value_vnd": value or 0,
                    "qualifier": qualifier,
                    "note": row.get("note", ""),
                },
            )
        )

    @staticmethod
    def _participation(ctx: Context, row: Row, program: ProgramItem) -> None:
        category = row["category"]
        earlier = next((other for other, values in program.participation if values["category"] == category), None)
        if earlier is not None:
            ctx.problem(
                _(
                    "Each category is counted once per program: row %(row)s already counts it. "
                    "Add the person-times there."
                )
                % {"row": earlier.number},
                row,
                spec=PARTICIPATION,
                key="category",
            )
            return
        qualifier = row.get("qualifier", Qualifier.EXACT)
        problem = check_qualifier(qualifier, row["person_times"])
        if problem:
            ctx.problem(problem, row, spec=PARTICIPATION, key="qualifier")
            return
        program.participation.append(
            (row, {"category": category, "person_times": row["person_times"], "qualifier": qualifier})
        )

    @staticmethod
    def _existing(items: list[ProgramItem]) -> set[tuple]:
        if not items:
            return set()
        days = [item.values["date"] for item in items]
        rows = Program.objects.filter(
            unit_id__in={item.values["unit"].pk for item in items}, date__range=(min(days), max(days))
        ).values_list("unit_id", "date", "title")
        return {natural_key(unit_id, day, title) for unit_id, day, title in rows}

    # --- writing --------------------------------------------------------------------------

    def commit(self, ctx: Context, plan: Plan) -> None:
        total = len(plan.items) or 1
        for index, item in enumerate(plan.items):
            try:
                program_services.program_create(user=ctx.user, data=item.as_input())
            except ValidationError as exc:
                self._report(ctx, exc, item)
            except PermissionDenied:
                ctx.problem(
                    _("You cannot record data for %(unit)s.") % {"unit": item.values["unit"].name},
                    item.row,
                    spec=PROGRAMS,
                    key="commune",
                )
            if index % 20 == 0:
                ctx.progress(50 + index * 50 // total)

    @staticmethod
    def _report(ctx: Context, exc: ValidationError, item: ProgramItem) -> None:
        """Place the service's messages: "contributions-2" on the third contribution's row, a
        program field on its column of the program's row."""
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
        inline = {
            "contributions": (CONTRIBUTIONS, item.contributions),
            "participation": (PARTICIPATION, item.participation),
        }
        for key, messages in errors.items():
            target, spec, column = item.row, PROGRAMS, ""
            prefix, _sep, number = key.partition("-")
            if prefix in inline and number.isdigit() and int(number) < len(inline[prefix][1]):
                spec, rows = inline[prefix]
                target = rows[int(number)][0]
            elif key in SERVICE_FIELD_COLUMNS:
                column = PROGRAMS.header_of(SERVICE_FIELD_COLUMNS[key])
            for message in messages:
                ctx.problems.add(message, sheet=spec.name, row=target.number, column=column)
