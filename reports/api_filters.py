"""Query-string filters of the reports API.

They narrow a queryset that is already scoped to the user (``Report.objects.visible_to``), so a
filter can never widen what a user sees: a unit outside the scope gives an empty list, the same
answer as an id that does not exist.
"""

from __future__ import annotations

from datetime import date

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from organization.api_filters import IdFilter, IsoDateFilter
from organization.models import Unit

from .models import BuildState, PeriodLock, Report, ReportStatus
from .periods import ReportKind


def in_subtree(queryset: QuerySet, field: str, unit_id: int) -> QuerySet:
    """Rows whose ``field`` is the unit ``unit_id`` or lies below it. The unit is looked up
    without scope on purpose: the rows are already scoped, so a hidden id and an unknown one both
    give an empty list."""
    unit = Unit.objects.filter(pk=unit_id).only("path").first()
    if unit is None:
        return queryset.none()
    return queryset.filter(**{f"{field}__path__startswith": unit.path})


class ReportFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=ReportKind.choices, help_text=_("month, quarter, …, custom."))
    status = django_filters.ChoiceFilter(choices=ReportStatus.choices, help_text=_("draft, submitted, issued."))
    build_state = django_filters.ChoiceFilter(
        choices=BuildState.choices, help_text=_("queued, running, ready, failed.")
    )
    unit = IdFilter(method="filter_unit", help_text=_("Reports on this unit id or any unit below it."))
    year = IdFilter(method="filter_year", help_text=_("Reports whose period overlaps this year, e.g. 2024."))

    class Meta:
        model = Report
        fields = ["kind", "status", "build_state", "unit", "year"]

    def filter_unit(self, queryset, name, value):
        return in_subtree(queryset, "unit", value)

    def filter_year(self, queryset, name, value):
        if not 1900 <= value <= 2999:
            return queryset.none()
        return queryset.filter(period_start__lte=date(value, 12, 31), period_end__gte=date(value, 1, 1))


class PeriodLockFilter(django_filters.FilterSet):
    unit = IdFilter(method="filter_unit", help_text=_("Locks of this unit id or any unit below it."))
    active = django_filters.BooleanFilter(
        method="filter_active", help_text=_("true: still locked; false: unlocked since.")
    )
    on = IsoDateFilter(method="filter_on", help_text=_("Locks covering this day (YYYY-MM-DD)."))

    class Meta:
        model = PeriodLock
        fields = ["unit", "active", "on"]

    def filter_unit(self, queryset, name, value):
        return in_subtree(queryset, "unit", value)

    def filter_active(self, queryset, name, value):
        return queryset.filter(unlocked_at__isnull=value)

    def filter_on(self, queryset, name, value):
        return queryset.filter(start__lte=value, end__gte=value)
