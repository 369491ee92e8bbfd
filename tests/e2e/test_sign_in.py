"""Browser journeys of signing in and out, and the lockout after repeated failures."""

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e


def _sign_in(page: Page, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()


def test_commune_officer_signs_in_sees_own_commune_and_signs_out(page: Page, live_server, demo):
    page.goto(f"{live_server.url}/")
    # Anonymous visitors land on the Vietnamese sign-in page.
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()

    _sign_in(page, live_server.url, "demo_commune", demo)
    expect(page).to_have_url(f"{live_server.url}/")
    main = page.locator("main")
    expect(main).to_contain_text("Xã Vĩnh Yên")
    expect(main).to_contain_text("Cán bộ xã")
    expect(main).not_to_contain_text("Xã Nghĩa Đô")

    page.locator("#user-menu").click()
    page.get_by_role("button", name="Đăng xuất").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.get_by_text("Bạn đã đăng xuất.")).to_be_visible()
    # Signed out for real: the home page sends us back to sign in.
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def test_five_wrong_passwords_lock_the_account_with_a_message(page: Page, live_server, demo):
    for _attempt in range(4):
        _sign_in(page, live_server.url, "demo_commune", "wrong-password")
        expect(page.get_by_text("Tên đăng nhập hoặc mật khẩu không đúng.")).to_be_visible()
    _sign_in(page, live_server.url, "demo_commune", "wrong-password")
    expect(page.locator("main")).to_contain_text("Tài khoản đã bị tạm khóa")

    # Locked means locked: even the right password is refused now.
    _sign_in(page, live_server.url, "demo_commune", demo)
    expect(page.locator("main")).to_contain_text("Tài khoản đã bị tạm khóa")
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
