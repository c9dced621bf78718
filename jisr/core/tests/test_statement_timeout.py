"""The web's statement timeout (decision 0036): the web's PostgreSQL connections stop a statement
before gunicorn kills the worker waiting on it, the worker and the commands do not, a statement
stopped so answers a clean translated 503, and `check --deploy` warns when the limit is off or not
under gunicorn's timeout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest
from django.db import connection

from jisr.conftest import client_for

_SETTINGS = """
import json, os, sys
if sys.argv[1] == "web":
    import jisr.wsgi  # what gunicorn loads
else:
    import django
    django.setup()
from django.conf import settings
from django.core.checks import run_checks
print(json.dumps({
    "options": settings.DATABASES["default"].get("OPTIONS", {}),
    "checks": [m.id for m in run_checks(include_deployment_checks=True)],
}))
"""

_PRODUCTION = {
    "JISR_ENV": "production",
    "SECRET_KEY": "x" * 50,
    "ALLOWED_HOSTS": "jisr.example",
    "SITE_URL": "https://jisr.example",
    "JISR_ENCRYPTION_KEYS": "Yk2d7tYQq0a8lJ2c3H6cXxCk0C9y9f4pJ0mY1vQe3ZI=",
    "JISR_AUDIT_KEY": "k" * 43,
    # Never connected to: the settings and the checks that need no database.
    "DATABASE_URL": "postgres://jisr_web:secret@127.0.0.1:1/jisr",
}


def _settings_of(process: str, tmp_path: Any, **env: str) -> dict[str, Any]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("JISR_")}
    environ.pop("DATABASE_URL", None)
    result = subprocess.run(  # noqa: S603  (this interpreter, our own code)
        [sys.executable, "-c", _SETTINGS, process],
        env={
            **environ,
            "DJANGO_SETTINGS_MODULE": "jisr.settings",
            "JISR_VAR_DIR": str(tmp_path),
            **_PRODUCTION,
            **env,
        },
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def test_the_web_stops_statements_before_gunicorn_and_commands_do_not(tmp_path):
    web = _settings_of("web", tmp_path)
    assert web["options"]["options"] == "-c statement_timeout=25000"
    command = _settings_of("command", tmp_path)
    assert command["options"]["options"] == "-c statement_timeout=0"
    assert "jisr.W004" not in command["checks"]
    # Both follow gunicorn's timeout and their own settings.
    web = _settings_of("web", tmp_path, JISR_WEB_TIMEOUT_SECONDS="60")
    assert web["options"]["options"] == "-c statement_timeout=50000"
    command = _settings_of("command", tmp_path, JISR_DB_COMMAND_STATEMENT_TIMEOUT_MS="3600000")
    assert command["options"]["options"] == "-c statement_timeout=3600000"
    # Options given in DATABASE_URL are kept.
    web = _settings_of(
        "web", tmp_path, DATABASE_URL=_PRODUCTION["DATABASE_URL"] + "?options=-c%20work_mem%3D8MB"
    )
    assert web["options"]["options"] == "-c work_mem=8MB -c statement_timeout=25000"


def test_deploy_check_warns_when_the_web_timeout_is_off_or_not_under_gunicorns(tmp_path):
    off = _settings_of("command", tmp_path, JISR_DB_STATEMENT_TIMEOUT_MS="0")
    assert "jisr.W004" in off["checks"]
    too_long = _settings_of("command", tmp_path, JISR_DB_STATEMENT_TIMEOUT_MS="30000")
    assert "jisr.W004" in too_long["checks"]
    under = _settings_of(
        "command", tmp_path, JISR_DB_STATEMENT_TIMEOUT_MS="50000", JISR_WEB_TIMEOUT_SECONDS="60"
    )
    assert "jisr.W004" not in under["checks"]


on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="statement_timeout is PostgreSQL's"
)


def _slow(table: str) -> Any:
    """A wrapper under which each statement on `table` first sleeps past the limit, as a slow
    query would run (inside the view's transaction, which the request then rolls back)."""

    def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if table in sql:
            execute("SELECT pg_sleep(1)", None, False, context)
        return execute(sql, params, many, context)

    return wrapper


def _limit_statements_to(milliseconds: int) -> None:
    # The test's own connection stands for a web one (its transaction is rolled back after).
    with connection.cursor() as cursor:
        cursor.execute(f"SET statement_timeout = {milliseconds}")


@on_postgresql
@pytest.mark.django_db
def test_a_page_whose_query_passes_the_limit_answers_a_clean_translated_503(people):
    client = client_for(people["alice"])
    client.raise_request_exception = False
    client.get("/registry/persons/")  # the session and user read before the limit
    _limit_statements_to(100)
    with connection.execute_wrapper(_slow("registry_person")):
        page = client.get("/registry/persons/", headers={"accept-language": "en"})
    assert page.status_code == 503
    assert page["Retry-After"] == "30"
    assert b"This took too long and was stopped" in page.content
    assert b"Traceback" not in page.content
    _limit_statements_to(0)
    assert client.get("/registry/persons/").status_code == 200


@on_postgresql
@pytest.mark.django_db
def test_the_api_answers_503_timeout_in_its_error_shape(people):
    client = client_for(None)
    client.raise_request_exception = False
    _limit_statements_to(100)
    with connection.execute_wrapper(_slow("places_")):
        answer = client.get("/api/v1/places/governorates", headers={"accept-language": "en"})
    assert answer.status_code == 503
    assert answer["Retry-After"] == "30"
    assert answer.json()["error"]["code"] == "timeout"
    assert answer.json()["error"]["message"].startswith("This took too long and was stopped.")
    _limit_statements_to(0)
    assert client.get("/api/v1/places/governorates").status_code == 200


@on_postgresql
def test_a_web_connection_really_stops_a_statement_at_its_limit(tmp_path, django_db_setup):
    """The connection options as the settings build them, on a real connection of the web's."""
    script = """
import time
import jisr.wsgi
from django.db import OperationalError, connection
from jisr.core.errors import query_timed_out
with connection.cursor() as cursor:
    cursor.execute("SHOW statement_timeout")
    print(cursor.fetchone()[0])
    started = time.monotonic()
    try:
        cursor.execute("SELECT pg_sleep(5)")
    except OperationalError as error:
        print(query_timed_out(error), round(time.monotonic() - started, 1) < 2)
"""
    environ = {k: v for k, v in os.environ.items() if k != "JISR_PROCESS"}
    result = subprocess.run(  # noqa: S603  (this interpreter, our own code)
        [sys.executable, "-c", script],
        env={
            **environ,
            "DJANGO_SETTINGS_MODULE": "jisr.settings",
            "JISR_VAR_DIR": str(tmp_path),
            "JISR_DB_STATEMENT_TIMEOUT_MS": "300",
            "DATABASE_URL": "postgres://{USER}@{HOST}:{PORT}/{NAME}".format(
                **connection.settings_dict
            ),
        },
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["300ms", "True", "True"]
