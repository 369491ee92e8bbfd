"""Reports API: reports (create and queue, compile progress, frozen figures, files, the workflow
draft → submitted → issued, corrections as new versions), the KPI set (``/api/v1/metrics/``) and
period locks, under ``/api/v1/``.

The same rules as the pages, in the same places:
- scope first: reports through ``Report.objects.visible_to(user)``, locks through the user's units;
  an object outside the scope answers 404 exactly like one that does not exist, and ids in a
  request body are looked up in the same scope (an invisible id is "unknown", 400);
- who may do what is asked of ``reports.services`` (``can_run_reports``, ``can_issue``,
  ``can_lock``) before the body is read (403);
- writes go through ``reports.services``; a ``ValidationError`` becomes 400 with messages per
  field, ``PermissionDenied`` 403, a stale ``version`` 409.
The figures come from ``reports.kpis`` / ``reports.sections`` only: this module never counts
records. Report schedules (which units get drafts automatically) are kept by portal
administrators, through the API as in the admin, with the admin's own form. Nothing else is
deleted through the API (405).
"""

from __future__ import annotations

import mimetypes
import os
from collections.abc import Iterator
from contextlib import contextmanager

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import FileResponse, Http404
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from organization import access
from organization.api_base import (
    ERRORS_403_ADMIN,
    AdminKeptMixin,
    Conflict,
    admin_schema,
    drf_errors,
    require_administrator,
    require_role_somewhere,
)
from organization.api_filters import IdFilter
from organization.models import Role, Unit
from organization.serializers import UnitBriefSerializer
from organization.services import StaleVersion

from . import kpis, services
from .admin import ReportScheduleForm
from .api_filters import PeriodLockFilter, ReportFilter
from .models import PeriodLock, Report, ReportSchedule
from .serializers import (
    FILE_FIELDS,
    IssueSerializer,
    MetricsQuerySerializer,
    MetricsSerializer,
    NarrativeSerializer,
    NewVersionSerializer,
    PeriodLockCreateSerializer,
    PeriodLockSerializer,
    ReportCreateSerializer,
    ReportDetailSerializer,
    ReportScheduleSerializer,
    ReportScheduleWriteSerializer,
    ReportSerializer,
    UnlockSerializer,
    VersionSerializer,
)

#: Who may ask for figures: everyone with a membership but agency officers (who see only the
#: petitions assigned to their agency, never a unit's totals).
READ_ROLES = frozenset({Role.DISTRICT_STAFF, Role.COMMUNE_OFFICER, Role.LEADER, Role.VIEWER})
RUN_ROLES = frozenset({Role.DISTRICT_STAFF, Role.COMMUNE_OFFICER})
ISSUE_ROLES = frozenset({Role.LEADER})
LOCK_ROLES = frozenset({Role.DISTRICT_STAFF})

_ERRORS_400 = OpenApiResponse(description="Invalid or unknown fields; messages per field.")
_ERRORS_403 = OpenApiResponse(description="Your role does not allow this.")
_ERRORS_404 = OpenApiResponse(description="No such record among those you may see.")
_ERRORS_409 = OpenApiResponse(description="Stale version: someone saved the record since you read it.")

MIME_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


@contextmanager
def service_errors(rename: dict[str, str] | None = None) -> Iterator[None]:
    """Service refusals as API answers: a stale version 409, a validation error 400 keyed by the
    request's own field names (``rename`` maps a service's key to the request's)."""
    try:
        yield
    except StaleVersion as exc:
        raise Conflict(" ".join(exc.messages)) from exc
    except DjangoValidationError as exc:
        body = drf_errors(exc)
        for old, new in (rename or {}).items():
            if old in body:
                body.setdefault(new, []).extend(body.pop(old))
        raise serializers.ValidationError(body) from exc


def _changed(serializer, *, code: int = 200, conflict: bool = False) -> dict:
    responses = {code: serializer, 400: _ERRORS_400, 403: _ERRORS_403, 404: _ERRORS_404}
    if conflict:
        responses[409] = _ERRORS_409
    return responses


# --- Reports ------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Reports on the units you may see (no figures; see the detail)",
        description="Newest first, cursor-paginated. `year` keeps the reports whose period overlaps it.",
    ),
    retrieve=extend_schema(
        summary="One report: status, compile progress, frozen figures, number, files, versions",
        responses={200: ReportDetailSerializer, 404: _ERRORS_404},
    ),
)
@extend_schema(tags=["reports"])
class ReportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    filterset_class = ReportFilter
    queryset = Report.objects.none()  # the real one depends on the user, see get_queryset

    def get_queryset(self):
        return self._read(self.request.user, detail=self.action != "list")

    @staticmethod
    def _read(user, *, detail: bool):
        reports = Report.objects.visible_to(user).select_related(
            "unit",
            "issuer",
            "document__issuer",
            "replaces__document__issuer",
            "replaced_by__document__issuer",
        )
        if detail:
            return reports.select_related("signer", "submitted_by", "issued_by")
        # A list never shows the figures (a frozen report holds tens of kilobytes of them).
        return reports.defer("figures")

    def get_serializer_class(self):
        return ReportSerializer if self.action == "list" else ReportDetailSerializer

    def _detail(self, report: Report, *, code: int = status.HTTP_200_OK) -> Response:
        fresh = self._read(self.request.user, detail=True).get(pk=report.pk)
        return Response(ReportDetailSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    def _require_runner(self, report: Report) -> None:
        if not services.can_run_reports(self.request.user, report.unit):
            raise PermissionDenied(_("Only district staff and commune officers over its unit work on a report."))

    @extend_schema(
        summary="Create a report and queue its compilation",
        description=(
            "District staff and commune officers, for a unit they run reports for. The period must "
            "match the kind (a quarter runs from 1 January, 1 April, 1 July or 1 October to the end of "
            "that quarter; a custom range at most five years). One report per kind, period and unit: "
            "a second one is refused (400) — correct an issued one with `new-version`. Answers **202**: "
            "the row exists and compiles in the background; poll it until `build_state` is `ready` "
            "(or `failed`, with `build_error`)."
        ),
        request=ReportCreateSerializer,
        responses={202: ReportDetailSerializer, 400: _ERRORS_400, 403: _ERRORS_403},
    )
    def create(self, request, *args, **kwargs):
        require_role_somewhere(request.user, RUN_ROLES, _("Only district staff and commune officers create reports."))
        incoming = ReportCreateSerializer(data=request.data, context=self.get_serializer_context())
        incoming.is_valid(raise_exception=True)
        with service_errors():
            report = services.report_create(user=request.user, **incoming.validated_data)
        return self._detail(report, code=status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="Change the narrative of a report not yet issued (optimistic: send the version you read)",
        description=(
            "Strengths, weaknesses, next tasks, proposals, signer and recipients; fields not sent are "
            "kept. A compiled report renders its files again with the new text (its figures stay). An "
            "issued report never changes (400): correct it with `new-version`."
        ),
        request=NarrativeSerializer,
        responses=_changed(ReportDetailSerializer, conflict=True),
    )
    def partial_update(self, request, *args, **kwargs):
        report = self.get_object()
        self._require_runner(report)
        incoming = NarrativeSerializer(data=request.data, partial=True, context=self.get_serializer_context())
        incoming.is_valid(raise_exception=True)
        values = dict(incoming.validated_data)
        expected = values.pop("version", None)
        if expected is None:
            raise serializers.ValidationError({"version": [_("Send the version you read.")]})
        with service_errors():
            report = services.narrative_update(
                user=request.user, report=report, values=values, expected_version=expected
            )
        return self._detail(report)

    @extend_schema(
        summary="Compile a report again (after a failure, or to take in new records)",
        description=(
            "Answers 202 with the row queued. A draft or submitted report is computed afresh; an issued "
            "one only when its files failed to render, which renders them again from its frozen figures "
            "and with its number. Refused (400) while a worker is compiling it."
        ),
        request=None,
        responses=_changed(ReportDetailSerializer, code=202),
    )
    @action(detail=True, methods=["post"])
    def retry(self, request, pk=None):
        report = self.get_object()
        self._require_runner(report)
        with service_errors():
            report = services.retry(user=request.user, report=report)
        return self._detail(report, code=status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="Submit a compiled draft to the leaders",
        description="Refused (400) until the report has compiled.",
        request=VersionSerializer,
        responses=_changed(ReportDetailSerializer, conflict=True),
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        report = self.get_object()
        self._require_runner(report)
        incoming = VersionSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        with service_errors():
            report = services.submit(
                user=request.user, report=report, expected_version=incoming.validated_data["version"]
            )
        return self._detail(report)

    @extend_schema(
        summary="Issue a compiled report (leaders): it gets its number and is frozen",
        description=(
            "The number is the next “…-BC/…” of the issuing body in the document register (`number`, "
            "e.g. `12-BC/HU`). The figures and files never change afterwards; the files are rendered "
            "once more with the number (`build_state` goes back to `queued`, then `ready`). Refused "
            "(400) before the report has compiled, or when already issued."
        ),
        request=IssueSerializer,
        responses=_changed(ReportDetailSerializer, conflict=True),
    )
    @action(detail=True, methods=["post"])
    def issue(self, request, pk=None):
        report = self.get_object()
        if not services.can_issue(request.user, report.unit):
            raise PermissionDenied(_("Only leaders over its unit issue a report."))
        incoming = IssueSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        with service_errors():
            report = services.issue(
                user=request.user, report=report, day=data["date"], expected_version=data["version"]
            )
        return self._detail(report)

    @extend_schema(
        summary="Correct an issued report: a new draft version, compiled afresh",
        description=(
            "`change_note` says what the new version changes. The new row (answered with **202**) "
            "names the one it replaces; that one keeps its number and files."
        ),
        request=NewVersionSerializer,
        responses=_changed(ReportDetailSerializer, code=202),
    )
    @action(detail=True, methods=["post"], url_path="new-version", url_name="new-version")
    def new_version(self, request, pk=None):
        report = self.get_object()
        self._require_runner(report)
        incoming = NewVersionSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        with service_errors():
            copy = services.new_version(
                user=request.user, report=report, change_note=incoming.validated_data["change_note"]
            )
        return self._detail(copy, code=status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="Download a file of a compiled report (XLSX, DOCX or PDF)",
        description="The scope is checked on every download; 404 while the file does not exist yet.",
        parameters=[
            OpenApiParameter(
                "file_kind",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                enum=list(FILE_FIELDS),
                description="xlsx, docx or pdf.",
            )
        ],
        responses={
            (200, "application/octet-stream"): OpenApiTypes.BINARY,
            404: _ERRORS_404,
        },
    )
    @action(detail=True, methods=["get"], url_path=r"files/(?P<file_kind>xlsx|docx|pdf)", url_name="file")
    def file(self, request, pk=None, file_kind=None):
        report = self.get_object()
        stored = getattr(report, FILE_FIELDS[file_kind])
        if not stored or not stored.storage.exists(stored.name):
            raise Http404
        name = os.path.basename(stored.name)
        content_type = MIME_TYPES.get(file_kind) or mimetypes.guess_type(name)[0] or "application/octet-stream"
        return FileResponse(stored.open("rb"), as_attachment=True, filename=name, content_type=content_type)


# --- The KPI set --------------------------------------------------------------------------------


def metric_units(user):
    """Units whose figures ``user`` may ask for: the subtrees of their memberships other than
    agency officer (an agency officer sees assigned petitions, never a unit's totals)."""
    if access.is_admin(user):
        return Unit.objects.all()
    return access.units_with_role(user, *READ_ROLES)


class MetricsView(APIView):
    """``GET /api/v1/metrics/?unit=&start=&end=``: the KPI set of ``reports.kpis``."""

    @extend_schema(
        tags=["metrics"],
        summary="The KPI set of a unit and period (the figures of the dashboard and the reports)",
        description=(
            "Every KPI of `reports.kpis` for the unit's subtree from `start` to `end` (ISO dates, at "
            "most five years): the same numbers as the leaders' dashboard, a report compiled for that "
            "unit and period, and the list exports. Counts and đồng are integers; percentages and m² "
            'are decimal strings (`"97.5"`); `null` where a rate has nothing to divide by. '
            "`petitions_overdue` and `clearance_percent` are states at the period's end (or today, "
            "if earlier). A unit outside your units answers 404, like a missing one."
        ),
        parameters=[MetricsQuerySerializer],
        responses={200: MetricsSerializer, 400: _ERRORS_400, 403: _ERRORS_403, 404: _ERRORS_404},
    )
    def get(self, request):
        user = request.user
        require_role_somewhere(user, READ_ROLES, _("Your role does not give access to the figures of units."))
        incoming = MetricsQuerySerializer(data=request.query_params)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        unit = metric_units(user).filter(pk=data["unit"]).first()
        if unit is None:
            raise NotFound
        units = [unit, *unit.predecessors.all()] if data["include_predecessors"] else [unit]
        return Response(
            {
                "unit": UnitBriefSerializer(unit).data,
                "start": data["start"].isoformat(),
                "end": data["end"].isoformat(),
                "include_predecessors": data["include_predecessors"],
                "kpis": kpis.compute(units, data["start"], data["end"]),
                "definitions": [
                    {"key": kpi.key, "label": str(kpi.label), "unit": kpi.unit, "nature": kpi.nature}
                    for kpi in kpis.KPIS
                ],
            }
        )


# --- Period locks -------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Period locks of the units you may see (active and unlocked)"),
    retrieve=extend_schema(summary="One period lock (404 outside your units)"),
)
@extend_schema(tags=["period-locks"])
class PeriodLockViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = PeriodLockSerializer
    filterset_class = PeriodLockFilter
    queryset = PeriodLock.objects.none()

    def get_queryset(self):
        return self._read(self.request.user)

    @staticmethod
    def _read(user):
        return access.scope(PeriodLock.objects.all(), user).select_related(
            "unit", "report__document__issuer", "locked_by", "unlocked_by"
        )

    def _detail(self, lock: PeriodLock, *, code: int = status.HTTP_200_OK) -> Response:
        fresh = self._read(self.request.user).get(pk=lock.pk)
        return Response(PeriodLockSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    @extend_schema(
        summary="Lock a period for a unit subtree (district staff)",
        description=(
            "Records of the unit and everything below it dated from `start` to `end` can then no longer "
            "be created, changed or deleted anywhere (pages, API, import); the refusal names the period, "
            "who locked it and `reason`. Overlapping an active lock of the same unit is refused (400)."
        ),
        request=PeriodLockCreateSerializer,
        responses={201: PeriodLockSerializer, 400: _ERRORS_400, 403: _ERRORS_403},
    )
    def create(self, request, *args, **kwargs):
        require_role_somewhere(request.user, LOCK_ROLES, _("Only district staff lock periods."))
        incoming = PeriodLockCreateSerializer(data=request.data, context=self.get_serializer_context())
        incoming.is_valid(raise_exception=True)
        with service_errors():
            lock = services.lock_period(user=request.user, **incoming.validated_data)
        return self._detail(lock, code=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Unlock a period (district staff); the reason is logged",
        request=UnlockSerializer,
        responses=_changed(PeriodLockSerializer),
    )
    @action(detail=True, methods=["post"])
    def unlock(self, request, pk=None):
        lock = self.get_object()
        if not services.can_lock(request.user, lock.unit):
            raise PermissionDenied(_("Only district staff over its unit unlock a period."))
        incoming = UnlockSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        with service_errors({"unlock_reason": "reason"}):
            lock = services.unlock_period(user=request.user, lock=lock, reason=incoming.validated_data["reason"])
        return self._detail(lock)


# --- Report schedules ---------------------------------------------------------------------------


class ReportScheduleFilter(django_filters.FilterSet):
    unit = IdFilter(field_name="unit__id", help_text=_("The schedule of this unit id."))
    is_active = django_filters.BooleanFilter(help_text=_("true: schedules still creating drafts."))

    class Meta:
        model = ReportSchedule
        fields = ["unit", "is_active"]


_SCHEDULE_RULES = (
    "The admin's rules (`reports.admin.ReportScheduleForm`): the issuing body has a document symbol and "
    "lies above or below the unit, at least one calendar kind, one schedule per unit."
)


@extend_schema_view(
    list=extend_schema(summary="Report schedules of your units: which drafts are created automatically"),
    retrieve=extend_schema(
        summary="One report schedule (404 outside your units)",
        responses={200: ReportScheduleSerializer, 404: _ERRORS_404},
    ),
    create=extend_schema(
        **admin_schema(
            "Schedule automatic report drafts for a unit (portal administrators)",
            ReportScheduleWriteSerializer,
            ReportScheduleSerializer,
            created=True,
        ),
        description=_SCHEDULE_RULES,
    ),
    update=extend_schema(
        **admin_schema(
            "Replace a report schedule (portal administrators)", ReportScheduleWriteSerializer, ReportScheduleSerializer
        ),
        description=_SCHEDULE_RULES,
    ),
    partial_update=extend_schema(
        **admin_schema(
            "Change some of a report schedule (portal administrators)",
            ReportScheduleWriteSerializer,
            ReportScheduleSerializer,
        ),
        description=_SCHEDULE_RULES + " To stop a schedule, set `is_active` to false.",
    ),
    destroy=extend_schema(
        summary="Delete a report schedule (portal administrators)",
        responses={204: OpenApiResponse(description="Deleted."), 403: ERRORS_403_ADMIN, 404: _ERRORS_404},
    ),
)
@extend_schema(tags=["report-schedules"])
class ReportScheduleViewSet(AdminKeptMixin, viewsets.ModelViewSet):
    serializer_class = ReportScheduleSerializer
    write_serializer = ReportScheduleWriteSerializer
    filterset_class = ReportScheduleFilter
    queryset = ReportSchedule.objects.none()

    def get_queryset(self):
        return access.scope(ReportSchedule.objects.select_related("unit", "issuer"), self.request.user)

    def write(self, schedule: ReportSchedule, values: dict) -> ReportSchedule:
        """Through the admin's own form, so its checks (the issuer's symbol and place, the kinds)
        hold here too; values not sent keep the schedule's."""
        current = {
            "unit": schedule.unit_id,
            "issuer": schedule.issuer_id,
            "kinds": list(schedule.kinds),
            "include_predecessors": schedule.include_predecessors,
            "is_active": schedule.is_active,
        }
        sent = {name: getattr(value, "pk", value) for name, value in values.items()}
        form = ReportScheduleForm(data={**current, **sent}, instance=schedule)
        if not form.is_valid():
            raise serializers.ValidationError(
                {
                    (api_settings.NON_FIELD_ERRORS_KEY if name == "__all__" else name): list(messages)
                    for name, messages in form.errors.items()
                }
            )
        return form.save()

    def destroy(self, request, *args, **kwargs):
        schedule = self.get_object()
        require_administrator(request.user, ReportSchedule, "delete")
        schedule.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


def register(router) -> None:
    router.register("reports", ReportViewSet, basename="report")
    router.register("period-locks", PeriodLockViewSet, basename="period-lock")
    router.register("report-schedules", ReportScheduleViewSet, basename="report-schedule")


urlpatterns = [path("metrics/", MetricsView.as_view(), name="metrics")]
