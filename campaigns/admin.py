"""Administration of movements, scoring, awards, Dân vận khéo models, household commitments and
pledges, for portal administrators (``is_staff`` users).

The one list an administrator keeps here is **CommitmentItem**: the extensible list of what
households may sign ("Không còn hủ tục lạc hậu"…). Items are added and edited in place (text,
order, offered or not); none is deleted, since commitments and pledges already signed point at
them: an item that should no longer be offered is unticked ("offered") instead.

Everything else is created through ``campaigns.services`` (the portal's pages and API), which
check who may write what, that criteria add up, that a scored criteria set stays frozen, round
and model transitions, and households inside a model's area. The admin therefore adds and
deletes none of those records: it shows them with their history and lets an administrator
correct descriptive fields. What a service owns is read-only: statuses (transitions live in the
services and ``campaigns.workflow``), criteria and scores (totals, ranks and past scores must not
change behind the ranking), areas and owners (scope), signed items. Every save runs the model's
validation and bumps ``version``, so a page opened before the correction refuses to overwrite it.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from organization.admin_base import RefusalAwareAdmin

from .models import (
    Award,
    CommitmentItem,
    CriteriaSet,
    Criterion,
    DvkCriterion,
    DvkEvent,
    DvkModel,
    DvkPillar,
    EmulationPledge,
    HouseholdCommitment,
    Movement,
    RoundEvent,
    Scorecard,
    ScoreEntry,
    ScoringRound,
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


class ReadOnlyAdmin(VersionedAdmin):
    """Browse with history; every change goes through the services."""

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class RowInline(admin.TabularInline):
    """Descriptive rows of a parent: correctable, never added or deleted here."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


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


# --- The extensible list ------------------------------------------------------------------------


@admin.register(CommitmentItem)
class CommitmentItemAdmin(admin.ModelAdmin):
    """What households may sign: add, reword, reorder or stop offering items, in the list itself."""

    list_display = ["code", "text", "order", "is_active"]
    list_display_links = ["code"]
    list_editable = ["text", "order", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["code", "text"]
    ordering = ["order", "id"]

    def get_readonly_fields(self, request, obj=None):
        # The code identifies the item in imports and the demo; it is chosen once.
        return ["code"] if obj is not None else []

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # signed commitments and pledges point at it: untick "offered" instead


# --- Movements, criteria and rounds -------------------------------------------------------------


@admin.register(Movement)
class MovementAdmin(VersionedAdmin):
    list_display = ["name", "unit", "launched_by", "launch_date", "is_dvk", "status"]
    list_filter = ["is_dvk", "status"]
    list_select_related = ["unit", "launched_by"]
    search_fields = ["name", "description", "unit__name"]
    date_hierarchy = "launch_date"
    autocomplete_fields = ["launched_by", "regulation_document"]
    # The area decides who runs the movement; a target type already scored cannot be removed
    # (services.movement_update checks it).
    readonly_fields = ["unit", "target_types", "version", "created_by", "created_at", "updated_at"]


class CriterionInline(ReadOnlyInline):
    model = Criterion
    fields = ["order", "code", "text", "group", "max_points", "weight"]


@admin.register(CriteriaSet)
class CriteriaSetAdmin(ReadOnlyAdmin):
    """Criteria change only through services.criteria_set_save: it checks the points add up
    and refuses a set already used for scoring, so past scores never change."""

    list_display = ["movement", "target_type", "year", "total_points"]
    list_filter = ["target_type", "year"]
    list_select_related = ["movement"]
    search_fields = ["movement__name", "note"]
    inlines = [CriterionInline]


class RoundEventInline(ReadOnlyInline):
    model = RoundEvent
    fields = ["at", "action", "reason", "by"]


@admin.register(ScoringRound)
class ScoringRoundAdmin(ReadOnlyAdmin):
    list_display = ["movement", "month", "status", "closes_on", "selected_per_type", "min_percent_for_selection"]
    list_filter = ["status"]
    list_select_related = ["movement"]
    search_fields = ["movement__name"]
    date_hierarchy = "month"
    inlines = [RoundEventInline]


class ScoreEntryInline(ReadOnlyInline):
    model = ScoreEntry
    fields = ["criterion", "self_score", "verified_score", "evidence_note", "evidence_photo"]


@admin.register(Scorecard)
class ScorecardAdmin(ReadOnlyAdmin):
    list_display = [
        "unit",
        "round",
        "target_type",
        "status",
        "self_total",
        "verified_total",
        "rank_in_type",
        "selected",
    ]
    list_filter = ["status", "target_type", "selected"]
    list_select_related = ["unit", "round__movement"]
    search_fields = ["unit__name", "round__movement__name"]
    inlines = [ScoreEntryInline]


@admin.register(Award)
class AwardAdmin(VersionedAdmin):
    list_display = ["date", "form", "recipient_unit", "recipient_name", "issuer", "movement"]
    list_filter = ["form"]
    list_select_related = ["recipient_unit", "issuer", "movement"]
    search_fields = ["recipient_name", "recipient_unit__name", "reason", "issuer__name"]
    date_hierarchy = "date"
    autocomplete_fields = ["issuer", "decision_document"]
    # Who receives it, and for which round or model, decides who may see and delete it.
    readonly_fields = ["movement", "round", "dvk_model", "recipient_unit", "created_by", "created_at"]


# --- Dân vận khéo models ------------------------------------------------------------------------


class DvkCriterionInline(RowInline):
    model = DvkCriterion
    fields = ["order", "text", "target", "achieved", "met", "evidence"]


class DvkPillarInline(RowInline):
    model = DvkPillar
    fields = ["number", "title", "description"]


class DvkEventInline(ReadOnlyInline):
    model = DvkEvent
    fields = ["at", "from_status", "to_status", "note", "by"]


@admin.register(DvkModel)
class DvkModelAdmin(VersionedAdmin):
    list_display = ["name", "kind", "field", "level", "owner_unit", "locality", "registered_on", "status"]
    list_filter = ["kind", "field", "level", "status", "is_pilot"]
    list_select_related = ["owner_unit", "locality"]
    search_fields = ["name", "target_group", "owner_unit__name", "locality__name"]
    date_hierarchy = "registered_on"
    autocomplete_fields = ["movement"]
    # The status moves only along DVK_TRANSITIONS (services.dvk_transition, which also records
    # the recognition); the owner and locality decide scope and where households may sign.
    readonly_fields = [
        "owner_unit",
        "locality",
        "status",
        "recognized_on",
        "recognition_document",
        "version",
        "created_by",
        "created_at",
        "updated_at",
    ]
    inlines = [DvkCriterionInline, DvkPillarInline, DvkEventInline]


@admin.register(HouseholdCommitment)
class HouseholdCommitmentAdmin(VersionedAdmin):
    list_display = ["household_head", "village", "model", "signed_on", "status", "broken_on"]
    list_filter = ["status"]
    list_select_related = ["village", "model"]
    search_fields = ["household_head", "village__name", "model__name"]
    date_hierarchy = "signed_on"
    # Items signed and broken, and the status, go through services.commitment_update (a broken
    # item must be one the household signed).
    readonly_fields = [
        "model",
        "village",
        "signed_items",
        "status",
        "broken_on",
        "broken",
        "version",
        "created_by",
        "created_at",
    ]
    exclude = ["items", "broken_items"]

    @admin.display(description=_("items signed"))
    def signed_items(self, obj: HouseholdCommitment) -> str:
        return "; ".join(item.text for item in obj.items.all())

    @admin.display(description=_("items broken"))
    def broken(self, obj: HouseholdCommitment) -> str:
        return "; ".join(item.text for item in obj.broken_items.all())


@admin.register(EmulationPledge)
class EmulationPledgeAdmin(VersionedAdmin):
    list_display = ["unit", "year", "signed_on", "result"]
    list_filter = ["year", "result"]
    list_select_related = ["unit"]
    search_fields = ["unit__name", "representative", "assessment"]
    readonly_fields = ["unit", "year", "signed_on", "pledged_items", "version", "created_by", "created_at"]
    exclude = ["items"]

    @admin.display(description=_("items pledged"))
    def pledged_items(self, obj: EmulationPledge) -> str:
        return "; ".join(item.text for item in obj.items.all())
