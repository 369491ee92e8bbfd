"""Scheduled report drafts (``reports.tasks.create_scheduled_reports``, run daily by beat):
which drafts fall due, catch-up after missed days, idempotency (firing twice, or two workers at
once on PostgreSQL, never makes two reports), and the wiring: the beat entry, the queue, the
worker command."""

from __future__ import annotations

import logging
import threading
from datetime import date
from pathlib import Path

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.db import connection
from django.utils import translation

from danvan_portal.celery import app as celery_app
from reports import services, tasks
from reports.models import BuildState, Report, ReportSchedule, ReportStatus

pytestmark = pytest.mark.django_db

ALL_KINDS = ["month", "quarter", "half_year", "nine_months", "year"]


@pytest.fixture(autouse=True)
def no_compile(monkeypatch):
    """The drafts are what is tested here; their compile has tests of its own."""
    monkeypatch.setattr(services, "_queue", lambda report: None)


@pytest.fixture
def schedule(tree) -> ReportSchedule:
    return ReportSchedule.objects.create(unit=tree.district, issuer=tree.party_committee, kinds=ALL_KINDS)


def drafts() -> list[tuple[str, date, date]]:
    return sorted(Report.objects.values_list("kind", "period_start", "period_end"))


def run(day: date) -> int:
    return tasks.create_scheduled_reports(day.isoformat())


def test_on_the_1st_of_a_month_last_months_draft_is_created(schedule):
    assert run(date(2024, 5, 1)) == 1

    report = Report.objects.get()
    assert (report.kind, report.period_start, report.period_end) == ("month", date(2024, 4, 1), date(2024, 4, 30))
    assert report.unit == schedule.unit
    assert report.issuer == schedule.issuer
    assert report.status == ReportStatus.DRAFT
    assert report.build_state == BuildState.QUEUED
    assert report.created_by is None  # made by the schedule, not by a person


def test_on_1_january_last_month_the_fourth_quarter_and_last_year_are_due(schedule):
    assert run(date(2025, 1, 1)) == 3

    assert drafts() == [
        ("month", date(2024, 12, 1), date(2024, 12, 31)),
        ("quarter", date(2024, 10, 1), date(2024, 12, 31)),
        ("year", date(2024, 1, 1), date(2024, 12, 31)),
    ]


def test_on_1_july_and_1_october_the_six_and_nine_month_reports_are_due(schedule):
    run(date(2024, 7, 1))
    run(date(2024, 10, 1))

    assert ("half_year", date(2024, 1, 1), date(2024, 6, 30)) in drafts()
    assert ("nine_months", date(2024, 1, 1), date(2024, 9, 30)) in drafts()
    assert len(drafts()) == 6


def test_only_the_kinds_of_the_schedule_are_created(tree, schedule):
    schedule.kinds = ["quarter"]
    schedule.save()

    assert run(date(2024, 4, 1)) == 1
    assert drafts() == [("quarter", date(2024, 1, 1), date(2024, 3, 31))]


def test_running_twice_the_same_day_creates_the_drafts_once(schedule):
    assert run(date(2024, 4, 1)) == 2
    assert run(date(2024, 4, 1)) == 0

    assert Report.objects.count() == 2


def test_catch_up_a_run_on_the_3rd_creates_last_months_report(schedule):
    # Beat (or the broker) was down on the 1st and the 2nd.
    assert run(date(2024, 6, 3)) == 1

    assert drafts() == [("month", date(2024, 5, 1), date(2024, 5, 31))]
    # The next days find it there.
    assert run(date(2024, 6, 4)) == 0


def test_catch_up_reaches_back_a_week_and_no_further(schedule):
    assert run(date(2024, 6, 8)) == 0  # the 1st is eight days back
    assert run(date(2024, 6, 7)) == 1  # seven days back: still caught up
    assert run(date(2024, 6, 2)) == 0


def test_a_report_created_by_hand_is_not_duplicated(tree, schedule, district_staff):
    services.report_create(
        user=district_staff,
        kind="month",
        period_start=date(2024, 4, 1),
        period_end=date(2024, 4, 30),
        unit=tree.district,
    )

    assert run(date(2024, 5, 1)) == 0
    assert Report.objects.count() == 1


def test_an_inactive_schedule_creates_nothing(schedule):
    schedule.is_active = False
    schedule.save()

    assert run(date(2024, 5, 1)) == 0
    assert not Report.objects.exists()


def test_every_active_schedule_gets_its_drafts(tree, schedule, commune_a_committee):
    ReportSchedule.objects.create(
        unit=tree.commune_a, issuer=commune_a_committee, kinds=["month"], include_predecessors=True
    )

    assert run(date(2024, 5, 1)) == 2

    commune_report = Report.objects.get(unit=tree.commune_a)
    assert commune_report.issuer == commune_a_committee
    assert commune_report.include_predecessors is True


def test_a_schedule_that_cannot_create_its_report_does_not_stop_the_others(tree, schedule, caplog):
    # Commune B has no body with a symbol: its schedule names the district's committee, which is
    # not its own; that draft is refused and the district's is still created.
    ReportSchedule.objects.create(unit=tree.commune_b, issuer=tree.party_committee, kinds=["month"])

    with caplog.at_level(logging.WARNING, logger="reports.tasks"), translation.override("en"):
        assert run(date(2024, 5, 1)) == 1

    assert Report.objects.get().unit == tree.district
    assert [record.getMessage() for record in caplog.records] == [
        "scheduled month report 2024-04-01–2024-04-30 for Xã Nghĩa Đô not created: "
        "The issuing body must belong to the unit."
    ]
    # A draft that exists already is the normal case, and is not logged.
    caplog.clear()
    run(date(2024, 5, 1))
    assert len(caplog.records) == 1


def test_without_a_day_it_uses_today(schedule, time_machine):
    time_machine.move_to(date(2024, 9, 2))

    assert tasks.create_scheduled_reports() == 1
    assert drafts() == [("month", date(2024, 8, 1), date(2024, 8, 31))]


@pytest.fixture
def commune_a_committee(tree):
    from organization.models import UnitKind
    from organization.tests.factories import UnitFactory

    return UnitFactory(
        key="t-vinh-yen-du",
        name="Đảng ủy xã Vĩnh Yên",
        kind=UnitKind.PARTY_COMMITTEE,
        parent=tree.commune_a,
        doc_symbol="ĐU",
    )


# --- Wiring: beat, queue, worker ------------------------------------------------------------------


def test_beat_runs_the_schedule_every_morning_at_six():
    entry = settings.CELERY_BEAT_SCHEDULE["scheduled-reports"]

    assert entry["task"] == tasks.create_scheduled_reports.name
    assert entry["schedule"] == crontab(hour=6, minute=0)
    assert entry["task"] in celery_app.tasks


@pytest.mark.parametrize("task", [tasks.compile_report, tasks.render_issued_files, tasks.create_scheduled_reports])
def test_report_tasks_go_to_the_reports_queue(task):
    route = celery_app.amqp.router.route({}, task.name)

    assert route["queue"].name == "reports"


def test_other_tasks_stay_on_the_default_queue():
    route = celery_app.amqp.router.route({}, "dialogues.send_daily_reminders")

    assert route["queue"].name == "celery"


def test_make_worker_consumes_both_queues():
    makefile = (Path(settings.BASE_DIR) / "Makefile").read_text()

    assert "worker -Q celery,reports" in makefile


def test_compiles_are_acknowledged_late_so_a_dead_worker_leaves_them_to_another():
    assert tasks.compile_report.acks_late is True
    assert tasks.compile_report.max_retries == 3


# --- Two schedulers at once on PostgreSQL -------------------------------------------------------------


@pytest.mark.integration(needs=("postgres",))
@pytest.mark.django_db(transaction=True)
def test_two_runs_racing_create_each_draft_once(schedule, monkeypatch):
    both_checked = threading.Barrier(2, timeout=30)
    real_full_clean = Report.full_clean
    results: list[int] = []
    errors: list[BaseException] = []

    def full_clean_together(self, *args, **kwargs):
        # Both runs have found no report (the check before full_clean) before either inserts.
        both_checked.wait()
        return real_full_clean(self, *args, **kwargs)

    monkeypatch.setattr(Report, "full_clean", full_clean_together)

    def scheduler():
        try:
            results.append(run(date(2024, 5, 1)))
        except BaseException as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted(results) == [0, 1]
    assert drafts() == [("month", date(2024, 4, 1), date(2024, 4, 30))]


# --- The admin: schedules editable, reports and locks read-only with history ---------------------


def test_an_administrator_adds_a_schedule_with_its_kinds(client, tree, portal_admin):
    from django.urls import reverse

    client.force_login(portal_admin)
    assert client.get(reverse("admin:reports_reportschedule_add")).status_code == 200

    response = client.post(
        reverse("admin:reports_reportschedule_add"),
        {"unit": tree.district.pk, "issuer": tree.party_committee.pk, "kinds": ["year", "month"], "is_active": "on"},
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    schedule = ReportSchedule.objects.get()
    assert schedule.kinds == ["month", "year"]
    assert client.get(reverse("admin:reports_reportschedule_changelist")).status_code == 200


@pytest.mark.parametrize(
    ("issuer", "kinds", "field"),
    [
        ("commune_a", ["month"], "issuer"),  # no document symbol
        ("ubnd_of_other", ["month"], "issuer"),  # not the unit's body
        ("party_committee", [], "kinds"),
        ("party_committee", ["custom"], "kinds"),  # a custom range never falls due
    ],
)
def test_a_schedule_the_scheduler_could_not_use_is_refused(client, tree, portal_admin, issuer, kinds, field):
    from django.urls import reverse

    from organization.tests.factories import UnitFactory

    other = UnitFactory(key="t-other-hu", name="Huyện ủy Bắc Hà", kind="party_committee", doc_symbol="HU")
    body = other if issuer == "ubnd_of_other" else getattr(tree, issuer)
    client.force_login(portal_admin)

    response = client.post(
        reverse("admin:reports_reportschedule_add"),
        {"unit": tree.commune_a.pk, "issuer": body.pk, "kinds": kinds, "is_active": "on"},
    )

    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    assert not ReportSchedule.objects.exists()


def test_reports_and_locks_are_shown_read_only_with_their_history(client, tree, district_staff, portal_admin):
    from django.urls import reverse

    report = services.report_create(
        user=district_staff,
        kind="month",
        period_start=date(2024, 4, 1),
        period_end=date(2024, 4, 30),
        unit=tree.district,
    )
    period_lock = services.lock_period(
        user=district_staff, unit=tree.district, start=date(2024, 1, 1), end=date(2024, 3, 31), reason="Quý I."
    )
    services.unlock_period(user=district_staff, lock=period_lock, reason="Bổ sung.")
    client.force_login(portal_admin)

    for name, obj in (("report", report), ("periodlock", period_lock)):
        assert client.get(reverse(f"admin:reports_{name}_changelist")).status_code == 200, name
        assert client.get(reverse(f"admin:reports_{name}_add")).status_code == 403, name
        page = client.get(reverse(f"admin:reports_{name}_change", args=[obj.pk]))
        assert page.status_code == 200, name
        assert page.context["has_change_permission"] is False
        assert client.post(reverse(f"admin:reports_{name}_change", args=[obj.pk]), {}).status_code == 403
        assert client.get(reverse(f"admin:reports_{name}_delete", args=[obj.pk])).status_code == 403
        history = client.get(reverse(f"admin:reports_{name}_history", args=[obj.pk]))
        assert history.status_code == 200
    assert "Bổ sung." in client.get(reverse("admin:reports_periodlock_change", args=[period_lock.pk])).content.decode()


def test_only_staff_reach_the_reports_admin(client, district_staff):
    from django.urls import reverse

    client.force_login(district_staff)

    response = client.get(reverse("admin:reports_reportschedule_changelist"))

    assert response.status_code == 302
    assert "/login/" in response.url
