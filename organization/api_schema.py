"""Post-processing of the OpenAPI schema (``SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]``).

The schema is the contract other systems (a provincial portal, the national petition system)
build clients from, so it must say what every field means and every error an operation can
give. Writing a ``help_text`` for each of the hundreds of read-only model fields would only
repeat the models, so these hooks fill what the serializers leave out from the same source the
admin and the pages use, and leave alone everything a serializer or ``extend_schema`` states:

- ``describe_fields``: a property without a description takes its model field's ``help_text``
  or ``verbose_name`` ("Id of the unit." for ``id``; "Kind, in words." for ``kind_display``);
  an enum without a description lists its choices from ``ENUM_NAME_OVERRIDES``;
- ``document_errors``: every operation that needs a sign-in documents 401, every detail route
  404, every write with a body and every filtered list 400, each with the body the API sends
  (``ErrorDetail`` or ``FieldErrors``).

``organization/tests/test_api_schema.py`` asserts the result: no property, enum or error left
undescribed.
"""

from __future__ import annotations

import inspect
import re

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model
from django.utils.module_loading import import_string
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from drf_spectacular.plumbing import ResolvedComponent, build_choice_description_list
from drf_spectacular.settings import spectacular_settings
from rest_framework import serializers

WRITE_METHODS = ("post", "put", "patch")
#: Query parameters of the cursor pagination: a bad cursor is a 404, a bad page size is ignored.
PAGINATION = frozenset({"cursor", "page_size"})
ERROR_DETAIL = "ErrorDetail"
FIELD_ERRORS = "FieldErrors"


# --- Field descriptions -------------------------------------------------------------------------


def _model_field(model: type[Model] | None, source: str):
    """The model field behind a dotted ``source`` (``document.issuer``), or ``None``."""
    field = None
    for part in source.split("."):
        if model is None:
            return None
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return None
        model = field.related_model
    return field


def _serializer_of(component: ResolvedComponent) -> serializers.Serializer | None:
    obj = component.object
    if inspect.isclass(obj) and issubclass(obj, serializers.BaseSerializer):
        obj = obj()
    if isinstance(obj, serializers.ListSerializer):
        obj = obj.child
    return obj if isinstance(obj, serializers.Serializer) else None


def _field_description(serializer: serializers.Serializer, name: str) -> str:
    field = serializer.fields.get(name)
    if field is None or field.source == "*":
        return ""
    model = getattr(getattr(serializer, "Meta", None), "model", None)
    source = field.source
    display = re.fullmatch(r"get_(\w+)_display", source)
    if display:
        shown = _model_field(model, display.group(1))
        label = capfirst(shown.verbose_name) if shown is not None else capfirst(display.group(1).replace("_", " "))
        return _("%(field)s, in words.") % {"field": label}
    model_field = _model_field(model, source)
    if model_field is None:
        return ""
    if getattr(model_field, "primary_key", False) and model is not None:
        return _("Id of the %(model)s.") % {"model": model._meta.verbose_name}
    if not model_field.concrete and model_field.auto_created:  # a reverse relation: its rows
        return f"{capfirst(model_field.related_model._meta.verbose_name_plural)}."
    if model_field.help_text:
        return str(model_field.help_text)
    label = capfirst(model_field.verbose_name)
    if model_field.is_relation and isinstance(field, serializers.RelatedField):
        return _("%(field)s (id).") % {"field": label}
    return f"{label}."


def _describe(schema: dict, text: str) -> None:
    """Give ``schema`` a description; a bare ``$ref`` is wrapped, since OpenAPI 3.0 ignores the
    siblings of ``$ref``."""
    if "$ref" in schema:
        schema["allOf"] = [{"$ref": schema.pop("$ref")}]
    schema["description"] = text


def _enum_descriptions(schemas: dict) -> None:
    """An enum drf-spectacular left without the list of its choices (one declared through
    ``extend_schema_field``) gets it from the choices ``ENUM_NAME_OVERRIDES`` names."""
    choices_by_name = {}
    for name, choices in spectacular_settings.ENUM_NAME_OVERRIDES.items():
        if isinstance(choices, str):
            choices = import_string(choices)
        if inspect.isclass(choices) and hasattr(choices, "choices"):
            choices = choices.choices
        choices_by_name[name] = list(choices)
    for name, schema in schemas.items():
        if "enum" in schema and not schema.get("description") and name in choices_by_name:
            schema["description"] = build_choice_description_list(
                [(value, label) for value, label in choices_by_name[name] if value in schema["enum"]]
            )


def describe_fields(result, generator, request, public):
    """Fill the descriptions the serializers leave out (see the module docstring)."""
    schemas = result.get("components", {}).get("schemas", {})
    # The registry keeps which serializer each component came from; drf-spectacular has no public
    # accessor for it (0.30), so a change there fails organization/tests/test_api_schema.py loudly.
    for component in generator.registry._components.values():
        if component.type != ResolvedComponent.SCHEMA or component.name not in schemas:
            continue
        serializer = _serializer_of(component)
        if serializer is None:
            continue
        for name, schema in (schemas[component.name].get("properties") or {}).items():
            if schema.get("description"):
                continue
            text = _field_description(serializer, name)
            if text:
                _describe(schema, text)
    _enum_descriptions(schemas)
    return result


# --- Error responses ----------------------------------------------------------------------------


def _error_components() -> dict:
    return {
        ERROR_DETAIL: {
            "type": "object",
            "description": _("The body of 401, 403, 404, 405, 409 and 429 answers."),
            "properties": {"detail": {"type": "string", "description": _("What went wrong, in the user's language.")}},
            "required": ["detail"],
        },
        FIELD_ERRORS: {
            "type": "object",
            "description": _(
                'The body of a 400 answer: messages per field, {"field": ["message"]}; "non_field_errors" for '
                'the request as a whole; rows of a list keyed by their position, {"petitions": {"2": '
                '{"village": ["message"]}}}.'
            ),
            "properties": {
                "non_field_errors": {
                    "type": "array",
                    "items": {"type": "string"},
                    "description": _("Messages about the request as a whole."),
                }
            },
            "additionalProperties": {
                "description": _("Messages of the field named by the key, or of the rows of a list by position.")
            },
        },
    }


def _needs_sign_in(operation: dict) -> bool:
    security = operation.get("security")
    return bool(security) and {} not in security


def _body(name: str) -> dict:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}


def document_errors(result, generator, request, public):
    """Document the answers every operation can give (see the module docstring); a description an
    ``extend_schema`` already gives is kept, and given the body the API sends."""
    result.setdefault("components", {}).setdefault("schemas", {}).update(_error_components())
    generic = {
        "400-write": _("Invalid or unknown fields; messages per field."),
        "400-filter": _("A filter value is invalid; the message names the filter."),
        "401": _("Not signed in: no session and no token, or an unknown token (WWW-Authenticate: Token)."),
        "404": _("No such record among those you may see."),
    }
    for path, item in result.get("paths", {}).items():
        detail_route = "{" in path
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            wanted = {}
            if method in WRITE_METHODS and "requestBody" in operation:
                wanted["400"] = generic["400-write"]
            elif method == "get" and any(
                p.get("in") == "query" and p.get("name") not in PAGINATION for p in operation.get("parameters", [])
            ):
                wanted["400"] = generic["400-filter"]
            if detail_route:
                wanted["404"] = generic["404"]
            if _needs_sign_in(operation):
                wanted["401"] = generic["401"]
            for code, text in wanted.items():
                responses.setdefault(code, {"description": text})
            for code, response in responses.items():
                if code.startswith(("4",)) and "content" not in response:
                    response["content"] = _body(FIELD_ERRORS if code == "400" else ERROR_DETAIL)
    return result
