from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jisr.lib.spreadsheets import csv_writer
from jisr.linkage.engine.splink_model import DEFAULT_THRESHOLD, dedupe


class Command(BaseCommand):
    help = (
        "Find the records of the same person within one register (the columns of `jisr link`). "
        "Writes record_id,cluster_id for every record."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("register")
        parser.add_argument("--out", required=True)
        parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
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
        if not Path(options["register"]).is_file():
            raise CommandError(f"{options['register']} is not a file.")
        clusters = dedupe(
            Path(options["register"]),
            threshold=options["threshold"],
            model=Path(options["model"]) if options["model"] else None,
            save=Path(options["save_model"]) if options["save_model"] else None,
            say=lambda text: self.stderr.write(text),
            backend=options["backend"],
        )
        with Path(options["out"]).open("w", encoding="utf-8", newline="") as handle:
            writer = csv_writer(handle)
            writer.writerow(["record_id", "cluster_id"])
            writer.writerows(sorted(clusters.items()))
        self.stdout.write(
            f"{len(clusters):,} records in {len(set(clusters.values())):,} clusters written to "
            f"{options['out']}."
        )
