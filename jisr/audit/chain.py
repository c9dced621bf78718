"""The hash chain that makes the audit log tamper-evident (decision 0017).

Each entry holds `prev_hash`, the `hash` of the entry before it (in id order), and its own
`hash`: HMAC-SHA256, keyed with `JISR_AUDIT_KEY` (kept outside the database), over the entry's
canonical content and `prev_hash`. Changing an entry breaks its own hash; deleting one breaks
the link of the entry after it; inserting one needs the key. The canonical form is a contract
with every entry already written and every export: change it and nothing verifies any more.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.backends.base.base import BaseDatabaseWrapper

GENESIS = "0" * 64
# The content that is hashed, in this order; `prev_hash` and `hash` travel with it.
FIELDS = (
    "at", "actor_id", "api_key_id", "organisation_id", "action", "object_type", "object_id",
    "object_label", "changes", "person_ids",
)  # fmt: skip
# pg_advisory_xact_lock's key for "appending to the audit log" (any constant unique to Jisr).
_LOCK_KEY = 0x4A69_7372_4175_6474  # "JisrAudt"


def timestamp(at: dt.datetime) -> str:
    """The one spelling of an entry's time: UTC, to the microsecond."""
    return at.astimezone(dt.UTC).isoformat(timespec="microseconds")


def record_of(entry: Any) -> dict[str, Any]:
    """An entry (the model, or its historical version in a migration) as the chain hashes and
    exports it."""
    return {
        "id": entry.pk,
        "at": timestamp(entry.at),
        "actor_id": entry.actor_id,
        "api_key_id": entry.api_key_id,
        "organisation_id": entry.organisation_id,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_label": entry.object_label,
        "changes": entry.changes,
        "person_ids": entry.person_ids,
        "prev_hash": entry.prev_hash,
        "hash": entry.hash,
    }


def _plain(value: Any) -> Any:
    """PostgreSQL's jsonb gives 1e16 back as 10000000000000000: a float that is a whole number
    is hashed as the integer, whichever way the database returns it."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def canonical(record: Mapping[str, Any]) -> bytes:
    """The bytes that are hashed: the content fields as compact JSON with sorted keys."""
    content = [_plain(record[name]) for name in FIELDS]
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def digest(record: Mapping[str, Any], prev_hash: str, key: str | None = None) -> str:
    secret = (key if key is not None else settings.JISR_AUDIT_KEY).encode()
    return hmac.new(
        secret, prev_hash.encode() + b"\n" + canonical(record), hashlib.sha256
    ).hexdigest()


def lock(connection: BaseDatabaseWrapper) -> None:
    """Serialise appends until the end of the current transaction, so two writers never both
    chain to the same last entry. SQLite needs nothing: Jisr opens its transactions IMMEDIATE
    (settings), which already lets one writer at a time in. An advisory lock needs no row the
    web role could update, and no privilege beyond connecting. The last entry is read after the
    lock is held, in a new statement: under READ COMMITTED (Django's default; not REPEATABLE
    READ) it sees what the previous holder committed."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])


@dataclass(frozen=True)
class Break:
    """The first place the chain does not hold."""

    entry_id: int
    kind: str  # "changed", "missing_before", "index"
    detail: str

    def __str__(self) -> str:
        return f"entry {self.entry_id}: {self.detail}"


@dataclass
class Walk:
    """A walk along the chain in id order: how far it held, and where it broke first."""

    last_hash: str = GENESIS
    count: int = 0
    last_id: int | None = None
    broken: Break | None = None

    def step(self, record: Mapping[str, Any], key: str | None = None) -> bool:
        """Check the next record (a dict with `id`, the content, `prev_hash` and `hash`);
        False, and `broken` set, if it does not hold."""
        own = digest(record, record["prev_hash"], key)
        if not hmac.compare_digest(own, record["hash"]):
            self.broken = Break(
                record["id"],
                "changed",
                "its content does not match its hash: it was changed, or inserted without the key",
            )
            return False
        if record["prev_hash"] != self.last_hash:
            where = f"after entry {self.last_id}" if self.last_id else "at the start"
            self.broken = Break(
                record["id"],
                "missing_before",
                f"it does not follow the entry before it: entries were deleted {where}, "
                "or this one was copied or moved here",
            )
            return False
        self.count += 1
        self.last_id = record["id"]
        self.last_hash = record["hash"]
        return True


def walk(
    records: Iterable[Mapping[str, Any]], *, start: str = GENESIS, key: str | None = None
) -> Walk:
    """Check records in id order from `start`; stop at the first that does not hold."""
    result = Walk(last_hash=start)
    for record in records:
        if not result.step(record, key):
            break
    return result


def lines(records: Iterable[Mapping[str, Any]]) -> Iterator[str]:
    """JSON lines of records, as an export holds them."""
    for record in records:
        yield json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n"
