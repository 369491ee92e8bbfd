"""Forms and filters of the petition pages, the agency inbox and reported aggregates.

They validate and normalize only; ``dialogues.services`` writes. Every choice of a unit,
agency, village or document is scoped to the user, so a value outside the scope is refused by
the form, not merely hidden.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.conf import settings
from django.db.models import Q
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from organization import access
from organization.models import Document, Unit, UnitKind
from organization.uploads import SCAN_TYPES, validate_upload

from .models import (
    HostBody,
    LegalTrack,
    Petition,
    PetitionField,
    PetitionSource,
    PetitionType,
    ReportedMetric,
)
from .selectors import search_folded
from .workflow import Action, PetitionStatus

#: Day first as offices write it; ISO accepted for browsers' date pickers and links.
DATE_INPUTS = ["%d/%m/%Y", "%Y-%m-%d"]
#: Units a petition can belong to (villages are chosen separately).
OWNER_KINDS = (UnitKind.PROVINCE, UnitKind.DISTRICT, UnitKind.COMMUNE, UnitKind.TOWNSHIP, UnitKind.WARD)
VILLAGE_KINDS = (UnitKind.VILLAGE, UnitKind.RESIDENTIAL_CLUSTER)
#: Bodies a petition can be assigned to for an answer.
AGENCY_KINDS = (
    UnitKind.DEPARTMENT,
    UnitKind.PEOPLES_COMMITTEE,
    UnitKind.PEOPLES_COUNCIL,
    UnitKind.OFFICE,
    UnitKind.BOARD,
    UnitKind.FATHERLAND_FRONT,
    UnitKind.MASS_ORGANIZATION,
)
#: Sources offered on the "new petition" page. Dialogue petitions are added on the dialogue's
#: page and opinions of a meeting with dignitaries on the meeting's page, linked to it.
DIRECT_SOURCES = [
    (value, label)
    for value, label in PetitionSource.choices
    if value not in {PetitionSource.DIALOGUE, PetitionSource.DIGNITARIES_MEETING}
]


def date_widget() -> forms.DateInput:
    return forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": _("dd/mm/yyyy"), "autocomplete": "off"})


def date_field(label, **kwargs) -> forms.DateField:
    kwargs.setdefault("help_text", _("Day/month/year, e.g. 05/02/2024."))
    return forms.DateField(label=label, input_formats=DATE_INPUTS, widget=date_widget(), **kwargs)


def owner_units(user):
    """Communes (and districts) where the user may record petitions and aggregates."""
    return access.editable_units(user).filter(kind__in=OWNER_KINDS).order_by("path")


def agency_choices(user, petition: Petition | None = None):
    """Agencies in the user's scope that existed when the petition was received."""
    units = access.visible_units(user).filter(kind__in=AGENCY_KINDS)
    if petition is not None:
        units = units.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=petition.received_on))
    return units.order_by("path")


class SearchInput(forms.TextInput):
    input_type = "search"


# --- The petition list --------------------------------------------------------------------


def _unit_filter_choices(request):
    user = getattr(request, "user", None)
    return access.visible_units(user).filter(kind__in=OWNER_KINDS).order_by("path")


class PetitionFilter(django_filters.FilterSet):
    """Filters of ``petition_list``. The queryset it receives is already scoped to the user."""

    unit = django_filters.ModelChoiceFilter(
        label=_("Commune"), queryset=_unit_filter_choices, method="filter_unit", empty_label=_("All units")
    )
    received_from = django_filters.DateFilter(
        label=_("Received from"), field_name="received_on", lookup_expr="gte", input_formats=DATE_INPUTS
    )
    received_to = django_filters.DateFilter(
        label=_("Received to"), field_name="received_on", lookup_expr="lte", input_formats=DATE_INPUTS
    )
    source = django_filters.ChoiceFilter(label=_("Source"), choices=PetitionSource.choices, empty_label=_("All"))
    type = django_filters.ChoiceFilter(label=_("Type"), choices=PetitionType.choices, empty_label=_("All"))
    field = django_filters.ChoiceFilter(label=_("Field"), choices=PetitionField.choices, empty_label=_("All fields"))
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=PetitionStatus.choices, empty_label=_("All statuses")
    )
    agency = django_filters.ModelChoiceFilter(
        label=_("Assigned agency"),
        field_name="assigned_agency",
        queryset=Unit.objects.none(),
        empty_label=_("All agencies"),
    )
    overdue = django_filters.ChoiceFilter(
        label=_("Overdue"),
        choices=[("yes", _("Overdue only")), ("no", _("Not overdue"))],
        method="filter_overdue",
        empty_label=_("All"),
    )
    host = django_filters.ChoiceFilter(
        label=_("Dialogue host"),
        field_name="dialogue__host_body",
        choices=HostBody.choices,
        empty_label=_("Any host"),
    )
    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_search",
        widget=SearchInput(attrs={"placeholder": _("Words of the content, with or without accents")}),
    )

    class Meta:
        model = Petition
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("received_from", "received_to"):
            self.filters[name].field.widget = date_widget()
        # Agencies the visible petitions are assigned to: one subquery, whatever the row count.
        self.filters["agency"].queryset = Unit.objects.filter(
            pk__in=self.queryset.order_by().exclude(assigned_agency=None).values("assigned_agency")
        ).order_by("path")

    def filter_unit(self, queryset, name, value):
        return queryset.filter(unit__path__startswith=value.path)

    def filter_overdue(self, queryset, name, value):
        overdue = Petition.objects.overdue().values("pk")
        if value == "yes":
            return queryset.filter(pk__in=overdue)
        return queryset.exclude(pk__in=overdue)

    def filter_search(self, queryset, name, value):
        return search_folded(queryset, value, "search_text")


# --- Recording a petition -----------------------------------------------------------------


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        return obj.name


class PetitionCreateForm(forms.Form):
    unit = UnitChoiceField(label=_("Commune"), queryset=Unit.objects.none(), empty_label=None)
    source = forms.ChoiceField(label=_("Source"), choices=DIRECT_SOURCES)
    received_on = date_field(_("Received on"))
    type = forms.ChoiceField(label=_("Type"), choices=PetitionType.choices, initial=PetitionType.REQUEST)
    field = forms.ChoiceField(label=_("Field"), choices=PetitionField.choices)
    content = forms.CharField(label=_("Content"), widget=forms.Textarea(attrs={"rows": 5}))
    petitioner = forms.CharField(
        label=_("Raised by"), max_length=200, required=False, help_text=_("Name of the citizen or group, if known.")
    )
    village = UnitChoiceField(
        label=_("Village"), queryset=Unit.objects.none(), required=False, empty_label=_("— not recorded —")
    )
    legal_track = forms.ChoiceField(
        label=_("Legal complaint or denunciation"),
        choices=LegalTrack.choices,
        required=False,
        help_text=_("Complaints and denunciations follow the legal track: they are recorded and routed out."),
    )
    answered_on_spot = forms.BooleanField(label=_("Answered on the spot"), required=False)
    on_spot_answer = forms.CharField(
        label=_("Answer given on the spot"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = owner_units(user)
        self.fields["village"].queryset = access.editable_units(user).filter(kind__in=VILLAGE_KINDS).order_by("path")

    def clean_content(self) -> str:
        return self.cleaned_data["content"].strip()

    def clean(self):
        data = super().clean()
        if data.get("answered_on_spot") and not (data.get("on_spot_answer") or "").strip():
            self.add_error("on_spot_answer", _("Write the answer given on the spot."))
        return data


# --- Workflow actions on the petition page -------------------------------------------------


class TransitionForm(forms.Form):
    """Fields every action posts: which action, and the version the user saw."""

    action = forms.ChoiceField(choices=Action.choices, widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    comment_required = False

    def __init__(self, *args, user=None, petition: Petition | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["comment"].required = self.comment_required

    def clean_comment(self) -> str:
        return self.cleaned_data["comment"].strip()


class AssignForm(TransitionForm):
    agency = forms.ModelChoiceField(label=_("Agency"), queryset=Unit.objects.none(), empty_label=None)
    deadline = date_field(_("Deadline"))

    field_order = ["action", "version", "agency", "deadline", "comment"]

    def __init__(self, *args, user=None, petition: Petition | None = None, **kwargs):
        super().__init__(*args, user=user, petition=petition, **kwargs)
        agencies = agency_choices(user, petition)
        if petition is not None and petition.assigned_agency_id:
            agencies = agencies.exclude(pk=petition.assigned_agency_id)
        self.fields["agency"].queryset = agencies


class RequiredCommentForm(TransitionForm):
    comment_required = True


class TransferForm(RequiredCommentForm):
    pass


class ReopenForm(RequiredCommentForm):
    pass


class AnswerOnSpotForm(RequiredCommentForm):
    pass


#: The form each action posts, and the label of its comment box.
ACTION_FORMS: dict[str, tuple[type[TransitionForm], str]] = {
    Action.ANSWER_ON_SPOT: (AnswerOnSpotForm, _("Answer given on the spot")),
    Action.ASSIGN: (AssignForm, _("Comment")),
    Action.REASSIGN: (AssignForm, _("Why it is re-assigned")),
    Action.START: (TransitionForm, _("Comment")),
    Action.TRANSFER: (TransferForm, _("Transferred to whom, and why")),
    Action.RESOLVE: (TransitionForm, _("Comment")),
    Action.REOPEN: (ReopenForm, _("Why the answer is insufficient")),
    Action.ROUTE_OUT: (TransitionForm, _("Comment")),
}


def action_form(action: str, *, user, petition: Petition, data=None) -> TransitionForm:
    form_class, comment_label = ACTION_FORMS[action]
    form = form_class(
        data,
        user=user,
        petition=petition,
        initial={"action": action, "version": petition.version},
        auto_id=f"id_{action}_%s",
    )
    form.fields["comment"].label = comment_label
    return form


# --- The agency's answer -------------------------------------------------------------------


class ResponseForm(forms.Form):
    text = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 6}))
    answered_on = date_field(_("Answer date"))
    document = forms.ModelChoiceField(
        label=_("Document"),
        queryset=Document.objects.none(),
        required=False,
        empty_label=_("— none —"),
        help_text=_("The official letter of the answer, if it is in the document register."),
    )
    file = forms.FileField(
        label=_("File"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.docx,.jpg,.jpeg,.png"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        documents = access.scope(Document.objects.select_related("issuer"), user, "issuer")
        self.fields["document"].queryset = documents.order_by("-date", "-number")
        self.fields["file"].help_text = _("Optional. PDF, Word (.docx), JPEG or PNG, up to %(limit)s.") % {
            "limit": filesizeformat(settings.UPLOAD_MAX_BYTES)
        }

    def clean_text(self) -> str:
        return self.cleaned_data["text"].strip()

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload:
            validate_upload(upload, SCAN_TYPES)
        return upload


# --- Reported aggregates -------------------------------------------------------------------


class AggregateForm(forms.Form):
    unit = UnitChoiceField(label=_("Unit"), queryset=Unit.objects.none(), empty_label=None)
    metric = forms.ChoiceField(label=_("Figure"), choices=ReportedMetric.choices)
    host_body = forms.ChoiceField(
        label=_("Host body"),
        choices=[("", _("— any —")), *HostBody.choices],
        required=False,
        help_text=_("For dialogues: who held them, as the source counts them."),
    )
    period_start = date_field(_("From"))
    period_end = date_field(_("To"))
    total = forms.IntegerField(label=_("Reported total"), min_value=0)
    source = forms.CharField(
        label=_("Source"),
        max_length=500,
        help_text=_("Where the figure was printed, e.g. the report or article and its date."),
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = owner_units(user)

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The period ends before it starts."))
        return data


class AggregatePartForm(forms.Form):
    label = forms.CharField(label=_("Part"), max_length=100, required=False)
    value = forms.IntegerField(label=_("Value"), min_value=0, required=False)

    def clean(self):
        data = super().clean()
        label, value = (data.get("label") or "").strip(), data.get("value")
        if label and value is None:
            self.add_error("value", _("Enter the value of this part."))
        if value is not None and not label:
            self.add_error("label", _("Name this part, e.g. a year."))
        data["label"] = label
        return data


class BaseAggregatePartFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        labels = [form.cleaned_data["label"] for form in self.forms if form.cleaned_data.get("label")]
        if len(labels) != len(set(labels)):
            raise forms.ValidationError(_("Each part must have its own label."))

    def parts(self) -> list[tuple[str, int]]:
        return [
            (form.cleaned_data["label"], form.cleaned_data["value"])
            for form in self.forms
            if form.cleaned_data.get("label")
        ]


AggregatePartFormSet = forms.formset_factory(
    AggregatePartForm, formset=BaseAggregatePartFormSet, extra=5, max_num=20, absolute_max=20, validate_max=True
)
