"""Reads of the occupation and skills taxonomy: an occupation or skill named by its ESCO
identifier, and the ones a text names (type-ahead, coding). The taxonomy is open to every
signed-in user, so these take no reader; callers decide who may ask."""

from __future__ import annotations

from jisr.skills.coding import code_skills, suggest_occupations
from jisr.skills.models import Occupation, Skill

MAX_TEXT = 300  # characters of a text coded: a job title or a description, not a CV


def esco_id(text: str) -> str:
    """The identifier at the end of an ESCO URI (or the text itself)."""
    return text.rstrip("/").rsplit("/", 1)[-1].strip()


def occupation_get(*, esco: str) -> Occupation | None:
    """The occupation an ESCO code (e.g. "2142.1"), UUID or URI names."""
    key = esco_id(esco)
    return (
        Occupation.objects.filter(uuid=key).first() or Occupation.objects.filter(code=key).first()
    )


def skill_get(*, esco: str) -> Skill | None:
    """The skill an ESCO UUID or URI names."""
    return Skill.objects.filter(uuid=esco_id(esco)).first()


def occupation_suggest(*, text: str, top: int = 8) -> list[tuple[Occupation, float]]:
    """The occupations a job title or description names, best first, with their scores."""
    found = suggest_occupations(text[:MAX_TEXT], top=top)
    occupations = Occupation.objects.in_bulk([s.id for s in found])
    return [(occupations[s.id], s.score) for s in found if s.id in occupations]


def skill_suggest(*, text: str, top: int = 8) -> list[tuple[Skill, float]]:
    """The skills a text names, best first, with their scores."""
    found = code_skills(text[:MAX_TEXT], top=top)
    skills = Skill.objects.in_bulk([s.id for s in found])
    return [(skills[s.id], s.score) for s in found if s.id in skills]
