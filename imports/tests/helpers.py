"""Building import files in tests: a workbook with a kind's sheets and headers, and rows."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook, load_workbook

from imports.kinds import REGISTRY


def workbook_bytes(kind_key: str, rows: dict[str, list[dict[str, Any]]], *, skip_sheets: tuple[str, ...] = ()) -> bytes:
    """An .xlsx with every sheet of ``kind_key`` (headers in template order) and ``rows``: per
    sheet name, a list of {column key: value}. Missing keys are left blank."""
    kind = REGISTRY[kind_key]
    book = Workbook()
    book.remove(book.active)
    for spec in kind.sheets:
        if spec.name in skip_sheets:
            continue
        sheet = book.create_sheet(spec.name)
        sheet.append([column.header for column in spec.columns])
        for row in rows.get(spec.name, []):
            sheet.append([row.get(column.key) for column in spec.columns])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def handle(data: bytes, name: str = "test.xlsx") -> io.BytesIO:
    stream = io.BytesIO(data)
    stream.name = name
    return stream


def sheet_rows(data: bytes, sheet: str | None = None) -> list[list[Any]]:
    book = load_workbook(io.BytesIO(data))
    target = book[sheet] if sheet else book.active
    return [[cell.value for cell in row] for row in target.iter_rows()]


def problem_texts(problems) -> list[str]:
    items = problems.kept if hasattr(problems, "kept") else problems
    return [item.message if hasattr(item, "message") else item["message"] for item in items]
