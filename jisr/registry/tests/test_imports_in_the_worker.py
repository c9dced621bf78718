"""A spreadsheet of persons is imported by the worker, chunk by chunk, with its progress on its
page: large files finish, a run stopped part-way goes on without writing a row twice, and the
records are those the per-row services register (decision 0032)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection, transaction
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jisr.audit.integrity import verify_database
from jisr.audit.models import AuditEntry
from jisr.conftest import client_for
from jisr.core import watchdog
from jisr.matching.models import Profile
from jisr.matching.services import profile_occupation_add
from jisr.matching.tests.factories import _fresh_index, taxonomy
from jisr.registry.imports import running
from jisr.registry.imports.running import person_import_run
from jisr.registry.imports.spreadsheet import person_import_upload, read_rows
from jisr.registry.models import (
    CategoryRule,
    ConsentChannel,
    Person,
    PersonCategory,
    PersonImport,
)
from jisr.registry.services import PERSON_FIELDS, person_register
from jisr.registry.tests.factories import GOOD_ROWS, HEADERS, post_mapping, sheet
from jisr.skills.coding import suggest_occupations
from jisr.skills.models import Occupation

__all__ = ["_fresh_index", "taxonomy"]  # fixtures


def _rows(count: int, start: int = 1) -> list[list[str]]:
    """`count` good rows, each with its own source id and name."""
    return [
        [str(number), f"{GOOD_ROWS[number % 2][1]} {number}", *GOOD_ROWS[number % 2][2:8],
         "بغداد", "نعم", "نعم" if number % 3 else "لا"]
        for number in range(start, start + count)
    ]  # fmt: skip


def _english(people: dict[str, Any]) -> Any:
    people["alice"].language = "en"
    people["alice"].save()
    return client_for(people["alice"])


def _started(client: Any, rows: list[list[str]], *, execute: bool) -> str:
    """Upload `rows` and press "Import all"; the import's task runs when `execute`."""
    response = client.post("/registry/import/", {"file": sheet(rows)})
    url = str(response["Location"])
    data = {f"map_{k}": v for k, v in PersonImport.objects.latest("pk").mapping.items()}
    data.update(
        {"map_consent_registration": "موافقة التسجيل", "map_consent_referral": "موافقة الإحالة",
         "map_person_type": "الحالة"}
    )  # fmt: skip
    with TestCase.captureOnCommitCallbacks(execute=execute):
        started = client.post(f"{url}run/", data)
    assert started["Location"] == f"{url}progress/", started.content
    return f"{url}progress/"


def test_a_file_of_1500_rows_is_imported_through_the_page_in_a_few_statements(people):
    client = client_for(people["alice"])
    response = client.post("/registry/import/", {"file": sheet(_rows(1500))})
    url = str(response["Location"])
    with CaptureQueriesContext(connection) as queries:
        done = post_mapping(client, url, "import")
    assert done["Location"] == f"{url}progress/"
    assert Person.objects.count() == 1500
    # A row once cost some seventy statements; now a chunk of 500 rows costs a few dozen (more
    # on SQLite, which takes fewer rows a statement).
    assert len(queries) < 500, len(queries)
    person_import = client.get(done["Location"]).context["person_import"]
    assert person_import.status == PersonImport.Status.IMPORTED
    assert (person_import.imported, person_import.done, person_import.total) == (1500, 1500, 1500)
    assert person_import.rows == []  # the uploaded copy is not kept
    assert verify_database().broken is None


def test_the_page_shows_the_rows_done_and_asks_again_until_the_import_ends(people):
    client = _english(people)
    progress = _started(client, _rows(5), execute=False)
    page = client.get(progress).content.decode()
    assert "Waiting to be imported" in page
    assert "0 of 5 rows" in page
    assert 'hx-trigger="every 2s"' in page
    partial = client.get(progress, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in partial
    assert 'id="import-status"' in partial
    PersonImport.objects.update(status=PersonImport.Status.RUNNING, done=2)
    assert "2 of 5 rows" in client.get(progress, headers={"HX-Request": "true"}).content.decode()
    PersonImport.objects.update(status=PersonImport.Status.QUEUED, done=0)
    running.person_import_execute(import_id=PersonImport.objects.get().pk)
    finished = client.get(progress, headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in finished  # done: the page stops asking
    assert "5 persons imported; 0 were already imported." in finished


class _Killed(BaseException):
    """What the worker's death looks like from inside: nothing after it runs."""


def test_an_import_killed_after_its_first_chunk_goes_on_from_there_and_writes_nothing_twice(
    people, monkeypatch, settings
):
    client = _english(people)
    monkeypatch.setattr(running, "CHUNK_ROWS", 2)
    real = running._import_chunk
    calls: list[int] = []

    def dies_on_the_second_chunk(*args: Any) -> tuple[int, int]:
        calls.append(1)
        if len(calls) == 2:
            raise _Killed
        return real(*args)

    monkeypatch.setattr(running, "_import_chunk", dies_on_the_second_chunk)
    rows = [*_rows(3), _rows(1)[0], *_rows(2, start=4)]  # row 1 twice: 5 persons in 6 rows
    _started(client, rows, execute=True)  # the task's runner swallows the death
    person_import = PersonImport.objects.get()
    assert person_import.status == PersonImport.Status.RUNNING  # as a killed worker leaves it
    assert (person_import.done, person_import.imported) == (2, 2)
    assert Person.objects.count() == 2  # the first chunk, whole; nothing of the second
    progress = f"/registry/import/{person_import.pk}/progress/"
    assert "2 of 6 rows" in client.get(progress).content.decode()
    # The task queued twice (a task that waited for Redis): the import is taken, nothing runs.
    assert running.person_import_execute(import_id=person_import.pk) is None
    assert Person.objects.count() == 2

    # The worker's watchdog (its sweep; `watch_once` would close the test's connection) finds
    # the heartbeat stopped and takes the import again.
    assert running.person_imports_stale_sweep in watchdog._sweeps
    PersonImport.objects.update(heartbeat_at=timezone.now() - dt.timedelta(hours=1))
    settings.JISR_TASK_STALE_SECONDS = 60
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert running.person_imports_stale_sweep(watchdog.stale_cutoff()) == [person_import.pk]
    person_import.refresh_from_db()
    assert person_import.status == PersonImport.Status.IMPORTED
    assert person_import.attempts == 2
    assert (person_import.done, person_import.imported, person_import.skipped) == (6, 5, 1)
    assert Person.objects.count() == 5
    assert sorted(str(ref) for ref in Person.objects.values_list("external_ref", flat=True)) == [
        f"sheet:{n}@{people['alice'].organisation_id}" for n in range(1, 6)
    ]
    assert AuditEntry.objects.filter(action="create", object_type="registry.person").count() == 5
    assert verify_database().broken is None


def test_an_import_stopped_by_an_outage_keeps_its_chunks_and_goes_on_when_tried_again(
    people, monkeypatch
):
    client = _english(people)
    monkeypatch.setattr(running, "CHUNK_ROWS", 2)
    real = running._import_chunk
    calls: list[int] = []

    def fails_on_the_second_chunk(*args: Any) -> tuple[int, int]:
        calls.append(1)
        if len(calls) == 2:
            raise OSError("connection to the database lost")
        return real(*args)

    monkeypatch.setattr(running, "_import_chunk", fails_on_the_second_chunk)
    progress = _started(client, _rows(5), execute=True)
    page = client.get(progress).content.decode()
    assert "Stopped" in page
    assert "The import stopped after 2 of 5 rows." in page
    assert "connection to the database" not in page  # an error's own text is not shown
    assert Person.objects.count() == 2
    with TestCase.captureOnCommitCallbacks(execute=True):
        again = client.post(progress.replace("progress/", "resume/"))
    assert again["Location"] == progress
    person_import = PersonImport.objects.get()
    assert person_import.status == PersonImport.Status.IMPORTED
    assert (person_import.imported, person_import.skipped) == (5, 0)
    assert Person.objects.count() == 5
    assert verify_database().broken is None


def test_only_the_uploader_follows_or_resumes_an_import(people):
    progress = _started(client_for(people["alice"]), _rows(2), execute=False)
    other = client_for(people["bob"])
    assert other.get(progress).status_code == 404
    assert other.post(progress.replace("progress/", "resume/")).status_code == 404


# --- The same records as the per-row services ------------------------------------------------

_HEADERS = [*HEADERS, "رقم الهوية", "المهنة", "موافقة المطابقة"]
_MAPPING_EXTRA = {"consent_registration": "موافقة التسجيل", "consent_referral": "موافقة الإحالة",
                  "person_type": "الحالة", "national_id": "رقم الهوية", "occupation": "المهنة",
                  "consent_employer_matching": "موافقة المطابقة"}  # fmt: skip
_MIXED = [
    ["1", "أحمد", "علي", "الجبوري", "ذكر", "1950", "0770 111 2222", "عائد من الخارج", "بغداد", "نعم", "نعم", "A123", "مهندس مدني", "نعم"],
    ["2", "زينب", "حسن", "الموسوي", "أنثى", "1992", "", "returnee", "IQ-BG", "نعم", "لا", "", "سائق تكسي", "لا"],
    ["3", "مريم", "", "", "F", "2012", "", "idp", "بغداد", "yes", "no", "", "", ""],
    ["1", "أحمد", "علي", "الجبوري", "ذكر", "1950", "", "returnee", "بغداد", "نعم", "نعم", "", "", ""],
    ["", "علي", "كريم", "", "M", "", "", "returnee", "بغداد", "نعم", "نعم", "", "طيار فضاء", "نعم"],
    ["5", "هدى", "", "", "أنثى", "1980", "", "returnee", "بغداد", "نعم", "لا", "B77", "civil engineer", "نعم"],
]  # fmt: skip


def _per_row(by: Any, person_import: PersonImport, mapping: dict[str, str]) -> None:
    """The import as it was, one row at a time through the single-record services."""
    ready, errors = read_rows(person_import=person_import, mapping=mapping, paper_consent=False)
    assert not errors
    for item in ready:
        ref = f"{item['ref']}@{by.organisation_id}" if item["ref"] else None
        if ref and Person.objects.filter(external_ref=ref).exists():
            continue
        person = person_register(
            by=by, consents=item["consents"], channel=ConsentChannel.IN_PERSON, **item["fields"]
        )
        if ref:
            Person.objects.filter(pk=person.pk).update(external_ref=ref)
        title = item["occupation"][:200]
        found = suggest_occupations(title, top=1) if title else []
        coded = Occupation.objects.filter(pk=found[0].id).first() if found else None
        if coded is not None:
            profile_occupation_add(by=by, person=person, occupation=coded, title=title)


def _everything() -> dict[tuple[str | None, str], dict[str, Any]]:
    """Each person's record, consents, categories, profile and audit entries, by source
    reference and name (ids and times aside)."""
    found = {}
    for person in Person.objects.order_by("pk"):
        entries = AuditEntry.objects.filter(
            object_type="registry.person", object_id=str(person.pk)
        ).order_by("pk")
        profile = Profile.objects.filter(person=person).first()
        found[(person.external_ref, person.full_name)] = {
            "record": {
                name: str(getattr(person, name))
                for name in [
                    *PERSON_FIELDS,
                    "name_key",
                    "national_id_index",
                    "form_version",
                    "organisation_id",
                    "registered_by_id",
                    "account_id",
                ]
            },
            "household": person.household.members.count(),
            "consents": list(
                person.consent_events.order_by("pk").values_list(
                    "purpose", "status", "channel", "recorded_by_id", "form_version"
                )
            ),
            "categories": sorted(
                PersonCategory.objects.filter(person=person).values_list("rule__key", "reason")
            ),
            "profile": profile
            and (
                profile.visibility,
                profile.available_return,
                list(profile.occupations.values_list("occupation__code", "title", "years")),
            ),
            "audit": [
                (
                    e.action,
                    e.object_label,
                    e.changes,
                    e.actor_id,
                    e.organisation_id,
                    e.person_ids == [person.pk],
                )
                for e in entries
            ],
        }
    return found


class _Undo(Exception):
    pass


def test_the_worker_registers_exactly_what_the_per_row_services_register(people, taxonomy):
    alice = people["alice"]
    CategoryRule.objects.create(
        key="alone-woman", label_ar="امرأة وحدها", label_ckb="ئافرەت", label_en="A woman alone",
        conditions=[{"fact": "sex", "op": "eq", "value": "F"},
                    {"fact": "household_size", "op": "eq", "value": 1}],
    )  # fmt: skip
    person_import = person_import_upload(
        by=alice, content=sheet(_MIXED, _HEADERS).read(), filename="mixed.csv"
    )
    mapping = {**person_import.mapping, **_MAPPING_EXTRA}
    try:
        with transaction.atomic():
            _per_row(alice, person_import, mapping)
            expected = _everything()
            raise _Undo
    except _Undo:
        pass
    assert not Person.objects.exists()
    with TestCase.captureOnCommitCallbacks(execute=True):
        person_import_run(
            by=alice, person_import=person_import, mapping=mapping, paper_consent=False
        )
    assert _everything() == expected
    assert len(expected) == 5
    assert any(item["categories"] for item in expected.values())
    assert sum(1 for item in expected.values() if item["profile"]) == 3
    assert verify_database().broken is None
