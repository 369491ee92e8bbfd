"""The scorecard page: who sees it (404 outside scope), the commune editing its scores, notes and
photos, photos served only through a permission-checked view, district staff verifying (the
verified score may differ, both kept) or returning it with a note, and bad input that changes
nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.translation import gettext as _

from campaigns import services
from campaigns.models import Scorecard, ScorecardStatus, ScoreEntry
from campaigns.tests.factories import movement_with_criteria, open_round

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def round_(tree, district_staff):
    movement = movement_with_criteria(district_staff, tree.district, maxima=("40", "30", "30"))
    return open_round(district_staff, movement, date(2024, 3, 1))


def criteria(round_):
    return list(round_.movement.criteria_sets.get().criteria.all())


def make_card(user, round_, unit, values=("30", "20", "25"), *, submit=True) -> Scorecard:
    crits = criteria(round_)
    services.grid_save(
        user=user, round_=round_, rows={unit.pk: dict(zip([c.pk for c in crits], values, strict=True))}, submit=submit
    )
    return Scorecard.objects.get(round=round_, unit=unit)


@pytest.fixture
def card(round_, tree, commune_a_officer):
    return make_card(commune_a_officer, round_, tree.village_a)


def detail(card) -> str:
    return reverse("campaigns:scorecard_detail", args=[card.pk])


def state(card) -> tuple:
    fresh = Scorecard.objects.get(pk=card.pk)
    entries = list(
        ScoreEntry.objects.filter(scorecard=card)
        .order_by("pk")
        .values_list("self_score", "verified_score", "evidence_note", "evidence_photo")
    )
    return (fresh.status, fresh.self_total, fresh.verified_total, fresh.version, entries)


def evidence_data(card, scores, notes=("", "", ""), version=None) -> dict:
    data = {"version": str(card.version if version is None else version)}
    for criterion, score, note in zip(criteria(card.round), scores, notes, strict=True):
        data[f"self-{criterion.pk}"] = score
        data[f"note-{criterion.pk}"] = note
    return data


def verify_data(card, scores, note="", version=None) -> dict:
    data = {"version": str(card.version if version is None else version), "note": note}
    for criterion, score in zip(criteria(card.round), scores, strict=True):
        data[f"verified-{criterion.pk}"] = score
    return data


# --- Seeing the card ---------------------------------------------------------------------------


def test_commune_officer_sees_own_card_with_the_evidence_form(client, card, commune_a_officer):
    client.force_login(commune_a_officer)
    response = client.get(detail(card))
    assert response.status_code == 200
    assert response.context["evidence_form"] is not None
    assert response.context["verify_form"] is None
    assert response.context["return_form"] is None
    page = response.content.decode()
    assert card.unit.name in page
    assert 'data-criterion="TC1"' in page


def test_other_communes_officer_gets_404(client, card, commune_b_officer):
    client.force_login(commune_b_officer)
    assert client.get(detail(card)).status_code == 404
    before = state(card)
    url = reverse("campaigns:scorecard_evidence", args=[card.pk])
    assert client.post(url, evidence_data(card, ["1", "1", "1"])).status_code == 404
    assert state(card) == before


@pytest.mark.parametrize("persona", ["leader", "viewer"])
def test_read_only_roles_see_the_card_without_forms_and_get_403_on_post(client, card, request, persona):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(detail(card))
    assert response.status_code == 200
    assert response.context["evidence_form"] is None and response.context["verify_form"] is None
    before = state(card)
    posts = {
        "scorecard_evidence": evidence_data(card, ["1", "1", "1"]),
        "scorecard_verify": verify_data(card, ["1", "1", "1"]),
        "scorecard_return": {"note": "Thiếu ảnh"},
        "scorecard_submit": {"version": str(card.version)},
    }
    for name, data in posts.items():
        assert client.post(reverse(f"campaigns:{name}", args=[card.pk]), data).status_code == 403, name
    assert state(card) == before


def test_anonymous_is_sent_to_sign_in(client, card):
    response = client.get(detail(card))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_get_on_a_post_only_view_is_405(client, card, district_staff):
    client.force_login(district_staff)
    assert client.get(reverse("campaigns:scorecard_verify", args=[card.pk])).status_code == 405


def test_district_staff_sees_the_verify_form_prefilled_with_self_scores(client, card, district_staff):
    client.force_login(district_staff)
    response = client.get(detail(card))
    form = response.context["verify_form"]
    assert [form[f"verified-{c.pk}"].value() for c in criteria(card.round)] == ["30", "20", "25"]
    assert response.context["return_form"] is not None


# --- Evidence ----------------------------------------------------------------------------------


def test_commune_saves_notes_photo_and_scores(client, card, commune_a_officer):
    client.force_login(commune_a_officer)
    first = criteria(card.round)[0]
    data = evidence_data(card, ["35,5", "20", "25"], notes=("Ảnh buổi ra quân", "", ""))
    data[f"photo-{first.pk}"] = SimpleUploadedFile("ra-quan.png", PNG, content_type="image/png")
    response = client.post(reverse("campaigns:scorecard_evidence", args=[card.pk]), data)
    assert response.status_code == 302
    entry = ScoreEntry.objects.get(scorecard=card, criterion=first)
    assert entry.self_score == Decimal("35.5")
    assert entry.evidence_note == "Ảnh buổi ra quân"
    assert entry.evidence_photo.name.endswith(".png")
    card.refresh_from_db()
    assert card.self_total == Decimal("80.5")
    assert card.status == ScorecardStatus.SUBMITTED
    page = client.get(detail(card)).content.decode()
    photo_url = reverse("campaigns:scorecard_photo", args=[entry.pk])
    assert photo_url in page
    assert "/media" not in page


def test_score_above_maximum_names_the_criterion_and_saves_nothing(client, card, commune_a_officer):
    client.force_login(commune_a_officer)
    before = state(card)
    response = client.post(
        reverse("campaigns:scorecard_evidence", args=[card.pk]), evidence_data(card, ["41", "20", "25"])
    )
    assert response.status_code == 200
    assert state(card) == before
    errors = response.context["evidence_form"].errors
    assert any("TC1" in message and "40" in message for messages in errors.values() for message in messages)


def test_a_photo_that_is_not_an_image_is_refused(client, card, commune_a_officer):
    client.force_login(commune_a_officer)
    first = criteria(card.round)[0]
    data = evidence_data(card, ["30", "20", "25"], notes=("Có ghi chú", "", ""))
    data[f"photo-{first.pk}"] = SimpleUploadedFile("anh.png", b"MZ not an image", content_type="image/png")
    before = state(card)
    response = client.post(reverse("campaigns:scorecard_evidence", args=[card.pk]), data)
    assert response.status_code == 200
    assert state(card) == before
    problems = " ".join(response.context["problems"])
    assert "TC1" in problems and "anh.png" in problems


def test_stale_evidence_save_is_refused(client, card, commune_a_officer):
    client.force_login(commune_a_officer)
    seen = card.version
    services.scorecard_update(user=commune_a_officer, scorecard=card, entries={})
    before = state(card)
    response = client.post(
        reverse("campaigns:scorecard_evidence", args=[card.pk]), evidence_data(card, ["1", "1", "1"], version=seen)
    )
    assert response.status_code == 200
    assert response.context["stale"] is True
    assert state(card) == before


def test_submitted_card_needs_every_score(client, card, commune_a_officer):
    client.force_login(commune_a_officer)
    before = state(card)
    response = client.post(
        reverse("campaigns:scorecard_evidence", args=[card.pk]), evidence_data(card, ["30", "", "25"])
    )
    assert response.status_code == 200
    assert state(card) == before


def test_commune_submits_a_complete_draft_from_the_card(client, round_, tree, commune_a_officer):
    draft = make_card(commune_a_officer, round_, tree.village_a, submit=False)
    client.force_login(commune_a_officer)
    response = client.post(reverse("campaigns:scorecard_submit", args=[draft.pk]), {"version": draft.version})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == ScorecardStatus.SUBMITTED


def test_an_incomplete_draft_is_not_submitted(client, round_, tree, commune_a_officer):
    draft = make_card(commune_a_officer, round_, tree.village_a, values=("30", None, "25"), submit=False)
    client.force_login(commune_a_officer)
    response = client.get(detail(draft))
    assert response.context["missing"] == ["TC2"]
    before = state(draft)
    response = client.post(reverse("campaigns:scorecard_submit", args=[draft.pk]), {"version": draft.version})
    assert response.status_code == 200
    assert state(draft) == before
    assert "TC2" in " ".join(response.context["problems"])


# --- Photos ------------------------------------------------------------------------------------


def _with_photo(card, user) -> ScoreEntry:
    first = criteria(card.round)[0]
    services.scorecard_update(
        user=user,
        scorecard=card,
        entries={
            first.pk: services.EntryInput(
                self_score=Decimal(30), evidence_photo=SimpleUploadedFile("a.png", PNG, content_type="image/png")
            )
        },
    )
    return ScoreEntry.objects.get(scorecard=card, criterion=first)


def test_photo_is_streamed_to_users_who_may_see_the_card(client, card, commune_a_officer, district_staff):
    entry = _with_photo(card, commune_a_officer)
    url = reverse("campaigns:scorecard_photo", args=[entry.pk])
    for user in (commune_a_officer, district_staff):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "image/png"
        assert b"".join(response.streaming_content) == PNG


def test_photo_answers_404_outside_scope_and_without_a_photo(client, card, commune_a_officer, commune_b_officer):
    entry = _with_photo(card, commune_a_officer)
    client.force_login(commune_b_officer)
    assert client.get(reverse("campaigns:scorecard_photo", args=[entry.pk])).status_code == 404
    client.force_login(commune_a_officer)
    other = ScoreEntry.objects.filter(scorecard=card).exclude(pk=entry.pk).first()
    assert client.get(reverse("campaigns:scorecard_photo", args=[other.pk])).status_code == 404


# --- Verification ------------------------------------------------------------------------------


def test_district_staff_verifies_with_a_different_score_and_both_are_kept(client, card, district_staff):
    client.force_login(district_staff)
    response = client.post(
        reverse("campaigns:scorecard_verify", args=[card.pk]),
        verify_data(card, ["28", "20", "25"], note="Trừ 2 điểm: thiếu ảnh"),
    )
    assert response.status_code == 302
    card.refresh_from_db()
    assert card.status == ScorecardStatus.VERIFIED
    assert card.self_total == Decimal(75)
    assert card.verified_total == Decimal(73)
    assert card.verification_note == "Trừ 2 điểm: thiếu ảnh"
    first = ScoreEntry.objects.get(scorecard=card, criterion__code="TC1")
    assert (first.self_score, first.verified_score) == (Decimal(30), Decimal(28))
    page = client.get(detail(card)).content.decode()
    assert "Trừ 2 điểm: thiếu ảnh" in page


def test_commune_officer_cannot_verify(client, card, commune_a_officer):
    client.force_login(commune_a_officer)
    before = state(card)
    response = client.post(reverse("campaigns:scorecard_verify", args=[card.pk]), verify_data(card, ["1", "1", "1"]))
    assert response.status_code == 403
    assert state(card) == before


@pytest.mark.parametrize("value", ["31", "-2", "x"])
def test_bad_verified_score_changes_nothing(client, card, district_staff, value):
    client.force_login(district_staff)
    before = state(card)
    response = client.post(
        reverse("campaigns:scorecard_verify", args=[card.pk]), verify_data(card, ["30", value, "25"])
    )
    assert response.status_code == 200
    assert state(card) == before
    assert response.context["verify_form"].errors


def test_a_draft_cannot_be_verified(client, round_, tree, commune_a_officer, district_staff):
    draft = make_card(commune_a_officer, round_, tree.village_a, submit=False)
    client.force_login(district_staff)
    assert client.get(detail(draft)).context["verify_form"] is None
    before = state(draft)
    response = client.post(reverse("campaigns:scorecard_verify", args=[draft.pk]), verify_data(draft, ["1", "1", "1"]))
    assert response.status_code == 200
    assert state(draft) == before
    assert draft.unit.name in " ".join(response.context["problems"])


def test_district_staff_returns_a_card_with_a_note(client, card, district_staff):
    services.scorecard_verify(user=district_staff, scorecard=card)
    client.force_login(district_staff)
    response = client.post(reverse("campaigns:scorecard_return", args=[card.pk]), {"note": "Bổ sung ảnh minh chứng"})
    assert response.status_code == 302
    card.refresh_from_db()
    assert card.status == ScorecardStatus.DRAFT
    assert card.verified_total is None
    assert card.verification_note == "Bổ sung ảnh minh chứng"


def test_return_needs_a_note(client, card, district_staff):
    client.force_login(district_staff)
    before = state(card)
    response = client.post(reverse("campaigns:scorecard_return", args=[card.pk]), {"note": "   "})
    assert response.status_code == 200
    assert state(card) == before
    assert response.context["return_form"].errors["note"]


def test_closed_round_card_is_read_only_with_the_reason(client, card, district_staff, commune_a_officer):
    services.scorecard_verify(user=district_staff, scorecard=card)
    services.round_close(user=district_staff, round_=card.round)
    client.force_login(district_staff)
    response = client.get(detail(card))
    assert response.context["verify_form"] is None and response.context["evidence_form"] is None
    assert response.context["read_only_reason"] == _("The round is closed; its scores can no longer change.")
    before = state(card)
    response = client.post(reverse("campaigns:scorecard_return", args=[card.pk]), {"note": "Sửa lại"})
    assert response.status_code == 200
    assert state(card) == before


def test_history_lists_the_changes(client, card, district_staff):
    services.scorecard_verify(user=district_staff, scorecard=card, note="Đạt")
    client.force_login(district_staff)
    response = client.get(detail(card))
    assert len(response.context["history"]) >= 2
    assert 'id="history-heading"' in response.content.decode()


def test_detail_query_count_is_bounded(client, card, district_staff, django_assert_max_num_queries):
    client.force_login(district_staff)
    with django_assert_max_num_queries(16):
        assert client.get(detail(card)).status_code == 200
