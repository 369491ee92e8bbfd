"""The report's annex tables as a workbook: one sheet per table (``text.annexes``).

Each sheet has a title row (issuing body and table), a row naming the unit, the period and the
number (or "Bản dự thảo"), then a bold header row frozen with the rows above it. Figures are real
numbers (integers, or decimals with the precision they were frozen with), formatted "#,##0" /
"#,##0.0": Excel shows them with the reader's separators, Vietnamese "1.234.567" on a Vietnamese
system. Months are real dates shown "MM/YYYY". Text that a spreadsheet would read as a formula is
stored as plain text (see ``organization.exports``).
"""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from organization.exports import is_formula_like

from . import text

FONT = "Times New Roman"
INTEGER_FORMAT = "#,##0"
DECIMAL_FORMATS = {1: "#,##0.0", 2: "#,##0.00"}
MONTH_FORMAT = "MM/YYYY"
HEADER_ROW = 3
THIN = Side(style="thin", color="808080")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")


def sheet_title(name: str) -> str:
    return "".join(ch for ch in name if ch not in "[]:*?/\\")[:31] or "Sheet"


def number_format(value: Any) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return INTEGER_FORMAT
    if isinstance(value, Decimal):
        places = min(max(-int(value.as_tuple().exponent), 0), 2)
        return DECIMAL_FORMATS.get(places, INTEGER_FORMAT)
    if isinstance(value, date):
        return MONTH_FORMAT
    return None


def _write(sheet, row: int, column: int, value: Any, *, bold: bool = False):
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", text.nfc(value)) or None
    cell = sheet.cell(row=row, column=column, value=value)
    if isinstance(value, str):
        # openpyxl turns text starting with "=" into a formula: keep it text, quoted for Excel.
        cell.data_type = "s"
        cell.quotePrefix = is_formula_like(value)
    fmt = number_format(value)
    if fmt:
        cell.number_format = fmt
    cell.font = Font(name=FONT, size=12, bold=bold)
    cell.border = BOX
    cell.alignment = Alignment(vertical="center", wrap_text=isinstance(value, str))
    return cell


def _subtitle(report, content_number: str) -> str:
    period = f"{text.short_date(report.period_start)} – {text.short_date(report.period_end)}"
    status = content_number if report.document_id else "Bản dự thảo"
    return f"Đơn vị: {text.nfc(report.unit.name)}. Kỳ báo cáo: {period}. {status}"


def render_xlsx(report) -> bytes:
    facts = text.facts_of(report)
    subject = text.SUBJECT.format(label=facts.period.label)
    subtitle = _subtitle(report, text.number_line(report))
    workbook = Workbook()
    workbook.remove(workbook.active)
    for annex in text.annexes(report):
        sheet = workbook.create_sheet(sheet_title(annex.sheet))
        width = len(annex.columns)
        last = get_column_letter(width)
        title = sheet.cell(row=1, column=1, value=f"{text.nfc(report.issuer.name)}: {subject} – {annex.title}")
        title.font = Font(name=FONT, size=13, bold=True)
        sheet.cell(row=2, column=1, value=subtitle).font = Font(name=FONT, size=12, italic=True)
        if width > 1:
            sheet.merge_cells(f"A1:{last}1")
            sheet.merge_cells(f"A2:{last}2")
        for index, column in enumerate(annex.columns, start=1):
            cell = _write(sheet, HEADER_ROW, index, column.header, bold=True)
            cell.fill = HEADER_FILL
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            sheet.column_dimensions[get_column_letter(index)].width = column.width
        rows = [(row, False) for row in annex.rows] + ([(annex.total, True)] if annex.total else [])
        for offset, (values, is_total) in enumerate(rows, start=HEADER_ROW + 1):
            for index, value in enumerate(values, start=1):
                _write(sheet, offset, index, value if value != "" else None, bold=is_total)
        sheet.freeze_panes = f"A{HEADER_ROW + 1}"
        sheet.row_dimensions[HEADER_ROW].height = 32
        sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
        sheet.page_setup.orientation = "landscape" if width > 6 else "portrait"
        sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
