"""Sign-in, sign-out, lockout, password change and the language switch, as a browser sees them."""

import pytest
from django.urls import reverse

from conftest import PASSWORD

pytestmark = pytest.mark.django_db

WRONG_LOGIN = "Tên đăng nhập hoặc mật khẩu không đúng."


def log_in(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_login_page_is_vietnamese_by_default(client):
    response = client.get(reverse("login"))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="vi">' in html
    assert "Đăng nhập" in html
    assert "Cổng thông tin công tác dân vận" in html
    assert "Tên đăng nhập" in html
    assert "Mật khẩu" in html


def test_wrong_password_shows_vietnamese_error_and_does_not_log_in(client, commune_a_officer):
    response = log_in(client, "officer_a", "not-the-password")
    assert response.status_code == 200
    assert WRONG_LOGIN in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_unknown_username_gets_the_same_error(client, tree):
    response = log_in(client, "nobody", PASSWORD)
    assert WRONG_LOGIN in response.content.decode()


def test_correct_login_redirects_home(client, commune_a_officer):
    response = log_in(client, "officer_a", PASSWORD)
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert int(client.session["_auth_user_id"]) == commune_a_officer.pk


def test_login_follows_a_safe_next_but_not_an_external_one(client, commune_a_officer):
    login = reverse("login")
    response = client.post(login, {"username": "officer_a", "password": PASSWORD, "next": "/accounts/password/change/"})
    assert response.url == "/accounts/password/change/"
    client.logout()
    response = client.post(login, {"username": "officer_a", "password": PASSWORD, "next": "https://evil.test/"})
    assert response.url == reverse("home")


def test_signed_in_user_visiting_login_goes_home(client, commune_a_officer):
    client.force_login(commune_a_officer)
    response = client.get(reverse("login"))
    assert response.status_code == 302
    assert response.url == reverse("home")


def test_logout_by_post_signs_out_and_says_so(client, commune_a_officer):
    client.force_login(commune_a_officer)
    response = client.post(reverse("logout"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("login")
    assert "Bạn đã đăng xuất." in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("home")).status_code == 302


def test_logout_by_get_is_refused(client, commune_a_officer):
    client.force_login(commune_a_officer)
    assert client.get(reverse("logout")).status_code == 405
    assert "_auth_user_id" in client.session


def test_five_wrong_passwords_lock_the_account_even_for_the_right_password(client, commune_a_officer, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    responses = [log_in(client, "officer_a", f"wrong-{attempt}") for attempt in range(5)]
    assert [r.status_code for r in responses[:4]] == [200] * 4
    locked = responses[4]
    assert locked.status_code == 429
    html = locked.content.decode()
    assert "Tài khoản đã bị tạm khóa do đăng nhập sai quá 5 lần." in html
    assert "Vui lòng thử lại sau 30 phút hoặc liên hệ quản trị viên." in html

    sixth = log_in(client, "officer_a", PASSWORD)
    assert sixth.status_code == 429
    assert "_auth_user_id" not in client.session


def test_lockout_is_per_account_not_per_address(client, commune_a_officer, commune_b_officer):
    for attempt in range(5):
        log_in(client, "officer_a", f"wrong-{attempt}")
    # Same client address, another officer of the office: not locked out.
    assert log_in(client, "officer_b", PASSWORD).status_code == 302


def test_password_change_replaces_the_old_password(client, commune_a_officer):
    client.force_login(commune_a_officer)
    page = client.get(reverse("password_change"))
    assert "Mật khẩu cũ" in page.content.decode()
    new_password = "a-much-longer-new-secret-42"
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("password_change_done")
    assert "Đã đổi mật khẩu" in response.content.decode()

    client.post(reverse("logout"))
    assert WRONG_LOGIN in log_in(client, "officer_a", PASSWORD).content.decode()
    assert log_in(client, "officer_a", new_password).status_code == 302


def test_password_change_requires_login(client):
    response = client.get(reverse("password_change"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_switching_language_to_english(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("login")})
    assert response.status_code == 302
    html = client.get(reverse("login")).content.decode()
    assert '<html lang="en">' in html
    assert "Log in" in html
    assert "Đăng nhập" not in html


def test_lockout_page_is_english_after_switching(client, commune_a_officer):
    client.post(reverse("set_language"), {"language": "en"})
    for attempt in range(5):
        response = log_in(client, "officer_a", f"wrong-{attempt}")
    assert response.status_code == 429
    assert "after 5 failed log-in attempts" in response.content.decode()
