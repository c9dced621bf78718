"""The production worker, the documented way: `jisr worker` with JISR_TASKS=redis, a real Redis
and real processes. It sends a queued e-mail and runs a linkage run; killed with SIGKILL in the
middle of the run, the next worker runs it once more (decision 0023) and keeps its pairs once;
SIGTERM stops it at once. Skipped when no Redis answers at 127.0.0.1:6379, unless
JISR_REDIS_TESTS=required (CI)."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

JISR = str(Path(sys.executable).with_name("jisr"))
# The tests' own database of the local Redis, emptied first (JISR_TEST_REDIS_DB to choose another).
REDIS_DB = int(os.environ.get("JISR_TEST_REDIS_DB", "13"))

SETUP = """
from django.db import transaction
from jisr.accounts.models import Organisation, OrganisationKind
from jisr.accounts.roles import Role, Scope
from jisr.conftest import make_user
from jisr.core.tasks import send_email_on_commit
from jisr.linkage import imports, services

labour = Organisation.objects.create(kind=OrganisationKind.MINISTRY, name_ar="وزارة العمل")
analyst = make_user("analyst@molsa.example.org", labour, {Role.ANALYST: Scope.ORGANISATION})
register = services.register_create(by=analyst, name="Jobseekers", kind="unemployed")
kept = services.upload_create(
    by=analyst, register=register, content=open("%(csv)s", "rb").read(), filename="dedupe.csv"
)
services.upload_import(
    by=analyst, upload=kept, mapping=imports.upload_proposed_mapping(upload=kept)
)
with transaction.atomic():
    services.run_start(by=analyst, left=register, right=None)
    send_email_on_commit("Your referral", "Body", ["person@example.org"])
"""

AGAIN = """
from django.db import transaction
from jisr.core.tasks import enqueue_on_commit
from jisr.linkage.models import LinkageRun
from jisr.linkage.tasks import run_linkage_task

with transaction.atomic():
    enqueue_on_commit(run_linkage_task, LinkageRun.objects.get().pk)
"""


def _redis_answers() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        return False
    return True


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    if not _redis_answers():
        if os.environ.get("JISR_REDIS_TESTS") == "required":
            pytest.fail("JISR_REDIS_TESTS=required but no Redis answers at 127.0.0.1:6379")
        pytest.skip("no Redis at 127.0.0.1:6379 (JISR_REDIS_TESTS=required makes this fail)")
    import redis

    redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB).flushdb()
    return {
        **os.environ,
        "JISR_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'jisr.sqlite3'}",
        "JISR_TASKS": "redis",
        "REDIS_URL": f"redis://127.0.0.1:6379/{REDIS_DB}",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(tmp_path / "mail"),
        "JISR_TASK_HEARTBEAT_SECONDS": "1",
        "JISR_TASK_STALE_SECONDS": "3",
    }


def _jisr(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(  # noqa: S603
        [JISR, *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.fixture
def workers(env: dict[str, str], tmp_path: Path) -> Iterator[Callable[[], subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []

    def start() -> subprocess.Popen[bytes]:
        log = (tmp_path / f"worker-{len(started)}.log").open("wb")
        worker = subprocess.Popen(  # noqa: S603
            [JISR, "worker"], env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        started.append(worker)
        return worker

    yield start
    for worker in started:
        if worker.poll() is None:
            _kill_with_children(worker.pid)
            worker.wait()


def _kill_with_children(pid: int) -> None:
    """SIGKILL a worker and every process under it, as the OOM killer or systemd's control group
    would: RQ runs each job in a forked child in a session of its own, which killing the
    worker's process group would miss."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    family, todo = [], [pid]
    while todo:
        found = todo.pop()
        family.append(found)
        todo.extend(children.get(found, []))
    for member in family:
        with contextlib.suppress(ProcessLookupError):
            os.kill(member, signal.SIGKILL)


def _run(database: Path) -> tuple[str, int, str]:
    with sqlite3.connect(database, timeout=20) as db:
        row = db.execute("SELECT status, attempts, error FROM linkage_linkagerun").fetchone()
    return row if row else ("", 0, "")


def _pairs(database: Path) -> list[tuple[int, int]]:
    with sqlite3.connect(database, timeout=20) as db:
        return db.execute(
            "SELECT left_id, right_id FROM linkage_candidatepair ORDER BY left_id, right_id"
        ).fetchall()


def _wait(what: Callable[[], bool], seconds: float, say: str) -> None:
    until = time.monotonic() + seconds
    while not what():
        assert time.monotonic() < until, say
        time.sleep(0.1)


def test_the_worker_runs_tasks_and_runs_a_killed_run_once_more(env, workers, tmp_path):
    database = tmp_path / "jisr.sqlite3"
    _jisr(env, "migrate", "-v0")
    _jisr(env, "synth-registers", "--out", str(tmp_path), "--size", "1500", "--seed", "3")
    _jisr(env, "shell", "-c", SETUP % {"csv": tmp_path / "dedupe.csv"})
    assert _run(database)[:2] == ("queued", 0)

    first = workers()
    _wait(lambda: _run(database)[0] == "running", 120, "the worker never took the run")
    time.sleep(1.5)  # well inside the run: the model is training
    assert _run(database)[0] == "running"
    _kill_with_children(first.pid)
    first.wait()
    time.sleep(4)  # longer than JISR_TASK_STALE_SECONDS: no worker beats for it any more
    assert _run(database)[:2] == ("running", 1)
    assert _pairs(database) == []  # the killed attempt kept no pair

    second = workers()
    _wait(lambda: _run(database)[0] in ("done", "failed"), 240, "the run was not run again")
    status, attempts, error = _run(database)
    assert (status, attempts, error) == ("done", 2, "")
    pairs = _pairs(database)
    with sqlite3.connect(database) as db:
        models = db.execute("SELECT count(*) FROM linkage_linkagemodel").fetchone()[0]
    assert pairs, "the run found no pairs"
    assert len(pairs) == len(set(pairs))  # none kept twice
    assert models == 1  # the model trained by the killed attempt, if any, was reused

    # The run's task queued once more (a retry that came late) changes nothing.
    _jisr(env, "shell", "-c", AGAIN)
    time.sleep(3)
    assert _run(database)[:2] == ("done", 2)
    assert _pairs(database) == pairs

    # The e-mail queued with the run was sent by a worker.
    _wait(lambda: any((tmp_path / "mail").glob("*.log")), 30, "no e-mail was sent")
    sent = "".join(p.read_text() for p in (tmp_path / "mail").glob("*.log"))
    assert "Subject: Your referral" in sent
    assert "To: person@example.org" in sent

    # The health check sees the live worker and Redis.
    health = _jisr(
        env, "shell", "-c", "from jisr.core.health import health_checks; print(health_checks())"
    )
    assert "'queue': 'ok', 'worker': 'ok'" in health, health

    # systemd stops it with SIGTERM: it stops at once (redis-py 8 made it hang).
    os.killpg(second.pid, signal.SIGTERM)
    assert second.wait(timeout=20) is not None
