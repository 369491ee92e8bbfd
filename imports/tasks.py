"""Celery tasks of the import: the dry-run check and the import itself (see services.py)."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="imports.check")
def check_import(job_id: int) -> str:
    return services.check(job_id).status


@shared_task(name="imports.run")
def run_import(job_id: int) -> str:
    return services.run(job_id).status
