"""Reports (a row per kind, period, unit and version, with frozen figures and files) and
period locks.

A report's **status** is the office's workflow (draft → submitted → issued); its **build**
state is the compile job's (queued → running → ready | failed). The figures are computed by a
Celery task (``reports.tasks.compile_report``), frozen in ``figures`` and never recomputed once
the report is issued: correcting an issued report means a new version that names what changed.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from organization import access
from organization.models import Document, Person, Unit

from .periods import ReportKind


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    ISSUED = "issued", _("Issued")


class BuildState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Compiling")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class Report(models.Model):
    kind = models.CharField(_("kind"), max_length=12, choices=ReportKind.choices)
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="reports", verbose_name=_("unit"))
    include_predecessors = models.BooleanField(
        _("include the units it succeeded"),
        default=False,
        help_text=_("For a commune formed in 2025: also count the records of the old units it continues."),
    )
    issuer = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("issuing body"),
        help_text=_("The body whose header, symbol and number the report carries (e.g. Huyện ủy Bảo Yên)."),
    )
    version_no = models.PositiveSmallIntegerField(_("version"), default=1)
    replaces = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaced_by", verbose_name=_("replaces")
    )
    change_note = models.TextField(_("what changed"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    build_state = models.CharField(
        _("compilation"), max_length=10, choices=BuildState.choices, default=BuildState.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    build_error = models.TextField(_("compilation error"), blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    compiled_at = models.DateTimeField(null=True, blank=True)
    figures = models.JSONField(_("frozen figures"), default=dict, blank=True)
    # Editable narrative (the parts a person writes; the figures are computed).
    strengths = models.TextField(_("strengths"), blank=True)
    weaknesses = models.TextField(_("weaknesses and causes"), blank=True)
    next_tasks = models.TextField(_("tasks for the next period"), blank=True)
    proposals = models.TextField(_("proposals"), blank=True)
    signer = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("signer")
    )
    signer_authority = models.CharField(
        _("authority line"), max_length=120, blank=True, help_text=_("e.g. T/M BAN THƯỜNG VỤ, K/T TRƯỞNG BAN")
    )
    signer_title = models.CharField(_("signer's title"), max_length=120, blank=True, help_text=_("e.g. BÍ THƯ"))
    recipients = models.TextField(
        _("recipients"), blank=True, help_text=_("One per line; the list ends with “Lưu …” automatically.")
    )
    document = models.OneToOneField(
        Document, on_delete=models.PROTECT, null=True, blank=True, related_name="report", verbose_name=_("number")
    )
    xlsx_file = models.FileField(upload_to="reports/%Y/", blank=True)
    docx_file = models.FileField(upload_to="reports/%Y/", blank=True)
    pdf_file = models.FileField(upload_to="reports/%Y/", blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    issued_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["figures", "progress", "claimed_at"])
    objects = access.ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-period_end", "kind", "-version_no"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "period_start", "period_end", "unit", "version_no"], name="report_once_per_version"
            ),
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")), name="report_period_ordered"),
            models.CheckConstraint(condition=Q(progress__lte=100), name="report_progress_percent"),
        ]
        indexes = [models.Index(fields=["unit", "period_end"], name="report_unit_period")]

    def __str__(self) -> str:
        from .periods import Period, label

        text = f"{self.get_kind_display()} – {label(Period(self.kind, self.period_start, self.period_end))}"
        return f"{text} (v{self.version_no})" if self.version_no > 1 else text

    @property
    def period(self):
        from .periods import Period

        return Period(self.kind, self.period_start, self.period_end)

    @property
    def is_frozen(self) -> bool:
        return self.status == ReportStatus.ISSUED

    def scope_units(self) -> list[Unit]:
        """The units whose subtrees the figures count: the unit, and with
        ``include_predecessors`` the old units it continues (2025 reform)."""
        units = [self.unit]
        if self.include_predecessors:
            units.extend(self.unit.predecessors.all())
        return units


class ReportSchedule(models.Model):
    """Which units get which report drafts automatically (see ``reports.tasks``)."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+", verbose_name=_("unit"))
    issuer = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+", verbose_name=_("issuing body"))
    kinds = models.JSONField(_("kinds"), default=list)
    include_predecessors = models.BooleanField(_("include the units it succeeded"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("report schedule")
        verbose_name_plural = _("report schedules")
        constraints = [models.UniqueConstraint(fields=["unit"], name="report_schedule_once_per_unit")]

    def __str__(self) -> str:
        return f"{self.unit.name}: {', '.join(self.kinds)}"


class PeriodLockQuerySet(models.QuerySet):
    def active(self):
        return self.filter(unlocked_at__isnull=True)


class PeriodLock(models.Model):
    """After issuing, district staff lock a period for a unit subtree: records dated in it can no
    longer be created, changed or deleted anywhere (``reports.locks``) until someone unlocks it
    with a reason."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    start = models.DateField(_("from"))
    end = models.DateField(_("to"))
    reason = models.TextField(_("reason"))
    report = models.ForeignKey(
        Report, on_delete=models.PROTECT, null=True, blank=True, related_name="locks", verbose_name=_("report")
    )
    locked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    locked_at = models.DateTimeField(auto_now_add=True)
    unlocked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    unlocked_at = models.DateTimeField(null=True, blank=True)
    unlock_reason = models.TextField(_("reason for unlocking"), blank=True)

    history = HistoricalRecords()
    objects = PeriodLockQuerySet.as_manager()

    class Meta:
        verbose_name = _("period lock")
        verbose_name_plural = _("period locks")
        ordering = ["-start", "unit__path"]
        constraints = [models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="period_lock_ordered")]

    def __str__(self) -> str:
        return f"{self.unit.name} {self.start:%d/%m/%Y}–{self.end:%d/%m/%Y}"
