"""The registry's background task: after a category rule changes, everyone is recategorised."""

from __future__ import annotations

from django_tasks import task

from jisr.registry.caseform.categories import recategorise_all


@task()
def recategorise_all_task() -> int:
    """Every person's categories again, household by household; returns the households done."""
    return recategorise_all()
