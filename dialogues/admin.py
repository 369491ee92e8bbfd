"""Administration of dialogue data, for portal administrators (``is_staff`` users).

The portal's pages and API write dialogues, petitions, notices and answers through
``dialogues.services``, which sanitize minutes, check files, number notices and record every
status change as a PetitionEvent. The admin therefore adds none of those records and never
deletes them (nothing is lost): it lets an administrator read everything, with its history, and
correct descriptive fields (a topic, a petition's wording or field). What the workflow owns
(status, assigned agency, deadline, answer dates, notice numbers, minutes text) is read-only.
Reported aggregates, which are typed totals by nature, can be entered here too.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count, Sum
from django.utils.translation import gettext_lazy as _

from organization.admin_base import RefusalAwareAdmin

from .models import (
    ConclusionNotice,
    Dialogue,
    DialogueAttachment,
    Directive,
    EngagementMeeting,
    Petition,
    PetitionEvent,
    PetitionResponse,
    ReportedAggregate,
    ReportedAggregatePart,
    SentReminder,
)


class ReadOnlyInline(admin.TabularInline):
    """Rows written by the services: shown, never added, changed or deleted here."""

    extra = 0
    can_delete = False
    show_change_link = False

    def get_readonly_fields(self, request, obj=None):
        return [name for name in self.fields]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class ServiceWrittenAdmin(RefusalAwareAdmin):
    """Records created by the services: no add, no delete; edits bump the version so a page
    opened before the edit refuses to overwrite it (optimistic check)."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        if change and hasattr(obj, "version"):
            obj.version += 1
        super().save_model(request, obj, form, change)


# --- Dialogues ----------------------------------------------------------------------------------


class AttachmentInline(ReadOnlyInline):
    model = DialogueAttachment
    fields = ["kind", "original_name", "content_type", "size", "uploaded_by", "uploaded_at"]


@admin.register(Dialogue)
class DialogueAdmin(ServiceWrittenAdmin):
    list_display = ["date", "topic", "unit", "host_body", "kind", "level", "status", "has_minutes"]
    list_filter = ["host_body", "kind", "level", "status"]
    list_select_related = ["unit"]
    search_fields = ["topic", "unit__name", "commune__name"]
    date_hierarchy = "date"
    autocomplete_fields = ["commune", "village", "chaired_by", "legal_basis"]
    readonly_fields = [
        "unit",
        "minutes_text",
        "minutes_filed_at",
        "version",
        "created_by",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (None, {"fields": ["unit", "level", "host_body", "chaired_by", "kind", "status", "topic", "date"]}),
        (_("Place and audience"), {"fields": ["commune", "village", "venue", "audience", "participant_count"]}),
        (_("Context"), {"fields": ["trigger_event", "legal_basis"]}),
        # Minutes are sanitized by the service; editing them here would bypass it.
        (_("Minutes"), {"fields": ["minutes_text", "minutes_filed_at"]}),
        (_("Record"), {"classes": ["collapse"], "fields": ["version", "created_by", "created_at", "updated_at"]}),
    ]
    inlines = [AttachmentInline]

    @admin.display(description=_("minutes"), boolean=True, ordering="minutes_filed_at")
    def has_minutes(self, obj: Dialogue) -> bool:
        return obj.has_minutes


# --- Petitions ----------------------------------------------------------------------------------


class EventInline(ReadOnlyInline):
    model = PetitionEvent
    fields = ["at", "action", "from_status", "to_status", "agency", "deadline", "actor", "comment"]
    verbose_name_plural = _("history of the workflow")


class ResponseInline(ReadOnlyInline):
    model = PetitionResponse
    fields = ["agency", "status", "answered_on", "text", "document", "author", "published_at", "reopen_reason"]


@admin.register(Petition)
class PetitionAdmin(ServiceWrittenAdmin):
    list_display = ["id", "received_on", "short_content", "unit", "field", "status", "assigned_agency", "deadline"]
    list_filter = ["status", "field", "source", "type", "legal_track"]
    list_select_related = ["unit", "assigned_agency"]
    search_fields = ["content", "petitioner", "unit__name"]
    date_hierarchy = "received_on"
    autocomplete_fields = ["village"]
    readonly_fields = [
        "unit",
        "source",
        "dialogue",
        "engagement_meeting",
        "received_on",
        "legal_track",
        "on_spot_answer",
        "status",
        "assigned_agency",
        "deadline",
        "directive",
        "answered_on",
        "closed_on",
        "version",
        "created_by",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (None, {"fields": ["unit", "source", "dialogue", "engagement_meeting", "received_on"]}),
        (_("What was raised"), {"fields": ["type", "field", "content", "petitioner", "village", "legal_track"]}),
        (
            # Changed only by the workflow (services.petition_transition), which records each step.
            _("Workflow"),
            {
                "fields": [
                    "status",
                    "on_spot_answer",
                    "assigned_agency",
                    "deadline",
                    "directive",
                    "answered_on",
                    "closed_on",
                ]
            },
        ),
        (_("Record"), {"classes": ["collapse"], "fields": ["version", "created_by", "created_at", "updated_at"]}),
    ]
    inlines = [ResponseInline, EventInline]

    @admin.display(description=_("content"))
    def short_content(self, obj: Petition) -> str:
        return obj.content[:80]


# --- Conclusion notices -------------------------------------------------------------------------


class DirectiveInline(ReadOnlyInline):
    model = Directive
    fields = ["agency", "content", "deadline"]


@admin.register(ConclusionNotice)
class ConclusionNoticeAdmin(ServiceWrittenAdmin):
    list_display = ["symbol", "notice_date", "dialogue", "issued_by"]
    list_select_related = ["document__issuer", "dialogue", "issued_by"]
    search_fields = ["summary", "dialogue__topic"]
    # The number comes from the document register (services.conclusion_notice_issue).
    readonly_fields = ["document", "dialogue", "issued_by", "created_at"]
    fields = ["document", "dialogue", "summary", "issued_by", "created_at"]
    inlines = [DirectiveInline]

    @admin.display(description=_("number and symbol"), ordering="document__number")
    def symbol(self, obj: ConclusionNotice) -> str:
        return obj.document.symbol

    @admin.display(description=_("date"), ordering="document__date")
    def notice_date(self, obj: ConclusionNotice):
        return obj.document.date


# --- Engagement meetings ------------------------------------------------------------------------


@admin.register(EngagementMeeting)
class EngagementMeetingAdmin(ServiceWrittenAdmin):
    list_display = ["date", "host", "unit", "religions", "attendees"]
    list_select_related = ["unit"]
    search_fields = ["host", "religions", "purposes", "unit__name"]
    date_hierarchy = "date"
    autocomplete_fields = ["village"]
    readonly_fields = ["unit", "version", "created_by", "created_at"]

    @admin.display(description=_("attendees"))
    def attendees(self, obj: EngagementMeeting) -> int:
        return obj.attendee_count


# --- Reported aggregates ------------------------------------------------------------------------


class PartInline(admin.TabularInline):
    model = ReportedAggregatePart
    extra = 0


@admin.register(ReportedAggregate)
class ReportedAggregateAdmin(RefusalAwareAdmin):
    """Totals typed as printed, with their source. The list shows whether the parts add up
    (the same rule as ``metrics.data_quality_issues``)."""

    list_display = ["metric", "unit", "host_body", "period_start", "period_end", "total", "parts_sum", "consistent"]
    list_filter = ["metric", "host_body"]
    list_select_related = ["unit"]
    search_fields = ["source", "note", "unit__name"]
    autocomplete_fields = ["unit"]
    readonly_fields = ["created_by", "created_at"]
    inlines = [PartInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(parts_count=Count("parts"), parts_total=Sum("parts__value"))

    @admin.display(description=_("sum of parts"))
    def parts_sum(self, obj: ReportedAggregate):
        return obj.parts_total if obj.parts_count else "—"

    @admin.display(description=_("parts add up"), boolean=True)
    def consistent(self, obj: ReportedAggregate) -> bool | None:
        return None if not obj.parts_count else obj.parts_total == obj.total

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


# --- Reminders ----------------------------------------------------------------------------------


@admin.register(SentReminder)
class SentReminderAdmin(admin.ModelAdmin):
    """Which reminders went out. Deleting a row lets that reminder be sent again."""

    list_display = ["rule", "petition", "dialogue", "deadline", "sent_at"]
    list_filter = ["rule"]
    date_hierarchy = "sent_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
