"""Writes for dialogues, petitions, notices, answers and meetings. Views, API, imports and tasks
call these; each is one transaction and validates with ``full_clean()`` before saving."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.db.models.signals import pre_save
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from organization import access
from organization.models import Document, DocumentKind, NotificationKind, Person, Role, Unit, User
from organization.notifications import notify, officers_of
from organization.search import fold
from organization.services import StaleVersion as StaleVersion  # re-exported: views catch services.StaleVersion
from organization.services import check_version, document_issue
from organization.uploads import SCAN_TYPES, validate_upload

from . import permissions
from .models import (
    ConclusionNotice,
    Dialogue,
    DialogueAttachment,
    Directive,
    EngagementMeeting,
    Petition,
    PetitionEvent,
    PetitionResponse,
    PetitionSource,
    ReportedAggregate,
    ReportedAggregatePart,
    ResponseStatus,
)
from .sanitize import clean_minutes
from .workflow import Action, PetitionStatus, target_status

DIALOGUE_FIELDS = (
    "unit",
    "level",
    "host_body",
    "chaired_by",
    "kind",
    "status",
    "topic",
    "date",
    "commune",
    "village",
    "venue",
    "audience",
    "participant_count",
    "trigger_event",
)
PETITION_FIELDS = ("type", "field", "content", "petitioner", "village", "legal_track", "on_spot_answer")


def _require_recordable(user: User, unit: Unit) -> None:
    if not access.can_view_unit(user, unit):
        raise ValidationError({"unit": _("You cannot record data for %(unit)s.") % {"unit": unit.name}})
    permissions.require(permissions.can_record(user, unit))


# --- Dialogues ----------------------------------------------------------------------------------


@dataclass
class PetitionInput:
    """One petition typed on a dialogue's page (or in an import row)."""

    type: str
    field: str
    content: str
    petitioner: str = ""
    village: Unit | None = None
    legal_track: str = ""
    answered_on_spot: bool = False
    on_spot_answer: str = ""


@dataclass
class DialogueInput:
    values: dict[str, Any]
    minutes_text: str = ""
    legal_basis: list[Document] = field(default_factory=list)


def _attach(*, dialogue: Dialogue, uploads: list[UploadedFile], user: User, kind: str = "minutes") -> None:
    # Check every file before writing any: a bad second file must not leave the first on disk.
    checked = [(upload, validate_upload(upload, SCAN_TYPES)) for upload in uploads]
    for upload, file_type in checked:
        DialogueAttachment.objects.create(
            dialogue=dialogue,
            kind=kind,
            file=upload,
            original_name=upload.name[:255],
            content_type=file_type.content_type,
            size=upload.size,
            uploaded_by=user,
        )


def _mark_minutes(dialogue: Dialogue) -> None:
    # Query the table, not dialogue.attachments: a caller's prefetch cache may predate the upload.
    has_files = DialogueAttachment.objects.filter(dialogue=dialogue).exists()
    if dialogue.minutes_filed_at is None and (dialogue.minutes_text or has_files):
        dialogue.minutes_filed_at = timezone.now()
        Dialogue.objects.filter(pk=dialogue.pk).update(minutes_filed_at=dialogue.minutes_filed_at)


@transaction.atomic
def dialogue_create(
    *, user: User, data: DialogueInput, petitions: list[PetitionInput] = (), attachments: list[UploadedFile] = ()
) -> Dialogue:
    """Record a dialogue with its petitions and minutes files: all saved together or nothing."""
    values = {name: value for name, value in data.values.items() if name in DIALOGUE_FIELDS}
    dialogue = Dialogue(**values, minutes_text=clean_minutes(data.minutes_text), created_by=user)
    _require_recordable(user, dialogue.unit)
    dialogue.full_clean()
    dialogue._history_user = user
    dialogue.save()
    dialogue.legal_basis.set(data.legal_basis)
    errors: dict[str, list] = {}
    for index, item in enumerate(petitions):
        try:
            petition_create(
                user=user,
                unit=dialogue.unit,
                source=PetitionSource.DIALOGUE,
                received_on=dialogue.date,
                data=item,
                dialogue=dialogue,
            )
        except ValidationError as exc:
            errors[f"petitions-{index}"] = exc.messages
    if errors:
        raise ValidationError(errors)
    _attach(dialogue=dialogue, uploads=list(attachments), user=user)
    _mark_minutes(dialogue)
    return dialogue


@transaction.atomic
def dialogue_update(
    *, user: User, dialogue: Dialogue, data: DialogueInput, expected_version: int | None = None
) -> Dialogue:
    dialogue = Dialogue.objects.select_for_update().get(pk=dialogue.pk)
    check_version(dialogue, expected_version)
    _require_recordable(user, dialogue.unit)
    for name, value in data.values.items():
        if name in DIALOGUE_FIELDS and name != "unit":
            setattr(dialogue, name, value)
    dialogue.minutes_text = clean_minutes(data.minutes_text)
    dialogue.full_clean()
    # A plain increment, not F(): the row is locked (select_for_update above), and the history
    # record copies the field's value, which cannot be an expression.
    dialogue.version += 1
    dialogue._history_user = user
    dialogue.save()
    dialogue.refresh_from_db()
    dialogue.legal_basis.set(data.legal_basis)
    _mark_minutes(dialogue)
    return dialogue


@transaction.atomic
def minutes_file(
    *, user: User, dialogue: Dialogue, text: str | None = None, attachments: list[UploadedFile] = ()
) -> Dialogue:
    """Add minutes text and/or scans to a held dialogue."""
    _require_recordable(user, dialogue.unit)
    if text is not None:
        dialogue.minutes_text = clean_minutes(text)
        dialogue._history_user = user
        dialogue.save(update_fields=["minutes_text", "search_text", "updated_at"])
    _attach(dialogue=dialogue, uploads=list(attachments), user=user)
    _mark_minutes(dialogue)
    return dialogue


# --- Petitions ----------------------------------------------------------------------------------


def _record_event(
    petition: Petition,
    *,
    action: str,
    from_status: str,
    user: User | None,
    comment: str = "",
    agency: Unit | None = None,
    deadline: date | None = None,
) -> PetitionEvent:
    return PetitionEvent.objects.create(
        petition=petition,
        action=action,
        from_status=from_status,
        to_status=petition.status,
        actor=user,
        comment=comment,
        agency=agency,
        deadline=deadline,
    )


@transaction.atomic
def petition_create(
    *,
    user: User,
    unit: Unit,
    source: str,
    received_on: date,
    data: PetitionInput,
    dialogue: Dialogue | None = None,
    engagement_meeting: EngagementMeeting | None = None,
) -> Petition:
    _require_recordable(user, unit)
    if dialogue is not None and not (dialogue.unit_id == unit.pk or unit.is_descendant_of(dialogue.unit)):
        raise ValidationError({"dialogue": _("The petition must belong to the dialogue's own commune.")})
    petition = Petition(
        unit=unit,
        source=source,
        received_on=received_on,
        dialogue=dialogue,
        engagement_meeting=engagement_meeting,
        created_by=user,
        **{name: getattr(data, name) for name in PETITION_FIELDS},
    )
    petition.full_clean()
    petition._history_user = user
    petition.save()
    _record_event(petition, action="create", from_status="", user=user)
    if petition.legal_track:
        # Complaints and denunciations go to the legal track at once; the portal only records it.
        # The transition reloads the row; return that copy, not the stale "received" one.
        petition = petition_transition(
            user=user,
            petition=petition,
            action=Action.ROUTE_OUT,
            comment=_("Routed to the legal track for complaints and denunciations."),
        )
    elif data.answered_on_spot:
        if not data.on_spot_answer.strip():
            raise ValidationError({"on_spot_answer": _("Write the answer given on the spot.")})
        petition = petition_transition(user=user, petition=petition, action=Action.ANSWER_ON_SPOT)
    return petition


def _notify_agency(petition: Petition, agency: Unit, message: str) -> None:
    notify(
        recipients=officers_of(agency, Role.AGENCY_OFFICER),
        kind=NotificationKind.ASSIGNED,
        message=message,
        url=reverse("dialogues:petition_detail", args=[petition.pk]),
    )


@transaction.atomic
def petition_transition(
    *,
    user: User,
    petition: Petition,
    action: str,
    comment: str = "",
    agency: Unit | None = None,
    deadline: date | None = None,
    directive: Directive | None = None,
    expected_version: int | None = None,
    on: date | None = None,
) -> Petition:
    """Move a petition along the workflow. Refuses moves that do not exist and users without the
    right; records who, when, from and to, and why; notifies whoever must act next.

    ``on`` dates a closing move (resolve, transfer, route out) when history is entered after the
    fact; it defaults to today and must lie between receipt and today."""
    # of=("self",): lock the petition row only. PostgreSQL refuses FOR UPDATE on the nullable side
    # of the outer join to assigned_agency.
    petition = (
        Petition.objects.select_for_update(of=("self",)).select_related("unit", "assigned_agency").get(pk=petition.pk)
    )
    check_version(petition, expected_version)
    current = petition.status
    new_status = target_status(action, current)
    if new_status is None:
        raise ValidationError(
            _("A petition that is “%(status)s” cannot be moved with “%(action)s”.")
            % {"status": PetitionStatus(current).label, "action": Action(action).label}
        )
    if not (directive is not None and action == Action.ASSIGN and permissions.can_issue_notice(user, petition.unit)):
        permissions.require(permissions.may_take(user, petition, action))

    today = timezone.localdate()
    if on is not None and not (petition.received_on <= on <= today):
        raise ValidationError({"on": _("The date must lie between receipt and today.")})
    if action in {Action.ASSIGN, Action.REASSIGN}:
        if agency is None or deadline is None:
            raise ValidationError(_("Choose the agency and the deadline."))
        if deadline < petition.received_on:
            raise ValidationError({"deadline": _("The deadline cannot be before the petition was received.")})
        if action == Action.REASSIGN and agency.pk == petition.assigned_agency_id:
            raise ValidationError({"agency": _("The petition is already assigned to this agency.")})
        petition.assigned_agency, petition.deadline, petition.directive = agency, deadline, directive
    if action == Action.ANSWER_ON_SPOT:
        if comment.strip() and not petition.on_spot_answer:
            petition.on_spot_answer = comment.strip()
        petition.answered_on = petition.received_on
        petition.closed_on = petition.received_on
    if action == Action.ANSWER:
        response = petition.responses.filter(status=ResponseStatus.DRAFT).first()
        if response is None:
            raise ValidationError(_("Write the answer before publishing it."))
        response.status, response.published_at = ResponseStatus.PUBLISHED, timezone.now()
        response.save(update_fields=["status", "published_at"])
        petition.answered_on = response.answered_on
    if action == Action.REOPEN:
        if not comment.strip():
            raise ValidationError({"comment": _("Say why the answer is insufficient.")})
        petition.responses.filter(status=ResponseStatus.PUBLISHED).update(
            status=ResponseStatus.REOPENED, reopen_reason=comment
        )
        petition.answered_on = None
    if action in {Action.RESOLVE, Action.TRANSFER, Action.ROUTE_OUT}:
        petition.closed_on = on or today
        if action == Action.TRANSFER and not comment.strip():
            raise ValidationError({"comment": _("Say where the petition was transferred to.")})

    petition.status = new_status
    # Locked above (select_for_update); see dialogue_update for why this is not F().
    petition.version += 1
    petition._history_user = user
    petition.save()
    petition.refresh_from_db()
    _record_event(
        petition, action=action, from_status=current, user=user, comment=comment, agency=agency, deadline=deadline
    )

    url = reverse("dialogues:petition_detail", args=[petition.pk])
    if action in {Action.ASSIGN, Action.REASSIGN}:
        _notify_agency(
            petition,
            agency,
            _("New petition assigned to %(agency)s, due %(deadline)s.")
            % {"agency": agency.name, "deadline": deadline.strftime("%d/%m/%Y")},
        )
    elif action == Action.ANSWER:
        staff = officers_of(petition.unit, Role.COMMUNE_OFFICER) | _district_staff_over(petition.unit)
        notify(
            recipients=staff.distinct(),
            kind=NotificationKind.ANSWERED,
            url=url,
            message=_("%(agency)s answered petition #%(id)s.")
            % {"agency": petition.assigned_agency.name, "id": petition.pk},
        )
    elif action == Action.REOPEN:
        notify(
            recipients=officers_of(petition.assigned_agency, Role.AGENCY_OFFICER),
            kind=NotificationKind.REOPENED,
            url=url,
            message=_("The answer to petition #%(id)s was reopened: %(reason)s")
            % {"id": petition.pk, "reason": comment},
        )
    return petition


def _district_staff_over(unit: Unit):
    """District staff whose scope contains ``unit``."""
    ancestors = [*unit.ancestors(), unit]
    return User.objects.filter(
        is_active=True,
        memberships__is_active=True,
        memberships__role=Role.DISTRICT_STAFF,
        memberships__unit__in=ancestors,
    )


# --- Responses ----------------------------------------------------------------------------------


@transaction.atomic
def response_save_draft(
    *,
    user: User,
    petition: Petition,
    text: str,
    answered_on: date,
    document: Document | None = None,
    file: UploadedFile | None = None,
) -> PetitionResponse:
    """The agency drafts its answer; only its officers may, and only while it owes one."""
    petition = Petition.objects.select_for_update().get(pk=petition.pk)
    permissions.require(permissions.is_agency_officer(user, petition.assigned_agency))
    if petition.status not in {PetitionStatus.ASSIGNED, PetitionStatus.IN_PROGRESS}:
        raise ValidationError(_("This petition is not waiting for an answer."))
    if answered_on < petition.received_on or answered_on > timezone.localdate():
        raise ValidationError({"answered_on": _("The answer date must lie between receipt and today.")})
    if file is not None:
        validate_upload(file, SCAN_TYPES)
    response = petition.responses.filter(status=ResponseStatus.DRAFT).first() or PetitionResponse(
        petition=petition, agency=petition.assigned_agency, author=user
    )
    response.text, response.answered_on, response.document = text.strip(), answered_on, document
    if file is not None:
        response.file = file
    if not response.text:
        raise ValidationError({"text": _("Write the answer.")})
    response._history_user = user
    response.save()
    return response


def response_publish(*, user: User, petition: Petition, comment: str = "") -> Petition:
    return petition_transition(user=user, petition=petition, action=Action.ANSWER, comment=comment)


# --- Conclusion notices -------------------------------------------------------------------------


@dataclass
class DirectiveInput:
    agency: Unit
    content: str
    deadline: date
    petitions: list[Petition]


@transaction.atomic
def conclusion_notice_issue(
    *,
    user: User,
    dialogue: Dialogue,
    issuer: Unit,
    day: date,
    summary: str,
    directives: list[DirectiveInput],
    signer: Person | None = None,
) -> ConclusionNotice:
    """Issue a numbered notice (…-TB/HU) and assign each directive's petitions to its agency."""
    if not permissions.can_issue_notice(user, dialogue.unit):
        raise PermissionDenied
    if not access.can_view_unit(user, issuer):
        raise ValidationError({"issuer": _("Choose an issuing body within your units.")})
    if day < dialogue.date:
        raise ValidationError({"date": _("The notice cannot be dated before the dialogue.")})
    if not directives:
        raise ValidationError(_("Add at least one directive."))
    document = document_issue(
        issuer=issuer,
        kind=DocumentKind.TB,
        day=day,
        created_by=user,
        signer=signer,
        subject=_("Conclusions of the dialogue “%(topic)s”") % {"topic": dialogue.topic},
    )
    notice = ConclusionNotice(dialogue=dialogue, document=document, summary=summary, issued_by=user)
    notice._history_user = user
    notice.save()
    for index, item in enumerate(directives):
        if item.deadline < dialogue.date:
            raise ValidationError({f"directives-{index}": _("The deadline cannot be before the dialogue.")})
        directive = Directive.objects.create(
            notice=notice, agency=item.agency, content=item.content.strip(), deadline=item.deadline
        )
        for petition in item.petitions:
            if petition.dialogue_id != dialogue.pk:
                raise ValidationError(
                    {
                        f"directives-{index}": _("Petition #%(id)s was not raised at this dialogue.")
                        % {"id": petition.pk}
                    }
                )
            petition_transition(
                user=user,
                petition=petition,
                action=Action.ASSIGN,
                agency=item.agency,
                deadline=item.deadline,
                directive=directive,
                comment=_("Assigned by notice %(symbol)s") % {"symbol": document.symbol},
            )
    return notice


# --- Engagement meetings and reported aggregates -----------------------------------------------


@transaction.atomic
def engagement_meeting_create(
    *, user: User, values: dict[str, Any], opinions: list[PetitionInput] = ()
) -> EngagementMeeting:
    meeting = EngagementMeeting(**values, created_by=user)
    _require_recordable(user, meeting.unit)
    meeting.full_clean()
    meeting._history_user = user
    meeting.save()
    errors: dict[str, list] = {}
    for index, item in enumerate(opinions):
        try:
            petition_create(
                user=user,
                unit=meeting.unit,
                source=PetitionSource.DIGNITARIES_MEETING,
                received_on=meeting.date,
                data=item,
                engagement_meeting=meeting,
            )
        except ValidationError as exc:
            errors[f"opinions-{index}"] = exc.messages
    if errors:
        raise ValidationError(errors)
    return meeting


@transaction.atomic
def reported_aggregate_create(
    *, user: User, values: dict[str, Any], parts: list[tuple[str, int]] = ()
) -> ReportedAggregate:
    aggregate = ReportedAggregate(**values, created_by=user)
    _require_recordable(user, aggregate.unit)
    aggregate.full_clean()
    aggregate._history_user = user
    aggregate.save()
    ReportedAggregatePart.objects.bulk_create(
        ReportedAggregatePart(aggregate=aggregate, label=label, value=value) for label, value in parts
    )
    return aggregate


# --- Bulk intake (imports) ----------------------------------------------------------------------

#: Fields checked on each imported petition; the foreign keys are given as objects the import
#: has already resolved within the user's scope, so their existence queries are skipped.
_BULK_SKIP_FK_CHECKS = [
    "unit",
    "dialogue",
    "engagement_meeting",
    "village",
    "assigned_agency",
    "directive",
    "created_by",
]


@dataclass
class PetitionIntake:
    """One petition received outside a dialogue (or at one), as a row of an import file."""

    unit: Unit
    source: str
    received_on: date
    data: PetitionInput
    dialogue: Dialogue | None = None


def _copy_history_and_events(ids: list[int], user: User) -> None:
    """The "created" history row and "create" event of freshly inserted petitions, copied by the
    database from the petition rows (INSERT … SELECT): the same rows ``petition_create`` writes
    one by one, without building tens of thousands of objects in Python."""
    if not ids:
        return
    history = Petition.history.model
    own = {"history_id", "history_date", "history_change_reason", "history_type", "history_user_id"}
    copied = [field.column for field in history._meta.concrete_fields if field.attname not in own]
    marks = ", ".join(["%s"] * len(ids))
    now = timezone.now()
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(history._meta.db_table)} "  # noqa: S608 - names from the models, values bound
            f"({', '.join(map(quote, copied))}, history_date, history_change_reason, history_type, history_user_id) "
            f"SELECT {', '.join(map(quote, copied))}, %s, NULL, '+', %s FROM {quote(Petition._meta.db_table)} "
            f"WHERE id IN ({marks})",
            [now, user.pk, *ids],
        )
        cursor.execute(
            f"INSERT INTO {quote(PetitionEvent._meta.db_table)} "  # noqa: S608 - names from the models, values bound
            "(petition_id, action, from_status, to_status, actor_id, comment, agency_id, deadline, at) "
            f"SELECT id, 'create', '', status, %s, '', NULL, NULL, %s FROM {quote(Petition._meta.db_table)} "
            f"WHERE id IN ({marks})",
            [user.pk, now, *ids],
        )


@transaction.atomic
def petitions_intake(
    *, user: User, items: list[PetitionIntake], batch_size: int = 2000, progress=None, validate_only: bool = False
) -> list[Petition]:
    """Record many petitions at once with the rules of ``petition_create``.

    Plain petitions (no legal track, not answered on the spot) are validated the same way
    (``clean_fields`` and ``clean``, the scope and role check per unit, the period-lock guard)
    and inserted in batches; their history row and "create" event are copied by the database
    (``_copy_history_and_events``): the thousands of rows of a commune's archive in seconds,
    not minutes. The others go through ``petition_create`` one by one, because they also move
    through the workflow. ``validate_only`` checks every row and writes only those others (the
    caller rolls back): the import's dry run.
    """
    checked_units: set[int] = set()
    plain: list[Petition] = []
    created: list[Petition] = []
    errors: dict[str, list[str]] = {}
    for index, item in enumerate(items):
        if item.unit.pk not in checked_units:
            _require_recordable(user, item.unit)
            checked_units.add(item.unit.pk)
        if item.data.legal_track or item.data.answered_on_spot:
            try:
                created.append(
                    petition_create(
                        user=user,
                        unit=item.unit,
                        source=item.source,
                        received_on=item.received_on,
                        data=item.data,
                        dialogue=item.dialogue,
                    )
                )
            except ValidationError as exc:
                errors[str(index)] = exc.messages
            continue
        petition = Petition(
            unit=item.unit,
            source=item.source,
            received_on=item.received_on,
            dialogue=item.dialogue,
            created_by=user,
            **{name: getattr(item.data, name) for name in PETITION_FIELDS},
        )
        try:
            petition.clean_fields(exclude=_BULK_SKIP_FK_CHECKS)
            petition.clean()
            # The guards other apps attach to saves (period locks) run as for a single save.
            pre_save.send(sender=Petition, instance=petition, raw=False, using="default", update_fields=None)
        except ValidationError as exc:
            errors[str(index)] = exc.messages
            continue
        petition.search_text = fold(" ".join([petition.content, petition.petitioner, petition.on_spot_answer]))
        plain.append(petition)
    if errors:
        raise ValidationError(errors)
    if validate_only:
        return created
    total = len(plain) or 1
    for start in range(0, len(plain), batch_size):
        batch = Petition.objects.bulk_create(plain[start : start + batch_size], batch_size=batch_size)
        _copy_history_and_events([petition.pk for petition in batch], user)
        created.extend(batch)
        if progress is not None:
            progress(min(100, (start + len(batch)) * 100 // total))
    return created
