"""The import log: one row per uploaded file, from preview to result."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from organization.models import Unit


class ImportStatus(models.TextChoices):
    CHECKING = "checking", _("Checking")
    PROBLEMS = "problems", _("Has problems")
    READY = "ready", _("Ready to import")
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


#: A file in these states can still be confirmed (READY) or is finished.
FINISHED = frozenset({ImportStatus.PROBLEMS, ImportStatus.DONE, ImportStatus.FAILED, ImportStatus.CANCELLED})


class ImportJobQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Your own imports; district staff and leaders also see those of users in their units."""
        from organization import access

        if access.is_admin(user):
            return self
        overseen = access.units_with_role(user, *access.APPROVER_ROLES)
        return self.filter(models.Q(uploaded_by=user) | models.Q(unit__in=overseen)).distinct()


class ImportJob(models.Model):
    kind = models.CharField(_("kind"), max_length=32)
    status = models.CharField(_("status"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.CHECKING)
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size"), default=0)
    sha256 = models.CharField(max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    #: The uploader's unit at the time (their first write membership), for the log's scoping.
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("unit")
    )
    via = models.CharField(_("via"), max_length=8, default="web")  # web | api | cli
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_created = models.PositiveIntegerField(_("created"), default=0)
    rows_existing = models.PositiveIntegerField(_("already present"), default=0)
    problem_count = models.PositiveIntegerField(_("problems"), default=0)
    problems = models.JSONField(default=list, blank=True)
    summary = models.JSONField(default=list, blank=True)
    message = models.TextField(_("result"), blank=True)
    progress = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["uploaded_by", "-created_at"], name="import_user_created")]

    def __str__(self) -> str:
        return f"{self.kind} · {self.original_name}"

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED

    @property
    def kind_label(self) -> str:
        from .kinds import REGISTRY

        kind = REGISTRY.get(self.kind)
        return str(kind.label) if kind else self.kind
