"""Importing a checked spreadsheet of persons: started from its page, run by the worker chunk by
chunk, each chunk written in a few statements with the import's progress (decision 0032).

The file is checked whole before the first row is written (`read_rows`, the dry run), so a run
that stops part-way stopped for an outage (a worker killed, the database gone), not for a row:
it goes on from its last chunk, taken again by the watchdog's sweep or by "Try again", and never
writes a row twice."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from jisr.accounts.access import forbidden, require
from jisr.accounts.models import User
from jisr.accounts.roles import Perm
from jisr.audit.models import Action
from jisr.audit.services import audit_entry, audit_record_many
from jisr.core.tasks import enqueue_on_commit, queue_require
from jisr.core.watchdog import beating, stale_requeue
from jisr.lib.bulk import insert_new
from jisr.lib.errors import JisrError
from jisr.lib.validation import invalid
from jisr.registry.caseform.categories import categorise_new_heads
from jisr.registry.imports.spreadsheet import check_uploader, read_rows, row_refused
from jisr.registry.models import (
    ConsentChannel,
    ConsentEvent,
    Household,
    Person,
    PersonImport,
    Relationship,
)
from jisr.registry.services import person_created_changes
from jisr.registry.signals import consents_recorded, persons_imported

logger = logging.getLogger(__name__)

# Rows written in one transaction, with the import's count of rows done.
CHUNK_ROWS = 500
_READ_ALREADY = ["household", "organisation", "registered_by", "governorate", "country"]


@task()
def person_import_task(import_id: int) -> None:
    """Idempotent: an import already taken or finished is left alone."""
    person_import_execute(import_id=import_id)


@transaction.atomic
def person_import_run(
    *, by: User, person_import: PersonImport, mapping: dict[str, str], paper_consent: bool
) -> PersonImport:
    """Start importing every row: all are checked first, and the file is refused whole, with
    nothing written, when any has a problem. Then the worker imports them chunk by chunk
    (`person_import_execute`); the import's page shows how far it is."""
    check_uploader(by, person_import)
    locked = PersonImport.objects.select_for_update().get(pk=person_import.pk)
    if locked.status != PersonImport.Status.UPLOADED:
        return locked  # started already: the page shows how far it is
    ready, errors = read_rows(
        person_import=person_import, mapping=mapping, paper_consent=paper_consent
    )
    if errors:
        raise JisrError("invalid_file", _("The file has errors; nothing was imported."), status=422)
    queue_require()
    locked.mapping = mapping
    locked.paper_consent = paper_consent
    locked.status = PersonImport.Status.QUEUED
    locked.total = len(ready)
    locked.save(update_fields=["mapping", "paper_consent", "status", "total"])
    enqueue_on_commit(person_import_task, locked.pk)
    return locked


@transaction.atomic
def person_import_resume(*, by: User, person_import: PersonImport) -> PersonImport:
    """Import a stopped import's remaining rows (those after the last chunk it kept)."""
    check_uploader(by, person_import)
    locked = PersonImport.objects.select_for_update().get(pk=person_import.pk)
    if locked.status != PersonImport.Status.FAILED:
        return locked
    queue_require()
    locked.status = PersonImport.Status.QUEUED
    locked.attempts = 0
    locked.error = ""
    locked.heartbeat_at = None
    locked.save(update_fields=["status", "attempts", "error", "heartbeat_at"])
    enqueue_on_commit(person_import_task, locked.pk)
    return locked


def person_import_execute(*, import_id: int) -> PersonImport | None:
    """Import a queued import's rows (in the worker), from the first row not yet done.

    Taking it is one conditional UPDATE, so a task queued twice runs it once. Each chunk of
    CHUNK_ROWS rows is written with the import's count of rows done in one transaction: a worker
    killed part-way leaves whole chunks, and the run taken again (the watchdog's sweep) goes on
    after the last. A failure stops the import with its reason on its page, and the rows kept
    so far stay; "Try again" goes on from there (decision 0032)."""
    taken = PersonImport.objects.filter(pk=import_id, status=PersonImport.Status.QUEUED).update(
        status=PersonImport.Status.RUNNING, heartbeat_at=timezone.now(), attempts=F("attempts") + 1
    )
    if not taken:
        logger.info("person import %s is not waiting: nothing to do", import_id)
        return None
    person_import = PersonImport.objects.select_related("created_by__organisation").get(
        pk=import_id
    )
    beat = PersonImport.objects.filter(pk=import_id, status=PersonImport.Status.RUNNING)
    try:
        # Errors are kept in the words of whoever reads them on the import's page.
        with (
            translation.override(person_import.created_by.language),
            beating(lambda: beat.update(heartbeat_at=timezone.now())),
        ):
            _execute(person_import)
    except Exception as error:  # shown on the import's page; the chunks done stay done
        # Only the error's kind: a database error's text can hold the rows' names and phones.
        logger.error("person import %s stopped: %s", import_id, type(error).__name__)
        message = _error_text(error) if isinstance(error, JisrError) else ""
        PersonImport.objects.filter(pk=import_id).update(
            status=PersonImport.Status.FAILED, error=message[:2000], finished_at=timezone.now()
        )
    person_import.refresh_from_db()
    return person_import


def _error_text(error: JisrError) -> str:
    """A refusal as the import's page shows it: the message, then each reason."""
    reasons = [reason for messages in error.fields.values() for reason in messages]
    return " ".join([str(error.message), *reasons])


def _execute(person_import: PersonImport) -> None:
    by = person_import.created_by
    require(by, Perm.PERSON_REGISTER)
    if by.organisation is None:
        raise forbidden()
    ready, errors = read_rows(
        person_import=person_import,
        mapping=person_import.mapping,
        paper_consent=person_import.paper_consent,
    )
    if errors:  # the places or choices changed since the check: nothing more is written
        raise JisrError("invalid_file", _("The file has errors; nothing was imported."), status=422)
    start = person_import.done
    while start < len(ready):
        chunk = ready[start : start + CHUNK_ROWS]
        with transaction.atomic():
            # The import's row held until the chunk commits: should two runs hold the same
            # import (one thought dead was only slow), the second waits, then finds the count
            # moved and writes nothing.
            mine = PersonImport.objects.select_for_update().filter(
                pk=person_import.pk, status=PersonImport.Status.RUNNING, done=start
            )
            if mine.first() is None:
                logger.warning("person import %s was taken by another run", person_import.pk)
                return
            created, skipped = _import_chunk(by, person_import.mapping, chunk)
            mine.update(
                done=start + len(chunk),
                imported=F("imported") + created,
                skipped=F("skipped") + skipped,
                heartbeat_at=timezone.now(),
            )
        start += len(chunk)
    PersonImport.objects.filter(pk=person_import.pk, status=PersonImport.Status.RUNNING).update(
        status=PersonImport.Status.IMPORTED,
        rows=[],  # the data now lives in the records; the copy is not kept
        finished_at=timezone.now(),
    )


def _import_chunk(
    by: User, mapping: dict[str, str], items: list[dict[str, Any]]
) -> tuple[int, int]:
    """Register a chunk of checked rows as `person_register` registers one, in a few
    statements: each a new household's head with its consents, categories and audit entries
    (the same entries, in the same order per person). Rows whose source reference was imported
    before are skipped. Returns (created, skipped)."""
    organisation = by.organisation
    assert organisation is not None  # checked by `_execute`
    refs = [f"{item['ref']}@{organisation.pk}" if item["ref"] else None for item in items]
    seen = set(
        Person.objects.filter(external_ref__in=[ref for ref in refs if ref]).values_list(
            "external_ref", flat=True
        )
    )
    todo: list[tuple[dict[str, Any], Person]] = []
    for item, ref in zip(items, refs, strict=True):
        if ref is not None and ref in seen:
            continue
        if ref is not None:
            seen.add(ref)
        person = Person(
            organisation=organisation,
            registered_by=by,
            relationship=Relationship.HEAD,
            external_ref=ref,
            **item["fields"],
        )
        try:
            # What `read_rows` read just now is not checked again: that the organisation, the
            # importer and the governorate exist (three queries a row) and the country (a
            # millisecond a row; `read_rows` checks it against the same codes).
            person.full_clean(
                exclude=_READ_ALREADY, validate_unique=False, validate_constraints=False
            )
        except ValidationError as error:  # the check missed it: the error names the row
            fields = {k: [str(m) for m in v] for k, v in error.message_dict.items()}
            raise row_refused(item["row"], mapping, invalid(fields)) from None
        person.derive_keys()  # what `save` does; `bulk_create` does not call it
        todo.append((item, person))
    if not todo:
        return 0, len(items)
    households = [Household() for _item in todo]
    insert_new(households)
    for (_item, person), household in zip(todo, households, strict=True):
        person.household = household
    persons = [person for _item, person in todo]
    insert_new(persons)
    events = [
        ConsentEvent(
            person=person,
            purpose=purpose,
            status=status,
            channel=ConsentChannel.IN_PERSON,
            recorded_by=by,
            form_version=person.form_version,
        )
        for item, person in todo
        for purpose, status in item["consents"].items()
    ]
    insert_new(events)
    entries = []
    for item, person in todo:
        entries.append(
            audit_entry(
                actor=by,
                action=Action.CREATE,
                target=person,
                changes=person_created_changes(person),
            )
        )
        entries.extend(
            audit_entry(
                actor=by,
                action=Action.UPDATE,
                target=person,
                changes={f"consent.{purpose.value}": [None, status.value]},
            )
            for purpose, status in item["consents"].items()
        )
    audit_record_many(entries)
    consents_recorded.send(sender=ConsentEvent, events=events, by=by)
    categorise_new_heads(persons)
    persons_imported.send(
        sender=PersonImport,
        persons=[(person, item["occupation"][:200]) for item, person in todo],
        by=by,
    )
    return len(todo), len(items) - len(todo)


def person_imports_stale_sweep(cutoff: dt.datetime) -> list[int]:
    """Imports whose worker was killed (heartbeat older than `cutoff`): taken once, they are
    queued again and go on after their last chunk; taken twice, they are stopped, with the rows
    kept so far, and "Try again" on their page. Returns the ids queued again."""
    again, failed = stale_requeue(
        PersonImport.objects.filter(status=PersonImport.Status.RUNNING),
        cutoff=cutoff,
        queued=PersonImport.Status.QUEUED,
        failed=PersonImport.Status.FAILED,
        error="",
        task=person_import_task,
    )
    if again or failed:
        logger.warning("stale person imports: %s queued again, %s stopped", len(again), failed)
    return again
