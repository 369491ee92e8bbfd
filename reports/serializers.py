"""API representations of reports, period locks and the KPI set (``/api/v1/metrics/``).

Read serializers never query on their own: the viewsets select what they read (units, issuer,
number, version chain), so a page of reports costs the same few queries whatever its length.
``figures`` is the JSON frozen by the compile task (``reports.sections.build``), served as it is
stored: Decimals are strings, exactly as ``reports.kpis.compute`` gives them.

Write serializers validate and normalize only; the viewsets hand the result to
``reports.services``, the functions the pages call. Every id a client sends (unit, issuer,
signer, report) is looked up among what the requesting user may see: an id outside that scope
gets the same answer as one that does not exist.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from organization import access
from organization.api_base import ScopedPrimaryKeyField
from organization.models import Person, Unit
from organization.serializers import UnitBriefSerializer

from . import kpis, services
from .models import BuildState, PeriodLock, Report, ReportSchedule, ReportStatus
from .periods import ReportKind, label

#: The files a compiled report carries, by the name used in URLs.
FILE_FIELDS = {"xlsx": "xlsx_file", "docx": "docx_file", "pdf": "pdf_file"}

UNKNOWN_UNIT = _("Unknown unit, or a unit outside your units.")
UNKNOWN_BODY = _("Unknown issuing body, or one outside your units.")
VERSION_HELP = _("The version you read; if someone saved since, the answer is 409.")


def _display(source: str, help_text) -> serializers.CharField:
    return serializers.CharField(source=source, read_only=True, help_text=help_text)


def _full_name(user) -> str | None:
    return (user.get_full_name() or user.get_username()) if user is not None else None


def _visible_people(user):
    return access.scope(Person.objects.all(), user)


def _visible_reports(user):
    return Report.objects.visible_to(user)


def unit_in_scope(help_text, unknown=UNKNOWN_UNIT, **kwargs) -> ScopedPrimaryKeyField:
    return ScopedPrimaryKeyField(model=Unit, scope=access.visible_units, unknown=unknown, help_text=help_text, **kwargs)


def text(help_text, **kwargs) -> serializers.CharField:
    kwargs.setdefault("required", False)
    kwargs.setdefault("allow_blank", True)
    return serializers.CharField(help_text=help_text, **kwargs)


# --- Reports: read --------------------------------------------------------------------------------


class ReportBriefSerializer(serializers.ModelSerializer):
    """Another version of the same report (the chain of corrections)."""

    number = serializers.SerializerMethodField(help_text=_("Its number once issued, e.g. 12-BC/HU."))

    class Meta:
        model = Report
        fields = ["id", "version_no", "status", "number"]
        read_only_fields = fields

    def get_number(self, report: Report) -> str | None:
        return report_number(report)


def report_number(report: Report) -> str | None:
    return report.document.symbol if report.document_id else None


class ReportFilesSerializer(serializers.Serializer):
    xlsx = serializers.CharField(allow_null=True, read_only=True, help_text=_("Annex tables (XLSX)."))
    docx = serializers.CharField(allow_null=True, read_only=True, help_text=_("The report in the Party format (DOCX)."))
    pdf = serializers.CharField(allow_null=True, read_only=True, help_text=_("The report as PDF."))


def file_links(report: Report) -> dict[str, str | None]:
    """Links to the permission-checked downloads (``GET /api/v1/reports/{id}/files/{kind}/``);
    null while a file does not exist. Files are never served from a public media URL."""
    return {
        kind: (reverse("report-file", args=[report.pk, kind]) if getattr(report, field_name) else None)
        for kind, field_name in FILE_FIELDS.items()
    }


def allowed_actions(user, report: Report) -> list[str]:
    """What ``user`` may do with ``report`` now (the same rules as ``reports.services``)."""
    run = services.can_run_reports(user, report.unit)
    ready = report.build_state == BuildState.READY
    found = []
    if run and report.status != ReportStatus.ISSUED:
        found.append("edit")
    if run and _may_retry(report):
        found.append("retry")
    if run and report.status == ReportStatus.DRAFT and ready:
        found.append("submit")
    if services.can_issue(user, report.unit) and report.status != ReportStatus.ISSUED and ready:
        found.append("issue")
    if run and report.status == ReportStatus.ISSUED and not _has_successor(report):
        found.append("new_version")
    return found


def _may_retry(report: Report) -> bool:
    """As ``services.retry``: not while a live worker compiles it (a claim older than the hard
    time limit is a dead worker's); an issued report only when its files failed to render."""
    if report.build_state == BuildState.RUNNING:
        limit = timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
        if report.claimed_at is None or report.claimed_at >= timezone.now() - limit:
            return False
    return report.status != ReportStatus.ISSUED or report.build_state in (BuildState.FAILED, BuildState.RUNNING)


def _has_successor(report: Report) -> bool:
    return hasattr(report, "replaced_by")


ACTIONS_HELP = _("edit (PATCH the narrative), retry, submit, issue, new_version: the requests you may make now.")


class ReportSerializer(serializers.ModelSerializer):
    kind_display = _display("get_kind_display", _("The kind, in words."))
    period_label = serializers.SerializerMethodField(help_text=_("The period as the report names it."))
    unit = UnitBriefSerializer(read_only=True, help_text=_("The unit whose subtree the figures count."))
    issuer = UnitBriefSerializer(read_only=True, help_text=_("The body whose header and number it carries."))
    status_display = _display("get_status_display", _("The status, in words."))
    build_state_display = _display("get_build_state_display", _("The compilation state, in words."))
    number = serializers.SerializerMethodField(help_text=_("The document number once issued, e.g. 12-BC/HU."))
    issued_on = serializers.SerializerMethodField(help_text=_("Date of the number (when issued)."))
    replaces = ReportBriefSerializer(read_only=True, allow_null=True, help_text=_("The version this one corrects."))
    replaced_by = serializers.SerializerMethodField(help_text=_("The newer version correcting this one, if any."))
    files = serializers.SerializerMethodField(help_text=_("Download links (null until the file exists)."))
    allowed_actions = serializers.SerializerMethodField(help_text=_("What you may do with it now."))

    class Meta:
        model = Report
        fields = [
            "id",
            "kind",
            "kind_display",
            "period_start",
            "period_end",
            "period_label",
            "unit",
            "include_predecessors",
            "issuer",
            "version_no",
            "replaces",
            "replaced_by",
            "change_note",
            "status",
            "status_display",
            "build_state",
            "build_state_display",
            "progress",
            "build_error",
            "compiled_at",
            "number",
            "issued_on",
            "files",
            "allowed_actions",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "progress": {"help_text": _("Compilation progress, 0–100.")},
            "build_error": {"help_text": _("Why the last compilation failed (empty otherwise).")},
            "version": {"help_text": _("Send it back with a change; a stale one answers 409.")},
        }

    def get_period_label(self, report: Report) -> str:
        return label(report.period)

    def get_number(self, report: Report) -> str | None:
        return report_number(report)

    @extend_schema_field(OpenApiTypes.DATE)
    def get_issued_on(self, report: Report):
        return report.document.date if report.document_id else None

    @extend_schema_field(ReportBriefSerializer(allow_null=True))
    def get_replaced_by(self, report: Report) -> dict | None:
        newer = getattr(report, "replaced_by", None)
        return ReportBriefSerializer(newer).data if newer is not None else None

    @extend_schema_field(ReportFilesSerializer)
    def get_files(self, report: Report) -> dict:
        return file_links(report)

    @extend_schema_field(serializers.ListField(child=serializers.CharField(help_text=ACTIONS_HELP)))
    def get_allowed_actions(self, report: Report) -> list[str]:
        request = self.context.get("request")
        return allowed_actions(getattr(request, "user", None), report)


class ReportDetailSerializer(ReportSerializer):
    figures = serializers.SerializerMethodField(
        help_text=_(
            "The frozen figures (see docs/api-reports.md): period, kpis, previous, last_year, dialogues, "
            "petitions, programs, campaigns, trend, communes. Empty until compiled."
        ),
    )
    signer = serializers.SerializerMethodField(help_text=_("Who signs it (person), if chosen."))
    submitted_by = serializers.SerializerMethodField(help_text=_("Full name of who submitted it."))
    issued_by = serializers.SerializerMethodField(help_text=_("Full name of the leader who issued it."))

    class Meta(ReportSerializer.Meta):
        fields = [
            *ReportSerializer.Meta.fields,
            "figures",
            "strengths",
            "weaknesses",
            "next_tasks",
            "proposals",
            "signer",
            "signer_authority",
            "signer_title",
            "recipients",
            "submitted_by",
            "submitted_at",
            "issued_by",
            "issued_at",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_figures(self, report: Report) -> dict:
        return report.figures

    @extend_schema_field(
        {
            "type": "object",
            "nullable": True,
            "properties": {"id": {"type": "integer"}, "full_name": {"type": "string"}},
        }
    )
    def get_signer(self, report: Report) -> dict | None:
        if report.signer is None:
            return None
        return {"id": report.signer.pk, "full_name": report.signer.full_name}

    def get_submitted_by(self, report: Report) -> str | None:
        return _full_name(report.submitted_by)

    def get_issued_by(self, report: Report) -> str | None:
        return _full_name(report.issued_by)


# --- Reports: write -------------------------------------------------------------------------------


class ReportCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=ReportKind.choices, help_text=_("month, quarter, half_year, nine_months, year or custom.")
    )
    period_start = serializers.DateField(
        input_formats=["%Y-%m-%d"], help_text=_("First day of the period (YYYY-MM-DD); must match the kind.")
    )
    period_end = serializers.DateField(
        input_formats=["%Y-%m-%d"], help_text=_("Last day of the period (YYYY-MM-DD); must match the kind.")
    )
    unit = unit_in_scope(_("The district or commune reported on (unit id), one you run reports for."))
    issuer = unit_in_scope(
        _("The issuing body (unit id) with a document symbol; default: the unit's Party committee."),
        unknown=UNKNOWN_BODY,
        required=False,
        allow_null=True,
        default=None,
    )
    include_predecessors = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_("For a commune formed in 2025: also count the old units it continues."),
    )


class NarrativeSerializer(serializers.Serializer):
    """The parts of a report a person writes; the figures are computed."""

    strengths = text(_("Strengths (Ưu điểm)."))
    weaknesses = text(_("Weaknesses and their causes."))
    next_tasks = text(_("Tasks for the next period."))
    proposals = text(_("Proposals."))
    signer = ScopedPrimaryKeyField(
        model=Person,
        scope=_visible_people,
        unknown=_("Unknown person."),
        required=False,
        allow_null=True,
        help_text=_("Who signs (person id), or null."),
    )
    signer_authority = text(_("Authority line, e.g. T/M BAN THƯỜNG VỤ."), max_length=120)
    signer_title = text(_("Signer's title, e.g. BÍ THƯ."), max_length=120)
    recipients = text(_("Recipients, one per line."))
    version = serializers.IntegerField(
        min_value=1, help_text=VERSION_HELP, error_messages={"required": _("Send the version you read.")}
    )


class VersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1, help_text=_("The version you read (optional).")
    )


class IssueSerializer(VersionSerializer):
    date = serializers.DateField(
        input_formats=["%Y-%m-%d"],
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Date of the number (YYYY-MM-DD); default today."),
    )


class NewVersionSerializer(serializers.Serializer):
    change_note = serializers.CharField(
        allow_blank=True,
        help_text=_("What the new version corrects (required)."),
        error_messages={"required": _("Say what the new version changes.")},
    )


# --- Period locks ---------------------------------------------------------------------------------


class PeriodLockSerializer(serializers.ModelSerializer):
    unit = UnitBriefSerializer(read_only=True, help_text=_("The locked subtree's root."))
    report = ReportBriefSerializer(read_only=True, allow_null=True, help_text=_("The issued report it follows."))
    locked_by = serializers.SerializerMethodField(help_text=_("Full name of who locked the period."))
    unlocked_by = serializers.SerializerMethodField(help_text=_("Full name of who unlocked it, if anyone."))
    is_active = serializers.SerializerMethodField(help_text=_("Still locked."))

    class Meta:
        model = PeriodLock
        fields = [
            "id",
            "unit",
            "start",
            "end",
            "reason",
            "report",
            "is_active",
            "locked_by",
            "locked_at",
            "unlocked_by",
            "unlocked_at",
            "unlock_reason",
        ]
        read_only_fields = fields

    def get_locked_by(self, lock: PeriodLock) -> str | None:
        return _full_name(lock.locked_by)

    def get_unlocked_by(self, lock: PeriodLock) -> str | None:
        return _full_name(lock.unlocked_by)

    def get_is_active(self, lock: PeriodLock) -> bool:
        return lock.unlocked_at is None


class PeriodLockCreateSerializer(serializers.Serializer):
    unit = unit_in_scope(_("Lock this unit and everything below it (unit id)."))
    start = serializers.DateField(input_formats=["%Y-%m-%d"], help_text=_("First locked day (YYYY-MM-DD)."))
    end = serializers.DateField(input_formats=["%Y-%m-%d"], help_text=_("Last locked day (YYYY-MM-DD)."))
    reason = serializers.CharField(
        allow_blank=True, help_text=_("Why (e.g. the report issued); shown to whoever is refused.")
    )
    report = ScopedPrimaryKeyField(
        model=Report,
        scope=_visible_reports,
        unknown=_("Unknown report."),
        required=False,
        allow_null=True,
        default=None,
        help_text=_("The issued report this lock follows (report id)."),
    )


class UnlockSerializer(serializers.Serializer):
    reason = serializers.CharField(
        allow_blank=True,
        help_text=_("Why the period is unlocked; logged."),
        error_messages={"required": _("Say why the period is unlocked; the reason is logged.")},
    )


# --- Report schedules -----------------------------------------------------------------------------

#: The kinds a schedule can create: every calendar kind (a custom range never falls due), as in
#: the admin's schedule form.
SCHEDULED_KINDS = [(value, name) for value, name in ReportKind.choices if value != ReportKind.CUSTOM]


class ReportScheduleSerializer(serializers.ModelSerializer):
    unit = UnitBriefSerializer(read_only=True, help_text=_("The unit whose reports are drafted automatically."))
    issuer = UnitBriefSerializer(read_only=True, help_text=_("The body that issues them."))
    kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=SCHEDULED_KINDS),
        read_only=True,
        help_text=_("A draft of each of these kinds is created the morning after its period ends."),
    )

    class Meta:
        model = ReportSchedule
        fields = ["id", "unit", "issuer", "kinds", "include_predecessors", "is_active"]
        read_only_fields = fields
        extra_kwargs = {
            "include_predecessors": {"help_text": _("The drafts also count the units this one succeeded.")},
            "is_active": {"help_text": _("False: no more drafts are created.")},
        }


class ReportScheduleWriteSerializer(serializers.Serializer):
    """What the admin's schedule form takes; its own checks (``reports.admin.ReportScheduleForm``)
    run on what this reads, so the API refuses exactly what the admin refuses."""

    unit = unit_in_scope(_("Unit id whose reports are drafted automatically; one schedule per unit."))
    issuer = unit_in_scope(
        _("Issuing body (unit id) with a document symbol, above or below the unit."), unknown=UNKNOWN_BODY
    )
    kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=SCHEDULED_KINDS),
        help_text=_("At least one of month, quarter, half_year, nine_months, year."),
    )
    include_predecessors = serializers.BooleanField(
        required=False, default=False, help_text=_("Also count the units this one succeeded.")
    )
    is_active = serializers.BooleanField(required=False, default=True, help_text=_("False: create no more drafts."))


# --- Metrics --------------------------------------------------------------------------------------

#: How each kind of KPI travels: whole numbers as JSON integers, Decimals as strings.
_INTEGER_UNITS = frozenset({"count", "vnd", "person_times"})


def _kpi_field(kpi: kpis.Kpi) -> serializers.Field:
    if kpi.unit in _INTEGER_UNITS:
        help_text = format_lazy("{label} ({nature}).", label=kpi.label, nature=kpi.nature)
        return serializers.IntegerField(allow_null=True, read_only=True, help_text=help_text)
    help_text = format_lazy("{label} ({nature}): a decimal as a string, e.g. 97.5.", label=kpi.label, nature=kpi.nature)
    return serializers.CharField(allow_null=True, read_only=True, help_text=help_text)


KpiSetSerializer = type(
    "KpiSetSerializer",
    (serializers.Serializer,),
    {
        "__doc__": "Every KPI of reports.kpis.KPIS, as reports.kpis.compute gives it.",
        **{kpi.key: _kpi_field(kpi) for kpi in kpis.KPIS},
    },
)


class KpiDefinitionSerializer(serializers.Serializer):
    key = serializers.CharField(read_only=True, help_text=_("The KPI's key in `kpis`."))
    label = serializers.CharField(read_only=True, help_text=_("Its name, in the user's language."))
    unit = serializers.CharField(read_only=True, help_text=_("count, vnd, person_times, percent, m2."))
    nature = serializers.CharField(
        read_only=True, help_text=_("period: summed over the period; stock: the state at its end.")
    )


class MetricsQuerySerializer(serializers.Serializer):
    unit = serializers.IntegerField(
        help_text=_("Unit id: the figures of it and everything below it."),
        error_messages={"required": _("Give the unit (unit id)."), "invalid": _("The unit must be a unit id.")},
    )
    start = serializers.DateField(
        input_formats=["%Y-%m-%d"],
        help_text=_("First day (YYYY-MM-DD)."),
        error_messages={
            "required": _("Give the first day of the period as start=YYYY-MM-DD."),
            "invalid": _("Write the date as YYYY-MM-DD, e.g. 2024-01-01."),
        },
    )
    end = serializers.DateField(
        input_formats=["%Y-%m-%d"],
        help_text=_("Last day (YYYY-MM-DD), at most five years after start."),
        error_messages={
            "required": _("Give the last day of the period as end=YYYY-MM-DD."),
            "invalid": _("Write the date as YYYY-MM-DD, e.g. 2024-12-31."),
        },
    )
    include_predecessors = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_("true: also count the old units the unit continues (2025 reform), as a report does."),
    )

    def validate(self, attrs: dict) -> dict:
        from .periods import MAX_CUSTOM_DAYS

        start, end = attrs["start"], attrs["end"]
        if end < start:
            raise serializers.ValidationError({"end": [_("The period ends before it starts.")]})
        if (end - start).days + 1 > MAX_CUSTOM_DAYS:
            raise serializers.ValidationError({"end": [_("A period covers at most five years.")]})
        return attrs


class MetricsSerializer(serializers.Serializer):
    unit = UnitBriefSerializer(read_only=True, help_text=_("The unit whose subtree the figures count."))
    start = serializers.DateField(read_only=True, help_text=_("First day of the period."))
    end = serializers.DateField(read_only=True, help_text=_("Last day of the period."))
    include_predecessors = serializers.BooleanField(
        read_only=True, help_text=_("The figures also count the units this one succeeded.")
    )
    kpis = KpiSetSerializer(read_only=True, help_text=_("The KPI set (reports.kpis), one definition per figure."))
    definitions = KpiDefinitionSerializer(
        many=True, read_only=True, help_text=_("What each KPI of the set is: its key, label, unit and nature.")
    )
