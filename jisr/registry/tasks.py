from __future__ import annotations

from django.db import transaction
from django_tasks import task


@task()
def recategorise_all_task() -> int:
    """After a rule changes: every person's categories again, household by household."""
    from jisr.registry.models import Household
    from jisr.registry.services import recategorise_household

    done = 0
    for household in Household.objects.order_by("pk").iterator(chunk_size=500):
        with transaction.atomic():
            recategorise_household(household)
        done += 1
    return done
