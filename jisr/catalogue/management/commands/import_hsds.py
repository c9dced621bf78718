from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from jisr.catalogue.hsds import import_documents

SHARED_SCHEMAS = Path(settings.BASE_DIR).parent / "shared" / "data" / "hsds-3.0" / "compiled"


class Command(BaseCommand):
    help = (
        "Import another directory's Open Referral HSDS 3.0 documents (services, organisations and "
        "lists of them, in any folder depth); idempotent. Imported services are published."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder")
        parser.add_argument(
            "--schemas", default=str(SHARED_SCHEMAS),
            help="HSDS 3.0's compiled JSON Schemas, to check each document first.",
        )  # fmt: skip

    def handle(self, *args: Any, **options: Any) -> None:
        folder = Path(options["folder"])
        if not folder.is_dir():
            raise CommandError(f"{folder} is not a folder.")
        schemas: Path | None = Path(options["schemas"])
        if schemas is not None and not (schemas / "service.json").exists():
            self.stderr.write(f"No HSDS schemas at {schemas}: documents are not validated first.")
            schemas = None
        result = import_documents(folder, schemas=schemas)
        for problem in result.problems:
            self.stderr.write(problem)
        self.stdout.write(
            f"Imported {result.services} new services, {result.organisations} new organisations, "
            f"{result.locations} new locations; {len(result.problems)} problems reported."
        )
