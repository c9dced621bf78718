"""Background tasks of general use, and how every task is queued (decision 0022).

Each task takes plain values and calls a function that does the work, so it runs the same inline
(development) or on a worker (production). Tasks are queued once the surrounding transaction
commits (never for a rolled-back change) by `enqueue_on_commit`. When Redis cannot be reached the
task waits in the database (the "waiting" backend) and the worker hands it to Redis later: the
page that caused it still answers. Work a person starts and waits for (a linkage run) first
asks `queue_require`, so that they are told at once, and nothing is kept, when the queue is down.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_tasks import task
from django_tasks.base import Task

from jisr.lib.errors import JisrError

logger = logging.getLogger(__name__)


@task()
def send_email_task(subject: str, body: str, recipients: list[str]) -> int:
    return send_mail(subject, body, None, recipients)


def send_email_on_commit(subject: str, body: str, recipients: list[str]) -> None:
    """Queue an e-mail once the surrounding transaction commits (never for a rolled-back change)."""
    enqueue_on_commit(send_email_task, subject, body, recipients)


def redis_errors() -> tuple[type[Exception], ...]:
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    return (RedisConnectionError, RedisTimeoutError, OSError)


def enqueue(task: Task[Any, Any], *args: Any) -> None:
    """Queue `task` now; with Redis unreachable it waits in the database for the worker."""
    if settings.JISR_TASKS != "redis":
        task.enqueue(*args)
        return
    try:
        task.enqueue(*args)
    except redis_errors():
        logger.warning("Redis unreachable: task %s waits in the database", task.name)
        task.using(backend="waiting").enqueue(*args)


def enqueue_on_commit(task: Task[Any, Any], *args: Any) -> None:
    """Queue `task` once the surrounding transaction commits (see `enqueue`)."""
    transaction.on_commit(lambda: enqueue(task, *args))


def queue_reachable() -> bool:
    """Can a task be queued now? Always with the inline and database backends; a ping of Redis
    (2 s at most) with the Redis backend."""
    if settings.JISR_TASKS != "redis":
        return True
    import django_rq

    try:
        return bool(django_rq.get_connection("default").ping())
    except redis_errors():
        return False


def queue_require() -> None:
    """Refuse work a person starts and waits for while the queue cannot take it (nothing is
    written: the caller's transaction rolls back)."""
    if not queue_reachable():
        raise JisrError(
            "queue_unavailable",
            _(
                "The background worker cannot be reached just now, so nothing was started. "
                "Try again in a few minutes; if it goes on, tell your administrator."
            ),
            status=503,
        )
