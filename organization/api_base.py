"""Shared pieces for every app's DRF API."""

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model, QuerySet
from django.utils.translation import gettext_lazy
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, PermissionDenied
from rest_framework.pagination import CursorPagination
from rest_framework.settings import api_settings

from . import access
from .models import Unit
from .services import StaleVersion


class IdCursorPagination(CursorPagination):
    """Cursor pagination on the primary key: stable under inserts, no OFFSET or COUNT."""

    ordering = "-id"
    page_size_query_param = "page_size"
    max_page_size = 200


class Conflict(APIException):
    """Someone saved the record after the client read it (optimistic version check)."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
    default_detail = gettext_lazy(
        "Someone else changed this record while you were editing it. Reload it and try again."
    )


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
