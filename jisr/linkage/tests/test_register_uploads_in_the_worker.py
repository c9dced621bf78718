"""A register's upload is imported by the worker, chunk by chunk, with its progress on its page
(decision 0034): more than the 20,000 rows the request could take, a file refused whole with its
rows named, a run stopped part-way that goes on without writing a record twice, "Try again"; and
`jisr import-register`, which reads a national register as a stream and resumes by the file's
checksum. The real process killed with SIGKILL: test_register_import_killed.py."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import timezone

from jisr.audit.integrity import verify_database
from jisr.audit.models import AuditEntry
from jisr.conftest import client_for
from jisr.core import watchdog
from jisr.linkage import uploading
from jisr.linkage.models import Register, RegisterRecord, RegisterUpload

HEADERS = "رقم السجل,الاسم الاول,اللقب,الجنس,تاريخ الميلاد,المحافظة,الهاتف\n"


def register_csv(count: int, start: int = 1, *, changed: int = 0) -> str:
    """`count` good rows numbered from `start`; the first `changed` have another birth year."""
    lines = [
        f"R-{n},اسم{n},عائلة{n % 97},{'ذكر' if n % 2 else 'انثى'},"
        f"{(1991 if n - start < changed else 1960) + n % 40},بغداد,077{n % 10**8:08d}\n"
        for n in range(start, start + count)
    ]
    return HEADERS + "".join(lines)


class _Killed(BaseException):
    """What the worker's death looks like from inside: nothing after it runs."""


@pytest.fixture
def register(labour_analyst: Any) -> Register:
    return Register.objects.create(
        organisation=labour_analyst.organisation,
        name="Jobseekers",
        kind="unemployed",
        created_by=labour_analyst,
    )


def _mapping(client: Any, url: str) -> dict[str, str]:
    form = client.get(url).context["form"]
    return {name: form.initial.get(name, "") for name in form.fields}


def _start(client: Any, register: Register, text: str, capture: Any, *, execute: bool) -> str:
    """Upload `text` and press "Import all"; the worker's task runs when `execute`. Returns the
    upload's progress page."""
    sent = client.post(
        f"/linkage/registers/{register.pk}/upload/",
        {"file": SimpleUploadedFile("r.csv", text.encode("utf-8"), content_type="text/csv")},
    )
    assert sent.status_code == 302, sent.context and sent.context["form"].errors
    url = str(sent["Location"])
    with capture(execute=execute):
        started = client.post(f"{url}import/", _mapping(client, url))
    assert started["Location"] == f"{url}progress/", started.content
    return f"{url}progress/"


def test_a_register_past_the_old_limit_of_20000_rows_is_imported_by_the_worker(
    labour_analyst, register, capture
):
    client = client_for(labour_analyst)
    progress = _start(client, register, register_csv(25_000), capture, execute=True)
    upload = RegisterUpload.objects.get()
    assert upload.status == RegisterUpload.Status.IMPORTED
    assert (upload.total, upload.done) == (25_000, 25_000)
    assert upload.counts == {"created": 25_000, "updated": 0, "unchanged": 0, "withdrawn": 0}
    assert upload.rows == []  # the data now lives in the records
    assert RegisterRecord.objects.filter(register=register).count() == 25_000
    page = client.get(progress).content.decode()
    assert "Imported: 25,000 new, 0 updated, 0 unchanged, 0 no longer in the register." in page
    # One audit entry for the import, as before.
    entry = AuditEntry.objects.get(object_type="linkage.register", action="update")
    assert entry.changes["import"]["created"] == 25_000
    assert verify_database().broken is None


def test_a_register_past_its_upload_limit_is_refused_naming_the_command(
    labour_analyst, register, settings
):
    settings.JISR_REGISTER_UPLOAD_MAX_ROWS = 50
    client = client_for(labour_analyst)
    page = client.post(
        f"/linkage/registers/{register.pk}/upload/",
        {"file": SimpleUploadedFile("r.csv", register_csv(51).encode("utf-8"))},
    )
    assert page.status_code == 200
    assert "more than 50 rows" in page.content.decode()
    assert "jisr import-register" in page.content.decode()  # the form's help says where to go
    assert not RegisterUpload.objects.exists()


def test_the_page_shows_the_records_done_and_asks_again_until_the_import_ends(
    labour_analyst, register, capture
):
    client = client_for(labour_analyst)
    progress = _start(client, register, register_csv(5), capture, execute=False)
    page = client.get(progress).content.decode()
    assert "Waiting to be imported" in page
    assert "0 of 5 records" in page
    assert 'hx-trigger="every 2s"' in page
    partial = client.get(progress, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in partial
    assert 'id="upload-status"' in partial
    RegisterUpload.objects.update(status=RegisterUpload.Status.RUNNING, done=2)
    assert "2 of 5 records" in client.get(progress, headers={"HX-Request": "true"}).content.decode()
    # The mapping page of a started upload shows its progress instead.
    assert client.get(progress.replace("progress/", ""))["Location"] == progress
    RegisterUpload.objects.update(status=RegisterUpload.Status.QUEUED, done=0)
    uploading.upload_execute(upload_id=RegisterUpload.objects.get().pk)
    finished = client.get(progress, headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in finished  # done: the page stops asking
    assert "Imported: 5 new" in finished


def test_a_file_with_a_bad_row_is_refused_whole_with_its_row_and_nothing_starts(
    labour_analyst, register, capture
):
    client = client_for(labour_analyst)
    text = register_csv(3) + "R-9,اسم,عائلة,ذكر,1990-13-40,بغداد,\n"
    url = str(
        client.post(
            f"/linkage/registers/{register.pk}/upload/",
            {"file": SimpleUploadedFile("r.csv", text.encode("utf-8"))},
        )["Location"]
    )
    with capture(execute=True) as callbacks:
        refused = client.post(f"{url}import/", _mapping(client, url))
    assert refused.status_code == 200
    assert [(e.row, e.column) for e in refused.context["errors"]] == [(5, "تاريخ الميلاد")]
    assert "nothing was imported" in refused.content.decode()
    assert not callbacks  # no task queued
    assert RegisterUpload.objects.get().status == RegisterUpload.Status.UPLOADED
    assert not RegisterRecord.objects.exists()


def test_an_upload_killed_after_its_first_chunk_goes_on_from_there_and_writes_nothing_twice(
    labour_analyst, register, capture, monkeypatch, settings
):
    client = client_for(labour_analyst)
    monkeypatch.setattr(uploading, "CHUNK_ROWS", 4)
    # The register had: come again (R-2 changed), R-90 and
    # R-91 are no longer in the file.
    for number, year in ((1, 1961), (2, 1900), (3, 1963), (90, 1970), (91, 1971)):
        RegisterRecord.objects.create(
            register=register, source_id=f"R-{number}", first_name=f"اسم{number}",
            family_name=f"عائلة{number % 97}", sex="M" if number % 2 else "F",
            birth_date=str(year), governorate="IQ-BG", phone=f"+964770000000{number % 10}",
        )  # fmt: skip
    real = uploading._chunk_write
    calls: list[int] = []

    def dies_on_the_second_chunk(*args: Any) -> dict[str, int]:
        calls.append(1)
        if len(calls) == 2:
            raise _Killed
        return real(*args)

    monkeypatch.setattr(uploading, "_chunk_write", dies_on_the_second_chunk)
    _start(client, register, register_csv(10), capture, execute=True)  # the runner swallows it
    upload = RegisterUpload.objects.get()
    assert upload.status == RegisterUpload.Status.RUNNING  # as a killed worker leaves it
    assert upload.done == 4
    assert RegisterRecord.objects.count() == 5 + 1  # the first chunk, whole: R-4 new
    progress = f"/linkage/uploads/{upload.pk}/progress/"
    assert "4 of 10 records" in client.get(progress).content.decode()
    # The task queued twice (a task that waited for Redis): the upload is taken, nothing runs.
    assert uploading.upload_execute(upload_id=upload.pk) is None

    # The worker's watchdog finds the heartbeat stopped and takes the upload again.
    assert uploading.uploads_stale_sweep in watchdog._sweeps
    RegisterUpload.objects.update(heartbeat_at=timezone.now() - dt.timedelta(hours=1))
    settings.JISR_TASK_STALE_SECONDS = 60
    with capture(execute=True):
        assert uploading.uploads_stale_sweep(watchdog.stale_cutoff()) == [upload.pk]
    upload.refresh_from_db()
    assert upload.status == RegisterUpload.Status.IMPORTED
    assert upload.attempts == 2
    # unchanged, R-2 updated (its birth year), R-4 to R-10 new, R-90 and R-91 gone.
    assert upload.counts == {"created": 7, "updated": 1, "unchanged": 2, "withdrawn": 2}
    records = {r.source_id: r for r in RegisterRecord.objects.all()}
    assert len(records) == 12  # none twice
    assert records["R-2"].birth_date == "1962"
    assert records["R-90"].withdrawn_at is not None
    assert records["R-1"].withdrawn_at is None
    assert {r.listed_by for k, r in records.items() if k not in ("R-90", "R-91")} == {upload.pk}
    assert AuditEntry.objects.filter(object_type="linkage.register").count() == 1


def test_an_upload_stopped_by_an_outage_keeps_its_chunks_and_goes_on_when_tried_again(
    labour_analyst, register, capture, monkeypatch
):
    client = client_for(labour_analyst)
    monkeypatch.setattr(uploading, "CHUNK_ROWS", 2)
    real = uploading._chunk_write
    calls: list[int] = []

    def fails_on_the_second_chunk(*args: Any) -> dict[str, int]:
        calls.append(1)
        if len(calls) == 2:
            raise OSError("connection to the database lost: R-3 اسم3")
        return real(*args)

    monkeypatch.setattr(uploading, "_chunk_write", fails_on_the_second_chunk)
    progress = _start(client, register, register_csv(5), capture, execute=True)
    page = client.get(progress).content.decode()
    assert "Stopped" in page
    assert "The import stopped after 2 of 5 records." in page
    assert "R-3" not in page  # an error's own text is not shown
    assert RegisterRecord.objects.count() == 2
    with capture(execute=True):
        again = client.post(progress.replace("progress/", "resume/"))
    assert again["Location"] == progress
    upload = RegisterUpload.objects.get()
    assert upload.status == RegisterUpload.Status.IMPORTED
    assert upload.counts == {"created": 5, "updated": 0, "unchanged": 0, "withdrawn": 0}
    assert sorted(RegisterRecord.objects.values_list("source_id", flat=True)) == [
        f"R-{n}" for n in range(1, 6)
    ]


def test_only_the_uploader_follows_or_resumes_an_upload(labour_analyst, register, capture, people):
    progress = _start(client_for(labour_analyst), register, register_csv(2), capture, execute=False)
    other = client_for(people["analyst"])
    assert other.get(progress).status_code == 404
    assert other.post(progress.replace("progress/", "resume/")).status_code == 404


# --- jisr import-register ----------------------------------------------------------------------


def _command(*args: str) -> str:
    out = StringIO()
    call_command("import_register", *args, stdout=out, stderr=out)
    return out.getvalue()


def test_the_command_refuses_a_bad_file_whole_naming_its_rows(register, tmp_path: Path):
    path = tmp_path / "national.csv"
    path.write_text(
        register_csv(5) + "R-2,اسم,عائلة,ذكر,1990,بغداد,\nR-7,,,ذكر,1990,المريخ,\n",
        encoding="utf-8",
    )
    err = StringIO()
    with pytest.raises(CommandError, match="3 problems in the file; nothing was imported"):
        call_command("import_register", str(register.pk), str(path), stdout=StringIO(), stderr=err)
    problems = err.getvalue()
    assert "row 7, رقم السجل: This record number appears twice in the file." in problems
    assert "row 8, الاسم الاول: The record has no name." in problems
    assert "row 8, المحافظة: Unknown governorate." in problems
    assert not RegisterRecord.objects.exists()
    assert not RegisterUpload.objects.exists()


def test_the_command_resumes_a_killed_import_and_a_finished_file_adds_nothing(
    register, tmp_path: Path, monkeypatch
):
    path = tmp_path / "national.csv"
    path.write_text(register_csv(10), encoding="utf-8")
    monkeypatch.setattr(uploading, "CHUNK_ROWS", 3)
    real = uploading._chunk_write
    calls: list[int] = []

    def dies_on_the_third_chunk(*args: Any) -> dict[str, int]:
        calls.append(1)
        if len(calls) == 3:
            raise _Killed
        return real(*args)

    monkeypatch.setattr(uploading, "_chunk_write", dies_on_the_third_chunk)
    with pytest.raises(_Killed):
        _command(
            "Jobseekers", str(path), "--mapping", "رقم السجل=source_id", "الاسم الاول=first_name"
        )
    upload = RegisterUpload.objects.get()
    assert (upload.status, upload.done, upload.total) == ("running", 6, 10)
    assert RegisterRecord.objects.count() == 6

    out = _command("Jobseekers", str(path))
    assert "Imported 10 records into Jobseekers (resumed): 10 new, 0 updated" in out
    upload.refresh_from_db()
    assert (upload.status, upload.done, upload.attempts) == ("imported", 10, 2)
    assert upload.mapping == {"source_id": "رقم السجل", "first_name": "الاسم الاول"}
    assert sorted(RegisterRecord.objects.values_list("source_id", flat=True)) == sorted(
        f"R-{n}" for n in range(1, 11)
    )
    assert RegisterRecord.objects.exclude(family_name="").count() == 0  # only the columns given

    out = _command("Jobseekers", str(path))
    assert "nothing added" in out
    assert RegisterRecord.objects.count() == 10
    assert RegisterUpload.objects.count() == 1
    assert AuditEntry.objects.filter(object_type="linkage.register").count() == 1


def test_the_command_reads_an_xlsx_register_as_a_stream(register, tmp_path: Path):
    from jisr.lib.spreadsheets import write_xlsx

    header, *lines = register_csv(30).strip().splitlines()
    path = tmp_path / "national.xlsx"
    path.write_bytes(
        write_xlsx(header.split(","), [list[object](line.split(",")) for line in lines])
    )
    out = _command(str(register.pk), str(path))
    assert "Imported 30 records into Jobseekers: 30 new" in out
    record = RegisterRecord.objects.get(source_id="R-7")
    assert (record.sex, record.birth_date, record.governorate, record.phone) == (
        "M", "1967", "IQ-BG", "+9647700000007",
    )  # fmt: skip
