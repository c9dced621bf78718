from __future__ import annotations

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from jisr.accounts.tests.conftest import current_code, signed_in
from jisr.audit.models import Action, AuditEntry


@pytest.fixture(autouse=True)
def _require_two_factor(settings):
    settings.JISR_REQUIRE_2FA = True


def test_staff_without_two_factor_are_sent_to_set_it_up(people):
    client = signed_in("alice@example.org")
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/two-factor/setup/?next=")
    assert client.get("/accounts/organisations/").status_code == 302
    api = client.get("/api/v1/organisations")
    assert api.status_code == 403
    assert api.json()["error"]["code"] == "two_factor_required"


def test_public_pages_stay_open_before_two_factor(people):
    client = signed_in("alice@example.org")
    assert client.get("/").status_code == 200
    assert client.get("/api/v1/places/governorates").status_code == 200


def test_setting_up_an_authenticator_app_opens_the_protected_pages(
    people, settings, django_capture_on_commit_callbacks
):
    import re

    from django.core import mail

    settings.OTP_TOTP_THROTTLE_FACTOR = (
        0  # the wrong code below would otherwise delay the right one
    )
    client = signed_in("alice@example.org")
    # The password alone does not enrol (test_two_factor_enrolment.py): a link to her e-mail.
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/two-factor/setup/link/")
    link = re.search(r"http://\S+", str(mail.outbox[0].body))
    assert link is not None
    assert client.post(link.group(0).split("8000", 1)[1]).status_code == 302
    page = client.get("/accounts/two-factor/setup/?next=/accounts/organisations/")
    assert page.status_code == 200
    assert b"<svg" in page.content
    device = TOTPDevice.objects.get(user=people["alice"], confirmed=False)

    wrong = client.post("/accounts/two-factor/setup/", {"token": "000000"})
    assert wrong.status_code == 200
    assert wrong.context["form"].errors["token"]

    device.refresh_from_db()
    response = client.post(
        "/accounts/two-factor/setup/",
        {"token": current_code(device), "next": "/accounts/organisations/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/organisations/"
    assert client.get("/dashboard/").status_code == 200
    assert TOTPDevice.objects.get(user=people["alice"]).confirmed
    assert AuditEntry.objects.filter(
        actor=people["alice"], action=Action.TWO_FACTOR_ENROLLED
    ).exists()


def test_next_sign_in_asks_for_the_code(people):
    device = TOTPDevice.objects.create(user=people["alice"], confirmed=True, name="phone")
    client = signed_in("alice@example.org")
    response = client.get("/dashboard/")
    assert response["Location"].startswith("/accounts/two-factor/verify/")
    assert client.post("/accounts/two-factor/verify/", {"token": "12345"}).status_code == 200
    response = client.post(
        "/accounts/two-factor/verify/",
        {"token": current_code(device), "next": "https://evil.example/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"  # never an outside address
    assert client.get("/dashboard/").status_code == 200


def test_wrong_codes_slow_down_further_tries(people):
    device = TOTPDevice.objects.create(user=people["alice"], confirmed=True, name="phone")
    client = signed_in("alice@example.org")
    client.post("/accounts/two-factor/verify/", {"token": "000000"})
    refused = client.post("/accounts/two-factor/verify/", {"token": current_code(device)})
    assert refused.status_code == 200  # right code, but too soon after a wrong one


def test_a_code_cannot_be_replayed(people):
    device = TOTPDevice.objects.create(user=people["alice"], confirmed=True, name="phone")
    code = current_code(device)
    first = signed_in("alice@example.org")
    assert first.post("/accounts/two-factor/verify/", {"token": code}).status_code == 302
    # Within the same 30-second step, django-otp refuses a code that was already used.
    second = signed_in("alice@example.org")
    assert second.post("/accounts/two-factor/verify/", {"token": code}).status_code == 200


def test_a_person_with_a_self_service_account_is_not_asked(people):
    client = signed_in("person@example.org")
    assert client.get("/accounts/me/").status_code == 200


def test_an_administrator_resets_two_factor_for_a_lost_phone(people):
    from jisr.conftest import client_for

    TOTPDevice.objects.create(user=people["bob"], confirmed=True, name="phone")
    admin = client_for(people["admin"])
    TOTPDevice.objects.create(user=people["admin"], confirmed=True, name="phone")
    session = admin.session
    session["otp_device_id"] = TOTPDevice.objects.get(user=people["admin"]).persistent_id
    session.save()
    assert admin.get(f"/accounts/users/{people['bob'].pk}/two-factor/reset/").status_code == 200
    response = admin.post(f"/accounts/users/{people['bob'].pk}/two-factor/reset/")
    assert response.status_code == 200  # the new enrolment code, shown once
    assert response.context["enrolment_code"] in response.content.decode()
    assert not TOTPDevice.objects.filter(user=people["bob"]).exists()
    assert AuditEntry.objects.filter(
        action=Action.TWO_FACTOR_RESET, object_id=str(people["bob"].pk)
    ).exists()
    # A caseworker cannot reset anyone's.
    alice = client_for(people["alice"])
    assert (
        alice.post(f"/accounts/users/{people['bob'].pk}/two-factor/reset/").status_code == 302
    )  # to two-factor set-up first
