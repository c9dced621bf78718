"""Importing persons from a spreadsheet: upload it, map its columns once, check every row, then
import all of them or none (`running.py`). The values are read as `columns` says people write
them, dates and years in any digits. The check (the dry run) validates each row exactly as the
import will (the record's field lengths and choices, then its own rules), so a file it calls
ready imports; should a row still be refused, the error names it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from jisr.accounts.access import forbidden, require
from jisr.accounts.models import User
from jisr.accounts.roles import Perm
from jisr.lib.digits import ascii_digits
from jisr.lib.errors import JisrError
from jisr.lib.i18n import format_number
from jisr.lib.phones import normalise_phone
from jisr.lib.spreadsheets import UnreadableFile, read_table
from jisr.places.models import Governorate
from jisr.registry.imports.columns import (
    COUNTRY_CODES,
    NO_WORDS,
    TARGETS,
    YES_WORDS,
    RowError,
    choice_lookup,
    column_key,
    governorate_codes,
    guess_mapping,
    person_row_problems,
    sex_code,
)
from jisr.registry.models import (
    ConsentStatus,
    Person,
    PersonImport,
    PersonType,
    Purpose,
)

# The source reference is kept as "sheet:<id>@<organisation>" in `Person.external_ref`: the id's
# room is what is left of it beside the prefix and an organisation's number (up to 12 digits).
_REF_ROOM = Person._meta.get_field("external_ref").max_length - len("sheet:@") - 12  # type: ignore[operator]  # a CharField's max_length is set


@transaction.atomic
def person_import_upload(*, by: User, content: bytes, filename: str) -> PersonImport:
    """A spreadsheet kept for its uploader to map and check; its columns matched by their names."""
    require(by, Perm.PERSON_REGISTER)
    try:
        headers, rows = read_table(content, filename)
    except UnreadableFile as error:
        raise error.as_error() from None
    return PersonImport.objects.create(
        created_by=by,
        filename=filename[:200],
        headers=headers,
        rows=rows,
        mapping=guess_mapping(headers),
    )


def check_uploader(by: User, person_import: PersonImport) -> None:
    require(by, Perm.PERSON_REGISTER)
    if person_import.created_by_id != by.pk:
        raise forbidden()


@transaction.atomic
def person_import_check(
    *, by: User, person_import: PersonImport, mapping: dict[str, str], paper_consent: bool
) -> tuple[list[dict[str, Any]], list[RowError]]:
    """Every row read with the mapping, which is kept for the next visit; nothing else is
    written. Returns (persons ready, every problem)."""
    check_uploader(by, person_import)
    checked = read_rows(person_import=person_import, mapping=mapping, paper_consent=paper_consent)
    PersonImport.objects.filter(pk=person_import.pk).update(mapping=mapping)
    person_import.mapping = mapping
    return checked


def read_rows(
    *, person_import: PersonImport, mapping: dict[str, str], paper_consent: bool
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
    person_types = choice_lookup(list(PersonType.choices))
    ready = []
    for number, row in enumerate(person_import.rows, start=2):

        def value(key: str, row: list[str] = row) -> str:
            return row[index[key]].strip() if key in index else ""

        problems: list[RowError] = []

        def problem(
            key: str, reason: str, number: int = number, problems: list[RowError] = problems
        ) -> None:
            problems.append(RowError(number, mapping.get(key, key), reason))

        fields: dict[str, Any] = {
            k: value(k)
            for k in (
                "first_name",
                "father_name",
                "grandfather_name",
                "family_name",
                "mother_name",
                "latin_name",
                "aliases",
                "city",
            )
        }
        if not fields["first_name"]:
            problem("first_name", _("This is required."))
        sex = sex_code(value("sex"))
        if sex is None:
            problem("sex", _("Not one of the choices."))
        fields["sex"] = sex or ""
        person_type = person_types.get(column_key(value("person_type")))
        if person_type is None:
            problem("person_type", _("Not one of the choices."))
        fields["person_type"] = person_type or ""
        if value("birth_year"):
            try:
                fields["birth_year"] = int(float(ascii_digits(value("birth_year"))))
            except (ValueError, OverflowError):
                problem("birth_year", _("Enter a whole number."))
        if value("birth_date"):
            try:
                fields["birth_date"] = dt.date.fromisoformat(ascii_digits(value("birth_date"))[:10])
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
            code = governorates.get(column_key(value("governorate")))
            if code is None:
                problem("governorate", _("Unknown governorate."))
            fields["governorate"] = places.get(code or "")
        consents: dict[Purpose, ConsentStatus] = {}
        for purpose in Purpose:
            raw = column_key(value(f"consent_{purpose.value}"))
            if raw in YES_WORDS:
                consents[purpose] = ConsentStatus.GIVEN
            elif raw in NO_WORDS or not raw:
                consents[purpose] = ConsentStatus.REFUSED
            else:
                problem(f"consent_{purpose.value}", _("Answer yes or no."))
        if paper_consent and not value("consent_registration"):
            consents[Purpose.REGISTRATION] = ConsentStatus.GIVEN
        if consents.get(Purpose.REGISTRATION) != ConsentStatus.GIVEN:
            problem("consent_registration", _("Registration needs the person's consent."))
        source_id = value("source_id")
        if len(source_id) > _REF_ROOM:
            problem(
                "source_id",
                _("Longer than %(count)s characters.") % {"count": format_number(_REF_ROOM)},
            )
        if not problems:
            for key, messages in person_row_problems(fields).items():
                for message in messages:
                    problem(key, message)
        if problems:
            errors.extend(problems)
        else:
            ref = f"sheet:{source_id}" if source_id else None
            ready.append(
                {
                    "row": number,
                    "fields": fields,
                    "consents": consents,
                    "ref": ref,
                    "occupation": value("occupation"),
                }
            )
    return ready, errors


def row_refused(row: int, mapping: dict[str, str], error: JisrError) -> JisrError:
    """A row the record refused at import, named with its number and columns."""
    reasons = [
        _("Row %(row)s, %(column)s: %(reason)s")
        % {"row": format_number(row), "column": mapping.get(key, key), "reason": reason}
        for key, messages in error.fields.items()
        for reason in messages
    ] or [_("Row %(row)s: %(reason)s") % {"row": format_number(row), "reason": error.message}]
    return JisrError(
        "invalid_file",
        _("Row %(row)s cannot be imported; nothing was imported.") % {"row": format_number(row)},
        status=422,
        fields={f"row {row}": reasons},
    )
