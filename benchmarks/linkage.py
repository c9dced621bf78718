"""Linking two registers of a million records each.

    .venv/bin/python benchmarks/linkage.py [--size 1000000] [--noise 0.5]

Generates the registers with `jisr synth-registers`' generator (files in a temporary folder),
links them with `jisr link`'s code (trained on the registers), and prints the wall time, the peak
memory of the process and F1 against the generator's truth. Target: under 10 minutes and 12 GB
on the project's 2-core machine.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jisr.settings")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--noise", type=float, default=0.5)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    import django

    django.setup()
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
    started = time.perf_counter()
    found = {
        (a, b)
        for a, b, _p in link(
            folder / "left.csv", folder / "right.csv", say=lambda s: print(f"  {s}", flush=True)
        )
    }
    took = time.perf_counter() - started
    hits = len(found & truth)
    precision, recall = hits / max(len(found), 1), hits / max(len(truth), 1)
    f1 = 2 * precision * recall / max(precision + recall, 1e-9)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    print(f"linked in {took:.0f} s ({took / 60:.1f} min); peak memory {peak:.1f} GB")
    print(f"precision {precision:.3f}, recall {recall:.3f}, F1 {f1:.3f}")


if __name__ == "__main__":
    main()
