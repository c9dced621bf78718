"""Schemathesis sends every operation of /api/v1/openapi.json data that fits its schema and data
that breaks it, as every kind of caller, and checks each answer against the document: no 5xx,
every status and body declared, what breaks the schema refused, what fits it accepted.

The run among the slow tests is bounded (3 examples per operation, mode and caller); the long
run is `JISR_API_FUZZ_EXAMPLES=100 pytest -m slow <this file>` (README, "Run the tests").
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.core.failures import FailureGroup
from schemathesis.core.result import Ok

from jisr.accounts.roles import API_KEY_PERMISSIONS, Scope, Sensitivity
from jisr.accounts.services import api_key_create

EXAMPLES = int(os.environ.get("JISR_API_FUZZ_EXAMPLES", "3"))
# Anonymous, a signed-in session of each kind of user (with its CSRF token), and a ministry
# system's API key.
CALLERS = ["anonymous", "alice", "admin", "carol-key", "employer", "charlie", "person"]


def _headers(people: dict[str, Any], caller: str) -> dict[str, str]:
    if caller == "anonymous":
        return {}
    if caller == "carol-key":
        carol = people["carol"]
        _key, token = api_key_create(
            by=carol,
            name="Fuzzing",
            permissions=frozenset(p for p in API_KEY_PERMISSIONS if carol.can(p)),
            scope=Scope.ORGANISATION,
            clearance=Sensitivity.SENSITIVE,
            expires_on=timezone.localdate() + dt.timedelta(days=30),
        )
        return {"Authorization": f"Bearer {token}"}
    client = Client()
    client.force_login(people[caller])
    csrf = _get_new_csrf_string()
    session = client.cookies["sessionid"].value
    return {"Cookie": f"sessionid={session}; csrftoken={csrf}", "X-CSRFToken": csrf}


@pytest.fixture
def _connection_kept() -> Any:
    """Schemathesis calls the WSGI application directly, whose request signals would close the
    test's database connection in the middle of its transaction (PostgreSQL); Django's own test
    client keeps it open the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


# About a minute a caller on two shared cores: with the slow tests (CI runs them).
@pytest.mark.slow
@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.usefixtures("_connection_kept")
def test_every_operation_answers_within_its_schema(caller, people, basra_person):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    # NUL characters are refused by design, in any field (400, RejectNullCharactersMiddleware:
    # PostgreSQL cannot store them); test_errors.py proves it.
    schema.config.generation.update(allow_x00=False)
    # Data that fits the schema may still break a rule across fields or against the records (a
    # name in at least one language, a code that must exist, a state that forbids the change):
    # JSON Schema cannot say those, and their refusals are declared (400, 409, 422). What
    # breaks the schema itself must still be refused, and nothing may answer 5xx.
    schema.config.checks.positive_data_acceptance.expected_statuses = [
        "2xx", "400", "401", "403", "404", "409", "422", "429",
    ]  # fmt: skip
    headers = _headers(people, caller)
    failures: list[str] = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
                derandomize=True,
            )
            def call(case: Any) -> None:
                try:
                    case.call_and_validate(headers=headers)
                except FailureGroup as group:  # the report names each failure and the call
                    raise AssertionError(group.message) from None

            try:
                call()
            except Unsatisfiable:  # nothing in the operation can break its schema
                continue
            # Every operation's failures, not only the first (several come as a group).
            except AssertionError as error:
                failures.append(f"{operation.label} [{mode.value}] {error}")
    assert not failures, "\n\n".join(failures)
