"""The production layout's files (decision 0037) name real commands and paths and agree with each
other and with README: the systemd units run README's two long-running lines, the gunicorn config
keeps query strings out of its access log and its timeout above the web's statement timeout, the
proxy lets uploads through up to Jisr's own limit, and `.env.example` lists every variable that
the settings and the gunicorn config read."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from jisr.tests.test_production_setup import readme_steps

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
INSTALLED = "/srv/jisr"  # where README installs the checkout


def _unit(name: str) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for line in (DEPLOY / name).read_text().splitlines():
        if line and not line.startswith(("#", "[")):
            key, _, value = line.partition("=")
            values.setdefault(key.strip(), []).append(value.strip())
    return values


def _readme_line(prefix: str) -> str:
    return next(line for line in readme_steps() if line.startswith(prefix))


@pytest.mark.parametrize(
    ("unit", "readme"),
    [("jisr-web.service", ".venv/bin/gunicorn "), ("jisr-worker.service", ".venv/bin/jisr worker")],
)
def test_each_unit_runs_readmes_command_from_the_checkout(unit, readme):
    values = _unit(unit)
    assert values["WorkingDirectory"] == [INSTALLED]
    assert values["EnvironmentFile"] == ["/etc/jisr/jisr.env"]
    assert values["User"] == ["jisr"]
    command = values["ExecStart"][0].split()
    # README's line, run in the checkout, with its paths made absolute.
    expected = [
        f"{INSTALLED}/{word}" if word.startswith((".venv/", "deploy/")) else word
        for word in _readme_line(readme).split()
    ]
    assert command == expected
    for word in command:
        if word.startswith(INSTALLED):
            relative = word.removeprefix(f"{INSTALLED}/")
            assert (ROOT / relative).exists() or relative.startswith(".venv/"), word
    # The command is installed into the virtual environment by `pip install -e .`.
    assert (Path(sys.executable).parent / Path(command[0]).name).exists(), command[0]
    assert values["NoNewPrivileges"] == ["true"]
    assert values["PrivateTmp"] == ["true"]


def test_the_web_unit_is_hardened_and_may_write_only_under_its_var_folder():
    values = _unit("jisr-web.service")
    assert values["ProtectSystem"] == ["strict"]
    assert values["ReadWritePaths"] == ["/var/lib/jisr"]
    assert "JISR_VAR_DIR=/var/lib/jisr" in (ROOT / ".env.example").read_text()
    assert values["ExecStart"][0].endswith("jisr.wsgi")
    assert (ROOT / "jisr" / "wsgi.py").exists()


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze is not here")
def test_systemd_verifies_the_units(tmp_path):
    """systemd's own check, on copies that point at this checkout (its .venv is README's)."""
    if not (ROOT / ".venv" / "bin" / "gunicorn").exists():
        pytest.skip("no .venv in the checkout for the units to point at")
    copies = []
    for name in ("jisr-web.service", "jisr-worker.service"):
        copy = tmp_path / name
        copy.write_text((DEPLOY / name).read_text().replace(INSTALLED, str(ROOT)))
        copies.append(str(copy))
    done = subprocess.run(  # noqa: S603
        ["systemd-analyze", "verify", *copies],  # noqa: S607
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    problems = [
        line
        for line in (done.stdout + done.stderr).splitlines()
        if "jisr-" in line and ("Unknown" in line or "not executable" in line or "bad" in line)
    ]
    assert done.returncode == 0, done.stdout + done.stderr
    assert problems == []


def _gunicorn_config(**env: str) -> dict[str, object]:
    import os
    from unittest import mock

    namespace: dict[str, object] = {}
    with mock.patch.dict(os.environ, env):
        exec((DEPLOY / "gunicorn.conf.py").read_text(), namespace)  # noqa: S102  (our own file)
    return namespace


def test_gunicorns_access_log_carries_no_query_string_address_or_referrer():
    config = _gunicorn_config()
    log_format = str(config["access_log_format"])
    # %(r)s is the request line with its query string, %(q)s the query string, %(f)s the
    # referrer (another page's URL), %(h)s the address, %(a)s the user agent, %(u)s the user.
    for field in ("%(r)s", "%(q)s", "%(f)s", "%(h)s", "%(a)s", "%(u)s", "%({"):
        assert field not in log_format
    assert "%(U)s" in log_format
    assert config["bind"] == "127.0.0.1:8000"
    assert config["accesslog"] == "-"


def test_gunicorns_timeout_and_the_webs_statement_timeout_come_from_one_variable():
    assert _gunicorn_config()["timeout"] == settings.JISR_WEB_TIMEOUT_SECONDS == 30
    assert _gunicorn_config(JISR_WEB_TIMEOUT_SECONDS="60")["timeout"] == 60
    assert settings.JISR_DB_STATEMENT_TIMEOUT_MS == 25_000


def test_the_proxy_lets_uploads_through_to_jisrs_own_limit_and_logs_no_query_string():
    nginx = (DEPLOY / "nginx.conf").read_text()
    body = re.search(r"client_max_body_size (\d+)m;", nginx)
    assert body
    upload_mb = settings.JISR_UPLOAD_MAX_BYTES // (1024 * 1024)
    # A little over Jisr's limit: Jisr answers a larger upload with its own translated 413.
    assert upload_mb < int(body.group(1)) <= upload_mb + 2
    formats = re.findall(r"log_format \w+ ([^;]+);", nginx)
    assert formats
    for log_format in formats:
        for variable in ("$request ", "$request_uri", "$args", "$query_string", "$http_referer"):
            assert variable not in log_format + " "
    access_logs = re.findall(r"access_log ([^;]+);", nginx)
    assert all(log == "off" or log.endswith(" jisr") for log in access_logs)
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in nginx
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in nginx
    assert "server 127.0.0.1:8000;" in nginx
    read_timeout = re.search(r"proxy_read_timeout (\d+)s;", nginx)
    assert read_timeout
    assert int(read_timeout.group(1)) > settings.JISR_WEB_TIMEOUT_SECONDS


def _names_read(path: Path) -> set[str]:
    """The environment variables a module reads: the first argument of each env_* call (and of
    the settings' helpers that pass their first argument on to one), and os.environ.get."""
    tree = ast.parse(path.read_text())
    readers = {"env_str", "env_bool", "env_int", "env_list", "env_choice"}
    for function in ast.walk(tree):
        if isinstance(function, ast.FunctionDef) and function.args.args:
            first = function.args.args[0].arg
            for call in ast.walk(function):
                if (
                    isinstance(call, ast.Call)
                    and isinstance(call.func, ast.Name)
                    and call.func.id in readers
                    and call.args
                    and isinstance(call.args[0], ast.Name)
                    and call.args[0].id == first
                ):
                    readers.add(function.name)
    names = set()
    for call in ast.walk(tree):
        if not isinstance(call, ast.Call) or not call.args:
            continue
        argument = call.args[0]
        if not (isinstance(argument, ast.Constant) and isinstance(argument.value, str)):
            continue
        called = call.func
        env_reader = isinstance(called, ast.Name) and called.id in readers
        environ_get = (
            isinstance(called, ast.Attribute)
            and called.attr == "get"
            and isinstance(called.value, ast.Attribute)
            and called.value.attr == "environ"
        )
        if env_reader or environ_get:
            names.add(argument.value)
    return names


def test_env_example_lists_every_variable_the_settings_and_gunicorn_read():
    read = _names_read(ROOT / "jisr" / "settings.py") | _names_read(DEPLOY / "gunicorn.conf.py")
    assert {"SECRET_KEY", "JISR_SMS_HTTP_SUCCESS", "JISR_WEB_BIND"} <= read  # the reader works
    example = (ROOT / ".env.example").read_text()
    # Set as NAME=value, or named in a comment where it is not to be set (JISR_PROCESS).
    listed = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)[=:]", example, re.M))
    assert sorted(read - listed) == []
