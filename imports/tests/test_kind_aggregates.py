"""The reported-figures import, with parts in one cell."""

from datetime import date

import pytest
from django.urls import reverse

from dialogues.models import ReportedAggregate, ReportedMetric
from imports import services
from imports.kinds import REGISTRY
from imports.kinds.aggregates import parse_parts
from imports.tests.helpers import handle, problem_texts, workbook_bytes

KIND = REGISTRY["aggregates"]
SHEET = "Số liệu tổng hợp"


def figure(**values):
    base = {
        "unit": "Huyện Bảo Yên",
        "metric": str(ReportedMetric.DIALOGUES.label),
        "period_start": date(2021, 1, 1),
        "period_end": date(2024, 12, 31),
        "total": "1.304",
        "source": "Báo cáo số 12-BC/BDVHU",
        "parts": "2021: 300; 2022: 304; 2023: 350; 2024: 350",
    }
    base.update(values)
    return base


def test_parts_are_read_from_one_cell():
    assert parse_parts("2021: 70; 2022: 1.080") == [("2021", 70), ("2022", 1080)]
    assert parse_parts("") == []
    with pytest.raises(ValueError):
        parse_parts("2021 = 70")
    with pytest.raises(ValueError):
        parse_parts("2021: 1; 2021: 2")


def test_figures_import_with_their_parts_and_are_not_duplicated(tree, district_staff):
    data = workbook_bytes("aggregates", {SHEET: [figure()]})
    services.execute(KIND, handle(data), district_staff)
    aggregate = ReportedAggregate.objects.get()
    assert (aggregate.unit, aggregate.total) == (tree.district, 1304)
    assert [(part.label, part.value) for part in aggregate.parts.all()] == [
        ("2021", 300),
        ("2022", 304),
        ("2023", 350),
        ("2024", 350),
    ]
    again = services.execute(KIND, handle(data), district_staff)
    assert again.plan.existing[SHEET] == 1
    assert ReportedAggregate.objects.count() == 1


def test_bad_parts_and_reversed_periods_are_reported(district_staff):
    data = workbook_bytes(
        "aggregates", {SHEET: [figure(parts="2021 - 70"), figure(period_end=date(2020, 1, 1), metric="petitions")]}
    )
    outcome = services.attempt(KIND, handle(data), district_staff, write=False)
    texts = problem_texts(outcome.problems)
    assert len(texts) == 2
    assert ReportedAggregate.objects.count() == 0


def test_a_commune_officer_cannot_report_for_the_district(commune_a_officer):
    outcome = services.attempt(
        KIND, handle(workbook_bytes("aggregates", {SHEET: [figure()]})), commune_a_officer, write=False
    )
    assert len(outcome.problems) == 1


def test_round_trip_of_the_reported_figures_list(client, district_staff):
    services.execute(
        KIND,
        handle(workbook_bytes("aggregates", {SHEET: [figure(), figure(metric="petitions", total=7, parts="")]})),
        district_staff,
    )
    fields = ("unit_id", "metric", "host_body", "period_start", "period_end", "total", "source", "note")
    before = sorted(ReportedAggregate.objects.values_list(*fields))
    parts_before = sorted(ReportedAggregate.objects.values_list("parts__label", "parts__value"), key=str)
    client.force_login(district_staff)
    exported = client.get(reverse("dialogues:aggregate_list"), {"export": "xlsx"})
    assert exported.status_code == 200
    ReportedAggregate.objects.all().delete()
    outcome = services.execute(KIND, handle(exported.content), district_staff)
    assert not problem_texts(outcome.problems)
    assert sorted(ReportedAggregate.objects.values_list(*fields)) == before
    assert sorted(ReportedAggregate.objects.values_list("parts__label", "parts__value"), key=str) == parts_before
