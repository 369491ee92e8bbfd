"""``/api/v1/exports/``: the owner's exports, read-only, with progress and a download that expires."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from exports.models import ExportJob, ExportStatus

from .conftest import body, csv_rows, list_url


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def ready_job(client, threshold, petitions, district_staff, django_capture_on_commit_callbacks):
    client.force_login(district_staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.get(list_url(), {"export": "csv", "field": "land"})
    job = ExportJob.objects.get()
    assert job.status == ExportStatus.READY
    return job


def test_the_owner_lists_and_reads_their_exports(api, ready_job, district_staff, leader):
    api.force_authenticate(district_staff)
    listing = api.get("/api/v1/exports/")
    assert listing.status_code == 200
    assert [item["id"] for item in listing.json()["results"]] == [ready_job.pk]
    detail = api.get(f"/api/v1/exports/{ready_job.pk}/").json()
    assert detail["status"] == "ready" and detail["progress"] == 100
    assert detail["rows_written"] == detail["row_total"] == 7
    assert detail["query"] == "field=land" and detail["format"] == "csv"
    assert detail["download_url"] == reverse("export-download", args=[ready_job.pk])
    assert detail["page_url"] == reverse("exports:detail", args=[ready_job.pk])

    download = api.get(detail["download_url"])
    assert download.status_code == 200 and download["Content-Type"].startswith("text/csv")
    assert len(csv_rows(body(download))) == 8

    api.force_authenticate(leader)
    assert api.get("/api/v1/exports/").json()["results"] == []
    assert api.get(f"/api/v1/exports/{ready_job.pk}/").status_code == 404
    assert api.get(f"/api/v1/exports/{ready_job.pk}/download/").status_code == 404


def test_anonymous_gets_401(api, ready_job):
    assert api.get("/api/v1/exports/").status_code == 401


def test_an_expired_download_answers_410_and_a_running_one_409(api, ready_job, district_staff):
    api.force_authenticate(district_staff)
    ExportJob.objects.filter(pk=ready_job.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert api.get(f"/api/v1/exports/{ready_job.pk}/").json()["download_url"] is None
    assert api.get(f"/api/v1/exports/{ready_job.pk}/download/").status_code == 410
    ready_job.refresh_from_db()
    assert ready_job.status == ExportStatus.EXPIRED and not ready_job.file

    ExportJob.objects.filter(pk=ready_job.pk).update(status=ExportStatus.RUNNING)
    assert api.get(f"/api/v1/exports/{ready_job.pk}/download/").status_code == 409


def test_the_api_is_read_only(api, ready_job, district_staff):
    api.force_authenticate(district_staff)
    assert api.post("/api/v1/exports/", {}).status_code == 405
    assert api.delete(f"/api/v1/exports/{ready_job.pk}/").status_code == 405
