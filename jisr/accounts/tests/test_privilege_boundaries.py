"""What an administrator may not do, even within their scope: these close the holes a review
found (taking over stronger accounts, granting oneself more, redrawing one's own scope)."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from jisr.accounts.models import Organisation, RoleGrant, User
from jisr.accounts.roles import Role, Scope
from jisr.audit.models import Action, AuditEntry
from jisr.conftest import PASSWORD, client_for, make_user


def patch(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.patch(url, data=json.dumps(body), content_type="application/json")


def test_role_changes_are_audited_and_returned(people):
    client = client_for(people["admin"])
    bob = people["bob"]
    response = patch(
        client, f"/api/v1/users/{bob.pk}", {"roles": [{"role": "protection_officer", "scope": 30}]}
    )
    assert response.status_code == 200
    assert response.json()["roles"] == [{"role": "protection_officer", "scope": 30}]
    entry = AuditEntry.objects.get(action=Action.UPDATE, object_id=str(bob.pk))
    assert entry.changes["roles"] == [{"caseworker": 30}, {"protection_officer": 30}]


def test_a_narrower_administrator_cannot_touch_a_wider_account(people, orgs):
    local_admin = make_user(
        "local-admin@example.org", orgs["momd_baghdad"], {Role.ADMINISTRATOR: Scope.GOVERNORATE}
    )
    national = make_user("national@example.org", orgs["momd"], {Role.ADMINISTRATOR: Scope.ALL})
    client = client_for(local_admin)
    response = patch(client, f"/api/v1/users/{national.pk}", {"email": "attacker@evil.example"})
    assert response.status_code == 403
    assert client.post(f"/accounts/users/{national.pk}/two-factor/reset/").status_code == 403
    assert client.get(f"/accounts/users/{national.pk}/edit/").status_code == 403
    national.refresh_from_db()
    assert national.email == "national@example.org"
    # Another administrator of the same reach is off limits too; a caseworker is not.
    peer = make_user(
        "peer@example.org", orgs["momd_baghdad"], {Role.ADMINISTRATOR: Scope.GOVERNORATE}
    )
    assert patch(client, f"/api/v1/users/{peer.pk}", {"full_name": "X"}).status_code == 403
    assert (
        patch(client, f"/api/v1/users/{people['alice'].pk}", {"full_name": "Alice A."}).status_code
        == 200
    )


def test_nobody_changes_their_own_roles_or_organisation(people, orgs):
    org_admin = make_user(
        "org-admin@example.org", orgs["ngo"], {Role.ADMINISTRATOR: Scope.ORGANISATION}
    )
    client = client_for(org_admin)
    grab = {
        "roles": [
            {"role": "administrator", "scope": 20},
            {"role": "protection_officer", "scope": 20},
        ]
    }
    response = patch(client, f"/api/v1/users/{org_admin.pk}", grab)
    assert response.status_code == 422
    assert RoleGrant.objects.filter(user=org_admin).count() == 1
    admin = client_for(people["admin"])
    moved = patch(admin, f"/api/v1/users/{people['admin'].pk}", {"organisation_id": orgs["ngo"].pk})
    assert moved.status_code == 422


def test_a_scoped_administrator_cannot_redraw_where_an_organisation_sits(people, orgs):
    local_admin = make_user(
        "local-admin@example.org", orgs["momd_baghdad"], {Role.ADMINISTRATOR: Scope.GOVERNORATE}
    )
    client = client_for(local_admin)
    branch = orgs["momd_baghdad"]
    body = {
        "name_ar": branch.name_ar,
        "kind": "government_office",
        "governorate": "IQ-BA",
        "parent_id": orgs["momd"].pk,
    }
    response = client.put(
        f"/api/v1/organisations/{branch.pk}", data=json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 422
    branch.refresh_from_db()
    assert branch.governorate.code == "IQ-BG"
    body = {"name_ar": "جهة جديدة", "kind": "platform"}
    created = client.post(
        "/api/v1/organisations", data=json.dumps(body), content_type="application/json"
    )
    assert created.status_code == 403
    body = {"name_ar": "جهة جديدة", "kind": "ngo", "parent_id": 99999}
    created = client.post(
        "/api/v1/organisations", data=json.dumps(body), content_type="application/json"
    )
    assert created.status_code == 422
    body = {
        "name_ar": "مكتب الكرخ",
        "kind": "government_office",
        "parent_id": branch.pk,
        "governorate": "IQ-BG",
    }
    created = client.post(
        "/api/v1/organisations", data=json.dumps(body), content_type="application/json"
    )
    assert created.status_code == 201


def test_api_passwords_follow_the_same_rules(people, orgs):
    client = client_for(people["admin"])
    body = {
        "full_name": "Weak",
        "email": "weak@example.org",
        "organisation_id": orgs["ngo"].pk,
        "password": "a",
    }
    response = client.post("/api/v1/users", data=json.dumps(body), content_type="application/json")
    assert response.status_code == 422
    assert "password" in response.json()["error"]["fields"]
    assert not User.objects.filter(email="weak@example.org").exists()


def test_an_account_keeps_an_email_or_a_phone(people):
    client = client_for(people["admin"])
    response = patch(client, f"/api/v1/users/{people['bob'].pk}", {"email": "", "phone": None})
    assert response.status_code == 422
    people["bob"].refresh_from_db()
    assert people["bob"].email == "bob@example.org"


def test_a_persons_own_grant_survives_a_staff_edit(people):
    client = client_for(people["admin"])
    person = people["person"]
    assert patch(client, f"/api/v1/users/{person.pk}", {"roles": []}).status_code == 200
    assert RoleGrant.objects.filter(user=person, role=Role.PERSON).exists()


def test_deactivating_an_organisation_stops_its_staff(people, orgs):
    client = client_for(people["charlie"])
    assert client.get("/dashboard/").status_code == 200
    Organisation.objects.filter(pk=orgs["ngo"].pk).update(is_active=False)
    assert client.get("/dashboard/").status_code in (302, 403)
    response = Client().post(
        "/accounts/sign-in/", {"username": "charlie@example.org", "password": PASSWORD}
    )
    assert response.status_code == 200
    admin = client_for(people["admin"])
    body = {
        "full_name": "New",
        "email": "new@example.org",
        "organisation_id": orgs["ngo"].pk,
        "password": "a-long-first-password",
    }
    assert (
        admin.post(
            "/api/v1/users", data=json.dumps(body), content_type="application/json"
        ).status_code
        == 422
    )
