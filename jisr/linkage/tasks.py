"""Background work of the linkage app: a run takes minutes on large registers, and the golden
record of every register takes seconds. Each task takes plain values and calls the code that
writes; services enqueue them once their transaction commits."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from jisr.core.tasks import enqueue_on_commit
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
    stale = LinkageRun.objects.filter(status=LinkageRun.Status.RUNNING, heartbeat_at__lt=cutoff)
    with transaction.atomic():
        again = list(stale.filter(attempts__lt=2).values_list("pk", flat=True))
        # The same condition in each UPDATE: a run that beat meanwhile is left alone.
        requeued = stale.filter(pk__in=again).update(
            status=LinkageRun.Status.QUEUED, heartbeat_at=None
        )
        failed = stale.filter(attempts__gte=2).update(
            status=LinkageRun.Status.FAILED,
            finished_at=timezone.now(),
            error="The worker stopped twice during this run; it was not run again.",
        )
        for run_id in again:
            enqueue_on_commit(run_linkage_task, run_id)
    if requeued or failed:
        logger.warning("stale linkage runs: %s queued again, %s failed", requeued, failed)
    return again
