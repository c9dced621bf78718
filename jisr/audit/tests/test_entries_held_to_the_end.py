"""A long write in one transaction (an HSDS import) appends its audit entries when it ends: the
chain's lock, which stops every other audited write, is held for the append, not the import."""

from __future__ import annotations

import psycopg
import pytest
from django.conf import settings
from django.db import connection, transaction

from jisr.audit import chain
from jisr.audit.integrity import verify_database
from jisr.audit.models import Action, AuditEntry
from jisr.audit.services import audit_held_to_the_end, audit_record

pytestmark = pytest.mark.django_db


def _record(n: int) -> None:
    audit_record(
        actor=None, action=Action.CREATE, object_type="catalogue.service", object_id=str(n)
    )


def test_the_entries_are_appended_when_the_block_ends_and_chain_like_single_ones():
    before = AuditEntry.objects.count()
    with transaction.atomic(), audit_held_to_the_end():
        for n in range(5):
            _record(n)
        assert AuditEntry.objects.count() == before  # none appended yet
    assert AuditEntry.objects.count() == before + 5
    assert [e.object_id for e in AuditEntry.objects.order_by("-pk")[:5]] == [
        "4",
        "3",
        "2",
        "1",
        "0",
    ]
    assert verify_database().broken is None


def test_a_block_that_fails_appends_nothing():
    before = AuditEntry.objects.count()

    def fails() -> None:
        with transaction.atomic(), audit_held_to_the_end():
            _record(1)
            raise LookupError("the import was refused")

    with pytest.raises(LookupError, match="refused"):
        fails()
    assert AuditEntry.objects.count() == before


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_block_is_refused_outside_a_transaction():
    with pytest.raises(RuntimeError, match="inside a transaction"), audit_held_to_the_end():
        pass


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the chain's lock is PostgreSQL's")
def test_other_writers_are_not_held_up_while_the_block_runs():
    dsn = " ".join(
        f"{key}={value}"
        for key, value in {
            "host": settings.DATABASES["default"]["HOST"] or "127.0.0.1",
            "port": settings.DATABASES["default"]["PORT"] or 5432,
            "user": settings.DATABASES["default"]["USER"],
            "dbname": connection.settings_dict["NAME"],
        }.items()
    )
    with transaction.atomic(), audit_held_to_the_end():
        _record(1)
        with psycopg.connect(dsn, autocommit=True) as other:
            free = other.execute("SELECT pg_try_advisory_lock(%s)", [chain._LOCK_KEY]).fetchone()
            assert free == (True,)
            other.execute("SELECT pg_advisory_unlock(%s)", [chain._LOCK_KEY])
