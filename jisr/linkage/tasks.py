"""Background work of the linkage app: a run takes minutes on large registers, and the golden
record of every register takes seconds. Each task takes plain values and calls the code that
writes; services enqueue them once their transaction commits."""

from __future__ import annotations

import datetime as dt
import logging

from django_tasks import task

from jisr.core.watchdog import stale_requeue
from jisr.linkage.golden import clusters_recompute
from jisr.linkage.models import LinkageRun
from jisr.linkage.runs import run_execute

logger = logging.getLogger(__name__)


@task()
def run_linkage_task(run_id: int) -> None:
    """Idempotent: a run already taken or finished is left alone (`run_execute`)."""
    run_execute(run_id=run_id)


@task()
def recluster_task() -> None:
    """The golden record after records were withdrawn: every record's cluster, recomputed."""
    clusters_recompute()


def runs_stale_sweep(cutoff: dt.datetime) -> list[int]:
    """Runs whose worker was killed (heartbeat older than `cutoff`): taken once, they are queued
    again; taken twice, they are marked failed. Returns the ids queued again."""
    again, failed = stale_requeue(
        LinkageRun.objects.filter(status=LinkageRun.Status.RUNNING),
        cutoff=cutoff,
        queued=LinkageRun.Status.QUEUED,
        failed=LinkageRun.Status.FAILED,
        error="The worker stopped twice during this run; it was not run again.",
        task=run_linkage_task,
    )
    if again or failed:
        logger.warning("stale linkage runs: %s queued again, %s failed", len(again), failed)
    return again
