"""Log records without personal data, as text in development and as JSON lines in production.

Whatever a log line says is copied to files, terminals and monitoring that nobody audits, so no
line carries a person's name, phone, e-mail or identity number. `PersonalDataFilter` sits on
every handler (settings `LOGGING`) and rewrites each record before it is written:

- an exception keeps its type and where it was raised (the traceback's frames, the chain of
  causes), never its message as is: a database error becomes its SQLSTATE and the names of the
  constraint, table and column (PostgreSQL's DETAIL and CONTEXT quote the failing row: names,
  phones); any other message has its quoted values, long numbers and e-mail addresses masked
  (errors about the code itself, such as AttributeError, keep the names they quote);
- the message itself is masked the same way once its arguments are filled in;
- the request Django attaches to its records becomes its method and path, without the query.

`JsonFormatter` writes one JSON object a line (python-json-logger), for the log collector.
"""

from __future__ import annotations

import logging
import re
import traceback
from types import TracebackType
from typing import Any

from django.db import Error as DatabaseError
from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter as _JsonFormatter

__all__ = ["JsonFormatter", "PersonalDataFilter", "mask", "safe_traceback"]

_QUOTED = re.compile(r"""'[^'\n]{1,500}'|"[^"\n]{1,500}"|«[^»\n]{1,500}»""")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Phones and identity numbers: seven digits or more, perhaps spaced or after a plus sign.
_NUMBER = re.compile(r"\+?\d(?:[\s-]?\d){6,}")
# PostgreSQL's "Key (phone)=(+9647...)" and "Failing row contains (...)".
_ROW = re.compile(r"(=|contains )\([^\n]*\)")

# Errors about the code itself, whose messages quote names of types, attributes and arguments.
_ABOUT_CODE = (AttributeError, NameError, ImportError, TypeError, NotImplementedError)

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


def mask(text: str) -> str:
    """`text` with what may be a person's value replaced by a placeholder."""
    text = _ROW.sub(r"\1(…)", text)
    text = _QUOTED.sub("'…'", text)
    text = _EMAIL.sub("[e-mail]", text)
    return _NUMBER.sub("[number]", text)


def _describe(error: BaseException) -> str:
    name = f"{type(error).__module__}.{type(error).__qualname__}"
    if isinstance(error, DatabaseError):
        # Django wraps the driver's error; psycopg's carries PostgreSQL's diagnostics, of which
        # only the codes and the schema's own names are safe to keep.
        diag = getattr(error.__cause__, "diag", None) or getattr(error, "diag", None)
        if diag is not None:
            parts = [
                f"{label} {value}"
                for label, value in (
                    ("SQLSTATE", getattr(diag, "sqlstate", None)),
                    ("constraint", getattr(diag, "constraint_name", None)),
                    ("table", getattr(diag, "table_name", None)),
                    ("column", getattr(diag, "column_name", None)),
                )
                if value
            ]
            return f"{name}: {'; '.join(parts) or 'database error'}"
        # SQLite's messages name constraints and columns; only the first line, masked.
        return f"{name}: {mask(str(error).splitlines()[0] if str(error) else '')}"
    if isinstance(error, _ABOUT_CODE):
        return f"{name}: {_NUMBER.sub('[number]', _EMAIL.sub('[e-mail]', str(error)))}"
    return f"{name}: {mask(str(error))}"


def safe_traceback(exc_info: ExcInfo) -> str:
    """The traceback of `exc_info` and of its causes, with each message as `_describe` says."""
    chain: list[tuple[BaseException, str | None]] = []
    error: BaseException | None = exc_info[1]
    link: str | None = None
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        chain.append((error, link))
        if error.__cause__ is not None:
            error, link = error.__cause__, "The above exception was the direct cause of:"
        elif error.__context__ is not None and not error.__suppress_context__:
            error, link = error.__context__, "During handling of the above exception:"
        else:
            error = None
    lines: list[str] = []
    for error, link in reversed(chain):
        lines.append("Traceback (most recent call last):\n")
        lines.extend(traceback.extract_tb(error.__traceback__).format())
        lines.append(_describe(error) + "\n")
        if link is not None:
            lines.append(f"\n{link}\n\n")
    return "".join(lines).rstrip("\n")


class PersonalDataFilter(logging.Filter):
    """Rewrites every record so that it carries no personal value (see the module)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "_jisr_masked", False):
            record.msg = mask(record.getMessage())
            record.args = ()
            if record.exc_info and record.exc_info[1] is not None:
                record.exc_text = safe_traceback(record.exc_info)
                record.exc_info = None
            request = getattr(record, "request", None)
            if request is not None and not isinstance(request, str):
                record.request = f"{getattr(request, 'method', '')} {getattr(request, 'path', '')}"
            record._jisr_masked = True
        return True


class JsonFormatter(_JsonFormatter):
    """One JSON object a line: time, level, logger, message, the (masked) exception, and the
    extra fields a record carries (Django's status code, the request's method and path)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("reserved_attrs", [*RESERVED_ATTRS, "_jisr_masked"])
        super().__init__("{asctime}{levelname}{name}{message}", *args, style="{", **kwargs)
