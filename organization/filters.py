"""Filters of the unit, document and person list pages.

Every FilterSet receives a queryset that is already scoped to the user (``access``); choices of
related-object filters are scoped too, so a select never lists a unit the user may not see.
Search fields (``q``) are declared last: they run in Python over the rows left by the others.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from . import access, search
from .models import Document, DocumentKind, Person, PersonKind, Term, Unit, UnitKind

#: Day first as offices write it, ISO for links built by other pages.
DATE_INPUTS = ["%d/%m/%Y", "%Y-%m-%d"]


def _user(request):
    return getattr(request, "user", None)


def _parent_choices(request):
    units = access.visible_units(_user(request))
    return units.filter(Exists(Unit.objects.filter(parent=OuterRef("pk")))).order_by("path")


def _issuer_choices(request):
    return access.visible_units(_user(request)).exclude(doc_symbol="").order_by("path")


def _unit_choices(request):
    return access.visible_units(_user(request)).order_by("path")


class SearchInput(forms.TextInput):
    input_type = "search"


class TermChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Term) -> str:
        return f"{obj.unit} — {obj}"


class TermChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = TermChoiceField


class UnitFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=UnitKind.choices, empty_label=_("All kinds"))
    valid_on = django_filters.DateFilter(
        label=_("Valid on"),
        method="filter_valid_on",
        input_formats=DATE_INPUTS,
        widget=forms.DateInput(attrs={"placeholder": _("dd/mm/yyyy")}),
    )
    parent = django_filters.ModelChoiceFilter(
        label=_("Directly under"), queryset=_parent_choices, empty_label=_("Any unit")
    )
    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_search",
        widget=SearchInput(attrs={"placeholder": _("Name or code, with or without accents")}),
    )

    class Meta:
        model = Unit
        fields: list[str] = []

    def filter_valid_on(self, queryset, name, value):
        return queryset.valid_on(value)

    def filter_search(self, queryset, name, value):
        # Units visible to one user number a few thousand at most (a district with its villages),
        # so folding their names in Python is cheap; no search-key column is needed yet.
        return search.filter_folded(queryset, value, ("name", "code"))


class DocumentFilter(django_filters.FilterSet):
    issuer = django_filters.ModelChoiceFilter(label=_("Issuer"), queryset=_issuer_choices, empty_label=_("All issuers"))
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=DocumentKind.choices, empty_label=_("All kinds"))
    term = TermChoiceFilter(label=_("Term"), queryset=Term.objects.none(), empty_label=_("All terms"))
    year = django_filters.NumberFilter(
        label=_("Year"), field_name="date", lookup_expr="year", widget=forms.NumberInput(attrs={"min": 1930})
    )
    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_search",
        widget=SearchInput(attrs={"placeholder": _("Words of the subject")}),
    )

    class Meta:
        model = Document
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Terms of the documents the user can see: a board numbers within its committee's term,
        # and the committee itself may be outside the user's scope.
        self.filters["term"].queryset = Term.objects.filter(
            pk__in=self.queryset.order_by().values("term")
        ).select_related("unit")

    def filter_search(self, queryset, name, value):
        # Documents per district are few (hundreds a year); a folded search-key column comes with
        # the dialogues work, when the same search spans minutes and petitions too.
        return search.filter_folded(queryset, value, ("subject",))


class PersonFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=PersonKind.choices, empty_label=_("All kinds"))
    unit = django_filters.ModelChoiceFilter(label=_("Unit"), queryset=_unit_choices, empty_label=_("All units"))
    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_search",
        widget=SearchInput(attrs={"placeholder": _("Name, with or without accents")}),
    )

    class Meta:
        model = Person
        fields: list[str] = []

    def filter_search(self, queryset, name, value):
        # People are recorded per commune (officials, elders, prestigious persons): a few hundred
        # per district, so folding in Python is cheap until a search-key column exists.
        return search.filter_folded(queryset, value, ("full_name", "position"))
