"""Reads spanning dialogues and petitions: scoped lists, search, the agency inbox."""

from __future__ import annotations

from django.db.models import QuerySet

from organization.search import search_folded

from .models import Dialogue, Petition

__all__ = ["agency_inbox", "dialogues_for", "petitions_for", "search_folded"]


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
