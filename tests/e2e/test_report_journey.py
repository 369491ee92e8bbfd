"""The reports issue's journey in the browser, in spring 2025 (while Bảo Yên district and its
Party committee existed, so the report can be issued under its number …-BC/HU):

demo_district creates the quarterly report of Bảo Yên for quarter IV 2024 with the period pickers,
watches it compile (the page shows the state and, once ready, the figures and files), downloads
the DOCX and opens it with python-docx, and submits it; demo_leader signs in, opens the issuing
confirmation that shows the number the report will get, issues it, and the page shows the number.

Without a broker the compile runs in-process when the creating request commits, so the page the
browser lands on usually already shows the ready state; with a worker it would show the progress
bar first. Elements are found by names and data- attributes, not by their (translated) text.
"""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from docx import Document as Docx
from playwright.sync_api import Page, expect

from organization.models import Unit
from reports.models import BuildState, Report, ReportStatus

pytestmark = pytest.mark.e2e

DAY = datetime(2025, 4, 5, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
#: Compiling the whole demo district and rendering DOCX and PDF with charts takes a while.
SLOW_MS = 180_000


def sign_in(page: Page, base_url: str, username: str, password: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base_url}/accounts/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(f"{base_url}/")


def docx_text(path) -> str:
    document = Docx(path)
    parts = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        parts.extend(cell.text for row in table.rows for cell in row.cells)
    return "\n".join(parts)


def test_district_creates_a_quarterly_report_and_the_leader_issues_it(
    page: Page, live_server, demo, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    page.set_default_timeout(SLOW_MS)
    page.set_default_navigation_timeout(SLOW_MS)
    page.on("dialog", lambda dialog: dialog.accept())  # the pages' data-confirm questions
    with time_machine.travel(DAY, tick=True):
        _journey(page, live_server.url, demo, tmp_path)


def _journey(page: Page, base: str, password: str, tmp_path) -> None:
    bao_yen = Unit.objects.get(key="bao-yen")

    # 1. demo_district creates the report: kind "quarterly" shows the quarter picker.
    sign_in(page, base, "demo_district", password)
    page.goto(f"{base}/reports/")
    page.locator("main a[data-report-create]").first.click()
    expect(page).to_have_url(f"{base}/reports/new/")
    page.select_option("select[name=kind]", "quarter")
    expect(page.locator("select[name=quarter]")).to_be_visible()
    expect(page.locator("select[name=month]")).to_be_hidden()
    expect(page.locator("input[name=period_start]")).to_be_hidden()
    page.select_option("select[name=quarter]", "4")
    page.locator("input[name=year]").fill("2024")
    page.select_option("select[name=unit]", str(bao_yen.pk))
    page.locator("main form[data-report-form] button[type=submit]").click()

    # 2. It compiles: the page shows its state, then the figures and the files.
    expect(page).to_have_url(re.compile(r"/reports/\d+/$"))
    report = Report.objects.get(unit=bao_yen, kind="quarter", period_start__year=2024, period_start__month=10)
    assert report.created_by.username == "demo_district"
    state = page.locator("h1 [data-build-state]")
    expect(state).to_have_attribute("data-build-state", re.compile("queued|running|ready"))
    expect(page.locator("[data-build-ready]")).to_be_visible()  # polled until ready, if not already
    expect(state).to_have_attribute("data-build-state", "ready")
    report.refresh_from_db()
    assert report.build_state == BuildState.READY, report.build_error
    expect(page.locator('tr[data-kpi="dialogues"] [data-kpi-current]')).to_have_text(
        str(report.figures["kpis"]["dialogues"])
    )

    # 3. The DOCX downloads through the permission-checked view and opens with python-docx.
    with page.expect_download() as download_info:
        page.locator("[data-download=docx]").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".docx")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert "BÁO CÁO" in docx_text(saved)

    # 4. demo_district submits it to the leaders.
    page.locator("[data-action=submit]").click()
    expect(page.locator("[data-report-status]")).to_have_attribute("data-report-status", "submitted")
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED

    # 5. demo_leader issues it after seeing the number it will get.
    sign_in(page, base, "demo_leader", password)
    page.goto(f"{base}/reports/{report.pk}/")
    expect(page.locator("[data-action=submit]")).to_have_count(0)
    page.locator("[data-action=issue]").click()
    expect(page).to_have_url(f"{base}/reports/{report.pk}/issue/")
    expected_number = page.locator("[data-next-number]").inner_text().strip()
    assert re.fullmatch(r"\d+-BC/HU", expected_number)
    page.locator("[data-action=confirm-issue]").click()
    expect(page).to_have_url(f"{base}/reports/{report.pk}/")
    expect(page.locator("[data-report-number]")).to_contain_text(expected_number)
    expect(page.locator("[data-report-status]")).to_have_attribute("data-report-status", "issued")
    report.refresh_from_db()
    assert report.status == ReportStatus.ISSUED and report.document.symbol == expected_number
    assert report.issued_by.username == "demo_leader"
