"""Petitions received outside dialogues (citizen reception, mailbox, online, meetings).

One row per petition. A row already in the portal is one with the same commune, date received,
content and person (case and diacritics ignored); it is skipped. The file's rows are written by
``dialogues.services.petitions_intake``, which applies ``petition_create``'s rules in batches.
"""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dialogues import services as dialogue_services
from dialogues.models import LegalTrack, Petition, PetitionField, PetitionSource, PetitionType

from ..context import Context
from ..reader import Book
from ..spec import BOOLEAN, CHOICE, DATE, TEXT, Column, Row, SheetSpec
from .base import ImportKind, Plan, natural_key, register


def _sources():
    # "Dialogue" is read so that its row gets a precise message: such petitions are imported
    # with their dialogue (kind "dialogues"), never alone.
    return PetitionSource.choices


def _legal_tracks():
    return [(value, label) for value, label in LegalTrack.choices if value]


#: Columns that describe the petition itself, shared with the petitions sheet of dialogues.
PETITION_COLUMNS = (
    Column(
        "type", "Loại", CHOICE, choices=lambda: PetitionType.choices, example="Kiến nghị", help="Để trống: kiến nghị."
    ),
    Column("field", "Lĩnh vực", CHOICE, required=True, choices=lambda: PetitionField.choices, example="Giao thông"),
    Column(
        "content",
        "Nội dung",
        TEXT,
        required=True,
        example="Đề nghị sửa chữa đoạn đường liên thôn bị sạt lở",
        help="Nội dung kiến nghị như đã ghi nhận.",
    ),
    Column(
        "petitioner",
        "Người nêu",
        TEXT,
        max_length=200,
        example="Ông Hoàng Văn A",
        help="Người hoặc nhóm người nêu kiến nghị.",
    ),
    Column(
        "village",
        "Thôn, tổ dân phố",
        TEXT,
        example="Thôn Tổng Kim",
        help="Thôn nơi nảy sinh kiến nghị; phải thuộc xã của dòng.",
    ),
    Column(
        "legal_track",
        "Khiếu nại, tố cáo",
        CHOICE,
        choices=_legal_tracks,
        help="Chỉ điền khi là khiếu nại hoặc tố cáo: được ghi nhận và chuyển theo luật.",
    ),
    Column("answered_on_spot", "Đã trả lời tại chỗ", BOOLEAN, help="Có nếu đã được trả lời ngay tại buổi tiếp."),
    Column("on_spot_answer", "Nội dung trả lời tại chỗ", TEXT, help="Bắt buộc khi đã trả lời tại chỗ."),
)

#: Informational columns of the petitions list export, accepted and ignored on import.
PETITION_EXPORT_ONLY = (
    "Mã",
    "Trạng thái",
    "Cơ quan giải quyết",
    "Hạn trả lời",
    "Quá hạn",
    "Ngày trả lời",
    "Ngày đối thoại",
    "Chủ đề đối thoại",
    "Chủ trì đối thoại",
)

SHEET = SheetSpec(
    "Kiến nghị",
    (
        Column(
            "commune",
            "Xã, phường",
            TEXT,
            required=True,
            example="Xã Vĩnh Yên",
            help="Tên hoặc mã xã, phường, thị trấn tiếp nhận.",
        ),
        Column("received_on", "Ngày tiếp nhận", DATE, required=True, example=date(2024, 3, 15)),
        Column("source", "Nguồn", CHOICE, required=True, choices=_sources, example="Tiếp công dân"),
        *PETITION_COLUMNS,
    ),
    ignored=PETITION_EXPORT_ONLY,
    help="Mỗi dòng một kiến nghị.",
)


def petition_input(ctx: Context, row: Row, spec: SheetSpec, commune, day: date):
    """The service's input for a row's petition columns, or None after reporting a problem."""
    village = None
    if row.get("village"):
        village = ctx.village(commune, row["village"], row, spec, "village", day=day)
        if village is None:
            return None
    answered = bool(row.get("answered_on_spot", False))
    answer = row.get("on_spot_answer", "")
    if answered and not answer:
        ctx.problem(
            _("Write the answer given on the spot, or set “Đã trả lời tại chỗ” to Không."),
            row,
            spec=spec,
            key="on_spot_answer",
        )
        return None
    if row.get("legal_track") and answered:
        ctx.problem(
            _("A complaint or denunciation follows the legal track; it is not answered on the spot."),
            row,
            spec=spec,
            key="legal_track",
        )
        return None
    return dialogue_services.PetitionInput(
        type=row.get("type", PetitionType.REQUEST),
        field=row["field"],
        content=row["content"],
        petitioner=row.get("petitioner", ""),
        village=village,
        legal_track=row.get("legal_track", ""),
        answered_on_spot=answered,
        on_spot_answer=answer,
    )


def petition_key(unit_id: int, received_on: date, content: str, petitioner: str) -> tuple:
    return natural_key(unit_id, received_on, content[:500], petitioner or "")


def existing_petition_keys(unit_ids: set[int], first: date, last: date) -> set[tuple]:
    rows = Petition.objects.filter(unit_id__in=unit_ids, received_on__range=(first, last)).values_list(
        "unit_id", "received_on", "content", "petitioner"
    )
    return {petition_key(*row) for row in rows.iterator(chunk_size=5000)}


@register
class PetitionsImport(ImportKind):
    key = "petitions"
    label = gettext_lazy("Petitions")
    description = gettext_lazy(
        "Petitions received outside dialogues: citizen reception, the mailbox, online, meetings with dignitaries. "
        "Petitions raised at dialogues are imported with their dialogue."
    )
    sheets = (SHEET,)

    def dropdowns(self, ctx: Context):
        return {(SHEET.name, "commune"): self.commune_names(ctx)}

    def plan(self, ctx: Context, book: Book) -> Plan:
        plan = Plan()
        rows = self.valid_rows(book, SHEET)
        candidates = []
        seen: dict[tuple, int] = {}
        for index, row in enumerate(rows):
            if index % 2000 == 0:
                ctx.progress(index * 50 // max(len(rows), 1))
            day = row["received_on"]
            if row["source"] == PetitionSource.DIALOGUE:
                ctx.problem(
                    _(
                        "A petition raised at a dialogue is imported with its dialogue: use the template "
                        "“Dialogues with their petitions”, or leave these rows out of this file."
                    ),
                    row,
                    spec=SHEET,
                    key="source",
                )
                continue
            commune = ctx.commune(row["commune"], row, SHEET, "commune", day=day)
            if commune is None:
                continue
            data = petition_input(ctx, row, SHEET, commune, day)
            if data is None:
                continue
            key = petition_key(commune.pk, day, data.content, data.petitioner)
            if key in seen:
                ctx.problem(
                    _("This row repeats row %(row)s (same commune, date, content and person).") % {"row": seen[key]},
                    row,
                    spec=SHEET,
                    key="content",
                )
                continue
            seen[key] = row.number
            intake = dialogue_services.PetitionIntake(unit=commune, source=row["source"], received_on=day, data=data)
            candidates.append((key, intake, row))
        if candidates:
            days = [item.received_on for _key, item, _row in candidates]
            existing = existing_petition_keys({item.unit.pk for _key, item, _row in candidates}, min(days), max(days))
            for key, item, row in candidates:
                if key in existing:
                    plan.existing[SHEET.name] += 1
                else:
                    plan.add(item, row)
        ctx.progress(50)
        return plan

    def commit(self, ctx: Context, plan: Plan) -> None:
        from django.core.exceptions import ValidationError

        try:
            dialogue_services.petitions_intake(
                user=ctx.user,
                items=plan.items,
                progress=lambda pct: ctx.progress(50 + pct // 2),
                validate_only=ctx.dry_run,
            )
        except ValidationError as exc:
            plan.report(ctx, exc)
