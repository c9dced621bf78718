"""The real worker (`jisr worker`, JISR_TASKS=redis, a real Redis) killed with SIGKILL in the
middle of writing a large HSDS import: the killed try wrote nothing, the watchdog queues the
import once more and the next worker imports it exactly, and running it again, or importing the
same ZIP again, adds nothing (decisions 0023, 0035). Skipped when no Redis answers at
127.0.0.1:6379, unless JISR_REDIS_TESTS=required (CI)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from jisr.core.tests.test_worker_on_redis import _jisr, _kill_with_children, _redis_answers, _wait

pytestmark = pytest.mark.slow

# Enough that the kill lands well inside the writes (about a thousand services a CPU second since
# decision 0045, so some 10 s of writing on a quiet machine, a second after they begin), few
# enough that the retry and the two imports after it take a few minutes on CI's busy two cores.
SERVICES = 10_000
# The tests' own database of the local Redis, emptied first (JISR_TEST_REDIS_DB to choose another).
REDIS_DB = int(os.environ.get("JISR_TEST_REDIS_DB", "12"))

SETUP = """
import io, json, uuid, zipfile
from django.db import transaction
from jisr.accounts.models import Organisation, OrganisationKind
from jisr.accounts.roles import Role, Scope
from jisr.catalogue.hsds.running import hsds_import_upload
from jisr.catalogue.tests import hsds_documents as hsds
from jisr.conftest import make_user

platform = Organisation.objects.create(kind=OrganisationKind.PLATFORM, name_ar="منصة جسر")
admin = make_user("admin@example.org", platform, {Role.ADMINISTRATOR: Scope.ALL})
services = []
for number in range(%(services)d):
    own = str(uuid.UUID(int=number + 1))
    sal = {**hsds.service()["service_at_locations"][0], "id": str(uuid.UUID(int=10**9 + number)),
           "service_id": own}
    services.append(hsds.service(id=own, name=f"Legal aid {number}", service_at_locations=[sal]))
buffer = io.BytesIO()
with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
    archive.writestr("hsds/organizations.json", json.dumps({"contents": [hsds.organisation()]}))
    for first in range(0, len(services), 1000):  # a document may hold 20 MB at the most
        part = {"contents": services[first:first + 1000]}
        archive.writestr(f"hsds/services-{first}.json", json.dumps(part))
open("%(zip)s", "wb").write(buffer.getvalue())
with transaction.atomic():
    hsds_import_upload(by=admin, content=buffer.getvalue(), filename="large.zip")
"""

AGAIN = """
from django.db import transaction
from jisr.accounts.models import User
from jisr.catalogue.hsds.running import hsds_import_task, hsds_import_upload
from jisr.catalogue.models import HsdsImport
from jisr.core.tasks import enqueue_on_commit

with transaction.atomic():
    enqueue_on_commit(hsds_import_task, HsdsImport.objects.get().pk)  # the same task once more
    hsds_import_upload(by=User.objects.get(), content=open("%(zip)s", "rb").read(), filename="b")
"""


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
        "JISR_TASK_HEARTBEAT_SECONDS": "1",
        "JISR_TASK_STALE_SECONDS": "3",
        "LOG_LEVEL": "INFO",
    }


@pytest.fixture
def workers(
    env: dict[str, str], tmp_path: Path
) -> Iterator[Callable[[], tuple[subprocess.Popen[bytes], Path]]]:
    started: list[subprocess.Popen[bytes]] = []

    def start() -> tuple[subprocess.Popen[bytes], Path]:
        log = tmp_path / f"worker-{len(started)}.log"
        worker = subprocess.Popen(  # noqa: S603
            [str(Path(sys.executable).with_name("jisr")), "worker"],
            env=env,
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        started.append(worker)
        return worker, log

    yield start
    for worker in started:
        if worker.poll() is None:
            _kill_with_children(worker.pid)
            worker.wait()


def _counts(database: Path) -> dict[str, int]:
    with sqlite3.connect(database, timeout=30) as db:
        return {
            table: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
            for table in (
                "catalogue_service",
                "catalogue_servicechange",
                "catalogue_location",
                "catalogue_serviceatlocation",
                "accounts_organisation",
                "audit_auditentry",
            )
        }


def _imports(database: Path) -> list[tuple[str, int, int]]:
    with sqlite3.connect(database, timeout=30) as db:
        return db.execute(
            "SELECT status, attempts, services FROM catalogue_hsdsimport ORDER BY id"
        ).fetchall()


def test_a_worker_killed_mid_import_leaves_nothing_and_the_retry_is_exact(env, workers, tmp_path):
    database = tmp_path / "jisr.sqlite3"
    large = tmp_path / "large.zip"
    _jisr(env, "migrate", "-v0")
    _jisr(env, "shell", "-c", SETUP % {"services": SERVICES, "zip": large})
    before = _counts(database)
    assert _imports(database) == [("queued", 0, 0)]

    first, log = workers()
    _wait(lambda: "documents checked, writing" in log.read_text(), 300, "never began to write")
    time.sleep(1)  # well inside the writes: thousands of services take far longer
    assert _imports(database)[0][0] == "running"
    _kill_with_children(first.pid)
    first.wait()
    assert _counts(database) == before  # the killed try wrote nothing
    assert _imports(database) == [("running", 1, 0)]

    workers()  # its watchdog finds the import silent and queues it once more
    _wait(lambda: _imports(database)[0][0] in ("imported", "failed"), 600, "never run again")
    assert _imports(database) == [("imported", 2, SERVICES)]
    after = _counts(database)
    assert after["catalogue_service"] == before["catalogue_service"] + SERVICES
    assert after["catalogue_servicechange"] == before["catalogue_servicechange"] + SERVICES
    assert after["catalogue_serviceatlocation"] == before["catalogue_serviceatlocation"] + SERVICES
    assert after["catalogue_location"] == before["catalogue_location"] + 1
    assert after["accounts_organisation"] == before["accounts_organisation"] + 1

    # The same task once more, and the same ZIP imported again: nothing added.
    _jisr(env, "shell", "-c", AGAIN % {"zip": large})
    _wait(lambda: _imports(database)[-1][0] in ("imported", "failed"), 600, "not imported")
    assert _imports(database) == [("imported", 2, SERVICES), ("imported", 1, 0)]
    assert _counts(database) == after
