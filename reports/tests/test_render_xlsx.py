"""The annex workbook: one sheet per table, cells equal to the frozen figures (numbers, not
text), Vietnamese headers, a title row, a frozen header row, number formats and widths."""

import io
from datetime import datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from reports.kpis import KPIS
from reports.render.text import KPI_TEXT
from reports.render.xlsx import render_xlsx
from reports.tests.render_data import commune_report, district_report

pytestmark = pytest.mark.django_db

SHEETS = [
    "Tổng hợp KPI",
    "Kiến nghị theo lĩnh vực",
    "Kiến nghị theo tình trạng",
    "Kiến nghị theo cơ quan",
    "Đối thoại",
    "Chương trình",
    "Hiến đất",
    "GPMB",
    "Phong trào",
    "Chấm điểm theo tháng",
    "Xếp hạng xã",
    "Xu hướng 12 tháng",
]
HEADER_ROW = 3


@pytest.fixture
def report(tree):
    return district_report(tree, issued=True)


@pytest.fixture
def workbook(report):
    return load_workbook(io.BytesIO(render_xlsx(report)))


def as_frozen(value):
    """How a frozen figure reads back from a cell: ints as ints, decimal strings as floats."""
    if value is None or isinstance(value, int):
        return value
    return float(Decimal(value))


def data_rows(sheet):
    return list(sheet.iter_rows(min_row=HEADER_ROW + 1))


def test_one_sheet_per_annex_table(workbook):
    assert workbook.sheetnames == SHEETS


def test_every_sheet_has_a_title_a_frozen_bold_header_and_widths(workbook, report):
    for sheet in workbook.worksheets:
        assert sheet["A1"].value.startswith("Huyện ủy Bảo Yên: Kết quả công tác dân vận quý I năm 2024")
        assert sheet["A2"].value == "Đơn vị: Huyện Bảo Yên. Kỳ báo cáo: 01/01/2024 – 31/03/2024. Số 12-BC/HU"
        assert sheet.freeze_panes == f"A{HEADER_ROW + 1}"
        header = sheet[HEADER_ROW]
        assert all(cell.font.bold for cell in header if cell.value)
        assert sheet.column_dimensions["A"].width >= 6


def test_kpi_sheet_equals_the_frozen_figures_of_three_periods(workbook, report):
    sheet = workbook["Tổng hợp KPI"]
    assert [cell.value for cell in sheet[HEADER_ROW]] == [
        "STT",
        "Chỉ tiêu",
        "Đơn vị tính",
        "Kỳ báo cáo (Quý I/2024)",
        "Kỳ trước (Quý IV/2023)",
        "Cùng kỳ năm trước (Quý I/2023)",
    ]
    rows = data_rows(sheet)
    assert len(rows) == len(KPIS)
    figures = report.figures
    for row, kpi in zip(rows, KPIS, strict=True):
        assert row[1].value == KPI_TEXT[kpi.key][0]
        now, previous, last_year = (cell.value for cell in row[3:6])
        assert now == as_frozen(figures["kpis"][kpi.key])
        assert previous == as_frozen(figures["previous"]["kpis"][kpi.key])
        assert last_year == as_frozen(figures["last_year"]["kpis"][kpi.key])
        for cell in row[3:6]:
            assert cell.value is None or cell.data_type == "n", f"{kpi.key} stored as text"


def test_integers_and_decimals_get_number_formats(workbook):
    rows = {row[1].value: row for row in data_rows(workbook["Tổng hợp KPI"])}
    value = rows["Giá trị huy động"][3]
    assert (value.value, value.number_format) == (1_234_567_000, "#,##0")
    rate = rows["Tỷ lệ trả lời đúng hạn"][3]
    assert (rate.value, rate.number_format) == (87.5, "#,##0.0")
    area = rows["Diện tích đất hiến"][3]
    assert (area.value, area.number_format) == (1234.5, "#,##0.00")


def test_petitions_by_field_match_the_figures(workbook, report):
    rows = data_rows(workbook["Kiến nghị theo lĩnh vực"])
    by_label = {row[1].value: row[2].value for row in rows[:-1]}
    assert by_label == {"Đất đai": 18, "Giao thông": 12, "Thiên tai": 10}
    assert sum(by_label.values()) == report.figures["petitions"]["received"]
    total = rows[-1]
    assert [cell.value for cell in total] == [None, "Tổng cộng", 40, 100]
    assert total[1].font.bold


def test_agency_names_that_look_like_formulas_stay_text(workbook):
    rows = data_rows(workbook["Kiến nghị theo cơ quan"])
    cell = rows[1][1]
    assert cell.value == '=HYPERLINK("http://x")'
    assert cell.data_type == "s"
    assert cell.quotePrefix


def test_commune_ranking_rows_equal_the_frozen_rows(workbook, report):
    rows = data_rows(workbook["Xếp hạng xã"])
    assert len(rows) == len(report.figures["communes"])
    for row, frozen in zip(rows, report.figures["communes"], strict=True):
        assert [row[0].value, row[1].value, row[2].value] == [frozen["rank"], frozen["unit"], frozen["activity"]]
        assert [cell.value for cell in row[3:]] == [as_frozen(frozen["kpis"][key]) for key in KPI_TEXT]


def test_trend_sheet_has_real_months_and_counts(workbook, report):
    rows = data_rows(workbook["Xu hướng 12 tháng"])
    assert len(rows) == 12
    for row, frozen in zip(rows, report.figures["trend"], strict=True):
        assert row[0].value == datetime.fromisoformat(frozen["month"])
        assert row[0].number_format == "MM/YYYY"
        assert [cell.value for cell in row[1:]] == [
            frozen[key] for key in ("programs", "dialogues", "petitions_received", "petitions_resolved")
        ]


def test_clearance_sheet_lists_projects_with_a_total(workbook):
    rows = data_rows(workbook["GPMB"])
    assert [cell.value for cell in rows[0]][:2] == [1, "Cảng hàng không Sa Pa"]
    assert rows[0][3].value == "Đã chi trả bồi thường"
    assert rows[-1][1].value == "Tổng cộng"
    assert rows[-1][8].value == 241_000_000_000


def test_a_draft_says_so_in_its_title_rows(tree):
    workbook = load_workbook(io.BytesIO(render_xlsx(district_report(tree))))
    assert workbook["Tổng hợp KPI"]["A2"].value.endswith("Bản dự thảo")


def test_the_commune_workbook_names_its_own_body(tree):
    workbook = load_workbook(io.BytesIO(render_xlsx(commune_report(tree, issued=True))))
    sheet = workbook["Tổng hợp KPI"]
    assert sheet["A1"].value.startswith("Đảng ủy xã Nghĩa Đô: Kết quả công tác dân vận quý III năm 2025")
    assert sheet["A2"].value.endswith("Số 3-BC/ĐU")
