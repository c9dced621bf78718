"""Accuracy and speed of occupation coding on Jisr's own evaluation set.

    .venv/bin/python benchmarks/coding.py [benchmarks/data/occupation_titles.csv]

Uses its own SQLite database (or DATABASE_URL), migrates it and loads the taxonomy when empty,
then codes every title and prints how often the right ISCO-08 unit group comes first and within
the top 5, overall and per language, with the time per title. The evaluation set was written
independently of the coder (by someone who did not see it), and the coder is not tuned to it.

Then the type-ahead: the time `load-taxonomy` spends building the indexes it keeps, the first
occupation type-ahead of a fresh process (as a web worker's first request), through the real
selector, in a new process each time, and the steady state after it.
"""

from __future__ import annotations

import csv
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jisr.settings")
os.environ.setdefault(
    "DATABASE_URL", f"sqlite:///{Path(tempfile.gettempdir()) / 'jisr-coding-benchmark.sqlite3'}"
)


TYPED = ["مهندس مد", "civil eng", "سائق", "ئەندازیار", "nurse", "محاسب", "طباخ", "teacher"]


def first_call() -> None:
    """In a fresh process: the time of its first type-ahead, then of the ones after it."""
    import django

    django.setup()
    from jisr.skills.selectors import occupation_suggest

    started = time.perf_counter()
    occupation_suggest(text="مهندس")
    first = (time.perf_counter() - started) * 1000
    times = []
    for _ in range(5):
        for text in TYPED:
            started = time.perf_counter()
            occupation_suggest(text=text)
            times.append((time.perf_counter() - started) * 1000)
    times.sort()
    print(f"{first:.1f} {statistics.median(times):.1f} {times[int(len(times) * 0.95) - 1]:.1f}")


def typeahead() -> None:
    from jisr.skills.coding import coding_index_rebuild

    started = time.perf_counter()
    coding_index_rebuild()
    print(
        f"type-ahead: indexes built and kept by load-taxonomy in {time.perf_counter() - started:.1f} s"
    )
    firsts, medians, p95s = [], [], []
    for _ in range(5):
        out = subprocess.run(  # noqa: S603  (this very script, in a fresh process)
            [sys.executable, __file__, "--first-call"], capture_output=True, text=True, check=True
        ).stdout.split()
        firsts.append(float(out[0]))
        medians.append(float(out[1]))
        p95s.append(float(out[2]))
    print(
        f"type-ahead, first call of a fresh process: median {statistics.median(firsts):.1f} ms, "
        f"max {max(firsts):.1f} ms (5 processes)"
    )
    print(
        f"type-ahead after it: median {statistics.median(medians):.1f} ms, p95 {max(p95s):.1f} ms"
    )


def main() -> None:
    if "--first-call" in sys.argv:
        first_call()
        return
    import django

    django.setup()
    from django.core.management import call_command

    from jisr.skills.coding import code_text
    from jisr.skills.models import Occupation

    call_command("migrate", verbosity=0)
    if not Occupation.objects.exists():
        call_command("load_taxonomy")
    given = [a for a in sys.argv[1:] if not a.startswith("--")]
    path = Path(given[0]) if given else ROOT / "benchmarks" / "data" / "occupation_titles.csv"
    with path.open(encoding="utf-8") as handle:
        cases = list(csv.DictReader(handle))
    code_text("warm up")
    hits: dict[str, list[tuple[bool, bool]]] = defaultdict(list)
    timings = []
    misses = []
    for case in cases:
        started = time.perf_counter()
        proposals = code_text(case["text"], top=5)
        timings.append((time.perf_counter() - started) * 1000)
        groups = [p.isco_group for p in proposals]
        first, top5 = groups[:1] == [case["isco_group"]], case["isco_group"] in groups
        hits[case["language"]].append((first, top5))
        hits["all"].append((first, top5))
        if not top5:
            misses.append((case["language"], case["text"], case["isco_group"], groups[:3]))
    print(f"{len(cases)} titles from {path.name}")
    for language in ("ar", "ckb", "en", "all"):
        results = hits.get(language, [])
        if results:
            first_rate = sum(f for f, _ in results) / len(results)
            top5_rate = sum(t for _, t in results) / len(results)
            print(
                f"{language:>4}: {len(results):4} titles   first {first_rate:6.1%}   top 5 {top5_rate:6.1%}"
            )
    print(f"time per title: median {statistics.median(timings):.1f} ms, max {max(timings):.1f} ms")
    if "--misses" in sys.argv:
        for miss in misses:
            print("  miss:", *miss)
    if "--no-type-ahead" not in sys.argv:
        typeahead()


if __name__ == "__main__":
    main()
