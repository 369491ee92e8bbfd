"""The "My exports" page, and the notification list's export."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from exports.models import ExportJob, ExportStatus
from organization.notifications import notify

from .conftest import PETITIONS, csv_rows, list_url


def job(user, status=ExportStatus.READY, **values) -> ExportJob:
    values.setdefault("filename", "kien-nghi-2025-05-02.xlsx")
    return ExportJob.objects.create(
        user=user,
        view_name=PETITIONS,
        path=list_url(),
        query=values.pop("query", "field=land"),
        format="xlsx",
        language="vi",
        status=status,
        **values,
    )


def test_my_exports_is_empty_at_first_and_says_how_to_export(client, district_staff):
    client.force_login(district_staff)
    response = client.get(reverse("exports:list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert _("No exports yet") in html and "export-list" not in html


def test_my_exports_lists_only_my_own_newest_first_with_their_state(client, district_staff, leader):
    now = timezone.now()
    ready = job(
        district_staff,
        filename="a-ready.xlsx",
        row_total=7,
        rows_written=7,
        file="exports/x.xlsx",
        expires_at=now + timedelta(hours=3),
    )
    expired = job(
        district_staff,
        ExportStatus.READY,
        filename="b-expired.xlsx",
        file="exports/y.xlsx",
        expires_at=now - timedelta(hours=1),
    )
    running = job(district_staff, ExportStatus.RUNNING, filename="c-running.xlsx", row_total=9000, rows_written=2000)
    job(leader, filename="someone-else.xlsx")
    client.force_login(district_staff)
    response = client.get(reverse("exports:list"))
    html = response.content.decode()
    assert "someone-else" not in html
    assert [row["job"] for row in response.context["rows"]] == [running, expired, ready]
    assert reverse("exports:download", args=[ready.pk]) in html
    assert reverse("exports:download", args=[expired.pk]) not in html
    assert expired.again_url.replace("&", "&amp;") in html
    assert "2.000 / 9.000" in html


def test_my_exports_is_paginated(client, district_staff):
    for index in range(27):
        job(district_staff, filename=f"file-{index}.xlsx")
    client.force_login(district_staff)
    first = client.get(reverse("exports:list"))
    assert len(first.context["rows"]) == 25 and first.context["page_obj"].has_next()
    second = client.get(reverse("exports:list"), {"page": 2})
    assert len(second.context["rows"]) == 2


def test_a_finished_job_page_shows_no_poller(client, district_staff):
    failed = job(district_staff, ExportStatus.FAILED, error="Không xuất được.")
    client.force_login(district_staff)
    html = client.get(reverse("exports:detail", args=[failed.pk])).content.decode()
    assert "Không xuất được." in html and "js/exports.js" not in html
    # A failed export is not downloadable: the link leads back to its page.
    response = client.get(reverse("exports:download", args=[failed.pk]))
    assert response.status_code == 302 and response.url == failed.get_absolute_url()


def test_the_pages_have_no_inline_script(client, district_staff):
    import re

    queued = job(district_staff, ExportStatus.QUEUED)
    client.force_login(district_staff)
    for url in (reverse("exports:list"), reverse("exports:detail", args=[queued.pk])):
        html = client.get(url).content.decode()
        assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html) is None
        assert re.search(r"\son[a-z]+\s*=", html) is None


def test_the_notification_list_exports_my_notifications_only(client, district_staff, leader):
    notify(recipients=[district_staff], kind="info", message="=1+1 đọc rồi", url="/dialogues/")
    notify(recipients=[district_staff], kind="reminder", message="Chưa đọc")
    notify(recipients=[leader], kind="info", message="Của người khác")
    from organization.models import Notification

    Notification.objects.filter(message__startswith="=1+1").update(read_at=timezone.now())
    client.force_login(district_staff)
    html = client.get(reverse("notification_list")).content.decode()
    assert "export=xlsx" in html and "export=csv" in html

    response = client.get(reverse("notification_list"), {"export": "csv"})
    assert response.status_code == 200 and response.content.startswith(b"\xef\xbb\xbf")
    rows = csv_rows(response.content)[1:]
    messages = {row[3] for row in rows}
    assert messages == {"'=1+1 đọc rồi", "Chưa đọc"}
    read = next(row for row in rows if row[3].startswith("'="))
    assert read[4] == "/dialogues/" and read[5]

    unread = csv_rows(client.get(reverse("notification_list"), {"export": "csv", "unread": "1"}).content)[1:]
    assert [row[3] for row in unread] == ["Chưa đọc"]
