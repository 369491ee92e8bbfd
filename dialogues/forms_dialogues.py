"""Forms and list filters of the dialogue, conclusion-notice and engagement-meeting pages.

Forms validate and normalize only; ``dialogues.services`` writes. Every choice is scoped to the
user (``organization.access``), so a unit, village, person or document outside the user's scope
is refused by the form ("select a valid choice") before any service is called.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.template.defaultfilters import filesizeformat
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from organization import access, search
from organization.forms import IssuerChoiceField
from organization.models import COMMUNE_KINDS, Document, Person, Unit, UnitKind
from organization.uploads import SCAN_TYPES, validate_upload

from . import selectors
from .models import (
    Dialogue,
    DialogueKind,
    DialogueLevel,
    DialogueStatus,
    EngagementMeeting,
    HostBody,
    LegalTrack,
    Petition,
    PetitionField,
    PetitionType,
)
from .services import DIALOGUE_FIELDS, DirectiveInput, PetitionInput
from .workflow import PetitionStatus

#: Day first as offices write it; ISO accepted for date pickers and links built by other pages.
DATE_INPUTS = ["%d/%m/%Y", "%Y-%m-%d"]
#: Units that own dialogues and meetings: communes (and townships, wards) and districts.
OWNER_KINDS = frozenset({*COMMUNE_KINDS, UnitKind.DISTRICT})
VILLAGE_KINDS = frozenset({UnitKind.VILLAGE, UnitKind.RESIDENTIAL_CLUSTER})
#: Bodies a conclusion notice may direct: departments, people's committees, the Front, mass organizations.
AGENCY_KINDS = frozenset(
    {UnitKind.DEPARTMENT, UnitKind.PEOPLES_COMMITTEE, UnitKind.FATHERLAND_FRONT, UnitKind.MASS_ORGANIZATION}
)
ATTACHMENT_ACCEPT = ".pdf,.docx,.jpg,.jpeg,.png"


# --- Choices ----------------------------------------------------------------------------------


def recording_units(user) -> QuerySet[Unit]:
    """Units whose dialogues and meetings the user may record (editable, commune or district)."""
    return access.editable_units(user).filter(kind__in=OWNER_KINDS).order_by("path")


def commune_choices(user) -> QuerySet[Unit]:
    return access.editable_units(user).filter(kind__in=COMMUNE_KINDS).order_by("path")


def village_choices(user) -> QuerySet[Unit]:
    return access.editable_units(user).filter(kind__in=VILLAGE_KINDS).order_by("path")


def person_choices(user) -> QuerySet[Person]:
    return access.scope(Person.objects.filter(is_active=True), user).order_by("full_name")


def document_choices(user) -> QuerySet[Document]:
    documents = Document.objects.select_related("issuer").order_by("-date", "-number")
    return access.scope(documents, user, "issuer")


def issuer_choices(user) -> QuerySet[Unit]:
    return access.visible_units(user).exclude(doc_symbol="").order_by("path")


def agency_choices(user) -> QuerySet[Unit]:
    return access.visible_units(user).filter(kind__in=AGENCY_KINDS).order_by("path")


def default_issuer(dialogue, issuers: QuerySet[Unit]) -> Unit | None:
    """The Party committee that concludes this dialogue: the one attached to the locality of the
    dialogue's level (Huyện ủy for a district dialogue), else the nearest one above its unit."""
    localities = [dialogue.unit, *reversed(list(dialogue.unit.ancestors()))]
    committees = {unit.parent_id: unit for unit in issuers.filter(kind=UnitKind.PARTY_COMMITTEE, parent__in=localities)}
    level_kinds = {
        "province": {UnitKind.PROVINCE},
        "district": {UnitKind.DISTRICT},
        "commune": set(COMMUNE_KINDS),
    }.get(dialogue.level, set())
    for locality in localities:
        if locality.kind in level_kinds and locality.pk in committees:
            return committees[locality.pk]
    # A commune-level dialogue in a commune without its own committee: the district's concludes.
    for locality in localities:
        if locality.pk in committees:
            return committees[locality.pk]
    return None


# --- Widgets and fields -----------------------------------------------------------------------


class UnitPathSelect(forms.Select):
    """Options carry their unit's tree path, so ``dialogues.js`` can show only the villages under
    the commune chosen in another select (``data-within="<id of that select>"``)."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-path"] = instance.path
        return option


class DocumentChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Document) -> str:
        return f"{obj.symbol} — {obj.subject}"


class PetitionChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Petition) -> str:
        content = " ".join(obj.content.split())
        return f"#{obj.pk} · {content[:100]}{'…' if len(content) > 100 else ''}"


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class ScanFilesField(forms.FileField):
    """Several minutes files (PDF, DOCX, JPEG, PNG), each checked by content and size."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ATTACHMENT_ACCEPT}))
        super().__init__(**kwargs)

    def clean(self, data, initial=None) -> list:
        uploads = [item for item in (data if isinstance(data, list | tuple) else [data]) if item]
        if not uploads and self.required:
            raise ValidationError(self.error_messages["required"], code="required")
        errors: list[ValidationError] = []
        for upload in uploads:
            super().clean(upload, initial)
            try:
                validate_upload(upload, SCAN_TYPES)
            except ValidationError as error:
                errors.append(error)
        if errors:
            raise ValidationError(errors)
        return uploads


def date_field(label, **kwargs) -> forms.DateField:
    return forms.DateField(
        label=label,
        input_formats=DATE_INPUTS,
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": _("dd/mm/yyyy"), "autocomplete": "off"}),
        help_text=kwargs.pop("help_text", _("Day/month/year, e.g. 05/02/2024.")),
        **kwargs,
    )


def scan_files_help() -> str:
    return _("PDF, Word (.docx), JPEG or PNG; several files at once; each up to %(limit)s.") % {
        "limit": filesizeformat(settings.UPLOAD_MAX_BYTES)
    }


MINUTES_HELP = _(
    "Paragraphs, bold, italics, lists and tables are kept; anything else (scripts, links, styles) is removed."
)


# --- Dialogues --------------------------------------------------------------------------------


class DialogueForm(forms.Form):
    """The dialogue's own fields and its minutes. ``editing`` drops the owner unit (it cannot
    change) and the files (added from the dialogue's page), and adds the version check."""

    unit = forms.ModelChoiceField(
        label=_("Owner unit"),
        queryset=Unit.objects.none(),
        help_text=_("The commune (or district) whose record this is."),
    )
    level = forms.ChoiceField(label=_("Level"), choices=DialogueLevel.choices, initial=DialogueLevel.COMMUNE)
    host_body = forms.ChoiceField(label=_("Host body"), choices=HostBody.choices)
    kind = forms.ChoiceField(label=_("Kind"), choices=DialogueKind.choices, initial=DialogueKind.PERIODIC)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=DialogueStatus.choices,
        initial=DialogueStatus.HELD,
        help_text=_("A held dialogue cannot be dated in the future."),
    )
    topic = forms.CharField(label=_("Topic"), max_length=500)
    date = date_field(_("Date"))
    commune = forms.ModelChoiceField(
        label=_("Commune"), queryset=Unit.objects.none(), widget=UnitPathSelect, help_text=_("Where it was held.")
    )
    village = forms.ModelChoiceField(
        label=_("Village"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("— the whole commune —"),
        widget=UnitPathSelect(attrs={"data-within": "id_commune"}),
        help_text=_("Must lie in the chosen commune."),
    )
    venue = forms.CharField(label=_("Venue"), max_length=200, required=False)
    chaired_by = forms.ModelChoiceField(
        label=_("Chaired by"), queryset=Person.objects.none(), required=False, empty_label=_("— not recorded —")
    )
    audience = forms.CharField(label=_("Audience"), max_length=300, required=False)
    participant_count = forms.IntegerField(label=_("Participants"), min_value=0, initial=0)
    trigger_event = forms.CharField(
        label=_("Trigger event"),
        max_length=300,
        required=False,
        help_text=_("For an ad hoc dialogue: what prompted it, e.g. a storm."),
    )
    legal_basis = DocumentChoiceField(
        label=_("Legal basis"),
        queryset=Document.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
        help_text=_("Documents the dialogue was held under. Hold Ctrl to choose several."),
    )
    minutes_text = forms.CharField(
        label=_("Minutes"), required=False, widget=forms.Textarea(attrs={"rows": 8}), help_text=MINUTES_HELP
    )
    attachments = ScanFilesField(label=_("Minutes files (scans)"))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = recording_units(user)
        self.fields["commune"].queryset = commune_choices(user)
        self.fields["village"].queryset = village_choices(user)
        self.fields["chaired_by"].queryset = person_choices(user)
        self.fields["legal_basis"].queryset = document_choices(user)
        self.fields["attachments"].help_text = scan_files_help()
        if editing:
            del self.fields["unit"], self.fields["attachments"]
            self.fields["version"].required = True
        else:
            del self.fields["version"]

    def clean_topic(self) -> str:
        return " ".join(self.cleaned_data["topic"].split())

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in DIALOGUE_FIELDS if name in self.cleaned_data}


class MinutesForm(forms.Form):
    """File minutes from the dialogue's page: the text, scans, or both."""

    minutes_text = forms.CharField(
        label=_("Minutes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=format_lazy("{} {}", _("Leave empty to keep the current text."), MINUTES_HELP),
    )
    attachments = ScanFilesField(label=_("Minutes files (scans)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachments"].help_text = scan_files_help()

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not (cleaned.get("minutes_text", "").strip() or cleaned.get("attachments")):
            raise ValidationError(_("Type the minutes or choose at least one file."))
        return cleaned


class PetitionForm(forms.Form):
    """One petition (or, at an engagement meeting, one opinion). A form left blank is skipped."""

    type = forms.ChoiceField(label=_("Type"), choices=PetitionType.choices, initial=PetitionType.REQUEST)
    field = forms.ChoiceField(label=_("Field"), choices=[("", _("— choose —")), *PetitionField.choices])
    content = forms.CharField(label=_("Content"), widget=forms.Textarea(attrs={"rows": 2}))
    petitioner = forms.CharField(label=_("Raised by"), max_length=200, required=False)
    village = forms.ModelChoiceField(
        label=_("Village"), queryset=Unit.objects.none(), required=False, empty_label=_("— not recorded —")
    )
    legal_track = forms.ChoiceField(
        label=_("Legal complaint or denunciation"),
        choices=LegalTrack.choices,
        required=False,
        help_text=_("Recorded and routed to the legal track, not handled here."),
    )
    answered_on_spot = forms.BooleanField(label=_("Answered on the spot"), required=False)
    on_spot_answer = forms.CharField(
        label=_("Answer given on the spot"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, villages: QuerySet[Unit] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages if villages is not None else Unit.objects.none()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("answered_on_spot") and not cleaned.get("legal_track") and not cleaned.get("on_spot_answer"):
            self.add_error("on_spot_answer", _("Write the answer given on the spot."))
        return cleaned

    def to_input(self) -> PetitionInput:
        data = self.cleaned_data
        return PetitionInput(
            type=data["type"],
            field=data["field"],
            content=data["content"].strip(),
            petitioner=data["petitioner"].strip(),
            village=data["village"],
            legal_track=data["legal_track"] or "",
            answered_on_spot=data["answered_on_spot"],
            on_spot_answer=data["on_spot_answer"].strip(),
        )


class FilledFormSet(forms.BaseFormSet):
    """A formset whose blank extra forms are ignored (three are offered without JavaScript)."""

    def filled_forms(self) -> list[forms.Form]:
        return [form for form in self.forms if form.has_changed()]


class BasePetitionFormSet(FilledFormSet):
    def villages_within(self, unit: Unit) -> bool:
        """Whether every filled form's village lies in ``unit``; marks the ones that do not.

        The engagement-meeting service reports a petition's errors by field name, which would
        land on the meeting's own fields, so this is checked before calling it."""
        valid = True
        for form in self.filled_forms():
            village = form.cleaned_data.get("village")
            if village is not None and not village.is_descendant_of(unit):
                form.add_error("village", _("The village must belong to the meeting's unit."))
                valid = False
        return valid


PetitionFormSet = forms.formset_factory(PetitionForm, formset=BasePetitionFormSet, extra=3)


def petition_formset(data=None, *, user, prefix: str = "petitions") -> BasePetitionFormSet:
    return PetitionFormSet(data, prefix=prefix, form_kwargs={"villages": village_choices(user)})


# --- Conclusion notices -----------------------------------------------------------------------


class NoticeForm(forms.Form):
    issuer = IssuerChoiceField(
        label=_("Issued by"),
        queryset=Unit.objects.none(),
        help_text=_("The number is the next notice (TB) of this body in the current term."),
    )
    date = date_field(_("Date"))
    signer = forms.ModelChoiceField(
        label=_("Signer"), queryset=Person.objects.none(), required=False, empty_label=_("— not recorded —")
    )
    summary = forms.CharField(
        label=_("Conclusions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What the leaders concluded at the dialogue."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issuer"].queryset = issuer_choices(user)
        self.fields["signer"].queryset = person_choices(user)


class DirectiveForm(forms.Form):
    agency = forms.ModelChoiceField(label=_("Agency"), queryset=Unit.objects.none())
    content = forms.CharField(label=_("Directive"), widget=forms.Textarea(attrs={"rows": 2}))
    deadline = date_field(_("Deadline"))
    petitions = PetitionChoiceField(
        label=_("Petitions assigned"),
        queryset=Petition.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only petitions still waiting for an assignment are listed."),
    )

    def __init__(self, *args, agencies: QuerySet[Unit], petitions: QuerySet[Petition], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies
        self.fields["petitions"].queryset = petitions

    def to_input(self) -> DirectiveInput:
        data = self.cleaned_data
        return DirectiveInput(
            agency=data["agency"],
            content=data["content"].strip(),
            deadline=data["deadline"],
            petitions=list(data["petitions"]),
        )


class BaseDirectiveFormSet(FilledFormSet):
    def clean(self):
        super().clean()
        seen: dict[int, int] = {}
        for index, form in enumerate(self.forms):
            if not form.has_changed() or not hasattr(form, "cleaned_data"):
                continue
            for petition in form.cleaned_data.get("petitions", []):
                if petition.pk in seen:
                    form.add_error(
                        "petitions",
                        _("Petition #%(id)s is already in directive %(number)s; assign it once.")
                        % {"id": petition.pk, "number": seen[petition.pk] + 1},
                    )
                seen.setdefault(petition.pk, index)


DirectiveFormSet = forms.formset_factory(DirectiveForm, formset=BaseDirectiveFormSet, extra=3)


def directive_formset(data=None, *, user, dialogue) -> BaseDirectiveFormSet:
    petitions = selectors.petitions_for(user).filter(dialogue=dialogue, status=PetitionStatus.RECEIVED).order_by("id")
    return DirectiveFormSet(
        data,
        prefix="directives",
        form_kwargs={"agencies": agency_choices(user), "petitions": petitions},
    )


# --- Engagement meetings ----------------------------------------------------------------------

ENGAGEMENT_FIELDS = (
    "unit",
    "date",
    "host",
    "village",
    "clergy_count",
    "followers_count",
    "prestigious_count",
    "elders_count",
    "others_count",
    "religions",
    "purposes",
    "notes",
)


class EngagementMeetingForm(forms.ModelForm):
    """A meeting with clergy, elders and prestigious persons. A ModelForm for its labels and
    types only: the service validates the model and saves."""

    class Meta:
        model = EngagementMeeting
        fields = ENGAGEMENT_FIELDS
        widgets = {
            "village": UnitPathSelect(attrs={"data-within": "id_unit"}),
            "purposes": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {"religions": _("E.g. Catholic, Protestant, Buddhist.")}

    date = date_field(_("Date"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = recording_units(user)
        self.fields["village"].queryset = village_choices(user)
        self.fields["village"].empty_label = _("— not recorded —")

    def _post_clean(self):
        # Model validation (dates, village within the unit) is the service's; see module docstring.
        pass

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in ENGAGEMENT_FIELDS}


# --- List filters -----------------------------------------------------------------------------


class SearchInput(forms.TextInput):
    input_type = "search"


def _place_choices(request):
    return access.visible_units(getattr(request, "user", None)).filter(kind__in=OWNER_KINDS).order_by("path")


YES_NO = (("yes", _("Yes")), ("no", _("No")))


class DateRangeFilterSet(django_filters.FilterSet):
    date_from = django_filters.DateFilter(
        label=_("From"),
        field_name="date",
        lookup_expr="gte",
        input_formats=DATE_INPUTS,
        widget=forms.DateInput(attrs={"placeholder": _("dd/mm/yyyy")}),
    )
    date_to = django_filters.DateFilter(
        label=_("To"),
        field_name="date",
        lookup_expr="lte",
        input_formats=DATE_INPUTS,
        widget=forms.DateInput(attrs={"placeholder": _("dd/mm/yyyy")}),
    )

    def filter_place(self, queryset, name, value):
        """The unit's subtree as owner or as the place held: a district dialogue held in a
        commune is found under that commune too."""
        return queryset.filter(Q(unit__path__startswith=value.path) | Q(**{f"{name}__path__startswith": value.path}))


class DialogueFilter(DateRangeFilterSet):
    unit = django_filters.ModelChoiceFilter(
        label=_("Unit"),
        queryset=_place_choices,
        field_name="commune",
        method="filter_place",
        empty_label=_("All units"),
    )
    host_body = django_filters.ChoiceFilter(label=_("Host body"), choices=HostBody.choices, empty_label=_("All"))
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=DialogueKind.choices, empty_label=_("All"))
    level = django_filters.ChoiceFilter(label=_("Level"), choices=DialogueLevel.choices, empty_label=_("All"))
    status = django_filters.ChoiceFilter(label=_("Status"), choices=DialogueStatus.choices, empty_label=_("All"))
    has_minutes = django_filters.ChoiceFilter(
        label=_("Minutes filed"), choices=YES_NO, method="filter_has_minutes", empty_label=_("All")
    )
    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_search",
        widget=SearchInput(attrs={"placeholder": _("Topic, minutes or petitions, accents optional")}),
    )

    class Meta:
        model = Dialogue
        fields: list[str] = []

    def filter_has_minutes(self, queryset, name, value):
        return queryset.filter(minutes_filed_at__isnull=value != "yes")

    def filter_search(self, queryset, name, value):
        # Folded search keys are stored on each row, so this stays in SQL: the dialogue's own text,
        # or (EXISTS, so no duplicate rows) any petition raised at it.
        own = selectors.search_folded(queryset, value, "search_text")
        petitions = selectors.search_folded(Petition.objects.filter(dialogue=OuterRef("pk")), value, "search_text")
        return own | queryset.filter(Exists(petitions))


class EngagementFilter(DateRangeFilterSet):
    unit = django_filters.ModelChoiceFilter(
        label=_("Unit"),
        queryset=_place_choices,
        field_name="village",
        method="filter_place",
        empty_label=_("All units"),
    )
    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_search",
        widget=SearchInput(attrs={"placeholder": _("Host or religions, accents optional")}),
    )

    class Meta:
        model = EngagementMeeting
        fields: list[str] = []

    def filter_search(self, queryset, name, value):
        # Meetings number a few dozen a year per district: folding host and religions in Python
        # over the rows already in scope is cheap.
        return search.filter_folded(queryset, value, ("host", "religions"))
