"""campaigns.metrics against a small dataset counted by hand, written through the services.

Units: province → district D (its offices: the Huyện ủy, the Ban Dân vận, the UBND and a
department, all of target type "office") → commune A (villages a, a2; school sA) and commune B
(villages b, b2; village "old", dissolved on 31/01/2024; religious group rgB); A also holds rgA.
Another district X (commune → village x, religious group rgX) has its own movement MX.

Movement M (area D; villages, offices, schools). Criteria 2023: every type 40/30/30 = 100.
Criteria 2024: villages and offices copied (100), schools 20/30 = **50** points, so a school's
total and percent differ. Scores below are final totals; for villages and offices they are also
percents.

Rounds of M (scores: verified unless said; "draft" and "submitted" never count as scores):
  R0 12/2023 closed: a 100 (selected)
  R1 01/2024 closed: a 80 (self-assessed 85) · a2 70 · b 70 · old 40 · b2 draft ·
                     sA 40/50 = 80 % · department 90
        ranks in type: villages a 1, a2 2, b 2 (tie), old 4; school sA 1; office 1
        overall (percent): department 1; a and sA 2; a2 and b 4; old 6
        selected (3 per type, ≥ 80 %): a, sA, department
  R2 02/2024 closed: a 60 · b 90 · b2 45 · sA 25/50 = 50 %   (a2 and the department not scored)
        selected: b only (a 60 and b2 45 are in the top 3 but under 80 %)
  R3 03/2024 open:   a submitted 100 (not verified) · b verified 95 · a2 draft
Round of MX: 01/2024 closed: x 99.

Eligible units of M per month: D's four offices; villages a, a2, b, b2 and (January only) old;
school sA. January: A 3, B 3, D 3 + 3 + 4 = 10. February and March: A 3, B 2, D 9.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from campaigns import metrics, services
from campaigns.models import (
    Award,
    AwardForm,
    CommitmentItem,
    CommitmentStatus,
    DvkField,
    DvkLevel,
    PledgeResult,
    RoundStatus,
    Scorecard,
    ScorecardStatus,
    ScoringRound,
    TargetType,
    target_type_of,
)
from campaigns.selectors import eligible_units
from campaigns.tests.factories import criteria_rows, movement_with_criteria, open_round
from campaigns.workflow import DvkStatus
from organization.models import Role, Unit, UnitKind
from organization.tests.factories import MembershipFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
Y2023 = (date(2023, 1, 1), date(2023, 12, 31))
Y2024 = (date(2024, 1, 1), date(2024, 12, 31))
Y2022 = (date(2022, 1, 1), date(2022, 12, 31))
VIL, OFF, SCH = TargetType.VILLAGE, TargetType.OFFICE, TargetType.SCHOOL
END_2025 = date(2025, 6, 30)


class Data:
    """The records of the module docstring, by name."""


def _unit(key: str, kind: str, parent: Unit | None, *, name: str = "", **extra) -> Unit:
    return UnitFactory(key=key, name=name or key, kind=kind, parent=parent, **{"valid_to": END_2025, **extra})


def _split(criteria, total: int) -> dict[int, str]:
    """Scores per criterion adding up to ``total``: full marks from the first criterion on."""
    scores, left = {}, Decimal(total)
    for criterion in criteria:
        given = min(left, criterion.max_points)
        scores[criterion.pk] = str(given)
        left -= given
    assert left == 0
    return scores


def _criteria(round_: ScoringRound, unit: Unit) -> list:
    criteria_set = round_.movement.criteria_sets.get(target_type=target_type_of(unit), year=round_.year)
    return list(criteria_set.criteria.all())


def _grid(user, round_, scores: dict[Unit, int], *, submit: bool = True) -> None:
    rows = {unit.pk: _split(_criteria(round_, unit), total) for unit, total in scores.items()}
    services.grid_save(user=user, round_=round_, rows=rows, submit=submit)


def _verify(user, round_, unit: Unit, total: int | None = None) -> None:
    card = Scorecard.objects.get(round=round_, unit=unit)
    verified = _split(_criteria(round_, unit), total) if total is not None else None
    services.scorecard_verify(user=user, scorecard=card, verified=verified)


def _verify_all(user, round_) -> None:
    for card in round_.scorecards.filter(status=ScorecardStatus.SUBMITTED):
        services.scorecard_verify(user=user, scorecard=card)


def _at(year, month, day, hour=9, minute=0):
    return time_machine.travel(datetime(year, month, day, hour, minute, tzinfo=TZ), tick=False)


@pytest.fixture(scope="module")
def data(django_db_setup, django_db_blocker):
    """Built once for the module inside a transaction rolled back afterwards (like ``demo_data``)."""
    from django.db import transaction

    with django_db_blocker.unblock(), transaction.atomic():
        yield _build()
        transaction.set_rollback(True)


def _build() -> Data:
    d = Data()
    d.province = _unit("m-province", UnitKind.PROVINCE, None, valid_from=date(1991, 1, 1), valid_to=None)
    d.district = _unit("m-district", UnitKind.DISTRICT, d.province)
    d.party = _unit("m-hu", UnitKind.PARTY_COMMITTEE, d.district)
    d.bdv = _unit("m-bdv", UnitKind.BOARD, d.party)
    d.standing = _unit("m-tthu", UnitKind.STANDING_BOARD, d.party)  # not an office: never eligible
    d.ubnd = _unit("m-ubnd", UnitKind.PEOPLES_COMMITTEE, d.district)
    d.department = _unit("m-phong", UnitKind.DEPARTMENT, d.ubnd)
    d.a = _unit("m-a", UnitKind.COMMUNE, d.district)
    d.village_a = _unit("m-a-village", UnitKind.VILLAGE, d.a, name="Bản A")
    d.village_a2 = _unit("m-a-village2", UnitKind.VILLAGE, d.a, name="Bản A2")
    d.school_a = _unit("m-a-school", UnitKind.SCHOOL, d.a, name="Trường A")
    d.group_a = _unit("m-a-group", UnitKind.RELIGIOUS_GROUP, d.a)
    d.b = _unit("m-b", UnitKind.COMMUNE, d.district)
    d.village_b = _unit("m-b-village", UnitKind.VILLAGE, d.b, name="Bản B")
    d.village_b2 = _unit("m-b-village2", UnitKind.VILLAGE, d.b, name="Bản B2")
    d.village_old = _unit("m-b-old", UnitKind.VILLAGE, d.b, name="Bản Cũ", valid_to=date(2024, 1, 31))
    d.group_b = _unit("m-b-group", UnitKind.RELIGIOUS_GROUP, d.b)
    d.x = _unit("m-x", UnitKind.DISTRICT, d.province)
    d.x_commune = _unit("m-x-commune", UnitKind.COMMUNE, d.x)
    d.village_x = _unit("m-x-village", UnitKind.VILLAGE, d.x_commune)
    d.group_x = _unit("m-x-group", UnitKind.RELIGIOUS_GROUP, d.x_commune)

    d.staff = UserFactory(username="m-staff")
    MembershipFactory(user=d.staff, unit=d.district, role=Role.DISTRICT_STAFF, body=d.bdv)
    d.officer_a = UserFactory(username="m-officer-a")
    MembershipFactory(user=d.officer_a, unit=d.a, role=Role.COMMUNE_OFFICER)
    d.officer_b = UserFactory(username="m-officer-b")
    MembershipFactory(user=d.officer_b, unit=d.b, role=Role.COMMUNE_OFFICER)
    d.admin = UserFactory(username="m-admin", is_superuser=True, is_staff=True)

    _build_scores(d)
    _build_awards(d)
    _build_models(d)
    _build_pledges(d)
    return d


def _build_scores(d: Data) -> None:
    d.movement = movement_with_criteria(d.staff, d.district, launched_by=d.party, types=(VIL, OFF, SCH), year=2023)
    for criteria_set in d.movement.criteria_sets.filter(target_type__in=[VIL, OFF]):
        services.criteria_set_copy(user=d.staff, source=criteria_set, year=2024)
    services.criteria_set_save(
        user=d.staff,
        movement=d.movement,
        data=services.CriteriaSetInput(
            target_type=SCH, year=2024, total_points=Decimal(50), criteria=criteria_rows("20", "30")
        ),
    )

    d.r0 = open_round(d.staff, d.movement, date(2023, 12, 1))
    _grid(d.officer_a, d.r0, {d.village_a: 100})
    _verify_all(d.staff, d.r0)
    services.round_close(user=d.staff, round_=d.r0)

    d.r1 = open_round(d.staff, d.movement, date(2024, 1, 1))
    _grid(d.officer_a, d.r1, {d.village_a: 85, d.village_a2: 70, d.school_a: 40})
    _grid(d.officer_b, d.r1, {d.village_b: 70, d.village_old: 40})
    _grid(d.officer_b, d.r1, {d.village_b2: 55}, submit=False)
    _grid(d.staff, d.r1, {d.department: 90})
    _verify(d.staff, d.r1, d.village_a, 80)
    _verify_all(d.staff, d.r1)
    services.round_close(user=d.staff, round_=d.r1)

    d.r2 = open_round(d.staff, d.movement, date(2024, 2, 1))
    _grid(d.officer_a, d.r2, {d.village_a: 60, d.school_a: 25})
    _grid(d.officer_b, d.r2, {d.village_b: 90, d.village_b2: 45})
    _verify_all(d.staff, d.r2)
    services.round_close(user=d.staff, round_=d.r2)

    d.r3 = open_round(d.staff, d.movement, date(2024, 3, 1))
    _grid(d.officer_a, d.r3, {d.village_a: 100})
    _grid(d.officer_a, d.r3, {d.village_a2: 50}, submit=False)
    _grid(d.officer_b, d.r3, {d.village_b: 95})
    _verify(d.staff, d.r3, d.village_b)

    d.movement_x = movement_with_criteria(d.admin, d.x, types=(VIL,), year=2024, name="Phong trào huyện X")
    d.rx = open_round(d.admin, d.movement_x, date(2024, 1, 1))
    _grid(d.admin, d.rx, {d.village_x: 99})
    _verify_all(d.admin, d.rx)
    services.round_close(user=d.admin, round_=d.rx)


def _award(user, recipient, form, issuer, day, **extra) -> Award:
    values = {"recipient_unit": recipient, "form": form, "issuer": issuer, "date": day, "reason": "Thành tích tốt"}
    return services.award_create(user=user, values={**values, **extra})


def _build_awards(d: Data) -> None:
    # In D during 2024: aw1 (certificate, Huyện ủy: district), aw2 (commendation, commune B:
    # commune), aw3 (prize of 2 million, commune A: commune, on 01/01/2024), aw6 (certificate to a
    # household of village b, district UBND: district, on 31/12/2024).
    _award(d.staff, d.village_a, AwardForm.CERTIFICATE, d.party, date(2024, 2, 5), movement=d.movement, round=d.r1)
    _award(d.staff, d.village_b, AwardForm.COMMENDATION, d.b, date(2024, 3, 31))
    _award(d.staff, d.school_a, AwardForm.PRIZE, d.a, date(2024, 1, 1), prize_value_vnd=2_000_000)
    _award(d.staff, d.village_a, AwardForm.MERIT, d.province, date(2023, 12, 31))  # the day before 2024
    _award(d.admin, d.village_x, AwardForm.CERTIFICATE, d.x, date(2024, 5, 1))  # another district
    _award(d.staff, d.village_b, AwardForm.CERTIFICATE, d.ubnd, date(2024, 12, 31), recipient_name="Hộ ông Hầu A Dính")


def _model(user, name, owner, locality, field, level, registered_on):
    return services.dvk_model_create(
        user=user,
        data=services.DvkModelInput(
            values={
                "name": name,
                "field": field,
                "level": level,
                "owner_unit": owner,
                "locality": locality,
                "registered_on": registered_on,
            },
            criteria=[{"text": "Tiêu chí", "target": "100%", "met": True}],
        ),
    )


def _move(user, model, status, when, **extra):
    with when:
        return services.dvk_transition(user=user, model=model, to_status=status, note="Ghi chú", **extra)


def _build_models(d: Data) -> None:
    S_ = DvkStatus
    d.m1 = _model(d.staff, "M1", d.district, d.district, DvkField.POLITICAL_SYSTEM, DvkLevel.DISTRICT, date(2022, 1, 1))
    for status, when in (
        (S_.SURVEYED, _at(2022, 2, 1)),
        (S_.VILLAGE_CONSULTED, _at(2022, 3, 1)),
        (S_.LAUNCHED, _at(2022, 4, 1)),
        (S_.IN_PROGRESS, _at(2022, 4, 2)),
        (S_.EVALUATED, _at(2023, 11, 1)),
    ):
        d.m1 = _move(d.staff, d.m1, status, when)
    d.m1 = _move(d.staff, d.m1, S_.RECOGNIZED, _at(2023, 12, 28), recognized_on=date(2023, 12, 28))

    d.m2 = _model(d.officer_a, "M2", d.a, d.village_a, DvkField.CULTURE_SOCIETY, DvkLevel.VILLAGE, date(2022, 12, 31))
    for status, when in (
        (S_.SURVEYED, _at(2023, 1, 15)),
        (S_.VILLAGE_CONSULTED, _at(2023, 2, 1)),
        (S_.LAUNCHED, _at(2023, 3, 1)),
        (S_.IN_PROGRESS, _at(2023, 3, 2)),
    ):
        d.m2 = _move(d.officer_a, d.m2, status, when)
    d.m3 = _model(d.officer_b, "M3", d.b, d.b, DvkField.ECONOMY, DvkLevel.COMMUNE, date(2023, 1, 1))
    d.m4 = _model(d.officer_b, "M4", d.b, d.village_b, DvkField.CULTURE_SOCIETY, DvkLevel.VILLAGE, date(2022, 6, 1))
    # Stopped at 23:30 on the last day of 2022: still 2022 in Vietnam (the end of day is inclusive).
    d.m4 = _move(d.officer_b, d.m4, S_.STOPPED, _at(2022, 12, 31, 23, 30))
    d.m5 = _model(d.admin, "M5", d.x, d.village_x, DvkField.ECONOMY, DvkLevel.VILLAGE, date(2022, 5, 5))
    d.m6 = _model(d.officer_b, "M6", d.b, d.b, DvkField.CULTURE_SOCIETY, DvkLevel.COMMUNE, date(2023, 1, 1))
    for status in (S_.SURVEYED, S_.VILLAGE_CONSULTED):
        d.m5 = _move(d.admin, d.m5, status, _at(2023, 1, 2))
        d.m6 = _move(d.officer_b, d.m6, status, _at(2023, 1, 2))
    _build_commitments(d)


def _commit(user, model, village, head, signed_on, *, broken_on=None, broken=()):
    items = list(CommitmentItem.objects.filter(is_active=True))
    commitment = services.commitment_create(
        user=user,
        values={"model": model, "household_head": head, "village": village, "signed_on": signed_on},
        items=items,
    )
    if broken_on:
        commitment = services.commitment_update(
            user=user,
            commitment=commitment,
            values={"status": CommitmentStatus.BROKEN, "broken_on": broken_on},
            broken_items=[i for i in items if i.code in broken],
        )
    return commitment


def _build_commitments(d: Data) -> None:
    # C1 a · M2 · signed 01/01/2023 (first day of 2023) · kept
    # C2 a · M2 · signed 15/06/2023 · broken 01/01/2024 (backward customs)
    # C3 a · M2 · signed 31/12/2022 · broken 31/12/2023 (child marriage and obey the law)
    # C4 b · M6 · signed 31/12/2023 · kept
    # C5 b2 · M6 · signed 01/01/2024 · kept
    # C6 x · M5 (another district) · signed 05/05/2023
    _commit(d.officer_a, d.m2, d.village_a, "Giàng A Páo", date(2023, 1, 1))
    _commit(
        d.officer_a, d.m2, d.village_a, "Vàng Seo Chứ", date(2023, 6, 15),
        broken_on=date(2024, 1, 1), broken=("no-backward-customs",),
    )  # fmt: skip
    _commit(
        d.officer_a, d.m2, d.village_a, "Lý A Sử", date(2022, 12, 31),
        broken_on=date(2023, 12, 31), broken=("no-child-consanguineous-marriage", "obey-the-law"),
    )  # fmt: skip
    _commit(d.officer_b, d.m6, d.village_b, "Hầu A Dính", date(2023, 12, 31))
    _commit(d.officer_b, d.m6, d.village_b2, "Mùa Seo Pao", date(2024, 1, 1))
    _commit(d.admin, d.m5, d.village_x, "Sùng A Lử", date(2023, 5, 5))


def _build_pledges(d: Data) -> None:
    item = CommitmentItem.objects.get(code="no-child-consanguineous-marriage")
    for user, unit, year, result in (
        (d.officer_a, d.group_a, 2023, PledgeResult.ACHIEVED),
        (d.officer_a, d.group_a, 2024, PledgeResult.PLEDGED),
        (d.officer_b, d.group_b, 2023, PledgeResult.NOT_ACHIEVED),
        (d.officer_b, d.group_b, 2022, PledgeResult.ACHIEVED),
        (d.admin, d.group_x, 2023, PledgeResult.ACHIEVED),
    ):
        services.pledge_save(
            user=user,
            values={"unit": unit, "year": year, "signed_on": date(year, 1, 20), "result": result},
            items=[item],
        )


@pytest.fixture
def d(data, db) -> Data:
    return data


def row(cards: int, percent: str, total: str, split: dict) -> dict:
    return {"cards": cards, "average_percent": Decimal(percent), "average_total": Decimal(total), "bands": split}


def bands(below_50=0, from_50=0, from_65=0, from_80=0) -> dict[str, int]:
    return {"below_50": below_50, "50_to_65": from_50, "65_to_80": from_65, "80_plus": from_80}


# --- The dataset is what the docstring says ----------------------------------------------------


def test_the_dataset_rounds_and_cards_are_as_described(d):
    statuses = dict(ScoringRound.objects.filter(movement=d.movement).values_list("month__month", "status"))
    assert statuses == {12: RoundStatus.CLOSED, 1: RoundStatus.CLOSED, 2: RoundStatus.CLOSED, 3: RoundStatus.OPEN}
    card = Scorecard.objects.get(round=d.r1, unit=d.village_a)
    assert (card.self_total, card.verified_total, card.final_total) == (Decimal(85), Decimal(80), Decimal(80))
    assert Scorecard.objects.get(round=d.r1, unit=d.village_b2).status == ScorecardStatus.DRAFT
    school = Scorecard.objects.get(round=d.r1, unit=d.school_a)
    assert (school.final_total, school.max_total, school.percent) == (Decimal(40), Decimal(50), Decimal(80))


# --- Round coverage -----------------------------------------------------------------------------


def coverage(units, start=date(2024, 1, 1), end=date(2024, 3, 31), **kwargs):
    return {row["month"]: row for row in metrics.round_coverage(units, start, end, **kwargs)}


def test_coverage_counts_submitted_and_verified_cards_against_eligible_units(d):
    rows = coverage(d.district)
    assert list(rows) == [date(2024, 1, 1), date(2024, 2, 1), date(2024, 3, 1)]  # not MX's round
    january, february, march = rows.values()
    # January: a, a2, sA, b, old, department scored; b2 is a draft.
    assert (january["eligible"], january["scored"], january["percent"]) == (10, 6, Decimal("60.0"))
    assert january["by_type"] == {
        VIL: {"eligible": 5, "scored": 4, "percent": Decimal("80.0")},
        OFF: {"eligible": 4, "scored": 1, "percent": Decimal("25.0")},
        SCH: {"eligible": 1, "scored": 1, "percent": Decimal("100.0")},
    }
    assert (january["round_id"], january["movement_id"], january["status"]) == (d.r1.pk, d.movement.pk, "closed")
    # February: "old" was dissolved on 31/01; a, b, b2, sA scored.
    assert (february["eligible"], february["scored"], february["percent"]) == (9, 4, Decimal("44.4"))
    # March (open): a submitted and b verified count; a2 is a draft.
    assert (march["eligible"], march["scored"], march["percent"]) == (9, 2, Decimal("22.2"))
    assert march["status"] == "open"


def test_district_coverage_is_its_communes_plus_its_own_offices(d):
    district, a, b = coverage(d.district), coverage(d.a), coverage(d.b)
    assert (a[date(2024, 1, 1)]["eligible"], a[date(2024, 1, 1)]["scored"]) == (3, 3)
    assert (b[date(2024, 1, 1)]["eligible"], b[date(2024, 1, 1)]["scored"]) == (3, 2)
    assert (b[date(2024, 2, 1)]["eligible"], b[date(2024, 2, 1)]["scored"]) == (2, 2)
    assert b[date(2024, 2, 1)]["percent"] == Decimal("100.0")
    for month, row in district.items():
        offices = row["by_type"][OFF]
        assert row["eligible"] == a[month]["eligible"] + b[month]["eligible"] + offices["eligible"]
        assert row["scored"] == a[month]["scored"] + b[month]["scored"] + offices["scored"]
        assert a[month]["by_type"][OFF] == {"eligible": 0, "scored": 0, "percent": None}
    both = coverage([d.a, d.b])
    assert {m: (r["eligible"], r["scored"]) for m, r in both.items()} == {
        m: (a[m]["eligible"] + b[m]["eligible"], a[m]["scored"] + b[m]["scored"]) for m in a
    }


def test_eligible_units_match_the_selector_round_by_round(d):
    for units in (d.district, d.a, d.b, [d.a, d.village_b]):
        roots = units if isinstance(units, list) else [units]
        for row in metrics.round_coverage(units, *Y2024):
            round_ = ScoringRound.objects.get(pk=row["round_id"])
            expected = {u.pk for root in roots for u in eligible_units(round_, within=root)}
            assert row["eligible"] == len(expected)


def test_coverage_period_takes_rounds_by_their_month_both_ends_included(d):
    assert list(coverage(d.district, date(2024, 1, 1), date(2024, 1, 31))) == [date(2024, 1, 1)]
    assert list(coverage(d.district, date(2024, 1, 2), date(2024, 2, 1))) == [date(2024, 2, 1)]
    assert list(coverage(d.district, date(2023, 12, 1), date(2023, 12, 31))) == [date(2023, 12, 1)]
    assert coverage(d.district, date(2024, 4, 1), date(2024, 12, 31)) == {}


def test_coverage_of_one_movement_and_of_another_district(d):
    assert list(coverage(d.district, movement=d.movement_x)) == []
    rows = coverage(d.x)
    assert list(rows) == [date(2024, 1, 1)]
    assert (rows[date(2024, 1, 1)]["eligible"], rows[date(2024, 1, 1)]["scored"]) == (1, 1)
    assert coverage(d.village_a, movement=d.movement)[date(2024, 2, 1)]["eligible"] == 1
    assert metrics.round_coverage([], *Y2024) == []


def test_coverage_percent_is_none_without_eligible_units(d):
    row = coverage(d.group_a)[date(2024, 1, 1)]  # a religious group is not a target here
    assert (row["eligible"], row["scored"], row["percent"]) == (0, 0, None)


# --- Scores -------------------------------------------------------------------------------------


def test_scores_of_the_district_in_2024(d):
    result = metrics.scores(d.district, *Y2024)
    # R1: a 80, a2 70, b 70, old 40, sA 80 %, department 90; R2: a 60, b 90, b2 45, sA 50 %.
    assert result["cards"] == 10
    assert result["average_percent"] == Decimal("67.5")  # 675 / 10
    assert result["bands"] == bands(below_50=2, from_50=2, from_65=2, from_80=4)
    assert result["by_type"] == {
        VIL: row(7, "65.0", "65.00", bands(2, 1, 2, 2)),  # 455 / 7
        OFF: row(1, "90.0", "90.00", bands(0, 0, 0, 1)),
        SCH: row(2, "65.0", "32.50", bands(0, 1, 0, 1)),  # (80 % + 50 %) / 2; (40 + 25) / 2 points
    }


def test_scores_by_commune_add_up_to_the_district(d):
    result = metrics.scores(d.district, *Y2024)
    assert result["by_commune"] == {
        d.a.pk: {"cards": 5, "average_percent": Decimal("68.0"), "bands": bands(0, 2, 1, 2)},  # 340 / 5
        d.b.pk: {"cards": 4, "average_percent": Decimal("61.3"), "bands": bands(2, 0, 1, 1)},  # 245 / 4 = 61,25
        None: {"cards": 1, "average_percent": Decimal("90.0"), "bands": bands(0, 0, 0, 1)},  # the department
    }
    a, b = metrics.scores(d.a, *Y2024), metrics.scores(d.b, *Y2024)
    assert a["cards"] + b["cards"] + result["by_commune"][None]["cards"] == result["cards"]
    assert a["by_commune"] == {d.a.pk: result["by_commune"][d.a.pk]}
    assert b["by_commune"] == {d.b.pk: result["by_commune"][d.b.pk]}
    for key in ("below_50", "50_to_65", "65_to_80", "80_plus"):
        assert a["bands"][key] + b["bands"][key] + result["by_commune"][None]["bands"][key] == result["bands"][key]


def test_scores_leave_out_drafts_open_rounds_and_other_districts(d):
    # b2's January draft (55), March's open round (a 100 submitted, b 95 verified), x's 99.
    assert metrics.scores(d.district, date(2024, 3, 1), date(2024, 3, 31))["cards"] == 0
    january = metrics.scores(d.b, date(2024, 1, 1), date(2024, 1, 31))
    assert january["cards"] == 2  # b 70 and old 40, not b2's draft
    assert january["average_percent"] == Decimal("55.0")
    assert metrics.scores(d.x, *Y2024)["cards"] == 1
    assert metrics.scores(d.district, *Y2024, movement=d.movement_x)["cards"] == 0


def test_scores_period_takes_rounds_by_their_month_both_ends_included(d):
    assert metrics.scores(d.district, date(2023, 12, 1), date(2023, 12, 31))["average_percent"] == Decimal("100.0")
    assert metrics.scores(d.district, date(2023, 12, 2), date(2024, 1, 1))["cards"] == 6  # R1 only
    assert metrics.scores(d.district, date(2024, 1, 2), date(2024, 2, 1))["cards"] == 4  # R2 only
    empty = metrics.scores(d.district, date(2024, 4, 1), date(2024, 4, 30))
    assert empty == {"cards": 0, "average_percent": None, "bands": bands(), "by_type": {}, "by_commune": {}}


def test_score_bands_have_their_lower_bound_included():
    assert [metrics.band_of(Decimal(p)) for p in ("0", "49.99", "50", "64.99", "65", "79.99", "80", "100")] == [
        "below_50", "below_50", "50_to_65", "50_to_65", "65_to_80", "65_to_80", "80_plus", "80_plus",
    ]  # fmt: skip


# --- Rankings and selections --------------------------------------------------------------------


def test_round_ranking_lists_ties_by_name_with_the_rounds_ranks(d):
    rows = metrics.round_ranking(d.district, d.r1)
    summary = [
        (r["unit"], r["total"], r["rank_in_type"], r["rank_in_commune"], r["rank_overall"], r["selected"]) for r in rows
    ]
    assert summary == [
        (d.department.name, Decimal(90), 1, 1, 1, True),
        ("Trường A", Decimal(40), 1, 1, 2, True),
        ("Bản A", Decimal(80), 1, 1, 2, True),
        ("Bản A2", Decimal(70), 2, 2, 4, False),
        ("Bản B", Decimal(70), 2, 1, 4, False),
        ("Bản Cũ", Decimal(40), 4, 2, 6, False),
    ]  # fmt: skip
    school = rows[1]
    assert (school["max_total"], school["percent"], school["target_type"]) == (Decimal(50), Decimal(80), SCH)
    assert (school["unit_id"], school["commune_id"]) == (d.school_a.pk, d.a.pk)


def test_a_communes_ranking_keeps_the_district_wide_ranks(d):
    rows = metrics.round_ranking(d.a, d.r1)
    assert [(r["unit"], r["rank_in_type"]) for r in rows] == [("Trường A", 1), ("Bản A", 1), ("Bản A2", 2)]
    assert metrics.round_ranking(d.b, d.r1)[0]["rank_in_type"] == 2  # Bản B, tied with Bản A2
    assert metrics.round_ranking(d.district, d.r3) == []  # open: nothing ranked yet


def test_selections_in_2024(d):
    # R1: a, sA, department; R2: b.
    assert metrics.selections(d.district, *Y2024) == {
        "selected": 4,
        "units": 4,
        "by_type": {VIL: 2, OFF: 1, SCH: 1, TargetType.RELIGIOUS_GROUP: 0},
    }
    # With R0, village a is selected twice: two selections, one unit.
    with_december = metrics.selections(d.district, date(2023, 12, 1), date(2024, 12, 31))
    assert (with_december["selected"], with_december["units"]) == (5, 4)
    a, b = metrics.selections(d.a, *Y2024), metrics.selections(d.b, *Y2024)
    assert (a["selected"], b["selected"]) == (2, 1)  # + the department = 4
    assert metrics.selections(d.district, date(2024, 1, 2), date(2024, 2, 1))["selected"] == 1


# --- Awards -------------------------------------------------------------------------------------


def test_awards_in_2024_by_form_and_issuer_level(d):
    assert metrics.awards(d.district, *Y2024) == {
        "total": 4,
        "by_form": {"commendation": 1, "certificate": 2, "merit": 0, "prize": 1},
        "by_issuer_level": {"province": 0, "district": 2, "commune": 2, "village": 0, "other": 0},
        "prize_value_vnd": 2_000_000,
    }


def test_awards_count_by_recipient_and_date_both_ends_included(d):
    a, b = metrics.awards(d.a, *Y2024), metrics.awards(d.b, *Y2024)
    assert (a["total"], b["total"]) == (2, 2)  # 2 + 2 = the district's 4
    assert metrics.awards(d.district, date(2024, 1, 1), date(2024, 1, 1))["by_form"]["prize"] == 1
    assert metrics.awards(d.district, date(2024, 12, 31), date(2024, 12, 31))["total"] == 1
    december = metrics.awards(d.district, date(2023, 12, 31), date(2023, 12, 31))
    assert december["by_issuer_level"]["province"] == december["by_form"]["merit"] == 1
    assert metrics.awards(d.district, *Y2024, movement=d.movement)["total"] == 1
    assert metrics.awards(d.x, *Y2024)["total"] == 1
    assert Award.objects.count() == 6


# --- Dân vận khéo models ------------------------------------------------------------------------


def test_models_registered_in_2022(d):
    result = metrics.dvk_models(d.district, *Y2022)
    assert result["registered"] == 3  # M1, M2 (31/12), M4; not M3 (01/01/2023) nor M5 (district X)
    assert result["by_field"] == {"economy": 0, "culture_society": 2, "defence_security": 0, "political_system": 1}
    assert result["by_level"] == {"village": 2, "commune": 0, "district": 1}
    assert {k: v for k, v in result["by_status"].items() if v} == {"in_progress": 1, "recognized": 1, "stopped": 1}
    assert list(result["by_status"]) == list(DvkStatus.values)
    assert result["recognized"] == 0
    assert metrics.dvk_models(d.district, *Y2023)["recognized"] == 1  # M1, on 28/12/2023
    assert metrics.dvk_models(d.district, *Y2023)["registered"] == 2  # M3, M6


def test_models_of_the_district_are_its_own_plus_its_communes(d):
    district, a, b = (metrics.dvk_models(u, *Y2022)["registered"] for u in (d.district, d.a, d.b))
    assert (a, b) == (1, 1)
    assert district == a + b + 1  # M1 belongs to the district itself
    assert metrics.dvk_models(d.district, date(2022, 1, 1), date(2022, 1, 1))["registered"] == 1
    assert metrics.dvk_models(d.district, date(2022, 12, 31), date(2022, 12, 31))["registered"] == 1


def test_model_status_at_a_date_replays_the_status_changes(d):
    def at(day, units=None):
        result = metrics.dvk_status_at(units or d.district, day)
        return result["total"], {k: v for k, v in result["by_status"].items() if v}

    # 30/12/2022: M1 in progress, M4 registered (stopped the next evening); M2 not registered yet.
    assert at(date(2022, 12, 30)) == (2, {"registered": 1, "in_progress": 1})
    assert at(date(2022, 12, 31)) == (3, {"registered": 1, "in_progress": 1, "stopped": 1})
    assert at(date(2023, 12, 31)) == (
        5,
        {"registered": 1, "village_consulted": 1, "in_progress": 1, "recognized": 1, "stopped": 1},
    )
    assert at(date(2023, 12, 27)) == (
        5,
        {"registered": 1, "village_consulted": 1, "in_progress": 1, "evaluated": 1, "stopped": 1},
    )
    assert at(date(2021, 12, 31)) == (0, {})
    assert at(date(2023, 12, 31), d.x)[1] == {"village_consulted": 1}


# --- Household commitments ----------------------------------------------------------------------


def test_commitments_signed_and_broken_in_2023(d):
    result = metrics.commitments(d.district, *Y2023)
    assert (result["signed"], result["broken"]) == (3, 1)  # C1, C2, C4 signed; C3 broken
    assert result["by_model"] == {d.m2.pk: {"signed": 2, "broken": 1}, d.m6.pk: {"signed": 1, "broken": 0}}
    assert result["broken_items"] == {
        "no-backward-customs": 0,
        "no-illegal-organizations": 0,
        "no-child-consanguineous-marriage": 1,
        "obey-the-law": 1,
        "join-new-rural-area": 0,
    }
    next_year = metrics.commitments(d.district, *Y2024)
    assert (next_year["signed"], next_year["broken"]) == (1, 1)  # C5 signed, C2 broken on 01/01
    assert next_year["broken_items"]["no-backward-customs"] == 1


def test_commitments_of_the_district_are_the_sum_of_its_villages(d):
    a, b = metrics.commitments(d.a, *Y2023), metrics.commitments(d.b, *Y2023)
    assert (a["signed"], a["broken"], b["signed"], b["broken"]) == (2, 1, 1, 0)
    assert metrics.commitments(d.village_a, *Y2023)["signed"] == 2
    assert metrics.commitments(d.x, *Y2023)["signed"] == 1
    assert metrics.commitments(d.district, date(2023, 1, 1), date(2023, 1, 1))["signed"] == 1
    assert metrics.commitments(d.district, date(2023, 12, 31), date(2023, 12, 31))["broken"] == 1


def test_households_per_model_as_of_a_day(d):
    assert metrics.households_per_model(d.district, date(2023, 12, 31)) == {
        d.m2.pk: {"name": "M2", "households": 3, "broken": 1, "keeping": 2},
        d.m6.pk: {"name": "M6", "households": 1, "broken": 0, "keeping": 1},
    }
    assert metrics.households_per_model(d.district, date(2024, 1, 1)) == {
        d.m2.pk: {"name": "M2", "households": 3, "broken": 2, "keeping": 1},
        d.m6.pk: {"name": "M6", "households": 2, "broken": 0, "keeping": 2},
    }
    assert metrics.households_per_model(d.district, date(2022, 12, 30)) == {}


def test_a_kept_commitment_counts_nowhere_as_broken(d):
    kept = metrics.commitments(d.b, date(2020, 1, 1), date(2030, 12, 31))
    assert kept["broken"] == 0
    assert kept["signed"] == 2


# --- Pledges ------------------------------------------------------------------------------------


def test_pledges_by_year_and_result(d):
    assert metrics.pledges(d.district, date(2023, 1, 1), date(2024, 12, 31)) == {
        2023: {"total": 2, "pledged": 0, "achieved": 1, "not_achieved": 1},
        2024: {"total": 1, "pledged": 1, "achieved": 0, "not_achieved": 0},
    }
    # A period counts every year it touches.
    assert list(metrics.pledges(d.district, date(2023, 6, 1), date(2023, 6, 30))) == [2023]
    assert metrics.pledges(d.a, *Y2023) == {2023: {"total": 1, "pledged": 0, "achieved": 1, "not_achieved": 0}}
    assert metrics.pledges(d.x, *Y2023)[2023]["total"] == 1
    assert metrics.pledges(d.district, date(2025, 1, 1), date(2025, 12, 31)) == {}


# --- Queries ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "limit"),
    [
        ("round_coverage", 3),
        ("scores", 1),
        ("selections", 1),
        ("awards", 2),
        ("dvk_models", 2),
        ("commitments", 3),
        ("pledges", 1),
    ],
)
def test_each_figure_runs_a_constant_number_of_queries(d, django_assert_num_queries, name, limit):
    with django_assert_num_queries(limit):
        getattr(metrics, name)(d.district, *Y2024)


def test_fixed_argument_figures_run_few_queries(d, django_assert_num_queries):
    with django_assert_num_queries(1):
        metrics.round_ranking(d.district, d.r1)
    with django_assert_num_queries(2):
        metrics.dvk_status_at(d.district, date(2023, 12, 31))
    with django_assert_num_queries(1):
        metrics.households_per_model(d.district, date(2023, 12, 31))
    units = Unit.objects.filter(pk__in=[d.a.pk, d.b.pk])
    with django_assert_num_queries(2):  # one more to read the units
        metrics.scores(units, *Y2024)


def test_commitment_summary_counts_signed_kept_and_broken(d):
    from campaigns.models import HouseholdCommitment

    rows = HouseholdCommitment.objects.all()
    summary = metrics.commitment_summary(rows)
    assert summary["signed"] == rows.count() > 0
    assert summary["kept"] + summary["broken"] == summary["signed"]
    assert summary["broken"] == rows.filter(status="broken").count() > 0
    assert metrics.commitment_summary(rows.none()) == {"signed": 0, "kept": 0, "broken": 0}
