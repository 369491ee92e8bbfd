"""Dialogues with the petitions raised at them.

Two sheets: "Đối thoại", one row per dialogue with a reference number (Số TT) of the writer's
choosing, and "Kiến nghị", one row per petition naming its dialogue's Số TT. Each dialogue is
created with its petitions by ``dialogues.services.dialogue_create``, the service behind the
"New dialogue" page, so the same rules hold (a held dialogue is not in the future, the village
lies in the commune, the owner unit is within the user's scope...).

A dialogue already in the portal is one with the same owner unit, date and topic (case and
diacritics ignored); it is skipped with its petitions, so a file imported twice adds nothing.
The "Kiến nghị" sheet is optional: the dialogue list's export (one sheet) imports as it is.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dialogues import services as dialogue_services
from dialogues.models import Dialogue, DialogueKind, DialogueLevel, DialogueStatus, HostBody
from organization.models import LOCALITY_KINDS

from ..context import Context
from ..reader import Book
from ..spec import CHOICE, DATE, INTEGER, TEXT, Column, SheetSpec
from .base import ImportKind, Plan, natural_key, register
from .petitions import PETITION_COLUMNS, petition_input

DIALOGUES = SheetSpec(
    "Đối thoại",
    (
        Column(
            "ref",
            "Số TT",
            INTEGER,
            required=True,
            example=1,
            help="Số thứ tự do người lập tệp đặt; sheet Kiến nghị dùng số này.",
        ),
        Column(
            "commune",
            "Xã, phường",
            TEXT,
            required=True,
            example="Xã Vĩnh Yên",
            help="Nơi tổ chức đối thoại (tên hoặc mã).",
        ),
        Column(
            "unit",
            "Đơn vị chủ quản",
            TEXT,
            help="Đơn vị sở hữu bản ghi (huyện hoặc xã). Để trống: chính xã ở cột Xã, phường.",
        ),
        Column("date", "Ngày", DATE, required=True, example=date(2024, 3, 20)),
        Column("level", "Cấp", CHOICE, required=True, choices=lambda: DialogueLevel.choices, example="Xã"),
        Column(
            "host_body",
            "Chủ trì",
            CHOICE,
            required=True,
            choices=lambda: HostBody.choices,
            example="UBND xã",
        ),
        Column(
            "kind",
            "Hình thức",
            CHOICE,
            choices=lambda: DialogueKind.choices,
            example="Định kỳ",
            help="Để trống: định kỳ.",
        ),
        Column("status", "Tình trạng", CHOICE, choices=lambda: DialogueStatus.choices, help="Để trống: đã tổ chức."),
        Column(
            "topic",
            "Chủ đề",
            TEXT,
            required=True,
            max_length=500,
            example="Đối thoại về làm đường giao thông nông thôn",
        ),
        Column("village", "Thôn, tổ dân phố", TEXT, help="Thôn nơi tổ chức, nếu đối thoại ở một thôn."),
        Column("venue", "Địa điểm", TEXT, max_length=200, example="Nhà văn hóa thôn Tổng Kim"),
        Column("audience", "Thành phần", TEXT, max_length=300),
        Column("participant_count", "Số người tham dự", INTEGER, example=85),
        Column(
            "trigger_event", "Sự việc phát sinh", TEXT, max_length=300, help="Với đối thoại đột xuất: lý do tổ chức."
        ),
        Column("minutes_text", "Biên bản", TEXT, help="Nội dung biên bản (văn bản thuần)."),
    ),
    ignored=("Số kiến nghị", "Có biên bản", "Mã"),
    help="Mỗi dòng một cuộc đối thoại.",
)

PETITIONS = SheetSpec(
    "Kiến nghị",
    (
        Column(
            "dialogue_ref",
            "Số TT đối thoại",
            INTEGER,
            required=True,
            example=1,
            help="Số TT của cuộc đối thoại ở sheet Đối thoại.",
        ),
        *PETITION_COLUMNS,
    ),
    optional=True,
    help="Mỗi dòng một kiến nghị nêu tại một cuộc đối thoại ở sheet Đối thoại.",
)

OWNER_KINDS = frozenset(LOCALITY_KINDS)


@register
class DialoguesImport(ImportKind):
    key = "dialogues"
    label = gettext_lazy("Dialogues with their petitions")
    description = gettext_lazy(
        "Dialogues held with citizens and the petitions raised at them, one sheet each, "
        "linked by the dialogue's number."
    )
    sheets = (DIALOGUES, PETITIONS)

    def dropdowns(self, ctx: Context):
        return {(DIALOGUES.name, "commune"): self.commune_names(ctx)}

    def plan(self, ctx: Context, book: Book) -> Plan:
        plan = Plan()
        dialogues: dict[int, dict] = {}
        refs_seen: dict[int, int] = {}
        keys_seen: dict[tuple, int] = {}
        for row in book.rows.get(DIALOGUES.name, []):
            ref = row.values.get("ref")
            if ref is not None:
                if ref in refs_seen:
                    ctx.problem(
                        _("Số TT %(ref)s is used twice (also on row %(row)s).") % {"ref": ref, "row": refs_seen[ref]},
                        row,
                        spec=DIALOGUES,
                        key="ref",
                    )
                    continue
                refs_seen[ref] = row.number
            if not row.valid:
                continue
            day = row["date"]
            commune = ctx.commune(row["commune"], row, DIALOGUES, "commune", day=day)
            if commune is None:
                continue
            owner = commune
            if row.get("unit"):
                owner = ctx.unit_of_kinds(row["unit"], OWNER_KINDS, row, DIALOGUES, "unit", day=day)
                if owner is None:
                    continue
            village = None
            if row.get("village"):
                village = ctx.village(commune, row["village"], row, DIALOGUES, "village", day=day)
                if village is None:
                    continue
            key = natural_key(owner.pk, day, row["topic"])
            if key in keys_seen:
                ctx.problem(
                    _("This row repeats row %(row)s (same unit, date and topic).") % {"row": keys_seen[key]},
                    row,
                    spec=DIALOGUES,
                    key="topic",
                )
                continue
            keys_seen[key] = row.number
            values = {
                "unit": owner,
                "commune": commune,
                "village": village,
                "date": day,
                "level": row["level"],
                "host_body": row["host_body"],
                "kind": row.get("kind", DialogueKind.PERIODIC),
                "status": row.get("status", DialogueStatus.HELD),
                "topic": " ".join(row["topic"].split()),
                "venue": row.get("venue", ""),
                "audience": row.get("audience", ""),
                "participant_count": row.get("participant_count", 0),
                "trigger_event": row.get("trigger_event", ""),
            }
            dialogues[ref] = {
                "row": row,
                "key": key,
                "values": values,
                "minutes": row.get("minutes_text", ""),
                "petitions": [],
            }
        for row in book.rows.get(PETITIONS.name, []):
            if not row.valid:
                continue
            ref = row["dialogue_ref"]
            if DIALOGUES.name not in book.rows:
                continue  # the dialogues sheet itself was missing or unreadable: reported once
            if ref not in refs_seen:
                ctx.problem(
                    _("There is no dialogue with Số TT %(ref)s in the sheet “%(sheet)s”.")
                    % {"ref": ref, "sheet": DIALOGUES.name},
                    row,
                    spec=PETITIONS,
                    key="dialogue_ref",
                )
                continue
            parent = dialogues.get(ref)
            if parent is None:
                continue  # the dialogue's own row has a problem, already reported
            data = petition_input(ctx, row, PETITIONS, parent["values"]["commune"], parent["values"]["date"])
            if data is not None:
                parent["petitions"].append((row, data))
        existing = self._existing({item["values"]["unit"].pk for item in dialogues.values()}, dialogues.values())
        for item in dialogues.values():
            if item["key"] in existing:
                plan.existing[DIALOGUES.name] += 1
                plan.existing[PETITIONS.name] += len(item["petitions"])
                continue
            plan.add(item, item["row"])
            plan.created[PETITIONS.name] += len(item["petitions"])
        return plan

    @staticmethod
    def _existing(unit_ids: set[int], items) -> set[tuple]:
        days = [item["values"]["date"] for item in items]
        if not days:
            return set()
        rows = Dialogue.objects.filter(unit_id__in=unit_ids, date__range=(min(days), max(days))).values_list(
            "unit_id", "date", "topic"
        )
        return {natural_key(unit_id, day, topic) for unit_id, day, topic in rows}

    def commit(self, ctx: Context, plan: Plan) -> None:
        total = len(plan.items) or 1
        for index, item in enumerate(plan.items):
            try:
                dialogue_services.dialogue_create(
                    user=ctx.user,
                    data=dialogue_services.DialogueInput(values=item["values"], minutes_text=item["minutes"]),
                    petitions=[data for _row, data in item["petitions"]],
                )
            except ValidationError as exc:
                self._report(ctx, exc, item)
            if index % 20 == 0:
                ctx.progress(50 + index * 50 // total)

    @staticmethod
    def _report(ctx: Context, exc: ValidationError, item: dict) -> None:
        """Place the service's messages: "petitions-2" on the third petition's row."""
        row = item["row"]
        petition_rows = [petition_row for petition_row, _data in item["petitions"]]
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
        for key, messages in errors.items():
            target, spec = row, DIALOGUES
            if key.startswith("petitions-") and key.split("-", 1)[1].isdigit():
                index = int(key.split("-", 1)[1])
                if index < len(petition_rows):
                    target, spec = petition_rows[index], PETITIONS
            column = spec.header_of(key) if key in {column.key for column in spec.columns} else ""
            for message in messages:
                ctx.problems.add(message, sheet=spec.name, row=target.number, column=column)
