"""The one rate limiter: how often a key (a phone number, an address, an API key) may do
something, counted in the database so that every web process and worker shares the count.

Each key has a bucket that holds up to `limit` hits and empties at `limit` hits per `window`
(the generic cell rate algorithm): `limit` hits may come at once, then one every
`window / limit`. The whole state of a key is one number, the time its bucket is empty again
(`tat`), so a hit is one conditional UPDATE that the database applies atomically: it moves
`tat` on only while the bucket has room. Two requests racing for the last place cannot both
get it, on SQLite (writes are serialised) or on PostgreSQL (the second UPDATE waits for the
first's row lock and re-checks its condition against the new value).

Why the database and not Redis: it works with no server, in development and on a single
machine, and it is shared by every process as it is. Redis can replace the two statements of
`_hit` later without changing a caller.

Transactions: a hit is made in the caller's transaction. A refused hit writes nothing, so the
rollback of a refused request loses nothing. An allowed hit is committed with what it allowed:
if the request fails afterwards and rolls back, nothing was sent and the hit is undone with it.
`rate_limits_hit` takes several hits all or nothing. Called outside a transaction (from
middleware, before the view's ATOMIC_REQUESTS transaction), a hit commits at once and holds no
row lock for the rest of the request: the place for limits on requests themselves.
"""

from __future__ import annotations

import hmac
import ipaddress
import math
import random
import time
from dataclasses import dataclass
from datetime import timedelta
from hashlib import sha256

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import F, FloatField, Value
from django.db.models.functions import Greatest
from django.http import HttpRequest
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from jisr.core.models import RateLimitCounter
from jisr.lib.errors import JisrError

# Idle keys are equivalent to absent rows; about one hit in this many deletes them.
PRUNE_EVERY = 200


class RateLimited(JisrError):
    """A hit refused; `retry_after` is the number of seconds until the next one is allowed."""

    def __init__(self, message: str | Promise, *, retry_after: int) -> None:
        super().__init__("rate_limited", message, status=429)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Hit:
    bucket: str
    key: str
    limit: int
    window: timedelta
    # Says what was refused ("Too many ..."); the time to wait is added after it.
    message: str | Promise | None = None


def _clock() -> float:
    return time.time()


def _hashed(bucket: str, key: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"{bucket}\0{key}".encode(), sha256).hexdigest()


def _hit(hit: Hit, now: float) -> float | None:
    """Take one place in the key's bucket; None when taken, else the seconds until one frees."""
    if hit.limit < 1:
        raise ValueError("A rate limit allows at least one hit.")
    interval = hit.window.total_seconds() / hit.limit
    key = _hashed(hit.bucket, hit.key)
    RateLimitCounter.objects.bulk_create(
        [RateLimitCounter(bucket=hit.bucket, key=key, tat=now)], ignore_conflicts=True
    )
    # Room for one more while the bucket empties within window - interval from now.
    taken = RateLimitCounter.objects.filter(
        bucket=hit.bucket, key=key, tat__lte=now + hit.window.total_seconds() - interval
    ).update(tat=Greatest(F("tat"), Value(now, output_field=FloatField())) + interval)
    if taken:
        return None
    tat = RateLimitCounter.objects.filter(bucket=hit.bucket, key=key).values_list("tat", flat=True)[
        0
    ]
    return max(tat - hit.window.total_seconds() + interval - now, 1.0)


def rate_limits_hit(*hits: Hit) -> None:
    """Count every hit, or none of them when one is refused (raising RateLimited)."""
    now = _clock()
    with transaction.atomic():
        for hit in hits:
            wait = _hit(hit, now)
            if wait is not None:
                raise RateLimited(_refusal(hit.message, wait), retry_after=math.ceil(wait))
    if random.randrange(PRUNE_EVERY) == 0:  # noqa: S311  # spreading work, not a secret
        rate_limit_prune()


def rate_limit_hit(
    *, bucket: str, key: str, limit: int, window: timedelta, message: str | Promise | None = None
) -> None:
    """At most `limit` hits per `window` for `key` in `bucket`; RateLimited (429) beyond."""
    rate_limits_hit(Hit(bucket=bucket, key=key, limit=limit, window=window, message=message))


def rate_limit_prune() -> int:
    """Delete the keys whose bucket is empty: they count as if they had never been hit."""
    try:
        with transaction.atomic():
            deleted, _by_model = RateLimitCounter.objects.filter(tat__lt=_clock()).delete()
    except DatabaseError:
        # Another process pruning the same rows (a deadlock on PostgreSQL): it does the work.
        return 0
    return deleted


def _refusal(message: str | Promise | None, wait: float) -> str:
    minutes = max(1, math.ceil(wait / 60))
    if minutes <= 90:
        when = ngettext(
            "Try again in %(count)s minute.", "Try again in %(count)s minutes.", minutes
        ) % {"count": minutes}
    else:
        hours = math.ceil(minutes / 60)
        when = ngettext("Try again in %(count)s hour.", "Try again in %(count)s hours.", hours) % {
            "count": hours
        }
    what = message or _("Too many requests.")
    return f"{what} {when}"


def client_address(request: HttpRequest) -> str:
    """The address of the client, as the nearest party that can be trusted saw it.

    REMOTE_ADDR, unless `JISR_TRUSTED_PROXY_COUNT` proxies of our own stand in front: then the
    address the outermost of them saw, which it appended to X-Forwarded-For. Everything left of
    it was written by the client and is never believed.
    """
    remote = str(request.META.get("REMOTE_ADDR") or "")
    trusted = settings.JISR_TRUSTED_PROXY_COUNT
    forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR") or "")
    if trusted <= 0 or not forwarded:
        return remote
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    if not hops:
        return remote
    candidate = hops[max(len(hops) - trusted, 0)]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def client_key(request: HttpRequest) -> str:
    """The client's address as a rate-limit key: an IPv6 client is its /64, which one home or
    one phone holds whole and can take any address of."""
    address = client_address(request)
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{parsed}/64", strict=False))
    return str(parsed)
