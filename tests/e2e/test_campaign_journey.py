"""The campaigns issue's journey in the browser, in spring 2025 (while Bảo Yên district and Xã Vĩnh
Yên existed): demo_district sets up a movement with criteria for villages, offices and schools and
opens the round for 03/2025; demo_commune fills the scoring grid for its villages with the
keyboard and submits; demo_district verifies each scorecard (correcting one score) and closes the
round; the ranking shows the result with a tie, and an award is recorded from it.

The movement has its own name, so the journey does not depend on the demo's campaigns. Elements
are found by names and data- attributes, not by their (translated) text.
"""

import re
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import Page, expect

from campaigns import selectors
from campaigns.models import Award, Movement, RoundStatus, Scorecard, ScorecardStatus, ScoringRound, TargetType
from organization.models import Unit

pytestmark = pytest.mark.e2e

DAY = datetime(2025, 4, 5, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
NAME = "Ngày Chủ nhật xanh – thử nghiệm hành trình E2E"
#: (code, text, group, maximum) per target type; each set adds up to 100.
CRITERIA = {
    TargetType.VILLAGE: [
        ("TC1", "Tổ chức ra quân vệ sinh đường làng", "Vệ sinh", "40"),
        ("TC2", "Di dời chuồng trại ra xa nhà ở", "Vệ sinh", "30"),
        ("TC3", "Trồng hoa, cây xanh ven đường", "Cảnh quan", "30"),
    ],
    TargetType.OFFICE: [
        ("CS1", "Vệ sinh trụ sở 10 phút đầu giờ", "Công sở", "60"),
        ("CS2", "Phân loại rác tại nguồn", "Công sở", "40"),
    ],
    TargetType.SCHOOL: [
        ("TH1", "Học sinh vệ sinh lớp học, sân trường", "Trường học", "50"),
        ("TH2", "Bồn hoa, cây xanh trong trường", "Trường học", "50"),
    ],
}
#: Self-assessed scores typed into the grid, per village key (TC1, TC2, TC3).
SCORES = {
    "bao-yen/vinh-yen/tong-kim": ("40", "30", "29,5"),  # 99,5
    "bao-yen/vinh-yen/tong-kim/nam-meng": ("35", "25", "25"),  # 85
    "bao-yen/vinh-yen/ban-vanh": ("30", "20", "20"),  # 70, verified as 65
    "bao-yen/vinh-yen/ban-bong": ("35", "25", "25"),  # 85: tied with Nặm Mèng
    "bao-yen/vinh-yen/khuoi-phuong": ("20", "20", "20"),  # 60
}


def sign_in(page: Page, base_url: str, username: str, password: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base_url}/accounts/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(f"{base_url}/")


def test_district_runs_a_round_the_commune_scores_it_and_the_ranking_gives_an_award(page: Page, live_server, demo):
    page.on("dialog", lambda dialog: dialog.accept())  # the pages' data-confirm questions
    with time_machine.travel(DAY, tick=True):
        _journey(page, live_server.url, demo)


def _journey(page: Page, base: str, password: str) -> None:
    district = Unit.objects.get(key="bao-yen")
    vinh_yen = Unit.objects.get(key="bao-yen/vinh-yen")

    # 1. demo_district creates the movement for villages, offices and schools.
    sign_in(page, base, "demo_district", password)
    page.goto(f"{base}/campaigns/movements/new/")
    page.locator("input[name=name]").fill(NAME)
    page.select_option("select[name=unit]", str(district.pk))
    page.locator("input[name=launch_date]").fill("01/01/2025")
    for target in CRITERIA:
        page.locator(f"input[name=target_types][value={target}]").check()
    page.locator("main form button[type=submit].btn-primary").click()
    expect(page).to_have_url(re.compile(r"/campaigns/movements/\d+/$"))
    movement = Movement.objects.get(name=NAME)
    assert movement.target_types == [TargetType.VILLAGE, TargetType.OFFICE, TargetType.SCHOOL]

    # 2. Criteria for 2025, one set per type.
    for target, rows in CRITERIA.items():
        page.goto(f"{base}/campaigns/movements/{movement.pk}/criteria/new/?type={target}&year=2025")
        page.select_option("select[name=target_type]", target)
        page.locator("input[name=year]").fill("2025")
        page.locator("input[name=total_points]").fill("100")
        for index, (code, text, group, maximum) in enumerate(rows):
            page.locator(f"input[name=criteria-{index}-code]").fill(code)
            page.locator(f"input[name=criteria-{index}-text]").fill(text)
            page.locator(f"input[name=criteria-{index}-group]").fill(group)
            page.locator(f"input[name=criteria-{index}-max_points]").fill(maximum)
        page.locator("form[data-criteria-form] button[type=submit].btn-primary").click()
        expect(page).to_have_url(re.compile(rf"/campaigns/movements/{movement.pk}/"))
        assert movement.criteria_sets.get(target_type=target, year=2025).problems() == []

    # 3. The round for 03/2025, opened until the monthly conference.
    page.goto(f"{base}/campaigns/movements/{movement.pk}/rounds/new/")
    page.select_option("select[name=month]", "3")
    page.locator("input[name=year]").fill("2025")
    page.locator("input[name=closes_on]").fill("10/04/2025")
    page.locator("main form button[type=submit].btn-primary").click()
    expect(page).to_have_url(re.compile(r"/campaigns/rounds/\d+/$"))
    round_ = ScoringRound.objects.get(movement=movement)
    page.locator("form[action$='/open/'] button[type=submit]").click()
    expect(page.locator(f"a[href='/campaigns/rounds/{round_.pk}/grid/']")).to_be_visible()
    round_.refresh_from_db()
    assert round_.status == RoundStatus.OPEN

    # 4. demo_commune fills the grid of Vĩnh Yên's villages and submits it.
    villages = list(selectors.eligible_units(round_, target_type=TargetType.VILLAGE, within=vinh_yen))
    assert {unit.key for unit in villages} == set(SCORES)
    tong_kim_unit = next(unit for unit in villages if unit.key == "bao-yen/vinh-yen/tong-kim")
    criteria = list(movement.criteria_sets.get(target_type=TargetType.VILLAGE).criteria.all())
    sign_in(page, base, "demo_commune", password)
    page.goto(f"{base}/campaigns/rounds/{round_.pk}/")
    page.locator(f"a[href='/campaigns/rounds/{round_.pk}/grid/']").click()
    expect(page.locator("table[data-grid]")).to_be_visible()
    assert page.locator("input[data-score]").count() == len(villages) * len(criteria)
    missing = page.locator("[data-missing-for]:not([hidden])")
    expect(missing).to_have_count(len(villages))

    # Column by column with Enter, as an officer copies a paper sheet: Enter goes down the column.
    first_column = page.locator("input[data-score][data-col='0']")
    first_column.first.focus()
    for village in villages:
        page.keyboard.type(SCORES[village.key][0])
        page.keyboard.press("Enter")
    expect(page.locator(f"input[name=s-{villages[-1].pk}-{criteria[0].pk}]")).to_have_value(SCORES[villages[-1].key][0])
    # The rest of each row with Tab, which follows the row.
    for village in villages:
        page.locator(f"input[name=s-{village.pk}-{criteria[1].pk}]").focus()
        page.keyboard.type(SCORES[village.key][1])
        page.keyboard.press("Tab")
        page.keyboard.type(SCORES[village.key][2])
    tong_kim = page.locator(f"tr[data-grid-row='{tong_kim_unit.pk}']")
    expect(tong_kim.locator("[data-row-total]")).to_have_text("99,5")
    expect(page.locator("[data-missing-none]")).to_be_visible()
    expect(missing).to_have_count(0)

    # A typo is caught before anything is sent, then corrected.
    typo = page.locator(f"input[name=s-{villages[1].pk}-{criteria[0].pk}]")
    typo.fill("45")
    expect(typo).to_have_class(re.compile("is-invalid"))
    typo.fill(SCORES[villages[1].key][0])
    expect(typo).not_to_have_class(re.compile("is-invalid"))

    page.locator("button[name=action][value=submit]").click()
    expect(page.locator("[data-status='submitted']")).to_have_count(len(villages))
    cards = Scorecard.objects.filter(round=round_)
    assert sorted(cards.values_list("status", flat=True)) == [ScorecardStatus.SUBMITTED] * len(villages)
    assert cards.get(unit=tong_kim_unit).self_total == Decimal("99.5")

    # 5. demo_district verifies every scorecard, correcting Bản Vành's first criterion.
    sign_in(page, base, "demo_district", password)
    for village in villages:
        page.goto(f"{base}/campaigns/rounds/{round_.pk}/grid/?type=village&commune={vinh_yen.pk}")
        page.locator(f"tr[data-grid-row='{village.pk}'] th a").click()
        expect(page.locator("form[data-verify-form]")).to_be_visible()
        if village.key == "bao-yen/vinh-yen/ban-vanh":
            page.locator(f"input[name=verified-{criteria[0].pk}]").fill("25")
            page.locator("form[data-verify-form] textarea[name=note]").fill("Chưa có ảnh minh chứng đủ cho TC1.")
        page.locator("form[data-verify-form] button[type=submit]").click()
        expect(page.locator("h1 [data-status='verified']")).to_be_visible()
    ban_vanh = cards.get(unit__key="bao-yen/vinh-yen/ban-vanh")
    assert (ban_vanh.self_total, ban_vanh.verified_total) == (Decimal(70), Decimal(65))

    page.goto(f"{base}/campaigns/rounds/{round_.pk}/close/")
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(f"{base}/campaigns/rounds/{round_.pk}/")
    expect(page.locator(f"a[href='/campaigns/rounds/{round_.pk}/ranking/']").first).to_be_visible()
    round_.refresh_from_db()
    assert round_.status == RoundStatus.CLOSED

    # 6. The ranking: Tổng Kim first, Nặm Mèng and Bản Bông tied second, then Bản Vành, Khuổi Phường.
    page.locator(f"a[href='/campaigns/rounds/{round_.pk}/ranking/']").first.click()
    table = page.locator("table[data-ranking='village']")
    expect(table).to_be_visible()
    ranks = [
        (row.locator("[data-rank]").inner_text(), row.get_attribute("data-unit"))
        for row in table.locator("tbody tr").all()
    ]
    assert ranks == [
        ("1", "Bản Tổng Kim"),
        ("2", "Bản Bông"),
        ("2", "Khu dân cư Nặm Mèng"),
        ("4", "Bản Vành"),
        ("5", "Bản Khuổi Phường"),
    ]
    expect(page.locator("[data-ties]")).to_be_visible()
    expect(table.locator("[data-selected]")).to_have_count(3)  # the best three, all at 85 % or more

    # 7. An award for the winner, from the ranking's link.
    table.locator(f"a[href*='unit={tong_kim_unit.pk}']").click()
    expect(page).to_have_url(re.compile(r"/campaigns/awards/new/\?round="))
    expect(page.locator("select[name=recipient_unit]")).to_have_value(str(tong_kim_unit.pk))
    page.locator("main form button[type=submit].btn-primary").click()
    expect(page).not_to_have_url(re.compile(r"/awards/new/"))
    award = Award.objects.get(round=round_)
    assert (award.recipient_unit, award.movement) == (tong_kim_unit, movement)
    page.goto(f"{base}/campaigns/rounds/{round_.pk}/ranking/")
    expect(page.locator(f"tr[data-unit='{tong_kim_unit.name}'] [data-awarded]")).to_be_visible()
