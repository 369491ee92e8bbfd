"""Conclusion notices: who may issue one, numbering through the document register, directives
assigning petitions, errors that consume no number, and the printable notice."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse
from django.utils.translation import gettext as _

from dialogues.models import ConclusionNotice, Directive
from dialogues.tests.test_dialogue_pages import make_dialogue
from dialogues.workflow import PetitionStatus
from organization.models import Document, DocumentCounter, Notification
from organization.services import document_issue
from organization.tests.factories import PersonFactory


@pytest.fixture
def dialogue(tree, commune_a_officer):
    return make_dialogue(
        commune_a_officer,
        tree.commune_a,
        topic="Đối thoại về đường khu dân cư Nặm Mèng",
        day=date(2024, 3, 15),
        petitions=["Đề nghị hỗ trợ xi măng làm đường", "Đề nghị cấp giấy chứng nhận đất đai"],
    )


def directive_fields(index: int, **values) -> dict:
    data = {"agency": "", "content": "", "deadline": ""}
    data.update(values)
    return {f"directives-{index}-{name}": value for name, value in data.items()}


def notice_data(tree, directives: list[dict] = (), **overrides) -> dict:
    data = {
        "issuer": tree.party_committee.pk,
        "date": "25/03/2024",
        "signer": "",
        "summary": "Thường trực Huyện ủy ghi nhận ý kiến của Nhân dân.",
        "directives-TOTAL_FORMS": "3",
        "directives-INITIAL_FORMS": "0",
        "directives-MIN_NUM_FORMS": "0",
        "directives-MAX_NUM_FORMS": "1000",
    }
    for index in range(3):
        data.update(directive_fields(index, **(directives[index] if index < len(directives) else {})))
    data.update(overrides)
    return data


def land_directive(tree, petition, **values) -> dict:
    return {
        "agency": tree.agency.pk,
        "content": "Phòng Tài nguyên và Môi trường kiểm tra, trả lời hộ dân.",
        "deadline": "30/04/2024",
        "petitions": [petition.pk],
        **values,
    }


def counter_state() -> list[tuple]:
    return list(DocumentCounter.objects.values_list("issuer", "kind", "last_number"))


# --- Who may issue ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("district_staff", 200),
        ("leader", 200),
        ("commune_a_officer", 403),
        ("viewer", 403),
        ("commune_b_officer", 404),
        ("agency_officer", 404),
    ],
)
def test_notice_page_by_role(client, tree, request, dialogue, persona, expected):
    client.force_login(request.getfixturevalue(persona))
    url = reverse("dialogues:notice_issue", args=[dialogue.pk])
    assert client.get(url).status_code == expected
    petition = dialogue.petitions.first()
    response = client.post(url, notice_data(tree, [land_directive(tree, petition)]))
    assert response.status_code == (302 if expected == 200 else expected)
    if expected != 200:
        assert not ConclusionNotice.objects.exists() and not Document.objects.exists()


def test_anonymous_is_sent_to_login_from_notice_pages(client, tree, dialogue):
    response = client.post(reverse("dialogues:notice_issue", args=[dialogue.pk]), notice_data(tree))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert not ConclusionNotice.objects.exists()


def test_notice_form_defaults_to_the_huyen_uy_and_lists_waiting_petitions(client, tree, dialogue, leader):
    client.force_login(leader)
    response = client.get(reverse("dialogues:notice_issue", args=[dialogue.pk]))
    form, formset = response.context["form"], response.context["formset"]
    assert form.initial["issuer"] == tree.party_committee
    assert set(form.fields["issuer"].queryset) == {tree.party_committee, tree.ban_dan_van, tree.peoples_committee}
    directive = formset.forms[0]
    assert list(directive.fields["agency"].queryset) == [tree.peoples_committee, tree.agency]
    assert list(directive.fields["petitions"].queryset) == list(dialogue.petitions.order_by("id"))


# --- Issuing ----------------------------------------------------------------------------------


def test_leader_issues_a_notice_that_assigns_a_petition(client, tree, dialogue, leader, agency_officer):
    first, second = dialogue.petitions.order_by("id")
    signer = PersonFactory(full_name="Nguyễn Văn Bình", position="Bí thư Huyện ủy", unit=tree.party_committee)
    client.force_login(leader)
    response = client.post(
        reverse("dialogues:notice_issue", args=[dialogue.pk]),
        notice_data(tree, [land_directive(tree, second)], signer=signer.pk),
        follow=True,
    )

    notice = ConclusionNotice.objects.get()
    assert response.redirect_chain[-1][0] == reverse("dialogues:notice_detail", args=[notice.pk])
    assert notice.document.symbol == "1-TB/HU"
    assert (notice.document.date, notice.document.signer, notice.issued_by) == (date(2024, 3, 25), signer, leader)
    assert [str(m) for m in response.context["messages"]] == [
        _("Issued notice no. %(symbol)s.") % {"symbol": "1-TB/HU"}
    ]
    directive = Directive.objects.get()
    second.refresh_from_db()
    first.refresh_from_db()
    assert (second.status, second.assigned_agency, second.deadline, second.directive) == (
        PetitionStatus.ASSIGNED,
        tree.agency,
        date(2024, 4, 30),
        directive,
    )
    assert first.status == PetitionStatus.RECEIVED
    # The agency's officer is told, with a link to the petition.
    assert Notification.objects.get(recipient=agency_officer).url == reverse(
        "dialogues:petition_detail", args=[second.pk]
    )


def test_second_notice_takes_the_next_number(client, tree, dialogue, district_staff):
    first, second = dialogue.petitions.order_by("id")
    client.force_login(district_staff)
    url = reverse("dialogues:notice_issue", args=[dialogue.pk])
    client.post(url, notice_data(tree, [land_directive(tree, first)]))
    client.post(url, notice_data(tree, [land_directive(tree, second)], date="02/04/2024"))
    assert sorted(n.document.symbol for n in ConclusionNotice.objects.all()) == ["1-TB/HU", "2-TB/HU"]
    # An assigned petition is no longer offered.
    formset = client.get(url).context["formset"]
    assert list(formset.forms[0].fields["petitions"].queryset) == []


def test_deadline_before_the_dialogue_is_refused_and_no_number_is_used(client, tree, dialogue, district_staff):
    document_issue(issuer=tree.party_committee, kind="TB", day=date(2024, 1, 5), subject="TB trước", created_by=None)
    before = counter_state()
    petition = dialogue.petitions.first()
    client.force_login(district_staff)
    response = client.post(
        reverse("dialogues:notice_issue", args=[dialogue.pk]),
        notice_data(tree, [land_directive(tree, petition, deadline="10/03/2024")]),
    )
    assert response.status_code == 200
    assert response.context["formset"].forms[0].non_field_errors() == [_("The deadline cannot be before the dialogue.")]
    assert counter_state() == before == [(tree.party_committee.pk, "TB", 1)]
    assert not ConclusionNotice.objects.exists() and Document.objects.count() == 1
    petition.refresh_from_db()
    assert petition.status == PetitionStatus.RECEIVED


def test_notice_without_a_directive_is_refused(client, tree, dialogue, district_staff):
    client.force_login(district_staff)
    response = client.post(reverse("dialogues:notice_issue", args=[dialogue.pk]), notice_data(tree))
    assert response.context["form"].non_field_errors() == [_("Add at least one directive.")]
    assert counter_state() == [] and not Document.objects.exists()


def test_notice_dated_before_the_dialogue_is_refused(client, tree, dialogue, district_staff):
    client.force_login(district_staff)
    petition = dialogue.petitions.first()
    response = client.post(
        reverse("dialogues:notice_issue", args=[dialogue.pk]),
        notice_data(tree, [land_directive(tree, petition)], date="01/03/2024"),
    )
    assert response.context["form"].errors["date"] == [_("The notice cannot be dated before the dialogue.")]
    assert counter_state() == [] and not ConclusionNotice.objects.exists()


def test_a_petition_in_two_directives_is_refused(client, tree, dialogue, district_staff):
    client.force_login(district_staff)
    petition = dialogue.petitions.first()
    directives = [land_directive(tree, petition), land_directive(tree, petition, agency=tree.peoples_committee.pk)]
    response = client.post(reverse("dialogues:notice_issue", args=[dialogue.pk]), notice_data(tree, directives))
    assert response.status_code == 200
    assert response.context["formset"].forms[1].errors["petitions"] == [
        _("Petition #%(id)s is already in directive %(number)s; assign it once.") % {"id": petition.pk, "number": 1}
    ]
    assert not Document.objects.exists()


def test_agency_outside_the_users_scope_is_refused(client, tree, dialogue, district_staff):
    from organization.models import UnitKind
    from organization.tests.factories import UnitFactory

    other = UnitFactory(key="t-other-dept", name="Sở Tài nguyên", kind=UnitKind.DEPARTMENT, parent=tree.province)
    client.force_login(district_staff)
    petition = dialogue.petitions.first()
    response = client.post(
        reverse("dialogues:notice_issue", args=[dialogue.pk]),
        notice_data(tree, [land_directive(tree, petition, agency=other.pk)]),
    )
    assert "agency" in response.context["formset"].forms[0].errors
    assert not Document.objects.exists()


# --- The printable notice ---------------------------------------------------------------------


@pytest.fixture
def notice(client, tree, dialogue, leader):
    petition = dialogue.petitions.order_by("id").last()
    signer = PersonFactory(full_name="Nguyễn Văn Bình", position="Bí thư Huyện ủy", unit=tree.party_committee)
    client.force_login(leader)
    client.post(
        reverse("dialogues:notice_issue", args=[dialogue.pk]),
        notice_data(tree, [land_directive(tree, petition)], signer=signer.pk),
    )
    client.logout()
    return ConclusionNotice.objects.get()


def test_notice_detail_is_laid_out_like_a_party_notice(client, tree, notice, leader):
    client.force_login(leader)
    response = client.get(reverse("dialogues:notice_detail", args=[notice.pk]))
    html = response.content.decode()
    assert response.context["place"] == "Bảo Yên"
    assert response.context["superior"] == _("Party organization of %(locality)s") % {"locality": "Tỉnh Lào Cai"}
    assert "Huyện ủy Bảo Yên" in html
    assert "1-TB/HU" in html
    assert "Bảo Yên, " in html and "25" in html and "2024" in html
    assert _("Communist Party of Vietnam") in html
    assert "Phòng Tài nguyên và Môi trường kiểm tra, trả lời hộ dân." in html
    assert "30/04/2024" in html
    assert "Nguyễn Văn Bình" in html and "Bí thư Huyện ủy" in html
    # portal.css hides every <header> and <footer> in print; the notice's own parts must not use them.
    notice_html = html[html.index('class="party-document') : html.index("</article>")]
    assert "<header" not in notice_html and "<footer" not in notice_html


def test_dialogue_detail_lists_its_notices_with_their_directives(client, tree, notice, district_staff):
    client.force_login(district_staff)
    html = client.get(reverse("dialogues:dialogue_detail", args=[notice.dialogue_id])).content.decode()
    assert reverse("dialogues:notice_detail", args=[notice.pk]) in html
    assert "1-TB/HU" in html and "Phòng Tài nguyên và Môi trường" in html


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("district_staff", 200),
        ("commune_a_officer", 200),
        ("viewer", 200),
        ("agency_officer", 200),  # one of the dialogue's petitions is assigned to its agency
        ("commune_b_officer", 404),
    ],
)
def test_notice_detail_by_role(client, request, notice, persona, expected):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("dialogues:notice_detail", args=[notice.pk])).status_code == expected


def test_anonymous_notice_detail_goes_to_login(client, notice):
    response = client.get(reverse("dialogues:notice_detail", args=[notice.pk]))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
