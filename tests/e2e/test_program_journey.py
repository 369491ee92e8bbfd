"""The programs issue's journey in the browser, in spring 2025 (while Xã Vĩnh Yên existed):
demo_commune records a program with three work items, contributions and participation, then a
land donation for it; demo_district sees the commune's totals change on the list and detail."""

import re
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import Page, expect

from organization.models import Unit
from programs import metrics
from programs.models import LandDonation, Program

pytestmark = pytest.mark.e2e

DAY = datetime(2025, 4, 5, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


def sign_in(page: Page, base_url: str, username: str, password: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base_url}/accounts/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(f"{base_url}/")


def list_totals(page: Page, base: str, unit: Unit) -> tuple[int, int]:
    """(value in đồng, person-times) from the totals row of the commune's held programs."""
    page.goto(f"{base}/programs/?unit={unit.pk}&status=held")
    text = page.locator("main table tfoot").inner_text()
    numbers = [int(found.replace(".", "")) for found in re.findall(r"\d{1,3}(?:\.\d{3})+|\d+", text)]
    return numbers[-2], numbers[-1]


def test_commune_records_a_program_and_a_donation_and_the_district_sees_the_totals(page: Page, live_server, demo):
    with time_machine.travel(DAY, tick=True):
        _journey(page, live_server.url, demo)


def _journey(page: Page, base: str, password: str) -> None:
    vinh_yen = Unit.objects.get(key="bao-yen/vinh-yen")
    tong_kim = Unit.objects.get(key="bao-yen/vinh-yen/tong-kim")
    value_before = metrics.value_mobilized([vinh_yen], DAY.date().replace(month=1, day=1), DAY.date())["value_vnd"]

    sign_in(page, base, "demo_district", password)
    before = list_totals(page, base, vinh_yen)

    # 1. The commune officer records the program with its three tables.
    sign_in(page, base, "demo_commune", password)
    page.goto(f"{base}/programs/new/")
    page.select_option("select[name=unit]", str(vinh_yen.pk))
    page.select_option("select[name=village]", str(tong_kim.pk))
    page.select_option("select[name=organizer_level]", "commune")
    page.select_option("select[name=organizer]", str(vinh_yen.pk))
    page.locator("input[name=title]").fill("Ra quân làm đường bê tông KDC Nặm Mèng")
    page.locator("input[name=date]").fill("05/04/2025")
    page.select_option("select[name=status]", "held")
    work = [
        ("infrastructure", "Đổ bê tông đường nội bản", "120", "m"),
        ("clean_up", "Phát quang hai bên đường", "1,5", "km"),
        ("greenery", "Trồng cây xanh", "200", "cây"),
    ]
    add_row = page.locator("[data-formset-add=work_items]")
    for index, (category, description, quantity, measure) in enumerate(work):
        if page.locator(f"select[name=work_items-{index}-category]").count() == 0:
            add_row.click()
        page.select_option(f"select[name=work_items-{index}-category]", category)
        page.locator(f"input[name=work_items-{index}-description]").fill(description)
        page.locator(f"input[name=work_items-{index}-quantity]").fill(quantity)
        page.locator(f"input[name=work_items-{index}-unit_of_measure]").fill(measure)
    page.select_option("select[name=contributions-0-contributor_type]", "businesses")
    page.select_option("select[name=contributions-0-kind]", "in_kind")
    page.locator("input[name=contributions-0-quantity]").fill("20")
    page.locator("input[name=contributions-0-unit_of_measure]").fill("tấn xi măng")
    page.locator("input[name=contributions-0-value_vnd]").fill("36.000.000")
    page.select_option("select[name=contributions-1-contributor_type]", "residents")
    page.select_option("select[name=contributions-1-kind]", "labour_days")
    page.locator("input[name=contributions-1-quantity]").fill("150")
    page.locator("input[name=contributions-1-value_vnd]").fill("30000000")
    page.select_option("select[name=participation-0-category]", "residents")
    page.locator("input[name=participation-0-person_times]").fill("180")
    page.select_option("select[name=participation-1-category]", "officials")
    page.locator("input[name=participation-1-person_times]").fill("25")
    page.locator("main form button[type=submit].btn-primary").last.click()

    program = Program.objects.get(title="Ra quân làm đường bê tông KDC Nặm Mèng")
    expect(page).to_have_url(f"{base}/programs/{program.pk}/")
    assert program.work_items.count() == 3
    assert sorted(program.contributions.values_list("value_vnd", flat=True)) == [30_000_000, 36_000_000]
    assert program.work_items.get(category="clean_up").quantity == Decimal("1.5")

    # 2. A household's donation for the program, with its cinnamon trees.
    page.goto(f"{base}/programs/donations/new/")
    page.select_option("select[name=unit]", str(vinh_yen.pk))
    page.select_option("select[name=village]", str(tong_kim.pk))
    page.locator("input[name=donor]").fill("Hộ ông Giàng A Páo")
    page.locator("input[name=donated_on]").fill("05/04/2025")
    page.select_option("select[name=program]", str(program.pk))
    page.locator("input[name=area_m2]").fill("250,5")
    page.locator("input[name=trees-0-species]").fill("quế")
    page.locator("input[name=trees-0-count]").fill("120")
    page.locator("input[name=labour_days]").fill("6")
    page.locator("input[name=value_vnd]").fill("25.000.000")
    page.locator("main form button[type=submit].btn-primary").last.click()
    donation = LandDonation.objects.get(donor="Hộ ông Giàng A Páo")
    assert (donation.area_m2, donation.trees, donation.program_id) == (Decimal("250.5"), {"quế": 120}, program.pk)

    # 3. The district staff sees the commune's totals move, on the list and on the detail.
    sign_in(page, base, "demo_district", password)
    after = list_totals(page, base, vinh_yen)
    assert (after[0] - before[0], after[1] - before[1]) == (66_000_000, 205)
    value_after = metrics.value_mobilized([vinh_yen], DAY.date().replace(month=1, day=1), DAY.date())["value_vnd"]
    assert value_after - value_before == 66_000_000
    page.goto(f"{base}/programs/{program.pk}/")
    detail = page.locator("main")
    expect(detail).to_contain_text("66.000.000")
    expect(detail).to_contain_text("Hộ ông Giàng A Páo")
    expect(detail).to_contain_text("205")  # person-times: 180 + 25
