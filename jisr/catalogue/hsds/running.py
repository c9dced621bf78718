"""HSDS imports from the browser and the API: a ZIP checked as a file and kept, then imported by
the worker, all or nothing, with its progress on the import's page (decision 0035).

The import itself is `catalogue_read` and `catalogue_write` (`importing.py`, the same as `jisr
import-hsds`): every document checked first, then everything written in one transaction that
also marks the import done. A worker killed part-way leaves nothing (the transaction never
commits); the watchdog's sweep queues it once more, then stops it; "Try again" runs it again; an
import run twice, or the same ZIP imported again, adds nothing (documents are matched by id)."""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
from pathlib import Path

from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django_tasks import task

from jisr.accounts.access import not_found, require
from jisr.accounts.models import User
from jisr.accounts.roles import Perm
from jisr.catalogue.hsds.archive import archive_read, archive_unpack
from jisr.catalogue.hsds.importing import catalogue_read, catalogue_write
from jisr.catalogue.models import HsdsImport
from jisr.core.tasks import enqueue_on_commit, queue_require
from jisr.core.watchdog import beating, stale_requeue
from jisr.lib.errors import JisrError

logger = logging.getLogger(__name__)

# What an import keeps of the notes on what Jisr's rules left out.
LEFT_OUT_KEPT = 1000


@task()
def hsds_import_task(import_id: int) -> None:
    """Idempotent: an import already taken or finished is left alone."""
    hsds_import_execute(import_id=import_id)


@transaction.atomic
def hsds_import_upload(
    *, by: User, content: bytes, filename: str, publish: bool = False
) -> HsdsImport:
    """Keep a ZIP of HSDS documents and queue its import. A file Jisr does not take (not a ZIP,
    too large unpacked, an entry outside its folder, a NUL byte) is refused and nothing is kept;
    so is any file while the worker cannot be reached (decision 0022)."""
    require(by, Perm.SERVICE_REVIEW)
    found = archive_read(content)
    queue_require()
    hsds_import = HsdsImport.objects.create(
        created_by=by,
        filename=(filename or "hsds.zip")[:200],
        content=content,
        documents=len(found),
        publish=publish,
    )
    enqueue_on_commit(hsds_import_task, hsds_import.pk)
    return hsds_import


def _check_owner(by: User, hsds_import: HsdsImport) -> None:
    require(by, Perm.SERVICE_REVIEW)
    if hsds_import.created_by_id != by.pk:
        raise not_found()


@transaction.atomic
def hsds_import_retry(*, by: User, hsds_import: HsdsImport) -> HsdsImport:
    """Run a stopped import again from the start ("Try again"); an import that is waiting,
    running, done or refused is left as it is."""
    _check_owner(by, hsds_import)
    locked = HsdsImport.objects.select_for_update().get(pk=hsds_import.pk)
    if locked.status != HsdsImport.Status.FAILED:
        return locked
    queue_require()
    locked.status = HsdsImport.Status.QUEUED
    locked.attempts = 0
    locked.error = ""
    locked.heartbeat_at = None
    locked.finished_at = None
    locked.save(update_fields=["status", "attempts", "error", "heartbeat_at", "finished_at"])
    enqueue_on_commit(hsds_import_task, locked.pk)
    return locked


class _Overtaken(Exception):
    """Another run took the import while this one wrote: this one's writes are rolled back."""


def hsds_import_execute(*, import_id: int) -> HsdsImport | None:
    """Import a queued import (in the worker). Taking it is one conditional UPDATE, so a task
    queued twice runs it once. Documents that are wrong refuse it (`refused`, every problem by
    file and place, nothing written); an outage stops it (`failed`, nothing written)."""
    taken = HsdsImport.objects.filter(pk=import_id, status=HsdsImport.Status.QUEUED).update(
        status=HsdsImport.Status.RUNNING, heartbeat_at=timezone.now(), attempts=F("attempts") + 1
    )
    if not taken:
        logger.info("hsds import %s is not waiting: nothing to do", import_id)
        return None
    hsds_import = HsdsImport.objects.select_related("created_by").get(pk=import_id)
    beat = HsdsImport.objects.filter(pk=import_id, status=HsdsImport.Status.RUNNING)
    running = HsdsImport.objects.filter(pk=import_id, status=HsdsImport.Status.RUNNING)
    try:
        with (
            translation.override(hsds_import.created_by.language),
            beating(lambda: beat.update(heartbeat_at=timezone.now())),
        ):
            _execute(hsds_import)
    except _Overtaken:
        logger.warning("hsds import %s was taken by another run", import_id)
    except JisrError as error:
        if error.code == "invalid":  # the documents are wrong: every problem, nothing written
            running.update(
                status=HsdsImport.Status.REFUSED,
                problems=error.fields,
                content=b"",
                finished_at=timezone.now(),
            )
        else:
            running.update(
                status=HsdsImport.Status.FAILED,
                error=_error_text(error)[:2000],
                finished_at=timezone.now(),
            )
    except Exception as error:  # an outage: nothing was written; "Try again" on the page
        # Only the error's kind: a database error's text can hold the documents' contents.
        logger.error("hsds import %s stopped: %s", import_id, type(error).__name__)
        running.update(status=HsdsImport.Status.FAILED, finished_at=timezone.now())
    hsds_import.refresh_from_db()
    return hsds_import


def _error_text(error: JisrError) -> str:
    reasons = [reason for messages in error.fields.values() for reason in messages]
    return " ".join([str(error.message), *reasons])


def _execute(hsds_import: HsdsImport) -> None:
    by = hsds_import.created_by
    require(by, Perm.SERVICE_REVIEW)
    found = archive_read(bytes(hsds_import.content))
    with tempfile.TemporaryDirectory(prefix="jisr-hsds-") as folder:
        archive_unpack(found, Path(folder))
        documents = catalogue_read(Path(folder))
    logger.info("hsds import %s: documents checked, writing", hsds_import.pk)
    with transaction.atomic():
        result = catalogue_write(documents, by=by, publish=hsds_import.publish)
        # Marked done in the same transaction as its writes: should the sweep have taken it
        # from a run thought dead but only slow, this run finds it so and rolls back.
        mine = HsdsImport.objects.select_for_update().filter(
            pk=hsds_import.pk, status=HsdsImport.Status.RUNNING, attempts=hsds_import.attempts
        )
        if mine.first() is None:
            raise _Overtaken
        mine.update(
            status=HsdsImport.Status.IMPORTED,
            organisations=result.organisations,
            locations=result.locations,
            services=result.services,
            left_out=result.problems[:LEFT_OUT_KEPT],
            content=b"",  # the documents now live in the catalogue
            finished_at=timezone.now(),
        )
    logger.info("hsds import %s: imported", hsds_import.pk)


def hsds_imports_stale_sweep(cutoff: dt.datetime) -> list[int]:
    """Imports whose worker was killed (heartbeat older than `cutoff`; they wrote nothing):
    taken once, they are queued again; taken twice, they are stopped with "Try again" on their
    page. Returns the ids queued again."""
    again, failed = stale_requeue(
        HsdsImport.objects.filter(status=HsdsImport.Status.RUNNING),
        cutoff=cutoff,
        queued=HsdsImport.Status.QUEUED,
        failed=HsdsImport.Status.FAILED,
        error="",
        task=hsds_import_task,
    )
    if again or failed:
        logger.warning("stale hsds imports: %s queued again, %s stopped", len(again), failed)
    return again
