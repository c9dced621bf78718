"""Signing in with an e-mail address or a mobile phone number."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import BaseBackend
from django.http import HttpRequest

from jisr.accounts.models import User
from jisr.lib.phones import looks_like_phone, normalise_phone


def canonical_identifier(identifier: str) -> str:
    """The one spelling of an e-mail or phone under which an account is stored and locked."""
    identifier = identifier.strip()
    if looks_like_phone(identifier):
        try:
            return normalise_phone(identifier)
        except ValueError:
            return identifier
    return identifier.lower()


def find_user(identifier: str) -> User | None:
    canonical = canonical_identifier(identifier)
    if not canonical:
        return None
    field = "email__iexact" if "@" in canonical else "phone"
    return User.objects.filter(**{field: canonical}).first()


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """Lock-outs count attempts per account, however its e-mail or phone is spelled."""
    raw = str((credentials or {}).get("username") or request.POST.get("username", ""))
    user = find_user(raw)
    return f"account:{user.pk}" if user is not None else f"unknown:{canonical_identifier(raw)}"


class EmailOrPhoneBackend(BaseBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if not username or not password:
            return None
        user = find_user(username)
        if user is None:
            # Spend the same time as a real check, so timing does not reveal which accounts exist.
            User().set_password(password)
            return None
        if user.check_password(password) and user.is_in_service:
            return user
        return None

    def get_user(self, user_id: int) -> User | None:
        user = (
            User.objects.select_related("organisation").filter(pk=user_id, is_active=True).first()
        )
        return user if user is not None and user.is_in_service else None
