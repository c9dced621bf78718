from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from jisr.core.demo import DEMO_PASSWORD, build_demo


class Command(BaseCommand):
    help = "Migrate the database and load the demo organisations and accounts (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=2026, help="seed of the demo generator")
        parser.add_argument("--staff-per-branch", type=int, default=2)

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError(
                "The demo has known passwords; it cannot run with JISR_ENV=production."
            )
        call_command("migrate", interactive=False, verbosity=0)
        result = build_demo(seed=options["seed"], staff_per_branch=options["staff_per_branch"])
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo ready: {result.organisations} organisations, {result.users} accounts, "
                f"{result.persons} persons."
            )
        )
        self.stdout.write(
            f"Open {settings.SITE_URL}/ and sign in (demo only) with password {DEMO_PASSWORD}:"
        )
        for account in result.accounts:
            self.stdout.write(f"  {account.role.value:<20} {account.email}")
        if not settings.JISR_REQUIRE_2FA:
            self.stdout.write(
                self.style.WARNING(
                    "Two-factor authentication is off (JISR_REQUIRE_2FA=0): demo only."
                )
            )
