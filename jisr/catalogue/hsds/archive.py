"""A ZIP of HSDS documents checked as a file before anything of it is kept (decision 0035): a
ZIP within the upload limit, at most `MAX_ENTRIES` entries and `MAX_UNZIPPED_BYTES` once
unpacked (counted while reading, not taken from the ZIP's own headers), no entry outside its
folder (absolute paths, `..`, drive letters, backslashes, links), none encrypted, and JSON files
without NUL bytes. Reading the documents and checking them against HSDS 3.0 is the import's work
(`importing.py`), in the worker."""

from __future__ import annotations

import io
import stat
import zipfile
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from jisr.lib.errors import JisrError
from jisr.lib.i18n import format_size

MAX_ENTRIES = 10_000
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
_CHUNK = 64 * 1024


def _refused(message: str) -> JisrError:
    return JisrError("invalid_file", message, status=422)


def _safe_name(name: str) -> bool:
    """The entry stays inside the folder it is unpacked into."""
    if not name or "\x00" in name or "\\" in name or name.startswith("/") or len(name) > 400:
        return False
    parts = PurePosixPath(name).parts
    return not any(part in ("..", ".") or ":" in part for part in parts)


def _is_link(info: zipfile.ZipInfo) -> bool:
    return stat.S_ISLNK(info.external_attr >> 16)


def archive_read(content: bytes) -> dict[str, bytes]:
    """The JSON files of the ZIP `content`, by their path in it; other files are left aside. A
    ZIP Jisr does not take is refused whole (`JisrError` "invalid_file", 422, in the reader's
    language): nothing is kept."""
    if len(content) > settings.JISR_UPLOAD_MAX_BYTES:
        limit = format_size(settings.JISR_UPLOAD_MAX_BYTES)
        raise _refused(_("The file is larger than %(limit)s.") % {"limit": limit})
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise _refused(_("The file is not a ZIP archive.")) from None
    if len(entries) > MAX_ENTRIES:
        raise _refused(
            ngettext(
                "The ZIP holds more than %(count)d file.",
                "The ZIP holds more than %(count)d files.",
                MAX_ENTRIES,
            )
            % {"count": MAX_ENTRIES}
        )
    found: dict[str, bytes] = {}
    unzipped = 0
    for info in entries:
        name = info.filename
        if not _safe_name(name) or _is_link(info):
            raise _refused(
                _("The ZIP holds a file outside its folder: %(name)s.") % {"name": name[:200]}
            )
        if info.flag_bits & 0x1:
            raise _refused(_("The ZIP holds an encrypted file: %(name)s.") % {"name": name[:200]})
        if info.is_dir() or not name.lower().endswith(".json"):
            continue
        if name in found:
            raise _refused(_("The ZIP holds %(name)s twice.") % {"name": name[:200]})
        data = io.BytesIO()
        try:
            with archive.open(info) as entry:
                while chunk := entry.read(_CHUNK):
                    unzipped += len(chunk)
                    if unzipped > MAX_UNZIPPED_BYTES:
                        limit = format_size(MAX_UNZIPPED_BYTES)
                        raise _refused(
                            _("Unpacked, the ZIP is larger than %(limit)s.") % {"limit": limit}
                        )
                    data.write(chunk)
        except (zipfile.BadZipFile, NotImplementedError, OSError, EOFError, ValueError):
            raise _refused(_("The ZIP is damaged at %(name)s.") % {"name": name[:200]}) from None
        found[name] = data.getvalue()
        if b"\x00" in found[name]:
            raise _refused(_("%(name)s holds a NUL byte.") % {"name": name[:200]})
    if not found:
        raise _refused(_("The ZIP holds no JSON file."))
    return found


def archive_unpack(found: dict[str, bytes], folder: Path) -> None:
    """Write what `archive_read` found under `folder` (its names were checked there)."""
    for name, data in found.items():
        path = folder.joinpath(*PurePosixPath(name).parts)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
