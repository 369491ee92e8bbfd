"""Grassroots programs (chương trình ra quân) with their work items, contributions and
participation; road projects and the land donations that built them; site clearance (GPMB).

Money is whole đồng (``BigIntegerField``); areas and lengths are Decimals with the unit in the
field name. Hedge words of reports ("trên", "gần") are kept as a ``qualifier`` so "over 20,000"
stays honest. Every record belongs to a ``unit`` (the host commune, or the district) and is seen
by users whose subtree holds it.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from organization import access
from organization.models import Document, Unit
from organization.search import fold

ZERO = Decimal(0)
#: One household giving more than this is a typing error, not a gift (10 ha; the 2,180 Bảo Yên
#: households gave 649,003 m² in all, about 300 m² each).
MAX_DONATION_AREA_M2 = Decimal(100_000)
#: A rural road longer than this is a typing error (metres).
MAX_ROAD_LENGTH_M = Decimal(100_000)


ScopedQuerySet = access.ScopedQuerySet


class Qualifier(models.TextChoices):
    EXACT = "exact", _("exactly")
    OVER = "over", _("over (trên)")
    ALMOST = "almost", _("almost (gần)")


def check_qualifier(qualifier: str, value) -> str | None:
    """A hedge word describes a round, positive figure ("trên 20.000", "gần 10 tỷ"); on zero or
    on a figure like 20.137 it contradicts itself."""
    if qualifier == Qualifier.EXACT or value is None:
        return None
    if value <= 0:
        return _("“Over” or “almost” cannot qualify zero.")
    if value % 10 != 0:
        return _("“Over” or “almost” qualifies a round figure (e.g. 20.000); enter the exact value as exact.")
    return None


class OrganizerLevel(models.TextChoices):
    DISTRICT = "district", _("District")
    COMMUNE = "commune", _("Commune")


class ProgramStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    SURVEYED = "surveyed", _("Surveyed")
    HELD = "held", _("Held")
    REVIEWED = "reviewed", _("Reviewed")


#: planned → surveyed → held → reviewed, one step at a time (a survey may be skipped).
PROGRAM_TRANSITIONS = {
    ProgramStatus.PLANNED: {ProgramStatus.SURVEYED, ProgramStatus.HELD},
    ProgramStatus.SURVEYED: {ProgramStatus.HELD},
    ProgramStatus.HELD: {ProgramStatus.REVIEWED},
    ProgramStatus.REVIEWED: set(),
}


class ProgramField(models.TextChoices):
    ENVIRONMENT = "environment", _("Environment")
    INFRASTRUCTURE = "infrastructure", _("Rural infrastructure")
    ECONOMY = "economy", _("Production and livelihoods")
    HOUSING = "housing", _("Housing for the poor")
    HEALTH = "health", _("Health")
    CULTURE = "culture", _("Culture and society")
    SECURITY = "security", _("Defence and security")
    PERSUASION = "persuasion", _("Persuasion and propaganda")


class Program(models.Model):
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="programs",
        verbose_name=_("host commune"),
        help_text=_("The commune (or township) where the program takes place."),
    )
    village = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("village")
    )
    organizer_level = models.CharField(_("organized at"), max_length=16, choices=OrganizerLevel.choices)
    organizer = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="organized_programs", verbose_name=_("organizer")
    )
    title = models.CharField(_("title"), max_length=300)
    date = models.DateField(_("date"))
    fields = models.JSONField(_("fields"), default=list, blank=True)
    basis_document = models.ForeignKey(
        Document, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("basis document")
    )
    survey_notes = models.TextField(_("survey notes"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=ProgramStatus.choices, default=ProgramStatus.PLANNED)
    summary = models.TextField(_("results"), blank=True)
    search_text = models.TextField(editable=False, default="")
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["search_text"])
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("program")
        verbose_name_plural = _("programs")
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(fields=["unit", "date"], name="program_unit_date"),
            models.Index(fields=["organizer_level", "date"], name="program_level_date"),
        ]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} · {self.title}"

    def save(self, *args, **kwargs) -> None:
        self.search_text = fold(" ".join([self.title, self.survey_notes, self.summary]))
        super().save(*args, **kwargs)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.unit_id and self.date and not self.unit.is_valid_on(self.date):
            errors["date"] = _("%(unit)s did not exist on that date.") % {"unit": self.unit.name}
        if self.village_id and self.unit_id and not self.village.is_descendant_of(self.unit):
            errors["village"] = _("The village must belong to the host commune.")
        if self.status in {ProgramStatus.HELD, ProgramStatus.REVIEWED} and self.date and self.date > today():
            errors["date"] = _("A program that has been held cannot be dated in the future.")
        unknown = set(self.fields or []) - set(ProgramField.values)
        if unknown:
            errors["fields"] = _("Unknown fields: %(names)s.") % {"names": ", ".join(sorted(unknown))}
        if errors:
            raise ValidationError(errors)


def today() -> date:
    return timezone.localdate()


class WorkCategory(models.TextChoices):
    CLEAN_UP = "clean_up", _("Clean-up")
    WASTE = "waste", _("Waste collection and sorting")
    GREENERY = "greenery", _("Flowers and trees")
    INFRASTRUCTURE = "infrastructure", _("Rural infrastructure")
    PRODUCTION = "production", _("Production models")
    HOUSING = "housing", _("Replacing makeshift houses")
    HEALTH = "health", _("Health care")
    PERSUASION = "persuasion", _("Persuasion")
    OTHER = "other", _("Other")


class WorkItem(models.Model):
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="work_items")
    category = models.CharField(_("category"), max_length=20, choices=WorkCategory.choices)
    description = models.CharField(_("description"), max_length=300)
    quantity = models.DecimalField(
        _("quantity"), max_digits=14, decimal_places=2, default=ZERO, validators=[MinValueValidator(ZERO)]
    )
    unit_of_measure = models.CharField(_("unit of measure"), max_length=30, blank=True)
    location = models.CharField(_("location"), max_length=200, blank=True)
    done = models.BooleanField(_("done"), default=False)

    class Meta:
        verbose_name = _("work item")
        verbose_name_plural = _("work items")
        ordering = ["program", "id"]
        constraints = [models.CheckConstraint(condition=Q(quantity__gte=0), name="work_item_quantity_non_negative")]

    def __str__(self) -> str:
        return self.description


class ContributorType(models.TextChoices):
    AGENCIES = "agencies", _("Agencies and units")
    LOCALITIES = "localities", _("Localities")
    BUSINESSES = "businesses", _("Businesses")
    OFFICIALS = "officials", _("Officials and civil servants")
    ARMED_FORCES = "armed_forces", _("Armed forces")
    RESIDENTS = "residents", _("Residents")
    HOUSEHOLDS = "households", _("Households")


class ContributionKind(models.TextChoices):
    CASH = "cash", _("Cash")
    IN_KIND = "in_kind", _("In kind")
    LABOUR_DAYS = "labour_days", _("Labour-days")
    LAND = "land", _("Land")
    ASSETS_ON_LAND = "assets_on_land", _("Assets on land")
    TREES = "trees", _("Trees")


class Contribution(models.Model):
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="contributions")
    contributor_type = models.CharField(_("contributed by"), max_length=20, choices=ContributorType.choices)
    kind = models.CharField(_("kind"), max_length=20, choices=ContributionKind.choices)
    quantity = models.DecimalField(
        _("quantity"), max_digits=16, decimal_places=2, default=ZERO, validators=[MinValueValidator(ZERO)]
    )
    unit_of_measure = models.CharField(_("unit of measure"), max_length=30, blank=True)
    value_vnd = models.BigIntegerField(_("value (đồng)"), default=0, validators=[MinValueValidator(0)])
    qualifier = models.CharField(_("qualifier"), max_length=8, choices=Qualifier.choices, default=Qualifier.EXACT)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("contribution")
        verbose_name_plural = _("contributions")
        ordering = ["program", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=0), name="contribution_quantity_non_negative"),
            models.CheckConstraint(condition=Q(value_vnd__gte=0), name="contribution_value_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value_vnd} đ"

    def clean(self) -> None:
        problem = check_qualifier(self.qualifier, self.value_vnd or self.quantity)
        if problem:
            raise ValidationError({"qualifier": problem})


class ParticipantCategory(models.TextChoices):
    OFFICIALS = "officials", _("Officials and civil servants")
    ARMED_FORCES = "armed_forces", _("Armed forces")
    RESIDENTS = "residents", _("Residents")
    MEMBERS = "members", _("Association members")
    YOUTH = "youth", _("Youth union members")
    PUPILS = "pupils", _("Pupils")
    PARTY_MEMBERS = "party_members", _("Party members")


class Participation(models.Model):
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="participation")
    category = models.CharField(_("category"), max_length=20, choices=ParticipantCategory.choices)
    person_times = models.PositiveIntegerField(_("person-times"))
    qualifier = models.CharField(_("qualifier"), max_length=8, choices=Qualifier.choices, default=Qualifier.EXACT)

    class Meta:
        verbose_name = _("participation")
        verbose_name_plural = _("participation")
        ordering = ["program", "id"]
        constraints = [
            models.UniqueConstraint(fields=["program", "category"], name="participation_one_row_per_category"),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()}: {self.person_times}"

    def clean(self) -> None:
        problem = check_qualifier(self.qualifier, self.person_times)
        if problem:
            raise ValidationError({"qualifier": problem})


class Surface(models.TextChoices):
    CONCRETE = "concrete", _("Concrete")
    ASPHALT = "asphalt", _("Asphalt")
    GRAVEL = "gravel", _("Gravel")
    EARTH = "earth", _("Earth")


class RoadProject(models.Model):
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="road_projects", verbose_name=_("commune"))
    village = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("village")
    )
    program = models.ForeignKey(
        Program, on_delete=models.SET_NULL, null=True, blank=True, related_name="roads", verbose_name=_("program")
    )
    name = models.CharField(_("name"), max_length=300)
    year = models.PositiveSmallIntegerField(_("year"))
    length_m = models.DecimalField(_("length (m)"), max_digits=10, decimal_places=2)
    road_width_m = models.DecimalField(_("road bed width (m)"), max_digits=6, decimal_places=2, null=True, blank=True)
    surface_width_m = models.DecimalField(_("surface width (m)"), max_digits=6, decimal_places=2, null=True, blank=True)
    surface = models.CharField(_("surface"), max_length=16, choices=Surface.choices, default=Surface.CONCRETE)
    total_investment_vnd = models.BigIntegerField(_("total investment (đồng)"), default=0)
    people_share_vnd = models.BigIntegerField(_("people's share (đồng)"), default=0)
    search_text = models.TextField(editable=False, default="")
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["search_text"])
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("road project")
        verbose_name_plural = _("road projects")
        ordering = ["-year", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(length_m__gt=0), name="road_length_positive"),
            models.CheckConstraint(condition=Q(total_investment_vnd__gte=0), name="road_investment_non_negative"),
            models.CheckConstraint(
                condition=Q(people_share_vnd__gte=0) & Q(people_share_vnd__lte=models.F("total_investment_vnd")),
                name="road_people_share_within_investment",
            ),
        ]
        indexes = [models.Index(fields=["unit", "year"], name="road_unit_year")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.search_text = fold(self.name)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.length_m is not None and not (ZERO < self.length_m <= MAX_ROAD_LENGTH_M):
            errors["length_m"] = _("The length must be above 0 and at most 100 km.")
        if (self.people_share_vnd or 0) > (self.total_investment_vnd or 0):
            errors["people_share_vnd"] = _("The people's share cannot exceed the total investment.")
        if self.village_id and self.unit_id and not self.village.is_descendant_of(self.unit):
            errors["village"] = _("The village must belong to the commune.")
        if self.program_id and self.unit_id and self.program.unit_id != self.unit_id:
            errors["program"] = _("The program must be held in the same commune.")
        if errors:
            raise ValidationError(errors)


class DonationPurpose(models.TextChoices):
    ROAD = "road", _("Road")
    COMMON_AREA = "common_area", _("Common area")
    SCHOOL = "school", _("School")
    OTHER = "other", _("Other")


def consent_path(instance: LandDonation, filename: str) -> str:
    return f"donations/{instance.unit_id}/{filename}"


class LandDonation(models.Model):
    """One household's gift. Roll-ups read this table once, so a donation tied to a road that is
    tied to a program is still counted once (see programs.metrics)."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="land_donations", verbose_name=_("commune"))
    village = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("village")
    )
    road = models.ForeignKey(
        RoadProject, on_delete=models.SET_NULL, null=True, blank=True, related_name="donations", verbose_name=_("road")
    )
    program = models.ForeignKey(
        Program, on_delete=models.SET_NULL, null=True, blank=True, related_name="donations", verbose_name=_("program")
    )
    donor = models.CharField(_("household head"), max_length=200)
    donated_on = models.DateField(_("date"))
    purpose = models.CharField(
        _("purpose"), max_length=16, choices=DonationPurpose.choices, default=DonationPurpose.ROAD
    )
    area_m2 = models.DecimalField(_("land (m²)"), max_digits=12, decimal_places=2, default=ZERO)
    trees = models.JSONField(_("trees by species"), default=dict, blank=True, help_text=_('E.g. {"quế": 120}'))
    other_assets = models.CharField(_("other assets"), max_length=300, blank=True)
    labour_days = models.DecimalField(_("labour-days"), max_digits=8, decimal_places=1, default=ZERO)
    cash_vnd = models.BigIntegerField(_("cash (đồng)"), default=0)
    value_vnd = models.BigIntegerField(_("total value (đồng)"), default=0)
    consent_file = models.FileField(_("signed consent"), upload_to=consent_path, blank=True)
    search_text = models.TextField(editable=False, default="")
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["search_text"])
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("land donation")
        verbose_name_plural = _("land donations")
        ordering = ["-donated_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(area_m2__gte=0) & Q(labour_days__gte=0) & Q(cash_vnd__gte=0) & Q(value_vnd__gte=0),
                name="donation_amounts_non_negative",
            ),
        ]
        indexes = [models.Index(fields=["unit", "donated_on"], name="donation_unit_date")]

    def __str__(self) -> str:
        return f"{self.donor} · {self.area_m2} m²"

    def save(self, *args, **kwargs) -> None:
        self.search_text = fold(" ".join([self.donor, self.other_assets]))
        super().save(*args, **kwargs)

    @property
    def tree_count(self) -> int:
        return sum(int(count) for count in (self.trees or {}).values())

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.area_m2 is not None and self.area_m2 > MAX_DONATION_AREA_M2:
            errors["area_m2"] = _("%(area)s m² from one household is not plausible (at most 100.000 m²).") % {
                "area": self.area_m2
            }
        if self.donated_on and self.donated_on > today():
            errors["donated_on"] = _("A donation cannot be dated in the future.")
        if self.unit_id and self.donated_on and not self.unit.is_valid_on(self.donated_on):
            errors["donated_on"] = _("%(unit)s did not exist on that date.") % {"unit": self.unit.name}
        if self.village_id and self.unit_id and not self.village.is_descendant_of(self.unit):
            errors["village"] = _("The village must belong to the commune.")
        if not isinstance(self.trees, dict) or any(
            not isinstance(count, int) or count < 0 for count in (self.trees or {}).values()
        ):
            errors["trees"] = _("Trees are counted per species as whole, non-negative numbers.")
        if (self.cash_vnd or 0) > (self.value_vnd or 0):
            errors["value_vnd"] = _("The total value includes the cash, so it cannot be smaller.")
        if self.road_id and self.unit_id and self.road.unit_id != self.unit_id:
            errors["road"] = _("The road must be in the same commune.")
        if self.program_id and self.unit_id and self.program.unit_id != self.unit_id:
            errors["program"] = _("The program must be held in the same commune.")
        if not (self.area_m2 or self.tree_count or self.labour_days or self.cash_vnd or self.other_assets):
            errors["area_m2"] = _("Record at least one thing given: land, trees, assets, labour or cash.")
        if errors:
            raise ValidationError(errors)


class ClearanceStatus(models.TextChoices):
    INVENTORY = "inventory", _("Inventory")
    PLAN = "plan", _("Compensation plan")
    APPROVED = "approved", _("Plan approved")
    PAID = "paid", _("Compensation paid")
    HANDED_OVER = "handed_over", _("Site handed over")
    DONE = "done", _("Done")


CLEARANCE_ORDER = list(ClearanceStatus.values)


class SiteClearanceProject(models.Model):
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="clearance_projects", verbose_name=_("responsible unit")
    )
    communes = models.ManyToManyField(Unit, related_name="+", verbose_name=_("communes"), blank=True)
    name = models.CharField(_("project"), max_length=300)
    is_key_project = models.BooleanField(_("key project"), default=False)
    started_on = models.DateField(_("started on"))
    affected_households = models.PositiveIntegerField(_("affected households"), default=0)
    area_ha = models.DecimalField(_("area (ha)"), max_digits=10, decimal_places=2, default=ZERO)
    budget_vnd = models.BigIntegerField(_("compensation budget (đồng)"), validators=[MinValueValidator(0)])
    resettlement_site = models.CharField(_("resettlement site"), max_length=300, blank=True)
    task_force = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("task force")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ClearanceStatus.choices, default=ClearanceStatus.INVENTORY
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("site clearance project")
        verbose_name_plural = _("site clearance projects")
        ordering = ["-started_on", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(budget_vnd__gte=0) & Q(area_ha__gte=0), name="clearance_non_negative"),
        ]

    def __str__(self) -> str:
        return self.name


class Disbursement(models.Model):
    """One dated payment of compensation; the project's progress is their running sum."""

    project = models.ForeignKey(SiteClearanceProject, on_delete=models.CASCADE, related_name="disbursements")
    paid_on = models.DateField(_("date"))
    amount_vnd = models.BigIntegerField(_("amount (đồng)"), validators=[MinValueValidator(1)])
    households_paid = models.PositiveIntegerField(_("households paid"), default=0)
    over_budget_reason = models.CharField(
        _("reason for exceeding the budget"),
        max_length=300,
        blank=True,
        help_text=_("Required only when this payment takes the total above the budget."),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("disbursement")
        verbose_name_plural = _("disbursements")
        ordering = ["project", "paid_on", "id"]
        constraints = [models.CheckConstraint(condition=Q(amount_vnd__gt=0), name="disbursement_positive")]

    def __str__(self) -> str:
        return f"{self.paid_on:%d/%m/%Y}: {self.amount_vnd}"

    @property
    def scope_unit(self) -> Unit:
        return self.project.unit
