"""Demo data of the linkage app: the Ministry of Labour's register of unemployed jobseekers,
written as its clerks write (spelling variants, year-only and 1 July dates, missing
grandfather's names, Latin letters), holding some of the returnees the Ministry of Migration
registered in Jisr and many others; the ministry's Jisr registry shared with the Ministry of
Labour by agreement; and one run of the two, with links and pairs to review."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from jisr.accounts.models import Organisation, User
from jisr.linkage import runs
from jisr.linkage.engine.names import FAMILY, FEMALE, MALE
from jisr.linkage.mirror import registry_mirror_refresh
from jisr.linkage.models import LinkageRun, Register, RegisterRecord, SharingAgreement
from jisr.places.models import Governorate

_VARIANTS = (("ة", "ه"), ("أ", "ا"), ("إ", "ا"), ("ى", "ي"), ("عبد ال", "عبدال"))


def _spelt(name: str, rng: random.Random) -> str:
    for old, new in rng.sample(_VARIANTS, len(_VARIANTS)):
        if old in name:
            return name.replace(old, new, 1)
    return name


def _jobseeker(record: RegisterRecord, source_id: str, rng: random.Random) -> RegisterRecord:
    """The person of a registry record as the Ministry of Labour's clerk wrote them."""
    birth = record.birth_date
    if birth and rng.random() < 0.3:
        birth = birth[:4] if rng.random() < 0.5 else f"{birth[:4]}-07-01"
    latin = rng.random() < 0.15
    parts = [record.first_name, record.father_name, record.grandfather_name, record.family_name]
    if latin:
        spellings = [MALE.get(p) or FEMALE.get(p) or FAMILY.get(p) for p in parts]
        if all(spellings[:2]):
            full = " ".join(rng.choice(s) for s in spellings if s)
            return RegisterRecord(
                register_id=0,
                source_id=source_id,
                full_name=full,
                sex=record.sex,
                birth_date=birth,
                governorate=record.governorate,
                status="unemployed",
            )
    return RegisterRecord(
        register_id=0,
        source_id=source_id,
        first_name=_spelt(parts[0], rng),
        father_name=_spelt(parts[1], rng),
        grandfather_name="" if rng.random() < 0.2 else parts[2],
        family_name=parts[3],
        mother_name=record.mother_name.split(" ")[0] if record.mother_name else "",
        sex=record.sex,
        birth_date=birth,
        governorate=record.governorate if rng.random() < 0.9 else "IQ-BG",
        phone=record.phone if rng.random() < 0.6 else "",
        status="unemployed",
    )


def _stranger(source_id: str, rng: random.Random, governorates: list[str]) -> RegisterRecord:
    sex = rng.choice("MF")
    first = rng.choice(list(MALE if sex == "M" else FEMALE))
    return RegisterRecord(
        register_id=0,
        source_id=source_id,
        first_name=first,
        father_name=rng.choice(list(MALE)),
        grandfather_name=rng.choice(list(MALE)),
        family_name=rng.choice(list(FAMILY)),
        sex=sex,
        birth_date=f"{rng.randint(1965, 2004)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        governorate=rng.choice(governorates),
        status="unemployed",
    )


def build_linkage(
    *, rng: random.Random, labour_analyst: User, migration: Organisation, labour: Organisation
) -> LinkageRun | None:
    if Register.objects.filter(organisation=labour).exists():
        return None
    registry = registry_mirror_refresh(organisation=migration).register
    register = Register.objects.create(
        organisation=labour,
        name="الباحثون عن عمل",
        kind=Register.Kind.UNEMPLOYED,
        created_by=labour_analyst,
        imported_at=timezone.now(),
        mapping={
            "source_id": "رقم السجل",
            "first_name": "الاسم الأول",
            "father_name": "اسم الأب",
            "grandfather_name": "اسم الجد",
            "family_name": "اللقب",
            "sex": "الجنس",
            "birth_date": "تاريخ الميلاد",
            "governorate": "المحافظة",
        },
    )
    governorates = list(Governorate.objects.values_list("code", flat=True))
    records = []
    for number, record in enumerate(
        RegisterRecord.objects.filter(register=registry).order_by("pk")
    ):
        if rng.random() < 0.4:
            records.append(_jobseeker(record, f"MOLSA-{10_000 + number}", rng))
    # A few written by the name their family calls them, which Jisr's tables do not know: the
    # run leaves them to a reviewer.
    for number, record in enumerate(
        RegisterRecord.objects.filter(register=registry).exclude(birth_date="")[:4]
    ):
        jobseeker = _jobseeker(record, f"MOLSA-{20_000 + number}", rng)
        jobseeker.full_name, jobseeker.first_name = (
            "",
            rng.choice(["حمادة", "سمسم", "بوبو", "ديدو"]),
        )
        jobseeker.father_name, jobseeker.family_name = record.father_name, record.family_name
        jobseeker.grandfather_name, jobseeker.birth_date = (
            record.grandfather_name,
            record.birth_date,
        )
        records.append(jobseeker)
    for number in range(len(records), 3 * len(records) + 50):
        records.append(_stranger(f"MOLSA-{10_000 + number + 5_000}", rng, governorates))
    for record in records:
        record.register = register
    RegisterRecord.objects.bulk_create(records)
    SharingAgreement.objects.create(
        register=registry,
        recipient=labour,
        created_by=User.objects.filter(organisation=migration).first() or labour_analyst,
        fields=[
            "source_id",
            "first_name",
            "father_name",
            "grandfather_name",
            "family_name",
            "sex",
            "birth_date",
            "governorate",
        ],
        purpose="Returnees who are unemployed: finding work and training for them",
        referral_follow_up=True,
        valid_until=timezone.localdate() + dt.timedelta(days=365),
    )
    run = LinkageRun.objects.create(left=register, right=registry, started_by=labour_analyst)
    return runs.run_execute(run_id=run.pk)
