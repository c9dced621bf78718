from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from jisr.registry.imports.xlsform import build_xlsform


class Command(BaseCommand):
    help = "Write the standard case form as an XLSForm (Arabic, Kurdish, English) for ODK/Kobo."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", default="jisr-case-form.xlsx", help="the .xlsx file to write")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["out"])
        build_xlsform().save(path)
        self.stdout.write(f"Wrote {path}")
