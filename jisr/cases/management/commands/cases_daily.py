from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from jisr.cases import services


class Command(BaseCommand):
    help = (
        "The daily round of case management: referrals not answered by their due date expire, "
        "then the early-warning rules run. Run it once a day (a cron job or systemd timer)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--full",
            action="store_true",
            help="Run the early-warning rules over every case, not only over what changed "
            "since the last scan (the result is the same; it takes longer).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        expired = services.referrals_expire()
        # The platform's daily round.
        result = services.flags_scan(by=None, full=options["full"])
        self.stdout.write(
            f"{expired} referrals expired; early warning: {result['raised']} raised, "
            f"{result['resolved']} resolved."
        )
