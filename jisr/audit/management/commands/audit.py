"""`jisr audit verify` and `jisr audit export`: the audit log's chain, checked and handed over."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jisr.audit import chain, integrity


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"Not a date (YYYY-MM-DD): {text!r}") from None


def _anchor(text: str) -> tuple[int, str]:
    entry_id, _, entry_hash = text.partition(":")
    if not entry_id.isdigit() or len(entry_hash) != len(chain.GENESIS):
        raise CommandError(f"An anchor is ENTRY_ID:HASH, as `verify` prints it; got {text!r}")
    return int(entry_id), entry_hash


class Command(BaseCommand):
    help = (
        "The audit log's hash chain: `verify` walks it (or an export) and names the first entry "
        "that was changed, deleted or inserted; `export` writes a date range for an inspector."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="command", required=True)
        verify = commands.add_parser("verify", help="check the chain; exit 1 at the first break")
        verify.add_argument(
            "--anchor",
            metavar="ID:HASH",
            help="an entry noted from an earlier verify, which must still be there unchanged",
        )
        verify.add_argument("--file", type=Path, help="check an export instead of the database")
        export = commands.add_parser("export", help="entries of a date range, with their hashes")
        export.add_argument("--from", dest="first", type=_date, required=True)
        export.add_argument("--to", dest="last", type=_date, required=True)
        export.add_argument(
            "--out",
            type=Path,
            required=True,
            help="the file to write: JSON lines, or CSV if its name ends in .csv",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["command"] == "verify":
            self._verify(options)
        else:
            self._export(options)

    def _verify(self, options: dict[str, Any]) -> None:
        path: Path | None = options["file"]
        walked = integrity.verify_file(path) if path else integrity.verify_database()
        if walked.broken is not None:
            raise CommandError(
                f"The audit log is broken after {walked.count} good entries. "
                f"First broken: {walked.broken}."
            )
        if options["anchor"]:
            entry_id, entry_hash = _anchor(options["anchor"])
            if not integrity.anchor_holds(entry_id, entry_hash):
                raise CommandError(
                    f"Entry {entry_id} is gone or no longer has the hash noted: the log was cut "
                    "back or rewritten after it."
                )
        self.stdout.write(
            f"The audit chain holds: {walked.count} entries; the last is "
            f"{walked.last_id}:{walked.last_hash} (keep this anchor outside the database)."
        )

    def _export(self, options: dict[str, Any]) -> None:
        first: dt.date = options["first"]
        last: dt.date = options["last"]
        if last < first:
            raise CommandError("--to comes before --from.")
        out: Path = options["out"]
        # The export names records and persons by id: readable by its owner only.
        descriptor = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with open(descriptor, "w", encoding="utf-8", newline="") as handle:
            count = integrity.export_range(first, last, handle, as_csv=out.suffix.lower() == ".csv")
        self.stdout.write(f"{count} entries from {first} to {last} written to {out}.")
