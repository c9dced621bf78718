from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser, no_translations

from jisr.accounts.models import User
from jisr.lib.errors import JisrError
from jisr.lib.spreadsheets import UnreadableFile
from jisr.linkage.imports import TARGETS
from jisr.linkage.models import Register, RegisterUpload
from jisr.linkage.uploading import register_file_import

FIELDS = [target.key for target in TARGETS]


class Command(BaseCommand):
    help = (
        "Import a register's file (CSV or XLSX), however large: read as a stream, every row "
        "checked first (nothing is written if any is wrong, and the rows' problems are listed), "
        "then written in chunks with progress. Records keep their record number: one already in "
        "the register is updated, a new one added, one no longer in the file withdrawn. Run "
        "again on the same file (by its SHA-256), it goes on after the last chunk written; a "
        "file imported to the end adds nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("register", help="the register's id, or its name")
        parser.add_argument("file")
        parser.add_argument(
            "--mapping",
            nargs="+",
            default=[],
            metavar="COLUMN=FIELD",
            help="the file's column for each field: " + ", ".join(FIELDS) + " (default: the "
            "register's columns at its last import, else a guess from the headers)",
        )
        parser.add_argument(
            "--by",
            help="e-mail of the analyst importing it, named in the audit log (default: whoever "
            "created the register)",
        )

    @no_translations  # the report is in English, as the command's other output
    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path} is not a file.")
        register = self._register(options["register"])
        by = register.created_by
        if options["by"]:
            by = User.objects.filter(email=options["by"].lower()).first()
            if by is None:
                raise CommandError(f"No account with the e-mail {options['by']}.")
        if by is None:
            raise CommandError("Name the analyst importing the file with --by.")
        mapping = {}
        for pair in options["mapping"]:
            column, _sep, key = pair.rpartition("=")
            if not column or key not in FIELDS:
                raise CommandError(f"--mapping {pair}: write COLUMN=FIELD, FIELD one of {FIELDS}.")
            mapping[key] = column
        started, said = time.monotonic(), [0.0]

        def progress(upload: RegisterUpload) -> None:
            now = time.monotonic()
            if now - said[0] >= 2 or upload.done == upload.total:
                said[0] = now
                rate = upload.done / max(now - started, 1e-9)
                self.stdout.write(f"{upload.done:,} of {upload.total:,} records ({rate:,.0f}/s)")

        self.stdout.write(f"Checking {path.name}…")
        try:
            result = register_file_import(
                by=by, register=register, path=path, mapping=mapping, progress=progress
            )
        except UnreadableFile as error:
            raise CommandError(str(error.message)) from None
        except JisrError as error:
            raise CommandError(str(error.message)) from None
        upload, check = result.upload, result.check
        if result.finished_before:
            self.stdout.write(
                f"{path.name} was imported to the end on {upload.finished_at:%Y-%m-%d %H:%M}: "
                "nothing added."
            )
            return
        if check is not None and check.error_count:
            for problem in check.errors:
                where = f"row {problem.row}" if problem.row else "columns"
                self.stderr.write(f"{where}, {problem.column}: {problem.reason}")
            if check.error_count > len(check.errors):
                self.stderr.write(f"… and {check.error_count - len(check.errors):,} more.")
            raise CommandError(f"{check.error_count:,} problems in the file; nothing was imported.")
        counts = upload.counts
        self.stdout.write(
            f"Imported {upload.total:,} records into {register.name}"
            + (" (resumed)" if result.resumed else "")
            + f": {counts.get('created', 0):,} new, {counts.get('updated', 0):,} updated, "
            f"{counts.get('unchanged', 0):,} unchanged, {counts.get('withdrawn', 0):,} withdrawn."
        )

    def _register(self, given: str) -> Register:
        registers = Register.objects.select_related("created_by").exclude(
            kind=Register.Kind.JISR_REGISTRY
        )
        found = list(registers.filter(pk=int(given))) if given.isdigit() else []
        found = found or list(registers.filter(name=given))
        if not found:
            raise CommandError(f"No register {given!r}.")
        if len(found) > 1:
            raise CommandError(f"Several registers are named {given!r}: give its id.")
        return found[0]
