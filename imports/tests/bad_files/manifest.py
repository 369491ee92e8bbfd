"""What each crafted bad file is, and what importing it must say.

Messages are the English msgids of the code that reports them, with their parameters; the test
translates them with ``gettext`` under the active language, so the same expectations hold in
Vietnamese and in English. ``sheet``, ``row`` and ``column`` are where the problem is placed,
as stored on the import's record: a cell the reader could not read is "letter · header"; a row
a kind refuses names the header only; a header problem is on row 1 with the column letter; a
refused file, or a missing sheet, has no row.

``refused`` files are turned away by ``reader.check_file`` before a byte of them is read as a
workbook (``FileRefused``); the others are read and their problems listed. ``tolerated`` are
follow-on messages accepted but not required. A ``gap`` is a case the import does not handle
yet: its test is expected to fail (strictly) until the gap is closed, then the entry is updated.

Plain data only (no Django): ``make_bad_files.py`` and the test both read it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

PETITIONS = "Kiến nghị"
DIALOGUES = "Đối thoại"


@dataclass(frozen=True)
class Choices:
    """A message parameter: the labels of a choice column in the active language, "; "-joined."""

    kind: str
    sheet: str
    key: str


@dataclass(frozen=True)
class Expect:
    message: str
    params: dict[str, Any] = field(default_factory=dict)
    sheet: str = ""
    row: int | None = None
    column: str = ""


@dataclass(frozen=True)
class BadFile:
    name: str
    kind: str
    what: str
    problems: tuple[Expect, ...] = ()
    refused: bool = False
    tolerated: tuple[Expect, ...] = ()
    gap: str = ""


def refusal(message: str) -> tuple[Expect, ...]:
    return (Expect(message),)


def cell(message: str, row: int, column: str, /, *, in_sheet: str = PETITIONS, **params: Any) -> Expect:
    """A problem placed on a row and column of ``in_sheet``; ``params`` are the message's."""
    return Expect(message, params, sheet=in_sheet, row=row, column=column)


OUTSIDE_SCOPE = "“%(text)s” is outside the units you may record data for."
NOT_A_WHOLE_NUMBER = "“%(value)s” is not a whole number. Write it as 1.234.567 or 1234567."
NO_SUCH_DIALOGUE = "There is no dialogue with Số TT %(ref)s in the sheet “%(sheet)s”."

FILES: tuple[BadFile, ...] = (
    # --- not a workbook: refused before reading -----------------------------------------------
    BadFile(
        "empty.xlsx",
        "petitions",
        "0 bytes",
        refusal("The file is empty. Fill in the template and upload it again."),
        refused=True,
    ),
    BadFile(
        "csv_renamed.xlsx",
        "petitions",
        "a UTF-8 CSV (with BOM) renamed to .xlsx",
        refusal(
            "This is a text (CSV) file with an .xlsx name. Open it in Excel and save it as an Excel Workbook (.xlsx)."
        ),
        refused=True,
    ),
    BadFile(
        "csv_export_renamed.xlsx",
        "petitions",
        "a longer CSV renamed to .xlsx, its 2048th byte inside a Vietnamese letter",
        refusal(
            "This is a text (CSV) file with an .xlsx name. Open it in Excel and save it as an Excel Workbook (.xlsx)."
        ),
        refused=True,
    ),
    BadFile(
        "zip_renamed.xlsx",
        "petitions",
        "a compressed folder holding the workbook, renamed to .xlsx",
        refusal("This is a ZIP archive, not an Excel workbook. Upload the .xlsx file itself, not a compressed folder."),
        refused=True,
    ),
    BadFile(
        "compression_bomb.xlsx",
        "petitions",
        "a 10 KB workbook whose sheet expands to 4 MB (ratio near 1,000)",
        refusal(
            "The workbook expands to far more data than a spreadsheet of this size holds "
            "(a compression bomb?). It was not opened."
        ),
        refused=True,
    ),
    BadFile(
        "old_xls_signature.xlsx",
        "petitions",
        "the signature of an Excel 97-2003 .xls",
        refusal("This is an old Excel 97-2003 (.xls) file. Open it in Excel and save it as .xlsx."),
        refused=True,
    ),
    BadFile(
        "damaged_workbook.xlsx",
        "petitions",
        "a workbook cut off halfway (no zip directory)",
        refusal("The file is damaged and cannot be opened as an Excel workbook."),
        refused=True,
    ),
    # --- sheets and headers -------------------------------------------------------------------
    BadFile(
        "wrong_sheet_name.xlsx",
        "petitions",
        "the data sheet is called “Sheet1”",
        (
            Expect(
                "The sheet “%(name)s” is missing. The file has: %(found)s. Use the template's sheets.",
                {"name": PETITIONS, "found": "“Sheet1”"},
                sheet=PETITIONS,
            ),
        ),
    ),
    BadFile(
        "dialogues_wrong_sheet_name.xlsx",
        "dialogues",
        "the dialogues sheet is called “Đối thoại 2024”",
        (
            Expect(
                "The sheet “%(name)s” is missing. The file has: %(found)s. Use the template's sheets.",
                {"name": DIALOGUES, "found": "“Đối thoại 2024”, “Kiến nghị”"},
                sheet=DIALOGUES,
            ),
        ),
    ),
    BadFile(
        "missing_required_column.xlsx",
        "petitions",
        "no “Lĩnh vực” column",
        (Expect("The required column “%(header)s” is missing.", {"header": "Lĩnh vực"}, sheet=PETITIONS, row=1),),
    ),
    BadFile(
        "extra_unknown_column.xlsx",
        "petitions",
        "an added “Ghi chú” column",
        (
            Expect(
                "The column “%(header)s” is not in the template. Remove it or use the template.",
                {"header": "Ghi chú"},
                sheet=PETITIONS,
                row=1,
                column="L",
            ),
        ),
    ),
    BadFile(
        "renamed_column.xlsx",
        "petitions",
        "“Ngày tiếp nhận” mistyped as “Ngày tiếp nhậ”",
        (
            Expect(
                "The column “%(header)s” is not in the template. Did you mean “%(meant)s”? Use the template's header.",
                {"header": "Ngày tiếp nhậ", "meant": "Ngày tiếp nhận"},
                sheet=PETITIONS,
                row=1,
                column="B",
            ),
            Expect(
                "The required column “%(header)s” is missing.", {"header": "Ngày tiếp nhận"}, sheet=PETITIONS, row=1
            ),
        ),
    ),
    BadFile(
        "duplicated_column.xlsx",
        "petitions",
        "“Nội dung” a second time in column L",
        (Expect("The column “%(header)s” appears twice.", {"header": "Nội dung"}, sheet=PETITIONS, row=1, column="L"),),
    ),
    BadFile(
        "value_without_header.xlsx",
        "petitions",
        "a value in column L, which has no header",
        (cell("This column has no header. Remove the value or use the template.", 3, "L"),),
    ),
    # --- cells --------------------------------------------------------------------------------
    BadFile(
        "merged_cells.xlsx",
        "petitions",
        "the commune cells A2:A3 merged",
        (
            Expect(
                "The cells %(range)s are merged. Unmerge them and write the value in every row.",
                {"range": "A2:A3"},
                sheet=PETITIONS,
            ),
            cell("This column is required.", 3, "A · Xã, phường"),
        ),
    ),
    BadFile(
        "formula_cell.xlsx",
        "petitions",
        "a formula =DATE(2024,5,7) as the date received",
        (
            cell(
                "The cell holds a formula (%(formula)s). Paste the values only (Paste Special → Values).",
                3,
                "B · Ngày tiếp nhận",
                formula="=DATE(2024,5,7)",
            ),
        ),
    ),
    BadFile(
        "date_month_first.xlsx",
        "petitions",
        "the date written month first, 02/25/2024",
        (
            cell(
                "“%(value)s” looks like month/day/year. Write day/month/year, e.g. %(example)s.",
                3,
                "B · Ngày tiếp nhận",
                value="02/25/2024",
                example="25/02/2024",
            ),
        ),
    ),
    BadFile(
        "date_two_digit_year.xlsx",
        "petitions",
        "a two-digit year, 05/02/24",
        (
            cell(
                "“%(value)s” has a two-digit year, which could be read two ways. Write the year in full (dd/mm/yyyy).",
                3,
                "B · Ngày tiếp nhận",
                value="05/02/24",
            ),
        ),
    ),
    BadFile(
        "date_not_real.xlsx",
        "petitions",
        "32/01/2024",
        (cell("“%(value)s” is not a real date.", 3, "B · Ngày tiếp nhận", value="32/01/2024"),),
    ),
    BadFile(
        "date_as_serial_number.xlsx",
        "dialogues",
        "the number 45327 (a date that lost its format) as a dialogue's date",
        (
            cell(
                "%(value)s is a number, not a date. Format the cell as a date or write it as dd/mm/yyyy.",
                3,
                "D · Ngày",
                in_sheet=DIALOGUES,
                value="45327",
            ),
        ),
    ),
    BadFile(
        "number_mixed_separators.xlsx",
        "dialogues",
        "“1,234.56” as the number of participants (an integer column)",
        (cell(NOT_A_WHOLE_NUMBER, 2, "M · Số người tham dự", in_sheet=DIALOGUES, value="1,234.56"),),
    ),
    BadFile(
        "number_decimal_in_integer_column.xlsx",
        "dialogues",
        "“1.5” typed and 85.5 stored as the number of participants",
        (
            cell(NOT_A_WHOLE_NUMBER, 2, "M · Số người tham dự", in_sheet=DIALOGUES, value="1.5"),
            cell("%(value)s is not a whole number.", 3, "M · Số người tham dự", in_sheet=DIALOGUES, value="85.5"),
        ),
    ),
    BadFile(
        "negative_number.xlsx",
        "dialogues",
        "-12 participants",
        (
            cell(
                "%(value)s is negative; this column cannot be below zero.",
                3,
                "M · Số người tham dự",
                in_sheet=DIALOGUES,
                value=-12,
            ),
        ),
    ),
    BadFile(
        "choice_not_in_list.xlsx",
        "petitions",
        "the field “Thủy lợi”, not in the list",
        (
            cell(
                "“%(value)s” is not one of: %(labels)s.",
                3,
                "E · Lĩnh vực",
                value="Thủy lợi",
                labels=Choices("petitions", PETITIONS, "field"),
            ),
        ),
    ),
    BadFile(
        "required_cell_blank.xlsx",
        "petitions",
        "a petition without content",
        (cell("This column is required.", 3, "F · Nội dung"),),
    ),
    BadFile(
        "text_too_long.xlsx",
        "petitions",
        "218 characters of names where 200 fit",
        (
            cell(
                "The text has %(length)s characters; at most %(limit)s fit here.",
                3,
                "G · Người nêu",
                length=218,
                limit=200,
            ),
        ),
    ),
    BadFile(
        "boolean_not_yes_no.xlsx",
        "petitions",
        "“Chưa” as answered on the spot",
        (cell("“%(value)s” is neither “Có” nor “Không”.", 3, "J · Đã trả lời tại chỗ", value="Chưa"),),
    ),
    # --- rows against the portal: scope, dates, duplicates ----------------------------------
    BadFile(
        "commune_outside_scope.xlsx",
        "petitions",
        "a petition of Xã Nghĩa Đô, imported by the officer of Xã Vĩnh Yên",
        (cell(OUTSIDE_SCOPE, 3, "Xã, phường", text="Xã Nghĩa Đô"),),
    ),
    BadFile(
        "dialogue_outside_scope.xlsx",
        "dialogues",
        "a dialogue in Xã Nghĩa Đô, and one owned by the district",
        (
            cell(OUTSIDE_SCOPE, 2, "Xã, phường", in_sheet=DIALOGUES, text="Xã Nghĩa Đô"),
            cell(OUTSIDE_SCOPE, 3, "Đơn vị chủ quản", in_sheet=DIALOGUES, text="Huyện Bảo Yên"),
        ),
    ),
    BadFile(
        "unknown_commune.xlsx",
        "petitions",
        "a commune that does not exist, Xã Vĩnh Phúc",
        (
            cell(
                "There is no unit “%(text)s”. Check the spelling or write the official code.",
                3,
                "Xã, phường",
                text="Xã Vĩnh Phúc",
            ),
        ),
    ),
    BadFile(
        "unit_not_valid_on_date.xlsx",
        "petitions",
        "petitions of Xã Vĩnh Yên before it existed (2019) and after it was merged (09/2025)",
        tuple(
            cell(
                "%(unit)s existed from %(start)s to %(end)s, not on %(day)s.",
                row,
                "Xã, phường",
                unit="Xã Vĩnh Yên",
                start="01/01/2020",
                end="30/06/2025",
                day=day,
            )
            for row, day in ((3, "15/03/2019"), (4, "01/09/2025"))
        ),
    ),
    BadFile(
        "village_of_another_commune.xlsx",
        "petitions",
        "Thôn Nà Pồng (of Xã Nghĩa Đô) as a village of Xã Vĩnh Yên",
        (
            cell(
                "There is no village “%(text)s” in %(commune)s. Check the spelling or add the village first.",
                3,
                "Thôn, tổ dân phố",
                text="Thôn Nà Pồng",
                commune="Xã Vĩnh Yên",
            ),
        ),
    ),
    BadFile(
        "duplicate_rows.xlsx",
        "petitions",
        "row 4 repeats row 2 (other spacing and capitals)",
        (
            cell(
                "This row repeats row %(row)s (same commune, date, content and person).",
                4,
                "Nội dung",
                row=2,
            ),
        ),
    ),
    BadFile(
        "duplicate_dialogues.xlsx",
        "dialogues",
        "row 3 repeats row 2 under another Số TT; row 4 reuses Số TT 1",
        (
            cell("This row repeats row %(row)s (same unit, date and topic).", 3, "Chủ đề", in_sheet=DIALOGUES, row=2),
            cell("Số TT %(ref)s is used twice (also on row %(row)s).", 4, "Số TT", in_sheet=DIALOGUES, ref=1, row=2),
        ),
    ),
    BadFile(
        "petition_source_dialogue.xlsx",
        "petitions",
        "a petition whose source is “Đối thoại”, imported alone",
        (
            cell(
                "A petition raised at a dialogue is imported with its dialogue: use the template "
                "“Dialogues with their petitions”, or leave these rows out of this file.",
                3,
                "Nguồn",
            ),
        ),
    ),
    BadFile(
        "petition_unknown_dialogue_number.xlsx",
        "dialogues",
        "a petition raised at dialogue Số TT 7, which the file does not have",
        (cell(NO_SUCH_DIALOGUE, 3, "Số TT đối thoại", ref=7, sheet=DIALOGUES),),
    ),
    BadFile(
        "answered_without_answer.xlsx",
        "petitions",
        "answered on the spot, with no answer written",
        (
            cell(
                "Write the answer given on the spot, or set “Đã trả lời tại chỗ” to Không.",
                3,
                "Nội dung trả lời tại chỗ",
            ),
        ),
    ),
    # --- nothing to import --------------------------------------------------------------------
    BadFile(
        "header_only.xlsx",
        "petitions",
        "the header row and no data",
        (Expect("The file has no rows below the headers: there is nothing to import."),),
    ),
    BadFile(
        "example_row_only.xlsx",
        "petitions",
        "the template uploaded as downloaded: only its example row, which is skipped",
        (Expect("The file holds only the template's example row, which is never imported. Write your rows below it."),),
    ),
)

BY_NAME = {bad.name: bad for bad in FILES}
