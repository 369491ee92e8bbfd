"""The import issue's browser journey, in spring 2025 (while Xã Vĩnh Yên and its villages existed):

demo_commune downloads the dialogues template from the Import page, fills it in with two
dialogues and their petitions but makes two mistakes (a date written month first, a petition
naming a Số TT that is not in the file), uploads it and sees both mistakes listed by sheet, row
and column; fixes the file, uploads it again from the same page, sees the preview, imports, sees
the import done, and finds both dialogues in the dialogue list.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from playwright.sync_api import Page, expect

from dialogues.models import Dialogue, DialogueLevel, DialogueStatus, HostBody, PetitionField
from imports.models import ImportStatus

# The browser fixtures of tests/e2e (Debian's chromium and its flags, the demo data); importing
# the module also lets the tests' own ORM calls run beside Playwright's event loop.
from tests.e2e.conftest import browser_type_launch_args, demo  # noqa: F401

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("demo")]

DAY = datetime(2025, 4, 10, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
DIALOGUES, PETITIONS = "Đối thoại", "Kiến nghị"
WATER = "Đối thoại về nước sinh hoạt Bản Vành (nhập từ Excel)"
ROAD = "Đối thoại về đường nội bản Bản Tổng Kim (nhập từ Excel)"
MISSING_REF = 7


def sign_in(page: Page, base_url: str, username: str, password: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base_url}/accounts/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(f"{base_url}/")


def headers(sheet) -> dict[str, int]:
    """Header text → 1-based column, read from the downloaded template like a reader would."""
    return {cell.value: cell.column for cell in sheet[1] if cell.value}


def put(sheet, row: int, values: dict[str, object]) -> None:
    columns = headers(sheet)
    for header, value in values.items():
        sheet.cell(row, columns[header], value)


def fill_in(template_path, out_path, *, road_date, petition_ref) -> None:
    """The two dialogues below the template's example row (left in: it is skipped), and their
    three petitions. ``road_date`` and ``petition_ref`` carry the mistakes, then their fixes."""
    with translation.override("vi"):
        commune_level = str(DialogueLevel.COMMUNE.label)
        committee = str(HostBody.COMMUNE_PEOPLES_COMMITTEE.label)
        held = str(DialogueStatus.HELD.label)
        water_field = str(PetitionField.ENVIRONMENT.label)
        road_field = str(PetitionField.TRANSPORT.label)
    book = load_workbook(template_path)
    dialogues, petitions = book[DIALOGUES], book[PETITIONS]
    common = {"Xã, phường": "Xã Vĩnh Yên", "Cấp": commune_level, "Chủ trì": committee, "Tình trạng": held}
    put(
        dialogues,
        3,
        {
            **common,
            "Số TT": 1,
            "Ngày": date(2024, 3, 14),  # a real Excel date
            "Chủ đề": WATER,
            "Thôn, tổ dân phố": "Bản Vành",
            "Địa điểm": "Nhà văn hóa Bản Vành",
            "Số người tham dự": 62,
        },
    )
    put(
        dialogues,
        4,
        {
            **common,
            "Số TT": 2,
            "Ngày": road_date,  # typed as text
            "Chủ đề": ROAD,
            "Thôn, tổ dân phố": "Bản Tổng Kim",
            "Số người tham dự": 48,
        },
    )
    put(petitions, 3, {"Số TT đối thoại": 1, "Lĩnh vực": water_field, "Nội dung": "Đề nghị sửa bể nước đầu nguồn."})
    put(
        petitions,
        4,
        {
            "Số TT đối thoại": 2,
            "Lĩnh vực": road_field,
            "Nội dung": "Đề nghị hỗ trợ xi măng làm đường nội bản.",
            "Người nêu": "Ông Hoàng Văn Lợi",
        },
    )
    put(
        petitions,
        5,
        {
            "Số TT đối thoại": petition_ref,
            "Lĩnh vực": road_field,
            "Nội dung": "Đề nghị lắp đèn chiếu sáng đường nội bản.",
            "Thôn, tổ dân phố": "Bản Tổng Kim",
        },
    )
    book.save(out_path)


def table_rows(page: Page, selector: str) -> list[list[str]]:
    rows = page.locator(f"{selector} tbody tr")
    return [[cell.strip() for cell in rows.nth(i).locator("td").all_inner_texts()] for i in range(rows.count())]


def test_commune_imports_dialogues_from_the_template_after_fixing_two_mistakes(
    page: Page, live_server, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    with time_machine.travel(DAY, tick=True), translation.override("vi"):
        _journey(page, live_server.url, settings.DEMO_PASSWORD, tmp_path)


def _journey(page: Page, base: str, password: str, tmp_path) -> None:
    sign_in(page, base, "demo_commune", password)

    # 1. The Import page offers the dialogues template; the browser downloads it.
    page.goto(f"{base}/imports/")
    with page.expect_download() as download_info:
        page.locator("#import-kinds a[data-template=dialogues]").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    template = tmp_path / download.suggested_filename
    download.save_as(template)
    downloaded = load_workbook(template)
    assert {DIALOGUES, PETITIONS} <= set(downloaded.sheetnames)
    date_column = f"{get_column_letter(headers(downloaded[DIALOGUES])['Ngày'])} · Ngày"

    # 2. Filled in with two mistakes and uploaded: both are listed, nothing is created.
    wrong = tmp_path / "doi-thoai-vinh-yen.xlsx"
    fill_in(template, wrong, road_date="02/25/2024", petition_ref=MISSING_REF)
    page.select_option("#import-upload select[name=kind]", "dialogues")
    page.locator("#import-upload input[name=file]").set_input_files(str(wrong))
    page.locator("#import-upload button[type=submit]").click()

    problems = page.locator("#import-problems")
    expect(problems).to_be_visible()
    expect(page.locator("main")).to_contain_text(str(ImportStatus.PROBLEMS.label))
    month_first = _("“%(value)s” looks like month/day/year. Write day/month/year, e.g. %(example)s.") % {
        "value": "02/25/2024",
        "example": "25/02/2024",
    }
    no_dialogue = _("There is no dialogue with Số TT %(ref)s in the sheet “%(sheet)s”.") % {
        "ref": MISSING_REF,
        "sheet": DIALOGUES,
    }
    assert table_rows(page, "#import-problems") == [
        [DIALOGUES, "4", date_column, month_first],
        [PETITIONS, "5", "Số TT đối thoại", no_dialogue],
    ]
    expect(page.locator("#import-confirm")).to_have_count(0)
    assert not Dialogue.objects.filter(topic__in=[WATER, ROAD]).exists()

    # 3. The corrected file goes up from the same page: the preview shows what will be created.
    fixed = tmp_path / "doi-thoai-vinh-yen-da-sua.xlsx"
    fill_in(template, fixed, road_date="25/02/2024", petition_ref=2)
    page.locator("#import-reupload input[name=file]").set_input_files(str(fixed))
    page.locator("#import-reupload button[type=submit]").click()

    expect(page.locator("h1")).to_contain_text(fixed.name)
    expect(page.locator("#import-problems")).to_have_count(0)
    summary = page.locator("#import-summary")
    expect(summary).to_be_visible()
    assert table_rows(page, "#import-summary") == [[DIALOGUES, "2", "0"], [PETITIONS, "3", "0"]]
    assert not Dialogue.objects.filter(topic__in=[WATER, ROAD]).exists()  # a preview writes nothing

    # 4. Import: the page shows the import done (it polls the status while the task runs).
    page.locator("#import-confirm button.btn-primary[type=submit]").click()
    expect(page.locator(".badge", has_text=str(ImportStatus.DONE.label))).to_be_visible(timeout=30_000)
    done = _("Imported %(created)s records; %(existing)s rows were already present and skipped.") % {
        "created": 5,
        "existing": 0,
    }
    expect(page.locator("#import-message")).to_have_text(done)
    expect(page.locator("#import-confirm")).to_have_count(0)
    assert table_rows(page, "#import-summary") == [[DIALOGUES, "2", "0"], [PETITIONS, "3", "0"]]

    # 5. Both dialogues are in the dialogue list, found by words of their topic.
    page.goto(f"{base}/dialogues/")
    page.locator("form.filter-form input[name=q]").fill("nhap tu excel")
    page.locator("form.filter-form button[type=submit]").click()
    listing = page.locator("main table")
    expect(listing).to_contain_text(WATER)
    expect(listing).to_contain_text(ROAD)
    expect(listing.locator("tbody tr")).to_have_count(2)

    water = Dialogue.objects.get(topic=WATER)
    road = Dialogue.objects.get(topic=ROAD)
    assert (water.date, road.date) == (date(2024, 3, 14), date(2024, 2, 25))
    assert (water.petitions.count(), road.petitions.count()) == (1, 2)
