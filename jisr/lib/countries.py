"""Country names in Arabic, Central Kurdish and English from CLDR (Unicode Common Locale Data
Repository, through Babel).

django-countries keeps the list of ISO 3166-1 codes and the model field; it ships no Central
Kurdish names, so every name is overridden by a lazy string that asks CLDR in the active
language when it is rendered.
"""

from __future__ import annotations

from babel import Locale
from django.utils.functional import lazy

from jisr.lib.i18n import cldr_locale


def country_name(code: str, language: str | None = None) -> str:
    territories = Locale.parse(cldr_locale(language)).territories
    return str(territories.get(code) or Locale.parse("en").territories.get(code) or code)


_lazy_country_name = lazy(country_name, str)

# Every ISO 3166-1 alpha-2 code that CLDR names (excluding groupings such as EU or UN).
_EXCLUDED = {"EU", "EZ", "UN", "QO", "XA", "XB", "ZZ"}
COUNTRY_NAMES = {
    code: _lazy_country_name(code)
    for code in map(str, Locale.parse("en").territories)
    if len(code) == 2 and code.isalpha() and code not in _EXCLUDED
}
