"""Query-string filters of the organization API.

They narrow a queryset that is already scoped to the user: filtering by a parent outside the
user's units gives an empty list, never an error that would confirm the parent exists.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from .models import Document, DocumentKind, Person, PersonKind, Term, Unit, UnitKind, UnitSuccession
from .search import filter_folded


def _search(queryset: QuerySet, fields: tuple[str, ...], value: str) -> QuerySet:
    # Same matching as the list pages: every word, ignoring case and diacritics ("nghia do").
    return filter_folded(queryset, value, fields)


class IdFilter(django_filters.NumberFilter):
    """A primary key: whole numbers only (``NumberFilter`` alone would accept 1.5)."""

    field_class = forms.IntegerField


class IsoDateFilter(django_filters.DateFilter):
    """YYYY-MM-DD only. Django's localized input formats would read 06/07/2025 as 6 July in
    Vietnamese and 7 June in English; an API must not change meaning with the language."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("input_formats", ["%Y-%m-%d"])
        super().__init__(*args, **kwargs)


class UnitFilter(django_filters.FilterSet):
    parent = IdFilter(field_name="parent__id", help_text=_("Direct children of this unit id."))
    kind = django_filters.ChoiceFilter(choices=UnitKind.choices)
    valid_on = IsoDateFilter(
        method="filter_valid_on", help_text=_("Only units that existed on this date (YYYY-MM-DD).")
    )
    search = django_filters.CharFilter(
        method="filter_search", help_text=_("Words of the name, key or code, with or without accents.")
    )

    class Meta:
        model = Unit
        fields = ["parent", "kind", "valid_on", "search"]

    def filter_valid_on(self, queryset, name, value):
        return queryset.valid_on(value)

    def filter_search(self, queryset, name, value):
        return _search(queryset, ("name", "key", "code"), value)


class PersonFilter(django_filters.FilterSet):
    unit = IdFilter(field_name="unit__id", help_text=_("People of this unit id."))
    kind = django_filters.ChoiceFilter(choices=PersonKind.choices)
    is_active = django_filters.BooleanFilter()
    search = django_filters.CharFilter(
        method="filter_search", help_text=_("Words of the name or position, with or without accents.")
    )

    class Meta:
        model = Person
        fields = ["unit", "kind", "is_active", "search"]

    def filter_search(self, queryset, name, value):
        return _search(queryset, ("full_name", "position"), value)


class DocumentFilter(django_filters.FilterSet):
    issuer = IdFilter(field_name="issuer__id", help_text=_("Documents of this issuer id."))
    kind = django_filters.ChoiceFilter(choices=DocumentKind.choices)
    date_from = IsoDateFilter(field_name="date", lookup_expr="gte")
    date_to = IsoDateFilter(field_name="date", lookup_expr="lte")
    search = django_filters.CharFilter(
        method="filter_search", help_text=_("Words of the subject, with or without accents.")
    )

    class Meta:
        model = Document
        fields = ["issuer", "kind", "date_from", "date_to", "search"]

    def filter_search(self, queryset, name, value):
        return _search(queryset, ("subject",), value)


class TermFilter(django_filters.FilterSet):
    unit = IdFilter(field_name="unit__id", help_text=_("Terms of this committee's unit id."))
    on = IsoDateFilter(method="filter_on", help_text=_("Only the term covering this date (YYYY-MM-DD)."))

    class Meta:
        model = Term
        fields = ["unit", "on"]

    def filter_on(self, queryset, name, value):
        return queryset.filter(start_date__lte=value, end_date__gte=value)


class UnitSuccessionFilter(django_filters.FilterSet):
    unit = IdFilter(
        method="filter_unit", help_text=_("Successions where this unit id is the predecessor or the successor.")
    )
    effective_from = IsoDateFilter(
        field_name="effective_date", lookup_expr="gte", help_text=_("Effective on or after (YYYY-MM-DD).")
    )
    effective_to = IsoDateFilter(
        field_name="effective_date", lookup_expr="lte", help_text=_("Effective on or before (YYYY-MM-DD).")
    )

    class Meta:
        model = UnitSuccession
        fields = ["unit", "effective_from", "effective_to"]

    def filter_unit(self, queryset, name, value):
        return queryset.filter(Q(predecessor_id=value) | Q(successor_id=value))
