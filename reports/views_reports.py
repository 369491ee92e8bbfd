"""Pages of periodic reports: the list, creating a report, the report with its compile progress,
figures, files and narrative, and the workflow steps (submit, issue, correct by a new version).

Every page starts from the user's scope (``Report.objects.visible_to``): a report outside it
answers 404; inside it but without the right for a step, 403. Writes go through
``reports.services`` only; their ``ValidationError`` is shown on the form or as a message, and
nothing is saved (each service is one transaction). Compiling runs in a Celery task queued on
commit; the page polls ``report_status`` (``static/js/reports.js``) while it runs.
"""

from __future__ import annotations

import os
import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.forms import Form
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST
from django.views.generic import View

from dialogues.models import PetitionField
from dialogues.workflow import PetitionStatus
from organization import audit
from organization.exports import ExportColumn, ExportMixin, choice, field
from organization.models import DOCUMENT_ABBREVIATIONS, DocumentCounter, DocumentKind
from organization.services import StaleVersion, term_for
from organization.views import FilteredListView

from . import kpis, periods, services
from .forms import (
    IssueForm,
    NarrativeForm,
    NewVersionForm,
    ReportCreateForm,
    ReportFilter,
    runnable_units,
)
from .models import BuildState, Report, ReportStatus
from .periods import ReportKind

#: Bootstrap badge classes per workflow status and per build state.
STATUS_BADGES = {
    ReportStatus.DRAFT: "text-bg-secondary",
    ReportStatus.SUBMITTED: "text-bg-info",
    ReportStatus.ISSUED: "text-bg-success",
}
BUILD_BADGES = {
    BuildState.QUEUED: "text-bg-light border",
    BuildState.RUNNING: "text-bg-warning",
    BuildState.READY: "text-bg-success",
    BuildState.FAILED: "text-bg-danger",
}
#: The downloadable files: URL kind → (file field, content type).
FILES = {
    "xlsx": ("xlsx_file", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "docx": ("docx_file", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "pdf": ("pdf_file", "application/pdf"),
}
FILE_LABELS = {"xlsx": gettext_lazy("Tables (XLSX)"), "docx": gettext_lazy("Report (DOCX)"), "pdf": gettext_lazy("PDF")}
#: The suffix a storage adds when a name is taken ("…-v1_AbC1234.docx"): not part of the name.
STORAGE_SUFFIX = re.compile(r"_[A-Za-z0-9]{7}(?=\.[a-z]+$)")
#: How many communes the ranking on the page shows (the files carry all of them).
RANKING_ROWS = 20


# --- Helpers ---------------------------------------------------------------------------------------


def reports_for(user):
    return Report.objects.visible_to(user).select_related("unit", "issuer", "document__issuer")


def get_report(user, pk) -> Report:
    """The report if the user may see it, else 404 (existence does not leak)."""
    report = reports_for(user).select_related("signer", "replaces", "created_by").filter(pk=pk).first()
    if report is None:
        raise Http404
    return report


def require_runner(user, report: Report) -> None:
    if not services.can_run_reports(user, report.unit):
        raise PermissionDenied


def report_crumbs(report: Report | None = None, *tail: tuple) -> list[tuple]:
    crumbs = [(_("Reports"), reverse("reports:report_list"))]
    if report is not None:
        crumbs.append((str(report), reverse("reports:report_detail", args=[report.pk])))
    return [*crumbs, *tail]


def show_service_errors(request, error: ValidationError, form: Form | None = None) -> None:
    """A service's field errors on the form's fields; anything else as an error message."""
    if hasattr(error, "error_dict"):
        for key, errors in error.error_dict.items():
            texts = [text for item in errors for text in item.messages]
            if form is not None and key in form.fields and key != NON_FIELD_ERRORS:
                form.add_error(key, texts)
            elif form is not None:
                form.add_error(None, texts)
            else:
                messages.error(request, " ".join(texts))
        return
    if form is not None:
        form.add_error(None, error.messages)
    else:
        messages.error(request, " ".join(error.messages))


def _version_of(request) -> int | None:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


def period_label(report: Report) -> str:
    """Read at display time, so it follows the page's language (the frozen one is the compile's)."""
    return periods.label(report.period)


def document_symbol(report: Report) -> str:
    return report.document.symbol if report.document_id else ""


# --- Figures as the page shows them -------------------------------------------------------------------


def _number(value: Any) -> int | Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def show_figure(value: Any, measure: str = "count") -> str:
    """A frozen figure the Vietnamese way ("1.234.567", "20,0 %"); "—" when there is none."""
    number = _number(value)
    if number is None:
        return "—"
    text = number_format(number, force_grouping=True)
    return f"{text} %" if measure == "percent" else text


def show_change(current: Any, base: Any, measure: str) -> str:
    """How ``current`` moved from ``base``: percentage points for rates, per cent otherwise."""
    now, then = _number(current), _number(base)
    if now is None or then is None:
        return "—"
    if measure == "percent":
        difference = Decimal(now) - Decimal(then)
        sign = "+" if difference > 0 else ""
        return _("%(value)s pts") % {"value": sign + number_format(difference.quantize(Decimal("0.1")))}
    if then == 0:
        return "—"
    change = (Decimal(now) - Decimal(then)) * 100 / Decimal(then)
    sign = "+" if change > 0 else ""
    return f"{sign}{number_format(change.quantize(Decimal('0.1')))} %"


def kpi_rows(figures: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per KPI of ``reports.kpis`` (the one definition): this period, the previous one,
    the same period last year, and the changes, all read from the frozen figures."""
    current = figures.get("kpis") or {}
    before = (figures.get("previous") or {}).get("kpis") or {}
    last_year = (figures.get("last_year") or {}).get("kpis") or {}
    rows = []
    for kpi in kpis.KPIS:
        rows.append(
            {
                "key": kpi.key,
                "label": kpi.label,
                "current": show_figure(current.get(kpi.key), kpi.unit),
                "previous": show_figure(before.get(kpi.key), kpi.unit),
                "last_year": show_figure(last_year.get(kpi.key), kpi.unit),
                "change_previous": show_change(current.get(kpi.key), before.get(kpi.key), kpi.unit),
                "change_last_year": show_change(current.get(kpi.key), last_year.get(kpi.key), kpi.unit),
            }
        )
    return rows


def _labelled(counts: dict[str, int] | None, choices) -> list[dict[str, Any]]:
    labels = dict(choices)
    rows = [{"label": labels.get(key, key), "count": count} for key, count in (counts or {}).items()]
    return sorted(rows, key=lambda row: (-row["count"], str(row["label"])))


def section_summary(figures: dict[str, Any]) -> dict[str, Any]:
    petitions = figures.get("petitions") or {}
    communes = figures.get("communes") or []
    return {
        "by_field": _labelled(petitions.get("by_field"), PetitionField.choices),
        "by_status": _labelled(petitions.get("by_status"), PetitionStatus.choices),
        "ranking": [
            {
                "rank": row.get("rank"),
                "unit": row.get("unit"),
                "activity": row.get("activity"),
                "programs": show_figure((row.get("kpis") or {}).get("programs")),
                "dialogues": show_figure((row.get("kpis") or {}).get("dialogues")),
                "resolved": show_figure((row.get("kpis") or {}).get("petitions_resolved")),
                "overdue": show_figure((row.get("kpis") or {}).get("petitions_overdue")),
            }
            for row in communes[:RANKING_ROWS]
        ],
        "communes_total": len(communes),
    }


def _compared_period(section: dict[str, Any] | None) -> dict[str, date | None]:
    section = section or {}
    try:
        return {"start": date.fromisoformat(section["start"]), "end": date.fromisoformat(section["end"])}
    except (KeyError, TypeError, ValueError):
        return {"start": None, "end": None}


def downloads(report: Report) -> list[dict[str, Any]]:
    return [
        {"kind": kind, "label": FILE_LABELS[kind], "url": reverse("reports:report_file", args=[report.pk, kind])}
        for kind, (field_name, _content_type) in FILES.items()
        if getattr(report, field_name)
    ]


def version_chain(report: Report, user) -> list[Report]:
    """Every version of the report's kind, period and unit, oldest first."""
    return list(
        reports_for(user)
        .filter(kind=report.kind, period_start=report.period_start, period_end=report.period_end, unit=report.unit)
        .order_by("version_no")
    )


def preview_number(report: Report, day: date) -> tuple[str | None, str | None]:
    """The number the report would get if issued on ``day`` (the next of its body's counter in
    the term), or the reason it cannot be issued that day. Only a preview: the number is given
    inside ``services.issue`` under a row lock, so someone issuing first takes it."""
    issuer = report.issuer
    if not issuer.doc_symbol:
        return None, _("%(issuer)s has no document symbol.") % {"issuer": issuer.name}
    if not issuer.is_valid_on(day):
        return None, _("%(issuer)s did not exist on %(day)s.") % {"issuer": issuer.name, "day": f"{day:%d/%m/%Y}"}
    try:
        term = term_for(issuer, day)
    except ValidationError as error:
        return None, " ".join(error.messages)
    counter = DocumentCounter.objects.filter(issuer=issuer, kind=DocumentKind.BC, term=term).first()
    number = (counter.last_number if counter else 0) + 1
    abbreviation = DOCUMENT_ABBREVIATIONS.get(DocumentKind.BC, DocumentKind.BC)
    return f"{number}-{abbreviation}/{issuer.doc_symbol}", None


# --- The list ----------------------------------------------------------------------------------------


class ReportListView(ExportMixin, FilteredListView):
    template_name = "reports/report_list.html"
    context_object_name = "reports"
    filterset_class = ReportFilter
    paginate_by = 25
    default_ordering = ("-period_end", "kind", "unit__path", "-version_no")
    sort_options = {
        "period": ("period_end", "period_start", "unit__path", "version_no"),
        "kind": ("kind", "-period_end", "unit__path"),
        "unit": ("unit__name", "-period_end", "version_no"),
        "status": ("status", "-period_end", "unit__path"),
        "updated": ("updated_at", "id"),
    }
    sort_labels = {
        "period": gettext_lazy("Period"),
        "kind": gettext_lazy("Kind"),
        "unit": gettext_lazy("Unit"),
        "status": gettext_lazy("Status"),
        "updated": gettext_lazy("Last change"),
    }
    export_filename = "bao-cao"
    export_fields = (
        "id",
        "kind",
        "period_start",
        "period_end",
        "unit__name",
        "issuer__name",
        "version_no",
        "status",
        "build_state",
        "document__number",
        "document__issuer__doc_symbol",
        "issued_at",
        "change_note",
    )

    def base_queryset(self):
        return reports_for(self.request.user)

    def get_export_columns(self) -> list[ExportColumn]:
        def number(row):
            if row["document__number"] is None:
                return ""
            return f"{row['document__number']}-BC/{row['document__issuer__doc_symbol']}"

        return [
            ExportColumn(_("No."), field("id")),
            ExportColumn(_("Kind"), choice("kind", ReportKind.choices)),
            ExportColumn(_("From"), field("period_start")),
            ExportColumn(_("To"), field("period_end")),
            ExportColumn(_("Unit"), field("unit__name")),
            ExportColumn(_("Issuing body"), field("issuer__name")),
            ExportColumn(_("Version"), field("version_no")),
            ExportColumn(_("Status"), choice("status", ReportStatus.choices)),
            ExportColumn(_("Compilation"), choice("build_state", BuildState.choices)),
            ExportColumn(_("Number"), number),
            ExportColumn(_("Issued at"), field("issued_at")),
            ExportColumn(_("What changed"), field("change_note")),
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            rows=[
                {
                    "report": report,
                    "period": period_label(report),
                    "status_badge": STATUS_BADGES.get(report.status, ""),
                    "build_badge": BUILD_BADGES.get(report.build_state, ""),
                    "number": document_symbol(report),
                }
                for report in context["reports"]
            ],
            may_create=runnable_units(self.request.user).exists(),
            breadcrumbs=[(_("Reports"), None)],
        )
        return context


# --- Creating --------------------------------------------------------------------------------------


class ReportCreateView(View):
    """Kind, period, unit and issuer → ``services.report_create``, which queues the compile."""

    template_name = "reports/report_form.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not runnable_units(request.user).exists():
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def render_form(self, form: ReportCreateForm, existing: Report | None = None):
        context = {
            "form": form,
            "existing": existing,
            "breadcrumbs": report_crumbs(None, (_("Create a report"), None)),
        }
        return render(self.request, self.template_name, context)

    def get(self, request):
        initial = ReportCreateForm.initial_for(timezone.localdate())
        # The unit the user is working as, when reports run there; else their first such unit.
        units = runnable_units(request.user)
        membership = request.active_membership
        unit = units.filter(pk=membership.unit_id).first() if membership is not None else None
        unit = unit or units.first()
        if unit is not None:
            initial["unit"] = unit
            initial["issuer"] = services.default_issuer(unit)
        return self.render_form(ReportCreateForm(user=request.user, initial=initial))

    def post(self, request):
        form = ReportCreateForm(request.POST, user=request.user)
        existing = None
        if form.is_valid():
            data = form.cleaned_data
            unit = data["unit"]
            include_predecessors = data["include_predecessors"] and unit.predecessors.exists()
            try:
                report = services.report_create(
                    user=request.user,
                    kind=data["kind"],
                    period_start=data["period_start"],
                    period_end=data["period_end"],
                    unit=unit,
                    issuer=data["issuer"],
                    include_predecessors=include_predecessors,
                )
            except PermissionDenied:
                form.add_error("unit", _("You cannot run reports for %(unit)s.") % {"unit": unit.name})
            except ValidationError as error:
                existing = self._existing(data)  # before the errors take fields out of cleaned_data
                show_service_errors(request, error, form)
            else:
                messages.success(
                    request,
                    _("The report “%(report)s” was created; it is being compiled.") % {"report": report},
                )
                return redirect("reports:report_detail", pk=report.pk)
        return self.render_form(form, existing)

    def _existing(self, data: dict[str, Any]) -> Report | None:
        """The report the service found for the same kind, period and unit (its latest version)."""
        if not (data.get("period_start") and data.get("period_end")):
            return None
        return (
            reports_for(self.request.user)
            .filter(
                kind=data["kind"], period_start=data["period_start"], period_end=data["period_end"], unit=data["unit"]
            )
            .order_by("-version_no")
            .first()
        )


# --- One report -------------------------------------------------------------------------------------


def _detail_context(request, report: Report, **forms: Form | None) -> dict[str, Any]:
    user = request.user
    may_run = services.can_run_reports(user, report.unit)
    may_issue = services.can_issue(user, report.unit)
    ready = report.build_state == BuildState.READY
    figures = report.figures or {}
    narrative_form = forms.get("narrative_form")
    if narrative_form is None and may_run and not report.is_frozen:
        narrative_form = NarrativeForm(report=report, initial=NarrativeForm.initial_of(report))
    replaced_by = Report.objects.filter(replaces=report).first()
    return {
        "report": report,
        "period": period_label(report),
        "number": document_symbol(report),
        "status_badge": STATUS_BADGES.get(report.status, ""),
        "build_badge": BUILD_BADGES.get(report.build_state, ""),
        "compiling": report.build_state in (BuildState.QUEUED, BuildState.RUNNING),
        "ready": ready,
        "failed": report.build_state == BuildState.FAILED,
        "has_figures": bool(figures.get("kpis")),
        "kpi_rows": kpi_rows(figures) if figures.get("kpis") else [],
        "compared": {key: _compared_period(figures.get(key)) for key in ("previous", "last_year")},
        "sections": section_summary(figures),
        "downloads": downloads(report),
        "narrative_form": narrative_form,
        "new_version_form": forms.get("new_version_form"),
        "may_run": may_run,
        # A failed draft compiles again; a failed issued report re-renders its files (services.retry).
        "may_retry": may_run and report.build_state == BuildState.FAILED,
        "may_submit": may_run and report.status == ReportStatus.DRAFT and ready,
        "may_issue": may_issue and report.status != ReportStatus.ISSUED and ready and bool(figures),
        "may_correct": may_run and report.status == ReportStatus.ISSUED and replaced_by is None,
        "may_lock": report.status == ReportStatus.ISSUED and services.can_lock(user, report.unit),
        "replaced_by": replaced_by,
        "versions": version_chain(report, user),
        "locks": list(report.locks.select_related("locked_by").order_by("-locked_at")),
        "history": audit.history_rows(report),
        "breadcrumbs": report_crumbs(None, (str(report), None)),
    }


@login_required
@require_GET
def report_detail(request, pk):
    report = get_report(request.user, pk)
    return render(request, "reports/report_detail.html", _detail_context(request, report))


@login_required
@require_GET
def report_status(request, pk):
    """What ``reports.js`` polls while the report compiles."""
    report = (
        Report.objects.visible_to(request.user).filter(pk=pk).only("build_state", "progress", "build_error").first()
    )
    if report is None:
        raise Http404
    failed = report.build_state == BuildState.FAILED
    return JsonResponse(
        {
            "build_state": report.build_state,
            "label": str(BuildState(report.build_state).label),
            "progress": report.progress,
            "error": report.build_error if failed else "",
            "ready": report.build_state == BuildState.READY,
        }
    )


@login_required
@require_GET
def report_file(request, pk, kind):
    """A compiled file, to users who may see the report; files are never served as public media."""
    if kind not in FILES:
        raise Http404
    report = get_report(request.user, pk)
    field_name, content_type = FILES[kind]
    file = getattr(report, field_name)
    if not file or not file.storage.exists(file.name):
        raise Http404
    filename = STORAGE_SUFFIX.sub("", os.path.basename(file.name))
    return FileResponse(file.open("rb"), as_attachment=True, filename=filename, content_type=content_type)


@login_required
@require_POST
def report_retry(request, pk):
    report = get_report(request.user, pk)
    require_runner(request.user, report)
    try:
        services.retry(user=request.user, report=report)
    except ValidationError as error:
        show_service_errors(request, error)
    else:
        messages.success(request, _("The report is queued for compiling again."))
    return redirect("reports:report_detail", pk=report.pk)


@login_required
@require_POST
def report_narrative(request, pk):
    """Save the narrative (the version the user saw guards against overwriting someone else's)."""
    report = get_report(request.user, pk)
    require_runner(request.user, report)
    form = NarrativeForm(request.POST, report=report)
    if form.is_valid():
        try:
            services.narrative_update(
                user=request.user,
                report=report,
                values=form.values(),
                expected_version=form.cleaned_data["version"],
            )
        except StaleVersion as error:
            form.add_error(None, error.messages)
        except ValidationError as error:
            show_service_errors(request, error, None if report.is_frozen else form)
        else:
            messages.success(request, _("The narrative was saved; the files are rendered again with it."))
            return redirect("reports:report_detail", pk=report.pk)
    report.refresh_from_db()
    context = _detail_context(request, report, narrative_form=None if report.is_frozen else form)
    return render(request, "reports/report_detail.html", context)


@login_required
@require_POST
def report_submit(request, pk):
    report = get_report(request.user, pk)
    require_runner(request.user, report)
    try:
        services.submit(user=request.user, report=report, expected_version=_version_of(request))
    except ValidationError as error:
        show_service_errors(request, error)
    else:
        messages.success(request, _("The report was submitted to the leaders for issuing."))
    return redirect("reports:report_detail", pk=report.pk)


@login_required
def report_issue(request, pk):
    """A confirmation page showing the number the report will get, then ``services.issue``."""
    report = get_report(request.user, pk)
    if not services.can_issue(request.user, report.unit):
        raise PermissionDenied
    if request.method == "POST":
        form = IssueForm(request.POST)
        if form.is_valid():
            try:
                issued = services.issue(
                    user=request.user,
                    report=report,
                    day=form.cleaned_data["day"],
                    expected_version=form.cleaned_data["version"],
                )
            except ValidationError as error:
                show_service_errors(request, error, form)
            else:
                messages.success(
                    request, _("The report was issued as number %(number)s.") % {"number": issued.document.symbol}
                )
                return redirect("reports:report_detail", pk=report.pk)
        day = form.cleaned_data.get("day") or timezone.localdate()
    else:
        # "Check the number" reloads the page for another date (?day=dd/mm/yyyy).
        day = timezone.localdate()
        if request.GET.get("day"):
            try:
                day = IssueForm.base_fields["day"].clean(request.GET["day"])
            except ValidationError:
                messages.error(request, _("Type the date as day/month/year, e.g. 05/02/2025."))
        form = IssueForm(initial={"day": day, "version": report.version})
    number, problem = preview_number(report, day) if day else (None, None)
    blockers = []
    if report.status == ReportStatus.ISSUED:
        blockers.append(_("This report has already been issued."))
    elif report.build_state != BuildState.READY or not report.figures:
        blockers.append(_("The report has not compiled; it can be issued once its files are ready."))
    context = {
        "report": report,
        "period": period_label(report),
        "form": form,
        "day": day,
        "number": number,
        "problem": problem,
        "blockers": blockers,
        "not_submitted": report.status == ReportStatus.DRAFT,
        "breadcrumbs": report_crumbs(report, (_("Issue"), None)),
    }
    return render(request, "reports/report_issue.html", context)


@login_required
def report_new_version(request, pk):
    """Correct an issued report: a new draft version naming what changed."""
    report = get_report(request.user, pk)
    require_runner(request.user, report)
    form = NewVersionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            copy = services.new_version(user=request.user, report=report, change_note=form.cleaned_data["change_note"])
        except ValidationError as error:
            show_service_errors(request, error, form)
        else:
            messages.success(
                request,
                _("Version %(version)s was created and is being compiled.") % {"version": copy.version_no},
            )
            return redirect("reports:report_detail", pk=copy.pk)
    blockers = []
    if report.status != ReportStatus.ISSUED:
        blockers.append(_("Only an issued report is corrected by a new version; edit the draft instead."))
    elif Report.objects.filter(replaces=report).exists():
        blockers.append(_("This report already has a newer version."))
    context = {
        "report": report,
        "period": period_label(report),
        "number": document_symbol(report),
        "form": form,
        "blockers": blockers,
        "breadcrumbs": report_crumbs(report, (_("New version"), None)),
    }
    return render(request, "reports/report_new_version.html", context)


urlpatterns = [
    path("", ReportListView.as_view(), name="report_list"),
    path("new/", ReportCreateView.as_view(), name="report_create"),
    path("<int:pk>/", report_detail, name="report_detail"),
    path("<int:pk>/status.json", report_status, name="report_status"),
    path("<int:pk>/files/<str:kind>/", report_file, name="report_file"),
    path("<int:pk>/retry/", report_retry, name="report_retry"),
    path("<int:pk>/narrative/", report_narrative, name="report_narrative"),
    path("<int:pk>/submit/", report_submit, name="report_submit"),
    path("<int:pk>/issue/", report_issue, name="report_issue"),
    path("<int:pk>/new-version/", report_new_version, name="report_new_version"),
]
