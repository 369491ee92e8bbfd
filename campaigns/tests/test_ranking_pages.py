"""The ranking page of a round: shown once the round is closed, per target type, with ties at an
equal rank and the tie rule explained, the selected units marked, an award link for the
movement's managers, a commune filter, exports, scope (404 outside the movement) and a query
count that does not grow with the scorecards."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from campaigns import services
from campaigns.models import Award, AwardForm, Scorecard, TargetType, target_type_of
from campaigns.tests.factories import movement_with_criteria, open_round
from organization.models import Role, UnitKind
from organization.tests.factories import MembershipFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db

MONTH = date(2024, 3, 1)


@pytest.fixture
def movement(tree, district_staff):
    return movement_with_criteria(
        district_staff, tree.district, types=(TargetType.VILLAGE, TargetType.SCHOOL), maxima=("40", "30", "30")
    )


def score(user, round_, unit, values):
    criteria_set = round_.movement.criteria_sets.get(target_type=target_type_of(unit), year=round_.year)
    ids = [c.pk for c in criteria_set.criteria.all()]
    services.grid_save(user=user, round_=round_, rows={unit.pk: dict(zip(ids, values, strict=True))}, submit=True)
    card = Scorecard.objects.get(round=round_, unit=unit)
    return services.scorecard_verify(user=user, scorecard=card)


@pytest.fixture
def units(tree):
    return {
        "ban_vanh": UnitFactory(key="t-ban-vanh", name="Bản Vành", kind=UnitKind.VILLAGE, parent=tree.commune_a),
        "school": UnitFactory(key="t-th-nd", name="Trường TH Nghĩa Đô", kind=UnitKind.SCHOOL, parent=tree.commune_b),
    }


@pytest.fixture
def closed_round(movement, tree, units, district_staff):
    round_ = open_round(district_staff, movement, MONTH)
    score(district_staff, round_, tree.village_a, ["30", "20", "25"])  # 75
    score(district_staff, round_, units["ban_vanh"], ["35", "20", "20"])  # 75: tied with Tổng Kim
    score(district_staff, round_, tree.village_b, ["40", "25", "25"])  # 90
    score(district_staff, round_, units["school"], ["30", "25", "25"])  # 80
    return services.round_close(user=district_staff, round_=round_)


def ranking_url(round_, **query) -> str:
    url = reverse("campaigns:ranking", args=[round_.pk])
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return url


def table_units(response, target=TargetType.VILLAGE) -> list[tuple[int, str]]:
    group = next(g for g in response.context["groups"] if g["type"] == target)
    return [(card.rank_in_type, card.unit.name) for card in group["cards"]]


def test_ranking_shows_each_type_with_ties_sharing_a_rank(client, closed_round, tree, district_staff):
    client.force_login(district_staff)
    response = client.get(ranking_url(closed_round))
    assert response.status_code == 200
    assert table_units(response) == [(1, "Thôn Nà Pồng"), (2, "Bản Tổng Kim"), (2, "Bản Vành")]
    assert table_units(response, TargetType.SCHOOL) == [(1, "Trường TH Nghĩa Đô")]
    village_group = response.context["groups"][0]
    assert village_group["ties"] is True
    page = response.content.decode()
    assert "data-tie-rule" in page and "data-ties" in page
    assert page.count("data-selected") == 2  # Nà Pồng 90 % and the school 80 %; the 75 % ties fall short


def test_commune_officer_sees_the_whole_ranking_but_links_only_own_cards(client, closed_round, tree, commune_b_officer):
    client.force_login(commune_b_officer)
    response = client.get(ranking_url(closed_round))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Bản Tổng Kim" in page  # announced publicly at the monthly conference
    own = Scorecard.objects.get(unit=tree.village_b)
    other = Scorecard.objects.get(unit=tree.village_a)
    assert reverse("campaigns:scorecard_detail", args=[own.pk]) in page
    assert reverse("campaigns:scorecard_detail", args=[other.pk]) not in page
    assert "Record an award" not in page and not response.context["may_award"]


def test_managers_get_an_award_link_for_selected_units(client, closed_round, tree, district_staff):
    client.force_login(district_staff)
    page = client.get(ranking_url(closed_round)).content.decode()
    award = reverse("campaigns:award_create")
    assert f"{award}?round={closed_round.pk}&amp;unit={tree.village_b.pk}" in page
    assert f"{award}?round={closed_round.pk}&amp;unit={tree.village_a.pk}" not in page


def test_recorded_awards_are_marked(client, closed_round, tree, district_staff):
    services.award_create(
        user=district_staff,
        values={
            "round": closed_round,
            "recipient_unit": tree.village_b,
            "form": AwardForm.COMMENDATION,
            "issuer": tree.district,
            "date": date(2024, 4, 5),
            "reason": "Dẫn đầu tháng 3",
        },
    )
    client.force_login(district_staff)
    response = client.get(ranking_url(closed_round))
    assert response.context["awarded"] == {tree.village_b.pk}
    assert response.content.decode().count("data-awarded") == 1
    assert Award.objects.count() == 1


def test_filter_by_commune_keeps_ranks_in_type(client, closed_round, tree, district_staff):
    client.force_login(district_staff)
    response = client.get(ranking_url(closed_round, commune=tree.commune_a.pk))
    assert table_units(response) == [(2, "Bản Tổng Kim"), (2, "Bản Vành")]
    assert [g["type"] for g in response.context["groups"]] == [TargetType.VILLAGE]
    assert {c.pk for c in response.context["communes"]} == {tree.commune_a.pk, tree.commune_b.pk}


def test_open_round_says_the_ranking_appears_when_it_closes(client, movement, district_staff, commune_a_officer):
    round_ = open_round(district_staff, movement, MONTH)
    client.force_login(commune_a_officer)
    response = client.get(ranking_url(round_))
    assert response.status_code == 200
    assert "data-ranking-pending" in response.content.decode()
    assert "groups" not in response.context


def test_user_outside_the_movement_gets_404(client, closed_round, tree):
    other = UnitFactory(key="other-district", name="Huyện Khác", kind=UnitKind.DISTRICT, parent=tree.province)
    stranger = UserFactory(username="stranger")
    MembershipFactory(user=stranger, unit=other, role=Role.LEADER)
    client.force_login(stranger)
    assert client.get(ranking_url(closed_round)).status_code == 404
    assert client.get(ranking_url(closed_round, export="csv")).status_code == 404


def test_anonymous_is_sent_to_sign_in(client, closed_round):
    response = client.get(ranking_url(closed_round))
    assert response.status_code == 302 and reverse("login") in response["Location"]


@pytest.mark.parametrize("persona", ["leader", "viewer", "agency_officer"])
def test_read_only_roles_read_the_ranking(client, closed_round, request, persona):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(ranking_url(closed_round))
    assert response.status_code == 200
    assert table_units(response)[0] == (1, "Thôn Nà Pồng")


def test_csv_export_holds_the_filtered_ranking(client, closed_round, tree, district_staff):
    client.force_login(district_staff)
    response = client.get(ranking_url(closed_round, commune=tree.commune_a.pk, export="csv"))
    assert response["Content-Type"].startswith("text/csv")
    header, *rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(header) == 10
    assert [(row[1], row[2], row[5]) for row in rows] == [("2", "Bản Tổng Kim", "75.00"), ("2", "Bản Vành", "75.00")]


def test_xlsx_export_keeps_numbers_as_numbers(client, closed_round, district_staff):
    client.force_login(district_staff)
    response = client.get(ranking_url(closed_round, export="xlsx"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 5  # header + 4 ranked units
    assert rows[1][2] == "Thôn Nà Pồng" and rows[1][1] == 1 and float(rows[1][5]) == 90


def test_closed_round_without_verified_cards_shows_the_empty_state(client, movement, district_staff):
    round_ = open_round(district_staff, movement, MONTH)
    services.round_close(user=district_staff, round_=round_)
    client.force_login(district_staff)
    response = client.get(ranking_url(round_))
    assert response.context["groups"] == []
    assert "empty-state" in response.content.decode()


def test_ranking_query_count_does_not_grow_with_cards(
    client, movement, tree, district_staff, django_assert_max_num_queries
):
    counts = []
    for month, villages in ((3, 3), (4, 10)):
        round_ = open_round(district_staff, movement, date(2024, month, 1))
        for index in range(villages):
            key = f"t-rank-{index}"
            village = (
                UnitFactory(key=key, name=f"Thôn {index:02d}", kind=UnitKind.VILLAGE, parent=tree.commune_a)
                if month == 3 or index >= 3
                else tree.commune_a.children.get(key=key)
            )
            score(district_staff, round_, village, [str(10 + index), "20", "20"])
        services.round_close(user=district_staff, round_=round_)
        client.force_login(district_staff)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(ranking_url(round_))
        assert sum(len(g["cards"]) for g in response.context["groups"]) == villages
        counts.append(len(queries))
    assert counts[0] == counts[1]
    with django_assert_max_num_queries(10):
        client.get(ranking_url(round_))
