"""Forms and list filters of the report and period-lock pages.

Forms validate and normalize only; ``reports.services`` writes and is the authority on the rules
(a period matching its kind, one report per kind, period and unit, who may run, issue or lock).
The create form turns the month, quarter and year pickers into the period's first and last day;
the service checks the result with ``periods.validate`` again, so a hand-made request with a
period that does not match its kind gets the same message as the API.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from organization import access
from organization.models import COMMUNE_KINDS, Person, PersonKind, Role, Unit, UnitKind
from organization.search import filter_folded

from . import periods
from .models import BuildState, PeriodLock, Report, ReportStatus
from .periods import ROMAN, ReportKind

#: Day first as offices write it; ISO accepted for browsers' date pickers and links.
DATE_INPUTS = ["%d/%m/%Y", "%Y-%m-%d"]
#: Units a report can be run for: a district (or province) or a commune (township, ward).
REPORT_UNIT_KINDS = (UnitKind.PROVINCE, UnitKind.DISTRICT, *COMMUNE_KINDS)
#: Roles that create, compile, edit and submit reports (services.can_run_reports).
RUNNER_ROLES = (Role.DISTRICT_STAFF, Role.COMMUNE_OFFICER)
MONTHS = [(month, _("Month %(month)s") % {"month": month}) for month in range(1, 13)]
QUARTERS = [(quarter, _("Quarter %(quarter)s") % {"quarter": roman}) for quarter, roman in ROMAN.items()]
FIRST_YEAR = 2000


# --- Choices -------------------------------------------------------------------------------------


def runnable_units(user) -> QuerySet[Unit]:
    """Districts and communes in the subtrees where the user may run reports (admins: all)."""
    return access.units_with_role(user, *RUNNER_ROLES).filter(kind__in=REPORT_UNIT_KINDS).order_by("path")


def lockable_units(user) -> QuerySet[Unit]:
    """Units whose periods the user may lock: district staff over them (admins: all)."""
    return access.units_with_role(user, Role.DISTRICT_STAFF).filter(kind__in=REPORT_UNIT_KINDS).order_by("path")


def issuer_choices(user) -> QuerySet[Unit]:
    """Bodies with a document symbol that a report the user runs may carry: those inside the
    units they run reports for and those above them (the service checks the pair)."""
    roots = list(access.units_with_role(user, *RUNNER_ROLES).order_by("depth")[:50])
    if access.is_admin(user):
        return Unit.objects.exclude(doc_symbol="").order_by("path")
    ancestor_ids = {int(part) for root in roots for part in root.path.strip("/").split("/") if part}
    inside = Q(pk__in=[])
    for root in roots:
        inside |= Q(path__startswith=root.path)
    return Unit.objects.exclude(doc_symbol="").filter(inside | Q(pk__in=ancestor_ids)).order_by("path")


def signer_choices(report: Report) -> QuerySet[Person]:
    """Officials of the issuing body or of the report's unit (the secretary, the board's head)."""
    condition = Q(unit__path__startswith=report.issuer.path) | Q(unit__path__startswith=report.unit.path)
    people = Person.objects.filter(condition, kind=PersonKind.OFFICIAL, is_active=True)
    if report.signer_id:
        people = Person.objects.filter(Q(pk__in=people.values("pk")) | Q(pk=report.signer_id))
    return people.select_related("unit").order_by("full_name")


def last_month(today: date) -> date:
    return (today.replace(day=1) - timedelta(days=1)).replace(day=1)


def date_field(label, **kwargs) -> forms.DateField:
    kwargs.setdefault("help_text", _("Day/month/year, e.g. 05/02/2024."))
    return forms.DateField(
        label=label,
        input_formats=DATE_INPUTS,
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": _("dd/mm/yyyy"), "autocomplete": "off"}),
        **kwargs,
    )


class UnitSelect(forms.Select):
    """Options say whether their unit continues older units (``data-has-predecessors``), so
    ``reports.js`` shows the "include the units it succeeded" box only where it means something."""

    def __init__(self, *args, with_predecessors: frozenset[int] = frozenset(), **kwargs):
        super().__init__(*args, **kwargs)
        self.with_predecessors = with_predecessors

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None and instance.pk in self.with_predecessors:
            option["attrs"]["data-has-predecessors"] = "1"
        return option


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        return obj.name


class ReportUnitField(UnitChoiceField):
    """Lists the units the user may run reports for, but accepts any district or commune: the
    service decides and names the unit it refuses ("Xã Nghĩa Đô is outside your units")."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return Unit.objects.get(pk=value, kind__in=REPORT_UNIT_KINDS)
        except (ValueError, TypeError, Unit.DoesNotExist):
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice") from None


class IssuerField(UnitChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        return f"{obj.name} ({obj.doc_symbol})"


# --- Creating a report ----------------------------------------------------------------------------


class ReportCreateForm(forms.Form):
    """Kind, period, unit and issuing body of a new report.

    For every kind but a custom range the period comes from the pickers (month and year, quarter
    and year, or the year); a custom range takes its two dates. A request that sends the two
    dates without the pickers (a link, a hand-made request) is taken as typed and checked by
    ``periods.validate``, so a quarter from 1 October to 30 November is refused with its message.
    """

    kind = forms.ChoiceField(label=_("Kind of report"), choices=ReportKind.choices)
    month = forms.TypedChoiceField(
        label=_("Month"), choices=[("", "—"), *MONTHS], coerce=int, required=False, empty_value=None
    )
    quarter = forms.TypedChoiceField(
        label=_("Quarter"), choices=[("", "—"), *QUARTERS], coerce=int, required=False, empty_value=None
    )
    year = forms.IntegerField(label=_("Year"), required=False, min_value=FIRST_YEAR, max_value=2100)
    period_start = date_field(_("From"), required=False)
    period_end = date_field(_("To"), required=False)
    unit = ReportUnitField(
        label=_("Unit"),
        queryset=Unit.objects.none(),
        help_text=_("The district or commune whose figures the report counts, with all the units under it."),
    )
    include_predecessors = forms.BooleanField(
        label=_("Include the units it succeeded"),
        required=False,
        help_text=_("For a commune formed in 2025: also count the records of the old communes it continues."),
    )
    issuer = IssuerField(
        label=_("Issuing body"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("The unit's Party committee (default)"),
        help_text=_("The body whose header, symbol and number the report carries, e.g. Huyện ủy Bảo Yên (…-BC/HU)."),
    )

    #: Which pickers each kind needs.
    PICKERS = {
        ReportKind.MONTH: ("month", "year"),
        ReportKind.QUARTER: ("quarter", "year"),
        ReportKind.HALF_YEAR: ("year",),
        ReportKind.NINE_MONTHS: ("year",),
        ReportKind.YEAR: ("year",),
    }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        units = runnable_units(user)
        self.fields["unit"].queryset = units
        with_predecessors = frozenset(units.filter(predecessor_links__isnull=False).values_list("pk", flat=True))
        self.fields["unit"].widget = UnitSelect(with_predecessors=with_predecessors)
        self.fields["unit"].widget.choices = self.fields["unit"].choices
        self.fields["issuer"].queryset = issuer_choices(user)
        self.has_predecessors = bool(with_predecessors)
        if not self.has_predecessors:
            # Only meaningful for a unit that continues older ones: none of the user's does.
            self.fields["include_predecessors"].widget = forms.HiddenInput()

    @staticmethod
    def initial_for(today: date) -> dict[str, Any]:
        """Last month, and the quarter it falls in, as the pickers' starting point."""
        month = last_month(today)
        return {
            "kind": ReportKind.MONTH,
            "month": month.month,
            "quarter": (month.month - 1) // 3 + 1,
            "year": month.year,
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        kind = data.get("kind")
        if not kind:
            return data
        start, end = data.get("period_start"), data.get("period_end")
        if kind == ReportKind.CUSTOM:
            if not start or not end:
                self.add_error("period_start", _("A custom range needs its first and last day."))
            return data
        pickers = self.PICKERS[kind]
        if all(data.get(name) is not None for name in pickers):
            year = data["year"]
            if kind == ReportKind.MONTH:
                first = date(year, data["month"], 1)
            elif kind == ReportKind.QUARTER:
                first = date(year, 3 * (data["quarter"] - 1) + 1, 1)
            else:
                first = date(year, 1, 1)
            data["period_start"], data["period_end"] = first, periods.expected_end(kind, first)
        elif not (start and end):
            missing = {
                ("month", "year"): _("Choose the month and the year."),
                ("quarter", "year"): _("Choose the quarter and the year."),
                ("year",): _("Choose the year."),
            }[pickers]
            self.add_error(pickers[0], missing)
        return data


# --- The narrative ----------------------------------------------------------------------------------


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Person) -> str:
        return str(obj)


class NarrativeForm(forms.Form):
    """The parts of a report a person writes; the figures are computed. ``version`` is the one the
    user saw, so two people editing at once do not overwrite each other."""

    strengths = forms.CharField(
        label=_("Strengths"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Results worth noting; the figures are added from the compiled tables."),
    )
    weaknesses = forms.CharField(
        label=_("Weaknesses and causes"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    next_tasks = forms.CharField(
        label=_("Tasks for the next period"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    proposals = forms.CharField(label=_("Proposals"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    signer = PersonChoiceField(label=_("Signer"), queryset=Person.objects.none(), required=False)
    signer_authority = forms.CharField(
        label=_("Authority line"),
        required=False,
        max_length=120,
        help_text=_("Above the signer's title, e.g. T/M BAN THƯỜNG VỤ or K/T TRƯỞNG BAN."),
    )
    signer_title = forms.CharField(
        label=_("Signer's title"), required=False, max_length=120, help_text=_("e.g. BÍ THƯ, PHÓ BÍ THƯ")
    )
    recipients = forms.CharField(
        label=_("Recipients"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line, e.g. “- Ban Dân vận Tỉnh ủy”; the list ends with “Lưu …” automatically."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    FIELDS = (
        "strengths",
        "weaknesses",
        "next_tasks",
        "proposals",
        "signer",
        "signer_authority",
        "signer_title",
        "recipients",
    )

    def __init__(self, *args, report: Report, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["signer"].queryset = signer_choices(report)

    @classmethod
    def initial_of(cls, report: Report) -> dict[str, Any]:
        return {**{name: getattr(report, name) for name in cls.FIELDS}, "version": report.version}

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.FIELDS}


class IssueForm(forms.Form):
    day = date_field(
        _("Date of issue"),
        help_text=_("The date written on the report; the number is the next one of its body's term on that day."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class NewVersionForm(forms.Form):
    change_note = forms.CharField(
        label=_("What changed"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Say what the new version corrects, e.g. “Petitions of Xã Vĩnh Yên entered late”."),
    )

    def clean_change_note(self) -> str:
        note = self.cleaned_data["change_note"].strip()
        if not note:
            raise forms.ValidationError(_("Say what the new version changes."))
        return note


# --- The report list --------------------------------------------------------------------------------


class SearchInput(forms.TextInput):
    input_type = "search"


def _filter_units(request):
    return access.visible_units(getattr(request, "user", None)).filter(kind__in=REPORT_UNIT_KINDS).order_by("path")


class ReportFilter(django_filters.FilterSet):
    """Filters of ``report_list``; the queryset it receives is already scoped to the user."""

    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=ReportKind.choices, empty_label=_("All kinds"))
    status = django_filters.ChoiceFilter(label=_("Status"), choices=ReportStatus.choices, empty_label=_("All statuses"))
    build_state = django_filters.ChoiceFilter(
        label=_("Compilation"), choices=BuildState.choices, empty_label=_("Any state")
    )
    unit = django_filters.ModelChoiceFilter(
        label=_("Unit"), queryset=_filter_units, method="filter_unit", empty_label=_("All units")
    )
    year = django_filters.NumberFilter(label=_("Year"), method="filter_year", min_value=FIRST_YEAR, max_value=2100)
    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_search",
        widget=SearchInput(attrs={"placeholder": _("Unit, issuing body or what changed, with or without accents")}),
    )

    class Meta:
        model = Report
        fields: list[str] = []

    def filter_unit(self, queryset, name, value):
        return queryset.filter(unit__path__startswith=value.path)

    def filter_year(self, queryset, name, value):
        # A report belongs to every year its period touches (a custom range may span two).
        year = int(value)
        return queryset.filter(period_start__year__lte=year, period_end__year__gte=year)

    def filter_search(self, queryset, name, value):
        return filter_folded(queryset, value, ("unit__name", "issuer__name", "change_note"))


# --- Period locks -----------------------------------------------------------------------------------


class LockForm(forms.Form):
    unit = UnitChoiceField(
        label=_("Unit"),
        queryset=Unit.objects.none(),
        help_text=_("The lock covers this unit and every unit under it."),
    )
    start = date_field(_("From"))
    end = date_field(_("To"))
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why the period is locked, e.g. “Báo cáo quý IV năm 2024 đã ban hành (số 12-BC/HU)”."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = lockable_units(user)

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Say why the period is locked (e.g. the report that was issued)."))
        return reason

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The period ends before it starts."))
        return data


class UnlockForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for unlocking"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why records of this period must change again, e.g. a late correction. It is logged."),
    )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Say why the period is unlocked; the reason is logged."))
        return reason


class LockFilter(django_filters.FilterSet):
    ACTIVE_CHOICES = (("active", _("Locked now")), ("unlocked", _("Unlocked")))

    state = django_filters.ChoiceFilter(
        label=_("State"), choices=ACTIVE_CHOICES, method="filter_state", empty_label=_("All locks")
    )
    unit = django_filters.ModelChoiceFilter(
        label=_("Unit"), queryset=_filter_units, method="filter_unit", empty_label=_("All units")
    )
    year = django_filters.NumberFilter(label=_("Year"), method="filter_year", min_value=FIRST_YEAR, max_value=2100)

    class Meta:
        model = PeriodLock
        fields: list[str] = []

    def filter_state(self, queryset, name, value):
        return queryset.filter(unlocked_at__isnull=value == "active")

    def filter_unit(self, queryset, name, value):
        # Locks on the unit, under it, or above it (those cover it too).
        ids = [int(part) for part in value.path.strip("/").split("/") if part]
        return queryset.filter(Q(unit__path__startswith=value.path) | Q(unit_id__in=ids))

    def filter_year(self, queryset, name, value):
        year = int(value)
        return queryset.filter(start__year__lte=year, end__year__gte=year)
