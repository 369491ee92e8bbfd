"""Writes for movements, criteria, rounds, scorecards, awards, Dân vận khéo models, household
commitments and pledges. Pages, API and imports call these; each is one transaction, checks
permissions (``campaigns.permissions``) and validates with ``full_clean()`` before saving.

Concurrency: every scorecard write and every open/close/reopen locks the round row first, so a
save cannot land in a round that is closing, and two saves of the same grid are serialized (the
second then fails its version check instead of overwriting).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from organization import access
from organization.models import Role, Unit, User
from organization.notifications import notify
from organization.services import StaleVersion as StaleVersion  # re-exported for views
from organization.services import check_version
from organization.uploads import JPEG, PNG, validate_upload

from . import permissions
from .models import (
    ZERO,
    Award,
    CommitmentItem,
    CommitmentStatus,
    CriteriaSet,
    Criterion,
    DvkCriterion,
    DvkEvent,
    DvkModel,
    DvkPillar,
    EmulationPledge,
    HouseholdCommitment,
    Movement,
    RoundAction,
    RoundEvent,
    RoundStatus,
    Scorecard,
    ScorecardStatus,
    ScoreEntry,
    ScoringRound,
    TargetType,
    commune_of,
    format_points,
    target_type_of,
)
from .ranking import assign_ranks
from .selectors import eligible_units
from .workflow import SIGNING_STATUSES, DvkStatus, can_move


def _save(obj, user: User) -> None:
    obj.full_clean()
    obj._history_user = user
    obj.save()


def _bump(obj) -> None:
    """Callers hold the row lock (select_for_update), so a plain increment is safe."""
    obj.version += 1


# --- Movements ---------------------------------------------------------------------------------

MOVEMENT_FIELDS = (
    "name",
    "unit",
    "launched_by",
    "launch_date",
    "is_dvk",
    "target_types",
    "regulation_document",
    "description",
    "status",
)


def _check_movement_unit(user: User, unit: Unit) -> None:
    if not access.can_view_unit(user, unit):
        raise ValidationError({"unit": _("You cannot run a movement for %(unit)s.") % {"unit": unit.name}})
    if not permissions.can_create_movement_in(user, unit):
        raise PermissionDenied


@transaction.atomic
def movement_create(*, user: User, values: dict[str, Any]) -> Movement:
    movement = Movement(**{k: v for k, v in values.items() if k in MOVEMENT_FIELDS}, created_by=user)
    _check_movement_unit(user, movement.unit)
    _save(movement, user)
    return movement


@transaction.atomic
def movement_update(
    *, user: User, movement: Movement, values: dict[str, Any], expected_version: int | None = None
) -> Movement:
    movement = Movement.objects.select_for_update().get(pk=movement.pk)
    check_version(movement, expected_version)
    if not permissions.can_manage_movement(user, movement):
        raise PermissionDenied
    for name, value in values.items():
        if name in MOVEMENT_FIELDS:
            setattr(movement, name, value)
    _check_movement_unit(user, movement.unit)
    removed = set(CriteriaSet.objects.filter(movement=movement).values_list("target_type", flat=True)) - set(
        movement.target_types or []
    )
    if removed and Scorecard.objects.filter(round__movement=movement, target_type__in=removed).exists():
        raise ValidationError(
            {"target_types": _("Units of a removed type have already been scored; end the movement instead.")}
        )
    _bump(movement)
    _save(movement, user)
    return movement


# --- Criteria sets -----------------------------------------------------------------------------


@dataclass
class CriteriaSetInput:
    target_type: str
    year: int
    total_points: Decimal
    note: str = ""
    criteria: list[dict[str, Any]] = field(default_factory=list)


CRITERION_FIELDS = ("code", "text", "group", "max_points", "weight", "order")


def _build_criteria(criteria_set: CriteriaSet, rows: list[dict[str, Any]]) -> list[Criterion]:
    built, errors, codes = [], {}, set()
    for index, values in enumerate(rows):
        row = Criterion(criteria_set=criteria_set, **{k: v for k, v in values.items() if k in CRITERION_FIELDS})
        if not values.get("order"):
            row.order = index + 1
        try:
            row.full_clean(exclude=["criteria_set"], validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            errors[f"criteria-{index}"] = exc.messages
        if row.code in codes:
            errors.setdefault(f"criteria-{index}", []).append(
                _("The code %(code)s is used twice.") % {"code": row.code}
            )
        codes.add(row.code)
        built.append(row)
    if not built:
        errors["criteria"] = [_("Add at least one criterion.")]
    if errors:
        raise ValidationError(errors)
    found = sum((row.max_points for row in built), ZERO)
    if found != criteria_set.total_points:
        raise ValidationError(
            {
                "total_points": _(
                    "The criteria's maximum points add up to %(found)s, not the set's total of %(total)s."
                )
                % {"found": _num(found), "total": _num(criteria_set.total_points)}
            }
        )
    return built


def _num(value: Decimal) -> str:
    return format_points(Decimal(value))


@transaction.atomic
def criteria_set_save(
    *,
    user: User,
    movement: Movement,
    data: CriteriaSetInput,
    criteria_set: CriteriaSet | None = None,
    expected_version: int | None = None,
) -> CriteriaSet:
    """Create or replace a criteria set with its criteria, all or nothing. A set already used by a
    scorecard is frozen: copy it to a new year instead, so past scores never change."""
    if not permissions.can_manage_movement(user, movement):
        raise PermissionDenied
    if data.target_type not in (movement.target_types or []):
        raise ValidationError({"target_type": _("This movement does not score that kind of unit.")})
    if criteria_set is None:
        if CriteriaSet.objects.filter(movement=movement, target_type=data.target_type, year=data.year).exists():
            raise ValidationError({"year": _("This movement already has criteria for that type and year; edit them.")})
        criteria_set = CriteriaSet(movement=movement)
    else:
        criteria_set = CriteriaSet.objects.select_for_update().get(pk=criteria_set.pk)
        check_version(criteria_set, expected_version)
        if criteria_set.is_frozen:
            raise ValidationError(
                _("These criteria have already been used for scoring and cannot change; copy them to a new year.")
            )
        clash = CriteriaSet.objects.filter(movement=movement, target_type=data.target_type, year=data.year)
        if clash.exclude(pk=criteria_set.pk).exists():
            raise ValidationError({"year": _("This movement already has criteria for that type and year; edit them.")})
        _bump(criteria_set)
    criteria_set.target_type = data.target_type
    criteria_set.year = data.year
    criteria_set.total_points = data.total_points
    criteria_set.note = data.note
    criteria_set.full_clean(exclude=["version"], validate_unique=False)
    rows = _build_criteria(criteria_set, data.criteria)
    criteria_set._history_user = user
    criteria_set.save()
    criteria_set.criteria.all().delete()
    for row in rows:
        row.criteria_set = criteria_set
    Criterion.objects.bulk_create(rows)
    return criteria_set


@transaction.atomic
def criteria_set_copy(*, user: User, source: CriteriaSet, year: int) -> CriteriaSet:
    """Next year's set starts as a copy of this one; editing it leaves the original untouched."""
    rows = [{name: getattr(c, name) for name in CRITERION_FIELDS} for c in source.criteria.all()]
    data = CriteriaSetInput(
        target_type=source.target_type, year=year, total_points=source.total_points, note=source.note, criteria=rows
    )
    return criteria_set_save(user=user, movement=source.movement, data=data)


# --- Rounds ------------------------------------------------------------------------------------


def _lock_round(round_: ScoringRound) -> ScoringRound:
    return ScoringRound.objects.select_for_update().select_related("movement__unit").get(pk=round_.pk)


@transaction.atomic
def round_create(
    *,
    user: User,
    movement: Movement,
    month: date,
    closes_on: date | None = None,
    selected_per_type: int = 3,
    min_percent_for_selection: Decimal = Decimal(80),
) -> ScoringRound:
    if not permissions.can_manage_movement(user, movement):
        raise PermissionDenied
    month = month.replace(day=1)
    if ScoringRound.objects.filter(movement=movement, month=month).exists():
        raise ValidationError(
            {"month": _("This movement already has a round for %(month)s.") % {"month": f"{month:%m/%Y}"}}
        )
    if month < movement.launch_date.replace(day=1):
        raise ValidationError({"month": _("The round is before the movement was launched.")})
    round_ = ScoringRound(
        movement=movement,
        month=month,
        closes_on=closes_on,
        selected_per_type=selected_per_type,
        min_percent_for_selection=min_percent_for_selection,
    )
    _check_closing_date(round_)
    _save(round_, user)
    return round_


def _check_closing_date(round_: ScoringRound) -> None:
    if round_.closes_on and round_.closes_on < round_.month:
        raise ValidationError({"closes_on": _("The closing date is before the month being scored.")})


def round_problems(round_: ScoringRound) -> list[str]:
    """Why the round cannot open: every target type needs a valid criteria set for its year."""
    problems = []
    for target in round_.movement.target_types:
        criteria_set = CriteriaSet.objects.filter(
            movement=round_.movement, target_type=target, year=round_.year
        ).first()
        label = TargetType(target).label
        if criteria_set is None:
            problems.append(_("No criteria for %(type)s in %(year)s.") % {"type": label, "year": round_.year})
            continue
        for problem in criteria_set.problems():
            problems.append(f"{label} {round_.year}: {problem}")
    return problems


@transaction.atomic
def round_open(*, user: User, round_: ScoringRound, closes_on: date | None = None) -> ScoringRound:
    round_ = _lock_round(round_)
    if not permissions.can_manage_movement(user, round_.movement):
        raise PermissionDenied
    if round_.status != RoundStatus.DRAFT:
        raise ValidationError(_("Only a draft round can be opened."))
    if closes_on is not None:
        round_.closes_on = closes_on
    if round_.closes_on is None:
        raise ValidationError({"closes_on": _("Give the date the round closes.")})
    _check_closing_date(round_)
    problems = round_problems(round_)
    if problems:
        raise ValidationError(problems)
    round_.status = RoundStatus.OPEN
    round_.opened_at = timezone.now()
    _bump(round_)
    _save(round_, user)
    RoundEvent.objects.create(round=round_, action=RoundAction.OPEN, by=user)
    return round_


@transaction.atomic
def round_close(*, user: User, round_: ScoringRound) -> ScoringRound:
    """Rank the submitted and verified scorecards and record the selected units."""
    round_ = _lock_round(round_)
    if not permissions.can_manage_movement(user, round_.movement):
        raise PermissionDenied
    if round_.status != RoundStatus.OPEN:
        raise ValidationError(_("Only an open round can be closed."))
    waiting = round_.scorecards.filter(status=ScorecardStatus.SUBMITTED).select_related("unit")
    if waiting.exists():
        names = ", ".join(card.unit.name for card in waiting[:5])
        raise ValidationError(
            _("%(count)s submitted scorecards are not verified yet (%(names)s); verify them before closing.")
            % {"count": waiting.count(), "names": names}
        )
    cards = list(round_.scorecards.filter(status=ScorecardStatus.VERIFIED))
    assign_ranks(cards, selected_per_type=round_.selected_per_type, min_percent=round_.min_percent_for_selection)
    Scorecard.objects.bulk_update(cards, ["rank_in_type", "rank_in_commune", "rank_overall", "selected"])
    round_.status = RoundStatus.CLOSED
    round_.closed_at = timezone.now()
    _bump(round_)
    _save(round_, user)
    RoundEvent.objects.create(round=round_, action=RoundAction.CLOSE, by=user)
    return round_


@transaction.atomic
def round_reopen(*, user: User, round_: ScoringRound, reason: str) -> ScoringRound:
    round_ = _lock_round(round_)
    if not permissions.can_manage_movement(user, round_.movement):
        raise PermissionDenied
    if round_.status != RoundStatus.CLOSED:
        raise ValidationError(_("Only a closed round can be reopened."))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the round is reopened; the reason is logged.")})
    round_.scorecards.update(rank_in_type=None, rank_in_commune=None, rank_overall=None, selected=False)
    round_.status = RoundStatus.OPEN
    round_.closed_at = None
    _bump(round_)
    _save(round_, user)
    RoundEvent.objects.create(round=round_, action=RoundAction.REOPEN, reason=reason.strip(), by=user)
    return round_


# --- Scorecards --------------------------------------------------------------------------------


@dataclass
class EntryInput:
    """One criterion's input. ``self_score`` is always written (``None`` clears it), so callers
    that change only the evidence pass the current score; notes and photos left ``None`` stay."""

    self_score: Decimal | None = None
    evidence_note: str | None = None
    evidence_photo: UploadedFile | None = None


def _as_score(value, code: str) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return value
    try:
        return Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise ValidationError(_("%(code)s: “%(value)s” is not a number.") % {"code": code, "value": value}) from None


def _require_open(round_: ScoringRound) -> None:
    if round_.status != RoundStatus.OPEN:
        raise ValidationError(
            _("The round for %(month)s is %(status)s; scores can only be entered while it is open.")
            % {"month": f"{round_.month:%m/%Y}", "status": round_.get_status_display().lower()}
        )


def _check_scorable(user: User, round_: ScoringRound, unit: Unit) -> str:
    """The unit's target type, after refusing units outside the user's communes or the round."""
    if not access.can_view_unit(user, unit):
        raise ValidationError(
            {"unit": _("%(unit)s is not in your commune; you cannot score it.") % {"unit": unit.name}}
        )
    if not permissions.can_self_assess(user, unit):
        raise PermissionDenied
    if not eligible_units(round_).filter(pk=unit.pk).exists():
        raise ValidationError({"unit": _("%(unit)s is not scored in this movement.") % {"unit": unit.name}})
    target = target_type_of(unit)
    assert target is not None  # eligible_units only returns units of a target kind
    return target


def _totals(card: Scorecard, entries: Iterable[ScoreEntry]) -> None:
    self_total, verified_total, any_verified = ZERO, ZERO, False
    for entry in entries:
        weight = entry.criterion.weight
        self_total += (entry.self_score or ZERO) * weight
        if entry.verified_score is not None:
            any_verified = True
            verified_total += entry.verified_score * weight
    card.self_total = self_total
    card.verified_total = verified_total if any_verified else None


def _new_card(round_: ScoringRound, unit: Unit, target: str) -> Scorecard:
    criteria_set = CriteriaSet.objects.filter(movement=round_.movement, target_type=target, year=round_.year).first()
    if criteria_set is None:
        raise ValidationError(_("No criteria for this kind of unit in %(year)s.") % {"year": round_.year})
    card = Scorecard(
        round=round_,
        unit=unit,
        target_type=target,
        commune=commune_of(unit),
        criteria_set=criteria_set,
        max_total=criteria_set.weighted_max(),
    )
    return card


def _apply_entries(card: Scorecard, entries: dict[int, EntryInput]) -> list[ScoreEntry]:
    criteria = {c.pk: c for c in card.criteria_set.criteria.all()}
    existing = {e.criterion_id: e for e in card.entries.all()} if card.pk else {}
    errors: dict[str, list[str]] = {}
    rows = []
    unknown = set(entries) - set(criteria)
    if unknown:
        raise ValidationError(_("Some scores are for criteria that are not in this unit's set."))
    for criterion in criteria.values():
        entry = existing.get(criterion.pk) or ScoreEntry(criterion=criterion)
        entry.criterion = criterion
        given = entries.get(criterion.pk)
        if given is not None:
            entry.self_score = _as_score(given.self_score, criterion.code)
            if given.evidence_note is not None:
                entry.evidence_note = given.evidence_note
            if given.evidence_photo is not None:
                try:
                    validate_upload(given.evidence_photo, (JPEG, PNG))
                except ValidationError as exc:
                    errors[f"{card.unit.name} – {criterion.code}"] = exc.messages
                    continue
                entry.evidence_photo = given.evidence_photo
        try:
            entry.full_clean(exclude=["scorecard", "criterion"], validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            errors[f"{card.unit.name} – {criterion.code}"] = exc.messages
        rows.append(entry)
    if errors:
        raise ValidationError(errors)
    return rows


def _store(card: Scorecard, rows: list[ScoreEntry], user: User) -> None:
    _totals(card, rows)
    card._history_user = user
    card.save()
    for row in rows:
        row.scorecard = card
        row.save()


def missing_scores(card: Scorecard) -> list[str]:
    """Codes of the criteria still without a self-assessed score."""
    have = {e.criterion_id for e in card.entries.all() if e.self_score is not None}
    return [c.code for c in card.criteria_set.criteria.all() if c.pk not in have]


@transaction.atomic
def scorecard_create(
    *, user: User, round_: ScoringRound, unit: Unit, entries: dict[int, EntryInput] | None = None
) -> Scorecard:
    round_ = _lock_round(round_)
    _require_open(round_)
    target = _check_scorable(user, round_, unit)
    if Scorecard.objects.filter(round=round_, unit=unit).exists():
        raise ValidationError({"unit": _("%(unit)s already has a scorecard in this round.") % {"unit": unit.name}})
    card = _new_card(round_, unit, target)
    rows = _apply_entries(card, entries or {})
    try:
        with transaction.atomic():
            _store(card, rows, user)
    except IntegrityError:
        # A concurrent save created it between our check and insert (only without row locks).
        raise ValidationError(
            {"unit": _("%(unit)s already has a scorecard in this round.") % {"unit": unit.name}}
        ) from None
    return card


@transaction.atomic
def scorecard_update(
    *, user: User, scorecard: Scorecard, entries: dict[int, EntryInput], expected_version: int | None = None
) -> Scorecard:
    _lock_round(scorecard.round)
    card = (
        Scorecard.objects.select_for_update()
        .select_related("round__movement", "unit", "criteria_set")
        .get(pk=scorecard.pk)
    )
    _require_open(card.round)
    check_version(card, expected_version)
    _check_scorable(user, card.round, card.unit)
    if card.status == ScorecardStatus.VERIFIED:
        raise ValidationError(
            _("%(unit)s has been verified; its self-assessment can no longer change.") % {"unit": card.unit.name}
        )
    rows = _apply_entries(card, entries)
    _bump(card)
    _store(card, rows, user)
    return card


@transaction.atomic
def scorecard_submit(*, user: User, scorecard: Scorecard, expected_version: int | None = None) -> Scorecard:
    _lock_round(scorecard.round)
    card = Scorecard.objects.select_for_update().select_related("round__movement", "unit").get(pk=scorecard.pk)
    _require_open(card.round)
    check_version(card, expected_version)
    _check_scorable(user, card.round, card.unit)
    if card.status != ScorecardStatus.DRAFT:
        raise ValidationError(_("%(unit)s has already been submitted.") % {"unit": card.unit.name})
    missing = missing_scores(card)
    if missing:
        raise ValidationError(
            _("%(unit)s is missing scores for %(codes)s.") % {"unit": card.unit.name, "codes": ", ".join(missing)}
        )
    card.status = ScorecardStatus.SUBMITTED
    card.submitted_by, card.submitted_at = user, timezone.now()
    _bump(card)
    card._history_user = user
    card.save()
    return card


@dataclass
class GridResult:
    saved: list[Scorecard]
    submitted: list[Scorecard]


@transaction.atomic
def grid_save(
    *,
    user: User,
    round_: ScoringRound,
    rows: dict[int, dict[int, Any]],
    versions: dict[int, int] | None = None,
    submit: bool = False,
) -> GridResult:
    """Save a grid of self-assessed scores: ``rows`` maps unit id → {criterion id → score}.

    All rows or none. With ``submit`` every row must be complete; the error lists each unit and
    the criteria it still lacks, so the officer sees everything missing at once."""
    round_ = _lock_round(round_)
    _require_open(round_)
    versions = versions or {}
    units = {u.pk: u for u in Unit.objects.filter(pk__in=rows)}
    saved: list[Scorecard] = []
    errors: dict[str, list[str]] = {}
    for unit_id, scores in rows.items():
        unit = units.get(unit_id)
        if unit is None:
            raise ValidationError(_("Unknown unit."))
        card = Scorecard.objects.select_for_update().filter(round=round_, unit=unit).first()
        if card is None:
            target = _check_scorable(user, round_, unit)
            card = _new_card(round_, unit, target)
        else:
            _check_scorable(user, round_, unit)
            if unit_id in versions:
                try:
                    check_version(card, versions[unit_id])
                except StaleVersion:
                    raise StaleVersion(
                        _("Someone else saved %(unit)s while you were editing. Reload the grid and try again.")
                        % {"unit": unit.name}
                    ) from None
            if card.status == ScorecardStatus.VERIFIED:
                continue  # verified rows are shown read-only and never overwritten
            if card.status == ScorecardStatus.SUBMITTED and not submit:
                raise ValidationError(
                    _("%(unit)s has been submitted; submit again to change its scores.") % {"unit": unit.name}
                )
            _bump(card)
        try:
            codes = {c.pk: c.code for c in card.criteria_set.criteria.all()}
            entries = {
                int(cid): EntryInput(self_score=_as_score(value, codes.get(int(cid), str(cid))))
                for cid, value in scores.items()
            }
            entry_rows = _apply_entries(card, entries)
        except ValidationError as exc:
            for key, messages in (
                exc.message_dict.items() if hasattr(exc, "error_dict") else [(unit.name, exc.messages)]
            ):
                errors.setdefault(key, []).extend(messages)
            continue
        if submit:
            missing = [row.criterion.code for row in entry_rows if row.self_score is None]
            if missing:
                errors.setdefault(unit.name, []).append(
                    _("missing scores for %(codes)s") % {"codes": ", ".join(missing)}
                )
                continue
        card._history_user = user
        _store(card, entry_rows, user)
        saved.append(card)
    if errors:
        raise ValidationError(errors)
    submitted = []
    if submit:
        now = timezone.now()
        for card in saved:
            if card.status == ScorecardStatus.DRAFT:
                card.status = ScorecardStatus.SUBMITTED
                card.submitted_by, card.submitted_at = user, now
                card.save(update_fields=["status", "submitted_by", "submitted_at"])
                submitted.append(card)
        if submitted:
            _notify_submitted(round_, submitted)
    return GridResult(saved=saved, submitted=submitted)


def _notify_submitted(round_: ScoringRound, cards: list[Scorecard]) -> None:
    from organization.notifications import officers_of

    names = ", ".join(card.unit.name for card in cards[:5])
    notify(
        recipients=officers_of(round_.movement.unit, Role.DISTRICT_STAFF),
        kind="info",
        message=_("%(count)s scorecards submitted for %(round)s: %(names)s")
        % {"count": len(cards), "round": str(round_), "names": names},
        url=f"/campaigns/rounds/{round_.pk}/",
    )


@transaction.atomic
def scorecard_verify(
    *,
    user: User,
    scorecard: Scorecard,
    verified: dict[int, Any] | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> Scorecard:
    """The district's score per criterion (missing ones take the self-assessed score). Both are kept."""
    _lock_round(scorecard.round)
    card = (
        Scorecard.objects.select_for_update()
        .select_related("round__movement", "unit", "criteria_set")
        .get(pk=scorecard.pk)
    )
    _require_open(card.round)
    check_version(card, expected_version)
    if not access.can_view_unit(user, card.unit):
        raise ValidationError({"unit": _("%(unit)s is outside your units.") % {"unit": card.unit.name}})
    if not permissions.can_verify(user, card.unit):
        raise PermissionDenied
    if card.status == ScorecardStatus.DRAFT:
        raise ValidationError(_("%(unit)s has not been submitted yet.") % {"unit": card.unit.name})
    verified = verified or {}
    rows = list(card.entries.select_related("criterion"))
    if set(verified) - {row.criterion_id for row in rows}:
        raise ValidationError(_("Some scores are for criteria that are not in this unit's set."))
    errors: dict[str, list[str]] = {}
    for row in rows:
        given = verified.get(row.criterion_id)
        value = _as_score(given, row.criterion.code) if given not in (None, "") else row.self_score
        row.verified_score = value
        try:
            row.full_clean(exclude=["scorecard", "criterion"], validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            errors[row.criterion.code] = exc.messages
    if errors:
        raise ValidationError(errors)
    for row in rows:
        row.save(update_fields=["verified_score"])
    _totals(card, rows)
    card.status = ScorecardStatus.VERIFIED
    card.verified_by, card.verified_at = user, timezone.now()
    card.verification_note = note
    _bump(card)
    card._history_user = user
    card.save()
    return card


@transaction.atomic
def scorecard_return(*, user: User, scorecard: Scorecard, note: str) -> Scorecard:
    """Send a submitted card back to the commune as a draft (e.g. evidence is missing)."""
    _lock_round(scorecard.round)
    card = Scorecard.objects.select_for_update().select_related("round__movement", "unit").get(pk=scorecard.pk)
    _require_open(card.round)
    if not access.can_view_unit(user, card.unit):
        raise ValidationError({"unit": _("%(unit)s is outside your units.") % {"unit": card.unit.name}})
    if not permissions.can_verify(user, card.unit):
        raise PermissionDenied
    if card.status == ScorecardStatus.DRAFT:
        raise ValidationError(_("%(unit)s is already a draft.") % {"unit": card.unit.name})
    if not (note or "").strip():
        raise ValidationError({"note": _("Say what the commune should fix.")})
    card.entries.update(verified_score=None)
    card.status = ScorecardStatus.DRAFT
    card.verified_total, card.verified_by, card.verified_at = None, None, None
    card.verification_note = note.strip()
    _bump(card)
    card._history_user = user
    card.save()
    return card


# --- Awards ------------------------------------------------------------------------------------

AWARD_FIELDS = (
    "movement",
    "round",
    "dvk_model",
    "recipient_unit",
    "recipient_name",
    "form",
    "issuer",
    "decision_document",
    "date",
    "reason",
    "prize_value_vnd",
)


@transaction.atomic
def award_create(*, user: User, values: dict[str, Any]) -> Award:
    award = Award(**{k: v for k, v in values.items() if k in AWARD_FIELDS}, created_by=user)
    recipient = award.recipient_unit
    if not access.can_view_unit(user, recipient):
        raise ValidationError({"recipient_unit": _("%(unit)s is outside your units.") % {"unit": recipient.name}})
    if not access.can_edit_unit(user, recipient):
        raise PermissionDenied
    if award.round_id and not award.movement_id:
        award.movement = award.round.movement
    if award.movement_id and not permissions.can_manage_movement(user, award.movement):
        raise PermissionDenied
    _save(award, user)
    return award


@transaction.atomic
def award_delete(*, user: User, award: Award) -> None:
    if not access.can_view_unit(user, award.recipient_unit):
        raise ValidationError(
            {"recipient_unit": _("%(unit)s is outside your units.") % {"unit": award.recipient_unit.name}}
        )
    if not access.can_edit_unit(user, award.recipient_unit):
        raise PermissionDenied
    if award.movement_id and not permissions.can_manage_movement(user, award.movement):
        raise PermissionDenied
    award.delete()


# --- Dân vận khéo models -----------------------------------------------------------------------


@dataclass
class DvkModelInput:
    values: dict[str, Any]
    criteria: list[dict[str, Any]] | None = None
    pillars: list[dict[str, Any]] | None = None


DVK_FIELDS = (
    "name",
    "kind",
    "field",
    "level",
    "owner_unit",
    "locality",
    "movement",
    "target_group",
    "is_pilot",
    "registered_on",
    "rationale",
    "objectives",
    "methods",
    "forces",
    "timeline",
    "start_date",
    "end_date",
    "outputs",
)


def _require_writable(user: User, unit: Unit, field_name: str) -> None:
    if not access.can_view_unit(user, unit):
        raise ValidationError({field_name: _("%(unit)s is outside your units.") % {"unit": unit.name}})
    if not access.can_edit_unit(user, unit):
        raise PermissionDenied


def _inline(model, parent: DvkModel, rows: list[dict[str, Any]] | None, prefix: str, fields: tuple[str, ...]) -> None:
    """Replace the model's inline rows, all validated first (``None`` leaves them as they are)."""
    if rows is None:
        return
    built, errors = [], {}
    for index, values in enumerate(rows):
        row = model(model=parent, **{k: v for k, v in values.items() if k in fields})
        try:
            row.full_clean(exclude=["model"], validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            errors[f"{prefix}-{index}"] = exc.messages
        built.append(row)
    if model is DvkPillar:
        numbers = [row.number for row in built]
        if len(numbers) != len(set(numbers)):
            errors[prefix] = [_("Each pillar has its own number.")]
    if errors:
        raise ValidationError(errors)
    model.objects.filter(model=parent).delete()
    model.objects.bulk_create(built)


CRITERION_ROW_FIELDS = ("text", "target", "achieved", "met", "evidence", "order")
PILLAR_ROW_FIELDS = ("number", "title", "description")


@transaction.atomic
def dvk_model_create(*, user: User, data: DvkModelInput) -> DvkModel:
    model = DvkModel(**{k: v for k, v in data.values.items() if k in DVK_FIELDS}, created_by=user)
    _require_writable(user, model.owner_unit, "owner_unit")
    _save(model, user)
    _inline(DvkCriterion, model, data.criteria, "criteria", CRITERION_ROW_FIELDS)
    _inline(DvkPillar, model, data.pillars, "pillars", PILLAR_ROW_FIELDS)
    return model


@transaction.atomic
def dvk_model_update(
    *, user: User, model: DvkModel, data: DvkModelInput, expected_version: int | None = None
) -> DvkModel:
    model = DvkModel.objects.select_for_update().get(pk=model.pk)
    check_version(model, expected_version)
    _require_writable(user, model.owner_unit, "owner_unit")
    for name, value in data.values.items():
        if name in DVK_FIELDS:
            setattr(model, name, value)
    _require_writable(user, model.owner_unit, "owner_unit")
    if model.commitments.exclude(village__path__startswith=model.locality.path).exists():
        raise ValidationError({"locality": _("Some households that signed commitments live outside this locality.")})
    _bump(model)
    _save(model, user)
    _inline(DvkCriterion, model, data.criteria, "criteria", CRITERION_ROW_FIELDS)
    _inline(DvkPillar, model, data.pillars, "pillars", PILLAR_ROW_FIELDS)
    return model


@transaction.atomic
def dvk_transition(
    *,
    user: User,
    model: DvkModel,
    to_status: str,
    note: str = "",
    recognized_on: date | None = None,
    recognition_document=None,
    effective_on: date | None = None,
    expected_version: int | None = None,
) -> DvkModel:
    """Move a model along its lifecycle. ``effective_on`` is the day the step happened (default
    today): never in the future, nor before the registration or the previous step."""
    model = DvkModel.objects.select_for_update().get(pk=model.pk)
    check_version(model, expected_version)
    _require_writable(user, model.owner_unit, "owner_unit")
    if not can_move(model.status, to_status):
        raise ValidationError(
            {
                "status": _("A model cannot go from “%(from)s” to “%(to)s”.")
                % {
                    "from": DvkStatus(model.status).label,
                    "to": DvkStatus(to_status).label if to_status in DvkStatus.values else to_status,
                }
            }
        )
    if to_status in {DvkStatus.RECOGNIZED, DvkStatus.NOT_MET} and not permissions.can_recognize(user, model):
        raise PermissionDenied
    if to_status == DvkStatus.RECOGNIZED:
        criteria = list(model.criteria.all())
        if not criteria:
            raise ValidationError({"status": _("A model is recognized against its criteria; record them first.")})
        unmet = [c.text for c in criteria if not c.met]
        if unmet:
            raise ValidationError({"status": _("Criteria not met yet: %(list)s.") % {"list": "; ".join(unmet[:5])}})
        if recognized_on is None:
            raise ValidationError({"recognized_on": _("Give the date of the recognition decision.")})
        model.recognized_on = recognized_on
        model.recognition_document = recognition_document
    if to_status == DvkStatus.STOPPED and not note.strip():
        raise ValidationError({"note": _("Say why the model stops.")})
    effective_on = effective_on or timezone.localdate()
    previous = model.events.order_by("-effective_on").values_list("effective_on", flat=True).first()
    if effective_on > timezone.localdate():
        raise ValidationError({"effective_on": _("A step cannot be dated in the future.")})
    if effective_on < model.registered_on or (previous and effective_on < previous):
        raise ValidationError(
            {"effective_on": _("A step cannot be dated before the registration or the previous step.")}
        )
    DvkEvent.objects.create(
        model=model,
        from_status=model.status,
        to_status=to_status,
        note=note.strip(),
        effective_on=effective_on,
        by=user,
    )
    model.status = to_status
    _bump(model)
    _save(model, user)
    return model


# --- Household commitments and pledges ---------------------------------------------------------

COMMITMENT_FIELDS = ("model", "household_head", "village", "signed_on", "note")


def _items(ids: Iterable[Any], field_name: str, *, offered_only: bool) -> list[CommitmentItem]:
    ids = list(ids)
    items = list(CommitmentItem.objects.filter(pk__in=[getattr(i, "pk", i) for i in ids]))
    if len(items) != len({getattr(i, "pk", i) for i in ids}):
        raise ValidationError({field_name: _("Unknown commitment item.")})
    if offered_only and any(not item.is_active for item in items):
        raise ValidationError({field_name: _("That commitment item is no longer offered.")})
    if not items:
        raise ValidationError({field_name: _("Choose at least one item.")})
    return items


@transaction.atomic
def commitment_create(*, user: User, values: dict[str, Any], items: Iterable[Any]) -> HouseholdCommitment:
    commitment = HouseholdCommitment(**{k: v for k, v in values.items() if k in COMMITMENT_FIELDS}, created_by=user)
    _require_writable(user, commitment.village, "village")
    if commitment.model.status not in SIGNING_STATUSES:
        raise ValidationError(
            {
                "model": _("Households sign once the model has been discussed with the village (status: %(status)s).")
                % {"status": commitment.model.get_status_display()}
            }
        )
    chosen = _items(items, "items", offered_only=True)
    if HouseholdCommitment.objects.filter(
        model=commitment.model, village=commitment.village, household_head=commitment.household_head
    ).exists():
        raise ValidationError({"household_head": _("This household has already signed for this model.")})
    _save(commitment, user)
    commitment.items.set(chosen)
    return commitment


@transaction.atomic
def commitment_update(
    *,
    user: User,
    commitment: HouseholdCommitment,
    values: dict[str, Any],
    items: Iterable[Any] | None = None,
    broken_items: Iterable[Any] | None = None,
    expected_version: int | None = None,
) -> HouseholdCommitment:
    """Edit a commitment or record that it was broken (``status``, ``broken_on``, ``broken_items``)."""
    commitment = HouseholdCommitment.objects.select_for_update().get(pk=commitment.pk)
    check_version(commitment, expected_version)
    _require_writable(user, commitment.village, "village")
    for name, value in values.items():
        if name in (*COMMITMENT_FIELDS, "status", "broken_on"):
            setattr(commitment, name, value)
    _require_writable(user, commitment.village, "village")
    chosen = _items(items, "items", offered_only=False) if items is not None else list(commitment.items.all())
    broken: list[CommitmentItem] = []
    if commitment.status == CommitmentStatus.BROKEN:
        broken = _items(
            broken_items if broken_items is not None else commitment.broken_items.all(),
            "broken_items",
            offered_only=False,
        )
        if {b.pk for b in broken} - {c.pk for c in chosen}:
            raise ValidationError({"broken_items": _("Only items the household signed can be broken.")})
    _bump(commitment)
    _save(commitment, user)
    commitment.items.set(chosen)
    commitment.broken_items.set(broken)
    return commitment


PLEDGE_FIELDS = ("unit", "year", "signed_on", "representative", "result", "assessment")


@transaction.atomic
def pledge_save(
    *,
    user: User,
    values: dict[str, Any],
    items: Iterable[Any],
    pledge: EmulationPledge | None = None,
    expected_version: int | None = None,
) -> EmulationPledge:
    if pledge is None:
        pledge = EmulationPledge(created_by=user)
    else:
        pledge = EmulationPledge.objects.select_for_update().get(pk=pledge.pk)
        check_version(pledge, expected_version)
        _require_writable(user, pledge.unit, "unit")
        _bump(pledge)
    for name, value in values.items():
        if name in PLEDGE_FIELDS:
            setattr(pledge, name, value)
    _require_writable(user, pledge.unit, "unit")
    chosen = _items(items, "items", offered_only=pledge.pk is None)
    clash = EmulationPledge.objects.filter(unit=pledge.unit, year=pledge.year).exclude(pk=pledge.pk)
    if clash.exists():
        raise ValidationError(
            {"year": _("%(unit)s has already pledged for %(year)s.") % {"unit": pledge.unit.name, "year": pledge.year}}
        )
    _save(pledge, user)
    pledge.items.set(chosen)
    return pledge
