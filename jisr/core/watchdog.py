"""The worker's watchdog and the heartbeat of running tasks (decision 0023).

`jisr worker` runs `watch` in a thread beside the queue's worker. Every
JISR_TASK_HEARTBEAT_SECONDS it records that the worker lives (`WorkerHeartbeat`, read by the
health check), hands the tasks that waited in the database while Redis was down to Redis, and
calls every registered sweep: an app whose task keeps a record (a linkage run) registers one that
finds the records whose heartbeat stopped (their worker was killed) and runs them once more or
marks them failed. A task keeps its record's heartbeat fresh with `beating`.

The queue's worker forks a child for each task while this thread lives (decision 0049). A child
forked while the thread is inside SQLite inherits SQLite's locks as they stood and can wait on
them for ever (CI saw an import that never ran), so a fork waits for the round to end, and a
round closes its connection, leaving no open connection for the child to copy.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django_tasks.base import Task

from jisr.core.models import WorkerHeartbeat
from jisr.core.tasks import enqueue_on_commit

logger = logging.getLogger(__name__)

_sweeps: list[Callable[[datetime], object]] = []

# Held through a watchdog round and across every fork of this process.
_round_lock = threading.Lock()
_fork_waits_for_rounds = False


def sweep_register(sweep: Callable[[datetime], object]) -> None:
    """`sweep(cutoff)` deals with the records whose heartbeat is older than `cutoff`."""
    if sweep not in _sweeps:
        _sweeps.append(sweep)


def stale_requeue(
    running: QuerySet[Any],
    *,
    cutoff: datetime,
    queued: str,
    failed: str,
    error: str,
    task: Task[Any, Any],
) -> tuple[list[int], int]:
    """The records among `running` whose heartbeat is older than `cutoff` (their worker was
    killed): taken once, set `queued` and their task queued again; taken twice, set `failed`
    with `error`. Returns (the ids queued again, how many failed)."""
    stale = running.filter(heartbeat_at__lt=cutoff)
    with transaction.atomic():
        again = list(stale.filter(attempts__lt=2).values_list("pk", flat=True))
        # The same condition in each UPDATE: a record that beat meanwhile is left alone.
        stale.filter(pk__in=again).update(status=queued, heartbeat_at=None)
        given_up = stale.filter(attempts__gte=2).update(
            status=failed, finished_at=timezone.now(), error=error
        )
        for pk in again:
            enqueue_on_commit(task, pk)
    return again, given_up


def stale_cutoff() -> datetime:
    return timezone.now() - timedelta(seconds=settings.JISR_TASK_STALE_SECONDS)


def worker_beat(name: str) -> None:
    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(name=name, defaults={"beat_at": now})
    # Workers gone for a day are forgotten (a restart has another pid).
    WorkerHeartbeat.objects.filter(beat_at__lt=now - timedelta(days=1)).delete()


def worker_last_beat() -> datetime | None:
    latest = WorkerHeartbeat.objects.order_by("-beat_at").first()
    return latest.beat_at if latest else None


def waiting_tasks_forward() -> int:
    """Hand the tasks that waited in the database (Redis was down) to Redis, oldest first;
    those that still cannot go stay. Returns how many went."""
    if settings.JISR_TASKS != "redis":
        return 0
    from django_tasks_db.models import DBTaskResult

    from jisr.core.tasks import redis_errors

    sent = 0
    while True:
        with transaction.atomic():
            row = DBTaskResult.objects.ready().filter(backend_name="waiting").get_locked()
            if row is None:
                return sent
            arguments = row.args_kwargs
            try:
                row.task.using(backend="default").enqueue(*arguments["args"], **arguments["kwargs"])
            except redis_errors():
                return sent
            row.delete()
            sent += 1


def watch_once(name: str) -> None:
    """One round of the watchdog: beat, forward what waited, sweep stale records."""
    close_old_connections()
    worker_beat(name)
    waiting_tasks_forward()
    cutoff = stale_cutoff()
    for sweep in _sweeps:
        sweep(cutoff)


def fork_wait_for_rounds() -> None:
    """From now on a fork of this process waits until no watchdog round is under way."""
    global _fork_waits_for_rounds
    if _fork_waits_for_rounds:
        return
    os.register_at_fork(
        before=_round_lock.acquire,
        after_in_parent=_round_lock.release,
        after_in_child=_round_lock.release,
    )
    _fork_waits_for_rounds = True


def watch(stop: threading.Event) -> None:
    """The watchdog's loop (a daemon thread of `jisr worker`); an error is logged, never fatal:
    the next round tries again. No fork of the worker happens during a round."""
    name = f"{socket.gethostname()}:{os.getpid()}"
    fork_wait_for_rounds()
    while not stop.is_set():
        with _round_lock:
            try:
                watch_once(name)
            except Exception:
                logger.exception("worker watchdog round failed")
            finally:
                connection.close()
        stop.wait(settings.JISR_TASK_HEARTBEAT_SECONDS)


@contextmanager
def beating(beat: Callable[[], object]) -> Iterator[None]:
    """Call `beat` (which refreshes a record's heartbeat) every JISR_TASK_HEARTBEAT_SECONDS
    while the block runs, from a thread with its own database connection. Inline tasks
    (JISR_TASKS=immediate) run inside a request, where no watchdog looks: no thread."""
    if settings.JISR_TASKS == "immediate":
        yield
        return
    stop = threading.Event()

    def loop() -> None:
        try:
            while not stop.wait(settings.JISR_TASK_HEARTBEAT_SECONDS):
                try:
                    beat()
                except Exception:
                    logger.exception("task heartbeat failed")
        finally:
            connection.close()

    thread = threading.Thread(target=loop, name="task-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
