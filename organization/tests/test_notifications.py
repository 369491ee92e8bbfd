"""In-app notifications: the bell's unread count, the list, marking read, following a link, API."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from organization.context_processors_notifications import unread_count
from organization.models import Notification, NotificationKind
from organization.notifications import notify

API = "/api/v1/notifications/"


def send(user, message: str = "Kiến nghị #1 sắp đến hạn", *, url: str = "/units/", read: bool = False) -> Notification:
    [notification] = notify(recipients=[user], kind=NotificationKind.REMINDER, message=message, url=url)
    if read:
        Notification.objects.filter(pk=notification.pk).update(read_at=timezone.now())
    return notification


def notification_queries(queries) -> list[str]:
    return [query["sql"] for query in queries if '"organization_notification"' in query["sql"]]


# --- The bell -------------------------------------------------------------------------------


def test_bell_shows_the_unread_count_with_one_query(client, agency_officer, commune_a_officer):
    for index in range(3):
        send(agency_officer, f"Chưa đọc {index}")
    send(agency_officer, "Đã đọc", read=True)
    send(commune_a_officer, "Của người khác")
    client.force_login(agency_officer)

    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("home"))

    html = response.content.decode()
    with translation.override("vi"):
        label = translation.ngettext("%(counter)s unread notification", "%(counter)s unread notifications", 3) % {
            "counter": 3
        }
    assert f'aria-label="{label}"' in html
    assert 'data-unread-count="3"' in html
    assert len(notification_queries(captured.captured_queries)) == 1


def test_unread_count_is_computed_once_per_request(agency_officer, django_assert_num_queries):
    send(agency_officer)
    request = RequestFactory().get("/")
    request.user = agency_officer

    with django_assert_num_queries(1):
        assert unread_count(request) == 1
        assert unread_count(request) == 1


def test_bell_says_99_plus_past_the_cap(client, agency_officer):
    notify(recipients=[agency_officer] * 120, kind=NotificationKind.INFO, message="Thông báo")
    client.force_login(agency_officer)

    html = client.get(reverse("home")).content.decode()

    assert "99+" in html
    assert 'data-unread-count="100"' in html  # counting stops at the cap


def test_bell_without_notifications_shows_no_badge(client, agency_officer):
    client.force_login(agency_officer)

    html = client.get(reverse("home")).content.decode()

    assert 'data-unread-count="0"' in html
    assert "badge rounded-pill" not in html


def test_anonymous_pages_have_no_bell(client, tree):
    html = client.get(reverse("login")).content.decode()
    assert "data-unread-count" not in html


# --- The list -------------------------------------------------------------------------------


def test_list_shows_only_own_notifications_newest_first_with_unread_highlighted(
    client, agency_officer, commune_a_officer
):
    older = send(agency_officer, "Cũ hơn", read=True)
    newer = send(agency_officer, "Mới hơn")
    send(commune_a_officer, "Không phải của bạn")
    client.force_login(agency_officer)

    response = client.get(reverse("notification_list"))

    assert [n.pk for n in response.context["notifications"]] == [newer.pk, older.pk]
    html = response.content.decode()
    assert "Không phải của bạn" not in html
    assert html.count("notification-unread") == 1
    assert html.index("notification-unread") < html.index("Mới hơn") < html.index("Cũ hơn")
    assert reverse("notification_read", args=[newer.pk]) in html
    assert reverse("notification_read", args=[older.pk]) not in html  # already read: no button


def test_list_can_show_only_unread(client, agency_officer):
    send(agency_officer, "Đã đọc", read=True)
    unread = send(agency_officer, "Chưa đọc")
    client.force_login(agency_officer)

    response = client.get(reverse("notification_list"), {"unread": "1"})

    assert [n.pk for n in response.context["notifications"]] == [unread.pk]


def test_list_is_paginated_by_25(client, agency_officer):
    notify(recipients=[agency_officer] * 30, kind=NotificationKind.INFO, message="Thông báo")
    client.force_login(agency_officer)

    first = client.get(reverse("notification_list"))
    second = client.get(reverse("notification_list"), {"page": 2})

    assert len(first.context["notifications"]) == 25
    assert len(second.context["notifications"]) == 5


def test_empty_list_says_what_appears_here(client, agency_officer):
    client.force_login(agency_officer)
    response = client.get(reverse("notification_list"))
    assert response.status_code == 200
    assert "empty-state" in response.content.decode()


@pytest.mark.parametrize("count", [3, 30])
def test_list_query_count_does_not_grow(client, agency_officer, django_assert_max_num_queries, count):
    notify(recipients=[agency_officer] * count, kind=NotificationKind.INFO, message="Thông báo")
    client.force_login(agency_officer)
    # session, user, memberships, paginator count, page, unread count
    with django_assert_max_num_queries(6):
        response = client.get(reverse("notification_list"))
    assert len(response.context["notifications"]) == min(count, 25)


def test_anonymous_is_sent_to_login(client, agency_officer):
    notification = send(agency_officer)
    for method, url in [
        ("get", reverse("notification_list")),
        ("get", reverse("notification_open", args=[notification.pk])),
        ("post", reverse("notification_read", args=[notification.pk])),
        ("post", reverse("notification_read_all")),
    ]:
        response = getattr(client, method)(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
    notification.refresh_from_db()
    assert notification.read_at is None


# --- Marking read ---------------------------------------------------------------------------


def test_mark_one_as_read_returns_to_the_page(client, agency_officer):
    notification = send(agency_officer)
    other = send(agency_officer)
    client.force_login(agency_officer)
    back = reverse("notification_list") + "?page=1"

    response = client.post(reverse("notification_read", args=[notification.pk]), {"next": back})

    assert response.status_code == 302 and response.url == back
    notification.refresh_from_db()
    other.refresh_from_db()
    assert notification.read_at is not None
    assert other.read_at is None


def test_mark_read_never_redirects_to_another_site(client, agency_officer):
    notification = send(agency_officer)
    client.force_login(agency_officer)

    response = client.post(reverse("notification_read", args=[notification.pk]), {"next": "https://evil.example/"})

    assert response.url == reverse("notification_list")


def test_mark_all_as_read_touches_only_own_notifications(client, agency_officer, commune_a_officer):
    mine = [send(agency_officer), send(agency_officer)]
    theirs = send(commune_a_officer)
    client.force_login(agency_officer)

    response = client.post(reverse("notification_read_all"), follow=True)

    assert response.status_code == 200
    assert not Notification.objects.filter(pk__in=[n.pk for n in mine], read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert 'data-unread-count="0"' in response.content.decode()


def test_marking_read_is_post_only(client, agency_officer):
    notification = send(agency_officer)
    client.force_login(agency_officer)

    assert client.get(reverse("notification_read", args=[notification.pk])).status_code == 405
    assert client.get(reverse("notification_read_all")).status_code == 405
    notification.refresh_from_db()
    assert notification.read_at is None


@pytest.mark.parametrize("view", ["notification_read", "notification_open"])
def test_another_users_notification_answers_404(client, agency_officer, commune_a_officer, view):
    theirs = send(commune_a_officer)
    client.force_login(agency_officer)

    response = (
        client.post(reverse(view, args=[theirs.pk]))
        if view.endswith("read")
        else client.get(reverse(view, args=[theirs.pk]))
    )

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


# --- Following a notification ---------------------------------------------------------------


def test_opening_marks_read_and_goes_to_the_local_link(client, agency_officer):
    notification = send(agency_officer, url="/units/?q=xa")
    client.force_login(agency_officer)

    response = client.get(reverse("notification_open", args=[notification.pk]))

    assert response.status_code == 302 and response.url == "/units/?q=xa"
    notification.refresh_from_db()
    assert notification.read_at is not None


@pytest.mark.parametrize(
    "url", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)", ""]
)
def test_opening_never_leaves_the_site(client, agency_officer, url):
    notification = send(agency_officer, url=url)
    client.force_login(agency_officer)

    response = client.get(reverse("notification_open", args=[notification.pk]))

    assert response.url == reverse("notification_list")


# --- API ------------------------------------------------------------------------------------


def test_api_lists_own_notifications_newest_first(client, agency_officer, commune_a_officer):
    older = send(agency_officer, "Cũ hơn", read=True)
    newer = send(agency_officer, "Mới hơn")
    send(commune_a_officer)
    client.force_login(agency_officer)

    body = client.get(API).json()

    assert [item["id"] for item in body["results"]] == [newer.pk, older.pk]
    assert body["results"][0] == {
        "id": newer.pk,
        "kind": "reminder",
        "kind_display": body["results"][0]["kind_display"],
        "message": "Mới hơn",
        "url": "/units/",
        "created_at": body["results"][0]["created_at"],
        "read_at": None,
        "is_read": False,
    }
    assert body["results"][1]["is_read"] is True


def test_api_filters_unread(client, agency_officer):
    send(agency_officer, read=True)
    unread = send(agency_officer)
    client.force_login(agency_officer)

    assert [item["id"] for item in client.get(API, {"unread": "true"}).json()["results"]] == [unread.pk]
    assert len(client.get(API, {"unread": "false"}).json()["results"]) == 1


def test_api_marks_one_read(client, agency_officer):
    notification = send(agency_officer)
    client.force_login(agency_officer)

    response = client.post(f"{API}{notification.pk}/read/")

    assert response.status_code == 200
    assert response.json()["is_read"] is True
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_api_marks_all_read(client, agency_officer, commune_a_officer):
    send(agency_officer)
    send(agency_officer)
    theirs = send(commune_a_officer)
    client.force_login(agency_officer)

    response = client.post(f"{API}read-all/")

    assert response.json() == {"marked": 2}
    assert not Notification.objects.filter(recipient=agency_officer, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_api_answers_404_for_another_users_notification(client, agency_officer, commune_a_officer):
    theirs = send(commune_a_officer)
    client.force_login(agency_officer)

    assert client.get(f"{API}{theirs.pk}/").status_code == 404
    assert client.post(f"{API}{theirs.pk}/read/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_api_requires_sign_in_and_post_for_marking(client, agency_officer):
    notification = send(agency_officer)
    assert client.get(API).status_code == 401
    client.force_login(agency_officer)
    assert client.get(f"{API}{notification.pk}/read/").status_code == 405


@pytest.mark.parametrize("count", [3, 30])
def test_api_list_query_count_does_not_grow(client, agency_officer, django_assert_max_num_queries, count):
    notify(recipients=[agency_officer] * count, kind=NotificationKind.INFO, message="Thông báo")
    client.force_login(agency_officer)
    # session, user, memberships (middleware), page
    with django_assert_max_num_queries(4):
        response = client.get(API)
    assert len(response.json()["results"]) == count
