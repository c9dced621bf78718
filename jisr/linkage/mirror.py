"""Jisr's own registry as a register: each organisation's mirror of the persons it registered
who consent to sharing with another ministry, refreshed before a run reads it, and erased of a
person the moment their consent ends. Called by `services` (a user's refresh, a consent
recorded) and by `runs` (a run's start); the golden record is recomputed by the caller."""

from __future__ import annotations

from typing import NamedTuple

from django.db.models import Q
from django.utils import timezone

from jisr.accounts.models import Organisation
from jisr.linkage.imports import RECORD_FIELDS
from jisr.linkage.models import CandidatePair, Register, RegisterRecord
from jisr.registry.models import ConsentEvent, ConsentStatus, Person, Purpose, RecordStatus


class Refreshed(NamedTuple):
    register: Register
    # Records erased by this refresh: the golden record is to be recomputed.
    erased: int


def registry_mirror_refresh(*, organisation: Organisation) -> Refreshed:
    """The register that mirrors the persons `organisation` (and its branches) registered in Jisr
    who consent to sharing with another ministry; refreshed before every run that reads it.
    A person who consents again comes back; one who no longer does is withdrawn and erased."""
    register, _created = Register.objects.get_or_create(
        organisation=organisation,
        kind=Register.Kind.JISR_REGISTRY,
        defaults={"name": f"Jisr — {organisation.name_en or organisation.name_ar}"[:200]},
    )
    latest: dict[int, str] = {}
    for person_id, status in (
        ConsentEvent.objects.filter(
            person__organisation_id__in=organisation.descendant_ids(), purpose=Purpose.SHARING
        )
        .order_by("person_id", "at", "pk")
        .values_list("person_id", "status")
    ):
        latest[person_id] = status
    consenting = {p for p, status in latest.items() if status == ConsentStatus.GIVEN}
    persons = Person.objects.filter(pk__in=consenting, status=RecordStatus.ACTIVE).select_related(
        "governorate"
    )
    now = timezone.now()
    existing = {r.person_id: r for r in RegisterRecord.objects.filter(register=register)}
    created, changed = [], []
    mirrored: set[int] = set()
    for person in persons.iterator(chunk_size=2000):
        mirrored.add(person.pk)
        values = {
            "source_id": str(person.pk),
            "first_name": person.first_name,
            "father_name": person.father_name,
            "grandfather_name": person.grandfather_name,
            "family_name": person.family_name,
            "full_name": person.latin_name,
            "mother_name": person.mother_name,
            "sex": person.sex,
            "birth_date": person.birth_date.isoformat()
            if person.birth_date
            else str(person.birth_year or ""),
            "governorate": person.governorate.code if person.governorate else "",
            "phone": person.phone,
        }
        record = existing.get(person.pk)
        if record is None:
            created.append(
                RegisterRecord(register=register, person=person, updated_at=now, **values)
            )
        elif record.withdrawn_at is not None or any(
            getattr(record, k) != v for k, v in values.items()
        ):
            for key, value in values.items():
                setattr(record, key, value)
            record.withdrawn_at, record.updated_at = None, now
            changed.append(record)
    RegisterRecord.objects.bulk_create(created, batch_size=1000)
    RegisterRecord.objects.bulk_update(
        changed, ["source_id", *RECORD_FIELDS, "withdrawn_at", "updated_at"], batch_size=1000
    )
    # Whoever is no longer mirrored (consent withdrawn, record closed) is erased, not only
    # flagged: also one withdrawn before erasure was the rule, whose fields are still there.
    gone = [
        r.pk
        for person_id, r in existing.items()
        if person_id not in mirrored
        and (r.withdrawn_at is None or any(getattr(r, key) for key in RECORD_FIELDS))
    ]
    mirror_records_erase(record_ids=gone)
    register.imported_at = now
    register.save(update_fields=["imported_at"])
    return Refreshed(register, len(gone))


# Every field a mirror record copies from the person; `source_id` (the person's number in Jisr)
# stays, so that consent given again finds the same record.
_ERASED = {key: "" for key in RECORD_FIELDS}


def mirror_records_erase(*, record_ids: list[int]) -> None:
    """Withdraw mirror records and erase what they copied of the person, with the pairs whose
    evidence compared them; reviewers' decisions stay (they hold no field) but link nothing
    while a record is withdrawn. The caller recomputes the golden record."""
    if not record_ids:
        return
    now = timezone.now()
    for start in range(0, len(record_ids), 900):
        chunk = record_ids[start : start + 900]
        RegisterRecord.objects.filter(pk__in=chunk).update(
            withdrawn_at=now, updated_at=now, cluster=None, **_ERASED
        )
        CandidatePair.objects.filter(Q(left_id__in=chunk) | Q(right_id__in=chunk)).delete()
