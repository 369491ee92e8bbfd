"""The Word file in the Party format, opened with python-docx: header lines, number, fonts,
page setup, figures, tables, charts, signature and recipients."""

import io
import re
from datetime import date

import pytest
import time_machine
from docx import Document
from docx.enum.text import WD_COLOR_INDEX
from docx.oxml.ns import qn

from organization.models import Unit
from reports import sections
from reports.models import Report
from reports.periods import Period
from reports.render import render_all
from reports.render.docx import render_docx
from reports.tests.render_data import commune_report, district_report, signer

pytestmark = pytest.mark.django_db

FONT = "Times New Roman"


def open_docx(report) -> Document:
    return Document(io.BytesIO(render_docx(report)))


def cell_lines(cell) -> list[str]:
    return [paragraph.text for paragraph in cell.paragraphs if paragraph.text]


def all_text(document) -> str:
    parts = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(parts)


def runs(document):
    for paragraph in document.paragraphs:
        yield from paragraph.runs
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                for paragraph in cell.paragraphs:
                    yield from paragraph.runs


def test_header_block_of_an_issued_district_report(tree):
    document = open_docx(district_report(tree, issued=True))
    header = document.tables[0]
    left, right = header.rows[0].cells
    assert cell_lines(left) == ["ĐẢNG BỘ TỈNH LÀO CAI", "HUYỆN ỦY BẢO YÊN", "*"]
    issuer_run = left.paragraphs[1].runs[0]
    assert issuer_run.bold
    assert not left.paragraphs[0].runs[0].bold
    party = right.paragraphs[0]
    assert party.text == "ĐẢNG CỘNG SẢN VIỆT NAM"
    assert party.runs[0].bold
    assert party.runs[0].font.size.pt == 15
    # The rule under it: a bottom border on that paragraph.
    assert party._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom")) is not None
    number, place_date = header.rows[1].cells
    assert number.text == "Số 12-BC/HU"
    assert place_date.text == "Bảo Yên, ngày 05 tháng 4 năm 2024"
    assert place_date.paragraphs[0].runs[0].italic


def test_a_draft_leaves_the_number_blank_and_is_dated_today(tree):
    with time_machine.travel(date(2024, 2, 5)):
        document = open_docx(district_report(tree))
    number, place_date = document.tables[0].rows[1].cells
    assert re.fullmatch(r"Số\s+-BC/HU", number.text)
    assert place_date.text == "Bảo Yên, ngày 05 tháng 02 năm 2024"


def test_title_and_subject(tree):
    document = open_docx(district_report(tree))
    title, subject = document.paragraphs[0], document.paragraphs[1]
    assert title.text == "BÁO CÁO"
    assert title.runs[0].bold and title.runs[0].font.size.pt == 16
    assert subject.text == "Kết quả công tác dân vận quý I năm 2024"
    assert subject.runs[0].bold


def test_times_new_roman_on_every_style_and_run(tree):
    document = open_docx(district_report(tree))
    normal = document.styles["Normal"]
    assert normal.font.name == FONT
    assert normal.font.size.pt == 14
    fonts = normal.element.rPr.find(qn("w:rFonts"))
    assert {fonts.get(qn(slot)) for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs")} == {FONT}
    checked = 0
    for run in runs(document):
        assert run.font.name == FONT, run.text
        assert run._r.rPr.find(qn("w:rFonts")).get(qn("w:cs")) == FONT
        checked += 1
    assert checked > 100


def test_a4_with_the_format_margins(tree):
    section = open_docx(district_report(tree)).sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    margins = (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
    assert [round(margin.mm) for margin in margins] == [20, 20, 30, 15]


def test_figures_appear_formatted_the_vietnamese_way(tree):
    body = all_text(open_docx(district_report(tree)))
    assert "Tổng giá trị huy động 1.234.567.000 đồng" in body
    assert "tổng chiều dài 283,75 km" in body
    assert "Tỷ lệ trả lời đúng hạn đạt 87,5%" in body
    assert "tăng 25% so với cùng kỳ năm trước" in body
    assert "1.234.567000" not in body and "1234567000" not in body


def test_tables_of_petitions_by_field_and_commune_ranking(tree):
    report = district_report(tree)
    document = open_docx(report)
    by_caption = {}
    tables = iter(document.tables[1:-1])  # between the header and the signature
    for paragraph in document.paragraphs:
        if paragraph.text.startswith("Bảng "):
            by_caption[paragraph.text.split(". ", 1)[1]] = next(tables)
    fields = by_caption["Kiến nghị tiếp nhận theo lĩnh vực"]
    assert [cell.text for cell in fields.rows[0].cells] == ["STT", "Lĩnh vực", "Số kiến nghị", "Tỷ lệ (%)"]
    assert [cell.text for cell in fields.rows[1].cells] == ["1", "Đất đai", "18", "45,0"]
    assert [cell.text for cell in fields.rows[-1].cells][1:] == ["Tổng cộng", "40", "100,0"]
    # The header row repeats on every page.
    assert fields.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    ranking = by_caption["Xếp hạng các đơn vị cấp xã"]
    first = report.figures["communes"][0]
    assert [cell.text for cell in ranking.rows[1].cells][:3] == ["1", first["unit"], "10"]
    assert [cell.text for cell in ranking.rows[1].cells][-1] == "30"  # the activity score
    assert "Tổng hợp các chỉ tiêu chủ yếu" in by_caption


def test_three_charts_as_images(tree):
    document = open_docx(district_report(tree))
    assert len(document.inline_shapes) == 3
    captions = [paragraph.text for paragraph in document.paragraphs if paragraph.text.startswith("Biểu đồ")]
    assert captions == [
        "Biểu đồ 1. Diễn biến 12 tháng đến tháng 3/2024",
        "Biểu đồ 2. Kiến nghị tiếp nhận trong kỳ theo lĩnh vực và tình trạng",
        "Biểu đồ 3. Xếp hạng các đơn vị cấp xã theo điểm hoạt động",
    ]


def test_signature_block_and_recipients(tree):
    report = district_report(tree, signer=signer(tree.party_committee), recipients="Ban Dân vận Tỉnh ủy\nLưu VPHU")
    signature = open_docx(report).tables[-1]
    recipients, signs = signature.rows[0].cells
    assert cell_lines(recipients) == ["Nơi nhận:", "- Ban Dân vận Tỉnh ủy,", "- Lưu VPHU."]
    assert cell_lines(signs) == ["T/M BAN THƯỜNG VỤ", "BÍ THƯ", "Nguyễn Văn An"]
    assert all(run.bold for paragraph in signs.paragraphs for run in paragraph.runs)


def test_narrative_placeholders_are_highlighted_in_a_draft(tree):
    report = district_report(tree, next_tasks="Tiếp tục tổ chức đối thoại định kỳ.")
    document = open_docx(report)
    by_text = {paragraph.text: paragraph for paragraph in document.paragraphs}
    assert "Tiếp tục tổ chức đối thoại định kỳ." in by_text
    placeholder = by_text["(Nhập nội dung ưu điểm…)"]
    assert placeholder.runs[0].font.highlight_color == WD_COLOR_INDEX.YELLOW


def test_the_commune_report_after_2025_carries_its_own_header(tree):
    document = open_docx(commune_report(tree, issued=True))
    left, _right = document.tables[0].rows[0].cells
    assert cell_lines(left) == ["ĐẢNG BỘ TỈNH LÀO CAI", "ĐẢNG ỦY XÃ NGHĨA ĐÔ", "*"]
    number, place_date = document.tables[0].rows[1].cells
    assert number.text == "Số 3-BC/ĐU"
    assert place_date.text.startswith("Nghĩa Đô, ngày 06 tháng 10 năm 2025")


def test_rendering_reads_names_only_not_records(tree, django_assert_max_num_queries):
    report = Report.objects.get(pk=district_report(tree, issued=True).pk)
    # The issuer's ancestors, the document and its issuer, the signer: never a domain table.
    with django_assert_max_num_queries(8):
        render_docx(report)


def test_render_all_names_the_three_files(tree):
    report = district_report(tree, issued=True)
    files = render_all(report)
    assert set(files) == {"xlsx_file", "docx_file", "pdf_file"}
    assert files["docx_file"][0].endswith("-so-12.docx")
    assert files["docx_file"][1][:2] == b"PK"


@pytest.fixture(scope="module")
def demo_reports(demo_data, django_db_blocker):
    """Reports built from the demo with the real compiler's figures: Bảo Yên's 2024 and the new
    Nghĩa Đô commune's third quarter of 2025 counting the communes it continues."""
    with django_db_blocker.unblock():
        district = Unit.objects.get(key="bao-yen")
        commune = Unit.objects.get(key="xa-nghia-do")
        year = Period("year", date(2024, 1, 1), date(2024, 12, 31))
        quarter = Period("quarter", date(2025, 7, 1), date(2025, 9, 30))
        built = []
        for unit, issuer_key, period in (
            (district, "bao-yen/huyen-uy", year),
            (commune, "xa-nghia-do/dang-uy", quarter),
        ):
            report = Report(
                kind=period.kind,
                period_start=period.start,
                period_end=period.end,
                unit=unit,
                issuer=Unit.objects.get(key=issuer_key),
                include_predecessors=unit == commune,
            )
            report.figures = sections.build(report.scope_units(), period)
            built.append(report)
        yield built


def test_demo_reports_render_their_frozen_figures(demo_reports, django_db_blocker):
    district, commune = demo_reports
    with django_db_blocker.unblock():
        district_text = all_text(Document(io.BytesIO(render_docx(district))))
        commune_document = Document(io.BytesIO(render_docx(commune)))
    value = district.figures["kpis"]["value_mobilized_vnd"]
    assert f"{value:,}".replace(",", ".") in district_text
    assert "ĐẢNG BỘ TỈNH LÀO CAI\nHUYỆN ỦY BẢO YÊN" in district_text
    assert "Kết quả công tác dân vận năm 2024" in district_text
    left, _right = commune_document.tables[0].rows[0].cells
    assert cell_lines(left)[1] == "ĐẢNG ỦY XÃ NGHĨA ĐÔ"
    assert "Kết quả công tác dân vận quý III năm 2025" in all_text(commune_document)


def test_a_period_without_any_record_renders_and_says_so(tree):
    period = Period("month", date(2024, 5, 1), date(2024, 5, 31))
    report = Report.objects.create(
        kind=period.kind,
        period_start=period.start,
        period_end=period.end,
        unit=tree.district,
        issuer=tree.party_committee,
        figures=sections.build([tree.district], period),
    )
    files = render_all(report)
    body = all_text(Document(io.BytesIO(files["docx_file"][1])))
    assert "Trong kỳ, toàn huyện chưa tổ chức cuộc đối thoại nào (bằng tháng trước, bằng cùng kỳ năm trước)." in body
    assert "Kết quả công tác dân vận tháng 5 năm 2024" in body
    assert files["pdf_file"][1].startswith(b"%PDF")
