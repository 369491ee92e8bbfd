"""The PDF: extractable text with the header and intact Vietnamese letters (pdftotext), fonts
embedded (pdffonts), A4, charts; and the fonts it needs, with a clear error when missing."""

import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest
from django.test import override_settings

from reports.render import fonts
from reports.render.pdf import render_pdf
from reports.tests.render_data import commune_report, district_report

pytestmark = pytest.mark.django_db

needs_pdftotext = pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs pdftotext (poppler-utils)")


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(  # noqa: S603 - a fixed tool on a file this test wrote
        ["pdftotext", "-enc", "UTF-8", str(path), "-"],  # noqa: S607
        capture_output=True,
        check=True,
    )
    return result.stdout.decode("utf-8")


@pytest.fixture
def issued_pdf(tree):
    return render_pdf(district_report(tree, issued=True))


@needs_pdftotext
def test_pdf_text_has_the_header_and_intact_vietnamese(issued_pdf, tmp_path):
    content = pdf_text(issued_pdf, tmp_path)
    for line in (
        "ĐẢNG BỘ TỈNH LÀO CAI",
        "HUYỆN ỦY BẢO YÊN",
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "Số 12-BC/HU",
        "Bảo Yên, ngày 05 tháng 4 năm 2024",
        "BÁO CÁO",
        "Kết quả công tác dân vận quý I năm 2024",
        "Kiến nghị tiếp nhận theo lĩnh vực",
        "Nơi nhận:",
        "T/M BAN THƯỜNG VỤ",
    ):
        assert line in content, line
    # Diacritics come out as composed letters, not boxes or separate marks.
    assert unicodedata.is_normalized("NFC", content)
    assert "1.234.567.000" in content


@needs_pdftotext
def test_the_commune_pdf_has_its_own_header(tree, tmp_path):
    content = pdf_text(render_pdf(commune_report(tree, issued=True)), tmp_path)
    assert "ĐẢNG ỦY XÃ NGHĨA ĐÔ" in content
    assert "Số 3-BC/ĐU" in content
    assert "Nghĩa Đô, ngày 06 tháng 10 năm 2025" in content


@needs_pdftotext
def test_a_draft_pdf_leaves_the_number_blank(tree, tmp_path):
    content = pdf_text(render_pdf(district_report(tree)), tmp_path)
    assert re.search(r"Số\s+-BC/HU", content)
    assert "(Nhập nội dung ưu điểm…)" in content


def test_every_font_is_embedded(issued_pdf, tmp_path):
    if shutil.which("pdffonts"):
        path = tmp_path / "report.pdf"
        path.write_bytes(issued_pdf)
        listing = subprocess.run(  # noqa: S603
            ["pdffonts", str(path)],  # noqa: S607
            capture_output=True,
            check=True,
            text=True,
        ).stdout.splitlines()[2:]
        assert len(listing) == 4  # regular, bold, italic, bold italic
        for row in listing:
            name, embedded = row.split()[0], row.split()[-5]
            assert "LiberationSerif" in name
            assert embedded == "yes", row
    else:
        assert issued_pdf.count(b"/FontFile2") >= 4
        assert b"/Helvetica" not in issued_pdf


def test_a4_pages_and_chart_images(issued_pdf):
    assert b"/MediaBox [ 0 0 595.2756 841.8898 ]" in issued_pdf
    assert issued_pdf.count(b"/Subtype /Image") == 3


def test_the_same_report_renders_the_same_bytes(tree):
    report = district_report(tree, issued=True)
    assert render_pdf(report) == render_pdf(report)


def test_fonts_are_found_in_the_debian_directory():
    found = fonts.find_fonts()
    assert set(found) == {"regular", "bold", "italic", "bold_italic"}
    assert all(fonts.writes_vietnamese(path) for path in found.values())


def test_missing_fonts_name_the_package_to_install(tree, tmp_path):
    with override_settings(REPORT_FONT_DIR=str(tmp_path)), pytest.raises(fonts.FontsNotFound) as error:
        render_pdf(district_report(tree))
    assert "fonts-liberation2" in str(error.value)
    assert str(tmp_path) in str(error.value)


def test_old_liberation_without_vietnamese_letters_is_refused(tmp_path):
    old = Path("/usr/share/fonts/truetype/liberation")
    if not all((old / name).is_file() for name in fonts.FACES.values()) or fonts.writes_vietnamese(
        old / fonts.FACES["regular"]
    ):
        pytest.skip("no Liberation 1.x on this system")
    with override_settings(REPORT_FONT_DIR=str(old)), pytest.raises(fonts.FontsNotFound) as error:
        fonts.find_fonts()
    assert "without Vietnamese letters" in str(error.value)


def test_report_font_dir_setting_is_used(tmp_path):
    source = fonts.find_fonts()
    for face, path in source.items():
        shutil.copy(path, tmp_path / fonts.FACES[face])
    with override_settings(REPORT_FONT_DIR=str(tmp_path)):
        assert fonts.find_fonts()["bold"] == tmp_path / "LiberationSerif-Bold.ttf"
