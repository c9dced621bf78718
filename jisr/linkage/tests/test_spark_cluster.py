"""A linkage run on a Spark standalone cluster: a master and two workers, started here from
pyspark's own distribution on 127.0.0.1, as a ministry's cluster would run them (decision 0033).

The run goes through the same machinery as on DuckDB: the worker streams the registers from the
database into Parquet in JISR_SPARK_DATA_DIR, the cluster's executors read them, the model the
DuckDB run trained is reused, and the pairs land in the database. Without Java or pyspark this
skips, except under JISR_SPARK_TESTS=required (CI), where it fails.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from jisr.conftest import client_for
from jisr.linkage import imports, services
from jisr.linkage.engine import splink_model
from jisr.linkage.models import CandidatePair, LinkageModel, LinkageRun, RegisterRecord
from jisr.linkage.tests.test_runs import SHARED
from jisr.linkage.tests.test_spark import need_spark

# Starts three JVMs for the cluster, one for the driver and two executors: a minute or two.
pytestmark = pytest.mark.slow

WORKERS = 2


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _state(ui_port: int) -> dict[str, Any]:
    with urllib.request.urlopen(f"http://127.0.0.1:{ui_port}/json/", timeout=5) as answer:
        return dict(json.load(answer))


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A standalone master and two workers (one core and 1 GB each), stopped at the end."""
    need_spark()
    import pyspark

    home = Path(pyspark.__file__).parent
    logs = tmp_path_factory.mktemp("spark-cluster")
    env = {
        **os.environ,
        "SPARK_HOME": str(home),
        "SPARK_LOCAL_IP": "127.0.0.1",
        "SPARK_DAEMON_MEMORY": "256m",
        "SPARK_LOG_DIR": str(logs),
    }
    port, ui_port = _free_port(), _free_port()
    url = f"spark://127.0.0.1:{port}"
    daemon = str(home / "bin" / "spark-class")
    master = ["org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port", str(port)]
    processes = [
        subprocess.Popen(  # noqa: S603 - pyspark's own launcher
            [daemon, *master, "--webui-port", str(ui_port)],
            env=env,
            stdout=(logs / "master.log").open("wb"),
            stderr=subprocess.STDOUT,
        )
    ]
    for number in range(WORKERS):
        processes.append(
            subprocess.Popen(  # noqa: S603 - pyspark's own launcher
                [
                    *(daemon, "org.apache.spark.deploy.worker.Worker", url, "--host", "127.0.0.1"),
                    *("--cores", "1", "--memory", "1g", "--webui-port", str(_free_port())),
                    *("--work-dir", str(logs / f"worker-{number}")),
                ],
                env=env,
                stdout=(logs / f"worker-{number}.log").open("wb"),
                stderr=subprocess.STDOUT,
            )
        )
    try:
        deadline = time.monotonic() + 120
        alive = 0
        while alive < WORKERS:
            if time.monotonic() > deadline or any(p.poll() is not None for p in processes):
                tails = {p.name: p.read_text(errors="replace")[-2000:] for p in logs.glob("*.log")}
                pytest.fail(f"The Spark cluster did not start: {tails}")
            time.sleep(1)
            try:
                workers = _state(ui_port)["workers"]
            except OSError:
                continue
            alive = sum(w["state"] == "ALIVE" for w in workers)
        yield {"url": url, "ui_port": ui_port}
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture(scope="module")
def on_cluster(cluster: dict[str, Any]) -> Iterator[Any]:
    """The driver's session on the cluster, as spark-submit would make it: Splink's jar of string
    similarities shipped to the executors, half a gigabyte each."""
    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    active = SparkSession.getActiveSession()
    if active is not None:  # a local session of another test module
        active.stop()
    session = (
        SparkSession.builder.master(cluster["url"])
        .appName("jisr-linkage-cluster-test")
        .config("spark.jars", similarity_jar_location())
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.driver.memory", "1g")
        .config("spark.executor.memory", "512m")
        .config("spark.executor.cores", "1")
        .config("spark.cores.max", str(WORKERS))
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    assert session.sparkContext.master == cluster["url"]
    yield session
    session.stop()


def _pairs() -> dict[tuple[int, int], tuple[str, float]]:
    return {(p.left_id, p.right_id): (p.band, p.probability) for p in CandidatePair.objects.all()}


def test_a_run_on_a_two_worker_cluster_reads_parquet_and_lands_the_duckdb_links(
    link_registers: Callable[..., dict[str, Any]],
    cluster: dict[str, Any],
    on_cluster: Any,
    capture: Any,
    settings: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    scene = link_registers(shared=SHARED)
    labour = scene["labour"]

    def start_run() -> LinkageRun:
        with capture(execute=True):
            labour.post(
                f"/linkage/registers/{scene['register'].pk}/run/",
                {"other": scene["registry"].pk},
            )
        run = LinkageRun.objects.order_by("-pk").first()
        assert run is not None
        return run

    # On DuckDB in the worker: the model is trained and saved, the pairs kept; a reviewer
    # decides two pairs, and the next run measures the model against the decisions.
    assert start_run().status == LinkageRun.Status.DONE
    links = CandidatePair.objects.filter(band=CandidatePair.Band.LINK).order_by("pk")
    for decided, decision in zip(links[:2], ["different", "same"], strict=True):
        labour.post(f"/linkage/pairs/{decided.pk}/decision/", {"decision": decision})
    on_duckdb = start_run()
    assert on_duckdb.status == LinkageRun.Status.DONE, on_duckdb.error
    assert on_duckdb.accuracy["labels"] == 2
    duckdb_pairs = _pairs()
    assert sum(band == CandidatePair.Band.LINK for band, _ in duckdb_pairs.values()) > 50

    # The same run on the cluster: the executors read the Parquet files the run wrote.
    settings.JISR_LINKAGE_BACKEND = "spark"
    settings.JISR_SPARK_DATA_DIR = str(tmp_path / "shared")
    read: list[Path] = []
    real_registers = splink_model._spark_registers

    def reading(spark: Any, paths: list[Path]) -> Any:
        read.extend(paths)
        assert all(path.stat().st_size > 0 for path in paths)
        return real_registers(spark, paths)

    monkeypatch.setattr(splink_model, "_spark_registers", reading)
    on_spark = start_run()
    assert on_spark.status == LinkageRun.Status.DONE, on_spark.error
    assert [p.suffix for p in read] == [".parquet", ".parquet"]
    assert all(p.is_relative_to(tmp_path / "shared") for p in read)
    # The records' files are gone with the run.
    assert list((tmp_path / "shared").iterdir()) == []

    # The model trained on DuckDB was reused, not trained again on Spark.
    assert LinkageModel.objects.count() == 1
    assert on_spark.model_id == on_duckdb.model_id
    assert on_spark.counts == on_duckdb.counts
    assert on_spark.accuracy == on_duckdb.accuracy

    # The same pairs, in the same bands, at the same probability.
    spark_pairs = _pairs()
    assert set(spark_pairs) == set(duckdb_pairs)
    for pair, (band, probability) in duckdb_pairs.items():
        assert spark_pairs[pair][0] == band, pair
        assert spark_pairs[pair][1] == pytest.approx(probability, abs=2e-6), pair

    # It ran on the cluster: the run's session is the cluster's application, with an executor
    # on each of the two workers.
    state = _state(cluster["ui_port"])
    assert [app["name"] for app in state["activeapps"]] == ["jisr-linkage-cluster-test"]
    assert state["activeapps"][0]["cores"] == WORKERS
    assert [w["coresused"] for w in state["workers"]] == [1] * WORKERS
    executors = on_cluster.sparkContext._jsc.sc().getExecutorMemoryStatus().size()
    assert executors == WORKERS + 1  # and the driver


def _people() -> set[frozenset[int]]:
    """The golden record: the records found to be one person, as sets."""
    members: dict[int | None, set[int]] = {}
    for record, cluster in RegisterRecord.objects.exclude(cluster=None).values_list(
        "pk", "cluster"
    ):
        members.setdefault(cluster, set()).add(record)
    return {frozenset(records) for records in members.values() if len(records) > 1}


def test_duplicates_found_on_the_cluster_make_the_same_people_as_on_duckdb(
    cluster: dict[str, Any],
    on_cluster: Any,
    labour_analyst: Any,
    synth: Path,
    capture: Any,
    settings: Any,
    tmp_path: Path,
) -> None:
    register = services.register_create(by=labour_analyst, name="Jobseekers", kind="unemployed")
    kept = services.upload_create(
        by=labour_analyst,
        register=register,
        content=(synth / "dedupe.csv").read_bytes(),
        filename="dedupe.csv",
    )
    services.upload_import(
        by=labour_analyst, upload=kept, mapping=imports.upload_proposed_mapping(upload=kept)
    )
    client = client_for(labour_analyst)

    def start_run() -> LinkageRun:
        with capture(execute=True):
            client.post(f"/linkage/registers/{register.pk}/run/", {"other": ""})
        run = LinkageRun.objects.order_by("-pk").first()
        assert run is not None
        assert run.status == LinkageRun.Status.DONE, run.error
        assert run.right is None
        return run

    on_duckdb = start_run()
    duckdb_pairs, duckdb_people = _pairs(), _people()
    assert len(duckdb_people) > 10

    settings.JISR_LINKAGE_BACKEND = "spark"
    settings.JISR_SPARK_DATA_DIR = str(tmp_path / "shared")
    on_spark = start_run()
    assert on_spark.model_id == on_duckdb.model_id
    assert on_spark.counts == on_duckdb.counts
    assert set(_pairs()) == set(duckdb_pairs)
    assert _people() == duckdb_people
