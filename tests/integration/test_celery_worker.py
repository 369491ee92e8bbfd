"""A real Celery worker on Redis runs a task against the test database and answers.

The test settings run tasks in-process; here the in-process app is switched to send through the
broker for the duration of the test, and a worker subprocess (the same command `make worker`
runs, on a queue of its own) picks the message up.
"""

from __future__ import annotations

import subprocess
import sys
import uuid

import pytest
from celery.result import AsyncResult
from redis import Redis

from danvan_portal.celery import app as celery_app
from organization.models import Unit
from organization.tasks import ping
from organization.tests.factories import UnitFactory

from .conftest import BASE_DIR, broker_url, child_env, session_database_url, stop

pytestmark = [
    pytest.mark.integration(needs=("postgres", "redis")),
    # The worker is another process: it sees only committed rows.
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def sending_for_real():
    """Make ``apply_async`` go through the broker instead of running in this process."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        yield
    finally:
        celery_app.conf.task_always_eager = previous


@pytest.fixture
def worker_queue(tmp_path):
    """A worker subprocess consuming a queue no other test or worker uses; its log on failure."""
    queue = f"test-{uuid.uuid4().hex}"
    log_path = tmp_path / "worker.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(  # noqa: S603 -- a fixed command line, no outside input
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "danvan_portal",
                "worker",
                "--pool=solo",
                "--concurrency=1",
                f"--queues={queue}",
                f"--hostname={queue}@localhost",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel=INFO",
            ],
            cwd=BASE_DIR,
            env=child_env(
                DJANGO_SETTINGS_MODULE="danvan_portal.settings.test",
                DATABASE_URL=session_database_url(),
                REDIS_URL=broker_url(),
                CELERY_BROKER_URL=broker_url(),
            ),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        yield queue
    finally:
        stop(process)
        # kombu leaves the queue's binding keys in Redis; the queue itself is gone once empty.
        with Redis.from_url(broker_url()) as redis:
            leftovers = list(redis.scan_iter(match=f"_kombu.*{queue}"))
            if leftovers:
                redis.delete(*leftovers)
    # Shown by pytest only when the test failed.
    print(log_path.read_text(errors="replace")[-5000:])


def answer(result: AsyncResult) -> dict:
    """The task's return value (waiting at most a minute); its stored result is then deleted."""
    try:
        return result.get(timeout=60)
    finally:
        result.forget()


def test_worker_runs_ping_and_reads_the_test_database(sending_for_real, worker_queue):
    UnitFactory.create_batch(3)
    expected = Unit.objects.count()

    result = answer(ping.apply_async(args=["xin chào"], queue=worker_queue))

    # Named by the worker: this did not run in the test process.
    assert result == {"pong": "xin chào", "unit_count": expected, "worker": f"{worker_queue}@localhost"}
    assert expected == 3


def test_worker_sees_rows_committed_after_it_started(sending_for_real, worker_queue):
    first = answer(ping.apply_async(args=["một"], queue=worker_queue))
    UnitFactory.create_batch(2)

    second = answer(ping.apply_async(args=["hai"], queue=worker_queue))

    assert second["unit_count"] == first["unit_count"] + 2
