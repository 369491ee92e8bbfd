"""Emulation movements (phong trào thi đua) scored monthly, and Dân vận khéo models built with
households who sign commitments.

Scoring, in one paragraph: a **Movement** targets some kinds of units (villages, offices, schools,
religious groups). For each target type and year it has a **CriteriaSet** of **Criterion** rows
with maximum points and weights. Each month has a **ScoringRound** (draft → open → closed). A
**Scorecard** per unit per round holds one **ScoreEntry** per criterion of the set that was in
force for the round's year: the commune's self-assessed score and the district's verified score,
both kept. A set is frozen once a scorecard uses it, so editing next year's set never changes a
past score. Closing a round ranks the units (``campaigns.ranking``) and marks the selected ones.

Dân vận khéo: a **DvkModel** is registered, surveyed, discussed with the village, launched,
evaluated and recognized (``campaigns.workflow``); it has **DvkCriterion** rows (target, achieved,
met, evidence), **DvkPillar** rows (the four pillars of "Chính quyền thân thiện") and
**HouseholdCommitment** rows whose items come from the extensible **CommitmentItem** list.
Religious groups register an **EmulationPledge** each year.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from organization import access
from organization.models import Document, Unit, UnitKind
from organization.search import fold

from .workflow import DvkStatus

ZERO = Decimal(0)


class AwardQuerySet(access.ScopedQuerySet):
    scope_field = "recipient_unit"


class DvkModelQuerySet(access.ScopedQuerySet):
    scope_field = "owner_unit"

    def visible_to(self, user):
        """Models owned in the user's units, and models built there by a unit above (a district
        model in a commune is seen by that commune, whose households sign its commitments)."""
        if access.is_admin(user):
            return self
        units = access.visible_units(user)
        return self.filter(Q(owner_unit__in=units) | Q(locality__in=units))


class CommitmentQuerySet(access.ScopedQuerySet):
    scope_field = "village"


POINTS = {"max_digits": 7, "decimal_places": 2}


class TargetType(models.TextChoices):
    VILLAGE = "village", _("Village / residential group")
    OFFICE = "office", _("Office")
    SCHOOL = "school", _("School")
    RELIGIOUS_GROUP = "religious_group", _("Religious group")


#: Which unit kinds each target type scores. Offices include the district's departments and the
#: commune and district bodies, since "công sở" means any workplace of the political system.
TARGET_UNIT_KINDS: dict[str, frozenset[str]] = {
    TargetType.VILLAGE: frozenset({UnitKind.VILLAGE, UnitKind.RESIDENTIAL_CLUSTER}),
    TargetType.OFFICE: frozenset(
        {
            UnitKind.OFFICE,
            UnitKind.DEPARTMENT,
            UnitKind.PEOPLES_COMMITTEE,
            UnitKind.PARTY_COMMITTEE,
            UnitKind.BOARD,
            UnitKind.FATHERLAND_FRONT,
            UnitKind.MASS_ORGANIZATION,
        }
    ),
    TargetType.SCHOOL: frozenset({UnitKind.SCHOOL}),
    TargetType.RELIGIOUS_GROUP: frozenset({UnitKind.RELIGIOUS_GROUP}),
}


def target_type_of(unit: Unit) -> str | None:
    for target, kinds in TARGET_UNIT_KINDS.items():
        if unit.kind in kinds:
            return target
    return None


def commune_of(unit: Unit) -> Unit | None:
    """The commune, township or ward holding ``unit`` (itself included); None above that level."""
    from organization.models import COMMUNE_KINDS

    if unit.kind in COMMUNE_KINDS:
        return unit
    ids = [int(part) for part in unit.path.strip("/").split("/") if part]
    return Unit.objects.filter(pk__in=ids, kind__in=COMMUNE_KINDS).order_by("-depth").first()


class MovementStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    ENDED = "ended", _("Ended")


class Movement(models.Model):
    """An emulation movement. ``unit`` is the area it covers (a district or a commune): the
    units scored are inside it, and its district staff run the rounds."""

    name = models.CharField(_("name"), max_length=300)
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="movements",
        verbose_name=_("area"),
        help_text=_("The district or commune whose units take part."),
    )
    launched_by = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="launched_movements", verbose_name=_("launched by")
    )
    launch_date = models.DateField(_("launch date"))
    is_dvk = models.BooleanField(_("Dân vận khéo movement"), default=False)
    target_types = models.JSONField(_("target unit types"), default=list, blank=True)
    regulation_document = models.ForeignKey(
        Document,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("regulation document"),
    )
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=MovementStatus.choices, default=MovementStatus.ACTIVE)
    search_text = models.TextField(editable=False, default="")
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["search_text"])
    objects = access.ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("movement")
        verbose_name_plural = _("movements")
        ordering = ["-launch_date", "-id"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.search_text = fold(" ".join([self.name, self.description]))
        super().save(*args, **kwargs)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        unknown = set(self.target_types or []) - set(TargetType.values)
        if unknown:
            errors["target_types"] = _("Unknown target types: %(names)s.") % {"names": ", ".join(sorted(unknown))}
        elif not self.target_types:
            errors["target_types"] = _("Choose at least one kind of unit to score.")
        if self.unit_id and self.launch_date and not self.unit.is_valid_on(self.launch_date):
            errors["launch_date"] = _("%(unit)s did not exist on that date.") % {"unit": self.unit.name}
        if errors:
            raise ValidationError(errors)

    def get_target_types_display(self) -> str:
        labels = dict(TargetType.choices)
        return ", ".join(str(labels.get(t, t)) for t in self.target_types or [])


class CriteriaSet(models.Model):
    """The criteria for one target type in one year. Frozen (``is_frozen``) once scored."""

    movement = models.ForeignKey(Movement, on_delete=models.CASCADE, related_name="criteria_sets")
    target_type = models.CharField(_("target type"), max_length=20, choices=TargetType.choices)
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    total_points = models.DecimalField(_("total points"), **POINTS, validators=[MinValueValidator(Decimal("0.01"))])
    note = models.CharField(_("note"), max_length=300, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("criteria set")
        verbose_name_plural = _("criteria sets")
        ordering = ["movement", "-year", "target_type"]
        constraints = [
            models.UniqueConstraint(fields=["movement", "target_type", "year"], name="criteria_set_once_per_year"),
        ]

    def __str__(self) -> str:
        return f"{self.get_target_type_display()} {self.year}"

    @property
    def scope_unit(self) -> Unit:
        return self.movement.unit

    @property
    def is_frozen(self) -> bool:
        return self.scorecards.exists()

    def weighted_max(self) -> Decimal:
        return sum((c.max_points * c.weight for c in self.criteria.all()), ZERO)

    def problems(self) -> list[str]:
        """Why the set cannot be used for scoring yet (empty when it is valid)."""
        criteria = list(self.criteria.all())
        if not criteria:
            return [str(_("The set has no criteria."))]
        found = sum((c.max_points for c in criteria), ZERO)
        if found != self.total_points:
            return [
                str(_("The criteria's maximum points add up to %(found)s, not the set's total of %(total)s."))
                % {"found": format_points(found), "total": format_points(self.total_points)}
            ]
        return []


def format_points(value: Decimal) -> str:
    """Vietnamese writing of a score: "7,5", "100"."""
    text = f"{value.normalize():f}" if value == value.to_integral() else f"{value:f}".rstrip("0")
    return text.replace(".", ",")


class Criterion(models.Model):
    criteria_set = models.ForeignKey(CriteriaSet, on_delete=models.CASCADE, related_name="criteria")
    code = models.CharField(_("code"), max_length=20)
    text = models.CharField(_("criterion"), max_length=500)
    group = models.CharField(_("group"), max_length=200, blank=True)
    max_points = models.DecimalField(_("maximum points"), **POINTS, validators=[MinValueValidator(Decimal("0.01"))])
    weight = models.DecimalField(
        _("weight"), max_digits=5, decimal_places=2, default=Decimal(1), validators=[MinValueValidator(Decimal("0.01"))]
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["criteria_set", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["criteria_set", "code"], name="criterion_code_unique_in_set"),
            models.CheckConstraint(condition=Q(max_points__gt=0), name="criterion_max_points_positive"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="criterion_weight_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.code}. {self.text}"


class RoundStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class ScoringRound(models.Model):
    """One month of a movement. ``month`` is the first day of the month scored."""

    movement = models.ForeignKey(Movement, on_delete=models.CASCADE, related_name="rounds")
    month = models.DateField(_("month"))
    status = models.CharField(_("status"), max_length=10, choices=RoundStatus.choices, default=RoundStatus.DRAFT)
    closes_on = models.DateField(_("closing date"), null=True, blank=True)
    selected_per_type = models.PositiveSmallIntegerField(
        _("selected per type"),
        default=3,
        validators=[MinValueValidator(1)],
        help_text=_(
            "How many of the best units of each type are selected (bình chọn); ties at the boundary are all selected."
        ),
    )
    min_percent_for_selection = models.DecimalField(
        _("minimum score for selection (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(80),
        validators=[MinValueValidator(ZERO), MaxValueValidator(Decimal(100))],
    )
    opened_at = models.DateTimeField(null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("scoring round")
        verbose_name_plural = _("scoring rounds")
        ordering = ["movement", "-month"]
        constraints = [
            models.UniqueConstraint(fields=["movement", "month"], name="scoring_round_once_per_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="scoring_round_month_first_day"),
        ]

    def __str__(self) -> str:
        return f"{self.movement.name} – {self.month:%m/%Y}"

    @property
    def scope_unit(self) -> Unit:
        return self.movement.unit

    @property
    def year(self) -> int:
        return self.month.year

    def month_end(self) -> date:
        from calendar import monthrange

        return self.month.replace(day=monthrange(self.month.year, self.month.month)[1])


class RoundAction(models.TextChoices):
    OPEN = "open", _("Opened")
    CLOSE = "close", _("Closed")
    REOPEN = "reopen", _("Reopened")


class RoundEvent(models.Model):
    """Opening, closing and reopening of a round, with the reason required to reopen."""

    round = models.ForeignKey(ScoringRound, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=10, choices=RoundAction.choices)
    reason = models.TextField(_("reason"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("round event")
        verbose_name_plural = _("round events")
        ordering = ["round", "at", "id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.at:%d/%m/%Y %H:%M}"


class ScorecardStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    VERIFIED = "verified", _("Verified")


class Scorecard(models.Model):
    """One unit's scores in one round. Totals are weighted sums kept in step by the services;
    ranks and ``selected`` are written when the round closes and cleared when it reopens."""

    round = models.ForeignKey(ScoringRound, on_delete=models.PROTECT, related_name="scorecards")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="scorecards", verbose_name=_("unit"))
    target_type = models.CharField(_("target type"), max_length=20, choices=TargetType.choices)
    commune = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("commune"),
        help_text=_("The commune holding the unit; empty for district offices."),
    )
    criteria_set = models.ForeignKey(CriteriaSet, on_delete=models.PROTECT, related_name="scorecards")
    status = models.CharField(
        _("status"), max_length=10, choices=ScorecardStatus.choices, default=ScorecardStatus.DRAFT
    )
    self_total = models.DecimalField(_("self-assessed total"), max_digits=9, decimal_places=2, default=ZERO)
    verified_total = models.DecimalField(_("verified total"), max_digits=9, decimal_places=2, null=True, blank=True)
    max_total = models.DecimalField(_("maximum total"), max_digits=9, decimal_places=2, default=ZERO)
    rank_in_type = models.PositiveIntegerField(_("rank in type"), null=True, blank=True)
    rank_in_commune = models.PositiveIntegerField(_("rank in commune"), null=True, blank=True)
    rank_overall = models.PositiveIntegerField(_("rank overall"), null=True, blank=True)
    selected = models.BooleanField(_("selected"), default=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    verification_note = models.TextField(_("verification note"), blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = access.ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("scorecard")
        verbose_name_plural = _("scorecards")
        ordering = ["round", "target_type", "unit__path"]
        constraints = [
            models.UniqueConstraint(fields=["round", "unit"], name="scorecard_once_per_round"),
            models.CheckConstraint(condition=Q(self_total__gte=0), name="scorecard_self_total_non_negative"),
        ]
        indexes = [models.Index(fields=["round", "status"], name="scorecard_round_status")]

    def __str__(self) -> str:
        return f"{self.unit.name} – {self.round.month:%m/%Y}"

    @property
    def final_total(self) -> Decimal:
        """What ranks: the verified total once verified, else the self-assessed one."""
        return self.verified_total if self.verified_total is not None else self.self_total

    @property
    def percent(self) -> Decimal:
        if not self.max_total:
            return ZERO
        return (self.final_total * 100 / self.max_total).quantize(Decimal("0.01"))


class ScoreEntry(models.Model):
    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="entries")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    self_score = models.DecimalField(_("self-assessed score"), **POINTS, null=True, blank=True)
    verified_score = models.DecimalField(_("verified score"), **POINTS, null=True, blank=True)
    evidence_note = models.CharField(_("evidence"), max_length=500, blank=True)
    evidence_photo = models.FileField(_("evidence photo"), upload_to="scorecards/%Y/", blank=True)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        ordering = ["scorecard", "criterion__order", "criterion_id"]
        constraints = [
            models.UniqueConstraint(fields=["scorecard", "criterion"], name="score_entry_once_per_criterion"),
            models.CheckConstraint(condition=Q(self_score__gte=0), name="score_entry_self_non_negative"),
            models.CheckConstraint(condition=Q(verified_score__gte=0), name="score_entry_verified_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion.code}: {self.self_score}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        for name in ("self_score", "verified_score"):
            value = getattr(self, name)
            if value is None:
                continue
            if value < 0:
                errors[name] = _("A score cannot be negative.")
            elif value > self.criterion.max_points:
                errors[name] = _("%(code)s: at most %(max)s points.") % {
                    "code": self.criterion.code,
                    "max": format_points(self.criterion.max_points),
                }
        if errors:
            raise ValidationError(errors)


class AwardForm(models.TextChoices):
    COMMENDATION = "commendation", _("Public commendation (biểu dương)")
    CERTIFICATE = "certificate", _("Certificate of merit (Giấy khen)")
    MERIT = "merit", _("Certificate of merit, provincial or higher (Bằng khen)")
    PRIZE = "prize", _("Prize")


class Award(models.Model):
    """A reward for a unit (or a person or household, named in ``recipient_name``)."""

    movement = models.ForeignKey(
        Movement, on_delete=models.PROTECT, null=True, blank=True, related_name="awards", verbose_name=_("movement")
    )
    round = models.ForeignKey(
        ScoringRound, on_delete=models.PROTECT, null=True, blank=True, related_name="awards", verbose_name=_("round")
    )
    dvk_model = models.ForeignKey(
        "DvkModel", on_delete=models.PROTECT, null=True, blank=True, related_name="awards", verbose_name=_("model")
    )
    recipient_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="awards",
        verbose_name=_("recipient unit"),
        help_text=_("The unit rewarded, or the unit of the person or household rewarded."),
    )
    recipient_name = models.CharField(
        _("person or household"),
        max_length=200,
        blank=True,
        help_text=_("Leave empty when the unit itself is rewarded."),
    )
    form = models.CharField(_("form"), max_length=20, choices=AwardForm.choices)
    issuer = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("issued by"))
    decision_document = models.ForeignKey(
        Document, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("decision")
    )
    date = models.DateField(_("date"))
    reason = models.TextField(_("reason"))
    prize_value_vnd = models.BigIntegerField(_("prize (đồng)"), default=0, validators=[MinValueValidator(0)])
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = AwardQuerySet.as_manager()

    class Meta:
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(prize_value_vnd__gte=0), name="award_prize_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.get_form_display()} – {self.recipient_name or self.recipient_unit.name}"

    @property
    def scope_unit(self) -> Unit:
        return self.recipient_unit

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.round_id and self.movement_id and self.round.movement_id != self.movement_id:
            errors["round"] = _("The round belongs to another movement.")
        if self.round_id and not self.movement_id:
            self.movement = self.round.movement
        if self.movement_id and self.recipient_unit_id and not self.recipient_unit.is_descendant_of(self.movement.unit):
            errors["recipient_unit"] = _("The recipient is outside the movement's area.")
        if self.form != AwardForm.PRIZE and self.prize_value_vnd:
            errors["prize_value_vnd"] = _("Only a prize carries a sum of money.")
        if self.decision_document_id and self.date and self.decision_document.date > self.date:
            errors["date"] = _("An award is dated on or after its decision.")
        if errors:
            raise ValidationError(errors)


# --- Dân vận khéo models ---------------------------------------------------------------------


class DvkKind(models.TextChoices):
    MODEL = "model", _("Model")
    EXEMPLAR = "exemplar", _("Exemplar")


class DvkField(models.TextChoices):
    ECONOMY = "economy", _("Economy")
    CULTURE_SOCIETY = "culture_society", _("Culture and society")
    DEFENCE_SECURITY = "defence_security", _("Defence and security")
    POLITICAL_SYSTEM = "political_system", _("Political system")


class DvkLevel(models.TextChoices):
    VILLAGE = "village", _("Village")
    COMMUNE = "commune", _("Commune")
    DISTRICT = "district", _("District")


class DvkModel(models.Model):
    name = models.CharField(_("name"), max_length=300)
    kind = models.CharField(_("kind"), max_length=10, choices=DvkKind.choices, default=DvkKind.MODEL)
    field = models.CharField(_("field"), max_length=20, choices=DvkField.choices)
    level = models.CharField(_("scope"), max_length=10, choices=DvkLevel.choices)
    owner_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="dvk_models",
        verbose_name=_("owner unit"),
        help_text=_("The district or commune that registered the model and answers for it."),
    )
    locality = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("locality"),
        help_text=_("Where it is built; household commitments must come from inside it."),
    )
    movement = models.ForeignKey(
        Movement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dvk_models",
        verbose_name=_("movement"),
    )
    target_group = models.CharField(_("target group"), max_length=300, blank=True)
    is_pilot = models.BooleanField(_("pilot"), default=False)
    registered_on = models.DateField(_("registered on"))
    rationale = models.TextField(_("rationale"), blank=True)
    objectives = models.TextField(_("objectives"), blank=True)
    methods = models.TextField(_("methods"), blank=True)
    forces = models.TextField(_("forces"), blank=True)
    timeline = models.CharField(_("timeline"), max_length=300, blank=True)
    start_date = models.DateField(_("start"), null=True, blank=True)
    end_date = models.DateField(_("end"), null=True, blank=True)
    outputs = models.TextField(_("expected outputs"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=DvkStatus.choices, default=DvkStatus.REGISTERED)
    recognition_document = models.ForeignKey(
        Document,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recognition decision"),
    )
    recognized_on = models.DateField(_("recognized on"), null=True, blank=True)
    search_text = models.TextField(editable=False, default="")
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["search_text"])
    objects = DvkModelQuerySet.as_manager()

    class Meta:
        verbose_name = _("Dân vận khéo model")
        verbose_name_plural = _("Dân vận khéo models")
        ordering = ["-registered_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="dvk_model_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.search_text = fold(" ".join([self.name, self.target_group, self.objectives]))
        super().save(*args, **kwargs)

    @property
    def scope_unit(self) -> Unit:
        return self.owner_unit

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.locality_id and self.owner_unit_id and not self.locality.is_descendant_of(self.owner_unit):
            errors["locality"] = _("The locality must lie within the owner unit.")
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("The end is before the start.")
        if self.owner_unit_id and self.registered_on and not self.owner_unit.is_valid_on(self.registered_on):
            errors["registered_on"] = _("%(unit)s did not exist on that date.") % {"unit": self.owner_unit.name}
        if errors:
            raise ValidationError(errors)


class DvkCriterion(models.Model):
    model = models.ForeignKey(DvkModel, on_delete=models.CASCADE, related_name="criteria")
    text = models.CharField(_("criterion"), max_length=500)
    target = models.CharField(_("target"), max_length=200)
    achieved = models.CharField(_("achieved"), max_length=200, blank=True)
    met = models.BooleanField(_("met"), null=True, blank=True)
    evidence = models.CharField(_("evidence"), max_length=500, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("model criterion")
        verbose_name_plural = _("model criteria")
        ordering = ["model", "order", "id"]

    def __str__(self) -> str:
        return self.text


class DvkPillar(models.Model):
    model = models.ForeignKey(DvkModel, on_delete=models.CASCADE, related_name="pillars")
    number = models.PositiveSmallIntegerField(_("number"), validators=[MinValueValidator(1)])
    title = models.CharField(_("pillar"), max_length=300)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("pillar")
        verbose_name_plural = _("pillars")
        ordering = ["model", "number"]
        constraints = [models.UniqueConstraint(fields=["model", "number"], name="dvk_pillar_number_unique")]

    def __str__(self) -> str:
        return f"({self.number}) {self.title}"


class DvkEvent(models.Model):
    """Every status change of a model, with who, when and why."""

    model = models.ForeignKey(DvkModel, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(_("from"), max_length=20, choices=DvkStatus.choices)
    to_status = models.CharField(_("to"), max_length=20, choices=DvkStatus.choices)
    note = models.TextField(_("note"), blank=True)
    effective_on = models.DateField(
        _("effective on"),
        help_text=_("The day the change happened (a survey, a village meeting), which may be before it was recorded."),
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("model event")
        verbose_name_plural = _("model events")
        ordering = ["model", "effective_on", "at", "id"]

    def __str__(self) -> str:
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"


class CommitmentItem(models.Model):
    """One line households may sign ("Không còn hủ tục lạc hậu"…). Extensible by admins;
    retired items stay on old commitments but are not offered again."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    text = models.CharField(_("commitment"), max_length=300)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("offered"), default=True)

    class Meta:
        verbose_name = _("commitment item")
        verbose_name_plural = _("commitment items")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.text


class CommitmentStatus(models.TextChoices):
    KEPT = "kept", _("Kept")
    BROKEN = "broken", _("Broken")


class HouseholdCommitment(models.Model):
    model = models.ForeignKey(DvkModel, on_delete=models.PROTECT, related_name="commitments", verbose_name=_("model"))
    household_head = models.CharField(_("household head"), max_length=150)
    village = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("village"))
    signed_on = models.DateField(_("signed on"))
    items = models.ManyToManyField(CommitmentItem, related_name="+", verbose_name=_("items signed"))
    status = models.CharField(
        _("status"), max_length=10, choices=CommitmentStatus.choices, default=CommitmentStatus.KEPT
    )
    broken_items = models.ManyToManyField(CommitmentItem, related_name="+", blank=True, verbose_name=_("items broken"))
    broken_on = models.DateField(_("broken on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    search_text = models.TextField(editable=False, default="")
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["search_text"])
    objects = CommitmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("household commitment")
        verbose_name_plural = _("household commitments")
        ordering = ["-signed_on", "household_head"]
        constraints = [
            models.UniqueConstraint(
                fields=["model", "village", "household_head"], name="household_commitment_once_per_model"
            ),
            models.CheckConstraint(
                condition=Q(status="kept", broken_on__isnull=True) | Q(status="broken", broken_on__isnull=False),
                name="household_commitment_broken_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.household_head

    def save(self, *args, **kwargs) -> None:
        self.search_text = fold(self.household_head)
        super().save(*args, **kwargs)

    @property
    def scope_unit(self) -> Unit:
        return self.village

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.model_id and self.village_id and not self.village.is_descendant_of(self.model.locality):
            errors["village"] = _("This household is outside the model's area (%(area)s).") % {
                "area": self.model.locality.name
            }
        if self.status == CommitmentStatus.BROKEN and not self.broken_on:
            errors["broken_on"] = _("Give the date the commitment was broken.")
        if self.status == CommitmentStatus.KEPT and self.broken_on:
            errors["broken_on"] = _("A kept commitment has no date of breaking.")
        if self.broken_on and self.signed_on and self.broken_on < self.signed_on:
            errors["broken_on"] = _("A commitment cannot be broken before it was signed.")
        if errors:
            raise ValidationError(errors)


class PledgeResult(models.TextChoices):
    PLEDGED = "pledged", _("Pledged")
    ACHIEVED = "achieved", _("Achieved")
    NOT_ACHIEVED = "not_achieved", _("Not achieved")


class EmulationPledge(models.Model):
    """A religious group's yearly emulation registration ("đăng ký thi đua"), e.g. a parish
    pledging no child or consanguineous marriage."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="pledges", verbose_name=_("religious group"))
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    items = models.ManyToManyField(CommitmentItem, related_name="+", verbose_name=_("items pledged"))
    signed_on = models.DateField(_("signed on"))
    representative = models.CharField(_("representative"), max_length=150, blank=True)
    result = models.CharField(_("result"), max_length=14, choices=PledgeResult.choices, default=PledgeResult.PLEDGED)
    assessment = models.TextField(_("assessment"), blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = access.ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("emulation pledge")
        verbose_name_plural = _("emulation pledges")
        ordering = ["-year", "unit__path"]
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="emulation_pledge_once_per_year")]

    def __str__(self) -> str:
        return f"{self.unit.name} {self.year}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.unit_id and self.unit.kind != UnitKind.RELIGIOUS_GROUP:
            errors["unit"] = _("Pledges are registered by religious groups.")
        if self.signed_on and self.year and self.signed_on.year != self.year:
            errors["signed_on"] = _("The pledge is signed in the year it is for.")
        if errors:
            raise ValidationError(errors)
