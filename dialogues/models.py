"""Dialogues with citizens, the petitions raised in them (or elsewhere), conclusion notices that
assign petitions to agencies, engagement meetings with clergy and prestigious persons, and
reported aggregates for history that exists only as totals.

Scope: every record belongs to a ``unit`` (the commune or district that owns it) and is visible
to users whose subtree contains that unit. A petition assigned to an agency is also visible to
that agency's officers (see ``PetitionQuerySet.visible_to``).
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from organization import access
from organization.models import Document, Person, Role, Unit
from organization.search import fold

from .workflow import CLOSED, OPEN_WITH_AGENCY, PetitionStatus


def today() -> date:
    return timezone.localdate()


class DialogueLevel(models.TextChoices):
    PROVINCE = "province", _("Province")
    DISTRICT = "district", _("District")
    COMMUNE = "commune", _("Commune")


class HostBody(models.TextChoices):
    """Who holds the dialogue; the article counts dialogues per host (18 / 119 / 167)."""

    PROVINCIAL_STANDING_BOARD = "province_standing_board", _("Provincial Party Standing Board")
    STANDING_BOARD = "standing_board", _("District Party Standing Board (Thường trực)")
    STANDING_COMMITTEE = "standing_committee", _("District Party Standing Committee (Ban Thường vụ)")
    DISTRICT_PEOPLES_COMMITTEE = "district_peoples_committee", _("District People's Committee")
    COMMUNE_PARTY_COMMITTEE = "commune_party_committee", _("Commune Party committee")
    COMMUNE_PEOPLES_COMMITTEE = "commune_peoples_committee", _("Commune People's Committee")


class DialogueKind(models.TextChoices):
    PERIODIC = "periodic", _("Periodic")
    AD_HOC = "ad_hoc", _("Ad hoc")


class DialogueStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")


ScopedQuerySet = access.ScopedQuerySet


class NoticeQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """Notices of visible dialogues, plus those directing one of the user's agencies."""
        if access.is_admin(user):
            return self
        agencies = access.units_with_role(user, Role.AGENCY_OFFICER)
        directs_here = Directive.objects.filter(notice=models.OuterRef("pk"), agency__in=agencies)
        return self.filter(Q(dialogue__unit__in=access.visible_units(user)) | Q(models.Exists(directs_here)))


class DialogueQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """In the user's subtrees, plus dialogues whose petitions are assigned to their agency."""
        if access.is_admin(user):
            return self
        agencies = access.units_with_role(user, Role.AGENCY_OFFICER)
        assigned_here = Petition.objects.filter(dialogue=models.OuterRef("pk"), assigned_agency__in=agencies)
        return self.filter(Q(unit__in=access.visible_units(user)) | Q(models.Exists(assigned_here)))

    def held(self):
        return self.filter(status=DialogueStatus.HELD)

    def without_minutes(self):
        return self.filter(minutes_filed_at__isnull=True)


class Dialogue(models.Model):
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="dialogues",
        verbose_name=_("owner unit"),
        help_text=_("The commune (or district) whose record this is."),
    )
    level = models.CharField(_("level"), max_length=16, choices=DialogueLevel.choices)
    host_body = models.CharField(_("host body"), max_length=32, choices=HostBody.choices)
    chaired_by = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("chaired by")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=DialogueKind.choices, default=DialogueKind.PERIODIC)
    status = models.CharField(_("status"), max_length=16, choices=DialogueStatus.choices, default=DialogueStatus.HELD)
    topic = models.CharField(_("topic"), max_length=500)
    date = models.DateField(_("date"))
    commune = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("commune"),
        help_text=_("Where it was held."),
    )
    village = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("village")
    )
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    audience = models.CharField(_("audience"), max_length=300, blank=True)
    participant_count = models.PositiveIntegerField(_("participants"), default=0)
    trigger_event = models.CharField(_("trigger event"), max_length=300, blank=True)
    legal_basis = models.ManyToManyField(Document, blank=True, related_name="+", verbose_name=_("legal basis"))
    minutes_text = models.TextField(_("minutes"), blank=True, help_text=_("Sanitized: safe formatting only."))
    minutes_filed_at = models.DateTimeField(_("minutes filed at"), null=True, blank=True)
    search_text = models.TextField(editable=False, default="")
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["search_text"])
    objects = DialogueQuerySet.as_manager()

    class Meta:
        verbose_name = _("dialogue")
        verbose_name_plural = _("dialogues")
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(participant_count__gte=0), name="dialogue_participants_non_negative"),
        ]
        indexes = [
            models.Index(fields=["unit", "date"], name="dialogue_unit_date"),
            models.Index(fields=["host_body", "date"], name="dialogue_host_date"),
            models.Index(fields=["date", "id"], name="dialogue_date_id"),
        ]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} · {self.topic}"

    def save(self, *args, **kwargs) -> None:
        self.search_text = fold(" ".join([self.topic, self.minutes_text, self.venue, self.trigger_event]))
        super().save(*args, **kwargs)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.status == DialogueStatus.HELD and self.date and self.date > today():
            errors["date"] = _("A dialogue that has been held cannot be dated in the future.")
        if self.commune_id and self.date and not self.commune.is_valid_on(self.date):
            errors["commune"] = _("%(unit)s did not exist on that date.") % {"unit": self.commune.name}
        if self.village_id and self.commune_id and not self.village.is_descendant_of(self.commune):
            errors["village"] = _("The village must belong to the chosen commune.")
        if (
            self.unit_id
            and self.commune_id
            and not (self.commune.is_descendant_of(self.unit) or self.unit.is_descendant_of(self.commune))
        ):
            errors["commune"] = _("The place must lie within the owner unit.")
        if errors:
            raise ValidationError(errors)

    @property
    def has_minutes(self) -> bool:
        return self.minutes_filed_at is not None


def attachment_path(instance: DialogueAttachment, filename: str) -> str:
    # Files live under MEDIA_ROOT, which is never served directly; see views.attachment_download.
    return f"dialogues/{instance.dialogue_id}/{filename}"


class AttachmentKind(models.TextChoices):
    MINUTES = "minutes", _("Minutes (scan)")
    PHOTO = "photo", _("Photo")
    OTHER = "other", _("Other")


class DialogueAttachment(models.Model):
    dialogue = models.ForeignKey(Dialogue, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("kind"), max_length=16, choices=AttachmentKind.choices, default=AttachmentKind.MINUTES)
    file = models.FileField(_("file"), upload_to=attachment_path)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField(default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def scope_unit(self) -> Unit:
        return self.dialogue.unit


class PetitionSource(models.TextChoices):
    DIALOGUE = "dialogue", _("Dialogue")
    CITIZEN_RECEPTION = "citizen_reception", _("Citizen reception")
    DIGNITARIES_MEETING = "dignitaries_meeting", _("Meeting with clergy and prestigious persons")
    MAILBOX = "mailbox", _("Mailbox")
    ONLINE = "online", _("Online")


class PetitionType(models.TextChoices):
    OPINION = "opinion", _("Opinion")
    REQUEST = "request", _("Request")
    COMPLAINT = "complaint", _("Report of a problem")
    PROPOSAL = "proposal", _("Proposal")


class PetitionField(models.TextChoices):
    LAND = "land", _("Land")
    CLEARANCE = "clearance", _("Compensation and site clearance")
    TRANSPORT = "transport", _("Transport")
    POWER_WATER = "power_water", _("Power and water")
    ENVIRONMENT = "environment", _("Environment")
    SOCIAL_POLICY = "social_policy", _("Social policy")
    HEALTH = "health", _("Health")
    EDUCATION = "education", _("Education")
    ETHNIC_RELIGION = "ethnic_religion", _("Ethnicity, religion and culture")
    PUBLIC_ORDER = "public_order", _("Public order")
    PROCEDURES = "procedures", _("Administrative procedures")
    DISASTER = "disaster", _("Natural disasters")
    FARMING = "farming", _("Farming")
    PERSONNEL = "personnel", _("Officials and personnel")
    OTHER = "other", _("Other")


class LegalTrack(models.TextChoices):
    NONE = "", _("No")
    COMPLAINT = "complaint", _("Complaint (khiếu nại)")
    DENUNCIATION = "denunciation", _("Denunciation (tố cáo)")


class PetitionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """In the user's subtrees, plus what is assigned to an agency where they are an officer."""
        if access.is_admin(user):
            return self
        agencies = access.units_with_role(user, Role.AGENCY_OFFICER)
        return self.filter(Q(unit__in=access.visible_units(user)) | Q(assigned_agency__in=agencies))

    def assigned_to_agencies_of(self, user):
        return self.filter(assigned_agency__in=access.units_with_role(user, Role.AGENCY_OFFICER))

    def open_with_agency(self):
        return self.filter(status__in=OPEN_WITH_AGENCY)

    def overdue(self, on: date | None = None):
        """Still owed by an agency after its deadline. Computed, never stored."""
        return self.open_with_agency().filter(deadline__lt=on or today())

    def due_within(self, days: int, on: date | None = None):
        start = on or today()
        return self.open_with_agency().filter(deadline__gte=start, deadline__lte=start + timedelta(days=days))


class Petition(models.Model):
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="petitions",
        verbose_name=_("commune"),
        help_text=_("The commune (or district) where the petition arose."),
    )
    dialogue = models.ForeignKey(
        Dialogue, on_delete=models.PROTECT, null=True, blank=True, related_name="petitions", verbose_name=_("dialogue")
    )
    engagement_meeting = models.ForeignKey(
        "EngagementMeeting",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="petitions",
        verbose_name=_("engagement meeting"),
    )
    source = models.CharField(_("source"), max_length=24, choices=PetitionSource.choices)
    received_on = models.DateField(_("received on"))
    type = models.CharField(_("type"), max_length=16, choices=PetitionType.choices, default=PetitionType.REQUEST)
    field = models.CharField(_("field"), max_length=24, choices=PetitionField.choices)
    content = models.TextField(_("content"))
    petitioner = models.CharField(_("raised by"), max_length=200, blank=True)
    village = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("village")
    )
    legal_track = models.CharField(
        _("legal complaint or denunciation"),
        max_length=16,
        choices=LegalTrack.choices,
        blank=True,
        default="",
        help_text=_("Complaints and denunciations follow the legal track; they are recorded and routed out."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=PetitionStatus.choices, default=PetitionStatus.RECEIVED, editable=False
    )
    on_spot_answer = models.TextField(_("answer given on the spot"), blank=True)
    assigned_agency = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_petitions",
        verbose_name=_("assigned agency"),
        editable=False,
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True, editable=False)
    directive = models.ForeignKey(
        "Directive", on_delete=models.SET_NULL, null=True, blank=True, related_name="petitions", editable=False
    )
    answered_on = models.DateField(_("answered on"), null=True, blank=True, editable=False)
    closed_on = models.DateField(_("closed on"), null=True, blank=True, editable=False)
    search_text = models.TextField(editable=False, default="")
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["search_text"])
    objects = PetitionQuerySet.as_manager()

    class Meta:
        verbose_name = _("petition")
        verbose_name_plural = _("petitions")
        ordering = ["-received_on", "-id"]
        indexes = [
            models.Index(fields=["unit", "received_on"], name="petition_unit_received"),
            models.Index(fields=["assigned_agency", "status", "deadline"], name="petition_agency_inbox"),
            models.Index(fields=["status", "deadline"], name="petition_status_deadline"),
            models.Index(fields=["field", "received_on"], name="petition_field_received"),
            models.Index(fields=["received_on", "id"], name="petition_received_id"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.content[:60]}"

    def save(self, *args, **kwargs) -> None:
        self.search_text = fold(" ".join([self.content, self.petitioner, self.on_spot_answer]))
        super().save(*args, **kwargs)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.received_on and self.received_on > today():
            errors["received_on"] = _("A petition cannot be received in the future.")
        if self.dialogue_id:
            if self.source != PetitionSource.DIALOGUE:
                errors["source"] = _("A petition raised at a dialogue has the source 'Dialogue'.")
            if self.unit_id and not (
                self.unit_id == self.dialogue.unit_id or self.unit.is_descendant_of(self.dialogue.unit)
            ):
                errors["unit"] = _("The petition must belong to the dialogue's own unit.")
        elif self.source == PetitionSource.DIALOGUE:
            errors["dialogue"] = _("Choose the dialogue this petition was raised at.")
        if self.village_id and self.unit_id and not self.village.is_descendant_of(self.unit):
            errors["village"] = _("The village must belong to the petition's commune.")
        if errors:
            raise ValidationError(errors)

    def is_overdue(self, on: date | None = None) -> bool:
        return self.status in OPEN_WITH_AGENCY and self.deadline is not None and self.deadline < (on or today())

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED


class PetitionEvent(models.Model):
    """One step of a petition's life: who moved it, when, from where to where, and why."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=20)
    from_status = models.CharField(_("from"), max_length=20, choices=PetitionStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=PetitionStatus.choices)
    agency = models.ForeignKey(Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    deadline = models.DateField(null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("petition event")
        verbose_name_plural = _("petition events")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["petition", "at"], name="petition_event_petition_at")]

    def __str__(self) -> str:
        return f"{self.petition_id}: {self.from_status} → {self.to_status}"


class ResponseStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    REOPENED = "reopened", _("Reopened as insufficient")


def response_path(instance: PetitionResponse, filename: str) -> str:
    return f"petitions/{instance.petition_id}/{filename}"


class PetitionResponse(models.Model):
    """An agency's answer. Drafts are private to the agency; reopening keeps the old answer."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="responses")
    agency = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("agency"))
    status = models.CharField(_("status"), max_length=16, choices=ResponseStatus.choices, default=ResponseStatus.DRAFT)
    text = models.TextField(_("answer"))
    answered_on = models.DateField(_("answer date"))
    document = models.ForeignKey(
        Document, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("document")
    )
    file = models.FileField(_("file"), upload_to=response_path, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    published_at = models.DateTimeField(null=True, blank=True)
    reopen_reason = models.TextField(_("reason for reopening"), blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        ordering = ["petition", "id"]
        constraints = [
            # At most one draft or published answer at a time; reopened ones are kept as history.
            models.UniqueConstraint(
                fields=["petition"], condition=~Q(status="reopened"), name="response_one_current_per_petition"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.petition_id}: {self.get_status_display()}"

    @property
    def scope_unit(self) -> Unit:
        return self.petition.unit


class ConclusionNotice(models.Model):
    """Thông báo kết luận after a dialogue, numbered in the document register (…-TB/HU)."""

    dialogue = models.ForeignKey(Dialogue, on_delete=models.PROTECT, related_name="notices", verbose_name=_("dialogue"))
    document = models.OneToOneField(Document, on_delete=models.PROTECT, related_name="conclusion_notice")
    summary = models.TextField(_("conclusions"), blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = NoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("conclusion notice")
        verbose_name_plural = _("conclusion notices")
        ordering = ["-document__date", "-id"]

    def __str__(self) -> str:
        return self.document.symbol

    @property
    def scope_unit(self) -> Unit:
        return self.dialogue.unit


class Directive(models.Model):
    """One instruction of a notice: an agency, what to do, by when, and the petitions it covers."""

    notice = models.ForeignKey(ConclusionNotice, on_delete=models.CASCADE, related_name="directives")
    agency = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("agency"))
    content = models.TextField(_("directive"))
    deadline = models.DateField(_("deadline"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("directive")
        verbose_name_plural = _("directives")
        ordering = ["notice", "id"]

    def __str__(self) -> str:
        return f"{self.agency}: {self.content[:60]}"


class EngagementMeeting(models.Model):
    """A meeting with clergy, elders and prestigious persons; opinions become petitions."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="engagement_meetings", verbose_name=_("unit"))
    date = models.DateField(_("date"))
    host = models.CharField(_("host"), max_length=200)
    village = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("village")
    )
    clergy_count = models.PositiveIntegerField(_("clergy and religious office-holders"), default=0)
    followers_count = models.PositiveIntegerField(_("religious followers"), default=0)
    prestigious_count = models.PositiveIntegerField(_("prestigious persons"), default=0)
    elders_count = models.PositiveIntegerField(_("elders and village heads"), default=0)
    others_count = models.PositiveIntegerField(_("others"), default=0)
    religions = models.CharField(_("religions"), max_length=200, blank=True)
    purposes = models.TextField(_("purposes"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("engagement meeting")
        verbose_name_plural = _("engagement meetings")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["unit", "date"], name="engagement_unit_date")]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} · {self.host}"

    def clean(self) -> None:
        if self.date and self.date > today():
            raise ValidationError({"date": _("A meeting that has been held cannot be dated in the future.")})
        if self.village_id and self.unit_id and not self.village.is_descendant_of(self.unit):
            raise ValidationError({"village": _("The village must belong to the meeting's unit.")})

    @property
    def attendee_count(self) -> int:
        return self.clergy_count + self.followers_count + self.prestigious_count + self.elders_count + self.others_count


class ReportedMetric(models.TextChoices):
    DIALOGUES = "dialogues", _("Dialogues held")
    PETITIONS = "petitions", _("Petitions received")
    PETITIONS_RESOLVED = "petitions_resolved", _("Petitions resolved")


class ReportedAggregate(models.Model):
    """A total from before the portal, entered as printed with its source, never mixed with
    totals derived from records. Its parts (e.g. a year breakdown) are checked against it."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    metric = models.CharField(_("figure"), max_length=32, choices=ReportedMetric.choices)
    host_body = models.CharField(_("host body"), max_length=32, choices=HostBody.choices, blank=True)
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    total = models.PositiveIntegerField(_("reported total"))
    source = models.CharField(_("source"), max_length=500, help_text=_("Where the figure was printed."))
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("reported aggregate")
        verbose_name_plural = _("reported aggregates")
        ordering = ["unit", "metric", "period_start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="aggregate_period_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_metric_display()} {self.period_start:%Y}–{self.period_end:%Y}: {self.total}"

    def clean(self) -> None:
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValidationError({"period_end": _("The period ends before it starts.")})


class ReportedAggregatePart(models.Model):
    aggregate = models.ForeignKey(ReportedAggregate, on_delete=models.CASCADE, related_name="parts")
    label = models.CharField(_("part"), max_length=100, help_text=_("E.g. a year: 2021."))
    value = models.PositiveIntegerField(_("value"))

    class Meta:
        verbose_name = _("part of a reported aggregate")
        verbose_name_plural = _("parts of a reported aggregate")
        ordering = ["aggregate", "id"]

    def __str__(self) -> str:
        return f"{self.label}: {self.value}"


class ReminderRule(models.TextChoices):
    PETITION_DUE_SOON = "petition_due_soon", _("Petition due soon")
    PETITION_OVERDUE = "petition_overdue", _("Petition overdue")
    DIALOGUE_WITHOUT_MINUTES = "dialogue_without_minutes", _("Dialogue without minutes")


class SentReminder(models.Model):
    """Each (rule, object) is reminded once: the unique constraint makes a second run a no-op."""

    rule = models.CharField(max_length=32, choices=ReminderRule.choices)
    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    dialogue = models.ForeignKey(Dialogue, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    deadline = models.DateField(
        null=True, blank=True, help_text="The deadline reminded about (a new one reminds again)."
    )
    agency = models.ForeignKey(
        Unit,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text="The agency reminded (a petition re-assigned to another agency reminds it too).",
    )
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "petition", "deadline", "agency"],
                condition=Q(petition__isnull=False),
                name="reminder_once_per_petition_deadline_agency",
            ),
            models.UniqueConstraint(
                fields=["rule", "dialogue"], condition=Q(dialogue__isnull=False), name="reminder_once_per_dialogue"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule} {self.petition_id or self.dialogue_id}"
