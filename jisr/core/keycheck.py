"""Do the configured encryption keys read what is stored? A known value is kept encrypted (and a
digest made with the oldest key, as blind indexes are); the health check decrypts it. A wrong
key, a key dropped before `jisr reencrypt`, or keys of another installation fail the check
without revealing anything: the value is public and the answer is only yes or no."""

from __future__ import annotations

import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

from jisr.core.models import KeyCheck

KNOWN = b"jisr-key-check"


def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in settings.JISR_ENCRYPTION_KEYS])


def _digest() -> str:
    oldest = settings.JISR_ENCRYPTION_KEYS[-1].encode()
    return hmac.new(oldest, KNOWN, hashlib.sha256).hexdigest()


def keycheck_write() -> None:
    """(Re)write the check with the newest key: at migration and by `jisr reencrypt`."""
    KeyCheck.objects.all().delete()
    KeyCheck.objects.create(token=_fernet().encrypt(KNOWN).decode(), digest=_digest())


def keys_read_stored_data() -> bool:
    """True when the keys decrypt the stored value and the oldest key made its digest."""
    check = KeyCheck.objects.first()
    if check is None:
        return False
    try:
        decrypted = _fernet().decrypt(check.token.encode())
    except InvalidToken:
        return False
    return hmac.compare_digest(decrypted, KNOWN) and hmac.compare_digest(check.digest, _digest())
