from __future__ import annotations

from django.core import mail

from jisr.accounts.models import User
from jisr.accounts.roles import Role, Scope
from jisr.audit.models import Action, AuditEntry
from jisr.conftest import client_for


def form_data(org, **extra):
    data = {
        "full_name": "زينب علي حسين الساعدي",
        "email": "zainab@example.org",
        "phone": "0780 123 4567",
        "organisation": org.pk,
        "language": "ar",
        "is_active": "on",
        "role_caseworker": str(Scope.ORGANISATION.value),
    }
    data.update(extra)
    return data


def test_administrator_adds_a_caseworker_who_gets_a_link_in_her_language(
    people, orgs, django_capture_on_commit_callbacks
):
    client = client_for(people["admin"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/users/new/", form_data(orgs["momd_basra"]))
    assert response.status_code == 302
    zainab = User.objects.get(email="zainab@example.org")
    assert zainab.phone == "+9647801234567"
    assert zainab.roles == {Role.CASEWORKER: Scope.ORGANISATION}
    assert not zainab.has_usable_password()
    assert len(mail.outbox) == 1
    assert "جسر" in mail.outbox[0].subject
    entry = AuditEntry.objects.get(action=Action.CREATE, object_id=str(zainab.pk))
    assert entry.actor == people["admin"]
    assert entry.organisation == orgs["platform"]
    assert entry.changes["roles"] == [None, {"caseworker": Scope.ORGANISATION.value}]


def test_bad_phone_and_duplicate_email_are_explained_and_nothing_is_saved(people, orgs):
    client = client_for(people["admin"])
    before = User.objects.count()
    response = client.post(
        "/accounts/users/new/",
        form_data(orgs["momd_basra"], phone="12", email="alice@example.org"),
        headers={"accept-language": "en"},
    )
    assert response.status_code == 200
    assert "Enter a valid phone number" in str(response.context["form"].errors["phone"])
    response = client.post(
        "/accounts/users/new/", form_data(orgs["momd_basra"], email="ALICE@example.org", phone="")
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert User.objects.count() == before


def test_a_role_cannot_be_granted_wider_than_it_may_reach(people, orgs):
    client = client_for(people["admin"])
    response = client.post(
        "/accounts/users/new/",
        form_data(orgs["momd_basra"], role_caseworker=str(Scope.ALL.value)),
    )
    assert response.status_code == 200
    assert not User.objects.filter(email="zainab@example.org").exists()


def test_supervisor_reads_accounts_of_her_ministry_and_each_read_is_audited(people):
    client = client_for(people["carol"])
    listing = client.get("/accounts/users/")
    names = {u.full_name for u in listing.context["page"]}
    assert {"Alice", "Bob", "Carol", "Pro"} <= names
    assert "Charlie" not in names  # another organisation
    response = client.get(f"/accounts/users/{people['bob'].pk}/")
    assert response.status_code == 200
    assert AuditEntry.objects.filter(
        actor=people["carol"], action=Action.VIEW, object_id=str(people["bob"].pk)
    ).exists()
    outsider = client.get(f"/accounts/users/{people['charlie'].pk}/")
    assert outsider.status_code == 404


def test_deactivating_an_account_is_recorded_and_stops_sign_in(people):
    client = client_for(people["admin"])
    bob = people["bob"]
    data = form_data(bob.organisation, full_name="Bob", email=bob.email, phone="")
    data.pop("is_active")
    response = client.post(f"/accounts/users/{bob.pk}/edit/", data)
    assert response.status_code == 302
    bob.refresh_from_db()
    assert not bob.is_active
    assert AuditEntry.objects.filter(action=Action.DEACTIVATE, object_id=str(bob.pk)).exists()
    assert (
        client_for(None)
        .post("/accounts/sign-in/", {"username": bob.email, "password": "correct-horse-battery"})
        .status_code
        == 200
    )


def test_the_user_list_costs_a_fixed_number_of_queries(people, django_assert_max_num_queries):
    client = client_for(people["admin"])
    with django_assert_max_num_queries(12):
        response = client.get("/accounts/users/")
    assert len(response.context["page"]) == len(people)


def test_htmx_search_returns_only_the_rows(people):
    client = client_for(people["admin"])
    response = client.get("/accounts/users/?q=alice", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert b"<html" not in response.content
    assert b"Alice" in response.content
    assert b"Charlie" not in response.content
