from __future__ import annotations

import threading
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from jisr.core.watchdog import watch


class Command(BaseCommand):
    help = (
        "Run the background worker for the configured task backend (JISR_TASKS), with its "
        "watchdog: a heartbeat for the health check, tasks that waited for Redis handed to it, "
        "runs whose worker was killed run once more (docs/operations.md)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--burst", action="store_true", help="Run the tasks waiting now, then stop (tests)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.JISR_TASKS == "immediate":
            raise CommandError("JISR_TASKS=immediate runs tasks inside requests: no worker needed.")
        stop = threading.Event()
        watchdog = threading.Thread(target=watch, args=(stop,), name="watchdog", daemon=True)
        watchdog.start()
        try:
            if settings.JISR_TASKS == "database":
                call_command("db_worker", *(["--batch"] if options["burst"] else []))
            else:
                # django-tasks-rq's Job runs a Task (RQ's own would call it and fail).
                call_command(
                    "rqworker",
                    "default",
                    job_class="django_tasks_rq.backend.Job",
                    burst=options["burst"],
                )
        finally:
            stop.set()
            watchdog.join(timeout=10)
