"""The import through the API: kinds, upload → check → confirm, the log, who may do what."""

import io

import pytest
from django.urls import reverse

from dialogues.models import Petition, PetitionField, PetitionSource
from imports.kinds import ordered
from imports.models import ImportJob
from imports.tests.helpers import workbook_bytes


def petitions_file(commune="Xã Vĩnh Yên"):
    rows = [
        {
            "commune": commune,
            "received_on": "05/02/2024",
            "source": str(PetitionSource.MAILBOX.label),
            "field": str(PetitionField.LAND.label),
            "content": "Xin cấp giấy chứng nhận",
        }
    ]
    stream = io.BytesIO(workbook_bytes("petitions", {"Kiến nghị": rows}))
    stream.name = "api.xlsx"
    return stream


@pytest.fixture
def officer_api(client, commune_a_officer):
    client.force_login(commune_a_officer)
    return client


def test_kinds_describe_every_template(officer_api):
    data = officer_api.get("/api/v1/import-kinds/").json()
    assert [kind["key"] for kind in data] == [kind.key for kind in ordered()]
    petitions = officer_api.get("/api/v1/import-kinds/petitions/").json()
    columns = {column["header"]: column for column in petitions["sheets"][0]["columns"]}
    assert columns["Lĩnh vực"]["required"] is True
    assert str(PetitionField.LAND.label) in columns["Lĩnh vực"]["choices"]
    assert petitions["template_url"] == reverse("imports:template", args=["petitions"])
    assert officer_api.get("/api/v1/import-kinds/nothing/").status_code == 404


def test_upload_check_and_confirm(officer_api, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        created = officer_api.post("/api/v1/imports/", {"kind": "petitions", "file": petitions_file()})
    assert created.status_code == 201, created.content
    job_id = created.json()["id"]
    checked = officer_api.get(f"/api/v1/imports/{job_id}/").json()
    assert (checked["status"], checked["rows_created"], checked["problems"]) == ("ready", 1, [])
    assert checked["summary"] == [{"sheet": "Kiến nghị", "create": 1, "existing": 0}]
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = officer_api.post(f"/api/v1/imports/{job_id}/confirm/")
    assert confirmed.status_code == 202
    assert officer_api.get(f"/api/v1/imports/{job_id}/").json()["status"] == "done"
    assert Petition.objects.count() == 1
    again = officer_api.post(f"/api/v1/imports/{job_id}/confirm/")
    assert again.status_code == 400
    assert [row["id"] for row in officer_api.get("/api/v1/imports/").json()["results"]] == [job_id]


def test_problems_come_back_with_sheet_row_and_column(officer_api, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        created = officer_api.post("/api/v1/imports/", {"kind": "petitions", "file": petitions_file("Xã Nghĩa Đô")})
    body = officer_api.get(f"/api/v1/imports/{created.json()['id']}/").json()
    assert body["status"] == "problems"
    assert body["problems"][0]["sheet"] == "Kiến nghị"
    assert body["problems"][0]["row"] == 2
    assert body["problem_count"] == 1
    assert Petition.objects.count() == 0


def test_bad_requests_and_refusals(client, officer_api, leader, commune_b_officer, django_capture_on_commit_callbacks):
    assert officer_api.post("/api/v1/imports/", {"kind": "nothing", "file": petitions_file()}).status_code == 400
    assert officer_api.post("/api/v1/imports/", {"kind": "petitions"}).status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        job_id = officer_api.post("/api/v1/imports/", {"kind": "petitions", "file": petitions_file()}).json()["id"]
    client.force_login(leader)
    assert client.post("/api/v1/imports/", {"kind": "petitions", "file": petitions_file()}).status_code == 403
    assert client.get(f"/api/v1/imports/{job_id}/").status_code == 200  # overseer reads the log
    assert client.post(f"/api/v1/imports/{job_id}/confirm/").status_code == 403
    client.force_login(commune_b_officer)
    assert client.get(f"/api/v1/imports/{job_id}/").status_code == 404
    assert client.post(f"/api/v1/imports/{job_id}/confirm/").status_code == 404
    assert ImportJob.objects.get(pk=job_id).status == "ready"


def test_anonymous_is_refused(client):
    assert client.get("/api/v1/imports/").status_code in (401, 403)
