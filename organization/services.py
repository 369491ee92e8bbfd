"""Writes to organization data. Views, API, commands and imports all call these."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from .models import Document, DocumentCounter, Person, Term, Unit, User


class StaleVersion(ValidationError):
    """Someone else saved the record since it was opened: reload instead of overwriting.

    Every editable record carries a ``version``; services take the version the user saw and
    refuse the write when it moved (optimistic concurrency, DESIGN.md principle 5)."""


def check_version(obj, expected: int | None) -> None:
    if expected is not None and obj.version != expected:
        raise StaleVersion(_("Someone else changed this record while you were editing it. Reload it and try again."))


def term_for(issuer: Unit, day: date) -> Term:
    """The term covering ``day`` of the issuer or its nearest ancestor that keeps terms.

    A board of the district Party committee (Ban Dân vận) numbers its documents within the
    committee's term, so the search walks up the tree.
    """
    chain = [issuer, *reversed(list(issuer.ancestors()))]
    for unit in chain:
        term = Term.objects.filter(unit=unit, start_date__lte=day, end_date__gte=day).first()
        if term is not None:
            return term
    raise ValidationError(
        {
            "date": _("No Party term covers %(day)s for %(issuer)s.")
            % {"day": day.strftime("%d/%m/%Y"), "issuer": issuer.name}
        }
    )


def _next_number(*, issuer: Unit, kind: str, term: Term) -> int:
    # get_or_create survives two first-ever issues racing (it retries the read after the
    # unique constraint refuses the second insert); select_for_update then serializes allotment.
    counter, _created = DocumentCounter.objects.get_or_create(issuer=issuer, kind=kind, term=term)
    counter = DocumentCounter.objects.select_for_update().get(pk=counter.pk)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.last_number


@transaction.atomic
def document_issue(
    *,
    issuer: Unit,
    kind: str,
    day: date,
    subject: str,
    created_by: User | None,
    signer: Person | None = None,
    term: Term | None = None,
    file: UploadedFile | None = None,
) -> Document:
    """Register a document and give it the next number of its (issuer, kind, term).

    The counter row is locked inside this transaction, so two people issuing at the same moment
    get consecutive numbers, and a failure anywhere rolls the number back: no gaps, no duplicates.
    """
    if not issuer.doc_symbol:
        raise ValidationError({"issuer": _("%(issuer)s has no document symbol.") % {"issuer": issuer.name}})
    if not issuer.is_valid_on(day):
        raise ValidationError(
            {
                "date": _("%(issuer)s did not exist on %(day)s.")
                % {"issuer": issuer.name, "day": day.strftime("%d/%m/%Y")}
            }
        )
    term = term or term_for(issuer, day)
    if not term.covers(day):
        raise ValidationError({"date": _("The date is outside the term %(term)s.") % {"term": term}})
    document = Document(
        issuer=issuer, kind=kind, term=term, date=day, subject=subject, signer=signer, created_by=created_by
    )
    if file is not None:
        document.file = file
    document.number = 0  # placeholder so full_clean can check the other fields first
    document.full_clean(exclude=["number"], validate_unique=False, validate_constraints=False)
    document.number = _next_number(issuer=issuer, kind=kind, term=term)
    # Outside a web request (commands, imports, tasks) the history middleware knows no user.
    document._history_user = created_by
    document.save()
    return document


@transaction.atomic
def unit_save(*, unit: Unit) -> Unit:
    """Validate and save a unit (validity inside the parent's, no cycles)."""
    unit.full_clean()
    unit.save()
    return unit
