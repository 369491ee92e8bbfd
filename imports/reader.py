"""Opening an uploaded workbook safely and reading its sheets into rows.

Before openpyxl sees a byte, the file is checked for what people actually upload by mistake:
an empty file, a CSV or an old .xls renamed to .xlsx, a ZIP that is not a workbook, and a
"compression bomb" (a few kilobytes that expand to gigabytes). Then each sheet of the template
is found by name, its header row compared with the template's columns, and each data row read
cell by cell (``cells.read_cell``). Formulas and merged cells are reported, not evaluated: a
formula's result is not stored by every program that writes .xlsx, and a merged block leaves all
but its first cell empty.
"""

from __future__ import annotations

import codecs
import difflib
import html
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from defusedxml import ElementTree
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.utils import column_index_from_string, get_column_letter
from python_calamine import CalamineWorkbook

from organization.search import fold

from .cells import CellError, as_text, choice_lookup, is_blank, read_cell
from .problems import ProblemList
from .spec import CHOICE, Row, SheetSpec

#: Largest total size of a workbook's unpacked parts. A 100,000-row sheet of ten columns
#: unpacks to well under 100 MB; anything beyond is refused before being unpacked.
MAX_UNPACKED_BYTES = 400 * 1024 * 1024
#: Expansion beyond this ratio, for a part over a megabyte, is a compression bomb: real sheets
#: compress 5-30 times.
MAX_RATIO = 200
#: Data rows per sheet.
MAX_ROWS = 100_000
#: The example row is looked for among the first rows only (it is row 2 of the template).
EXAMPLE_ROWS_CHECKED = 5

ZIP_SIGNATURE = b"PK\x03\x04"
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls (Excel 97-2003)


class FileRefused(Exception):
    """The upload is not a workbook we can read; the message says what to do."""


@dataclass
class Book:
    """What was read: the rows of each sheet (by sheet name), and every problem found."""

    rows: dict[str, list[Row]] = field(default_factory=dict)
    problems: ProblemList = field(default_factory=ProblemList)
    skipped_examples: int = 0

    @property
    def row_count(self) -> int:
        return sum(len(rows) for rows in self.rows.values())


def _looks_like_text(head: bytes) -> bool:
    try:
        # Incremental: a Vietnamese letter cut by the end of the sample is not an error.
        text = codecs.getincrementaldecoder("utf-8-sig")().decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return all(ch.isprintable() or ch in "\r\n\t" for ch in text[:512])


def check_file(handle: IO[bytes], size: int | None = None) -> None:
    """Raise FileRefused unless ``handle`` holds a plausible, safe .xlsx workbook."""
    handle.seek(0)
    head = handle.read(8)
    handle.seek(0, 2)
    size = handle.tell() if size is None else size
    handle.seek(0)
    if size == 0 or not head:
        raise FileRefused(_("The file is empty. Fill in the template and upload it again."))
    limit = settings.UPLOAD_MAX_BYTES
    if size > limit:
        raise FileRefused(
            _("The file is %(size)s MB; at most %(limit)s MB can be imported. Split it into several files.")
            % {"size": round(size / 1048576, 1), "limit": round(limit / 1048576, 1)}
        )
    if head.startswith(OLE_SIGNATURE):
        raise FileRefused(_("This is an old Excel 97-2003 (.xls) file. Open it in Excel and save it as .xlsx."))
    if not head.startswith(ZIP_SIGNATURE):
        if _looks_like_text(handle.read(2048)):
            handle.seek(0)
            raise FileRefused(
                _(
                    "This is a text (CSV) file with an .xlsx name. "
                    "Open it in Excel and save it as an Excel Workbook (.xlsx)."
                )
            )
        handle.seek(0)
        raise FileRefused(_("This is not an Excel workbook (.xlsx). Download the template and fill it in."))
    try:
        archive = zipfile.ZipFile(handle)
    except zipfile.BadZipFile:
        raise FileRefused(_("The file is damaged and cannot be opened as an Excel workbook.")) from None
    with archive:
        names = archive.namelist()
        if "xl/workbook.xml" not in names:
            raise FileRefused(
                _(
                    "This is a ZIP archive, not an Excel workbook. "
                    "Upload the .xlsx file itself, not a compressed folder."
                )
            )
        unpacked = 0
        for info in archive.infolist():
            unpacked += info.file_size
            ratio = info.file_size / max(info.compress_size, 1)
            if unpacked > MAX_UNPACKED_BYTES or (info.file_size > 1048576 and ratio > MAX_RATIO):
                raise FileRefused(
                    _(
                        "The workbook expands to far more data than a spreadsheet of this size holds "
                        "(a compression bomb?). It was not opened."
                    )
                )
    handle.seek(0)


def _find_sheet(names: list[str], spec: SheetSpec) -> str | None:
    if spec.name in names:
        return spec.name
    wanted = fold(spec.name)
    return next((name for name in names if fold(name) == wanted), None)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _sheet_paths(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → its XML part, from the workbook's relationships (a few small XML files)."""
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {rel.get("Id"): rel.get("Target", "") for rel in rels if _local(rel.tag) == "Relationship"}
    paths: dict[str, str] = {}
    for element in workbook.iter():
        if _local(element.tag) != "sheet":
            continue
        rel_id = next((value for key, value in element.attrib.items() if _local(key) == "id"), None)
        target = targets.get(rel_id, "")
        paths[element.get("name", "")] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return paths


_MERGE_XML = re.compile(rb'<(?:\w+:)?mergeCell ref="([A-Z]+\d+(?::[A-Z]+\d+)?)"')
_FORMULA_XML = re.compile(rb"<(?:\w+:)?f(?=[\s>/])[^>]*?(?:/>|>(.*?)</(?:\w+:)?f>)", re.S)
_CELL_REF = re.compile(rb'<(?:\w+:)?c\s[^>]*?\br="([A-Z]+)(\d+)"')


def _scan_sheet_xml(archive: zipfile.ZipFile, path: str) -> tuple[list[str], dict[tuple[int, int], str]]:
    """Merged ranges and formula cells of one sheet, found in its XML.

    The fast cell reader gives a formula's cached result (or nothing), not the formula, so
    formulas are located here: each ``<f>`` element belongs to the ``<c r="B5">`` before it.
    """
    try:
        data = archive.read(path)
    except KeyError:
        return [], {}
    merges = [match.decode() for match in _MERGE_XML.findall(data)]
    formulas: dict[tuple[int, int], str] = {}
    for match in _FORMULA_XML.finditer(data):
        start = max(data.rfind(b"<c ", 0, match.start()), data.rfind(b":c ", 0, match.start()))
        cell = _CELL_REF.search(data, max(start - 1, 0), match.start())
        if cell is None:
            continue
        column = column_index_from_string(cell.group(1).decode())
        text = (match.group(1) or b"").decode("utf-8", "replace")
        formulas[(int(cell.group(2)), column)] = f"={html.unescape(text)}" if text else "="
    return merges, formulas


def _header_key(text: Any) -> str:
    return fold(as_text(text)).strip(" *")


@dataclass
class _Layout:
    positions: dict[str, int]  # column key → 0-based index in the row
    unnamed: list[int]  # indexes of columns without a header


def _read_header(header: Iterable[Any], spec: SheetSpec, problems: ProblemList) -> _Layout | None:
    by_header = {_header_key(column.header): column for column in spec.columns}
    ignored = {_header_key(text) for text in spec.ignored}
    positions: dict[str, int] = {}
    unnamed: list[int] = []
    unknown: list[tuple[int, str]] = []
    ok = True
    for index, raw in enumerate(header):
        letter = get_column_letter(index + 1)
        if is_blank(raw):
            unnamed.append(index)
            continue
        key = _header_key(raw)
        column = by_header.get(key)
        if column is None:
            if key not in ignored:
                unknown.append((index, as_text(raw)))
            continue
        if column.key in positions:
            problems.add(
                _("The column “%(header)s” appears twice.") % {"header": column.header},
                sheet=spec.name,
                row=1,
                column=letter,
            )
            ok = False
            continue
        positions[column.key] = index
    missing = [column for column in spec.columns if column.key not in positions]
    missing_headers = [_header_key(column.header) for column in missing]
    for index, text in unknown:
        guess = difflib.get_close_matches(_header_key(text), missing_headers, n=1, cutoff=0.6)
        if guess:
            meant = next(column.header for column in missing if _header_key(column.header) == guess[0])
            message = _(
                "The column “%(header)s” is not in the template. Did you mean “%(meant)s”? Use the template's header."
            ) % {
                "header": text,
                "meant": meant,
            }
        else:
            message = _("The column “%(header)s” is not in the template. Remove it or use the template.") % {
                "header": text
            }
        problems.add(message, sheet=spec.name, row=1, column=get_column_letter(index + 1))
        ok = False
    for column in missing:
        if column.required:
            problems.add(
                _("The required column “%(header)s” is missing.") % {"header": column.header}, sheet=spec.name, row=1
            )
            ok = False
    return _Layout(positions, unnamed) if ok else None


def _is_example(values: list[Any], spec: SheetSpec) -> bool:
    example = spec.example_row
    if not any(value is not None for value in example):
        return False
    return all(fold(as_text(a)) == fold(as_text(b)) for a, b in zip(values, example, strict=False) if b is not None)


def _sheet_rows(sheet) -> Iterator[tuple[int, list[Any]]]:
    """(row number as Excel shows it, values from column A) of every row of the used range."""
    start = sheet.start
    if start is None:
        return
    first_row, first_column = start
    padding = [None] * first_column
    for offset, values in enumerate(sheet.iter_rows()):
        yield first_row + offset + 1, (padding + values) if first_column else values


def _read_sheet(sheet, spec: SheetSpec, book: Book, merges: list[str], formulas: dict[tuple[int, int], str]) -> None:
    problems = book.problems
    for ref in merges[:20]:
        problems.add(
            _("The cells %(range)s are merged. Unmerge them and write the value in every row.") % {"range": ref},
            sheet=spec.name,
        )
    rows = _sheet_rows(sheet)
    header = next(rows, None)
    if header is None:
        problems.add(_("The sheet is empty: it has no header row."), sheet=spec.name)
        return
    layout = _read_header(header[1], spec, problems)
    if layout is None:
        return
    lookups = {column.key: choice_lookup(column) for column in spec.columns if column.type == CHOICE}
    ordered = sorted(layout.positions.items(), key=lambda item: item[1])
    columns = {column.key: column for column in spec.columns}
    out: list[Row] = []
    for number, cells in rows:
        width = len(cells)
        if all(is_blank(value) for value in cells):
            continue
        if len(out) >= MAX_ROWS:
            problems.add(
                _("The sheet has more than %(limit)s rows. Split it into several files.") % {"limit": MAX_ROWS},
                sheet=spec.name,
            )
            break
        in_template_order = [
            cells[layout.positions[column.key]]
            if column.key in layout.positions and layout.positions[column.key] < width
            else None
            for column in spec.columns
        ]
        # The template's example row sits right under the headers; later rows are not compared.
        if number <= EXAMPLE_ROWS_CHECKED and _is_example(in_template_order, spec):
            book.skipped_examples += 1
            continue
        row = Row(sheet=spec.name, number=number)
        ok = True
        for key, index in ordered:
            column = columns[key]
            value = cells[index] if index < width else None
            formula = formulas.get((number, index + 1)) if formulas else None
            if formula is not None:
                problems.add(
                    _("The cell holds a formula (%(formula)s). Paste the values only (Paste Special → Values).")
                    % {"formula": formula[:60]},
                    sheet=spec.name,
                    row=number,
                    column=f"{get_column_letter(index + 1)} · {column.header}",
                )
                ok = False
                continue
            try:
                row.values[key] = read_cell(value, column, lookups.get(key))
            except CellError as exc:
                problems.add(
                    str(exc), sheet=spec.name, row=number, column=f"{get_column_letter(index + 1)} · {column.header}"
                )
                ok = False
        for index in layout.unnamed:
            if index < width and not is_blank(cells[index]):
                problems.add(
                    _("This column has no header. Remove the value or use the template."),
                    sheet=spec.name,
                    row=number,
                    column=get_column_letter(index + 1),
                )
                ok = False
                break
        row.valid = ok
        out.append(row)
    book.rows[spec.name] = out


DAMAGED = gettext_lazy("The workbook is damaged or was not saved by a spreadsheet program; it cannot be read.")


def read_book(handle: IO[bytes], sheets: tuple[SheetSpec, ...]) -> Book:
    """Read every sheet of ``sheets`` from ``handle`` (already passed ``check_file``).

    Cell values come from calamine (a compiled reader, an order of magnitude faster than
    openpyxl on a 50,000-row sheet); merged ranges and formulas from the sheet's XML.
    """
    book = Book()
    handle.seek(0)
    data = handle.read()
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        archive = zipfile.ZipFile(io.BytesIO(data))
        paths = _sheet_paths(archive)
    except Exception:  # a malformed part raises many types; the user gets one clear message
        raise FileRefused(str(DAMAGED)) from None
    with archive:
        names = list(workbook.sheet_names)
        for spec in sheets:
            name = _find_sheet(names, spec)
            if name is None:
                if spec.optional:
                    book.rows[spec.name] = []
                    continue
                book.problems.add(
                    _("The sheet “%(name)s” is missing. The file has: %(found)s. Use the template's sheets.")
                    % {"name": spec.name, "found": ", ".join(f"“{found}”" for found in names)},
                    sheet=spec.name,
                )
                continue
            merges, formulas = _scan_sheet_xml(archive, paths.get(name, ""))
            try:
                sheet = workbook.get_sheet_by_name(name)
            except Exception:  # calamine's own error types: the same message as above
                raise FileRefused(str(DAMAGED)) from None
            _read_sheet(sheet, spec, book, merges, formulas)
    return book
