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
from django.test import override_settings

from jisr.conftest import client_for
from jisr.core.checks import _statement_timeout_problems, check_production_settings

_SETTINGS = """
import importlib, json, os, sys
if sys.argv[1] == "wsgi":
    import jisr.wsgi  # what gunicorn loads
    from django.conf import settings
    print(json.dumps([settings.DATABASES["default"]["OPTIONS"]["options"]]))
    sys.exit()
# The settings module read again under each environment, as a new process would.
import jisr.settings
answers = []
for env in json.loads(sys.argv[1]):
    saved = dict(os.environ)
    os.environ.update(env)
    answers.append(importlib.reload(jisr.settings).DATABASES["default"]["OPTIONS"]["options"])
    os.environ.clear()
    os.environ.update(saved)
print(json.dumps(answers))
"""

_PRODUCTION = {
    "JISR_ENV": "production",
    "SECRET_KEY": "x" * 50,
    "ALLOWED_HOSTS": "jisr.example",
    "SITE_URL": "https://jisr.example",
    "JISR_ENCRYPTION_KEYS": "Yk2d7tYQq0a8lJ2c3H6cXxCk0C9y9f4pJ0mY1vQe3ZI=",
    "JISR_AUDIT_KEY": "k" * 43,
    # Never connected to: only the connection's options are read.
    "DATABASE_URL": "postgres://jisr_web:secret@127.0.0.1:1/jisr",
}


def _options(tmp_path: Any, argument: str) -> list[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("JISR_")}
    environ.pop("DATABASE_URL", None)
    result = subprocess.run(  # noqa: S603  (this interpreter, our own code)
        [sys.executable, "-c", _SETTINGS, argument],
        env={
            **environ,
            "DJANGO_SETTINGS_MODULE": "jisr.settings",
            "JISR_VAR_DIR": str(tmp_path),
            **_PRODUCTION,
        },
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def test_the_web_stops_statements_before_gunicorn_and_commands_do_not(tmp_path):
    # gunicorn's entry point marks its process as the web.
    assert _options(tmp_path, "wsgi") == ["-c statement_timeout=25000"]
    cases = [
        ({}, "-c statement_timeout=0"),
        ({"JISR_PROCESS": "web"}, "-c statement_timeout=25000"),
        # Both follow gunicorn's timeout and their own settings.
        ({"JISR_PROCESS": "web", "JISR_WEB_TIMEOUT_SECONDS": "60"}, "-c statement_timeout=50000"),
        ({"JISR_DB_COMMAND_STATEMENT_TIMEOUT_MS": "3600000"}, "-c statement_timeout=3600000"),
        # Options given in DATABASE_URL are kept.
        (
            {
                "JISR_PROCESS": "web",
                "DATABASE_URL": _PRODUCTION["DATABASE_URL"] + "?options=-c%20work_mem%3D8MB",
            },
            "-c work_mem=8MB -c statement_timeout=25000",
        ),
    ]
    answers = _options(tmp_path, json.dumps([env for env, _expected in cases]))
    assert answers == [expected for _env, expected in cases]


@pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")
@pytest.mark.parametrize(
    ("statement_ms", "web_seconds", "warned"),
    [(0, 30, True), (30_000, 30, True), (25_000, 30, False), (50_000, 60, False)],
)
def test_deploy_check_warns_when_the_web_timeout_is_off_or_not_under_gunicorns(
    statement_ms, web_seconds, warned
):
    on_postgresql = {"default": {"ENGINE": "django.db.backends.postgresql"}}
    with override_settings(
        PRODUCTION=True,
        DATABASES=on_postgresql,
        JISR_DB_STATEMENT_TIMEOUT_MS=statement_ms,
        JISR_WEB_TIMEOUT_SECONDS=web_seconds,
    ):
        ids = [problem.id for problem in _statement_timeout_problems()]
        everything = [m.id for m in check_production_settings(None)]
    assert (ids == ["jisr.W004"]) is warned
    assert ("jisr.W004" in everything) is warned


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
