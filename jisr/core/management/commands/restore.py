from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jisr.core import backup


class Command(BaseCommand):
    help = (
        "Restore a back-up made by `jisr backup` into an empty database (DATABASE_URL), then "
        "check every table's rows against the back-up, the audit chain and the encryption keys. "
        "With --check, only compare the database with the back-up."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path)
        parser.add_argument(
            "--check",
            action="store_true",
            help="restore nothing: compare the configured database with the back-up",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        archive: Path = options["archive"]
        try:
            if options["check"]:
                result = backup.verify(backup.read_manifest(archive))
            else:
                result = backup.restore(archive)
        except backup.BackupError as error:
            raise CommandError(str(error)) from None
        if not result.holds:
            raise CommandError(
                "The database does not match the back-up:\n- " + "\n- ".join(result.problems)
            )
        self.stdout.write(
            f"The database matches the back-up: {result.tables} tables, {result.rows} rows; "
            f"the audit chain holds ({result.audit_entries} entries); the keys read every "
            "encrypted column."
        )
