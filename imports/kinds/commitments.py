"""Household commitments signed for a Dân vận khéo model ("Cam kết hộ gia đình").

One row per household. The model is named as on the portal, among the models the user may
record commitments for; the village must lie in the model's locality. The items signed are the
texts (or codes) of the portal's commitment items, separated by semicolons, as the list export
writes them. A commitment recorded as broken carries its date and the items broken.

A household signs once per model: a row with the same model, household head (case and
diacritics ignored) and village as a commitment in the portal is skipped. Rows are written by
``campaigns.services.commitment_create`` and, for a broken commitment, ``commitment_update``:
the services of the commitment pages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaigns import services as campaign_services
from campaigns.models import CommitmentItem, CommitmentStatus, DvkModel, HouseholdCommitment
from campaigns.workflow import SIGNING_STATUSES
from organization import access
from organization.models import Unit
from organization.search import fold

from ..context import VILLAGE_KINDS, Context, unit_keys
from ..reader import Book
from ..spec import CHOICE, DATE, TEXT, Column, Row, SheetSpec
from .base import ImportKind, Plan, natural_key, register

ITEM_SEPARATOR = ";"

SHEET = SheetSpec(
    "Cam kết hộ gia đình",
    (
        Column(
            "model",
            "Mô hình",
            TEXT,
            required=True,
            example="Mô hình nếp sống văn hóa mới đồng bào Mông",
            help="Tên mô hình Dân vận khéo như trên cổng.",
        ),
        Column("household_head", "Chủ hộ", TEXT, required=True, max_length=150, example="Giàng A Páo"),
        Column(
            "village",
            "Thôn, tổ dân phố",
            TEXT,
            required=True,
            example="Thôn Tổng Kim",
            help="Thôn của hộ; phải thuộc địa bàn của mô hình.",
        ),
        Column("signed_on", "Ngày ký", DATE, required=True, example=date(2024, 4, 1)),
        Column(
            "items",
            "Nội dung cam kết",
            TEXT,
            required=True,
            example="Không còn hủ tục lạc hậu; Chấp hành nghiêm các quy định của pháp luật",
            help="Các nội dung hộ cam kết, ghi đúng như danh mục cam kết của cổng, cách nhau bởi dấu chấm phẩy (;).",
        ),
        Column(
            "status",
            "Trạng thái",
            CHOICE,
            choices=lambda: CommitmentStatus.choices,
            help="Để trống: giữ đúng cam kết.",
        ),
        Column("broken_on", "Ngày vi phạm", DATE, help="Bắt buộc khi hộ vi phạm cam kết."),
        Column(
            "broken_items",
            "Nội dung vi phạm",
            TEXT,
            help="Các nội dung đã vi phạm (trong số đã cam kết), cách nhau bởi dấu chấm phẩy.",
        ),
        Column("note", "Ghi chú", TEXT, max_length=500),
    ),
    ignored=("Số TT",),
    help="Mỗi dòng một hộ gia đình ký cam kết với một mô hình.",
)

FIELDS = {
    "model": "model",
    "household_head": "household_head",
    "village": "village",
    "signed_on": "signed_on",
    "items": "items",
    "status": "status",
    "broken_on": "broken_on",
    "broken_items": "broken_items",
    "note": "note",
}


@dataclass
class CommitmentRow:
    values: dict[str, Any]
    items: list[CommitmentItem]
    broken_on: date | None = None
    broken_items: list[CommitmentItem] = field(default_factory=list)


def _report(ctx: Context, exc: ValidationError, number: int) -> None:
    pairs = exc.message_dict.items() if hasattr(exc, "error_dict") else [("", exc.messages)]
    for name, messages in pairs:
        key = FIELDS.get(name)
        for message in messages:
            ctx.problems.add(message, sheet=SHEET.name, row=number, column=SHEET.header_of(key) if key else "")


def _keys(unit: Unit) -> set[str]:
    return unit_keys(unit.name) | ({fold(unit.code)} if unit.code else set())


class _Lookups:
    """Models the user may record commitments for, and the commitment items, read once."""

    def __init__(self, ctx: Context):
        villages = [unit for unit in ctx.units if unit.kind in VILLAGE_KINDS]
        self.editable_ids = {unit.pk for unit in ctx.units}
        #: Folded names and codes of the user's villages inside each model's locality.
        self.village_keys: dict[int, set[str]] = {}
        self.models: dict[str, list[DvkModel]] = {}
        self.signable: set[int] = set()
        for model in DvkModel.objects.visible_to(ctx.user).select_related("locality"):
            self.models.setdefault(fold(model.name), []).append(model)
            # As on the pages: the user writes in the model's locality, or in a village inside it.
            path = model.locality.path
            inside = [unit for unit in villages if unit.path.startswith(path)]
            if access.can_edit_unit(ctx.user, model.locality) or inside:
                self.signable.add(model.pk)
            self.village_keys[model.pk] = {key for unit in inside for key in _keys(unit)}
        self.items: dict[str, CommitmentItem] = {}
        for item in CommitmentItem.objects.all():
            self.items[fold(item.text)] = item
            self.items[fold(item.code)] = item
        self._all_villages: list[Unit] | None = None

    def villages_named(self, named) -> list[Unit]:
        """Villages anywhere (not only the user's) that ``named`` accepts: to say why a village
        the user cannot use was refused."""
        if self._all_villages is None:
            self._all_villages = list(Unit.objects.filter(kind__in=VILLAGE_KINDS).only("name", "code", "path", "kind"))
        return [unit for unit in self._all_villages if named(unit)]


@register
class CommitmentsImport(ImportKind):
    key = "commitments"
    label = gettext_lazy("Household commitments")
    description = gettext_lazy(
        "Commitments households signed for a Dân vận khéo model: one row per household, with the items signed "
        "and, when it was broken, the date and the items broken."
    )
    sheets = (SHEET,)

    def dropdowns(self, ctx: Context):
        lookups = _Lookups(ctx)
        names = sorted(
            {
                model.name
                for models in lookups.models.values()
                for model in models
                if model.pk in lookups.signable and model.status in SIGNING_STATUSES
            }
        )
        offered = list(CommitmentItem.objects.filter(is_active=True).values_list("text", flat=True))
        return {(SHEET.name, "model"): names, (SHEET.name, "items"): offered, (SHEET.name, "broken_items"): offered}

    # --- checking -------------------------------------------------------------------------------

    def _model(self, ctx: Context, lookups: _Lookups, row: Row) -> DvkModel | None:
        text = row["model"]
        found = lookups.models.get(fold(text), [])
        writable = [model for model in found if model.pk in lookups.signable]
        if len(writable) == 1:
            model = writable[0]
            if model.status not in SIGNING_STATUSES:
                ctx.problem(
                    _("Households sign once the model has been discussed with the village (status: %(status)s).")
                    % {"status": model.get_status_display()},
                    row,
                    spec=SHEET,
                    key="model",
                )
                return None
            return model
        if len(writable) > 1:
            message = _("Several models are named “%(name)s”; rename one of them on its page first.") % {"name": text}
        elif found:
            message = _("You cannot record commitments for “%(name)s”: none of its villages is in your units.") % {
                "name": text
            }
        else:
            message = _("There is no Dân vận khéo model “%(name)s” among those you can see. Check the name.") % {
                "name": text
            }
        ctx.problem(message, row, spec=SHEET, key="model")
        return None

    def _village(self, ctx: Context, lookups: _Lookups, row: Row, model: DvkModel, day: date) -> Unit | None:
        text, locality = row["village"], model.locality
        wanted = fold(text)

        def named(unit: Unit) -> bool:
            return wanted in _keys(unit)

        if locality.kind in VILLAGE_KINDS:
            if named(locality) and locality.pk in lookups.editable_ids:
                return locality
        elif wanted in lookups.village_keys.get(model.pk, ()):
            return ctx.village(locality, text, row, SHEET, "village", day=day)
        anywhere = lookups.villages_named(named)
        if any(unit.is_descendant_of(locality) for unit in anywhere):
            message = _("“%(text)s” is outside the units you may record data for.") % {"text": text}
        elif anywhere:
            message = _("This household is outside the model's area (%(area)s).") % {"area": locality.name}
        else:
            message = _(
                "There is no village “%(text)s” in %(commune)s. Check the spelling or add the village first."
            ) % {"text": text, "commune": locality.name}
        ctx.problem(message, row, spec=SHEET, key="village")
        return None

    def _items(self, ctx: Context, lookups: _Lookups, row: Row, key: str, *, offered_only: bool):
        """The items written in the cell, or None after reporting a problem."""
        chosen: list[CommitmentItem] = []
        for text in (part.strip() for part in (row.get(key) or "").split(ITEM_SEPARATOR)):
            if not text:
                continue
            item = lookups.items.get(fold(text))
            if item is None:
                offered = "; ".join(i.text for i in CommitmentItem.objects.filter(is_active=True))
                ctx.problem(
                    _("“%(item)s” is not a commitment item. The items are: %(items)s.")
                    % {"item": text, "items": offered},
                    row,
                    spec=SHEET,
                    key=key,
                )
                return None
            if offered_only and not item.is_active:
                ctx.problem(
                    _("“%(item)s” is no longer offered; households cannot sign it.") % {"item": item.text},
                    row,
                    spec=SHEET,
                    key=key,
                )
                return None
            if item not in chosen:
                chosen.append(item)
        return chosen

    def _commitment(self, ctx: Context, lookups: _Lookups, row: Row) -> tuple[DvkModel, CommitmentRow] | None:
        model = self._model(ctx, lookups, row)
        if model is None:
            return None
        day = row["signed_on"]
        village = self._village(ctx, lookups, row, model, day)
        items = self._items(ctx, lookups, row, "items", offered_only=True)
        broken_items = self._items(ctx, lookups, row, "broken_items", offered_only=False)
        if village is None or items is None or broken_items is None:
            return None
        if not items:
            ctx.problem(_("Choose at least one item."), row, spec=SHEET, key="items")
            return None
        status, broken_on = row.get("status", CommitmentStatus.KEPT), row["broken_on"]
        if status == CommitmentStatus.BROKEN:
            problem = None
            if broken_on is None:
                problem = ("broken_on", _("Give the date the commitment was broken."))
            elif broken_on < day:
                problem = ("broken_on", _("A commitment cannot be broken before it was signed."))
            elif not broken_items:
                problem = ("broken_items", _("Choose at least one item."))
            elif {item.pk for item in broken_items} - {item.pk for item in items}:
                problem = ("broken_items", _("Only items the household signed can be broken."))
        elif broken_on is not None:
            problem = ("broken_on", _("A kept commitment has no date of breaking."))
        elif broken_items:
            problem = ("broken_items", _("Only a broken commitment lists the items broken; set “Trạng thái” first."))
        else:
            problem = None
        if problem:
            ctx.problem(problem[1], row, spec=SHEET, key=problem[0])
            return None
        values = {
            "model": model,
            "household_head": " ".join(row["household_head"].split()),
            "village": village,
            "signed_on": day,
            "note": row.get("note", ""),
        }
        broken = status == CommitmentStatus.BROKEN
        return model, CommitmentRow(
            values=values,
            items=items,
            broken_on=broken_on if broken else None,
            broken_items=broken_items if broken else [],
        )

    def plan(self, ctx: Context, book: Book) -> Plan:
        plan = Plan()
        rows = self.valid_rows(book, SHEET)
        lookups = _Lookups(ctx)
        candidates = []
        seen: dict[tuple, int] = {}
        for index, row in enumerate(rows):
            if index % 1000 == 0:
                ctx.progress(index * 50 // max(len(rows), 1))
            found = self._commitment(ctx, lookups, row)
            if found is None:
                continue
            model, item = found
            key = natural_key(model.pk, item.values["household_head"], item.values["village"].pk)
            if key in seen:
                ctx.problem(
                    _("This row repeats row %(row)s (same model, household head and village).") % {"row": seen[key]},
                    row,
                    spec=SHEET,
                    key="household_head",
                )
                continue
            seen[key] = row.number
            candidates.append((key, item, row))
        if candidates:
            existing = {
                natural_key(*values)
                for values in HouseholdCommitment.objects.filter(
                    model__in={item.values["model"] for _key, item, _row in candidates}
                ).values_list("model_id", "household_head", "village_id")
            }
            for key, item, row in candidates:
                if key in existing:
                    plan.existing[SHEET.name] += 1
                else:
                    plan.add(item, row)
        ctx.progress(50)
        return plan

    # --- writing --------------------------------------------------------------------------------

    def commit(self, ctx: Context, plan: Plan) -> None:
        total = max(len(plan.items), 1)
        for index, item in enumerate(plan.items):
            _sheet, number = plan.sources[index]
            try:
                commitment = campaign_services.commitment_create(user=ctx.user, values=item.values, items=item.items)
                if item.broken_on is not None:
                    campaign_services.commitment_update(
                        user=ctx.user,
                        commitment=commitment,
                        values={"status": CommitmentStatus.BROKEN, "broken_on": item.broken_on},
                        broken_items=item.broken_items,
                    )
            except ValidationError as exc:
                _report(ctx, exc, number)
            if index % 200 == 0:
                ctx.progress(50 + index * 50 // total)
