"""The load scenario (`benchmarks/load/locustfile.py`) still walks today's pages: every kind of
user signs in and does what it came for, against gunicorn serving the demo, without a single
failed request. The figures come from `benchmarks/load/run.py` on PostgreSQL, outside CI."""

from __future__ import annotations

import csv
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_every_kind_of_user_walks_the_scenario_without_a_failure(tmp_path: Path) -> None:
    # Its own processes and database file: gunicorn serves requests at once, which the test
    # database (in memory, one connection) cannot; locust patches the standard library.
    environment = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'load.sqlite3'}",
        "JISR_VAR_DIR": str(tmp_path),
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
    }
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    subprocess.run([str(BIN / "jisr"), "demo"], env=environment, check=True, capture_output=True)  # noqa: S603
    port = _free_port()
    server = subprocess.Popen(  # noqa: S603 - our own tools
        [str(BIN / "gunicorn"), "jisr.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.3)
        finished = subprocess.run(  # noqa: S603 - our own tool
            [
                str(BIN / "locust"),
                "-f",
                str(ROOT / "benchmarks" / "load" / "locustfile.py"),
                "--host",
                f"http://127.0.0.1:{port}",
                "--headless",
                "--only-summary",
                "--users",
                "12",
                "--spawn-rate",
                "12",
                "--run-time",
                "20s",
                "--csv",
                str(tmp_path / "load"),
            ],
            capture_output=True,
            text=True,
            timeout=120,
            env=environment,
            check=False,
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
    with (tmp_path / "load_stats.csv").open(newline="") as handle:
        stats = {row["Name"]: row for row in csv.DictReader(handle)}
    failed = {
        name: row["Failure Count"] for name, row in stats.items() if row["Failure Count"] != "0"
    }
    assert failed == {}, finished.stdout[-3000:]
    assert int(stats["sign in"]["Request Count"]) >= 6  # every kind of staff and the person
    for journey in ("person search", "case list", "own record", "directory", "referral inbox"):
        assert journey in stats, sorted(stats)
