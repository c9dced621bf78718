from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jisr.lib.spreadsheets import csv_writer
from jisr.skills.coding import code_text
from jisr.skills.models import Occupation


class Command(BaseCommand):
    help = (
        "Propose ISCO-08 unit groups (through ESCO occupations) for job titles or descriptions. "
        "IN.csv has columns id,text; OUT.csv gets id,rank,code,label,score, rank 1 best."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("infile", type=Path, metavar="IN.csv")
        parser.add_argument("--out", type=Path, required=True, metavar="OUT.csv")
        parser.add_argument("--top", type=int, default=5)

    def handle(self, *args: Any, **options: Any) -> None:
        options["infile"], options["out"] = Path(options["infile"]), Path(options["out"])
        if not Occupation.objects.exists():
            raise CommandError("The taxonomy is not loaded: run `jisr load-taxonomy` first.")
        if options["top"] < 1:
            raise CommandError("--top must be at least 1.")
        try:
            with options["infile"].open(encoding="utf-8-sig", newline="") as handle:
                rows = list(csv.DictReader(handle))
        except (OSError, UnicodeDecodeError, csv.Error) as error:
            raise CommandError(f"Cannot read {options['infile']}: {error}") from None
        if rows and not {"id", "text"} <= set(rows[0]):
            raise CommandError("IN.csv needs the columns id and text.")
        with options["out"].open("w", encoding="utf-8", newline="") as handle:
            writer = csv_writer(handle)
            writer.writerow(["id", "rank", "code", "label", "score"])
            for row in rows:
                for rank, proposal in enumerate(
                    code_text(row.get("text") or "", options["top"]), 1
                ):
                    writer.writerow(
                        [row["id"], rank, proposal.isco_group, proposal.label, proposal.score]
                    )
        self.stdout.write(f"Coded {len(rows)} texts into {options['out']}.")
