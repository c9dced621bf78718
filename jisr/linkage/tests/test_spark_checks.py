"""`jisr check --deploy` tells an operator who sent linkage runs to Spark what is missing for a
cluster: the shared folder for the registers and the cluster's address (decision 0033)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.checks import run_checks
from django.test import override_settings


def _ids() -> set[str]:
    return {m.id or "" for m in run_checks(include_deployment_checks=True)}


@override_settings(JISR_LINKAGE_BACKEND="spark", JISR_SPARK_DATA_DIR="")
def test_spark_without_a_shared_folder_or_a_cluster_is_reported(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("PYSPARK_SUBMIT_ARGS", raising=False)
    assert {"jisr.linkage.W001", "jisr.linkage.W003"} <= _ids()
    with override_settings(JISR_SPARK_DATA_DIR="/nonexistent/jisr-spark"):
        assert "jisr.linkage.W002" in _ids()


def test_spark_with_a_shared_folder_and_a_cluster_is_clean(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PYSPARK_SUBMIT_ARGS", "--master spark://spark:7077 pyspark-shell")
    with override_settings(JISR_LINKAGE_BACKEND="spark", JISR_SPARK_DATA_DIR=str(tmp_path)):
        assert not {i for i in _ids() if i.startswith("jisr.linkage.")}


@override_settings(JISR_LINKAGE_BACKEND="duckdb", JISR_SPARK_DATA_DIR="")
def test_duckdb_needs_no_spark_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PYSPARK_SUBMIT_ARGS", raising=False)
    assert not {i for i in _ids() if i.startswith("jisr.linkage.")}
