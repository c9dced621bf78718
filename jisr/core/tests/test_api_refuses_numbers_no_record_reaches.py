"""Issue 14's long API fuzzing run (schemathesis, 100 examples an operation) found numbers past
what a database holds answered with 500: an offset or limit of 2**63 on the paged lists, a
person id of 2**63 on the case list (SQLite cannot bind it, PostgreSQL's bigint overflows); and a
body of `null` searched as if it were empty. Each is now refused in the caller's language."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from jisr.conftest import client_for

PAST = str(2**63)


@pytest.mark.parametrize(
    ("who", "url"),
    [
        ("admin", f"/api/v1/organisations?limit=1&offset={PAST}"),
        ("admin", f"/api/v1/users?limit=1&offset={PAST}"),
        ("admin", f"/api/v1/audit/entries?limit={PAST}"),
        ("admin", f"/api/v1/audit/entries?offset={PAST}"),
        ("alice", f"/api/v1/persons?offset={PAST}"),
        ("alice", f"/api/v1/cases?person_id={PAST}"),
        ("alice", "/api/v1/cases?person_id=0"),
        (None, f"/api/v1/services?offset={PAST}"),
        ("admin", "/api/v1/organisations?limit=100000"),
    ],
)
def test_numbers_no_record_reaches_are_refused_not_queried(people, who, url):
    client = client_for(people[who]) if who else Client()
    response = client.get(url, headers={"accept-language": "en"})
    assert response.status_code == 422, response.content
    assert response.json()["error"]["code"] == "invalid"
    assert response.json()["error"]["message"] == "Some fields need correcting."


@pytest.mark.parametrize(
    ("who", "url"),
    [
        ("admin", "/api/v1/organisations?limit=1&offset=1"),
        ("admin", "/api/v1/audit/entries?limit=1000&offset=2147483647"),
        ("alice", "/api/v1/cases?person_id=9223372036854775807"),
    ],
)
def test_numbers_a_database_holds_are_answered(people, who, url):
    assert client_for(people[who]).get(url).status_code == 200


@pytest.mark.parametrize("body", ["null", "[]", '"name"', "5"])
def test_a_body_that_is_not_an_object_is_refused_in_the_callers_language(people, body):
    client = client_for(people["alice"])
    english = client.post(
        "/api/v1/persons/search",
        data=body,
        content_type="application/json",
        headers={"accept-language": "en"},
    )
    assert english.status_code == 400
    assert english.json() == {
        "error": {
            "code": "malformed",
            "message": "The request could not be read: send a JSON object.",
            "fields": {},
        }
    }
    arabic = client.post("/api/v1/persons/search", data=body, content_type="application/json")
    assert arabic.json()["error"]["message"] == "تعذّرت قراءة الطلب: أرسل كائن JSON."
    found = client.post(
        "/api/v1/persons/search", data=json.dumps({}), content_type="application/json"
    )
    assert found.status_code == 200
