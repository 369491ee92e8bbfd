"""Pages of grassroots programs (chương trình ra quân): the list with its totals and export, the
program with its work items, contributions and participation, recording and editing them on one
page, and moving a program through its status workflow.

Every page starts from the user's scope (``selectors.programs_for``): a program outside it
answers 404; inside it but without the right to write, 403. Writes go through
``programs.services`` only; their ``ValidationError`` is shown on the form or inline row that
caused it, and nothing is saved (each service is one transaction).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db.models import (
    BigIntegerField,
    Count,
    Exists,
    IntegerField,
    Max,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Cast, Coalesce
from django.forms import Form
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.formats import number_format
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.http import require_POST
from django.views.generic import DetailView

from organization import access, audit
from organization.exports import ExportColumn, ExportMixin, choice, field
from organization.models import DOCUMENT_ABBREVIATIONS
from organization.views import FilteredListView

from . import metrics, selectors, services
from .forms_programs import (
    ProgramFilter,
    ProgramForm,
    default_organizer,
    host_communes,
    inline_formsets,
)
from .models import (
    PROGRAM_TRANSITIONS,
    Contribution,
    ContributionKind,
    OrganizerLevel,
    Participation,
    Program,
    ProgramField,
    ProgramStatus,
    Qualifier,
    WorkItem,
)
from .services import PROGRAM_FIELDS, ProgramInput

#: Bootstrap badge classes per program status.
STATUS_BADGES = {
    ProgramStatus.PLANNED: "text-bg-secondary",
    ProgramStatus.SURVEYED: "text-bg-info",
    ProgramStatus.HELD: "text-bg-primary",
    ProgramStatus.REVIEWED: "text-bg-success",
}
#: A total of exact and "over" figures is itself "over"; of exact and "almost" figures, "almost";
#: mixing both bounds gives neither, so it is shown as "about".
ABOUT = "about"


# --- Figures as reports write them ---------------------------------------------------------------


def combined_qualifier(has_over: bool, has_almost: bool) -> str:
    if has_over and has_almost:
        return ABOUT
    if has_over:
        return Qualifier.OVER
    if has_almost:
        return Qualifier.ALMOST
    return Qualifier.EXACT


def figure(value: int | Decimal | None, qualifier: str = Qualifier.EXACT) -> str:
    """``20000, "over"`` → "trên 20.000" (in Vietnamese): the hedge word stays with the number."""
    if isinstance(value, Decimal):
        # 283,75 km stays 283,75; 1.200,00 m² reads 1.200.
        value = int(value) if value == value.to_integral_value() else value.normalize()
    number = number_format(value or 0, force_grouping=True)
    if qualifier == Qualifier.OVER:
        return _("over %(value)s") % {"value": number}
    if qualifier == Qualifier.ALMOST:
        return _("almost %(value)s") % {"value": number}
    if qualifier == ABOUT:
        return _("about %(value)s") % {"value": number}
    return number


def rows_qualifier(rows: Iterable[Any]) -> str:
    qualifiers = {row.qualifier for row in rows}
    return combined_qualifier(Qualifier.OVER in qualifiers, Qualifier.ALMOST in qualifiers)


# --- Per-program totals, as subqueries ------------------------------------------------------------


def _sum_per_program(model, column: str, output) -> Coalesce:
    total = (
        model.objects.filter(program=OuterRef("pk"))
        .order_by()
        .values("program")
        .annotate(total=Sum(column))
        .values("total")
    )
    return Coalesce(Subquery(total, output_field=output), 0, output_field=output)


def _work_item_count() -> Coalesce:
    count = WorkItem.objects.filter(program=OuterRef("pk")).order_by().values("program").annotate(n=Count("pk"))
    return Coalesce(Subquery(count.values("n"), output_field=IntegerField()), 0)


def with_totals(programs: QuerySet[Program]) -> QuerySet[Program]:
    """Each program with its contribution value, person-times and work-item count, and whether a
    hedged figure ("over", "almost") went into them: one SELECT whatever the number of rows.

    A contribution's qualifier hedges its value only when it has one (else it hedges the quantity).
    """
    hedged_value = Contribution.objects.filter(program=OuterRef("pk"), value_vnd__gt=0)
    hedged_people = Participation.objects.filter(program=OuterRef("pk"))

    def flag(rows: QuerySet) -> Cast:
        # 0 or 1 rather than a boolean, so the totals row can take its ``Max`` on every database.
        return Cast(Exists(rows), IntegerField())

    return programs.annotate(
        total_value=_sum_per_program(Contribution, "value_vnd", BigIntegerField()),
        total_person_times=_sum_per_program(Participation, "person_times", BigIntegerField()),
        work_item_count=_work_item_count(),
        value_over=flag(hedged_value.filter(qualifier=Qualifier.OVER)),
        value_almost=flag(hedged_value.filter(qualifier=Qualifier.ALMOST)),
        people_over=flag(hedged_people.filter(qualifier=Qualifier.OVER)),
        people_almost=flag(hedged_people.filter(qualifier=Qualifier.ALMOST)),
    )


def list_totals(programs: QuerySet[Program]) -> dict[str, Any]:
    """The totals row of the filtered list: one aggregate query over ``with_totals(programs)``.

    Dashboards and reports read their figures from ``programs.metrics``, whose functions take
    (units, period) and count held programs only. This row sums exactly the rows the list shows,
    whatever their status and with every filter (status, field, search) applied, which no metric
    takes, so it is computed here over the filtered queryset; the hedge rule is the metrics' one
    (a non-zero part typed "over" or "almost" hedges the sum).
    """
    # Aliases differ from the annotations they read: an aggregate named like an annotation
    # replaces it, and the inner query would then select a string literal instead.
    totals = programs.order_by().aggregate(
        count=Count("pk"),
        value=Sum("total_value"),
        person_times=Sum("total_person_times"),
        any_value_over=Max("value_over"),
        any_value_almost=Max("value_almost"),
        any_people_over=Max("people_over"),
        any_people_almost=Max("people_almost"),
    )
    value_hedge = combined_qualifier(bool(totals["any_value_over"]), bool(totals["any_value_almost"]))
    people_hedge = combined_qualifier(bool(totals["any_people_over"]), bool(totals["any_people_almost"]))
    return {
        "count": totals["count"],
        "value": totals["value"] or 0,
        "person_times": totals["person_times"] or 0,
        "value_display": figure(totals["value"], value_hedge),
        "person_times_display": figure(totals["person_times"], people_hedge),
    }


# --- Helpers ---------------------------------------------------------------------------------------


def get_program(user, pk) -> Program:
    """The program if the user may see it, else 404 (existence does not leak)."""
    program = selectors.programs_for(user).select_related("basis_document__issuer", "created_by").filter(pk=pk).first()
    if program is None:
        raise Http404
    return program


def program_crumbs(program: Program | None = None, *tail: tuple) -> list[tuple]:
    crumbs = [(_("Programs"), reverse("programs:program_list"))]
    if program is not None:
        crumbs.append((Truncator(str(program)).chars(60), reverse("programs:program_detail", args=[program.pk])))
    return [*crumbs, *tail]


def show_service_errors(error: ValidationError, form: Form, keyed_forms: dict[str, Form]) -> None:
    """Put a service's ValidationError where it belongs: ``work_items-2`` on that inline row, a
    field name on the program's field, anything else on top of the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for key, errors in error.error_dict.items():
        texts = [text for item in errors for text in item.messages]
        if key in keyed_forms:
            keyed_forms[key].add_error(None, texts)
        elif key in form.fields and key != NON_FIELD_ERRORS:
            form.add_error(key, texts)
        else:
            form.add_error(None, texts)


def _field_labels(values: list[str] | None, separator: str = ", ") -> str:
    labels = dict(ProgramField.choices)
    return separator.join(str(labels.get(value, value)) for value in values or [])


def _basis_symbol(row: dict[str, Any]) -> str:
    """The basis document's number and symbol (``Document.symbol``) from a ``.values()`` row."""
    if row["basis_document__number"] is None:
        return ""
    kind = row["basis_document__kind"]
    abbreviation = DOCUMENT_ABBREVIATIONS.get(kind, kind)
    return f"{row['basis_document__number']}-{abbreviation}/{row['basis_document__issuer__doc_symbol']}"


# --- The list --------------------------------------------------------------------------------------


class ProgramListView(ExportMixin, FilteredListView):
    template_name = "programs/program_list.html"
    context_object_name = "programs"
    filterset_class = ProgramFilter
    paginate_by = 25
    default_ordering = ("-date", "-id")
    sort_options = {
        "date": ("date", "id"),
        "value": ("total_value", "id"),
        "person_times": ("total_person_times", "id"),
    }
    sort_labels = {
        "date": gettext_lazy("Date"),
        "value": gettext_lazy("Value (đồng)"),
        "person_times": gettext_lazy("Person-times"),
    }
    export_filename = "chuong-trinh"
    #: The import's program sheet (``imports/kinds/programs.py``): the same title and headers, so
    #: an export imports as it is; the totals are informational columns the import ignores.
    export_sheet_title = "Chương trình"
    export_fields = (
        "id",
        "unit__name",
        "village__name",
        "date",
        "title",
        "organizer_level",
        "organizer__name",
        "fields",
        "status",
        "basis_document__number",
        "basis_document__kind",
        "basis_document__issuer__doc_symbol",
        "survey_notes",
        "summary",
        "work_item_count",
        "total_value",
        "value_over",
        "value_almost",
        "total_person_times",
        "people_over",
        "people_almost",
    )

    def base_queryset(self):
        return selectors.programs_for(self.request.user)

    def get_queryset(self):
        self.filterset = self.filterset_class(self.request.GET, queryset=self.base_queryset(), request=self.request)
        # Totals are annotated after filtering, so the sort keys exist and the Python-side field
        # filter reads only (pk, fields).
        return with_totals(self.filterset.qs).order_by(*self.get_ordering())

    def get_export_columns(self) -> list[ExportColumn]:
        def hedge(over: str, almost: str):
            """The hedge word of a total, in words a spreadsheet reader understands."""
            labels = {
                Qualifier.EXACT: "",
                Qualifier.OVER: _("over"),
                Qualifier.ALMOST: _("almost"),
                ABOUT: _("about"),
            }
            return lambda row: labels[combined_qualifier(row[over], row[almost])]

        # Headers are the import template's, in Vietnamese whatever the user's language. "Số TT"
        # is the program's id: unique in the file, as the import's reference number must be.
        return [
            ExportColumn("Số TT", field("id")),
            ExportColumn("Xã, phường", field("unit__name")),
            ExportColumn("Thôn, tổ dân phố", field("village__name")),
            ExportColumn("Ngày", field("date")),
            ExportColumn("Tên chương trình", field("title")),
            ExportColumn("Cấp tổ chức", choice("organizer_level", OrganizerLevel.choices)),
            ExportColumn("Đơn vị tổ chức", field("organizer__name")),
            ExportColumn("Lĩnh vực", lambda row: _field_labels(row["fields"], separator="; ")),
            ExportColumn("Trạng thái", choice("status", ProgramStatus.choices)),
            ExportColumn("Văn bản căn cứ", _basis_symbol),
            ExportColumn("Nội dung khảo sát", field("survey_notes")),
            ExportColumn("Kết quả", field("summary")),
            ExportColumn("Công trình, phần việc", field("work_item_count")),
            ExportColumn("Giá trị (đồng)", field("total_value")),
            ExportColumn("Mức độ chính xác của giá trị", hedge("value_over", "value_almost")),
            ExportColumn("Lượt người", field("total_person_times")),
            ExportColumn("Mức độ chính xác của lượt người", hedge("people_over", "people_almost")),
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            rows=[
                {
                    "program": program,
                    "badge": STATUS_BADGES.get(program.status, ""),
                    "value": figure(program.total_value, combined_qualifier(program.value_over, program.value_almost)),
                    "person_times": figure(
                        program.total_person_times, combined_qualifier(program.people_over, program.people_almost)
                    ),
                    "fields": _field_labels(program.fields),
                }
                for program in context["programs"]
            ],
            totals=list_totals(self.object_list) if context["programs"] else None,
            may_create=host_communes(self.request.user).exists(),
            breadcrumbs=[(_("Programs"), None)],
        )
        return context


# --- Recording and editing -------------------------------------------------------------------------


def _program_input(form: ProgramForm, formsets: dict) -> ProgramInput:
    return ProgramInput(
        values=form.values(),
        work_items=formsets["work_items"].rows(),
        contributions=formsets["contributions"].rows(),
        participation=formsets["participation"].rows(),
    )


def _keyed_forms(formsets: dict) -> dict[str, Form]:
    keyed: dict[str, Form] = {}
    for formset in formsets.values():
        keyed.update(formset.keyed_forms())
    return keyed


class RecorderRequiredMixin:
    """403 for users who may record programs in no commune (leaders, viewers, agency officers)."""

    def dispatch(self, request, *args, **kwargs):
        if not host_communes(request.user).exists():
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class ProgramFormMixin:
    template_name = "programs/program_form.html"
    program: Program | None = None

    def render_form(self, form: ProgramForm, formsets: dict, **extra):
        creating = self.program is None
        context = {
            "form": form,
            "formsets": formsets,
            "program": self.program,
            "creating": creating,
            "breadcrumbs": program_crumbs(self.program, (_("Record a program") if creating else _("Edit"), None)),
            **extra,
        }
        return render(self.request, self.template_name, context)


class ProgramCreateView(LoginRequiredMixin, RecorderRequiredMixin, ProgramFormMixin, View):
    """The program with its work items, contributions and participation, saved together or not at all."""

    def get(self, request):
        communes = list(host_communes(request.user)[:2])
        initial: dict[str, Any] = {"organizer": default_organizer(request.active_membership)}
        if len(communes) == 1:  # a commune officer records for the one commune they have
            initial["unit"] = communes[0]
        return self.render_form(ProgramForm(user=request.user, initial=initial), inline_formsets())

    def post(self, request):
        form = ProgramForm(request.POST, user=request.user)
        formsets = inline_formsets(request.POST)
        if form.is_valid() and all(formset.is_valid() for formset in formsets.values()):
            try:
                program = services.program_create(user=request.user, data=_program_input(form, formsets))
            except ValidationError as error:
                show_service_errors(error, form, _keyed_forms(formsets))
            else:
                messages.success(request, _("Recorded the program “%(title)s”.") % {"title": program.title})
                return redirect("programs:program_detail", pk=program.pk)
        return self.render_form(form, formsets)


class ProgramUpdateView(LoginRequiredMixin, ProgramFormMixin, View):
    """Edit the program and its rows; a concurrent save is detected, not overwritten."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return super().dispatch(request, *args, **kwargs)  # LoginRequiredMixin redirects
        self.program = get_program(request.user, kwargs["pk"])
        if not access.can_edit_unit(request.user, self.program.unit):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, pk):
        program = self.program
        initial = {name: getattr(program, name) for name in PROGRAM_FIELDS if name != "unit"}
        initial["version"] = program.version
        form = ProgramForm(user=request.user, program=program, initial=initial)
        return self.render_form(form, inline_formsets(program=program))

    def post(self, request, pk):
        form = ProgramForm(request.POST, user=request.user, program=self.program)
        formsets = inline_formsets(request.POST)
        if form.is_valid() and all(formset.is_valid() for formset in formsets.values()):
            try:
                program = services.program_update(
                    user=request.user,
                    program=self.program,
                    data=_program_input(form, formsets),
                    expected_version=form.cleaned_data["version"],
                )
            except services.StaleVersion as error:
                form.add_error(None, error.messages)
                return self.render_form(form, formsets, stale=True)
            except ValidationError as error:
                show_service_errors(error, form, _keyed_forms(formsets))
            else:
                messages.success(request, _("Saved the changes to the program."))
                return redirect("programs:program_detail", pk=program.pk)
        return self.render_form(form, formsets)


# --- One program -------------------------------------------------------------------------------------


class ProgramDetailView(LoginRequiredMixin, DetailView):
    template_name = "programs/program_detail.html"
    context_object_name = "program"

    def get_object(self, queryset=None):
        return get_program(self.request.user, self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        program = self.object
        work_items = list(program.work_items.order_by("id"))
        contributions = list(program.contributions.order_by("id"))
        participation = list(program.participation.order_by("id"))
        # As in programs.metrics, only a non-zero part typed "over" or "almost" hedges a sum.
        valued = [row for row in contributions if row.value_vnd]
        labour = [row for row in contributions if row.kind == ContributionKind.LABOUR_DAYS]
        labour_given = [row for row in labour if row.quantity]
        may_edit = access.can_edit_unit(user, program.unit)
        document = program.basis_document
        context.update(
            badge=STATUS_BADGES.get(program.status, ""),
            field_labels=_field_labels(program.fields),
            work_items=work_items,
            work_items_done=sum(1 for item in work_items if item.done),
            contributions=[
                {
                    "row": row,
                    "value": figure(row.value_vnd, row.qualifier if row.value_vnd else Qualifier.EXACT),
                    "quantity": figure(row.quantity, Qualifier.EXACT if row.value_vnd else row.qualifier)
                    if row.quantity
                    else "—",
                }
                for row in contributions
            ],
            participation=[
                {"row": row, "person_times": figure(row.person_times, row.qualifier)} for row in participation
            ],
            total_value=figure(sum(row.value_vnd for row in contributions), rows_qualifier(valued)),
            total_labour_days=figure(sum((row.quantity for row in labour), Decimal(0)), rows_qualifier(labour_given)),
            total_person_times=figure(
                sum(row.person_times for row in participation),
                rows_qualifier([row for row in participation if row.person_times]),
            ),
            # Roads and donations are recorded on their own pages and linked to the program there.
            # A donation counts for the program when tied to it or to one of its roads, once
            # (metrics.program_donations, the one definition).
            roads=list(access.scope(program.roads.all(), user).select_related("village").order_by("-year", "name")),
            donations=list(
                access.scope(metrics.program_donations(program), user)
                .select_related("village", "road")
                .order_by("donated_on", "id")
            ),
            basis_visible=document is not None and access.can_view_unit(user, document.issuer),
            history=audit.history_rows(program),
            may_edit=may_edit,
            next_statuses=[
                {"value": status, "label": ProgramStatus(status).label}
                for status in ProgramStatus
                if may_edit and status in PROGRAM_TRANSITIONS[ProgramStatus(program.status)]
            ],
            breadcrumbs=program_crumbs(None, (Truncator(str(program)).chars(60), None)),
        )
        return context


@login_required
@require_POST
def program_status(request, pk):
    """Move a program to its next status (``status`` and the ``version`` the user saw)."""
    program = get_program(request.user, pk)
    if not access.can_edit_unit(request.user, program.unit):
        raise PermissionDenied
    status = request.POST.get("status", "")
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = None
    back = redirect("programs:program_detail", pk=program.pk)
    if status not in ProgramStatus.values or version is None:
        messages.error(request, _("Nothing was changed: choose one of the offered steps."))
        return back
    try:
        updated = services.program_set_status(
            user=request.user, program=program, status=status, expected_version=version
        )
    except ValidationError as error:
        messages.error(request, _("Nothing was changed: %(errors)s") % {"errors": " ".join(error.messages)})
        return back
    messages.success(request, _("The program is now “%(status)s”.") % {"status": ProgramStatus(updated.status).label})
    return back


urlpatterns = [
    path("", ProgramListView.as_view(), name="program_list"),
    path("new/", ProgramCreateView.as_view(), name="program_create"),
    path("<int:pk>/", ProgramDetailView.as_view(), name="program_detail"),
    path("<int:pk>/edit/", ProgramUpdateView.as_view(), name="program_update"),
    path("<int:pk>/status/", program_status, name="program_status"),
]
