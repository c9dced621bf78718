"""A real PostgreSQL connection ended by the server (pg_terminate_backend: what a restart or a
failover does to it), during a request and between two: the request in hand answers the clean,
translated 503, and the next one succeeds in the same process, with no restart. Requests go
through Django's own WSGI handler, which (unlike the test client) recycles connections at the
start and end of each request as gunicorn's workers do. PostgreSQL only."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.test import RequestFactory

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL backend is killed"),
    # Serialised: the flush at its end then leaves the next tests' reference data to be restored
    # (without it, a later test that restores it found content types already there).
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _get(path: str) -> tuple[int, bytes]:
    # The environ a WSGI server hands Django, from the test client's own builder.
    environ = RequestFactory().get(path, headers={"accept-language": "en"}).environ
    statuses: list[str] = []

    def start_response(status: str, headers: Any, *exc_info: Any) -> Any:
        statuses.append(status)
        return None

    response: Any = WSGIHandler()(environ, start_response)
    try:
        body = b"".join(response)
    finally:
        response.close()  # request_finished: the connection is kept, or closed if unusable
    return int(statuses[0].split()[0]), body


def _terminate(pid: int) -> None:
    import psycopg

    settings = connection.settings_dict
    with psycopg.connect(
        host=settings["HOST"],
        port=settings["PORT"] or 5432,
        user=settings["USER"],
        password=settings["PASSWORD"],
        dbname=settings["NAME"],
        autocommit=True,
    ) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])


@pytest.fixture
def kept_connections() -> Iterator[None]:
    """Connections kept between requests, as production's DATABASE_CONN_MAX_AGE does."""
    saved = dict(connection.settings_dict)
    connection.settings_dict["CONN_MAX_AGE"] = 60
    connection.close()
    yield
    connection.settings_dict.clear()
    connection.settings_dict.update(saved)
    connection.close()


def _killed_at_first_query(execute: Any, sql: str, *args: Any) -> Any:
    if not sql.startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
        _terminate(connection.connection.info.backend_pid)
    return execute(sql, *args)


def test_a_connection_ended_during_a_request_answers_503_and_the_next_request_succeeds(
    kept_connections,
):
    assert _get("/api/v1/places/governorates")[0] == 200
    with connection.execute_wrapper(_killed_at_first_query):
        status, body = _get("/api/v1/places/governorates")
    assert status == 503
    assert b'"code": "unavailable"' in body
    assert _get("/api/v1/places/governorates")[0] == 200

    assert _get("/services/")[0] == 200
    with connection.execute_wrapper(_killed_at_first_query):
        status, page = _get("/services/")
    assert status == 503
    assert b"The database cannot be reached" in page
    assert b"Traceback" not in page
    assert _get("/services/")[0] == 200


def test_a_kept_connection_ended_between_requests_is_replaced_before_the_next_one(
    kept_connections,
):
    assert _get("/api/v1/places/governorates")[0] == 200
    pid = connection.connection.info.backend_pid
    _terminate(pid)
    # CONN_HEALTH_CHECKS: the dead connection is found before the request uses it.
    assert _get("/api/v1/places/governorates")[0] == 200
    assert connection.connection.info.backend_pid != pid
