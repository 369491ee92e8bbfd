"""Exports over EXPORT_SYNC_MAX_ROWS: a job written in the background from the same view, with
the same rows as an immediate download, for its owner only, until the link expires."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from exports import services
from exports.models import ExportJob, ExportStatus
from exports.tasks import cleanup_exports, run_export
from organization.models import Membership

from .conftest import INJECTION, body, csv_rows, list_url, xlsx_cells, xlsx_values

LAND_A = {"field": "land"}
PETITIONS_VIEW = "dialogues:petition_list"


def start_export(client, django_capture_on_commit_callbacks, fmt="xlsx", *, run=True, **params):
    """Ask the list for an export; with ``run`` the queued task runs (in-process, eager)."""
    with django_capture_on_commit_callbacks(execute=run):
        response = client.get(list_url(), {**params, "export": fmt})
    return response


def test_a_small_export_downloads_at_once(client, threshold, petitions, commune_b_officer):
    client.force_login(commune_b_officer)  # two petitions in commune B: under the threshold of 3
    response = client.get(list_url(), {"export": "csv"})
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert len(csv_rows(response.content)) == 3
    assert not ExportJob.objects.exists()


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_over_the_threshold_a_job_writes_the_same_rows_as_an_immediate_export(
    client, settings, threshold, petitions, district_staff, django_capture_on_commit_callbacks, fmt
):
    client.force_login(district_staff)
    response = start_export(client, django_capture_on_commit_callbacks, fmt, **LAND_A, sort="-received_on", page=2)
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response.url == reverse("exports:detail", args=[job.pk])
    assert job.user == district_staff and job.format == fmt and job.view_name == PETITIONS_VIEW
    assert "page" not in job.query and "export" not in job.query and "field=land" in job.query
    assert job.status == ExportStatus.READY, job.error
    assert job.row_total == job.rows_written == 7 and job.progress == 100
    assert job.expires_at - job.finished_at == timedelta(hours=settings.EXPORT_LINK_HOURS)
    assert job.file.name.startswith("exports/")

    download = client.get(reverse("exports:download", args=[job.pk]))
    assert download.status_code == 200
    assert job.filename in download["Content-Disposition"] and download["Cache-Control"] == "private, no-store"
    background = body(download)

    settings.EXPORT_SYNC_MAX_ROWS = 1000
    immediate = client.get(list_url(), {**LAND_A, "sort": "-received_on", "export": fmt})
    assert immediate.status_code == 200
    if fmt == "csv":
        assert background == immediate.content
    else:
        assert xlsx_values(background) == xlsx_values(immediate.content)
    assert ExportJob.objects.count() == 1


def test_the_job_page_polls_while_queued_then_offers_the_download(
    client, threshold, petitions, district_staff, django_capture_on_commit_callbacks
):
    client.force_login(district_staff)
    start_export(client, django_capture_on_commit_callbacks, run=False)
    job = ExportJob.objects.get()
    assert job.status == ExportStatus.QUEUED and job.row_total == 8

    page = client.get(reverse("exports:detail", args=[job.pk]))
    html = page.content.decode()
    assert "data-export-progress" in html and reverse("exports:status", args=[job.pk]) in html
    assert "js/exports.js" in html and reverse("exports:download", args=[job.pk]) not in html
    status = client.get(reverse("exports:status", args=[job.pk])).json()
    assert status["status"] == "queued" and not status["finished"] and status["download_url"] is None

    # Asking again while it is queued joins the same job instead of writing the file twice.
    start_export(client, django_capture_on_commit_callbacks, run=False)
    assert ExportJob.objects.count() == 1

    assert run_export.delay(job.pk).get() == ExportStatus.READY
    status = client.get(reverse("exports:status", args=[job.pk])).json()
    assert status["finished"] and status["ready"] and status["rows_written"] == 8 and status["progress"] == 100
    assert status["download_url"] == reverse("exports:download", args=[job.pk])
    html = client.get(reverse("exports:detail", args=[job.pk])).content.decode()
    assert "data-export-progress" not in html and "js/exports.js" not in html
    assert reverse("exports:download", args=[job.pk]) in html
    # A second delivery of the same message does nothing.
    assert services.run(job.pk) == "skipped"


def test_only_the_owner_sees_or_downloads_an_export(
    client, threshold, petitions, district_staff, leader, django_capture_on_commit_callbacks
):
    client.force_login(district_staff)
    start_export(client, django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()
    client.force_login(leader)
    for name in ("detail", "status", "download"):
        assert client.get(reverse(f"exports:{name}", args=[job.pk])).status_code == 404
    assert job.filename not in client.get(reverse("exports:list")).content.decode()
    client.logout()
    response = client.get(reverse("exports:download", args=[job.pk]))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_after_expiry_the_link_answers_410_and_cleanup_deletes_the_file(
    client, threshold, petitions, district_staff, django_capture_on_commit_callbacks
):
    client.force_login(district_staff)
    start_export(client, django_capture_on_commit_callbacks, "csv")
    job = ExportJob.objects.get()
    path = job.file.path
    assert os.path.exists(path)

    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert cleanup_exports.delay().get() == 1
    job.refresh_from_db()
    assert job.status == ExportStatus.EXPIRED and not job.file and not os.path.exists(path)

    response = client.get(reverse("exports:download", args=[job.pk]))
    assert response.status_code == 410
    html = response.content.decode()
    assert _("This link expired, export again") in html
    assert job.again_url.replace("&", "&amp;") in html and "export=csv" in job.again_url
    assert client.get(reverse("exports:detail", args=[job.pk])).status_code == 200
    assert cleanup_exports.delay().get() == 0  # nothing left to expire


def test_a_link_past_its_time_answers_410_even_before_cleanup(
    client, threshold, petitions, district_staff, django_capture_on_commit_callbacks
):
    client.force_login(district_staff)
    start_export(client, django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()
    path = job.file.path
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(reverse("exports:download", args=[job.pk])).status_code == 410
    job.refresh_from_db()
    assert job.status == ExportStatus.EXPIRED and not os.path.exists(path)


def test_a_commune_officers_background_export_holds_only_their_commune(
    client, threshold, petitions, tree, commune_a_officer, django_capture_on_commit_callbacks
):
    client.force_login(commune_a_officer)
    start_export(client, django_capture_on_commit_callbacks, "csv")
    job = ExportJob.objects.get()
    rows = csv_rows(body(client.get(reverse("exports:download", args=[job.pk]))))[1:]
    expected = {petition.pk for petition in petitions if petition.unit_id == tree.commune_a.pk}
    assert {int(row[0]) for row in rows} == expected and len(expected) == 6


def test_the_task_runs_with_the_scope_the_user_has_when_it_runs(
    client, threshold, petitions, commune_a_officer, django_capture_on_commit_callbacks
):
    """The view is called again when the task runs: an officer who lost access gets nothing."""
    client.force_login(commune_a_officer)
    start_export(client, django_capture_on_commit_callbacks, run=False)
    job = ExportJob.objects.get()
    commune_a_officer.is_active = False
    commune_a_officer.save(update_fields=["is_active"])
    assert services.run(job.pk) == ExportStatus.FAILED
    job.refresh_from_db()
    assert not job.file
    with translation.override(job.language):
        assert job.error == _("You can no longer see this list, so it was not exported.")


def test_formula_looking_text_is_neutralized_in_background_exports(
    client, threshold, petitions, district_staff, django_capture_on_commit_callbacks
):
    client.force_login(district_staff)

    start_export(client, django_capture_on_commit_callbacks, "xlsx")
    xlsx = body(client.get(reverse("exports:download", args=[ExportJob.objects.get(format="xlsx").pk])))
    cells = [cell for row in xlsx_cells(xlsx)[1:] for cell in row if cell.value == INJECTION]
    assert len(cells) == 1
    assert cells[0].data_type == "s" and cells[0].quotePrefix

    start_export(client, django_capture_on_commit_callbacks, "csv")
    job = ExportJob.objects.get(format="csv")
    content = body(client.get(reverse("exports:download", args=[job.pk])))
    assert content.startswith(b"\xef\xbb\xbf")  # the BOM, so Excel reads UTF-8
    values = [value for row in csv_rows(content)[1:] for value in row]
    assert "'" + INJECTION in values and INJECTION not in values


def test_an_export_over_the_maximum_is_refused_without_a_job(client, settings, threshold, petitions, district_staff):
    settings.EXPORT_MAX_ROWS = 5
    client.force_login(district_staff)
    response = client.get(list_url(), {"export": "csv", "field": "land"})
    assert response.status_code == 302 and "export" not in response.url and "field=land" in response.url
    assert not ExportJob.objects.exists()


def test_a_list_that_grew_past_the_maximum_fails_with_a_message(
    client, settings, threshold, petitions, district_staff, django_capture_on_commit_callbacks
):
    client.force_login(district_staff)
    start_export(client, django_capture_on_commit_callbacks, run=False)
    job = ExportJob.objects.get()
    settings.EXPORT_MAX_ROWS = 5
    assert services.run(job.pk) == ExportStatus.FAILED
    job.refresh_from_db()
    assert "5" in job.error and "8" in job.error
    html = client.get(reverse("exports:detail", args=[job.pk])).content.decode()
    assert "data-export-error" in html and _("Export again") in html


def test_an_unexpected_error_fails_the_job_and_keeps_no_file(
    client, threshold, petitions, district_staff, django_capture_on_commit_callbacks, monkeypatch
):
    client.force_login(district_staff)
    start_export(client, django_capture_on_commit_callbacks, run=False)
    job = ExportJob.objects.get()

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "write_export", broken)
    assert services.run(job.pk) == ExportStatus.FAILED
    job.refresh_from_db()
    assert str(job.pk) in job.error and "disk full" not in job.error and not job.file


def test_headers_are_in_the_language_of_the_page_that_asked(
    client, threshold, district_staff, django_capture_on_commit_callbacks
):
    from organization.notifications import notify

    notify(recipients=[district_staff] * 1, kind="info", message="Một", url="/")
    for _index in range(4):
        notify(recipients=[district_staff], kind="info", message="Thông báo")
    client.force_login(district_staff)
    client.cookies["django_language"] = "en"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("notification_list"), {"export": "csv"})
    job = ExportJob.objects.get()
    assert response.status_code == 302 and job.language == "en"
    header = csv_rows(body(client.get(reverse("exports:download", args=[job.pk]))))[0]
    with translation.override("en"):
        assert header[0] == _("No.") and header[2] == _("Kind")
    with translation.override("vi"):
        assert header[0] != _("No.")


def test_progress_is_recorded_every_few_thousand_rows(
    client, threshold, petitions, district_staff, django_capture_on_commit_callbacks, monkeypatch
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    monkeypatch.setattr(services, "PROGRESS_EVERY", 3)
    client.force_login(district_staff)
    start_export(client, django_capture_on_commit_callbacks, run=False)
    job = ExportJob.objects.get()
    with CaptureQueriesContext(connection) as queries:
        services.run(job.pk)
    progress = [q["sql"] for q in queries if q["sql"].startswith("UPDATE") and '"progress" = ' in q["sql"]]
    # claim, two progress updates (rows 3 and 6 of 8), the final one
    assert len(progress) == 4


@pytest.mark.parametrize("count", [4, 40])
def test_the_task_query_count_does_not_grow_with_rows(
    client, threshold, tree, district_staff, django_capture_on_commit_callbacks, django_assert_max_num_queries, count
):
    from dialogues.tests.factories import PetitionFactory

    for index in range(count):
        PetitionFactory(
            unit=tree.commune_a if index % 2 else tree.commune_b, village=tree.village_a if index % 2 else None
        )
    client.force_login(district_staff)
    start_export(client, django_capture_on_commit_callbacks, run=False)
    job = ExportJob.objects.get()
    # claim, the job, the memberships, the count, row_total, the rows, ready, the final status
    with django_assert_max_num_queries(8):
        assert services.run(job.pk) == ExportStatus.READY


def test_cleanup_fails_jobs_that_never_finished(settings, district_staff):
    old = ExportJob.objects.create(
        user=district_staff, view_name=PETITIONS_VIEW, path=list_url(), format="csv", language="vi", filename="a.csv"
    )
    fresh = ExportJob.objects.create(
        user=district_staff, view_name=PETITIONS_VIEW, path=list_url(), format="csv", language="vi", filename="b.csv"
    )
    ExportJob.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(hours=settings.EXPORT_LINK_HOURS + 1)
    )
    services.cleanup()
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert old.status == ExportStatus.FAILED and old.error
    assert fresh.status == ExportStatus.QUEUED


def test_a_stale_running_job_can_be_claimed_again(settings, district_staff):
    job = ExportJob.objects.create(
        user=district_staff,
        view_name=PETITIONS_VIEW,
        path=list_url(),
        format="csv",
        language="vi",
        filename="a.csv",
        status=ExportStatus.RUNNING,
        started_at=timezone.now(),
    )
    assert not services.claim(job.pk)
    ExportJob.objects.filter(pk=job.pk).update(
        started_at=timezone.now() - timedelta(seconds=settings.EXPORT_TIME_LIMIT + 120)
    )
    assert services.claim(job.pk)


def test_xlsx_exports_stop_at_excels_row_limit(settings):
    from dialogues.views_petitions import PetitionListView
    from organization.exports import XLSX_MAX_ROWS

    settings.EXPORT_MAX_ROWS = 5_000_000
    view = PetitionListView()
    assert view.export_limits("xlsx")[0] == XLSX_MAX_ROWS
    assert view.export_limits("csv")[0] == 5_000_000


def test_cleanup_runs_hourly_from_beat(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["exports-cleanup"]
    assert entry["task"] == cleanup_exports.name == "exports.cleanup"


def test_a_membership_change_between_request_and_task_is_honoured(
    client, threshold, petitions, tree, commune_a_officer, django_capture_on_commit_callbacks
):
    """The officer moves from commune A to commune B before the worker runs: the file holds B."""
    client.force_login(commune_a_officer)
    start_export(client, django_capture_on_commit_callbacks, "csv", run=False)
    job = ExportJob.objects.get()
    Membership.objects.filter(user=commune_a_officer).update(unit=tree.commune_b)
    assert services.run(job.pk) == ExportStatus.READY
    rows = csv_rows(body(client.get(reverse("exports:download", args=[job.pk]))))[1:]
    assert {int(row[0]) for row in rows} == {p.pk for p in petitions if p.unit_id == tree.commune_b.pk}
