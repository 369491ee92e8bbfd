"""The shared cast: a small district tree and one user per role (STYLE.md, Tests).

``tree`` builds province → district (with its Party bodies and one department) → communes A
and B, each with a village. Users: district staff, commune officer of A, commune officer of B,
agency officer, leader, viewer, admin. Tests needing the real Bảo Yên data use ``bao_yen``.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from datetime import date

import pytest

from organization.models import Role, Unit, UnitKind, User
from organization.tests.factories import MembershipFactory, TermFactory, UnitFactory, UserFactory

PASSWORD = "correct-horse-battery"

# CI sets DANVAN_REQUIRE_ALL=1: a skipped integration or browser test then fails the run, so a
# missing PostgreSQL, Redis or Chromium can never turn CI green by skipping.
REQUIRE_ALL = os.environ.get("DANVAN_REQUIRE_ALL") == "1"


def _missing_service(item) -> str | None:
    using_postgres = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
    marker = item.get_closest_marker("integration")
    if marker:
        needs = marker.kwargs.get("needs", ("postgres", "redis"))
        if "postgres" in needs and not using_postgres:
            return "needs DATABASE_URL pointing at PostgreSQL"
        if "redis" in needs and not os.environ.get("REDIS_URL"):
            return "needs REDIS_URL"
    if item.get_closest_marker("e2e") and not shutil.which("chromium"):
        return "needs Debian's chromium (apt-get install chromium)"
    return None


def pytest_runtest_setup(item):
    reason = _missing_service(item)
    if reason is None:
        return
    if REQUIRE_ALL:
        pytest.fail(f"required test cannot run here: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if REQUIRE_ALL and report.skipped and not hasattr(report, "wasxfail"):
        # Any skip, however it was raised, fails the run in CI.
        report.outcome = "failed"
        report.longrepr = f"skipped in CI, which requires every test to run: {report.longrepr}"


@dataclass
class Tree:
    province: Unit
    district: Unit
    party_committee: Unit
    ban_dan_van: Unit
    standing_board: Unit
    peoples_committee: Unit
    agency: Unit
    commune_a: Unit
    village_a: Unit
    commune_b: Unit
    village_b: Unit


@pytest.fixture
def tree(db) -> Tree:
    province = UnitFactory(key="t-province", name="Tỉnh Lào Cai", kind=UnitKind.PROVINCE, valid_from=date(1991, 1, 1))
    district = UnitFactory(
        key="t-district", name="Huyện Bảo Yên", kind=UnitKind.DISTRICT, parent=province, valid_to=date(2025, 6, 30)
    )
    committee = UnitFactory(
        key="t-hu",
        name="Huyện ủy Bảo Yên",
        kind=UnitKind.PARTY_COMMITTEE,
        parent=district,
        doc_symbol="HU",
        valid_to=date(2025, 6, 30),
    )
    bdv = UnitFactory(
        key="t-bdv",
        name="Ban Dân vận Huyện ủy",
        kind=UnitKind.BOARD,
        parent=committee,
        doc_symbol="BDVHU",
        valid_to=date(2025, 6, 30),
    )
    standing = UnitFactory(
        key="t-tthu",
        name="Thường trực Huyện ủy",
        kind=UnitKind.STANDING_BOARD,
        parent=committee,
        valid_to=date(2025, 6, 30),
    )
    ubnd = UnitFactory(
        key="t-ubnd",
        name="UBND huyện Bảo Yên",
        kind=UnitKind.PEOPLES_COMMITTEE,
        parent=district,
        doc_symbol="UBND",
        valid_to=date(2025, 6, 30),
    )
    agency = UnitFactory(
        key="t-tnmt",
        name="Phòng Tài nguyên và Môi trường",
        kind=UnitKind.DEPARTMENT,
        parent=ubnd,
        valid_to=date(2025, 6, 30),
    )
    commune_a = UnitFactory(
        key="t-vinh-yen", name="Xã Vĩnh Yên", parent=district, code="02956", valid_to=date(2025, 6, 30)
    )
    village_a = UnitFactory(
        key="t-tong-kim", name="Bản Tổng Kim", kind=UnitKind.VILLAGE, parent=commune_a, valid_to=date(2025, 6, 30)
    )
    commune_b = UnitFactory(
        key="t-nghia-do", name="Xã Nghĩa Đô", parent=district, code="02953", valid_to=date(2025, 6, 30)
    )
    village_b = UnitFactory(
        key="t-na-pong", name="Thôn Nà Pồng", kind=UnitKind.VILLAGE, parent=commune_b, valid_to=date(2025, 6, 30)
    )
    TermFactory(unit=committee, name="khóa XXII", start_date=date(2020, 8, 1), end_date=date(2025, 6, 30))
    return Tree(province, district, committee, bdv, standing, ubnd, agency, commune_a, village_a, commune_b, village_b)


def _member(username: str, unit: Unit, role: str, body: Unit | None = None) -> User:
    user = UserFactory(username=username, password=PASSWORD)
    MembershipFactory(user=user, unit=unit, role=role, body=body)
    return user


@pytest.fixture(scope="module")
def demo_data(django_db_setup, django_db_blocker):
    """The whole demo (`seed_demo`), loaded once per test module: seeding takes seconds.

    It is loaded inside a transaction rolled back after the module; each test's own transaction
    nests inside it, so the tests of the module still cannot see each other's writes.
    """
    from io import StringIO

    from django.core.management import call_command
    from django.db import transaction

    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", force=True, verbosity=0, stdout=StringIO())
        yield
        transaction.set_rollback(True)


@pytest.fixture
def bao_yen(db) -> None:
    """The real Lào Cai / Bảo Yên units from organization/data/units.yaml."""
    from django.core.management import call_command

    call_command("load_units", verbosity=0)


@pytest.fixture
def district_staff(tree) -> User:
    return _member("staff", tree.district, Role.DISTRICT_STAFF, tree.ban_dan_van)


@pytest.fixture
def commune_a_officer(tree) -> User:
    return _member("officer_a", tree.commune_a, Role.COMMUNE_OFFICER)


@pytest.fixture
def commune_b_officer(tree) -> User:
    return _member("officer_b", tree.commune_b, Role.COMMUNE_OFFICER)


@pytest.fixture
def agency_officer(tree) -> User:
    return _member("agency", tree.agency, Role.AGENCY_OFFICER)


@pytest.fixture
def leader(tree) -> User:
    return _member("leader", tree.district, Role.LEADER, tree.standing_board)


@pytest.fixture
def viewer(tree) -> User:
    return _member("viewer", tree.commune_a, Role.VIEWER)


@pytest.fixture
def portal_admin(tree) -> User:
    return UserFactory(username="admin", password=PASSWORD, is_superuser=True, is_staff=True)
