"""Writes for programs, road projects, land donations and site clearance. Pages, API and imports
call these; each is one transaction and validates with ``full_clean()`` before saving."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from organization import access
from organization.models import Role, Unit, User
from organization.services import StaleVersion as StaleVersion  # re-exported: views catch services.StaleVersion
from organization.services import check_version
from organization.uploads import SCAN_TYPES, validate_upload

from .models import (
    PROGRAM_TRANSITIONS,
    Contribution,
    Disbursement,
    LandDonation,
    Participation,
    Program,
    ProgramStatus,
    RoadProject,
    SiteClearanceProject,
    WorkItem,
)


def require_recordable(user: User, unit: Unit) -> None:
    """Outside the user's units: a clear refusal that names the unit; read-only roles: 403."""
    if not access.can_view_unit(user, unit):
        raise ValidationError({"unit": _("You cannot record data for %(unit)s.") % {"unit": unit.name}})
    if not access.can_edit_unit(user, unit):
        raise PermissionDenied


def _save(obj, user: User) -> None:
    obj.full_clean()
    obj._history_user = user
    obj.save()


def _rows(model, program: Program, rows: list[dict[str, Any]], prefix: str) -> list:
    """Validate every inline row first, then replace the program's rows: all or nothing."""
    built, errors = [], {}
    for index, values in enumerate(rows):
        row = model(program=program, **values)
        try:
            row.full_clean(exclude=["program"])
        except ValidationError as exc:
            errors[f"{prefix}-{index}"] = exc.messages
        built.append(row)
    if model is Participation:
        # One row per category (a database constraint); say so instead of failing on insert.
        seen: set[str] = set()
        for index, row in enumerate(built):
            if row.category in seen:
                errors.setdefault(f"{prefix}-{index}", []).append(_("This category is already counted in another row."))
            seen.add(row.category)
    if errors:
        raise ValidationError(errors)
    model.objects.filter(program=program).delete()
    model.objects.bulk_create(built)
    return built


@dataclass
class ProgramInput:
    values: dict[str, Any]
    work_items: list[dict[str, Any]] = field(default_factory=list)
    contributions: list[dict[str, Any]] = field(default_factory=list)
    participation: list[dict[str, Any]] = field(default_factory=list)


PROGRAM_FIELDS = (
    "unit",
    "village",
    "organizer_level",
    "organizer",
    "title",
    "date",
    "fields",
    "basis_document",
    "survey_notes",
    "status",
    "summary",
)


def _check_organizer(user: User, program: Program) -> None:
    if program.organizer_id and not access.can_view_unit(user, program.organizer):
        raise ValidationError({"organizer": _("Choose an organizer within your units.")})


@transaction.atomic
def program_create(*, user: User, data: ProgramInput) -> Program:
    """A program with its work items, contributions and participation, saved together or not at all."""
    program = Program(**{k: v for k, v in data.values.items() if k in PROGRAM_FIELDS}, created_by=user)
    require_recordable(user, program.unit)
    _check_organizer(user, program)
    _save(program, user)
    _rows(WorkItem, program, data.work_items, "work_items")
    _rows(Contribution, program, data.contributions, "contributions")
    _rows(Participation, program, data.participation, "participation")
    return program


@transaction.atomic
def program_update(*, user: User, program: Program, data: ProgramInput, expected_version: int | None = None) -> Program:
    program = Program.objects.select_for_update(of=("self",)).get(pk=program.pk)
    check_version(program, expected_version)
    require_recordable(user, program.unit)
    previous_status, previous_organizer = program.status, program.organizer_id
    for name, value in data.values.items():
        if name in PROGRAM_FIELDS and name != "unit":
            setattr(program, name, value)
    if program.status != previous_status and program.status not in PROGRAM_TRANSITIONS[previous_status]:
        raise ValidationError(
            {
                "status": _("A program that is “%(old)s” cannot become “%(new)s”.")
                % {"old": ProgramStatus(previous_status).label, "new": ProgramStatus(program.status).label}
            }
        )
    # Keeping the organizer is not choosing it: a commune officer may edit a district program held
    # in their commune without seeing the district body that organized it.
    if program.organizer_id != previous_organizer:
        _check_organizer(user, program)
    program.version += 1
    _save(program, user)
    _rows(WorkItem, program, data.work_items, "work_items")
    _rows(Contribution, program, data.contributions, "contributions")
    _rows(Participation, program, data.participation, "participation")
    return program


@transaction.atomic
def program_set_status(*, user: User, program: Program, status: str, expected_version: int | None = None) -> Program:
    """Move a program one step along planned → surveyed → held → reviewed; rows stay untouched."""
    program = Program.objects.select_for_update(of=("self",)).get(pk=program.pk)
    check_version(program, expected_version)
    require_recordable(user, program.unit)
    if status not in PROGRAM_TRANSITIONS.get(program.status, set()):
        raise ValidationError(
            {
                "status": _("A program that is “%(old)s” cannot become “%(new)s”.")
                % {
                    "old": ProgramStatus(program.status).label,
                    "new": ProgramStatus(status).label if status in ProgramStatus.values else status,
                }
            }
        )
    program.status = status
    program.version += 1
    _save(program, user)
    return program


@transaction.atomic
def road_project_save(
    *, user: User, values: dict[str, Any], road: RoadProject | None = None, expected_version: int | None = None
) -> RoadProject:
    if road is None:
        road = RoadProject(created_by=user)
    else:
        road = RoadProject.objects.select_for_update(of=("self",)).get(pk=road.pk)
        check_version(road, expected_version)
        # The record's current unit first: nobody edits (or moves away) what they could not record.
        require_recordable(user, road.unit)
        road.version += 1
    for name, value in values.items():
        setattr(road, name, value)
    require_recordable(user, road.unit)
    _save(road, user)
    return road


@transaction.atomic
def land_donation_save(
    *,
    user: User,
    values: dict[str, Any],
    donation: LandDonation | None = None,
    consent_file: UploadedFile | None = None,
    expected_version: int | None = None,
) -> LandDonation:
    if donation is None:
        donation = LandDonation(created_by=user)
    else:
        donation = LandDonation.objects.select_for_update(of=("self",)).get(pk=donation.pk)
        check_version(donation, expected_version)
        # The record's current unit first: nobody edits (or moves away) what they could not record.
        require_recordable(user, donation.unit)
        donation.version += 1
    for name, value in values.items():
        setattr(donation, name, value)
    require_recordable(user, donation.unit)
    if consent_file is not None:
        validate_upload(consent_file, SCAN_TYPES)
        donation.consent_file = consent_file
    _save(donation, user)
    return donation


@transaction.atomic
def clearance_project_save(
    *,
    user: User,
    values: dict[str, Any],
    communes: list[Unit] | None = None,
    project: SiteClearanceProject | None = None,
    expected_version: int | None = None,
) -> SiteClearanceProject:
    """Site clearance is run by the district: only district staff (or admins) record it."""
    if project is None:
        project = SiteClearanceProject(created_by=user)
    else:
        project = SiteClearanceProject.objects.select_for_update(of=("self",)).get(pk=project.pk)
        check_version(project, expected_version)
        # The record's current unit first: nobody edits (or moves away) what they could not record.
        require_recordable(user, project.unit)
        project.version += 1
    for name, value in values.items():
        setattr(project, name, value)
    require_recordable(user, project.unit)
    if not access.has_role_over(user, project.unit, Role.DISTRICT_STAFF):
        raise PermissionDenied
    _save(project, user)
    if communes is not None:
        outside = [unit.name for unit in communes if not unit.is_descendant_of(project.unit)]
        if outside:
            raise ValidationError(
                {
                    "communes": _("Not within %(unit)s: %(names)s.")
                    % {"unit": project.unit.name, "names": ", ".join(outside)}
                }
            )
        project.communes.set(communes)
    return project


@transaction.atomic
def disbursement_record(*, user: User, project: SiteClearanceProject, values: dict[str, Any]) -> Disbursement:
    """Add a dated payment. Going above the budget needs an explicit reason."""
    project = SiteClearanceProject.objects.select_for_update(of=("self",)).get(pk=project.pk)
    require_recordable(user, project.unit)
    if not access.has_role_over(user, project.unit, Role.DISTRICT_STAFF):
        raise PermissionDenied
    payment = Disbursement(project=project, created_by=user, **values)
    payment.full_clean(exclude=["project"])
    paid = project.disbursements.aggregate(total=Sum("amount_vnd"))["total"] or 0
    if paid + payment.amount_vnd > project.budget_vnd and not payment.over_budget_reason.strip():
        raise ValidationError(
            {
                "over_budget_reason": _(
                    "This payment brings the total to %(total)s đồng, above the budget of %(budget)s đồng. "
                    "Give the reason (e.g. an approved supplementary plan) to record it."
                )
                % {
                    "total": f"{paid + payment.amount_vnd:,}".replace(",", "."),
                    "budget": f"{project.budget_vnd:,}".replace(",", "."),
                }
            }
        )
    if payment.paid_on < project.started_on:
        raise ValidationError({"paid_on": _("A payment cannot precede the project's start.")})
    payment._history_user = user
    payment.save()
    return payment
