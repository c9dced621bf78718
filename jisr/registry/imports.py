"""Importing persons from a spreadsheet: map its columns once, check every row, then import all
of them or none.

Values are read the way people write them in Iraq: "أنثى", "مێ" or "F"; a governorate by its name
in any of the three languages or its ISO code; consent as نعم/لا, بەڵێ/نەخێر or yes/no.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jisr.accounts.access import not_found, require
from jisr.accounts.roles import Perm
from jisr.lib.arabic import normalise_name
from jisr.lib.countries import COUNTRY_NAMES
from jisr.lib.errors import JisrError
from jisr.lib.phones import normalise_phone
from jisr.lib.spreadsheets import UnreadableFile, read_table
from jisr.places.models import Governorate
from jisr.registry.models import (
    ConsentChannel,
    ConsentStatus,
    Person,
    PersonImport,
    PersonType,
    Purpose,
)


@dataclass(frozen=True)
class Target:
    key: str
    label: str | Promise
    required: bool = False
    synonyms: tuple[str, ...] = ()


TARGETS: tuple[Target, ...] = (
    Target("source_id", gettext_lazy("Row identifier in the source file (makes importing again safe)"),
           synonyms=("id", "source id", "المعرف", "الرقم", "رقم", "ناسنامە")),
    Target("first_name", gettext_lazy("First name"), True, ("first name", "name", "الاسم", "الاسم الاول", "ناو", "ناوی یەکەم")),
    Target("father_name", gettext_lazy("Father's name"), synonyms=("father", "father name", "اسم الاب", "ناوی باوک")),
    Target("grandfather_name", gettext_lazy("Grandfather's name"), synonyms=("grandfather", "اسم الجد", "ناوی باپیر")),
    Target("family_name", gettext_lazy("Family or tribe name"), synonyms=("family", "surname", "last name", "اللقب", "العشيره", "اسم العائله", "ناوی بنەماڵە")),
    Target("mother_name", gettext_lazy("Mother's name"), synonyms=("mother", "اسم الام", "ناوی دایک")),
    Target("latin_name", gettext_lazy("Name in Latin letters"), synonyms=("latin name", "name in english", "الاسم بالانكليزي")),
    Target("aliases", gettext_lazy("Also known as"), synonyms=("nickname", "kunya", "الكنيه", "اللقب الشعبي")),
    Target("sex", gettext_lazy("Sex"), True, ("sex", "gender", "الجنس", "ڕەگەز")),
    Target("birth_year", gettext_lazy("Year of birth"), synonyms=("birth year", "year of birth", "سنه الميلاد", "ساڵی لەدایکبوون")),
    Target("birth_date", gettext_lazy("Date of birth"), synonyms=("birth date", "date of birth", "dob", "تاريخ الميلاد", "بەرواری لەدایکبوون")),
    Target("phone", gettext_lazy("Mobile phone"), synonyms=("phone", "mobile", "الهاتف", "رقم الهاتف", "الموبايل", "مۆبایل")),
    Target("email", gettext_lazy("E-mail"), synonyms=("email", "e-mail", "البريد الالكتروني", "ئیمەیڵ")),
    Target("national_id", gettext_lazy("National ID or passport number"), synonyms=("national id", "passport", "رقم البطاقه", "رقم الجواز")),
    Target("person_type", gettext_lazy("Situation"), True, ("situation", "type", "person type", "الحاله", "الفئه", "دۆخ")),
    Target("country", gettext_lazy("Country of residence (ISO code, e.g. IQ)"), synonyms=("country", "البلد", "وڵات")),
    Target("city", gettext_lazy("City (abroad)"), synonyms=("city", "المدينه", "شار")),
    Target("governorate", gettext_lazy("Governorate"), synonyms=("governorate", "province", "المحافظه", "پارێزگا")),
    Target("occupation", gettext_lazy("Occupation or job title (coded to ESCO and ISCO-08)"),
           synonyms=("occupation", "job", "job title", "profession", "المهنه", "الوظيفه", "العمل", "المهنه الحاليه", "پیشه", "کار")),
    *(Target(f"consent_{p.value}", p.label, p == Purpose.REGISTRATION) for p in Purpose),
)  # fmt: skip

COUNTRY_CODES = set(COUNTRY_NAMES)
_YES = {"yes", "y", "1", "true", "given", "نعم", "موافق", "بەڵێ", "بەلێ"}
_NO = {"no", "n", "0", "false", "refused", "لا", "غير موافق", "نەخێر"}


def _key(text: str) -> str:
    return normalise_name(text).replace("_", " ")


def guess_mapping(headers: list[str], targets: tuple[Target, ...] = TARGETS) -> dict[str, str]:
    """The column that most likely holds each field, from the headers' wording."""
    mapping: dict[str, str] = {}
    by_header = {_key(h): h for h in headers if h}
    for target in targets:
        candidates = {_key(target.key), *(_key(s) for s in target.synonyms)}
        for code, _name in (("ar", ""), ("ckb", ""), ("en", "")):
            with translation.override(code):
                candidates.add(_key(str(target.label)))
        found = next((by_header[c] for c in candidates if c in by_header), None)
        if found and found not in mapping.values():
            mapping[target.key] = found
    return mapping


def _choice_lookup(choices: list[tuple[str, Any]]) -> dict[str, str]:
    lookup = {}
    for value, label in choices:
        lookup[_key(value)] = value
        for code in ("ar", "ckb", "en"):
            with translation.override(code):
                lookup[_key(str(label))] = value
    return lookup


_SEX_WORDS = {"f": "F", "female": "F", "انثي": "F", "مي": "F", "افرهت": "F", "ژن": "F",
              "m": "M", "male": "M", "ذكر": "M", "نير": "M", "بياو": "M", "بیاو": "M"}  # fmt: skip


def sex_code(text: str) -> str | None:
    """ "F" or "M" from the ways registers write it, in three languages; None if unknown."""
    return _SEX_WORDS.get(_key(text))


def governorate_codes() -> dict[str, str]:
    """ISO 3166-2 code of each governorate by its code or any of its names (normalised)."""
    codes = _choice_lookup([(g.code, g.name_en) for g in Governorate.objects.all()])
    for governorate in Governorate.objects.all():
        for name in (governorate.name_ar, governorate.name_ckb, governorate.name_en):
            codes[_key(name)] = governorate.code
    return codes


def column_key(text: str) -> str:
    """A header or a value as compared: the one normaliser, underscores as spaces."""
    return _key(text)


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    reason: str


def upload(*, by: Any, content: bytes, filename: str) -> PersonImport:
    require(by, Perm.PERSON_REGISTER)
    try:
        headers, rows = read_table(content, filename)
    except UnreadableFile as error:
        raise error.as_error() from None
    return PersonImport.objects.create(
        created_by=by, filename=filename[:200], headers=headers, rows=rows,
        mapping=guess_mapping(headers),
    )  # fmt: skip


def import_get(*, fetched_by: Any, import_id: int) -> PersonImport:
    """Only whoever uploaded a spreadsheet sees it: it holds personal data not yet in scope."""
    require(fetched_by, Perm.PERSON_REGISTER)
    found = PersonImport.objects.filter(pk=import_id, created_by=fetched_by).first()
    if found is None:
        raise not_found()
    return found


def check(
    person_import: PersonImport, mapping: dict[str, str], *, paper_consent: bool
) -> tuple[list[dict[str, Any]], list[RowError]]:
    """Every row read with the mapping; (persons ready, every problem). Nothing is written."""
    headers = person_import.headers
    errors: list[RowError] = []
    for target in TARGETS:
        if target.required and not mapping.get(target.key):
            if target.key == "consent_registration" and paper_consent:
                continue
            errors.append(RowError(0, str(target.label), _("Choose the column that holds this.")))
    if errors:
        return [], errors
    index = {key: headers.index(column) for key, column in mapping.items() if column in headers}
    governorates = governorate_codes()
    places = {g.code: g for g in Governorate.objects.all()}
    person_types = _choice_lookup(list(PersonType.choices))
    ready = []
    for number, row in enumerate(person_import.rows, start=2):

        def value(key: str, row: list[str] = row) -> str:
            return row[index[key]].strip() if key in index else ""

        problems: list[RowError] = []

        def problem(
            key: str, reason: str, number: int = number, problems: list[RowError] = problems
        ) -> None:
            problems.append(RowError(number, mapping.get(key, key), reason))

        fields: dict[str, Any] = {k: value(k) for k in (
            "first_name", "father_name", "grandfather_name", "family_name", "mother_name",
            "latin_name", "aliases", "city",
        )}  # fmt: skip
        if not fields["first_name"]:
            problem("first_name", _("This is required."))
        sex = sex_code(value("sex"))
        if sex is None:
            problem("sex", _("Not one of the choices."))
        fields["sex"] = sex or ""
        person_type = person_types.get(_key(value("person_type")))
        if person_type is None:
            problem("person_type", _("Not one of the choices."))
        fields["person_type"] = person_type or ""
        if value("birth_year"):
            try:
                fields["birth_year"] = int(float(value("birth_year")))
            except (ValueError, OverflowError):
                problem("birth_year", _("Enter a whole number."))
        if value("birth_date"):
            try:
                fields["birth_date"] = dt.date.fromisoformat(value("birth_date")[:10])
            except ValueError:
                problem("birth_date", _("Enter a date as YYYY-MM-DD."))
        if value("phone"):
            try:
                fields["phone"] = normalise_phone(value("phone"))
            except ValueError:
                problem("phone", _("Enter a valid phone number, for example +964 770 123 4567."))
        if value("email"):
            try:
                validate_email(value("email"))
                fields["email"] = value("email").lower()
            except ValidationError:
                problem("email", _("Enter a valid e-mail address."))
        if value("national_id"):
            fields["national_id"] = value("national_id")
        country = (value("country") or "IQ").strip().upper()
        if country not in COUNTRY_CODES:
            problem(
                "country", _("Give the country as its two-letter ISO code, for example IQ or DE.")
            )
        fields["country"] = country
        if value("governorate"):
            code = governorates.get(_key(value("governorate")))
            if code is None:
                problem("governorate", _("Unknown governorate."))
            fields["governorate"] = places.get(code or "")
        consents: dict[Purpose, ConsentStatus] = {}
        for purpose in Purpose:
            raw = _key(value(f"consent_{purpose.value}"))
            if raw in _YES:
                consents[purpose] = ConsentStatus.GIVEN
            elif raw in _NO or not raw:
                consents[purpose] = ConsentStatus.REFUSED
            else:
                problem(f"consent_{purpose.value}", _("Answer yes or no."))
        if paper_consent and not value("consent_registration"):
            consents[Purpose.REGISTRATION] = ConsentStatus.GIVEN
        if consents.get(Purpose.REGISTRATION) != ConsentStatus.GIVEN:
            problem("consent_registration", _("Registration needs the person's consent."))
        if not problems:
            try:
                Person(household_id=0, organisation_id=0, relationship="head", **fields).clean()
            except ValidationError as error:  # the record's own checks, reported per row
                for key, messages in error.message_dict.items():
                    for message in messages:
                        problem(key, message)
        source_id = value("source_id")
        if problems:
            errors.extend(problems)
        else:
            ref = f"sheet:{source_id}" if source_id else None
            ready.append(
                {
                    "fields": fields,
                    "consents": consents,
                    "ref": ref,
                    "occupation": value("occupation"),
                }
            )
    return ready, errors


def run_import(
    *, by: Any, person_import: PersonImport, mapping: dict[str, str], paper_consent: bool
) -> tuple[int, int]:
    """All rows or none: (created, already imported before)."""
    from jisr.registry.services import person_register

    require(by, Perm.PERSON_REGISTER)
    ready, errors = check(person_import, mapping, paper_consent=paper_consent)
    if errors:
        raise JisrError("invalid_file", _("The file has errors; nothing was imported."), status=422)
    created = skipped = 0
    with transaction.atomic():
        for item in ready:
            ref = f"{item['ref']}@{by.organisation_id}" if item["ref"] else None
            if ref and Person.objects.filter(external_ref=ref).exists():
                skipped += 1
                continue
            person = person_register(
                by=by, consents=item["consents"], channel=ConsentChannel.IN_PERSON, **item["fields"]
            )
            if ref:
                Person.objects.filter(pk=person.pk).update(external_ref=ref)
            if item["occupation"]:
                _add_occupation(by=by, person=person, title=item["occupation"][:200])
            created += 1
        person_import.mapping = mapping
        person_import.status = PersonImport.Status.IMPORTED
        person_import.imported = created
        person_import.rows = []  # the data now lives in the records; the copy is not kept
        person_import.save()
    return created, skipped


def _add_occupation(*, by: Any, person: Person, title: str) -> None:
    """The job title as written, coded to the closest ESCO occupation, becomes the first
    occupation of the person's skills profile (hidden until the person chooses otherwise)."""
    # Matching builds on the registry, so it is imported here rather than at the top.
    from jisr.matching.services import profile_occupation_add
    from jisr.skills.coding import suggest_occupations
    from jisr.skills.models import Occupation

    found = suggest_occupations(title, top=1)
    occupation = Occupation.objects.filter(pk=found[0].id).first() if found else None
    if occupation is not None:
        profile_occupation_add(by=by, person=person, occupation=occupation, title=title)
