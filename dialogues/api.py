"""Dialogues API: dialogues, petitions (with their workflow), conclusion notices and engagement
meetings under ``/api/v1/``.

The same rules as the pages, in the same places:
- scope first: every queryset starts from ``Model.objects.visible_to(user)``, so an object outside
  it answers 404 exactly like one that does not exist, and ids in a request body are looked up in
  the same scope (an invisible id is "unknown", 400);
- writes go through ``dialogues.services``; a ``ValidationError`` becomes 400 with messages per
  field, ``PermissionDenied`` 403, a stale ``version`` 409 (``services.StaleVersion``);
- who may do what is asked of ``dialogues.permissions``, before the body is even read where the
  role alone decides (a viewer gets 403 whatever they send).
Reported aggregates (totals printed before the portal) are entered as on their page: with their
source and breakdown, never edited afterwards. Nothing is deleted through the API (405).
"""

from __future__ import annotations

from django.db.models import Prefetch, Q
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from organization import access
from organization.api_base import IdCursorPagination, require_role_somewhere
from organization.api_base import service_errors as base_service_errors
from organization.models import Document, Role

from . import permissions, selectors, services
from .api_filters import (
    ConclusionNoticeFilter,
    DialogueFilter,
    EngagementMeetingFilter,
    PetitionFilter,
    ReportedAggregateFilter,
)
from .models import (
    ConclusionNotice,
    Dialogue,
    DialogueAttachment,
    Directive,
    EngagementMeeting,
    Petition,
    PetitionEvent,
    PetitionResponse,
    ReportedAggregate,
    ReportedAggregatePart,
    ResponseStatus,
)
from .serializers import (
    AttachmentSerializer,
    AttachmentUploadSerializer,
    ConclusionNoticeCreateSerializer,
    ConclusionNoticeSerializer,
    DialogueDetailSerializer,
    DialogueSerializer,
    DialogueUpdateSerializer,
    DialogueWriteSerializer,
    EngagementMeetingCreateSerializer,
    EngagementMeetingDetailSerializer,
    EngagementMeetingSerializer,
    PetitionCreateSerializer,
    PetitionDetailSerializer,
    PetitionResponseSerializer,
    PetitionSerializer,
    PublishSerializer,
    ReportedAggregateCreateSerializer,
    ReportedAggregateSerializer,
    ResponseDraftSerializer,
    TransitionSerializer,
)
from .workflow import Action

#: Nested lists whose items the services report as ``"<name>-<index>"``.
NESTED_LISTS = frozenset({"petitions", "directives", "opinions"})


def service_errors():
    """The shared translation of service refusals, with this API's nested lists."""
    return base_service_errors(NESTED_LISTS)


NOTICE_ROLES = frozenset({Role.DISTRICT_STAFF, Role.LEADER})

_ERRORS_400 = OpenApiResponse(description="Invalid or unknown fields; messages per field.")
_ERRORS_403 = OpenApiResponse(description="Your role does not allow this.")
_ERRORS_404 = OpenApiResponse(description="No such record among those you may see.")
_ERRORS_409 = OpenApiResponse(description="Stale version: someone saved the record since you read it.")


_UPDATE_RESPONSES = {
    200: DialogueDetailSerializer,
    400: _ERRORS_400,
    403: _ERRORS_403,
    404: _ERRORS_404,
    409: _ERRORS_409,
}


# --- Dialogues ----------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Dialogues visible to you"),
    retrieve=extend_schema(
        summary="One dialogue with its petitions, attachments and notices",
        responses={200: DialogueDetailSerializer, 404: _ERRORS_404},
    ),
)
@extend_schema(tags=["dialogues"])
class DialogueViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    filterset_class = DialogueFilter
    queryset = Dialogue.objects.none()  # the real one depends on the user, see get_queryset

    def get_queryset(self):
        dialogues = selectors.dialogues_for(self.request.user)
        # Only the detail reads nested rows. Writes get a bare instance: a prefetched (and scoped)
        # ``attachments`` or ``petitions`` would be stale inside the service.
        return self._with_details(dialogues) if self.action == "retrieve" else dialogues

    def _with_details(self, dialogues):
        user = self.request.user
        # Nested rows are scoped too: an agency officer sees only the petitions assigned to its
        # agency, and the notices and legal-basis documents of units the user may see.
        petitions = Petition.objects.visible_to(user).select_related("assigned_agency").order_by("id")
        notices = ConclusionNotice.objects.visible_to(user).select_related("document__issuer")
        documents = access.scope(Document.objects.select_related("issuer"), user, unit_field="issuer")
        return dialogues.prefetch_related(
            Prefetch("petitions", queryset=petitions),
            Prefetch("attachments", queryset=DialogueAttachment.objects.order_by("uploaded_at", "id")),
            Prefetch("notices", queryset=notices),
            Prefetch("legal_basis", queryset=documents),
        )

    def get_serializer_class(self):
        return DialogueSerializer if self.action == "list" else DialogueDetailSerializer

    def _detail(self, dialogue: Dialogue, *, code: int = status.HTTP_200_OK) -> Response:
        fresh = self._with_details(selectors.dialogues_for(self.request.user)).get(pk=dialogue.pk)
        return Response(DialogueDetailSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    @extend_schema(
        summary="Record a dialogue with the petitions raised at it",
        description=(
            "The dialogue and its `petitions` are saved together or not at all; an error in the "
            'third petition is answered as `{"petitions": {"2": [...]}}`. Units, people and '
            "documents outside your scope are unknown (400). A held dialogue cannot be dated in "
            "the future. Minutes text keeps safe formatting only."
        ),
        request=DialogueWriteSerializer,
        responses={201: DialogueDetailSerializer, 400: _ERRORS_400, 403: _ERRORS_403},
    )
    def create(self, request, *args, **kwargs):
        user = request.user
        require_role_somewhere(user, access.WRITE_ROLES, _("You may not record dialogues."))
        incoming = DialogueWriteSerializer(data=request.data, context=self.get_serializer_context())
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        petitions = [services.PetitionInput(**item) for item in data.pop("petitions")]
        minutes, legal_basis = data.pop("minutes_text"), data.pop("legal_basis")
        with service_errors():
            dialogue = services.dialogue_create(
                user=user,
                data=services.DialogueInput(values=data, minutes_text=minutes, legal_basis=legal_basis),
                petitions=petitions,
            )
        return self._detail(dialogue, code=status.HTTP_201_CREATED)

    def _update(self, request, *, partial: bool) -> Response:
        dialogue = self.get_object()
        if not permissions.can_record(request.user, dialogue.unit):
            raise PermissionDenied(_("You may not change this dialogue."))
        incoming = DialogueUpdateSerializer(data=request.data, partial=partial, context=self.get_serializer_context())
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        expected = data.pop("version", None)
        if expected is None:
            raise serializers.ValidationError({"version": [_("Send the version you read.")]})
        # A partial change keeps every value it does not name.
        values = {name: getattr(dialogue, name) for name in services.DIALOGUE_FIELDS if name != "unit"}
        minutes = data.pop("minutes_text", dialogue.minutes_text)
        legal_basis = self._legal_basis(dialogue, data.pop("legal_basis", None))
        values.update(data)
        with service_errors():
            dialogue = services.dialogue_update(
                user=request.user,
                dialogue=dialogue,
                data=services.DialogueInput(values=values, minutes_text=minutes, legal_basis=legal_basis),
                expected_version=expected,
            )
        return self._detail(dialogue)

    def _legal_basis(self, dialogue: Dialogue, sent: list[Document] | None) -> list[Document]:
        """The documents to keep: those sent (or the current ones when none are sent), plus any
        the user cannot see, which they could neither name nor mean to remove."""
        links = Dialogue.legal_basis.through.objects.filter(dialogue=dialogue).values("document")
        current = Document.objects.filter(pk__in=links)
        if sent is None:
            return list(current)
        visible = access.scope(Document.objects.all(), self.request.user, unit_field="issuer")
        hidden = current.exclude(pk__in=visible.values("pk"))
        return [*sent, *hidden]

    @extend_schema(
        summary="Replace a dialogue's fields (optimistic: send the version you read)",
        request=DialogueUpdateSerializer,
        responses=_UPDATE_RESPONSES,
    )
    def update(self, request, *args, **kwargs):
        return self._update(request, partial=False)

    @extend_schema(
        summary="Change some of a dialogue's fields (optimistic: send the version you read)",
        request=DialogueUpdateSerializer,
        responses=_UPDATE_RESPONSES,
    )
    def partial_update(self, request, *args, **kwargs):
        return self._update(request, partial=True)

    @extend_schema(
        summary="Attach a minutes scan to a dialogue",
        description=(
            "Multipart with one `file`: PDF, DOCX, JPEG or PNG, the type checked from the content "
            "(an executable renamed .pdf is refused), within the size limit (UPLOAD_MAX_BYTES). "
            "The file is served only through `download_url`, which checks your scope."
        ),
        request={"multipart/form-data": AttachmentUploadSerializer},
        responses={201: AttachmentSerializer, 400: _ERRORS_400, 403: _ERRORS_403, 404: _ERRORS_404},
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def attachments(self, request, pk=None):
        dialogue = self.get_object()
        if not permissions.can_record(request.user, dialogue.unit):
            raise PermissionDenied(_("You may not add files to this dialogue."))
        incoming = AttachmentUploadSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        with service_errors():
            services.minutes_file(user=request.user, dialogue=dialogue, attachments=[incoming.validated_data["file"]])
        attachment = dialogue.attachments.order_by("-id").first()
        return Response(AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)


# --- Petitions ----------------------------------------------------------------------------------


class DeadlineCursorPagination(IdCursorPagination):
    """The agency inbox: nearest deadline first, ties by id."""

    ordering = ("deadline", "id")


@extend_schema_view(
    list=extend_schema(summary="Petitions visible to you"),
    retrieve=extend_schema(
        summary="One petition with its timeline and answers",
        responses={200: PetitionDetailSerializer, 404: _ERRORS_404},
    ),
)
@extend_schema(tags=["petitions"])
class PetitionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    filterset_class = PetitionFilter
    queryset = Petition.objects.none()

    def get_queryset(self):
        user = self.request.user
        if self.action == "inbox":
            return selectors.agency_inbox(user)
        petitions = selectors.petitions_for(user)
        return self._with_details(petitions) if self.action == "retrieve" else petitions

    def _with_details(self, petitions):
        user = self.request.user
        # Drafts are the agency's own business until published.
        own_agencies = access.units_with_role(user, Role.AGENCY_OFFICER)
        responses = (
            PetitionResponse.objects.filter(~Q(status=ResponseStatus.DRAFT) | Q(agency__in=own_agencies))
            .select_related("agency", "author", "document__issuer")
            .order_by("id")
        )
        events = PetitionEvent.objects.select_related("actor", "agency").order_by("at", "id")
        return petitions.prefetch_related(
            Prefetch("events", queryset=events), Prefetch("responses", queryset=responses)
        )

    def get_serializer_class(self):
        return PetitionSerializer if self.action in {"list", "inbox"} else PetitionDetailSerializer

    def _detail(self, petition: Petition, *, code: int = status.HTTP_200_OK) -> Response:
        fresh = self._with_details(selectors.petitions_for(self.request.user)).get(pk=petition.pk)
        return Response(PetitionDetailSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    @extend_schema(
        summary="Record a petition (citizen reception, mailbox, online, …)",
        description=(
            "One raised at a dialogue names its `dialogue`, which must belong to the petition's own "
            "commune. `received_on` defaults to the date of the dialogue or meeting. A legal "
            "complaint or denunciation (`legal_track`) is routed out at once."
        ),
        request=PetitionCreateSerializer,
        responses={201: PetitionDetailSerializer, 400: _ERRORS_400, 403: _ERRORS_403},
    )
    def create(self, request, *args, **kwargs):
        user = request.user
        require_role_somewhere(user, access.WRITE_ROLES, _("You may not record petitions."))
        incoming = PetitionCreateSerializer(data=request.data, context=self.get_serializer_context())
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        context = {name: data.pop(name) for name in ("unit", "source", "received_on", "dialogue", "engagement_meeting")}
        with service_errors():
            petition = services.petition_create(user=user, data=services.PetitionInput(**data), **context)
        return self._detail(petition, code=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Move a petition along its workflow",
        description=(
            "Allowed moves: received → answer_on_spot | assign | route_out; assigned → start | "
            "reassign | answer | transfer; in_progress → reassign | answer | transfer; answered → "
            "resolve | reopen. `assign` and `reassign` need `agency` and `deadline`; `reopen` and "
            "`transfer` a `comment`. A move that does not exist from the current status answers 400 "
            "with the reason; a move your role may not make, 403; a stale `version`, 409."
        ),
        request=TransitionSerializer,
        responses={
            200: PetitionDetailSerializer,
            400: _ERRORS_400,
            403: _ERRORS_403,
            404: _ERRORS_404,
            409: _ERRORS_409,
        },
    )
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        petition = self.get_object()
        # The role is checked as soon as the action is known, before the rest of the body: a
        # commune officer asking to assign gets 403, not a 400 about the agency it named.
        wanted = request.data.get("action")
        if wanted in Action.values and not permissions.may_take(request.user, petition, wanted):
            raise PermissionDenied(_("You may not “%(action)s” this petition.") % {"action": Action(wanted).label})
        incoming = TransitionSerializer(data=request.data, context=self.get_serializer_context())
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        with service_errors():
            petition = services.petition_transition(
                user=request.user,
                petition=petition,
                action=data["action"],
                comment=data["comment"],
                agency=data["agency"],
                deadline=data["deadline"],
                expected_version=data["version"],
            )
        return self._detail(petition)

    @extend_schema(
        summary="Save the agency's draft answer",
        description=(
            "Only officers of the agency the petition is assigned to, while it waits for an answer. "
            "The draft stays private to the agency until published. JSON, or multipart with a "
            "scanned `file`."
        ),
        request={
            "application/json": ResponseDraftSerializer,
            "multipart/form-data": ResponseDraftSerializer,
        },
        responses={
            200: PetitionResponseSerializer,
            201: PetitionResponseSerializer,
            400: _ERRORS_400,
            403: _ERRORS_403,
            404: _ERRORS_404,
        },
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="response",
        url_name="response",
        parser_classes=[JSONParser, MultiPartParser, FormParser],
    )
    def save_response(self, request, pk=None):
        # Not named ``response``: APIView keeps the outgoing response in ``self.response``.
        petition = self.get_object()
        if not permissions.is_agency_officer(request.user, petition.assigned_agency):
            raise PermissionDenied(_("Only the agency this petition is assigned to may answer it."))
        incoming = ResponseDraftSerializer(data=request.data, context=self.get_serializer_context())
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        had_draft = petition.responses.filter(status=ResponseStatus.DRAFT).exists()
        with service_errors():
            draft = services.response_save_draft(
                user=request.user,
                petition=petition,
                text=data["text"],
                answered_on=data["answered_on"],
                document=data["document"],
                file=data["file"],
            )
        code = status.HTTP_200_OK if had_draft else status.HTTP_201_CREATED
        return Response(PetitionResponseSerializer(draft).data, status=code)

    @extend_schema(
        summary="Publish the agency's draft answer",
        description="The petition becomes answered and the commune and district staff are notified.",
        request=PublishSerializer,
        responses={
            200: PetitionDetailSerializer,
            400: _ERRORS_400,
            403: _ERRORS_403,
            404: _ERRORS_404,
            409: _ERRORS_409,
        },
    )
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        petition = self.get_object()
        if not permissions.may_take(request.user, petition, Action.ANSWER):
            raise PermissionDenied(_("Only the agency this petition is assigned to may answer it."))
        incoming = PublishSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        with service_errors():
            # ``services.response_publish`` is this same transition; called directly for the version.
            petition = services.petition_transition(
                user=request.user,
                petition=petition,
                action=Action.ANSWER,
                comment=incoming.validated_data["comment"],
                expected_version=incoming.validated_data["version"],
            )
        return self._detail(petition)

    @extend_schema(
        summary="Your agency's inbox: assigned petitions still owed, nearest deadline first",
        responses=PetitionSerializer(many=True),
    )
    @action(detail=False, methods=["get"], pagination_class=DeadlineCursorPagination)
    def inbox(self, request):
        return self.list(request)


# --- Conclusion notices -------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Conclusion notices of dialogues visible to you"),
    retrieve=extend_schema(summary="One conclusion notice (404 outside your units)"),
)
@extend_schema(tags=["conclusion-notices"])
class ConclusionNoticeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ConclusionNoticeSerializer
    filterset_class = ConclusionNoticeFilter
    queryset = ConclusionNotice.objects.none()

    def get_queryset(self):
        directives = Directive.objects.select_related("agency").prefetch_related(
            Prefetch("petitions", queryset=Petition.objects.only("id", "directive_id").order_by("id"))
        )
        return (
            ConclusionNotice.objects.visible_to(self.request.user)
            .select_related("dialogue", "document__issuer", "document__signer", "issued_by")
            .prefetch_related(Prefetch("directives", queryset=directives.order_by("id")))
        )

    @extend_schema(
        summary="Issue a conclusion notice and assign petitions to agencies",
        description=(
            "District staff and leaders. The notice is numbered in the document register "
            "(`symbol`, e.g. `1-TB/HU`); each directive assigns its `petitions` (of this dialogue) "
            "to its `agency` with its `deadline`, which cannot be before the dialogue. All or "
            "nothing: an error in the second directive is answered as "
            '`{"directives": {"1": [...]}}` and no number is used.'
        ),
        request=ConclusionNoticeCreateSerializer,
        responses={201: ConclusionNoticeSerializer, 400: _ERRORS_400, 403: _ERRORS_403},
    )
    def create(self, request, *args, **kwargs):
        user = request.user
        require_role_somewhere(user, NOTICE_ROLES, _("You may not issue conclusion notices."))
        incoming = ConclusionNoticeCreateSerializer(data=request.data, context=self.get_serializer_context())
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        dialogue = data["dialogue"]
        if not permissions.can_issue_notice(user, dialogue.unit):
            raise PermissionDenied(_("You may not issue conclusion notices for this dialogue."))
        directives = [services.DirectiveInput(**item) for item in data["directives"]]
        with service_errors():
            notice = services.conclusion_notice_issue(
                user=user,
                dialogue=dialogue,
                issuer=data["issuer"],
                day=data["date"],
                summary=data["summary"],
                directives=directives,
                signer=data["signer"],
            )
        fresh = self.get_queryset().get(pk=notice.pk)
        return Response(self.get_serializer(fresh).data, status=status.HTTP_201_CREATED)


# --- Engagement meetings ------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Engagement meetings with clergy, elders and prestigious persons"),
    retrieve=extend_schema(
        summary="One engagement meeting with the opinions raised",
        responses={200: EngagementMeetingDetailSerializer, 404: _ERRORS_404},
    ),
)
@extend_schema(tags=["engagement-meetings"])
class EngagementMeetingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    filterset_class = EngagementMeetingFilter
    queryset = EngagementMeeting.objects.none()

    def get_queryset(self):
        meetings = EngagementMeeting.objects.visible_to(self.request.user).select_related("unit", "village")
        return self._with_details(meetings) if self.action in {"retrieve", "create"} else meetings

    def _with_details(self, meetings):
        petitions = Petition.objects.visible_to(self.request.user).select_related("assigned_agency").order_by("id")
        return meetings.prefetch_related(Prefetch("petitions", queryset=petitions))

    def get_serializer_class(self):
        return EngagementMeetingSerializer if self.action == "list" else EngagementMeetingDetailSerializer

    @extend_schema(
        summary="Record an engagement meeting and the opinions raised at it",
        description="Each of `opinions` becomes a petition with the source 'meeting with dignitaries'.",
        request=EngagementMeetingCreateSerializer,
        responses={201: EngagementMeetingDetailSerializer, 400: _ERRORS_400, 403: _ERRORS_403},
    )
    def create(self, request, *args, **kwargs):
        user = request.user
        require_role_somewhere(user, access.WRITE_ROLES, _("You may not record meetings."))
        incoming = EngagementMeetingCreateSerializer(data=request.data, context=self.get_serializer_context())
        incoming.is_valid(raise_exception=True)
        values = dict(incoming.validated_data)
        opinions = [services.PetitionInput(**item) for item in values.pop("opinions")]
        with service_errors():
            meeting = services.engagement_meeting_create(user=user, values=values, opinions=opinions)
        fresh = self.get_queryset().get(pk=meeting.pk)
        body = EngagementMeetingDetailSerializer(fresh, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_201_CREATED)


# --- Reported aggregates ------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Totals reported before the portal (with their source), for your units",
        description="Each with its parts; `adds_up` is false where the parts do not add up to the total.",
    ),
    retrieve=extend_schema(
        summary="One reported total with its parts", responses={200: ReportedAggregateSerializer, 404: _ERRORS_404}
    ),
)
@extend_schema(tags=["reported-aggregates"])
class ReportedAggregateViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ReportedAggregateSerializer
    filterset_class = ReportedAggregateFilter
    queryset = ReportedAggregate.objects.none()

    def get_queryset(self):
        parts = ReportedAggregatePart.objects.order_by("id")
        return (
            ReportedAggregate.objects.visible_to(self.request.user)
            .select_related("unit", "created_by")
            .prefetch_related(Prefetch("parts", queryset=parts))
        )

    @extend_schema(
        summary="Enter a total printed before the portal, with its source and parts",
        description=(
            "District staff and commune officers, for a province, district or commune they record for "
            "(`services.reported_aggregate_create`, as the page). The figure is kept apart from the totals "
            "counted from records. Parts that do not add up to the total are saved and flagged "
            "(`adds_up: false`), as the page warns; two parts with the same label are refused."
        ),
        request=ReportedAggregateCreateSerializer,
        responses={201: ReportedAggregateSerializer, 400: _ERRORS_400, 403: _ERRORS_403},
    )
    def create(self, request, *args, **kwargs):
        user = request.user
        require_role_somewhere(user, access.WRITE_ROLES, _("You may not record reported figures."))
        incoming = ReportedAggregateCreateSerializer(data=request.data, context=self.get_serializer_context())
        incoming.is_valid(raise_exception=True)
        values = dict(incoming.validated_data)
        parts = [(part["label"], part["value"]) for part in values.pop("parts")]
        with service_errors():
            aggregate = services.reported_aggregate_create(user=user, values=values, parts=parts)
        fresh = self.get_queryset().get(pk=aggregate.pk)
        return Response(self.get_serializer(fresh).data, status=status.HTTP_201_CREATED)


def register(router) -> None:
    router.register("dialogues", DialogueViewSet, basename="dialogue")
    router.register("petitions", PetitionViewSet, basename="petition")
    router.register("conclusion-notices", ConclusionNoticeViewSet, basename="conclusion-notice")
    router.register("engagement-meetings", EngagementMeetingViewSet, basename="engagement-meeting")
    router.register("reported-aggregates", ReportedAggregateViewSet, basename="reported-aggregate")


urlpatterns: list = []
