"""Helpers for tests that start real processes (a WSGI server, a Celery worker).

Every wait is bounded and every process is stopped in a ``finally``; nothing listens on anything
but 127.0.0.1.
"""

from __future__ import annotations

import os
import select
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import quote

from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)

#: Variables of the caller's environment that would leak into a child's configuration.
_CONFIG_VARIABLES = (
    "DATABASE_URL",
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "CELERY_RESULT_BACKEND",
    "CACHE_URL",
    "DEBUG",
    "DJANGO_SETTINGS_MODULE",
)


def child_env(**overrides: str) -> dict[str, str]:
    """The environment for a child process: ours minus the portal's configuration, plus ``overrides``."""
    env = {key: value for key, value in os.environ.items() if key not in _CONFIG_VARIABLES}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(BASE_DIR), env.get("PYTHONPATH")]))
    env["PYTHONUNBUFFERED"] = "1"
    env.update(overrides)
    return env


def session_database_url() -> str:
    """A URL for the database this test session uses (``test_…``), for a child process."""
    config = settings.DATABASES["default"]
    assert config["ENGINE"].endswith("postgresql"), "integration tests need PostgreSQL"
    user = quote(config.get("USER") or "", safe="")
    password = quote(config.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = config.get("HOST") or "127.0.0.1"
    port = config.get("PORT") or "5432"
    return f"postgres://{credentials}{host}:{port}/{quote(config['NAME'], safe='')}"


def broker_url() -> str:
    return os.environ.get("CELERY_BROKER_URL") or os.environ["REDIS_URL"]


def closed_port() -> int:
    """A localhost port nothing listens on (the OS just handed it out and we closed it)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def read_line(process: subprocess.Popen, timeout: float) -> str:
    """The next line the process prints on stdout, waiting at most ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"process exited with {process.returncode} before printing")
        ready, _, _ = select.select([process.stdout], [], [], 0.2)
        if ready:
            return process.stdout.readline().decode().strip()
    raise AssertionError(f"process printed nothing within {timeout} s")


def stop(process: subprocess.Popen) -> None:
    """Terminate, then kill if it does not exit within ten seconds."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
