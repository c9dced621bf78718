"""Digits as people in Iraq type them: Arabic-Indic (٠١٢٣٤٥٦٧٨٩), and the Persian forms Kurdish
keyboards give (۰۱۲۳۴۵۶۷۸۹), read as the ASCII digits every parser expects.

`ascii_digits` is for a value known to be a date or a number (an importer's birth year or date).
`numeric_ascii` is for a value whose kind is not known (a form's field, an API's JSON string, a
query parameter): it changes only a text made of digits and the punctuation of dates, times and
numbers, so a name or a note is never touched. Every request's form fields, query parameters and
JSON strings go through it (`jisr.core.middleware.AsciiDigitsMiddleware`, `jisr.api`), so a date
typed as ٢٠٢٤-٠٣-١٥ is read as 2024-03-15 by every page and operation.
"""

from __future__ import annotations

import re
from typing import Any

_ASCII = str.maketrans(
    {
        **{chr(0x0660 + n): str(n) for n in range(10)},  # Arabic-Indic
        **{chr(0x06F0 + n): str(n) for n in range(10)},  # Extended Arabic-Indic (Persian, Kurdish)
        "\u066b": ".",  # Arabic decimal separator
        "\u066c": ",",  # Arabic thousands separator
    }
)
_EASTERN = re.compile("[\u0660-\u0669\u06f0-\u06f9]")
# What a date, a time, a year or a number is written with, once its digits are ASCII (an ISO date
# and time has a T, a time zone a Z or a sign). Bidi marks that keyboards put around digits go.
_NUMERIC = re.compile(r"[0-9\s\-/.:,+TZ]+")
_MARKS = re.compile("[\u200e\u200f\u061c]")


def ascii_digits(text: str) -> str:
    """`text` with Arabic-Indic and Persian digits (and the Arabic decimal and thousands
    separators) as ASCII; nothing else changes."""
    return text.translate(_ASCII)


def numeric_ascii(text: str) -> str:
    """`text` with ASCII digits when it is a date, time or number written with Eastern digits;
    any other text exactly as given."""
    if not _EASTERN.search(text):
        return text
    converted = _MARKS.sub("", ascii_digits(text))
    return converted if _NUMERIC.fullmatch(converted) else text


def numeric_ascii_json(value: Any) -> Any:
    """A decoded JSON value with `numeric_ascii` applied to every string in it (keys stay)."""
    if isinstance(value, str):
        return numeric_ascii(value)
    if isinstance(value, list):
        return [numeric_ascii_json(item) for item in value]
    if isinstance(value, dict):
        return {key: numeric_ascii_json(item) for key, item in value.items()}
    return value
