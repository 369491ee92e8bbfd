"""Checks every uploaded file passes, whatever page, API or import receives it.

The type is decided from the content, not the name: a renamed executable keeps its ``.pdf``
name but not the ``%PDF-`` signature. A DOCX is a ZIP archive that must contain
``word/document.xml``. The size limit is ``settings.UPLOAD_MAX_BYTES`` (20 MB by default).
"""

from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class FileType:
    label: str
    extensions: tuple[str, ...]
    content_type: str
    signature: bytes


PDF = FileType("PDF", (".pdf",), "application/pdf", b"%PDF-")
DOCX = FileType(
    "Word (.docx)",
    (".docx",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    b"PK\x03\x04",
)
JPEG = FileType("JPEG", (".jpg", ".jpeg"), "image/jpeg", b"\xff\xd8\xff")
PNG = FileType("PNG", (".png",), "image/png", b"\x89PNG\r\n\x1a\n")

DOCUMENT_TYPES = (PDF, DOCX)
SCAN_TYPES = (PDF, DOCX, JPEG, PNG)


def _is_word_document(upload) -> bool:
    try:
        with zipfile.ZipFile(upload) as archive:
            return "word/document.xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    finally:
        upload.seek(0)


def validate_upload(upload, allowed: tuple[FileType, ...] = SCAN_TYPES) -> FileType:
    """Return the file's type, or raise ValidationError saying what is wrong and what to do."""
    extension = os.path.splitext(upload.name or "")[1].lower()
    matching = [kind for kind in allowed if extension in kind.extensions]
    labels = ", ".join(kind.label for kind in allowed)
    if not matching:
        raise ValidationError(
            _("%(name)s cannot be attached: only %(labels)s files are accepted."),
            code="file_type",
            params={"name": upload.name, "labels": labels},
        )
    limit = settings.UPLOAD_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("The file is %(size)s; the largest allowed is %(limit)s."),
            code="file_size",
            params={"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
        )
    if upload.size == 0:
        raise ValidationError(_("%(name)s is empty."), code="file_empty", params={"name": upload.name})
    kind = matching[0]
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    genuine = head.startswith(kind.signature) and (kind is not DOCX or _is_word_document(upload))
    if not genuine:
        raise ValidationError(
            _(
                "%(name)s is named %(extension)s but its content is not a %(label)s file. Save it in that format "
                "and try again."
            ),
            code="file_content",
            params={"name": upload.name, "extension": extension, "label": kind.label},
        )
    return kind
