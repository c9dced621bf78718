"""Checking the audit log's chain, and giving an inspector a date range of it (decision 0017).

`jisr audit verify` and `jisr audit export` are thin commands over these functions.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from django.utils import timezone

from jisr.audit import chain
from jisr.audit.models import AuditEntry, AuditEntryPerson
from jisr.lib.spreadsheets import csv_writer, unguarded_cell

CHUNK = 2000
COLUMNS = ["id", *chain.FIELDS, "prev_hash", "hash"]


def _chunks(
    first: int = 0, last: int | None = None, *, using: str = "default"
) -> Iterator[list[AuditEntry]]:
    """Entries in id order, a chunk at a time (keyset pagination: constant memory)."""
    after = first - 1
    while True:
        entries = AuditEntry.objects.using(using).filter(pk__gt=after).order_by("pk")
        if last is not None:
            entries = entries.filter(pk__lte=last)
        chunk = list(entries[:CHUNK])
        if not chunk:
            return
        yield chunk
        after = chunk[-1].pk


def _index_break(chunk: list[AuditEntry], *, using: str = "default") -> chain.Break | None:
    """The person index must name exactly the persons each entry names: a person's access log
    reads the index, so a link removed there would hide a read from them."""
    linked: dict[int, set[int]] = defaultdict(set)
    for entry_id, person_id in (
        AuditEntryPerson.objects.using(using)
        .filter(entry__gte=chunk[0].pk, entry__lte=chunk[-1].pk)
        .values_list("entry_id", "person_id")
    ):
        linked[entry_id].add(person_id)
    for entry in chunk:
        if linked.pop(entry.pk, set()) != set(entry.person_ids):
            return chain.Break(entry.pk, "index", "the index of persons it names was changed")
    if linked:
        orphan = min(linked)
        return chain.Break(orphan, "index", "the index of persons names an entry that is gone")
    return None


def verify_database(*, key: str | None = None, using: str = "default") -> chain.Walk:
    """Walk the whole log from its first entry; stops at the first entry that does not hold."""
    result = chain.Walk()
    for chunk in _chunks(using=using):
        index = _index_break(chunk, using=using)
        for entry in chunk:
            if not result.step(entry.record(), key):
                return result
            if index is not None and index.entry_id <= entry.pk:
                result.broken = index
                return result
        if index is not None:
            result.broken = index
            return result
    return result


def anchor_holds(entry_id: int, entry_hash: str) -> bool:
    """An entry noted earlier (outside the database) is still there, unchanged: the chain alone
    cannot tell that its last entries were cut off, an anchor kept elsewhere can."""
    return AuditEntry.objects.filter(pk=entry_id, hash=entry_hash).exists()


def _day_bounds(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """From the start of `first` to the end of `last`, in Jisr's time zone (Asia/Baghdad)."""
    zone = timezone.get_default_timezone()
    start = dt.datetime.combine(first, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return start, end


def export_range(first: dt.date, last: dt.date, out: IO[str], *, as_csv: bool = False) -> int:
    """The entries written from `first` to `last` (inclusive) with their hashes, as JSON lines
    or CSV. The range is contiguous in the chain (from the first entry of `first` to the last
    of `last`, by id), so it verifies from its first entry's `prev_hash`."""
    start, end = _day_bounds(first, last)
    bounds = AuditEntry.objects.filter(at__gte=start, at__lt=end).order_by("pk")
    low = bounds.values_list("pk", flat=True).first()
    high = bounds.reverse().values_list("pk", flat=True).first()
    if low is None or high is None:
        return 0
    # The inspector opens the CSV in a spreadsheet: through the formula guard, which
    # `read_export` undoes to verify it.
    writer = csv_writer(out) if as_csv else None
    if writer is not None:
        writer.writerow(COLUMNS)
    count = 0
    for chunk in _chunks(low, high):
        for entry in chunk:
            record = entry.record()
            if writer is not None:
                record["changes"] = json.dumps(record["changes"], ensure_ascii=False)
                record["person_ids"] = json.dumps(record["person_ids"])
                writer.writerow(["" if record[name] is None else record[name] for name in COLUMNS])
            else:
                out.write(next(chain.lines([record])))
            count += 1
    return count


def _int_or_none(text: str) -> int | None:
    return int(text) if text else None


def read_export(path: Path) -> Iterator[dict[str, Any]]:
    """The records of an export file (JSON lines, or CSV by its `.csv` name)."""
    with path.open(encoding="utf-8", newline="") as handle:
        if path.suffix.lower() == ".csv":
            for guarded in csv.DictReader(handle):
                row = {name: unguarded_cell(cell) for name, cell in guarded.items()}
                yield {
                    **row,
                    "id": int(row["id"]),
                    "actor_id": _int_or_none(row["actor_id"]),
                    "api_key_id": _int_or_none(row["api_key_id"]),
                    "organisation_id": _int_or_none(row["organisation_id"]),
                    "changes": json.loads(row["changes"]),
                    "person_ids": json.loads(row["person_ids"]),
                }
        else:
            for line in handle:
                if line.strip():
                    yield json.loads(line)


def verify_file(path: Path, *, key: str | None = None) -> chain.Walk:
    """Walk an export from its first entry's `prev_hash` (the link to the entries before the
    range is checked against the database, where there is one, by `verify_database`)."""
    records = read_export(path)
    first = next(records, None)
    if first is None:
        return chain.Walk()
    result = chain.Walk(last_hash=first["prev_hash"])
    if result.step(first, key):
        for record in records:
            if not result.step(record, key):
                break
    return result
