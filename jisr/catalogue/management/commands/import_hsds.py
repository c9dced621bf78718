from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser, no_translations

from jisr.accounts.models import User
from jisr.catalogue.hsds.importing import catalogue_import
from jisr.lib.errors import JisrError


class Command(BaseCommand):
    help = (
        "Import another directory's Open Referral HSDS 3.0 documents (services, organisations and "
        "lists of them, in any folder depth); idempotent, and all or nothing: every document is "
        "checked first (HSDS 3.0's schemas, shipped with Jisr, then Jisr's own checks) and if any "
        "is wrong nothing is imported and every problem is listed by file and place. "
        "Organisations Jisr does not know are created as unverified providers; those Jisr manages "
        "are left as they are. Imported services wait for the catalogue administrator's review, "
        "unless --publish."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder")
        parser.add_argument(
            "--by",
            help="e-mail of the catalogue administrator running the import (named in the audit "
            "log; required with --publish)",
        )
        parser.add_argument(
            "--publish",
            action="store_true",
            help="Publish the imported services at once, as reviewed by --by, instead of sending "
            "them to the review queue.",
        )

    @no_translations  # the report is in English, as the documents' problems are
    def handle(self, *args: Any, **options: Any) -> None:
        folder = Path(options["folder"])
        if not folder.is_dir():
            raise CommandError(f"{folder} is not a folder.")
        by = None
        if options["by"]:
            by = User.objects.filter(email=options["by"].lower()).first()
            if by is None:
                raise CommandError(f"No account with the e-mail {options['by']}.")
        elif options["publish"]:
            raise CommandError("--publish needs --by, the catalogue administrator who publishes.")
        try:
            result = catalogue_import(folder, by=by, publish=options["publish"])
        except JisrError as error:
            if error.code == "invalid":
                for name, problems in error.fields.items():
                    for problem in problems:
                        self.stderr.write(f"{name}: {problem}")
                raise CommandError(str(error.message)) from None
            raise CommandError(
                f"{error.message} (--publish takes an account that may review services)"
            ) from None
        for problem in result.problems:
            self.stderr.write(problem)
        waiting = "published" if options["publish"] else "sent for review"
        self.stdout.write(
            f"Imported {result.services} new services ({waiting}), {result.organisations} new "
            f"organisations, {result.locations} new locations; {len(result.problems)} problems "
            "reported."
        )
