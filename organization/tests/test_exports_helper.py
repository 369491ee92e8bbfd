"""The shared export helper: types kept, Vietnamese intact, formulas never evaluated."""

import csv
import io
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook

from organization.exports import export_response, neutralize

COLUMNS = ["Mã", "Nội dung", "Ngày tiếp nhận", "Số tiền (đồng)", "Lúc"]
ROWS = [
    [1, "Đường vào bản Nặm Mèng bị sạt lở", date(2024, 2, 5), 55_599_700_000, None],
    [2, '=HYPERLINK("http://x","bấm")', date(2024, 2, 6), Decimal("12.5"), None],
]


def workbook_rows(response):
    sheet = load_workbook(io.BytesIO(response.content)).active
    return list(sheet.iter_rows())


def csv_rows(response):
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"])
def test_formula_triggers_get_a_leading_quote(text):
    assert neutralize(text) == "'" + text


@pytest.mark.parametrize("text", ["Đất đai", "1+1", " =1", "", "'already"])
def test_plain_text_is_left_alone(text):
    assert neutralize(text) == text


def test_xlsx_keeps_types_and_bold_vietnamese_headers():
    response = export_response(ROWS, COLUMNS, "kiến nghị", "xlsx")
    header, first, second = workbook_rows(response)
    assert [cell.value for cell in header] == COLUMNS
    assert all(cell.font.bold for cell in header)
    assert first[0].value == 1 and first[0].data_type == "n"
    assert first[3].value == 55_599_700_000 and first[3].data_type == "n"
    assert first[2].is_date and first[2].value == datetime(2024, 2, 5) and first[2].number_format == "DD/MM/YYYY"
    assert first[1].value == "Đường vào bản Nặm Mèng bị sạt lở"
    assert first[4].value is None
    assert float(second[3].value) == 12.5


@pytest.mark.parametrize("text", ['=HYPERLINK("http://x")', "+84 912", "-5 hộ", "@cmd", "\t=1"])
def test_xlsx_never_stores_text_as_a_formula(text):
    response = export_response([[text]], ["Nội dung"], "x", "xlsx")
    _header, (cell,) = workbook_rows(response)
    assert cell.data_type != "f" and cell.data_type == "s"
    assert cell.quotePrefix
    assert cell.value == text


def test_xlsx_negative_numbers_stay_numbers():
    _header, (cell,) = workbook_rows(export_response([[-5]], ["Chênh lệch"], "x", "xlsx"))
    assert cell.value == -5 and cell.data_type == "n"


def test_xlsx_drops_control_characters_openpyxl_refuses():
    _header, (cell,) = workbook_rows(export_response([["Dòng\x0bmột\x00"]], ["Nội dung"], "x", "xlsx"))
    assert cell.value == "Dòngmột"


def test_xlsx_writes_aware_datetimes_in_local_time():
    moment = datetime(2024, 2, 5, 1, 30, tzinfo=ZoneInfo("UTC"))
    _header, (cell,) = workbook_rows(export_response([[moment]], ["Lúc"], "x", "xlsx"))
    assert cell.value == datetime(2024, 2, 5, 8, 30)


def test_csv_has_bom_quotes_everything_and_neutralizes_formulas():
    response = export_response(ROWS, COLUMNS, "kiến nghị", "csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == ",".join(f'"{column}"' for column in COLUMNS)
    _header, first, second = csv_rows(response)
    assert first == ["1", "Đường vào bản Nặm Mèng bị sạt lở", "05/02/2024", "55599700000", ""]
    assert second[1] == "'" + '=HYPERLINK("http://x","bấm")'
    assert second[3] == "12.5"


def test_csv_writes_booleans_and_lazy_text_readably():
    _header, row = csv_rows(export_response([[True, gettext_lazy("Land")]], ["A", "B"], "x", "csv"))
    assert row[0] in {"Yes", "Có"} and row[1] in {"Land", "Đất đai"}


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_download_keeps_the_vietnamese_file_name(fmt):
    response = export_response([], COLUMNS, "kiến-nghị", fmt)
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=utf-8''ki%E1%BA%BFn-ngh%E1%BB%8B.{fmt}" in disposition


def test_unknown_format_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown export format"):
        export_response([], COLUMNS, "x", "pdf")


def test_rows_may_be_a_generator_so_large_exports_are_not_held_twice():
    rows = ([index, f"Kiến nghị {index}"] for index in range(1000))
    response = export_response(rows, ["Mã", "Nội dung"], "x", "xlsx")
    assert len(workbook_rows(response)) == 1001
