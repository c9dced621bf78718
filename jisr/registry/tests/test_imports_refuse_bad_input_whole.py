"""Bad input in an imported file is a clear error that names its row, column or header, and
nothing is written: on the person import's pages and in `jisr import-submissions`. The check
(the dry run) refuses exactly what the import would."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from jisr.conftest import client_for
from jisr.registry.imports import spreadsheet
from jisr.registry.models import Person, PersonImport
from jisr.registry.tests.factories import GOOD_ROWS, HEADERS, post_mapping, upload

pytestmark = pytest.mark.django_db


def _csv(headers: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _in_english(people: dict[str, Any]) -> Any:
    people["alice"].language = "en"
    people["alice"].save()
    return client_for(people["alice"])


def test_a_nul_character_in_an_uploaded_file_is_refused_naming_its_row_and_column(people):
    client = _in_english(people)
    rows = [GOOD_ROWS[0], ["18", "زي\x00نب", *GOOD_ROWS[1][2:]]]
    response = client.post(
        "/registry/import/",
        {"file": SimpleUploadedFile("persons.csv", _csv(HEADERS, rows), content_type="text/csv")},
    )
    assert response.status_code == 200
    assert "Row 3, column B holds a NUL character" in " ".join(
        response.context["form"].errors["file"]
    )
    assert not PersonImport.objects.exists()


def test_two_columns_of_the_same_name_are_refused_naming_the_header(people):
    client = _in_english(people)
    headers = [*HEADERS, "الهاتف"]
    rows = [[*row, "07701231234"] for row in GOOD_ROWS]
    response = client.post(
        "/registry/import/",
        {"file": SimpleUploadedFile("persons.csv", _csv(headers, rows), content_type="text/csv")},
    )
    assert response.status_code == 200
    assert "Two columns are named “الهاتف”" in " ".join(response.context["form"].errors["file"])
    assert not PersonImport.objects.exists()


def test_the_check_refuses_a_name_too_long_for_the_record_as_the_import_would(people):
    client = _in_english(people)
    long_name = "ا" * 101
    url = upload(client, [GOOD_ROWS[0], [GOOD_ROWS[1][0], long_name, *GOOD_ROWS[1][2:]]])
    checked = post_mapping(client, url, "check")
    assert checked.context["ready"] == 1
    assert [(e.row, e.column) for e in checked.context["errors"]] == [(3, "الاسم")]
    refused = post_mapping(client, url, "import")
    assert refused.status_code == 200
    assert [(e.row, e.column) for e in refused.context["errors"]] == [(3, "الاسم")]
    assert not Person.objects.exists()


def test_a_source_id_too_long_to_keep_is_a_row_error_and_nothing_is_written(people):
    client = _in_english(people)
    url = upload(client, [GOOD_ROWS[0], ["9" * 121, *GOOD_ROWS[1][1:]]])
    refused = post_mapping(client, url, "import")
    assert refused.status_code == 200
    assert [(e.row, e.column) for e in refused.context["errors"]] == [(3, "الرقم")]
    assert not Person.objects.exists()


def test_a_row_the_record_refuses_at_import_is_named_and_nothing_is_written(people, monkeypatch):
    # Should the check ever miss a rule of the record, the import still names the row.
    client = _in_english(people)
    monkeypatch.setattr(spreadsheet, "person_row_problems", lambda fields: {})
    url = upload(client, [GOOD_ROWS[0], [GOOD_ROWS[1][0], "ا" * 101, *GOOD_ROWS[1][2:]]])
    refused = post_mapping(client, url, "import")
    assert refused["Location"] == f"{url}progress/"
    text = client.get(refused["Location"]).content.decode()
    assert "Row 3, الاسم: Ensure this value has at most 100 characters" in text
    assert not Person.objects.exists()


def test_years_and_dates_in_arabic_indic_and_persian_digits_are_imported(people):
    client = _in_english(people)
    headers = [*HEADERS, "تاريخ الميلاد"]
    rows = [
        [*GOOD_ROWS[0][:5], "١٩٨٠", *GOOD_ROWS[0][6:], "١٩٨٠-٠٣-٠٤"],
        [*GOOD_ROWS[1][:5], "۱۹۹۲", *GOOD_ROWS[1][6:], ""],
    ]
    response = client.post(
        "/registry/import/",
        {"file": SimpleUploadedFile("persons.csv", _csv(headers, rows), content_type="text/csv")},
    )
    url = response["Location"]
    done = post_mapping(client, url, "import")
    assert done.status_code == 302, done.context and done.context["errors"]
    assert str(Person.objects.get(first_name="أحمد").birth_date) == "1980-03-04"
    assert Person.objects.get(first_name="زينب").birth_year == 1992


# --- `jisr import-submissions` ------------------------------------------------------------------


def _submission(uuid: str, **extra: str) -> dict[str, str]:
    consents = {
        f"consent/consent_{p}": "given"
        for p in ("registration", "referral", "sharing", "employer_matching", "contact", "research")
    }
    return {
        "_uuid": uuid, "person/first_name": "عبد الله", "person/sex": "M",
        "person/birth_year": "1985", "person/person_type": "returnee",
        "person/governorate": "IQ-BG", **consents, **extra,
    }  # fmt: skip


def _export(path: Path, rows: list[dict[str, str]], headers: list[str] | None = None) -> Path:
    headers = headers or list(rows[0])
    path.write_bytes(_csv(headers, [[row.get(h, "") for h in headers] for row in rows]))
    return path


def _import(path: Path) -> str:
    with pytest.raises(CommandError) as refused:
        call_command("import_submissions", str(path), by="alice@example.org", stdout=io.StringIO())
    return str(refused.value)


def test_the_cli_refuses_a_submission_id_too_long_to_keep_naming_its_row(people, tmp_path):
    _in_english(people)
    message = _import(_export(tmp_path / "e.csv", [_submission("a1"), _submission("u" * 121)]))
    assert "row 3, _uuid" in message
    assert not Person.objects.exists()


def test_the_cli_refuses_a_name_too_long_for_the_record_naming_its_row(people, tmp_path):
    _in_english(people)
    rows = [_submission("a1"), _submission("b2", **{"person/first_name": "ا" * 101})]
    assert "row 3, first_name" in _import(_export(tmp_path / "e.csv", rows))
    assert not Person.objects.exists()


def test_the_cli_refuses_nul_characters_and_repeated_headers(people, tmp_path):
    _in_english(people)
    rows = [_submission("a1"), _submission("b2", **{"person/first_name": "x\x00"})]
    assert "Row 3, column" in _import(_export(tmp_path / "nul.csv", rows))
    repeated = [*_submission("a1"), "person/sex"]
    assert "Two columns are named “person/sex”" in _import(
        _export(tmp_path / "twice.csv", [_submission("a1")], repeated)
    )
    assert not Person.objects.exists()


def test_the_cli_reads_years_in_persian_digits(people, tmp_path):
    path = _export(tmp_path / "e.csv", [_submission("a1", **{"person/birth_year": "۱۹۸۵"})])
    call_command("import_submissions", str(path), by="alice@example.org", stdout=io.StringIO())
    assert Person.objects.get(external_ref="xlsform:a1").birth_year == 1985
