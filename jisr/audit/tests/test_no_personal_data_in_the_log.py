"""The audit log is not a second copy of anyone's personal data (issue 12, finding 7): entries
about persons keep which fields changed, never the values (only states and ids); a record is
named by its type and id, never by a person's name; the administrator, who may not see persons,
reads no name through the log; and a person who closes their account leaves no copy of their
identity in it."""

from __future__ import annotations

import json
from typing import Any

import pytest

from jisr.audit.models import Action, AuditEntry
from jisr.audit.services import audit_record
from jisr.conftest import client_for, register_person
from jisr.matching.services import profile_save
from jisr.registry.services import case_answers_save, person_update

pytestmark = pytest.mark.django_db

IDENTITY = {
    "first_name": "سلوى", "father_name": "مهدي", "family_name": "الزبيدي",
    "mother_name": "نرجس", "latin_name": "Salwa Mahdi", "phone": "+9647705556677",
    "email": "salwa.zubaidi@example.net", "national_id": "A1234567",
}  # fmt: skip


def _everything_in_the_log() -> str:
    return json.dumps(list(AuditEntry.objects.values()), ensure_ascii=False, default=str)


def _leaks(text: str) -> list[str]:
    return [value for value in IDENTITY.values() if value in text]


@pytest.fixture
def salwa(people: dict[str, Any]) -> Any:
    alice = people["alice"]
    person = register_person(alice, **IDENTITY, birth_year=1990)
    person_update(
        by=alice, person=person, mother_name="نرجس علي", phone="+9647705556678", birth_year=1991
    )
    case_answers_save(by=alice, person=person, answers={"education_level": "bachelor"})
    profile_save(
        by=alice,
        person=person,
        visibility="employers",
        preferred_governorates=[],
        available_return=True,
        available_assignment=False,
        available_remote=False,
        available_mentoring=False,
        willing_to_relocate=False,
    )
    return person


def test_entries_about_a_person_keep_field_names_not_values(salwa):
    assert _leaks(_everything_in_the_log()) == []
    assert "نرجس علي" not in _everything_in_the_log()
    change = AuditEntry.objects.get(
        action=Action.UPDATE, object_id=str(salwa.pk), changes__has_key="birth_year"
    )
    assert change.changes == {"birth_year": "changed", "mother_name": "changed", "phone": "changed"}
    answers = AuditEntry.objects.get(changes__has_key="answers.education_level")
    assert answers.changes["answers.education_level"] == "changed"
    # States and ids stay: they say what happened without saying who.
    consent = AuditEntry.objects.filter(changes__has_key="consent.registration").get()
    assert consent.changes["consent.registration"] == [None, "given"]


def test_a_record_is_named_by_type_and_id_not_by_a_name(salwa, people):
    for entry in AuditEntry.objects.filter(object_type="registry.person"):
        assert entry.object_label == ""
    audit_record(actor=people["admin"], action=Action.VIEW, target=people["alice"])
    assert (
        AuditEntry.objects.get(object_type="accounts.user", action=Action.VIEW).object_label == ""
    )


def test_records_of_no_one_keep_their_values(people, orgs):
    audit_record(
        actor=people["admin"],
        action=Action.UPDATE,
        target=orgs["ngo"],
        changes={"name_en": ["Helping NGO", "Helping hands"]},
    )
    entry = AuditEntry.objects.get(object_type="accounts.organisation")
    assert entry.changes == {"name_en": ["Helping NGO", "Helping hands"]}
    assert entry.object_label == str(orgs["ngo"])


def test_the_administrator_reads_the_log_without_reading_persons(salwa, people):
    admin = client_for(people["admin"])
    api = admin.get("/api/v1/audit/entries?limit=500")
    assert api.status_code == 200
    assert _leaks(api.content.decode()) == []
    page = admin.get(f"/audit/?type=registry.person&id={salwa.pk}")
    assert page.status_code == 200
    html = page.content.decode()
    assert _leaks(html) == []
    assert "mother_name" in html  # which field changed is still there


def test_closing_an_account_leaves_no_copy_of_the_identity_in_the_log(people, basra_person):
    account = people["person"]
    account.full_name = "سلوى مهدي الزبيدي"
    account.email = IDENTITY["email"]
    account.save()
    basra_person.account = account
    basra_person.save()
    client = client_for(account)  # signing in is logged
    form = client.get("/registry/my-record/edit/").context["form"]
    data = {n: (v.pk if hasattr(v, "pk") else v or "") for n, v in form.initial.items()}
    data.update({"first_name": "سلوى", "mother_name": "نرجس", "phone": "0770 555 6677"})
    assert client.post("/registry/my-record/edit/", data).status_code == 302
    assert client.post("/registry/my-record/close/").status_code == 302

    log = _everything_in_the_log()
    assert _leaks(log) == []
    assert "سلوى مهدي الزبيدي" not in log
    assert AuditEntry.objects.filter(action=Action.DEACTIVATE, actor=account).exists()
    # The administrator sees that the person acted, not who they are.
    admin = client_for(people["admin"])
    assert "سلوى مهدي الزبيدي" not in admin.get("/audit/").content.decode()
    entries = admin.get("/api/v1/audit/entries?limit=500").json()["items"]
    assert "سلوى مهدي الزبيدي" not in json.dumps(entries, ensure_ascii=False)
