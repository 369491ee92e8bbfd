"""``/healthz``: 200 when the parts answer, 503 naming the part that does not."""

from __future__ import annotations

import socket
import threading
from unittest import mock

import pytest
from django.db import OperationalError
from django.urls import reverse

from danvan_portal import health


@pytest.mark.django_db
def test_healthz_reports_database_ok_and_eager_broker(client):
    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "eager"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_answers_503_naming_the_database_when_its_cursor_fails(client):
    broken = mock.Mock()
    broken.cursor.side_effect = OperationalError("could not connect to server: Connection refused")

    with mock.patch.object(health, "connection", broken):
        response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json() == {"database": "unreachable", "broker": "eager"}


@pytest.mark.django_db
def test_healthz_answers_503_naming_the_broker_when_it_refuses(client, settings):
    with socket.socket() as probe:  # a port nothing listens on once the probe is closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{port}/0"

    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json() == {"database": "ok", "broker": "unreachable"}


def test_broker_check_gives_up_quickly_on_a_broker_that_never_answers(settings):
    # A socket that accepts connections but never replies: without socket timeouts the check
    # would wait forever. It runs in a daemon thread so a regression fails instead of hanging.
    settings.CELERY_TASK_ALWAYS_EAGER = False
    results: list[str] = []
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(5)
        settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{silent.getsockname()[1]}/0"
        with mock.patch.object(health, "BROKER_TIMEOUT_SECONDS", 0.5):
            worker = threading.Thread(target=lambda: results.append(health._check_broker()), daemon=True)
            worker.start()
            worker.join(timeout=15)

    assert not worker.is_alive(), "the broker check hung on a silent broker"
    assert results == ["unreachable"]


@pytest.mark.django_db
def test_healthz_refuses_post(client):
    assert client.post(reverse("healthz")).status_code == 405
