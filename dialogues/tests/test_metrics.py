"""dialogues.metrics against a small dataset counted by hand.

The dataset is built in date order with the clock moved to each day, so every date the
services stamp (closed_on on resolve, events) is the day the step happened. "Today" for the
assertions is 15/03/2024.

Dialogues (owner · host · level · kind · date · minutes):
  D1  commune A · commune People's Committee · commune  · periodic · 10/03/2022 · yes
  D2  commune A · commune Party committee    · commune  · ad hoc   · 01/01/2023 · yes
  D3  commune B · commune People's Committee · commune  · periodic · 30/06/2023 · yes
  D4  commune B · commune People's Committee · commune  · periodic · 31/12/2023 · no
  D5  district  · Standing Board (held in A) · district · periodic · 05/04/2023 · yes
  D6  district  · Standing Board             · district · ad hoc   · 01/01/2024 · no
  D7  commune A · planned, not held          · commune  · periodic · 01/05/2023 · no

Petitions (unit · received · field · what happened; TN = Phòng TN&MT, NN = Phòng Nông nghiệp):
  P1  A · 01/01/2023 (D2) · transport   · answered on the spot
  P2  A · 01/01/2023 (D2) · land        · TN due 01/02/2023, answered 20/01 (on time), resolved 10/02
  P3  A · 01/01/2023 (D2) · land        · TN due 01/02/2023, answered 05/02 (late)
  P4  A · 01/03/2023 (reception) · farming · TN due 20/03, re-assigned 10/03 to NN due 01/04; open
  P5  B · 30/06/2023 (D3) · land        · TN due 31/07/2023, in progress; open
  P6  B · 30/06/2023 (D3) · land        · legal complaint, routed out
  P7  B · 30/06/2023 (D3) · farming     · NN due 31/07/2023, answered 31/07, reopened 05/08; open
  P8  B · 31/12/2023 (D4) · power_water · TN due 15/03/2024 (= today); open
  P9  A · 10/03/2022 (D1) · transport   · TN due 10/04/2022, answered 05/01/2023 (late)
  P10 B · 01/05/2023 (reception) · clearance · TN due 01/06/2023, transferred 20/05
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from dialogues import metrics, services
from dialogues.models import (
    DialogueKind,
    DialogueLevel,
    DialogueStatus,
    HostBody,
    PetitionField,
    ReportedMetric,
)
from dialogues.tests.factories import DialogueFactory, PetitionFactory, system_user, take
from dialogues.workflow import Action
from organization.models import UnitKind
from organization.tests.factories import UnitFactory

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
TODAY = date(2024, 3, 15)
Y2023 = (date(2023, 1, 1), date(2023, 12, 31))


@pytest.fixture
def clock(time_machine):
    def at(day: date) -> None:
        time_machine.move_to(datetime(day.year, day.month, day.day, 10, 0, tzinfo=TZ), tick=False)

    return at


@pytest.fixture
def data(tree, clock):
    tn = tree.agency
    nn = UnitFactory(
        key="t-nn",
        name="Phòng Nông nghiệp và Phát triển nông thôn",
        kind=UnitKind.DEPARTMENT,
        parent=tree.peoples_committee,
        valid_to=date(2025, 6, 30),
    )
    a, b, district = tree.commune_a, tree.commune_b, tree.district
    minutes = "<p>Biên bản buổi đối thoại.</p>"

    def dialogue(unit, day, host=HostBody.COMMUNE_PEOPLES_COMMITTEE, **extra):
        clock(day)
        return DialogueFactory(unit=unit, date=day, host_body=host, **extra)

    def petition(unit, field, *, dialogue=None, received_on=None, **extra):
        return PetitionFactory(unit=unit, field=field, dialogue=dialogue, received_on=received_on, **extra)

    def act(day, p, action, **kwargs):
        clock(day)
        return take(p, action, **kwargs)

    d1 = dialogue(a, date(2022, 3, 10), minutes_text=minutes)
    p9 = petition(a, PetitionField.TRANSPORT, dialogue=d1)
    p9 = act(date(2022, 3, 11), p9, Action.ASSIGN, agency=tn, deadline=date(2022, 4, 10))
    clock(date(2022, 6, 1))
    services.engagement_meeting_create(
        user=system_user(), values={"unit": a, "date": date(2022, 6, 1), "host": "UBND xã", "elders_count": 5}
    )

    d2 = dialogue(a, date(2023, 1, 1), HostBody.COMMUNE_PARTY_COMMITTEE, kind=DialogueKind.AD_HOC, minutes_text=minutes)
    p1 = petition(a, PetitionField.TRANSPORT, dialogue=d2, status="answered_on_spot")
    p2 = petition(a, PetitionField.LAND, dialogue=d2)
    p3 = petition(a, PetitionField.LAND, dialogue=d2)
    p2 = act(date(2023, 1, 2), p2, Action.ASSIGN, agency=tn, deadline=date(2023, 2, 1))
    p3 = act(date(2023, 1, 2), p3, Action.ASSIGN, agency=tn, deadline=date(2023, 2, 1))
    p9 = act(date(2023, 1, 5), p9, Action.ANSWER, answered_on=date(2023, 1, 5))
    p2 = act(date(2023, 1, 20), p2, Action.ANSWER, answered_on=date(2023, 1, 20))
    p3 = act(date(2023, 2, 5), p3, Action.ANSWER, answered_on=date(2023, 2, 5))
    p2 = act(date(2023, 2, 10), p2, Action.RESOLVE)

    clock(date(2023, 3, 1))
    p4 = petition(a, PetitionField.FARMING, received_on=date(2023, 3, 1))
    p4 = act(date(2023, 3, 2), p4, Action.ASSIGN, agency=tn, deadline=date(2023, 3, 20))
    p4 = act(date(2023, 3, 10), p4, Action.REASSIGN, agency=nn, deadline=date(2023, 4, 1))

    dialogue(
        district,
        date(2023, 4, 5),
        HostBody.STANDING_BOARD,
        level=DialogueLevel.DISTRICT,
        commune=a,
        minutes_text=minutes,
    )
    dialogue(a, date(2023, 5, 1), status=DialogueStatus.PLANNED)

    clock(date(2023, 5, 1))
    p10 = petition(b, PetitionField.CLEARANCE, received_on=date(2023, 5, 1))
    p10 = act(date(2023, 5, 2), p10, Action.ASSIGN, agency=tn, deadline=date(2023, 6, 1))
    p10 = act(date(2023, 5, 20), p10, Action.TRANSFER)

    d3 = dialogue(b, date(2023, 6, 30), minutes_text=minutes)
    p5 = petition(b, PetitionField.LAND, dialogue=d3)
    p6 = petition(b, PetitionField.LAND, dialogue=d3, legal_track="complaint")
    p7 = petition(b, PetitionField.FARMING, dialogue=d3)
    p5 = act(date(2023, 7, 1), p5, Action.ASSIGN, agency=tn, deadline=date(2023, 7, 31))
    p7 = act(date(2023, 7, 1), p7, Action.ASSIGN, agency=nn, deadline=date(2023, 7, 31))
    p5 = act(date(2023, 7, 3), p5, Action.START)
    p7 = act(date(2023, 7, 31), p7, Action.ANSWER, answered_on=date(2023, 7, 31))
    p7 = act(date(2023, 8, 5), p7, Action.REOPEN)

    clock(date(2023, 9, 10))
    services.engagement_meeting_create(
        user=system_user(),
        values={
            "unit": b,
            "date": date(2023, 9, 10),
            "host": "Ban Dân vận Huyện ủy",
            "clergy_count": 3,
            "followers_count": 20,
            "prestigious_count": 2,
            "elders_count": 1,
        },
    )

    d4 = dialogue(b, date(2023, 12, 31))
    p8 = petition(b, PetitionField.POWER_WATER, dialogue=d4)
    dialogue(
        district,
        date(2024, 1, 1),
        HostBody.STANDING_BOARD,
        level=DialogueLevel.DISTRICT,
        commune=b,
        kind=DialogueKind.AD_HOC,
    )
    p8 = act(date(2024, 1, 2), p8, Action.ASSIGN, agency=tn, deadline=date(2024, 3, 15))

    admin = system_user()
    article = "Bài viết trên Cổng TTĐT Tỉnh ủy Lào Cai"
    services.reported_aggregate_create(
        user=admin,
        values={
            "unit": district,
            "metric": ReportedMetric.DIALOGUES,
            "period_start": date(2021, 1, 1),
            "period_end": date(2023, 12, 31),
            "total": 167,
            "source": article,
        },
        parts=[("2021", 53), ("2022", 54), ("2023", 12)],
    )
    services.reported_aggregate_create(
        user=admin,
        values={
            "unit": district,
            "metric": ReportedMetric.DIALOGUES,
            "host_body": HostBody.DISTRICT_PEOPLES_COMMITTEE,
            "period_start": date(2021, 1, 1),
            "period_end": date(2023, 12, 31),
            "total": 119,
            "source": article,
        },
    )
    services.reported_aggregate_create(
        user=admin,
        values={
            "unit": a,
            "metric": ReportedMetric.PETITIONS,
            "period_start": date(2022, 1, 1),
            "period_end": date(2022, 12, 31),
            "total": 10,
            "source": "Báo cáo năm 2022 của xã",
        },
        parts=[("6 tháng đầu năm", 4), ("6 tháng cuối năm", 6)],
    )

    clock(TODAY)
    petitions = {"p1": p1, "p2": p2, "p3": p3, "p4": p4, "p5": p5, "p6": p6, "p7": p7, "p8": p8, "p9": p9}
    return SimpleNamespace(tree=tree, a=a, b=b, district=district, tn=tn, nn=nn, p10=p10, **petitions)


# --- Dialogues ----------------------------------------------------------------------------------


def test_dialogues_count_covers_the_subtree_and_excludes_planned_ones(data):
    # District 2023: D2, D3, D4, D5 (D1 is 2022, D6 is 2024, D7 only planned).
    assert metrics.dialogues_count([data.district], *Y2023) == 4
    # Commune A 2023: D2 only. D5 was held in A but is the district's record.
    assert metrics.dialogues_count([data.a], *Y2023) == 1
    # Commune B 2023: D3, D4.
    assert metrics.dialogues_count([data.b], *Y2023) == 2
    # Both communes: 3 = 1 + 2; the district adds its own D5.
    assert metrics.dialogues_count([data.a, data.b], *Y2023) == 3


def test_dialogue_period_is_inclusive_at_both_ends(data):
    # D2 (01/01/2023) and D4 (31/12/2023) sit on the edges of 2023.
    assert metrics.dialogues_count([data.district], date(2023, 1, 1), date(2023, 1, 1)) == 1
    assert metrics.dialogues_count([data.district], date(2023, 12, 31), date(2023, 12, 31)) == 1
    # One day inside each edge leaves D3 and D5.
    assert metrics.dialogues_count([data.district], date(2023, 1, 2), date(2023, 12, 30)) == 2


def test_dialogues_count_filters_by_host_kind_and_level(data):
    # Standing Board 2021–2024: D5 (2023) and D6 (2024).
    assert metrics.dialogues_count(data.district, date(2021, 1, 1), date(2024, 12, 31), host_body="standing_board") == 2
    # Ad hoc in 2023: D2. Periodic in 2023: D3, D4, D5.
    assert metrics.dialogues_count(data.district, *Y2023, kind=DialogueKind.AD_HOC) == 1
    assert metrics.dialogues_count(data.district, *Y2023, kind=DialogueKind.PERIODIC) == 3
    # District level in 2023: D5; Standing Board and ad hoc in 2023: none.
    assert metrics.dialogues_count(data.district, *Y2023, level=DialogueLevel.DISTRICT) == 1
    assert metrics.dialogues_count(data.district, *Y2023, host_body="standing_board", kind="ad_hoc") == 0


def test_dialogues_by_each_dimension(data):
    # 2023: D2 (party committee, ad hoc, commune, Jan), D3 and D4 (people's committee, periodic,
    # commune, Jun and Dec), D5 (Standing Board, periodic, district, Apr).
    assert metrics.dialogues_by([data.district], *Y2023, "host_body") == {
        "commune_peoples_committee": 2,
        "commune_party_committee": 1,
        "standing_board": 1,
    }
    assert metrics.dialogues_by([data.district], *Y2023, "kind") == {"periodic": 3, "ad_hoc": 1}
    assert metrics.dialogues_by([data.district], *Y2023, "level") == {"commune": 3, "district": 1}
    assert metrics.dialogues_by([data.district], *Y2023, "month") == {
        "2023-01": 1,
        "2023-04": 1,
        "2023-06": 1,
        "2023-12": 1,
    }
    # 2022: D1; 2023: the four above; 2024: D6.
    assert metrics.dialogues_by([data.district], date(2022, 1, 1), date(2024, 12, 31), "year") == {
        2022: 1,
        2023: 4,
        2024: 1,
    }
    # Standing Board by year: D5 in 2023, D6 in 2024.
    assert metrics.dialogues_by(
        [data.district], date(2021, 1, 1), date(2024, 12, 31), "year", host_body="standing_board"
    ) == {2023: 1, 2024: 1}


def test_dialogues_by_refuses_an_unknown_dimension(data):
    with pytest.raises(ValueError, match="dimension"):
        metrics.dialogues_by([data.district], *Y2023, "weekday")


def test_dialogues_without_minutes(data):
    # 2023 held: D2, D3, D5 have minutes; D4 has none. D7 is planned, so it does not count.
    assert metrics.dialogues_without_minutes([data.district], *Y2023) == 1
    assert metrics.dialogues_without_minutes([data.a], *Y2023) == 0


def test_engagement_meetings_sum_attendees_by_category(data):
    # 2023: the meeting in B (3 clergy + 20 followers + 2 prestigious + 1 elder = 26).
    assert metrics.engagement_meetings([data.district], *Y2023) == {
        "meetings": 1,
        "clergy": 3,
        "followers": 20,
        "prestigious": 2,
        "elders": 1,
        "others": 0,
        "attendees": 26,
    }
    # Commune A 2023: none (its meeting was in 2022); empty sums are 0, not None.
    assert metrics.engagement_meetings([data.a], *Y2023)["attendees"] == 0
    assert metrics.engagement_meetings([data.a], date(2022, 1, 1), date(2022, 12, 31))["elders"] == 5


# --- Petitions ----------------------------------------------------------------------------------


def test_petitions_received_and_subtree_scoping(data):
    # Received in 2023: P1–P8 and P10 (P9 is from 2022) = 9; A: P1–P4 = 4; B: P5–P8, P10 = 5.
    assert metrics.petitions_received([data.district], *Y2023) == 9
    assert metrics.petitions_received([data.a], *Y2023) == 4
    assert metrics.petitions_received([data.b], *Y2023) == 5
    # A root given twice, or inside another root, is counted once.
    assert metrics.petitions_received([data.district, data.a, data.a], *Y2023) == 9
    # No units: nothing, not everything.
    assert metrics.petitions_received([], *Y2023) == 0


def test_petitions_received_edges_are_inclusive(data):
    # 01/01/2023: P1, P2, P3. 31/12/2023: P8.
    assert metrics.petitions_received([data.district], date(2023, 1, 1), date(2023, 1, 1)) == 3
    assert metrics.petitions_received([data.district], date(2023, 12, 31), date(2023, 12, 31)) == 1
    # 2022: P9 only.
    assert metrics.petitions_received([data.district], date(2022, 1, 1), date(2022, 12, 31)) == 1


def test_petitions_answered_on_the_spot_and_routed_out(data):
    # P1 (A) answered on the spot; P6 (B) routed to the legal track.
    assert metrics.petitions_answered_on_spot([data.district], *Y2023) == 1
    assert metrics.petitions_answered_on_spot([data.b], *Y2023) == 0
    assert metrics.petitions_routed_out([data.district], *Y2023) == 1
    assert metrics.petitions_routed_out([data.a], *Y2023) == 0


def test_petitions_assigned_counts_every_petition_ever_assigned(data):
    # Received in 2023 and assigned at some point: P2, P3, P4, P5, P7, P8, P10 = 7, whatever
    # happened next (P2 resolved, P4 re-assigned, P7 reopened, P10 transferred).
    assert metrics.petitions_assigned([data.district], *Y2023) == 7
    assert metrics.petitions_assigned([data.a], *Y2023) == 3  # P2, P3, P4
    assert metrics.petitions_assigned([data.b], *Y2023) == 4  # P5, P7, P8, P10


def test_petitions_answered_by_answer_date(data):
    # Answers dated in 2023: P9 (05/01, received 2022), P2 (20/01, since resolved), P3 (05/02).
    # P7's answer of 31/07 was reopened, so it no longer counts.
    assert metrics.petitions_answered([data.district], *Y2023) == 3
    assert metrics.petitions_answered([data.a], *Y2023) == 3
    assert metrics.petitions_answered([data.b], *Y2023) == 0
    # 2022: P9 was received then but answered in 2023.
    assert metrics.petitions_answered([data.district], date(2022, 1, 1), date(2022, 12, 31)) == 0


def test_petitions_resolved_by_closing_date(data):
    # P2, resolved 10/02/2023.
    assert metrics.petitions_resolved([data.district], *Y2023) == 1
    assert metrics.petitions_resolved([data.district], date(2023, 2, 11), date(2023, 12, 31)) == 0
    assert metrics.petitions_resolved([data.b], *Y2023) == 0


def test_petitions_overdue_from_the_deadline(data):
    # On 15/03/2024: P4 (NN, due 01/04/2023), P5 (due 31/07/2023) and P7 (reopened, due
    # 31/07/2023) are owed past their deadline; P8 is due today, not yet overdue.
    assert metrics.petitions_overdue([data.district], on=TODAY) == 3
    assert metrics.petitions_overdue([data.a], on=TODAY) == 1
    assert metrics.petitions_overdue([data.b], on=TODAY) == 2
    # The next day P8 joins them; "on" defaults to today (frozen at 15/03/2024).
    assert metrics.petitions_overdue([data.district], on=date(2024, 3, 16)) == 4
    assert metrics.petitions_overdue([data.district]) == 3


def test_petitions_by_each_dimension(data):
    # Fields 2023: land P2, P3, P5, P6; farming P4, P7; transport P1; power_water P8; clearance P10.
    assert metrics.petitions_by([data.district], *Y2023, "field") == {
        "land": 4,
        "farming": 2,
        "clearance": 1,
        "power_water": 1,
        "transport": 1,
    }
    # Status: assigned P4, P8; in progress P5, P7; one each of the rest.
    assert metrics.petitions_by([data.district], *Y2023, "status") == {
        "assigned": 2,
        "in_progress": 2,
        "answered": 1,
        "answered_on_spot": 1,
        "resolved": 1,
        "routed_out": 1,
        "transferred": 1,
    }
    # Source: P4 and P10 at citizen reception, the other seven at dialogues.
    assert metrics.petitions_by([data.district], *Y2023, "source") == {"dialogue": 7, "citizen_reception": 2}
    # Agency now holding them: TN P2, P3, P5, P8, P10; NN P4 (re-assigned from TN), P7.
    assert metrics.petitions_by([data.district], *Y2023, "agency") == {data.tn.pk: 5, data.nn.pk: 2}
    with pytest.raises(ValueError, match="dimension"):
        metrics.petitions_by([data.district], *Y2023, "village")


def test_petitions_by_agency_table(data):
    # TN: held 5 (P2, P3, P5, P8, P10), answered 2 (P2, P3), open 2 (P5, P8), overdue 1 (P5).
    # NN: held 2 (P4, P7), none answered (P7 reopened), both open and overdue.
    assert metrics.petitions_by_agency([data.district], *Y2023, on=TODAY) == [
        {
            "agency_id": data.nn.pk,
            "agency": "Phòng Nông nghiệp và Phát triển nông thôn",
            "assigned": 2,
            "answered": 0,
            "open": 2,
            "overdue": 2,
        },
        {
            "agency_id": data.tn.pk,
            "agency": "Phòng Tài nguyên và Môi trường",
            "assigned": 5,
            "answered": 2,
            "open": 2,
            "overdue": 1,
        },
    ]


def test_on_time_rate_counts_open_overdue_petitions_as_late(data):
    # Due in 2023: P2, P3, P4, P5, P7, P10. P2 answered on time; P3 answered late; P4, P5 and P7
    # are still owed past the deadline, so late too; P10 was transferred (not counted).
    assert metrics.on_time_rate([data.district], *Y2023, on=TODAY) == {
        "on_time": 1,
        "late": 4,
        "rate": Decimal("20.0"),
    }
    # Commune A: P2 on time, P3 and P4 late → 1/3.
    assert metrics.on_time_rate([data.a], *Y2023, on=TODAY) == {"on_time": 1, "late": 2, "rate": Decimal("33.3")}
    # Commune B: P5 and P7 late → 0 %, which is not "no data".
    assert metrics.on_time_rate([data.b], *Y2023, on=TODAY) == {"on_time": 0, "late": 2, "rate": Decimal("0.0")}


def test_on_time_rate_does_not_count_a_deadline_that_is_today(data):
    # As of 31/07/2023, P5 and P7 fall due that very day: not late yet, so not counted.
    # Left: P2 on time, P3 and P4 late.
    assert metrics.on_time_rate([data.district], *Y2023, on=date(2023, 7, 31)) == {
        "on_time": 1,
        "late": 2,
        "rate": Decimal("33.3"),
    }
    # 2024 so far: only P8, due today and still open → nothing to rate.
    assert metrics.on_time_rate([data.district], date(2024, 1, 1), date(2024, 12, 31)) == {
        "on_time": 0,
        "late": 0,
        "rate": None,
    }


def test_an_answer_on_the_deadline_day_is_on_time(data):
    # P2 and P3 were due 01/02/2023; P2 answered 20/01 (on time), P3 on 05/02 (late).
    window = (date(2023, 2, 1), date(2023, 2, 1))
    assert metrics.on_time_rate([data.district], *window, on=TODAY) == {
        "on_time": 1,
        "late": 1,
        "rate": Decimal("50.0"),
    }


def test_median_days_to_answer(data):
    # Answered in 2023: P2 after 19 days (01/01 → 20/01), P3 after 35 (01/01 → 05/02), P9 after
    # 301 (10/03/2022 → 05/01/2023). The median of [19, 35, 301] is 35.
    assert metrics.median_days_to_answer([data.district], *Y2023) == Decimal("35.0")
    # January 2023: P9 (301) and P2 (19) → (19 + 301) / 2 = 160.
    assert metrics.median_days_to_answer([data.district], date(2023, 1, 1), date(2023, 1, 31)) == Decimal("160.0")
    # Commune B has no answer in 2023.
    assert metrics.median_days_to_answer([data.b], *Y2023) is None


PETITION_COUNTS = [
    metrics.petitions_received,
    metrics.petitions_answered_on_spot,
    metrics.petitions_routed_out,
    metrics.petitions_assigned,
    metrics.petitions_answered,
    metrics.petitions_resolved,
]


@pytest.mark.parametrize("function", PETITION_COUNTS, ids=lambda function: function.__name__)
def test_the_district_is_the_sum_of_its_communes(data, function):
    # Every petition belongs to commune A or B, so the district adds nothing of its own.
    for period in (Y2023, (date(2022, 1, 1), date(2024, 12, 31))):
        district = function([data.district], *period)
        assert district == function([data.a], *period) + function([data.b], *period)
        assert district == function([data.a, data.b], *period)


# --- Reported aggregates and data quality ------------------------------------------------------


def test_reported_aggregates_are_returned_apart_from_derived_counts(data):
    rows = metrics.reported_aggregates([data.district], date(2021, 1, 1), date(2023, 12, 31), "dialogues")
    assert [(row["total"], row["host_body"], row["parts_sum"], row["consistent"]) for row in rows] == [
        (167, "", 119, False),
        (119, "district_peoples_committee", None, True),
    ]
    assert rows[0]["parts"] == [("2021", 53), ("2022", 54), ("2023", 12)]
    assert rows[0]["source"] == "Bài viết trên Cổng TTĐT Tỉnh ủy Lào Cai"
    # The derived count ignores them: D1–D5 held in 2021–2023.
    assert metrics.dialogues_count([data.district], date(2021, 1, 1), date(2023, 12, 31)) == 5


def test_reported_aggregates_only_for_periods_they_fit_in(data):
    # A 2021–2023 total is not a 2022 figure.
    assert metrics.reported_aggregates([data.district], date(2022, 1, 1), date(2022, 12, 31), "dialogues") == []
    # The commune's 2022 petitions total is in A's subtree, not B's.
    rows = metrics.reported_aggregates([data.a], date(2022, 1, 1), date(2022, 12, 31), "petitions")
    assert [(row["total"], row["parts_sum"], row["consistent"]) for row in rows] == [(10, 10, True)]
    assert metrics.reported_aggregates([data.b], date(2022, 1, 1), date(2022, 12, 31), "petitions") == []
    only_ubnd = metrics.reported_aggregates(
        [data.district], date(2021, 1, 1), date(2023, 12, 31), "dialogues", host_body="district_peoples_committee"
    )
    assert [row["total"] for row in only_ubnd] == [119]


def test_data_quality_flags_a_total_that_is_not_the_sum_of_its_parts(data):
    with translation.override("en"):
        issues = metrics.data_quality_issues([data.district])
    # Only the 167 ≠ 53 + 54 + 12 aggregate: the 119 has no parts, the commune's 4 + 6 = 10 agrees.
    assert len(issues) == 1
    issue = issues[0]
    assert (issue["total"], issue["parts_sum"], issue["difference"]) == (167, 119, 48)
    assert "167" in issue["message"] and "119" in issue["message"] and "48" in issue["message"]
    assert "2021: 53 + 2022: 54 + 2023: 12" in issue["message"]
    assert metrics.data_quality_issues([data.a]) == []
    assert metrics.data_quality_issues([data.b]) == []


# --- Query counts -------------------------------------------------------------------------------

PERIOD_FUNCTIONS = [
    metrics.dialogues_count,
    metrics.dialogues_without_minutes,
    metrics.engagement_meetings,
    metrics.petitions_received,
    metrics.petitions_answered_on_spot,
    metrics.petitions_routed_out,
    metrics.petitions_assigned,
    metrics.petitions_answered,
    metrics.petitions_resolved,
    metrics.petitions_by_agency,
    metrics.on_time_rate,
    metrics.median_days_to_answer,
]


@pytest.mark.parametrize("function", PERIOD_FUNCTIONS, ids=lambda function: function.__name__)
def test_each_figure_is_one_query(data, function, django_assert_max_num_queries):
    units = [data.district, data.a]
    with django_assert_max_num_queries(1):
        function(units, *Y2023)


@pytest.mark.parametrize("dimension", metrics.DIALOGUE_DIMENSIONS)
def test_dialogues_by_is_one_query(data, dimension, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        metrics.dialogues_by([data.district], *Y2023, dimension)


@pytest.mark.parametrize("dimension", metrics.PETITION_DIMENSIONS)
def test_petitions_by_is_one_query(data, dimension, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        metrics.petitions_by([data.district], *Y2023, dimension)


def test_aggregate_figures_take_two_queries(data, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        metrics.petitions_overdue([data.district], on=TODAY)
    with django_assert_max_num_queries(2):
        metrics.reported_aggregates([data.district], date(2021, 1, 1), date(2023, 12, 31), "dialogues")
    with django_assert_max_num_queries(2):
        metrics.data_quality_issues([data.district])


def test_a_unit_queryset_costs_one_more_query(data, django_assert_max_num_queries):
    from organization.models import Unit

    with django_assert_max_num_queries(2):
        assert metrics.petitions_received(Unit.objects.filter(pk=data.district.pk), *Y2023) == 9
