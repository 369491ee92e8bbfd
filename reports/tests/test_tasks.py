"""reports.tasks.compile_report: claiming the row, compiling in-process (the test settings run
tasks eagerly), retrying only transient errors, storing the final error, and the retry button's
service. The race between two workers on one report runs on PostgreSQL (integration).

The renderers are the real ones once ``reports/render/xlsx.py`` and its siblings exist; until
then (or where a test is about the task, not the files) a stand-in writes small files.
"""

from __future__ import annotations

import importlib.util
import threading
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import OperationalError, connection
from django.utils import timezone, translation

from danvan_portal.celery import app as celery_app
from dialogues.tests.factories import DialogueFactory, PetitionFactory
from programs.tests.factories import ProgramFactory, contribution
from reports import sections, services, tasks
from reports.models import BuildState, Report, ReportStatus

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2024, 5, 10, 9, 0, tzinfo=TZ)
Q1 = {"kind": "quarter", "period_start": date(2024, 1, 1), "period_end": date(2024, 3, 31)}
RENDERERS = all(importlib.util.find_spec(f"reports.render.{name}") for name in ("xlsx", "docx", "pdf"))


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def fake_render_all(report):
    return {name: (f"r{report.pk}.{name[:4]}", f"v{report.version_no}".encode()) for name in FIELDS}


FIELDS = ("xlsx_file", "docx_file", "pdf_file")


@pytest.fixture
def fake_files(monkeypatch):
    monkeypatch.setattr("reports.render.render_all", fake_render_all)


class Spy:
    """Counts the calls of ``sections.build`` and can fail the first ``fail`` of them."""

    def __init__(self, monkeypatch, error: BaseException | None = None, fail: int = 0):
        self.calls = 0
        self.error, self.fail = error, fail
        self.real = sections.build
        monkeypatch.setattr("reports.sections.build", self)

    def __call__(self, units, period, progress=None):
        self.calls += 1
        if self.calls <= self.fail:
            raise self.error
        return self.real(units, period, progress)


@pytest.fixture
def records(tree):
    """A little of everything in the first quarter of 2024 (before the frozen "now")."""
    DialogueFactory(unit=tree.commune_a, date=date(2024, 2, 5))
    PetitionFactory(unit=tree.commune_b, received_on=date(2024, 3, 1))
    ProgramFactory(unit=tree.commune_a, date=date(2024, 1, 20), contributions=[contribution(value_vnd=3_000_000)])
    return tree


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def report(records, district_staff, frozen) -> Report:
    """A queued draft of the district's first quarter (its compile not run yet)."""
    return services.report_create(user=district_staff, unit=records.district, **Q1)


def state(report: Report) -> Report:
    report.refresh_from_db()
    return report


# --- Compiling in-process ------------------------------------------------------------------------


@pytest.mark.skipif(not RENDERERS, reason="the renderers are not written yet")
def test_creating_a_report_compiles_it_in_process_with_figures_and_files(
    records, district_staff, frozen, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_create(user=district_staff, unit=records.district, **Q1)

    report = state(report)
    assert report.build_state == BuildState.READY, report.build_error
    assert report.progress == 100
    assert report.build_error == ""
    assert report.compiled_at is not None
    assert report.figures["period"] == {
        "kind": "quarter",
        "start": "2024-01-01",
        "end": "2024-03-31",
        "label": "quarter I of 2024",
    }
    assert report.figures["kpis"]["dialogues"] == 1
    assert report.figures["kpis"]["petitions_received"] == 1
    assert report.figures["kpis"]["value_mobilized_vnd"] == 3_000_000
    assert [row["unit"] for row in report.figures["communes"]] == ["Xã Vĩnh Yên", "Xã Nghĩa Đô"]
    with report.xlsx_file.open("rb") as xlsx, report.docx_file.open("rb") as docx, report.pdf_file.open("rb") as pdf:
        assert xlsx.read(2) == b"PK"  # a zip: an Office Open XML workbook
        assert docx.read(2) == b"PK"
        assert pdf.read(5) == b"%PDF-"
    assert report.docx_file.name.endswith(".docx") and report.pdf_file.name.endswith(".pdf")


def test_the_figures_are_the_sections_of_the_scope_and_period(report, fake_files):
    assert tasks.compile_report(report.pk) == "ready"

    report = state(report)
    assert report.figures == sections.build([report.unit], report.period)


def test_progress_moves_forward_to_100(report, fake_files, monkeypatch):
    seen: list[int] = []
    real = tasks._progress

    def recording(report_id):
        update = real(report_id)

        def step(percent):
            seen.append(percent)
            update(percent)
            seen.append(Report.objects.get(pk=report_id).progress)  # stored where the page polls it

        return step

    monkeypatch.setattr(tasks, "_progress", recording)

    tasks.compile_report(report.pk)

    assert seen == sorted(seen)
    assert seen[0] > 1 and seen[-1] == 88  # 1 when claimed; 100 once the files are stored
    assert len(set(seen)) >= 5
    assert state(report).progress == 100


def test_a_duplicate_message_or_a_second_call_does_nothing(report, fake_files, monkeypatch):
    spy = Spy(monkeypatch)

    assert tasks.compile_report(report.pk) == "ready"
    compiled_at = state(report).compiled_at
    assert tasks.compile_report(report.pk) == "skipped"
    assert tasks.compile_report.delay(report.pk).get() == "skipped"

    assert spy.calls == 1
    assert state(report).compiled_at == compiled_at


def test_a_row_another_worker_is_compiling_is_left_to_it(report, fake_files, monkeypatch):
    spy = Spy(monkeypatch)
    Report.objects.filter(pk=report.pk).update(build_state=BuildState.RUNNING, claimed_at=timezone.now(), progress=40)

    assert tasks.compile_report(report.pk) == "skipped"

    assert spy.calls == 0
    assert (state(report).build_state, report.progress) == (BuildState.RUNNING, 40)


def test_a_row_whose_worker_died_is_taken_over_after_the_time_limit(report, fake_files, settings, time_machine):
    # acks_late: the message of a worker that died is delivered again; the row still says running.
    Report.objects.filter(pk=report.pk).update(build_state=BuildState.RUNNING, claimed_at=timezone.now())
    time_machine.move_to(NOW + timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT - 1), tick=False)
    assert tasks.compile_report(report.pk) == "skipped"

    time_machine.move_to(NOW + timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 1), tick=False)
    assert tasks.compile_report(report.pk) == "ready"
    assert state(report).build_state == BuildState.READY


def test_a_report_deleted_before_its_compile_is_skipped(report, fake_files):
    Report.objects.filter(pk=report.pk).delete()

    assert tasks.compile_report(report.pk) == "skipped"


# --- Errors: transient ones are retried, the rest stored -------------------------------------------


@pytest.fixture
def like_a_worker():
    """Run the task in this process but with a worker's semantics: a broker is configured (so the
    task may retry) and a ``Retry`` is handled by Celery, which runs the retry, instead of being
    raised to the caller. (``apply`` re-runs a retried task at once; a worker waits the countdown.)"""
    conf = celery_app.conf
    saved = conf.task_always_eager, conf.task_eager_propagates
    conf.task_always_eager, conf.task_eager_propagates = False, False
    try:
        yield
    finally:
        conf.task_always_eager, conf.task_eager_propagates = saved


def test_a_transient_database_error_is_retried_then_succeeds(report, fake_files, monkeypatch, like_a_worker):
    spy = Spy(monkeypatch, OperationalError("server closed the connection unexpectedly"), fail=1)

    result = tasks.compile_report.apply(args=[report.pk])

    assert result.get() == "ready"
    assert spy.calls == 2
    report = state(report)
    assert report.build_state == BuildState.READY
    assert report.build_error == ""
    assert report.attempts == 1
    assert report.figures["kpis"]["dialogues"] == 1


def test_a_transient_error_that_persists_fails_after_the_last_retry(report, fake_files, monkeypatch, like_a_worker):
    spy = Spy(monkeypatch, OperationalError("could not connect to server"), fail=99)

    assert tasks.compile_report.apply(args=[report.pk]).get() == "failed"

    assert spy.calls == tasks.compile_report.max_retries + 1
    report = state(report)
    assert report.build_state == BuildState.FAILED
    assert report.build_error == "OperationalError: could not connect to server"
    assert report.attempts == tasks.compile_report.max_retries + 1


def test_a_transient_error_of_a_direct_call_is_stored_at_once(report, fake_files, monkeypatch):
    # Called as a function (no Celery request to retry), there is nobody to retry it.
    Spy(monkeypatch, OperationalError("gone"), fail=1)

    assert tasks.compile_report(report.pk) == "failed"

    assert state(report).build_state == BuildState.FAILED


def test_without_a_broker_a_transient_error_is_stored_not_raised_into_the_page(
    records, district_staff, frozen, fake_files, monkeypatch, django_capture_on_commit_callbacks
):
    # Zero setup: the compile runs in the web request that created the report (on commit). A
    # retry there would raise celery's Retry out of the request; the error is stored instead.
    spy = Spy(monkeypatch, OperationalError("database is locked"), fail=1)

    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_create(user=district_staff, unit=records.district, **Q1)

    report = state(report)
    assert spy.calls == 1
    assert report.build_state == BuildState.FAILED
    assert report.build_error == "OperationalError: database is locked"
    assert report.attempts == 1
    # The Retry button then compiles it.
    with django_capture_on_commit_callbacks(execute=True):
        services.retry(user=district_staff, report=report)
    assert state(report).build_state == BuildState.READY


def test_a_bug_or_bad_data_is_stored_on_the_row_without_retrying(report, fake_files, monkeypatch):
    spy = Spy(monkeypatch, ValueError("the unit has no communes"), fail=1)

    assert tasks.compile_report.apply(args=[report.pk]).get() == "failed"

    assert spy.calls == 1
    report = state(report)
    assert report.build_state == BuildState.FAILED
    assert report.build_error == "ValueError: the unit has no communes"
    assert report.progress == 0
    assert report.figures == {}


def test_a_renderer_error_is_stored_too(report, monkeypatch):
    def broken(report):
        raise KeyError("kpis")

    monkeypatch.setattr("reports.render.render_all", broken)

    assert tasks.compile_report(report.pk) == "failed"

    assert state(report).build_error == "KeyError: 'kpis'"


def test_retry_requeues_a_failed_report_and_it_compiles(
    report, district_staff, fake_files, monkeypatch, django_capture_on_commit_callbacks
):
    spy = Spy(monkeypatch, ValueError("boom"), fail=1)
    tasks.compile_report(report.pk)
    assert state(report).build_state == BuildState.FAILED

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.retry(user=district_staff, report=report)

    assert len(callbacks) == 1
    report = state(report)
    assert report.build_state == BuildState.READY
    assert report.build_error == ""
    assert spy.calls == 2


def test_retry_is_refused_while_the_report_compiles(report, district_staff):
    Report.objects.filter(pk=report.pk).update(build_state=BuildState.RUNNING, claimed_at=timezone.now())

    with pytest.raises(Exception, match="compiling now"):
        services.retry(user=district_staff, report=report)

    assert state(report).build_state == BuildState.RUNNING


# --- Submitted and issued reports ----------------------------------------------------------------------


def test_editing_the_narrative_of_a_submitted_report_renders_it_again(
    report, district_staff, fake_files, django_capture_on_commit_callbacks
):
    tasks.compile_report(report.pk)
    report = services.submit(user=district_staff, report=state(report))

    with django_capture_on_commit_callbacks(execute=True):
        services.narrative_update(user=district_staff, report=report, values={"proposals": "Đề nghị bổ sung kinh phí."})

    report = state(report)
    assert report.status == ReportStatus.SUBMITTED
    assert report.build_state == BuildState.READY  # not left "queued" for ever


def test_an_issued_report_keeps_its_figures_when_its_files_are_rendered_with_the_number(
    report, tree, leader, fake_files, monkeypatch, django_capture_on_commit_callbacks
):
    tasks.compile_report(report.pk)
    frozen_figures = state(report).figures
    DialogueFactory(unit=tree.commune_b, date=date(2024, 3, 30))  # recorded late
    spy = Spy(monkeypatch)

    with django_capture_on_commit_callbacks(execute=True):
        services.issue(user=leader, report=report)

    report = state(report)
    assert report.status == ReportStatus.ISSUED
    assert report.build_state == BuildState.READY
    assert report.figures == frozen_figures
    assert spy.calls == 0
    assert report.document.symbol == "1-BC/HU"
    # A compile message for an issued report (say, a stale duplicate) changes nothing.
    assert tasks.compile_report(report.pk) == "skipped"
    assert tasks.render_issued_files(report.pk) == "skipped"


def test_an_issued_report_whose_files_failed_is_rendered_again_by_retry(
    report, district_staff, leader, fake_files, monkeypatch, django_capture_on_commit_callbacks
):
    tasks.compile_report(report.pk)
    monkeypatch.setattr("reports.render.render_all", lambda report: 1 / 0)
    with django_capture_on_commit_callbacks(execute=True):
        services.issue(user=leader, report=state(report))
    report = state(report)
    assert (report.status, report.build_state) == (ReportStatus.ISSUED, BuildState.FAILED)
    assert report.build_error == "ZeroDivisionError: division by zero"
    figures = report.figures

    monkeypatch.setattr("reports.render.render_all", fake_render_all)
    spy = Spy(monkeypatch)
    with django_capture_on_commit_callbacks(execute=True):
        services.retry(user=district_staff, report=report)

    report = state(report)
    assert (report.status, report.build_state) == (ReportStatus.ISSUED, BuildState.READY)
    assert report.figures == figures
    assert spy.calls == 0


# --- Two workers racing on PostgreSQL ---------------------------------------------------------------


@pytest.mark.integration(needs=("postgres",))
@pytest.mark.django_db(transaction=True)
def test_two_workers_racing_on_one_report_compile_it_once(tree, district_staff, fake_files, monkeypatch):
    report = services.report_create(user=district_staff, unit=tree.district, **{**Q1, "kind": "quarter"})
    # The compile queued on commit ran in-process already: put the row back in the queue.
    Report.objects.filter(pk=report.pk).update(build_state=BuildState.QUEUED, progress=0, figures={})
    spy = Spy(monkeypatch)
    both_ready = threading.Barrier(2, timeout=30)
    real_claim = services.claim
    results: list[str] = []
    errors: list[BaseException] = []

    def claim_together(report_id):
        both_ready.wait()  # both messages arrive at the same moment
        return real_claim(report_id)

    monkeypatch.setattr(services, "claim", claim_together)

    def worker():
        try:
            results.append(tasks.compile_report.apply(args=[report.pk]).get())
        except BaseException as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted(results) == ["ready", "skipped"]
    assert spy.calls == 1
    assert state(report).build_state == BuildState.READY
