"""Report rows for the renderer tests: the shared ``tree`` units and hand-made figures.

The figures start from ``sections.build`` on the tree (the real structure, every key the
renderers read) and are then overwritten with chosen values, so the tests can look for
"1.234.567.000" or "tăng 20% so với quý trước". Overwriting a key that ``build`` no longer
produces fails loudly: a renamed figure must be noticed by the renderers too.
"""

from __future__ import annotations

from copy import deepcopy
from datetime import date
from typing import Any

from organization.models import DocumentKind, UnitKind, UnitSuccession
from organization.services import document_issue
from organization.tests.factories import PersonFactory, TermFactory, UnitFactory
from reports import sections
from reports.models import BuildState, Report, ReportStatus
from reports.periods import Period


class Whole(dict):
    """A value that replaces the built one as a whole (a data dict: its keys are not schema)."""


KPIS_NOW = {
    "programs": 12,
    "value_mobilized_vnd": 1_234_567_000,
    "person_times": 2345,
    "dialogues": 8,
    "petitions_received": 40,
    "petitions_resolved": 25,
    "petitions_overdue": 3,
    "on_time_rate": "87.5",
    "land_donated_m2": "1234.50",
    "clearance_percent": "96.4",
    "movement_units_scored": 30,
    "movement_average_score": "81.2",
}
KPIS_PREVIOUS = {**KPIS_NOW, "programs": 10, "value_mobilized_vnd": 1_000_000_000, "petitions_received": 50}
KPIS_LAST_YEAR = {**KPIS_NOW, "petitions_received": 32, "on_time_rate": "80.0", "movement_average_score": None}

SAMPLE: dict[str, Any] = {
    "kpis": KPIS_NOW,
    "previous": {"kpis": KPIS_PREVIOUS},
    "last_year": {"kpis": KPIS_LAST_YEAR},
    "dialogues": {
        "by_host": Whole(standing_board=3, commune_party_committee=5),
        "by_kind": Whole(periodic=6, ad_hoc=2),
        "engagement_meetings": {"meetings": 2, "attendees": 57},
    },
    "petitions": {
        "received": 40,
        "answered_on_spot": 5,
        "assigned": 30,
        "answered": 22,
        "resolved": 25,
        "routed_out": 2,
        "overdue": 3,
        "on_time": {"on_time": 21, "late": 3, "rate": "87.5"},
        "by_field": Whole(land=18, transport=12, disaster=10),
        "by_status": Whole(answered=20, in_progress=12, answered_on_spot=5, assigned=3),
        "by_agency": [
            {
                "agency_id": 1,
                "agency": "Phòng Tài nguyên và Môi trường",
                "assigned": 18,
                "answered": 15,
                "open": 3,
                "overdue": 2,
            },
            {
                "agency_id": 2,
                "agency": '=HYPERLINK("http://x")',
                "assigned": 12,
                "answered": 7,
                "open": 5,
                "overdue": 1,
            },
        ],
        "median_days_to_answer": "6.5",
    },
    "programs": {
        "count": 12,
        "by_level": Whole(district=2, commune=10),
        "value": {
            "value_vnd": 1_234_567_000,
            "qualified": False,
            "qualifier": "exact",
            "by_kind": Whole(cash=234_567_000, in_kind=0, labour_days=1_000_000_000, land=0, assets_on_land=0, trees=0),
        },
        "person_times": {
            "total": 2345,
            "by_category": Whole(officials=345, residents=2000),
            "qualified": True,
            "qualifier": "over",
        },
        "labour_days": {"days": "5000.00", "value_vnd": 1_000_000_000, "qualified": False, "qualifier": "exact"},
        "roads": {
            "count": 3,
            "length_m": "283750.00",
            "km": "283.75",
            "total_investment_vnd": 9_000_000_000,
            "people_share_vnd": 1_500_000_000,
            "by_year": Whole({"2024": {"count": 3, "length_m": "283750.00", "km": "283.75"}}),
        },
        "donations": {
            "donors": 45,
            "area_m2": "1234.50",
            "trees": 120,
            "labour_days": "80.0",
            "cash_vnd": 15_000_000,
            "value_vnd": 350_000_000,
            "trees_by_species": Whole({"bưởi": 100, "quế": 20}),
        },
        "clearance": {
            "projects": 1,
            "key_projects": 1,
            "households": 290,
            "area_ha": "263.26",
            "budget_vnd": 250_000_000_000,
            "disbursed_vnd": 241_000_000_000,
            "disbursed_in_period_vnd": 10_000_000_000,
            "percent": "96.4",
        },
        "clearance_projects": [
            {
                "id": 1,
                "name": "Cảng hàng không Sa Pa",
                "unit": "Huyện Bảo Yên",
                "status": "paid",
                "is_key_project": True,
                "households": 290,
                "area_ha": "263.26",
                "budget_vnd": 250_000_000_000,
                "disbursed_vnd": 241_000_000_000,
                "disbursed_in_period_vnd": 10_000_000_000,
                "percent": "96.4",
            },
        ],
    },
    "campaigns": {
        "coverage": [
            {
                "round_id": 1,
                "movement_id": 1,
                "month": "2024-01-01",
                "status": "closed",
                "eligible": 12,
                "scored": 10,
                "percent": "83.3",
                "by_type": {},
            },
            {
                "round_id": 2,
                "movement_id": 1,
                "month": "2024-02-01",
                "status": "closed",
                "eligible": 12,
                "scored": 10,
                "percent": "83.3",
                "by_type": {},
            },
        ],
        "scores": {
            "cards": 20,
            "average_percent": "81.2",
            "bands": Whole({"below_50": 1, "50_to_65": 2, "65_to_80": 5, "80_plus": 12}),
            "by_type": Whole(
                village={"cards": 16, "average_percent": "80.1"}, school={"cards": 4, "average_percent": "85.6"}
            ),
        },
        "selections": {"selected": 6, "units": 4},
        "awards": {"total": 3, "by_form": Whole(commendation=1, certificate=2, merit=0, prize=0), "prize_value_vnd": 0},
        "models": {"registered": 2, "recognized": 1, "by_field": Whole(economy=2)},
        "commitments": {"signed": 150, "broken": 2},
    },
}


def _overlay(target: dict[str, Any], patch: dict[str, Any], path: str = "") -> None:
    for key, value in patch.items():
        where = f"{path}/{key}"
        assert key in target, f"sections.build no longer produces {where}: update the renderers and this sample"
        if isinstance(value, dict) and not isinstance(value, Whole) and isinstance(target[key], dict):
            _overlay(target[key], value, where)
        else:
            target[key] = deepcopy(dict(value) if isinstance(value, Whole) else value)


def sample_figures(units, period: Period) -> dict[str, Any]:
    """The structure ``sections.build`` gives for the units and period, with the sample values."""
    figures = sections.build(units, period)
    _overlay(figures, SAMPLE)
    for index, row in enumerate(figures["trend"]):
        row.update(programs=index % 3, dialogues=index % 2, petitions_received=index, petitions_resolved=index // 2)
    rows = []
    for rank, (row, activity) in enumerate(zip(figures["communes"], (30, 12), strict=False), start=1):
        rows.append(
            {
                **row,
                "kpis": {**row["kpis"], "programs": activity // 3, "dialogues": 2},
                "activity": activity,
                "rank": rank,
            }
        )
    figures["communes"] = rows
    return figures


QUARTER = Period("quarter", date(2024, 1, 1), date(2024, 3, 31))


def district_report(tree, *, issued: bool = False, number: int = 12, **fields) -> Report:
    """Huyện ủy Bảo Yên's quarterly report (I/2024) on the tree; issued as "Số 12-BC/HU" on
    05/04/2024 when ``issued``."""
    report = Report.objects.create(
        kind=QUARTER.kind,
        period_start=QUARTER.start,
        period_end=QUARTER.end,
        unit=tree.district,
        issuer=tree.party_committee,
        build_state=BuildState.READY,
        figures=sample_figures([tree.district], QUARTER),
        **fields,
    )
    if issued:
        _issue(report, number=number, day=date(2024, 4, 5))
    return report


def new_commune(tree):
    """A commune formed on 1/7/2025 directly under the province, continuing commune B, with its
    Party committee "Đảng ủy xã Nghĩa Đô" (symbol ĐU) and its term."""
    commune = UnitFactory(
        key="t-xa-nghia-do-2025",
        name="Xã Nghĩa Đô",
        kind=UnitKind.COMMUNE,
        parent=tree.province,
        valid_from=date(2025, 7, 1),
    )
    committee = UnitFactory(
        key="t-xa-nghia-do-2025/dang-uy",
        name="Đảng ủy xã Nghĩa Đô",
        kind=UnitKind.PARTY_COMMITTEE,
        parent=commune,
        doc_symbol="ĐU",
        valid_from=date(2025, 7, 1),
    )
    TermFactory(unit=committee, name="nhiệm kỳ 2025–2030", start_date=date(2025, 7, 1), end_date=date(2030, 12, 31))
    UnitSuccession.objects.create(predecessor=tree.commune_b, successor=commune, effective_date=date(2025, 7, 1))
    return commune, committee


def commune_report(tree, *, issued: bool = False, number: int = 3, **fields) -> Report:
    """Đảng ủy xã Nghĩa Đô's quarterly report (III/2025), counting the old commune it continues."""
    commune, committee = new_commune(tree)
    period = Period("quarter", date(2025, 7, 1), date(2025, 9, 30))
    report = Report.objects.create(
        kind=period.kind,
        period_start=period.start,
        period_end=period.end,
        unit=commune,
        issuer=committee,
        include_predecessors=True,
        build_state=BuildState.READY,
        figures=sample_figures([commune, tree.commune_b], period),
        **fields,
    )
    if issued:
        _issue(report, number=number, day=date(2025, 10, 6))
    return report


def _issue(report: Report, *, number: int, day: date) -> None:
    """Give the report the ``number``-th BC number of its issuer (the register's own service)."""
    document = None
    for _ in range(number):
        document = document_issue(
            issuer=report.issuer, kind=DocumentKind.BC, day=day, subject=str(report), created_by=None
        )
    report.document = document
    report.status = ReportStatus.ISSUED
    report.save(update_fields=["document", "status"])


def signer(unit, name: str = "Nguyễn Văn An"):
    return PersonFactory(full_name=name, unit=unit, position="Bí thư")
