"""A register's spreadsheet read into records: the standard fields and the words people use for
them in column headers (Arabic, Kurdish, English), the mapping proposed for an upload, and the
dry run that reads every row and says what is wrong with it. Nothing here writes: importing is
`services.upload_import`."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jisr.lib.digits import ascii_digits
from jisr.lib.phones import normalise_phone
from jisr.linkage.models import RegisterRecord, RegisterUpload
from jisr.registry.imports.columns import (
    RowError,
    Target,
    column_key,
    governorate_codes,
    guess_mapping,
    sex_code,
)

TARGETS: tuple[Target, ...] = (
    Target("source_id", gettext_lazy("Record number in the register"), True, (
        "record id", "record_id", "id", "no", "number", "رقم السجل", "رقم", "الرقم", "المعرف",
        "التسلسل", "ژماره", "ژمارە",
    )),
    Target("full_name", gettext_lazy("Full name"), synonyms=(
        "full name", "name", "الاسم الكامل", "الاسم الرباعي", "الاسم الثلاثي", "الاسم",
        "ناوی تەواو", "ناو",
    )),
    Target("first_name", gettext_lazy("First name"), synonyms=(
        "first name", "الاسم الاول", "ناوی یەکەم",
    )),
    Target("father_name", gettext_lazy("Father's name"), synonyms=(
        "father", "father name", "اسم الاب", "ناوی باوک",
    )),
    Target("grandfather_name", gettext_lazy("Grandfather's name"), synonyms=(
        "grandfather", "grandfather name", "اسم الجد", "ناوی باپیر",
    )),
    Target("family_name", gettext_lazy("Family or tribe name"), synonyms=(
        "family", "family name", "surname", "last name", "اللقب", "العشيره", "اسم العائله",
        "ناوی بنەماڵە",
    )),
    Target("mother_name", gettext_lazy("Mother's name"), synonyms=(
        "mother", "mother name", "اسم الام", "ناوی دایک",
    )),
    Target("sex", gettext_lazy("Sex"), synonyms=("sex", "gender", "الجنس", "ڕەگەز")),
    Target("birth_date", gettext_lazy("Date or year of birth"), synonyms=(
        "birth date", "date of birth", "dob", "birth year", "تاريخ الميلاد", "التولد", "المواليد",
        "سنه الميلاد", "بەرواری لەدایکبوون",
    )),
    Target("governorate", gettext_lazy("Governorate"), synonyms=(
        "governorate", "province", "المحافظه", "پارێزگا",
    )),
    Target("phone", gettext_lazy("Mobile phone"), synonyms=(
        "phone", "mobile", "الهاتف", "رقم الهاتف", "الموبايل", "مۆبایل",
    )),
    Target("status", gettext_lazy("Status in the register"), synonyms=(
        "status", "الحاله", "دۆخ",
    )),
)  # fmt: skip
RECORD_FIELDS = tuple(t.key for t in TARGETS if t.key != "source_id")
_LENGTHS = {
    f.name: f.max_length for f in RegisterRecord._meta.fields if getattr(f, "max_length", None)
}
_DAY_FIRST = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")


def upload_proposed_mapping(*, upload: RegisterUpload) -> dict[str, str]:
    """The register's saved mapping where its columns are still there; a guess for the rest."""
    headers = upload.headers
    saved = {k: v for k, v in upload.register.mapping.items() if v in headers}
    guessed = guess_mapping(headers, TARGETS)
    for key, column in guessed.items():
        if key not in saved and column not in saved.values():
            saved[key] = column
    return saved


@dataclass(frozen=True)
class Checked:
    ready: list[dict[str, str]]
    errors: list[RowError]


def upload_check(*, upload: RegisterUpload, mapping: dict[str, str]) -> Checked:
    """Every row read with the mapping (the dry run); nothing is written."""
    headers = upload.headers
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
    for number, row in enumerate(upload.rows, start=2):
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
    """YYYY, YYYY-MM-DD (a spreadsheet's date with its time too) or DD/MM/YYYY, as YYYY[-MM-DD];
    in ASCII, Arabic-Indic or Persian digits."""
    text = ascii_digits(text).strip()[:19].split(" ")[0].split("T")[0]
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
