"""Administration of reports, their schedules and period locks, for portal administrators.

The one thing an administrator keeps here is **ReportSchedule**: which units get which report
drafts automatically (``reports.tasks.create_scheduled_reports``, run by beat every morning).

Reports and period locks are written by ``reports.services`` only (the portal's pages and API):
creating a report checks its period and queues its compile, issuing takes a number from the
document register and freezes the figures, locking and unlocking check the role and log the
reason. The admin therefore shows them read-only, with their history (who changed what, when),
and adds, changes or deletes none of them.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import PeriodLock, Report, ReportSchedule
from .periods import ReportKind

#: The kinds a schedule can create: every calendar kind (a custom range has no due date).
SCHEDULED_KINDS = [(value, label) for value, label in ReportKind.choices if value != ReportKind.CUSTOM]


class ReportScheduleForm(forms.ModelForm):
    kinds = forms.MultipleChoiceField(
        label=_("kinds"),
        choices=SCHEDULED_KINDS,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("A draft of each ticked kind is created the morning after its period ends."),
    )

    class Meta:
        model = ReportSchedule
        fields = ["unit", "issuer", "kinds", "include_predecessors", "is_active"]

    def clean(self):
        cleaned = super().clean()
        unit, issuer = cleaned.get("unit"), cleaned.get("issuer")
        if unit and issuer:
            # The same rules as services.report_create: the scheduler would otherwise skip the
            # schedule every morning without anyone noticing.
            if not issuer.doc_symbol:
                self.add_error("issuer", _("%(unit)s has no document symbol.") % {"unit": issuer.name})
            elif not issuer.is_descendant_of(unit) and not unit.is_descendant_of(issuer):
                self.add_error("issuer", _("The issuing body must belong to the unit."))
        return cleaned

    def clean_kinds(self) -> list[str]:
        kinds = self.cleaned_data["kinds"]
        if not kinds:
            raise ValidationError(_("Tick at least one kind."))
        # Stored in the order of ReportKind, so the list reads the same way everywhere.
        return [value for value, _label in SCHEDULED_KINDS if value in kinds]


@admin.register(ReportSchedule)
class ReportScheduleAdmin(admin.ModelAdmin):
    form = ReportScheduleForm
    list_display = ["unit", "issuer", "kinds_display", "include_predecessors", "is_active"]
    list_filter = ["is_active", "include_predecessors"]
    list_select_related = ["unit", "issuer"]
    search_fields = ["unit__name", "issuer__name"]
    autocomplete_fields = ["unit", "issuer"]

    @admin.display(description=_("kinds"))
    def kinds_display(self, obj: ReportSchedule) -> str:
        labels = dict(ReportKind.choices)
        return ", ".join(str(labels.get(kind, kind)) for kind in obj.kinds)


class ServiceWrittenAdmin(SimpleHistoryAdmin):
    """Shown with its history; every change goes through ``reports.services``."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Report)
class ReportAdmin(ServiceWrittenAdmin):
    list_display = ["__str__", "unit", "version_no", "status", "build_state", "document", "issued_at"]
    list_filter = ["status", "build_state", "kind"]
    list_select_related = ["unit", "document__issuer"]
    search_fields = ["unit__name", "issuer__name", "change_note"]
    date_hierarchy = "period_end"
    fieldsets = [
        (None, {"fields": ["kind", "period_start", "period_end", "unit", "include_predecessors", "issuer"]}),
        (_("Workflow"), {"fields": ["status", "document", "submitted_by", "submitted_at", "issued_by", "issued_at"]}),
        (_("Versions"), {"fields": ["version_no", "replaces", "change_note"]}),
        (
            _("Compilation"),
            {"fields": ["build_state", "progress", "attempts", "build_error", "claimed_at", "compiled_at"]},
        ),
        (_("Files"), {"fields": ["xlsx_file", "docx_file", "pdf_file"]}),
        (
            _("Narrative and signature"),
            {
                "classes": ["collapse"],
                "fields": [
                    "strengths",
                    "weaknesses",
                    "next_tasks",
                    "proposals",
                    "signer",
                    "signer_authority",
                    "signer_title",
                    "recipients",
                ],
            },
        ),
        (_("Record"), {"classes": ["collapse"], "fields": ["version", "created_by", "created_at", "updated_at"]}),
    ]


@admin.register(PeriodLock)
class PeriodLockAdmin(ServiceWrittenAdmin):
    list_display = ["unit", "start", "end", "is_active", "locked_by", "locked_at", "unlocked_by", "unlocked_at"]
    list_filter = [("unlocked_at", admin.EmptyFieldListFilter)]
    list_select_related = ["unit", "locked_by", "unlocked_by"]
    search_fields = ["unit__name", "reason", "unlock_reason"]
    date_hierarchy = "start"
    fields = [
        "unit",
        "start",
        "end",
        "reason",
        "report",
        "locked_by",
        "locked_at",
        "unlocked_by",
        "unlocked_at",
        "unlock_reason",
    ]

    @admin.display(description=_("active"), boolean=True)
    def is_active(self, obj: PeriodLock) -> bool:
        return obj.unlocked_at is None
