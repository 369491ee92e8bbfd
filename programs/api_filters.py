"""Query-string filters of the programs API.

They narrow a queryset that is already scoped to the user (``visible_to``), so a filter can never
widen what a user sees: a unit, program or road outside the scope gives an empty list, the same
answer as an id that does not exist.
"""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from organization.api_filters import IdFilter, IsoDateFilter
from organization.models import Unit
from organization.search import filter_folded

from . import selectors
from .models import (
    ClearanceStatus,
    DonationPurpose,
    LandDonation,
    OrganizerLevel,
    Program,
    ProgramStatus,
    RoadProject,
    SiteClearanceProject,
    Surface,
)


def in_subtree(queryset: QuerySet, field: str, unit_id: int) -> QuerySet:
    """Rows whose ``field`` is the unit ``unit_id`` or lies below it.

    The unit is looked up without scope on purpose: the rows are already scoped, so an unknown id
    and a hidden one both give an empty list.
    """
    unit = Unit.objects.filter(pk=unit_id).only("path").first()
    if unit is None:
        return queryset.none()
    return queryset.filter(**{f"{field}__path__startswith": unit.path})


class _UnitSubtreeFilterSet(django_filters.FilterSet):
    unit = IdFilter(method="filter_unit", help_text=_("Records of this unit id or any unit below it."))

    def filter_unit(self, queryset, name, value):
        return in_subtree(queryset, "unit", value)

    def filter_q(self, queryset, name, value):
        return selectors.search_folded(queryset, value, "search_text")


class ProgramFilter(_UnitSubtreeFilterSet):
    organizer_level = django_filters.ChoiceFilter(
        choices=OrganizerLevel.choices, help_text=_("Organized at district or commune level.")
    )
    status = django_filters.ChoiceFilter(choices=ProgramStatus.choices, help_text=_("Planned, surveyed, held, …"))
    date_from = IsoDateFilter(field_name="date", lookup_expr="gte", help_text=_("On or after (YYYY-MM-DD)."))
    date_to = IsoDateFilter(field_name="date", lookup_expr="lte", help_text=_("On or before (YYYY-MM-DD)."))
    q = django_filters.CharFilter(
        method="filter_q", help_text=_("Words of the title, survey notes or results, with or without accents.")
    )

    class Meta:
        model = Program
        fields = ["unit", "organizer_level", "status", "date_from", "date_to", "q"]


class RoadProjectFilter(_UnitSubtreeFilterSet):
    program = IdFilter(field_name="program__id", help_text=_("Roads built in this program id."))
    year = django_filters.NumberFilter(field_name="year", help_text=_("Built in this year."))
    year_from = django_filters.NumberFilter(field_name="year", lookup_expr="gte", help_text=_("Built in or after."))
    year_to = django_filters.NumberFilter(field_name="year", lookup_expr="lte", help_text=_("Built in or before."))
    surface = django_filters.ChoiceFilter(choices=Surface.choices, help_text=_("Concrete, asphalt, …"))
    q = django_filters.CharFilter(method="filter_q", help_text=_("Words of the name, with or without accents."))

    class Meta:
        model = RoadProject
        fields = ["unit", "program", "year", "year_from", "year_to", "surface", "q"]


class LandDonationFilter(_UnitSubtreeFilterSet):
    road = IdFilter(field_name="road__id", help_text=_("Donations for this road id."))
    program = IdFilter(
        method="filter_program", help_text=_("Donations tied to this program id, directly or through its roads.")
    )
    purpose = django_filters.ChoiceFilter(choices=DonationPurpose.choices, help_text=_("Road, common area, …"))
    date_from = IsoDateFilter(field_name="donated_on", lookup_expr="gte", help_text=_("On or after (YYYY-MM-DD)."))
    date_to = IsoDateFilter(field_name="donated_on", lookup_expr="lte", help_text=_("On or before (YYYY-MM-DD)."))
    q = django_filters.CharFilter(
        method="filter_q", help_text=_("Words of the donor's name or other assets, with or without accents.")
    )

    class Meta:
        model = LandDonation
        fields = ["unit", "road", "program", "purpose", "date_from", "date_to", "q"]

    def filter_program(self, queryset, name, value):
        return queryset.filter(Q(program_id=value) | Q(road__program_id=value))


class SiteClearanceProjectFilter(_UnitSubtreeFilterSet):
    status = django_filters.ChoiceFilter(choices=ClearanceStatus.choices, help_text=_("Inventory, plan, …"))
    is_key_project = django_filters.BooleanFilter(help_text=_("true: key projects only; false: the others."))
    q = django_filters.CharFilter(
        method="filter_q", help_text=_("Words of the name or resettlement site, with or without accents.")
    )

    class Meta:
        model = SiteClearanceProject
        fields = ["unit", "status", "is_key_project", "q"]

    def filter_q(self, queryset, name, value):
        # Clearance projects carry no folded search column; a district has a handful of them.
        return filter_folded(queryset, value, ("name", "resettlement_site"))
