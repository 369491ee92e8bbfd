"""Pages of the import: kinds and templates, upload, the check's preview, confirmation, the log.

The work itself is in ``services``; these views only check who may see a job (its uploader,
and district staff or leaders over the uploader's unit) and who may act on it (the uploader).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from organization import access
from organization.exports import FORMATS, export_response

from . import services
from .forms import UploadForm
from .kinds import REGISTRY, ordered
from .models import ImportJob, ImportStatus
from .template import build_template

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _may_import(user) -> bool:
    try:
        services.require_importer(user)
    except PermissionDenied:
        return False
    return True


def _job_for(user, pk) -> ImportJob:
    return get_object_or_404(ImportJob.objects.visible_to(user).select_related("uploaded_by", "unit"), pk=pk)


@login_required
def home(request):
    jobs = ImportJob.objects.visible_to(request.user).select_related("uploaded_by", "unit")
    kind = request.GET.get("kind", "")
    status = request.GET.get("status", "")
    if kind in REGISTRY:
        jobs = jobs.filter(kind=kind)
    if status in ImportStatus.values:
        jobs = jobs.filter(status=status)
    page = Paginator(jobs.order_by("-created_at", "-id"), 20).get_page(request.GET.get("page"))
    return render(
        request,
        "imports/home.html",
        {
            "kinds": ordered(),
            "form": UploadForm(initial={"kind": request.GET.get("upload", "")}),
            "may_import": _may_import(request.user),
            "page_obj": page,
            "jobs": page.object_list,
            "is_paginated": page.has_other_pages(),
            "statuses": ImportStatus.choices,
            "chosen_kind": kind,
            "chosen_status": status,
            "breadcrumbs": [(_("Import from Excel"), None)],
        },
    )


@login_required
@require_GET
def template_download(request, kind: str):
    if kind not in REGISTRY:
        raise Http404
    body = build_template(REGISTRY[kind], request.user)
    response = HttpResponse(body, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=f"mau-nhap-{kind}.xlsx")
    return response


@login_required
@require_POST
def upload(request):
    if not _may_import(request.user):
        raise PermissionDenied(_("Only district staff and commune officers may import data."))
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("imports:home")
    upload_file = form.cleaned_data["file"]
    job = services.upload(
        user=request.user,
        kind_key=form.cleaned_data["kind"],
        handle=upload_file,
        name=upload_file.name,
        via="web",
    )
    return redirect("imports:detail", pk=job.pk)


@login_required
def detail(request, pk: int):
    job = _job_for(request.user, pk)
    kind = REGISTRY.get(job.kind)
    is_owner = job.uploaded_by_id == request.user.pk
    return render(
        request,
        "imports/detail.html",
        {
            "job": job,
            "kind": kind,
            "is_owner": is_owner,
            "progress": services.progress_of(job),
            "working": job.status in (ImportStatus.CHECKING, ImportStatus.QUEUED, ImportStatus.RUNNING),
            "hidden_problems": max(job.problem_count - len(job.problems), 0),
            "form": UploadForm(initial={"kind": job.kind}),
            "may_import": _may_import(request.user),
            "breadcrumbs": [(_("Import from Excel"), reverse("imports:home")), (job.original_name, None)],
        },
    )


@login_required
@require_GET
def status(request, pk: int):
    job = _job_for(request.user, pk)
    return JsonResponse(
        {
            "status": job.status,
            "progress": services.progress_of(job),
            "finished": job.is_finished or job.status == ImportStatus.READY,
        }
    )


@login_required
@require_POST
def confirm(request, pk: int):
    job = _job_for(request.user, pk)
    try:
        services.confirm(user=request.user, job=job)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    return redirect("imports:detail", pk=job.pk)


@login_required
@require_POST
def cancel(request, pk: int):
    job = _job_for(request.user, pk)
    try:
        services.cancel(user=request.user, job=job)
        messages.success(request, _("The import was cancelled; nothing was saved."))
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    return redirect("imports:detail", pk=job.pk)


@login_required
@require_GET
def problems_download(request, pk: int):
    """The problem list as a spreadsheet, to work through beside the file."""
    job = _job_for(request.user, pk)
    fmt = request.GET.get("format", "xlsx")
    if fmt not in FORMATS:
        raise Http404
    rows = ([problem["sheet"], problem["row"], problem["column"], problem["message"]] for problem in job.problems)
    columns = [_("Sheet"), _("Row"), _("Column"), _("Problem")]
    stamp = timezone.localdate().strftime("%Y-%m-%d")
    return export_response(rows, columns, f"loi-nhap-{job.pk}-{stamp}", fmt)


@login_required
@require_GET
def file_download(request, pk: int):
    job = _job_for(request.user, pk)
    if not job.file:
        raise Http404
    if not access.is_admin(request.user) and job.uploaded_by_id != request.user.pk:
        # Overseers see the log; the file itself may hold another commune's personal data.
        raise PermissionDenied(_("Only the person who uploaded the file may download it."))
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.original_name, content_type=XLSX)
