"""Programs API: programs with their work items, contributions and participation, road projects,
land donations and site clearance projects under ``/api/v1/``.

The same rules as the pages, in the same places:
- scope first: every queryset starts from ``Model.objects.visible_to(user)`` (through
  ``programs.selectors``), so an object outside it answers 404 exactly like one that does not
  exist, and ids in a request body are looked up in the same scope (an invisible id is
  "unknown", 400);
- writes go through ``programs.services``; a ``ValidationError`` becomes 400 with messages per
  field (rows of a program keyed by position), ``PermissionDenied`` 403, a stale ``version`` 409;
- a role that may write nothing gets 403 before its body is read.
Totals are computed in SQL with the page (sums over each program's own rows), never stored.
Nothing is deleted through the API (405).
"""

from __future__ import annotations

import mimetypes
import os
from decimal import Decimal

from django.db.models import (
    BigIntegerField,
    DecimalField,
    F,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.settings import api_settings

from organization import access
from organization.api_base import require_role_somewhere
from organization.api_base import service_errors as base_service_errors
from organization.models import Role, Unit

from . import selectors, services
from .api_filters import LandDonationFilter, ProgramFilter, RoadProjectFilter, SiteClearanceProjectFilter
from .models import (
    Contribution,
    ContributionKind,
    Disbursement,
    LandDonation,
    Participation,
    Program,
    Qualifier,
    RoadProject,
    SiteClearanceProject,
    WorkItem,
)
from .serializers import (
    ConsentUploadSerializer,
    ContributionInputSerializer,
    DisbursementInputSerializer,
    LandDonationSerializer,
    LandDonationUpdateSerializer,
    LandDonationWriteSerializer,
    ParticipationInputSerializer,
    ProgramDetailSerializer,
    ProgramSerializer,
    ProgramUpdateSerializer,
    ProgramWriteSerializer,
    RoadProjectSerializer,
    RoadProjectUpdateSerializer,
    RoadProjectWriteSerializer,
    SiteClearanceProjectDetailSerializer,
    SiteClearanceProjectSerializer,
    SiteClearanceProjectUpdateSerializer,
    SiteClearanceProjectWriteSerializer,
    WorkItemInputSerializer,
)

#: A program's rows, as the services name them (``"<name>-<index>"`` in their errors).
NESTED_LISTS = ("work_items", "contributions", "participation")
_ROW_MODELS = {"work_items": WorkItem, "contributions": Contribution, "participation": Participation}
_ROW_FIELDS = {
    "work_items": ("category", "description", "quantity", "unit_of_measure", "location", "done"),
    "contributions": (
        "contributor_type",
        "kind",
        "quantity",
        "unit_of_measure",
        "value_vnd",
        "qualifier",
        "note",
    ),
    "participation": ("category", "person_times", "qualifier"),
}
CLEARANCE_ROLES = frozenset({Role.DISTRICT_STAFF})


# --- Errors -------------------------------------------------------------------------------------


def service_errors():
    """The shared translation of service refusals, with this API's nested lists."""
    return base_service_errors(NESTED_LISTS)


def require_version(data: dict) -> int:
    expected = data.pop("version", None)
    if expected is None:
        raise serializers.ValidationError({"version": [_("Send the version you read.")]})
    return expected


_ERRORS_400 = OpenApiResponse(description="Invalid or unknown fields; messages per field.")
_ERRORS_403 = OpenApiResponse(description="Your role does not allow this.")
_ERRORS_404 = OpenApiResponse(description="No such record among those you may see.")
_ERRORS_409 = OpenApiResponse(description="Stale version: someone saved the record since you read it.")


def _update_responses(serializer) -> dict:
    return {200: serializer, 400: _ERRORS_400, 403: _ERRORS_403, 404: _ERRORS_404, 409: _ERRORS_409}


# --- Totals computed with the page --------------------------------------------------------------

_MONEY = BigIntegerField()
_COUNT = IntegerField()


def _decimal(places: int = 2) -> DecimalField:
    return DecimalField(max_digits=20, decimal_places=places)


def _sum_per(model, link: str, field: str, output, **conditions) -> Coalesce:
    """Sum of ``field`` over the rows of ``model`` whose ``link`` is the outer row (0 when none)."""
    rows = (
        model.objects.filter(**{link: OuterRef("pk")}, **conditions)
        .order_by()
        .values(link)
        .annotate(total=Sum(field))
        .values("total")
    )
    zero = Value(Decimal(0) if isinstance(output, DecimalField) else 0, output_field=output)
    return Coalesce(Subquery(rows, output_field=output), zero, output_field=output)


def _aggregate_where(queryset, function: str, field: str, output) -> Coalesce:
    """One aggregate over ``queryset`` as a scalar subquery, without GROUP BY: the rows may match
    the outer row in more than one way (``program`` or ``road__program``) and still count once."""
    value = queryset.order_by().values(total=Func(F(field), function=function, output_field=output))
    zero = Value(Decimal(0) if isinstance(output, DecimalField) else 0, output_field=output)
    return Coalesce(Subquery(value, output_field=output), zero, output_field=output)


def donation_totals(condition: Q) -> dict:
    donations = LandDonation.objects.filter(condition)
    return {
        "donation_count": _aggregate_where(donations, "COUNT", "pk", _COUNT),
        "donation_area_m2": _aggregate_where(donations, "SUM", "area_m2", _decimal()),
        "donation_value_vnd": _aggregate_where(donations, "SUM", "value_vnd", _MONEY),
    }


def program_totals() -> dict:
    return {
        "total_value_vnd": _sum_per(Contribution, "program", "value_vnd", _MONEY),
        "total_labour_days": _sum_per(
            Contribution, "program", "quantity", _decimal(), kind=ContributionKind.LABOUR_DAYS
        ),
        "total_person_times": _sum_per(Participation, "program", "person_times", _MONEY),
        "work_item_count": _aggregate_where(WorkItem.objects.filter(program=OuterRef("pk")), "COUNT", "pk", _COUNT),
        "work_item_done_count": _aggregate_where(
            WorkItem.objects.filter(program=OuterRef("pk"), done=True), "COUNT", "pk", _COUNT
        ),
        **_hedge_counts(),
        # A donation tied to the program and to one of its roads is one donation.
        **donation_totals(Q(program=OuterRef("pk")) | Q(road__program=OuterRef("pk"))),
    }


#: The sums that carry the hedge words of their rows: name → (model, amount, other conditions).
_HEDGED_SUMS = {
    "value_vnd": (Contribution, "value_vnd", {}),
    "labour_days": (Contribution, "quantity", {"kind": ContributionKind.LABOUR_DAYS}),
    "person_times": (Participation, "person_times", {}),
}


def _hedge_counts() -> dict:
    """For each hedged sum, how many of its non-zero rows say "over" and how many "almost"
    (``hedge_<sum>_<qualifier>``); ``ProgramTotalsSerializer`` turns them into the sum's qualifier."""
    counts = {}
    for name, (model, amount, conditions) in _HEDGED_SUMS.items():
        for qualifier in (Qualifier.OVER, Qualifier.ALMOST):
            rows = model.objects.filter(
                program=OuterRef("pk"), qualifier=qualifier, **{f"{amount}__gt": 0}, **conditions
            )
            counts[f"hedge_{name}_{qualifier.value}"] = _aggregate_where(rows, "COUNT", "pk", _COUNT)
    return counts


# --- Programs -----------------------------------------------------------------------------------


class ProgramRowsSerializer(serializers.Serializer):
    """The rows sent with a ``PATCH``, validated in full (``partial`` would skip their defaults)."""

    work_items = WorkItemInputSerializer(many=True, required=False)
    contributions = ContributionInputSerializer(many=True, required=False)
    participation = ParticipationInputSerializer(many=True, required=False)

    validate_participation = ProgramWriteSerializer.validate_participation


_PROGRAM_WRITE_DESCRIPTION = (
    "The program and its `work_items`, `contributions` and `participation` are saved together or "
    'not at all; an error in the second contribution is answered as `{"contributions": {"1": '
    '{"qualifier": [...]}}}`. Money is whole đồng, as a JSON integer or a Vietnamese string '
    '(`"1.234.567"`); quantities are JSON numbers or strings with a decimal comma (`"283,75"`). '
    "Units, documents and villages outside your scope are unknown (400). The date must fall "
    "within the host commune's existence, and a held program cannot be dated in the future."
)


@extend_schema_view(
    list=extend_schema(summary="Programs visible to you, with their totals"),
    retrieve=extend_schema(
        summary="One program with its work items, contributions, participation and totals",
        responses={200: ProgramDetailSerializer, 404: _ERRORS_404},
    ),
)
@extend_schema(tags=["programs"])
class ProgramViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    filterset_class = ProgramFilter
    queryset = Program.objects.none()  # the real one depends on the user, see get_queryset

    def get_queryset(self):
        user = self.request.user
        if self.action not in {"list", "retrieve"}:
            # Writes get a bare instance: the service locks and reloads it anyway.
            return Program.objects.visible_to(user).select_related("unit")
        programs = selectors.programs_for(user).select_related("basis_document__issuer").annotate(**program_totals())
        return self._with_details(programs) if self.action == "retrieve" else programs

    def _with_details(self, programs):
        roads = RoadProject.objects.visible_to(self.request.user).order_by("year", "name", "id")
        return programs.prefetch_related(
            Prefetch("work_items", queryset=WorkItem.objects.order_by("id")),
            Prefetch("contributions", queryset=Contribution.objects.order_by("id")),
            Prefetch("participation", queryset=Participation.objects.order_by("id")),
            Prefetch("roads", queryset=roads),
        )

    def get_serializer_class(self):
        return ProgramSerializer if self.action == "list" else ProgramDetailSerializer

    def _detail(self, program: Program, *, code: int = status.HTTP_200_OK) -> Response:
        programs = selectors.programs_for(self.request.user).select_related("basis_document__issuer")
        fresh = self._with_details(programs.annotate(**program_totals())).get(pk=program.pk)
        return Response(ProgramDetailSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    @extend_schema(
        summary="Record a program with its work items, contributions and participation",
        description=_PROGRAM_WRITE_DESCRIPTION,
        request=ProgramWriteSerializer,
        responses={201: ProgramDetailSerializer, 400: _ERRORS_400, 403: _ERRORS_403},
    )
    def create(self, request, *args, **kwargs):
        user = request.user
        require_role_somewhere(user, access.WRITE_ROLES, _("You may not record programs."))
        incoming = ProgramWriteSerializer(data=request.data, context=self.get_serializer_context())
        incoming.is_valid(raise_exception=True)
        values = dict(incoming.validated_data)
        rows = {name: values.pop(name) for name in NESTED_LISTS}
        with service_errors():
            program = services.program_create(user=user, data=services.ProgramInput(values=values, **rows))
        return self._detail(program, code=status.HTTP_201_CREATED)

    def _update(self, request, *, partial: bool) -> Response:
        program = self.get_object()
        if not access.can_edit_unit(request.user, program.unit):
            raise PermissionDenied(_("You may not change this program."))
        context = self.get_serializer_context()
        if partial:
            # The program's own fields are partial; rows that are sent are whole rows.
            body = request.data
            if not isinstance(body, dict):
                raise serializers.ValidationError(
                    {api_settings.NON_FIELD_ERRORS_KEY: [_("Send an object with the fields to change.")]}
                )
            fields = ProgramUpdateSerializer(
                data={k: v for k, v in body.items() if k not in NESTED_LISTS}, partial=True, context=context
            )
            sent_rows = ProgramRowsSerializer(data={k: body[k] for k in NESTED_LISTS if k in body}, context=context)
            valid = [fields.is_valid(), sent_rows.is_valid()]
            if not all(valid):
                raise serializers.ValidationError({**sent_rows.errors, **fields.errors})
            values = dict(fields.validated_data)
            rows = {name: sent_rows.validated_data.get(name) for name in NESTED_LISTS}
        else:
            incoming = ProgramUpdateSerializer(data=request.data, context=context)
            incoming.is_valid(raise_exception=True)
            values = dict(incoming.validated_data)
            rows = {name: values.pop(name) for name in NESTED_LISTS}
        expected = require_version(values)
        for name, sent in rows.items():
            if sent is None:  # not sent with a PATCH: kept as they are
                rows[name] = list(
                    _ROW_MODELS[name].objects.filter(program=program).order_by("id").values(*_ROW_FIELDS[name])
                )
        with service_errors():
            program = services.program_update(
                user=request.user,
                program=program,
                data=services.ProgramInput(values=values, **rows),
                expected_version=expected,
            )
        return self._detail(program)

    @extend_schema(
        summary="Replace a program and its rows (optimistic: send the version you read)",
        description=_PROGRAM_WRITE_DESCRIPTION + " The host commune (`unit`) is kept.",
        request=ProgramUpdateSerializer,
        responses=_update_responses(ProgramDetailSerializer),
    )
    def update(self, request, *args, **kwargs):
        return self._update(request, partial=False)

    @extend_schema(
        summary="Change some of a program's fields or rows (optimistic: send the version you read)",
        description=(
            "Fields not sent are kept. A list sent (`work_items`, `contributions`, `participation`) "
            "replaces that list; a list not sent is kept. Status moves one step at a time: "
            "planned → surveyed → held → reviewed (planned → held skips the survey)."
        ),
        request=ProgramUpdateSerializer,
        responses=_update_responses(ProgramDetailSerializer),
    )
    def partial_update(self, request, *args, **kwargs):
        return self._update(request, partial=True)


# --- Road projects ------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Road projects visible to you"),
    retrieve=extend_schema(summary="One road project (404 outside your units)"),
)
@extend_schema(tags=["road-projects"])
class RoadProjectViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = RoadProjectSerializer
    filterset_class = RoadProjectFilter
    queryset = RoadProject.objects.none()

    def get_queryset(self):
        user = self.request.user
        if self.action not in {"list", "retrieve"}:
            return RoadProject.objects.visible_to(user).select_related("unit")
        return selectors.roads_for(user).annotate(**donation_totals(Q(road=OuterRef("pk"))))

    def _detail(self, road: RoadProject, *, code: int = status.HTTP_200_OK) -> Response:
        roads = selectors.roads_for(self.request.user).annotate(**donation_totals(Q(road=OuterRef("pk"))))
        return Response(self.get_serializer(roads.get(pk=road.pk)).data, status=code)

    @extend_schema(
        summary="Record a road project",
        description=(
            'Lengths and widths in metres (`750` or `"750,5"`), money in whole đồng (`1234567` or '
            '`"1.234.567"`). The people\'s share cannot exceed the total investment; a program named '
            "must be held in the same commune."
        ),
        request=RoadProjectWriteSerializer,
        responses={201: RoadProjectSerializer, 400: _ERRORS_400, 403: _ERRORS_403},
    )
    def create(self, request, *args, **kwargs):
        user = request.user
        require_role_somewhere(user, access.WRITE_ROLES, _("You may not record road projects."))
        incoming = RoadProjectWriteSerializer(data=request.data, context=self.get_serializer_context())
        incoming.is_valid(raise_exception=True)
        with service_errors():
            road = services.road_project_save(user=user, values=dict(incoming.validated_data))
        return self._detail(road, code=status.HTTP_201_CREATED)

    def _update(self, request, *, partial: bool) -> Response:
        road = self.get_object()
        if not access.can_edit_unit(request.user, road.unit):
            raise PermissionDenied(_("You may not change this road project."))
        incoming = RoadProjectUpdateSerializer(
            data=request.data, partial=partial, context=self.get_serializer_context()
        )
        incoming.is_valid(raise_exception=True)
        values = dict(incoming.validated_data)
        expected = require_version(values)
        with service_errors():
            road = services.road_project_save(user=request.user, values=values, road=road, expected_version=expected)
        return self._detail(road)

    @extend_schema(
        summary="Replace a road project's fields (optimistic: send the version you read)",
        request=RoadProjectUpdateSerializer,
        responses=_update_responses(RoadProjectSerializer),
    )
    def update(self, request, *args, **kwargs):
        return self._update(request, partial=False)

    @extend_schema(
        summary="Change some of a road project's fields (optimistic: send the version you read)",
        request=RoadProjectUpdateSerializer,
        responses=_update_responses(RoadProjectSerializer),
    )
    def partial_update(self, request, *args, **kwargs):
        return self._update(request, partial=True)


# --- Land donations -----------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Land donations visible to you"),
    retrieve=extend_schema(summary="One land donation (404 outside your units)"),
)
@extend_schema(tags=["land-donations"])
class LandDonationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = LandDonationSerializer
    filterset_class = LandDonationFilter
    queryset = LandDonation.objects.none()

    def get_queryset(self):
        return selectors.donations_for(self.request.user)

    def _detail(self, donation: LandDonation, *, code: int = status.HTTP_200_OK) -> Response:
        fresh = selectors.donations_for(self.request.user).get(pk=donation.pk)
        return Response(LandDonationSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    def _require_editable(self, donation: LandDonation) -> None:
        if not access.can_edit_unit(self.request.user, donation.unit):
            raise PermissionDenied(_("You may not change this donation."))

    @extend_schema(
        summary="Record one household's donation of land, trees, labour or cash",
        description=(
            'Trees are an object of species and whole counts: `{"quế": 1000}`. Area in m² (`1200` or '
            '`"1.200,5"`; at most 100.000 m² from one household), money in whole đồng. The total value '
            "includes the cash. Road and program must be in the same commune; the date cannot be in the "
            "future or outside the commune's existence. The signed consent is filed afterwards at "
            "`POST /land-donations/{id}/consent/`."
        ),
        request=LandDonationWriteSerializer,
        responses={201: LandDonationSerializer, 400: _ERRORS_400, 403: _ERRORS_403},
    )
    def create(self, request, *args, **kwargs):
        user = request.user
        require_role_somewhere(user, access.WRITE_ROLES, _("You may not record land donations."))
        incoming = LandDonationWriteSerializer(data=request.data, context=self.get_serializer_context())
        incoming.is_valid(raise_exception=True)
        with service_errors():
            donation = services.land_donation_save(user=user, values=dict(incoming.validated_data))
        return self._detail(donation, code=status.HTTP_201_CREATED)

    def _update(self, request, *, partial: bool) -> Response:
        donation = self.get_object()
        self._require_editable(donation)
        incoming = LandDonationUpdateSerializer(
            data=request.data, partial=partial, context=self.get_serializer_context()
        )
        incoming.is_valid(raise_exception=True)
        values = dict(incoming.validated_data)
        expected = require_version(values)
        with service_errors():
            donation = services.land_donation_save(
                user=request.user, values=values, donation=donation, expected_version=expected
            )
        return self._detail(donation)

    @extend_schema(
        summary="Replace a donation's fields (optimistic: send the version you read)",
        request=LandDonationUpdateSerializer,
        responses=_update_responses(LandDonationSerializer),
    )
    def update(self, request, *args, **kwargs):
        return self._update(request, partial=False)

    @extend_schema(
        summary="Change some of a donation's fields (optimistic: send the version you read)",
        request=LandDonationUpdateSerializer,
        responses=_update_responses(LandDonationSerializer),
    )
    def partial_update(self, request, *args, **kwargs):
        return self._update(request, partial=True)

    @extend_schema(
        summary="File the signed consent of a donation",
        description=(
            "Multipart with one `file` (PDF, DOCX, JPEG or PNG, the type checked from the content, "
            "within UPLOAD_MAX_BYTES) and optionally the `version` you read. It replaces an earlier "
            "scan and counts as a change of the donation (its version goes up)."
        ),
        request={"multipart/form-data": ConsentUploadSerializer},
        responses=_update_responses(LandDonationSerializer),
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="consent",
        url_name="consent",
        parser_classes=[MultiPartParser, FormParser],
    )
    def consent(self, request, pk=None):
        donation = self.get_object()
        self._require_editable(donation)
        incoming = ConsentUploadSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        with service_errors():
            donation = services.land_donation_save(
                user=request.user,
                values={},
                donation=donation,
                consent_file=data["file"],
                expected_version=data["version"],
            )
        return self._detail(donation)

    @extend_schema(
        summary="Download the signed consent of a donation",
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, 404: _ERRORS_404},
    )
    @consent.mapping.get
    def consent_file(self, request, pk=None):
        # Uploads are never served statically: the scope is checked (get_object) on every read.
        donation = self.get_object()
        stored = donation.consent_file
        if not stored or not stored.storage.exists(stored.name):
            raise Http404
        name = os.path.basename(stored.name)
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        return FileResponse(stored.open("rb"), as_attachment=True, filename=name, content_type=content_type)


# --- Site clearance -----------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Site clearance projects visible to you, with disbursed and percent of plan"),
    retrieve=extend_schema(
        summary="One site clearance project with its series of disbursements",
        responses={200: SiteClearanceProjectDetailSerializer, 404: _ERRORS_404},
    ),
)
@extend_schema(tags=["site-clearance-projects"])
class SiteClearanceProjectViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    filterset_class = SiteClearanceProjectFilter
    queryset = SiteClearanceProject.objects.none()

    def get_queryset(self):
        user = self.request.user
        if self.action not in {"list", "retrieve"}:
            return SiteClearanceProject.objects.visible_to(user).select_related("unit")
        projects = self._read(user)
        return self._with_details(projects) if self.action == "retrieve" else projects

    def _read(self, user):
        communes = access.visible_units(user).order_by("name", "id")
        return (
            selectors.clearance_for(user)
            .annotate(disbursed_vnd=_sum_per(Disbursement, "project", "amount_vnd", _MONEY))
            .prefetch_related(Prefetch("communes", queryset=communes))
        )

    def _with_details(self, projects):
        return projects.prefetch_related(
            Prefetch("disbursements", queryset=Disbursement.objects.order_by("paid_on", "id"))
        )

    def get_serializer_class(self):
        return SiteClearanceProjectSerializer if self.action == "list" else SiteClearanceProjectDetailSerializer

    def _detail(self, project: SiteClearanceProject, *, code: int = status.HTTP_200_OK) -> Response:
        fresh = self._with_details(self._read(self.request.user)).get(pk=project.pk)
        body = SiteClearanceProjectDetailSerializer(fresh, context=self.get_serializer_context()).data
        return Response(body, status=code)

    def _require_district_staff(self, project: SiteClearanceProject) -> None:
        if not access.has_role_over(self.request.user, project.unit, Role.DISTRICT_STAFF):
            raise PermissionDenied(_("Only district staff record site clearance."))

    @extend_schema(
        summary="Record a site clearance project",
        description=(
            "District staff only. `communes` must lie within the responsible `unit`. Budget in whole "
            'đồng (`"250.000.000.000"`), area in hectares (`"263,26"`). Payments are recorded at '
            "`POST /site-clearance-projects/{id}/disbursements/`."
        ),
        request=SiteClearanceProjectWriteSerializer,
        responses={201: SiteClearanceProjectDetailSerializer, 400: _ERRORS_400, 403: _ERRORS_403},
    )
    def create(self, request, *args, **kwargs):
        user = request.user
        require_role_somewhere(user, CLEARANCE_ROLES, _("Only district staff record site clearance."))
        incoming = SiteClearanceProjectWriteSerializer(data=request.data, context=self.get_serializer_context())
        incoming.is_valid(raise_exception=True)
        values = dict(incoming.validated_data)
        communes = values.pop("communes", [])
        with service_errors():
            project = services.clearance_project_save(user=user, values=values, communes=communes)
        return self._detail(project, code=status.HTTP_201_CREATED)

    def _update(self, request, *, partial: bool) -> Response:
        project = self.get_object()
        self._require_district_staff(project)
        incoming = SiteClearanceProjectUpdateSerializer(
            data=request.data, partial=partial, context=self.get_serializer_context()
        )
        incoming.is_valid(raise_exception=True)
        values = dict(incoming.validated_data)
        expected = require_version(values)
        communes: list[Unit] | None = values.pop("communes", None)
        with service_errors():
            project = services.clearance_project_save(
                user=request.user, values=values, communes=communes, project=project, expected_version=expected
            )
        return self._detail(project)

    @extend_schema(
        summary="Replace a project's fields (optimistic: send the version you read)",
        description="`communes`, when sent, replaces the list; when not sent, it is kept.",
        request=SiteClearanceProjectUpdateSerializer,
        responses=_update_responses(SiteClearanceProjectDetailSerializer),
    )
    def update(self, request, *args, **kwargs):
        return self._update(request, partial=False)

    @extend_schema(
        summary="Change some of a project's fields (optimistic: send the version you read)",
        request=SiteClearanceProjectUpdateSerializer,
        responses=_update_responses(SiteClearanceProjectDetailSerializer),
    )
    def partial_update(self, request, *args, **kwargs):
        return self._update(request, partial=True)

    @extend_schema(
        summary="Record a dated payment of compensation",
        description=(
            "District staff only. A payment that takes the total above the budget is refused with the "
            "totals in the message unless `over_budget_reason` says why (e.g. an approved "
            "supplementary plan). The answer is the project with its updated series, `disbursed_vnd` "
            "and `percent_of_plan`."
        ),
        request=DisbursementInputSerializer,
        responses={
            201: SiteClearanceProjectDetailSerializer,
            400: _ERRORS_400,
            403: _ERRORS_403,
            404: _ERRORS_404,
        },
    )
    @action(detail=True, methods=["post"])
    def disbursements(self, request, pk=None):
        project = self.get_object()
        self._require_district_staff(project)
        incoming = DisbursementInputSerializer(data=request.data, context=self.get_serializer_context())
        incoming.is_valid(raise_exception=True)
        with service_errors():
            services.disbursement_record(user=request.user, project=project, values=dict(incoming.validated_data))
        return self._detail(project, code=status.HTTP_201_CREATED)


def register(router) -> None:
    router.register("programs", ProgramViewSet, basename="program")
    router.register("road-projects", RoadProjectViewSet, basename="road-project")
    router.register("land-donations", LandDonationViewSet, basename="land-donation")
    router.register("site-clearance-projects", SiteClearanceProjectViewSet, basename="site-clearance-project")


urlpatterns: list = []
