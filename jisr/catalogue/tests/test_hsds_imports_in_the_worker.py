"""A catalogue administrator imports a ZIP of HSDS documents from the browser or the API: the file
is checked as a file and kept, the worker imports it all or nothing, and its page shows how it
went, every problem named by document and field (decision 0035). A run killed part-way wrote
nothing, is queued once more by the watchdog's sweep, then stopped with "Try again"; importing
the same documents twice adds nothing. The real worker killed mid-import:
test_hsds_import_survives_a_killed_worker.py."""

from __future__ import annotations

import datetime as dt
import io
import json
import stat
import zipfile
from typing import Any

import pytest
from django.db import OperationalError
from django.test import TestCase
from django.utils import timezone

from jisr.accounts.roles import Role, Scope
from jisr.audit.services import audit_record
from jisr.catalogue.hsds import archive, importing, running
from jisr.catalogue.models import HsdsImport, Service, ServiceChange
from jisr.catalogue.tests import hsds_documents as hsds
from jisr.conftest import client_for, make_user, queries_to_get
from jisr.core import watchdog

NEW = "/catalogue/hsds-imports/new/"


def zipped(files: dict[str, Any]) -> bytes:
    """A ZIP of the documents, each written as JSON (bytes as they are)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive_file:
        for name, document in files.items():
            data = document if isinstance(document, bytes) else json.dumps(document).encode()
            archive_file.writestr(name, data)
    return buffer.getvalue()


def good_zip() -> bytes:
    return zipped(
        {"hsds/organizations/org.json": hsds.organisation(), "hsds/services.json": {
            "contents": [hsds.service()]}}
    )  # fmt: skip


def upload(name: str, content: bytes) -> io.BytesIO:
    file = io.BytesIO(content)
    file.name = name
    return file


@pytest.fixture
def admin(people: dict[str, Any]) -> Any:
    people["admin"].language = "en"
    people["admin"].save()
    return people["admin"]


def _upload(client: Any, content: bytes, *, execute: bool = True, **extra: Any) -> Any:
    with TestCase.captureOnCommitCallbacks(execute=execute):
        return client.post(NEW, {"file": upload("hsds.zip", content), **extra})


def test_an_administrator_uploads_a_zip_and_the_worker_imports_it_once(admin):
    client = client_for(admin)
    assert client.get(NEW).status_code == 200
    response = _upload(client, good_zip())
    hsds_import = HsdsImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/catalogue/hsds-imports/{hsds_import.pk}/"
    assert (hsds_import.status, hsds_import.attempts) == ("imported", 1)
    assert (hsds_import.services, hsds_import.organisations, hsds_import.locations) == (1, 1, 1)
    assert bytes(hsds_import.content) == b""  # the documents now live in the catalogue
    page = client.get(response["Location"]).content.decode()
    assert "New: 1 services, 1 organisations, 1 locations." in page
    assert 'hx-trigger="every 2s"' not in page  # done: the page stops asking
    assert ServiceChange.objects.get().proposed_by is None  # waits for review
    assert not Service.objects.get().published

    # The same documents again add nothing; the finished import's task again does nothing.
    before = hsds.counts()
    again = _upload(client, good_zip())
    second = HsdsImport.objects.latest("pk")
    assert (second.status, second.services, second.organisations) == ("imported", 0, 0)
    assert running.hsds_import_execute(import_id=hsds_import.pk) is None
    assert hsds.counts() == before
    assert "New: 0 services" in client.get(again["Location"]).content.decode()


def test_an_administrator_may_publish_at_once(admin):
    _upload(client_for(admin), good_zip(), publish="on")
    assert Service.objects.get().published
    assert ServiceChange.objects.get().reviewed_by == admin


def test_a_queued_import_shows_its_progress_and_asks_again(admin):
    client = client_for(admin)
    response = _upload(client, good_zip(), execute=False)
    page = client.get(response["Location"]).content.decode()
    assert "Waiting to be imported" in page
    assert "2 JSON files, imported all at once." in page
    assert 'hx-trigger="every 2s"' in page
    partial = client.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert partial.lstrip().startswith('<div id="import-status"')
    assert Service.objects.count() == 0


@pytest.mark.parametrize("who", ["alice", "charlie", "carol", "person"])
def test_only_catalogue_administrators_may_import(people, admin, who):
    _upload(client_for(admin), good_zip(), execute=False)
    hsds_import = HsdsImport.objects.get()
    client = client_for(people[who])
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, {"file": upload("hsds.zip", good_zip())}).status_code == 403
    assert client.get(f"/catalogue/hsds-imports/{hsds_import.pk}/").status_code == 403
    assert client.post(f"/catalogue/hsds-imports/{hsds_import.pk}/again/").status_code == 403
    api = client.post("/api/v1/catalogue/hsds-imports", {"file": upload("h.zip", good_zip())})
    assert api.status_code == 403
    assert HsdsImport.objects.count() == 1


def test_another_administrator_does_not_see_the_import(orgs, admin):
    other = make_user("admin2@example.org", orgs["platform"], {Role.ADMINISTRATOR: Scope.ALL})
    _upload(client_for(admin), good_zip(), execute=False)
    hsds_import = HsdsImport.objects.get()
    client = client_for(other)
    assert client.get(f"/catalogue/hsds-imports/{hsds_import.pk}/").status_code == 404
    assert client.get(f"/api/v1/catalogue/hsds-imports/{hsds_import.pk}").status_code == 404


def _with_link() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive_file:
        link = zipfile.ZipInfo("hsds/link.json")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive_file.writestr(link, "/etc/passwd")
    return buffer.getvalue()


BAD_FILES = [
    (b"name,phone\nx,1\n", "The file is not a ZIP archive."),
    (good_zip()[:200], "The file is not a ZIP archive."),
    (zipped({"../evil.json": hsds.service()}), "outside its folder: ../evil.json"),
    (zipped({"/etc/evil.json": hsds.service()}), "outside its folder: /etc/evil.json"),
    (zipped({"a\\..\\evil.json": hsds.service()}), "outside its folder"),
    (zipped({"C:/evil.json": hsds.service()}), "outside its folder"),
    (_with_link(), "outside its folder: hsds/link.json"),
    (zipped({"bad.json": b'{"id": "a\x00b"}'}), "bad.json holds a NUL byte."),
    (zipped({"readme.txt": b"hello"}), "The ZIP holds no JSON file."),
]


@pytest.mark.parametrize(("content", "said"), BAD_FILES)
def test_a_file_that_is_not_a_safe_zip_is_refused_and_nothing_is_kept(admin, content, said):
    client = client_for(admin)
    response = _upload(client, content)
    assert response.status_code == 200
    assert said in response.content.decode()
    assert HsdsImport.objects.count() == 0


def test_a_zip_bomb_is_refused_after_reading_only_its_limit(admin, monkeypatch):
    monkeypatch.setattr(archive, "MAX_UNZIPPED_BYTES", 1024 * 1024)
    bomb = zipped({"bomb.json": b" " * (20 * 1024 * 1024)})  # 20 MB of spaces, a few kB zipped
    assert len(bomb) < 100_000
    response = _upload(client_for(admin), bomb)
    assert "Unpacked, the ZIP is larger than 1 MB." in response.content.decode()
    assert HsdsImport.objects.count() == 0


def test_a_zip_of_too_many_files_is_refused(admin, monkeypatch):
    monkeypatch.setattr(archive, "MAX_ENTRIES", 3)
    many = zipped({f"{number}.json": {} for number in range(4)})
    response = _upload(client_for(admin), many)
    assert "The ZIP holds more than 3 files." in response.content.decode()
    assert HsdsImport.objects.count() == 0


def test_wrong_documents_refuse_the_import_with_every_problem_by_document_and_field(admin):
    client = client_for(admin)
    before = hsds.counts()
    content = zipped(
        {
            "org.json": hsds.organisation(),
            "good.json": hsds.service(),
            "bad/services.json": {"contents": [hsds.service(minimum_age=1e12), 5]},
        }
    )
    response = _upload(client, content)
    hsds_import = HsdsImport.objects.get()
    assert hsds_import.status == "refused"
    assert hsds.counts() == before  # the good documents beside them were not imported either
    page = client.get(response["Location"]).content.decode()
    assert "2 problems in the HSDS documents: nothing was imported." in page
    assert '<td dir="ltr">bad/services.json</td>' in page
    assert "<code>/contents/0/minimum_age</code>" in page
    assert "an age is a whole number of years" in page
    assert "<code>/contents/1</code>" in page
    assert "Try again" not in page  # the same documents would be refused again


def test_an_outage_part_way_writes_nothing_and_try_again_imports_it(admin, monkeypatch):
    client = client_for(admin)
    content = zipped(
        {"org.json": hsds.organisation(), "services.json": {"contents": [
            hsds.service(), hsds.service(id="5bbeaf6d-8162-4aa0-8fd3-627e8f9a0b12")]}}
    )  # fmt: skip
    before = hsds.counts()
    written = audit_record

    def the_database_goes(**kwargs: Any) -> Any:
        if Service.objects.exists():  # the services are written, then the database goes
            raise OperationalError("server closed the connection unexpectedly")
        return written(**kwargs)

    monkeypatch.setattr("jisr.catalogue.services.audit_record", the_database_goes)
    response = _upload(client, content)
    hsds_import = HsdsImport.objects.get()
    assert hsds_import.status == "failed"
    assert hsds.counts() == before  # the organisation and first service were rolled back
    page = client.get(response["Location"]).content.decode()
    assert "nothing of it was kept" in page
    assert "Try again" in page

    monkeypatch.setattr("jisr.catalogue.services.audit_record", written)
    with TestCase.captureOnCommitCallbacks(execute=True):
        again = client.post(f"/catalogue/hsds-imports/{hsds_import.pk}/again/")
    assert again["Location"] == response["Location"]
    hsds_import.refresh_from_db()
    assert (hsds_import.status, hsds_import.services, hsds_import.attempts) == ("imported", 2, 1)
    assert Service.objects.count() == 2


def _killed(hsds_import: HsdsImport, attempts: int) -> None:
    """As a worker killed in the middle leaves it: running, its heartbeat old."""
    HsdsImport.objects.filter(pk=hsds_import.pk).update(
        status="running", attempts=attempts, heartbeat_at=timezone.now() - dt.timedelta(hours=1)
    )


def test_a_killed_import_is_queued_once_more_then_stopped(admin):
    assert running.hsds_imports_stale_sweep in watchdog._sweeps
    client = client_for(admin)
    _upload(client, good_zip(), execute=False)
    hsds_import = HsdsImport.objects.get()
    _killed(hsds_import, attempts=1)
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert running.hsds_imports_stale_sweep(watchdog.stale_cutoff()) == [hsds_import.pk]
    hsds_import.refresh_from_db()
    assert (hsds_import.status, hsds_import.attempts, hsds_import.services) == ("imported", 2, 1)

    # Killed on its second try too: stopped, with "Try again".
    second = HsdsImport.objects.create(created_by=admin, filename="b.zip", content=good_zip())
    _killed(second, attempts=2)
    assert running.hsds_imports_stale_sweep(watchdog.stale_cutoff()) == []
    second.refresh_from_db()
    assert second.status == "failed"
    assert "Try again" in client.get(f"/catalogue/hsds-imports/{second.pk}/").content.decode()


def test_a_run_that_finds_its_import_taken_by_another_keeps_nothing(admin, monkeypatch):
    _upload(client_for(admin), good_zip(), execute=False)
    hsds_import = HsdsImport.objects.get()
    before = hsds.counts()
    write = importing.catalogue_write

    def swept_meanwhile(*args: Any, **kwargs: Any) -> Any:
        result = write(*args, **kwargs)
        # Thought dead, the run was queued again and taken by another worker (here in the same
        # transaction, which the run then rolls back with its writes).
        HsdsImport.objects.filter(pk=hsds_import.pk).update(attempts=2)
        return result

    monkeypatch.setattr(running, "catalogue_write", swept_meanwhile)
    running.hsds_import_execute(import_id=hsds_import.pk)
    hsds_import.refresh_from_db()
    assert hsds_import.status == "running"  # left to the other run: neither done nor stopped
    assert hsds.counts() == before


def test_the_api_imports_a_zip_and_reports_it(admin):
    client = client_for(admin)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            "/api/v1/catalogue/hsds-imports", {"file": upload("h.zip", good_zip())}
        )
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["status"] == "queued"  # answered before the commit that queues it
    found = client.get(f"/api/v1/catalogue/hsds-imports/{body['id']}").json()
    assert (found["status"], found["services"], found["organisations"]) == ("imported", 1, 1)

    stopped = client.post("/api/v1/catalogue/hsds-imports", {"file": upload("h.zip", good_zip())})
    HsdsImport.objects.filter(pk=stopped.json()["id"]).update(status="failed", attempts=2)
    with TestCase.captureOnCommitCallbacks(execute=True):
        again = client.post(f"/api/v1/catalogue/hsds-imports/{stopped.json()['id']}/retry")
    assert again.status_code == 202
    found = client.get(f"/api/v1/catalogue/hsds-imports/{stopped.json()['id']}").json()
    assert (found["status"], found["attempts"], found["services"]) == ("imported", 1, 0)


def test_the_api_refuses_a_bad_zip_with_422_and_keeps_nothing(admin):
    response = client_for(admin).post(
        "/api/v1/catalogue/hsds-imports", {"file": upload("h.zip", b"not a zip")}
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_file"
    assert response.json()["error"]["message"] == "The file is not a ZIP archive."
    assert HsdsImport.objects.count() == 0


def test_the_upload_page_lists_ones_latest_imports_in_the_same_queries(admin):
    client = client_for(admin)
    _upload(client, good_zip(), execute=False)
    few = queries_to_get(client, NEW)
    for _number in range(4):
        _upload(client, good_zip(), execute=False)
    assert queries_to_get(client, NEW) == few
    page = client.get(NEW).content.decode()
    assert page.count('href="/catalogue/hsds-imports/') == 5
    assert "Waiting to be imported" in page
