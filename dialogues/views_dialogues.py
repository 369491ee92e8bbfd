"""Pages for dialogues (with their minutes, files and petitions), conclusion notices and
engagement meetings, under /dialogues/ (namespace ``dialogues``).

Every view starts from the user's scope: an object outside it answers 404; inside it but
without the right to write, 403 (``dialogues.permissions``). Writes go through
``dialogues.services`` only; their ``ValidationError`` is shown on the form that caused it and
nothing is saved (each service is one transaction).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from django.forms import Form
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.http import require_GET, require_POST
from django.views.generic import DetailView

from organization import access, audit
from organization.exports import ExportColumn, ExportMixin, choice, field
from organization.models import LOCALITY_KINDS, Unit, UnitKind
from organization.views import FilteredListView

from . import permissions, selectors, services
from .forms_dialogues import (
    DialogueFilter,
    DialogueForm,
    EngagementFilter,
    EngagementMeetingForm,
    MinutesForm,
    NoticeForm,
    default_issuer,
    directive_formset,
    issuer_choices,
    petition_formset,
    recording_units,
)
from .models import (
    ConclusionNotice,
    Dialogue,
    DialogueAttachment,
    DialogueKind,
    DialogueLevel,
    DialogueStatus,
    Directive,
    EngagementMeeting,
    HostBody,
    Petition,
)
from .workflow import PetitionStatus

#: Bootstrap badge classes per petition status: open work amber, closed green, routed out grey.
STATUS_BADGES = {
    PetitionStatus.RECEIVED: "text-bg-secondary",
    PetitionStatus.ANSWERED_ON_SPOT: "text-bg-success",
    PetitionStatus.ASSIGNED: "text-bg-primary",
    PetitionStatus.IN_PROGRESS: "text-bg-info",
    PetitionStatus.ANSWERED: "text-bg-warning",
    PetitionStatus.RESOLVED: "text-bg-success",
    PetitionStatus.TRANSFERRED: "text-bg-light border",
    PetitionStatus.ROUTED_OUT: "text-bg-dark",
}


# --- Helpers ------------------------------------------------------------------------------------


def show_service_errors(error: ValidationError, form: Form, keyed_forms: dict[str, Form] | None = None) -> None:
    """Put a service's ValidationError on the form that caused it.

    ``keyed_forms`` maps keys such as ``petitions-0`` (the service's index into the list it was
    given) to the formset form that produced that item; other keys go to the matching field of
    ``form``, or on top of it.
    """
    keyed_forms = keyed_forms or {}
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for key, errors in error.error_dict.items():
        messages_ = [message for item in errors for message in item.messages]
        if key in keyed_forms:
            keyed_forms[key].add_error(None, messages_)
        elif key in form.fields and key != NON_FIELD_ERRORS:
            form.add_error(key, messages_)
        else:
            form.add_error(None, messages_)


def petition_rows(petitions) -> list[dict]:
    today = timezone.localdate()
    return [
        {"petition": petition, "badge": STATUS_BADGES.get(petition.status, ""), "overdue": petition.is_overdue(today)}
        for petition in petitions
    ]


def _petition_count(field: str, user) -> Coalesce:
    """Petitions of each row that ``user`` may see: an agency officer shown a dialogue for the one
    petition assigned to it must not learn how many others it holds."""
    counts = (
        Petition.objects.visible_to(user)
        .filter(**{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), 0)


def get_dialogue(user, pk) -> Dialogue:
    dialogue = selectors.dialogues_for(user).filter(pk=pk).first()
    if dialogue is None:
        raise Http404
    return dialogue


def dialogue_crumbs(dialogue: Dialogue | None = None, *tail: tuple) -> list[tuple]:
    """Dialogues › the dialogue › ``tail``; the breadcrumbs component leaves the last one unlinked."""
    crumbs = [(_("Dialogues"), reverse("dialogues:dialogue_list"))]
    if dialogue is not None:
        label = Truncator(str(dialogue)).chars(60)
        crumbs.append((label, reverse("dialogues:dialogue_detail", args=[dialogue.pk])))
    return [*crumbs, *tail]


class RecorderRequiredMixin:
    """403 for users who may record dialogues nowhere (leaders, viewers, agency officers)."""

    def dispatch(self, request, *args, **kwargs):
        if not recording_units(request.user).exists():
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def files_dropped_message(request) -> str:
    """Browsers do not resend chosen files after an error; say so instead of losing them silently."""
    if request.FILES:
        return _("The files you chose were not saved. Choose them again before saving.")
    return ""


# --- Dialogues ----------------------------------------------------------------------------------


class DialogueListView(ExportMixin, FilteredListView):
    template_name = "dialogues/dialogue_list.html"
    context_object_name = "dialogues"
    filterset_class = DialogueFilter
    paginate_by = 25
    default_ordering = ("-date", "-id")
    sort_options = {
        "date": ("date", "id"),
        "topic": ("topic", "id"),
        "participants": ("participant_count", "id"),
    }
    sort_labels = {
        "date": gettext_lazy("Date"),
        "topic": gettext_lazy("Topic"),
        "participants": gettext_lazy("Participants"),
    }

    export_filename = "doi-thoai"
    # The sheet and headers of the dialogues import template (imports/kinds/dialogues.py), so
    # the export imports as it is; the two last columns are informational.
    export_sheet_title = "Đối thoại"
    export_fields = (
        "id",
        "date",
        "level",
        "host_body",
        "kind",
        "status",
        "topic",
        "unit__name",
        "commune__name",
        "village__name",
        "venue",
        "audience",
        "participant_count",
        "trigger_event",
        "minutes_text",
        "petition_count",
        "minutes_filed_at",
    )

    def base_queryset(self):
        return selectors.dialogues_for(self.request.user)

    def get_queryset(self):
        return super().get_queryset().annotate(petition_count=_petition_count("dialogue", self.request.user))

    def get_export_columns(self) -> list[ExportColumn]:
        return [
            ExportColumn("Số TT", field("id")),
            ExportColumn("Xã, phường", field("commune__name")),
            ExportColumn("Đơn vị chủ quản", field("unit__name")),
            ExportColumn("Ngày", field("date")),
            ExportColumn("Cấp", choice("level", DialogueLevel.choices)),
            ExportColumn("Chủ trì", choice("host_body", HostBody.choices)),
            ExportColumn("Hình thức", choice("kind", DialogueKind.choices)),
            ExportColumn("Tình trạng", choice("status", DialogueStatus.choices)),
            ExportColumn("Chủ đề", field("topic")),
            ExportColumn("Thôn, tổ dân phố", field("village__name")),
            ExportColumn("Địa điểm", field("venue")),
            ExportColumn("Thành phần", field("audience")),
            ExportColumn("Số người tham dự", field("participant_count")),
            ExportColumn("Sự việc phát sinh", field("trigger_event")),
            ExportColumn("Biên bản", field("minutes_text")),
            ExportColumn("Số kiến nghị", field("petition_count")),
            ExportColumn("Có biên bản", lambda row: _("Yes") if row["minutes_filed_at"] else _("No")),
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["may_record"] = recording_units(self.request.user).exists()
        context["breadcrumbs"] = [(_("Dialogues"), None)]
        return context


def _detail_context(request, dialogue: Dialogue, minutes_form: MinutesForm | None = None) -> dict:
    user = request.user
    petitions = selectors.petitions_for(user).filter(dialogue=dialogue).order_by("id")
    may_record = permissions.can_record(user, dialogue.unit)
    notices = (
        ConclusionNotice.objects.filter(dialogue=dialogue)
        .select_related("document", "document__issuer", "document__signer")
        .prefetch_related(
            Prefetch(
                "directives",
                queryset=Directive.objects.select_related("agency").prefetch_related(
                    Prefetch("petitions", queryset=Petition.objects.order_by("id"))
                ),
            )
        )
        .order_by("document__date", "id")
    )
    legal_basis = [
        {"document": document, "visible": access.can_view_unit(user, document.issuer)}
        for document in dialogue.legal_basis.select_related("issuer").order_by("date", "number")
    ]
    return {
        "dialogue": dialogue,
        "petition_rows": petition_rows(petitions),
        "attachments": list(dialogue.attachments.all()),
        "notices": list(notices),
        "legal_basis": legal_basis,
        "history": audit.history_rows(dialogue),
        "may_record": may_record,
        "may_issue_notice": permissions.can_issue_notice(user, dialogue.unit),
        "minutes_form": minutes_form or (MinutesForm() if may_record else None),
        "breadcrumbs": dialogue_crumbs(dialogue),
    }


class DialogueDetailView(LoginRequiredMixin, DetailView):
    template_name = "dialogues/dialogue_detail.html"
    context_object_name = "dialogue"

    def get_object(self, queryset=None):
        return get_dialogue(self.request.user, self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(_detail_context(self.request, self.object))
        return context


class DialogueCreateView(LoginRequiredMixin, RecorderRequiredMixin, View):
    """The dialogue, its minutes, its files and the petitions raised, saved together or not at all."""

    template_name = "dialogues/dialogue_form.html"

    def get(self, request):
        initial = {"date": None}
        units = list(recording_units(request.user)[:2])
        if len(units) == 1:  # a commune officer records for the one commune they have
            initial.update(unit=units[0], commune=units[0] if units[0].kind != UnitKind.DISTRICT else None)
        form = DialogueForm(user=request.user, initial=initial)
        return self.render(form, petition_formset(user=request.user))

    def post(self, request):
        form = DialogueForm(request.POST, request.FILES, user=request.user)
        formset = petition_formset(request.POST, user=request.user)
        if form.is_valid() and formset.is_valid():
            filled = formset.filled_forms()
            data = services.DialogueInput(
                values=form.values(),
                minutes_text=form.cleaned_data["minutes_text"],
                legal_basis=list(form.cleaned_data["legal_basis"]),
            )
            try:
                dialogue = services.dialogue_create(
                    user=request.user,
                    data=data,
                    petitions=[petition_form.to_input() for petition_form in filled],
                    attachments=form.cleaned_data["attachments"],
                )
            except ValidationError as error:
                show_service_errors(error, form, {f"petitions-{i}": f for i, f in enumerate(filled)})
            else:
                messages.success(
                    request,
                    _("Recorded the dialogue with %(count)s petition(s).") % {"count": len(filled)},
                )
                return redirect("dialogues:dialogue_detail", pk=dialogue.pk)
        return self.render(form, formset, files_dropped=files_dropped_message(request))

    def render(self, form, formset, **extra):
        context = {
            "form": form,
            "formset": formset,
            "creating": True,
            "breadcrumbs": dialogue_crumbs(None, (_("Record a dialogue"), None)),
            **extra,
        }
        return render(self.request, self.template_name, context)


class DialogueUpdateView(LoginRequiredMixin, View):
    """Edit a dialogue's fields and minutes text; a concurrent save is detected, not overwritten."""

    template_name = "dialogues/dialogue_form.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return super().dispatch(request, *args, **kwargs)  # LoginRequiredMixin redirects
        self.dialogue = get_dialogue(request.user, kwargs["pk"])
        if not permissions.can_record(request.user, self.dialogue.unit):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, pk):
        dialogue = self.dialogue
        initial = {name: getattr(dialogue, name) for name in services.DIALOGUE_FIELDS if name != "unit"}
        initial.update(
            minutes_text=dialogue.minutes_text,
            legal_basis=list(dialogue.legal_basis.all()),
            version=dialogue.version,
        )
        return self.render(DialogueForm(user=request.user, editing=True, initial=initial))

    def post(self, request, pk):
        form = DialogueForm(request.POST, user=request.user, editing=True)
        if form.is_valid():
            data = services.DialogueInput(
                values=form.values(),
                minutes_text=form.cleaned_data["minutes_text"],
                legal_basis=list(form.cleaned_data["legal_basis"]),
            )
            try:
                dialogue = services.dialogue_update(
                    user=request.user,
                    dialogue=self.dialogue,
                    data=data,
                    expected_version=form.cleaned_data["version"],
                )
            except services.StaleVersion as error:
                form.add_error(None, error.messages)
                return self.render(form, stale=True)
            except ValidationError as error:
                show_service_errors(error, form)
            else:
                messages.success(request, _("Saved the changes to the dialogue."))
                return redirect("dialogues:dialogue_detail", pk=dialogue.pk)
        return self.render(form)

    def render(self, form, **extra):
        context = {
            "form": form,
            "dialogue": self.dialogue,
            "creating": False,
            "breadcrumbs": dialogue_crumbs(self.dialogue, (_("Edit"), None)),
            **extra,
        }
        return render(self.request, self.template_name, context)


@login_required
@require_POST
def minutes_file(request, pk):
    """File minutes text and/or scans from the dialogue's page."""
    dialogue = get_dialogue(request.user, pk)
    if not permissions.can_record(request.user, dialogue.unit):
        raise PermissionDenied
    form = MinutesForm(request.POST, request.FILES)
    if form.is_valid():
        text = form.cleaned_data["minutes_text"]
        try:
            services.minutes_file(
                user=request.user,
                dialogue=dialogue,
                text=text if text.strip() else None,
                attachments=form.cleaned_data["attachments"],
            )
        except ValidationError as error:
            show_service_errors(error, form)
        else:
            messages.success(request, _("The minutes were filed."))
            return redirect("dialogues:dialogue_detail", pk=dialogue.pk)
    context = _detail_context(request, dialogue, minutes_form=form)
    context["files_dropped"] = files_dropped_message(request)
    return render(request, "dialogues/dialogue_detail.html", context)


@login_required
@require_GET
def attachment_download(request, pk):
    """Stream a minutes file to a user who may see its dialogue; uploads are never served statically."""
    visible = Dialogue.objects.visible_to(request.user)
    attachment = DialogueAttachment.objects.filter(pk=pk, dialogue__in=visible).first()
    if attachment is None or not attachment.file or not attachment.file.storage.exists(attachment.file.name):
        raise Http404
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )


# --- Conclusion notices -------------------------------------------------------------------------


class NoticeIssueView(LoginRequiredMixin, View):
    """Issue a numbered conclusion notice whose directives assign the dialogue's petitions."""

    template_name = "dialogues/notice_form.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return super().dispatch(request, *args, **kwargs)
        self.dialogue = get_dialogue(request.user, kwargs["pk"])
        if not permissions.can_issue_notice(request.user, self.dialogue.unit):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, pk):
        issuer = default_issuer(self.dialogue, issuer_choices(request.user))
        form = NoticeForm(user=request.user, initial={"issuer": issuer, "date": timezone.localdate()})
        return self.render(form, directive_formset(user=request.user, dialogue=self.dialogue))

    def post(self, request, pk):
        form = NoticeForm(request.POST, user=request.user)
        formset = directive_formset(request.POST, user=request.user, dialogue=self.dialogue)
        if form.is_valid() and formset.is_valid():
            filled = formset.filled_forms()
            data = form.cleaned_data
            try:
                notice = services.conclusion_notice_issue(
                    user=request.user,
                    dialogue=self.dialogue,
                    issuer=data["issuer"],
                    day=data["date"],
                    summary=data["summary"].strip(),
                    signer=data["signer"],
                    directives=[directive_form.to_input() for directive_form in filled],
                )
            except ValidationError as error:
                show_service_errors(error, form, {f"directives-{i}": f for i, f in enumerate(filled)})
            else:
                messages.success(request, _("Issued notice no. %(symbol)s.") % {"symbol": notice.document.symbol})
                return redirect("dialogues:notice_detail", pk=notice.pk)
        return self.render(form, formset)

    def render(self, form, formset):
        context = {
            "form": form,
            "formset": formset,
            "dialogue": self.dialogue,
            "breadcrumbs": dialogue_crumbs(self.dialogue, (_("Issue a conclusion notice"), None)),
        }
        return render(self.request, self.template_name, context)


#: Words that name a locality's administrative level, dropped in "Bảo Yên, ngày …" place lines.
LEVEL_PREFIXES = ("Thành phố", "Thị trấn", "Thị xã", "Tỉnh", "Huyện", "Quận", "Xã", "Phường")


def place_name(unit: Unit | None) -> str:
    if unit is None:
        return ""
    for prefix in LEVEL_PREFIXES:
        if unit.name.startswith(prefix + " "):
            return unit.name[len(prefix) + 1 :]
    return unit.name


class NoticeDetailView(LoginRequiredMixin, DetailView):
    """A printable notice in the Party format: issuer header, number, place and date, title."""

    template_name = "dialogues/notice_detail.html"
    context_object_name = "notice"

    def get_object(self, queryset=None):
        visible = Dialogue.objects.visible_to(self.request.user)
        notices = ConclusionNotice.objects.filter(dialogue__in=visible).select_related(
            "dialogue", "dialogue__unit", "document", "document__issuer", "document__signer", "issued_by"
        )
        notice = notices.filter(pk=self.kwargs["pk"]).first()
        if notice is None:
            raise Http404
        return notice

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        notice = self.object
        issuer = notice.document.issuer
        # The issuer's locality (Huyện Bảo Yên) names the place; the one above it (Tỉnh Lào Cai)
        # the superior Party organization printed over the issuer's name.
        localities = [unit for unit in reversed(list(issuer.ancestors())) if unit.kind in LOCALITY_KINDS]
        directives = list(
            notice.directives.select_related("agency").prefetch_related(
                Prefetch("petitions", queryset=Petition.objects.order_by("id"))
            )
        )
        context.update(
            directives=directives,
            place=place_name(localities[0] if localities else None),
            superior=_("Party organization of %(locality)s") % {"locality": localities[1].name}
            if len(localities) > 1
            else "",
            recipients=sorted({directive.agency.name for directive in directives}),
            breadcrumbs=dialogue_crumbs(notice.dialogue, (notice.document.symbol, None)),
        )
        return context


# --- Engagement meetings ------------------------------------------------------------------------


def engagement_crumbs(*tail: tuple) -> list[tuple]:
    return [(_("Engagement meetings"), reverse("dialogues:engagement_list")), *tail]


class EngagementListView(ExportMixin, FilteredListView):
    template_name = "dialogues/engagement_list.html"
    context_object_name = "meetings"
    filterset_class = EngagementFilter
    paginate_by = 25
    default_ordering = ("-date", "-id")
    sort_options = {"date": ("date", "id"), "host": ("host", "id")}
    sort_labels = {"date": gettext_lazy("Date"), "host": gettext_lazy("Host")}
    export_filename = "gap-mat-chuc-sac"
    export_fields = (
        "id",
        "date",
        "unit__name",
        "village__name",
        "host",
        "clergy_count",
        "followers_count",
        "prestigious_count",
        "elders_count",
        "others_count",
        "religions",
        "purposes",
        "opinion_count",
    )

    def get_export_columns(self) -> list[ExportColumn]:
        names = ("clergy_count", "followers_count", "prestigious_count", "elders_count", "others_count")
        return [
            ExportColumn(_("No."), field("id")),
            ExportColumn(_("Date"), field("date")),
            ExportColumn(_("Unit"), field("unit__name")),
            ExportColumn(_("Village"), field("village__name")),
            ExportColumn(_("Host"), field("host")),
            *(ExportColumn(EngagementMeeting._meta.get_field(name).verbose_name, field(name)) for name in names),
            ExportColumn(_("Religions"), field("religions")),
            ExportColumn(_("Purposes"), field("purposes")),
            ExportColumn(_("Opinions"), field("opinion_count")),
        ]

    def base_queryset(self):
        return EngagementMeeting.objects.visible_to(self.request.user).select_related("unit", "village")

    def get_queryset(self):
        return super().get_queryset().annotate(opinion_count=_petition_count("engagement_meeting", self.request.user))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["may_record"] = recording_units(self.request.user).exists()
        context["breadcrumbs"] = engagement_crumbs()
        return context


class EngagementCreateView(LoginRequiredMixin, RecorderRequiredMixin, View):
    template_name = "dialogues/engagement_form.html"

    def get(self, request):
        units = list(recording_units(request.user)[:2])
        initial = {"unit": units[0]} if len(units) == 1 else {}
        form = EngagementMeetingForm(user=request.user, initial=initial)
        return self.render(form, petition_formset(user=request.user, prefix="opinions"))

    def post(self, request):
        form = EngagementMeetingForm(request.POST, user=request.user)
        formset = petition_formset(request.POST, user=request.user, prefix="opinions")
        if form.is_valid() and formset.is_valid() and formset.villages_within(form.cleaned_data["unit"]):
            filled = formset.filled_forms()
            try:
                meeting = services.engagement_meeting_create(
                    user=request.user,
                    values=form.values(),
                    opinions=[opinion_form.to_input() for opinion_form in filled],
                )
            except ValidationError as error:
                show_service_errors(error, form)
            else:
                messages.success(request, _("Recorded the meeting with %(count)s opinion(s).") % {"count": len(filled)})
                return redirect("dialogues:engagement_detail", pk=meeting.pk)
        return self.render(form, formset)

    def render(self, form, formset):
        context = {
            "form": form,
            "formset": formset,
            "breadcrumbs": engagement_crumbs((_("Record a meeting"), None)),
        }
        return render(self.request, self.template_name, context)


class EngagementDetailView(LoginRequiredMixin, DetailView):
    template_name = "dialogues/engagement_detail.html"
    context_object_name = "meeting"

    def get_object(self, queryset=None):
        meetings = EngagementMeeting.objects.visible_to(self.request.user).select_related("unit", "village")
        meeting = meetings.filter(pk=self.kwargs["pk"]).first()
        if meeting is None:
            raise Http404
        return meeting

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        meeting = self.object
        opinions = selectors.petitions_for(self.request.user).filter(engagement_meeting=meeting).order_by("id")
        context.update(
            petition_rows=petition_rows(opinions),
            history=audit.history_rows(meeting),
            breadcrumbs=engagement_crumbs((str(meeting), None)),
        )
        return context


urlpatterns = [
    path("", DialogueListView.as_view(), name="dialogue_list"),
    path("new/", DialogueCreateView.as_view(), name="dialogue_create"),
    path("<int:pk>/", DialogueDetailView.as_view(), name="dialogue_detail"),
    path("<int:pk>/edit/", DialogueUpdateView.as_view(), name="dialogue_update"),
    path("<int:pk>/minutes/", minutes_file, name="dialogue_minutes"),
    path("<int:pk>/notice/new/", NoticeIssueView.as_view(), name="notice_issue"),
    path("attachments/<int:pk>/", attachment_download, name="attachment_download"),
    path("notices/<int:pk>/", NoticeDetailView.as_view(), name="notice_detail"),
    path("meetings/", EngagementListView.as_view(), name="engagement_list"),
    path("meetings/new/", EngagementCreateView.as_view(), name="engagement_create"),
    path("meetings/<int:pk>/", EngagementDetailView.as_view(), name="engagement_detail"),
]
