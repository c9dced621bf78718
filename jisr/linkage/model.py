"""The linkage model: Splink 5 on DuckDB (in process), trained on the registers themselves.

Comparisons are made for Iraqi names position by position (first, father, grandfather, family),
with the mother's first name, birth year and day-month (exact, or the day and month swapped),
governorate and phone. `u` is estimated from random pairs, `m` by expectation maximisation on two
blockings that each leave some fields free. Names are normalised first (`prepare`), and compared
after it, so distances count letters of the normalised form, not UTF-8 bytes.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from jisr.linkage.prepare import prepared

# Chosen on the generator's registers (docs/benchmarks.md): below it, brothers sharing father,
# grandfather, family and mother names are taken for one person too often.
DEFAULT_THRESHOLD = 0.99


LinkType = Literal["link_only", "dedupe_only"]


def _settings(link_type: LinkType) -> Any:
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    names = [
        cl.JaroWinklerAtThresholds(field, [0.92, 0.8])
        for field in ("first", "father", "grandfather", "family")
    ]
    return SettingsCreator(
        link_type=link_type,
        comparisons=[
            *names,
            cl.ExactMatch("mother"), cl.ExactMatch("birth_year"), cl.ExactMatch("birth_md"),
            cl.ExactMatch("governorate"), cl.ExactMatch("phone"), cl.ExactMatch("sex"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("first", "father"), block_on("father", "grandfather"),
            block_on("family", "birth_year"), block_on("phone"), block_on("first", "birth_year"),
            block_on("father", "mother"),
        ],
        retain_matching_columns=False,
    )  # fmt: skip


def read(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [prepared(row) for row in csv.DictReader(handle)]


def _linker(
    tables: list[list[dict[str, Any]]],
    link_type: LinkType,
    model: Path | None,
    say: Callable[[str], None],
) -> Any:
    import duckdb
    import pyarrow as pa
    from splink import Linker, block_on
    from splink.backends.duckdb import DuckDBAPI

    api = DuckDBAPI(duckdb.connect())
    frames = [
        api.register(pa.Table.from_pylist(rows), dataset_display_name=f"register_{i}")
        for i, rows in enumerate(tables)
    ]
    if model is not None:
        return Linker(
            frames if len(frames) > 1 else frames[0],
            json.loads(model.read_text(encoding="utf-8")),
            log_level=40,
        )
    linker = Linker(frames if len(frames) > 1 else frames[0], _settings(link_type), log_level=40)
    say("estimating u from random pairs")
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=1)
    for rule in (block_on("first", "father"), block_on("birth_year", "governorate")):
        say("estimating m by expectation maximisation")
        linker.training.estimate_parameters_using_expectation_maximisation(
            rule, estimate_without_term_frequencies=True
        )
    return linker


def link(left: Path, right: Path, *, threshold: float = DEFAULT_THRESHOLD, model: Path | None = None,
         save: Path | None = None, say: Callable[[str], None] = print) -> list[tuple[str, str, float]]:  # fmt: skip
    """Pairs of records, one from each register, that are the same person."""
    say("reading the registers")
    linker = _linker([read(left), read(right)], "link_only", model, say)
    if save is not None:
        linker.misc.save_model_to_json(str(save), overwrite=True)
    say("comparing the candidate pairs")
    found = linker.inference.predict(threshold_match_probability=threshold).as_record_list()
    pairs = []
    for row in found:
        a, b = row["unique_id_l"], row["unique_id_r"]
        if row.get("source_dataset_l") == "register_1":
            a, b = b, a
        pairs.append((a, b, round(float(row["match_probability"]), 4)))
    return sorted(pairs)


def dedupe(path: Path, *, threshold: float = DEFAULT_THRESHOLD, model: Path | None = None,
           save: Path | None = None, say: Callable[[str], None] = print) -> dict[str, str]:  # fmt: skip
    """Each record's cluster: records of the same person share one."""
    say("reading the register")
    rows = read(path)
    linker = _linker([rows], "dedupe_only", model, say)
    if save is not None:
        linker.misc.save_model_to_json(str(save), overwrite=True)
    say("comparing the candidate pairs")
    predictions = linker.inference.predict(threshold_match_probability=threshold)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold
    ).as_record_list()
    result = {str(row["unique_id"]): str(row["cluster_id"]) for row in clusters}
    for row in rows:
        result.setdefault(row["unique_id"], row["unique_id"])
    return result
