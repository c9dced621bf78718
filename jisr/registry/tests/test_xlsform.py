from __future__ import annotations

import csv
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook
from pyxform.xls2xform import convert

from jisr.audit.models import AuditEntry
from jisr.registry.models import Person, Purpose
from jisr.registry.selectors import has_consent

ALL_GIVEN = {f"consent/consent_{p}": "given" for p in
             ("registration", "referral", "sharing", "employer_matching", "contact", "research")}  # fmt: skip


@pytest.fixture
def form_path(db, tmp_path) -> Path:
    path = Path(tmp_path) / "case-form.xlsx"
    call_command("xlsform", out=str(path), stdout=StringIO())
    return path


def test_the_xlsform_converts_with_pyxform_in_three_languages(form_path):
    result = convert(xlsform=str(form_path))
    xml = result.xform
    assert "jisr_case_form" in xml
    for text in ("الاسم الأول", "ناوی یەکەم", "First name", "Highest level of education completed"):
        assert text in xml
    survey = load_workbook(form_path)["survey"]
    names = {row[1].value for row in survey.iter_rows(min_row=2) if row[1].value}
    assert {
        "first_name",
        "governorate",
        "consent_registration",
        "education_level",
        "protection_needs",
    } <= names
    assert not names & {"religion", "sect", "ethnicity"}


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    # Headers as KoboToolbox exports them: group paths, and its own _uuid column.
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=sorted({k for r in rows for k in r}))
        writer.writeheader()
        writer.writerows(rows)
    return path


def submission(uuid: str, **extra: str) -> dict[str, str]:
    row = {
        "_uuid": uuid, "person/first_name": "عبد الله", "person/family_name": "الدليمي",
        "person/sex": "M", "person/birth_year": "1985", "person/person_type": "returnee",
        "person/governorate": "IQ-BG", "person/phone": "07712345678", **ALL_GIVEN,
        "consent/consent_protection": "refused",
        "education/education_level": "bachelor", "languages/languages": "ar en",
    }  # fmt: skip
    row.update(extra)
    return row


def test_submissions_import_once_whatever_the_number_of_runs(people, tmp_path):
    path = write_csv(
        tmp_path / "export.csv",
        [submission("a1"), submission("b2", **{"person/first_name": "مريم", "person/sex": "F"})],
    )
    out = StringIO()
    call_command("import_submissions", str(path), by="alice@example.org", stdout=out)
    assert "Imported 2" in out.getvalue()
    abdullah = Person.objects.get(external_ref="xlsform:a1")
    assert abdullah.phone == "+9647712345678"
    assert abdullah.case_form_answers() == {
        "education_level": "bachelor",
        "languages": ["ar", "en"],
    }
    assert has_consent(abdullah, Purpose.REFERRAL)
    assert abdullah.registered_by == people["alice"]
    entries = AuditEntry.objects.count()
    out = StringIO()
    call_command("import_submissions", str(path), by="alice@example.org", stdout=out)
    assert "Imported 0 persons; 2 were already imported." in out.getvalue()
    assert Person.objects.count() == 2
    assert AuditEntry.objects.count() == entries


def test_a_malformed_file_is_refused_with_row_errors_and_nothing_written(people, tmp_path):
    rows = [
        submission("a1"),
        submission("b2", **{"person/sex": "X", "person/birth_year": "eighty"}),
        submission("", **{"consent/consent_registration": "refused"}),
        submission("d4", **{"protection/protection_needs": "safety_threat"}),
    ]
    path = write_csv(tmp_path / "export.csv", rows)
    with pytest.raises(CommandError) as refused:
        call_command("import_submissions", str(path), by="alice@example.org", stdout=StringIO())
    message = str(refused.value)
    for expected in ("row 3, sex", "row 3, birth_year", "row 4, _uuid", "row 4, consent_registration",
                     "row 5, protection_needs"):  # fmt: skip
        assert expected in message
    assert not Person.objects.exists()


def test_garbage_is_refused_plainly(people, tmp_path):
    people["alice"].language = "en"
    people["alice"].save()
    path = tmp_path / "export.xlsx"
    path.write_bytes(b"not a spreadsheet")
    with pytest.raises(CommandError, match="cannot be read"):
        call_command("import_submissions", str(path), by="alice@example.org", stdout=StringIO())


def test_xlsx_exports_work_too(people, tmp_path):
    from openpyxl import Workbook

    row = submission("x9")
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(row))
    sheet.append(list(row.values()))
    path = tmp_path / "export.xlsx"
    workbook.save(path)
    call_command("import_submissions", str(path), by="alice@example.org", stdout=StringIO())
    assert Person.objects.filter(external_ref="xlsform:x9").exists()
