"""Administration of programs, roads, land donations and site clearance, for portal
administrators (``is_staff`` users).

The portal's pages and API create these records through ``programs.services``, which check who
may record for which unit, validity dates, plausibility and (for payments) the budget. The admin
therefore adds none of the main records and deletes none (nothing is lost; they have no soft
delete): it lets an administrator read everything with its history and correct descriptive
fields. What a service owns is read-only here: a program's status (its transitions live in
``PROGRAM_TRANSITIONS``), the signed consent file (checked by content on upload), and payments
(the over-budget rule). Every save runs the model's validation and bumps ``version``, so a page
opened before the correction refuses to overwrite it.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from organization.admin_base import RefusalAwareAdmin

from .models import (
    Contribution,
    Disbursement,
    LandDonation,
    Participation,
    Program,
    RoadProject,
    SiteClearanceProject,
    WorkItem,
)


class VersionedAdmin(RefusalAwareAdmin):
    """Records created by the services: no add, no delete; each edit bumps the version."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        if change and hasattr(obj, "version"):
            obj.version += 1
        super().save_model(request, obj, form, change)


class RowInline(admin.TabularInline):
    """A program's rows: correctable (the model's validation runs on save), never deleted here,
    since they carry no history of their own."""

    extra = 0
    can_delete = False


class ReadOnlyInline(admin.TabularInline):
    """Rows only a service may write: shown, never added, changed or deleted here."""

    extra = 0
    can_delete = False
    show_change_link = False

    def get_readonly_fields(self, request, obj=None):
        return list(self.fields)

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    """A list to browse rows across parents; changes happen on the parent's page."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


# --- Programs -----------------------------------------------------------------------------------


class WorkItemInline(RowInline):
    model = WorkItem
    fields = ["category", "description", "quantity", "unit_of_measure", "location", "done"]


class ContributionInline(RowInline):
    model = Contribution
    fields = ["contributor_type", "kind", "quantity", "unit_of_measure", "value_vnd", "qualifier", "note"]


class ParticipationInline(RowInline):
    model = Participation
    fields = ["category", "person_times", "qualifier"]


@admin.register(Program)
class ProgramAdmin(VersionedAdmin):
    list_display = ["date", "title", "unit", "organizer_level", "organizer", "status"]
    list_filter = ["organizer_level", "status"]
    list_select_related = ["unit", "organizer"]
    search_fields = ["title", "unit__name", "organizer__name"]
    date_hierarchy = "date"
    autocomplete_fields = ["village", "organizer", "basis_document"]
    # The status moves only along PROGRAM_TRANSITIONS (services.program_update).
    readonly_fields = ["unit", "status", "version", "created_by", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["unit", "village", "organizer_level", "organizer", "title", "date", "fields"]}),
        (_("Preparation and results"), {"fields": ["basis_document", "survey_notes", "status", "summary"]}),
        (_("Record"), {"classes": ["collapse"], "fields": ["version", "created_by", "created_at", "updated_at"]}),
    ]
    inlines = [WorkItemInline, ContributionInline, ParticipationInline]


@admin.register(WorkItem)
class WorkItemAdmin(ReadOnlyAdmin):
    list_display = ["description", "category", "quantity", "unit_of_measure", "done", "program"]
    list_filter = ["category", "done"]
    list_select_related = ["program"]
    search_fields = ["description", "program__title"]


@admin.register(Contribution)
class ContributionAdmin(ReadOnlyAdmin):
    list_display = ["program", "contributor_type", "kind", "quantity", "unit_of_measure", "value_vnd", "qualifier"]
    list_filter = ["kind", "contributor_type", "qualifier"]
    list_select_related = ["program"]
    search_fields = ["program__title", "note"]


@admin.register(Participation)
class ParticipationAdmin(ReadOnlyAdmin):
    list_display = ["program", "category", "person_times", "qualifier"]
    list_filter = ["category", "qualifier"]
    list_select_related = ["program"]
    search_fields = ["program__title"]


# --- Roads and land donations -------------------------------------------------------------------


class DonationInline(ReadOnlyInline):
    model = LandDonation
    fk_name = "road"
    fields = ["donor", "donated_on", "purpose", "area_m2", "trees", "labour_days", "cash_vnd", "value_vnd"]
    show_change_link = True


@admin.register(RoadProject)
class RoadProjectAdmin(VersionedAdmin):
    list_display = ["name", "unit", "year", "length_m", "surface", "program"]
    list_filter = ["year", "surface"]
    list_select_related = ["unit", "program"]
    search_fields = ["name", "unit__name"]
    autocomplete_fields = ["village", "program"]
    readonly_fields = ["unit", "version", "created_by", "created_at"]
    inlines = [DonationInline]


@admin.register(LandDonation)
class LandDonationAdmin(VersionedAdmin):
    list_display = ["donor", "donated_on", "unit", "purpose", "area_m2", "tree_count", "value_vnd", "road"]
    list_filter = ["purpose"]
    list_select_related = ["unit", "road"]
    search_fields = ["donor", "other_assets", "unit__name", "road__name"]
    date_hierarchy = "donated_on"
    autocomplete_fields = ["village", "road", "program"]
    # The signed consent is checked by content when uploaded (services.land_donation_save).
    readonly_fields = ["unit", "consent_file", "version", "created_by", "created_at"]

    @admin.display(description=_("trees"))
    def tree_count(self, obj: LandDonation) -> int:
        return obj.tree_count


# --- Site clearance -----------------------------------------------------------------------------


class DisbursementInline(ReadOnlyInline):
    model = Disbursement
    fields = ["paid_on", "amount_vnd", "households_paid", "over_budget_reason", "note", "created_by"]


@admin.register(SiteClearanceProject)
class SiteClearanceProjectAdmin(VersionedAdmin):
    list_display = ["name", "unit", "is_key_project", "started_on", "affected_households", "area_ha", "status"]
    list_filter = ["is_key_project", "status"]
    list_select_related = ["unit"]
    search_fields = ["name", "unit__name", "resettlement_site"]
    autocomplete_fields = ["communes", "task_force"]
    readonly_fields = ["unit", "version", "created_by", "created_at"]
    inlines = [DisbursementInline]


@admin.register(Disbursement)
class DisbursementAdmin(RefusalAwareAdmin):
    """Payments, with their history. Recorded through ``services.disbursement_record`` (the
    over-budget rule); only the note can be corrected here."""

    list_display = ["project", "paid_on", "amount_vnd", "households_paid", "over_budget_reason"]
    list_select_related = ["project"]
    search_fields = ["project__name", "note", "over_budget_reason"]
    date_hierarchy = "paid_on"
    readonly_fields = ["project", "paid_on", "amount_vnd", "households_paid", "over_budget_reason", "created_by"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
