"""A linkage run when the queue or the worker fails: refused with nothing kept while Redis is down
(decision 0022); run once more, then failed, when its worker was killed; never run twice
(decision 0023). The real worker process killed mid-run: jisr/core/tests/test_worker_on_redis.py."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from jisr.audit.models import AuditEntry
from jisr.conftest import client_for
from jisr.linkage import services
from jisr.linkage.models import LinkageRun, Register
from jisr.linkage.runs import run_execute
from jisr.linkage.tasks import runs_stale_sweep

REDIS_DOWN = "redis://127.0.0.1:1/0?socket_connect_timeout=1"


@pytest.fixture
def register(labour_analyst: Any) -> Register:
    return services.register_create(by=labour_analyst, name="Jobseekers", kind="unemployed")


@pytest.fixture
def redis_down(settings: Any) -> None:
    settings.JISR_TASKS = "redis"
    settings.RQ_QUEUES = {"default": {"URL": REDIS_DOWN}}
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]},
        "waiting": {"BACKEND": "django_tasks_db.DatabaseBackend"},
    }


@pytest.mark.usefixtures("redis_down")
def test_a_run_started_while_redis_is_down_is_refused_and_nothing_is_kept(
    labour_analyst, register, capture
):
    client = client_for(labour_analyst)
    with capture(execute=True):
        response = client.post(f"/linkage/registers/{register.pk}/run/")
    assert response.status_code == 302
    assert response["Location"] == f"/linkage/registers/{register.pk}/"
    assert LinkageRun.objects.count() == 0
    assert not AuditEntry.objects.filter(object_type="linkage.linkagerun").exists()
    page = client.get(response["Location"]).content.decode()
    assert "The background worker cannot be reached just now, so nothing was started." in page


@pytest.mark.usefixtures("redis_down")
def test_the_api_refuses_a_run_while_redis_is_down_with_503(labour_analyst, register, capture):
    client = client_for(labour_analyst)
    with capture(execute=True):
        response = client.post(
            "/api/v1/linkage/runs", {"left": register.pk}, content_type="application/json"
        )
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "queue_unavailable"
    assert LinkageRun.objects.count() == 0


def _run(register: Register, by: Any, **fields: Any) -> LinkageRun:
    return LinkageRun.objects.create(left=register, started_by=by, **fields)


def test_a_run_taken_or_finished_is_not_run_again(labour_analyst, register):
    running = _run(register, labour_analyst, status="running", attempts=1)
    done = _run(register, labour_analyst, status="done", attempts=1)
    assert run_execute(run_id=running.pk) is None
    assert run_execute(run_id=done.pk) is None
    running.refresh_from_db()
    done.refresh_from_db()
    assert (running.status, running.attempts) == ("running", 1)
    assert (done.status, done.attempts) == ("done", 1)


def test_a_run_whose_worker_died_runs_once_more_then_fails(labour_analyst, register, capture):
    old = timezone.now() - dt.timedelta(minutes=10)
    fresh = _run(
        register, labour_analyst, status="running", attempts=1, heartbeat_at=timezone.now()
    )
    lost = _run(register, labour_analyst, status="running", attempts=1, heartbeat_at=old)
    lost_twice = _run(register, labour_analyst, status="running", attempts=2, heartbeat_at=old)
    cutoff = timezone.now() - dt.timedelta(minutes=2)
    with capture() as queued:
        assert runs_stale_sweep(cutoff) == [lost.pk]
    assert len(queued) == 1  # its task, queued again once the sweep commits
    for run in (fresh, lost, lost_twice):
        run.refresh_from_db()
    assert fresh.status == "running"
    assert (lost.status, lost.heartbeat_at) == ("queued", None)
    assert lost_twice.status == "failed"
    assert lost_twice.finished_at is not None
    assert "stopped twice" in lost_twice.error
    # A second sweep finds nothing more to do.
    with capture() as again:
        assert runs_stale_sweep(cutoff) == []
    assert again == []
