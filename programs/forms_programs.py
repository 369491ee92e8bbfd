"""Forms and list filters of the program pages (work items, contributions, participation).

Forms validate and normalize only; ``programs.services`` writes. Numbers are typed the
Vietnamese way ("1.234.567" đồng, "283,75" kg) through ``organization.numbers``. Every choice of
a unit or document is scoped to the user, with one deliberate exception: the host commune
accepts any commune so that the service, which is the authority, refuses another commune with
its own message ("You cannot record data for …") instead of a bare "select a valid choice".
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from organization import access
from organization.models import COMMUNE_KINDS, Document, DocumentKind, Unit, UnitKind
from organization.numbers import VietnameseDecimalField, VietnameseIntegerField
from organization.search import search_folded

from .models import (
    PROGRAM_TRANSITIONS,
    ContributionKind,
    ContributorType,
    OrganizerLevel,
    ParticipantCategory,
    Program,
    ProgramField,
    ProgramStatus,
    Qualifier,
    WorkCategory,
)

#: Day first as offices write it; ISO accepted for browsers' date pickers and links.
DATE_INPUTS = ["%d/%m/%Y", "%Y-%m-%d"]
VILLAGE_KINDS = (UnitKind.VILLAGE, UnitKind.RESIDENTIAL_CLUSTER)
#: Kinds of the document register a program can be based on: Đề án, Nghị quyết, Chương trình, Kế hoạch.
BASIS_KINDS = (DocumentKind.DA, DocumentKind.NQ, DocumentKind.CTR, DocumentKind.KH)
#: Units a list can be narrowed to: a commune (or township, ward) or a whole district.
FILTER_UNIT_KINDS = (*COMMUNE_KINDS, UnitKind.DISTRICT)
EMPTY_CHOICE = [("", "—")]


# --- Choices -------------------------------------------------------------------------------------


def host_communes(user) -> QuerySet[Unit]:
    """Communes and townships where the user may record programs."""
    return access.editable_units(user).filter(kind__in=COMMUNE_KINDS).order_by("path")


def village_choices(user) -> QuerySet[Unit]:
    return access.editable_units(user).filter(kind__in=VILLAGE_KINDS).order_by("path")


def organizer_choices(user) -> QuerySet[Unit]:
    return access.visible_units(user).order_by("path")


def basis_documents(user) -> QuerySet[Document]:
    documents = Document.objects.filter(kind__in=BASIS_KINDS).select_related("issuer").order_by("-date", "-number")
    return access.scope(documents, user, "issuer")


def default_organizer(membership) -> Unit | None:
    """The body the user acts for (Ban Dân vận Huyện ủy), else the unit of their membership."""
    if membership is None:
        return None
    return membership.body or membership.unit


def date_field(label, **kwargs) -> forms.DateField:
    kwargs.setdefault("help_text", _("Day/month/year, e.g. 05/02/2024."))
    return forms.DateField(
        label=label,
        input_formats=DATE_INPUTS,
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": _("dd/mm/yyyy"), "autocomplete": "off"}),
        **kwargs,
    )


class UnitPathSelect(forms.Select):
    """Options carry their unit's tree path so ``programs.js`` can list only the villages of the
    chosen commune (``data-within="<id of the commune select>"``)."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-path"] = instance.path
        return option


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        return obj.name


class HostCommuneField(UnitChoiceField):
    """Lists the communes the user may record for, but accepts any commune: the service decides,
    and names the commune it refuses (a pk outside every commune is still "not a valid choice")."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return Unit.objects.get(pk=value, kind__in=COMMUNE_KINDS)
        except (ValueError, TypeError, Unit.DoesNotExist):
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice") from None


class DocumentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Document) -> str:
        return f"{obj.symbol} — {obj.subject}"


def _bootstrap(form: forms.Form, small: bool = False) -> None:
    """Bootstrap classes for the fields of a form rendered by hand (the inline rows)."""
    for bound in form:
        widget = bound.field.widget
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select form-select-sm" if small else "form-select"
        else:
            css = "form-control form-control-sm" if small else "form-control"
        widget.attrs["class"] = css


# --- The program -------------------------------------------------------------------------------


class ProgramForm(forms.Form):
    """The program's own fields. ``program`` (editing) drops the host commune, which cannot
    change, limits the status to the current one and its allowed next steps, and adds the version."""

    unit = HostCommuneField(
        label=_("Host commune"),
        queryset=Unit.objects.none(),
        widget=UnitPathSelect,
        help_text=_("The commune (or township) where the program takes place."),
    )
    village = UnitChoiceField(
        label=_("Village"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("— the whole commune —"),
        widget=UnitPathSelect(attrs={"data-within": "id_unit"}),
    )
    organizer_level = forms.ChoiceField(
        label=_("Organized at"), choices=OrganizerLevel.choices, initial=OrganizerLevel.COMMUNE
    )
    organizer = UnitChoiceField(
        label=_("Organizer"),
        queryset=Unit.objects.none(),
        help_text=_("The body that organized the program, e.g. the district's Mass Mobilization Board."),
    )
    title = forms.CharField(label=_("Title"), max_length=300)
    date = date_field(_("Date"))
    fields = forms.MultipleChoiceField(
        label=_("Fields"), choices=ProgramField.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    basis_document = DocumentChoiceField(
        label=_("Basis document"),
        queryset=Document.objects.none(),
        required=False,
        empty_label=_("— none —"),
        help_text=_("The scheme, resolution, programme or plan the program carries out."),
    )
    survey_notes = forms.CharField(label=_("Survey notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    status = forms.ChoiceField(
        label=_("Status"),
        choices=ProgramStatus.choices,
        initial=ProgramStatus.PLANNED,
        help_text=_("A program that has been held cannot be dated in the future."),
    )
    summary = forms.CharField(label=_("Results"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user, program: Program | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = host_communes(user)
        self.fields["village"].queryset = village_choices(user)
        self.fields["organizer"].queryset = organizer_choices(user)
        self.fields["basis_document"].queryset = basis_documents(user)
        if program is not None:
            del self.fields["unit"]
            # The program keeps what it has even when it lies outside the user's units (a
            # district program held in their commune): keeping an organizer is not choosing one.
            self.fields["organizer"].queryset = (
                organizer_choices(user) | Unit.objects.filter(pk=program.organizer_id)
            ).order_by("path")
            if program.basis_document_id:
                self.fields["basis_document"].queryset = (
                    basis_documents(user) | Document.objects.filter(pk=program.basis_document_id)
                ).order_by("-date", "-number")
            # The village select no longer has a commune select to follow.
            self.fields["village"].queryset = village_choices(user).filter(path__startswith=program.unit.path)
            self.fields["village"].widget.attrs.pop("data-within", None)
            allowed = {program.status, *PROGRAM_TRANSITIONS[ProgramStatus(program.status)]}
            self.fields["status"].choices = [
                (value, label) for value, label in ProgramStatus.choices if value in allowed
            ]
        else:
            del self.fields["version"]

    def clean_title(self) -> str:
        return " ".join(self.cleaned_data["title"].split())

    def values(self) -> dict[str, Any]:
        """The values ``ProgramInput`` takes (``services.PROGRAM_FIELDS``)."""
        data = self.cleaned_data
        names = ("unit", "village", "organizer_level", "organizer", "title", "date", "basis_document", "status")
        values = {name: data[name] for name in names if name in data}
        values.update(
            fields=list(data["fields"]),
            survey_notes=data["survey_notes"].strip(),
            summary=data["summary"].strip(),
        )
        return values


# --- Inline rows ---------------------------------------------------------------------------------


def decimal_input(example: str) -> forms.TextInput:
    return forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "placeholder": example})


def integer_input(example: str) -> forms.TextInput:
    return forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "placeholder": example})


class RowForm(forms.Form):
    """One inline row. Selects start empty so a row left untouched posts as blank and is skipped."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _bootstrap(self, small=True)


class WorkItemForm(RowForm):
    category = forms.ChoiceField(label=_("Category"), choices=EMPTY_CHOICE + WorkCategory.choices)
    description = forms.CharField(label=_("Description"), max_length=300)
    quantity = VietnameseDecimalField(label=_("Quantity"), required=False, widget=decimal_input("283,75"))
    unit_of_measure = forms.CharField(label=_("Unit of measure"), max_length=30, required=False)
    location = forms.CharField(label=_("Location"), max_length=200, required=False)
    done = forms.BooleanField(label=_("Done"), required=False)

    def to_row(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "category": data["category"],
            "description": data["description"].strip(),
            "quantity": data["quantity"] if data["quantity"] is not None else Decimal(0),
            "unit_of_measure": data["unit_of_measure"].strip(),
            "location": data["location"].strip(),
            "done": data["done"],
        }


class ContributionForm(RowForm):
    contributor_type = forms.ChoiceField(label=_("Contributed by"), choices=EMPTY_CHOICE + ContributorType.choices)
    kind = forms.ChoiceField(label=_("Kind"), choices=EMPTY_CHOICE + ContributionKind.choices)
    quantity = VietnameseDecimalField(label=_("Quantity"), required=False, widget=decimal_input("1.200,5"))
    unit_of_measure = forms.CharField(label=_("Unit of measure"), max_length=30, required=False)
    value_vnd = VietnameseIntegerField(label=_("Value (đồng)"), required=False, widget=integer_input("1.234.567"))
    qualifier = forms.ChoiceField(label=_("Qualifier"), choices=Qualifier.choices, initial=Qualifier.EXACT)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def clean(self):
        data = super().clean()
        if not self.errors and not data.get("quantity") and not data.get("value_vnd"):
            raise forms.ValidationError(_("Enter the quantity given or its value in đồng."))
        return data

    def to_row(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "contributor_type": data["contributor_type"],
            "kind": data["kind"],
            "quantity": data["quantity"] if data["quantity"] is not None else Decimal(0),
            "unit_of_measure": data["unit_of_measure"].strip(),
            "value_vnd": data["value_vnd"] or 0,
            "qualifier": data["qualifier"],
            "note": data["note"].strip(),
        }


class ParticipationForm(RowForm):
    category = forms.ChoiceField(label=_("Category"), choices=EMPTY_CHOICE + ParticipantCategory.choices)
    person_times = VietnameseIntegerField(label=_("Person-times"), widget=integer_input("20.000"))
    qualifier = forms.ChoiceField(label=_("Qualifier"), choices=Qualifier.choices, initial=Qualifier.EXACT)

    def to_row(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"category": data["category"], "person_times": data["person_times"], "qualifier": data["qualifier"]}


class RowFormSet(forms.BaseFormSet):
    """Inline rows: blank extra rows are skipped (three are offered without JavaScript), rows
    ticked "remove" are dropped, and ``rows()`` gives what the service takes, in order, so the
    service's ``<prefix>-<i>`` errors can be put back on the row they came from."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Remove")
            form.fields["DELETE"].widget.attrs["class"] = "form-check-input"

    def filled_forms(self) -> list[forms.Form]:
        return [
            form
            for index, form in enumerate(self.forms)
            if not self._should_delete_form(form) and (index < self.initial_form_count() or form.has_changed())
        ]

    def rows(self) -> list[dict[str, Any]]:
        return [form.to_row() for form in self.filled_forms()]

    def keyed_forms(self) -> dict[str, forms.Form]:
        return {f"{self.prefix}-{index}": form for index, form in enumerate(self.filled_forms())}


class ParticipationFormSet(RowFormSet):
    def clean(self):
        super().clean()
        seen: set[str] = set()
        for form in self.filled_forms():
            category = getattr(form, "cleaned_data", {}).get("category")
            if not category:
                continue
            if category in seen:
                form.add_error("category", _("Each category is counted once; add the person-times to its row."))
            seen.add(category)


def _factory(form_class, formset_class=RowFormSet):
    return forms.formset_factory(
        form_class, formset=formset_class, extra=3, can_delete=True, max_num=200, absolute_max=200, validate_max=True
    )


WorkItemFormSet = _factory(WorkItemForm)
ContributionFormSet = _factory(ContributionForm)
ParticipationFormSet = _factory(ParticipationForm, ParticipationFormSet)

#: (prefix, formset class) of the three inline tables, in page order.
INLINE_FORMSETS = (
    ("work_items", WorkItemFormSet),
    ("contributions", ContributionFormSet),
    ("participation", ParticipationFormSet),
)


def program_rows(program: Program) -> dict[str, list[dict[str, Any]]]:
    """The program's rows as the service takes them (``ProgramInput``), in the order entered."""
    return {
        "work_items": list(
            program.work_items.order_by("id").values(
                "category", "description", "quantity", "unit_of_measure", "location", "done"
            )
        ),
        "contributions": list(
            program.contributions.order_by("id").values(
                "contributor_type", "kind", "quantity", "unit_of_measure", "value_vnd", "qualifier", "note"
            )
        ),
        "participation": list(program.participation.order_by("id").values("category", "person_times", "qualifier")),
    }


def _as_typed(row: dict[str, Any]) -> dict[str, Any]:
    """A row as an officer would type it: no "0,00" in an empty quantity, "750" not "750,00"."""
    shown = dict(row)
    for name in ("quantity", "value_vnd"):
        if name in shown and not shown[name]:
            shown[name] = None
    if shown.get("quantity") is not None:
        quantity = shown["quantity"]
        shown["quantity"] = Decimal(int(quantity)) if quantity == quantity.to_integral_value() else quantity.normalize()
    return shown


def inline_formsets(data=None, *, program: Program | None = None) -> dict[str, RowFormSet]:
    """The three formsets, bound to ``data`` or, for an edit page, filled with the program's rows.

    A bound formset is never given ``initial``: a row is then "filled" when it differs from the
    fields' defaults, which is what a blank row does not."""
    if data is not None:
        return {prefix: formset_class(data, prefix=prefix) for prefix, formset_class in INLINE_FORMSETS}
    initial: dict[str, list[dict]] = {prefix: [] for prefix, _class in INLINE_FORMSETS}
    if program is not None:
        initial = {prefix: [_as_typed(row) for row in rows] for prefix, rows in program_rows(program).items()}
    return {
        prefix: formset_class(prefix=prefix, initial=initial[prefix] or None)
        for prefix, formset_class in INLINE_FORMSETS
    }


# --- The program list ----------------------------------------------------------------------------


class SearchInput(forms.TextInput):
    input_type = "search"


def _date_widget() -> forms.DateInput:
    return forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": _("dd/mm/yyyy"), "autocomplete": "off"})


def _filter_units(request):
    return access.visible_units(getattr(request, "user", None)).filter(kind__in=FILTER_UNIT_KINDS).order_by("path")


class ProgramFilter(django_filters.FilterSet):
    """Filters of ``program_list``; the queryset it receives is already scoped to the user.

    ``field`` is declared last on purpose: it runs in Python over what the other filters left."""

    unit = django_filters.ModelChoiceFilter(
        label=_("Unit"), queryset=_filter_units, method="filter_unit", empty_label=_("All units")
    )
    organizer_level = django_filters.ChoiceFilter(
        label=_("Organized at"), choices=OrganizerLevel.choices, empty_label=_("All levels")
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=ProgramStatus.choices, empty_label=_("All statuses")
    )
    date_from = django_filters.DateFilter(
        label=_("From"), field_name="date", lookup_expr="gte", input_formats=DATE_INPUTS
    )
    date_to = django_filters.DateFilter(label=_("To"), field_name="date", lookup_expr="lte", input_formats=DATE_INPUTS)
    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_search",
        widget=SearchInput(attrs={"placeholder": _("Words of the title or results, with or without accents")}),
    )
    field = django_filters.ChoiceFilter(
        label=_("Field"), choices=ProgramField.choices, method="filter_field", empty_label=_("All fields")
    )

    class Meta:
        model = Program
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("date_from", "date_to"):
            self.filters[name].field.widget = _date_widget()

    def filter_unit(self, queryset, name, value):
        return queryset.filter(unit__path__startswith=value.path)

    def filter_search(self, queryset, name, value):
        return search_folded(queryset, value, "search_text")

    def filter_field(self, queryset, name, value):
        # ``fields`` is a JSON list. ``fields__contains=[value]`` works on PostgreSQL but raises
        # NotSupportedError on SQLite (the zero-setup default), so, like
        # ``organization.search.filter_folded``, one query reads (pk, fields) of the rows the
        # other filters left and the queryset is narrowed to the matching keys; it can still be
        # annotated, ordered and paginated. Programs number in the hundreds per district.
        rows = queryset.order_by().values_list("pk", "fields").iterator()
        ids = [pk for pk, fields in rows if value in (fields or [])]
        return queryset.filter(pk__in=ids)
