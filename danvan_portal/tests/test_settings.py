"""Configuration: one reader of the environment, loud failures, safe production defaults."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from danvan_portal.settings import env

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("getter", "name", "value", "message"),
    [
        (lambda: env.env_bool("X_FLAG"), "X_FLAG", "maybe", "X_FLAG='maybe' is not a boolean"),
        (lambda: env.env_int("X_NUMBER", 1), "X_NUMBER", "12a", "X_NUMBER='12a' is not an integer"),
        (lambda: env.env_int("X_NUMBER", 1, minimum=5), "X_NUMBER", "2", "X_NUMBER=2 must be at least 5"),
        (lambda: env.env_database("X_DB", "sqlite:///x"), "X_DB", "mysql://h/db", "X_DB='mysql://h/db'"),
        (lambda: env.env_redis_url("X_REDIS"), "X_REDIS", "localhost:6379", "X_REDIS='localhost:6379'"),
    ],
)
def test_malformed_value_fails_naming_the_variable(monkeypatch, getter, name, value, message):
    monkeypatch.setenv(name, value)
    with pytest.raises(ImproperlyConfigured, match=message):
        getter()


def test_well_formed_values_parse(monkeypatch):
    monkeypatch.setenv("X_FLAG", "yes")
    monkeypatch.setenv("X_NUMBER", "42")
    monkeypatch.setenv("X_LIST", "a.vn, b.vn,,")
    monkeypatch.setenv("X_DB", "postgres://u:p@127.0.0.1:5432/danvan")
    assert env.env_bool("X_FLAG") is True
    assert env.env_int("X_NUMBER", 1) == 42
    assert env.env_list("X_LIST") == ["a.vn", "b.vn"]
    database = env.env_database("X_DB", "sqlite:///x")
    assert database["NAME"] == "danvan"
    assert database["ENGINE"] == "django.db.backends.postgresql"


def _production_check(extra_env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    environment = {
        key: value
        for key, value in os.environ.items()
        # DJANGO_ALLOW_ASYNC_UNSAFE is set for the browser tests only; a deployment never has it.
        if key not in {"SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    environment.update({"DJANGO_SETTINGS_MODULE": "danvan_portal.settings.production", **extra_env})
    return subprocess.run(  # noqa: S603 - fixed arguments, our own manage.py
        [sys.executable, "manage.py", "check", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_has_no_default_secret_key():
    result = _production_check({"ALLOWED_HOSTS": "danvan.example.vn"})
    assert result.returncode != 0
    assert "SECRET_KEY is required" in result.stderr


def test_production_refuses_debug():
    result = _production_check(
        {"SECRET_KEY": secrets.token_urlsafe(60), "ALLOWED_HOSTS": "danvan.example.vn", "DEBUG": "true"}
    )
    assert result.returncode != 0
    assert "DEBUG must not be true" in result.stderr


def test_production_check_deploy_is_clean():
    result = _production_check(
        {"SECRET_KEY": secrets.token_urlsafe(60), "ALLOWED_HOSTS": "danvan.example.vn"},
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_passwords_are_hashed_with_argon2_outside_tests():
    from danvan_portal.settings import base

    assert base.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_vietnamese_is_the_default_language_and_hanoi_time():
    assert settings.LANGUAGE_CODE == "vi"
    assert settings.TIME_ZONE == "Asia/Ho_Chi_Minh"
    assert [code for code, _name in settings.LANGUAGES] == ["vi", "en"]


def test_vietnamese_number_and_date_formats():
    from datetime import date
    from decimal import Decimal

    from django.utils import formats, translation

    with translation.override("vi"):
        assert formats.number_format(1234567, use_l10n=True, force_grouping=True) == "1.234.567"
        assert formats.number_format(Decimal("283.75"), decimal_pos=2, use_l10n=True) == "283,75"
        assert formats.date_format(date(2024, 2, 5), "SHORT_DATE_FORMAT") == "05/02/2024"
    with translation.override("en"):
        assert formats.number_format(1234567, use_l10n=True, force_grouping=True) == "1,234,567"
