"""Writing to the audit log. Services call `audit_record` inside their own transaction, so a
change and its audit entry are committed together or not at all; reads that show persons'
data call `audit_record` (one record) or `audit_reads` (a list: one entry per request).

What an entry may keep of personal data is decided once, when it is appended
(`privacy.py`), and every entry is chained to the one before it (`chain.py`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from django.contrib.auth.models import AnonymousUser
from django.db import models

from jisr.accounts.models import User
from jisr.audit.models import Action, AuditEntry, held_to_the_end

# Values of these fields are never copied into the log, only the fact that they changed.
_SECRET_FIELDS = {"password"}

Actor = User | AnonymousUser | None
R = TypeVar("R", bound=models.Model)


@contextmanager
def audit_held_to_the_end() -> Iterator[None]:
    """For a long write in one transaction (an import of thousands of records): the block's
    entries are appended together when it ends, still inside the transaction. Appending holds
    the chain's lock until the transaction ends, which stops every other audited write on the
    site; appended as they come, an import of minutes would hold it for minutes. When the
    block raises, nothing is appended (the transaction rolls back)."""
    with held_to_the_end(whole=True):
        yield


def object_type_of(target: models.Model) -> str:
    return target._meta.label_lower


def person_of(record: models.Model) -> int | None:
    """The person a record is about: a person's record itself, or a record that belongs to one
    (a case, an application, a profile, a registry mirror record) by its `person_id`."""
    if object_type_of(record) == "registry.person":
        return int(record.pk)
    person_id = getattr(record, "person_id", None)
    return person_id if isinstance(person_id, int) else None


def _user(actor: Actor) -> User | None:
    return actor if isinstance(actor, User) and actor.is_authenticated else None


def audit_record(
    *,
    actor: Actor,
    action: Action,
    target: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    changes: dict[str, Any] | None = None,
    persons: Iterable[int] = (),
) -> AuditEntry:
    """One entry about one record; `persons` names whose data it shows besides the target's
    own person (found by `person_of`)."""
    entry = audit_entry(
        actor=actor,
        action=action,
        target=target,
        object_type=object_type,
        object_id=object_id,
        changes=changes,
        persons=persons,
    )
    entry.save()  # kept to the end of a `held_to_the_end` block, if one is open
    return entry


def audit_record_many(entries: Sequence[AuditEntry]) -> list[AuditEntry]:
    """Entries made by `audit_entry`, appended in their order in one statement under one hold
    of the chain's lock (an import writes thousands): the same entries, chained the same way,
    as one `audit_record` call each."""
    return AuditEntry.objects.bulk_create(entries, batch_size=1000)


def audit_entry(
    *,
    actor: Actor,
    action: Action,
    target: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    changes: dict[str, Any] | None = None,
    persons: Iterable[int] = (),
) -> AuditEntry:
    """The entry `audit_record` writes, not yet written (for `audit_record_many`)."""
    actor_user = _user(actor)
    named = set(persons)
    if target is not None:
        object_type = object_type_of(target)
        object_id = str(target.pk)
        if (person := person_of(target)) is not None:
            named.add(person)
    return AuditEntry(
        actor=actor_user,
        organisation=getattr(actor_user, "organisation", None),
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_label=str(target)[:200] if target is not None else "",
        changes=changes or {},
        person_ids=sorted(named),
    )


def audit_reads(
    *,
    actor: Actor,
    records: Iterable[R],
    context: str,
    person: Callable[[R], int | Iterable[int | None] | None] = person_of,
) -> list[R]:
    """A list of records shown to someone: one entry for the request, holding the ids shown
    and the persons they are about (`person` gives a record's person, or its persons: a pair of
    linked records has two). Returns the records, read once (a queryset passed here is
    evaluated, and keeps its results for the page that shows them)."""
    shown = list(records)
    if not shown:
        return shown
    named: set[int] = set()
    for record in shown:
        found = person(record)
        named.update([found] if isinstance(found, int) else (p for p in found or () if p))
    reader = _user(actor)
    AuditEntry.objects.create(
        actor=reader,
        organisation=getattr(reader, "organisation", None),
        action=Action.VIEW_LIST,
        object_type=object_type_of(shown[0]),
        changes={"context": context, "records": [r.pk for r in shown]},
        person_ids=sorted(named),
    )
    return shown


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """What changed between two snapshots of a record, for the `changes` of an entry."""
    changed: dict[str, Any] = {}
    for field in sorted(set(before) | set(after)):
        old, new = before.get(field), after.get(field)
        if old != new:
            changed[field] = "changed" if field in _SECRET_FIELDS else [old, new]
    return changed


def audit_exports(
    *, actor: User, persons: Sequence[models.Model], filters: dict[str, object]
) -> None:
    """An export of many records: one entry per record, written in one statement."""
    AuditEntry.objects.bulk_create(
        AuditEntry(
            actor=actor,
            organisation=actor.organisation,
            action=Action.EXPORT,
            object_type=object_type_of(person),
            object_id=str(person.pk),
            changes={"filters": {k: str(v) for k, v in filters.items() if v}},
            person_ids=[person.pk],
        )
        for person in persons
    )
