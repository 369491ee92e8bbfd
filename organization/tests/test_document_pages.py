"""The document register pages: list, detail, file download and issuing a numbered document."""

import io
import zipfile
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.translation import gettext as _

from organization import services
from organization.models import Document, DocumentCounter, Term, UnitKind
from organization.tests.factories import PersonFactory, TermFactory, UnitFactory

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def docx_bytes(*, with_document_xml: bool = True) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        if with_document_xml:
            archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def issue_data(tree, **overrides) -> dict:
    data = {
        "issuer": tree.party_committee.pk,
        "kind": "TB",
        "date": "05/02/2024",
        "subject": "Kết luận của Thường trực Huyện ủy tại buổi đối thoại với Nhân dân xã Vĩnh Yên",
        "signer": "",
    }
    data.update(overrides)
    return data


def issue(tree, user, day=date(2024, 2, 5), **kwargs) -> Document:
    return services.document_issue(
        issuer=kwargs.pop("issuer", tree.party_committee),
        kind=kwargs.pop("kind", "TB"),
        day=day,
        subject=kwargs.pop("subject", "Thông báo kết luận"),
        created_by=user,
        **kwargs,
    )


@pytest.fixture
def commune_committee(tree):
    """A commune Party committee that keeps its own register, so commune officers can issue."""
    committee = UnitFactory(
        key="t-du-vinh-yen",
        name="Đảng ủy xã Vĩnh Yên",
        kind=UnitKind.PARTY_COMMITTEE,
        parent=tree.commune_a,
        doc_symbol="ĐU",
        valid_to=date(2025, 6, 30),
    )
    TermFactory(unit=committee, name="nhiệm kỳ 2020–2025", start_date=date(2020, 7, 1), end_date=date(2025, 6, 30))
    return committee


# --- Issuing -------------------------------------------------------------------------------


def test_district_staff_issues_notices_numbered_one_then_two(client, tree, district_staff):
    client.force_login(district_staff)
    assert client.get(reverse("document_issue")).status_code == 200

    first = client.post(reverse("document_issue"), issue_data(tree), follow=True)
    second = client.post(reverse("document_issue"), issue_data(tree, date="06/02/2024"), follow=True)

    documents = list(Document.objects.order_by("number"))
    assert [d.symbol for d in documents] == ["1-TB/HU", "2-TB/HU"]
    assert first.redirect_chain[-1][0] == reverse("document_detail", args=[documents[0].pk])
    for response, symbol in ((first, "1-TB/HU"), (second, "2-TB/HU")):
        expected = _("Registered document no. %(symbol)s.") % {"symbol": symbol}
        assert [str(message) for message in response.context["messages"]] == [expected]
    assert documents[0].created_by == district_staff
    assert documents[0].date == date(2024, 2, 5)


@pytest.mark.parametrize("persona", ["leader", "viewer", "agency_officer"])
def test_read_only_roles_get_403_on_issue_page(client, tree, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("document_issue")).status_code == 403
    assert client.post(reverse("document_issue"), issue_data(tree)).status_code == 403
    assert not Document.objects.exists()


def test_anonymous_is_sent_to_login_from_issue_page(client, tree):
    response = client.post(reverse("document_issue"), issue_data(tree))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert not Document.objects.exists()


def test_commune_officer_cannot_choose_the_district_committee(client, tree, commune_a_officer, commune_committee):
    client.force_login(commune_a_officer)
    form = client.get(reverse("document_issue")).context["form"]
    assert list(form.fields["issuer"].queryset) == [commune_committee]

    response = client.post(reverse("document_issue"), issue_data(tree))
    assert response.status_code == 200
    assert "issuer" in response.context["form"].errors
    assert not Document.objects.exists()
    assert not DocumentCounter.objects.exists()


def test_commune_officer_issues_for_own_committee_with_its_symbol(client, tree, commune_a_officer, commune_committee):
    client.force_login(commune_a_officer)
    response = client.post(reverse("document_issue"), issue_data(tree, issuer=commune_committee.pk, kind="DA"))
    assert response.status_code == 302
    assert Document.objects.get().symbol == "1-ĐA/ĐU"


def test_officer_without_a_numbering_unit_is_told_what_to_fix(client, tree, commune_a_officer):
    client.force_login(commune_a_officer)
    response = client.get(reverse("document_issue"))
    assert response.status_code == 200
    assert response.context["has_issuers"] is False
    assert _("None of your units has a document symbol") in response.content.decode()


def test_executable_renamed_pdf_is_refused_and_nothing_changes(client, tree, district_staff):
    issue(tree, district_staff)  # counter at 1
    client.force_login(district_staff)
    upload = SimpleUploadedFile("ket-luan.pdf", EXE_BYTES, content_type="application/pdf")
    response = client.post(reverse("document_issue"), {**issue_data(tree), "file": upload})
    assert response.status_code == 200
    errors = response.context["form"].errors["file"]
    assert "ket-luan.pdf" in errors[0] and "PDF" in errors[0]
    assert Document.objects.count() == 1
    assert DocumentCounter.objects.get().last_number == 1


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("bao-cao.docx", docx_bytes(with_document_xml=False)),  # a zip, but not a Word document
        ("bao-cao.docx", PDF_BYTES),
        ("bao-cao.exe", PDF_BYTES),
        ("bao-cao.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"),  # old binary Word
    ],
)
def test_files_that_are_not_pdf_or_docx_are_refused(client, tree, district_staff, name, content):
    client.force_login(district_staff)
    upload = SimpleUploadedFile(name, content)
    response = client.post(reverse("document_issue"), {**issue_data(tree), "file": upload})
    assert "file" in response.context["form"].errors
    assert not Document.objects.exists()


def test_file_over_the_size_limit_is_refused(client, tree, district_staff, settings):
    settings.UPLOAD_MAX_BYTES = 1024
    client.force_login(district_staff)
    upload = SimpleUploadedFile("lon.pdf", PDF_BYTES + b"0" * 2048)
    response = client.post(reverse("document_issue"), {**issue_data(tree), "file": upload})
    assert "file" in response.context["form"].errors
    assert not Document.objects.exists()


@pytest.mark.parametrize(("name", "content"), [("tb.pdf", PDF_BYTES), ("tb.docx", docx_bytes())])
def test_pdf_and_docx_are_accepted_and_stored(client, tree, district_staff, name, content):
    client.force_login(district_staff)
    upload = SimpleUploadedFile(name, content)
    response = client.post(reverse("document_issue"), {**issue_data(tree), "file": upload})
    assert response.status_code == 302
    document = Document.objects.get()
    with document.file.open("rb") as stored:
        assert stored.read() == content


def test_date_outside_every_term_shows_the_service_message(client, tree, district_staff):
    client.force_login(district_staff)
    response = client.post(reverse("document_issue"), issue_data(tree, date="01/03/2020"))
    expected = _("No Party term covers %(day)s for %(issuer)s.") % {
        "day": "01/03/2020",
        "issuer": tree.party_committee.name,
    }
    assert response.status_code == 200
    assert response.context["form"].errors["date"] == [expected]
    assert not Document.objects.exists()
    assert not DocumentCounter.objects.exists()


def test_iso_date_is_accepted_too(client, tree, district_staff):
    client.force_login(district_staff)
    client.post(reverse("document_issue"), issue_data(tree, date="2024-02-05"))
    assert Document.objects.get().date == date(2024, 2, 5)


def test_signer_must_be_within_scope(client, tree, commune_a_officer, commune_committee):
    outsider = PersonFactory(full_name="Người xã khác", unit=tree.commune_b)
    insider = PersonFactory(full_name="Bí thư Đảng ủy", unit=tree.commune_a)
    client.force_login(commune_a_officer)
    refused = client.post(reverse("document_issue"), issue_data(tree, issuer=commune_committee.pk, signer=outsider.pk))
    assert "signer" in refused.context["form"].errors
    client.post(reverse("document_issue"), issue_data(tree, issuer=commune_committee.pk, signer=insider.pk))
    assert Document.objects.get().signer == insider


# --- Reading -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("district_staff", 200), ("leader", 200), ("commune_a_officer", 404), ("agency_officer", 404)],
)
def test_document_detail_by_role(client, tree, district_staff, request, persona, expected):
    document = issue(tree, district_staff)
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse("document_detail", args=[document.pk]))
    assert response.status_code == expected
    if expected == 200:
        assert "1-TB/HU" in response.content.decode()
        assert "history-table" in response.content.decode()


def test_document_list_shows_only_documents_of_visible_issuers(
    client, tree, district_staff, commune_a_officer, commune_b_officer, commune_committee
):
    issue(tree, district_staff, subject="Của Huyện ủy")
    issue(tree, district_staff, issuer=commune_committee, subject="Của Đảng ủy xã")

    def subjects(user):
        client.force_login(user)
        return sorted(d.subject for d in client.get(reverse("document_list")).context["documents"])

    assert subjects(district_staff) == ["Của Huyện ủy", "Của Đảng ủy xã"]
    assert subjects(commune_a_officer) == ["Của Đảng ủy xã"]
    assert subjects(commune_b_officer) == []


def test_document_list_is_newest_first_with_register_columns(client, tree, district_staff):
    signer = PersonFactory(full_name="Nguyễn Văn Bí Thư", unit=tree.party_committee)
    issue(tree, district_staff, day=date(2024, 1, 10), subject="Cũ hơn")
    issue(tree, district_staff, day=date(2024, 5, 20), subject="Mới hơn", signer=signer)
    client.force_login(district_staff)
    response = client.get(reverse("document_list"))
    html = response.content.decode()
    assert [d.subject for d in response.context["documents"]] == ["Mới hơn", "Cũ hơn"]
    assert "2-TB/HU" in html and "20/05/2024" in html and "Nguyễn Văn Bí Thư" in html


def test_document_list_filters_by_kind_year_issuer_and_term(client, tree, district_staff):
    new_term = TermFactory(
        unit=tree.party_committee, name="khóa XXIII", start_date=date(2025, 7, 1), end_date=date(2030, 6, 30)
    )
    tree.party_committee.valid_to = None
    tree.party_committee.save()
    issue(tree, district_staff, day=date(2023, 3, 1), subject="TB 2023")
    issue(tree, district_staff, day=date(2024, 3, 1), kind="KH", subject="KH 2024")
    issue(tree, district_staff, day=date(2025, 8, 1), subject="TB khóa mới")
    issue(tree, district_staff, day=date(2024, 3, 2), issuer=tree.ban_dan_van, subject="Của Ban Dân vận")
    client.force_login(district_staff)

    def subjects(**params):
        return sorted(d.subject for d in client.get(reverse("document_list"), params).context["documents"])

    assert subjects(kind="KH") == ["KH 2024"]
    assert subjects(year=2023) == ["TB 2023"]
    assert subjects(issuer=tree.ban_dan_van.pk) == ["Của Ban Dân vận"]
    assert subjects(term=new_term.pk) == ["TB khóa mới"]
    old_term = Term.objects.get(name="khóa XXII")
    assert "TB khóa mới" not in subjects(term=old_term.pk)


def test_document_list_empty_state_offers_to_register(client, tree, district_staff):
    client.force_login(district_staff)
    html = client.get(reverse("document_list")).content.decode()
    assert "empty-state" in html
    assert reverse("document_issue") in html


@pytest.mark.parametrize("count", [3, 30])
def test_document_list_query_count_does_not_grow(client, tree, district_staff, django_assert_max_num_queries, count):
    signer = PersonFactory(unit=tree.party_committee)
    for index in range(count):
        issue(tree, district_staff, day=date(2024, 1, 1 + index % 28), signer=signer, subject=f"Văn bản {index}")
    client.force_login(district_staff)
    # session, user, memberships, unread count, count, page, issuer choices, term choices, search pass
    with django_assert_max_num_queries(9):
        response = client.get(reverse("document_list"), {"q": "van ban", "kind": "TB"})
    assert len(response.context["documents"]) == count


# --- The file ------------------------------------------------------------------------------


def test_document_file_is_streamed_as_attachment_in_scope_only(client, tree, district_staff, commune_a_officer):
    document = issue(tree, district_staff, file=SimpleUploadedFile("tb-1.pdf", PDF_BYTES))
    url = reverse("document_file", args=[document.pk])

    client.force_login(commune_a_officer)
    assert client.get(url).status_code == 404

    client.force_login(district_staff)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert "tb-1" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == PDF_BYTES


def test_document_file_is_404_without_a_file_and_login_is_required(client, tree, district_staff):
    document = issue(tree, district_staff)
    url = reverse("document_file", args=[document.pk])
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and anonymous.url.startswith(reverse("login"))
    client.force_login(district_staff)
    assert client.get(url).status_code == 404


def test_detail_page_links_the_file_through_the_checked_view(client, tree, district_staff):
    document = issue(tree, district_staff, file=SimpleUploadedFile("tb-1.pdf", PDF_BYTES))
    client.force_login(district_staff)
    html = client.get(reverse("document_detail", args=[document.pk])).content.decode()
    assert reverse("document_file", args=[document.pk]) in html
    assert "/media" not in html


# --- Administration ------------------------------------------------------------------------


def test_documents_cannot_be_added_or_deleted_in_the_admin(client, tree, portal_admin, district_staff):
    document = issue(tree, district_staff, file=SimpleUploadedFile("tb-1.pdf", PDF_BYTES))
    client.force_login(portal_admin)
    assert client.get(reverse("admin:organization_document_changelist")).status_code == 200
    assert client.get(reverse("admin:organization_document_add")).status_code == 403
    assert client.get(reverse("admin:organization_document_delete", args=[document.pk])).status_code == 403
    change = client.get(reverse("admin:organization_document_change", args=[document.pk]))
    html = change.content.decode()
    assert "1-TB/HU" in html
    assert reverse("document_file", args=[document.pk]) in html  # never a MEDIA_URL link
    assert set(change.context["adminform"].form.fields) == {"subject", "signer"}


def test_document_counters_are_read_only_in_the_admin(client, tree, portal_admin, district_staff):
    issue(tree, district_staff)
    counter = DocumentCounter.objects.get()
    client.force_login(portal_admin)
    assert client.get(reverse("admin:organization_documentcounter_changelist")).status_code == 200
    assert client.get(reverse("admin:organization_documentcounter_add")).status_code == 403
    response = client.post(reverse("admin:organization_documentcounter_change", args=[counter.pk]), {"last_number": 0})
    assert response.status_code == 403
    counter.refresh_from_db()
    assert counter.last_number == 1
