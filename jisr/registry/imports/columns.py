"""Matching a spreadsheet's columns to the fields they hold, and reading values the way people
write them in Iraq: "أنثى", "مێ" or "F"; a governorate by its name in any of the three languages
or its ISO code; consent as نعم/لا, بەڵێ/نەخێر or yes/no. The registry's spreadsheet import uses
them, and so does the linkage of other institutions' registers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from jisr.lib.arabic import normalise_name
from jisr.lib.countries import COUNTRY_NAMES
from jisr.places.models import Governorate
from jisr.registry.models import Person, Purpose


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
YES_WORDS = {"yes", "y", "1", "true", "given", "نعم", "موافق", "بەڵێ", "بەلێ"}
NO_WORDS = {"no", "n", "0", "false", "refused", "لا", "غير موافق", "نەخێر"}
_SEX_WORDS = {"f": "F", "female": "F", "انثي": "F", "مي": "F", "افرهت": "F", "ژن": "F",
              "m": "M", "male": "M", "ذكر": "M", "نير": "M", "بياو": "M", "بیاو": "M"}  # fmt: skip


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    reason: str


def column_key(text: str) -> str:
    """A header or a value as compared: the one normaliser, underscores as spaces."""
    return normalise_name(text).replace("_", " ")


def guess_mapping(headers: list[str], targets: tuple[Target, ...] = TARGETS) -> dict[str, str]:
    """The column that most likely holds each field, from the headers' wording."""
    mapping: dict[str, str] = {}
    by_header = {column_key(h): h for h in headers if h}
    for target in targets:
        candidates = {column_key(target.key), *(column_key(s) for s in target.synonyms)}
        for code in ("ar", "ckb", "en"):
            with translation.override(code):
                candidates.add(column_key(str(target.label)))
        found = next((by_header[c] for c in candidates if c in by_header), None)
        if found and found not in mapping.values():
            mapping[target.key] = found
    return mapping


def choice_lookup(choices: list[tuple[str, Any]]) -> dict[str, str]:
    """Each choice's value by its value or its label in any of the three languages."""
    lookup = {}
    for value, label in choices:
        lookup[column_key(value)] = value
        for code in ("ar", "ckb", "en"):
            with translation.override(code):
                lookup[column_key(str(label))] = value
    return lookup


def sex_code(text: str) -> str | None:
    """ "F" or "M" from the ways registers write it, in three languages; None if unknown."""
    return _SEX_WORDS.get(column_key(text))


def governorate_codes() -> dict[str, str]:
    """ISO 3166-2 code of each governorate by its code or any of its names (normalised)."""
    governorates = list(Governorate.objects.all())
    codes = choice_lookup([(g.code, g.name_en) for g in governorates])
    for governorate in governorates:
        for name in (governorate.name_ar, governorate.name_ckb, governorate.name_en):
            codes[column_key(name)] = governorate.code
    return codes


# The fields of `Person` an imported row gives; the rest are Jisr's own (the household and the
# organisation are made at import, the governorate is read from the database beforehand).
_ROW_FIELDS = {
    "first_name", "father_name", "grandfather_name", "family_name", "mother_name", "latin_name",
    "aliases", "city", "sex", "person_type", "birth_year", "birth_date", "phone", "email",
    "national_id", "country",
}  # fmt: skip
_NOT_FROM_ROW = {f.name for f in Person._meta.concrete_fields} - _ROW_FIELDS
_COUNTRY_FIELD = Person._meta.get_field("country")


def person_row_problems(fields: dict[str, Any]) -> dict[str, list[str]]:
    """What the record would refuse of a row's `fields` at import (`person_register` runs
    `full_clean`): field lengths and choices, then the record's own rules; per field. An import's
    check (its dry run) calls this, so a file it says is ready imports."""
    person = Person(household_id=0, organisation_id=0, relationship="head", **fields)
    problems: dict[str, list[str]] = {}
    # The country against the same codes, as a set: the field's own check reads its 257
    # choices for every row (a millisecond a row, a row's whole cost).
    country = fields.get("country", "IQ")
    if country not in COUNTRY_CODES:
        problems["country"] = [_COUNTRY_FIELD.error_messages["invalid_choice"] % {"value": country}]
    try:
        person.full_clean(
            exclude=_NOT_FROM_ROW | {"country"}, validate_unique=False, validate_constraints=False
        )
    except ValidationError as error:
        for key, messages in error.message_dict.items():
            problems.setdefault(key, []).extend(str(m) for m in messages)
    return problems
