"""The notifications page (what the bell links to), marking as read and following a link.

Everyone sees only their own notifications: any other one answers 404, like a record outside
the user's units. Marking as read goes through ``organization.notifications.mark_read``. The
list exports (``?export=xlsx|csv``, ``ExportMixin``) the notifications shown: all, or unread only.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST
from django.views.generic import ListView

from .exports import ExportColumn, ExportMixin, choice, field
from .models import Notification, NotificationKind
from .notifications import mark_read


def _is_local_path(url: str) -> bool:
    """A path on this site ("/dialogues/…"), never another host or a javascript: URL."""
    return url.startswith("/") and url_has_allowed_host_and_scheme(url, allowed_hosts=None)


def _back(request):
    """Where to return after marking: the page the form came from if it is ours, else the list."""
    target = request.POST.get("next", "")
    return redirect(target if _is_local_path(target) else reverse("notification_list"))


def _link(row) -> str:
    """The notification's link, absolute when the portal's address is configured."""
    if not row["url"]:
        return ""
    return f"{settings.DANVAN_SITE_URL.rstrip('/')}{row['url']}" if settings.DANVAN_SITE_URL else row["url"]


class NotificationListView(ExportMixin, LoginRequiredMixin, ListView):
    template_name = "organization/notification_list.html"
    context_object_name = "notifications"
    paginate_by = 25
    export_filename = "thong-bao"
    export_fields = ("id", "created_at", "kind", "message", "url", "read_at")

    def get_export_columns(self) -> list[ExportColumn]:
        return [
            ExportColumn(_("No."), field("id")),
            ExportColumn(_("Received at"), field("created_at")),
            ExportColumn(_("Kind"), choice("kind", NotificationKind.choices)),
            ExportColumn(_("Message"), field("message")),
            ExportColumn(_("Link"), _link),
            ExportColumn(_("Read at"), field("read_at")),
        ]

    def only_unread(self) -> bool:
        return self.request.GET.get("unread") == "1"

    def get_queryset(self):
        notifications = Notification.objects.filter(recipient=self.request.user)
        if self.only_unread():
            notifications = notifications.unread()
        return notifications.order_by("-created_at", "-id")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["breadcrumbs"] = [(_("Notifications"), None)]
        context["only_unread"] = self.only_unread()
        return context


@login_required
@require_GET
def notification_open(request, pk: int):
    """Mark the notification read and go where it points (a page of this site only)."""
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    mark_read(user=request.user, notification_ids=[notification.pk])
    if notification.url and _is_local_path(notification.url):
        return redirect(notification.url)
    return redirect("notification_list")


@login_required
@require_POST
def notification_read(request, pk: int):
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    mark_read(user=request.user, notification_ids=[notification.pk])
    return _back(request)


@login_required
@require_POST
def notification_read_all(request):
    marked = mark_read(user=request.user)
    if marked:
        messages.success(
            request,
            ngettext("%(count)d notification marked as read.", "%(count)d notifications marked as read.", marked)
            % {"count": marked},
        )
    return _back(request)


notification_list = NotificationListView.as_view()

#: Added to organization/urls.py with ``*views_notifications.urlpatterns``.
urlpatterns = [
    path("notifications/", notification_list, name="notification_list"),
    path("notifications/read-all/", notification_read_all, name="notification_read_all"),
    path("notifications/<int:pk>/open/", notification_open, name="notification_open"),
    path("notifications/<int:pk>/read/", notification_read, name="notification_read"),
]
