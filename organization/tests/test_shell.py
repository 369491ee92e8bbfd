"""The portal shell: base layout, home page per role, and the unit switcher."""

import pytest
from django.urls import reverse

from organization.middleware import SESSION_KEY
from organization.models import Role
from organization.tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def home_html(client, user):
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def test_anonymous_home_redirects_to_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_commune_officer_sees_own_commune_and_vietnamese_role(client, commune_a_officer, commune_b_officer):
    html = home_html(client, commune_a_officer)
    assert "Xã Vĩnh Yên" in html
    assert "Cán bộ xã" in html
    assert "Xã Nghĩa Đô" not in html


@pytest.mark.parametrize(
    ("fixture", "unit_name", "role_label"),
    [
        ("district_staff", "Huyện Bảo Yên", "Cán bộ Ban Dân vận"),
        ("agency_officer", "Phòng Tài nguyên và Môi trường", "Cán bộ cơ quan"),
        ("leader", "Huyện Bảo Yên", "Lãnh đạo"),
        ("viewer", "Xã Vĩnh Yên", "Người xem"),
    ],
)
def test_home_shows_each_roles_unit_and_label(client, request, fixture, unit_name, role_label):
    html = home_html(client, request.getfixturevalue(fixture))
    assert unit_name in html
    assert role_label in html


def test_home_with_two_memberships_needs_four_queries(client, two_hats, django_assert_max_num_queries):
    user, _ = two_hats
    client.force_login(user)
    # session + user + memberships (with units and bodies) shared by the menu and the page, + unread count
    with django_assert_max_num_queries(4):
        assert client.get(reverse("home")).status_code == 200


def test_home_shows_acting_body(client, district_staff):
    assert "Ban Dân vận Huyện ủy" in home_html(client, district_staff)


def test_user_without_membership_is_told_to_ask_the_administrator(client, tree):
    html = home_html(client, UserFactory(username="newcomer"))
    assert "Bạn chưa được phân công vào đơn vị nào" in html
    assert "quản trị viên" in html


def test_base_layout_has_skip_link_main_landmark_and_post_logout(client, commune_a_officer):
    html = home_html(client, commune_a_officer)
    assert 'href="#main"' in html
    assert '<main id="main"' in html
    assert f'<form action="{reverse("logout")}" method="post">' in html
    assert 'aria-controls="portal-nav"' in html
    assert f'action="{reverse("set_language")}"' in html


def test_admin_link_only_for_admins(client, commune_a_officer, portal_admin):
    admin_url = reverse("admin:index")
    assert f'href="{admin_url}"' not in home_html(client, commune_a_officer)
    client.logout()
    assert f'href="{admin_url}"' in home_html(client, portal_admin)


def test_single_membership_has_no_switcher(client, commune_a_officer):
    assert reverse("switch_membership") not in home_html(client, commune_a_officer)


@pytest.fixture
def two_hats(tree, commune_a_officer):
    """The commune A officer is also a leader of commune B."""
    second = MembershipFactory(user=commune_a_officer, unit=tree.commune_b, role=Role.LEADER)
    return commune_a_officer, second


def active_badge_unit(html):
    """The unit name on the card marked current."""
    card = html.split("border-primary border-2", 1)[1]
    return card.split('<h3 class="h6 card-title mb-1">', 1)[1].split("</h3>", 1)[0]


def test_switching_membership_changes_the_active_one(client, two_hats):
    user, _ = two_hats
    first, second = user.memberships.order_by("pk")
    client.force_login(user)
    url = reverse("switch_membership")
    for membership in (first, second):
        response = client.post(url, {"membership_id": membership.pk})
        assert response.status_code == 302
        assert response.url == reverse("home")
        assert client.session[SESSION_KEY] == membership.pk
        html = client.get(reverse("home")).content.decode()
        assert url in html
        assert active_badge_unit(html) == membership.unit.name
        assert "Bạn đang làm việc với tư cách" in html


def test_switch_returns_to_a_safe_next_only(client, two_hats):
    user, second = two_hats
    client.force_login(user)
    url = reverse("switch_membership")
    response = client.post(url, {"membership_id": second.pk, "next": "/accounts/password/change/"})
    assert response.url == "/accounts/password/change/"
    response = client.post(url, {"membership_id": second.pk, "next": "https://evil.test/"})
    assert response.url == reverse("home")


def test_switch_to_another_users_membership_is_404(client, commune_a_officer, commune_b_officer):
    client.force_login(commune_a_officer)
    others = commune_b_officer.memberships.get()
    response = client.post(reverse("switch_membership"), {"membership_id": others.pk})
    assert response.status_code == 404
    assert SESSION_KEY not in client.session


def test_switch_to_inactive_membership_is_404(client, two_hats):
    user, second = two_hats
    second.is_active = False
    second.save(update_fields=["is_active"])
    client.force_login(user)
    assert client.post(reverse("switch_membership"), {"membership_id": second.pk}).status_code == 404


def test_switch_without_id_is_404(client, commune_a_officer):
    client.force_login(commune_a_officer)
    assert client.post(reverse("switch_membership")).status_code == 404


def test_switch_by_get_is_405(client, commune_a_officer):
    client.force_login(commune_a_officer)
    assert client.get(reverse("switch_membership")).status_code == 405


def test_switch_anonymous_redirects_to_login(client, tree):
    response = client.post(reverse("switch_membership"), {"membership_id": 1})
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_unknown_page_uses_the_portal_404(client, commune_a_officer):
    client.force_login(commune_a_officer)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.content.decode()


def test_permission_denied_page_is_the_portals(rf, commune_a_officer):
    from django.core.exceptions import PermissionDenied
    from django.views.defaults import permission_denied

    request = rf.get("/")
    request.user = commune_a_officer
    request.session = {}
    response = permission_denied(request, PermissionDenied())
    assert response.status_code == 403
    assert "Bạn không thể thực hiện thao tác này" in response.content.decode()


def test_server_error_page_renders_without_context(rf):
    from django.views.defaults import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert "Hệ thống đã gặp sự cố" in response.content.decode()


def test_admin_home_offers_administration_first(client, portal_admin):
    html = home_html(client, portal_admin)
    next_steps = html.split('<section aria-labelledby="next-heading"', 1)[1]
    assert next_steps.index(reverse("admin:index")) < next_steps.index(reverse("unit_list"))
    assert "Bạn chưa được phân công" not in html


def test_viewer_is_not_offered_administration(client, viewer):
    next_steps = home_html(client, viewer).split('<section aria-labelledby="next-heading"', 1)[1]
    assert reverse("unit_list") in next_steps
    assert reverse("admin:index") not in next_steps


@pytest.mark.parametrize("fixture", ["district_staff", "commune_a_officer", "agency_officer", "leader", "viewer"])
def test_pages_have_no_inline_script_or_handlers(client, request, fixture):
    """A strict Content-Security-Policy comes later; nothing inline may depend on it being lax."""
    import re

    html = home_html(client, request.getfixturevalue(fixture))
    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html) is None
    assert re.search(r"\son[a-z]+\s*=", html) is None
