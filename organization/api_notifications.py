"""``/api/v1/notifications/``: the signed-in user's own notifications (the bell), newest first.

Another user's notification answers 404 like one that does not exist. Marking as read goes
through ``organization.notifications.mark_read``, the same function the pages use.
"""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from .models import Notification
from .notifications import mark_read


class NotificationSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    is_read = serializers.SerializerMethodField(help_text=_("Whether you have read it."))

    class Meta:
        model = Notification
        fields = ["id", "kind", "kind_display", "message", "url", "created_at", "read_at", "is_read"]
        read_only_fields = fields

    def get_is_read(self, notification: Notification) -> bool:
        return notification.read_at is not None


class NotificationFilter(django_filters.FilterSet):
    unread = django_filters.BooleanFilter(
        method="filter_unread", help_text=_("true: only unread notifications; false: only read ones.")
    )

    class Meta:
        model = Notification
        fields: list[str] = []

    def filter_unread(self, queryset, name, value):
        return queryset.filter(read_at__isnull=value)


@extend_schema_view(
    list=extend_schema(summary="Your notifications, newest first"),
    retrieve=extend_schema(summary="One of your notifications (404 for anyone else's)"),
)
@extend_schema(tags=["notifications"])
class NotificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = NotificationSerializer
    filterset_class = NotificationFilter
    queryset = Notification.objects.none()  # the real one is the user's own, see get_queryset

    def get_queryset(self):
        return Notification.objects.filter(recipient=self.request.user)

    @extend_schema(
        summary="Mark one notification as read",
        request=None,
        responses={200: NotificationSerializer, 404: OpenApiResponse(description="Not one of yours.")},
    )
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = self.get_object()
        mark_read(user=request.user, notification_ids=[notification.pk])
        notification.refresh_from_db(fields=["read_at"])
        return Response(self.get_serializer(notification).data)

    @extend_schema(
        summary="Mark all your notifications as read",
        request=None,
        responses={
            200: inline_serializer(
                "NotificationsMarked",
                {"marked": serializers.IntegerField(help_text=_("How many notifications were marked read."))},
            )
        },
    )
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        return Response({"marked": mark_read(user=request.user)})


def register(router) -> None:
    router.register("notifications", NotificationViewSet, basename="notification")
