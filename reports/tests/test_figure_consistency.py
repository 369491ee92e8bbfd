"""One definition per figure (issue 6, point 8): for the same unit and period, every KPI of
``reports.kpis.KPIS`` is the same number on every surface —

(a) ``reports.kpis.compute``, the definition;
(b) the API, ``/api/v1/metrics/``;
(c) a compiled report's frozen ``figures["kpis"]`` (also as ``/api/v1/reports/{id}/`` serves it),
    with its previous-period, last-year and commune-ranking blocks;
(d) the leaders' dashboard (``reports:dashboard``: the figures in its context and its cards);
(e) the exports of the lists behind a figure (the dashboard's drill-down links with
    ``?export=csv``): rows of petitions received, dialogues held and programs held, the land
    column of the donations.

On the demo (seeded once for the module), for the year 2024 and its quarter IV, for Bảo Yên
(as its leader sees it) and for the commune Nghĩa Đô formed in 2025 together with the old
communes it continues (Nghĩa Đô, Vĩnh Yên: ``include_predecessors``, the dashboard's
``predecessors=1``), as the administrator sees it: the only Party committee of a commune with a
document symbol in the demo is a 2025 one. The old commune Vĩnh Yên is checked in the district's
commune ranking. The reports are compiled once for the module through the service and the task,
with the files skipped (``render_all`` replaced): their figures are what is compared.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse

from organization.models import Unit, User
from reports import dashboard, kpis, services, tasks
from reports.models import BuildState, Report
from reports.periods import Period, previous, same_period_last_year

pytestmark = pytest.mark.django_db

DISTRICT, NEW_COMMUNE, OLD_COMMUNE = "bao-yen", "xa-nghia-do", "bao-yen/vinh-yen"
#: Who looks at each unit: the district's leader; for the 2025 commune (outside the old district)
#: the administrator.
VIEWERS = {DISTRICT: "demo_leader", NEW_COMMUNE: "demo_admin"}
PERIODS = {
    "year": Period("year", date(2024, 1, 1), date(2024, 12, 31)),
    "quarter": Period("quarter", date(2024, 10, 1), date(2024, 12, 31)),
}
CASES = [(unit, kind) for unit in (DISTRICT, NEW_COMMUNE) for kind in PERIODS]
CASE_IDS = [f"{unit}-{kind}" for unit, kind in CASES]


def scope(key: str) -> list[Unit]:
    """The units a report on ``key`` counts: a 2025 commune with the old units it continues."""
    unit = Unit.objects.get(key=key)
    return [unit, *unit.predecessors.order_by("path")] if key == NEW_COMMUNE else [unit]


@pytest.fixture(scope="module")
def compiled(demo_data, django_db_blocker) -> dict[tuple[str, str], int]:
    """The four reports, created by the district's staff (the commune's by the administrator) and
    compiled by the task, once for the module (inside the demo's transaction, rolled back after
    the module)."""
    found: dict[tuple[str, str], int] = {}
    with django_db_blocker.unblock(), pytest.MonkeyPatch.context() as patch:
        patch.setattr("reports.render.render_all", lambda report: {})
        for key, kind in CASES:
            period = PERIODS[kind]
            report = services.report_create(
                user=User.objects.get(username="demo_district" if key == DISTRICT else "demo_admin"),
                kind=kind,
                period_start=period.start,
                period_end=period.end,
                unit=Unit.objects.get(key=key),
                include_predecessors=key == NEW_COMMUNE,
            )
            assert tasks.compile_report(report.pk) == "ready"
            found[(key, kind)] = report.pk
    return found


@pytest.fixture(autouse=True)
def fresh_cache():
    # The dashboard caches its figures per unit and period; another module may have left some.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def login(client, key: str) -> None:
    client.force_login(User.objects.get(username=VIEWERS.get(key, "demo_leader")))


def same(values: dict[str, object]) -> bool:
    """All surfaces give the identical JSON value (``"12.5"`` and ``12.5`` would differ)."""
    return len({json.dumps(value) for value in values.values()}) == 1


def dashboard_response(client, unit: Unit, period: Period, *, predecessors: bool = False):
    params = {"unit": unit.pk, **dashboard.period_params(period), **({"predecessors": "1"} if predecessors else {})}
    response = client.get(reverse("reports:dashboard"), params)
    assert response.status_code == 200
    assert response.context["problems"] == []
    assert response.context["period"] == period
    return response


@pytest.mark.parametrize(("key", "kind"), CASES, ids=CASE_IDS)
def test_every_kpi_is_the_same_number_on_every_surface(client, compiled, key, kind):
    units, period, with_old = scope(key), PERIODS[kind], key == NEW_COMMUNE
    report = Report.objects.get(pk=compiled[(key, kind)])
    assert report.build_state == BuildState.READY
    assert set(report.scope_units()) == set(units)
    login(client, key)

    defined = kpis.compute(units, period.start, period.end)
    query = {"unit": units[0].pk, "start": period.start, "end": period.end, "include_predecessors": with_old}
    api = client.get("/api/v1/metrics/", query)
    assert api.status_code == 200
    served_report = client.get(f"/api/v1/reports/{report.pk}/")
    assert served_report.status_code == 200
    page = dashboard_response(client, units[0], period, predecessors=with_old)
    assert page.context["with_predecessors"] is with_old
    cards = {card["key"]: card["value"] for card in page.context["cards"]}

    surfaces = {
        "kpis.compute": defined,
        "/api/v1/metrics/": api.json()["kpis"],
        "report.figures": report.figures["kpis"],
        "/api/v1/reports/{id}/": served_report.json()["figures"]["kpis"],
        "dashboard": page.context["figures"]["period"]["kpis"],
    }
    differing = {
        kpi.key: {surface: values.get(kpi.key, "<missing>") for surface, values in surfaces.items()}
        for kpi in kpis.KPIS
        if not same({surface: values.get(kpi.key, "<missing>") for surface, values in surfaces.items()})
    }
    assert differing == {}
    # The cards show the same numbers (as numbers: Decimals travel as strings).
    assert cards == {kpi.key: dashboard.number(defined[kpi.key]) for kpi in kpis.KPIS}
    # Every surface has exactly the KPI set, nothing more.
    assert all(set(values) == set(kpis.BY_KEY) for values in surfaces.values())


@pytest.mark.parametrize(("key", "kind"), CASES, ids=CASE_IDS)
def test_comparisons_are_the_same_in_the_report_and_on_the_dashboard(client, compiled, key, kind):
    units, period = scope(key), PERIODS[kind]
    figures = Report.objects.get(pk=compiled[(key, kind)]).figures
    login(client, key)
    page = dashboard_response(client, units[0], period, predecessors=key == NEW_COMMUNE).context["figures"]

    for block, other in (("previous", previous(period)), ("last_year", same_period_last_year(period))):
        defined = kpis.compute(units, other.start, other.end)
        assert (figures[block]["start"], figures[block]["end"]) == (other.start.isoformat(), other.end.isoformat())
        assert figures[block]["kpis"] == defined, block
        assert page[block]["kpis"] == defined, block


@pytest.mark.parametrize("kind", PERIODS)
def test_the_commune_ranking_rows_are_the_communes_own_figures(client, compiled, kind):
    district, commune, period = Unit.objects.get(key=DISTRICT), Unit.objects.get(key=OLD_COMMUNE), PERIODS[kind]
    report_rows = {row["unit_id"]: row for row in Report.objects.get(pk=compiled[(DISTRICT, kind)]).figures["communes"]}
    login(client, DISTRICT)
    page_rows = {row["unit_id"]: row for row in dashboard_response(client, district, period).context["communes"]}
    new_commune_rows = {
        row["unit_id"]: row for row in Report.objects.get(pk=compiled[(NEW_COMMUNE, kind)]).figures["communes"]
    }

    defined = kpis.compute([commune], period.start, period.end)

    assert report_rows[commune.pk]["kpis"] == defined
    assert page_rows[commune.pk]["kpis"] == defined
    # The 2025 commune's report ranks the old communes it continues, Vĩnh Yên among them.
    assert new_commune_rows[commune.pk]["kpis"] == defined
    assert set(report_rows) == set(page_rows)
    assert all(page_rows[pk]["kpis"] == row["kpis"] for pk, row in report_rows.items())


def test_the_demo_gives_the_comparison_something_to_compare(compiled):
    """Equal zeros would prove nothing: the demo's 2024 has records behind the main figures."""
    figures = Report.objects.get(pk=compiled[(DISTRICT, "year")]).figures["kpis"]
    commune = Report.objects.get(pk=compiled[(NEW_COMMUNE, "year")]).figures["kpis"]

    for key in ("programs", "value_mobilized_vnd", "person_times", "dialogues", "petitions_received"):
        assert figures[key] > 0, key
    assert Decimal(figures["land_donated_m2"]) > 0
    assert commune["programs"] > 0 and commune["petitions_received"] > 0
    assert commune["programs"] < figures["programs"]


# --- (e) the exports behind the figures -----------------------------------------------------------


def export_rows(client, url: str, **extra: str) -> list[dict[str, str]]:
    """The rows of a list's CSV export (the list's own filters, plus ``extra``)."""
    separator = "&" if "?" in url else "?"
    query = "&".join(f"{name}={value}" for name, value in {**extra, "export": "csv"}.items())
    response = client.get(f"{url}{separator}{query}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.mark.parametrize(("key", "kind"), CASES, ids=CASE_IDS)
def test_the_exports_behind_a_figure_hold_that_many_records(client, compiled, key, kind):
    units, period = scope(key), PERIODS[kind]
    defined = kpis.compute(units, period.start, period.end)
    login(client, key)
    petitions, donations, programs = [], [], 0
    for unit in units:  # a list filters one unit: the old communes' lists are added up
        links = dashboard.record_links(unit, period)  # the dashboard's drill-down from each card
        petitions += export_rows(client, links["petitions_received"])
        donations += export_rows(client, links["land_donated_m2"])
        # Programs count once held (held or reviewed); the list filters one status at a time.
        programs += sum(len(export_rows(client, links["programs"], status=status)) for status in ("held", "reviewed"))

    assert len(petitions) == defined["petitions_received"]
    # The donation export uses the land-donation import template's headers (imports/kinds/roads.py).
    assert sum(Decimal(row["Diện tích đất (m²)"] or "0") for row in donations) == Decimal(defined["land_donated_m2"])
    assert programs == defined["programs"]


def test_the_dialogue_export_of_the_district_holds_its_dialogues(client, compiled):
    """The dialogue list's unit filter also finds a district dialogue by the commune it was held
    in (a place filter), while the figure counts dialogues by the unit that held them; for the
    district, whose subtree holds both, they are the same rows."""
    login(client, DISTRICT)
    for period in PERIODS.values():
        unit = Unit.objects.get(key=DISTRICT)
        defined = kpis.compute([unit], period.start, period.end)

        dialogues = export_rows(client, dashboard.record_links(unit, period)["dialogues"])

        assert len(dialogues) == defined["dialogues"]
