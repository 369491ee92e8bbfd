"""Exports too large to download at once: queued from a list, written by a Celery task, handed
out to their owner until the link expires.

* ``start`` (called by ``organization.exports.ExportMixin`` when a list has more than
  ``EXPORT_SYNC_MAX_ROWS`` rows) records an ``ExportJob`` with the list's path and filters and
  queues ``tasks.run_export`` once the request's transaction commits. The same export asked for
  twice while the first is still being written joins the first.
* ``run`` (the task) calls the list's view again, for the job's user, with the same path and
  query string, through the view's own ``dispatch``: its login and permission checks run again
  and it builds the same scoped, filtered, ordered queryset as the page. ``ExportMixin.get`` sees
  the capture set on that request and hands the view to ``write`` instead of answering, so a
  background file is written by exactly the code that writes an immediate download.
* ``write`` streams the rows into a temporary file (openpyxl write-only, or csv), recording the
  rows written every ``PROGRESS_EVERY`` rows, then stores the file under ``exports/`` in the
  default storage (MEDIA_ROOT, never served directly) with ``expires_at`` =
  now + ``EXPORT_LINK_HOURS``.
* ``cleanup`` (hourly, from Celery beat) deletes the files of expired links and marks those jobs
  expired; jobs that never finished are marked failed.

See docs/exports.md.
"""

from __future__ import annotations

import logging
import tempfile
from datetime import timedelta
from importlib import import_module

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib import messages
from django.contrib.messages.storage import default_storage
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.urls import Resolver404, resolve
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from organization.exports import EXPORT_CAPTURE, write_export
from organization.middleware import active_membership

from .models import ACTIVE, ExportJob, ExportStatus

log = logging.getLogger(__name__)

#: Rows between two progress updates of the job row (one UPDATE each).
PROGRESS_EVERY = 2000
#: Query parameters that are not filters: the format asked for and the page being looked at.
NOT_FILTERS = ("export", "page")


class ExportRefused(Exception):
    """The export cannot be written for a reason the user can act on; the message says which."""


def _grouped(number: int) -> str:
    return number_format(number, force_grouping=True)


# --- starting ----------------------------------------------------------------------------------


def start(request, view, *, fmt: str, total: int) -> ExportJob:
    """Record the export of ``view``'s list (as filtered in ``request``) and queue its task."""
    from . import tasks  # tasks imports this module

    if not request.user.is_authenticated:  # every exporting list requires signing in; be sure
        raise PermissionDenied
    query = request.GET.copy()
    for name in NOT_FILTERS:
        query.pop(name, None)
    filters = query.urlencode()
    running = (
        ExportJob.objects.filter(
            user=request.user, path=request.path_info, query=filters, format=fmt, status__in=ACTIVE
        )
        .order_by("-created_at")
        .first()
    )
    if running is not None:
        messages.info(request, _("This export is already being prepared; it appears here when it is ready."))
        return running
    match = request.resolver_match
    job = ExportJob.objects.create(
        user=request.user,
        view_name=match.view_name if match else "",
        path=request.path_info,
        query=filters,
        format=fmt,
        language=translation.get_language() or settings.LANGUAGE_CODE,
        filename=f"{view.export_stem()}.{fmt}",
        row_total=total,
    )
    transaction.on_commit(lambda: tasks.run_export.delay(job.pk))
    messages.info(
        request,
        _(
            "The list has %(total)s rows, too many to download at once: the file is being written in "
            "the background. Its download link stays under “My exports” for %(hours)s hours."
        )
        % {"total": _grouped(total), "hours": settings.EXPORT_LINK_HOURS},
    )
    return job


# --- running -----------------------------------------------------------------------------------


def claim(job_id: int) -> bool:
    """Take the job: a queued one, or a running one whose worker died (older than the time
    limit). False when another worker or an earlier message already has it."""
    now = timezone.now()
    stale = now - timedelta(seconds=settings.EXPORT_TIME_LIMIT + 60)
    updated = (
        ExportJob.objects.filter(pk=job_id)
        .filter(Q(status=ExportStatus.QUEUED) | Q(status=ExportStatus.RUNNING, started_at__lt=stale))
        .update(status=ExportStatus.RUNNING, started_at=now, rows_written=0, progress=0, error="")
    )
    return updated == 1


def run(job_id: int) -> str:
    """Write the file of a queued job; the job's final status."""
    if not claim(job_id):
        return "skipped"
    job = ExportJob.objects.select_related("user").get(pk=job_id)
    with translation.override(job.language):
        try:
            _replay(job)
        except ExportRefused as refusal:
            _fail(job, str(refusal))
        except SoftTimeLimitExceeded:
            _fail(job, _("Writing the file took too long. Narrow the filters and export again."))
        except Exception:
            log.exception("export %s failed", job_id)
            _fail(
                job,
                _(
                    "The file could not be written because of an error. Export again; if it fails "
                    "again, tell the administrator (export no. %(id)s)."
                )
                % {"id": job_id},
            )
    return ExportJob.objects.filter(pk=job_id).values_list("status", flat=True).get()


def _no_longer_allowed() -> ExportRefused:
    return ExportRefused(_("You can no longer see this list, so it was not exported."))


def _replay(job: ExportJob) -> None:
    """Call the list's view as its user; its ``ExportMixin.get`` hands the view to ``write``."""
    if not job.user.is_active:
        raise _no_longer_allowed()
    try:
        match = resolve(job.path)
    except Resolver404:
        raise ExportRefused(_("This list no longer exists at the address it was exported from.")) from None
    done = []

    def capture(view) -> HttpResponse:
        write(job, view)
        done.append(True)
        return HttpResponse(status=204)

    request = _request_for(job, match, capture)
    try:
        response = match.func(request, *match.args, **match.kwargs)
    except (PermissionDenied, Http404):
        raise _no_longer_allowed() from None
    if not done:
        # The view answered without exporting: a login redirect, a 403 page, a page that changed.
        log.warning("export %s: %s answered %s instead of exporting", job.pk, job.path, response.status_code)
        raise _no_longer_allowed()


def _host() -> str:
    """A host name ``request.get_host()`` accepts, should a view build an absolute URL."""
    for host in settings.ALLOWED_HOSTS:
        if host and host != "*" and not host.startswith("."):
            return host
    return "localhost"


def _request_for(job: ExportJob, match, capture) -> HttpRequest:
    """A GET of the list as the middleware would hand it to the view: the job's user and
    language, their default unit (the unit switcher), an empty session, a message store."""
    query = QueryDict(job.query, mutable=True)
    query["export"] = job.format
    query._mutable = False
    request = HttpRequest()
    request.method = "GET"
    request.path = request.path_info = job.path
    request.GET = query
    request.META.update(
        REQUEST_METHOD="GET",
        PATH_INFO=job.path,
        QUERY_STRING=query.urlencode(),
        SERVER_NAME=_host(),
        SERVER_PORT="443",
    )
    request.COOKIES = {settings.LANGUAGE_COOKIE_NAME: job.language}
    request.user = job.user
    request.session = import_module(settings.SESSION_ENGINE).SessionStore()
    request.LANGUAGE_CODE = job.language
    request.active_membership = active_membership(request)
    request._messages = default_storage(request)  # what the view says goes nowhere
    request.resolver_match = match
    setattr(request, EXPORT_CAPTURE, capture)
    return request


class _Progress:
    """Counts the rows as the writer takes them; every ``PROGRESS_EVERY`` rows, one UPDATE."""

    def __init__(self, job_id: int, total: int):
        self.job_id, self.total, self.written = job_id, total, 0

    def __call__(self, rows):
        for row in rows:
            yield row
            self.written += 1
            if self.written % PROGRESS_EVERY == 0:
                ExportJob.objects.filter(pk=self.job_id).update(
                    rows_written=self.written, progress=min(99, self.written * 100 // max(self.total, 1))
                )


def write(job: ExportJob, view) -> None:
    """Write ``view``'s export (``ExportMixin.export_table``) into the job's file."""
    queryset = view.get_export_queryset()
    total = queryset.count()
    most, _at_once = view.export_limits(job.format)
    if total > most:
        raise ExportRefused(
            _("The list now has %(total)s rows; an export holds at most %(limit)s. Narrow the filters.")
            % {"total": _grouped(total), "limit": _grouped(most)}
        )
    ExportJob.objects.filter(pk=job.pk).update(row_total=total)
    table = view.export_table(queryset)
    progress = _Progress(job.pk, total)
    stem = job.filename.rsplit(".", 1)[0]
    with tempfile.TemporaryFile() as handle:
        write_export(handle, progress(table.rows), table.headers, job.format, table.sheet_title or stem)
        handle.seek(0)
        job.file.save(f"export-{job.pk}.{job.format}", File(handle), save=False)
    now = timezone.now()
    finished = ExportJob.objects.filter(pk=job.pk, status=ExportStatus.RUNNING).update(
        file=job.file.name,
        status=ExportStatus.READY,
        row_total=progress.written,
        rows_written=progress.written,
        progress=100,
        finished_at=now,
        expires_at=now + timedelta(hours=settings.EXPORT_LINK_HOURS),
        error="",
    )
    if not finished:  # marked failed meanwhile (cleanup of a job that took a day): keep nothing
        job.file.delete(save=False)


def _fail(job: ExportJob, message: str) -> None:
    if job.file:
        job.file.delete(save=False)
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportStatus.FAILED, error=message, file="", finished_at=timezone.now()
    )


# --- expiry ------------------------------------------------------------------------------------


def expire(job: ExportJob) -> None:
    """Delete the file of a ready job whose link has expired, and mark it expired."""
    if job.file:
        job.file.delete(save=False)
    ExportJob.objects.filter(pk=job.pk, status=ExportStatus.READY).update(status=ExportStatus.EXPIRED, file="")
    job.status = ExportStatus.EXPIRED


def cleanup(now=None) -> int:
    """Expire the links past their time (files deleted) and fail jobs that never finished.
    Returns the number of links expired. Safe to run twice or on two workers at once."""
    now = now or timezone.now()
    expired = 0
    for job in ExportJob.objects.filter(status=ExportStatus.READY, expires_at__lte=now).only("pk", "file", "status"):
        expire(job)
        expired += 1
    abandoned = now - timedelta(hours=settings.EXPORT_LINK_HOURS)
    for job in ExportJob.objects.filter(status__in=ACTIVE, created_at__lte=abandoned):
        with translation.override(job.language):
            _fail(job, _("The export did not finish. Export again."))
    return expired


# --- what the pages and the API show -----------------------------------------------------------


def progress_text(job: ExportJob) -> str:
    if job.status == ExportStatus.QUEUED:
        return _("Waiting for a worker… %(total)s rows to write.") % {"total": _grouped(job.row_total)}
    return _("%(written)s of %(total)s rows written.") % {
        "written": _grouped(job.rows_written),
        "total": _grouped(job.row_total),
    }
