"""The import through the API: ``/api/v1/imports/`` and ``/api/v1/import-kinds/``.

Same steps as the page: POST a file (multipart ``kind`` + ``file``) → the check runs in the
background (``status`` "checking", then "ready" or "problems" with every problem) → POST
``confirm`` → "queued", "running", then "done" or "failed". Poll the import's URL for
``progress``. The list is the import log: your imports, and for district staff and leaders those
of the users in their units.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from organization.api_base import service_errors

from . import services
from .kinds import REGISTRY, ordered
from .models import ImportJob, ImportStatus
from .spec import CHOICE
from .template import choice_labels

_ERRORS_400 = OpenApiResponse(description="Invalid request; messages per field.")
_ERRORS_403 = OpenApiResponse(description="Your role does not allow this.")
_ERRORS_404 = OpenApiResponse(description="No such import among those you may see.")


class ProblemSerializer(serializers.Serializer):
    sheet = serializers.CharField(help_text="Sheet of the workbook (empty for the whole file).")
    row = serializers.IntegerField(allow_null=True, help_text="Row number as Excel shows it; null for the whole sheet.")
    column = serializers.CharField(help_text="Column letter and header, when the problem is in one cell.")
    message = serializers.CharField(help_text="What is wrong and what to write instead, in the user's language.")


class SheetSummarySerializer(serializers.Serializer):
    sheet = serializers.CharField(help_text="Sheet name.")
    create = serializers.IntegerField(help_text="Records this sheet creates (or would create).")
    existing = serializers.IntegerField(help_text="Rows already in the portal, skipped.")


class ImportJobSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(help_text="Kind of import, one of /api/v1/import-kinds/.")
    status = serializers.ChoiceField(choices=ImportStatus.choices, help_text="Where the import stands.")
    uploaded_by = serializers.CharField(source="uploaded_by.get_username", help_text="User name of the uploader.")
    unit = serializers.PrimaryKeyRelatedField(read_only=True, help_text="The uploader's unit at the time.")
    progress = serializers.SerializerMethodField(help_text="Percent done while checking or importing.")
    problems = ProblemSerializer(many=True, help_text="The first 1,000 problems; `problem_count` counts all.")
    summary = SheetSummarySerializer(many=True, help_text="Per sheet: records to create and rows already present.")
    url = serializers.SerializerMethodField(help_text="This import's page in the portal.")

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "kind",
            "status",
            "original_name",
            "size",
            "sha256",
            "uploaded_by",
            "unit",
            "via",
            "rows_total",
            "rows_created",
            "rows_existing",
            "problem_count",
            "problems",
            "summary",
            "message",
            "progress",
            "created_at",
            "checked_at",
            "confirmed_at",
            "finished_at",
            "url",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "id": {"help_text": "Import number."},
            "original_name": {"help_text": "Name of the uploaded file."},
            "size": {"help_text": "Size in bytes."},
            "sha256": {"help_text": "SHA-256 of the file; the same file uploaded again has the same value."},
            "via": {"help_text": "web, api or cli."},
            "rows_total": {"help_text": "Data rows read."},
            "rows_created": {"help_text": "Records created (after the import) or to create (after the check)."},
            "rows_existing": {"help_text": "Rows already in the portal, skipped."},
            "problem_count": {"help_text": "Number of problems found."},
            "message": {"help_text": "The outcome in words."},
            "created_at": {"help_text": "When the file was uploaded."},
            "checked_at": {"help_text": "When the check finished."},
            "confirmed_at": {"help_text": "When the import was confirmed."},
            "finished_at": {"help_text": "When the import finished (or the check found problems)."},
        }

    def get_progress(self, job: ImportJob) -> int:
        return services.progress_of(job)

    def get_url(self, job: ImportJob) -> str:
        return reverse("imports:detail", args=[job.pk])


class ImportUploadSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[], help_text="Kind of import, one of /api/v1/import-kinds/.")
    file = serializers.FileField(help_text="The .xlsx workbook, filled from the kind's template.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(kind.key, str(kind.label)) for kind in ordered()]


class ImportJobFilter(filters.FilterSet):
    kind = filters.CharFilter(help_text="Only imports of this kind.")
    status = filters.ChoiceFilter(choices=ImportStatus.choices, help_text="Only imports in this status.")

    class Meta:
        model = ImportJob
        fields = ["kind", "status"]


@extend_schema_view(
    list=extend_schema(summary="The import log: imports you may see, newest first"),
    retrieve=extend_schema(
        summary="One import with its problems and summary", responses={200: ImportJobSerializer, 404: _ERRORS_404}
    ),
)
@extend_schema(tags=["imports"])
class ImportJobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ImportJobSerializer
    filterset_class = ImportJobFilter
    queryset = ImportJob.objects.none()

    def get_queryset(self):
        return ImportJob.objects.visible_to(self.request.user).select_related("uploaded_by")

    @extend_schema(
        summary="Upload a file: it is checked in the background (a dry run), nothing is saved yet",
        request={"multipart/form-data": ImportUploadSerializer},
        responses={201: ImportJobSerializer, 400: _ERRORS_400, 403: _ERRORS_403},
    )
    def create(self, request, *args, **kwargs):
        services.require_importer(request.user)
        incoming = ImportUploadSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        upload = incoming.validated_data["file"]
        with service_errors():
            job = services.upload(
                user=request.user, kind_key=incoming.validated_data["kind"], handle=upload, name=upload.name, via="api"
            )
        job.refresh_from_db()
        return Response(self.get_serializer(job).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Import a checked file (status ready): all rows or none, in the background",
        request=None,
        responses={202: ImportJobSerializer, 400: _ERRORS_400, 403: _ERRORS_403, 404: _ERRORS_404},
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def confirm(self, request, pk=None):
        job = self.get_object()
        with service_errors():
            services.confirm(user=request.user, job=job)
        job.refresh_from_db()
        return Response(self.get_serializer(job).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="Cancel a checked file that has not been imported",
        request=None,
        responses={200: ImportJobSerializer, 400: _ERRORS_400, 403: _ERRORS_403, 404: _ERRORS_404},
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def cancel(self, request, pk=None):
        job = self.get_object()
        with service_errors():
            services.cancel(user=request.user, job=job)
        return Response(self.get_serializer(job).data)


class ColumnSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="Internal name.")
    header = serializers.CharField(help_text="The header the template uses (Vietnamese).")
    type = serializers.CharField(help_text="text, integer, decimal, date, choice or boolean.")
    required = serializers.BooleanField(help_text="Whether every row must fill it.")
    choices = serializers.ListField(
        child=serializers.CharField(), help_text="Allowed labels, for choice and boolean columns."
    )
    help = serializers.CharField(help_text="What to write (Vietnamese).")


class SheetSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="Sheet name (Vietnamese).")
    optional = serializers.BooleanField(help_text="Whether the sheet may be left out.")
    columns = ColumnSerializer(many=True, help_text="The sheet's columns, in order.")
    ignored = serializers.ListField(
        child=serializers.CharField(), help_text="Headers accepted and ignored (export-only)."
    )


class ImportKindSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="The kind's key, for uploads.")
    label = serializers.CharField(help_text="Name in the user's language.")
    description = serializers.CharField(help_text="What the kind imports.")
    template_url = serializers.CharField(help_text="Where to download the template (.xlsx).")
    sheets = SheetSerializer(many=True, help_text="The template's sheets.")


def describe_kind(kind) -> dict:
    return {
        "key": kind.key,
        "label": str(kind.label),
        "description": str(kind.description),
        "template_url": reverse("imports:template", args=[kind.key]),
        "sheets": [
            {
                "name": sheet.name,
                "optional": sheet.optional,
                "ignored": list(sheet.ignored),
                "columns": [
                    {
                        "key": column.key,
                        "header": column.header,
                        "type": column.type,
                        "required": column.required,
                        "choices": choice_labels(column) if column.type == CHOICE or column.type == "boolean" else [],
                        "help": str(column.help),
                    }
                    for column in sheet.columns
                ],
            }
            for sheet in kind.sheets
        ],
    }


@extend_schema(tags=["imports"])
class ImportKindViewSet(viewsets.ViewSet):
    """The kinds of import and their templates' columns (the same as docs/import.md)."""

    @extend_schema(
        summary="Kinds of import with their sheets and columns", responses={200: ImportKindSerializer(many=True)}
    )
    def list(self, request):
        return Response([describe_kind(kind) for kind in ordered()])

    @extend_schema(
        summary="One kind of import",
        parameters=[OpenApiParameter("id", str, OpenApiParameter.PATH, description="The kind's key, e.g. petitions.")],
        responses={200: ImportKindSerializer, 404: _ERRORS_404},
    )
    def retrieve(self, request, pk=None):
        if pk not in REGISTRY:
            from rest_framework.exceptions import NotFound

            raise NotFound(_("Unknown kind of import."))
        return Response(describe_kind(REGISTRY[pk]))


def register(router) -> None:
    router.register("imports", ImportJobViewSet, basename="import")
    router.register("import-kinds", ImportKindViewSet, basename="import-kind")
