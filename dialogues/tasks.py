"""Celery tasks of the dialogues app: thin wrappers over ``reminders`` (see docs/reminders.md)."""

from __future__ import annotations

import logging
from datetime import date

from celery import shared_task

from . import reminders

logger = logging.getLogger(__name__)


@shared_task(
    bind=True,
    name="dialogues.send_daily_reminders",
    # A worker that dies mid-run leaves the message to another; running twice is harmless
    # because every item is claimed once (SentReminder).
    acks_late=True,
    # Only an unreachable or busy mail server is worth retrying; anything else is a bug or a
    # permanent refusal and retrying would not change it.
    autoretry_for=(reminders.TransientMailError,),
    retry_backoff=60,  # about 1, 2, then 4 minutes, with jitter
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=3,
    # Larger than the global limits: at national scale a first run may mail thousands of
    # agencies. What is sent before a limit is hit stays sent; the rest goes with the next run.
    soft_time_limit=1800,
    time_limit=1900,
)
def send_daily_reminders(self, day: str | None = None) -> dict[str, int]:
    """Send today's reminders (or those of ``day``, an ISO date, e.g. to catch up by hand)."""
    counts = reminders.send_reminders(today=date.fromisoformat(day) if day else None)
    logger.info("Reminders sent: %s", counts)
    return counts
