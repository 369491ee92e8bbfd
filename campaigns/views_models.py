"""Pages of Dân vận khéo models, the commitments households sign for them, and the yearly
emulation pledges of religious groups.

Every page starts from the user's scope: ``DvkModel.objects.visible_to`` (by owner unit),
``HouseholdCommitment.objects.visible_to`` (by village) and ``EmulationPledge.objects.visible_to``
(by religious group). A record outside it answers 404; inside it but without the right to write
(leaders, viewers), 403. Writes go through ``campaigns.services`` only; their ``ValidationError``
is shown on the form field or inline row that caused it and nothing is saved; their
``PermissionDenied`` (e.g. a commune officer posting "recognized", which only district staff
decide) answers 403.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.forms import Form
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.http import require_POST

from organization import access, audit
from organization.exports import ExportColumn, ExportMixin, choice, field
from organization.views import FilteredListView

from . import metrics, permissions, services
from .forms_models import (
    CommitmentFilter,
    CommitmentForm,
    DvkModelFilter,
    DvkModelForm,
    DvkTransitionForm,
    PledgeFilter,
    PledgeForm,
    commitment_initial,
    inline_formsets,
    model_initial,
    owner_units,
    pledge_initial,
    religious_groups,
    signing_villages,
)
from .models import (
    Award,
    CommitmentStatus,
    DvkField,
    DvkKind,
    DvkLevel,
    DvkModel,
    EmulationPledge,
    HouseholdCommitment,
    PledgeResult,
)
from .selectors import movements_visible_to
from .services import DvkModelInput, StaleVersion
from .workflow import SIGNING_STATUSES, DvkStatus, next_statuses

#: Bootstrap badge classes per model status.
STATUS_BADGES = {
    DvkStatus.REGISTERED: "text-bg-secondary",
    DvkStatus.SURVEYED: "text-bg-info",
    DvkStatus.VILLAGE_CONSULTED: "text-bg-info",
    DvkStatus.LAUNCHED: "text-bg-primary",
    DvkStatus.IN_PROGRESS: "text-bg-primary",
    DvkStatus.EVALUATED: "text-bg-warning",
    DvkStatus.RECOGNIZED: "text-bg-success",
    DvkStatus.NOT_MET: "text-bg-danger",
    DvkStatus.REPLICATED: "text-bg-success",
    DvkStatus.STOPPED: "text-bg-dark",
}
COMMITMENT_BADGES = {CommitmentStatus.KEPT: "text-bg-success", CommitmentStatus.BROKEN: "text-bg-danger"}
PLEDGE_BADGES = {
    PledgeResult.PLEDGED: "text-bg-secondary",
    PledgeResult.ACHIEVED: "text-bg-success",
    PledgeResult.NOT_ACHIEVED: "text-bg-danger",
}
#: Steps only the level above (district staff) decides (``permissions.can_recognize``).
RECOGNITION_STEPS = frozenset({DvkStatus.RECOGNIZED, DvkStatus.NOT_MET})


# --- Helpers ---------------------------------------------------------------------------------------


def optional_url(name: str, *args, query: str = "") -> str:
    """The URL of a page another part of the app provides, or "" while it does not exist, so a
    link to the movement or award pages never breaks these pages."""
    try:
        url = reverse(name, args=args)
    except NoReverseMatch:
        return ""
    return f"{url}?{query}" if query else url


def get_model(user, pk) -> DvkModel:
    """The model if the user may see it, else 404 (existence does not leak)."""
    model = (
        DvkModel.objects.visible_to(user)
        .select_related("owner_unit", "locality", "movement", "recognition_document__issuer", "created_by")
        .filter(pk=pk)
        .first()
    )
    if model is None:
        raise Http404
    return model


def model_crumbs(model: DvkModel | None = None, *tail: tuple) -> list[tuple]:
    crumbs = [(_("Dân vận khéo models"), reverse("campaigns:dvk_list"))]
    if model is not None:
        crumbs.append((Truncator(model.name).chars(60), reverse("campaigns:dvk_detail", args=[model.pk])))
    return [*crumbs, *tail]


def show_service_errors(
    error: ValidationError,
    form: Form,
    keyed_forms: dict[str, Form] | None = None,
    renamed: dict[str, str] | None = None,
) -> None:
    """Put a service's ValidationError where it belongs: ``criteria-2`` on that inline row, a
    field name (or its ``renamed`` form field) on the field, anything else on top of the form."""
    keyed_forms, renamed = keyed_forms or {}, renamed or {}
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for key, errors in error.error_dict.items():
        texts = [text for item in errors for text in item.messages]
        name = renamed.get(key, key)
        if key in keyed_forms:
            keyed_forms[key].add_error(None, texts)
        elif name in form.fields and name != NON_FIELD_ERRORS:
            form.add_error(name, texts)
        else:
            form.add_error(None, texts)


def _may_write_somewhere(user) -> bool:
    return access.editable_units(user).exists()


def _items_by_row(through, owner_column: str, ids) -> dict[int, list[str]]:
    """Item texts per commitment (or pledge) for an export: one query however many rows."""
    texts: dict[int, list[str]] = defaultdict(list)
    rows = (
        through.objects.filter(**{f"{owner_column}__in": ids})
        .order_by("commitmentitem__order", "commitmentitem__id")
        .values_list(owner_column, "commitmentitem__text")
    )
    for owner, text in rows:
        texts[owner].append(text)
    return texts


# --- Models: the list ------------------------------------------------------------------------------


class DvkListView(ExportMixin, FilteredListView):
    template_name = "campaigns/models/dvk_list.html"
    context_object_name = "models"
    filterset_class = DvkModelFilter
    paginate_by = 25
    default_ordering = ("-registered_on", "-id")
    sort_options = {
        "registered_on": ("registered_on", "id"),
        "name": ("name", "id"),
        "status": ("status", "id"),
    }
    sort_labels = {
        "registered_on": gettext_lazy("Registered"),
        "name": gettext_lazy("Name"),
        "status": gettext_lazy("Status"),
    }
    export_filename = "mo-hinh-dan-van-kheo"
    export_fields = (
        "id",
        "name",
        "kind",
        "field",
        "level",
        "owner_unit__name",
        "locality__name",
        "movement__name",
        "target_group",
        "is_pilot",
        "registered_on",
        "start_date",
        "end_date",
        "status",
        "recognized_on",
    )

    def base_queryset(self):
        return DvkModel.objects.visible_to(self.request.user).select_related("owner_unit", "locality")

    def get_export_columns(self) -> list[ExportColumn]:
        return [
            ExportColumn(_("No."), field("id")),
            ExportColumn(_("Name"), field("name")),
            ExportColumn(_("Kind"), choice("kind", DvkKind.choices)),
            ExportColumn(_("Field"), choice("field", DvkField.choices)),
            ExportColumn(_("Scope"), choice("level", DvkLevel.choices)),
            ExportColumn(_("Owner unit"), field("owner_unit__name")),
            ExportColumn(_("Locality"), field("locality__name")),
            ExportColumn(_("Movement"), field("movement__name")),
            ExportColumn(_("Target group"), field("target_group")),
            ExportColumn(_("Pilot"), field("is_pilot")),
            ExportColumn(_("Registered on"), field("registered_on")),
            ExportColumn(_("Start"), field("start_date")),
            ExportColumn(_("End"), field("end_date")),
            ExportColumn(_("Status"), choice("status", DvkStatus.choices)),
            ExportColumn(_("Recognized on"), field("recognized_on")),
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            rows=[{"model": model, "badge": STATUS_BADGES.get(model.status, "")} for model in context["models"]],
            may_create=owner_units(self.request.user).exists(),
            breadcrumbs=[(_("Dân vận khéo models"), None)],
        )
        return context


# --- Models: registering and editing ---------------------------------------------------------------


def _model_input(form: DvkModelForm, formsets: dict) -> DvkModelInput:
    return DvkModelInput(values=form.values(), criteria=formsets["criteria"].rows(), pillars=formsets["pillars"].rows())


def _keyed_forms(formsets: dict) -> dict[str, Form]:
    keyed: dict[str, Form] = {}
    for formset in formsets.values():
        keyed.update(formset.keyed_forms())
    return keyed


class DvkFormMixin:
    template_name = "campaigns/models/dvk_form.html"
    model_obj: DvkModel | None = None

    def render_form(self, form: DvkModelForm, formsets: dict, **extra):
        creating = self.model_obj is None
        context = {
            "form": form,
            "formsets": formsets,
            "model": self.model_obj,
            "creating": creating,
            "breadcrumbs": model_crumbs(self.model_obj, (_("Register a model") if creating else _("Edit"), None)),
            **extra,
        }
        return render(self.request, self.template_name, context)


class DvkCreateView(LoginRequiredMixin, DvkFormMixin, View):
    """The registration with its criteria and pillars, saved together or not at all."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not owner_units(request.user).exists():
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        initial: dict[str, Any] = {}
        owners = list(owner_units(request.user)[:2])
        if len(owners) == 1:  # a commune officer registers for the one commune they have
            initial["owner_unit"] = owners[0]
        return self.render_form(DvkModelForm(user=request.user, initial=initial), inline_formsets())

    def post(self, request):
        form = DvkModelForm(request.POST, user=request.user)
        formsets = inline_formsets(request.POST)
        if form.is_valid() and all(formset.is_valid() for formset in formsets.values()):
            try:
                model = services.dvk_model_create(user=request.user, data=_model_input(form, formsets))
            except ValidationError as error:
                show_service_errors(error, form, _keyed_forms(formsets))
            else:
                messages.success(request, _("Registered the model “%(name)s”.") % {"name": model.name})
                return redirect("campaigns:dvk_detail", pk=model.pk)
        return self.render_form(form, formsets)


class DvkUpdateView(LoginRequiredMixin, DvkFormMixin, View):
    """Edit the registration and its rows; a concurrent save is detected, not overwritten."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return super().dispatch(request, *args, **kwargs)  # LoginRequiredMixin redirects
        self.model_obj = get_model(request.user, kwargs["pk"])
        if not access.can_edit_unit(request.user, self.model_obj.owner_unit):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, pk):
        model = self.model_obj
        form = DvkModelForm(user=request.user, model=model, initial=model_initial(model))
        return self.render_form(form, inline_formsets(model=model))

    def post(self, request, pk):
        form = DvkModelForm(request.POST, user=request.user, model=self.model_obj)
        formsets = inline_formsets(request.POST)
        if form.is_valid() and all(formset.is_valid() for formset in formsets.values()):
            try:
                model = services.dvk_model_update(
                    user=request.user,
                    model=self.model_obj,
                    data=_model_input(form, formsets),
                    expected_version=form.cleaned_data["version"],
                )
            except StaleVersion as error:
                form.add_error(None, error.messages)
                return self.render_form(form, formsets, stale=True)
            except ValidationError as error:
                show_service_errors(error, form, _keyed_forms(formsets))
            else:
                messages.success(request, _("Saved the changes to the model."))
                return redirect("campaigns:dvk_detail", pk=model.pk)
        return self.render_form(form, formsets)


# --- Models: one model -----------------------------------------------------------------------------


def offered_statuses(user, model: DvkModel) -> list[str]:
    """The next steps this user may take: the workflow's, without recognition for those who
    cannot decide it (the service refuses them anyway)."""
    if not access.can_edit_unit(user, model.owner_unit):
        return []
    steps = next_statuses(model.status)
    if not permissions.can_recognize(user, model):
        steps = [step for step in steps if step not in RECOGNITION_STEPS]
    return steps


def lifecycle(model: DvkModel, events: list) -> list[dict[str, Any]]:
    """Every status in workflow order: the current one, those the model went through, the rest."""
    reached = {DvkStatus.REGISTERED.value, *(event.to_status for event in events)}
    steps = []
    for status in DvkStatus:
        if status == model.status:
            state = "current"
        elif status in reached:
            state = "done"
        else:
            state = "todo"
        steps.append({"value": status.value, "label": status.label, "state": state})
    return steps


def _detail_context(request, model: DvkModel, transition_form: DvkTransitionForm | None = None) -> dict:
    user = request.user
    criteria = list(model.criteria.all())
    events = list(model.events.select_related("by"))
    commitments = HouseholdCommitment.objects.visible_to(user).filter(model=model)
    summary = metrics.commitment_summary(commitments)
    may_edit = access.can_edit_unit(user, model.owner_unit)
    offered = offered_statuses(user, model)
    if transition_form is None and offered:
        transition_form = DvkTransitionForm(user=user, offered=offered, initial={"version": model.version})
    document = model.recognition_document
    movement_url = ""
    if model.movement_id and movements_visible_to(user).filter(pk=model.movement_id).exists():
        movement_url = optional_url("campaigns:movement_detail", model.movement_id)
    return {
        "model": model,
        "badge": STATUS_BADGES.get(model.status, ""),
        "lifecycle": lifecycle(model, events),
        "criteria": criteria,
        "criteria_met": sum(1 for criterion in criteria if criterion.met),
        "pillars": list(model.pillars.all()),
        "events": events,
        "summary": summary,
        "commitments_url": f"{reverse('campaigns:commitment_list')}?model={model.pk}",
        "may_edit": may_edit,
        "may_sign": may_edit and model.status in SIGNING_STATUSES,
        "signing_open": model.status in SIGNING_STATUSES,
        "transition_form": transition_form,
        "awards": list(
            Award.objects.visible_to(user)
            .filter(dvk_model=model)
            .select_related("recipient_unit", "issuer", "decision_document__issuer")
        ),
        "award_create_url": optional_url("campaigns:award_create", query=f"dvk_model={model.pk}") if may_edit else "",
        "award_list_url": optional_url("campaigns:award_list"),
        "movement_url": movement_url,
        "document_visible": document is not None and access.can_view_unit(user, document.issuer),
        "history": audit.history_rows(model),
        "breadcrumbs": model_crumbs(None, (Truncator(model.name).chars(60), None)),
    }


class DvkDetailView(LoginRequiredMixin, View):
    def get(self, request, pk):
        model = get_model(request.user, pk)
        return render(request, "campaigns/models/dvk_detail.html", _detail_context(request, model))


@login_required
@require_POST
def dvk_transition(request, pk):
    """Move a model to its next status, or show on the page why not (nothing changes)."""
    user = request.user
    model = get_model(user, pk)
    if not access.can_edit_unit(user, model.owner_unit):
        raise PermissionDenied
    form = DvkTransitionForm(request.POST, user=user, offered=offered_statuses(user, model))
    if form.is_valid():
        data = form.cleaned_data
        try:
            updated = services.dvk_transition(
                user=user,
                model=model,
                to_status=data["to_status"],
                note=data["note"],
                recognized_on=data["recognized_on"],
                recognition_document=data["recognition_document"],
                effective_on=data["effective_on"],
                expected_version=data["version"],
            )
        except ValidationError as error:
            show_service_errors(error, form, renamed={"status": "to_status"})
        else:
            messages.success(request, _("The model is now “%(status)s”.") % {"status": updated.get_status_display()})
            return redirect("campaigns:dvk_detail", pk=updated.pk)
    messages.error(request, _("Nothing was changed: see the status form below."))
    return render(request, "campaigns/models/dvk_detail.html", _detail_context(request, model, form))


# --- Household commitments -------------------------------------------------------------------------


class CommitmentListView(ExportMixin, FilteredListView):
    template_name = "campaigns/models/commitment_list.html"
    context_object_name = "commitments"
    filterset_class = CommitmentFilter
    paginate_by = 50
    default_ordering = ("-signed_on", "household_head", "id")
    sort_options = {
        "signed_on": ("signed_on", "household_head", "id"),
        "household_head": ("household_head", "id"),
        "village": ("village__path", "household_head", "id"),
    }
    sort_labels = {
        "signed_on": gettext_lazy("Signed on"),
        "household_head": gettext_lazy("Household head"),
        "village": gettext_lazy("Village"),
    }
    export_filename = "cam-ket-ho-gia-dinh"
    #: The sheet and headers of the "commitments" import template (imports/kinds/commitments.py),
    #: so an export can be imported again as it is.
    export_sheet_title = "Cam kết hộ gia đình"
    export_fields = (
        "id",
        "model__name",
        "household_head",
        "village__name",
        "signed_on",
        "status",
        "broken_on",
        "note",
    )

    def base_queryset(self):
        return (
            HouseholdCommitment.objects.visible_to(self.request.user)
            .select_related("model", "village")
            .prefetch_related("items", "broken_items")
        )

    def get_export_queryset(self):
        return self.get_queryset().prefetch_related(None)

    def get_export_columns(self) -> list[ExportColumn]:
        ids = self.get_export_queryset().values("pk")
        signed = _items_by_row(HouseholdCommitment.items.through, "householdcommitment_id", ids)
        broken = _items_by_row(HouseholdCommitment.broken_items.through, "householdcommitment_id", ids)
        return [
            ExportColumn("Số TT", field("id")),
            ExportColumn("Mô hình", field("model__name")),
            ExportColumn("Chủ hộ", field("household_head")),
            ExportColumn("Thôn, tổ dân phố", field("village__name")),
            ExportColumn("Ngày ký", field("signed_on")),
            ExportColumn("Nội dung cam kết", lambda row: "; ".join(signed.get(row["id"], []))),
            ExportColumn("Trạng thái", choice("status", CommitmentStatus.choices)),
            ExportColumn("Ngày vi phạm", field("broken_on")),
            ExportColumn("Nội dung vi phạm", lambda row: "; ".join(broken.get(row["id"], []))),
            ExportColumn("Ghi chú", field("note")),
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        page = list(context["commitments"])
        # Which of the page's models the user may open (a commune sees its households of a
        # district model it cannot open): one query for the whole page.
        model_ids = {commitment.model_id for commitment in page}
        openable = set(DvkModel.objects.visible_to(user).filter(pk__in=model_ids).values_list("pk", flat=True))
        editable = {unit.pk for unit in access.editable_units(user).filter(pk__in={c.village_id for c in page})}
        chosen = self.filterset.form.cleaned_data.get("model") if self.filterset.form.is_valid() else None
        context.update(
            rows=[
                {
                    "commitment": commitment,
                    "badge": COMMITMENT_BADGES.get(commitment.status, ""),
                    "model_url": reverse("campaigns:dvk_detail", args=[commitment.model_id])
                    if commitment.model_id in openable
                    else "",
                    "may_edit": commitment.village_id in editable,
                }
                for commitment in page
            ],
            chosen_model=chosen,
            create_url=_commitment_create_url(user, chosen),
            breadcrumbs=[(_("Household commitments"), None)],
        )
        return context


def _commitment_create_url(user, model: DvkModel | None) -> str:
    """Where "Add a household" leads: the form for the chosen model, or the page to pick one."""
    if not _may_write_somewhere(user):
        return ""
    base = reverse("campaigns:commitment_create")
    return f"{base}?model={model.pk}" if model is not None else base


def _signable_models(user):
    """Models the user sees, in a status where households sign, with a locality the user writes in."""
    models = DvkModel.objects.visible_to(user).filter(status__in=SIGNING_STATUSES).select_related("locality")
    return [model for model in models.order_by("-registered_on", "-id") if _may_sign_for(user, model)]


def _may_sign_for(user, model: DvkModel) -> bool:
    return access.can_edit_unit(user, model.locality) or signing_villages(user, model).exists()


def _commitment_model(request) -> DvkModel | None:
    pk = request.GET.get("model") or request.POST.get("model")
    if not pk:
        return None
    try:
        return get_model(request.user, int(pk))
    except (TypeError, ValueError):
        raise Http404 from None


class CommitmentCreateView(LoginRequiredMixin, View):
    """A household's commitment to the model given by ``?model=`` (without it: choose a model)."""

    template_name = "campaigns/models/commitment_form.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return super().dispatch(request, *args, **kwargs)
        if not _may_write_somewhere(request.user):
            raise PermissionDenied
        self.model_obj = _commitment_model(request)
        if self.model_obj is not None and not _may_sign_for(request.user, self.model_obj):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def render_form(self, form: CommitmentForm | None):
        model = self.model_obj
        context = {
            "form": form,
            "model": model,
            "model_url": reverse("campaigns:dvk_detail", args=[model.pk]) if model is not None else "",
            "creating": True,
            "signing_open": model is not None and model.status in SIGNING_STATUSES,
            "choices": _signable_models(self.request.user) if model is None else [],
            "breadcrumbs": model_crumbs(model, (_("Add a household"), None)),
        }
        return render(self.request, self.template_name, context)

    def get(self, request):
        if self.model_obj is None:
            return self.render_form(None)
        initial: dict[str, Any] = {"signed_on": timezone.localdate()}
        villages = list(signing_villages(request.user, self.model_obj)[:2])
        if len(villages) == 1:  # a model built in one village
            initial["village"] = villages[0]
        return self.render_form(CommitmentForm(user=request.user, model=self.model_obj, initial=initial))

    def post(self, request):
        if self.model_obj is None:
            raise Http404
        form = CommitmentForm(request.POST, user=request.user, model=self.model_obj)
        if form.is_valid():
            try:
                commitment = services.commitment_create(
                    user=request.user,
                    values={**form.values(), "model": self.model_obj},
                    items=form.cleaned_data["items"],
                )
            except ValidationError as error:
                show_service_errors(error, form)
            else:
                messages.success(
                    request,
                    _("Recorded the commitment of the household of %(name)s.") % {"name": commitment.household_head},
                )
                if "add_another" in request.POST:
                    return redirect(f"{reverse('campaigns:commitment_create')}?model={self.model_obj.pk}")
                return redirect(f"{reverse('campaigns:commitment_list')}?model={self.model_obj.pk}")
        return self.render_form(form)


class CommitmentUpdateView(LoginRequiredMixin, View):
    """Edit a commitment or record that it was broken; a concurrent save is detected."""

    template_name = "campaigns/models/commitment_form.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return super().dispatch(request, *args, **kwargs)
        commitment = (
            HouseholdCommitment.objects.visible_to(request.user)
            .select_related("model__locality", "village")
            .filter(pk=kwargs["pk"])
            .first()
        )
        if commitment is None:
            raise Http404
        if not access.can_edit_unit(request.user, commitment.village):
            raise PermissionDenied
        self.commitment = commitment
        return super().dispatch(request, *args, **kwargs)

    def render_form(self, form: CommitmentForm, **extra):
        commitment = self.commitment
        model = commitment.model
        model_visible = DvkModel.objects.visible_to(self.request.user).filter(pk=model.pk).exists()
        crumbs = [(_("Household commitments"), f"{reverse('campaigns:commitment_list')}?model={model.pk}")]
        context = {
            "form": form,
            "model": model,
            "model_url": reverse("campaigns:dvk_detail", args=[model.pk]) if model_visible else "",
            "commitment": commitment,
            "creating": False,
            "signing_open": True,
            "history": audit.history_rows(commitment),
            "breadcrumbs": [*crumbs, (commitment.household_head, None)],
            **extra,
        }
        return render(self.request, self.template_name, context)

    def get(self, request, pk):
        commitment = self.commitment
        form = CommitmentForm(
            user=request.user, model=commitment.model, commitment=commitment, initial=commitment_initial(commitment)
        )
        return self.render_form(form)

    def post(self, request, pk):
        commitment = self.commitment
        form = CommitmentForm(request.POST, user=request.user, model=commitment.model, commitment=commitment)
        if form.is_valid():
            data = form.cleaned_data
            try:
                updated = services.commitment_update(
                    user=request.user,
                    commitment=commitment,
                    values=form.values(),
                    items=data["items"],
                    broken_items=data["broken_items"] if data["status"] == CommitmentStatus.BROKEN else [],
                    expected_version=data["version"],
                )
            except StaleVersion as error:
                form.add_error(None, error.messages)
                return self.render_form(form, stale=True)
            except ValidationError as error:
                show_service_errors(error, form)
            else:
                messages.success(
                    request, _("Saved the commitment of the household of %(name)s.") % {"name": updated.household_head}
                )
                return redirect(f"{reverse('campaigns:commitment_list')}?model={updated.model_id}")
        return self.render_form(form)


# --- Emulation pledges -----------------------------------------------------------------------------


class PledgeListView(ExportMixin, FilteredListView):
    template_name = "campaigns/models/pledge_list.html"
    context_object_name = "pledges"
    filterset_class = PledgeFilter
    paginate_by = 50
    default_ordering = ("-year", "unit__path", "id")
    sort_options = {"year": ("year", "unit__path", "id"), "unit": ("unit__name", "-year", "id")}
    sort_labels = {"year": gettext_lazy("Year"), "unit": gettext_lazy("Religious group")}
    export_filename = "dang-ky-thi-dua"
    export_fields = ("id", "year", "unit__name", "unit__parent__name", "signed_on", "representative", "result")

    def base_queryset(self):
        return (
            EmulationPledge.objects.visible_to(self.request.user)
            .select_related("unit__parent")
            .prefetch_related("items")
        )

    def get_export_queryset(self):
        return self.get_queryset().prefetch_related(None)

    def get_export_columns(self) -> list[ExportColumn]:
        items = _items_by_row(
            EmulationPledge.items.through, "emulationpledge_id", self.get_export_queryset().values("pk")
        )
        return [
            ExportColumn(_("No."), field("id")),
            ExportColumn(_("Year"), field("year")),
            ExportColumn(_("Religious group"), field("unit__name")),
            ExportColumn(_("Within"), field("unit__parent__name")),
            ExportColumn(_("Signed on"), field("signed_on")),
            ExportColumn(_("Representative"), field("representative")),
            ExportColumn(_("Items pledged"), lambda row: "; ".join(items.get(row["id"], []))),
            ExportColumn(_("Result"), choice("result", PledgeResult.choices)),
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        page = list(context["pledges"])
        editable = {unit.pk for unit in access.editable_units(user).filter(pk__in={p.unit_id for p in page})}
        context.update(
            rows=[
                {
                    "pledge": pledge,
                    "badge": PLEDGE_BADGES.get(pledge.result, ""),
                    "may_edit": pledge.unit_id in editable,
                }
                for pledge in page
            ],
            may_create=_may_write_somewhere(user),
            breadcrumbs=[(_("Emulation pledges"), None)],
        )
        return context


class PledgeFormMixin:
    template_name = "campaigns/models/pledge_form.html"
    pledge: EmulationPledge | None = None

    def render_form(self, form: PledgeForm, **extra):
        creating = self.pledge is None
        context = {
            "form": form,
            "pledge": self.pledge,
            "creating": creating,
            "has_groups": creating is False or religious_groups(self.request.user).exists(),
            "history": audit.history_rows(self.pledge) if self.pledge else [],
            "breadcrumbs": [
                (_("Emulation pledges"), reverse("campaigns:pledge_list")),
                (_("Record a pledge") if creating else str(self.pledge), None),
            ],
            **extra,
        }
        return render(self.request, self.template_name, context)

    def save(self, form: PledgeForm):
        try:
            pledge = services.pledge_save(
                user=self.request.user,
                values=form.values(),
                items=form.cleaned_data["items"],
                pledge=self.pledge,
                expected_version=form.cleaned_data.get("version"),
            )
        except StaleVersion as error:
            form.add_error(None, error.messages)
            return self.render_form(form, stale=True)
        except ValidationError as error:
            show_service_errors(error, form)
            return self.render_form(form)
        messages.success(
            self.request,
            _("Saved the pledge of %(unit)s for %(year)s.")
            % {
                "unit": pledge.unit.name,
                "year": pledge.year,
            },
        )
        return redirect(f"{reverse('campaigns:pledge_list')}?year={pledge.year}")


class PledgeCreateView(LoginRequiredMixin, PledgeFormMixin, View):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not _may_write_somewhere(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        today = timezone.localdate()
        initial: dict[str, Any] = {"year": today.year, "signed_on": today}
        groups = list(religious_groups(request.user)[:2])
        if len(groups) == 1:
            initial["unit"] = groups[0]
        return self.render_form(PledgeForm(user=request.user, initial=initial))

    def post(self, request):
        form = PledgeForm(request.POST, user=request.user)
        if form.is_valid():
            return self.save(form)
        return self.render_form(form)


class PledgeUpdateView(LoginRequiredMixin, PledgeFormMixin, View):
    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return super().dispatch(request, *args, **kwargs)
        pledge = EmulationPledge.objects.visible_to(request.user).select_related("unit").filter(pk=kwargs["pk"]).first()
        if pledge is None:
            raise Http404
        if not access.can_edit_unit(request.user, pledge.unit):
            raise PermissionDenied
        self.pledge = pledge
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, pk):
        return self.render_form(PledgeForm(user=request.user, pledge=self.pledge, initial=pledge_initial(self.pledge)))

    def post(self, request, pk):
        form = PledgeForm(request.POST, user=request.user, pledge=self.pledge)
        if form.is_valid():
            return self.save(form)
        return self.render_form(form)


urlpatterns = [
    path("models/", DvkListView.as_view(), name="dvk_list"),
    path("models/new/", DvkCreateView.as_view(), name="dvk_create"),
    path("models/<int:pk>/", DvkDetailView.as_view(), name="dvk_detail"),
    path("models/<int:pk>/edit/", DvkUpdateView.as_view(), name="dvk_edit"),
    path("models/<int:pk>/status/", dvk_transition, name="dvk_transition"),
    path("commitments/", CommitmentListView.as_view(), name="commitment_list"),
    path("commitments/new/", CommitmentCreateView.as_view(), name="commitment_create"),
    path("commitments/<int:pk>/edit/", CommitmentUpdateView.as_view(), name="commitment_edit"),
    path("pledges/", PledgeListView.as_view(), name="pledge_list"),
    path("pledges/new/", PledgeCreateView.as_view(), name="pledge_create"),
    path("pledges/<int:pk>/edit/", PledgeUpdateView.as_view(), name="pledge_edit"),
]
