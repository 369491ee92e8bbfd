"""Forms and list filters of the road, land-donation and site-clearance pages.

They validate and normalize only; ``programs.services`` writes (and checks scope, model rules and
uploaded files again). Every choice of a unit, village, road or program is scoped to the user, so
a value outside the scope is refused by the form ("select a valid choice") before any service is
called. Numbers are typed the Vietnamese way ("1.234.567", "283,75"): see ``organization.numbers``.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.conf import settings
from django.db.models import Q, QuerySet
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from organization import access
from organization.models import COMMUNE_KINDS, Role, Unit, UnitKind
from organization.numbers import VietnameseDecimalField, VietnameseIntegerField
from organization.search import filter_folded, search_folded

from .models import (
    ClearanceStatus,
    DonationPurpose,
    LandDonation,
    Program,
    RoadProject,
    SiteClearanceProject,
    Surface,
)

#: Day first as offices write it; ISO accepted for browsers' date pickers and links.
DATE_INPUTS = ["%d/%m/%Y", "%Y-%m-%d"]
VILLAGE_KINDS = frozenset({UnitKind.VILLAGE, UnitKind.RESIDENTIAL_CLUSTER})
#: Units a list can be narrowed to (their subtree): places above the village.
AREA_KINDS = frozenset({UnitKind.PROVINCE, UnitKind.DISTRICT, *COMMUNE_KINDS})
#: Units that may run a site clearance project: the district (or, since 2025, a province or commune).
CLEARANCE_OWNER_KINDS = AREA_KINDS
#: Bodies that can act as a clearance task force (councils, boards, departments...).
TASK_FORCE_EXCLUDED_KINDS = frozenset({*VILLAGE_KINDS, UnitKind.PROVINCE})
#: Roads are built from 1990 on in the portal's history; a year past 2100 is a typing error.
FIRST_ROAD_YEAR, LAST_ROAD_YEAR = 1990, 2100
CONSENT_ACCEPT = ".pdf,.docx,.jpg,.jpeg,.png"
#: Inline rows of trees offered on the donation form (more rows: save, then edit).
TREE_ROWS_EXTRA = 3
TREE_ROWS_MAX = 20


def date_widget() -> forms.DateInput:
    return forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": _("dd/mm/yyyy"), "autocomplete": "off"})


def date_field(label, **kwargs) -> forms.DateField:
    kwargs.setdefault("help_text", _("Day/month/year, e.g. 05/02/2024."))
    return forms.DateField(label=label, input_formats=DATE_INPUTS, widget=date_widget(), **kwargs)


class SearchInput(forms.TextInput):
    input_type = "search"


# --- Choices ----------------------------------------------------------------------------------


def recording_communes(user) -> QuerySet[Unit]:
    """Communes where the user may record roads and donations."""
    return access.editable_units(user).filter(kind__in=COMMUNE_KINDS).order_by("path")


def village_choices(user, commune: Unit | None = None) -> QuerySet[Unit]:
    units = access.editable_units(user).filter(kind__in=VILLAGE_KINDS)
    if commune is not None:
        units = units.filter(path__startswith=commune.path)
    return units.order_by("path")


def program_choices(user, commune: Unit | None = None) -> QuerySet[Program]:
    """Programs visible to the user and held in a commune where the user records (or in ``commune``)."""
    where = Q(unit=commune) if commune is not None else Q(unit__in=recording_communes(user))
    return Program.objects.visible_to(user).filter(where).select_related("unit").order_by("-date", "-id")


def road_choices(user, commune: Unit | None = None) -> QuerySet[RoadProject]:
    where = Q(unit=commune) if commune is not None else Q(unit__in=recording_communes(user))
    return RoadProject.objects.visible_to(user).filter(where).select_related("unit").order_by("unit__path", "name")


def clearance_units(user) -> QuerySet[Unit]:
    """Units over which the user is district staff: only they run site clearance."""
    return access.units_with_role(user, Role.DISTRICT_STAFF).filter(kind__in=CLEARANCE_OWNER_KINDS).order_by("path")


def clearance_communes(user, unit: Unit | None = None) -> QuerySet[Unit]:
    communes = access.units_with_role(user, Role.DISTRICT_STAFF).filter(kind__in=COMMUNE_KINDS)
    if unit is not None:
        communes = communes.filter(path__startswith=unit.path)
    return communes.order_by("path")


def task_force_choices(user) -> QuerySet[Unit]:
    return access.visible_units(user).exclude(kind__in=TASK_FORCE_EXCLUDED_KINDS).order_by("path")


# --- Widgets and fields -------------------------------------------------------------------------


class PathSelect(forms.Select):
    """Options carry the tree path of their unit (a village, or the commune of a road or program),
    so ``programs.js`` can offer only those under the commune chosen in another select
    (``data-within="<id of that select>"``). Without JavaScript every option is listed and the
    service refuses a mismatch."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if isinstance(instance, Unit):
            option["attrs"]["data-path"] = instance.path
        elif instance is not None and getattr(instance, "unit", None) is not None:
            option["attrs"]["data-path"] = instance.unit.path
        return option


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        return obj.name


class RoadChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: RoadProject) -> str:
        return f"{obj.name} ({obj.unit.name}, {obj.year})"


class ProgramChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Program) -> str:
        return f"{obj.date:%d/%m/%Y} · {obj.title[:100]}"


class VersionedForm(forms.Form):
    """Edit forms carry the version the user opened, so a concurrent save is detected."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.editing = editing
        if editing:
            self.fields["version"].required = True
        else:
            del self.fields["version"]


# --- Roads ------------------------------------------------------------------------------------


def _area_filter_units(request) -> QuerySet[Unit]:
    return access.visible_units(getattr(request, "user", None)).filter(kind__in=AREA_KINDS).order_by("path")


def _visible_programs(request) -> QuerySet[Program]:
    return Program.objects.visible_to(getattr(request, "user", None)).order_by("-date", "-id")


def _visible_villages(request) -> QuerySet[Unit]:
    return access.visible_units(getattr(request, "user", None)).filter(kind__in=VILLAGE_KINDS).order_by("path")


def _visible_roads(request) -> QuerySet[RoadProject]:
    return RoadProject.objects.visible_to(getattr(request, "user", None)).order_by("name", "id")


class SubtreeFilterMixin:
    def filter_subtree(self, queryset, name, value):
        return queryset.filter(unit__path__startswith=value.path)


class RoadFilter(SubtreeFilterMixin, django_filters.FilterSet):
    """Filters of ``road_list``; the queryset it receives is already scoped to the user."""

    unit = django_filters.ModelChoiceFilter(
        label=_("Unit"), queryset=_area_filter_units, method="filter_subtree", empty_label=_("All units")
    )
    year = django_filters.NumberFilter(label=_("Year"), field_name="year")
    surface = django_filters.ChoiceFilter(label=_("Surface"), choices=Surface.choices, empty_label=_("All"))
    program = django_filters.ModelChoiceFilter(
        label=_("Program"), queryset=_visible_programs, empty_label=_("All programs")
    )
    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_search",
        widget=SearchInput(attrs={"placeholder": _("Road name, with or without accents")}),
    )

    class Meta:
        model = RoadProject
        fields: list[str] = []

    def filter_search(self, queryset, name, value):
        return search_folded(queryset, value, "search_text")


class RoadForm(VersionedForm):
    unit = UnitChoiceField(label=_("Commune"), queryset=Unit.objects.none(), empty_label=None)
    village = UnitChoiceField(
        label=_("Village"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("— several or none —"),
        widget=PathSelect(attrs={"data-within": "id_unit"}),
    )
    program = ProgramChoiceField(
        label=_("Program"),
        queryset=Program.objects.none(),
        required=False,
        empty_label=_("— not part of a program —"),
        widget=PathSelect(attrs={"data-within": "id_unit"}),
        help_text=_("A program held in the same commune."),
    )
    name = forms.CharField(label=_("Name"), max_length=300)
    year = forms.IntegerField(label=_("Year"), min_value=FIRST_ROAD_YEAR, max_value=LAST_ROAD_YEAR)
    length_m = VietnameseDecimalField(label=_("Length (m)"), help_text=_("In metres, e.g. 750 or 1.234,5."))
    road_width_m = VietnameseDecimalField(label=_("Road bed width (m)"), required=False)
    surface_width_m = VietnameseDecimalField(label=_("Surface width (m)"), required=False)
    surface = forms.ChoiceField(label=_("Surface"), choices=Surface.choices, initial=Surface.CONCRETE)
    total_investment_vnd = VietnameseIntegerField(
        label=_("Total investment (đồng)"),
        required=False,
        help_text=_("Whole đồng: 1.234.567 or 1234567."),
    )
    people_share_vnd = VietnameseIntegerField(
        label=_("People's share (đồng)"),
        required=False,
        help_text=_("What residents contributed in money, included in the total investment."),
    )

    def __init__(self, *args, user, road: RoadProject | None = None, **kwargs):
        super().__init__(*args, editing=road is not None, **kwargs)
        commune = road.unit if road is not None else None
        if road is not None:
            # The commune of a road does not change: its donations are recorded there.
            del self.fields["unit"]
        else:
            self.fields["unit"].queryset = recording_communes(user)
        self.fields["village"].queryset = village_choices(user, commune)
        self.fields["program"].queryset = program_choices(user, commune)

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data["name"].split())

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        values = {
            "village": data["village"],
            "program": data["program"],
            "name": data["name"],
            "year": data["year"],
            "length_m": data["length_m"],
            "road_width_m": data["road_width_m"],
            "surface_width_m": data["surface_width_m"],
            "surface": data["surface"],
            "total_investment_vnd": data["total_investment_vnd"] or 0,
            "people_share_vnd": data["people_share_vnd"] or 0,
        }
        if "unit" in self.fields:
            values["unit"] = data["unit"]
        return values

    @staticmethod
    def initial_from(road: RoadProject) -> dict[str, Any]:
        names = (
            "village",
            "program",
            "name",
            "year",
            "length_m",
            "road_width_m",
            "surface_width_m",
            "surface",
            "total_investment_vnd",
            "people_share_vnd",
            "version",
        )
        return {name: getattr(road, name) for name in names}


# --- Land donations ---------------------------------------------------------------------------


class DonationFilter(SubtreeFilterMixin, django_filters.FilterSet):
    """Filters of ``donation_list``; the queryset it receives is already scoped to the user."""

    unit = django_filters.ModelChoiceFilter(
        label=_("Unit"), queryset=_area_filter_units, method="filter_subtree", empty_label=_("All units")
    )
    village = django_filters.ModelChoiceFilter(
        label=_("Village"), queryset=_visible_villages, empty_label=_("All villages")
    )
    road = django_filters.ModelChoiceFilter(label=_("Road"), queryset=_visible_roads, empty_label=_("All roads"))
    program = django_filters.ModelChoiceFilter(
        label=_("Program"), queryset=_visible_programs, method="filter_program", empty_label=_("All programs")
    )
    purpose = django_filters.ChoiceFilter(label=_("Purpose"), choices=DonationPurpose.choices, empty_label=_("All"))
    donated_from = django_filters.DateFilter(
        label=_("From"), field_name="donated_on", lookup_expr="gte", input_formats=DATE_INPUTS
    )
    donated_to = django_filters.DateFilter(
        label=_("To"), field_name="donated_on", lookup_expr="lte", input_formats=DATE_INPUTS
    )
    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_search",
        widget=SearchInput(attrs={"placeholder": _("Donor's name, with or without accents")}),
    )

    class Meta:
        model = LandDonation
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("donated_from", "donated_to"):
            self.filters[name].field.widget = date_widget()

    def filter_program(self, queryset, name, value):
        # A donation belongs to a program directly or through its road. Both are foreign keys
        # followed forward, so each donation is still one row and counts once in the totals.
        return queryset.filter(Q(program=value) | Q(road__program=value))

    def filter_search(self, queryset, name, value):
        return search_folded(queryset, value, "search_text")


class DonationForm(VersionedForm):
    unit = UnitChoiceField(label=_("Commune"), queryset=Unit.objects.none(), empty_label=None)
    village = UnitChoiceField(
        label=_("Village"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("— not recorded —"),
        widget=PathSelect(attrs={"data-within": "id_unit"}),
    )
    donor = forms.CharField(label=_("Household head"), max_length=200)
    donated_on = date_field(_("Date"))
    purpose = forms.ChoiceField(label=_("Purpose"), choices=DonationPurpose.choices, initial=DonationPurpose.ROAD)
    road = RoadChoiceField(
        label=_("Road"),
        queryset=RoadProject.objects.none(),
        required=False,
        empty_label=_("— none —"),
        widget=PathSelect(attrs={"data-within": "id_unit"}),
    )
    program = ProgramChoiceField(
        label=_("Program"),
        queryset=Program.objects.none(),
        required=False,
        empty_label=_("— none —"),
        widget=PathSelect(attrs={"data-within": "id_unit"}),
        help_text=_("Leave empty when the road already belongs to the program: the gift is counted once either way."),
    )
    area_m2 = VietnameseDecimalField(label=_("Land (m²)"), required=False, help_text=_("E.g. 1.200 or 45,5."))
    other_assets = forms.CharField(
        label=_("Other assets"),
        max_length=300,
        required=False,
        help_text=_("E.g. a fence, a gate, crops on the land."),
    )
    labour_days = VietnameseDecimalField(label=_("Labour-days"), required=False, decimal_places=1)
    cash_vnd = VietnameseIntegerField(label=_("Cash (đồng)"), required=False)
    value_vnd = VietnameseIntegerField(
        label=_("Total value (đồng)"),
        required=False,
        help_text=_("The money equivalent of everything given, cash included."),
    )
    consent_file = forms.FileField(
        label=_("Signed consent"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": CONSENT_ACCEPT}),
    )

    def __init__(self, *args, user, donation: LandDonation | None = None, **kwargs):
        super().__init__(*args, editing=donation is not None, **kwargs)
        commune = donation.unit if donation is not None else None
        if donation is not None:
            del self.fields["unit"]
            self.fields["consent_file"].widget = forms.FileInput(attrs={"accept": CONSENT_ACCEPT})
        else:
            self.fields["unit"].queryset = recording_communes(user)
        self.fields["village"].queryset = village_choices(user, commune)
        self.fields["road"].queryset = road_choices(user, commune)
        self.fields["program"].queryset = program_choices(user, commune)
        limit = filesizeformat(settings.UPLOAD_MAX_BYTES)
        if donation is not None and donation.consent_file:
            help_text = _(
                "A file is on record; choose one only to replace it. PDF, Word (.docx), JPEG or PNG, up to %(limit)s."
            )
        else:
            help_text = _("The consent signed by the household: PDF, Word (.docx), JPEG or PNG, up to %(limit)s.")
        self.fields["consent_file"].help_text = help_text % {"limit": limit}

    def clean_donor(self) -> str:
        return " ".join(self.cleaned_data["donor"].split())

    def clean_other_assets(self) -> str:
        return self.cleaned_data["other_assets"].strip()

    def values(self, trees: dict[str, int]) -> dict[str, Any]:
        data = self.cleaned_data
        values = {
            "village": data["village"],
            "road": data["road"],
            "program": data["program"],
            "donor": data["donor"],
            "donated_on": data["donated_on"],
            "purpose": data["purpose"],
            "area_m2": data["area_m2"] if data["area_m2"] is not None else 0,
            "trees": trees,
            "other_assets": data["other_assets"],
            "labour_days": data["labour_days"] if data["labour_days"] is not None else 0,
            "cash_vnd": data["cash_vnd"] or 0,
            "value_vnd": data["value_vnd"] or 0,
        }
        if "unit" in self.fields:
            values["unit"] = data["unit"]
        return values

    @staticmethod
    def initial_from(donation: LandDonation) -> dict[str, Any]:
        names = (
            "village",
            "donor",
            "donated_on",
            "purpose",
            "road",
            "program",
            "area_m2",
            "other_assets",
            "labour_days",
            "cash_vnd",
            "value_vnd",
            "version",
        )
        return {name: getattr(donation, name) for name in names}


class TreeRowForm(forms.Form):
    """One species and how many trees of it were given, e.g. "quế" and "1.000"."""

    species = forms.CharField(label=_("Species"), max_length=60, required=False)
    count = VietnameseIntegerField(label=_("Trees"), required=False)

    def clean(self):
        data = super().clean()
        species = " ".join((data.get("species") or "").split())
        count = data.get("count")
        if species and count is None:
            self.add_error("count", _("How many trees of this species?"))
        if count is not None and not species:
            self.add_error("species", _("Name the species, e.g. quế."))
        data["species"] = species
        return data


class BaseTreeRowFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        seen: set[str] = set()
        for form in self.forms:
            species = form.cleaned_data.get("species")
            if not species:
                continue
            if species.casefold() in seen:
                raise forms.ValidationError(
                    _("List each species once: %(species)s appears twice."), params={"species": species}
                )
            seen.add(species.casefold())

    def trees(self) -> dict[str, int]:
        """The rows as the donation's ``trees``: ``{"quế": 1000}``; empty rows and zero counts dropped."""
        return {
            form.cleaned_data["species"]: form.cleaned_data["count"]
            for form in self.forms
            if form.cleaned_data.get("species") and form.cleaned_data.get("count")
        }


TreeRowFormSet = forms.formset_factory(
    TreeRowForm,
    formset=BaseTreeRowFormSet,
    extra=TREE_ROWS_EXTRA,
    max_num=TREE_ROWS_MAX,
    absolute_max=TREE_ROWS_MAX,
    validate_max=True,
)


def tree_formset(data=None, *, donation: LandDonation | None = None):
    initial = [
        {"species": species, "count": count} for species, count in ((donation.trees or {}) if donation else {}).items()
    ]
    return TreeRowFormSet(data, initial=initial or None, prefix="trees")


# --- Site clearance -----------------------------------------------------------------------------


class ClearanceFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=ClearanceStatus.choices, empty_label=_("All"))
    key = django_filters.ChoiceFilter(
        label=_("Key project"),
        choices=[("yes", _("Key projects only")), ("no", _("Other projects"))],
        method="filter_key",
        empty_label=_("All"),
    )
    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_search",
        widget=SearchInput(attrs={"placeholder": _("Project name, with or without accents")}),
    )

    class Meta:
        model = SiteClearanceProject
        fields: list[str] = []

    def filter_key(self, queryset, name, value):
        return queryset.filter(is_key_project=value == "yes")

    def filter_search(self, queryset, name, value):
        # Clearance projects number in the tens per district: folding their names in Python is fine.
        return filter_folded(queryset, value, ["name", "resettlement_site"])


class ClearanceForm(VersionedForm):
    unit = UnitChoiceField(label=_("Responsible unit"), queryset=Unit.objects.none(), empty_label=None)
    name = forms.CharField(label=_("Project"), max_length=300)
    is_key_project = forms.BooleanField(label=_("Key project"), required=False)
    communes = forms.ModelMultipleChoiceField(
        label=_("Communes"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Communes where land is cleared, under the responsible unit."),
    )
    started_on = date_field(_("Started on"))
    affected_households = VietnameseIntegerField(label=_("Affected households"))
    area_ha = VietnameseDecimalField(label=_("Area (ha)"), help_text=_("E.g. 263,26."))
    budget_vnd = VietnameseIntegerField(
        label=_("Compensation budget (đồng)"), help_text=_("Whole đồng: 1.234.567 or 1234567.")
    )
    resettlement_site = forms.CharField(label=_("Resettlement site"), max_length=300, required=False)
    task_force = UnitChoiceField(
        label=_("Task force"), queryset=Unit.objects.none(), required=False, empty_label=_("— none —")
    )

    def __init__(self, *args, user, project: SiteClearanceProject | None = None, **kwargs):
        super().__init__(*args, editing=project is not None, **kwargs)
        if project is not None:
            del self.fields["unit"]
        else:
            self.fields["unit"].queryset = clearance_units(user)
        self.fields["communes"].queryset = clearance_communes(user, project.unit if project else None)
        self.fields["communes"].label_from_instance = lambda unit: unit.name
        self.fields["task_force"].queryset = task_force_choices(user)

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data["name"].split())

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        names = (
            "name",
            "is_key_project",
            "started_on",
            "affected_households",
            "area_ha",
            "budget_vnd",
            "resettlement_site",
            "task_force",
        )
        values = {name: data[name] for name in names}
        values["resettlement_site"] = values["resettlement_site"].strip()
        if "unit" in self.fields:
            values["unit"] = data["unit"]
        return values

    @staticmethod
    def initial_from(project: SiteClearanceProject) -> dict[str, Any]:
        names = (
            "name",
            "is_key_project",
            "started_on",
            "affected_households",
            "area_ha",
            "budget_vnd",
            "resettlement_site",
            "task_force",
            "version",
        )
        initial = {name: getattr(project, name) for name in names}
        initial["communes"] = list(project.communes.all())
        return initial


class DisbursementForm(forms.Form):
    paid_on = date_field(_("Date"))
    amount_vnd = VietnameseIntegerField(
        label=_("Amount (đồng)"), min_value=1, help_text=_("Whole đồng: 1.234.567 or 1234567.")
    )
    households_paid = VietnameseIntegerField(label=_("Households paid"), required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
    over_budget_reason = forms.CharField(
        label=_("Reason for exceeding the budget"),
        max_length=300,
        required=False,
        help_text=_("Required only when this payment takes the total above the budget."),
    )

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "paid_on": data["paid_on"],
            "amount_vnd": data["amount_vnd"],
            "households_paid": data["households_paid"] or 0,
            "note": data["note"].strip(),
            "over_budget_reason": data["over_budget_reason"].strip(),
        }


class ClearanceStatusForm(forms.Form):
    status = forms.ChoiceField(choices=ClearanceStatus.choices, widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
