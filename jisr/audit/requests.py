"""A request's audit entries are appended when its view returns, at the end of the request's
transaction (decision 0046).

Appending an entry takes the audit chain's lock (`chain.lock`), held until the transaction
commits. With `ATOMIC_REQUESTS` an audited read (a search's results, a case page) appended its
entry while the view ran, so the lock was held through the rest of the view and its template:
every other audited request on the site waited that long. Each view of the URLconf is wrapped
so that, inside the request's transaction, the entries it writes are kept and appended
together when it returns: the same transaction (a read is never shown without its entry, a
request that fails writes none), with the lock held for the append and the commit only.

Entries written inside a savepoint the view opened (a service's own `transaction.atomic()`)
are appended at once, as before: a savepoint rolled back takes its entries with it."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

from django.db import transaction
from django.urls import URLPattern, URLResolver

from jisr.audit.models import held_to_the_end

_WRAPPED = "_jisr_audit_held"


def _held(view: Callable[..., Any]) -> Callable[..., Any]:
    if getattr(view, _WRAPPED, False):
        return view

    @functools.wraps(view)
    def held(request: Any, *args: Any, **kwargs: Any) -> Any:
        if not transaction.get_connection().in_atomic_block:  # a view with non_atomic_requests
            return view(request, *args, **kwargs)
        with held_to_the_end(whole=False):
            return view(request, *args, **kwargs)

    setattr(held, _WRAPPED, True)
    return held


def entries_at_the_end(patterns: Sequence[URLPattern | URLResolver]) -> None:
    """Wrap every view `patterns` reach (included URLconfs too), in place."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            entries_at_the_end(pattern.url_patterns)
        else:
            pattern.callback = _held(pattern.callback)
