from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from jisr.catalogue.hsds.export import catalogue_export


class Command(BaseCommand):
    help = "Write the published catalogue as Open Referral HSDS 3.0 JSON documents and tables."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", required=True, help="Folder to write into (made if needed).")

    def handle(self, *args: Any, **options: Any) -> None:
        counts = catalogue_export(Path(options["out"]))
        self.stdout.write(
            f"HSDS 3.0: {counts['services']} services, {counts['organizations']} organisations, "
            f"{counts['service_at_locations']} services at locations written to {options['out']}."
        )
