"""The audit log is tamper-evident (issue 12, finding 6): every entry is chained to the one
before it by a keyed hash, `jisr audit verify` names the first entry that was changed, deleted
or inserted, on SQLite and on PostgreSQL alike, and an inspector gets a date range that
verifies on its own.

On PostgreSQL the triggers refuse UPDATE and DELETE; the tests lift them as the table's owner
could (`DISABLE TRIGGER USER`), which is exactly what the chain is there to catch.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import json
import threading
from typing import Any
from unittest import mock

import pytest
from django.core.checks import run_checks
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections, transaction
from django.test import override_settings
from django.utils import timezone

from jisr.audit import chain, integrity
from jisr.audit.models import Action, AuditEntry, AuditEntryPerson
from jisr.audit.services import audit_record
from jisr.conftest import register_person


def _sql(statement: str, params: list[Any] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])


def _lift_triggers() -> None:
    """What a table owner (PostgreSQL) or anyone holding the file (SQLite) can do."""
    if connection.vendor == "postgresql":
        _sql("SET CONSTRAINTS ALL IMMEDIATE")  # ALTER TABLE waits for no deferred check
        _sql("ALTER TABLE audit_auditentry DISABLE TRIGGER USER")
    else:
        _sql("DROP TRIGGER IF EXISTS audit_auditentry_no_update")


def _verify(*args: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command("audit", "verify", *args, stdout=out)
    return out.getvalue()


def _first_broken() -> str:
    with pytest.raises(CommandError) as failure:
        _verify()
    assert failure.value.returncode == 1  # the shell sees a non-zero exit
    return str(failure.value)


@pytest.fixture
def log(people: dict[str, Any], orgs: dict[str, Any]) -> list[AuditEntry]:
    """Entries by several people about several records, some naming a person."""
    person = register_person(people["alice"], first_name="زينب")
    for n in range(3):
        audit_record(actor=people["alice"], action=Action.VIEW, target=person)
        audit_record(actor=people["carol"], action=Action.SIGN_IN, target=people["carol"])
        audit_record(
            actor=people["admin"],
            action=Action.UPDATE,
            target=orgs["ngo"],
            changes={"name_en": [f"old {n}", f"new {n}"]},
        )
    return list(AuditEntry.objects.order_by("pk"))


def test_every_entry_is_chained_to_the_one_before(log):
    assert log[0].prev_hash == chain.GENESIS
    for before, after in itertools.pairwise(log):
        assert after.prev_hash == before.hash
    assert "The audit chain holds" in _verify()


def test_values_verify_however_the_database_gives_them_back(people, orgs):
    audit_record(
        actor=people["admin"],
        action=Action.UPDATE,
        target=orgs["ngo"],
        changes={
            "ratio": [0.1, 1e-7],
            "big": [1e16, 1.0],
            "text": ["نص", '"quoted" \\'],
            "nested": {"b": [1.5, 2.0], "a": None},
        },
    )
    assert "The audit chain holds: 1 entries" in _verify()


def test_a_raw_edit_is_named(log):
    target = log[4]
    _lift_triggers()
    _sql("UPDATE audit_auditentry SET action = 'create' WHERE id = %s", [target.pk])
    assert f"entry {target.pk}: its content does not match its hash" in _first_broken()


def test_a_raw_delete_is_named_by_the_entry_after_the_gap(log):
    # An entry naming no person: nothing else points at it.
    gone = next(e for e in log[1:-1] if not e.person_ids)
    after = next(e for e in log if e.pk > gone.pk)
    _lift_triggers()
    _sql("DELETE FROM audit_auditentry WHERE id = %s", [gone.pk])
    message = _first_broken()
    assert f"entry {after.pk}: it does not follow the entry before it" in message


def test_deleting_the_first_entries_is_found_too(people):
    for _ in range(3):
        audit_record(actor=people["carol"], action=Action.SIGN_IN, target=people["carol"])
    _first, second, third = AuditEntry.objects.order_by("pk")
    _lift_triggers()
    _sql("DELETE FROM audit_auditentry WHERE id <= %s", [second.pk])
    assert f"entry {third.pk}: it does not follow the entry before it" in _first_broken()


def test_an_inserted_entry_is_named_even_when_the_log_goes_on(log, people):
    last = log[-1]
    _sql(
        "INSERT INTO audit_auditentry (at, action, object_type, object_id, object_label, "
        "changes, person_ids, prev_hash, hash) VALUES (%s, 'view', 'registry.person', '1', '', "
        "'{}', '[]', %s, %s)",
        [last.at, last.hash, "f" * 64],
    )
    forged = AuditEntry.objects.order_by("-pk").first()
    assert forged is not None
    assert forged.pk > last.pk
    # Jisr keeps writing after the forgery: the next entry chains to it, and the forgery is
    # still the one named.
    audit_record(actor=people["alice"], action=Action.SIGN_OUT, target=people["alice"])
    assert f"entry {forged.pk}: its content does not match its hash" in _first_broken()


def test_replacing_an_entry_is_named(log):
    target = log[5]
    if connection.vendor == "sqlite":
        # INSERT OR REPLACE deletes and inserts: no UPDATE trigger fires.
        _sql(
            "INSERT OR REPLACE INTO audit_auditentry (id, at, action, object_type, object_id, "
            "object_label, changes, person_ids, prev_hash, hash, actor_id, organisation_id) "
            "SELECT id, at, 'export', object_type, object_id, object_label, changes, "
            "person_ids, prev_hash, hash, actor_id, organisation_id FROM audit_auditentry WHERE id = %s",
            [target.pk],
        )
    else:
        _lift_triggers()
        _sql("UPDATE audit_auditentry SET action = 'export' WHERE id = %s", [target.pk])
    assert AuditEntry.objects.get(pk=target.pk).action == "export"
    assert f"entry {target.pk}:" in _first_broken()


def test_rewriting_an_entry_with_a_fresh_hash_needs_the_key(log):
    target = log[3]
    record = {**target.record(), "action": "create"}
    rehashed = chain.digest(record, target.prev_hash, key="a key that is not Jisr's")
    _lift_triggers()
    _sql(
        "UPDATE audit_auditentry SET action = 'create', hash = %s WHERE id = %s",
        [rehashed, target.pk],
    )
    assert f"entry {target.pk}:" in _first_broken()


def test_hiding_a_read_from_the_persons_access_log_is_found(log):
    named = next(e for e in log if e.person_ids)
    if connection.vendor == "postgresql":
        _sql("SET CONSTRAINTS ALL IMMEDIATE")
        _sql("ALTER TABLE audit_auditentryperson DISABLE TRIGGER USER")
    _sql("DELETE FROM audit_auditentryperson WHERE entry_id = %s", [named.pk])
    assert f"entry {named.pk}: the index of persons it names was changed" in _first_broken()


def test_an_anchor_kept_outside_finds_a_log_cut_back(log):
    anchor = f"{log[-2].pk}:{log[-2].hash}"
    assert "The audit chain holds" in _verify("--anchor", anchor)
    _lift_triggers()
    _sql("DELETE FROM audit_auditentry WHERE id >= %s", [log[-2].pk])
    with pytest.raises(CommandError, match="cut back"):
        _verify("--anchor", anchor)


def test_bulk_written_entries_are_chained_in_order(people):
    audit_record(actor=people["alice"], action=Action.SIGN_IN, target=people["alice"])
    persons = [register_person(people["alice"], first_name=f"شخص{n}") for n in range(3)]
    from jisr.audit.services import audit_exports

    audit_exports(actor=people["alice"], persons=persons, filters={"q": "شخص"})
    entries = list(AuditEntry.objects.order_by("pk"))
    assert [e.prev_hash for e in entries[1:]] == [e.hash for e in entries[:-1]]
    exported = [e for e in entries if e.action == Action.EXPORT]
    assert [e.person_ids for e in exported] == [[p.pk] for p in persons]
    assert "The audit chain holds" in _verify()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_writers_at_once_do_not_fork_the_chain(people):
    """The second writer waits for the first to commit, then chains to its entry. (SQLite's
    IMMEDIATE transactions serialise writers the same way; its in-memory test database shares
    one connection's locks, so this runs where CI runs it, on PostgreSQL.)"""
    if connection.vendor != "postgresql":
        pytest.skip("needs two real connections (PostgreSQL)")
    first_wrote, second_started = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def first() -> None:
        try:
            with transaction.atomic():
                audit_record(actor=people["alice"], action=Action.SIGN_IN, target=people["alice"])
                first_wrote.set()
                second_started.wait(5)
                threading.Event().wait(0.5)  # the second writer is now waiting for the lock
        except BaseException as error:  # reported to the test below
            errors.append(error)
        finally:
            connections.close_all()

    def second() -> None:
        try:
            first_wrote.wait(5)
            second_started.set()
            with transaction.atomic():
                audit_record(actor=people["bob"], action=Action.SIGN_IN, target=people["bob"])
        except BaseException as error:  # reported to the test below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert errors == []
    entries = list(AuditEntry.objects.order_by("pk"))
    assert len({e.prev_hash for e in entries}) == len(entries)  # no two share a parent
    assert "The audit chain holds" in _verify()


def _entries_on(days: list[dt.date], people: dict[str, Any]) -> list[AuditEntry]:
    made = []
    for day in days:
        at = dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)
        with mock.patch("jisr.audit.models.timezone.now", return_value=at):
            made.append(
                audit_record(actor=people["alice"], action=Action.SIGN_IN, target=people["alice"])
            )
    return made


@pytest.mark.parametrize("name", ["range.jsonl", "range.csv"])
def test_an_inspector_gets_a_date_range_that_verifies_from_its_first_entry(people, tmp_path, name):
    days = [dt.date(2026, 3, d) for d in (1, 2, 2, 3, 4)]
    made = _entries_on(days, people)
    out = tmp_path / name
    call_command("audit", "export", "--from", "2026-03-02", "--to", "2026-03-03", "--out", str(out))
    records = list(integrity.read_export(out))
    assert [r["id"] for r in records] == [e.pk for e in made[1:4]]
    assert records[0]["prev_hash"] == made[0].hash  # links to the entry before the range
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    assert "The audit chain holds: 3 entries" in _verify("--file", str(out))
    if name.endswith(".jsonl"):
        lines = out.read_text().splitlines()
        changed = json.loads(lines[1])
        changed["action"] = "export"
        lines[1] = json.dumps(changed, ensure_ascii=False)
        out.write_text("\n".join(lines) + "\n")
        with pytest.raises(CommandError, match=f"entry {made[2].pk}:"):
            _verify("--file", str(out))


def test_the_csv_export_runs_no_formula_and_still_verifies(people, orgs, tmp_path):
    """Labels of organisations and services are anyone's text (an HSDS import): in the CSV an
    inspector opens, none runs as a formula, and the file still verifies to the byte."""
    for name in ('=HYPERLINK("http://evil.example","x")', "'=1+1", " +SUM(A1)", "＝2"):
        orgs["ngo"].name_ar = name
        audit_record(actor=people["admin"], action=Action.UPDATE, target=orgs["ngo"])
    out = tmp_path / "range.csv"
    today = timezone.localdate().isoformat()
    call_command("audit", "export", "--from", today, "--to", today, "--out", str(out))
    cells = [cell for row in csv.reader(out.open(encoding="utf-8")) for cell in row]
    assert any("HYPERLINK" in c for c in cells)
    assert not [c for c in cells if c.strip() and c.lstrip()[0] in "=+-@＝"]
    assert "The audit chain holds: 4 entries" in _verify("--file", str(out))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_entries_written_before_the_chain_were_redacted_and_chained_by_the_migration(people):
    """Older versions copied names and phone numbers into the log. The migration that brings
    the chain redacts them first, then chains them, so they verify like every later entry."""
    from django.db.migrations.executor import MigrationExecutor

    person = register_person(people["alice"], first_name="سلوى", phone="+9647705556677")
    executor = MigrationExecutor(connection)
    before = [("audit", "0003_two_factor_reset_action")]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps.get_model("audit", "AuditEntry")
    old.objects.create(
        at=dt.datetime(2026, 1, 5, tzinfo=dt.UTC),
        action="create",
        object_type="registry.person",
        object_id=str(person.pk),
        object_label="سلوى علي",
        changes={
            "first_name": [None, "سلوى"],
            "phone": [None, "+9647705556677"],
            "consent.registration": [None, "given"],
        },
    )
    old.objects.create(
        at=dt.datetime(2026, 1, 6, tzinfo=dt.UTC),
        action="update",
        object_type="accounts.organisation",
        object_id="7",
        object_label="Centre",
        changes={"name_en": ["Centre", "Training centre"]},
    )
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes("audit"))
    entries = list(AuditEntry.objects.filter(at__lt=dt.datetime(2026, 2, 1, tzinfo=dt.UTC)))
    about_person = next(e for e in entries if e.object_type == "registry.person")
    assert about_person.object_label == ""
    assert about_person.changes == {
        "first_name": "changed",
        "phone": "changed",
        "consent.registration": [None, "given"],
    }
    assert about_person.person_ids == [person.pk]
    assert AuditEntryPerson.objects.filter(entry=about_person, person_id=person.pk).exists()
    organisation = next(e for e in entries if e.object_type == "accounts.organisation")
    assert organisation.changes == {"name_en": ["Centre", "Training centre"]}
    assert "The audit chain holds" in _verify()
    # The migration put the triggers back.
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        _sql("UPDATE audit_auditentry SET action = 'view' WHERE id = %s", [about_person.pk])


@override_settings(PRODUCTION=True)
def test_deploy_check_refuses_a_web_role_that_can_rewrite_the_log(db):
    found = {m.id: m for m in run_checks(include_deployment_checks=True)}
    if connection.vendor == "sqlite":
        assert "jisr.W010" in found
    else:
        # The test database is reached as its owner (a superuser in CI): exactly what
        # production must not do.
        assert {"jisr.E010", "jisr.E011"} & set(found)


def test_development_needs_no_audit_check(db):
    assert not [
        m
        for m in run_checks(include_deployment_checks=True)
        if m.id in {"jisr.W010", "jisr.E010", "jisr.E011", "jisr.E012"}
    ]
