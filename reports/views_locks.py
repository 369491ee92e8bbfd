"""Pages of period locks: the list, locking a period (optionally from an issued report) and
unlocking it with a reason that is logged.

Anyone signed in sees the locks that concern their units: those on a unit they can see and those
on a unit above their own (a district's lock covers its communes, and a commune officer must know
why a record of theirs is refused). Only district staff lock and unlock (``services.can_lock``);
a lock outside the user's view answers 404, one they see but may not change 403.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from organization import access
from organization.exports import ExportColumn, ExportMixin, field
from organization.models import Role
from organization.views import FilteredListView

from . import periods, services
from .forms import LockFilter, LockForm, UnlockForm, lockable_units
from .models import PeriodLock, Report, ReportStatus
from .views_reports import get_report, show_service_errors


def locks_for(user) -> QuerySet[PeriodLock]:
    """Locks on a unit the user sees, or on a unit above one of their memberships (except an
    agency officer's)."""
    locks = PeriodLock.objects.select_related(
        "unit", "locked_by", "unlocked_by", "report__unit", "report__document__issuer"
    )
    if access.is_admin(user):
        return locks
    # Agency officers answer petitions assigned to them; the district's locks are not theirs to read.
    above = {
        int(part)
        for membership in access.memberships(user)
        if membership.role != Role.AGENCY_OFFICER
        for part in membership.unit.path.strip("/").split("/")
        if part
    }
    return locks.filter(Q(unit__in=access.visible_units(user)) | Q(unit_id__in=above))


def get_lock(user, pk) -> PeriodLock:
    lock = locks_for(user).filter(pk=pk).first()
    if lock is None:
        raise Http404
    return lock


def lock_crumbs(*tail: tuple) -> list[tuple]:
    return [(_("Period locks"), reverse("reports:lock_list")), *tail]


class LockListView(ExportMixin, FilteredListView):
    template_name = "reports/lock_list.html"
    context_object_name = "locks"
    filterset_class = LockFilter
    paginate_by = 25
    default_ordering = ("-start", "unit__path", "-id")
    sort_options = {
        "start": ("start", "unit__path", "id"),
        "unit": ("unit__name", "-start", "id"),
        "locked_at": ("locked_at", "id"),
    }
    sort_labels = {
        "start": gettext_lazy("Period"),
        "unit": gettext_lazy("Unit"),
        "locked_at": gettext_lazy("Locked"),
    }
    export_filename = "khoa-ky-so-lieu"
    export_fields = (
        "id",
        "unit__name",
        "start",
        "end",
        "reason",
        "locked_by__full_name",
        "locked_at",
        "unlocked_by__full_name",
        "unlocked_at",
        "unlock_reason",
    )

    def base_queryset(self):
        return locks_for(self.request.user)

    def get_export_columns(self) -> list[ExportColumn]:
        return [
            ExportColumn(_("No."), field("id")),
            ExportColumn(_("Unit"), field("unit__name")),
            ExportColumn(_("From"), field("start")),
            ExportColumn(_("To"), field("end")),
            ExportColumn(_("Reason"), field("reason")),
            ExportColumn(_("Locked by"), field("locked_by__full_name")),
            ExportColumn(_("Locked at"), field("locked_at")),
            ExportColumn(_("Unlocked by"), field("unlocked_by__full_name")),
            ExportColumn(_("Unlocked at"), field("unlocked_at")),
            ExportColumn(_("Reason for unlocking"), field("unlock_reason")),
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        lockable = set(lockable_units(user).values_list("pk", flat=True)) if not access.is_admin(user) else None
        context.update(
            rows=[
                {
                    "lock": lock,
                    "active": lock.unlocked_at is None,
                    "may_unlock": lock.unlocked_at is None and (lockable is None or lock.unit_id in lockable),
                }
                for lock in context["locks"]
            ],
            may_lock=lockable is None or bool(lockable),
            breadcrumbs=[(_("Period locks"), None)],
        )
        return context


def _report_reason(report: Report) -> str:
    number = f" ({report.document.symbol})" if report.document_id else ""
    return _("Report “%(report)s”%(number)s was issued.") % {"report": report, "number": number}


@login_required
def lock_create(request):
    """Lock a period for a unit subtree; from an issued report (``?report=<pk>``) the unit and the
    period are filled in from it."""
    user = request.user
    if not lockable_units(user).exists():
        raise PermissionDenied
    report_pk = request.POST.get("report") or request.GET.get("report")
    report = None
    if report_pk:
        if not str(report_pk).isdigit():
            raise Http404
        report = get_report(user, int(report_pk))
    if request.method == "POST":
        form = LockForm(request.POST, user=user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                lock = services.lock_period(
                    user=user,
                    unit=data["unit"],
                    start=data["start"],
                    end=data["end"],
                    reason=data["reason"],
                    report=report,
                )
            except PermissionDenied:
                form.add_error("unit", _("You cannot lock periods of %(unit)s.") % {"unit": data["unit"].name})
            except ValidationError as error:
                show_service_errors(request, error, form)
            else:
                messages.success(
                    request,
                    _("The period %(start)s – %(end)s is locked for %(unit)s.")
                    % {"start": f"{lock.start:%d/%m/%Y}", "end": f"{lock.end:%d/%m/%Y}", "unit": lock.unit.name},
                )
                return redirect("reports:lock_list")
    else:
        initial: dict[str, Any] = {}
        if report is not None:
            initial = {
                "unit": report.unit,
                "start": report.period_start,
                "end": report.period_end,
                "reason": _report_reason(report),
            }
        form = LockForm(user=user, initial=initial)
    context = {
        "form": form,
        "report": report,
        "report_period": periods.label(report.period) if report is not None else "",
        "report_not_issued": report is not None and report.status != ReportStatus.ISSUED,
        "breadcrumbs": lock_crumbs((_("Lock a period"), None)),
    }
    return render(request, "reports/lock_form.html", context)


@login_required
def lock_unlock(request, pk):
    """A confirmation page with the reason, which is required and logged."""
    user = request.user
    lock = get_lock(user, pk)
    if not services.can_lock(user, lock.unit):
        raise PermissionDenied
    form = UnlockForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.unlock_period(user=user, lock=lock, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            if hasattr(error, "error_dict") and "unlock_reason" in error.error_dict:
                form.add_error("reason", error.error_dict["unlock_reason"])
            else:
                show_service_errors(request, error)  # e.g. unlocked meanwhile: the page then says by whom
                lock.refresh_from_db()
        else:
            messages.success(
                request,
                _("The period %(start)s – %(end)s of %(unit)s is unlocked; records dated in it can change again.")
                % {"start": f"{lock.start:%d/%m/%Y}", "end": f"{lock.end:%d/%m/%Y}", "unit": lock.unit.name},
            )
            return redirect("reports:lock_list")
    context = {
        "lock": lock,
        "form": form,
        "already_unlocked": lock.unlocked_at is not None,
        "breadcrumbs": lock_crumbs((_("Unlock"), None)),
    }
    return render(request, "reports/lock_unlock.html", context)


urlpatterns = [
    path("locks/", LockListView.as_view(), name="lock_list"),
    path("locks/new/", lock_create, name="lock_create"),
    path("locks/<int:pk>/unlock/", lock_unlock, name="lock_unlock"),
]
