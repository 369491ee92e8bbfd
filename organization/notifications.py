"""Sending in-app notifications (the bell). E-mail, where wanted, is sent by the caller."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet
from django.utils import timezone

from .models import Membership, Notification, User


def officers_of(unit, *roles: str) -> QuerySet[User]:
    """Active users holding one of ``roles`` directly on ``unit`` (e.g. an agency's officers)."""
    return User.objects.filter(
        is_active=True,
        pk__in=Membership.objects.active().filter(unit=unit, role__in=roles).values("user"),
    )


def notify(*, recipients: Iterable[User], kind: str, message: str, url: str = "") -> list[Notification]:
    rows = [Notification(recipient=user, kind=kind, message=message[:500], url=url) for user in recipients]
    return Notification.objects.bulk_create(rows)


def mark_read(*, user: User, notification_ids: Iterable[int] | None = None) -> int:
    """Mark the user's own notifications read (all unread ones when no ids are given)."""
    rows = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        rows = rows.filter(pk__in=list(notification_ids))
    return rows.update(read_at=timezone.now())
