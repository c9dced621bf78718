"""The standard case form as an XLSForm, for offline collection in KoboToolbox or ODK Collect,
and the import of the submissions those tools export.

The XLSForm is generated from the same definitions as the pages (`Person` fields, consent
purposes, `caseform.questions.CASE_FORM`), with labels in Arabic, Central Kurdish and English,
so a field team's data comes back in the registry's own shape.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook

from jisr.accounts.access import require
from jisr.accounts.models import User
from jisr.accounts.roles import Perm
from jisr.lib.digits import ascii_digits
from jisr.lib.errors import JisrError
from jisr.lib.phones import normalise_phone
from jisr.lib.spreadsheets import UnreadableFile, read_table_file
from jisr.places.models import Governorate
from jisr.registry.caseform.questions import (
    CASE_FORM,
    CHOICE,
    DATE,
    INTEGER,
    MULTI,
    TEXT,
    VERSION,
    YES_NO,
    clean_answer,
)
from jisr.registry.imports.columns import RowError, person_row_problems
from jisr.registry.models import ConsentChannel, ConsentStatus, Person, PersonType, Purpose, Sex
from jisr.registry.services import case_answers_save, person_register

# A submission is remembered as "xlsform:<id>" in `Person.external_ref`.
_ID_ROOM = Person._meta.get_field("external_ref").max_length - len("xlsform:")  # type: ignore[operator]  # a CharField's max_length is set
LANGUAGES = [("ar", "Arabic (ar)"), ("ckb", "Central Kurdish (ckb)"), ("en", "English (en)")]
FORM_ID = "jisr_case_form"

# Identity questions: (name, xlsform type, label, required).
IDENTITY: list[tuple[str, str, str | Promise, bool]] = [
    ("first_name", "text", gettext_lazy("First name"), True),
    ("father_name", "text", gettext_lazy("Father's name"), False),
    ("grandfather_name", "text", gettext_lazy("Grandfather's name"), False),
    ("family_name", "text", gettext_lazy("Family or tribe name"), False),
    ("mother_name", "text", gettext_lazy("Mother's name"), False),
    ("sex", "select_one sex", gettext_lazy("Sex"), True),
    ("birth_year", "integer", gettext_lazy("Year of birth"), False),
    ("phone", "text", gettext_lazy("Mobile phone"), False),
    ("person_type", "select_one person_type", gettext_lazy("Situation"), True),
    ("governorate", "select_one governorate", gettext_lazy("Governorate"), False),
    ("country", "text", gettext_lazy("Country of residence (ISO code, e.g. IQ)"), False),
    ("city", "text", gettext_lazy("City (abroad)"), False),
]
_TYPES = {TEXT: "text", INTEGER: "integer", DATE: "date", YES_NO: "select_one yes_no"}


def _labels(label: str | Promise) -> list[str]:
    labels = []
    for code, _name in LANGUAGES:
        with translation.override(code):
            labels.append(str(label))
    return labels


def build_xlsform() -> Workbook:
    workbook = Workbook()
    survey = workbook.active
    assert survey is not None
    survey.title = "survey"
    label_columns = [f"label::{name}" for _code, name in LANGUAGES]
    survey.append(["type", "name", *label_columns, "required", "constraint", "relevant"])
    choices = workbook.create_sheet("choices")
    choices.append(["list_name", "name", *label_columns])

    def choice_list(name: str, options: list[tuple[str, str | Promise]]) -> None:
        for value, label in options:
            choices.append([name, value, *_labels(label)])

    survey.append(["begin_group", "person", *_labels(gettext_lazy("The person")), "", "", ""])
    for name, kind, label, required in IDENTITY:
        constraint = ". >= 1900 and . <= 2100" if name == "birth_year" else ""
        survey.append([kind, name, *_labels(label), "yes" if required else "", constraint, ""])
    survey.append(["end_group", "", "", "", "", "", "", ""])
    choice_list("sex", list(Sex.choices))
    choice_list("person_type", list(PersonType.choices))
    choice_list("governorate", [(g.code, g.name_ar) for g in Governorate.objects.order_by("code")])
    choice_list("yes_no", [("yes", gettext_lazy("Yes")), ("no", gettext_lazy("No"))])
    choice_list("consent", [("given", gettext_lazy("Yes")), ("refused", gettext_lazy("No"))])

    survey.append(["begin_group", "consent", *_labels(gettext_lazy("Consent")), "", "", ""])
    for purpose in Purpose:
        survey.append(
            [
                "select_one consent",
                f"consent_{purpose.value}",
                *_labels(purpose.label),
                "yes",
                "",
                "",
            ]
        )
    survey.append(["end_group", "", "", "", "", "", "", ""])

    for section in CASE_FORM.sections:
        relevant = (
            f"${{consent_{section.needs_consent}}} = 'given'" if section.needs_consent else ""
        )
        survey.append(["begin_group", section.key, *_labels(section.label), "", "", relevant])
        for question in section.questions:
            if question.kind in (CHOICE, MULTI):
                select = "select_one" if question.kind == CHOICE else "select_multiple"
                kind = f"{select} {question.key}"
                choice_list(question.key, [(c.value, c.label) for c in question.choices])
            else:
                kind = _TYPES[question.kind]
            constraint = ""
            if question.kind == INTEGER:
                constraint = f". >= {question.minimum} and . <= {question.maximum}"
            survey.append([kind, question.key, *_labels(question.label), "", constraint, ""])
        survey.append(["end_group", "", "", "", "", "", "", ""])

    survey.append(["start", "start", "", "", "", "", "", ""])
    survey.append(["end", "end", "", "", "", "", "", ""])
    settings = workbook.create_sheet("settings")
    settings.append(["form_title", "form_id", "version", "default_language"])
    settings.append(["Jisr", FORM_ID, VERSION.replace(".", ""), LANGUAGES[0][1]])
    return workbook


def _rows(path: Path) -> Iterator[dict[str, str]]:
    """Rows of a CSV or XLSX export, with group prefixes ("education/level") dropped."""
    headers, rows = read_table_file(path)
    columns = [_column(h) for h in headers]
    for row in rows:
        yield dict(zip(columns, row, strict=True))


def _column(header: str) -> str:
    return header.strip().split("/")[-1]


def _submission_id(row: dict[str, str]) -> str:
    for key in ("_uuid", "instanceID", "uuid", "_id"):
        if row.get(key):
            return row[key].removeprefix("uuid:")
    return ""


def read_submissions(path: Path) -> tuple[list[dict[str, Any]], list[RowError]]:
    """Every row checked; returns what would be imported and every problem, row by row."""
    try:
        rows = list(_rows(path))
    except OSError:
        return [], [RowError(0, "", _("The file cannot be read as CSV or XLSX."))]
    except UnreadableFile as error:
        return [], [RowError(0, "", str(error.message))]
    governorates = {g.code: g for g in Governorate.objects.all()}
    parsed, errors = [], []
    for number, row in enumerate(rows, start=2):  # row 1 holds the headers
        problems: list[RowError] = []

        def problem(
            column: str, reason: str, number: int = number, problems: list[RowError] = problems
        ) -> None:
            problems.append(RowError(number, column, reason))

        submission = _submission_id(row)
        if not submission:
            problem("_uuid", _("Each submission needs its identifier (_uuid or instanceID)."))
        elif len(submission) > _ID_ROOM:
            problem("_uuid", _("Longer than %(count)s characters.") % {"count": _ID_ROOM})
        fields: dict[str, Any] = {}
        for name, _kind, _label, required in IDENTITY:
            value = row.get(name, "")
            if required and not value:
                problem(name, _("This is required."))
            fields[name] = value
        if fields["sex"] and fields["sex"] not in Sex.values:
            problem("sex", _("Not one of the choices."))
        if fields["person_type"] and fields["person_type"] not in PersonType.values:
            problem("person_type", _("Not one of the choices."))
        try:
            birth_year = ascii_digits(fields["birth_year"])
            fields["birth_year"] = int(birth_year) if birth_year else None
        except ValueError:
            problem("birth_year", _("Enter a whole number."))
        if fields["phone"]:
            try:
                fields["phone"] = normalise_phone(fields["phone"])
            except ValueError:
                problem("phone", _("Enter a valid phone number, for example +964 770 123 4567."))
        code = fields.pop("governorate")
        fields["governorate"] = governorates.get(code) if code else None
        if code and fields["governorate"] is None:
            problem("governorate", _("Unknown governorate code."))
        fields["country"] = (fields["country"] or "IQ").upper()
        consents = {}
        for purpose in Purpose:
            value = row.get(f"consent_{purpose.value}", "") or ConsentStatus.REFUSED.value
            if value not in (ConsentStatus.GIVEN, ConsentStatus.REFUSED):
                problem(f"consent_{purpose.value}", _("Not one of the choices."))
            else:
                consents[purpose] = ConsentStatus(value)
        if consents.get(Purpose.REGISTRATION) != ConsentStatus.GIVEN:
            problem("consent_registration", _("Registration needs the person's consent."))
        answers = {}
        for key, question in CASE_FORM.by_key.items():
            raw = row.get(key, "")
            if raw == "":
                continue
            needs = CASE_FORM.section_of(key).needs_consent
            if needs and consents.get(Purpose(needs)) != ConsentStatus.GIVEN:
                problem(key, _("The person has not consented to this being recorded."))
                continue
            try:
                answers[key] = clean_answer(question, raw)
            except ValueError as error:
                problem(key, str(error))
        if not problems:  # the record's own checks, as `person_register` will run them
            for key, messages in person_row_problems(fields).items():
                for message in messages:
                    problem(key, message)
        if problems:
            errors.extend(problems)
        else:
            parsed.append(
                {
                    "ref": f"xlsform:{submission}",
                    "fields": fields,
                    "consents": consents,
                    "answers": answers,
                }
            )
    return parsed, errors


@transaction.atomic
def submissions_import(*, by: User, path: Path) -> tuple[int, int]:
    """All or nothing: (created, already imported). Raises JisrError listing every row error."""
    require(by, Perm.PERSON_REGISTER)
    parsed, errors = read_submissions(path)
    if errors:
        raise JisrError(
            "invalid_file",
            _("The file has errors; nothing was imported."),
            status=422,
            fields={(f"row {e.row}, {e.column}" if e.row else "file"): [e.reason] for e in errors},
        )
    created = skipped = 0
    for item in parsed:
        if Person.objects.filter(external_ref=item["ref"]).exists():
            skipped += 1
            continue
        person = person_register(
            by=by, consents=item["consents"], channel=ConsentChannel.IN_PERSON, **item["fields"]
        )
        Person.objects.filter(pk=person.pk).update(external_ref=item["ref"])
        allowed = {
            k: v
            for k, v in item["answers"].items()
            if by.can_see(CASE_FORM.section_of(k).sensitivity)
        }
        if allowed:
            case_answers_save(by=by, person=person, answers=allowed)
        created += 1
    return created, skipped
