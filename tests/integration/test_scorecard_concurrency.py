"""Scorecard saves under real concurrency on PostgreSQL.

Each thread has its own database connection (Django's are per thread), so these are concurrent
transactions, as two officers saving the same grid at once would be. Every scorecard write locks
the round row first (``campaigns.services``), so:

* two saves of the same card are serialized: the second waits for the first to commit, then
  fails with ``StaleVersion`` when it carried the version both had read;
* two first saves of a unit create one scorecard: the second either updates it, serialized (the
  grid) or is told the unit "already has a scorecard" (``scorecard_create``); no IntegrityError
  reaches the caller.

The "waits" tests are deterministic: the first thread saves inside a transaction it keeps open
until the main thread has seen the second one blocked on a lock (pg_stat_activity), then commits.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _

from campaigns import services
from campaigns.models import Scorecard, ScoringRound
from campaigns.services import StaleVersion
from campaigns.tests.factories import movement_with_criteria, open_round
from organization.models import Unit, User

pytestmark = [
    pytest.mark.integration(needs=("postgres",)),
    # Threads see only committed rows, and each commits its own transaction.
    pytest.mark.django_db(transaction=True),
]

TIMEOUT = 30


@pytest.fixture
def scoring(tree, district_staff, commune_a_officer):
    movement = movement_with_criteria(district_staff, tree.district, maxima=("40", "30", "30"))
    round_ = open_round(district_staff, movement, date(2024, 3, 1))
    criteria = [c.pk for c in movement.criteria_sets.get().criteria.all()]
    return round_.pk, tree.village_a.pk, commune_a_officer.pk, criteria


def grid(round_pk: int, unit_pk: int, user_pk: int, criteria: list[int], scores, versions=None) -> Callable[[], object]:
    def save():
        return services.grid_save(
            user=User.objects.get(pk=user_pk),
            round_=ScoringRound.objects.get(pk=round_pk),
            rows={unit_pk: {c: str(s) for c, s in zip(criteria, scores, strict=True)}},
            versions=versions,
        )

    return save


def create(round_pk: int, unit_pk: int, user_pk: int) -> Callable[[], object]:
    def save():
        return services.scorecard_create(
            user=User.objects.get(pk=user_pk),
            round_=ScoringRound.objects.get(pk=round_pk),
            unit=Unit.objects.get(pk=unit_pk),
        )

    return save


class Outcomes:
    """What each thread's call ended with: "ok" or the exception."""

    def __init__(self) -> None:
        self.results: dict[str, object] = {}
        self._lock = threading.Lock()

    def record(self, name: str, value: object) -> None:
        with self._lock:
            self.results[name] = value


def run(name: str, call: Callable[[], object], outcomes: Outcomes, *, before=None, hold=None) -> threading.Thread:
    """A thread that runs ``call``; with ``hold``, inside a transaction kept open until it is set."""

    def target() -> None:
        try:
            if before is not None:
                assert before.wait(TIMEOUT), "never told to start"
            if hold is None:
                call()
            else:
                saved, release = hold
                with transaction.atomic():
                    call()
                    saved.set()
                    assert release.wait(TIMEOUT), "never released"
            outcomes.record(name, "ok")
        except BaseException as exc:  # the test inspects what happened
            outcomes.record(name, exc)
        finally:
            connection.close()  # this thread's connection; an open one would block the test DB's drop

    thread = threading.Thread(target=target, name=name)
    thread.start()
    return thread


def wait_until_blocked_on_a_lock() -> None:
    """Bounded wait until another backend of this database waits for a lock."""
    import time

    deadline = time.monotonic() + TIMEOUT
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0] >= 1:
                return
            time.sleep(0.02)  # polling a condition, not waiting for time to pass
    raise AssertionError("the second save never waited for the first")


def first_then_second(first: Callable[[], object], second: Callable[[], object]) -> Outcomes:
    """Run ``first`` in a transaction held open; start ``second``, see it blocked, then commit."""
    outcomes = Outcomes()
    saved, release = threading.Event(), threading.Event()
    one = run("first", first, outcomes, hold=(saved, release))
    assert saved.wait(TIMEOUT), outcomes.results
    two = run("second", second, outcomes)
    try:
        wait_until_blocked_on_a_lock()
    finally:
        release.set()
        for thread in (one, two):
            thread.join(TIMEOUT)
    assert not one.is_alive() and not two.is_alive(), "a thread is stuck (deadlock?)"
    return outcomes


def at_once(calls: dict[str, Callable[[], object]]) -> Outcomes:
    """Start every call together (a barrier), as simultaneous clicks would."""
    outcomes = Outcomes()
    barrier = threading.Barrier(len(calls))

    def wrapped(call):
        def go():
            barrier.wait(TIMEOUT)
            return call()

        return go

    threads = [run(name, wrapped(call), outcomes) for name, call in calls.items()]
    for thread in threads:
        thread.join(TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck (deadlock?)"
    return outcomes


def test_second_save_with_the_old_version_waits_then_fails_stale(scoring):
    round_pk, unit_pk, user_pk, criteria = scoring
    grid(round_pk, unit_pk, user_pk, criteria, (10, 10, 10))()
    version = Scorecard.objects.get().version

    outcomes = first_then_second(
        grid(round_pk, unit_pk, user_pk, criteria, (40, 30, 30), {unit_pk: version}),
        grid(round_pk, unit_pk, user_pk, criteria, (20, 20, 20), {unit_pk: version}),
    )

    assert outcomes.results["first"] == "ok"
    second = outcomes.results["second"]
    assert isinstance(second, StaleVersion), second
    unit = Unit.objects.get(pk=unit_pk)
    assert second.messages == [
        _("Someone else saved %(unit)s while you were editing. Reload the grid and try again.") % {"unit": unit.name}
    ]
    card = Scorecard.objects.get()
    assert (card.self_total, card.version) == (100, version + 1)  # the first save, not overwritten


def test_simultaneous_saves_with_the_same_version_keep_exactly_one(scoring):
    round_pk, unit_pk, user_pk, criteria = scoring
    grid(round_pk, unit_pk, user_pk, criteria, (10, 10, 10))()
    version = Scorecard.objects.get().version

    outcomes = at_once(
        {
            "a": grid(round_pk, unit_pk, user_pk, criteria, (40, 30, 30), {unit_pk: version}),
            "b": grid(round_pk, unit_pk, user_pk, criteria, (20, 20, 20), {unit_pk: version}),
        }
    )

    results = outcomes.results
    assert sorted(type(r).__name__ if r != "ok" else "ok" for r in results.values()) == ["StaleVersion", "ok"]
    winner = next(name for name, result in results.items() if result == "ok")
    card = Scorecard.objects.get()
    assert card.self_total == {"a": 100, "b": 60}[winner]
    assert card.version == version + 1


def test_two_first_saves_of_the_grid_are_serialized_into_one_scorecard(scoring):
    round_pk, unit_pk, user_pk, criteria = scoring

    outcomes = first_then_second(
        grid(round_pk, unit_pk, user_pk, criteria, (40, 30, 30)),
        grid(round_pk, unit_pk, user_pk, criteria, (20, 20, 20)),
    )

    assert outcomes.results == {"first": "ok", "second": "ok"}
    card = Scorecard.objects.get()  # exactly one
    assert (card.self_total, card.version) == (60, 2)  # created by the first, then saved by the second
    assert card.entries.count() == 3


def test_creating_the_first_scorecard_twice_tells_the_second_it_exists(scoring):
    round_pk, unit_pk, user_pk, _criteria = scoring

    outcomes = first_then_second(create(round_pk, unit_pk, user_pk), create(round_pk, unit_pk, user_pk))

    assert outcomes.results["first"] == "ok"
    second = outcomes.results["second"]
    assert isinstance(second, ValidationError), second
    unit = Unit.objects.get(pk=unit_pk)
    assert second.message_dict == {"unit": [_("%(unit)s already has a scorecard in this round.") % {"unit": unit.name}]}
    assert Scorecard.objects.count() == 1


def test_simultaneous_creations_make_one_scorecard_and_clear_messages(scoring):
    round_pk, unit_pk, user_pk, _criteria = scoring

    outcomes = at_once({f"officer-{n}": create(round_pk, unit_pk, user_pk) for n in range(4)})

    results = list(outcomes.results.values())
    assert results.count("ok") == 1
    unit = Unit.objects.get(pk=unit_pk)
    message = _("%(unit)s already has a scorecard in this round.") % {"unit": unit.name}
    for error in (r for r in results if r != "ok"):
        assert isinstance(error, ValidationError), error  # never an IntegrityError
        assert error.message_dict == {"unit": [message]}
    assert Scorecard.objects.count() == 1
