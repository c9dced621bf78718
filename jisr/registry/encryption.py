"""Encrypted model fields with Jisr's own keys.

django-fernet-encrypted-fields does the field work (Fernet, MultiFernet for rotation); it derives
its keys from SECRET_KEY, which would tie stored identity documents to the session-signing key.
Jisr gives it dedicated keys instead (JISR_ENCRYPTION_KEYS, newest first).
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.utils.functional import cached_property
from encrypted_fields.fields import EncryptedCharField


class EncryptedText(EncryptedCharField):
    @cached_property
    def keys(self) -> list[bytes]:
        return [key.encode() for key in settings.JISR_ENCRYPTION_KEYS]


def blind_index(value: str) -> str:
    """A keyed digest of an identifier, to find an exact match without decrypting anything.

    Uses the oldest key, so the index survives adding a new key (rotation re-encrypts values,
    and re-computes this index only when the oldest key is finally dropped).
    """
    normalised = "".join(ch for ch in value.upper() if ch.isalnum())
    if not normalised:
        return ""
    key = settings.JISR_ENCRYPTION_KEYS[-1].encode()
    return hmac.new(key, normalised.encode(), hashlib.sha256).hexdigest()
