"""The OpenAPI schema is a complete contract: generated without a warning, every property and enum
described, every operation's errors documented with their body, and its documentation page
usable without the internet."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

from organization.models import Person

HTTP_METHODS = ("get", "post", "put", "patch", "delete")
WRITES = ("post", "put", "patch", "delete")

#: Writes no role can be refused, so a 403 would be a lie: signing in, and marking one's own
#: notifications read (another user's is a 404).
NO_ROLE_CHECK = {
    ("post", "/api/v1/auth/token/"),
    ("post", "/api/v1/notifications/{id}/read/"),
    ("post", "/api/v1/notifications/read-all/"),
}


@pytest.fixture(scope="module")
def generated():
    """The schema as the API serves it, and what drf-spectacular complained about meanwhile."""
    GENERATOR_STATS.reset()
    GENERATOR_STATS.silent = True
    try:
        schema = SchemaGenerator().get_schema(request=None, public=True)
        complaints = {"warnings": dict(GENERATOR_STATS._warn_cache), "errors": dict(GENERATOR_STATS._error_cache)}
    finally:
        GENERATOR_STATS.silent = False
        GENERATOR_STATS.reset()
    return schema, complaints


@pytest.fixture(scope="module")
def schema(generated):
    return generated[0]


def operations(schema):
    for path, item in schema["paths"].items():
        for method in HTTP_METHODS:
            if method in item:
                yield path, method, item[method]


def test_the_schema_generates_without_warnings_or_errors_and_is_valid_openapi(generated):
    schema, complaints = generated

    assert complaints == {"warnings": {}, "errors": {}}
    validate_schema(schema)  # raises on anything OpenAPI 3 does not allow


def test_every_property_of_every_component_is_described(schema):
    undescribed = [
        f"{name}.{prop}"
        for name, component in schema["components"]["schemas"].items()
        for prop, definition in (component.get("properties") or {}).items()
        if not str(definition.get("description", "")).strip()
    ]

    assert undescribed == []


def test_a_reference_with_a_description_is_wrapped_as_openapi_3_requires(schema):
    # OpenAPI 3.0 ignores every sibling of "$ref"; a described reference must be an allOf.
    bare = [
        f"{name}.{prop}"
        for name, component in schema["components"]["schemas"].items()
        for prop, definition in (component.get("properties") or {}).items()
        if "$ref" in definition and "description" in definition
    ]

    assert bare == []


def test_every_enum_lists_the_meaning_of_each_of_its_values(schema):
    enums = {name: c for name, c in schema["components"]["schemas"].items() if "enum" in c}
    missing = {
        name: [
            value
            for value in enum["enum"]
            if value not in ("", None) and f"`{value}`" not in enum.get("description", "")
        ]
        for name, enum in enums.items()
    }

    assert "PetitionStatusEnum" in enums and "ReportedMetricEnum" in enums
    assert {name: values for name, values in missing.items() if values} == {}


def test_every_operation_documents_its_errors_with_their_body(schema):
    problems = []
    for path, method, operation in operations(schema):
        codes = set(operation["responses"])
        if method in ("post", "put", "patch") and "requestBody" in operation and "400" not in codes:
            problems.append(f"{method} {path}: no 400")
        if "{" in path and "404" not in codes:
            problems.append(f"{method} {path}: no 404")
        if method in WRITES and (method, path) not in NO_ROLE_CHECK and "403" not in codes:
            problems.append(f"{method} {path}: no 403")
        if operation.get("security") and "401" not in codes:
            problems.append(f"{method} {path}: no 401")
        for code, response in operation["responses"].items():
            if code.startswith("4") and (not response.get("description") or "content" not in response):
                problems.append(f"{method} {path}: {code} without a description or a body")
        if not operation.get("summary"):
            problems.append(f"{method} {path}: no summary")

    assert problems == []


def test_error_bodies_are_components_with_descriptions(schema):
    components = schema["components"]["schemas"]
    units = schema["paths"]["/api/v1/units/"]["post"]["responses"]

    assert units["400"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/FieldErrors"}
    assert units["403"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorDetail"}
    assert components["ErrorDetail"]["required"] == ["detail"]
    assert components["FieldErrors"]["description"]


def test_a_model_field_without_help_text_is_described_from_the_model(schema):
    person = schema["components"]["schemas"]["Person"]["properties"]
    kind = capfirst(Person._meta.get_field("kind").verbose_name)

    # In the language the schema was generated in (the portal's default): the model's own words.
    assert person["full_name"]["description"] == f"{capfirst(Person._meta.get_field('full_name').verbose_name)}."
    assert person["id"]["description"] == _("Id of the %(model)s.") % {"model": Person._meta.verbose_name}
    assert person["kind_display"]["description"] == _("%(field)s, in words.") % {"field": kind}


def test_every_new_endpoint_of_the_audit_is_in_the_schema(schema):
    for path in (
        "/api/v1/units/",
        "/api/v1/unit-successions/{id}/",
        "/api/v1/people/{id}/",
        "/api/v1/terms/",
        "/api/v1/reported-aggregates/",
        "/api/v1/report-schedules/{id}/",
        "/api/v1/commitment-items/{id}/",
        "/api/v1/scorecards/{id}/photo/",
    ):
        assert path in schema["paths"], path
    assert "post" in schema["paths"]["/api/v1/units/"]
    assert "patch" in schema["paths"]["/api/v1/people/{id}/"]


# --- Serving the schema and its documentation ---------------------------------------------------


@pytest.mark.parametrize("signed_in", [False, True])
def test_the_schema_is_served_to_anonymous_and_signed_in_users_alike(client, tree, district_staff, signed_in):
    # As configured (drf-spectacular's SERVE_PERMISSIONS: AllowAny): the contract is public, the data is not.
    if signed_in:
        client.force_login(district_staff)

    response = client.get(reverse("api-schema"), {"format": "json"})

    assert response.status_code == 200
    body = response.json()
    assert body["openapi"].startswith("3.")
    assert "/api/v1/reported-aggregates/" in body["paths"]


def test_the_documentation_page_works_offline(client, db):
    response = client.get(reverse("api-docs"))

    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)
    assert any("swagger-ui" in url for url in assets)
    assert [url for url in assets if re.match(r"^(?:https?:)?//", url)] == []
    assert "cdn" not in html.lower()
    prefix = settings.STATIC_URL
    static = [url.split("?")[0].removeprefix(prefix) for url in assets if url.startswith(prefix)]
    # Each asset is one of the portal's own static files (drf-spectacular-sidecar), served without a network.
    assert static and all(finders.find(path) for path in static), static
