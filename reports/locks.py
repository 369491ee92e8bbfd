"""Period locks, enforced on every write of a dated domain record.

The domain apps never import ``reports`` (DESIGN.md, layout), so the guard is attached from
here with ``pre_save`` and ``pre_delete`` signals: whatever path writes a record (a page, the
API, an import, the admin), a record whose unit lies in a locked subtree and whose date lies in a
locked period is refused with a ``ValidationError`` naming the period, who locked it and why.
Services run inside a transaction, so the refusal rolls back everything the call had done.

``GUARDED`` says, per model, how to find the record's unit and date. ``workflow`` lists fields
that may change on an old record without touching its period: a petition received in a locked
month can still be answered (the answer is dated today, and that date is checked instead).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import Model
from django.db.models.signals import pre_delete, pre_save
from django.utils import timezone
from django.utils.translation import gettext as _

from organization import bulk
from organization.models import Unit


@dataclass(frozen=True)
class Guard:
    unit: str  # dotted path from the record to its Unit
    date: str  # dotted path to the date that places the record in a period
    workflow: frozenset[str] = field(default_factory=frozenset)
    workflow_dates: tuple[str, ...] = ()


GUARDED: dict[str, Guard] = {
    "dialogues.Dialogue": Guard("unit", "date"),
    "dialogues.Petition": Guard(
        "unit",
        "received_on",
        workflow=frozenset(
            {"status", "assigned_agency", "deadline", "directive", "answered_on", "closed_on", "version", "updated_at"}
        ),
        workflow_dates=("answered_on", "closed_on"),
    ),
    "dialogues.EngagementMeeting": Guard("unit", "date"),
    "dialogues.ReportedAggregate": Guard("unit", "period_end"),
    "programs.Program": Guard("unit", "date"),
    "programs.LandDonation": Guard("unit", "donated_on"),
    "programs.Disbursement": Guard("project.unit", "paid_on"),
    "campaigns.Scorecard": Guard(
        "unit",
        "round.month",
        # Ranking a round writes these on every card when it closes or reopens.
        workflow=frozenset({"rank_in_type", "rank_in_commune", "rank_overall", "selected"}),
    ),
    "campaigns.Award": Guard("recipient_unit", "date"),
    "campaigns.HouseholdCommitment": Guard(
        "village",
        "signed_on",
        workflow=frozenset({"status", "broken_on", "note", "version", "updated_at"}),
        workflow_dates=("broken_on",),
    ),
    "campaigns.EmulationPledge": Guard("unit", "signed_on"),
}


class PeriodLocked(ValidationError):
    """The record's date falls in a locked period of its unit."""


def _resolve(obj, dotted: str):
    value = obj
    for part in dotted.split("."):
        value = getattr(value, part, None)
        if value is None:
            return None
    return value


def locks_over(unit: Unit) -> list:
    """Active locks on ``unit`` or any unit above it (one query; usually an empty list)."""
    from .models import PeriodLock

    ids = [int(part) for part in unit.path.strip("/").split("/") if part]
    # An import checks thousands of rows of a few units: one query per unit (organization.bulk).
    return bulk.remember(
        ("period-locks", unit.path),
        lambda: list(PeriodLock.objects.active().filter(unit_id__in=ids).select_related("locked_by", "unit")),
    )


def lock_covering(unit: Unit, day: date, locks: list | None = None):
    """The active lock covering ``day`` for ``unit`` (a lock on an ancestor covers it), if any."""
    for lock in locks_over(unit) if locks is None else locks:
        if lock.start <= day <= lock.end:
            return lock
    return None


def check(unit: Unit | None, day: date | None, locks: list | None = None) -> None:
    """Raise ``PeriodLocked`` when ``day`` is locked for ``unit``."""
    if unit is None or day is None:
        return
    lock = lock_covering(unit, day, locks)
    if lock is None:
        return
    who = lock.locked_by.get_full_name() or lock.locked_by.get_username()
    raise PeriodLocked(
        _(
            "The period %(start)s – %(end)s is locked for %(unit)s (locked by %(who)s on %(when)s: "
            "%(reason)s). Ask district staff to unlock it before changing records dated %(day)s."
        )
        % {
            "start": f"{lock.start:%d/%m/%Y}",
            "end": f"{lock.end:%d/%m/%Y}",
            "unit": lock.unit.name,
            "who": who,
            "when": f"{timezone.localtime(lock.locked_at):%d/%m/%Y}",  # stored in UTC
            "reason": lock.reason,
            "day": f"{day:%d/%m/%Y}",
        }
    )


def _changed_fields(old: Model, new: Model) -> set[str]:
    return {f.attname for f in new._meta.concrete_fields if getattr(old, f.attname) != getattr(new, f.attname)}


def _guard_save(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    if raw:  # fixtures
        return
    guard = GUARDED[sender._meta.label]
    unit = _resolve(instance, guard.unit)
    if unit is None:
        return
    locks = locks_over(unit)
    if not locks:  # the common case: one query, and the old row is not even read
        return
    if instance.pk is None or instance._state.adding:
        check(unit, _resolve(instance, guard.date), locks)
        return
    old = sender._default_manager.filter(pk=instance.pk).first()
    if old is None:
        check(unit, _resolve(instance, guard.date), locks)
        return
    if update_fields:
        # Compared as attnames, like the workflow names below ("assigned_agency" → "…_id").
        changed = {sender._meta.get_field(name).attname for name in update_fields}
    else:
        changed = _changed_fields(old, instance)
    if not changed:
        return
    workflow_names = {sender._meta.get_field(name).attname for name in guard.workflow if _has_field(sender, name)}
    if changed <= workflow_names | {"updated_at"}:
        for name in guard.workflow_dates:
            if getattr(old, name) != getattr(instance, name):
                check(unit, getattr(instance, name), locks)
        return
    # A real edit: both the period the record leaves and the one it enters must be open.
    old_unit = _resolve(old, guard.unit)
    check(old_unit, _resolve(old, guard.date), locks if old_unit == unit else None)
    check(unit, _resolve(instance, guard.date), locks)


def _has_field(model, name: str) -> bool:
    try:
        model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return True


def _guard_delete(sender, instance, **kwargs) -> None:
    guard = GUARDED[sender._meta.label]
    check(_resolve(instance, guard.unit), _resolve(instance, guard.date))


def connect() -> None:
    for label in GUARDED:
        model = apps.get_model(label)
        pre_save.connect(_guard_save, sender=model, dispatch_uid=f"period-lock-save-{label}")
        pre_delete.connect(_guard_delete, sender=model, dispatch_uid=f"period-lock-delete-{label}")
