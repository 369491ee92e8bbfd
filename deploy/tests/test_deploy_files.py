"""The deployment files agree with the settings and the README they configure.

Each check here is one a deployment would otherwise discover in production: a variable of the
README missing from the environment example, a queue no systemd worker consumes, nginx refusing
uploads Django accepts, a gunicorn override silently ignored.
"""

from __future__ import annotations

import re
import runpy
import subprocess
import sys

import pytest
from django.conf import settings

from tests.integration.conftest import BASE_DIR, child_env

DEPLOY = BASE_DIR / "deploy"


def env_example() -> dict[str, str]:
    """The variables of danvan.env.example, commented-out ones included (as empty strings)."""
    values = {}
    for line in (DEPLOY / "danvan.env.example").read_text().splitlines():
        match = re.match(r"^#?([A-Z][A-Z0-9_]*)=(.*)$", line)
        if match:
            name, value = match.groups()
            values[name] = "" if line.startswith("#") else value.strip('"')
    return values


def readme_variables() -> set[str]:
    readme = (BASE_DIR / "README.md").read_text()
    table = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    names = set()
    for line in table.splitlines():
        if line.startswith("| `"):
            first_cell = line.split("|")[1]
            names.update(re.findall(r"`([A-Z][A-Z0-9_]*)`", first_cell))
    return names


def test_the_environment_example_has_every_variable_of_the_readme():
    names = readme_variables()
    assert len(names) > 30  # the table was found
    assert names - env_example().keys() == set()


def test_the_environment_example_is_accepted_by_the_production_settings():
    example = env_example()
    assert example["SECRET_KEY"] == "", "the example must not ship a secret key"
    values = {name: value for name, value in example.items() if value}
    values["SECRET_KEY"] = "x" * 64
    code = "import django; django.setup(); from django.conf import settings; print(settings.UPLOAD_MAX_BYTES)"
    result = subprocess.run(  # noqa: S603 -- our interpreter, a fixed program
        [sys.executable, "-c", code], cwd=BASE_DIR, env=child_env(**values), capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == values["UPLOAD_MAX_BYTES"]


def test_the_worker_unit_consumes_every_queue_tasks_are_routed_to():
    routed = {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()}
    unit = (DEPLOY / "systemd" / "danvan-worker.service").read_text()
    queues = set(re.search(r"--queues=(\S+)", unit).group(1).split(","))
    assert queues == routed | {"celery"}


def test_every_service_runs_as_the_portal_user_with_its_environment_file():
    for name in ("danvan-web", "danvan-worker", "danvan-beat", "danvan-backup"):
        unit = (DEPLOY / "systemd" / f"{name}.service").read_text()
        assert "\nUser=danvan\n" in unit, name
        assert "\nEnvironmentFile=/etc/danvan/danvan.env\n" in unit, name
        assert "\nNoNewPrivileges=true\n" in unit and "\nProtectSystem=strict\n" in unit, name
    beat = (DEPLOY / "systemd" / "danvan-beat.service").read_text()
    assert "--scheduler=django_celery_beat.schedulers:DatabaseScheduler" in beat


def test_nginx_accepts_every_upload_django_accepts():
    sample = (DEPLOY / "nginx.conf.sample").read_text()
    megabytes = int(re.search(r"^\s*client_max_body_size (\d+)m;", sample, re.MULTILINE).group(1))
    assert megabytes * 1024 * 1024 > int(env_example()["UPLOAD_MAX_BYTES"])
    assert "/var/lib/danvan/media" not in sample.replace("#", "")  # uploads are never served directly


def gunicorn_config(monkeypatch, **env: str) -> dict:
    for name, value in env.items():
        monkeypatch.setenv(f"GUNICORN_{name}", value)
    return runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))


def test_gunicorn_defaults(monkeypatch):
    config = gunicorn_config(monkeypatch)
    assert config["bind"] == ["127.0.0.1:8000"]
    assert config["workers"] == config["default_workers"](config["_cpus"]())
    assert config["max_requests"] == 1000 and config["max_requests_jitter"] == 100
    assert config["forwarded_allow_ips"] == "127.0.0.1,::1"
    assert "%(M)s" in config["access_log_format"]
    assert config["wsgi_app"] == "danvan_portal.wsgi:application"


@pytest.mark.parametrize(("cpus", "workers"), [(1, 3), (2, 5), (4, 9), (32, 12)])
def test_gunicorn_workers_follow_the_cpus_up_to_a_cap(monkeypatch, cpus, workers):
    assert gunicorn_config(monkeypatch)["default_workers"](cpus) == workers


def test_gunicorn_values_come_from_the_environment(monkeypatch):
    config = gunicorn_config(
        monkeypatch, BIND="127.0.0.2:9000", WORKERS="7", TIMEOUT="90", MAX_REQUESTS="500", PRELOAD_APP="yes"
    )
    assert config["bind"] == ["127.0.0.2:9000"]
    assert (config["workers"], config["timeout"], config["max_requests"]) == (7, 90, 500)
    assert config["max_requests_jitter"] == 50 and config["preload_app"] is True


def test_a_malformed_gunicorn_value_stops_start_up_naming_it(monkeypatch):
    with pytest.raises(SystemExit, match="GUNICORN_WORKERS"):
        gunicorn_config(monkeypatch, WORKERS="many")
