"""Reading CSV and XLSX files people upload, and writing exports that are safe to open.

Reading: the first row holds the headers; CSV may be comma, semicolon or tab separated, UTF-8
with or without a byte-order mark (as Excel saves it). A file is refused, with a message naming the
limit, past the settings' limits: its size (`JISR_UPLOAD_MAX_BYTES`), the size of an XLSX once
unpacked (`JISR_SPREADSHEET_UNPACKED_MAX_BYTES`, checked before it is parsed, so that a small zip
cannot unpack to gigabytes), rows, columns, and the length of a cell. A file is refused too, with
a message naming the place, when two columns have the same header (one of them would be lost) or
a cell holds a NUL character (no text Jisr keeps may hold one; it is refused rather than dropped,
since a changed identity number or name is worse than a file sent again). Writing: a cell that a
spreadsheet would run as a formula is prefixed with an apostrophe (`safe_cell`). Every CSV and XLSX
Jisr writes goes through `write_csv`, `write_xlsx` or `csv_writer`, so that no export can forget
it; a test fails on any other writer in the code.
"""

from __future__ import annotations

import csv
import io
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from jisr.lib.errors import JisrError
from jisr.lib.i18n import format_number, format_size

# Enough to tell the separator from the header line, however long a forged line is.
_SNIFF_CHARS = 64 * 1024


class UnreadableFile(Exception):
    """A file that cannot be read as a table; `message` says why, in the reader's language."""

    code, status = "unreadable", 422

    def __init__(self, message: str | Promise | None = None) -> None:
        self.message = message or _("The file cannot be read as CSV or XLSX.")
        super().__init__(str(self.message))

    def as_error(self) -> JisrError:
        """The error a service raises for this file: the form shows it on the file field."""
        return JisrError(self.code, self.message, status=self.status, fields={"file": [self.hint]})

    @property
    def hint(self) -> str:
        return _("Choose a CSV or XLSX file whose first row holds the column names.")


class FileTooLarge(UnreadableFile):
    """Past one of the limits; `message` names it."""

    code, status = "too_large", 413

    @property
    def hint(self) -> str:
        return str(self.message)


class FileRefused(UnreadableFile):
    """Readable, but refused as it is: `message` says where and why."""

    code = "invalid_file"

    @property
    def hint(self) -> str:
        return str(self.message)


def size_refused(size: int) -> FileTooLarge | None:
    """The refusal of a file of `size` bytes past the upload limit, or None."""
    limit = settings.JISR_UPLOAD_MAX_BYTES
    if size <= limit:
        return None
    return FileTooLarge(_("The file is larger than %(limit)s.") % {"limit": format_size(limit)})


def read_table_file(path: Path) -> tuple[list[str], list[list[str]]]:
    """`read_table` of a file on disk, its size checked before a byte of it is read."""
    refused = size_refused(path.stat().st_size)
    if refused is not None:
        raise refused
    return read_table(path.read_bytes(), path.name)


_UNREADABLE = (
    UnicodeDecodeError,
    csv.Error,
    zipfile.BadZipFile,
    InvalidFileException,
    KeyError,
    ValueError,
    OSError,
    EOFError,
)


def read_table(
    content: bytes, filename: str, *, max_rows: int | None = None
) -> tuple[list[str], list[list[str]]]:
    """(headers, rows) of an uploaded file; UnreadableFile when it is neither CSV nor XLSX,
    FileTooLarge (naming the limit) when it is past one. `max_rows` replaces the settings'
    JISR_SPREADSHEET_MAX_ROWS (a register's upload allows more)."""
    refused = size_refused(len(content))
    if refused is not None:
        raise refused
    try:
        lines = _xlsx_lines(content) if filename.lower().endswith(".xlsx") else _csv_lines(content)
        header, rows = _table(lines, max_rows=max_rows)
    except _UNREADABLE:
        raise UnreadableFile from None
    rows = [row for row in rows if any(row)]
    if not header or not any(header):
        raise UnreadableFile
    width = len(header)
    return header, [(row + [""] * width)[:width] for row in rows]


def _table(
    lines: Iterator[Iterable[object]], *, max_rows: int | None = None
) -> tuple[list[str], list[list[str]]]:
    """The header and the rows, stopping at the first row past a limit."""
    max_rows = max_rows or settings.JISR_SPREADSHEET_MAX_ROWS
    # An XLSX cell may point at a shared string in a few bytes: a small file can hold a long text
    # a million times over, so the text read out is counted too, not only the bytes unpacked.
    max_text = settings.JISR_SPREADSHEET_MAX_TEXT_CHARS
    text = 0
    header: list[str] = []
    rows: list[list[str]] = []
    for number, values in enumerate(lines, start=1):
        if number > max_rows + 1:  # the header's row and max_rows rows, blank ones included
            raise FileTooLarge(
                _("The file has more than %(limit)s rows.") % {"limit": format_number(max_rows)}
            )
        cells = _cells(number, values)
        text += sum(len(cell) for cell in cells)
        if text > max_text:
            raise FileTooLarge(
                _("The file holds more than %(limit)s characters of text.")
                % {"limit": format_number(max_text)}
            )
        if number == 1:
            header = cells
            while header and not header[-1]:
                header.pop()
        else:
            rows.append(cells)
    _refuse_repeated(header)  # once the file is known to be within the limits
    return header, rows


def _cells(number: int, values: Iterable[object]) -> list[str]:
    """Row `number`'s cells as text, within JISR_SPREADSHEET_MAX_COLUMNS; refused past the
    columns or a cell's length, or with a NUL character."""
    max_columns = settings.JISR_SPREADSHEET_MAX_COLUMNS
    cells = ["" if v is None else str(v).strip() for v in values]
    if len(cells) > max_columns and any(cells[max_columns:]):
        raise FileTooLarge(
            _("The file has more than %(limit)s columns.") % {"limit": format_number(max_columns)}
        )
    max_chars = settings.JISR_SPREADSHEET_MAX_CELL_CHARS
    if any(len(cell) > max_chars for cell in cells):
        raise _long_cell(number)
    for column, cell in enumerate(cells[:max_columns], start=1):
        if "\x00" in cell:
            raise FileRefused(
                _(
                    "Row %(row)s, column %(column)s holds a NUL character, which cannot be "
                    "stored. Remove it and upload the file again."
                )
                % {"row": format_number(number), "column": get_column_letter(column)}
            )
    return cells[:max_columns]


class StreamedTable:
    """A CSV or XLSX file on disk read row by row, never whole (`jisr import-register`: a
    national register of millions of rows): `headers`, then `rows()` from the second row on,
    each padded or cut to the headers' width, with its row number. No limit on the rows, the
    file's size or its text; a row past the columns or a cell's length, or with a NUL character,
    is refused (FileTooLarge, FileRefused), and so is an unreadable file (UnreadableFile)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.headers: list[str] = []
        for number, values in self._lines():
            header = _cells(number, values)
            while header and not header[-1]:
                header.pop()
            self.headers = header
            break
        if not self.headers:
            raise UnreadableFile
        _refuse_repeated(self.headers)

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """(row number, cells) of each row with a value, the header's row being 1."""
        width = len(self.headers)
        lines = self._lines()
        next(lines, None)
        for number, values in lines:
            cells = _cells(number, values)
            if any(cells):
                yield number, (cells + [""] * width)[:width]

    def _lines(self) -> Iterator[tuple[int, Iterable[object]]]:
        try:
            if self.path.name.lower().endswith(".xlsx"):
                yield from enumerate(self._xlsx(), start=1)
            else:
                yield from enumerate(self._csv(), start=1)
        except _UNREADABLE:
            raise UnreadableFile from None

    def _csv(self) -> Iterator[Iterable[object]]:
        with self.path.open(encoding="utf-8-sig", newline="") as handle:
            dialect = _dialect(handle.readline(_SNIFF_CHARS).rstrip("\r\n"))
            handle.seek(0)  # the decoder starts again: the byte-order mark is skipped again
            reader = csv.reader(handle, dialect)
            number = 0
            while True:
                number += 1
                try:
                    row = next(reader)
                except StopIteration:
                    return
                except csv.Error as error:
                    if "field larger than field limit" in str(error):
                        raise _long_cell(number) from None
                    raise
                yield row

    def _xlsx(self) -> Iterator[Iterable[object]]:
        # openpyxl's read-only mode parses the sheet as it is read (its shared strings whole).
        workbook = load_workbook(self.path, read_only=True, data_only=True)
        try:
            sheet = workbook.active
            if sheet is None or not hasattr(sheet, "reset_dimensions"):
                raise UnreadableFile
            sheet.reset_dimensions()
            yield from sheet.iter_rows(
                values_only=True, max_col=settings.JISR_SPREADSHEET_MAX_COLUMNS + 1
            )
        finally:
            workbook.close()


def _refuse_repeated(header: list[str]) -> None:
    """Two columns of the same name: whichever was matched to a field, the other would be lost."""
    seen: set[str] = set()
    for name in header:
        if name and name in seen:
            raise FileRefused(
                _(
                    "Two columns are named “%(name)s”. Give each column its own name in the "
                    "first row and upload the file again."
                )
                % {"name": name if len(name) <= 80 else name[:79] + "…"}
            )
        seen.add(name)


def _long_cell(row: int) -> FileTooLarge:
    return FileTooLarge(
        _("Row %(row)s has a cell longer than %(limit)s characters.")
        % {
            "row": format_number(row),
            "limit": format_number(settings.JISR_SPREADSHEET_MAX_CELL_CHARS),
        }
    )


def _xlsx_lines(content: bytes) -> Iterator[Iterable[object]]:
    # What the archive says its members unpack to bounds what reading them can produce (zipfile
    # stops at the declared size, and a member that lies fails its checksum): refuse a zip bomb
    # here, before openpyxl unpacks anything.
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        unpacked = sum(item.file_size for item in archive.infolist())
    limit = settings.JISR_SPREADSHEET_UNPACKED_MAX_BYTES
    if unpacked > limit:
        raise FileTooLarge(
            _("Unpacked, the spreadsheet is larger than %(limit)s.") % {"limit": format_size(limit)}
        )
    workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    try:
        sheet = workbook.active
        if sheet is None or not hasattr(sheet, "reset_dimensions"):
            raise UnreadableFile
        # The size the sheet declares is not trusted (A1:XFD1048576 would pad every row to 16,384
        # cells): read the cells it holds, one column past the limit to notice a wider sheet.
        sheet.reset_dimensions()
        yield from sheet.iter_rows(
            values_only=True, max_col=settings.JISR_SPREADSHEET_MAX_COLUMNS + 1
        )
    finally:
        workbook.close()


def _csv_lines(content: bytes) -> Iterator[Iterable[object]]:
    text = content.decode("utf-8-sig")
    dialect = _dialect(io.StringIO(text).readline()[:_SNIFF_CHARS].rstrip("\r\n"))
    reader = csv.reader(io.StringIO(text), dialect)
    number = 0
    while True:
        number += 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            # The csv module's own cap on a field (131,072 characters) is a cell too long.
            if "field larger than field limit" in str(error):
                raise _long_cell(number) from None
            raise
        yield row


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
    """A cell that no spreadsheet runs as a formula, without the control characters XLSX refuses.

    A text that starts with an apostrophe gets one more, as a spreadsheet user would type it, so
    that `unguarded_cell` gives back exactly what was written (an audit export is verified from
    its CSV)."""
    text = str(ILLEGAL_CHARACTERS_RE.sub("", "" if value is None else str(value)))
    return "'" + text if text.startswith("'") or _runs_as_formula(text) else text


def unguarded_cell(cell: str) -> str:
    """The text `safe_cell` was given (less any control characters it dropped)."""
    rest = cell[1:]
    if cell.startswith("'") and (rest.startswith("'") or _runs_as_formula(rest)):
        return rest
    return cell


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
