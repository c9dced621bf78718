"""API of the taxonomy: ESCO occupations and skills suggested for a text, in Arabic, Kurdish or
English. Occupations are named by their ESCO code, UUID or URI; skills by their UUID or URI."""

from __future__ import annotations

from ninja import Router, Schema

from jisr.accounts.apiauth import allowed
from jisr.accounts.decorators import SELF, AuthedRequest
from jisr.skills import selectors

# The same tag as matching's operations: the API's documentation shows them together.
router = Router(tags=["skills and matching"])
MAX_TOP = 20


class OccupationOut(Schema):
    code: str
    uuid: str
    isco_group: str
    label: str


class OccupationSuggestion(Schema):
    code: str
    uuid: str
    isco_group: str
    label: str
    score: float


class SkillSuggestion(Schema):
    uuid: str
    label: str
    score: float


@router.get("/skills/occupations/suggest", response=list[OccupationSuggestion], auth=allowed(SELF))
def occupation_suggest(
    request: AuthedRequest, q: str = "", top: int = 8
) -> list[dict[str, object]]:
    """ESCO occupations for a job title or description in Arabic, Kurdish or English."""
    found = selectors.occupation_suggest(text=q, top=max(1, min(top, MAX_TOP)))
    return [
        {
            "code": occupation.code,
            "uuid": occupation.uuid,
            "isco_group": occupation.isco_group,
            "label": occupation.label,
            "score": score,
        }
        for occupation, score in found
    ]


@router.get("/skills/skills/suggest", response=list[SkillSuggestion], auth=allowed(SELF))
def skill_suggest(request: AuthedRequest, q: str = "", top: int = 8) -> list[dict[str, object]]:
    """ESCO skills named in a text, in Arabic, Kurdish or English."""
    found = selectors.skill_suggest(text=q, top=max(1, min(top, MAX_TOP)))
    return [{"uuid": skill.uuid, "label": skill.label, "score": score} for skill, score in found]
