"""The downloadable template of a kind of import.

The workbook opens on "Hướng dẫn" (instructions): what the file is for, the steps, and per
sheet a table of its columns (header, required or not, what to write, allowed values). Each data
sheet has the header row (required headers in dark red), one example row in grey italics (left
in, it is recognised and skipped), date and number formats on the columns, and drop-down lists
for every column whose values are fixed, read from the hidden "Danh mục" (lists) sheet so long
lists are not limited to Excel's 255 characters of inline list text.
"""

from __future__ import annotations

import io
from datetime import date

from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from .context import Context
from .kinds.base import ImportKind
from .spec import BOOLEAN, CHOICE, DATE, DECIMAL, INTEGER, Column

LISTS_SHEET = "Danh mục"
INSTRUCTIONS_SHEET = "Hướng dẫn"
TEMPLATE_ROWS = 2000  # how far down drop-downs and formats reach
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
REQUIRED_FONT = Font(bold=True, color="9C0006")
OPTIONAL_FONT = Font(bold=True)
EXAMPLE_FONT = Font(italic=True, color="808080")


def type_label(column: Column) -> str:
    labels = {
        INTEGER: _("whole number, e.g. 1.234"),
        DECIMAL: _("number, decimals after a comma, e.g. 283,75"),
        DATE: _("date dd/mm/yyyy"),
        CHOICE: _("one value from the list"),
        BOOLEAN: _("Có or Không"),
    }
    text = labels.get(column.type, _("text"))
    if column.max_length:
        text = _("%(type)s, at most %(limit)s characters") % {"type": text, "limit": column.max_length}
    return text


def choice_labels(column: Column) -> list[str]:
    if column.type == BOOLEAN:
        return ["Có", "Không"]
    if column.type == CHOICE:
        return [str(label) for _value, label in column.choices()]
    return []


def _instructions(book: Workbook, kind: ImportKind) -> None:
    sheet = book.active
    sheet.title = INSTRUCTIONS_SHEET
    sheet.column_dimensions["A"].width = 34
    sheet.column_dimensions["B"].width = 12
    sheet.column_dimensions["C"].width = 36
    sheet.column_dimensions["D"].width = 70
    sheet.append([_("Import template: %(kind)s") % {"kind": kind.label}])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([str(kind.description)])
    sheet.append([])
    steps = [
        _("1. Fill one row per record in each data sheet, below the header. Do not rename sheets or columns."),
        _(
            "2. The grey example row may stay: it is recognised and skipped. "
            "Dates are dd/mm/yyyy; numbers use a comma for decimals."
        ),
        _("3. Do not merge cells or use formulas: paste values only."),
        _(
            "4. Upload the file on the Import page. You will see every problem by sheet, row and column, "
            "and what would be created, before anything is saved."
        ),
        _("5. Rows already in the portal are skipped, so uploading the same file again creates no duplicates."),
    ]
    for step in steps:
        sheet.append([step])
    for spec in kind.sheets:
        sheet.append([])
        sheet.append([_("Sheet “%(name)s”") % {"name": spec.name}, "", "", str(spec.help)])
        sheet.cell(sheet.max_row, 1).font = Font(bold=True, size=12)
        sheet.append([_("Column"), _("Required"), _("What to write"), _("Meaning / allowed values")])
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
            cell.fill = HEADER_FILL
        for column in spec.columns:
            allowed = choice_labels(column)
            meaning = str(column.help)
            if allowed and column.type == CHOICE:
                meaning = f"{meaning} ({'; '.join(allowed)})" if meaning else "; ".join(allowed)
            sheet.append([column.header, _("Yes") if column.required else "", type_label(column), meaning])
            sheet.cell(sheet.max_row, 4).alignment = Alignment(wrap_text=True, vertical="top")


def _lists_sheet(book: Workbook):
    sheet = book.create_sheet(LISTS_SHEET)
    sheet.sheet_state = "hidden"
    return sheet


def build_template(kind: ImportKind, user) -> bytes:
    """The template workbook for ``kind``, in Vietnamese, with the user's own units listed."""
    with translation.override("vi"):
        book = Workbook()
        _instructions(book, kind)
        lists = _lists_sheet(book)
        extra = kind.dropdowns(Context(user))
        list_column = 0
        for spec in kind.sheets:
            sheet = book.create_sheet(spec.name, index=len(book.sheetnames) - 1)
            sheet.freeze_panes = "A2"
            for index, column in enumerate(spec.columns, start=1):
                letter = get_column_letter(index)
                cell = sheet.cell(1, index, column.header)
                cell.font = REQUIRED_FONT if column.required else OPTIONAL_FONT
                cell.fill = HEADER_FILL
                cell.alignment = Alignment(wrap_text=True, vertical="center")
                sheet.column_dimensions[letter].width = max(14, min(len(column.header) + 6, 45))
                example = column.example
                if example is not None:
                    if column.type == CHOICE and not isinstance(example, str):
                        example = str(example)
                    target = sheet.cell(2, index, example)
                    target.font = EXAMPLE_FONT
                    if isinstance(example, date):
                        target.number_format = "DD/MM/YYYY"
                values = choice_labels(column) or extra.get((spec.name, column.key), [])
                if values:
                    list_column += 1
                    list_letter = get_column_letter(list_column)
                    lists.cell(1, list_column, f"{spec.name} · {column.header}")
                    for row, value in enumerate(values, start=2):
                        lists.cell(row, list_column, value)
                    source = f"{quote_sheetname(LISTS_SHEET)}!${list_letter}$2:${list_letter}${len(values) + 1}"
                    # Fixed lists are enforced; the user's units are suggestions (a village may
                    # be written by code).
                    strict = bool(choice_labels(column))
                    validation = DataValidation(
                        type="list",
                        formula1=source,
                        allow_blank=not column.required,
                        showErrorMessage=strict,
                        errorStyle="stop" if strict else "information",
                        error=_("Choose a value from the list."),
                    )
                    validation.add(f"{letter}2:{letter}{TEMPLATE_ROWS}")
                    sheet.add_data_validation(validation)
                if column.type == DATE:
                    # A column style, not formatted empty cells: those would count as rows.
                    sheet.column_dimensions[letter].number_format = "DD/MM/YYYY"
        book.active = 0
        buffer = io.BytesIO()
        book.save(buffer)
    return buffer.getvalue()
