"""Everything the logs receive during representative journeys (searches on the pages and the
API, failed sign-ins, a failing database write quoting its row, a crash whose message quotes a
person) is scanned for the fixtures' names, phones, e-mail and identity numbers: none may be
there, in the text format of development nor in production's JSON lines."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.urls import path

from jisr import urls
from jisr.accounts.decorators import public
from jisr.conftest import PASSWORD, client_for, person_search_url, register_person
from jisr.lib.logs import JsonFormatter

NAME, FAMILY = "زينب", "الموسوي"
PHONE = "+9647709998877"
NATIONAL_ID = "B7654321"
EMAIL = "zainab.personal@example.net"
SECRETS = [NAME, FAMILY, PHONE, PHONE.removeprefix("+964"), "07709998877", NATIONAL_ID, EMAIL]


@public
def _crash_quoting_a_person(request):
    raise ValueError(f"could not match '{NAME} {FAMILY}' with {PHONE} or {EMAIL}")


@public
def _write_refused_by_the_database(request):
    # A NOT NULL column left empty on a row full of personal values: PostgreSQL's DETAIL quotes
    # the whole failing row ("Failing row contains (..., زينب, ..., +9647709998877, ...)").
    table = connection.ops.quote_name("registry_person")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (first_name, family_name, phone, email, status) "  # noqa: S608
            "VALUES (%s, %s, %s, %s, NULL)",
            [NAME, FAMILY, PHONE, EMAIL],
        )


_urls = type(
    "urls",
    (),
    {
        "urlpatterns": [
            *urls.urlpatterns,
            path("crash/", _crash_quoting_a_person),
            path("refused/", _write_refused_by_the_database),
        ],
        "handler500": urls.handler500,
    },
)


@pytest.fixture(params=["text", "json"])
def log_output(request: pytest.FixtureRequest) -> Iterator[tuple[str, io.StringIO]]:
    """What the configured handlers (settings LOGGING, their filters included) write, in the
    development text format and in production's JSON."""
    output = io.StringIO()
    handlers = [h for h in logging.getLogger().handlers if isinstance(h, logging.StreamHandler)]
    handlers = [h for h in handlers if h.filters]  # the project's own, not pytest's
    assert handlers, "settings LOGGING has no filtered console handler"
    saved = [(h, h.stream, h.formatter) for h in handlers]
    for handler in handlers:
        # Set, not setStream(): that flushes the old stream, which an earlier test's captured
        # output may have closed.
        handler.stream = output
        if request.param == "json":
            handler.setFormatter(JsonFormatter())
    yield request.param, output
    for handler, stream, formatter in saved:
        handler.stream = stream
        handler.setFormatter(formatter)


@override_settings(DEBUG=False, ROOT_URLCONF=_urls)
def test_journeys_leave_no_personal_value_in_the_logs(people, log_output):
    alice = people["alice"]
    register_person(
        alice,
        first_name=NAME,
        family_name=FAMILY,
        phone=PHONE,
        email=EMAIL,
        national_id=NATIONAL_ID,
    )
    logging.getLogger("django.request").setLevel(logging.INFO)  # every request's warnings too
    caseworker = client_for(alice)
    caseworker.raise_request_exception = False

    # Searches by name, phone and identity number: on the page (as HTMX does), and the API.
    for typed in (NAME, "07709998877", NATIONAL_ID):
        url = person_search_url(caseworker, typed)
        assert typed not in url
        assert caseworker.get(url).status_code == 200
        rows = caseworker.post("/registry/persons/", {"q": typed}, headers={"HX-Request": "true"})
        assert typed not in rows["HX-Push-Url"]
        found = caseworker.post(
            "/api/v1/persons/search", {"q": typed}, content_type="application/json"
        )
        assert found.status_code == 200
        assert found.json()["count"] == 1
    # A search in a URL, as an old bookmark would have it, reaches no list either.
    assert caseworker.get("/registry/persons/", {"q": NAME}).status_code == 200
    assert caseworker.get("/api/v1/persons", {"q": PHONE}).status_code == 200

    # Failed sign-ins, by e-mail and by phone, and a form posted without its CSRF token.
    for username in (EMAIL, PHONE, "07709998877"):
        Client().post("/accounts/sign-in/", {"username": username, "password": "wrong"})
    Client(enforce_csrf_checks=True).post("/accounts/sign-in/", {"username": EMAIL})
    Client().post(
        "/api/v1/persons/search",
        {"q": NAME},
        content_type="application/json",
        headers={"authorization": f"Bearer jisr_0123456789_{NATIONAL_ID}"},
    )
    assert Client().post("/accounts/sign-in/", {"username": "x", "password": PASSWORD})

    # A crash whose message quotes a person, and a write the database refuses, quoting its row.
    assert caseworker.get("/crash/").status_code == 500
    assert caseworker.get("/refused/").status_code == 500

    log_format, output = log_output
    logged = output.getvalue()
    assert "Internal Server Error: /crash/" in logged
    assert "IntegrityError" in logged  # the failure is there, its values are not
    for secret in SECRETS:
        assert secret not in logged, secret
        assert json.dumps(secret)[1:-1] not in logged, secret  # nor escaped in JSON
    if log_format == "json":  # one object a line, for the log collector
        assert all(json.loads(line) for line in logged.splitlines())
