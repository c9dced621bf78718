"""A person who withdraws consent to sharing leaves the Jisr registry's mirror at once, in the
same request, whoever records it: the recipient ministry no longer reads the record, its fields
are erased from the mirror, and no golden record, pair or cross-reference shows them. Consent
given again brings the person back at the next refresh."""

from __future__ import annotations

import datetime as dt
from importlib import import_module
from typing import Any

import pytest
from django.apps import apps

from jisr.conftest import client_for, register_person
from jisr.linkage import imports
from jisr.linkage.models import CandidatePair, RegisterRecord
from jisr.registry.models import ConsentEvent, Purpose
from jisr.registry.selectors import has_consent


def _recipient_reads(scene: dict[str, Any]) -> list[str]:
    """Everything the Ministry of Labour reads about the pair, as text."""
    labour, mirror, jobseeker = scene["labour"], scene["mirror"], scene["jobseeker"]
    query = {"base": scene["registry"].pk, "other": scene["register"].pk}
    reads = [
        labour.get(f"/api/v1/linkage/records/{mirror.pk}"),
        labour.get(f"/linkage/records/{mirror.pk}/"),
        labour.get(f"/api/v1/linkage/records/{jobseeker.pk}"),
        labour.get(f"/linkage/records/{jobseeker.pk}/"),
        labour.get("/api/v1/linkage/cross-reference", query),
        labour.get("/linkage/cross-reference/", query),
        labour.get("/linkage/cross-reference/", {**query, "format": "csv"}),
        labour.get(f"/api/v1/linkage/pairs/{scene['pair'].pk}"),
        labour.get(f"/linkage/pairs/{scene['pair'].pk}/"),
        labour.get("/api/v1/linkage/review"),
        labour.get("/linkage/review/"),
    ]
    return [r.content.decode() for r in reads]


def test_before_withdrawal_the_recipient_reads_the_shared_fields(linked: dict[str, Any]) -> None:
    reads = _recipient_reads(linked)
    assert "+9647801112233" in reads[0]
    assert "زينب" in reads[1]
    assert str(linked["person"].pk) in reads[4]


def _by_the_person_on_their_page(scene: dict[str, Any], people: dict[str, Any]) -> None:
    client_for(people["person"]).post(
        "/registry/my-record/consent/", {"purpose": "sharing", "status": "withdrawn"}
    )


def _by_staff_on_the_person_page(scene: dict[str, Any], people: dict[str, Any]) -> None:
    client_for(people["bob"]).post(
        f"/registry/persons/{scene['person'].pk}/consent/",
        {"purpose": "sharing", "status": "withdrawn", "channel": "phone"},
    )


def _by_staff_through_the_api(scene: dict[str, Any], people: dict[str, Any]) -> None:
    client_for(people["bob"]).post(
        f"/api/v1/persons/{scene['person'].pk}/consents",
        {"purpose": "sharing", "status": "withdrawn", "channel": "in_person"},
        content_type="application/json",
    )


def _by_closing_the_account(scene: dict[str, Any], people: dict[str, Any]) -> None:
    client_for(people["person"]).post("/registry/my-record/close/")


def _by_withdrawing_registration(scene: dict[str, Any], people: dict[str, Any]) -> None:
    client_for(people["bob"]).post(
        f"/registry/persons/{scene['person'].pk}/consent/",
        {"purpose": "registration", "status": "withdrawn", "channel": "in_person"},
    )


@pytest.mark.parametrize(
    "withdraw",
    [
        _by_the_person_on_their_page,
        _by_staff_on_the_person_page,
        _by_staff_through_the_api,
        _by_closing_the_account,
        _by_withdrawing_registration,
    ],
)
def test_withdrawal_ends_the_recipients_access_in_the_same_request(
    linked: dict[str, Any], people: dict[str, Any], withdraw: Any
) -> None:
    withdraw(linked, people)
    mirror, labour = linked["mirror"], linked["labour"]
    person = linked["person"]
    person.refresh_from_db()
    assert not has_consent(person, Purpose.SHARING) or person.status == "closed"
    assert labour.get(f"/api/v1/linkage/records/{mirror.pk}").status_code == 404
    assert labour.get(f"/linkage/records/{mirror.pk}/").status_code == 404
    assert labour.get(f"/api/v1/linkage/pairs/{linked['pair'].pk}").status_code == 404
    golden = labour.get(f"/api/v1/linkage/records/{linked['jobseeker'].pk}").json()
    assert [r["id"] for r in golden["records"]] == [linked["jobseeker"].pk]
    assert golden["links"] == []
    query = {"base": linked["registry"].pk, "other": linked["register"].pk}
    assert labour.get("/api/v1/linkage/cross-reference", query).json()["rows"] == []
    for text in _recipient_reads(linked):
        for value in ("+9647801112233", "زينب", "مريم", "كاظم", "الموسوي"):
            assert value not in text
    # Erased in the mirror itself, not only hidden: no copy is left to leak later.
    mirror.refresh_from_db()
    assert mirror.withdrawn_at is not None
    assert mirror.cluster is None
    assert [getattr(mirror, f) for f in imports.RECORD_FIELDS] == [""] * len(imports.RECORD_FIELDS)
    assert not CandidatePair.objects.filter(right=mirror).exists()
    # Refreshing the mirror keeps the person out, and erased.
    client_for(people["carol"]).post("/linkage/registry/")
    mirror.refresh_from_db()
    assert mirror.withdrawn_at is not None
    assert mirror.first_name == ""


def test_the_owner_sees_no_fields_of_a_withdrawn_mirror_record(
    linked: dict[str, Any], people: dict[str, Any]
) -> None:
    _by_the_person_on_their_page(linked, people)
    carol = client_for(people["carol"])
    found = carol.get(f"/api/v1/linkage/registers/{linked['registry'].pk}/records").json()
    assert [r["fields"] for r in found if r["withdrawn"]] in ([], [{}])
    assert "زينب" not in str(found)


def test_consent_given_again_brings_the_person_back_at_the_next_refresh(
    linked: dict[str, Any], people: dict[str, Any]
) -> None:
    person, mirror, labour = linked["person"], linked["mirror"], linked["labour"]
    _by_staff_on_the_person_page(linked, people)
    client_for(people["bob"]).post(
        f"/registry/persons/{person.pk}/consent/",
        {"purpose": "sharing", "status": "given", "channel": "in_person"},
    )
    assert labour.get(f"/api/v1/linkage/records/{mirror.pk}").status_code == 404
    client_for(people["carol"]).post("/linkage/registry/")
    mirror.refresh_from_db()
    assert mirror.withdrawn_at is None
    assert mirror.mother_name == "زينب"
    shown = labour.get(f"/api/v1/linkage/records/{mirror.pk}").json()
    assert shown["records"][0]["fields"]["mother_name"] == "زينب"


def test_an_agreement_in_force_is_not_a_way_around_a_withdrawal(
    linked: dict[str, Any], people: dict[str, Any]
) -> None:
    """Even if the erasure had not happened (a record withdrawn before this rule), a withdrawn
    record shows no field to a recipient."""
    RegisterRecord.objects.filter(pk=linked["mirror"].pk).update(
        withdrawn_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    )
    labour = linked["labour"]
    assert labour.get(f"/api/v1/linkage/records/{linked['mirror'].pk}").status_code == 404
    golden = labour.get(f"/api/v1/linkage/records/{linked['jobseeker'].pk}").json()
    assert [r["id"] for r in golden["records"]] == [linked["jobseeker"].pk]
    assert labour.get(f"/linkage/pairs/{linked['pair'].pk}/").status_code == 404


def test_the_migration_erases_what_earlier_withdrawals_left(
    linked: dict[str, Any], people: dict[str, Any]
) -> None:
    """Before this rule a withdrawal only flagged the mirror record at the next refresh, or
    left it in force until then: the migration erases both."""
    other = register_person(people["bob"], first_name="علي", mother_name="فاطمة")
    client_for(people["carol"]).post("/linkage/registry/")
    flagged = RegisterRecord.objects.get(person=other)
    RegisterRecord.objects.filter(pk=flagged.pk).update(
        withdrawn_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    )
    # A withdrawal recorded as earlier code did, with no one erasing the mirror.
    ConsentEvent.objects.create(
        person=linked["person"], purpose="sharing", status="withdrawn", channel="in_person"
    )
    migration = import_module("jisr.linkage.migrations.0002_erase_withdrawn_mirror_records")
    migration.erase_withdrawn_mirror_records(apps, None)
    for record in (linked["mirror"], flagged):
        record.refresh_from_db()
        assert record.withdrawn_at is not None
        assert record.first_name == record.mother_name == record.phone == ""
    assert not CandidatePair.objects.exists()
