"""API representations of dialogues, petitions, conclusion notices and engagement meetings.

Read serializers never query on their own: the viewsets select and prefetch what they read, so
a page costs the same number of queries whatever its length. Write serializers only validate
and normalize; the viewsets hand the result to ``dialogues.services``, the same functions the
pages call.

Every id a client sends (unit, village, agency, person, document, dialogue, petition) is looked
up among the objects the requesting user may see. An id outside that scope gets exactly the same
"unknown" answer as one that does not exist, so the API never confirms what it hides.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from organization import access
from organization.api_base import ScopedPrimaryKeyField, unit_field
from organization.models import Document, Person
from organization.serializers import UnitBriefSerializer
from organization.uploads import SCAN_TYPES, validate_upload

from . import permissions
from .forms_petitions import OWNER_KINDS
from .models import (
    ConclusionNotice,
    Dialogue,
    DialogueAttachment,
    DialogueKind,
    DialogueLevel,
    DialogueStatus,
    Directive,
    EngagementMeeting,
    HostBody,
    LegalTrack,
    Petition,
    PetitionEvent,
    PetitionField,
    PetitionResponse,
    PetitionSource,
    PetitionType,
    ReportedAggregate,
    ReportedAggregatePart,
    ReportedMetric,
)
from .workflow import Action, actions_from


def attachment_download_path(pk: int) -> str:
    """The page that serves a minutes file after checking the user's scope."""
    return reverse("dialogues:attachment_download", args=[pk])


# --- Scoped ids ---------------------------------------------------------------------------------


def _visible_people(user) -> QuerySet:
    return access.scope(Person.objects.all(), user)


def _visible_documents(user) -> QuerySet:
    return access.scope(Document.objects.all(), user, unit_field="issuer")


def _visible_dialogues(user) -> QuerySet:
    return Dialogue.objects.visible_to(user)


def _visible_petitions(user) -> QuerySet:
    return Petition.objects.visible_to(user)


def _visible_meetings(user) -> QuerySet:
    return EngagementMeeting.objects.visible_to(user)


def _checked_upload(upload):
    """The shared upload checks (size, type from the content), as a field error."""
    try:
        validate_upload(upload, SCAN_TYPES)
    except DjangoValidationError as exc:
        raise serializers.ValidationError(exc.messages) from exc
    return upload


# --- Small pieces named inside other objects ---------------------------------------------------


class PersonBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Person
        fields = ["id", "full_name"]
        read_only_fields = fields


class DocumentBriefSerializer(serializers.ModelSerializer):
    symbol = serializers.CharField(read_only=True, help_text=_("Number as written on paper, e.g. 3-TB/HU."))

    class Meta:
        model = Document
        fields = ["id", "symbol", "date", "subject"]
        read_only_fields = fields


class DialogueBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Dialogue
        fields = ["id", "date", "topic", "unit"]
        read_only_fields = fields
        extra_kwargs = {"unit": {"help_text": _("Owner unit id of the dialogue.")}}


def _display(source: str, help_text) -> serializers.CharField:
    return serializers.CharField(source=source, read_only=True, help_text=help_text)


# --- Petitions (read) ---------------------------------------------------------------------------


class PetitionSummarySerializer(serializers.ModelSerializer):
    """A petition listed inside its dialogue or meeting."""

    assigned_agency = UnitBriefSerializer(read_only=True, allow_null=True, help_text=_("Agency that must answer."))
    is_overdue = serializers.SerializerMethodField(help_text=_("Still owed by the agency after its deadline."))

    class Meta:
        model = Petition
        fields = ["id", "type", "field", "status", "content", "assigned_agency", "deadline", "is_overdue"]
        read_only_fields = fields
        extra_kwargs = {
            "type": {"help_text": _("Opinion, request, report of a problem or proposal.")},
            "field": {"help_text": _("Field (lĩnh vực) the petition is about.")},
            "status": {"help_text": _("Where the petition is in its workflow.")},
            "content": {"help_text": _("What the citizens raised.")},
            "deadline": {"help_text": _("Date by which the assigned agency must answer.")},
        }

    def get_is_overdue(self, petition: Petition) -> bool:
        return petition.is_overdue()


class PetitionSerializer(serializers.ModelSerializer):
    unit = UnitBriefSerializer(read_only=True, help_text=_("Commune (or district) where the petition arose."))
    dialogue = DialogueBriefSerializer(
        read_only=True, allow_null=True, help_text=_("The dialogue it was raised at, if any.")
    )
    village = UnitBriefSerializer(read_only=True, allow_null=True, help_text=_("Village concerned, if any."))
    assigned_agency = UnitBriefSerializer(
        read_only=True, allow_null=True, help_text=_("Agency that must answer, once assigned.")
    )
    source_display = _display("get_source_display", _("The source, in words."))
    type_display = _display("get_type_display", _("The type, in words."))
    field_display = _display("get_field_display", _("The field, in words."))
    status_display = _display("get_status_display", _("The status, in words."))
    is_overdue = serializers.SerializerMethodField(
        help_text=_("Computed: still owed by the agency after its deadline, as of today.")
    )

    class Meta:
        model = Petition
        fields = [
            "id",
            "unit",
            "dialogue",
            "engagement_meeting",
            "source",
            "source_display",
            "received_on",
            "type",
            "type_display",
            "field",
            "field_display",
            "content",
            "petitioner",
            "village",
            "legal_track",
            "status",
            "status_display",
            "on_spot_answer",
            "assigned_agency",
            "deadline",
            "is_overdue",
            "answered_on",
            "closed_on",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "engagement_meeting": {"help_text": _("Id of the engagement meeting it was raised at, if any.")},
            "source": {"help_text": _("Where it was raised: dialogue, citizen reception, mailbox, …")},
            "received_on": {"help_text": _("Date it was received.")},
            "type": {"help_text": _("Opinion, request, report of a problem or proposal.")},
            "field": {"help_text": _("Field (lĩnh vực) the petition is about.")},
            "content": {"help_text": _("What the citizens raised.")},
            "petitioner": {"help_text": _("Who raised it (a person, a village, a group).")},
            "legal_track": {
                "help_text": _("Set for legal complaints and denunciations, which are routed out, not managed here.")
            },
            "status": {"help_text": _("Where the petition is in its workflow.")},
            "on_spot_answer": {"help_text": _("Answer given at the dialogue itself, if any.")},
            "deadline": {"help_text": _("Date by which the assigned agency must answer.")},
            "answered_on": {"help_text": _("Date of the published answer.")},
            "closed_on": {"help_text": _("Date the petition left the workflow (resolved, transferred, …).")},
            "version": {"help_text": _("Send it back with a change; a stale one answers 409.")},
            "created_at": {"help_text": _("When it was recorded.")},
            "updated_at": {"help_text": _("When it last changed.")},
        }

    def get_is_overdue(self, petition: Petition) -> bool:
        return petition.is_overdue()


class PetitionEventSerializer(serializers.ModelSerializer):
    agency = UnitBriefSerializer(read_only=True, allow_null=True, help_text=_("Agency assigned by this step."))
    actor = serializers.SerializerMethodField(help_text=_("Full name of who took the step."))

    class Meta:
        model = PetitionEvent
        fields = ["id", "action", "from_status", "to_status", "agency", "deadline", "comment", "actor", "at"]
        read_only_fields = fields
        extra_kwargs = {
            "action": {"help_text": _("What was done: create, or one of the transition actions.")},
            "from_status": {"help_text": _("Status before the step (empty when created).")},
            "to_status": {"help_text": _("Status after the step.")},
            "deadline": {"help_text": _("Deadline given by this step.")},
            "comment": {"help_text": _("Why, in the actor's words.")},
            "at": {"help_text": _("When the step was taken.")},
        }

    def get_actor(self, event: PetitionEvent) -> str | None:
        return event.actor.get_full_name() if event.actor_id else None


class PetitionResponseSerializer(serializers.ModelSerializer):
    agency = UnitBriefSerializer(read_only=True, help_text=_("The answering agency."))
    document = DocumentBriefSerializer(read_only=True, allow_null=True, help_text=_("Official letter, if any."))
    author = serializers.SerializerMethodField(help_text=_("Full name of the officer who wrote it."))
    file_url = serializers.SerializerMethodField(
        help_text=_("Path of the page that serves the attached scan (drafts: the agency only), or null.")
    )

    class Meta:
        model = PetitionResponse
        fields = [
            "id",
            "agency",
            "status",
            "text",
            "answered_on",
            "document",
            "file_url",
            "author",
            "published_at",
            "reopen_reason",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "status": {"help_text": _("Draft (seen by the agency only), published, or reopened as insufficient.")},
            "text": {"help_text": _("The answer.")},
            "answered_on": {"help_text": _("Date of the answer.")},
            "published_at": {"help_text": _("When it was published.")},
            "reopen_reason": {"help_text": _("Why district staff found it insufficient.")},
        }

    def get_author(self, response: PetitionResponse) -> str | None:
        return response.author.get_full_name() if response.author_id else None

    def get_file_url(self, response: PetitionResponse) -> str | None:
        if not response.file:
            return None
        return reverse("dialogues:response_file", args=[response.petition_id, response.pk])


class PetitionDetailSerializer(PetitionSerializer):
    events = PetitionEventSerializer(many=True, read_only=True, help_text=_("Timeline, oldest first."))
    responses = PetitionResponseSerializer(
        many=True,
        read_only=True,
        help_text=_("Published and reopened answers; drafts only for officers of the answering agency."),
    )
    allowed_actions = serializers.SerializerMethodField(
        help_text=_("Transition actions you may take now (for the transition endpoint).")
    )

    class Meta(PetitionSerializer.Meta):
        fields = [*PetitionSerializer.Meta.fields, "events", "responses", "allowed_actions"]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=Action.choices)))
    def get_allowed_actions(self, petition: Petition) -> list[str]:
        request = self.context.get("request")
        user = getattr(request, "user", None)
        return [action for action in actions_from(petition.status) if permissions.may_take(user, petition, action)]


# --- Petitions (write) --------------------------------------------------------------------------


class PetitionInputSerializer(serializers.Serializer):
    """One petition typed with its dialogue or meeting (``services.PetitionInput``)."""

    type = serializers.ChoiceField(
        choices=PetitionType.choices,
        default=PetitionType.REQUEST,
        help_text=_("Opinion, request, report of a problem or proposal."),
    )
    field = serializers.ChoiceField(choices=PetitionField.choices, help_text=_("Field (lĩnh vực)."))
    content = serializers.CharField(help_text=_("What the citizens raised."))
    petitioner = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default="", help_text=_("Who raised it.")
    )
    village = unit_field(
        _("Unknown village."),
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Village concerned (unit id), within the petition's commune."),
    )
    legal_track = serializers.ChoiceField(
        choices=LegalTrack.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("complaint or denunciation: recorded and routed to the legal track at once."),
    )
    answered_on_spot = serializers.BooleanField(
        required=False, default=False, help_text=_("Answered at the dialogue itself (then give on_spot_answer).")
    )
    on_spot_answer = serializers.CharField(
        required=False, allow_blank=True, default="", help_text=_("The answer given on the spot.")
    )


class PetitionCreateSerializer(PetitionInputSerializer):
    """A petition from any source; one raised at a dialogue names it."""

    unit = unit_field(_("Unknown unit."), help_text=_("Commune (or district) where it arose (unit id)."))
    source = serializers.ChoiceField(choices=PetitionSource.choices, help_text=_("Where it was raised."))
    received_on = serializers.DateField(
        required=False,
        help_text=_("Date received (YYYY-MM-DD); defaults to the date of its dialogue or meeting."),
    )
    dialogue = ScopedPrimaryKeyField(
        model=Dialogue,
        scope=_visible_dialogues,
        unknown=_("Unknown dialogue."),
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Dialogue it was raised at (required when the source is dialogue)."),
    )
    engagement_meeting = ScopedPrimaryKeyField(
        model=EngagementMeeting,
        scope=_visible_meetings,
        unknown=_("Unknown meeting."),
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Engagement meeting it was raised at, if any."),
    )

    def validate(self, attrs):
        if attrs.get("received_on") is None:
            origin = attrs.get("dialogue") or attrs.get("engagement_meeting")
            if origin is None:
                raise serializers.ValidationError({"received_on": [_("Give the date it was received.")]})
            attrs["received_on"] = origin.date
        return attrs


class TransitionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=Action.choices, help_text=_("The move to make."))
    comment = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Why; required to reopen (what is insufficient) and to transfer (to whom)."),
    )
    agency = unit_field(
        _("Unknown agency."),
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Agency (unit id), for assign and reassign."),
    )
    deadline = serializers.DateField(
        required=False, allow_null=True, default=None, help_text=_("Deadline, for assign and reassign.")
    )
    version = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1, help_text=_("The petition version you read.")
    )


class ResponseDraftSerializer(serializers.Serializer):
    text = serializers.CharField(help_text=_("The answer."))
    answered_on = serializers.DateField(help_text=_("Date of the answer, between receipt and today."))
    document = ScopedPrimaryKeyField(
        model=Document,
        scope=_visible_documents,
        unknown=_("Unknown document."),
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Official letter of the answer (document id), if any."),
    )
    file = serializers.FileField(
        required=False, allow_null=True, default=None, help_text=_("Scan of the answer (PDF, DOCX, JPEG, PNG).")
    )

    def validate_file(self, upload):
        return _checked_upload(upload) if upload is not None else None


class PublishSerializer(serializers.Serializer):
    comment = serializers.CharField(
        required=False, allow_blank=True, default="", help_text=_("Note kept in the timeline.")
    )
    version = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1, help_text=_("The petition version you read.")
    )


# --- Dialogues ----------------------------------------------------------------------------------


class AttachmentSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField(
        help_text=_("Path of the page that serves the file after checking your scope.")
    )

    class Meta:
        model = DialogueAttachment
        fields = ["id", "kind", "original_name", "content_type", "size", "uploaded_at", "download_url"]
        read_only_fields = fields
        extra_kwargs = {
            "kind": {"help_text": _("Minutes scan, photo or other.")},
            "original_name": {"help_text": _("File name as uploaded.")},
            "content_type": {"help_text": _("Type detected from the content.")},
            "size": {"help_text": _("Size in bytes.")},
            "uploaded_at": {"help_text": _("When it was uploaded.")},
        }

    def get_download_url(self, attachment: DialogueAttachment) -> str:
        return attachment_download_path(attachment.pk)


class NoticeBriefSerializer(serializers.ModelSerializer):
    symbol = serializers.CharField(source="document.symbol", read_only=True, help_text=_("E.g. 3-TB/HU."))
    date = serializers.DateField(source="document.date", read_only=True, help_text=_("Date of the notice."))

    class Meta:
        model = ConclusionNotice
        fields = ["id", "symbol", "date"]
        read_only_fields = fields


_DIALOGUE_HELP = {
    "level": _("Province, district or commune."),
    "host_body": _("Who held the dialogue."),
    "kind": _("Periodic or ad hoc."),
    "status": _("Planned or held; a held dialogue cannot be dated in the future."),
    "topic": _("What the dialogue was about."),
    "date": _("Date held (YYYY-MM-DD)."),
    "venue": _("Where exactly (hall, cultural house)."),
    "audience": _("Who was invited (e.g. households of bản Tổng Kim)."),
    "participant_count": _("Number of participants."),
    "trigger_event": _("Event that prompted an ad hoc dialogue (e.g. a storm)."),
    "minutes_text": _("Minutes; only safe formatting is kept (scripts and styles are removed)."),
}


class DialogueSerializer(serializers.ModelSerializer):
    unit = UnitBriefSerializer(read_only=True, help_text=_("Owner unit: the commune or district whose record it is."))
    commune = UnitBriefSerializer(read_only=True, help_text=_("Commune where it was held."))
    village = UnitBriefSerializer(read_only=True, allow_null=True, help_text=_("Village where it was held."))
    chaired_by = PersonBriefSerializer(read_only=True, allow_null=True, help_text=_("Who chaired it."))
    level_display = _display("get_level_display", _("The level, in words."))
    host_body_display = _display("get_host_body_display", _("The host body, in words."))
    kind_display = _display("get_kind_display", _("The kind, in words."))
    status_display = _display("get_status_display", _("The status, in words."))
    has_minutes = serializers.BooleanField(read_only=True, help_text=_("Minutes (text or scan) have been filed."))

    class Meta:
        model = Dialogue
        fields = [
            "id",
            "unit",
            "level",
            "level_display",
            "host_body",
            "host_body_display",
            "kind",
            "kind_display",
            "status",
            "status_display",
            "topic",
            "date",
            "commune",
            "village",
            "venue",
            "chaired_by",
            "audience",
            "participant_count",
            "trigger_event",
            "has_minutes",
            "minutes_filed_at",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            **{name: {"help_text": text} for name, text in _DIALOGUE_HELP.items()},
            "minutes_filed_at": {"help_text": _("When minutes were first filed.")},
            "version": {"help_text": _("Send it back with a change; a stale one answers 409.")},
            "created_at": {"help_text": _("When it was recorded.")},
            "updated_at": {"help_text": _("When it last changed.")},
        }


class DialogueDetailSerializer(DialogueSerializer):
    legal_basis = DocumentBriefSerializer(
        many=True, read_only=True, help_text=_("Documents it was held under (those visible to you).")
    )
    petitions = PetitionSummarySerializer(
        many=True, read_only=True, help_text=_("Petitions raised at it (those visible to you).")
    )
    attachments = AttachmentSerializer(many=True, read_only=True, help_text=_("Minutes scans and photos."))
    notices = NoticeBriefSerializer(many=True, read_only=True, help_text=_("Conclusion notices issued for it."))

    class Meta(DialogueSerializer.Meta):
        fields = [*DialogueSerializer.Meta.fields, "minutes_text", "legal_basis", "petitions", "attachments", "notices"]
        read_only_fields = fields


class DialogueWriteSerializer(serializers.Serializer):
    """A new dialogue and the petitions raised at it, saved together or not at all."""

    unit = unit_field(_("Unknown unit."), help_text=_("Owner unit id: the commune (or district) recording it."))
    level = serializers.ChoiceField(choices=DialogueLevel.choices, help_text=_DIALOGUE_HELP["level"])
    host_body = serializers.ChoiceField(choices=HostBody.choices, help_text=_DIALOGUE_HELP["host_body"])
    chaired_by = ScopedPrimaryKeyField(
        model=Person,
        scope=_visible_people,
        unknown=_("Unknown person."),
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Who chaired it (person id)."),
    )
    kind = serializers.ChoiceField(
        choices=DialogueKind.choices, default=DialogueKind.PERIODIC, help_text=_DIALOGUE_HELP["kind"]
    )
    status = serializers.ChoiceField(
        choices=DialogueStatus.choices, default=DialogueStatus.HELD, help_text=_DIALOGUE_HELP["status"]
    )
    topic = serializers.CharField(max_length=500, help_text=_DIALOGUE_HELP["topic"])
    date = serializers.DateField(help_text=_DIALOGUE_HELP["date"])
    commune = unit_field(_("Unknown commune."), help_text=_("Commune where it was held (unit id)."))
    village = unit_field(
        _("Unknown village."),
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Village where it was held (unit id), within the commune."),
    )
    venue = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default="", help_text=_DIALOGUE_HELP["venue"]
    )
    audience = serializers.CharField(
        max_length=300, required=False, allow_blank=True, default="", help_text=_DIALOGUE_HELP["audience"]
    )
    participant_count = serializers.IntegerField(
        min_value=0, required=False, default=0, help_text=_DIALOGUE_HELP["participant_count"]
    )
    trigger_event = serializers.CharField(
        max_length=300, required=False, allow_blank=True, default="", help_text=_DIALOGUE_HELP["trigger_event"]
    )
    minutes_text = serializers.CharField(
        required=False, allow_blank=True, default="", help_text=_DIALOGUE_HELP["minutes_text"]
    )
    legal_basis = ScopedPrimaryKeyField(
        model=Document,
        scope=_visible_documents,
        unknown=_("Unknown document."),
        many=True,
        required=False,
        default=list,
        help_text=_("Ids of documents it was held under."),
    )
    petitions = PetitionInputSerializer(
        many=True, required=False, default=list, help_text=_("Petitions raised at it; errors are keyed by position.")
    )


class DialogueUpdateSerializer(DialogueWriteSerializer):
    """Changes to a dialogue; its owner unit and petitions are not changed here."""

    unit = None
    petitions = None
    version = serializers.IntegerField(
        min_value=1, help_text=_("The version you read; if someone saved since, the answer is 409.")
    )


class AttachmentUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text=_("Minutes scan: PDF, DOCX, JPEG or PNG, checked by content, within the size limit.")
    )

    def validate_file(self, upload):
        return _checked_upload(upload)


# --- Conclusion notices -------------------------------------------------------------------------


class DirectiveSerializer(serializers.ModelSerializer):
    agency = UnitBriefSerializer(read_only=True, help_text=_("Agency instructed."))
    petitions = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True, help_text=_("Ids of the petitions it assigns.")
    )

    class Meta:
        model = Directive
        fields = ["id", "agency", "content", "deadline", "petitions"]
        read_only_fields = fields
        extra_kwargs = {
            "content": {"help_text": _("What the agency must do.")},
            "deadline": {"help_text": _("By when.")},
        }


class ConclusionNoticeSerializer(serializers.ModelSerializer):
    dialogue = DialogueBriefSerializer(read_only=True, help_text=_("The dialogue concluded."))
    document = serializers.PrimaryKeyRelatedField(read_only=True, help_text=_("Id in the document register."))
    symbol = serializers.CharField(source="document.symbol", read_only=True, help_text=_("E.g. 1-TB/HU."))
    number = serializers.IntegerField(source="document.number", read_only=True, help_text=_("Number in the register."))
    date = serializers.DateField(source="document.date", read_only=True, help_text=_("Date of the notice."))
    issuer = UnitBriefSerializer(source="document.issuer", read_only=True, help_text=_("Issuing body."))
    signer = PersonBriefSerializer(
        source="document.signer", read_only=True, allow_null=True, help_text=_("Who signed it.")
    )
    issued_by = serializers.SerializerMethodField(help_text=_("Full name of the user who issued it."))
    directives = DirectiveSerializer(many=True, read_only=True, help_text=_("Assignments to agencies."))

    class Meta:
        model = ConclusionNotice
        fields = [
            "id",
            "dialogue",
            "document",
            "symbol",
            "number",
            "date",
            "issuer",
            "signer",
            "summary",
            "directives",
            "issued_by",
            "created_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "summary": {"help_text": _("Conclusions of the dialogue.")},
            "created_at": {"help_text": _("When it was recorded.")},
        }

    def get_issued_by(self, notice: ConclusionNotice) -> str | None:
        return notice.issued_by.get_full_name() if notice.issued_by_id else None


class DirectiveInputSerializer(serializers.Serializer):
    agency = unit_field(_("Unknown agency."), help_text=_("Agency instructed (unit id)."))
    content = serializers.CharField(help_text=_("What the agency must do."))
    deadline = serializers.DateField(help_text=_("By when; not before the dialogue."))
    petitions = ScopedPrimaryKeyField(
        model=Petition,
        scope=_visible_petitions,
        unknown=_("Unknown petition."),
        many=True,
        required=False,
        default=list,
        help_text=_("Ids of petitions of this dialogue to assign to the agency."),
    )


class ConclusionNoticeCreateSerializer(serializers.Serializer):
    dialogue = ScopedPrimaryKeyField(
        model=Dialogue, scope=_visible_dialogues, unknown=_("Unknown dialogue."), help_text=_("Dialogue id.")
    )
    issuer = unit_field(_("Unknown issuer."), help_text=_("Issuing body (unit id with a document symbol)."))
    date = serializers.DateField(help_text=_("Date of the notice; not before the dialogue."))
    summary = serializers.CharField(
        required=False, allow_blank=True, default="", help_text=_("Conclusions of the dialogue.")
    )
    signer = ScopedPrimaryKeyField(
        model=Person,
        scope=_visible_people,
        unknown=_("Unknown signer."),
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Who signs it (person id)."),
    )
    directives = DirectiveInputSerializer(
        many=True, help_text=_("At least one; each assigns its petitions; errors are keyed by position.")
    )


# --- Engagement meetings ------------------------------------------------------------------------

_MEETING_HELP = {
    "date": _("Date held (YYYY-MM-DD)."),
    "host": _("Who hosted it."),
    "clergy_count": _("Clergy and religious office-holders attending."),
    "followers_count": _("Religious followers attending."),
    "prestigious_count": _("Prestigious persons attending."),
    "elders_count": _("Elders and village heads attending."),
    "others_count": _("Other attendees."),
    "religions": _("Religions represented."),
    "purposes": _("Purposes of the meeting."),
    "notes": _("Notes."),
}


class EngagementMeetingSerializer(serializers.ModelSerializer):
    unit = UnitBriefSerializer(read_only=True, help_text=_("Unit whose record it is."))
    village = UnitBriefSerializer(read_only=True, allow_null=True, help_text=_("Village where it was held."))
    attendee_count = serializers.IntegerField(read_only=True, help_text=_("Sum of the attendee counts."))

    class Meta:
        model = EngagementMeeting
        fields = [
            "id",
            "unit",
            "date",
            "host",
            "village",
            "clergy_count",
            "followers_count",
            "prestigious_count",
            "elders_count",
            "others_count",
            "attendee_count",
            "religions",
            "purposes",
            "notes",
            "version",
            "created_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            **{name: {"help_text": text} for name, text in _MEETING_HELP.items()},
            "version": {"help_text": _("Version of the record.")},
            "created_at": {"help_text": _("When it was recorded.")},
        }


class EngagementMeetingDetailSerializer(EngagementMeetingSerializer):
    petitions = PetitionSummarySerializer(
        many=True, read_only=True, help_text=_("Opinions raised, as petitions (those visible to you).")
    )

    class Meta(EngagementMeetingSerializer.Meta):
        fields = [*EngagementMeetingSerializer.Meta.fields, "petitions"]
        read_only_fields = fields


def _count(name: str) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=0, required=False, default=0, help_text=_MEETING_HELP[name])


class EngagementMeetingCreateSerializer(serializers.Serializer):
    unit = unit_field(_("Unknown unit."), help_text=_("Unit recording it (unit id)."))
    date = serializers.DateField(help_text=_MEETING_HELP["date"])
    host = serializers.CharField(max_length=200, help_text=_MEETING_HELP["host"])
    village = unit_field(
        _("Unknown village."),
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Village (unit id), within the unit."),
    )
    clergy_count = _count("clergy_count")
    followers_count = _count("followers_count")
    prestigious_count = _count("prestigious_count")
    elders_count = _count("elders_count")
    others_count = _count("others_count")
    religions = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default="", help_text=_MEETING_HELP["religions"]
    )
    purposes = serializers.CharField(required=False, allow_blank=True, default="", help_text=_MEETING_HELP["purposes"])
    notes = serializers.CharField(required=False, allow_blank=True, default="", help_text=_MEETING_HELP["notes"])
    opinions = PetitionInputSerializer(
        many=True, required=False, default=list, help_text=_("Opinions raised; each becomes a petition.")
    )


# --- Reported aggregates ------------------------------------------------------------------------


class ReportedAggregatePartSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReportedAggregatePart
        fields = ["id", "label", "value"]
        read_only_fields = fields
        extra_kwargs = {
            "label": {"help_text": _("The part, e.g. a year: 2021.")},
            "value": {"help_text": _("Its value as printed.")},
        }


class ReportedAggregateSerializer(serializers.ModelSerializer):
    unit = UnitBriefSerializer(read_only=True, help_text=_("Unit the figure was reported for."))
    metric_display = _display("get_metric_display", _("The figure, in words."))
    host_body_display = _display("get_host_body_display", _("The host body, in words (empty: any)."))
    parts = ReportedAggregatePartSerializer(
        many=True, read_only=True, help_text=_("Its breakdown as printed (e.g. by year), in the order entered.")
    )
    parts_sum = serializers.SerializerMethodField(help_text=_("Sum of the parts; null when it has none."))
    adds_up = serializers.SerializerMethodField(
        help_text=_(
            "Whether the parts add up to the total; false flags a data-quality issue (as on the page), "
            "null when it has no parts."
        )
    )
    created_by = serializers.SerializerMethodField(help_text=_("Full name of the user who entered it."))

    class Meta:
        model = ReportedAggregate
        fields = [
            "id",
            "unit",
            "metric",
            "metric_display",
            "host_body",
            "host_body_display",
            "period_start",
            "period_end",
            "total",
            "source",
            "note",
            "parts",
            "parts_sum",
            "adds_up",
            "created_by",
            "created_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "metric": {"help_text": _("Which figure: dialogues held, petitions received or resolved.")},
            "host_body": {"help_text": _("For dialogues: who held them, as the source counts them (empty: any).")},
            "period_start": {"help_text": _("First day of the period the figure covers.")},
            "period_end": {"help_text": _("Last day of the period.")},
            "total": {"help_text": _("The total as printed; never mixed with totals counted from records.")},
            "source": {"help_text": _("Where the figure was printed, e.g. the report or article and its date.")},
            "note": {"help_text": _("Note.")},
            "created_at": {"help_text": _("When it was entered.")},
        }

    def get_parts_sum(self, aggregate: ReportedAggregate) -> int | None:
        parts = aggregate.parts.all()
        return sum(part.value for part in parts) if parts else None

    def get_adds_up(self, aggregate: ReportedAggregate) -> bool | None:
        parts_sum = self.get_parts_sum(aggregate)
        return None if parts_sum is None else parts_sum == aggregate.total

    def get_created_by(self, aggregate: ReportedAggregate) -> str | None:
        return aggregate.created_by.get_full_name() if aggregate.created_by_id else None


class ReportedAggregatePartInputSerializer(serializers.Serializer):
    label = serializers.CharField(max_length=100, help_text=_("The part, e.g. a year: 2021; each label once."))
    value = serializers.IntegerField(min_value=0, help_text=_("Its value as printed."))


class ReportedAggregateCreateSerializer(serializers.Serializer):
    """A figure printed before the portal, with its source and optional breakdown (the page's form)."""

    unit = unit_field(
        _("Unknown unit."), help_text=_("Unit id of the province, district or commune the figure was reported for.")
    )
    metric = serializers.ChoiceField(
        choices=ReportedMetric.choices, help_text=_("Which figure: dialogues held, petitions received or resolved.")
    )
    host_body = serializers.ChoiceField(
        choices=HostBody.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("For dialogues: who held them, as the source counts them (empty: any)."),
    )
    period_start = serializers.DateField(help_text=_("First day of the period (YYYY-MM-DD)."))
    period_end = serializers.DateField(help_text=_("Last day of the period (YYYY-MM-DD), not before the first."))
    total = serializers.IntegerField(min_value=0, help_text=_("The total as printed."))
    source = serializers.CharField(
        max_length=500, help_text=_("Where the figure was printed, e.g. the report or article and its date.")
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", help_text=_("Note."))
    parts = ReportedAggregatePartInputSerializer(
        many=True,
        required=False,
        default=list,
        help_text=_("Its breakdown as printed (e.g. by year); parts that do not add up are kept and flagged."),
    )

    def validate_unit(self, unit):
        # The page offers the same kinds (``owner_units``): never a village or a body.
        if unit.kind not in OWNER_KINDS:
            raise serializers.ValidationError(_("Reported figures belong to a province, a district or a commune."))
        return unit

    def validate_parts(self, parts):
        labels = [part["label"] for part in parts]
        if len(labels) != len(set(labels)):
            # The page's words for the same refusal.
            raise serializers.ValidationError(_("Each part must have its own label."))
        return parts
