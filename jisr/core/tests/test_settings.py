from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.checks import run_checks
from django.test import override_settings

from jisr.lib.env import ConfigurationError, env_bool, env_choice, env_int, env_list


def test_typed_environment_readers_reject_bad_values(monkeypatch):
    monkeypatch.setenv("X_BOOL", "ture")
    with pytest.raises(ConfigurationError, match="X_BOOL"):
        env_bool("X_BOOL", False)
    monkeypatch.setenv("X_INT", "80OO")
    with pytest.raises(ConfigurationError, match="X_INT"):
        env_int("X_INT", 1)
    monkeypatch.setenv("X_INT", "0")
    with pytest.raises(ConfigurationError, match="at least 1"):
        env_int("X_INT", 1, minimum=1)
    monkeypatch.setenv("X_CHOICE", "mysql")
    with pytest.raises(ConfigurationError, match="X_CHOICE"):
        env_choice("X_CHOICE", "a", ["a", "b"])
    monkeypatch.setenv("X_LIST", " a, b ,,c")
    assert env_list("X_LIST", []) == ["a", "b", "c"]
    monkeypatch.setenv("X_BOOL", "Yes")
    assert env_bool("X_BOOL", False) is True


def _start(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "import django; from django.conf import settings; django.setup()"],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "jisr.settings", **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_refuses_to_start_without_its_secrets(tmp_path):
    result = _start({"JISR_ENV": "production", "SECRET_KEY": "", "JISR_VAR_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
    result = _start(
        {
            "JISR_ENV": "production",
            "SECRET_KEY": "x" * 50,
            "ALLOWED_HOSTS": "",
            "JISR_VAR_DIR": str(tmp_path),
        }
    )
    assert "ALLOWED_HOSTS must be set" in result.stderr
    complete = {
        "JISR_ENV": "production", "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "jisr.example",
        "SITE_URL": "https://jisr.example", "JISR_VAR_DIR": str(tmp_path),
    }  # fmt: skip
    result = _start({**complete, "JISR_ENCRYPTION_KEYS": ""})
    assert "JISR_ENCRYPTION_KEYS must be set" in result.stderr
    result = _start({**complete, "JISR_ENCRYPTION_KEYS": "not-a-key"})
    assert "must be Fernet keys" in result.stderr
    complete["JISR_ENCRYPTION_KEYS"] = "Yk2d7tYQq0a8lJ2c3H6cXxCk0C9y9f4pJ0mY1vQe3ZI="
    result = _start(complete)
    assert "JISR_AUDIT_KEY must be set in production" in result.stderr
    result = _start({**complete, "JISR_AUDIT_KEY": "too short"})
    assert "JISR_AUDIT_KEY must be set in production" in result.stderr
    result = _start({**complete, "JISR_AUDIT_KEY": "k" * 43})
    assert result.returncode == 0, result.stderr
    result = _start({"JISR_ENV": "staging", "JISR_VAR_DIR": str(tmp_path)})
    assert "JISR_ENV must be one of" in result.stderr


@override_settings(PRODUCTION=True, DEBUG=True, JISR_REQUIRE_2FA=False, JISR_TASKS="immediate")
def test_deploy_checks_report_unsafe_production_settings():
    ids = {message.id for message in run_checks(include_deployment_checks=True)}
    assert {"jisr.E001", "jisr.E002", "jisr.W002"} <= ids
    on_sqlite = settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")
    assert ("jisr.W001" in ids) == on_sqlite


def test_development_checks_are_clean():
    assert [m for m in run_checks() if (m.id or "").startswith("jisr.")] == []


@override_settings(PRODUCTION=True, JISR_TRUSTED_PROXY_COUNT=0)
def test_deploy_checks_warn_when_the_proxy_in_front_is_not_counted():
    ids = {message.id for message in run_checks(include_deployment_checks=True)}
    assert "jisr.W003" in ids
    with override_settings(JISR_TRUSTED_PROXY_COUNT=1):
        ids = {message.id for message in run_checks(include_deployment_checks=True)}
        assert "jisr.W003" not in ids
