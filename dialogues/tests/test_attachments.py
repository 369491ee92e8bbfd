"""Minutes files: checked by content and size before anything is saved, stored under MEDIA_ROOT,
and served only through the scope-checked download view."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import translation

from dialogues import services
from dialogues.models import Dialogue, DialogueAttachment, Petition
from dialogues.tests.test_dialogue_pages import PDF_BYTES, create_data, make_dialogue

EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG_BYTES = b"\xff\xd8\xff\xe0" + b"\x00" * 32


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def counts() -> tuple[int, int, int]:
    return Dialogue.objects.count(), Petition.objects.count(), DialogueAttachment.objects.count()


def post_with(client, tree, *uploads):
    data = create_data(tree, [{"field": "land", "content": "Kiến nghị về đất đai"}])
    return client.post(reverse("dialogues:dialogue_create"), {**data, "attachments": list(uploads)})


# --- Refused uploads: a message on the field, nothing saved ----------------------------------


def test_executable_renamed_pdf_is_refused_and_nothing_saved(client, tree, commune_a_officer, tmp_path):
    client.force_login(commune_a_officer)
    response = post_with(client, tree, SimpleUploadedFile("bien-ban.pdf", EXE_BYTES, content_type="application/pdf"))
    assert response.status_code == 200
    [message] = response.context["form"].errors["attachments"]
    assert "bien-ban.pdf" in message and "PDF" in message
    assert counts() == (0, 0, 0)
    assert not any(tmp_path.rglob("*.pdf"))


def test_text_file_is_refused_and_nothing_saved(client, tree, commune_a_officer):
    client.force_login(commune_a_officer)
    response = post_with(client, tree, SimpleUploadedFile("ghi-chep.txt", b"bien ban"))
    [message] = response.context["form"].errors["attachments"]
    assert "ghi-chep.txt" in message
    assert counts() == (0, 0, 0)


def test_file_over_the_size_limit_is_refused_and_nothing_saved(client, tree, commune_a_officer, settings):
    settings.UPLOAD_MAX_BYTES = 1024
    client.force_login(commune_a_officer)
    response = post_with(client, tree, SimpleUploadedFile("bien-ban.pdf", PDF_BYTES + b"0" * 2048))
    [message] = response.context["form"].errors["attachments"]
    with translation.override("vi"):
        assert filesizeformat(1024) in message  # "the largest allowed is 1,0 KB"
    assert counts() == (0, 0, 0)


def test_one_bad_file_among_good_ones_saves_none_of_them(client, tree, commune_a_officer, tmp_path):
    client.force_login(commune_a_officer)
    response = post_with(
        client,
        tree,
        SimpleUploadedFile("trang-1.pdf", PDF_BYTES),
        SimpleUploadedFile("trang-2.pdf", EXE_BYTES),
    )
    errors = response.context["form"].errors["attachments"]
    assert len(errors) == 1 and "trang-2.pdf" in errors[0]
    assert counts() == (0, 0, 0)
    assert not any(path.is_file() for path in Path(tmp_path).rglob("*"))


def test_bad_file_when_filing_minutes_changes_nothing(client, tree, commune_a_officer):
    dialogue = make_dialogue(commune_a_officer, tree.commune_a)
    client.force_login(commune_a_officer)
    response = client.post(
        reverse("dialogues:dialogue_minutes", args=[dialogue.pk]),
        {"minutes_text": "<p>Biên bản</p>", "attachments": [SimpleUploadedFile("scan.png", EXE_BYTES)]},
    )
    assert response.status_code == 200
    assert "attachments" in response.context["minutes_form"].errors
    dialogue.refresh_from_db()
    assert (dialogue.minutes_text, dialogue.minutes_filed_at, dialogue.attachments.count()) == ("", None, 0)


# --- Accepted uploads -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("bien-ban.pdf", PDF_BYTES, "application/pdf"),
        ("bien-ban.docx", docx_bytes(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("anh-hop.JPG", JPEG_BYTES, "image/jpeg"),
        ("anh-hop.png", PNG_BYTES, "image/png"),
    ],
)
def test_scans_of_each_allowed_type_are_stored_under_media_root(
    client, tree, commune_a_officer, tmp_path, name, content, content_type
):
    client.force_login(commune_a_officer)
    assert post_with(client, tree, SimpleUploadedFile(name, content)).status_code == 302
    attachment = DialogueAttachment.objects.get()
    assert attachment.content_type == content_type
    stored = Path(attachment.file.path)
    assert stored.is_relative_to(tmp_path) and stored.read_bytes() == content


def test_several_files_are_attached_at_once(client, tree, commune_a_officer):
    client.force_login(commune_a_officer)
    post_with(client, tree, SimpleUploadedFile("trang-1.pdf", PDF_BYTES), SimpleUploadedFile("trang-2.png", PNG_BYTES))
    assert sorted(DialogueAttachment.objects.values_list("original_name", flat=True)) == ["trang-1.pdf", "trang-2.png"]


# --- Download ---------------------------------------------------------------------------------


@pytest.fixture
def attachment(tree, commune_a_officer):
    dialogue = make_dialogue(commune_a_officer, tree.commune_a, petitions=["Kiến nghị về đường"])
    services.minutes_file(
        user=commune_a_officer,
        dialogue=dialogue,
        attachments=[SimpleUploadedFile("Biên bản đối thoại.pdf", PDF_BYTES)],
    )
    return dialogue.attachments.get()


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("district_staff", 200),
        ("leader", 200),
        ("viewer", 200),
        ("commune_a_officer", 200),
        ("commune_b_officer", 404),
        ("agency_officer", 404),
    ],
)
def test_download_by_role(client, request, attachment, persona, expected):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse("dialogues:attachment_download", args=[attachment.pk]))
    assert response.status_code == expected
    if expected == 200:
        assert b"".join(response.streaming_content) == PDF_BYTES
        assert response["Content-Disposition"].startswith("attachment")
        assert "Bi%C3%AAn%20b%E1%BA%A3n%20%C4%91%E1%BB%91i%20tho%E1%BA%A1i.pdf" in response["Content-Disposition"]
        assert response["Content-Type"] == "application/pdf"


def test_agency_downloads_once_a_petition_of_the_dialogue_is_assigned_to_it(
    client, tree, attachment, agency_officer, district_staff
):
    from dialogues.tests.test_dialogue_pages import assign

    url = reverse("dialogues:attachment_download", args=[attachment.pk])
    client.force_login(agency_officer)
    assert client.get(url).status_code == 404
    assign(attachment.dialogue.petitions.get(), tree.agency, district_staff)
    assert client.get(url).status_code == 200


def test_anonymous_download_goes_to_login(client, attachment):
    response = client.get(reverse("dialogues:attachment_download", args=[attachment.pk]))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_missing_attachment_or_file_is_404(client, attachment, district_staff):
    client.force_login(district_staff)
    assert client.get(reverse("dialogues:attachment_download", args=[attachment.pk + 1000])).status_code == 404
    Path(attachment.file.path).unlink()
    assert client.get(reverse("dialogues:attachment_download", args=[attachment.pk])).status_code == 404


def test_download_rejects_post(client, attachment, district_staff):
    client.force_login(district_staff)
    assert client.post(reverse("dialogues:attachment_download", args=[attachment.pk])).status_code == 405


def test_detail_page_links_the_download_view_never_the_storage_url(client, attachment, commune_a_officer):
    client.force_login(commune_a_officer)
    html = client.get(reverse("dialogues:dialogue_detail", args=[attachment.dialogue_id])).content.decode()
    assert reverse("dialogues:attachment_download", args=[attachment.pk]) in html
    assert "Biên bản đối thoại.pdf" in html
    assert django_settings.MEDIA_URL not in html


def test_the_size_limit_is_named_on_the_form(client, tree, commune_a_officer, settings):
    settings.UPLOAD_MAX_BYTES = 5 * 1024 * 1024
    client.force_login(commune_a_officer)
    help_text = str(client.get(reverse("dialogues:dialogue_create")).context["form"].fields["attachments"].help_text)
    with translation.override("vi"):
        assert filesizeformat(5 * 1024 * 1024) in help_text
