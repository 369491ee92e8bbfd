"""The leaders' dashboard in the browser (issue 6), in spring 2025 while the demo's district and
communes existed: demo_leader opens the dashboard, finds March 2025 empty (the demo's records
stop in 2024), chooses the year 2024, sees the KPI cards and the charts drawn by Chart.js (served
by the portal itself), drills down from Bảo Yên to Xã Vĩnh Yên, and from its overdue list to an
overdue petition's page. The print layout keeps the charts and drops the filters.
"""

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from playwright.sync_api import Page, expect

from organization.models import Unit
from reports import kpis

pytestmark = pytest.mark.e2e

DAY = datetime(2025, 4, 15, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
YEAR_2024 = (date(2024, 1, 1), date(2024, 12, 31))


def sign_in(page: Page, base_url: str, username: str, password: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base_url}/accounts/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(f"{base_url}/")


def card_value(page: Page, key: str):
    return page.locator(f'[data-kpi="{key}"] [data-kpi-value]')


def vietnamese(number: int) -> str:
    return f"{number:,}".replace(",", ".")


def chart_is_drawn(page: Page, selector: str) -> bool:
    """Chart.js made a chart on the canvas and painted pixels on it."""
    return page.evaluate(
        """(selector) => {
            const canvas = document.querySelector(selector);
            if (!window.Chart || !window.Chart.getChart(canvas)) { return false; }
            const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
            return pixels.some((value) => value !== 0);
        }""",
        selector,
    )


def test_leader_drills_down_from_the_district_to_a_commune_and_an_overdue_petition(page: Page, live_server, demo):
    cache.clear()
    with time_machine.travel(DAY, tick=True):
        _journey(page, live_server.url, demo)


def _journey(page: Page, base: str, password: str) -> None:
    bao_yen = Unit.objects.get(key="bao-yen")
    vinh_yen = Unit.objects.get(key="bao-yen/vinh-yen")
    district = kpis.compute([bao_yen], *YEAR_2024)
    commune = kpis.compute([vinh_yen], *YEAR_2024)
    assert commune["petitions_overdue"] > 0

    # 1. By default the last complete month: March 2025, when the demo recorded nothing.
    sign_in(page, base, "demo_leader", password)
    page.goto(f"{base}/reports/dashboard/")
    main = page.locator("main")
    expect(main.locator("h1")).to_contain_text("Huyện Bảo Yên")
    expect(main).to_contain_text("03/2025")
    expect(main.locator(".empty-state").first).to_be_visible()

    # 2. The year 2024, chosen with the selectors (the month selector goes away for a year).
    page.select_option("#dashboard-period", "year")
    expect(page.locator("#dashboard-month")).to_be_hidden()
    page.select_option("#dashboard-year", "2024")
    page.locator(".dashboard-filters button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"/reports/dashboard/\?unit={bao_yen.pk}&period=year&year=2024$"))

    # 3. The cards show the KPI set of Bảo Yên for 2024, in Vietnamese number format.
    expect(card_value(page, "petitions_received")).to_have_text(str(district["petitions_received"]))
    expect(card_value(page, "value_mobilized_vnd")).to_contain_text(vietnamese(district["value_mobilized_vnd"]))
    expect(card_value(page, "petitions_overdue")).to_have_text(str(district["petitions_overdue"]))
    expect(page.locator("[data-kpi]")).to_have_count(len(kpis.KPIS))

    # 4. The charts are drawn by the locally served Chart.js.
    for chart in ("#chart-activity", "#chart-value", "#chart-comparison"):
        expect(page.locator(chart)).to_have_attribute("data-rendered", "true")
        assert chart_is_drawn(page, chart), chart
    months = page.evaluate("() => window.Chart.getChart(document.querySelector('#chart-activity')).data.labels")
    assert months == [f"{month:02d}/2024" for month in range(1, 13)]

    # 5. Printing keeps the cards and the charts, and leaves the filters out.
    page.emulate_media(media="print")
    expect(page.locator(".dashboard-filters")).to_be_hidden()
    expect(page.locator("#chart-comparison")).to_be_visible()
    expect(page.locator("[data-kpi]").first).to_be_visible()
    page.emulate_media(media="screen")

    # 6. Drill down from the district's commune ranking to Xã Vĩnh Yên, for the same year.
    page.locator("table.commune-ranking a", has_text="Xã Vĩnh Yên").click()
    expect(page).to_have_url(re.compile(rf"unit={vinh_yen.pk}&period=year&year=2024"))
    expect(page.locator("main h1")).to_contain_text("Xã Vĩnh Yên")
    expect(card_value(page, "petitions_received")).to_have_text(str(commune["petitions_received"]))
    expect(page.locator("table.overdue-petitions tbody tr")).to_have_count(commune["petitions_overdue"])

    # 7. From the overdue list to the petition's own page.
    first = page.locator("table.overdue-petitions tbody tr a").first
    href = first.get_attribute("href")
    assert href and re.fullmatch(r"/dialogues/petitions/\d+/", href)
    first.click()
    expect(page).to_have_url(f"{base}{href}")
    expect(page.locator("main")).to_contain_text("Xã Vĩnh Yên")
