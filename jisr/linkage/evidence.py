"""The evidence of a pair, field by field, in words: what each comparison of the model found
(its level, `gamma` in Splink's terms) and how much it weighed (bits, positive for the same
person)."""

from __future__ import annotations

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
    """Each compared field: its name, what was found, the weight, for reading."""
    rows = []
    for name, (label, levels) in COMPARISONS.items():
        gamma, weight = evidence.get(name, [-1, 0.0])
        level = levels[int(gamma)] if 0 <= gamma < len(levels) else _("Missing on one side")
        rows.append({
            "field": name, "label": label, "level": level, "weight": weight,
            "agrees": gamma > 0, "missing": gamma < 0,
        })  # fmt: skip
    return rows
