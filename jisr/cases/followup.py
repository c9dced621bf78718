"""The follow-up survey: typed questions on the economic, social and psychosocial dimensions of
reintegration, and the score of each dimension (0 to 1), so that indicators can measure
sustainability and early warning can see a fall between two follow-ups."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from jisr.lib.validation import invalid

YES_NO = "yes_no"
SCALE = "scale"  # 1 (not at all) to 5 (fully)
YES_NO_UNSURE = "yes_no_unsure"


@dataclass(frozen=True)
class Question:
    key: str
    kind: str
    dimension: str  # economic, social, psychosocial; "" for what is not scored
    label: str | Promise
    positive: bool = True  # whether "yes" (or a high scale) is good


QUESTIONS: tuple[Question, ...] = (
    Question("working", YES_NO, "economic", _("Has work or a steady income")),
    Question(
        "income_covers_needs", SCALE, "economic",
        _("Income covers the household's basic needs (1 to 5)"),
    ),
    Question("has_housing", YES_NO, "social", _("Has stable housing")),
    Question("feels_accepted", SCALE, "social", _("Feels accepted in the community (1 to 5)")),
    Question("children_in_school", YES_NO, "social", _("The children go to school (if any)")),
    Question("wellbeing", SCALE, "psychosocial", _("General wellbeing (1 to 5)")),
    Question("feels_safe", SCALE, "psychosocial", _("Feels safe (1 to 5)")),
    Question("intends_to_migrate", YES_NO_UNSURE, "", _("Intends to migrate again")),
)  # fmt: skip
DIMENSIONS = ("economic", "social", "psychosocial")


def clean(answers: Mapping[str, Any]) -> dict[str, Any]:
    """Typed answers, or a JisrError naming each wrong one. Unanswered questions are left out."""
    clean_answers: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    known = {q.key: q for q in QUESTIONS}
    for key, value in answers.items():
        question = known.get(key)
        if question is None:
            errors[key] = [str(_("Unknown question."))]
            continue
        if value in (None, ""):
            continue
        if question.kind == SCALE:
            try:
                number = int(value)
            except (TypeError, ValueError):
                number = 0
            if not 1 <= number <= 5:
                errors[key] = [str(_("From 1 to 5."))]
                continue
            clean_answers[key] = number
        elif question.kind == YES_NO:
            if value not in ("yes", "no", True, False):
                errors[key] = [str(_("Answer yes or no."))]
                continue
            clean_answers[key] = value in ("yes", True)
        elif value not in ("yes", "no", "unsure"):
            errors[key] = [str(_("Answer yes, no or not sure."))]
        else:
            clean_answers[key] = value
    if errors:
        raise invalid(errors)
    return clean_answers


def scores(answers: dict[str, Any]) -> dict[str, float]:
    """Each dimension's share of favourable answers (0 to 1), and their mean as "overall"."""
    result: dict[str, float] = {}
    for dimension in DIMENSIONS:
        values = []
        for question in QUESTIONS:
            if question.dimension != dimension or question.key not in answers:
                continue
            value = answers[question.key]
            values.append((value - 1) / 4 if question.kind == SCALE else float(bool(value)))
        if values:
            result[dimension] = round(sum(values) / len(values), 3)
    if result:
        result["overall"] = round(sum(result.values()) / len(result), 3)
    return result
