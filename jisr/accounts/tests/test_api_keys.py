"""API keys for ministry systems (issue 12): made in the browser, shown once, hashed at rest,
never beyond their maker, and dead the moment they are revoked, expire or lose their maker."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from jisr.accounts.models import ApiKey, RoleGrant
from jisr.accounts.roles import Role, Scope, Sensitivity
from jisr.conftest import client_for, make_user


def _made_in_browser(user: Any, **fields: Any) -> str:
    """A key made on the page, as an administrator would; returns the key shown once."""
    client = client_for(user)
    data = {
        "name": "Jobseekers system",
        "permissions": ["person.view"],
        "scope": Scope.ORGANISATION,
        "clearance": Sensitivity.PERSONAL,
        "expires_on": (timezone.localdate() + dt.timedelta(days=30)).isoformat(),
        **fields,
    }
    response = client.post("/accounts/api-keys/new/", data)
    assert response.status_code == 200, response.content.decode()[:2000]
    assert "no-store" in response["Cache-Control"]
    found = re.search(r"jisr_[0-9a-f]{10}_[A-Za-z0-9_-]+", response.content.decode())
    assert found, "the new key is shown on the page"
    return found.group(0)


def _as_key(token: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}", enforce_csrf_checks=True)


def test_a_key_made_in_the_browser_reads_persons_until_it_is_revoked(people, basra_person):
    carol = people["carol"]
    token = _made_in_browser(carol)
    system = _as_key(token)
    response = system.get("/api/v1/persons")
    assert response.status_code == 200
    assert [p["id"] for p in response.json()["items"]] == [basra_person.pk]

    key = ApiKey.objects.get()
    assert key.created_by == carol
    assert key.organisation == carol.organisation
    assert key.last_used_at is not None
    client_for(carol).post(f"/accounts/api-keys/{key.pk}/revoke/")
    response = system.get("/api/v1/persons")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_signed_in"


def test_the_key_is_kept_only_as_a_hash(people):
    token = _made_in_browser(people["carol"])
    key = ApiKey.objects.get()
    # The secret itself may hold "_": everything after the prefix.
    secret = token.removeprefix(f"jisr_{key.prefix}_")
    assert len(secret) >= 40
    stored = json.dumps(list(ApiKey.objects.filter(pk=key.pk).values().get().values()), default=str)
    assert secret not in stored
    assert token not in stored
    assert token.startswith(f"jisr_{key.prefix}_")
    # The list shows the key's start, never the key.
    page = client_for(people["carol"]).get("/accounts/api-keys/").content.decode()
    assert key.prefix in page
    assert secret not in page


def test_a_key_with_a_wrong_secret_or_an_unknown_shape_is_refused(people, basra_person):
    token = _made_in_browser(people["carol"])
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    for bad in (forged, "jisr_0000000000_nothing", "not-a-key", ""):
        response = _as_key(bad).get("/api/v1/persons")
        assert response.status_code == 401, bad


def test_a_wrong_key_never_falls_back_to_the_session(people, basra_person):
    client = client_for(people["carol"])
    assert client.get("/api/v1/persons").status_code == 200
    response = client.get("/api/v1/persons", HTTP_AUTHORIZATION="Bearer jisr_0000000000_x")
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"permissions": ["case.manage"]}, "permissions"),  # carol does not manage cases
        ({"permissions": ["user.manage"]}, "permissions"),  # never for a key
        ({"permissions": ["api_key.manage"]}, "permissions"),  # a key cannot make keys
        ({"scope": Scope.ALL}, "scope"),  # carol reaches her organisation only
        ({"clearance": Sensitivity.PROTECTION}, "clearance"),  # above a supervisor's
        ({"expires_on": "2020-01-01"}, "expires_on"),
        ({"expires_on": "2099-01-01"}, "expires_on"),
        ({"permissions": []}, "permissions"),
    ],
)
def test_a_key_cannot_exceed_its_maker(people, fields, field):
    client = client_for(people["carol"])
    body = {
        "name": "System",
        "permissions": ["person.view"],
        "scope": Scope.ORGANISATION,
        "clearance": Sensitivity.PERSONAL,
        "expires_on": (timezone.localdate() + dt.timedelta(days=30)).isoformat(),
        **fields,
    }
    response = client.post("/api/v1/api-keys", json.dumps(body), content_type="application/json")
    assert response.status_code == 422
    assert field in response.json()["error"]["fields"]
    assert not ApiKey.objects.exists()


def test_the_form_offers_only_what_the_maker_holds(people):
    page = client_for(people["carol"]).get("/accounts/api-keys/new/").content.decode()
    assert 'value="person.view"' in page
    for never in ("case.manage", "user.manage", "api_key.manage", "agreement.manage"):
        assert f'value="{never}"' not in page
    assert f'value="{Scope.ALL.value}"' not in page


def test_a_key_does_only_what_it_was_given(people, basra_person):
    token = _made_in_browser(people["carol"], permissions=["opportunity.view"])
    system = _as_key(token)
    assert system.get("/api/v1/opportunities").status_code == 200
    assert system.get("/api/v1/persons").status_code == 403
    # Its maker's own account, and managing keys, are not for a key.
    assert system.get("/api/v1/me").status_code == 403
    assert system.get("/api/v1/api-keys").status_code == 403


def test_a_key_sees_no_field_above_its_clearance(people, basra_person):
    basra_person.national_id = "199012345678"
    basra_person.save()
    client = client_for(people["carol"])
    assert client.get(f"/api/v1/persons/{basra_person.pk}").json()["national_id"] == "199012345678"
    token = _made_in_browser(people["carol"], clearance=Sensitivity.PERSONAL)
    answer = _as_key(token).get(f"/api/v1/persons/{basra_person.pk}").json()
    assert answer["national_id"] is None


def test_a_key_reaches_no_further_than_its_scope(people, basra_person):
    token = _made_in_browser(people["carol"], scope=Scope.OWN)
    # Carol's organisation registered the person, but not carol herself.
    assert _as_key(token).get("/api/v1/persons").json()["items"] == []
    assert _as_key(token).get(f"/api/v1/persons/{basra_person.pk}").status_code == 404


def test_a_key_narrows_as_its_maker_loses_rights(people, orgs, basra_person):
    carol = people["carol"]
    token = _made_in_browser(carol)
    system = _as_key(token)
    assert system.get("/api/v1/persons").status_code == 200
    # Carol's supervisor role now reaches only her own records: so does the key.
    RoleGrant.objects.filter(user=carol).update(scope=Scope.OWN)
    assert system.get("/api/v1/persons").json()["items"] == []
    RoleGrant.objects.filter(user=carol).update(role=Role.EMPLOYER, scope=Scope.ORGANISATION)
    assert system.get("/api/v1/persons").status_code == 403
    carol.is_active = False
    carol.save()
    assert system.get("/api/v1/persons").status_code == 401


def test_a_key_stops_when_its_maker_leaves_the_organisation(people, orgs, basra_person):
    carol = people["carol"]
    token = _made_in_browser(carol)
    carol.organisation = orgs["planning"]
    carol.save()
    assert _as_key(token).get("/api/v1/persons").status_code == 401


def test_an_expired_key_is_refused(people, basra_person):
    token = _made_in_browser(people["carol"])
    ApiKey.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert _as_key(token).get("/api/v1/persons").status_code == 401


def test_rotation_gives_a_new_key_and_the_old_one_a_short_overlap(people, basra_person):
    carol = people["carol"]
    old_token = _made_in_browser(carol)
    old = ApiKey.objects.get()
    response = client_for(carol).post(
        f"/api/v1/api-keys/{old.pk}/rotate",
        json.dumps({"overlap_hours": 2}),
        content_type="application/json",
    )
    assert response.status_code == 201
    new_token = response.json()["token"]
    assert new_token != old_token
    assert response.json()["permissions"] == ["person.view"]
    assert _as_key(new_token).get("/api/v1/persons").status_code == 200
    assert _as_key(old_token).get("/api/v1/persons").status_code == 200
    old.refresh_from_db()
    assert old.expires_at <= timezone.now() + dt.timedelta(hours=2)
    assert ApiKey.objects.get(replaces=old).created_by == carol
    # Rotating with no overlap stops the old key at once.
    new = ApiKey.objects.get(replaces=old)
    client_for(carol).post(f"/accounts/api-keys/{new.pk}/rotate/", {"overlap_hours": 0})
    assert _as_key(new_token).get("/api/v1/persons").status_code == 401


def test_an_administrator_outside_the_organisation_cannot_see_or_revoke_its_keys(
    people, orgs, basra_person
):
    _made_in_browser(people["carol"])
    key = ApiKey.objects.get()
    ngo_admin = make_user(
        "ngo-admin@example.org", orgs["ngo"], {Role.ADMINISTRATOR: Scope.ORGANISATION}
    )
    client = client_for(ngo_admin)
    assert client.get("/api/v1/api-keys").json()["items"] == []
    assert client.post(f"/api/v1/api-keys/{key.pk}/revoke").status_code == 404
    assert client.post(f"/accounts/api-keys/{key.pk}/revoke/").status_code == 404
    key.refresh_from_db()
    assert key.revoked_at is None
    # The platform's administrator (all records) may revoke a leaked key.
    assert client_for(people["admin"]).post(f"/api/v1/api-keys/{key.pk}/revoke").status_code == 200


def test_a_key_needs_no_csrf_token_but_a_session_does(people, orgs):
    alice_admin = make_user(
        "alice-admin@example.org",
        orgs["momd_baghdad"],
        {Role.ADMINISTRATOR: Scope.ORGANISATION, Role.CASEWORKER: Scope.ORGANISATION},
    )
    token = _made_in_browser(alice_admin, permissions=["person.view", "person.register"])
    body = {
        "first_name": "زينب", "father_name": "حسن", "family_name": "العبيدي", "sex": "F",
        "birth_year": 1990, "person_type": "returnee", "country": "IQ", "governorate": "IQ-BG",
        "consents": {"registration": "given"},
    }  # fmt: skip
    response = _as_key(token).post(
        "/api/v1/persons", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    session = Client(enforce_csrf_checks=True)
    session.force_login(alice_admin)
    response = session.post("/api/v1/persons", json.dumps(body), content_type="application/json")
    assert response.status_code == 403


def test_the_openapi_document_names_the_bearer_key(db, client):
    document = client.get("/api/v1/openapi.json").json()
    schemes = document["components"]["securitySchemes"]
    assert {"type": "http", "scheme": "bearer"}.items() <= schemes["BearerApiKey"].items()
    operation = document["paths"]["/api/v1/persons"]["get"]
    assert {"BearerApiKey": []} in operation["security"]


def test_every_call_with_a_key_is_audited_under_the_key(people, basra_person):
    from jisr.audit.integrity import verify_database
    from jisr.audit.models import Action, AuditEntry

    carol = people["carol"]
    token = _made_in_browser(carol)
    key = ApiKey.objects.get()
    _as_key(token).get("/api/v1/persons", {"governorate": "IQ-BA"})
    _as_key(token).get(f"/api/v1/persons/{basra_person.pk}")
    calls = AuditEntry.objects.filter(action=Action.API_CALL, api_key=key).order_by("pk")
    assert [c.changes for c in calls] == [
        {"method": "GET", "path": "/api/v1/persons", "status": 200},
        {"method": "GET", "path": f"/api/v1/persons/{basra_person.pk}", "status": 200},
    ]
    assert all(c.actor == carol for c in calls)
    # What the key read is the key's too, and the person sees which system read them.
    shown = AuditEntry.objects.filter(api_key=key).exclude(action=Action.API_CALL)
    assert {e.action for e in shown} == {Action.VIEW_LIST, Action.VIEW}
    basra_person.account = people["person"]
    basra_person.save()
    page = client_for(people["person"]).get("/registry/my-record/").content.decode()
    assert "Jobseekers system" in page
    assert not verify_database().broken
    # A refused call is recorded too: the key tried.
    _as_key(token).get("/api/v1/cases")
    refused = AuditEntry.objects.filter(action=Action.API_CALL, api_key=key).latest("pk")
    assert refused.changes["status"] == 403


def test_each_key_has_its_own_allowance_and_a_forged_key_does_not_spend_it(
    people, basra_person, settings
):
    settings.JISR_API_KEY_RATE_PER_MINUTE = 3
    settings.JISR_API_ANONYMOUS_RATE_PER_MINUTE = 1000
    token = _made_in_browser(people["carol"])
    other = _made_in_browser(people["carol"], name="Second system")
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    for _try in range(5):
        assert _as_key(forged).get("/api/v1/persons").status_code == 401
    for _call in range(3):
        assert _as_key(token).get("/api/v1/persons").status_code == 200
    refused = _as_key(token).get("/api/v1/persons")
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "rate_limited"
    assert int(refused["Retry-After"]) >= 1
    assert _as_key(other).get("/api/v1/persons").status_code == 200


def test_anonymous_callers_of_the_public_apis_are_limited_per_address(db, client, settings):
    settings.JISR_API_ANONYMOUS_RATE_PER_MINUTE = 3
    for _call in range(3):
        assert client.get("/api/hsds/services").status_code == 200
    refused = client.get("/api/v1/services", HTTP_ACCEPT_LANGUAGE="ar")
    assert refused.status_code == 429
    assert "Retry-After" in refused
    assert refused.json()["error"]["code"] == "rate_limited"
    # Another address has its own allowance.
    assert client.get("/api/hsds/services", REMOTE_ADDR="10.0.0.9").status_code == 200


def test_signed_in_browsers_are_not_counted_as_anonymous(people, settings):
    settings.JISR_API_ANONYMOUS_RATE_PER_MINUTE = 1
    client = client_for(people["carol"])
    for _call in range(3):
        assert client.get("/api/v1/persons").status_code == 200
