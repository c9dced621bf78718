"""Linking two registers of a million records each.

    .venv/bin/python benchmarks/linkage.py [--size 1000000] [--noise 0.5]
    .venv/bin/python benchmarks/linkage.py --dedupe 1000000


Generates the registers with `jisr synth-registers`' generator (files in a temporary folder),
links them with `jisr link`'s code (trained on the registers), and prints the wall time, the peak
memory of the process and F1 against the generator's truth. Target: under 10 minutes and 12 GB
on the project's 2-core machine. `--dedupe N` instead writes one register of N records with
duplicates and groups it with `jisr dedupe`'s code: the time, the peak memory of the grouping
process (the register is written by a child process, so its generation does not count) and the
pairwise F1 against the generator's truth.
"""

from __future__ import annotations

import argparse
import itertools
import multiprocessing
import os
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jisr.settings")


def _write_duplicated(path: Path, size: int, noise: float, seed: int) -> None:
    from jisr.linkage import synth

    records, people = synth.duplicated_register(size, noise_rate=noise, seed=seed)
    synth.write_csv(path, records)
    with (path.parent / "people.csv").open("w", encoding="utf-8") as handle:
        handle.writelines(f"{record},{person}\n" for record, person in people.items())


def _pairs(groups: dict[str, str]) -> set[tuple[str, str]]:
    members: dict[str, list[str]] = {}
    for record, group in groups.items():
        members.setdefault(group, []).append(record)
    return {
        (a, b) if a < b else (b, a)
        for ids in members.values()
        for a, b in itertools.combinations(ids, 2)
    }


def _timed() -> Callable[[str], None]:
    """A `say` that stamps each step with the wall and CPU seconds since the first (CPU: all of
    this process's threads, DuckDB's included) and the load average: where the time went."""
    started = time.perf_counter(), time.process_time()

    def say(text: str) -> None:
        wall, cpu = time.perf_counter() - started[0], time.process_time() - started[1]
        load = os.getloadavg()[0]
        print(f"  [{wall:4.0f} s, {cpu:4.0f} s CPU, load {load:.1f}] {text}", flush=True)

    return say


def dedupe(size: int, noise: float, seed: int) -> None:
    from jisr.linkage.engine.splink_model import dedupe

    folder = Path(tempfile.mkdtemp(prefix="jisr-dedupe-"))
    started = time.perf_counter()
    child = multiprocessing.get_context("fork").Process(
        target=_write_duplicated, args=(folder / "register.csv", size, noise, seed)
    )
    child.start()
    child.join()
    print(f"{size:,} records with duplicates, generated in {time.perf_counter() - started:.0f} s")
    load = os.getloadavg()
    started, cpu = time.perf_counter(), time.process_time()
    before_grouping = 0.0

    stamped = _timed()

    def say(text: str) -> None:
        nonlocal before_grouping
        if text.startswith("grouping"):
            before_grouping = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
        stamped(text)

    groups = dedupe(folder / "register.csv", say=say)
    took, cpu = time.perf_counter() - started, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    with (folder / "people.csv").open(encoding="utf-8") as handle:
        people = dict(line.rstrip("\n").split(",", 1) for line in handle)
    shutil.rmtree(folder)
    found, truth = _pairs(groups), _pairs(people)
    hits = len(found & truth)
    precision, recall = hits / max(len(found), 1), hits / max(len(truth), 1)
    f1 = 2 * precision * recall / max(precision + recall, 1e-9)
    print(
        f"deduplicated in {took:.0f} s ({took / 60:.1f} min, {cpu:.0f} s CPU in this process); "
        f"peak memory {peak:.2f} GB ({before_grouping:.2f} GB before grouping); "
        f"load average before {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}"
    )
    print(f"pairwise precision {precision:.3f}, recall {recall:.3f}, F1 {f1:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--noise", type=float, default=0.5)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--dedupe", type=int, default=0, help="records of one register")
    args = parser.parse_args()

    import django

    django.setup()
    if args.dedupe:
        dedupe(args.dedupe, args.noise, args.seed)
        return
    from jisr.linkage import synth
    from jisr.linkage.engine.splink_model import link

    started = time.perf_counter()
    folder = Path(tempfile.mkdtemp(prefix="jisr-linkage-"))
    pair = synth.registers(args.size, noise_rate=args.noise, seed=args.seed)
    synth.write_csv(folder / "left.csv", pair.left)
    synth.write_csv(folder / "right.csv", pair.right)
    truth = set(pair.truth)
    del pair
    generated = time.perf_counter() - started
    print(
        f"{args.size:,} + {args.size:,} records, {len(truth):,} true links, generated in {generated:.0f} s"
    )
    load = os.getloadavg()
    started, cpu = time.perf_counter(), time.process_time()
    found = {(a, b) for a, b, _p in link(folder / "left.csv", folder / "right.csv", say=_timed())}
    took, cpu = time.perf_counter() - started, time.process_time() - cpu
    hits = len(found & truth)
    precision, recall = hits / max(len(found), 1), hits / max(len(truth), 1)
    f1 = 2 * precision * recall / max(precision + recall, 1e-9)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    print(
        f"linked in {took:.0f} s ({took / 60:.1f} min, {cpu:.0f} s CPU in this process); "
        f"peak memory {peak:.2f} GB; load average before {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}"
    )
    print(f"precision {precision:.3f}, recall {recall:.3f}, F1 {f1:.3f}")


if __name__ == "__main__":
    main()
