"""Shared pieces for every app's DRF API."""

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, PermissionDenied
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.settings import api_settings

from . import access
from .models import Unit
from .services import StaleVersion


class IdCursorPagination(CursorPagination):
    """Cursor pagination on the primary key: stable under inserts, no OFFSET or COUNT."""

    ordering = "-id"
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_paginated_response_schema(self, schema):
        described = super().get_paginated_response_schema(schema)
        properties = described["properties"]
        properties["next"]["description"] = _("Link to the next page; null on the last page. Follow it as it is.")
        properties["previous"]["description"] = _("Link to the previous page; null on the first page.")
        properties["results"]["description"] = _("The records of this page.")
        return described


class Conflict(APIException):
    """Someone saved the record after the client read it (optimistic version check)."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
    default_detail = gettext_lazy(
        "Someone else changed this record while you were editing it. Reload it and try again."
    )


#: Error answers for ``extend_schema``, in the same words everywhere (``api_schema.document_errors``
#: adds the body of each, and the generic ones an operation leaves out).
ERRORS_400 = OpenApiResponse(description="Invalid or unknown fields; messages per field.")
ERRORS_403 = OpenApiResponse(description="Your role does not allow this.")
ERRORS_404 = OpenApiResponse(description="No such record among those you may see.")
ERRORS_409 = OpenApiResponse(description="Stale version: someone saved the record since you read it.")


def drf_errors(exc: DjangoValidationError, nested_lists: Iterable[str] = ()) -> dict:
    """A service's ``ValidationError`` as a DRF error body.

    ``__all__`` becomes ``non_field_errors``; ``petitions-2`` (the services' key for the third
    item of a nested list named in ``nested_lists``) becomes ``{"petitions": {"2": [...]}}``, the
    shape DRF itself uses for errors of list items keyed by position.
    """
    if not hasattr(exc, "error_dict"):
        return {api_settings.NON_FIELD_ERRORS_KEY: exc.messages}
    nested = frozenset(nested_lists)
    body: dict = {}
    for key, messages in exc.message_dict.items():
        prefix, dash, index = key.rpartition("-")
        if dash and index.isdigit() and prefix in nested:
            body.setdefault(prefix, {})[index] = messages
        elif key == "__all__":
            body[api_settings.NON_FIELD_ERRORS_KEY] = messages
        else:
            body[key] = messages
    return body


@contextmanager
def service_errors(nested_lists: Iterable[str] = ()) -> Iterator[None]:
    """Turn what a service refuses into API answers: a stale version 409, a validation error 400
    with the body above (403 and 404 pass through to DRF)."""
    try:
        yield
    except StaleVersion as exc:
        raise Conflict(" ".join(exc.messages)) from exc
    except DjangoValidationError as exc:
        raise serializers.ValidationError(drf_errors(exc, nested_lists)) from exc


def require_role_somewhere(user, roles: frozenset[str], message: str) -> None:
    """403 for a user who holds none of ``roles`` anywhere: no body can make their request right."""
    if access.is_admin(user) or any(m.role in roles for m in access.memberships(user)):
        return
    raise PermissionDenied(message)


class ScopedPrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """An id looked up only among the objects the requesting user may see: an id outside the
    scope gets the same "unknown" answer as a missing one, so nothing leaks.

    ``get_queryset`` is evaluated per request from the serializer's context, so the field also
    works inside nested and ``many=True`` serializers, whose ``__init__`` never sees the request.
    The class-level empty queryset only tells the schema which model the id belongs to.
    """

    def __init__(self, *, model: type[Model], scope: Callable[[object], QuerySet], unknown, **kwargs) -> None:
        self.scope = scope
        kwargs.setdefault("error_messages", {"does_not_exist": unknown, "incorrect_type": unknown})
        kwargs.setdefault("queryset", model._default_manager.none())
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        return self.scope(getattr(request, "user", None))


def unit_field(unknown, **kwargs) -> ScopedPrimaryKeyField:
    """A unit id among the units the requesting user may see."""
    return ScopedPrimaryKeyField(model=Unit, scope=access.visible_units, unknown=unknown, **kwargs)


# --- Records kept by portal administrators ------------------------------------------------------


def may_administer(user, model: type[Model], action: str) -> bool:
    """The Django admin's own rule for ``action`` (``add``, ``change``, ``delete``) on ``model``:
    an active staff account holding that model permission (a superuser holds them all)."""
    opts = model._meta
    return bool(
        getattr(user, "is_active", False)
        and getattr(user, "is_staff", False)
        and user.has_perm(f"{opts.app_label}.{action}_{opts.model_name}")
    )


def require_administrator(user, model: type[Model], action: str) -> None:
    """403 for anyone the admin would refuse: the unit tree, people, Party terms, report schedules
    and commitment items are kept by portal administrators only, through the API as in the admin."""
    if not may_administer(user, model, action):
        raise PermissionDenied(
            _("Only portal administrators change %(records)s.") % {"records": model._meta.verbose_name_plural}
        )


@transaction.atomic
def save_as_admin(obj: Model, user) -> Model:
    """Save a record that has no service of its own exactly as the admin does: the model's full
    validation (fields, ``clean``, unique constraints), then ``save`` with the acting user in its
    history. The period-lock guards attached to ``save`` run as for any other write."""
    obj.full_clean()
    obj._history_user = user
    obj.save()
    return obj


ERRORS_403_ADMIN = OpenApiResponse(description="Only portal administrators (staff with the model permission).")


def admin_schema(summary: str, request, response, *, created: bool = False) -> dict:
    """``extend_schema`` arguments of an administrator's create (201) or change (200; 404 outside
    the scope)."""
    responses = {201: response} if created else {200: response, 404: ERRORS_404}
    return {
        "summary": summary,
        "request": request,
        "responses": {**responses, 400: ERRORS_400, 403: ERRORS_403_ADMIN},
    }


class AdminKeptMixin:
    """``create``, ``update`` and ``partial_update`` of a record portal administrators keep.

    ``write_serializer`` reads the body (``change_serializer``, if set, that of a change);
    ``write`` saves (by default the model's validation and ``save``, as the admin; override it to
    call a service or the admin's own form). A create is refused (403) before its body is read; a
    change finds the record in the user's scope first (404), then asks for the permission (403).
    """

    write_serializer: type[serializers.Serializer]
    change_serializer: type[serializers.Serializer] | None = None

    def write(self, obj: Model, values: dict) -> Model:
        for name, value in values.items():
            setattr(obj, name, value)
        return save_as_admin(obj, self.request.user)

    def answer(self, obj: Model, *, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=obj.pk)
        return Response(self.get_serializer(fresh).data, status=code)

    def create(self, request, *args, **kwargs):
        model = self.queryset.model  # the class-level ``Model.objects.none()``
        require_administrator(request.user, model, "add")
        incoming = self.write_serializer(data=request.data, context=self.get_serializer_context())
        incoming.is_valid(raise_exception=True)
        with service_errors():
            obj = self.write(model(), dict(incoming.validated_data))
        return self.answer(obj, code=status.HTTP_201_CREATED)

    def _change(self, request, *, partial: bool) -> Response:
        obj = self.get_object()
        require_administrator(request.user, type(obj), "change")
        reader = self.change_serializer or self.write_serializer
        incoming = reader(data=request.data, partial=partial, context=self.get_serializer_context())
        incoming.is_valid(raise_exception=True)
        with service_errors():
            obj = self.write(obj, dict(incoming.validated_data))
        return self.answer(obj)

    def update(self, request, *args, **kwargs):
        return self._change(request, partial=False)

    def partial_update(self, request, *args, **kwargs):
        return self._change(request, partial=True)
