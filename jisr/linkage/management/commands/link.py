from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jisr.lib.spreadsheets import csv_writer
from jisr.linkage.engine.splink_model import DEFAULT_THRESHOLD, link


class Command(BaseCommand):
    help = (
        "Link two registers (CSV: record_id, full_name, first_name, father_name, "
        "grandfather_name, family_name, mother_name, sex, birth_date, governorate, phone; any "
        "may be empty but record_id). Writes left_id,right_id,match_probability for each pair "
        "accepted as the same person: each register is taken to hold a person once, so a record "
        "links to the one record that is best for both, unless --all-pairs. Trains on the "
        "registers unless --model names a saved model."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("left")
        parser.add_argument("right")
        parser.add_argument("--out", required=True)
        parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
        parser.add_argument(
            "--all-pairs",
            action="store_true",
            help=(
                "Every pair at the threshold, not one per record: for a register that may hold "
                "a person twice (not deduplicated)."
            ),
        )
        parser.add_argument("--model", help="A model saved by --save-model, instead of training.")
        parser.add_argument("--save-model", help="Save the trained model (JSON) here.")
        parser.add_argument(
            "--backend",
            choices=["duckdb", "spark"],
            default="duckdb",
            help=(
                "DuckDB in this process, or Spark (a local session, or the one spark-submit makes)."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        for name in ("left", "right"):
            if not Path(options[name]).is_file():
                raise CommandError(f"{options[name]} is not a file.")
        pairs = link(
            Path(options["left"]),
            Path(options["right"]),
            threshold=options["threshold"],
            one_to_one=not options["all_pairs"],
            model=Path(options["model"]) if options["model"] else None,
            save=Path(options["save_model"]) if options["save_model"] else None,
            say=lambda text: self.stderr.write(text),
            backend=options["backend"],
        )
        with Path(options["out"]).open("w", encoding="utf-8", newline="") as handle:
            writer = csv_writer(handle)
            writer.writerow(["left_id", "right_id", "match_probability"])
            writer.writerows(pairs)
        self.stdout.write(f"{len(pairs):,} links written to {options['out']}.")
