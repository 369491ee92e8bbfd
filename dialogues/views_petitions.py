"""Pages of petitions, their workflow, the agency inbox, answers, exports and reported aggregates.

Every page starts from the user's scope: lists from ``selectors`` / ``visible_to(user)``, one
petition through ``_get_petition`` (404 outside the scope). State changes are small POST-only
views calling one service each: ``ValidationError`` becomes a message (nothing changed),
``PermissionDenied`` a 403.
"""

from __future__ import annotations

import os
from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST
from django.views.generic import ListView

from organization import access
from organization.exports import ExportColumn, ExportMixin, choice, field
from organization.models import Role, Unit
from organization.views import FilteredListView, add_service_errors

from . import metrics, permissions, selectors, services
from .forms_petitions import (
    ACTION_FORMS,
    AggregateForm,
    AggregatePartFormSet,
    PetitionCreateForm,
    PetitionFilter,
    ResponseForm,
    action_form,
)
from .models import (
    ConclusionNotice,
    Dialogue,
    EngagementMeeting,
    HostBody,
    LegalTrack,
    Petition,
    PetitionField,
    PetitionSource,
    PetitionType,
    ReportedAggregate,
    ReportedAggregatePart,
    ReportedMetric,
    ResponseStatus,
)
from .services import PetitionInput
from .workflow import OPEN_WITH_AGENCY, Action, PetitionStatus, actions_from, target_status

#: A deadline this close (in days) earns the "due soon" badge in the list and the inbox.
DUE_SOON_DAYS = 7
#: The order action forms appear in on the petition page.
ACTION_ORDER = [
    Action.ANSWER_ON_SPOT,
    Action.ASSIGN,
    Action.START,
    Action.REASSIGN,
    Action.TRANSFER,
    Action.RESOLVE,
    Action.REOPEN,
    Action.ROUTE_OUT,
]


def deadline_flags(petition: Petition, today: date) -> dict:
    """Overdue / due soon, computed from the deadline (never stored)."""
    owed = petition.status in OPEN_WITH_AGENCY and petition.deadline is not None
    return {
        "overdue": owed and petition.deadline < today,
        "due_soon": owed and today <= petition.deadline <= today + timedelta(days=DUE_SOON_DAYS),
    }


def event_label(action: str) -> str:
    if action in Action.values:
        return Action(action).label
    return _("Recorded") if action == "create" else action


def _may_record_somewhere(user) -> bool:
    return access.is_admin(user) or any(m.role in access.WRITE_ROLES for m in access.memberships(user))


def _is_agency_officer_anywhere(user) -> bool:
    return any(m.role == Role.AGENCY_OFFICER for m in access.memberships(user))


# --- The petition list and its export -----------------------------------------------------


class PetitionListView(ExportMixin, FilteredListView):
    template_name = "dialogues/petition_list.html"
    context_object_name = "petitions"
    filterset_class = PetitionFilter
    paginate_by = 25
    default_ordering = ("-received_on", "-id")
    sort_options = {
        "received_on": ("received_on", "id"),
        "deadline": ("deadline", "id"),
        "status": ("status", "-received_on", "-id"),
    }
    sort_labels = {
        "received_on": gettext_lazy("Received on"),
        "deadline": gettext_lazy("Deadline"),
        "status": gettext_lazy("Status"),
    }
    export_filename = "kien-nghi"
    # The sheet and the first twelve headers are those of the petitions import template
    # (imports/kinds/petitions.py): an export of non-dialogue petitions imports as it is.
    export_sheet_title = "Kiến nghị"
    export_fields = (
        "id",
        "received_on",
        "unit__name",
        "village__name",
        "source",
        "type",
        "field",
        "content",
        "petitioner",
        "legal_track",
        "on_spot_answer",
        "status",
        "assigned_agency__name",
        "deadline",
        "answered_on",
        "dialogue__date",
        "dialogue__topic",
        "dialogue__host_body",
    )

    def base_queryset(self):
        return selectors.petitions_for(self.request.user)

    def get_ordering(self):
        ordering = super().get_ordering()
        # Petitions without a deadline (not yet assigned) go last in both directions.
        return tuple(
            (F("deadline").desc(nulls_last=True) if item.startswith("-") else F("deadline").asc(nulls_last=True))
            if item.removeprefix("-") == "deadline"
            else item
            for item in ordering
        )

    def get_export_columns(self) -> list[ExportColumn]:
        today = timezone.localdate()

        def overdue(row) -> str:
            late = row["status"] in OPEN_WITH_AGENCY and row["deadline"] is not None and row["deadline"] < today
            return _("Yes") if late else _("No")

        def answered_on_spot(row) -> str:
            return _("Yes") if row["status"] == PetitionStatus.ANSWERED_ON_SPOT or row["on_spot_answer"] else _("No")

        return [
            ExportColumn("Mã", field("id")),
            ExportColumn("Xã, phường", field("unit__name")),
            ExportColumn("Ngày tiếp nhận", field("received_on")),
            ExportColumn("Nguồn", choice("source", PetitionSource.choices)),
            ExportColumn("Loại", choice("type", PetitionType.choices)),
            ExportColumn("Lĩnh vực", choice("field", PetitionField.choices)),
            ExportColumn("Nội dung", field("content")),
            ExportColumn("Người nêu", field("petitioner")),
            ExportColumn("Thôn, tổ dân phố", field("village__name")),
            ExportColumn("Khiếu nại, tố cáo", choice("legal_track", LegalTrack.choices[1:])),
            ExportColumn("Đã trả lời tại chỗ", answered_on_spot),
            ExportColumn("Nội dung trả lời tại chỗ", field("on_spot_answer")),
            ExportColumn("Trạng thái", choice("status", PetitionStatus.choices)),
            ExportColumn("Cơ quan giải quyết", field("assigned_agency__name")),
            ExportColumn("Hạn trả lời", field("deadline")),
            ExportColumn("Quá hạn", overdue),
            ExportColumn("Ngày trả lời", field("answered_on")),
            ExportColumn("Ngày đối thoại", field("dialogue__date")),
            ExportColumn("Chủ đề đối thoại", field("dialogue__topic")),
            ExportColumn("Chủ trì đối thoại", choice("dialogue__host_body", HostBody.choices)),
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        context.update(
            rows=[{"petition": petition, **deadline_flags(petition, today)} for petition in context["petitions"]],
            may_create=_may_record_somewhere(self.request.user),
            due_soon_days=DUE_SOON_DAYS,
            breadcrumbs=[(_("Petitions"), None)],
        )
        return context


# --- Recording a petition -----------------------------------------------------------------


@login_required
def petition_create(request):
    user = request.user
    if not _may_record_somewhere(user):
        raise PermissionDenied
    form = PetitionCreateForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        unit = data["unit"]
        if not permissions.can_record(user, unit):  # the choices already ensure it
            raise PermissionDenied
        try:
            petition = services.petition_create(
                user=user,
                unit=unit,
                source=data["source"],
                received_on=data["received_on"],
                data=PetitionInput(
                    type=data["type"],
                    field=data["field"],
                    content=data["content"],
                    petitioner=data["petitioner"].strip(),
                    village=data["village"],
                    legal_track=data["legal_track"] or "",
                    answered_on_spot=data["answered_on_spot"],
                    on_spot_answer=data["on_spot_answer"].strip(),
                ),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Petition #%(id)s recorded.") % {"id": petition.pk})
            return redirect("dialogues:petition_detail", pk=petition.pk)
    return render(
        request,
        "dialogues/petition_form.html",
        {
            "form": form,
            "has_units": form.fields["unit"].queryset.exists(),
            "breadcrumbs": [(_("Petitions"), reverse("dialogues:petition_list")), (_("Record a petition"), None)],
        },
    )


# --- One petition -------------------------------------------------------------------------


def _get_petition(user, pk) -> Petition:
    """The petition if the user may see it, else 404 (existence does not leak)."""
    petition = (
        selectors.petitions_for(user)
        .select_related("engagement_meeting", "directive__notice__document__issuer", "created_by")
        .filter(pk=pk)
        .first()
    )
    if petition is None:
        raise Http404
    return petition


def _detail_context(request, petition: Petition, *, response_form: ResponseForm | None = None) -> dict:
    user = request.user
    today = timezone.localdate()
    is_agency = permissions.is_agency_officer(user, petition.assigned_agency)

    responses = []
    current_draft = None
    for response in petition.responses.select_related("agency", "author", "document__issuer"):
        if response.status == ResponseStatus.DRAFT:
            # A draft is the agency's own work in progress: only its officers see it.
            if not permissions.is_agency_officer(user, response.agency):
                continue
            current_draft = response
        responses.append(response)

    actions = [
        {"action": action, "label": Action(action).label, "form": action_form(action, user=user, petition=petition)}
        for action in ACTION_ORDER
        if action in actions_from(petition.status) and permissions.may_take(user, petition, action)
    ]

    may_answer = is_agency and petition.status in OPEN_WITH_AGENCY
    if may_answer and response_form is None:
        initial = {"answered_on": today}
        if current_draft is not None:
            initial = {
                "text": current_draft.text,
                "answered_on": current_draft.answered_on,
                "document": current_draft.document_id,
            }
        response_form = ResponseForm(initial=initial, user=user)

    # Link the source only where the user may open it (an agency officer sees the dialogue of a
    # petition assigned to it, not necessarily the notice or the meeting).
    dialogue_url = meeting_url = notice_url = ""
    if petition.dialogue_id and Dialogue.objects.visible_to(user).filter(pk=petition.dialogue_id).exists():
        dialogue_url = reverse("dialogues:dialogue_detail", args=[petition.dialogue_id])
    if (
        petition.engagement_meeting_id
        and EngagementMeeting.objects.visible_to(user).filter(pk=petition.engagement_meeting_id).exists()
    ):
        meeting_url = reverse("dialogues:engagement_detail", args=[petition.engagement_meeting_id])
    notice = petition.directive.notice if petition.directive_id else None
    if notice is not None and ConclusionNotice.objects.visible_to(user).filter(pk=notice.pk).exists():
        notice_url = reverse("dialogues:notice_detail", args=[notice.pk])

    return {
        "petition": petition,
        **deadline_flags(petition, today),
        "events": [
            {"event": event, "label": event_label(event.action)}
            for event in petition.events.select_related("actor", "agency")
        ],
        "due_soon_days": DUE_SOON_DAYS,
        "responses": responses,
        "current_draft": current_draft,
        "actions": actions,
        "may_answer": may_answer,
        "response_form": response_form,
        "may_publish": may_answer and current_draft is not None,
        "dialogue_url": dialogue_url,
        "meeting_url": meeting_url,
        "notice_url": notice_url,
        "breadcrumbs": [
            (_("Petitions"), reverse("dialogues:petition_list")),
            (_("Petition #%(id)s") % {"id": petition.pk}, None),
        ],
    }


@login_required
@require_GET
def petition_detail(request, pk):
    petition = _get_petition(request.user, pk)
    return render(request, "dialogues/petition_detail.html", _detail_context(request, petition))


def _back(petition: Petition, anchor: str = ""):
    return redirect(reverse("dialogues:petition_detail", args=[petition.pk]) + anchor)


def _form_error_text(form) -> str:
    return " ".join(str(error) for errors in form.errors.values() for error in errors)


@login_required
@require_POST
def petition_transition(request, pk):
    """Take one workflow action (``action`` in the POST) on a petition, or say why not."""
    user = request.user
    petition = _get_petition(user, pk)
    action = request.POST.get("action", "")
    if action == Action.ANSWER:
        messages.error(request, _("Publish the answer from the answer editor on this page."))
        return _back(petition)
    if action not in ACTION_FORMS:
        messages.error(request, _("This action does not exist."))
        return _back(petition)
    permissions.require(permissions.may_take(user, petition, action))
    if target_status(action, petition.status) is None:
        messages.error(
            request,
            _("A petition that is “%(status)s” cannot be moved with “%(action)s”.")
            % {"status": petition.get_status_display(), "action": Action(action).label},
        )
        return _back(petition)
    form = action_form(action, user=user, petition=petition, data=request.POST)
    if not form.is_valid():
        messages.error(request, _("Nothing was changed: %(errors)s") % {"errors": _form_error_text(form)})
        return _back(petition)
    data = form.cleaned_data
    try:
        updated = services.petition_transition(
            user=user,
            petition=petition,
            action=action,
            comment=data["comment"],
            agency=data.get("agency"),
            deadline=data.get("deadline"),
            expected_version=data["version"],
        )
    except ValidationError as error:
        messages.error(request, _("Nothing was changed: %(errors)s") % {"errors": " ".join(error.messages)})
        return _back(petition)
    messages.success(
        request,
        _("Petition #%(id)s: “%(action)s” done; it is now “%(status)s”.")
        % {"id": updated.pk, "action": Action(action).label, "status": updated.get_status_display()},
    )
    return _back(updated)


# --- The agency's answer ------------------------------------------------------------------


def _require_own_agency(user, petition: Petition) -> None:
    """403 for a user who sees the petition but is not an officer of the agency it is assigned to."""
    permissions.require(permissions.is_agency_officer(user, petition.assigned_agency))


@login_required
@require_POST
def response_save_draft(request, pk):
    user = request.user
    petition = _get_petition(user, pk)
    _require_own_agency(user, petition)
    form = ResponseForm(request.POST, request.FILES, user=user)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.response_save_draft(
                user=user,
                petition=petition,
                text=data["text"],
                answered_on=data["answered_on"],
                document=data["document"],
                file=data["file"] or None,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Draft answer saved. Publish it when it is ready."))
            return _back(petition, "#answer")
    context = _detail_context(request, petition, response_form=form)
    return render(request, "dialogues/petition_detail.html", context)


@login_required
@require_POST
def response_publish(request, pk):
    user = request.user
    petition = _get_petition(user, pk)
    _require_own_agency(user, petition)
    if request.POST.get("version") != str(petition.version):
        messages.error(
            request, _("Someone else changed this record while you were editing it. Reload it and try again.")
        )
        return _back(petition, "#answer")
    try:
        services.response_publish(user=user, petition=petition, comment=request.POST.get("comment", "").strip())
    except ValidationError as error:
        messages.error(request, _("Nothing was changed: %(errors)s") % {"errors": " ".join(error.messages)})
        return _back(petition, "#answer")
    messages.success(request, _("The answer is published; the commune and the district staff are notified."))
    return _back(petition)


@login_required
@require_GET
def response_file(request, pk, response_pk):
    """The file of an answer, to users who may see the answer (drafts: the agency only)."""
    user = request.user
    petition = _get_petition(user, pk)
    response = petition.responses.filter(pk=response_pk).select_related("agency").first()
    if response is None or not response.file:
        raise Http404
    if response.status == ResponseStatus.DRAFT and not permissions.is_agency_officer(user, response.agency):
        raise Http404
    if not response.file.storage.exists(response.file.name):
        raise Http404
    return FileResponse(response.file.open("rb"), as_attachment=True, filename=os.path.basename(response.file.name))


# --- The agency inbox ---------------------------------------------------------------------


class InboxView(LoginRequiredMixin, ExportMixin, ListView):
    """Petitions the user's agencies owe an answer for, nearest deadline first.

    Only agency officers have an inbox; other users get a 403 page saying so. Portal admins hold
    every role (``access.units_with_role``), so they see every agency's open petitions.
    """

    template_name = "dialogues/inbox.html"
    context_object_name = "petitions"
    paginate_by = 25

    export_filename = "hop-thu-co-quan"
    export_fields = (
        "id",
        "received_on",
        "unit__name",
        "field",
        "content",
        "status",
        "assigned_agency__name",
        "deadline",
        "dialogue__date",
        "dialogue__topic",
    )

    def get(self, request, *args, **kwargs):
        # Checked before the export too (ExportMixin.get runs after this one).
        user = request.user
        if not (access.is_admin(user) or _is_agency_officer_anywhere(user)):
            context = {"not_agency": True, "breadcrumbs": [(_("Agency inbox"), None)]}
            return render(request, self.template_name, context, status=403)
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.agency_inbox(self.request.user).select_related("dialogue__commune")

    def get_export_columns(self) -> list[ExportColumn]:
        return [
            ExportColumn(_("No."), field("id")),
            ExportColumn(_("Received on"), field("received_on")),
            ExportColumn(_("Commune"), field("unit__name")),
            ExportColumn(_("Field"), choice("field", PetitionField.choices)),
            ExportColumn(_("Content"), field("content")),
            ExportColumn(_("Status"), choice("status", PetitionStatus.choices)),
            ExportColumn(_("Assigned agency"), field("assigned_agency__name")),
            ExportColumn(_("Deadline"), field("deadline")),
            ExportColumn(_("Dialogue date"), field("dialogue__date")),
            ExportColumn(_("Dialogue topic"), field("dialogue__topic")),
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        context.update(
            rows=[{"petition": petition, **deadline_flags(petition, today)} for petition in context["petitions"]],
            due_soon_days=DUE_SOON_DAYS,
            breadcrumbs=[(_("Agency inbox"), None)],
        )
        return context


# --- Reported aggregates ------------------------------------------------------------------


def quality_issues(user, units=None) -> dict[int, dict]:
    """Data-quality issues of the reported aggregates the user sees, by aggregate id, from
    ``metrics.data_quality_issues`` (parts that do not add up to the reported total)."""
    if units is None:
        admin = access.is_admin(user)
        units = Unit.objects.filter(parent=None) if admin else [m.unit for m in access.memberships(user)]
    return {row["id"]: row for row in metrics.data_quality_issues(units)}


class AggregateListView(LoginRequiredMixin, ExportMixin, ListView):
    template_name = "dialogues/aggregate_list.html"
    context_object_name = "aggregates"
    paginate_by = 25
    # The sheet and headers of the reported-figures import template (imports/kinds/aggregates.py).
    export_filename = "so-lieu-tong-hop"
    export_sheet_title = "Số liệu tổng hợp"
    export_fields = ("id", "unit__name", "metric", "host_body", "period_start", "period_end", "total", "source", "note")

    def get_export_columns(self) -> list[ExportColumn]:
        # The parts of every exported figure in one query, as "2021: 70; 2022: 80".
        parts: dict[int, list[str]] = {}
        rows = ReportedAggregatePart.objects.filter(aggregate__in=self.get_queryset().values("pk")).order_by(
            "aggregate", "id"
        )
        for aggregate_id, label, value in rows.values_list("aggregate_id", "label", "value"):
            parts.setdefault(aggregate_id, []).append(f"{label}: {value}")
        return [
            ExportColumn("Đơn vị", field("unit__name")),
            ExportColumn("Chỉ tiêu", choice("metric", ReportedMetric.choices)),
            ExportColumn("Chủ trì", choice("host_body", HostBody.choices)),
            ExportColumn("Từ ngày", field("period_start")),
            ExportColumn("Đến ngày", field("period_end")),
            ExportColumn("Tổng số", field("total")),
            ExportColumn("Nguồn", field("source")),
            ExportColumn("Chi tiết", lambda row: "; ".join(parts.get(row["id"], []))),
            ExportColumn("Ghi chú", field("note")),
        ]

    def get_queryset(self):
        return (
            ReportedAggregate.objects.visible_to(self.request.user)
            .select_related("unit", "created_by")
            .prefetch_related("parts")
            .order_by("unit__path", "metric", "period_start", "id")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        issues = quality_issues(self.request.user)
        context.update(
            rows=[
                {"aggregate": aggregate, "mismatch": issues.get(aggregate.pk)} for aggregate in context["aggregates"]
            ],
            may_create=_may_record_somewhere(self.request.user),
            breadcrumbs=[(_("Reported figures"), None)],
        )
        return context


AGGREGATE_FIELDS = ("unit", "metric", "host_body", "period_start", "period_end", "total", "source", "note")


@login_required
def aggregate_create(request):
    user = request.user
    if not _may_record_somewhere(user):
        raise PermissionDenied
    form = AggregateForm(request.POST or None, user=user)
    parts = AggregatePartFormSet(request.POST or None, prefix="parts")
    if request.method == "POST" and form.is_valid() and parts.is_valid():
        values = {name: form.cleaned_data[name] for name in AGGREGATE_FIELDS}
        values["source"] = values["source"].strip()
        try:
            aggregate = services.reported_aggregate_create(user=user, values=values, parts=parts.parts())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Reported figure saved, with its source."))
            mismatch = quality_issues(user, [aggregate.unit]).get(aggregate.pk)
            if mismatch:
                messages.warning(
                    request,
                    _("Its parts add up to %(parts_sum)s, not %(total)s: it is flagged as a data-quality issue.")
                    % {
                        "parts_sum": number_format(mismatch["parts_sum"], force_grouping=True),
                        "total": number_format(mismatch["total"], force_grouping=True),
                    },
                )
            return redirect("dialogues:aggregate_list")
    return render(
        request,
        "dialogues/aggregate_form.html",
        {
            "form": form,
            "parts": parts,
            "has_units": form.fields["unit"].queryset.exists(),
            "breadcrumbs": [
                (_("Reported figures"), reverse("dialogues:aggregate_list")),
                (_("Enter a reported figure"), None),
            ],
        },
    )


urlpatterns = [
    path("petitions/", PetitionListView.as_view(), name="petition_list"),
    path("petitions/new/", petition_create, name="petition_create"),
    path("petitions/<int:pk>/", petition_detail, name="petition_detail"),
    path("petitions/<int:pk>/transition/", petition_transition, name="petition_transition"),
    path("petitions/<int:pk>/response/", response_save_draft, name="response_save_draft"),
    path("petitions/<int:pk>/response/publish/", response_publish, name="response_publish"),
    path("petitions/<int:pk>/responses/<int:response_pk>/file/", response_file, name="response_file"),
    path("inbox/", InboxView.as_view(), name="inbox"),
    path("aggregates/", AggregateListView.as_view(), name="aggregate_list"),
    path("aggregates/new/", aggregate_create, name="aggregate_create"),
]
