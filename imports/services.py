"""Importing a file: upload → check (a dry run) → confirm → run, each step recorded on an
``ImportJob`` (the import log).

* ``upload`` refuses what is not a readable workbook at once (empty, CSV or ZIP renamed to
  .xlsx, a compression bomb) and otherwise stores the file and queues ``check``.
* ``check`` reads every sheet and row and asks the kind what it would create, writing nothing.
  Every problem is kept with its sheet, row and column; rows already in the portal (by each
  kind's natural key) are counted as "already present" and will be skipped.
* ``confirm`` queues ``run`` for a checked file without problems; only the uploader confirms.
* ``run`` checks the file again inside one transaction (the data may have changed since the
  preview) and writes every row through the domain services, or nothing: any problem or error
  rolls the whole file back. On PostgreSQL an advisory lock serializes imports of one kind, so
  two files with the same rows cannot both create them.

Both ``check`` and ``run`` are Celery tasks (``tasks.py``); without Redis they run in-process.
Progress goes to the cache (the job row is inside the import's transaction, invisible until it
commits).
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from organization import access, bulk

from .context import Context
from .kinds import REGISTRY
from .kinds.base import ImportKind, Plan
from .models import ImportJob, ImportStatus
from .problems import ProblemList
from .reader import FileRefused, check_file, read_book

log = logging.getLogger(__name__)

PROGRESS_TTL = 6 * 3600


class ImportProblems(Exception):
    """The file has problems; nothing was written."""

    def __init__(self, problems: ProblemList):
        super().__init__(f"{problems.total} problem(s)")
        self.problems = problems


@dataclass
class Outcome:
    """The result of checking or running a file outside the log (the command line, tests)."""

    problems: ProblemList
    plan: Plan | None
    rows: int
    ctx: Context | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


def kind_for(key: str) -> ImportKind:
    try:
        return REGISTRY[key]
    except KeyError:
        raise ValidationError(
            {
                "kind": _("Unknown kind of import “%(kind)s”. Choose one of: %(kinds)s.")
                % {"kind": key, "kinds": ", ".join(REGISTRY)}
            }
        ) from None


def require_importer(user) -> None:
    if access.is_admin(user) or any(m.role in access.WRITE_ROLES for m in access.memberships(user)):
        return
    raise PermissionDenied(_("Only district staff and commune officers may import data."))


def progress_key(job_id: int) -> str:
    return f"imports:{job_id}:progress"


def progress_of(job: ImportJob) -> int:
    if job.is_finished:
        return 100
    return cache.get(progress_key(job.pk), job.progress)


def _progress_writer(job_id: int | None, start: int, end: int):
    def write(percent: int) -> None:
        if job_id is not None:
            cache.set(progress_key(job_id), start + (end - start) * percent // 100, PROGRESS_TTL)

    return write


# --- checking and running, independent of the log --------------------------------------------


def inspect(kind: ImportKind, handle, user, *, progress=None) -> Outcome:
    """Read and check a file (already through ``check_file``): problems and the plan."""
    book = read_book(handle, kind.sheets)
    if not book.problems and book.row_count == 0:
        book.problems.add(
            _("The file holds only the template's example row, which is never imported. Write your rows below it.")
            if book.skipped_examples
            else _("The file has no rows below the headers: there is nothing to import.")
        )
    ctx = Context(user, book.problems, progress)
    plan = kind.plan(ctx, book)
    return Outcome(problems=book.problems, plan=plan, rows=book.row_count, ctx=ctx)


def _serialize_kind(kind: ImportKind) -> None:
    """Imports of one kind take turns on PostgreSQL (until the transaction ends)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"danvan-import:{kind.key}"])


class _Rollback(Exception):
    """Raised inside the transaction to undo a dry run or a file with problems."""


def attempt(kind: ImportKind, handle, user, *, write: bool, progress=None) -> Outcome:
    """Check ``handle`` and write it through the domain services inside one transaction; keep
    the writes only when ``write`` is set and nothing went wrong.

    The dry run (``write=False``) therefore reports everything the services would refuse (a
    locked period, a rule a page would enforce) and not only what the cells look like. Whatever
    the services queue for after the commit (e-mails, tasks) is dropped with the rollback.
    """
    outcome: Outcome | None = None
    try:
        with transaction.atomic(), bulk.memoized():
            _serialize_kind(kind)
            outcome = inspect(kind, handle, user, progress=progress)
            outcome.ctx.dry_run = not write
            if not outcome.problems:
                kind.commit(outcome.ctx, outcome.plan)
            if outcome.problems or not write:
                raise _Rollback
    except _Rollback:
        pass
    return outcome


def execute(kind: ImportKind, handle, user, *, progress=None) -> Outcome:
    """Import a file: all rows or none. Raise ImportProblems (nothing written) on any problem."""
    outcome = attempt(kind, handle, user, write=True, progress=progress)
    if outcome.problems:
        raise ImportProblems(outcome.problems)
    return outcome


# --- the log -------------------------------------------------------------------------------


def _home_unit(user):
    for membership in access.memberships(user):
        if membership.role in access.WRITE_ROLES:
            return membership.unit
    return None


def _new_job(*, user, kind: ImportKind, data: bytes, name: str, via: str) -> ImportJob:
    """A log row for an uploaded file (not saved yet): who, when, which file and its hash."""
    return ImportJob(
        kind=kind.key,
        original_name=(name or "upload.xlsx")[:255],
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by=user,
        unit=_home_unit(user),
        via=via,
    )


def upload(*, user, kind_key: str, handle, name: str, via: str = "web") -> ImportJob:
    """Record an uploaded file and queue its check. A file that is not a readable workbook is
    logged with its problem and never stored."""
    require_importer(user)
    kind = kind_for(kind_key)
    data = handle.read()
    job = _new_job(user=user, kind=kind, data=data, name=name, via=via)
    try:
        check_file(ContentFile(data), len(data))
    except FileRefused as exc:
        job.status = ImportStatus.PROBLEMS
        job.problems = [{"sheet": "", "row": None, "column": "", "message": str(exc)}]
        job.problem_count = 1
        job.checked_at = job.finished_at = timezone.now()
        job.save()
        return job
    job.file.save(f"{kind.key}.xlsx", ContentFile(data), save=False)
    job.save()
    from .tasks import check_import

    transaction.on_commit(lambda: check_import.delay(job.pk))
    return job


def _earlier_import(job: ImportJob) -> ImportJob | None:
    return (
        ImportJob.objects.filter(sha256=job.sha256, kind=job.kind, status=ImportStatus.DONE)
        .exclude(pk=job.pk)
        .select_related("uploaded_by")
        .order_by("-finished_at")
        .first()
    )


def _store_outcome(job: ImportJob, outcome: Outcome, kind: ImportKind) -> None:
    job.rows_total = outcome.rows
    job.problem_count = outcome.problems.total
    job.problems = outcome.problems.as_list()
    job.summary = outcome.plan.summary(kind.sheets) if outcome.plan else []
    job.rows_created = outcome.plan.create_count if outcome.plan else 0
    job.rows_existing = outcome.plan.existing_count if outcome.plan else 0


def check(job_id: int) -> ImportJob:
    """The dry run: read and check the stored file; write only the job row."""
    job = ImportJob.objects.select_related("uploaded_by").get(pk=job_id)
    if job.status != ImportStatus.CHECKING:
        return job  # a duplicate message: already checked
    kind = kind_for(job.kind)
    try:
        with job.file.open("rb") as handle:
            outcome = attempt(kind, handle, job.uploaded_by, write=False, progress=_progress_writer(job.pk, 0, 100))
    except FileRefused as exc:
        problems = ProblemList()
        problems.add(str(exc))
        outcome = Outcome(problems=problems, plan=None, rows=0)
    _store_outcome(job, outcome, kind)
    job.status = ImportStatus.PROBLEMS if outcome.problems else ImportStatus.READY
    job.checked_at = timezone.now()
    if job.status == ImportStatus.PROBLEMS:
        job.finished_at = job.checked_at
    earlier = _earlier_import(job)
    if earlier is not None:
        job.message = _("This file was already imported on %(when)s by %(who)s; rows already present are skipped.") % {
            "when": f"{timezone.localtime(earlier.finished_at):%d/%m/%Y %H:%M}",
            "who": earlier.uploaded_by.get_full_name() or earlier.uploaded_by.get_username(),
        }
    job.progress = 100
    job.save()
    cache.delete(progress_key(job.pk))  # the page reads the row again, not the check's last step
    return job


def confirm(*, user, job: ImportJob) -> ImportJob:
    """Queue the import of a checked file. Only its uploader may, and only once."""
    if job.uploaded_by_id != user.pk:
        raise PermissionDenied(_("Only the person who uploaded the file may import it."))
    claimed = ImportJob.objects.filter(pk=job.pk, status=ImportStatus.READY).update(
        status=ImportStatus.QUEUED, confirmed_at=timezone.now(), progress=0
    )
    if not claimed:
        job.refresh_from_db()
        raise ValidationError(
            _("This file cannot be imported now: it is %(status)s.") % {"status": job.get_status_display().lower()}
        )
    from .tasks import run_import

    transaction.on_commit(lambda: run_import.delay(job.pk))
    job.refresh_from_db()
    return job


def cancel(*, user, job: ImportJob) -> ImportJob:
    if job.uploaded_by_id != user.pk:
        raise PermissionDenied(_("Only the person who uploaded the file may cancel it."))
    if not ImportJob.objects.filter(pk=job.pk, status=ImportStatus.READY).update(
        status=ImportStatus.CANCELLED, finished_at=timezone.now()
    ):
        raise ValidationError(_("Only a checked file that has not been imported can be cancelled."))
    job.refresh_from_db()
    return job


def run(job_id: int) -> ImportJob:
    """Import a confirmed file: all rows or none. Runs exactly once per confirmation."""
    if not ImportJob.objects.filter(pk=job_id, status=ImportStatus.QUEUED).update(status=ImportStatus.RUNNING):
        return ImportJob.objects.get(pk=job_id)  # already running or finished: a duplicate message
    job = ImportJob.objects.select_related("uploaded_by").get(pk=job_id)
    kind = kind_for(job.kind)
    try:
        with job.file.open("rb") as handle:
            outcome = execute(kind, handle, job.uploaded_by, progress=_progress_writer(job.pk, 0, 100))
    except ImportProblems as exc:
        job.status = ImportStatus.FAILED
        job.problems = exc.problems.as_list()
        job.problem_count = exc.problems.total
        job.message = _(
            "Nothing was imported: the file no longer passes the check (the data changed since the preview)."
        )
    except FileRefused as exc:
        job.status = ImportStatus.FAILED
        job.message = str(exc)
    except Exception:
        log.exception("import %s failed", job_id)
        job.status = ImportStatus.FAILED
        job.message = _("Nothing was imported: an unexpected error occurred. The administrators have been told.")
    else:
        _store_outcome(job, outcome, kind)
        job.status = ImportStatus.DONE
        job.message = _("Imported %(created)s records; %(existing)s rows were already present and skipped.") % {
            "created": job.rows_created,
            "existing": job.rows_existing,
        }
    job.finished_at = timezone.now()
    job.progress = 100
    job.save()
    cache.delete(progress_key(job.pk))
    return job


def import_now(*, user, kind_key: str, handle, name: str, dry_run: bool, via: str = "cli") -> ImportJob:
    """Check (and unless ``dry_run``, import) a file at once, in this process, recording it in
    the log like an upload: the command line's path, with the same checks and scoping."""
    require_importer(user)
    kind = kind_for(kind_key)
    data = handle.read()
    job = _new_job(user=user, kind=kind, data=data, name=name, via=via)
    try:
        check_file(ContentFile(data), len(data))
        outcome = attempt(kind, ContentFile(data), user, write=not dry_run)
    except FileRefused as exc:
        problems = ProblemList()
        problems.add(str(exc))
        outcome = Outcome(problems=problems, plan=None, rows=0)
    else:
        job.file.save(f"{kind.key}.xlsx", ContentFile(data), save=False)
    _store_outcome(job, outcome, kind)
    now = timezone.now()
    job.checked_at = job.finished_at = now
    job.progress = 100
    if outcome.problems:
        job.status = ImportStatus.PROBLEMS
    elif dry_run:
        job.status = ImportStatus.CANCELLED
        job.message = _("Dry run: checked only, nothing was saved.")
    else:
        job.status = ImportStatus.DONE
        job.confirmed_at = now
        job.message = _("Imported %(created)s records; %(existing)s rows were already present and skipped.") % {
            "created": job.rows_created,
            "existing": job.rows_existing,
        }
    job.save()
    return job
