"""Write the crafted bad files of ``manifest.py`` into this folder.

Run from the repository root after changing a file's recipe, and commit the result:

    .venv/bin/python imports/tests/bad_files/make_bad_files.py

Only openpyxl and the standard library are needed (no Django, no database): the files are what
an office would produce by hand, so they are written the way a spreadsheet program writes them,
with the template's Vietnamese sheet names and headers spelled out here.
``test_bad_files.test_the_generator_uses_the_template_headers`` checks those against the kinds.

Each file holds, next to its one mistake, rows that would import cleanly on their own
(``good_petitions_book`` and ``good_dialogues_book`` prove it), so "nothing was saved" means
the whole file was refused and not only its bad row. Units are those of the ``tree`` fixture
of conftest.py; the files are imported as the officer of Xã Vĩnh Yên.

The output is reproducible: zip entry times and the workbook's creation and modification
times are fixed, so re-running the script changes no committed file unless a recipe changed.
"""

from __future__ import annotations

import io
import re
import sys
import zipfile
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent
FIXED_ZIP_TIME = (2024, 1, 1, 0, 0, 0)
FIXED_XML_TIME = b"2024-01-01T00:00:00Z"
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

PETITIONS_SHEET = "Kiến nghị"
PETITION_HEADERS = (
    "Xã, phường",
    "Ngày tiếp nhận",
    "Nguồn",
    "Loại",
    "Lĩnh vực",
    "Nội dung",
    "Người nêu",
    "Thôn, tổ dân phố",
    "Khiếu nại, tố cáo",
    "Đã trả lời tại chỗ",
    "Nội dung trả lời tại chỗ",
)
DIALOGUES_SHEET = "Đối thoại"
DIALOGUE_HEADERS = (
    "Số TT",
    "Xã, phường",
    "Đơn vị chủ quản",
    "Ngày",
    "Cấp",
    "Chủ trì",
    "Hình thức",
    "Tình trạng",
    "Chủ đề",
    "Thôn, tổ dân phố",
    "Địa điểm",
    "Thành phần",
    "Số người tham dự",
    "Sự việc phát sinh",
    "Biên bản",
)
DIALOGUE_PETITIONS_SHEET = "Kiến nghị"
DIALOGUE_PETITION_HEADERS = (
    "Số TT đối thoại",
    "Loại",
    "Lĩnh vực",
    "Nội dung",
    "Người nêu",
    "Thôn, tổ dân phố",
    "Khiếu nại, tố cáo",
    "Đã trả lời tại chỗ",
    "Nội dung trả lời tại chỗ",
)

Sheet = tuple[str, Sequence[Sequence[Any]]]


# --- rows that are right on their own ------------------------------------------------------


def petition(**changes: Any) -> list[Any]:
    """A correct row of the petitions template; ``changes`` by header, e.g. ``petition(**{"Nguồn": "x"})``."""
    values = {
        "Xã, phường": "Xã Vĩnh Yên",
        "Ngày tiếp nhận": date(2024, 3, 12),
        "Nguồn": "Tiếp công dân",
        "Loại": "Kiến nghị",
        "Lĩnh vực": "Giao thông",
        "Nội dung": "Đề nghị làm rãnh thoát nước đoạn đường qua Bản Tổng Kim",
        "Người nêu": "Bà Hoàng Thị Lan",
        "Thôn, tổ dân phố": "Bản Tổng Kim",
        "Khiếu nại, tố cáo": None,
        "Đã trả lời tại chỗ": "Không",
        "Nội dung trả lời tại chỗ": None,
    }
    return _apply(values, changes, PETITION_HEADERS)


def other_petition(**changes: Any) -> list[Any]:
    """A second correct petition row, different from ``petition()`` in its natural key."""
    base = {
        "Ngày tiếp nhận": date(2024, 5, 7),
        "Nguồn": "Hòm thư góp ý",
        "Lĩnh vực": "Điện, nước",
        "Nội dung": "Đề nghị kéo điện lưới về các hộ cuối bản",
        "Người nêu": "Ông Lý Văn Dũng",
    }
    return petition(**{**base, **changes})


def dialogue(**changes: Any) -> list[Any]:
    """A correct row of the "Đối thoại" sheet (Số TT 1)."""
    values = {
        "Số TT": 1,
        "Xã, phường": "Xã Vĩnh Yên",
        "Đơn vị chủ quản": None,
        "Ngày": date(2024, 4, 18),
        "Cấp": "Xã",
        "Chủ trì": "UBND xã",
        "Hình thức": "Định kỳ",
        "Tình trạng": "Đã tổ chức",
        "Chủ đề": "Đối thoại về nước sinh hoạt và đường nội bản",
        "Thôn, tổ dân phố": "Bản Tổng Kim",
        "Địa điểm": "Nhà văn hóa Bản Tổng Kim",
        "Thành phần": "Nhân dân Bản Tổng Kim",
        "Số người tham dự": 64,
        "Sự việc phát sinh": None,
        "Biên bản": "Hội nghị nghe ý kiến của nhân dân về nước sinh hoạt.",
    }
    return _apply(values, changes, DIALOGUE_HEADERS)


def other_dialogue(**changes: Any) -> list[Any]:
    base = {
        "Số TT": 2,
        "Ngày": date(2024, 9, 5),
        "Chủ đề": "Đối thoại về hỗ trợ sau bão",
        "Thôn, tổ dân phố": None,
        "Địa điểm": "Hội trường UBND xã",
        "Số người tham dự": 120,
    }
    return dialogue(**{**base, **changes})


def dialogue_petition(**changes: Any) -> list[Any]:
    """A correct row of the dialogues template's "Kiến nghị" sheet, raised at Số TT 1."""
    values = {
        "Số TT đối thoại": 1,
        "Loại": "Kiến nghị",
        "Lĩnh vực": "Điện, nước",
        "Nội dung": "Đề nghị sửa đường ống dẫn nước tự chảy",
        "Người nêu": "Ông Hoàng Văn Sáu",
        "Thôn, tổ dân phố": "Bản Tổng Kim",
        "Khiếu nại, tố cáo": None,
        "Đã trả lời tại chỗ": "Không",
        "Nội dung trả lời tại chỗ": None,
    }
    return _apply(values, changes, DIALOGUE_PETITION_HEADERS)


def _apply(values: dict[str, Any], changes: dict[str, Any], headers: Sequence[str]) -> list[Any]:
    unknown = set(changes) - set(headers)
    if unknown:
        raise KeyError(f"not a header: {sorted(unknown)}")
    values.update(changes)
    return [values[header] for header in headers]


# --- writing workbooks ---------------------------------------------------------------------


def _stable(data: bytes) -> bytes:
    """The same archive with fixed entry times and document times, so output is reproducible."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(
                    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(<)", rb"\g<1>" + FIXED_XML_TIME + rb"\2", content
                )
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, content)
    return out.getvalue()


def workbook(sheets: Iterable[Sheet], tweak: Callable[[Workbook], None] | None = None) -> bytes:
    """An .xlsx with one sheet per (title, rows); dates get the dd/mm/yyyy format as in the template."""
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(list(row))
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, date):
                    cell.number_format = "DD/MM/YYYY"
    if tweak is not None:
        tweak(book)
    buffer = io.BytesIO()
    book.save(buffer)
    return _stable(buffer.getvalue())


def petitions_book(*rows: Sequence[Any], headers: Sequence[str] = PETITION_HEADERS, **kwargs: Any) -> bytes:
    return workbook([(PETITIONS_SHEET, [headers, *rows])], **kwargs)


def dialogues_book(dialogues: Sequence[Sequence[Any]], petitions: Sequence[Sequence[Any]] = (), **kwargs: Any) -> bytes:
    return workbook(
        [
            (DIALOGUES_SHEET, [DIALOGUE_HEADERS, *dialogues]),
            (DIALOGUE_PETITIONS_SHEET, [DIALOGUE_PETITION_HEADERS, *petitions]),
        ],
        **kwargs,
    )


def good_petitions_book() -> bytes:
    """The good rows the bad petitions files are built around; imports cleanly (a control)."""
    return petitions_book(petition(), other_petition())


def good_dialogues_book() -> bytes:
    """The good rows the bad dialogues files are built around; imports cleanly (a control)."""
    return dialogues_book([dialogue(), other_dialogue()], [dialogue_petition()])


# --- the bad files -------------------------------------------------------------------------

BUILDERS: dict[str, Callable[[], bytes]] = {}


def builds(name: str):
    def register(function: Callable[[], bytes]) -> Callable[[], bytes]:
        BUILDERS[name] = function
        return function

    return register


@builds("wrong_sheet_name.xlsx")
def _wrong_sheet_name() -> bytes:
    return workbook([("Sheet1", [PETITION_HEADERS, petition(), other_petition()])])


@builds("dialogues_wrong_sheet_name.xlsx")
def _dialogues_wrong_sheet_name() -> bytes:
    return workbook(
        [
            ("Đối thoại 2024", [DIALOGUE_HEADERS, dialogue()]),
            (DIALOGUE_PETITIONS_SHEET, [DIALOGUE_PETITION_HEADERS, dialogue_petition()]),
        ]
    )


def _without(headers: Sequence[str], row: Sequence[Any], header: str) -> tuple[list[str], list[Any]]:
    index = list(headers).index(header)
    return [h for i, h in enumerate(headers) if i != index], [v for i, v in enumerate(row) if i != index]


@builds("missing_required_column.xlsx")
def _missing_required_column() -> bytes:
    headers, first = _without(PETITION_HEADERS, petition(), "Lĩnh vực")
    _headers, second = _without(PETITION_HEADERS, other_petition(), "Lĩnh vực")
    return petitions_book(first, second, headers=headers)


@builds("extra_unknown_column.xlsx")
def _extra_unknown_column() -> bytes:
    return petitions_book(
        [*petition(), "Đã báo cáo huyện"], [*other_petition(), ""], headers=[*PETITION_HEADERS, "Ghi chú"]
    )


@builds("renamed_column.xlsx")
def _renamed_column() -> bytes:
    headers = ["Ngày tiếp nhậ" if header == "Ngày tiếp nhận" else header for header in PETITION_HEADERS]
    return petitions_book(petition(), other_petition(), headers=headers)


@builds("duplicated_column.xlsx")
def _duplicated_column() -> bytes:
    first, second = petition(), other_petition()
    return petitions_book([*first, first[5]], [*second, "Kéo điện về bản"], headers=[*PETITION_HEADERS, "Nội dung"])


@builds("value_without_header.xlsx")
def _value_without_header() -> bytes:
    return petitions_book(petition(), [*other_petition(), "ghi chú thêm"])


@builds("merged_cells.xlsx")
def _merged_cells() -> bytes:
    def merge(book: Workbook) -> None:
        book[PETITIONS_SHEET].merge_cells("A2:A3")

    return petitions_book(petition(), other_petition(), tweak=merge)


@builds("formula_cell.xlsx")
def _formula_cell() -> bytes:
    return petitions_book(petition(), other_petition(**{"Ngày tiếp nhận": "=DATE(2024,5,7)"}))


@builds("date_month_first.xlsx")
def _date_month_first() -> bytes:
    return petitions_book(petition(), other_petition(**{"Ngày tiếp nhận": "02/25/2024"}))


@builds("date_two_digit_year.xlsx")
def _date_two_digit_year() -> bytes:
    return petitions_book(petition(), other_petition(**{"Ngày tiếp nhận": "05/02/24"}))


@builds("date_not_real.xlsx")
def _date_not_real() -> bytes:
    return petitions_book(petition(), other_petition(**{"Ngày tiếp nhận": "32/01/2024"}))


@builds("date_as_serial_number.xlsx")
def _date_as_serial_number() -> bytes:
    # 45327 is 5 February 2024 in Excel's calendar: the cell lost its date format.
    return dialogues_book([dialogue(), other_dialogue(**{"Ngày": 45327})], [dialogue_petition()])


@builds("number_mixed_separators.xlsx")
def _number_mixed_separators() -> bytes:
    return dialogues_book([dialogue(**{"Số người tham dự": "1,234.56"}), other_dialogue()], [dialogue_petition()])


@builds("number_decimal_in_integer_column.xlsx")
def _number_decimal_in_integer_column() -> bytes:
    # "1.5" typed as text, and 85.5 stored as a real number.
    return dialogues_book(
        [dialogue(**{"Số người tham dự": "1.5"}), other_dialogue(**{"Số người tham dự": 85.5})], [dialogue_petition()]
    )


@builds("negative_number.xlsx")
def _negative_number() -> bytes:
    return dialogues_book([dialogue(), other_dialogue(**{"Số người tham dự": -12})], [dialogue_petition()])


@builds("commune_outside_scope.xlsx")
def _commune_outside_scope() -> bytes:
    return petitions_book(
        petition(), other_petition(**{"Xã, phường": "Xã Nghĩa Đô", "Thôn, tổ dân phố": "Thôn Nà Pồng"})
    )


@builds("dialogue_outside_scope.xlsx")
def _dialogue_outside_scope() -> bytes:
    return dialogues_book(
        [
            dialogue(**{"Xã, phường": "Xã Nghĩa Đô", "Thôn, tổ dân phố": "Thôn Nà Pồng"}),
            other_dialogue(**{"Đơn vị chủ quản": "Huyện Bảo Yên"}),
        ],
        [dialogue_petition()],
    )


@builds("unknown_commune.xlsx")
def _unknown_commune() -> bytes:
    return petitions_book(petition(), other_petition(**{"Xã, phường": "Xã Vĩnh Phúc"}))


@builds("unit_not_valid_on_date.xlsx")
def _unit_not_valid_on_date() -> bytes:
    # Xã Vĩnh Yên of the test tree exists from 01/01/2020 to 30/06/2025 (merged in the 2025
    # reorganisation); both dates are in the past, so only the unit's validity is at fault.
    return petitions_book(
        petition(),
        other_petition(**{"Ngày tiếp nhận": date(2019, 3, 15)}),
        other_petition(**{"Ngày tiếp nhận": date(2025, 9, 1), "Nội dung": "Đề nghị sửa cầu tràn"}),
    )


@builds("village_of_another_commune.xlsx")
def _village_of_another_commune() -> bytes:
    return petitions_book(petition(), other_petition(**{"Thôn, tổ dân phố": "Thôn Nà Pồng"}))


@builds("duplicate_rows.xlsx")
def _duplicate_rows() -> bytes:
    # Row 4 repeats row 2 with other spacing and capitals: the same petition.
    again = petition(**{"Nội dung": "Đề nghị làm rãnh thoát nước  đoạn đường qua BẢN TỔNG KIM"})
    return petitions_book(petition(), other_petition(), again)


@builds("duplicate_dialogues.xlsx")
def _duplicate_dialogues() -> bytes:
    # Row 3 is row 2 again under another Số TT; row 4 reuses Số TT 1.
    return dialogues_book(
        [dialogue(), dialogue(**{"Số TT": 2}), other_dialogue(**{"Số TT": 1})],
        [dialogue_petition()],
    )


@builds("petition_source_dialogue.xlsx")
def _petition_source_dialogue() -> bytes:
    return petitions_book(petition(), other_petition(**{"Nguồn": "Đối thoại"}))


@builds("petition_unknown_dialogue_number.xlsx")
def _petition_unknown_dialogue_number() -> bytes:
    return dialogues_book(
        [dialogue()], [dialogue_petition(), dialogue_petition(**{"Số TT đối thoại": 7, "Nội dung": "Đề nghị lắp đèn"})]
    )


@builds("choice_not_in_list.xlsx")
def _choice_not_in_list() -> bytes:
    return petitions_book(petition(), other_petition(**{"Lĩnh vực": "Thủy lợi"}))


@builds("required_cell_blank.xlsx")
def _required_cell_blank() -> bytes:
    return petitions_book(petition(), other_petition(**{"Nội dung": None}))


@builds("text_too_long.xlsx")
def _text_too_long() -> bytes:
    names = ", ".join(f"Hộ ông Hoàng Văn {number:03d}" for number in range(1, 11))  # 10 × 20 + 9 × 2 = 218
    return petitions_book(petition(), other_petition(**{"Người nêu": names}))


@builds("boolean_not_yes_no.xlsx")
def _boolean_not_yes_no() -> bytes:
    return petitions_book(petition(), other_petition(**{"Đã trả lời tại chỗ": "Chưa"}))


@builds("answered_without_answer.xlsx")
def _answered_without_answer() -> bytes:
    return petitions_book(petition(), other_petition(**{"Đã trả lời tại chỗ": "Có"}))


@builds("header_only.xlsx")
def _header_only() -> bytes:
    return petitions_book()


@builds("example_row_only.xlsx")
def _example_row_only() -> bytes:
    # The template uploaded as downloaded: its grey example row is recognised and skipped.
    example = petition(
        **{
            "Ngày tiếp nhận": date(2024, 3, 15),
            "Nội dung": "Đề nghị sửa chữa đoạn đường liên thôn bị sạt lở",
            "Người nêu": "Ông Hoàng Văn A",
            "Thôn, tổ dân phố": "Thôn Tổng Kim",
            "Đã trả lời tại chỗ": None,
        }
    )
    return petitions_book(example)


@builds("csv_renamed.xlsx")
def _csv_renamed() -> bytes:
    return _csv([PETITION_HEADERS, petition(), other_petition()])


@builds("csv_export_renamed.xlsx")
def _csv_export_renamed() -> bytes:
    # A longer CSV (a list export) whose 2048th byte falls inside a Vietnamese character.
    rows: list[Sequence[Any]] = [PETITION_HEADERS]
    for number in range(1, 40):
        rows.append(other_petition(**{"Nội dung": f"Đề nghị số {number}: kéo điện lưới về các hộ cuối bản"}))
        data = _csv(rows)
        if len(data) > 2100 and _splits_character(data, 2048):
            return data
    raise AssertionError("no row count puts a character across byte 2048")


def _csv(rows: Iterable[Sequence[Any]]) -> bytes:
    lines = []
    for row in rows:
        cells = [
            f"{value:%d/%m/%Y}" if isinstance(value, date) else ("" if value is None else str(value)) for value in row
        ]
        lines.append(",".join(f'"{cell}"' if "," in cell else cell for cell in cells))
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")  # with BOM, as the list exports write it


def _splits_character(data: bytes, offset: int) -> bool:
    return (data[offset] & 0xC0) == 0x80  # a UTF-8 continuation byte


@builds("zip_renamed.xlsx")
def _zip_renamed() -> bytes:
    # A compressed folder holding the workbook, uploaded instead of the workbook.
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in (
            ("kien-nghi-2024/kien-nghi-quy-1.xlsx", good_petitions_book()),
            ("kien-nghi-2024/ghi-chu.txt", "Tệp kiến nghị quý 1 năm 2024.\n".encode()),
        ):
            archive.writestr(zipfile.ZipInfo(name, date_time=FIXED_ZIP_TIME), content, zipfile.ZIP_DEFLATED)
    return out.getvalue()


@builds("compression_bomb.xlsx")
def _compression_bomb() -> bytes:
    # A real workbook whose sheet is padded with 4 MB of blanks: about 10 KB on disk, a
    # ratio near 1,000 (the reader refuses parts over 1 MB expanding more than 200 times).
    source = zipfile.ZipFile(io.BytesIO(good_petitions_book()))
    out = io.BytesIO()
    with source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = content.replace(b"<sheetData>", b"<sheetData>" + b" " * (4 * 1024 * 1024), 1)
            archive.writestr(zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME), content, zipfile.ZIP_DEFLATED)
    return out.getvalue()


@builds("damaged_workbook.xlsx")
def _damaged_workbook() -> bytes:
    # A download cut off halfway: the zip's central directory at the end is missing.
    data = good_petitions_book()
    return data[: len(data) // 2]


@builds("empty.xlsx")
def _empty() -> bytes:
    return b""


@builds("old_xls_signature.xlsx")
def _old_xls_signature() -> bytes:
    # The start of an Excel 97-2003 compound document: its signature and a blank header.
    return OLE_SIGNATURE + bytes(504)


# --- the large file, written at test time (never committed) --------------------------------

LARGE_SOURCES = ("Tiếp công dân", "Hòm thư góp ý", "Trực tuyến", "Gặp mặt chức sắc, người có uy tín")
LARGE_FIELDS = ("Giao thông", "Điện, nước", "Đất đai", "Môi trường", "Y tế", "Giáo dục", "Khác")


def write_large_petitions(path: Path, rows: int) -> None:
    """``rows`` distinct, correct petitions of Xã Vĩnh Yên over 2020-2024, streamed to ``path``
    (openpyxl's write-only mode keeps memory flat). Dates alternate between real Excel dates
    and "dd/mm/yyyy" text, and a third of the rows name a village, as archives do."""
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet(PETITIONS_SHEET)
    sheet.append(PETITION_HEADERS)
    first = date(2020, 1, 1).toordinal()
    span = date(2024, 12, 31).toordinal() - first + 1
    for number in range(rows):
        day = date.fromordinal(first + number * 7919 % span)
        received = WriteOnlyCell(sheet, day)
        received.number_format = "DD/MM/YYYY"
        sheet.append(
            [
                "Xã Vĩnh Yên",
                received if number % 2 else f"{day:%d/%m/%Y}",
                LARGE_SOURCES[number % len(LARGE_SOURCES)],
                "Kiến nghị",
                LARGE_FIELDS[number % len(LARGE_FIELDS)],
                f"Kiến nghị số {number + 1}: đề nghị xem xét, giải quyết cho các hộ gia đình",
                f"Hộ ông Hoàng Văn {number % 997}",
                "Bản Tổng Kim" if number % 3 == 0 else None,
                None,
                "Không",
                None,
            ]
        )
    book.save(path)


def write_all(folder: Path = HERE) -> list[Path]:
    written = []
    for name, build in BUILDERS.items():
        path = folder / name
        path.write_bytes(build())
        written.append(path)
    return written


if __name__ == "__main__":
    for path in write_all():
        sys.stdout.write(f"{path.name}: {path.stat().st_size} bytes\n")
