"""Background work of the linkage app: a run takes minutes on large registers."""

from __future__ import annotations

from django_tasks import task


@task()
def run_linkage_task(run_id: int) -> None:
    from jisr.linkage.runs import execute

    execute(run_id)


@task()
def recluster_task() -> None:
    """The golden record after records were withdrawn: every record's cluster, recomputed."""
    from jisr.linkage.golden import recluster

    recluster()
