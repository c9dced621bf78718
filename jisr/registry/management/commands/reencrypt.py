from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from jisr.core.keycheck import keycheck_write
from jisr.registry.models import CaseAnswers, Person


class Command(BaseCommand):
    help = (
        "Re-encrypt identity numbers and health/protection answers with the newest key in "
        "JISR_ENCRYPTION_KEYS, and recompute the ID search index (see docs/operations.md)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        persons = answers = 0
        with transaction.atomic():
            for person in Person.objects.exclude(national_id=None).iterator(chunk_size=500):
                person.save(update_fields=["national_id", "national_id_index", "name_key"])
                persons += 1
            for record in CaseAnswers.objects.exclude(sensitive_answers=None).iterator(
                chunk_size=500
            ):
                record.save(update_fields=["sensitive_answers"])
                answers += 1
            keycheck_write()  # the health check's known value, with the newest key too
        self.stdout.write(f"Re-encrypted {persons} identity numbers and {answers} sets of answers.")
