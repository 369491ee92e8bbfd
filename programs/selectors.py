"""Reads for programs, roads, donations and clearance: scoped lists with what pages show."""

from __future__ import annotations

from django.db.models import QuerySet

from organization.search import search_folded  # the same folded search for every app

from .models import LandDonation, Program, RoadProject, SiteClearanceProject

__all__ = ["clearance_for", "donations_for", "programs_for", "roads_for", "search_folded"]


def programs_for(user) -> QuerySet[Program]:
    return Program.objects.visible_to(user).select_related("unit", "village", "organizer", "basis_document")


def roads_for(user) -> QuerySet[RoadProject]:
    return RoadProject.objects.visible_to(user).select_related("unit", "village", "program")


def donations_for(user) -> QuerySet[LandDonation]:
    return LandDonation.objects.visible_to(user).select_related("unit", "village", "road", "program")


def clearance_for(user) -> QuerySet[SiteClearanceProject]:
    return SiteClearanceProject.objects.visible_to(user).select_related("unit", "task_force")
