"""Reported aggregates through the API: totals printed before the portal, entered with their
source and parts through ``services.reported_aggregate_create`` as on their page. Who may enter
them and for which units, the page's refusals with the page's words, parts that do not add up
(kept and flagged), period locks, and what each user sees.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import translation
from django.utils.translation import gettext as _

from dialogues.models import HostBody, ReportedAggregate, ReportedAggregatePart, ReportedMetric
from reports import services as report_services

AGGREGATES = "/api/v1/reported-aggregates/"
SOURCE = "Bài viết trên Cổng thông tin Tỉnh ủy Lào Cai về công tác dân vận huyện Bảo Yên"


@pytest.fixture(autouse=True)
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


def post(client, data):
    return client.post(AGGREGATES, data, content_type="application/json")


def body(unit, parts=(("2021", 53), ("2022", 54), ("2023", 12)), **changes) -> dict:
    data = {
        "unit": unit.pk,
        "metric": ReportedMetric.DIALOGUES,
        "host_body": HostBody.COMMUNE_PARTY_COMMITTEE,
        "period_start": "2021-01-01",
        "period_end": "2023-12-31",
        "total": 119,
        "source": f"  {SOURCE}  ",
        "parts": [{"label": label, "value": value} for label, value in parts],
    }
    data.update(changes)
    return data


def stored() -> tuple[int, int]:
    return ReportedAggregate.objects.count(), ReportedAggregatePart.objects.count()


def test_a_commune_officer_enters_a_total_with_its_parts_through_the_service(client, tree, commune_a_officer):
    client.force_login(commune_a_officer)

    response = post(client, body(tree.commune_a))

    assert response.status_code == 201, response.content
    aggregate = ReportedAggregate.objects.get()
    answer = response.json()
    assert answer["id"] == aggregate.pk
    assert answer["unit"]["id"] == tree.commune_a.pk
    assert [(part["label"], part["value"]) for part in answer["parts"]] == [("2021", 53), ("2022", 54), ("2023", 12)]
    assert (answer["parts_sum"], answer["adds_up"]) == (119, True)
    assert answer["source"] == SOURCE  # trimmed, as the page does
    # The service's own traces: the author and the history row.
    assert aggregate.created_by == commune_a_officer
    assert aggregate.history.get().history_user == commune_a_officer


def test_parts_that_do_not_add_up_are_kept_and_flagged_like_the_articles_167(client, tree, district_staff):
    client.force_login(district_staff)

    response = post(client, body(tree.district, total=167))

    assert response.status_code == 201
    assert (response.json()["parts_sum"], response.json()["adds_up"]) == (119, False)
    assert stored() == (1, 3)
    listed = client.get(f"{AGGREGATES}?metric=dialogues").json()["results"]
    assert [(item["total"], item["adds_up"]) for item in listed] == [(167, False)]


def test_a_total_without_parts_has_nothing_to_check(client, tree, district_staff):
    client.force_login(district_staff)

    response = post(client, body(tree.district, parts=(), total=167))

    assert response.status_code == 201
    assert (response.json()["parts"], response.json()["parts_sum"], response.json()["adds_up"]) == ([], None, None)


@pytest.mark.parametrize("persona", ["viewer", "leader", "agency_officer"])
def test_roles_that_record_nothing_are_refused_before_the_body_is_read(request, client, tree, persona):
    client.force_login(request.getfixturevalue(persona))

    response = post(client, {})

    assert response.status_code == 403
    assert stored() == (0, 0)


def test_another_communes_unit_is_unknown_and_nothing_is_saved(client, tree, commune_a_officer):
    client.force_login(commune_a_officer)

    response = post(client, body(tree.commune_b))

    assert response.status_code == 400
    assert response.json() == {"unit": [_("Unknown unit.")]}
    assert stored() == (0, 0)


def test_a_unit_the_user_may_only_read_is_refused_by_the_service(client, tree, commune_a_officer):
    from organization.models import Role
    from organization.tests.factories import MembershipFactory

    # Also a viewer of commune B: B is visible, so it is not unknown, but the service refuses it.
    MembershipFactory(user=commune_a_officer, unit=tree.commune_b, role=Role.VIEWER)
    client.force_login(commune_a_officer)

    response = post(client, body(tree.commune_b))

    assert response.status_code == 403
    assert stored() == (0, 0)


def test_a_village_or_a_body_is_not_a_unit_figures_are_reported_for(client, tree, district_staff):
    client.force_login(district_staff)

    village = post(client, body(tree.village_a))
    body_unit = post(client, body(tree.ban_dan_van))

    message = [_("Reported figures belong to a province, a district or a commune.")]
    assert village.json() == {"unit": message} and body_unit.json() == {"unit": message}
    assert stored() == (0, 0)


def test_the_pages_refusals_come_with_the_pages_words(client, tree, district_staff):
    client.force_login(district_staff)

    backwards = post(client, body(tree.district, period_start="2024-01-01"))
    same_label = post(client, body(tree.district, parts=(("2021", 53), ("2021", 54))))
    negative = post(client, body(tree.district, total=-1))

    assert backwards.status_code == 400
    assert backwards.json() == {"period_end": [_("The period ends before it starts.")]}
    assert same_label.json() == {"parts": [_("Each part must have its own label.")]}
    assert list(negative.json()) == ["total"]
    assert stored() == (0, 0)


def test_a_locked_period_refuses_the_figure(client, tree, district_staff):
    report_services.lock_period(
        user=district_staff, unit=tree.district, start=date(2023, 1, 1), end=date(2023, 12, 31), reason="BC năm 2023"
    )
    client.force_login(district_staff)

    response = post(client, body(tree.commune_a))

    assert response.status_code == 400
    assert "BC năm 2023" in str(response.json())
    assert stored() == (0, 0)


def test_each_user_sees_the_figures_of_their_units(client, tree, district_staff, commune_a_officer, commune_b_officer):
    client.force_login(district_staff)
    of_a = post(client, body(tree.commune_a)).json()["id"]
    of_district = post(client, body(tree.district, metric=ReportedMetric.PETITIONS)).json()["id"]

    client.force_login(commune_b_officer)
    assert client.get(AGGREGATES).json()["results"] == []
    assert client.get(f"{AGGREGATES}{of_a}/").status_code == 404

    client.force_login(commune_a_officer)
    assert [item["id"] for item in client.get(AGGREGATES).json()["results"]] == [of_a]

    client.force_login(district_staff)
    assert {item["id"] for item in client.get(AGGREGATES).json()["results"]} == {of_a, of_district}
    assert [item["id"] for item in client.get(f"{AGGREGATES}?unit={tree.commune_a.pk}").json()["results"]] == [of_a]
    assert client.get(f"{AGGREGATES}?date_from=2024-01-01").json()["results"] == []
    assert client.get(f"{AGGREGATES}?metric=nonsense").status_code == 400


def test_a_figure_is_never_changed_or_deleted_through_the_api(client, tree, district_staff):
    client.force_login(district_staff)
    created = post(client, body(tree.district)).json()["id"]

    assert client.patch(f"{AGGREGATES}{created}/", {"total": 1}, content_type="application/json").status_code == 405
    assert client.delete(f"{AGGREGATES}{created}/").status_code == 405
    assert ReportedAggregate.objects.get().total == 119
