from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from jisr.core import backup


class Command(BaseCommand):
    help = (
        "Back up the database to one checksummed .tar file (readable by its owner only): the "
        "database and a manifest of every table's rows. The encryption and audit keys are not "
        "in it: keep them in the secret store (docs/operations.md)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "out",
            nargs="?",
            type=Path,
            help="the file to write (default: jisr-backup-<time>.tar in this folder)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        out: Path = options["out"] or Path(f"jisr-backup-{timezone.now():%Y%m%dT%H%M%SZ}.tar")
        try:
            manifest = backup.backup(out)
        except backup.BackupError as error:
            raise CommandError(str(error)) from None
        tables = manifest["tables"]
        rows = sum(table["rows"] for table in tables.values())
        self.stdout.write(
            f"Backed up {len(tables)} tables, {rows} rows, to {out} "
            f"(SHA-256 of the database {manifest['database_sha256'][:16]}…; audit anchor "
            f"{manifest['audit_anchor']}). Keys needed to read it: "
            f"{', '.join(manifest['encryption_key_fingerprints'])}."
        )
