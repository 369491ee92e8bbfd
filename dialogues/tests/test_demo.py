"""The dialogues demo step: idempotent, and its figures match the article where it gives them."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import OutputWrapper
from django.db import transaction

from dialogues import metrics
from dialogues.demo import seed_dialogues
from dialogues.models import (
    ConclusionNotice,
    Dialogue,
    EngagementMeeting,
    Petition,
    PetitionEvent,
    PetitionResponse,
    ReportedAggregate,
)
from dialogues.workflow import PetitionStatus
from organization.management.commands.seed_demo import Seed
from organization.models import Document, Notification, Unit, User

ARTICLE_YEARS = (date(2021, 1, 1), date(2023, 12, 31))


def run_step() -> str:
    out = StringIO()
    seed_dialogues(Seed(stdout=OutputWrapper(out)))
    return out.getvalue()


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """Seed once for the module (the step takes seconds) inside a transaction rolled back at the
    end; each test's own transaction nests inside it, so tests still cannot see each other."""
    with django_db_blocker.unblock(), transaction.atomic():
        # The earlier steps (units, accounts, people, documents); this step too once seed_demo lists it.
        call_command("seed_demo", force=True, verbosity=0, stdout=StringIO())
        run_step()
        yield
        transaction.set_rollback(True)


@pytest.fixture
def demo(seeded, db) -> Unit:
    return Unit.objects.get(key="bao-yen")


def counts() -> list[int]:
    models = (
        Dialogue,
        Petition,
        PetitionEvent,
        PetitionResponse,
        ConclusionNotice,
        Document,
        EngagementMeeting,
        ReportedAggregate,
        Notification,
    )
    return [model.objects.count() for model in models] + [Dialogue.history.count(), Petition.history.count()]


def test_running_the_step_twice_creates_nothing_new(demo):
    before = counts()
    assert before[0] > 30 and before[1] > 80  # there is something to duplicate
    output = run_step()
    assert counts() == before
    assert "already present" in output


def test_standing_board_held_the_articles_18_dialogues(demo):
    district = [demo]
    assert metrics.dialogues_count(district, *ARTICLE_YEARS, host_body="standing_board") == 18
    assert metrics.dialogues_by(district, *ARTICLE_YEARS, "kind", host_body="standing_board") == {
        "periodic": 16,
        "ad_hoc": 2,
    }
    assert metrics.dialogues_by(district, *ARTICLE_YEARS, "year", host_body="standing_board") == {
        2021: 9,
        2022: 5,
        2023: 4,
    }


def test_the_storm_dialogue_of_2024_is_ad_hoc_and_outside_the_articles_count(demo):
    storm = Dialogue.objects.get(trigger_event__startswith="Hoàn lưu bão số 3", host_body="standing_board")
    assert (storm.date.year, storm.kind) == (2024, "ad_hoc")


def test_data_quality_check_flags_the_167_commune_dialogues(demo):
    issues = metrics.data_quality_issues([demo])
    assert [(issue["total"], issue["parts_sum"], issue["difference"]) for issue in issues] == [(167, 119, 48)]
    assert issues[0]["parts"] == [("2021", 53), ("2022", 54), ("2023", 12)]
    assert issues[0]["source"] == "Bài viết trên Cổng TTĐT Tỉnh ủy Lào Cai về công tác dân vận huyện Bảo Yên"
    # Reported, not derived: the district's own count of commune dialogues is far lower.
    reported = metrics.reported_aggregates([demo], *ARTICLE_YEARS, "dialogues")
    assert sorted(row["total"] for row in reported) == [119, 167]
    assert metrics.dialogues_count([demo], *ARTICLE_YEARS, level="commune") < 167


def test_the_demo_agency_has_overdue_petitions(demo):
    agency = Unit.objects.get(key="bao-yen/ubnd/tai-nguyen-moi-truong")
    overdue = Petition.objects.filter(assigned_agency=agency).overdue()
    assert overdue.exists()
    officer = User.objects.get(username="demo_agency")
    assert set(overdue) <= set(Petition.objects.assigned_to_agencies_of(officer))
    assert metrics.petitions_overdue([demo]) >= overdue.count()


def test_notices_are_numbered_in_the_register_and_assign_petitions(demo):
    notices = ConclusionNotice.objects.select_related("document", "dialogue").order_by("document__number")
    # One per Standing Board dialogue (18 in 2021–2023, 2 in 2024): each has petitions to follow.
    assert notices.count() == 20
    assert [n.document.symbol for n in notices[:2]] == ["1-TB/HU", "2-TB/HU"]
    assert all(n.dialogue.host_body == "standing_board" for n in notices)
    assert all(n.document.date >= n.dialogue.date for n in notices)
    assert Petition.objects.filter(directive__notice__in=notices).count() > 30


def test_the_demo_covers_the_workflow(demo):
    statuses = set(Petition.objects.values_list("status", flat=True))
    assert {
        PetitionStatus.ANSWERED_ON_SPOT,
        PetitionStatus.ROUTED_OUT,
        PetitionStatus.ASSIGNED,
        PetitionStatus.IN_PROGRESS,
        PetitionStatus.ANSWERED,
        PetitionStatus.RESOLVED,
        PetitionStatus.TRANSFERRED,
    } <= statuses
    assert PetitionResponse.objects.filter(status="reopened").exists()
    answers = PetitionResponse.objects.filter(agency__key="bao-yen/ubnd/tai-nguyen-moi-truong", status="published")
    assert answers.filter(author__username="demo_agency").count() == answers.count() > 0
    # Some dialogues have no minutes yet (for the reminder), most have.
    without = Dialogue.objects.filter(minutes_filed_at__isnull=True).count()
    assert 0 < without < Dialogue.objects.count() / 4


def test_the_demo_spans_2021_to_2024_and_the_named_communes(demo):
    years = set(Dialogue.objects.values_list("date__year", flat=True))
    assert years == {2021, 2022, 2023, 2024}
    places = set(Dialogue.objects.values_list("commune__name", flat=True))
    assert {"Xã Vĩnh Yên", "Xã Nghĩa Đô", "Thị trấn Phố Ràng", "Xã Xuân Hòa", "Xã Bảo Hà"} <= places
    vinh_yen = Dialogue.objects.filter(unit__key="bao-yen/vinh-yen")
    assert vinh_yen.exists()
    assert set(vinh_yen.values_list("created_by__username", flat=True)) == {"demo_commune"}


def test_clergy_meeting_at_pho_rang(demo):
    meeting = EngagementMeeting.objects.get(unit__key="bao-yen/pho-rang")
    assert meeting.clergy_count > 0
    assert "Công giáo" in meeting.religions
    assert meeting.petitions.filter(source="dignitaries_meeting").count() == 2
