"""API keys for ministry systems: making the secret, and finding the key a caller presents.

A key reads `jisr_<prefix>_<secret>`. The prefix finds the row; only the SHA-256 of the whole key
is stored and compared in constant time. The secret carries 256 random bits, so a plain hash is
enough: nothing can be guessed from it, and no key stretching is needed (unlike passwords).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from jisr.accounts.models import ApiKey, User

TOKEN_START = "jisr_"  # noqa: S105  (the visible start of every key, not a secret)
PREFIX_LENGTH = 10
# How often the last use is written back: once a minute is enough to read it, and saves a write
# on every call of a busy system.
LAST_USE_PRECISION = timedelta(minutes=1)


@dataclass(frozen=True)
class NewKey:
    prefix: str
    token: str
    secret_hash: str


def key_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_key() -> NewKey:
    prefix = secrets.token_hex(PREFIX_LENGTH // 2)
    token = f"{TOKEN_START}{prefix}_{secrets.token_urlsafe(32)}"
    return NewKey(prefix=prefix, token=token, secret_hash=key_hash(token))


def _prefix_of(token: str) -> str | None:
    if not token.startswith(TOKEN_START):
        return None
    prefix, separator, secret = token.removeprefix(TOKEN_START).partition("_")
    if not separator or len(prefix) != PREFIX_LENGTH or not secret:
        return None
    return prefix


def user_for_key(token: str, *, client_address: str | None = None) -> User | None:
    """The user a key acts for, narrowed to the key; None for an unknown, revoked or expired key,
    or one whose maker no longer belongs to the key's organisation or is out of service."""
    prefix = _prefix_of(token.strip())
    if prefix is None:
        return None
    key = (
        ApiKey.objects.select_related("created_by__organisation", "organisation")
        .filter(prefix=prefix)
        .first()
    )
    if key is None or not hmac.compare_digest(key.secret_hash, key_hash(token.strip())):
        return None
    now = timezone.now()
    user = key.created_by
    if (
        not key.is_in_force(now)
        or not key.organisation.is_active
        or user.organisation_id != key.organisation_id
        or not user.is_in_service
    ):
        return None
    if key.last_used_at is None or now - key.last_used_at >= LAST_USE_PRECISION:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now, last_used_from=client_address)
    user.api_key = key
    return user
