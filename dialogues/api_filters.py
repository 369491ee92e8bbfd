"""Query-string filters of the dialogues API.

They narrow a queryset that is already scoped to the user (``visible_to``), so a filter can never
widen what a user sees: a unit or agency outside the scope simply gives an empty list, with the
same answer as an id that does not exist.
"""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from organization.api_filters import IdFilter, IsoDateFilter
from organization.models import Unit
from organization.search import filter_folded

from . import selectors
from .models import (
    ConclusionNotice,
    Dialogue,
    DialogueKind,
    DialogueLevel,
    DialogueStatus,
    EngagementMeeting,
    HostBody,
    Petition,
    PetitionField,
    PetitionSource,
    PetitionType,
    ReportedAggregate,
    ReportedMetric,
    today,
)
from .workflow import OPEN_WITH_AGENCY, PetitionStatus


def _in_subtree(queryset: QuerySet, field: str, unit_id: int) -> QuerySet:
    """Rows whose ``field`` is the unit ``unit_id`` or lies below it.

    The unit is looked up without scope on purpose: the result is still the intersection with the
    user's scoped rows, so an unknown id and a hidden one both give an empty list. Looking it up
    among the user's units would hide a commune's dialogue from the agency officer who can see it
    through an assigned petition.
    """
    unit = Unit.objects.filter(pk=unit_id).only("path").first()
    if unit is None:
        return queryset.none()
    return queryset.filter(**{f"{field}__path__startswith": unit.path})


class DialogueFilter(django_filters.FilterSet):
    unit = IdFilter(method="filter_unit", help_text=_("Dialogues of this unit id or any unit below it."))
    date_from = IsoDateFilter(field_name="date", lookup_expr="gte", help_text=_("Held on or after (YYYY-MM-DD)."))
    date_to = IsoDateFilter(field_name="date", lookup_expr="lte", help_text=_("Held on or before (YYYY-MM-DD)."))
    host_body = django_filters.ChoiceFilter(choices=HostBody.choices, help_text=_("Who held the dialogue."))
    kind = django_filters.ChoiceFilter(choices=DialogueKind.choices, help_text=_("Periodic or ad hoc."))
    level = django_filters.ChoiceFilter(choices=DialogueLevel.choices, help_text=_("Province, district or commune."))
    status = django_filters.ChoiceFilter(choices=DialogueStatus.choices, help_text=_("Planned or held."))
    has_minutes = django_filters.BooleanFilter(
        method="filter_has_minutes", help_text=_("true: minutes (text or scan) filed; false: not yet.")
    )
    q = django_filters.CharFilter(
        method="filter_q",
        help_text=_("Words of the topic, minutes, venue or trigger event, with or without accents."),
    )

    class Meta:
        model = Dialogue
        fields = ["unit", "date_from", "date_to", "host_body", "kind", "level", "status", "has_minutes", "q"]

    def filter_unit(self, queryset, name, value):
        return _in_subtree(queryset, "unit", value)

    def filter_has_minutes(self, queryset, name, value):
        return queryset.filter(minutes_filed_at__isnull=not value)

    def filter_q(self, queryset, name, value):
        return selectors.search_folded(queryset, value, "search_text")


class PetitionFilter(django_filters.FilterSet):
    unit = IdFilter(method="filter_unit", help_text=_("Petitions of this unit id or any unit below it."))
    date_from = IsoDateFilter(
        field_name="received_on", lookup_expr="gte", help_text=_("Received on or after (YYYY-MM-DD).")
    )
    date_to = IsoDateFilter(
        field_name="received_on", lookup_expr="lte", help_text=_("Received on or before (YYYY-MM-DD).")
    )
    source = django_filters.ChoiceFilter(choices=PetitionSource.choices, help_text=_("Where it was raised."))
    type = django_filters.ChoiceFilter(choices=PetitionType.choices, help_text=_("Opinion, request, …"))
    field = django_filters.ChoiceFilter(choices=PetitionField.choices, help_text=_("Field (lĩnh vực)."))
    status = django_filters.ChoiceFilter(choices=PetitionStatus.choices, help_text=_("Workflow status."))
    agency = IdFilter(field_name="assigned_agency__id", help_text=_("Assigned to this agency (unit id)."))
    dialogue = IdFilter(field_name="dialogue__id", help_text=_("Raised at this dialogue id."))
    overdue = django_filters.BooleanFilter(
        method="filter_overdue",
        help_text=_("true: still owed by an agency after its deadline (as of today); false: the others."),
    )
    q = django_filters.CharFilter(
        method="filter_q", help_text=_("Words of the content, petitioner or answer, with or without accents.")
    )

    class Meta:
        model = Petition
        fields = [
            "unit",
            "date_from",
            "date_to",
            "source",
            "type",
            "field",
            "status",
            "agency",
            "dialogue",
            "overdue",
            "q",
        ]

    def filter_unit(self, queryset, name, value):
        return _in_subtree(queryset, "unit", value)

    def filter_overdue(self, queryset, name, value):
        if value:
            return queryset.overdue()
        return queryset.exclude(status__in=OPEN_WITH_AGENCY, deadline__lt=today())

    def filter_q(self, queryset, name, value):
        return selectors.search_folded(queryset, value, "search_text")


class ConclusionNoticeFilter(django_filters.FilterSet):
    dialogue = IdFilter(field_name="dialogue__id", help_text=_("Notices of this dialogue id."))
    unit = IdFilter(method="filter_unit", help_text=_("Notices of dialogues of this unit id or below it."))
    date_from = IsoDateFilter(
        field_name="document__date", lookup_expr="gte", help_text=_("Dated on or after (YYYY-MM-DD).")
    )
    date_to = IsoDateFilter(
        field_name="document__date", lookup_expr="lte", help_text=_("Dated on or before (YYYY-MM-DD).")
    )

    class Meta:
        model = ConclusionNotice
        fields = ["dialogue", "unit", "date_from", "date_to"]

    def filter_unit(self, queryset, name, value):
        return _in_subtree(queryset, "dialogue__unit", value)


class EngagementMeetingFilter(django_filters.FilterSet):
    unit = IdFilter(method="filter_unit", help_text=_("Meetings of this unit id or any unit below it."))
    date_from = IsoDateFilter(field_name="date", lookup_expr="gte", help_text=_("Held on or after (YYYY-MM-DD)."))
    date_to = IsoDateFilter(field_name="date", lookup_expr="lte", help_text=_("Held on or before (YYYY-MM-DD)."))
    q = django_filters.CharFilter(
        method="filter_q", help_text=_("Words of the host, religions or purposes, with or without accents.")
    )

    class Meta:
        model = EngagementMeeting
        fields = ["unit", "date_from", "date_to", "q"]

    def filter_unit(self, queryset, name, value):
        return _in_subtree(queryset, "unit", value)

    def filter_q(self, queryset, name, value):
        # Meetings carry no folded search column; they are few per unit, so match in Python.
        return filter_folded(queryset, value, ("host", "religions", "purposes"))


class ReportedAggregateFilter(django_filters.FilterSet):
    unit = IdFilter(method="filter_unit", help_text=_("Figures of this unit id or any unit below it."))
    metric = django_filters.ChoiceFilter(choices=ReportedMetric.choices, help_text=_("Which figure."))
    host_body = django_filters.ChoiceFilter(choices=HostBody.choices, help_text=_("Who held the dialogues counted."))
    date_from = IsoDateFilter(
        field_name="period_end", lookup_expr="gte", help_text=_("Periods ending on or after (YYYY-MM-DD).")
    )
    date_to = IsoDateFilter(
        field_name="period_start", lookup_expr="lte", help_text=_("Periods starting on or before (YYYY-MM-DD).")
    )

    class Meta:
        model = ReportedAggregate
        fields = ["unit", "metric", "host_body", "date_from", "date_to"]

    def filter_unit(self, queryset, name, value):
        return _in_subtree(queryset, "unit", value)
