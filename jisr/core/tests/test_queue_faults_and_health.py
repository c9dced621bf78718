"""Redis unreachable: pages still answer and their tasks wait in the database until the worker
hands them to Redis (decision 0022); the health endpoint says what is wrong, to anyone, without
a secret (decision 0023)."""

from __future__ import annotations

import json
import socket
from io import StringIO
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.test import Client
from django_tasks_db.models import DBTaskResult

from jisr.conftest import client_for
from jisr.core.models import WorkerHeartbeat
from jisr.core.watchdog import waiting_tasks_forward, worker_beat

# Nothing listens on port 1: Redis "down", refused at once.
REDIS_DOWN = "redis://127.0.0.1:1/0?socket_connect_timeout=1"
# The tests' own Redis database, emptied before use.
REDIS_UP = "redis://127.0.0.1:6379/14?socket_connect_timeout=1"


def _on_redis(settings: Any, url: str) -> None:
    settings.JISR_TASKS = "redis"
    settings.RQ_QUEUES = {"default": {"URL": url}}
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]},
        "waiting": {"BACKEND": "django_tasks_db.DatabaseBackend"},
    }


def _redis_answers() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        return False
    return True


def test_a_page_that_sends_mail_answers_while_redis_is_down_and_the_mail_waits(
    settings, people, django_capture_on_commit_callbacks
):
    _on_redis(settings, REDIS_DOWN)
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post("/accounts/password/reset/", {"email": "alice@example.org"})
    assert response.status_code == 302
    waiting = DBTaskResult.objects.get()
    assert waiting.backend_name == "waiting"
    assert waiting.task_path == "jisr.core.tasks.send_email_task"
    assert waiting.args_kwargs["args"][2] == ["alice@example.org"]
    # The worker's watchdog tries to hand it on: Redis is still down, so it stays.
    assert waiting_tasks_forward() == 0
    assert DBTaskResult.objects.count() == 1


def test_the_watchdog_hands_waiting_tasks_to_redis_once_it_is_back(
    settings, people, django_capture_on_commit_callbacks
):
    if not _redis_answers():
        pytest.skip("no Redis at 127.0.0.1:6379")
    import django_rq

    _on_redis(settings, REDIS_DOWN)
    with django_capture_on_commit_callbacks(execute=True):
        Client().post("/accounts/password/reset/", {"email": "alice@example.org"})
    assert DBTaskResult.objects.count() == 1
    _on_redis(settings, REDIS_UP)
    queue = django_rq.get_queue("default")
    queue.connection.flushdb()
    assert waiting_tasks_forward() == 1
    assert DBTaskResult.objects.count() == 0
    [job] = queue.get_jobs()
    assert job.func_name == "jisr.core.tasks.send_email_task"
    assert job.args[2] == ["alice@example.org"]
    queue.connection.flushdb()


def _health(client: Client) -> tuple[int, dict[str, Any]]:
    response = client.get("/health/")
    assert response["Content-Type"] == "application/json"
    return response.status_code, json.loads(response.content)


def test_health_answers_anyone_with_each_check(db):
    status, body = _health(Client())
    assert status == 200
    assert body == {
        "status": "ok",
        "checks": {"database": "ok", "queue": "ok", "worker": "ok", "keys": "ok"},
    }


def test_health_fails_when_the_keys_cannot_read_the_stored_data_and_shows_no_key(
    db, settings, people
):
    assert _health(Client())[0] == 200  # the stored check is the migration's, with these keys
    other = Fernet.generate_key().decode()
    settings.JISR_ENCRYPTION_KEYS = [other]
    status, body = _health(client_for(people["admin"]))
    assert status == 503
    assert body["status"] == "failing"
    assert body["checks"]["keys"] == "keys do not decrypt stored data"
    assert other not in json.dumps(body)


def test_health_passes_during_a_key_rotation_and_after_reencrypt(db, settings):
    before = list(settings.JISR_ENCRYPTION_KEYS)
    settings.JISR_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), *before]
    assert _health(Client())[0] == 200  # a new key first, the old ones kept
    call_command("reencrypt", stdout=StringIO())
    # Re-encrypted with the new key: the newest alone decrypts, but the oldest made the digest
    # (blind indexes): dropping it is refused too.
    settings.JISR_ENCRYPTION_KEYS = settings.JISR_ENCRYPTION_KEYS[:1]
    assert _health(Client())[1]["checks"]["keys"] == "keys do not decrypt stored data"
    call_command("reencrypt", stdout=StringIO())  # the blind indexes follow the new oldest key
    assert _health(Client())[0] == 200


def test_health_fails_while_redis_is_down(db, settings):
    _on_redis(settings, REDIS_DOWN)
    worker_beat("worker-1:1")
    status, body = _health(Client())
    assert status == 503
    assert body["checks"]["queue"] == "unreachable"
    assert body["checks"]["worker"] == "ok"
    assert "127.0.0.1" not in json.dumps(body)


def test_health_fails_without_a_recent_worker_heartbeat(db, settings):
    settings.JISR_TASKS = "database"
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    assert _health(Client()) == (
        503,
        {
            "status": "failing",
            "checks": {"database": "ok", "queue": "ok", "worker": "no heartbeat", "keys": "ok"},
        },
    )
    worker_beat("worker-1:1")
    assert _health(Client())[0] == 200
    WorkerHeartbeat.objects.update(beat_at="2020-01-01T00:00:00Z")
    status, body = _health(Client())
    assert (status, body["checks"]["worker"]) == (503, "stale")
