"""Forms of the organization pages. They validate and normalize; services write."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from . import access
from .models import DocumentKind, Person, Unit
from .uploads import DOCUMENT_TYPES, validate_upload

#: Day first as offices write it; ISO accepted for browsers' date pickers and links.
DATE_INPUTS = ["%d/%m/%Y", "%Y-%m-%d"]


def issuer_choices(user):
    """Units the user may issue documents for: editable by them and carrying a document symbol."""
    return access.editable_units(user).exclude(doc_symbol="").order_by("path")


class IssuerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        return f"{obj.name} ({obj.doc_symbol})"


def validate_document_file(upload) -> None:
    """Accept PDF or DOCX only, by content as well as by name, within the upload size limit."""
    validate_upload(upload, DOCUMENT_TYPES)


class DocumentIssueForm(forms.Form):
    issuer = IssuerChoiceField(label=_("Issuer"), queryset=Unit.objects.none(), empty_label=None)
    kind = forms.ChoiceField(label=_("Kind"), choices=DocumentKind.choices)
    date = forms.DateField(
        label=_("Date"),
        input_formats=DATE_INPUTS,
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": _("dd/mm/yyyy"), "autocomplete": "off"}),
        help_text=_("Day/month/year, e.g. 05/02/2024."),
    )
    subject = forms.CharField(
        label=_("Subject"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    signer = forms.ModelChoiceField(
        label=_("Signer"),
        queryset=Person.objects.none(),
        required=False,
        empty_label=_("— not recorded —"),
    )
    file = forms.FileField(
        label=_("File"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.docx"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issuer"].queryset = issuer_choices(user)
        self.fields["file"].help_text = _("Optional. PDF or Word (.docx), up to %(limit)s.") % {
            "limit": filesizeformat(settings.UPLOAD_MAX_BYTES)
        }
        self.fields["signer"].queryset = access.scope(Person.objects.filter(is_active=True), user).order_by("full_name")

    def clean_subject(self) -> str:
        return " ".join(self.cleaned_data["subject"].split())

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload:
            validate_document_file(upload)
        return upload
