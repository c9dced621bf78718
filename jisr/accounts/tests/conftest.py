"""Helpers of the accounts tests: signing in through the page, and an authenticator's code."""

from __future__ import annotations

from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from jisr.conftest import PASSWORD


def current_code(device: TOTPDevice) -> str:
    """The code the authenticator app of `device` shows now."""
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def signed_in(email: str) -> Client:
    """A browser signed in with the tests' password, before any second factor."""
    client = Client()
    response = client.post("/accounts/sign-in/", {"username": email, "password": PASSWORD})
    assert response.status_code == 302
    return client
