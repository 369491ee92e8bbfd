"""``/api/v1/metrics/``: the KPI set of ``reports.kpis`` for a unit and period.

The numbers are ``kpis.compute``'s, unchanged (the consistency across surfaces on the demo data
is ``test_figure_consistency.py``); here: who may ask for which unit, the refusals of bad query
strings, the 2025 successors, and a cost that does not grow with the records.

Time is frozen on 01/06/2024 (Asia/Ho_Chi_Minh).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dialogues.tests.factories import DialogueFactory, petition_input
from organization.tests.factories import UnitFactory
from programs.tests.factories import DonationFactory, ProgramFactory, participation
from reports import kpis

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2024, 6, 1, 9, 0, tzinfo=TZ)
METRICS = "/api/v1/metrics/"
YEAR = "start=2024-01-01&end=2024-12-31"


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture(autouse=True)
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def records(tree) -> None:
    """Commune A: a held program with 120 person-times, a dialogue with two petitions, 120,5 m²
    donated; commune B: a held program and a planned one (not counted)."""
    ProgramFactory(unit=tree.commune_a, date=date(2024, 3, 15), participation=[participation(person_times=120)])
    ProgramFactory(unit=tree.commune_b, date=date(2024, 4, 2))
    ProgramFactory(unit=tree.commune_b, date=date(2024, 5, 2), status="planned")
    DialogueFactory(
        unit=tree.commune_a,
        village=tree.village_a,
        date=date(2024, 2, 20),
        petitions=[petition_input(), petition_input(content="Đề nghị hỗ trợ giống quế.")],
    )
    DonationFactory(unit=tree.commune_a, village=tree.village_a, donated_on=date(2024, 3, 1), area_m2=Decimal("120.5"))


def get(client, unit, query: str = YEAR):
    return client.get(f"{METRICS}?unit={unit.pk}&{query}")


def test_metrics_are_the_kpi_set_of_the_unit_and_period(client, tree, records, district_staff):
    client.force_login(district_staff)

    response = get(client, tree.district)

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["unit"] == {"id": tree.district.pk, "name": "Huyện Bảo Yên", "kind": "district"}
    assert (body["start"], body["end"], body["include_predecessors"]) == ("2024-01-01", "2024-12-31", False)
    assert body["kpis"] == kpis.compute([tree.district], date(2024, 1, 1), date(2024, 12, 31))
    assert list(body["kpis"]) == [kpi.key for kpi in kpis.KPIS]
    assert (body["kpis"]["programs"], body["kpis"]["dialogues"], body["kpis"]["petitions_received"]) == (2, 1, 2)
    assert body["kpis"]["person_times"] == 120
    assert Decimal(body["kpis"]["land_donated_m2"]) == Decimal("120.5")
    assert [d["key"] for d in body["definitions"]] == [kpi.key for kpi in kpis.KPIS]
    assert body["definitions"][0] == {"key": "programs", "label": "Programs held", "unit": "count", "nature": "period"}


def test_a_commune_counts_only_its_own_subtree(client, tree, records, commune_a_officer):
    client.force_login(commune_a_officer)

    body = get(client, tree.commune_a).json()

    assert body["kpis"] == kpis.compute([tree.commune_a], date(2024, 1, 1), date(2024, 12, 31))
    assert (body["kpis"]["programs"], body["kpis"]["petitions_received"]) == (1, 2)
    empty = get(client, tree.commune_a, "start=2023-01-01&end=2023-12-31").json()["kpis"]
    assert (empty["programs"], empty["petitions_received"]) == (0, 0)


def test_a_new_commune_counts_the_units_it_continues_when_asked(client, tree, records, portal_admin):
    merged = UnitFactory(
        key="t-vinh-yen-moi", name="Xã Vĩnh Yên (mới)", parent=tree.province, valid_from=date(2025, 7, 1)
    )
    for old in (tree.commune_a, tree.commune_b):
        old.successors.add(merged, through_defaults={"effective_date": date(2025, 7, 1)})
    client.force_login(portal_admin)

    alone = get(client, merged).json()
    with_old = get(client, merged, f"{YEAR}&include_predecessors=true").json()

    assert alone["kpis"]["programs"] == 0
    assert with_old["include_predecessors"] is True
    assert with_old["kpis"] == kpis.compute(
        [merged, tree.commune_a, tree.commune_b], date(2024, 1, 1), date(2024, 12, 31)
    )
    assert with_old["kpis"]["programs"] == 2


@pytest.mark.parametrize(
    ("persona", "unit", "expected"),
    [
        ("district_staff", "district", 200),
        ("leader", "district", 200),
        ("portal_admin", "district", 200),
        ("viewer", "commune_a", 200),
        ("commune_a_officer", "village_a", 200),
        ("commune_a_officer", "commune_b", 404),
        ("commune_a_officer", "district", 404),
        ("viewer", "district", 404),
        ("agency_officer", "agency", 403),  # an agency sees assigned petitions, never a unit's totals
        ("agency_officer", "commune_a", 403),
    ],
)
def test_who_may_ask_for_which_unit(request, client, tree, persona, unit, expected):
    client.force_login(request.getfixturevalue(persona))

    response = get(client, getattr(tree, unit))

    assert response.status_code == expected, response.content


def test_a_unit_outside_scope_answers_like_a_missing_one(client, tree, commune_a_officer):
    client.force_login(commune_a_officer)

    hidden = get(client, tree.commune_b)
    missing = client.get(f"{METRICS}?unit=999999&{YEAR}")

    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()


def test_anonymous_gets_401_and_writes_405(client, tree, district_staff):
    assert get(client, tree.district).status_code == 401
    client.force_login(district_staff)
    assert client.post(f"{METRICS}?unit={tree.district.pk}&{YEAR}").status_code == 405


@pytest.mark.parametrize(
    ("query", "body"),
    [
        ("start=2024-01-01&end=2024-12-31", {"unit": ["Give the unit (unit id)."]}),
        ("unit=abc&start=2024-01-01&end=2024-12-31", {"unit": ["The unit must be a unit id."]}),
        ("unit={unit}&end=2024-12-31", {"start": ["Give the first day of the period as start=YYYY-MM-DD."]}),
        ("unit={unit}&start=2024-01-01", {"end": ["Give the last day of the period as end=YYYY-MM-DD."]}),
        ("unit={unit}&start=01/01/2024&end=2024-12-31", {"start": ["Write the date as YYYY-MM-DD, e.g. 2024-01-01."]}),
        ("unit={unit}&start=2024-01-01&end=2024-02-30", {"end": ["Write the date as YYYY-MM-DD, e.g. 2024-12-31."]}),
        ("unit={unit}&start=2024-12-31&end=2024-01-01", {"end": ["The period ends before it starts."]}),
        ("unit={unit}&start=2019-01-01&end=2024-12-31", {"end": ["A period covers at most five years."]}),
        (
            "unit={unit}&start=2024-01-01&end=2024-12-31&include_predecessors=maybe",
            {"include_predecessors": ["Must be a valid boolean."]},
        ),
    ],
)
def test_bad_query_strings_are_refused_with_a_clear_message(client, tree, district_staff, query, body):
    client.force_login(district_staff)

    response = client.get(f"{METRICS}?{query.format(unit=tree.district.pk)}")

    assert response.status_code == 400
    assert response.json() == body


def test_five_years_are_allowed(client, tree, district_staff):
    client.force_login(district_staff)

    assert get(client, tree.district, "start=2020-01-01&end=2024-12-31").status_code == 200


def test_the_cost_does_not_grow_with_the_records(client, tree, district_staff, django_assert_max_num_queries):
    client.force_login(district_staff)

    def cost() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert get(client, tree.district).status_code == 200
        return len(queries)

    few = cost()
    for day in range(1, 11):
        ProgramFactory(unit=tree.commune_a, date=date(2024, 3, day), participation=[participation()])
        DialogueFactory(
            unit=tree.commune_b, village=tree.village_b, date=date(2024, 4, day), petitions=[petition_input()]
        )

    many = cost()

    assert many == few
    with django_assert_max_num_queries(few):
        get(client, tree.district)
