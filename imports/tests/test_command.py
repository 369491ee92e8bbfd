"""``manage.py import_xlsx``: same checks and scope as the page, exit status for scripts."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from dialogues.models import Petition, PetitionField, PetitionSource
from imports.models import ImportJob, ImportStatus
from imports.tests.helpers import workbook_bytes

SHEET = "Kiến nghị"


def write_file(tmp_path, commune="Xã Vĩnh Yên"):
    row = {
        "commune": commune,
        "received_on": "05/02/2024",
        "source": str(PetitionSource.ONLINE.label),
        "field": str(PetitionField.HEALTH.label),
        "content": "Đề nghị có bác sĩ trực ở trạm y tế",
    }
    path = tmp_path / "kien-nghi.xlsx"
    path.write_bytes(workbook_bytes("petitions", {SHEET: [row]}))
    return path


def test_imports_and_logs(tmp_path, commune_a_officer, capsys):
    call_command("import_xlsx", "petitions", str(write_file(tmp_path)), "--as", commune_a_officer.username)
    assert Petition.objects.count() == 1
    job = ImportJob.objects.get()
    assert (job.via, job.status, job.rows_created, job.uploaded_by) == ("cli", ImportStatus.DONE, 1, commune_a_officer)


def test_dry_run_saves_nothing(tmp_path, commune_a_officer, capsys):
    call_command("import_xlsx", "petitions", str(write_file(tmp_path)), "--as", commune_a_officer.username, "--dry-run")
    assert Petition.objects.count() == 0
    assert "1" in capsys.readouterr().out


def test_out_of_scope_file_exits_1_with_the_problems(tmp_path, commune_b_officer, capsys):
    with pytest.raises(CommandError) as caught:
        call_command("import_xlsx", "petitions", str(write_file(tmp_path)), "--as", commune_b_officer.username)
    assert caught.value.returncode == 1
    assert "Xã Vĩnh Yên" in capsys.readouterr().err
    assert Petition.objects.count() == 0


def test_unknown_user_and_missing_file(tmp_path, commune_a_officer):
    with pytest.raises(CommandError) as caught:
        call_command("import_xlsx", "petitions", str(write_file(tmp_path)), "--as", "nobody")
    assert caught.value.returncode == 2
    with pytest.raises(CommandError):
        call_command("import_xlsx", "petitions", str(tmp_path / "missing.xlsx"), "--as", commune_a_officer.username)


def test_a_leader_may_not_import(tmp_path, leader):
    with pytest.raises(CommandError) as caught:
        call_command("import_xlsx", "petitions", str(write_file(tmp_path)), "--as", leader.username)
    assert caught.value.returncode == 1
