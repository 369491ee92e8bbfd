"""Reported aggregates: totals from before the portal, as printed in old reports.

One row per figure, with its parts (e.g. a breakdown by year) in one cell: "2021: 30; 2022: 45".
Written by ``dialogues.services.reported_aggregate_create``, the service of the "Reported
figures" page. Parts that do not add up to the total are accepted, as on the page, and flagged
there as a data-quality issue. A figure already present (same unit, figure, host body and
period) is skipped.
"""

from __future__ import annotations

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dialogues import services as dialogue_services
from dialogues.models import HostBody, ReportedAggregate, ReportedMetric
from organization.models import LOCALITY_KINDS
from organization.numbers import parse_integer

from ..context import Context
from ..reader import Book
from ..spec import CHOICE, DATE, INTEGER, TEXT, Column, Row, SheetSpec
from .base import ImportKind, Plan, natural_key, register

SHEET = SheetSpec(
    "Số liệu tổng hợp",
    (
        Column("unit", "Đơn vị", TEXT, required=True, example="Huyện Bảo Yên", help="Huyện hoặc xã mà số liệu nói về."),
        Column(
            "metric",
            "Chỉ tiêu",
            CHOICE,
            required=True,
            choices=lambda: ReportedMetric.choices,
            example="Số cuộc đối thoại",
        ),
        Column(
            "host_body", "Chủ trì", CHOICE, choices=lambda: HostBody.choices, help="Với số cuộc đối thoại: ai chủ trì."
        ),
        Column("period_start", "Từ ngày", DATE, required=True, example=date(2021, 1, 1)),
        Column("period_end", "Đến ngày", DATE, required=True, example=date(2024, 12, 31)),
        Column("total", "Tổng số", INTEGER, required=True, example=304),
        Column("source", "Nguồn", TEXT, required=True, max_length=500, example="Báo cáo số 12-BC/BDVHU"),
        Column("parts", "Chi tiết", TEXT, help="Các phần cộng thành tổng, dạng “2021: 70; 2022: 80”."),
        Column("note", "Ghi chú", TEXT),
    ),
    help="Mỗi dòng một số liệu tổng hợp đã công bố trước khi dùng cổng.",
)

_PART = re.compile(r"^\s*(?P<label>[^:]+?)\s*:\s*(?P<value>[\d.\s]+)\s*$")


def parse_parts(text: str) -> list[tuple[str, int]]:
    """ "2021: 70; 2022: 80" → [("2021", 70), ("2022", 80)]; ValueError with a message."""
    parts: list[tuple[str, int]] = []
    for chunk in filter(None, (piece.strip() for piece in re.split(r"[;\n]", text or ""))):
        match = _PART.match(chunk)
        if not match:
            raise ValueError(_("“%(part)s” is not “label: value”, e.g. “2021: 70”.") % {"part": chunk})
        try:
            value = parse_integer(match["value"])
        except ValidationError as exc:
            raise ValueError(exc.messages[0]) from None
        label = match["label"].strip()
        if label in {existing for existing, _value in parts}:
            raise ValueError(_("Each part must have its own label."))
        parts.append((label, value))
    return parts


def format_parts(parts) -> str:
    return "; ".join(f"{part.label}: {part.value}" for part in parts)


@register
class AggregatesImport(ImportKind):
    key = "aggregates"
    label = gettext_lazy("Reported figures")
    description = gettext_lazy(
        "Totals printed in reports from before the portal (dialogues held, petitions received and resolved), "
        "kept apart from the totals the portal counts from its records."
    )
    sheets = (SHEET,)

    def plan(self, ctx: Context, book: Book) -> Plan:
        plan = Plan()
        seen: dict[tuple, int] = {}
        candidates: list[tuple[tuple, dict, Row]] = []
        for row in self.valid_rows(book, SHEET):
            start, end = row["period_start"], row["period_end"]
            if end < start:
                ctx.problem(_("The period ends before it starts."), row, spec=SHEET, key="period_end")
                continue
            unit = ctx.unit_of_kinds(row["unit"], frozenset(LOCALITY_KINDS), row, SHEET, "unit", day=end)
            if unit is None:
                continue
            try:
                parts = parse_parts(row.get("parts", ""))
            except ValueError as exc:
                ctx.problem(str(exc), row, spec=SHEET, key="parts")
                continue
            host_body = row.get("host_body", "")
            key = natural_key(unit.pk, row["metric"], host_body, start, end)
            if key in seen:
                ctx.problem(
                    _("This row repeats row %(row)s (same unit, figure, host body and period).") % {"row": seen[key]},
                    row,
                    spec=SHEET,
                    key="metric",
                )
                continue
            seen[key] = row.number
            values = {
                "unit": unit,
                "metric": row["metric"],
                "host_body": host_body,
                "period_start": start,
                "period_end": end,
                "total": row["total"],
                "source": row["source"],
                "note": row.get("note", ""),
            }
            candidates.append((key, {"values": values, "parts": parts}, row))
        existing = {
            natural_key(*values)
            for values in ReportedAggregate.objects.filter(
                unit_id__in={item["values"]["unit"].pk for _key, item, _row in candidates}
            ).values_list("unit_id", "metric", "host_body", "period_start", "period_end")
        }
        for key, item, row in candidates:
            if key in existing:
                plan.existing[SHEET.name] += 1
            else:
                plan.add(item, row)
        return plan

    def commit(self, ctx: Context, plan: Plan) -> None:
        for index, item in enumerate(plan.items):
            try:
                dialogue_services.reported_aggregate_create(user=ctx.user, values=item["values"], parts=item["parts"])
            except ValidationError as exc:
                plan.report(ctx, ValidationError({str(index): exc.messages}))
