"""A report compiled by a real Celery worker on Redis, against the test database on PostgreSQL.

The report is created through the service with the broker configured (not eager): the compile
message goes to the ``reports`` queue (``CELERY_TASK_ROUTES``) and waits there, the row saying
"queued", until a worker consuming that queue starts, the dedicated reports worker of
docs/operations-celery.md: ``celery -A danvan_portal worker -Q reports``. The worker claims the
row, computes the figures, renders the files with the real renderers and marks it ready; the
status endpoint the report page polls follows it along.
"""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from datetime import date

import pytest
from django.urls import reverse
from redis import Redis

from dialogues.tests.factories import DialogueFactory
from programs.tests.factories import ProgramFactory, contribution
from reports import services
from reports.models import BuildState, Report
from reports.tasks import compile_report

from .conftest import BASE_DIR, broker_url, child_env, session_database_url, stop

# The fixture switching the in-process app to the broker, shared with the ping test.
from .test_celery_worker import sending_for_real  # noqa: F401

pytestmark = [
    pytest.mark.integration(needs=("postgres", "redis")),
    # The worker is another process: it sees only committed rows.
    pytest.mark.django_db(transaction=True),
]

QUEUE = "reports"
#: A compile of the small test district takes a few seconds; the worker's start-up a few more.
WAIT_SECONDS = 180


def purge_reports_queue() -> None:
    """Nothing left over from an earlier run may reach this worker (or the next run's)."""
    with Redis.from_url(broker_url()) as redis:
        keys = [key for key in redis.scan_iter(match=f"{QUEUE}*") if key.decode(errors="replace").startswith(QUEUE)]
        if keys:
            redis.delete(*keys)


@pytest.fixture
def media(settings, tmp_path):
    """One media directory for the worker (which writes the files) and this process (which serves them)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def reports_worker(tmp_path, media):
    """Start (on demand) the dedicated reports worker; its log is printed when the test fails."""
    purge_reports_queue()
    name = f"reports-{uuid.uuid4().hex[:12]}@localhost"
    log_path = tmp_path / "worker.log"
    processes: list[subprocess.Popen] = []

    def start() -> None:
        with log_path.open("wb") as log:
            processes.append(
                subprocess.Popen(  # noqa: S603 -- a fixed command line, no outside input
                    [
                        sys.executable,
                        "-m",
                        "celery",
                        "-A",
                        "danvan_portal",
                        "worker",
                        f"--queues={QUEUE}",
                        "--pool=solo",
                        "--concurrency=1",
                        f"--hostname={name}",
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
                        MEDIA_ROOT=str(media),
                    ),
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )

    try:
        yield start
    finally:
        for process in processes:
            stop(process)
        purge_reports_queue()
    if log_path.exists():
        print(log_path.read_text(errors="replace")[-5000:])


def test_a_real_worker_on_the_reports_queue_compiles_a_report(
    client,
    tree,
    district_staff,
    sending_for_real,  # noqa: F811
    reports_worker,
):
    DialogueFactory(unit=tree.commune_a, date=date(2024, 2, 5))
    ProgramFactory(unit=tree.commune_b, date=date(2024, 3, 10), contributions=[contribution(value_vnd=4_000_000)])
    client.force_login(district_staff)

    report = services.report_create(
        user=district_staff,
        kind="quarter",
        period_start=date(2024, 1, 1),
        period_end=date(2024, 3, 31),
        unit=tree.district,
    )

    # Sent, not run (in-process it would have finished already): without a worker on the reports
    # queue the row waits, and the page says so.
    status_url = reverse("reports:report_status", args=[report.pk])
    report.refresh_from_db()
    assert (report.build_state, report.progress, report.figures) == (BuildState.QUEUED, 0, {})
    first = client.get(status_url).json()
    assert (first["build_state"], first["progress"], first["ready"]) == ("queued", 0, False)

    reports_worker()
    seen = [(first["build_state"], first["progress"])]
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        status = client.get(status_url).json()
        if (status["build_state"], status["progress"]) != seen[-1]:
            seen.append((status["build_state"], status["progress"]))
        if status["build_state"] in (BuildState.READY, BuildState.FAILED):
            break
        time.sleep(0.2)

    report = Report.objects.get(pk=report.pk)
    assert report.build_state == BuildState.READY, (report.build_error, seen)
    assert status["ready"] is True and status["error"] == ""
    # The progress the page shows only moves forward, from queued to 100 %.
    assert seen[0] == ("queued", 0) and seen[-1] == ("ready", 100)
    progress = [percent for _state, percent in seen]
    assert progress == sorted(progress)
    assert report.attempts == 0
    # Computed by the worker from the committed records, and rendered there with the real renderers.
    assert report.figures["kpis"]["dialogues"] == 1
    assert report.figures["kpis"]["value_mobilized_vnd"] == 4_000_000
    docx = client.get(reverse("reports:report_file", args=[report.pk, "docx"]))
    assert docx.status_code == 200
    assert b"".join(docx.streaming_content)[:2] == b"PK"
    compiled_at = report.compiled_at
    # A second message for the same report (a duplicate delivery) finds nothing to do.
    duplicate = compile_report.apply_async(args=[report.pk])
    try:
        assert duplicate.get(timeout=60) == "skipped"
    finally:
        duplicate.forget()
    report.refresh_from_db()
    assert (report.build_state, report.compiled_at) == (BuildState.READY, compiled_at)
