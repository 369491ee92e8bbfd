"""Writes for reports and period locks. Pages, the API and the scheduler call these.

Creating a report only writes the row and queues ``tasks.compile_report``; the task claims the
row with a conditional UPDATE (``claim``), so a duplicate message or a second worker finds
nothing to do. Issuing gives the report its number from the document register and freezes it;
a correction is a new version that says what changed.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from organization import access
from organization.models import DocumentKind, Role, Unit, User
from organization.services import check_version, document_issue

from . import periods
from .models import BuildState, PeriodLock, Report, ReportStatus

NARRATIVE_FIELDS = (
    "strengths",
    "weaknesses",
    "next_tasks",
    "proposals",
    "signer",
    "signer_authority",
    "signer_title",
    "recipients",
)


def can_run_reports(user: User, unit: Unit) -> bool:
    return access.has_role_over(user, unit, Role.DISTRICT_STAFF, Role.COMMUNE_OFFICER)


def can_issue(user: User, unit: Unit) -> bool:
    return access.has_role_over(user, unit, Role.LEADER)


def can_lock(user: User, unit: Unit) -> bool:
    return access.has_role_over(user, unit, Role.DISTRICT_STAFF)


def _require_unit(user: User, unit: Unit, allowed) -> None:
    if not access.can_view_unit(user, unit):
        raise ValidationError({"unit": _("%(unit)s is outside your units.") % {"unit": unit.name}})
    if not allowed(user, unit):
        raise PermissionDenied


def _queue(report: Report) -> None:
    from .tasks import compile_report

    transaction.on_commit(lambda: compile_report.delay(report.pk))


@transaction.atomic
def report_create(
    *,
    user: User | None,
    kind: str,
    period_start: date,
    period_end: date,
    unit: Unit,
    issuer: Unit | None = None,
    include_predecessors: bool = False,
    scheduled: bool = False,
) -> Report:
    """A new report row (version 1), queued for compilation. One per (kind, period, unit):
    a second request for the same one is refused with a link-worthy message, never a duplicate."""
    if not scheduled:
        _require_unit(user, unit, can_run_reports)
    period = periods.validate(kind, period_start, period_end)
    existing = Report.objects.filter(kind=kind, period_start=period.start, period_end=period.end, unit=unit)
    if existing.exists():
        raise ValidationError(
            {"period_start": _("A report of this kind for this period and unit already exists; open it instead.")}
        )
    issuer = issuer or default_issuer(unit)
    if issuer is None:
        raise ValidationError(
            {"issuer": _("%(unit)s has no body with a document symbol to issue reports.") % {"unit": unit.name}}
        )
    if not issuer.is_descendant_of(unit) and not unit.is_descendant_of(issuer):
        raise ValidationError({"issuer": _("The issuing body must belong to the unit.")})
    report = Report(
        kind=kind,
        period_start=period.start,
        period_end=period.end,
        unit=unit,
        issuer=issuer,
        include_predecessors=include_predecessors,
        created_by=user,
    )
    report.full_clean(exclude=["figures"])
    try:
        with transaction.atomic():
            report._history_user = user
            report.save()
    except IntegrityError:
        raise ValidationError(
            {"period_start": _("A report of this kind for this period and unit already exists; open it instead.")}
        ) from None
    _queue(report)
    return report


def default_issuer(unit: Unit) -> Unit | None:
    """The unit's Party committee (the body with a document symbol nearest below it), or the
    unit itself when it has a symbol."""
    if unit.doc_symbol:
        return unit
    return Unit.objects.filter(path__startswith=unit.path).exclude(doc_symbol="").order_by("depth", "path").first()


def _stale_claim() -> Q:
    """A row left "running" longer than the hard time limit: its worker died (or was killed)
    mid-compile, so nothing will ever finish it. It may be claimed (and retried) again."""
    limit = timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
    return Q(build_state=BuildState.RUNNING, claimed_at__lt=timezone.now() - limit)


def claim(report_id: int) -> bool:
    """Take the job: only a queued row (of a draft, or of a submitted report whose narrative was
    edited) moves to running, or a running one whose worker died (``_stale_claim``). Returns
    False when another worker or an earlier message already has it, so duplicates do nothing."""
    updated = (
        Report.objects.filter(pk=report_id, status__in=[ReportStatus.DRAFT, ReportStatus.SUBMITTED])
        .filter(Q(build_state=BuildState.QUEUED) | _stale_claim())
        .update(build_state=BuildState.RUNNING, claimed_at=timezone.now(), progress=1, build_error="")
    )
    return updated == 1


@transaction.atomic
def retry(*, user: User, report: Report) -> Report:
    report = Report.objects.select_for_update().get(pk=report.pk)
    _require_unit(user, report.unit, can_run_reports)
    if report.build_state == BuildState.RUNNING and not Report.objects.filter(_stale_claim(), pk=report.pk).exists():
        raise ValidationError(_("The report is compiling now; wait for it to finish."))
    # An issued report whose files failed to render (or whose worker died) gets them rendered
    # again, from its frozen figures and with its number; a draft or submitted one is recompiled.
    rerender_issued = report.status == ReportStatus.ISSUED
    if rerender_issued and report.build_state not in (BuildState.FAILED, BuildState.RUNNING):
        raise ValidationError(_("Only a draft report can be compiled again."))
    report.build_state, report.progress, report.build_error = BuildState.QUEUED, 0, ""
    report.version += 1
    report._history_user = user
    report.save()
    if rerender_issued:
        transaction.on_commit(lambda: _render_issued(report.pk))
    else:
        _queue(report)
    return report


@transaction.atomic
def narrative_update(
    *, user: User, report: Report, values: dict[str, Any], expected_version: int | None = None
) -> Report:
    report = Report.objects.select_for_update().get(pk=report.pk)
    check_version(report, expected_version)
    _require_unit(user, report.unit, can_run_reports)
    if report.status == ReportStatus.ISSUED:
        raise ValidationError(_("An issued report cannot change; create a new version to correct it."))
    if report.build_state == BuildState.RUNNING:
        # The files being written now would miss the new text; wait for them instead.
        raise ValidationError(_("The report is compiling now; save the text again when it is ready."))
    for name, value in values.items():
        if name in NARRATIVE_FIELDS:
            setattr(report, name, value)
    report.version += 1
    report.full_clean(exclude=["figures"])
    report._history_user = user
    report.save()
    if report.build_state == BuildState.READY:
        # The files carry the narrative: render them again (figures stay as frozen).
        report.build_state, report.progress = BuildState.QUEUED, 0
        report.save(update_fields=["build_state", "progress"])
        _queue(report)
    return report


@transaction.atomic
def submit(*, user: User, report: Report, expected_version: int | None = None) -> Report:
    report = Report.objects.select_for_update().get(pk=report.pk)
    check_version(report, expected_version)
    _require_unit(user, report.unit, can_run_reports)
    if report.status != ReportStatus.DRAFT:
        raise ValidationError(_("Only a draft report can be submitted."))
    if report.build_state != BuildState.READY:
        raise ValidationError(_("The report has not compiled yet; it can be submitted once its files are ready."))
    report.status = ReportStatus.SUBMITTED
    report.submitted_by, report.submitted_at = user, timezone.now()
    report.version += 1
    report._history_user = user
    report.save()
    return report


@transaction.atomic
def issue(*, user: User, report: Report, day: date | None = None, expected_version: int | None = None) -> Report:
    """A leader issues the report: it gets the next "…-BC/…" number of its issuing body and its
    figures and files are frozen for good."""
    report = Report.objects.select_for_update().get(pk=report.pk)
    check_version(report, expected_version)
    _require_unit(user, report.unit, can_issue)
    if report.status == ReportStatus.ISSUED:
        raise ValidationError(_("This report has already been issued."))
    if report.build_state != BuildState.READY or not report.figures:
        raise ValidationError(_("The report has not compiled; it can be issued once its files are ready."))
    day = day or timezone.localdate()
    report.document = document_issue(
        issuer=report.issuer,
        kind=DocumentKind.BC,
        day=day,
        subject=str(report),
        created_by=user,
        signer=report.signer,
    )
    report.status = ReportStatus.ISSUED
    report.issued_by, report.issued_at = user, timezone.now()
    report.version += 1
    report._history_user = user
    report.save()
    # The files were rendered before the number existed: render them once more with it.
    report.build_state, report.progress = BuildState.QUEUED, 0
    report.save(update_fields=["build_state", "progress"])
    transaction.on_commit(lambda: _render_issued(report.pk))
    return report


def _render_issued(report_id: int) -> None:
    from .tasks import render_issued_files

    render_issued_files.delay(report_id)


@transaction.atomic
def new_version(*, user: User, report: Report, change_note: str) -> Report:
    """Correct an issued report: a new draft version, compiled afresh, naming what changed."""
    report = Report.objects.select_for_update().get(pk=report.pk)
    _require_unit(user, report.unit, can_run_reports)
    if report.status != ReportStatus.ISSUED:
        raise ValidationError(_("Only an issued report is corrected by a new version; edit the draft instead."))
    if hasattr(report, "replaced_by"):
        raise ValidationError(_("This report already has a newer version."))
    if not (change_note or "").strip():
        raise ValidationError({"change_note": _("Say what the new version changes.")})
    top = Report.objects.filter(
        kind=report.kind, period_start=report.period_start, period_end=report.period_end, unit=report.unit
    ).aggregate(top=Max("version_no"))["top"]
    copy = Report(
        kind=report.kind,
        period_start=report.period_start,
        period_end=report.period_end,
        unit=report.unit,
        issuer=report.issuer,
        include_predecessors=report.include_predecessors,
        version_no=top + 1,
        replaces=report,
        change_note=change_note.strip(),
        created_by=user,
        **{name: getattr(report, name) for name in NARRATIVE_FIELDS},
    )
    copy._history_user = user
    copy.save()
    _queue(copy)
    return copy


# --- Period locks ------------------------------------------------------------------------------


@transaction.atomic
def lock_period(
    *, user: User, unit: Unit, start: date, end: date, reason: str, report: Report | None = None
) -> PeriodLock:
    _require_unit(user, unit, can_lock)
    if end < start:
        raise ValidationError({"end": _("The period ends before it starts.")})
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the period is locked (e.g. the report that was issued).")})
    if report is not None and report.status != ReportStatus.ISSUED:
        raise ValidationError({"report": _("Lock a period after its report is issued.")})
    overlapping = PeriodLock.objects.active().filter(unit=unit, start__lte=end, end__gte=start)
    if overlapping.exists():
        raise ValidationError({"start": _("Part of this period is already locked for this unit.")})
    lock = PeriodLock(unit=unit, start=start, end=end, reason=reason.strip(), report=report, locked_by=user)
    lock._history_user = user
    lock.save()
    return lock


@transaction.atomic
def unlock_period(*, user: User, lock: PeriodLock, reason: str) -> PeriodLock:
    lock = PeriodLock.objects.select_for_update().get(pk=lock.pk)
    _require_unit(user, lock.unit, can_lock)
    if lock.unlocked_at is not None:
        raise ValidationError(_("This period is already unlocked."))
    if not (reason or "").strip():
        raise ValidationError({"unlock_reason": _("Say why the period is unlocked; the reason is logged.")})
    lock.unlocked_by, lock.unlocked_at, lock.unlock_reason = user, timezone.now(), reason.strip()
    lock._history_user = user
    lock.save()
    return lock
