"""Every CSV and XLSX Jisr writes neutralises cells a spreadsheet would run as a formula, through
one writer (`jisr.lib.spreadsheets`): also behind leading spaces and with full-width look-alikes."""

from __future__ import annotations

import csv
import io
import re
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from openpyxl import load_workbook

from jisr.accounts.models import Organisation, OrganisationKind
from jisr.catalogue.models import Service
from jisr.conftest import client_for, register_person
from jisr.lib.spreadsheets import csv_writer, safe_cell

FORMULAS = [
    "=1+1",
    "+1+1",
    "-1+1",
    "@SUM(A1)",
    "\t=1+1",
    "\r=1+1",
    ' =HYPERLINK("http://evil")',
    "   @SUM(A1)",
    "\n=1+1",
    "\r\n=1+1",
    "\u00a0=1+1",  # no-break space
    "\u2003=1+1",  # em space
    "\u3000=1+1",  # ideographic space
    "\u200b=1+1",  # zero-width space
    "\ufeff=1+1",  # byte-order mark
    "\u200f=1+1",  # right-to-left mark, common before Arabic text
    '\uff1dHYPERLINK("http://evil")',  # full-width =
    "\uff0b1+1",  # full-width +
    "\uff0d1+1",  # full-width -
    "\uff20SUM(A1)",  # full-width @
    "\ufe66 1+1",  # small =
    "\ufe62 1",  # small +
    "\ufe63 1",  # small -
    "\ufe6bSUM(A1)",  # small @
    "\u22121+1",  # minus sign
    " \uff1d1+1",
]


@pytest.mark.parametrize("value", FORMULAS)
def test_a_cell_that_would_run_as_a_formula_is_neutralised(value):
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["أحمد", "Ahmed", "", "  Ahmed", "\u200fأحمد", "1+1", "a=b"])
def test_plain_text_is_left_as_it_is(value):
    assert safe_cell(value) == value


def test_the_registry_export_neutralises_formulas_behind_spaces_and_look_alikes(people):
    register_person(people["alice"], first_name=' =HYPERLINK("http://evil")', national_id="A1")
    register_person(people["alice"], first_name='\uff1dHYPERLINK("http://evil")', national_id="A2")
    client = client_for(people["alice"])
    text = client.get("/registry/persons/export/").content.decode("utf-8-sig")
    names = {row[1] for row in list(csv.reader(io.StringIO(text)))[1:]}
    assert names == {'\' =HYPERLINK("http://evil")', '\'\uff1dHYPERLINK("http://evil")'}
    workbook = load_workbook(
        io.BytesIO(client.get("/registry/persons/export/?format=xlsx").content)
    )
    assert {workbook.active["B2"].value, workbook.active["B3"].value} == names


def test_the_hsds_tabular_package_is_escaped(db, tmp_path):
    ngo = Organisation.objects.create(kind=OrganisationKind.NGO, name_en='=cmd|" /C calc"!A0')
    Service.objects.create(
        organisation=ngo, name_en="@SUM(1+1)", description_en=" +1+1", published=True
    )
    call_command("export_hsds", out=str(tmp_path), stdout=StringIO())
    with (tmp_path / "tabular" / "services.csv").open(encoding="utf-8", newline="") as handle:
        service = next(csv.DictReader(handle))
    assert (service["name"], service["description"]) == ("'@SUM(1+1)", "' +1+1")
    with (tmp_path / "tabular" / "organizations.csv").open(encoding="utf-8", newline="") as handle:
        assert next(csv.DictReader(handle))["name"] == '\'=cmd|" /C calc"!A0'


def test_the_csv_writer_for_files_neutralises_every_cell():
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writerow(["id", "=1+1"])
    writer.writerows([[" -2", "\uff20x"]])
    assert list(csv.reader(io.StringIO(out.getvalue()))) == [
        ["id", "'=1+1"],
        ["' -2", "'\uff20x"],
    ]


# Writers that may build a spreadsheet without the guard, and why.
UNGUARDED = {
    "jisr/lib/spreadsheets.py": "the guard itself",
    "jisr/registry/imports/xlsform.py": "the form definition, from code: its formulas are meant",
    "jisr/linkage/synth.py": "generated registers with no held data, read back by the linkage",
    "jisr/linkage/management/commands/synth_registers.py": "the same generated registers",
}
RAW_WRITERS = re.compile(r"csv\.(writer|DictWriter)\(|\bWorkbook\(|\.to_csv\(|\.to_excel\(")


def test_every_spreadsheet_is_written_through_the_one_guarded_writer():
    root = Path(settings.BASE_DIR)
    offenders = [
        str(path.relative_to(root))
        for path in sorted((root / "jisr").rglob("*.py"))
        if "tests" not in path.parts
        and str(path.relative_to(root)) not in UNGUARDED
        and RAW_WRITERS.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == [], (
        "Write CSV and XLSX with jisr.lib.spreadsheets (write_csv, write_xlsx, csv_writer), "
        "which neutralise formulas."
    )
