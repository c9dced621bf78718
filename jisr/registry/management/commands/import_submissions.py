from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from jisr.accounts.models import User
from jisr.lib.errors import JisrError
from jisr.registry.imports.xlsform import submissions_import


class Command(BaseCommand):
    help = (
        "Import the submissions exported from KoboToolbox or ODK Central (CSV or XLSX) of the "
        "form `jisr xlsform` writes. All or nothing; importing the same file again adds nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--by", required=True, help="e-mail of the caseworker registering them")

    def handle(self, *args: Any, **options: Any) -> None:
        by = User.objects.filter(email=options["by"].lower()).first()
        if by is None:
            raise CommandError(f"No account with the e-mail {options['by']}.")
        if not options["file"].exists():
            raise CommandError(f"No file at {options['file']}.")
        with translation.override(by.language):
            try:
                created, skipped = submissions_import(by=by, path=options["file"])
            except JisrError as error:
                lines = [str(error.message)] + [
                    f"  {where}: {'; '.join(why)}" for where, why in error.fields.items()
                ]
                raise CommandError("\n".join(lines)) from None
        self.stdout.write(f"Imported {created} persons; {skipped} were already imported.")
