"""What the health endpoint checks (`/health/`, for the proxy, the load balancer and monitoring).

Each check answers "ok" or a short reason, never a secret, a host name or an error's text: the
database answers a query; the queue takes tasks (a ping of Redis; the database backend is the
database; inline needs nothing); a worker beat within JISR_TASK_STALE_SECONDS (none is needed
inline); the configured encryption keys decrypt the stored known value (`keycheck`). Each check
is one small query or one ping: cheap enough for a probe every few seconds.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.db import connection
from django.utils import timezone

from jisr.core import keycheck
from jisr.core.models import KeyCheck
from jisr.core.tasks import queue_reachable
from jisr.core.watchdog import worker_last_beat

logger = logging.getLogger(__name__)


def _database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def _queue() -> str:
    if settings.JISR_TASKS == "immediate":
        return "ok"  # tasks run inside the request
    return "ok" if queue_reachable() else "unreachable"


def _worker() -> str:
    if settings.JISR_TASKS == "immediate":
        return "ok"
    beat = worker_last_beat()
    if beat is None:
        return "no heartbeat"
    age = (timezone.now() - beat).total_seconds()
    return "ok" if age <= settings.JISR_TASK_STALE_SECONDS else "stale"


def _keys() -> str:
    if not KeyCheck.objects.exists():
        # A database made before the check existed, or emptied: nothing to compare yet.
        keycheck.keycheck_write()
    return "ok" if keycheck.keys_read_stored_data() else "keys do not decrypt stored data"


CHECKS: dict[str, Callable[[], str]] = {
    "database": _database,
    "queue": _queue,
    "worker": _worker,
    "keys": _keys,
}


def health_checks() -> dict[str, str]:
    """Every check's answer; a check that raises answers "failed" (the error is logged)."""
    answers = {}
    for name, check in CHECKS.items():
        try:
            answers[name] = check()
        except Exception:
            logger.exception("health check %s failed", name)
            answers[name] = "failed"
    return answers
