"""Accuracy of `jisr link` and `jisr dedupe` on registers with known truth.

    .venv/bin/python benchmarks/linkage_accuracy.py [FOLDER ...] [--generated 20000]

Each FOLDER holds `left.csv`, `right.csv`, `truth.csv` (left_id,right_id[,noise]) and, if there,
`dedupe.csv` with `dedupe_truth.csv` (record_id,person): the sets under benchmarks/data/ were
written by people who saw neither the linker nor its tables. `--generated N` also measures
registers of N records from `jisr synth-registers`, with the recall for each kind of noise. Prints
precision, recall and F1 (pairwise for dedupe) at the default threshold, and the time taken.
"""

from __future__ import annotations

import argparse
import csv
import io
import itertools
import os
import re
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jisr.settings")


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _scores(found: set[tuple[str, str]], truth: set[tuple[str, str]]) -> str:
    hits = len(found & truth)
    precision, recall = hits / max(len(found), 1), hits / max(len(truth), 1)
    f1 = 2 * precision * recall / max(precision + recall, 1e-9)
    return f"precision {precision:.3f}, recall {recall:.3f}, F1 {f1:.3f}"


def _pairs(groups: dict[str, str]) -> set[tuple[str, str]]:
    members: dict[str, list[str]] = defaultdict(list)
    for record, group in groups.items():
        members[group].append(record)
    return {tuple(sorted(p)) for ids in members.values() for p in itertools.combinations(ids, 2)}  # type: ignore[misc]


def measure(folder: Path) -> None:
    from jisr.linkage.engine.splink_model import dedupe, link

    quiet = lambda _text: None  # noqa: E731
    started = time.perf_counter()
    found = {(a, b) for a, b, _p in link(folder / "left.csv", folder / "right.csv", say=quiet)}
    took = time.perf_counter() - started
    truth_rows = _rows(folder / "truth.csv")
    truth = {(r["left_id"], r["right_id"]) for r in truth_rows}
    print(f"{folder.name}: link   {_scores(found, truth)} ({took:.1f} s)")
    if truth_rows and "noise" in truth_rows[0]:
        by_kind: dict[str, list[bool]] = defaultdict(list)
        for row in truth_rows:
            for kind in filter(None, re.split(r"[+;]", row["noise"])):
                by_kind[kind].append((row["left_id"], row["right_id"]) in found)
        print("  recall per kind of noise: " + ", ".join(
            f"{kind} {sum(hits) / len(hits):.3f}" for kind, hits in sorted(by_kind.items())
        ))  # fmt: skip
    if (folder / "dedupe.csv").exists():
        started = time.perf_counter()
        clusters = dedupe(folder / "dedupe.csv", say=quiet)
        took = time.perf_counter() - started
        people = {r["record_id"]: r["person"] for r in _rows(folder / "dedupe_truth.csv")}
        print(f"{folder.name}: dedupe {_scores(_pairs(clusters), _pairs(people))} ({took:.1f} s)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("folders", nargs="*", type=Path)
    parser.add_argument("--generated", type=int, default=0)
    parser.add_argument("--seed", type=int, default=21)
    args = parser.parse_args()

    import django

    django.setup()
    folders = args.folders or sorted((ROOT / "benchmarks" / "data").glob("linkage_blind*"))
    for folder in folders:
        measure(folder)
    if args.generated:
        from django.core.management import call_command

        with tempfile.TemporaryDirectory() as out:
            call_command(
                "synth_registers",
                out=out,
                size=args.generated,
                seed=args.seed,
                stdout=io.StringIO(),
            )
            print(f"generated, {args.generated:,} records each, seed {args.seed}:")
            measure(Path(out))


if __name__ == "__main__":
    main()
