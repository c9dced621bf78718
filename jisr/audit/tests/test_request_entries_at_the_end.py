"""A request's audit entries are appended when its view returns, in its transaction (decision
0046): the chain's lock, held from the first append to the commit, is taken after the view's
other statements and its template, so audited requests do not queue behind each other."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from jisr.audit.models import Action, AuditEntry, held_to_the_end
from jisr.audit.services import audit_record
from jisr.conftest import client_for, person_search_url, register_person

pytestmark = pytest.mark.django_db

_AUDIT = ('"audit_auditentry"', '"audit_auditentryperson"', "pg_advisory_xact_lock")
_AFTER_THE_VIEW = ("SAVEPOINT", "COMMIT", '"django_session"')


def _after_the_first_append(queries: list[dict[str, Any]]) -> list[str]:
    """The statements sent after the request's first audit statement that are neither the
    append itself nor the transaction's end (nor the session, saved after the view)."""
    sqls = [q["sql"] for q in queries]
    first = next(i for i, sql in enumerate(sqls) if any(a in sql for a in _AUDIT))
    return [sql for sql in sqls[first:] if not any(a in sql for a in _AUDIT + _AFTER_THE_VIEW)]


def _read(user: Any, url: str) -> list[dict[str, Any]]:
    client = client_for(user)
    client.get(url)  # a session's first request may set things up
    before = AuditEntry.objects.count()
    with CaptureQueriesContext(connection) as queries:
        answer = client.get(url)
    assert answer.status_code == 200
    assert AuditEntry.objects.count() == before + 1  # the read is still audited
    return queries.captured_queries


def test_a_search_appends_its_entry_after_the_views_statements_and_template(people):
    alice = people["alice"]
    for n in range(3):
        register_person(alice, first_name=f"حسين{n}")
    url = person_search_url(client_for(alice), "حسين")
    assert _after_the_first_append(_read(alice, url)) == []


def test_a_persons_page_appends_its_entry_after_the_views_statements(people):
    alice = people["alice"]
    person = register_person(alice)
    assert _after_the_first_append(_read(alice, f"/registry/persons/{person.pk}/")) == []


def test_entries_of_a_savepoint_rolled_back_go_with_it():
    def record(n: int) -> None:
        audit_record(actor=None, action=Action.VIEW, object_type="x.y", object_id=str(n))

    def appended() -> list[str]:
        return list(AuditEntry.objects.order_by("pk").values_list("object_id", flat=True))

    before = appended()
    with transaction.atomic():
        with held_to_the_end(whole=False):
            record(1)  # kept to the end
            assert appended() == before
            try:
                with transaction.atomic():
                    record(2)  # in a savepoint: appended at once, and rolled back with it
                    assert appended() == [*before, "2"]
                    raise LookupError
            except LookupError:
                pass
            assert appended() == before
        assert appended() == [*before, "1"]  # appended when the block ends, in the transaction
    assert appended() == [*before, "1"]


def test_a_doomed_transaction_appends_nothing():
    before = AuditEntry.objects.count()
    with transaction.atomic():
        with held_to_the_end(whole=False):
            audit_record(actor=None, action=Action.VIEW, object_type="x.y", object_id="1")
            transaction.set_rollback(True)
        transaction.set_rollback(False)
    assert AuditEntry.objects.count() == before


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the chain's lock is PostgreSQL's")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_slow_audited_read_does_not_hold_up_another(people, monkeypatch):
    """Two persons' pages at once, the first slowed down after its entry would have been
    written: the second does not wait for it."""
    alice = people["alice"]
    first, second = register_person(alice), register_person(alice, first_name="علي")
    slowed = threading.Event()
    go_on = threading.Event()
    from jisr.registry.views import persons as views

    real = views.render  # type: ignore[attr-defined]  # its own import of Django's

    def slow_render(request: Any, template: str, context: Any = None, *args: Any, **kw: Any):
        if context and getattr(context.get("person"), "pk", None) == first.pk:
            slowed.set()
            assert go_on.wait(20)
        return real(request, template, context, *args, **kw)

    monkeypatch.setattr(views, "render", slow_render)
    answers: list[int] = []

    def read_first() -> None:
        try:
            answers.append(client_for(alice).get(f"/registry/persons/{first.pk}/").status_code)
        finally:
            connection.close()

    thread = threading.Thread(target=read_first)
    thread.start()
    try:
        assert slowed.wait(20)
        began = time.monotonic()
        answer = client_for(alice).get(f"/registry/persons/{second.pk}/")
        assert answer.status_code == 200
        assert time.monotonic() - began < 10  # not stuck behind the first's lock
    finally:
        go_on.set()
        thread.join(30)
    assert answers == [200]
