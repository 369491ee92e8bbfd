"""Household commitment pages: the list scoped by village (filters, search, export, query count),
adding a household to a model, editing it and recording that it was broken. A household
outside the model's area, a household signing twice, a model not yet discussed with the village
and a stale form are refused with a clear message, and nothing changes."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from campaigns import services
from campaigns.models import CommitmentItem, DvkModel, HouseholdCommitment
from campaigns.services import DvkModelInput
from organization.models import UnitKind
from organization.tests.factories import UnitFactory

pytestmark = pytest.mark.django_db


# --- Arrangements ------------------------------------------------------------------------------


def make_model(user, owner, locality, *, name="Mô hình nếp sống văn hóa mới đồng bào Mông", consulted=True):
    model = services.dvk_model_create(
        user=user,
        data=DvkModelInput(
            values={
                "name": name,
                "kind": "model",
                "field": "culture_society",
                "level": "village",
                "owner_unit": owner,
                "locality": locality,
                "registered_on": date(2024, 2, 1),
            }
        ),
    )
    if consulted:
        for status in ("surveyed", "village_consulted"):
            model = services.dvk_transition(user=user, model=model, to_status=status)
    return model


def items(count: int = 5) -> list[CommitmentItem]:
    return list(CommitmentItem.objects.order_by("order")[:count])


def sign(user, model, head: str, village, *, day=date(2024, 4, 1), chosen=None) -> HouseholdCommitment:
    return services.commitment_create(
        user=user,
        values={"model": model, "household_head": head, "village": village, "signed_on": day},
        items=chosen if chosen is not None else items(3),
    )


def create_url(model: DvkModel) -> str:
    return f"{reverse('campaigns:commitment_create')}?model={model.pk}"


def create_data(village, *, head="Giàng A Páo", chosen=None, **overrides) -> dict:
    return {
        "household_head": head,
        "village": village.pk,
        "signed_on": "01/04/2024",
        "items": [item.pk for item in (chosen if chosen is not None else items(3))],
        "note": "",
        **overrides,
    }


def edit_data(commitment: HouseholdCommitment, **overrides) -> dict:
    return {
        "household_head": commitment.household_head,
        "village": commitment.village_id,
        "signed_on": commitment.signed_on.strftime("%d/%m/%Y"),
        "items": [item.pk for item in commitment.items.all()],
        "note": commitment.note,
        "status": commitment.status,
        "broken_on": "",
        "broken_items": [],
        "version": commitment.version,
        **overrides,
    }


@pytest.fixture
def village_a2(tree):
    """A second village of commune A, outside the locality of ``model_a``."""
    return UnitFactory(key="t-nam-meng", name="Bản Nặm Mèng", kind=UnitKind.VILLAGE, parent=tree.commune_a)


@pytest.fixture
def model_a(tree, commune_a_officer):
    """Owned by commune A, built in the village of Tổng Kim."""
    return make_model(commune_a_officer, tree.commune_a, tree.village_a)


@pytest.fixture
def model_b(tree, commune_b_officer):
    return make_model(commune_b_officer, tree.commune_b, tree.village_b, name="Mô hình dân vận khéo Nà Pồng")


@pytest.fixture
def signed(tree, model_a, model_b, commune_a_officer, commune_b_officer):
    return [
        sign(commune_a_officer, model_a, "Giàng A Páo", tree.village_a),
        sign(commune_a_officer, model_a, "Sùng Seo Chứ", tree.village_a, day=date(2023, 11, 5), chosen=items(1)),
        sign(commune_b_officer, model_b, "Hoàng Văn Đức", tree.village_b),
    ]


def listed(client, **params) -> list[str]:
    response = client.get(reverse("campaigns:commitment_list"), params)
    assert response.status_code == 200
    return [commitment.household_head for commitment in response.context["commitments"]]


# --- Role matrix ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("district_staff", ["Giàng A Páo", "Hoàng Văn Đức", "Sùng Seo Chứ"]),
        ("leader", ["Giàng A Páo", "Hoàng Văn Đức", "Sùng Seo Chứ"]),
        ("commune_a_officer", ["Giàng A Páo", "Sùng Seo Chứ"]),
        ("viewer", ["Giàng A Páo", "Sùng Seo Chứ"]),
        ("commune_b_officer", ["Hoàng Văn Đức"]),
        ("agency_officer", []),
    ],
)
def test_list_shows_only_households_in_scope(client, request, signed, persona, expected):
    client.force_login(request.getfixturevalue(persona))
    assert listed(client) == expected


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("district_staff", 200),
        ("commune_a_officer", 200),
        ("commune_b_officer", 404),
        ("agency_officer", 403),
        ("leader", 403),
        ("viewer", 403),
    ],
)
def test_add_page_by_role(client, tree, request, model_a, persona, expected):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(create_url(model_a)).status_code == expected
    if expected != 200:
        assert client.post(create_url(model_a), create_data(tree.village_a)).status_code == expected
        assert HouseholdCommitment.objects.count() == 0


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("district_staff", 200),
        ("commune_a_officer", 200),
        ("commune_b_officer", 404),
        ("agency_officer", 404),
        ("leader", 403),
        ("viewer", 403),
    ],
)
def test_edit_page_by_role(client, request, signed, persona, expected):
    commitment = signed[0]
    client.force_login(request.getfixturevalue(persona))
    url = reverse("campaigns:commitment_edit", args=[commitment.pk])
    assert client.get(url).status_code == expected
    if expected != 200:
        assert client.post(url, edit_data(commitment, household_head="Đổi tên")).status_code == expected
        commitment.refresh_from_db()
        assert (commitment.household_head, commitment.version) == ("Giàng A Páo", 1)


def test_anonymous_is_sent_to_login(client, tree, model_a, signed):
    urls = [
        reverse("campaigns:commitment_list"),
        create_url(model_a),
        reverse("campaigns:commitment_edit", args=[signed[0].pk]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login")), url
        response = client.post(url, create_data(tree.village_a, head="Người lạ"))
        assert response.status_code == 302 and response.url.startswith(reverse("login")), url
    assert HouseholdCommitment.objects.count() == 3


def test_commune_officer_opens_and_edits_households_of_a_district_model_built_in_it(
    client, tree, district_staff, commune_a_officer, commune_b_officer
):
    district_model = make_model(district_staff, tree.district, tree.commune_a, name="Mô hình cấp huyện")
    commitment = sign(district_staff, district_model, "Lý A Sình", tree.village_a)
    client.force_login(commune_a_officer)
    response = client.get(reverse("campaigns:commitment_list"))
    assert [row["commitment"] for row in response.context["rows"]] == [commitment]
    model_url = reverse("campaigns:dvk_detail", args=[district_model.pk])
    assert response.context["rows"][0]["model_url"] == model_url
    assert response.context["rows"][0]["may_edit"]
    assert client.get(model_url).status_code == 200
    assert listed(client, model=district_model.pk) == ["Lý A Sình"]
    edit = client.get(reverse("campaigns:commitment_edit", args=[commitment.pk]))
    assert edit.status_code == 200 and edit.context["model_url"] == model_url
    client.force_login(commune_b_officer)
    assert client.get(model_url).status_code == 404


# --- Adding a household ----------------------------------------------------------------------------


def test_commune_officer_adds_a_household(client, tree, model_a, commune_a_officer):
    client.force_login(commune_a_officer)
    page = client.get(create_url(model_a))
    form = page.context["form"]
    assert list(form.fields["village"].queryset) == [tree.village_a]
    assert list(form.fields["items"].queryset) == items()

    response = client.post(create_url(model_a), create_data(tree.village_a, head="  Giàng   A Páo ", note="Trưởng họ"))
    assert response.status_code == 302
    assert response.url == f"{reverse('campaigns:commitment_list')}?model={model_a.pk}"
    commitment = HouseholdCommitment.objects.get()
    assert (commitment.model, commitment.household_head, commitment.village, commitment.signed_on) == (
        model_a,
        "Giàng A Páo",
        tree.village_a,
        date(2024, 4, 1),
    )
    assert list(commitment.items.all()) == items(3)
    assert (commitment.status, commitment.note, commitment.created_by) == ("kept", "Trưởng họ", commune_a_officer)


def test_save_and_add_another_comes_back_to_the_form(client, tree, model_a, commune_a_officer):
    client.force_login(commune_a_officer)
    response = client.post(create_url(model_a), {**create_data(tree.village_a), "add_another": "1"})
    assert response.status_code == 302 and response.url == create_url(model_a)


def test_a_household_outside_the_models_area_is_refused(client, tree, model_a, village_a2, commune_a_officer):
    client.force_login(commune_a_officer)
    response = client.post(create_url(model_a), create_data(village_a2))
    assert response.status_code == 200
    message = _("This household is outside the model's area (%(area)s).") % {"area": tree.village_a.name}
    assert response.context["form"].errors["village"] == [message]
    assert escape(message) in response.content.decode()
    assert HouseholdCommitment.objects.count() == 0


def test_a_village_of_another_commune_is_refused(client, tree, model_a, commune_a_officer):
    client.force_login(commune_a_officer)
    response = client.post(create_url(model_a), create_data(tree.village_b))
    assert response.status_code == 200
    assert response.context["form"].errors["village"] == [
        _("%(unit)s is outside your units.") % {"unit": tree.village_b.name}
    ]
    assert HouseholdCommitment.objects.count() == 0


def test_a_household_signs_once_per_model(client, tree, model_a, commune_a_officer):
    sign(commune_a_officer, model_a, "Giàng A Páo", tree.village_a)
    client.force_login(commune_a_officer)
    response = client.post(create_url(model_a), create_data(tree.village_a, head="Giàng  A Páo"))
    assert response.status_code == 200
    assert response.context["form"].errors["household_head"] == [_("This household has already signed for this model.")]
    assert HouseholdCommitment.objects.count() == 1


def test_at_least_one_item_is_signed(client, tree, model_a, commune_a_officer):
    client.force_login(commune_a_officer)
    response = client.post(create_url(model_a), create_data(tree.village_a, chosen=[]))
    assert response.context["form"].errors["items"] == [_("Choose at least one item.")]
    assert HouseholdCommitment.objects.count() == 0


def test_a_retired_item_is_not_offered_for_new_commitments(client, tree, model_a, commune_a_officer):
    retired = items(1)[0]
    CommitmentItem.objects.filter(pk=retired.pk).update(is_active=False)
    client.force_login(commune_a_officer)
    form = client.get(create_url(model_a)).context["form"]
    assert retired not in form.fields["items"].queryset
    response = client.post(create_url(model_a), create_data(tree.village_a, chosen=[retired]))
    assert "items" in response.context["form"].errors
    assert HouseholdCommitment.objects.count() == 0


def test_households_sign_only_once_the_village_was_consulted(client, tree, commune_a_officer):
    model = make_model(commune_a_officer, tree.commune_a, tree.village_a, consulted=False)
    client.force_login(commune_a_officer)
    page = client.get(create_url(model))
    assert page.status_code == 200 and page.context["form"] is not None and not page.context["signing_open"]
    assert 'name="household_head"' not in page.content.decode()

    response = client.post(create_url(model), create_data(tree.village_a))
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        _("Households sign once the model has been discussed with the village (status: %(status)s).")
        % {"status": model.get_status_display()}
    ]
    assert HouseholdCommitment.objects.count() == 0


def test_without_a_model_the_page_lists_the_models_open_for_signing(client, tree, model_a, commune_a_officer):
    make_model(commune_a_officer, tree.commune_a, tree.village_a, name="Chưa bàn với dân", consulted=False)
    client.force_login(commune_a_officer)
    response = client.get(reverse("campaigns:commitment_create"))
    assert response.status_code == 200
    assert response.context["choices"] == [model_a]
    assert create_url(model_a) in response.content.decode()


def test_an_unknown_model_is_404(client, commune_a_officer):
    client.force_login(commune_a_officer)
    assert client.get(f"{reverse('campaigns:commitment_create')}?model=999999").status_code == 404
    assert client.get(f"{reverse('campaigns:commitment_create')}?model=abc").status_code == 404


# --- Editing and breaking ----------------------------------------------------------------------------


def test_recording_a_broken_commitment(client, signed, commune_a_officer):
    commitment = signed[0]
    broken_item = items(3)[2]
    client.force_login(commune_a_officer)
    url = reverse("campaigns:commitment_edit", args=[commitment.pk])
    assert client.get(url).context["form"].initial["version"] == 1
    response = client.post(
        url,
        edit_data(
            commitment, status="broken", broken_on="15/09/2024", broken_items=[broken_item.pk], note="Tảo hôn con gái"
        ),
    )
    assert response.status_code == 302
    commitment.refresh_from_db()
    assert (commitment.status, commitment.broken_on, commitment.note, commitment.version) == (
        "broken",
        date(2024, 9, 15),
        "Tảo hôn con gái",
        2,
    )
    assert list(commitment.broken_items.all()) == [broken_item]

    # Kept again: the date and the broken items go.
    response = client.post(url, edit_data(commitment, status="kept", broken_items=[broken_item.pk]))
    assert response.status_code == 302
    commitment.refresh_from_db()
    assert (commitment.status, commitment.broken_on, list(commitment.broken_items.all())) == ("kept", None, [])


def test_a_broken_commitment_needs_its_date(client, signed, commune_a_officer):
    commitment = signed[0]
    client.force_login(commune_a_officer)
    response = client.post(
        reverse("campaigns:commitment_edit", args=[commitment.pk]),
        edit_data(commitment, status="broken", broken_items=[items(1)[0].pk]),
    )
    assert response.context["form"].errors["broken_on"] == [_("Give the date the commitment was broken.")]
    commitment.refresh_from_db()
    assert (commitment.status, commitment.version) == ("kept", 1)


def test_only_signed_items_can_be_broken(client, signed, commune_a_officer):
    commitment = signed[1]  # signed the first item only
    client.force_login(commune_a_officer)
    response = client.post(
        reverse("campaigns:commitment_edit", args=[commitment.pk]),
        edit_data(commitment, status="broken", broken_on="15/09/2024", broken_items=[items(2)[1].pk]),
    )
    assert response.status_code == 200
    assert "broken_items" in response.context["form"].errors
    commitment.refresh_from_db()
    assert (commitment.status, commitment.version) == ("kept", 1)


def test_moving_a_household_outside_the_area_is_refused(client, tree, signed, village_a2, commune_a_officer):
    commitment = signed[0]
    client.force_login(commune_a_officer)
    response = client.post(
        reverse("campaigns:commitment_edit", args=[commitment.pk]), edit_data(commitment, village=village_a2.pk)
    )
    assert response.context["form"].errors["village"] == [
        _("This household is outside the model's area (%(area)s).") % {"area": tree.village_a.name}
    ]
    commitment.refresh_from_db()
    assert (commitment.village, commitment.version) == (tree.village_a, 1)


def test_a_stale_edit_is_refused(client, signed, commune_a_officer, district_staff):
    commitment = signed[0]
    services.commitment_update(user=district_staff, commitment=commitment, values={"note": "Đã kiểm tra"})
    client.force_login(commune_a_officer)
    response = client.post(
        reverse("campaigns:commitment_edit", args=[commitment.pk]),
        edit_data(commitment, note="Ghi đè", version=1),
    )
    assert response.status_code == 200 and response.context["stale"]
    commitment.refresh_from_db()
    assert (commitment.note, commitment.version) == ("Đã kiểm tra", 2)


def test_a_retired_item_stays_on_the_commitments_that_signed_it(client, signed, commune_a_officer):
    commitment = signed[0]
    retired = items(1)[0]
    CommitmentItem.objects.filter(pk=retired.pk).update(is_active=False)
    client.force_login(commune_a_officer)
    url = reverse("campaigns:commitment_edit", args=[commitment.pk])
    assert retired in client.get(url).context["form"].fields["items"].queryset
    assert client.post(url, edit_data(commitment, note="Vẫn giữ")).status_code == 302
    assert retired in commitment.items.all()


# --- The list ------------------------------------------------------------------------------------


def test_filters_and_search(client, tree, signed, district_staff, model_a, model_b):
    client.force_login(district_staff)
    assert listed(client, model=model_a.pk) == ["Giàng A Páo", "Sùng Seo Chứ"]
    assert listed(client, village=tree.village_b.pk) == ["Hoàng Văn Đức"]
    # Only villages are offered: a commune is refused by the filter form, which says so.
    response = client.get(reverse("campaigns:commitment_list"), {"village": tree.commune_a.pk})
    assert "village" in response.context["filter"].form.errors
    assert listed(client, q="GIANG a pao") == ["Giàng A Páo"]
    assert listed(client, q="duc") == ["Hoàng Văn Đức"]
    assert listed(client, year=2023) == ["Sùng Seo Chứ"]
    assert listed(client, item=items(3)[1].pk) == ["Giàng A Páo", "Hoàng Văn Đức"]
    assert listed(client, sort="household_head") == ["Giàng A Páo", "Hoàng Văn Đức", "Sùng Seo Chứ"]
    services.commitment_update(
        user=district_staff,
        commitment=signed[2],
        values={"status": "broken", "broken_on": date(2024, 8, 1)},
        broken_items=items(1),
    )
    assert listed(client, status="broken") == ["Hoàng Văn Đức"]
    assert listed(client, status="kept", model=model_a.pk) == ["Giàng A Páo", "Sùng Seo Chứ"]


def test_list_of_a_model_offers_to_add_a_household_to_it(client, signed, model_a, commune_a_officer, leader):
    client.force_login(commune_a_officer)
    response = client.get(reverse("campaigns:commitment_list"), {"model": model_a.pk})
    assert response.context["chosen_model"] == model_a
    assert create_url(model_a) in response.content.decode()
    assert response.context["rows"][0]["model_url"] == reverse("campaigns:dvk_detail", args=[model_a.pk])

    client.force_login(leader)
    response = client.get(reverse("campaigns:commitment_list"), {"model": model_a.pk})
    assert response.context["create_url"] == ""
    assert not any(row["may_edit"] for row in response.context["rows"])


def test_exports_hold_the_items_of_every_filtered_household(client, signed, model_a, district_staff):
    client.force_login(district_staff)
    response = client.get(reverse("campaigns:commitment_list"), {"model": model_a.pk, "export": "xlsx"})
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert [row[2] for row in rows[1:]] == ["Giàng A Páo", "Sùng Seo Chứ"]
    assert rows[1][5] == "; ".join(item.text for item in items(3))
    assert rows[2][5] == items(1)[0].text

    response = client.get(reverse("campaigns:commitment_list"), {"export": "csv", "q": "duc"})
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(lines) == 2 and lines[1][2] == "Hoàng Văn Đức" and lines[1][4] == "01/04/2024"


@pytest.mark.parametrize("rows", [1, 15])
def test_list_query_count_does_not_grow_with_rows(
    client, tree, model_a, commune_a_officer, django_assert_max_num_queries, rows
):
    for n in range(rows):
        commitment = sign(commune_a_officer, model_a, f"Hộ Giàng {n}", tree.village_a)
        if n % 3 == 0:
            services.commitment_update(
                user=commune_a_officer,
                commitment=commitment,
                values={"status": "broken", "broken_on": date(2024, 8, 1)},
                broken_items=items(1),
            )
    client.force_login(commune_a_officer)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("campaigns:commitment_list"), {"model": model_a.pk, "q": "giang"})
    assert len(response.context["rows"]) == rows


def test_list_is_paginated(client, tree, model_a, commune_a_officer):
    for n in range(52):
        sign(commune_a_officer, model_a, f"Hộ {n:02d}", tree.village_a)
    client.force_login(commune_a_officer)
    assert len(listed(client)) == 50
    assert len(listed(client, page=2)) == 2


def test_empty_list_says_what_to_do(client, tree, model_a, commune_a_officer, viewer):
    client.force_login(commune_a_officer)
    response = client.get(reverse("campaigns:commitment_list"), {"model": model_a.pk})
    html = response.content.decode()
    assert _("No household commitments yet") in html and create_url(model_a) in html

    client.force_login(viewer)
    html = client.get(reverse("campaigns:commitment_list")).content.decode()
    assert _("No household commitments yet") in html
    assert reverse("campaigns:commitment_create") not in html


def test_model_ids_in_links_and_hidden_fields_are_not_grouped(client, tree, commune_a_officer):
    model = make_model(commune_a_officer, tree.commune_a, tree.village_a, consulted=False)
    DvkModel.objects.filter(pk=model.pk).update(id=12345, status="village_consulted")
    client.force_login(commune_a_officer)
    for url in (
        reverse("campaigns:dvk_detail", args=[12345]),
        f"{reverse('campaigns:commitment_create')}?model=12345",
        reverse("campaigns:commitment_create"),
    ):
        html = client.get(url).content.decode()
        assert "model=12345" in html or 'value="12345"' in html, url
        assert "12.345" not in html, url
