"""Organization API: sign-in token, the current user, units and their successions, people,
Party terms and the document register.

Every queryset starts from the user's scope (``organization.access``), so an object outside it
answers 404 exactly like one that does not exist. Documents are created through
``services.document_issue``, the same function the pages use, so numbering is identical
whichever way a document comes in.

Units, successions, people and terms are kept by portal administrators: no page lets anyone
else change them, only the Django admin. The API follows the admin's rule
(``api_base.require_administrator``: a staff account holding the model permission) and its
validation (the model's ``full_clean``, through ``services.unit_save`` for units). Nothing here
is deleted but a succession recorded by mistake: units end with ``valid_to`` and people with
``is_active``, since records point at them.
"""

from __future__ import annotations

from axes.helpers import get_cool_off
from django.contrib.auth import authenticate, user_logged_in
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import APIException, PermissionDenied
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from . import access, services
from .api_base import ERRORS_403_ADMIN, ERRORS_404, AdminKeptMixin, admin_schema, require_administrator
from .api_filters import DocumentFilter, PersonFilter, TermFilter, UnitFilter, UnitSuccessionFilter
from .models import Document, Membership, Person, Term, Unit, UnitSuccession, User
from .serializers import (
    CredentialsSerializer,
    DocumentCreateSerializer,
    DocumentSerializer,
    MeSerializer,
    PersonSerializer,
    PersonWriteSerializer,
    TermSerializer,
    TermWriteSerializer,
    TokenSerializer,
    UnitSerializer,
    UnitSuccessionSerializer,
    UnitSuccessionWriteSerializer,
    UnitWriteSerializer,
)


class AccountLocked(APIException):
    """Too many failed sign-ins (django-axes): 429 with ``Retry-After``, never a bare 500."""

    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "account_locked"
    default_detail = gettext_lazy("Too many failed sign-in attempts: this account is temporarily locked.")

    def __init__(self, wait_seconds: int | None) -> None:
        # DRF's exception handler turns ``wait`` into a Retry-After header.
        self.wait = wait_seconds
        if wait_seconds:
            minutes = max(1, round(wait_seconds / 60))
            detail = _(
                "Too many failed sign-in attempts: this account is locked for %(minutes)d minutes. "
                "Try again later or ask an administrator to unlock it."
            ) % {"minutes": minutes}
        else:
            detail = _("Too many failed sign-in attempts: this account is locked. Ask an administrator to unlock it.")
        super().__init__(detail)


def _lockout_seconds(request) -> int | None:
    cool_off = get_cool_off(request)
    return int(cool_off.total_seconds()) if cool_off else None


class TokenObtainView(APIView):
    """Exchange a username and password for an API token.

    The credentials go through ``django.contrib.auth.authenticate`` with the request, so
    django-axes counts the failures and refuses a locked-out account exactly as on the sign-in
    page.
    """

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes: list = []

    @extend_schema(
        summary="Obtain an API token",
        description=(
            "Send `username` and `password`; use the returned token as `Authorization: Token <token>`. "
            "The same token is returned until it is revoked. After too many failed attempts the account "
            "is locked for a while (429 with Retry-After)."
        ),
        request=CredentialsSerializer,
        responses={
            200: TokenSerializer,
            400: OpenApiResponse(description="Missing fields or wrong username/password."),
            429: OpenApiResponse(description="The account is locked after too many failed attempts."),
        },
        auth=[],
        tags=["auth"],
    )
    def post(self, request):
        credentials = CredentialsSerializer(data=request.data)
        credentials.is_valid(raise_exception=True)
        # The DRF request (not request._request) carries axes' flags back to us, so the lockout is
        # answered here in JSON and not by AxesMiddleware's HTML page.
        user = authenticate(
            request=request,
            username=credentials.validated_data["username"],
            password=credentials.validated_data["password"],
        )
        if user is None:
            if getattr(request, "axes_locked_out", False):
                raise AccountLocked(_lockout_seconds(request))
            raise serializers.ValidationError(
                {api_settings.NON_FIELD_ERRORS_KEY: [_("Unable to sign in with this username and password.")]}
            )
        # As a session sign-in would: axes resets the failure count, last_login is updated.
        user_logged_in.send(sender=type(user), request=request, user=user)
        token, _created = Token.objects.get_or_create(user=user)
        response = Response(TokenSerializer({"token": token.key}).data)
        response["Cache-Control"] = "no-store"
        return response


class MeView(APIView):
    """The signed-in user and all their memberships (inactive ones flagged)."""

    @extend_schema(summary="The signed-in user and their memberships", responses=MeSerializer, tags=["me"])
    def get(self, request):
        memberships = Membership.objects.select_related("unit", "body").order_by("-is_active", "unit__path", "role")
        user = User.objects.prefetch_related(Prefetch("memberships", queryset=memberships)).get(pk=request.user.pk)
        return Response(MeSerializer(user).data)


@extend_schema_view(
    list=extend_schema(summary="Units visible to you"),
    retrieve=extend_schema(
        summary="One unit (404 outside your units)", responses={200: UnitSerializer, 404: ERRORS_404}
    ),
    create=extend_schema(
        **admin_schema(
            "Add a unit to the tree (portal administrators)", UnitWriteSerializer, UnitSerializer, created=True
        ),
        description=(
            "The same rules as the admin's unit form (`services.unit_save`): a unique `key` of lowercase "
            "slugs joined by `/`, validity within the parent's, no cycle. The parent is looked up among "
            "your units (an id outside them is unknown, 400)."
        ),
    ),
    update=extend_schema(
        **admin_schema("Replace a unit's fields (portal administrators)", UnitWriteSerializer, UnitSerializer)
    ),
    partial_update=extend_schema(
        **admin_schema("Change some of a unit's fields (portal administrators)", UnitWriteSerializer, UnitSerializer),
        description="A new `parent` moves the unit with its whole subtree. Units are never deleted: set `valid_to`.",
    ),
)
@extend_schema(tags=["units"])
class UnitViewSet(
    AdminKeptMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = UnitSerializer
    write_serializer = UnitWriteSerializer
    filterset_class = UnitFilter
    queryset = Unit.objects.none()  # the real one depends on the user, see get_queryset

    def get_queryset(self):
        return access.visible_units(self.request.user)

    def write(self, unit, values):
        for name, value in values.items():
            setattr(unit, name, value)
        # Outside a page the history middleware knows no user: the service's save records this one.
        unit._history_user = self.request.user
        return services.unit_save(unit=unit)

    def answer(self, obj, *, code: int = status.HTTP_200_OK) -> Response:
        fresh = self._linked(access.visible_units(self.request.user)).get(pk=obj.pk)
        return Response(UnitSerializer(fresh).data, status=code)

    def _linked(self, queryset):
        # Successors outside the user's units are left out: their ids would confirm they exist.
        linked = access.visible_units(self.request.user).only("pk").order_by("pk")
        return queryset.prefetch_related(
            Prefetch("successors", queryset=linked),
            Prefetch("predecessors", queryset=linked),
        )

    def filter_queryset(self, queryset):
        # Prefetch after filtering: the accent-insensitive search iterates over the filtered
        # rows, which Django refuses to do on a queryset that carries prefetches.
        return self._linked(super().filter_queryset(queryset))


@extend_schema_view(
    list=extend_schema(summary="Successions of units visible to you (mergers, renamings)"),
    retrieve=extend_schema(
        summary="One succession (404 unless you see both units)",
        responses={200: UnitSuccessionSerializer, 404: ERRORS_404},
    ),
    create=extend_schema(
        **admin_schema(
            "Record that a unit continues as another (portal administrators)",
            UnitSuccessionWriteSerializer,
            UnitSuccessionSerializer,
            created=True,
        ),
        description=(
            "The predecessor must have ceased to exist before `effective_date` and the successor exist "
            "on it; a pair is recorded once."
        ),
    ),
    update=extend_schema(
        **admin_schema(
            "Replace a succession's fields (portal administrators)",
            UnitSuccessionWriteSerializer,
            UnitSuccessionSerializer,
        )
    ),
    partial_update=extend_schema(
        **admin_schema(
            "Change some of a succession's fields (portal administrators)",
            UnitSuccessionWriteSerializer,
            UnitSuccessionSerializer,
        )
    ),
    destroy=extend_schema(
        summary="Delete a succession recorded by mistake (portal administrators)",
        responses={
            204: OpenApiResponse(description="Deleted."),
            403: ERRORS_403_ADMIN,
            404: ERRORS_404,
        },
    ),
)
@extend_schema(tags=["unit-successions"])
class UnitSuccessionViewSet(AdminKeptMixin, viewsets.ModelViewSet):
    serializer_class = UnitSuccessionSerializer
    write_serializer = UnitSuccessionWriteSerializer
    filterset_class = UnitSuccessionFilter
    queryset = UnitSuccession.objects.none()

    def get_queryset(self):
        # Both ends in scope, as on a unit's page: a link to a hidden unit would confirm it exists.
        visible = access.visible_units(self.request.user)
        return UnitSuccession.objects.filter(predecessor__in=visible, successor__in=visible).select_related(
            "predecessor", "successor"
        )

    def destroy(self, request, *args, **kwargs):
        succession = self.get_object()
        require_administrator(request.user, UnitSuccession, "delete")
        succession._history_user = request.user
        succession.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    list=extend_schema(summary="People of your units"),
    retrieve=extend_schema(
        summary="One person (404 outside your units)", responses={200: PersonSerializer, 404: ERRORS_404}
    ),
    create=extend_schema(
        **admin_schema("Add a person (portal administrators)", PersonWriteSerializer, PersonSerializer, created=True),
        description="The unit is looked up among your units (an id outside them is unknown, 400).",
    ),
    update=extend_schema(
        **admin_schema("Replace a person's fields (portal administrators)", PersonWriteSerializer, PersonSerializer)
    ),
    partial_update=extend_schema(
        **admin_schema(
            "Change some of a person's fields (portal administrators)", PersonWriteSerializer, PersonSerializer
        ),
        description="People are never deleted (documents and dialogues name them): set `is_active` to false.",
    ),
)
@extend_schema(tags=["people"])
class PersonViewSet(
    AdminKeptMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = PersonSerializer
    write_serializer = PersonWriteSerializer
    filterset_class = PersonFilter
    queryset = Person.objects.none()

    def get_queryset(self):
        return access.scope(Person.objects.all(), self.request.user)


@extend_schema_view(
    list=extend_schema(summary="Party terms of your units (document numbers restart each term)"),
    retrieve=extend_schema(
        summary="One term (404 outside your units)", responses={200: TermSerializer, 404: ERRORS_404}
    ),
    create=extend_schema(
        **admin_schema("Add a Party term (portal administrators)", TermWriteSerializer, TermSerializer, created=True),
        description="The term must lie within the committee's validity; its name is unique per committee.",
    ),
    update=extend_schema(
        **admin_schema("Replace a term's fields (portal administrators)", TermWriteSerializer, TermSerializer)
    ),
    partial_update=extend_schema(
        **admin_schema("Change some of a term's fields (portal administrators)", TermWriteSerializer, TermSerializer)
    ),
)
@extend_schema(tags=["terms"])
class TermViewSet(
    AdminKeptMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = TermSerializer
    write_serializer = TermWriteSerializer
    filterset_class = TermFilter
    queryset = Term.objects.none()

    def get_queryset(self):
        return access.scope(Term.objects.select_related("unit"), self.request.user)


def _drf_errors(exc: DjangoValidationError) -> dict | list:
    if hasattr(exc, "error_dict"):
        return {
            (api_settings.NON_FIELD_ERRORS_KEY if field == "__all__" else field): messages
            for field, messages in exc.message_dict.items()
        }
    return {api_settings.NON_FIELD_ERRORS_KEY: exc.messages}


@extend_schema_view(
    list=extend_schema(summary="Documents issued by your units"),
    retrieve=extend_schema(
        summary="One document (404 outside your units)", responses={200: DocumentSerializer, 404: ERRORS_404}
    ),
)
@extend_schema(tags=["documents"])
class DocumentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = DocumentSerializer
    filterset_class = DocumentFilter
    queryset = Document.objects.none()

    def get_queryset(self):
        documents = Document.objects.select_related("issuer")
        return access.scope(documents, self.request.user, unit_field="issuer")

    def get_serializer_class(self):
        return DocumentCreateSerializer if self.action == "create" else DocumentSerializer

    @extend_schema(
        summary="Register a document and give it the next number",
        description=(
            "The number is the next one of the issuer, kind and Party term covering the date. "
            "An issuer outside your units is answered as unknown (400); one you may only read, 403."
        ),
        request=DocumentCreateSerializer,
        responses={
            201: DocumentSerializer,
            400: OpenApiResponse(description="Invalid or unknown fields; messages per field."),
            403: OpenApiResponse(description="You may not issue documents for this unit."),
        },
    )
    def create(self, request, *args, **kwargs):
        incoming = self.get_serializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        issuer = data["issuer"]
        if not access.can_edit_unit(request.user, issuer):
            raise PermissionDenied(_("You may not issue documents for %(unit)s.") % {"unit": issuer.name})
        try:
            document = services.document_issue(
                issuer=issuer,
                kind=data["kind"],
                day=data["date"],
                subject=data["subject"],
                signer=data.get("signer"),
                created_by=request.user,
            )
        except DjangoValidationError as exc:
            raise serializers.ValidationError(_drf_errors(exc)) from exc
        body = DocumentSerializer(document, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_201_CREATED)


def register(router) -> None:
    router.register("units", UnitViewSet, basename="unit")
    router.register("unit-successions", UnitSuccessionViewSet, basename="unit-succession")
    router.register("people", PersonViewSet, basename="person")
    router.register("terms", TermViewSet, basename="term")
    router.register("documents", DocumentViewSet, basename="document")


urlpatterns = [
    path("auth/token/", TokenObtainView.as_view(), name="api-token"),
    path("me/", MeView.as_view(), name="api-me"),
]
