"""Spreadsheet exports of list pages: XLSX and CSV, safe to open in Excel.

``export_response(rows, columns, filename, fmt)`` turns rows (sequences of plain values aligned
with ``columns``) into a download. Values keep their type in XLSX: numbers stay numbers, dates
are real dates shown dd/mm/yyyy; CSV writes dates dd/mm/yyyy and numbers without grouping.

Formula injection: a text cell beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return would be evaluated by a spreadsheet (``=HYPERLINK(...)`` can exfiltrate data). In CSV
such text gets a leading ``'``. In XLSX the text is kept exactly as typed (petitions often start
with "- ") but stored as a string with Excel's quote prefix, never as a formula.

``ExportMixin`` wires this to a ``ListView``: ``?export=xlsx`` or ``?export=csv`` exports every
filtered row (not just the page). Up to ``EXPORT_SYNC_MAX_ROWS`` rows the file downloads at once;
more (up to ``EXPORT_MAX_ROWS``) are written by a background task of the ``exports`` app, which
calls the same view again for the same user and filters. See docs/exports.md.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

FORMATS = ("xlsx", "csv")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
CONTENT_TYPES = {"xlsx": XLSX_CONTENT_TYPE, "csv": CSV_CONTENT_TYPE}
#: Characters that make a spreadsheet treat a cell as a formula (OWASP "CSV injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
DATE_FORMAT_XLSX = "DD/MM/YYYY"
DATETIME_FORMAT_XLSX = "DD/MM/YYYY HH:MM"
INTEGER_FORMAT_XLSX = "#,##0"
#: Widest column, in characters, so one long petition does not make a column a screen wide.
MAX_COLUMN_WIDTH = 60
#: Excel opens at most 1,048,576 rows; one is the header.
XLSX_MAX_ROWS = 1_048_575
#: Rows fetched per database round trip while exporting.
CHUNK_SIZE = 2000
#: The request attribute a background export sets: ``ExportMixin.get`` then hands the view to
#: it instead of answering (see exports/services.py).
EXPORT_CAPTURE = "danvan_export_capture"


def is_formula_like(text: str) -> bool:
    return text.startswith(FORMULA_TRIGGERS)


def neutralize(text: str) -> str:
    """The CSV form of ``text``: a leading ``'`` when a spreadsheet would evaluate it."""
    return f"'{text}" if is_formula_like(text) else text


def _plain(value: Any) -> Any:
    """Lazy translations become text; aware datetimes become local, naive ones (Excel has no zones)."""
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, datetime) and timezone.is_aware(value):
        return timezone.localtime(value).replace(tzinfo=None)
    return value


def _csv_cell(value: Any) -> str:
    value = _plain(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, int | float | Decimal):
        return str(value)
    return neutralize(str(value))


def _xlsx_cell(sheet, value: Any) -> WriteOnlyCell:
    value = _plain(value)
    if isinstance(value, bool):
        value = _("Yes") if value else _("No")
    if isinstance(value, str):
        # openpyxl refuses control characters a pasted text may carry; they are invisible anyway.
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str) and value:
        # openpyxl makes any text starting with "=" a formula: force a plain string, and set
        # Excel's quote prefix so editing the cell later does not turn it into one either.
        cell.data_type = "s"
        if is_formula_like(value):
            cell.quotePrefix = True
    elif isinstance(value, datetime):
        cell.number_format = DATETIME_FORMAT_XLSX
    elif isinstance(value, date):
        cell.number_format = DATE_FORMAT_XLSX
    elif isinstance(value, int):
        cell.number_format = INTEGER_FORMAT_XLSX
    return cell


def _sheet_title(filename: str) -> str:
    title = "".join(ch for ch in filename if ch not in "[]:*?/\\") or "Sheet"
    return title[:31]


def write_xlsx_to(
    target: IO[bytes], rows: Iterable[Sequence[Any]], columns: Sequence[Any], title: str = "Sheet"
) -> None:
    """Write the workbook into the binary file ``target``, one row at a time (write-only mode:
    the rows are never all in memory)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_sheet_title(title))
    headers = [str(column) for column in columns]
    for index, header in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(max(len(header) + 4, 12), MAX_COLUMN_WIDTH)
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", header))
        cell.data_type = "s"
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        sheet.append([_xlsx_cell(sheet, value) for value in row])
    workbook.save(target)


def write_csv_to(target: IO[bytes], rows: Iterable[Sequence[Any]], columns: Sequence[Any]) -> None:
    """Write UTF-8 CSV with a BOM into the binary file ``target``, one row at a time."""
    text = io.TextIOWrapper(target, encoding="utf-8", newline="")
    # The BOM makes Excel read the file as UTF-8; without it Vietnamese letters come out garbled.
    text.write("\ufeff")
    writer = csv.writer(text, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow([neutralize(str(column)) for column in columns])
    for row in rows:
        writer.writerow([_csv_cell(value) for value in row])
    text.flush()
    text.detach()  # leave ``target`` open for the caller


def write_export(
    target: IO[bytes], rows: Iterable[Sequence[Any]], columns: Sequence[Any], fmt: str, title: str = "Sheet"
) -> None:
    if fmt == "xlsx":
        write_xlsx_to(target, rows, columns, title)
    elif fmt == "csv":
        write_csv_to(target, rows, columns)
    else:
        raise ValueError(f"unknown export format {fmt!r}; use one of {FORMATS}")


def write_xlsx(rows: Iterable[Sequence[Any]], columns: Sequence[Any], title: str = "Sheet") -> bytes:
    buffer = io.BytesIO()
    write_xlsx_to(buffer, rows, columns, title)
    return buffer.getvalue()


def write_csv(rows: Iterable[Sequence[Any]], columns: Sequence[Any]) -> bytes:
    buffer = io.BytesIO()
    write_csv_to(buffer, rows, columns)
    return buffer.getvalue()


def export_response(
    rows: Iterable[Sequence[Any]], columns: Sequence[Any], filename: str, fmt: str, sheet_title: str | None = None
) -> HttpResponse:
    """A download of ``rows`` under the header ``columns``; ``filename`` without extension."""
    if fmt == "xlsx":
        body, content_type = write_xlsx(rows, columns, title=sheet_title or filename), XLSX_CONTENT_TYPE
    elif fmt == "csv":
        body, content_type = write_csv(rows, columns), CSV_CONTENT_TYPE
    else:
        raise ValueError(f"unknown export format {fmt!r}; use one of {FORMATS}")
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=f"{filename}.{fmt}")
    return response


@dataclass(frozen=True)
class ExportColumn:
    """One exported column: its header and how to read it from a ``.values()`` row."""

    header: Any
    value: Callable[[dict[str, Any]], Any]


def field(name: str) -> Callable[[dict[str, Any]], Any]:
    return lambda row: row[name]


def choice(name: str, choices: Iterable[tuple[str, Any]]) -> Callable[[dict[str, Any]], Any]:
    """The label of a TextChoices value, read at export time so it is in the user's language."""
    labels = dict(choices)
    return lambda row: str(labels.get(row[name], row[name] or ""))


@dataclass
class ExportTable:
    """What an export writes: headers, the rows (a generator over one query) and the names."""

    headers: list[Any]
    rows: Iterator[list[Any]]
    filename: str
    sheet_title: str | None


class ExportMixin:
    """Adds ``?export=xlsx|csv`` to a list view: the filtered rows of every page.

    The view defines ``export_fields`` (names passed to ``.values()``, including ``a__b`` paths,
    so the export is one query whatever the row count), ``export_columns`` (``ExportColumn`` s
    reading those names) and ``export_filename``. It exports ``get_export_queryset()``, by
    default ``get_queryset()`` (already scoped, filtered and ordered).

    Up to ``EXPORT_SYNC_MAX_ROWS`` rows the answer is the file. More rows, up to
    ``EXPORT_MAX_ROWS``, become an ``exports.ExportJob`` written by a Celery task, and the user is
    sent to its page (progress, then a download link that expires). Beyond that the export is
    refused with a message asking to narrow the filters, rather than handing over a silently
    truncated file. A view may lower either limit with ``export_sync_max_rows`` /
    ``export_max_rows``.

    The task calls the view again (same URL, filters and user, through its ``dispatch``, so its
    login and permission checks run again), and this method hands ``self`` to the task's
    capture instead of answering: both paths write ``export_table()``, so the files are the same.
    """

    export_fields: Sequence[str] = ()
    export_filename = "export"
    #: The XLSX sheet's name. Lists that can be imported again name it like the import
    #: template's sheet and use its headers, so an export is a valid import file.
    export_sheet_title: str | None = None
    #: Overrides of the settings EXPORT_MAX_ROWS / EXPORT_SYNC_MAX_ROWS for one list (None: the setting).
    export_max_rows: int | None = None
    export_sync_max_rows: int | None = None

    def get_export_columns(self) -> Sequence[ExportColumn]:
        return self.export_columns

    def get_export_queryset(self):
        return self.get_queryset()

    def export_limits(self, fmt: str) -> tuple[int, int]:
        """(most rows exported at all, most rows downloaded at once)."""
        most = self.export_max_rows if self.export_max_rows is not None else settings.EXPORT_MAX_ROWS
        if fmt == "xlsx":
            most = min(most, XLSX_MAX_ROWS)
        at_once = self.export_sync_max_rows if self.export_sync_max_rows is not None else settings.EXPORT_SYNC_MAX_ROWS
        return most, at_once

    def export_stem(self) -> str:
        """The file name without extension: the list's name and today's date."""
        return f"{self.export_filename}-{timezone.localdate():%Y-%m-%d}"

    def export_table(self, queryset=None) -> ExportTable:
        queryset = self.get_export_queryset() if queryset is None else queryset
        columns = list(self.get_export_columns())
        values = queryset.values(*self.export_fields).iterator(chunk_size=CHUNK_SIZE)
        return ExportTable(
            headers=[column.header for column in columns],
            rows=([column.value(row) for column in columns] for row in values),
            filename=self.export_filename,
            sheet_title=self.export_sheet_title,
        )

    def refuse_export(self, request, total: int, limit: int) -> HttpResponseRedirect:
        messages.error(
            request,
            _(
                "The list has %(total)s rows; an export holds at most %(limit)s. Narrow the filters "
                "(for example a date range) and export again."
            )
            % {
                "total": number_format(total, force_grouping=True),
                "limit": number_format(limit, force_grouping=True),
            },
        )
        query = request.GET.copy()
        query.pop("export", None)
        return HttpResponseRedirect(f"{request.path}?{query.urlencode()}" if query else request.path)

    def get(self, request, *args, **kwargs):
        fmt = request.GET.get("export", "")
        if fmt not in FORMATS:
            return super().get(request, *args, **kwargs)
        capture = getattr(request, EXPORT_CAPTURE, None)
        if capture is not None:
            return capture(self)
        queryset = self.get_export_queryset()
        total = queryset.count()
        most, at_once = self.export_limits(fmt)
        if total > most:
            return self.refuse_export(request, total, most)
        if total > at_once:
            from exports.services import start  # the exports app builds on this module

            job = start(request, self, fmt=fmt, total=total)
            return HttpResponseRedirect(job.get_absolute_url())
        table = self.export_table(queryset)
        return export_response(table.rows, table.headers, self.export_stem(), fmt, table.sheet_title)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["export_formats"] = FORMATS
        return context
