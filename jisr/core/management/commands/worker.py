from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Run the background worker for the configured task backend (JISR_TASKS)."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.JISR_TASKS == "database":
            call_command("db_worker")
        elif settings.JISR_TASKS == "redis":
            call_command("rqworker", "default")
        else:
            raise CommandError("JISR_TASKS=immediate runs tasks inside requests: no worker needed.")
