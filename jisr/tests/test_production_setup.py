"""README's Production section, followed line by line, gives a working system.

The test reads the block of commands that follows `<!-- production-steps` in README.md and runs
each line as written, in the repository (README's `/srv/jisr`), with `/etc/jisr/` standing for a
folder of its own holding `jisr.env` and `setup.env`: a fresh PostgreSQL database and roles of its
own, migrations as the owner, the audit grants, collectstatic, `check --deploy` as the web role,
the first administrator, gunicorn with deploy/gunicorn.conf.py and `jisr worker` on Redis (the two
long-running lines are started in the background with jisr.env alone, as their systemd units do),
and the health probe. So README and this test cannot drift: change the block and the test runs the
change. Then, over HTTP as the proxy would send it: /health/ is 200 with every check ok, the
administrator signs in and sets up two-factor authentication with the link the worker e-mails,
opens a page, static files come compressed with a long cache, the access log holds no query
string, and the web role cannot UPDATE, DELETE or TRUNCATE the audit log.

Two deviations, both forced by running unattended: `createsuperuser` gets `--noinput` (its
answers from DJANGO_SUPERUSER_*), and the health probe is retried while the processes start.
Skipped when PostgreSQL (JISR_PRODUCTION_PG_URL, a superuser; default postgres@127.0.0.1:5432) or
Redis (127.0.0.1:6379) is absent, unless JISR_PRODUCTION_TESTS=required (CI)."""

from __future__ import annotations

import contextlib
import email
import gzip
import json
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from base64 import b32decode
from collections.abc import Iterator
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
PG_URL = os.environ.get("JISR_PRODUCTION_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS_DB = int(os.environ.get("JISR_PRODUCTION_REDIS_DB", "7"))
HOST = "jisr.test"
ADMIN_EMAIL = "admin@ministry.test"
ADMIN_PASSWORD = "Production-set-up-2026"  # a throw-away account
BACKGROUND = (".venv/bin/gunicorn ", ".venv/bin/jisr worker")


def readme_steps() -> list[str]:
    """The commands of README's Production block, one a line (a trailing `\\` joins lines)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    marker = text.index("<!-- production-steps")
    block = re.search(r"```sh\n(.*?)```", text[marker:], re.S)
    assert block, "README's production-steps marker is not followed by a ```sh block"
    joined = block.group(1).replace("\\\n", " ")
    return [line.strip() for line in joined.splitlines() if line.strip()]


def _fail_or_skip(reason: str) -> None:
    if os.environ.get("JISR_PRODUCTION_TESTS") == "required":
        pytest.fail(f"JISR_PRODUCTION_TESTS=required but {reason}")
    pytest.skip(f"{reason} (JISR_PRODUCTION_TESTS=required makes this fail)")


def _free_port() -> int:
    """A free port: in the range JISR_PRODUCTION_TEST_PORTS (e.g. 18100-18199) when given (a
    shared machine), else any the system hands out."""
    wanted = os.environ.get("JISR_PRODUCTION_TEST_PORTS")
    candidates = [0]
    if wanted:
        low, high = (int(part) for part in wanted.split("-"))
        candidates = list(range(low, high + 1))
        import random

        random.shuffle(candidates)
    for port in candidates:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return int(probe.getsockname()[1])
    raise AssertionError(f"no free port in {wanted}")


class Browser:
    """Just enough of a browser behind the TLS proxy: the proxy's headers, cookies kept by hand
    (they are Secure, so an http client would drop them), redirects not followed."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.cookies: dict[str, str] = {}

        class _NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args: Any, **kwargs: Any) -> None:
                return None

        self.opener = urllib.request.build_opener(_NoRedirect)

    def request(
        self, path: str, data: dict[str, str] | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        body = None
        all_headers = {
            "Host": HOST,
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": "192.0.2.10",
            "Accept-Language": "en",
        }
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if data is not None:
            data = {"csrfmiddlewaretoken": self.cookies.get("csrftoken", ""), **data}
            body = urllib.parse.urlencode(data).encode()
            all_headers["Content-Type"] = "application/x-www-form-urlencoded"
            all_headers["Origin"] = f"https://{HOST}"
            all_headers["Referer"] = f"https://{HOST}{path}"
        all_headers.update(headers or {})
        request = urllib.request.Request(self.base + path, data=body, headers=all_headers)  # noqa: S310
        try:
            with self.opener.open(request, timeout=60) as response:
                status, got, content = response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            status, got, content = error.code, error.headers, error.read()
        for header in got.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return status, {k.lower(): v for k, v in got.items()}, content

    def get(self, path: str, **kwargs: Any) -> tuple[int, dict[str, str], bytes]:
        return self.request(path, **kwargs)

    def post(self, path: str, data: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        return self.request(path, data=data)


def _location(headers: dict[str, str]) -> str:
    return urllib.parse.urlsplit(headers["location"]).path


@contextlib.contextmanager
def _processes() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    try:
        yield started
    finally:
        for process in started:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 20
        for process in started:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def _postgres(url: str, sql: str, params: list[Any] | None = None) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql, params)


def _drop(db: str, owner: str, web: str) -> None:
    with contextlib.suppress(Exception):
        _postgres(
            PG_URL,
            f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{db}'",  # noqa: S608
        )
    for statement in (
        f'DROP DATABASE IF EXISTS "{db}"',
        f'DROP ROLE IF EXISTS "{web}"',
        f'DROP ROLE IF EXISTS "{owner}"',
    ):
        with contextlib.suppress(Exception):
            _postgres(PG_URL, statement)


def test_readme_production_setup_serves_a_signed_in_administrator(tmp_path):
    try:
        import psycopg

        psycopg.connect(PG_URL, connect_timeout=3).close()
    except Exception:
        _fail_or_skip(f"no PostgreSQL superuser answers at {PG_URL}")
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        _fail_or_skip("no Redis answers at 127.0.0.1:6379")
    if subprocess.run(["which", "psql"], capture_output=True, check=False).returncode:  # noqa: S607
        _fail_or_skip("PostgreSQL's psql client is not installed")
    import redis

    redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB).flushdb()

    suffix = os.urandom(4).hex()
    db, owner, web = (
        f"production_e2e_{suffix}",
        f"production_e2e_{suffix}_owner",
        f"production_e2e_{suffix}_web",
    )
    pg = urllib.parse.urlsplit(PG_URL)
    server = f"{pg.hostname}:{pg.port or 5432}"
    port = _free_port()
    etc, var = tmp_path / "etc", tmp_path / "var"
    etc.mkdir()
    var.mkdir()
    from cryptography.fernet import Fernet

    settings = {
        "JISR_ENV": "production",
        "SECRET_KEY": os.urandom(32).hex(),
        "ALLOWED_HOSTS": HOST,
        "SITE_URL": f"https://{HOST}",
        "JISR_VAR_DIR": str(var),
        "STATIC_ROOT": str(var / "static"),
        "DATABASE_URL": f"postgres://{web}:web-secret@{server}/{db}",
        "DATABASE_CONN_MAX_AGE": "60",
        "JISR_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "JISR_AUDIT_KEY": os.urandom(32).hex(),
        "JISR_TASKS": "redis",
        "REDIS_URL": f"redis://127.0.0.1:6379/{REDIS_DB}",
        "JISR_TRUSTED_PROXY_COUNT": "1",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(var / "mail"),
        "JISR_SMS_HTTP_URL": "https://sms.invalid/send",
        "JISR_WEB_BIND": f"127.0.0.1:{port}",
        "JISR_WEB_WORKERS": "2",
        "JISR_TASK_HEARTBEAT_SECONDS": "2",
    }
    setup = {
        "JISR_SETUP_SUPERUSER_URL": PG_URL,
        "JISR_SETUP_DATABASE": db,
        "JISR_SETUP_OWNER": owner,
        "JISR_SETUP_OWNER_PASSWORD": "owner-secret",
        "JISR_SETUP_WEB": web,
        "JISR_SETUP_WEB_PASSWORD": "web-secret",
        "JISR_SETUP_OWNER_URL": f"postgres://{owner}:owner-secret@{server}/{db}",
    }
    for name, values in (("jisr.env", settings), ("setup.env", setup)):
        (etc / name).write_text("".join(f"{k}={shlex.quote(v)}\n" for k, v in values.items()))
        (etc / name).chmod(0o600)
    # The shell's environment without the test run's own settings: only the files count.
    base_env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("JISR_", "DJANGO_", "DATABASE_", "REDIS_", "EMAIL_"))
    }
    base_env["DJANGO_SUPERUSER_EMAIL"] = ADMIN_EMAIL
    base_env["DJANGO_SUPERUSER_PASSWORD"] = ADMIN_PASSWORD
    base_env["DJANGO_SUPERUSER_FULL_NAME"] = "Platform Administrator"

    steps = [line.replace("/etc/jisr/", f"{etc}/") for line in readme_steps()]
    load_settings, commands = steps[0], steps[1:]
    assert load_settings.startswith("set -a"), "README's block must first load the settings"
    logs = tmp_path / "logs"
    logs.mkdir()
    timings: list[tuple[float, str]] = []
    try:
        with _processes() as started:
            for number, command in enumerate(commands):
                if command.startswith(".venv/bin/jisr createsuperuser"):
                    command += " --noinput"
                if command.startswith(BACKGROUND):
                    # As systemd runs it: the services' settings only (EnvironmentFile).
                    script = f"set -a && . {etc}/jisr.env && set +a && exec {command}"
                    log = (logs / f"{number}.log").open("wb")
                    started.append(
                        subprocess.Popen(  # noqa: S603
                            ["bash", "-c", script],  # noqa: S607
                            cwd=ROOT,
                            env=base_env,
                            stdout=log,
                            stderr=subprocess.STDOUT,
                            start_new_session=True,
                        )
                    )
                    continue
                started_at = time.monotonic()
                deadline = started_at + (90 if command.startswith("curl") else 0)
                while True:
                    done = subprocess.run(  # noqa: S603
                        ["bash", "-c", f"set -euo pipefail\n{load_settings}\n{command}"],  # noqa: S607
                        cwd=ROOT,
                        env=base_env,
                        capture_output=True,
                        text=True,
                        timeout=600,
                        check=False,
                    )
                    if done.returncode == 0 or time.monotonic() > deadline:
                        timings.append((time.monotonic() - started_at, command))
                        break
                    time.sleep(1)
                assert done.returncode == 0, (
                    f"README's line failed: {command}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
                )
                if command.startswith("curl"):
                    health = json.loads(done.stdout)
            checked_at = time.monotonic()
            _check_the_running_system(
                f"http://127.0.0.1:{port}", health, var, settings, logs, started
            )
            timings.append((time.monotonic() - checked_at, "(the checks over HTTP)"))
            # Shown with -s: the figures of docs/benchmarks.md.
            for seconds, step in timings:
                print(f"{seconds:6.1f} s  {step[:70]}")
    except BaseException:
        for log_file in sorted(logs.iterdir()):
            sys.stderr.write(f"--- {log_file.name}\n{log_file.read_text(errors='replace')[-4000:]}")
        raise
    finally:
        _drop(db, owner, web)
        redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB).flushdb()


def _check_the_running_system(
    base: str,
    health: dict[str, Any],
    var: Path,
    settings: dict[str, str],
    logs: Path,
    started: list[subprocess.Popen[bytes]],
) -> None:
    assert health == {
        "status": "ok",
        "checks": {"database": "ok", "queue": "ok", "worker": "ok", "keys": "ok"},
    }
    assert all(process.poll() is None for process in started)
    browser = Browser(base)

    # Sign in with the password, then two-factor authentication is required: set it up with the
    # link that the worker e-mails (README: "a link sent to the account's own e-mail").
    status, _headers, page = browser.get("/accounts/sign-in/")
    assert status == 200, page[:500]
    status, headers, page = browser.post(
        "/accounts/sign-in/", {"username": ADMIN_EMAIL, "password": ADMIN_PASSWORD}
    )
    assert status == 302, page[:2000]
    status, headers, page = browser.get("/dashboard/")
    assert status == 302
    assert _location(headers).startswith("/accounts/two-factor/setup/")
    status, _headers, page = browser.get("/accounts/two-factor/setup/")
    assert status == 200
    status, headers, page = browser.post("/accounts/two-factor/setup/link/", {"next": ""})
    assert status == 302, page[:2000]
    link = _mailed_link(var / "mail")
    assert link.startswith("/accounts/two-factor/enrol/")
    status, _headers, page = browser.get(link)
    assert status == 200
    status, headers, page = browser.post(link, {})
    assert status == 302
    status, _headers, page = browser.get("/accounts/two-factor/setup/")
    secret = re.search(rb'id="totp-secret">([A-Z2-7=]+)<', page)
    assert secret, page[:3000]
    from django_otp.oath import totp

    code = f"{totp(b32decode(secret.group(1))):06d}"
    status, headers, page = browser.post("/accounts/two-factor/setup/", {"token": code, "next": ""})
    assert status == 302, page[:3000]
    status, _headers, dashboard = browser.get("/dashboard/")
    assert status == 200
    assert b"Platform Administrator" in dashboard

    # A page that takes a search term: the term never reaches the access log.
    status, _headers, page = browser.get("/accounts/users/?q=Zubaidah-7701234567")
    assert status == 200

    # Static files: the hashed names of the manifest, compressed, cached for a year.
    manifest = json.loads((Path(settings["STATIC_ROOT"]) / "staticfiles.json").read_text())
    css = manifest["paths"]["jisr/jisr.css"]
    assert f"/static/{css}".encode() in dashboard
    for encoding in ("br", "gzip"):
        status, headers, _body = browser.get(
            f"/static/{css}", headers={"Accept-Encoding": encoding}
        )
        assert status == 200
        assert headers.get("content-encoding") == encoding, headers
        assert "max-age=315360000" in headers["cache-control"]
        assert "immutable" in headers["cache-control"]
    compressed = browser.get(f"/static/{css}", headers={"Accept-Encoding": "gzip"})[2]
    assert gzip.decompress(compressed) == (Path(settings["STATIC_ROOT"]) / css).read_bytes()

    # The web role may read and append to the audit log, never rewrite it.
    import psycopg

    with psycopg.connect(settings["DATABASE_URL"], autocommit=True) as conn:
        assert conn.execute("SELECT count(*) FROM audit_auditentry").fetchone()[0] > 0  # type: ignore[index]
        for statement in (
            "UPDATE audit_auditentry SET action = action",
            "DELETE FROM audit_auditentry",
            "TRUNCATE audit_auditentry CASCADE",
            "DELETE FROM audit_auditentryperson",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)

    # PostgreSQL ends every session of the web role (a restart, a failover): the processes carry
    # on without a restart, the next requests opening new connections.
    _postgres(
        PG_URL,
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s",
        [urllib.parse.urlsplit(settings["DATABASE_URL"]).username],
    )
    for _attempt in range(4):  # each gunicorn worker, whichever answers
        status, _headers, page = browser.get("/dashboard/")
        assert status == 200, page[:500]
    assert all(process.poll() is None for process in started)

    time.sleep(1)  # gunicorn writes its access log line after the response
    gunicorn_log = "".join(path.read_text(errors="replace") for path in logs.iterdir())
    assert "/accounts/users/" in gunicorn_log
    assert "Zubaidah" not in gunicorn_log
    assert "7701234567" not in gunicorn_log
    assert ADMIN_EMAIL not in gunicorn_log


def _mailed_link(mail: Path) -> str:
    """The path of the link in the e-mail the worker wrote (the file backend), once it has."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for path in sorted(mail.glob("*.log")) if mail.exists() else []:
            for chunk in path.read_text().split("-" * 79):
                for part in email.message_from_string(chunk.strip()).walk():
                    payload = part.get_payload(decode=True)
                    if not isinstance(payload, bytes):
                        continue
                    text = payload.decode(errors="replace")
                    found = re.search(r"https://[^/\s]+(/accounts/two-factor/enrol/\S+/)", text)
                    if found:
                        return found.group(1)
        time.sleep(0.5)
    raise AssertionError("the worker sent no e-mail with the enrolment link within 60 s")
