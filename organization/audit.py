"""Who changed what and when, read from django-simple-history for display on detail pages.

``history_rows`` costs one query for the history records (with their users) plus at most one
query per related model whose foreign key changed, however many records are shown.
"""

from __future__ import annotations

import datetime
import os
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import models
from django.db.models.fields.files import FieldFile
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy

ACTIONS = {
    "+": pgettext_lazy("history action", "created"),
    "~": pgettext_lazy("history action", "changed"),
    "-": pgettext_lazy("history action", "deleted"),
}
EMPTY = "—"


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class HistoryRow:
    when: datetime.datetime
    who: str
    action: str
    action_code: str
    reason: str = ""
    changes: list[FieldChange] = field(default_factory=list)


def history_rows(obj: models.Model, limit: int = 50) -> list[HistoryRow]:
    """The last ``limit`` history records of ``obj``, newest first, with field-level changes."""
    # One record more than shown, so the oldest shown change can be diffed against its previous.
    records = list(obj.history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1])
    model = type(obj)
    deltas = []
    for index, record in enumerate(records[:limit]):
        previous = records[index + 1] if index + 1 < len(records) else None
        changes = record.diff_against(previous).changes if record.history_type == "~" and previous else []
        deltas.append((record, changes))

    labels = _foreign_key_labels(model, [change for _record, changes in deltas for change in changes])
    rows = []
    for record, changes in deltas:
        rows.append(
            HistoryRow(
                when=record.history_date,
                who=_who(record.history_user),
                action=str(ACTIONS.get(record.history_type, record.history_type)),
                action_code=record.history_type,
                reason=record.history_change_reason or "",
                changes=[
                    FieldChange(
                        label=str(_field(model, change.field).verbose_name),
                        old=_display(model, change.field, change.old, labels),
                        new=_display(model, change.field, change.new, labels),
                    )
                    for change in changes
                ],
            )
        )
    return rows


def _who(user) -> str:
    if user is None:
        return pgettext("history author", "system")
    return user.get_full_name() or user.get_username()


def _field(model: type[models.Model], name: str) -> models.Field:
    return model._meta.get_field(name)


def _foreign_key_labels(model: type[models.Model], changes: list) -> dict[tuple[type, object], str]:
    """``{(related model, pk): str(object)}`` for every foreign key value in ``changes``."""
    wanted: dict[type[models.Model], set] = defaultdict(set)
    for change in changes:
        model_field = _field(model, change.field)
        if isinstance(model_field, models.ForeignKey):
            for value in (change.old, change.new):
                if value is not None:
                    wanted[model_field.related_model].add(value)
    labels = {}
    for related, pks in wanted.items():
        # _base_manager: a soft-deleted or otherwise filtered row still has a name worth showing.
        for related_obj in related._base_manager.filter(pk__in=pks):
            labels[(related, related_obj.pk)] = str(related_obj)
    return labels


def _display(model: type[models.Model], name: str, value, labels: dict) -> str:
    model_field = _field(model, name)
    if value is None or value == "":
        return EMPTY
    if isinstance(model_field, models.ForeignKey):
        return labels.get((model_field.related_model, value), _("#%(pk)s (deleted)") % {"pk": value})
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, FieldFile):
        return os.path.basename(value.name) if value.name else EMPTY
    if isinstance(value, datetime.datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    return formats.localize(value) if isinstance(value, int | float) else str(value)
