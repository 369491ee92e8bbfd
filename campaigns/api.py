"""Campaigns API: emulation movements, their criteria sets, monthly scoring rounds and scorecards,
awards, Dân vận khéo models, household commitments and emulation pledges under ``/api/v1/``.

The same rules as the pages, in the same places:
- scope first: movements and rounds through ``campaigns.selectors`` (a commune officer sees the
  district's movements and rounds, since its villages are scored in them); scorecards, awards,
  models, commitments and pledges through ``Model.objects.visible_to(user)``. An object outside
  the scope answers 404 exactly like one that does not exist, and ids in a request body are
  looked up in the same scope (an invisible id is "unknown", 400);
- who may do what is asked of ``campaigns.permissions`` before the body is read (403): running a
  movement (criteria, rounds, verification, closing) is for district staff over its area, scoring
  for whoever may write records of the unit (its commune officer, district staff);
- writes go through ``campaigns.services``; a ``ValidationError`` becomes 400 with messages per
  field (rows keyed by position), ``PermissionDenied`` 403, a stale ``version`` 409.
Commitment items are kept by portal administrators, through the API as in the admin. Nothing but
an award is deleted through the API (405).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Exists, OuterRef, Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.settings import api_settings

from organization import access
from organization.api_base import (
    AdminKeptMixin,
    Conflict,
    IdCursorPagination,
    admin_schema,
    drf_errors,
    require_role_somewhere,
)
from organization.models import Role

from . import permissions, selectors, services
from .api_filters import (
    AwardFilter,
    CommitmentItemFilter,
    CriteriaSetFilter,
    DvkModelFilter,
    EmulationPledgeFilter,
    HouseholdCommitmentFilter,
    MovementFilter,
    ScorecardFilter,
    ScoringRoundFilter,
)
from .models import (
    Award,
    CommitmentItem,
    CriteriaSet,
    Criterion,
    DvkCriterion,
    DvkEvent,
    DvkModel,
    DvkPillar,
    EmulationPledge,
    HouseholdCommitment,
    Movement,
    RoundEvent,
    Scorecard,
    ScoringRound,
)
from .serializers import (
    AwardSerializer,
    AwardWriteSerializer,
    CommitmentItemChangeSerializer,
    CommitmentItemSerializer,
    CommitmentItemWriteSerializer,
    CommitmentUpdateSerializer,
    CommitmentWriteSerializer,
    CriteriaRowsSerializer,
    CriteriaSetCopySerializer,
    CriteriaSetSerializer,
    CriteriaSetUpdateSerializer,
    CriteriaSetWriteSerializer,
    DvkModelDetailSerializer,
    DvkModelSerializer,
    DvkModelUpdateSerializer,
    DvkModelWriteSerializer,
    DvkRowsSerializer,
    DvkTransitionSerializer,
    EmulationPledgeSerializer,
    EvidencePhotoSerializer,
    HouseholdCommitmentSerializer,
    MovementDetailSerializer,
    MovementSerializer,
    MovementUpdateSerializer,
    MovementWriteSerializer,
    PledgeUpdateSerializer,
    PledgeWriteSerializer,
    RankingSerializer,
    ReturnSerializer,
    RoundCreateSerializer,
    RoundOpenSerializer,
    RoundReopenSerializer,
    ScorecardCreateSerializer,
    ScorecardSerializer,
    ScorecardUpdateSerializer,
    ScoringRoundDetailSerializer,
    ScoringRoundSerializer,
    SubmitSerializer,
    VerifySerializer,
)
from .workflow import DvkStatus

#: Nested lists whose items the services report as ``"<name>-<index>"``.
NESTED_LISTS = ("criteria", "pillars")
MANAGER_ROLES = frozenset({Role.DISTRICT_STAFF})

# --- Errors -------------------------------------------------------------------------------------

#: Where a service's error key belongs in the request: another field name, or a field of a row
#: (list name, position, field) — e.g. ``"Bản Tổng Kim – TC2"`` → ``("entries", "1", "self_score")``.
Moves = dict[str, "str | tuple[str, str, str]"]


@contextmanager
def service_errors(moves: Callable[[], Moves] | None = None) -> Iterator[None]:
    """Service refusals as API answers: a stale version 409, a validation error 400 keyed by the
    request's own fields (``moves`` is asked only when there is an error)."""
    try:
        yield
    except services.StaleVersion as exc:
        raise Conflict(" ".join(exc.messages)) from exc
    except DjangoValidationError as exc:
        body = drf_errors(exc, NESTED_LISTS)
        for key, target in (moves() if moves else {}).items():
            if key not in body:
                continue
            messages = body.pop(key)
            if isinstance(target, str):
                body.setdefault(target, []).extend(messages)
            else:
                name, index, field = target
                body.setdefault(name, {}).setdefault(index, {}).setdefault(field, []).extend(messages)
        raise serializers.ValidationError(body) from exc


def require_version(data: dict) -> int:
    expected = data.pop("version", None)
    if expected is None:
        raise serializers.ValidationError({"version": [_("Send the version you read.")]})
    return expected


def _read_body(view, serializer_class, *, partial: bool, rows_class=None, nested: tuple[str, ...] = ()) -> dict:
    """The validated body of a change. With ``PATCH`` the record's own fields are partial but
    rows that are sent are whole rows with their defaults (``partial`` would skip them)."""
    context = view.get_serializer_context()
    body = view.request.data
    if not partial or rows_class is None:
        incoming = serializer_class(data=body, partial=partial, context=context)
        incoming.is_valid(raise_exception=True)
        return dict(incoming.validated_data)
    if not isinstance(body, dict):
        raise serializers.ValidationError(
            {api_settings.NON_FIELD_ERRORS_KEY: [_("Send an object with the fields to change.")]}
        )
    fields = serializer_class(data={k: v for k, v in body.items() if k not in nested}, partial=True, context=context)
    rows = rows_class(data={k: body[k] for k in nested if k in body}, context=context)
    valid = [fields.is_valid(), rows.is_valid()]
    if not all(valid):
        raise serializers.ValidationError({**rows.errors, **fields.errors})
    return {**fields.validated_data, **rows.validated_data}


_ERRORS_400 = OpenApiResponse(description="Invalid or unknown fields; messages per field.")
_ERRORS_403 = OpenApiResponse(description="Your role does not allow this.")
_ERRORS_404 = OpenApiResponse(description="No such record among those you may see.")
_ERRORS_409 = OpenApiResponse(description="Stale version: someone saved the record since you read it.")


def _created(serializer) -> dict:
    return {201: serializer, 400: _ERRORS_400, 403: _ERRORS_403}


def _changed(serializer, *, conflict: bool = True) -> dict:
    responses = {200: serializer, 400: _ERRORS_400, 403: _ERRORS_403, 404: _ERRORS_404}
    if conflict:
        responses[409] = _ERRORS_409
    return responses


# --- Movements ----------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Movements visible to you (those of your area and of the units above it)"),
    retrieve=extend_schema(
        summary="One movement with its criteria sets",
        responses={200: MovementDetailSerializer, 404: _ERRORS_404},
    ),
)
@extend_schema(tags=["movements"])
class MovementViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    filterset_class = MovementFilter
    queryset = Movement.objects.none()  # the real one depends on the user, see get_queryset

    def get_queryset(self):
        movements = selectors.movements_visible_to(self.request.user).select_related("unit")
        if self.action not in {"list", "retrieve"}:
            return movements
        movements = movements.select_related("launched_by", "regulation_document__issuer")
        return self._with_details(movements) if self.action == "retrieve" else movements

    def _with_details(self, movements):
        return movements.prefetch_related(
            Prefetch("criteria_sets", queryset=CriteriaSet.objects.order_by("-year", "target_type", "id"))
        )

    def get_serializer_class(self):
        return MovementSerializer if self.action == "list" else MovementDetailSerializer

    def _detail(self, movement: Movement, *, code: int = status.HTTP_200_OK) -> Response:
        movements = selectors.movements_visible_to(self.request.user).select_related(
            "unit", "launched_by", "regulation_document__issuer"
        )
        fresh = self._with_details(movements).get(pk=movement.pk)
        return Response(MovementDetailSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    @extend_schema(
        summary="Launch a movement",
        description=(
            "District staff, for their district or one of its communes. `target_types` lists the kinds "
            "of unit scored (village, office, school, religious_group); each needs a criteria set per "
            "year before a round can open."
        ),
        request=MovementWriteSerializer,
        responses=_created(MovementDetailSerializer),
    )
    def create(self, request, *args, **kwargs):
        require_role_somewhere(request.user, MANAGER_ROLES, _("Only district staff launch movements."))
        incoming = MovementWriteSerializer(data=request.data, context=self.get_serializer_context())
        incoming.is_valid(raise_exception=True)
        with service_errors():
            movement = services.movement_create(user=request.user, values=dict(incoming.validated_data))
        return self._detail(movement, code=status.HTTP_201_CREATED)

    def _update(self, request, *, partial: bool) -> Response:
        movement = self.get_object()
        if not permissions.can_manage_movement(request.user, movement):
            raise PermissionDenied(_("Only district staff over its area change a movement."))
        values = _read_body(self, MovementUpdateSerializer, partial=partial)
        expected = require_version(values)
        with service_errors():
            movement = services.movement_update(
                user=request.user, movement=movement, values=values, expected_version=expected
            )
        return self._detail(movement)

    @extend_schema(
        summary="Replace a movement's fields (optimistic: send the version you read)",
        description="A target type whose units have been scored cannot be removed; end the movement instead.",
        request=MovementUpdateSerializer,
        responses=_changed(MovementDetailSerializer),
    )
    def update(self, request, *args, **kwargs):
        return self._update(request, partial=False)

    @extend_schema(
        summary="Change some of a movement's fields (optimistic: send the version you read)",
        request=MovementUpdateSerializer,
        responses=_changed(MovementDetailSerializer),
    )
    def partial_update(self, request, *args, **kwargs):
        return self._update(request, partial=True)


# --- Criteria sets ------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Criteria sets of the movements visible to you"),
    retrieve=extend_schema(summary="One criteria set with its criteria", responses={200: CriteriaSetSerializer}),
)
@extend_schema(tags=["criteria-sets"])
class CriteriaSetViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = CriteriaSetSerializer
    filterset_class = CriteriaSetFilter
    queryset = CriteriaSet.objects.none()

    def get_queryset(self):
        return self._read(self.request.user)

    @staticmethod
    def _read(user):
        used = Scorecard.objects.filter(criteria_set=OuterRef("pk"))
        return (
            CriteriaSet.objects.filter(movement__in=selectors.movements_visible_to(user))
            .select_related("movement__unit")
            .prefetch_related(Prefetch("criteria", queryset=Criterion.objects.order_by("order", "id")))
            .annotate(has_scorecards=Exists(used))
        )

    def _detail(self, criteria_set: CriteriaSet, *, code: int = status.HTTP_200_OK) -> Response:
        fresh = self._read(self.request.user).get(pk=criteria_set.pk)
        return Response(CriteriaSetSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    def _require_manager(self, movement: Movement) -> None:
        if not permissions.can_manage_movement(self.request.user, movement):
            raise PermissionDenied(_("Only district staff over the movement's area set its criteria."))

    @extend_schema(
        summary="Set the criteria of a movement for one target type and year",
        description=(
            "All or nothing. The criteria's `max_points` must add up to `total_points`; an error in the "
            'second criterion is answered as `{"criteria": {"1": {"max_points": [...]}}}`. Points are '
            'JSON numbers or strings with a decimal comma (`"7,5"`).'
        ),
        request=CriteriaSetWriteSerializer,
        responses=_created(CriteriaSetSerializer),
    )
    def create(self, request, *args, **kwargs):
        require_role_somewhere(request.user, MANAGER_ROLES, _("Only district staff set criteria."))
        incoming = CriteriaSetWriteSerializer(data=request.data, context=self.get_serializer_context())
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        movement = data.pop("movement")
        self._require_manager(movement)
        with service_errors():
            criteria_set = services.criteria_set_save(
                user=request.user, movement=movement, data=services.CriteriaSetInput(**data)
            )
        return self._detail(criteria_set, code=status.HTTP_201_CREATED)

    def _update(self, request, *, partial: bool) -> Response:
        criteria_set = self.get_object()
        self._require_manager(criteria_set.movement)
        values = _read_body(
            self, CriteriaSetUpdateSerializer, partial=partial, rows_class=CriteriaRowsSerializer, nested=("criteria",)
        )
        expected = require_version(values)
        current = {
            "target_type": criteria_set.target_type,
            "year": criteria_set.year,
            "total_points": criteria_set.total_points,
            "note": criteria_set.note,
        }
        if "criteria" not in values:
            current["criteria"] = [
                {name: getattr(c, name) for name in services.CRITERION_FIELDS} for c in criteria_set.criteria.all()
            ]
        with service_errors():
            criteria_set = services.criteria_set_save(
                user=request.user,
                movement=criteria_set.movement,
                data=services.CriteriaSetInput(**{**current, **values}),
                criteria_set=criteria_set,
                expected_version=expected,
            )
        return self._detail(criteria_set)

    @extend_schema(
        summary="Replace a criteria set and its criteria (optimistic: send the version you read)",
        description=(
            "A set already used by a scorecard is frozen (400): copy it to a new year instead, so past "
            "scores never change."
        ),
        request=CriteriaSetUpdateSerializer,
        responses=_changed(CriteriaSetSerializer),
    )
    def update(self, request, *args, **kwargs):
        return self._update(request, partial=False)

    @extend_schema(
        summary="Change some of a criteria set (optimistic: send the version you read)",
        description="`criteria` sent replaces every criterion; not sent, they are kept.",
        request=CriteriaSetUpdateSerializer,
        responses=_changed(CriteriaSetSerializer),
    )
    def partial_update(self, request, *args, **kwargs):
        return self._update(request, partial=True)

    @extend_schema(
        summary="Copy a criteria set to another year",
        description="The new set starts as a copy; editing it leaves this one (and its scores) untouched.",
        request=CriteriaSetCopySerializer,
        responses={201: CriteriaSetSerializer, 400: _ERRORS_400, 403: _ERRORS_403, 404: _ERRORS_404},
    )
    @action(detail=True, methods=["post"])
    def copy(self, request, pk=None):
        source = self.get_object()
        self._require_manager(source.movement)
        incoming = CriteriaSetCopySerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        with service_errors():
            copied = services.criteria_set_copy(user=request.user, source=source, year=incoming.validated_data["year"])
        return self._detail(copied, code=status.HTTP_201_CREATED)


# --- Scoring rounds -----------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Scoring rounds of the movements visible to you"),
    retrieve=extend_schema(
        summary="One round with its openings, closings and reopenings",
        responses={200: ScoringRoundDetailSerializer, 404: _ERRORS_404},
    ),
)
@extend_schema(tags=["scoring-rounds"])
class ScoringRoundViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    filterset_class = ScoringRoundFilter
    queryset = ScoringRound.objects.none()

    def get_queryset(self):
        rounds = selectors.rounds_visible_to(self.request.user).select_related("movement__unit")
        return self._with_details(rounds) if self.action == "retrieve" else rounds

    def _with_details(self, rounds):
        return rounds.prefetch_related(
            Prefetch("events", queryset=RoundEvent.objects.select_related("by").order_by("at", "id"))
        )

    def get_serializer_class(self):
        return ScoringRoundSerializer if self.action == "list" else ScoringRoundDetailSerializer

    def _detail(self, round_: ScoringRound, *, code: int = status.HTTP_200_OK) -> Response:
        rounds = selectors.rounds_visible_to(self.request.user).select_related("movement__unit")
        fresh = self._with_details(rounds).get(pk=round_.pk)
        return Response(ScoringRoundDetailSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    def _require_manager(self, movement: Movement) -> None:
        if not permissions.can_manage_movement(self.request.user, movement):
            raise PermissionDenied(_("Only district staff over the movement's area run its rounds."))

    @extend_schema(
        summary="Create the round of one month (draft)",
        description=(
            "`month` is `2024-10` or any day of it; one round per month per movement. The round opens "
            "later (`POST /scoring-rounds/{id}/open/`) once every target type has valid criteria for "
            "that year."
        ),
        request=RoundCreateSerializer,
        responses=_created(ScoringRoundDetailSerializer),
    )
    def create(self, request, *args, **kwargs):
        require_role_somewhere(request.user, MANAGER_ROLES, _("Only district staff create rounds."))
        incoming = RoundCreateSerializer(data=request.data, context=self.get_serializer_context())
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        movement = data.pop("movement")
        self._require_manager(movement)
        with service_errors():
            round_ = services.round_create(user=request.user, movement=movement, **data)
        return self._detail(round_, code=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Open a draft round for scoring",
        description="Refused (400) with the reasons when a target type lacks valid criteria for the year.",
        request=RoundOpenSerializer,
        responses=_changed(ScoringRoundDetailSerializer, conflict=False),
    )
    @action(detail=True, methods=["post"])
    def open(self, request, pk=None):
        round_ = self.get_object()
        self._require_manager(round_.movement)
        incoming = RoundOpenSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        with service_errors():
            round_ = services.round_open(user=request.user, round_=round_, **incoming.validated_data)
        return self._detail(round_)

    @extend_schema(
        summary="Close an open round: rank the verified scorecards and record the selected units",
        description=(
            "Every submitted scorecard must be verified first (400 names them); drafts are left out of "
            "the ranking. Ties share a rank (1, 2, 2, 4)."
        ),
        request=None,
        responses=_changed(ScoringRoundDetailSerializer, conflict=False),
    )
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        round_ = self.get_object()
        self._require_manager(round_.movement)
        with service_errors():
            round_ = services.round_close(user=request.user, round_=round_)
        return self._detail(round_)

    @extend_schema(
        summary="Reopen a closed round (the reason is logged; ranks are cleared)",
        request=RoundReopenSerializer,
        responses=_changed(ScoringRoundDetailSerializer, conflict=False),
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        round_ = self.get_object()
        self._require_manager(round_.movement)
        incoming = RoundReopenSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        with service_errors():
            round_ = services.round_reopen(user=request.user, round_=round_, reason=incoming.validated_data["reason"])
        return self._detail(round_)

    @extend_schema(
        summary="The ranking of a round: every ranked unit, by type, best first",
        description=(
            "Announced results: everyone who sees the movement sees every ranked unit (totals, percent, "
            "ranks, selected), but not the scores per criterion or the evidence. Empty until the round "
            "closes (ranks are cleared when it reopens)."
        ),
        responses={200: RankingSerializer, 404: _ERRORS_404},
    )
    @action(detail=True, methods=["get"])
    def ranking(self, request, pk=None):
        round_ = self.get_object()
        body = RankingSerializer({"round": round_, "results": selectors.ranking(round_)})
        return Response(body.data)


# --- Scorecards ---------------------------------------------------------------------------------


def _entry_moves(unit_name: str, rows: list[dict], list_name: str, field: str, *, prefix: bool) -> Callable[[], Moves]:
    """The services name a score's error by criterion code (``"<unit> – <code>"`` for the
    self-assessment, ``"<code>"`` for verification); put it at the row that sent the score."""

    def moves() -> Moves:
        codes = dict(Criterion.objects.filter(pk__in=[row["criterion"] for row in rows]).values_list("pk", "code"))
        found: Moves = {}
        for index, row in enumerate(rows):
            code = codes.get(row["criterion"])
            if code is not None:
                found[f"{unit_name} – {code}" if prefix else code] = (list_name, str(index), field)
        return found

    return moves


@extend_schema_view(
    list=extend_schema(summary="Scorecards of the units you may see, with their scores"),
    retrieve=extend_schema(summary="One scorecard with its scores per criterion (404 outside your units)"),
)
@extend_schema(tags=["scorecards"])
class ScorecardViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ScorecardSerializer
    filterset_class = ScorecardFilter
    queryset = Scorecard.objects.none()

    def get_queryset(self):
        cards = Scorecard.objects.visible_to(self.request.user)
        if self.action not in {"list", "retrieve"}:
            # Writes get a bare instance: the service locks and reloads it anyway.
            return cards.select_related("unit", "round__movement__unit")
        return selectors.scorecards_with_entries(cards)

    def _detail(self, card: Scorecard, *, code: int = status.HTTP_200_OK) -> Response:
        fresh = selectors.scorecards_with_entries(Scorecard.objects.visible_to(self.request.user)).get(pk=card.pk)
        return Response(ScorecardSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    def _require_scorer(self, card: Scorecard) -> None:
        if not permissions.can_self_assess(self.request.user, card.unit):
            raise PermissionDenied(_("You may not score this unit."))

    def _require_verifier(self, card: Scorecard) -> None:
        if not permissions.can_verify(self.request.user, card.unit):
            raise PermissionDenied(_("Only district staff verify scorecards."))

    @extend_schema(
        summary="Start a unit's scorecard in an open round (self-assessment)",
        description=(
            "One scorecard per unit per round. The unit must be of your commune and of a kind the "
            "movement scores; its criteria are the set of its type for the round's year. Each entry "
            'names a `criterion` id with `self_score` (0 to the maximum, `7.5` or `"7,5"`) and an '
            'optional `evidence_note`; an error is answered at its row: `{"entries": {"1": '
            '{"self_score": ["TC2: at most 30 points."]}}}`.'
        ),
        request=ScorecardCreateSerializer,
        responses=_created(ScorecardSerializer),
    )
    def create(self, request, *args, **kwargs):
        require_role_somewhere(request.user, access.WRITE_ROLES, _("You may not score units."))
        incoming = ScorecardCreateSerializer(data=request.data, context=self.get_serializer_context())
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        rows, unit = data["entries"], data["unit"]
        entries = {
            row["criterion"]: services.EntryInput(
                self_score=row.get("self_score"), evidence_note=row.get("evidence_note")
            )
            for row in rows
        }
        with service_errors(_entry_moves(unit.name, rows, "entries", "self_score", prefix=True)):
            card = services.scorecard_create(user=request.user, round_=data["round"], unit=unit, entries=entries)
        return self._detail(card, code=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change some scores of a draft or submitted scorecard (optimistic: send the version you read)",
        description=(
            "Entries sent change those criteria (a `self_score` left out keeps the score, `null` clears "
            "it; an `evidence_note` left out keeps the note); criteria not sent are kept. A verified "
            "scorecard no longer changes."
        ),
        request=ScorecardUpdateSerializer,
        responses=_changed(ScorecardSerializer),
    )
    def partial_update(self, request, *args, **kwargs):
        card = self.get_object()
        self._require_scorer(card)
        incoming = ScorecardUpdateSerializer(data=request.data, context=self.get_serializer_context())
        incoming.is_valid(raise_exception=True)
        rows = incoming.validated_data["entries"]
        current = dict(card.entries.values_list("criterion_id", "self_score"))
        entries = {
            row["criterion"]: services.EntryInput(
                self_score=row["self_score"] if "self_score" in row else current.get(row["criterion"]),
                evidence_note=row.get("evidence_note"),
            )
            for row in rows
        }
        with service_errors(_entry_moves(card.unit.name, rows, "entries", "self_score", prefix=True)):
            card = services.scorecard_update(
                user=request.user, scorecard=card, entries=entries, expected_version=incoming.validated_data["version"]
            )
        return self._detail(card)

    @extend_schema(
        summary="Submit a complete scorecard to the district",
        description="Every criterion needs a score (400 lists the missing codes).",
        request=SubmitSerializer,
        responses=_changed(ScorecardSerializer),
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        card = self.get_object()
        self._require_scorer(card)
        incoming = SubmitSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        with service_errors():
            card = services.scorecard_submit(
                user=request.user, scorecard=card, expected_version=incoming.validated_data["version"]
            )
        return self._detail(card)

    @extend_schema(
        summary="Verify a submitted scorecard (district staff)",
        description=(
            "`scores` gives the district's score where it differs; criteria not sent take the "
            "self-assessed score. Both scores are kept; the verified total is what ranks."
        ),
        request=VerifySerializer,
        responses=_changed(ScorecardSerializer),
    )
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        card = self.get_object()
        self._require_verifier(card)
        incoming = VerifySerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        own = set(card.entries.values_list("criterion_id", flat=True))
        strangers = {
            str(index): {"criterion": [_("This criterion is not on this scorecard.")]}
            for index, row in enumerate(data["scores"])
            if row["criterion"] not in own
        }
        if strangers:
            raise serializers.ValidationError({"scores": strangers})
        verified = {row["criterion"]: row["verified_score"] for row in data["scores"]}
        with service_errors(_entry_moves(card.unit.name, data["scores"], "scores", "verified_score", prefix=False)):
            card = services.scorecard_verify(
                user=request.user,
                scorecard=card,
                verified=verified,
                note=data["note"],
                expected_version=data["version"],
            )
        return self._detail(card)

    @extend_schema(
        summary="Return a scorecard to the commune as a draft (district staff)",
        description="`note` says what to fix; verified scores are cleared.",
        request=ReturnSerializer,
        responses=_changed(ScorecardSerializer, conflict=False),
    )
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def send_back(self, request, pk=None):
        card = self.get_object()
        self._require_verifier(card)
        incoming = ReturnSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        with service_errors():
            card = services.scorecard_return(user=request.user, scorecard=card, note=incoming.validated_data["note"])
        return self._detail(card)

    @extend_schema(
        summary="Attach an evidence photo to one criterion of a scorecard (optimistic: send the version you read)",
        description=(
            "Multipart: `criterion`, `photo` (JPEG or PNG, checked by its content, within "
            "UPLOAD_MAX_BYTES) and `version`. As the scorecard's page: by whoever scores the unit, while "
            "the round is open and the scorecard not verified; the score and note are kept. The photo "
            "is then served at the entry's `photo_url`, which checks the scope."
        ),
        request={"multipart/form-data": EvidencePhotoSerializer},
        responses=_changed(ScorecardSerializer),
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def photo(self, request, pk=None):
        card = self.get_object()
        self._require_scorer(card)
        incoming = EvidencePhotoSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        criterion = card.criteria_set.criteria.filter(pk=data["criterion"]).first()
        if criterion is None:
            raise serializers.ValidationError({"criterion": [_("This criterion is not on this scorecard.")]})
        score = card.entries.filter(criterion=criterion).values_list("self_score", flat=True).first()
        entries = {criterion.pk: services.EntryInput(self_score=score, evidence_photo=data["photo"])}
        with service_errors(lambda: {f"{card.unit.name} – {criterion.code}": "photo"}):
            card = services.scorecard_update(
                user=request.user, scorecard=card, entries=entries, expected_version=data["version"]
            )
        return self._detail(card)


# --- Awards -------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Awards to units you may see"),
    retrieve=extend_schema(summary="One award (404 outside your units)"),
)
@extend_schema(tags=["awards"])
class AwardViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = AwardSerializer
    filterset_class = AwardFilter
    queryset = Award.objects.none()

    def get_queryset(self):
        return Award.objects.visible_to(self.request.user).select_related(
            "movement__unit", "round", "dvk_model", "recipient_unit", "issuer", "decision_document__issuer"
        )

    @extend_schema(
        summary="Record an award",
        description=(
            "An award for a movement or one of its rounds is recorded by district staff over the "
            "movement's area; the recipient must lie within it. Only a prize carries `prize_value_vnd`."
        ),
        request=AwardWriteSerializer,
        responses=_created(AwardSerializer),
    )
    def create(self, request, *args, **kwargs):
        require_role_somewhere(request.user, access.WRITE_ROLES, _("You may not record awards."))
        incoming = AwardWriteSerializer(data=request.data, context=self.get_serializer_context())
        incoming.is_valid(raise_exception=True)
        with service_errors():
            award = services.award_create(user=request.user, values=dict(incoming.validated_data))
        fresh = self.get_queryset().get(pk=award.pk)
        return Response(self.get_serializer(fresh).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Delete an award recorded by mistake",
        responses={204: None, 403: _ERRORS_403, 404: _ERRORS_404},
    )
    def destroy(self, request, *args, **kwargs):
        award = self.get_object()
        user = request.user
        if not access.can_edit_unit(user, award.recipient_unit) or (
            award.movement_id and not permissions.can_manage_movement(user, award.movement)
        ):
            raise PermissionDenied(_("You may not delete this award."))
        services.award_delete(user=user, award=award)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Dân vận khéo models ------------------------------------------------------------------------

DVK_ROWS = ("criteria", "pillars")


@extend_schema_view(
    list=extend_schema(summary="Dân vận khéo models of units you may see"),
    retrieve=extend_schema(
        summary="One model with its criteria, pillars and status history",
        responses={200: DvkModelDetailSerializer, 404: _ERRORS_404},
    ),
)
@extend_schema(tags=["dvk-models"])
class DvkModelViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    filterset_class = DvkModelFilter
    queryset = DvkModel.objects.none()

    def get_queryset(self):
        models = DvkModel.objects.visible_to(self.request.user).select_related("owner_unit")
        if self.action not in {"list", "retrieve"}:
            return models
        models = models.select_related("locality", "movement", "recognition_document__issuer")
        return self._with_details(models) if self.action == "retrieve" else models

    def _with_details(self, models):
        return models.prefetch_related(
            Prefetch("criteria", queryset=DvkCriterion.objects.order_by("order", "id")),
            Prefetch("pillars", queryset=DvkPillar.objects.order_by("number")),
            Prefetch("events", queryset=DvkEvent.objects.select_related("by").order_by("at", "id")),
        )

    def get_serializer_class(self):
        return DvkModelSerializer if self.action == "list" else DvkModelDetailSerializer

    def _detail(self, model: DvkModel, *, code: int = status.HTTP_200_OK) -> Response:
        models = DvkModel.objects.visible_to(self.request.user).select_related(
            "owner_unit", "locality", "movement", "recognition_document__issuer"
        )
        fresh = self._with_details(models).get(pk=model.pk)
        return Response(DvkModelDetailSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    def _require_editor(self, model: DvkModel) -> None:
        if not access.can_edit_unit(self.request.user, model.owner_unit):
            raise PermissionDenied(_("You may not change this model."))

    @extend_schema(
        summary="Register a Dân vận khéo model with its criteria and pillars",
        description=(
            "All or nothing; an error in the second criterion is answered as "
            '`{"criteria": {"1": [...]}}`. The locality must lie within the owner unit; households of '
            "the locality sign commitments once the village has been consulted."
        ),
        request=DvkModelWriteSerializer,
        responses=_created(DvkModelDetailSerializer),
    )
    def create(self, request, *args, **kwargs):
        require_role_somewhere(request.user, access.WRITE_ROLES, _("You may not register models."))
        incoming = DvkModelWriteSerializer(data=request.data, context=self.get_serializer_context())
        incoming.is_valid(raise_exception=True)
        values = dict(incoming.validated_data)
        rows = {name: values.pop(name) for name in DVK_ROWS}
        with service_errors():
            model = services.dvk_model_create(user=request.user, data=services.DvkModelInput(values=values, **rows))
        return self._detail(model, code=status.HTTP_201_CREATED)

    def _update(self, request, *, partial: bool) -> Response:
        model = self.get_object()
        self._require_editor(model)
        values = _read_body(
            self, DvkModelUpdateSerializer, partial=partial, rows_class=DvkRowsSerializer, nested=DVK_ROWS
        )
        expected = require_version(values)
        rows = {name: values.pop(name, None) for name in DVK_ROWS}  # None: not sent, kept
        with service_errors():
            model = services.dvk_model_update(
                user=request.user,
                model=model,
                data=services.DvkModelInput(values=values, **rows),
                expected_version=expected,
            )
        return self._detail(model)

    @extend_schema(
        summary="Replace a model's fields (optimistic: send the version you read)",
        description="`criteria` and `pillars` sent replace the lists; not sent, they are kept.",
        request=DvkModelUpdateSerializer,
        responses=_changed(DvkModelDetailSerializer),
    )
    def update(self, request, *args, **kwargs):
        return self._update(request, partial=False)

    @extend_schema(
        summary="Change some of a model's fields (optimistic: send the version you read)",
        request=DvkModelUpdateSerializer,
        responses=_changed(DvkModelDetailSerializer),
    )
    def partial_update(self, request, *args, **kwargs):
        return self._update(request, partial=True)

    @extend_schema(
        summary="Move a model along its lifecycle",
        description=(
            "registered → surveyed → village_consulted → launched → in_progress → evaluated → "
            "recognized | not_met; recognized → replicated; not_met → in_progress; any but the final "
            "ones → stopped (with a `note`). Recognizing (or not) is for district staff, and needs "
            "every criterion met and `recognized_on`. The detail's `allowed_transitions` lists your "
            "moves now; any other answers 400 at `to_status`."
        ),
        request=DvkTransitionSerializer,
        responses=_changed(DvkModelDetailSerializer),
    )
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        model = self.get_object()
        self._require_editor(model)
        # The level above judges: a commune officer asking to recognize gets 403, whatever else it sent.
        wanted = request.data.get("to_status") if isinstance(request.data, dict) else None
        if wanted in {DvkStatus.RECOGNIZED, DvkStatus.NOT_MET} and not permissions.can_recognize(request.user, model):
            raise PermissionDenied(_("Only the level above recognizes a model."))
        incoming = DvkTransitionSerializer(data=request.data, context=self.get_serializer_context())
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        with service_errors(lambda: {"status": "to_status"}):
            model = services.dvk_transition(
                user=request.user,
                model=model,
                to_status=data["to_status"],
                note=data["note"],
                recognized_on=data["recognized_on"],
                recognition_document=data["recognition_document"],
                effective_on=data["effective_on"],
                expected_version=data["version"],
            )
        return self._detail(model)


# --- Household commitments ----------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Household commitments of villages you may see"),
    retrieve=extend_schema(summary="One household commitment (404 outside your villages)"),
)
@extend_schema(tags=["household-commitments"])
class HouseholdCommitmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = HouseholdCommitmentSerializer
    filterset_class = HouseholdCommitmentFilter
    queryset = HouseholdCommitment.objects.none()

    def get_queryset(self):
        return self._read(self.request.user)

    @staticmethod
    def _read(user):
        return (
            HouseholdCommitment.objects.visible_to(user)
            .select_related("model", "village")
            .prefetch_related("items", "broken_items")
        )

    def _detail(self, commitment: HouseholdCommitment, *, code: int = status.HTTP_200_OK) -> Response:
        fresh = self._read(self.request.user).get(pk=commitment.pk)
        return Response(self.get_serializer(fresh).data, status=code)

    @extend_schema(
        summary="Record a household's signed commitment",
        description=(
            "`items` are ids of commitment items (`GET /commitment-items/`), at least one, still "
            "offered. The village must lie inside the model's locality, and the model must have been "
            "discussed with the village; a household signs once per model."
        ),
        request=CommitmentWriteSerializer,
        responses=_created(HouseholdCommitmentSerializer),
    )
    def create(self, request, *args, **kwargs):
        require_role_somewhere(request.user, access.WRITE_ROLES, _("You may not record commitments."))
        incoming = CommitmentWriteSerializer(data=request.data, context=self.get_serializer_context())
        incoming.is_valid(raise_exception=True)
        values = dict(incoming.validated_data)
        items = values.pop("items")
        with service_errors():
            commitment = services.commitment_create(user=request.user, values=values, items=items)
        return self._detail(commitment, code=status.HTTP_201_CREATED)

    def _update(self, request, *, partial: bool) -> Response:
        commitment = self.get_object()
        if not access.can_edit_unit(request.user, commitment.village):
            raise PermissionDenied(_("You may not change this commitment."))
        values = _read_body(self, CommitmentUpdateSerializer, partial=partial)
        expected = require_version(values)
        items, broken = values.pop("items", None), values.pop("broken_items", None)
        with service_errors():
            commitment = services.commitment_update(
                user=request.user,
                commitment=commitment,
                values=values,
                items=items,
                broken_items=broken,
                expected_version=expected,
            )
        return self._detail(commitment)

    @extend_schema(
        summary="Replace a commitment's fields (optimistic: send the version you read)",
        request=CommitmentUpdateSerializer,
        responses=_changed(HouseholdCommitmentSerializer),
    )
    def update(self, request, *args, **kwargs):
        return self._update(request, partial=False)

    @extend_schema(
        summary="Change a commitment, or record that it was broken",
        description=(
            '`{"status": "broken", "broken_on": "2024-09-02", "broken_items": [3], "version": 1}`; '
            "only items the household signed can be broken."
        ),
        request=CommitmentUpdateSerializer,
        responses=_changed(HouseholdCommitmentSerializer),
    )
    def partial_update(self, request, *args, **kwargs):
        return self._update(request, partial=True)


# --- Emulation pledges and commitment items -----------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Emulation pledges of religious groups you may see"),
    retrieve=extend_schema(summary="One pledge (404 outside your units)"),
)
@extend_schema(tags=["emulation-pledges"])
class EmulationPledgeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = EmulationPledgeSerializer
    filterset_class = EmulationPledgeFilter
    queryset = EmulationPledge.objects.none()

    def get_queryset(self):
        return self._read(self.request.user)

    @staticmethod
    def _read(user):
        return EmulationPledge.objects.visible_to(user).select_related("unit").prefetch_related("items")

    def _detail(self, pledge: EmulationPledge, *, code: int = status.HTTP_200_OK) -> Response:
        fresh = self._read(self.request.user).get(pk=pledge.pk)
        return Response(self.get_serializer(fresh).data, status=code)

    @extend_schema(
        summary="Register a religious group's pledge for a year",
        description="One pledge per group and year, signed in that year; `items` are commitment item ids.",
        request=PledgeWriteSerializer,
        responses=_created(EmulationPledgeSerializer),
    )
    def create(self, request, *args, **kwargs):
        require_role_somewhere(request.user, access.WRITE_ROLES, _("You may not record pledges."))
        incoming = PledgeWriteSerializer(data=request.data, context=self.get_serializer_context())
        incoming.is_valid(raise_exception=True)
        values = dict(incoming.validated_data)
        items = values.pop("items")
        with service_errors():
            pledge = services.pledge_save(user=request.user, values=values, items=items)
        return self._detail(pledge, code=status.HTTP_201_CREATED)

    def _update(self, request, *, partial: bool) -> Response:
        pledge = self.get_object()
        if not access.can_edit_unit(request.user, pledge.unit):
            raise PermissionDenied(_("You may not change this pledge."))
        values = _read_body(self, PledgeUpdateSerializer, partial=partial)
        expected = require_version(values)
        items = values.pop("items", None)
        if items is None:
            items = list(pledge.items.all())
        with service_errors():
            pledge = services.pledge_save(
                user=request.user, values=values, items=items, pledge=pledge, expected_version=expected
            )
        return self._detail(pledge)

    @extend_schema(
        summary="Replace a pledge's fields (optimistic: send the version you read)",
        request=PledgeUpdateSerializer,
        responses=_changed(EmulationPledgeSerializer),
    )
    def update(self, request, *args, **kwargs):
        return self._update(request, partial=False)

    @extend_schema(
        summary="Change some of a pledge's fields, e.g. its result at year end",
        request=PledgeUpdateSerializer,
        responses=_changed(EmulationPledgeSerializer),
    )
    def partial_update(self, request, *args, **kwargs):
        return self._update(request, partial=True)


class ItemOrderPagination(IdCursorPagination):
    """Commitment items in their display order."""

    ordering = ("order", "id")


@extend_schema_view(
    list=extend_schema(summary="Commitment items households and religious groups may sign"),
    retrieve=extend_schema(summary="One commitment item", responses={200: CommitmentItemSerializer, 404: _ERRORS_404}),
    create=extend_schema(
        **admin_schema(
            "Add an item households may sign (portal administrators)",
            CommitmentItemWriteSerializer,
            CommitmentItemSerializer,
            created=True,
        ),
        description="As in the admin's list: a unique `code`, chosen once.",
    ),
    update=extend_schema(
        **admin_schema(
            "Reword, reorder or stop offering an item (portal administrators)",
            CommitmentItemChangeSerializer,
            CommitmentItemSerializer,
        ),
        description="The code is kept. Items are never deleted (signed commitments name them): set `is_active` false.",
    ),
    partial_update=extend_schema(
        **admin_schema(
            "Change some of an item's fields (portal administrators)",
            CommitmentItemChangeSerializer,
            CommitmentItemSerializer,
        ),
        description="The code is kept. Items are never deleted (signed commitments name them): set `is_active` false.",
    ),
)
@extend_schema(tags=["commitment-items"])
class CommitmentItemViewSet(
    AdminKeptMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The admin keeps this list (``campaigns.admin.CommitmentItemAdmin``); everyone signed in
    reads it, since every commitment and pledge names its items."""

    serializer_class = CommitmentItemSerializer
    write_serializer = CommitmentItemWriteSerializer
    change_serializer = CommitmentItemChangeSerializer
    filterset_class = CommitmentItemFilter
    pagination_class = ItemOrderPagination
    queryset = CommitmentItem.objects.all()


def register(router) -> None:
    router.register("movements", MovementViewSet, basename="movement")
    router.register("criteria-sets", CriteriaSetViewSet, basename="criteria-set")
    router.register("scoring-rounds", ScoringRoundViewSet, basename="scoring-round")
    router.register("scorecards", ScorecardViewSet, basename="scorecard")
    router.register("awards", AwardViewSet, basename="award")
    router.register("dvk-models", DvkModelViewSet, basename="dvk-model")
    router.register("household-commitments", HouseholdCommitmentViewSet, basename="household-commitment")
    router.register("emulation-pledges", EmulationPledgeViewSet, basename="emulation-pledge")
    router.register("commitment-items", CommitmentItemViewSet, basename="commitment-item")


urlpatterns: list = []
