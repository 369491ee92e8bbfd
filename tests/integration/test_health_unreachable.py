"""``/healthz`` of a real server process whose database or broker cannot be reached.

The server is the project's WSGI application (production settings, as gunicorn runs it) in a
tiny wsgiref server on a free 127.0.0.1 port, so nothing in the test process is mocked.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import urllib.error
import urllib.request

import pytest

from .conftest import BASE_DIR, child_env, closed_port, read_line, session_database_url, stop

# Binds port 0 and prints the port it got, so there is no race for a "free" port.
SERVER = """
from wsgiref.simple_server import WSGIRequestHandler, make_server

from danvan_portal.wsgi import application


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


server = make_server("127.0.0.1", 0, application, handler_class=QuietHandler)
print(server.server_port, flush=True)
server.serve_forever()
"""


def get_healthz(**env: str) -> tuple[int, dict]:
    settings_env = {
        "DJANGO_SETTINGS_MODULE": "danvan_portal.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "LOG_LEVEL": "WARNING",
    }
    process = subprocess.Popen(  # noqa: S603 -- a fixed command line, no outside input
        [sys.executable, "-c", SERVER],
        cwd=BASE_DIR,
        env=child_env(**settings_env, **env),
        stdout=subprocess.PIPE,
        stderr=None,
    )
    try:
        port = int(read_line(process, timeout=60))
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=30) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())
    finally:
        stop(process)


@pytest.mark.integration(needs=("postgres",))
def test_healthz_names_the_database_when_postgres_is_unreachable():
    status, body = get_healthz(DATABASE_URL=f"postgres://postgres@127.0.0.1:{closed_port()}/nowhere")

    assert status == 503, body
    assert body == {"database": "unreachable", "broker": "eager"}


@pytest.mark.integration(needs=("postgres",))
def test_healthz_names_the_broker_when_redis_is_unreachable(db):
    status, body = get_healthz(
        DATABASE_URL=session_database_url(),
        REDIS_URL=f"redis://127.0.0.1:{closed_port()}/0",
    )

    assert status == 503, body
    assert body == {"database": "ok", "broker": "unreachable"}


@pytest.mark.integration(needs=("postgres", "redis"))
def test_healthz_is_ok_when_postgres_and_redis_answer(db):
    # The control for the two above: the same server with both parts reachable.
    status, body = get_healthz(DATABASE_URL=session_database_url(), REDIS_URL=os.environ["REDIS_URL"])

    assert status == 200, body
    assert body == {"database": "ok", "broker": "ok"}
