"""A spreadsheet is refused, with a clear error naming the limit, before it can overload the
server: an XLSX whose members unpack past JISR_SPREADSHEET_UNPACKED_MAX_BYTES (checked before it is
parsed), a cell longer than JISR_SPREADSHEET_MAX_CELL_CHARS, more columns or rows than allowed; the
same for CSV; on every upload path (registry import, register upload on the page and the API, the
submissions and HSDS commands), and nothing is stored."""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Iterator, Sequence
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import translation
from openpyxl import Workbook

from jisr.accounts.models import Organisation
from jisr.conftest import client_for
from jisr.lib import spreadsheets
from jisr.lib.spreadsheets import FileTooLarge, UnreadableFile, read_table
from jisr.linkage.models import Register, RegisterUpload
from jisr.registry.models import Person, PersonImport


@pytest.fixture(autouse=True)
def _in_english() -> Iterator[None]:
    with translation.override("en"):
        yield


def xlsx(rows: Sequence[Sequence[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def huge_cell_xlsx(length: int = 5_000) -> bytes:
    """The attack in small: one cell far longer than any answer, tiny once compressed."""
    return xlsx([["name", "note"], ["Ahmed", "A" * length]])


def zip_bomb_xlsx(unpacked: int) -> bytes:
    """A valid workbook with one more member that unpacks to `unpacked` bytes of zeros."""
    source = zipfile.ZipFile(io.BytesIO(xlsx([["name"], ["Ahmed"]])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        for item in source.infolist():
            bomb.writestr(item, source.read(item))
        with bomb.open("xl/media/padding.bin", "w") as member:
            chunk = b"\0" * (1 << 20)
            for _ in range(unpacked // len(chunk)):
                member.write(chunk)
    return out.getvalue()


def test_a_huge_cell_is_refused_naming_the_limit():
    content = huge_cell_xlsx()
    assert len(content) < 20_000  # small on disk
    with pytest.raises(FileTooLarge) as refused:
        read_table(content, "one-cell.xlsx")
    assert str(refused.value.message) == "Row 2 has a cell longer than 2,000 characters."
    with pytest.raises(FileTooLarge) as refused:
        read_table(("name\n" + "A" * 5_000 + "\n").encode(), "one-cell.csv")
    assert str(refused.value.message) == "Row 2 has a cell longer than 2,000 characters."
    with pytest.raises(FileTooLarge):  # past the csv module's own field limit too
        read_table(("name\n" + "A" * 200_000 + "\n").encode(), "one-cell.csv")


def shared_string_xlsx(rows: int, columns: int, length: int) -> bytes:
    """Every cell under the headers points at one long shared string: a few bytes each, unpacked
    or not. The headers are short, and each its own."""
    long = "ب" * length
    headers = "".join(f'<c t="inlineStr"><is><t>c{n}</t></is></c>' for n in range(columns))
    sheet = f'<row r="1">{headers}</row>' + "".join(
        f'<row r="{r}">' + '<c t="s"><v>0</v></c>' * columns + "</row>" for r in range(2, rows + 1)
    )
    parts = {
        "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
        "_rels/.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
        "xl/sharedStrings.xml": f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>{long}</t></si></sst>',
        "xl/worksheets/sheet1.xml": f'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{sheet}</sheetData></worksheet>',
    }  # fmt: skip
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return out.getvalue()


def test_a_long_text_repeated_through_shared_strings_is_refused(settings):
    """2,000 rows of 20 cells, each a 2,000-character string by reference: 80 million characters
    from a file of a few kilobytes, under every other limit."""
    content = shared_string_xlsx(rows=2_000, columns=20, length=2_000)
    assert len(content) < 100_000
    with pytest.raises(FileTooLarge) as refused:
        read_table(content, "shared.xlsx")
    assert str(refused.value.message) == "The file holds more than 50,000,000 characters of text."
    settings.JISR_SPREADSHEET_MAX_TEXT_CHARS = 100_000_000
    _header, rows = read_table(content, "shared.xlsx")  # the same file is read under a higher cap
    assert len(rows) == 1_999


@override_settings(JISR_SPREADSHEET_UNPACKED_MAX_BYTES=1 << 20)
def test_a_zip_bomb_is_refused_before_it_is_parsed(monkeypatch):
    content = zip_bomb_xlsx(4 << 20)
    assert len(content) < 64_000

    def parse(*args: object, **kwargs: object) -> None:
        raise AssertionError("parsed")

    monkeypatch.setattr(spreadsheets, "load_workbook", parse)
    with pytest.raises(FileTooLarge) as refused:
        read_table(content, "bomb.xlsx")
    assert str(refused.value.message) == "Unpacked, the spreadsheet is larger than 1 MB."


@override_settings(JISR_SPREADSHEET_MAX_COLUMNS=5)
def test_too_many_columns_are_refused():
    headers = [f"c{i}" for i in range(6)]
    for content, name in (
        (xlsx([headers, ["x"] * 6]), "wide.xlsx"),
        ((",".join(headers) + "\n" + ",".join("x" * 6) + "\n").encode(), "wide.csv"),
    ):
        with pytest.raises(FileTooLarge) as refused:
            read_table(content, name)
        assert str(refused.value.message) == "The file has more than 5 columns."
    assert read_table(xlsx([headers[:5], ["x"] * 5]), "ok.xlsx")[0] == headers[:5]


@override_settings(JISR_SPREADSHEET_MAX_ROWS=3)
def test_too_many_rows_are_refused():
    for content, name in (
        (xlsx([["name"], ["a"], ["b"], ["c"], ["d"]]), "long.xlsx"),
        (b"name\na\nb\nc\nd\n", "long.csv"),
    ):
        with pytest.raises(FileTooLarge) as refused:
            read_table(content, name)
        assert str(refused.value.message) == "The file has more than 3 rows."
    assert read_table(b"name\na\nb\nc\n", "ok.csv") == (["name"], [["a"], ["b"], ["c"]])


def test_a_declared_sheet_of_a_million_rows_and_columns_is_read_by_its_cells():
    """The <dimension> a file declares is not trusted: only the cells it holds are read."""
    content = xlsx([["name"], ["Ahmed"]])
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as forged:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', data)
                assert b"XFD1048576" in data
            forged.writestr(item, data)
    assert read_table(out.getvalue(), "forged.xlsx") == (["name"], [["Ahmed"]])


def test_unreadable_files_still_say_so():
    with pytest.raises(UnreadableFile) as refused:
        read_table(b"\x00\x01 not a workbook", "x.xlsx")
    assert not isinstance(refused.value, FileTooLarge)
    assert str(refused.value.message) == "The file cannot be read as CSV or XLSX."


def test_the_registry_import_refuses_a_huge_cell_and_keeps_nothing(people):
    people["alice"].language = "en"
    people["alice"].save()
    client = client_for(people["alice"])
    page = client.post(
        "/registry/import/", {"file": SimpleUploadedFile("persons.xlsx", huge_cell_xlsx())}
    )
    assert page.status_code == 200
    assert page.context["form"].errors["file"] == ["Row 2 has a cell longer than 2,000 characters."]
    assert not PersonImport.objects.exists()


@override_settings(JISR_SPREADSHEET_UNPACKED_MAX_BYTES=1 << 20)
def test_register_uploads_refuse_a_zip_bomb_and_a_huge_cell_page_and_api(people):
    carol = people["carol"]
    carol.language = "en"
    carol.save()
    register = Register.objects.create(organisation=carol.organisation, name="R", kind="other")
    client = client_for(carol)
    page = client.post(
        f"/linkage/registers/{register.pk}/upload/",
        {"file": SimpleUploadedFile("r.xlsx", huge_cell_xlsx())},
    )
    assert page.context["form"].errors["file"] == ["Row 2 has a cell longer than 2,000 characters."]
    api = client.post(
        f"/api/v1/linkage/registers/{register.pk}/uploads",
        {"file": SimpleUploadedFile("r.xlsx", zip_bomb_xlsx(4 << 20))},
    )
    assert api.status_code == 413
    assert api.json()["error"]["code"] == "too_large"
    assert api.json()["error"]["message"] == "Unpacked, the spreadsheet is larger than 1 MB."
    assert not RegisterUpload.objects.exists()


def test_the_submissions_command_refuses_a_huge_cell(people, tmp_path):
    people["alice"].language = "en"
    people["alice"].save()
    path = tmp_path / "export.xlsx"
    path.write_bytes(huge_cell_xlsx())
    with pytest.raises(CommandError, match="longer than 2,000 characters"):
        call_command("import_submissions", str(path), by="alice@example.org", stdout=StringIO())
    assert not Person.objects.exists()


def test_the_submissions_command_checks_the_size_before_reading(people, tmp_path, settings):
    settings.JISR_UPLOAD_MAX_BYTES = 1024
    people["alice"].language = "en"
    people["alice"].save()
    path = tmp_path / "export.csv"
    path.write_text("name\n" + "x\n" * 1000, encoding="utf-8")
    original = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        assert self != path, "read before its size was checked"
        return original(self)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Path, "read_bytes", read_bytes)
        with pytest.raises(CommandError, match=re.escape("The file is larger than 1 kB.")):
            call_command("import_submissions", str(path), by="alice@example.org", stdout=StringIO())


def test_the_hsds_import_refuses_a_file_past_the_upload_limit(db, tmp_path, settings):
    settings.JISR_UPLOAD_MAX_BYTES = 1024
    document = {"id": "6f1c3c1e-8e7a-4f0e-9a52-2b8f7d0c9a12", "name": "X" * 2000}
    (tmp_path / "organization.json").write_text(json.dumps(document), encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):  # all or nothing: 0024
        call_command("import_hsds", str(tmp_path), stdout=StringIO(), stderr=err)
    assert "organization.json: /: larger than 1 kB" in err.getvalue()
    assert not Organisation.objects.exists()
