"""The shared wording of the report files: numbers, dates, periods, comparisons, the header
drawn from the unit tree, the outline with its placeholders, signature and recipients."""

import unicodedata
from datetime import date
from decimal import Decimal

import pytest

from organization.models import UnitKind
from organization.tests.factories import UnitFactory
from reports import kpis
from reports.render import text
from reports.tests.render_data import commune_report, district_report, new_commune, signer

pytestmark = pytest.mark.django_db

TODAY = date(2024, 4, 2)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1234567, "1.234.567"),
        ("283.75", "283,75"),
        (Decimal("1234.50"), "1.234,5"),
        ("780.00", "780"),
        ("100.0", "100"),
        (-1234, "-1.234"),
        (0, "0"),
        (None, "–"),
    ],
)
def test_numbers_are_written_the_vietnamese_way(value, expected):
    assert text.number(value) == expected


def test_a_number_can_keep_its_decimal_places():
    assert text.number("13", 1, strip=False) == "13,0"
    assert text.number(Decimal("26.06"), 1) == "26,1"


def test_dates_pad_days_below_ten_and_january_and_february():
    assert text.long_date(date(2024, 2, 5)) == "ngày 05 tháng 02 năm 2024"
    assert text.long_date(date(2024, 3, 15)) == "ngày 15 tháng 3 năm 2024"
    assert text.long_date(date(2024, 12, 1)) == "ngày 01 tháng 12 năm 2024"


@pytest.mark.parametrize(
    ("kind", "start", "end", "label", "short"),
    [
        ("month", date(2024, 3, 1), date(2024, 3, 31), "tháng 3 năm 2024", "Tháng 3/2024"),
        ("quarter", date(2024, 1, 1), date(2024, 3, 31), "quý I năm 2024", "Quý I/2024"),
        ("quarter", date(2024, 10, 1), date(2024, 12, 31), "quý IV năm 2024", "Quý IV/2024"),
        ("half_year", date(2024, 1, 1), date(2024, 6, 30), "6 tháng đầu năm 2024", "6 tháng/2024"),
        ("nine_months", date(2024, 1, 1), date(2024, 9, 30), "9 tháng đầu năm 2024", "9 tháng/2024"),
        ("year", date(2024, 1, 1), date(2024, 12, 31), "năm 2024", "Năm 2024"),
        (
            "custom",
            date(2024, 2, 1),
            date(2024, 3, 15),
            "từ ngày 01/02/2024 đến ngày 15/03/2024",
            "01/02/2024–15/03/2024",
        ),
    ],
)
def test_periods_are_named_in_vietnamese_whatever_the_interface_language(kind, start, end, label, short):
    period = text.PeriodText(kind, start, end)
    assert (period.label, period.short) == (label, short)


@pytest.mark.parametrize(
    ("current", "base", "unit", "expected"),
    [
        (45, 40, "count", "tăng 12,5% so với cùng kỳ năm trước"),
        (30, 40, "count", "giảm 25% so với cùng kỳ năm trước"),
        (40, 40, "count", "bằng cùng kỳ năm trước"),
        (5, 0, "count", "tăng 5 chương trình so với cùng kỳ năm trước"),
        (0, 0, "count", "bằng cùng kỳ năm trước"),
        ("87.5", "80.0", "percent", "tăng 7,5 điểm phần trăm so với cùng kỳ năm trước"),
        ("70.0", "80.0", "percent", "giảm 10 điểm phần trăm so với cùng kỳ năm trước"),
        (5, None, "count", None),
        (None, 5, "count", None),
    ],
)
def test_comparisons_say_how_a_figure_changed(current, base, unit, expected):
    assert text.change_phrase(current, base, unit, "cùng kỳ năm trước", "chương trình") == expected


def test_every_kpi_has_vietnamese_wording():
    assert set(text.KPI_TEXT) == set(kpis.BY_KEY)
    assert set(text.KPI_SHORT) == set(kpis.BY_KEY)


def test_a_district_committee_is_headed_by_the_provincial_party_organization(tree):
    assert text.superior_body(tree.party_committee) == "ĐẢNG BỘ TỈNH LÀO CAI"
    assert text.issuing_body(tree.party_committee) == "HUYỆN ỦY BẢO YÊN"
    assert text.place_name(text.locality_of(tree.party_committee)) == "Bảo Yên"


def test_a_board_is_headed_by_its_committee_and_drops_the_committee_from_its_name(tree):
    assert text.superior_body(tree.ban_dan_van) == "HUYỆN ỦY BẢO YÊN"
    assert text.issuing_body(tree.ban_dan_van) == "BAN DÂN VẬN"
    assert text.default_signer_lines(tree.ban_dan_van) == ("", "TRƯỞNG BAN")


def test_a_commune_committee_after_2025_is_headed_by_the_province(tree):
    _commune, committee = new_commune(tree)
    assert text.superior_body(committee) == "ĐẢNG BỘ TỈNH LÀO CAI"
    assert text.issuing_body(committee) == "ĐẢNG ỦY XÃ NGHĨA ĐÔ"
    assert text.place_name(text.locality_of(committee)) == "Nghĩa Đô"


def test_a_commune_committee_under_a_district_is_headed_by_the_district_party_organization(tree):
    committee = UnitFactory(name="Đảng ủy xã Vĩnh Yên", kind=UnitKind.PARTY_COMMITTEE, parent=tree.commune_a)
    assert text.superior_body(committee) == "ĐẢNG BỘ HUYỆN BẢO YÊN"


def test_a_provincial_committee_has_no_superior_line(tree):
    committee = UnitFactory(name="Tỉnh ủy Lào Cai", kind=UnitKind.PARTY_COMMITTEE, parent=tree.province)
    assert text.superior_body(committee) == ""


def test_names_typed_with_combining_marks_come_out_composed(tree):
    tree.party_committee.name = unicodedata.normalize("NFD", "Huyện ủy Bảo Yên")
    tree.party_committee.save()
    header = text.issuing_body(tree.party_committee)
    assert header == "HUYỆN ỦY BẢO YÊN"
    assert unicodedata.is_normalized("NFC", header)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("", ["- Lưu Văn phòng."]),
        (
            "Ban Dân vận Tỉnh ủy\n- Thường trực Huyện ủy,\n\n",
            ["- Ban Dân vận Tỉnh ủy,", "- Thường trực Huyện ủy,", "- Lưu Văn phòng."],
        ),
        ("Ban Dân vận Tỉnh ủy\nLưu VPHU", ["- Ban Dân vận Tỉnh ủy,", "- Lưu VPHU."]),
    ],
)
def test_recipients_end_with_the_archive_line(typed, expected):
    assert text.recipients_lines(typed) == expected


def test_a_draft_has_a_blank_number_and_todays_date(tree):
    report = district_report(tree)
    content = text.document(report, today=TODAY)
    assert content.is_draft
    assert content.header.number == f"Số {text.NUMBER_BLANK}-BC/HU"
    assert content.header.place_date == "Bảo Yên, ngày 02 tháng 4 năm 2024"


def test_an_issued_report_carries_its_number_and_issue_date(tree):
    report = district_report(tree, issued=True)
    content = text.document(report, today=TODAY)
    assert not content.is_draft
    assert content.header.number == "Số 12-BC/HU"
    assert content.header.place_date == "Bảo Yên, ngày 05 tháng 4 năm 2024"


def test_the_commune_report_after_2025_has_its_own_header(tree):
    report = commune_report(tree, issued=True)
    header = text.document(report).header
    assert (header.superior, header.issuer, header.number) == (
        "ĐẢNG BỘ TỈNH LÀO CAI",
        "ĐẢNG ỦY XÃ NGHĨA ĐÔ",
        "Số 3-BC/ĐU",
    )
    assert header.place_date == "Nghĩa Đô, ngày 06 tháng 10 năm 2025"


def test_the_outline_follows_the_usual_sections_with_figures_and_comparisons(tree):
    report = district_report(tree)
    content = text.document(report, today=TODAY)
    headings = [block.text for block in content.body if isinstance(block, text.Heading)]
    assert headings == [
        "I. KẾT QUẢ THỰC HIỆN",
        "1. Công tác đối thoại, tiếp nhận và giải quyết kiến nghị của Nhân dân",
        "2. Vận động Nhân dân tham gia các chương trình, đóng góp ngày công, kinh phí",
        "3. Vận động hiến đất, làm đường giao thông nông thôn",
        "4. Vận động bồi thường, giải phóng mặt bằng",
        "5. Phong trào thi đua và mô hình, điển hình “Dân vận khéo”",
        "6. Kết quả theo đơn vị cấp xã",
        "II. ĐÁNH GIÁ CHUNG",
        "1. Ưu điểm",
        "2. Hạn chế, nguyên nhân",
        "III. NHIỆM VỤ TRỌNG TÂM KỲ TỚI",
        "IV. ĐỀ XUẤT, KIẾN NGHỊ",
    ]
    assert content.subject == "Kết quả công tác dân vận quý I năm 2024"
    body = "\n".join(content.lines())
    # A quarter compares with the quarter before and with the same quarter last year.
    assert (
        "Tổ chức 12 chương trình ra quân, hoạt động dân vận (tăng 20% so với quý trước, bằng cùng kỳ năm trước)" in body
    )
    assert (
        "Tiếp nhận 40 ý kiến, kiến nghị của Nhân dân (giảm 20% so với quý trước, tăng 25% so với cùng kỳ năm trước)"
        in body
    )
    assert "tăng 7,5 điểm phần trăm so với cùng kỳ năm trước" in body
    assert "Tổng giá trị huy động 1.234.567.000 đồng" in body
    assert "thu hút trên 2.345 lượt người tham gia" in body  # the hedge word of a qualified sum
    assert "tổng chiều dài 283,75 km" in body
    assert "Đất đai | 18 | 45,0" in body


def test_a_draft_shows_placeholders_where_the_narrative_is_blank(tree):
    report = district_report(tree, strengths="Cấp ủy quan tâm lãnh đạo.\n\nNhân dân đồng tình.")
    paragraphs = [block for block in text.document(report).body if isinstance(block, text.Paragraph)]
    written = [block.text for block in paragraphs if not block.placeholder]
    placeholders = [block.text for block in paragraphs if block.placeholder]
    assert "Cấp ủy quan tâm lãnh đạo." in written
    assert "Nhân dân đồng tình." in written
    assert placeholders == [
        text.PLACEHOLDERS["weaknesses"],
        text.PLACEHOLDERS["next_tasks"],
        text.PLACEHOLDERS["proposals"],
    ]


def test_an_issued_report_leaves_out_blank_parts_and_renumbers(tree):
    report = district_report(tree, issued=True, proposals="Đề nghị Tỉnh ủy hỗ trợ kinh phí.")
    content = text.document(report)
    headings = [block.text for block in content.body if isinstance(block, text.Heading) and block.level == 1]
    assert headings == ["I. KẾT QUẢ THỰC HIỆN", "II. ĐỀ XUẤT, KIẾN NGHỊ"]
    assert not any(isinstance(block, text.Paragraph) and block.placeholder for block in content.body)


def test_signature_defaults_for_a_party_committee_and_the_signers_name(tree):
    report = district_report(tree, signer=signer(tree.party_committee))
    signature = text.document(report).signature
    assert signature == text.Signature("T/M BAN THƯỜNG VỤ", "BÍ THƯ", "Nguyễn Văn An")


def test_the_report_may_name_another_authority(tree):
    report = district_report(tree, signer_authority="k/t bí thư", signer_title="Phó Bí thư")
    signature = text.document(report).signature
    assert (signature.authority, signature.title, signature.name) == ("K/T BÍ THƯ", "PHÓ BÍ THƯ", "")


def test_a_report_counting_old_communes_says_so(tree):
    report = commune_report(tree)
    body = "\n".join(text.document(report).lines())
    assert "bao gồm số liệu của các đơn vị trước sắp xếp (Xã Nghĩa Đô)" in body
    assert "Toàn xã đã tổ chức 8 cuộc đối thoại" in body


def test_annexes_are_the_frozen_figures_as_typed_values(tree):
    report = district_report(tree)
    sheets = {annex.sheet: annex for annex in text.annexes(report)}
    kpi_rows = {row[1]: row[3:] for row in sheets["Tổng hợp KPI"].rows}
    assert kpi_rows["Giá trị huy động"] == [1_234_567_000, 1_000_000_000, 1_234_567_000]
    assert kpi_rows["Tỷ lệ trả lời đúng hạn"] == [Decimal("87.5"), Decimal("87.5"), Decimal("80.0")]
    assert kpi_rows["Điểm thi đua bình quân"][2] is None
    assert sheets["Kiến nghị theo lĩnh vực"].total == ["", "Tổng cộng", 40, Decimal("100.0")]


def test_charts_are_left_out_when_there_is_nothing_to_draw(tree):
    report = district_report(tree)
    report.figures["trend"] = [
        {**row, "programs": 0, "dialogues": 0, "petitions_received": 0, "petitions_resolved": 0}
        for row in report.figures["trend"]
    ]
    report.figures["petitions"]["by_field"] = {}
    report.figures["petitions"]["by_status"] = {}
    charts = [block for block in text.document(report).body if isinstance(block, text.Chart)]
    assert [chart.key for chart in charts] == ["communes"]
    assert charts[0].caption.startswith("Biểu đồ 1. ")
