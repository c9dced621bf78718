"""Two-factor enrolment needs proof besides the password: a one-time link sent to the account's
e-mail or phone, the link that set the password, or an administrator's enrolment code. The
password alone, which an attacker may have, enrols nothing."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from jisr.accounts.models import TwoFactorEnrolment, User
from jisr.accounts.roles import Scope
from jisr.accounts.tests.conftest import current_code, signed_in
from jisr.audit.models import Action, AuditEntry
from jisr.conftest import PASSWORD, client_for

SETUP = "/accounts/two-factor/setup/"
SEND_LINK = "/accounts/two-factor/setup/link/"
REDEEM_CODE = "/accounts/two-factor/setup/code/"


@pytest.fixture(autouse=True)
def _require_two_factor(settings):
    settings.JISR_REQUIRE_2FA = True
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


def verified(user: User) -> Client:
    """A staff client past two-factor authentication."""
    client = client_for(user)
    device = TOTPDevice.objects.create(user=user, confirmed=True, name="phone")
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return client


def link_in(text: str) -> str:
    found = re.search(r"http://\S+", text)
    assert found is not None, text
    return found.group(0).split("8000", 1)[1]


def enrol(client: Client, user: User) -> None:
    """Scan (read the new device's key) and confirm with the app's first code."""
    page = client.get(SETUP)
    assert page.status_code == 200
    assert b"<svg" in page.content
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(SETUP, {"token": current_code(device), "next": "/dashboard/"})
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"
    assert client.get("/dashboard/").status_code == 200


def test_the_password_alone_cannot_enrol(people):
    attacker = signed_in("alice@example.org")
    page = attacker.get(SETUP)
    assert page.status_code == 200
    assert b"<svg" not in page.content
    assert b"totp-secret" not in page.content
    assert not TOTPDevice.objects.filter(user=people["alice"]).exists()
    # A code made up for a device the attacker has not seen is refused, and changes nothing.
    attacker.post(SETUP, {"token": "123456"})
    assert not TOTPDevice.objects.filter(user=people["alice"], confirmed=True).exists()
    assert attacker.get("/dashboard/").status_code == 302


def test_nor_after_an_administrators_reset(people):
    TOTPDevice.objects.create(user=people["bob"], confirmed=True, name="phone")
    response = verified(people["admin"]).post(
        f"/accounts/users/{people['bob'].pk}/two-factor/reset/"
    )
    assert response.status_code == 200  # the page that shows the enrolment code once
    attacker = signed_in("bob@example.org")
    assert b"<svg" not in attacker.get(SETUP).content
    assert not TOTPDevice.objects.filter(user=people["bob"]).exists()


def test_a_link_sent_to_the_accounts_e_mail_lets_its_owner_enrol(
    people, django_capture_on_commit_callbacks
):
    alice = people["alice"]
    client = signed_in("alice@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(SEND_LINK, {}, follow=True)
    assert response.status_code == 200
    (message,) = mail.outbox
    assert message.to == ["alice@example.org"]
    link = link_in(str(message.body))
    assert TwoFactorEnrolment.objects.filter(user=alice).count() == 1
    assert link.rsplit("/", 2)[-2] not in str(
        list(TwoFactorEnrolment.objects.values_list("secret_hash", flat=True))
    )  # only a keyed hash is kept
    # Opening the link shows a button: mail scanners that fetch links use nothing up.
    assert client.get(link).status_code == 200
    assert client.post(link).status_code == 302
    enrol(client, alice)
    entry = AuditEntry.objects.get(action=Action.TWO_FACTOR_ENROLLED, actor=alice)
    assert entry.changes == {"proof": [None, "link"]}
    # The link was for one use.
    again = signed_in("alice@example.org")
    used = again.post(link)
    assert used.status_code == 200
    assert "انتهت صلاحية هذا الرابط أو سبق استخدامه" in used.content.decode()  # expired or used
    assert TOTPDevice.objects.filter(user=alice).count() == 1


def test_a_link_works_only_for_its_own_account_and_only_for_an_hour(
    people, django_capture_on_commit_callbacks
):
    alice = signed_in("alice@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        alice.post(SEND_LINK, {})
    link = link_in(str(mail.outbox[0].body))
    # Bob, signed in with his own password, cannot use Alice's link for his account or hers.
    bob = signed_in("bob@example.org")
    refused = bob.post(link)
    assert refused.status_code == 200
    assert b"<svg" not in bob.get(SETUP).content
    # An hour later the link is dead.
    TwoFactorEnrolment.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert alice.post(link).status_code == 200
    assert b"<svg" not in alice.get(SETUP).content


def test_links_are_limited_like_every_message(people, django_capture_on_commit_callbacks):
    client = signed_in("alice@example.org")
    for _ in range(5):
        with django_capture_on_commit_callbacks(execute=True):
            last = client.post(SEND_LINK, {})
    assert len(mail.outbox) == 3
    assert last.status_code == 429


def test_an_administrators_code_is_shown_once_and_works_once(people):
    bob = people["bob"]
    admin = verified(people["admin"])
    page = admin.post(f"/accounts/users/{bob.pk}/two-factor/reset/")
    code = page.context["enrolment_code"]
    assert code in page.content.decode()
    stored = TwoFactorEnrolment.objects.get(user=bob)
    assert code not in str(stored.secret_hash)
    assert stored.issued_by == people["admin"]
    assert stored.expires_at > timezone.now() + timedelta(days=2)
    assert code not in admin.get(f"/accounts/users/{bob.pk}/").content.decode()
    client = signed_in("bob@example.org")
    response = client.post(REDEEM_CODE, {"code": code.lower().replace("-", " ")})
    assert response.status_code == 302
    enrol(client, bob)
    assert AuditEntry.objects.get(action=Action.TWO_FACTOR_ENROLLED, actor=bob).changes == {
        "proof": [None, "code"]
    }
    # Reset once more: the old code does nothing now.
    admin.post(f"/accounts/users/{bob.pk}/two-factor/reset/")
    again = signed_in("bob@example.org")
    assert again.post(REDEEM_CODE, {"code": code}).status_code == 200
    assert b"<svg" not in again.get(SETUP).content


def test_guessing_the_code_stops_even_though_each_guess_is_refused(people):
    """Each wrong guess is counted and committed with its request; the count is not rolled back
    with the refusal."""
    bob = people["bob"]
    code = (
        verified(people["admin"])
        .post(f"/accounts/users/{bob.pk}/two-factor/reset/")
        .context["enrolment_code"]
    )
    client = signed_in("bob@example.org")
    for _ in range(5):
        assert client.post(REDEEM_CODE, {"code": "AAAA-AAAA-AAAA"}).status_code == 200
    assert client.post(REDEEM_CODE, {"code": code}).status_code == 429
    assert b"<svg" not in client.get(SETUP).content


def test_a_new_account_gets_in_end_to_end_through_its_invitation(
    people, orgs, django_capture_on_commit_callbacks
):
    """Invitation e-mail, password chosen with its link, then enrolment with that proof."""
    admin = verified(people["admin"])
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            "/accounts/users/new/",
            {
                "full_name": "Zainab",
                "email": "zainab@example.org",
                "phone": "",
                "organisation": orgs["momd_basra"].pk,
                "language": "en",
                "is_active": "on",
                "role_caseworker": str(Scope.ORGANISATION.value),
            },
        )
    assert response.status_code == 302
    zainab = User.objects.get(email="zainab@example.org")
    browser = Client()
    form = browser.get(link_in(str(mail.outbox[0].body)), follow=True)
    assert form.context["validlink"]
    new_password = "a-new-long-passphrase"
    done = browser.post(
        form.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password}
    )
    assert done.status_code == 302
    signed = browser.post(
        "/accounts/sign-in/", {"username": "zainab@example.org", "password": new_password}
    )
    assert signed.status_code == 302
    assert browser.get("/dashboard/")["Location"].startswith(SETUP)
    enrol(browser, zainab)
    assert AuditEntry.objects.get(action=Action.TWO_FACTOR_ENROLLED, actor=zainab).changes == {
        "proof": [None, "password_link"]
    }


def test_an_account_made_with_a_first_password_comes_with_a_code(people, orgs):
    admin = verified(people["admin"])
    response = admin.post(
        "/accounts/users/new/",
        {
            "full_name": "Hassan",
            "email": "",
            "phone": "0780 123 4567",
            "organisation": orgs["momd_basra"].pk,
            "language": "en",
            "is_active": "on",
            "role_caseworker": str(Scope.ORGANISATION.value),
            "password": PASSWORD,
        },
    )
    assert response.status_code == 200
    code = response.context["enrolment_code"]
    hassan = User.objects.get(phone="+9647801234567")
    client = Client()
    client.post("/accounts/sign-in/", {"username": "07801234567", "password": PASSWORD})
    assert client.post(REDEEM_CODE, {"code": code}).status_code == 302
    enrol(client, hassan)
