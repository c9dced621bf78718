"""Background work of the linkage app: a run takes minutes on large registers, and the golden
record of every register takes seconds. Each task takes plain values and calls the code that
writes; services enqueue them once their transaction commits."""

from __future__ import annotations

from django_tasks import task

from jisr.linkage.golden import clusters_recompute
from jisr.linkage.runs import run_execute


@task()
def run_linkage_task(run_id: int) -> None:
    """Idempotent: a run already taken or finished is left alone (`run_execute`)."""
    run_execute(run_id=run_id)


@task()
def recluster_task() -> None:
    """The golden record after records were withdrawn: every record's cluster, recomputed."""
    clusters_recompute()
