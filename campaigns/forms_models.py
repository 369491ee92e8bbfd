"""Forms and list filters of the Dân vận khéo pages: models (with their criteria and pillar rows),
status changes, household commitments and the emulation pledges of religious groups.

Forms validate and normalize only; ``campaigns.services`` writes and is the authority on scope,
lifecycle and model rules. Choices are scoped to the user, with two deliberate exceptions where
the service (or the model's ``clean()``) gives a clearer answer than "select a valid choice":

- the village of a household commitment lists the villages inside the model's locality but
  accepts any village, so one outside the model's area gets the model's own message, naming the
  area;
- the status a model moves to lists only the allowed next steps but accepts any status, so a
  forged or outdated step gets the workflow's "cannot go from … to …".
"""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from organization import access
from organization.models import COMMUNE_KINDS, Document, DocumentKind, Unit, UnitKind
from organization.search import search_folded

from .models import (
    CommitmentItem,
    CommitmentStatus,
    DvkField,
    DvkKind,
    DvkLevel,
    DvkModel,
    EmulationPledge,
    HouseholdCommitment,
    Movement,
    PledgeResult,
)
from .selectors import movements_visible_to
from .workflow import DvkStatus

#: Day first as offices write it; ISO accepted for browsers' date pickers and links.
DATE_INPUTS = ["%d/%m/%Y", "%Y-%m-%d"]
VILLAGE_KINDS = frozenset({UnitKind.VILLAGE, UnitKind.RESIDENTIAL_CLUSTER})
#: Who registers a model and answers for it: a district or a commune (since 2025 also a province).
OWNER_KINDS = frozenset({UnitKind.PROVINCE, UnitKind.DISTRICT, *COMMUNE_KINDS})
#: Where a model is built: a district-wide model, a commune, or one village.
MODEL_LOCALITY_KINDS = frozenset({UnitKind.DISTRICT, *COMMUNE_KINDS, *VILLAGE_KINDS})
#: Kinds of the register a recognition decision can be: a decision, a conclusion or a notice.
RECOGNITION_DOCUMENT_KINDS = (DocumentKind.QD, DocumentKind.KL, DocumentKind.TB)
FIRST_YEAR, LAST_YEAR = 2000, 2100
EMPTY_CHOICE = [("", "—")]


# --- Shared pieces --------------------------------------------------------------------------------


def date_widget() -> forms.DateInput:
    return forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": _("dd/mm/yyyy"), "autocomplete": "off"})


def date_field(label, **kwargs) -> forms.DateField:
    kwargs.setdefault("help_text", _("Day/month/year, e.g. 05/02/2024."))
    return forms.DateField(label=label, input_formats=DATE_INPUTS, widget=date_widget(), **kwargs)


def textarea(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class SearchInput(forms.TextInput):
    input_type = "search"


class UnitPathSelect(forms.Select):
    """Options carry their unit's tree path so ``campaigns_models.js`` can list only the units
    under the one chosen in another select (``data-within="<id of that select>"``)."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-path"] = instance.path
        return option


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        return obj.name


class DocumentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Document) -> str:
        return f"{obj.symbol} — {obj.subject}"


class ItemsField(forms.ModelMultipleChoiceField):
    """Commitment items as checkboxes, in the list's order."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", CommitmentItem.objects.none())
        kwargs.setdefault("error_messages", {"required": _("Choose at least one item.")})
        super().__init__(**kwargs)


def _with_current(queryset: QuerySet, current_pk: int | None, *ordering: str) -> QuerySet:
    """``queryset`` plus the record's current value, which it keeps even when the user could not
    choose it today (keeping a value is not choosing it)."""
    if not current_pk:
        return queryset
    return (queryset | queryset.model.objects.filter(pk=current_pk)).distinct().order_by(*ordering)


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


# --- Choices -------------------------------------------------------------------------------------


def owner_units(user) -> QuerySet[Unit]:
    """Districts and communes where the user may register a model."""
    return access.editable_units(user).filter(kind__in=OWNER_KINDS).order_by("path")


def model_localities(user) -> QuerySet[Unit]:
    return access.editable_units(user).filter(kind__in=MODEL_LOCALITY_KINDS).order_by("path")


def dvk_movements(user) -> QuerySet[Movement]:
    return movements_visible_to(user).filter(is_dvk=True).order_by("-launch_date", "-id")


def recognition_documents(user) -> QuerySet[Document]:
    documents = (
        Document.objects.filter(kind__in=RECOGNITION_DOCUMENT_KINDS)
        .select_related("issuer")
        .order_by("-date", "-number")
    )
    return access.scope(documents, user, "issuer")


def religious_groups(user) -> QuerySet[Unit]:
    """Religious groups (parishes, pagodas…) whose pledges the user may record."""
    return access.editable_units(user).filter(kind=UnitKind.RELIGIOUS_GROUP).order_by("path")


def signing_villages(user, model: DvkModel) -> QuerySet[Unit]:
    """Villages inside the model's locality (itself, when it is a village) that the user may edit."""
    return (
        access.editable_units(user)
        .filter(kind__in=VILLAGE_KINDS, path__startswith=model.locality.path)
        .order_by("path")
    )


# --- A model's registration ------------------------------------------------------------------------


class DvkModelForm(forms.Form):
    """The model's own fields; ``model`` (editing) keeps its current choices and adds the version."""

    name = forms.CharField(label=_("Name"), max_length=300)
    kind = forms.ChoiceField(label=_("Kind"), choices=DvkKind.choices, initial=DvkKind.MODEL)
    field = forms.ChoiceField(label=_("Field"), choices=EMPTY_CHOICE + DvkField.choices)
    level = forms.ChoiceField(label=_("Scope"), choices=EMPTY_CHOICE + DvkLevel.choices)
    owner_unit = UnitChoiceField(
        label=_("Owner unit"),
        queryset=Unit.objects.none(),
        widget=UnitPathSelect,
        help_text=_("The district or commune that registers the model and answers for it."),
    )
    locality = UnitChoiceField(
        label=_("Locality"),
        queryset=Unit.objects.none(),
        widget=UnitPathSelect(attrs={"data-within": "id_owner_unit"}),
        help_text=_("The commune or village where it is built, inside the owner unit. Households sign from inside it."),
    )
    movement = forms.ModelChoiceField(
        label=_("Movement"),
        queryset=Movement.objects.none(),
        required=False,
        empty_label=_("— none —"),
        help_text=_("The Dân vận khéo movement the model belongs to, if any."),
    )
    target_group = forms.CharField(
        label=_("Target group"),
        max_length=300,
        required=False,
        help_text=_("Who the model works with, e.g. Hmong households of the residential cluster."),
    )
    is_pilot = forms.BooleanField(label=_("Pilot model"), required=False)
    registered_on = date_field(_("Registered on"))
    rationale = forms.CharField(label=_("Rationale"), required=False, widget=textarea())
    objectives = forms.CharField(label=_("Objectives"), required=False, widget=textarea())
    methods = forms.CharField(label=_("Methods"), required=False, widget=textarea())
    forces = forms.CharField(label=_("Forces"), required=False, widget=textarea(2))
    timeline = forms.CharField(label=_("Timeline"), max_length=300, required=False)
    start_date = date_field(_("Start"), required=False)
    end_date = date_field(_("End"), required=False)
    outputs = forms.CharField(label=_("Expected outputs"), required=False, widget=textarea())
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    TEXT_FIELDS = ("rationale", "objectives", "methods", "forces", "timeline", "outputs", "target_group")

    def __init__(self, *args, user, model: DvkModel | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        current = model or DvkModel()
        self.fields["owner_unit"].queryset = _with_current(owner_units(user), current.owner_unit_id, "path")
        self.fields["locality"].queryset = _with_current(model_localities(user), current.locality_id, "path")
        self.fields["movement"].queryset = _with_current(
            dvk_movements(user), current.movement_id, "-launch_date", "-id"
        )
        if model is None:
            del self.fields["version"]

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data["name"].split())

    def values(self) -> dict[str, Any]:
        """The values ``DvkModelInput`` takes (``services.DVK_FIELDS``)."""
        data = self.cleaned_data
        values = {name: data[name] for name in self.fields if name != "version"}
        for name in self.TEXT_FIELDS:
            values[name] = data[name].strip()
        return values


def model_initial(model: DvkModel) -> dict[str, Any]:
    names = [name for name in DvkModelForm.base_fields if name != "version"]
    initial = {name: getattr(model, name) for name in names}
    initial["version"] = model.version
    return initial


# --- Inline rows: criteria and pillars -------------------------------------------------------------


class RowForm(forms.Form):
    """One inline row. Fields start empty so a row left untouched posts as blank and is skipped."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _bootstrap(self, small=True)


class MetSelect(forms.NullBooleanSelect):
    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("unknown", _("Not assessed")), ("true", _("Met")), ("false", _("Not met"))]


class CriterionRowForm(RowForm):
    text = forms.CharField(label=_("Criterion"), max_length=500)
    target = forms.CharField(label=_("Target"), max_length=200)
    achieved = forms.CharField(label=_("Achieved"), max_length=200, required=False)
    met = forms.NullBooleanField(label=_("Met"), required=False, widget=MetSelect)
    evidence = forms.CharField(label=_("Evidence"), max_length=500, required=False)

    def to_row(self, order: int) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "text": " ".join(data["text"].split()),
            "target": data["target"].strip(),
            "achieved": data["achieved"].strip(),
            "met": data["met"],
            "evidence": data["evidence"].strip(),
            "order": order,
        }


class PillarRowForm(RowForm):
    number = forms.IntegerField(label=_("No."), min_value=1, max_value=99)
    title = forms.CharField(label=_("Pillar"), max_length=300)
    description = forms.CharField(label=_("Description"), required=False)

    def to_row(self, order: int) -> dict[str, Any]:
        data = self.cleaned_data
        return {"number": data["number"], "title": data["title"].strip(), "description": data["description"].strip()}


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
        return [form.to_row(order) for order, form in enumerate(self.filled_forms(), start=1)]

    def keyed_forms(self) -> dict[str, forms.Form]:
        return {f"{self.prefix}-{index}": form for index, form in enumerate(self.filled_forms())}


class PillarFormSet(RowFormSet):
    def clean(self):
        super().clean()
        seen: set[int] = set()
        for form in self.filled_forms():
            number = getattr(form, "cleaned_data", {}).get("number")
            if number is None:
                continue
            if number in seen:
                form.add_error("number", _("Each pillar has its own number."))
            seen.add(number)


def _factory(form_class, formset_class=RowFormSet):
    return forms.formset_factory(
        form_class, formset=formset_class, extra=3, can_delete=True, max_num=100, absolute_max=100, validate_max=True
    )


CriterionFormSet = _factory(CriterionRowForm)
PillarFormSet = _factory(PillarRowForm, PillarFormSet)

#: (prefix, formset class) of the two inline tables, in page order.
INLINE_FORMSETS = (("criteria", CriterionFormSet), ("pillars", PillarFormSet))


def inline_formsets(data=None, *, model: DvkModel | None = None) -> dict[str, RowFormSet]:
    """The two formsets, bound to ``data`` or, for an edit page, filled with the model's rows.

    A bound formset is never given ``initial``: a row is then "filled" when it differs from the
    fields' defaults, which is what a blank row does not."""
    if data is not None:
        return {prefix: formset_class(data, prefix=prefix) for prefix, formset_class in INLINE_FORMSETS}
    initial: dict[str, list[dict]] = {"criteria": [], "pillars": []}
    if model is not None:
        initial = {
            "criteria": list(model.criteria.values("text", "target", "achieved", "met", "evidence")),
            "pillars": list(model.pillars.values("number", "title", "description")),
        }
    return {
        prefix: formset_class(prefix=prefix, initial=initial[prefix] or None)
        for prefix, formset_class in INLINE_FORMSETS
    }


# --- Moving a model through its lifecycle ----------------------------------------------------------


class StatusField(forms.ChoiceField):
    """Offers the steps given to the form but accepts any status, so the workflow (in the
    service) explains why a step is not allowed instead of a bare "select a valid choice"."""

    def valid_value(self, value) -> bool:
        return value in DvkStatus.values


class DvkTransitionForm(forms.Form):
    to_status = StatusField(label=_("Move to"))
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=textarea(2),
        help_text=_("What was done at this step. Required when the model stops: say why."),
    )
    effective_on = date_field(_("Happened on"), required=False, help_text=_("The day of this step; empty means today."))
    recognized_on = date_field(_("Recognized on"), required=False, help_text=_("Only when recognizing the model."))
    recognition_document = DocumentChoiceField(
        label=_("Recognition decision"),
        queryset=Document.objects.none(),
        required=False,
        empty_label=_("— not in the register —"),
        help_text=_("Only when recognizing the model."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, user, offered: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.offered = offered
        self.fields["to_status"].choices = [(value, DvkStatus(value).label) for value in offered]
        self.fields["recognition_document"].queryset = recognition_documents(user)

    @property
    def offers_recognition(self) -> bool:
        return DvkStatus.RECOGNIZED in self.offered


# --- Household commitments -------------------------------------------------------------------------


class VillageField(UnitChoiceField):
    """Lists the villages inside the model's locality but accepts any village: the service and
    the model's ``clean()`` refuse one outside the area, naming it."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return Unit.objects.get(pk=value, kind__in=VILLAGE_KINDS)
        except (ValueError, TypeError, Unit.DoesNotExist):
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice") from None


class CommitmentForm(forms.Form):
    """A household's commitment to ``model``; ``commitment`` (editing) adds the status, what was
    broken and the version, and keeps items no longer offered that the household signed."""

    household_head = forms.CharField(label=_("Household head"), max_length=150)
    village = VillageField(label=_("Village"), queryset=Unit.objects.none())
    signed_on = date_field(_("Signed on"))
    items = ItemsField(label=_("Items signed"))
    note = forms.CharField(label=_("Note"), max_length=500, required=False)
    status = forms.ChoiceField(label=_("Status"), choices=CommitmentStatus.choices, initial=CommitmentStatus.KEPT)
    broken_on = date_field(_("Broken on"), required=False, help_text=_("Only when the commitment was broken."))
    broken_items = ItemsField(
        label=_("Items broken"), required=False, help_text=_("Only when the commitment was broken.")
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user, model: DvkModel, commitment: HouseholdCommitment | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = _with_current(
            signing_villages(user, model), commitment.village_id if commitment else None, "path"
        )
        offered = CommitmentItem.objects.filter(is_active=True)
        if commitment is None:
            self.fields["items"].queryset = offered
            for name in ("status", "broken_on", "broken_items", "version"):
                del self.fields[name]
        else:
            signed = CommitmentItem.objects.filter(Q(is_active=True) | Q(pk__in=commitment.items.all()))
            self.fields["items"].queryset = signed
            # The service checks that only signed items are marked broken, with its own message.
            self.fields["broken_items"].queryset = signed

    def clean_household_head(self) -> str:
        return " ".join(self.cleaned_data["household_head"].split())

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        values = {name: data[name] for name in ("household_head", "village", "signed_on")}
        values["note"] = data["note"].strip()
        if "status" in data:
            values["status"] = data["status"]
            values["broken_on"] = data["broken_on"]
        return values


def commitment_initial(commitment: HouseholdCommitment) -> dict[str, Any]:
    return {
        "household_head": commitment.household_head,
        "village": commitment.village_id,
        "signed_on": commitment.signed_on,
        "items": list(commitment.items.all()),
        "note": commitment.note,
        "status": commitment.status,
        "broken_on": commitment.broken_on,
        "broken_items": list(commitment.broken_items.all()),
        "version": commitment.version,
    }


# --- Emulation pledges -----------------------------------------------------------------------------


class PledgeForm(forms.Form):
    unit = UnitChoiceField(label=_("Religious group"), queryset=Unit.objects.none())
    year = forms.IntegerField(label=_("Year"), min_value=FIRST_YEAR, max_value=LAST_YEAR)
    items = ItemsField(label=_("Items pledged"))
    signed_on = date_field(_("Signed on"))
    representative = forms.CharField(
        label=_("Representative"),
        max_length=150,
        required=False,
        help_text=_("Who signed for the group, e.g. the parish priest or the head of the parish council."),
    )
    result = forms.ChoiceField(label=_("Result"), choices=PledgeResult.choices, initial=PledgeResult.PLEDGED)
    assessment = forms.CharField(label=_("Assessment"), required=False, widget=textarea())
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user, pledge: EmulationPledge | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = _with_current(religious_groups(user), pledge.unit_id if pledge else None, "path")
        if pledge is None:
            self.fields["items"].queryset = CommitmentItem.objects.filter(is_active=True)
            del self.fields["version"]
        else:
            self.fields["items"].queryset = CommitmentItem.objects.filter(
                Q(is_active=True) | Q(pk__in=pledge.items.all())
            )

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        values = {name: data[name] for name in ("unit", "year", "signed_on", "result")}
        values["representative"] = " ".join(data["representative"].split())
        values["assessment"] = data["assessment"].strip()
        return values


def pledge_initial(pledge: EmulationPledge) -> dict[str, Any]:
    return {
        "unit": pledge.unit_id,
        "year": pledge.year,
        "items": list(pledge.items.all()),
        "signed_on": pledge.signed_on,
        "representative": pledge.representative,
        "result": pledge.result,
        "assessment": pledge.assessment,
        "version": pledge.version,
    }


# --- List filters ----------------------------------------------------------------------------------

YES_NO = [("yes", _("Yes")), ("no", _("No"))]


def _area_units(request) -> QuerySet[Unit]:
    user = getattr(request, "user", None)
    return access.visible_units(user).filter(kind__in=OWNER_KINDS).order_by("path")


def _visible_villages(request) -> QuerySet[Unit]:
    return access.visible_units(getattr(request, "user", None)).filter(kind__in=VILLAGE_KINDS).order_by("path")


def _visible_religious_groups(request) -> QuerySet[Unit]:
    user = getattr(request, "user", None)
    return access.visible_units(user).filter(kind=UnitKind.RELIGIOUS_GROUP).order_by("path")


def filter_models(request) -> QuerySet[DvkModel]:
    """Models a commitment list can be narrowed to: those the user sees, and those whose
    households live in the user's villages (a commune sees its households of a district model)."""
    user = getattr(request, "user", None)
    committed = HouseholdCommitment.objects.visible_to(user).values("model_id")
    return DvkModel.objects.filter(
        Q(pk__in=DvkModel.objects.visible_to(user).values("pk")) | Q(pk__in=committed)
    ).order_by("-registered_on", "-id")


class YearFilter(django_filters.Filter):
    """A whole year (2000–2100); on a date field it matches the dates of that year."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.extra.update(min_value=FIRST_YEAR, max_value=LAST_YEAR)


class DvkModelFilter(django_filters.FilterSet):
    """Filters of ``dvk_list``; the queryset it receives is already scoped to the user."""

    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_search",
        widget=SearchInput(attrs={"placeholder": _("Words of the name, target group or objectives")}),
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=DvkStatus.choices, empty_label=_("All statuses"))
    field = django_filters.ChoiceFilter(label=_("Field"), choices=DvkField.choices, empty_label=_("All fields"))
    level = django_filters.ChoiceFilter(label=_("Scope"), choices=DvkLevel.choices, empty_label=_("All scopes"))
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=DvkKind.choices, empty_label=_("All kinds"))
    pilot = django_filters.ChoiceFilter(
        label=_("Pilot"), choices=YES_NO, method="filter_pilot", empty_label=_("Pilot or not")
    )
    owner = django_filters.ModelChoiceFilter(
        label=_("Owner unit"), queryset=_area_units, method="filter_owner", empty_label=_("All units")
    )
    year = YearFilter(label=_("Year registered"), field_name="registered_on", lookup_expr="year")

    class Meta:
        model = DvkModel
        fields: list[str] = []

    def filter_search(self, queryset, name, value):
        return search_folded(queryset, value, "search_text")

    def filter_pilot(self, queryset, name, value):
        return queryset.filter(is_pilot=value == "yes")

    def filter_owner(self, queryset, name, value):
        return queryset.filter(owner_unit__path__startswith=value.path)


class CommitmentFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Household head"),
        method="filter_search",
        widget=SearchInput(attrs={"placeholder": _("Name, with or without accents")}),
    )
    model = django_filters.ModelChoiceFilter(label=_("Model"), queryset=filter_models, empty_label=_("All models"))
    village = django_filters.ModelChoiceFilter(
        label=_("Village"), queryset=_visible_villages, method="filter_village", empty_label=_("All villages")
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=CommitmentStatus.choices, empty_label=_("Kept or broken")
    )
    item = django_filters.ModelChoiceFilter(
        label=_("Item signed"),
        queryset=CommitmentItem.objects.order_by("order", "id"),
        field_name="items",
        empty_label=_("All items"),
    )
    year = YearFilter(label=_("Year signed"), field_name="signed_on", lookup_expr="year")

    class Meta:
        model = HouseholdCommitment
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["village"].field.label_from_instance = lambda unit: unit.name

    def filter_search(self, queryset, name, value):
        return search_folded(queryset, value, "search_text")

    def filter_village(self, queryset, name, value):
        return queryset.filter(village__path__startswith=value.path)


class PledgeFilter(django_filters.FilterSet):
    year = YearFilter(label=_("Year"))
    unit = django_filters.ModelChoiceFilter(
        label=_("Religious group"), queryset=_visible_religious_groups, empty_label=_("All religious groups")
    )
    result = django_filters.ChoiceFilter(label=_("Result"), choices=PledgeResult.choices, empty_label=_("All results"))

    class Meta:
        model = EmulationPledge
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["unit"].field.label_from_instance = lambda unit: unit.name
