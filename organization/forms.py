"""Forms of the organization pages. They validate and normalize; services write."""

from __future__ import annotations

import os
import zipfile

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from . import access
from .models import DocumentKind, Person, Unit

#: Day first as offices write it; ISO accepted for browsers' date pickers and links.
DATE_INPUTS = ["%d/%m/%Y", "%Y-%m-%d"]

PDF_MAGIC = b"%PDF-"
ZIP_MAGIC = b"PK\x03\x04"
ALLOWED_EXTENSIONS = (".pdf", ".docx")


def issuer_choices(user):
    """Units the user may issue documents for: editable by them and carrying a document symbol."""
    return access.editable_units(user).exclude(doc_symbol="").order_by("path")


class IssuerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        return f"{obj.name} ({obj.doc_symbol})"


def validate_document_file(upload) -> None:
    """Accept PDF or DOCX only, by content as well as by name, within the upload size limit.

    The first bytes are checked because a renamed executable keeps its ``.pdf`` name; a DOCX is a
    ZIP archive, so it must also contain ``word/document.xml`` to be a Word document.
    """
    extension = os.path.splitext(upload.name or "")[1].lower()
    if extension not in ALLOWED_EXTENSIONS:
        raise ValidationError(
            _("Only PDF or Word (.docx) files can be attached; %(name)s is neither."),
            code="file_type",
            params={"name": upload.name},
        )
    limit = settings.UPLOAD_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("The file is %(size)s; the largest allowed is %(limit)s."),
            code="file_size",
            params={"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
        )
    upload.seek(0)
    head = upload.read(len(PDF_MAGIC))
    upload.seek(0)
    if extension == ".pdf":
        if head != PDF_MAGIC:
            raise ValidationError(
                _("%(name)s is named .pdf but its content is not a PDF document. Save it as PDF and try again."),
                code="file_content",
                params={"name": upload.name},
            )
        return
    if not head.startswith(ZIP_MAGIC) or not _is_word_document(upload):
        raise ValidationError(
            _("%(name)s is named .docx but its content is not a Word document. Save it as .docx and try again."),
            code="file_content",
            params={"name": upload.name},
        )


def _is_word_document(upload) -> bool:
    try:
        with zipfile.ZipFile(upload) as archive:
            return "word/document.xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    finally:
        upload.seek(0)


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
