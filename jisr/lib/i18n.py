"""Formatting numbers and dates in the reader's language, with CLDR data through Babel.

Django's own localisation formats separators but keeps Western digits; Iraqi Arabic and
Kurdish readers expect Arabic-Indic digits (١٢٣) in running text. Identifiers (phone numbers,
document numbers) are never passed through these helpers: they stay as written.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import cache

from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.dates import format_datetime as babel_format_datetime
from babel.numbers import format_decimal
from babel.units import format_unit
from django.utils import timezone
from django.utils.translation import get_language

# Django language code -> CLDR locale used to format for that language.
CLDR_LOCALES = {"ar": "ar_IQ", "ckb": "ckb_IQ", "en": "en_GB"}
_ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def cldr_locale(language: str | None = None) -> str:
    language = (language or get_language() or "ar").split("-")[0]
    return CLDR_LOCALES.get(language, "ar_IQ")


@cache
def _locale(locale: str) -> Locale:
    """Babel's locale, read from CLDR once per process (a list formats a date per row)."""
    return Locale.parse(locale)


@cache
def _uses_arabic_digits(locale: str) -> bool:
    return _locale(locale).default_numbering_system == "arab"


def _digits(text: str, locale: str) -> str:
    return text.translate(_ARABIC_INDIC) if _uses_arabic_digits(locale) else text


def format_number(value: int | float | Decimal, language: str | None = None) -> str:
    locale = cldr_locale(language)
    return _digits(
        str(format_decimal(value, locale=_locale(locale), numbering_system="default")), locale
    )


def format_date(value: dt.date, language: str | None = None) -> str:
    locale = cldr_locale(language)
    return _digits(str(babel_format_date(value, format="long", locale=_locale(locale))), locale)


def format_datetime(value: dt.datetime, language: str | None = None) -> str:
    """A moment shown in the current time zone (Asia/Baghdad unless the user chose another)."""
    locale = cldr_locale(language)
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    text = babel_format_datetime(
        local, format="medium", locale=_locale(locale), tzinfo=local.tzinfo
    )
    return _digits(str(text), locale)


def localise_digits(text: str, language: str | None = None) -> str:
    """Digits in the script the reader's language uses, nothing else changed."""
    return _digits(text, cldr_locale(language))


def format_size(size: int, language: str | None = None) -> str:
    """A number of bytes as people read a file's size (20 MB, 64 kB), in the reader's language."""
    locale = cldr_locale(language)
    unit, amount = (
        ("digital-megabyte", size / 2**20) if size >= 2**20 else ("digital-kilobyte", size / 2**10)
    )
    return _digits(
        str(format_unit(round(amount, 1), unit, length="short", locale=_locale(locale))), locale
    )
