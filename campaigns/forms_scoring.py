"""Forms and list filters of the movement, criteria set, round and award pages.

Forms validate and normalize only; ``campaigns.services`` writes and is the authority on the rules
(points adding up, one round per month, who may do what). Points are typed the Vietnamese way
("7,5") through ``organization.numbers``. Every choice of a unit, document or movement is scoped
to the user.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organization import access
from organization.models import COMMUNE_KINDS, LOCALITY_KINDS, Document, Role, Unit, UnitKind
from organization.numbers import VietnameseDecimalField, VietnameseIntegerField
from organization.search import filter_folded, search_folded

from . import selectors
from .models import (
    Award,
    AwardForm,
    CriteriaSet,
    DvkModel,
    Movement,
    MovementStatus,
    ScoringRound,
    TargetType,
)

#: Day first as offices write it; ISO accepted for browsers' date pickers and links.
DATE_INPUTS = ["%d/%m/%Y", "%Y-%m-%d"]
#: Areas a movement can cover: a province, a district or a commune (township, ward).
AREA_KINDS = (UnitKind.PROVINCE, UnitKind.DISTRICT, *COMMUNE_KINDS)
EMPTY_CHOICE = [("", "—")]


# --- Choices -------------------------------------------------------------------------------------


def movement_areas(user) -> QuerySet[Unit]:
    """Areas where the user may run a movement: district staff over them (admins anywhere)."""
    return access.units_with_role(user, Role.DISTRICT_STAFF).filter(kind__in=AREA_KINDS).order_by("path")


def managed_movements(user) -> QuerySet[Movement]:
    """Movements the user runs (``permissions.can_manage_movement`` as a query)."""
    return Movement.objects.filter(unit__in=access.units_with_role(user, Role.DISTRICT_STAFF))


def issuer_choices(user) -> QuerySet[Unit]:
    """Bodies that may issue a decision the user records: their own units, the units above them,
    and the bodies of those, two levels down (a Bằng khen comes from the province's People's
    Committee; a district's commendation from the Mass Mobilization Board of its Party committee)."""
    if access.is_admin(user):
        return Unit.objects.order_by("path")
    above = selectors.ancestor_ids(user)
    body = ~Q(kind__in=LOCALITY_KINDS)
    condition = Q(pk__in=access.visible_units(user)) | Q(pk__in=above)
    condition |= Q(parent_id__in=above) & body
    condition |= Q(parent__parent_id__in=above) & body & ~Q(parent__kind__in=LOCALITY_KINDS)
    return Unit.objects.filter(condition).order_by("path")


def visible_documents(user) -> QuerySet[Document]:
    documents = Document.objects.select_related("issuer").order_by("-date", "-number")
    return access.scope(documents, user, "issuer")


def default_body(membership) -> Unit | None:
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


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        return obj.name


class DocumentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Document) -> str:
        return f"{obj.symbol} — {obj.subject}"


class RoundChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: ScoringRound) -> str:
        return f"{obj.movement.name} – {obj.month:%m/%Y}"


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


def points_input(example: str, **attrs) -> forms.TextInput:
    return forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "placeholder": example, **attrs})


def int_or_none(data) -> int | None:
    try:
        return int(data)
    except (TypeError, ValueError):
        return None


# --- Movements -----------------------------------------------------------------------------------


class MovementForm(forms.Form):
    """A movement's own fields. Editing (``movement``) drops the area, which cannot change once
    units are scored in it, and adds the version the user saw."""

    name = forms.CharField(label=_("Name"), max_length=300)
    unit = UnitChoiceField(
        label=_("Area covered"),
        queryset=Unit.objects.none(),
        help_text=_("The district or commune whose units take part."),
    )
    launched_by = UnitChoiceField(
        label=_("Launched by"),
        queryset=Unit.objects.none(),
        help_text=_("The body that launched the movement, e.g. the district's Mass Mobilization Board."),
    )
    launch_date = date_field(_("Launch date"))
    is_dvk = forms.BooleanField(label=_("Dân vận khéo movement"), required=False)
    target_types = forms.MultipleChoiceField(
        label=_("Units scored"),
        choices=TargetType.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Each kind of unit gets its own criteria every year."),
    )
    regulation_document = DocumentChoiceField(
        label=_("Regulation document"),
        queryset=Document.objects.none(),
        required=False,
        empty_label=_("— none —"),
        help_text=_("The plan or guidance setting out the movement's rules."),
    )
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    status = forms.ChoiceField(label=_("Status"), choices=MovementStatus.choices, initial=MovementStatus.ACTIVE)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user, movement: Movement | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = movement_areas(user)
        self.fields["launched_by"].queryset = issuer_choices(user)
        documents = visible_documents(user)
        if movement is not None:
            del self.fields["unit"]
            # Keeping what the movement has is not choosing it, even when outside the user's units.
            self.fields["launched_by"].queryset = (
                issuer_choices(user) | Unit.objects.filter(pk=movement.launched_by_id)
            ).order_by("path")
            if movement.regulation_document_id:
                documents = (documents | Document.objects.filter(pk=movement.regulation_document_id)).order_by(
                    "-date", "-number"
                )
        else:
            del self.fields["version"]
        self.fields["regulation_document"].queryset = documents

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data["name"].split())

    def values(self) -> dict[str, Any]:
        """What ``services.movement_create`` / ``movement_update`` take."""
        data = self.cleaned_data
        names = ("unit", "launched_by", "launch_date", "is_dvk", "regulation_document", "status", "name")
        values = {name: data[name] for name in names if name in data}
        values["target_types"] = [t for t in TargetType.values if t in data["target_types"]]
        values["description"] = data["description"].strip()
        return values


class SearchInput(forms.TextInput):
    input_type = "search"


class MovementFilter(django_filters.FilterSet):
    """Filters of ``movement_list``; the queryset it receives is already scoped to the user."""

    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=MovementStatus.choices, empty_label=_("All statuses")
    )
    is_dvk = django_filters.ChoiceFilter(
        label=_("Dân vận khéo"),
        choices=[("yes", _("Dân vận khéo movements")), ("no", _("Other movements"))],
        method="filter_dvk",
        empty_label=_("All movements"),
    )
    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_search",
        widget=SearchInput(attrs={"placeholder": _("Words of the name or description, with or without accents")}),
    )

    class Meta:
        model = Movement
        fields: list[str] = []

    def filter_dvk(self, queryset, name, value):
        return queryset.filter(is_dvk=(value == "yes"))

    def filter_search(self, queryset, name, value):
        return search_folded(queryset, value, "search_text")


# --- Criteria sets -------------------------------------------------------------------------------


class CriteriaSetForm(forms.Form):
    target_type = forms.ChoiceField(label=_("Units scored"), choices=TargetType.choices)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    total_points = VietnameseDecimalField(
        label=_("Total points"),
        widget=points_input("100", **{"data-points-total": ""}),
        help_text=_("The criteria's maximum points must add up to this total."),
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, movement: Movement, criteria_set: CriteriaSet | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(TargetType.choices)
        self.fields["target_type"].choices = [(t, labels[t]) for t in movement.target_types if t in labels]
        if criteria_set is None:
            del self.fields["version"]

    def clean_total_points(self) -> Decimal:
        value = self.cleaned_data["total_points"]
        if value is not None and value <= 0:
            raise forms.ValidationError(_("The total must be above zero."))
        return value


class CriterionForm(forms.Form):
    """One criterion row. A row left entirely blank is skipped."""

    code = forms.CharField(label=_("Code"), max_length=20, widget=forms.TextInput(attrs={"placeholder": "TC1"}))
    text = forms.CharField(label=_("Criterion"), max_length=500)
    group = forms.CharField(label=_("Group"), max_length=200, required=False)
    max_points = VietnameseDecimalField(label=_("Maximum points"), widget=points_input("10", **{"data-points": ""}))
    weight = VietnameseDecimalField(label=_("Weight"), initial=Decimal(1), widget=points_input("1"))
    order = forms.IntegerField(label=_("Order"), min_value=0, max_value=32767, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _bootstrap(self, small=True)
        self.fields["code"].widget.attrs["size"] = 6
        self.fields["order"].widget.attrs["class"] += " criterion-order"

    def clean_max_points(self) -> Decimal:
        value = self.cleaned_data["max_points"]
        if value is not None and value <= 0:
            raise forms.ValidationError(_("The maximum must be above zero."))
        return value

    def clean_weight(self) -> Decimal:
        value = self.cleaned_data["weight"]
        if value is not None and value <= 0:
            raise forms.ValidationError(_("The weight must be above zero."))
        return value

    def to_row(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "code": data["code"].strip(),
            "text": " ".join(data["text"].split()),
            "group": data["group"].strip(),
            "max_points": data["max_points"],
            "weight": data["weight"] if data["weight"] is not None else Decimal(1),
            "order": data["order"] or 0,
        }


class CriterionFormSet(forms.BaseFormSet):
    """The criteria of a set: blank rows are skipped, rows ticked "remove" dropped, and
    ``rows()`` gives what the service takes, in order, so its ``criteria-<i>`` errors can be put
    back on the row they came from."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Remove")
            form.fields["DELETE"].widget.attrs["class"] = "form-check-input"

    def _should_delete_form(self, form) -> bool:
        """Ticked "remove", or emptied: clearing every box of a row removes it too."""
        return super()._should_delete_form(form) or (form.is_bound and self._is_blank(form))

    @staticmethod
    def _is_blank(form) -> bool:
        typed = ("code", "text", "group", "max_points", "order")
        return all(not str(form.data.get(form.add_prefix(name)) or "").strip() for name in typed)

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


CriteriaFormSet = forms.formset_factory(
    CriterionForm,
    formset=CriterionFormSet,
    extra=3,
    can_delete=True,
    max_num=100,
    absolute_max=100,
    validate_max=True,
)
CRITERIA_PREFIX = "criteria"


def as_typed(value: Decimal) -> Decimal:
    """7.50 → 7,5 and 40.00 → 40 when shown in a field."""
    return Decimal(int(value)) if value == value.to_integral_value() else value.normalize()


def criteria_formset(data=None, *, criteria_set: CriteriaSet | None = None) -> CriterionFormSet:
    """The criteria rows, bound to ``data`` or, for an edit page, filled with the set's criteria.
    A bound formset is never given ``initial``, so a blank row is one equal to the defaults."""
    if data is not None:
        return CriteriaFormSet(data, prefix=CRITERIA_PREFIX)
    initial = None
    if criteria_set is not None:
        initial = [
            {
                "code": c.code,
                "text": c.text,
                "group": c.group,
                "max_points": as_typed(c.max_points),
                "weight": as_typed(c.weight),
                "order": c.order,
            }
            for c in criteria_set.criteria.all()
        ] or None
    return CriteriaFormSet(prefix=CRITERIA_PREFIX, initial=initial)


class CopyCriteriaForm(forms.Form):
    year = forms.IntegerField(label=_("Copy to the year"), min_value=2000, max_value=2100)


# --- Rounds --------------------------------------------------------------------------------------


def _month_choices():
    return [(number, _("Month %(number)s") % {"number": number}) for number in range(1, 13)]


class RoundForm(forms.Form):
    """A new round: the month scored (month and year), the closing date and the selection rule."""

    month = forms.TypedChoiceField(label=_("Month"), coerce=int, choices=_month_choices)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    closes_on = date_field(
        _("Closing date"), required=False, help_text=_("The last day communes can submit; needed to open the round.")
    )
    selected_per_type = forms.IntegerField(
        label=_("Selected per type"),
        min_value=1,
        max_value=1000,
        initial=3,
        help_text=_("How many of the best units of each type are selected; ties at the boundary are all selected."),
    )
    min_percent_for_selection = VietnameseDecimalField(
        label=_("Minimum score for selection (%)"),
        initial=Decimal(80),
        widget=points_input("80"),
        help_text=_("A unit below this share of the maximum is not selected, whatever its rank."),
    )

    def clean_min_percent_for_selection(self) -> Decimal:
        value = self.cleaned_data["min_percent_for_selection"]
        if value is not None and value > 100:
            raise forms.ValidationError(_("A percentage is at most 100."))
        return value

    def clean(self):
        data = super().clean()
        if data.get("month") and data.get("year"):
            data["first_day"] = date(data["year"], data["month"], 1)
        return data


class OpenRoundForm(forms.Form):
    closes_on = date_field(_("Closing date"), required=False)


class ReopenRoundForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why the round is reopened, e.g. a commune's scores were entered wrongly. It is logged."),
    )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Say why the round is reopened; the reason is logged."))
        return reason


# --- Awards --------------------------------------------------------------------------------------


class AwardEntryForm(forms.Form):
    """An award: to a unit, or to a person or household of that unit."""

    movement = forms.ModelChoiceField(
        label=_("Movement"), queryset=Movement.objects.none(), required=False, empty_label=_("— none —")
    )
    round = RoundChoiceField(
        label=_("Round"),
        queryset=ScoringRound.objects.none(),
        required=False,
        empty_label=_("— none —"),
        help_text=_("The monthly round the award rewards, if any; its movement is then filled in."),
    )
    dvk_model = forms.ModelChoiceField(
        label=_("Dân vận khéo model"), queryset=DvkModel.objects.none(), required=False, empty_label=_("— none —")
    )
    recipient_unit = UnitChoiceField(label=_("Recipient unit"), queryset=Unit.objects.none())
    recipient_name = forms.CharField(
        label=_("Person or household"),
        max_length=200,
        required=False,
        help_text=_("Leave empty when the unit itself is rewarded."),
    )
    form = forms.ChoiceField(label=_("Form"), choices=AwardForm.choices)
    issuer = UnitChoiceField(label=_("Issued by"), queryset=Unit.objects.none())
    decision_document = DocumentChoiceField(
        label=_("Decision"), queryset=Document.objects.none(), required=False, empty_label=_("— none —")
    )
    date = date_field(_("Date"))
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))
    prize_value_vnd = VietnameseIntegerField(
        label=_("Prize (đồng)"), required=False, help_text=_("Only a prize carries a sum of money.")
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        movements = managed_movements(user).order_by("-launch_date", "name")
        self.fields["movement"].queryset = movements
        self.fields["round"].queryset = (
            ScoringRound.objects.filter(movement__in=movements).select_related("movement").order_by("-month", "pk")
        )
        self.fields["dvk_model"].queryset = DvkModel.objects.visible_to(user).order_by("name")
        self.fields["recipient_unit"].queryset = access.editable_units(user).order_by("path")
        self.fields["issuer"].queryset = issuer_choices(user)
        self.fields["decision_document"].queryset = visible_documents(user)

    def clean_reason(self) -> str:
        return self.cleaned_data["reason"].strip()

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        values = {name: data[name] for name in self.fields}
        values["recipient_name"] = data["recipient_name"].strip()
        values["prize_value_vnd"] = data["prize_value_vnd"] or 0
        if values["round"] is not None and values["movement"] is None:
            values["movement"] = values["round"].movement
        return values


def award_years() -> list[tuple[str, str]]:
    this_year = timezone.localdate().year
    return [(str(year), str(year)) for year in range(this_year, 2014, -1)]


class AwardFilter(django_filters.FilterSet):
    form = django_filters.ChoiceFilter(label=_("Form"), choices=AwardForm.choices, empty_label=_("All forms"))
    movement = django_filters.ModelChoiceFilter(
        label=_("Movement"),
        queryset=lambda request: selectors.movements_visible_to(request.user).order_by("name"),
        empty_label=_("All movements"),
    )
    year = django_filters.ChoiceFilter(
        label=_("Year"), choices=award_years, method="filter_year", empty_label=_("All years")
    )
    q = django_filters.CharFilter(
        label=_("Recipient"),
        method="filter_search",
        widget=SearchInput(attrs={"placeholder": _("Unit, person or household, with or without accents")}),
    )

    class Meta:
        model = Award
        fields: list[str] = []

    def filter_year(self, queryset, name, value):
        return queryset.filter(date__year=int(value))

    def filter_search(self, queryset, name, value):
        return filter_folded(queryset, value, ("recipient_name", "recipient_unit__name"))
