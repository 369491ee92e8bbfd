"""Celery tasks of the reports app, on their own queue (``reports``, routed by
``CELERY_TASK_ROUTES``): compiling a report and creating the scheduled drafts. See
docs/reports.md and docs/operations-celery.md."""

from __future__ import annotations

import logging
from datetime import date, timedelta

from celery import shared_task
from django.core.files.base import ContentFile
from django.db import InterfaceError, OperationalError, transaction
from django.utils import timezone

from . import periods, sections
from .models import BuildState, Report, ReportSchedule, ReportStatus

log = logging.getLogger(__name__)

#: How many days back the scheduler looks for due reports (catch-up after an outage).
CATCH_UP_DAYS = 7

#: Errors worth another try (a database restart, a dropped connection). Anything else is a bug
#: or bad data: retrying would fail the same way, so it is stored on the row at once.
TRANSIENT = (OperationalError, InterfaceError, ConnectionError, TimeoutError)


def _progress(report_id: int):
    def update(percent: int) -> None:
        Report.objects.filter(pk=report_id).update(progress=percent)

    return update


def _compile(report: Report) -> None:
    from .render import render_all

    step = _progress(report.pk)
    if report.status != ReportStatus.ISSUED:
        # Drafts are recomputed each compile; an issued report keeps its frozen figures.
        report.figures = sections.build(report.scope_units(), report.period, progress=step)
        Report.objects.filter(pk=report.pk).update(figures=report.figures)
    step(88)
    files = render_all(report)
    for field_name, (filename, content) in files.items():
        stored = getattr(report, field_name)
        if stored:
            stored.delete(save=False)  # a re-render replaces the file instead of piling up copies
        stored.save(filename, ContentFile(content), save=False)
    Report.objects.filter(pk=report.pk).update(
        **{name: getattr(report, name).name for name in files},
        build_state=BuildState.READY,
        progress=100,
        compiled_at=timezone.now(),
        build_error="",
    )


@shared_task(bind=True, max_retries=3, acks_late=True)
def compile_report(self, report_id: int) -> str:
    """Claim the row, compute and freeze the figures, render the files. Idempotent."""
    from .services import claim

    if not claim(report_id):
        return "skipped"
    report = Report.objects.select_related("unit", "issuer", "document", "signer").get(pk=report_id)
    try:
        _compile(report)
    except TRANSIENT as error:
        Report.objects.filter(pk=report_id).update(build_state=BuildState.QUEUED, attempts=report.attempts + 1)
        # Without a broker the task runs inside the caller (a web request's on_commit): a Retry
        # raised there would escape into the page as a 500. Store the error; Retry compiles again.
        in_process = self.request.called_directly or (self.request.is_eager and self.app.conf.task_always_eager)
        if in_process or self.request.retries >= self.max_retries:
            _fail(report_id, error)
            return "failed"
        raise self.retry(exc=error, countdown=10 * (self.request.retries + 1)) from error
    except Exception as error:
        log.exception("report %s failed to compile", report_id)
        _fail(report_id, error)
        return "failed"
    return "ready"


def _fail(report_id: int, error: BaseException) -> None:
    Report.objects.filter(pk=report_id).update(
        build_state=BuildState.FAILED, build_error=f"{type(error).__name__}: {error}"[:2000], progress=0
    )


@shared_task
def render_issued_files(report_id: int) -> str:
    """After issuing: render the files again with the number, from the frozen figures."""
    updated = Report.objects.filter(pk=report_id, build_state=BuildState.QUEUED, status=ReportStatus.ISSUED).update(
        build_state=BuildState.RUNNING, claimed_at=timezone.now()
    )
    if not updated:
        return "skipped"
    report = Report.objects.select_related("unit", "issuer", "document", "signer").get(pk=report_id)
    try:
        _compile(report)
    except Exception as error:
        log.exception("issued report %s failed to render", report_id)
        _fail(report_id, error)
        return "failed"
    return "ready"


@shared_task
def create_scheduled_reports(day: str | None = None) -> int:
    """Drafts of the reports due in the week up to ``day`` (default today) for every active schedule. Safe to run
    twice or on two workers at once: the unique constraint lets one row per (kind, period, unit,
    version) exist, and ``report_create`` turns the loser's insert into a refusal we skip."""
    from django.core.exceptions import ValidationError

    from .services import report_create

    today = date.fromisoformat(day) if day else timezone.localdate()
    # The last week's due dates, so a day the scheduler missed is caught up the next day.
    due = [period for back in range(CATCH_UP_DAYS) for period in periods.due_on(today - timedelta(days=back))]
    created = 0
    for schedule in ReportSchedule.objects.filter(is_active=True).select_related("unit", "issuer"):
        for period in due:
            if period.kind not in schedule.kinds:
                continue
            try:
                with transaction.atomic():
                    report_create(
                        user=None,
                        kind=period.kind,
                        period_start=period.start,
                        period_end=period.end,
                        unit=schedule.unit,
                        issuer=schedule.issuer,
                        include_predecessors=schedule.include_predecessors,
                        scheduled=True,
                    )
                created += 1
            except ValidationError as error:
                # Already there (the schedule fired twice, or someone created it by hand) is the
                # normal case; anything else is a schedule that needs fixing: say so in the log.
                exists = Report.objects.filter(
                    kind=period.kind, period_start=period.start, period_end=period.end, unit=schedule.unit
                ).exists()
                if not exists:
                    log.warning(
                        "scheduled %s report %s–%s for %s not created: %s",
                        period.kind,
                        period.start,
                        period.end,
                        schedule.unit.name,
                        " ".join(error.messages),
                    )
    return created
