from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from jisr.linkage import synth


class Command(BaseCommand):
    help = (
        "Write two registers of the same people with known truth (left.csv, right.csv, "
        "truth.csv), and one register with duplicates (dedupe.csv, dedupe_truth.csv)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", required=True)
        parser.add_argument("--size", type=int, default=10_000)
        parser.add_argument("--overlap", type=float, default=0.6)
        parser.add_argument("--noise", type=float, default=0.5, help="0 (clean) to 1 (very noisy)")
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args: Any, **options: Any) -> None:
        out = Path(options["out"])
        out.mkdir(parents=True, exist_ok=True)
        pair = synth.registers(
            options["size"],
            overlap=options["overlap"],
            noise_rate=options["noise"],
            seed=options["seed"],
        )
        synth.write_csv(out / "left.csv", pair.left)
        synth.write_csv(out / "right.csv", pair.right)
        noise = {r.row["record_id"]: "+".join(r.noise) for r in pair.left + pair.right}
        with (out / "truth.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["left_id", "right_id", "noise"])
            for left, right in pair.truth:
                writer.writerow([left, right, "+".join(filter(None, [noise[left], noise[right]]))])
        records, clusters = synth.duplicated_register(
            options["size"], noise_rate=options["noise"], seed=options["seed"] + 1
        )
        synth.write_csv(out / "dedupe.csv", records)
        with (out / "dedupe_truth.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["record_id", "person"])
            writer.writerows(clusters.items())
        self.stdout.write(
            f"{len(pair.left):,} + {len(pair.right):,} records, {len(pair.truth):,} true links; "
            f"{len(records):,} records to dedupe in {len(set(clusters.values())):,} people. "
            f"Written to {out}."
        )
