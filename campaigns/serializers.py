"""API representations of movements, criteria sets, scoring rounds, scorecards, awards, Dân vận
khéo models, household commitments and emulation pledges.

Read serializers never query on their own: the viewsets select and prefetch what they read, so a
page costs the same number of queries whatever its length. Write serializers validate and
normalize only; the viewsets hand the result to ``campaigns.services``, the functions the pages
call, which check every rule again (maximum points, scope, statuses) and save nothing on error.

Points are read as offices write them: a JSON number or a string with a decimal comma
(``"7,5"``), and go out as JSON numbers. Every id a client sends (unit, movement, round, model,
document) is looked up among the objects the requesting user may see: an id outside that scope
gets exactly the same "unknown" answer as one that does not exist.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from organization import access
from organization.api_base import ScopedPrimaryKeyField, unit_field
from organization.models import Document, Unit
from organization.serializers import UnitBriefSerializer
from programs.serializers import (
    VietnameseDecimalField,
    VietnameseIntegerField,
    model_errors,
    number_out,
    optional,
)
from programs.serializers import text as text_field

from . import permissions, selectors
from .models import (
    Award,
    AwardForm,
    CommitmentItem,
    CommitmentStatus,
    CriteriaSet,
    Criterion,
    DvkCriterion,
    DvkEvent,
    DvkField,
    DvkKind,
    DvkLevel,
    DvkModel,
    DvkPillar,
    EmulationPledge,
    HouseholdCommitment,
    Movement,
    MovementStatus,
    PledgeResult,
    RoundEvent,
    RoundStatus,
    Scorecard,
    ScoreEntry,
    ScoringRound,
    TargetType,
)
from .services import round_problems
from .workflow import DvkStatus, next_statuses

VERSION_HELP = _("The version you read; if someone saved since, the answer is 409.")
VERSION_OUT_HELP = _("Send it back with a change; a stale one answers 409.")


def version_field(**kwargs) -> serializers.IntegerField:
    kwargs.setdefault("error_messages", {"required": _("Send the version you read.")})
    return serializers.IntegerField(min_value=1, help_text=VERSION_HELP, **kwargs)


def optional_version() -> serializers.IntegerField:
    return serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1, help_text=_("The version you read (optional).")
    )


def points_in(help_text, **kwargs) -> VietnameseDecimalField:
    """Points as a JSON number or ``"7,5"``. Negative values are let through to the services,
    whose message ("A score cannot be negative.") is the one the pages show."""
    kwargs.setdefault("min_value", None)
    return VietnameseDecimalField(max_digits=7, decimal_places=2, help_text=help_text, **kwargs)


def points_out(help_text, **kwargs) -> serializers.DecimalField:
    return number_out(9, 2, help_text, **kwargs)


def _display(source: str, help_text) -> serializers.CharField:
    return serializers.CharField(source=source, read_only=True, help_text=help_text)


def _full_name(user) -> str | None:
    return (user.get_full_name() or user.get_username()) if user is not None else None


# --- Scoped ids ---------------------------------------------------------------------------------


def _visible_documents(user) -> QuerySet:
    return access.scope(Document.objects.all(), user, unit_field="issuer")


def _visible_movements(user) -> QuerySet:
    return selectors.movements_visible_to(user)


def _visible_rounds(user) -> QuerySet:
    return selectors.rounds_visible_to(user)


def _visible_models(user) -> QuerySet:
    return DvkModel.objects.visible_to(user)


def _units_around(user) -> QuerySet:
    """Units the user may see, and the units above their own: an award may be issued, or a
    movement launched, by the district or province above a commune officer."""
    if access.is_admin(user):
        return Unit.objects.all()
    return Unit.objects.filter(Q(pk__in=access.visible_units(user)) | Q(pk__in=selectors.ancestor_ids(user)))


def _signing_models(user) -> QuerySet:
    """Models households of the user's villages may sign for: those the user sees, and those
    built in (or around) the user's area, e.g. a district model built in a commune's village."""
    if access.is_admin(user):
        return DvkModel.objects.all()
    visible = access.visible_units(user)
    return DvkModel.objects.filter(
        Q(owner_unit__in=visible) | Q(locality__in=visible) | Q(locality_id__in=selectors.ancestor_ids(user))
    )


def _all_items(user) -> QuerySet:
    return CommitmentItem.objects.all()


def document_field(help_text) -> ScopedPrimaryKeyField:
    return ScopedPrimaryKeyField(
        model=Document,
        scope=_visible_documents,
        unknown=_("Unknown document."),
        **optional({"help_text": help_text}),
    )


# --- Small pieces named inside other objects ---------------------------------------------------


class DecisionDocumentSerializer(serializers.ModelSerializer):
    symbol = serializers.CharField(read_only=True, help_text=_("Number as written on paper, e.g. 12-QĐ/HU."))

    class Meta:
        model = Document
        fields = ["id", "symbol", "date", "subject"]
        read_only_fields = fields


class MovementBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Movement
        fields = ["id", "name"]
        read_only_fields = fields


class RoundBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = ScoringRound
        fields = ["id", "movement", "month", "status"]
        read_only_fields = fields
        extra_kwargs = {
            "movement": {"help_text": _("Movement id.")},
            "month": {"help_text": _("First day of the month scored.")},
        }


class DvkModelBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = DvkModel
        fields = ["id", "name", "status"]
        read_only_fields = fields


class CommitmentItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = CommitmentItem
        fields = ["id", "code", "text", "order", "is_active"]
        read_only_fields = fields
        extra_kwargs = {
            "code": {"help_text": _("Stable code of the item.")},
            "text": {"help_text": _("What the household or group commits to.")},
            "order": {"help_text": _("Position in the list offered (smallest first).")},
            "is_active": {"help_text": _("Still offered for new commitments.")},
        }


class CommitmentItemChangeSerializer(serializers.Serializer):
    """What an administrator changes in an item, as in the admin's list: its code is chosen once."""

    text = serializers.CharField(max_length=300, help_text=_("What the household or group commits to."))
    order = serializers.IntegerField(
        min_value=0, max_value=32767, required=False, default=0, help_text=_("Position in the list (smallest first).")
    )
    is_active = serializers.BooleanField(
        required=False,
        default=True,
        help_text=_("Offered for new commitments; items are never deleted, untick this instead."),
    )


class CommitmentItemWriteSerializer(CommitmentItemChangeSerializer):
    code = serializers.SlugField(
        max_length=40, help_text=_("Stable code used by imports and the demo (letters, digits, hyphens); unique.")
    )


# --- Movements ----------------------------------------------------------------------------------


class CriteriaSetBriefSerializer(serializers.ModelSerializer):
    total_points = points_out(_("Points of the set."))

    class Meta:
        model = CriteriaSet
        fields = ["id", "target_type", "year", "total_points"]
        read_only_fields = fields


class MovementSerializer(serializers.ModelSerializer):
    unit = UnitBriefSerializer(read_only=True, help_text=_("The area: the district or commune whose units take part."))
    launched_by = UnitBriefSerializer(read_only=True, help_text=_("Unit that launched it."))
    regulation_document = DecisionDocumentSerializer(
        read_only=True, allow_null=True, help_text=_("Regulation (quy chế), if registered.")
    )
    target_types = serializers.ListField(
        child=serializers.ChoiceField(choices=TargetType.choices),
        read_only=True,
        help_text=_("Kinds of unit scored."),
    )
    status_display = _display("get_status_display", _("The status, in words."))
    can_manage = serializers.SerializerMethodField(
        help_text=_("Whether you run this movement (criteria, rounds, verification).")
    )

    class Meta:
        model = Movement
        fields = [
            "id",
            "name",
            "unit",
            "launched_by",
            "launch_date",
            "is_dvk",
            "target_types",
            "regulation_document",
            "description",
            "status",
            "status_display",
            "can_manage",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "is_dvk": {"help_text": _("A Dân vận khéo movement.")},
            "version": {"help_text": VERSION_OUT_HELP},
        }

    def get_can_manage(self, movement: Movement) -> bool:
        request = self.context.get("request")
        return permissions.can_manage_movement(getattr(request, "user", None), movement)


class MovementDetailSerializer(MovementSerializer):
    criteria_sets = CriteriaSetBriefSerializer(many=True, read_only=True, help_text=_("Criteria per type and year."))

    class Meta(MovementSerializer.Meta):
        fields = [*MovementSerializer.Meta.fields, "criteria_sets"]
        read_only_fields = fields


class MovementWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=300, help_text=_("Name of the movement."))
    unit = unit_field(_("Unknown unit."), help_text=_("The area (unit id): a district or commune."))
    launched_by = ScopedPrimaryKeyField(
        model=Unit,
        scope=_units_around,
        unknown=_("Unknown unit."),
        help_text=_("Unit that launched it (unit id), e.g. the district Party committee."),
    )
    launch_date = serializers.DateField(help_text=_("Launch date (YYYY-MM-DD)."))
    is_dvk = serializers.BooleanField(required=False, default=False, help_text=_("A Dân vận khéo movement."))
    target_types = serializers.ListField(
        child=serializers.ChoiceField(choices=TargetType.choices),
        help_text=_("Kinds of unit scored: village, office, school, religious_group."),
    )
    regulation_document = document_field(_("Regulation (document id), if registered."))
    description = text_field(None, _("Description."))
    status = serializers.ChoiceField(
        choices=MovementStatus.choices,
        required=False,
        default=MovementStatus.ACTIVE,
        help_text=_("draft, active, ended."),
    )

    def validate_target_types(self, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))


class MovementUpdateSerializer(MovementWriteSerializer):
    version = version_field()


# --- Criteria sets ------------------------------------------------------------------------------


class CriterionSerializer(serializers.ModelSerializer):
    max_points = points_out(_("Maximum points."))
    weight = number_out(5, 2, _("Weight: the score counts max_points × weight in the total."))

    class Meta:
        model = Criterion
        fields = ["id", "code", "text", "group", "max_points", "weight", "order"]
        read_only_fields = fields


class CriteriaSetSerializer(serializers.ModelSerializer):
    movement = MovementBriefSerializer(read_only=True)
    total_points = points_out(_("Points of the set: the criteria's maximum points add up to it."))
    weighted_max = serializers.SerializerMethodField(help_text=_("Highest possible weighted total."))
    is_frozen = serializers.BooleanField(
        source="has_scorecards",
        read_only=True,
        help_text=_("Used by a scorecard: it cannot change any more; copy it to a new year."),
    )
    problems = serializers.SerializerMethodField(help_text=_("Why the set cannot be used yet (empty when valid)."))
    criteria = CriterionSerializer(many=True, read_only=True)

    class Meta:
        model = CriteriaSet
        fields = [
            "id",
            "movement",
            "target_type",
            "year",
            "total_points",
            "weighted_max",
            "note",
            "is_frozen",
            "problems",
            "criteria",
            "version",
            "created_at",
        ]
        read_only_fields = fields
        extra_kwargs = {"version": {"help_text": VERSION_OUT_HELP}}

    def get_weighted_max(self, criteria_set: CriteriaSet) -> float:
        return float(criteria_set.weighted_max())

    def get_problems(self, criteria_set: CriteriaSet) -> list[str]:
        return criteria_set.problems()


class CriterionInputSerializer(serializers.Serializer):
    """One criterion, checked by the model's own rules so that a bad row is answered per field
    (``{"criteria": {"1": {"max_points": [...]}}}``); the service checks it again."""

    code = serializers.CharField(max_length=20, help_text=_("Code, unique in the set (TC1, 1.a, …)."))
    text = serializers.CharField(max_length=500, help_text=_("The criterion."))
    group = text_field(200, _("Group heading."))
    max_points = points_in(_('Maximum points, above 0: 10 or "7,5".'))
    weight = VietnameseDecimalField(
        max_digits=5, decimal_places=2, required=False, default=Decimal(1), help_text=_("Weight, above 0 (default 1).")
    )
    order = serializers.IntegerField(
        min_value=0, max_value=32767, required=False, default=0, help_text=_("Position (0: as listed).")
    )

    def validate(self, attrs):
        try:
            Criterion(**attrs).full_clean(exclude=["criteria_set"], validate_unique=False, validate_constraints=False)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(model_errors(exc)) from exc
        return attrs


class CriteriaSetWriteSerializer(serializers.Serializer):
    movement = ScopedPrimaryKeyField(
        model=Movement, scope=_visible_movements, unknown=_("Unknown movement."), help_text=_("Movement id.")
    )
    target_type = serializers.ChoiceField(choices=TargetType.choices, help_text=_("Kind of unit the set scores."))
    year = serializers.IntegerField(min_value=2000, max_value=2100, help_text=_("Year the set is in force."))
    total_points = points_in(_("Points of the set (e.g. 100); the maximum points must add up to it."))
    note = text_field(300, _("Note."))
    criteria = CriterionInputSerializer(many=True, help_text=_("The criteria, in order; errors are keyed by position."))


class CriteriaSetUpdateSerializer(CriteriaSetWriteSerializer):
    """Changes to a set (its movement is kept); ``criteria`` sent replaces every criterion."""

    movement = None
    version = version_field()


class CriteriaRowsSerializer(serializers.Serializer):
    """The criteria sent with a ``PATCH``, validated whole (``partial`` would skip their defaults)."""

    criteria = CriterionInputSerializer(many=True, required=False)


class CriteriaSetCopySerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100, help_text=_("Year of the new set."))


# --- Scoring rounds -----------------------------------------------------------------------------


class RoundEventSerializer(serializers.ModelSerializer):
    by = serializers.SerializerMethodField(help_text=_("Who did it."))

    class Meta:
        model = RoundEvent
        fields = ["id", "action", "reason", "by", "at"]
        read_only_fields = fields

    def get_by(self, event: RoundEvent) -> str | None:
        return _full_name(event.by)


class ScoringRoundSerializer(serializers.ModelSerializer):
    movement = MovementBriefSerializer(read_only=True)
    status_display = _display("get_status_display", _("The status, in words."))
    year = serializers.IntegerField(read_only=True, help_text=_("Year of the month scored (chooses the criteria)."))
    min_percent_for_selection = number_out(5, 2, _("Lowest percent of the maximum a selected unit may have."))
    can_manage = serializers.SerializerMethodField(help_text=_("Whether you open, verify and close this round."))

    class Meta:
        model = ScoringRound
        fields = [
            "id",
            "movement",
            "month",
            "year",
            "status",
            "status_display",
            "closes_on",
            "selected_per_type",
            "min_percent_for_selection",
            "opened_at",
            "closed_at",
            "can_manage",
            "version",
            "created_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "month": {"help_text": _("First day of the month scored.")},
            "version": {"help_text": _("Changes with every opening, closing and reopening.")},
        }

    def get_can_manage(self, round_: ScoringRound) -> bool:
        request = self.context.get("request")
        return permissions.can_manage_movement(getattr(request, "user", None), round_.movement)


class ScoringRoundDetailSerializer(ScoringRoundSerializer):
    events = RoundEventSerializer(many=True, read_only=True, help_text=_("Openings, closings, reopenings (with why)."))
    problems = serializers.SerializerMethodField(
        help_text=_("For a draft round: why it cannot open yet (criteria missing or not adding up).")
    )

    class Meta(ScoringRoundSerializer.Meta):
        fields = [*ScoringRoundSerializer.Meta.fields, "events", "problems"]
        read_only_fields = fields

    def get_problems(self, round_: ScoringRound) -> list[str]:
        return [str(p) for p in round_problems(round_)] if round_.status == RoundStatus.DRAFT else []


class RoundCreateSerializer(serializers.Serializer):
    movement = ScopedPrimaryKeyField(
        model=Movement, scope=_visible_movements, unknown=_("Unknown movement."), help_text=_("Movement id.")
    )
    month = serializers.DateField(
        input_formats=["%Y-%m-%d", "%Y-%m"],
        help_text=_("The month scored: 2024-10 or any day of it (stored as the 1st)."),
    )
    closes_on = serializers.DateField(
        required=False, allow_null=True, default=None, help_text=_("Closing date; needed before opening.")
    )
    selected_per_type = serializers.IntegerField(
        min_value=1, max_value=32767, required=False, default=3, help_text=_("Best units of each type selected.")
    )
    min_percent_for_selection = VietnameseDecimalField(
        max_digits=5,
        decimal_places=2,
        required=False,
        default=Decimal(80),
        help_text=_("Lowest percent of the maximum for selection (0–100, default 80)."),
    )


class RoundOpenSerializer(serializers.Serializer):
    closes_on = serializers.DateField(
        required=False, allow_null=True, default=None, help_text=_("Closing date (keeps the round's own if omitted).")
    )


class RoundReopenSerializer(serializers.Serializer):
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", help_text=_("Why the round is reopened; required, logged.")
    )


class RankedScorecardSerializer(serializers.ModelSerializer):
    """One line of the announced results: no entries or evidence, which stay within scope."""

    unit = UnitBriefSerializer(read_only=True)
    commune = UnitBriefSerializer(read_only=True, allow_null=True)
    final_total = points_out(_("The verified total that ranks."))
    max_total = points_out(_("Highest possible total of the unit's criteria."))
    percent = number_out(7, 2, _("final_total as a percentage of max_total."))

    class Meta:
        model = Scorecard
        fields = [
            "unit",
            "commune",
            "target_type",
            "final_total",
            "max_total",
            "percent",
            "rank_in_type",
            "rank_in_commune",
            "rank_overall",
            "selected",
        ]
        read_only_fields = fields


class RankingSerializer(serializers.Serializer):
    round = RoundBriefSerializer(read_only=True, help_text=_("The round ranked."))
    results = RankedScorecardSerializer(
        many=True,
        read_only=True,
        help_text=_("Ranked units of a closed round by type, best first; empty until the round closes."),
    )


# --- Scorecards ---------------------------------------------------------------------------------


class ScoreEntrySerializer(serializers.ModelSerializer):
    criterion = CriterionSerializer(read_only=True)
    self_score = points_out(_("The commune's self-assessed score."), allow_null=True)
    verified_score = points_out(_("The district's verified score (null until verified)."), allow_null=True)
    has_photo = serializers.SerializerMethodField(help_text=_("An evidence photo was attached."))
    photo_url = serializers.SerializerMethodField(
        help_text=_("Path of the page that serves the photo after checking your scope, or null.")
    )

    class Meta:
        model = ScoreEntry
        fields = ["id", "criterion", "self_score", "verified_score", "evidence_note", "has_photo", "photo_url"]
        read_only_fields = fields
        extra_kwargs = {"evidence_note": {"help_text": _("What shows the score.")}}

    def get_has_photo(self, entry: ScoreEntry) -> bool:
        return bool(entry.evidence_photo)

    def get_photo_url(self, entry: ScoreEntry) -> str | None:
        return reverse("campaigns:scorecard_photo", args=[entry.pk]) if entry.evidence_photo else None


class ScorecardSerializer(serializers.ModelSerializer):
    round = RoundBriefSerializer(read_only=True)
    movement = MovementBriefSerializer(source="round.movement", read_only=True)
    unit = UnitBriefSerializer(read_only=True)
    commune = UnitBriefSerializer(read_only=True, allow_null=True, help_text=_("Null for district offices."))
    criteria_set = CriteriaSetBriefSerializer(read_only=True)
    status_display = _display("get_status_display", _("The status, in words."))
    self_total = points_out(_("Weighted sum of the self-assessed scores."))
    verified_total = points_out(_("Weighted sum of the verified scores (null until verified)."), allow_null=True)
    max_total = points_out(_("Highest possible weighted total."))
    final_total = points_out(_("What ranks: the verified total once verified, else the self-assessed one."))
    percent = number_out(7, 2, _("final_total as a percentage of max_total."))
    missing = serializers.SerializerMethodField(help_text=_("Codes of the criteria still without a score."))
    entries = ScoreEntrySerializer(many=True, read_only=True, help_text=_("One per criterion, in order."))

    class Meta:
        model = Scorecard
        fields = [
            "id",
            "round",
            "movement",
            "unit",
            "commune",
            "target_type",
            "criteria_set",
            "status",
            "status_display",
            "self_total",
            "verified_total",
            "max_total",
            "final_total",
            "percent",
            "rank_in_type",
            "rank_in_commune",
            "rank_overall",
            "selected",
            "missing",
            "submitted_at",
            "verified_at",
            "verification_note",
            "entries",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "rank_in_type": {"help_text": _("Rank among units of the same type (ties share a rank: 1, 2, 2, 4).")},
            "rank_in_commune": {"help_text": _("Rank within the commune, same type.")},
            "rank_overall": {"help_text": _("Rank of all units by percent.")},
            "selected": {"help_text": _("Selected (bình chọn) when the round closed.")},
            "verification_note": {"help_text": _("The district's note when verifying or returning.")},
            "version": {"help_text": VERSION_OUT_HELP},
        }

    def get_missing(self, card: Scorecard) -> list[str]:
        # Every criterion of the set has an entry from the start; missing means no score yet.
        return [entry.criterion.code for entry in card.entries.all() if entry.self_score is None]


class EntryInputSerializer(serializers.Serializer):
    criterion = serializers.IntegerField(min_value=1, help_text=_("Criterion id, of the unit's criteria set."))
    self_score = points_in(
        _('Score between 0 and the maximum: 8 or "7,5"; null clears it.'), required=False, allow_null=True
    )
    evidence_note = serializers.CharField(
        max_length=500, required=False, allow_blank=True, help_text=_("What shows the score (kept if omitted).")
    )


def _one_per_criterion(rows: list[dict]) -> list[dict]:
    seen: set[int] = set()
    errors = {}
    for index, row in enumerate(rows):
        if row["criterion"] in seen:
            errors[str(index)] = {"criterion": [_("This criterion is already scored in another row.")]}
        seen.add(row["criterion"])
    if errors:
        raise serializers.ValidationError(errors)
    return rows


class ScorecardCreateSerializer(serializers.Serializer):
    round = ScopedPrimaryKeyField(
        model=ScoringRound, scope=_visible_rounds, unknown=_("Unknown round."), help_text=_("Round id (open).")
    )
    unit = unit_field(_("Unknown unit."), help_text=_("The unit scored (unit id), of your commune."))
    entries = EntryInputSerializer(
        many=True, required=False, default=list, help_text=_("Scores; errors are keyed by position.")
    )

    def validate_entries(self, rows: list[dict]) -> list[dict]:
        return _one_per_criterion(rows)


class ScorecardUpdateSerializer(serializers.Serializer):
    entries = EntryInputSerializer(
        many=True, help_text=_("Scores to change; criteria not sent are kept. Errors are keyed by position.")
    )
    version = version_field()

    def validate_entries(self, rows: list[dict]) -> list[dict]:
        return _one_per_criterion(rows)


class EvidencePhotoSerializer(serializers.Serializer):
    criterion = serializers.IntegerField(
        min_value=1, help_text=_("Criterion id (of this scorecard's set) the photo is evidence for.")
    )
    photo = serializers.FileField(
        help_text=_("JPEG or PNG, checked by its content, within the size limit; replaces an earlier photo.")
    )
    version = version_field()


class SubmitSerializer(serializers.Serializer):
    version = optional_version()


class VerifiedScoreSerializer(serializers.Serializer):
    criterion = serializers.IntegerField(min_value=1, help_text=_("Criterion id."))
    verified_score = points_in(_("The district's score, between 0 and the maximum."))


class VerifySerializer(serializers.Serializer):
    scores = VerifiedScoreSerializer(
        many=True,
        required=False,
        default=list,
        help_text=_("Scores that differ from the self-assessment; criteria not sent take the self-assessed score."),
    )
    note = text_field(None, _("Note kept on the scorecard."))
    version = optional_version()

    def validate_scores(self, rows: list[dict]) -> list[dict]:
        return _one_per_criterion(rows)


class ReturnSerializer(serializers.Serializer):
    note = serializers.CharField(
        required=False, allow_blank=True, default="", help_text=_("What the commune should fix; required.")
    )


# --- Awards -------------------------------------------------------------------------------------


class AwardSerializer(serializers.ModelSerializer):
    movement = MovementBriefSerializer(read_only=True, allow_null=True)
    round = RoundBriefSerializer(read_only=True, allow_null=True)
    dvk_model = DvkModelBriefSerializer(read_only=True, allow_null=True)
    recipient_unit = UnitBriefSerializer(read_only=True, help_text=_("The unit rewarded, or of the person rewarded."))
    issuer = UnitBriefSerializer(read_only=True, help_text=_("Who issued it."))
    decision_document = DecisionDocumentSerializer(read_only=True, allow_null=True)
    form_display = _display("get_form_display", _("The form, in words."))

    class Meta:
        model = Award
        fields = [
            "id",
            "movement",
            "round",
            "dvk_model",
            "recipient_unit",
            "recipient_name",
            "form",
            "form_display",
            "issuer",
            "decision_document",
            "date",
            "reason",
            "prize_value_vnd",
            "created_at",
        ]
        read_only_fields = fields


class AwardWriteSerializer(serializers.Serializer):
    movement = ScopedPrimaryKeyField(
        model=Movement,
        scope=_visible_movements,
        unknown=_("Unknown movement."),
        **optional({"help_text": _("Movement (id); taken from the round when only the round is given.")}),
    )
    round = ScopedPrimaryKeyField(
        model=ScoringRound,
        scope=_visible_rounds,
        unknown=_("Unknown round."),
        **optional({"help_text": _("Round (id) the award rewards.")}),
    )
    dvk_model = ScopedPrimaryKeyField(
        model=DvkModel,
        scope=_visible_models,
        unknown=_("Unknown model."),
        **optional({"help_text": _("Dân vận khéo model (id) the award recognizes.")}),
    )
    recipient_unit = unit_field(_("Unknown unit."), help_text=_("The unit rewarded (unit id), within the movement."))
    recipient_name = text_field(200, _("Person or household rewarded; empty when the unit itself is."))
    form = serializers.ChoiceField(choices=AwardForm.choices, help_text=_("commendation, certificate, merit, prize."))
    issuer = ScopedPrimaryKeyField(
        model=Unit, scope=_units_around, unknown=_("Unknown unit."), help_text=_("Issuing unit (unit id).")
    )
    decision_document = document_field(_("Decision (document id), dated on or before the award."))
    date = serializers.DateField(help_text=_("Date of the award (YYYY-MM-DD)."))
    reason = serializers.CharField(help_text=_("Why."))
    prize_value_vnd = VietnameseIntegerField(
        required=False, default=0, help_text=_('Prize in đồng (only for a prize): 2000000 or "2.000.000".')
    )


# --- Dân vận khéo models ------------------------------------------------------------------------


class DvkCriterionSerializer(serializers.ModelSerializer):
    class Meta:
        model = DvkCriterion
        fields = ["id", "text", "target", "achieved", "met", "evidence", "order"]
        read_only_fields = fields


class DvkPillarSerializer(serializers.ModelSerializer):
    class Meta:
        model = DvkPillar
        fields = ["id", "number", "title", "description"]
        read_only_fields = fields


class DvkEventSerializer(serializers.ModelSerializer):
    by = serializers.SerializerMethodField(help_text=_("Who moved it."))

    class Meta:
        model = DvkEvent
        fields = ["id", "from_status", "to_status", "note", "by", "at"]
        read_only_fields = fields

    def get_by(self, event: DvkEvent) -> str | None:
        return _full_name(event.by)


def allowed_transitions(user, model: DvkModel) -> list[str]:
    """The statuses ``user`` may move ``model`` to now; recognizing (or not) is for the level
    above (``permissions.can_recognize``). Recognition still needs every criterion met."""
    if not access.can_edit_unit(user, model.owner_unit):
        return []
    judged = {DvkStatus.RECOGNIZED, DvkStatus.NOT_MET}
    return [
        status
        for status in next_statuses(model.status)
        if status not in judged or permissions.can_recognize(user, model)
    ]


class DvkModelSerializer(serializers.ModelSerializer):
    owner_unit = UnitBriefSerializer(read_only=True, help_text=_("Unit that registered it and answers for it."))
    locality = UnitBriefSerializer(read_only=True, help_text=_("Where it is built."))
    movement = MovementBriefSerializer(read_only=True, allow_null=True)
    recognition_document = DecisionDocumentSerializer(read_only=True, allow_null=True)
    kind_display = _display("get_kind_display", _("The kind, in words."))
    field_display = _display("get_field_display", _("The field, in words."))
    level_display = _display("get_level_display", _("The scope, in words."))
    status_display = _display("get_status_display", _("The status, in words."))
    allowed_transitions = serializers.SerializerMethodField(
        help_text=_("Statuses you may move it to now (for the transition endpoint).")
    )

    class Meta:
        model = DvkModel
        fields = [
            "id",
            "name",
            "kind",
            "kind_display",
            "field",
            "field_display",
            "level",
            "level_display",
            "owner_unit",
            "locality",
            "movement",
            "target_group",
            "is_pilot",
            "registered_on",
            "start_date",
            "end_date",
            "status",
            "status_display",
            "recognized_on",
            "recognition_document",
            "allowed_transitions",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields
        extra_kwargs = {"version": {"help_text": VERSION_OUT_HELP}}

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=DvkStatus.choices)))
    def get_allowed_transitions(self, model: DvkModel) -> list[str]:
        request = self.context.get("request")
        return allowed_transitions(getattr(request, "user", None), model)


class DvkModelDetailSerializer(DvkModelSerializer):
    criteria = DvkCriterionSerializer(many=True, read_only=True, help_text=_("Target, achieved, met, evidence."))
    pillars = DvkPillarSerializer(many=True, read_only=True)
    events = DvkEventSerializer(many=True, read_only=True, help_text=_("Status changes, oldest first."))

    class Meta(DvkModelSerializer.Meta):
        fields = [
            *DvkModelSerializer.Meta.fields,
            "rationale",
            "objectives",
            "methods",
            "forces",
            "timeline",
            "outputs",
            "criteria",
            "pillars",
            "events",
        ]
        read_only_fields = fields


class DvkCriterionInputSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=500, help_text=_("The criterion."))
    target = serializers.CharField(max_length=200, help_text=_("The target."))
    achieved = text_field(200, _("What has been achieved."))
    met = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text=_("Met (null: not judged yet).")
    )
    evidence = text_field(500, _("Evidence."))
    order = serializers.IntegerField(
        min_value=0, max_value=32767, required=False, default=0, help_text=_("Position in the list (smallest first).")
    )


class DvkPillarInputSerializer(serializers.Serializer):
    number = serializers.IntegerField(min_value=1, max_value=32767, help_text=_("Pillar number (1–4), unique."))
    title = serializers.CharField(max_length=300, help_text=_("The pillar."))
    description = text_field(None, _("Description."))


_DVK_TEXTS = {
    "rationale": _("Why the model."),
    "objectives": _("Objectives."),
    "methods": _("Methods."),
    "forces": _("Forces taking part."),
    "outputs": _("Expected outputs."),
}


class DvkModelWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=300, help_text=_("Name of the model."))
    kind = serializers.ChoiceField(
        choices=DvkKind.choices, required=False, default=DvkKind.MODEL, help_text=_("A model or a typical example.")
    )
    field = serializers.ChoiceField(choices=DvkField.choices, help_text=_("Field of work."))
    level = serializers.ChoiceField(choices=DvkLevel.choices, help_text=_("Scope: village, commune, district."))
    owner_unit = unit_field(_("Unknown unit."), help_text=_("Registering unit (unit id)."))
    locality = unit_field(_("Unknown unit."), help_text=_("Where it is built (unit id), within the owner unit."))
    movement = ScopedPrimaryKeyField(
        model=Movement,
        scope=_visible_movements,
        unknown=_("Unknown movement."),
        **optional({"help_text": _("Movement (id) it belongs to.")}),
    )
    target_group = text_field(300, _("Target group."))
    is_pilot = serializers.BooleanField(required=False, default=False, help_text=_("A pilot."))
    registered_on = serializers.DateField(help_text=_("Registration date (YYYY-MM-DD)."))
    rationale = text_field(None, _DVK_TEXTS["rationale"])
    objectives = text_field(None, _DVK_TEXTS["objectives"])
    methods = text_field(None, _DVK_TEXTS["methods"])
    forces = text_field(None, _DVK_TEXTS["forces"])
    timeline = text_field(300, _("Timeline."))
    start_date = serializers.DateField(
        required=False, allow_null=True, default=None, help_text=_("When the model started (YYYY-MM-DD).")
    )
    end_date = serializers.DateField(
        required=False, allow_null=True, default=None, help_text=_("When it ended (YYYY-MM-DD), if it has.")
    )
    outputs = text_field(None, _DVK_TEXTS["outputs"])
    criteria = DvkCriterionInputSerializer(
        many=True, required=False, default=list, help_text=_("Criteria; errors are keyed by position.")
    )
    pillars = DvkPillarInputSerializer(
        many=True, required=False, default=list, help_text=_("Pillars; errors are keyed by position.")
    )


class DvkModelUpdateSerializer(DvkModelWriteSerializer):
    """Changes to a model; a list sent (``criteria``, ``pillars``) replaces it, one not sent is
    kept. The status changes only through the transition endpoint."""

    criteria = DvkCriterionInputSerializer(many=True, required=False, help_text=_("Replaces the criteria when sent."))
    pillars = DvkPillarInputSerializer(many=True, required=False, help_text=_("Replaces the pillars when sent."))
    version = version_field()


class DvkRowsSerializer(serializers.Serializer):
    criteria = DvkCriterionInputSerializer(many=True, required=False)
    pillars = DvkPillarInputSerializer(many=True, required=False)


class DvkTransitionSerializer(serializers.Serializer):
    to_status = serializers.ChoiceField(choices=DvkStatus.choices, help_text=_("The status to move to."))
    note = text_field(None, _("Why; required to stop a model."))
    recognized_on = serializers.DateField(
        required=False, allow_null=True, default=None, help_text=_("Date of the recognition decision (to recognize).")
    )
    recognition_document = document_field(_("Recognition decision (document id)."))
    effective_on = serializers.DateField(
        required=False, allow_null=True, default=None, help_text=_("The day the step happened; default today.")
    )
    version = optional_version()


# --- Household commitments and pledges ----------------------------------------------------------


def items_field(help_text, **kwargs) -> ScopedPrimaryKeyField:
    return ScopedPrimaryKeyField(
        model=CommitmentItem,
        scope=_all_items,
        unknown=_("Unknown commitment item."),
        many=True,
        help_text=help_text,
        **kwargs,
    )


class HouseholdCommitmentSerializer(serializers.ModelSerializer):
    model = DvkModelBriefSerializer(read_only=True)
    village = UnitBriefSerializer(read_only=True)
    items = CommitmentItemSerializer(many=True, read_only=True, help_text=_("Items signed."))
    broken_items = CommitmentItemSerializer(many=True, read_only=True, help_text=_("Items broken, if any."))
    status_display = _display("get_status_display", _("The status, in words."))

    class Meta:
        model = HouseholdCommitment
        fields = [
            "id",
            "model",
            "household_head",
            "village",
            "signed_on",
            "items",
            "status",
            "status_display",
            "broken_items",
            "broken_on",
            "note",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields
        extra_kwargs = {"version": {"help_text": VERSION_OUT_HELP}}


class CommitmentWriteSerializer(serializers.Serializer):
    model = ScopedPrimaryKeyField(
        model=DvkModel,
        scope=_signing_models,
        unknown=_("Unknown model."),
        help_text=_("Dân vận khéo model (id), discussed with the village already."),
    )
    household_head = serializers.CharField(max_length=150, help_text=_("Household head."))
    village = unit_field(_("Unknown village."), help_text=_("Village (unit id), inside the model's locality."))
    signed_on = serializers.DateField(help_text=_("Date signed (YYYY-MM-DD)."))
    items = items_field(_("Ids of the commitment items signed (see /commitment-items/)."))
    note = text_field(500, _("Note."))


class CommitmentUpdateSerializer(CommitmentWriteSerializer):
    """Changes, or recording that the commitment was broken (``status``, ``broken_on``,
    ``broken_items``)."""

    status = serializers.ChoiceField(choices=CommitmentStatus.choices, required=False, help_text=_("kept or broken."))
    broken_on = serializers.DateField(required=False, allow_null=True, help_text=_("Date broken (when broken)."))
    broken_items = items_field(_("Ids of the items broken, among those signed."), required=False)
    version = version_field()


class EmulationPledgeSerializer(serializers.ModelSerializer):
    unit = UnitBriefSerializer(read_only=True, help_text=_("The religious group."))
    items = CommitmentItemSerializer(many=True, read_only=True, help_text=_("Items pledged."))
    result_display = _display("get_result_display", _("The result, in words."))

    class Meta:
        model = EmulationPledge
        fields = [
            "id",
            "unit",
            "year",
            "items",
            "signed_on",
            "representative",
            "result",
            "result_display",
            "assessment",
            "version",
            "created_at",
        ]
        read_only_fields = fields
        extra_kwargs = {"version": {"help_text": VERSION_OUT_HELP}}


class PledgeWriteSerializer(serializers.Serializer):
    unit = unit_field(_("Unknown unit."), help_text=_("The religious group (unit id)."))
    year = serializers.IntegerField(min_value=2000, max_value=2100, help_text=_("Year pledged for."))
    items = items_field(_("Ids of the commitment items pledged."))
    signed_on = serializers.DateField(help_text=_("Date signed, in that year (YYYY-MM-DD)."))
    representative = text_field(150, _("Who signed for the group."))
    result = serializers.ChoiceField(
        choices=PledgeResult.choices, required=False, default=PledgeResult.PLEDGED, help_text=_("Result at year end.")
    )
    assessment = text_field(None, _("Assessment."))


class PledgeUpdateSerializer(PledgeWriteSerializer):
    version = version_field()
