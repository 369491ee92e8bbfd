"""Award pages: the scoped list (filters, search without accents, export, query count), recording
an award (prefilled from a round's ranking, refused where the user may not award) and deleting
one after a confirmation page."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.urls import reverse
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from campaigns import services
from campaigns.models import Award, AwardForm, ScoringRound
from campaigns.tests.factories import movement_with_criteria, open_round
from conftest import _member
from organization.models import Role, UnitKind
from organization.services import document_issue
from organization.tests.factories import UnitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def movement(tree, district_staff):
    return movement_with_criteria(district_staff, tree.district, launched_by=tree.ban_dan_van)


@pytest.fixture
def closed_round(tree, movement, district_staff, commune_a_officer) -> ScoringRound:
    round_ = open_round(district_staff, movement, date(2024, 3, 1))
    criteria = movement.criteria_sets.get().criteria.all()
    services.grid_save(
        user=commune_a_officer, round_=round_, rows={tree.village_a.pk: {c.pk: "30" for c in criteria}}, submit=True
    )
    for card in round_.scorecards.all():
        services.scorecard_verify(user=district_staff, scorecard=card)
    return services.round_close(user=district_staff, round_=round_)


@pytest.fixture
def round_award(tree, closed_round, district_staff) -> Award:
    decision = document_issue(
        issuer=tree.party_committee, kind="QD", day=date(2024, 4, 2), subject="Khen thưởng tháng 3", created_by=None
    )
    return services.award_create(
        user=district_staff,
        values={
            "round": closed_round,
            "recipient_unit": tree.village_a,
            "form": AwardForm.CERTIFICATE,
            "issuer": tree.party_committee,
            "decision_document": decision,
            "date": date(2024, 4, 5),
            "reason": "Dẫn đầu tháng 3/2024",
        },
    )


@pytest.fixture
def commune_award(tree, commune_b_officer) -> Award:
    return services.award_create(
        user=commune_b_officer,
        values={
            "recipient_unit": tree.village_b,
            "recipient_name": "Hộ ông Hoàng Văn Thắng",
            "form": AwardForm.COMMENDATION,
            "issuer": tree.commune_b,
            "date": date(2023, 11, 20),
            "reason": "Hiến đất làm đường",
        },
    )


@pytest.fixture
def other_staff(tree):
    other = UnitFactory(key="t-other", name="Huyện Bắc Hà", kind=UnitKind.DISTRICT, parent=tree.province)
    return _member("other_staff", other, Role.DISTRICT_STAFF)


def listed(client, **params) -> list[str]:
    response = client.get(reverse("campaigns:award_list"), params)
    assert response.status_code == 200
    return [row["award"].reason for row in response.context["rows"]]


def award_post(tree, **overrides) -> dict:
    data = {
        "movement": "",
        "round": "",
        "dvk_model": "",
        "recipient_unit": tree.village_a.pk,
        "recipient_name": "",
        "form": "commendation",
        "issuer": tree.ban_dan_van.pk,
        "decision_document": "",
        "date": "10/04/2024",
        "reason": "Vệ sinh đường làng",
        "prize_value_vnd": "",
    }
    data.update(overrides)
    return data


# --- The list ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("district_staff", ["Dẫn đầu tháng 3/2024", "Hiến đất làm đường"]),
        ("leader", ["Dẫn đầu tháng 3/2024", "Hiến đất làm đường"]),
        ("commune_a_officer", ["Dẫn đầu tháng 3/2024"]),
        ("viewer", ["Dẫn đầu tháng 3/2024"]),
        ("commune_b_officer", ["Hiến đất làm đường"]),
        ("other_staff", []),
    ],
)
def test_list_shows_the_awards_of_the_users_units(client, request, round_award, commune_award, persona, expected):
    client.force_login(request.getfixturevalue(persona))
    assert listed(client) == expected


def test_list_filters_by_form_movement_year_and_recipient(client, movement, round_award, commune_award, leader):
    client.force_login(leader)
    assert listed(client, form="commendation") == ["Hiến đất làm đường"]
    assert listed(client, movement=movement.pk) == ["Dẫn đầu tháng 3/2024"]
    assert listed(client, year="2023") == ["Hiến đất làm đường"]
    assert listed(client, q="tong kim") == ["Dẫn đầu tháng 3/2024"]
    assert listed(client, q="hoang van thang") == ["Hiến đất làm đường"]
    assert listed(client, sort="date") == ["Hiến đất làm đường", "Dẫn đầu tháng 3/2024"]


def test_list_shows_delete_only_where_the_user_may_delete(
    client, round_award, commune_award, commune_a_officer, commune_b_officer, district_staff
):
    client.force_login(district_staff)
    rows = client.get(reverse("campaigns:award_list")).context["rows"]
    assert [row["may_delete"] for row in rows] == [True, True]
    client.force_login(commune_a_officer)  # a round's award is the district's to delete
    rows = client.get(reverse("campaigns:award_list")).context["rows"]
    assert [row["may_delete"] for row in rows] == [False]
    client.force_login(commune_b_officer)
    response = client.get(reverse("campaigns:award_list"))
    assert [row["may_delete"] for row in response.context["rows"]] == [True]
    assert reverse("campaigns:award_delete", args=[commune_award.pk]).encode() in response.content


def test_export_contains_the_filtered_awards_with_their_decision_and_round(
    client, round_award, commune_award, district_staff
):
    client.force_login(district_staff)
    response = client.get(reverse("campaigns:award_list"), {"export": "csv", "year": "2024"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 2
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record[_("Decision")] == "1-QĐ/HU"
    assert record[_("Round")] == "03/2024"
    assert record[_("Form")] == str(AwardForm.CERTIFICATE.label)
    assert record[_("Date")] == "05/04/2024"

    response = client.get(reverse("campaigns:award_list"), {"export": "xlsx"})
    values = list(load_workbook(io.BytesIO(response.content)).active.values)
    assert len(values) == 3


def test_empty_list_says_how_to_record_an_award(client, tree, district_staff, leader):
    client.force_login(district_staff)
    response = client.get(reverse("campaigns:award_list"))
    assert _("No awards recorded yet").encode() in response.content
    assert reverse("campaigns:award_create").encode() in response.content
    client.force_login(leader)
    response = client.get(reverse("campaigns:award_list"))
    assert reverse("campaigns:award_create").encode() not in response.content


@pytest.mark.parametrize("count", [2, 15])
def test_list_query_count_does_not_grow_with_rows(
    client, tree, closed_round, district_staff, django_assert_max_num_queries, count
):
    for index in range(count):
        services.award_create(
            user=district_staff,
            values={
                "round": closed_round,
                "recipient_unit": tree.village_a,
                "form": AwardForm.PRIZE,
                "prize_value_vnd": 500_000,
                "issuer": tree.ban_dan_van,
                "date": date(2024, 4, 5),
                "reason": f"Giải {index}",
            },
        )
    client.force_login(district_staff)
    with django_assert_max_num_queries(10):
        assert len(listed(client)) == count


# --- Recording ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("district_staff", 200),
        ("commune_a_officer", 200),
        ("leader", 403),
        ("viewer", 403),
        ("agency_officer", 403),
    ],
)
def test_award_create_page_by_role(client, tree, request, persona, expected):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("campaigns:award_create")).status_code == expected
    response = client.post(reverse("campaigns:award_create"), award_post(tree))
    assert response.status_code == (302 if expected == 200 else expected)
    assert Award.objects.count() == (1 if expected == 200 else 0)


def test_anonymous_is_sent_to_login_from_every_award_page(client, tree, commune_award):
    for url in (
        reverse("campaigns:award_list"),
        reverse("campaigns:award_create"),
        reverse("campaigns:award_delete", args=[commune_award.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login")), url
    client.post(reverse("campaigns:award_delete", args=[commune_award.pk]))
    assert Award.objects.count() == 1


def test_the_ranking_link_prefills_the_round_and_the_unit(client, tree, closed_round, district_staff):
    client.force_login(district_staff)
    url = reverse("campaigns:award_create") + f"?round={closed_round.pk}&unit={tree.village_a.pk}"
    initial = client.get(url).context["form"].initial
    assert initial["round"] == closed_round
    assert initial["movement"] == closed_round.movement
    assert initial["recipient_unit"] == tree.village_a
    assert initial["issuer"] == tree.ban_dan_van

    data = award_post(tree, round=closed_round.pk, form="prize", prize_value_vnd="1.500.000")
    response = client.post(reverse("campaigns:award_create"), data)
    award = Award.objects.get()
    assert response.url == reverse("campaigns:movement_detail", args=[closed_round.movement.pk]) + "#awards"
    assert (award.movement, award.round, award.prize_value_vnd) == (closed_round.movement, closed_round, 1_500_000)
    page = client.get(reverse("campaigns:movement_detail", args=[closed_round.movement.pk]))
    assert [row["award"] for row in page.context["awards"]] == [award]


@pytest.mark.parametrize(("persona", "expected"), [("commune_a_officer", 403), ("other_staff", 404)])
def test_a_round_award_is_for_the_movements_staff_only(client, tree, request, closed_round, persona, expected):
    client.force_login(request.getfixturevalue(persona))
    url = reverse("campaigns:award_create") + f"?round={closed_round.pk}&unit={tree.village_a.pk}"
    assert client.get(url).status_code == expected


def test_a_commune_officer_cannot_attach_an_award_to_the_movement(client, tree, closed_round, commune_a_officer):
    client.force_login(commune_a_officer)
    data = award_post(tree, movement=closed_round.movement.pk, round=closed_round.pk)
    response = client.post(reverse("campaigns:award_create"), data)
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"movement", "round"}
    assert Award.objects.count() == 0


def test_a_commune_officer_cannot_award_a_unit_of_another_commune(client, tree, commune_a_officer):
    client.force_login(commune_a_officer)
    response = client.post(reverse("campaigns:award_create"), award_post(tree, recipient_unit=tree.village_b.pk))
    assert response.status_code == 200
    assert response.context["form"].errors["recipient_unit"]
    assert Award.objects.count() == 0


def test_a_sum_of_money_on_a_certificate_is_refused_with_the_services_message(client, tree, district_staff):
    client.force_login(district_staff)
    data = award_post(tree, form="certificate", prize_value_vnd="500.000")
    response = client.post(reverse("campaigns:award_create"), data)
    assert response.status_code == 200
    assert response.context["form"].errors["prize_value_vnd"] == [_("Only a prize carries a sum of money.")]
    assert Award.objects.count() == 0


# --- Deleting -------------------------------------------------------------------------------------


def test_deleting_asks_for_confirmation_first(client, round_award, district_staff):
    client.force_login(district_staff)
    url = reverse("campaigns:award_delete", args=[round_award.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "Dẫn đầu tháng 3/2024".encode() in page.content
    assert Award.objects.count() == 1

    response = client.post(url)
    assert response.url == reverse("campaigns:award_list")
    assert Award.objects.count() == 0


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("commune_a_officer", 403), ("leader", 403), ("viewer", 403), ("commune_b_officer", 404), ("other_staff", 404)],
)
def test_deleting_a_round_award_is_for_the_movements_staff(client, request, round_award, persona, expected):
    client.force_login(request.getfixturevalue(persona))
    url = reverse("campaigns:award_delete", args=[round_award.pk])
    assert client.get(url).status_code == expected
    assert client.post(url).status_code == expected
    assert Award.objects.count() == 1


def test_a_commune_officer_deletes_an_award_of_their_commune(client, commune_award, commune_b_officer):
    client.force_login(commune_b_officer)
    response = client.post(reverse("campaigns:award_delete", args=[commune_award.pk]))
    assert response.status_code == 302
    assert Award.objects.count() == 0


def test_a_models_page_link_prefills_the_model_and_its_locality(client, tree, commune_a_officer, commune_b_officer):
    model = services.dvk_model_create(
        user=commune_a_officer,
        data=services.DvkModelInput(
            values={
                "name": "Nếp sống văn hóa mới",
                "field": "culture_society",
                "level": "village",
                "owner_unit": tree.commune_a,
                "locality": tree.village_a,
                "registered_on": date(2024, 3, 1),
            }
        ),
    )
    url = reverse("campaigns:award_create") + f"?dvk_model={model.pk}"
    client.force_login(commune_a_officer)
    initial = client.get(url).context["form"].initial
    assert (initial["dvk_model"], initial["recipient_unit"]) == (model, tree.village_a)
    client.force_login(commune_b_officer)
    assert client.get(url).status_code == 404
