from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from jisr.cases import services, warnings


class Command(BaseCommand):
    help = (
        "The daily round of case management: referrals not answered by their due date expire, "
        "then the early-warning rules run. Run it once a day (a cron job or systemd timer)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        expired = services.expire_unanswered()
        result = warnings.scan()
        self.stdout.write(
            f"{expired} referrals expired; early warning: {result['raised']} raised, "
            f"{result['resolved']} resolved."
        )
