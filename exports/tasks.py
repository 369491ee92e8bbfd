"""Celery tasks of the exports (default queue): writing a large export, and the hourly cleanup
of expired links. Without a broker they run in-process (``CELERY_TASK_ALWAYS_EAGER``)."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from . import services


@shared_task(
    name="exports.run",
    acks_late=True,
    # A million rows take minutes, longer than the global limit meant for short tasks.
    soft_time_limit=settings.EXPORT_TIME_LIMIT,
    time_limit=settings.EXPORT_TIME_LIMIT + 60,
)
def run_export(job_id: int) -> str:
    return services.run(job_id)


@shared_task(name="exports.cleanup")
def cleanup_exports() -> int:
    return services.cleanup()
