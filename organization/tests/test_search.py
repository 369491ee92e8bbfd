"""Diacritic-insensitive search: the folding helper and the search boxes of the list pages."""

from datetime import date

import pytest
from django.urls import reverse

from organization import search
from organization.models import Unit
from organization.tests.factories import PersonFactory


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Xã Vĩnh Yên", "xa vinh yen"),
        ("  NGHĨA   ĐÔ ", "nghia do"),
        ("Đảng ủy", "dang uy"),
        ("Thượng Hà", "thuong ha"),
        ("", ""),
        (None, ""),
    ],
)
def test_fold_strips_accents_including_d_with_stroke(text, folded):
    assert search.fold(text) == folded


def test_matches_needs_every_word_in_any_field():
    words = search.terms("yen vinh")
    assert search.matches(words, "Xã Vĩnh Yên", "02956")
    assert not search.matches(search.terms("vinh quan"), "Xã Vĩnh Yên", "02956")
    assert search.matches(search.terms("029"), "Xã Vĩnh Yên", "02956")


def test_filter_folded_keeps_the_queryset_narrowed_to_matches(tree):
    found = search.filter_folded(Unit.objects.all(), "nghia do", ["name"])
    assert list(found.values_list("key", flat=True)) == ["t-nghia-do"]
    assert search.filter_folded(Unit.objects.all(), "   ", ["name"]).count() == Unit.objects.count()


def unit_names(response) -> list[str]:
    return [row["unit"].name for row in response.context["rows"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("vinh yen", ["Xã Vĩnh Yên"]),
        ("NGHIA DO", ["Xã Nghĩa Đô"]),
        ("Nghĩa Đô", ["Xã Nghĩa Đô"]),
        ("nghia đo", ["Xã Nghĩa Đô"]),
        ("02956", ["Xã Vĩnh Yên"]),
        ("na pong", ["Thôn Nà Pồng"]),
    ],
)
def test_unit_search_ignores_case_and_accents(client, tree, district_staff, query, expected):
    client.force_login(district_staff)
    response = client.get(reverse("unit_list"), {"q": query})
    assert unit_names(response) == expected


def test_unit_search_with_no_match_shows_the_empty_state(client, tree, district_staff):
    client.force_login(district_staff)
    response = client.get(reverse("unit_list"), {"q": "dien quan"})
    html = response.content.decode()
    assert response.status_code == 200
    assert unit_names(response) == []
    assert "empty-state" in html
    assert "unit-table" not in html


def test_unit_search_never_finds_units_outside_scope(client, tree, commune_a_officer):
    client.force_login(commune_a_officer)
    response = client.get(reverse("unit_list"), {"q": "nghia do"})
    assert unit_names(response) == []


def test_unit_search_combines_with_other_filters(client, tree, district_staff):
    client.force_login(district_staff)
    response = client.get(reverse("unit_list"), {"q": "xa", "parent": tree.district.pk, "valid_on": "01/01/2024"})
    assert sorted(unit_names(response)) == ["Xã Nghĩa Đô", "Xã Vĩnh Yên"]


def test_person_search_ignores_accents(client, tree, district_staff):
    PersonFactory(full_name="Đặng Thị Hương", unit=tree.commune_a)
    PersonFactory(full_name="Nguyễn Văn Hùng", unit=tree.commune_b)
    client.force_login(district_staff)
    response = client.get(reverse("person_list"), {"q": "dang huong"})
    assert [person.full_name for person in response.context["people"]] == ["Đặng Thị Hương"]


def test_document_search_ignores_accents(client, tree, district_staff):
    from organization import services

    services.document_issue(
        issuer=tree.party_committee,
        kind="TB",
        day=date(2024, 3, 5),
        subject="Kết luận đối thoại tại xã Vĩnh Yên",
        created_by=district_staff,
    )
    services.document_issue(
        issuer=tree.party_committee,
        kind="TB",
        day=date(2024, 3, 6),
        subject="Kết luận hội nghị tuyên vận",
        created_by=district_staff,
    )
    client.force_login(district_staff)
    response = client.get(reverse("document_list"), {"q": "doi thoai"})
    assert [document.subject for document in response.context["documents"]] == ["Kết luận đối thoại tại xã Vĩnh Yên"]
