"""The dialogues issue's journey across four personas, in the browser, in spring 2025 (the
demo's communes and agencies existed until 30/6/2025, so the clock is set inside their life):

demo_commune files a dialogue with two petitions and a PDF of the minutes; demo_leader issues a
conclusion notice assigning one petition to demo_agency (and the other to another department)
with a deadline; demo_agency answers its petition; after the deadline demo_district sees the
first one answered and the other one overdue.
"""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import Page, expect

from dialogues.models import Dialogue, Petition
from organization.models import Unit

pytestmark = pytest.mark.e2e

MINIMAL_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
DIALOGUE_DAY = datetime(2025, 3, 12, 8, 30, tzinfo=HANOI)
AFTER_DEADLINE = datetime(2025, 3, 20, 8, 30, tzinfo=HANOI)


def sign_in(page: Page, base_url: str, username: str, password: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base_url}/accounts/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(f"{base_url}/")


def submit(page: Page) -> None:
    page.locator("main form button[type=submit].btn-primary").last.click()


def test_dialogue_to_answer_to_overdue(page: Page, live_server, demo, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    base = live_server.url
    traveller = time_machine.travel(DIALOGUE_DAY, tick=True)
    traveller.start()
    try:
        _journey(page, base, demo, tmp_path)
    finally:
        traveller.stop()


def _journey(page: Page, base: str, demo: str, tmp_path) -> None:
    today = timezone.localdate()
    deadline = today + timedelta(days=3)
    vinh_yen = Unit.objects.get(key="bao-yen/vinh-yen")
    tnmt = Unit.objects.get(key="bao-yen/ubnd/tai-nguyen-moi-truong")
    nong_nghiep = Unit.objects.get(key="bao-yen/ubnd/nong-nghiep")
    minutes = tmp_path / "bien-ban-nam-meng.pdf"
    minutes.write_bytes(MINIMAL_PDF)
    page.on("dialog", lambda dialog: dialog.accept())  # "Publish this answer?" confirmation

    # 1. The commune officer files the dialogue, two petitions and the scanned minutes at once.
    sign_in(page, base, "demo_commune", demo)
    page.goto(f"{base}/dialogues/new/")
    page.select_option("select[name=unit]", str(vinh_yen.pk))
    page.select_option("select[name=host_body]", "commune_peoples_committee")
    page.select_option("select[name=status]", "held")
    page.locator("input[name=topic]").fill("Đối thoại với Nhân dân KDC Nặm Mèng về đường nội bản")
    page.locator("input[name=date]").fill(today.strftime("%d/%m/%Y"))
    page.select_option("select[name=commune]", str(vinh_yen.pk))
    page.locator("input[name=participant_count]").fill("45")
    page.locator("textarea[name=minutes_text]").fill("Bà con thống nhất hiến đất làm đường bê tông.")
    page.locator("input[name=attachments]").set_input_files(str(minutes))
    page.select_option("select[name=petitions-0-field]", "transport")
    page.locator("textarea[name=petitions-0-content]").fill("Đề nghị hỗ trợ xi măng bê tông hóa đường nội bản.")
    page.select_option("select[name=petitions-1-field]", "environment")
    page.locator("textarea[name=petitions-1-content]").fill("Đề nghị bố trí điểm thu gom rác thải tại KDC.")
    submit(page)

    dialogue = Dialogue.objects.get(topic__startswith="Đối thoại với Nhân dân KDC Nặm Mèng")
    expect(page).to_have_url(f"{base}/dialogues/{dialogue.pk}/")
    main = page.locator("main")
    expect(main).to_contain_text("bien-ban-nam-meng.pdf")
    expect(main).to_contain_text("bê tông hóa đường nội bản")
    expect(main).to_contain_text("thu gom rác thải")
    road, waste = dialogue.petitions.order_by("id")
    assert dialogue.has_minutes

    # 2. The leader issues the conclusion notice with a directive per petition.
    sign_in(page, base, "demo_leader", demo)
    page.goto(f"{base}/dialogues/{dialogue.pk}/")
    page.locator(f"main a[href='/dialogues/{dialogue.pk}/notice/new/']").first.click()
    page.locator("input[name=date]").fill(today.strftime("%d/%m/%Y"))
    page.locator("textarea[name=summary]").fill("Thống nhất giao các cơ quan giải quyết kiến nghị của Nhân dân.")
    for index, (agency, petition) in enumerate(((tnmt, road), (nong_nghiep, waste))):
        page.select_option(f"select[name=directives-{index}-agency]", str(agency.pk))
        page.locator(f"textarea[name=directives-{index}-content]").fill(f"Kiểm tra, trả lời kiến nghị #{petition.pk}.")
        page.locator(f"input[name=directives-{index}-deadline]").fill(deadline.strftime("%d/%m/%Y"))
        page.locator(f"input[name=directives-{index}-petitions][value='{petition.pk}']").check()
    submit(page)
    expect(page.locator("main")).to_contain_text(re.compile(r"\d+-TB/HU"))
    road.refresh_from_db()
    waste.refresh_from_db()
    assert (road.status, road.assigned_agency, road.deadline) == ("assigned", tnmt, deadline)
    assert (waste.status, waste.assigned_agency) == ("assigned", nong_nghiep)

    # 3. The agency finds the petition in its inbox, drafts and publishes the answer.
    sign_in(page, base, "demo_agency", demo)
    page.goto(f"{base}/dialogues/inbox/")
    page.locator(f"main a[href^='/dialogues/petitions/{road.pk}/']").first.click()
    page.locator("textarea[name=text]").fill("Phòng TN&MT phối hợp UBND xã hỗ trợ 20 tấn xi măng trong quý tới.")
    page.locator("input[name=answered_on]").fill(today.strftime("%d/%m/%Y"))
    page.locator(f"form[action='/dialogues/petitions/{road.pk}/response/'] button[type=submit]").click()
    page.locator(f"form[action='/dialogues/petitions/{road.pk}/response/publish/'] button[type=submit]").click()
    expect(page.locator("main")).to_contain_text("20 tấn xi măng")
    road.refresh_from_db()
    assert road.status == "answered"

    # 4. Past the deadline, the district staff sees one answered and the other overdue.
    with time_machine.travel(AFTER_DEADLINE, tick=True):
        sign_in(page, base, "demo_district", demo)
        page.goto(f"{base}/dialogues/petitions/?overdue=yes&unit={vinh_yen.pk}")
        overdue_list = page.locator("main table")
        expect(overdue_list).to_contain_text("thu gom rác thải")
        expect(overdue_list).not_to_contain_text("bê tông hóa đường nội bản")
        page.goto(f"{base}/dialogues/petitions/{road.pk}/")
        expect(page.locator("main")).to_contain_text("20 tấn xi măng")
        assert Petition.objects.get(pk=waste.pk).is_overdue()
        assert not Petition.objects.get(pk=road.pk).is_overdue()
