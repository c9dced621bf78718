"""Importing a checked register: an upload started from its page is run by the worker, and a
national register's file by `jisr import-register`; both write chunk by chunk, each chunk with
the upload's count of records done, so that a run stopped part-way goes on after its last chunk
and never writes a record twice (decision 0034, as person imports in decision 0032).

The file is checked whole before the first record is written (the dry run), so a run that stops
part-way stopped for an outage (a worker or the command killed, the database gone), not for a
row. Records keep their source id: one already in the register is updated, a new one added; once
every chunk is written, the register's records the file did not list are withdrawn (kept, not
linked), the register remembers the columns, and the import is audited, in one transaction."""

from __future__ import annotations

import array
import datetime as dt
import hashlib
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from jisr.accounts.models import User
from jisr.audit.models import Action
from jisr.audit.services import audit_record
from jisr.core.tasks import enqueue_on_commit, queue_require
from jisr.core.watchdog import beating, stale_requeue
from jisr.lib.bulk import insert_values
from jisr.lib.errors import JisrError
from jisr.lib.spreadsheets import StreamedTable
from jisr.linkage import selectors
from jisr.linkage.imports import (
    RECORD_FIELDS,
    TARGETS,
    RowChecker,
    mapping_problems,
    upload_check,
)
from jisr.linkage.models import Register, RegisterRecord, RegisterUpload
from jisr.registry.imports.columns import RowError, guess_mapping

logger = logging.getLogger(__name__)

# Records written in one transaction, with the upload's count of records done.
CHUNK_ROWS = 2000
# Record numbers looked up in one statement (SQLite's oldest limit on a statement's values).
_LOOKUP = 900
_WRITTEN = [*RECORD_FIELDS, "withdrawn_at", "updated_at", "listed_by"]
_ACTIVE = (RegisterUpload.Status.QUEUED, RegisterUpload.Status.RUNNING)


def _refused(count: int) -> JisrError:
    return JisrError(
        "invalid_rows",
        _("%(count)s problems in the file; nothing was imported.") % {"count": count},
        status=422,
    )


@task()
def register_upload_task(upload_id: int) -> None:
    """Idempotent: an upload already taken or finished is left alone."""
    upload_execute(upload_id=upload_id)


def _start_checked(by: User, upload: RegisterUpload, mapping: dict[str, str]) -> RegisterUpload:
    """The upload's row, locked, set running (or left as it is when it started already) once
    every row passed the check; JisrError with nothing written when one did not."""
    selectors.register_require_own(fetched_by=by, register=upload.register)
    locked = RegisterUpload.objects.select_for_update().get(pk=upload.pk)
    if locked.status == RegisterUpload.Status.IMPORTED:
        raise JisrError("conflict", _("This file has already been imported."), status=409)
    if locked.status != RegisterUpload.Status.UPLOADED:
        return locked  # started already: its page shows how far it is
    checked = upload_check(upload=locked, mapping=mapping)
    if checked.errors:
        raise _refused(len(checked.errors))
    locked.mapping, locked.total = mapping, len(checked.ready)
    return locked


@transaction.atomic
def upload_start(*, by: User, upload: RegisterUpload, mapping: dict[str, str]) -> RegisterUpload:
    """Start importing every record: all rows are checked first, and the file is refused whole,
    with nothing written, when any has a problem. Then the worker imports them chunk by chunk
    (`upload_execute`); the upload's page shows how far it is."""
    locked = _start_checked(by, upload, mapping)
    if locked.status != RegisterUpload.Status.UPLOADED:
        return locked
    queue_require()  # told now, and nothing kept, when the worker's queue is down
    locked.status = RegisterUpload.Status.QUEUED
    locked.save(update_fields=["mapping", "total", "status"])
    enqueue_on_commit(register_upload_task, locked.pk)
    return locked


def upload_import(*, by: User, upload: RegisterUpload, mapping: dict[str, str]) -> dict[str, int]:
    """Check and import every record in this process, chunk by chunk (scripts, tests; the pages
    start `upload_start`). Returns the counts: created, updated, unchanged, withdrawn."""
    with transaction.atomic():
        locked = _start_checked(by, upload, mapping)
        if locked.status == RegisterUpload.Status.UPLOADED:
            locked.status = RegisterUpload.Status.QUEUED
            locked.save(update_fields=["mapping", "total", "status"])
    done = upload_execute(upload_id=upload.pk)
    if done is None or done.status != RegisterUpload.Status.IMPORTED:
        raise JisrError("stopped", (done.error if done else "") or _("The import stopped."))
    return dict(done.counts)


@transaction.atomic
def upload_resume(*, by: User, upload: RegisterUpload) -> RegisterUpload:
    """Import a stopped upload's remaining records (those after the last chunk it kept)."""
    selectors.register_require_own(fetched_by=by, register=upload.register)
    locked = RegisterUpload.objects.select_for_update().get(pk=upload.pk)
    if locked.status != RegisterUpload.Status.FAILED:
        return locked
    queue_require()
    locked.status = RegisterUpload.Status.QUEUED
    locked.attempts = 0
    locked.error = ""
    locked.heartbeat_at = None
    locked.save(update_fields=["status", "attempts", "error", "heartbeat_at"])
    enqueue_on_commit(register_upload_task, locked.pk)
    return locked


def _take(upload_id: int, *, waiting: Iterable[str]) -> bool:
    """One conditional UPDATE: of two runs asked to take the upload, one does."""
    return bool(
        RegisterUpload.objects.filter(pk=upload_id, status__in=list(waiting)).update(
            status=RegisterUpload.Status.RUNNING,
            heartbeat_at=timezone.now(),
            attempts=F("attempts") + 1,
        )
    )


def upload_execute(*, upload_id: int) -> RegisterUpload | None:
    """Import a queued upload's records (in the worker), from the first one not yet done.

    A failure stops the upload with its reason on its page, and the chunks kept so far stay;
    "Try again" goes on from there (decision 0034)."""
    if not _take(upload_id, waiting=[RegisterUpload.Status.QUEUED]):
        logger.info("register upload %s is not waiting: nothing to do", upload_id)
        return None
    upload = RegisterUpload.objects.select_related("register", "created_by").get(pk=upload_id)
    beat = RegisterUpload.objects.filter(pk=upload_id, status=RegisterUpload.Status.RUNNING)
    try:
        with (
            translation.override(upload.created_by.language),
            beating(lambda: beat.update(heartbeat_at=timezone.now())),
        ):
            selectors.register_require_own(fetched_by=upload.created_by, register=upload.register)
            checked = upload_check(upload=upload, mapping=upload.mapping)
            if checked.errors:  # the places changed since the check: nothing more is written
                raise _refused(len(checked.errors))
            records_write(upload, checked.ready[upload.done :])
    except Exception as error:  # shown on the upload's page; the chunks done stay done
        # Only the error's kind: a database error's text can hold the records' names and phones.
        logger.error("register upload %s stopped: %s", upload_id, type(error).__name__)
        message = str(error.message) if isinstance(error, JisrError) else ""
        RegisterUpload.objects.filter(pk=upload_id).update(
            status=RegisterUpload.Status.FAILED, error=message[:2000], finished_at=timezone.now()
        )
    upload.refresh_from_db()
    return upload


def records_write(
    upload: RegisterUpload,
    records: Iterable[dict[str, str]],
    *,
    say: Callable[[RegisterUpload], object] | None = None,
) -> bool:
    """Write `records` (the checked records after the `upload.done` first) chunk by chunk, each
    with the upload's count, then finish the upload. `say` is told after each chunk. False
    when another run took the upload meanwhile (nothing more is written)."""
    start = upload.done
    pending = iter(records)
    while chunk := list(islice(pending, CHUNK_ROWS)):
        with transaction.atomic():
            # The upload's row held until the chunk commits: should two runs hold the same
            # upload (one thought dead was only slow), the second waits, then finds the count
            # moved and writes nothing.
            mine = RegisterUpload.objects.select_for_update().filter(
                pk=upload.pk, status=RegisterUpload.Status.RUNNING, done=start
            )
            locked = mine.first()
            if locked is None:
                logger.warning("register upload %s was taken by another run", upload.pk)
                return False
            counts = _chunk_write(upload, chunk)
            locked.counts = {k: locked.counts.get(k, 0) + v for k, v in counts.items()}
            locked.done = start + len(chunk)
            locked.heartbeat_at = timezone.now()
            locked.save(update_fields=["counts", "done", "heartbeat_at"])
        start += len(chunk)
        upload.done, upload.counts = locked.done, locked.counts
        if say is not None:
            say(upload)
    return _finish(upload)


def _chunk_write(upload: RegisterUpload, chunk: list[dict[str, str]]) -> dict[str, int]:
    """Add or update a chunk's records, each marked as listed by this upload."""
    register_id, now = upload.register_id, timezone.now()
    ids = [values["source_id"] for values in chunk]
    existing: dict[str, RegisterRecord] = {}
    for at in range(0, len(ids), _LOOKUP):
        existing.update(
            (record.source_id, record)
            for record in RegisterRecord.objects.filter(
                register_id=register_id, source_id__in=ids[at : at + _LOOKUP]
            ).only("pk", "source_id", "withdrawn_at", *RECORD_FIELDS)
        )
    created: list[RegisterRecord] = []
    changed: list[RegisterRecord] = []
    unchanged: list[int] = []
    for values in chunk:
        record = existing.get(values["source_id"])
        if record is None:
            created.append(
                RegisterRecord(
                    register_id=register_id, updated_at=now, listed_by=upload.pk, **values
                )
            )
        elif record.withdrawn_at is None and all(
            getattr(record, key) == values[key] for key in RECORD_FIELDS
        ):
            unchanged.append(record.pk)
        else:
            for key in RECORD_FIELDS:
                setattr(record, key, values[key])
            record.withdrawn_at, record.updated_at, record.listed_by = None, now, upload.pk
            changed.append(record)
    _insert(created)
    RegisterRecord.objects.bulk_update(changed, _WRITTEN, batch_size=500)
    for at in range(0, len(unchanged), _LOOKUP):
        RegisterRecord.objects.filter(pk__in=unchanged[at : at + _LOOKUP]).update(
            listed_by=upload.pk
        )
    return {"created": len(created), "updated": len(changed), "unchanged": len(unchanged)}


def _insert(records: list[RegisterRecord]) -> None:
    """New records by plain values (their fields are plain text and ids): no instance is read
    back, so no key is needed."""
    if not records:
        return
    updated_at = RegisterRecord._meta.get_field("updated_at").get_db_prep_save(
        records[0].updated_at, connection
    )
    insert_values(
        RegisterRecord,
        ["register_id", "source_id", *RECORD_FIELDS, "updated_at", "listed_by"],
        [
            [
                record.register_id,
                record.source_id,
                *(getattr(record, name) for name in RECORD_FIELDS),
                updated_at,
                record.listed_by,
            ]
            for record in records
        ],
    )


@transaction.atomic
def _finish(upload: RegisterUpload) -> bool:
    """Every chunk written: withdraw the records the file did not list, remember the columns,
    audit the import and mark it imported, together."""
    locked = (
        RegisterUpload.objects.select_for_update()
        .filter(pk=upload.pk, status=RegisterUpload.Status.RUNNING, done=upload.total)
        .first()
    )
    if locked is None:
        return False
    now = timezone.now()
    withdrawn = (
        RegisterRecord.objects.filter(register_id=upload.register_id, withdrawn_at__isnull=True)
        .exclude(listed_by=upload.pk)
        .update(withdrawn_at=now, updated_at=now)
    )
    counts = {
        "created": locked.counts.get("created", 0),
        "updated": locked.counts.get("updated", 0),
        "unchanged": locked.counts.get("unchanged", 0),
        "withdrawn": withdrawn,
    }
    Register.objects.filter(pk=upload.register_id).update(mapping=locked.mapping, imported_at=now)
    locked.status, locked.counts, locked.rows = RegisterUpload.Status.IMPORTED, counts, []
    locked.finished_at = now
    locked.save(update_fields=["status", "counts", "rows", "finished_at"])
    audit_record(
        actor=locked.created_by,
        action=Action.UPDATE,
        target=Register.objects.get(pk=upload.register_id),
        changes={"import": counts, "file": locked.filename},
    )
    upload.status, upload.counts = locked.status, counts
    return True


def uploads_stale_sweep(cutoff: dt.datetime) -> list[int]:
    """Uploads whose worker was killed (heartbeat older than `cutoff`): taken once, they are
    queued again and go on after their last chunk; taken twice, they are stopped, with the
    records kept so far, and "Try again" on their page. Returns the ids queued again. Uploads
    of `jisr import-register` have no worker: the command run again takes them."""
    again, failed = stale_requeue(
        RegisterUpload.objects.filter(status=RegisterUpload.Status.RUNNING, checksum=""),
        cutoff=cutoff,
        queued=RegisterUpload.Status.QUEUED,
        failed=RegisterUpload.Status.FAILED,
        error="",
        task=register_upload_task,
    )
    if again or failed:
        logger.warning("stale register uploads: %s queued again, %s stopped", len(again), failed)
    return again


# --- A national register's file: `jisr import-register` -----------------------------------------


@dataclass
class FileCheck:
    """The dry run of a file read as a stream: how many records are ready, and the first
    problems (all are counted)."""

    ready: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0

    def add(self, problems: list[RowError], keep: int) -> None:
        self.error_count += len(problems)
        self.errors.extend(problems[: max(0, keep - len(self.errors))])


def file_checksum(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def file_mapping(register: Register, headers: list[str], given: dict[str, str]) -> dict[str, str]:
    """The columns given (field → column), else the register's saved ones still in the file,
    else a guess from the headers."""
    if given:
        return given
    saved = {k: v for k, v in register.mapping.items() if v in headers}
    for key, column in guess_mapping(headers, TARGETS).items():
        if key not in saved and column not in saved.values():
            saved[key] = column
    return saved


def file_records(table: StreamedTable, mapping: dict[str, str]) -> Iterator[dict[str, str]]:
    """The file's records, each checked; JisrError at the first bad row (a file that changed
    since its check)."""
    checker = RowChecker(table.headers, mapping)
    for number, row in table.rows():
        record, problems = checker.check(number, row)
        if problems:
            reason = problems[0].reason
            raise JisrError(
                "invalid_rows", _("Row %(row)s: %(reason)s") % {"row": number, "reason": reason}
            )
        if record is not None:
            yield record


def file_check(table: StreamedTable, mapping: dict[str, str], *, keep: int = 100) -> FileCheck:
    """Every row of the file checked in one pass, in bounded memory: the record numbers are
    kept as 8-byte hashes (40 MB for 5,000,000), and only those whose hash appears twice are
    read again to name the rows that repeat a number."""
    result = FileCheck()
    problems = mapping_problems(table.headers, mapping)
    if problems:
        result.add(problems, keep)
        return result
    checker = RowChecker(table.headers, mapping)
    hashes = array.array("q")
    for number, row in table.rows():
        record, problems = checker.check(number, row)
        if problems:
            result.add(problems, keep)
        elif record is not None:
            result.ready += 1
        source_id = checker.source_id(row)
        if source_id:
            hashes.append(hash(source_id))
    repeated = _repeated(hashes)
    del hashes
    if repeated:
        first: dict[str, int] = {}
        duplicates: list[RowError] = []
        for number, row in table.rows():
            source_id = checker.source_id(row)
            if source_id and hash(source_id) in repeated:
                if source_id in first:
                    duplicates.append(checker.duplicate(number))
                else:
                    first[source_id] = number
        result.add(duplicates, keep)
        result.errors.sort(key=lambda error: error.row)
    return result


def _repeated(hashes: array.array[int]) -> set[int]:
    """The values that appear more than once (sorted with numpy, as 8-byte integers)."""
    import numpy as np

    values = np.frombuffer(hashes, dtype=np.int64) if len(hashes) else np.empty(0, np.int64)
    ordered = np.sort(values)
    return {int(v) for v in np.unique(ordered[1:][ordered[1:] == ordered[:-1]])}


@dataclass
class FileImport:
    upload: RegisterUpload
    check: FileCheck | None  # None when the file's import was started before (resumed)
    resumed: bool
    finished_before: bool


def register_file_import(
    *,
    by: User,
    register: Register,
    path: Path,
    mapping: dict[str, str],
    progress: Callable[[RegisterUpload], object] | None = None,
) -> FileImport:
    """Import a register's file in this process (`jisr import-register`), read as a stream:
    checked whole first (refused with its rows' problems, nothing written), then written chunk
    by chunk with progress. The same file again (its SHA-256) goes on after the last chunk a
    stopped run kept, and adds nothing once it finished."""
    selectors.register_require_own(fetched_by=by, register=register)
    checksum = file_checksum(path)
    table = StreamedTable(path)
    before = (
        RegisterUpload.objects.filter(register=register, checksum=checksum)
        .exclude(status=RegisterUpload.Status.UPLOADED)
        .order_by("-pk")
        .first()
    )
    if before is not None and before.status == RegisterUpload.Status.IMPORTED:
        return FileImport(before, None, resumed=False, finished_before=True)
    check = None
    if before is None:
        mapping = file_mapping(register, table.headers, mapping)
        check = file_check(table, mapping)
        if check.error_count:
            return FileImport(RegisterUpload(register=register), check, False, False)
        upload = RegisterUpload.objects.create(
            register=register,
            created_by=by,
            filename=path.name[:200],
            headers=table.headers,
            mapping=mapping,
            total=check.ready,
            checksum=checksum,
            status=RegisterUpload.Status.QUEUED,
        )
    else:
        upload = before
    # The command takes its upload whatever its state: a command killed left it running.
    if not _take(upload.pk, waiting=[*_ACTIVE, RegisterUpload.Status.FAILED]):
        raise JisrError("conflict", _("This file has already been imported."), status=409)
    upload.refresh_from_db()
    try:
        records = islice(file_records(table, upload.mapping), upload.done, None)
        records_write(upload, records, say=progress)
    except BaseException as error:
        if isinstance(error, Exception):
            logger.error("register file %s stopped: %s", upload.pk, type(error).__name__)
            RegisterUpload.objects.filter(pk=upload.pk).update(
                status=RegisterUpload.Status.FAILED,
                error=str(error.message)[:2000] if isinstance(error, JisrError) else "",
                finished_at=timezone.now(),
            )
        raise
    upload.refresh_from_db()
    return FileImport(upload, check, resumed=before is not None, finished_before=False)
