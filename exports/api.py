"""``/api/v1/exports/``: the signed-in user's background exports, read-only, newest first.

An export is started from a list page (or its ``?export=`` URL); this API follows it: status,
progress, and once ready the file (``download``) until the link expires (then 410). Another
user's export answers 404 like one that does not exist.
"""

from __future__ import annotations

from django.http import FileResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException

from organization.api_base import Conflict
from organization.exports import CONTENT_TYPES

from . import services
from .models import ExportJob, ExportStatus


class Gone(APIException):
    status_code = status.HTTP_410_GONE
    default_code = "gone"
    default_detail = _("This download link has expired and the file was deleted. Export the list again.")


class ExportJobSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(
        source="get_status_display", read_only=True, help_text="The status in the user's language."
    )
    list_url = serializers.CharField(
        read_only=True, help_text="The list page with the filters it was exported with (a path on this site)."
    )
    page_url = serializers.SerializerMethodField(help_text="The export's page on this site (progress, download).")
    download_url = serializers.SerializerMethodField(
        help_text="Where to GET the file while the link works; null before it is ready and after it expires."
    )

    class Meta:
        model = ExportJob
        fields = [
            "id",
            "view_name",
            "path",
            "query",
            "list_url",
            "format",
            "filename",
            "status",
            "status_display",
            "row_total",
            "rows_written",
            "progress",
            "error",
            "created_at",
            "started_at",
            "finished_at",
            "expires_at",
            "page_url",
            "download_url",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "view_name": {"help_text": "The URL name of the list exported, e.g. `dialogues:petition_list`."},
            "path": {"help_text": "The path of the list exported."},
            "query": {"help_text": "Its filters: the query string without `export` and `page`."},
            "filename": {"help_text": "The name the downloaded file gets."},
            "row_total": {"help_text": "Rows to write (counted when the export started; exact once ready)."},
            "rows_written": {"help_text": "Rows written so far."},
            "progress": {"help_text": "Percent done, 0–100."},
            "error": {"help_text": "Why the export failed (status `failed`), in the user's language."},
            "id": {"help_text": "The export's number."},
            "created_at": {"help_text": "When the export was asked for."},
            "started_at": {"help_text": "When a worker started writing it."},
            "finished_at": {"help_text": "When it became ready, or failed."},
            "expires_at": {"help_text": "When the download link stops working (set once ready)."},
        }

    def get_page_url(self, job: ExportJob) -> str:
        return job.get_absolute_url()

    def get_download_url(self, job: ExportJob) -> str | None:
        return reverse("export-download", args=[job.pk]) if job.is_downloadable else None


_NOT_FOUND = OpenApiResponse(description="No such export among yours.")


@extend_schema_view(
    list=extend_schema(summary="Your background exports, newest first"),
    retrieve=extend_schema(
        summary="One of your exports: status, progress, download link",
        description="Poll it while `status` is `queued` or `running`; once `ready`, GET `download_url`.",
        responses={200: ExportJobSerializer, 404: _NOT_FOUND},
    ),
)
@extend_schema(tags=["exports"])
class ExportJobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ExportJobSerializer
    queryset = ExportJob.objects.none()  # the real one is the user's own, see get_queryset

    def get_queryset(self):
        return ExportJob.objects.filter(user=self.request.user)

    @extend_schema(
        summary="The file of a ready export (XLSX or CSV), until its link expires",
        description=(
            "Only the user who asked for the export may download it. 409 while it is still being "
            "written or when it failed; 410 once the link has expired (the file is then deleted: "
            "export the list again)."
        ),
        responses={
            (200, "application/octet-stream"): OpenApiTypes.BINARY,
            404: _NOT_FOUND,
            409: OpenApiResponse(description="Not ready: still being written, or failed."),
            410: OpenApiResponse(description="The link has expired and the file was deleted."),
        },
    )
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        job = self.get_object()
        if job.is_active or job.status == ExportStatus.FAILED:
            raise Conflict(_("The export is not ready: it is still being written, or it failed."))
        if job.is_expired or not job.file or not job.file.storage.exists(job.file.name):
            if job.status == ExportStatus.READY:
                services.expire(job)
            raise Gone
        response = FileResponse(
            job.file.open("rb"), as_attachment=True, filename=job.filename, content_type=CONTENT_TYPES[job.format]
        )
        response["Cache-Control"] = "private, no-store"
        return response


def register(router) -> None:
    router.register("exports", ExportJobViewSet, basename="export")
