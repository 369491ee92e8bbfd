"""The Import pages: templates, upload, the check's preview, confirmation, the log, who sees what."""

import io

import pytest
from django.urls import reverse
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from dialogues.models import Petition, PetitionField, PetitionSource
from imports.kinds import ordered
from imports.models import ImportJob, ImportStatus
from imports.tests.helpers import workbook_bytes

SHEET = "Kiến nghị"


def petitions_file(*contents, commune="Xã Vĩnh Yên"):
    rows = [
        {
            "commune": commune,
            "received_on": "05/02/2024",
            "source": str(PetitionSource.MAILBOX.label),
            "field": str(PetitionField.LAND.label),
            "content": content,
        }
        for content in contents
    ]
    stream = io.BytesIO(workbook_bytes("petitions", {SHEET: rows}))
    stream.name = "kien-nghi.xlsx"
    return stream


@pytest.fixture
def officer_client(client, commune_a_officer):
    client.force_login(commune_a_officer)
    return client


def upload(client, stream, capture, kind="petitions"):
    with capture(execute=True):
        response = client.post(reverse("imports:upload"), {"kind": kind, "file": stream})
    assert response.status_code == 302
    return ImportJob.objects.latest("id")


def test_home_lists_every_kind_with_its_template(officer_client):
    response = officer_client.get(reverse("imports:home"))
    assert response.status_code == 200
    html = response.content.decode()
    for kind in ordered():
        assert reverse("imports:template", args=[kind.key]) in html
    assert 'id="import-upload"' in html
    assert _("No imports yet") in html


@pytest.mark.parametrize("kind", [kind.key for kind in ordered()])
def test_every_template_downloads_with_instructions_lists_and_headers(officer_client, kind):
    response = officer_client.get(reverse("imports:template", args=[kind]))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[0] == "Hướng dẫn"
    assert "Danh mục" in book.sheetnames and book["Danh mục"].sheet_state == "hidden"
    from imports.kinds import REGISTRY

    for spec in REGISTRY[kind].sheets:
        headers = [cell.value for cell in book[spec.name][1]]
        assert headers == [column.header for column in spec.columns]
    instructions = " ".join(str(cell.value) for row in book["Hướng dẫn"].iter_rows() for cell in row if cell.value)
    assert REGISTRY[kind].sheets[0].columns[0].header in instructions


def test_the_filled_template_imports_with_its_example_row_skipped(officer_client, django_capture_on_commit_callbacks):
    template = officer_client.get(reverse("imports:template", args=["petitions"])).content
    book = load_workbook(io.BytesIO(template))
    sheet = book[SHEET]
    sheet.append(
        [
            "Xã Vĩnh Yên",
            "06/02/2024",
            str(PetitionSource.MAILBOX.label),
            None,
            str(PetitionField.LAND.label),
            "Xin cấp sổ đỏ",
        ]
    )
    stream = io.BytesIO()
    book.save(stream)
    stream.seek(0)
    stream.name = "mau.xlsx"
    job = upload(officer_client, stream, django_capture_on_commit_callbacks)
    assert job.status == ImportStatus.READY, job.problems
    assert job.rows_created == 1


def test_upload_check_preview_confirm_and_log(officer_client, commune_a_officer, django_capture_on_commit_callbacks):
    job = upload(officer_client, petitions_file("Một", "Hai"), django_capture_on_commit_callbacks)
    assert (job.status, job.rows_total, job.rows_created, job.uploaded_by) == (
        ImportStatus.READY,
        2,
        2,
        commune_a_officer,
    )
    page = officer_client.get(reverse("imports:detail", args=[job.pk])).content.decode()
    assert 'id="import-confirm"' in page and 'id="import-summary"' in page
    assert Petition.objects.count() == 0  # nothing before confirming
    with django_capture_on_commit_callbacks(execute=True):
        officer_client.post(reverse("imports:confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    assert Petition.objects.count() == 2
    log = officer_client.get(reverse("imports:home")).content.decode()
    assert "kien-nghi.xlsx" in log and 'id="import-log"' in log
    # Confirming twice does not import twice.
    with django_capture_on_commit_callbacks(execute=True):
        officer_client.post(reverse("imports:confirm", args=[job.pk]))
    assert Petition.objects.count() == 2


def test_problems_are_listed_and_downloadable(officer_client, django_capture_on_commit_callbacks):
    job = upload(officer_client, petitions_file("Một", commune="Xã Nghĩa Đô"), django_capture_on_commit_callbacks)
    assert job.status == ImportStatus.PROBLEMS
    page = officer_client.get(reverse("imports:detail", args=[job.pk])).content.decode()
    assert 'id="import-problems"' in page
    assert 'id="import-reupload"' in page
    assert "Xã Nghĩa Đô" in page
    sheet = officer_client.get(reverse("imports:problems", args=[job.pk]), {"format": "csv"})
    assert sheet.content.startswith("\ufeff".encode())
    assert "Xã Nghĩa Đô" in sheet.content.decode("utf-8-sig")
    # A file with problems cannot be confirmed.
    officer_client.post(reverse("imports:confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportStatus.PROBLEMS
    assert Petition.objects.count() == 0


def test_a_renamed_csv_is_refused_at_once_and_logged(officer_client, django_capture_on_commit_callbacks):
    stream = io.BytesIO("Xã, phường;Ngày\nVĩnh Yên;05/02/2024\n".encode())
    stream.name = "kien-nghi.xlsx"
    job = upload(officer_client, stream, django_capture_on_commit_callbacks)
    assert job.status == ImportStatus.PROBLEMS
    assert not job.file
    assert "CSV" in job.problems[0]["message"]


def test_cancel_leaves_nothing(officer_client, django_capture_on_commit_callbacks):
    job = upload(officer_client, petitions_file("Một"), django_capture_on_commit_callbacks)
    officer_client.post(reverse("imports:cancel", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportStatus.CANCELLED
    officer_client.post(reverse("imports:confirm", args=[job.pk]))
    assert Petition.objects.count() == 0


def test_leader_sees_the_log_but_cannot_upload_or_confirm(
    client, officer_client, leader, django_capture_on_commit_callbacks
):
    job = upload(officer_client, petitions_file("Một"), django_capture_on_commit_callbacks)
    client.force_login(leader)
    home = client.get(reverse("imports:home")).content.decode()
    assert 'id="import-upload"' not in home
    assert "kien-nghi.xlsx" in home  # the commune's import, in the leader's district
    assert (
        client.post(reverse("imports:upload"), {"kind": "petitions", "file": petitions_file("Hai")}).status_code == 403
    )
    assert client.get(reverse("imports:detail", args=[job.pk])).status_code == 200
    assert client.get(reverse("imports:file", args=[job.pk])).status_code == 403
    client.post(reverse("imports:confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportStatus.READY


def test_another_commune_cannot_see_the_import(
    client, officer_client, commune_b_officer, django_capture_on_commit_callbacks
):
    job = upload(officer_client, petitions_file("Một"), django_capture_on_commit_callbacks)
    client.force_login(commune_b_officer)
    assert client.get(reverse("imports:detail", args=[job.pk])).status_code == 404
    assert client.get(reverse("imports:status", args=[job.pk])).status_code == 404
    assert client.post(reverse("imports:confirm", args=[job.pk])).status_code == 404
    assert "kien-nghi.xlsx" not in client.get(reverse("imports:home")).content.decode()


def test_status_json_for_the_progress_bar(officer_client, django_capture_on_commit_callbacks):
    job = upload(officer_client, petitions_file("Một"), django_capture_on_commit_callbacks)
    data = officer_client.get(reverse("imports:status", args=[job.pk])).json()
    assert data == {"status": "ready", "progress": 100, "finished": True}


def test_anonymous_users_are_sent_to_sign_in(client):
    response = client.get(reverse("imports:home"))
    assert response.status_code == 302 and "login" in response["Location"]
