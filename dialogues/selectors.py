"""Reads spanning dialogues and petitions: scoped lists, search, the agency inbox."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from organization.search import terms

from .models import Dialogue, Petition


def search_folded(queryset: QuerySet, query: str | None, *columns: str) -> QuerySet:
    """Every word of ``query`` (folded: "nam meng" ≈ "Nặm Mèng", "d" ≈ "đ") in one of ``columns``,
    which hold text folded the same way when the row was saved (``search_text``)."""
    for word in terms(query):
        condition = Q()
        for column in columns:
            condition |= Q(**{f"{column}__contains": word})
        queryset = queryset.filter(condition)
    return queryset


def dialogues_for(user) -> QuerySet[Dialogue]:
    return Dialogue.objects.visible_to(user).select_related("unit", "commune", "village", "chaired_by")


def petitions_for(user) -> QuerySet[Petition]:
    return Petition.objects.visible_to(user).select_related("unit", "village", "dialogue", "assigned_agency")


def agency_inbox(user) -> QuerySet[Petition]:
    """Petitions assigned to the user's agencies that still owe an answer, nearest deadline first."""
    return (
        Petition.objects.assigned_to_agencies_of(user)
        .open_with_agency()
        .select_related("unit", "village", "dialogue", "assigned_agency")
        .order_by("deadline", "id")
    )
