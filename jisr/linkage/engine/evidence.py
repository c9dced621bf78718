"""The evidence of a pair, field by field, in words: what each comparison of the model found
(its level, `gamma` in Splink's terms) and how much it weighed (bits, positive for the same
person)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# Index = Splink's gamma for the comparison (0 = the last level, "else"); -1 is a missing value.
NAME_LEVELS = (
    _("Different"), _("Close, in another script"), _("Same sound, in another script"),
    _("Same name, spelt differently"), _("Same name"),
)  # fmt: skip
FIRST_LEVELS = (
    _("Different"), _("Close, in another script"), _("Same sound, in another script"),
    _("One letter apart, a rare spelling"), _("Same name, spelt differently"), _("Same name"),
)  # fmt: skip
DATE_LEVELS = (
    _("Different"), _("Within a year"), _("Same year, day unknown"), _("Day and month swapped"),
    _("Same date"),
)  # fmt: skip
EXACT_LEVELS = (_("Different"), _("Same"))

COMPARISONS: dict[str, tuple[Promise, tuple[Promise, ...]]] = {
    "first": (_("First name"), FIRST_LEVELS),
    "father": (_("Father's name"), NAME_LEVELS),
    "grandfather": (_("Grandfather's name"), NAME_LEVELS),
    "family": (_("Family or tribe name"), NAME_LEVELS),
    "mother": (_("Mother's name"), NAME_LEVELS),
    "birth_date": (_("Date of birth"), DATE_LEVELS),
    "governorate": (_("Governorate"), EXACT_LEVELS),
    "phone": (_("Phone"), EXACT_LEVELS),
    "sex": (_("Sex"), EXACT_LEVELS),
}


# The register fields each comparison reads (`prepare.prepared`): a name part comes from its own
# field, or from the full name where the register splits none.
SOURCES: dict[str, tuple[str, ...]] = {
    "first": ("first_name", "full_name"), "father": ("father_name", "full_name"),
    "grandfather": ("grandfather_name", "full_name"), "family": ("family_name", "full_name"),
    "mother": ("mother_name",), "birth_date": ("birth_date",), "governorate": ("governorate",),
    "phone": ("phone",), "sex": ("sex",),
}  # fmt: skip


def shown(
    evidence: dict[str, list[float]],
    *,
    left: tuple[Iterable[str], Iterable[str]],
    right: tuple[Iterable[str], Iterable[str]],
) -> dict[str, list[float]]:
    """The comparisons a reader may see: for each record, (the fields of it the model compared,
    the fields of it the reader sees); a comparison is shown where the reader sees what it
    compared of both records. What it found (even "missing on one side") tells of the other
    record's field, so one outside the agreement is withheld whole."""
    sides = [(set(compared), set(visible)) for compared, visible in (left, right)]
    found = {}
    for name, value in evidence.items():
        sources = set(SOURCES.get(name, (name,)))
        read = [sources & compared for compared, _visible in sides]
        if all(read) and all(r <= visible for r, (_c, visible) in zip(read, sides, strict=True)):
            found[name] = value
    return found


def probability(evidence: dict[str, list[float]], prior: float) -> float:
    """The match probability the given comparisons alone make, with the model's prior (the
    probability that two random records match): Fellegi-Sunter weights add up in bits."""
    weight = math.log2(prior / (1 - prior)) + sum(w for _gamma, w in evidence.values())
    return round(1 / (1 + 2 ** (-weight)), 6)


def from_prediction(row: dict[str, Any]) -> dict[str, list[float]]:
    """{comparison: [gamma, weight in bits]} from a row of Splink's predictions (kept with their
    intermediate columns: the weight of the level and of the name's frequency)."""
    found: dict[str, list[float]] = {}
    for name in COMPARISONS:
        gamma = row.get(f"gamma_{name}")
        if gamma is None:
            continue
        weight = float(row.get(f"mw_{name}") or 0.0) + float(row.get(f"mw_tf_adj_{name}") or 0.0)
        found[name] = [int(gamma), round(weight, 2)]
    return found


def described(evidence: dict[str, list[float]]) -> list[dict[str, Any]]:
    """Each comparison given (those the reader may see): its name, what was found, the
    weight, for reading."""
    rows = []
    for name, (label, levels) in COMPARISONS.items():
        if name not in evidence:
            continue
        gamma, weight = evidence[name]
        level = levels[int(gamma)] if 0 <= gamma < len(levels) else _("Missing on one side")
        rows.append(
            {
                "field": name,
                "label": label,
                "level": level,
                "weight": weight,
                "agrees": gamma > 0,
                "missing": gamma < 0,
            }
        )
    return rows
