"""The daily reminders on PostgreSQL and a real Celery worker: what beat sends every morning.

Two things only a real database and a real worker show: the task runs in a worker process
against committed rows (and a second run there sends nothing new), and two runs racing on
PostgreSQL remind each item once, because the second insert of a SentReminder waits for the
first transaction and then fails on the unique constraint.
"""

from __future__ import annotations

import threading
from datetime import date
from unittest import mock

import pytest
from django.core import mail
from django.db import connection

from dialogues import reminders
from dialogues.models import ReminderRule, SentReminder
from dialogues.tasks import send_daily_reminders
from dialogues.tests.factories import PetitionFactory
from organization.models import Notification, NotificationKind

# The worker fixtures of the ping test: a worker subprocess on a queue of its own.
from .test_celery_worker import answer, sending_for_real, worker_queue  # noqa: F401

pytestmark = [
    pytest.mark.integration(needs=("postgres", "redis")),
    # The worker and the racing threads use connections of their own: they see committed rows only.
    pytest.mark.django_db(transaction=True),
]

DAY = date(2024, 5, 10)


def petition_due_soon(tree):
    return PetitionFactory(
        unit=tree.commune_a,
        received_on=date(2024, 5, 2),
        status="assigned",
        agency=tree.agency,
        deadline=date(2024, 5, 12),
    )


def test_worker_sends_the_daily_reminders_once(tree, agency_officer, sending_for_real, worker_queue):  # noqa: F811
    petition = petition_due_soon(tree)

    first = answer(send_daily_reminders.apply_async(args=[DAY.isoformat()], queue=worker_queue))
    second = answer(send_daily_reminders.apply_async(args=[DAY.isoformat()], queue=worker_queue))

    assert first[ReminderRule.PETITION_DUE_SOON] == 1
    assert first["emails"] == 1 and first["notifications"] == 1
    assert second[ReminderRule.PETITION_DUE_SOON] == 0
    assert second["emails"] == second["notifications"] == 0
    assert SentReminder.objects.filter(petition=petition, deadline=petition.deadline).count() == 1
    assert Notification.objects.filter(recipient=agency_officer, kind=NotificationKind.REMINDER).count() == 1


def test_two_runs_racing_remind_each_petition_once(tree, agency_officer):
    petition_due_soon(tree)
    both_have_looked = threading.Barrier(2, timeout=30)
    find = reminders._petition_items
    results: list[dict] = []
    errors: list[BaseException] = []

    def find_then_wait(*args, **kwargs):
        items = find(*args, **kwargs)
        # Both runs have seen the petition as not yet reminded before either claims it.
        both_have_looked.wait()
        return items

    def run():
        try:
            results.append(reminders.send_reminders(today=DAY))
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    with mock.patch.object(reminders, "_petition_items", find_then_wait):
        threads = [threading.Thread(target=run) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

    assert errors == []
    assert sorted(result[ReminderRule.PETITION_DUE_SOON] for result in results) == [0, 1]
    assert len(mail.outbox) == 1
    assert Notification.objects.filter(recipient=agency_officer, kind=NotificationKind.REMINDER).count() == 1
    assert SentReminder.objects.count() == 1
