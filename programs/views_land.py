"""Pages of road projects, land donations and site clearance (GPMB) with its disbursements.

Every page starts from the user's scope: lists from ``selectors`` (``visible_to(user)``), one
record through ``_get_*`` (404 outside the scope). Writes go through one ``programs.services``
function each: its ``ValidationError`` is shown on the form (nothing is saved), ``PermissionDenied``
answers 403. Totals rows are computed from the filtered records in SQL, never typed; a donation is
one row of ``LandDonation`` however it is reached (commune, road, program), so it counts once.
"""

from __future__ import annotations

import os
from collections import Counter, defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from organization import access, audit
from organization.exports import ExportColumn, ExportMixin, choice, field
from organization.models import Role
from organization.search import fold
from organization.views import FilteredListView, add_service_errors

from . import metrics, selectors, services
from .forms_land import (
    ClearanceFilter,
    ClearanceForm,
    ClearanceStatusForm,
    DisbursementForm,
    DonationFilter,
    DonationForm,
    RoadFilter,
    RoadForm,
    clearance_units,
    recording_communes,
    tree_formset,
)
from .models import (
    CLEARANCE_ORDER,
    ClearanceStatus,
    DonationPurpose,
    LandDonation,
    RoadProject,
    SiteClearanceProject,
    Surface,
)

LIST_PAGE_SIZE = 25
#: Error codes of ``organization.uploads.validate_upload``: shown on the file field, not on top.
UPLOAD_ERROR_CODES = frozenset({"file_type", "file_size", "file_content", "file_empty"})
#: The progress bar moves in steps of this many percent (a class per step would need CSS; the
#: native <progress> takes the value itself, so no inline style is needed either way).
PROGRESS_STEP = 5


def _number(value) -> int:
    """Database sums come back as int, Decimal (PostgreSQL numeric) or None."""
    return int(value or 0)


def _decimal(value) -> Decimal:
    return Decimal(value or 0)


def donation_totals(donations: QuerySet[LandDonation]) -> dict:
    """The totals row of a donation list: ``programs.metrics.donation_totals`` (the one
    definition of every donation figure) over exactly the filtered rows."""
    totals = metrics.donation_totals(donations, by_species=False)
    return {
        "count": totals["donors"],
        "area_m2": totals["area_m2"],
        "trees": totals["trees"],
        "labour_days": totals["labour_days"],
        "cash_vnd": totals["cash_vnd"],
        "value_vnd": totals["value_vnd"],
    }


def road_totals(user, roads: QuerySet[RoadProject]) -> dict:
    """Roads counted and measured (km), and what was donated to them read from the donations
    table: two aggregate queries whatever the number of rows."""
    row = roads.order_by().aggregate(count=Count("pk"), length_m=Sum("length_m"))
    gifts = (
        LandDonation.objects.visible_to(user)
        .filter(road__in=roads.order_by().values("pk"))
        .aggregate(donors=Count("pk"), area_m2=Sum("area_m2"))
    )
    length_m = _decimal(row["length_m"])
    return {
        "count": row["count"],
        "length_m": length_m,
        "km": (length_m / 1000).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP),
        "donors": gifts["donors"],
        "area_m2": _decimal(gifts["area_m2"]),
    }


def _may_record_somewhere(user) -> bool:
    return access.is_admin(user) or any(m.role in access.WRITE_ROLES for m in access.memberships(user))


def _is_district_staff_somewhere(user) -> bool:
    return access.is_admin(user) or any(m.role == Role.DISTRICT_STAFF for m in access.memberships(user))


def _may_run_clearance(user, project: SiteClearanceProject) -> bool:
    return access.has_role_over(user, project.unit, Role.DISTRICT_STAFF)


def _show_errors(form, error: ValidationError, file_field: str | None = None) -> None:
    """A service's error on the form; a refused upload on its file field."""
    if file_field and not hasattr(error, "error_dict") and getattr(error, "code", None) in UPLOAD_ERROR_CODES:
        form.add_error(file_field, error)
        return
    add_service_errors(form, error)


def _stale(error: ValidationError) -> bool:
    return isinstance(error, services.StaleVersion)


# --- Roads --------------------------------------------------------------------------------


def _with_donation_figures(roads: QuerySet[RoadProject]) -> QuerySet[RoadProject]:
    """Each road with its donors and donated m² (one GROUP BY over the donations it joins)."""
    return roads.annotate(donor_count=Count("donations"), donated_m2=Coalesce(Sum("donations__area_m2"), Decimal(0)))


class RoadListView(ExportMixin, FilteredListView):
    template_name = "programs/road_list.html"
    context_object_name = "roads"
    filterset_class = RoadFilter
    paginate_by = LIST_PAGE_SIZE
    default_ordering = ("-year", "name", "id")
    sort_options = {
        "name": ("name", "id"),
        "year": ("year", "name", "id"),
        "length": ("length_m", "id"),
        "commune": ("unit__path", "name", "id"),
        "donated": ("donated_m2", "id"),
    }
    sort_labels = {
        "name": gettext_lazy("Name"),
        "year": gettext_lazy("Year"),
        "length": gettext_lazy("Length (m)"),
        "commune": gettext_lazy("Commune"),
        "donated": gettext_lazy("Land donated (m²)"),
    }
    export_filename = "duong-giao-thong"
    #: The sheet and headers of the "roads" import template (imports/kinds/roads.py), so an
    #: export can be imported again as it is; the donation figures are informational.
    export_sheet_title = "Tuyến đường"
    export_fields = (
        "id",
        "name",
        "unit__name",
        "village__name",
        "program__title",
        "year",
        "length_m",
        "road_width_m",
        "surface_width_m",
        "surface",
        "total_investment_vnd",
        "people_share_vnd",
        "donor_count",
        "donated_m2",
    )

    def base_queryset(self):
        return selectors.roads_for(self.request.user)

    def get_queryset(self):
        self.filterset = self.filterset_class(self.request.GET, queryset=self.base_queryset(), request=self.request)
        self.filtered = self.filterset.qs
        return _with_donation_figures(self.filtered).order_by(*self.get_ordering())

    def get_export_columns(self) -> list[ExportColumn]:
        return [
            ExportColumn("Số TT", field("id")),
            ExportColumn("Xã, phường", field("unit__name")),
            ExportColumn("Thôn, tổ dân phố", field("village__name")),
            ExportColumn("Tuyến đường", field("name")),
            ExportColumn("Năm", field("year")),
            ExportColumn("Chiều dài (m)", field("length_m")),
            ExportColumn("Rộng nền (m)", field("road_width_m")),
            ExportColumn("Rộng mặt (m)", field("surface_width_m")),
            ExportColumn("Loại mặt đường", choice("surface", Surface.choices)),
            ExportColumn("Tổng mức đầu tư (đồng)", field("total_investment_vnd")),
            ExportColumn("Nhân dân đóng góp (đồng)", field("people_share_vnd")),
            ExportColumn("Chương trình", field("program__title")),
            ExportColumn("Số hộ hiến đất", field("donor_count")),
            ExportColumn("Diện tích đất hiến (m²)", field("donated_m2")),
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            totals=road_totals(self.request.user, self.filtered),
            may_create=_may_record_somewhere(self.request.user),
            breadcrumbs=[(_("Roads"), None)],
        )
        return context


def _road_crumbs(road: RoadProject | None, *last):
    crumbs = [(_("Roads"), reverse("programs:road_list"))]
    if road is not None:
        crumbs.append((road.name, reverse("programs:road_detail", args=[road.pk])))
    return [*crumbs, *last]


def _get_road(user, pk) -> RoadProject:
    road = selectors.roads_for(user).select_related("created_by").filter(pk=pk).first()
    if road is None:
        raise Http404
    return road


def _road_form_page(request, form, road: RoadProject | None, **extra):
    title = _("Record a road") if road is None else _("Edit the road")
    context = {
        "form": form,
        "road": road,
        "creating": road is None,
        "title": title,
        "has_units": road is not None or form.fields["unit"].queryset.exists(),
        "breadcrumbs": _road_crumbs(road, (title, None)),
        **extra,
    }
    return render(request, "programs/road_form.html", context)


@login_required
def road_create(request):
    user = request.user
    if not _may_record_somewhere(user):
        raise PermissionDenied
    if request.method != "POST":
        communes = list(recording_communes(user)[:2])
        initial = {"unit": communes[0]} if len(communes) == 1 else {}
        return _road_form_page(request, RoadForm(user=user, initial=initial), None)
    form = RoadForm(request.POST, user=user)
    if form.is_valid():
        try:
            road = services.road_project_save(user=user, values=form.values())
        except ValidationError as error:
            _show_errors(form, error)
        else:
            messages.success(request, _("Road “%(name)s” recorded.") % {"name": road.name})
            return redirect("programs:road_detail", pk=road.pk)
    return _road_form_page(request, form, None)


@login_required
def road_update(request, pk):
    user = request.user
    road = _get_road(user, pk)
    if not access.can_edit_unit(user, road.unit):
        raise PermissionDenied
    if request.method != "POST":
        return _road_form_page(request, RoadForm(user=user, road=road, initial=RoadForm.initial_from(road)), road)
    form = RoadForm(request.POST, user=user, road=road)
    if form.is_valid():
        try:
            road = services.road_project_save(
                user=user, values=form.values(), road=road, expected_version=form.cleaned_data["version"]
            )
        except ValidationError as error:
            _show_errors(form, error)
            return _road_form_page(request, form, road, stale=_stale(error))
        messages.success(request, _("Saved the changes to the road."))
        return redirect("programs:road_detail", pk=road.pk)
    return _road_form_page(request, form, road)


@login_required
@require_GET
def road_detail(request, pk):
    user = request.user
    road = _get_road(user, pk)
    donations = LandDonation.objects.visible_to(user).filter(road=road).select_related("village", "program")
    program_visible = road.program_id is not None and access.can_view_unit(user, road.program.unit)
    context = {
        "road": road,
        "donations": list(donations.order_by("donated_on", "id")),
        "donation_totals": donation_totals(donations),
        "program_visible": program_visible,
        "may_edit": access.can_edit_unit(user, road.unit),
        "history": audit.history_rows(road),
        "breadcrumbs": _road_crumbs(None, (road.name, None)),
    }
    return render(request, "programs/road_detail.html", context)


# --- Land donations -------------------------------------------------------------------------


class DonationListView(ExportMixin, FilteredListView):
    template_name = "programs/donation_list.html"
    context_object_name = "donations"
    filterset_class = DonationFilter
    paginate_by = LIST_PAGE_SIZE
    default_ordering = ("-donated_on", "-id")
    sort_options = {
        "donated_on": ("donated_on", "id"),
        "donor": ("donor", "id"),
        "area": ("area_m2", "id"),
        "value": ("value_vnd", "id"),
    }
    sort_labels = {
        "donated_on": gettext_lazy("Date"),
        "donor": gettext_lazy("Household head"),
        "area": gettext_lazy("Land (m²)"),
        "value": gettext_lazy("Total value (đồng)"),
    }
    export_filename = "hien-dat"
    #: The sheet and headers of the "roads" import template's donations (imports/kinds/roads.py).
    export_sheet_title = "Hiến đất"
    export_fields = (
        "id",
        "donated_on",
        "donor",
        "unit",
        "unit__name",
        "village__name",
        "road__name",
        "road__year",
        "program__title",
        "purpose",
        "area_m2",
        "trees",
        "other_assets",
        "labour_days",
        "cash_vnd",
        "value_vnd",
    )

    def base_queryset(self):
        return selectors.donations_for(self.request.user)

    def get_export_columns(self) -> list[ExportColumn]:
        # A road is named by its name, with its year when its commune has two roads of that
        # name, so the import finds the same road again.
        names = Counter(
            (unit_id, fold(name))
            for unit_id, name in RoadProject.objects.filter(
                unit__in=self.get_export_queryset().order_by().values("unit")
            ).values_list("unit_id", "name")
        )

        def road(row) -> str:
            if not row["road__name"]:
                return ""
            twice = names[(row["unit"], fold(row["road__name"]))] > 1
            return f"{row['road__name']} ({row['road__year']})" if twice else row["road__name"]

        def tree_count(row) -> int:
            return sum(int(count) for count in (row["trees"] or {}).values())

        def tree_species(row) -> str:
            return "; ".join(f"{species}: {count}" for species, count in (row["trees"] or {}).items())

        return [
            ExportColumn("Số TT", field("id")),
            ExportColumn("Ngày hiến", field("donated_on")),
            ExportColumn("Chủ hộ", field("donor")),
            ExportColumn("Xã, phường", field("unit__name")),
            ExportColumn("Thôn, tổ dân phố", field("village__name")),
            ExportColumn("Tuyến đường", road),
            ExportColumn("Chương trình", field("program__title")),
            ExportColumn("Mục đích", choice("purpose", DonationPurpose.choices)),
            ExportColumn("Diện tích đất (m²)", field("area_m2")),
            ExportColumn("Cây trồng", tree_count),
            ExportColumn("Cây trồng theo loài", tree_species),
            ExportColumn("Tài sản khác", field("other_assets")),
            ExportColumn("Ngày công", field("labour_days")),
            ExportColumn("Tiền mặt (đồng)", field("cash_vnd")),
            ExportColumn("Tổng giá trị (đồng)", field("value_vnd")),
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            totals=donation_totals(self.filterset.qs),
            may_create=_may_record_somewhere(self.request.user),
            breadcrumbs=[(_("Land donations"), None)],
        )
        return context


def _donation_crumbs(donation: LandDonation | None, *last):
    crumbs = [(_("Land donations"), reverse("programs:donation_list"))]
    if donation is not None:
        crumbs.append((donation.donor, reverse("programs:donation_detail", args=[donation.pk])))
    return [*crumbs, *last]


def _get_donation(user, pk) -> LandDonation:
    donation = selectors.donations_for(user).select_related("created_by").filter(pk=pk).first()
    if donation is None:
        raise Http404
    return donation


def _donation_form_page(request, form, trees, donation: LandDonation | None, **extra):
    title = _("Record a land donation") if donation is None else _("Edit the land donation")
    context = {
        "form": form,
        "trees": trees,
        "donation": donation,
        "creating": donation is None,
        "title": title,
        "has_units": donation is not None or form.fields["unit"].queryset.exists(),
        "breadcrumbs": _donation_crumbs(donation, (title, None)),
        **extra,
    }
    return render(request, "programs/donation_form.html", context)


def _save_donation(request, form, trees, donation: LandDonation | None):
    """Validate the form and its tree rows, call the service; the saved donation or None."""
    if not (form.is_valid() and trees.is_valid()):
        return None, False
    try:
        saved = services.land_donation_save(
            user=request.user,
            values=form.values(trees.trees()),
            donation=donation,
            consent_file=form.cleaned_data.get("consent_file") or None,
            expected_version=form.cleaned_data.get("version"),
        )
    except ValidationError as error:
        _show_errors(form, error, file_field="consent_file")
        return None, _stale(error)
    return saved, False


@login_required
def donation_create(request):
    user = request.user
    if not _may_record_somewhere(user):
        raise PermissionDenied
    if request.method != "POST":
        communes = list(recording_communes(user)[:2])
        initial = {"unit": communes[0]} if len(communes) == 1 else {}
        road = request.GET.get("road")
        if road and road.isdigit():
            chosen = RoadProject.objects.visible_to(user).filter(pk=road, unit__in=recording_communes(user)).first()
            if chosen is not None:
                initial.update(unit=chosen.unit, road=chosen)
        return _donation_form_page(request, DonationForm(user=user, initial=initial), tree_formset(), None)
    form = DonationForm(request.POST, request.FILES, user=user)
    trees = tree_formset(request.POST)
    donation, _stale_version = _save_donation(request, form, trees, None)
    if donation is not None:
        messages.success(request, _("Land donation of %(donor)s recorded.") % {"donor": donation.donor})
        return redirect("programs:donation_detail", pk=donation.pk)
    return _donation_form_page(request, form, trees, None)


@login_required
def donation_update(request, pk):
    user = request.user
    donation = _get_donation(user, pk)
    if not access.can_edit_unit(user, donation.unit):
        raise PermissionDenied
    if request.method != "POST":
        form = DonationForm(user=user, donation=donation, initial=DonationForm.initial_from(donation))
        return _donation_form_page(request, form, tree_formset(donation=donation), donation)
    form = DonationForm(request.POST, request.FILES, user=user, donation=donation)
    trees = tree_formset(request.POST, donation=donation)
    saved, stale = _save_donation(request, form, trees, donation)
    if saved is not None:
        messages.success(request, _("Saved the changes to the land donation."))
        return redirect("programs:donation_detail", pk=saved.pk)
    return _donation_form_page(request, form, trees, donation, stale=stale)


@login_required
@require_GET
def donation_detail(request, pk):
    user = request.user
    donation = _get_donation(user, pk)
    context = {
        "donation": donation,
        "consent_name": os.path.basename(donation.consent_file.name) if donation.consent_file else "",
        "program_visible": donation.program_id is not None and access.can_view_unit(user, donation.program.unit),
        "may_edit": access.can_edit_unit(user, donation.unit),
        "history": audit.history_rows(donation),
        "breadcrumbs": _donation_crumbs(None, (donation.donor, None)),
    }
    return render(request, "programs/donation_detail.html", context)


@login_required
@require_GET
def donation_consent(request, pk):
    """The signed consent, streamed to users who may see the donation; uploads are never static."""
    donation = _get_donation(request.user, pk)
    consent = donation.consent_file
    if not consent or not consent.storage.exists(consent.name):
        raise Http404
    return FileResponse(consent.open("rb"), as_attachment=True, filename=os.path.basename(consent.name))


# --- Site clearance -------------------------------------------------------------------------


def percent_of(part: int, whole: int) -> Decimal | None:
    """``part`` as a percentage of ``whole`` to one decimal; None when there is no plan."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def progress_step(percent: Decimal | None) -> int:
    """The percentage rounded to the nearest ``PROGRESS_STEP``, between 0 and 100, for the bar."""
    if percent is None:
        return 0
    stepped = int((percent / PROGRESS_STEP).quantize(Decimal(1), rounding=ROUND_HALF_UP)) * PROGRESS_STEP
    return max(0, min(100, stepped))


def next_status(status: str) -> str | None:
    index = CLEARANCE_ORDER.index(status)
    return CLEARANCE_ORDER[index + 1] if index + 1 < len(CLEARANCE_ORDER) else None


class ClearanceListView(ExportMixin, FilteredListView):
    template_name = "programs/clearance_list.html"
    context_object_name = "projects"
    filterset_class = ClearanceFilter
    paginate_by = LIST_PAGE_SIZE
    default_ordering = ("-started_on", "name", "id")
    sort_options = {
        "started_on": ("started_on", "id"),
        "name": ("name", "id"),
        "budget": ("budget_vnd", "id"),
    }
    sort_labels = {
        "started_on": gettext_lazy("Started on"),
        "name": gettext_lazy("Project"),
        "budget": gettext_lazy("Budget (đồng)"),
    }
    export_filename = "giai-phong-mat-bang"
    export_fields = (
        "id",
        "name",
        "unit__name",
        "is_key_project",
        "started_on",
        "affected_households",
        "area_ha",
        "budget_vnd",
        "paid_vnd",
        "resettlement_site",
        "task_force__name",
        "status",
    )

    def base_queryset(self):
        return (
            selectors.clearance_for(self.request.user)
            .annotate(paid_vnd=Coalesce(Sum("disbursements__amount_vnd"), 0))
            .prefetch_related("communes")
        )

    def get_export_queryset(self):
        return self.get_queryset().prefetch_related(None)

    def get_export_columns(self) -> list[ExportColumn]:
        """Informational columns (site clearance is not imported): the communes in one cell."""
        communes: dict[int, list[str]] = defaultdict(list)
        through = SiteClearanceProject.communes.through
        rows = (
            through.objects.filter(siteclearanceproject__in=self.get_export_queryset().order_by().values("pk"))
            .order_by("unit__path")
            .values_list("siteclearanceproject_id", "unit__name")
        )
        for project_id, name in rows:
            communes[project_id].append(name)

        def progress(row):
            return percent_of(row["paid_vnd"], row["budget_vnd"])

        return [
            ExportColumn(_("No."), field("id")),
            ExportColumn(_("Project"), field("name")),
            ExportColumn(_("Responsible unit"), field("unit__name")),
            ExportColumn(_("Communes"), lambda row: "; ".join(communes.get(row["id"], []))),
            ExportColumn(_("Key project"), field("is_key_project")),
            ExportColumn(_("Started on"), field("started_on")),
            ExportColumn(_("Affected households"), field("affected_households")),
            ExportColumn(_("Area (ha)"), field("area_ha")),
            ExportColumn(_("Compensation budget (đồng)"), field("budget_vnd")),
            ExportColumn(_("Paid (đồng)"), field("paid_vnd")),
            ExportColumn(_("Progress (%)"), progress),
            ExportColumn(_("Resettlement site"), field("resettlement_site")),
            ExportColumn(_("Task force"), field("task_force__name")),
            ExportColumn(_("Status"), choice("status", ClearanceStatus.choices)),
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = []
        for project in context["projects"]:
            percent = percent_of(project.paid_vnd, project.budget_vnd)
            rows.append({"project": project, "percent": percent, "progress": progress_step(percent)})
        context.update(
            rows=rows,
            may_create=_is_district_staff_somewhere(self.request.user),
            breadcrumbs=[(_("Site clearance"), None)],
        )
        return context


def _clearance_crumbs(project: SiteClearanceProject | None, *last):
    crumbs = [(_("Site clearance"), reverse("programs:clearance_list"))]
    if project is not None:
        crumbs.append((project.name, reverse("programs:clearance_detail", args=[project.pk])))
    return [*crumbs, *last]


def _get_project(user, pk) -> SiteClearanceProject:
    project = selectors.clearance_for(user).filter(pk=pk).first()
    if project is None:
        raise Http404
    return project


def _clearance_form_page(request, form, project: SiteClearanceProject | None, **extra):
    title = _("Record a site clearance project") if project is None else _("Edit the site clearance project")
    context = {
        "form": form,
        "project": project,
        "creating": project is None,
        "title": title,
        "breadcrumbs": _clearance_crumbs(project, (title, None)),
        **extra,
    }
    return render(request, "programs/clearance_form.html", context)


@login_required
def clearance_create(request):
    user = request.user
    # Site clearance is the district's: commune officers, leaders and viewers get a 403.
    if not clearance_units(user).exists():
        raise PermissionDenied
    if request.method != "POST":
        units = list(clearance_units(user)[:2])
        initial = {"unit": units[0]} if len(units) == 1 else {}
        return _clearance_form_page(request, ClearanceForm(user=user, initial=initial), None)
    form = ClearanceForm(request.POST, user=user)
    if form.is_valid():
        try:
            project = services.clearance_project_save(
                user=user, values=form.values(), communes=list(form.cleaned_data["communes"])
            )
        except ValidationError as error:
            _show_errors(form, error)
        else:
            messages.success(request, _("Site clearance project “%(name)s” recorded.") % {"name": project.name})
            return redirect("programs:clearance_detail", pk=project.pk)
    return _clearance_form_page(request, form, None)


@login_required
def clearance_update(request, pk):
    user = request.user
    project = _get_project(user, pk)
    if not _may_run_clearance(user, project):
        raise PermissionDenied
    if request.method != "POST":
        form = ClearanceForm(user=user, project=project, initial=ClearanceForm.initial_from(project))
        return _clearance_form_page(request, form, project)
    form = ClearanceForm(request.POST, user=user, project=project)
    if form.is_valid():
        try:
            project = services.clearance_project_save(
                user=user,
                values=form.values(),
                communes=list(form.cleaned_data["communes"]),
                project=project,
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as error:
            _show_errors(form, error)
            return _clearance_form_page(request, form, project, stale=_stale(error))
        messages.success(request, _("Saved the changes to the project."))
        return redirect("programs:clearance_detail", pk=project.pk)
    return _clearance_form_page(request, form, project)


def _clearance_context(request, project: SiteClearanceProject, *, disbursement_form=None) -> dict:
    user = request.user
    running = 0
    series = []
    for payment in project.disbursements.select_related("created_by").order_by("paid_on", "id"):
        running += payment.amount_vnd
        series.append({"payment": payment, "running_vnd": running, "percent": percent_of(running, project.budget_vnd)})
    percent = percent_of(running, project.budget_vnd)
    may_manage = _may_run_clearance(user, project)
    upcoming = next_status(project.status)
    status_form = None
    if may_manage and upcoming is not None:
        status_form = ClearanceStatusForm(initial={"status": upcoming, "version": project.version})
    if may_manage and disbursement_form is None:
        disbursement_form = DisbursementForm()
    return {
        "project": project,
        "communes": list(project.communes.order_by("path")),
        "series": series,
        "paid_vnd": running,
        "over_vnd": max(running - project.budget_vnd, 0),
        "percent": percent,
        "progress": progress_step(percent),
        "over_budget": running > project.budget_vnd,
        "steps": [
            {
                "value": value,
                "label": label,
                "reached": CLEARANCE_ORDER.index(value) <= CLEARANCE_ORDER.index(project.status),
            }
            for value, label in ClearanceStatus.choices
        ],
        "may_manage": may_manage,
        "next_status": ClearanceStatus(upcoming) if upcoming else None,
        "status_form": status_form,
        "disbursement_form": disbursement_form if may_manage else None,
        "history": audit.history_rows(project),
        "breadcrumbs": _clearance_crumbs(None, (project.name, None)),
    }


@login_required
@require_GET
def clearance_detail(request, pk):
    project = _get_project(request.user, pk)
    return render(request, "programs/clearance_detail.html", _clearance_context(request, project))


@login_required
@require_POST
def disbursement_add(request, pk):
    user = request.user
    project = _get_project(user, pk)
    if not _may_run_clearance(user, project):
        raise PermissionDenied
    form = DisbursementForm(request.POST)
    if form.is_valid():
        try:
            services.disbursement_record(user=user, project=project, values=form.values())
        except ValidationError as error:
            _show_errors(form, error)
        else:
            messages.success(request, _("Payment recorded."))
            return redirect(reverse("programs:clearance_detail", args=[project.pk]) + "#disbursements")
    context = _clearance_context(request, project, disbursement_form=form)
    return render(request, "programs/clearance_detail.html", context)


@login_required
@require_POST
def clearance_status(request, pk):
    """Move the project to the next status of ``CLEARANCE_ORDER`` (one step, forward only)."""
    user = request.user
    project = _get_project(user, pk)
    if not _may_run_clearance(user, project):
        raise PermissionDenied
    back = redirect("programs:clearance_detail", pk=project.pk)
    form = ClearanceStatusForm(request.POST)
    upcoming = next_status(project.status)
    if not form.is_valid() or form.cleaned_data["status"] != upcoming:
        messages.error(
            request,
            _("A project that is “%(status)s” can only move to the next step.")
            % {"status": project.get_status_display()},
        )
        return back
    try:
        project = services.clearance_project_save(
            user=user, values={"status": upcoming}, project=project, expected_version=form.cleaned_data["version"]
        )
    except ValidationError as error:
        messages.error(request, _("Nothing was changed: %(errors)s") % {"errors": " ".join(error.messages)})
        return back
    messages.success(request, _("The project is now “%(status)s”.") % {"status": project.get_status_display()})
    return back


urlpatterns = [
    path("roads/", RoadListView.as_view(), name="road_list"),
    path("roads/new/", road_create, name="road_create"),
    path("roads/<int:pk>/", road_detail, name="road_detail"),
    path("roads/<int:pk>/edit/", road_update, name="road_update"),
    path("donations/", DonationListView.as_view(), name="donation_list"),
    path("donations/new/", donation_create, name="donation_create"),
    path("donations/<int:pk>/", donation_detail, name="donation_detail"),
    path("donations/<int:pk>/edit/", donation_update, name="donation_update"),
    path("donations/<int:pk>/consent/", donation_consent, name="donation_consent"),
    path("clearance/", ClearanceListView.as_view(), name="clearance_list"),
    path("clearance/new/", clearance_create, name="clearance_create"),
    path("clearance/<int:pk>/", clearance_detail, name="clearance_detail"),
    path("clearance/<int:pk>/edit/", clearance_update, name="clearance_update"),
    path("clearance/<int:pk>/disbursements/", disbursement_add, name="disbursement_add"),
    path("clearance/<int:pk>/status/", clearance_status, name="clearance_status"),
]
