"""Celery tasks of the organization app.

``ping`` is the smallest round trip that proves a deployment works end to end: the message goes
through the broker, a worker runs it with the Django settings, reads the database and the
result comes back through the result backend. The integration tests and operators use it.
"""

from __future__ import annotations

from celery import shared_task

from .models import Unit


@shared_task(bind=True, name="organization.ping")
def ping(self, value: str = "ping") -> dict:
    """Answer ``value`` with the units the worker counts in its database and the worker's name."""
    # hostname is None when the task ran in-process (eager), so a caller can tell the two apart.
    return {"pong": value, "unit_count": Unit.objects.count(), "worker": self.request.hostname}
