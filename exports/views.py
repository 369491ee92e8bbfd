"""Pages of the background exports: "My exports", one export's progress, its download.

Every page shows only the user's own exports: anyone else's answers 404 like one that does not
exist. A download past its expiry answers 410 with a page offering to export again.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from organization.exports import CONTENT_TYPES

from . import services
from .models import ExportJob, ExportStatus

#: Bootstrap badge classes per status.
STATUS_BADGES = {
    ExportStatus.QUEUED: "text-bg-secondary",
    ExportStatus.RUNNING: "text-bg-info",
    ExportStatus.READY: "text-bg-success",
    ExportStatus.FAILED: "text-bg-danger",
    ExportStatus.EXPIRED: "text-bg-light border",
}


def _own(request, pk) -> ExportJob:
    return get_object_or_404(ExportJob, pk=pk, user=request.user)


def _breadcrumbs(job: ExportJob | None = None) -> list:
    if job is None:
        return [(_("My exports"), None)]
    return [(_("My exports"), reverse("exports:list")), (job.filename, None)]


def _row(job: ExportJob) -> dict:
    expired = job.is_expired
    return {
        "job": job,
        "badge": STATUS_BADGES.get(ExportStatus.EXPIRED if expired else job.status, ""),
        "status_label": ExportStatus.EXPIRED.label if expired else job.get_status_display(),
        "expired": expired,
        "downloadable": job.is_downloadable,
    }


@login_required
@require_GET
def export_list(request):
    jobs = ExportJob.objects.filter(user=request.user).order_by("-created_at", "-id")
    page = Paginator(jobs, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "exports/list.html",
        {
            "page_obj": page,
            "rows": [_row(job) for job in page.object_list],
            "is_paginated": page.has_other_pages(),
            "breadcrumbs": _breadcrumbs(),
        },
    )


@login_required
@require_GET
def export_detail(request, pk):
    job = _own(request, pk)
    return render(
        request,
        "exports/detail.html",
        {**_row(job), "progress_text": services.progress_text(job), "breadcrumbs": _breadcrumbs(job)},
    )


@login_required
@require_GET
def export_status(request, pk):
    """What ``static/js/exports.js`` polls while the file is written."""
    job = _own(request, pk)
    return JsonResponse(
        {
            "status": job.status,
            "label": job.get_status_display(),
            "row_total": job.row_total,
            "rows_written": job.rows_written,
            "progress": job.progress,
            "text": services.progress_text(job),
            "ready": job.is_downloadable,
            "finished": not job.is_active,
            "download_url": reverse("exports:download", args=[job.pk]) if job.is_downloadable else None,
        }
    )


@login_required
@require_GET
def export_download(request, pk):
    """The file, to its owner, until the link expires (then 410 and the file is deleted)."""
    job = _own(request, pk)
    if job.is_active or job.status == ExportStatus.FAILED:
        return redirect(job)
    if job.is_expired or not job.file or not job.file.storage.exists(job.file.name):
        if job.status == ExportStatus.READY:
            services.expire(job)
        return render(request, "exports/expired.html", {"job": job, "breadcrumbs": _breadcrumbs(job)}, status=410)
    response = FileResponse(
        job.file.open("rb"), as_attachment=True, filename=job.filename, content_type=CONTENT_TYPES[job.format]
    )
    response["Cache-Control"] = "private, no-store"
    return response
