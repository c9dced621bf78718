"""Records of a register brought to comparable form for linkage.

Names go through the project's one normaliser, then: titles dropped (الحاج، السيد، د.), a kunya
in brackets set aside, compounds joined (عبد الله / عبدالله, by the normaliser), names in Latin
letters brought back to their Arabic form (Mohammed / Muhammad → محمد), nicknames to the name
they stand for (حمودي → محمد). A register with only a full name is split into first, father,
grandfather and family (the family name is the one with the article). Dates keep the year, and
the day and month only when real: 1 July is the usual stand-in for an unknown date.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from jisr.lib.arabic import normalise_name
from jisr.linkage.names import FAMILY, FEMALE, MALE, NICKNAMES, TITLES

INPUT_COLUMNS = (
    "record_id", "full_name", "first_name", "father_name", "grandfather_name", "family_name",
    "mother_name", "sex", "birth_date", "governorate", "phone",
)  # fmt: skip
BRACKETS = re.compile(r"[(\[].*?[)\]]")
DATE = re.compile(r"^(\d{4})(?:-(\d{2})-(\d{2}))?$")


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[str, str], dict[str, str], frozenset[str], frozenset[str]]:
    latin: dict[str, str] = {}
    for table in (MALE, FEMALE, FAMILY):
        for arabic, spellings in table.items():
            for spelling in spellings:
                latin[normalise_name(spelling)] = normalise_name(arabic)
    nicknames = {normalise_name(k): normalise_name(v) for k, v in NICKNAMES.items()}
    titles = frozenset(normalise_name(t) for t in TITLES)
    families = frozenset(normalise_name(f) for f in FAMILY)
    return latin, nicknames, titles, families


def _words(text: str) -> list[str]:
    latin, _nicknames, titles, _families = _tables()
    words = normalise_name(BRACKETS.sub(" ", text or "")).split()
    out: list[str] = []
    index = 0
    while index < len(words):
        two = " ".join(words[index : index + 2])
        if two in titles or words[index] in titles:  # "al hajj", "الحاج", "dr"
            index += 2 if two in titles else 1
            continue
        if two in latin:  # "abdul rahman", "al jubori"
            out.append(latin[two])
            index += 2
            continue
        out.append(latin.get(words[index], words[index]))
        index += 1
    return out


def _name(text: str) -> str:
    _latin, nicknames, _titles, _families = _tables()
    joined = " ".join(_words(text))
    return nicknames.get(joined, joined)


def name_parts(row: dict[str, Any]) -> list[str]:
    """First, father, grandfather and family name, comparable across registers."""
    if any(row.get(k) for k in ("first_name", "father_name", "grandfather_name", "family_name")):
        return [
            _name(row.get(k) or "")
            for k in ("first_name", "father_name", "grandfather_name", "family_name")
        ]
    _latin, nicknames, _titles, families = _tables()
    words = _words(row.get("full_name") or "")
    family = next((w for w in reversed(words[1:]) if w in families or w.startswith("ال")), "")
    given = [w for w in words if w != family]
    first, father, grandfather = ([*given, "", "", ""])[:3]
    return [nicknames.get(first, first), father, grandfather, family]


def prepared(row: dict[str, Any]) -> dict[str, Any]:
    first, father, grandfather, family = name_parts(row)
    date = DATE.match((row.get("birth_date") or "").strip())
    year = date.group(1) if date else None
    month_day = None
    if date and date.group(2) and f"{date.group(2)}-{date.group(3)}" != "07-01":
        month_day = f"{date.group(2)}-{date.group(3)}"
    phone = re.sub(r"\D", "", row.get("phone") or "")[-9:] or None
    return {
        "unique_id": str(row["record_id"]), "first": first or None, "father": father or None,
        "grandfather": grandfather or None, "family": family or None,
        "mother": _name(row.get("mother_name") or "").split(" ")[0] or None,
        "sex": (row.get("sex") or "").strip().upper()[:1] or None, "birth_year": year,
        "birth_md": month_day, "governorate": (row.get("governorate") or "").strip() or None,
        "phone": phone,
    }  # fmt: skip
