"""Reading CSV and XLSX files people upload, and writing exports that are safe to open.

Reading: the first row holds the headers; CSV may be comma, semicolon or tab separated, UTF-8
with or without a byte-order mark (as Excel saves it). Writing: a cell that a spreadsheet would
run as a formula is prefixed with an apostrophe (`safe_cell`). Every CSV and XLSX Jisr writes goes
through `write_csv`, `write_xlsx` or `csv_writer`, so that no export can forget it; a test fails
on any other writer in the code.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable, Iterator
from typing import Protocol
from zipfile import BadZipFile

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils.exceptions import InvalidFileException

MAX_ROWS = 20_000


class UnreadableFile(Exception):
    pass


def read_table(content: bytes, filename: str) -> tuple[list[str], list[list[str]]]:
    """(headers, rows) of an uploaded file; UnreadableFile when it is neither CSV nor XLSX."""
    try:
        if filename.lower().endswith(".xlsx"):
            sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).active
            if sheet is None:
                raise UnreadableFile
            lines: Iterator[tuple[object, ...]] = sheet.iter_rows(values_only=True)
            header = [str(h or "").strip() for h in next(lines, ())]
            rows = []
            for values in lines:  # stop early: a small compressed file can hold huge sheets
                rows.append(["" if v is None else str(v).strip() for v in values])
                if len(rows) > MAX_ROWS:
                    raise UnreadableFile
        else:
            text = content.decode("utf-8-sig")
            first = text.splitlines()[0] if text else ""
            dialect = _dialect(first)
            reader = csv.reader(io.StringIO(text), dialect)
            header = [h.strip() for h in next(reader, [])]
            rows = []
            for row in reader:
                rows.append([v.strip() for v in row])
                if len(rows) > MAX_ROWS:
                    raise UnreadableFile
    except (
        UnicodeDecodeError,
        csv.Error,
        BadZipFile,
        InvalidFileException,
        KeyError,
        ValueError,
        OSError,
    ):
        raise UnreadableFile from None
    rows = [row for row in rows if any(row)]
    if not header or not any(header) or len(rows) > MAX_ROWS:
        raise UnreadableFile
    width = len(header)
    return header, [(row + [""] * width)[:width] for row in rows]


def _dialect(first_line: str) -> type[csv.Dialect] | csv.Dialect:
    """Comma, semicolon or tab, as the header line shows; a single column is plain CSV."""
    try:
        return csv.Sniffer().sniff(first_line, delimiters=",;\t") if first_line else csv.excel
    except csv.Error:
        return csv.excel


# What starts a formula in Excel, LibreOffice or Google Sheets, and characters that look like it
# (full-width and small forms fold to these under NFKC; the minus sign and dashes do not).
_FORMULA_STARTS = frozenset("=+-@\u2212\u2010\u2011\u2012\u2013\u2014\u2015\u2795\u2796")


def _runs_as_formula(text: str) -> bool:
    if text[:1] in ("\t", "\r", "\n"):
        return True
    # A spreadsheet may skip leading spaces, and invisible marks (a right-to-left mark before
    # Arabic, a zero-width space) hide what follows: look at the first visible character.
    for char in text:
        if char.isspace() or unicodedata.category(char) == "Cf":
            continue
        return unicodedata.normalize("NFKC", char)[:1] in _FORMULA_STARTS
    return False


def safe_cell(value: object) -> str:
    """A cell that no spreadsheet runs as a formula, without the control characters XLSX refuses."""
    text = str(ILLEGAL_CHARACTERS_RE.sub("", "" if value is None else str(value)))
    return "'" + text if _runs_as_formula(text) else text


class _TextOut(Protocol):
    def write(self, text: str, /) -> int: ...


class SafeCsvWriter:
    """`csv.writer` whose every cell goes through `safe_cell`."""

    def __init__(self, handle: _TextOut) -> None:
        self._writer = csv.writer(handle)

    def writerow(self, row: Iterable[object]) -> None:
        self._writer.writerow([safe_cell(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(handle: _TextOut) -> SafeCsvWriter:
    """The writer for a CSV file written row by row (a command's output, the HSDS tables)."""
    return SafeCsvWriter(handle)


def write_csv(headers: list[str], rows: Iterable[list[object]]) -> bytes:
    """A CSV download: the guarded cells, with the byte-order mark that makes Excel read UTF-8."""
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writerow(headers)
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def write_xlsx(headers: list[str], rows: Iterable[list[object]]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append([safe_cell(h) for h in headers])
    for row in rows:
        sheet.append([safe_cell(v) for v in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
