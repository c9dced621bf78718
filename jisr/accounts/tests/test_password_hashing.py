"""Passwords are hashed with Argon2id at OWASP's parameters, cheap enough that sign-ins under
load do not queue, and older hashes are brought to them at their owner's next sign-in."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.hashers import Argon2PasswordHasher, get_hasher, identify_hasher
from django.test import Client

from jisr import settings as project_settings
from jisr.conftest import PASSWORD

OWASP = {"memory_cost": 19 * 1024, "time_cost": 2, "parallelism": 1}


def _parameters(encoded: str) -> dict[str, Any]:
    decoded = identify_hasher(encoded).decode(encoded)
    return {
        "variety": decoded["variety"],
        "memory_cost": decoded["memory_cost"],
        "time_cost": decoded["time_cost"],
        "parallelism": decoded["parallelism"],
    }


def test_new_passwords_are_hashed_with_argon2id_at_owasps_parameters(settings, people):
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS
    alice = people["alice"]
    alice.set_password("a new long password")
    assert _parameters(alice.password) == {"variety": "argon2id", **OWASP}
    assert get_hasher().algorithm == "argon2"  # hashes made before still verify


def test_an_older_heavier_hash_is_replaced_at_the_next_sign_in(settings, people):
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS
    alice = people["alice"]
    # Django's own parameters: 100 MiB and eight lanes, seconds of queueing under load.
    alice.password = Argon2PasswordHasher().encode(PASSWORD, Argon2PasswordHasher().salt())
    alice.save(update_fields=["password"])
    assert _parameters(alice.password)["memory_cost"] == 102400

    response = Client().post(
        "/accounts/sign-in/", {"username": "alice@example.org", "password": PASSWORD}
    )

    assert response.status_code == 302
    alice.refresh_from_db()
    assert _parameters(alice.password) == {"variety": "argon2id", **OWASP}
    assert alice.check_password(PASSWORD)
