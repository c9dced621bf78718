"""The evidence of a pair, field by field, in words: what each comparison of the model found
(its level, `gamma` in Splink's terms) and how much it weighed (bits, positive for the same
person)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# What each level of the model's comparisons found, in words, by the label the model gives the
# level (Splink's `label_for_charts`, `splink_model.py`): the levels of a comparison differ
# between a link and a dedupe, and from one version of the model to the next, so a pair's level
# is read through its own run's model (`level_labels`), never by its position in a fixed list.
LEVEL_WORDS: dict[str, Promise] = {
    "spelling": _("Same name, spelt differently"),
    "loose": _("Same name, with letters clerks confuse"),
    "one letter apart or two swapped, a rare spelling": _("One letter apart, a rare spelling"),
    "one part of a two-part name": _("One part of a two-part name"),
    "same sound, another script": _("Same sound, in another script"),
    "close sound, another script": _("Close, in another script"),
    "exchanged with the father name": _("Exchanged with the father's name"),
    "exchanged with the first name": _("Exchanged with the first name"),
    "the other's grandfather, moved up": _("The other's grandfather's name, moved up a field"),
    "same date": _("Same date"),
    "day and month swapped": _("Day and month swapped"),
    "same year, day unknown": _("Same year, day unknown"),
    "a year apart, same day and month": _("A year apart, same day and month"),
    "within a year": _("Within a year"),
    "All other comparisons": _("Different"),
}
SAME_NAME = _("Same name")
SAME = _("Same")
MISSING = _("Missing on one side")
# A level this version of Jisr has no words for (a model saved by an older one).
AGREES_IN_PART = _("Alike in part")

COMPARISONS: dict[str, Promise] = {
    "first": _("First name"),
    "father": _("Father's name"),
    "grandfather": _("Grandfather's name"),
    "family": _("Family or tribe name"),
    "mother": _("Mother's name"),
    "birth_date": _("Date of birth"),
    "governorate": _("Governorate"),
    "phone": _("Phone"),
    "sex": _("Sex"),
}
NAME_PARTS = {"first", "father", "grandfather", "family", "mother"}


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


def level_labels(settings: dict[str, Any] | None) -> dict[str, dict[int, str]]:
    """{comparison: {gamma: the level's label}} of a saved Splink model: its null level is -1,
    its other levels count down to 0 (the last, "else"), as Splink numbers them."""
    labels: dict[str, dict[int, str]] = {}
    for comparison in (settings or {}).get("comparisons", []):
        levels = comparison.get("comparison_levels", [])
        counted = [level for level in levels if not level.get("is_null_level")]
        labels[comparison.get("output_column_name", "")] = {
            len(counted) - 1 - number: str(level.get("label_for_charts", ""))
            for number, level in enumerate(counted)
        }
    return labels


def _words(name: str, gamma: int, labels: dict[int, str]) -> Promise:
    if gamma < 0:
        return MISSING
    label = labels.get(gamma)
    if label is None:
        return AGREES_IN_PART if gamma > 0 else LEVEL_WORDS["All other comparisons"]
    if label == f"Exact match on {name}":
        return SAME_NAME if name in NAME_PARTS else SAME
    if label.startswith(f"Exact match on {name}_"):
        return LEVEL_WORDS.get(label.removeprefix(f"Exact match on {name}_"), AGREES_IN_PART)
    return LEVEL_WORDS.get(label) or (
        AGREES_IN_PART if gamma > 0 else LEVEL_WORDS["All other comparisons"]
    )


def described(
    evidence: dict[str, list[float]], model_settings: dict[str, Any] | None
) -> list[dict[str, Any]]:
    """Each comparison given (those the reader may see): its name, what was found in the words
    of the level of `model_settings` (the run's saved model), the weight, for reading."""
    labels = level_labels(model_settings)
    rows = []
    for name, label in COMPARISONS.items():
        if name not in evidence:
            continue
        gamma, weight = evidence[name]
        rows.append(
            {
                "field": name,
                "label": label,
                "level": _words(name, int(gamma), labels.get(name, {})),
                "weight": weight,
                "agrees": gamma > 0,
                "missing": gamma < 0,
            }
        )
    return rows
