from __future__ import annotations

from django.conf import settings
from django.test import Client

from jisr.audit.models import Action, AuditEntry
from jisr.conftest import PASSWORD, client_for, make_user


def sign_in(client: Client, username: str, password: str = PASSWORD):
    return client.post("/accounts/sign-in/", {"username": username, "password": password})


def test_sign_in_with_email_any_case(people):
    client = Client()
    response = sign_in(client, "ALICE@example.org")
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"
    assert AuditEntry.objects.filter(actor=people["alice"], action=Action.SIGN_IN).count() == 1


def test_sign_in_with_phone_written_locally(people):
    # Stored as +9647701234567; people type it the Iraqi way, with Arabic-Indic digits too.
    for written in ("07701234567", "٠٧٧٠١٢٣٤٥٦٧", "+964 770 123 4567"):
        client = Client()
        assert sign_in(client, written).status_code == 302, written


def test_wrong_password_is_refused_with_a_translated_message(people):
    client = Client(headers={"accept-language": "ar"})
    response = sign_in(client, "alice@example.org", "wrong-password")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert response.context["form"].errors["__all__"]


def test_inactive_account_cannot_sign_in(people):
    people["bob"].is_active = False
    people["bob"].save()
    response = sign_in(Client(), "bob@example.org")
    assert response.status_code == 200
    assert response.context["form"].errors


def test_repeated_failures_lock_the_account_even_with_the_right_password(people):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "alice@example.org", "wrong-password")
    response = sign_in(client, "07701234567")  # the same account, spelled differently
    assert response.status_code == 429
    assert b"locked-out" in response.content
    assert "_auth_user_id" not in client.session


def test_signing_in_applies_the_users_own_language(people):
    people["alice"].language = "ckb"
    people["alice"].save()
    client = Client()
    response = sign_in(client, "alice@example.org")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ckb"
    page = client.get("/dashboard/")
    assert b'lang="ckb"' in page.content
    assert b'dir="rtl"' in page.content


def test_sign_out_needs_a_post_and_is_audited(people):
    client = client_for(people["alice"])
    assert client.get("/accounts/sign-out/").status_code == 200
    assert "_auth_user_id" in client.session
    client.post("/accounts/sign-out/")
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(actor=people["alice"], action=Action.SIGN_OUT).exists()


def test_session_expires_after_idle_time_and_browser_close():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    # The idle time-out is pushed back by IdleTimeoutMiddleware, at most a minute late
    # (tests/test_idle_timeout.py), not by a save on every request.
    assert settings.SESSION_REFRESH_SECONDS == 60


def test_passwords_are_hashed_with_argon2(db, settings):
    from django.conf import global_settings

    from jisr import settings as jisr_settings

    settings.PASSWORD_HASHERS = jisr_settings.PASSWORD_HASHERS
    assert jisr_settings.PASSWORD_HASHERS != global_settings.PASSWORD_HASHERS
    user = make_user("hashed@example.org", None, {})
    assert user.password.startswith("argon2")
    assert user.check_password(PASSWORD)


def test_lock_out_counts_per_account_across_addresses(people):
    for number in range(settings.AXES_FAILURE_LIMIT):
        Client(REMOTE_ADDR=f"10.0.0.{number}").post(
            "/accounts/sign-in/", {"username": "alice@example.org", "password": "wrong-password"}
        )
    response = Client(REMOTE_ADDR="10.0.0.99").post(
        "/accounts/sign-in/", {"username": "alice@example.org", "password": PASSWORD}
    )
    assert response.status_code == 429


def test_typing_an_internal_key_does_not_lock_the_account(people):
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        sign_in(Client(), f"account:{people['bob'].pk}", "x")
    assert sign_in(Client(), "bob@example.org").status_code == 302


def test_failed_sign_ins_are_audited_against_the_account(people):
    sign_in(Client(), "bob@example.org", "wrong-password")
    entry = AuditEntry.objects.get(action=Action.SIGN_IN_FAILED)
    assert entry.object_id == str(people["bob"].pk)
    assert entry.actor is None
