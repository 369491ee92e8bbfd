"""Issue 6, "done when": with the demo data, every report kind compiles for Bảo Yên and for one
commune (Nghĩa Đô, formed in 2025, with the old communes it continues), with the real renderers,
and the three files open: the DOCX carries the district's or the commune's own header, the XLSX
holds numbers, the PDF starts with its file signature."""

from __future__ import annotations

import io
from datetime import date

import pytest
from docx import Document as WordDocument
from openpyxl import load_workbook

from organization.models import Unit, User
from reports import services, tasks
from reports.models import BuildState, Report

pytestmark = pytest.mark.django_db

PERIODS = {
    "month": (date(2024, 11, 1), date(2024, 11, 30)),
    "quarter": (date(2024, 10, 1), date(2024, 12, 31)),
    "half_year": (date(2024, 1, 1), date(2024, 6, 30)),
    "nine_months": (date(2024, 1, 1), date(2024, 9, 30)),
    "year": (date(2024, 1, 1), date(2024, 12, 31)),
    "custom": (date(2024, 3, 15), date(2024, 8, 14)),
}
UNITS = {"bao-yen": ("demo_district", "HUYỆN ỦY BẢO YÊN"), "xa-nghia-do": ("demo_admin", "ĐẢNG ỦY XÃ NGHĨA ĐÔ")}


@pytest.mark.parametrize("kind", list(PERIODS))
@pytest.mark.parametrize("key", list(UNITS))
def test_the_report_compiles_and_its_files_open(demo_data, settings, tmp_path, key, kind):
    settings.MEDIA_ROOT = tmp_path
    username, header = UNITS[key]
    start, end = PERIODS[kind]
    report = services.report_create(
        user=User.objects.get(username=username),
        kind=kind,
        period_start=start,
        period_end=end,
        unit=Unit.objects.get(key=key),
        include_predecessors=key == "xa-nghia-do",
    )

    assert tasks.compile_report(report.pk) == "ready"

    report = Report.objects.get(pk=report.pk)
    assert report.build_state == BuildState.READY and report.build_error == ""
    assert set(report.figures["kpis"]) >= {"programs", "petitions_received", "on_time_rate"}
    with report.docx_file.open("rb") as handle:
        word = WordDocument(io.BytesIO(handle.read()))
    # The header block is a two-column table; the body is paragraphs.
    cells = [cell.text for table in word.tables for row in table.rows for cell in row.cells]
    text = "\n".join([*cells, *(p.text for p in word.paragraphs)])
    assert header in text and "BÁO CÁO" in text
    with report.xlsx_file.open("rb") as handle:
        book = load_workbook(io.BytesIO(handle.read()))
    numbers = [cell.value for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    assert any(isinstance(value, int | float) and not isinstance(value, bool) for value in numbers)
    with report.pdf_file.open("rb") as handle:
        assert handle.read(5) == b"%PDF-"
