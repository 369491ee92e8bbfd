"""Pages for units, the document register and people.

Every page starts from the user's scope (``access``): lists from ``visible_units`` / ``scope``,
detail pages through ``access.get_*_for_user`` so an object outside the scope answers 404.
"""

from __future__ import annotations

import os

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET
from django.views.generic import DetailView, FormView, ListView

from . import access, audit, services
from .exports import ExportColumn, ExportMixin, choice
from .exports import field as value_of
from .filters import DocumentFilter, PersonFilter, UnitFilter
from .forms import DocumentIssueForm
from .models import (
    COMMUNE_KINDS,
    DOCUMENT_ABBREVIATIONS,
    Document,
    DocumentKind,
    Person,
    PersonKind,
    Unit,
    UnitKind,
    UnitSuccession,
)

#: Bootstrap start-padding classes for tree depth below the user's own top unit (capped).
INDENT_CLASSES = ("ps-0", "ps-3", "ps-4", "ps-5")


class FilteredListView(LoginRequiredMixin, ListView):
    """A paginated list narrowed by a FilterSet and ordered by a whitelisted ``?sort=``.

    ``sort_options`` maps a public sort key to the ``order_by`` it stands for; ``-key`` reverses
    the first field. Unknown keys fall back to the default, so ``?sort=password`` does nothing.
    """

    filterset_class: type | None = None
    paginate_by = 50
    sort_options: dict[str, tuple[str, ...]] = {}
    sort_labels: dict[str, str] = {}
    default_ordering: tuple[str, ...] = ()

    def base_queryset(self):
        raise NotImplementedError

    def current_sort(self) -> str:
        wanted = self.request.GET.get("sort", "")
        return wanted if wanted.removeprefix("-") in self.sort_options else ""

    def get_ordering(self):
        sort = self.current_sort()
        if not sort:
            return self.default_ordering
        first, *rest = self.sort_options[sort.removeprefix("-")]
        return (f"-{first}" if sort.startswith("-") else first, *rest)

    def get_queryset(self):
        self.filterset = self.filterset_class(self.request.GET, queryset=self.base_queryset(), request=self.request)
        return self.filterset.qs.order_by(*self.get_ordering())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        sort = self.current_sort()
        context.update(
            filter=self.filterset,
            sort=sort,
            sort_links={
                key: {
                    "label": label,
                    "active": sort.removeprefix("-") == key,
                    "descending": sort == f"-{key}",
                    # Clicking the active column again reverses it.
                    "next": f"-{key}" if sort == key else key,
                }
                for key, label in self.sort_labels.items()
            },
            is_filtered=any(self.request.GET.get(name) for name in self.filterset.filters),
        )
        return context


# --- Units ----------------------------------------------------------------------------------


def _commune_of(row: dict) -> str:
    """The commune a unit lies in (its parent or grandparent of a commune kind), else blank."""
    if row["parent__kind"] in COMMUNE_KINDS:
        return row["parent__name"]
    if row["parent__parent__kind"] in COMMUNE_KINDS:
        return row["parent__parent__name"]
    return ""


class UnitListView(ExportMixin, FilteredListView):
    """The unit tree as a list. Its export is the villages import's sheet ("Thôn, tổ dân phố",
    the same headers, see ``imports/kinds/units.py``): filtered to villages it imports as it is.
    The two last columns are informational (ignored by the import); other units keep their own
    kind in "Loại", which the import reports, since it creates villages only."""

    template_name = "organization/unit_list.html"
    context_object_name = "units"
    filterset_class = UnitFilter
    default_ordering = ("path",)
    sort_options = {
        "name": ("name", "path"),
        "kind": ("kind", "path"),
        "code": ("code", "name"),
        "valid_from": ("valid_from", "name"),
    }
    sort_labels = {
        "name": gettext_lazy("Name"),
        "kind": gettext_lazy("Kind"),
        "code": gettext_lazy("Code"),
        "valid_from": gettext_lazy("Valid from"),
    }
    export_filename = "don-vi"
    export_sheet_title = "Thôn, tổ dân phố"
    export_fields = (
        "key",
        "name",
        "kind",
        "code",
        "valid_from",
        "valid_to",
        "parent__name",
        "parent__kind",
        "parent__parent__name",
        "parent__parent__kind",
    )

    def base_queryset(self):
        return Unit.objects.visible_to(self.request.user).select_related("parent")

    def get_export_columns(self) -> list[ExportColumn]:
        # Headers are the import template's, in Vietnamese whatever the user's language.
        return [
            ExportColumn("Xã, phường", _commune_of),
            ExportColumn("Tên", value_of("name")),
            ExportColumn("Loại", choice("kind", UnitKind.choices)),
            ExportColumn("Mã", value_of("code")),
            ExportColumn("Hiệu lực từ", value_of("valid_from")),
            ExportColumn("Hiệu lực đến", value_of("valid_to")),
            ExportColumn("Trực thuộc", value_of("parent__name")),
            ExportColumn("Mã định danh", value_of("key")),
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        tops = [membership.unit.depth for membership in access.memberships(user)]
        top_depth = 0 if access.is_admin(user) or not tops else min(tops)
        tree_order = not context["sort"]
        context["breadcrumbs"] = [(_("Units"), None)]
        context["today"] = timezone.localdate()
        context["rows"] = [
            {
                "unit": unit,
                "indent": INDENT_CLASSES[min(max(unit.depth - top_depth, 0), len(INDENT_CLASSES) - 1)]
                if tree_order
                else "ps-0",
                "nested": tree_order and unit.depth > top_depth,
                "parent_visible": unit.parent is not None and access.can_view_unit(user, unit.parent),
            }
            for unit in context["units"]
        ]
        return context


class UnitDetailView(LoginRequiredMixin, DetailView):
    template_name = "organization/unit_detail.html"
    context_object_name = "unit"

    def get_object(self, queryset=None):
        return access.get_unit_for_user(self.request.user, self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        unit = self.object
        visible = access.visible_units(user)
        context.update(
            ancestors=[
                {"unit": ancestor, "visible": access.can_view_unit(user, ancestor)} for ancestor in unit.ancestors()
            ],
            children=list(visible.filter(parent=unit).order_by("name")),
            predecessor_links=[
                {"link": link, "visible": access.can_view_unit(user, link.predecessor)}
                for link in UnitSuccession.objects.filter(successor=unit)
                .select_related("predecessor")
                .order_by("effective_date", "predecessor__name")
            ],
            successor_links=[
                {"link": link, "visible": access.can_view_unit(user, link.successor)}
                for link in UnitSuccession.objects.filter(predecessor=unit)
                .select_related("successor")
                .order_by("effective_date", "successor__name")
            ],
            people=list(unit.people.order_by("-is_active", "full_name")),
            history=audit.history_rows(unit),
            admin_url=_admin_url(user, unit),
            today=timezone.localdate(),
        )
        # The parent is the last ancestor; it is linked only when the user may see it.
        context["parent"] = context["ancestors"][-1] if context["ancestors"] else None
        context["breadcrumbs"] = [
            (_("Units"), reverse("unit_list")),
            *[
                (item["unit"].name, reverse("unit_detail", args=[item["unit"].pk]))
                for item in context["ancestors"]
                if item["visible"]
            ],
            (unit.name, None),
        ]
        return context


# --- Documents ------------------------------------------------------------------------------


def _may_issue(user) -> bool:
    """Whether the user holds a role that writes records somewhere (the issuer is checked later)."""
    return access.is_admin(user) or any(m.role in access.WRITE_ROLES for m in access.memberships(user))


def _document_symbol(row: dict) -> str:
    """``Document.symbol`` from a ``.values()`` row."""
    abbreviation = DOCUMENT_ABBREVIATIONS.get(row["kind"], row["kind"])
    return f"{row['number']}-{abbreviation}/{row['issuer__doc_symbol']}"


class DocumentListView(ExportMixin, FilteredListView):
    template_name = "organization/document_list.html"
    context_object_name = "documents"
    filterset_class = DocumentFilter
    default_ordering = ("-date", "-number", "-pk")
    export_filename = "van-ban"
    export_fields = (
        "number",
        "kind",
        "date",
        "subject",
        "issuer__name",
        "issuer__doc_symbol",
        "term__name",
        "signer__full_name",
        "file",
    )

    def base_queryset(self):
        documents = Document.objects.select_related("issuer", "signer")
        return access.scope(documents, self.request.user, "issuer")

    def get_export_columns(self) -> list[ExportColumn]:
        return [
            ExportColumn(_("Number and symbol"), _document_symbol),
            ExportColumn(_("Date"), value_of("date")),
            ExportColumn(_("Kind"), choice("kind", DocumentKind.choices)),
            ExportColumn(_("Subject"), value_of("subject")),
            ExportColumn(_("Issuer"), value_of("issuer__name")),
            ExportColumn(_("Term"), value_of("term__name")),
            ExportColumn(_("Signer"), value_of("signer__full_name")),
            ExportColumn(_("File attached"), lambda row: bool(row["file"])),
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["may_issue"] = _may_issue(self.request.user)
        context["breadcrumbs"] = [(_("Documents"), None)]
        return context


def _get_document(user, pk) -> Document:
    documents = Document.objects.select_related("issuer", "term", "term__unit", "signer", "signer__unit", "created_by")
    return access.get_object_for_user(documents, user, pk, unit_field="issuer")


class DocumentDetailView(LoginRequiredMixin, DetailView):
    template_name = "organization/document_detail.html"
    context_object_name = "document"

    def get_object(self, queryset=None):
        return _get_document(self.request.user, self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        document = self.object
        context.update(
            file_name=os.path.basename(document.file.name) if document.file else "",
            signer_visible=document.signer is not None
            and access.can_view_unit(self.request.user, document.signer.unit),
            history=audit.history_rows(document),
            admin_url=_admin_url(self.request.user, document),
            breadcrumbs=[(_("Documents"), reverse("document_list")), (document.symbol, None)],
        )
        return context


@login_required
@require_GET
def document_file(request, pk):
    """Stream a document's file to a user who may see the document; uploads are never static."""
    document = _get_document(request.user, pk)
    if not document.file or not document.file.storage.exists(document.file.name):
        raise Http404
    return FileResponse(document.file.open("rb"), as_attachment=True, filename=os.path.basename(document.file.name))


class IssuerRequiredMixin:
    """403 for users whose roles write nothing (leaders, viewers, agency officers)."""

    def dispatch(self, request, *args, **kwargs):
        if not _may_issue(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class DocumentIssueView(LoginRequiredMixin, IssuerRequiredMixin, FormView):
    template_name = "organization/document_form.html"
    form_class = DocumentIssueForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def get_initial(self):
        initial = super().get_initial()
        if self.request.GET.get("issuer"):
            initial["issuer"] = self.request.GET["issuer"]
        if self.request.GET.get("kind"):
            initial["kind"] = self.request.GET["kind"]
        return initial

    def form_valid(self, form):
        data = form.cleaned_data
        issuer = data["issuer"]
        if not access.can_edit_unit(self.request.user, issuer):  # the choices already ensure it
            raise PermissionDenied
        try:
            document = services.document_issue(
                issuer=issuer,
                kind=data["kind"],
                day=data["date"],
                subject=data["subject"],
                signer=data.get("signer"),
                file=data.get("file") or None,
                created_by=self.request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Registered document no. %(symbol)s.") % {"symbol": document.symbol})
        return redirect("document_detail", pk=document.pk)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["has_issuers"] = context["form"].fields["issuer"].queryset.exists()
        context["breadcrumbs"] = [(_("Documents"), reverse("document_list")), (_("Register a document"), None)]
        return context


def add_service_errors(form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: by field where the form has it, else on top."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


# --- People ---------------------------------------------------------------------------------


class PersonListView(ExportMixin, FilteredListView):
    template_name = "organization/person_list.html"
    context_object_name = "people"
    filterset_class = PersonFilter
    default_ordering = ("full_name", "pk")
    sort_options = {"name": ("full_name", "pk"), "unit": ("unit__path", "full_name"), "kind": ("kind", "full_name")}
    sort_labels = {
        "name": gettext_lazy("Full name"),
        "kind": gettext_lazy("Kind"),
        "unit": gettext_lazy("Unit"),
    }

    export_filename = "nhan-su"
    export_fields = (
        "full_name",
        "position",
        "kind",
        "unit__name",
        "ethnicity",
        "religion",
        "phone",
        "is_active",
    )

    def base_queryset(self):
        return access.scope(Person.objects.select_related("unit"), self.request.user)

    def get_export_columns(self) -> list[ExportColumn]:
        # What the person's page shows to the same users; the free-text note stays on the page.
        return [
            ExportColumn(_("Full name"), value_of("full_name")),
            ExportColumn(_("Position"), value_of("position")),
            ExportColumn(_("Kind"), choice("kind", PersonKind.choices)),
            ExportColumn(_("Unit"), value_of("unit__name")),
            ExportColumn(_("Ethnicity"), value_of("ethnicity")),
            ExportColumn(_("Religion"), value_of("religion")),
            ExportColumn(_("Phone"), value_of("phone")),
            ExportColumn(_("Active"), value_of("is_active")),
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["admin_add_url"] = _admin_url(self.request.user, Person, action="add")
        context["breadcrumbs"] = [(_("People"), None)]
        return context


class PersonDetailView(LoginRequiredMixin, DetailView):
    template_name = "organization/person_detail.html"
    context_object_name = "person"

    def get_object(self, queryset=None):
        return access.get_object_for_user(Person.objects.select_related("unit"), self.request.user, self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        person = self.object
        signed = access.scope(person.signed_documents.select_related("issuer"), self.request.user, "issuer")
        context.update(
            signed_documents=list(signed.order_by("-date", "-number")[:20]),
            history=audit.history_rows(person),
            admin_url=_admin_url(self.request.user, person),
            breadcrumbs=[(_("People"), reverse("person_list")), (person.full_name, None)],
        )
        return context


def _admin_url(user, obj_or_model, action: str = "change") -> str:
    """The admin page for ``obj_or_model`` when the user may use it there, else ``""``."""
    if not getattr(user, "is_staff", False):
        return ""
    opts = obj_or_model._meta
    permission = f"{opts.app_label}.{action}_{opts.model_name}"
    if not user.has_perm(permission):
        return ""
    name = f"admin:{opts.app_label}_{opts.model_name}_{action}"
    return reverse(name, args=[obj_or_model.pk]) if action == "change" else reverse(name)


unit_list = UnitListView.as_view()
unit_detail = UnitDetailView.as_view()
document_list = DocumentListView.as_view()
document_detail = DocumentDetailView.as_view()
document_issue = DocumentIssueView.as_view()
person_list = PersonListView.as_view()
person_detail = PersonDetailView.as_view()
