"""A model trained and saved on DuckDB runs on Spark (local mode) and finds the same people.

Spark needs Java. Where there is none (or no pyspark) these tests skip with a message, except
when JISR_SPARK_TESTS=required (as in CI), where that is a failure.
"""

from __future__ import annotations

import csv
import importlib.util
import os
import shutil
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from jisr.linkage.engine import splink_model

# Starts Spark: half a minute.
pytestmark = pytest.mark.slow


def _quiet(text: str) -> None:
    pass


def need_spark() -> None:
    """Skips without Java or pyspark; fails instead under JISR_SPARK_TESTS=required (CI)."""
    java_home = os.environ.get("JAVA_HOME")  # pyspark runs $JAVA_HOME/bin/java, else java on PATH
    java = Path(java_home, "bin", "java") if java_home else shutil.which("java")
    missing = []
    if java is None or not Path(java).exists():
        missing.append("Java (apt-get install openjdk-17-jre-headless)")
    if importlib.util.find_spec("pyspark") is None:
        missing.append("pyspark (pip install -e '.[spark]')")
    if missing:
        message = f"Spark tests need {' and '.join(missing)}."
        if os.environ.get("JISR_SPARK_TESTS") == "required":
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    """One local SparkSession for the module: `link` and `dedupe` reuse the active one."""
    need_spark()
    session = splink_model._spark()
    yield session
    session.stop()


@pytest.fixture(scope="module")
def registers(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small pair of registers and one with duplicates, with a model of each trained on DuckDB."""
    out = tmp_path_factory.mktemp("registers")
    call_command("synth_registers", out=str(out), size=400, seed=7, stdout=StringIO())
    splink_model.link(out / "left.csv", out / "right.csv", save=out / "link.json", say=_quiet)
    splink_model.dedupe(out / "dedupe.csv", save=out / "dedupe.json", say=_quiet)
    return out


def _probabilities(registers: Path, backend: splink_model.Backend) -> dict[tuple[str, str], float]:
    """Every candidate pair's match probability, unrounded, under the saved model."""
    tables = [splink_model.read(registers / "left.csv"), splink_model.read(registers / "right.csv")]
    linker = splink_model.linker_for(tables, "link_only", registers / "link.json", _quiet, backend)
    rows = linker.inference.predict().as_record_list()
    return {(r["unique_id_l"], r["unique_id_r"]): float(r["match_probability"]) for r in rows}


def test_the_saved_model_links_the_same_pairs_on_spark(spark, registers):
    on_duckdb = splink_model.link(
        registers / "left.csv", registers / "right.csv", model=registers / "link.json", say=_quiet
    )
    call_command(
        "link",
        str(registers / "left.csv"),
        str(registers / "right.csv"),
        out=str(registers / "links.csv"),
        model=str(registers / "link.json"),
        backend="spark",
        stdout=StringIO(),
        stderr=StringIO(),
    )
    with (registers / "links.csv").open(encoding="utf-8") as handle:
        on_spark = [
            (r["left_id"], r["right_id"], float(r["match_probability"]))
            for r in csv.DictReader(handle)
        ]
    assert len(on_duckdb) > 100
    assert {(a, b) for a, b, _ in on_spark} == {(a, b) for a, b, _ in on_duckdb}
    assert sorted(on_spark) == on_duckdb

    # Not only the links: every candidate pair scores the same, to the sixth decimal.
    duckdb_scores, spark_scores = (
        _probabilities(registers, "duckdb"),
        _probabilities(registers, "spark"),
    )
    assert set(spark_scores) == set(duckdb_scores)
    for pair, probability in duckdb_scores.items():
        assert spark_scores[pair] == pytest.approx(probability, abs=1e-6), pair


def test_the_saved_model_finds_the_same_clusters_on_spark(spark, registers):
    def partition(clusters: dict[str, str]) -> set[frozenset[str]]:
        members: dict[str, set[str]] = {}
        for record, cluster in clusters.items():
            members.setdefault(cluster, set()).add(record)
        return {frozenset(ids) for ids in members.values()}

    on_duckdb = splink_model.dedupe(
        registers / "dedupe.csv", model=registers / "dedupe.json", say=_quiet
    )
    on_spark = splink_model.dedupe(
        registers / "dedupe.csv", model=registers / "dedupe.json", say=_quiet, backend="spark"
    )
    assert set(on_spark) == set(on_duckdb)
    assert partition(on_spark) == partition(on_duckdb)
    assert len(partition(on_duckdb)) < len(on_duckdb)  # some records were found to be one person
