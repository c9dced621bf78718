"""Writes of the linkage app: registers and their imports, linkage runs, reviewers' decisions,
the golden record's clusters and the data-sharing agreements. Each is one transaction, audited."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jisr.accounts.access import forbidden, not_found, require
from jisr.accounts.models import Organisation, User
from jisr.accounts.roles import Perm
from jisr.audit.models import Action
from jisr.audit.services import audit_record
from jisr.lib.errors import JisrError
from jisr.lib.phones import normalise_phone
from jisr.lib.spreadsheets import UnreadableFile, read_table
from jisr.linkage import selectors
from jisr.linkage.models import (
    CandidatePair,
    LinkageRun,
    PairDecision,
    Register,
    RegisterRecord,
    RegisterUpload,
    SharingAgreement,
)
from jisr.linkage.tasks import recluster_task
from jisr.registry.imports import (
    RowError,
    Target,
    column_key,
    governorate_codes,
    guess_mapping,
    sex_code,
)
from jisr.registry.models import ConsentEvent, ConsentStatus, Person, Purpose, RecordStatus

TARGETS: tuple[Target, ...] = (
    Target("source_id", gettext_lazy("Record number in the register"), True,
           ("record id", "record_id", "id", "no", "number", "رقم السجل", "رقم", "الرقم", "المعرف", "التسلسل", "ژماره", "ژمارە")),
    Target("full_name", gettext_lazy("Full name"),
           synonyms=("full name", "name", "الاسم الكامل", "الاسم الرباعي", "الاسم الثلاثي", "الاسم", "ناوی تەواو", "ناو")),
    Target("first_name", gettext_lazy("First name"), synonyms=("first name", "الاسم الاول", "ناوی یەکەم")),
    Target("father_name", gettext_lazy("Father's name"), synonyms=("father", "father name", "اسم الاب", "ناوی باوک")),
    Target("grandfather_name", gettext_lazy("Grandfather's name"), synonyms=("grandfather", "grandfather name", "اسم الجد", "ناوی باپیر")),
    Target("family_name", gettext_lazy("Family or tribe name"),
           synonyms=("family", "family name", "surname", "last name", "اللقب", "العشيره", "اسم العائله", "ناوی بنەماڵە")),
    Target("mother_name", gettext_lazy("Mother's name"), synonyms=("mother", "mother name", "اسم الام", "ناوی دایک")),
    Target("sex", gettext_lazy("Sex"), synonyms=("sex", "gender", "الجنس", "ڕەگەز")),
    Target("birth_date", gettext_lazy("Date or year of birth"),
           synonyms=("birth date", "date of birth", "dob", "birth year", "تاريخ الميلاد", "التولد", "المواليد", "سنه الميلاد", "بەرواری لەدایکبوون")),
    Target("governorate", gettext_lazy("Governorate"), synonyms=("governorate", "province", "المحافظه", "پارێزگا")),
    Target("phone", gettext_lazy("Mobile phone"), synonyms=("phone", "mobile", "الهاتف", "رقم الهاتف", "الموبايل", "مۆبایل")),
    Target("status", gettext_lazy("Status in the register"), synonyms=("status", "الحاله", "دۆخ")),
)  # fmt: skip
RECORD_FIELDS = tuple(t.key for t in TARGETS if t.key != "source_id")
_LENGTHS = {
    f.name: f.max_length for f in RegisterRecord._meta.fields if getattr(f, "max_length", None)
}
_DAY_FIRST = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")


def create_register(*, by: Any, name: str, kind: str) -> Register:
    require(by, Perm.REGISTER_MANAGE)
    if by.organisation is None:
        raise forbidden()
    name = name.strip()
    if kind not in Register.Kind.values or kind == Register.Kind.JISR_REGISTRY:
        raise JisrError(
            "invalid",
            _("Choose what the register records."),
            fields={"kind": [_("Not one of the choices.")]},
        )
    if not name:
        raise JisrError(
            "invalid", _("Give the register a name."), fields={"name": [_("This is required.")]}
        )
    if Register.objects.filter(organisation=by.organisation, name=name).exists():
        raise JisrError("conflict", _("Your organisation already has a register of that name."), status=409,
                        fields={"name": [_("Choose another name.")]})  # fmt: skip
    register = Register.objects.create(
        organisation=by.organisation, name=name, kind=kind, created_by=by
    )
    audit_record(
        actor=by, action=Action.CREATE, target=register, changes={"name": name, "kind": kind}
    )
    return register


def upload(*, by: Any, register: Register, content: bytes, filename: str) -> RegisterUpload:
    """Keep a spreadsheet for checking; the register's saved mapping, else a guess, is proposed."""
    selectors.require_own_register(by, register)
    try:
        headers, rows = read_table(content, filename)
    except UnreadableFile as error:
        raise error.as_error() from None
    if not headers or not rows:
        raise JisrError("unreadable", _("The file has no rows under its column names."), status=422,
                        fields={"file": [_("Choose a file with a header row and at least one record.")]})  # fmt: skip
    return RegisterUpload.objects.create(
        register=register, created_by=by, filename=filename[:200], headers=headers, rows=rows
    )


def proposed_mapping(register_upload: RegisterUpload) -> dict[str, str]:
    """The register's saved mapping where its columns are still there; a guess for the rest."""
    headers = register_upload.headers
    saved = {k: v for k, v in register_upload.register.mapping.items() if v in headers}
    guessed = guess_mapping(headers, TARGETS)
    for key, column in guessed.items():
        if key not in saved and column not in saved.values():
            saved[key] = column
    return saved


@dataclass(frozen=True)
class Checked:
    ready: list[dict[str, str]]
    errors: list[RowError]


def check(register_upload: RegisterUpload, mapping: dict[str, str]) -> Checked:
    """Every row read with the mapping (the dry run); nothing is written."""
    headers = register_upload.headers
    errors: list[RowError] = []
    unknown = [column for column in mapping.values() if column not in headers]
    if unknown:
        errors.append(RowError(0, ", ".join(unknown), _("There is no such column in the file.")))
    if not mapping.get("source_id"):
        errors.append(RowError(0, str(TARGETS[0].label), _("Choose the column that holds this.")))
    if not (mapping.get("full_name") or mapping.get("first_name")):
        errors.append(
            RowError(0, _("Full name or first name"), _("Choose the column that holds the name."))
        )
    if len(set(mapping.values())) < len(mapping):
        errors.append(RowError(0, _("Columns"), _("One column is chosen for two fields.")))
    if errors:
        return Checked([], errors)
    index = {key: headers.index(column) for key, column in mapping.items()}
    governorates = governorate_codes()
    seen: set[str] = set()
    ready: list[dict[str, str]] = []
    this_year = timezone.localdate().year
    for number, row in enumerate(register_upload.rows, start=2):
        values = {key: (row[i] if i < len(row) else "").strip() for key, i in index.items()}
        problems: list[RowError] = []

        def problem(
            key: str, reason: str, number: int = number, problems: list[RowError] = problems
        ) -> None:
            problems.append(RowError(number, mapping.get(key, key), reason))

        if not any(values.values()):
            continue  # an empty line at the end of a sheet is not a record
        source_id = values.get("source_id", "")
        if not source_id:
            problem("source_id", _("This is required."))
        elif source_id in seen:
            problem("source_id", _("This record number appears twice in the file."))
        seen.add(source_id)
        if not (values.get("full_name") or values.get("first_name")):
            problem(
                "full_name" if "full_name" in mapping else "first_name",
                _("The record has no name."),
            )
        record = {key: values.get(key, "") for key in ("source_id", *RECORD_FIELDS)}
        for key, value in record.items():
            if len(value) > (_LENGTHS.get(key) or 300) and key not in (
                "sex",
                "birth_date",
                "governorate",
                "phone",
            ):
                problem(key, _("Longer than %(count)s characters.") % {"count": _LENGTHS.get(key)})
        if record["sex"]:
            sex = sex_code(record["sex"])
            if sex is None:
                problem("sex", _("Not one of the choices."))
            record["sex"] = sex or ""
        if record["birth_date"]:
            birth = _birth_date(record["birth_date"], this_year)
            if birth is None:
                problem("birth_date", _("Enter a date as YYYY-MM-DD, DD/MM/YYYY or a year (YYYY)."))
            record["birth_date"] = birth or ""
        if record["governorate"]:
            code = governorates.get(column_key(record["governorate"]))
            if code is None:
                problem("governorate", _("Unknown governorate."))
            record["governorate"] = code or ""
        if record["phone"]:
            try:
                record["phone"] = normalise_phone(record["phone"])
            except ValueError:
                problem("phone", _("Enter a valid phone number, for example +964 770 123 4567."))
        if problems:
            errors.extend(problems)
        else:
            ready.append(record)
    return Checked(ready, errors)


def _birth_date(text: str, this_year: int) -> str | None:
    """YYYY, YYYY-MM-DD (a spreadsheet's date with its time too) or DD/MM/YYYY, as YYYY[-MM-DD]."""
    text = text.strip()[:19].split(" ")[0].split("T")[0]
    day_first = _DAY_FIRST.match(text)
    if day_first:
        text = f"{day_first.group(3)}-{int(day_first.group(2)):02d}-{int(day_first.group(1)):02d}"
    if re.fullmatch(r"\d{4}(\.0)?", text):
        year = int(float(text))
        return str(year) if 1900 <= year <= this_year else None
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        return None
    return day.isoformat() if day.year >= 1900 and day <= timezone.localdate() else None


@transaction.atomic
def run_import(
    *, by: Any, register_upload: RegisterUpload, mapping: dict[str, str]
) -> dict[str, int]:
    """Import every row or none. Records keep their source id: one already in the register is
    updated, a new one added, and one no longer in the file withdrawn (kept, not linked)."""
    register = register_upload.register
    selectors.require_own_register(by, register)
    upload_row = RegisterUpload.objects.select_for_update().get(pk=register_upload.pk)
    if upload_row.status == RegisterUpload.Status.IMPORTED:
        raise JisrError("conflict", _("This file has already been imported."), status=409)
    checked = check(register_upload, mapping)
    if checked.errors:
        raise JisrError(
            "invalid_rows",
            _("%(count)s problems in the file; nothing was imported.")
            % {"count": len(checked.errors)},
            status=422,
        )
    now = timezone.now()
    existing = {r.source_id: r for r in RegisterRecord.objects.filter(register=register)}
    created, changed = [], []
    unchanged = 0
    for values in checked.ready:
        record = existing.get(values["source_id"])
        if record is None:
            created.append(RegisterRecord(register=register, updated_at=now, **values))
            continue
        if (
            all(getattr(record, key) == values[key] for key in RECORD_FIELDS)
            and record.withdrawn_at is None
        ):
            unchanged += 1
            continue
        for key in RECORD_FIELDS:
            setattr(record, key, values[key])
        record.withdrawn_at, record.updated_at = None, now
        changed.append(record)
    RegisterRecord.objects.bulk_create(created, batch_size=1000)
    RegisterRecord.objects.bulk_update(
        changed, [*RECORD_FIELDS, "withdrawn_at", "updated_at"], batch_size=1000
    )
    in_file = {values["source_id"] for values in checked.ready}
    missing = [r.pk for sid, r in existing.items() if sid not in in_file and r.withdrawn_at is None]
    for start in range(0, len(missing), 900):
        RegisterRecord.objects.filter(pk__in=missing[start : start + 900]).update(
            withdrawn_at=now, updated_at=now
        )
    withdrawn = len(missing)
    counts = {
        "created": len(created),
        "updated": len(changed),
        "unchanged": unchanged,
        "withdrawn": withdrawn,
    }
    register.mapping, register.imported_at = mapping, now
    register.save(update_fields=["mapping", "imported_at"])
    upload_row.status, upload_row.counts, upload_row.rows = (
        RegisterUpload.Status.IMPORTED,
        counts,
        [],
    )
    upload_row.save(update_fields=["status", "counts", "rows"])
    audit_record(
        actor=by,
        action=Action.UPDATE,
        target=register,
        changes={"import": counts, "file": upload_row.filename},
    )
    return counts


def sync_registry_register(organisation: Organisation) -> Register:
    """The register that mirrors the persons `organisation` (and its branches) registered in Jisr
    who consent to sharing with another ministry; refreshed before every run that reads it.
    A person who consents again comes back; one who no longer does is withdrawn and erased."""
    register, _created = Register.objects.get_or_create(
        organisation=organisation, kind=Register.Kind.JISR_REGISTRY,
        defaults={"name": f"Jisr — {organisation.name_en or organisation.name_ar}"[:200]},
    )  # fmt: skip
    latest: dict[int, str] = {}
    for person_id, status in (
        ConsentEvent.objects.filter(person__organisation_id__in=organisation.descendant_ids(), purpose=Purpose.SHARING)
        .order_by("person_id", "at", "pk").values_list("person_id", "status")
    ):  # fmt: skip
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
            "source_id": str(person.pk), "first_name": person.first_name, "father_name": person.father_name,
            "grandfather_name": person.grandfather_name, "family_name": person.family_name,
            "full_name": person.latin_name, "mother_name": person.mother_name, "sex": person.sex,
            "birth_date": person.birth_date.isoformat() if person.birth_date else str(person.birth_year or ""),
            "governorate": person.governorate.code if person.governorate else "", "phone": person.phone,
        }  # fmt: skip
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
    _erase_mirror_records(gone)
    register.imported_at = now
    register.save(update_fields=["imported_at"])
    return register


# Every field a mirror record copies from the person; `source_id` (the person's number in Jisr)
# stays, so that consent given again finds the same record.
_ERASED = {key: "" for key in RECORD_FIELDS}


def _erase_mirror_records(record_ids: list[int]) -> None:
    """Withdraw mirror records and erase what they copied of the person, with the pairs whose
    evidence compared them; reviewers' decisions stay (they hold no field) but link nothing
    while a record is withdrawn. The golden record is recomputed once the change commits."""
    if not record_ids:
        return
    now = timezone.now()
    for start in range(0, len(record_ids), 900):
        chunk = record_ids[start : start + 900]
        RegisterRecord.objects.filter(pk__in=chunk).update(
            withdrawn_at=now, updated_at=now, cluster=None, **_ERASED
        )
        CandidatePair.objects.filter(Q(left_id__in=chunk) | Q(right_id__in=chunk)).delete()
    transaction.on_commit(lambda: recluster_task.enqueue())


def mirror_follow_consent(
    sender: Any, *, event: ConsentEvent, by: User | None, **_kwargs: Any
) -> None:
    """A person's consent to sharing (or to being registered at all) ends: their records in every
    organisation's mirror of the Jisr registry are withdrawn and erased in the same transaction,
    so no recipient reads them from this moment (connected in `apps.py`)."""
    if event.status == ConsentStatus.GIVEN or event.purpose not in (
        Purpose.SHARING,
        Purpose.REGISTRATION,
    ):
        return
    records = list(
        RegisterRecord.objects.filter(
            person_id=event.person_id, register__kind=Register.Kind.JISR_REGISTRY
        )
    )
    _erase_mirror_records([r.pk for r in records])
    for record in records:
        audit_record(
            actor=by, action=Action.UPDATE, target=record,
            changes={"withdrawn": f"consent.{event.purpose}", "erased": True},
        )  # fmt: skip


def registry_register(*, by: Any) -> Register:
    """The register that lets the persons the user's organisation registered in Jisr (those who
    consent to sharing) be linked with other registers and shared by agreement."""
    require(by, Perm.REGISTER_MANAGE)
    require(by, Perm.PERSON_VIEW)
    if by.organisation is None:
        raise forbidden()
    register = sync_registry_register(by.organisation)
    audit_record(actor=by, action=Action.UPDATE, target=register, changes={"refreshed": True})
    return register


def start_run(
    *, by: Any, left: Register, right: Register | None, retrain: bool = False
) -> LinkageRun:
    """Queue a run: `left` must be the user's organisation's; `right` its own or shared with it.
    The pair's latest model is reused unless `retrain` asks for a new version."""
    from jisr.linkage.tasks import run_linkage_task

    require(by, Perm.REGISTER_MANAGE)
    selectors.require_own_register(by, left)
    if right is not None:
        if right == left:
            right = None
        elif right not in selectors.reachable_registers(by):
            raise not_found()
    if right is None and left.kind == Register.Kind.JISR_REGISTRY:
        raise JisrError(
            "invalid", _("Jisr's registry is checked for duplicates when persons are registered.")
        )
    run = LinkageRun.objects.create(left=left, right=right, started_by=by, retrain=retrain)
    audit_record(actor=by, action=Action.CREATE, target=run,
                 changes={"left": left.pk, "right": right.pk if right else None, "retrain": retrain})  # fmt: skip
    transaction.on_commit(lambda: run_linkage_task.enqueue(run.pk))
    return run


def decide_pair(*, by: Any, pair: CandidatePair, same_person: bool, note: str = "") -> PairDecision:
    """A reviewer's decision; kept for good, the latest on a pair counts, and re-runs never
    change it. The golden record follows at once."""
    require(by, Perm.LINKAGE_REVIEW)
    if not selectors.pairs_in_reach(by).filter(pk=pair.pk).exists():
        raise not_found()
    # The probability the reviewer was shown: the one their organisation's fields make.
    probability = selectors.pair_evidence(pair, selectors.sight(by))[1]
    decision = PairDecision.objects.create(
        left=pair.left, right=pair.right, same_person=same_person, note=note.strip()[:500],
        decided_by=by, probability=probability,
    )  # fmt: skip
    audit_record(actor=by, action=Action.UPDATE, target=pair,
                 changes={"same_person": same_person, "probability": probability})  # fmt: skip
    from jisr.linkage.golden import recluster

    recluster()
    return decision


def create_agreement(
    *, by: Any, register: Register, recipient: Organisation, fields: list[str], purpose: str,
    valid_until: dt.date, referral_follow_up: bool = False,
) -> SharingAgreement:  # fmt: skip
    """The owner of a register lets another organisation see some of its fields; for Jisr's
    registry, only a ministry or a government office, and, if it says so, for referral
    follow-up (who has no open referral in Jisr)."""
    require(by, Perm.AGREEMENT_MANAGE)
    selectors.require_own_register(by, register)
    problems: dict[str, list[str]] = {}
    if recipient.pk in (by.organisation.descendant_ids() if by.organisation else set()):
        problems["recipient"] = [_("Your own organisation already sees its registers.")]
    elif not selectors.may_receive(register, recipient):
        problems["recipient"] = [
            _("The persons in Jisr's registry consented to sharing with another ministry: choose a ministry or a government office.")
        ]  # fmt: skip
    if referral_follow_up and register.kind != Register.Kind.JISR_REGISTRY:
        problems["referral_follow_up"] = [_("Only Jisr's registry has referrals to follow up.")]
    unknown = [f for f in fields if f not in SharingAgreement.FIELDS]
    if unknown or not fields:
        problems["shared_fields"] = [_("Choose at least one field from the list.")]
    if not purpose.strip():
        problems["purpose"] = [_("This is required.")]
    if valid_until < timezone.localdate():
        problems["valid_until"] = [_("The date has passed.")]
    if problems:
        raise JisrError("invalid", _("Please correct the errors below."), fields=problems)
    agreement = SharingAgreement.objects.create(
        register=register, recipient=recipient, fields=[f for f in SharingAgreement.FIELDS if f in fields],
        purpose=purpose.strip()[:300], valid_until=valid_until, created_by=by,
        referral_follow_up=referral_follow_up,
    )  # fmt: skip
    audit_record(actor=by, action=Action.CREATE, target=agreement,
                 changes={"register": register.pk, "recipient": recipient.pk, "fields": agreement.fields,
                          "referral_follow_up": referral_follow_up})  # fmt: skip
    return agreement


def end_agreement(*, by: Any, agreement: SharingAgreement) -> None:
    require(by, Perm.AGREEMENT_MANAGE)
    selectors.require_own_register(by, agreement.register)
    if agreement.ended_at is None:
        agreement.ended_at = timezone.now()
        agreement.save(update_fields=["ended_at"])
        audit_record(actor=by, action=Action.DEACTIVATE, target=agreement)
