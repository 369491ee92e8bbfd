"""Forms of the scoring grid and the scorecard page.

Forms validate and normalize only; ``campaigns.services`` writes. Scores are typed the
Vietnamese way ("7,5") through ``organization.numbers``. Every message names the unit and the
criterion it is about ("Bản Vành – TC2: at most 30 points."), since a grid holds dozens of
inputs and the officer must find the one to fix.

The grid form deliberately accepts scores for any unit posted, not only the rows it rendered:
the service is the authority on who may score what, and refuses a unit of another commune with
its own message instead of the form silently dropping it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from organization import access
from organization.models import COMMUNE_KINDS, Unit
from organization.numbers import VietnameseDecimalField

from .models import Criterion, ScoreEntry, ScoringRound, format_points
from .services import EntryInput

SCORE_FIELD = re.compile(r"^s-(\d+)-(\d+)$")
SAVE, SUBMIT = "save", "submit"


def score_name(unit_id: int, criterion_id: int) -> str:
    return f"s-{unit_id}-{criterion_id}"


def version_name(unit_id: int) -> str:
    return f"v-{unit_id}"


def score_text(value: Decimal | None) -> str:
    """How a stored score is shown in an input: "7,5", "40" (the inputs read the Vietnamese way)."""
    return "" if value is None else format_points(value)


def posted_unit_ids(data) -> set[int]:
    """Units whose scores a POST carries (``s-<unit>-<criterion>``), whether rendered or not."""
    found = set()
    for key in data:
        match = SCORE_FIELD.match(key)
        if match:
            found.add(int(match.group(1)))
    return found


def grid_communes(user, round_: ScoringRound) -> QuerySet[Unit]:
    """Communes of the movement's area the user may see that existed during the round's month:
    a commune officer gets their own, district staff and leaders every commune of theirs."""
    start, end = round_.month, round_.month_end()
    return (
        access.visible_units(user)
        .filter(kind__in=COMMUNE_KINDS, path__startswith=round_.movement.unit.path, valid_from__lte=end)
        .exclude(valid_to__lt=start)
        .order_by("name", "path")
    )


class GridForm(forms.Form):
    """One field per unit and criterion (``s-<unit>-<criterion>``) and a version per unit."""

    def __init__(self, data=None, *, units: Iterable[Unit], criteria: list[Criterion], initial=None):
        super().__init__(data, initial=initial)
        self.units = list(units)
        self.criteria = criteria
        for unit in self.units:
            for criterion in criteria:
                field = VietnameseDecimalField(
                    label=f"{unit.name} – {criterion.code}",
                    required=False,
                    min_value=None,
                    max_length=12,
                )
                field.widget.attrs.update({"inputmode": "decimal", "autocomplete": "off"})
                self.fields[score_name(unit.pk, criterion.pk)] = field
            self.fields[version_name(unit.pk)] = forms.IntegerField(
                required=False, min_value=0, widget=forms.HiddenInput
            )

    def clean(self):
        cleaned = super().clean()
        for unit in self.units:
            for criterion in self.criteria:
                name = score_name(unit.pk, criterion.pk)
                value = cleaned.get(name)
                if value is None:
                    continue
                if value < 0:
                    self.add_error(name, _("A score cannot be negative."))
                elif value > criterion.max_points:
                    self.add_error(name, _("At most %(max)s points.") % {"max": format_points(criterion.max_points)})
        return cleaned

    def problems(self) -> list[str]:
        """Every error as "<unit> – <criterion>: <message>", in grid order."""
        found = []
        for name, errors in self.errors.items():
            label = self.fields[name].label if name in self.fields else ""
            for message in errors:
                found.append(f"{label}: {message}" if label else str(message))
        return found

    def rows(self, unit_ids: Iterable[int]) -> dict[int, dict[int, Decimal | None]]:
        """``{unit id: {criterion id: score}}`` for the service (empty cells are None)."""
        return {
            unit_id: {c.pk: self.cleaned_data.get(score_name(unit_id, c.pk)) for c in self.criteria}
            for unit_id in unit_ids
        }

    def versions(self) -> dict[int, int]:
        found = {}
        for unit in self.units:
            value = self.cleaned_data.get(version_name(unit.pk))
            if value is not None:
                found[unit.pk] = value
        return found


# --- The scorecard page --------------------------------------------------------------------------


def _criterion_label(criterion: Criterion) -> str:
    return f"{criterion.code}. {criterion.text}"


class EvidenceForm(forms.Form):
    """The commune's self-assessed scores with their evidence notes and photos."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(
        self,
        data=None,
        files=None,
        *,
        criteria: list[Criterion],
        entries: dict[int, ScoreEntry],
        require_scores: bool = False,
        initial=None,
    ):
        initial = dict(initial or {})
        for criterion in criteria:
            entry = entries.get(criterion.pk)
            if entry is not None:
                initial.setdefault(f"self-{criterion.pk}", score_text(entry.self_score))
                initial.setdefault(f"note-{criterion.pk}", entry.evidence_note)
        super().__init__(data, files, initial=initial)
        self.criteria = criteria
        for criterion in criteria:
            label = _criterion_label(criterion)
            self.fields[f"self-{criterion.pk}"] = VietnameseDecimalField(
                label=_("Self-assessed score for %(criterion)s") % {"criterion": label},
                required=require_scores,
                min_value=None,
                max_length=12,
            )
            self.fields[f"note-{criterion.pk}"] = forms.CharField(
                label=_("Evidence for %(criterion)s") % {"criterion": label}, required=False, max_length=500
            )
            self.fields[f"photo-{criterion.pk}"] = forms.FileField(
                label=_("Photo for %(criterion)s") % {"criterion": label},
                required=False,
                widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
            )
        for field in self.fields.values():
            if not isinstance(field.widget, forms.HiddenInput):
                field.widget.attrs.setdefault("class", "form-control form-control-sm")

    def clean(self):
        cleaned = super().clean()
        for criterion in self.criteria:
            _check_score(self, f"self-{criterion.pk}", criterion, cleaned)
        return cleaned

    def entries(self) -> dict[int, EntryInput]:
        return {
            c.pk: EntryInput(
                self_score=self.cleaned_data.get(f"self-{c.pk}"),
                evidence_note=self.cleaned_data.get(f"note-{c.pk}", ""),
                evidence_photo=self.cleaned_data.get(f"photo-{c.pk}") or None,
            )
            for c in self.criteria
        }

    def cells(self):
        """(criterion, score field, note field, photo field) per criterion, for the table."""
        return [(c, self[f"self-{c.pk}"], self[f"note-{c.pk}"], self[f"photo-{c.pk}"]) for c in self.criteria]


class VerifyForm(forms.Form):
    """The district's score per criterion, prefilled with the commune's, and a note."""

    note = forms.CharField(label=_("Verification note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, data=None, *, criteria: list[Criterion], entries: dict[int, ScoreEntry], initial=None):
        initial = dict(initial or {})
        for criterion in criteria:
            entry = entries.get(criterion.pk)
            if entry is not None:
                value = entry.verified_score if entry.verified_score is not None else entry.self_score
                initial.setdefault(f"verified-{criterion.pk}", score_text(value))
        super().__init__(data, initial=initial)
        self.criteria = criteria
        for criterion in criteria:
            self.fields[f"verified-{criterion.pk}"] = VietnameseDecimalField(
                label=_("Verified score for %(criterion)s") % {"criterion": _criterion_label(criterion)},
                required=False,
                min_value=None,
                max_length=12,
                help_text=_("Empty: the commune's score stands."),
            )
        for field in self.fields.values():
            if not isinstance(field.widget, forms.HiddenInput):
                field.widget.attrs.setdefault("class", "form-control form-control-sm")

    def clean(self):
        cleaned = super().clean()
        for criterion in self.criteria:
            _check_score(self, f"verified-{criterion.pk}", criterion, cleaned)
        return cleaned

    def verified(self) -> dict[int, Decimal]:
        return {
            c.pk: self.cleaned_data[f"verified-{c.pk}"]
            for c in self.criteria
            if self.cleaned_data.get(f"verified-{c.pk}") is not None
        }

    def cells(self):
        return [(c, self[f"verified-{c.pk}"]) for c in self.criteria]


class ReturnForm(forms.Form):
    note = forms.CharField(
        label=_("What the commune should fix"),
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
        max_length=2000,
    )

    def clean_note(self) -> str:
        note = self.cleaned_data["note"].strip()
        if not note:
            raise forms.ValidationError(_("Say what the commune should fix."))
        return note


class SubmitForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


def _check_score(form: forms.Form, name: str, criterion: Criterion, cleaned: dict) -> None:
    value = cleaned.get(name)
    if value is None:
        return
    if value < 0:
        form.add_error(name, _("%(code)s: a score cannot be negative.") % {"code": criterion.code})
    elif value > criterion.max_points:
        form.add_error(
            name,
            _("%(code)s: at most %(max)s points.")
            % {"code": criterion.code, "max": format_points(criterion.max_points)},
        )
