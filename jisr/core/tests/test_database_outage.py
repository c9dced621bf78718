"""The database unreachable during a request: a clean, translated 503 (a page, or the API's JSON
error) that asks the client to retry, and service back by itself once the database is."""

from __future__ import annotations

from typing import Any

from django.db import OperationalError, connection
from django.utils import translation
from django.utils.translation import gettext

from jisr.conftest import client_for

# What the test's own transaction needs to roll back the request's savepoint still runs.
_SAVEPOINTS = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")


def _unreachable(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
    if sql.lstrip().upper().startswith(_SAVEPOINTS):
        return execute(sql, params, many, context)
    raise OperationalError(
        'connection to server at "127.0.0.1", port 5432 failed: Connection refused'
    )


def test_a_page_says_the_database_is_unreachable_in_the_readers_language_then_recovers(people):
    client = client_for(people["alice"])
    client.raise_request_exception = False
    with connection.execute_wrapper(_unreachable):
        english = client.get("/registry/persons/", headers={"accept-language": "en"})
        arabic = client.get("/registry/persons/", headers={"accept-language": "ar"})
    assert english.status_code == 503
    assert english["Retry-After"] == "30"
    assert b"The database cannot be reached" in english.content
    assert arabic.status_code == 503
    assert b'lang="ar" dir="rtl"' in arabic.content
    with translation.override("ar"):
        assert gettext("Jisr is unavailable for a moment") in arabic.content.decode()
    assert client.get("/registry/persons/").status_code == 200


def test_the_api_answers_503_in_its_error_shape_then_recovers(people):
    client = client_for(None)
    client.raise_request_exception = False
    with connection.execute_wrapper(_unreachable):
        down = client.get("/api/v1/places/governorates", headers={"accept-language": "en"})
    assert down.status_code == 503
    assert down["Retry-After"] == "30"
    assert down.json() == {
        "error": {
            "code": "unavailable",
            "message": "The database cannot be reached. Try again in a minute.",
            "fields": {},
        }
    }
    assert client.get("/api/v1/places/governorates").status_code == 200
