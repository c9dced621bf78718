"""`insert_new` writes what `save` would: every field prepared by its field (encrypted, JSON,
dates), the keys set on the instances in order, the rows read back equal."""

from __future__ import annotations

import datetime as dt

import pytest

from jisr.accounts.models import Organisation
from jisr.audit.models import AuditEntry, AuditEntryPerson
from jisr.lib.bulk import insert_new, insert_values
from jisr.registry.models import Household, Person

pytestmark = pytest.mark.django_db


def test_new_rows_get_their_keys_in_order_and_read_back_as_saved():
    organisation = Organisation.objects.create(name_ar="اختبار", name_en="Bulk test", kind="ngo")
    households = [Household() for _ in range(3)]
    insert_new(households)
    assert all(h.pk for h in households)
    assert len({h.pk for h in households}) == 3
    persons = [
        Person(
            organisation=organisation,
            household=household,
            first_name=f"علي {n}",
            family_name="الساعدي",
            phone=f"+96477012345{n:02d}",
            birth_date=dt.date(1990, 1, n + 1),
            sex="M",
            national_id=f"19900{n}",
        )
        for n, household in enumerate(households)
    ]
    for person in persons:
        person.derive_keys()
    insert_new(persons)
    for n, person in enumerate(persons):
        again = Person.objects.get(pk=person.pk)
        assert again.first_name == f"علي {n}"
        assert again.phone == person.phone
        assert again.national_id == f"19900{n}"
        assert again.birth_date == dt.date(1990, 1, n + 1)
        assert again.household_id == households[n].pk
        assert not person._state.adding


def test_rows_of_plain_values_are_written_as_given():
    entry = AuditEntry.objects.bulk_create(
        [AuditEntry(action="read", object_type="registry.person", object_id="1", person_ids=[7])]
    )[0]
    # The entry's own index row was written with it; one more by plain values.
    insert_values(AuditEntryPerson, ["entry", "person_id"], [(entry.pk, 8)])
    assert sorted(
        AuditEntryPerson.objects.filter(entry=entry).values_list("person_id", flat=True)
    ) == [7, 8]


def test_rows_of_plain_values_go_in_a_few_statements_not_one_each():
    """An audited list of fifty persons wrote fifty index rows, one statement each (decision
    0046): they go in multi-row statements of at most 1,000 rows."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    entry = AuditEntry.objects.bulk_create(
        [AuditEntry(action="read", object_type="registry.person", object_id="1")]
    )[0]
    with CaptureQueriesContext(connection) as queries:
        insert_values(
            AuditEntryPerson, ["entry", "person_id"], [(entry.pk, p) for p in range(2500)]
        )
    # 3 on PostgreSQL; SQLite takes fewer parameters a statement. Not one `executemany`
    # (which Django lists as one, "2500 times: ...").
    assert len(queries) <= 6
    assert not any(" times: " in query["sql"] for query in queries)
    if connection.vendor == "postgresql":  # one array a column, whatever the rows
        assert len(queries) == 1
        assert "UNNEST(" in queries[0]["sql"]
    assert AuditEntryPerson.objects.filter(entry=entry).count() == 2500
    assert set(
        AuditEntryPerson.objects.filter(entry=entry).values_list("person_id", flat=True)
    ) == set(range(2500))


def test_an_encrypted_field_is_never_written_as_its_plain_text():
    """Plain text and numbers go in as they are, but only for Django's own plain fields: an
    encrypted field (a subclass of a text field) is always prepared by itself."""
    from django.db import connection

    organisation = Organisation.objects.create(name_ar="اختبار", name_en="Bulk test", kind="ngo")
    household = Household()
    insert_new([household])
    person = Person(
        organisation=organisation,
        household=household,
        first_name="زينب",
        family_name="الموسوي",
        sex="F",
        national_id="199912345678",
    )
    person.derive_keys()
    insert_new([person])
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT first_name, national_id FROM {Person._meta.db_table} WHERE id = %s",  # noqa: S608
            [person.pk],
        )
        first_name, stored = cursor.fetchone()
    assert first_name == "زينب"
    assert "199912345678" not in str(stored)
    assert Person.objects.get(pk=person.pk).national_id == "199912345678"
