"""`jisr backup` and `jisr restore`: a back-up restores into an empty database with every table's
rows, the audit chain and the encrypted values intact, and a damaged back-up, a database that is
not empty or the wrong keys are refused with a reason."""

from __future__ import annotations

import io
import stat
import tarfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections
from django.db.utils import load_backend

from jisr.accounts.models import User
from jisr.conftest import register_person
from jisr.core import backup
from jisr.registry.models import Person

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def empty_database(tmp_path: Path) -> Iterator[str]:
    """A second, empty database of the same engine, as the alias it is reached by."""
    alias = f"restored_{uuid.uuid4().hex[:8]}"
    config = dict(connection.settings_dict)
    if connection.vendor == "postgresql":
        import psycopg

        name = f"jisr_restore_{uuid.uuid4().hex[:12]}"
        admin = {k: v for k, v in {"host": config["HOST"], "port": config["PORT"],
                                   "user": config["USER"], "password": config["PASSWORD"]}.items() if v}  # fmt: skip
        with psycopg.connect(dbname="postgres", autocommit=True, **admin) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        config["NAME"] = name
    else:
        config["NAME"] = str(tmp_path / "restored.sqlite3")
    # Set up by hand, not in settings: Django's test case lets such a connection through.
    connections[alias] = load_backend(config["ENGINE"]).DatabaseWrapper(config, alias)
    yield alias
    connections[alias].close()
    del connections[alias]
    if connection.vendor == "postgresql":
        with psycopg.connect(dbname="postgres", autocommit=True, **admin) as conn:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.fixture
def backed_up(people: dict[str, User], tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    register_person(people["alice"], national_id="A12345678", phone="+9647701112233")
    register_person(people["bob"], first_name="مريم", sex="F", national_id="B99887766")
    archive = tmp_path / "jisr.tar"
    return archive, backup.backup(archive)


def test_a_backup_restores_into_an_empty_database_with_every_row(
    backed_up: tuple[Path, dict[str, Any]], empty_database: str
) -> None:
    archive, manifest = backed_up
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    assert manifest["tables"]["registry_person"]["rows"] == 2
    assert manifest["audit_anchor"]

    result = backup.restore(archive, using=empty_database)

    assert result.problems == []
    assert result.tables == len(manifest["tables"])
    assert result.rows == sum(table["rows"] for table in manifest["tables"].values())
    assert result.audit_entries > 0
    restored = Person.objects.using(empty_database).order_by("national_id_index")
    assert sorted(person.national_id for person in restored) == ["A12345678", "B99887766"]


def test_a_restored_database_that_differs_from_the_backup_is_reported(
    backed_up: tuple[Path, dict[str, Any]], empty_database: str
) -> None:
    archive, manifest = backed_up
    backup.restore(archive, using=empty_database)
    Person.objects.using(empty_database).filter(first_name="مريم").update(phone="+9647700000000")

    result = backup.verify(manifest, using=empty_database)

    assert any("registry_person" in problem for problem in result.problems)


def test_a_damaged_backup_is_refused_before_anything_is_written(
    backed_up: tuple[Path, dict[str, Any]], empty_database: str, tmp_path: Path
) -> None:
    archive, manifest = backed_up
    damaged = tmp_path / "damaged.tar"
    with tarfile.open(archive) as source, tarfile.open(damaged, "w") as copy:
        for member in source.getmembers():
            content = bytearray(source.extractfile(member).read())  # type: ignore[union-attr]
            if member.name == manifest["database_file"]:
                content[len(content) // 2] ^= 0xFF
            copy.addfile(member, io.BytesIO(bytes(content)))

    with pytest.raises(backup.BackupError, match="damaged"):
        backup.restore(damaged, using=empty_database)
    with connections[empty_database].cursor() as cursor:
        assert connections[empty_database].introspection.table_names(cursor) == []


def test_a_restore_into_a_database_that_holds_tables_is_refused(
    backed_up: tuple[Path, dict[str, Any]],
) -> None:
    archive, _ = backed_up
    before = Person.objects.count()

    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(archive))

    assert Person.objects.count() == before


def test_keys_that_cannot_read_the_encrypted_values_are_reported(
    backed_up: tuple[Path, dict[str, Any]], empty_database: str, settings: Any
) -> None:
    archive, _ = backed_up
    settings.JISR_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]

    result = backup.restore(archive, using=empty_database)

    assert any("registry_person.national_id" in problem for problem in result.problems)


def test_the_commands_back_up_and_check_the_database_against_the_backup(
    people: dict[str, User], tmp_path: Path
) -> None:
    register_person(people["alice"], national_id="A12345678")
    archive = tmp_path / "cli.tar"
    out = io.StringIO()

    call_command("backup", str(archive), stdout=out)
    call_command("restore", str(archive), "--check", stdout=out)

    assert "Backed up" in out.getvalue()
    assert "matches the back-up" in out.getvalue()
    with pytest.raises(CommandError, match="exists already"):
        call_command("backup", str(archive))
    register_person(people["bob"], first_name="مريم", sex="F")
    with pytest.raises(CommandError, match="registry_person"):
        call_command("restore", str(archive), "--check")
