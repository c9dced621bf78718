from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from jisr.cases import services


class Command(BaseCommand):
    help = (
        "The daily round of case management: referrals not answered by their due date expire, "
        "then the early-warning rules run. Run it once a day (a cron job or systemd timer)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        expired = services.referrals_expire()
        result = services.flags_scan(by=None)  # the platform's daily round
        self.stdout.write(
            f"{expired} referrals expired; early warning: {result['raised']} raised, "
            f"{result['resolved']} resolved."
        )
