"""Pages of emulation movements, their criteria sets, monthly scoring rounds and awards.

Every page starts from the user's scope: ``selectors.movements_visible_to`` (a commune officer
sees the district's movements, read-only) and ``Award.objects.visible_to``. A record outside it
answers 404; inside it but without the right to run the movement
(``permissions.can_manage_movement``), 403. Writes go through ``campaigns.services`` only, which
check the permission again; their ``ValidationError`` is shown on the form (field, inline row or
top) and nothing is saved.

The scoring grid, scorecards and rankings are ``views_grid``'s (``campaigns:grid``,
``campaigns:scorecard_detail``, ``campaigns:ranking``); these pages link to them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db.models import Count, Exists, OuterRef, Prefetch
from django.forms import Form
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from organization import access, audit
from organization.exports import ExportColumn, ExportMixin, choice
from organization.exports import field as export_field
from organization.models import COMMUNE_KINDS, DOCUMENT_ABBREVIATIONS, Unit
from organization.views import FilteredListView

from . import metrics, permissions, selectors, services
from .forms_scoring import (
    AwardEntryForm,
    AwardFilter,
    CopyCriteriaForm,
    CriteriaSetForm,
    MovementFilter,
    MovementForm,
    OpenRoundForm,
    ReopenRoundForm,
    RoundForm,
    as_typed,
    criteria_formset,
    default_body,
    int_or_none,
    movement_areas,
)
from .models import (
    Award,
    AwardForm,
    CriteriaSet,
    Criterion,
    DvkModel,
    Movement,
    MovementStatus,
    RoundStatus,
    Scorecard,
    ScorecardStatus,
    ScoringRound,
    TargetType,
)

#: Bootstrap badge classes per status.
MOVEMENT_BADGES = {
    MovementStatus.DRAFT: "text-bg-secondary",
    MovementStatus.ACTIVE: "text-bg-success",
    MovementStatus.ENDED: "text-bg-dark",
}
ROUND_BADGES = {
    RoundStatus.DRAFT: "text-bg-secondary",
    RoundStatus.OPEN: "text-bg-primary",
    RoundStatus.CLOSED: "text-bg-dark",
}


# --- Helpers -------------------------------------------------------------------------------------


def get_movement(user, pk) -> Movement:
    """The movement if the user may see it, else 404 (existence does not leak)."""
    movement = (
        selectors.movements_visible_to(user)
        .select_related("unit", "launched_by", "regulation_document__issuer", "created_by")
        .filter(pk=pk)
        .first()
    )
    if movement is None:
        raise Http404
    return movement


def get_round(user, pk) -> ScoringRound:
    round_ = (
        selectors.rounds_visible_to(user)
        .select_related("movement__unit", "movement__launched_by")
        .filter(pk=pk)
        .first()
    )
    if round_ is None:
        raise Http404
    return round_


def get_criteria_set(user, pk) -> CriteriaSet:
    criteria_set = (
        CriteriaSet.objects.filter(movement__in=selectors.movements_visible_to(user))
        .select_related("movement__unit")
        .prefetch_related("criteria")
        .filter(pk=pk)
        .first()
    )
    if criteria_set is None:
        raise Http404
    return criteria_set


def require_manager(user, movement: Movement) -> None:
    if not permissions.can_manage_movement(user, movement):
        raise PermissionDenied


def movement_crumbs(movement: Movement | None = None, *tail: tuple) -> list[tuple]:
    crumbs = [(_("Movements"), reverse("campaigns:movement_list"))]
    if movement is not None:
        crumbs.append((Truncator(movement.name).chars(60), reverse("campaigns:movement_detail", args=[movement.pk])))
    return [*crumbs, *tail]


def round_label(round_: ScoringRound) -> str:
    return _("Round %(month)s") % {"month": f"{round_.month:%m/%Y}"}


def show_service_errors(error: ValidationError, form: Form, keyed_forms: dict[str, Form] | None = None) -> None:
    """Put a service's ValidationError where it belongs: ``criteria-2`` on that inline row, a field
    name on the form's field, anything else on top of the form."""
    keyed_forms = keyed_forms or {}
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for key, errors in error.error_dict.items():
        texts = [text for item in errors for text in item.messages]
        if key in keyed_forms:
            keyed_forms[key].add_error(None, texts)
        elif key in form.fields and key != NON_FIELD_ERRORS and not form.has_error(key):
            form.add_error(key, texts)
        else:
            form.add_error(None, texts)


def error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


# --- Movements: the list -------------------------------------------------------------------------


def _target_labels(values: list[str] | None) -> str:
    labels = dict(TargetType.choices)
    return ", ".join(str(labels.get(value, value)) for value in values or [])


class MovementListView(ExportMixin, FilteredListView):
    template_name = "campaigns/scoring/movement_list.html"
    context_object_name = "movements"
    filterset_class = MovementFilter
    paginate_by = 25
    default_ordering = ("-launch_date", "-id")
    sort_options = {
        "launch_date": ("launch_date", "id"),
        "name": ("name", "id"),
        "rounds": ("round_count", "id"),
    }
    sort_labels = {
        "launch_date": gettext_lazy("Launched"),
        "name": gettext_lazy("Name"),
        "rounds": gettext_lazy("Rounds"),
    }
    export_filename = "phong-trao"
    export_fields = (
        "id",
        "name",
        "unit__name",
        "launched_by__name",
        "launch_date",
        "is_dvk",
        "target_types",
        "status",
        "round_count",
    )

    def base_queryset(self):
        return (
            selectors.movements_visible_to(self.request.user)
            .select_related("unit", "launched_by")
            .annotate(round_count=Count("rounds"))
        )

    def get_export_columns(self) -> list[ExportColumn]:
        return [
            ExportColumn(_("No."), export_field("id")),
            ExportColumn(_("Name"), export_field("name")),
            ExportColumn(_("Area covered"), export_field("unit__name")),
            ExportColumn(_("Launched by"), export_field("launched_by__name")),
            ExportColumn(_("Launch date"), export_field("launch_date")),
            ExportColumn(_("Dân vận khéo"), export_field("is_dvk")),
            ExportColumn(_("Units scored"), lambda row: _target_labels(row["target_types"])),
            ExportColumn(_("Status"), choice("status", MovementStatus.choices)),
            ExportColumn(_("Rounds"), export_field("round_count")),
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            rows=[
                {
                    "movement": movement,
                    "badge": MOVEMENT_BADGES.get(movement.status, ""),
                    "targets": _target_labels(movement.target_types),
                }
                for movement in context["movements"]
            ],
            may_create=movement_areas(self.request.user).exists(),
            breadcrumbs=[(_("Movements"), None)],
        )
        return context


movement_list = MovementListView.as_view()


# --- Movements: creating and editing -------------------------------------------------------------


def _render_movement_form(request, form: MovementForm, movement: Movement | None, **extra):
    creating = movement is None
    return render(
        request,
        "campaigns/scoring/movement_form.html",
        {
            "form": form,
            "movement": movement,
            "creating": creating,
            "breadcrumbs": movement_crumbs(movement, (_("New movement") if creating else _("Edit"), None)),
            **extra,
        },
    )


@login_required
def movement_create(request):
    user = request.user
    top_area = movement_areas(user).first()  # in tree order: the district before its communes
    if top_area is None:
        raise PermissionDenied
    if request.method == "POST":
        form = MovementForm(request.POST, user=user)
        if form.is_valid():
            try:
                movement = services.movement_create(user=user, values=form.values())
            except ValidationError as error:
                show_service_errors(error, form)
            else:
                messages.success(request, _("Created the movement “%(name)s”.") % {"name": movement.name})
                return redirect("campaigns:movement_detail", pk=movement.pk)
    else:
        initial: dict[str, Any] = {
            "launched_by": default_body(request.active_membership),
            "launch_date": timezone.localdate(),
            "target_types": [TargetType.VILLAGE],
            "unit": top_area,
        }
        form = MovementForm(user=user, initial=initial)
    return _render_movement_form(request, form, None)


@login_required
def movement_edit(request, pk):
    user = request.user
    movement = get_movement(user, pk)
    require_manager(user, movement)
    if request.method == "POST":
        form = MovementForm(request.POST, user=user, movement=movement)
        if form.is_valid():
            try:
                services.movement_update(
                    user=user,
                    movement=movement,
                    values=form.values(),
                    expected_version=form.cleaned_data["version"],
                )
            except services.StaleVersion as error:
                form.add_error(None, error.messages)
                return _render_movement_form(request, form, movement, stale=True)
            except ValidationError as error:
                show_service_errors(error, form)
            else:
                messages.success(request, _("Saved the changes to the movement."))
                return redirect("campaigns:movement_detail", pk=movement.pk)
    else:
        initial = {
            "name": movement.name,
            "launched_by": movement.launched_by,
            "launch_date": movement.launch_date,
            "is_dvk": movement.is_dvk,
            "target_types": list(movement.target_types or []),
            "regulation_document": movement.regulation_document,
            "description": movement.description,
            "status": movement.status,
            "version": movement.version,
        }
        form = MovementForm(user=user, movement=movement, initial=initial)
    return _render_movement_form(request, form, movement)


# --- Movements: one movement ---------------------------------------------------------------------


@dataclass
class YearOfCriteria:
    year: int
    sets: list[CriteriaSet] = field(default_factory=list)


def criteria_by_year(movement: Movement) -> list[YearOfCriteria]:
    """The movement's criteria sets, newest year first, each with its criteria (two queries)."""
    used = Scorecard.objects.filter(criteria_set=OuterRef("pk"))
    sets = (
        CriteriaSet.objects.filter(movement=movement)
        .annotate(in_use=Exists(used))
        .prefetch_related(Prefetch("criteria", queryset=Criterion.objects.order_by("order", "id")))
        .order_by("-year")
    )
    # Within a year, in the order the kinds are listed (villages, offices, schools, religious groups).
    order = {value: index for index, value in enumerate(TargetType.values)}
    years: dict[int, YearOfCriteria] = {}
    for criteria_set in sorted(sets, key=lambda s: (-s.year, order.get(s.target_type, len(order)))):
        years.setdefault(criteria_set.year, YearOfCriteria(criteria_set.year)).sets.append(criteria_set)
    return list(years.values())


def rounds_with_counts(movement: Movement) -> list[dict[str, Any]]:
    """The movement's rounds, newest first, with units eligible and scored (submitted or
    verified) as ``metrics.round_coverage`` defines them, plus the drafts and verified cards
    still to be handled: four queries whatever the number of rounds."""
    rounds = list(movement.rounds.order_by("-month"))
    if not rounds:
        return []
    coverage = {
        row["round_id"]: row
        for row in metrics.round_coverage(movement.unit, rounds[-1].month, rounds[0].month, movement=movement)
    }
    cards: dict[int, dict[str, int]] = defaultdict(dict)
    per_status = (
        Scorecard.objects.filter(round__movement=movement)
        .order_by()
        .values_list("round_id", "status")
        .annotate(n=Count("pk"))
    )
    for round_id, status, count in per_status:
        cards[round_id][status] = count
    return [
        {
            "round": round_,
            "badge": ROUND_BADGES.get(round_.status, ""),
            "scored": coverage[round_.pk]["scored"],
            "verified": cards[round_.pk].get(ScorecardStatus.VERIFIED, 0),
            "drafts": cards[round_.pk].get(ScorecardStatus.DRAFT, 0),
            "eligible": coverage[round_.pk]["eligible"],
        }
        for round_ in rounds
    ]


def _award_rows(user, awards) -> list[dict[str, Any]]:
    return [
        {
            "award": award,
            "may_delete": may_delete_award(user, award),
            "decision_visible": award.decision_document_id is not None
            and access.can_view_unit(user, award.decision_document.issuer),
        }
        for award in awards
    ]


def _awards(user):
    return Award.objects.visible_to(user).select_related(
        "recipient_unit", "issuer", "movement__unit", "round", "decision_document__issuer", "dvk_model"
    )


@login_required
def movement_detail(request, pk):
    user = request.user
    movement = get_movement(user, pk)
    document = movement.regulation_document
    context = {
        "movement": movement,
        "badge": MOVEMENT_BADGES.get(movement.status, ""),
        "targets": _target_labels(movement.target_types),
        "document_visible": document is not None and access.can_view_unit(user, document.issuer),
        "years": criteria_by_year(movement),
        "rounds": rounds_with_counts(movement),
        "awards": _award_rows(user, _awards(user).filter(movement=movement).order_by("-date", "-id")),
        "history": audit.history_rows(movement),
        "may_manage": permissions.can_manage_movement(user, movement),
        "this_year": timezone.localdate().year,
        "breadcrumbs": movement_crumbs(None, (Truncator(movement.name).chars(60), None)),
    }
    return render(request, "campaigns/scoring/movement_detail.html", context)


# --- Criteria sets -------------------------------------------------------------------------------


def _criteria_input(form: CriteriaSetForm, formset) -> services.CriteriaSetInput:
    data = form.cleaned_data
    return services.CriteriaSetInput(
        target_type=data["target_type"],
        year=data["year"],
        total_points=data["total_points"],
        note=data["note"].strip(),
        criteria=formset.rows(),
    )


def _render_criteria_form(request, movement, form, formset, criteria_set=None, **extra):
    creating = criteria_set is None
    title = _("New criteria") if creating else str(criteria_set)
    return render(
        request,
        "campaigns/scoring/criteria_set_form.html",
        {
            "movement": movement,
            "criteria_set": criteria_set,
            "form": form,
            "formset": formset,
            "creating": creating,
            "copy_form": None if creating else CopyCriteriaForm(initial={"year": criteria_set.year + 1}),
            "breadcrumbs": movement_crumbs(movement, (title, None)),
            **extra,
        },
    )


@login_required
def criteria_set_create(request, pk):
    user = request.user
    movement = get_movement(user, pk)
    require_manager(user, movement)
    if request.method == "POST":
        form = CriteriaSetForm(request.POST, movement=movement)
        formset = criteria_formset(request.POST)
        if form.is_valid() and formset.is_valid():
            try:
                criteria_set = services.criteria_set_save(
                    user=user, movement=movement, data=_criteria_input(form, formset)
                )
            except ValidationError as error:
                show_service_errors(error, form, formset.keyed_forms())
            else:
                messages.success(request, _("Saved the criteria for %(set)s.") % {"set": str(criteria_set)})
                return redirect(
                    reverse("campaigns:movement_detail", args=[movement.pk]) + f"#criteria-{criteria_set.year}"
                )
    else:
        initial: dict[str, Any] = {"year": timezone.localdate().year}
        if request.GET.get("type") in (movement.target_types or []):
            initial["target_type"] = request.GET["type"]
        year = int_or_none(request.GET.get("year"))
        if year and 2000 <= year <= 2100:
            initial["year"] = year
        form = CriteriaSetForm(movement=movement, initial=initial)
        formset = criteria_formset()
    return _render_criteria_form(request, movement, form, formset)


def _render_frozen(request, criteria_set: CriteriaSet, *, errors=(), status=200, copy_form=None):
    movement = criteria_set.movement
    return render(
        request,
        "campaigns/scoring/criteria_set_detail.html",
        {
            "movement": movement,
            "criteria_set": criteria_set,
            "criteria": list(criteria_set.criteria.all()),
            "errors": list(errors),
            "copy_form": copy_form or CopyCriteriaForm(initial={"year": criteria_set.year + 1}),
            "breadcrumbs": movement_crumbs(movement, (str(criteria_set), None)),
        },
        status=status,
    )


@login_required
def criteria_set_edit(request, pk):
    """Edit a set and its criteria together. A set used by a scorecard is frozen: shown read-only
    with a form to copy it to another year, so past scores never change."""
    user = request.user
    criteria_set = get_criteria_set(user, pk)
    movement = criteria_set.movement
    require_manager(user, movement)
    if criteria_set.is_frozen:
        errors = []
        if request.method == "POST":
            errors = [
                _("These criteria have already been used for scoring and cannot change; copy them to a new year.")
            ]
        return _render_frozen(request, criteria_set, errors=errors)
    if request.method == "POST":
        form = CriteriaSetForm(request.POST, movement=movement, criteria_set=criteria_set)
        formset = criteria_formset(request.POST)
        if form.is_valid() and formset.is_valid():
            try:
                saved = services.criteria_set_save(
                    user=user,
                    movement=movement,
                    criteria_set=criteria_set,
                    data=_criteria_input(form, formset),
                    expected_version=form.cleaned_data["version"],
                )
            except services.StaleVersion as error:
                form.add_error(None, error.messages)
                return _render_criteria_form(request, movement, form, formset, criteria_set, stale=True)
            except ValidationError as error:
                show_service_errors(error, form, formset.keyed_forms())
            else:
                messages.success(request, _("Saved the criteria for %(set)s.") % {"set": str(saved)})
                return redirect(reverse("campaigns:movement_detail", args=[movement.pk]) + f"#criteria-{saved.year}")
    else:
        initial = {
            "target_type": criteria_set.target_type,
            "year": criteria_set.year,
            "total_points": as_typed(criteria_set.total_points),
            "note": criteria_set.note,
            "version": criteria_set.version,
        }
        form = CriteriaSetForm(movement=movement, criteria_set=criteria_set, initial=initial)
        formset = criteria_formset(criteria_set=criteria_set)
    return _render_criteria_form(request, movement, form, formset, criteria_set)


@login_required
@require_POST
def criteria_set_copy(request, pk):
    """Start another year's criteria as a copy of this set (frozen or not)."""
    user = request.user
    source = get_criteria_set(user, pk)
    require_manager(user, source.movement)
    form = CopyCriteriaForm(request.POST)
    back = redirect("campaigns:criteria_set_edit", pk=source.pk)
    if not form.is_valid():
        messages.error(request, _("Nothing was copied: give a year between 2000 and 2100."))
        return back
    try:
        copy = services.criteria_set_copy(user=user, source=source, year=form.cleaned_data["year"])
    except ValidationError as error:
        messages.error(request, _("Nothing was copied: %(errors)s") % {"errors": error_text(error)})
        return back
    messages.success(request, _("Copied the criteria to %(year)s; adjust them below.") % {"year": copy.year})
    return redirect("campaigns:criteria_set_edit", pk=copy.pk)


# --- Rounds --------------------------------------------------------------------------------------


def _next_month(movement: Movement) -> date:
    """A sensible default for a new round: the month after the latest one, else this month."""
    latest = movement.rounds.order_by("-month").values_list("month", flat=True).first()
    if latest is None:
        return timezone.localdate().replace(day=1)
    return date(latest.year + 1, 1, 1) if latest.month == 12 else date(latest.year, latest.month + 1, 1)


@login_required
def round_create(request, pk):
    user = request.user
    movement = get_movement(user, pk)
    require_manager(user, movement)
    if request.method == "POST":
        form = RoundForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                round_ = services.round_create(
                    user=user,
                    movement=movement,
                    month=data["first_day"],
                    closes_on=data["closes_on"],
                    selected_per_type=data["selected_per_type"],
                    min_percent_for_selection=data["min_percent_for_selection"],
                )
            except ValidationError as error:
                show_service_errors(error, form)
            else:
                messages.success(
                    request,
                    _("Created the round for %(month)s. Open it when the criteria are ready.")
                    % {"month": f"{round_.month:%m/%Y}"},
                )
                return redirect("campaigns:round_detail", pk=round_.pk)
    else:
        month = _next_month(movement)
        form = RoundForm(initial={"month": month.month, "year": month.year})
    return render(
        request,
        "campaigns/scoring/round_form.html",
        {"movement": movement, "form": form, "breadcrumbs": movement_crumbs(movement, (_("New round"), None))},
    )


@dataclass
class CommuneProgress:
    name: str
    unit_id: int | None
    path: str = ""
    eligible: int = 0
    draft: int = 0
    submitted: int = 0
    verified: int = 0

    @property
    def not_started(self) -> int:
        return max(self.eligible - self.draft - self.submitted - self.verified, 0)


def round_progress(round_: ScoringRound) -> tuple[list[CommuneProgress], CommuneProgress]:
    """Per commune: units the round scores and their scorecards by status; units outside any
    commune (district offices) form one row under the movement's area. Three queries, whatever
    the number of communes and units (a unit's commune is read from its path, not fetched)."""
    area = round_.movement.unit
    communes = {
        path: CommuneProgress(name=name, unit_id=pk, path=path)
        for pk, name, path in Unit.objects.filter(path__startswith=area.path, kind__in=COMMUNE_KINDS)
        .order_by("path")
        .values_list("pk", "name", "path")
    }
    outside = CommuneProgress(
        name=_("%(area)s (outside the communes)") % {"area": area.name}, unit_id=None, path=area.path
    )

    def row_of(unit_path: str) -> CommuneProgress:
        prefix = "/"
        for part in unit_path.strip("/").split("/"):
            prefix += f"{part}/"
            if prefix in communes:
                return communes[prefix]
        return outside

    for unit_path in selectors.eligible_units(round_).values_list("path", flat=True):
        row_of(unit_path).eligible += 1
    for unit_path, status in round_.scorecards.order_by().values_list("unit__path", "status"):
        row = row_of(unit_path)
        setattr(row, status, getattr(row, status) + 1)
    rows = [row for row in communes.values() if row.eligible or row.draft or row.submitted or row.verified]
    if outside.eligible or outside.draft or outside.submitted or outside.verified:
        rows.append(outside)
    total = CommuneProgress(name=_("Total"), unit_id=None)
    for row in rows:
        for name in ("eligible", "draft", "submitted", "verified"):
            setattr(total, name, getattr(total, name) + getattr(row, name))
    return rows, total


def _round_context(request, round_: ScoringRound) -> dict[str, Any]:
    user = request.user
    movement = round_.movement
    may_manage = permissions.can_manage_movement(user, movement)
    rows, total = round_progress(round_)
    grid_links = {}
    if round_.status != RoundStatus.DRAFT:
        # The grid answers 404 for a commune outside the user's units, so only those are linked;
        # ``?commune=area`` is the grid's choice for the units outside any commune.
        grid = reverse("campaigns:grid", args=[round_.pk])
        for row in rows:
            if access.can_view_unit(user, Unit(pk=row.unit_id, path=row.path)):
                grid_links[row.path] = f"{grid}?commune={row.unit_id or 'area'}"
    return {
        "round": round_,
        "movement": movement,
        "badge": ROUND_BADGES.get(round_.status, ""),
        "events": list(round_.events.select_related("by").order_by("at", "id")),
        "progress": [{"row": row, "grid_url": grid_links.get(row.path)} for row in rows],
        "total": total,
        "may_manage": may_manage,
        "problems": services.round_problems(round_) if may_manage and round_.status == RoundStatus.DRAFT else [],
        "breadcrumbs": movement_crumbs(movement, (round_label(round_), None)),
    }


@login_required
def round_detail(request, pk):
    round_ = get_round(request.user, pk)
    context = _round_context(request, round_)
    if context["may_manage"] and round_.status == RoundStatus.DRAFT:
        context["open_form"] = OpenRoundForm(initial={"closes_on": round_.closes_on})
    return render(request, "campaigns/scoring/round_detail.html", context)


@login_required
@require_POST
def round_open(request, pk):
    user = request.user
    round_ = get_round(user, pk)
    require_manager(user, round_.movement)
    back = redirect("campaigns:round_detail", pk=round_.pk)
    form = OpenRoundForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, _("The round was not opened: %(errors)s") % {"errors": " ".join(form.errors["closes_on"])}
        )
        return back
    try:
        services.round_open(user=user, round_=round_, closes_on=form.cleaned_data["closes_on"])
    except ValidationError as error:
        messages.error(request, _("The round was not opened: %(errors)s") % {"errors": error_text(error)})
        return back
    messages.success(request, _("The round is open: communes can enter their scores."))
    return back


def _close_context(request, round_: ScoringRound, **extra) -> dict[str, Any]:
    counts = dict(round_.scorecards.order_by().values_list("status").annotate(n=Count("pk")))
    return {
        "round": round_,
        "movement": round_.movement,
        "waiting": counts.get(ScorecardStatus.SUBMITTED, 0),
        "drafts": counts.get(ScorecardStatus.DRAFT, 0),
        "verified": counts.get(ScorecardStatus.VERIFIED, 0),
        "breadcrumbs": movement_crumbs(
            round_.movement,
            (round_label(round_), reverse("campaigns:round_detail", args=[round_.pk])),
            (_("Close"), None),
        ),
        **extra,
    }


@login_required
def round_close(request, pk):
    """A confirmation page, then the ranking: submitted cards must all be verified first."""
    user = request.user
    round_ = get_round(user, pk)
    require_manager(user, round_.movement)
    errors: list[str] = []
    if request.method == "POST":
        try:
            services.round_close(user=user, round_=round_)
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(request, _("The round is closed and the units are ranked."))
            return redirect("campaigns:round_detail", pk=round_.pk)
    elif round_.status != RoundStatus.OPEN:
        errors = [_("Only an open round can be closed.")]
    context = _close_context(request, round_, errors=errors)
    return render(request, "campaigns/scoring/round_close.html", context)


@login_required
def round_reopen(request, pk):
    """Reopen a closed round, with the reason that is logged; its ranks are cleared."""
    user = request.user
    round_ = get_round(user, pk)
    require_manager(user, round_.movement)
    if request.method == "POST":
        form = ReopenRoundForm(request.POST)
        if form.is_valid():
            try:
                services.round_reopen(user=user, round_=round_, reason=form.cleaned_data["reason"])
            except ValidationError as error:
                show_service_errors(error, form)
            else:
                messages.success(request, _("The round is open again; close it to rank the units anew."))
                return redirect("campaigns:round_detail", pk=round_.pk)
    else:
        form = ReopenRoundForm()
    context = {
        "round": round_,
        "movement": round_.movement,
        "form": form,
        "breadcrumbs": movement_crumbs(
            round_.movement,
            (round_label(round_), reverse("campaigns:round_detail", args=[round_.pk])),
            (_("Reopen"), None),
        ),
    }
    return render(request, "campaigns/scoring/round_reopen.html", context)


# --- Awards --------------------------------------------------------------------------------------


def may_delete_award(user, award: Award) -> bool:
    """``services.award_delete``'s rule, read from the memberships already loaded."""
    if not access.can_edit_unit(user, award.recipient_unit):
        return False
    return award.movement_id is None or permissions.can_manage_movement(user, award.movement)


def _document_symbol(row: dict[str, Any]) -> str:
    if row["decision_document__number"] is None:
        return ""
    kind = row["decision_document__kind"]
    abbreviation = DOCUMENT_ABBREVIATIONS.get(kind, kind)
    return f"{row['decision_document__number']}-{abbreviation}/{row['decision_document__issuer__doc_symbol']}"


class AwardListView(ExportMixin, FilteredListView):
    template_name = "campaigns/scoring/award_list.html"
    context_object_name = "awards"
    filterset_class = AwardFilter
    paginate_by = 25
    default_ordering = ("-date", "-id")
    sort_options = {"date": ("date", "id"), "form": ("form", "date", "id")}
    sort_labels = {"date": gettext_lazy("Date"), "form": gettext_lazy("Form")}
    export_filename = "khen-thuong"
    export_fields = (
        "id",
        "date",
        "recipient_unit__name",
        "recipient_name",
        "form",
        "issuer__name",
        "decision_document__kind",
        "decision_document__number",
        "decision_document__issuer__doc_symbol",
        "movement__name",
        "round__month",
        "reason",
        "prize_value_vnd",
    )

    def base_queryset(self):
        return _awards(self.request.user)

    def get_export_columns(self) -> list[ExportColumn]:
        return [
            ExportColumn(_("No."), export_field("id")),
            ExportColumn(_("Date"), export_field("date")),
            ExportColumn(_("Recipient unit"), export_field("recipient_unit__name")),
            ExportColumn(_("Person or household"), export_field("recipient_name")),
            ExportColumn(_("Form"), choice("form", AwardForm.choices)),
            ExportColumn(_("Issued by"), export_field("issuer__name")),
            ExportColumn(_("Decision"), _document_symbol),
            ExportColumn(_("Movement"), export_field("movement__name")),
            ExportColumn(
                _("Round"), lambda row: f"{row['round__month']:%m/%Y}" if row["round__month"] is not None else ""
            ),
            ExportColumn(_("Reason"), export_field("reason")),
            ExportColumn(_("Prize (đồng)"), export_field("prize_value_vnd")),
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(
            rows=_award_rows(user, context["awards"]),
            may_create=access.editable_units(user).exists(),
            breadcrumbs=[(_("Awards"), None)],
        )
        return context


award_list = AwardListView.as_view()


def _prefill(request) -> dict[str, Any]:
    """Initial values from the ranking page's link (``?round=<pk>&unit=<pk>``) or a model's page
    (``?dvk_model=<pk>``)."""
    user = request.user
    initial: dict[str, Any] = {"date": timezone.localdate(), "issuer": default_body(request.active_membership)}
    round_pk, unit_pk = int_or_none(request.GET.get("round")), int_or_none(request.GET.get("unit"))
    if request.GET.get("round"):
        round_ = get_round(user, round_pk)
        require_manager(user, round_.movement)
        initial.update(
            movement=round_.movement,
            round=round_,
            issuer=round_.movement.launched_by,
            form=AwardForm.COMMENDATION,
            reason=_("Selected in the round for %(month)s of the movement “%(movement)s”.")
            % {"month": f"{round_.month:%m/%Y}", "movement": round_.movement.name},
        )
    if request.GET.get("dvk_model"):
        # From a model's page: the model and, as recipient, the locality that built it.
        model = DvkModel.objects.visible_to(user).filter(pk=int_or_none(request.GET["dvk_model"])).first()
        if model is None:
            raise Http404
        initial.update(dvk_model=model, recipient_unit=model.locality)
    if request.GET.get("unit"):
        initial["recipient_unit"] = access.get_unit_for_user(user, unit_pk)
    return initial


@login_required
def award_create(request):
    user = request.user
    if not access.editable_units(user).exists():
        raise PermissionDenied
    if request.method == "POST":
        form = AwardEntryForm(request.POST, user=user)
        if form.is_valid():
            try:
                award = services.award_create(user=user, values=form.values())
            except ValidationError as error:
                show_service_errors(error, form)
            else:
                messages.success(request, _("Recorded the award “%(award)s”.") % {"award": str(award)})
                if award.movement_id:
                    return redirect(reverse("campaigns:movement_detail", args=[award.movement_id]) + "#awards")
                return redirect("campaigns:award_list")
    else:
        form = AwardEntryForm(user=user, initial=_prefill(request))
    return render(
        request,
        "campaigns/scoring/award_form.html",
        {
            "form": form,
            "breadcrumbs": [(_("Awards"), reverse("campaigns:award_list")), (_("Record an award"), None)],
        },
    )


@login_required
def award_delete(request, pk):
    user = request.user
    award = _awards(user).filter(pk=pk).first()
    if award is None:
        raise Http404
    if not may_delete_award(user, award):
        raise PermissionDenied
    if request.method == "POST":
        try:
            services.award_delete(user=user, award=award)
        except ValidationError as error:
            messages.error(request, _("The award was not deleted: %(errors)s") % {"errors": error_text(error)})
        else:
            messages.success(request, _("Deleted the award “%(award)s”.") % {"award": str(award)})
            return redirect("campaigns:award_list")
    return render(
        request,
        "campaigns/scoring/award_confirm_delete.html",
        {
            "award": award,
            "breadcrumbs": [(_("Awards"), reverse("campaigns:award_list")), (_("Delete"), None)],
        },
    )


urlpatterns = [
    path("movements/", movement_list, name="movement_list"),
    path("movements/new/", movement_create, name="movement_create"),
    path("movements/<int:pk>/", movement_detail, name="movement_detail"),
    path("movements/<int:pk>/edit/", movement_edit, name="movement_edit"),
    path("movements/<int:pk>/criteria/new/", criteria_set_create, name="criteria_set_create"),
    path("movements/<int:pk>/rounds/new/", round_create, name="round_create"),
    path("criteria/<int:pk>/edit/", criteria_set_edit, name="criteria_set_edit"),
    path("criteria/<int:pk>/copy/", criteria_set_copy, name="criteria_set_copy"),
    path("rounds/<int:pk>/", round_detail, name="round_detail"),
    path("rounds/<int:pk>/open/", round_open, name="round_open"),
    path("rounds/<int:pk>/close/", round_close, name="round_close"),
    path("rounds/<int:pk>/reopen/", round_reopen, name="round_reopen"),
    path("awards/", award_list, name="award_list"),
    path("awards/new/", award_create, name="award_create"),
    path("awards/<int:pk>/delete/", award_delete, name="award_delete"),
]
