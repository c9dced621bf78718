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


def mapping_problems(headers: list[str], mapping: dict[str, str]) -> list[RowError]:
    """What is wrong with the columns chosen, before any row is read."""
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
    return errors


def upload_check(*, upload: RegisterUpload, mapping: dict[str, str]) -> Checked:
    """Every row read with the mapping (the dry run); nothing is written."""
    errors = mapping_problems(upload.headers, mapping)
    if errors:
        return Checked([], errors)
    checker = RowChecker(upload.headers, mapping)
    seen: set[str] = set()
    ready: list[dict[str, str]] = []
    for number, row in enumerate(upload.rows, start=2):
        record, problems = checker.check(number, row)
        if record is None and not problems:
            continue  # an empty line at the end of a sheet is not a record
        source_id = record["source_id"] if record else checker.source_id(row)
        if source_id and source_id in seen:
            problems.append(checker.duplicate(number))
        seen.add(source_id)
        if problems:
            errors.extend(problems)
        elif record is not None:
            ready.append(record)
    return Checked(ready, errors)


class RowChecker:
    """Reads one row at a time as a record with the columns matched (`mapping_problems` found
    nothing wrong with them): each value checked and written as Jisr keeps it. Whether a record
    number appears twice is the caller's to find (`duplicate` says it)."""

    def __init__(self, headers: list[str], mapping: dict[str, str]) -> None:
        self.mapping = mapping
        self.index = {key: headers.index(column) for key, column in mapping.items()}
        self.governorates = governorate_codes()
        self.today = timezone.localdate()
        self.this_year = self.today.year
        # A register writes a few values of sex and governorate millions of times: each is
        # normalised once.
        self._sexes: dict[str, str | None] = {}
        self._places: dict[str, str | None] = {}

    def source_id(self, row: list[str]) -> str:
        i = self.index["source_id"]
        return (row[i] if i < len(row) else "").strip()

    def duplicate(self, number: int) -> RowError:
        return RowError(
            number,
            self.mapping.get("source_id", "source_id"),
            _("This record number appears twice in the file."),
        )

    def check(self, number: int, row: list[str]) -> tuple[dict[str, str] | None, list[RowError]]:
        """(the record, []) for a good row, (None, its problems) for a bad one, (None, []) for
        an empty one."""
        mapping = self.mapping
        values = {key: (row[i] if i < len(row) else "").strip() for key, i in self.index.items()}
        problems: list[RowError] = []

        def problem(key: str, reason: str) -> None:
            problems.append(RowError(number, mapping.get(key, key), reason))

        if not any(values.values()):
            return None, problems
        if not values.get("source_id", ""):
            problem("source_id", _("This is required."))
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
            if (sex := self._sexes.get(record["sex"], "?")) == "?":
                sex = self._sexes.setdefault(record["sex"], sex_code(record["sex"]))
            if sex is None:
                problem("sex", _("Not one of the choices."))
            record["sex"] = sex or ""
        if record["birth_date"]:
            birth = _birth_date(record["birth_date"], self.this_year, self.today)
            if birth is None:
                problem("birth_date", _("Enter a date as YYYY-MM-DD, DD/MM/YYYY or a year (YYYY)."))
            record["birth_date"] = birth or ""
        if record["governorate"]:
            if (code := self._places.get(record["governorate"], "?")) == "?":
                code = self._places.setdefault(
                    record["governorate"], self.governorates.get(column_key(record["governorate"]))
                )
            if code is None:
                problem("governorate", _("Unknown governorate."))
            record["governorate"] = code or ""
        if record["phone"]:
            try:
                record["phone"] = _phone(record["phone"])
            except ValueError:
                problem("phone", _("Enter a valid phone number, for example +964 770 123 4567."))
        return (None, problems) if problems else (record, problems)


# An Iraqi mobile number as registers mostly write it (07..., 7..., +9647..., 009647...):
# libphonenumber's own pattern for Iraq's mobiles, so that the E.164 form is the one it gives,
# some fifty times faster. Anything else is parsed by libphonenumber.
_IRAQI_MOBILE = re.compile(r"(?:\+964|00964|0)?(7[3-9][0-9]{8})")
_SEPARATORS = str.maketrans("", "", " -")


def _phone(text: str) -> str:
    mobile = _IRAQI_MOBILE.fullmatch(text.translate(_SEPARATORS))
    return f"+964{mobile.group(1)}" if mobile else normalise_phone(text)


def _birth_date(text: str, this_year: int, today: dt.date | None = None) -> str | None:
    """YYYY, YYYY-MM-DD (a spreadsheet's date with its time too) or DD/MM/YYYY, as YYYY[-MM-DD];
    in ASCII, Arabic-Indic or Persian digits."""
    today = today or timezone.localdate()
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
    return day.isoformat() if day.year >= 1900 and day <= today else None
