"""The persons API takes what it is sent and nothing else: a change touches only the fields sent,
malformed answers are refused with reasons, and staff never record a consent as given online."""

from __future__ import annotations

import json

from jisr.conftest import client_for, register_person


def test_patch_changes_only_what_is_sent(people):
    person = register_person(
        people["alice"], mother_name="فاطمة", phone="+9647701112222", national_id="A1"
    )
    response = client_for(people["alice"]).patch(
        f"/api/v1/persons/{person.pk}",
        data=json.dumps({"city": "Baghdad al-Jadida"}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    person.refresh_from_db()
    assert (person.mother_name, person.phone, person.national_id) == (
        "فاطمة",
        "+9647701112222",
        "A1",
    )


def test_malformed_answers_are_refused_not_crashed(people):
    person = register_person(people["alice"])
    client = client_for(people["alice"])
    for body in (
        {"languages": [["ar"]]},
        {"dependants": 1e308 * 10},
        {"occupation": {"a": 1}},
        {"education_level": ["x"]},
    ):
        response = client.put(
            f"/api/v1/persons/{person.pk}/answers",
            data=json.dumps(body),
            content_type="application/json",
        )
        assert response.status_code in (400, 422), body


def test_staff_cannot_record_consent_as_given_online(people, basra_person):
    response = client_for(people["bob"]).post(
        f"/api/v1/persons/{basra_person.pk}/consents",
        data=json.dumps({"purpose": "research", "status": "withdrawn", "channel": "online"}),
        content_type="application/json",
    )
    assert response.status_code == 422
