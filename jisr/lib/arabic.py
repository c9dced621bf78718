"""The one normaliser of names written in Arabic script (Arabic and Kurdish) and Latin.

Everything that compares names — search before registering, duplicate warnings, record linkage —
goes through `normalise_name`, so "أحمد"/"احمد", "عبد الله"/"عبدالله", "فاطمة"/"فاطمه" and
"ئەحمەد" meet. The original spelling is always kept as written; this is only for comparing.
"""

from __future__ import annotations

import re
import unicodedata

# Harakat, tanween, shadda, sukun, superscript alef, Quranic marks, and tatweel (kashida).
_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")

_FOLD = str.maketrans(
    {
        # Alef with hamza or madda, and alef wasla, are written without them by many.
        "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا",
        # Hamza on a seat: folded to the seat's letter.
        "ؤ": "و", "ئ": "ي",
        # Final forms written interchangeably.
        "ة": "ه", "ى": "ي",
        # Persian and Kurdish letters, folded to the Arabic letter closest in writing.
        "ی": "ي", "ێ": "ي", "ې": "ي", "ک": "ك", "گ": "ك", "ە": "ه", "ھ": "ه",
        "ۆ": "و", "ۇ": "و", "ڵ": "ل", "ڕ": "ر", "ڤ": "ف", "پ": "ب", "چ": "ج", "ژ": "ز",
        # Arabic-Indic and Persian digits.
        "٠": "0", "١": "1", "٢": "2", "٣": "3", "٤": "4", "٥": "5", "٦": "6", "٧": "7",
        "٨": "8", "٩": "9", "۰": "0", "۱": "1", "۲": "2", "۳": "3", "۴": "4", "۵": "5",
        "۶": "6", "۷": "7", "۸": "8", "۹": "9",
        # Arabic punctuation that separates name parts.
        "،": " ", "ـ": "",
    }
)  # fmt: skip

# "عبد الله", "عبد الرحمن": the compound is one name, written with or without the space.
_ABD = re.compile(r"\bعبد\s+(?=\S)")
_SPACES = re.compile(r"[\s\-_.,'\"()]+")


def normalise_name(text: str) -> str:
    """A comparison key for a name: folded letters, no marks, compounds joined, one space."""
    text = unicodedata.normalize("NFKC", text or "")
    text = _MARKS.sub("", text)
    # ZWNJ and ZWJ (used in Kurdish and Persian typing) and bidi marks carry no letters.
    text = re.sub("[\u200c\u200d\u200e\u200f\u061c]", "", text)
    text = text.translate(_FOLD).lower()
    text = _SPACES.sub(" ", text).strip()
    return _ABD.sub("عبد", text)


def name_tokens(text: str) -> list[str]:
    return normalise_name(text).split()
