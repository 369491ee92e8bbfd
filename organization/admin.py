"""Administration of organization data, for portal administrators (``is_staff`` users).

Documents are not added here: numbers are allotted by ``services.document_issue``, which the
portal's "Register a document" page calls. The admin shows the register and lets an
administrator correct the subject or signer; what fixes a number (issuer, kind, term, date)
stays read-only, and nothing is deleted, because a number once given is never reused.
"""

from __future__ import annotations

import os

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import Document, DocumentCounter, Membership, Person, Term, Unit, UnitSuccession, User


class SuccessionInline(admin.TabularInline):
    model = UnitSuccession
    fk_name = "predecessor"
    extra = 0
    autocomplete_fields = ["successor"]
    verbose_name = _("successor")
    verbose_name_plural = _("continued by (successors)")


@admin.register(Unit)
class UnitAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "code", "doc_symbol", "valid_from", "valid_to", "parent"]
    list_filter = ["kind"]
    search_fields = ["name", "code", "key", "doc_symbol"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["path", "depth"]
    inlines = [SuccessionInline]
    fieldsets = [
        (None, {"fields": ["name", "kind", "parent", "key"]}),
        (_("Codes"), {"fields": ["code", "doc_symbol"]}),
        (_("Validity"), {"fields": ["valid_from", "valid_to"]}),
        (_("Tree (computed)"), {"classes": ["collapse"], "fields": ["path", "depth"]}),
    ]


@admin.register(UnitSuccession)
class UnitSuccessionAdmin(SimpleHistoryAdmin):
    list_display = ["predecessor", "successor", "effective_date", "note"]
    list_select_related = ["predecessor", "successor"]
    search_fields = ["predecessor__name", "successor__name"]
    autocomplete_fields = ["predecessor", "successor"]
    date_hierarchy = "effective_date"


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "user"
    extra = 0
    autocomplete_fields = ["unit", "body"]
    fields = ["unit", "role", "body", "title", "is_active"]


@admin.register(User)
class UserAdmin(SimpleHistoryAdmin, BaseUserAdmin):
    list_display = ["username", "full_name", "email", "phone", "is_active", "is_staff"]
    search_fields = ["username", "full_name", "email", "phone"]
    ordering = ["username"]
    inlines = [MembershipInline]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Personal info"), {"fields": ["full_name", "email", "phone"]}),
        (
            _("Permissions"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["username", "full_name", "email", "phone", "usable_password", "password1", "password2"],
            },
        ),
    ]


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ["user", "role", "unit", "body", "title", "is_active"]
    list_filter = ["role", "is_active"]
    list_select_related = ["user", "unit", "body"]
    search_fields = ["user__username", "user__full_name", "unit__name", "title"]
    autocomplete_fields = ["user", "unit", "body"]


@admin.register(Person)
class PersonAdmin(SimpleHistoryAdmin):
    list_display = ["full_name", "position", "kind", "unit", "is_active"]
    list_filter = ["kind", "is_active"]
    list_select_related = ["unit"]
    search_fields = ["full_name", "position", "unit__name"]
    autocomplete_fields = ["unit"]


@admin.register(Term)
class TermAdmin(SimpleHistoryAdmin):
    list_display = ["name", "unit", "start_date", "end_date"]
    list_select_related = ["unit"]
    search_fields = ["name", "unit__name"]
    autocomplete_fields = ["unit"]


@admin.register(Document)
class DocumentAdmin(SimpleHistoryAdmin):
    list_display = ["symbol_display", "date", "subject", "issuer", "signer"]
    list_filter = ["kind", "term"]
    list_select_related = ["issuer", "signer"]
    search_fields = ["subject", "issuer__name"]
    date_hierarchy = "date"
    autocomplete_fields = ["signer"]
    readonly_fields = [
        "symbol_display",
        "issuer",
        "kind",
        "number",
        "term",
        "date",
        "file_link",
        "created_by",
        "created_at",
    ]
    fields = [
        "symbol_display",
        "issuer",
        "kind",
        "number",
        "term",
        "date",
        "subject",
        "signer",
        "file_link",
        "created_by",
        "created_at",
    ]

    @admin.display(description=_("number and symbol"), ordering="number")
    def symbol_display(self, obj: Document) -> str:
        return obj.symbol

    @admin.display(description=_("file"))
    def file_link(self, obj: Document) -> str:
        # Uploads are never served from MEDIA_URL; the portal view checks scope before streaming.
        if not obj.file:
            return "—"
        return format_html(
            '<a href="{}">{}</a>', reverse("document_file", args=[obj.pk]), os.path.basename(obj.file.name)
        )

    def has_add_permission(self, request) -> bool:
        # Documents get their number from services.document_issue, on the portal's register page.
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(DocumentCounter)
class DocumentCounterAdmin(admin.ModelAdmin):
    list_display = ["issuer", "kind", "term", "last_number"]
    list_select_related = ["issuer", "term"]
    list_filter = ["kind"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
