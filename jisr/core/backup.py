"""Back-up and restore of Jisr's database (decision 0030).

A back-up is one tar file: `manifest.json` and the database, as PostgreSQL's own dump
(`pg_dump --format=custom`, taken in one snapshot) or a consistent copy of the SQLite file. The
manifest holds, for every table, its row count and a SHA-256 over its rows in key order, the
checksum of the database file, the newest audit entry (an anchor) and fingerprints of the
encryption keys that were configured. The keys themselves never go into a back-up: they live in
the secret store (docs/operations.md), and a restore checks that the keys it is given read the
restored values.

A restore goes only into an empty database. It checks the file against its checksum before
writing anything, restores, then recomputes every table's count and checksum, walks the audit
chain and decrypts one value of every encrypted column; any difference is reported and the
command fails.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.apps import apps
from django.conf import settings
from django.db import connections
from django.utils import timezone
from encrypted_fields.fields import EncryptedFieldMixin

from jisr.audit import integrity

FORMAT = 1
MANIFEST = "manifest.json"
POSTGRES_DUMP = "database.pgdump"
SQLITE_COPY = "database.sqlite3"
ROWS_PER_FETCH = 2000


class BackupError(Exception):
    """A back-up or restore that cannot go on; the message says why and what to do."""


class _Cursor(Protocol):
    @property
    def description(self) -> Any: ...

    def execute(self, query: str, params: Sequence[Any] = ..., /) -> Any: ...
    def fetchall(self) -> list[Any]: ...
    def fetchmany(self, size: int = ..., /) -> list[Any]: ...


@dataclass
class Verification:
    """What a restore found when it compared the database with the back-up's manifest."""

    tables: int = 0
    rows: int = 0
    problems: list[str] = field(default_factory=list)
    audit_entries: int = 0

    @property
    def holds(self) -> bool:
        return not self.problems


def key_fingerprints(keys: Sequence[str]) -> list[str]:
    """Short digests that name a key without revealing it (to tell which key a back-up needs)."""
    return [hashlib.sha256(key.encode()).hexdigest()[:16] for key in keys]


def _plain(value: Any) -> Any:
    if isinstance(value, memoryview):
        return bytes(value)
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return value


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _tables(cursor: _Cursor, engine: str) -> list[str]:
    if engine == "postgresql":
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1"
        )
    else:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite_%' ORDER BY 1"
        )
    return [row[0] for row in cursor.fetchall()]


def _key_columns(cursor: _Cursor, engine: str, table: str) -> list[str]:
    if engine == "postgresql":
        cursor.execute(
            "SELECT a.attname FROM pg_index i JOIN pg_attribute a "
            "ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
            "WHERE i.indrelid = %s::regclass AND i.indisprimary ORDER BY a.attnum",
            [_quoted(table)],
        )
        return [row[0] for row in cursor.fetchall()]
    cursor.execute(f"PRAGMA table_info({_quoted(table)})")
    keyed = sorted((row[5], row[1]) for row in cursor.fetchall() if row[5])
    return [name for _, name in keyed]


def _table_digest(cursor: _Cursor, engine: str, table: str) -> dict[str, Any]:
    """The table's row count and a SHA-256 over its rows, read in key order."""
    keys = _key_columns(cursor, engine, table)
    cursor.execute(f"SELECT * FROM {_quoted(table)} LIMIT 0")  # noqa: S608 - names from the catalogue
    width = len(cursor.description)
    if keys:
        order = ", ".join(_quoted(key) for key in keys)
    else:  # no primary key: order by the whole row
        order = "1" if engine == "postgresql" else ", ".join(str(n) for n in range(1, width + 1))
    # Table and column names come from the database's own catalogue, quoted.
    if engine == "postgresql":
        # The row as PostgreSQL writes it (in UTC): the same whichever client reads it.
        query = f"SELECT row_to_json(t)::text FROM {_quoted(table)} AS t ORDER BY {order}"  # noqa: S608
    else:
        # Each value as SQLite's literal: no converter of the reading connection applies.
        cursor.execute(f"PRAGMA table_info({_quoted(table)})")
        values = ", ".join(f"quote({_quoted(row[1])})" for row in cursor.fetchall())
        query = f"SELECT {values} FROM {_quoted(table)} ORDER BY {order}"  # noqa: S608
    cursor.execute(query)
    digest = hashlib.sha256()
    rows = 0
    while batch := cursor.fetchmany(ROWS_PER_FETCH):
        for row in batch:
            digest.update(repr(tuple(_plain(value) for value in row)).encode())
            digest.update(b"\n")
        rows += len(batch)
    return {"rows": rows, "sha256": digest.hexdigest()}


def _fingerprint(cursor: _Cursor, engine: str) -> dict[str, dict[str, Any]]:
    if engine == "postgresql":
        cursor.execute("SET TIME ZONE 'UTC'")
    return {table: _table_digest(cursor, engine, table) for table in _tables(cursor, engine)}


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _engine(alias: str) -> str:
    vendor = connections[alias].vendor
    if vendor not in ("postgresql", "sqlite"):
        raise BackupError(f"Back-ups support PostgreSQL and SQLite, not {vendor}.")
    return vendor


def _libpq_environment(alias: str) -> dict[str, str]:
    """The connection as libpq's variables, so no password appears on a command line."""
    config = connections[alias].settings_dict
    given = {
        "PGDATABASE": config.get("NAME"),
        "PGUSER": config.get("USER"),
        "PGPASSWORD": config.get("PASSWORD"),
        "PGHOST": config.get("HOST"),
        "PGPORT": str(config.get("PORT") or ""),
    }
    return {**os.environ, **{name: str(value) for name, value in given.items() if value}}


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(
            f"{name} is not on this machine: install PostgreSQL's client tools "
            "(the same major version as the server or newer)."
        )
    return found


def _run(command: list[str], environment: dict[str, str]) -> None:
    finished = subprocess.run(  # noqa: S603 - fixed tool, arguments we build
        command, env=environment, capture_output=True, text=True, check=False
    )
    if finished.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {finished.stderr.strip()[-2000:]}")


@contextmanager
def _postgres_snapshot(alias: str) -> Iterator[tuple[Any, str]]:
    """A read-only, repeatable-read transaction on its own connection, and its exported
    snapshot: the manifest and `pg_dump --snapshot` then describe the same moment."""
    import psycopg  # only PostgreSQL back-ups need it

    environment = _libpq_environment(alias)
    params: dict[str, Any] = {
        "dbname": environment.get("PGDATABASE"),
        "user": environment.get("PGUSER"),
        "password": environment.get("PGPASSWORD"),
        "host": environment.get("PGHOST"),
        "port": environment.get("PGPORT"),
    }
    with psycopg.connect(**{k: v for k, v in params.items() if v}) as conn:
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        with conn.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            row = cursor.fetchone()
            assert row is not None
            yield conn, row[0]


def _anchor(cursor: _Cursor) -> str | None:
    cursor.execute("SELECT id, hash FROM audit_auditentry ORDER BY id DESC LIMIT 1")
    rows = cursor.fetchall()
    return f"{rows[0][0]}:{rows[0][1]}" if rows else None


def _manifest(engine: str, tables: dict[str, Any], anchor: str | None, sha256: str) -> bytes:
    manifest = {
        "format": FORMAT,
        "made_at": timezone.now().isoformat(),
        "engine": engine,
        "database_file": POSTGRES_DUMP if engine == "postgresql" else SQLITE_COPY,
        "database_sha256": sha256,
        "tables": tables,
        "audit_anchor": anchor,
        "encryption_key_fingerprints": key_fingerprints(settings.JISR_ENCRYPTION_KEYS),
    }
    return json.dumps(manifest, indent=1, sort_keys=True).encode()


def _pack(out: Path, manifest: bytes, database: Path, name: str) -> None:
    partial = out.with_name(out.name + ".partial")
    # A back-up holds personal data: readable by its owner only, from its first byte.
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle, tarfile.open(fileobj=handle, mode="w") as tar:
        info = tarfile.TarInfo(MANIFEST)
        info.size = len(manifest)
        info.mtime = int(timezone.now().timestamp())
        with tempfile.SpooledTemporaryFile() as buffer:
            buffer.write(manifest)
            buffer.seek(0)
            tar.addfile(info, buffer)
        tar.add(database, arcname=name)
    partial.replace(out)


def backup(out: Path, *, using: str = "default") -> dict[str, Any]:
    """Write a back-up of the database to `out` (a .tar file); returns its manifest."""
    engine = _engine(using)
    if out.exists():
        raise BackupError(f"{out} exists already: choose a new name; nothing was written.")
    with tempfile.TemporaryDirectory(prefix="jisr-backup-") as work:
        if engine == "postgresql":
            database = Path(work) / POSTGRES_DUMP
            with _postgres_snapshot(using) as (conn, snapshot):
                with conn.cursor() as cursor:
                    tables = _fingerprint(cursor, engine)
                    anchor = _anchor(cursor)
                _run(
                    [
                        _tool("pg_dump"),
                        "--format=custom",
                        "--no-owner",
                        "--no-privileges",
                        f"--snapshot={snapshot}",
                        f"--file={database}",
                    ],
                    _libpq_environment(using),
                )
        else:
            database = Path(work) / SQLITE_COPY
            connection = connections[using]
            connection.ensure_connection()
            with closing(sqlite3.connect(database)) as copy:
                connection.connection.backup(copy)
            with closing(sqlite3.connect(database)) as copy:
                cursor = copy.cursor()
                tables = _fingerprint(cursor, engine)
                anchor = _anchor(cursor)
        manifest = _manifest(engine, tables, anchor, _file_sha256(database))
        _pack(out, manifest, database, database.name)
    result: dict[str, Any] = json.loads(manifest)
    return result


def read_manifest(archive: Path) -> dict[str, Any]:
    try:
        with tarfile.open(archive, mode="r") as tar:
            member = tar.extractfile(MANIFEST)
            if member is None:
                raise KeyError(MANIFEST)
            manifest: dict[str, Any] = json.loads(member.read())
    except (OSError, tarfile.TarError, KeyError, ValueError) as error:
        raise BackupError(f"{archive} is not a Jisr back-up ({error}).") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{archive} has back-up format {manifest.get('format')}, not {FORMAT}.")
    return manifest


def _unpack_database(archive: Path, manifest: dict[str, Any], into: Path) -> Path:
    """Copy the database out of the archive (by its known name only) and check its checksum."""
    name = manifest["database_file"]
    if name not in (POSTGRES_DUMP, SQLITE_COPY):
        raise BackupError(f"{archive} names an unexpected database file: {name!r}.")
    target: Path = into / name
    with tarfile.open(archive, mode="r") as tar:
        member = tar.extractfile(name)
        if member is None:
            raise BackupError(f"{archive} holds no {name}.")
        with target.open("wb") as handle:
            shutil.copyfileobj(member, handle, 1 << 20)
    if _file_sha256(target) != manifest["database_sha256"]:
        raise BackupError(
            f"{archive} is damaged: its database does not match the checksum in its manifest. "
            "Nothing was restored."
        )
    return target


def _refuse_unless_empty(using: str, engine: str) -> None:
    connection = connections[using]
    with connection.cursor() as cursor:
        present = _tables(cursor, engine)
    if present:
        raise BackupError(
            f"The database is not empty ({len(present)} tables): a restore goes only into an "
            "empty database. Create one and point DATABASE_URL at it. Nothing was restored."
        )


def restore(archive: Path, *, using: str = "default") -> Verification:
    """Restore `archive` into the empty database `using`, then verify it against the manifest."""
    manifest = read_manifest(archive)
    engine = _engine(using)
    if manifest["engine"] != engine:
        raise BackupError(
            f"This back-up is of a {manifest['engine']} database; the target is {engine}."
        )
    _refuse_unless_empty(using, engine)
    with tempfile.TemporaryDirectory(prefix="jisr-restore-") as work:
        database = _unpack_database(archive, manifest, Path(work))
        if engine == "postgresql":
            _run(
                [
                    _tool("pg_restore"),
                    "--no-owner",
                    "--no-privileges",
                    "--exit-on-error",
                    "--single-transaction",
                    f"--dbname={connections[using].settings_dict['NAME']}",
                    str(database),
                ],
                _libpq_environment(using),
            )
        else:
            connection = connections[using]
            connection.ensure_connection()
            with closing(sqlite3.connect(database)) as source:
                source.backup(connection.connection)
    return verify(manifest, using=using)


def _encrypted_columns() -> list[tuple[str, str]]:
    return [
        (model._meta.db_table, model_field.column)
        for model in apps.get_models()
        for model_field in model._meta.concrete_fields
        if isinstance(model_field, EncryptedFieldMixin)
    ]


def _keys_read(cursor: _Cursor) -> list[str]:
    """One value of every encrypted column that holds any, decrypted with the configured keys;
    the columns the keys cannot read."""
    keys = MultiFernet([Fernet(key) for key in settings.JISR_ENCRYPTION_KEYS])
    unreadable = []
    for table, column in _encrypted_columns():
        cursor.execute(
            f"SELECT {_quoted(column)} FROM {_quoted(table)} "  # noqa: S608 - model metadata
            f"WHERE {_quoted(column)} IS NOT NULL AND {_quoted(column)} <> '' LIMIT 1"
        )
        rows = cursor.fetchall()
        if not rows:
            continue
        try:
            keys.decrypt(str(rows[0][0]).encode())
        except InvalidToken:
            unreadable.append(f"{table}.{column}")
    return unreadable


def verify(manifest: dict[str, Any], *, using: str = "default") -> Verification:
    """Compare the database with a back-up's manifest: every table's count and checksum, the
    audit chain up to the manifest's anchor, and the keys against the encrypted values."""
    engine = _engine(using)
    result = Verification()
    connection = connections[using]
    with connection.cursor() as cursor:
        found = _fingerprint(cursor, engine)
        unreadable = _keys_read(cursor)
    expected: dict[str, dict[str, Any]] = manifest["tables"]
    for table in sorted(expected.keys() | found.keys()):
        if table not in found:
            result.problems.append(f"table {table} is missing")
        elif table not in expected:
            result.problems.append(f"table {table} is not in the back-up")
        elif found[table] != expected[table]:
            result.problems.append(
                f"table {table}: {found[table]['rows']} rows, the back-up had "
                f"{expected[table]['rows']}, or their content differs"
            )
    result.tables = len(found)
    result.rows = sum(table["rows"] for table in found.values())
    walked = integrity.verify_database(using=using)
    result.audit_entries = walked.count
    if walked.broken is not None:
        result.problems.append(f"the audit chain is broken: {walked.broken}")
    elif manifest["audit_anchor"] and manifest["audit_anchor"] != (
        f"{walked.last_id}:{walked.last_hash}"
    ):
        result.problems.append("the audit chain does not end at the back-up's anchor")
    if unreadable:
        result.problems.append(
            "JISR_ENCRYPTION_KEYS cannot read "
            + ", ".join(unreadable)
            + ": configure the keys the back-up was made with (fingerprints "
            + ", ".join(manifest["encryption_key_fingerprints"])
            + ")"
        )
    return result
