"""Units (a tree with validity dates and successors), users and their memberships, people,
Party terms and the document register.

Why a hand-kept materialized path for the unit tree: units change a few times a decade (the 2025
reform is the biggest change in a generation), while every page and API call asks "is this in
the user's subtree?". A ``path`` such as ``/1/5/12/`` answers that with one indexed prefix
comparison on SQLite and PostgreSQL alike, keeps subtree queries to a single query, and needs no
extension or tree library that would also have to understand our validity rules.
"""

from __future__ import annotations

from datetime import date

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class UnitKind(models.TextChoices):
    PROVINCE = "province", _("Province")
    DISTRICT = "district", _("District")
    COMMUNE = "commune", _("Commune")
    TOWNSHIP = "township", _("Township")
    WARD = "ward", _("Ward")
    VILLAGE = "village", _("Village / residential group")
    RESIDENTIAL_CLUSTER = "residential_cluster", _("Residential cluster")
    PARTY_COMMITTEE = "party_committee", _("Party committee")
    STANDING_COMMITTEE = "standing_committee", _("Standing Committee")
    STANDING_BOARD = "standing_board", _("Standing Board")
    BOARD = "board", _("Party board")
    PEOPLES_COMMITTEE = "peoples_committee", _("People's Committee")
    PEOPLES_COUNCIL = "peoples_council", _("People's Council")
    DEPARTMENT = "department", _("Department")
    FATHERLAND_FRONT = "fatherland_front", _("Fatherland Front")
    MASS_ORGANIZATION = "mass_organization", _("Mass organization")
    OFFICE = "office", _("Office")
    SCHOOL = "school", _("School")
    RELIGIOUS_GROUP = "religious_group", _("Religious group")
    WORKING_GROUP = "working_group", _("Working group")


#: Kinds that are places (people live there) rather than bodies (people work there).
LOCALITY_KINDS = frozenset(
    {
        UnitKind.PROVINCE,
        UnitKind.DISTRICT,
        UnitKind.COMMUNE,
        UnitKind.TOWNSHIP,
        UnitKind.WARD,
        UnitKind.VILLAGE,
        UnitKind.RESIDENTIAL_CLUSTER,
    }
)
COMMUNE_KINDS = frozenset({UnitKind.COMMUNE, UnitKind.TOWNSHIP, UnitKind.WARD})


#: Lowercase slugs joined by "/", mirroring the tree: "bao-yen/vinh-yen/tong-kim".
UNIT_KEY_VALIDATOR = RegexValidator(
    r"^[a-z0-9]+(?:-[a-z0-9]+)*(?:/[a-z0-9]+(?:-[a-z0-9]+)*)*$",
    _("Use lowercase letters, digits and hyphens, with '/' between levels, e.g. bao-yen/vinh-yen."),
)


#: Path segments are zero-padded ids, so ordering by ``path`` lists a parent, then its children in
#: the order they were created (as the data file lists them), then the next sibling's subtree.
PATH_SEGMENT_WIDTH = 8


class UnitQuerySet(models.QuerySet):
    def subtree_of(self, *units: Unit) -> UnitQuerySet:
        """The given units and everything below them, in one query."""
        if not units:
            return self.none()
        condition = Q()
        for unit in units:
            condition |= Q(path__startswith=unit.path)
        return self.filter(condition)

    def valid_on(self, day: date) -> UnitQuerySet:
        return self.filter(Q(valid_from__lte=day), Q(valid_to__isnull=True) | Q(valid_to__gte=day))

    def visible_to(self, user) -> UnitQuerySet:
        from organization.access import visible_units

        return self & visible_units(user)


class Unit(models.Model):
    key = models.CharField(
        _("natural key"),
        max_length=120,
        unique=True,
        validators=[UNIT_KEY_VALIDATOR],
        help_text=_("Stable identifier used by data files and imports, e.g. 'bao-yen/vinh-yen'."),
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=32, choices=UnitKind.choices, db_index=True)
    code = models.CharField(_("official code"), max_length=20, blank=True, db_index=True)
    doc_symbol = models.CharField(
        _("document symbol"),
        max_length=20,
        blank=True,
        help_text=_("Abbreviation after the slash in document numbers, e.g. HU in 10-ĐA/HU."),
    )
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=255, editable=False, default="")
    depth = models.PositiveSmallIntegerField(editable=False, default=0)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    successors = models.ManyToManyField(
        "self",
        through="UnitSuccession",
        through_fields=("predecessor", "successor"),
        symmetrical=False,
        related_name="predecessors",
        blank=True,
    )

    history = HistoricalRecords()
    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="unit_validity_ordered",
            ),
        ]
        indexes = [
            # varchar_pattern_ops lets PostgreSQL use the index for LIKE 'prefix%' in any collation.
            models.Index(fields=["path"], name="unit_path_prefix", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["kind", "valid_from", "valid_to"], name="unit_kind_validity"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        old_path = self.path
        super().save(*args, **kwargs)
        new_path = f"{self.parent.path if self.parent_id else '/'}{self.pk:0{PATH_SEGMENT_WIDTH}d}/"
        if new_path != old_path:
            self.path = new_path
            self.depth = new_path.count("/") - 2
            Unit.objects.filter(pk=self.pk).update(path=self.path, depth=self.depth)
            if old_path:
                self._move_descendants(old_path, new_path)

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            errors.setdefault("valid_to", []).append(_("The end of validity is before its start."))
        parent = self.parent
        if parent is not None:
            if self.pk and (parent.pk == self.pk or (self.path and parent.path.startswith(self.path))):
                errors.setdefault("parent", []).append(
                    _("A unit cannot be placed under itself or one of its own sub-units.")
                )
            elif self.valid_from:
                starts_too_early = self.valid_from < parent.valid_from
                ends_too_late = parent.valid_to is not None and (
                    self.valid_to is None or self.valid_to > parent.valid_to
                )
                if starts_too_early or ends_too_late:
                    errors.setdefault("valid_from", []).append(
                        _("The unit must be valid only while its parent %(parent)s is (%(start)s – %(end)s).")
                        % {
                            "parent": parent.name,
                            "start": parent.valid_from.strftime("%d/%m/%Y"),
                            "end": parent.valid_to.strftime("%d/%m/%Y") if parent.valid_to else "…",
                        }
                    )
        if errors:
            raise ValidationError(errors)

    def _move_descendants(self, old_path: str, new_path: str) -> None:
        moved = list(Unit.objects.filter(path__startswith=old_path).exclude(pk=self.pk))
        for unit in moved:
            unit.path = new_path + unit.path[len(old_path) :]
            unit.depth = unit.path.count("/") - 2
        Unit.objects.bulk_update(moved, ["path", "depth"])

    @property
    def is_locality(self) -> bool:
        return self.kind in LOCALITY_KINDS

    def is_valid_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or self.valid_to >= day)

    def ancestors(self) -> UnitQuerySet:
        ids = [int(part) for part in self.path.strip("/").split("/") if part]
        return Unit.objects.filter(pk__in=ids).exclude(pk=self.pk).order_by("depth")

    def descendants(self, include_self: bool = False) -> UnitQuerySet:
        qs = Unit.objects.filter(path__startswith=self.path)
        return qs if include_self else qs.exclude(pk=self.pk)

    def is_descendant_of(self, other: Unit) -> bool:
        return bool(self.path) and self.path.startswith(other.path)


class UnitSuccession(models.Model):
    """One edge of a merger: ``predecessor`` (e.g. an old commune) continues as ``successor``."""

    predecessor = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="succession_links")
    successor = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="predecessor_links")
    effective_date = models.DateField(_("effective date"))
    note = models.CharField(_("note"), max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("unit succession")
        verbose_name_plural = _("unit successions")
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="unit_succession_unique"),
            models.CheckConstraint(condition=~Q(predecessor=models.F("successor")), name="unit_succession_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor}"

    def clean(self) -> None:
        if self.predecessor_id and self.predecessor_id == self.successor_id:
            raise ValidationError({"successor": _("A unit cannot succeed itself.")})
        if not (self.predecessor_id and self.successor_id and self.effective_date):
            return
        errors = {}
        if not self.successor.is_valid_on(self.effective_date):
            errors["successor"] = _("The successor must exist on the effective date.")
        predecessor_end = self.predecessor.valid_to
        if predecessor_end is None or predecessor_end >= self.effective_date:
            errors["predecessor"] = _("The predecessor must cease to exist before the effective date.")
        if errors:
            raise ValidationError(errors)


class User(AbstractUser):
    """Portal account. Vietnamese names are written whole, so ``full_name`` replaces first/last."""

    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)

    history = HistoricalRecords(excluded_fields=["password", "last_login"])
    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def get_full_name(self) -> str:
        return self.full_name or self.username

    def __str__(self) -> str:
        return self.get_full_name()


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    DISTRICT_STAFF = "district_staff", _("District staff (Ban Dân vận)")
    COMMUNE_OFFICER = "commune_officer", _("Commune officer")
    AGENCY_OFFICER = "agency_officer", _("Agency officer")
    LEADER = "leader", _("Leader")
    VIEWER = "viewer", _("Viewer")


class MembershipQuerySet(models.QuerySet):
    def active(self) -> MembershipQuerySet:
        return self.filter(is_active=True)


class Membership(models.Model):
    """A user's role over a unit and its subtree. ``body`` is the office they act for."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user"))
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("scope unit"),
        help_text=_("The user sees this unit and everything below it."),
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    body = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="acting_memberships",
        verbose_name=_("acting for"),
        help_text=_("The body the user works in, e.g. Ban Dân vận Huyện ủy."),
    )
    title = models.CharField(_("position"), max_length=150, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()
    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["user", "unit__path"]
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "role"], name="membership_unique_role_per_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.unit}"

    @property
    def label(self) -> str:
        return f"{self.body or self.unit} — {self.get_role_display()}"


class PersonKind(models.TextChoices):
    OFFICIAL = "official", _("Official (chair, signer)")
    PRESTIGIOUS = "prestigious", _("Prestigious person")
    CLERGY = "clergy", _("Clergy / religious office-holder")
    ELDER = "elder", _("Village elder")
    VILLAGE_HEAD = "village_head", _("Village head")
    OTHER = "other", _("Other")


class Person(models.Model):
    full_name = models.CharField(_("full name"), max_length=150)
    kind = models.CharField(_("kind"), max_length=20, choices=PersonKind.choices, default=PersonKind.OFFICIAL)
    position = models.CharField(_("position"), max_length=200, blank=True)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="people", verbose_name=_("unit"))
    ethnicity = models.CharField(_("ethnicity"), max_length=60, blank=True)
    religion = models.CharField(_("religion"), max_length=60, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    note = models.TextField(_("note"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["full_name"]
        indexes = [models.Index(fields=["unit", "kind"], name="person_unit_kind")]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.position})" if self.position else self.full_name


class Term(models.Model):
    """A Party committee's term ("khóa XXII", 2020–2025); document numbers restart each term."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="terms", verbose_name=_("committee"))
    name = models.CharField(_("name"), max_length=60)
    start_date = models.DateField(_("start"))
    end_date = models.DateField(_("end"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("term")
        verbose_name_plural = _("terms")
        ordering = ["unit", "-start_date"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "name"], name="term_unique_name_per_unit"),
            models.CheckConstraint(condition=Q(end_date__gte=models.F("start_date")), name="term_period_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.start_date:%Y}–{self.end_date:%Y})"

    def clean(self) -> None:
        if not (self.unit_id and self.start_date and self.end_date):
            return
        if self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The term ends before it starts.")})
        unit = self.unit
        if self.start_date < unit.valid_from or (unit.valid_to is not None and self.end_date > unit.valid_to):
            raise ValidationError(
                {"start_date": _("The term must lie within the validity of %(unit)s.") % {"unit": unit.name}}
            )

    def covers(self, day: date) -> bool:
        return self.start_date <= day <= self.end_date


class DocumentKind(models.TextChoices):
    # Values are ASCII for URLs and filters; ``abbreviation`` gives the symbol written on paper.
    NQ = "NQ", _("Resolution (Nghị quyết)")
    CT = "CT", _("Directive (Chỉ thị)")
    KL = "KL", _("Conclusion (Kết luận)")
    QD = "QD", _("Decision (Quyết định)")
    DA = "DA", _("Scheme (Đề án)")
    CTR = "CTr", _("Programme (Chương trình)")
    KH = "KH", _("Plan (Kế hoạch)")
    HD = "HD", _("Guidance (Hướng dẫn)")
    TB = "TB", _("Notice (Thông báo)")
    BC = "BC", _("Report (Báo cáo)")
    TTR = "TTr", _("Submission (Tờ trình)")
    CV = "CV", _("Letter (Công văn)")

    @property
    def abbreviation(self) -> str:
        return DOCUMENT_ABBREVIATIONS.get(self.value, self.value)


DOCUMENT_ABBREVIATIONS = {"QD": "QĐ", "DA": "ĐA"}


class Document(models.Model):
    issuer = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="documents", verbose_name=_("issuer"))
    kind = models.CharField(_("kind"), max_length=4, choices=DocumentKind.choices)
    number = models.PositiveIntegerField(_("number"), editable=False)
    term = models.ForeignKey(Term, on_delete=models.PROTECT, related_name="documents", verbose_name=_("term"))
    date = models.DateField(_("date"))
    subject = models.CharField(_("subject"), max_length=500)
    signer = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="signed_documents",
        verbose_name=_("signer"),
    )
    file = models.FileField(_("file"), upload_to="documents/%Y/", blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-date", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["issuer", "kind", "term", "number"], name="document_number_unique"),
        ]
        indexes = [models.Index(fields=["issuer", "date"], name="document_issuer_date")]

    def __str__(self) -> str:
        return f"{self.symbol} — {self.subject}"

    @property
    def symbol(self) -> str:
        """Party numbering per Hướng dẫn 36: ``10-ĐA/HU`` (hyphen, slash, no colon)."""
        abbreviation = DOCUMENT_ABBREVIATIONS.get(self.kind, self.kind)
        return f"{self.number}-{abbreviation}/{self.issuer.doc_symbol}"


class DocumentCounter(models.Model):
    """The last number given per (issuer, kind, term). Locked row-wise while a number is allotted."""

    issuer = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=4, choices=DocumentKind.choices)
    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="+")
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issuer", "kind", "term"], name="document_counter_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.issuer_id}/{self.kind}/{self.term_id}: {self.last_number}"


class NotificationKind(models.TextChoices):
    ASSIGNED = "assigned", _("Assignment")
    ANSWERED = "answered", _("Answer")
    REOPENED = "reopened", _("Reopened")
    REMINDER = "reminder", _("Reminder")
    INFO = "info", _("Information")


class NotificationQuerySet(models.QuerySet):
    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """An in-app message (the bell), so users without e-mail still learn what needs them."""

    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=16, choices=NotificationKind.choices, default=NotificationKind.INFO)
    message = models.CharField(_("message"), max_length=500)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at", "created_at"], name="notification_inbox")]

    def __str__(self) -> str:
        return self.message
