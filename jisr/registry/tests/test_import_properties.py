"""Properties of the person imports on generated files (hypothesis): whatever a spreadsheet or an
XLSForm export holds, the import either succeeds or refuses with Jisr's error, a refused import
writes nothing, and a file the check (the dry run) calls ready imports."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from django.test import TestCase
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from jisr.lib.errors import JisrError
from jisr.registry.imports.running import person_import_run
from jisr.registry.imports.spreadsheet import person_import_upload, read_rows
from jisr.registry.imports.xlsform import submissions_import
from jisr.registry.models import ConsentEvent, Person, PersonImport
from jisr.registry.tests.factories import GOOD_ROWS, HEADERS

pytestmark = pytest.mark.django_db

# A cell: one a person might write in that column (from the good rows), or anything at all.
_SOME_TEXT = st.text(
    st.one_of(
        st.characters(min_codepoint=0x0600, max_codepoint=0x06FF),
        st.characters(exclude_categories=["Cs"]),
    ),  # no lone surrogates: no file holds them
    max_size=130,
)


# What breaks importers: NUL, Eastern digits, text past a field's length, blanks, and anything.
_BAD = st.one_of(
    st.sampled_from(["\x00", "ا\x00", "١٩٨٠", "۱۹۹۲", "١٩٨٠-٠٣-٠٤", "", "x" * 101, "9" * 121]),
    _SOME_TEXT,
)


@st.composite
def _row(draw: st.DrawFn) -> list[str]:
    """A good row with up to two cells replaced by something bad."""
    row = list(draw(st.sampled_from(GOOD_ROWS)))
    for _ in range(draw(st.integers(0, 2))):
        row[draw(st.integers(0, len(row) - 1))] = draw(_BAD)
    return row


_ROWS = st.lists(_row(), min_size=1, max_size=3)
_HEADERS = st.one_of(
    st.just(HEADERS),
    st.lists(st.one_of(st.sampled_from(HEADERS), _SOME_TEXT), min_size=1, max_size=12),
    st.just([*HEADERS, HEADERS[1]]),  # a header twice
)


def _csv(headers: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _xlsx(headers: list[str], rows: list[list[str]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in [headers, *rows]:  # what a spreadsheet can hold at all
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", cell) for cell in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _counts() -> tuple[int, int, int]:
    return Person.objects.count(), ConsentEvent.objects.count(), PersonImport.objects.count()


def _import_or_refuse(by: Any, content: bytes, filename: str, paper_consent: bool) -> None:
    before = _counts()
    try:
        person_import = person_import_upload(by=by, content=content, filename=filename)
    except JisrError:
        assert _counts() == before
        return
    mapping = dict(person_import.mapping)
    mapping.update(
        {key: column for key, column in (("consent_registration", "موافقة التسجيل"),
         ("consent_referral", "موافقة الإحالة"), ("person_type", "الحالة"))
         if column in person_import.headers}
    )  # fmt: skip
    ready, errors = read_rows(
        person_import=person_import, mapping=mapping, paper_consent=paper_consent
    )
    before = _counts()
    try:
        with TestCase.captureOnCommitCallbacks(execute=True):  # the worker's task, inline
            person_import_run(
                by=by, person_import=person_import, mapping=mapping, paper_consent=paper_consent
            )
    except JisrError:
        assert errors, "the check said ready, the import refused"
        assert _counts() == before
        return
    assert not errors
    person_import.refresh_from_db()
    assert person_import.status == PersonImport.Status.IMPORTED, person_import.error
    assert Person.objects.count() <= before[0] + len(ready)


@given(headers=_HEADERS, rows=_ROWS, paper_consent=st.booleans())
def test_a_csv_of_persons_imports_whole_or_not_at_all(people, headers, rows, paper_consent):
    _import_or_refuse(people["alice"], _csv(headers, rows), "persons.csv", paper_consent)


@given(headers=_HEADERS, rows=_ROWS, paper_consent=st.booleans())
def test_an_xlsx_of_persons_imports_whole_or_not_at_all(people, headers, rows, paper_consent):
    _import_or_refuse(people["alice"], _xlsx(headers, rows), "persons.xlsx", paper_consent)


@given(content=st.binary(max_size=400), name=st.sampled_from(["f.csv", "f.xlsx"]))
def test_any_bytes_uploaded_are_imported_or_refused_with_jisrs_error(people, content, name):
    _import_or_refuse(people["alice"], content, name, paper_consent=True)


# --- XLSForm submissions --------------------------------------------------------------------------

_SUBMISSION_COLUMNS = {
    "_uuid": ["a1", "b2", "", "u" * 121],
    "person/first_name": ["عبد الله", "", "ا" * 101],
    "person/sex": ["M", "F", "X"],
    "person/birth_year": ["1985", "۱۹۸۵", "eighty", "99999"],
    "person/person_type": ["returnee", "martian"],
    "person/governorate": ["IQ-BG", "", "IQ-ZZ"],
    "person/country": ["", "IQ", "DE", "zz"],
    "person/phone": ["", "07712345678", "12"],
    "consent/consent_registration": ["given", "refused", "maybe"],
    "education/education_level": ["", "bachelor", "wizard"],
}


@given(
    rows=st.lists(
        st.fixed_dictionaries(
            {
                key: st.one_of(st.sampled_from(values), _SOME_TEXT)
                for key, values in _SUBMISSION_COLUMNS.items()
            }
        ),
        min_size=1,
        max_size=4,
    )
)
def test_xlsform_submissions_import_whole_or_not_at_all(people, tmp_path_factory, rows):
    headers = list(_SUBMISSION_COLUMNS)
    cells = [[row[h] for h in headers] for row in rows]
    path = Path(tmp_path_factory.mktemp("export")) / "export.csv"
    path.write_bytes(_csv(headers, cells))
    before = _counts()
    try:
        submissions_import(by=people["alice"], path=path)
    except JisrError:
        assert _counts() == before
