"""The queue's worker forks a child for each task while the watchdog thread runs beside it. A child
forked while that thread was inside SQLite inherited SQLite's locks and could wait on them for ever:
on CI an HSDS import queued behind such a child never ran (decision 0049). A fork now waits for the
watchdog's round to end, and the round closes its connection before it ends."""

from __future__ import annotations

import os
import threading
import time
import warnings

import pytest

from jisr.core import watchdog


@pytest.fixture
def watching(monkeypatch):
    """Start the watchdog's loop with `round` in place of a real round; stop it afterwards."""
    stop = threading.Event()
    threads: list[threading.Thread] = []

    def start(round_) -> None:
        monkeypatch.setattr(watchdog, "watch_once", round_)
        thread = threading.Thread(target=watchdog.watch, args=(stop,), daemon=True)
        thread.start()
        threads.append(thread)

    yield start
    stop.set()
    for thread in threads:
        thread.join(timeout=10)


def _fork_and_ask(question) -> bytes:
    """Fork; the child answers `question()` (one byte) through a pipe and leaves at once."""
    read, write = os.pipe()
    # Python 3.12 warns of a fork beside threads: here that is the point.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            os.write(write, question())
        finally:
            os._exit(0)
    os.close(write)
    try:
        return os.read(read, 1)
    finally:
        os.close(read)
        os.waitpid(pid, 0)


def test_a_fork_waits_until_the_watchdog_round_under_way_has_ended(watching):
    inside = threading.Event()
    rounds_ended: list[str] = []

    def slow_round(name: str) -> None:
        inside.set()
        time.sleep(0.5)  # a round busy in the database when the worker forks
        rounds_ended.append(name)

    watching(slow_round)
    assert inside.wait(timeout=10)
    answer = _fork_and_ask(lambda: b"y" if rounds_ended else b"n")
    assert answer == b"y", "the child was forked in the middle of the watchdog's round"


def test_a_round_closes_its_database_connection_before_a_fork_can_happen(watching, monkeypatch):
    closed_inside_the_round: list[bool] = []
    done = threading.Event()

    class Connection:
        def close(self) -> None:
            closed_inside_the_round.append(watchdog._round_lock.locked())
            done.set()

    monkeypatch.setattr(watchdog, "connection", Connection())
    watching(lambda name: None)
    assert done.wait(timeout=10)
    assert closed_inside_the_round[0] is True


def test_a_round_that_fails_still_closes_its_connection_and_lets_forks_go(watching, monkeypatch):
    closed = threading.Event()

    class Connection:
        def close(self) -> None:
            closed.set()

    def failing_round(name: str) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(watchdog, "connection", Connection())
    watching(failing_round)
    assert closed.wait(timeout=10)
    assert _fork_and_ask(lambda: b"y") == b"y"  # the lock was given back
