"""API representations of programs, road projects, land donations and site clearance projects.

Read serializers never query on their own: the viewsets select, prefetch and annotate what they
read (the totals are SQL sums computed with the page), so a page costs the same number of queries
whatever its length. Write serializers validate and normalize only; the viewsets hand the result
to ``programs.services``, the functions the pages call.

Numbers come in as offices write them: money as a JSON integer or a Vietnamese string
("1.234.567"), decimals as a JSON number or "283,75" (``organization.numbers``). They go out as
JSON numbers.

Every id a client sends (unit, village, organizer, document, program, road) is looked up among
the objects the requesting user may see: an id outside that scope gets exactly the same "unknown"
answer as one that does not exist.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.db.models import Model, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.settings import api_settings

from organization import access
from organization.api_base import ScopedPrimaryKeyField, unit_field
from organization.models import Document
from organization.numbers import parse_decimal, parse_integer
from organization.serializers import UnitBriefSerializer
from organization.uploads import SCAN_TYPES, validate_upload

from .models import (
    ClearanceStatus,
    Contribution,
    ContributionKind,
    ContributorType,
    Disbursement,
    DonationPurpose,
    LandDonation,
    OrganizerLevel,
    ParticipantCategory,
    Participation,
    Program,
    ProgramField,
    ProgramStatus,
    Qualifier,
    RoadProject,
    SiteClearanceProject,
    Surface,
    WorkCategory,
    WorkItem,
)

#: The largest whole number a ``BigIntegerField`` holds.
MAX_BIGINT = 2**63 - 1

# --- Vietnamese numbers -------------------------------------------------------------------------


@extend_schema_field(
    {
        "oneOf": [
            {"type": "integer", "format": "int64"},
            {"type": "string", "pattern": r"^\s*(\d{1,3}(\.\d{3})+|\d+)\s*$", "example": "1.234.567"},
        ],
        "description": "A whole number: a JSON integer, or a string with dots between thousands.",
    }
)
class VietnameseIntegerField(serializers.Field):
    """Whole đồng and counts: ``1234567``, ``"1234567"`` and ``"1.234.567"`` are the same number.

    ``true`` and ``1.5`` are refused (a bool is an int in Python; a fraction is no amount of đồng).
    """

    default_error_messages = {
        "invalid": _("Enter a whole number, e.g. 1.234.567 or 1234567."),
        "min_value": _("The value cannot be below %(min)s."),
        "max_value": _("The value is too large."),
    }

    def __init__(self, *, min_value: int | None = 0, max_value: int = MAX_BIGINT, **kwargs) -> None:
        self.min_value, self.max_value = min_value, max_value
        super().__init__(**kwargs)

    def to_internal_value(self, data) -> int:
        if isinstance(data, bool) or not isinstance(data, int | float | str):
            self.fail("invalid")
        if isinstance(data, float):
            if not (math.isfinite(data) and data.is_integer()):
                self.fail("invalid")
            data = int(data)
        try:
            number = parse_integer(data)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages, code="invalid") from exc
        if self.min_value is not None and number < self.min_value:
            raise serializers.ValidationError(self.error_messages["min_value"] % {"min": self.min_value})
        if number > self.max_value:
            self.fail("max_value")
        return number

    def to_representation(self, value) -> int:
        return int(value)


@extend_schema_field(
    {
        "oneOf": [
            {"type": "number"},
            {"type": "string", "pattern": r"^\s*(\d{1,3}(\.\d{3})+|\d+)(,\d+)?\s*$", "example": "283,75"},
        ],
        "description": "A JSON number, or a string with a comma for decimals and dots between thousands.",
    }
)
class VietnameseDecimalField(serializers.Field):
    """Areas, lengths and quantities: ``283.75`` (a JSON number) or ``"283,75"``.

    A string is read the Vietnamese way only, so ``"1.234"`` is one thousand two hundred
    thirty-four and ``"1.5"`` is refused as ambiguous rather than guessed.
    """

    default_error_messages = {
        "invalid": _("Enter a number, e.g. 283,75 or 1.234,5."),
        "min_value": _("The value cannot be below %(min)s."),
        "max_places": _("Use at most %(places)s decimal places."),
        "max_digits": _("The value is too large."),
    }

    def __init__(
        self, *, max_digits: int, decimal_places: int, min_value: Decimal | None = Decimal(0), **kwargs
    ) -> None:
        self.max_digits, self.decimal_places, self.min_value = max_digits, decimal_places, min_value
        super().__init__(**kwargs)

    def to_internal_value(self, data) -> Decimal:
        if isinstance(data, bool) or not isinstance(data, int | float | str):
            self.fail("invalid")
        if isinstance(data, float) and not math.isfinite(data):
            self.fail("invalid")
        try:
            number = parse_decimal(data)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages, code="invalid") from exc
        if not number.is_finite():
            self.fail("invalid")
        if self.min_value is not None and number < self.min_value:
            raise serializers.ValidationError(self.error_messages["min_value"] % {"min": self.min_value})
        exponent = number.normalize().as_tuple().exponent
        if isinstance(exponent, int) and -exponent > self.decimal_places:
            raise serializers.ValidationError(self.error_messages["max_places"] % {"places": self.decimal_places})
        if abs(number) >= Decimal(10) ** (self.max_digits - self.decimal_places):
            self.fail("max_digits")
        return number

    def to_representation(self, value) -> float:
        return float(value)


def money(help_text, **kwargs) -> VietnameseIntegerField:
    kwargs.setdefault("required", False)
    kwargs.setdefault("default", 0)
    return VietnameseIntegerField(help_text=help_text, **kwargs)


def number_out(max_digits: int, decimal_places: int, help_text, **kwargs) -> serializers.DecimalField:
    """A decimal as a JSON number (not DRF's default string), so clients can send it back as is."""
    return serializers.DecimalField(
        max_digits=max_digits,
        decimal_places=decimal_places,
        coerce_to_string=False,
        read_only=True,
        help_text=help_text,
        **kwargs,
    )


def percent_of(part: int, whole: int) -> Decimal | None:
    """``part`` as a percentage of ``whole``, one decimal half up as ``programs.metrics`` gives it;
    none of a zero budget."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


# --- Scoped ids ---------------------------------------------------------------------------------


def _visible_documents(user) -> QuerySet:
    return access.scope(Document.objects.all(), user, unit_field="issuer")


def _visible_programs(user) -> QuerySet:
    return Program.objects.visible_to(user)


def _visible_roads(user) -> QuerySet:
    return RoadProject.objects.visible_to(user)


def optional(kwargs: dict) -> dict:
    return {"required": False, "allow_null": True, "default": None, **kwargs}


def text(max_length: int | None, help_text, **kwargs) -> serializers.CharField:
    kwargs.setdefault("required", False)
    kwargs.setdefault("allow_blank", True)
    kwargs.setdefault("default", "")
    return serializers.CharField(max_length=max_length, help_text=help_text, **kwargs)


def model_errors(exc: DjangoValidationError) -> dict | list:
    """A model's ``full_clean`` errors as a DRF error body (``__all__`` → ``non_field_errors``)."""
    if not hasattr(exc, "error_dict"):
        return {api_settings.NON_FIELD_ERRORS_KEY: exc.messages}
    return {
        (api_settings.NON_FIELD_ERRORS_KEY if name == "__all__" else name): messages
        for name, messages in exc.message_dict.items()
    }


def _display(source: str, help_text) -> serializers.CharField:
    return serializers.CharField(source=source, read_only=True, help_text=help_text)


# --- Small pieces named inside other objects ---------------------------------------------------


class BasisDocumentSerializer(serializers.ModelSerializer):
    symbol = serializers.CharField(read_only=True, help_text=_("Number as written on paper, e.g. 3-ĐA/HU."))

    class Meta:
        model = Document
        fields = ["id", "symbol", "date", "subject"]
        read_only_fields = fields


class ProgramBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Program
        fields = ["id", "title", "date"]
        read_only_fields = fields


class RoadBriefSerializer(serializers.ModelSerializer):
    length_m = number_out(10, 2, _("Length in metres."))

    class Meta:
        model = RoadProject
        fields = ["id", "name", "year", "length_m"]
        read_only_fields = fields


class DonationTotalsSerializer(serializers.Serializer):
    """Land donations summed in SQL; each donation counted once however it is reached."""

    count = serializers.IntegerField(source="donation_count", read_only=True, help_text=_("Donor households."))
    area_m2 = number_out(16, 2, _("Land donated (m²)."), source="donation_area_m2")
    value_vnd = serializers.IntegerField(
        source="donation_value_vnd", read_only=True, help_text=_("Total value donated (đồng).")
    )


# --- Programs (read) ----------------------------------------------------------------------------


class WorkItemSerializer(serializers.ModelSerializer):
    category_display = _display("get_category_display", _("The category, in words."))
    quantity = number_out(14, 2, _("How much was done, in unit_of_measure."))

    class Meta:
        model = WorkItem
        fields = [
            "id",
            "category",
            "category_display",
            "description",
            "quantity",
            "unit_of_measure",
            "location",
            "done",
        ]
        read_only_fields = fields


class ContributionSerializer(serializers.ModelSerializer):
    contributor_type_display = _display("get_contributor_type_display", _("Who contributed, in words."))
    kind_display = _display("get_kind_display", _("The kind, in words."))
    qualifier_display = _display("get_qualifier_display", _("The qualifier, in words."))
    quantity = number_out(16, 2, _("Quantity, in unit_of_measure."))

    class Meta:
        model = Contribution
        fields = [
            "id",
            "contributor_type",
            "contributor_type_display",
            "kind",
            "kind_display",
            "quantity",
            "unit_of_measure",
            "value_vnd",
            "qualifier",
            "qualifier_display",
            "note",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "value_vnd": {"help_text": _("Money equivalent in đồng.")},
            "qualifier": {"help_text": _("exact, over (trên) or almost (gần): the hedge word of the report.")},
        }


class ParticipationSerializer(serializers.ModelSerializer):
    category_display = _display("get_category_display", _("The category, in words."))
    qualifier_display = _display("get_qualifier_display", _("The qualifier, in words."))

    class Meta:
        model = Participation
        fields = ["id", "category", "category_display", "person_times", "qualifier", "qualifier_display"]
        read_only_fields = fields
        extra_kwargs = {"person_times": {"help_text": _("One person taking part twice counts twice.")}}


class SumQualifier(models.TextChoices):
    """The hedge of a sum, from the hedges of its non-zero rows (as in ``programs.metrics``)."""

    EXACT = "exact", _("exactly")
    OVER = "over", _("over (trên)")
    ALMOST = "almost", _("almost (gần)")
    MIXED = "mixed", _("approximately (some rows over, some almost)")


def sum_qualifier(over: int, almost: int) -> str:
    """Only "over" rows: the total is over; only "almost": almost; both: only approximate."""
    if over and almost:
        return SumQualifier.MIXED.value
    if over:
        return SumQualifier.OVER.value
    if almost:
        return SumQualifier.ALMOST.value
    return SumQualifier.EXACT.value


def _hedge_field() -> serializers.SerializerMethodField:
    return serializers.SerializerMethodField(
        help_text=_("exact, or over / almost when rows of the sum were typed so (“trên”, “gần”); mixed when both.")
    )


class ProgramTotalsSerializer(serializers.Serializer):
    """Derived from the program's own rows (whatever its status), never typed."""

    value_vnd = serializers.IntegerField(
        source="total_value_vnd", read_only=True, help_text=_("Sum of the contributions' money equivalents (đồng).")
    )
    value_vnd_qualifier = _hedge_field()
    labour_days = number_out(18, 2, _("Sum of the quantities of labour-day contributions."), source="total_labour_days")
    labour_days_qualifier = _hedge_field()
    person_times = serializers.IntegerField(
        source="total_person_times", read_only=True, help_text=_("Sum of the participation rows.")
    )
    person_times_qualifier = _hedge_field()
    work_items = serializers.IntegerField(source="work_item_count", read_only=True, help_text=_("Work items."))
    work_items_done = serializers.IntegerField(
        source="work_item_done_count", read_only=True, help_text=_("Work items marked done.")
    )

    @staticmethod
    def _qualifier(program: Program, name: str) -> str:
        return sum_qualifier(getattr(program, f"hedge_{name}_over"), getattr(program, f"hedge_{name}_almost"))

    @extend_schema_field(serializers.ChoiceField(choices=SumQualifier.choices))
    def get_value_vnd_qualifier(self, program: Program) -> str:
        return self._qualifier(program, "value_vnd")

    @extend_schema_field(serializers.ChoiceField(choices=SumQualifier.choices))
    def get_labour_days_qualifier(self, program: Program) -> str:
        return self._qualifier(program, "labour_days")

    @extend_schema_field(serializers.ChoiceField(choices=SumQualifier.choices))
    def get_person_times_qualifier(self, program: Program) -> str:
        return self._qualifier(program, "person_times")


_PROGRAM_HELP = {
    "organizer_level": _("District or commune: who organized it."),
    "title": _("What the program was."),
    "date": _("Date (YYYY-MM-DD); within the host commune's existence, not in the future once held."),
    "fields": _("Fields of work (environment, infrastructure, …)."),
    "survey_notes": _("Notes of the survey before the program."),
    "status": _("planned → surveyed → held → reviewed (a survey may be skipped)."),
    "summary": _("Results."),
}


class ProgramSerializer(serializers.ModelSerializer):
    unit = UnitBriefSerializer(read_only=True, help_text=_("Host commune (or township)."))
    village = UnitBriefSerializer(read_only=True, allow_null=True, help_text=_("Host village, if any."))
    organizer = UnitBriefSerializer(read_only=True, help_text=_("Organizing unit."))
    basis_document = BasisDocumentSerializer(
        read_only=True, allow_null=True, help_text=_("Scheme, resolution or plan it carries out.")
    )
    organizer_level_display = _display("get_organizer_level_display", _("The level, in words."))
    status_display = _display("get_status_display", _("The status, in words."))
    fields = serializers.ListField(
        child=serializers.ChoiceField(choices=ProgramField.choices), read_only=True, help_text=_PROGRAM_HELP["fields"]
    )
    totals = ProgramTotalsSerializer(source="*", read_only=True, help_text=_("Computed from the program's rows."))
    donations = DonationTotalsSerializer(
        source="*",
        read_only=True,
        help_text=_("Land donations tied to the program directly or through one of its roads, each counted once."),
    )

    class Meta:
        model = Program
        fields = [
            "id",
            "unit",
            "village",
            "organizer_level",
            "organizer_level_display",
            "organizer",
            "title",
            "date",
            "fields",
            "basis_document",
            "status",
            "status_display",
            "totals",
            "donations",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            **{name: {"help_text": help_text} for name, help_text in _PROGRAM_HELP.items() if name != "fields"},
            "version": {"help_text": _("Send it back with a change; a stale one answers 409.")},
            "created_at": {"help_text": _("When it was recorded.")},
            "updated_at": {"help_text": _("When it last changed.")},
        }


class ProgramDetailSerializer(ProgramSerializer):
    work_items = WorkItemSerializer(many=True, read_only=True, help_text=_("Works built and tasks done."))
    contributions = ContributionSerializer(many=True, read_only=True, help_text=_("Cash, in kind, labour, land, …"))
    participation = ParticipationSerializer(many=True, read_only=True, help_text=_("Person-times by category."))
    roads = RoadBriefSerializer(many=True, read_only=True, help_text=_("Road projects tied to the program."))

    class Meta(ProgramSerializer.Meta):
        fields = [
            *ProgramSerializer.Meta.fields,
            "survey_notes",
            "summary",
            "work_items",
            "contributions",
            "participation",
            "roads",
        ]
        read_only_fields = fields


# --- Programs (write) ---------------------------------------------------------------------------


class _RowSerializer(serializers.Serializer):
    """One inline row, checked by its own model's ``full_clean`` so that a bad row is answered per
    field (``{"contributions": {"1": {"qualifier": [...]}}}``); the service checks it again."""

    model: type[Model]

    def validate(self, attrs):
        try:
            self.model(**attrs).full_clean(exclude=["program"], validate_unique=False, validate_constraints=False)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(model_errors(exc)) from exc
        return attrs


class WorkItemInputSerializer(_RowSerializer):
    """A work item: a work built or a task done during the program."""

    model = WorkItem

    category = serializers.ChoiceField(choices=WorkCategory.choices, help_text=_("What kind of work."))
    description = serializers.CharField(max_length=300, help_text=_("What was done."))
    quantity = VietnameseDecimalField(
        max_digits=14, decimal_places=2, required=False, default=Decimal(0), help_text=_("How much (≥ 0).")
    )
    unit_of_measure = text(30, _("m, m², houses, …"))
    location = text(200, _("Where."))
    done = serializers.BooleanField(required=False, default=False, help_text=_("Finished."))


class ContributionInputSerializer(_RowSerializer):
    """A contribution with its money equivalent; the qualifier keeps the report's hedge word."""

    model = Contribution

    contributor_type = serializers.ChoiceField(choices=ContributorType.choices, help_text=_("Who contributed."))
    kind = serializers.ChoiceField(choices=ContributionKind.choices, help_text=_("Cash, in kind, labour-days, …"))
    quantity = VietnameseDecimalField(
        max_digits=16,
        decimal_places=2,
        required=False,
        default=Decimal(0),
        help_text=_("Quantity in unit_of_measure (labour-days for labour, m² for land, trees, …)."),
    )
    unit_of_measure = text(30, _("Unit of the quantity."))
    value_vnd = money(_('Money equivalent in đồng: 1234567 or "1.234.567".'))
    qualifier = serializers.ChoiceField(
        choices=Qualifier.choices,
        required=False,
        default=Qualifier.EXACT,
        help_text=_("over (trên) or almost (gần) only for a round, positive figure."),
    )
    note = text(300, _("Note."))


class ParticipationInputSerializer(_RowSerializer):
    """Person-times of one category of participants (one row per category)."""

    model = Participation

    category = serializers.ChoiceField(choices=ParticipantCategory.choices, help_text=_("Who took part."))
    person_times = VietnameseIntegerField(max_value=2_147_483_647, help_text=_('Person-times: 1200 or "1.200".'))
    qualifier = serializers.ChoiceField(
        choices=Qualifier.choices,
        required=False,
        default=Qualifier.EXACT,
        help_text=_("over (trên) or almost (gần) only for a round, positive figure."),
    )


_NESTED_HELP = {
    "work_items": _("Work items; errors are keyed by position."),
    "contributions": _("Contributions; errors are keyed by position."),
    "participation": _("Person-times by category, one row per category; errors are keyed by position."),
}


class ProgramWriteSerializer(serializers.Serializer):
    """A program and its rows, saved together or not at all."""

    unit = unit_field(_("Unknown unit."), help_text=_("Host commune (unit id)."))
    village = unit_field(_("Unknown village."), **optional({"help_text": _("Host village (unit id), in the commune.")}))
    organizer_level = serializers.ChoiceField(
        choices=OrganizerLevel.choices, help_text=_PROGRAM_HELP["organizer_level"]
    )
    organizer = unit_field(_("Unknown organizer."), help_text=_("Organizing unit (unit id)."))
    title = serializers.CharField(max_length=300, help_text=_PROGRAM_HELP["title"])
    date = serializers.DateField(help_text=_PROGRAM_HELP["date"])
    fields = serializers.ListField(
        child=serializers.ChoiceField(choices=ProgramField.choices),
        required=False,
        default=list,
        help_text=_PROGRAM_HELP["fields"],
    )
    basis_document = ScopedPrimaryKeyField(
        model=Document,
        scope=_visible_documents,
        unknown=_("Unknown document."),
        **optional({"help_text": _("Scheme, resolution or plan it carries out (document id).")}),
    )
    survey_notes = text(None, _PROGRAM_HELP["survey_notes"])
    status = serializers.ChoiceField(
        choices=ProgramStatus.choices, required=False, default=ProgramStatus.PLANNED, help_text=_PROGRAM_HELP["status"]
    )
    summary = text(None, _PROGRAM_HELP["summary"])
    work_items = WorkItemInputSerializer(many=True, required=False, default=list, help_text=_NESTED_HELP["work_items"])
    contributions = ContributionInputSerializer(
        many=True, required=False, default=list, help_text=_NESTED_HELP["contributions"]
    )
    participation = ParticipationInputSerializer(
        many=True, required=False, default=list, help_text=_NESTED_HELP["participation"]
    )

    def validate_fields(self, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))  # the same field twice is the field once

    def validate_participation(self, rows: list[dict]) -> list[dict]:
        seen: set[str] = set()
        errors = {}
        for index, row in enumerate(rows):
            if row["category"] in seen:
                errors[str(index)] = {"category": [_("This category is already counted in another row.")]}
            seen.add(row["category"])
        if errors:
            raise serializers.ValidationError(errors)
        return rows


class ProgramUpdateSerializer(ProgramWriteSerializer):
    """Changes to a program. Its host commune is kept. With ``PUT`` every field and the three
    lists are required and replace what is there; ``PATCH`` changes what it names (a list sent
    replaces that list; one not sent is kept)."""

    unit = None
    work_items = WorkItemInputSerializer(many=True, help_text=_NESTED_HELP["work_items"])
    contributions = ContributionInputSerializer(many=True, help_text=_NESTED_HELP["contributions"])
    participation = ParticipationInputSerializer(many=True, help_text=_NESTED_HELP["participation"])
    version = serializers.IntegerField(
        min_value=1, help_text=_("The version you read; if someone saved since, the answer is 409.")
    )


# --- Road projects ------------------------------------------------------------------------------


class RoadProjectSerializer(serializers.ModelSerializer):
    unit = UnitBriefSerializer(read_only=True, help_text=_("Commune."))
    village = UnitBriefSerializer(read_only=True, allow_null=True, help_text=_("Village, if any."))
    program = ProgramBriefSerializer(read_only=True, allow_null=True, help_text=_("Program it was built in, if any."))
    surface_display = _display("get_surface_display", _("The surface, in words."))
    length_m = number_out(10, 2, _("Length in metres."))
    road_width_m = number_out(6, 2, _("Road bed width in metres."), allow_null=True)
    surface_width_m = number_out(6, 2, _("Surface width in metres."), allow_null=True)
    donations = DonationTotalsSerializer(
        source="*", read_only=True, help_text=_("Land donations recorded for this road.")
    )

    class Meta:
        model = RoadProject
        fields = [
            "id",
            "unit",
            "village",
            "program",
            "name",
            "year",
            "length_m",
            "road_width_m",
            "surface_width_m",
            "surface",
            "surface_display",
            "total_investment_vnd",
            "people_share_vnd",
            "donations",
            "version",
            "created_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "name": {"help_text": _("Name of the route.")},
            "year": {"help_text": _("Year built.")},
            "total_investment_vnd": {"help_text": _("Total investment (đồng).")},
            "people_share_vnd": {"help_text": _("Part contributed by the people (đồng).")},
            "version": {"help_text": _("Send it back with a change; a stale one answers 409.")},
            "created_at": {"help_text": _("When it was recorded.")},
        }


class RoadProjectWriteSerializer(serializers.Serializer):
    unit = unit_field(_("Unknown unit."), help_text=_("Commune (unit id)."))
    village = unit_field(_("Unknown village."), **optional({"help_text": _("Village (unit id), in the commune.")}))
    program = ScopedPrimaryKeyField(
        model=Program,
        scope=_visible_programs,
        unknown=_("Unknown program."),
        **optional({"help_text": _("Program it was built in (id), held in the same commune.")}),
    )
    name = serializers.CharField(max_length=300, help_text=_("Name of the route."))
    year = serializers.IntegerField(min_value=1945, max_value=2100, help_text=_("Year built."))
    length_m = VietnameseDecimalField(
        max_digits=10, decimal_places=2, help_text=_('Length in metres, above 0 and at most 100 km: 750 or "750,5".')
    )
    road_width_m = VietnameseDecimalField(
        max_digits=6, decimal_places=2, **optional({"help_text": _("Road bed width in metres.")})
    )
    surface_width_m = VietnameseDecimalField(
        max_digits=6, decimal_places=2, **optional({"help_text": _("Surface width in metres.")})
    )
    surface = serializers.ChoiceField(
        choices=Surface.choices, required=False, default=Surface.CONCRETE, help_text=_("Concrete, asphalt, …")
    )
    total_investment_vnd = money(_("Total investment (đồng)."))
    people_share_vnd = money(_("People's share (đồng), at most the total investment."))


class RoadProjectUpdateSerializer(RoadProjectWriteSerializer):
    """Changes to a road; its commune is kept."""

    unit = None
    version = serializers.IntegerField(
        min_value=1, help_text=_("The version you read; if someone saved since, the answer is 409.")
    )


# --- Land donations -----------------------------------------------------------------------------


class LandDonationSerializer(serializers.ModelSerializer):
    unit = UnitBriefSerializer(read_only=True, help_text=_("Commune."))
    village = UnitBriefSerializer(read_only=True, allow_null=True, help_text=_("Village, if any."))
    road = RoadBriefSerializer(read_only=True, allow_null=True, help_text=_("Road the land went to, if any."))
    program = ProgramBriefSerializer(read_only=True, allow_null=True, help_text=_("Program, if any."))
    purpose_display = _display("get_purpose_display", _("The purpose, in words."))
    area_m2 = number_out(12, 2, _("Land donated (m²)."))
    labour_days = number_out(8, 1, _("Labour-days given."))
    trees = serializers.DictField(
        child=serializers.IntegerField(), read_only=True, help_text=_('Trees given, by species: {"quế": 120}.')
    )
    tree_count = serializers.IntegerField(read_only=True, help_text=_("All trees given."))
    consent_url = serializers.SerializerMethodField(
        help_text=_("Path that serves the signed consent after checking your scope, or null if none was filed.")
    )

    class Meta:
        model = LandDonation
        fields = [
            "id",
            "unit",
            "village",
            "road",
            "program",
            "donor",
            "donated_on",
            "purpose",
            "purpose_display",
            "area_m2",
            "trees",
            "tree_count",
            "other_assets",
            "labour_days",
            "cash_vnd",
            "value_vnd",
            "consent_url",
            "version",
            "created_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "donor": {"help_text": _("Household head.")},
            "donated_on": {"help_text": _("Date of the gift.")},
            "other_assets": {"help_text": _("Fences, structures, … given with the land.")},
            "cash_vnd": {"help_text": _("Cash given (đồng).")},
            "value_vnd": {"help_text": _("Total value of the gift, cash included (đồng).")},
            "version": {"help_text": _("Send it back with a change; a stale one answers 409.")},
            "created_at": {"help_text": _("When it was recorded.")},
        }

    def get_consent_url(self, donation: LandDonation) -> str | None:
        if not donation.consent_file:
            return None
        return reverse("land-donation-consent", args=[donation.pk])


class TreesField(serializers.DictField):
    """Trees by species: ``{"quế": 1000, "mỡ": 20}``; whole, non-negative counts."""

    child = serializers.IntegerField(min_value=0, max_value=10_000_000)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        blank = [name for name in value if not str(name).strip()]
        if blank:
            raise serializers.ValidationError(_("Name the species of every count."))
        return {str(name).strip(): count for name, count in value.items()}


class LandDonationWriteSerializer(serializers.Serializer):
    unit = unit_field(_("Unknown unit."), help_text=_("Commune (unit id)."))
    village = unit_field(_("Unknown village."), **optional({"help_text": _("Village (unit id), in the commune.")}))
    road = ScopedPrimaryKeyField(
        model=RoadProject,
        scope=_visible_roads,
        unknown=_("Unknown road."),
        **optional({"help_text": _("Road (id) the land went to, in the same commune.")}),
    )
    program = ScopedPrimaryKeyField(
        model=Program,
        scope=_visible_programs,
        unknown=_("Unknown program."),
        **optional({"help_text": _("Program (id), held in the same commune.")}),
    )
    donor = serializers.CharField(max_length=200, help_text=_("Household head."))
    donated_on = serializers.DateField(help_text=_("Date of the gift (YYYY-MM-DD), not in the future."))
    purpose = serializers.ChoiceField(
        choices=DonationPurpose.choices, required=False, default=DonationPurpose.ROAD, help_text=_("What it is for.")
    )
    area_m2 = VietnameseDecimalField(
        max_digits=12,
        decimal_places=2,
        required=False,
        default=Decimal(0),
        help_text=_('Land in m², at most 100.000 per household: 1200 or "1.200,5".'),
    )
    trees = TreesField(required=False, default=dict, help_text=_('Trees by species: {"quế": 1000}.'))
    other_assets = text(300, _("Fences, structures, … given with the land."))
    labour_days = VietnameseDecimalField(
        max_digits=8, decimal_places=1, required=False, default=Decimal(0), help_text=_('Labour-days: 12 or "12,5".')
    )
    cash_vnd = money(_("Cash given (đồng)."))
    value_vnd = money(_("Total value of the gift, cash included (đồng)."))


class LandDonationUpdateSerializer(LandDonationWriteSerializer):
    """Changes to a donation; its commune is kept. The consent file has its own endpoint."""

    unit = None
    version = serializers.IntegerField(
        min_value=1, help_text=_("The version you read; if someone saved since, the answer is 409.")
    )


class ConsentUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text=_("Signed consent: PDF, DOCX, JPEG or PNG, checked by content, within the size limit.")
    )
    version = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1, help_text=_("The donation version you read.")
    )

    def validate_file(self, upload):
        try:
            validate_upload(upload, SCAN_TYPES)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc
        return upload


# --- Site clearance -----------------------------------------------------------------------------


class DisbursementSerializer(serializers.ModelSerializer):
    cumulative_vnd = serializers.IntegerField(read_only=True, help_text=_("Paid so far, this payment included."))
    percent_of_plan = number_out(
        9, 1, _("Paid so far as a percentage of the budget (null for a zero budget)."), allow_null=True
    )

    class Meta:
        model = Disbursement
        fields = [
            "id",
            "paid_on",
            "amount_vnd",
            "households_paid",
            "over_budget_reason",
            "note",
            "cumulative_vnd",
            "percent_of_plan",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "paid_on": {"help_text": _("Date paid.")},
            "amount_vnd": {"help_text": _("Amount paid (đồng).")},
            "households_paid": {"help_text": _("Households paid by this payment.")},
        }


class SiteClearanceProjectSerializer(serializers.ModelSerializer):
    unit = UnitBriefSerializer(read_only=True, help_text=_("Responsible unit."))
    communes = UnitBriefSerializer(many=True, read_only=True, help_text=_("Communes affected."))
    task_force = UnitBriefSerializer(read_only=True, allow_null=True, help_text=_("Task force, if any."))
    status_display = _display("get_status_display", _("The status, in words."))
    area_ha = number_out(10, 2, _("Area to clear (ha)."))
    disbursed_vnd = serializers.IntegerField(read_only=True, help_text=_("Sum of the disbursements (đồng)."))
    percent_of_plan = serializers.SerializerMethodField(
        help_text=_("Disbursed as a percentage of the budget, one decimal (null for a zero budget).")
    )

    class Meta:
        model = SiteClearanceProject
        fields = [
            "id",
            "unit",
            "communes",
            "name",
            "is_key_project",
            "started_on",
            "affected_households",
            "area_ha",
            "budget_vnd",
            "disbursed_vnd",
            "percent_of_plan",
            "resettlement_site",
            "task_force",
            "status",
            "status_display",
            "version",
            "created_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "name": {"help_text": _("Project.")},
            "is_key_project": {"help_text": _("A key project of the province or district.")},
            "started_on": {"help_text": _("Start of the clearance.")},
            "affected_households": {"help_text": _("Households affected.")},
            "budget_vnd": {"help_text": _("Compensation budget (đồng).")},
            "resettlement_site": {"help_text": _("Where affected households are resettled.")},
            "status": {"help_text": _("inventory → plan → approved → paid → handed_over → done.")},
            "version": {"help_text": _("Send it back with a change; a stale one answers 409.")},
            "created_at": {"help_text": _("When it was recorded.")},
        }

    @extend_schema_field(
        serializers.DecimalField(max_digits=9, decimal_places=1, coerce_to_string=False, allow_null=True)
    )
    def get_percent_of_plan(self, project: SiteClearanceProject) -> Decimal | None:
        return percent_of(project.disbursed_vnd, project.budget_vnd)


class SiteClearanceProjectDetailSerializer(SiteClearanceProjectSerializer):
    disbursements = serializers.SerializerMethodField(
        help_text=_("Payments in date order, each with the running total: progress over time.")
    )

    class Meta(SiteClearanceProjectSerializer.Meta):
        fields = [*SiteClearanceProjectSerializer.Meta.fields, "disbursements"]
        read_only_fields = fields

    @extend_schema_field(DisbursementSerializer(many=True))
    def get_disbursements(self, project: SiteClearanceProject) -> list[dict]:
        running = 0
        payments = list(project.disbursements.all())  # prefetched in date order
        for payment in payments:
            running += payment.amount_vnd
            payment.cumulative_vnd = running
            payment.percent_of_plan = percent_of(running, project.budget_vnd)
        return DisbursementSerializer(payments, many=True).data


class SiteClearanceProjectWriteSerializer(serializers.Serializer):
    unit = unit_field(_("Unknown unit."), help_text=_("Responsible unit (unit id), usually the district."))
    communes = unit_field(
        _("Unknown commune."), many=True, required=False, help_text=_("Communes affected (unit ids), within the unit.")
    )
    name = serializers.CharField(max_length=300, help_text=_("Project."))
    is_key_project = serializers.BooleanField(required=False, default=False, help_text=_("A key project."))
    started_on = serializers.DateField(help_text=_("Start of the clearance (YYYY-MM-DD)."))
    affected_households = VietnameseIntegerField(
        max_value=2_147_483_647, required=False, default=0, help_text=_("Households affected.")
    )
    area_ha = VietnameseDecimalField(
        max_digits=10, decimal_places=2, required=False, default=Decimal(0), help_text=_('Area in ha: "263,26".')
    )
    budget_vnd = VietnameseIntegerField(help_text=_('Compensation budget (đồng): "250.000.000.000".'))
    resettlement_site = text(300, _("Where affected households are resettled."))
    task_force = unit_field(_("Unknown unit."), **optional({"help_text": _("Task force (unit id).")}))
    status = serializers.ChoiceField(
        choices=ClearanceStatus.choices,
        required=False,
        default=ClearanceStatus.INVENTORY,
        help_text=_("inventory → plan → approved → paid → handed_over → done."),
    )


class SiteClearanceProjectUpdateSerializer(SiteClearanceProjectWriteSerializer):
    """Changes to a project; its responsible unit is kept. ``communes`` sent replaces the list."""

    unit = None
    version = serializers.IntegerField(
        min_value=1, help_text=_("The version you read; if someone saved since, the answer is 409.")
    )


class DisbursementInputSerializer(serializers.Serializer):
    paid_on = serializers.DateField(help_text=_("Date paid (YYYY-MM-DD), not before the project started."))
    amount_vnd = VietnameseIntegerField(min_value=1, help_text=_('Amount (đồng): "25.000.000.000".'))
    households_paid = VietnameseIntegerField(
        max_value=2_147_483_647, required=False, default=0, help_text=_("Households paid.")
    )
    over_budget_reason = text(
        300, _("Required only when this payment takes the total above the budget (e.g. a supplementary plan).")
    )
    note = text(300, _("Note."))
