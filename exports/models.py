"""Background exports: one row per export too large to download at once (see services.py).

The file lives in the default storage under ``exports/`` (MEDIA_ROOT, never served directly):
only ``views.download`` hands it out, to its owner, until ``expires_at``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ExportStatus(models.TextChoices):
    # The reports' "Queued" means waiting to be compiled: an export has its own word.
    QUEUED = "queued", pgettext_lazy("export status", "Queued")
    RUNNING = "running", _("Writing")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", _("Expired")


class ExportFormat(models.TextChoices):
    XLSX = "xlsx", "XLSX"
    CSV = "csv", "CSV"


#: Still being prepared: the page polls, a second identical request joins it.
ACTIVE = frozenset({ExportStatus.QUEUED, ExportStatus.RUNNING})


class ExportJob(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("requested by")
    )
    #: The list exported: its URL name ("dialogues:petition_list"), path (``path_info``, without
    #: the script prefix of a deployment under a sub-path) and filters (the query string without
    #: ``export`` and ``page``). The task calls that view again with them.
    view_name = models.CharField(_("list"), max_length=200)
    path = models.CharField(max_length=500)
    query = models.TextField(blank=True)
    format = models.CharField(_("format"), max_length=8, choices=ExportFormat.choices)
    #: The language of the page the export was asked from: headers and labels are written in it.
    language = models.CharField(max_length=8)
    #: The name the download gets ("kien-nghi-2025-05-02.xlsx").
    filename = models.CharField(_("file name"), max_length=255)
    status = models.CharField(_("status"), max_length=16, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    row_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_written = models.PositiveIntegerField(_("rows written"), default=0)
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    file = models.FileField(_("file"), upload_to="exports/%Y/%m/", blank=True, max_length=255)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("link expires at"), null=True, blank=True)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="export_user_created"),
            models.Index(fields=["status", "expires_at"], name="export_status_expires"),
        ]

    def __str__(self) -> str:
        return self.filename

    def get_absolute_url(self) -> str:
        return reverse("exports:detail", args=[self.pk])

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE

    @property
    def is_expired(self) -> bool:
        """Expired already, or ready with a link past its time (cleanup has not run yet)."""
        if self.status == ExportStatus.EXPIRED:
            return True
        return self.status == ExportStatus.READY and self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def is_downloadable(self) -> bool:
        return self.status == ExportStatus.READY and not self.is_expired and bool(self.file)

    @property
    def list_url(self) -> str:
        """The list with the filters it was exported with."""
        path = get_script_prefix() + self.path.lstrip("/")
        return f"{path}?{self.query}" if self.query else path

    @property
    def again_url(self) -> str:
        """The same export asked for again (small lists download, large ones make a new job)."""
        separator = "&" if self.query else "?"
        return f"{self.list_url}{separator}{urlencode({'export': self.format})}"
