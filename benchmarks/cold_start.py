"""What a web worker's first requests cost, against the same requests once it is warm.

    .venv/bin/jisr demo                                   # the demo's accounts, once
    .venv/bin/python benchmarks/cold_start.py [--starts 5] [--port 8790]

Starts gunicorn with one worker (the database of DATABASE_URL, or the default SQLite file), gives
the worker `--settle` seconds to start (0: none, so the first request also waits for the worker
to load Jisr), then sends a caseworker's first requests: the sign-in page, the sign-in, the
start page, the person search page and the case list; then the same requests again, warm. Stops
it and starts again, `--starts` times, and prints the median and the slowest of each, cold and
warm. Issue 14's soak found every sign-in of its first seconds slow while the workers were new.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PASSWORD = os.environ.get("JISR_LOAD_PASSWORD", "Jisr-demo-2026")  # the demo's
ACCOUNT = "caseworker@" + os.environ.get("JISR_LOAD_DOMAIN", "demo.jisr.iq")
PAGES = [("start page", "/"), ("person search", "/registry/persons/"), ("case list", "/cases/")]


def start(port: int) -> tuple[subprocess.Popen[bytes], float]:
    """gunicorn with one worker; returns it and the seconds until it accepted a connection."""
    began = time.perf_counter()
    server = subprocess.Popen(  # noqa: S603 - our own tools
        [
            str(BIN / "gunicorn"),
            "jisr.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--access-logfile",
            "/dev/null",
        ],
        cwd=ROOT,
        env={"DATABASE_CONN_MAX_AGE": "60", **os.environ, "DEBUG": "0"},
    )
    while time.perf_counter() - began < 120:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return server, time.perf_counter() - began
        except OSError:
            time.sleep(0.05)
    server.terminate()
    sys.exit("gunicorn did not start within two minutes.")


def journey(base: str) -> dict[str, float]:
    """A caseworker's first requests; milliseconds each."""
    took: dict[str, float] = {}
    session = requests.Session()

    def timed(
        name: str,
        method: str,
        path: str,
        data: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> requests.Response:
        began = time.perf_counter()
        answer = session.request(method, base + path, data=data, headers=headers, timeout=60)
        took[name] = (time.perf_counter() - began) * 1000
        answer.raise_for_status()
        return answer

    page = timed("sign-in page", "GET", "/accounts/sign-in/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token, "no CSRF token on the sign-in page"
    signed = timed(
        "sign in",
        "POST",
        "/accounts/sign-in/",
        data={"csrfmiddlewaretoken": token[1], "username": ACCOUNT, "password": PASSWORD},
        headers={"Referer": base + "/accounts/sign-in/"},
    )
    assert "/accounts/sign-in/" not in signed.url, "the demo caseworker could not sign in"
    for name, path in PAGES:
        timed(name, "GET", path)
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--starts", type=int, default=5)
    parser.add_argument("--port", type=int, default=8790)
    parser.add_argument(
        "--settle",
        type=float,
        default=5.0,
        help="seconds the worker has to start before its first request (0: at once)",
    )
    args = parser.parse_args()
    base = f"http://127.0.0.1:{args.port}"
    cold: dict[str, list[float]] = {}
    warm: dict[str, list[float]] = {}
    listening: list[float] = []
    for _ in range(args.starts):
        server, seconds = start(args.port)
        listening.append(seconds)
        time.sleep(args.settle)
        try:
            for name, ms in journey(base).items():
                cold.setdefault(name, []).append(ms)
            for name, ms in journey(base).items():
                warm.setdefault(name, []).append(ms)
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(f"{args.starts} starts of gunicorn with one worker; listening after a median of "
          f"{statistics.median(listening):.1f} s, first request {args.settle:.0f} s later; "
          f"load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    print(
        f"{'request':<16} {'cold median':>12} {'cold max':>9} {'warm median':>12} {'warm max':>9}"
    )
    for name in cold:
        print(
            f"{name:<16} {statistics.median(cold[name]):>10.0f}ms {max(cold[name]):>7.0f}ms "
            f"{statistics.median(warm[name]):>10.0f}ms {max(warm[name]):>7.0f}ms"
        )


if __name__ == "__main__":
    main()
