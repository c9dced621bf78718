from __future__ import annotations

import json

from django.test import Client
from openapi_spec_validator import validate

from jisr.accounts.models import Organisation, User
from jisr.audit.models import Action, AuditEntry
from jisr.conftest import client_for


def test_openapi_document_is_valid_openapi_3(db):
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    validate(document)
    assert Client().get("/api/v1/docs").status_code == 200


def test_me_describes_the_caller(people):
    body = client_for(people["alice"]).get("/api/v1/me").json()
    assert body["email"] == "alice@example.org"
    assert body["roles"] == [{"role": "caseworker", "scope": 30}]
    assert "organisation.view" in body["permissions"]
    assert "user.manage" not in body["permissions"]


def test_errors_have_one_shape_and_speak_the_callers_language(people):
    anonymous = Client(headers={"accept-language": "en"}).get("/api/v1/organisations")
    assert anonymous.status_code == 401
    assert anonymous.json() == {
        "error": {"code": "not_signed_in", "message": "Sign in first.", "fields": {}}
    }
    forbidden = client_for(people["alice"]).get("/api/v1/users", headers={"accept-language": "ar"})
    assert forbidden.status_code == 403
    assert forbidden.json()["error"]["code"] == "forbidden"
    assert forbidden.json()["error"]["message"] == "ليست لديك صلاحية للقيام بهذا الإجراء."
    missing = client_for(people["admin"]).get("/api/v1/organisations/999999")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"


def test_administrator_creates_an_organisation_and_an_account_through_the_api(people, orgs):
    client = client_for(people["admin"])
    response = client.post(
        "/api/v1/organisations",
        data=json.dumps(
            {
                "name_ar": "منظمة الرافدين",
                "name_en": "Rafidain NGO",
                "kind": "ngo",
                "governorate": "IQ-BA",
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    organisation = Organisation.objects.get(pk=response.json()["id"])
    assert organisation.governorate is not None
    assert organisation.governorate.code == "IQ-BA"

    response = client.post(
        "/api/v1/users",
        data=json.dumps(
            {
                "full_name": "سارة حسن علي",
                "email": "sara@example.org",
                "phone": "07711112222",
                "organisation_id": organisation.pk,
                "password": "a-long-first-password",
                "roles": [{"role": "provider_staff", "scope": 20}],
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    sara = User.objects.get(email="sara@example.org")
    assert sara.phone == "+9647711112222"
    assert AuditEntry.objects.filter(action=Action.CREATE, object_id=str(sara.pk)).exists()

    response = client.patch(
        f"/api/v1/users/{sara.pk}",
        data=json.dumps({"is_active": False}),
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["is_active"] is False


def test_invalid_input_is_refused_field_by_field_and_nothing_is_written(people, orgs):
    client = client_for(people["admin"])
    before = Organisation.objects.count()
    response = client.post(
        "/api/v1/organisations",
        data=json.dumps({"name_ar": "", "kind": "spaceship", "governorate": "IQ-XX"}),
        content_type="application/json",
        headers={"accept-language": "en"},
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert set(error["fields"]) >= {"name_ar", "kind"}
    response = client.post(
        "/api/v1/users",
        data=json.dumps({"full_name": "X", "phone": "12", "organisation_id": orgs["ngo"].pk}),
        content_type="application/json",
        headers={"accept-language": "en"},
    )
    assert response.status_code == 422
    assert "valid phone number" in response.json()["error"]["fields"]["phone"][0]
    response = client.post(
        "/api/v1/organisations", data="{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "malformed"
    assert Organisation.objects.count() == before


def test_api_writes_need_the_csrf_token_of_the_session(people):
    client = Client(enforce_csrf_checks=True)
    client.force_login(people["admin"])
    response = client.post(
        "/api/v1/organisations",
        data=json.dumps({"name_ar": "x", "kind": "ngo"}),
        content_type="application/json",
    )
    assert response.status_code in (401, 403)


def test_list_endpoints_are_paginated(people):
    body = client_for(people["admin"]).get("/api/v1/users?limit=2&offset=0").json()
    assert body["count"] == len(people)
    assert len(body["items"]) == 2


def test_a_location_that_is_not_a_uuid_is_refused_field_by_field(people):
    response = client_for(people["charlie"]).post(
        "/api/v1/catalogue/services",
        data=json.dumps({"categories": ["legal-aid"], "name_en": "Aid", "locations": [""]}),
        content_type="application/json",
    )
    assert response.status_code == 422, response.content
    assert "locations.0" in response.json()["error"]["fields"]


def test_a_session_without_its_csrf_token_is_told_so(people):
    client = Client(enforce_csrf_checks=True, headers={"accept-language": "en"})
    client.force_login(people["admin"])
    response = client.post(
        "/api/v1/organisations",
        data=json.dumps({"name_ar": "x", "kind": "ngo"}),
        content_type="application/json",
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "csrf_failed"
    assert "security token" in response.json()["error"]["message"]


def test_the_openapi_document_declares_every_error_in_the_one_shape(db):
    document = Client().get("/api/v1/openapi.json").json()
    error = {"$ref": "#/components/schemas/Error"}
    assert set(document["components"]["schemas"]["Error"]["properties"]) == {"error"}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            statuses = operation["responses"]
            expected = {"400", "404", "409", "429", "503"}
            if operation.get("security"):
                expected |= {"401", "403"}
            if operation.get("parameters") or operation.get("requestBody"):
                expected.add("422")
            assert expected <= set(statuses), (method, path, sorted(statuses))
            for status in expected:
                assert statuses[status]["content"]["application/json"]["schema"] == error
