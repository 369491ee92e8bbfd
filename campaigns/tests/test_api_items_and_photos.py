"""Two gaps of the campaigns API, closed: commitment items kept by portal administrators (as in
the admin's list: a code chosen once, never deleted), and the evidence photo of a scorecard
criterion, saved through ``services.scorecard_update`` as on the scorecard's page and served
only through the page that checks the scope."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.utils import translation
from django.utils.translation import gettext as _

from campaigns import services
from campaigns.models import CommitmentItem, Scorecard, ScoreEntry
from campaigns.tests.factories import movement_with_criteria, open_round
from organization.models import Role
from organization.tests.factories import MembershipFactory, UserFactory

ITEMS = "/api/v1/commitment-items/"
CARDS = "/api/v1/scorecards/"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


@pytest.fixture(autouse=True)
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def patch(client, url, data):
    return client.patch(url, data, content_type="application/json")


# --- Commitment items ---------------------------------------------------------------------------


def test_an_administrator_adds_an_item_and_rewords_it_but_never_changes_its_code(client, db, portal_admin):
    client.force_login(portal_admin)

    created = post(
        client, ITEMS, {"code": "no-alcohol-at-funerals", "text": "Không uống rượu trong tang lễ", "order": 6}
    )
    assert created.status_code == 201, created.content
    item = CommitmentItem.objects.get(code="no-alcohol-at-funerals")
    assert created.json() == {
        "id": item.pk,
        "code": "no-alcohol-at-funerals",
        "text": "Không uống rượu trong tang lễ",
        "order": 6,
        "is_active": True,
    }

    changed = patch(client, f"{ITEMS}{item.pk}/", {"code": "renamed", "is_active": False})

    assert changed.status_code == 200
    item.refresh_from_db()
    assert (item.code, item.is_active, item.text) == ("no-alcohol-at-funerals", False, "Không uống rượu trong tang lễ")
    assert client.delete(f"{ITEMS}{item.pk}/").status_code == 405
    assert CommitmentItem.objects.filter(pk=item.pk).exists()


def test_a_taken_or_malformed_code_is_refused(client, db, portal_admin):
    client.force_login(portal_admin)
    taken = CommitmentItem.objects.order_by("order").first().code
    before = CommitmentItem.objects.count()

    again = post(client, ITEMS, {"code": taken, "text": "x"})
    spaced = post(client, ITEMS, {"code": "hai từ", "text": "x"})

    assert again.status_code == 400 and list(again.json()) == ["code"]
    assert spaced.status_code == 400 and list(spaced.json()) == ["code"]
    assert CommitmentItem.objects.count() == before


def test_portal_roles_and_staff_without_the_permission_are_refused(client, tree, district_staff):
    item = CommitmentItem.objects.order_by("order").first()
    editor = UserFactory(username="items-editor", is_staff=True)
    editor.user_permissions.set(Permission.objects.filter(codename="change_commitmentitem"))
    MembershipFactory(user=editor, unit=tree.district, role=Role.VIEWER)

    client.force_login(district_staff)
    assert patch(client, f"{ITEMS}{item.pk}/", {"text": "x"}).status_code == 403
    client.force_login(editor)
    assert post(client, ITEMS, {"code": "x", "text": "x"}).status_code == 403
    assert patch(client, f"{ITEMS}{item.pk}/", {"text": "Đã sửa"}).status_code == 200
    assert CommitmentItem.objects.get(pk=item.pk).text == "Đã sửa"


# --- Evidence photos ----------------------------------------------------------------------------


@pytest.fixture
def card(tree, district_staff, commune_a_officer) -> Scorecard:
    movement = movement_with_criteria(district_staff, tree.district, maxima=("40", "30", "30"))
    round_ = open_round(district_staff, movement, date(2024, 3, 1))
    first = round_.movement.criteria_sets.get().criteria.order_by("order").first()
    return services.scorecard_create(
        user=commune_a_officer,
        round_=round_,
        unit=tree.village_a,
        entries={first.pk: services.EntryInput(self_score=Decimal("30"), evidence_note="Ảnh buổi ra quân")},
    )


def first_criterion(card: Scorecard):
    return card.criteria_set.criteria.order_by("order").first()


def upload(client, card, content=PNG, *, name="ra-quan.png", criterion=None, version=None):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = {
        "criterion": criterion or first_criterion(card).pk,
        "photo": SimpleUploadedFile(name, content, content_type="image/png"),
        "version": version or card.version,
    }
    return client.post(f"{CARDS}{card.pk}/photo/", data)


def test_the_commune_attaches_a_photo_and_keeps_the_score_and_note(client, card, commune_a_officer):
    client.force_login(commune_a_officer)

    response = upload(client, card)

    assert response.status_code == 200, response.content
    entry = ScoreEntry.objects.get(scorecard=card, criterion=first_criterion(card))
    assert entry.evidence_photo.name.endswith(".png")
    assert (entry.self_score, entry.evidence_note) == (Decimal("30"), "Ảnh buổi ra quân")
    answer = next(item for item in response.json()["entries"] if item["id"] == entry.pk)
    assert answer["has_photo"] is True
    assert answer["photo_url"] == f"/campaigns/score-entries/{entry.pk}/photo/"
    assert response.json()["version"] == card.version + 1
    served = client.get(answer["photo_url"])
    assert served.status_code == 200 and b"".join(served.streaming_content) == PNG


def test_an_executable_renamed_png_is_refused_and_nothing_changes(client, card, commune_a_officer):
    client.force_login(commune_a_officer)

    response = upload(client, card, EXE, name="anh.png")

    assert response.status_code == 400
    assert list(response.json()) == ["photo"]
    assert not ScoreEntry.objects.get(scorecard=card, criterion=first_criterion(card)).evidence_photo
    assert Scorecard.objects.get(pk=card.pk).version == card.version


def test_a_criterion_of_another_set_or_a_stale_version_is_refused(client, card, commune_a_officer):
    client.force_login(commune_a_officer)

    stranger = upload(client, card, criterion=999_999)
    stale = upload(client, card, version=card.version + 5)

    assert stranger.status_code == 400
    assert stranger.json() == {"criterion": [_("This criterion is not on this scorecard.")]}
    assert stale.status_code == 409
    assert not ScoreEntry.objects.filter(scorecard=card).exclude(evidence_photo="").exists()


def test_who_may_not_score_the_unit_is_refused(client, tree, card, commune_b_officer, leader):
    client.force_login(commune_b_officer)
    assert upload(client, card).status_code == 404  # another commune's card does not exist for them
    client.force_login(leader)
    assert upload(client, card).status_code == 403
    assert not ScoreEntry.objects.filter(scorecard=card).exclude(evidence_photo="").exists()
